"""Output size of a pooling layer: kernel, stride, padding, and the floor or ceil mode."""

import math

from quizgen.bank import Integer, Part, Redraw
from reference_impl.cnn import conv_output_size

TITLE = "Output shape of a pooling layer (floor or ceil mode)"
TAGS = ("pooling", "shapes", "stride", "padding", "ceil-mode", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("H_out", Integer(), label="(a)", points=1),
    Part("W_out", Integer(), label="(b)", points=1, uses=()),
    Part("n_out", Integer(), label="(c)", points=1),
]

MISTAKES = {
    "wrong_rounding": "the other rounding mode was used (floor for ceil, or ceil for floor)",
    "no_plus_one": "the $+1$ of the size formula was forgotten",
    "stride_ignored": "the window was slid one pixel at a time (stride taken as 1)",
}


def generate(rng):
    kernel = int(rng.choice([2, 3]))
    params = {
        "kind": str(rng.choice(["max", "average"])),
        "C": int(rng.choice([3, 6, 16, 32, 64, 96])),
        "H": int(rng.integers(7, 60)),
        "W": int(rng.integers(7, 60)),
        "kernel": kernel,
        "stride": int(rng.integers(2, kernel + 1)),
        "padding": int(rng.integers(0, 2)),
        "ceil_mode": bool(rng.random() < 0.5),
    }
    k, s, pad = params["kernel"], params["stride"], params["padding"]
    spans = [params[a] + 2 * pad - k for a in ("H", "W")]
    if all(span % s == 0 for span in spans):
        raise Redraw("the stride divides: floor and ceil mode agree")
    if params["ceil_mode"] and any(
            conv_output_size(params[a], k, s, pad, ceil_mode=True) != math.ceil(span / s) + 1
            for a, span in zip(("H", "W"), spans)):
        raise Redraw("ceil mode would drop a last window that starts in the padding")
    return params


def solve(p, work):
    k, pad, C = p["kernel"], p["padding"], p["C"]
    s = 1 if work.made("stride_ignored") else p["stride"]
    ceil = p["ceil_mode"] != work.made("wrong_rounding")
    sizes = []
    for axis in ("H", "W"):
        work.step(f"frac_{axis}", (p[axis] + 2 * pad - k) / s)
        size = conv_output_size(p[axis], k, s, pad, ceil_mode=ceil)
        if work.made("no_plus_one"):
            size -= 1
        sizes.append(work.answer(f"{axis}_out", size))
    work.answer("n_out", C * sizes[0] * sizes[1])          # from the sizes as answered


STEM = r"""
{{ "An" if p.kind == "average" else "A" }} {{ p.kind }}-pooling layer with a $k \times k = {{ p.kernel }} \times {{ p.kernel }}$ window, stride $s = {{ p.stride }}$
and padding $p = {{ p.padding }}$ on every side is applied to feature maps of shape
$C \times H \times W = {{ p.C }} \times {{ p.H }} \times {{ p.W }}$ (each channel pooled separately).
It runs in **{{ "ceil" if p.ceil_mode else "floor" }} mode**: along each axis
$$H_{out} = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1 \ \text{(floor mode)},\qquad
H_{out} = \left\lceil \frac{H + 2p - k}{s} \right\rceil + 1 \ \text{(ceil mode)}.$$

(a) Give $H_{out}$. (b) Give $W_{out}$. (c) How many values does the pooled output hold in all?
"""

SOLUTION = r"""
(a) $\frac{ {{ p.H }} + 2 \cdot {{ p.padding }} - {{ p.kernel }} }{ {{ p.stride }} } = {{ s.frac_H | num(d) }}$; rounded
{{ "up" if p.ceil_mode else "down" }} and plus one: $H_{out} = {{ key.H_out }}$.

(b) $\frac{ {{ p.W }} + 2 \cdot {{ p.padding }} - {{ p.kernel }} }{ {{ p.stride }} } = {{ s.frac_W | num(d) }}$; rounded
{{ "up" if p.ceil_mode else "down" }} and plus one: $W_{out} = {{ key.W_out }}$.

(c) Pooling keeps the {{ p.C }} channels: ${{ p.C }} \times H_{out} \times W_{out} = {{ key.n_out }}$ values.
"""
