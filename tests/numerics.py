"""Oracle helpers shared by the tests: central finite differences, torch conversion."""

from __future__ import annotations

import numpy as np


def central_difference(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Gradient of the scalar function ``f()`` with respect to the array ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored, so ``f``
    must read ``x`` (a closure over it). Error is O(eps^2).
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    for _ in it:
        idx = it.multi_index
        orig = x[idx]
        x[idx] = orig + eps
        f_plus = f()
        x[idx] = orig - eps
        f_minus = f()
        x[idx] = orig
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def check_gradients(loss, arrays: dict, analytic: dict, rtol=1e-5, atol=1e-7, eps=1e-6):
    """Assert that ``analytic[name]`` matches finite differences of ``loss()`` for every name.

    ``arrays`` maps names to the arrays that ``loss`` reads (perturbed in place).
    """
    for name, arr in arrays.items():
        numeric = central_difference(loss, arr, eps=eps)
        np.testing.assert_allclose(
            analytic[name], numeric, rtol=rtol, atol=atol,
            err_msg=f"gradient with respect to {name} disagrees with finite differences",
        )


def to_torch(torch, array, requires_grad=False):
    """A float64 torch tensor holding a copy of ``array``."""
    return torch.tensor(np.asarray(array, dtype=np.float64), dtype=torch.float64,
                        requires_grad=requires_grad)


def grad_of(tensor) -> np.ndarray:
    """The .grad of a leaf tensor as a NumPy array."""
    return tensor.grad.detach().numpy().copy()
