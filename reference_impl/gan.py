"""Generative adversarial networks (Goodfellow et al., 2014): the discriminator's and
generator's losses and their gradients, the optimal discriminator, the value
function V(D, G) and the Jensen-Shannon divergence for discrete distributions,
and one SGD step of a 1-D toy GAN.

Conventions:

* ``D(x)`` in (0, 1) is the discriminator's probability that ``x`` is real;
  ``D(x) = sigma(l)`` for its logit ``l``.  Every loss accepts either the outputs
  ``D`` or, with ``from_logits=True``, the logits ``l`` (stable for any ``|l|``).
* ``J_D = -(1/m) sum_i log D(x_i) - (1/n) sum_j log(1 - D(G(z_j)))`` (means over the
  m real and n fake samples), minimised by D (equivalently D maximises V).
* Generator: ``"saturating"`` ``J_G = (1/n) sum_j log(1 - D(G(z_j)))`` (the minimax
  game's term, which G minimises); ``"non_saturating"`` (the notes' J_G, default)
  ``J_G = -(1/n) sum_j log D(G(z_j))``.
* Logarithms are natural (nats) throughout, including the JS divergence.
"""

from __future__ import annotations

import numpy as np

from reference_impl._checks import as_array, check_shape
from reference_impl.activations import sigmoid, softplus

__all__ = [
    "discriminator_loss",
    "discriminator_loss_grad",
    "generator_loss",
    "generator_loss_grad",
    "optimal_discriminator",
    "value_function",
    "kl_divergence",
    "js_divergence",
    "generator_criterion",
    "sgd_step_1d",
]

GENERATOR_KINDS = ("saturating", "non_saturating")


def _samples(arr, name, from_logits):
    arr = as_array(arr, name)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array (one value per sample), got shape {arr.shape}")
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not contain NaN")
    if not from_logits and (np.any(arr < 0) or np.any(arr > 1)):
        raise ValueError(f"{name} must hold discriminator outputs in [0, 1] (or pass from_logits=True)")
    return arr


def _log_d(v, from_logits):
    """log D: ``-softplus(-l)`` from logits, else ``log D`` (``-inf`` at D = 0)."""
    if from_logits:
        return -softplus(-v)
    with np.errstate(divide="ignore"):
        return np.log(v)


def _log_one_minus_d(v, from_logits):
    """log(1 - D): ``-softplus(l)`` from logits, else ``log1p(-D)``."""
    if from_logits:
        return -softplus(v)
    with np.errstate(divide="ignore"):
        return np.log1p(-v)


def _check_kind(kind):
    if kind not in GENERATOR_KINDS:
        raise ValueError(f"kind must be one of {GENERATOR_KINDS}, got {kind!r}")


# --------------------------------------------------------------------------- losses

def discriminator_loss(d_real, d_fake, from_logits=False) -> float:
    """``J_D = -mean_i log D(x_i) - mean_j log(1 - D(G(z_j)))``.

    ``d_real``: (m,) outputs D(x_i) on real samples; ``d_fake``: (n,) outputs
    D(G(z_j)) on generated samples (m and n may differ).  With ``from_logits``
    both hold logits and ``J_D = mean softplus(-l_real) + mean softplus(l_fake)``.
    Its minimum over D is ``log 4`` at D = 1/2 everywhere when p_g = p_data.
    """
    d_real = _samples(d_real, "d_real", from_logits)
    d_fake = _samples(d_fake, "d_fake", from_logits)
    return float(-np.mean(_log_d(d_real, from_logits)) - np.mean(_log_one_minus_d(d_fake, from_logits)))


def discriminator_loss_grad(d_real, d_fake, from_logits=False) -> dict:
    """Gradient of :func:`discriminator_loss` with respect to its inputs.

    From logits (closed forms): ``dJ_D/dl_real,i = (sigma(l_i) - 1) / m`` and
    ``dJ_D/dl_fake,j = sigma(l_j) / n``.
    From outputs: ``dJ_D/dD(x_i) = -1 / (m D(x_i))`` and
    ``dJ_D/dD(G(z_j)) = 1 / (n (1 - D(G(z_j))))``.
    Returns keys ``d_real``, ``d_fake``.
    """
    d_real = _samples(d_real, "d_real", from_logits)
    d_fake = _samples(d_fake, "d_fake", from_logits)
    m, n = d_real.size, d_fake.size
    if from_logits:
        return {"d_real": (sigmoid(d_real) - 1.0) / m, "d_fake": sigmoid(d_fake) / n}
    with np.errstate(divide="ignore"):
        return {"d_real": -1.0 / (m * d_real), "d_fake": 1.0 / (n * (1.0 - d_fake))}


