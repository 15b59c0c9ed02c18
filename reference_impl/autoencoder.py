"""Autoencoders: dense layers, deep and tied autoencoders, reconstruction losses,
parameter counts, and the variational autoencoder's reparameterisation, KL term and ELBO.

Conventions (the course's column-vector notation):

* A dense layer is ``y = f(W x + b)`` with ``W`` of shape ``(out, in)`` and ``b`` of
  shape ``(out,)``; ``x`` is one example ``(in,)`` or a batch ``(N, in)`` (one example
  per row, computed as ``x W^T + b``).  ``f`` is ``"sigmoid"``, ``"tanh"``,
  ``"relu"`` or ``"linear"`` (identity).
* An autoencoder is a list of such layers: encoder layers, then decoder layers.
  The output of layer ``code_layer`` is the code ``z``; the last output is ``x_hat``.
* Tied autoencoder (one hidden layer): ``h = f(W x + b)``, ``x_hat = g(W^T h + c)``;
  the decoder reuses ``W`` transposed and has its own bias ``c``.
* Reconstruction losses default to the MEAN over all elements (PyTorch's default
  ``reduction="mean"``); ``reduction="sum"`` gives the sum.
* VAE: ``z = mu + sigma * eps`` with ``sigma = exp(log_var / 2)`` and ``eps`` GIVEN;
  ``KL(N(mu, sigma^2) || N(0, I)) = -1/2 sum_j (1 + log_var_j - mu_j^2 - exp(log_var_j))``;
  ``ELBO = -(reconstruction loss) - KL`` with the reconstruction loss SUMMED over
  the data dimensions (see :func:`elbo`).
"""

from __future__ import annotations

import numpy as np

from reference_impl._checks import as_array, check_positive_int, check_shape
from reference_impl.activations import get_activation, sigmoid, softplus

__all__ = [
    "dense_forward",
    "dense_backward",
    "autoencoder_forward",
    "autoencoder_backward",
    "tied_autoencoder_forward",
    "tied_autoencoder_backward",
    "mse_loss",
    "mse_loss_grad",
    "bce_loss",
    "bce_loss_grad",
    "bce_with_logits_loss",
    "bce_with_logits_grad",
    "autoencoder_param_count",
    "compression_ratio",
    "reparameterize",
    "reparameterize_backward",
    "kl_to_standard_normal",
    "kl_to_standard_normal_backward",
    "elbo",
    "elbo_backward",
]

_LINEAR = ("linear", "identity", None)


def _activation(name):
    """(f, f') for a name; ``"linear"`` (or ``"identity"``, None) is the identity."""
    if name in _LINEAR:
        return (lambda a: np.asarray(a, dtype=np.float64).copy(),
                lambda a: np.ones_like(np.asarray(a, dtype=np.float64)))
    try:
        return get_activation(name)
    except (ValueError, TypeError):
        raise ValueError(
            f"activation must be one of ['linear', 'relu', 'sigmoid', 'tanh'], got {name!r}") from None


# --------------------------------------------------------------------------- dense layers

def dense_forward(x, W, b, activation="sigmoid", *, x_name="x", w_name="W", b_name="b"):
    """``y = f(W x + b)``.

    ``x``: (in,) or a batch (N, in); ``W``: (out, in); ``b``: (out,).
    Returns ``(y, cache)``: ``y`` (out,) or (N, out); ``cache`` holds ``x, W, b,
    a`` (the pre-activation ``W x + b``), ``y`` and ``activation``.
    ``x_name``, ``w_name``, ``b_name`` name the arguments in error messages
    (e.g. ``"layers[1]['W']"``).
    """
    W = as_array(W, w_name, ndim=2)
    out_dim, in_dim = W.shape
    b = as_array(b, b_name)
    check_shape(b, b_name, (out_dim,), "(out,)")
    x = as_array(x, x_name)
    if x.ndim not in (1, 2) or x.shape[-1] != in_dim:
        raise ValueError(
            f"{x_name} must have shape (in,) = ({in_dim},) or (N, in) = (N, {in_dim}) to match "
            f"{w_name} of shape (out, in) = {W.shape}, got {x.shape}")
    f, _ = _activation(activation)
    a = x @ W.T + b
    y = f(a)
    cache = {"x": x, "W": W, "b": b, "a": a, "y": y, "activation": activation}
    return y, cache


