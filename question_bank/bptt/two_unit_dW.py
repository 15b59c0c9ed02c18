"""BPTT for a 2-unit tanh RNN over T = 2 steps: dL/dh_2, dL/dh_1 and the matrix dL/dW_hh."""

import numpy as np

from quizgen.bank import Matrix, Part, Vector, draw
from reference_impl.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

TITLE = "BPTT with two hidden units: the gradient matrix dL/dW_hh over two steps"
TAGS = ("bptt", "backward", "tanh", "matrix", "calculator")
DIFFICULTY = 3
VERSION = 1
DECIMALS = 4
H, D, T = 2, 1, 2

PARTS = [
    Part("dL_dh2", Vector(H), label=r"\partial L/\partial h_2", points=1),
    Part("dL_dh1", Vector(H), label=r"\partial L/\partial h_1", points=1),
    Part("dL_dW", Matrix((H, H)), label=r"\partial L/\partial W_{hh}", points=2),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "explicit_only": "only the explicit term $k = 2$ was counted (the path through $h_1$ was dropped)",
    "outer_transposed": "each term was written $h_{k-1} \\delta_k^\\top$ instead of $\\delta_k h_{k-1}^\\top$ (transposed)",
    "no_transpose": "$\\partial L/\\partial h_1$ was taken as $W_{hh} \\delta_2$ instead of $W_{hh}^\\top \\delta_2$",
    "no_tanh_derivative": "the $\\tanh$ derivatives $1 - h_t^2$ were forgotten in the chain rule",
}


def generate(rng):
    return {
        "x": draw.integers(rng, (T, D), -2, 2, nonzero=True),
        "h0": draw.decimals(rng, H, -0.5, 0.5),
        "W_xh": draw.decimals(rng, (H, D), -1, 1),
        "W_hh": draw.decimals(rng, (H, H), -1, 1),
        "b_h": draw.decimals(rng, H, -0.5, 0.5),
        "y": draw.decimals(rng, H, -1, 1),
    }


def solve(p, work):
    key = work.is_key
    h_prev, states, derivs = p["h0"], [p["h0"]], []
    for t in (1, 2):
        h_t, cache = rnn_step_forward(p["x"][t - 1], h_prev, p["W_xh"], p["W_hh"], p["b_h"])
        if np.max(np.abs(cache["a"])) > 3:
            work.reject("a pre-activation saturates tanh")
        # from the rounded a_t and h_t, as a person goes on with them (exactly, the reference's)
        a = work.step(f"a{t}", cache["a"])
        h_prev = work.step(f"h{t}", np.tanh(a))
        d = 1 - h_prev ** 2                                 # tanh'(a_t) = 1 - h_t^2
        if work.exact:
            assert np.allclose(d, rnn_step_backward(np.ones(H), cache)["a"]) and np.allclose(h_prev, h_t)
        derivs.append(work.step(f"d{t}", np.ones(H) if work.made("no_tanh_derivative") else d))
        states.append(h_prev)
    h0, h1, h2 = states

    # L = 1/2 ||h_2 - y||^2
    g2 = work.answer("dL_dh2", h2 - p["y"])
    delta2 = work.step("delta2", derivs[1] * g2)            # dL/da_2 = (1 - h_2^2) * dL/dh_2
    W = p["W_hh"] if work.made("no_transpose") else p["W_hh"].T
    g1 = work.answer("dL_dh1", W @ delta2)                  # (dh_2/dh_1)^T dL/dh_2
    delta1 = work.step("delta1", derivs[0] * g1)
    outer = (lambda u, v: np.outer(v, u)) if work.made("outer_transposed") else np.outer
    term2 = work.step("term2", outer(delta2, h1))           # k = 2: explicit dh_2^+/dW
    term1 = work.step("term1", outer(delta1, h0))           # k = 1: through dh_2/dh_1
    dW = work.answer("dL_dW", term2 if work.made("explicit_only") else term2 + term1)

    if key:
        _, cache = rnn_forward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"])
        if work.decimals is None:  # exact (not hand-rounded): the reference BPTT agrees
            assert np.allclose(dW, rnn_backward(np.array([np.zeros(H), g2]), cache)["W_hh"])
        if np.linalg.norm(g2) < 0.2 or np.max(np.abs(term1)) < 0.02 or np.max(np.abs(dW)) < 0.02:
            work.reject("the gradient, or the path through h_1, nearly vanishes")


STEM = r"""
An RNN with $H = 2$ hidden units and scalar inputs runs for $T = 2$ steps:
$$h_t = \tanh(a_t),\qquad a_t = W_{hh} h_{t-1} + W_{xh} x_t + b_h,$$
with
$$W_{hh} = {{ p.W_hh | tex }},\quad W_{xh} = {{ p.W_xh | tex }},\quad b_h = {{ p.b_h | tex }},\quad h_0 = {{ p.h0 | tex }},$$
and inputs $x_1 = {{ p.x[0][0] | tex }}$, $x_2 = {{ p.x[1][0] | tex }}$. The loss depends on the last state only:
$L = \tfrac{1}{2}\sum_{i=1}^{2} (h_{2,i} - y_i)^2$ with $y = {{ p.y | tex }}$.

Backpropagation through time sums over the steps $k$ at which $W = W_{hh}$ is used:
$$\frac{\partial L}{\partial W} = \sum_{k=1}^{2} \frac{\partial L}{\partial h_2}\,\frac{\partial h_2}{\partial h_k}\,\frac{\partial h_k^+}{\partial W}
= \sum_{k=1}^{2} \delta_k\, h_{k-1}^\top,\qquad \delta_k = \frac{\partial L}{\partial a_k} = (1 - h_k^2) \odot \frac{\partial L}{\partial h_k},$$
where $\partial h_k^+/\partial W$ treats $h_{k-1}$ as a constant, and
$\partial L/\partial h_1 = (\partial h_2/\partial h_1)^\top \partial L/\partial h_2 = W_{hh}^\top \delta_2$.

Compute (a) $\partial L/\partial h_2$, (b) $\partial L/\partial h_1$ and (c) the $2 \times 2$ matrix $\partial L/\partial W_{hh}$.
Round to {{ d }} decimals.
"""

SOLUTION = r"""
Forward: $a_1 = {{ s.a1 | tex(d) }}$, $h_1 = {{ s.h1 | tex(d) }}$; $a_2 = {{ s.a2 | tex(d) }}$, $h_2 = {{ s.h2 | tex(d) }}$.

(a) $\partial L/\partial h_2 = h_2 - y = {{ key.dL_dh2 }}$.

(b) $\delta_2 = (1 - h_2^2) \odot \partial L/\partial h_2 = {{ s.d2 | tex(d) }} \odot \partial L/\partial h_2 = {{ s.delta2 | tex(d) }}$,
so $\partial L/\partial h_1 = W_{hh}^\top \delta_2 = {{ key.dL_dh1 }}$.

(c) $\delta_1 = (1 - h_1^2) \odot \partial L/\partial h_1 = {{ s.d1 | tex(d) }} \odot \partial L/\partial h_1 = {{ s.delta1 | tex(d) }}$.
The term $k = 2$ (explicit) is $\delta_2 h_1^\top = {{ s.term2 | tex(d) }}$; the term $k = 1$ (through $h_1$) is
$\delta_1 h_0^\top = {{ s.term1 | tex(d) }}$. Their sum:
$$\frac{\partial L}{\partial W_{hh}} = {{ key.dL_dW }}.$$
"""
