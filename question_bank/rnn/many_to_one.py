"""A many-to-one ReLU RNN (sentiment-style): run the sequence, score the last state, the loss."""

import numpy as np

from quizgen.bank import Number, Part, draw
from reference_impl.activations import sigmoid
from reference_impl.rnn import output_forward, rnn_forward

TITLE = "Many-to-one ReLU RNN: final score, probability and loss"
TAGS = ("forward", "relu", "many-to-one", "calculator", "computer", "syllabus:rnn-types")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
SIZES = ("calculator", "computer")

PARTS = [
    Part("s", Number(4), label="s", points=2),
    Part("y_hat", Number(4), label=r"\hat{y}", points=1),
    Part("L", Number(4), label="L", points=1),
]

MISTAKES = {
    "no_recurrence": "the term $W_{hh} h_{t-1}$ was left out, so $h_T$ saw only the last input",
    "no_activation": "the ReLU was forgotten: $h_t = a_t$ (a linear RNN)",
    "tanh_for_relu": "$\\tanh$ was applied where this RNN uses ReLU",
}


def generate(rng, size="calculator"):
    if size == "computer":
        T, D, H = int(rng.integers(5, 11)), int(rng.integers(2, 4)), int(rng.integers(4, 9))
        x = draw.decimals(rng, (T, D), -1, 1, places=2)
        scale, places = 0.6, 2
    else:
        T, D, H = 3, 1, 2
        x = draw.integers(rng, (T, D), -2, 2, nonzero=True)
        scale, places = 1.0, 1
    return {
        "x": x,
        "h0": np.zeros(H),
        "W_xh": draw.decimals(rng, (H, D), -scale, scale, places=places),
        "W_hh": draw.decimals(rng, (H, H), -scale, scale, places=places),
        "b_h": draw.decimals(rng, H, -0.5, 0.5, places=places),
        "W_hy": draw.decimals(rng, (1, H), -1.5, 1.5, places=places),
        "b_y": draw.decimals(rng, 1, -0.5, 0.5, places=places),
        "y": int(rng.integers(0, 2)),
    }


def _forward(p, work):
    """h_1..h_T (rows), the reference RNN except for the deliberate mistakes."""
    W_hh = 0 * p["W_hh"] if work.made("no_recurrence") else p["W_hh"]
    if work.made("no_activation"):  # a linear RNN: h_t = a_t (no reference activation for it)
        h, prev = [], p["h0"]
        for x_t in p["x"]:
            prev = W_hh @ prev + p["W_xh"] @ x_t + p["b_h"]
            h.append(prev)
        return np.array(h), np.array(h)
    activation = "tanh" if work.made("tanh_for_relu") else "relu"
    h, cache = rnn_forward(p["x"], p["h0"], p["W_xh"], W_hh, p["b_h"], activation=activation)
    return cache["a"], h


def solve(p, work):
    a, h = _forward(p, work)
    for t in range(len(h)):
        work.step(f"a{t + 1}", a[t])
        work.step(f"h{t + 1}", h[t])
    key = work.is_key
    if key and (np.all(a > 0) or not np.any(h[-1])):
        work.reject("the ReLU never cuts, or the last state is all zeros")
    _, out = output_forward(h[-1:], p["W_hy"], p["b_y"])
    s = work.answer("s", float(out["z"][0, 0]))           # s = W_hy h_T + b_y
    if key and not 0.2 < abs(s) < 4:
        work.reject("the score is nearly 0 or saturates the sigmoid")
    # by hand: e^{-s} written down, then 1 / (1 + e^{-s}); the reference sigmoid moved by whatever
    # rounding e^{-s} did (exactly: nothing, so the key stays the reference's bit for bit)
    e = work.step("exp_neg_s", float(np.exp(-s)))
    y_hat = float(sigmoid(s)) + (1 / (1 + e) - 1 / (1 + float(np.exp(-s))))
    y_hat = work.answer("y_hat", y_hat)                    # P(positive)
    work.answer("L", float(-np.log(y_hat if p["y"] == 1 else 1 - y_hat)))


STEM = r"""
A many-to-one RNN reads a sequence of $T = {{ p.x | length }}$ inputs and classifies the whole sequence
(e.g. the sentiment of a review: $y = 1$ positive, $y = 0$ negative) from its last hidden state only:
$$h_t = \mathrm{ReLU}(W_{hh} h_{t-1} + W_{xh} x_t + b_h),\qquad \mathrm{ReLU}(a) = \max(0, a),$$
$$s = W_{hy} h_T + b_y,\qquad \hat{y} = \sigma(s) = \frac{1}{1 + e^{-s}},\qquad
L = -\big[y \ln \hat{y} + (1 - y)\ln(1 - \hat{y})\big].$$
The ReLU acts elementwise. The hidden size is $H = {{ p.h0 | length }}$, $h_0 = 0$, and
$$W_{xh} = {{ p.W_xh | tex }},\quad W_{hh} = {{ p.W_hh | tex }},\quad b_h = {{ p.b_h | tex }},\quad
W_{hy} = {{ p.W_hy | tex }},\quad b_y = {{ p.b_y[0] | tex }}.$$
{% if p.x[0] | length == 1 %}
The inputs are $x_1 = {{ p.x[0][0] | tex }}$, $x_2 = {{ p.x[1][0] | tex }}$, $x_3 = {{ p.x[2][0] | tex }}$,
{% else %}
The inputs are the rows of $X = {{ p.x | tex }}$ (row $t$ is $x_t^\top$),
{% endif %}
and the label is $y = {{ p.y }}$.

Compute (a) the score $s$, (b) $\hat{y}$ and (c) the loss $L$ (natural logarithm). Round to {{ d }} decimals.
"""

SOLUTION = r"""
Forward pass, $a_t = W_{hh} h_{t-1} + W_{xh} x_t + b_h$ and $h_t = \mathrm{ReLU}(a_t)$:

{% for t in range(1, p.x | length + 1) %}
- $t = {{ t }}$: $a_{ {{- t -}} } = {{ s['a' ~ t] | row(d) }}$, $h_{ {{- t -}} } = {{ s['h' ~ t] | row(d) }}$
{% endfor %}

(a) Only the last state is scored: $s = W_{hy} h_T + b_y = {{ key.s }}$.

(b) $e^{-s} = {{ s.exp_neg_s | num(d) }}$, so $\hat{y} = \sigma(s) = \dfrac{1}{1 + e^{-s}} = {{ key.y_hat }}$.

(c) With $y = {{ p.y }}$: $L = -\ln {{ "\\hat{y}" if p.y == 1 else "(1 - \\hat{y})" }}
= -\ln {{ (a.y_hat if p.y == 1 else 1 - a.y_hat) | num(d) }} = {{ key.L }}$.
"""
