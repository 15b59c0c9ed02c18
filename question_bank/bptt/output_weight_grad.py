"""The output-weight gradient dL/dW_ya = sum_t (y^_t - y_t) a_t^T over two steps (notes' notation)."""

import numpy as np

from quizgen.bank import Matrix, Part, Vector, draw
from reference_impl.rnn import output_backward, output_forward

TITLE = "BPTT for the output weights: dL/dW_ya summed over two time steps"
TAGS = ("bptt", "softmax", "cross-entropy", "output", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
T, H, V = 2, 2, 3

PARTS = [
    Part("y_hat1", Vector(V), label=r"\hat{y}_1", points=1),
    Part("y_hat2", Vector(V), label=r"\hat{y}_2", points=1, uses=()),
    Part("dW_ya", Matrix((V, H)), label=r"\partial L/\partial W_{ya}", points=2),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "sign_flipped": "the error was taken as $y_t - \\hat{y}_t$ instead of $\\hat{y}_t - y_t$",
    "last_step_only": "only the last step's term $(\\hat{y}_T - y_T) a_T^\\top$ was used (no sum over $t$)",
    "target_not_subtracted": "the one-hot target was not subtracted: $\\sum_t \\hat{y}_t a_t^\\top$",
    "no_bias": "the output bias $b_y$ was left out of the softmax",
}


def generate(rng):
    return {
        "h": draw.decimals(rng, (T, H), -0.9, 0.9),      # rows a_1, a_2: tanh states
        "W_hy": draw.decimals(rng, (V, H), -2, 2),
        "b_y": draw.decimals(rng, V, -0.5, 0.5),
        "targets": [int(k) for k in rng.integers(0, V, size=T)],
    }


def solve(p, work):
    b_y = 0 * p["b_y"] if work.made("no_bias") else p["b_y"]
    _, cache = output_forward(p["h"], p["W_hy"], b_y)
    exactly = work.decimals is None   # not rounded: go on with the reference's own values
    y_hat = []
    for t in (1, 2):
        # by hand: z_t = W_ya a_t + b_y, each e^{z_t,i}, their sum, each share of it
        z = work.step(f"z{t}", cache["z"][t - 1])
        exp_z = work.step(f"exp_z{t}", np.exp(z))
        total = work.step(f"sum_exp{t}", np.sum(exp_z))
        if work.exact:
            assert np.allclose(exp_z / total, cache["y_hat"][t - 1])
        y_hat.append(work.answer(f"y_hat{t}", cache["y_hat"][t - 1] if exactly else exp_z / total))
    y_hat = np.array(y_hat)
    onehot = 0 * np.eye(V)[p["targets"]] if work.made("target_not_subtracted") else np.eye(V)[p["targets"]]
    terms = []
    for t in (1, 2):
        e = work.step(f"e{t}", y_hat[t - 1] - onehot[t - 1])               # y^_t - y_t
        terms.append(work.step(f"term{t}", np.outer(e, p["h"][t - 1])))   # (y^_t - y_t) a_t^T
    rows = [T - 1] if work.made("last_step_only") else list(range(T))
    if not exactly:  # by hand: the sum of the rounded outer products
        dW = sum(terms[r] for r in rows)
    elif work.made("target_not_subtracted"):
        dW = y_hat[rows].T @ p["h"][rows]
    else:  # from the y^_t given above, so an error in them is carried forward
        back = output_backward(np.asarray(p["targets"])[rows],
                               {"h": p["h"][rows], "y_hat": y_hat[rows], "W_hy": p["W_hy"]})
        dW = back["W_hy"]
        if work.exact:
            assert np.allclose(dW, sum(terms))
    work.answer("dW_ya", -dW if work.made("sign_flipped") else dW)


STEM = r"""
In the notes' notation an RNN with hidden states $a_t$ ($H = 2$) has the softmax output over $V = 3$ classes
$$\hat{y}_t = \mathrm{softmax}(W_{ya} a_t + b_y),\qquad L = \sum_{t=1}^{T} L_t,\quad L_t = -\ln \hat{y}_{t, y_t},$$
and backpropagation through time gives the output-weight gradient
$$\frac{\partial L}{\partial W_{ya}} = \sum_{t=1}^{T} \frac{\partial L_t}{\partial W_{ya}} = \sum_{t=1}^{T} (\hat{y}_t - y_t)\, a_t^\top,$$
with $y_t$ the one-hot vector of the true class. For $T = 2$ steps with hidden states
$a_1 = {{ p.h[0] | tex }}$, $a_2 = {{ p.h[1] | tex }}$ and
$$W_{ya} = {{ p.W_hy | tex }},\qquad b_y = {{ p.b_y | tex }},$$
the true classes are $y_1$ = class {{ p.targets[0] + 1 }} and $y_2$ = class {{ p.targets[1] + 1 }} (classes numbered 1, 2, 3).

Compute (a) $\hat{y}_1$, (b) $\hat{y}_2$ and (c) the $3 \times 2$ matrix $\partial L/\partial W_{ya}$.
Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) The logits $z_1 = W_{ya} a_1 + b_y = {{ s.z1 | tex(d) }}$; their exponentials $e^{z_1} = {{ s.exp_z1 | tex(d) }}$
sum to ${{ s.sum_exp1 | num(d) }}$, and each divided by the sum gives $\hat{y}_1 = {{ key.y_hat1 }}$.

(b) Likewise $z_2 = {{ s.z2 | tex(d) }}$, $e^{z_2} = {{ s.exp_z2 | tex(d) }}$ with the sum ${{ s.sum_exp2 | num(d) }}$,
so $\hat{y}_2 = {{ key.y_hat2 }}$.

(c) Errors: $\hat{y}_1 - y_1 = {{ s.e1 | tex(d) }}$ and $\hat{y}_2 - y_2 = {{ s.e2 | tex(d) }}$
(1 subtracted at the true class). The two outer products are
$(\hat{y}_1 - y_1) a_1^\top = {{ s.term1 | tex(d) }}$ and $(\hat{y}_2 - y_2) a_2^\top = {{ s.term2 | tex(d) }}$; their sum is
$$\frac{\partial L}{\partial W_{ya}} = {{ key.dW_ya }}.$$
"""
