"""seq2seq.greedy_decode, dbm.exact_marginals, rnn.relu_three_steps and the lstm.two_steps kinds.

Every key is recomputed here from the printed params with plain NumPy formulas, brute-force
enumeration or torch (never the template's own solve nor reference_impl), and each chain is
checked for error carried forward: a wrong earlier part, the later parts computed correctly
from it -> "ecf".
"""

import itertools

import numpy as np

from quizgen.bank.marking import grade
from quizgen.bank.kinds import Vector
from tests.question_bank.oracles import variants, sig, statuses, close

SEEDS = range(10)


def r4(x):
    return np.round(np.asarray(x, dtype=float), 4)


# --------------------------------------------------------------------------- seq2seq.greedy_decode

def greedy_oracle(p, s1=None, token1=None):
    """Two decoder steps by the notes' equations; a given s1 / token1 replaces the computed one."""
    d = {k: np.asarray(v, float) for k, v in p["dec_params"].items()}

    def step(s, u):
        s = np.tanh(d["W_hh"] @ s + d["W_xh"][:, 0] * d["E"][u, 0] + d["b_h"])
        return s, d["W_hy"] @ s + d["b_y"]

    s, z = step(np.asarray(p["context"], float), p["start_token"])
    s1 = s if s1 is None else np.asarray(s1, float)
    z = d["W_hy"] @ s1 + d["b_y"]
    token1 = int(np.argmax(z)) if token1 is None else token1
    s2, z2 = step(s1, token1)
    return {"s1": s1, "token1": token1, "s2": s2, "token2": int(np.argmax(z2))}


def test_greedy_decode_key_matches_numpy():
    template, vs = variants("seq2seq.greedy_decode", seeds=SEEDS)
    for v in vs:
        want = greedy_oracle(v.params)
        close(v.answers["s1"], want["s1"])
        close(v.answers["s2"], want["s2"])
        assert (v.answers["token1"], v.answers["token2"]) == (want["token1"], want["token2"])
        assert v.params["vocab"][0] == "START" and want["token1"] not in (0, 1)


def test_greedy_decode_error_carried_forward():
    template, vs = variants("seq2seq.greedy_decode", seeds=range(4))
    for v in vs:
        # the student emits the other word at step 1, then decodes correctly from it
        wrong = 5 - v.answers["token1"]
        want = greedy_oracle(v.params, s1=v.answers["s1"], token1=wrong)
        got = statuses(template, v, {**want, "s2": r4(want["s2"])})
        assert got["s1"] == "correct" and got["token1"] == "wrong" and got["s2"] == "ecf"
        assert got["token2"] in ("ecf", "correct")
        if want["token2"] != v.answers["token2"]:
            assert got["token2"] == "ecf"
        # a wrong s_1 carries into u_2, s_2 and u_3
        s1 = r4(np.asarray(v.answers["s1"]) + 0.07)
        want = greedy_oracle(v.params, s1=s1)
        got = statuses(template, v, {**want, "s2": r4(want["s2"])})
        assert got["s1"] == "wrong" and got["s2"] == "ecf"
        assert got["token1"] in ("ecf", "correct") and got["token2"] in ("ecf", "correct")


# --------------------------------------------------------------------------- dbm.exact_marginals

def dbm_oracle(p):
    """p(h2 = 1 | v), p(h1_j = 1 | v) by summing e^{-E} over all 8 hidden states."""
    v, W1, W2, b1, b2 = (np.asarray(p[k], float) for k in ("v", "W1", "W2", "b1", "b2"))
    total, m1, m2 = 0.0, np.zeros(2), 0.0
    for h1a, h1b, h2 in itertools.product((0, 1), repeat=3):
        h1 = np.array([h1a, h1b], float)
        w = np.exp(v @ W1 @ h1 + h1 @ W2[:, 0] * h2 + b1 @ h1 + b2[0] * h2)
        total += w
        m1 += w * h1
        m2 += w * h2
    mu1 = sig(b1 + W1.T @ v + 0.5 * W2[:, 0])
    return {"p_h2": m2 / total, "p_h1": m1 / total, "mu1": mu1, "gap": mu1 - m1 / total}


