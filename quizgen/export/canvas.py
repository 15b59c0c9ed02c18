"""Canvas: the QTI 1.2 zip that Canvas imports, one quiz with a question group per template.

Each group draws one of its template's variants. A one-part question becomes the Canvas type
its kind names (``kind.canvas_question``). A question of several parts each answered by one
option (a typed answer drawn as a choice, one letter, true/false) is a multiple-dropdowns question,
a dropdown of the part's options per part; anything else is a fill-in-multiple-blanks question,
whose blanks Canvas compares as text: each accepts the spellings the kind lists
(``kind.accepted_texts``), the question tells the student how to type them, and a part drawn as a
choice lists its lettered options and takes the letter. Math is written ``\\( ... \\)``.

Identifiers are :func:`~quizgen.export.common.item_identifiers`' (letters, digits, ``_``, ``-``):
QTIMigrationTool, which Canvas runs on the upload, rewrites ``.`` and ``:`` in a choice's
identifier but not in the condition naming the key, and Canvas then finds no right answer.

Canvas scores the blanks (or dropdowns) of one question equally, each worth points / blanks,
whatever the QTI says; where quizgen weighs them otherwise the report names the template and both
weightings.

Canvas scores a multiple-answers question by its own rule, whatever the QTI says: each of
the c right options chosen earns 1/c of the points, each wrong option chosen costs 1/c,
at least 0. quizgen's partial rule costs 1/w per wrong option (w wrong options), so the
two agree only when c = w or no wrong option is chosen; under all-or-nothing Canvas still
gives partial credit. A part with several right options inside a question of blanks is
one blank compared as text: all-or-nothing. The export's report says which applies.
"""

from __future__ import annotations

