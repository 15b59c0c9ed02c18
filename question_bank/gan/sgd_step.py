"""One alternating SGD step of a 1-D GAN: D(x) = sigma(w x + c), G(z) = a z + b."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, draw
from reference_impl.gan import sgd_step_1d

TITLE = "One SGD step of a 1-D GAN"
TAGS = ("gan", "sgd", "training", "gradient")
DIFFICULTY = 3
VERSION = 1
DECIMALS = 4
SIZES = ("calculator", "computer")

PARTS = [
    Part("dw", Number(4), label="(a) dJ_D/dw", points=1),
    Part("dc", Number(4), label="(a) dJ_D/dc", points=1, uses=()),
    Part("w_new", Number(4), label="(b) w'", points=1, uses=("dw",)),
    Part("c_new", Number(4), label="(b) c'", points=1, uses=("dc",)),
    Part("da", Number(4), label="(c) dJ_G/da", points=1),
    Part("db", Number(4), label="(c) dJ_G/db", points=1, uses=("dw", "dc", "w_new", "c_new")),
    Part("a_new", Number(4), label="(d) a'", points=1, uses=("dw", "dc", "w_new", "c_new", "da")),
    Part("b_new", Number(4), label="(d) b'", points=1, uses=("dw", "dc", "w_new", "c_new", "db")),
]

MISTAKES = {
    "simultaneous": "the generator's gradient was taken against the old discriminator $(w, c)$, not $(w', c')$",
    "saturating": "the saturating loss $\\frac{1}{n} \\sum_j \\log(1 - D(G(z_j)))$ was used for the generator",
    "ascent": "the parameters were moved up the gradient ($\\theta + \\eta\\, \\partial J / \\partial \\theta$)",
    "no_chain_w": "the factor $\\partial l / \\partial G(z) = w'$ was left out of the generator's gradient",
}


def generate(rng, size="calculator"):
    n, places = (2, 1) if size == "calculator" else (4, 2)
    params = {
        "x_real": draw.decimals(rng, n, 0.5, 2, places=places),
        "z": draw.decimals(rng, n, -1, 1, places=places),
        "w": float(draw.decimals(rng, (), -1, 1, places=places)),
        "c": float(draw.decimals(rng, (), -0.5, 0.5, places=places)),
        "a": float(draw.decimals(rng, (), -1, 1, places=places)),
        "b": float(draw.decimals(rng, (), -1, 1, places=places)),
        "lr_d": float(rng.choice([0.1, 0.2, 0.5])),
        "lr_g": float(rng.choice([0.1, 0.2, 0.5])),
    }
    step = sgd_step_1d(**params)
    logits = np.concatenate([params["w"] * params["x_real"] + params["c"],
                             params["w"] * step["x_fake"] + params["c"],
                             step["w"] * step["x_fake"] + step["c"]])
    if np.max(np.abs(logits)) > 3:
        raise Redraw("a logit saturates the sigmoid")
    return params


def solve(p, work):
    x, z = p["x_real"], p["z"]
    w, c, a, b, lr_d, lr_g = (p[k] for k in ("w", "c", "a", "b", "lr_d", "lr_g"))
    sign = 1 if work.made("ascent") else -1

    # 1. the discriminator's step, the fakes G(z) = a z + b held fixed
    d_step = sgd_step_1d(x, z, w, c, a, b, lr_d, lr_g)
    work.step("x_fake", d_step["x_fake"])
    work.step("d_real", d_step["d_real"])
    work.step("d_fake", d_step["d_fake"])
    dw = work.answer("dw", d_step["grads"]["w"])
    dc = work.answer("dc", d_step["grads"]["c"])
    w_new = work.answer("w_new", w + sign * lr_d * dw)
    c_new = work.answer("c_new", c + sign * lr_d * dc)

    # 2. the generator's step against the UPDATED discriminator (w', c'): sgd_step_1d's
    # "simultaneous" order takes G's gradient at the (w, c) it is given, here (w', c')
    w_g, c_g = (w, c) if work.made("simultaneous") else (w_new, c_new)
    kind = "saturating" if work.made("saturating") else "non_saturating"
    g_step = sgd_step_1d(x, z, w_g, c_g, a, b, lr_d, lr_g, generator_kind=kind, order="simultaneous")
    work.step("d_fake_for_g", g_step["d_fake_for_g"])
    da, db = g_step["grads"]["a"], g_step["grads"]["b"]
    if work.made("no_chain_w"):
        da, db = da / w_g, db / w_g
    da = work.answer("da", da)
    db = work.answer("db", db)
    a_new = work.answer("a_new", a + sign * lr_g * da)
    b_new = work.answer("b_new", b + sign * lr_g * db)
    if work.exact:
        whole = sgd_step_1d(x, z, w, c, a, b, lr_d, lr_g)  # the reference's alternating step
        assert np.allclose([whole[k] for k in "wcab"], [w_new, c_new, a_new, b_new])


STEM = r"""
A one-dimensional GAN has the discriminator $D(x) = \sigma(w x + c)$ and the generator $G(z) = a z + b$,
with $w = {{ p.w | num }}$, $c = {{ p.c | num }}$, $a = {{ p.a | num }}$, $b = {{ p.b | num }}$.
A training step sees the real samples $x = {{ p.x_real | row }}$ ($m = {{ p.x_real | length }}$) and the
noise $z = {{ p.z | row }}$ ($n = {{ p.z | length }}$). Both players do gradient descent on their own loss
(natural log):
$$J_D = -\frac{1}{m} \sum_{i} \log D(x_i) - \frac{1}{n} \sum_{j} \log\big(1 - D(G(z_j))\big), \qquad
J_G = -\frac{1}{n} \sum_{j} \log D(G(z_j)).$$
The discriminator steps first, with learning rate $\eta_D = {{ p.lr_d | num }}$ and the fakes
$G(z_j)$ held fixed; the generator then steps with $\eta_G = {{ p.lr_g | num }}$ against the **updated**
discriminator $(w', c')$.

