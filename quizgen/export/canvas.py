"""Canvas: the QTI 1.2 zip that Canvas imports, one quiz with a question group per template.

Each group draws one of its template's variants. A one-part question becomes the Canvas type
its kind names (``kind.canvas_question``); anything else is a fill-in-multiple-blanks question,
whose blanks Canvas compares as text: each accepts the spellings the kind lists
(``kind.accepted_texts``). Math is written ``\\( ... \\)``.

Canvas scores a multiple-answers question by its own rule, whatever the QTI says: each of
the c right options chosen earns 1/c of the points, each wrong option chosen costs 1/c,
at least 0. quizgen's partial rule costs 1/w per wrong option (w wrong options), so the
two agree only when c = w or no wrong option is chosen; under all-or-nothing Canvas still
gives partial credit. A part with several right options inside a question of blanks is
one blank compared as text: all-or-nothing. The export's report says which applies.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from quizgen.bank.kinds import ALL_OR_NOTHING, LETTERS
from quizgen.bank.question import Template, Variant, accepted_interval
from quizgen.bank.texts import render_solution
from quizgen.export.common import (XSI_NS, ExportReport, Exporter, PoolItem, answer_key, blank_count,
    html_with_tex, identifier, ims_manifest, is_plain_label, label_html, number_text, numeric_keys,
    stem_and_options, tex_delimited, xml_bytes, zip_bytes)

QTI12_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI12_XSD = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"

_C = "{" + QTI12_NS + "}"


class CanvasExporter(Exporter):
    """Canvas's QTI 1.2 (``.zip``)."""

    name = "canvas"
    label = "qti (canvas)"

    def package(self, spec, items: list, report: ExportReport) -> bytes:
        return canvas_package(spec, items, report)


def canvas_package(spec, items: list, report: ExportReport) -> bytes:
    """The zip: ``imsmanifest.xml`` and the quiz's QTI 1.2 file."""
    quiz_id, data = canvas_qti(spec, items, report)
    href = f"{quiz_id}/{quiz_id}.xml"
    manifest = ims_manifest(identifier(f"MANIFEST-{spec.exam_id}"), spec.title,
                            [(quiz_id, href, [href])], "imsqti_xmlv1p2")
    return zip_bytes([("imsmanifest.xml", manifest), (href, data)])


def canvas_qti(spec, items: list, report: ExportReport) -> tuple:
    """(identifier, QTI 1.2 bytes): one quiz with a question group per template (one variant each)."""
    ET.register_namespace("", QTI12_NS)
    ET.register_namespace("xsi", XSI_NS)
    quiz_id = identifier(f"quizgen-{spec.exam_id}")
    root = ET.Element(_C + "questestinterop", {"{" + XSI_NS + "}schemaLocation": f"{QTI12_NS} {QTI12_XSD}"})
    assessment = _c(root, "assessment", ident=quiz_id, title=spec.title)
    _c_meta(assessment, [("cc_maxattempts", "1")])
    root_section = _c(assessment, "section", ident="root_section")
    for index, item in enumerate(items):
        group = _c(root_section, "section", ident=identifier(f"group-{index + 1}-{item.template.id}"),
                   title=item.template.title)
        ordering = _c(group, "selection_ordering")
        selection = _c(ordering, "selection")
        _c(selection, "selection_number", "1")
        _c(_c(selection, "selection_extension"), "points_per_item", number_text(round(sum(item.points), 4)))
        for k, variant in enumerate(item.variants):
            canvas_item(group, item, k, variant, report)
            report.questions += 1
        report.templates += 1
    return quiz_id, xml_bytes(root)


# ------------------------------------------------------------------------------- QTI 1.2 elements


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


