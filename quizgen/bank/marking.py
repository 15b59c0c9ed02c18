"""Grading one variant: parse each part, compare with the frozen key, carry errors forward.

A part is, in this order of checks:

* ``blank`` when nothing was typed, ``invalid`` when it cannot be parsed (with
  the parser's reason: invalid is not wrong, and is reported apart);
* ``correct`` when it lies in the part's accepted interval (the hull of the exact
  key and every rounding path's answer, widened by the final rounding: see
  ``Template.freeze_variant``), or for a kind without one (integers, shapes,
  letters, formulas) when it matches the key or the hand-calculation key;
* ``ecf`` (error carried forward, full credit) when an earlier part that this
  one uses (``Part.uses``) was answered wrong and this part is right *given
  the student's own earlier answers*: the template's solve is re-run with
  those answers in place of its own (a blank or unreadable earlier part has no
  value to carry, so it starts no re-run);
* ``partial`` when the part has several right options, the exam scores it per option
  (``multiple_answer_credit = "partial"``) and the options chosen earn part of its
  points (``credit`` between 0 and 1: :meth:`quizgen.bank.kinds.Choice.credit`);
* ``wrong``, naming a mistake when the answer lies in that mistake's interval
  (and outside the key's).

A part a person marks (``kind.graded_by_hand``: an essay) is ``blank`` or ``to_mark``: its text is
kept whole, as typed, never parsed nor compared, and it earns what an override gives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from quizgen.bank.answertext import InvalidAnswer, normalize
from quizgen.bank.kinds import ALL_OR_NOTHING, LETTERS, Choice
from quizgen.bank.question import (PATHS, Redraw, Template, TemplateError, Variant, accepted_interval,
    mistake_interval, thaw)


@dataclass
class PartResult:
    part: str
    label: str
    status: str
    credit: float
    points: float
    response: str
    key: str                         # the key as shown to the student ("" when the answer is correct)
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
          ecf_credit: float = 1.0, credit: dict | None = None) -> QuestionResult:
    """Grade ``responses`` (part name -> typed text) against ``variant``'s frozen key.

    A part the variant offers as multiple choice (``variant.choices``) is read
    as a letter; the option chosen stands for its numeric value, so a later
    typed part can still earn error-carried-forward credit from it. ``credit``
    gives a part's multiple_answer_credit rule (part name -> rule; all-or-nothing
    for a part it leaves out), as the manifest froze it.
    """
    if variant.template_id != template.id:
        raise TemplateError(f"variant of {variant.template_id} graded with template {template.id}")
    result = QuestionResult(template.id)
    parsed: dict = {}       # part -> the student's value, for error carried forward
    answered_wrong = set()  # parts answered, and wrong: their values are what can carry forward
    params = None
    for part in template.parts:
        graded = grade_part(template, variant, part, responses.get(part.name, ""),
                            (credit or {}).get(part.name, ALL_OR_NOTHING))
        if graded["status"] != "correct":
            graded["key"] = shown_key(part, variant)
        value = graded.pop("value", None)
        if graded["status"] == "wrong" and ecf and may_carry_forward(template, variant, part, answered_wrong):
            if params is None:
                params = thaw(variant.params)
            if carried_forward(template, params, parsed, part, value):
                graded.update(status="ecf", credit=ecf_credit, mistake=None, also=(), feedback=ECF_FEEDBACK)
        if graded["status"] in ("wrong", "ecf"):
            answered_wrong.add(part.name)  # a blank or unreadable answer has no value of the student's to carry
        if value is not None and part.kind.carries_forward:
            parsed[part.name] = value
        result.parts.append(PartResult(part.name, part.label, points=part.points, **graded))
    return result


def credit_rules(template, variant, rule: str) -> dict:
    """Part name -> its credit rule when every part with several right options is credited by ``rule``
    (the exam's multiple_answer_credit): the parts whose kind lets a rule apply (asked of the kind), typed
    as such (not drawn as one letter). What ``grade``'s ``credit`` takes."""
    choices = variant.choices if variant is not None else {}
    return {p.name: rule for p in template.parts if p.kind.credit_rules_apply and p.name not in choices}


def shown_key(part, variant) -> str:
    """The key as the student is shown it (the letter and the value for a choice part)."""
    key = part.kind.format(part.kind.from_json(variant.answers[part.name]))
    choice = variant.choices.get(part.name)
    return f"{choice['key']} ({key})" if choice else key


ECF_FEEDBACK = "right from your own earlier answers (error carried forward)"


def may_carry_forward(template, variant, part, answered_wrong: set) -> bool:
    """Whether a wrong answer to ``part`` is worth checking for error carried forward: its kind
    carries values, it was typed (not chosen), and it uses a part in ``answered_wrong``."""
    return part.kind.carries_forward and part.name not in variant.choices \
        and bool(answered_wrong.intersection(template.influences(part.name)))


def carried_value(part, variant, text):
    """The value a part's answer carries forward: what was typed, read by the part's kind, or for
    a letter of a choice part the value of that option. Raises InvalidAnswer as the kind does."""
    choice = variant.choices.get(part.name)
    if choice:
        letter = next(iter(Choice(len(choice["options"])).parse(normalize(text))))
        return part.kind.from_json(choice["options"][LETTERS.index(letter)])
    return part.kind.parse(normalize(text))


def grade_part(template, variant, part, text, rule: str = ALL_OR_NOTHING) -> dict:
    """Status, credit, feedback and the parsed value of one part (before error carried forward);
    ``rule`` is the part's multiple_answer_credit (it matters only to a kind with several options)."""
    choice = variant.choices.get(part.name)
    kind = Choice(len(choice["options"])) if choice else part.kind
    key = part.kind.from_json(variant.answers[part.name])
    out = {"status": "wrong", "credit": 0.0, "response": "", "key": "",
           "mistake": None, "also": (), "feedback": ""}
    if part.kind.graded_by_hand:
        return _to_mark(out, text)
    try:
        text = normalize(text)
        out["response"] = text
        if not text:
            return out | {"status": "blank", "feedback": "no answer"}
        value = kind.parse(text)
    except InvalidAnswer as bad:
        return out | {"status": "invalid", "response": str(text)[:200], "feedback": bad.reason}
    if choice:
        index = LETTERS.index(next(iter(value)))
        named = [choice["mistakes"][index]] if choice["mistakes"][index] else []
        value, correct = part.kind.from_json(choice["options"][index]), index == LETTERS.index(choice["key"])
    else:
        interval = accepted_interval(part, variant)
        if interval is not None:
            correct = kind.in_interval(value, interval)
        else:
            hand = part.kind.from_json(variant.hand_answers[part.name])
            correct = kind.matches(value, key) or kind.matches(value, hand)
        named = [] if correct else _named_mistakes(template, part, variant, value)
    out["value"] = value
    if correct:
        return out | {"status": "correct", "credit": 1.0, "feedback": "correct"}
    share = kind.credit(value, key, rule) if rule != ALL_OR_NOTHING and not choice else 0.0
    if share > 0:
        return out | {"status": "partial", "credit": share, "feedback": partial_feedback(share)}
    if named:
        return out | {"mistake": named[0], "also": tuple(named[1:]),
                      "feedback": "; or ".join(template.mistakes[m] for m in named)}
    return out | {"feedback": "not the key"}


TO_MARK_FEEDBACK = "to be marked by hand"


def _to_mark(out: dict, text) -> dict:
    """A part a person marks: its whole text (any length: nothing is parsed), to be marked."""
    text = "" if text is None else str(text)
    if not text.strip():
        return out | {"status": "blank", "feedback": "no answer"}
    return out | {"status": "to_mark", "response": text.strip(), "feedback": TO_MARK_FEEDBACK}


def partial_feedback(share: float) -> str:
    """What a partly right answer is told: its share of the points as the fraction it is (a share is
    a ratio of small whole numbers, :meth:`quizgen.bank.kinds.Choice.credit`)."""
    return f"{Fraction(share).limit_denominator(10_000)} of the points: each right option " \
           "chosen earns its share, each wrong option chosen takes one away"


def carried_forward(template, params, parsed, part, value) -> bool:
    """Whether ``value`` is part's answer when solve is given the student's ``parsed`` earlier values:
    within the accepted interval of those replays (exact and the hand key's rounding, and when the
    value is near, every rounding path of :data:`PATHS`), as the key's own interval is built."""
    if not parsed:
        return False
    kind = part.kind
    answers = []
    paths = [(False, 0, "half-even"), (True, 0, "half-even")]
    for k, (hand, extra, rounding) in enumerate(paths):
        try:
            work = template.solve(params, given=dict(parsed), hand=hand, rounding=rounding, extra=extra)
            answer = work.answers[part.name]
        except (Redraw, ArithmeticError, ValueError, TypeError, IndexError, KeyError):
            # a student's value of the wrong size or domain (or one the template
            # would never have drawn) cannot carry forward
            continue
        if not kind.has_interval:
            if kind.matches(value, answer):
                return True
            continue
        answers.append(float(answer) if isinstance(answer, (float, np.floating)) else answer)
        try:
            lo, hi = kind.hull_bounds(answers)
        except (TypeError, ValueError):
            continue
        if kind.in_bounds(value, lo, hi):
            return True
        if k == 1:
            # near the replays' interval (within twenty times its width): try the other paths too
            reach = 20 * (np.asarray(hi) - np.asarray(lo))
            if kind.in_bounds(value, lo - reach, hi + reach):
                paths += [(True, extra, rounding) for extra, rounding in PATHS[1:]]
    return False


def _named_mistakes(template, part, variant, value) -> list:
    """Every named mistake whose interval for this part holds the value (for a kind without
    intervals, whose answer the value matches), in the template's order (not the variant's: a
    manifest stores its mistakes sorted by name)."""
    out = []
    for name in template.mistakes:
        if name not in variant.mistakes or part.name not in variant.mistakes[name]:
            continue
        interval = mistake_interval(part, variant, name)
        if interval is not None:
            if part.kind.in_interval(value, interval):
                out.append(name)
        elif part.kind.matches(value, part.kind.from_json(variant.mistakes[name][part.name])):
            out.append(name)
    return out
