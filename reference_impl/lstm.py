"""LSTM in the course's notation: forward, BPTT (full and truncated), parameter counts.

The gates act on the concatenation ``[h_{t-1}, x_t]`` (h FIRST, then x), a
column vector of length ``H + D``::

    f_t  = sigma(W_f [h_{t-1}, x_t] + b_f)        forget gate
    i_t  = sigma(W_i [h_{t-1}, x_t] + b_i)        input gate
    C~_t = tanh (W_c [h_{t-1}, x_t] + b_c)        candidate cell state
    o_t  = sigma(W_o [h_{t-1}, x_t] + b_o)        output gate
    C_t  = f_t * C_{t-1} + i_t * C~_t             cell state
    h_t  = o_t * tanh(C_t)                        hidden state

``params`` is a dict with ``W_f, W_i, W_c, W_o`` of shape ``(H, H+D)`` (the
first ``H`` columns multiply ``h_{t-1}``, the last ``D`` columns ``x_t``) and
``b_f, b_i, b_c, b_o`` of shape ``(H,)``. A sequence ``x`` has shape ``(T, D)``.

Cache keys (every array has one row per time step t = 1..T, stored at index t-1):

* ``hx``: the concatenation ``[h_{t-1}, x_t]``, shape ``(T, H+D)``;
* ``a_f, a_i, a_c, a_o``: the pre-activations ``W_g [h_{t-1}, x_t] + b_g``;
* ``f, i, C_tilde, o``: the gates and the candidate ``C~_t``;
* ``C``: the cell states ``C_t``; ``tanh_C``: ``tanh(C_t)``; ``h``: ``h_t``;
* ``h_prev, C_prev``: ``h_{t-1}`` and ``C_{t-1}`` (row 0 holds ``h_0``, ``C_0``);
* ``x, h0, c0, params``: the inputs, as float64 arrays.

The sequence functions are vectorised across the four gates (one stacked
``(4H, H+D)`` matrix, the input projection of every step done in one matmul);
the single-step functions spell the equations out one by one, for reading.
"""

from __future__ import annotations

import numpy as np

from reference_impl._checks import as_array, check_positive_int, check_shape, sequence_and_state
from reference_impl.activations import sigmoid, tanh

GATES = ("f", "i", "c", "o")
"""Gate suffixes in course order: forget, input, candidate (C~), output."""

PARAM_NAMES = tuple(f"W_{g}" for g in GATES) + tuple(f"b_{g}" for g in GATES)

# Internal stacking order of the gates: the three sigmoid gates first, so that a
# single sigmoid call covers rows [0, 3H) and a single tanh the candidate rows.
_ORDER = ("o", "f", "i", "c")


def _check_params(params, H: int, D: int) -> dict:
    """Return the eight parameters as float64 arrays, checking their shapes."""
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict with keys {list(PARAM_NAMES)}")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; expected keys {list(PARAM_NAMES)}")
    out = {}
    for g in GATES:
        W = as_array(params[f"W_{g}"], f"W_{g}")
        check_shape(W, f"W_{g}", (H, H + D), "(H, H+D)")
        b = as_array(params[f"b_{g}"], f"b_{g}")
        check_shape(b, f"b_{g}", (H,), "(H,)")
        out[f"W_{g}"], out[f"b_{g}"] = W, b
    return out


def _stack(p: dict):
    """The stacked (4H, H+D) weight and (4H,) bias in the internal order (o, f, i, c)."""
    W = np.concatenate([p[f"W_{g}"] for g in _ORDER], axis=0)
    b = np.concatenate([p[f"b_{g}"] for g in _ORDER])
    return W, b


# --------------------------------------------------------------------------- one step


