"""Max pooling and average pooling of one feature map, non-overlapping windows, by hand."""

import numpy as np

from quizgen.bank import Matrix, Part, Redraw, draw
from reference_impl.cnn import avg_pool2d, max_pool2d

TITLE = "Max pooling and average pooling of a feature map"
TAGS = ("pooling", "max-pooling", "average-pooling", "forward")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4
SIZES = ("calculator", "computer")

PARTS = [
    Part("max", Matrix((2, 2), decimals=2), label="(a)", points=1),
    Part("avg", Matrix((2, 2), decimals=4), label="(b)", points=1, uses=()),
]

MISTAKES = {
    "top_left_for_max": "each window's top-left entry was kept (plain subsampling) instead of its maximum",
    "sum_for_avg": "the window's values were added but not divided by the window's $k^2$ entries",
    "divided_by_side": "the window's sum was divided by its side $k$ instead of its area $k^2$",
    "transposed": "the windows were read column by column, so the result came out transposed",
}


def generate(rng, size="calculator"):
    if size == "calculator":
        m = draw.integers(rng, (4, 4), -5, 9)
    else:
        m = draw.decimals(rng, (6, 6), -1, 1, places=2)
    k = m.shape[0] // 2
    pooled, _ = max_pool2d(m[None], k)
    if np.array_equal(pooled[0], pooled[0].T):
        raise Redraw("the max-pooled map is symmetric: a transposed answer would be right")
    return {"m": m, "kernel": k}


def solve(p, work):
    m, k = p["m"], p["kernel"]
    if work.made("transposed"):
        m = m.T
    windows = m.reshape(2, k, 2, k).transpose(0, 2, 1, 3)     # windows[i, j] is one k x k block
    if work.made("top_left_for_max"):
        work.answer("max", windows[:, :, 0, 0])
    else:
        work.answer("max", max_pool2d(m[None], k)[0][0])
    avg = avg_pool2d(m[None], k)[0][0]
    work.step("sums", avg * k * k)
    if work.made("sum_for_avg"):
        avg = avg * k * k
    elif work.made("divided_by_side"):
        avg = avg * k
    work.answer("avg", avg)


STEM = r"""
A pooling layer with a $k \times k = {{ p.kernel }} \times {{ p.kernel }}$ window and stride $s = {{ p.kernel }}$
(non-overlapping windows, no padding) is applied to the ${{ p.m | length }} \times {{ p.m | length }}$ feature map
$$m = {{ p.m | tex(None if p.kernel == 2 else 2) }}.$$
The window of output $(i, j)$ covers rows $(i-1)k+1, \dots, ik$ and columns $(j-1)k+1, \dots, jk$ of $m$.

(a) Give the $2 \times 2$ result of **max pooling**.

(b) Give the $2 \times 2$ result of **average pooling**. Round to {{ d }} decimals.
"""

SOLUTION = r"""
Split $m$ into four ${{ p.kernel }} \times {{ p.kernel }}$ blocks (top-left, top-right, bottom-left, bottom-right).

(a) The maximum of each block: ${{ key.max }}$.

(b) The block sums are ${{ s.sums | tex(2) }}$; dividing each by $k^2 = {{ p.kernel ** 2 }}$: ${{ key.avg }}$.
"""
