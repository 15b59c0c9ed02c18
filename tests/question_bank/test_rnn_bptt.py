"""Templates of rnn, bptt and vanishing (group rnn_bptt) against independent computations.

Every key is recomputed here from the printed params with plain NumPy formulas, closed forms or
torch autograd (never the template's own solve nor reference_impl), and every multi-part chain is
checked for error carried forward: a wrong earlier part, the later parts computed correctly from
it -> "ecf".
"""

import numpy as np

from quizgen.bank.question import thaw
from tests.question_bank.oracles import variants, sig, softmax, statuses, close

SEEDS = range(8)
F64 = None  # torch.float64, set by the torch fixture users


def t64(torch, value, grad=False):
    return torch.tensor(np.asarray(value, dtype=float), dtype=torch.float64, requires_grad=grad)


# --------------------------------------------------------------------------- rnn.softmax_output

def softmax_output_oracle(p, z=None, y_hat=None):
    z = np.dot(p["W_hy"], p["h"]) + p["b_y"] if z is None else z
    y_hat = softmax(z) if y_hat is None else y_hat
    return {"z": z, "y_hat": y_hat, "L": -np.log(y_hat[p["targets"][0]])}


def test_softmax_output_key_matches_numpy_and_torch(torch):
    _, vs = variants("rnn.softmax_output", seeds=SEEDS)
    for v in vs:
        p = v.params
        want = softmax_output_oracle(p)
        for name in want:
            close(v.answers[name], want[name])
        z = t64(torch, want["z"])[None]
        L = torch.nn.functional.cross_entropy(z, torch.tensor([p["targets"][0]]))
        close(v.answers["L"], float(L))


def test_softmax_output_error_carried_forward():
    template, vs = variants("rnn.softmax_output", seeds=SEEDS)
    v = vs[0]
    wrong_z = np.asarray(v.answers["z"]) + np.array([0.3, 0.0, -0.2])
    st = statuses(template, v, softmax_output_oracle(v.params, z=wrong_z))
    assert st == {"z": "wrong", "y_hat": "ecf", "L": "ecf"}


# --------------------------------------------------------------------------- rnn.shapes_params

def test_shapes_params_key_matches_closed_form_and_torch(torch):
    _, vs = variants("rnn.shapes_params", seeds=SEEDS)
    for v in vs:
        D, H, V = v.params["D"], v.params["H"], v.params["V"]
        assert v.answers["W_xh"] == [H, D] and v.answers["W_hh"] == [H, H] and v.answers["W_hy"] == [V, H]
        assert v.answers["n_params"] == H * D + H * H + H + V * H + V
    # torch.nn.RNN has a second bias bias_hh (H more); nn.Linear is W_hy and b_y
    D, H, V = vs[0].params["D"], vs[0].params["H"], vs[0].params["V"]
    rnn, out = torch.nn.RNN(D, H), torch.nn.Linear(H, V)
    n_torch = sum(w.numel() for w in rnn.parameters()) + sum(w.numel() for w in out.parameters())
    assert vs[0].answers["n_params"] == n_torch - H
    assert tuple(rnn.weight_ih_l0.shape) == (H, D) and tuple(out.weight.shape) == (V, H)


def test_shapes_params_count_follows_the_given_shapes():
    """The count is computed from the shapes given above it. (The engine carries errors forward
    from numeric parts only, and Shape is not numeric, so grading cannot yet use this.)"""
    template, vs = variants("rnn.shapes_params", seeds=SEEDS)
    v = vs[0]
    D, H, V = v.params["D"], v.params["H"], v.params["V"]
    work = template.solve(thaw(v.params), given={"W_hh": (H, D)})    # W_hh wrongly H x D
    assert work.answers["n_params"] == H * D + H * D + V * H + H + V


# --------------------------------------------------------------------------- rnn.many_to_one

