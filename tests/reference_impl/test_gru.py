"""gru: both conventions, against torch.nn.GRU, torch written from each convention's
equations, and finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl import gru as G
from tests.numerics import check_gradients, grad_of, to_torch

TOL = dict(rtol=1e-10, atol=1e-10)


def course_params(rng, D, H, scale=1.0):
    p = {f"W_{g}": rng.normal(scale=scale, size=(H, H + D)) for g in "urc"}
    p.update({f"b_{g}": rng.normal(scale=scale, size=H) for g in "urc"})
    return p


def pytorch_params(rng, D, H, scale=1.0):
    p = {f"W_i{g}": rng.normal(scale=scale, size=(H, D)) for g in "rzn"}
    p.update({f"W_h{g}": rng.normal(scale=scale, size=(H, H)) for g in "rzn"})
    p.update({f"b_{s}{g}": rng.normal(scale=scale, size=H) for s in "ih" for g in "rzn"})
    return p


def make_params(rng, D, H, convention, scale=1.0):
    return (course_params if convention == "course" else pytorch_params)(rng, D, H, scale)


def torch_gru(torch, x, h0, P, convention, truncate=None):
    """Each convention's equations as explicit torch ops; detach h before steps k+1, 2k+1, ..."""
    h = h0
    hs = []
    for t in range(x.shape[0]):
        if truncate is not None and t > 0 and t % truncate == 0:
            h = h.detach()
        if convention == "course":
            u = torch.sigmoid(P["W_u"] @ torch.cat([h, x[t]]) + P["b_u"])
            r = torch.sigmoid(P["W_r"] @ torch.cat([h, x[t]]) + P["b_r"])
            C_tilde = torch.tanh(P["W_c"] @ torch.cat([r * h, x[t]]) + P["b_c"])
            h = u * C_tilde + (1 - u) * h
        else:
            r = torch.sigmoid(P["W_ir"] @ x[t] + P["b_ir"] + P["W_hr"] @ h + P["b_hr"])
            z = torch.sigmoid(P["W_iz"] @ x[t] + P["b_iz"] + P["W_hz"] @ h + P["b_hz"])
            n = torch.tanh(P["W_in"] @ x[t] + P["b_in"] + r * (P["W_hn"] @ h + P["b_hn"]))
            h = (1 - z) * n + z * h
        hs.append(h)
    return torch.stack(hs)


def leaves(torch, x, h0, params):
    P = {k: to_torch(torch, v, requires_grad=True) for k, v in params.items()}
    return to_torch(torch, x, True), to_torch(torch, h0, True), P


shapes = st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**32 - 1))


# -------------------------------------------------------------- torch.nn.GRU


@pytest.mark.oracle
@given(shapes, st.sampled_from([0.3, 1.0, 2.5]))
@settings(max_examples=30, deadline=None)
def test_pytorch_convention_matches_torch_nn_gru(torch, shape, scale):
    T, D, H, seed = shape
    rng = np.random.default_rng(seed)
    params = pytorch_params(rng, D, H, scale)
    x, h0, dh = rng.normal(size=(T, D)), rng.normal(size=H), rng.normal(size=(T, H))

    h, cache = G.gru_forward(x, h0, params, convention="pytorch")
    grads = G.gru_backward(dh, cache)

    net = torch.nn.GRU(D, H).to(torch.float64)
    with torch.no_grad():
        for name, value in G.to_pytorch_gru(params).items():
            getattr(net, name).copy_(to_torch(torch, value))
    xt = to_torch(torch, x[:, None, :], True)
    h0t = to_torch(torch, h0[None, None, :], True)
    out, _ = net(xt, h0t)
    np.testing.assert_allclose(h, out[:, 0].detach().numpy(), **TOL)
    (out[:, 0] * to_torch(torch, dh)).sum().backward()
    # torch's stacked rows are (r, z, n).
    for j, g in enumerate("rzn"):
        rows = slice(j * H, (j + 1) * H)
        np.testing.assert_allclose(grads[f"W_i{g}"], grad_of(net.weight_ih_l0)[rows], **TOL)
        np.testing.assert_allclose(grads[f"W_h{g}"], grad_of(net.weight_hh_l0)[rows], **TOL)
        np.testing.assert_allclose(grads[f"b_i{g}"], grad_of(net.bias_ih_l0)[rows], **TOL)
        np.testing.assert_allclose(grads[f"b_h{g}"], grad_of(net.bias_hh_l0)[rows], **TOL)
    np.testing.assert_allclose(grads["x"], grad_of(xt)[:, 0], **TOL)
    np.testing.assert_allclose(grads["h0"], grad_of(h0t)[0, 0], **TOL)


