"""The Jensen-Shannon divergence of two small distributions, through the mixture m = (p + q) / 2."""

import numpy as np

from quizgen.bank import Number, Part, Redraw
from reference_impl.gan import js_divergence, kl_divergence

TITLE = "Jensen-Shannon divergence of two discrete distributions"
TAGS = ("gan", "js-divergence", "kl-divergence", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("kl_pm", Number(4), label="(a) KL(p || m)", points=1),
    Part("kl_qm", Number(4), label="(b) KL(q || m)", points=1, uses=()),
    Part("JS", Number(4), label="(c) JS(p || q)", points=1),
]

MISTAKES = {
    "log2": "logarithms to base 2 (bits) were used instead of natural logarithms",
    "kl_to_other": "each KL was taken against the other distribution instead of the mixture $m$",
    "kl_reversed": "the KL terms were reversed: $\\mathrm{KL}(m \\| p)$ and $\\mathrm{KL}(m \\| q)$",
    "no_half": "the factor $\\frac{1}{2}$ was dropped: $\\mathrm{JS} = \\mathrm{KL}(p \\| m) + \\mathrm{KL}(q \\| m)$",
}


def _tenths(rng, n):
    """n positive multiples of 0.1 summing to 1."""
    cuts = np.sort(rng.choice(np.arange(1, 10), size=n - 1, replace=False))
    return np.diff(np.concatenate([[0], cuts, [10]])) / 10


def generate(rng):
    p, q = _tenths(rng, 3), _tenths(rng, 3)
    if js_divergence(p, q) < 0.02:
        raise Redraw("p and q are (nearly) equal: the answers are too small to tell mistakes apart")
    return {"p": p, "q": q}


def solve(p, work):
    P, Q = p["p"], p["q"]
    m = work.step("m", (P + Q) / 2)
    if work.made("kl_to_other"):
        first, second = kl_divergence(P, Q), kl_divergence(Q, P)
    elif work.made("kl_reversed"):
        first, second = kl_divergence(m, P), kl_divergence(m, Q)
    else:
        first, second = kl_divergence(P, m), kl_divergence(Q, m)
    if work.made("log2"):
        first, second = first / np.log(2), second / np.log(2)
    first = work.answer("kl_pm", first)
    second = work.answer("kl_qm", second)
    JS = first + second if work.made("no_half") else (first + second) / 2
    JS = work.answer("JS", JS)
    if work.exact:
        assert np.isclose(JS, js_divergence(P, Q))


STEM = r"""
Two distributions on three points are $p = {{ p.p | row }}$ and $q = {{ p.q | row }}$.
The Jensen-Shannon divergence, which the original GAN's generator minimises against the optimal
discriminator, is
$$\mathrm{JS}(p \,\|\, q) = \tfrac{1}{2} \mathrm{KL}(p \,\|\, m) + \tfrac{1}{2} \mathrm{KL}(q \,\|\, m),
\qquad m = \tfrac{1}{2}(p + q), \qquad \mathrm{KL}(p \,\|\, m) = \sum_x p(x) \log \frac{p(x)}{m(x)}.$$
Using natural logarithms, compute (a) $\mathrm{KL}(p \,\|\, m)$, (b) $\mathrm{KL}(q \,\|\, m)$ and
(c) $\mathrm{JS}(p \,\|\, q)$. Round to {{ d }} decimals.
"""

SOLUTION = r"""
The mixture is $m = \frac{1}{2}(p + q) = {{ s.m | row }}$.

(a) $\mathrm{KL}(p \,\|\, m) = \sum_x p(x) \log \frac{p(x)}{m(x)} = {{ key.kl_pm }}$.

(b) $\mathrm{KL}(q \,\|\, m) = \sum_x q(x) \log \frac{q(x)}{m(x)} = {{ key.kl_qm }}$.

(c) $\mathrm{JS} = \frac{1}{2}({{ key.kl_pm }} + {{ key.kl_qm }}) = {{ key.JS }}$ nats
(always between 0 and $\log 2 = 0.6931$).
"""
