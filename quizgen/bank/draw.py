"""Drawing parameters a person can compute with: every helper takes the rng it is given.

Values are rounded to what the stem prints *before* anything is solved, so the
key is computed from exactly the numbers on the page.
"""

from __future__ import annotations

import numpy as np


def decimals(rng: np.random.Generator, shape=(), low: float = -1.0, high: float = 1.0,
             places: int = 1, nonzero: bool = True) -> np.ndarray:
    """Uniform values in [low, high] rounded to ``places`` decimals (zero avoided if ``nonzero``)."""
    step = 10.0 ** -places
    n_low, n_high = int(round(low / step)), int(round(high / step))
    choices = np.arange(n_low, n_high + 1)
    if nonzero:
        choices = choices[choices != 0]
    values = rng.choice(choices, size=shape) * step
    return np.round(values, places)


def integers(rng: np.random.Generator, shape=(), low: int = -2, high: int = 2,
             nonzero: bool = False) -> np.ndarray:
    """Uniform integers in [low, high] (both included), as floats for computing."""
    choices = np.arange(low, high + 1)
    if nonzero:
        choices = choices[choices != 0]
    return rng.choice(choices, size=shape).astype(float)


def binary(rng: np.random.Generator, shape=()) -> np.ndarray:
    """0/1 values as floats (visible or hidden units)."""
    return rng.integers(0, 2, size=shape).astype(float)


def uniforms(rng: np.random.Generator, shape=(), places: int = 2) -> np.ndarray:
    """Uniform random numbers printed with ``places`` decimals, in (0, 1)."""
    step = 10.0 ** -places
    return np.round(rng.integers(1, int(round(1 / step)), size=shape) * step, places)