@pytest.mark.oracle
def test_from_pytorch_reads_a_random_torch_gru(torch, rng):
    gen = torch.Generator().manual_seed(3)
    for D, H in [(1, 1), (4, 3)]:
        net = torch.nn.GRU(D, H).to(torch.float64)
        with torch.no_grad():
            for p in net.parameters():
                p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64))
        x, h0 = rng.normal(size=(5, D)), rng.normal(size=H)
        with torch.no_grad():
            out, _ = net(to_torch(torch, x[:, None]), to_torch(torch, h0[None, None]))
        h, _ = G.gru_forward(x, h0, G.from_pytorch_gru(net.state_dict()), "pytorch")
        np.testing.assert_allclose(h, out[:, 0].numpy(), **TOL)


# ---------------------------------------------- torch written from the equations


@pytest.mark.oracle
@given(shapes, st.sampled_from(["course", "pytorch"]), st.sampled_from([None, 1, 2, 3, 7]))
@settings(max_examples=40, deadline=None)
def test_both_conventions_match_torch_equations_full_and_truncated(torch, shape, convention, k):
    T, D, H, seed = shape
    rng = np.random.default_rng(seed)
    params = make_params(rng, D, H, convention)
    x, h0, dh = rng.normal(size=(T, D)), rng.normal(size=H), rng.normal(size=(T, H))

    h, cache = G.gru_forward(x, h0, params, convention)
    grads = G.gru_backward(dh, cache, truncate=k)

    xt, h0t, P = leaves(torch, x, h0, params)
    hs = torch_gru(torch, xt, h0t, P, convention, truncate=k)
    np.testing.assert_allclose(h, hs.detach().numpy(), **TOL)
    (hs * to_torch(torch, dh)).sum().backward()
    for name, v in P.items():
        np.testing.assert_allclose(grads[name], grad_of(v), **TOL, err_msg=name)
    np.testing.assert_allclose(grads["x"], grad_of(xt), **TOL)
    np.testing.assert_allclose(grads["h0"], grad_of(h0t), **TOL)
    assert set(grads) == set(P) | {"x", "h0"}


@pytest.mark.oracle
def test_course_cache_matches_torch(torch, rng):
    T, D, H = 4, 3, 2
    params = course_params(rng, D, H)
    x, h0 = rng.normal(size=(T, D)), rng.normal(size=H)
    h, cache = G.gru_forward(x, h0, params, convention="course")
    assert cache["convention"] == "course"
    xt, h0t, P = leaves(torch, x, h0, params)
    with torch.no_grad():
        hs = torch_gru(torch, xt, h0t, P, "course")
        hp = torch.cat([h0t[None], hs[:-1]])
        z = torch.cat([hp, xt], dim=1)
        u = torch.sigmoid(z @ P["W_u"].T + P["b_u"])
        r = torch.sigmoid(z @ P["W_r"].T + P["b_r"])
        a_c = torch.cat([r * hp, xt], dim=1) @ P["W_c"].T + P["b_c"]
    np.testing.assert_allclose(cache["u"], u.numpy(), **TOL)
    np.testing.assert_allclose(cache["r"], r.numpy(), **TOL)
    np.testing.assert_allclose(cache["a_c"], a_c.numpy(), **TOL)
    np.testing.assert_allclose(cache["C_tilde"], torch.tanh(a_c).numpy(), **TOL)
    np.testing.assert_allclose(cache["rh"], (r * hp).numpy(), **TOL)
    np.testing.assert_allclose(cache["h_prev"], hp.numpy(), **TOL)
    np.testing.assert_allclose(cache["hx"], z.numpy(), **TOL)
    np.testing.assert_allclose(cache["rhx"], torch.cat([r * hp, xt], dim=1).detach().numpy(), **TOL)


