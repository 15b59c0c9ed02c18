"""Moodle XML: one file, a question category per template holding its drawn variants.

A category ``$course$/top/quizgen/<template id>`` per template. A one-part
question becomes the Moodle type its kind names (``kind.moodle_question``:
numerical with the kind's tolerance, multichoice, truefalse, essay with the
rubric as grader information, short answer for a formula); a multi-part
question, or a vector, matrix or shape answer, becomes a cloze (embedded
answers) question with one blank per number. Math is written in the TeX
delimiters Moodle's MathJax filter reads: ``\\( ... \\)`` inline and
``\\[ ... \\]`` display.

A part with several right options (multichoice with ``single`` false, or a
MULTIRESPONSE blank) carries each option's share under the partial rule
(:meth:`quizgen.bank.kinds.Choice.option_fractions`: +100/c for each right
option, -100/w for each wrong one; Moodle sums the chosen ones and keeps the
total between 0 and 100 %), which is quizgen's ``multiple_answer_credit =
"partial"``. Moodle's core types cannot score all-or-nothing: under that rule
the export says so in its report (Moodle will give partial credit).
"""

from __future__ import annotations

import functools
import html
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from xml.etree import ElementTree as ET

from quizgen.bank.kinds import ALL_OR_NOTHING, LETTERS
from quizgen.bank.question import Template, Variant
from quizgen.bank.texts import render_solution
from quizgen.export.common import (ExportReport, Exporter, PoolItem, answer_key, blank_count, html_with_tex,
    is_plain_label, label_html, matrix_rows_cols, number_text, numeric_keys, stem_and_options, tex_delimited,
    xml_bytes)

MOODLE_CATEGORY_ROOT = "$course$/top/quizgen"


class MoodleExporter(Exporter):
    """Moodle XML (one ``.xml`` file)."""

    name = "moodle"
    label = "moodle"

    def package(self, spec, items: list, report: ExportReport) -> bytes:
        return moodle_xml(items, report)


def moodle_xml(items: list, report: ExportReport) -> bytes:
    """The Moodle XML text of the drawn items (:class:`PoolItem`), deterministic."""
    cdata = _CData()
    quiz = ET.Element("quiz")
    for item in items:
        template = item.template
        if item.credit_rule_applies and item.credit == ALL_OR_NOTHING:
            report.note(ALL_OR_NOTHING_NOTE)
        quiz.append(ET.Comment(f" quizgen {template.id} v{template.version}, form {item.form} "))
        category = _sub(quiz, "question", type="category")
        _sub(_sub(category, "category"), "text", f"{MOODLE_CATEGORY_ROOT}/{template.id}")
        _text(category, "info", html.escape(template.title), cdata)
        for k, variant in enumerate(item.variants):
            _question(quiz, item, k, variant, cdata, report)
            report.questions += 1
        report.templates += 1
    return xml_bytes(quiz, cdata.finish)


# ------------------------------------------------------------------------------- numbers and XML


