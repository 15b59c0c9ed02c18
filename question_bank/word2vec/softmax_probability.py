"""Skip-gram: scores, the softmax probability p(o|c) and the negative-sampling loss, by hand."""

import numpy as np

from quizgen.bank import Number, Part, Vector, draw, handwork
from reference_impl.activations import log_sigmoid, sigmoid, softmax
from reference_impl.word2vec import skipgram_softmax_forward

TITLE = "Skip-gram: softmax probability and negative-sampling loss"
TAGS = ("word2vec", "skip-gram", "softmax", "negative-sampling", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
VOCAB = ("the", "cat", "sat", "on", "mat")
N = 2  # embedding size

PARTS = [
    Part("z", Vector(len(VOCAB)), label=r"u_w^\top v_c"),
    Part("p", Number(4), label="p(o|c)"),
    Part("L_neg", Number(4), label=r"L_{neg}", uses=("z",)),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "sigmoid_for_softmax": "$p(o|c)$ was taken as $\\sigma(u_o^\\top v_c)$ instead of the softmax over all words",
    "sigma_pos_for_negative": "$\\sigma(u_k^\\top v_c)$ was used for a negative instead of $\\sigma(-u_k^\\top v_c)$",
    "input_vector_for_context": "the input vectors $v_w$ were used for the scored words instead of their output vectors $u_w$",
}


def generate(rng):
    V = len(VOCAB)
    center, context, *others = (int(i) for i in rng.permutation(V))
    negatives = sorted(int(k) for k in rng.choice(others, size=2, replace=False))
    return {
        "center": center, "context": context, "negatives": negatives,
        "W_in": draw.decimals(rng, (V, N), -1, 1),
        "W_out": draw.decimals(rng, (V, N), -1, 1),
    }


def solve(p, work):
    o, neg = p["context"], list(p["negatives"])
    W_out = p["W_in"] if work.made("input_vector_for_context") else p["W_out"]
    _, cache = skipgram_softmax_forward(p["center"], o, p["W_in"], W_out)
    z = np.asarray(work.answer("z", cache["z"]), dtype=float)   # z_w = u_w . v_c for every word w

    # softmax by hand: each e^{z_w}, their sum, then the share of o
    e = work.step("exp_z", np.exp(z))
    total = work.step("sum_exp", float(np.sum(e)))
    if work.made("sigmoid_for_softmax"):
        prob = sigmoid(z[o])
    else:
        prob = handwork.by_hand(work, softmax(z)[o], e[o] / total)
    work.answer("p", float(prob))

    # L = -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c), from the scores above: each sigma
    # from its e^{-x}, then its log
    x_neg = (1.0 if work.made("sigma_pos_for_negative") else -1.0) * z[neg]
    sig_pos = handwork.sigmoid(work, "sigma_pos", z[o], "exp_pos", sigmoid(z[o]))
    sig_neg = handwork.sigmoid(work, "sigma_neg", x_neg, "exp_neg", sigmoid(x_neg))
    pos = work.step("term_pos", float(handwork.minus_log(work, -log_sigmoid(z[o]), sig_pos)))
    negs = work.step("terms_neg", handwork.minus_log(work, -log_sigmoid(x_neg), sig_neg))
    work.answer("L_neg", pos + float(np.sum(negs)))
    if work.is_key and np.min(np.abs(z[neg])) < 0.05:
        work.reject("a negative's score is nearly 0: sigma(s) and sigma(-s) coincide")


STEM = r"""
A skip-gram model over the vocabulary (0) the, (1) cat, (2) sat, (3) on, (4) mat has an input
vector $v_w$ and an output vector $u_w$ for each word $w$ (row $w$ of $W_{in}$ and $W_{out}$):
$$W_{in} = {{ p.W_in | tex }},\qquad W_{out} = {{ p.W_out | tex }}.$$
The centre word is $c$ = {{ ["the", "cat", "sat", "on", "mat"][p.center] }} and the context word is
$o$ = {{ ["the", "cat", "sat", "on", "mat"][p.context] }}.
With the full softmax, $p(o|c) = \dfrac{\exp(u_o^\top v_c)}{\sum_{w} \exp(u_w^\top v_c)}$;
with negative sampling and the two given negative words $k$ =
{% for k in p.negatives %}{{ ["the", "cat", "sat", "on", "mat"][k] }}{{ " and " if not loop.last else "," }}{% endfor %}

$$L_{neg} = -\log \sigma(u_o^\top v_c) - \sum_{k} \log \sigma(-u_k^\top v_c)\quad\text{(natural log)}.$$
Compute (a) the scores $u_w^\top v_c$ of all five words, in vocabulary order, (b) $p(o|c)$ and
(c) $L_{neg}$. Round to {{ d }} decimals.
"""

SOLUTION = r"""
$v_c$ is row {{ p.center }} of $W_{in}$: $v_c = {{ p.W_in[p.center] | tex }}$. Scoring it with every output vector:
$u_w^\top v_c = {{ key.z }}$.

Softmax over the five scores: $e^{u_w^\top v_c} = {{ s.exp_z | row(d) }}$, which add up to ${{ s.sum_exp | tex(d) }}$;
the share of $o$ = {{ ["the", "cat", "sat", "on", "mat"][p.context] }} (index {{ p.context }}) is
$p(o|c) = {{ key.p }}$.

Negative sampling, each $\sigma(x) = 1/(1 + e^{-x})$ from $e^{-x}$ first: $e^{-u_o^\top v_c} = {{ s.exp_pos | tex(d) }}$, so
$\sigma(u_o^\top v_c) = {{ s.sigma_pos | tex(d) }}$ and $-\log \sigma(u_o^\top v_c) = {{ s.term_pos | tex(d) }}$;
$e^{u_k^\top v_c} = {{ s.exp_neg | row(d) }}$, so $\sigma(-u_k^\top v_c) = {{ s.sigma_neg | row(d) }}$ and
$-\log \sigma(-u_k^\top v_c) = {{ s.terms_neg | row(d) }}$ for the two negatives, so $L_{neg} = {{ key.L_neg }}$.
"""