(a) Compute $\partial J_D / \partial w$ and $\partial J_D / \partial c$.
(b) Compute the updated $w'$ and $c'$.
(c) Compute $\partial J_G / \partial a$ and $\partial J_G / \partial b$ (with $D(x) = \sigma(w' x + c')$).
(d) Compute the updated $a'$ and $b'$.

Hint: with $l = w x + c$, $\partial J_D / \partial l = (\sigma(l) - 1)/m$ for a real sample and $\sigma(l)/n$ for a
fake one; $\partial J_G / \partial l = (\sigma(l) - 1)/n$ and $\partial l / \partial G(z) = w'$.
Round to {{ d }} decimals.
"""

SOLUTION = r"""
The fakes are $G(z) = a z + b = {{ s.x_fake | row(d) }}$; $D(x_i) = {{ s.d_real | row(d) }}$ and
$D(G(z_j)) = {{ s.d_fake | row(d) }}$.

(a) $\partial J_D / \partial w = \frac{1}{m} \sum_i (D(x_i) - 1) x_i + \frac{1}{n} \sum_j D(G(z_j))\, G(z_j) = {{ key.dw }}$,
$\partial J_D / \partial c = \frac{1}{m} \sum_i (D(x_i) - 1) + \frac{1}{n} \sum_j D(G(z_j)) = {{ key.dc }}$.

(b) $w' = w - \eta_D \cdot ({{ key.dw }}) = {{ key.w_new }}$, $c' = c - \eta_D \cdot ({{ key.dc }}) = {{ key.c_new }}$.

(c) Against the updated discriminator, $D(G(z_j)) = \sigma(w' G(z_j) + c') = {{ s.d_fake_for_g | row(d) }}$, so
$\partial J_G / \partial a = \frac{1}{n} \sum_j (D(G(z_j)) - 1)\, w' z_j = {{ key.da }}$ and
$\partial J_G / \partial b = \frac{1}{n} \sum_j (D(G(z_j)) - 1)\, w' = {{ key.db }}$.

(d) $a' = a - \eta_G \cdot ({{ key.da }}) = {{ key.a_new }}$, $b' = b - \eta_G \cdot ({{ key.db }}) = {{ key.b_new }}$.
"""
