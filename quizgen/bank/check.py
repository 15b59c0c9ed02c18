"""``quizgen check``: stress-test templates over many seeds before trusting them.

For every template and seed: draw and freeze a variant, thaw it and re-solve
(the frozen key must come back), render the stem and the solution, grade the
key as a student would type it (full marks), grade the hand-calculation key
(full marks), grade every named mistake (not full marks, and the mistake is
named), and grade a perturbed answer (not full marks); replay solve with answers a student
could give (each part's key negated, times ten, perturbed) and fail a template whose solve then
raises Redraw (error carried forward would be denied: reject with ``work.reject``). Each variant
is timed. Over all the draws, every ``Part.uses`` is verified (:func:`uses_problems`): a part that
leaves out an earlier part its answer depends on would silently deny error carried forward from it.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field

import numpy as np

from quizgen.bank.marking import grade
from quizgen.bank.kinds import LETTERS
from quizgen.bank.question import Redraw, Template, TemplateError, Variant, thaw
from quizgen.bank.seeds import rng_for
from quizgen.bank.texts import render_solution, render_stem


@dataclass
class CheckReport:
    template_id: str
    seeds: int = 0
    failures: list = field(default_factory=list)  # (seed, message)
    times_ms: list = field(default_factory=list)  # generate + solve (draw) per variant

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else float("nan")

    @property
    def max_ms(self) -> float:
        return max(self.times_ms) if self.times_ms else float("nan")


def _typed(template: Template, answers: dict) -> dict:
    """Answers written as a student would type them (the kind's own format)."""
    return {p.name: p.kind.format(p.kind.from_json(answers[p.name]))
            for p in template.parts if p.name in answers}


def check_variant(template: Template, variant: Variant) -> list:
    """Every reason this variant is not trustworthy (empty when it is)."""
    problems = []
    gradable = [p for p in template.parts if not p.kind.graded_by_hand]
    # the frozen JSON must be enough: thaw, re-solve, same key
    again = Variant.from_json(json.loads(variant.dumps()))
    resolved = template.solve(thaw(again.params))
    for p in gradable:
        if not p.kind.matches(resolved.answers[p.name], p.kind.from_json(variant.answers[p.name])):
            problems.append(f"part {p.name}: re-solving the frozen params gives another key")
    render_stem(template, variant)
    render_solution(template, variant)
    for label, answers in (("key", variant.answers), ("hand key", variant.hand_answers)):
        result = grade(template, variant, _typed(template, answers))
        for r, p in zip(result.parts, template.parts):
            if p in gradable and r.status != "correct":
                problems.append(f"the {label} typed as {r.response!r} is graded {r.status} for part "
                                f"{r.part} ({r.feedback})")
    for name, wrong in variant.mistakes.items():
        # the key everywhere but where the mistake changes the answer
        responses = _typed(template, variant.answers) | _typed(template, wrong)
        result = grade(template, variant, responses, ecf=False)
        if result.earned >= result.possible:
            problems.append(f"mistake {name} scores full marks")
        if not any(name == r.mistake or name in r.also for r in result.parts):
            problems.append(f"mistake {name} is not named when its answer is typed")
    for p in gradable:
        responses = _typed(template, variant.answers)
        responses[p.name] = p.kind.format(p.kind.perturb(p.kind.from_json(variant.answers[p.name])))
        result = grade(template, variant, responses)
        if next(r for r in result.parts if r.part == p.name).status in ("correct", "ecf"):
            problems.append(f"part {p.name}: a perturbed answer {responses[p.name]!r} passes")
    return problems


def student_values(part, key) -> list:
    """Values a student could give for ``part`` whose key is ``key``: negated, ten times, perturbed."""
    if not part.kind.carries_forward:
        return []
    if not part.kind.numeric:
        return [part.kind.perturb(key)]
    return [-key, key * 10, part.kind.perturb(key)]


def check_replays(template: Template, variant: Variant) -> list:
    """Solve replayed with a student's values (one earlier part at a time, then all of them) must
    not raise Redraw: grading would take it for "cannot carry forward" and deny the credit."""
    params = thaw(variant.params)
    keys = {p.name: p.kind.from_json(variant.answers[p.name]) for p in template.parts
            if not p.kind.graded_by_hand}
    choices = {p.name: student_values(p, keys[p.name]) for p in template.parts if p.name in keys}
    givens = [{name: value} for name, values in choices.items() for value in values]
    givens += [{name: values[k] for name, values in choices.items() if len(values) > k} for k in range(3)]
    for given in givens:
        if not given:
            continue
        for hand in (False, True):
            try:
                with np.errstate(all="ignore"):  # a student's value may take a log of a negative number
                    template.solve(params, given=given, hand=hand)
            except Redraw as why:
                shown = ", ".join(f"{n} = {template.part(n).kind.format(v)}" for n, v in given.items())
                return [f"solve raises Redraw ({why}) when replayed with a student's {shown}: error "
                        f"carried forward would be denied; reject the draw with work.reject(reason), "
                        f"which acts on the key's own computation only"]
            except Exception:  # a student's value solve cannot use: no credit to carry, not a failure
                continue
    return []


def check_choices(template: Template, variant: Variant) -> list:
    """The multiple-choice form: the key's letter scores full; each mistake's letter does not, named."""
    problems = []
    key_letters = {name: c["key"] for name, c in variant.choices.items()}
    typed = _typed(template, variant.answers) | key_letters
    result = grade(template, variant, typed)
    for r in result.parts:
        if r.status != "correct":
            problems.append(f"choice form: the key {typed[r.part]!r} is graded {r.status} for part {r.part}")
    for name, c in variant.choices.items():
        for letter, mistake in zip(LETTERS, c["mistakes"]):
            if mistake is None:
                continue
            r = next(r for r in grade(template, variant, typed | {name: letter}).parts if r.part == name)
            if r.status == "correct" or mistake not in (r.mistake,) + r.also:
                problems.append(f"choice form: option {letter} ({mistake}) of part {name} is graded "
                                f"{r.status} without naming the mistake")
    return problems


# -- Part.uses: a part that does not declare an earlier part it depends on denies error carried forward

def declared_parts(template: Template) -> list:
    """The parts that declare ``uses`` (the others use every earlier part: nothing to verify)."""
    return [p for p in template.parts if p.uses is not None]


def uses_evidence(template: Template, variants) -> dict:
    """(q, p) -> where a wrong value of the earlier part q changed the declared part p's answer, or
    made solve raise: each variant's key of q replaced by each of its kind's ``carried_wrong_values``
    (as a student's answer replaces it), in exact and in hand calculation. ``variants`` are
    ``(label, variant)`` pairs (drawn at any size)."""
    names = [p.name for p in template.parts]
    declared = declared_parts(template)
    changed: dict = {}
    if not declared:
        return changed
    with np.errstate(all="ignore"):  # a student's value may take a log out of its domain
        for label, variant in variants:
            params = thaw(variant.params)
            base = {hand: template.solve(params, hand=hand).answers for hand in (False, True)}
            for q in template.parts:
                later = [p for p in declared if names.index(p.name) > names.index(q.name)]
                if not q.kind.carries_forward or not later:
                    continue
                wrongs = q.kind.carried_wrong_values(q.kind.from_json(variant.answers[q.name]))
                for k, wrong in enumerate(wrongs):
                    for hand in (False, True):
                        where = f"{label}, wrong value {k + 1} of {q.name}{' (by hand)' if hand else ''}"
                        try:
                            answers = template.solve(params, given={q.name: wrong}, hand=hand).answers
                        except Exception as exc:  # noqa: BLE001 - any failure counts as depending
                            for p in later:
                                changed.setdefault((q.name, p.name), f"{where}: {type(exc).__name__}: {exc}")
                            continue
                        for p in later:
                            if not _same_value(answers[p.name], base[hand][p.name]):
                                changed.setdefault((q.name, p.name), f"{where}: {p.name} became "
                                                   f"{answers[p.name]!r}, not {base[hand][p.name]!r}")
    return changed


def _same_value(a, b) -> bool:
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except (TypeError, ValueError):
        return a == b


def uses_declaration_problems(template: Template) -> list:
    """What is wrong with the ``uses`` declarations themselves, before any solving."""
    problems = []
    for p in declared_parts(template):
        if not p.kind.carries_forward:
            problems.append(f"part {p.name}: declares uses, but a {p.kind.name} answer is never "
                            f"credited by error carried forward")
        for q in p.uses:
            if not template.part(q).kind.carries_forward:
                problems.append(f"part {p.name}: uses {q}, whose {template.part(q).kind.name} answer "
                                f"never carries forward")
    return problems


def uses_problems(template: Template, variants, evidence: dict | None = None) -> list:
    """Every wrong ``Part.uses`` of ``template`` over ``variants`` (``(label, variant)`` pairs), naming
    the part: an earlier part left out that changes the answer (error carried forward from it would
    be denied), or one declared that no wrong value of it changed in these draws."""
    variants = list(variants)
    problems = uses_declaration_problems(template)
    changed = uses_evidence(template, variants) if evidence is None else evidence
    for k, p in enumerate(template.parts):
        if p.uses is None:
            continue
        for q in template.parts[:k]:
            if q.kind.carries_forward and q.name not in p.uses and (q.name, p.name) in changed:
                problems.append(f"part {p.name}: uses does not name {q.name}, yet {changed[q.name, p.name]} "
                                f"(error carried forward from {q.name} would be denied: add it to uses)")
        for q in p.uses:
            if template.part(q).kind.carries_forward and (q, p.name) not in changed:
                problems.append(f"part {p.name}: uses names {q}, but no wrong value of {q} changed it in "
                                f"{len(variants)} draws (remove it, or check with more seeds)")
    return problems


def check_template(template: Template, seeds: int, first_seed: int = 0) -> CheckReport:
    report = CheckReport(template.id)
    drawn = []  # (label, variant) of each typed draw: what Part.uses is verified over
    for seed in range(first_seed, first_seed + seeds):
        report.seeds += 1
        try:
            start = time.perf_counter()
            variant = template.draw(rng_for(seed), str(seed))
            report.times_ms.append((time.perf_counter() - start) * 1e3)
            drawn.append((f"seed {seed}", variant))
            problems = check_variant(template, variant) + check_replays(template, variant)
            if "computer" in template.sizes:
                computer = template.draw(rng_for(seed), str(seed), size="computer")
                drawn.append((f"seed {seed} (computer size)", computer))
                problems += check_variant(template, computer)
            if template.has_choice_form():
                problems += check_choices(template, template.draw(rng_for(seed), str(seed), form="choice"))
            for problem in problems:
                report.failures.append((seed, problem))
        except TemplateError as exc:
            report.failures.append((seed, str(exc)))
        except Exception as exc:  # a template bug of any kind is a check failure, reported with its seed
            report.failures.append((seed, f"{type(exc).__name__}: {exc}"))
        if len(report.failures) >= 5:
            break
    if drawn and len(report.failures) < 5:
        try:
            problems = uses_problems(template, drawn)
        except Exception as exc:  # a template bug while solving its own key: a check failure
            problems = [f"verifying uses: {type(exc).__name__}: {exc}"]
        seeds_label = f"{first_seed}-{first_seed + report.seeds - 1}"
        report.failures += [(seeds_label, problem) for problem in problems]
    return report
