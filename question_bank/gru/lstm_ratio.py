"""How many parameters a GRU layer has relative to an LSTM layer of the same sizes."""

from quizgen.bank import Integer, Number, Part
from reference_impl.gru import gru_param_count
from reference_impl.lstm import lstm_param_count

TITLE = "GRU versus LSTM: parameter counts and their ratio"
TAGS = ("parameters", "comparison", "lstm", "convention")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("n_gru", Integer(), label=r"(a)"),
    Part("n_lstm", Integer(), label=r"(b)", uses=()),
    Part("ratio", Number(4), label=r"(c)"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "ratio_inverted": "the ratio was inverted: LSTM over GRU",
    "fraction_saved": "the fraction saved, $(N_{LSTM} - N_{GRU}) / N_{LSTM}$, was given instead of the ratio",
    "gates_only": "only the gates were counted (2 blocks for the GRU, 3 for the LSTM), "
                  "not the candidate block",
}

# (GRU convention, LSTM convention): both from the course, both PyTorch, or as a framework ships them.
PAIRS = (("course", "course"), ("pytorch", "pytorch"), ("keras_reset_after", "keras"),
         ("keras", "keras"), ("pytorch", "keras"), ("course", "pytorch"))
DS = (8, 10, 16, 20, 32, 50, 64, 100, 128, 300)
HS = (4, 8, 16, 20, 32, 50, 64, 100, 128, 256)


def generate(rng):
    gru, lstm = PAIRS[int(rng.integers(len(PAIRS)))]
    return {"D": int(rng.choice(DS)), "H": int(rng.choice(HS)), "gru": gru, "lstm": lstm}


def solve(p, work):
    D, H = p["D"], p["H"]
    n_gru, n_lstm = gru_param_count(D, H, p["gru"]), lstm_param_count(D, H, p["lstm"])
    if work.made("gates_only"):                       # one block in three (four) left out
        n_gru, n_lstm = n_gru * 2 // 3, n_lstm * 3 // 4
    n_gru = work.answer("n_gru", n_gru)
    n_lstm = work.answer("n_lstm", n_lstm)
    if work.made("ratio_inverted"):
        ratio = n_lstm / n_gru
    elif work.made("fraction_saved"):
        ratio = (n_lstm - n_gru) / n_lstm
    else:
        ratio = n_gru / n_lstm
    work.answer("ratio", ratio)


STEM = r"""
{% macro gru_eq(c) -%}
{% if c == "course" %}the course's GRU, one bias per block:
$\hat{C}_t = \tanh(W_c [r_t \odot h_{t-1}, x_t] + b_c)$ (likewise $u_t$, $r_t$ with $\sigma$)
{%- elif c == "pytorch" %}PyTorch's `torch.nn.GRU`, an input-side and a hidden-side bias per block:
$n = \tanh(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn}))$ (likewise $r$, $z$ with $\sigma$)
{%- elif c == "keras_reset_after" %}Keras's `GRU(reset_after=True)` (the default), an input-side and a recurrent-side bias per block:
$n = \tanh(x W_n + b_n + r \odot (h U_n + b'_n))$ (likewise $z$, $r$)
{%- else %}Keras's `GRU(reset_after=False)`, one bias per block:
$n = \tanh(x W_n + (r \odot h) U_n + b_n)$ (likewise $z$, $r$)
{%- endif %}
{%- endmacro %}
{% macro lstm_eq(c) -%}
{% if c == "course" %}the course's LSTM, one bias per block:
$f_t = \sigma(W_f [h_{t-1}, x_t] + b_f)$ (likewise $i_t$, $\hat{C}_t$, $o_t$)
{%- elif c == "pytorch" %}PyTorch's `torch.nn.LSTM`, two biases per block:
$f = \sigma(W_{if} x + b_{if} + W_{hf} h + b_{hf})$ (likewise $i$, $g$, $o$)
{%- else %}Keras's `LSTM`, one bias per block:
$f = \sigma(x W_f + h U_f + b_f)$ (likewise $i$, $c$, $o$)
{%- endif %}
{%- endmacro %}
Two recurrent layers read inputs of size $D = {{ p.D }}$ and have hidden size $H = {{ p.H }}$:

- a GRU layer, {{ gru_eq(p.gru) }};
- an LSTM layer, {{ lstm_eq(p.lstm) }}.

(a) How many trainable parameters does the GRU layer have? (b) And the LSTM layer?
(c) What is the ratio $N_{GRU} / N_{LSTM}$? Round (c) to {{ d }} decimals.
"""

SOLUTION = r"""
(a) The GRU has 3 blocks, each with $H(H + D) = {{ p.H * (p.H + p.D) }}$ weights and
{{ "2H" if p.gru in ("pytorch", "keras_reset_after") else "H" }} biases: $N_{GRU} = {{ key.n_gru }}$.

(b) The LSTM has 4 blocks, each with $H(H + D)$ weights and
{{ "2H" if p.lstm == "pytorch" else "H" }} biases: $N_{LSTM} = {{ key.n_lstm }}$.

(c) $N_{GRU} / N_{LSTM} = {{ a.n_gru | int }} / {{ a.n_lstm | int }} = {{ key.ratio }}$
{% if (p.gru in ("pytorch", "keras_reset_after")) == (p.lstm == "pytorch") %}(exactly $3/4$: the same bias convention on both sides, three blocks against four){% else %}(not exactly $3/4$: the two layers keep a different number of biases per block){% endif %}.
"""
