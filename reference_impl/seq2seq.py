"""Encoder-decoder (sequence-to-sequence) Elman RNN, built from ``reference_impl.rnn``.

Course notation::

    encoder:  h_t = f(W_hh^enc h_{t-1} + W_xh^enc x_t + b_h^enc),  t = 1..T,  h_0 = h0 (zeros by default)
    context:  c = h_T
    decoder:  s_0 = c,   s_j = f(W_hh^dec s_{j-1} + W_xh^dec E[u_j] + b_h^dec),   j = 1..T'
              y^_j = softmax(W_hy s_j + b_y)

``u_j`` is the decoder's input token at step j. Training uses teacher forcing:
``u = targets_in`` (the start token followed by the reference output shifted by
one), and the loss is ``L = sum_j -log y^_j[targets_out[j]]``. At inference the
decoder feeds itself: ``u_1`` = start token, ``u_{j+1} = argmax y^_j`` (greedy).

Parameters: ``enc_params = {W_xh (H, D), W_hh (H, H), b_h (H,)}``;
``dec_params = {E (V, D_dec), W_xh (H, D_dec), W_hh (H, H), b_h (H,),
W_hy (V, H), b_y (V,)}``. Row ``u`` of the embedding ``E`` is the decoder input
for token ``u``; pass ``E = np.eye(V)`` (``D_dec = V``) for one-hot inputs.
Encoder and decoder share the hidden size H since c is the decoder's s_0.
"""

from __future__ import annotations

import numpy as np

from reference_impl._checks import as_array, check_positive_int, check_shape, check_targets
from reference_impl.activations import log_softmax
from reference_impl.rnn import (
    output_backward,
    output_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_forward,
)

__all__ = [
    "encode",
    "seq2seq_forward",
    "seq2seq_loss",
    "seq2seq_backward",
    "seq2seq_loss_and_grads",
    "greedy_decode",
]

ENC_KEYS = ("W_xh", "W_hh", "b_h")
DEC_KEYS = ("E", "W_xh", "W_hh", "b_h", "W_hy", "b_y")


def _param(params, key, which):
    if key not in params:
        raise ValueError(f"{which} is missing {key!r}")
    return as_array(params[key], f"{which}[{key!r}]")


def _check_embedding(dec_params, H):
    E = _param(dec_params, "E", "dec_params")
    if E.ndim != 2:
        raise ValueError(f"dec_params['E'] must have shape (V, D_dec), got {E.shape}")
    W_hy = _param(dec_params, "W_hy", "dec_params")
    check_shape(W_hy, "dec_params['W_hy']", (E.shape[0], H), "(V, H)")
    return E


def _tokens(tokens, name, V):
    tokens = np.asarray(tokens)
    if tokens.ndim != 1 or tokens.size == 0 or not np.issubdtype(tokens.dtype, np.integer):
        raise ValueError(f"{name} must be a non-empty 1-D integer array of shape (T',), "
                         f"got dtype {tokens.dtype} shape {tokens.shape}")
    if np.any(tokens < 0) or np.any(tokens >= V):
        raise ValueError(f"{name} must lie in 0..V-1 = 0..{V - 1}, got {tokens}")
    return tokens.astype(int)


def encode(x, enc_params, h0=None, activation="tanh"):
    """Run the encoder over ``x (T, D)``; return ``(c, cache)`` with ``c = h_T (H,)``.

    ``h0`` defaults to zeros. ``cache`` is the ``rnn_forward`` cache.
    """
    x = as_array(x, "x", ndim=2)
    W_hh = _param(enc_params, "W_hh", "enc_params")
    if W_hh.ndim != 2:
        raise ValueError(f"enc_params['W_hh'] must have shape (H, H), got {W_hh.shape}")
    H = W_hh.shape[0]
    h0 = np.zeros(H) if h0 is None else h0
    h, cache = rnn_forward(x, h0, _param(enc_params, "W_xh", "enc_params"), W_hh,
                           _param(enc_params, "b_h", "enc_params"), activation=activation)
    return h[-1].copy(), cache


def seq2seq_forward(x, targets_in, enc_params, dec_params, h0=None,
                    enc_activation="tanh", dec_activation="tanh"):
    """Teacher-forced forward pass.

    ``x (T, D)`` the source sequence, ``targets_in (T',)`` the decoder's input
    tokens (starting with the start token). Returns ``(y_hat (T', V), cache)``;
    cache keys: ``enc`` (encoder rnn cache, with ``h`` the encoder states),
    ``c`` (context), ``tokens_in``, ``x_dec (T', D_dec)`` (= E[targets_in]),
    ``dec`` (decoder rnn cache, ``h`` the states s_1..s_T'), ``out`` (output
    cache with logits ``z`` and ``y_hat``), ``E``.
    """
    c, enc_cache = encode(x, enc_params, h0=h0, activation=enc_activation)
    H = c.shape[0]
    E = _check_embedding(dec_params, H)
    V = E.shape[0]
    tokens_in = _tokens(targets_in, "targets_in", V)
    x_dec = E[tokens_in]
    s, dec_cache = rnn_forward(x_dec, c, _param(dec_params, "W_xh", "dec_params"),
                               _param(dec_params, "W_hh", "dec_params"),
                               _param(dec_params, "b_h", "dec_params"),
                               activation=dec_activation)
    y_hat, out_cache = output_forward(s, _param(dec_params, "W_hy", "dec_params"),
                                      _param(dec_params, "b_y", "dec_params"))
    cache = {"enc": enc_cache, "c": c, "tokens_in": tokens_in, "x_dec": x_dec,
             "dec": dec_cache, "out": out_cache, "E": E}
    return y_hat, cache


