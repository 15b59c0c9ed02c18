"""One Gibbs sweep on a 3x3 discrete joint table: x from p(x | y), then y from p(y | x), by inverse CDF."""

import numpy as np

from quizgen.bank import Integer, Part, Redraw, Vector, draw
from reference_impl.mcmc import gibbs_discrete, inverse_cdf_index

TITLE = "One Gibbs sweep on a discrete joint distribution"
TAGS = ("gibbs", "conditional", "inverse-cdf", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("p_x", Vector(3), label="p(x|y_0)", points=1),
    Part("x1", Integer(), label="x_1", points=1),
    Part("p_y", Vector(3), label="p(y|x_1)", points=1),
    Part("y1", Integer(), label="y_1", points=1),
]

MISTAKES = {
    "axes_swapped": "the conditional was read along the wrong axis of the table (a row where a column belongs, and vice versa)",
    "marginal": "the marginal $p(x)$ (and $p(y)$) was used instead of the conditional",
    "joint": "the joint $p(x, y_0) = n(x, y_0)/N$ was used without dividing by $p(y_0)$ (and likewise for $y$)",
    "old_x": "$y$ was drawn given the OLD $x_0$ instead of the new $x_1$",
}

MARGIN = 0.02  # u this close to a cumulative probability would make the draw a rounding accident


def conditional(table, other, u):
    """p(first | second = other) and its inverse-CDF draw with u, by the reference's half sweep."""
    states, cache = gibbs_discrete(table, [0, other], [[u, 0.0]])
    return cache["p_x_given_y"][0], int(states[1][0])


def generate(rng):
    params = {
        "joint_table": draw.integers(rng, (3, 3), 0, 5),
        "x0": draw.integers(rng, 2, 0, 2).astype(int),
        "uniforms": draw.uniforms(rng, (1, 2)),
    }
    T, (x, y), (u_x, u_y) = params["joint_table"], params["x0"], params["uniforms"][0]
    if np.any(T.sum(axis=0) == 0) or np.any(T.sum(axis=1) == 0) or T[x, y] == 0:
        raise Redraw("a row or column is empty, or the start has probability zero")
    if np.count_nonzero(T) < 7:
        raise Redraw("too many empty cells")
    p_x, x1 = conditional(T, y, u_x)
    p_y, _ = conditional(T.T, x1, u_y)
    if min(np.min(np.abs(np.cumsum(p_x) - u_x)), np.min(np.abs(np.cumsum(p_y) - u_y))) < MARGIN:
        raise Redraw("a uniform is too close to a cumulative probability")
    return params


def solve(p, work):
    T, (x0, y0), (u_x, u_y) = p["joint_table"], p["x0"], p["uniforms"][0]
    table = T.T if work.made("axes_swapped") else T

    def draw_one(table, other, u, name, xy):
        p_cond = conditional(table, other, u)[0]
        if work.made("marginal"):
            p_cond = table.sum(axis=1) / table.sum()
        if work.made("joint"):
            p_cond = table[:, other] / table.sum()
        p_cond = work.answer(f"p_{xy}", p_cond)
        index = inverse_cdf_index(p_cond, u)  # smallest index whose cumulative probability exceeds u
        return work.answer(name, index)

    x1 = draw_one(table, y0, u_x, "x1", "x")
    given = x0 if work.made("old_x") else x1
    if not 0 <= given < T.shape[0]:
        raise ValueError(f"x = {given} is not a state")
    draw_one(table.T, given, u_y, "y1", "y")


STEM = r"""
Two variables $x, y \in \{0, 1, 2\}$ have the joint distribution $p(x, y) = n(x, y) / N$ with the counts
$$n = {{ p.joint_table | tex }} \quad (\text{row } x, \text{ column } y), \qquad N = {{ p.joint_table | sum | sum | num }}.$$
A Gibbs sweep draws $x_1 \sim p(x \mid y_0)$, then $y_1 \sim p(y \mid x_1)$ with the NEW $x_1$. Each draw uses a
uniform $u$ by inverse CDF: the value is the smallest state whose cumulative probability exceeds $u$.
The chain starts at $(x_0, y_0) = ({{ p.x0[0] }}, {{ p.x0[1] }})$; the uniforms are $u_x = {{ p.uniforms[0][0] | num(2) }}$
and $u_y = {{ p.uniforms[0][1] | num(2) }}$.

(a) Compute the conditional distribution $p(x \mid y = {{ p.x0[1] }})$ (for $x = 0, 1, 2$).

(b) Draw $x_1$.

(c) Compute $p(y \mid x = x_1)$ (for $y = 0, 1, 2$).

(d) Draw $y_1$.

Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) Column $y = {{ p.x0[1] }}$ of $n$, divided by its sum: $p(x \mid y = {{ p.x0[1] }}) = {{ key.p_x }}$.

(b) Its cumulative sums are compared with $u_x = {{ p.uniforms[0][0] | num(2) }}$: $x_1 = {{ key.x1 }}$.

(c) Row $x = {{ a.x1 }}$ of $n$, divided by its sum: $p(y \mid x = {{ a.x1 }}) = {{ key.p_y }}$.

(d) Its cumulative sums are compared with $u_y = {{ p.uniforms[0][1] | num(2) }}$: $y_1 = {{ key.y1 }}$.
"""
