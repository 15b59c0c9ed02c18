"""One mean-field update of a tiny deep Boltzmann machine: mu1 first, then mu2 from the new mu1."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, Vector, draw
from reference_impl.activations import sigmoid
from reference_impl.dbm import mean_field
from reference_impl.rbm import p_h_given_v

TITLE = "One mean-field update in a deep Boltzmann machine"
TAGS = ("mean-field", "variational", "sigmoid", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("mu1", Vector(2), label="\\mu^{(1)}", points=1),
    Part("mu2", Number(4), label="\\mu^{(2)}", points=1),
]

MISTAKES = {
    "no_top_down": "the top-down term $W_2 \\mu^{(2)}$ was left out of $\\mu^{(1)}$'s update",
    "W1_untransposed": "$W_1 v$ was used where the update needs $W_1^\\top v$",
}

SATURATED = sigmoid(3.0)  # a mean beyond this means |pre-activation| > 3


def generate(rng):
    params = {
        "v": draw.binary(rng, 2),
        "W1": draw.decimals(rng, (2, 2), -1, 1),
        "W2": draw.decimals(rng, (2, 1), -1.5, 1.5),
        "b1": draw.decimals(rng, 2, -0.5, 0.5),
        "b2": draw.decimals(rng, 1, -0.5, 0.5),
        "mu2_init": draw.decimals(rng, 1, 0.1, 0.9),
    }
    if not params["v"].any():
        raise Redraw("v is all zeros")
    if params["W1"][0, 1] == params["W1"][1, 0]:
        raise Redraw("W1 is symmetric")
    model = {**params, "a": np.zeros(2)}
    (mu1, mu2), _ = mean_field(params["v"], model, n_iter=1, mu2_init=params["mu2_init"])
    if np.any(np.abs(np.concatenate([mu1, mu2]) - 0.5) > SATURATED - 0.5):
        raise Redraw("a pre-activation saturates the sigmoid")
    return params


def solve(p, work):
    W1 = p["W1"].T if work.made("W1_untransposed") else p["W1"]
    W2 = 0 * p["W2"] if work.made("no_top_down") else p["W2"]
    model = {"W1": W1, "W2": W2, "a": np.zeros(2), "b1": p["b1"], "b2": p["b2"]}  # a is not used
    work.step("pre1", p["b1"] + W1.T @ p["v"] + W2 @ p["mu2_init"])
    (mu1, _), _ = mean_field(p["v"], model, n_iter=1, mu2_init=p["mu2_init"])
    mu1 = work.answer("mu1", mu1)
    work.step("pre2", float(p["b2"][0] + p["W2"][:, 0] @ mu1))
    # mu2 <- sigma(b2 + W2^T mu1): the conditional of the (h1, h2) pair, from mu1 as given
    work.answer("mu2", float(p_h_given_v(mu1, p["W2"], p["b2"])[0]))


STEM = r"""
A deep Boltzmann machine with layers $v \in \{0,1\}^2$, $h^{(1)} \in \{0,1\}^2$ and $h^{(2)} \in \{0,1\}$ has energy
$$E(v, h^{(1)}, h^{(2)}) = -v^\top W_1 h^{(1)} - (h^{(1)})^\top W_2 h^{(2)} - a^\top v - b_1^\top h^{(1)} - b_2^\top h^{(2)}.$$
Mean-field inference approximates $p(h^{(1)}, h^{(2)} \mid v)$ by independent units with means $\mu^{(1)}, \mu^{(2)}$,
updated in this order:
$$\mu^{(1)} \leftarrow \sigma\big(b_1 + W_1^\top v + W_2\, \mu^{(2)}\big), \qquad \mu^{(2)} \leftarrow \sigma\big(b_2 + W_2^\top \mu^{(1)}\big),$$
the second update using the NEW $\mu^{(1)}$. With
$$W_1 = {{ p.W1 | tex }},\quad W_2 = {{ p.W2 | tex }},\quad b_1 = {{ p.b1 | tex }},\quad b_2 = {{ p.b2[0] | tex }},\quad v = {{ p.v | tex }},$$
and the initial value $\mu^{(2)} = {{ p.mu2_init[0] | tex }}$, perform one mean-field update:
compute the new $\mu^{(1)}$, then the new $\mu^{(2)}$. Round to {{ d }} decimals.
"""

SOLUTION = r"""
$b_1 + W_1^\top v + W_2 \mu^{(2)} = {{ s.pre1 | tex(d) }}$, so $\mu^{(1)} = \sigma(\cdot) = {{ key.mu1 }}$.

$b_2 + W_2^\top \mu^{(1)} = {{ s.pre2 | tex(d) }}$, so $\mu^{(2)} = \sigma(\cdot) = {{ key.mu2 }}$.
"""
