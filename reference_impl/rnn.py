"""Elman RNN: forward, backpropagation through time (full and truncated),
softmax outputs, hidden-state Jacobians and gradient clipping.

Course notation (column vectors), time steps t = 1..T, h_0 the initial state::

    a_t = W_hh h_{t-1} + W_xh x_t + b_h          (pre-activation)
    h_t = f(a_t)                                  f = tanh (default) or relu
    z_t = W_hy h_t + b_y,   y^_t = softmax(z_t)
    L   = sum_t L_t,        L_t = -log y^_t[y_t]

Array layout: a sequence ``x`` has shape ``(T, D)``, and row ``t-1`` of ``x``,
``a``, ``h`` holds ``x_t``, ``a_t``, ``h_t`` (the course's step t is row t-1,
because the course counts from 1 and keeps index 0 for the initial state
``h_0``, which is stored separately as ``h0``). Shapes: ``W_xh (H, D)``,
``W_hh (H, H)``, ``b_h (H,)``, ``W_hy (V, H)``, ``b_y (V,)``.

Truncated BPTT (``rnn_backward(..., truncate=k, truncate_mode=...)``): each
loss term L_t (i.e. the direct gradient ``dh[t-1] = dL/dh_t`` at step t) is
propagated back through the steps s with ``start(t) < s <= t``:

* ``"chunked"`` (the course's TBPTT, default): ``start(t) = k * floor((t-1)/k)``,
  the chunks are steps 1..k, k+1..2k, ...; the forward pass carries the state
  across chunk boundaries but the gradient is dropped there (PyTorch:
  ``h = h.detach()`` before steps k+1, 2k+1, ...).
* ``"window"`` (Williams & Peng): ``start(t) = max(0, t-k)``: L_t reaches
  h_t, h_{t-1}, ..., h_{t-k+1} and the k steps that produced them.

In both modes the state h_{start(t)} at the beginning of the window receives
L_t's gradient only when it is the initial state h_0 (``start(t) == 0``); any
other h_{start(t)} is treated as a constant. Hence ``dh0`` under truncation is
the gradient of the loss terms whose window starts at h_0: L_1..L_k in both
modes. With ``k >= T`` both modes equal full BPTT.
"""

from __future__ import annotations

import numpy as np

from reference_impl._checks import as_array, check_positive_int, check_shape, check_targets
from reference_impl.activations import get_activation, log_softmax, softmax

__all__ = [
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "truncation_windows",
    "output_forward",
    "output_backward",
    "cross_entropy",
    "rnn_loss_and_grads",
    "hidden_jacobian",
    "hidden_gradients",
    "gradient_norms",
    "clip_by_global_norm",
    "clip_by_value",
    "rnn_param_count",
]

TRUNCATE_MODES = ("chunked", "window")


# --------------------------------------------------------------------------- #
# One step
# --------------------------------------------------------------------------- #
def rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h, activation="tanh"):
    """One step: ``a_t = W_hh h_{t-1} + W_xh x_t + b_h``, ``h_t = f(a_t)``.

    Shapes: ``x_t (D,)``, ``h_prev (H,)``, ``W_xh (H, D)``, ``W_hh (H, H)``,
    ``b_h (H,)``. Returns ``(h_t, cache)`` with cache keys ``x``, ``h_prev``,
    ``a``, ``h``, ``W_xh``, ``W_hh``, ``activation``.
    """
    x_t = as_array(x_t, "x_t", ndim=1)
    h_prev = as_array(h_prev, "h_prev", ndim=1)
    H, D = h_prev.shape[0], x_t.shape[0]
    W_xh, W_hh, b_h = _check_params(W_xh, W_hh, b_h, H, D)
    f, _ = get_activation(activation)
    a = W_hh @ h_prev + W_xh @ x_t + b_h
    h = f(a)
    cache = {"x": x_t, "h_prev": h_prev, "a": a, "h": h,
             "W_xh": W_xh, "W_hh": W_hh, "activation": activation}
    return h, cache


def rnn_step_backward(dh_t, cache):
    """Backward of one step given ``dh_t = dL/dh_t`` (H,).

    ``da = dh_t * f'(a_t)``; returns a dict with ``a`` (= da), ``x`` (W_xh^T da),
    ``h_prev`` (W_hh^T da), ``W_xh`` (da x_t^T), ``W_hh`` (da h_{t-1}^T), ``b_h`` (da).
    """
    dh_t = as_array(dh_t, "dh_t", ndim=1)
    check_shape(dh_t, "dh_t", cache["h"].shape, "(H,)")
    _, df = get_activation(cache["activation"])
    da = dh_t * df(cache["a"])
    return {
        "a": da,
        "x": cache["W_xh"].T @ da,
        "h_prev": cache["W_hh"].T @ da,
        "W_xh": np.outer(da, cache["x"]),
        "W_hh": np.outer(da, cache["h_prev"]),
        "b_h": da,
    }


