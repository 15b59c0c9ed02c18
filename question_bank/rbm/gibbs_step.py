"""One block-Gibbs step v -> h -> v' of a binary RBM, with the uniforms given."""

import numpy as np

from quizgen.bank import Part, Redraw, Vector, draw
from reference_impl.rbm import bernoulli, gibbs_step, p_h_given_v, p_v_given_h

TITLE = "One Gibbs step v -> h -> v' in an RBM"
TAGS = ("gibbs", "sampling", "sigmoid", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("p_h", Vector(2), label="p(h=1|v)", points=1),
    Part("h", Vector(2, decimals=None), label="h", points=1),
    Part("p_v", Vector(3), label="p(v=1|h)", points=1),
    Part("v_new", Vector(3, decimals=None), label="v'", points=1),
]

MISTAKES = {
    "on_below_uniform": "a unit was turned on when its probability is BELOW its uniform",
    "probs_passed_on": "the probabilities $p(h = 1 \\mid v)$ were used to compute $p(v \\mid h)$ instead of the sample $h$",
    "no_bias": "the biases $a$ and $b$ were left out of the conditionals",
}

MARGIN = 0.02  # a probability this close to its uniform would make the sample a rounding accident


def generate(rng):
    params = {
        "v": draw.binary(rng, 3),
        "W": draw.decimals(rng, (3, 2), -1, 1),
        "a": draw.decimals(rng, 3, -0.5, 0.5),
        "b": draw.decimals(rng, 2, -0.5, 0.5),
        "u_h": draw.uniforms(rng, 2),
        "u_v": draw.uniforms(rng, 3),
    }
    if not params["v"].any():
        raise Redraw("v is all zeros")
    _, cache = gibbs_step(params["v"], params["W"], params["a"], params["b"], params["u_h"], params["u_v"])
    if min(np.min(np.abs(cache["p_h"] - params["u_h"])), np.min(np.abs(cache["p_v"] - params["u_v"]))) < MARGIN:
        raise Redraw("a probability is too close to its uniform")
    pre = np.concatenate([params["b"] + params["v"] @ params["W"], params["a"] + params["W"] @ cache["h"]])
    if np.max(np.abs(pre)) > 3:
        raise Redraw("a pre-activation saturates the sigmoid")
    return params


def solve(p, work):
    v, W, a, b = p["v"], p["W"], p["a"], p["b"]
    if work.made("no_bias"):
        a, b = 0 * a, 0 * b

    def sample(prob, u):  # a unit is on when its probability exceeds its uniform
        return bernoulli(u, prob) if work.made("on_below_uniform") else bernoulli(prob, u)

    p_h = work.answer("p_h", p_h_given_v(v, W, b))
    h = work.answer("h", sample(p_h, p["u_h"]))
    p_v = work.answer("p_v", p_v_given_h(p_h if work.made("probs_passed_on") else h, W, a))
    work.answer("v_new", sample(p_v, p["u_v"]))


STEM = r"""
A binary RBM with 3 visible and 2 hidden units has energy $E(v, h) = -a^\top v - b^\top h - v^\top W h$, so
$$p(h_j = 1 \mid v) = \sigma\Big(b_j + \sum_i v_i W_{ij}\Big), \qquad p(v_i = 1 \mid h) = \sigma\Big(a_i + \sum_j W_{ij} h_j\Big).$$
With
$$W = {{ p.W | tex }},\quad a = {{ p.a | tex }},\quad b = {{ p.b | tex }},\quad v = {{ p.v | tex }},$$
perform one step of block Gibbs sampling $v \to h \to v'$. A unit is sampled with a given uniform
random number $u$: it is on (1) when its probability exceeds $u$, else off (0).

(a) Compute $p(h = 1 \mid v)$.

(b) Sample $h$ with the uniforms $u^{(h)} = {{ p.u_h | row }}$.

(c) Compute $p(v = 1 \mid h)$ for the sampled $h$.

(d) Sample $v'$ with the uniforms $u^{(v)} = {{ p.u_v | row }}$.

Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) $p(h = 1 \mid v) = \sigma(b + W^\top v) = {{ key.p_h }}$: all hidden units at once, since they are
independent given $v$.

(b) Comparing with $u^{(h)} = {{ p.u_h | row }}$ unit by unit: $h = {{ key.h }}$.

(c) $p(v = 1 \mid h) = \sigma(a + W h) = {{ key.p_v }}$.

(d) Comparing with $u^{(v)} = {{ p.u_v | row }}$: $v' = {{ key.v_new }}$.
"""
