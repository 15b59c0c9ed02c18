"""The free energy F(v) of a binary RBM: the hidden units summed out in closed form."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, draw
from reference_impl.activations import softplus

TITLE = "Free energy of a visible vector in an RBM"
TAGS = ("free-energy", "softplus", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
SIZES = ("calculator", "computer")

PARTS = [
    Part("F", Number(4), label="F(v)", points=2),
]

MISTAKES = {
    "visible_sign": "the visible-bias term was added with the wrong sign ($+a^\\top v$)",
    "dropped_one": "the 1 in $\\log(1 + e^{x_j})$ was dropped, so $\\sum_j x_j$ was used",
    "sum_sign": "the softplus sum was added with the wrong sign ($+\\sum_j \\log(1 + e^{x_j})$)",
}


def generate(rng, size="calculator"):
    if size == "computer":
        n_v, n_h, places = 6, 4, 2
    else:
        n_v, n_h, places = 3, 2, 1
    params = {
        "v": draw.binary(rng, n_v),
        "W": draw.decimals(rng, (n_v, n_h), -1, 1, places=places),
        "a": draw.decimals(rng, n_v, -1, 1, places=places),
        "b": draw.decimals(rng, n_h, -1, 1, places=places),
    }
    if not params["v"].any():
        raise Redraw("v is all zeros")
    if abs(params["a"] @ params["v"]) < 0.05:
        raise Redraw("a.v vanishes: the sign of the visible term cannot be told apart")
    if np.max(np.abs(params["b"] + params["v"] @ params["W"])) > 4:
        raise Redraw("a hidden input is too large")
    return params


def solve(p, work):
    v, W, a, b = p["v"], p["W"], p["a"], p["b"]
    av = work.step("av", a @ v)
    x = work.step("x", b + W.T @ v)  # x_j = b_j + (v^T W)_j
    # log(1 + e^{x_j}) as a person computes it: e^{x_j} first, then the log (exactly, the
    # reference's softplus, to the last bit)
    ex = work.step("ex", np.exp(x))
    sp = work.step("sp", softplus(x) if work.decimals is None else np.log(1 + ex))
    # F(v) = -a.v - sum_j softplus(x_j), from the rounded terms a person writes down;
    # with exact terms it is reference_impl.rbm.free_energy(v, W, a, b)
    if work.made("visible_sign"):
        av = -av
    if work.made("dropped_one"):
        sp = x
    if work.made("sum_sign"):
        sp = -sp
    work.answer("F", -av - np.sum(sp))


STEM = r"""
A binary RBM with {{ p.v | length }} visible and {{ p.b | length }} hidden units has energy
$E(v, h) = -a^\top v - b^\top h - v^\top W h$. Summing the hidden units out gives
$p(v) = e^{-F(v)} / Z$ with the free energy
$$F(v) = -\log \sum_h e^{-E(v, h)} = -a^\top v - \sum_j \log\big(1 + e^{x_j}\big), \qquad x_j = b_j + \sum_i v_i W_{ij}.$$
With
$$W = {{ p.W | tex }},\quad a = {{ p.a | tex }},\quad b = {{ p.b | tex }},$$
compute the free energy $F(v)$ of $v = {{ p.v | row }}^\top$. Round to {{ d }} decimals.
"""

SOLUTION = r"""
$a^\top v = {{ s.av | tex(d) }}$ and $x = b + W^\top v = {{ s.x | tex(d) }}$, so
$e^{x_j} = {{ s.ex | tex(d) }}$, $\log(1 + e^{x_j}) = {{ s.sp | tex(d) }}$ and
$$F(v) = -({{ s.av | tex(d) }}) - {{ s.sp | sum | tex(d) }} = {{ key.F }}.$$
"""
