"""Restricted Boltzmann machine with binary units, in the course's notation.

Energy and the distributions it defines (``W`` of shape ``(n_visible, n_hidden)``,
visible bias ``a`` of shape ``(n_visible,)``, hidden bias ``b`` of shape ``(n_hidden,)``)::

    E(v, h)    = -a.v - b.h - v^T W h
    F(v)       = -a.v - sum_j softplus(b_j + (v^T W)_j)        (free energy, p(v) = exp(-F(v)) / Z)
    p(h_j=1|v) = sigma(b_j + (v^T W)_j)
    p(v_i=1|h) = sigma(a_i + (W h)_i)

Every function accepts a single vector ``v`` of shape ``(n_visible,)`` (``h``:
``(n_hidden,)``) or a batch of shape ``(N, n_visible)`` (``(N, n_hidden)``), and
returns results with the same leading shape.

Sampling never draws random numbers: it takes uniforms ``u`` in [0, 1), and a
unit turns on when its probability EXCEEDS its uniform, ``s = (p > u)`` (so a
unit with ``p == u`` stays off). scikit-learn's ``BernoulliRBM`` samples with
``rng.uniform(size=p.shape) < p``, the same strict inequality, so feeding the
same uniforms gives the same samples.
"""

from __future__ import annotations

import itertools

import numpy as np

from reference_impl._checks import as_array, as_batch, check_positive_int, check_shape
from reference_impl.activations import logsumexp, sigmoid, softplus

MAX_ENUMERATED_UNITS = 20
"""log Z is computed by enumerating 2^n states of the smaller layer; above this n we refuse."""


# ----------------------------------------------------------------------------- helpers


def _params(W, a=None, b=None):
    """Check W (n_visible, n_hidden) and, when given, a (n_visible,) and b (n_hidden,)."""
    W = as_array(W, "W", ndim=2)
    n_v, n_h = W.shape
    out = [W]
    if a is not None:
        a = as_array(a, "a")
        check_shape(a, "a", (n_v,), "(n_visible,)")
        out.append(a)
    if b is not None:
        b = as_array(b, "b")
        check_shape(b, "b", (n_h,), "(n_hidden,)")
        out.append(b)
    return out


def _unbatch(x, single):
    return x[0] if single else x


def _uniforms(u, name, shape, meaning):
    """Check that the uniforms ``u`` have ``shape`` and lie in [0, 1]."""
    u = as_array(u, name)
    check_shape(u, name, shape, meaning)
    if np.any(u < 0.0) or np.any(u > 1.0):
        raise ValueError(f"{name} must hold uniforms in [0, 1]")
    return u


def bernoulli(p, u):
    """A unit is on when its probability exceeds its uniform: s = (p > u), as 0.0/1.0."""
    return (p > u).astype(np.float64)


def binary_states(n):
    """All 2^n binary vectors as rows of a (2^n, n) array, in itertools.product order."""
    return np.array(list(itertools.product((0.0, 1.0), repeat=n)), dtype=np.float64).reshape(
        2 ** n, n
    )


# ----------------------------------------------------------------------------- energies


def energy(v, h, W, a, b):
    """E(v, h) = -a.v - b.h - v^T W h.

    ``v``: (n_visible,) or (N, n_visible); ``h``: (n_hidden,) or (N, n_hidden).
    Returns a float for single vectors, else an array of shape (N,).
    """
    W, a, b = _params(W, a, b)
    n_v, n_h = W.shape
    V, sv = as_batch(v, "v", n_v, "n_visible")
    H, sh = as_batch(h, "h", n_h, "n_hidden")
    if V.shape[0] != H.shape[0]:
        raise ValueError(
            f"v and h must hold the same number of configurations, got {V.shape[0]} and {H.shape[0]}"
        )
    E = -V @ a - H @ b - np.sum((V @ W) * H, axis=1)
    return float(E[0]) if (sv and sh) else E


