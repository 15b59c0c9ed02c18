"""GRU in BOTH conventions found in the literature; the convention is always explicit.

``convention="course"`` (the course notes; gates on ``[h_{t-1}, x_t]``, h first)::

    u_t  = sigma(W_u [h_{t-1}, x_t] + b_u)              update gate
    r_t  = sigma(W_r [h_{t-1}, x_t] + b_r)              reset gate
    C~_t = tanh (W_c [r_t * h_{t-1}, x_t] + b_c)        candidate: reset BEFORE the matmul
    h_t  = u_t * C~_t + (1 - u_t) * h_{t-1}

  params: ``W_u, W_r, W_c (H, H+D)`` (first H columns act on the h part),
  ``b_u, b_r, b_c (H,)``. Cache keys: ``hx = [h_{t-1}, x_t] (T, H+D)``,
  ``rh = r_t * h_{t-1}``, ``rhx = [r_t * h_{t-1}, x_t] (T, H+D)``, pre-activations
  ``a_u, a_r, a_c``, gates ``u, r``, candidate ``C_tilde``.

``convention="pytorch"`` (``torch.nn.GRU``; Cho et al. 2014 with the reset after the matmul)::

    r_t = sigma(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
    z_t = sigma(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
    n_t = tanh (W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))   reset AFTER the matmul
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}

  params: ``W_ir, W_iz, W_in (H, D)``, ``W_hr, W_hz, W_hn (H, H)``, the six biases
  ``b_ir, b_iz, b_in, b_hr, b_hz, b_hn (H,)``. Cache keys: pre-activations
  ``a_r, a_z, a_n``, gates ``r, z``, candidate ``n``, ``hn = W_hn h_{t-1} + b_hn``.

Note the roles are mirrored: the course's ``u_t`` weights the NEW candidate,
torch's ``z_t`` weights the OLD state (``z_t`` plays ``1 - u_t``).

Both caches also hold ``convention``, ``x``, ``h0``, ``params``, ``h`` (h_t) and
``h_prev`` (h_{t-1}); row t-1 of every (T, .) array belongs to step t.
"""

from __future__ import annotations

import numpy as np

from reference_impl._checks import as_array, check_positive_int, check_shape, sequence_and_state
from reference_impl.activations import sigmoid, tanh

CONVENTIONS = ("course", "pytorch")

COURSE_PARAMS = ("W_u", "W_r", "W_c", "b_u", "b_r", "b_c")
PYTORCH_PARAMS = ("W_ir", "W_iz", "W_in", "W_hr", "W_hz", "W_hn",
                  "b_ir", "b_iz", "b_in", "b_hr", "b_hz", "b_hn")

_CONVENTION_HELP = ("'course' (h_t = u_t*C~_t + (1-u_t)*h_{t-1}, reset before the matmul) "
                    "or 'pytorch' (h' = (1-z)*n + z*h, reset after the matmul)")


def _check_convention(convention) -> str:
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be given explicitly, one of {_CONVENTION_HELP}; "
                         f"got {convention!r}")
    return convention


def _check_params(params, H: int, D: int, convention: str) -> dict:
    names = COURSE_PARAMS if convention == "course" else PYTORCH_PARAMS
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict with keys {list(names)}")
    missing = [k for k in names if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing} for convention {convention!r}; "
                         f"expected keys {list(names)}")
    out = {}
    for k in names:
        arr = as_array(params[k], k)
        if k.startswith("b_"):
            check_shape(arr, k, (H,), "(H,)")
        elif convention == "course":
            check_shape(arr, k, (H, H + D), "(H, H+D)")
        elif k.startswith("W_i"):
            check_shape(arr, k, (H, D), "(H, D)")
        else:
            check_shape(arr, k, (H, H), "(H, H)")
        out[k] = arr
    return out


