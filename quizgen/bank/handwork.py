"""Computing as a person does, for a template's ``solve``: the reference's value for the key, the
written-down chain for hand work.

A key must equal the reference model's value to the last bit, while hand work goes on from the
values a person writes down (``work.step`` rounds them). These helpers give each its own::

    from quizgen.bank import handwork
    sig = handwork.sigmoid(work, "sigma_pos", s, "exp_pos", reference=sigmoid(s))
"""

from __future__ import annotations

import numpy as np


def by_hand(work, reference, from_steps):
    """``reference`` in an exact computation (the key to the last bit); in hand work (a rounding
    path, error carried forward), ``from_steps``: what a person gets from the steps written before."""
    return reference if work.decimals is None else from_steps


def sigmoid(work, name: str, x, exp_name: str, reference):
    """sigma(x) as a person computes it: e^{-x} first (step ``exp_name``), then 1 / (1 + e^{-x})
    (step ``name``); ``reference`` is the model's sigma(x)."""
    e = work.step(exp_name, np.exp(-np.asarray(x, dtype=float)))
    return work.step(name, by_hand(work, reference, 1 / (1 + e)))


def minus_log(work, reference, sig):
    """-log sigma from sigma as written down; ``reference`` is the model's -log sigma. Where sigma
    rounds to 0 (a student's far-off score, replayed) a person keeps more digits rather than take
    log 0: the reference's value there."""
    sig = np.asarray(sig, dtype=float)
    written = -np.log(np.where(sig > 0, sig, 1.0))
    return by_hand(work, reference, np.where(sig > 0, written, reference))