def generator_loss(d_fake, kind="non_saturating", from_logits=False) -> float:
    """The generator's loss on ``d_fake = D(G(z_j))`` (n,), minimised by G.

    ``"saturating"``: ``J_G = mean_j log(1 - D(G(z_j)))`` (= ``-mean softplus(l)``
    from logits); its gradient vanishes when D confidently rejects the fakes.
    ``"non_saturating"`` (the notes' J_G): ``J_G = -mean_j log D(G(z_j))``
    (= ``mean softplus(-l)``).
    """
    _check_kind(kind)
    d_fake = _samples(d_fake, "d_fake", from_logits)
    if kind == "saturating":
        return float(np.mean(_log_one_minus_d(d_fake, from_logits)))
    return float(-np.mean(_log_d(d_fake, from_logits)))


def generator_loss_grad(d_fake, kind="non_saturating", from_logits=False) -> np.ndarray:
    """Gradient of :func:`generator_loss` with respect to ``d_fake`` (outputs or logits).

    From logits: saturating ``-sigma(l) / n``; non-saturating ``(sigma(l) - 1) / n``.
    From outputs: saturating ``-1 / (n (1 - D))``; non-saturating ``-1 / (n D)``.
    """
    _check_kind(kind)
    d_fake = _samples(d_fake, "d_fake", from_logits)
    n = d_fake.size
    if from_logits:
        return -sigmoid(d_fake) / n if kind == "saturating" else (sigmoid(d_fake) - 1.0) / n
    with np.errstate(divide="ignore"):
        return -1.0 / (n * (1.0 - d_fake)) if kind == "saturating" else -1.0 / (n * d_fake)


# --------------------------------------------------------------------------- theory, discrete

def _distribution(p, name, size=None):
    p = as_array(p, name, ndim=1)
    if size is not None:
        check_shape(p, name, (size,), "(K,), the support of p_data")
    if p.size == 0 or np.any(np.isnan(p)) or np.any(p < 0) or abs(p.sum() - 1.0) > 1e-9:
        raise ValueError(f"{name} must be a probability vector (non-negative, summing to 1)")
    return p


def optimal_discriminator(p_data, p_g) -> np.ndarray:
    """``D*(x) = p_data(x) / (p_data(x) + p_g(x))`` on a discrete support of K points.

    Where both probabilities are 0, D* is undefined (any value is optimal): NaN.
    """
    p_data = _distribution(p_data, "p_data")
    p_g = _distribution(p_g, "p_g", p_data.size)
    s = p_data + p_g
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, p_data / s, np.nan)


