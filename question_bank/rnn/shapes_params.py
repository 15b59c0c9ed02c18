"""Weight shapes and the parameter count of an Elman RNN with a softmax output layer."""

import numpy as np

from quizgen.bank import Integer, Part, Redraw, Shape
from reference_impl.rnn import rnn_param_count

TITLE = "RNN weight shapes and number of trainable parameters"
TAGS = ("shapes", "parameters", "weight-sharing")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("W_xh", Shape(2), label="(a) W_{xh}", points=1),
    Part("W_hh", Shape(2), label="(b) W_{hh}", points=1, uses=()),
    Part("W_hy", Shape(2), label="(c) W_{hy}", points=1, uses=()),
    Part("n_params", Integer(), label="(d)", points=2),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "no_bias": "the biases $b_h$ and $b_y$ were not counted",
    "no_output_layer": "the output layer ($W_{hy}$ and $b_y$) was left out of the count",
    "times_T": "the parameters were counted once per time step ($T$ times), as if no weights were shared",
    "W_hh_as_HxD": "$W_{hh}$ was taken as $H \\times D$ (like $W_{xh}$) instead of $H \\times H$",
}


def generate(rng):
    D = int(rng.choice([8, 10, 16, 20, 32, 50, 64, 100, 128, 300]))
    H = int(rng.choice([16, 20, 32, 50, 64, 100, 128, 256]))
    if D == H:
        raise Redraw("D = H: W_xh and W_hh would have the same shape")
    return {
        "D": D,
        "H": H,
        "V": int(rng.choice([2, 3, 5, 10, 26, 50, 100, 1000, 5000, 10000])),
        "T": int(rng.integers(5, 41)),
    }


def solve(p, work):
    D, H, V, T = p["D"], p["H"], p["V"], p["T"]
    W_xh = work.answer("W_xh", (H, D))
    W_hh = work.answer("W_hh", (H, D) if work.made("W_hh_as_HxD") else (H, H))
    W_hy = work.answer("W_hy", (V, H))
    # the count, from the shapes given above (so a wrong shape is carried forward)
    n_weights = work.step("n_weights", int(np.prod(W_xh) + np.prod(W_hh)
                                          + (0 if work.made("no_output_layer") else np.prod(W_hy))))
    n_bias = work.step("n_bias", 0 if work.made("no_bias") else
                       H + (0 if work.made("no_output_layer") else V))
    n = n_weights + n_bias
    if work.made("times_T"):
        n = T * n
    n = work.answer("n_params", n)
    if work.is_key:
        assert n == rnn_param_count(D, H, V)  # the reference count agrees


STEM = r"""
An Elman RNN reads a sequence of $T = {{ p.T }}$ input vectors $x_t \in \mathbb{R}^{D}$ with $D = {{ p.D }}$,
keeps a hidden state $h_t \in \mathbb{R}^{H}$ with $H = {{ p.H }}$ and predicts one of $V = {{ p.V | int }}$ classes at every step:
$$h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b_h),\qquad \hat{y}_t = \mathrm{softmax}(W_{hy} h_t + b_y)$$
(column vectors; $b_h \in \mathbb{R}^H$, $b_y \in \mathbb{R}^V$).

Give the shapes (rows $\times$ columns) of (a) $W_{xh}$, (b) $W_{hh}$ and (c) $W_{hy}$, and
(d) the total number of trainable parameters of the network (all weights and biases).
"""

SOLUTION = r"""
$W_{xh}$ maps $x_t \in \mathbb{R}^{ {{- p.D -}} }$ into the hidden space: (a) ${{ key.W_xh }}$.
$W_{hh}$ maps $h_{t-1}$ to $h_t$, both of size $H$: (b) ${{ key.W_hh }}$.
$W_{hy}$ maps $h_t$ to the $V$ logits: (c) ${{ key.W_hy }}$.

(d) Weights: $HD + H^2 + VH = {{ s.n_weights | int }}$; biases: $H + V = {{ s.n_bias | int }}$; in total
${{ key.n_params }}$. The same weights are used at every time step, so the count does not depend on $T = {{ p.T }}$.
"""