def test_dbm_exact_marginals_key_matches_enumeration():
    template, vs = variants("dbm.exact_marginals", seeds=SEEDS)
    for v in vs:
        want = dbm_oracle(v.params)
        for name in want:
            close(v.answers[name], want[name])


def test_dbm_exact_marginals_error_carried_forward():
    template, (v,) = variants("dbm.exact_marginals", seeds=[0])
    p = {k: np.asarray(val, float) for k, val in v.params.items()}
    q = r4(v.answers["p_h2"] + 0.06)                             # a wrong p(h2 = 1 | v)
    pre = p["b1"] + p["W1"].T @ p["v"]
    p_h1 = r4((1 - q) * sig(pre) + q * sig(pre + p["W2"][:, 0]))  # then correct from it
    mu1 = r4(v.answers["mu1"])
    got = statuses(template, v, {"p_h2": q, "p_h1": p_h1, "mu1": mu1, "gap": mu1 - p_h1})
    assert got == {"p_h2": "wrong", "p_h1": "ecf", "mu1": "correct", "gap": "ecf"}


# --------------------------------------------------------------------------- rnn.relu_three_steps

def relu_oracle(p, h1=None):
    x, h = np.asarray(p["x"], float), np.asarray(p["h0"], float)
    hs = []
    for t in range(len(x)):
        h = np.maximum(0, np.asarray(p["W_hh"]) @ h + np.asarray(p["W_xh"]) @ x[t] + p["b_h"])
        if t == 0 and h1 is not None:
            h = np.asarray(h1, float)
        hs.append(h)
    return {"h1": hs[0], "h2": hs[1], "hT": hs[-1]}


def test_relu_three_steps_key_matches_numpy():
    for size in ("calculator", "computer"):
        template, vs = variants("rnn.relu_three_steps", size=size, seeds=SEEDS)
        for v in vs:
            want = relu_oracle(v.params)
            for name in want:
                close(v.answers[name], want[name])
            H, T = len(v.params["h0"]), len(v.params["x"])
            assert (H, T) == (2, 3) if size == "calculator" else (4 <= H <= 6 and 6 <= T <= 10)


def test_relu_three_steps_computer_size_matches_torch_rnn(torch):
    template, vs = variants("rnn.relu_three_steps", seeds=range(3), size="computer")
    for v in vs:
        p = v.params
        H = len(p["h0"])
        rnn = torch.nn.RNN(1, H, nonlinearity="relu").double()
        with torch.no_grad():
            rnn.weight_ih_l0.copy_(torch.tensor(p["W_xh"], dtype=torch.float64))
            rnn.weight_hh_l0.copy_(torch.tensor(p["W_hh"], dtype=torch.float64))
            rnn.bias_ih_l0.copy_(torch.tensor(p["b_h"], dtype=torch.float64))
            rnn.bias_hh_l0.zero_()
            out, _ = rnn(torch.tensor(p["x"], dtype=torch.float64)[:, None, :],
                         torch.tensor(p["h0"], dtype=torch.float64)[None, None, :])
        close(v.answers["h1"], out[0, 0].numpy())
        close(v.answers["h2"], out[1, 0].numpy())
        close(v.answers["hT"], out[-1, 0].numpy())


def test_relu_three_steps_error_carried_forward():
    for size in ("calculator", "computer"):
        template, (v,) = variants("rnn.relu_three_steps", seeds=[0], size=size)
        h1 = r4(np.asarray(v.answers["h1"]) + 0.3)               # a wrong h_1, then correct from it
        want = relu_oracle(v.params, h1=h1)
        got = statuses(template, v, {k: r4(val) for k, val in want.items()})
        assert got == {"h1": "wrong", "h2": "ecf", "hT": "ecf"}


# --------------------------------------------------------------------------- lstm.two_steps kinds

def test_lstm_two_steps_scalar_state_typed_as_one_number():
    template, vs = variants("lstm.two_steps", seeds=range(3))
    assert all(isinstance(p.kind, Vector) and p.kind.length is None for p in template.parts)
    for v in vs:  # H = 1: a plain number and a one-element list are both read
        plain = {p.name: f"{v.answers[p.name][0]:.4f}" for p in template.parts}
        listed = {p.name: f"[{v.answers[p.name][0]:.4f}]" for p in template.parts}
        for typed in (plain, listed):
            assert {r.status for r in grade(template, v, typed).parts} == {"correct"}