def _weighted_log(w, v):
    """``sum w log v`` with ``0 log(anything) = 0`` (terms of zero weight are dropped)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(np.where(w > 0, w * np.log(np.where(w > 0, v, 1.0)), 0.0)))


def value_function(D, p_data, p_g) -> float:
    """``V(D, G) = sum_x p_data(x) log D(x) + sum_x p_g(x) log(1 - D(x))`` (natural log).

    ``D``: (K,) discriminator outputs on the K support points; ``p_data``, ``p_g``:
    (K,) probability vectors.  Terms with zero probability are 0, so D may be
    NaN or 0/1 where they do not count.
    """
    p_data = _distribution(p_data, "p_data")
    p_g = _distribution(p_g, "p_g", p_data.size)
    D = as_array(D, "D", ndim=1)
    check_shape(D, "D", p_data.shape, "(K,)")
    live = (p_data > 0) | (p_g > 0)
    if np.any(np.isnan(D[live])) or np.any(D[live] < 0) or np.any(D[live] > 1):
        raise ValueError("D must lie in [0, 1] wherever p_data or p_g is positive")
    return _weighted_log(p_data, D) + _weighted_log(p_g, 1.0 - D)


def kl_divergence(p, q) -> float:
    """``KL(p || q) = sum_x p(x) log(p(x) / q(x))`` in nats (``inf`` if q = 0 < p somewhere)."""
    p = _distribution(p, "p")
    q = _distribution(q, "q", p.size)
    if np.any((q == 0) & (p > 0)):
        return float("inf")
    return _weighted_log(p, p) - _weighted_log(p, q)


def js_divergence(p, q) -> float:
    """``JS(p || q) = 1/2 KL(p || m) + 1/2 KL(q || m)``, ``m = (p + q) / 2``, natural log.

    In nats: ``0 <= JS <= log 2``.  (scipy's ``jensenshannon`` returns the square
    root of this, the JS *distance*.)
    """
    p = _distribution(p, "p")
    q = _distribution(q, "q", p.size)
    m = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m)


def generator_criterion(p_data, p_g) -> float:
    """``C(G) = max_D V(D, G) = V(D*, G)``, which equals ``-log 4 + 2 JS(p_data || p_g)``.

    Computed here as V at the optimal discriminator (the identity with JS is
    checked in the tests); its minimum ``-log 4`` is reached exactly when p_g = p_data.
    """
    return value_function(optimal_discriminator(p_data, p_g), p_data, p_g)


# --------------------------------------------------------------------------- a 1-D toy GAN

def _d_step_grads(x, g, w, c):
    """J_D and its gradient in (w, c) for D(x) = sigma(w x + c), the fakes g held fixed."""
    l_real, l_fake = w * x + c, w * g + c
    J_D = discriminator_loss(l_real, l_fake, from_logits=True)
    dl = discriminator_loss_grad(l_real, l_fake, from_logits=True)
    dw = float(dl["d_real"] @ x + dl["d_fake"] @ g)
    dc = float(dl["d_real"].sum() + dl["d_fake"].sum())
    return J_D, {"w": dw, "c": dc}, l_real, l_fake


def _g_step_grads(z, a, b, w, c, kind):
    """J_G and its gradient in (a, b) for G(z) = a z + b against D(x) = sigma(w x + c)."""
    g = a * z + b
    l_fake = w * g + c
    J_G = generator_loss(l_fake, kind, from_logits=True)
    dg = generator_loss_grad(l_fake, kind, from_logits=True) * w  # dl/dg = w
    return J_G, {"a": float(dg @ z), "b": float(dg.sum())}, l_fake


def sgd_step_1d(x_real, z, w, c, a, b, lr_d, lr_g, generator_kind="non_saturating",
                order="d_first", z_g=None) -> dict:
    """One SGD step of a 1-D GAN: ``D(x) = sigma(w x + c)``, ``G(z) = a z + b``.

    ``x_real``: (m,) real samples; ``z``: (n,) GIVEN noise; ``lr_d``, ``lr_g``:
    learning rates.  Both players do gradient DESCENT on their own losses:

    1. Discriminator: fakes ``G(z) = a z + b`` from the current generator, held
       fixed; ``J_D`` (see :func:`discriminator_loss`) with
       ``dJ_D/dw = sum_i (sigma(l_i) - 1) x_i / m + sum_j sigma(l_j) G(z_j) / n``,
       ``dJ_D/dc`` likewise without the ``x``;
       ``w' = w - lr_d dJ_D/dw``, ``c' = c - lr_d dJ_D/dc``.
    2. Generator: ``J_G`` of kind ``generator_kind`` (``"non_saturating"``, the notes'
       ``-mean log D(G(z))``, by default; or ``"saturating"``) on the noise ``z_g``
       (default: the same ``z``), with ``dJ_G/da = sum_j dJ_G/dl_j * w_D * z_j``,
       ``dJ_G/db = sum_j dJ_G/dl_j * w_D``; ``a' = a - lr_g dJ_G/da``, ``b' = b - lr_g dJ_G/db``.

    ``order="d_first"`` (default): D steps first, then G's loss and gradient use the
    UPDATED discriminator ``(w', c')`` (alternating updates, as in Goodfellow et al.'s
    Algorithm 1 with k = 1).  ``order="simultaneous"``: G's gradient uses the OLD
    ``(w, c)``, so both gradients are taken at the same point.

    Returns a dict: ``w, c, a, b`` (new parameters), ``J_D`` (at the old parameters),
    ``J_G`` (against the discriminator G's step used, before G's update),
    ``grads`` (``{"w", "c", "a", "b"}``), ``x_fake`` (G(z) used by D's step),
    ``d_real``, ``d_fake`` (D's outputs in its step) and ``d_fake_for_g``
    (the outputs G's step saw).
    """
    x_real = _samples(x_real, "x_real", from_logits=True)
    z = _samples(z, "z", from_logits=True)
    z_g = z if z_g is None else _samples(z_g, "z_g", from_logits=True)
    _check_kind(generator_kind)
    if order not in ("d_first", "simultaneous"):
        raise ValueError(f"order must be 'd_first' or 'simultaneous', got {order!r}")
    w, c, a, b, lr_d, lr_g = (float(v) for v in (w, c, a, b, lr_d, lr_g))

    x_fake = a * z + b
    J_D, gD, l_real, l_fake = _d_step_grads(x_real, x_fake, w, c)
    w_new, c_new = w - lr_d * gD["w"], c - lr_d * gD["c"]

    w_g, c_g = (w_new, c_new) if order == "d_first" else (w, c)
    J_G, gG, l_fake_g = _g_step_grads(z_g, a, b, w_g, c_g, generator_kind)
    a_new, b_new = a - lr_g * gG["a"], b - lr_g * gG["b"]

    return {"w": w_new, "c": c_new, "a": a_new, "b": b_new, "J_D": J_D, "J_G": J_G,
            "grads": {**gD, **gG}, "x_fake": x_fake,
            "d_real": sigmoid(l_real), "d_fake": sigmoid(l_fake), "d_fake_for_g": sigmoid(l_fake_g)}
