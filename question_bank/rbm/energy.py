"""The energy of one configuration (v, h) of a binary RBM, and its Boltzmann weight exp(-E)."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, draw
from reference_impl.rbm import energy

TITLE = "Energy of an RBM configuration"
TAGS = ("energy", "boltzmann-weight", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4
SIZES = ("calculator", "computer")

PARTS = [
    Part("E", Number(4), label="E(v, h)", points=2),
    Part("weight", Number(4), label="e^{-E(v, h)}", points=1),
]

MISTAKES = {
    "bias_sign": "the bias terms were added with the wrong sign ($+a^\\top v + b^\\top h$)",
    "no_interaction": "the interaction term $v^\\top W h$ was left out",
    "interaction_sign": "the interaction term was added with the wrong sign ($+v^\\top W h$)",
    "weight_sign": "the Boltzmann weight was taken as $e^{+E}$ instead of $e^{-E}$",
}


def generate(rng, size="calculator"):
    if size == "computer":
        n_v, n_h, places = 6, 4, 2
    else:
        n_v, n_h, places = 3, 2, 1
    params = {
        "v": draw.binary(rng, n_v),
        "h": draw.binary(rng, n_h),
        "W": draw.decimals(rng, (n_v, n_h), -1, 1, places=places),
        "a": draw.decimals(rng, n_v, -1, 1, places=places),
        "b": draw.decimals(rng, n_h, -1, 1, places=places),
    }
    v, h = params["v"], params["h"]
    if not v.any() or not h.any():
        raise Redraw("v or h is all zeros: the interaction term vanishes")
    biases, interaction = params["a"] @ v + params["b"] @ h, v @ params["W"] @ h
    if min(abs(biases), abs(interaction), abs(biases - interaction), abs(biases + interaction)) < 0.05:
        raise Redraw("the bias and interaction terms vanish or cancel")
    if abs(biases + interaction) > 6:
        raise Redraw("|E| is too large for a readable exp(-E)")
    return params


def solve(p, work):
    v, h, W, a, b = p["v"], p["h"], p["W"], p["a"], p["b"]
    work.step("av", a @ v)
    work.step("bh", b @ h)
    work.step("vWh", v @ W @ h)
    if work.made("bias_sign"):
        a, b = -a, -b
    if work.made("no_interaction"):
        W = 0 * W
    if work.made("interaction_sign"):
        W = -W
    E = work.answer("E", energy(v, h, W, a, b))
    work.answer("weight", np.exp(E) if work.made("weight_sign") else np.exp(-E))


STEM = r"""
A binary RBM with {{ p.v | length }} visible and {{ p.h | length }} hidden units has the energy
$$E(v, h) = -a^\top v - b^\top h - v^\top W h, \qquad p(v, h) = \frac{e^{-E(v, h)}}{Z}.$$
With
$$W = {{ p.W | tex }},\quad a = {{ p.a | tex }},\quad b = {{ p.b | tex }},$$
consider the configuration $v = {{ p.v | row }}^\top$, $h = {{ p.h | row }}^\top$.

(a) Compute the energy $E(v, h)$.

(b) Compute its unnormalised probability (Boltzmann weight) $e^{-E(v, h)}$.

Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) $a^\top v = {{ s.av | tex(d) }}$, $b^\top h = {{ s.bh | tex(d) }}$ and
$v^\top W h = \sum_{i,j} v_i W_{ij} h_j = {{ s.vWh | tex(d) }}$ (only the entries where $v_i = h_j = 1$ count), so
$$E(v, h) = -({{ s.av | tex(d) }}) - ({{ s.bh | tex(d) }}) - ({{ s.vWh | tex(d) }}) = {{ key.E }}.$$

(b) $e^{-E(v, h)} = {{ key.weight }}$.
"""
