"""One LSTM step with a scalar state (H = D = 1), gate by gate, by hand."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, draw
from reference_impl.activations import tanh
from reference_impl.lstm import GATES, lstm_step_forward

TITLE = "One LSTM cell step: gates, cell state and hidden state"
TAGS = ("forward", "gates", "sigmoid", "tanh", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("f", Number(4), label="f_t"),
    Part("i", Number(4), label="i_t", uses=()),
    Part("C_tilde", Number(4), label=r"\hat{C}_t", uses=()),
    Part("C", Number(4), label="C_t"),
    Part("o", Number(4), label="o_t", uses=()),
    Part("h", Number(4), label="h_t"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "no_tanh_on_C": "$h_t = o_t C_t$: the $\\tanh$ of the cell state was forgotten",
    "gates_swapped": "$C_t = f_t \\hat{C}_t + i_t C_{t-1}$: the gates were swapped",
    "tanh_forget": "$\\tanh$ was used for the forget gate's $\\sigma$",
    "order_swapped": "the input was concatenated as $[x_t, h_{t-1}]$ instead of $[h_{t-1}, x_t]$",
}


def generate(rng):
    params = {
        "x": float(draw.integers(rng, (), -2, 2, nonzero=True)),
        "h0": float(draw.decimals(rng, (), -0.9, 0.9)),
        "c0": float(draw.decimals(rng, (), -1, 1)),
    }
    for g in GATES:  # W_g = [weight on h_{t-1}, weight on x_t]
        params[f"W_{g}"] = draw.decimals(rng, 2, -1, 1)
        params[f"b_{g}"] = float(draw.decimals(rng, (), -0.5, 0.5))
    if params["h0"] == params["x"]:
        raise Redraw("h_{t-1} = x_t hides the concatenation order")
    return params


def solve(p, work):
    # H = D = 1: each W_g is a (1, 2) row acting on [h_{t-1}, x_t].
    params = {}
    for g in GATES:
        W = np.array([p[f"W_{g}"]])
        params[f"W_{g}"] = W[:, ::-1] if work.made("order_swapped") else W
        params[f"b_{g}"] = np.array([p[f"b_{g}"]])
    _, _, cache = lstm_step_forward(np.array([p["x"]]), np.array([p["h0"]]), np.array([p["c0"]]),
                                    params)
    for g in GATES:
        a = work.step(f"a_{g}", float(cache[f"a_{g}"][0]))
        if abs(a) > 3:
            work.reject("a gate pre-activation saturates")

    f = float(tanh(cache["a_f"][0])) if work.made("tanh_forget") else float(cache["f"][0])
    f = work.answer("f", f)
    i = work.answer("i", float(cache["i"][0]))
    C_tilde = work.answer("C_tilde", float(cache["C_tilde"][0]))
    if work.made("gates_swapped"):
        C = f * C_tilde + i * p["c0"]
    else:
        C = f * p["c0"] + i * C_tilde
    C = work.answer("C", C)
    o = work.answer("o", float(cache["o"][0]))
    tanh_C = C if work.made("no_tanh_on_C") else float(tanh(C))
    tanh_C = work.step("tanh_C", tanh_C)
    h = work.answer("h", o * tanh_C)
    if work.is_key:  # judge the draw by its own key only
        if min(abs(C), abs(h)) < 0.01:
            work.reject("an answer vanishes")
        if abs(h - o * C) < 0.001:
            work.reject("C_t is so small that tanh(C_t) is nearly C_t")


STEM = r"""
An LSTM cell with hidden size $H = 1$ and input size $D = 1$ computes, on the concatenation
$[h_{t-1}, x_t]$ (the previous state first):
$$f_t = \sigma(W_f [h_{t-1}, x_t] + b_f),\quad i_t = \sigma(W_i [h_{t-1}, x_t] + b_i),\quad
\hat{C}_t = \tanh(W_c [h_{t-1}, x_t] + b_c),$$
$$C_t = f_t \cdot C_{t-1} + i_t \cdot \hat{C}_t,\quad o_t = \sigma(W_o [h_{t-1}, x_t] + b_o),\quad
h_t = o_t \cdot \tanh(C_t),$$
with $\sigma(z) = 1/(1 + e^{-z})$. Each $W$ is a row $[w_h \;\; w_x]$:
$$W_f = {{ p.W_f | row }},\; b_f = {{ p.b_f | tex }},\quad W_i = {{ p.W_i | row }},\; b_i = {{ p.b_i | tex }},$$
$$W_c = {{ p.W_c | row }},\; b_c = {{ p.b_c | tex }},\quad W_o = {{ p.W_o | row }},\; b_o = {{ p.b_o | tex }}.$$
Given $x_t = {{ p.x | tex }}$, $h_{t-1} = {{ p.h0 | tex }}$ and $C_{t-1} = {{ p.c0 | tex }}$,
compute $f_t$, $i_t$, $\hat{C}_t$, $C_t$, $o_t$ and $h_t$. Round to {{ d }} decimals.
"""

SOLUTION = r"""
Pre-activations on $[h_{t-1}, x_t] = [{{ p.h0 | tex }}, {{ p.x | tex }}]$:
$a_f = {{ s.a_f | tex(d) }}$, $a_i = {{ s.a_i | tex(d) }}$, $a_c = {{ s.a_c | tex(d) }}$, $a_o = {{ s.a_o | tex(d) }}$.

Gates: $f_t = \sigma(a_f) = {{ key.f }}$, $i_t = \sigma(a_i) = {{ key.i }}$, $\hat{C}_t = \tanh(a_c) = {{ key.C_tilde }}$.

Cell state: $C_t = f_t \cdot {{ p.c0 | tex }} + i_t \cdot \hat{C}_t = {{ key.C }}$.

Output: $o_t = \sigma(a_o) = {{ key.o }}$, $\tanh(C_t) = \tanh({{ a.C | tex(d) }}) = {{ s.tanh_C | tex(d) }}$, so $h_t = o_t \cdot \tanh(C_t) = {{ key.h }}$.
"""