# --------------------------------------------------------------------------- #
# Whole sequence
# --------------------------------------------------------------------------- #
def rnn_forward(x, h0, W_xh, W_hh, b_h, activation="tanh"):
    """Run the RNN over ``x (T, D)`` from ``h0 (H,)``.

    Returns ``(h, cache)``: ``h (T, H)`` with row t-1 = h_t. ``cache`` holds
    ``x``, ``h0``, ``a (T, H)`` (pre-activations a_t), ``h (T, H)``,
    ``h_prev (T, H)`` (row t-1 = h_{t-1}, so row 0 = h_0), the weights and
    ``activation``.
    """
    x = as_array(x, "x", ndim=2)
    h0 = as_array(h0, "h0", ndim=1)
    T, D = x.shape
    H = h0.shape[0]
    W_xh, W_hh, b_h = _check_params(W_xh, W_hh, b_h, H, D)
    f, _ = get_activation(activation)
    a = np.zeros((T, H))
    h = np.zeros((T, H))
    h_prev = np.zeros((T, H))
    prev = h0
    for i in range(T):  # row i is the course's step t = i + 1
        h_prev[i] = prev
        a[i] = W_hh @ prev + W_xh @ x[i] + b_h
        h[i] = f(a[i])
        prev = h[i]
    cache = {"x": x, "h0": h0, "a": a, "h": h, "h_prev": h_prev,
             "W_xh": W_xh, "W_hh": W_hh, "b_h": b_h, "activation": activation}
    return h, cache


