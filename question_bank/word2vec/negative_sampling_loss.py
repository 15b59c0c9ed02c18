"""Skip-gram with negative sampling: the scores, the loss and its gradient with respect to v_c, by hand."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, Vector, draw, handwork
from reference_impl.activations import log_sigmoid, sigmoid
from reference_impl.word2vec import negative_sampling_backward, negative_sampling_forward

TITLE = "Negative sampling: scores, loss and gradient"
TAGS = ("word2vec", "skip-gram", "negative-sampling", "gradient", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
VOCAB = ("king", "queen", "man", "woman", "crown")
N, K = 3, 2  # embedding size, number of negatives

PARTS = [
    Part("s_pos", Number(4), label=r"u_o^\top v_c", points=1),
    Part("s_neg", Vector(K), label=r"u_k^\top v_c", points=1, uses=()),
    Part("L", Number(4), label="L", points=2),
    Part("grad_vc", Vector(N), label=r"\partial L / \partial v_c", points=2, uses=("s_pos", "s_neg")),
]

MISTAKES = {
    "input_vector_for_context": "the context word's input vector $v_o$ was used instead of its output vector $u_o$",
    "sigma_pos_for_negative": "$-\\log \\sigma(u_k^\\top v_c)$ was used for a negative instead of $-\\log \\sigma(-u_k^\\top v_c)$",
    "sign_dropped": "the minus signs were dropped: $L = \\log \\sigma(u_o^\\top v_c) + \\sum_k \\log \\sigma(-u_k^\\top v_c)$",
    "grad_no_minus_one": "the factor $\\sigma(u_o^\\top v_c) - 1$ of the gradient was taken as $\\sigma(u_o^\\top v_c)$",
}


def generate(rng):
    c, o, *rest = (int(i) for i in rng.permutation(len(VOCAB)))
    params = {
        "center": c, "context": o, "negatives": sorted(rest[:K]),
        "W_in": draw.decimals(rng, (len(VOCAB), N), -1, 1),
        "W_out": draw.decimals(rng, (len(VOCAB), N), -1, 1),
    }
    _, cache = negative_sampling_forward(c, o, params["negatives"], params["W_in"], params["W_out"])
    if min(abs(cache["s_pos"]), *np.abs(cache["s_neg"])) < 0.05:
        raise Redraw("a score is nearly 0: sigma(s) and sigma(-s) coincide")
    return params


def solve(p, work):
    W_out = p["W_out"].copy()
    if work.made("input_vector_for_context"):
        W_out[p["context"]] = p["W_in"][p["context"]]
    _, cache = negative_sampling_forward(p["center"], p["context"], p["negatives"], p["W_in"], W_out)
    s_pos = work.answer("s_pos", cache["s_pos"])
    s_neg = work.answer("s_neg", cache["s_neg"])
    s_pos, s_neg = float(s_pos), np.asarray(s_neg, dtype=float)

    # L = -log sigma(s_pos) - sum_k log sigma(-s_k), from the scores as answered: each sigma from
    # its e^{-x}, then its log, as the worked solution writes them down
    x_neg = (1.0 if work.made("sigma_pos_for_negative") else -1.0) * s_neg
    sig_pos = handwork.sigmoid(work, "sigma_pos", s_pos, "exp_pos", sigmoid(s_pos))
    sig_neg = handwork.sigmoid(work, "sigma_neg", x_neg, "exp_neg", sigmoid(x_neg))
    term_pos = work.step("term_pos", float(handwork.minus_log(work, -log_sigmoid(s_pos), sig_pos)))
    terms_neg = work.step("terms_neg", handwork.minus_log(work, -log_sigmoid(x_neg), sig_neg))
    L = term_pos + float(np.sum(terms_neg))
    work.answer("L", -L if work.made("sign_dropped") else L)

    # dL/dv_c = (sigma(s_pos) - 1) u_o + sum_k sigma(s_k) u_k, again from the answered scores
    coef_pos = work.step("coef_pos", float(sig_pos) - 1)
    coef_neg = handwork.sigmoid(work, "coef_neg", s_neg, "exp_coef_neg", sigmoid(s_neg))
    reference = negative_sampling_backward(dict(cache, s_pos=s_pos, s_neg=s_neg))["v_c"]
    grad = handwork.by_hand(work, reference, coef_pos * cache["u_o"] + coef_neg @ cache["u_neg"])
    if work.made("sigma_pos_for_negative"):      # d/ds of -log sigma(s) is sigma(s) - 1
        grad = grad - cache["u_neg"].sum(axis=0)
    if work.made("grad_no_minus_one"):
        grad = grad + cache["u_o"]
    if work.made("sign_dropped"):
        grad = -grad
    work.answer("grad_vc", grad)


STEM = r"""
Skip-gram with negative sampling over the vocabulary
{% for w in ["king", "queen", "man", "woman", "crown"] %}({{ loop.index0 }}) {{ w }}{{ ", " if not loop.last else "" }}{% endfor %} gives
every word $w$ an input vector $v_w$ (row $w$ of $W_{in}$) and an output vector $u_w$ (row $w$ of $W_{out}$):
$$W_{in} = {{ p.W_in | tex }},\qquad W_{out} = {{ p.W_out | tex }}.$$
The centre word is $c$ = {{ ["king", "queen", "man", "woman", "crown"][p.center] }}, the observed context word is
$o$ = {{ ["king", "queen", "man", "woman", "crown"][p.context] }} and the $K = 2$ negative words are
$k_1$ = {{ ["king", "queen", "man", "woman", "crown"][p.negatives[0]] }} and
$k_2$ = {{ ["king", "queen", "man", "woman", "crown"][p.negatives[1]] }}. The loss is
$$L = -\log \sigma(u_o^\top v_c) - \sum_{k=1}^{K} \log \sigma(-u_k^\top v_c)\quad\text{(natural log)},
\qquad \frac{\partial L}{\partial v_c} = \big(\sigma(u_o^\top v_c) - 1\big)\, u_o + \sum_{k=1}^{K} \sigma(u_k^\top v_c)\, u_k.$$
Compute (a) the score $u_o^\top v_c$, (b) the scores $u_{k_1}^\top v_c, u_{k_2}^\top v_c$, (c) $L$ and
(d) the gradient $\partial L / \partial v_c$. Round to {{ d }} decimals.
"""

SOLUTION = r"""
$v_c = {{ p.W_in[p.center] | tex }}$ (row {{ p.center }} of $W_{in}$).

