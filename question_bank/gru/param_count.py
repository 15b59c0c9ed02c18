"""Parameters of one GRU layer in a named convention: weights, biases, total."""

from quizgen.bank import Integer, Part
from reference_impl.gru import gru_param_count

TITLE = "Parameter count of a GRU layer (course, PyTorch, Keras reset_after)"
TAGS = ("parameters", "convention", "pytorch", "keras")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 0

PARTS = [
    Part("weights", Integer(), label="(a)"),
    Part("biases", Integer(), label="(b)", uses=()),
    Part("total", Integer(), label="(c)"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "no_input_weights": "the weights on $x_t$ were left out: $3 H \\cdot H$ instead of $3 H (H + D)$",
    "bias_convention": "the wrong number of bias vectors per block: one where the layer keeps an "
                       "input-side and a hidden-side bias, or two where it keeps one",
    "one_block": "only one gate block was counted instead of three (update, reset, candidate)",
    "four_blocks": "four blocks were counted, as in an LSTM, instead of the GRU's three",
}

CONVENTIONS = ("course", "pytorch", "keras_reset_after", "keras")
TWO_BIASES = ("pytorch", "keras_reset_after")
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
        conv = "keras" if conv in TWO_BIASES else "pytorch"
    total = gru_param_count(D, H, conv)
    weights = 3 * H * (H + D)
    biases = total - weights                          # 3H or 6H
    blocks = 1 if work.made("one_block") else 4 if work.made("four_blocks") else 3
    if work.made("no_input_weights"):
        weights -= 3 * H * D
    weights = work.answer("weights", weights * blocks // 3)
    biases = work.answer("biases", biases * blocks // 3)
    work.answer("total", weights + biases)


STEM = r"""
{% set conv = p.convention %}
A GRU layer reads inputs $x_t$ of size $D = {{ p.D }}$ and has hidden size $H = {{ p.H }}$.
It has three blocks (update gate, reset gate, candidate), each with weights on the input and on
the state.
{% if conv == "course" %}
It follows the course's convention, one bias per block:
$$u_t = \sigma(W_u [h_{t-1}, x_t] + b_u),\quad r_t = \sigma(W_r [h_{t-1}, x_t] + b_r),\quad
\hat{C}_t = \tanh(W_c [r_t \odot h_{t-1}, x_t] + b_c).$$
{% elif conv == "pytorch" %}
It is PyTorch's `torch.nn.GRU(input_size={{ p.D }}, hidden_size={{ p.H }})` (one layer, `bias=True`):
$$r = \sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}),\quad z = \sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz}),$$
$$n = \tanh\big(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})\big).$$
{% elif conv == "keras_reset_after" %}
It is Keras's `keras.layers.GRU({{ p.H }}, reset_after=True)` (the default since TensorFlow 2) on inputs
of size {{ p.D }}, with an input-side and a recurrent-side bias:
$$z = \sigma(x W_z + b_{z} + h U_z + b'_{z}),\quad r = \sigma(x W_r + b_{r} + h U_r + b'_{r}),\quad
n = \tanh\big(x W_n + b_{n} + r \odot (h U_n + b'_{n})\big).$$
{% else %}
It is Keras's `keras.layers.GRU({{ p.H }}, reset_after=False)` on inputs of size {{ p.D }}, one bias per block:
$$z = \sigma(x W_z + h U_z + b_z),\quad r = \sigma(x W_r + h U_r + b_r),\quad
n = \tanh\big(x W_n + (r \odot h) U_n + b_n\big).$$
{% endif %}
(a) How many weights (entries of weight matrices) does the layer have?

(b) How many biases?

(c) How many trainable parameters in total?
"""

SOLUTION = r"""
(a) Each of the 3 blocks has an $H \times D$ input matrix and an $H \times H$ state matrix:
$3 H (H + D) = 3 \cdot {{ p.H }} \cdot {{ p.H + p.D }} = {{ key.weights }}$.

(b) {{ "Two bias vectors (input side and hidden side)" if p.convention in ("pytorch", "keras_reset_after") else "One bias vector" }}
of size $H$ per block: ${{ key.biases }}$.

(c) ${{ a.weights | int }} + {{ a.biases | int }} = {{ key.total }}$.
"""
