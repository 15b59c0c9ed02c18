"""GAN losses on a small batch (discriminator, saturating and non-saturating generator) and D*."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, Vector, draw
from reference_impl.gan import discriminator_loss, generator_loss, optimal_discriminator

TITLE = "GAN losses and the optimal discriminator"
TAGS = ("gan", "loss", "optimal-discriminator", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("J_D", Number(4), label="J_D", points=1),
    Part("J_G_sat", Number(4), label="J_G^{sat}", points=1, uses=()),
    Part("J_G", Number(4), label="J_G", points=1, uses=()),
    Part("D_star", Vector(3), label="D^*", points=1, uses=()),
]

MISTAKES = {
    "saturating_for_ns": "the saturating loss $\\frac{1}{m}\\sum \\log(1 - D(G(z_i)))$ was given where the non-saturating one was asked",
    "log_d_for_fakes": "$\\log D$ was used instead of $\\log(1 - D)$ for the generated samples",
    "d_star_inverted": "$D^*$ was written as $p_g / (p_{data} + p_g)$",
}


def _tenths(rng, n):
    """n positive multiples of 0.1 summing to 1."""
    cuts = np.sort(rng.choice(np.arange(1, 10), size=n - 1, replace=False))
    return np.diff(np.concatenate([[0], cuts, [10]])) / 10


def generate(rng):
    params = {
        "d_real": draw.decimals(rng, 3, 0.1, 0.9),
        "d_fake": draw.decimals(rng, 3, 0.1, 0.9),
        "p_data": _tenths(rng, 3),
        "p_g": _tenths(rng, 3),
    }
    if np.array_equal(params["p_data"], params["p_g"]):
        raise Redraw("p_g = p_data: D* is 1/2 everywhere")
    return params


def solve(p, work):
    # log(1 - D') with D' = 1 - D is log D: the mistake feeds 1 - D(G(z)) to the fake terms
    d_fake = 1 - p["d_fake"] if work.made("log_d_for_fakes") else p["d_fake"]
    work.answer("J_D", discriminator_loss(p["d_real"], d_fake))
    work.answer("J_G_sat", generator_loss(d_fake, "saturating"))
    kind = "saturating" if work.made("saturating_for_ns") else "non_saturating"
    work.answer("J_G", generator_loss(p["d_fake"], kind))
    if work.made("d_star_inverted"):
        work.answer("D_star", optimal_discriminator(p["p_g"], p["p_data"]))
    else:
        work.answer("D_star", optimal_discriminator(p["p_data"], p["p_g"]))


STEM = r"""
A GAN's discriminator $D$ outputs the probability that its input is real. On a batch of $m = 3$ real samples
and $m = 3$ generated samples it gives
$$D(x_i) = {{ p.d_real | row }}, \qquad D(G(z_i)) = {{ p.d_fake | row }}.$$
With natural logarithms, compute

(a) the discriminator's loss $J_D = -\frac{1}{m} \sum_{i=1}^m \log D(x_i) - \frac{1}{m} \sum_{i=1}^m \log\big(1 - D(G(z_i))\big)$;

(b) the saturating (minimax) generator loss $J_G^{sat} = \frac{1}{m} \sum_{i=1}^m \log\big(1 - D(G(z_i))\big)$;

(c) the non-saturating generator loss $J_G = -\frac{1}{m} \sum_{i=1}^m \log D(G(z_i))$;

(d) on a space of three points where $p_{data} = {{ p.p_data | row }}$ and $p_g = {{ p.p_g | row }}$,
the optimal discriminator $D^*(x) = \dfrac{p_{data}(x)}{p_{data}(x) + p_g(x)}$ at each of the three points.

Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) $J_D = -\frac{1}{3} \sum_i \log D(x_i) - \frac{1}{3} \sum_i \log(1 - D(G(z_i))) = {{ key.J_D }}$.

(b) $J_G^{sat} = \frac{1}{3} \sum_i \log(1 - D(G(z_i))) = {{ key.J_G_sat }}$ (the second term of $J_D$ with its sign flipped).

(c) $J_G = -\frac{1}{3} \sum_i \log D(G(z_i)) = {{ key.J_G }}$.

(d) $D^* = {{ key.D_star }}$: above $\frac{1}{2}$ where the data is more likely than the generator's samples.
"""