def free_energy(v, W, a, b):
    """F(v) = -a.v - sum_j softplus(b_j + (v^T W)_j) = -log sum_h exp(-E(v, h)).

    Returns a float for ``v`` of shape (n_visible,), else shape (N,).
    """
    W, a, b = _params(W, a, b)
    V, single = as_batch(v, "v", W.shape[0], "n_visible")
    F = -V @ a - np.sum(softplus(b + V @ W), axis=1)
    return float(F[0]) if single else F


def _hidden_free_energy(H, W, a, b):
    """F_h(h) = -b.h - sum_i softplus(a_i + (W h)_i) = -log sum_v exp(-E(v, h)), batch H."""
    return -H @ b - np.sum(softplus(a + H @ W.T), axis=1)


# ----------------------------------------------------------------------------- conditionals


def p_h_given_v(v, W, b):
    """p(h_j = 1 | v) = sigma(b_j + (v^T W)_j); shape (n_hidden,) or (N, n_hidden)."""
    W, b = _params(W, b=b)
    V, single = as_batch(v, "v", W.shape[0], "n_visible")
    return _unbatch(sigmoid(b + V @ W), single)


def p_v_given_h(h, W, a):
    """p(v_i = 1 | h) = sigma(a_i + (W h)_i); shape (n_visible,) or (N, n_visible)."""
    W, a = _params(W, a=a)
    H, single = as_batch(h, "h", W.shape[1], "n_hidden")
    return _unbatch(sigmoid(a + H @ W.T), single)


def sample_h_given_v(v, W, b, u):
    """Sample h ~ p(h | v) with the given uniforms: h_j = 1 iff p(h_j=1|v) > u_j.

    ``u`` has the shape of the result, (n_hidden,) or (N, n_hidden).
    Returns ``(h, p_h)``: the 0/1 sample and the probabilities it was drawn from.
    """
    p_h = p_h_given_v(v, W, b)
    u = _uniforms(u, "u", p_h.shape, "(n_hidden,)" if p_h.ndim == 1 else "(N, n_hidden)")
    return bernoulli(p_h, u), p_h


def sample_v_given_h(h, W, a, u):
    """Sample v ~ p(v | h) with the given uniforms: v_i = 1 iff p(v_i=1|h) > u_i.

    ``u`` has the shape of the result, (n_visible,) or (N, n_visible).
    Returns ``(v, p_v)``.
    """
    p_v = p_v_given_h(h, W, a)
    u = _uniforms(u, "u", p_v.shape, "(n_visible,)" if p_v.ndim == 1 else "(N, n_visible)")
    return bernoulli(p_v, u), p_v


def gibbs_step(v, W, a, b, u_h, u_v):
    """One block-Gibbs step v -> h -> v_new, both layers sampled.

    p_h = p(h=1|v), h = (p_h > u_h); p_v = p(v=1|h), v_new = (p_v > u_v);
    and p_h_new = p(h=1|v_new), which the next step (or a CD statistic) needs.
    ``u_h``: shape of h, (n_hidden,) or (N, n_hidden); ``u_v``: shape of v.
    Returns ``(v_new, cache)`` with cache keys v, p_h, h, p_v, v_new, p_h_new.
    """
    h, p_h = sample_h_given_v(v, W, b, u_h)
    v_new, p_v = sample_v_given_h(h, W, a, u_v)
    cache = {
        "v": as_array(v, "v"),
        "p_h": p_h,
        "h": h,
        "p_v": p_v,
        "v_new": v_new,
        "p_h_new": p_h_given_v(v_new, W, b),
    }
    return v_new, cache


# ----------------------------------------------------------------------------- exact quantities


def _check_enumerable(W, max_units):
    n = min(W.shape)
    if n > max_units:
        raise ValueError(
            f"exact enumeration needs 2^{n} states of the smaller layer; refusing above "
            f"{max_units} units (W has shape {W.shape})"
        )


