"""Gated group (lstm, gru, bidirectional, seq2seq) templates against independent computations.

Every key is recomputed here from the printed params with plain NumPy formulas, closed-form counts or
torch modules (never the template's own solve nor reference_impl), and each multi-part chain is
checked for error carried forward: a wrong earlier part, the later parts computed correctly from it
-> "ecf".
"""

import numpy as np

from tests.question_bank.oracles import variants, sig, statuses, close

SEEDS = range(8)


def r4(v):
    return np.round(np.asarray(v, dtype=float), 4)


# --------------------------------------------------------------------------- lstm.two_steps

def lstm_step(p, x, h, C):
    """One LSTM step of the course (gates on [h, x], h first), plain NumPy."""
    z = np.concatenate([h, x])
    f, i, o = (sig(p[f"W_{g}"] @ z + p[f"b_{g}"]) for g in "fio")
    C_tilde = np.tanh(p["W_c"] @ z + p["b_c"])
    return f, i, o, f * C + i * C_tilde


def lstm_two_steps_oracle(p, C1=None, h1=None):
    x = np.asarray(p["x"], float)
    f, i, o, C = lstm_step(p, x[0], p["h0"], p["c0"])
    C = C if C1 is None else C1
    h = o * np.tanh(C) if h1 is None else h1
    out = {"C1": C, "h1": h}
    for t in range(1, len(x)):
        f, i, o, C = lstm_step(p, x[t], h, C)
        h = o * np.tanh(C)
    return out | {"CT": C, "hT": h}


def test_lstm_two_steps_key_matches_numpy():
    for size in ("calculator", "computer"):
        template, vs = variants("lstm.two_steps", size=size, seeds=SEEDS)
        for v in vs:
            want = lstm_two_steps_oracle(v.params)
            for name in want:
                close(v.answers[name], np.ravel(want[name]))


def test_lstm_two_steps_computer_size_matches_torch_lstm(torch):
    template, vs = variants("lstm.two_steps", size="computer", seeds=range(3))
    for v in vs:
        p = v.params
        x, H = np.asarray(p["x"], float), len(p["h0"])
        assert 3 <= H <= 4 and 3 <= len(x) <= 5
        lstm = torch.nn.LSTM(x.shape[1], H).double()
        W = {g: np.asarray(p[f"W_{g}"], float) for g in "fico"}
        with torch.no_grad():  # torch's row blocks (i, f, g, o); columns [h] and [x] apart
            lstm.weight_ih_l0.copy_(torch.tensor(np.vstack([W[g][:, H:] for g in "ifco"])))
            lstm.weight_hh_l0.copy_(torch.tensor(np.vstack([W[g][:, :H] for g in "ifco"])))
            lstm.bias_ih_l0.copy_(torch.tensor(np.concatenate([p[f"b_{g}"] for g in "ifco"])))
            lstm.bias_hh_l0.zero_()
            out, (hT, CT) = lstm(torch.tensor(x)[:, None, :],
                                 (torch.tensor([[p["h0"]]], dtype=torch.float64),
                                  torch.tensor([[p["c0"]]], dtype=torch.float64)))
        close(v.answers["h1"], out[0, 0].numpy())
        close(v.answers["hT"], hT[0, 0].numpy())
        close(v.answers["CT"], CT[0, 0].numpy())


def test_lstm_two_steps_error_carried_forward():
    for size in ("calculator", "computer"):
        template, (v,) = variants("lstm.two_steps", size=size, seeds=[0])
        C1 = r4(np.asarray(v.answers["C1"]) + 0.05)               # a wrong C_1, then all correct from it
        _, _, o, _ = lstm_step(v.params, np.asarray(v.params["x"], float)[0], v.params["h0"], v.params["c0"])
        h1 = r4(o * np.tanh(C1))
        want = lstm_two_steps_oracle(v.params, C1=C1, h1=h1)
        assert statuses(template, v, want) == {"C1": "wrong", "h1": "ecf", "CT": "ecf", "hT": "ecf"}


# --------------------------------------------------------------------------- lstm.param_count

def lstm_count(D, H, convention):
    one_bias = 4 * (H * (H + D) + H)                          # course and Keras: one bias per gate
    return one_bias + 4 * H if convention == "pytorch" else one_bias


