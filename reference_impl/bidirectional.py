"""Bidirectional RNN and LSTM: two independent directions, outputs concatenated.

Course notation, for t = 1..T::

    ->h_t = RNN(x_t, ->h_{t-1})      forward direction, from its own ->h_0, runs t = 1..T
    <-h_t = RNN(x_t, <-h_{t+1})      backward direction, from its own <-h_{T+1}, runs t = T..1
    h_t   = [->h_t ; <-h_t]          shape (2H,): forward part first

(the same with LSTM cells, each direction carrying its own cell state). Each
direction has its own parameters and initial state, passed as a dict:

* Bi-RNN: ``{"h0": (H,), "W_xh": (H, D), "W_hh": (H, H), "b_h": (H,)}``
  (:mod:`reference_impl.rnn`: ``h_t = f(W_hh h_{t-1} + W_xh x_t + b_h)``);
* Bi-LSTM: ``{"h0": (H,), "c0": (H,), "params": {W_f, ..., b_o}}``
  (:mod:`reference_impl.lstm`).

The backward direction is the one-directional model run on the reversed
sequence ``x_T, ..., x_1``; its outputs are flipped back so that row t-1 of
``h`` holds ``[->h_t ; <-h_t]`` for the same time step t. The initial state of
the backward direction is the one it starts from at t = T (``<-h_{T+1}``).
The two directions may have different hidden sizes; the output is
``(T, H_fwd + H_bwd)``, i.e. ``(T, 2H)`` in the usual case.

Cache keys: ``x``, ``h_fwd`` and ``h_bwd`` (``(T, H)``, natural time order:
row t-1 = ->h_t, <-h_t), for the Bi-LSTM also ``C_fwd``, ``C_bwd``; ``fwd`` and
``bwd`` hold the one-directional caches (``bwd``'s is in REVERSED time order,
its row 0 belonging to t = T).
"""

from __future__ import annotations

import numpy as np

from reference_impl._checks import as_array, check_positive_int
from reference_impl.gru import gru_param_count
from reference_impl.lstm import lstm_backward, lstm_forward, lstm_param_count
from reference_impl.rnn import rnn_backward, rnn_forward, rnn_param_count

_RNN_KEYS = ("h0", "W_xh", "W_hh", "b_h")
_LSTM_KEYS = ("h0", "c0", "params")


def _direction(d, name: str, keys) -> dict:
    if not isinstance(d, dict):
        raise ValueError(f"{name} must be a dict with keys {list(keys)}")
    missing = [k for k in keys if k not in d]
    if missing:
        raise ValueError(f"{name} is missing {missing}; expected keys {list(keys)}")
    return d


def _split_dh(dh, cache):
    T, Hf = cache["h_fwd"].shape
    Hb = cache["h_bwd"].shape[1]
    dh = as_array(dh, "dh")
    if dh.shape != (T, Hf + Hb):
        raise ValueError(f"dh must have shape (T, 2H) = {(T, Hf + Hb)}, got {dh.shape}")
    # Forward part as is; backward part flipped into the order that direction ran in.
    return dh[:, :Hf], dh[:, Hf:][::-1]


def birnn_forward(x, fwd, bwd, activation="tanh"):
    """Bidirectional Elman RNN over ``x (T, D)``.

    ``fwd``, ``bwd``: ``{"h0", "W_xh", "W_hh", "b_h"}`` for each direction.
    Returns ``(h, cache)`` with ``h (T, 2H)``, ``h[t-1] = [->h_t ; <-h_t]``.
    """
    x = as_array(x, "x", ndim=2)
    fwd = _direction(fwd, "fwd", _RNN_KEYS)
    bwd = _direction(bwd, "bwd", _RNN_KEYS)
    h_f, cache_f = rnn_forward(x, fwd["h0"], fwd["W_xh"], fwd["W_hh"], fwd["b_h"], activation)
    h_b_rev, cache_b = rnn_forward(x[::-1], bwd["h0"], bwd["W_xh"], bwd["W_hh"], bwd["b_h"],
                                   activation)
    h_b = h_b_rev[::-1]
    h = np.hstack([h_f, h_b])
    cache = dict(x=x, h_fwd=h_f, h_bwd=h_b, fwd=cache_f, bwd=cache_b, activation=activation)
    return h, cache