def dense_backward(dy, cache) -> dict:
    """Gradients for :func:`dense_forward` given ``dy = dL/dy``.

    ``da = dy * f'(a)``; ``dW = da^T x`` (summed over the batch; ``outer(da, x)``
    for one example), ``db = sum_n da``, ``dx = W^T da`` (per example).
    Returns keys ``x``, ``W``, ``b``, ``a``.
    """
    a = cache["a"]
    dy = as_array(dy, "dy")
    check_shape(dy, "dy", a.shape, "shape of y")
    _, df = _activation(cache["activation"])
    da = dy * df(a)
    x = cache["x"]
    if x.ndim == 1:
        dW = np.outer(da, x)
        db = da.copy()
    else:
        dW = da.T @ x
        db = da.sum(axis=0)
    dx = da @ cache["W"]
    return {"x": dx, "W": dW, "b": db, "a": da}


# --------------------------------------------------------------------------- deep autoencoder

def _check_layers(layers):
    if not isinstance(layers, (list, tuple)) or len(layers) < 1:
        raise ValueError("layers must be a non-empty list of dicts {W, b, activation}")
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict) or not {"W", "b", "activation"} <= set(layer):
            raise ValueError(f"layers[{i}] must be a dict with keys 'W', 'b', 'activation'")


def autoencoder_forward(x, layers, code_layer=None):
    """A deep autoencoder: the dense layers applied in order, ``x -> ... -> z -> ... -> x_hat``.

    ``x``: (D,) or (N, D).  ``layers``: list of dicts ``{"W": (out, in), "b": (out,),
    "activation": name}`` (``"linear"`` for none); layer ``i``'s
    ``in`` must equal layer ``i-1``'s ``out`` and the last ``out`` must be ``D``.
    ``code_layer``: index of the layer whose output is the code ``z``; default
    ``len(layers) // 2 - 1`` (the middle of a symmetric autoencoder).

    Returns ``(x_hat, cache)``; ``cache`` holds ``x``, ``hidden`` (list of every
    layer's output, ``hidden[-1] = x_hat``), ``pre_activations`` (each ``W h + b``),
    ``code`` (``z``), ``code_layer``, ``x_hat`` and the per-layer caches ``layers``.
    """
    _check_layers(layers)
    L = len(layers)
    if code_layer is None:
        if L < 2:
            raise ValueError("code_layer must be given when layers has a single layer")
        code_layer = L // 2 - 1
    if isinstance(code_layer, bool) or int(code_layer) != code_layer or not 0 <= code_layer < L:
        raise ValueError(f"code_layer must be an index in [0, {L}), got {code_layer!r}")
    x = as_array(x, "x")
    h = x
    caches, hidden, pre = [], [], []
    for i, layer in enumerate(layers):
        h, c = dense_forward(h, layer["W"], layer["b"], layer["activation"],
                             x_name="x" if i == 0 else f"the input of layers[{i}]",
                             w_name=f"layers[{i}]['W']", b_name=f"layers[{i}]['b']")
        caches.append(c)
        hidden.append(h)
        pre.append(c["a"])
    if h.shape != x.shape:
        raise ValueError(
            f"layers[{L - 1}]['W'] must output D = {x.shape[-1]} values to reconstruct x, "
            f"got {h.shape[-1]}")
    cache = {"x": x, "hidden": hidden, "pre_activations": pre, "code": hidden[int(code_layer)],
             "code_layer": int(code_layer), "x_hat": h, "layers": caches}
    return h, cache