def lstm_step_forward(x_t, h_prev, c_prev, params):
    """One LSTM step, equation by equation.

    Shapes: ``x_t (D,)``, ``h_prev = h_{t-1} (H,)``, ``c_prev = C_{t-1} (H,)``.
    Returns ``(h_t, C_t, cache)``; ``cache`` holds ``hx = [h_{t-1}, x_t]``, the
    pre-activations ``a_f, a_i, a_c, a_o``, the gates ``f, i, C_tilde, o``,
    ``C``, ``tanh_C``, ``h`` (all ``(H,)`` except ``hx``) and the inputs.
    """
    h_prev = as_array(h_prev, "h_prev", ndim=1)
    H = h_prev.shape[0]
    x_t = as_array(x_t, "x_t", ndim=1)
    D = x_t.shape[0]
    c_prev = as_array(c_prev, "c_prev")
    check_shape(c_prev, "c_prev", (H,), "(H,)")
    p = _check_params(params, H, D)

    z = np.concatenate([h_prev, x_t])            # [h_{t-1}, x_t], h first
    a_f = p["W_f"] @ z + p["b_f"]
    a_i = p["W_i"] @ z + p["b_i"]
    a_c = p["W_c"] @ z + p["b_c"]
    a_o = p["W_o"] @ z + p["b_o"]
    f, i, C_tilde, o = sigmoid(a_f), sigmoid(a_i), tanh(a_c), sigmoid(a_o)
    C = f * c_prev + i * C_tilde
    tanh_C = tanh(C)
    h = o * tanh_C
    cache = dict(x_t=x_t, h_prev=h_prev, c_prev=c_prev, params=p, hx=z,
                 a_f=a_f, a_i=a_i, a_c=a_c, a_o=a_o,
                 f=f, i=i, C_tilde=C_tilde, o=o, C=C, tanh_C=tanh_C, h=h)
    return h, C, cache


def lstm_step_backward(dh_t, cache, dc_t=None):
    """Backward of :func:`lstm_step_forward`.

    ``dh_t = dL/dh_t (H,)`` and optionally ``dc_t = dL/dC_t (H,)`` (the part of
    the gradient reaching ``C_t`` other than through ``h_t``, e.g. from step
    t+1). Returns a dict with ``W_f .. W_o`` ``(H, H+D)``, ``b_f .. b_o`` ``(H,)``,
    ``x_t (D,)``, ``h_prev (H,)``, ``c_prev (H,)``::

        dC_t  = dc_t + dh_t * o_t * (1 - tanh(C_t)^2)
        do    = dh_t * tanh(C_t);  df = dC_t * C_{t-1};  di = dC_t * C~_t;  dC~ = dC_t * i_t
        da_g  = dg * sigma'(a_g)  (g = f, i, o);   da_c = dC~ * (1 - C~_t^2)
        dW_g  = da_g [h_{t-1}, x_t]^T,  db_g = da_g,  d[h_{t-1}, x_t] = sum_g W_g^T da_g
        dC_{t-1} = dC_t * f_t
    """
    H = cache["h"].shape[0]
    dh_t = as_array(dh_t, "dh_t")
    check_shape(dh_t, "dh_t", (H,), "(H,)")
    if dc_t is None:
        dc_t = np.zeros(H)
    dc_t = as_array(dc_t, "dc_t")
    check_shape(dc_t, "dc_t", (H,), "(H,)")
    p = cache["params"]
    f, i, g, o = cache["f"], cache["i"], cache["C_tilde"], cache["o"]
    tC = cache["tanh_C"]

    dC = dc_t + dh_t * o * (1.0 - tC * tC)
    da = {
        "f": dC * cache["c_prev"] * f * (1.0 - f),
        "i": dC * g * i * (1.0 - i),
        "c": dC * i * (1.0 - g * g),
        "o": dh_t * tC * o * (1.0 - o),
    }
    z = cache["hx"]
    grads = {}
    dz = np.zeros_like(z)
    for k in GATES:
        grads[f"W_{k}"] = np.outer(da[k], z)
        grads[f"b_{k}"] = da[k].copy()
        dz += p[f"W_{k}"].T @ da[k]
    grads["h_prev"] = dz[:H]
    grads["x_t"] = dz[H:]
    grads["c_prev"] = dC * f
    return grads


# ----------------------------------------------------------------------- a sequence


