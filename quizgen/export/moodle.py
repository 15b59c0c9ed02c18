"""Moodle XML: one file, a question category per template holding its drawn variants.

A category ``$course$/top/quizgen/<template id>`` per template. A one-part
question becomes the Moodle type its kind names (``kind.moodle_question``:
numerical with the kind's tolerance, multichoice, truefalse, essay with the
rubric as grader information, short answer for a formula); a multi-part
question, or a vector, matrix or shape answer, becomes a cloze (embedded
answers) question with one blank per number. Math is written in the TeX
delimiters Moodle's MathJax filter reads: ``\\( ... \\)`` inline and
``\\[ ... \\]`` display.

A part with several right options is scored by the section's
``multiple_answer_credit``, as ``quizgen grade`` scores it. "partial": a
multichoice with ``single`` false (or a MULTIRESPONSE blank) carrying each
option's share (:meth:`quizgen.bank.kinds.Choice.option_fractions`: +100/c for
each right option, -100/w for each wrong one; Moodle sums the chosen ones and
keeps the total between 0 and 100 %). "all-or-nothing": with one right option,
+100 for it and -100 for each wrong one (any wrong option chosen scores 0);
with several, Moodle's sums cannot score it, so the question asks for the
letters as a short answer accepting every spelling quizgen reads
(:meth:`quizgen.bank.kinds.Choice.every_spelling`), and the report says so.

What Moodle's importer does decides the writing (``question/format/xml/format.php``
and ``question/type/multianswer/questiontype.php``; tests/quizgen/export/moodle_import.py
applies its rules to every exported item): a cloze question's mark is the sum of
its blanks' weights, whole numbers (``<defaultgrade>`` is ignored), so the weights
add up to the question's points (:func:`cloze_weights`); answer fractions must be
in ``question_bank::fraction_options_full()``; numbers are written at the stem's
precision (:meth:`quizgen.bank.kinds.AnswerKind.blank_key_texts`). A template
without random values (a fixed conceptual item) is written once, not once per
variant. An essay's rubric is grader information only, never general feedback,
which students see in review.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from xml.etree import ElementTree as ET

from quizgen.bank.concepts import without_marking_points
from quizgen.bank.kinds import ALL_OR_NOTHING, LETTERS
from quizgen.bank.question import Template, Variant, accepted_interval, mistake_interval
from quizgen.bank.texts import render_solution, render_stem
from quizgen.export.common import (ExportReport, Exporter, PoolItem, answer_key, blank_count, html_with_tex,
    is_plain_label, label_html, matrix_rows_cols, stem_and_options, tex_delimited, xml_bytes)

MOODLE_CATEGORY_ROOT = "$course$/top/quizgen"


class MoodleExporter(Exporter):
    """Moodle XML (one ``.xml`` file)."""

    name = "moodle"
    label = "moodle"

    def package(self, spec, items: list, report: ExportReport) -> bytes:
        return moodle_xml(items, report)


def moodle_xml(items: list, report: ExportReport) -> bytes:
    """The Moodle XML text of the drawn items (:class:`PoolItem`), deterministic. A variant that is
    the same question as one already written in its category (a fixed conceptual item) is left out."""
    cdata = _CData()
    quiz = ET.Element("quiz")
    fixed = 0
    for item in items:
        template = item.template
        quiz.append(ET.Comment(f" quizgen {template.id} v{template.version}, form {item.form} "))
        category = _sub(quiz, "question", type="category")
        _sub(_sub(category, "category"), "text", f"{MOODLE_CATEGORY_ROOT}/{template.id}")
        _text(category, "info", html.escape(template.title), cdata)
        written = set()
        for variant in item.variants:
            content = _question_content(item, variant, report)
            if content in written:
                continue
            written.add(content)
            _question(quiz, item, len(written) - 1, variant, cdata, report)
            report.questions += 1
        fixed += len(written) == 1 and len(item.variants) > 1
        report.templates += 1
    if fixed:
        report.note(f"{fixed} template(s) without random values (fixed conceptual items) are written once "
                    "each, not once per variant")
    return xml_bytes(quiz, cdata.finish)


def _question_content(item: PoolItem, variant: Variant, report: ExportReport) -> tuple:
    """What a variant's question says, written alone and without its name: two variants with the
    same content are the same question in Moodle."""
    scratch, cdata = ET.Element("quiz"), _CData()
    _question(scratch, item, 0, variant, cdata, report)
    for question in scratch.findall("question"):
        question.remove(question.find("name"))
    return ET.tostring(scratch, encoding="unicode"), tuple(cdata.texts)


# ------------------------------------------------------------------------------- numbers and XML


def cloze_weights(points: list, counts: list) -> list:
    """Per blank, the whole-number weights of a cloze question whose parts are worth ``points`` (exact
    hundredths) over ``counts`` blanks each.

    Moodle's cloze syntax takes whole weights only (``\\{([0-9]*):`` in ANSWER_START_REGEX) and gives
    the question the sum of its weights as its mark. A part is what quizgen credits (all its numbers
    right), so each part's weight is its points times the least whole ``scale`` that makes every
    part's weight whole and at least its number of blanks (a blank weighs 1 or more); the part's
    weight is shared over its blanks in whole numbers, the remainder one each to the later blanks.
    The mark is the points when every part is worth whole points and no fewer than its blanks
    (``scale`` 1), else that multiple of the points: the report then says so."""
    exact = [Fraction(repr(float(p))) for p in points]
    scale = math.lcm(*(p.denominator for p in exact))
    scale *= max(math.ceil(Fraction(n) / (p * scale)) for p, n in zip(exact, counts))
    weights = []
    for p, n in zip(exact, counts):
        weights += _largest_remainder([p * scale / n] * n)
    return weights


def _largest_remainder(shares: list) -> list:
    """Whole numbers adding up to the (whole) sum of ``shares``: each share's whole part, and what is
    left one each to the largest remainders, the later first where they are equal."""
    whole = [math.floor(s) for s in shares]
    left = int(sum(shares, Fraction(0))) - sum(whole)
    order = sorted(range(len(shares)), key=lambda i: (shares[i] - whole[i], i), reverse=True)
    for i in order[:left]:
        whole[i] += 1
    return whole


def _fraction(value: float) -> str:
    """A Moodle answer fraction in percent, in the form Moodle itself writes (``33.33333``)."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pts(value: float) -> str:
    return f"{round(float(value), 7):.7f}"


