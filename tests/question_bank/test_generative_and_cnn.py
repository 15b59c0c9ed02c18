"""Templates of cnn, rbm, mcmc, dbm, autoencoder (VAE) and gan against independent computations.

Every key is recomputed here from the printed params with plain NumPy formulas (never the
template's own solve nor reference_impl), and each multi-part chain is checked for error
carried forward: a wrong earlier part, the later parts computed correctly from it -> "ecf".
"""

import math

import numpy as np
import pytest

from quizgen.bank.marking import grade
from quizgen.bank.seeds import rng_for
from reference_impl.rbm import cd_k
from tests.question_bank.oracles import load, variants, sig, typed

SEEDS = range(12)


def params(variant):
    return {k: np.array(v) if isinstance(v, list) else v for k, v in variant.params.items()}


def fmt(values):
    return " ".join(f"{v:.6f}" for v in np.ravel(values))


# ----------------------------------------------------------------------------- cnn


def test_conv_output_shape_against_the_floor_formula():
    t = load("cnn.conv_output_shape")
    for v in variants(t, seeds=SEEDS)[1]:
        p = params(v)
        k, s, pad, d = p["kernel"], p["stride"], p["padding"], p["dilation"]
        size = [(n + 2 * pad - d * (k - 1) - 1) // s + 1 for n in (p["H"], p["W"])]
        assert tuple(v.answers["out_shape"]) == (p["F"], *size)
        assert v.answers["n_params"] == p["F"] * (p["C_in"] * k * k + 1)
        # the floor matters in every variant (the question is about it)
        ceil = [math.ceil((n + 2 * pad - d * (k - 1) - 1) / s) + 1 for n in (p["H"], p["W"])]
        assert tuple(v.mistakes["floor_rounded_up"]["out_shape"]) == (p["F"], *ceil) != (p["F"], *size)


def test_conv_entries_against_explicit_windows():
    t = load("cnn.conv_entries")
    for v in variants(t, seeds=SEEDS)[1]:
        p = params(v)
        x, w, b = p["x"], p["w"], p["b"]
        y = np.array([[np.sum(x[i:i + 3, j:j + 3] * w) + b for j in range(3)] for i in range(3)])
        (ia, ja), (ib, jb) = p["entries"]
        assert v.answers["y_a"] == y[ia, ja] and v.answers["y_b"] == y[ib, jb]
        m = p["m"]
        pooled = m.reshape(2, 2, 2, 2).max(axis=(1, 3))
        np.testing.assert_array_equal(v.answers["pool"], pooled)
        flipped = np.array([[np.sum(x[i:i + 3, j:j + 3] * w[::-1, ::-1]) + b for j in range(3)]
                            for i in range(3)])
        wrong = v.mistakes["kernel_flipped"]
        for part, (i, j) in (("y_a", (ia, ja)), ("y_b", (ib, jb))):
            if part in wrong:
                assert wrong[part] == flipped[i, j]


# ----------------------------------------------------------------------------- rbm


def _cd1(p):
    W, a, b, v0, u, lr = p["W"], p["a"], p["b"], p["v0"], p["u_h"], p["lr"]
    p_h0 = sig(b + v0 @ W)
    h0 = (p_h0 > u).astype(float)
    v1 = sig(a + W @ h0)
    p_h1 = sig(b + v1 @ W)
    return p_h0, h0, v1, p_h1, lr * (np.outer(v0, p_h0) - np.outer(v1, p_h1))


def test_rbm_cd1_against_formulas():
    t = load("rbm.cd1_update")
    for v in variants(t, seeds=SEEDS)[1]:
        p = params(v)
        for name, value in zip(("p_h0", "h0", "v1", "p_h1", "dW"), _cd1(p)):
            np.testing.assert_allclose(v.answers[name], value, rtol=0, atol=1e-12)
        # the stem's conventions are cd_k's defaults (reconstruction = probabilities)
        new, _, _ = cd_k(p["v0"], p["W"], p["a"], p["b"], 1, p["lr"], {"u_h": p["u_h"][None]})
        np.testing.assert_allclose(v.answers["dW"], new["W"] - p["W"], atol=1e-12)


def test_rbm_cd1_error_carried_forward():
    t = load("rbm.cd1_update")
    v = t.draw(rng_for(3), "3")
    p = params(v)
    p_h0, h0, v1, _, _ = _cd1(p)
    wrong_v1 = np.clip(v1 + np.array([0.1, -0.1, 0.05]), 0.01, 0.99)
    p_h1 = sig(p["b"] + wrong_v1 @ p["W"])
    dW = p["lr"] * (np.outer(p["v0"], p_h0) - np.outer(wrong_v1, p_h1))
    responses = {"p_h0": fmt(p_h0), "h0": fmt(h0), "v1": fmt(wrong_v1), "p_h1": fmt(p_h1),
                 "dW": "; ".join(fmt(row) for row in dW)}
    result = grade(t, v, responses)
    assert [r.status for r in result.parts] == ["correct", "correct", "wrong", "ecf", "ecf"]


# ----------------------------------------------------------------------------- mcmc


def test_markov_chain_against_eigenvector():
    t = load("mcmc.n_step_distribution")
    for v in variants(t, seeds=SEEDS)[1]:
        p = params(v)
        P, pi0 = p["P"], p["pi0"]
        np.testing.assert_allclose(v.answers["pi1"], pi0 @ P, atol=1e-12)
        np.testing.assert_allclose(v.answers["pi2"], pi0 @ np.linalg.matrix_power(P, 2), atol=1e-12)
        vals, vecs = np.linalg.eig(P.T)
        stat = np.real(vecs[:, np.argmin(np.abs(vals - 1))])
        np.testing.assert_allclose(v.answers["pi_stat"], stat / stat.sum(), atol=1e-10)


def test_markov_chain_error_carried_forward():
    t = load("mcmc.n_step_distribution")
    v = t.draw(rng_for(5), "5")
    p = params(v)
    wrong_pi1 = np.array(v.answers["pi1"]) + np.array([0.1, 0.0, 0.05])  # does not sum to 1
    responses = {"pi1": fmt(wrong_pi1), "pi2": fmt(wrong_pi1 @ p["P"]),
                 "pi_stat": fmt(v.answers["pi_stat"])}
    result = grade(t, v, responses)
    assert [r.status for r in result.parts] == ["wrong", "ecf", "correct"]


# ----------------------------------------------------------------------------- dbm


def test_dbm_mean_field_against_formulas():
    t = load("dbm.mean_field_update")
    for v in variants(t, seeds=SEEDS)[1]:
        p = params(v)
        mu1 = sig(p["b1"] + p["W1"].T @ p["v"] + p["W2"] @ p["mu2_init"])
        mu2 = sig(p["b2"] + p["W2"].T @ mu1)
        np.testing.assert_allclose(v.answers["mu1"], mu1, atol=1e-12)
        assert v.answers["mu2"] == pytest.approx(float(mu2[0]), abs=1e-12)
        no_top_down = sig(p["b1"] + p["W1"].T @ p["v"])
        np.testing.assert_allclose(v.mistakes["no_top_down"]["mu1"], no_top_down, atol=1e-12)


def test_dbm_error_carried_forward():
    t = load("dbm.mean_field_update")
    v = t.draw(rng_for(7), "7")
    p = params(v)
    wrong_mu1 = np.array(v.answers["mu1"]) + np.array([0.2, -0.1])
    mu2 = sig(p["b2"] + p["W2"].T @ wrong_mu1)[0]
    result = grade(t, v, {"mu1": fmt(wrong_mu1), "mu2": f"{mu2:.4f}"})
    assert [r.status for r in result.parts] == ["wrong", "ecf"]


# ----------------------------------------------------------------------------- vae


def test_vae_against_formulas():
    t = load("autoencoder.vae_kl_reparam")
    for v in variants(t, seeds=SEEDS)[1]:
        p = params(v)
        z = p["mu"] + np.sqrt(np.exp(p["log_var"])) * p["eps"]
        kl = 0.5 * np.sum(np.exp(p["log_var"]) + p["mu"] ** 2 - 1 - p["log_var"])
        np.testing.assert_allclose(v.answers["z"], z, atol=1e-12)
        assert v.answers["kl"] == pytest.approx(kl, abs=1e-12)
        np.testing.assert_allclose(v.mistakes["var_as_std"]["z"],
                                   p["mu"] + np.exp(p["log_var"]) * p["eps"], atol=1e-12)
        assert v.mistakes["kl_no_half"]["kl"] == pytest.approx(2 * kl, abs=1e-12)


# ----------------------------------------------------------------------------- gan


def test_gan_losses_against_formulas():
    t = load("gan.losses")
    for v in variants(t, seeds=SEEDS)[1]:
        p = params(v)
        r, f = p["d_real"], p["d_fake"]
        assert v.answers["J_D"] == pytest.approx(-np.mean(np.log(r)) - np.mean(np.log(1 - f)), abs=1e-12)
        assert v.answers["J_G_sat"] == pytest.approx(np.mean(np.log(1 - f)), abs=1e-12)
        assert v.answers["J_G"] == pytest.approx(-np.mean(np.log(f)), abs=1e-12)
        np.testing.assert_allclose(v.answers["D_star"], p["p_data"] / (p["p_data"] + p["p_g"]), atol=1e-12)
        assert v.mistakes["saturating_for_ns"]["J_G"] == pytest.approx(np.mean(np.log(1 - f)), abs=1e-12)


# ----------------------------------------------------------------------------- all seven


@pytest.mark.parametrize("template_id", [
    "cnn.conv_output_shape", "cnn.conv_entries", "rbm.cd1_update", "mcmc.n_step_distribution",
    "dbm.mean_field_update", "autoencoder.vae_kl_reparam", "gan.losses"])
def test_key_scores_full_marks_and_every_mistake_is_named(template_id):
    t = load(template_id)
    v = t.draw(rng_for(11), "11")
    assert grade(t, v, typed(t, v.answers, from_json=True)).earned == sum(p.points for p in t.parts)
    for name, wrong in v.mistakes.items():
        result = grade(t, v, typed(t, v.answers, from_json=True) | typed(t, wrong, from_json=True), ecf=False)
        assert result.earned < sum(p.points for p in t.parts)
        assert any(r.mistake == name for r in result.parts)

