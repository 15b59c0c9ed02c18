"""The softmax output of an RNN at one time step and its cross-entropy loss, by hand."""

import numpy as np

from quizgen.bank import Number, Part, Vector, draw
from reference_impl.activations import sigmoid, softmax
from reference_impl.rnn import cross_entropy, output_forward

TITLE = "RNN output layer: softmax probabilities and cross-entropy at one step"
TAGS = ("output", "softmax", "cross-entropy", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4
V, H = 3, 2

PARTS = [
    Part("z", Vector(V), label="z_t", points=1),
    Part("y_hat", Vector(V), label=r"\hat{y}_t", points=1),
    Part("L", Number(4), label="L_t", points=1),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "log10": "the loss was computed with $\\log_{10}$ instead of the natural logarithm",
    "sigmoid_for_softmax": "$\\sigma$ was applied to each logit instead of the softmax over all classes",
    "no_bias": "the output bias $b_y$ was left out of $z_t$",
}


def generate(rng):
    params = {
        "h": draw.decimals(rng, H, -0.9, 0.9),          # a tanh state: entries in (-1, 1)
        "W_hy": draw.decimals(rng, (V, H), -2, 2),
        "b_y": draw.decimals(rng, V, -0.5, 0.5),
        "targets": [int(rng.integers(0, V))],          # the class index y_t (0-based; printed 1-based)
    }
    return params


def solve(p, work):
    b_y = 0 * p["b_y"] if work.made("no_bias") else p["b_y"]
    _, cache = output_forward(np.reshape(p["h"], (1, H)), p["W_hy"], b_y)
    z = work.answer("z", cache["z"][0])                 # z_t = W_hy h_t + b_y
    if work.is_key and np.min(np.abs(np.subtract.outer(z, z))
                                                          + np.eye(V)) < 0.1:
        work.reject("two logits nearly tie")
    if work.made("sigmoid_for_softmax"):
        y_hat = sigmoid(z)
    else:
        # by hand: each e^{z_i} and their sum written down first, then each share
        e = work.step("exp_z", np.exp(z))
        e_sum = work.step("exp_sum", float(np.sum(e)))
        # the reference softmax, moved by whatever rounding e^{z_i} and their sum did (exactly:
        # nothing, so the key stays the reference's bit for bit)
        y_hat = softmax(z) + (e / e_sum - np.exp(z) / float(np.sum(np.exp(z))))
    y_hat = work.answer("y_hat", y_hat)
    L = float(cross_entropy(np.reshape(y_hat, (1, V)), p["targets"])[0])   # -ln y^_t[y_t]
    if work.made("log10"):
        L = L / np.log(10)
    work.answer("L", L)


STEM = r"""
At time step $t$ an RNN with hidden size $H = 2$ has the hidden state
$h_t = {{ p.h | tex }}$ (in the notes' second notation: $a_t$). Its output layer over $V = 3$ classes is
$$z_t = W_{hy} h_t + b_y,\qquad \hat{y}_t = \mathrm{softmax}(z_t),\qquad
\hat{y}_{t,i} = \frac{e^{z_{t,i}}}{\sum_{j=1}^{3} e^{z_{t,j}}},$$
with
$$W_{hy} = {{ p.W_hy | tex }},\qquad b_y = {{ p.b_y | tex }}$$
($W_{hy}$ is the notes' $W_{ya}$). The true class at this step is class
$y_t = {{ p.targets[0] + 1 }}$ (classes numbered $1, 2, 3$), and the loss is the cross-entropy
$L_t = -\ln \hat{y}_{t, y_t}$ (natural logarithm).

Compute (a) the logits $z_t$, (b) the probabilities $\hat{y}_t$ and (c) the loss $L_t$.
Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) $z_t = W_{hy} h_t + b_y = {{ key.z }}$.

(b) Exponentiate, $e^{z_t} = {{ s.exp_z | tex(d) }}$, add up, $\sum_j e^{z_{t,j}} = {{ s.exp_sum | num(d) }}$,
and normalise: $\hat{y}_t = \mathrm{softmax}(z_t) = {{ key.y_hat }}$ (the entries sum to 1).

(c) The probability of the true class $y_t = {{ p.targets[0] + 1 }}$ is
$\hat{y}_{t,{{ p.targets[0] + 1 }}} = {{ a.y_hat[p.targets[0]] | num(d) }}$, so
$L_t = -\ln {{ a.y_hat[p.targets[0]] | num(d) }} = {{ key.L }}$.
"""
