"""rnn: against torch.nn.RNN float64 autograd, finite differences and closed forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl import rnn
from tests.numerics import check_gradients, grad_of, to_torch

ACTS = ("tanh", "relu")
TOL = dict(rtol=1e-10, atol=1e-10)
GRAD_KEYS = ("x", "h0", "W_xh", "W_hh", "b_h")


def draw(rng, T, D, H, V=None, scale=0.8):
    p = {
        "x": rng.normal(size=(T, D)),
        "h0": rng.normal(size=H),
        "W_xh": rng.normal(scale=scale, size=(H, D)),
        "W_hh": rng.normal(scale=scale, size=(H, H)),
        "b_h": rng.normal(size=H),
    }
    if V is not None:
        p["W_hy"] = rng.normal(size=(V, H))
        p["b_y"] = rng.normal(size=V)
        p["targets"] = rng.integers(0, V, size=T)
    return p


def forward(p, act):
    return rnn.rnn_forward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"], activation=act)


def torch_rnn(torch, p, act):
    """torch.nn.RNN with weight_ih = W_xh, weight_hh = W_hh, bias_ih = b_h, bias_hh = 0."""
    H, D = p["W_xh"].shape
    m = torch.nn.RNN(D, H, nonlinearity=act, dtype=torch.float64)
    with torch.no_grad():
        m.weight_ih_l0.copy_(to_torch(torch, p["W_xh"]))
        m.weight_hh_l0.copy_(to_torch(torch, p["W_hh"]))
        m.bias_ih_l0.copy_(to_torch(torch, p["b_h"]))
        m.bias_hh_l0.zero_()
    return m


def torch_grads(m, xt, h0t):
    return {"x": grad_of(xt), "h0": grad_of(h0t), "W_xh": grad_of(m.weight_ih_l0),
            "W_hh": grad_of(m.weight_hh_l0), "b_h": grad_of(m.bias_ih_l0)}


def run(m, x_slice, state):
    """Run the module over a (T', D) slice from state (H,); return (T', H)."""
    out, _ = m(x_slice, state[None, :])
    return out


# --------------------------------------------------------------------------- #
# Forward and full BPTT against torch.nn.RNN
# --------------------------------------------------------------------------- #
@pytest.mark.oracle
@given(T=st.integers(1, 6), D=st.integers(1, 5), H=st.integers(1, 5),
       act=st.sampled_from(ACTS), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_forward_and_full_bptt_match_torch(torch, T, D, H, act, seed):
    rng = np.random.default_rng(seed)
    p = draw(rng, T, D, H)
    dh = rng.normal(size=(T, H))
    h, cache = forward(p, act)
    g = rnn.rnn_backward(dh, cache)

    m = torch_rnn(torch, p, act)
    xt = to_torch(torch, p["x"], requires_grad=True)
    h0t = to_torch(torch, p["h0"], requires_grad=True)
    out = run(m, xt, h0t)
    np.testing.assert_allclose(h, out.detach().numpy(), **TOL)
    (out * to_torch(torch, dh)).sum().backward()
    tg = torch_grads(m, xt, h0t)
    for k in GRAD_KEYS:
        np.testing.assert_allclose(g[k], tg[k], **TOL, err_msg=k)
    # torch's second bias gets the same gradient as b_h: a check that bias_hh = 0 is harmless.
    np.testing.assert_allclose(g["b_h"], grad_of(m.bias_hh_l0), **TOL)
    # cache: a_t is the pre-activation whose f gives h_t, h_prev row 0 is h_0
    f = np.tanh if act == "tanh" else (lambda z: np.maximum(z, 0))
    np.testing.assert_allclose(f(cache["a"]), h, **TOL)
    np.testing.assert_array_equal(cache["h_prev"][0], p["h0"])


@pytest.mark.oracle
def test_step_functions_match_torch_rnncell(torch, rng):
    for act in ACTS:
        for _ in range(4):
            D, H = rng.integers(1, 6, size=2)
            x_t, h_prev = rng.normal(size=D), rng.normal(size=H)
            W_xh, W_hh, b_h = rng.normal(size=(H, D)), rng.normal(size=(H, H)), rng.normal(size=H)
            dh = rng.normal(size=H)
            h, cache = rnn.rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h, activation=act)
            g = rnn.rnn_step_backward(dh, cache)
            cell = torch.nn.RNNCell(int(D), int(H), nonlinearity=act, dtype=torch.float64)
            with torch.no_grad():
                cell.weight_ih.copy_(to_torch(torch, W_xh))
                cell.weight_hh.copy_(to_torch(torch, W_hh))
                cell.bias_ih.copy_(to_torch(torch, b_h))
                cell.bias_hh.zero_()
            xt = to_torch(torch, x_t, requires_grad=True)
            ht = to_torch(torch, h_prev, requires_grad=True)
            out = cell(xt, ht)
            np.testing.assert_allclose(h, out.detach().numpy(), **TOL)
            (out * to_torch(torch, dh)).sum().backward()
            np.testing.assert_allclose(g["x"], grad_of(xt), **TOL)
            np.testing.assert_allclose(g["h_prev"], grad_of(ht), **TOL)
            np.testing.assert_allclose(g["W_xh"], grad_of(cell.weight_ih), **TOL)
            np.testing.assert_allclose(g["W_hh"], grad_of(cell.weight_hh), **TOL)
            np.testing.assert_allclose(g["b_h"], grad_of(cell.bias_ih), **TOL)


# --------------------------------------------------------------------------- #
# Truncated BPTT against torch graphs built with detach()
# --------------------------------------------------------------------------- #
def torch_truncated(torch, p, dh, act, k, mode):
    """An independent torch construction of the truncated gradient.

    chunked: run chunk by chunk, h = h.detach() before each chunk but the first.
    window: for each t, start = max(0, t-k); rerun steps start+1..t from h_start
    (h0 itself, a leaf, if start == 0; otherwise the full forward's h_start, detached).
    """
    m = torch_rnn(torch, p, act)
    xt = to_torch(torch, p["x"], requires_grad=True)
    h0t = to_torch(torch, p["h0"], requires_grad=True)
    dht = to_torch(torch, dh)
    T = p["x"].shape[0]
    total = 0
    if mode == "chunked":
        state = h0t
        for c0 in range(0, T, k):
            if c0 > 0:
                state = state.detach()
            out = run(m, xt[c0:c0 + k], state)
            total = total + (out * dht[c0:c0 + k]).sum()
            state = out[-1]
    else:
        full = run(m, xt, h0t)
        for t in range(1, T + 1):
            start = max(0, t - k)
            state = h0t if start == 0 else full[start - 1].detach()
            out = run(m, xt[start:t], state)
            total = total + (out[-1] * dht[t - 1]).sum()
    total.backward()
    return torch_grads(m, xt, h0t)


@pytest.mark.oracle
@given(T=st.integers(1, 6), D=st.integers(1, 4), H=st.integers(1, 4), k=st.integers(1, 7),
       act=st.sampled_from(ACTS), mode=st.sampled_from(("chunked", "window")),
       seed=st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_truncated_bptt_matches_torch_detach(torch, T, D, H, k, act, mode, seed):
    rng = np.random.default_rng(seed)
    p = draw(rng, T, D, H)
    dh = rng.normal(size=(T, H))
    _, cache = forward(p, act)
    g = rnn.rnn_backward(dh, cache, truncate=k, truncate_mode=mode)
    tg = torch_truncated(torch, p, dh, act, k, mode)
    for key in GRAD_KEYS:
        np.testing.assert_allclose(g[key], tg[key], **TOL, err_msg=f"{mode} k={k}: {key}")


def test_truncation_windows_closed_form():
    # chunked, k = 2, T = 5: chunks {1,2}, {3,4}, {5}
    np.testing.assert_array_equal(rnn.truncation_windows(5, 2, "chunked"), [0, 0, 2, 2, 4])
    # window, k = 2: L_t reaches steps t-1, t
    np.testing.assert_array_equal(rnn.truncation_windows(5, 2, "window"), [0, 0, 1, 2, 3])
    np.testing.assert_array_equal(rnn.truncation_windows(4), [0, 0, 0, 0])
    with pytest.raises(ValueError, match="truncate_mode"):
        rnn.truncation_windows(4, 2, "sliding")
    with pytest.raises(ValueError, match="truncate"):
        rnn.truncation_windows(4, 0)


def test_truncated_dh0_is_gradient_of_first_k_terms(rng):
    """dh0 under truncation (both modes) = d/dh0 of L_1..L_k only, computed by finite
    differences of the forward with the later direct gradients zeroed."""
    T, D, H, k = 6, 2, 3, 2
    p = draw(rng, T, D, H)
    dh = rng.normal(size=(T, H))
    dh_first = dh.copy()
    dh_first[k:] = 0
    h0 = p["h0"]

    def loss_first_k():
        return float(np.sum(forward(p, "tanh")[0] * dh_first))

    for mode in ("chunked", "window"):
        _, cache = forward(p, "tanh")
        g = rnn.rnn_backward(dh, cache, truncate=k, truncate_mode=mode)
        check_gradients(loss_first_k, {"h0": h0}, {"h0": g["h0"]}, rtol=1e-6, atol=1e-9)
    # and with full BPTT dh0 also collects L_3..L_6, so it is different here
    _, cache = forward(p, "tanh")
    full = rnn.rnn_backward(dh, cache)
    assert not np.allclose(full["h0"], g["h0"])


@pytest.mark.parametrize("act", ACTS)
def test_truncated_gradient_is_gradient_of_frozen_state_surrogate(rng, act):
    """Finite differences of the surrogate: sum_t dh_t . h_t computed from the frozen
    state h_start(t) (a constant taken from the unperturbed forward, h0 if start = 0)."""
    T, D, H = 5, 2, 3
    for mode, k in (("chunked", 2), ("window", 2), ("window", 3), ("chunked", 3)):
        p = draw(rng, T, D, H)
        dh = rng.normal(size=(T, H))
        h_ref, cache = forward(p, act)
        frozen = h_ref.copy()
        g = rnn.rnn_backward(dh, cache, truncate=k, truncate_mode=mode)
        start = rnn.truncation_windows(T, k, mode)

        def surrogate():
            total = 0.0
            for t in range(1, T + 1):
                s0 = start[t - 1]
                state = p["h0"] if s0 == 0 else frozen[s0 - 1]
                h, _ = rnn.rnn_forward(p["x"][s0:t], state, p["W_xh"], p["W_hh"], p["b_h"], act)
                total += float(h[-1] @ dh[t - 1])
            return total

        check_gradients(surrogate, {key: p[key] for key in GRAD_KEYS}, g, rtol=1e-6, atol=1e-8)


def test_truncation_longer_than_sequence_is_full_bptt(rng):
    p = draw(rng, 4, 3, 2)
    dh = rng.normal(size=(4, 2))
    _, cache = forward(p, "tanh")
    full = rnn.rnn_backward(dh, cache)
    for mode in ("chunked", "window"):
        for k in (4, 9):
            g = rnn.rnn_backward(dh, cache, truncate=k, truncate_mode=mode)
            for key in GRAD_KEYS:
                np.testing.assert_allclose(g[key], full[key], rtol=1e-13, atol=1e-14)
    # k = 1: no recurrent flow at all: dW_hh = sum_t (dh_t * f'(a_t)) h_{t-1}^T
    da = dh * (1 - np.tanh(cache["a"]) ** 2)
    g1 = rnn.rnn_backward(dh, cache, truncate=1, truncate_mode="window")
    np.testing.assert_allclose(g1["W_hh"], da.T @ np.vstack([p["h0"], np.tanh(cache["a"][:-1])]),
                               rtol=1e-12)
    np.testing.assert_allclose(g1["h0"], p["W_hh"].T @ da[0], rtol=1e-12)


# --------------------------------------------------------------------------- #
# Finite differences for the full backward
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("act", ACTS)
def test_full_bptt_matches_finite_differences(rng, act):
    for T, D, H in ((1, 1, 1), (4, 3, 2), (6, 2, 4)):
        p = draw(rng, T, D, H)
        dh = rng.normal(size=(T, H))
        _, cache = forward(p, act)
        g = rnn.rnn_backward(dh, cache)
        check_gradients(lambda: float(np.sum(forward(p, act)[0] * dh)),
                        {key: p[key] for key in GRAD_KEYS}, g, rtol=1e-6, atol=1e-8)


def test_step_backward_matches_finite_differences(rng):
    x_t, h_prev = rng.normal(size=3), rng.normal(size=2)
    W_xh, W_hh, b_h = rng.normal(size=(2, 3)), rng.normal(size=(2, 2)), rng.normal(size=2)
    dh = rng.normal(size=2)
    _, cache = rnn.rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h)
    g = rnn.rnn_step_backward(dh, cache)
    loss = lambda: float(rnn.rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h)[0] @ dh)
    check_gradients(loss, {"x": x_t, "h_prev": h_prev, "W_xh": W_xh, "W_hh": W_hh, "b_h": b_h},
                    g, rtol=1e-6, atol=1e-9)


# --------------------------------------------------------------------------- #
# Outputs, cross-entropy, the whole loss
# --------------------------------------------------------------------------- #
def torch_loss(torch, p, act):
    m = torch_rnn(torch, p, act)
    V, H = p["W_hy"].shape
    lin = torch.nn.Linear(H, V, dtype=torch.float64)
    with torch.no_grad():
        lin.weight.copy_(to_torch(torch, p["W_hy"]))
        lin.bias.copy_(to_torch(torch, p["b_y"]))
    xt = to_torch(torch, p["x"], requires_grad=True)
    h0t = to_torch(torch, p["h0"], requires_grad=True)
    logits = lin(run(m, xt, h0t))
    losses = torch.nn.functional.cross_entropy(
        logits, torch.tensor(p["targets"], dtype=torch.long), reduction="none")
    losses.sum().backward()
    tg = torch_grads(m, xt, h0t)
    tg["W_hy"], tg["b_y"] = grad_of(lin.weight), grad_of(lin.bias)
    return losses.detach().numpy(), torch.softmax(logits, -1).detach().numpy(), tg


@pytest.mark.oracle
@given(T=st.integers(1, 6), D=st.integers(1, 5), H=st.integers(1, 5), V=st.integers(1, 6),
       act=st.sampled_from(ACTS), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_loss_and_grads_match_torch(torch, T, D, H, V, act, seed):
    rng = np.random.default_rng(seed)
    p = draw(rng, T, D, H, V)
    params = {key: p[key] for key in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")}
    loss, losses, g, cache = rnn.rnn_loss_and_grads(p["x"], p["targets"], p["h0"], params,
                                                    activation=act)
    t_losses, t_probs, tg = torch_loss(torch, p, act)
    np.testing.assert_allclose(losses, t_losses, **TOL)
    assert loss == pytest.approx(t_losses.sum(), rel=1e-10, abs=1e-10)
    np.testing.assert_allclose(cache["out"]["y_hat"], t_probs, **TOL)
    np.testing.assert_allclose(rnn.cross_entropy(cache["out"]["y_hat"], p["targets"]), t_losses,
                               **TOL)
    for key in tg:
        np.testing.assert_allclose(g[key], tg[key], **TOL, err_msg=key)


def test_output_backward_is_the_notes_formula_and_finite_differences(rng):
    T, H, V = 4, 3, 5
    h = rng.normal(size=(T, H))
    W_hy, b_y = rng.normal(size=(V, H)), rng.normal(size=V)
    targets = rng.integers(0, V, size=T)
    y_hat, cache = rnn.output_forward(h, W_hy, b_y)
    g = rnn.output_backward(targets, cache)
    # the notes: dW_hy = sum_t (y^_t - y_t) h_t^T with y_t one-hot, written as a loop
    dW = sum(np.outer(y_hat[t] - np.eye(V)[targets[t]], h[t]) for t in range(T))
    np.testing.assert_allclose(g["W_hy"], dW, rtol=1e-13, atol=1e-15)
    loss = lambda: float(rnn.cross_entropy(rnn.output_forward(h, W_hy, b_y)[0], targets).sum())
    check_gradients(loss, {"W_hy": W_hy, "b_y": b_y, "h": h}, g, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(y_hat.sum(axis=1), 1.0, rtol=1e-14)


@pytest.mark.parametrize("mode", ["chunked", "window"])
def test_loss_and_grads_truncated_only_changes_recurrent_part(rng, mode):
    p = draw(rng, 5, 2, 3, V=4)
    params = {key: p[key] for key in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")}
    full = rnn.rnn_loss_and_grads(p["x"], p["targets"], p["h0"], params)
    trunc = rnn.rnn_loss_and_grads(p["x"], p["targets"], p["h0"], params, truncate=2,
                                   truncate_mode=mode)
    assert trunc[0] == full[0]
    np.testing.assert_array_equal(trunc[2]["W_hy"], full[2]["W_hy"])
    assert not np.allclose(trunc[2]["W_hh"], full[2]["W_hh"])
    # the truncated recurrent gradients are rnn_backward(dL/dh direct, truncated), by hand:
    out = full[3]["out"]
    dz = out["y_hat"] - np.eye(4)[p["targets"]]
    g = rnn.rnn_backward(dz @ p["W_hy"], full[3]["rnn"], truncate=2, truncate_mode=mode)
    np.testing.assert_allclose(trunc[2]["W_hh"], g["W_hh"], rtol=1e-14)


# --------------------------------------------------------------------------- #
# Jacobians dh_t/dh_k and vanishing gradients
# --------------------------------------------------------------------------- #
def torch_steps(torch, p, act):
    W_xh, W_hh, b_h = (to_torch(torch, p[k]) for k in ("W_xh", "W_hh", "b_h"))
    x = to_torch(torch, p["x"])
    f = torch.tanh if act == "tanh" else torch.relu

    def steps(h, k, t):  # h_k -> h_t, explicit tensor ops
        for s in range(k + 1, t + 1):
            h = f(W_hh @ h + W_xh @ x[s - 1] + b_h)
        return h
    return steps


@pytest.mark.oracle
@given(T=st.integers(1, 6), D=st.integers(1, 4), H=st.integers(1, 5),
       act=st.sampled_from(ACTS), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_hidden_jacobian_matches_torch_autograd(torch, T, D, H, act, seed):
    rng = np.random.default_rng(seed)
    p = draw(rng, T, D, H)
    h, cache = forward(p, act)
    states = np.vstack([p["h0"], h])  # states[k] = h_k, k = 0..T
    steps = torch_steps(torch, p, act)
    for k in range(T + 1):
        for t in range(k, T + 1):
            J = torch.autograd.functional.jacobian(
                lambda hk: steps(hk, k, t), to_torch(torch, states[k])).numpy()
            np.testing.assert_allclose(rnn.hidden_jacobian(cache, t, k), J, **TOL,
                                       err_msg=f"t={t} k={k}")


@pytest.mark.parametrize("act,u", [("tanh", -0.7), ("relu", 0.5), ("relu", -0.7)])
def test_scalar_rnn_jacobian_closed_form(act, u):
    """H = D = 1, T = 3: dh_3/dh_1 = w^2 f'(a_3) f'(a_2), a_t written out by hand."""
    w, b, h0 = 0.9, 0.3, 0.5
    x = np.array([[1.2], [-0.4], [0.8]])
    f = np.tanh if act == "tanh" else (lambda z: max(z, 0.0))
    fp = (lambda z: 1 - np.tanh(z) ** 2) if act == "tanh" else (lambda z: float(z > 0))
    a1 = w * h0 + u * 1.2 + b
    a2 = w * f(a1) + u * -0.4 + b
    a3 = w * f(a2) + u * 0.8 + b
    _, cache = rnn.rnn_forward(x, [h0], [[u]], [[w]], [b], activation=act)
    expected = w ** 2 * fp(a3) * fp(a2)
    assert rnn.hidden_jacobian(cache, 3, 1)[0, 0] == pytest.approx(expected, rel=1e-13)
    assert rnn.hidden_jacobian(cache, 3, 0)[0, 0] == pytest.approx(expected * w * fp(a1),
                                                                   rel=1e-13)
    assert rnn.hidden_jacobian(cache, 2, 2)[0, 0] == 1.0
    if act == "relu":
        # a_2, a_3 > 0 in both relu cases: dh_3/dh_1 = w^2 exactly; a_1 = -0.09 < 0 when
        # u = -0.7, and then nothing flows back to h_0.
        assert a2 > 0 and a3 > 0 and expected == w ** 2
        assert (rnn.hidden_jacobian(cache, 3, 0)[0, 0] == 0.0) == (a1 < 0)


def test_hidden_jacobian_rejects_bad_indices(rng):
    _, cache = forward(draw(rng, 3, 2, 2), "tanh")
    with pytest.raises(ValueError, match="k <= t"):
        rnn.hidden_jacobian(cache, 1, 2)
    with pytest.raises(ValueError, match="T = 3"):
        rnn.hidden_jacobian(cache, 4, 0)


@pytest.mark.oracle
@pytest.mark.parametrize("act", ACTS)
def test_gradient_norms_match_torch_retain_grad(torch, rng, act):
    for T, D, H in ((1, 2, 2), (5, 3, 4), (8, 2, 3)):
        p = draw(rng, T, D, H)
        dh_T = rng.normal(size=H)
        _, cache = forward(p, act)
        steps = torch_steps(torch, p, act)
        hs = [to_torch(torch, p["h0"], requires_grad=True)]
        for t in range(1, T + 1):
            hs[-1].retain_grad()
            hs.append(steps(hs[-1], t - 1, t))
        hs[-1].retain_grad()
        (hs[-1] * to_torch(torch, dh_T)).sum().backward()
        expected = np.array([grad_of(hk) for hk in hs])
        np.testing.assert_allclose(rnn.hidden_gradients(cache, dh_T), expected, **TOL)
        np.testing.assert_allclose(rnn.gradient_norms(cache, dh_T),
                                   np.linalg.norm(expected, axis=1), **TOL)


@given(T=st.integers(1, 6), H=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_tanh_gradient_shrinks_at_most_by_spectral_norm(T, H, seed):
    """|tanh'| <= 1, so ||dL/dh_{k-1}|| <= sigma_max(W_hh) ||dL/dh_k||: with sigma_max < 1
    the gradient vanishes at least geometrically."""
    rng = np.random.default_rng(seed)
    p = draw(rng, T, 2, H)
    W = p["W_hh"]
    sigma = np.linalg.norm(W, 2)
    p["W_hh"] = W * (0.9 / sigma)
    _, cache = forward(p, "tanh")
    n = rnn.gradient_norms(cache, rng.normal(size=H))
    for k in range(T, 0, -1):
        assert n[k - 1] <= 0.9 * n[k] * (1 + 1e-12) + 1e-300
    assert n[0] <= 0.9 ** T * n[T] * (1 + 1e-12)


# --------------------------------------------------------------------------- #
# Clipping against torch.nn.utils
# --------------------------------------------------------------------------- #
def torch_params_with_grads(torch, grads):
    ps = []
    for g in grads.values():
        p = torch.nn.Parameter(to_torch(torch, np.zeros_like(g)))
        p.grad = to_torch(torch, g)
        ps.append(p)
    return ps


@pytest.mark.oracle
def test_clip_by_global_norm_vs_torch(torch, rng):
    clipped_seen = unclipped_seen = 0
    for _ in range(30):
        shapes = [tuple(rng.integers(1, 5, size=rng.integers(1, 3))) for _ in range(3)]
        grads = {f"g{i}": rng.normal(scale=rng.uniform(0.1, 3), size=s)
                 for i, s in enumerate(shapes)}
        true_norm = np.sqrt(sum((g ** 2).sum() for g in grads.values()))
        max_norm = true_norm * rng.choice([rng.uniform(0.1, 0.9), rng.uniform(1.1, 3)])
        ours, total, scale = rnn.clip_by_global_norm(grads, max_norm)
        ps = torch_params_with_grads(torch, grads)
        t_total = torch.nn.utils.clip_grad_norm_(ps, max_norm).item()
        assert total == pytest.approx(t_total, rel=1e-12)
        if total > max_norm:
            clipped_seen += 1
            assert scale == pytest.approx(max_norm / total, rel=1e-15)
            new = np.sqrt(sum((v ** 2).sum() for v in ours.values()))
            assert new == pytest.approx(max_norm, rel=1e-12)
            for p, key in zip(ps, grads):
                np.testing.assert_allclose(grad_of(p), ours[key] * total / (total + 1e-6),
                                           rtol=1e-12, atol=1e-15)
                assert not np.allclose(grad_of(p), ours[key], rtol=1e-9, atol=0)
        else:
            unclipped_seen += 1
            assert scale == 1.0
            for p, key in zip(ps, grads):
                np.testing.assert_array_equal(grad_of(p), ours[key])
                np.testing.assert_array_equal(ours[key], grads[key])
    assert clipped_seen and unclipped_seen


@pytest.mark.oracle
def test_clip_by_value_vs_torch(torch, rng):
    for _ in range(10):
        grads = {"a": rng.normal(scale=2, size=(3, 4)), "b": rng.normal(scale=2, size=5)}
        c = rng.uniform(0.1, 2)
        ours = rnn.clip_by_value(grads, c)
        ps = torch_params_with_grads(torch, grads)
        torch.nn.utils.clip_grad_value_(ps, c)
        for p, key in zip(ps, grads):
            np.testing.assert_array_equal(ours[key], grad_of(p))
        assert max(np.abs(v).max() for v in ours.values()) <= c


def test_clip_by_global_norm_closed_form():
    ours, total, scale = rnn.clip_by_global_norm({"a": np.array([3.0]), "b": np.array([[4.0]])}, 1.0)
    assert total == 5.0 and scale == pytest.approx(0.2)
    np.testing.assert_allclose(ours["a"], [0.6])
    np.testing.assert_allclose(ours["b"], [[0.8]])
    with pytest.raises(ValueError, match="max_norm"):
        rnn.clip_by_global_norm({"a": np.ones(2)}, 0.0)


# --------------------------------------------------------------------------- #
# Parameter count
# --------------------------------------------------------------------------- #
@pytest.mark.oracle
def test_param_count_vs_torch(torch, rng):
    for _ in range(10):
        D, H, V = (int(v) for v in rng.integers(1, 20, size=3))
        m = torch.nn.RNN(D, H)
        lin = torch.nn.Linear(H, V)
        n_rnn = sum(p.numel() for p in m.parameters())
        n_lin = sum(p.numel() for p in lin.parameters())
        # torch has the extra bias_hh (H entries) that the course's single b_h absorbs
        assert rnn.rnn_param_count(D, H) == n_rnn - H
        assert rnn.rnn_param_count(D, H, V) == n_rnn - H + n_lin
    assert rnn.rnn_param_count(3, 2) == 2 * 3 + 2 * 2 + 2
    assert rnn.rnn_param_count(3, 2, 4) == 12 + 4 * 2 + 4


# --------------------------------------------------------------------------- #
# Shape errors
# --------------------------------------------------------------------------- #
def test_wrong_shapes_name_the_argument(rng):
    p = draw(rng, 3, 2, 4)
    with pytest.raises(ValueError, match=r"W_xh.*\(H, D\)"):
        rnn.rnn_forward(p["x"], p["h0"], p["W_xh"].T, p["W_hh"], p["b_h"])
    with pytest.raises(ValueError, match=r"W_hh.*\(H, H\)"):
        rnn.rnn_forward(p["x"], p["h0"], p["W_xh"], p["W_hh"][:, :3], p["b_h"])
    with pytest.raises(ValueError, match="b_h"):
        rnn.rnn_forward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"][:2])
    with pytest.raises(ValueError, match="x must be 2-dimensional"):
        rnn.rnn_forward(p["x"][0], p["h0"], p["W_xh"], p["W_hh"], p["b_h"])
    _, cache = forward(p, "tanh")
    with pytest.raises(ValueError, match=r"dh.*\(T, H\)"):
        rnn.rnn_backward(np.zeros((3, 3)), cache)
    with pytest.raises(ValueError, match=r"W_hy.*\(V, H\)"):
        rnn.output_forward(np.zeros((3, 4)), np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="targets"):
        rnn.cross_entropy(np.full((3, 2), 0.5), np.array([0, 1]))
    with pytest.raises(ValueError, match="targets"):
        rnn.cross_entropy(np.full((3, 2), 0.5), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="activation"):
        rnn.rnn_forward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"], activation="gelu")