def autoencoder_backward(dx_hat, cache) -> dict:
    """Gradients for :func:`autoencoder_forward` given ``dx_hat = dL/dx_hat``.

    Returns ``{"x": dL/dx, "code": dL/dz, "layers": [{"W": dW_i, "b": db_i}, ...]}``
    (``code`` is the gradient flowing into the code from the decoder).
    """
    dh = as_array(dx_hat, "dx_hat")
    check_shape(dh, "dx_hat", cache["x_hat"].shape, "shape of x_hat")
    grads = [None] * len(cache["layers"])
    dcode = None
    for i in range(len(cache["layers"]) - 1, -1, -1):
        if i == cache["code_layer"]:
            dcode = dh.copy()
        g = dense_backward(dh, cache["layers"][i])
        grads[i] = {"W": g["W"], "b": g["b"]}
        dh = g["x"]
    return {"x": dh, "code": dcode, "layers": grads}


# --------------------------------------------------------------------------- tied autoencoder

def tied_autoencoder_forward(x, W, b, c, activation="sigmoid", output_activation="sigmoid"):
    """One hidden layer with tied weights: ``h = f(W x + b)``, ``x_hat = g(W^T h + c)``.

    ``x``: (D,) or (N, D); ``W``: (H, D); ``b``: (H,) encoder bias; ``c``: (D,)
    decoder bias.  Returns ``(x_hat, cache)``; ``cache`` holds ``x, W, b, c``,
    ``a`` (= W x + b), ``h``, ``a_hat`` (= W^T h + c), ``x_hat`` and the two
    dense-layer caches ``encoder`` and ``decoder``.
    """
    W = as_array(W, "W", ndim=2)
    H, D = W.shape
    c = as_array(c, "c")
    check_shape(c, "c", (D,), "(D,)")
    h, enc = dense_forward(x, W, b, activation)
    x_hat, dec = dense_forward(h, W.T, c, output_activation, x_name="h", w_name="W^T", b_name="c")
    cache = {"x": enc["x"], "W": W, "b": enc["b"], "c": c, "a": enc["a"], "h": h,
             "a_hat": dec["a"], "x_hat": x_hat, "encoder": enc, "decoder": dec}
    return x_hat, cache


def tied_autoencoder_backward(dx_hat, cache) -> dict:
    """Gradients for :func:`tied_autoencoder_forward` given ``dx_hat = dL/dx_hat``.

    ``W`` is used twice, so ``dW`` is the sum of both uses:
    ``dW = (da_hat h^T)^T + da x^T = h da_hat^T + da x^T`` (summed over the batch).
    Returns keys ``x``, ``W``, ``b``, ``c``, ``h``.
    """
    gd = dense_backward(dx_hat, cache["decoder"])
    ge = dense_backward(gd["x"], cache["encoder"])
    return {"x": ge["x"], "W": ge["W"] + gd["W"].T, "b": ge["b"], "c": gd["b"], "h": gd["x"]}


# --------------------------------------------------------------------------- losses

def _pair(x_hat, x, hat_name="x_hat"):
    x_hat = as_array(x_hat, hat_name)
    x = as_array(x, "x")
    check_shape(x, "x", x_hat.shape, f"shape of {hat_name}")
    if x_hat.size == 0:
        raise ValueError(f"{hat_name} must not be empty")
    return x_hat, x


def _scale(reduction, n):
    if reduction == "mean":
        return 1.0 / n
    if reduction == "sum":
        return 1.0
    raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")


def mse_loss(x_hat, x, reduction="mean") -> float:
    """``(1/n) sum_i (x_hat_i - x_i)^2`` over all n elements (``"sum"``: without 1/n)."""
    x_hat, x = _pair(x_hat, x)
    return float(_scale(reduction, x.size) * np.sum((x_hat - x) ** 2))


def mse_loss_grad(x_hat, x, reduction="mean") -> np.ndarray:
    """``d mse / d x_hat = 2 (x_hat - x) / n`` (``"sum"``: ``2 (x_hat - x)``)."""
    x_hat, x = _pair(x_hat, x)
    return _scale(reduction, x.size) * 2.0 * (x_hat - x)


