"""Three steps of a ReLU RNN (h_1, h_2, h_T) with error carried forward; a larger take-home size."""

import numpy as np

from quizgen.bank import Part, Redraw, Vector, draw
from reference_impl.rnn import rnn_step_forward

TITLE = "ReLU RNN forward pass over three (or T) time steps"
TAGS = ("forward", "relu", "calculator", "computer")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
SIZES = ("calculator", "computer")

PARTS = [  # the length comes from the key: H = 2 by hand, H = 4..6 on a computer
    Part("h1", Vector(length=None), label="h_1"),
    Part("h2", Vector(length=None), label="h_2"),
    Part("hT", Vector(length=None), label="h_T"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "no_relu": "the negative pre-activations were kept: $h_t = a_t$ without the ReLU",
    "W_hh_transposed": "$W_{hh}^\\top h_{t-1}$ was used where the RNN has $W_{hh} h_{t-1}$",
    "tanh_for_relu": "$\\tanh$ was applied where this RNN uses the ReLU",
}


def generate(rng, size="calculator"):
    if size == "computer":
        H, D, T = int(rng.integers(4, 7)), 1, int(rng.integers(6, 11))
        w, places = 0.6, 2
        x = draw.decimals(rng, (T, D), -1, 1, places=2)
    else:
        H, D, T = 2, 1, 3
        w, places = 1, 1
        x = draw.integers(rng, (T, D), -2, 2, nonzero=True)
    params = {
        "x": x,
        "h0": draw.decimals(rng, H, 0, 1, places=places),
        "W_xh": draw.decimals(rng, (H, D), -w, w, places=places),
        "W_hh": draw.decimals(rng, (H, H), -w, w, places=places),
        "b_h": draw.decimals(rng, H, -0.5, 0.5, places=places),
    }
    if np.allclose(params["W_hh"], params["W_hh"].T):
        raise Redraw("W_hh is symmetric")
    return params


def solve(p, work):
    W_hh = p["W_hh"].T if work.made("W_hh_transposed") else p["W_hh"]
    activation = "tanh" if work.made("tanh_for_relu") else "relu"
    T = len(p["x"])
    h, negative = p["h0"], False
    for t in range(1, T + 1):
        h_t, cache = rnn_step_forward(p["x"][t - 1], h, p["W_xh"], W_hh, p["b_h"], activation)
        a = work.step(f"a{t}", cache["a"])
        h_t = a if work.made("no_relu") else h_t
        negative |= bool(np.any(a < -0.05))
        name = "h1" if t == 1 else "h2" if t == 2 else "hT" if t == T else None
        h = work.answer(name, h_t) if name else work.step(f"h{t}", h_t)
        if work.exact and (not np.any(h > 0.05) or np.max(h) > 20):
            work.reject("a state vanishes or grows too large for a hand calculation")
    if work.exact and not negative:
        work.reject("no pre-activation is negative, so the ReLU never acts")


STEM = r"""
{% set H = p.h0 | length %}{% set T = p.x | length %}
An RNN with hidden size $H = {{ H }}$ and scalar inputs uses the ReLU activation:
$$a_t = W_{hh} h_{t-1} + W_{xh} x_t + b_h,\qquad h_t = \mathrm{ReLU}(a_t) = \max(0, a_t)\ \text{(elementwise)}.$$
With
$$W_{xh} = {{ p.W_xh | tex }},\quad W_{hh} = {{ p.W_hh | tex }},\quad b_h = {{ p.b_h | tex }},\quad h_0 = {{ p.h0 | tex }},$$
{% if T == 3 %}
and the inputs $x_1 = {{ p.x[0][0] | tex }}$, $x_2 = {{ p.x[1][0] | tex }}$, $x_3 = {{ p.x[2][0] | tex }}$ ($T = 3$),
compute $h_1$, $h_2$ and $h_3$ (asked as $h_T$). Round to {{ d }} decimals.
{% else %}
and the $T = {{ T }}$ inputs $x_1, \ldots, x_{ {{- T -}} }$ =
{% for row in p.x %}${{ row[0] | tex }}${{ ", " if not loop.last else "" }}{% endfor %},
compute $h_1$, $h_2$ and $h_T$ ({{ H }} numbers each; a computer is expected). Round to {{ d }} decimals.
{% endif %}
"""

SOLUTION = r"""
{% set T = p.x | length %}
{% for t in range(1, T + 1) %}
Step {{ t }}: $a_{ {{- t -}} } = W_{hh} h_{ {{- t - 1 -}} } + W_{xh} x_{ {{- t -}} } + b_h = {{ s["a" ~ t] | tex(d) }}$,
{% if t == 1 %}
so $h_1 = \max(0, a_1) = {{ key.h1 }}$.
{% elif t == 2 %}
so $h_2 = \max(0, a_2) = {{ key.h2 }}$.
{% elif t == T %}
so $h_{ {{- t -}} } = \max(0, a_{ {{- t -}} }) = {{ key.hT }}$.
{% else %}
so $h_{ {{- t -}} } = {{ s["h" ~ t] | tex(d) }}$.
{% endif %}

{% endfor %}
The ReLU sets every negative pre-activation to 0; each step starts from the previous step's
$h_{t-1}$ (an error there is carried forward).
"""
