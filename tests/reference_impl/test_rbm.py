"""rbm: against brute-force enumeration of the joint, scikit-learn's BernoulliRBM, torch autograd.

The enumeration here is written independently of reference_impl.rbm: it lists all
2^(n_v + n_h) joint states with bit arithmetic and sums exp(-E) directly (scipy's logsumexp).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit
from scipy.special import logsumexp as sp_logsumexp

from reference_impl import rbm
from tests.numerics import check_gradients, grad_of, to_torch

TOL = dict(rtol=1e-10, atol=1e-10)
sizes = st.integers(1, 5)
seeds = st.integers(0, 2 ** 32 - 1)


def bits(n):
    """All 2^n binary vectors, (2^n, n); state s has unit i = bit i of s."""
    return ((np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1).astype(np.float64)


def random_rbm(rng, n_v, n_h, scale=1.0):
    return (rng.normal(scale=scale, size=(n_v, n_h)), rng.normal(scale=scale, size=n_v),
            rng.normal(scale=scale, size=n_h))


def joint_neg_energy(W, a, b):
    """-E(v, h) for every v (rows) and h (columns), straight from the definition."""
    V, H = bits(W.shape[0]), bits(W.shape[1])
    return V @ a[:, None] + (H @ b)[None, :] + V @ W @ H.T, V, H


def sk_model(sklearn_rbm, W, a, b):
    m = sklearn_rbm(n_components=W.shape[1])
    m.components_ = W.T.copy()
    m.intercept_hidden_ = b.copy()
    m.intercept_visible_ = a.copy()
    m.n_features_in_ = W.shape[0]
    return m


class FixedUniforms:
    """Stands in for a RandomState: .uniform(size=...) returns the given arrays in turn."""

    def __init__(self, *arrays):
        self.arrays = list(arrays)

    def uniform(self, size=None):
        u = self.arrays.pop(0)
        assert u.shape == tuple(size)
        return u


# ----------------------------------------------------------------------------- enumeration


@given(sizes, sizes, seeds)
@settings(max_examples=30, deadline=None)
def test_log_partition_log_prob_free_energy_match_joint_enumeration(n_v, n_h, seed):
    rng = np.random.default_rng(seed)
    W, a, b = random_rbm(rng, n_v, n_h, scale=1.5)
    negE, V, H = joint_neg_energy(W, a, b)
    log_Z = sp_logsumexp(negE)
    assert rbm.log_partition(W, a, b) == pytest.approx(log_Z, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(rbm.free_energy(V, W, a, b), -sp_logsumexp(negE, axis=1), **TOL)
    np.testing.assert_allclose(rbm.log_prob(V, W, a, b), sp_logsumexp(negE, axis=1) - log_Z, **TOL)
    # p(v) sums to one over every v; a single vector gives a float.
    assert np.exp(rbm.log_prob(V, W, a, b)).sum() == pytest.approx(1.0, rel=1e-12)
    assert isinstance(rbm.log_prob(V[-1], W, a, b), float)
    # The energy of every joint state, one (v, h) pair per row.
    Vr, Hr = np.repeat(V, len(H), axis=0), np.tile(H, (len(V), 1))
    np.testing.assert_allclose(rbm.energy(Vr, Hr, W, a, b), -negE.ravel(), **TOL)


@given(sizes, sizes, seeds)
@settings(max_examples=30, deadline=None)
def test_conditionals_match_joint_enumeration(n_v, n_h, seed):
    rng = np.random.default_rng(seed)
    W, a, b = random_rbm(rng, n_v, n_h, scale=1.5)
    negE, V, H = joint_neg_energy(W, a, b)
    P = np.exp(negE - sp_logsumexp(negE))  # p(v, h), rows v, columns h
    # p(h_j = 1 | v) = sum_{h: h_j = 1} p(v, h) / p(v)
    np.testing.assert_allclose(rbm.p_h_given_v(V, W, b), (P @ H) / P.sum(axis=1, keepdims=True), **TOL)
    np.testing.assert_allclose(rbm.p_v_given_h(H, W, a), (P.T @ V) / P.sum(axis=0)[:, None], **TOL)
    np.testing.assert_allclose(rbm.p_h_given_v(V[1 % len(V)], W, b),
                               (P @ H)[1 % len(V)] / P[1 % len(V)].sum(), **TOL)


def test_log_partition_refuses_large_models_and_uses_the_smaller_layer(rng):
    with pytest.raises(ValueError, match="2\\^21"):
        rbm.log_partition(np.zeros((21, 22)), np.zeros(21), np.zeros(22))
    # 400 visible units but 3 hidden: enumerating the 8 hidden states is exact and cheap.
    W, a, b = random_rbm(rng, 400, 3, scale=0.05)
    # closed form at W = 0: log Z = sum_i softplus(a_i) + sum_j softplus(b_j)
    z = np.zeros((400, 3))
    assert rbm.log_partition(z, a, b) == pytest.approx(
        np.logaddexp(0, a).sum() + np.logaddexp(0, b).sum(), rel=1e-12)
    assert np.isfinite(rbm.log_partition(W, a, b))


# ----------------------------------------------------------------------------- scikit-learn


@pytest.mark.oracle
@given(sizes, sizes, st.integers(1, 6), seeds)
@settings(max_examples=25, deadline=None)
def test_primitives_match_sklearn(sklearn_rbm, n_v, n_h, N, seed):
    rng = np.random.default_rng(seed)
    W, a, b = random_rbm(rng, n_v, n_h, scale=2.0)
    V = rng.integers(0, 2, size=(N, n_v)).astype(np.float64)
    H = rng.integers(0, 2, size=(N, n_h)).astype(np.float64)
    m = sk_model(sklearn_rbm, W, a, b)
    np.testing.assert_allclose(rbm.p_h_given_v(V, W, b), m._mean_hiddens(V), **TOL)
    np.testing.assert_allclose(rbm.p_h_given_v(V, W, b), m.transform(V), **TOL)
    np.testing.assert_allclose(rbm.free_energy(V, W, a, b), m._free_energy(V), **TOL)
    # sklearn has no _mean_visibles: p(v|h) is the hidden mean of the transposed machine.
    mt = sk_model(sklearn_rbm, W.T, b, a)
    np.testing.assert_allclose(rbm.p_v_given_h(H, W, a), mt._mean_hiddens(H), **TOL)

    # Sampling: sklearn draws rng.uniform(size=p.shape) and keeps u < p; same stream here.
    rs = np.random.RandomState(seed)
    h_sk = m._sample_hiddens(V, rs)
    v_sk = m._sample_visibles(H, rs)
    rs = np.random.RandomState(seed)
    h, _ = rbm.sample_h_given_v(V, W, b, rs.uniform(size=(N, n_h)))
    v, _ = rbm.sample_v_given_h(H, W, a, rs.uniform(size=(N, n_v)))
    np.testing.assert_array_equal(h, h_sk)
    np.testing.assert_array_equal(v, v_sk)

    # gibbs: sklearn samples h then v from its random_state_, in that order.
    m.random_state_ = np.random.RandomState((seed + 1) % 2 ** 32)
    v_sk = m.gibbs(V)
    rs = np.random.RandomState((seed + 1) % 2 ** 32)
    u_h, u_v = rs.uniform(size=(N, n_h)), rs.uniform(size=(N, n_v))
    v_new, cache = rbm.gibbs_step(V, W, a, b, u_h, u_v)
    np.testing.assert_array_equal(v_new, v_sk)
    np.testing.assert_allclose(cache["p_h_new"], m._mean_hiddens(v_new), **TOL)


@pytest.mark.oracle
def test_sampling_inequality_edge_matches_sklearn(sklearn_rbm):
    # p = sigma(0) = 0.5 exactly; u = 0.5: "on iff p > u" and sklearn's "u < p" both say off.
    W, a, b = np.zeros((2, 3)), np.zeros(2), np.zeros(3)
    V = np.ones((1, 2))
    m = sk_model(sklearn_rbm, W, a, b)
    for u_val, expected in ((0.5, 0.0), (np.nextafter(0.5, 0), 1.0)):
        u = np.full((1, 3), u_val)
        h, p = rbm.sample_h_given_v(V, W, b, u)
        assert np.all(p == 0.5)
        np.testing.assert_array_equal(h, np.full((1, 3), expected))
        np.testing.assert_array_equal(m._sample_hiddens(V, FixedUniforms(u)), h)
    # saturated units: p = 0 stays off even at u = 0, p = 1 turns on even at u just below 1
    b = np.array([-1000.0, 1000.0, 0.0])
    m = sk_model(sklearn_rbm, W, a, b)
    u = np.array([[0.0, np.nextafter(1.0, 0), 0.25]])
    h, _ = rbm.sample_h_given_v(V, W, b, u)
    np.testing.assert_array_equal(h, [[0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(m._sample_hiddens(V, FixedUniforms(u)), h)


@pytest.mark.oracle
@given(sizes, sizes, st.integers(1, 6), st.integers(1, 3), seeds)
@settings(max_examples=25, deadline=None)
def test_pcd_matches_sklearn_partial_fit(sklearn_rbm, n_v, n_h, N, n_batches, seed):
    """sklearn's _fit is PCD with a persistent HIDDEN chain: v_neg sampled from h_samples_,
    statistics with probabilities, lr/N, then h_samples_ resampled from p(h|v_neg)."""
    rng = np.random.default_rng(seed)
    W, a, b = random_rbm(rng, n_v, n_h)
    lr = float(rng.uniform(0.01, 1.0))
    chain = rng.integers(0, 2, size=(N, n_h)).astype(np.float64)
    m = sklearn_rbm(n_components=n_h, learning_rate=lr, batch_size=N)
    m.components_, m.intercept_hidden_, m.intercept_visible_ = W.T.copy(), b.copy(), a.copy()
    m.h_samples_ = chain.copy()
    m.random_state_ = np.random.RandomState(seed)
    rs = np.random.RandomState(seed)  # the same stream; sklearn draws u_v, then u_h
    for _ in range(n_batches):
        X = rng.integers(0, 2, size=(N, n_v)).astype(np.float64)
        m.partial_fit(X)
        u_v, u_h = rs.uniform(size=(N, n_v)), rs.uniform(size=(N, n_h))
        params, grads, ch = rbm.pcd(X, chain, W, a, b, 1, lr, {"u_h": u_h[None], "u_v": u_v[None]},
                                    chain_layer="hidden", sample_visible=True)
        W, a, b, chain = params["W"], params["a"], params["b"], ch["state"]
        np.testing.assert_allclose(W, m.components_.T, **TOL)
        np.testing.assert_allclose(a, m.intercept_visible_, **TOL)
        np.testing.assert_allclose(b, m.intercept_hidden_, **TOL)
        np.testing.assert_array_equal(chain, m.h_samples_)


@pytest.mark.oracle
@given(sizes, sizes, st.integers(1, 6), seeds)
@settings(max_examples=25, deadline=None)
def test_cd1_with_sampled_visibles_matches_sklearn_fit_step(sklearn_rbm, n_v, n_h, N, seed):
    """sklearn's _fit started from h_samples_ = h_0 ~ p(h|v_0) is exactly CD-1 with a sampled
    reconstruction and probability statistics."""
    rng = np.random.default_rng(seed)
    W, a, b = random_rbm(rng, n_v, n_h)
    lr = float(rng.uniform(0.01, 1.0))
    X = rng.integers(0, 2, size=(N, n_v)).astype(np.float64)
    m = sk_model(sklearn_rbm, W, a, b)
    m.learning_rate = lr
    rs = np.random.RandomState(seed)
    h0_sk = m._sample_hiddens(X, rs).astype(np.float64)
    m.h_samples_ = h0_sk.copy()
    m._fit(X, rs)
    rs = np.random.RandomState(seed)
    u_h, u_v = rs.uniform(size=(N, n_h)), rs.uniform(size=(N, n_v))
    params, grads, chain = rbm.cd_k(X, W, a, b, 1, lr, {"u_h": u_h[None], "u_v": u_v[None]},
                                    sample_visible=True)
    np.testing.assert_allclose(params["W"], m.components_.T, **TOL)
    np.testing.assert_allclose(params["a"], m.intercept_visible_, **TOL)
    np.testing.assert_allclose(params["b"], m.intercept_hidden_, **TOL)
    np.testing.assert_array_equal(chain["h"][0], h0_sk)


# ----------------------------------------------------------------------------- torch


def torch_cd_k(torch, v0, W, a, b, k, lr, u_h, u_v, sample_visible, stats, v_chain=None):
    """Hinton's (2010) recipe written directly in torch, as an independent implementation.
    With v_chain (persistent fantasy particles) the negative chain starts there instead."""
    v0, W, a, b = (to_torch(torch, x) for x in (v0, W, a, b))
    u_h = to_torch(torch, u_h)
    v = v0 if v_chain is None else to_torch(torch, v_chain)
    N, M = v0.shape[0], v.shape[0]
    ph0 = torch.sigmoid(v0 @ W + b)
    ph = torch.sigmoid(v @ W + b)
    h0 = None
    for t in range(k):
        h = (ph > u_h[t]).double()
        h0 = h if t == 0 else h0
        pv = torch.sigmoid(h @ W.T + a)
        v = (pv > to_torch(torch, u_v[t])).double() if sample_visible else pv
        ph = torch.sigmoid(v @ W + b)
    if stats == "samples":
        hp, hn = h0, (ph > u_h[k]).double()
    else:
        hp, hn = ph0, ph
    dW = v0.T @ hp / N - v.T @ hn / M
    da = v0.sum(0) / N - v.sum(0) / M
    db = hp.sum(0) / N - hn.sum(0) / M
    return {"W": (W + lr * dW).numpy(), "a": (a + lr * da).numpy(), "b": (b + lr * db).numpy(),
            "v_k": v.numpy()}


@pytest.mark.oracle
@given(sizes, sizes, st.integers(1, 5), st.integers(1, 3), st.booleans(),
       st.sampled_from(["probabilities", "samples"]), seeds)
@settings(max_examples=30, deadline=None)
def test_cd_k_matches_independent_torch_recipe(torch, n_v, n_h, N, k, sample_visible, stats, seed):
    rng = np.random.default_rng(seed)
    W, a, b = random_rbm(rng, n_v, n_h)
    v0 = rng.integers(0, 2, size=(N, n_v)).astype(np.float64)
    u_h = rng.uniform(size=(k + (stats == "samples"), N, n_h))
    u_v = rng.uniform(size=(k, N, n_v))
    uni = {"u_h": u_h, "u_v": u_v if sample_visible else None}
    params, grads, chain = rbm.cd_k(v0, W, a, b, k, 0.3, uni, sample_visible=sample_visible, stats=stats)
    expected = torch_cd_k(torch, v0, W, a, b, k, 0.3, u_h, u_v, sample_visible, stats)
    for name in ("W", "a", "b"):
        np.testing.assert_allclose(params[name], expected[name], **TOL)
    assert chain["v"].shape == (k + 1, N, n_v) and chain["p_v"].shape == (k, N, n_v)
    assert chain["p_h"].shape == (k + 1, N, n_h)
    # A single vector behaves as a batch of one with the N axis dropped.
    p1, _, c1 = rbm.cd_k(v0[0], W, a, b, k, 0.3,
                         {"u_h": u_h[:, 0], "u_v": u_v[:, 0] if sample_visible else None},
                         sample_visible=sample_visible, stats=stats)
    e1 = torch_cd_k(torch, v0[:1], W, a, b, k, 0.3, u_h[:, :1], u_v[:, :1], sample_visible, stats)
    np.testing.assert_allclose(p1["W"], e1["W"], **TOL)
    assert c1["v"].shape == (k + 1, n_v)


@pytest.mark.oracle
@given(sizes, sizes, st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.booleans(), seeds)
@settings(max_examples=25, deadline=None)
def test_pcd_visible_chain_matches_independent_torch_recipe(torch, n_v, n_h, N, M, k,
                                                            sample_visible, seed):
    rng = np.random.default_rng(seed)
    W, a, b = random_rbm(rng, n_v, n_h)
    v_data = rng.integers(0, 2, size=(N, n_v)).astype(np.float64)
    particles = rng.integers(0, 2, size=(M, n_v)).astype(np.float64)
    u_h, u_v = rng.uniform(size=(k, M, n_h)), rng.uniform(size=(k, M, n_v))
    params, grads, chain = rbm.pcd(v_data, particles, W, a, b, k, 0.2,
                                   {"u_h": u_h, "u_v": u_v if sample_visible else None},
                                   chain_layer="visible", sample_visible=sample_visible)
    expected = torch_cd_k(torch, v_data, W, a, b, k, 0.2, u_h, u_v, sample_visible,
                          "probabilities", v_chain=particles)
    for name in ("W", "a", "b"):
        np.testing.assert_allclose(params[name], expected[name], **TOL)
    np.testing.assert_allclose(chain["state"], expected["v_k"], **TOL)
    np.testing.assert_allclose(grads["pos_W"], v_data.T @ expit(v_data @ W + b) / N, **TOL)


def torch_log_likelihood(torch, V, W, a, b):
    """Mean log p(v) with log Z by torch.logsumexp over all joint states."""
    n_v, n_h = W.shape
    Sv, Sh = to_torch(torch, bits(n_v)), to_torch(torch, bits(n_h))
    negE = (Sv @ a)[:, None] + (Sh @ b)[None, :] + Sv @ W @ Sh.T
    log_Z = torch.logsumexp(negE.reshape(-1), 0)
    Vt = to_torch(torch, V)
    neg_ev = (Vt @ a)[:, None] + (Sh @ b)[None, :] + Vt @ W @ Sh.T
    return (torch.logsumexp(neg_ev, dim=1) - log_Z).mean()


@pytest.mark.oracle
@given(sizes, sizes, st.integers(1, 5), seeds)
@settings(max_examples=30, deadline=None)
def test_exact_gradient_matches_torch_autograd(torch, n_v, n_h, N, seed):
    rng = np.random.default_rng(seed)
    W, a, b = random_rbm(rng, n_v, n_h, scale=1.5)
    V = rng.integers(0, 2, size=(N, n_v)).astype(np.float64)
    Wt, at, bt = (to_torch(torch, x, requires_grad=True) for x in (W, a, b))
    L = torch_log_likelihood(torch, V, Wt, at, bt)
    L.backward()
    grads, cache = rbm.exact_log_likelihood_gradient(V, W, a, b)
    np.testing.assert_allclose(grads["W"], grad_of(Wt), **TOL)
    np.testing.assert_allclose(grads["a"], grad_of(at), **TOL)
    np.testing.assert_allclose(grads["b"], grad_of(bt), **TOL)
    assert np.mean(rbm.log_prob(V, W, a, b)) == pytest.approx(L.item(), rel=1e-10, abs=1e-10)


def test_exact_gradient_matches_finite_differences(rng):
    for n_v, n_h in ((3, 2), (2, 4)):  # both enumeration branches
        W, a, b = random_rbm(rng, n_v, n_h)
        V = rng.integers(0, 2, size=(4, n_v)).astype(np.float64)
        grads, _ = rbm.exact_log_likelihood_gradient(V, W, a, b)
        check_gradients(lambda: np.mean(rbm.log_prob(V, W, a, b)), {"W": W, "a": a, "b": b}, grads)


@pytest.mark.oracle
@given(sizes, sizes, st.integers(1, 5), seeds)
@settings(max_examples=20, deadline=None)
def test_reconstruction_error_matches_torch(torch, n_v, n_h, N, seed):
    rng = np.random.default_rng(seed)
    W, a, b = random_rbm(rng, n_v, n_h)
    V = rng.integers(0, 2, size=(N, n_v)).astype(np.float64)
    Vt, Wt, at, bt = (to_torch(torch, x) for x in (V, W, a, b))
    rec = torch.sigmoid(torch.sigmoid(Vt @ Wt + bt) @ Wt.T + at)
    per = ((Vt - rec) ** 2).sum(1).numpy()
    err, cache = rbm.reconstruction_error(V, W, a, b, reduction="none")
    np.testing.assert_allclose(err, per, **TOL)
    np.testing.assert_allclose(cache["v_rec"], rec.numpy(), **TOL)
    assert rbm.reconstruction_error(V, W, a, b)[0] == pytest.approx(per.mean(), rel=1e-10)
    assert rbm.reconstruction_error(V, W, a, b, reduction="sum")[0] == pytest.approx(per.sum(), rel=1e-10)
    u = rng.uniform(size=(N, n_h))
    rec_s = torch.sigmoid((torch.sigmoid(Vt @ Wt + bt) > to_torch(torch, u)).double() @ Wt.T + at)
    err_s, _ = rbm.reconstruction_error(V, W, a, b, u_h=u, reduction="none")
    np.testing.assert_allclose(err_s, ((Vt - rec_s) ** 2).sum(1).numpy(), **TOL)


# ----------------------------------------------------------------------------- statistics


def test_long_cd_chains_estimate_the_exact_gradient():
    """CD-k's negative statistics come from a Gibbs chain whose stationary distribution is the
    model: with k = 30 steps from the data (weights small enough that the chain mixes in a few
    steps) and M = 20000 independent chains, <v p(h|v)^T> over the chains estimates the exact
    model expectation (by enumeration here). Each entry is a mean of M terms in [0, 1]: standard
    error <= 0.5/sqrt(M) = 0.0035, so 0.02 is ~6 standard errors (the seed is fixed)."""
    rng = np.random.default_rng(7)
    n_v, n_h, M, k = 4, 3, 20000, 30
    W, a, b = random_rbm(rng, n_v, n_h, scale=0.5)
    v0 = np.tile(np.array([1.0, 0.0, 1.0, 1.0]), (M, 1))
    uni = {"u_h": rng.uniform(size=(k, M, n_h)), "u_v": rng.uniform(size=(k, M, n_v))}
    _, grads, _ = rbm.cd_k(v0, W, a, b, k, 0.1, uni, sample_visible=True)
    negE, V, H = joint_neg_energy(W, a, b)
    P = np.exp(negE - sp_logsumexp(negE))
    np.testing.assert_allclose(grads["neg_W"], V.T @ P @ H, atol=0.02)
    np.testing.assert_allclose(grads["neg_a"], P.sum(1) @ V, atol=0.02)
    np.testing.assert_allclose(grads["neg_b"], P.sum(0) @ H, atol=0.02)
    # ... and the positive statistics are the data term <v0 p(h|v0)^T> exactly.
    np.testing.assert_allclose(grads["pos_W"], np.outer(v0[0], expit(b + v0[0] @ W)), **TOL)


def test_cd_update_sign_raises_the_data_probability(rng):
    """W += lr (<vh>_data - <vh>_recon): a small CD step from a model that reconstructs
    badly moves probability toward the training vector (exact log p by enumeration)."""
    W, a, b = random_rbm(rng, 4, 3, scale=0.1)
    v0 = np.array([[1.0, 1.0, 0.0, 1.0]])
    ll = [rbm.log_prob(v0, W, a, b)[0]]
    for _ in range(20):
        uni = {"u_h": rng.uniform(size=(1, 1, 3))}
        params, grads, _ = rbm.cd_k(v0, W, a, b, 1, 0.1, uni)
        W, a, b = params["W"], params["a"], params["b"]
    ll.append(rbm.log_prob(v0, W, a, b)[0])
    assert ll[1] > ll[0] + 0.1


# ----------------------------------------------------------------------------- shapes


def test_wrong_shapes_name_the_argument():
    W, a, b = np.zeros((3, 2)), np.zeros(3), np.zeros(2)
    with pytest.raises(ValueError, match=r"a must have shape \(n_visible,\)"):
        rbm.free_energy(np.zeros(3), W, np.zeros(2), b)
    with pytest.raises(ValueError, match=r"b must have shape \(n_hidden,\)"):
        rbm.p_h_given_v(np.zeros(3), W, np.zeros(3))
    with pytest.raises(ValueError, match=r"v must have shape \(N, n_visible\)"):
        rbm.p_h_given_v(np.zeros((4, 2)), W, b)
    with pytest.raises(ValueError, match=r"h must have shape \(n_hidden,\)"):
        rbm.p_v_given_h(np.zeros(3), W, a)
    with pytest.raises(ValueError, match="W must be 2-dimensional"):
        rbm.log_partition(np.zeros(3), a, b)
    with pytest.raises(ValueError, match=r"u must have shape \(N, n_hidden\)"):
        rbm.sample_h_given_v(np.zeros((4, 3)), W, b, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"uniforms\['u_h'\] must have shape \(k, N, n_hidden\) = \(2, 4, 2\)"):
        rbm.cd_k(np.zeros((4, 3)), W, a, b, 2, 0.1, {"u_h": np.zeros((1, 4, 2))})
    with pytest.raises(ValueError, match=r"uniforms\['u_v'\] is required"):
        rbm.cd_k(np.zeros((4, 3)), W, a, b, 1, 0.1, {"u_h": np.zeros((1, 4, 2))}, sample_visible=True)
    with pytest.raises(ValueError, match=r"chain_state must have shape \(M, n_hidden\)"):
        rbm.pcd(np.zeros((4, 3)), np.zeros((4, 3)), W, a, b, 1, 0.1,
                {"u_h": np.zeros((1, 4, 2)), "u_v": np.zeros((1, 4, 3))}, chain_layer="hidden")
    with pytest.raises(ValueError, match="uniforms in"):
        rbm.sample_v_given_h(np.zeros(2), W, a, np.full(3, 1.5))
