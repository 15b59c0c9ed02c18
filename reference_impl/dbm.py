"""Deep Boltzmann machine with two binary hidden layers, in the course's notation.

    E(v, h1, h2) = -v^T W1 h1 - h1^T W2 h2 - a.v - b1.h1 - b2.h2

``params`` is a dict with keys W1 (n_v, n_h1), W2 (n_h1, n_h2), a (n_v,), b1 (n_h1,),
b2 (n_h2,). Given h1, the layers v and h2 are conditionally independent (and given v and
h2, the units of h1 are), which the exact computations below exploit: they enumerate
the smaller set of layers and sum the rest out in closed form.
Vectors may be single, (n,), or batches, (N, n).
"""

from __future__ import annotations

import numpy as np

from reference_impl._checks import as_array, as_batch, check_positive_int, check_shape
from reference_impl.activations import logsumexp, sigmoid, softmax, softplus
from reference_impl.rbm import MAX_ENUMERATED_UNITS, binary_states


def _params(params):
    """Check the params dict and return (W1, W2, a, b1, b2) as float64 arrays."""
    if not isinstance(params, dict):
        raise ValueError("params must be a dict with keys W1, W2, a, b1, b2")
    missing = [k for k in ("W1", "W2", "a", "b1", "b2") if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}")
    W1 = as_array(params["W1"], "W1", ndim=2)
    n_v, n_h1 = W1.shape
    W2 = as_array(params["W2"], "W2", ndim=2)
    check_shape(W2, "W2", (n_h1, W2.shape[1]), "(n_h1, n_h2)")
    n_h2 = W2.shape[1]
    a = as_array(params["a"], "a")
    check_shape(a, "a", (n_v,), "(n_v,)")
    b1 = as_array(params["b1"], "b1")
    check_shape(b1, "b1", (n_h1,), "(n_h1,)")
    b2 = as_array(params["b2"], "b2")
    check_shape(b2, "b2", (n_h2,), "(n_h2,)")
    return W1, W2, a, b1, b2


def dbm_param_count(n_v, n_h1, n_h2, biases=True):
    """Number of parameters: n_v n_h1 + n_h1 n_h2 (weights) + n_v + n_h1 + n_h2 (biases)."""
    n_v, n_h1, n_h2 = (check_positive_int(n, name) for n, name in
                       ((n_v, "n_v"), (n_h1, "n_h1"), (n_h2, "n_h2")))
    return n_v * n_h1 + n_h1 * n_h2 + ((n_v + n_h1 + n_h2) if biases else 0)


def dbm_energy(v, h1, h2, params):
    """E(v, h1, h2) = -v^T W1 h1 - h1^T W2 h2 - a.v - b1.h1 - b2.h2; float or shape (N,)."""
    W1, W2, a, b1, b2 = _params(params)
    V, s0 = as_batch(v, "v", W1.shape[0], "n_v")
    H1, s1 = as_batch(h1, "h1", W1.shape[1], "n_h1")
    H2, s2 = as_batch(h2, "h2", W2.shape[1], "n_h2")
    if not V.shape[0] == H1.shape[0] == H2.shape[0]:
        raise ValueError("v, h1 and h2 must hold the same number of configurations")
    E = (-np.sum((V @ W1) * H1, axis=1) - np.sum((H1 @ W2) * H2, axis=1)
         - V @ a - H1 @ b1 - H2 @ b2)
    return float(E[0]) if (s0 and s1 and s2) else E


