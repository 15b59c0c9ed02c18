"""bidirectional: Bi-RNN and Bi-LSTM against torch.nn.RNN / torch.nn.LSTM with
bidirectional=True (reverse weights *_l0_reverse), and finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl import bidirectional as B
from reference_impl.lstm import to_pytorch_lstm
from tests.numerics import check_gradients, grad_of, to_torch

TOL = dict(rtol=1e-10, atol=1e-10)
LSTM_GATES = ("f", "i", "c", "o")


def rnn_direction(rng, D, H, scale=0.8):
    return {"h0": rng.normal(size=H), "W_xh": rng.normal(scale=scale, size=(H, D)),
            "W_hh": rng.normal(scale=scale, size=(H, H)), "b_h": rng.normal(scale=scale, size=H)}


def lstm_direction(rng, D, H, scale=1.0):
    params = {f"W_{g}": rng.normal(scale=scale, size=(H, H + D)) for g in LSTM_GATES}
    params.update({f"b_{g}": rng.normal(scale=scale, size=H) for g in LSTM_GATES})
    return {"h0": rng.normal(size=H), "c0": rng.normal(size=H), "params": params}


shapes = st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**32 - 1))


# ------------------------------------------------------------------ Bi-RNN


@pytest.mark.oracle
@given(shapes, st.sampled_from(["tanh", "relu"]))
@settings(max_examples=30, deadline=None)
def test_birnn_matches_torch_bidirectional_rnn(torch, shape, activation):
    T, D, H, seed = shape
    rng = np.random.default_rng(seed)
    fwd, bwd = rnn_direction(rng, D, H), rnn_direction(rng, D, H)
    x, dh = rng.normal(size=(T, D)), rng.normal(size=(T, 2 * H))

    h, cache = B.birnn_forward(x, fwd, bwd, activation=activation)
    grads = B.birnn_backward(dh, cache)

    net = torch.nn.RNN(D, H, nonlinearity=activation, bidirectional=True).to(torch.float64)
    with torch.no_grad():
        for d, suffix in [(fwd, "_l0"), (bwd, "_l0_reverse")]:
            getattr(net, "weight_ih" + suffix).copy_(to_torch(torch, d["W_xh"]))
            getattr(net, "weight_hh" + suffix).copy_(to_torch(torch, d["W_hh"]))
            getattr(net, "bias_ih" + suffix).copy_(to_torch(torch, d["b_h"]))
            getattr(net, "bias_hh" + suffix).zero_()
    xt = to_torch(torch, x[:, None, :], True)
    h0t = to_torch(torch, np.stack([fwd["h0"], bwd["h0"]])[:, None, :], True)  # (2, 1, H)
    out, _ = net(xt, h0t)
    np.testing.assert_allclose(h, out[:, 0].detach().numpy(), **TOL)
    (out[:, 0] * to_torch(torch, dh)).sum().backward()

    for name, suffix, j in [("fwd", "_l0", 0), ("bwd", "_l0_reverse", 1)]:
        g = grads[name]
        np.testing.assert_allclose(g["W_xh"], grad_of(getattr(net, "weight_ih" + suffix)), **TOL)
        np.testing.assert_allclose(g["W_hh"], grad_of(getattr(net, "weight_hh" + suffix)), **TOL)
        np.testing.assert_allclose(g["b_h"], grad_of(getattr(net, "bias_ih" + suffix)), **TOL)
        np.testing.assert_allclose(g["h0"], grad_of(h0t)[j, 0], **TOL, err_msg=name)
    np.testing.assert_allclose(grads["x"], grad_of(xt)[:, 0], **TOL)


@given(shapes, st.sampled_from(["tanh", "sigmoid"]))
@settings(max_examples=10, deadline=None)
def test_birnn_backward_matches_finite_differences(shape, activation):
    T, D, H, seed = shape
    T, D, H = min(T, 4), min(D, 3), min(H, 3)
    rng = np.random.default_rng(seed)
    fwd, bwd = rnn_direction(rng, D, H), rnn_direction(rng, D, H)
    x, dh = rng.normal(size=(T, D)), rng.normal(size=(T, 2 * H))

    def loss():
        return np.sum(dh * B.birnn_forward(x, fwd, bwd, activation)[0])

    grads = B.birnn_backward(dh, B.birnn_forward(x, fwd, bwd, activation)[1])
    for name, d in (("fwd", fwd), ("bwd", bwd)):
        check_gradients(loss, d, grads[name])
    check_gradients(loss, {"x": x}, grads)


# ----------------------------------------------------------------- Bi-LSTM


def load_bilstm(torch, D, H, fwd, bwd):
    net = torch.nn.LSTM(D, H, bidirectional=True).to(torch.float64)
    state = {}
    for d, suffix in [(fwd, "_l0"), (bwd, "_l0_reverse")]:
        for name, value in to_pytorch_lstm(d["params"]).items():
            state[name.replace("_l0", suffix)] = to_torch(torch, value)
    net.load_state_dict(state)
    return net


@pytest.mark.oracle
@given(shapes, st.sampled_from([0.3, 1.0, 2.0]))
@settings(max_examples=30, deadline=None)
def test_bilstm_matches_torch_bidirectional_lstm(torch, shape, scale):
    T, D, H, seed = shape
    rng = np.random.default_rng(seed)
    fwd, bwd = lstm_direction(rng, D, H, scale), lstm_direction(rng, D, H, scale)
    x, dh = rng.normal(size=(T, D)), rng.normal(size=(T, 2 * H))

    h, cache = B.bilstm_forward(x, fwd, bwd)
    grads = B.bilstm_backward(dh, cache)

    net = load_bilstm(torch, D, H, fwd, bwd)
    xt = to_torch(torch, x[:, None, :], True)
    h0t = to_torch(torch, np.stack([fwd["h0"], bwd["h0"]])[:, None, :], True)
    c0t = to_torch(torch, np.stack([fwd["c0"], bwd["c0"]])[:, None, :], True)
    out, (hT, cT) = net(xt, (h0t, c0t))
    np.testing.assert_allclose(h, out[:, 0].detach().numpy(), **TOL)
    # torch's final states: forward's at t = T, backward's at t = 1.
    np.testing.assert_allclose(cache["C_fwd"][-1], cT[0, 0].detach().numpy(), **TOL)
    np.testing.assert_allclose(cache["C_bwd"][0], cT[1, 0].detach().numpy(), **TOL)
    (out[:, 0] * to_torch(torch, dh)).sum().backward()

    for name, suffix, j in [("fwd", "_l0", 0), ("bwd", "_l0_reverse", 1)]:
        g = grads[name]
        gih = grad_of(getattr(net, "weight_ih" + suffix))
        ghh = grad_of(getattr(net, "weight_hh" + suffix))
        gb = grad_of(getattr(net, "bias_ih" + suffix))
        for n, gate in enumerate(("i", "f", "c", "o")):     # torch's block order
            rows = slice(n * H, (n + 1) * H)
            np.testing.assert_allclose(g[f"W_{gate}"], np.hstack([ghh[rows], gih[rows]]), **TOL)
            np.testing.assert_allclose(g[f"b_{gate}"], gb[rows], **TOL)
        np.testing.assert_allclose(g["h0"], grad_of(h0t)[j, 0], **TOL, err_msg=name)
        np.testing.assert_allclose(g["c0"], grad_of(c0t)[j, 0], **TOL, err_msg=name)
    np.testing.assert_allclose(grads["x"], grad_of(xt)[:, 0], **TOL)


def test_bilstm_backward_matches_finite_differences(rng):
    for T, D, H in [(1, 2, 2), (3, 2, 3), (4, 1, 2)]:
        fwd, bwd = lstm_direction(rng, D, H), lstm_direction(rng, D, H)
        x, dh = rng.normal(size=(T, D)), rng.normal(size=(T, 2 * H))

        def loss():
            return np.sum(dh * B.bilstm_forward(x, fwd, bwd)[0])

        grads = B.bilstm_backward(dh, B.bilstm_forward(x, fwd, bwd)[1])
        for name, d in (("fwd", fwd), ("bwd", bwd)):
            check_gradients(loss, {**d["params"], "h0": d["h0"], "c0": d["c0"]}, grads[name])
        check_gradients(loss, {"x": x}, grads)


# --------------------------------------------------------- structure, counts


def test_backward_direction_sees_the_future_only(rng):
    """<-h_t depends on x_t..x_T only, ->h_t on x_1..x_t only (perturb x_s and look)."""
    T, D, H = 5, 2, 3
    fwd, bwd = lstm_direction(rng, D, H), lstm_direction(rng, D, H)
    x = rng.normal(size=(T, D))
    h, _ = B.bilstm_forward(x, fwd, bwd)
    for s in range(T):
        x2 = x.copy()
        x2[s] += 1.0
        h2, _ = B.bilstm_forward(x2, fwd, bwd)
        changed = np.any(h2 != h, axis=1)
        fwd_changed = np.any(h2[:, :H] != h[:, :H], axis=1)
        bwd_changed = np.any(h2[:, H:] != h[:, H:], axis=1)
        np.testing.assert_array_equal(fwd_changed, np.arange(T) >= s)
        np.testing.assert_array_equal(bwd_changed, np.arange(T) <= s)
        assert changed.all()


@pytest.mark.oracle
def test_param_counts_and_output_size(torch):
    for D, H in [(1, 1), (3, 4), (10, 16)]:
        assert B.bidirectional_param_count(D, H, "rnn", "pytorch") == sum(
            p.numel() for p in torch.nn.RNN(D, H, bidirectional=True).parameters())
        assert B.bidirectional_param_count(D, H, "lstm", "pytorch") == sum(
            p.numel() for p in torch.nn.LSTM(D, H, bidirectional=True).parameters())
        assert B.bidirectional_param_count(D, H, "gru", "pytorch") == sum(
            p.numel() for p in torch.nn.GRU(D, H, bidirectional=True).parameters())
        assert B.bidirectional_param_count(D, H) == 2 * (H * D + H * H + H)
        assert B.bidirectional_param_count(D, H, "lstm") == 8 * (H * (H + D) + H)
        assert B.bidirectional_param_count(D, H, "gru", "course") == 6 * (H * (H + D) + H)
        out, _ = torch.nn.LSTM(D, H, bidirectional=True)(torch.zeros(2, 1, D))
        assert B.bidirectional_output_size(H) == out.shape[-1]
    assert B.bidirectional_output_size(3, 5) == 8
    with pytest.raises(ValueError, match="course"):
        B.bidirectional_param_count(3, 4, "gru")
    with pytest.raises(ValueError, match="lstm"):
        B.bidirectional_param_count(3, 4, "transformer")


def test_wrong_input_names_the_argument(rng):
    fwd, bwd = rnn_direction(rng, 2, 3), rnn_direction(rng, 2, 3)
    x = rng.normal(size=(4, 2))
    with pytest.raises(ValueError, match="W_hh"):
        B.birnn_forward(x, fwd, dict(bwd, W_hh=np.zeros((3, 2))))
    with pytest.raises(ValueError, match="bwd.*b_h"):
        B.birnn_forward(x, fwd, {k: v for k, v in bwd.items() if k != "b_h"})
    _, cache = B.birnn_forward(x, fwd, bwd)
    with pytest.raises(ValueError, match=r"dh.*\(T, 2H\)"):
        B.birnn_backward(np.zeros((4, 3)), cache)
    lf, lb = lstm_direction(rng, 2, 3), lstm_direction(rng, 2, 3)
    with pytest.raises(ValueError, match="c0"):
        B.bilstm_forward(x, lf, dict(lb, c0=np.zeros(2)))
    with pytest.raises(ValueError, match="fwd.*params"):
        B.bilstm_forward(x, {"h0": lf["h0"], "c0": lf["c0"]}, lb)