def lstm_forward(x, h0, c0, params):
    """Run the LSTM over a sequence.

    Shapes: ``x (T, D)``, ``h0 = h_0 (H,)``, ``c0 = C_0 (H,)``, params as in the
    module docstring. Returns ``(h, C, cache)`` with ``h[t-1] = h_t`` and
    ``C[t-1] = C_t``, both ``(T, H)``; the cache keys are listed in the module
    docstring.
    """
    x, h0 = sequence_and_state(x, h0)
    (T, D), H = x.shape, h0.shape[0]
    c0 = as_array(c0, "c0")
    check_shape(c0, "c0", (H,), "(H,)")
    p = _check_params(params, H, D)
    W, b = _stack(p)
    Wh = np.ascontiguousarray(W[:, :H])
    # The input part of every pre-activation, for all steps at once.
    A = x @ W[:, H:].T + b                       # (T, 4H), internal order (o, f, i, c)
    H3 = 3 * H
    S = np.empty((T, 4 * H))                     # gates o, f, i (sigmoid) and C~ (tanh)
    C = np.empty((T, H))
    tC = np.empty((T, H))
    h = np.empty((T, H))
    h_t, C_t = h0, c0
    for t in range(T):
        a = A[t]
        a += Wh @ h_t                            # A[t] now holds the full pre-activation
        s = S[t]
        s[:H3] = sigmoid(a[:H3])
        s[H3:] = tanh(a[H3:])
        C_t = s[H:2 * H] * C_t + s[2 * H:H3] * s[H3:]
        C[t] = C_t
        tc = tanh(C_t)
        tC[t] = tc
        h_t = s[:H] * tc
        h[t] = h_t

    h_prev = np.vstack([h0[None, :], h[:-1]])
    C_prev = np.vstack([c0[None, :], C[:-1]])
    cache = dict(x=x, h0=h0, c0=c0, params=p,
                 hx=np.hstack([h_prev, x]), h_prev=h_prev, C_prev=C_prev,
                 C=C, tanh_C=tC, h=h, _W=W, _S=S, _A=A)
    for k, name in enumerate(_ORDER):
        cache[f"a_{name}"] = A[:, k * H:(k + 1) * H]
    cache["o"], cache["f"], cache["i"], cache["C_tilde"] = (
        S[:, :H], S[:, H:2 * H], S[:, 2 * H:H3], S[:, H3:])
    return h, C, cache


def lstm_backward(dh, cache, dc=None, truncate=None):
    """Backpropagation through time for :func:`lstm_forward`.

    ``dh (T, H)``: ``dh[t-1] = dL/dh_t``, the DIRECT gradient of the loss with
    respect to ``h_t`` (e.g. from an output layer at step t), not including
    what flows back from step t+1. ``dc (T, H)`` optional: direct ``dL/dC_t``.

    ``truncate = k`` gives chunked truncated BPTT (the course's TBPTT): the
    steps are cut into chunks t-1 in [0, k), [k, 2k), ...; the forward pass is
    unchanged (each chunk starts from the previous chunk's last h and C), but
    the gradient flowing back through h and C is dropped at every chunk
    boundary -- exactly PyTorch with ``h.detach(), c.detach()`` between chunks.
    The gradients for ``h0`` and ``c0`` then come from the first chunk only.

    Returns a dict with ``W_f, W_i, W_c, W_o (H, H+D)``, ``b_f, b_i, b_c, b_o
    (H,)``, ``x (T, D)``, ``h0 (H,)``, ``c0 (H,)``. Per step, with
    ``dh_t`` = direct + from step t+1 and ``dC_t`` likewise::

        dC_t = dC_t + dh_t * o_t * (1 - tanh(C_t)^2)
        da_o = dh_t * tanh(C_t) * o_t (1 - o_t)
        da_f = dC_t * C_{t-1} * f_t (1 - f_t);   da_i = dC_t * C~_t * i_t (1 - i_t)
        da_c = dC_t * i_t * (1 - C~_t^2)
        dW_g += da_g [h_{t-1}, x_t]^T;   dh_{t-1} = W_{g,h}^T da_g;   dC_{t-1} = dC_t * f_t
    """
    h = cache["h"]
    T, H = h.shape
    dh = as_array(dh, "dh")
    check_shape(dh, "dh", (T, H), "(T, H)")
    if dc is not None:
        dc = as_array(dc, "dc")
        check_shape(dc, "dc", (T, H), "(T, H)")
    k = None if truncate is None else check_positive_int(truncate, "truncate")

    W = cache["_W"]
    WhT = np.ascontiguousarray(W[:, :H].T)       # (H, 4H)
    S = cache["_S"]
    o, f, i, g = S[:, :H], S[:, H:2 * H], S[:, 2 * H:3 * H], S[:, 3 * H:]
    tC = cache["tanh_C"]
    # Step-independent factors, computed for all steps at once.
    k_hC = o * (1.0 - tC * tC)                                   # dC_t / dh_t path
    m_o = tC * o * (1.0 - o)                                     # da_o / dh_t
    m_fic = np.stack([cache["C_prev"] * f * (1.0 - f),           # da_f / dC_t
                      g * i * (1.0 - i),                         # da_i / dC_t
                      i * (1.0 - g * g)], axis=1)                # da_c / dC_t, (T, 3, H)
    dC_direct = np.zeros((T, H)) if dc is None else dc

    dA = np.empty((T, 4, H))                                     # internal order (o, f, i, c)
    dh_next = np.zeros(H)
    dc_next = np.zeros(H)
    for t in range(T - 1, -1, -1):
        dh_t = dh[t] + dh_next
        dC_t = dC_direct[t] + dc_next + dh_t * k_hC[t]
        dA[t, 0] = dh_t * m_o[t]
        dA[t, 1:] = dC_t * m_fic[t]
        if k is not None and t > 0 and t % k == 0:
            # Chunk boundary: h_{t-1}, C_{t-1} were detached; nothing flows further back.
            dh_next = np.zeros(H)
            dc_next = np.zeros(H)
        else:
            dh_next = WhT @ dA[t].reshape(4 * H)
            dc_next = dC_t * f[t]

    dA2 = dA.reshape(T, 4 * H)
    dW = dA2.T @ cache["hx"]                                      # (4H, H+D)
    db = dA2.sum(axis=0)
    grads = {}
    for n, name in enumerate(_ORDER):
        grads[f"W_{name}"] = dW[n * H:(n + 1) * H]
        grads[f"b_{name}"] = db[n * H:(n + 1) * H]
    grads["x"] = dA2 @ W[:, H:]
    grads["h0"] = dh_next
    grads["c0"] = dc_next
    return {name: grads[name] for name in PARAM_NAMES + ("x", "h0", "c0")}


