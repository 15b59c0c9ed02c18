"""Gradients of the GAN losses with respect to the discriminator's logits (saturating vs non-saturating)."""

import numpy as np

from quizgen.bank import Part, Vector, draw
from reference_impl.activations import sigmoid
from reference_impl.gan import discriminator_loss_grad, generator_loss_grad

TITLE = "GAN loss gradients with respect to the discriminator's logits"
TAGS = ("gan", "gradient", "non-saturating", "logits", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("g_real", Vector(2), label="(a) dJ_D/dl^{real}", points=1),
    Part("g_fake", Vector(2), label="(b) dJ_D/dl^{fake}", points=1, uses=()),
    Part("g_ns", Vector(2), label="(c) dJ_G/dl^{fake}", points=1, uses=()),
    Part("g_sat", Vector(2), label="(d) dJ_G^{sat}/dl^{fake}", points=1, uses=()),
]

MISTAKES = {
    "no_mean": "the factor $\\frac{1}{m}$ of the batch mean was dropped",
    "sign_flipped": "the sign was flipped (the gradient of the objective the player maximises, not of its loss)",
    "sat_ns_swapped": "the saturating and the non-saturating generator gradients were swapped",
    "wrt_output": "the derivative was taken with respect to $D = \\sigma(l)$, not the logit $l$ (the $\\sigma'$ factor forgotten)",
}


def generate(rng):
    return {
        "l_real": draw.decimals(rng, 2, -2.5, 2.5),
        "l_fake": draw.decimals(rng, 2, -2.5, 2.5),
    }


def solve(p, work):
    l_real, l_fake = p["l_real"], p["l_fake"]
    d_real = work.step("d_real", sigmoid(l_real))
    d_fake = work.step("d_fake", sigmoid(l_fake))
    if work.made("wrt_output"):
        gD = discriminator_loss_grad(d_real, d_fake)
        g_ns = generator_loss_grad(d_fake, "non_saturating")
        g_sat = generator_loss_grad(d_fake, "saturating")
    else:
        gD = discriminator_loss_grad(l_real, l_fake, from_logits=True)
        g_ns = generator_loss_grad(l_fake, "non_saturating", from_logits=True)
        g_sat = generator_loss_grad(l_fake, "saturating", from_logits=True)
    if work.made("sat_ns_swapped"):
        g_ns, g_sat = g_sat, g_ns
    scale = (len(l_real) if work.made("no_mean") else 1) * (-1 if work.made("sign_flipped") else 1)
    work.answer("g_real", scale * np.asarray(gD["d_real"]))
    work.answer("g_fake", scale * np.asarray(gD["d_fake"]))
    work.answer("g_ns", scale * np.asarray(g_ns))
    work.answer("g_sat", scale * np.asarray(g_sat))


STEM = r"""
A GAN's discriminator outputs $D = \sigma(l)$ for a logit $l$, with $\sigma(l) = 1 / (1 + e^{-l})$.
On a batch of $m = 2$ real samples it gives the logits $l^{real} = {{ p.l_real | row }}$ and on
$m = 2$ generated samples the logits $l^{fake} = {{ p.l_fake | row }}$. The losses (natural log) are
$$J_D = -\frac{1}{m} \sum_{i=1}^m \log D(x_i) - \frac{1}{m} \sum_{i=1}^m \log\big(1 - D(G(z_i))\big),$$
$$J_G = -\frac{1}{m} \sum_{i=1}^m \log D(G(z_i)) \ \text{(non-saturating)}, \qquad
J_G^{sat} = \frac{1}{m} \sum_{i=1}^m \log\big(1 - D(G(z_i))\big) \ \text{(saturating, minimax)}.$$
Give each gradient as a vector over the two samples:

(a) $\partial J_D / \partial l^{real}_i$; (b) $\partial J_D / \partial l^{fake}_i$;
(c) $\partial J_G / \partial l^{fake}_i$; (d) $\partial J_G^{sat} / \partial l^{fake}_i$.

Round to {{ d }} decimals.
"""

SOLUTION = r"""
$D(x_i) = \sigma(l^{real}) = {{ s.d_real | row(d) }}$ and $D(G(z_i)) = \sigma(l^{fake}) = {{ s.d_fake | row(d) }}$.
Use $\frac{d}{dl} \log \sigma(l) = 1 - \sigma(l)$ and $\frac{d}{dl} \log(1 - \sigma(l)) = -\sigma(l)$.

(a) $\partial J_D / \partial l^{real}_i = (\sigma(l^{real}_i) - 1) / m = {{ key.g_real }}$.

(b) $\partial J_D / \partial l^{fake}_i = \sigma(l^{fake}_i) / m = {{ key.g_fake }}$.

(c) $\partial J_G / \partial l^{fake}_i = (\sigma(l^{fake}_i) - 1) / m = {{ key.g_ns }}$: large when $D$ rejects
the fake ($\sigma \approx 0$), so the generator still learns early in training.

(d) $\partial J_G^{sat} / \partial l^{fake}_i = -\sigma(l^{fake}_i) / m = {{ key.g_sat }}$: it vanishes when $D$
confidently rejects the fake: the saturation that the non-saturating loss avoids.
"""