def mean_field_free_energy(v, mu1, mu2, params):
    """Variational free energy of q(h1, h2) = prod Bernoulli(mu1) Bernoulli(mu2) given v:

        F(mu1, mu2) = E_q[E(v, h1, h2)] - H(q)
                    = -v^T W1 mu1 - mu1^T W2 mu2 - a.v - b1.mu1 - b2.mu2
                      + sum [mu log mu + (1 - mu) log(1 - mu)]   (over the units of mu1, mu2)

    F >= -log sum_{h1,h2} exp(-E(v, h1, h2)), with equality iff q is the true posterior;
    -F - log Z is the lower bound on log p(v). Float or shape (N,).
    """
    W1, W2, a, b1, b2 = _params(params)
    V, s0 = as_batch(v, "v", W1.shape[0], "n_v")
    M1, _ = as_batch(mu1, "mu1", W1.shape[1], "n_h1")
    M2, _ = as_batch(mu2, "mu2", W2.shape[1], "n_h2")

    def neg_entropy(m):
        # x log x with 0 log 0 = 0, so that saturated units are allowed.
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(m > 0, m * np.log(m), 0.0) + np.where(m < 1, (1 - m) * np.log1p(-m), 0.0)
        return np.sum(t, axis=1)

    F = (-np.sum((V @ W1) * M1, axis=1) - np.sum((M1 @ W2) * M2, axis=1)
         - V @ a - M1 @ b1 - M2 @ b2 + neg_entropy(M1) + neg_entropy(M2))
    return float(F[0]) if s0 else F


def mean_field(v, params, n_iter=None, tol=1e-10, mu2_init=None, max_iter=10000):
    """Mean-field inference of q(h1, h2 | v) = prod Bernoulli(mu1_j) prod Bernoulli(mu2_k).

    Each iteration applies, in this order (mu1 first, then mu2 from the NEW mu1):
        mu1 <- sigma(b1 + W1^T v + W2 mu2)
        mu2 <- sigma(b2 + W2^T mu1)
    starting from ``mu2_init`` (default 0.5 for every unit, sigma(0)). Each update is an
    exact coordinate minimisation of :func:`mean_field_free_energy`, so F never increases.
    ``n_iter`` given: exactly that many iterations (for printed worked solutions).
    ``n_iter`` None: iterate until max |change| of mu1 and mu2 is <= ``tol``; RuntimeError
    if that takes more than ``max_iter`` iterations.
    Returns ``((mu1, mu2), cache)``: cache["mu1"], cache["mu2"] hold the iterates, shape
    (T, [N,] n): row t is the value after iteration t+1; also "mu2_init", "n_iter" (T) and
    "delta" (the max change in the last iteration).
    """
    W1, W2, a, b1, b2 = _params(params)
    V, single = as_batch(v, "v", W1.shape[0], "n_v")
    n_h2 = W2.shape[1]
    if mu2_init is None:
        mu2 = np.full((V.shape[0], n_h2), 0.5)
    else:
        mu2, s = as_batch(mu2_init, "mu2_init", n_h2, "n_h2")
        if s:
            mu2 = np.repeat(mu2, V.shape[0], axis=0)
        check_shape(mu2, "mu2_init", (V.shape[0], n_h2), "(N, n_h2)")
    mu2_init_arr = mu2.copy()
    limit = max_iter if n_iter is None else check_positive_int(n_iter, "n_iter")
    bottom_up = b1 + V @ W1  # b1 + W1^T v does not change across iterations
    mu1 = None
    it1, it2, delta = [], [], np.inf
    for _ in range(limit):
        new1 = sigmoid(bottom_up + mu2 @ W2.T)
        new2 = sigmoid(b2 + new1 @ W2)
        delta = float(np.max(np.abs(new2 - mu2)))
        if mu1 is not None:
            delta = max(delta, float(np.max(np.abs(new1 - mu1))))
        mu1, mu2 = new1, new2
        it1.append(mu1)
        it2.append(mu2)
        if n_iter is None and delta <= tol:
            break
    else:
        if n_iter is None:
            raise RuntimeError(f"mean field did not converge to tol={tol} in {max_iter} iterations")

    def out(x):
        return x[0] if single else x

    cache = {"mu1": np.stack([out(m) for m in it1]), "mu2": np.stack([out(m) for m in it2]),
             "mu2_init": out(mu2_init_arr), "n_iter": len(it1), "delta": delta}
    return (out(mu1), out(mu2)), cache


def _check_enumerable(n, max_units, what):
    if n > max_units:
        raise ValueError(f"exact enumeration of {what} needs 2^{n} states; refusing above "
                         f"{max_units} units")