def seq2seq_loss(cache, targets_out):
    """``(L, losses)``: ``losses[j-1] = -log y^_j[targets_out[j-1]]`` (from the
    logits, so no log(0)), ``L`` their sum."""
    z = cache["out"]["z"]
    T_dec, V = z.shape
    targets_out = check_targets(targets_out, T_dec, V)
    losses = -log_softmax(z)[np.arange(T_dec), targets_out]
    return float(losses.sum()), losses


def seq2seq_backward(targets_out, cache):
    """Gradients of ``L = sum_j -log y^_j[targets_out[j]]`` (full BPTT).

    Returns ``{"enc": {W_xh, W_hh, b_h}, "dec": {E, W_xh, W_hh, b_h, W_hy, b_y},
    "x": (T, D), "h0": (H,), "c": dL/dc (H,)}``. The context's gradient is the
    decoder's dL/ds_0, fed to the encoder as the direct gradient at h_T only.
    """
    d_out = output_backward(targets_out, cache["out"])
    d_dec = rnn_backward(d_out["h"], cache["dec"])
    dE = np.zeros_like(cache["E"])
    # A token used at several steps collects the gradient of each use.
    np.add.at(dE, cache["tokens_in"], d_dec["x"])
    dc = d_dec["h0"]
    enc_cache = cache["enc"]
    dh_enc = np.zeros_like(enc_cache["h"])
    dh_enc[-1] = dc
    d_enc = rnn_backward(dh_enc, enc_cache)
    return {
        "enc": {k: d_enc[k] for k in ENC_KEYS},
        "dec": {"E": dE, "W_xh": d_dec["W_xh"], "W_hh": d_dec["W_hh"], "b_h": d_dec["b_h"],
                "W_hy": d_out["W_hy"], "b_y": d_out["b_y"]},
        "x": d_enc["x"],
        "h0": d_enc["h0"],
        "c": dc,
    }


def seq2seq_loss_and_grads(x, targets_in, targets_out, enc_params, dec_params, h0=None,
                           enc_activation="tanh", dec_activation="tanh"):
    """Forward, loss and backward in one call: ``(L, losses, grads, cache)``."""
    _, cache = seq2seq_forward(x, targets_in, enc_params, dec_params, h0=h0,
                               enc_activation=enc_activation, dec_activation=dec_activation)
    loss, losses = seq2seq_loss(cache, targets_out)
    return loss, losses, seq2seq_backward(targets_out, cache), cache


def greedy_decode(x, enc_params, dec_params, start_token, max_len, end_token=None, *,
                  context=None, h0=None, enc_activation="tanh", dec_activation="tanh"):
    """Greedy inference: ``u_1`` = start token, ``u_{j+1} = argmax_v y^_j[v]``.

    Either ``x (T, D)`` with ``enc_params`` (the context is the encoder's h_T) or
    ``context (H,)`` directly (then ``x`` and ``enc_params`` may be None).
    Stops after ``max_len`` steps, or right after emitting ``end_token`` (which
    is included in the output). Ties go to the lowest token index.

    Returns ``(tokens (n,), y_hat (n, V), s (n, H))``: the emitted tokens, the
    probabilities y^_j and the decoder states s_j, j = 1..n.
    """
    if context is None:
        if x is None or enc_params is None:
            raise ValueError("give either context or both x and enc_params")
        context, _ = encode(x, enc_params, h0=h0, activation=enc_activation)
    context = as_array(context, "context", ndim=1)
    H = context.shape[0]
    E = _check_embedding(dec_params, H)
    V = E.shape[0]
    max_len = check_positive_int(max_len, "max_len")
    token = int(_tokens([start_token], "start_token", V)[0])
    W_xh = _param(dec_params, "W_xh", "dec_params")
    W_hh = _param(dec_params, "W_hh", "dec_params")
    b_h = _param(dec_params, "b_h", "dec_params")
    W_hy = _param(dec_params, "W_hy", "dec_params")
    b_y = _param(dec_params, "b_y", "dec_params")
    tokens, probs, states = [], [], []
    s = context
    for _ in range(max_len):
        s, _ = rnn_step_forward(E[token], s, W_xh, W_hh, b_h, activation=dec_activation)
        y_hat, _ = output_forward(s[None, :], W_hy, b_y)
        token = int(np.argmax(y_hat[0]))
        tokens.append(token)
        probs.append(y_hat[0])
        states.append(s)
        if end_token is not None and token == end_token:
            break
    return np.array(tokens, dtype=int), np.array(probs), np.array(states)
