"""The partition function Z of a 2x2 binary RBM and the probability p(v), by enumeration."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, Tolerance, draw
from reference_impl.rbm import binary_states, free_energy, log_partition, log_prob

TITLE = "Partition function and p(v) of a tiny RBM by enumeration"
TAGS = ("partition-function", "free-energy", "enumeration", "calculator")
DIFFICULTY = 3
VERSION = 1
DECIMALS = 4

PARTS = [
    # Z adds four terms, each rounded to 4 decimals when worked term by term (without the hint's
    # factors): up to 4 halves of the last decimal off, beyond the one unit a rounding path gives
    Part("Z", Number(4, tolerance=Tolerance(atol=2e-4 * (1 + 1e-9))), label="Z", points=2),
    Part("p_v", Number(4), label="p(v)", points=1),
]

MISTAKES = {
    "h_zero_only": "the hidden units were not summed out: only the terms with $h = 0$ were counted",
    "weight_sign": "the Boltzmann weights were taken as $e^{+E}$ instead of $e^{-E}$",
    "joint_not_marginal": "the joint $p(v, h = 0)$ was given instead of the marginal $p(v) = \\sum_h p(v, h)$",
}

STATES = binary_states(2)  # the visible vectors (0,0), (0,1), (1,0), (1,1), in this order


def generate(rng):
    params = {
        "W": draw.decimals(rng, (2, 2), -1, 1),
        "a": draw.decimals(rng, 2, -1, 1),
        "b": draw.decimals(rng, 2, -1, 1),
        "v": draw.binary(rng, 2),
    }
    if params["W"][0, 1] == params["W"][1, 0]:
        raise Redraw("W is symmetric")
    if not 4 <= np.exp(log_partition(params["W"], params["a"], params["b"])) <= 80:
        raise Redraw("Z is outside a readable range")
    if np.exp(log_prob(params["v"], params["W"], params["a"], params["b"])) < 0.03:
        raise Redraw("p(v) is too small to round readably")
    return params


def solve(p, work):
    W, a, b = p["W"], p["a"], p["b"]
    if work.made("weight_sign"):  # e^{+E(v,h)} is e^{-E(v,h)} with every parameter negated
        W, a, b = -W, -a, -b
    if work.made("h_zero_only"):  # e^{-E(v, 0)} = e^{a.v}: no hidden contribution
        terms = np.exp(STATES @ a)
    else:
        # e^{-F(v)} = sum_h e^{-E(v,h)} = e^{a.v} prod_j (1 + e^{b_j + (v^T W)_j}); summing these
        # four terms is Z (with exact terms, exp(reference_impl.rbm.log_partition(W, a, b)))
        # each factor of the hint rounded as a person writes it down, then multiplied
        exp_av = work.step("exp_av", np.exp(STATES @ a))
        factors = work.step("factors", 1 + np.exp(b + STATES @ W))
        # the hint's product left to right: e^{a.v} (1 + e^{x_1}) first, then times (1 + e^{x_2})
        first = work.step("first", exp_av * factors[:, 0])
        terms = exp_av * np.prod(factors, axis=1) if work.decimals is None else first * factors[:, 1]
        if work.exact:
            assert np.allclose(terms, np.exp(-free_energy(STATES, W, a, b)))
    terms = work.step("terms", terms)
    Z = work.answer("Z", np.sum(terms))
    index = int(2 * p["v"][0] + p["v"][1])
    if work.made("joint_not_marginal"):
        work.answer("p_v", np.exp(p["a"] @ p["v"]) / Z)  # e^{-E(v, h=0)} / Z
    else:
        work.answer("p_v", terms[index] / Z)


STEM = r"""
A binary RBM with 2 visible and 2 hidden units has energy $E(v, h) = -a^\top v - b^\top h - v^\top W h$ and
$$p(v, h) = \frac{e^{-E(v, h)}}{Z}, \qquad Z = \sum_{v \in \{0,1\}^2} \sum_{h \in \{0,1\}^2} e^{-E(v, h)}.$$
With
$$W = {{ p.W | tex }},\quad a = {{ p.a | tex }},\quad b = {{ p.b | tex }},$$

(a) compute the partition function $Z$ by enumerating all configurations;

(b) compute the marginal probability $p(v) = \sum_h p(v, h)$ of $v = {{ p.v | row }}^\top$.

Hint: summing over $h$ first gives $\sum_h e^{-E(v, h)} = e^{a^\top v} \prod_j \big(1 + e^{b_j + \sum_i v_i W_{ij}}\big)$.
Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) For each visible vector, $\sum_h e^{-E(v, h)} = e^{a^\top v} \prod_j (1 + e^{b_j + (v^\top W)_j})$:

| $v$ | $(0, 0)$ | $(0, 1)$ | $(1, 0)$ | $(1, 1)$ |
|---|---|---|---|---|
| $e^{a^\top v}$ | {{ s.exp_av[0] | num(d) }} | {{ s.exp_av[1] | num(d) }} | {{ s.exp_av[2] | num(d) }} | {{ s.exp_av[3] | num(d) }} |
| $1 + e^{b_1 + (v^\top W)_1}$ | {{ s.factors[0][0] | num(d) }} | {{ s.factors[1][0] | num(d) }} | {{ s.factors[2][0] | num(d) }} | {{ s.factors[3][0] | num(d) }} |
| $1 + e^{b_2 + (v^\top W)_2}$ | {{ s.factors[0][1] | num(d) }} | {{ s.factors[1][1] | num(d) }} | {{ s.factors[2][1] | num(d) }} | {{ s.factors[3][1] | num(d) }} |
| $e^{a^\top v} (1 + e^{b_1 + (v^\top W)_1})$ | {{ s.first[0] | num(d) }} | {{ s.first[1] | num(d) }} | {{ s.first[2] | num(d) }} | {{ s.first[3] | num(d) }} |
| $\sum_h e^{-E(v,h)}$ | {{ s.terms[0] | num(d) }} | {{ s.terms[1] | num(d) }} | {{ s.terms[2] | num(d) }} | {{ s.terms[3] | num(d) }} |

and $Z$ is their sum: $Z = {{ key.Z }}$.

(b) $p(v) = \dfrac{\sum_h e^{-E(v, h)}}{Z}$ for $v = {{ p.v | row }}^\top$: $p(v) = {{ key.p_v }}$.
"""