def gru_forward(x, h0, params, convention=None):
    """Run a GRU over ``x (T, D)`` from ``h0 (H,)``; ``convention`` is required.

    Returns ``(h, cache)`` with ``h (T, H)``, ``h[t-1] = h_t``; the cache keys of
    each convention are listed in the module docstring.
    """
    convention = _check_convention(convention)
    x, h0 = sequence_and_state(x, h0)
    (T, D), H = x.shape, h0.shape[0]
    p = _check_params(params, H, D, convention)
    h = np.empty((T, H))
    H2 = 2 * H

    if convention == "course":
        W = np.concatenate([p["W_u"], p["W_r"], p["W_c"]])          # (3H, H+D)
        A = x @ W[:, H:].T + np.concatenate([p["b_u"], p["b_r"], p["b_c"]])   # x part, all steps
        W_ur_h = np.ascontiguousarray(W[:H2, :H])
        W_c_h = np.ascontiguousarray(W[H2:, :H])
        S = np.empty((T, 3 * H))                                    # u, r, C~
        rh = np.empty((T, H))
        h_t = h0
        for t in range(T):
            a = A[t]
            a[:H2] += W_ur_h @ h_t
            s = S[t]
            s[:H2] = sigmoid(a[:H2])
            rh_t = s[H:H2] * h_t                                    # reset before the matmul
            rh[t] = rh_t
            a[H2:] += W_c_h @ rh_t
            s[H2:] = tanh(a[H2:])
            h_t = h_t + s[:H] * (s[H2:] - h_t)                      # u C~ + (1 - u) h_{t-1}
            h[t] = h_t
        h_prev = np.vstack([h0[None, :], h[:-1]])
        cache = dict(convention=convention, x=x, h0=h0, params=p, h=h, h_prev=h_prev,
                     hx=np.hstack([h_prev, x]), rh=rh, rhx=np.hstack([rh, x]),
                     a_u=A[:, :H], a_r=A[:, H:H2], a_c=A[:, H2:],
                     u=S[:, :H], r=S[:, H:H2], C_tilde=S[:, H2:], _W=W)
        return h, cache

    W_i = np.concatenate([p["W_ir"], p["W_iz"], p["W_in"]])         # (3H, D)
    W_h = np.concatenate([p["W_hr"], p["W_hz"], p["W_hn"]])         # (3H, H)
    b_h = np.concatenate([p["b_hr"], p["b_hz"], p["b_hn"]])
    A = x @ W_i.T + np.concatenate([p["b_ir"], p["b_iz"], p["b_in"]])
    HH = np.empty((T, 3 * H))                                       # W_h h_{t-1} + b_h
    S = np.empty((T, 3 * H))                                        # r, z, n
    h_t = h0
    for t in range(T):
        hh = HH[t]
        hh[:] = W_h @ h_t + b_h
        a = A[t]
        a[:H2] += hh[:H2]
        s = S[t]
        s[:H2] = sigmoid(a[:H2])
        a[H2:] += s[:H] * hh[H2:]                                   # reset after the matmul
        s[H2:] = tanh(a[H2:])
        h_t = s[H2:] + s[H:H2] * (h_t - s[H2:])                     # (1 - z) n + z h_{t-1}
        h[t] = h_t
    h_prev = np.vstack([h0[None, :], h[:-1]])
    cache = dict(convention=convention, x=x, h0=h0, params=p, h=h, h_prev=h_prev,
                 a_r=A[:, :H], a_z=A[:, H:H2], a_n=A[:, H2:],
                 r=S[:, :H], z=S[:, H:H2], n=S[:, H2:], hn=HH[:, H2:],
                 _W_i=W_i, _W_h=W_h)
    return h, cache


