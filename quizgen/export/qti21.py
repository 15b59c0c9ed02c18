"""QTI 2.1: a zip holding an IMS content package of assessment items, one per drawn variant.

Math is written as MathML; numbers are scored with ``<equal toleranceMode="absolute">`` at the
kind's tolerance (an exact kind with ``<match>``); each part is the interaction its kind's answer
form asks for (``kind.answer_form``): a text entry per number, a choice, a text matched as
written for a formula, an extended text scored by hand for a written answer.

A part with several right options follows the spec's ``multiple_answer_credit``
exactly: all-or-nothing as a ``match`` of the correct response, partial as a
``mapping`` of each option to its share (:meth:`quizgen.bank.kinds.Choice.option_fractions`)
with ``lowerBound`` 0 and ``upperBound`` 1, added to SCORE through ``mapResponse``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from quizgen.bank.kinds import ALL_OR_NOTHING, LETTERS
from quizgen.bank.question import Template, Variant, accepted_interval
from quizgen.bank.texts import render_solution
from quizgen.export.common import (XSI_NS, ExportReport, Exporter, PoolItem, answer_key,
    identifier, ims_manifest, is_plain_label, item_identifiers, matrix_rows_cols, number_text, numeric_keys,
    stem_and_options, xhtml_and_formulas, xml_bytes, zip_bytes)
from quizgen.papers.richtext import SLOT_RE

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"

_Q = "{" + QTI_NS + "}"
# the XHTML attributes QTI 2.1 keeps; others (markdown's style="text-align") are dropped
_QTI_ATTRS = {"a": {"href"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
              "th": {"colspan", "rowspan"}, "code": {"class"}}


class Qti21Exporter(Exporter):
    """An IMS QTI 2.1 content package (``.zip``)."""

    name = "qti"
    label = "qti (qti21)"

    def package(self, spec, items: list, report: ExportReport) -> bytes:
        return qti21_package(spec, items, report)


def qti21_package(spec, items: list, report: ExportReport) -> bytes:
    """The zip: ``imsmanifest.xml`` and ``items/<identifier>.xml`` per variant of each item (:class:`PoolItem`)."""
    files, resources = [], []
    for item, pool_id in zip(items, item_identifiers(items)):
        for k, variant in enumerate(item.variants):
            item_id, data = qti21_item(item, pool_id, k, variant, report)
            href = f"items/{item_id}.xml"
            files.append((href, data))
            resources.append((item_id, href, [href]))
            report.questions += 1
        report.templates += 1
    manifest = ims_manifest(identifier(f"MANIFEST-{spec.exam_id}"), spec.title, resources, "imsqti_item_xmlv2p1")
    return zip_bytes([("imsmanifest.xml", manifest)] + files)


# ------------------------------------------------------------------------------- flow text with MathML


def _flow(text: str, inline: bool = False) -> list:
    """Markdown text as QTI 2.1 flow elements (XHTML in the QTI namespace, math as MathML)."""
    rendered, formulas = xhtml_and_formulas(text, inline)
    root = ET.fromstring(f"<div>{rendered}</div>")

    def math_element(index: int, inline_only: bool):
        latex, display = formulas[index]
        return _mathml2(latex, display and not inline_only)

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
    """Set child.tail, turning math slots into MathML siblings after it."""
    if not tail:
        child.tail = tail
        return
    pieces = SLOT_RE.split(tail)
    child.tail = pieces[0]
    for index in range(1, len(pieces), 2):
        math_el = make_math(int(pieces[index]))
        parent.append(math_el)
        math_el.tail = pieces[index + 1]


def _inline(parent, text: str):
    """Append ``text`` (Markdown, inline) into ``parent`` as inline QTI content."""
    wrapper = _flow(text, inline=True)[0]
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + (wrapper.text or "")
    else:
        parent.text = (parent.text or "") + (wrapper.text or "")
    for child in list(wrapper):
        parent.append(child)


def _math_inline(parent, latex: str):
    parent.append(_mathml2(latex, False))


# MathML 3's named spaces that MathML 2 (which QTI 2.1 imports) lacks, as the lengths MathML 3 gives
# them (n/18 em); latex2mathml writes \! as width="negativethinmathspace"
_MATHML3_SPACES = {f"negative{name}mathspace": f"-{n / 18:.4f}em" for n, name in enumerate(
    ("veryverythin", "verythin", "thin", "medium", "thick", "verythick", "veryverythick"), start=1)}


def _mathml2(latex: str, display: bool):
    """One formula as a MathML 2 element (the MathML 3 widths QTI 2.1's schema refuses rewritten)."""
    from quizgen.papers.mathrender import to_mathml

    element = ET.fromstring(to_mathml(latex, display))
    for node in element.iter():
        width = node.get("width")
        if width in _MATHML3_SPACES:
            node.set("width", _MATHML3_SPACES[width])
    return element


def _append_text(element, text: str):
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _q(tag, attrs=None, text=None):
    element = ET.Element(_Q + tag, {k: str(v) for k, v in (attrs or {}).items()})
    if text is not None:
        element.text = str(text)
    return element


# ------------------------------------------------------------------------------- one item


class _QtiItem:
    """An assessmentItem being written: its responses, body and the rules that add to its SCORE."""

    def __init__(self, item_id: str, title: str):
        self.root = ET.Element(_Q + "assessmentItem", {
            "identifier": item_id, "title": title, "adaptive": "false", "timeDependent": "false",
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

    def score_mapped(self, ident: str, weight: float):
        """SCORE += weight x the response's mapped value (its mapping, bounded to [0, 1])."""
        setter = ET.Element(_Q + "setOutcomeValue", identifier="SCORE")
        total = ET.SubElement(setter, _Q + "sum")
        ET.SubElement(total, _Q + "variable", identifier="SCORE")
        product = ET.SubElement(total, _Q + "product")
        ET.SubElement(product, _Q + "baseValue", baseType="float").text = number_text(weight)
        ET.SubElement(product, _Q + "mapResponse", identifier=ident)
        self.rules.append(setter)
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
        return xml_bytes(root)


@dataclass
class _Part:
    """What the writer of one part's interaction needs."""

    item: _QtiItem
    template: Template
    part: object
    variant: Variant
    points: float
    prompt: str | None  # the part's prompt and label (Markdown), when the item needs them
    options: list | None  # a conceptual item's options, cut from its stem
    report: ExportReport
    credit: str = ALL_OR_NOTHING  # the section's multiple_answer_credit


def qti21_item(pool_item: PoolItem, pool_id: str, k: int, variant: Variant, report: ExportReport) -> tuple:
    """(identifier, XML bytes) of the QTI 2.1 assessmentItem of the k-th variant of ``pool_item``, whose
    identifier in the pool is ``pool_id``."""
    template, points = pool_item.template, pool_item.points
    item_id = f"{pool_id}-v{k + 1:03d}"
    item = _QtiItem(item_id, f"{template.title} ({template.id} #{k + 1})")
    stem, options = stem_and_options(template, variant)
    for block in _flow(stem):
        item.body.append(block)
    several = len(template.parts) > 1
    for part, pts in zip(template.parts, points):
        prompt = None
        if several or part.prompt:
            prompt = ((part.prompt + " ") if part.prompt else "") + (
                part.label if is_plain_label(part.label) else f"${part.label}$")
        context = _Part(item, template, part, variant, pts, prompt, options, report, pool_item.credit)
        if variant.choices.get(part.name):
            _choice_form_part(context)
        else:
            _PART_WRITERS[part.kind.answer_form](context)
    solution = _flow(render_solution(template, variant))
    return item_id, item.finish(solution)


def _choice_form_part(p: _Part):
    """A typed answer drawn as a choice: its options as math, in the drawn order."""
    kind, choice = p.part.kind, p.variant.choices[p.part.name]
    options = [functools.partial(lambda el, latex: _math_inline(el, latex), latex=kind.tex(kind.from_json(o)))
               for o in choice["options"]]
    _choice(p.item, options, [LETTERS.index(choice["key"])], False, False, p.points, p.prompt)


def _options_part(p: _Part):
    """A choice among the kind's options (a conceptual item's own options, shuffled, when it has them)."""
    kind = p.part.kind
    key = answer_key(p.part, p.variant)
    labels, correct = kind.choice_options(key)
    ids = [label.upper() for label in labels]
    shares = kind.option_fractions(key) if kind.credit_rules_apply and p.credit != ALL_OR_NOTHING else None
    if p.options is not None:
        _choice(p.item, p.options, correct, kind.multiple, True, p.points, p.prompt, ids, shares)
    else:
        _choice(p.item, labels, correct, kind.multiple, False, p.points, p.prompt, ids, shares)


def _choice(item: _QtiItem, options: list, correct: list, multiple: bool, shuffle: bool, weight: float,
            prompt: str | None = None, ids: list | None = None, shares: list | None = None):
    """``options``: callables filling a simpleChoice, or inline Markdown strings; ``ids`` default to letters;
    ``shares``: each option's share of ``weight`` (the partial rule), else only the correct response scores."""
    ids = ids or [LETTERS[i] for i in range(len(options))]
    ident = item.response("multiple" if multiple else "single", "identifier", [ids[i] for i in correct])
    if shares is not None:
        mapping = ET.SubElement(item.declarations[-1], _Q + "mapping",
                                lowerBound="0", upperBound="1", defaultValue="0")
        for ident_i, share in zip(ids, shares):
            ET.SubElement(mapping, _Q + "mapEntry", mapKey=ident_i, mappedValue=number_text(float(share)))
    interaction = _q("choiceInteraction", {"responseIdentifier": ident, "shuffle": str(shuffle).lower(),
                                           "maxChoices": 0 if multiple else 1})
    if prompt:
        p = _q("prompt")
        _inline(p, prompt)
        interaction.append(p)
    for ident_i, option in zip(ids, options):
        simple = _q("simpleChoice", {"identifier": ident_i})
        if callable(option):
            option(simple)
        else:
            _inline(simple, option)
        interaction.append(simple)
    item.body.append(interaction)
    if shares is not None:
        item.score_mapped(ident, weight)
        return
    condition = _q("match")
    condition.append(_q("variable", {"identifier": ident}))
    condition.append(_q("correct", {"identifier": ident}))
    item.score_if(condition, weight)


def _written_part(p: _Part):
    """An extended text scored by hand; the rubric goes to a scorer-only rubricBlock."""
    kind, item = p.part.kind, p.item
    ident = item.response("single", "string", None)
    interaction = _q("extendedTextInteraction", {"responseIdentifier": ident,
                                                 "expectedLines": max(5, int(kind.lines))})
    if p.prompt:
        prompt = _q("prompt")
        _inline(prompt, p.prompt)
        interaction.append(prompt)
    item.body.append(interaction)
    if kind.rubric:
        rubric = _q("rubricBlock", {"view": "scorer"})
        rubric.append(_q("p", text="Marking points:"))
        listing = _q("ul")
        for point in kind.rubric:
            li = _q("li")
            _inline(li, point)
            listing.append(li)
        rubric.append(listing)
        item.body.append(rubric)
    item.max_score += p.points
    p.report.note("essay items are scored by hand (no response processing; the rubric is a "
                  "scorer-only rubricBlock)")


def _formula_part(p: _Part):
    """A text entry matched, without case, against the key as written."""
    item = p.item
    ident = item.response("single", "string", [p.part.kind.format(answer_key(p.part, p.variant))])
    paragraph = _q("p")
    if p.prompt:
        _inline(paragraph, p.prompt + " = ")
    paragraph.append(_q("textEntryInteraction", {"responseIdentifier": ident, "expectedLength": 30}))
    item.body.append(paragraph)
    condition = _q("stringMatch", {"caseSensitive": "false"})
    condition.append(_q("variable", {"identifier": ident}))
    condition.append(_q("correct", {"identifier": ident}))
    item.score_if(condition, p.points)
    p.report.note(f"{p.template.id}: formula answers are matched as text in QTI")


def _numbers_part(p: _Part):
    """A text entry per number, each worth an equal share, laid out as the kind says (list, tuple, table)."""
    kind, item = p.part.kind, p.item
    keys = numeric_keys(p.part, p.variant)
    # the correct response as the stem asks for it (rounded), as the kind writes it: a player may show it
    shown = [texts[0] for texts in kind.accepted_texts(answer_key(p.part, p.variant),
                                                        accepted_interval(p.part, p.variant))]
    keys = list(zip(shown, keys))
    base = "integer" if kind.exact else "float"
    each = p.points / len(keys)
    if kind.blank_layout == "table":
        rows, cols = matrix_rows_cols(answer_key(p.part, p.variant))
        if p.prompt:
            paragraph = _q("p")
            _inline(paragraph, p.prompt)
            item.body.append(paragraph)
        table = _q("table")
        body = ET.SubElement(table, _Q + "tbody")
        for r in range(rows):
            tr = ET.SubElement(body, _Q + "tr")
            for c in range(cols):
                td = ET.SubElement(tr, _Q + "td")
                _text_entry(item, td, keys[r * cols + c], base, each, 10)
        item.body.append(table)
        return
    paragraph = _q("p")
    if p.prompt:
        _inline(paragraph, p.prompt + (" = " if not is_plain_label(p.part.label) else ": "))
    opener, sep, closer = ("(", " × ", ")") if kind.blank_layout == "tuple" else ("[", ", ", "]")
    if len(keys) == 1:
        opener, closer = "", ""
    _append_text(paragraph, opener)
    for i, entry in enumerate(keys):
        if i:
            _append_text(paragraph, sep)
        _text_entry(item, paragraph, entry, base, each, 10)
    _append_text(paragraph, closer)
    item.body.append(paragraph)


def _text_entry(item: _QtiItem, container, entry: tuple, base_type: str, weight: float, length: int):
    """A text entry scored ``weight``; ``entry``: (the key as shown, [(value, tolerance), ...])."""
    shown, keys = entry
    ident = item.response("single", base_type, [shown])
    container.append(_q("textEntryInteraction", {"responseIdentifier": ident, "expectedLength": length}))
    item.score_if(_tolerant_equal(ident, keys, base_type), weight)


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


_PART_WRITERS = {"numbers": _numbers_part, "options": _options_part, "formula": _formula_part,
                 "written": _written_part}
