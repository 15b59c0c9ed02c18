"""Truncated versus full BPTT in a scalar RNN: the gradient of L_3 with 1, 2 and 3 steps back."""

import numpy as np

from quizgen.bank import Number, Part, draw
from reference_impl.activations import tanh
from reference_impl.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

TITLE = "Truncated BPTT: the gradient of L_3 with 1, 2 and 3 steps back"
TAGS = ("bptt", "truncated-bptt", "backward", "tanh", "calculator", "syllabus:vanishing-remedies")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("trunc1", Number(4), label=r"\tau = 1", points=1),
    Part("trunc2", Number(4), label=r"\tau = 2", points=1),
    Part("full", Number(4), label=r"\text{full}", points=1),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "one_step_too_many": "a window of $\\tau$ steps was given $\\tau + 1$ terms ($h_{3-\\tau}$ was not held constant)",
    "no_tanh_derivative": "the $\\tanh$ derivative $1 - h_t^2$ was forgotten in the chain rule",
    "one_minus_a_squared": "$\\tanh'(a_t)$ was taken as $1 - a_t^2$ (pre-activation) instead of $1 - h_t^2$",
}


def generate(rng):
    return {
        "x": draw.integers(rng, 3, -2, 2, nonzero=True),
        "h0": float(draw.decimals(rng, (), -0.5, 0.5)),
        "W_xh": float(draw.decimals(rng, (), -1, 1)),
        "W_hh": float(draw.decimals(rng, (), -1.5, 1.5)),
        "b_h": float(draw.decimals(rng, (), -0.5, 0.5)),
        "y": float(draw.decimals(rng, (), -1, 1)),
    }


def solve(p, work):
    # H = D = 1: the reference functions take (1,) vectors and (1, 1) matrices.
    W_xh, W_hh, b_h = np.array([[p["W_xh"]]]), np.array([[p["W_hh"]]]), np.array([p["b_h"]])
    h_prev, J, E = np.array([p["h0"]]), {}, {}
    for t in (1, 2, 3):
        h_t, cache = rnn_step_forward(np.array([p["x"][t - 1]]), h_prev, W_xh, W_hh, b_h)
        a = work.step(f"a{t}", float(cache["a"][0]))
        if abs(a) > 3:
            work.reject("a pre-activation saturates tanh")
        # from the rounded a_t and h_t, as a person goes on with them (exactly, the reference's)
        h = work.step(f"h{t}", float(tanh(a)))
        d = 1.0 - h * h     # tanh'(a_t) = 1 - h_t^2
        if work.exact:
            assert h == float(h_t[0]) and d == float(rnn_step_backward(np.ones(1), cache)["a"][0])
        if work.made("no_tanh_derivative"):
            d = 1.0
        if work.made("one_minus_a_squared"):
            d = 1.0 - a**2
        d = work.step(f"d{t}", d)
        J[t] = work.step(f"J{t}", p["W_hh"] * d)                     # dh_t/dh_{t-1}
        E[t] = work.step(f"E{t}", d * float(h_prev[0]))              # dh_t^+/dW
        h_prev = np.array([h])

    g = work.step("dL_dh3", h - p["y"])                              # dL_3/dh_3
    # the terms k = 3, 2, 1 of dL_3/dh_3 * sum_k dh_3/dh_k dh_k^+/dW, added one window step at a time
    term = {3: work.step("term3", g * E[3]),
            2: work.step("term2", g * J[3] * E[2]),
            1: work.step("term1", g * J[3] * J[2] * E[1])}
    extra = 1 if work.made("one_step_too_many") else 0
    total = sum(term[k] for k in range(3 - extra, 4))
    total = work.answer("trunc1", total)
    if 2 - extra >= 1:
        total += term[2 - extra]
    total = work.answer("trunc2", total)
    if 1 - extra >= 1:
        total += term[1 - extra]
    full = work.answer("full", total)

    if work.is_key:
        if work.decimals is None:  # exact: the reference's truncated BPTT (window mode) agrees
            _, cache = rnn_forward(np.reshape(p["x"], (3, 1)), np.array([p["h0"]]), W_xh, W_hh, b_h)
            dh = np.array([[0.0], [0.0], [g]])
            for tau, value in ((1, term[3]), (2, term[3] + term[2]), (None, full)):
                ref = rnn_backward(dh, cache, truncate=tau, truncate_mode="window")["W_hh"]
                assert np.isclose(float(ref[0, 0]), value)
        if abs(g) < 0.1 or min(abs(term[2]), abs(term[1])) < 0.005 or abs(full) < 0.01:
            work.reject("a gradient or a dropped term is too small to tell the answers apart")


