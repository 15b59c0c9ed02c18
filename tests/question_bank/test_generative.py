"""The generative group's templates (autoencoder, gan) against independent computations.

Every key is recomputed here from the printed params with plain NumPy formulas, closed forms,
finite differences, scipy or published figures (never the template's own solve nor
reference_impl), and each multi-part chain is checked for error carried forward: a wrong
earlier part, the later parts computed correctly from it -> "ecf".
"""

import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from quizgen.bank.seeds import rng_for
from quizgen.bank.texts import render_stem
from tests.question_bank.oracles import load, variants, sig, grade_statuses

SEEDS = range(12)


def params(variant):
    def arr(v):
        if isinstance(v, list) and v and isinstance(v[0], dict):
            return [{k: arr(x) for k, x in d.items()} for d in v]
        return np.array(v, dtype=float) if isinstance(v, list) else v
    return {k: arr(v) for k, v in variant.params.items()}


def fmt(values):
    return " ".join(f"{v:.6f}" for v in np.ravel(values))


# ----------------------------------------------------------------------------- autoencoder


def _count(sizes, tied):
    pairs = list(zip(sizes[:-1], sizes[1:]))
    weights = [n_in * n_out for n_in, n_out in pairs]
    if tied:
        weights = weights[: len(pairs) // 2]
    return sum(weights) + sum(n_out for _, n_out in pairs)


def test_param_count_against_layer_sums_and_a_published_figure():
    # 784 -> 128 -> 784: 784*128 + 128 + 128*784 + 784 untied; tied drops one 784*128
    assert _count([784, 128, 784], False) == 201_616 and _count([784, 128, 784], True) == 101_264
    t = load("autoencoder.param_count")
    for v in variants(t, seeds=SEEDS)[1]:
        sizes = [int(s) for s in v.params["layer_sizes"]]
        assert sizes == sizes[::-1] and len(sizes) in (3, 5)
        assert v.answers["untied"] == _count(sizes, tied=False)
        assert v.answers["tied"] == _count(sizes, tied=True)
        assert v.mistakes["tied_counted_twice"]["tied"] == _count(sizes, tied=False)
        weights_only = _count(sizes, False) - sum(sizes[1:])
        assert v.mistakes["no_biases"]["untied"] == weights_only
        stem = render_stem(t, v)
        assert ("hidden layer" in stem) == (len(sizes) == 5), stem  # no hidden layers named when there are none


def _ae_forward(x, layers):
    hs = [x]
    for layer in layers:
        hs.append(sig(layer["W"] @ hs[-1] + layer["b"]))
    return hs[1:]


def _loss(kind, x_hat, x):
    if kind == "mse":
        return float(np.mean((x_hat - x) ** 2))
    return float(-np.mean(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat)))


