"""Exporting an exam spec's questions to a learning-management system: Moodle XML and QTI.

``export_moodle`` writes one Moodle XML file: a question category per template
(``$course$/top/quizgen/<template id>``) holding ``variants`` drawn variants of
it. A one-part question becomes the matching Moodle type (numerical with the
kind's tolerance, multichoice, truefalse, essay with the rubric as grader
information, short answer for a formula); a multi-part question, or a vector,
matrix or shape answer, becomes a cloze (embedded answers) question with one
blank per number. Math is written in the TeX delimiters Moodle's MathJax filter
reads: ``\\( ... \\)`` inline and ``\\[ ... \\]`` display.

``export_qti`` writes a zip: an IMS content package of QTI 2.1 items
(``flavor="qti21"``, math as MathML, numbers scored with
``<equal toleranceMode="absolute">``) or the QTI 1.2 that Canvas imports
(``flavor="canvas"``: a quiz with one question group per template, each
drawing one of its variants; math in ``\\( ... \\)``).

Variants come from ``rng_for(sha256(seed | template id | version | k))``: the
same spec and seed give the same file, byte for byte. The templates are those
the spec's sections select (ids, topics, tags, difficulty; ``count`` and
``shuffle`` are ignored: every selected template is exported) drawn in the
section's form (typed or choice). Only the standard library's ``xml.etree`` is
used to write XML.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree as ET

from quizgen.bank.loader import load_bank
from quizgen.bank.concepts import options_stem
from quizgen.files import write_atomic
from quizgen.build.exam import part_points, section_pool
from quizgen.bank.kinds import (LETTERS, Choice, Essay, Integer, Matrix, Number, Shape, Symbolic,
    TrueFalse, Vector)
from quizgen.bank.question import Template, Variant
from quizgen.build.richtext import SLOT_RE, cut_math, put_math, render_markdown
from quizgen.bank.seeds import SEPARATOR, rng_for
from quizgen.build.spec import load_spec
from quizgen.bank.texts import render_solution, render_stem

FLAVORS = ("qti21", "canvas")
MOODLE_CATEGORY_ROOT = "$course$/top/quizgen"


@dataclass
class ExportReport:
    """What an export wrote: counts, the output file and notes worth telling the instructor."""

    format: str
    out_path: Path
    templates: int = 0
    questions: int = 0
    notes: list = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def summary(self) -> str:
        lines = [f"{self.format}: {self.questions} questions from {self.templates} templates -> {self.out_path}"]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


# ------------------------------------------------------------------------------- selection, drawing


@dataclass
class _Item:
    """One template as the spec selects it: its section's form, size and points per part."""

    template: Template
    form: str
    size: str
    points: list
    variants: list = field(default_factory=list)


def export_seed(seed: int, template_id: str, version: int, k: int) -> int:
    """The seed of the k-th exported variant of a template (no secret: exports are for an LMS's pool)."""
    message = SEPARATOR.join(str(f) for f in ("quizgen-export", int(seed), template_id, version, k))
    return int.from_bytes(hashlib.sha256(message.encode("utf-8")).digest(), "big")


def _selected(spec_path, banks, variants: int, seed: int) -> tuple:
    if int(variants) < 1:
        raise ValueError("variants must be at least 1")
    spec = load_spec(spec_path)
    bank = load_bank(tuple(spec.banks) + tuple(str(b) for b in banks))
    # every selected template is exported: count, shuffle and vary do not apply here
    sections = [dataclasses.replace(s, count=None, shuffle=False, vary=False) for s in spec.sections]
    open_spec = dataclasses.replace(spec, sections=sections)
    items, seen = [], set()
    for index, section in enumerate(sections):
        for template in section_pool(open_spec, bank, index):
            key = (template.id, section.form, section.size)
            if key in seen:
                continue
            seen.add(key)
            item = _Item(template, section.form, section.size, part_points(section, template))
            for k in range(int(variants)):
                rng = rng_for(export_seed(seed, template.id, template.version, k))
                item.variants.append(template.draw(rng, f"export:{seed}:{k}", form=section.form,
                                                   size=section.size))
            items.append(item)
    return spec, items


# ------------------------------------------------------------------------------- text and math


_PLAIN_LABEL = re.compile(r"\(?[a-z0-9]\)?|[0-9]+|[A-Za-z][a-z ]+")


def _cut_math(text: str, inline: bool) -> tuple:
    """XHTML of Markdown ``text`` (so that QTI can parse it) with its formulas as slots, and the formulas."""
    body, formulas = cut_math(text, inline)
    return render_markdown(body, inline, xhtml=True).strip(), formulas


def tex_delimited(latex: str, display: bool = False) -> str:
    """One formula in the delimiters MathJax reads, HTML-escaped."""
    body = html.escape(latex, quote=False).replace("$", "&#36;")
    return f"\\[{body}\\]" if display else f"\\({body}\\)"


def html_with_tex(text: str, inline: bool = False) -> str:
    """Markdown with ``$...$``/``$$...$$`` math to HTML with ``\\(...\\)``/``\\[...\\]`` math.

    A literal dollar sign is written ``&#36;`` so that no TeX filter mistakes it for a delimiter.
    """
    rendered, formulas = _cut_math(text, inline)
    return put_math(rendered.replace("$", "&#36;"), formulas, tex_delimited, inline)


def _plain_label(label: str) -> bool:
    return bool(_PLAIN_LABEL.fullmatch(label))


def _label_html(part) -> str:
    """A part's label as HTML: plain words escaped, anything else as inline TeX."""
    if _plain_label(part.label):
        return html.escape(part.label)
    return tex_delimited(part.label)


def _stem_and_options(template: Template, variant: Variant) -> tuple:
    """The stem and, for a conceptual choice question, its options apart (the stem without its list).

    Conceptual items append their options to the stem; an LMS shows options itself
    (and may shuffle them), so the list is cut from the stem and the options returned.
    """
    options = variant.params.get("options")
    suffix = options_stem("")
    parts = template.parts
    if (len(parts) == 1 and isinstance(parts[0].kind, Choice) and template.stem.endswith(suffix)
            and isinstance(options, list) and len(options) == parts[0].kind.n_options):
        stripped = dataclasses.replace(template, stem=template.stem[: -len(suffix)])
        return render_stem(stripped, variant), [str(o) for o in options]
    return render_stem(template, variant), None


