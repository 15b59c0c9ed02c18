"""What Canvas makes of a quizgen QTI 1.2 quiz: the rules of the code that decides, ported (no code copied)
so that CI, which reaches only package registries, can apply them to every exported item.

Canvas runs QTIMigrationTool on a QTI 1.2 upload (it rewrites the quiz as QTI 2.x), reads the result with
its qti_exporter plugin and scores answers with its quiz question classes. Each rule below cites the code:

- QMT: instructure/QTIMigrationTool at 7847455bb7fb4ca223cecf7e576ca81f7d0bda47, ``lib/imsqtiv1.py`` and
  ``lib/xmlutils.py`` (file:line).
- QTI: instructure/canvas-lms ``gems/plugins/qti_exporter/lib/qti/``: ``assessment_item_converter.rb``
  (0c8b1039), ``choice_interaction.rb`` (03f405c9), ``fill_in_the_blank.rb`` (05e9653c),
  ``numeric_interaction.rb`` (0c31361a) (file, method).
- QQ: instructure/canvas-lms ``app/models/quizzes/quiz_question/``: ``base.rb`` (1f7aaa03),
  ``fill_in_multiple_blanks_question.rb`` (05e9653c), ``multiple_dropdowns_question.rb`` (03f405c9).

Only what decides a quizgen item's type, its answers, which are right, and its score is ported; the
rules were checked against QMT run on quizgen's exports (its output for a choice item keeps the dotted
``<varequal>`` text and rewrites the option identifiers, as :func:`read_identifier` does here).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from decimal import Decimal
from xml.etree import ElementTree as ET

Q12 = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"

NMTOKEN_CHARS = string.ascii_letters + string.digits + "_-.:"  # QMT xmlutils.py:33
NMSTART_CHARS = string.ascii_letters + "_"  # QMT xmlutils.py:34
RESPONSE_PREFIX = "RESPONSE_"  # QMT imsqtiv1.py:74
D2L_SUFFIX = re.compile(r"_(?:ans|str)$", flags=re.I)  # QMT imsqtiv1.py:118, removed from idents first

DEFAULT_CORRECT_WEIGHT = 100  # QTI assessment_item_converter.rb, DEFAULT_CORRECT_WEIGHT


def check_nmtoken(token: str, prefix: str = RESPONSE_PREFIX) -> str:
    """QMT imsqtiv1.py:174-195 CheckNMTOKEN: an ASCII character outside NMTOKEN_CHARS becomes "-", and a
    token not starting with a letter or "_" gets ``prefix`` before it."""
    out = ""
    for c in token.strip():
        if c not in NMTOKEN_CHARS and ord(c) < 128:
            c = "-"
        if not out and c not in NMSTART_CHARS:
            out = prefix
        out += c
    return out


def read_identifier(value: str, prefix: str = RESPONSE_PREFIX) -> str:
    """QMT imsqtiv1.py:164-172 ReadIdentifier: CheckNMTOKEN, then ":" and "." become "_". Applied to
    response_lid/response_str idents (:4312-4318), response_label idents (:4958-4960) and respident
    (:5740-5742), each after D2L_SUFFIX is removed; NOT to a <varequal>'s text, which gets CheckNMTOKEN
    only (:5773-5779 MakeSingleValue)."""
    value = check_nmtoken(value.strip(), prefix)
    return value.replace(":", "_").replace(".", "_")


def _ident(value: str) -> str:
    return read_identifier(D2L_SUFFIX.sub("", value))


@dataclass
class CanvasAnswer:
    """One answer as Canvas stores it: its blank, text, id and weight (100: right), a numeric range."""

    migration_id: str
    text: str = ""
    blank_id: str | None = None
    weight: int = 0
    low: float | None = None
    high: float | None = None


@dataclass
class CanvasQuestion:
    """One imported question: its type, points, answers, text and the importer's error (if any)."""

    ident: str
    question_type: str
    points: float
    text: str
    answers: list = field(default_factory=list)
    import_error: str | None = None

    @property
    def key_survives(self) -> bool:
        """Whether Canvas knows a right answer (for each blank, when it has blanks)."""
        if self.question_type == "essay_question":
            return True  # graded by hand in Canvas too
        if self.import_error:
            return False
        if self.question_type in BLANK_TYPES:
            blanks = {a.blank_id for a in self.answers}
            return bool(blanks) and all(any(a.weight == 100 for a in self.answers if a.blank_id == b)
                                        for b in blanks)
        return any(a.weight > 0 for a in self.answers)

    # -- scoring (QQ)

    def score(self, response) -> float:
        """The points Canvas gives ``response``: the chosen answer's migration id (choice), a set of
        them (multiple answers), a number (numerical) or {blank id: text or chosen answer's id} (blanks).
        Multiple answers: full points for exactly the right options, none for no right one (Canvas's
        per-option partial rule in between is not ported; the export's report states it)."""
        if self.question_type in BLANK_TYPES:
            # QQ base.rb score_question: correct parts / total parts x points; total_answer_parts is the
            # number of distinct blank ids among the answers (fill_in_multiple_blanks_question.rb variables)
            blanks = list(dict.fromkeys(a.blank_id for a in self.answers))
            right = sum(1 for b in blanks if self._blank_right(b, response.get(b)))
            return self.points * right / len(blanks) if blanks else 0.0
        if self.question_type == "numerical_question":
            return self.points if any(a.low <= float(response) <= a.high for a in self.answers) else 0.0
        if self.question_type == "multiple_answers_question":
            right = {a.migration_id for a in self.answers if a.weight > 0}
            return self.points if set(response) == right else 0.0
        chosen = next((a for a in self.answers if a.migration_id == response), None)
        return self.points if chosen is not None and chosen.weight > 0 else 0.0

    def _blank_right(self, blank_id, response) -> bool:
        if response is None:
            return False
        if self.question_type == "multiple_dropdowns_question":
            # multiple_dropdowns_question.rb find_chosen_answer: the answer chosen by its id
            chosen = [a for a in self.answers if a.blank_id == blank_id and a.migration_id == response]
        else:
            # fill_in_multiple_blanks_question.rb matching_answer?: text, stripped, without case
            typed = str(response).strip().lower()
            chosen = [a for a in self.answers if a.blank_id == blank_id and a.text.strip().lower() == typed]
        return bool(chosen) and chosen[0].weight == 100