# ------------------------------------------------------------------ exam helpers


def cell_gradient_path(dC_t, f):
    """Gradient reaching an earlier cell state along the cell path ALONE.

    ``C_t = f_t * C_{t-1} + i_t * C~_t``, so along the additive cell path
    (ignoring the routes through ``h_{t-1}`` into the gates)::

        dL/dC_{t-1} = dL/dC_t * f_t

    with no weight matrix and no squashing derivative: as long as the forget
    gate stays near 1 the gradient neither vanishes nor explodes (the
    "constant error carousel"), unlike a vanilla RNN's ``W_hh^T diag(tanh')``.

    ``dC_t (H,)``; ``f`` either ``f_t (H,)`` -> ``dL/dC_{t-1}``, or a ``(k, H)``
    block of consecutive forget gates ``f_{s+1}, ..., f_t`` (e.g.
    ``cache["f"][s:t]`` in the 0-based storage of :func:`lstm_forward`) ->
    ``dL/dC_s = dL/dC_t * prod_{u=s+1..t} f_u``.
    """
    dC_t = as_array(dC_t, "dC_t", ndim=1)
    H = dC_t.shape[0]
    f = as_array(f, "f")
    if f.ndim == 1:
        check_shape(f, "f", (H,), "(H,)")
        return dC_t * f
    if f.ndim != 2 or f.shape[1] != H:
        raise ValueError(f"f must have shape (H,) = ({H},) or (k, H) = (k, {H}), got {f.shape}")
    return dC_t * np.prod(f, axis=0)


_PARAM_COUNTS = {
    # course: four gates, each a (H, H+D) matrix on [h, x] and one bias.
    "course": lambda D, H: 4 * (H * (H + D) + H),
    # torch.nn.LSTM: weight_ih (4H, D), weight_hh (4H, H), bias_ih AND bias_hh (4H each).
    "pytorch": lambda D, H: 4 * (H * D + H * H + 2 * H),
    # Keras LSTM: kernel (D, 4H), recurrent_kernel (H, 4H), one bias (4H).
    "keras": lambda D, H: 4 * (H * D + H * H + H),
}


def lstm_param_count(D, H, convention="course"):
    """Number of trainable parameters of one LSTM layer with input size D and hidden size H.

    * ``"course"``: ``4 (H (H+D) + H)`` -- four gates, one bias each;
    * ``"pytorch"``: ``4 (H D + H H + 2H)`` -- torch keeps two bias vectors
      (``bias_ih``, ``bias_hh``) whose sum is the course's bias;
    * ``"keras"``: ``4 (H D + H H + H)`` -- the same count as the course.
    """
    D = check_positive_int(D, "D")
    H = check_positive_int(H, "H")
    if convention not in _PARAM_COUNTS:
        raise ValueError(f"convention must be one of {sorted(_PARAM_COUNTS)}, got {convention!r}")
    return _PARAM_COUNTS[convention](D, H)