@pytest.mark.oracle
def test_pytorch_cache_matches_torch(torch, rng):
    T, D, H = 4, 2, 3
    params = pytorch_params(rng, D, H)
    x, h0 = rng.normal(size=(T, D)), rng.normal(size=H)
    h, cache = G.gru_forward(x, h0, params, convention="pytorch")
    assert cache["convention"] == "pytorch"
    xt, h0t, P = leaves(torch, x, h0, params)
    with torch.no_grad():
        hs = torch_gru(torch, xt, h0t, P, "pytorch")
        hp = torch.cat([h0t[None], hs[:-1]])
        r = torch.sigmoid(xt @ P["W_ir"].T + P["b_ir"] + hp @ P["W_hr"].T + P["b_hr"])
        z = torch.sigmoid(xt @ P["W_iz"].T + P["b_iz"] + hp @ P["W_hz"].T + P["b_hz"])
        hn = hp @ P["W_hn"].T + P["b_hn"]
        n = torch.tanh(xt @ P["W_in"].T + P["b_in"] + r * hn)
    for key, val in [("r", r), ("z", z), ("hn", hn), ("n", n)]:
        np.testing.assert_allclose(cache[key], val.numpy(), **TOL, err_msg=key)


# ------------------------------------------------------------ finite differences


@given(shapes, st.sampled_from(["course", "pytorch"]))
@settings(max_examples=12, deadline=None)
def test_backward_matches_finite_differences(shape, convention):
    T, D, H, seed = shape
    T, D, H = min(T, 4), min(D, 3), min(H, 3)
    rng = np.random.default_rng(seed)
    params = make_params(rng, D, H, convention)
    x, h0, dh = rng.normal(size=(T, D)), rng.normal(size=H), rng.normal(size=(T, H))

    def loss():
        return np.sum(dh * G.gru_forward(x, h0, params, convention)[0])

    grads = G.gru_backward(dh, G.gru_forward(x, h0, params, convention)[1])
    check_gradients(loss, {**params, "x": x, "h0": h0}, grads)


# ----------------------------------------------------- the conventions are distinct


def shared_weights(rng, D, H, diagonal_hn=False):
    """Course weights and the PyTorch weights that 'look the same' (z plays 1 - u)."""
    course = course_params(rng, D, H)
    W_hn = course["W_c"][:, :H]
    if diagonal_hn:
        W_hn = np.diag(np.diag(W_hn))
        course["W_c"] = np.hstack([W_hn, course["W_c"][:, H:]])
    torch_like = {
        "W_ir": course["W_r"][:, H:], "W_hr": course["W_r"][:, :H], "b_ir": course["b_r"],
        "W_iz": -course["W_u"][:, H:], "W_hz": -course["W_u"][:, :H], "b_iz": -course["b_u"],
        "W_in": course["W_c"][:, H:], "W_hn": W_hn, "b_in": course["b_c"],
        "b_hr": np.zeros(H), "b_hz": np.zeros(H), "b_hn": np.zeros(H),
    }
    return course, torch_like


def test_conventions_give_different_h_for_shared_weights(rng):
    """Same weights, z = 1 - u: only the reset's place differs, and it changes h."""
    for _ in range(5):
        D, H = int(rng.integers(1, 4)), int(rng.integers(2, 5))
        course, torch_like = shared_weights(rng, D, H)
        x, h0 = rng.normal(size=(3, D)), rng.normal(size=H)
        h_course, c1 = G.gru_forward(x, h0, course, "course")
        h_torch, c2 = G.gru_forward(x, h0, torch_like, "pytorch")
        # The gates agree (sigma(-a) = 1 - sigma(a)) at step 1 ...
        np.testing.assert_allclose(c1["u"][0], 1 - c2["z"][0], rtol=1e-12)
        np.testing.assert_allclose(c1["r"][0], c2["r"][0], rtol=1e-12)
        # ... but r * (W h) != W (r * h), so the candidates and the states differ.
        assert np.max(np.abs(h_course - h_torch)) > 1e-3
        # Feeding one convention's parameters to the other is refused, never silently run.
        with pytest.raises(ValueError, match="missing"):
            G.gru_forward(x, h0, course, "pytorch")
        with pytest.raises(ValueError, match="missing"):
            G.gru_forward(x, h0, torch_like, "course")


