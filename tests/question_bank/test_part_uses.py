"""Every ``Part.uses`` declaration in the bank is right, checked by perturbing the other parts.

Grading re-runs a template's solve for error carried forward only when a part that
``template.influences(p)`` names was answered wrong, so a declaration that leaves out a
real dependency would deny a student credit. For each declared part p and each earlier
part q that carries forward, q's key value is replaced by several wrong values (as a
student's answer would replace it): when q is not declared, p's answer must not change,
exactly, in exact and in hand calculation; when q is declared, some draw must change p
(or make solve raise), so the declaration is not broader than it needs to be.
"""

import functools
import types
from pathlib import Path

import numpy as np
import pytest

from quizgen.bank.loader import load_bank
from quizgen.bank.kinds import Integer, Number
from quizgen.bank.question import Part, Template, TemplateError, thaw

BANK = load_bank()
SEEDS = range(1000, 1040)
DECLARED = sorted(tid for tid, t in BANK.templates.items() if any(p.uses is not None for p in t.parts))


def perturbations(kind, x) -> list:
    """Wrong values a student might give for a part of this kind whose key is ``x``."""
    if kind.name == "integer":
        return [x + 1, x + 3, x * 2]
    if kind.name == "number":
        return [x * 1.37 + 0.11, x - 0.23, -x]
    if kind.name == "shape":
        x = tuple(x)
        one_dim = [tuple(d + (k == j) for k, d in enumerate(x)) for j in range(len(x))]
        return one_dim + [tuple(d + 1 for d in x), (x[0] + 2,) + x[1:]]
    if kind.name in ("vector", "matrix"):
        a = np.asarray(x, dtype=float)
        out = [a * 1.37 + 0.11, a - 0.23, -a]
        for index in (0, -1):  # one element alone
            b = a.copy().ravel()
            b[index] += 0.31
            out.append(b.reshape(a.shape))
        return out
    raise AssertionError(f"no perturbations for a {kind.name} part")


def _same(a, b) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


@functools.lru_cache(maxsize=None)
def observe(template_id: str) -> dict:
    """(q, p) -> the first perturbation of q that changed a declared part p (or made solve raise)."""
    t = BANK.get(template_id)
    names = [p.name for p in t.parts]
    declared = [p for p in t.parts if p.uses is not None]
    changed: dict = {}
    with np.errstate(all="ignore"):  # a student's value may take a log out of its domain
        _perturb(t, names, declared, changed)
    return changed


def _perturb(t, names, declared, changed) -> None:
    """Fill ``changed`` over every size and seed, one earlier part given a wrong value at a time."""
    for size in t.sizes:
        for seed in SEEDS:
            v = t.draw(np.random.default_rng(seed), f"uses{seed}", size=size)
            params = thaw(v.params)
            base = {hand: t.solve(params, hand=hand).answers for hand in (False, True)}
            for q in t.parts:
                later = [p for p in declared if names.index(p.name) > names.index(q.name)]
                if not q.kind.carries_forward or not later:
                    continue
                for k, wrong in enumerate(perturbations(q.kind, q.kind.from_json(v.answers[q.name]))):
                    for hand in (False, True):
                        where = f"{size} seed {seed}, perturbation {k} of {q.name}, hand={hand}"
                        try:
                            answers = t.solve(params, given={q.name: wrong}, hand=hand).answers
                        except Exception as exc:  # noqa: BLE001 - any failure counts as depending
                            for p in later:
                                changed.setdefault((q.name, p.name), f"{where}: {type(exc).__name__}: {exc}")
                            continue
                        for p in later:
                            if not _same(answers[p.name], base[hand][p.name]):
                                changed.setdefault((q.name, p.name), f"{where}: {p.name} became "
                                                   f"{answers[p.name]!r}, not {base[hand][p.name]!r}")


def test_declarations_exist_and_name_earlier_parts_that_carry_forward():
    assert len(DECLARED) >= 30
    for tid in DECLARED:
        t = BANK.get(tid)
        names = [p.name for p in t.parts]
        for k, p in enumerate(t.parts):
            if p.uses is None:
                continue
            assert p.kind.carries_forward, f"{tid}.{p.name}: only a part that carries forward is re-graded"
            assert list(p.uses) == [n for n in names[:k] if n in p.uses], f"{tid}.{p.name}: not in PARTS order"
            for q in p.uses:
                assert t.part(q).kind.carries_forward, f"{tid}.{p.name} uses {q}, which never carries forward"
            earlier = [q.name for q in t.parts[:k] if q.kind.carries_forward]
            assert set(p.uses) < set(earlier), f"{tid}.{p.name}: a declaration naming every earlier part is noise"


@pytest.mark.parametrize("template_id", DECLARED)
def test_a_part_not_declared_never_changes_the_answer(template_id):
    t = BANK.get(template_id)
    changed = observe(template_id)
    wrong = []
    for k, p in enumerate(t.parts):
        if p.uses is None:
            continue
        for q in t.parts[:k]:
            if q.kind.carries_forward and q.name not in t.influences(p.name) and (q.name, p.name) in changed:
                wrong.append(f"{p.name} does not declare {q.name}, yet {changed[q.name, p.name]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("template_id", DECLARED)
def test_every_declared_part_changes_the_answer_for_some_draw(template_id):
    t = BANK.get(template_id)
    changed = observe(template_id)
    idle = [f"{p.name} declares {q}, but no perturbation of {q} changed it"
            for p in t.parts if p.uses is not None for q in p.uses if (q, p.name) not in changed]
    assert not idle, "\n".join(idle)


# -- loading refuses a declaration that names no earlier part ----------------------------------

FAKE = ("fake.uses", "fake", Path("fake/uses.py"))  # id, topic and file of the fake template


def _module(parts) -> types.ModuleType:
    module = types.ModuleType("fake_template")
    module.__dict__.update(
        TITLE="Fake", VERSION=1, PARTS=parts, STEM="x", SOLUTION="x",
        generate=lambda rng: {"a": 1.0},
        solve=lambda p, work: [work.answer(n, p["a"]) for n in ("a", "b", "c")],
    )
    return module


def test_a_template_with_declarations_of_earlier_parts_loads():
    t = Template.from_module(_module([Part("a", Number(4)), Part("b", Integer(), uses=()),
                                      Part("c", Number(4), uses=["a"])]), *FAKE)
    assert t.influences("a") == ()
    assert t.influences("b") == ()
    assert t.influences("c") == ("a",)


@pytest.mark.parametrize("uses", [("c",), ("b",), ("a", "zz"), ("nothing",)],
                         ids=["later", "itself", "unknown_beside_earlier", "unknown"])
def test_a_template_whose_uses_names_no_earlier_part_fails_to_load(uses):
    parts = [Part("a", Number(4)), Part("b", Number(4), uses=uses), Part("c", Number(4))]
    with pytest.raises(TemplateError, match="not earlier parts"):
        Template.from_module(_module(parts), *FAKE)
