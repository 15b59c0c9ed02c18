"""Templates of bptt, lstm, gru, bidirectional, seq2seq and word2vec against independent computations.

Every key is recomputed here from the printed params with plain NumPy formulas or torch autograd
(never the template's own solve nor reference_impl), and each multi-part chain is checked for error
carried forward: a wrong earlier part, the later parts computed correctly from it -> "ecf".
"""

import numpy as np
import pytest

from quizgen.bank.marking import grade
from quizgen.bank.question import thaw
from tests.question_bank.oracles import variants, sig, softmax, typed, statuses, close

SEEDS = range(10)


# --------------------------------------------------------------------------- bptt.scalar_chain

def bptt_oracle(torch, p, dh3_dh2=None):
    """Forward in torch; dL/dW by autograd (or from a given dh3/dh2 by the notes' sum)."""
    W = torch.tensor(p["W_hh"], dtype=torch.float64, requires_grad=True)
    h = torch.tensor(p["h0"], dtype=torch.float64)
    hs = []
    for x in p["x"]:
        h = torch.tanh(W * h + p["W_xh"] * x + p["b_h"])
        hs.append(h)
    L = 0.5 * (hs[2] - p["y"]) ** 2
    L.backward()
    h1, h2, h3 = (v.item() for v in hs)
    J3, J2 = p["W_hh"] * (1 - h3**2), p["W_hh"] * (1 - h2**2)
    out = {"dh3_dh2": J3, "dh3_dh1": J3 * J2, "dL_dW": float(W.grad)}
    if dh3_dh2 is not None:  # a student's own dh3/dh2, carried forward
        E = [(1 - h1**2) * p["h0"], (1 - h2**2) * h1, (1 - h3**2) * h2]
        dh3_dh1 = dh3_dh2 * J2
        out = {"dh3_dh2": dh3_dh2, "dh3_dh1": dh3_dh1,
               "dL_dW": (h3 - p["y"]) * (E[2] + dh3_dh2 * E[1] + dh3_dh1 * E[0])}
    return out


def test_bptt_key_matches_torch_autograd(torch):
    template, vs = variants("bptt.scalar_chain", seeds=SEEDS)
    for v in vs:
        want = bptt_oracle(torch, v.params)
        for name in want:
            close(v.answers[name], want[name])


def test_bptt_error_carried_forward(torch):
    template, vs = variants("bptt.scalar_chain", seeds=SEEDS)
    v = vs[0]
    wrong = v.answers["dh3_dh2"] + 0.05
    st = statuses(template, v, bptt_oracle(torch, v.params, dh3_dh2=wrong))
    assert st == {"dh3_dh2": "wrong", "dh3_dh1": "ecf", "dL_dW": "ecf"}


# --------------------------------------------------------------------------- lstm.cell_step

def lstm_oracle(p, f=None):
    z = np.array([p["h0"], p["x"]])                     # [h_{t-1}, x_t]
    gate = {g: np.dot(p[f"W_{g}"], z) + p[f"b_{g}"] for g in "fico"}
    f = sig(gate["f"]) if f is None else f
    i, C_tilde, o = sig(gate["i"]), np.tanh(gate["c"]), sig(gate["o"])
    C = f * p["c0"] + i * C_tilde
    return {"f": f, "i": i, "C_tilde": C_tilde, "C": C, "o": o, "h": o * np.tanh(C)}


def test_lstm_key_matches_numpy():
    template, vs = variants("lstm.cell_step", seeds=SEEDS)
    for v in vs:
        want = lstm_oracle(v.params)
        for name in want:
            close(v.answers[name], want[name])


def test_lstm_matches_torch_lstm_cell(torch):
    template, vs = variants("lstm.cell_step", seeds=SEEDS)
    for v in vs[:3]:
        p = v.params
        cell = torch.nn.LSTMCell(1, 1).double()
        with torch.no_grad():  # torch's row blocks (i, f, g, o); columns [x] and [h] apart
            cell.weight_ih.copy_(torch.tensor([[p[f"W_{g}"][1]] for g in "ifco"], dtype=torch.float64))
            cell.weight_hh.copy_(torch.tensor([[p[f"W_{g}"][0]] for g in "ifco"], dtype=torch.float64))
            cell.bias_ih.copy_(torch.tensor([p[f"b_{g}"] for g in "ifco"], dtype=torch.float64))
            cell.bias_hh.zero_()
        h, C = cell(torch.tensor([[p["x"]]], dtype=torch.float64),
                    (torch.tensor([[p["h0"]]], dtype=torch.float64),
                     torch.tensor([[p["c0"]]], dtype=torch.float64)))
        close(v.answers["h"], h.item())
        close(v.answers["C"], C.item())


