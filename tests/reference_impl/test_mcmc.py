"""mcmc: against eigenvectors, matrix powers, Schur complements, scipy.stats, enumerated kernels."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sp_stats

from reference_impl import mcmc

TOL = dict(rtol=1e-10, atol=1e-10)
seeds = st.integers(0, 2 ** 32 - 1)


def random_stochastic(rng, S, zeros=False):
    P = rng.uniform(0.05, 1.0, size=(S, S))
    if zeros:  # sparse but still irreducible and aperiodic: keep the diagonal and a cycle
        mask = rng.uniform(size=(S, S)) < 0.5
        mask[np.arange(S), np.arange(S)] = True
        mask[np.arange(S), (np.arange(S) + 1) % S] = True
        P = P * mask
    return P / P.sum(axis=1, keepdims=True)


# ----------------------------------------------------------------------------- Markov chains


@given(st.integers(1, 8), st.booleans(), seeds)
@settings(max_examples=40, deadline=None)
def test_stationary_matches_left_eigenvector_and_power_iteration(S, zeros, seed):
    rng = np.random.default_rng(seed)
    P = random_stochastic(rng, S, zeros)
    pi = mcmc.stationary_distribution(P)
    vals, vecs = np.linalg.eig(P.T)
    e = vecs[:, np.argmin(np.abs(vals - 1.0))].real
    np.testing.assert_allclose(pi, e / e.sum(), **TOL)
    # Power iteration: every row of P^n tends to pi (P is irreducible and aperiodic).
    Pn = np.linalg.matrix_power(P, 4096)
    np.testing.assert_allclose(np.broadcast_to(pi, (S, S)), Pn, **TOL)
    assert pi.sum() == pytest.approx(1.0, rel=1e-14)


def test_stationary_rejects_bad_matrices():
    with pytest.raises(ValueError, match="row-stochastic"):
        mcmc.stationary_distribution([[0.5, 0.6], [0.5, 0.5]])
    with pytest.raises(ValueError, match="row-stochastic"):
        mcmc.stationary_distribution([[1.5, -0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="more than one stationary"):
        mcmc.stationary_distribution(np.eye(3))
    with pytest.raises(ValueError, match=r"P must have shape \(S, S\)"):
        mcmc.stationary_distribution(np.full((2, 3), 1 / 3))
    # A periodic chain still has one stationary distribution: (1/2, 1/2).
    np.testing.assert_allclose(mcmc.stationary_distribution([[0, 1], [1, 0]]), [0.5, 0.5], **TOL)


@given(st.integers(1, 7), st.integers(0, 12), seeds)
@settings(max_examples=40, deadline=None)
def test_n_step_distribution_matches_matrix_powers(S, n, seed):
    rng = np.random.default_rng(seed)
    P = random_stochastic(rng, S)
    pi0 = rng.dirichlet(np.ones(S))
    pi_n, cache = mcmc.n_step_distribution(pi0, P, n)
    assert cache["pi"].shape == (n + 1, S)
    for t in range(n + 1):
        np.testing.assert_allclose(cache["pi"][t], pi0 @ np.linalg.matrix_power(P, t), **TOL)
    np.testing.assert_allclose(pi_n, pi0 @ np.linalg.matrix_power(P, n), **TOL)


# ----------------------------------------------------------------------------- Metropolis-Hastings


def test_acceptance_closed_forms():
    # alpha = min(1, p(x') q(x|x') / (p(x) q(x'|x)))
    assert mcmc.metropolis_hastings_acceptance(0.2, 0.1, 0.5, 0.5) == pytest.approx(0.5)
    assert mcmc.metropolis_hastings_acceptance(0.2, 0.4, 0.5, 0.25) == 1.0
    assert mcmc.metropolis_hastings_acceptance(0.3, 0.2, 0.25, 0.75) == 1.0
    assert mcmc.metropolis_hastings_acceptance(0.4, 0.2, 0.5, 0.2) == pytest.approx(0.2)
    assert mcmc.metropolis_hastings_acceptance(3.0, 0.0, 1.0, 1.0) == 0.0
    with pytest.raises(ValueError, match="p_current"):
        mcmc.metropolis_hastings_acceptance(0.0, 0.5, 0.5, 0.5)
    with pytest.raises(ValueError, match="q_backward must be >= 0"):
        mcmc.metropolis_hastings_acceptance(0.1, 0.5, 0.5, -0.5)


def test_step_accepts_iff_u_below_alpha():
    # alpha = 0.25 here: u < 0.25 accepts; u = 0.25 exactly rejects.
    args = ("x", "y", 0.4, 0.1, 0.5, 0.5)
    assert mcmc.metropolis_hastings_step(*args, u=0.2499)[0] == "y"
    x, cache = mcmc.metropolis_hastings_step(*args, u=0.25)
    assert x == "x" and cache["alpha"] == pytest.approx(0.25) and not cache["accepted"]
    # alpha = 1 accepts every u in [0, 1)
    assert mcmc.metropolis_hastings_step("x", "y", 0.1, 0.4, 0.5, 0.5, np.nextafter(1.0, 0))[0] == "y"


def mh_kernel_by_enumeration(p, Q, u_grid):
    """K[i, j] = q(j|i) Pr(accept i->j) for j != i, the rest on the diagonal; the acceptance
    probability is the fraction of a fine uniform grid that mcmc.metropolis_hastings_step accepts."""
    S = len(p)
    K = np.zeros((S, S))
    for i in range(S):
        for j in range(S):
            if i != j and Q[i, j] > 0:
                acc = np.mean([mcmc.metropolis_hastings_step(i, j, p[i], p[j], Q[i, j], Q[j, i], u)[0] == j
                               for u in u_grid])
                K[i, j] = Q[i, j] * acc
        K[i, i] = 1.0 - K[i].sum()
    return K


def test_mh_kernel_satisfies_detailed_balance(rng):
    """An MH kernel built state by state from the step function (acceptance measured on a
    midpoint grid of 2000 uniforms, so alpha is resolved to 1/2000) is reversible with
    respect to the target; the exact kernel with alpha itself satisfies it to 1e-12."""
    S = 5
    p = rng.uniform(0.1, 1.0, size=S)  # unnormalised target
    # An asymmetric proposal on a symmetric support (q(j|i) > 0 iff q(i|j) > 0), a ring plus extras.
    support = rng.uniform(size=(S, S)) < 0.4
    support[np.arange(S), (np.arange(S) + 1) % S] = True
    support = support | support.T
    Q = rng.uniform(0.1, 1.0, size=(S, S)) * support
    Q = Q / Q.sum(axis=1, keepdims=True)
    target = p / p.sum()
    grid = (np.arange(2000) + 0.5) / 2000
    K_grid = mh_kernel_by_enumeration(p, Q, grid)
    ok, flows = mcmc.satisfies_detailed_balance(target, K_grid, tol=1e-3)
    assert ok
    # The exact kernel, with the acceptance probability itself.
    K = np.zeros((S, S))
    for i in range(S):
        for j in range(S):
            if i != j and Q[i, j] > 0:
                K[i, j] = Q[i, j] * mcmc.metropolis_hastings_acceptance(p[i], p[j], Q[i, j], Q[j, i])
        K[i, i] = 1 - K[i].sum()
    ok, flows = mcmc.satisfies_detailed_balance(target, K)
    assert ok
    np.testing.assert_allclose(flows, np.diag(target) @ K, **TOL)
    np.testing.assert_allclose(flows, flows.T, rtol=0, atol=1e-14)
    np.testing.assert_allclose(mcmc.stationary_distribution(K), target, **TOL)
    np.testing.assert_allclose(K_grid, K, atol=Q.max() / 2000)


def test_detailed_balance_fails_for_a_non_reversible_chain(rng):
    # A cyclic drift 0 -> 1 -> 2 -> 0 has uniform stationary pi but one-way flows.
    P = np.array([[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.8, 0.1, 0.1]])
    pi = mcmc.stationary_distribution(P)
    np.testing.assert_allclose(pi, np.full(3, 1 / 3), **TOL)
    ok, flows = mcmc.satisfies_detailed_balance(pi, P)
    assert not ok
    assert flows[0, 1] == pytest.approx(0.8 / 3) and flows[1, 0] == pytest.approx(0.1 / 3)
    # Any two-state chain is reversible with respect to its stationary distribution.
    P2 = random_stochastic(rng, 2)
    assert mcmc.satisfies_detailed_balance(mcmc.stationary_distribution(P2), P2)[0]


# ----------------------------------------------------------------------------- Gibbs, Gaussian


def schur_conditional(mu, cov, i, x_other):
    """Mean and variance of x_i | x_j from the joint covariance (Schur complement)."""
    j = 1 - i
    mean = mu[i] + cov[i, j] / cov[j, j] * (x_other - mu[j])
    var = cov[i, i] - cov[i, j] * cov[j, i] / cov[j, j]
    return mean, var


@given(seeds, st.integers(1, 8))
@settings(max_examples=40, deadline=None)
def test_gaussian_gibbs_conditionals_match_schur_complement(seed, n):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(2, 2))
    cov = A @ A.T + 0.1 * np.eye(2)
    mu, x0, z = rng.normal(size=2), rng.normal(size=2), rng.normal(size=(n, 2))
    states, cache = mcmc.gibbs_bivariate_gaussian(mu, None, None, x0, z, cov=cov)
    assert states.shape == (n + 1, 2)
    np.testing.assert_allclose(states[0], x0, **TOL)
    for t in range(n):
        m1, v1 = schur_conditional(mu, cov, 0, states[t, 1])  # x1 | x2 from the previous state
        m2, v2 = schur_conditional(mu, cov, 1, states[t + 1, 0])  # x2 | the NEW x1
        np.testing.assert_allclose(cache["cond_mean"][t], [m1, m2], **TOL)
        np.testing.assert_allclose(states[t + 1], [m1 + np.sqrt(v1) * z[t, 0], m2 + np.sqrt(v2) * z[t, 1]],
                                   **TOL)
    np.testing.assert_allclose(cache["cond_std"] ** 2, [schur_conditional(mu, cov, 0, 0.0)[1],
                                                        schur_conditional(mu, cov, 1, 0.0)[1]], **TOL)
    # The (sigma, rho) parameterisation gives the same chain.
    sigma = np.sqrt(np.diag(cov))
    rho = cov[0, 1] / (sigma[0] * sigma[1])
    states2, _ = mcmc.gibbs_bivariate_gaussian(mu, sigma, rho, x0, z, n_steps=n)
    np.testing.assert_allclose(states2, states, **TOL)


def test_gaussian_gibbs_long_chain_reaches_the_target():
    """Sweeps x1 then x2: each coordinate is an AR(1) with coefficient rho^2 = 0.36, so the
    integrated autocorrelation time is (1 + rho^2) / (1 - rho^2) ~ 2.1 for the mean, and
    ~ (1 + rho^4)/(1 - rho^4) ~ 1.3 for second moments. With n = 40000 sweeps the standard
    error of a mean is about sigma sqrt(2.1/40000) ~ 0.007 sigma and of a variance about
    sigma^2 sqrt(2 * 1.3 / 40000) ~ 0.008 sigma^2; the tolerances are ~6 standard errors.
    The seed is fixed, so the test is deterministic."""
    rng = np.random.default_rng(12345)
    mu, sigma, rho = np.array([1.0, -2.0]), np.array([2.0, 0.5]), 0.6
    cov = np.array([[4.0, 0.6], [0.6, 0.25]])
    states, _ = mcmc.gibbs_bivariate_gaussian(mu, sigma, rho, [10.0, 10.0], rng.normal(size=(40000, 2)))
    x = states[100:]  # drop a short burn-in from the far-away start
    np.testing.assert_allclose(x.mean(axis=0), mu, atol=0.05 * sigma.max())
    C = np.cov(x.T)
    np.testing.assert_allclose(np.diag(C), np.diag(cov), rtol=0.05)
    assert np.corrcoef(x.T)[0, 1] == pytest.approx(rho, abs=0.03)


def test_gaussian_gibbs_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"normals must have shape \(n_steps, 2\)"):
        mcmc.gibbs_bivariate_gaussian([0, 0], [1, 1], 0.5, [0, 0], np.zeros((3, 2)), n_steps=4)
    with pytest.raises(ValueError, match="rho"):
        mcmc.gibbs_bivariate_gaussian([0, 0], [1, 1], 1.0, [0, 0], np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"mu must have shape \(2,\)"):
        mcmc.gibbs_bivariate_gaussian([0, 0, 0], [1, 1], 0.5, [0, 0], np.zeros((3, 2)))


# ----------------------------------------------------------------------------- Gibbs, discrete


@given(st.integers(1, 8), seeds)
@settings(max_examples=40, deadline=None)
def test_inverse_cdf_matches_searchsorted_and_scipy(n, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=n) * (rng.uniform(size=n) < 0.7)
    p[rng.integers(n)] += 0.1
    p = p / p.sum()
    dist = sp_stats.rv_discrete(values=(np.arange(n), p))
    for u in rng.uniform(size=20):
        i = mcmc.inverse_cdf_index(p, u)
        assert i == int(dist.ppf(u))  # equal except on the probability-zero set u = CDF(i)
        assert i == int(np.searchsorted(np.cumsum(p), u, side="right"))
        assert p[i] > 0


def test_inverse_cdf_at_a_cumulative_value_takes_the_next_index():
    # "smallest index whose cumulative probability EXCEEDS u": at u = CDF(0) = 0.5 choose 1,
    # where scipy's ppf (CDF >= u) chooses 0; a zero-probability index is never chosen.
    assert mcmc.inverse_cdf_index([0.5, 0.5], 0.5) == 1
    assert int(sp_stats.rv_discrete(values=([0, 1], [0.5, 0.5])).ppf(0.5)) == 0
    assert mcmc.inverse_cdf_index([0.5, 0.0, 0.5], 0.5) == 2
    assert mcmc.inverse_cdf_index([0.0, 1.0], 0.0) == 1
    assert mcmc.inverse_cdf_index([1.0, 1.0, 1.0, 0.0], np.nextafter(1.0, 0)) == 2


def gibbs_kernel(T):
    """Transition kernel of one sweep over states s = x * n_y + y: K[(x,y),(x',y')] = p(x'|y) p(y'|x')."""
    n_x, n_y = T.shape
    K = np.zeros((n_x * n_y, n_x * n_y))
    for x in range(n_x):
        for y in range(n_y):
            for x2 in range(n_x):
                for y2 in range(n_y):
                    K[x * n_y + y, x2 * n_y + y2] = T[x2, y] / T[:, y].sum() * T[x2, y2] / T[x2, :].sum()
    return K


@given(st.integers(1, 4), st.integers(1, 4), seeds)
@settings(max_examples=30, deadline=None)
def test_discrete_gibbs_follows_the_conditionals_and_the_joint_is_stationary(n_x, n_y, seed):
    rng = np.random.default_rng(seed)
    T = rng.uniform(0.05, 1.0, size=(n_x, n_y))
    T = T / T.sum()
    K = gibbs_kernel(T)
    np.testing.assert_allclose(T.ravel() @ K, T.ravel(), **TOL)  # the joint is stationary
    np.testing.assert_allclose(mcmc.stationary_distribution(K), T.ravel(), **TOL)
    n = 15
    u = rng.uniform(size=(n, 2))
    x0 = (int(rng.integers(n_x)), int(rng.integers(n_y)))
    states, cache = mcmc.gibbs_discrete(T * 7.0, x0, u, n)  # an unnormalised table is fine
    assert tuple(states[0]) == x0
    for t in range(n):
        x, y = states[t]
        p_x = sp_stats.rv_discrete(values=(np.arange(n_x), T[:, y] / T[:, y].sum()))
        x_new = int(p_x.ppf(u[t, 0]))
        p_y = sp_stats.rv_discrete(values=(np.arange(n_y), T[x_new] / T[x_new].sum()))
        assert tuple(states[t + 1]) == (x_new, int(p_y.ppf(u[t, 1])))
        np.testing.assert_allclose(cache["p_x_given_y"][t], T[:, y] / T[:, y].sum(), **TOL)


def test_discrete_gibbs_long_chain_frequencies():
    """Empirical state frequencies of 20000 sweeps approach the 2x3 joint table. A frequency
    has standard error <= sqrt(p(1-p)/n_eff) <= 0.5/sqrt(n_eff); this table's chain mixes in
    a couple of sweeps (n_eff > 5000), so the error is < 0.007 and 0.03 is > 4 standard
    errors (fixed seed)."""
    T = np.array([[0.1, 0.25, 0.05], [0.2, 0.1, 0.3]])
    rng = np.random.default_rng(99)
    states, _ = mcmc.gibbs_discrete(T, (0, 0), rng.uniform(size=(20000, 2)))
    freq = np.zeros_like(T)
    np.add.at(freq, (states[1:, 0], states[1:, 1]), 1.0)
    np.testing.assert_allclose(freq / freq.sum(), T, atol=0.03)


def test_discrete_gibbs_rejects_bad_arguments():
    T = np.array([[0.5, 0.0], [0.5, 0.0]])
    with pytest.raises(ValueError, match="probability zero"):
        mcmc.gibbs_discrete(T, (0, 1), np.full((1, 2), 0.5))
    with pytest.raises(ValueError, match=r"uniforms must have shape \(n_steps, 2\)"):
        mcmc.gibbs_discrete(T, (0, 0), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="x0"):
        mcmc.gibbs_discrete(T, (2, 0), np.zeros((2, 2)))
