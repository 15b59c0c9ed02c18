"""Activation functions and their derivatives, numerically stable.

All functions accept scalars or arrays and return float64 arrays of the same
shape (softmax and log-sum-exp act along ``axis``, default the last).
"""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    """sigma(z) = 1 / (1 + exp(-z)), without overflow for large |z|."""
    z = np.asarray(z, dtype=np.float64)
    # exp of a non-positive number never overflows: 1 / (1 + e) for z >= 0, e / (1 + e) below
    # (one division of the picked numerator: the same numbers, in a quarter fewer numpy calls,
    # which is what sigmoid costs on the few numbers of a hand-sized exam question)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_grad(z):
    """d sigma / dz = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def log_sigmoid(z):
    """log sigma(z) = -softplus(-z), stable for large |z|."""
    return -softplus(-np.asarray(z, dtype=np.float64))


def tanh(z):
    """Hyperbolic tangent."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_grad(z):
    """d tanh / dz = 1 - tanh(z)^2."""
    t = np.tanh(np.asarray(z, dtype=np.float64))
    return 1.0 - t * t


def relu(z):
    """max(0, z)."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_grad(z):
    """1 where z > 0, else 0 (the subgradient 0 at z = 0, as PyTorch uses)."""
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


def softplus(z):
    """log(1 + exp(z)), stable: max(z, 0) + log1p(exp(-|z|))."""
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softplus_grad(z):
    """d softplus / dz = sigma(z)."""
    return sigmoid(z)


def logsumexp(z, axis=-1, keepdims=False):
    """log sum_j exp(z_j), shifted by the maximum so that it never overflows."""
    z = np.asarray(z, dtype=np.float64)
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out = np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(z, axis=-1):
    """softmax(z)_j = exp(z_j) / sum_k exp(z_k), computed as exp(z - logsumexp(z))."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(z - logsumexp(z, axis=axis, keepdims=True))


def log_softmax(z, axis=-1):
    """log softmax(z) = z - logsumexp(z)."""
    z = np.asarray(z, dtype=np.float64)
    return z - logsumexp(z, axis=axis, keepdims=True)


def softmax_backward(dy, y, axis=-1):
    """Given y = softmax(z) and dL/dy, return dL/dz = y * (dy - sum(dy * y))."""
    dy = np.asarray(dy, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return y * (dy - np.sum(dy * y, axis=axis, keepdims=True))


ACTIVATIONS = {
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
}
"""Name -> (function, derivative with respect to the pre-activation)."""


def get_activation(name: str):
    """Return ``(f, f')`` for an activation name, or raise ValueError listing the names."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}"
        ) from None
