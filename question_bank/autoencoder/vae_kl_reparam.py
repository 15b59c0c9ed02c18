"""A VAE's reparameterised sample and its KL term to the standard normal prior."""

import numpy as np

from quizgen.bank import Number, Part, Vector, draw
from reference_impl.autoencoder import kl_to_standard_normal, reparameterize

TITLE = "VAE: reparameterisation and the KL term"
TAGS = ("vae", "reparameterization", "kl-divergence", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("z", Vector(2), label="z", points=1),
    Part("kl", Number(4), label="KL", points=1, uses=()),
]

MISTAKES = {
    "var_as_std": "$\\exp(\\log \\sigma^2)$, the variance, was used as the standard deviation",
    "kl_no_half": "the factor $\\frac{1}{2}$ of the KL term was dropped",
}


def generate(rng):
    return {
        "mu": draw.decimals(rng, 2, -1.5, 1.5),
        "log_var": draw.decimals(rng, 2, -1, 1),
        "eps": draw.decimals(rng, 2, -2, 2),
    }


def solve(p, work):
    # exp(log_var) as the standard deviation is exp(L / 2) with L = 2 log_var
    log_var = 2 * p["log_var"] if work.made("var_as_std") else p["log_var"]
    z, cache = reparameterize(p["mu"], log_var, p["eps"])
    work.step("sigma", cache["sigma"])
    work.answer("z", z)
    work.step("var", np.exp(p["log_var"]))
    kl = kl_to_standard_normal(p["mu"], p["log_var"])
    work.answer("kl", 2 * kl if work.made("kl_no_half") else kl)


STEM = r"""
A VAE's encoder maps an input to $\mu = {{ p.mu | tex }}$ and $\log \sigma^2 = {{ p.log_var | tex }}$
(natural log, one entry per latent dimension).

(a) Draw the latent code with the reparameterisation trick, $z = \mu + \sigma \odot \varepsilon$ with
$\sigma = \exp\!\big(\tfrac{1}{2} \log \sigma^2\big)$, for the given noise $\varepsilon = {{ p.eps | tex }}$.

(b) Compute the KL term of the loss,
$$\mathrm{KL}\big(\mathcal{N}(\mu, \sigma^2) \,\|\, \mathcal{N}(0, I)\big) = -\frac{1}{2} \sum_{j} \big(1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2\big).$$

Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) $\sigma = \exp(\tfrac{1}{2} \log \sigma^2) = {{ s.sigma | tex(d) }}$, so
$z = \mu + \sigma \odot \varepsilon = {{ key.z }}$.

(b) With $\sigma^2 = \exp(\log \sigma^2) = {{ s.var | tex(d) }}$:
$\mathrm{KL} = -\frac{1}{2} \sum_j (1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2) = {{ key.kl }}$.
"""
