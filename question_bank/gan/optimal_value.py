"""The optimal discriminator on a discrete support, V(D*, G), and the JS divergence it reveals."""

import math

import numpy as np

from quizgen.bank import Number, Part, Redraw, Vector
from reference_impl.gan import js_divergence, optimal_discriminator, value_function

TITLE = "GAN: optimal discriminator, V(D*, G) and the JS divergence"
TAGS = ("gan", "optimal-discriminator", "value-function", "js-divergence", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("D_star", Vector(4), label="(a) D^*", points=1),
    Part("V", Number(4), label="(b) V(D^*, G)", points=1),
    Part("JS", Number(4), label="(c) JS", points=1),
    Part("V_min", Number(4), label="(d) min V", points=1, uses=("D_star",)),
]

MISTAKES = {
    "d_star_inverted": "$D^*$ was written as $p_g / (p_{data} + p_g)$",
    "js_no_half": "the factor $\\frac{1}{2}$ was dropped: $\\mathrm{JS} = V + \\log 4$",
    "log4_sign": "the sign of $\\log 4$ was flipped: $\\mathrm{JS} = (V - \\log 4) / 2$",
    "log2_for_log4": "$\\log 2$ was used where the identity has $\\log 4$",
    "min_is_zero": "the minimum of $V(D^*, G)$ was taken as 0 (the value of JS there, not of $V$)",
}


def _tenths(rng, n):
    """n positive multiples of 0.1 summing to 1."""
    cuts = np.sort(rng.choice(np.arange(1, 10), size=n - 1, replace=False))
    return np.diff(np.concatenate([[0], cuts, [10]])) / 10


def generate(rng):
    params = {"p_data": _tenths(rng, 4), "p_g": _tenths(rng, 4)}
    if js_divergence(params["p_data"], params["p_g"]) < 0.02:
        raise Redraw("p_g is too close to p_data: every answer is near its minimum")
    return params


def solve(p, work):
    p_data, p_g = p["p_data"], p["p_g"]
    if work.made("d_star_inverted"):
        D = optimal_discriminator(p_g, p_data)
    else:
        D = optimal_discriminator(p_data, p_g)
    D = work.answer("D_star", D)
    work.step("real_term", float(np.sum(p_data * np.log(D))))
    work.step("fake_term", float(np.sum(p_g * np.log(1 - D))))
    V = work.answer("V", value_function(D, p_data, p_g))
    log4 = math.log(2) if work.made("log2_for_log4") else math.log(4)
    if work.made("js_no_half"):
        JS = V + log4
    elif work.made("log4_sign"):
        JS = (V - log4) / 2
    else:
        JS = (V + log4) / 2
    JS = work.answer("JS", JS)
    if work.exact:
        assert np.isclose(JS, js_divergence(p_data, p_g))  # the identity, checked on every draw
    work.answer("V_min", 0.0 if work.made("min_is_zero") else -log4)


STEM = r"""
On a space of four points, the data distribution and the generator's distribution are
$$p_{data} = {{ p.p_data | row }}, \qquad p_g = {{ p.p_g | row }}.$$
The GAN's value function is
$V(D, G) = \sum_x p_{data}(x) \log D(x) + \sum_x p_g(x) \log\big(1 - D(x)\big)$ (natural log).

(a) For this fixed $G$, give the optimal discriminator $D^*(x) = \dfrac{p_{data}(x)}{p_{data}(x) + p_g(x)}$
at each of the four points.

(b) Compute $V(D^*, G)$.

(c) Using $V(D^*, G) = -\log 4 + 2\,\mathrm{JS}(p_{data} \,\|\, p_g)$, compute the Jensen-Shannon
divergence $\mathrm{JS}(p_{data} \,\|\, p_g)$.

(d) What is the smallest value $V(D^*, G)$ can take over all generators?

Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) $D^* = p_{data} / (p_{data} + p_g) = {{ key.D_star }}$.

(b) $\sum_x p_{data}(x) \log D^*(x) = {{ s.real_term | num(d) }}$ and
$\sum_x p_g(x) \log(1 - D^*(x)) = {{ s.fake_term | num(d) }}$, so $V(D^*, G) = {{ key.V }}$.

(c) $\mathrm{JS} = \big(V(D^*, G) + \log 4\big) / 2 = ({{ key.V }} + 1.3863) / 2 = {{ key.JS }}$ nats.

(d) $\mathrm{JS} \ge 0$ with equality exactly when $p_g = p_{data}$; then $D^* = \frac{1}{2}$ everywhere and
$V = \log \frac{1}{2} + \log \frac{1}{2} = -\log 4 = {{ key.V_min }}$.
"""
