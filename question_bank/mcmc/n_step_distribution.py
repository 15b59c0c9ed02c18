"""A 3-state Markov chain: the distribution after one and two steps, and the stationary distribution."""

import numpy as np

from quizgen.bank import Part, Redraw, Vector
from reference_impl.mcmc import n_step_distribution, stationary_distribution

TITLE = "Markov chain: distribution after two steps and stationary distribution"
TAGS = ("markov-chain", "stationary", "transition-matrix", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("pi1", Vector(3), label="\\pi_1", points=1),
    Part("pi2", Vector(3), label="\\pi_2", points=1),
    Part("pi_stat", Vector(3), label="\\pi^*", points=2, uses=()),
]

MISTAKES = {
    "transposed": "$P$ was used as if column-stochastic ($P^\\top$: $\\pi_{t+1} = P \\pi_t$ and $P \\pi = \\pi$)",
}


def _tenths(rng, n):
    """n non-negative multiples of 0.1 summing to 1."""
    cuts = np.sort(rng.integers(0, 11, size=n - 1))
    return np.diff(np.concatenate([[0], cuts, [10]])) / 10


def generate(rng):
    P = np.array([_tenths(rng, 3) for _ in range(3)])
    if np.any(np.diag(P) == 1):
        raise Redraw("a state is absorbing")
    try:
        stationary_distribution(P)
    except ValueError:
        raise Redraw("the chain has no unique stationary distribution") from None
    return {"pi0": _tenths(rng, 3), "P": P}


def solve(p, work):
    P = p["P"]
    if work.made("transposed"):
        pi1 = work.answer("pi1", P @ p["pi0"])
        work.answer("pi2", P @ pi1)
        work.answer("pi_stat", np.full(3, 1 / 3))  # P x = x holds for x = (1, 1, 1): every row sums to 1
        return
    pi1 = work.answer("pi1", n_step_distribution(p["pi0"], P, 1)[0])
    # one more step from pi1 (a student's own, under ECF): n_step_distribution would refuse
    # a pi1 that does not sum to 1, so the step pi_2 = pi_1 P is written out
    work.answer("pi2", pi1 @ P)
    work.answer("pi_stat", stationary_distribution(P))


STEM = r"""
A Markov chain on the states $\{1, 2, 3\}$ has the transition matrix
$$P = {{ p.P | tex }}, \qquad P_{ij} = p(x_{t+1} = j \mid x_t = i)$$
(each row sums to 1). Distributions are row vectors, and one step maps $\pi_{t+1} = \pi_t P$.
The chain starts from $\pi_0 = {{ p.pi0 | row }}$.

(a) Compute $\pi_1$.

(b) Compute $\pi_2$, the distribution after two steps.

(c) Compute the stationary distribution $\pi^*$, which satisfies $\pi^* P = \pi^*$ and $\sum_j \pi^*_j = 1$.

Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) $\pi_1 = \pi_0 P = {{ key.pi1 }}$.

(b) $\pi_2 = \pi_1 P = {{ key.pi2 }}$.

(c) $\pi^* P = \pi^*$ gives three equations $\pi^*_j = \sum_i \pi^*_i P_{ij}$, of which two are independent;
replacing one by $\sum_j \pi^*_j = 1$ and solving gives $\pi^* = {{ key.pi_stat }}$.
"""