def test_lstm_param_count_key_matches_closed_form_and_torch(torch):
    template, vs = variants("lstm.param_count", seeds=range(20))
    for v in vs:
        D, H, conv = v.params["D"], v.params["H"], v.params["convention"]
        assert v.answers == {"gate": lstm_count(D, H, conv) // 4, "total": lstm_count(D, H, conv)}
        if conv == "pytorch":
            assert v.answers["total"] == sum(t.numel() for t in torch.nn.LSTM(D, H).parameters())
    # worked by hand: LSTM(32) on 100-dim inputs, 4 (32*100 + 32*32 + 32) = 17,024
    assert lstm_count(100, 32, "keras") == 17024


def test_lstm_param_count_error_carried_forward():
    template, (v,) = variants("lstm.param_count", seeds=[0])
    gate = v.answers["gate"] + 7
    assert statuses(template, v, {"gate": gate, "total": 4 * gate}) == {"gate": "wrong", "total": "ecf"}


# --------------------------------------------------------------------------- lstm.cell_gradient

def test_lstm_cell_gradient_key_matches_autograd(torch):
    template, vs = variants("lstm.cell_gradient", seeds=SEEDS)
    for v in vs:
        p = v.params
        k, f, h = p["k"], np.asarray(p["f"], float), np.asarray(p["h"], float)
        # LSTM cell path from C_{t-k} (leaf) to C_t, with the gates f_{t-k+1}, ..., f_t held fixed
        C = [torch.tensor(0.3, dtype=torch.float64, requires_grad=True)]
        for u in range(1, k + 1):
            C.append(float(f[u]) * C[-1] + 0.1)
            C[-1].retain_grad()
        (p["dC"] * C[-1]).backward()
        close(v.answers["dC_prev"], C[-2].grad.item())
        close(v.answers["dC_k"], C[0].grad.item())
        # plain RNN reproducing the printed states: the input part of each pre-activation is fixed
        h_prev = [torch.tensor(0.2, dtype=torch.float64, requires_grad=True)]
        prev_value = 0.2
        for u in range(k):
            rest = np.arctanh(h[u]) - p["W_hh"] * prev_value
            h_prev.append(torch.tanh(p["W_hh"] * h_prev[-1] + rest))
            prev_value = h[u]
        close(h_prev[-1].item(), h[-1], 1e-12)
        (p["dC"] * h_prev[-1]).backward()
        close(v.answers["dh_k"], h_prev[0].grad.item())


def test_lstm_cell_gradient_error_carried_forward():
    template, (v,) = variants("lstm.cell_gradient", seeds=[0])
    p = v.params
    wrong = r4(v.answers["dC_prev"] + 0.05)
    dC_k = wrong * np.prod(np.asarray(p["f"], float)[1:p["k"]])
    st = statuses(template, v, {"dC_prev": wrong, "dC_k": dC_k, "dh_k": v.answers["dh_k"]})
    assert st == {"dC_prev": "wrong", "dC_k": "ecf", "dh_k": "correct"}


# --------------------------------------------------------------------------- gru.step_pytorch

def gru_pytorch_oracle(p, r=None):
    x, h = p["x"], np.asarray(p["h0"], float)
    lin = {g: np.ravel(p[f"W_i{g}"]) * x + p[f"b_i{g}"] for g in "rzn"}
    hid = {g: p[f"W_h{g}"] @ h + p[f"b_h{g}"] for g in "rzn"}
    r = sig(lin["r"] + hid["r"]) if r is None else r
    z = sig(lin["z"] + hid["z"])
    n = np.tanh(lin["n"] + r * hid["n"])
    return {"r": r, "z": z, "n": n, "h": (1 - z) * n + z * h}


def test_gru_step_pytorch_key_matches_torch_gru_cell(torch):
    template, vs = variants("gru.step_pytorch", seeds=SEEDS)
    for v in vs:
        p = v.params
        want = gru_pytorch_oracle(p)
        for name in want:
            close(v.answers[name], want[name])
        cell = torch.nn.GRUCell(1, 2).double()
        with torch.no_grad():  # torch stacks the blocks (r, z, n)
            cell.weight_ih.copy_(torch.tensor(np.vstack([p[f"W_i{g}"] for g in "rzn"])))
            cell.weight_hh.copy_(torch.tensor(np.vstack([p[f"W_h{g}"] for g in "rzn"])))
            cell.bias_ih.copy_(torch.tensor(np.concatenate([p[f"b_i{g}"] for g in "rzn"])))
            cell.bias_hh.copy_(torch.tensor(np.concatenate([p[f"b_h{g}"] for g in "rzn"])))
            h_new = cell(torch.tensor([[p["x"]]], dtype=torch.float64),
                         torch.tensor([p["h0"]], dtype=torch.float64))
        close(v.answers["h"], h_new[0].numpy())


def test_gru_step_pytorch_error_carried_forward():
    template, (v,) = variants("gru.step_pytorch", seeds=[0])
    r = r4(np.asarray(v.answers["r"]) + 0.05)
    want = gru_pytorch_oracle(v.params, r=r)
    want["n"] = r4(want["n"])
    z = np.asarray(v.answers["z"])
    want["h"] = (1 - z) * want["n"] + z * np.asarray(v.params["h0"], float)
    assert statuses(template, v, want) == {"r": "wrong", "z": "correct", "n": "ecf", "h": "ecf"}


# --------------------------------------------------------------------------- gru.param_count

def gru_count(D, H, convention):
    biases = 6 * H if convention in ("pytorch", "keras_reset_after") else 3 * H
    return 3 * H * (H + D), biases


def test_gru_param_count_key_matches_closed_form_and_torch(torch):
    template, vs = variants("gru.param_count", seeds=range(24))
    for v in vs:
        D, H, conv = v.params["D"], v.params["H"], v.params["convention"]
        weights, biases = gru_count(D, H, conv)
        assert v.answers == {"weights": weights, "biases": biases, "total": weights + biases}
        if conv == "pytorch":
            assert v.answers["total"] == sum(t.numel() for t in torch.nn.GRU(D, H).parameters())
    # worked by hand: GRU(32, reset_after=True) on 100-dim inputs, 3 (32*100 + 32*32 + 2*32) = 12,864
    assert sum(gru_count(100, 32, "keras_reset_after")) == 12864


def test_gru_param_count_error_carried_forward():
    template, (v,) = variants("gru.param_count", seeds=[0])
    wrong = v.answers["weights"] - 10
    st = statuses(template, v, {"weights": wrong, "biases": v.answers["biases"],
                                "total": wrong + v.answers["biases"]})
    assert st == {"weights": "wrong", "biases": "correct", "total": "ecf"}


# --------------------------------------------------------------------------- gru.lstm_ratio

def test_gru_lstm_ratio_key_matches_closed_form(torch):
    template, vs = variants("gru.lstm_ratio", seeds=range(24))
    for v in vs:
        D, H = v.params["D"], v.params["H"]
        n_gru, n_lstm = sum(gru_count(D, H, v.params["gru"])), lstm_count(D, H, v.params["lstm"])
        assert (v.answers["n_gru"], v.answers["n_lstm"]) == (n_gru, n_lstm)
        close(v.answers["ratio"], n_gru / n_lstm)
        if v.params["gru"] == v.params["lstm"] == "pytorch":
            assert n_gru == sum(t.numel() for t in torch.nn.GRU(D, H).parameters())
            close(v.answers["ratio"], 0.75)


def test_gru_lstm_ratio_error_carried_forward():
    template, (v,) = variants("gru.lstm_ratio", seeds=[0])
    wrong = v.answers["n_gru"] + 100
    st = statuses(template, v, {"n_gru": wrong, "n_lstm": v.answers["n_lstm"],
                                "ratio": wrong / v.answers["n_lstm"]})
    assert st == {"n_gru": "wrong", "n_lstm": "correct", "ratio": "ecf"}


# --------------------------------------------------------------------------- bidirectional.stacked_params

def bi_count(torch, cell, D, H, convention):
    module = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(D, H, bidirectional=True)
    n = sum(t.numel() for t in module.parameters())
    blocks = 4 if cell == "lstm" else 3
    return n if convention == "pytorch" else n - 2 * blocks * H   # the course keeps one bias per block


def test_bidirectional_stacked_params_key_matches_torch(torch):
    template, vs = variants("bidirectional.stacked_params", seeds=range(12))
    for v in vs:
        p = v.params
        module = (torch.nn.LSTM if p["cell"] == "lstm" else torch.nn.GRU)(p["D"], p["H1"], bidirectional=True)
        out, _ = module(torch.zeros(3, 1, p["D"]))
        assert v.answers["out1"] == out.shape[-1] == 2 * p["H1"]
        assert v.answers["params1"] == bi_count(torch, p["cell"], p["D"], p["H1"], p["convention"])
        assert v.answers["params2"] == bi_count(torch, p["cell"], 2 * p["H1"], p["H2"], p["convention"])


def test_bidirectional_stacked_params_error_carried_forward(torch):
    template, (v,) = variants("bidirectional.stacked_params", seeds=[0])
    p = v.params
    wrong = p["H1"]                                                # not concatenated
    st = statuses(template, v, {"out1": wrong, "params1": v.answers["params1"],
                                "params2": bi_count(torch, p["cell"], wrong, p["H2"], p["convention"])})
    assert st == {"out1": "wrong", "params1": "correct", "params2": "ecf"}


# --------------------------------------------------------------------------- bidirectional.bilstm_output

def scalar_lstm_run(d, xs):
    h, C = np.asarray(d["h0"], float), np.asarray(d["c0"], float)
    hs = []
    for x in xs:
        _, _, o, C = lstm_step(d["params"], np.array([x]), h, C)
        h = o * np.tanh(C)
        hs.append(float(h[0]))
    return hs


def test_bilstm_output_key_matches_numpy_and_torch(torch):
    template, vs = variants("bidirectional.bilstm_output", seeds=SEEDS)
    for v in vs:
        p = v.params
        x, t = np.asarray(p["x"], float), p["t"]
        close(v.answers["h_fwd"], scalar_lstm_run(p["fwd"], x)[t - 1])
        close(v.answers["h_bwd"], scalar_lstm_run(p["bwd"], x[::-1])[::-1][t - 1])
        lstm = torch.nn.LSTM(1, 1, bidirectional=True).double()
        with torch.no_grad():
            for suffix, d in (("_l0", p["fwd"]), ("_l0_reverse", p["bwd"])):
                W = {g: np.asarray(d["params"][f"W_{g}"], float) for g in "fico"}
                getattr(lstm, "weight_ih" + suffix).copy_(torch.tensor([[W[g][0, 1]] for g in "ifco"], dtype=torch.float64))
                getattr(lstm, "weight_hh" + suffix).copy_(torch.tensor([[W[g][0, 0]] for g in "ifco"], dtype=torch.float64))
                getattr(lstm, "bias_ih" + suffix).copy_(
                    torch.tensor([d["params"][f"b_{g}"][0] for g in "ifco"], dtype=torch.float64))
                getattr(lstm, "bias_hh" + suffix).zero_()
            h0 = torch.tensor([[[p["fwd"]["h0"][0]]], [[p["bwd"]["h0"][0]]]], dtype=torch.float64)
            c0 = torch.tensor([[[p["fwd"]["c0"][0]]], [[p["bwd"]["c0"][0]]]], dtype=torch.float64)
            out, _ = lstm(torch.tensor(x)[:, None, None], (h0, c0))
        close([v.answers["h_fwd"], v.answers["h_bwd"]], out[t - 1, 0].numpy())


# --------------------------------------------------------------------------- seq2seq.teacher_forcing_loss

def seq2seq_oracle(torch, p, s1=None):
    dec = {k: np.asarray(v, float) for k, v in p["dec_params"].items()}
    u, y = list(p["targets_in"]), list(p["targets_out"])

    def step(s_prev, token):
        return float(np.tanh(dec["W_hh"][0, 0] * s_prev + dec["W_xh"][0, 0] * dec["E"][token, 0] + dec["b_h"][0]))

    def loss(s, target):  # torch's cross-entropy on the logits
        z = torch.tensor(dec["W_hy"][:, 0] * s + dec["b_y"])[None, :]
        return torch.nn.functional.cross_entropy(z, torch.tensor([int(target)])).item()

    s1 = step(p["c"], u[0]) if s1 is None else s1
    s2 = step(s1, u[1])
    return {"s1": s1, "L1": loss(s1, y[0]), "s2": s2, "L": loss(s1, y[0]) + loss(s2, y[1])}


def test_seq2seq_teacher_forcing_key_matches_torch(torch):
    template, vs = variants("seq2seq.teacher_forcing_loss", seeds=SEEDS)
    for v in vs:
        p = v.params
        assert list(p["targets_in"][1:]) == list(p["targets_out"][:-1])   # inputs = targets shifted
        want = seq2seq_oracle(torch, p)
        for name in want:
            close(v.answers[name], want[name])


def test_seq2seq_teacher_forcing_error_carried_forward(torch):
    template, (v,) = variants("seq2seq.teacher_forcing_loss", seeds=[0])
    want = seq2seq_oracle(torch, v.params, s1=float(r4(v.answers["s1"] + 0.05)))
    assert statuses(template, v, want) == {"s1": "wrong", "L1": "ecf", "s2": "ecf", "L": "ecf"}