import html
from decimal import Decimal
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from quizgen.bank.kinds import ALL_OR_NOTHING, LETTERS
from quizgen.bank.question import Template, Variant, accepted_interval
from quizgen.bank.texts import render_solution
from quizgen.export.common import (XSI_NS, ExportReport, Exporter, PoolItem, answer_key, blank_count,
    html_with_tex, identifier, ims_manifest, is_plain_label, item_identifiers, label_html, number_text,
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
    for index, (item, item_id) in enumerate(zip(items, item_identifiers(items))):
        group = _c(root_section, "section", ident=f"group-{index + 1}-{item_id}", title=item.template.title)
        ordering = _c(group, "selection_ordering")
        selection = _c(ordering, "selection")
        _c(selection, "selection_number", "1")
        _c(_c(selection, "selection_extension"), "points_per_item", number_text(round(sum(item.points), 4)))
        for k, variant in enumerate(item.variants):
            canvas_item(group, item, item_id, k, variant, report)
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


def _c_range_text(parent, ident: str, value: Decimal, tolerance: Decimal):
    """value, or value - tolerance to value + tolerance, written in decimal digits as given."""
    either = _c(parent, "or")
    _c(either, "varequal", _decimal(value), respident=ident)
    both = _c(either, "and")
    _c(both, "vargte", _decimal(value - tolerance), respident=ident)
    _c(both, "varlte", _decimal(value + tolerance), respident=ident)


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


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


def canvas_item(section, pool_item: PoolItem, item_id: str, k: int, variant: Variant, report: ExportReport):
    """Append the item of the k-th variant of ``pool_item`` (whose identifier in the pool is ``item_id``)
    to ``section``, as the type its kind asks for."""
    template, points = pool_item.template, pool_item.points
    stem, options = stem_and_options(template, variant)
    stem_html = html_with_tex(stem)
    solution_html = html_with_tex(render_solution(template, variant))
    part = template.parts[0]
    if len(template.parts) > 1:
        one_option_each = all(_dropdown(p, variant) is not None for p in template.parts)
        qtype = "multiple_dropdowns_question" if one_option_each else "fill_in_multiple_blanks_question"
    elif variant.choices.get(part.name):
        qtype = "multiple_choice_question"
    else:
        qtype = part.kind.canvas_question
    ident = f"{item_id}-v{k + 1:03d}"
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
    key = answer_key(q.part, q.variant)
    # at the stem's precision (what Canvas shows as the answer), accepting quizgen's interval
    for value, tolerance in q.part.kind.blank_key_texts(key, accepted_interval(q.part, q.variant))[0]:
        rule = _c(processing, "respcondition", continue_="No")
        # always a range, an exact key too (margin 0): numeric_interaction.rb keeps no answer from a lone varequal
        _c_range_text(_c(rule, "conditionvar"), "response1", Decimal(value), Decimal(tolerance))
        _c(rule, "setvar", "100", action="Set", varname="SCORE")


@dataclass
class _Blank:
    """One Canvas blank (a text box, or a dropdown): its name in the text, its options (the texts it
    accepts, or a dropdown's options), the indices of the right ones and quizgen's points for it."""

    name: str
    options: list
    correct: list
    points: float


def _blanks_question(presentation, q: _Question, qtype: str):
    """Fill in multiple blanks, or multiple dropdowns: a blank per number (or per part) in the text,
    each a response_lid whose labels are the texts it accepts (a dropdown's: its options)."""
    blanks, lines = _blanks_and_text(q, dropdowns=qtype == "multiple_dropdowns_question")
    _c_material(presentation, "\n".join(lines))
    for blank in blanks:
        lid = _c(presentation, "response_lid", ident=f"response_{blank.name}")
        _c(_c(lid, "material"), "mattext", blank.name)
        render = _c(lid, "render_choice")
        for j, text in enumerate(blank.options):
            _c_material(_c(render, "response_label", ident=f"{q.ident}-{blank.name}-{j + 1}"), text)
    processing = _processing(q.item)
    total = sum(q.points) or 1.0
    for blank in blanks:
        # continue: every blank adds its share (with "No" a QTI player would stop at the first right blank)
        rule = _c(processing, "respcondition", continue_="Yes")
        condition = _c(rule, "conditionvar")
        if len(blank.correct) == 1:
            _c(condition, "varequal", f"{q.ident}-{blank.name}-{blank.correct[0] + 1}",
               respident=f"response_{blank.name}")
        else:
            either = _c(condition, "or")
            for j in blank.correct:
                _c(either, "varequal", f"{q.ident}-{blank.name}-{j + 1}", respident=f"response_{blank.name}")
        # Canvas reads only that this adds to SCORE (and scores blanks equally); other players use the weight
        _c(rule, "setvar", number_text(round(100 * blank.points / total, 4)), action="Add", varname="SCORE")
    _weights_note(q, blanks, qtype)
    if qtype == "fill_in_multiple_blanks_question":
        q.report.note("Canvas fill-in-multiple-blanks compares text, not numbers: each blank accepts the key "
                      "written as the question asks (rounded), and the hand-calculation key where it differs; "
                      "the question tells the student so")


def _weights_note(q: _Question, blanks: list, qtype: str) -> None:
    """Say in the report where Canvas's equal blanks give other marks than quizgen's parts."""
    total = sum(q.points)
    each = total / len(blanks) if blanks else 0.0
    if blanks and all(abs(b.points - each) <= 1e-9 * max(1.0, total) for b in blanks):
        return
    counts = [blank_count(p, q.variant) for p in q.template.parts]
    parts = ", ".join(f"{p.label} {pts:g} ({n} blank{'s' if n > 1 else ''})"
                      for p, pts, n in zip(q.template.parts, q.points, counts))
    kind = "dropdowns" if qtype == "multiple_dropdowns_question" else "blanks"
    q.report.note(f"{q.template.id}: Canvas scores the {len(blanks)} {kind} of this question equally "
                  f"({each:g} of {total:g} points each); quizgen's parts: {parts}")


def _blanks_and_text(q: _Question, dropdowns: bool) -> tuple:
    """``(blanks, lines)``: the :class:`_Blank` list and the question's HTML lines (the stem, then a
    line per part naming its blanks, or describing a part graded by hand, then how to type)."""
    template, variant, report = q.template, q.variant, q.report
    blanks, lines, typed = [], [q.stem_html], False
    counts = [blank_count(p, variant) for p in template.parts]
    for part, n, pts in zip(template.parts, counts, q.points):
        dropdown = _dropdown(part, variant) if dropdowns else None
        if dropdown is not None:
            options, right = dropdown
            blanks.append(_Blank(f"blank{len(blanks) + 1}", options, [right], pts))
            joiner = ": " if is_plain_label(part.label) else " = "
            lines.append(f"<p>{label_html(part)}{joiner}[{blanks[-1].name}]</p>")
            continue
        texts = blank_texts(part, variant, report, template)
        if texts is None:
            report.note(f"{template.id}: part {part.label} ({part.kind.name}) cannot be a Canvas blank; "
                        "it is shown as text and must be graded by hand (Canvas gives its points to the blanks)")
            lines.append(f"<p>{label_html(part)}: <em>{html.escape(part.kind.describe())}</em></p>")
            continue
        names = []
        for accepted in texts:
            name = f"blank{len(blanks) + 1}"
            names.append(f"[{name}]")
            blanks.append(_Blank(name, accepted, list(range(len(accepted))), pts / n))
        if len(names) == 1:
            shown = names[0]
        elif part.kind.blank_layout == "tuple":
            shown = "(" + " &times; ".join(names) + ")"
        else:
            shown = "[" + ", ".join(names) + "]"
        joiner = ": " if is_plain_label(part.label) else " = "
        how = _how_to_type(part, variant)
        lines.append(f"<p>{label_html(part)}{joiner}{shown}" + (f" <em>({how})</em>" if how else "") + "</p>")
        lines += _listed_options(part, variant)
        typed = True
    if typed:
        lines.append("<p><em>Each box is compared with the answer as text: type plain numbers as asked "
                     "(no spaces, units or formulas).</em></p>")
    return blanks, lines


def _dropdown(part, variant: Variant) -> tuple | None:
    """``(options as plain text, index of the right one)`` when the part is answered by one option
    (a typed answer drawn as a choice, one letter, true or false), else None. Plain text: a dropdown
    shows no math."""
    choice = variant.choices.get(part.name)
    kind = part.kind
    if choice:
        return [kind.format(kind.from_json(o)) for o in choice["options"]], LETTERS.index(choice["key"])
    if kind.answer_form == "options" and not kind.credit_rules_apply:
        labels, correct = kind.choice_options(answer_key(part, variant))
        return list(labels), correct[0]
    return None


def _how_to_type(part, variant: Variant) -> str:
    """What the student must type so that Canvas's text comparison finds it (the question says so)."""
    kind = part.kind
    if variant.choices.get(part.name):
        return "type the letter of your choice"
    if kind.answer_form == "numbers":
        if kind.exact:
            return "type whole numbers"
        decimals = kind.hand_decimals(None)
        return f"type {decimals} decimals" if decimals is not None else "type the number as computed"
    if kind.answer_form == "options":
        return "type the letters" if kind.credit_rules_apply else "type the letter"
    if kind.answer_form == "formula":
        return "type the formula; it is compared as text"
    return ""


def _listed_options(part, variant: Variant) -> list:
    """A part drawn as a choice in a question of typed blanks: its lettered options, as HTML lines."""
    choice = variant.choices.get(part.name)
    if not choice:
        return []
    kind = part.kind
    items = "".join(f"<li>{LETTERS[i]}: {tex_delimited(kind.tex(kind.from_json(o)))}</li>"
                    for i, o in enumerate(choice["options"]))
    return [f"<ul>{items}</ul>"]


def blank_texts(part, variant: Variant, report: ExportReport, template: Template) -> list | None:
    """For each Canvas blank of a part, the texts it accepts (None: the part cannot be a blank)."""
    choice = variant.choices.get(part.name)
    if choice:
        return [[choice["key"]]]  # its options are listed beside it; Canvas ignores case
    kind = part.kind
    if kind.answer_form == "formula":
        report.note(f"{template.id}: formula answers are matched as text in Canvas")
    if kind.answer_form == "numbers" and kind.hand_decimals(None) is not None:
        report.note("Canvas blanks are matched as text: a number is right when written with the stem's "
                    "decimals and within the tolerance (each such spelling is accepted); each part says "
                    "how many decimals to type")
    return kind.accepted_texts(answer_key(part, variant), accepted_interval(part, variant))


_QUESTION_WRITERS = {"multiple_choice_question": _choice_question, "multiple_answers_question": _choice_question,
                     "true_false_question": _choice_question, "essay_question": _essay_question,
                     "numerical_question": _numerical_question,
                     "fill_in_multiple_blanks_question": _blanks_question,
                     "multiple_dropdowns_question": _blanks_question}
