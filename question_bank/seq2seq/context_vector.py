"""Encoder-decoder RNN: the context vector c = h_T and one greedy decoder step, by hand."""

import numpy as np

from quizgen.bank import Integer, Number, Part, Vector, draw
from reference_impl.rnn import output_forward, rnn_step_forward
from reference_impl.seq2seq import greedy_decode

TITLE = "Seq2seq: context vector and one greedy decoding step"
TAGS = ("forward", "encoder-decoder", "softmax", "greedy", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
VOCAB = ("START", "END", "yes", "no")
START = 0

PARTS = [
    Part("c", Number(4), label="c"),
    Part("s1", Number(4), label="s_1"),
    Part("y_hat", Vector(len(VOCAB)), label=r"\hat{y}_1"),
    Part("token", Integer(), label="u_2"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "softmax_forgotten": "the logits $z_1$ were given as the probabilities (softmax forgotten)",
    "decoder_from_zero": "the decoder started from $s_0 = 0$ instead of the context $c$",
    "encoder_no_recurrence": "the encoder's term $W^{enc}_{hh} h_{t-1}$ was left out",
}


def generate(rng):
    V = len(VOCAB)
    T = int(rng.integers(2, 4))
    def scalar():  # a (1, 1) weight: H = D = 1
        return draw.decimals(rng, (1, 1), -1, 1)

    return {
        "x": draw.integers(rng, (T, 1), -2, 2, nonzero=True),
        "enc_params": {"W_xh": scalar(), "W_hh": scalar(), "b_h": draw.decimals(rng, 1, -0.5, 0.5)},
        "dec_params": {"E": draw.decimals(rng, (V, 1), -1, 1), "W_xh": scalar(), "W_hh": scalar(),
                       "b_h": draw.decimals(rng, 1, -0.5, 0.5),
                       "W_hy": draw.decimals(rng, (V, 1), -2, 2), "b_y": draw.decimals(rng, V, -0.5, 0.5)},
    }


def solve(p, work):
    enc, dec = p["enc_params"], p["dec_params"]
    W_hh = 0 * enc["W_hh"] if work.made("encoder_no_recurrence") else enc["W_hh"]
    h = np.zeros(1)                                        # h_0 = 0
    for t in range(1, len(p["x"]) + 1):
        h_t, cache = rnn_step_forward(p["x"][t - 1], h, enc["W_xh"], W_hh, enc["b_h"])
        if abs(cache["a"][0]) > 3:
            work.reject("an encoder pre-activation saturates tanh")
        h = np.array([work.step(f"h{t}", float(h_t[0]))])
    c = work.answer("c", float(h[0]))                       # the context is the last state

    s0 = np.zeros(1) if work.made("decoder_from_zero") else np.array([c])
    _, _, states = greedy_decode(None, None, dec, START, max_len=1, context=s0)
    work.step("a_dec", float(dec["W_hh"][0, 0] * s0[0] + dec["W_xh"][0, 0] * dec["E"][START, 0]
                             + dec["b_h"][0]))
    s1 = work.answer("s1", float(states[0, 0]))

    y_hat, out = output_forward(np.array([[s1]]), dec["W_hy"], dec["b_y"])
    z = work.step("z", out["z"][0])
    y_hat = work.answer("y_hat", z if work.made("softmax_forgotten") else y_hat[0])
    token = work.answer("token", int(np.argmax(y_hat)))
    if work.is_key:
        top2 = np.sort(y_hat)[-2:]
        if top2[1] - top2[0] < 0.02:
            work.reject("two tokens are nearly tied")
        if token == START:
            work.reject("the decoder would emit the start token")
        if abs(c) < 0.05 or abs(s1) < 0.05:
            work.reject("an answer vanishes")


STEM = r"""
An encoder-decoder RNN has scalar states ($H = 1$). The encoder reads $x_1, \ldots, x_T$ =
{% for row in p.x %}${{ row[0] | tex }}${{ ", " if not loop.last else "" }}{% endfor %} from $h_0 = 0$:
$$h_t = \tanh(W^{enc}_{hh} h_{t-1} + W^{enc}_{xh} x_t + b^{enc}),\qquad
W^{enc}_{xh} = {{ p.enc_params.W_xh[0][0] | tex }},\; W^{enc}_{hh} = {{ p.enc_params.W_hh[0][0] | tex }},\; b^{enc} = {{ p.enc_params.b_h[0] | tex }},$$
and its context vector is the last state, $c = h_T$. The decoder starts from $s_0 = c$ and the
start token START ($u_1$); with the token embeddings $e_u$ (one number per token) it computes
$$s_1 = \tanh(W^{dec}_{hh} s_0 + W^{dec}_{xh} e_{u_1} + b^{dec}),\qquad \hat{y}_1 = \mathrm{softmax}(W_{hy} s_1 + b_y),$$
$$W^{dec}_{xh} = {{ p.dec_params.W_xh[0][0] | tex }},\; W^{dec}_{hh} = {{ p.dec_params.W_hh[0][0] | tex }},\; b^{dec} = {{ p.dec_params.b_h[0] | tex }}.$$
The vocabulary is (0) START, (1) END, (2) yes, (3) no, in that order, with
$$e = {{ p.dec_params.E | tex }},\quad W_{hy} = {{ p.dec_params.W_hy | tex }},\quad b_y = {{ p.dec_params.b_y | tex }}.$$
Compute the context $c$, the decoder state $s_1$, the probabilities $\hat{y}_1$ (4 numbers) and the
index of the token $u_2$ that greedy decoding emits next (the most probable one).
Round to {{ d }} decimals.
"""

SOLUTION = r"""
Encoder: {% for row in p.x %}$h_{ {{- loop.index -}} } = {{ s["h" ~ loop.index] | tex(d) }}${{ ", " if not loop.last else "" }}{% endfor %}, so $c = h_T = {{ key.c }}$.

Decoder, from $s_0 = c$ with the embedding of START, $e_0 = {{ p.dec_params.E[0][0] | tex }}$:
$W^{dec}_{hh} c + W^{dec}_{xh} e_0 + b^{dec} = {{ s.a_dec | tex(d) }}$, so $s_1 = {{ key.s1 }}$.

Logits $z_1 = W_{hy} s_1 + b_y = {{ s.z | tex(d) }}$; $\hat{y}_1 = \mathrm{softmax}(z_1) = {{ key.y_hat }}$.

Greedy decoding emits the most probable token: $u_2 = {{ key.token }}$ ({{ ["START", "END", "yes", "no"][a.token] }}).
"""
