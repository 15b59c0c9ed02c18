"""Every bundled template keeps the contract: what `quizgen check` does, over a few seeds each."""

import numpy as np
import pytest

from quizgen.bank.loader import load_bank
from quizgen.bank.check import check_template
from quizgen.bank.seeds import rng_for

BANK = load_bank()


def test_the_bundled_bank_loads_without_errors():
    assert BANK.errors == []
    assert len(BANK.templates) >= 14


@pytest.mark.parametrize("template_id", list(BANK.templates))
def test_template_passes_check(template_id):
    report = check_template(BANK.get(template_id), seeds=15)
    assert report.ok, report.failures


@pytest.mark.parametrize("template_id", list(BANK.templates))
def test_template_leaves_global_random_state_alone(template_id):
    np.random.seed(7)
    expected = np.random.random(3)
    np.random.seed(7)
    BANK.get(template_id).draw(rng_for(1))
    np.testing.assert_array_equal(np.random.random(3), expected)
