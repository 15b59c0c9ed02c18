"""Seq2seq training: the teacher-forced loss of a two-step decoder, by hand."""

import numpy as np

from quizgen.bank import Number, Part, draw
from reference_impl.activations import softmax
from reference_impl.rnn import cross_entropy, rnn_step_forward

TITLE = "Seq2seq: the teacher-forcing loss of a two-step decoder"
TAGS = ("forward", "encoder-decoder", "softmax", "cross-entropy", "teacher-forcing", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
VOCAB = ("START", "END", "yes", "no")
START = 0

PARTS = [
    Part("s1", Number(4), label="s_1"),
    Part("L1", Number(4), label="L_1"),
    Part("s2", Number(4), label="s_2", uses=("s1",)),
    Part("L", Number(4), label="L"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "fed_prediction": "the decoder was fed its own prediction $\\arg\\max \\hat{y}_1$ at step 2 "
                      "(as at inference) instead of the reference $y_1$ (teacher forcing)",
    "log10": "the loss used $\\log_{10}$ instead of the natural logarithm",
    "target_is_input": "each step's loss was taken at the input token $u_j$ instead of the target $y_j$",
    "decoder_from_zero": "the decoder started from $s_0 = 0$ instead of the context $c$",
}


def generate(rng):
    V = len(VOCAB)
    y1 = int(rng.integers(2, V))                              # yes or no
    y2 = int(rng.integers(1, V))                              # END, yes or no
    return {
        "c": float(draw.decimals(rng, (), -0.9, 0.9)),
        "targets_in": np.array([START, y1]),
        "targets_out": np.array([y1, y2]),
        "dec_params": {"E": draw.decimals(rng, (V, 1), -1, 1), "W_xh": draw.decimals(rng, (1, 1), -1, 1),
                       "W_hh": draw.decimals(rng, (1, 1), -1, 1), "b_h": draw.decimals(rng, 1, -0.5, 0.5),
                       "W_hy": draw.decimals(rng, (V, 1), -2, 2), "b_y": draw.decimals(rng, V, -0.5, 0.5)},
    }


def _decoder_step(work, j, dec, token, s_prev):
    """s_j from s_{j-1} and the input token u_j, by hand: the pre-activation a_j written down, then tanh."""
    _, cache = rnn_step_forward(dec["E"][token], np.array([s_prev]), dec["W_xh"], dec["W_hh"], dec["b_h"])
    a = work.step(f"a{j}", float(cache["a"][0]))
    return work.answer(f"s{j}", float(np.tanh(a))), a


def _probabilities(work, j, dec, s):
    """y^_j from the returned s_j, by hand: the logits, each e^{z_i} and their sum, then each share."""
    z = work.step(f"z{j}", (np.array([[s]]) @ dec["W_hy"].T + dec["b_y"])[0])
    e = work.step(f"exp_z{j}", np.exp(z))
    e_sum = work.step(f"exp_sum{j}", float(np.sum(e)))
    # the reference softmax, moved by whatever rounding e^{z_i} and their sum did (exactly:
    # nothing, so the key stays the reference's bit for bit)
    y_hat = softmax(z) + (e / e_sum - np.exp(z) / float(np.sum(np.exp(z))))
    return work.step(f"y_hat{j}", y_hat)


def _loss(work, y_hat, target):
    loss = float(cross_entropy(y_hat[None, :], np.array([target]))[0])
    return loss / np.log(10) if work.made("log10") else loss


def solve(p, work):
    dec = p["dec_params"]
    u, y = [int(v) for v in p["targets_in"]], [int(v) for v in p["targets_out"]]
    key_draw = work.is_key       # judge the draw by its own key only
    s0 = 0.0 if work.made("decoder_from_zero") else p["c"]
    targets = u if work.made("target_is_input") else y

    s1, a1 = _decoder_step(work, 1, dec, u[0], s0)
    y_hat1 = _probabilities(work, 1, dec, s1)
    L1 = work.answer("L1", _loss(work, y_hat1, targets[0]))

    predicted = int(np.argmax(y_hat1))
    u2 = predicted if work.made("fed_prediction") else u[1]
    s2, a2 = _decoder_step(work, 2, dec, u2, s1)
    y_hat2 = _probabilities(work, 2, dec, s2)
    L2 = work.step("L2", _loss(work, y_hat2, targets[1]))
    work.answer("L", L1 + L2)
    if key_draw:
        if max(abs(a1), abs(a2)) > 3:
            work.reject("a decoder pre-activation saturates tanh")
        if predicted == u[1]:
            work.reject("the model already predicts y_1: feeding the prediction would hide teacher forcing")
        if min(abs(s1), abs(s2)) < 0.05:
            work.reject("a decoder state vanishes")


STEM = r"""
{% set V = ["START", "END", "yes", "no"] %}
The decoder of an encoder-decoder RNN has a scalar state ($H = 1$). It starts from the encoder's context
$s_0 = c = {{ p.c | tex }}$ and, at step $j$, reads the input token $u_j$ through its embedding $e_{u_j}$ (one number per token):
$$s_j = \tanh(W_{hh} s_{j-1} + W_{xh} e_{u_j} + b),\qquad \hat{y}_j = \mathrm{softmax}(W_{hy} s_j + b_y),$$
with $W_{xh} = {{ p.dec_params.W_xh[0][0] | tex }}$, $W_{hh} = {{ p.dec_params.W_hh[0][0] | tex }}$, $b = {{ p.dec_params.b_h[0] | tex }}$.
The vocabulary is (0) START, (1) END, (2) yes, (3) no, in that order, with
$$e = {{ p.dec_params.E | tex }},\quad W_{hy} = {{ p.dec_params.W_hy | tex }},\quad b_y = {{ p.dec_params.b_y | tex }}.$$
The model is trained with teacher forcing on the reference output $y_1 y_2$ = {{ V[p.targets_out[0]] }} {{ V[p.targets_out[1]] }}:
the decoder's input at each step is the previous REFERENCE token, $u_1$ = START and $u_2 = y_1$, and the loss is
$$L = L_1 + L_2,\qquad L_j = -\ln \hat{y}_j[y_j].$$
Compute $s_1$, $L_1$, $s_2$ and $L$. Round to {{ d }} decimals.
"""

SOLUTION = r"""
{% set V = ["START", "END", "yes", "no"] %}
{% set y1 = p.targets_out[0] %}{% set y2 = p.targets_out[1] %}
Step 1, input START ($e = {{ p.dec_params.E[0][0] | tex }}$): $a_1 = W_{hh} c + W_{xh} e + b = {{ s.a1 | tex(d) }}$, so $s_1 = \tanh a_1 = {{ key.s1 }}$.
The logits are $z_1 = W_{hy} s_1 + b_y = {{ s.z1 | row(d) }}$, with $e^{z_1} = {{ s.exp_z1 | row(d) }}$ summing to ${{ s.exp_sum1 | num(d) }}$,
so $\hat{y}_1 = {{ s.y_hat1 | row(d) }}$; $\hat{y}_1[\text{ {{- V[y1] -}} }] = {{ s.y_hat1[y1] | num(d) }}$ and
$L_1 = -\ln {{ s.y_hat1[y1] | num(d) }} = {{ key.L1 }}$.

Step 2, teacher forcing feeds the reference $y_1$ = {{ V[p.targets_in[1]] }} ($e = {{ p.dec_params.E[p.targets_in[1]][0] | tex }}$), even though
the model's most probable token was {{ V[s.y_hat1.argmax()] }}: $a_2 = W_{hh} s_1 + W_{xh} e + b = {{ s.a2 | tex(d) }}$, so $s_2 = \tanh a_2 = {{ key.s2 }}$.
The logits are $z_2 = {{ s.z2 | row(d) }}$, with $e^{z_2} = {{ s.exp_z2 | row(d) }}$ summing to ${{ s.exp_sum2 | num(d) }}$,
so $\hat{y}_2 = {{ s.y_hat2 | row(d) }}$; $\hat{y}_2[\text{ {{- V[y2] -}} }] = {{ s.y_hat2[y2] | num(d) }}$ and
$L_2 = -\ln {{ s.y_hat2[y2] | num(d) }} = {{ s.L2 | tex(d) }}$.

Total: $L = L_1 + L_2 = {{ a.L1 | num(d) }} + {{ s.L2 | num(d) }} = {{ key.L }}$.
"""
