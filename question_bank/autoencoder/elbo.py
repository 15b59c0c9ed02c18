"""A VAE's ELBO for one input: reconstruction term (summed BCE), KL term, and their combination."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, draw
from reference_impl.autoencoder import bce_loss, elbo, kl_to_standard_normal

TITLE = "VAE: reconstruction term, KL term and the ELBO"
TAGS = ("vae", "elbo", "kl-divergence", "bce", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("rec", Number(4), label="(a) reconstruction", points=1),
    Part("kl", Number(4), label="(b) KL", points=1, uses=()),
    Part("elbo", Number(4), label="(c) ELBO", points=1),
]

MISTAKES = {
    "rec_mean": "the reconstruction BCE was averaged over the $D$ pixels instead of summed",
    "kl_exp_forgotten": "$\\sigma_j^2$ was taken as $\\log \\sigma_j^2$ (the exponential was forgotten)",
    "kl_added": "the KL term was added to $\\log p(x \\mid z)$ instead of subtracted",
    "loss_for_elbo": "the training loss $-\\mathrm{ELBO}$ (reconstruction + KL) was given for the ELBO",
}


def generate(rng):
    x = draw.binary(rng, 4)
    if x.min() == x.max():
        raise Redraw("x is constant")
    params = {
        "x": x,
        "x_hat": draw.decimals(rng, 4, 0.1, 0.9),
        "mu": draw.decimals(rng, 2, -1.5, 1.5),
        "log_var": draw.decimals(rng, 2, -1, 1),
    }
    return params


def solve(p, work):
    x, x_hat, mu, log_var = p["x"], p["x_hat"], p["mu"], p["log_var"]
    # the per-pixel terms the solution prints, summed (or averaged) as a person adds them up
    terms = work.step("bce_terms", -(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat)))
    rec = np.mean(terms) if work.made("rec_mean") else np.sum(terms)
    if work.exact:
        assert np.isclose(rec, bce_loss(x_hat, x, reduction="sum"))
    rec = work.answer("rec", rec)
    work.step("var", np.exp(log_var))
    if work.made("kl_exp_forgotten"):
        kl = -0.5 * np.sum(1 + log_var - mu ** 2 - log_var)
    else:
        kl = kl_to_standard_normal(mu, log_var)
    kl = work.answer("kl", kl)
    if work.exact:
        assert np.isclose(-rec - kl, elbo(x, x_hat, mu, log_var)[0])  # the same convention
    if work.made("kl_added"):
        work.answer("elbo", -rec + kl)
    elif work.made("loss_for_elbo"):
        work.answer("elbo", rec + kl)
    else:
        work.answer("elbo", -rec - kl)


STEM = r"""
A variational autoencoder with a Bernoulli decoder sees the binary input $x = {{ p.x | row }}$.
Its encoder outputs $\mu = {{ p.mu | tex }}$ and $\log \sigma^2 = {{ p.log_var | tex }}$ (natural log), and
the decoder, from the sampled code $z$, outputs the pixel probabilities $\hat{x} = {{ p.x_hat | row }}$.
The evidence lower bound is
$$\mathrm{ELBO} = \log p(x \mid z) - \mathrm{KL}\big(q(z \mid x) \,\|\, \mathcal{N}(0, I)\big),$$
with $-\log p(x \mid z) = -\sum_{i=1}^{D} \big[x_i \log \hat{x}_i + (1 - x_i) \log(1 - \hat{x}_i)\big]$,
the binary cross-entropy **summed** over the $D = 4$ pixels, and
$\mathrm{KL} = -\frac{1}{2} \sum_{j} \big(1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2\big)$.

(a) Compute the reconstruction term $-\log p(x \mid z)$. (b) Compute the KL term.
(c) Compute the ELBO. Use natural logarithms and round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) The per-pixel cross-entropies are ${{ s.bce_terms | row(d) }}$; their sum is
$-\log p(x \mid z) = {{ key.rec }}$.

(b) $\sigma^2 = \exp(\log \sigma^2) = {{ s.var | tex(d) }}$, so
$\mathrm{KL} = -\frac{1}{2} \sum_j (1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2) = {{ key.kl }}$.

(c) $\mathrm{ELBO} = -(\text{a}) - (\text{b}) = -{{ a.rec | num(d) }} - {{ a.kl | num(d) }} = {{ key.elbo }}$
(training minimises $-\mathrm{ELBO}$, the reconstruction loss plus the KL term).
"""
