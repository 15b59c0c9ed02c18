"""The gradient along the LSTM cell path (a product of forget gates) against a plain RNN's factor."""

import numpy as np

from quizgen.bank import Number, Part, draw
from reference_impl.lstm import cell_gradient_path

TITLE = "Gradient along the LSTM cell state versus a plain RNN"
TAGS = ("backward", "vanishing-gradient", "cell-state", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("dC_prev", Number(4), label="(a)"),
    Part("dC_k", Number(4), label="(b)"),
    Part("dh_k", Number(4), label="(c)", uses=()),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "power_of_last": "the last forget gate was used at every step: $f_t^{k}$ instead of "
                     "$f_t f_{t-1} \\cdots f_{t-k+1}$",
    "rnn_no_weight": "the plain RNN's factor $W_{hh}$ was left out (only $\\tanh'$ was multiplied)",
    "rnn_no_tanh_derivative": "the plain RNN's $\\tanh'(a_u) = 1 - h_u^2$ was left out (only $W_{hh}^k$)",
    "one_minus_f": "$f_t$ was read as the fraction forgotten: the factors were $1 - f_u$",
    "off_by_one": "the gates were shifted by one step: $\\partial C_t / \\partial C_{t-1}$ taken as "
                  "$f_{t-1}$ instead of $f_t$",
}


def generate(rng):
    k = int(rng.integers(3, 5))
    t = int(rng.integers(k + 2, 9))
    return {
        "t": t,
        "k": k,
        "dC": float(draw.decimals(rng, (), 0.5, 2.0)),
        "f": draw.decimals(rng, k + 1, 0.7, 0.99, places=2),      # f_{t-k}, ..., f_t
        "W_hh": float(draw.decimals(rng, (), 0.5, 1.2)),
        "h": draw.decimals(rng, k, -0.9, 0.9),                     # h_{t-k+1}, ..., h_t
    }


def solve(p, work):
    k, f = p["k"], np.asarray(p["f"], dtype=float)
    if work.made("one_minus_f"):
        f = 1 - f
    shift = 1 if work.made("off_by_one") else 0
    last = f[k - shift]                                            # f_t (f[k] holds f_t)
    dC_prev = work.answer("dC_prev", float(cell_gradient_path(np.array([p["dC"]]), np.array([last]))[0]))
    # dL/dC_{t-k} = dL/dC_{t-1} * f_{t-1} ... f_{t-k+1}, from the (returned) dL/dC_{t-1}
    block = np.full(k - 1, last) if work.made("power_of_last") else f[1 - shift:k - shift]
    work.step("f_prod", float(np.prod(block)))
    work.answer("dC_k", float(cell_gradient_path(np.array([dC_prev]), block[:, None])[0]))

    # Plain RNN: dh_u / dh_{u-1} = W_hh * tanh'(a_u) = W_hh (1 - h_u^2), for u = t, ..., t-k+1
    tanh_grad = 1 - np.asarray(p["h"], dtype=float) ** 2
    w = 1.0 if work.made("rnn_no_weight") else p["W_hh"]
    factors = w * (np.ones(k) if work.made("rnn_no_tanh_derivative") else tanh_grad)
    work.step("tanh_grad", tanh_grad)
    dh_k = work.answer("dh_k", p["dC"] * float(np.prod(factors)))
    if work.is_key and abs(dh_k) < 0.005:
        work.reject("the plain RNN's gradient rounds to nearly zero")


STEM = r"""
{% set t, k = p.t, p.k %}
An LSTM with a scalar state ($H = 1$) updates its cell state as
$C_t = f_t \cdot C_{t-1} + i_t \cdot \hat{C}_t$. Consider only the path along the cell state
(ignore the routes through $h_{t-1}$ into the gates). The loss's gradient at step $t = {{ t }}$ is
$\partial L / \partial C_{ {{- t -}} } = {{ p.dC | tex }}$ and the forget gates are
{% for v in p.f %}$f_{ {{- t - k + loop.index0 -}} } = {{ v | num(2) }}${{ ", " if not loop.last else "." }}{% endfor %}


(a) Compute $\partial L / \partial C_{ {{- t - 1 -}} }$.

(b) Compute $\partial L / \partial C_{ {{- t - k -}} }$, {{ k }} steps back.

(c) A plain RNN $h_u = \tanh(W_{hh} h_{u-1} + W_{xh} x_u + b)$ with $W_{hh} = {{ p.W_hh | tex }}$ has the states
{% for v in p.h %}$h_{ {{- t - k + loop.index -}} } = {{ v | tex }}${{ ", " if not loop.last else "" }}{% endfor %} and receives the same gradient $\partial L / \partial h_{ {{- t -}} } = {{ p.dC | tex }}$ (the loss depends on the
states only through $h_{ {{- t -}} }$). Compute $\partial L / \partial h_{ {{- t - k -}} }$.

Round to {{ d }} decimals.
"""

SOLUTION = r"""
{% set t, k = p.t, p.k %}
(a) Along the cell path $\partial C_u / \partial C_{u-1} = f_u$ (no weight matrix, no squashing derivative), so
$\partial L / \partial C_{ {{- t - 1 -}} } = {{ p.dC | tex }} \cdot f_{ {{- t -}} } = {{ key.dC_prev }}$.

(b) $\partial L / \partial C_{ {{- t - k -}} } = \partial L / \partial C_{ {{- t - 1 -}} } \cdot \prod_{u = {{ t - k + 1 }}}^{ {{- t - 1 -}} } f_u$,
the product of the gates being ${{ s.f_prod | tex(d) }}$: ${{ key.dC_k }}$. With gates near 1 the gradient survives.

(c) Each step back multiplies by $W_{hh} \tanh'(a_u) = W_{hh} (1 - h_u^2)$, with $1 - h_u^2 = {{ s.tanh_grad | row(d) }}$:
$\partial L / \partial h_{ {{- t - k -}} } = {{ p.dC | tex }} \cdot W_{hh}^{ {{- k -}} } \prod_u (1 - h_u^2) = {{ key.dh_k }}$.
The repeated weight and $\tanh'$ factors make a plain RNN's gradient vanish (or explode) over many steps;
the LSTM's cell path only multiplies by the forget gates.
"""
