"""Parameters and multiply-accumulates (MACs) of one convolutional layer."""

from quizgen.bank import Integer, Part
from reference_impl.cnn import conv_macs, conv_output_size, conv_param_count

TITLE = "Parameter count and MACs of a convolutional layer"
TAGS = ("parameters", "macs", "compute", "shapes", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("n_params", Integer(), label="(a)", points=1),
    Part("H_out", Integer(), label="(b)", points=1, uses=()),
    Part("macs", Integer(), label="(c)", points=1, uses=("H_out",)),
]

MISTAKES = {
    "no_bias": "the $F$ biases were not counted",
    "no_input_channels": "the input channels were forgotten: a filter was taken as $k \\times k$ instead of $C_{in} \\times k \\times k$",
    "macs_one_filter": "the MACs of a single output channel were given ($F$ forgotten)",
    "bias_in_macs": "the connections (weights plus bias per output value) were counted instead of the multiply-accumulates",
}


def generate(rng):
    kernel = int(rng.choice([1, 3, 5, 7]))
    return {
        "C_in": int(rng.choice([3, 16, 32, 64, 96, 128])),
        "H": int(rng.choice([14, 16, 27, 28, 32, 56, 64])),
        "F": int(rng.choice([16, 32, 64, 128, 256])),
        "kernel": kernel,
        "stride": int(rng.integers(1, 3)),
        "padding": kernel // 2,
    }


def solve(p, work):
    C = 1 if work.made("no_input_channels") else p["C_in"]
    F, k = p["F"], p["kernel"]
    work.answer("n_params", conv_param_count(C, F, k, bias=not work.made("no_bias")))

    H_out = work.answer("H_out", conv_output_size(p["H"], k, p["stride"], p["padding"]))
    filters = 1 if work.made("macs_one_filter") else F
    macs = conv_macs(C, filters, k, H_out)                # from H_out as answered
    if work.made("bias_in_macs"):
        macs += filters * H_out * H_out
    work.step("per_output", C * k * k)
    work.answer("macs", macs)


STEM = r"""
A convolutional layer takes a $C_{in} \times H \times H = {{ p.C_in }} \times {{ p.H }} \times {{ p.H }}$ input and has
$F = {{ p.F }}$ filters of size $k \times k = {{ p.kernel }} \times {{ p.kernel }}$, each with one bias, stride
$s = {{ p.stride }}$ and zero padding $p = {{ p.padding }}$, so
$H_{out} = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1$ along each axis.
One multiply-accumulate (MAC) is one product $w \cdot x$ added to a running sum; bias additions are not MACs.
Count the products with padded zeros too: every output value takes its whole $C_{in} \times k \times k$ window,
also where the window hangs over the padding (as a dense convolution computes it).

(a) How many trainable parameters does the layer have?

(b) Give the output height $H_{out}$ (the output is square).

(c) How many MACs does the layer perform on one input image?
"""

SOLUTION = r"""
(a) Each filter spans all input channels: $C_{in} k^2 + 1 = {{ p.C_in }} \cdot {{ p.kernel }}^2 + 1$
parameters, so $F (C_{in} k^2 + 1) = {{ key.n_params }}$.

(b) $H_{out} = \left\lfloor \frac{ {{ p.H }} + 2 \cdot {{ p.padding }} - {{ p.kernel }} }{ {{ p.stride }} } \right\rfloor + 1 = {{ key.H_out }}$.

(c) Every one of the $F \cdot H_{out}^2$ output values takes $C_{in} k^2 = {{ s.per_output }}$ MACs:
$F \cdot H_{out}^2 \cdot C_{in} k^2 = {{ key.macs }}$.
"""
