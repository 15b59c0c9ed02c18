"""The two conditionals of a binary RBM: p(h_j = 1 | v) and p(v_i = 1 | h)."""

import numpy as np

from quizgen.bank import Part, Redraw, Vector, draw
from reference_impl.rbm import p_h_given_v, p_v_given_h

TITLE = "Conditional probabilities p(h|v) and p(v|h) of an RBM"
TAGS = ("conditionals", "sigmoid", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("p_h", Vector(2), label="p(h=1|v)", points=1),
    Part("p_v", Vector(3), label="p(v=1|h)", points=1, uses=()),
]

MISTAKES = {
    "no_bias": "the bias ($b$ for the hidden units, $a$ for the visible units) was left out",
    "prob_off": "$\\sigma(-x)$ was computed: the probability that the unit is OFF",
    "no_sigmoid": "the pre-activation was given without applying $\\sigma$",
}


def generate(rng):
    params = {
        "v": draw.binary(rng, 3),
        "h": draw.binary(rng, 2),
        "W": draw.decimals(rng, (3, 2), -1, 1),
        "a": draw.decimals(rng, 3, -0.5, 0.5),
        "b": draw.decimals(rng, 2, -0.5, 0.5),
    }
    if not params["v"].any() or not params["h"].any():
        raise Redraw("v or h is all zeros")
    pre = np.concatenate([params["b"] + params["v"] @ params["W"], params["a"] + params["W"] @ params["h"]])
    if np.max(np.abs(pre)) > 3:
        raise Redraw("a pre-activation saturates the sigmoid")
    return params


def solve(p, work):
    v, h, W, a, b = p["v"], p["h"], p["W"], p["a"], p["b"]
    if work.made("no_bias"):
        a, b = 0 * a, 0 * b
    x_h = work.step("x_h", b + W.T @ v)
    x_v = work.step("x_v", a + W @ h)
    if work.made("no_sigmoid"):
        work.answer("p_h", x_h)
        work.answer("p_v", x_v)
        return
    if work.made("prob_off"):  # sigma(-x) = sigma(x) with every parameter negated
        W, a, b = -W, -a, -b
    work.answer("p_h", p_h_given_v(v, W, b))
    work.answer("p_v", p_v_given_h(h, W, a))


STEM = r"""
A binary RBM with 3 visible and 2 hidden units has energy $E(v, h) = -a^\top v - b^\top h - v^\top W h$
($W_{ij}$ connects visible unit $i$ to hidden unit $j$). Given one layer, the units of the other layer
are independent, with
$$p(h_j = 1 \mid v) = \sigma\Big(b_j + \sum_i v_i W_{ij}\Big), \qquad p(v_i = 1 \mid h) = \sigma\Big(a_i + \sum_j W_{ij} h_j\Big),
\qquad \sigma(x) = \frac{1}{1 + e^{-x}}.$$
With
$$W = {{ p.W | tex }},\quad a = {{ p.a | tex }},\quad b = {{ p.b | tex }},$$

(a) compute the vector $p(h = 1 \mid v)$ for $v = {{ p.v | row }}^\top$;

(b) compute the vector $p(v = 1 \mid h)$ for $h = {{ p.h | row }}^\top$.

Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) $b + W^\top v = {{ s.x_h | tex(d) }}$, so $p(h = 1 \mid v) = \sigma(b + W^\top v) = {{ key.p_h }}$.

(b) $a + W h = {{ s.x_v | tex(d) }}$, so $p(v = 1 \mid h) = \sigma(a + W h) = {{ key.p_v }}$.
"""
