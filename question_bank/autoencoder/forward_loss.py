"""Forward pass of a tiny autoencoder (code, reconstruction) and its reconstruction loss."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, Vector, draw
from reference_impl.activations import sigmoid
from reference_impl.autoencoder import bce_loss, dense_forward, mse_loss

TITLE = "Autoencoder forward pass and reconstruction loss"
TAGS = ("forward", "sigmoid", "reconstruction-loss", "mse", "bce")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
SIZES = ("calculator", "computer")

PARTS = [
    Part("z", Vector(2), label="z", points=1),
    Part("x_hat", Vector(3), label="\\hat{x}", points=1),
    Part("loss", Number(4), label="L", points=1),
]

MISTAKES = {
    "no_bias": "the biases $b_k$ were left out of the layers",
    "linear_code": "$\\sigma$ was not applied at the code layer (the code was taken as $W x + b$)",
    "sum_not_mean": "the loss was summed over the elements instead of averaged",
}


def generate(rng, size="calculator"):
    # calculator: 3 -> 2 -> 3, one-decimal weights; computer: 3 -> 4 -> 2 -> 4 -> 3, two decimals
    widths, places = ((3, 2, 3), 1) if size == "calculator" else ((3, 4, 2, 4, 3), 2)
    loss = str(rng.choice(["mse", "bce"]))
    if loss == "bce":
        x = draw.binary(rng, 3)
        if x.min() == x.max():
            raise Redraw("x is constant")
    else:
        x = draw.decimals(rng, 3, 0, 1, places=1)
    layers = [{"W": draw.decimals(rng, (n_out, n_in), -1, 1, places=places),
               "b": draw.decimals(rng, n_out, -0.5, 0.5, places=places),
               "activation": "sigmoid"}
              for n_in, n_out in zip(widths[:-1], widths[1:])]
    return {"x": x, "layers": layers, "loss": loss}


def solve(p, work):
    layers = p["layers"]
    code = len(layers) // 2 - 1          # the index of the code layer
    h = p["x"]
    for k, layer in enumerate(layers, start=1):
        b = 0 * layer["b"] if work.made("no_bias") else layer["b"]
        _, cache = dense_forward(h, layer["W"], b, "linear")
        a = work.step(f"a{k}", cache["a"])
        if np.max(np.abs(a)) > 3 and work.is_key:
            work.reject("a pre-activation saturates the sigmoid")
        y = a if (work.made("linear_code") and k - 1 == code) else sigmoid(a)
        if k - 1 == code:
            h = work.answer("z", y)
        elif k == len(layers):
            h = work.answer("x_hat", y)
        else:
            h = work.step(f"h{k}", y)
    reduction = "sum" if work.made("sum_not_mean") else "mean"
    loss = mse_loss if p["loss"] == "mse" else bce_loss
    work.answer("loss", loss(h, p["x"], reduction=reduction))


STEM = r"""
A fully connected autoencoder with widths
${{ p.x | length }}{% for layer in p.layers %} \to {{ layer.b | length }}{% endfor %}$
computes, layer by layer, $h_k = \sigma(W_k h_{k-1} + b_k)$ with $h_0 = x$ and the logistic sigmoid
$\sigma(a) = 1 / (1 + e^{-a})$ in every layer. The output of layer {{ p.layers | length // 2 }} is the code $z$,
the output of the last layer the reconstruction $\hat{x}$. The weights are
{% for layer in p.layers %}
$$W_{{ loop.index }} = {{ layer.W | tex }}, \quad b_{{ loop.index }} = {{ layer.b | tex }}{% if loop.last %}.{% else %},{% endif %}$$
{% endfor %}
For the input $x = {{ p.x | tex }}$ compute

(a) the code $z$; (b) the reconstruction $\hat{x}$; (c) the reconstruction loss
{% if p.loss == "mse" %}(mean squared error){% else %}(binary cross-entropy, natural log){% endif %}
$${% if p.loss == "mse" %}L = \frac{1}{3} \sum_{i=1}^{3} (\hat{x}_i - x_i)^2.{% else %}L = -\frac{1}{3} \sum_{i=1}^{3} \big[x_i \log \hat{x}_i + (1 - x_i) \log(1 - \hat{x}_i)\big].{% endif %}$$

Round to {{ d }} decimals.
"""

SOLUTION = r"""
{% for layer in p.layers %}
Layer {{ loop.index }}: $a_{{ loop.index }} = W_{{ loop.index }} h_{{ loop.index - 1 }} + b_{{ loop.index }} = {{ s["a" ~ loop.index] | tex(d) }}$,
{% if loop.index == p.layers | length // 2 %}
so (a) $z = \sigma(a_{{ loop.index }}) = {{ key.z }}$.
{% elif loop.last %}
so (b) $\hat{x} = \sigma(a_{{ loop.index }}) = {{ key.x_hat }}$.
{% else %}
so $h_{{ loop.index }} = \sigma(a_{{ loop.index }}) = {{ s["h" ~ loop.index] | tex(d) }}$.
{% endif %}

{% endfor %}
(c) With $x = {{ p.x | tex }}$:
{% if p.loss == "mse" %}$L = \frac{1}{3} \sum_i (\hat{x}_i - x_i)^2${% else %}$L = -\frac{1}{3} \sum_i [x_i \log \hat{x}_i + (1 - x_i) \log(1 - \hat{x}_i)]${% endif %}
$\;= {{ key.loss }}$.
"""
