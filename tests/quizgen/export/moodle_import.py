"""What Moodle's XML import makes of a question, by Moodle's own rules, ported to Python for the tests.

CI reaches package registries only, and php-cli is not there, so the rules that decide what an
exported question becomes in Moodle are ported here from moodle/moodle (the main branch, Moodle 4.x),
each next to the name of the file and the function or constant it comes from (line numbers move
between releases; the names do not):

- ``question/type/multianswer/questiontype.php``: the regular expressions of the cloze syntax
  (``ANSWER_ALTERNATIVE_FRACTION_REGEX`` ... ``ANSWER_REGEX``, copied verbatim below as the PHP
  strings, then compiled), ``qtype_multianswer_extract_question`` (a blank's weight is a whole
  number and the question's mark the sum of the weights; fractions ``=``/``%n%``; what is decoded in
  answers and feedback; the MULTIRESPONSE shares made to add up to 1) and
  ``qtype_multianswer_validate_question``.
- ``question/format/xml/format.php``: ``import_multianswer`` (the question text only: ``<defaultgrade>``
  is not read), ``import_headers`` (``<defaultgrade>`` is the mark of every other type),
  ``import_answer`` and ``import_numerical`` (a fraction is the attribute / 100; ``<tolerance>``).
- ``question/format.php`` ``importprocess`` with ``lib/questionlib.php``
  ``question_bank::fraction_options_full()`` and ``match_grade_options`` (matchgrades "error", the
  import form's default): a question with an answer fraction not in the list is not imported.
- ``question/type/multichoice/questiontype.php`` ``save_question_options``: one answer at 100 % (single),
  the positive fractions adding up to 100 % (multiple).
- ``question/type/numerical/question.php`` ``qtype_numerical_answer::get_tolerance_interval`` (nominal)
  and ``qtype_numerical_question::get_matching_answer`` (the first answer whose interval holds the
  response); ``question/type/multichoice/question.php`` ``qtype_multichoice_multi_question::grade_response``
  (the chosen fractions summed, kept in [0, 1]); ``question/type/shortanswer/question.php``
  ``compare_string_with_wildcard``.

Moodle is free software: you can redistribute it and/or modify it under the terms of the GNU General
Public License as published by the Free Software Foundation, either version 3 of the License, or (at
your option) any later version (http://www.gnu.org/copyleft/gpl.html); copyright 1999 onwards Martin
Dougiamas and the Moodle contributors. The regular expressions below are copied from it verbatim under
that licence; the rest is a port of its logic, not its code.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

# ------------------------------------------------------------------ question/type/multianswer/questiontype.php
# Verbatim, as the PHP source writes them (single-quoted PHP strings: '\\\\' is two backslashes in the
# regular expression, which match one).
ANSWER_ALTERNATIVE_FRACTION_REGEX = '=|%(-?[0-9]+(?:[.,][0-9]*)?)%'
ANSWER_ALTERNATIVE_ANSWER_REGEX = r'.+?(?<!\\\\|&|&amp;)(?=[~#}]|$)'.replace('\\\\', '\\')
ANSWER_ALTERNATIVE_FEEDBACK_REGEX = r'.*?(?<!\\\\)(?=[~}]|$)'.replace('\\\\', '\\')
NUMBER_REGEX = '-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)'
ANSWER_TYPE_DEF_REGEX = ('(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|'
                         '(SHORTANSWER|SA|MW)|(SHORTANSWER_C|SAC|MWC)|'
                         '(MULTICHOICE_S|MCS)|(MULTICHOICE_VS|MCVS)|(MULTICHOICE_HS|MCHS)|'
                         '(MULTIRESPONSE|MR)|(MULTIRESPONSE_H|MRH)|(MULTIRESPONSE_S|MRS)|(MULTIRESPONSE_HS|MRHS)')
ANSWER_START_REGEX = r'\{([0-9]*):(' + ANSWER_TYPE_DEF_REGEX + '):'

# PCRE takes a look-behind of alternatives of different lengths, Python's re does not: the one
# translation, (?<!\\|&|&amp;) written as three look-behinds, which say the same.
_ANSWER_REGEX_PY = ANSWER_ALTERNATIVE_ANSWER_REGEX.replace(r'(?<!\\|&|&amp;)', r'(?<!\\)(?<!&)(?<!&amp;)')
ANSWER_ALTERNATIVE_REGEX = ('(' + ANSWER_ALTERNATIVE_FRACTION_REGEX + ')?'
                            '(' + _ANSWER_REGEX_PY + ')'
                            '(#(' + ANSWER_ALTERNATIVE_FEEDBACK_REGEX + '))?')
NUMERICAL_ALTERNATIVE_REGEX = '^(' + NUMBER_REGEX + ')(:' + NUMBER_REGEX + ')?$'
ANSWER_REGEX = ANSWER_START_REGEX + '(' + ANSWER_ALTERNATIVE_REGEX + '(~' + ANSWER_ALTERNATIVE_REGEX + ')*)\\}'

# Parenthesis positions (the defines of the same names).
ANSWER_ALTERNATIVE_REGEX_PERCENTILE_FRACTION = 2
ANSWER_ALTERNATIVE_REGEX_FRACTION = 1
ANSWER_ALTERNATIVE_REGEX_ANSWER = 3
ANSWER_ALTERNATIVE_REGEX_FEEDBACK = 5
NUMERICAL_CORRECT_ANSWER = 1
NUMERICAL_ABS_ERROR_MARGIN = 6
ANSWER_REGEX_NORM = 1
ANSWER_REGEX_ANSWER_TYPE_NUMERICAL = 3
ANSWER_REGEX_ANSWER_TYPE_SHORTANSWER = 7
ANSWER_REGEX_ANSWER_TYPE_SHORTANSWER_C = 8
ANSWER_REGEX_ALTERNATIVES = 16
# groups 4-6 and 9-11 are the MULTICHOICE types (single), 12-15 the MULTIRESPONSE ones
_MULTICHOICE_GROUPS = (4, 5, 6, 9, 10, 11)
_MULTIRESPONSE_GROUPS = (12, 13, 14, 15)

_ANSWER = re.compile(ANSWER_REGEX, re.S)
_ALTERNATIVE = re.compile('~?' + ANSWER_ALTERNATIVE_REGEX, re.S)
_NUMERICAL = re.compile(NUMERICAL_ALTERNATIVE_REGEX, re.S)
# what is left of a blank that ANSWER_REGEX did not take (it stays in the text, shown to the student)
LEFT_OVER_BLANK = re.compile(r'\{[^{}:]*:(' + ANSWER_TYPE_DEF_REGEX + '):')


@dataclass
class Answer:
    text: str
    fraction: float
    feedback: str = ""
    tolerance: float | None = None  # numerical answers only


@dataclass
class Question:
    """A question as Moodle stores it after the import: its type, mark, answers (or a cloze's blanks)."""

    qtype: str
    name: str = ""
    mark: float = 1.0
    single: bool = True
    answers: list = field(default_factory=list)
    subquestions: list = field(default_factory=list)  # a cloze's blanks, in order (Question each)
    text: str = ""
    generalfeedback: str = ""
    graderinfo: str = ""
    usecase: bool = False
    errors: list = field(default_factory=list)  # why the import refuses it (empty: imported)


def _truthy(text: str | None) -> bool:
    """PHP's truth of a string: "" and "0" are false."""
    return text not in (None, "", "0")


def _decode(text: str) -> str:
    """An embedded answer's or feedback's text as Moodle stores it: html_entity_decode, then \\} and \\#."""
    return html.unescape(text).replace("\\}", "}").replace("\\#", "#")


def extract_cloze(text: str) -> Question:
    """qtype_multianswer_extract_question: the blanks of a cloze question text, and its mark."""
    question = Question("multianswer", mark=0.0, text=text)
    position = 1
    while (found := _ANSWER.search(question.text)) is not None:
        groups = found.groups()
        norm = found.group(ANSWER_REGEX_NORM)
        wrapped = Question("", mark=float(norm) if norm != "" else 1.0)
        if found.group(ANSWER_REGEX_ANSWER_TYPE_NUMERICAL):
            wrapped.qtype = "numerical"
        elif found.group(ANSWER_REGEX_ANSWER_TYPE_SHORTANSWER):
            wrapped.qtype, wrapped.usecase = "shortanswer", False
        elif found.group(ANSWER_REGEX_ANSWER_TYPE_SHORTANSWER_C):
            wrapped.qtype, wrapped.usecase = "shortanswer", True
        elif any(groups[g - 1] for g in _MULTICHOICE_GROUPS):
            wrapped.qtype, wrapped.single = "multichoice", True
        elif any(groups[g - 1] for g in _MULTIRESPONSE_GROUPS):
            wrapped.qtype, wrapped.single = "multichoice", False
        else:
            raise AssertionError(f"unknownquestiontype {found.group(2)}")
        has_specific_fraction = False
        remaining = found.group(ANSWER_REGEX_ALTERNATIVES)
        while (alt := _ALTERNATIVE.search(remaining)) is not None:
            percentile = alt.group(ANSWER_ALTERNATIVE_REGEX_PERCENTILE_FRACTION)
            if alt.group(ANSWER_ALTERNATIVE_REGEX_FRACTION) == "=":
                fraction = 1.0
            elif _truthy(percentile):
                fraction = 0.01 * float(percentile.replace(",", "."))
                has_specific_fraction = True
            else:
                fraction = 0.0
            feedback = alt.group(ANSWER_ALTERNATIVE_REGEX_FEEDBACK)
            feedback = _decode(feedback) if feedback is not None else ""
            raw = alt.group(ANSWER_ALTERNATIVE_REGEX_ANSWER)
            number = _NUMERICAL.search(raw) if wrapped.qtype == "numerical" else None
            if number is not None:
                margin = number.group(NUMERICAL_ABS_ERROR_MARGIN)
                wrapped.answers.append(Answer(number.group(NUMERICAL_CORRECT_ANSWER), fraction, feedback,
                                              float(margin.replace(",", ".")) if margin is not None else 0.0))
            else:
                wrapped.answers.append(Answer(_decode(raw), fraction, feedback))
            remaining = remaining.split(alt.group(0), 1)[1]
        if wrapped.qtype == "multichoice" and not wrapped.single:
            # "as positive scores should add up to 1, not have a maximum of 1"
            total = sum(a.fraction for a in wrapped.answers if a.fraction > 0)
            if total:
                for a in wrapped.answers:
                    if a.fraction > 0:
                        a.fraction /= total
                    elif not has_specific_fraction:
                        a.fraction = -(1.0 / total)
        question.mark += wrapped.mark
        question.subquestions.append(wrapped)
        question.text = question.text.replace(found.group(0), "{#%d}" % position, 1)
        position += 1
    question.errors = validate_cloze(question)
    return question


_VALID_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")  # qtype_numerical::is_valid_number, no units


def validate_cloze(question: Question) -> list:
    """qtype_multianswer_validate_question: the errors that make import_multianswer refuse the question."""
    if not question.subquestions:
        return ["questionsmissing"]
    errors = []
    for number, sub in enumerate(question.subquestions, start=1):
        count, max_grade = 0, False
        for answer in sub.answers:
            if answer.text.strip() == "":
                continue
            count += 1
            if sub.qtype == "numerical" and not (_VALID_NUMBER.fullmatch(answer.text.strip())
                                                 or answer.text.strip() == "*"):
                errors.append(f"sub_{number}: answermustbenumberorstar {answer.text!r}")
            if answer.fraction == 1 or (sub.qtype == "multichoice" and not sub.single and answer.fraction > 0):
                max_grade = True
        if sub.qtype == "multichoice" and count < 2:
            errors.append(f"sub_{number}: notenoughanswers")
        elif count == 0:
            errors.append(f"sub_{number}: notenoughanswers")
        if not max_grade:
            errors.append(f"sub_{number}: fractionsnomax")
    return errors


# ------------------------------------------------------------------ lib/questionlib.php
# question_bank::ensure_fraction_options_initialised: $rawfractions, and fraction_options_full() adds
# 0, 1, their negatives and -1.
RAW_FRACTIONS = (0.9000000, 0.8333333, 0.8000000, 0.7500000, 0.7000000, 0.6666667, 0.6000000, 0.5000000,
                 0.4000000, 0.3333333, 0.3000000, 0.2500000, 0.2000000, 0.1666667, 0.1428571, 0.1250000,
                 0.1111111, 0.1000000, 0.0500000)
FRACTION_OPTIONS_FULL = (0.0, 1.0) + RAW_FRACTIONS + tuple(-f for f in reversed(RAW_FRACTIONS)) + (-1.0,)


def match_grade_options(fraction: float) -> float | None:
    """match_grade_options($gradeoptionsfull, $grade, 'error'): the listed fraction within 0.00001, or None."""
    for value in FRACTION_OPTIONS_FULL:
        if abs(fraction - value) < 0.00001:
            return value
    return None


# ------------------------------------------------------------------ question/format/xml/format.php


def _text(element, path: str) -> str:
    found = element.find(path)
    return (found.text or "") if found is not None else ""


def import_question(element) -> Question:
    """One ``<question>`` of a Moodle XML file as the import stores it (``errors`` when it refuses it)."""
    qtype = element.get("type")
    name = _text(element, "name/text")
    if qtype == "cloze":
        question = extract_cloze(_text(element, "questiontext/text"))  # import_multianswer
        question.qtype, question.name = "multianswer", name
        question.generalfeedback = _text(element, "generalfeedback/text")
        return question
    question = Question(qtype, name=name, mark=float(_text(element, "defaultgrade") or 1),  # import_headers
                        text=_text(element, "questiontext/text"),
                        generalfeedback=_text(element, "generalfeedback/text"),
                        graderinfo=_text(element, "graderinfo/text"))
    question.single = _text(element, "single") not in ("false", "0")
    question.usecase = _text(element, "usecase") == "1"
    for answer in element.findall("answer"):
        tolerance = answer.find("tolerance")
        question.answers.append(Answer(_text(answer, "text"), float(answer.get("fraction", 0)) / 100,
                                       _text(answer, "feedback/text"),
                                       float(tolerance.text) if tolerance is not None else None))
    # importprocess: every fraction in the list, or the question is not imported
    for answer in question.answers:
        matched = match_grade_options(answer.fraction)
        if matched is None:
            question.errors.append(f"invalidgrade {answer.fraction}")
        else:
            answer.fraction = matched
    if qtype == "multichoice":  # qtype_multichoice::save_question_options
        if question.single and max((a.fraction for a in question.answers), default=0) != 1:
            question.errors.append("fractionsnomax")
        if not question.single and round(sum(a.fraction for a in question.answers if a.fraction > 0), 2) != 1:
            question.errors.append("fractionsaddwrong")
    return question


def import_file(path) -> list:
    """Every question of a Moodle XML file (categories left out), in order."""
    return [import_question(q) for q in ET.parse(path).getroot().findall("question")
            if q.get("type") != "category"]


# ------------------------------------------------------------------ grading, as the question types do it

PHP_PRECISION = 14  # php.ini's default 'precision'


def tolerance_interval(answer: Answer) -> tuple:
    """qtype_numerical_answer::get_tolerance_interval, nominal (type 2, what the import sets)."""
    epsilon = 10.0 ** -PHP_PRECISION
    value, tolerance = float(answer.text), abs(answer.tolerance or 0.0)
    tolerance = tolerance + epsilon * max(abs(tolerance), abs(value), epsilon)
    return value - tolerance, value + tolerance


def numerical_answer(question: Question, value: float) -> Answer | None:
    """qtype_numerical_question::get_matching_answer: the first answer whose interval holds ``value``."""
    for answer in question.answers:
        if answer.text == "*":
            return answer
        low, high = tolerance_interval(answer)
        if low <= value <= high:
            return answer
    return None


def numerical_fraction(question: Question, value: float) -> float:
    answer = numerical_answer(question, value)
    return answer.fraction if answer is not None else 0.0


def multichoice_fraction(question: Question, chosen: list) -> float:
    """The fraction for the answers at indices ``chosen``: single, the chosen one's; multiple, the sum of
    the chosen ones' kept in [0, 1] (qtype_multichoice_multi_question::grade_response)."""
    total = sum(question.answers[i].fraction for i in chosen)
    return total if question.single else min(max(0.0, total), 1.0)


def shortanswer_matches(response: str, pattern: str, usecase: bool) -> bool:
    """qtype_shortanswer_question::compare_string_with_wildcard (runs of unescaped * are wildcards)."""
    bits = re.split(r"(?<!\\)\*+", pattern)
    regexp = "^" + ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits) + "$"
    return re.search(regexp, response.strip(), 0 if usecase else re.I) is not None


def shortanswer_fraction(question: Question, response: str) -> float:
    for answer in question.answers:
        if shortanswer_matches(response, answer.text, question.usecase):
            return answer.fraction
    return 0.0


def cloze_fraction(question: Question, fractions: list) -> float:
    """qtype_multianswer_question::grade_response: the blanks' fractions weighted by their marks."""
    weights = [sub.mark for sub in question.subquestions]
    return sum(f * w for f, w in zip(fractions, weights)) / sum(weights)


def is_close(a: float, b: float) -> bool:
    """Equal as Moodle stores fractions: question_answers.fraction keeps 7 decimals (NUMBER(12,7))."""
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-6)