BLANK_TYPES = ("fill_in_multiple_blanks_question", "multiple_dropdowns_question")


def import_quiz(data: bytes) -> list:
    """The questions Canvas imports from a quizgen QTI 1.2 quiz file, in order."""
    root = ET.fromstring(data)
    questions = []
    for group in root.iter(Q12 + "section"):
        # a group's points_per_item is every one of its questions' points
        per_item = group.findtext(f"{Q12}selection_ordering/{Q12}selection/{Q12}selection_extension/"
                                  f"{Q12}points_per_item")
        for item in group.findall(Q12 + "item"):
            questions.append(import_item(item, float(per_item) if per_item else None))
    return questions


def _meta(item, label):
    for f in item.iter(Q12 + "qtimetadatafield"):
        if f.findtext(Q12 + "fieldlabel") == label:
            return f.findtext(Q12 + "fieldentry")
    return None


def _text(element) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def import_item(item, group_points: float | None) -> CanvasQuestion:
    """One item. Its type: QMT keeps the qtimetadata question_type as an instructureField (imsqtiv1.py:3261,
    :640-641); QTI assessment_item_converter.rb create_instructure_question sends multiple_dropdowns and
    fill_in_multiple_blanks to FillInTheBlank, a numerical_question (QMT makes its render_fib an
    extendedTextInteraction, :4886-4888) to NumericInteraction, an essay to ExtendedTextInteraction and a
    choiceInteraction to ChoiceInteraction, which keeps the type it was given (set_question_type ||=)."""
    qtype = _meta(item, "question_type")
    points = group_points if group_points is not None else float(_meta(item, "points_possible") or 1)
    question = CanvasQuestion(_ident(item.get("ident")), qtype, points,
                              _text(item.find(f"{Q12}presentation/{Q12}material")))
    if qtype in BLANK_TYPES:
        _blanks(item, question)
    elif qtype == "numerical_question":
        _numeric(item, question)
    elif qtype != "essay_question":
        _choices(item, question)
    return question


def _conditions(item):
    """Each respcondition: (its varequal values as QMT writes them, whether directly tested (not under
    <not>), the SCORE it sets or adds, its action)."""
    for cond in item.iter(Q12 + "respcondition"):
        setvar = cond.find(Q12 + "setvar")
        tests = []
        var = cond.find(Q12 + "conditionvar")

        def walk(node, negated):
            for child in node:
                tag = child.tag.replace(Q12, "")
                if tag == "varequal":
                    # respident: ReadIdentifier (:5740-5742); the value: CheckNMTOKEN only (:5779)
                    tests.append((_ident(child.get("respident")), check_nmtoken(child.text or ""), negated,
                                  child))
                elif tag in ("and", "or", "not"):
                    walk(child, negated or tag == "not")
        if var is not None:
            walk(var, False)
        yield tests, setvar


