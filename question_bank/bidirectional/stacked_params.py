"""Two stacked bidirectional layers: the first one's output size, then each layer's parameter count."""

from quizgen.bank import Integer, Part
from reference_impl.bidirectional import bidirectional_output_size, bidirectional_param_count

TITLE = "Stacked Bi-LSTM / Bi-GRU layers: output size and parameter counts"
TAGS = ("parameters", "bidirectional", "lstm", "gru", "convention")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 0

PARTS = [
    Part("out1", Integer(), label="(a)"),
    Part("params1", Integer(), label="(b)", uses=()),
    Part("params2", Integer(), label="(c)", uses=("out1",)),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "not_concatenated": "the output was taken as $H_1$, not $[\\overrightarrow{h}_t ; \\overleftarrow{h}_t]$ "
                        "of size $2 H_1$ (so layer 2's input size was wrong too)",
    "one_direction": "only one direction was counted: the backward direction has its own parameters",
    "bias_convention": "the wrong number of bias vectors per block: one where PyTorch keeps two, "
                       "or two where the course keeps one",
    "other_cell_blocks": "the other cell's number of blocks was used (3 for an LSTM or 4 for a GRU)",
}

DS = (8, 16, 20, 32, 50, 64, 100, 128, 300)
HS = (8, 16, 20, 32, 50, 64, 100, 128, 256)


def generate(rng):
    return {
        "D": int(rng.choice(DS)),
        "H1": int(rng.choice(HS)),
        "H2": int(rng.choice(HS)),
        "cell": str(rng.choice(("lstm", "gru"))),
        "convention": str(rng.choice(("course", "pytorch"))),
    }


def solve(p, work):
    cell, conv = p["cell"], p["convention"]
    if work.made("bias_convention"):
        conv = "course" if conv == "pytorch" else "pytorch"
    if work.made("other_cell_blocks"):
        cell = "gru" if cell == "lstm" else "lstm"
    half = 2 if work.made("one_direction") else 1
    out1 = p["H1"] if work.made("not_concatenated") else bidirectional_output_size(p["H1"])
    out1 = work.answer("out1", out1)
    work.answer("params1", bidirectional_param_count(p["D"], p["H1"], cell, conv) // half)
    # layer 2 reads layer 1's (returned) output size
    work.step("D2", out1)
    work.answer("params2", bidirectional_param_count(out1, p["H2"], cell, conv) // half)


STEM = r"""
{% set name = "LSTM" if p.cell == "lstm" else "GRU" %}
Two bidirectional {{ name }} layers are stacked. The first reads inputs $x_t$ of size $D = {{ p.D }}$ and has
hidden size $H_1 = {{ p.H1 }}$ per direction; the second reads the first one's outputs and has hidden size
$H_2 = {{ p.H2 }}$ per direction. Each layer runs a forward and a backward {{ name }}, each direction with its own
parameters, and outputs $h_t = [\overrightarrow{h}_t ; \overleftarrow{h}_t]$.
{% if p.convention == "course" %}
The cells follow the course's convention: each block acts on $[h_{t-1}, x_t]$ with one bias,
{% if p.cell == "lstm" %}e.g. $f_t = \sigma(W_f [h_{t-1}, x_t] + b_f)$ (blocks $f$, $i$, $\hat{C}$, $o$).{% else %}e.g. $u_t = \sigma(W_u [h_{t-1}, x_t] + b_u)$ (blocks $u$, $r$, $\hat{C}$).{% endif %}
{% else %}
The layers are PyTorch's `torch.nn.{{ name }}(..., bidirectional=True)`, with an input-side and a hidden-side bias
per block, {% if p.cell == "lstm" %}e.g. $f = \sigma(W_{if} x + b_{if} + W_{hf} h + b_{hf})$ (blocks $i$, $f$, $g$, $o$).{% else %}e.g. $z = \sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz})$ (blocks $r$, $z$, $n$).{% endif %}
{% endif %}


(a) What is the size of the first layer's output $h_t$?

(b) How many trainable parameters does the first layer have (both directions)?

(c) How many trainable parameters does the second layer have (both directions)?
"""

SOLUTION = r"""
{% set blocks = 4 if p.cell == "lstm" else 3 %}
{% set nb = "2 H_1" if p.convention == "pytorch" else "H_1" %}
(a) The two directions are concatenated: $2 H_1 = {{ key.out1 }}$.

(b) One direction: {{ blocks }} blocks of $H_1 (H_1 + D)$ weights and ${{ nb }}$ biases; twice that for two
directions: ${{ key.params1 }}$.

(c) The second layer's input size is the first one's output size, ${{ s.D2 | int }}$; the same count with
$D = {{ s.D2 | int }}$, $H = H_2$: ${{ key.params2 }}$.
"""