def exact_marginals(v, params, max_units=MAX_ENUMERATED_UNITS):
    """Exact posterior marginals p(h1_j = 1 | v) and p(h2_k = 1 | v) by enumeration.

    Enumerates the smaller hidden layer; the other is conditionally independent given it:
    over h1: log p(h1|v) = h1.(b1 + W1^T v) + sum_k softplus(b2_k + (W2^T h1)_k) + const,
             p(h2_k=1|v) = sum_h1 p(h1|v) sigma(b2 + W2^T h1)_k;
    over h2: log p(h2|v) = b2.h2 + sum_j softplus(b1_j + (W1^T v)_j + (W2 h2)_j) + const,
             p(h1_j=1|v) = sum_h2 p(h2|v) sigma(b1 + W1^T v + W2 h2)_j.
    Returns ``((m1, m2), cache)``; cache["free_energy"] is F(v) = -log sum_{h1,h2} exp(-E).
    """
    W1, W2, a, b1, b2 = _params(params)
    V, single = as_batch(v, "v", W1.shape[0], "n_v")
    n_h1, n_h2 = W2.shape
    _check_enumerable(min(n_h1, n_h2), max_units, "the smaller hidden layer")
    bottom_up = b1 + V @ W1  # (N, n_h1)
    if n_h1 <= n_h2:
        S = binary_states(n_h1)  # (2^n_h1, n_h1)
        logw = bottom_up @ S.T + np.sum(softplus(b2 + S @ W2), axis=1)  # (N, 2^n_h1)
        post = softmax(logw, axis=1)
        m1, m2 = post @ S, post @ sigmoid(b2 + S @ W2)
    else:
        S = binary_states(n_h2)
        pre = bottom_up[:, None, :] + (S @ W2.T)[None, :, :]  # (N, 2^n_h2, n_h1)
        logw = S @ b2 + np.sum(softplus(pre), axis=2)
        post = softmax(logw, axis=1)
        m1, m2 = np.einsum("ns,nsj->nj", post, sigmoid(pre)), post @ S
    F = -V @ a - logsumexp(logw, axis=1)
    if single:
        return (m1[0], m2[0]), {"free_energy": float(F[0])}
    return (m1, m2), {"free_energy": F}


def exact_log_partition(params, max_units=MAX_ENUMERATED_UNITS):
    """log Z = log sum_{v,h1,h2} exp(-E), exact.

    Enumerates h1 (v and h2 sum out: log Z = logsumexp_h1 [b1.h1 + sum_i softplus(a_i +
    (W1 h1)_i) + sum_k softplus(b2_k + (W2^T h1)_k)]) or, if smaller, (v, h2) jointly
    (h1 sums out: logsumexp [a.v + b2.h2 + sum_j softplus(b1_j + (W1^T v)_j + (W2 h2)_j)]).
    Raises ValueError above ``max_units`` enumerated units.
    """
    W1, W2, a, b1, b2 = _params(params)
    n_v, n_h1 = W1.shape
    n_h2 = W2.shape[1]
    if n_h1 <= n_v + n_h2:
        _check_enumerable(n_h1, max_units, "h1")
        S = binary_states(n_h1)
        logw = S @ b1 + np.sum(softplus(a + S @ W1.T), axis=1) + np.sum(softplus(b2 + S @ W2), axis=1)
    else:
        _check_enumerable(n_v + n_h2, max_units, "(v, h2)")
        S = binary_states(n_v + n_h2)
        V, H2 = S[:, :n_v], S[:, n_v:]
        logw = V @ a + H2 @ b2 + np.sum(softplus(b1 + V @ W1 + H2 @ W2.T), axis=1)
    return float(logsumexp(logw, axis=0))


def exact_log_prob(v, params, max_units=MAX_ENUMERATED_UNITS):
    """log p(v) = -F(v) - log Z, both by enumeration; float or shape (N,)."""
    _, cache = exact_marginals(v, params, max_units)
    return -cache["free_energy"] - exact_log_partition(params, max_units)
