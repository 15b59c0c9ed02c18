"""Parameters of one LSTM layer: one gate's, then the layer's, in a named convention."""

from quizgen.bank import Integer, Part
from reference_impl.lstm import lstm_param_count

TITLE = "Parameter count of an LSTM layer (course, PyTorch or Keras)"
TAGS = ("parameters", "convention", "pytorch", "keras")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 0

PARTS = [
    Part("gate", Integer(), label="(a)"),
    Part("total", Integer(), label="(b)"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "three_gates": "three weight blocks were counted, as in a GRU, instead of the LSTM's four",
    "bias_convention": "the wrong number of bias vectors per gate: one where PyTorch keeps two "
                       "($b_{i\\cdot}$ and $b_{h\\cdot}$), or two where the course and Keras keep one",
    "no_input_weights": "the weights on $x_t$ were left out: $H \\cdot H$ per gate instead of $H(H + D)$",
    "no_bias": "the biases were left out",
}

CONVENTIONS = ("course", "pytorch", "keras")
DS = (8, 10, 16, 20, 32, 50, 64, 100, 128, 300)
HS = (4, 8, 16, 20, 32, 50, 64, 100, 128, 256)


def generate(rng):
    return {
        "D": int(rng.choice(DS)),
        "H": int(rng.choice(HS)),
        "convention": str(rng.choice(CONVENTIONS)),
    }


def solve(p, work):
    D, H, conv = p["D"], p["H"], p["convention"]
    if work.made("bias_convention"):
        conv = "course" if conv == "pytorch" else "pytorch"
    gate = lstm_param_count(D, H, conv) // 4           # one gate: its weights and bias(es)
    n_bias = gate - H * (H + D)
    if work.made("no_input_weights"):
        gate -= H * D
    if work.made("no_bias"):
        gate -= n_bias
    work.step("weights", H * (H + D))
    work.step("biases", n_bias)
    gate = work.answer("gate", gate)
    blocks = 3 if work.made("three_gates") else 4
    work.answer("total", blocks * gate)


STEM = r"""
{% set conv = p.convention %}
An LSTM layer reads inputs $x_t$ of size $D = {{ p.D }}$ and has hidden size $H = {{ p.H }}$.
It has four gate blocks (forget $f_t$, input $i_t$, candidate $\hat{C}_t$, output $o_t$), each with
its own weights and biases;
{% if conv == "course" %}
in the course's convention each acts on the concatenation $[h_{t-1}, x_t]$ with one bias, e.g.
$$f_t = \sigma(W_f [h_{t-1}, x_t] + b_f).$$
{% elif conv == "pytorch" %}
the layer is PyTorch's `torch.nn.LSTM(input_size={{ p.D }}, hidden_size={{ p.H }})` (one layer, `bias=True`),
which computes, e.g. for the forget gate,
$$f_t = \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}).$$
{% else %}
the layer is Keras's `keras.layers.LSTM({{ p.H }})` on inputs of size {{ p.D }} (`use_bias=True`),
which computes, e.g. for the forget gate,
$$f_t = \sigma(x_t W_f + h_{t-1} U_f + b_f).$$
{% endif %}
(a) How many trainable parameters belong to the forget gate (its weights and biases)?

(b) How many trainable parameters does the whole layer have?
"""

SOLUTION = r"""
(a) The forget gate has weights on $h_{t-1}$ and $x_t$: $H(H + D) = {{ p.H }} \cdot {{ p.H + p.D }} = {{ s.weights | int }}$,
plus {{ "two bias vectors" if p.convention == "pytorch" else "one bias vector" }} of size $H$:
${{ s.biases | int }}$. Together ${{ key.gate }}$.

(b) Four gate blocks of that size: $4 \cdot {{ a.gate | int }} = {{ key.total }}$.
"""
