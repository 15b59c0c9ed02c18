"""Markov chains on a finite state space, Metropolis-Hastings and Gibbs sampling.

Conventions: a transition matrix ``P`` is row-stochastic, ``P[i, j] = p(x_{t+1} = j | x_t = i)``,
of shape (S, S); a distribution is a ROW vector ``pi`` of shape (S,), and one step maps
``pi -> pi P``. Random numbers are never drawn here: samplers take the uniforms or standard
normals as arguments, so that a printed chain can be reproduced by hand.
"""

from __future__ import annotations

import numpy as np

from reference_impl._checks import as_array, check_positive_int, check_shape

STOCHASTIC_TOL = 1e-10
"""Rows of a transition matrix must sum to 1 within this tolerance."""


def _transition_matrix(P, name="P"):
    P = as_array(P, name, ndim=2)
    S = P.shape[0]
    check_shape(P, name, (S, S), "(S, S)")
    # |row sum - 1| <= tol is np.allclose(..., rtol=0) without its overhead (NaN fails both)
    if np.any(P < 0) or not np.all(np.abs(P.sum(axis=1) - 1.0) <= STOCHASTIC_TOL):
        raise ValueError(
            f"{name} must be row-stochastic (entries >= 0, every row summing to 1), "
            f"got row sums {P.sum(axis=1)}"
        )
    return P


def _distribution(pi, name, S):
    pi = as_array(pi, name)
    check_shape(pi, name, (S,), "(S,)")
    if np.any(pi < 0) or not abs(float(pi.sum()) - 1.0) <= STOCHASTIC_TOL:
        raise ValueError(f"{name} must be a probability vector (>= 0, summing to 1)")
    return pi


def n_step_distribution(pi0, P, n):
    """pi_n = pi_0 P^n, computed one step at a time (pi_{t+1} = pi_t P).

    ``pi0``: (S,), ``P``: (S, S) row-stochastic, ``n`` >= 0.
    Returns ``(pi_n, cache)`` with cache["pi"] of shape (n+1, S): pi_0, pi_1, ..., pi_n.
    """
    P = _transition_matrix(P)
    pi = _distribution(pi0, "pi0", P.shape[0])
    n = check_positive_int(n, "n", minimum=0)
    pis = [pi]
    for _ in range(n):
        pis.append(pis[-1] @ P)
    return pis[-1], {"pi": np.stack(pis)}


def stationary_distribution(P):
    """The stationary distribution pi (pi P = pi, sum_i pi_i = 1) of a row-stochastic P.

    Solves the linear system [P^T - I; 1^T] pi = [0; 1] (S+1 equations, S unknowns) by least
    squares; the system has a unique solution iff the chain has a unique stationary
    distribution (one closed communicating class). Raises ValueError if P is not
    stochastic or the stationary distribution is not unique.
    """
    P = _transition_matrix(P)
    S = P.shape[0]
    A = np.vstack([P.T - np.eye(S), np.ones((1, S))])
    rhs = np.concatenate([np.zeros(S), [1.0]])
    # lstsq's rank counts the singular values above eps * max(S+1, S) times the largest, as
    # np.linalg.matrix_rank does: one SVD, not two
    pi, _, rank, _ = np.linalg.lstsq(A, rhs, rcond=None)
    if rank < S:
        raise ValueError("P has more than one stationary distribution (it is reducible)")
    # A tiny negative from rounding is not a probability: clip, then renormalise.
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def satisfies_detailed_balance(pi, P, tol=1e-12):
    """Whether pi_i P_ij = pi_j P_ji for all i, j (within ``tol``, absolute).

    Returns ``(ok, flows)`` with flows[i, j] = pi_i P_ij, the probability flow i -> j in
    stationarity; detailed balance says the flow matrix is symmetric.
    """
    P = _transition_matrix(P)
    pi = _distribution(pi, "pi", P.shape[0])
    flows = pi[:, None] * P
    return bool(np.max(np.abs(flows - flows.T)) <= tol), flows