@given(st.integers(1, 3), st.integers(1, 4), st.integers(0, 2**32 - 1))
@settings(max_examples=20, deadline=None)
def test_conventions_coincide_when_reset_commutes_with_the_matmul(D, H, seed):
    """With a diagonal W_hn, r * (W h) = W (r * h): the two conventions then agree."""
    rng = np.random.default_rng(seed)
    course, torch_like = shared_weights(rng, D, H, diagonal_hn=True)
    x, h0 = rng.normal(size=(4, D)), rng.normal(size=H)
    np.testing.assert_allclose(G.gru_forward(x, h0, course, "course")[0],
                               G.gru_forward(x, h0, torch_like, "pytorch")[0], rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------- param counts


@pytest.mark.oracle
def test_param_counts(torch):
    for D, H in [(1, 1), (3, 5), (32, 64)]:
        net = torch.nn.GRU(D, H)
        assert G.gru_param_count(D, H, "pytorch") == sum(p.numel() for p in net.parameters())
        rng = np.random.default_rng(0)
        assert G.gru_param_count(D, H, "course") == sum(v.size for v in course_params(rng, D, H).values())
        assert G.gru_param_count(D, H, "course") == 3 * (H * (H + D) + H)
        # Keras: kernel (D, 3H) + recurrent_kernel (H, 3H) + bias (2, 3H) or (3H,).
        assert G.gru_param_count(D, H, "keras_reset_after") == D * 3 * H + H * 3 * H + 2 * 3 * H
        assert G.gru_param_count(D, H, "keras") == D * 3 * H + H * 3 * H + 3 * H
    with pytest.raises(ValueError, match="keras_reset_after"):
        G.gru_param_count(3, 4)
    with pytest.raises(ValueError, match="course"):
        G.gru_param_count(3, 4, "cho")


# ------------------------------------------------------------------ bad input


def test_missing_or_wrong_convention_lists_both(rng):
    params = course_params(rng, 2, 3)
    x, h0 = rng.normal(size=(4, 2)), rng.normal(size=3)
    for bad in (None, "Course", "keras", "cho"):
        with pytest.raises(ValueError, match="'course'.*'pytorch'"):
            G.gru_forward(x, h0, params, bad)
    with pytest.raises(ValueError, match="'course'.*'pytorch'"):
        G.gru_forward(x, h0, params)


def test_wrong_shapes_name_the_argument(rng):
    params = course_params(rng, 2, 3)
    x, h0 = rng.normal(size=(4, 2)), rng.normal(size=3)
    with pytest.raises(ValueError, match=r"W_c.*\(H, H\+D\)"):
        G.gru_forward(x, h0, dict(params, W_c=np.zeros((3, 4))), "course")
    with pytest.raises(ValueError, match=r"b_u.*\(H,\)"):
        G.gru_forward(x, h0, dict(params, b_u=np.zeros(2)), "course")
    tp = pytorch_params(rng, 2, 3)
    with pytest.raises(ValueError, match=r"W_hn.*\(H, H\)"):
        G.gru_forward(x, h0, dict(tp, W_hn=np.zeros((3, 2))), "pytorch")
    with pytest.raises(ValueError, match=r"W_iz.*\(H, D\)"):
        G.gru_forward(x, h0, dict(tp, W_iz=np.zeros((3, 3))), "pytorch")
    with pytest.raises(ValueError, match="h0"):
        G.gru_forward(x, np.zeros((1, 3)), params, "course")
    _, cache = G.gru_forward(x, h0, params, "course")
    with pytest.raises(ValueError, match=r"dh.*\(T, H\)"):
        G.gru_backward(np.zeros((4, 2)), cache)
    with pytest.raises(ValueError, match="truncate"):
        G.gru_backward(np.zeros((4, 3)), cache, truncate=-1)
