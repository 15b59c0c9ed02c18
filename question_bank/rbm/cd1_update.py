"""One contrastive-divergence (CD-1) step of a tiny binary RBM, with the uniforms given."""

import numpy as np

from quizgen.bank import Matrix, Part, Redraw, Vector, draw
from reference_impl.activations import sigmoid
from reference_impl.rbm import bernoulli, cd_update, p_h_given_v, p_v_given_h

TITLE = "CD-1 update of a binary RBM"
TAGS = ("contrastive-divergence", "gibbs", "sigmoid", "calculator", "syllabus:rbm-gradients")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("p_h0", Vector(2), label="p(h|v_0)", points=1),
    Part("h0", Vector(2, decimals=None), label="h_0", points=1),
    Part("v1", Vector(3), label="v_1", points=1),
    Part("p_h1", Vector(2), label="p(h|v_1)", points=1),
    Part("dW", Matrix((3, 2)), label="\\Delta W", points=2),
]

MISTAKES = {
    "sign_flipped": "the CD update has its sign flipped (negative minus positive statistics)",
    "samples_in_stats": "the sample $h_0$ was used where the probabilities $p(h|v_0)$ belong in the positive statistics",
    "on_below_uniform": "a unit was turned on when its probability is BELOW its uniform",
}

SATURATED = sigmoid(3.0)  # a probability beyond this means |pre-activation| > 3


def generate(rng):
    params = {
        "v0": draw.binary(rng, 3),
        "W": draw.decimals(rng, (3, 2), -1, 1),
        "a": draw.decimals(rng, 3, -0.5, 0.5),
        "b": draw.decimals(rng, 2, -0.5, 0.5),
        "u_h": draw.uniforms(rng, 2),
        "lr": float(rng.choice([0.1, 0.2, 0.5])),
    }
    if not params["v0"].any():
        raise Redraw("v0 is all zeros")
    p_h0 = p_h_given_v(params["v0"], params["W"], params["b"])
    if np.min(np.abs(p_h0 - params["u_h"])) < 0.02:
        raise Redraw("a hidden probability is too close to its uniform")
    h0 = (p_h0 > params["u_h"]).astype(float)
    v1 = p_v_given_h(h0, params["W"], params["a"])
    for prob in (p_h0, v1, p_h_given_v(v1, params["W"], params["b"])):
        if np.any(np.abs(prob - 0.5) > SATURATED - 0.5):
            raise Redraw("a pre-activation saturates the sigmoid")
    return params


def solve(p, work):
    W, a, b, v0, u = p["W"], p["a"], p["b"], p["v0"], p["u_h"]
    p_h0 = work.answer("p_h0", p_h_given_v(v0, W, b))
    # a unit turns on when its probability exceeds its uniform
    h0 = work.answer("h0", bernoulli(u, p_h0) if work.made("on_below_uniform") else bernoulli(p_h0, u))
    v1 = work.answer("v1", p_v_given_h(h0, W, a))  # reconstruction: probabilities, not samples
    p_h1 = work.answer("p_h1", p_h_given_v(v1, W, b))
    h_pos = h0 if work.made("samples_in_stats") else p_h0
    pos, neg = ((v1, p_h1), (v0, h_pos)) if work.made("sign_flipped") else ((v0, h_pos), (v1, p_h1))
    _, stats = cd_update(W, a, b, p["lr"], pos[0][None], pos[1][None], neg[0][None], neg[1][None])
    work.step("positive", stats["pos_W"])
    work.step("negative", stats["neg_W"])
    work.answer("dW", p["lr"] * stats["W"])


STEM = r"""
A binary RBM with 3 visible and 2 hidden units has energy $E(v, h) = -a^\top v - b^\top h - v^\top W h$, so
$$p(h_j = 1 \mid v) = \sigma\Big(b_j + \sum_i v_i W_{ij}\Big), \qquad p(v_i = 1 \mid h) = \sigma\Big(a_i + \sum_j W_{ij} h_j\Big).$$
With
$$W = {{ p.W | tex }},\quad a = {{ p.a | tex }},\quad b = {{ p.b | tex }},\quad v_0 = {{ p.v0 | tex }},$$
perform one CD-1 step with learning rate $\eta = {{ p.lr | num }}$:

(a) compute $p(h = 1 \mid v_0)$;

(b) sample $h_0$ with the uniforms $u = {{ p.u_h | tex }}$: hidden unit $j$ is on ($h_{0,j} = 1$) when $p(h_j = 1 \mid v_0) > u_j$, else off;

(c) compute the reconstruction $v_1 = p(v = 1 \mid h_0)$ (the probabilities are used as $v_1$, not a sample);

(d) compute $p(h = 1 \mid v_1)$;

(e) compute the weight update $\Delta W = \eta \left( v_0\, p(h = 1 \mid v_0)^\top - v_1\, p(h = 1 \mid v_1)^\top \right)$.

Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) $p(h = 1 \mid v_0) = \sigma(b + W^\top v_0) = {{ key.p_h0 }}$.

(b) Comparing with $u = {{ p.u_h | tex }}$: $h_0 = {{ key.h0 }}$.

(c) $v_1 = \sigma(a + W h_0) = {{ key.v1 }}$.

(d) $p(h = 1 \mid v_1) = \sigma(b + W^\top v_1) = {{ key.p_h1 }}$.

(e) Positive statistics $v_0\, p(h = 1 \mid v_0)^\top = {{ s.positive | tex(d) }}$, negative statistics
$v_1\, p(h = 1 \mid v_1)^\top = {{ s.negative | tex(d) }}$, so
$$\Delta W = {{ p.lr | num }} \cdot (\text{positive} - \text{negative}) = {{ key.dW }}.$$
"""
