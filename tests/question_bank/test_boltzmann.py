"""Templates of rbm, mcmc and dbm against independent computations.

Every key is recomputed here from the printed params with plain NumPy formulas, brute-force
enumeration or scikit-learn's BernoulliRBM (never the template's own solve nor reference_impl),
and each multi-part chain is checked for error carried forward: a wrong earlier part, the later
parts computed correctly from it -> "ecf".
"""

import itertools

import numpy as np
import pytest

from quizgen.bank.seeds import rng_for
from tests.question_bank.oracles import load, variants, sig, statuses, close

SEEDS = range(10)


def arr(x):
    return np.asarray(x, dtype=float)


def states(n):
    return [arr(s) for s in itertools.product((0, 1), repeat=n)]


def expected_status(value, key):
    """A later part typed from the student's own earlier answers: ecf, or correct if it is the key anyway."""
    return "correct" if np.allclose(arr(value), arr(key), atol=1e-4, rtol=0) else "ecf"


def rbm_energy(v, h, W, a, b):
    return -float(a @ v) - float(b @ h) - sum(v[i] * W[i, j] * h[j]
                                               for i in range(len(v)) for j in range(len(h)))


# --------------------------------------------------------------------------- rbm.energy

@pytest.mark.parametrize("size", ["calculator", "computer"])
def test_rbm_energy_key_matches_the_formula(size):
    template, vs = variants("rbm.energy", size, seeds=SEEDS)
    for v in vs:
        p = {k: arr(x) for k, x in v.params.items()}
        E = rbm_energy(p["v"], p["h"], p["W"], p["a"], p["b"])
        close(v.answers["E"], E)
        close(v.answers["weight"], np.exp(-E))
        assert len(p["v"]) == (6 if size == "computer" else 3)


def test_rbm_energy_error_carried_forward():
    template, vs = variants("rbm.energy", seeds=SEEDS)
    v = vs[0]
    wrong = v.answers["E"] + 0.3
    st = statuses(template, v, {"E": wrong, "weight": np.exp(-wrong)})
    assert st == {"E": "wrong", "weight": "ecf"}


# --------------------------------------------------------------------------- rbm.conditionals

def test_rbm_conditionals_key_matches_numpy():
    template, vs = variants("rbm.conditionals", seeds=SEEDS)
    for v in vs:
        p = {k: arr(x) for k, x in v.params.items()}
        close(v.answers["p_h"], [sig(p["b"][j] + sum(p["v"][i] * p["W"][i, j] for i in range(3))) for j in range(2)])
        close(v.answers["p_v"], [sig(p["a"][i] + sum(p["W"][i, j] * p["h"][j] for j in range(2))) for i in range(3)])


def sklearn_model(BernoulliRBM, p):
    rbm = BernoulliRBM(n_components=p["W"].shape[1])
    rbm.components_ = p["W"].T.copy()
    rbm.intercept_hidden_ = p["b"].copy()
    rbm.intercept_visible_ = p["a"].copy()
    rbm.n_features_in_ = p["W"].shape[0]
    return rbm


def test_rbm_conditionals_match_sklearn(sklearn_rbm):
    template, vs = variants("rbm.conditionals", seeds=range(3))
    for v in vs:
        p = {k: arr(x) for k, x in v.params.items()}
        rbm = sklearn_model(sklearn_rbm, p)
        close(rbm.transform(p["v"][None])[0], v.answers["p_h"])


# --------------------------------------------------------------------------- rbm.free_energy

@pytest.mark.parametrize("size", ["calculator", "computer"])
def test_rbm_free_energy_matches_enumeration_over_h(size):
    template, vs = variants("rbm.free_energy", size, seeds=SEEDS)
    for v in vs:
        p = {k: arr(x) for k, x in v.params.items()}
        total = sum(np.exp(-rbm_energy(p["v"], h, p["W"], p["a"], p["b"])) for h in states(len(p["b"])))
        close(v.answers["F"], -np.log(total))


def test_rbm_free_energy_matches_sklearn(sklearn_rbm):
    template, vs = variants("rbm.free_energy", seeds=range(3))
    for v in vs:
        p = {k: arr(x) for k, x in v.params.items()}
        close(sklearn_model(sklearn_rbm, p)._free_energy(p["v"][None])[0], v.answers["F"])


# --------------------------------------------------------------------------- rbm.gibbs_step

def gibbs_oracle(p, p_h=None):
    if p_h is None:
        p_h = sig(p["b"] + p["v"] @ p["W"])
    h = (p_h > p["u_h"]).astype(float)
    p_v = sig(p["a"] + p["W"] @ h)
    return {"p_h": p_h, "h": h, "p_v": p_v, "v_new": (p_v > p["u_v"]).astype(float)}


def test_rbm_gibbs_step_key_matches_numpy():
    template, vs = variants("rbm.gibbs_step", seeds=SEEDS)
    for v in vs:
        want = gibbs_oracle({k: arr(x) for k, x in v.params.items()})
        for name in want:
            close(v.answers[name], want[name])


