"""Gradient clipping against exploding gradients: by global norm and by value."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, Vector, draw
from reference_impl.rnn import clip_by_global_norm, clip_by_value

TITLE = "Exploding gradients: clipping by global norm and by value"
TAGS = ("exploding-gradient", "clipping", "calculator", "syllabus:vanishing-remedies")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("norm", Number(4), label="(a) ||g||", points=1),
    Part("W_clipped", Vector(3), label="(b) g_W", points=1),
    Part("b_clipped", Vector(2), label="(b) g_b", points=1, uses=("norm",)),
    Part("W_value", Vector(3), label="(c) g_W", points=1, uses=()),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "value_rescaled": "clipping by value rescaled $g_W$ so its largest entry is $v$, instead of clamping each entry",
    "threshold_forgotten": "$g$ was divided by $\\| g \\|$ (normalised to length 1): the threshold $c$ was forgotten",
    "per_group": "each gradient was clipped by its own norm instead of the global norm of both",
    "no_sqrt": "the square root was forgotten: $\\sum g_i^2$ was used as the norm",
}


def generate(rng):
    params = {
        "grads": {"W": draw.decimals(rng, 3, -3, 3), "b": draw.decimals(rng, 2, -3, 3)},
        "max_norm": float(rng.choice([1.0, 1.5, 2.0, 2.5, 3.0])),
        "clip_value": float(rng.choice([0.5, 1.0, 1.5, 2.0])),
    }
    g_W = np.abs(params["grads"]["W"])
    if not (np.any(g_W > params["clip_value"]) and np.any(g_W < params["clip_value"])):
        raise Redraw("clipping by value would change every entry of g_W, or none")
    return params


def solve(p, work):
    grads, c, v = p["grads"], p["max_norm"], p["clip_value"]
    clipped, total, _ = clip_by_global_norm(grads, c)
    work.step("sq_W", float(np.sum(grads["W"] ** 2)))
    work.step("sq_b", float(np.sum(grads["b"] ** 2)))
    if work.made("no_sqrt"):
        total = total**2
    norm = work.answer("norm", total)
    if work.is_key and norm < c + 0.3:
        work.reject("the gradient is not (clearly) longer than the threshold")
    # rescale by c / ||g|| when ||g|| > c, with the norm given above (error carried forward)
    scale = 1.0 / norm if work.made("threshold_forgotten") else (c / norm if norm > c else 1.0)
    scale = work.step("scale", scale)
    out = {k: g * scale for k, g in grads.items()}
    if work.made("per_group"):
        out = {k: clip_by_global_norm({k: g}, c)[0][k] for k, g in grads.items()}
    if work.exact:
        assert all(np.allclose(out[k], clipped[k]) for k in grads)
    work.answer("W_clipped", out["W"])
    work.answer("b_clipped", out["b"])
    if work.made("value_rescaled"):
        work.answer("W_value", grads["W"] * v / np.max(np.abs(grads["W"])))
    else:
        work.answer("W_value", clip_by_value({"W": grads["W"]}, v)["W"])


STEM = r"""
Backpropagation through time returned the gradients
$$g_W = \frac{\partial L}{\partial W} = {{ p.grads.W | tex }},\qquad g_b = \frac{\partial L}{\partial b} = {{ p.grads.b | tex }}.$$
To guard against exploding gradients they are clipped before the update.

**Clipping by global norm** with threshold $c = {{ p.max_norm | tex }}$: with
$\| g \| = \sqrt{\sum_i g_{W,i}^2 + \sum_j g_{b,j}^2}$ taken over both gradients together,
if $\| g \| > c$ every gradient is multiplied by $c / \| g \|$ (otherwise nothing changes).

**Clipping by value** with $v = {{ p.clip_value | tex }}$: every entry is clamped to $[-v, v]$.

Compute (a) $\| g \|$, (b) the clipped $g_W$ and $g_b$ after clipping by global norm, and
(c) $g_W$ after clipping by value. Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) $\| g \| = \sqrt{ {{- s.sq_W | tex(2) }} + {{ s.sq_b | tex(2) -}} } = {{ key.norm }}$ (the squares of $g_W$ and of $g_b$ summed).

(b) Since $\| g \| > c$, both gradients are multiplied by $c / \| g \| = {{ s.scale | tex(d) }}$:
$g_W = {{ key.W_clipped }}$ and $g_b = {{ key.b_clipped }}$. The direction of $g$ is kept; its length becomes $c$.

(c) Each entry of $g_W$ is clamped to $[{{ (-p.clip_value) | tex }}, {{ p.clip_value | tex }}]$: $g_W = {{ key.W_value }}$.
Clipping by value can change the direction of the gradient.
"""