def _choice_fractions(n: int, correct: set, shares: list | None = None) -> list:
    """Each option's fraction in percent: 100 for the one right option, or with several right options
    each option's share under the partial rule (``shares``, the kind's ``option_fractions``)."""
    if shares is None:
        return ["100" if i in correct else "0" for i in range(n)]
    return [_fraction(float(100 * share)) for share in shares]


def _credited_fractions(kind, key, rule: str) -> list | None:
    """The option fractions that make Moodle's sum of the chosen options score a part with several
    right options by ``rule``; None when no fractions can (all-or-nothing with several right options:
    any sum gives a share for some of them)."""
    labels, correct = kind.choice_options(key)
    if rule != ALL_OR_NOTHING:
        return _choice_fractions(len(labels), set(correct), kind.option_fractions(key))
    if len(correct) > 1:
        return None
    return ["100" if i in correct else "-100" for i in range(len(labels))]


ALL_OR_NOTHING_NOTE = ("multiple_answer_credit is all-or-nothing, which Moodle's multichoice (a sum of the "
                       "chosen options' fractions) cannot score when several options are right: those parts ask "
                       "for the letters as a short answer that accepts every way of typing exactly the right ones "
                       "(any order, with or without commas or spaces), and nothing else")


def _mistake_text(template: Template, name: str | None) -> str:
    if not name:
        return ""
    return template.mistakes.get(name, name)


def _named_mistakes(template: Template, part, variant: Variant) -> list:
    """``[(feedback html, per blank [(value, tolerance) texts])]`` of the named mistakes a part's numbers
    can show; a blank where the mistake's number is accepted as the key gets none."""
    kind = part.kind
    keys = kind.blank_key_texts(answer_key(part, variant), accepted_interval(part, variant))
    found = []
    for name, answers in variant.mistakes.items():
        if part.name not in answers:
            continue
        value = kind.from_json(answers[part.name])
        texts = kind.blank_key_texts(value, mistake_interval(part, variant, name))
        own = kind.blank_key_texts(value, None)  # the mistake's number itself, per blank
        texts = [[] if _accepted(keys[i], own[i][0][0]) else t for i, t in enumerate(texts)]
        found.append((html_with_tex(_mistake_text(template, name), inline=True), texts))
    return found