def _check_unit(arr, name):
    if np.any(arr < 0) or np.any(arr > 1) or np.any(np.isnan(arr)):
        raise ValueError(f"{name} must lie in [0, 1]")


def bce_loss(x_hat, x, reduction="mean") -> float:
    """Binary cross-entropy of outputs ``x_hat`` in [0, 1] against targets ``x`` in [0, 1]:

    ``-(1/n) sum_i [x_i log x_hat_i + (1 - x_i) log(1 - x_hat_i)]`` (``"sum"``: without 1/n).
    A term with zero weight is 0 (``0 log 0 = 0``), so ``x_hat = x = 0`` or 1 is
    exact; a confident wrong output gives ``inf`` (PyTorch instead clamps each
    log at -100).  Prefer :func:`bce_with_logits_loss` when logits are available.
    """
    x_hat, x = _pair(x_hat, x)
    _check_unit(x_hat, "x_hat")
    _check_unit(x, "x")
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(x > 0, x * np.log(x_hat), 0.0)
        t0 = np.where(x < 1, (1.0 - x) * np.log1p(-x_hat), 0.0)
    return float(-_scale(reduction, x.size) * np.sum(t1 + t0))


def bce_loss_grad(x_hat, x, reduction="mean") -> np.ndarray:
    """``d bce / d x_hat = (x_hat - x) / (x_hat (1 - x_hat)) / n`` (``"sum"``: without 1/n).

    Infinite where ``x_hat`` is 0 or 1 and disagrees with ``x``; 0 where it agrees exactly.
    """
    x_hat, x = _pair(x_hat, x)
    _check_unit(x_hat, "x_hat")
    _check_unit(x, "x")
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (x_hat - x) / (x_hat * (1.0 - x_hat))
    g = np.where(x_hat == x, 0.0, g)
    return _scale(reduction, x.size) * g


def bce_with_logits_loss(logits, x, reduction="mean") -> float:
    """BCE of ``sigma(logits)`` against ``x``, stable for any logit:

    ``(1/n) sum_i [softplus(l_i) - x_i l_i]`` (``softplus(l) = max(l, 0) + log1p(exp(-|l|))``),
    which equals ``-(1/n) sum_i [x_i log sigma(l_i) + (1 - x_i) log(1 - sigma(l_i))]``.
    """
    logits, x = _pair(logits, x, "logits")
    _check_unit(x, "x")
    return float(_scale(reduction, x.size) * np.sum(softplus(logits) - x * logits))


def bce_with_logits_grad(logits, x, reduction="mean") -> np.ndarray:
    """``d bce / d l = (sigma(l) - x) / n`` (``"sum"``: without 1/n)."""
    logits, x = _pair(logits, x, "logits")
    _check_unit(x, "x")
    return _scale(reduction, x.size) * (sigmoid(logits) - x)


# --------------------------------------------------------------------------- sizes

