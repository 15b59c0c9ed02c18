"""Compression ratio of an autoencoder's code: in numbers of values, and in bits."""

from quizgen.bank import Integer, Number, Part
from reference_impl.autoencoder import compression_ratio

TITLE = "Compression ratio of an autoencoder's code"
TAGS = ("bottleneck", "compression", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("ratio", Number(4), label="(a) ratio", points=1),
    Part("bits_in", Integer(), label="(b) input bits", points=1, uses=()),
    Part("bits_code", Integer(), label="(b) code bits", points=1, uses=()),
    Part("ratio_bits", Number(4), label="(c) ratio in bits", points=1, uses=("bits_in", "bits_code")),
]

MISTAKES = {
    "inverted": "the ratio was taken the wrong way round (code size / input size)",
    "channels_forgotten": "the input size was taken as $H \\times W$, forgetting the 3 colour channels",
    "space_saving": "the space saving $1 - \\text{code}/\\text{input}$ was given instead of the ratio",
    "code_bits_as_pixel_bits": "each code value was counted with the pixel's bits instead of its own",
}


def generate(rng):
    side = int(rng.choice([16, 28, 32, 64]))
    return {
        "H": side, "W": side, "C": 3,
        "code_dim": int(rng.choice([16, 24, 32, 48, 64, 100, 128, 256])),
        "pixel_bits": 8,
        "code_bits": int(rng.choice([16, 32])),
    }


def solve(p, work):
    channels = 1 if work.made("channels_forgotten") else p["C"]
    input_dim = work.step("input_dim", p["H"] * p["W"] * channels)
    code_bits = p["pixel_bits"] if work.made("code_bits_as_pixel_bits") else p["code_bits"]

    def ratio(big, small):
        if work.made("inverted"):
            return compression_ratio(small, big)
        if work.made("space_saving"):
            return 1 - 1 / compression_ratio(big, small)
        return compression_ratio(big, small)

    work.answer("ratio", ratio(input_dim, p["code_dim"]))
    bits_in = work.answer("bits_in", input_dim * p["pixel_bits"])
    bits_code = work.answer("bits_code", p["code_dim"] * code_bits)
    work.answer("ratio_bits", ratio(bits_in, bits_code))


STEM = r"""
An undercomplete autoencoder compresses colour images of ${{ p.H }} \times {{ p.W }}$ pixels with
$C = {{ p.C }}$ channels, flattened into one input vector $x$, to a code (bottleneck) $z$ of
${{ p.code_dim }}$ values. Each input value is stored with {{ p.pixel_bits }} bits; each code value is
a {{ p.code_bits }}-bit floating-point number.

(a) What is the compression ratio $\dfrac{\text{input dimension}}{\text{code dimension}}$?

(b) How many bits does one input take, and how many bits does its code take?

(c) What is the compression ratio in bits, $\dfrac{\text{input bits}}{\text{code bits}}$?

Round the ratios to {{ d }} decimals.
"""

SOLUTION = r"""
The input dimension is $H \cdot W \cdot C = {{ p.H }} \cdot {{ p.W }} \cdot {{ p.C }} = {{ s.input_dim | int }}$.

(a) Ratio $= {{ s.input_dim | int }} / {{ p.code_dim }} = {{ key.ratio }}$.

(b) Input: ${{ s.input_dim | int }} \cdot {{ p.pixel_bits }} = {{ key.bits_in }}$ bits;
code: ${{ p.code_dim }} \cdot {{ p.code_bits }} = {{ key.bits_code }}$ bits.

(c) Ratio in bits $= {{ key.bits_in }} / {{ key.bits_code }} = {{ key.ratio_bits }}$: the code's wider
numbers eat part of the saving measured in values.
"""
