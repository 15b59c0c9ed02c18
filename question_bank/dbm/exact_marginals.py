"""Exact posterior marginals of a tiny DBM by enumeration, compared with one mean-field update."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, Vector, draw, handwork
from reference_impl.dbm import exact_marginals, mean_field
from reference_impl.rbm import p_h_given_v

TITLE = "Exact posterior marginals of a tiny DBM versus one mean-field update"
TAGS = ("inference", "enumeration", "mean-field", "posterior", "calculator")
DIFFICULTY = 3
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("p_h2", Number(4), label="p(h^{(2)} = 1 \\mid v)"),
    Part("p_h1", Vector(2), label="p(h^{(1)}_j = 1 \\mid v)"),
    Part("mu1", Vector(2), label="\\mu^{(1)}", uses=()),
    Part("gap", Vector(2), label="\\mu^{(1)}_j - p(h^{(1)}_j = 1 \\mid v)"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "rbm_h1": "$p(h^{(1)}_j = 1 \\mid v) = \\sigma(b_1 + W_1^\\top v)_j$ as in an RBM: "
              "the top-down input $W_2 h^{(2)}$ from $h^{(2)}$ was ignored",
    "mf_no_top_down": "the mean-field update of $\\mu^{(1)}$ left out the top-down term $W_2 \\mu^{(2)}$",
    "bottom_up": "the DBM was treated as a stack of RBMs, one upward pass: $p(h^{(1)} = 1 \\mid v) = "
                 "\\sigma(b_1 + W_1^\\top v)$ and $p(h^{(2)} = 1 \\mid v) = \\sigma(b_2 + W_2^\\top "
                 "\\sigma(b_1 + W_1^\\top v))$, ignoring how $h^{(2)}$ feeds back into $h^{(1)}$",
    "energy_sign": "the states were weighted by $e^{+E}$ instead of $e^{-E}$",
    "not_normalised": "the weights of the states with $h^{(2)} = 1$ were summed but not divided by "
                      "the total weight (normalisation forgotten)",
}

SATURATED = 3.0  # |pre-activation| beyond this saturates the sigmoid


def generate(rng):
    params = {
        "v": draw.binary(rng, 2),
        "W1": draw.decimals(rng, (2, 2), -1, 1),
        "W2": draw.decimals(rng, (2, 1), -1.5, 1.5),
        "b1": draw.decimals(rng, 2, -0.5, 0.5),
        "b2": draw.decimals(rng, 1, -1, 1),
    }
    if not params["v"].any():
        raise Redraw("v is all zeros")
    return params


def _model(p, sign=1.0):
    """The reference's params dict (no visible biases: a = 0; they would cancel in p(h | v))."""
    return {"W1": sign * p["W1"], "W2": sign * p["W2"], "a": np.zeros(2),
            "b1": sign * p["b1"], "b2": sign * p["b2"]}


def _sigma(work, name, x):
    """sigma(x) as a person computes it: e^{-x} first (step ``exp_<name>``), then 1 / (1 + e^{-x})."""
    e = work.step(f"exp_{name}", np.exp(-np.asarray(x, dtype=float)))
    return work.step(name, 1 / (1 + e))


def solve(p, work):
    v, W1, W2, b1, b2 = p["v"], p["W1"], p["W2"], p["b1"], p["b2"]
    sign = -1.0 if work.made("energy_sign") else 1.0
    # h^(1)'s units are independent given v and h^(2): pre_j(h2) = b1 + W1^T v + W2 h2
    pre0 = work.step("pre0", b1 + W1.T @ v)
    pre1 = work.step("pre1", b1 + W1.T @ v + W2[:, 0])
    # the hint's factors, each written down: 1 + e^{pre_j} for h2 = 0 and h2 = 1, e^{b_2}
    f0 = work.step("f0", 1 + np.exp(sign * pre0))
    f1 = work.step("f1", 1 + np.exp(sign * pre1))
    exp_b2 = work.step("exp_b2", float(np.exp(sign * b2[0])))
    prod1 = work.step("prod1", float(np.prod(f1)))
    w0 = work.step("w0", handwork.by_hand(work, float(np.prod(1 + np.exp(sign * pre0))), float(np.prod(f0))))
    w1 = work.step("w1", handwork.by_hand(work, float(np.exp(sign * b2[0]) * np.prod(1 + np.exp(sign * pre1))),
                                  exp_b2 * prod1))
    (m1, m2), _ = exact_marginals(v, _model(p, sign))
    if work.made("not_normalised"):
        q = w1
    elif work.made("bottom_up"):
        q = float(p_h_given_v(p_h_given_v(v, W1, b1), W2, b2)[0])
    else:
        q = handwork.by_hand(work, float(m2[0]), w1 / (w0 + w1))
    q = work.answer("p_h2", q)

    # p(h1_j = 1 | v) = sum over h2 of p(h2 | v) p(h1_j = 1 | v, h2), from the p(h2 = 1 | v) above,
    # each sigma from its e^{-x}
    if work.made("rbm_h1") or work.made("bottom_up"):
        m1_chain = p_h_given_v(v, W1, b1)
    else:
        sig0, sig1 = _sigma(work, "sig0", sign * pre0), _sigma(work, "sig1", sign * pre1)
        reference = (1 - q) * p_h_given_v(v, sign * W1, sign * b1) + \
            q * p_h_given_v(v, sign * W1, sign * (b1 + W2[:, 0]))
        m1_chain = handwork.by_hand(work, reference, (1 - q) * sig0 + q * sig1)
    m1_chain = work.answer("p_h1", m1_chain)

    # one mean-field update from mu2 = 0.5: its input b1 + W1^T v + 0.5 W2, then sigma from e^{-x}
    model = _model(p)
    if work.made("mf_no_top_down"):
        model["W2"] = np.zeros_like(W2)  # mu1 <- sigma(b1 + W1^T v), without W2 mu2
    (mu1, mu2), _ = mean_field(v, model, n_iter=1)
    pre_mf = work.step("pre_mf", pre0 + 0.5 * model["W2"][:, 0])
    mu1 = work.answer("mu1", handwork.by_hand(work, mu1, _sigma(work, "sig_mf", pre_mf)))
    gap = work.answer("gap", mu1 - m1_chain)

    if work.exact:
        if max(np.max(np.abs(pre0)), np.max(np.abs(pre1))) > SATURATED:
            work.reject("a pre-activation saturates the sigmoid")
        if not 0.05 < q < 0.95 or np.max(np.abs(gap)) < 0.005:
            work.reject("p(h2 = 1 | v) is nearly 0 or 1, or mean field already has p(h1 | v)")
        assert np.isclose(q, w1 / (w0 + w1)) and np.allclose(m1_chain, m1)