def number_text(value) -> str:
    """A number as plain decimal text (no exponent): what every LMS parses."""
    value = float(value)
    if value == int(value) and abs(value) < 2**53:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def _key(part, variant, hand=False):
    return part.kind.from_json((variant.hand_answers if hand else variant.answers)[part.name])


def _flat(value) -> list:
    import numpy as np

    return [float(v) for v in np.ravel(np.asarray(value, dtype=float))]


def _numeric_keys(part, variant) -> list:
    """Per entry of a numeric part: ``[(key, tolerance), ...]`` with the hand key when it differs.

    The tolerance is the kind's bound at that key; an integer or shape entry is exact.
    """
    kind = part.kind
    exact = _flat(_key(part, variant))
    hand = _flat(_key(part, variant, hand=True))
    out = []
    for e, h in zip(exact, hand):
        if isinstance(kind, (Integer, Shape)):
            out.append([(e, 0.0)])
            continue
        bound = kind.tolerance.bound
        keys = [(e, bound(e))]
        if abs(h - e) > bound(e):
            keys.append((h, bound(h)))
        out.append(keys)
    return out


def _blank_count(part, variant) -> int:
    if isinstance(part.kind, (Vector, Matrix, Shape)):
        return len(_flat(_key(part, variant))) if not isinstance(part.kind, Shape) \
            else len(_key(part, variant))
    return 1


def _weights(points: list) -> list:
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


def _mistake_text(template: Template, name: str | None) -> str:
    if not name:
        return ""
    return template.mistakes.get(name, name)


# ------------------------------------------------------------------------------- XML writing


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


def _xml_bytes(root, cdata: _CData | None = None) -> bytes:
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode")
    if cdata is not None:
        text = cdata.finish(text)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


# ------------------------------------------------------------------------------- Moodle XML


def _moodle_text(parent, tag, content: str, cdata: _CData, fmt: str = "html"):
    element = _sub(parent, tag, format=fmt)
    _sub(element, "text", cdata(content) if content else "")
    return element


def _moodle_common(question, name: str, text: str, solution: str, grade: float, cdata: _CData,
                   penalty: str = "0.3333333"):
    _sub(_sub(question, "name"), "text", name)
    _moodle_text(question, "questiontext", text, cdata)
    _moodle_text(question, "generalfeedback", solution, cdata)
    _sub(question, "defaultgrade", _pts(grade))
    _sub(question, "penalty", penalty)
    _sub(question, "hidden", "0")


def _moodle_answer(question, fraction, text, feedback: str, cdata: _CData, fmt: str | None = None):
    attrs = {"fraction": fraction} | ({"format": fmt} if fmt else {})
    answer = _sub(question, "answer", **attrs)
    _sub(answer, "text", cdata(text) if fmt == "html" else text)
    return answer


def _moodle_feedback(answer, feedback: str, cdata: _CData):
    _moodle_text(answer, "feedback", feedback, cdata)


def _moodle_numerical(question, template, part, variant, cdata):
    for (value, tolerance) in _numeric_keys(part, variant)[0]:
        answer = _moodle_answer(question, "100", number_text(value), "", cdata)
        _sub(answer, "tolerance", number_text(tolerance))
        _moodle_feedback(answer, "", cdata)
    if not isinstance(part.kind, Integer):
        # named mistakes as wrong answers: Moodle tells the student which mistake it was
        for name, answers in variant.mistakes.items():
            if part.name in answers:
                value = float(answers[part.name])
                answer = _moodle_answer(question, "0", number_text(value), "", cdata)
                _sub(answer, "tolerance", number_text(part.kind.tolerance.bound(value)))
                _moodle_feedback(answer, html_with_tex(_mistake_text(template, name), inline=True), cdata)
    _sub(question, "unitgradingtype", "0")
    _sub(question, "unitpenalty", "0.1000000")
    _sub(question, "showunits", "3")
    _sub(question, "unitsleft", "0")


def _choice_fractions(n: int, correct: set, multiple: bool) -> list:
    if not multiple:
        return ["100" if i in correct else "0" for i in range(n)]
    wrong = n - len(correct)
    return [_fraction(100 / len(correct)) if i in correct else _fraction(-100 / wrong) if wrong else "0"
            for i in range(n)]


def _moodle_multichoice(question, options_html: list, correct: set, multiple: bool, feedbacks: list,
                        shuffle: bool, numbering: str, cdata):
    _sub(question, "single", "false" if multiple else "true")
    _sub(question, "shuffleanswers", "1" if shuffle else "0")
    _sub(question, "answernumbering", numbering)
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _moodle_text(question, tag, "", cdata)
    for option, fraction, feedback in zip(options_html, _choice_fractions(len(options_html), correct, multiple),
                                          feedbacks):
        answer = _moodle_answer(question, fraction, option, "", cdata, fmt="html")
        _moodle_feedback(answer, feedback, cdata)


def _cloze_escape(text: str) -> str:
    """Text inside a cloze blank: Moodle's special characters escaped, then HTML-escaped."""
    text = re.sub(r'([\\}#~/"])', r"\\\1", text)
    return html.escape(text, quote=False)


