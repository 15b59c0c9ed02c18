"""The oracle side of the question-bank tests: independent formulas and grading helpers.

Shared by every tests/question_bank/test_*.py. Nothing here may use reference_impl nor a
template's own solve: these helpers recompute and grade from the printed params only.
"""

from pathlib import Path

import numpy as np

from quizgen.bank.marking import grade
from quizgen.bank.loader import load_template
from quizgen.bank.seeds import rng_for

BANK = Path(__file__).resolve().parents[2] / "question_bank"
SEEDS_DEFAULT = range(10)


def load(template_id):
    """The bundled template "topic.name", read from question_bank/topic/name.py."""
    topic, name = template_id.split(".")
    return load_template(BANK / topic / f"{name}.py")


def variants(template_id_or_template, size="calculator", seeds=SEEDS_DEFAULT):
    """(template, [variant per seed]); a template id is loaded first, a Template used as is."""
    template = template_id_or_template
    if isinstance(template, str):
        template = load(template)
    return template, [template.draw(rng_for(seed), str(seed), size=size) for seed in seeds]


def sig(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def typed(template, values, from_json=False):
    """Values written as a student would type them (the kind's own format), for the parts given.

    ``from_json=True`` reads each value through the kind's ``from_json`` first (values in the
    variant's stored JSON form, such as ``variant.answers``).
    """
    return {p.name: p.kind.format(p.kind.from_json(values[p.name]) if from_json else values[p.name])
            for p in template.parts if p.name in values}


def statuses(template, variant, values):
    """{part: status} for values typed as a student would."""
    result = grade(template, variant, typed(template, values))
    return {r.part: r.status for r in result.parts}


def grade_statuses(template, variant, responses):
    """[status per part, in order] for responses already typed as strings."""
    return [r.status for r in grade(template, variant, responses).parts]


def close(value, key, tol=1e-9):
    np.testing.assert_allclose(np.asarray(value, float), np.asarray(key, float), atol=tol, rtol=0)