def log_partition(W, a, b, max_units=MAX_ENUMERATED_UNITS):
    """log Z = log sum_{v,h} exp(-E(v, h)), exact.

    Enumerates the 2^n states of the SMALLER layer and sums the other out in
    closed form: log Z = logsumexp_v(-F(v)) if n_visible <= n_hidden, else
    logsumexp_h(-F_h(h)) with F_h(h) = -b.h - sum_i softplus(a_i + (W h)_i).
    Raises ValueError if the smaller layer has more than ``max_units`` units.
    """
    W, a, b = _params(W, a, b)
    _check_enumerable(W, max_units)
    n_v, n_h = W.shape
    if n_v <= n_h:
        V = binary_states(n_v)
        return float(logsumexp(-free_energy(V, W, a, b), axis=0))
    H = binary_states(n_h)
    return float(logsumexp(-_hidden_free_energy(H, W, a, b), axis=0))


def log_prob(v, W, a, b, max_units=MAX_ENUMERATED_UNITS):
    """log p(v) = -F(v) - log Z (exact, Z by enumeration); float or shape (N,)."""
    return -free_energy(v, W, a, b) - log_partition(W, a, b, max_units)


def exact_log_likelihood_gradient(v, W, a, b, max_units=MAX_ENUMERATED_UNITS):
    """Exact gradient of the mean log-likelihood (1/N) sum_n log p(v_n).

    dlogp/dW = <v h^T>_data - <v h^T>_model, with <v h^T>_data = (1/N) sum_n v_n p(h|v_n)^T
    and the model expectation by enumerating the smaller layer (as :func:`log_partition`):
    <v h^T>_model = sum_v p(v) v p(h|v)^T  (or sum_h p(h) p(v|h) h^T).
    Likewise dlogp/da = <v>_data - <v>_model and dlogp/db = <h>_data - <h>_model.
    Returns ``(grads, cache)``: grads keys W, a, b (ascent direction); cache keys
    data_W, data_a, data_b, model_W, model_a, model_b, log_Z.
    """
    W, a, b = _params(W, a, b)
    _check_enumerable(W, max_units)
    n_v, n_h = W.shape
    V, _ = as_batch(v, "v", n_v, "n_visible")
    N = V.shape[0]
    P_h = sigmoid(b + V @ W)
    data_W, data_a, data_b = V.T @ P_h / N, V.mean(axis=0), P_h.mean(axis=0)

    log_Z = log_partition(W, a, b, max_units)
    if n_v <= n_h:
        S = binary_states(n_v)
        p = np.exp(-free_energy(S, W, a, b) - log_Z)  # p(v) for every v
        Ph = sigmoid(b + S @ W)
        model_W = (S * p[:, None]).T @ Ph
        model_a, model_b = p @ S, p @ Ph
    else:
        S = binary_states(n_h)
        p = np.exp(-_hidden_free_energy(S, W, a, b) - log_Z)  # p(h) for every h
        Pv = sigmoid(a + S @ W.T)
        model_W = (Pv * p[:, None]).T @ S
        model_a, model_b = p @ Pv, p @ S
    grads = {"W": data_W - model_W, "a": data_a - model_a, "b": data_b - model_b}
    cache = {"data_W": data_W, "data_a": data_a, "data_b": data_b,
             "model_W": model_W, "model_a": model_a, "model_b": model_b, "log_Z": log_Z}
    return grads, cache


# ----------------------------------------------------------------------------- learning