def _cloze_blanks(template, part, variant, weight_each: list, report: ExportReport) -> list:
    """The embedded-answer codes of one part (several for a vector, matrix or shape)."""
    kind = part.kind
    choice = variant.choices.get(part.name)
    if choice:
        options = [_cloze_escape(kind.format(kind.from_json(o))) for o in choice["options"]]
        key = LETTERS.index(choice["key"])
        body = "~".join(("=" if i == key else "") + o for i, o in enumerate(options))
        return [f"{{{weight_each[0]}:MULTICHOICE:{body}}}"]
    if kind.numeric or isinstance(kind, Shape):
        codes = []
        for keys, w in zip(_numeric_keys(part, variant), weight_each):
            body = "~".join(f"={number_text(v)}:{number_text(t)}" for v, t in keys)
            codes.append(f"{{{w}:NUMERICAL:{body}}}")
        return codes
    if isinstance(kind, Choice):
        key = set(_key(part, variant))
        letters = LETTERS[: kind.n_options]
        if kind.multiple:
            fractions = _choice_fractions(len(letters), {i for i, c in enumerate(letters) if c in key}, True)
            body = "~".join(f"%{f}%{c}" for f, c in zip(fractions, letters))
            return [f"{{{weight_each[0]}:MULTIRESPONSE:{body}}}"]
        body = "~".join(("=" if c in key else "") + c for c in letters)
        return [f"{{{weight_each[0]}:MULTICHOICE:{body}}}"]
    if isinstance(kind, TrueFalse):
        truth = bool(_key(part, variant))
        return [f"{{{weight_each[0]}:MULTICHOICE:{'=' if truth else ''}True~{'' if truth else '='}False}}"]
    if isinstance(kind, Symbolic):
        report.note(f"{template.id}: formula part {part.label} is a SHORTANSWER blank; Moodle grades it "
                    "as text (only the key as written, not equivalent formulas)")
        return [f"{{{weight_each[0]}:SHORTANSWER:={_cloze_escape(kind.format(_key(part, variant)))}}}"]
    return []


def _cloze_part_html(template, part, variant, codes: list) -> str:
    kind = part.kind
    if variant.choices.get(part.name) or len(codes) == 1:
        blanks = codes[0]
    elif isinstance(kind, Matrix):
        rows, cols = _shape2(_key(part, variant))
        cells = "".join("<tr>" + "".join(f"<td>{codes[r * cols + c]}</td>" for c in range(cols)) + "</tr>"
                        for r in range(rows))
        blanks = f'<table class="quizgen-matrix">{cells}</table>'
    elif isinstance(kind, Shape):
        blanks = "(" + " &times; ".join(codes) + ")"
    else:
        blanks = "[" + ", ".join(codes) + "]"
    label = _label_html(part)
    prompt = html_with_tex(part.prompt, inline=True) + " " if part.prompt else ""
    joiner = ": " if _plain_label(part.label) else " = "
    return f"<p>{prompt}{label}{joiner}{blanks}</p>" if len(template.parts) > 1 or prompt \
        else f"<p>{blanks}</p>"


def _shape2(value) -> tuple:
    import numpy as np

    arr = np.asarray(value, dtype=float)
    return (arr.shape[0], arr.shape[1]) if arr.ndim == 2 else (1, arr.size)


def _moodle_cloze(question, template, variant, points, stem_html, solution_html, name, cdata, report):
    counts = [_blank_count(p, variant) if not variant.choices.get(p.name) else 1 for p in template.parts]
    per_blank = [pts / n for pts, n in zip(points, counts) for _ in range(n)]
    weights = iter(_weights(per_blank))
    body = [stem_html]
    for part, n in zip(template.parts, counts):
        each = [next(weights) for _ in range(n)]
        codes = _cloze_blanks(template, part, variant, each, report)
        if not codes:
            report.note(f"{template.id}: part {part.label} ({part.kind.name}) has no Moodle embedded answer; "
                        "it is shown as text and must be graded by hand")
            body.append(f"<p>{_label_html(part)}: <em>{html.escape(part.kind.describe())}</em></p>")
            continue
        body.append(_cloze_part_html(template, part, variant, codes))
    _moodle_common(question, name, "\n".join(body), solution_html, sum(points), cdata)


def _moodle_question(quiz, item: _Item, k: int, variant: Variant, cdata: _CData, report: ExportReport):
    template, points = item.template, item.points
    stem, options = _stem_and_options(template, variant)
    stem_html = html_with_tex(stem)
    solution_html = html_with_tex(render_solution(template, variant))
    name = f"{template.title} [{template.id} #{k + 1}]"
    parts = template.parts
    part = parts[0]
    kind = part.kind
    choice = variant.choices.get(part.name)
    single = len(parts) == 1
    grade = sum(points)
    if single and choice:
        question = _sub(quiz, "question", type="multichoice")
        _moodle_common(question, name, stem_html, solution_html, grade, cdata)
        opts = [tex_delimited(kind.tex(kind.from_json(o))) for o in choice["options"]]
        feedback = [html_with_tex(_mistake_text(template, m), inline=True) for m in choice["mistakes"]]
        _moodle_multichoice(question, opts, {LETTERS.index(choice["key"])}, False, feedback, True, "abc",
                            cdata)
    elif single and isinstance(kind, (Number, Integer)):
        question = _sub(quiz, "question", type="numerical")
        _moodle_common(question, name, stem_html, solution_html, grade, cdata, penalty="0.3333333")
        _moodle_numerical(question, template, part, variant, cdata)
    elif single and isinstance(kind, Choice):
        question = _sub(quiz, "question", type="multichoice")
        _moodle_common(question, name, stem_html, solution_html, grade, cdata)
        key = _key(part, variant)
        correct = {LETTERS.index(c) for c in key}
        if options is not None:
            opts = [html_with_tex(o, inline=True) for o in options]
            numbering, shuffle = "ABCD", True
        else:  # the options are lettered in the stem itself: keep the letters, in order
            opts = [LETTERS[i] for i in range(kind.n_options)]
            numbering, shuffle = "none", False
        _moodle_multichoice(question, opts, correct, kind.multiple, [""] * len(opts), shuffle, numbering, cdata)
    elif single and isinstance(kind, TrueFalse):
        question = _sub(quiz, "question", type="truefalse")
        _moodle_common(question, name, stem_html, solution_html, grade, cdata, penalty="1")
        truth = bool(_key(part, variant))
        for word, right in (("true", truth), ("false", not truth)):
            answer = _moodle_answer(question, "100" if right else "0", word, "", cdata, fmt="moodle_auto_format")
            _moodle_feedback(answer, "", cdata)
    elif single and isinstance(kind, Essay):
        question = _sub(quiz, "question", type="essay")
        _moodle_common(question, name, stem_html, solution_html, grade, cdata, penalty="0")
        _sub(question, "responseformat", "editor")
        _sub(question, "responserequired", "1")
        _sub(question, "responsefieldlines", str(max(5, int(kind.lines))))
        _sub(question, "attachments", "0")
        _sub(question, "attachmentsrequired", "0")
        rubric = "<p>Marking points:</p>\n<ul>\n" + "\n".join(
            f"<li>{html_with_tex(r, inline=True)}</li>" for r in kind.rubric) + "\n</ul>" if kind.rubric else ""
        _moodle_text(question, "graderinfo", rubric, cdata)
        _moodle_text(question, "responsetemplate", "", cdata)
    elif single and isinstance(kind, Symbolic):
        # Moodle has no formula answer type: a short answer holding the key, graded as text
        # (an equivalent formula written differently is marked wrong and needs a manual override)
        quiz.append(ET.Comment(f" {template.id}: formula answer exported as shortanswer, graded as text "))
        question = _sub(quiz, "question", type="shortanswer")
        _moodle_common(question, name, stem_html, solution_html, grade, cdata)
        _sub(question, "usecase", "0")
        answer = _moodle_answer(question, "100", kind.format(_key(part, variant)), "", cdata)
        _moodle_feedback(answer, "", cdata)
        report.note(f"{template.id}: formula answers exported as Moodle short answer, graded as text "
                    "(only the key as written; equivalent formulas need a manual override)")
    else:
        question = _sub(quiz, "question", type="cloze")
        _moodle_cloze(question, template, variant, points, stem_html, solution_html, name, cdata, report)
    return question


