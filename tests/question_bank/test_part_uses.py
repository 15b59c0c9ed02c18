"""Every ``Part.uses`` declaration in the bank is right, checked by perturbing the other parts.

Grading re-runs a template's solve for error carried forward only when a part that
``template.influences(p)`` names was answered wrong, so a declaration that leaves out a
real dependency would deny a student credit. For each declared part p and each earlier
part q that carries forward, q's key value is replaced by several wrong values (as a
student's answer would replace it): when q is not declared, p's answer must not change,
exactly, in exact and in hand calculation; when q is declared, some draw must change p
(or make solve raise), so the declaration is not broader than it needs to be.
"""

import types
from pathlib import Path

import numpy as np
import pytest

from quizgen.bank.check import uses_declaration_problems, uses_problems
from quizgen.bank.loader import load_bank
from quizgen.bank.kinds import Integer, Number
from quizgen.bank.question import Part, Template, TemplateError

BANK = load_bank()
SEEDS = range(1000, 1040)
DECLARED = sorted(tid for tid, t in BANK.templates.items() if any(p.uses is not None for p in t.parts))


def drawn(t) -> list:
    return [(f"{size} seed {seed}", t.draw(np.random.default_rng(seed), f"uses{seed}", size=size))
            for size in t.sizes for seed in SEEDS]


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
        assert uses_declaration_problems(t) == [], tid


@pytest.mark.parametrize("template_id", DECLARED)
def test_every_declaration_holds_as_quizgen_check_verifies_it(template_id):
    """No earlier part left out changes the answer (exactly, in exact and hand calculation), and
    every part declared changes it for some draw (:func:`quizgen.bank.check.uses_problems`)."""
    t = BANK.get(template_id)
    problems = uses_problems(t, drawn(t))
    assert not problems, "\n".join(problems)


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
