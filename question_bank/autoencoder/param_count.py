"""Trainable parameters of a dense autoencoder, with untied and with tied weights."""

from quizgen.bank import Integer, Part
from reference_impl.autoencoder import autoencoder_param_count

TITLE = "Parameter count of a dense autoencoder (untied and tied)"
TAGS = ("architecture", "parameters", "tied-weights", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 0

PARTS = [
    Part("untied", Integer(), label="(a) untied", points=1),
    Part("tied", Integer(), label="(b) tied", points=1, uses=()),
]

MISTAKES = {
    "no_biases": "the biases were forgotten: only the weights $n_{in} n_{out}$ were counted",
    "decoder_forgotten": "only the encoder (input to code) was counted; the decoder was forgotten",
    "tied_counted_twice": "with tied weights the shared matrices were still counted for the decoder too",
}

INPUTS = (64, 100, 256, 784)          # 8x8, 10x10, 16x16 and 28x28 images, flattened
WIDTHS = (8, 16, 20, 32, 50, 64, 128)


def generate(rng):
    D = int(rng.choice(INPUTS))
    n_hidden = int(rng.integers(1, 3))        # 1: D-K-D; 2: D-H-K-H-D
    below = sorted((w for w in WIDTHS if w < D), reverse=True)
    encoder = [D] + sorted((int(w) for w in rng.choice(below, size=n_hidden, replace=False)),
                           reverse=True)
    return {"layer_sizes": encoder + encoder[-2::-1]}


def _weights_only(sizes, tied):
    """The count with every bias left out (the mistake no_biases)."""
    biases = sum(sizes[1:])
    return autoencoder_param_count(sizes, tied=tied) - biases


def solve(p, work):
    sizes = [int(s) for s in p["layer_sizes"]]
    encoder = sizes[: len(sizes) // 2 + 1]
    for tied, part in ((False, "untied"), (True, "tied")):
        if work.made("decoder_forgotten"):
            count = autoencoder_param_count(encoder)
        elif work.made("no_biases"):
            count = _weights_only(sizes, tied)
        elif work.made("tied_counted_twice"):
            count = autoencoder_param_count(sizes, tied=False)
        else:
            count = autoencoder_param_count(sizes, tied=tied)
        work.answer(part, count)
    work.step("weights", _weights_only(sizes, tied=False))
    work.step("enc_weights", _weights_only(sizes, tied=True))
    work.step("biases", sum(sizes[1:]))


STEM = r"""
A fully connected autoencoder has the layer widths
$$ {{ p.layer_sizes | join(" \\to ") }} $$
{% if p.layer_sizes | length == 3 %}(input, code, reconstruction){% else %}(input, hidden layer, code, hidden layer,
reconstruction){% endif %}. Every layer computes $y = f(W x + b)$ with a
weight matrix $W$ of shape $n_{out} \times n_{in}$ and its own bias vector $b$ of length $n_{out}$.

(a) How many trainable parameters does it have when every layer has its own weights (untied)?

(b) How many when the weights are **tied**: each decoder layer uses the transpose $W^T$ of its mirror
encoder layer's matrix, while every layer (decoder layers included) keeps its own bias?

Give whole numbers.
"""

SOLUTION = r"""
Each layer $n_{in} \to n_{out}$ has $n_{in} n_{out}$ weights and $n_{out}$ biases.

(a) Weights of all layers: ${{ s.weights | int }}$; biases: ${{ s.biases | int }}$
(every width after the input). Total: ${{ key.untied }}$.

(b) Tied: the decoder's matrices are the encoder's, transposed, so only the encoder's
${{ s.enc_weights | int }}$ weights count, plus all ${{ s.biases | int }}$ biases: ${{ key.tied }}$.
"""
