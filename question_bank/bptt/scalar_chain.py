"""Backpropagation through time in a scalar RNN over three steps, by hand (the notes' BPTT sum)."""

import numpy as np

from quizgen.bank import Number, Part, draw
from reference_impl.activations import tanh
from reference_impl.rnn import rnn_step_backward, rnn_step_forward

TITLE = "BPTT in a scalar RNN: dh3/dh2, dh3/dh1 and dL/dW"
TAGS = ("bptt", "backward", "tanh", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("dh3_dh2", Number(4), label=r"\partial h_3/\partial h_2", points=1),
    Part("dh3_dh1", Number(4), label=r"\partial h_3/\partial h_1", points=1),
    Part("dL_dW", Number(4), label=r"\partial L/\partial W", points=2),
]

MISTAKES = {
    "explicit_only": "only the explicit term $\\partial h_3^+/\\partial W$ was counted (no sum over $k$)",
    "no_tanh_derivative": "the $\\tanh$ derivative $1 - h_t^2$ was forgotten in the chain rule",
    "one_minus_a_squared": "$\\tanh'(a_t)$ was taken as $1 - a_t^2$ (pre-activation) instead of $1 - h_t^2$",
}


def generate(rng):
    params = {
        "x": draw.integers(rng, 3, -2, 2, nonzero=True),
        "h0": float(draw.decimals(rng, (), -0.5, 0.5)),
        "W_xh": float(draw.decimals(rng, (), -1, 1)),
        "W_hh": float(draw.decimals(rng, (), -1, 1)),
        "b_h": float(draw.decimals(rng, (), -0.5, 0.5)),
        "y": float(draw.decimals(rng, (), -1, 1)),
    }
    return params


def solve(p, work):
    # H = D = 1: the reference functions take (1,) vectors and (1, 1) matrices.
    W_xh, W_hh, b_h = np.array([[p["W_xh"]]]), np.array([[p["W_hh"]]]), np.array([p["b_h"]])
    h_prev = np.array([p["h0"]])
    J, E = {}, {}  # J[t] = dh_t/dh_{t-1},  E[t] = dh_t^+/dW (explicit: h_{t-1} held constant)
    for t in (1, 2, 3):
        h_t, cache = rnn_step_forward(np.array([p["x"][t - 1]]), h_prev, W_xh, W_hh, b_h)
        a = work.step(f"a{t}", float(cache["a"][0]))
        if abs(a) > 3:
            work.reject("a pre-activation saturates tanh")
        # from the rounded a_t and h_t, as a person goes on with them (exactly, the reference's)
        h = work.step(f"h{t}", float(tanh(a)))
        d = 1.0 - h * h  # tanh'(a_t) = 1 - h_t^2
        if work.exact:
            assert h == float(h_t[0]) and d == float(rnn_step_backward(np.ones(1), cache)["a"][0])
        if work.made("no_tanh_derivative"):
            d = 1.0
        if work.made("one_minus_a_squared"):
            d = 1.0 - a**2
        d = work.step(f"d{t}", d)
        J[t] = work.step(f"J{t}", p["W_hh"] * d)          # dh_t/dh_{t-1} = W tanh'(a_t)
        E[t] = work.step(f"E{t}", d * float(h_prev[0]))   # dh_t^+/dW = tanh'(a_t) h_{t-1}
        h_prev = np.array([h])

    dh3_dh2 = work.answer("dh3_dh2", J[3])
    dh3_dh1 = work.answer("dh3_dh1", dh3_dh2 * J[2])
    dL_dh3 = work.step("dL_dh3", h - p["y"])
    if abs(dL_dh3) < 0.1:
        work.reject("h_3 is too close to y: the gradient vanishes")
    if work.made("explicit_only"):
        total = E[3]
    else:
        total = E[3] + dh3_dh2 * E[2] + dh3_dh1 * E[1]
    total = work.step("dh3_dW", total)
    dL_dW = work.answer("dL_dW", dL_dh3 * total)
    if work.is_key:  # judge the draw by its own key only
        if min(abs(dh3_dh1), abs(dL_dW)) < 0.01:
            work.reject("an answer vanishes")
        if abs(dL_dh3 * (total - E[3])) < 0.002:
            work.reject("the implicit terms are too small to tell from the explicit one")


STEM = r"""
A scalar RNN ($H = D = 1$) with weight $W = W_{hh}$ runs for $T = 3$ steps:
$$h_t = \tanh(a_t),\qquad a_t = W h_{t-1} + W_{xh} x_t + b_h,$$
with $W = {{ p.W_hh | tex }}$, $W_{xh} = {{ p.W_xh | tex }}$, $b_h = {{ p.b_h | tex }}$, $h_0 = {{ p.h0 | tex }}$
and the inputs $x_1 = {{ p.x[0] | tex }}$, $x_2 = {{ p.x[1] | tex }}$, $x_3 = {{ p.x[2] | tex }}$.
The loss depends on the last state only: $L = \tfrac{1}{2}(h_3 - y)^2$ with $y = {{ p.y | tex }}$.

Backpropagation through time gives
$$\frac{\partial L}{\partial W} = \frac{\partial L}{\partial h_3} \sum_{k=1}^{3} \frac{\partial h_3}{\partial h_k}\, \frac{\partial h_k^+}{\partial W},$$
where $\partial h_k^+/\partial W$ is the explicit derivative (treating $h_{k-1}$ as a constant) and $\partial h_3/\partial h_3 = 1$.

Compute (a) $\partial h_3/\partial h_2$, (b) $\partial h_3/\partial h_1$ and (c) $\partial L/\partial W$.
Round to {{ d }} decimals.
"""

SOLUTION = r"""
Forward: $a_1 = {{ s.a1 | tex(d) }}$, $h_1 = {{ s.h1 | tex(d) }}$; $a_2 = {{ s.a2 | tex(d) }}$, $h_2 = {{ s.h2 | tex(d) }}$;
$a_3 = {{ s.a3 | tex(d) }}$, $h_3 = {{ s.h3 | tex(d) }}$.

Local derivatives $\tanh'(a_t) = 1 - h_t^2$: ${{ s.d1 | tex(d) }}$, ${{ s.d2 | tex(d) }}$, ${{ s.d3 | tex(d) }}$.
One step back: $\partial h_t/\partial h_{t-1} = W\, (1 - h_t^2)$, so $\partial h_2/\partial h_1 = {{ s.J2 | tex(d) }}$ and

(a) $\partial h_3/\partial h_2 = W\, (1 - h_3^2) = {{ key.dh3_dh2 }}$;

(b) $\partial h_3/\partial h_1 = \frac{\partial h_3}{\partial h_2}\frac{\partial h_2}{\partial h_1} = {{ key.dh3_dh1 }}$.

Explicit terms $\partial h_k^+/\partial W = (1 - h_k^2)\, h_{k-1}$: ${{ s.E1 | tex(d) }}$, ${{ s.E2 | tex(d) }}$, ${{ s.E3 | tex(d) }}$ for $k = 1, 2, 3$;
their weighted sum $\partial h_3/\partial W = {{ s.E3 | tex(d) }} + \frac{\partial h_3}{\partial h_2}({{ s.E2 | tex(d) }}) + \frac{\partial h_3}{\partial h_1}({{ s.E1 | tex(d) }}) = {{ s.dh3_dW | tex(d) }}$.

(c) $\partial L/\partial h_3 = h_3 - y = {{ s.dL_dh3 | tex(d) }}$, so $\partial L/\partial W = {{ key.dL_dW }}$.
"""