def _choices(item, question: CanvasQuestion):
    """QTI choice_interaction.rb: get_answers keys each option by its identifier as QMT rewrote it
    (ResponseLabel, :4958-4960); process_response_conditions looks each condition's value up among them
    (the last branch: ``answers_hash[migration_id] || detect text == migration_id``; for several right
    options, each ``responseIf > and > member``), with weight 100 when the condition sets or adds a
    positive SCORE (get_response_weight, get_base_value); set_question_type records an import error
    when no answer is right ("couldn't determine the correct answers")."""
    answers = {}
    for label in item.iter(Q12 + "response_label"):
        answer = CanvasAnswer(_ident(label.get("ident")), _text(label))
        answers[answer.migration_id] = answer
        question.answers.append(answer)
    for tests, setvar in _conditions(item):
        if not tests or setvar is None:
            continue
        try:
            positive = float(setvar.text) > 0
        except (TypeError, ValueError):
            positive = False
        for _, value, negated, _element in tests:
            if negated:
                continue  # "and > not > member" is not a direct "and > member"
            answer = answers.get(value) or next((a for a in answers.values() if a.text == value), None)
            if answer is not None and positive:
                answer.weight = DEFAULT_CORRECT_WEIGHT
    if not any(a.weight > 0 for a in question.answers):
        question.import_error = "The importer couldn't determine the correct answers for this question."


def _blanks(item, question: CanvasQuestion):
    """QTI fill_in_the_blank.rb process_canvas: each response_lid (a choiceInteraction after QMT) is a
    blank named by its identifier without "response_"; each of its labels an answer with the label's text,
    weight 100 in fill-in-multiple-blanks (every label is an accepted text), 0 in multiple dropdowns, where
    an answer is right when a condition that adds to SCORE (QMT SetVar Add becomes a sum, :5515-5519)
    names it in its first match (``if_node.at_css("match baseValue[baseType=identifier]")``)."""
    dropdowns = question.question_type == "multiple_dropdowns_question"
    by_id = {}
    for lid in item.iter(Q12 + "response_lid"):
        blank_id = re.sub(r"^response_", "", _ident(lid.get("ident")))
        for label in lid.iter(Q12 + "response_label"):
            answer = CanvasAnswer(_ident(label.get("ident")), _text(label), blank_id,
                                  0 if dropdowns else DEFAULT_CORRECT_WEIGHT)
            by_id[answer.migration_id] = answer
            question.answers.append(answer)
    if dropdowns:
        for tests, setvar in _conditions(item):
            if setvar is None or (setvar.get("action") or "Set").lower() != "add" or not tests:
                continue
            answer = by_id.get(tests[0][1])
            if answer is not None:
                answer.weight = DEFAULT_CORRECT_WEIGHT


def _numeric(item, question: CanvasQuestion):
    """QTI numeric_interaction.rb get_canvas_answers: a condition with ``or`` is an exact answer (the
    varequal, a stringMatch after QMT) with margin varlte - exact; one with ``and`` only, a range from
    vargte to varlte; nothing else makes an answer (get_answer_values looks for QTI 2 gte/lte/equal, which
    QMT does not write for a string response)."""
    for cond in item.iter(Q12 + "respcondition"):
        var = cond.find(Q12 + "conditionvar")
        if var is None:
            continue
        either = var.find(Q12 + "or")
        if either is not None:
            exact = either.findtext(Q12 + "varequal")
            if exact is None:
                continue
            upper = either.findtext(f"{Q12}and/{Q12}varlte")
            margin = Decimal(upper) - Decimal(exact) if upper is not None else Decimal(0)
            low, high = Decimal(exact) - margin, Decimal(exact) + margin
        elif var.find(Q12 + "and") is not None:
            low = Decimal(var.findtext(f"{Q12}and/{Q12}vargte"))
            high = Decimal(var.findtext(f"{Q12}and/{Q12}varlte"))
        else:
            continue  # a lone varequal (a stringMatch after QMT) is neither branch: Canvas keeps no answer
        question.answers.append(CanvasAnswer("numeric", "", None, DEFAULT_CORRECT_WEIGHT, float(low), float(high)))
