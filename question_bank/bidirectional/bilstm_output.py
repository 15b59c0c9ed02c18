"""The output [->h_t ; <-h_t] of a bidirectional LSTM with scalar states (T = 2), by hand."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, draw
from reference_impl.bidirectional import bilstm_forward
from reference_impl.lstm import GATES, lstm_forward

TITLE = "Bidirectional LSTM: the concatenated output at one time step"
TAGS = ("forward", "bidirectional", "lstm", "gates", "calculator", "syllabus:bilstm")
DIFFICULTY = 3
VERSION = 1
DECIMALS = 4
T = 2

PARTS = [
    Part("h_fwd", Number(4), label=r"\overrightarrow{h}_t"),
    Part("h_bwd", Number(4), label=r"\overleftarrow{h}_t", uses=()),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "not_reversed": "the backward LSTM was run from $t = 1$ (the sequence was not reversed)",
    "not_flipped_back": "the backward outputs were not flipped back: "
                        "$\\overleftarrow{h}_{T+1-t}$ was reported for step $t$",
    "shared_weights": "the forward direction's weights were used for the backward direction too",
    "no_tanh_on_C": "$h_t = o_t C_t$: the $\\tanh$ of the cell state was forgotten",
}


def _direction(rng):
    """One direction's scalar LSTM (H = D = 1): initial states and the rows W_g = [w_h, w_x]."""
    params = {}
    for g in GATES:
        params[f"W_{g}"] = draw.decimals(rng, (1, 2), -1, 1)
        params[f"b_{g}"] = draw.decimals(rng, 1, -0.5, 0.5)
    return {"h0": draw.decimals(rng, 1, -0.5, 0.5), "c0": draw.decimals(rng, 1, -1, 1), "params": params}


def generate(rng):
    x = draw.integers(rng, T, -2, 2, nonzero=True)
    if x[0] == x[-1]:
        raise Redraw("a palindromic sequence reads the same in both directions")
    return {"x": x, "t": int(rng.integers(1, T + 1)), "fwd": _direction(rng), "bwd": _direction(rng)}


def _no_tanh(direction, x):
    """The LSTM run with h_t = o_t C_t (the mistake), from the gates of the true run."""
    h, C = direction["h0"], direction["c0"]
    out = []
    for x_t in x:
        _, _, cache = lstm_forward(x_t[None, :], h, C, direction["params"])
        C = cache["C"][0]
        h = cache["o"][0] * C
        out.append(h[0])
    return np.array(out)


def solve(p, work):
    x = np.asarray(p["x"], dtype=float).reshape(-1, 1)     # (T, D) = (2, 1)
    t = p["t"]
    fwd, bwd = p["fwd"], p["bwd"]
    if work.made("shared_weights"):
        bwd = dict(bwd, params=fwd["params"])
    _, cache = bilstm_forward(x, fwd, bwd)
    if work.is_key:  # judge the draw by its own key only
        a = [cache[d][f"a_{g}"] for d in ("fwd", "bwd") for g in GATES]
        if np.max(np.abs(a)) > 3:
            work.reject("a gate pre-activation saturates")
        if min(np.min(np.abs(cache["h_fwd"])), np.min(np.abs(cache["h_bwd"]))) < 0.01:
            work.reject("a hidden state vanishes")
    for d in ("fwd", "bwd"):                                # the solution's per-step values, run order
        for name in ("f", "i", "C_tilde", "o", "C", "h"):
            work.step(f"{d}_{name}", cache[d][name][:, 0])

    h_fwd = cache["h_fwd"][:, 0]
    h_bwd = cache["h_bwd"][:, 0]
    if work.made("no_tanh_on_C"):
        h_fwd, h_bwd = _no_tanh(fwd, x), _no_tanh(bwd, x[::-1])[::-1]
    elif work.made("not_reversed"):
        h_bwd, _, _ = lstm_forward(x, bwd["h0"], bwd["c0"], bwd["params"])
        h_bwd = h_bwd[:, 0]
    elif work.made("not_flipped_back"):
        h_bwd = cache["bwd"]["h"][:, 0]                     # row t-1 of the reversed run
    work.answer("h_fwd", float(h_fwd[t - 1]))
    work.answer("h_bwd", float(h_bwd[t - 1]))


