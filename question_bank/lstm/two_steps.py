"""Two LSTM steps (C_1, h_1, then C_T, h_T) with error carried forward; a larger take-home size."""

import numpy as np

from quizgen.bank import Part, Redraw, Vector, draw
from reference_impl.activations import sigmoid, tanh
from reference_impl.lstm import GATES, lstm_step_forward

TITLE = "LSTM forward pass over two time steps (cell and hidden states)"
TAGS = ("forward", "gates", "sigmoid", "tanh", "calculator", "computer")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
SIZES = ("calculator", "computer")


PARTS = [  # the length comes from the key: H = 1 by hand, H = 3..4 on a computer
    Part("C1", Vector(length=None), label="C_1"),
    Part("h1", Vector(length=None), label="h_1"),
    Part("CT", Vector(length=None), label="C_T"),
    Part("hT", Vector(length=None), label="h_T"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "no_tanh_on_C": "$h_t = o_t C_t$: the $\\tanh$ of the cell state was forgotten",
    "gates_swapped": "$C_t = f_t \\hat{C}_t + i_t C_{t-1}$: the forget and input gates were swapped",
    "candidate_sigmoid": "$\\sigma$ was used for the candidate $\\hat{C}_t$, whose activation is $\\tanh$",
    "order_swapped": "the input was concatenated as $[x_t, h_{t-1}]$ instead of $[h_{t-1}, x_t]$",
}


def generate(rng, size="calculator"):
    if size == "computer":
        H, D, T = int(rng.integers(3, 5)), 2, int(rng.integers(3, 6))
        places, w, b, s = 2, 0.6, 0.3, 0.5
        x = draw.decimals(rng, (T, D), -1, 1, places=2)
    else:
        H, D, T = 1, 1, 2
        places, w, b, s = 1, 1, 0.5, 0.9
        x = draw.integers(rng, (T, D), -2, 2, nonzero=True)
    params = {
        "x": x,
        "h0": draw.decimals(rng, H, -s, s, places=places),
        "c0": draw.decimals(rng, H, -1, 1, places=places),
    }
    for g in GATES:  # W_g acts on [h_{t-1}, x_t]: first H columns on h_{t-1}, last D on x_t
        params[f"W_{g}"] = draw.decimals(rng, (H, H + D), -w, w, places=places)
        params[f"b_{g}"] = draw.decimals(rng, H, -b, b, places=places)
    if H == 1 and np.any(params["h0"][0] == x[:, 0]):
        raise Redraw("h_{t-1} = x_t hides the concatenation order")
    return params


def _weights(p, work):
    D = p["x"].shape[1]
    params = {}
    for g in GATES:
        W = p[f"W_{g}"]
        # [x_t, h_{t-1}] read with the weights of [h_{t-1}, x_t]: the first D columns meet x_t
        params[f"W_{g}"] = np.hstack([W[:, D:], W[:, :D]]) if work.made("order_swapped") else W
        params[f"b_{g}"] = p[f"b_{g}"]
    return params


def _step(work, name, value):
    """Record an intermediate (a plain number when H = 1, for the solution); go on with an array."""
    value = np.asarray(value, dtype=float)
    return np.atleast_1d(work.step(name, float(value[0]) if value.size == 1 else value))


def _gate(work, name, a_raw, reference):
    """A sigmoid gate by hand: its pre-activation a and e^{-a} written down, then 1 / (1 + e^{-a});
    the reference's gate moved by whatever rounding a and e^{-a} did (exactly: nothing, so the key
    stays the reference's bit for bit)."""
    a = _step(work, f"a_{name}", a_raw)
    e = _step(work, f"e_{name}", np.exp(-a))
    return _step(work, name, reference + (1 / (1 + e) - 1 / (1 + np.exp(-np.asarray(a_raw)))))


def solve(p, work):
    params = _weights(p, work)
    T = len(p["x"])
    key_draw = work.is_key  # judge the draw by its own key only
    h, C = p["h0"], p["c0"]
    for t in range(1, T + 1):
        _, _, cache = lstm_step_forward(p["x"][t - 1], h, C, params)
        if key_draw and max(np.max(np.abs(cache[f"a_{g}"])) for g in GATES) > 3:
            work.reject("a gate pre-activation saturates")
        f = _gate(work, f"f{t}", cache["a_f"], cache["f"])
        i = _gate(work, f"i{t}", cache["a_i"], cache["i"])
        if work.made("candidate_sigmoid"):
            C_tilde = _gate(work, f"Ct{t}", cache["a_c"], sigmoid(cache["a_c"]))
        else:  # tanh of the written-down pre-activation (exactly: the reference's C~)
            a_c = _step(work, f"a_Ct{t}", cache["a_c"])
            C_tilde = _step(work, f"Ct{t}", cache["C_tilde"] + (tanh(a_c) - tanh(cache["a_c"])))
        o = _gate(work, f"o{t}", cache["a_o"], cache["o"])
        C_new = f * C_tilde + i * C if work.made("gates_swapped") else f * C + i * C_tilde
        C = work.answer("C1", C_new) if t == 1 else (
            work.answer("CT", C_new) if t == T else _step(work, f"C{t}", C_new))
        tanh_C = _step(work, f"tanhC{t}", C if work.made("no_tanh_on_C") else tanh(C))
        h_new = o * tanh_C
        h = work.answer("h1", h_new) if t == 1 else (
            work.answer("hT", h_new) if t == T else _step(work, f"h{t}", h_new))
        if key_draw and (np.min(np.abs(C)) < 0.01 or np.min(np.abs(h)) < 0.01):
            work.reject("a state component vanishes")
        if key_draw and np.max(np.abs(tanh(C) - C)) < 0.002:
            work.reject("C_t is so small that tanh(C_t) is nearly C_t")


STEM = r"""
{% set H = p.h0 | length %}{% set T = p.x | length %}{% set D = p.x[0] | length %}
An LSTM with hidden size $H = {{ H }}$ and input size $D = {{ D }}$ computes, on the concatenation
$[h_{t-1}, x_t]$ (the previous state first),
$$f_t = \sigma(W_f [h_{t-1}, x_t] + b_f),\quad i_t = \sigma(W_i [h_{t-1}, x_t] + b_i),\quad
\hat{C}_t = \tanh(W_c [h_{t-1}, x_t] + b_c),$$
$$C_t = f_t \odot C_{t-1} + i_t \odot \hat{C}_t,\quad o_t = \sigma(W_o [h_{t-1}, x_t] + b_o),\quad
h_t = o_t \odot \tanh(C_t),$$
with $\sigma(z) = 1/(1 + e^{-z})$.
{% if H == 1 %}
Each $W$ is a row $[w_h \;\; w_x]$:
$$W_f = {{ p.W_f | tex }},\; b_f = {{ p.b_f[0] | tex }},\quad W_i = {{ p.W_i | tex }},\; b_i = {{ p.b_i[0] | tex }},$$
$$W_c = {{ p.W_c | tex }},\; b_c = {{ p.b_c[0] | tex }},\quad W_o = {{ p.W_o | tex }},\; b_o = {{ p.b_o[0] | tex }}.$$
Starting from $h_0 = {{ p.h0[0] | tex }}$ and $C_0 = {{ p.c0[0] | tex }}$, the LSTM reads
$x_1 = {{ p.x[0][0] | tex }}$ and then $x_2 = {{ p.x[1][0] | tex }}$ ($T = 2$).
Compute $C_1$, $h_1$, then $C_2$ and $h_2$ (asked as $C_T$, $h_T$). Round to {{ d }} decimals.
{% else %}
The first {{ H }} columns of each $W$ act on $h_{t-1}$, the last {{ D }} on $x_t$:
$$W_f = {{ p.W_f | tex }},\; b_f = {{ p.b_f | tex }},\quad W_i = {{ p.W_i | tex }},\; b_i = {{ p.b_i | tex }},$$
$$W_c = {{ p.W_c | tex }},\; b_c = {{ p.b_c | tex }},\quad W_o = {{ p.W_o | tex }},\; b_o = {{ p.b_o | tex }}.$$
Starting from $h_0 = {{ p.h0 | tex }}$ and $C_0 = {{ p.c0 | tex }}$, the LSTM reads the $T = {{ T }}$ inputs
{% for row in p.x %}$x_{{ loop.index }} = {{ row | tex }}${{ ", " if not loop.last else "." }}{% endfor %}

Compute $C_1$ and $h_1$ after the first step and $C_T$, $h_T$ after the last ({{ H }} numbers each;
a computer is expected). Round to {{ d }} decimals.
{% endif %}
"""

SOLUTION = r"""
{% set T = p.x | length %}
{% for t in range(1, T + 1) %}
Step {{ t }}: the pre-activations are $a_f = {{ s["a_f" ~ t] | tex(d) }}$, $a_i = {{ s["a_i" ~ t] | tex(d) }}$,
$a_c = {{ s["a_Ct" ~ t] | tex(d) }}$, $a_o = {{ s["a_o" ~ t] | tex(d) }}$ (each gate $\sigma(a) = 1/(1 + e^{-a})$ from $e^{-a}$), so
$f_{ {{- t -}} } = {{ s["f" ~ t] | tex(d) }}$, $i_{ {{- t -}} } = {{ s["i" ~ t] | tex(d) }}$,
$\hat{C}_{ {{- t -}} } = {{ s["Ct" ~ t] | tex(d) }}$, $o_{ {{- t -}} } = {{ s["o" ~ t] | tex(d) }}$;
{% if t == 1 %}
$C_1 = f_1 \odot C_0 + i_1 \odot \hat{C}_1 = {{ key.C1 }}$, $\tanh(C_1) = {{ s.tanhC1 | tex(d) }}$, $h_1 = o_1 \odot \tanh(C_1) = {{ key.h1 }}$.
{% elif t == T %}
$C_{ {{- t -}} } = f_{ {{- t -}} } \odot C_{ {{- t - 1 -}} } + i_{ {{- t -}} } \odot \hat{C}_{ {{- t -}} } = {{ key.CT }}$, $\tanh(C_{ {{- t -}} }) = {{ s["tanhC" ~ t] | tex(d) }}$, $h_{ {{- t -}} } = {{ key.hT }}$.
{% else %}
$C_{ {{- t -}} } = {{ s["C" ~ t] | tex(d) }}$, $\tanh(C_{ {{- t -}} }) = {{ s["tanhC" ~ t] | tex(d) }}$, $h_{ {{- t -}} } = {{ s["h" ~ t] | tex(d) }}$.
{% endif %}

{% endfor %}
The second step starts from the first step's $h_1$ and $C_1$ (an error there is carried forward).
"""