@pytest.mark.parametrize("size", ["calculator", "computer"])
def test_forward_loss_against_numpy(size):
    t = load("autoencoder.forward_loss")
    kinds = set()
    for v in variants(t, size, seeds=SEEDS)[1]:
        p = params(v)
        layers = p["layers"]
        assert len(layers) == (2 if size == "calculator" else 4)
        outs = _ae_forward(p["x"], layers)
        z, x_hat = outs[len(layers) // 2 - 1], outs[-1]
        np.testing.assert_allclose(v.answers["z"], z, atol=1e-12)
        np.testing.assert_allclose(v.answers["x_hat"], x_hat, atol=1e-12)
        assert v.answers["loss"] == pytest.approx(_loss(p["loss"], x_hat, p["x"]), abs=1e-12)
        assert v.mistakes["sum_not_mean"]["loss"] == pytest.approx(3 * v.answers["loss"], abs=1e-12)
        kinds.add(p["loss"])
    assert kinds == {"mse", "bce"}


def test_forward_loss_error_carried_forward():
    t = load("autoencoder.forward_loss")
    v = t.draw(rng_for(4), "4")
    p = params(v)
    wrong_z = np.array(v.answers["z"]) + np.array([0.1, -0.1])
    x_hat = sig(p["layers"][1]["W"] @ wrong_z + p["layers"][1]["b"])
    responses = {"z": fmt(wrong_z), "x_hat": fmt(x_hat), "loss": f"{_loss(p['loss'], x_hat, p['x']):.6f}"}
    assert grade_statuses(t, v, responses) == ["wrong", "ecf", "ecf"]


def test_compression_ratio_against_arithmetic():
    t = load("autoencoder.compression_ratio")
    for v in variants(t, seeds=SEEDS)[1]:
        p = v.params
        n = p["H"] * p["W"] * p["C"]
        assert v.answers["ratio"] == pytest.approx(n / p["code_dim"])
        assert v.answers["bits_in"] == 8 * n
        assert v.answers["bits_code"] == p["code_dim"] * p["code_bits"]
        assert v.answers["ratio_bits"] == pytest.approx(8 * n / (p["code_dim"] * p["code_bits"]))
        assert v.mistakes["channels_forgotten"]["ratio"] == pytest.approx(n / 3 / p["code_dim"])


def test_compression_ratio_error_carried_forward():
    t = load("autoencoder.compression_ratio")
    v = t.draw(rng_for(2), "2")
    p = v.params
    wrong_bits = p["H"] * p["W"] * p["pixel_bits"]  # channels forgotten in (b) only
    responses = {"ratio": f"{v.answers['ratio']:.4f}", "bits_in": str(wrong_bits),
                 "bits_code": str(v.answers["bits_code"]),
                 "ratio_bits": f"{wrong_bits / v.answers['bits_code']:.4f}"}
    assert grade_statuses(t, v, responses) == ["correct", "wrong", "correct", "ecf"]


def _kl(mu, log_var):
    return float(-0.5 * np.sum(1 + log_var - mu ** 2 - np.exp(log_var)))


def test_elbo_against_formulas():
    t = load("autoencoder.elbo")
    for v in variants(t, seeds=SEEDS)[1]:
        p = params(v)
        x, x_hat = p["x"], p["x_hat"]
        rec = float(-np.sum(np.where(x == 1, np.log(x_hat), np.log(1 - x_hat))))  # x is binary
        kl = _kl(p["mu"], p["log_var"])
        assert v.answers["rec"] == pytest.approx(rec, abs=1e-12)
        assert v.answers["kl"] == pytest.approx(kl, abs=1e-12)
        assert v.answers["elbo"] == pytest.approx(-rec - kl, abs=1e-12)
        assert v.mistakes["loss_for_elbo"]["elbo"] == pytest.approx(rec + kl, abs=1e-12)
        # the KL of N(mu, sigma^2) to N(0, 1), by numerical integration on one dimension
        mu, s2 = p["mu"][0], math.exp(p["log_var"][0])
        zs = np.linspace(-12, 12, 200001)
        q = np.exp(-(zs - mu) ** 2 / (2 * s2)) / math.sqrt(2 * math.pi * s2)
        integrand = q * (np.log(q) + 0.5 * np.log(2 * np.pi) + zs ** 2 / 2)
        assert np.trapezoid(integrand, zs) == pytest.approx(_kl(p["mu"][:1], p["log_var"][:1]), abs=1e-6)


def test_elbo_error_carried_forward():
    t = load("autoencoder.elbo")
    v = t.draw(rng_for(6), "6")
    wrong_kl = v.answers["kl"] + 0.5
    responses = {"rec": f"{v.answers['rec']:.4f}", "kl": f"{wrong_kl:.4f}",
                 "elbo": f"{-v.answers['rec'] - wrong_kl:.4f}"}
    assert grade_statuses(t, v, responses) == ["correct", "wrong", "ecf"]


# ----------------------------------------------------------------------------- gan


def _V(D, pd, pg):
    return float(np.sum(pd * np.log(D)) + np.sum(pg * np.log(1 - D)))


def test_optimal_value_against_js_from_scipy():
    t = load("gan.optimal_value")
    for v in variants(t, seeds=SEEDS)[1]:
        pd, pg = np.array(v.params["p_data"]), np.array(v.params["p_g"])
        D = pd / (pd + pg)
        np.testing.assert_allclose(v.answers["D_star"], D, atol=1e-12)
        assert v.answers["V"] == pytest.approx(_V(D, pd, pg), abs=1e-12)
        js = jensenshannon(pd, pg) ** 2  # scipy gives the JS distance, sqrt of the divergence, in nats
        assert v.answers["JS"] == pytest.approx(js, abs=1e-10)
        assert v.answers["V"] == pytest.approx(-math.log(4) + 2 * js, abs=1e-10)
        assert v.answers["V_min"] == pytest.approx(-1.3863, abs=5e-5)
        # D* is a maximiser: nudging it lowers V
        for delta in (0.01, -0.01):
            assert _V(np.clip(D + delta, 1e-6, 1 - 1e-6), pd, pg) < v.answers["V"]


def test_optimal_value_error_carried_forward():
    t = load("gan.optimal_value")
    v = t.draw(rng_for(8), "8")
    pd, pg = np.array(v.params["p_data"]), np.array(v.params["p_g"])
    wrong_D = pg / (pd + pg)  # inverted
    V = _V(wrong_D, pd, pg)
    responses = {"D_star": fmt(wrong_D), "V": f"{V:.6f}", "JS": f"{(V + math.log(4)) / 2:.6f}",
                 "V_min": "-1.3863"}
    assert grade_statuses(t, v, responses) == ["wrong", "ecf", "ecf", "correct"]


def test_js_divergence_against_scipy():
    t = load("gan.js_divergence")
    for v in variants(t, seeds=SEEDS)[1]:
        P, Q = np.array(v.params["p"]), np.array(v.params["q"])
        m = (P + Q) / 2
        assert v.answers["kl_pm"] == pytest.approx(float(np.sum(P * np.log(P / m))), abs=1e-12)
        assert v.answers["kl_qm"] == pytest.approx(float(np.sum(Q * np.log(Q / m))), abs=1e-12)
        assert v.answers["JS"] == pytest.approx(jensenshannon(P, Q) ** 2, abs=1e-10)
        assert 0 < v.answers["JS"] <= math.log(2)
        assert v.mistakes["log2"]["JS"] == pytest.approx(jensenshannon(P, Q, base=2) ** 2, abs=1e-10)


def test_js_divergence_error_carried_forward():
    t = load("gan.js_divergence")
    v = t.draw(rng_for(1), "1")
    wrong = v.answers["kl_pm"] + 0.05
    responses = {"kl_pm": f"{wrong:.4f}", "kl_qm": f"{v.answers['kl_qm']:.4f}",
                 "JS": f"{(wrong + v.answers['kl_qm']) / 2:.4f}"}
    assert grade_statuses(t, v, responses) == ["wrong", "correct", "ecf"]


def _softplus(x):
    return np.log1p(np.exp(x))


def _fd(f, x, h=1e-6):
    """Central finite differences of a scalar f at each entry of x."""
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def test_logit_gradients_against_finite_differences():
    t = load("gan.logit_gradient")
    for v in variants(t, seeds=SEEDS)[1]:
        lr, lf = np.array(v.params["l_real"]), np.array(v.params["l_fake"])
        # J_D = mean softplus(-l_real) + mean softplus(l_fake), written from -log sigma and -log(1 - sigma)
        J_D = lambda a, b: np.mean(-np.log(sig(a))) + np.mean(-np.log(1 - sig(b)))
        np.testing.assert_allclose(v.answers["g_real"], _fd(lambda a: J_D(a, lf), lr), atol=1e-7)
        np.testing.assert_allclose(v.answers["g_fake"], _fd(lambda b: J_D(lr, b), lf), atol=1e-7)
        np.testing.assert_allclose(v.answers["g_ns"], _fd(lambda b: np.mean(-np.log(sig(b))), lf), atol=1e-7)
        np.testing.assert_allclose(v.answers["g_sat"], _fd(lambda b: np.mean(np.log(1 - sig(b))), lf), atol=1e-7)
        # closed forms too
        np.testing.assert_allclose(v.answers["g_ns"], (sig(lf) - 1) / 2, atol=1e-12)
        np.testing.assert_allclose(v.mistakes["no_mean"]["g_sat"], -sig(lf), atol=1e-12)


def _gan_step(p, w_g=None, c_g=None):
    """One alternating step, gradients by finite differences of the two losses."""
    x, z = p["x_real"], p["z"]
    w, c, a, b = p["w"], p["c"], p["a"], p["b"]
    g = a * z + b

    def J_D(wc):
        return np.mean(-np.log(sig(wc[0] * x + wc[1]))) + np.mean(-np.log(1 - sig(wc[0] * g + wc[1])))

    dw, dc = _fd(J_D, np.array([w, c]))
    w_new, c_new = w - p["lr_d"] * dw, c - p["lr_d"] * dc
    w_g = w_new if w_g is None else w_g
    c_g = c_new if c_g is None else c_g

    def J_G(ab):
        return np.mean(-np.log(sig(w_g * (ab[0] * z + ab[1]) + c_g)))

    da, db = _fd(J_G, np.array([a, b]))
    return {"dw": dw, "dc": dc, "w_new": w_new, "c_new": c_new, "da": da, "db": db,
            "a_new": a - p["lr_g"] * da, "b_new": b - p["lr_g"] * db}


@pytest.mark.parametrize("size", ["calculator", "computer"])
def test_sgd_step_against_finite_differences(size):
    t = load("gan.sgd_step")
    for v in variants(t, size, seeds=SEEDS)[1]:
        p = params(v)
        assert len(p["x_real"]) == (2 if size == "calculator" else 4)
        expected = _gan_step(p)
        for name, value in expected.items():
            assert v.answers[name] == pytest.approx(value, abs=1e-7), name
        # the "simultaneous" mistake is the generator's gradient at the old discriminator
        old = _gan_step(p, w_g=p["w"], c_g=p["c"])
        assert v.mistakes["simultaneous"]["da"] == pytest.approx(old["da"], abs=1e-7)


def test_sgd_step_error_carried_forward():
    t = load("gan.sgd_step")
    v = t.draw(rng_for(5), "5")
    p = params(v)
    wrong_dw = v.answers["dw"] + 0.3
    w_new = p["w"] - p["lr_d"] * wrong_dw
    after = _gan_step(p, w_g=w_new, c_g=v.answers["c_new"])
    responses = {"dw": f"{wrong_dw:.6f}", "dc": f"{v.answers['dc']:.6f}", "w_new": f"{w_new:.6f}",
                 "c_new": f"{v.answers['c_new']:.6f}", "da": f"{after['da']:.6f}",
                 "db": f"{after['db']:.6f}", "a_new": f"{after['a_new']:.6f}",
                 "b_new": f"{after['b_new']:.6f}"}
    assert grade_statuses(t, v, responses) == ["wrong", "correct", "ecf", "correct",
                                         "ecf", "ecf", "ecf", "ecf"]