STEM = r"""
A scalar RNN ($H = D = 1$) with recurrent weight $W = W_{hh}$ runs for $T = 3$ steps:
$$h_t = \tanh(a_t),\qquad a_t = W h_{t-1} + W_{xh} x_t + b_h,$$
with $W = {{ p.W_hh | tex }}$, $W_{xh} = {{ p.W_xh | tex }}$, $b_h = {{ p.b_h | tex }}$, $h_0 = {{ p.h0 | tex }}$
and the inputs $x_1 = {{ p.x[0] | tex }}$, $x_2 = {{ p.x[1] | tex }}$, $x_3 = {{ p.x[2] | tex }}$.
Consider the loss at the last step, $L_3 = \tfrac{1}{2}(h_3 - y)^2$ with $y = {{ p.y | tex }}$.
Full BPTT gives
$$\frac{\partial L_3}{\partial W} = \frac{\partial L_3}{\partial h_3} \sum_{k=1}^{3} \frac{\partial h_3}{\partial h_k}\, \frac{\partial h_k^+}{\partial W},$$
where $\partial h_k^+/\partial W$ is the explicit derivative (treating $h_{k-1}$ as a constant) and $\partial h_3/\partial h_3 = 1$.

**Truncated BPTT with $\tau$ steps** backpropagates $L_3$ through the last $\tau$ steps only: it keeps the
terms $k = 3, \dots, 4 - \tau$ of the sum and treats $h_{3-\tau}$ as a constant (the gradient is
dropped there; the forward pass is unchanged).

Compute $\partial L_3/\partial W$ (a) truncated to $\tau = 1$ step, (b) truncated to $\tau = 2$ steps, and
(c) with full BPTT. Round to {{ d }} decimals.
"""

SOLUTION = r"""
Forward: $h_1 = {{ s.h1 | tex(d) }}$, $h_2 = {{ s.h2 | tex(d) }}$, $h_3 = {{ s.h3 | tex(d) }}$, so
$\partial L_3/\partial h_3 = h_3 - y = {{ s.dL_dh3 | tex(d) }}$.
Local derivatives $1 - h_t^2$: ${{ s.d1 | tex(d) }}$, ${{ s.d2 | tex(d) }}$, ${{ s.d3 | tex(d) }}$;
one step back $\partial h_t/\partial h_{t-1} = W (1 - h_t^2)$: ${{ s.J2 | tex(d) }}$ ($t = 2$), ${{ s.J3 | tex(d) }}$ ($t = 3$);
explicit terms $\partial h_k^+/\partial W = (1 - h_k^2) h_{k-1}$: ${{ s.E1 | tex(d) }}$, ${{ s.E2 | tex(d) }}$, ${{ s.E3 | tex(d) }}$.

(a) $\tau = 1$ keeps $k = 3$ only: $(h_3 - y)\,\frac{\partial h_3^+}{\partial W} = {{ key.trunc1 }}$.

(b) $\tau = 2$ adds $k = 2$: $(h_3 - y)\,\frac{\partial h_3}{\partial h_2}\frac{\partial h_2^+}{\partial W} = {{ s.term2 | tex(d) }}$, giving ${{ key.trunc2 }}$.

(c) Full BPTT adds $k = 1$: $(h_3 - y)\,\frac{\partial h_3}{\partial h_2}\frac{\partial h_2}{\partial h_1}\frac{\partial h_1^+}{\partial W} = {{ s.term1 | tex(d) }}$, giving ${{ key.full }}$.
"""