def cloze_weights(points: list) -> list:
    """Whole-number weights proportional to ``points`` (cloze blanks take integers)."""
    fractions = [Fraction(p).limit_denominator(1000) for p in points]
    scale = 1
    for f in fractions:
        scale = scale * f.denominator // math.gcd(scale, f.denominator)
    weights = [int(f * scale) for f in fractions]
    common = functools.reduce(math.gcd, [w for w in weights if w] or [1])
    weights = [max(1, w // common) for w in weights]
    if max(weights) > 1000:  # pathological points: round instead
        top = max(points)
        weights = [max(1, round(100 * p / top)) for p in points]
    return weights


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


ALL_OR_NOTHING_NOTE = ("multiple_answer_credit is all-or-nothing, which Moodle's multichoice (and a cloze "
                       "MULTIRESPONSE blank) cannot score: its parts with several right options carry per-option "
                       "fractions, and Moodle will give partial credit (+100/c for each of the c right options "
                       "chosen, -100/w for each of the w wrong ones, at least 0) where quizgen grade gives none")


def _mistake_text(template: Template, name: str | None) -> str:
    if not name:
        return ""
    return template.mistakes.get(name, name)


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

    @property
    def part(self):
        return self.template.parts[0]

    def start(self, quiz, qtype: str, penalty: str = "0.3333333", text_html: str | None = None):
        """The question element with what every type has: name, text (the stem unless ``text_html``),
        solution, grade, penalty."""
        question = _sub(quiz, "question", type=qtype)
        _sub(_sub(question, "name"), "text", self.name)
        _text(question, "questiontext", self.stem_html if text_html is None else text_html, self.cdata)
        _text(question, "generalfeedback", self.solution_html, self.cdata)
        _sub(question, "defaultgrade", _pts(sum(self.points)))
        _sub(question, "penalty", penalty)
        _sub(question, "hidden", "0")
        return question


def _question(quiz, item: PoolItem, k: int, variant: Variant, cdata: _CData, report: ExportReport):
    """Append the k-th variant of ``item`` to ``quiz`` as the question type its kind asks for."""
    template = item.template
    stem, options = stem_and_options(template, variant)
    q = _Question(template, variant, item.points, f"{template.title} [{template.id} #{k + 1}]",
                  html_with_tex(stem), html_with_tex(render_solution(template, variant)), options, cdata, report)
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
    for (value, tolerance) in numeric_keys(part, q.variant)[0]:
        answer = _answer(question, "100", number_text(value), cdata)
        _sub(answer, "tolerance", number_text(tolerance))
        _feedback(answer, "", cdata)
    if not kind.exact:
        # named mistakes as wrong answers: Moodle tells the student which mistake it was
        for name, answers in q.variant.mistakes.items():
            if part.name in answers:
                value = float(answers[part.name])
                answer = _answer(question, "0", number_text(value), cdata)
                _sub(answer, "tolerance", number_text(kind.tolerance.bound(value)))
                _feedback(answer, html_with_tex(_mistake_text(q.template, name), inline=True), cdata)
    _sub(question, "unitgradingtype", "0")
    _sub(question, "unitpenalty", "0.1000000")
    _sub(question, "showunits", "3")
    _sub(question, "unitsleft", "0")
    return question


def _multichoice_question(quiz, q: _Question):
    kind = q.part.kind
    question = q.start(quiz, "multichoice")
    key = answer_key(q.part, q.variant)
    labels, correct = kind.choice_options(key)
    if q.options is not None:
        options = [html_with_tex(o, inline=True) for o in q.options]
        numbering, shuffle = "ABCD", True
    else:  # the options are lettered in the stem itself: keep the letters, in order
        options = labels
        numbering, shuffle = "none", False
    fractions = _choice_fractions(len(options), set(correct),
                                  kind.option_fractions(key) if kind.credit_rules_apply else None)
    _multichoice(question, options, fractions, kind.multiple, [""] * len(options), shuffle, numbering, q.cdata)
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
    question = q.start(quiz, "essay", penalty="0")
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
    answer = _answer(question, "100", q.part.kind.format(answer_key(q.part, q.variant)), q.cdata)
    _feedback(answer, "", q.cdata)
    q.report.note(f"{q.template.id}: formula answers exported as Moodle short answer, graded as text "
                  "(only the key as written; equivalent formulas need a manual override)")
    return question


# ------------------------------------------------------------------------------- cloze (embedded answers)


def _cloze_question(quiz, q: _Question):
    """Every part as embedded answers after the stem, the grade shared out by whole-number weights."""
    template, variant = q.template, q.variant
    counts = [blank_count(p, variant) for p in template.parts]
    per_blank = [pts / n for pts, n in zip(q.points, counts) for _ in range(n)]
    weights = iter(cloze_weights(per_blank))
    body = [q.stem_html]
    for part, n in zip(template.parts, counts):
        each = [next(weights) for _ in range(n)]
        codes = _cloze_codes(template, part, variant, each, q.report)
        if not codes:
            q.report.note(f"{template.id}: part {part.label} ({part.kind.name}) has no Moodle embedded answer; "
                          "it is shown as text and must be graded by hand")
            body.append(f"<p>{label_html(part)}: <em>{html.escape(part.kind.describe())}</em></p>")
            continue
        body.append(_cloze_part_html(template, part, variant, codes))
    return q.start(quiz, "cloze", text_html="\n".join(body))


def _cloze_escape(text: str) -> str:
    """Text inside a cloze blank: Moodle's special characters escaped, then HTML-escaped."""
    text = re.sub(r'([\\}#~/"])', r"\\\1", text)
    return html.escape(text, quote=False)


def _cloze_codes(template, part, variant, weights: list, report: ExportReport) -> list:
    """The embedded-answer codes of one part (one per number of a vector, matrix or shape); none for
    a kind Moodle cannot embed."""
    choice = variant.choices.get(part.name)
    if choice:
        kind = part.kind
        options = [_cloze_escape(kind.format(kind.from_json(o))) for o in choice["options"]]
        key = LETTERS.index(choice["key"])
        body = "~".join(("=" if i == key else "") + o for i, o in enumerate(options))
        return [f"{{{weights[0]}:MULTICHOICE:{body}}}"]
    codes = _CLOZE_CODES.get(part.kind.answer_form)
    return codes(template, part, variant, weights, report) if codes else []


def _numerical_codes(template, part, variant, weights: list, report: ExportReport) -> list:
    codes = []
    for keys, w in zip(numeric_keys(part, variant), weights):
        body = "~".join(f"={number_text(v)}:{number_text(t)}" for v, t in keys)
        codes.append(f"{{{w}:NUMERICAL:{body}}}")
    return codes


def _options_codes(template, part, variant, weights: list, report: ExportReport) -> list:
    kind = part.kind
    key = answer_key(part, variant)
    labels, correct = kind.choice_options(key)
    if kind.credit_rules_apply:
        fractions = _choice_fractions(len(labels), set(correct), kind.option_fractions(key))
        body = "~".join(f"%{f}%{c}" for f, c in zip(fractions, labels))
        return [f"{{{weights[0]}:MULTIRESPONSE:{body}}}"]
    body = "~".join(("=" if i in correct else "") + c for i, c in enumerate(labels))
    return [f"{{{weights[0]}:MULTICHOICE:{body}}}"]


def _shortanswer_codes(template, part, variant, weights: list, report: ExportReport) -> list:
    report.note(f"{template.id}: formula part {part.label} is a SHORTANSWER blank; Moodle grades it "
                "as text (only the key as written, not equivalent formulas)")
    return [f"{{{weights[0]}:SHORTANSWER:={_cloze_escape(part.kind.format(answer_key(part, variant)))}}}"]


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
