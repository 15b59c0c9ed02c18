"""Two steps of an Elman RNN's forward pass, by hand."""

import numpy as np

from quizgen.bank import Part, Redraw, Vector, draw
from reference_impl.activations import get_activation
from reference_impl.rnn import rnn_step_forward

TITLE = "RNN forward pass over two time steps"
TAGS = ("forward", "tanh", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("h1", Vector(2), label="h_1", points=1),
    Part("h2", Vector(2), label="h_2", points=1),
]

MISTAKES = {
    "no_bias": "the bias $b_h$ was left out",
    "no_recurrence": "the term $W_{hh} h_{t-1}$ was left out",
    "sigmoid_for_tanh": "$\\sigma$ was applied where the RNN uses $\\tanh$",
}


def generate(rng):
    H, D = 2, 2
    params = {
        "x": draw.integers(rng, (2, D), -2, 2),
        "h0": draw.decimals(rng, H, -0.5, 0.5),
        "W_xh": draw.decimals(rng, (H, D), -1, 1),
        "W_hh": draw.decimals(rng, (H, H), -1, 1),
        "b_h": draw.decimals(rng, H, -0.5, 0.5),
    }
    if not params["x"].any(axis=1).all():
        raise Redraw("an input x_t is all zeros")
    return params


def solve(p, work):
    W_hh = 0 * p["W_hh"] if work.made("no_recurrence") else p["W_hh"]
    b_h = 0 * p["b_h"] if work.made("no_bias") else p["b_h"]
    activation = "sigmoid" if work.made("sigmoid_for_tanh") else "tanh"
    f, _ = get_activation(activation)
    h = p["h0"]
    for t in (1, 2):
        _, cache = rnn_step_forward(p["x"][t - 1], h, p["W_xh"], W_hh, b_h, activation)
        a = work.step(f"a{t}", cache["a"])
        if np.max(np.abs(a)) > 3:
            work.reject("a pre-activation saturates tanh")
        h = work.answer(f"h{t}", f(a))


STEM = r"""
An RNN with hidden size $H = 2$ updates its state as
$$h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b_h).$$
With
$$W_{xh} = {{ p.W_xh | tex }},\quad W_{hh} = {{ p.W_hh | tex }},\quad b_h = {{ p.b_h | tex }},\quad h_0 = {{ p.h0 | tex }},$$
and the inputs $x_1 = {{ p.x[0] | tex }}$ and $x_2 = {{ p.x[1] | tex }}$,
compute $h_1$ and $h_2$. Round to {{ d }} decimals.
"""

SOLUTION = r"""
Step 1: $a_1 = W_{hh} h_0 + W_{xh} x_1 + b_h = {{ s.a1 | tex(d) }}$, so $h_1 = \tanh(a_1) = {{ key.h1 }}$.

Step 2: $a_2 = W_{hh} h_1 + W_{xh} x_2 + b_h = {{ s.a2 | tex(d) }}$, so $h_2 = \tanh(a_2) = {{ key.h2 }}$.
"""
