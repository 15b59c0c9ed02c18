"""gan: losses and gradients against torch BCE and autograd, the optimal discriminator
and V(D*, G) = -log 4 + 2 JS against scipy, one SGD step against torch.optim.SGD."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl import gan
from tests.numerics import check_gradients, grad_of, to_torch

KINDS = ["saturating", "non_saturating"]


def _close(a, b, tol=1e-10):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


# --------------------------------------------------------------------------- losses vs torch

@pytest.mark.oracle
@given(st.integers(1, 8), st.integers(1, 8), st.floats(0.1, 30.0), st.integers(0, 2**32 - 1))
@settings(max_examples=50, deadline=None)
def test_discriminator_loss_matches_torch_bce(torch, m, n, scale, seed):
    F = torch.nn.functional
    r = np.random.default_rng(seed)
    l_real, l_fake = r.normal(scale=scale, size=m), r.normal(scale=scale, size=n)
    # from logits: BCE-with-logits, label 1 for real and 0 for fake, each averaged
    tr, tf = to_torch(torch, l_real, True), to_torch(torch, l_fake, True)
    tl = (F.binary_cross_entropy_with_logits(tr, torch.ones_like(tr))
          + F.binary_cross_entropy_with_logits(tf, torch.zeros_like(tf)))
    tl.backward()
    assert gan.discriminator_loss(l_real, l_fake, from_logits=True) == pytest.approx(tl.item(), rel=1e-10)
    g = gan.discriminator_loss_grad(l_real, l_fake, from_logits=True)
    _close(g["d_real"], grad_of(tr))
    _close(g["d_fake"], grad_of(tf))

    # from outputs, kept away from 0 and 1 where torch clamps its logs at -100
    d_real, d_fake = r.uniform(0.01, 0.99, size=m), r.uniform(0.01, 0.99, size=n)
    tr, tf = to_torch(torch, d_real, True), to_torch(torch, d_fake, True)
    tl = (F.binary_cross_entropy(tr, torch.ones_like(tr))
          + F.binary_cross_entropy(tf, torch.zeros_like(tf)))
    tl.backward()
    assert gan.discriminator_loss(d_real, d_fake) == pytest.approx(tl.item(), rel=1e-10)
    g = gan.discriminator_loss_grad(d_real, d_fake)
    _close(g["d_real"], grad_of(tr))
    _close(g["d_fake"], grad_of(tf))


@pytest.mark.oracle
@given(st.integers(1, 8), st.sampled_from(KINDS), st.floats(0.1, 30.0), st.integers(0, 2**32 - 1))
@settings(max_examples=50, deadline=None)
def test_generator_loss_matches_torch(torch, n, kind, scale, seed):
    F = torch.nn.functional
    r = np.random.default_rng(seed)
    logits = r.normal(scale=scale, size=n)
    t = to_torch(torch, logits, True)
    if kind == "saturating":  # mean log(1 - D) = -BCE(D, label 0)
        tl = -F.binary_cross_entropy_with_logits(t, torch.zeros_like(t))
    else:  # -mean log D = BCE(D, label 1)
        tl = F.binary_cross_entropy_with_logits(t, torch.ones_like(t))
    tl.backward()
    ours = gan.generator_loss(logits, kind, from_logits=True)
    # torch's BCE-with-logits evaluates log(1 + e^-|l|) with log, not log1p: it loses
    # relative accuracy when the loss is tiny, so it is held to 1e-10 absolute only ...
    assert ours == pytest.approx(tl.item(), rel=1e-10, abs=1e-10)
    # ... and logsigmoid (log1p-accurate) to 1e-10 relative
    ref = (F.logsigmoid(-t).mean() if kind == "saturating" else -F.logsigmoid(t).mean()).item()
    assert ours == pytest.approx(ref, rel=1e-10, abs=1e-300)
    _close(gan.generator_loss_grad(logits, kind, from_logits=True), grad_of(t))

    d = r.uniform(0.01, 0.99, size=n)
    t = to_torch(torch, d, True)
    tl = torch.log(1 - t).mean() if kind == "saturating" else -torch.log(t).mean()
    tl.backward()
    assert gan.generator_loss(d, kind) == pytest.approx(tl.item(), rel=1e-10)
    _close(gan.generator_loss_grad(d, kind), grad_of(t))


def test_loss_gradients_finite_differences(rng):
    l_real, l_fake = rng.normal(size=4), rng.normal(size=3)
    d_real, d_fake = rng.uniform(0.1, 0.9, size=4), rng.uniform(0.1, 0.9, size=3)
    for fl, (r_, f_) in ((True, (l_real, l_fake)), (False, (d_real, d_fake))):
        check_gradients(lambda: gan.discriminator_loss(r_, f_, from_logits=fl),
                        {"d_real": r_, "d_fake": f_}, gan.discriminator_loss_grad(r_, f_, from_logits=fl))
        for kind in KINDS:
            check_gradients(lambda: gan.generator_loss(f_, kind, from_logits=fl),
                            {"d_fake": f_}, {"d_fake": gan.generator_loss_grad(f_, kind, from_logits=fl)})


def test_logit_losses_stable_and_saturation_closed_forms():
    big = np.array([-1000.0, 1000.0])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        # real logits -1000 (confidently wrong) and +1000: -log sigma = 1000, 0
        assert gan.discriminator_loss(big, [0.0], from_logits=True) == pytest.approx(500 + np.log(2), rel=1e-12)
        # D confidently rejects the fake (logit -1000): saturating gradient ~ 0, non-saturating ~ -1
        sat = gan.generator_loss_grad([-1000.0], "saturating", from_logits=True)
        ns = gan.generator_loss_grad([-1000.0], "non_saturating", from_logits=True)
        assert sat[0] == 0.0 and ns[0] == -1.0
        assert gan.generator_loss([-1000.0], "non_saturating", from_logits=True) == pytest.approx(1000.0)
        assert gan.generator_loss([-1000.0], "saturating", from_logits=True) == 0.0
    # D = 1/2 everywhere: J_D = log 4, both J_G = -log 2 and log 2
    assert gan.discriminator_loss([0.5, 0.5], [0.5]) == pytest.approx(np.log(4))
    assert gan.generator_loss([0.5], "saturating") == pytest.approx(-np.log(2))
    assert gan.generator_loss([0.5], "non_saturating") == pytest.approx(np.log(2))
    # outputs and logits agree
    l = np.array([-3.0, 0.2, 4.0])
    d = 1 / (1 + np.exp(-l))
    for kind in KINDS:
        assert gan.generator_loss(d, kind) == pytest.approx(gan.generator_loss(l, kind, from_logits=True), rel=1e-12)


# --------------------------------------------------------------------------- theory, discrete

def _random_dist(r, K, zeros=False):
    p = r.random(K) + 0.01
    if zeros and K > 1:
        p[r.random(K) < 0.3] = 0.0
        if p.sum() == 0:
            p[0] = 1.0
    return p / p.sum()


@pytest.mark.oracle
@given(st.integers(1, 10), st.booleans(), st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_js_and_value_at_optimum_match_scipy(K, zeros, seed):
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import entropy

    r = np.random.default_rng(seed)
    p, q = _random_dist(r, K, zeros), _random_dist(r, K, zeros)
    js = jensenshannon(p, q) ** 2  # scipy returns sqrt(JS), natural log by default
    assert gan.js_divergence(p, q) == pytest.approx(js, rel=1e-9, abs=1e-12)
    assert gan.js_divergence(p, q) == pytest.approx(gan.js_divergence(q, p), rel=1e-12, abs=1e-15)
    assert 0 <= gan.js_divergence(p, q) <= np.log(2) + 1e-12
    # KL against scipy.stats.entropy (inf where q = 0 < p)
    assert gan.kl_divergence(p, q) == pytest.approx(entropy(p, q), rel=1e-10, abs=1e-12)
    # Goodfellow et al., Theorem 1: V(D*, G) = -log 4 + 2 JS(p_data || p_g)
    D_star = gan.optimal_discriminator(p, q)
    v_star = gan.value_function(D_star, p, q)
    assert v_star == pytest.approx(-np.log(4) + 2 * js, rel=1e-9, abs=1e-12)
    assert gan.generator_criterion(p, q) == pytest.approx(v_star, rel=1e-12)
    # D* maximises V: any other discriminator scores no higher
    live = (p + q) > 0
    for _ in range(5):
        D = np.clip(np.nan_to_num(D_star, nan=0.5) + r.normal(scale=0.2, size=K), 1e-3, 1 - 1e-3)
        D[~live] = 0.5
        assert gan.value_function(D, p, q) <= v_star + 1e-12


def test_optimal_discriminator_closed_forms():
    p_data = np.array([0.5, 0.5, 0.0, 0.0])
    p_g = np.array([0.25, 0.0, 0.75, 0.0])
    D = gan.optimal_discriminator(p_data, p_g)
    np.testing.assert_allclose(D[:3], [2 / 3, 1.0, 0.0])
    assert np.isnan(D[3])  # neither distribution puts mass there
    # p_g = p_data: D* = 1/2 everywhere, V = -log 4, JS = 0
    p = np.array([0.1, 0.2, 0.7])
    np.testing.assert_array_equal(gan.optimal_discriminator(p, p), [0.5, 0.5, 0.5])
    assert gan.value_function([0.5] * 3, p, p) == pytest.approx(-np.log(4), rel=1e-15)
    assert gan.js_divergence(p, p) == 0.0
    assert gan.generator_criterion(p, p) == pytest.approx(-np.log(4), rel=1e-15)
    # disjoint supports: JS = log 2, V(D*) = 0
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert gan.js_divergence(a, b) == pytest.approx(np.log(2), rel=1e-15)
    assert gan.generator_criterion(a, b) == 0.0
    # V written out for two points
    v = gan.value_function([0.8, 0.3], [0.6, 0.4], [0.1, 0.9])
    assert v == pytest.approx(0.6 * np.log(0.8) + 0.4 * np.log(0.3) + 0.1 * np.log(0.2) + 0.9 * np.log(0.7))


# --------------------------------------------------------------------------- SGD step vs torch

def _torch_step(torch, x, z, w, c, a, b, lr_d, lr_g, kind, order, z_g):
    F = torch.nn.functional
    tw, tc, ta, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (w, c, a, b))
    opt_d = torch.optim.SGD([tw, tc], lr=lr_d)
    opt_g = torch.optim.SGD([ta, tb], lr=lr_g)
    tx, tz, tzg = to_torch(torch, x), to_torch(torch, z), to_torch(torch, z_g)
    w0, c0 = tw.detach().clone(), tc.detach().clone()

    # discriminator step: fakes detached from G
    fake = (ta * tz + tb).detach()
    lr_, lf = tw * tx + tc, tw * fake + tc
    J_D = (F.binary_cross_entropy(torch.sigmoid(lr_), torch.ones_like(lr_))
           + F.binary_cross_entropy(torch.sigmoid(lf), torch.zeros_like(lf)))
    opt_d.zero_grad()
    J_D.backward()
    gd = (tw.grad.item(), tc.grad.item())
    opt_d.step()

    # generator step against D after (d_first) or before (simultaneous) its update
    wd, cd = (tw.detach(), tc.detach()) if order == "d_first" else (w0, c0)
    D_fake = torch.sigmoid(wd * (ta * tzg + tb) + cd)
    J_G = torch.log(1 - D_fake).mean() if kind == "saturating" else -torch.log(D_fake).mean()
    opt_g.zero_grad()
    J_G.backward()
    gg = (ta.grad.item(), tb.grad.item())
    opt_g.step()
    return {"w": tw.item(), "c": tc.item(), "a": ta.item(), "b": tb.item(), "J_D": J_D.item(),
            "J_G": J_G.item(), "grads": dict(zip("wcab", gd + gg))}


@pytest.mark.oracle
@given(st.integers(1, 6), st.integers(1, 6), st.sampled_from(KINDS),
       st.sampled_from(["d_first", "simultaneous"]), st.booleans(), st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_sgd_step_matches_torch_optim(torch, m, n, kind, order, separate_noise, seed):
    r = np.random.default_rng(seed)
    x, z = r.normal(2.0, 1.0, size=m), r.normal(size=n)
    z_g = r.normal(size=int(r.integers(1, 6))) if separate_noise else None
    w, c, a, b = r.normal(size=4)
    lr_d, lr_g = r.uniform(0.01, 1.0, size=2)
    out = gan.sgd_step_1d(x, z, w, c, a, b, lr_d, lr_g, kind, order, z_g=z_g)
    ref = _torch_step(torch, x, z, w, c, a, b, lr_d, lr_g, kind, order, z if z_g is None else z_g)
    for k in ("w", "c", "a", "b", "J_D", "J_G"):
        assert out[k] == pytest.approx(ref[k], rel=1e-10, abs=1e-10), k
    for k in "wcab":
        assert out["grads"][k] == pytest.approx(ref["grads"][k], rel=1e-10, abs=1e-10), k


def test_sgd_step_finite_differences_and_order(rng):
    x, z = rng.normal(2.0, 1.0, size=5), rng.normal(size=4)
    P = np.array([0.3, -0.2, 1.1, 0.4])  # w, c, a, b
    lr = 0.5
    for kind in KINDS:
        out = gan.sgd_step_1d(x, z, *P, lr, lr, kind)

        def J_D():
            w, c, a, b = P
            return gan.discriminator_loss(w * x + c, w * (a * z + b) + c, from_logits=True)

        def J_G():  # G's loss against the updated D (the default order)
            w, c = out["w"], out["c"]
            return gan.generator_loss(w * (P[2] * z + P[3]) + c, kind, from_logits=True)

        Pw = P[:2]  # views: perturbing them perturbs P
        Pg = P[2:]
        check_gradients(J_D, {"wc": Pw}, {"wc": [out["grads"]["w"], out["grads"]["c"]]})
        check_gradients(J_G, {"ab": Pg}, {"ab": [out["grads"]["a"], out["grads"]["b"]]})
        np.testing.assert_allclose([out["w"], out["c"]], P[:2] - lr * np.array([out["grads"]["w"], out["grads"]["c"]]))
    # the two orders differ (G sees a different D) but D's step is identical
    d1 = gan.sgd_step_1d(x, z, *P, lr, lr, order="d_first")
    d2 = gan.sgd_step_1d(x, z, *P, lr, lr, order="simultaneous")
    assert d1["w"] == d2["w"] and d1["c"] == d2["c"]
    assert d1["a"] != d2["a"]


def test_wrong_shapes_raise_naming_argument():
    with pytest.raises(ValueError, match="d_fake"):
        gan.discriminator_loss([0.5], [[0.5, 0.2]])
    with pytest.raises(ValueError, match="d_real"):
        gan.discriminator_loss([1.5], [0.5])
    with pytest.raises(ValueError, match=r"p_g must have shape"):
        gan.optimal_discriminator([0.5, 0.5], [1.0])
    with pytest.raises(ValueError, match=r"D must have shape \(K,\)"):
        gan.value_function([0.5], [0.5, 0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="p_data"):
        gan.value_function([0.5, 0.5], [0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="kind"):
        gan.generator_loss([0.5], "minimax")
    with pytest.raises(ValueError, match="x_real"):
        gan.sgd_step_1d(np.ones((2, 2)), [0.0], 1, 0, 1, 0, 0.1, 0.1)
    with pytest.raises(ValueError, match="order"):
        gan.sgd_step_1d([1.0], [0.0], 1, 0, 1, 0, 0.1, 0.1, order="g_first")
