"""Argument checking shared by the reference models.

Every public function converts its array arguments with :func:`as_array` and
checks them with :func:`check_shape`, so that a wrong shape fails with a
message naming the argument and the shape it should have.
"""

from __future__ import annotations

import numpy as np


def as_array(value, name: str, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array; check its number of dimensions."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {value!r}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{name} must be {ndim}-dimensional, got shape {arr.shape}"
        )
    return arr


def check_shape(arr: np.ndarray, name: str, expected: tuple, meaning: str = "") -> None:
    """Raise ValueError unless ``arr.shape == expected``.

    ``meaning`` spells the expected shape symbolically, e.g. ``"(H, H+D)"``.
    """
    if tuple(arr.shape) != tuple(expected):
        sym = f"{meaning} = " if meaning else ""
        raise ValueError(
            f"{name} must have shape {sym}{tuple(expected)}, got {tuple(arr.shape)}"
        )


def sequence_and_state(x, h0) -> tuple:
    """``x`` as a ``(T, D)`` array and ``h0`` as an ``(H,)`` array, none of T, D, H zero."""
    x = as_array(x, "x", ndim=2)
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"x must have shape (T, D) with T, D >= 1, got {x.shape}")
    h0 = as_array(h0, "h0", ndim=1)
    if h0.shape[0] < 1:
        raise ValueError("h0 must have shape (H,) with H >= 1")
    return x, h0


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int, raising ValueError unless it is >= minimum."""
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def as_batch(x, name: str, n: int, meaning: str) -> tuple:
    """Return ``x`` as a batch (N, n) and whether it was a single vector (n,)."""
    x = as_array(x, name)
    if x.ndim == 1:
        check_shape(x, name, (n,), f"({meaning},)")
        return x[None, :], True
    if x.ndim == 2:
        check_shape(x, name, (x.shape[0], n), f"(N, {meaning})")
        return x, False
    raise ValueError(
        f"{name} must have shape ({meaning},) = ({n},) or (N, {meaning}) = (N, {n}), "
        f"got {x.shape}"
    )


def check_targets(targets, T: int, V: int) -> np.ndarray:
    """``targets`` as integer class indices of shape (T,), each in 0..V-1."""
    targets = np.asarray(targets)
    if targets.shape != (T,) or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be integer indices of shape (T,) = ({T},), "
                         f"got dtype {targets.dtype} shape {targets.shape}")
    if np.any(targets < 0) or np.any(targets >= V):
        raise ValueError(f"targets must lie in 0..V-1 = 0..{V - 1}, got {targets}")
    return targets.astype(int)