def gru_backward(dh, cache, truncate=None):
    """BPTT for :func:`gru_forward` (either convention, read from the cache).

    ``dh (T, H)``: ``dh[t-1]`` = the direct ``dL/dh_t`` at step t (not including
    what flows back from step t+1). ``truncate=k``: chunked truncated BPTT as in
    :func:`reference_impl.lstm.lstm_backward` (chunks of k steps; the gradient
    through ``h`` is dropped at chunk boundaries, i.e. torch with ``h.detach()``
    before steps k+1, 2k+1, ...; ``dh0`` comes from the first chunk).

    Returns the gradient of every parameter of the convention plus ``x (T, D)``
    and ``h0 (H,)``. Course convention, per step (dh_t including step t+1's)::

        du = dh_t (C~_t - h_{t-1}),  dC~ = dh_t u_t,  da_c = dC~ (1 - C~_t^2)
        d(r h) = W_c,h^T da_c,  dr = d(r h) * h_{t-1},  da_u = du u(1-u),  da_r = dr r(1-r)
        dh_{t-1} = dh_t (1 - u_t) + d(r h) * r_t + W_u,h^T da_u + W_r,h^T da_r

    PyTorch convention::

        dz = dh_t (h_{t-1} - n_t),  dn = dh_t (1 - z_t),  da_n = dn (1 - n_t^2)
        d(hn) = da_n r_t,  dr = da_n hn_t,  da_r = dr r(1-r),  da_z = dz z(1-z)
        dh_{t-1} = dh_t z_t + W_hr^T da_r + W_hz^T da_z + W_hn^T d(hn)
    """
    convention = _check_convention(cache.get("convention"))
    h = cache["h"]
    T, H = h.shape
    dh = as_array(dh, "dh")
    check_shape(dh, "dh", (T, H), "(T, H)")
    k = None if truncate is None else check_positive_int(truncate, "truncate")
    h_prev = cache["h_prev"]
    H2 = 2 * H

    def boundary(t):
        return k is not None and t > 0 and t % k == 0

    if convention == "course":
        W = cache["_W"]
        u, r, g = cache["u"], cache["r"], cache["C_tilde"]
        W_ur_hT = np.ascontiguousarray(W[:H2, :H].T)                # (H, 2H)
        W_c_hT = np.ascontiguousarray(W[H2:, :H].T)                 # (H, H)
        m_u = (g - h_prev) * u * (1.0 - u)                          # da_u / dh_t
        m_c = u * (1.0 - g * g)                                     # da_c / dh_t
        m_r = h_prev * r * (1.0 - r)                                # da_r / d(r h)
        one_u = 1.0 - u
        dA = np.empty((T, 3 * H))                                   # da_u, da_r, da_c
        dh_next = np.zeros(H)
        for t in range(T - 1, -1, -1):
            dh_t = dh[t] + dh_next
            d = dA[t]
            d[:H] = dh_t * m_u[t]
            da_c = dh_t * m_c[t]
            d[H2:] = da_c
            d_rh = W_c_hT @ da_c
            d[H:H2] = d_rh * m_r[t]
            if boundary(t):
                dh_next = np.zeros(H)
            else:
                dh_next = dh_t * one_u[t] + d_rh * r[t] + W_ur_hT @ d[:H2]
        grads = {
            "W_u": dA[:, :H].T @ cache["hx"],
            "W_r": dA[:, H:H2].T @ cache["hx"],
            "W_c": dA[:, H2:].T @ cache["rhx"],
        }
        db = dA.sum(axis=0)
        grads.update(b_u=db[:H], b_r=db[H:H2], b_c=db[H2:])
        grads["x"] = dA @ W[:, H:]
        grads["h0"] = dh_next
        return {name: grads[name] for name in COURSE_PARAMS + ("x", "h0")}

    W_i, W_h = cache["_W_i"], cache["_W_h"]
    W_hT = np.ascontiguousarray(W_h.T)                              # (H, 3H)
    r, z, n, hn = cache["r"], cache["z"], cache["n"], cache["hn"]
    m_z = (h_prev - n) * z * (1.0 - z)                              # da_z / dh_t
    m_n = (1.0 - z) * (1.0 - n * n)                                 # da_n / dh_t
    m_r = hn * r * (1.0 - r)                                        # da_r / da_n
    dA = np.empty((T, 3 * H))                                       # input side: da_r, da_z, da_n
    dHH = np.empty((T, 3 * H))                                      # hidden side: da_r, da_z, d(hn)
    dh_next = np.zeros(H)
    for t in range(T - 1, -1, -1):
        dh_t = dh[t] + dh_next
        da = dA[t]
        dhh = dHH[t]
        da_n = dh_t * m_n[t]
        da[H2:] = da_n
        da[H:H2] = dh_t * m_z[t]
        da[:H] = da_n * m_r[t]
        dhh[:H2] = da[:H2]
        dhh[H2:] = da_n * r[t]
        if boundary(t):
            dh_next = np.zeros(H)
        else:
            dh_next = dh_t * z[t] + W_hT @ dhh
    dWi = dA.T @ cache["x"]
    dWh = dHH.T @ h_prev
    dbi = dA.sum(axis=0)
    dbh = dHH.sum(axis=0)
    grads = {}
    for j, gate in enumerate("rzn"):
        rows = slice(j * H, (j + 1) * H)
        grads[f"W_i{gate}"] = dWi[rows]
        grads[f"W_h{gate}"] = dWh[rows]
        grads[f"b_i{gate}"] = dbi[rows]
        grads[f"b_h{gate}"] = dbh[rows]
    grads["x"] = dA @ W_i
    grads["h0"] = dh_next
    return {name: grads[name] for name in PYTORCH_PARAMS + ("x", "h0")}