def metropolis_hastings_acceptance(p_current, p_proposed, q_forward, q_backward):
    """alpha = min(1, p(x') q(x | x') / (p(x) q(x' | x))).

    ``p_current`` = p(x), ``p_proposed`` = p(x') (unnormalised target densities are fine, the
    constant cancels), ``q_forward`` = q(x' | x), ``q_backward`` = q(x | x').
    Scalars or arrays of one shape. p(x) q(x'|x) must be > 0: the chain sits at x and
    proposed x', so both are possible; ValueError otherwise or for negative values.
    """
    p_x = as_array(p_current, "p_current")
    p_y = as_array(p_proposed, "p_proposed")
    q_f = as_array(q_forward, "q_forward")
    q_b = as_array(q_backward, "q_backward")
    for name, val in (("p_current", p_x), ("p_proposed", p_y),
                      ("q_forward", q_f), ("q_backward", q_b)):
        if np.any(val < 0):
            raise ValueError(f"{name} must be >= 0")
    den = p_x * q_f
    if np.any(den <= 0):
        raise ValueError("p_current * q_forward must be > 0 (the current state and the proposal "
                         "must have positive probability)")
    alpha = np.minimum(1.0, p_y * q_b / den)
    return float(alpha) if alpha.ndim == 0 else alpha


def metropolis_hastings_step(x_current, x_proposed, p_current, p_proposed, q_forward,
                             q_backward, u):
    """One MH step given the proposal and a uniform u in [0, 1).

    Accept (x_next = x_proposed) when u < alpha, else stay (x_next = x_current); with
    alpha = 1 every u in [0, 1) accepts. Returns ``(x_next, cache)`` with cache keys
    alpha, u, accepted.
    """
    alpha = metropolis_hastings_acceptance(p_current, p_proposed, q_forward, q_backward)
    u = float(as_array(u, "u", ndim=0))
    if not 0.0 <= u <= 1.0:
        raise ValueError(f"u must be a uniform in [0, 1], got {u}")
    if np.ndim(alpha) != 0:
        raise ValueError("metropolis_hastings_step takes scalar densities (one proposal)")
    accepted = u < alpha
    return (x_proposed if accepted else x_current), {"alpha": alpha, "u": u, "accepted": accepted}


def gibbs_bivariate_gaussian(mu, sigma, rho, x0, normals, n_steps=None, cov=None):
    """Gibbs sampling of a bivariate Gaussian N(mu, Sigma), one sweep = x1 then x2.

    Sigma given by std devs ``sigma`` = (sigma1, sigma2) and correlation ``rho``, or by
    ``cov`` (2, 2) with sigma=None, rho=None. Sweep t (t = 0..n_steps-1), with z = normals[t]:
        x1 <- mu1 + rho sigma1/sigma2 (x2 - mu2) + sigma1 sqrt(1 - rho^2) z[0]
        x2 <- mu2 + rho sigma2/sigma1 (x1 - mu1) + sigma2 sqrt(1 - rho^2) z[1]   (the NEW x1)
    ``x0``: (2,), ``normals``: (n_steps, 2) standard normals (n_steps defaults to its length).
    Returns ``(states, cache)``: states (n_steps+1, 2) = x_0, x_1, ...; cache keys
    cond_mean (n_steps, 2) and cond_std (2,) (the conditional means used and the
    conditional standard deviations sigma_i sqrt(1 - rho^2)).
    """
    mu = as_array(mu, "mu")
    check_shape(mu, "mu", (2,), "(2,)")
    if cov is not None:
        if sigma is not None or rho is not None:
            raise ValueError("give either sigma and rho, or cov, not both")
        cov = as_array(cov, "cov")
        check_shape(cov, "cov", (2, 2), "(2, 2)")
        if not np.isclose(cov[0, 1], cov[1, 0], rtol=1e-12, atol=0):
            raise ValueError("cov must be symmetric")
        sigma = np.sqrt(np.diag(cov))
        rho = cov[0, 1] / (sigma[0] * sigma[1])
    sigma = as_array(sigma, "sigma")
    check_shape(sigma, "sigma", (2,), "(2,)")
    if np.any(sigma <= 0):
        raise ValueError("sigma must be positive")
    rho = float(as_array(rho, "rho", ndim=0))
    if not -1.0 < rho < 1.0:
        raise ValueError(f"rho must lie in (-1, 1), got {rho}")
    x = as_array(x0, "x0").copy()
    check_shape(x, "x0", (2,), "(2,)")
    z = as_array(normals, "normals", ndim=2)
    n = z.shape[0] if n_steps is None else check_positive_int(n_steps, "n_steps", minimum=0)
    check_shape(z, "normals", (n, 2), "(n_steps, 2)")

    cond_std = sigma * np.sqrt(1.0 - rho ** 2)
    states, means = [x.copy()], []
    for t in range(n):
        m1 = mu[0] + rho * sigma[0] / sigma[1] * (x[1] - mu[1])
        x[0] = m1 + cond_std[0] * z[t, 0]
        m2 = mu[1] + rho * sigma[1] / sigma[0] * (x[0] - mu[0])
        x[1] = m2 + cond_std[1] * z[t, 1]
        states.append(x.copy())
        means.append([m1, m2])
    return np.stack(states), {"cond_mean": np.array(means).reshape(n, 2), "cond_std": cond_std}