def _chain_uniforms(uniforms, k, M, n_v, n_h, k_h, sample_visible, single):
    """Check and return (u_h, u_v) as batches of shape (k_h, M, n_h) and (k, M, n_v)."""
    if not isinstance(uniforms, dict) or "u_h" not in uniforms:
        raise ValueError("uniforms must be a dict with key 'u_h' (and 'u_v' to sample visibles)")
    lead = "" if single else "N, "
    u_h = as_array(uniforms["u_h"], "uniforms['u_h']")
    shape_h = (k_h, n_h) if single else (k_h, M, n_h)
    steps = "k" if k_h == k else "k+1"
    u_h = _uniforms(u_h, "uniforms['u_h']", shape_h, f"({steps}, {lead}n_hidden)")
    u_h = u_h[:, None, :] if single else u_h
    u_v = None
    if sample_visible:
        if uniforms.get("u_v") is None:
            raise ValueError("uniforms['u_v'] is required when sample_visible=True")
        shape_v = (k, n_v) if single else (k, M, n_v)
        u_v = _uniforms(uniforms["u_v"], "uniforms['u_v']", shape_v, f"(k, {lead}n_visible)")
        u_v = u_v[:, None, :] if single else u_v
    return u_h, u_v


def _stack(states, single):
    arr = np.stack(states) if states else np.zeros((0,))
    return arr[:, 0] if (single and states) else arr


def cd_update(W, a, b, lr, V_pos, P_pos, V_neg, P_neg):
    """The CD/PCD parameter step from batches of statistics.

    ``V_pos (N, n_v)``, ``P_pos (N, n_h)``: the data and its hidden statistics;
    ``V_neg (M, n_v)``, ``P_neg (M, n_h)``: the chain's. Returns the new params
    ``W + lr (<v h^T>_pos - <v h^T>_neg)`` (likewise ``a``, ``b``) and the
    averaged statistics ``pos_*``, ``neg_*`` and their differences.
    """
    N, M = V_pos.shape[0], V_neg.shape[0]
    grads = {
        "pos_W": V_pos.T @ P_pos / N, "neg_W": V_neg.T @ P_neg / M,
        "pos_a": V_pos.mean(axis=0), "neg_a": V_neg.mean(axis=0),
        "pos_b": P_pos.mean(axis=0), "neg_b": P_neg.mean(axis=0),
    }
    for name in ("W", "a", "b"):
        grads[name] = grads["pos_" + name] - grads["neg_" + name]
    new = {"W": W + lr * grads["W"], "a": a + lr * grads["a"], "b": b + lr * grads["b"]}
    return new, grads


def cd_k(v0, W, a, b, k, lr, uniforms, sample_visible=False, stats="probabilities"):
    """One contrastive-divergence (CD-k) update on a batch ``v0``.

    Chain (t = 0..k-1), defaults as in Hinton's "A Practical Guide to Training RBMs" (2010)::

        p_h[t]   = p(h=1 | v[t]),  v[0] = v0
        h[t]     = (p_h[t] > u_h[t])                      hidden states are always SAMPLED
                                                           when they generate a reconstruction
        p_v[t+1] = p(v=1 | h[t])
        v[t+1]   = p_v[t+1]            (sample_visible=False, default: probabilities)
                 = (p_v[t+1] > u_v[t]) (sample_visible=True)
        p_h[k]   = p(h=1 | v[k])                          final hidden update: probabilities

    Statistics (averaged over the batch of N):
        stats="probabilities" (default): positive <v0 p_h[0]^T>, negative <v[k] p_h[k]^T>;
        stats="samples": positive <v0 h[0]^T>, negative <v[k] h[k]^T> with h[k] = (p_h[k] > u_h[k]).
    Biases likewise (<v0> - <v[k]> for a, <p_h[0]> - <p_h[k]> for b). Update (ascent):
        W += lr * (<v h^T>_data - <v h^T>_recon), i.e. lr * (positive - negative) / N with sums.

    ``uniforms`` is a dict:
        "u_h": shape (k, N, n_hidden) -- u_h[t] samples h[t]; (k+1, N, n_hidden) when stats="samples";
        "u_v": shape (k, N, n_visible) -- u_v[t] samples v[t+1]; needed only if sample_visible.
    For a single vector v0 of shape (n_visible,) drop the N axis everywhere.

    Returns ``(params, grads, chain)``:
        params: new W, a, b;
        grads: W, a, b (= positive - negative, the gradient estimate) and pos_W, neg_W,
               pos_a, neg_a, pos_b, neg_b;
        chain: v (k+1, [N,] n_v), p_h (k+1, [N,] n_h), h (k or k+1, [N,] n_h), p_v (k, [N,] n_v)
               (p_v[t] is p(v | h[t]), the distribution of v[t+1]).
    """
    W, a, b = _params(W, a, b)
    n_v, n_h = W.shape
    k = check_positive_int(k, "k")
    if stats not in ("probabilities", "samples"):
        raise ValueError(f"stats must be 'probabilities' or 'samples', got {stats!r}")
    V0, single = as_batch(v0, "v0", n_v, "n_visible")
    N = V0.shape[0]
    k_h = k + 1 if stats == "samples" else k
    u_h, u_v = _chain_uniforms(uniforms, k, N, n_v, n_h, k_h, sample_visible, single)

    vs, p_hs, hs, p_vs = [V0], [sigmoid(b + V0 @ W)], [], []
    for t in range(k):
        hs.append(bernoulli(p_hs[t], u_h[t]))
        p_vs.append(sigmoid(a + hs[t] @ W.T))
        vs.append(bernoulli(p_vs[t], u_v[t]) if sample_visible else p_vs[t])
        p_hs.append(sigmoid(b + vs[t + 1] @ W))
    if stats == "samples":
        hs.append(bernoulli(p_hs[k], u_h[k]))
        H_pos, H_neg = hs[0], hs[k]
    else:
        H_pos, H_neg = p_hs[0], p_hs[k]
    params, grads = cd_update(W, a, b, lr, V0, H_pos, vs[k], H_neg)
    chain = {"v": _stack(vs, single), "p_h": _stack(p_hs, single),
             "h": _stack(hs, single), "p_v": _stack(p_vs, single)}
    return params, grads, chain


