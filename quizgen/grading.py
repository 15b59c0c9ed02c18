"""Grading one variant: parse each part, compare with the frozen key, carry errors forward.

A part is, in this order of checks:

* ``blank`` when nothing was typed, ``invalid`` when it cannot be parsed (with
  the parser's reason: invalid is not wrong, and is reported apart);
* ``correct`` when it matches the exact key or the hand-calculation key (the
  answer reached by carrying intermediates at the precision the stem asks);
* ``ecf`` (error carried forward, full credit) when an earlier part was not
  right and this part is right *given the student's own earlier answers*: the
  template's solve is re-run with those answers in place of its own;
* ``wrong``, naming the mistake when the answer matches one of the template's
  named mistakes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quizgen.kinds import InvalidAnswer, normalize
from quizgen.question import Redraw, Template, TemplateError, Variant, thaw

STATUSES = ("correct", "ecf", "wrong", "invalid", "blank")


@dataclass
class PartResult:
    part: str
    label: str
    status: str
    credit: float
    points: float
    response: str
    key: str
    mistake: str | None = None       # the first named mistake the answer matches
    feedback: str = ""
    also: tuple = ()                 # further named mistakes giving the same answer

    @property
    def earned(self) -> float:
        return self.credit * self.points


@dataclass
class QuestionResult:
    template_id: str
    parts: list = field(default_factory=list)

    @property
    def earned(self) -> float:
        return sum(p.earned for p in self.parts)

    @property
    def possible(self) -> float:
        return sum(p.points for p in self.parts)


def grade(template: Template, variant: Variant, responses: dict, ecf: bool = True,
          ecf_credit: float = 1.0) -> QuestionResult:
    """Grade ``responses`` (part name -> typed text) against ``variant``'s frozen key."""
    if variant.template_id != template.id:
        raise TemplateError(f"variant of {variant.template_id} graded with template {template.id}")
    result = QuestionResult(template.id)
    parsed: dict = {}
    earlier_wrong = False
    params = None
    for part in template.parts:
        kind = part.kind
        key = kind.from_json(variant.answers[part.name])
        text = responses.get(part.name, "")
        shown_key = kind.format(key)
        try:
            text = normalize(text)
        except InvalidAnswer as bad:
            result.parts.append(PartResult(part.name, part.label, "invalid", 0.0, part.points,
                                           str(text)[:80] + "…", shown_key, feedback=bad.reason))
            earlier_wrong = True
            continue
        if not text:
            result.parts.append(PartResult(part.name, part.label, "blank", 0.0, part.points, "",
                                           shown_key, feedback="no answer"))
            earlier_wrong = True
            continue
        try:
            value = kind.parse(text)
        except InvalidAnswer as bad:
            result.parts.append(PartResult(part.name, part.label, "invalid", 0.0, part.points,
                                           text, shown_key, feedback=bad.reason))
            earlier_wrong = True
            continue
        hand = kind.from_json(variant.hand_answers[part.name])
        if kind.matches(value, key) or kind.matches(value, hand):
            status, credit, feedback = "correct", 1.0, "correct"
        else:
            status, credit, feedback = "wrong", 0.0, "not the key"
            if ecf and earlier_wrong and kind.numeric:
                if params is None:
                    params = thaw(variant.params)
                if _carried_forward(template, params, parsed, part, value):
                    status, credit = "ecf", ecf_credit
                    feedback = "right from your own earlier answers (error carried forward)"
        mistake, also = None, ()
        if status == "wrong":
            named = _named_mistakes(kind, variant, part.name, value)
            if named:
                mistake, also = named[0], tuple(named[1:])
                feedback = "; or ".join(template.mistakes[m] for m in named)
        if status != "correct":
            earlier_wrong = True
        if kind.numeric:
            parsed[part.name] = value
        result.parts.append(PartResult(part.name, part.label, status, credit, part.points, text,
                                       shown_key, mistake=mistake, feedback=feedback, also=also))
    return result


def _carried_forward(template, params, parsed, part, value) -> bool:
    if not parsed:
        return False
    for hand in (False, True):
        try:
            work = template.solve(params, given=dict(parsed), hand=hand)
            if part.kind.matches(value, work.answers[part.name]):
                return True
        except (Redraw, ArithmeticError, ValueError, TypeError, IndexError, KeyError):
            # a student's value of the wrong size or domain (or one the template
            # would never have drawn) cannot carry forward
            continue
    return False


def _named_mistakes(kind, variant, part_name, value) -> list:
    """Every named mistake whose answer for this part the value matches, in the template's order."""
    return [name for name, answers in variant.mistakes.items()
            if part_name in answers and kind.matches(value, kind.from_json(answers[part_name]))]