(a) $u_o^\top v_c = {{ key.s_pos }}$ with $u_o$ row {{ p.context }} of $W_{out}$.

(b) With rows {{ p.negatives[0] }} and {{ p.negatives[1] }} of $W_{out}$: $u_k^\top v_c = {{ key.s_neg }}$.

(c) Each $\sigma(x) = 1/(1 + e^{-x})$ from $e^{-x}$ first: $e^{-u_o^\top v_c} = {{ s.exp_pos | num(d) }}$, so
$\sigma(u_o^\top v_c) = {{ s.sigma_pos | num(d) }}$ and $-\log \sigma(u_o^\top v_c) = {{ s.term_pos | num(d) }}$;
$e^{u_k^\top v_c} = {{ s.exp_neg | row(d) }}$, so $\sigma(-u_k^\top v_c) = {{ s.sigma_neg | row(d) }}$ and
$-\log \sigma(-u_k^\top v_c) = {{ s.terms_neg | row(d) }}$. Adding: $L = {{ key.L }}$.

(d) The coefficients are $\sigma(u_o^\top v_c) - 1 = {{ s.coef_pos | num(d) }}$ and, from
$e^{-u_k^\top v_c} = {{ s.exp_coef_neg | row(d) }}$, $\sigma(u_k^\top v_c) = {{ s.coef_neg | row(d) }}$; weighting $u_o$, $u_{k_1}$, $u_{k_2}$ by them and adding:
$\partial L / \partial v_c = {{ key.grad_vc }}$.
"""