def birnn_backward(dh, cache):
    """Backward of :func:`birnn_forward`.

    ``dh (T, 2H)``: row t-1 = the direct ``dL/dh_t`` of the concatenated output.
    Returns ``{"fwd": {h0, W_xh, W_hh, b_h}, "bwd": {h0, W_xh, W_hh, b_h}, "x": (T, D)}``;
    ``dL/dx_t`` is the sum of what both directions send to ``x_t``.
    """
    dh_f, dh_b_rev = _split_dh(dh, cache)
    g_f = rnn_backward(dh_f, cache["fwd"])
    g_b = rnn_backward(np.ascontiguousarray(dh_b_rev), cache["bwd"])
    keys = _RNN_KEYS
    return {
        "fwd": {k: g_f[k] for k in keys},
        "bwd": {k: g_b[k] for k in keys},
        "x": g_f["x"] + g_b["x"][::-1],
    }


def bilstm_forward(x, fwd, bwd):
    """Bidirectional LSTM over ``x (T, D)``.

    ``fwd``, ``bwd``: ``{"h0", "c0", "params"}`` for each direction (params as in
    :func:`reference_impl.lstm.lstm_forward`). Returns ``(h, cache)`` with
    ``h (T, 2H)``, ``h[t-1] = [->h_t ; <-h_t]``; ``cache["C_fwd"]``,
    ``cache["C_bwd"]`` hold the cell states in natural time order.
    """
    x = as_array(x, "x", ndim=2)
    fwd = _direction(fwd, "fwd", _LSTM_KEYS)
    bwd = _direction(bwd, "bwd", _LSTM_KEYS)
    h_f, C_f, cache_f = lstm_forward(x, fwd["h0"], fwd["c0"], fwd["params"])
    h_b_rev, C_b_rev, cache_b = lstm_forward(np.ascontiguousarray(x[::-1]), bwd["h0"], bwd["c0"],
                                             bwd["params"])
    h_b, C_b = h_b_rev[::-1], C_b_rev[::-1]
    h = np.hstack([h_f, h_b])
    cache = dict(x=x, h_fwd=h_f, h_bwd=h_b, C_fwd=C_f, C_bwd=C_b, fwd=cache_f, bwd=cache_b)
    return h, cache


def bilstm_backward(dh, cache):
    """Backward of :func:`bilstm_forward`.

    ``dh (T, 2H)``: row t-1 = direct ``dL/dh_t``. Returns ``{"fwd": {W_f..b_o,
    h0, c0}, "bwd": {W_f..b_o, h0, c0}, "x": (T, D)}``.
    """
    dh_f, dh_b_rev = _split_dh(dh, cache)
    g_f = lstm_backward(dh_f, cache["fwd"])
    g_b = lstm_backward(np.ascontiguousarray(dh_b_rev), cache["bwd"])
    dx = g_f.pop("x") + g_b.pop("x")[::-1]
    return {"fwd": g_f, "bwd": g_b, "x": dx}


_CELLS = ("rnn", "lstm", "gru")


def bidirectional_param_count(D, H, cell="rnn", convention=None):
    """Trainable parameters of a bidirectional layer: twice one direction's.

    * ``cell="rnn"``: one direction ``H D + H H + H`` (course, one bias) or, with
      ``convention="pytorch"``, ``H D + H H + 2H`` (torch.nn.RNN's two biases);
    * ``cell="lstm"``: :func:`reference_impl.lstm.lstm_param_count` with
      ``convention`` ``"course"`` (default), ``"pytorch"`` or ``"keras"``;
    * ``cell="gru"``: :func:`reference_impl.gru.gru_param_count`; the GRU
      convention must be named (``"course"``, ``"pytorch"``,
      ``"keras_reset_after"``, ``"keras"``).
    """
    if cell not in _CELLS:
        raise ValueError(f"cell must be one of {list(_CELLS)}, got {cell!r}")
    if cell == "rnn":
        conv = "course" if convention is None else convention
        if conv not in ("course", "pytorch"):
            raise ValueError(f"convention for cell='rnn' must be one of ['course', 'pytorch'], "
                             f"got {convention!r}")
        one = rnn_param_count(D, H) + (check_positive_int(H, "H") if conv == "pytorch" else 0)
    elif cell == "lstm":
        one = lstm_param_count(D, H, "course" if convention is None else convention)
    else:
        one = gru_param_count(D, H, convention)
    return 2 * one


def bidirectional_output_size(H, H_bwd=None):
    """Size of ``h_t = [->h_t ; <-h_t]``: ``2H`` (or ``H + H_bwd`` if the directions differ)."""
    H = check_positive_int(H, "H")
    return H + (H if H_bwd is None else check_positive_int(H_bwd, "H_bwd"))