def autoencoder_param_count(layer_sizes, tied=False) -> int:
    """Trainable parameters of a dense autoencoder with widths ``layer_sizes``.

    ``layer_sizes`` lists every width from input to output, e.g. ``(784, 128, 32, 128, 784)``;
    each consecutive pair ``(n_in, n_out)`` is a layer with ``n_in * n_out`` weights
    and ``n_out`` biases.  ``tied=True`` (widths must read the same backwards):
    each decoder layer reuses the transpose of its mirror encoder layer's weights,
    so weights are counted for the encoder only, while every layer keeps its own
    biases.  Example: ``(784, 128, 784)`` has 201,616 untied and 101,264 tied.
    """
    sizes = [check_positive_int(s, "layer_sizes") for s in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes must list at least 2 widths, got {sizes}")
    pairs = list(zip(sizes[:-1], sizes[1:]))
    biases = sum(n_out for _, n_out in pairs)
    if not tied:
        return sum(n_in * n_out for n_in, n_out in pairs) + biases
    if sizes != sizes[::-1] or len(pairs) % 2:
        raise ValueError(f"layer_sizes must be symmetric for tied weights, got {sizes}")
    return sum(n_in * n_out for n_in, n_out in pairs[: len(pairs) // 2]) + biases


def compression_ratio(input_dim, code_dim) -> float:
    """``input_dim / code_dim``: e.g. 784 -> 32 compresses 24.5 : 1."""
    input_dim = check_positive_int(input_dim, "input_dim")
    code_dim = check_positive_int(code_dim, "code_dim")
    return input_dim / code_dim


# --------------------------------------------------------------------------- VAE

def reparameterize(mu, log_var, eps):
    """``z = mu + sigma * eps``, ``sigma = exp(log_var / 2)``; ``eps ~ N(0, I)`` is GIVEN.

    ``mu``, ``log_var``, ``eps``: (J,) or (N, J), all the same shape.
    Returns ``(z, cache)``; ``cache`` holds ``mu, log_var, eps, sigma, z``.
    """
    mu = as_array(mu, "mu")
    log_var = as_array(log_var, "log_var")
    eps = as_array(eps, "eps")
    _check_latent(mu, log_var)
    check_shape(eps, "eps", mu.shape, "shape of mu")
    sigma = np.exp(0.5 * log_var)
    z = mu + sigma * eps
    return z, {"mu": mu, "log_var": log_var, "eps": eps, "sigma": sigma, "z": z}


def reparameterize_backward(dz, cache) -> dict:
    """Gradients through ``z = mu + exp(log_var / 2) * eps`` given ``dz = dL/dz``:

    ``dmu = dz``, ``dlog_var = dz * eps * sigma / 2``, ``deps = dz * sigma``.
    Returns keys ``mu``, ``log_var``, ``eps``.
    """
    dz = as_array(dz, "dz")
    check_shape(dz, "dz", cache["z"].shape, "shape of z")
    sigma = cache["sigma"]
    return {"mu": dz.copy(), "log_var": 0.5 * dz * cache["eps"] * sigma, "eps": dz * sigma}


def _check_latent(mu, log_var):
    if mu.ndim not in (1, 2) or mu.size == 0:
        raise ValueError(f"mu must have shape (J,) or (N, J), got {mu.shape}")
    check_shape(log_var, "log_var", mu.shape, "shape of mu")


def _batch(arr):
    return 1 if arr.ndim == 1 else arr.shape[0]


def _batch_scale(reduction, n_batch):
    if reduction == "sum":
        return 1.0
    if reduction == "mean":
        return 1.0 / n_batch
    raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")


def kl_to_standard_normal(mu, log_var, reduction="sum") -> float:
    """``KL(N(mu, diag(exp(log_var))) || N(0, I)) = -1/2 sum_j (1 + log_var_j - mu_j^2 - exp(log_var_j))``.

    Summed over the J latent dimensions.  For a batch (N, J): ``"sum"`` (default)
    also sums over the N examples, ``"mean"`` averages the per-example KL over N.
    """
    mu = as_array(mu, "mu")
    log_var = as_array(log_var, "log_var")
    _check_latent(mu, log_var)
    total = -0.5 * np.sum(1.0 + log_var - mu ** 2 - np.exp(log_var))
    return float(_batch_scale(reduction, _batch(mu)) * total)


def kl_to_standard_normal_backward(mu, log_var, reduction="sum", dkl=1.0) -> dict:
    """Gradients of ``dkl * KL``: ``dKL/dmu = mu``, ``dKL/dlog_var = (exp(log_var) - 1) / 2``
    (times 1/N for ``reduction="mean"``).  Returns keys ``mu``, ``log_var``."""
    mu = as_array(mu, "mu")
    log_var = as_array(log_var, "log_var")
    _check_latent(mu, log_var)
    s = float(dkl) * _batch_scale(reduction, _batch(mu))
    return {"mu": s * mu, "log_var": s * 0.5 * (np.exp(log_var) - 1.0)}


def elbo(x, x_hat, mu, log_var, reconstruction="bce", from_logits=False, reduction="sum"):
    """The VAE's evidence lower bound ``ELBO = -(reconstruction loss) - KL``.

    Convention (Kingma & Welling's; PyTorch's VAE example): both terms are SUMS
    over dimensions, never means over elements:

    * ``reconstruction="bce"``: ``sum_i BCE(x_hat_i, x_i)`` (= ``-log p(x | z)`` for a
      Bernoulli decoder); with ``from_logits=True``, ``x_hat`` holds the decoder's logits.
    * ``reconstruction="mse"``: ``sum_i (x_hat_i - x_i)^2`` (the Gaussian decoder's
      ``-log p(x | z)`` with variance 1/2, dropping its constant).
    * ``KL = -1/2 sum_j (1 + log_var_j - mu_j^2 - exp(log_var_j))``.

    ``x``, ``x_hat``: (D,) or (N, D); ``mu``, ``log_var``: (J,) or (N, J) with the same N.
    For a batch, ``reduction="sum"`` (default) adds the N per-example ELBOs,
    ``"mean"`` averages them.  Training minimises ``-ELBO``.

    Returns ``(value, cache)``; ``cache`` holds ``reconstruction_loss``, ``kl``,
    ``elbo`` (all after reduction) and the inputs.
    """
    if reconstruction not in ("bce", "mse"):
        raise ValueError(f"reconstruction must be 'bce' or 'mse', got {reconstruction!r}")
    if from_logits and reconstruction != "bce":
        raise ValueError("from_logits applies to reconstruction='bce' only")
    hat_name = "x_hat (logits)" if from_logits else "x_hat"
    x_hat, x = _pair(x_hat, x, hat_name)
    if x.ndim not in (1, 2):
        raise ValueError(f"x must have shape (D,) or (N, D), got {x.shape}")
    mu = as_array(mu, "mu")
    log_var = as_array(log_var, "log_var")
    _check_latent(mu, log_var)
    if mu.ndim != x.ndim or _batch(mu) != _batch(x):
        raise ValueError(
            f"mu must have shape (N, J) with the same batch as x {x.shape} "
            f"(or (J,) for a single x), got {mu.shape}")
    s = _batch_scale(reduction, _batch(x))
    if reconstruction == "mse":
        rec = s * mse_loss(x_hat, x, reduction="sum")
    elif from_logits:
        rec = s * bce_with_logits_loss(x_hat, x, reduction="sum")
    else:
        rec = s * bce_loss(x_hat, x, reduction="sum")
    kl = kl_to_standard_normal(mu, log_var, reduction=reduction)
    value = -rec - kl
    cache = {"x": x, "x_hat": x_hat, "mu": mu, "log_var": log_var,
             "reconstruction": reconstruction, "from_logits": bool(from_logits),
             "reduction": reduction, "reconstruction_loss": rec, "kl": kl, "elbo": value}
    return value, cache


def elbo_backward(cache, delbo=1.0) -> dict:
    """Gradients of ``delbo * ELBO`` with respect to ``x_hat`` (or the logits), ``mu``, ``log_var``.

    Pass ``delbo=-1`` for the gradients of the training loss ``-ELBO``; feed
    ``mu``/``log_var`` gradients of the reconstruction path through
    :func:`reparameterize_backward` and add them.  Returns keys ``x_hat``, ``mu``, ``log_var``.
    """
    delbo = float(delbo)
    x, x_hat = cache["x"], cache["x_hat"]
    s = _batch_scale(cache["reduction"], _batch(x))
    if cache["reconstruction"] == "mse":
        drec = mse_loss_grad(x_hat, x, reduction="sum")
    elif cache["from_logits"]:
        drec = bce_with_logits_grad(x_hat, x, reduction="sum")
    else:
        drec = bce_loss_grad(x_hat, x, reduction="sum")
    dkl = kl_to_standard_normal_backward(cache["mu"], cache["log_var"], cache["reduction"])
    return {"x_hat": -delbo * s * drec, "mu": -delbo * dkl["mu"], "log_var": -delbo * dkl["log_var"]}
