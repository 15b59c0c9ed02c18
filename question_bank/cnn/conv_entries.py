"""Entries of a 3x3 convolution (cross-correlation) over a 5x5 input, and a 2x2 max pooling, by hand."""

import numpy as np

from quizgen.bank import Integer, Matrix, Part, Redraw, draw
from reference_impl.cnn import conv2d, max_pool2d

TITLE = "Convolution entries and max pooling by hand"
TAGS = ("convolution", "cross-correlation", "max-pooling", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 0

PARTS = [
    Part("y_a", Integer(), label="(a)", points=1),
    Part("y_b", Integer(), label="(b)", points=1, uses=()),
    Part("pool", Matrix((2, 2), decimals=None), label="(c)", points=1, uses=()),
]

MISTAKES = {
    "kernel_flipped": "the kernel was flipped (a true convolution instead of the cross-correlation)",
}


def generate(rng):
    positions = rng.choice(9, size=2, replace=False)  # two distinct entries of the 3x3 output
    params = {
        "x": draw.integers(rng, (5, 5), -2, 3),
        "w": draw.integers(rng, (3, 3), -1, 1),
        "b": float(draw.integers(rng, (), -2, 2, nonzero=True)),
        "entries": np.array([divmod(int(q), 3) for q in positions]),
        "m": draw.integers(rng, (4, 4), -5, 9),
    }
    if np.count_nonzero(params["w"]) < 4:
        raise Redraw("the kernel is nearly all zeros")
    y, _ = conv2d(params["x"][None], params["w"][None, None], np.array([params["b"]]))
    if any(y[0, i, j] == 0 for i, j in params["entries"]):
        raise Redraw("an asked entry is 0")
    return params


def solve(p, work):
    w = p["w"][::-1, ::-1] if work.made("kernel_flipped") else p["w"]
    y, _ = conv2d(p["x"][None], w[None, None], np.array([p["b"]]))  # 1 channel in, 1 filter out
    y = work.step("y", y[0])
    for name, (i, j) in zip(("y_a", "y_b"), p["entries"]):
        work.answer(name, int(round(y[i, j])))
    pooled, _ = max_pool2d(p["m"][None], 2)  # 2x2 windows, stride 2
    work.answer("pool", pooled[0])


STEM = r"""
A convolutional layer computes the cross-correlation of a single-channel input $x$ with a $3 \times 3$ kernel $w$
(the kernel is not flipped), plus a bias $b$, with stride 1 and no padding:
$$y_{i,j} = b + \sum_{u=1}^{3} \sum_{v=1}^{3} w_{u,v}\, x_{i+u-1,\, j+v-1},$$
so a $5 \times 5$ input gives a $3 \times 3$ output (rows and columns numbered from 1). With
$$x = {{ p.x | tex }},\qquad w = {{ p.w | tex }},\qquad b = {{ p.b | tex }},$$

(a) compute $y_{ {{ p.entries[0][0] + 1 }},{{ p.entries[0][1] + 1 }} }$;

(b) compute $y_{ {{ p.entries[1][0] + 1 }},{{ p.entries[1][1] + 1 }} }$;

(c) apply $2 \times 2$ max pooling with stride 2 to the feature map
$$m = {{ p.m | tex }}$$
and give the $2 \times 2$ result.
"""

SOLUTION = r"""
The whole output map is
$$y = {{ s.y | tex }}.$$
(a) The window of $x$ whose top-left corner is at row {{ p.entries[0][0] + 1 }}, column {{ p.entries[0][1] + 1 }},
multiplied entrywise by $w$ and summed, plus $b$: $y_{ {{ p.entries[0][0] + 1 }},{{ p.entries[0][1] + 1 }} } = {{ key.y_a }}$.

(b) Likewise at row {{ p.entries[1][0] + 1 }}, column {{ p.entries[1][1] + 1 }}:
$y_{ {{ p.entries[1][0] + 1 }},{{ p.entries[1][1] + 1 }} } = {{ key.y_b }}$.

(c) The maximum of each non-overlapping $2 \times 2$ block of $m$: ${{ key.pool }}$.
"""