def test_lstm_error_carried_forward():
    template, vs = variants("lstm.cell_step", seeds=SEEDS)
    v = vs[0]
    wrong_f = v.answers["f"] + 0.1
    st = statuses(template, v, lstm_oracle(v.params, f=wrong_f))
    assert st == {"f": "wrong", "i": "correct", "C_tilde": "correct", "C": "ecf",
                  "o": "correct", "h": "ecf"}


# --------------------------------------------------------------------------- gru.step_course

def gru_oracle(p, r=None):
    """The course's convention, written out with plain NumPy."""
    x, h0 = p["x"], np.asarray(p["h0"])
    W = {g: np.asarray(p[f"W_{g}"]) for g in "urc"}
    z = np.append(h0, x)
    u = sig(W["u"] @ z + p["b_u"])
    r = sig(W["r"] @ z + p["b_r"]) if r is None else r
    C_hat = np.tanh(W["c"] @ np.append(r * h0, x) + p["b_c"])
    return {"u": u, "r": r, "C_hat": C_hat, "h": u * C_hat + (1 - u) * h0}


def test_gru_key_matches_numpy_course_convention():
    template, vs = variants("gru.step_course", seeds=SEEDS)
    for v in vs:
        want = gru_oracle(v.params)
        for name in want:
            close(v.answers[name], want[name])


def test_gru_pytorch_mistake_is_torch_gru_cell_with_the_same_weights(torch):
    template, vs = variants("gru.step_course", seeds=SEEDS)
    for v in vs[:3]:
        p = v.params
        W = {g: np.asarray(p[f"W_{g}"]) for g in "urc"}
        cell = torch.nn.GRUCell(1, 2).double()
        with torch.no_grad():  # torch's row blocks (r, z, n), z = the course's u
            cell.weight_ih.copy_(torch.tensor(np.vstack([W[g][:, 2:] for g in "ruc"])))
            cell.weight_hh.copy_(torch.tensor(np.vstack([W[g][:, :2] for g in "ruc"])))
            cell.bias_ih.copy_(torch.tensor(np.concatenate([p[f"b_{g}"] for g in "ruc"])))
            cell.bias_hh.zero_()
        h = cell(torch.tensor([[p["x"]]], dtype=torch.float64),
                 torch.tensor([p["h0"]], dtype=torch.float64))
        close(v.mistakes["pytorch_convention"]["h"], h.detach().numpy()[0])


def test_gru_error_carried_forward():
    template, vs = variants("gru.step_course", seeds=SEEDS)
    v = vs[0]
    wrong_r = np.asarray(v.answers["r"]) + 0.1
    st = statuses(template, v, gru_oracle(v.params, r=wrong_r))
    assert st == {"u": "correct", "r": "wrong", "C_hat": "ecf", "h": "ecf"}


# --------------------------------------------------------------------------- bidirectional.birnn_output

def test_birnn_key_matches_torch_bidirectional_rnn(torch):
    template, vs = variants("bidirectional.birnn_output", seeds=SEEDS)
    for v in vs:
        p = v.params
        rnn = torch.nn.RNN(1, 1, bidirectional=True, batch_first=True).double()
        with torch.no_grad():
            for suffix, d in (("l0", p["fwd"]), ("l0_reverse", p["bwd"])):
                getattr(rnn, f"weight_ih_{suffix}").fill_(d["W_xh"])
                getattr(rnn, f"weight_hh_{suffix}").fill_(d["W_hh"])
                getattr(rnn, f"bias_ih_{suffix}").fill_(d["b_h"])
                getattr(rnn, f"bias_hh_{suffix}").zero_()
        x = torch.tensor(p["x"], dtype=torch.float64).reshape(1, -1, 1)
        h0 = torch.tensor([p["fwd"]["h0"], p["bwd"]["h0"]], dtype=torch.float64).reshape(2, 1, 1)
        out, _ = rnn(x, h0)
        row = out[0, p["t"] - 1].detach().numpy()
        close([v.answers["h_fwd"], v.answers["h_bwd"]], row)
    # (its two parts do not depend on each other: no error to carry forward)


