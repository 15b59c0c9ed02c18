"""lstm: against torch.nn.LSTM, a torch LSTM written from the course's equations,
finite differences and a published worked example."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl import lstm as L
from tests.numerics import check_gradients, grad_of, to_torch

TOL = dict(rtol=1e-10, atol=1e-10)
GATES = ("f", "i", "c", "o")


def random_problem(rng, T, D, H, scale=1.0):
    params = {f"W_{g}": rng.normal(scale=scale, size=(H, H + D)) for g in GATES}
    params.update({f"b_{g}": rng.normal(scale=scale, size=H) for g in GATES})
    x = rng.normal(size=(T, D))
    h0 = rng.normal(size=H)
    c0 = rng.normal(size=H)
    return x, h0, c0, params


def torch_course_lstm(torch, x, h0, c0, P, truncate=None, detach_h_in_gates=False):
    """The course's equations as explicit torch ops (gates on cat([h, x]), h first).

    ``truncate=k`` detaches h and C before steps k+1, 2k+1, ... (chunked TBPTT).
    Returns the stacked h_t and C_t (T, H) and the list of C_t tensors (for retain_grad).
    """
    h, c = h0, c0
    hs, cs = [], []
    for t in range(x.shape[0]):
        if truncate is not None and t > 0 and t % truncate == 0:
            h, c = h.detach(), c.detach()
        h_in = h.detach() if detach_h_in_gates else h
        z = torch.cat([h_in, x[t]])
        f = torch.sigmoid(P["W_f"] @ z + P["b_f"])
        i = torch.sigmoid(P["W_i"] @ z + P["b_i"])
        C_tilde = torch.tanh(P["W_c"] @ z + P["b_c"])
        o = torch.sigmoid(P["W_o"] @ z + P["b_o"])
        c = f * c + i * C_tilde
        h = o * torch.tanh(c)
        hs.append(h)
        cs.append(c)
    return torch.stack(hs), torch.stack(cs), cs


def torch_leaves(torch, x, h0, c0, params):
    P = {k: to_torch(torch, v, requires_grad=True) for k, v in params.items()}
    return to_torch(torch, x, True), to_torch(torch, h0, True), to_torch(torch, c0, True), P


def assert_grads_match(grads, xt, h0t, c0t, P):
    for k, v in P.items():
        np.testing.assert_allclose(grads[k], grad_of(v), **TOL, err_msg=k)
    np.testing.assert_allclose(grads["x"], grad_of(xt), **TOL, err_msg="x")
    np.testing.assert_allclose(grads["h0"], grad_of(h0t), **TOL, err_msg="h0")
    np.testing.assert_allclose(grads["c0"], grad_of(c0t), **TOL, err_msg="c0")


shapes = st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**32 - 1))


# ---------------------------------------------------------------- torch.nn.LSTM


@pytest.mark.oracle
@given(shapes, st.sampled_from([0.3, 1.0, 2.5]))
@settings(max_examples=30, deadline=None)
def test_forward_and_every_gradient_match_torch_nn_lstm(torch, shape, scale):
    T, D, H, seed = shape
    rng = np.random.default_rng(seed)
    x, h0, c0, params = random_problem(rng, T, D, H, scale)
    dh = rng.normal(size=(T, H))

    h, C, cache = L.lstm_forward(x, h0, c0, params)
    grads = L.lstm_backward(dh, cache)

    net = torch.nn.LSTM(D, H).to(torch.float64)
    with torch.no_grad():
        for name, value in L.to_pytorch_lstm(params).items():
            getattr(net, name).copy_(to_torch(torch, value))
    xt = to_torch(torch, x[:, None, :], True)
    h0t = to_torch(torch, h0[None, None, :], True)
    c0t = to_torch(torch, c0[None, None, :], True)
    out, (hT, cT) = net(xt, (h0t, c0t))
    np.testing.assert_allclose(h, out[:, 0].detach().numpy(), **TOL)
    np.testing.assert_allclose(C[-1], cT[0, 0].detach().numpy(), **TOL)
    (out[:, 0] * to_torch(torch, dh)).sum().backward()

    # Map torch's stacked gradients (blocks i, f, g, o; ih then hh) back to course names.
    gih, ghh = grad_of(net.weight_ih_l0), grad_of(net.weight_hh_l0)
    gb = grad_of(net.bias_ih_l0)
    np.testing.assert_allclose(gb, grad_of(net.bias_hh_l0), **TOL)
    for n, g in enumerate(("i", "f", "c", "o")):
        rows = slice(n * H, (n + 1) * H)
        np.testing.assert_allclose(grads[f"W_{g}"], np.hstack([ghh[rows], gih[rows]]), **TOL, err_msg=g)
        np.testing.assert_allclose(grads[f"b_{g}"], gb[rows], **TOL, err_msg=g)
    np.testing.assert_allclose(grads["x"], grad_of(xt)[:, 0], **TOL)
    np.testing.assert_allclose(grads["h0"], grad_of(h0t)[0, 0], **TOL)
    np.testing.assert_allclose(grads["c0"], grad_of(c0t)[0, 0], **TOL)


@pytest.mark.oracle
def test_to_pytorch_mapping_matches_a_cell_written_from_the_equations(torch, rng):
    """Proves the mapping without our NumPy: nn.LSTM loaded through to_pytorch_lstm
    equals a torch cell written from the course's equations with the course's weights."""
    for _ in range(8):
        T, D, H = rng.integers(1, 7), rng.integers(1, 6), rng.integers(1, 6)
        x, h0, c0, params = random_problem(rng, T, D, H)
        net = torch.nn.LSTM(int(D), int(H)).to(torch.float64)
        net.load_state_dict({k: to_torch(torch, v) for k, v in L.to_pytorch_lstm(params).items()})
        xt, h0t, c0t, P = torch_leaves(torch, x, h0, c0, params)
        with torch.no_grad():
            out, (hT, cT) = net(xt[:, None, :], (h0t[None, None], c0t[None, None]))
            hs, cs, _ = torch_course_lstm(torch, xt, h0t, c0t, P)
            # torch.nn.LSTMCell, stepped by hand, agrees too.
            cell = torch.nn.LSTMCell(int(D), int(H)).to(torch.float64)
            cell.weight_ih.copy_(net.weight_ih_l0)
            cell.weight_hh.copy_(net.weight_hh_l0)
            cell.bias_ih.copy_(net.bias_ih_l0)
            cell.bias_hh.copy_(net.bias_hh_l0)
            hc, cc = h0t[None], c0t[None]
            for t in range(int(T)):
                hc, cc = cell(xt[t][None], (hc, cc))
        np.testing.assert_allclose(out[:, 0].numpy(), hs.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(cT[0, 0].numpy(), cs[-1].numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(hc[0].numpy(), hs[-1].numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.oracle
def test_from_pytorch_reads_a_random_torch_lstm(torch, rng):
    torch_gen = torch.Generator().manual_seed(7)
    for D, H in [(1, 1), (3, 2), (2, 5)]:
        net = torch.nn.LSTM(D, H).to(torch.float64)
        with torch.no_grad():
            for p in net.parameters():           # both torch biases nonzero
                p.copy_(torch.randn(p.shape, generator=torch_gen, dtype=torch.float64))
        params = L.from_pytorch_lstm(net.state_dict())
        x = rng.normal(size=(4, D))
        h0, c0 = rng.normal(size=H), rng.normal(size=H)
        with torch.no_grad():
            out, _ = net(to_torch(torch, x[:, None]), (to_torch(torch, h0[None, None]),
                                                       to_torch(torch, c0[None, None])))
        h, _, _ = L.lstm_forward(x, h0, c0, params)
        np.testing.assert_allclose(h, out[:, 0].numpy(), **TOL)


# ------------------------------------------------- torch written from the equations


@pytest.mark.oracle
@given(shapes, st.booleans())
@settings(max_examples=25, deadline=None)
def test_direct_cell_gradients_and_cache_match_torch(torch, shape, with_dc):
    T, D, H, seed = shape
    rng = np.random.default_rng(seed)
    x, h0, c0, params = random_problem(rng, T, D, H)
    dh = rng.normal(size=(T, H))
    dc = rng.normal(size=(T, H)) if with_dc else None

    h, C, cache = L.lstm_forward(x, h0, c0, params)
    grads = L.lstm_backward(dh, cache, dc=dc)

    xt, h0t, c0t, P = torch_leaves(torch, x, h0, c0, params)
    hs, cs, _ = torch_course_lstm(torch, xt, h0t, c0t, P)
    np.testing.assert_allclose(h, hs.detach().numpy(), **TOL)
    np.testing.assert_allclose(C, cs.detach().numpy(), **TOL)
    loss = (hs * to_torch(torch, dh)).sum()
    if with_dc:
        loss = loss + (cs * to_torch(torch, dc)).sum()
    loss.backward()
    assert_grads_match(grads, xt, h0t, c0t, P)

    # Every cached gate and pre-activation, recomputed by torch from the cached h_{t-1}.
    with torch.no_grad():
        z = torch.cat([torch.cat([h0t[None], hs[:-1]]), xt], dim=1)
        np.testing.assert_allclose(cache["hx"], z.numpy(), **TOL)
        for g, act in [("f", torch.sigmoid), ("i", torch.sigmoid), ("c", torch.tanh), ("o", torch.sigmoid)]:
            a = z @ P[f"W_{g}"].T + P[f"b_{g}"]
            np.testing.assert_allclose(cache[f"a_{g}"], a.numpy(), **TOL, err_msg=g)
            key = "C_tilde" if g == "c" else g
            np.testing.assert_allclose(cache[key], act(a).numpy(), **TOL, err_msg=g)
        np.testing.assert_allclose(cache["tanh_C"], torch.tanh(cs).numpy(), **TOL)
        np.testing.assert_allclose(cache["C_prev"][0], c0, **TOL)


@pytest.mark.oracle
@given(shapes, st.integers(1, 7), st.booleans())
@settings(max_examples=30, deadline=None)
def test_truncated_bptt_matches_torch_with_detach_at_chunk_boundaries(torch, shape, k, with_dc):
    T, D, H, seed = shape
    rng = np.random.default_rng(seed)
    x, h0, c0, params = random_problem(rng, T, D, H)
    dh = rng.normal(size=(T, H))
    dc = rng.normal(size=(T, H)) if with_dc else None

    h, C, cache = L.lstm_forward(x, h0, c0, params)
    grads = L.lstm_backward(dh, cache, dc=dc, truncate=k)

    xt, h0t, c0t, P = torch_leaves(torch, x, h0, c0, params)
    hs, cs, _ = torch_course_lstm(torch, xt, h0t, c0t, P, truncate=k)
    np.testing.assert_allclose(h, hs.detach().numpy(), **TOL)   # forward unchanged
    loss = (hs * to_torch(torch, dh)).sum()
    if with_dc:
        loss = loss + (cs * to_torch(torch, dc)).sum()
    loss.backward()
    assert_grads_match(grads, xt, h0t, c0t, P)


@pytest.mark.oracle
def test_truncation_changes_the_gradient(torch, rng):
    x, h0, c0, params = random_problem(rng, 6, 2, 3)
    dh = rng.normal(size=(6, 3))
    _, _, cache = L.lstm_forward(x, h0, c0, params)
    full = L.lstm_backward(dh, cache)
    tr = L.lstm_backward(dh, cache, truncate=2)
    assert not np.allclose(full["W_f"], tr["W_f"])
    assert not np.allclose(full["h0"], tr["h0"])
    # k >= T is full BPTT.
    for name, g in L.lstm_backward(dh, cache, truncate=6).items():
        np.testing.assert_array_equal(g, full[name])


@pytest.mark.oracle
@given(shapes, st.booleans())
@settings(max_examples=20, deadline=None)
def test_single_step_matches_torch(torch, shape, with_dc):
    _, D, H, seed = shape
    rng = np.random.default_rng(seed)
    x, h0, c0, params = random_problem(rng, 1, D, H)
    dh = rng.normal(size=H)
    dc = rng.normal(size=H) if with_dc else None

    h, C, cache = L.lstm_step_forward(x[0], h0, c0, params)
    grads = L.lstm_step_backward(dh, cache, dc_t=dc)

    xt, h0t, c0t, P = torch_leaves(torch, x, h0, c0, params)
    hs, cs, _ = torch_course_lstm(torch, xt, h0t, c0t, P)
    np.testing.assert_allclose(h, hs[0].detach().numpy(), **TOL)
    np.testing.assert_allclose(C, cs[0].detach().numpy(), **TOL)
    loss = (hs[0] * to_torch(torch, dh)).sum()
    if with_dc:
        loss = loss + (cs[0] * to_torch(torch, dc)).sum()
    loss.backward()
    for k, v in P.items():
        np.testing.assert_allclose(grads[k], grad_of(v), **TOL, err_msg=k)
    np.testing.assert_allclose(grads["x_t"], grad_of(xt)[0], **TOL)
    np.testing.assert_allclose(grads["h_prev"], grad_of(h0t), **TOL)
    np.testing.assert_allclose(grads["c_prev"], grad_of(c0t), **TOL)


@pytest.mark.oracle
def test_cell_gradient_path_matches_torch_with_h_path_detached(torch, rng):
    for _ in range(6):
        T, D, H = int(rng.integers(2, 7)), int(rng.integers(1, 4)), int(rng.integers(1, 5))
        x, h0, c0, params = random_problem(rng, T, D, H)
        dC_T = rng.normal(size=H)
        xt, h0t, c0t, P = torch_leaves(torch, x, h0, c0, params)
        # Detaching h where it enters the gates leaves only the additive cell path
        # C_t = f_t * C_{t-1} + i_t * C~_t between the cell states.
        hs, cs, c_list = torch_course_lstm(torch, xt, h0t, c0t, P, detach_h_in_gates=True)
        for c in c_list:
            c.retain_grad()
        (c_list[-1] * to_torch(torch, dC_T)).sum().backward()
        _, _, cache = L.lstm_forward(x, h0, c0, params)
        # One step back: dL/dC_{T-1} = dL/dC_T * f_T.
        np.testing.assert_allclose(L.cell_gradient_path(dC_T, cache["f"][T - 1]),
                                   grad_of(c_list[T - 2]), **TOL)
        # All the way back: dL/dC_s = dL/dC_T * prod_{u=s+1..T} f_u, down to C_0.
        for s in range(T - 1):
            np.testing.assert_allclose(L.cell_gradient_path(dC_T, cache["f"][s:T]),
                                       grad_of(c_list[s - 1]) if s > 0 else grad_of(c0t), **TOL)
        np.testing.assert_allclose(L.cell_gradient_path(dC_T, cache["f"]), grad_of(c0t), **TOL)


# --------------------------------------------------------------- finite differences


@given(shapes, st.booleans())
@settings(max_examples=12, deadline=None)
def test_backward_matches_finite_differences(shape, with_dc):
    T, D, H, seed = shape
    T, D, H = min(T, 4), min(D, 3), min(H, 3)
    rng = np.random.default_rng(seed)
    x, h0, c0, params = random_problem(rng, T, D, H)
    dh = rng.normal(size=(T, H))
    dc = rng.normal(size=(T, H)) if with_dc else np.zeros((T, H))

    def loss():
        h, C, _ = L.lstm_forward(x, h0, c0, params)
        return np.sum(dh * h) + np.sum(dc * C)

    _, _, cache = L.lstm_forward(x, h0, c0, params)
    grads = L.lstm_backward(dh, cache, dc=dc if with_dc else None)
    check_gradients(loss, {**params, "x": x, "h0": h0, "c0": c0}, grads)


def test_step_backward_matches_finite_differences(rng):
    x, h0, c0, params = random_problem(rng, 1, 3, 4)
    x_t = x[0]
    dh, dc = rng.normal(size=4), rng.normal(size=4)

    def loss():
        h, C, _ = L.lstm_step_forward(x_t, h0, c0, params)
        return np.sum(dh * h) + np.sum(dc * C)

    _, _, cache = L.lstm_step_forward(x_t, h0, c0, params)
    grads = L.lstm_step_backward(dh, cache, dc_t=dc)
    check_gradients(loss, {**params, "x_t": x_t, "h_prev": h0, "c_prev": c0}, grads)


# ------------------------------------------------------------ published / closed form


def test_published_scalar_worked_example():
    """Scalar LSTM from public worked notes: W (on x) and U (on h) per gate, zero biases,
    h0 = C0 = 0, x = 1, 2, 3 -> h = 0.2564, 0.6398, 0.8707. Course W_g = [[U_g, W_g]]."""
    WU = {"f": (0.5, 0.1), "i": (0.6, 0.2), "c": (0.7, 0.3), "o": (0.8, 0.4)}
    params = {f"W_{g}": np.array([[u, w]]) for g, (w, u) in WU.items()}
    params.update({f"b_{g}": np.zeros(1) for g in WU})
    h, C, _ = L.lstm_forward(np.array([[1.0], [2.0], [3.0]]), np.zeros(1), np.zeros(1), params)
    np.testing.assert_allclose(h[:, 0], [0.2564, 0.6398, 0.8707], atol=5e-5)
    h1, _, _ = L.lstm_step_forward([1.0], [0.0], [0.0], params)
    assert h1[0] == pytest.approx(0.2564, abs=5e-5)


@pytest.mark.oracle
def test_param_counts(torch):
    for D, H in [(1, 1), (3, 5), (32, 64), (100, 128)]:
        net = torch.nn.LSTM(D, H)
        assert L.lstm_param_count(D, H, "pytorch") == sum(p.numel() for p in net.parameters())
        assert L.lstm_param_count(D, H) == 4 * (H * (H + D) + H)
        assert L.lstm_param_count(D, H, "keras") == 4 * (H * D + H * H + H)
        _, _, _, params = random_problem(np.random.default_rng(0), 1, D, H)
        assert L.lstm_param_count(D, H, "course") == sum(v.size for v in params.values())
    with pytest.raises(ValueError, match="keras"):
        L.lstm_param_count(3, 4, "tensorflow")


# ------------------------------------------------------------------------ properties


@given(shapes, st.integers(1, 7))
@settings(max_examples=30, deadline=None)
def test_shapes_and_ranges(shape, k):
    T, D, H, seed = shape
    rng = np.random.default_rng(seed)
    x, h0, c0, params = random_problem(rng, T, D, H, scale=3.0)
    h, C, cache = L.lstm_forward(x, h0, c0, params)
    assert h.shape == C.shape == (T, H)
    for g in ("f", "i", "o"):
        assert np.all((cache[g] >= 0) & (cache[g] <= 1))
    assert np.all(np.abs(h) <= 1) and np.all(np.abs(cache["C_tilde"]) <= 1)
    # |C_t| <= |C_{t-1}| + 1, since f, i in (0, 1) and |C~| <= 1.
    prev = np.vstack([c0, C[:-1]])
    assert np.all(np.abs(C) <= np.abs(prev) + 1 + 1e-12)
    grads = L.lstm_backward(np.ones((T, H)), cache, truncate=k)
    assert set(grads) == set(L.PARAM_NAMES) | {"x", "h0", "c0"}
    assert grads["x"].shape == (T, D) and grads["W_c"].shape == (H, H + D)


def test_round_trip_through_pytorch_layout(rng):
    _, _, _, params = random_problem(rng, 1, 3, 4)
    back = L.from_pytorch_lstm(L.to_pytorch_lstm(params))
    for k in params:
        np.testing.assert_array_equal(back[k], params[k])


# ----------------------------------------------------------------------- bad input


def test_wrong_shapes_name_the_argument(rng):
    x, h0, c0, params = random_problem(rng, 3, 2, 4)
    bad = dict(params, W_c=np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"W_c.*\(H, H\+D\)"):
        L.lstm_forward(x, h0, c0, bad)
    with pytest.raises(ValueError, match="b_o"):
        L.lstm_forward(x, h0, c0, dict(params, b_o=np.zeros(3)))
    with pytest.raises(ValueError, match="c0"):
        L.lstm_forward(x, h0, np.zeros(3), params)
    with pytest.raises(ValueError, match="x"):
        L.lstm_forward(x[0], h0, c0, params)
    with pytest.raises(ValueError, match="W_i"):
        L.lstm_forward(x, h0, c0, {k: v for k, v in params.items() if k != "W_i"})
    _, _, cache = L.lstm_forward(x, h0, c0, params)
    with pytest.raises(ValueError, match=r"dh.*\(T, H\)"):
        L.lstm_backward(np.zeros((2, 4)), cache)
    with pytest.raises(ValueError, match="dc"):
        L.lstm_backward(np.zeros((3, 4)), cache, dc=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="truncate"):
        L.lstm_backward(np.zeros((3, 4)), cache, truncate=0)
    with pytest.raises(ValueError, match="c_prev"):
        L.lstm_step_forward(x[0], h0, np.zeros(5), params)
    with pytest.raises(ValueError, match="f"):
        L.cell_gradient_path(np.zeros(4), np.zeros((2, 3)))
