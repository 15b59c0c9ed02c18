"""One Metropolis-Hastings step on four states with an asymmetric proposal: alpha, then accept or reject."""

import numpy as np

from quizgen.bank import Integer, Number, Part, Redraw, draw
from reference_impl.mcmc import metropolis_hastings_acceptance

TITLE = "Metropolis-Hastings acceptance probability and decision"
TAGS = ("metropolis-hastings", "acceptance", "proposal", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("alpha", Number(4), label="\\alpha", points=2),
    Part("x_next", Integer(), label="x_{t+1}", points=1),
]

MISTAKES = {
    "q_swapped": "the proposal probabilities were swapped: $q(x' \\mid x) / q(x \\mid x')$ instead of $q(x \\mid x') / q(x' \\mid x)$",
    "no_hastings": "the proposal ratio was left out (the Metropolis rule $p(x')/p(x)$, right only for a symmetric $q$)",
    "accept_above": "the proposal was accepted when $u$ is ABOVE $\\alpha$",
}

STATES = (1, 2, 3, 4)
MARGIN = 0.03  # u this close to alpha would make the decision a rounding accident


def _tenths_row(rng, zero_at):
    """A proposal row: four multiples of 0.1 summing to 1, no self-proposal."""
    while True:
        cuts = np.sort(rng.integers(0, 11, size=2))
        row = np.insert(np.diff(np.concatenate([[0], cuts, [10]])) / 10, zero_at, 0.0)
        if np.count_nonzero(row) >= 2:
            return row


def generate(rng):
    Q = np.array([_tenths_row(rng, i) for i in range(4)])
    x, x_prop = (int(s) for s in rng.choice(STATES, size=2, replace=False))
    params = {
        "p_tilde": draw.integers(rng, 4, 1, 9),
        "Q": Q,
        "x_current": x,
        "x_proposed": x_prop,
        "u": float(draw.uniforms(rng)),
    }
    q_f, q_b = Q[x - 1, x_prop - 1], Q[x_prop - 1, x - 1]
    if q_f == 0 or q_b == 0 or q_f == q_b:
        raise Redraw("the proposal is impossible one way, or symmetric")
    p_x, p_y = params["p_tilde"][x - 1], params["p_tilde"][x_prop - 1]
    ratio = p_y * q_b / (p_x * q_f)
    if not 0.05 <= ratio <= 0.95:
        raise Redraw("alpha is 1 or nearly 0")
    if abs(params["u"] - ratio) < MARGIN:
        raise Redraw("u is too close to alpha")
    return params


def solve(p, work):
    x, x_prop, pt, Q = p["x_current"], p["x_proposed"], p["p_tilde"], p["Q"]
    q_f = work.step("q_forward", Q[x - 1, x_prop - 1])   # q(x' | x)
    q_b = work.step("q_backward", Q[x_prop - 1, x - 1])  # q(x | x')
    if work.made("q_swapped"):
        q_f, q_b = q_b, q_f
    if work.made("no_hastings"):
        q_f = q_b = 1.0
    alpha = work.answer("alpha", metropolis_hastings_acceptance(pt[x - 1], pt[x_prop - 1], q_f, q_b))
    accepted = p["u"] > alpha if work.made("accept_above") else p["u"] < alpha
    work.answer("x_next", x_prop if accepted else x)


STEM = r"""
Metropolis-Hastings samples the distribution $p(x) = \tilde{p}(x) / Z$ on the states $x \in \{1, 2, 3, 4\}$, where
the unnormalised target is
$$\tilde{p} = {{ p.p_tilde | row }}$$
(its $x$-th entry is $\tilde{p}(x)$; $Z$ is not needed). The proposal distribution is
$$Q = {{ p.Q | tex }}, \qquad Q_{x x'} = q(x' \mid x).$$
The chain is at $x_t = {{ p.x_current }}$ and the proposal drew $x' = {{ p.x_proposed }}$. The move is accepted with probability
$$\alpha = \min\left(1, \frac{p(x')\, q(x \mid x')}{p(x)\, q(x' \mid x)}\right):$$
with the uniform random number $u = {{ p.u | num(2) }}$, accept ($x_{t+1} = x'$) if $u < \alpha$, else stay ($x_{t+1} = x_t$).

(a) Compute $\alpha$. Round to {{ d }} decimals.

(b) Give the next state $x_{t+1}$.
"""

SOLUTION = r"""
(a) $q(x' \mid x) = Q_{ {{- p.x_current }}{{ p.x_proposed -}} } = {{ s.q_forward | num(1) }}$ and
$q(x \mid x') = Q_{ {{- p.x_proposed }}{{ p.x_current -}} } = {{ s.q_backward | num(1) }}$, so
$$\alpha = \min\left(1, \frac{ {{- p.p_tilde[p.x_proposed - 1] | num }} \cdot {{ s.q_backward | num(1) -}} }
{ {{- p.p_tilde[p.x_current - 1] | num }} \cdot {{ s.q_forward | num(1) -}} }\right) = {{ key.alpha }}.$$

(b) $u = {{ p.u | num(2) }} {{ "<" if p.u < a.alpha else ">" }} \alpha$, so the move is
{{ "accepted" if p.u < a.alpha else "rejected" }}: $x_{t+1} = {{ key.x_next }}$.
"""
