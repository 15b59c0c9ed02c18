"""dbm: against enumeration of every (v, h1, h2) written here, and torch autograd of the
variational free energy at the mean-field fixed point."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp as sp_logsumexp

from reference_impl import dbm
from tests.numerics import to_torch

TOL = dict(rtol=1e-10, atol=1e-10)
sizes = st.integers(1, 4)
seeds = st.integers(0, 2 ** 32 - 1)


def bits(n):
    return ((np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1).astype(np.float64)


def random_params(rng, n_v, n_h1, n_h2, scale=1.0):
    return {"W1": rng.normal(scale=scale, size=(n_v, n_h1)), "W2": rng.normal(scale=scale, size=(n_h1, n_h2)),
            "a": rng.normal(scale=scale, size=n_v), "b1": rng.normal(scale=scale, size=n_h1),
            "b2": rng.normal(scale=scale, size=n_h2)}


def joint(p):
    """-E for every (v, h1, h2), as an array indexed [v, h1, h2], from the definition."""
    V, H1, H2 = bits(p["W1"].shape[0]), bits(p["W1"].shape[1]), bits(p["W2"].shape[1])
    negE = (np.einsum("vi,ij,hj->vh", V, p["W1"], H1)[:, :, None]
            + np.einsum("hj,jk,gk->hg", H1, p["W2"], H2)[None, :, :]
            + (V @ p["a"])[:, None, None] + (H1 @ p["b1"])[None, :, None] + (H2 @ p["b2"])[None, None, :])
    return negE, V, H1, H2


# Sizes that exercise both enumeration branches of exact_log_partition and exact_marginals.
branch_sizes = [(1, 4, 1), (2, 1, 3), (3, 3, 2), (2, 2, 4)]


@given(sizes, sizes, sizes, seeds)
@settings(max_examples=30, deadline=None)
def test_log_partition_energy_and_log_prob_match_enumeration(n_v, n_h1, n_h2, seed):
    rng = np.random.default_rng(seed)
    p = random_params(rng, n_v, n_h1, n_h2, scale=1.5)
    negE, V, H1, H2 = joint(p)
    log_Z = sp_logsumexp(negE)
    assert dbm.exact_log_partition(p) == pytest.approx(log_Z, rel=1e-12, abs=1e-12)
    # energy of every joint configuration, flattened in [v, h1, h2] order
    iv, i1, i2 = np.meshgrid(np.arange(len(V)), np.arange(len(H1)), np.arange(len(H2)), indexing="ij")
    E = dbm.dbm_energy(V[iv.ravel()], H1[i1.ravel()], H2[i2.ravel()], p)
    np.testing.assert_allclose(E, -negE.ravel(), **TOL)
    np.testing.assert_allclose(dbm.exact_log_prob(V, p), sp_logsumexp(negE, axis=(1, 2)) - log_Z, **TOL)


@pytest.mark.parametrize("n_v,n_h1,n_h2", branch_sizes)
def test_both_enumeration_branches(n_v, n_h1, n_h2, rng):
    p = random_params(rng, n_v, n_h1, n_h2, scale=1.5)
    negE, V, H1, H2 = joint(p)
    assert dbm.exact_log_partition(p) == pytest.approx(sp_logsumexp(negE), rel=1e-12)
    post = np.exp(negE - sp_logsumexp(negE, axis=(1, 2), keepdims=True))
    (m1, m2), cache = dbm.exact_marginals(V, p)
    np.testing.assert_allclose(m1, np.einsum("vhg,hj->vj", post, H1), **TOL)
    np.testing.assert_allclose(m2, np.einsum("vhg,gk->vk", post, H2), **TOL)
    np.testing.assert_allclose(cache["free_energy"], -sp_logsumexp(negE, axis=(1, 2)), **TOL)


@given(sizes, sizes, sizes, seeds)
@settings(max_examples=30, deadline=None)
def test_exact_marginals_match_enumeration(n_v, n_h1, n_h2, seed):
    rng = np.random.default_rng(seed)
    p = random_params(rng, n_v, n_h1, n_h2, scale=1.5)
    negE, V, H1, H2 = joint(p)
    post = np.exp(negE - sp_logsumexp(negE, axis=(1, 2), keepdims=True))  # p(h1, h2 | v)
    i = int(rng.integers(len(V)))
    (m1, m2), _ = dbm.exact_marginals(V[i], p)
    np.testing.assert_allclose(m1, post[i].sum(axis=1) @ H1, **TOL)
    np.testing.assert_allclose(m2, post[i].sum(axis=0) @ H2, **TOL)


def torch_variational_F(torch, v, mu1, mu2, p):
    W1, W2, a, b1, b2 = (to_torch(torch, p[k]) for k in ("W1", "W2", "a", "b1", "b2"))
    v = to_torch(torch, v)
    ent = sum((m * torch.log(m) + (1 - m) * torch.log(1 - m)).sum() for m in (mu1, mu2))
    return -(v @ W1 @ mu1) - (mu1 @ W2 @ mu2) - v @ a - b1 @ mu1 - b2 @ mu2 + ent


@pytest.mark.oracle
@given(sizes, sizes, sizes, seeds)
@settings(max_examples=30, deadline=None)
def test_mean_field_fixed_point_is_stationary_for_the_torch_free_energy(torch, n_v, n_h1, n_h2, seed):
    rng = np.random.default_rng(seed)
    p = random_params(rng, n_v, n_h1, n_h2)
    v = rng.integers(0, 2, size=n_v).astype(np.float64)
    (mu1, mu2), cache = dbm.mean_field(v, p, tol=1e-13)
    # gradient of F with respect to the logits of mu, at the converged point
    z1 = to_torch(torch, np.log(mu1) - np.log1p(-mu1), requires_grad=True)
    z2 = to_torch(torch, np.log(mu2) - np.log1p(-mu2), requires_grad=True)
    F = torch_variational_F(torch, v, torch.sigmoid(z1), torch.sigmoid(z2), p)
    F.backward()
    assert np.max(np.abs(z1.grad.numpy())) < 1e-10 and np.max(np.abs(z2.grad.numpy())) < 1e-10
    assert dbm.mean_field_free_energy(v, mu1, mu2, p) == pytest.approx(F.item(), rel=1e-10, abs=1e-10)
    # The variational F bounds the exact free energy -log sum_h exp(-E(v, h)) from above.
    negE, V, _, _ = joint(p)
    idx = int(v @ (2 ** np.arange(n_v)))
    assert F.item() >= -sp_logsumexp(negE[idx]) - 1e-12
    # ... and coordinate updates never raise F along the iterates.
    Fs = [dbm.mean_field_free_energy(v, m1, m2, p) for m1, m2 in zip(cache["mu1"], cache["mu2"])]
    assert np.all(np.diff(Fs) <= 1e-12)


@pytest.mark.oracle
@given(sizes, sizes, sizes, st.integers(1, 4), st.integers(1, 4), seeds)
@settings(max_examples=25, deadline=None)
def test_mean_field_iterates_follow_the_documented_order(torch, n_v, n_h1, n_h2, N, T, seed):
    rng = np.random.default_rng(seed)
    p = random_params(rng, n_v, n_h1, n_h2)
    V = rng.integers(0, 2, size=(N, n_v)).astype(np.float64)
    mu2_0 = rng.uniform(size=n_h2)
    (mu1, mu2), cache = dbm.mean_field(V, p, n_iter=T, mu2_init=mu2_0)
    W1, W2, b1, b2 = (to_torch(torch, p[k]) for k in ("W1", "W2", "b1", "b2"))
    Vt, m2 = to_torch(torch, V), to_torch(torch, np.tile(mu2_0, (N, 1)))
    assert cache["mu1"].shape == (T, N, n_h1) and cache["n_iter"] == T
    for t in range(T):
        m1 = torch.sigmoid(b1 + Vt @ W1 + m2 @ W2.T)  # mu1 = sigma(b1 + W1^T v + W2 mu2)
        m2 = torch.sigmoid(b2 + m1 @ W2)  # mu2 = sigma(b2 + W2^T mu1), the new mu1
        np.testing.assert_allclose(cache["mu1"][t], m1.numpy(), **TOL)
        np.testing.assert_allclose(cache["mu2"][t], m2.numpy(), **TOL)
    np.testing.assert_allclose(mu2, m2.numpy(), **TOL)
    # default start: mu2 = 0.5
    (_, _), c0 = dbm.mean_field(V[0], p, n_iter=1)
    np.testing.assert_allclose(c0["mu1"][0], torch.sigmoid(b1 + Vt[0] @ W1 + 0.5 * W2.sum(1)).numpy(), **TOL)


def test_mean_field_is_exact_to_first_order_for_weak_couplings(rng):
    """With couplings of size 1e-3 the posterior nearly factorises: mean field agrees with
    the enumerated marginals up to O(w^2) ~ 1e-6."""
    p = random_params(rng, 3, 4, 3)
    p["W1"] *= 1e-3
    p["W2"] *= 1e-3
    v = np.array([1.0, 0.0, 1.0])
    (mf1, mf2), _ = dbm.mean_field(v, p)
    (ex1, ex2), _ = dbm.exact_marginals(v, p)
    np.testing.assert_allclose(mf1, ex1, atol=1e-5)
    np.testing.assert_allclose(mf2, ex2, atol=1e-5)
    # whereas the zero-coupling answer sigma(b) is off by O(w)
    assert np.max(np.abs(ex1 - 1 / (1 + np.exp(-p["b1"])))) > 1e-5


def test_param_count():
    # Salakhutdinov & Hinton (2009), MNIST DBM 784-500-1000: 784*500 + 500*1000 weights.
    assert dbm.dbm_param_count(784, 500, 1000, biases=False) == 892_000
    assert dbm.dbm_param_count(784, 500, 1000) == 892_000 + 784 + 500 + 1000
    assert dbm.dbm_param_count(2, 3, 4) == 6 + 12 + 9
    with pytest.raises(ValueError, match="n_h2"):
        dbm.dbm_param_count(2, 3, 0)


def test_wrong_shapes_and_limits_raise():
    p = random_params(np.random.default_rng(0), 3, 2, 2)
    bad = dict(p, W2=np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"W2 must have shape \(n_h1, n_h2\)"):
        dbm.dbm_energy(np.zeros(3), np.zeros(2), np.zeros(2), bad)
    with pytest.raises(ValueError, match=r"b2 must have shape \(n_h2,\)"):
        dbm.mean_field(np.zeros(3), dict(p, b2=np.zeros(3)))
    with pytest.raises(ValueError, match=r"v must have shape \(n_v,\)"):
        dbm.exact_marginals(np.zeros(2), p)
    with pytest.raises(ValueError, match="missing"):
        dbm.exact_log_partition({"W1": p["W1"]})
    big = random_params(np.random.default_rng(0), 30, 21, 25)
    with pytest.raises(ValueError, match="refusing above 20"):
        dbm.exact_log_partition(big)
    with pytest.raises(ValueError, match="refusing above 20"):
        dbm.exact_marginals(np.zeros(30), big)
    with pytest.raises(RuntimeError, match="did not converge"):
        dbm.mean_field(np.ones(3), p, tol=0.0, max_iter=3)