def many_to_one_torch(torch, p):
    """torch.nn.RNN(relu) with bias_hh = 0, then a linear score, sigmoid and BCE."""
    T, D = np.shape(p["x"])
    H = len(p["h0"])
    rnn = torch.nn.RNN(D, H, nonlinearity="relu", batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(t64(torch, p["W_xh"]))
        rnn.weight_hh_l0.copy_(t64(torch, p["W_hh"]))
        rnn.bias_ih_l0.copy_(t64(torch, p["b_h"]))
        rnn.bias_hh_l0.zero_()
        _, h_T = rnn(t64(torch, p["x"])[None], t64(torch, p["h0"])[None, None])
    s = float(t64(torch, p["W_hy"])[0] @ h_T[0, 0]) + p["b_y"][0]
    y_hat = float(torch.sigmoid(torch.tensor(s, dtype=torch.float64)))
    L = float(torch.nn.functional.binary_cross_entropy(torch.tensor(y_hat, dtype=torch.float64),
                                                       torch.tensor(float(p["y"]), dtype=torch.float64)))
    return {"s": s, "y_hat": y_hat, "L": L}


def test_many_to_one_key_matches_torch_rnn(torch):
    for size in ("calculator", "computer"):
        _, vs = variants("rnn.many_to_one", size=size, seeds=SEEDS)
        for v in vs:
            want = many_to_one_torch(torch, v.params)
            for name in want:
                close(v.answers[name], want[name])


def test_many_to_one_computer_size_is_larger():
    _, vs = variants("rnn.many_to_one", size="computer", seeds=SEEDS)
    for v in vs:
        T, D = np.shape(v.params["x"])
        assert 5 <= T <= 10 and 2 <= D <= 3 and 4 <= len(v.params["h0"]) <= 8


def test_many_to_one_error_carried_forward():
    template, vs = variants("rnn.many_to_one", seeds=SEEDS)
    v = vs[0]
    s = v.answers["s"] + 0.4
    y_hat = sig(s)
    L = -np.log(y_hat if v.params["y"] == 1 else 1 - y_hat)
    assert statuses(template, v, {"s": s, "y_hat": y_hat, "L": L}) == {
        "s": "wrong", "y_hat": "ecf", "L": "ecf"}


# --------------------------------------------------------------------------- bptt.two_unit_dW

def two_unit_forward(p):
    h0 = np.asarray(p["h0"], float)
    h1 = np.tanh(p["W_hh"] @ h0 + np.ravel(p["W_xh"]) * p["x"][0][0] + p["b_h"])
    h2 = np.tanh(p["W_hh"] @ h1 + np.ravel(p["W_xh"]) * p["x"][1][0] + p["b_h"])
    return h0, h1, h2


def two_unit_from(p, g2):
    """The notes' sum from a (possibly wrong) dL/dh_2, in plain numpy."""
    h0, h1, h2 = two_unit_forward(p)
    delta2 = (1 - h2**2) * g2
    g1 = np.asarray(p["W_hh"]).T @ delta2
    delta1 = (1 - h1**2) * g1
    return {"dL_dh2": g2, "dL_dh1": g1, "dL_dW": np.outer(delta2, h1) + np.outer(delta1, h0)}


def test_two_unit_dW_key_matches_torch_autograd(torch):
    _, vs = variants("bptt.two_unit_dW", seeds=SEEDS)
    for v in vs:
        p = v.params
        W = t64(torch, p["W_hh"], grad=True)
        h = t64(torch, p["h0"])
        hs = []
        for x_t in p["x"]:
            h = torch.tanh(W @ h + t64(torch, p["W_xh"])[:, 0] * x_t[0] + t64(torch, p["b_h"]))
            h.retain_grad()
            hs.append(h)
        L = 0.5 * ((hs[1] - t64(torch, p["y"])) ** 2).sum()
        L.backward()
        close(v.answers["dL_dh2"], hs[1].grad.numpy())
        close(v.answers["dL_dh1"], hs[0].grad.numpy())
        close(v.answers["dL_dW"], W.grad.numpy())


def test_two_unit_dW_error_carried_forward():
    template, vs = variants("bptt.two_unit_dW", seeds=SEEDS)
    v = vs[0]
    wrong = np.asarray(v.answers["dL_dh2"]) + np.array([0.2, -0.1])
    assert statuses(template, v, two_unit_from(v.params, wrong)) == {
        "dL_dh2": "wrong", "dL_dh1": "ecf", "dL_dW": "ecf"}


# --------------------------------------------------------------------------- bptt.output_weight_grad

def test_output_weight_grad_key_matches_torch_autograd(torch):
    _, vs = variants("bptt.output_weight_grad", seeds=SEEDS)
    for v in vs:
        p = v.params
        W = t64(torch, p["W_hy"], grad=True)
        z = t64(torch, p["h"]) @ W.T + t64(torch, p["b_y"])
        L = torch.nn.functional.cross_entropy(z, torch.tensor(p["targets"]), reduction="sum")
        L.backward()
        y_hat = torch.softmax(z, dim=1).detach().numpy()
        close(v.answers["y_hat1"], y_hat[0])
        close(v.answers["y_hat2"], y_hat[1])
        close(v.answers["dW_ya"], W.grad.numpy())


def test_output_weight_grad_error_carried_forward():
    template, vs = variants("bptt.output_weight_grad", seeds=SEEDS)
    v = vs[0]
    p = v.params
    y1 = np.asarray(v.answers["y_hat1"]) + np.array([0.1, -0.1, 0.0])
    y2 = np.asarray(v.answers["y_hat2"])
    Y = np.eye(3)[p["targets"]]
    dW = np.outer(y1 - Y[0], p["h"][0]) + np.outer(y2 - Y[1], p["h"][1])
    assert statuses(template, v, {"y_hat1": y1, "y_hat2": y2, "dW_ya": dW}) == {
        "y_hat1": "wrong", "y_hat2": "correct", "dW_ya": "ecf"}


# --------------------------------------------------------------------------- bptt.truncated

def truncated_torch(torch, p, tau):
    """dL_3/dW with the state h_{3 - tau} detached (tau = 3: full BPTT)."""
    W = torch.tensor(p["W_hh"], dtype=torch.float64, requires_grad=True)
    h = torch.tensor(p["h0"], dtype=torch.float64)
    for t, x in enumerate(p["x"], start=1):
        if t - 1 == 3 - tau:
            h = h.detach()
        h = torch.tanh(W * h + p["W_xh"] * x + p["b_h"])
    (0.5 * (h - p["y"]) ** 2).backward()
    return float(W.grad)


def test_truncated_key_matches_torch_detach(torch):
    _, vs = variants("bptt.truncated", seeds=SEEDS)
    for v in vs:
        for part, tau in (("trunc1", 1), ("trunc2", 2), ("full", 3)):
            close(v.answers[part], truncated_torch(torch, v.params, tau))


def test_truncated_error_carried_forward(torch):
    template, vs = variants("bptt.truncated", seeds=SEEDS)
    v = vs[0]
    g = [truncated_torch(torch, v.params, tau) for tau in (1, 2, 3)]
    wrong = g[0] + 0.05
    answers = {"trunc1": wrong, "trunc2": wrong + (g[1] - g[0]), "full": wrong + (g[2] - g[0])}
    assert statuses(template, v, answers) == {"trunc1": "wrong", "trunc2": "ecf", "full": "ecf"}


# --------------------------------------------------------------------------- vanishing.gradient_factor

def factors(p):
    return [p["W_hh"] * (1 - np.tanh(a) ** 2) for a in p["a"]]


def test_gradient_factor_key_matches_closed_form_and_torch(torch):
    _, vs = variants("vanishing.gradient_factor", seeds=SEEDS)
    for v in vs:
        J = factors(v.params)
        close(v.answers["dh4_dh3"], J[3])
        close(v.answers["dh4_dh2"], J[3] * J[2])
        close(v.answers["dh4_dh0"], np.prod(J))
        # torch: differentiate h_4 = tanh(a_4) through a chain with exactly these pre-activations
        p = v.params
        h0 = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
        h, prev = h0, 0.3
        for a in p["a"]:
            h_new = torch.tanh(p["W_hh"] * h + (a - p["W_hh"] * prev))  # input term fixed to hit a_t
            prev, h = float(h_new.detach()), h_new
        h.backward()
        close(v.answers["dh4_dh0"], float(h0.grad))


def test_gradient_factor_error_carried_forward():
    template, vs = variants("vanishing.gradient_factor", seeds=SEEDS)
    v = vs[0]
    J = factors(v.params)
    wrong = J[3] + 0.1
    answers = {"dh4_dh3": wrong, "dh4_dh2": wrong * J[2], "dh4_dh0": wrong * J[2] * J[1] * J[0]}
    assert statuses(template, v, answers) == {"dh4_dh3": "wrong", "dh4_dh2": "ecf", "dh4_dh0": "ecf"}


# --------------------------------------------------------------------------- vanishing.steps_to_vanish

def first_n_below(q, eps):
    n = 1
    while q**n >= eps:
        n += 1
    return n


def test_steps_to_vanish_key_matches_brute_force():
    _, vs = variants("vanishing.steps_to_vanish", seeds=SEEDS)
    for v in vs:
        p = v.params
        q = abs(p["W_hh"]) * p["gamma"]
        close(v.answers["q"], q)
        assert v.answers["n"] == first_n_below(q, p["eps"])


def test_steps_to_vanish_error_carried_forward():
    template, vs = variants("vanishing.steps_to_vanish", seeds=SEEDS)
    v = vs[0]
    q = v.answers["q"] * 0.8
    n = first_n_below(round(q, 4), v.params["eps"])
    assert n != v.answers["n"]
    assert statuses(template, v, {"q": round(q, 4), "n": n}) == {"q": "wrong", "n": "ecf"}


# --------------------------------------------------------------------------- vanishing.clipping

def test_clipping_key_matches_numpy_and_torch(torch):
    _, vs = variants("vanishing.clipping", seeds=SEEDS)
    for v in vs:
        p = thaw(v.params)
        g = np.concatenate([p["grads"]["W"], p["grads"]["b"]])
        norm = np.sqrt(np.sum(g**2))
        close(v.answers["norm"], norm)
        close(v.answers["W_clipped"], p["grads"]["W"] * p["max_norm"] / norm)
        close(v.answers["b_clipped"], p["grads"]["b"] * p["max_norm"] / norm)
        close(v.answers["W_value"], np.minimum(np.maximum(p["grads"]["W"], -p["clip_value"]),
                                               p["clip_value"]))
        # torch's clip_grad_norm_ divides by (norm + 1e-6): equal to 1e-6 here
        ws = [torch.nn.Parameter(t64(torch, p["grads"][k])) for k in ("W", "b")]
        for w in ws:
            w.grad = w.detach().clone()
        total = torch.nn.utils.clip_grad_norm_(ws, p["max_norm"])
        close(v.answers["norm"], float(total))
        close(v.answers["W_clipped"], ws[0].grad.numpy(), tol=1e-5)
        close(v.answers["b_clipped"], ws[1].grad.numpy(), tol=1e-5)
        w = torch.nn.Parameter(t64(torch, p["grads"]["W"]))
        w.grad = w.detach().clone()
        torch.nn.utils.clip_grad_value_([w], p["clip_value"])
        close(v.answers["W_value"], w.grad.numpy())


def test_clipping_error_carried_forward():
    template, vs = variants("vanishing.clipping", seeds=SEEDS)
    v = vs[0]
    p = thaw(v.params)
    norm = v.answers["norm"] + 0.5
    answers = {"norm": norm, "W_clipped": p["grads"]["W"] * p["max_norm"] / norm,
               "b_clipped": p["grads"]["b"] * p["max_norm"] / norm, "W_value": v.answers["W_value"]}
    assert statuses(template, v, answers) == {"norm": "wrong", "W_clipped": "ecf",
                                              "b_clipped": "ecf", "W_value": "correct"}
