"""Output shape and parameter count of one convolutional layer (the floor in the size formula)."""

import math

from quizgen.bank import Integer, Part, Redraw, Shape
from reference_impl.cnn import conv_output_size, conv_param_count

TITLE = "Output shape and parameter count of a convolutional layer"
TAGS = ("shapes", "parameters", "stride", "padding", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("out_shape", Shape(3), label="(a)", points=1),
    Part("n_params", Integer(), label="(b)", points=1, uses=()),
]

MISTAKES = {
    "floor_rounded_up": "the fraction in the size formula was rounded up instead of down (floor forgotten)",
    "padding_once": "the padding $p$ was counted once ($H + p$) instead of on both sides ($H + 2p$)",
    "no_bias": "the $F$ biases were not counted",
    "no_input_channels": "the input channels $C$ were forgotten in the filter size ($k \\times k$ instead of $C \\times k \\times k$)",
}


def generate(rng):
    H = int(rng.integers(20, 65))
    params = {
        "C_in": int(rng.choice([3, 6, 16, 32, 64])),
        "H": H,
        "W": H if rng.random() < 0.5 else int(rng.integers(20, 65)),
        "F": int(rng.choice([6, 8, 16, 32, 64, 128])),
        "kernel": int(rng.choice([3, 5, 7])),
        "stride": int(rng.choice([2, 3, 4])),
        "padding": int(rng.choice([1, 2, 3])),
        "dilation": int(rng.choice([1, 1, 1, 2])),
    }
    span = [n + 2 * params["padding"] - params["dilation"] * (params["kernel"] - 1) - 1
            for n in (params["H"], params["W"])]
    if all(s % params["stride"] == 0 for s in span):
        raise Redraw("the stride divides: the floor would not matter")
    return params


def solve(p, work):
    k, s, pad, d = p["kernel"], p["stride"], p["padding"], p["dilation"]
    sizes = []
    for axis in ("H", "W"):
        n = p[axis]
        work.step(f"frac_{axis}", (n + 2 * pad - d * (k - 1) - 1) / s)
        if work.made("floor_rounded_up"):
            size = math.ceil((n + 2 * pad - d * (k - 1) - 1) / s) + 1
        elif work.made("padding_once"):
            size = conv_output_size(n + pad, k, s, 0, d)  # H + p, no padding on the other side
        else:
            size = conv_output_size(n, k, s, pad, d)
        sizes.append(work.step(f"out_{axis}", size))
    work.answer("out_shape", (p["F"], sizes[0], sizes[1]))
    C = 1 if work.made("no_input_channels") else p["C_in"]
    work.answer("n_params", conv_param_count(C, p["F"], k, bias=not work.made("no_bias")))


STEM = r"""
A convolutional layer receives an input of shape $C \times H \times W = {{ p.C_in }} \times {{ p.H }} \times {{ p.W }}$.
It has $F = {{ p.F }}$ filters of size $k \times k = {{ p.kernel }} \times {{ p.kernel }}$ (each with its own bias),
stride $s = {{ p.stride }}$ and zero padding $p = {{ p.padding }}$ on every side
{% if p.dilation > 1 %}
and dilation $d = {{ p.dilation }}$ (the kernel taps are $d$ pixels apart).
{% else %}
(no dilation, $d = 1$).
{% endif %}
The output size along each axis is
$$H_{out} = \left\lfloor \frac{H + 2p - d(k-1) - 1}{s} \right\rfloor + 1.$$

(a) Give the output shape $(F, H_{out}, W_{out})$.

(b) How many trainable parameters (weights and biases) does the layer have?
"""

SOLUTION = r"""
(a) Height: $\frac{ {{ p.H }} + 2 \cdot {{ p.padding }} - {{ p.dilation }} \cdot ({{ p.kernel }} - 1) - 1}{ {{ p.stride }} } = {{ s.frac_H | num(d) }}$,
so $H_{out} = \lfloor {{ s.frac_H | num(d) }} \rfloor + 1 = {{ s.out_H }}$.
Width: $\frac{ {{ p.W }} + 2 \cdot {{ p.padding }} - {{ p.dilation }} \cdot ({{ p.kernel }} - 1) - 1}{ {{ p.stride }} } = {{ s.frac_W | num(d) }}$,
so $W_{out} = \lfloor {{ s.frac_W | num(d) }} \rfloor + 1 = {{ s.out_W }}$.
The output has one channel per filter: ${{ key.out_shape }}$.

(b) Each filter spans all $C$ input channels: $C k^2 + 1 = {{ p.C_in }} \cdot {{ p.kernel }}^2 + 1$ parameters,
so $F (C k^2 + 1) = {{ p.F }} \cdot ({{ p.C_in }} \cdot {{ p.kernel }}^2 + 1) = {{ key.n_params }}$.
"""