def pcd(v_data, chain_state, W, a, b, k, lr, uniforms, chain_layer="visible", sample_visible=True):
    """One persistent-contrastive-divergence (PCD, Tieleman 2008) update.

    Positive statistics from the data batch v_data (N, n_visible): <v p(h=1|v)^T>.
    Negative statistics from M persistent chains advanced k Gibbs steps from ``chain_state``
    (not from the data), under the CURRENT (pre-update) parameters:

    chain_layer="visible" (default; chain_state = fantasy particles vbar, shape (M, n_visible)):
        for t < k: p_h[t] = p(h|v[t]), h[t] = (p_h[t] > u_h[t]), p_v[t] = p(v|h[t]),
                   v[t+1] = (p_v[t] > u_v[t]) (or p_v[t] if sample_visible=False);
        negative <v[k] p(h|v[k])^T>; the new chain state is v[k].
    chain_layer="hidden" (scikit-learn's BernoulliRBM convention, chain_state = h_samples_,
        shape (M, n_hidden)): h[0] = chain_state; for t < k:
                   p_v[t] = p(v|h[t]), v[t+1] = (p_v[t] > u_v[t]) (or p_v[t]),
                   p_h[t+1] = p(h|v[t+1]), h[t+1] = (p_h[t+1] > u_h[t]);
        negative <v[k] p_h[k]^T>; the new chain state is h[k].
    Averages divide by N (positive) and M (negative); the update is theta += lr * (pos - neg),
    which for M = N is scikit-learn's lr/N * (sum pos - sum neg).

    ``uniforms``: dict "u_h" shape (k, M, n_hidden), "u_v" shape (k, M, n_visible) (needed
    only if sample_visible). In the hidden convention with k = 1, u_v[0] is drawn before
    u_h[0] -- the order in which scikit-learn draws them.

    Returns ``(params, grads, chain)``; grads as in :func:`cd_k`; chain holds every state,
    leading axis the step, indexed as in the equations above -- visible chain: v (k+1), p_h
    (k+1), h (k), p_v (k); hidden chain: h (k+1, h[0] = chain_state), v (k, v[t] is v[t+1]
    above), p_h (k), p_v (k) -- and "state", the new persistent chain state.
    """
    W, a, b = _params(W, a, b)
    n_v, n_h = W.shape
    k = check_positive_int(k, "k")
    V_pos, _ = as_batch(v_data, "v_data", n_v, "n_visible")
    P_pos = sigmoid(b + V_pos @ W)
    if chain_layer == "visible":
        S = as_array(chain_state, "chain_state", ndim=2)
        check_shape(S, "chain_state", (S.shape[0], n_v), "(M, n_visible)")
    elif chain_layer == "hidden":
        S = as_array(chain_state, "chain_state", ndim=2)
        check_shape(S, "chain_state", (S.shape[0], n_h), "(M, n_hidden)")
    else:
        raise ValueError(f"chain_layer must be 'visible' or 'hidden', got {chain_layer!r}")
    M = S.shape[0]
    u_h, u_v = _chain_uniforms(uniforms, k, M, n_v, n_h, k, sample_visible, False)

    if chain_layer == "visible":
        vs, p_hs, hs, p_vs = [S], [sigmoid(b + S @ W)], [], []
        for t in range(k):
            hs.append(bernoulli(p_hs[t], u_h[t]))
            p_vs.append(sigmoid(a + hs[t] @ W.T))
            vs.append(bernoulli(p_vs[t], u_v[t]) if sample_visible else p_vs[t])
            p_hs.append(sigmoid(b + vs[t + 1] @ W))
        new_state = vs[k]
    else:
        vs, p_hs, hs, p_vs = [], [], [S], []
        for t in range(k):
            p_vs.append(sigmoid(a + hs[t] @ W.T))
            vs.append(bernoulli(p_vs[t], u_v[t]) if sample_visible else p_vs[t])
            p_hs.append(sigmoid(b + vs[t] @ W))
            hs.append(bernoulli(p_hs[t], u_h[t]))
        new_state = hs[k]
    params, grads = cd_update(W, a, b, lr, V_pos, P_pos, vs[-1], p_hs[-1])
    chain = {"v": np.stack(vs), "p_h": np.stack(p_hs), "h": _stack(hs, False),
             "p_v": np.stack(p_vs), "state": new_state}
    return params, grads, chain