def _shape_from_params(params):
    if not isinstance(params, dict) or "W_f" not in params:
        raise ValueError(f"params must be a dict with keys {list(PARAM_NAMES)}")
    W_f = as_array(params["W_f"], "W_f", ndim=2)
    H = W_f.shape[0]
    D = W_f.shape[1] - H
    if H < 1 or D < 1:
        raise ValueError(f"W_f must have shape (H, H+D) with H, D >= 1, got {W_f.shape}")
    return H, D


# torch's row-block order of the stacked gate matrices: input, forget, cell (g), output.
_TORCH_ORDER = ("i", "f", "c", "o")


def to_pytorch_lstm(params):
    """Course parameters -> the state dict of a one-layer ``torch.nn.LSTM`` (as NumPy arrays).

    torch computes, with its gate blocks stacked in the order (i, f, g, o)::

        i = sigma(W_ii x + b_ii + W_hi h + b_hi)    f = sigma(W_if x + b_if + W_hf h + b_hf)
        g = tanh (W_ig x + b_ig + W_hg h + b_hg)    o = sigma(W_io x + b_io + W_ho h + b_ho)
        c' = f * c + i * g,   h' = o * tanh(c')

    so torch's ``g`` is the course's candidate ``C~_t`` and, since the course's
    ``W_k`` multiplies ``[h_{t-1}, x_t]`` (h first), for each gate k:

    * ``weight_ih_l0`` (4H, D)  = rows ``[W_i[:, H:]; W_f[:, H:]; W_c[:, H:]; W_o[:, H:]]``
    * ``weight_hh_l0`` (4H, H)  = rows ``[W_i[:, :H]; W_f[:, :H]; W_c[:, :H]; W_o[:, :H]]``
    * ``bias_ih_l0``   (4H,)    = ``[b_i; b_f; b_c; b_o]``
    * ``bias_hh_l0``   (4H,)    = zeros (torch's second bias; only the sum matters)
    """
    H, D = _shape_from_params(params)
    p = _check_params(params, H, D)
    return {
        "weight_ih_l0": np.concatenate([p[f"W_{k}"][:, H:] for k in _TORCH_ORDER]),
        "weight_hh_l0": np.concatenate([p[f"W_{k}"][:, :H] for k in _TORCH_ORDER]),
        "bias_ih_l0": np.concatenate([p[f"b_{k}"] for k in _TORCH_ORDER]),
        "bias_hh_l0": np.zeros(4 * H),
    }


def from_pytorch_lstm(state, suffix="_l0"):
    """Inverse of :func:`to_pytorch_lstm`: a torch LSTM state dict -> course parameters.

    ``state`` maps ``weight_ih{suffix}``, ``weight_hh{suffix}``, ``bias_ih{suffix}``,
    ``bias_hh{suffix}`` to arrays (or tensors); the two torch biases are summed.
    ``suffix="_l0_reverse"`` reads the reverse direction of a bidirectional LSTM.
    """
    def get(name):
        key = name + suffix
        if key not in state:
            raise ValueError(f"state is missing {key!r}")
        v = state[key]
        v = v.detach().cpu().numpy() if hasattr(v, "detach") else v
        return as_array(v, key)

    W_ih, W_hh = get("weight_ih"), get("weight_hh")
    b = get("bias_ih") + get("bias_hh")
    H = W_hh.shape[1]
    check_shape(W_hh, "weight_hh" + suffix, (4 * H, H), "(4H, H)")
    if W_ih.ndim != 2 or W_ih.shape[0] != 4 * H:
        raise ValueError(f"weight_ih{suffix} must have shape (4H, D) = ({4 * H}, D), got {W_ih.shape}")
    params = {}
    for n, k in enumerate(_TORCH_ORDER):
        rows = slice(n * H, (n + 1) * H)
        params[f"W_{k}"] = np.hstack([W_hh[rows], W_ih[rows]])
        params[f"b_{k}"] = b[rows].copy()
    return {name: params[name] for name in PARAM_NAMES}
