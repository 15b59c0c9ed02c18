"""The factor dh_T/dh_k = prod_t w_rec tanh'(a_t) of a scalar RNN: how the gradient shrinks going back."""

import numpy as np

from quizgen.bank import Number, Part, draw
from reference_impl.activations import sigmoid
from reference_impl.rnn import hidden_jacobian

TITLE = "Vanishing gradients: the factor dh_4/dh_k in a scalar tanh RNN"
TAGS = ("vanishing-gradient", "jacobian", "tanh", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4
T = 4

PARTS = [
    Part("dh4_dh3", Number(4), label=r"\partial h_4/\partial h_3", points=1),
    Part("dh4_dh2", Number(4), label=r"\partial h_4/\partial h_2", points=1),
    Part("dh4_dh0", Number(4), label=r"\partial h_4/\partial h_0", points=1),
]

MISTAKES = {
    "no_tanh_derivative": "the $\\tanh$ derivatives were forgotten: only the powers of $w_{rec}$ were multiplied",
    "one_minus_a_squared": "$\\tanh'(a_t)$ was taken as $1 - a_t^2$ instead of $1 - \\tanh^2(a_t)$",
    "sigmoid_derivative": "the derivative of $\\sigma$, $\\sigma(a)(1 - \\sigma(a))$, was used instead of that of $\\tanh$",
}


def generate(rng):
    w = float(draw.decimals(rng, (), 0.5, 2.0)) * float(rng.choice([-1, 1]))
    return {
        "W_hh": w,                                       # the notes' w_rec
        "a": draw.decimals(rng, T, -1.5, 1.5),           # pre-activations a_1..a_4
    }


def _written(work, product):
    """A product of numbers written to a few decimals, as a person writes it: the decimal it is
    (w_rec -1.5 times tanh' 0.7865 is -1.17975 exactly, a tie at 4 decimals that half up rounds to
    -1.1798; the float -1.1797499999999999 would go to -1.1797). Exactly, the product itself."""
    return product if work.decimals is None else round(product, 12)


def _step(p, cache, t, work, d):
    """dh_t/dh_{t-1} = w_rec tanh'(a_t) from the derivative ``d`` as the solution rounds it (the
    reference's, exactly), or a deliberately wrong derivative."""
    a = p["a"][t - 1]
    if work.made("no_tanh_derivative"):
        return p["W_hh"]
    if work.made("one_minus_a_squared"):
        return p["W_hh"] * (1 - a**2)
    if work.made("sigmoid_derivative"):
        return p["W_hh"] * float(sigmoid(a) * (1 - sigmoid(a)))
    if work.exact:
        assert np.isclose(p["W_hh"] * d, hidden_jacobian(cache, t, t - 1)[0, 0])
    return _written(work, p["W_hh"] * d)


def solve(p, work):
    cache = {"a": np.reshape(p["a"], (T, 1)), "W_hh": np.array([[p["W_hh"]]]), "activation": "tanh"}
    # tanh(a_t) first, then 1 - tanh^2(a_t), as a person writes them down
    th = {t: work.step(f"tanh{t}", float(np.tanh(p["a"][t - 1]))) for t in range(1, T + 1)}
    d = {t: work.step(f"d{t}", 1 - th[t] ** 2) for t in range(1, T + 1)}
    J = {t: work.step(f"J{t}", _step(p, cache, t, work, d[t])) for t in range(1, T + 1)}
    j43 = work.answer("dh4_dh3", J[4])
    j42 = work.answer("dh4_dh2", _written(work, j43 * J[3]))              # from the answer above: error carried forward
    j41 = work.step("dh4_dh1", _written(work, j42 * J[2]))                # dh_4/dh_1 on the way to dh_4/dh_0
    j40 = work.answer("dh4_dh0", _written(work, j41 * J[1]))
    if work.is_key:
        if work.decimals is None:
            assert np.isclose(j40, hidden_jacobian(cache, T, 0)[0, 0])
        if abs(j40) < 0.01:
            work.reject("dh4/dh0 is too small to give to 4 decimals")


STEM = r"""
A scalar RNN has $h_t = \tanh(a_t)$ with $a_t = w_{rec}\, h_{t-1} + w_{in} x_t + b$ and recurrent weight
$w_{rec} = {{ p.W_hh | tex }}$. During a forward pass the pre-activations were
$$a_1 = {{ p.a[0] | tex }},\quad a_2 = {{ p.a[1] | tex }},\quad a_3 = {{ p.a[2] | tex }},\quad a_4 = {{ p.a[3] | tex }}.$$
Backpropagation through time multiplies one factor per step,
$$\frac{\partial h_t}{\partial h_{t-1}} = w_{rec}\, \tanh'(a_t),\qquad \tanh'(a) = 1 - \tanh^2(a),\qquad
\frac{\partial h_4}{\partial h_k} = \prod_{t=k+1}^{4} w_{rec}\, \tanh'(a_t).$$
Compute (a) $\partial h_4/\partial h_3$, (b) $\partial h_4/\partial h_2$ and (c) $\partial h_4/\partial h_0$.
Round to {{ d }} decimals.
"""

SOLUTION = r"""
With $\tanh(a_t) = {{ s.tanh1 | tex(d) }}$, ${{ s.tanh2 | tex(d) }}$, ${{ s.tanh3 | tex(d) }}$, ${{ s.tanh4 | tex(d) }}$
for $t = 1, \dots, 4$, the derivatives $\tanh'(a_t) = 1 - \tanh^2(a_t)$ are ${{ s.d1 | tex(d) }}$, ${{ s.d2 | tex(d) }}$, ${{ s.d3 | tex(d) }}$, ${{ s.d4 | tex(d) }}$
for $t = 1, \dots, 4$, so the one-step factors $w_{rec} \tanh'(a_t)$ are
${{ s.J1 | tex(d) }}$, ${{ s.J2 | tex(d) }}$, ${{ s.J3 | tex(d) }}$, ${{ s.J4 | tex(d) }}$.

(a) $\partial h_4/\partial h_3 = w_{rec} \tanh'(a_4) = {{ key.dh4_dh3 }}$.

(b) $\partial h_4/\partial h_2 = \frac{\partial h_4}{\partial h_3}\, w_{rec} \tanh'(a_3) = {{ key.dh4_dh2 }}$.

(c) $\partial h_4/\partial h_1 = \frac{\partial h_4}{\partial h_2}\, w_{rec} \tanh'(a_2) = {{ s.dh4_dh1 | tex(d) }}$, so
$\partial h_4/\partial h_0 = \frac{\partial h_4}{\partial h_1}\, w_{rec} \tanh'(a_1) = {{ key.dh4_dh0 }}$.
Each factor has size at most $|w_{rec}| = {{ p.W_hh | abs | tex }}$ and is usually smaller, because $\tanh' \le 1$:
over many steps the product shrinks towards 0 (vanishing gradient) unless $|w_{rec}|$ is large enough to make it grow (exploding gradient).
"""