def _accepted(pairs: list, value: str) -> bool:
    """Whether one of the ``(value, tolerance)`` texts accepts the number ``value``."""
    return any(abs(float(value) - float(v)) <= float(t) for v, t in pairs)


_CDATA_SLOT = "QZXCDATA{}ZQ"
_CDATA_RE = re.compile(r"QZXCDATA(\d+)ZQ")


class _CData:
    """Collects texts to be written as CDATA sections (ElementTree cannot write them)."""

    def __init__(self):
        self.texts: list = []

    def __call__(self, text: str) -> str:
        self.texts.append(text)
        return _CDATA_SLOT.format(len(self.texts) - 1)

    def finish(self, xml_text: str) -> str:
        def put(m):
            text = self.texts[int(m.group(1))]
            return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"

        return _CDATA_RE.sub(put, xml_text)


def _sub(parent, tag, text=None, **attrs):
    element = ET.SubElement(parent, tag, {k.rstrip("_"): str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def _text(parent, tag, content: str, cdata: _CData, fmt: str = "html"):
    element = _sub(parent, tag, format=fmt)
    _sub(element, "text", cdata(content) if content else "")
    return element


def _answer(question, fraction, text, cdata: _CData, fmt: str | None = None):
    """An answer element; the caller adds its feedback (after the tolerance, for a numerical answer)."""
    attrs = {"fraction": fraction} | ({"format": fmt} if fmt else {})
    answer = _sub(question, "answer", **attrs)
    _sub(answer, "text", cdata(text) if fmt == "html" else text)
    return answer


def _feedback(answer, feedback: str, cdata: _CData):
    _text(answer, "feedback", feedback, cdata)


# ------------------------------------------------------------------------------- one question


@dataclass
class _Question:
    """What the writer of one Moodle question needs: the variant and its texts already in HTML."""

    template: Template
    variant: Variant
    points: list
    name: str
    stem_html: str
    solution_html: str
    options: list | None  # a conceptual item's options, cut from its stem
    cdata: _CData
    report: ExportReport
    credit: str = ALL_OR_NOTHING  # the section's multiple_answer_credit

    @property
    def part(self):
        return self.template.parts[0]

    def start(self, quiz, qtype: str, penalty: str = "0.3333333", text_html: str | None = None,
              feedback_html: str | None = None, grade=None):
        """The question element with what every type has: name, text (the stem unless ``text_html``),
        general feedback (the solution unless ``feedback_html``), grade (the points unless ``grade``),
        penalty."""
        question = _sub(quiz, "question", type=qtype)
        _sub(_sub(question, "name"), "text", self.name)
        _text(question, "questiontext", self.stem_html if text_html is None else text_html, self.cdata)
        _text(question, "generalfeedback", self.solution_html if feedback_html is None else feedback_html,
              self.cdata)
        _sub(question, "defaultgrade", _pts(sum(self.points) if grade is None else grade))
        _sub(question, "penalty", penalty)
        _sub(question, "hidden", "0")
        return question


def _question(quiz, item: PoolItem, k: int, variant: Variant, cdata: _CData, report: ExportReport):
    """Append the k-th variant of ``item`` to ``quiz`` as the question type its kind asks for."""
    template = item.template
    stem, options = stem_and_options(template, variant)
    q = _Question(template, variant, item.points, f"{template.title} [{template.id} #{k + 1}]",
                  html_with_tex(stem), html_with_tex(render_solution(template, variant)), options, cdata, report,
                  item.credit)
    if len(template.parts) > 1:
        return _cloze_question(quiz, q)
    if variant.choices.get(q.part.name):
        return _choice_form_question(quiz, q)
    return _ONE_PART_QUESTIONS[q.part.kind.moodle_question](quiz, q)


def _choice_form_question(quiz, q: _Question):
    """A typed answer drawn as a choice: the key among named mistakes, each mistake's feedback naming it."""
    kind, choice = q.part.kind, q.variant.choices[q.part.name]
    question = q.start(quiz, "multichoice")
    options = [tex_delimited(kind.tex(kind.from_json(o))) for o in choice["options"]]
    feedback = [html_with_tex(_mistake_text(q.template, m), inline=True) for m in choice["mistakes"]]
    _multichoice(question, options, _choice_fractions(len(options), {LETTERS.index(choice["key"])}), False,
                 feedback, True, "abc", q.cdata)
    return question


def _numerical_question(quiz, q: _Question):
    part, kind, cdata = q.part, q.part.kind, q.cdata
    question = q.start(quiz, "numerical")
    key = answer_key(part, q.variant)
    for (value, tolerance) in kind.blank_key_texts(key, accepted_interval(part, q.variant))[0]:
        answer = _answer(question, "100", value, cdata)
        _sub(answer, "tolerance", tolerance)
        _feedback(answer, "", cdata)
    if not kind.exact:
        # named mistakes as wrong answers: Moodle tells the student which mistake it was
        for feedback, blanks in _named_mistakes(q.template, part, q.variant):
            for value, tolerance in blanks[0]:
                answer = _answer(question, "0", value, cdata)
                _sub(answer, "tolerance", tolerance)
                _feedback(answer, feedback, cdata)
    _sub(question, "unitgradingtype", "0")
    _sub(question, "unitpenalty", "0.1000000")
    _sub(question, "showunits", "3")
    _sub(question, "unitsleft", "0")
    return question


def _multichoice_question(quiz, q: _Question):
    kind = q.part.kind
    key = answer_key(q.part, q.variant)
    labels, correct = kind.choice_options(key)
    fractions = _credited_fractions(kind, key, q.credit) if kind.credit_rules_apply else \
        _choice_fractions(len(labels), set(correct))
    if fractions is None:
        return _letters_question(quiz, q, key)
    question = q.start(quiz, "multichoice")
    if q.options is not None:
        # Moodle shuffles the options itself: written in one order (by their text), the variants of a
        # fixed item, which differ only in the order their options were drawn in, are one question
        written = sorted(zip((html_with_tex(o, inline=True) for o in q.options), fractions))
        options, fractions = [o for o, _ in written], [f for _, f in written]
        numbering, shuffle = "ABCD", True
    else:  # the options are lettered in the stem itself: keep the letters, in order
        options = labels
        numbering, shuffle = "none", False
    _multichoice(question, options, fractions, kind.multiple, [""] * len(options), shuffle, numbering, q.cdata)
    return question


def _letters_question(quiz, q: _Question, key):
    """Several right options under all-or-nothing: the letters typed, every spelling of exactly the right
    ones accepted (Moodle's multichoice sums cannot withhold credit from part of the right options)."""
    q.report.note(ALL_OR_NOTHING_NOTE)
    stem = html_with_tex(render_stem(q.template, q.variant))  # the options lettered in the stem
    question = q.start(quiz, "shortanswer", text_html=stem)
    _sub(question, "usecase", "0")
    for text in q.part.kind.every_spelling(key):
        answer = _answer(question, "100", text, q.cdata)
        _feedback(answer, "", q.cdata)
    return question


def _multichoice(question, options_html: list, fractions: list, multiple: bool, feedbacks: list,
                 shuffle: bool, numbering: str, cdata):
    _sub(question, "single", "false" if multiple else "true")
    _sub(question, "shuffleanswers", "1" if shuffle else "0")
    _sub(question, "answernumbering", numbering)
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(question, tag, "", cdata)
    for option, fraction, feedback in zip(options_html, fractions, feedbacks):
        answer = _answer(question, fraction, option, cdata, fmt="html")
        _feedback(answer, feedback, cdata)


def _truefalse_question(quiz, q: _Question):
    question = q.start(quiz, "truefalse", penalty="1")
    _, correct = q.part.kind.choice_options(answer_key(q.part, q.variant))
    for index, word in enumerate(("true", "false")):
        answer = _answer(question, "100" if index in correct else "0", word, q.cdata, fmt="moodle_auto_format")
        _feedback(answer, "", q.cdata)
    return question


def _essay_question(quiz, q: _Question):
    kind = q.part.kind
    # students see general feedback in review: the explanation only, the rubric is the marker's
    explanation = without_marking_points(render_solution(q.template, q.variant))
    question = q.start(quiz, "essay", penalty="0", feedback_html=html_with_tex(explanation))
    _sub(question, "responseformat", "editor")
    _sub(question, "responserequired", "1")
    _sub(question, "responsefieldlines", str(max(5, int(kind.lines))))
    _sub(question, "attachments", "0")
    _sub(question, "attachmentsrequired", "0")
    rubric = "<p>Marking points:</p>\n<ul>\n" + "\n".join(
        f"<li>{html_with_tex(r, inline=True)}</li>" for r in kind.rubric) + "\n</ul>" if kind.rubric else ""
    _text(question, "graderinfo", rubric, q.cdata)
    _text(question, "responsetemplate", "", q.cdata)
    return question


def _shortanswer_question(quiz, q: _Question):
    # Moodle has no formula answer type: a short answer holding the key, graded as text
    # (an equivalent formula written differently is marked wrong and needs a manual override)
    quiz.append(ET.Comment(f" {q.template.id}: formula answer exported as shortanswer, graded as text "))
    question = q.start(quiz, "shortanswer")
    _sub(question, "usecase", "0")
    # "*" is Moodle's wildcard in a short answer: "\*" is a star
    answer = _answer(question, "100", q.part.kind.format(answer_key(q.part, q.variant)).replace("*", "\\*"),
                     q.cdata)
    _feedback(answer, "", q.cdata)
    q.report.note(f"{q.template.id}: formula answers exported as Moodle short answer, graded as text "
                  "(only the key as written; equivalent formulas need a manual override)")
    return question


# ------------------------------------------------------------------------------- cloze (embedded answers)


def _cloze_question(quiz, q: _Question):
    """Every part as embedded answers after the stem, the points shared out as whole-number weights
    whose sum, the mark Moodle gives the question, is its points (:func:`cloze_weights`)."""
    template, variant = q.template, q.variant
    counts = [blank_count(p, variant) for p in template.parts]
    all_weights = cloze_weights(q.points, counts)
    if sum(all_weights) != sum(Fraction(repr(float(p))) for p in q.points):
        q.report.note(f"{template.id}: Moodle marks a cloze question out of the sum of its blanks' whole-number "
                      f"weights, {sum(all_weights)} here for {_pts(sum(q.points)).rstrip('0').rstrip('.')} points: "
                      "give it that maximum mark in the quiz")
    weights = iter(all_weights)
    body = [q.stem_html]
    for part, n in zip(template.parts, counts):
        each = [next(weights) for _ in range(n)]
        codes = _cloze_codes(q, part, each)
        if not codes:
            q.report.note(f"{template.id}: part {part.label} ({part.kind.name}) has no Moodle embedded answer; "
                          "it is shown as text and must be graded by hand")
            body.append(f"<p>{label_html(part)}: <em>{html.escape(part.kind.describe())}</em></p>")
            continue
        body.append(_cloze_part_html(template, part, variant, codes))
    return q.start(quiz, "cloze", text_html="\n".join(body), grade=sum(all_weights))


# What Moodle undoes in an embedded answer's text and feedback (qtype_multianswer_extract_question):
# html_entity_decode, then "\}" -> "}" and "\#" -> "#". Written as character references, the
# characters that end an answer ("~", "#", "}") or a feedback ("~", "}") cannot end it, and a
# backslash cannot hide the end that follows it; "&" is written "&amp;" first so that the text
# comes back as it was written.
_CLOZE_REFERENCES = {"&": "&amp;", "\\": "&#92;", "~": "&#126;", "#": "&#35;", "}": "&#125;"}


def _cloze_text(text: str) -> str:
    """``text`` inside an embedded answer or feedback, so that Moodle stores exactly ``text``."""
    return "".join(_CLOZE_REFERENCES.get(c, c) for c in text)


def _cloze_alternative(fraction: str, text: str, feedback: str = "") -> str:
    """One alternative of a blank: ``=`` (fraction 100), ``%f%``, or nothing (0); its text; its feedback."""
    mark = "=" if fraction == "100" else ("" if fraction == "0" else f"%{fraction}%")
    return mark + text + (f"#{_cloze_text(feedback)}" if feedback else "")


def _cloze_codes(q: _Question, part, weights: list) -> list:
    """The embedded-answer codes of one part (one per number of a vector, matrix or shape); none for
    a kind Moodle cannot embed."""
    template, variant = q.template, q.variant
    choice = variant.choices.get(part.name)
    if choice:  # a typed answer drawn as a choice: the key among named mistakes, each mistake's feedback
        kind = part.kind
        options = [_cloze_text(html.escape(kind.format(kind.from_json(o)), quote=False)) for o in choice["options"]]
        key = LETTERS.index(choice["key"])
        body = "~".join(_cloze_alternative("100" if i == key else "0", o,
                                           "" if i == key else html_with_tex(_mistake_text(template, m), inline=True))
                        for i, (o, m) in enumerate(zip(options, choice["mistakes"])))
        return [f"{{{weights[0]}:MULTICHOICE:{body}}}"]
    codes = _CLOZE_CODES.get(part.kind.answer_form)
    return codes(q, part, weights) if codes else []


def _numerical_codes(q: _Question, part, weights: list) -> list:
    """A NUMERICAL blank per number: the key and the interval's middle (fraction 100), then each named
    mistake's number with its feedback (fraction 0)."""
    kind, variant = part.kind, q.variant
    keys = kind.blank_key_texts(answer_key(part, variant), accepted_interval(part, variant))
    mistakes = _named_mistakes(q.template, part, variant) if not kind.exact else []
    codes = []
    for i, (pairs, w) in enumerate(zip(keys, weights)):
        alternatives = [_cloze_alternative("100", f"{v}:{t}") for v, t in pairs]
        alternatives += [_cloze_alternative("0", f"{v}:{t}", feedback)
                         for feedback, blanks in mistakes for v, t in blanks[i]]
        codes.append(f"{{{w}:NUMERICAL:{'~'.join(alternatives)}}}")
    return codes


def _options_codes(q: _Question, part, weights: list) -> list:
    kind = part.kind
    key = answer_key(part, q.variant)
    labels, correct = kind.choice_options(key)
    if kind.credit_rules_apply:
        fractions = _credited_fractions(kind, key, q.credit)
        if fractions is None:  # all-or-nothing over several right options: the letters, typed
            q.report.note(ALL_OR_NOTHING_NOTE)
            body = "~".join(_cloze_alternative("100", _cloze_text(t)) for t in kind.every_spelling(key))
            return [f"{{{weights[0]}:SHORTANSWER:{body}}}"]
        body = "~".join(f"%{f}%{_cloze_text(c)}" for f, c in zip(fractions, labels))
        return [f"{{{weights[0]}:MULTIRESPONSE:{body}}}"]
    body = "~".join(_cloze_alternative("100" if i in correct else "0", _cloze_text(c)) for i, c in enumerate(labels))
    return [f"{{{weights[0]}:MULTICHOICE:{body}}}"]


def _shortanswer_codes(q: _Question, part, weights: list) -> list:
    q.report.note(f"{q.template.id}: formula part {part.label} is a SHORTANSWER blank; Moodle grades it "
                  "as text (only the key as written, not equivalent formulas)")
    # "*" is Moodle's wildcard in a short answer: "\*" is a star
    key = part.kind.format(answer_key(part, q.variant)).replace("*", "\\*")
    return [f"{{{weights[0]}:SHORTANSWER:{_cloze_alternative('100', _cloze_text(key))}}}"]


def _cloze_part_html(template, part, variant, codes: list) -> str:
    """One part's paragraph: its prompt and label, then its blanks laid out as the kind says."""
    layout = part.kind.blank_layout
    if variant.choices.get(part.name) or len(codes) == 1:
        blanks = codes[0]
    elif layout == "table":
        rows, cols = matrix_rows_cols(answer_key(part, variant))
        cells = "".join("<tr>" + "".join(f"<td>{codes[r * cols + c]}</td>" for c in range(cols)) + "</tr>"
                        for r in range(rows))
        blanks = f'<table class="quizgen-matrix">{cells}</table>'
    elif layout == "tuple":
        blanks = "(" + " &times; ".join(codes) + ")"
    else:
        blanks = "[" + ", ".join(codes) + "]"
    label = label_html(part)
    prompt = html_with_tex(part.prompt, inline=True) + " " if part.prompt else ""
    joiner = ": " if is_plain_label(part.label) else " = "
    return f"<p>{prompt}{label}{joiner}{blanks}</p>" if len(template.parts) > 1 or prompt \
        else f"<p>{blanks}</p>"


_ONE_PART_QUESTIONS = {"numerical": _numerical_question, "multichoice": _multichoice_question,
                       "truefalse": _truefalse_question, "essay": _essay_question,
                       "shortanswer": _shortanswer_question, "cloze": _cloze_question}
_CLOZE_CODES = {"numbers": _numerical_codes, "options": _options_codes, "formula": _shortanswer_codes}
