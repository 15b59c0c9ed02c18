"""Receptive field of a stack of three convolution / pooling layers, layer by layer."""

import math

from quizgen.bank import Integer, Part
from reference_impl.cnn import receptive_field

TITLE = "Receptive field of a stack of conv and pooling layers"
TAGS = ("receptive-field", "stride", "dilation", "pooling", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("r2", Integer(), label="r_2", points=1),
    Part("r3", Integer(), label="r_3", points=1),
    Part("jump", Integer(), label="J_3", points=1, uses=()),
]

MISTAKES = {
    "strides_ignored": "the strides of the earlier layers were ignored: $r = 1 + \\sum_l d_l (k_l - 1)$",
    "own_stride_included": "each layer's term was multiplied by the jump after that layer (its own stride included) instead of the jump before it",
    "k_not_k_minus_one": "each layer was taken to add $d_l (k_l - 1) + 1$ (its whole window) times the jump instead of $d_l (k_l - 1)$",
}


def generate(rng):
    first = ("conv", int(rng.choice([3, 5, 7])), int(rng.integers(1, 3)), 1)
    if rng.random() < 0.5:
        second = ("max-pool", int(rng.integers(2, 4)), 2, 1)
    else:
        second = ("conv", int(rng.choice([3, 5])), 2, 1)
    if rng.random() < 0.3:
        third = ("conv", 3, 1, 2)                                 # a dilated conv
    elif rng.random() < 0.5:
        third = ("max-pool", 2, 2, 1)
    else:
        third = ("conv", int(rng.choice([3, 5])), 1, 1)
    names, kernels, strides, dilations = zip(first, second, third)
    return {"names": list(names), "kernels": list(kernels), "strides": list(strides),
            "dilations": list(dilations)}


def solve(p, work):
    ks, ss, ds = list(p["kernels"]), list(p["strides"]), list(p["dilations"])
    if work.made("strides_ignored"):
        ss = [1, 1, 1]
    ref = receptive_field(list(zip(ks, ss, ds)))        # [(r, jump) after each layer]
    jumps_before = [1] + [row.jump for row in ref[:-1]]
    increments = [b.r - a.r for a, b in zip([ref[0]._replace(r=1)] + ref[:-1], ref)]  # d_l (k_l - 1) J_{l-1}
    if work.made("own_stride_included"):
        increments = [d * (k - 1) * row.jump for k, d, row in zip(ks, ds, ref)]
    elif work.made("k_not_k_minus_one"):
        increments = [(d * (k - 1) + 1) * j for k, d, j in zip(ks, ds, jumps_before)]
    r1 = work.step("r1", 1 + increments[0])
    for name, jump in zip(("J0", "J1", "J2"), jumps_before):
        work.step(name, jump)
    r2 = work.answer("r2", r1 + increments[1])
    work.answer("r3", r2 + increments[2])                    # from r_2 as answered
    work.answer("jump", math.prod(p["strides"]))


STEM = r"""
A stack of three layers is applied to an image (the padding does not change a receptive field's size):

{% for i in range(3) %}
{{ i + 1 }}. {{ p.names[i] }}, kernel $k_{{ i + 1 }} = {{ p.kernels[i] }}$, stride $s_{{ i + 1 }} = {{ p.strides[i] }}${% if p.dilations[i] > 1 %}, dilation $d_{{ i + 1 }} = {{ p.dilations[i] }}$ (taps {{ p.dilations[i] }} pixels apart){% endif %}

{% endfor %}

Along one axis, the receptive field $r_l$ of a unit after layer $l$ and the jump $J_l$ (input pixels between
two neighbouring units of layer $l$) follow, from $r_0 = 1$ and $J_0 = 1$,
$$r_l = r_{l-1} + d_l (k_l - 1)\, J_{l-1}, \qquad J_l = J_{l-1}\, s_l$$
($d_l = 1$ for an undilated layer). Give (a) $r_2$, (b) $r_3$ and (c) $J_3$.
"""

SOLUTION = r"""
$r_1 = 1 + {{ p.dilations[0] }} \cdot ({{ p.kernels[0] }} - 1) \cdot 1 = {{ s.r1 }}$ and $J_1 = {{ p.strides[0] }}$.

(a) $r_2 = r_1 + {{ p.dilations[1] }} \cdot ({{ p.kernels[1] }} - 1) \cdot J_1 = {{ s.r1 }} + {{ p.dilations[1] * (p.kernels[1] - 1) }} \cdot {{ s.J1 }} = {{ key.r2 }}$,
and $J_2 = J_1 s_2 = {{ s.J2 }}$.

(b) $r_3 = r_2 + {{ p.dilations[2] }} \cdot ({{ p.kernels[2] }} - 1) \cdot J_2 = {{ key.r3 }}$.

(c) $J_3 = s_1 s_2 s_3 = {{ key.jump }}$.
"""