# --------------------------------------------------------------------------- seq2seq.context_vector

def seq2seq_oracle(p, c=None):
    enc, dec = thaw(p["enc_params"]), thaw(p["dec_params"])
    if c is None:
        h = 0.0
        for (x,) in p["x"]:
            h = np.tanh(enc["W_hh"][0, 0] * h + enc["W_xh"][0, 0] * x + enc["b_h"][0])
        c = h
    s1 = np.tanh(dec["W_hh"][0, 0] * c + dec["W_xh"][0, 0] * dec["E"][0, 0] + dec["b_h"][0])
    y_hat = softmax(dec["W_hy"][:, 0] * s1 + dec["b_y"])
    return {"c": c, "s1": s1, "y_hat": y_hat, "token": int(np.argmax(y_hat))}


def test_seq2seq_key_matches_numpy():
    template, vs = variants("seq2seq.context_vector", seeds=SEEDS)
    for v in vs:
        want = seq2seq_oracle(v.params)
        for name in ("c", "s1", "y_hat"):
            close(v.answers[name], want[name])
        assert v.answers["token"] == want["token"]


def test_seq2seq_error_carried_forward():
    template, vs = variants("seq2seq.context_vector", seeds=SEEDS)
    v = vs[0]
    st = statuses(template, v, seq2seq_oracle(v.params, c=v.answers["c"] + 0.2))
    assert st["c"] == "wrong" and st["s1"] == "ecf" and st["y_hat"] == "ecf"
    assert st["token"] in ("correct", "ecf")


# --------------------------------------------------------------------------- word2vec.softmax_probability

def word2vec_oracle(p, z=None):
    W_in, W_out = np.asarray(p["W_in"]), np.asarray(p["W_out"])
    z = W_out @ W_in[p["center"]] if z is None else np.asarray(z)
    o, neg = p["context"], list(p["negatives"])
    L = -np.log(sig(z[o])) - np.sum(np.log(sig(-z[neg])))
    return {"z": z, "p": softmax(z)[o], "L_neg": L}


def test_word2vec_key_matches_numpy_and_torch(torch):
    template, vs = variants("word2vec.softmax_probability", seeds=SEEDS)
    for v in vs:
        p = v.params
        want = word2vec_oracle(p)
        for name in want:
            close(v.answers[name], want[name])
        v_c = torch.tensor(p["W_in"][p["center"]], dtype=torch.float64)
        U = torch.tensor(p["W_out"], dtype=torch.float64)
        z = U @ v_c
        close(v.answers["p"], float(torch.softmax(z, 0)[p["context"]]))
        neg = torch.tensor(p["negatives"])
        L = -torch.nn.functional.logsigmoid(z[p["context"]]) \
            - torch.nn.functional.logsigmoid(-z[neg]).sum()
        close(v.answers["L_neg"], L.item())


def test_word2vec_error_carried_forward():
    template, vs = variants("word2vec.softmax_probability", seeds=SEEDS)
    v = vs[0]
    wrong_z = np.asarray(v.answers["z"])
    wrong_z[v.params["context"]] += 0.3
    st = statuses(template, v, word2vec_oracle(v.params, z=wrong_z))
    assert st == {"z": "wrong", "p": "ecf", "L_neg": "ecf"}


@pytest.mark.parametrize("template_id", [
    "bptt.scalar_chain", "lstm.cell_step", "gru.step_course", "bidirectional.birnn_output",
    "seq2seq.context_vector", "word2vec.softmax_probability"])
def test_each_mistake_is_named_when_typed(template_id):
    template, vs = variants(template_id, seeds=SEEDS)
    for v in vs[:3]:
        for name, wrong in v.mistakes.items():
            result = grade(template, v, typed(template, {
                p.name: p.kind.from_json({**v.answers, **wrong}[p.name]) for p in template.parts}),
                ecf=False)
            assert any(r.mistake == name for r in result.parts), (template_id, name)