def reconstruction_error(v, W, a, b, u_h=None, reduction="mean"):
    """Squared error between v and its reconstruction p(v=1 | h).

    Mean-field by default: h = p(h=1|v) (probabilities), v_rec = p(v=1|h) = sigma(a + W h).
    With uniforms ``u_h`` (shape of h) the hidden states are sampled, h = (p(h=1|v) > u_h),
    as in the CD-1 reconstruction. The per-example error is sum_i (v_i - v_rec_i)^2;
    ``reduction``: "none" -> shape (N,) (float for a single v), "mean" (default) -> the
    mean over the batch of the per-example sums, "sum" -> their sum.
    Returns ``(error, cache)`` with cache keys p_h, h, v_rec.
    """
    W, a, b = _params(W, a, b)
    V, single = as_batch(v, "v", W.shape[0], "n_visible")
    P_h = sigmoid(b + V @ W)
    if u_h is None:
        H = P_h
    else:
        shape, meaning = ((W.shape[1],), "(n_hidden,)") if single else (P_h.shape, "(N, n_hidden)")
        H = bernoulli(P_h, _uniforms(u_h, "u_h", shape, meaning).reshape(P_h.shape))
    V_rec = sigmoid(a + H @ W.T)
    per = np.sum((V - V_rec) ** 2, axis=1)
    if reduction == "none":
        err = float(per[0]) if single else per
    elif reduction == "mean":
        err = float(per.mean())
    elif reduction == "sum":
        err = float(per.sum())
    else:
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum', got {reduction!r}")
    cache = {"p_h": _unbatch(P_h, single), "h": _unbatch(H, single), "v_rec": _unbatch(V_rec, single)}
    return err, cache
