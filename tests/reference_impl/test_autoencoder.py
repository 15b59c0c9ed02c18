"""autoencoder: dense layers, deep and tied autoencoders, losses and the VAE pieces
against torch float64 autograd, torch.distributions, finite differences and closed forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl import autoencoder as ae
from tests.numerics import check_gradients, grad_of, to_torch

ACTS = ["sigmoid", "tanh", "relu", "linear"]


def _close(a, b, tol=1e-10):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _torch_act(torch, name):
    return {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
            "linear": lambda t: t}[name]


# --------------------------------------------------------------------------- dense layer

@pytest.mark.oracle
@given(st.integers(1, 6), st.integers(1, 6), st.one_of(st.none(), st.integers(1, 5)),
       st.sampled_from(ACTS), st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_dense_matches_torch(torch, n_in, n_out, batch, act, seed):
    r = np.random.default_rng(seed)
    x = r.normal(size=(n_in,) if batch is None else (batch, n_in))
    W, b = r.normal(size=(n_out, n_in)), r.normal(size=n_out)
    dy = r.normal(size=(n_out,) if batch is None else (batch, n_out))
    y, cache = ae.dense_forward(x, W, b, act)
    g = ae.dense_backward(dy, cache)
    tx, tW, tb = (to_torch(torch, a, True) for a in (x, W, b))
    ty = _torch_act(torch, act)(torch.nn.functional.linear(tx, tW, tb))
    (ty * to_torch(torch, dy)).sum().backward()
    _close(y, ty.detach().numpy())
    _close(g["x"], grad_of(tx))
    _close(g["W"], grad_of(tW))
    _close(g["b"], grad_of(tb))


def test_dense_column_vector_closed_form():
    # y = W x + b written out for a 2x3 W
    W = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 4.0]])
    y, cache = ae.dense_forward([1.0, 1.0, 2.0], W, [0.5, -0.5], "linear")
    np.testing.assert_array_equal(y, [1 + 2 + 6 + 0.5, -1 + 8 - 0.5])
    y, _ = ae.dense_forward([1.0, 1.0, 2.0], W, [0.5, -0.5], "relu")
    np.testing.assert_array_equal(y, [9.5, 6.5])


def test_dense_finite_differences(rng):
    x, W, b = rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), rng.normal(size=2)
    dy = rng.normal(size=(3, 2))
    for act in ("sigmoid", "tanh"):
        _, cache = ae.dense_forward(x, W, b, act)
        g = ae.dense_backward(dy, cache)
        check_gradients(lambda: np.sum(ae.dense_forward(x, W, b, act)[0] * dy),
                        {"x": x, "W": W, "b": b}, g)


# --------------------------------------------------------------------------- deep autoencoder

def _random_layers(r, sizes, acts):
    return [{"W": r.normal(size=(o, i)), "b": r.normal(size=o), "activation": a}
            for (i, o), a in zip(zip(sizes[:-1], sizes[1:]), acts)]


@pytest.mark.oracle
def test_autoencoder_matches_torch(torch, rng):
    for _ in range(6):
        D = int(rng.integers(2, 7))
        depth = int(rng.integers(1, 3))
        enc = [D] + [int(rng.integers(1, 6)) for _ in range(depth)]
        sizes = enc + enc[-2::-1]  # mirror: D -> ... -> code -> ... -> D
        acts = list(rng.choice(ACTS, size=len(sizes) - 1))
        layers = _random_layers(rng, sizes, acts)
        batch = int(rng.integers(1, 4))
        x = rng.random(size=(batch, D))
        dx_hat = rng.normal(size=(batch, D))
        x_hat, cache = ae.autoencoder_forward(x, layers)
        g = ae.autoencoder_backward(dx_hat, cache)

        tx = to_torch(torch, x, True)
        tW = [to_torch(torch, l["W"], True) for l in layers]
        tb = [to_torch(torch, l["b"], True) for l in layers]
        h, hs = tx, []
        for Wt, bt, a in zip(tW, tb, acts):
            h = _torch_act(torch, a)(h @ Wt.T + bt)
            h.retain_grad()
            hs.append(h)
        (h * to_torch(torch, dx_hat)).sum().backward()
        _close(x_hat, h.detach().numpy())
        code = len(layers) // 2 - 1
        _close(cache["code"], hs[code].detach().numpy())
        assert cache["code"].shape == (batch, enc[-1])
        _close(g["code"], grad_of(hs[code]))
        _close(g["x"], grad_of(tx))
        for i in range(len(layers)):
            _close(g["layers"][i]["W"], grad_of(tW[i]))
            _close(g["layers"][i]["b"], grad_of(tb[i]))


def test_autoencoder_finite_differences_and_code_layer(rng):
    layers = _random_layers(rng, [4, 3, 2, 4], ["tanh", "sigmoid", "sigmoid"])
    x = rng.random(size=4)
    dx_hat = rng.normal(size=4)
    x_hat, cache = ae.autoencoder_forward(x, layers, code_layer=1)
    assert cache["code"].shape == (2,)
    # the code is the output of layer 1, computed by hand
    h1 = np.tanh(layers[0]["W"] @ x + layers[0]["b"])
    z = 1 / (1 + np.exp(-(layers[1]["W"] @ h1 + layers[1]["b"])))
    _close(cache["code"], z, 1e-14)
    g = ae.autoencoder_backward(dx_hat, cache)
    arrays = {"x": x}
    analytic = {"x": g["x"]}
    for i, l in enumerate(layers):
        arrays[f"W{i}"], arrays[f"b{i}"] = l["W"], l["b"]
        analytic[f"W{i}"], analytic[f"b{i}"] = g["layers"][i]["W"], g["layers"][i]["b"]
    check_gradients(lambda: float(ae.autoencoder_forward(x, layers, 1)[0] @ dx_hat), arrays, analytic)


# --------------------------------------------------------------------------- tied autoencoder

@pytest.mark.oracle
@given(st.integers(1, 6), st.integers(1, 5), st.one_of(st.none(), st.integers(1, 4)),
       st.sampled_from(ACTS), st.sampled_from(ACTS), st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_tied_autoencoder_matches_torch(torch, D, H, batch, f, g_act, seed):
    r = np.random.default_rng(seed)
    x = r.random(size=(D,) if batch is None else (batch, D))
    W, b, c = r.normal(size=(H, D)), r.normal(size=H), r.normal(size=D)
    dx_hat = r.normal(size=x.shape)
    x_hat, cache = ae.tied_autoencoder_forward(x, W, b, c, f, g_act)
    g = ae.tied_autoencoder_backward(dx_hat, cache)
    tx, tW, tb, tc = (to_torch(torch, a, True) for a in (x, W, b, c))
    h = _torch_act(torch, f)(tx @ tW.T + tb)
    th = _torch_act(torch, g_act)(h @ tW + tc)
    (th * to_torch(torch, dx_hat)).sum().backward()
    _close(x_hat, th.detach().numpy())
    _close(cache["h"], h.detach().numpy())
    for k, t in (("x", tx), ("W", tW), ("b", tb), ("c", tc)):
        _close(g[k], grad_of(t))


def test_tied_gradient_is_sum_of_both_uses(rng):
    x, W, b, c = rng.random(4), rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=4)
    dx_hat = rng.normal(size=4)
    _, cache = ae.tied_autoencoder_forward(x, W, b, c)
    g = ae.tied_autoencoder_backward(dx_hat, cache)
    check_gradients(lambda: float(ae.tied_autoencoder_forward(x, W, b, c)[0] @ dx_hat),
                    {"x": x, "W": W, "b": b, "c": c}, g)
    # untied gradients of the two copies, by finite differences, add up to dW
    W_enc, W_dec = W.copy(), W.T.copy()

    def untied():
        h = 1 / (1 + np.exp(-(W_enc @ x + b)))
        return float(1 / (1 + np.exp(-(W_dec @ h + c))) @ dx_hat)

    from tests.numerics import central_difference
    total = central_difference(untied, W_enc) + central_difference(untied, W_dec).T
    np.testing.assert_allclose(g["W"], total, rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------------------- losses

@pytest.mark.oracle
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.sampled_from(["mean", "sum"]),
       st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_losses_match_torch(torch, shape, reduction, seed):
    F = torch.nn.functional
    r = np.random.default_rng(seed)
    x = r.random(size=shape)
    x[r.random(size=shape) < 0.3] = 1.0  # binary-ish targets and soft targets
    x_hat = r.uniform(0.02, 0.98, size=shape)
    logits = r.normal(scale=4, size=shape)

    t = to_torch(torch, x_hat, True)
    tl = F.mse_loss(t, to_torch(torch, x), reduction=reduction)
    tl.backward()
    assert ae.mse_loss(x_hat, x, reduction) == pytest.approx(tl.item(), rel=1e-10, abs=1e-12)
    _close(ae.mse_loss_grad(x_hat, x, reduction), grad_of(t))

    t = to_torch(torch, x_hat, True)
    tl = F.binary_cross_entropy(t, to_torch(torch, x), reduction=reduction)
    tl.backward()
    assert ae.bce_loss(x_hat, x, reduction) == pytest.approx(tl.item(), rel=1e-10)
    _close(ae.bce_loss_grad(x_hat, x, reduction), grad_of(t))

    t = to_torch(torch, logits, True)
    tl = F.binary_cross_entropy_with_logits(t, to_torch(torch, x), reduction=reduction)
    tl.backward()
    assert ae.bce_with_logits_loss(logits, x, reduction) == pytest.approx(tl.item(), rel=1e-10)
    _close(ae.bce_with_logits_grad(logits, x, reduction), grad_of(t))


@pytest.mark.oracle
def test_bce_with_logits_stable_for_large_logits(torch):
    logits = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    x = np.array([1.0, 0.0, 0.5, 1.0, 0.0])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        ours = ae.bce_with_logits_loss(logits, x, "sum")
        g = ae.bce_with_logits_grad(logits, x, "sum")
    ref = torch.nn.functional.binary_cross_entropy_with_logits(
        to_torch(torch, logits), to_torch(torch, x), reduction="sum").item()
    assert ours == pytest.approx(ref, rel=1e-12)
    assert ours == pytest.approx(800 + 800 + np.log(2) + 2 * np.log1p(np.exp(-40)), rel=1e-12)
    np.testing.assert_allclose(g, [-1, 1 / (1 + np.exp(40)), 0, -1 / (1 + np.exp(40)), 1], atol=1e-15)


def test_bce_exact_targets_and_closed_form():
    # 0 log 0 = 0: perfect reconstructions of binary data cost nothing
    assert ae.bce_loss([0.0, 1.0], [0.0, 1.0]) == 0.0
    np.testing.assert_array_equal(ae.bce_loss_grad([0.0, 1.0], [0.0, 1.0]), [0.0, 0.0])
    assert ae.bce_loss([0.5, 0.5], [1.0, 0.0]) == pytest.approx(np.log(2))
    assert ae.bce_loss([0.0], [1.0]) == np.inf
    assert ae.mse_loss([1.0, 2.0], [0.0, 0.0]) == 2.5
    assert ae.mse_loss([1.0, 2.0], [0.0, 0.0], "sum") == 5.0
    with pytest.raises(ValueError, match="x_hat"):
        ae.bce_loss([1.5], [1.0])


def test_loss_gradients_finite_differences(rng):
    x = rng.random(size=(2, 3))
    x_hat = rng.uniform(0.1, 0.9, size=(2, 3))
    logits = rng.normal(size=(2, 3))
    for red in ("mean", "sum"):
        check_gradients(lambda: ae.mse_loss(x_hat, x, red), {"x_hat": x_hat},
                        {"x_hat": ae.mse_loss_grad(x_hat, x, red)})
        check_gradients(lambda: ae.bce_loss(x_hat, x, red), {"x_hat": x_hat},
                        {"x_hat": ae.bce_loss_grad(x_hat, x, red)})
        check_gradients(lambda: ae.bce_with_logits_loss(logits, x, red), {"l": logits},
                        {"l": ae.bce_with_logits_grad(logits, x, red)})


# --------------------------------------------------------------------------- sizes

@pytest.mark.oracle
@given(st.lists(st.integers(1, 40), min_size=2, max_size=6))
@settings(max_examples=30, deadline=None)
def test_param_count_matches_torch_linear(torch, sizes):
    # on the meta device no weights are drawn (no global random state touched)
    net = torch.nn.Sequential(*[torch.nn.Linear(i, o, device="meta") for i, o in zip(sizes[:-1], sizes[1:])])
    assert ae.autoencoder_param_count(sizes) == sum(p.numel() for p in net.parameters())


def test_param_count_tied_and_compression_closed_form():
    assert ae.autoencoder_param_count([784, 128, 784]) == 784 * 128 * 2 + 128 + 784 == 201_616
    assert ae.autoencoder_param_count([784, 128, 784], tied=True) == 784 * 128 + 128 + 784 == 101_264
    assert ae.autoencoder_param_count([784, 256, 32, 256, 784], tied=True) == (
        784 * 256 + 256 * 32 + 256 + 32 + 256 + 784)
    with pytest.raises(ValueError, match="symmetric"):
        ae.autoencoder_param_count([784, 128, 64], tied=True)
    assert ae.compression_ratio(784, 32) == 24.5
    assert ae.compression_ratio(100, 100) == 1.0
    with pytest.raises(ValueError, match="code_dim"):
        ae.compression_ratio(784, 0)


# --------------------------------------------------------------------------- VAE

@pytest.mark.oracle
@given(st.one_of(st.none(), st.integers(1, 4)), st.integers(1, 6), st.sampled_from(["sum", "mean"]),
       st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_kl_matches_torch_distributions(torch, batch, J, reduction, seed):
    from torch.distributions import Normal, kl_divergence

    r = np.random.default_rng(seed)
    shape = (J,) if batch is None else (batch, J)
    mu, log_var = r.normal(size=shape), r.normal(scale=1.5, size=shape)
    tmu, tlv = to_torch(torch, mu, True), to_torch(torch, log_var, True)
    kl = kl_divergence(Normal(tmu, torch.exp(0.5 * tlv)),
                       Normal(torch.zeros_like(tmu), torch.ones_like(tmu))).sum()
    if reduction == "mean":
        kl = kl / (1 if batch is None else batch)
    kl.backward()
    assert ae.kl_to_standard_normal(mu, log_var, reduction) == pytest.approx(kl.item(), rel=1e-10)
    g = ae.kl_to_standard_normal_backward(mu, log_var, reduction)
    _close(g["mu"], grad_of(tmu))
    _close(g["log_var"], grad_of(tlv))


@pytest.mark.oracle
@given(st.one_of(st.none(), st.integers(1, 4)), st.integers(1, 6), st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_reparameterize_matches_torch(torch, batch, J, seed):
    r = np.random.default_rng(seed)
    shape = (J,) if batch is None else (batch, J)
    mu, log_var, eps, dz = (r.normal(size=shape) for _ in range(4))
    z, cache = ae.reparameterize(mu, log_var, eps)
    g = ae.reparameterize_backward(dz, cache)
    tmu, tlv, te = (to_torch(torch, a, True) for a in (mu, log_var, eps))
    tz = tmu + torch.exp(0.5 * tlv) * te
    (tz * to_torch(torch, dz)).sum().backward()
    _close(z, tz.detach().numpy())
    _close(cache["sigma"], np.sqrt(np.exp(log_var)))
    for k, t in (("mu", tmu), ("log_var", tlv), ("eps", te)):
        _close(g[k], grad_of(t))


def test_kl_closed_forms():
    # KL(N(0,1) || N(0,1)) = 0; KL(N(mu,1) || N(0,1)) = mu^2 / 2; KL(N(0,s^2)||N(0,1)) = (s^2 - 1 - log s^2)/2
    assert ae.kl_to_standard_normal([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert ae.kl_to_standard_normal([3.0], [0.0]) == pytest.approx(4.5)
    assert ae.kl_to_standard_normal([0.0], [np.log(4.0)]) == pytest.approx((4 - 1 - np.log(4)) / 2)
    assert ae.kl_to_standard_normal([[3.0], [1.0]], [[0.0], [0.0]], "mean") == pytest.approx(2.5)


@pytest.mark.oracle
def test_vae_end_to_end_matches_torch(torch, rng):
    """encoder -> (mu, log_var) -> z = mu + sigma eps -> decoder -> ELBO, gradients of -ELBO."""
    F = torch.nn.functional
    for trial in range(8):
        B, D, H, J = (int(v) for v in rng.integers(1, 5, size=4))
        D += 1
        rec = ["bce", "mse"][trial % 2]
        from_logits = rec == "bce" and trial % 4 == 0
        reduction = ["sum", "mean"][(trial // 2) % 2]
        x = (rng.random(size=(B, D)) < 0.5).astype(float) if rec == "bce" else rng.normal(size=(B, D))
        P = {"W1": rng.normal(size=(H, D)), "b1": rng.normal(size=H),
             "Wm": rng.normal(size=(J, H)), "bm": rng.normal(size=J),
             "Wv": rng.normal(size=(J, H)) * 0.5, "bv": rng.normal(size=J) * 0.5,
             "Wd": rng.normal(size=(D, J)), "bd": rng.normal(size=D)}
        eps = rng.normal(size=(B, J))
        out_act = "linear" if (from_logits or rec == "mse") else "sigmoid"

        h, c1 = ae.dense_forward(x, P["W1"], P["b1"], "tanh")
        mu, cm = ae.dense_forward(h, P["Wm"], P["bm"], "linear")
        lv, cv = ae.dense_forward(h, P["Wv"], P["bv"], "linear")
        z, cr = ae.reparameterize(mu, lv, eps)
        xh, cd = ae.dense_forward(z, P["Wd"], P["bd"], out_act)
        value, ce = ae.elbo(x, xh, mu, lv, rec, from_logits, reduction)
        ge = ae.elbo_backward(ce, delbo=-1.0)  # gradients of the loss -ELBO
        gd = ae.dense_backward(ge["x_hat"], cd)
        gr = ae.reparameterize_backward(gd["x"], cr)
        gm = ae.dense_backward(gr["mu"] + ge["mu"], cm)
        gv = ae.dense_backward(gr["log_var"] + ge["log_var"], cv)
        g1 = ae.dense_backward(gm["x"] + gv["x"], c1)
        ours = {"W1": g1["W"], "b1": g1["b"], "Wm": gm["W"], "bm": gm["b"],
                "Wv": gv["W"], "bv": gv["b"], "Wd": gd["W"], "bd": gd["b"]}

        T = {k: to_torch(torch, v, True) for k, v in P.items()}
        tx = to_torch(torch, x)
        th = torch.tanh(tx @ T["W1"].T + T["b1"])
        tmu = th @ T["Wm"].T + T["bm"]
        tlv = th @ T["Wv"].T + T["bv"]
        tz = tmu + torch.exp(0.5 * tlv) * to_torch(torch, eps)
        out = tz @ T["Wd"].T + T["bd"]
        if rec == "mse":
            trec = F.mse_loss(out, tx, reduction="sum")
        elif from_logits:
            trec = F.binary_cross_entropy_with_logits(out, tx, reduction="sum")
        else:
            trec = F.binary_cross_entropy(torch.sigmoid(out), tx, reduction="sum")
        tkl = -0.5 * torch.sum(1 + tlv - tmu ** 2 - torch.exp(tlv))
        t_elbo = -(trec + tkl) / (B if reduction == "mean" else 1)
        (-t_elbo).backward()
        assert value == pytest.approx(t_elbo.item(), rel=1e-10)
        assert ce["kl"] == pytest.approx(tkl.item() / (B if reduction == "mean" else 1), rel=1e-10)
        for k in P:
            _close(ours[k], grad_of(T[k]))


def test_elbo_finite_differences_and_composition(rng):
    x = (rng.random(size=(2, 3)) < 0.5).astype(float)
    x_hat = rng.uniform(0.1, 0.9, size=(2, 3))
    mu, lv = rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    for rec in ("bce", "mse"):
        for red in ("sum", "mean"):
            value, cache = ae.elbo(x, x_hat, mu, lv, rec, reduction=red)
            g = ae.elbo_backward(cache)
            check_gradients(lambda: ae.elbo(x, x_hat, mu, lv, rec, reduction=red)[0],
                            {"x_hat": x_hat, "mu": mu, "log_var": lv}, g)
    # bce from probabilities equals bce from the matching logits
    logits = np.log(x_hat) - np.log1p(-x_hat)
    a, _ = ae.elbo(x, x_hat, mu, lv)
    b, _ = ae.elbo(x, logits, mu, lv, from_logits=True)
    assert a == pytest.approx(b, rel=1e-12)
    # ELBO = -(sum of BCE) - KL, and mean over a batch of 2 is half the sum
    assert a == pytest.approx(-ae.bce_loss(x_hat, x, "sum") - ae.kl_to_standard_normal(mu, lv))
    assert ae.elbo(x, x_hat, mu, lv, reduction="mean")[0] == pytest.approx(a / 2)


# --------------------------------------------------------------------------- shapes

def test_wrong_shapes_raise_naming_argument(rng):
    with pytest.raises(ValueError, match=r"b must have shape \(out,\)"):
        ae.dense_forward(np.ones(3), np.ones((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match=r"x must have shape \(in,\)"):
        ae.dense_forward(np.ones(4), np.ones((2, 3)), np.ones(2))
    layers = _random_layers(rng, [4, 2, 3], ["sigmoid", "sigmoid"])
    with pytest.raises(ValueError, match=r"layers\[1\]\['W'\]"):
        ae.autoencoder_forward(np.ones(4), layers)
    layers = _random_layers(rng, [4, 2, 4], ["sigmoid", "sigmoid"])
    layers[1]["W"] = np.ones((4, 3))
    with pytest.raises(ValueError, match=r"layers\[1\]\['W'\]"):
        ae.autoencoder_forward(np.ones(4), layers)
    with pytest.raises(ValueError, match="activation"):
        ae.autoencoder_forward(np.ones(4), [{"W": np.ones((2, 4)), "b": np.ones(2)}] * 2)
    with pytest.raises(ValueError, match="linear"):
        ae.dense_forward(np.ones(3), np.ones((2, 3)), np.ones(2), "gelu")
    with pytest.raises(ValueError, match=r"c must have shape \(D,\)"):
        ae.tied_autoencoder_forward(np.ones(4), np.ones((2, 4)), np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="x must have shape"):
        ae.mse_loss(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="log_var"):
        ae.kl_to_standard_normal(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="eps"):
        ae.reparameterize(np.ones(3), np.ones(3), np.ones((2, 3)))
    with pytest.raises(ValueError, match="mu"):
        ae.elbo(np.ones((2, 3)) / 2, np.ones((2, 3)) / 2, np.ones((3, 2)), np.ones((3, 2)))