def truncation_windows(T, truncate=None, truncate_mode="chunked"):
    """For t = 1..T, the ``start(t)`` of L_t's backward window (see module doc).

    Returns an int array ``start (T,)``: L_t is backpropagated through steps
    ``start[t-1]+1 .. t`` (reaching states h_t .. h_{start+1}, and h_0 too when
    start == 0). ``truncate=None`` is full BPTT (start = 0 for every t).
    """
    T = check_positive_int(T, "T", minimum=0)
    t = np.arange(1, T + 1)
    if truncate is None:
        return np.zeros(T, dtype=int)
    k = check_positive_int(truncate, "truncate")
    if truncate_mode == "chunked":
        return k * ((t - 1) // k)
    if truncate_mode == "window":
        return np.maximum(0, t - k)
    raise ValueError(f"truncate_mode must be one of {TRUNCATE_MODES}, got {truncate_mode!r}")


def rnn_backward(dh, cache, truncate=None, truncate_mode="chunked"):
    """BPTT. ``dh (T, H)``: row t-1 is the DIRECT gradient dL/dh_t (from L_t
    only); the recurrent contributions through h_{t+1}, h_{t+2}, ... are added here.

    ``truncate=None``: full BPTT, the exact gradient of L.
    ``truncate=k``: truncated BPTT. ``truncate_mode="chunked"`` (course, default):
    chunks of steps [1..k], [k+1..2k], ...; L_t only reaches the steps of its own
    chunk up to t. ``truncate_mode="window"`` (Williams & Peng): L_t reaches steps
    max(1, t-k+1)..t. In both modes the returned ``h0`` gradient collects only the
    loss terms whose window starts at h_0 (t <= k) and a step s's parameter, x_s
    gradients collect only the L_t whose window contains s (module docstring).

    Returns a dict with keys ``x (T, D)``, ``h0 (H,)``, ``W_xh``, ``W_hh``, ``b_h``
    and ``a (T, H)`` (the summed dL/da_s actually propagated, for worked solutions).
    """
    a, x = cache["a"], cache["x"]
    T, H = a.shape
    dh = as_array(dh, "dh", ndim=2)
    check_shape(dh, "dh", (T, H), "(T, H)")
    start = truncation_windows(T, truncate, truncate_mode)
    _, df = get_activation(cache["activation"])
    fprime = df(a)
    W_hh = cache["W_hh"]
    da = np.zeros((T, H))
    dh0 = np.zeros(H)

    if truncate is None or truncate_mode == "chunked":
        # One backward sweep; the carried gradient dL/dh_{s-1} is dropped when
        # step s begins a chunk (start(s) == s - 1 > 0), kept into h_0 otherwise.
        carry = np.zeros(H)
        for i in range(T - 1, -1, -1):
            da[i] = (dh[i] + carry) * fprime[i]
            carry = W_hh.T @ da[i]
            if start[i] == i:  # step i+1 is the first of its chunk
                if i == 0:
                    dh0 = carry
                carry = np.zeros(H)
    else:
        # Window mode: the windows overlap, so each L_t is propagated on its own.
        for i in range(T):
            g = dh[i]
            for s in range(i, start[i] - 1, -1):
                da_s = g * fprime[s]
                da[s] += da_s
                g = W_hh.T @ da_s
            if start[i] == 0:
                dh0 += g

    return {
        "x": da @ cache["W_xh"],
        "h0": dh0,
        "W_xh": da.T @ x,
        "W_hh": da.T @ cache["h_prev"],
        "b_h": da.sum(axis=0),
        "a": da,
    }


# --------------------------------------------------------------------------- #
# Softmax outputs and cross-entropy
# --------------------------------------------------------------------------- #
def output_forward(h, W_hy, b_y):
    """``z_t = W_hy h_t + b_y``, ``y^_t = softmax(z_t)`` for every step.

    ``h (T, H)``, ``W_hy (V, H)``, ``b_y (V,)``. Returns ``(y_hat (T, V), cache)``
    with cache keys ``h``, ``z`` (logits), ``y_hat``, ``W_hy``.
    """
    h = as_array(h, "h", ndim=2)
    H = h.shape[1]
    W_hy = as_array(W_hy, "W_hy", ndim=2)
    V = W_hy.shape[0]
    check_shape(W_hy, "W_hy", (V, H), "(V, H)")
    b_y = as_array(b_y, "b_y")
    check_shape(b_y, "b_y", (V,), "(V,)")
    z = h @ W_hy.T + b_y
    y_hat = softmax(z, axis=-1)
    return y_hat, {"h": h, "z": z, "y_hat": y_hat, "W_hy": W_hy}


def cross_entropy(y_hat, targets):
    """Per-step loss ``L_t = -log y^_t[y_t]``: ``y_hat (T, V)``, integer
    ``targets (T,)``. Returns ``(T,)``; the course's L is its sum."""
    y_hat = as_array(y_hat, "y_hat", ndim=2)
    T, V = y_hat.shape
    targets = check_targets(targets, T, V)
    return -np.log(y_hat[np.arange(T), targets])


def output_backward(targets, cache):
    """Gradients of ``L = sum_t L_t`` through softmax + cross-entropy.

    ``dL/dz_t = y^_t - y_t`` (y_t one-hot), so ``dW_hy = sum_t (y^_t - y_t) h_t^T``,
    ``db_y = sum_t (y^_t - y_t)``, and ``dL/dh_t = W_hy^T (y^_t - y_t)`` (the direct
    gradient to feed ``rnn_backward``). Returns keys ``z``, ``W_hy``, ``b_y``, ``h``.
    """
    y_hat = cache["y_hat"]
    T, V = y_hat.shape
    targets = check_targets(targets, T, V)
    dz = y_hat.copy()
    dz[np.arange(T), targets] -= 1.0
    return {"z": dz, "W_hy": dz.T @ cache["h"], "b_y": dz.sum(axis=0),
            "h": dz @ cache["W_hy"]}


def rnn_loss_and_grads(x, targets, h0, params, activation="tanh",
                       truncate=None, truncate_mode="chunked"):
    """Forward, summed cross-entropy and (full or truncated) BPTT in one call.

    ``params``: dict with ``W_xh (H, D)``, ``W_hh (H, H)``, ``b_h (H,)``,
    ``W_hy (V, H)``, ``b_y (V,)``. Returns ``(loss, losses, grads, cache)``:
    ``loss = sum_t L_t``, ``losses (T,)``, ``grads`` keyed ``W_xh, W_hh, b_h,
    W_hy, b_y, x, h0`` (truncation affects only the recurrent part; W_hy, b_y
    always get their exact gradient), ``cache = {"rnn": ..., "out": ...}``.
    """
    h, rnn_cache = rnn_forward(x, h0, params["W_xh"], params["W_hh"], params["b_h"],
                               activation=activation)
    y_hat, out_cache = output_forward(h, params["W_hy"], params["b_y"])
    T, V = y_hat.shape
    t_idx = check_targets(targets, T, V)
    # From the logits rather than log(y_hat): no log(0) when a probability underflows.
    losses = -log_softmax(out_cache["z"])[np.arange(T), t_idx]
    d_out = output_backward(t_idx, out_cache)
    d_rnn = rnn_backward(d_out["h"], rnn_cache, truncate=truncate, truncate_mode=truncate_mode)
    grads = {k: d_rnn[k] for k in ("W_xh", "W_hh", "b_h", "x", "h0")}
    grads["W_hy"] = d_out["W_hy"]
    grads["b_y"] = d_out["b_y"]
    return float(losses.sum()), losses, grads, {"rnn": rnn_cache, "out": out_cache}


# --------------------------------------------------------------------------- #
# Vanishing / exploding gradients
# --------------------------------------------------------------------------- #
def hidden_jacobian(cache, t, k):
    """``dh_t/dh_k (H, H) = prod_{s=t..k+1} diag(f'(a_s)) W_hh`` (leftmost factor s = t).

    ``t`` and ``k`` are the course's time indices, ``0 <= k <= t <= T``, with
    ``h_0`` the initial state (so ``hidden_jacobian(cache, T, 0) = dh_T/dh_0``);
    ``t == k`` gives the identity.
    """
    a = cache["a"]
    T, H = a.shape
    t = check_positive_int(t, "t", minimum=0)
    k = check_positive_int(k, "k", minimum=0)
    if not k <= t <= T:
        raise ValueError(f"need 0 <= k <= t <= T = {T}, got t={t}, k={k}")
    _, df = get_activation(cache["activation"])
    J = np.eye(H)
    for s in range(k + 1, t + 1):  # J <- diag(f'(a_s)) W_hh J, a_s is row s-1
        J = (df(a[s - 1])[:, None] * cache["W_hh"]) @ J
    return J


def hidden_gradients(cache, dh_T):
    """``dL/dh_k`` for k = 0..T when L depends on the states only through h_T.

    ``dh_T (H,) = dL/dh_T``. Returns ``(T+1, H)``: row k is
    ``(dh_T/dh_k)^T dL/dh_T`` (row 0 is dL/dh_0, row T is dh_T itself).
    """
    a = cache["a"]
    T, H = a.shape
    dh_T = as_array(dh_T, "dh_T", ndim=1)
    check_shape(dh_T, "dh_T", (H,), "(H,)")
    _, df = get_activation(cache["activation"])
    out = np.zeros((T + 1, H))
    out[T] = dh_T
    for s in range(T, 0, -1):  # dL/dh_{s-1} = W_hh^T diag(f'(a_s)) dL/dh_s
        out[s - 1] = cache["W_hh"].T @ (df(a[s - 1]) * out[s])
    return out


def gradient_norms(cache, dh_T):
    """``||dL/dh_k||_2`` for k = 0..T (shape (T+1,)), given only ``dL/dh_T``:
    how fast the gradient vanishes or explodes going back in time."""
    return np.linalg.norm(hidden_gradients(cache, dh_T), axis=1)


# --------------------------------------------------------------------------- #
# Gradient clipping
# --------------------------------------------------------------------------- #
def clip_by_global_norm(grads, max_norm):
    """Rescale all gradients together so that their joint L2 norm is at most ``max_norm``.

    ``||g|| = sqrt(sum over every array of sum of squares)``;
    ``scale = max_norm / ||g||`` if ``||g|| > max_norm`` else 1; each array is
    multiplied by ``scale``. Returns ``(clipped dict, total_norm, scale)``.

    Differs from ``torch.nn.utils.clip_grad_norm_``, which multiplies by
    ``min(1, max_norm / (||g|| + 1e-6))``: when clipping happens torch's result
    is ours times ``||g|| / (||g|| + 1e-6)`` (slightly below max_norm), and for
    ``max_norm - 1e-6 < ||g|| <= max_norm`` torch shrinks a little where we do not.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm!r}")
    arrays = {k: as_array(v, f"grads[{k!r}]") for k, v in grads.items()}
    total = float(np.sqrt(sum(float(np.sum(v * v)) for v in arrays.values())))
    scale = max_norm / total if total > max_norm else 1.0
    return {k: v * scale for k, v in arrays.items()}, total, scale


def clip_by_value(grads, clip_value):
    """Clamp every gradient entry to ``[-clip_value, clip_value]``
    (as ``torch.nn.utils.clip_grad_value_``). Returns a new dict."""
    if not clip_value >= 0:
        raise ValueError(f"clip_value must be >= 0, got {clip_value!r}")
    return {k: np.clip(as_array(v, f"grads[{k!r}]"), -clip_value, clip_value)
            for k, v in grads.items()}


# --------------------------------------------------------------------------- #
# Parameter count
# --------------------------------------------------------------------------- #
def rnn_param_count(D, H, V=None):
    """Trainable parameters: ``W_xh`` H*D + ``W_hh`` H*H + ``b_h`` H, plus
    ``W_hy`` V*H + ``b_y`` V when an output layer of size V is given.
    (torch.nn.RNN has a second bias ``bias_hh``: H more.)"""
    D = check_positive_int(D, "D")
    H = check_positive_int(H, "H")
    n = H * D + H * H + H
    if V is not None:
        V = check_positive_int(V, "V")
        n += V * H + V
    return n


# --------------------------------------------------------------------------- #
def _check_params(W_xh, W_hh, b_h, H, D):
    W_xh = as_array(W_xh, "W_xh")
    check_shape(W_xh, "W_xh", (H, D), "(H, D)")
    W_hh = as_array(W_hh, "W_hh")
    check_shape(W_hh, "W_hh", (H, H), "(H, H)")
    b_h = as_array(b_h, "b_h")
    check_shape(b_h, "b_h", (H,), "(H,)")
    return W_xh, W_hh, b_h