def inverse_cdf_index(p, u):
    """The smallest index i with cumsum(p)[i] > u (inverse-CDF sampling of a discrete p).

    ``p`` is normalised first (it may be an unnormalised row of a table); ``u`` in [0, 1).
    At u exactly equal to a cumulative value the NEXT index is chosen (strict '>'), unlike
    scipy's ppf (smallest i with CDF >= u); for continuous u the two agree with probability 1.
    Never returns an index of probability zero.
    """
    p = as_array(p, "p", ndim=1)
    if np.any(p < 0) or p.sum() <= 0:
        raise ValueError("p must be non-negative with a positive sum")
    cdf = np.cumsum(p / p.sum())
    i = int(np.searchsorted(cdf, u, side="right"))
    # Rounding can leave cdf[-1] a hair below 1: fall back to the last possible index.
    return min(i, int(np.flatnonzero(p > 0)[-1]))


def gibbs_discrete(joint_table, x0, uniforms, n_steps=None):
    """Gibbs sampling of a discrete joint p(x, y) given as a 2-D table (n_x, n_y).

    State (x, y) as indices; x0 = (x_0, y_0). Sweep t, with u = uniforms[t]:
        x <- inverse CDF of p(x | y) = table[:, y] / sum at u[0]
        y <- inverse CDF of p(y | x) = table[x, :] / sum at u[1]   (the NEW x)
    where the inverse CDF is the smallest index whose cumulative probability exceeds u
    (see :func:`inverse_cdf_index`). ``uniforms``: (n_steps, 2).
    Returns ``(states, cache)``: states (n_steps+1, 2) int, cache keys p_x_given_y
    (n_steps, n_x) and p_y_given_x (n_steps, n_y), the conditionals used at each sweep.
    """
    T = as_array(joint_table, "joint_table", ndim=2)
    if np.any(T < 0) or T.sum() <= 0:
        raise ValueError("joint_table must be non-negative with a positive sum")
    n_x, n_y = T.shape
    x0 = as_array(x0, "x0")
    check_shape(x0, "x0", (2,), "(2,)")
    x, y = int(x0[0]), int(x0[1])
    if not (0 <= x < n_x and 0 <= y < n_y) or x != x0[0] or y != x0[1]:
        raise ValueError(f"x0 must be a pair of indices into a {T.shape} table, got {x0}")
    u = as_array(uniforms, "uniforms", ndim=2)
    n = u.shape[0] if n_steps is None else check_positive_int(n_steps, "n_steps", minimum=0)
    check_shape(u, "uniforms", (n, 2), "(n_steps, 2)")
    if np.any(u < 0) or np.any(u > 1):
        raise ValueError("uniforms must lie in [0, 1]")

    states, pxs, pys = [(x, y)], [], []
    for t in range(n):
        col = T[:, y]
        if col.sum() <= 0:
            raise ValueError(f"p(y={y}) = 0: the chain is in a state of probability zero")
        pxs.append(col / col.sum())
        x = inverse_cdf_index(col, u[t, 0])
        row = T[x, :]
        pys.append(row / row.sum())
        y = inverse_cdf_index(row, u[t, 1])
        states.append((x, y))
    return (np.array(states, dtype=np.int64),
            {"p_x_given_y": np.array(pxs).reshape(n, n_x), "p_y_given_x": np.array(pys).reshape(n, n_y)})