class GivenUniforms:
    """A stand-in for sklearn's random state that hands out the printed uniforms in order."""

    def __init__(self, *uniforms):
        self.queue = list(uniforms)

    def uniform(self, size=None):
        return np.asarray(self.queue.pop(0), dtype=float).reshape(size)


def test_rbm_gibbs_step_matches_sklearn_gibbs(sklearn_rbm):
    # sklearn samples h = rng.uniform(size) < p(h|v), then v = rng.uniform(size) < p(v|h)
    template, vs = variants("rbm.gibbs_step", seeds=range(5))
    for v in vs:
        p = {k: arr(x) for k, x in v.params.items()}
        rbm = sklearn_model(sklearn_rbm, p)
        rbm.random_state_ = GivenUniforms(p["u_h"][None], p["u_v"][None])
        close(rbm.gibbs(p["v"][None])[0], v.answers["v_new"])


def test_rbm_gibbs_step_error_carried_forward():
    template, vs = variants("rbm.gibbs_step", seeds=SEEDS)
    v = vs[0]
    p = {k: arr(x) for k, x in v.params.items()}
    key_h = arr(v.answers["h"])
    # a wrong p(h|v) on the other side of every uniform: each hidden unit flips
    wrong_p_h = np.clip(np.where(key_h == 1, p["u_h"] - 0.01, p["u_h"] + 0.01), 0, 1)
    own = gibbs_oracle(p, p_h=wrong_p_h)
    st = statuses(template, v, own)
    assert st == {"p_h": "wrong", "h": "ecf", "p_v": "ecf",
                  "v_new": expected_status(own["v_new"], v.answers["v_new"])}


# --------------------------------------------------------------------------- rbm.partition_function

def unnormalised_marginal(v, p):
    return sum(np.exp(-rbm_energy(v, h, p["W"], p["a"], p["b"])) for h in states(2))


def test_rbm_partition_function_matches_brute_force_enumeration():
    template, vs = variants("rbm.partition_function", seeds=SEEDS)
    for v in vs:
        p = {k: arr(x) for k, x in v.params.items()}
        Z = sum(np.exp(-rbm_energy(vv, h, p["W"], p["a"], p["b"])) for vv in states(2) for h in states(2))
        close(v.answers["Z"], Z)
        close(v.answers["p_v"], unnormalised_marginal(p["v"], p) / Z)


def test_rbm_partition_function_error_carried_forward():
    template, vs = variants("rbm.partition_function", seeds=SEEDS)
    v = vs[0]
    p = {k: arr(x) for k, x in v.params.items()}
    wrong_Z = v.answers["Z"] + 1.0
    st = statuses(template, v, {"Z": wrong_Z, "p_v": unnormalised_marginal(p["v"], p) / wrong_Z})
    assert st == {"Z": "wrong", "p_v": "ecf"}


# --------------------------------------------------------------------------- mcmc.metropolis_hastings

def test_mcmc_metropolis_hastings_key_matches_numpy():
    template, vs = variants("mcmc.metropolis_hastings", seeds=SEEDS)
    for v in vs:
        p = v.params
        x, y, pt, Q = p["x_current"], p["x_proposed"], arr(p["p_tilde"]), arr(p["Q"])
        alpha = min(1.0, (pt[y - 1] * Q[y - 1, x - 1]) / (pt[x - 1] * Q[x - 1, y - 1]))
        close(v.answers["alpha"], alpha)
        assert v.answers["x_next"] == (y if p["u"] < alpha else x)


def test_mcmc_metropolis_hastings_error_carried_forward():
    template, vs = variants("mcmc.metropolis_hastings", seeds=SEEDS)
    v = vs[0]
    p = v.params
    accepted = v.answers["x_next"] == p["x_proposed"]
    wrong_alpha = p["u"] - 0.02 if accepted else min(1.0, p["u"] + 0.02)  # the other decision
    x_next = p["x_proposed"] if p["u"] < wrong_alpha else p["x_current"]
    assert x_next != v.answers["x_next"]
    st = statuses(template, v, {"alpha": wrong_alpha, "x_next": x_next})
    assert st == {"alpha": "wrong", "x_next": "ecf"}


# --------------------------------------------------------------------------- mcmc.gibbs_gaussian

def gaussian_conditional(mu, cov, i, other_value):
    """Mean and std of x_i given x_j = other_value, from the covariance (Schur complement)."""
    j = 1 - i
    mean = mu[i] + cov[i, j] / cov[j, j] * (other_value - mu[j])
    return mean, np.sqrt(cov[i, i] - cov[i, j] ** 2 / cov[j, j])


def gaussian_sweep(p, x1=None):
    mu, s, rho, x0, z = arr(p["mu"]), arr(p["sigma"]), p["rho"], arr(p["x0"]), arr(p["normals"])[0]
    cov = np.array([[s[0] ** 2, rho * s[0] * s[1]], [rho * s[0] * s[1], s[1] ** 2]])
    if x1 is None:
        m, sd = gaussian_conditional(mu, cov, 0, x0[1])
        x1 = m + sd * z[0]
    m, sd = gaussian_conditional(mu, cov, 1, x1)
    return {"x1": x1, "x2": m + sd * z[1]}