def moodle_xml(items: list, report: ExportReport) -> bytes:
    """The Moodle XML text of the drawn items (deterministic)."""
    cdata = _CData()
    quiz = ET.Element("quiz")
    for item in items:
        template = item.template
        quiz.append(ET.Comment(f" quizgen {template.id} v{template.version}, form {item.form} "))
        category = _sub(quiz, "question", type="category")
        _sub(_sub(category, "category"), "text", f"{MOODLE_CATEGORY_ROOT}/{template.id}")
        _moodle_text(category, "info", html.escape(template.title), cdata)
        for k, variant in enumerate(item.variants):
            _moodle_question(quiz, item, k, variant, cdata, report)
            report.questions += 1
        report.templates += 1
    return _xml_bytes(quiz, cdata)


def export_moodle(spec_path, variants: int, out_path, banks=(), seed: int = 0) -> ExportReport:
    """Write ``variants`` variants of every template the spec selects as one Moodle XML file."""
    _, items = _selected(spec_path, banks, variants, seed)
    report = ExportReport("moodle", Path(out_path))
    data = moodle_xml(items, report)
    write_atomic(out_path, data)
    return report


# ------------------------------------------------------------------------------- QTI 2.1


QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
QTI12_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI12_XSD = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"

_Q = "{" + QTI_NS + "}"
# the XHTML attributes QTI 2.1 keeps; others (markdown's style="text-align") are dropped
_QTI_ATTRS = {"a": {"href"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
              "th": {"colspan", "rowspan"}, "code": {"class"}}


def _identifier(text: str) -> str:
    ident = re.sub(r"[^A-Za-z0-9._-]", "_", text)
    return ident if re.match(r"[A-Za-z_]", ident) else "I" + ident


def _qti_flow(text: str, inline: bool = False) -> list:
    """Markdown text as QTI 2.1 flow elements (XHTML in the QTI namespace, math as MathML)."""
    from quizgen.build.mathrender import to_mathml

    rendered, formulas = _cut_math(text, inline)
    root = ET.fromstring(f"<div>{rendered}</div>")

    def math_element(index: int, inline_only: bool):
        latex, display = formulas[index]
        return ET.fromstring(to_mathml(latex, display and not inline_only))

    def convert(element, parent_inline: bool):
        out = ET.Element(_Q + element.tag, {k: v for k, v in element.attrib.items()
                                           if k in _QTI_ATTRS.get(element.tag, ())})
        _fill_text(out, element.text, lambda i: math_element(i, parent_inline))
        for child in element:
            converted = convert(child, parent_inline or child.tag not in ("div", "blockquote", "li"))
            out.append(converted)
            _fill_tail(out, converted, child.tail, lambda i: math_element(i, True))
        return out

    wrapper = convert(root, inline)
    if inline:
        return [wrapper]  # the caller unwraps it into its own inline container
    # a display formula alone in a paragraph stands as a block of its own
    blocks = []
    if wrapper.text and wrapper.text.strip():
        paragraph = ET.Element(_Q + "p")
        paragraph.text = wrapper.text.strip()
        blocks.append(paragraph)
    for child in wrapper:
        child.tail = None
        blocks.append(child)
    return blocks


def _fill_text(element, text, make_math):
    """Set element.text, turning math slots into MathML children."""
    if not text:
        element.text = text
        return
    pieces = SLOT_RE.split(text)
    element.text = pieces[0]
    last = None
    for index in range(1, len(pieces), 2):
        last = make_math(int(pieces[index]))
        element.append(last)
        last.tail = pieces[index + 1]


def _fill_tail(parent, child, tail, make_math):
    if not tail:
        child.tail = tail
        return
    pieces = SLOT_RE.split(tail)
    child.tail = pieces[0]
    for index in range(1, len(pieces), 2):
        math_el = make_math(int(pieces[index]))
        parent.append(math_el)
        math_el.tail = pieces[index + 1]


def _qti_inline(parent, text: str):
    """Append ``text`` (Markdown, inline) into ``parent`` as inline QTI content."""
    wrapper = _qti_flow(text, inline=True)[0]
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + (wrapper.text or "")
    else:
        parent.text = (parent.text or "") + (wrapper.text or "")
    for child in list(wrapper):
        parent.append(child)


def _math_inline(parent, latex: str):
    from quizgen.build.mathrender import to_mathml

    parent.append(ET.fromstring(to_mathml(latex, False)))


class _QtiItem:
    def __init__(self, identifier: str, title: str):
        self.root = ET.Element(_Q + "assessmentItem", {
            "identifier": identifier, "title": title, "adaptive": "false", "timeDependent": "false",
            "{" + XSI_NS + "}schemaLocation": f"{QTI_NS} {QTI_XSD}"})
        self.declarations = []
        self.body = ET.Element(_Q + "itemBody")
        self.rules = []          # responseCondition elements adding to SCORE
        self.max_score = 0.0
        self.count = 0

    def response(self, cardinality: str, base_type: str, correct: list | None) -> str:
        self.count += 1
        ident = f"RESPONSE_{self.count}"
        decl = ET.Element(_Q + "responseDeclaration", identifier=ident, cardinality=cardinality,
                          baseType=base_type)
        if correct:
            values = ET.SubElement(decl, _Q + "correctResponse")
            for v in correct:
                ET.SubElement(values, _Q + "value").text = str(v)
        self.declarations.append(decl)
        return ident

    def score_if(self, condition, weight: float):
        rule = ET.Element(_Q + "responseCondition")
        then = ET.SubElement(rule, _Q + "responseIf")
        then.append(condition)
        setter = ET.SubElement(then, _Q + "setOutcomeValue", identifier="SCORE")
        total = ET.SubElement(setter, _Q + "sum")
        ET.SubElement(total, _Q + "variable", identifier="SCORE")
        ET.SubElement(total, _Q + "baseValue", baseType="float").text = number_text(weight)
        self.rules.append(rule)
        self.max_score += weight

    def finish(self, solution: list) -> bytes:
        root = self.root
        for decl in self.declarations:
            root.append(decl)
        for ident, default in (("SCORE", 0.0), ("MAXSCORE", self.max_score)):
            outcome = ET.SubElement(root, _Q + "outcomeDeclaration", identifier=ident, cardinality="single",
                                    baseType="float")
            ET.SubElement(ET.SubElement(outcome, _Q + "defaultValue"), _Q + "value").text = number_text(default)
        ET.SubElement(root, _Q + "outcomeDeclaration", identifier="FEEDBACK", cardinality="multiple",
                      baseType="identifier")
        root.append(self.body)
        processing = ET.SubElement(root, _Q + "responseProcessing")
        for rule in self.rules:
            processing.append(rule)
        show = ET.SubElement(processing, _Q + "setOutcomeValue", identifier="FEEDBACK")
        multiple = ET.SubElement(show, _Q + "multiple")
        ET.SubElement(multiple, _Q + "baseValue", baseType="identifier").text = "SOLUTION"
        if solution:
            feedback = ET.SubElement(root, _Q + "modalFeedback", outcomeIdentifier="FEEDBACK",
                                     showHide="show", identifier="SOLUTION", title="Worked solution")
            for block in solution:
                feedback.append(block)
        ET.register_namespace("", QTI_NS)
        ET.register_namespace("m", MATHML_NS)
        ET.register_namespace("xsi", XSI_NS)
        return _xml_bytes(root)


def _q(tag, attrs=None, text=None):
    element = ET.Element(_Q + tag, {k: str(v) for k, v in (attrs or {}).items()})
    if text is not None:
        element.text = str(text)
    return element


def _tolerant_equal(ident: str, keys: list, base_type: str):
    """A condition true when the response is within tolerance of any key (QTI's equal, absolute mode)."""
    tests = []
    for value, tolerance in keys:
        if base_type == "integer" or tolerance == 0:
            test = _q("match")
            test.append(_q("variable", {"identifier": ident}))
            test.append(_q("baseValue", {"baseType": base_type}, number_text(value)))
        else:
            t = number_text(tolerance)
            test = _q("equal", {"toleranceMode": "absolute", "tolerance": f"{t} {t}"})
            test.append(_q("variable", {"identifier": ident}))
            test.append(_q("baseValue", {"baseType": "float"}, number_text(value)))
        tests.append(test)
    if len(tests) == 1:
        return tests[0]
    either = _q("or")
    for test in tests:
        either.append(test)
    return either


def _qti_text_entry(item: _QtiItem, container, keys: list, base_type: str, weight: float, length: int):
    ident = item.response("single", base_type, [number_text(keys[0][0])])
    container.append(_q("textEntryInteraction", {"responseIdentifier": ident, "expectedLength": length}))
    item.score_if(_tolerant_equal(ident, keys, base_type), weight)


def _qti_choice(item: _QtiItem, options: list, correct: list, multiple: bool, shuffle: bool, weight: float,
                prompt: str | None = None, ids: list | None = None):
    """``options``: callables filling a simpleChoice, or inline Markdown strings."""
    ids = ids or [LETTERS[i] for i in range(len(options))]
    ident = item.response("multiple" if multiple else "single", "identifier", [ids[i] for i in correct])
    interaction = _q("choiceInteraction", {"responseIdentifier": ident, "shuffle": str(shuffle).lower(),
                                           "maxChoices": 0 if multiple else 1})
    if prompt:
        p = _q("prompt")
        _qti_inline(p, prompt)
        interaction.append(p)
    for ident_i, option in zip(ids, options):
        simple = _q("simpleChoice", {"identifier": ident_i})
        if callable(option):
            option(simple)
        else:
            _qti_inline(simple, option)
        interaction.append(simple)
    item.body.append(interaction)
    condition = _q("match")
    condition.append(_q("variable", {"identifier": ident}))
    condition.append(_q("correct", {"identifier": ident}))
    item.score_if(condition, weight)


def _qti_label(container, part):
    if _plain_label(part.label):
        container.text = (container.text or "") + part.label + ": "
    else:
        _math_inline(container, part.label)
        container[-1].tail = " = "


def qti21_item(item_data: _Item, k: int, variant: Variant, report: ExportReport) -> tuple:
    """(identifier, XML bytes) of one QTI 2.1 assessmentItem."""
    template, points = item_data.template, item_data.points
    identifier = _identifier(f"{template.id}-v{k + 1:03d}")
    item = _QtiItem(identifier, f"{template.title} ({template.id} #{k + 1})")
    stem, options = _stem_and_options(template, variant)
    for block in _qti_flow(stem):
        item.body.append(block)
    several = len(template.parts) > 1
    for part, pts in zip(template.parts, points):
        kind = part.kind
        choice = variant.choices.get(part.name)
        prompt = None
        if several or part.prompt:
            prompt = ((part.prompt + " ") if part.prompt else "") + (
                part.label if _plain_label(part.label) else f"${part.label}$")
        if choice:
            opts = [functools.partial(lambda el, latex: _math_inline(el, latex), latex=kind.tex(kind.from_json(o)))
                    for o in choice["options"]]
            _qti_choice(item, opts, [LETTERS.index(choice["key"])], False, False, pts, prompt)
        elif isinstance(kind, Choice):
            key = _key(part, variant)
            correct = [LETTERS.index(c) for c in sorted(key)]
            if options is not None:
                _qti_choice(item, options, correct, kind.multiple, True, pts, prompt)
            else:
                _qti_choice(item, list(LETTERS[: kind.n_options]), correct, kind.multiple, False, pts, prompt)
        elif isinstance(kind, TrueFalse):
            truth = bool(_key(part, variant))
            _qti_choice(item, ["True", "False"], [0 if truth else 1], False, False, pts, prompt,
                        ids=["TRUE", "FALSE"])
        elif isinstance(kind, Essay):
            ident = item.response("single", "string", None)
            interaction = _q("extendedTextInteraction", {"responseIdentifier": ident,
                                                         "expectedLines": max(5, int(kind.lines))})
            if prompt:
                p = _q("prompt")
                _qti_inline(p, prompt)
                interaction.append(p)
            item.body.append(interaction)
            if kind.rubric:
                rubric = _q("rubricBlock", {"view": "scorer"})
                rubric.append(_q("p", text="Marking points:"))
                listing = _q("ul")
                for point in kind.rubric:
                    li = _q("li")
                    _qti_inline(li, point)
                    listing.append(li)
                rubric.append(listing)
                item.body.append(rubric)
            item.max_score += pts
            report.note("essay items are scored by hand (no response processing; the rubric is a "
                        "scorer-only rubricBlock)")
        elif isinstance(kind, Symbolic):
            ident = item.response("single", "string", [kind.format(_key(part, variant))])
            paragraph = _q("p")
            if prompt:
                _qti_inline(paragraph, prompt + " = ")
            paragraph.append(_q("textEntryInteraction", {"responseIdentifier": ident, "expectedLength": 30}))
            item.body.append(paragraph)
            condition = _q("stringMatch", {"caseSensitive": "false"})
            condition.append(_q("variable", {"identifier": ident}))
            condition.append(_q("correct", {"identifier": ident}))
            item.score_if(condition, pts)
            report.note(f"{template.id}: formula answers are matched as text in QTI")
        else:  # numbers, integers, vectors, matrices, shapes: a text entry per number
            keys = _numeric_keys(part, variant)
            base = "integer" if isinstance(kind, (Integer, Shape)) else "float"
            each = pts / len(keys)
            if isinstance(kind, Matrix):
                rows, cols = _shape2(_key(part, variant))
                if prompt:
                    p = _q("p")
                    _qti_inline(p, prompt)
                    item.body.append(p)
                table = _q("table")
                body = ET.SubElement(table, _Q + "tbody")
                for r in range(rows):
                    tr = ET.SubElement(body, _Q + "tr")
                    for c in range(cols):
                        td = ET.SubElement(tr, _Q + "td")
                        _qti_text_entry(item, td, keys[r * cols + c], base, each, 10)
                item.body.append(table)
                continue
            paragraph = _q("p")
            if prompt:
                _qti_inline(paragraph, prompt + (" = " if not _plain_label(part.label) else ": "))
            sep = {"Shape": " × ", "Vector": ", "}.get(type(kind).__name__, ", ")
            opener, closer = (("(", ")") if isinstance(kind, Shape) else ("[", "]")) if len(keys) > 1 else ("", "")
            _append_text(paragraph, opener)
            for i, entry in enumerate(keys):
                if i:
                    _append_text(paragraph, sep)
                _qti_text_entry(item, paragraph, entry, base, each, 10)
            _append_text(paragraph, closer)
            item.body.append(paragraph)
    solution = _qti_flow(render_solution(template, variant))
    return identifier, item.finish(solution)


def _append_text(element, text: str):
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _manifest(identifier: str, title: str, resources: list, resource_type: str) -> bytes:
    """An IMS CP 1.1 manifest; ``resources``: (identifier, href, [files])."""
    ET.register_namespace("", CP_NS)
    ET.register_namespace("xsi", XSI_NS)
    c = "{" + CP_NS + "}"
    root = ET.Element(c + "manifest", {"identifier": identifier,
                                        "{" + XSI_NS + "}schemaLocation": f"{CP_NS} {CP_XSD}"})
    metadata = ET.SubElement(root, c + "metadata")
    ET.SubElement(metadata, c + "schema").text = "QTIv2.1 Package" if resource_type.endswith("v2p1") \
        else "IMS Content"
    ET.SubElement(metadata, c + "schemaversion").text = "1.0.0" if resource_type.endswith("v2p1") else "1.1.3"
    ET.SubElement(root, c + "organizations")
    listing = ET.SubElement(root, c + "resources")
    for ident, href, files in resources:
        resource = ET.SubElement(listing, c + "resource", identifier=ident, type=resource_type, href=href)
        for f in files:
            ET.SubElement(resource, c + "file", href=f)
    return _xml_bytes(root)


def _zip(files: list) -> bytes:
    """A zip of ``(name, bytes)`` with fixed dates and order: the same content is the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def qti21_package(spec, items: list, report: ExportReport) -> bytes:
    files, resources = [], []
    for item in items:
        for k, variant in enumerate(item.variants):
            identifier, data = qti21_item(item, k, variant, report)
            href = f"items/{identifier}.xml"
            files.append((href, data))
            resources.append((identifier, href, [href]))
            report.questions += 1
        report.templates += 1
    manifest = _manifest(_identifier(f"MANIFEST-{spec.exam_id}"), spec.title, resources, "imsqti_item_xmlv2p1")
    return _zip([("imsmanifest.xml", manifest)] + files)


# ------------------------------------------------------------------------------- Canvas (QTI 1.2)


_C = "{" + QTI12_NS + "}"


def _c(parent, tag, text=None, **attrs):
    element = ET.SubElement(parent, _C + tag, {k.rstrip("_"): str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def _c_meta(parent, fields: list):
    meta = _c(parent, "qtimetadata")
    for label, entry in fields:
        field_el = _c(meta, "qtimetadatafield")
        _c(field_el, "fieldlabel", label)
        _c(field_el, "fieldentry", entry)


def _c_material(parent, html_text: str):
    _c(_c(parent, "material"), "mattext", html_text, texttype="text/html")


def _c_range(parent, ident: str, value: float, tolerance: float):
    either = _c(parent, "or")
    _c(either, "varequal", number_text(value), respident=ident)
    both = _c(either, "and")
    _c(both, "vargte", number_text(value - tolerance), respident=ident)
    _c(both, "varlte", number_text(value + tolerance), respident=ident)


def _c_outcomes(processing):
    _c(_c(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")


def _c_general_feedback(processing):
    rule = _c(processing, "respcondition", continue_="Yes")
    _c(_c(rule, "conditionvar"), "other")
    _c(rule, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")


def canvas_item(section, item_data: _Item, k: int, variant: Variant, report: ExportReport):
    template, points = item_data.template, item_data.points
    stem, options = _stem_and_options(template, variant)
    stem_html = html_with_tex(stem)
    solution_html = html_with_tex(render_solution(template, variant))
    parts = template.parts
    part, kind = parts[0], parts[0].kind
    choice = variant.choices.get(part.name)
    single = len(parts) == 1
    ident = _identifier(f"{template.id}-v{k + 1:03d}")
    item = _c(section, "item", ident=ident, title=f"{template.title} ({template.id} #{k + 1})")
    metadata = _c(item, "itemmetadata")

    if single and choice:
        qtype = "multiple_choice_question"
        labels = [tex_delimited(kind.tex(kind.from_json(o))) for o in choice["options"]]
        correct = {LETTERS.index(choice["key"])}
    elif single and isinstance(kind, Choice):
        qtype = "multiple_answers_question" if kind.multiple else "multiple_choice_question"
        labels = [html_with_tex(o, inline=True) for o in options] if options is not None \
            else list(LETTERS[: kind.n_options])
        correct = {LETTERS.index(c) for c in _key(part, variant)}
    elif single and isinstance(kind, TrueFalse):
        qtype = "true_false_question"
        labels, correct = ["True", "False"], {0 if bool(_key(part, variant)) else 1}
    elif single and isinstance(kind, Essay):
        qtype = "essay_question"
    elif single and isinstance(kind, (Number, Integer)):
        qtype = "numerical_question"
    else:
        qtype = "fill_in_multiple_blanks_question"
    _c_meta(metadata, [("question_type", qtype), ("points_possible", number_text(round(sum(points), 4)))])

    presentation = _c(item, "presentation")
    if qtype in ("multiple_choice_question", "multiple_answers_question", "true_false_question"):
        _c_material(presentation, stem_html)
        multiple = qtype == "multiple_answers_question"
        lid = _c(presentation, "response_lid", ident="response1", rcardinality="Multiple" if multiple else "Single")
        render = _c(lid, "render_choice")
        label_ids = [f"{ident}-{LETTERS[i]}" for i in range(len(labels))]
        for label_id, label in zip(label_ids, labels):
            _c_material(_c(render, "response_label", ident=label_id), label)
        processing = _c(item, "resprocessing")
        _c_outcomes(processing)
        _c_general_feedback(processing)
        rule = _c(processing, "respcondition", continue_="No")
        condition = _c(rule, "conditionvar")
        if multiple:
            both = _c(condition, "and")
            for i, label_id in enumerate(label_ids):
                if i in correct:
                    _c(both, "varequal", label_id, respident="response1")
                else:
                    _c(_c(both, "not"), "varequal", label_id, respident="response1")
        else:
            _c(condition, "varequal", label_ids[next(iter(correct))], respident="response1")
        _c(rule, "setvar", "100", action="Set", varname="SCORE")
    elif qtype == "essay_question":
        _c_material(presentation, stem_html)
        response = _c(presentation, "response_str", ident="response1", rcardinality="Single")
        _c(_c(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
        processing = _c(item, "resprocessing")
        _c_outcomes(processing)
        _c_general_feedback(processing)
        rule = _c(processing, "respcondition", continue_="No")
        _c(_c(rule, "conditionvar"), "other")
        report.note("Canvas essay questions: the marking points are in the general feedback (Canvas QTI has "
                    "no grader-only field)")
    elif qtype == "numerical_question":
        _c_material(presentation, stem_html)
        response = _c(presentation, "response_str", ident="response1", rcardinality="Single")
        _c(_c(response, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
        processing = _c(item, "resprocessing")
        _c_outcomes(processing)
        _c_general_feedback(processing)
        for value, tolerance in _numeric_keys(part, variant)[0]:
            rule = _c(processing, "respcondition", continue_="No")
            condition = _c(rule, "conditionvar")
            if tolerance:
                _c_range(condition, "response1", value, tolerance)
            else:
                _c(condition, "varequal", number_text(value), respident="response1")
            _c(rule, "setvar", "100", action="Set", varname="SCORE")
    else:
        blanks = []  # (name, [accepted texts], weight)
        lines = [stem_html]
        counts = [1 if variant.choices.get(p.name) else _blank_count(p, variant) for p in parts]
        per_blank = [pts / n for pts, n in zip(points, counts) for _ in range(n)]
        total = sum(per_blank) or 1.0
        weights = iter(per_blank)
        for p, n in zip(parts, counts):
            texts = _blank_texts(p, variant, report, template)
            if texts is None:
                report.note(f"{template.id}: part {p.label} ({p.kind.name}) cannot be a Canvas blank; "
                            "it is shown as text and must be graded by hand")
                lines.append(f"<p>{_label_html(p)}: <em>{html.escape(p.kind.describe())}</em></p>")
                for _ in range(n):
                    next(weights)
                continue
            names = []
            for accepted in texts:
                name = f"blank{len(blanks) + 1}"
                names.append(f"[{name}]")
                blanks.append((name, accepted, next(weights)))
            shown = names[0] if len(names) == 1 else ("(" + " &times; ".join(names) + ")"
                                                      if isinstance(p.kind, Shape) else "[" + ", ".join(names) + "]")
            joiner = ": " if _plain_label(p.label) else " = "
            lines.append(f"<p>{_label_html(p)}{joiner}{shown}</p>")
        _c_material(presentation, "\n".join(lines))
        for name, accepted, _ in blanks:
            lid = _c(presentation, "response_lid", ident=f"response_{name}")
            _c(_c(lid, "material"), "mattext", name)
            render = _c(lid, "render_choice")
            for j, text in enumerate(accepted):
                _c_material(_c(render, "response_label", ident=f"{ident}-{name}-{j + 1}"), text)
        processing = _c(item, "resprocessing")
        _c_outcomes(processing)
        _c_general_feedback(processing)
        for name, accepted, weight in blanks:
            rule = _c(processing, "respcondition", continue_="No")
            condition = _c(rule, "conditionvar")
            if len(accepted) == 1:
                _c(condition, "varequal", f"{ident}-{name}-1", respident=f"response_{name}")
            else:
                either = _c(condition, "or")
                for j in range(len(accepted)):
                    _c(either, "varequal", f"{ident}-{name}-{j + 1}", respident=f"response_{name}")
            _c(rule, "setvar", number_text(round(100 * weight / total, 4)), action="Add", varname="SCORE")
        report.note("Canvas fill-in-multiple-blanks compares text, not numbers: each blank accepts the key "
                    "written as the question asks (rounded), and the hand-calculation key where it differs")
    feedback = _c(item, "itemfeedback", ident="general_fb")
    _c_material(_c(feedback, "flow_mat"), solution_html)
    return item


def _blank_texts(part, variant, report, template) -> list | None:
    """For each Canvas blank of a part, the texts it accepts (None: no blank possible)."""
    kind = part.kind
    choice = variant.choices.get(part.name)
    if choice:
        return [[choice["key"], choice["key"].lower()]]
    if isinstance(kind, Choice):
        key = "".join(sorted(_key(part, variant)))
        accepted = [key] if len(key) == 1 else [key, ", ".join(key), ",".join(key), " ".join(key)]
        return [accepted]
    if isinstance(kind, TrueFalse):
        return [["True", "T", "true"] if bool(_key(part, variant)) else ["False", "F", "false"]]
    if isinstance(kind, Symbolic):
        report.note(f"{template.id}: formula answers are matched as text in Canvas")
        return [[kind.format(_key(part, variant))]]
    if isinstance(kind, Essay):
        return None
    exact = _flat(_key(part, variant))
    hand = _flat(_key(part, variant, hand=True))
    if isinstance(kind, (Integer, Shape)):
        return [[str(int(v))] for v in exact]
    decimals = getattr(kind, "decimals", None)
    if decimals is not None:
        report.note("Canvas blanks are matched as text: a number is right when written with the stem's "
                    "decimals and within the tolerance (each such spelling is accepted)")
    out = []
    for e, h in zip(exact, hand):
        texts = []
        for v in (e, h):
            # Canvas compares text, quizgen numbers: accept every rounding at the stem's decimals
            # that quizgen would grade right (one unit either way, for the default tolerance)
            steps = range(-3, 4) if decimals is not None else (0,)
            for k in steps:
                candidate = v + k * 10.0 ** -decimals if decimals is not None else v
                t = f"{candidate:.{decimals}f}" if decimals is not None else f"{candidate:g}"
                if t.startswith("-") and float(t) == 0:
                    t = t[1:]
                if t not in texts and (kind.tolerance.close(float(t), e) or kind.tolerance.close(float(t), h)):
                    texts.append(t)
        out.append(texts or [f"{e:.{decimals}f}" if decimals is not None else f"{e:g}"])
    return out


def canvas_qti(spec, items: list, report: ExportReport) -> tuple:
    """(identifier, QTI 1.2 bytes): one quiz with a question group per template (one variant each)."""
    ET.register_namespace("", QTI12_NS)
    ET.register_namespace("xsi", XSI_NS)
    identifier = _identifier(f"quizgen-{spec.exam_id}")
    root = ET.Element(_C + "questestinterop", {"{" + XSI_NS + "}schemaLocation": f"{QTI12_NS} {QTI12_XSD}"})
    assessment = _c(root, "assessment", ident=identifier, title=spec.title)
    _c_meta(assessment, [("cc_maxattempts", "1")])
    root_section = _c(assessment, "section", ident="root_section")
    for index, item in enumerate(items):
        group = _c(root_section, "section", ident=_identifier(f"group-{index + 1}-{item.template.id}"),
                   title=item.template.title)
        ordering = _c(group, "selection_ordering")
        selection = _c(ordering, "selection")
        _c(selection, "selection_number", "1")
        _c(_c(selection, "selection_extension"), "points_per_item", number_text(round(sum(item.points), 4)))
        for k, variant in enumerate(item.variants):
            canvas_item(group, item, k, variant, report)
            report.questions += 1
        report.templates += 1
    return identifier, _xml_bytes(root)


def canvas_package(spec, items: list, report: ExportReport) -> bytes:
    identifier, data = canvas_qti(spec, items, report)
    href = f"{identifier}/{identifier}.xml"
    manifest = _manifest(_identifier(f"MANIFEST-{spec.exam_id}"), spec.title,
                         [(identifier, href, [href])], "imsqti_xmlv1p2")
    return _zip([("imsmanifest.xml", manifest), (href, data)])


def export_qti(spec_path, variants: int, out_path, flavor: str = "qti21", banks=(), seed: int = 0) -> ExportReport:
    """Write a QTI zip: a QTI 2.1 content package (``qti21``) or Canvas's QTI 1.2 (``canvas``)."""
    if flavor not in FLAVORS:
        raise ValueError(f"flavor must be one of {', '.join(FLAVORS)}, got {flavor!r}")
    spec, items = _selected(spec_path, banks, variants, seed)
    report = ExportReport(f"qti ({flavor})", Path(out_path))
    data = qti21_package(spec, items, report) if flavor == "qti21" else canvas_package(spec, items, report)
    write_atomic(out_path, data)
    return report