STEM = r"""
{% macro rows(d, arrow) -%}
$$\{{ arrow }}{W}_f = {{ d.params.W_f | tex }},\; \{{ arrow }}{b}_f = {{ d.params.b_f[0] | tex }},\quad
\{{ arrow }}{W}_i = {{ d.params.W_i | tex }},\; \{{ arrow }}{b}_i = {{ d.params.b_i[0] | tex }},\quad
\{{ arrow }}{W}_c = {{ d.params.W_c | tex }},\; \{{ arrow }}{b}_c = {{ d.params.b_c[0] | tex }},\quad
\{{ arrow }}{W}_o = {{ d.params.W_o | tex }},\; \{{ arrow }}{b}_o = {{ d.params.b_o[0] | tex }}.$$
{%- endmacro %}
A bidirectional LSTM has a scalar state in each direction ($H = 1$ per direction, $D = 1$) and reads
$x_1 = {{ p.x[0] | tex }}$, $x_2 = {{ p.x[1] | tex }}$ ($T = 2$). Each direction is an LSTM on $[h_{\text{prev}}, x_t]$
(the previous state first):
$$f = \sigma(W_f [h_{\text{prev}}, x_t] + b_f),\; i = \sigma(W_i [\cdot] + b_i),\; \hat{C} = \tanh(W_c [\cdot] + b_c),\;
o = \sigma(W_o [\cdot] + b_o),\; C = f C_{\text{prev}} + i \hat{C},\; h = o \tanh(C).$$
The forward direction runs $t = 1, 2$ from $\overrightarrow{h}_0 = {{ p.fwd.h0[0] | tex }}$, $\overrightarrow{C}_0 = {{ p.fwd.c0[0] | tex }}$ with
{{ rows(p.fwd, "overrightarrow") }}
The backward direction runs $t = 2, 1$ from $\overleftarrow{h}_3 = {{ p.bwd.h0[0] | tex }}$, $\overleftarrow{C}_3 = {{ p.bwd.c0[0] | tex }}$ with
{{ rows(p.bwd, "overleftarrow") }}
Each $W$ is a row $[w_h \;\; w_x]$. The output at step $t$ is $h_t = [\overrightarrow{h}_t ; \overleftarrow{h}_t]$.
Compute $h_{ {{- p.t -}} }$: give $\overrightarrow{h}_{ {{- p.t -}} }$ and $\overleftarrow{h}_{ {{- p.t -}} }$. Round to {{ d }} decimals.
"""

SOLUTION = r"""
{% macro steps(d, order) -%}
{% for k in range(order | length) %}
$t = {{ order[k] }}$: $f = {{ s[d ~ "_f"][k] | tex(d_) }}$, $i = {{ s[d ~ "_i"][k] | tex(d_) }}$, $\hat{C} = {{ s[d ~ "_C_tilde"][k] | tex(d_) }}$, $o = {{ s[d ~ "_o"][k] | tex(d_) }}$, $C = {{ s[d ~ "_C"][k] | tex(d_) }}$, $h = {{ s[d ~ "_h"][k] | tex(d_) }}$.

{% endfor %}
{%- endmacro %}
{% set d_ = d %}
Forward direction, in its running order:

{{ steps("fwd", [1, 2]) }}
Backward direction, in its running order (it reads $x_2$ first):

{{ steps("bwd", [2, 1]) }}
So $\overrightarrow{h}_{ {{- p.t -}} } = {{ key.h_fwd }}$ and $\overleftarrow{h}_{ {{- p.t -}} } = {{ key.h_bwd }}$: the backward state
belonging to step {{ p.t }} is the one computed after reading $x_{ {{- p.t -}} }$ on the way back.
"""