def test_mcmc_gibbs_gaussian_key_matches_schur_complement():
    template, vs = variants("mcmc.gibbs_gaussian", seeds=SEEDS)
    for v in vs:
        want = gaussian_sweep(v.params)
        close(v.answers["x1"], want["x1"])
        close(v.answers["x2"], want["x2"])


def test_mcmc_gibbs_gaussian_error_carried_forward():
    template, vs = variants("mcmc.gibbs_gaussian", seeds=SEEDS)
    v = vs[0]
    own = gaussian_sweep(v.params, x1=v.answers["x1"] + 0.5)
    assert statuses(template, v, own) == {"x1": "wrong", "x2": "ecf"}


# --------------------------------------------------------------------------- mcmc.gibbs_discrete

def inverse_cdf(p, u):
    total = 0.0
    for i, pi in enumerate(p):
        total += pi
        if total > u:
            return i
    return len(p) - 1


def discrete_sweep(p, p_x=None):
    T, (_, y0), (u_x, u_y) = arr(p["joint_table"]), p["x0"], p["uniforms"][0]
    if p_x is None:
        p_x = T[:, y0] / T[:, y0].sum()
    x1 = inverse_cdf(p_x, u_x)
    p_y = T[x1, :] / T[x1, :].sum()
    return {"p_x": p_x, "x1": x1, "p_y": p_y, "y1": inverse_cdf(p_y, u_y)}


def test_mcmc_gibbs_discrete_key_matches_numpy():
    template, vs = variants("mcmc.gibbs_discrete", seeds=SEEDS)
    for v in vs:
        want = discrete_sweep(v.params)
        for name in want:
            close(v.answers[name], want[name])


def test_mcmc_gibbs_discrete_error_carried_forward():
    template, vs = variants("mcmc.gibbs_discrete", seeds=SEEDS)
    v = vs[0]
    # a wrong p(x | y0) that puts all its mass on another state with a non-empty row
    other = next(i for i in range(3) if i != v.answers["x1"])
    own = discrete_sweep(v.params, p_x=np.eye(3)[other])
    st = statuses(template, v, own)
    assert st == {"p_x": "wrong", "x1": "ecf", "p_y": "ecf",
                  "y1": expected_status(own["y1"], v.answers["y1"])}


# --------------------------------------------------------------------------- dbm.energy

@pytest.mark.parametrize("size", ["calculator", "computer"])
def test_dbm_energy_key_matches_numpy(size):
    template, vs = variants("dbm.energy", size, seeds=SEEDS)
    for v in vs:
        p = {k: arr(x) for k, x in v.params.items()}
        E = (-np.einsum("i,ij,j->", p["v"], p["W1"], p["h1"]) - np.einsum("j,jk,k->", p["h1"], p["W2"], p["h2"])
             - p["a"] @ p["v"] - p["b1"] @ p["h1"] - p["b2"] @ p["h2"])
        close(v.answers["E"], E)


# --------------------------------------------------------------------------- dbm.param_count

def test_dbm_param_count_key_counts_the_arrays():
    template, vs = variants("dbm.param_count", seeds=SEEDS)
    for v in vs:
        n_v, n_h1, n_h2 = v.params["n_v"], v.params["n_h1"], v.params["n_h2"]
        weights = [np.zeros((n_v, n_h1)), np.zeros((n_h1, n_h2))]   # W1, W2
        biases = [np.zeros(n_v), np.zeros(n_h1), np.zeros(n_h2)]    # a, b1, b2
        assert v.answers["weights"] == sum(w.size for w in weights)
        assert v.answers["total"] == sum(x.size for x in weights + biases)


def test_dbm_param_count_salakhutdinov_hinton_mnist():
    # the 784-500-1000 DBM of Salakhutdinov & Hinton (2009): 392,000 + 500,000 weights
    template = load("dbm.param_count")
    work = template.solve({"n_v": 784, "n_h1": 500, "n_h2": 1000})
    assert work.answers == {"weights": 892_000, "total": 892_000 + 2_284}


def test_dbm_param_count_error_carried_forward():
    template, vs = variants("dbm.param_count", seeds=SEEDS)
    v = vs[0]
    p = v.params
    wrong = p["n_v"] * p["n_h1"]  # W2 forgotten
    st = statuses(template, v, {"weights": wrong, "total": wrong + p["n_v"] + p["n_h1"] + p["n_h2"]})
    assert st == {"weights": "wrong", "total": "ecf"}


# --------------------------------------------------------------------------- choice form

@pytest.mark.parametrize("template_id", [
    "rbm.energy", "rbm.conditionals", "rbm.free_energy", "rbm.gibbs_step", "rbm.partition_function",
    "mcmc.metropolis_hastings", "mcmc.gibbs_gaussian", "mcmc.gibbs_discrete", "dbm.energy", "dbm.param_count",
])
def test_template_offers_the_choice_form(template_id):
    template = load(template_id)
    variant = template.draw(rng_for(0), "0", form="choice")
    assert variant.choices, f"{template_id} has no part with two distinct named mistakes"