_PARAM_COUNTS = {
    # course: three (H, H+D) matrices on [h, x] / [r*h, x], one bias each.
    "course": lambda D, H: 3 * (H * (H + D) + H),
    # torch.nn.GRU: weight_ih (3H, D), weight_hh (3H, H), bias_ih and bias_hh (3H each).
    "pytorch": lambda D, H: 3 * (H * D + H * H + 2 * H),
    # Keras GRU(reset_after=True), its default since TF 2: kernel (D, 3H),
    # recurrent_kernel (H, 3H), bias (2, 3H) -- an input and a recurrent bias, like torch.
    "keras_reset_after": lambda D, H: 3 * (H * D + H * H + 2 * H),
    # Keras GRU(reset_after=False): the same kernels, a single bias (3H,).
    "keras": lambda D, H: 3 * (H * D + H * H + H),
}
PARAM_COUNT_CONVENTIONS = tuple(_PARAM_COUNTS)


def gru_param_count(D, H, convention=None):
    """Trainable parameters of one GRU layer, input size D, hidden size H.

    * ``"course"``: ``3 (H (H+D) + H)``;
    * ``"pytorch"``: ``3 (H D + H H + 2H)`` (``bias_ih`` and ``bias_hh``);
    * ``"keras_reset_after"``: Keras ``GRU(reset_after=True)`` (the default):
      ``3 (H D + H H + 2H)``, a bias for the input and one for the recurrent side;
    * ``"keras"``: Keras ``GRU(reset_after=False)``: ``3 (H D + H H + H)``,
      the same count as the course.
    """
    if convention not in _PARAM_COUNTS:
        raise ValueError(f"convention must be one of {list(PARAM_COUNT_CONVENTIONS)}, "
                         f"got {convention!r}")
    D = check_positive_int(D, "D")
    H = check_positive_int(H, "H")
    return _PARAM_COUNTS[convention](D, H)


def to_pytorch_gru(params):
    """PyTorch-convention parameters -> a one-layer ``torch.nn.GRU`` state dict (NumPy).

    torch stacks the gate blocks in the order (r, z, n): ``weight_ih_l0 (3H, D)
    = [W_ir; W_iz; W_in]``, ``weight_hh_l0 (3H, H) = [W_hr; W_hz; W_hn]``,
    ``bias_ih_l0 = [b_ir; b_iz; b_in]``, ``bias_hh_l0 = [b_hr; b_hz; b_hn]``.
    (Course-convention parameters have no exact torch equivalent: the reset
    gate acts before the matmul there.)
    """
    if not isinstance(params, dict) or "W_hr" not in params or "W_ir" not in params:
        raise ValueError(f"params must be PyTorch-convention GRU parameters {list(PYTORCH_PARAMS)}")
    W_ir = as_array(params["W_ir"], "W_ir", ndim=2)
    H, D = W_ir.shape
    p = _check_params(params, H, D, "pytorch")
    return {
        "weight_ih_l0": np.concatenate([p["W_ir"], p["W_iz"], p["W_in"]]),
        "weight_hh_l0": np.concatenate([p["W_hr"], p["W_hz"], p["W_hn"]]),
        "bias_ih_l0": np.concatenate([p["b_ir"], p["b_iz"], p["b_in"]]),
        "bias_hh_l0": np.concatenate([p["b_hr"], p["b_hz"], p["b_hn"]]),
    }


def from_pytorch_gru(state, suffix="_l0"):
    """Inverse of :func:`to_pytorch_gru` (``suffix="_l0_reverse"`` for the reverse direction)."""
    def get(name):
        key = name + suffix
        if key not in state:
            raise ValueError(f"state is missing {key!r}")
        v = state[key]
        v = v.detach().cpu().numpy() if hasattr(v, "detach") else v
        return as_array(v, key)

    W_ih, W_hh, b_ih, b_hh = (get(n) for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    H = W_hh.shape[1]
    check_shape(W_hh, "weight_hh" + suffix, (3 * H, H), "(3H, H)")
    out = {}
    for j, gate in enumerate("rzn"):
        rows = slice(j * H, (j + 1) * H)
        out[f"W_i{gate}"], out[f"W_h{gate}"] = W_ih[rows].copy(), W_hh[rows].copy()
        out[f"b_i{gate}"], out[f"b_h{gate}"] = b_ih[rows].copy(), b_hh[rows].copy()
    return {k: out[k] for k in PYTORCH_PARAMS}