STEM = r"""
A deep Boltzmann machine has visible units $v \in \{0,1\}^2$, a first hidden layer
$h^{(1)} \in \{0,1\}^2$ and a second hidden layer of one unit $h^{(2)} \in \{0,1\}$, no visible biases, and energy
$$E(v, h^{(1)}, h^{(2)}) = -v^\top W_1 h^{(1)} - (h^{(1)})^\top W_2 h^{(2)} - b_1^\top h^{(1)} - b_2 h^{(2)},
\qquad p(h^{(1)}, h^{(2)} \mid v) \propto e^{-E(v, h^{(1)}, h^{(2)})},$$
with
$$W_1 = {{ p.W1 | tex }},\quad W_2 = {{ p.W2 | tex }},\quad b_1 = {{ p.b1 | tex }},\quad b_2 = {{ p.b2[0] | tex }},
\quad v = {{ p.v | tex }}.$$
(a) Compute the exact posterior marginal $p(h^{(2)} = 1 \mid v)$ by summing over the 8 hidden states.
Hint: the units of $h^{(1)}$ are independent given $v$ and $h^{(2)}$, so
$\sum_{h^{(1)}} e^{-E} = e^{b_2 h^{(2)}} \prod_{j} \big(1 + e^{(b_1 + W_1^\top v + W_2 h^{(2)})_j}\big)$.

(b) Compute the exact marginals $p(h^{(1)}_j = 1 \mid v)$, $j = 1, 2$ (2 numbers), from your answer to (a).

(c) Mean-field inference approximates $p(h^{(1)}_j = 1 \mid v)$ by $\mu^{(1)}_j$; starting from
$\mu^{(2)} = 0.5$, its first update is $\mu^{(1)} \leftarrow \sigma(b_1 + W_1^\top v + W_2 \mu^{(2)})$.
Compute $\mu^{(1)}$ after this one update (2 numbers).

(d) By how much does it miss: compute $\mu^{(1)}_j - p(h^{(1)}_j = 1 \mid v)$, $j = 1, 2$, from your answers to (b) and (c).

Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) With $b_1 + W_1^\top v = {{ s.pre0 | tex(d) }}$ (for $h^{(2)} = 0$) and
$b_1 + W_1^\top v + W_2 = {{ s.pre1 | tex(d) }}$ (for $h^{(2)} = 1$), the summed weights are
$w_0 = \prod_j (1 + e^{\cdot}) = \prod_j {{ s.f0 | tex(d) }}_j = {{ s.w0 | tex(d) }}$ and, with $e^{b_2} = {{ s.exp_b2 | tex(d) }}$
and $\prod_j {{ s.f1 | tex(d) }}_j = {{ s.prod1 | tex(d) }}$, $w_1 = e^{b_2} \prod_j (1 + e^{\cdot}) = {{ s.w1 | tex(d) }}$, so
$p(h^{(2)} = 1 \mid v) = w_1 / (w_0 + w_1) = {{ key.p_h2 }}$.

(b) Each $\sigma(x) = 1/(1 + e^{-x})$, entry by entry, from $e^{-x}$ first: for $x = {{ s.pre0 | tex(d) }}$,
$e^{-x} = {{ s.exp_sig0 | tex(d) }}$ and $1/(1 + {{ s.exp_sig0 | tex(d) }}) = {{ s.sig0 | tex(d) }}$; for
$x = {{ s.pre1 | tex(d) }}$, $e^{-x} = {{ s.exp_sig1 | tex(d) }}$ and $1/(1 + {{ s.exp_sig1 | tex(d) }}) = {{ s.sig1 | tex(d) }}$;
$p(h^{(1)}_j = 1 \mid v) = (1 - p(h^{(2)} = 1 \mid v))\, \sigma({{ s.pre0 | tex(d) }})_j
+ p(h^{(2)} = 1 \mid v)\, \sigma({{ s.pre1 | tex(d) }})_j = {{ key.p_h1 }}$.

(c) $b_1 + W_1^\top v + 0.5\, W_2 = {{ s.pre_mf | tex(d) }}$ and $e^{-x} = {{ s.exp_sig_mf | tex(d) }}$, so
$\mu^{(1)} = \sigma(b_1 + W_1^\top v + 0.5\, W_2) = {{ key.mu1 }}$: the top-down input uses the guess
$\mu^{(2)} = 0.5$ where the exact marginal averages over $h^{(2)}$ with $p(h^{(2)} \mid v)$.

(d) $\mu^{(1)} - p(h^{(1)} = 1 \mid v) = {{ key.gap }}$: one mean-field update is only an approximation
of the exact posterior (and even converged mean field treats the units as independent).
"""