def _processing(item):
    """The item's resprocessing with the SCORE variable and the rule that always shows the solution."""
    processing = _c(item, "resprocessing")
    _c(_c(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    rule = _c(processing, "respcondition", continue_="Yes")
    _c(_c(rule, "conditionvar"), "other")
    _c(rule, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    return processing


# ------------------------------------------------------------------------------- one item


@dataclass
class _Question:
    """What the writer of one Canvas question needs."""

    item: ET.Element
    ident: str
    template: Template
    variant: Variant
    points: list
    stem_html: str
    options: list | None  # a conceptual item's options, cut from its stem
    report: ExportReport

    @property
    def part(self):
        return self.template.parts[0]


def canvas_item(section, pool_item: PoolItem, k: int, variant: Variant, report: ExportReport):
    """Append the item of the k-th variant of ``pool_item`` to ``section``, as the type its kind asks for."""
    template, points = pool_item.template, pool_item.points
    stem, options = stem_and_options(template, variant)
    stem_html = html_with_tex(stem)
    solution_html = html_with_tex(render_solution(template, variant))
    part = template.parts[0]
    if len(template.parts) > 1:
        qtype = "fill_in_multiple_blanks_question"
    elif variant.choices.get(part.name):
        qtype = "multiple_choice_question"
    else:
        qtype = part.kind.canvas_question
    ident = identifier(f"{template.id}-v{k + 1:03d}")
    item = _c(section, "item", ident=ident, title=f"{template.title} ({template.id} #{k + 1})")
    _c_meta(_c(item, "itemmetadata"), [("question_type", qtype),
                                       ("points_possible", number_text(round(sum(points), 4)))])
    q = _Question(item, ident, template, variant, points, stem_html, options, report)
    if pool_item.credit_rule_applies:
        _credit_note(report, qtype, pool_item.credit)
    _QUESTION_WRITERS[qtype](_c(item, "presentation"), q, qtype)
    feedback = _c(item, "itemfeedback", ident="general_fb")
    _c_material(_c(feedback, "flow_mat"), solution_html)
    return item


def _credit_note(report: ExportReport, qtype: str, rule: str) -> None:
    """What Canvas does with a part of several right options, against the spec's multiple_answer_credit."""
    if qtype != "multiple_answers_question":
        if rule != ALL_OR_NOTHING:
            report.note("multiple_answer_credit is partial, but a part with several right options in a "
                        "question of several parts is a Canvas blank compared as text: all-or-nothing there")
    elif rule == ALL_OR_NOTHING:
        report.note("multiple_answer_credit is all-or-nothing, but Canvas scores a multiple-answers question "
                    "per option whatever the QTI says: each of the c right options chosen earns 1/c, each wrong "
                    "option chosen costs 1/c, at least 0 (partial credit where quizgen grade gives none)")
    else:
        report.note("multiple_answer_credit is partial: Canvas scores a multiple-answers question by its own "
                    "rule, each of the c right options chosen earning 1/c and each wrong option chosen costing "
                    "1/c (quizgen: 1/w for w wrong options), at least 0; the two agree when c = w or no wrong "
                    "option is chosen")


def _choice_labels(q: _Question) -> tuple:
    """``(labels as HTML, indices of the right ones)`` of a one-part choice question."""
    part, variant = q.part, q.variant
    kind, choice = part.kind, variant.choices.get(part.name)
    if choice:  # a typed answer drawn as a choice
        return [tex_delimited(kind.tex(kind.from_json(o))) for o in choice["options"]], \
            {LETTERS.index(choice["key"])}
    labels, correct = kind.choice_options(answer_key(part, variant))
    if q.options is not None:
        labels = [html_with_tex(o, inline=True) for o in q.options]
    return labels, set(correct)


def _choice_question(presentation, q: _Question, qtype: str):
    labels, correct = _choice_labels(q)
    _c_material(presentation, q.stem_html)
    multiple = qtype == "multiple_answers_question"
    lid = _c(presentation, "response_lid", ident="response1", rcardinality="Multiple" if multiple else "Single")
    render = _c(lid, "render_choice")
    label_ids = [f"{q.ident}-{LETTERS[i]}" for i in range(len(labels))]
    for label_id, label in zip(label_ids, labels):
        _c_material(_c(render, "response_label", ident=label_id), label)
    processing = _processing(q.item)
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


def _essay_question(presentation, q: _Question, qtype: str):
    _c_material(presentation, q.stem_html)
    response = _c(presentation, "response_str", ident="response1", rcardinality="Single")
    _c(_c(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
    rule = _c(_processing(q.item), "respcondition", continue_="No")
    _c(_c(rule, "conditionvar"), "other")
    q.report.note("Canvas essay questions: the marking points are in the general feedback (Canvas QTI has "
                  "no grader-only field)")


def _numerical_question(presentation, q: _Question, qtype: str):
    _c_material(presentation, q.stem_html)
    response = _c(presentation, "response_str", ident="response1", rcardinality="Single")
    _c(_c(response, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
    processing = _processing(q.item)
    for value, tolerance in numeric_keys(q.part, q.variant)[0]:
        rule = _c(processing, "respcondition", continue_="No")
        condition = _c(rule, "conditionvar")
        if tolerance:
            _c_range(condition, "response1", value, tolerance)
        else:
            _c(condition, "varequal", number_text(value), respident="response1")
        _c(rule, "setvar", "100", action="Set", varname="SCORE")


def _blanks_question(presentation, q: _Question, qtype: str):
    """Fill in multiple blanks: a blank per number (or per part), each a list of accepted texts."""
    blanks, lines, total = _blanks_and_text(q)
    _c_material(presentation, "\n".join(lines))
    for name, accepted, _ in blanks:
        lid = _c(presentation, "response_lid", ident=f"response_{name}")
        _c(_c(lid, "material"), "mattext", name)
        render = _c(lid, "render_choice")
        for j, text in enumerate(accepted):
            _c_material(_c(render, "response_label", ident=f"{q.ident}-{name}-{j + 1}"), text)
    processing = _processing(q.item)
    for name, accepted, weight in blanks:
        rule = _c(processing, "respcondition", continue_="No")
        condition = _c(rule, "conditionvar")
        if len(accepted) == 1:
            _c(condition, "varequal", f"{q.ident}-{name}-1", respident=f"response_{name}")
        else:
            either = _c(condition, "or")
            for j in range(len(accepted)):
                _c(either, "varequal", f"{q.ident}-{name}-{j + 1}", respident=f"response_{name}")
        _c(rule, "setvar", number_text(round(100 * weight / total, 4)), action="Add", varname="SCORE")
    q.report.note("Canvas fill-in-multiple-blanks compares text, not numbers: each blank accepts the key "
                  "written as the question asks (rounded), and the hand-calculation key where it differs")


def _blanks_and_text(q: _Question) -> tuple:
    """``(blanks, lines, total)``: the blanks as ``(name, [accepted texts], points)``, the question's HTML
    lines (the stem, then a line per part naming its blanks, or describing a part graded by hand) and
    the points of every part (a part graded by hand included: it keeps its share of the score)."""
    template, variant, report = q.template, q.variant, q.report
    blanks, lines = [], [q.stem_html]
    counts = [blank_count(p, variant) for p in template.parts]
    per_blank = [pts / n for pts, n in zip(q.points, counts) for _ in range(n)]
    weights = iter(per_blank)
    for part, n in zip(template.parts, counts):
        texts = blank_texts(part, variant, report, template)
        if texts is None:
            report.note(f"{template.id}: part {part.label} ({part.kind.name}) cannot be a Canvas blank; "
                        "it is shown as text and must be graded by hand")
            lines.append(f"<p>{label_html(part)}: <em>{html.escape(part.kind.describe())}</em></p>")
            for _ in range(n):
                next(weights)
            continue
        names = []
        for accepted in texts:
            name = f"blank{len(blanks) + 1}"
            names.append(f"[{name}]")
            blanks.append((name, accepted, next(weights)))
        if len(names) == 1:
            shown = names[0]
        elif part.kind.blank_layout == "tuple":
            shown = "(" + " &times; ".join(names) + ")"
        else:
            shown = "[" + ", ".join(names) + "]"
        joiner = ": " if is_plain_label(part.label) else " = "
        lines.append(f"<p>{label_html(part)}{joiner}{shown}</p>")
    return blanks, lines, sum(per_blank) or 1.0


def blank_texts(part, variant: Variant, report: ExportReport, template: Template) -> list | None:
    """For each Canvas blank of a part, the texts it accepts (None: the part cannot be a blank)."""
    choice = variant.choices.get(part.name)
    if choice:
        return [[choice["key"], choice["key"].lower()]]
    kind = part.kind
    if kind.answer_form == "formula":
        report.note(f"{template.id}: formula answers are matched as text in Canvas")
    if kind.answer_form == "numbers" and kind.hand_decimals(None) is not None:
        report.note("Canvas blanks are matched as text: a number is right when written with the stem's "
                    "decimals and within the tolerance (each such spelling is accepted)")
    return kind.accepted_texts(answer_key(part, variant), accepted_interval(part, variant))


_QUESTION_WRITERS = {"multiple_choice_question": _choice_question, "multiple_answers_question": _choice_question,
                     "true_false_question": _choice_question, "essay_question": _essay_question,
                     "numerical_question": _numerical_question,
                     "fill_in_multiple_blanks_question": _blanks_question}
