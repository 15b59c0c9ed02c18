"""One Gibbs sweep (x1, then x2 from the new x1) for a bivariate Gaussian, with the standard normals given."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, draw
from reference_impl.mcmc import gibbs_bivariate_gaussian

TITLE = "One Gibbs sweep for a bivariate Gaussian"
TAGS = ("gibbs", "gaussian", "conditional", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("x1", Number(4), label="x_1^{(1)}", points=1),
    Part("x2", Number(4), label="x_2^{(1)}", points=1),
]

MISTAKES = {
    "variance_for_std": "the conditional variance $\\sigma_1^2 (1 - \\rho^2)$ was used where its square root belongs",
    "no_shrink": "the conditional standard deviation was taken as $\\sigma_i$, without the factor $\\sqrt{1 - \\rho^2}$",
    "ratio_inverted": "the slope of the conditional mean was taken as $\\rho\\, \\sigma_2 / \\sigma_1$ for $x_1$ (and $\\rho\\, \\sigma_1 / \\sigma_2$ for $x_2$)",
    "old_x1": "$x_2$ was drawn given the OLD $x_1^{(0)}$ instead of the new $x_1^{(1)}$",
}


def conditional(mu, sigma, rho, other):
    """Mean and standard deviation of the first coordinate given the second = ``other``.

    The reference's sweep starts with exactly this update; reversing ``mu`` and ``sigma``
    gives the update of the second coordinate given the first.
    """
    _, cache = gibbs_bivariate_gaussian(mu, sigma, rho, [0.0, other], [[0.0, 0.0]])
    return cache["cond_mean"][0, 0], cache["cond_std"][0]


def generate(rng):
    sigma = rng.choice([0.5, 1.0, 1.5, 2.0, 3.0], size=2, replace=False)
    params = {
        "mu": draw.integers(rng, 2, -2, 2),
        "sigma": sigma,
        "rho": float(draw.decimals(rng, (), -0.9, 0.9)),
        "x0": draw.integers(rng, 2, -3, 3),
        "normals": draw.decimals(rng, (1, 2), -2, 2, places=2),
    }
    if abs(params["rho"]) < 0.2:
        raise Redraw("rho is too small for the conditioning to matter")
    if params["x0"][1] == params["mu"][1] or params["x0"][0] == params["mu"][0]:
        raise Redraw("x0 sits at the mean, so the slope cannot be seen")
    if np.min(np.abs(params["normals"])) < 0.1:
        raise Redraw("a standard normal is nearly 0")
    return params


def solve(p, work):
    mu, sigma, rho, z = p["mu"], p["sigma"], p["rho"], p["normals"][0]
    slope_sigma = sigma[::-1] if work.made("ratio_inverted") else sigma

    def update(mu, sigma, slope_sigma, other, z, name):
        # m = mu + (rho sigma / sigma') (other - mu'), from the slope rounded first as a person computes
        # it: the reference's mean moved by whatever rounding the slope did (exactly: nothing)
        raw = rho * slope_sigma[0] / slope_sigma[1]
        slope = work.step(f"slope{name}", raw)
        mean = work.step(f"m{name}", conditional(mu, slope_sigma, rho, other)[0] + (slope - raw) * (other - mu[1]))
        # s = sigma sqrt(1 - rho^2), from the root rounded first as a person computes it
        root = work.step(f"root{name}", float(np.sqrt(1 - rho ** 2)))
        std = sigma[0] * root
        if work.exact:
            assert np.isclose(std, conditional(mu, sigma, rho, other)[1])
        if work.made("variance_for_std"):
            std = std ** 2
        if work.made("no_shrink"):
            std = sigma[0]
        std = work.step(f"s{name}", std)
        return work.answer(f"x{name}", mean + std * z)

    x1 = update(mu, sigma, slope_sigma, p["x0"][1], z[0], "1")
    given = p["x0"][0] if work.made("old_x1") else x1
    update(mu[::-1], sigma[::-1], slope_sigma[::-1], given, z[1], "2")


STEM = r"""
Gibbs sampling of the bivariate Gaussian $(x_1, x_2) \sim \mathcal{N}(\mu, \Sigma)$ with means
$\mu = ({{ p.mu[0] | num }}, {{ p.mu[1] | num }})$, standard deviations $\sigma_1 = {{ p.sigma[0] | num }}$,
$\sigma_2 = {{ p.sigma[1] | num }}$ and correlation $\rho = {{ p.rho | num }}$ alternates between the conditionals
$$x_1 \mid x_2 \sim \mathcal{N}\Big(\mu_1 + \rho \frac{\sigma_1}{\sigma_2}(x_2 - \mu_2),\ \sigma_1^2 (1 - \rho^2)\Big), \qquad
x_2 \mid x_1 \sim \mathcal{N}\Big(\mu_2 + \rho \frac{\sigma_2}{\sigma_1}(x_1 - \mu_1),\ \sigma_2^2 (1 - \rho^2)\Big).$$
A draw from $\mathcal{N}(m, s^2)$ is made as $m + s z$ with a given standard normal $z$.
Starting from $x^{(0)} = ({{ p.x0[0] | num }}, {{ p.x0[1] | num }})$, perform one sweep: first draw $x_1^{(1)}$
given $x_2^{(0)}$ with $z_1 = {{ p.normals[0][0] | num(2) }}$, then $x_2^{(1)}$ given the new $x_1^{(1)}$ with
$z_2 = {{ p.normals[0][1] | num(2) }}$.

(a) Compute $x_1^{(1)}$.

(b) Compute $x_2^{(1)}$.

Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) With the slope $\rho \frac{\sigma_1}{\sigma_2} = {{ s.slope1 | num(d) }}$ and $\sqrt{1 - \rho^2} = {{ s.root1 | num(d) }}$:
conditional mean $m_1 = \mu_1 + \rho \frac{\sigma_1}{\sigma_2}(x_2^{(0)} - \mu_2) = {{ s.m1 | num(d) }}$ and standard
deviation $s_1 = \sigma_1 \sqrt{1 - \rho^2} = {{ s.s1 | num(d) }}$, so
$x_1^{(1)} = m_1 + s_1 z_1 = {{ key.x1 }}$.

(b) With the new $x_1^{(1)}$ and the slope $\rho \frac{\sigma_2}{\sigma_1} = {{ s.slope2 | num(d) }}$: $m_2 = \mu_2 + \rho \frac{\sigma_2}{\sigma_1}(x_1^{(1)} - \mu_1) = {{ s.m2 | num(d) }}$ and
$s_2 = \sigma_2 \sqrt{1 - \rho^2} = {{ s.s2 | num(d) }}$, so $x_2^{(1)} = m_2 + s_2 z_2 = {{ key.x2 }}$.

"""
