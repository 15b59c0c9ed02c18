"""Hand solvers for the numeric templates of the bundled bank, written from each template's STEM.

Nothing here imports question_bank, quizgen or reference_impl: each solver is the arithmetic a
student with a calculator does, read off the stem (and the worked solution's order of steps), on
the params frozen in a build's manifest.json (read as plain JSON, so arrays arrive as lists).

A solver takes (p, hand) and returns {part name: value}. `hand.r(x)` rounds an intermediate the way
the path being followed does (half up, like a calculator display): to 4 decimals (the stems' usual
ask), to 5, or, where `hand.hint` is true, following the stem's or the worked solution's own order.
A value the student has already written as an answer and then goes on with also passes through
`hand.r`. The final rounding to the decimals each part asks for is done by `answer_text`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Hand:
    """One rounding path: intermediates to `decimals` decimals; `hint`: follow the stem's own hint."""

    decimals: int
    hint: bool = False

    def r(self, x):
        return round_half_up(x, self.decimals)


def round_half_up(x, decimals: int):
    """x rounded half away from zero to `decimals` decimals, as a calculator shows it."""
    a = np.asarray(x, dtype=float)
    scale = 10.0 ** decimals
    out = np.sign(a) * np.floor(np.abs(a) * scale + 0.5 + 1e-9) / scale
    return float(out) if out.ndim == 0 else out


PATHS = {"4 decimals": Hand(4), "5 decimals": Hand(5), "stem's hint": Hand(4, hint=True)}


@dataclass(frozen=True)
class Solver:
    template_id: str
    solve: object
    decimals: dict      # part name -> decimals the stem asks for the final answer (default 4)
    hint: bool          # whether the stem's hint gives a path of its own


SOLVERS: dict[str, Solver] = {}


def solver(template_id: str, *, hint: bool = False, decimals: dict | None = None):
    def register(fn):
        SOLVERS[template_id] = Solver(template_id, fn, decimals or {}, hint)
        return fn
    return register


def part_decimals(template_id: str, part: str) -> int:
    return SOLVERS[template_id].decimals.get(part, 4)


def answer_text(kind: str, value, decimals: int) -> str:
    """The text a student types for one part, in the answer sheet's formats."""
    if kind == "integer":
        return str(round(float(value)))
    if kind == "shape":
        return "(" + ", ".join(str(int(v)) for v in value) + ")"
    if kind == "choice":
        return ", ".join(sorted(value))
    if kind == "number":
        return f"{round_half_up(value, decimals):.{decimals}f}"
    if kind == "vector":
        return "[" + ", ".join(f"{v:.{decimals}f}" for v in round_half_up(np.ravel(value), decimals)) + "]"
    if kind == "matrix":
        m = round_half_up(np.atleast_2d(value), decimals)
        return "; ".join(" ".join(f"{v:.{decimals}f}" for v in row) for row in m)
    raise ValueError(f"no hand format for the kind {kind!r}")


def perturbed(kind: str, value, decimals: int, sign: int, scale: float = 1, at_least: float = 0.0):
    """The answer moved well beyond any rounding interval: by `scale` times the most of 10 units of
    the last decimal, 1e-3 of its size and `at_least`; integers and shapes by 1; a choice becomes
    the letter after its first."""
    if kind == "choice":
        return {chr(ord(min(value)) + 1)}
    if kind == "integer":
        return round(float(value)) + sign
    if kind == "shape":
        return [int(value[0]) + sign, *[int(v) for v in value[1:]]]
    a = np.asarray(value, dtype=float)
    delta = scale * np.maximum(np.maximum(10 * 10.0 ** -decimals, 1e-3 * np.abs(a)), at_least)
    return a + sign * delta


def arr(x):
    return np.asarray(x, dtype=float)


def tanh(x):
    return np.tanh(arr(x))


def sigmoid(x):
    return 1 / (1 + np.exp(-arr(x)))


def softmax_by_hand(z, hand):
    """e^{z_i} rounded, their sum, each share rounded: the stems' softmax by hand."""
    e = hand.r(np.exp(arr(z)))
    total = hand.r(np.sum(e))
    return hand.r(e / total)


# ----------------------------------------------------------------------------------------------
# Named in issue 14
# ----------------------------------------------------------------------------------------------

@solver("rbm.partition_function", hint=True)
def rbm_partition_function(p, hand):
    W, a, b, v = arr(p["W"]), arr(p["a"]), arr(p["b"]), arr(p["v"])
    states = [(0, 0), (0, 1), (1, 0), (1, 1)]
    terms = []
    for s in states:
        s = arr(s)
        if hand.hint:  # the hint's factors, each rounded: e^{a.v} and each 1 + e^{b_j + (v^T W)_j}
            factors = [hand.r(math.exp(a @ s))] + [hand.r(1 + math.exp(bj + (s @ W)[j])) for j, bj in enumerate(b)]
            term = factors[0]
            for f in factors[1:]:
                term = hand.r(term * f)
        else:
            term = math.exp(a @ s) * np.prod(1 + np.exp(b + s @ W))
        terms.append(hand.r(term))
    Z = hand.r(sum(terms))
    index = int(2 * v[0] + v[1])
    return {"Z": Z, "p_v": terms[index] / Z}


@solver("autoencoder.elbo")
def autoencoder_elbo(p, hand):
    x, xh, mu, lv = arr(p["x"]), arr(p["x_hat"]), arr(p["mu"]), arr(p["log_var"])
    bce = [hand.r(-math.log(q) if xi == 1 else -math.log(1 - q)) for xi, q in zip(x, xh)]
    rec = hand.r(sum(bce))
    var = hand.r(np.exp(lv))
    kl = hand.r(-0.5 * np.sum(1 + lv - mu ** 2 - var))
    return {"rec": rec, "kl": kl, "elbo": -rec - kl}


@solver("vanishing.gradient_factor")
def vanishing_gradient_factor(p, hand):
    w, a = float(p["W_hh"]), arr(p["a"])
    d = [hand.r(1 - hand.r(math.tanh(at)) ** 2) for at in a]
    J = [hand.r(w * dt) for dt in d]
    j43 = hand.r(J[3])
    j42 = hand.r(j43 * J[2])
    j40 = hand.r(hand.r(j42 * J[1]) * J[0])
    return {"dh4_dh3": j43, "dh4_dh2": j42, "dh4_dh0": j40}


@solver("bptt.two_unit_dW")
def bptt_two_unit_dW(p, hand):
    x, h0 = arr(p["x"]), arr(p["h0"])
    Wx, W, b, y = arr(p["W_xh"]), arr(p["W_hh"]), arr(p["b_h"]), arr(p["y"])
    a1 = hand.r(W @ h0 + Wx @ x[0] + b)
    h1 = hand.r(tanh(a1))
    a2 = hand.r(W @ h1 + Wx @ x[1] + b)
    h2 = hand.r(tanh(a2))
    g2 = hand.r(h2 - y)
    d2 = hand.r(1 - h2 ** 2)
    delta2 = hand.r(d2 * g2)
    g1 = hand.r(W.T @ delta2)
    d1 = hand.r(1 - h1 ** 2)
    delta1 = hand.r(d1 * g1)
    term2 = hand.r(np.outer(delta2, h1))
    term1 = hand.r(np.outer(delta1, h0))
    return {"dL_dh2": g2, "dL_dh1": g1, "dL_dW": term2 + term1}


@solver("mcmc.gibbs_gaussian", hint=True)
def mcmc_gibbs_gaussian(p, hand):
    mu, sigma, rho, x0, z = arr(p["mu"]), arr(p["sigma"]), float(p["rho"]), arr(p["x0"]), arr(p["normals"])[0]

    def update(i, other):
        j = 1 - i
        if hand.hint:  # sqrt(1 - rho^2) first, then each product rounded
            root = hand.r(math.sqrt(1 - rho ** 2))
            s = hand.r(sigma[i] * root)
            m = hand.r(mu[i] + hand.r(rho * sigma[i] / sigma[j]) * (other - mu[j]))
        else:
            s = hand.r(sigma[i] * math.sqrt(1 - rho ** 2))
            m = hand.r(mu[i] + rho * sigma[i] / sigma[j] * (other - mu[j]))
        return hand.r(m + s * z[i])

    x1 = update(0, x0[1])
    x2 = update(1, x1)
    return {"x1": x1, "x2": x2}


@solver("seq2seq.teacher_forcing_loss")
def seq2seq_teacher_forcing_loss(p, hand):
    d = p["dec_params"]
    E, Wx, Wh, b = arr(d["E"])[:, 0], arr(d["W_xh"])[0][0], arr(d["W_hh"])[0][0], arr(d["b_h"])[0]
    Why, by = arr(d["W_hy"])[:, 0], arr(d["b_y"])
    u, y = [int(t) for t in p["targets_in"]], [int(t) for t in p["targets_out"]]

    def step(s_prev, token, target):
        a = hand.r(Wh * s_prev + Wx * E[token] + b)
        s = hand.r(math.tanh(a))
        y_hat = softmax_by_hand(hand.r(Why * s + by), hand)
        return s, hand.r(-math.log(y_hat[target]))

    s1, L1 = step(float(p["c"]), u[0], y[0])
    s2, L2 = step(s1, u[1], y[1])
    return {"s1": s1, "L1": L1, "s2": s2, "L": L1 + L2}


@solver("bptt.truncated")
def bptt_truncated(p, hand):
    x, W, Wx, b, y = arr(p["x"]), float(p["W_hh"]), float(p["W_xh"]), float(p["b_h"]), float(p["y"])
    h = [float(p["h0"])]
    for t in range(3):
        a = hand.r(W * h[-1] + Wx * x[t] + b)
        h.append(hand.r(math.tanh(a)))
    g = hand.r(h[3] - y)
    d = {t: hand.r(1 - h[t] ** 2) for t in (1, 2, 3)}
    J = {t: hand.r(W * d[t]) for t in (2, 3)}
    E = {t: hand.r(d[t] * h[t - 1]) for t in (1, 2, 3)}
    term3 = hand.r(g * E[3])
    term2 = hand.r(g * J[3] * E[2])
    term1 = hand.r(g * J[3] * J[2] * E[1])
    trunc1 = term3
    trunc2 = hand.r(trunc1 + term2)
    return {"trunc1": trunc1, "trunc2": trunc2, "full": trunc2 + term1}


@solver("rnn.softmax_output")
def rnn_softmax_output(p, hand):
    h, W, b = arr(p["h"]), arr(p["W_hy"]), arr(p["b_y"])
    z = hand.r(W @ h + b)
    y_hat = softmax_by_hand(z, hand)
    return {"z": z, "y_hat": y_hat, "L": -math.log(y_hat[int(p["targets"][0])])}


def sig(z, hand):
    """sigma(z) by hand: e^{-z} first, then 1 / (1 + e^{-z})."""
    return hand.r(1 / (1 + hand.r(np.exp(-arr(z)))))


# ----------------------------------------------------------------------------------------------
# rnn, bptt
# ----------------------------------------------------------------------------------------------

@solver("rnn.forward_two_steps")
def rnn_forward_two_steps(p, hand):
    W, Wx, b, h = arr(p["W_hh"]), arr(p["W_xh"]), arr(p["b_h"]), arr(p["h0"])
    out = {}
    for t, x in enumerate(arr(p["x"]), start=1):
        h = hand.r(tanh(hand.r(W @ h + Wx @ x + b)))
        out[f"h{t}"] = h
    return out


@solver("rnn.many_to_one")
def rnn_many_to_one(p, hand):
    W, Wx, b, h = arr(p["W_hh"]), arr(p["W_xh"]), arr(p["b_h"]), arr(p["h0"])
    for x in arr(p["x"]):
        h = np.maximum(0, hand.r(W @ h + Wx @ x + b))
    s = hand.r(float((arr(p["W_hy"]) @ h)[0] + arr(p["b_y"])[0]))
    y_hat = float(sig(s, hand))
    return {"s": s, "y_hat": y_hat, "L": -math.log(y_hat if p["y"] == 1 else 1 - y_hat)}


@solver("rnn.relu_three_steps")
def rnn_relu_three_steps(p, hand):
    W, Wx, b, h = arr(p["W_hh"]), arr(p["W_xh"]), arr(p["b_h"]), arr(p["h0"])
    states = []
    for x in arr(p["x"]):
        h = np.maximum(0, hand.r(W @ h + Wx @ x + b))
        states.append(h)
    return {"h1": states[0], "h2": states[1], "hT": states[-1]}


@solver("rnn.shapes_params")
def rnn_shapes_params(p, hand):
    D, H, V = p["D"], p["H"], p["V"]
    return {"W_xh": (H, D), "W_hh": (H, H), "W_hy": (V, H), "n_params": H * D + H * H + V * H + H + V}


@solver("bptt.scalar_chain")
def bptt_scalar_chain(p, hand):
    x, W, Wx, b, y = arr(p["x"]), float(p["W_hh"]), float(p["W_xh"]), float(p["b_h"]), float(p["y"])
    h = [float(p["h0"])]
    for t in range(3):
        h.append(hand.r(math.tanh(hand.r(W * h[-1] + Wx * x[t] + b))))
    d = {t: hand.r(1 - h[t] ** 2) for t in (1, 2, 3)}
    J = {t: hand.r(W * d[t]) for t in (2, 3)}
    E = {t: hand.r(d[t] * h[t - 1]) for t in (1, 2, 3)}
    dh3_dh2 = J[3]
    dh3_dh1 = hand.r(dh3_dh2 * J[2])
    g = hand.r(h[3] - y)
    total = hand.r(E[3] + dh3_dh2 * E[2] + dh3_dh1 * E[1])
    return {"dh3_dh2": dh3_dh2, "dh3_dh1": dh3_dh1, "dL_dW": g * total}


@solver("bptt.output_weight_grad")
def bptt_output_weight_grad(p, hand):
    W, b, hs = arr(p["W_hy"]), arr(p["b_y"]), arr(p["h"])
    out, dW = {}, 0
    for t, (h, target) in enumerate(zip(hs, p["targets"]), start=1):
        y_hat = softmax_by_hand(hand.r(W @ h + b), hand)
        out[f"y_hat{t}"] = y_hat
        e = y_hat - np.eye(len(b))[int(target)]
        dW = dW + hand.r(np.outer(e, h))
    out["dW_ya"] = dW
    return out


# ----------------------------------------------------------------------------------------------
# lstm, gru
# ----------------------------------------------------------------------------------------------

@solver("lstm.cell_step")
def lstm_cell_step(p, hand):
    hx = arr([p["h0"], p["x"]])
    a = {g: hand.r(arr(p[f"W_{g}"]) @ hx + p[f"b_{g}"]) for g in "fico"}
    f, i, o = (float(sig(a[g], hand)) for g in "fio")
    C_tilde = hand.r(math.tanh(a["c"]))
    C = hand.r(f * p["c0"] + i * C_tilde)
    return {"f": f, "i": i, "C_tilde": C_tilde, "C": C, "o": o, "h": o * hand.r(math.tanh(C))}


@solver("lstm.cell_gradient")
def lstm_cell_gradient(p, hand):
    k, f, dC = int(p["k"]), arr(p["f"]), float(p["dC"])
    dC_prev = hand.r(dC * f[k])
    prod = 1.0
    for v in f[1:k]:
        prod = hand.r(prod * v)
    dh = dC
    for h in arr(p["h"]):
        dh = hand.r(dh * hand.r(p["W_hh"] * (1 - h ** 2)))
    return {"dC_prev": dC_prev, "dC_k": dC_prev * prod, "dh_k": dh}


def lstm_gate_params(D, H, convention):
    return H * (H + D) + (2 * H if convention == "pytorch" else H)


@solver("lstm.param_count")
def lstm_param_count(p, hand):
    gate = lstm_gate_params(p["D"], p["H"], p["convention"])
    return {"gate": gate, "total": 4 * gate}


@solver("lstm.two_steps")
def lstm_two_steps(p, hand):
    h, C = arr(p["h0"]), arr(p["c0"])
    out = {}
    for t, x in enumerate(arr(p["x"]), start=1):
        hx = np.concatenate([h, x])
        a = {g: hand.r(arr(p[f"W_{g}"]) @ hx + arr(p[f"b_{g}"])) for g in "fico"}
        f, i, o = (sig(a[g], hand) for g in "fio")
        C = hand.r(f * C + i * hand.r(tanh(a["c"])))
        h = hand.r(o * hand.r(tanh(C)))
        if t == 1:
            out["C1"], out["h1"] = C, h
    out["CT"], out["hT"] = C, h
    return out


@solver("gru.step_course")
def gru_step_course(p, hand):
    h0, x = arr(p["h0"]), float(p["x"])
    H = len(h0)
    hx = np.append(h0, x)
    u = sig(hand.r(arr(p["W_u"]) @ hx + arr(p["b_u"])), hand)
    r = sig(hand.r(arr(p["W_r"]) @ hx + arr(p["b_r"])), hand)
    Wc = arr(p["W_c"])
    rh = hand.r(r * h0)
    C_hat = hand.r(tanh(hand.r(Wc[:, :H] @ rh + Wc[:, H:] @ [x] + arr(p["b_c"]))))
    return {"u": u, "r": r, "C_hat": C_hat, "h": u * C_hat + (1 - u) * h0}


@solver("gru.step_pytorch")
def gru_step_pytorch(p, hand):
    h0, x = arr(p["h0"]), arr([p["x"]])
    P = {k: arr(v) for k, v in p.items() if k.startswith(("W_", "b_"))}
    r = sig(hand.r(P["W_ir"] @ x + P["b_ir"] + P["W_hr"] @ h0 + P["b_hr"]), hand)
    z = sig(hand.r(P["W_iz"] @ x + P["b_iz"] + P["W_hz"] @ h0 + P["b_hz"]), hand)
    xn = hand.r(P["W_in"] @ x + P["b_in"])
    hn = hand.r(P["W_hn"] @ h0 + P["b_hn"])
    n = hand.r(tanh(hand.r(xn + r * hn)))
    return {"r": r, "z": z, "n": n, "h": (1 - z) * n + z * h0}


def gru_params(D, H, convention):
    two_biases = convention in ("pytorch", "keras_reset_after")
    return 3 * H * (H + D), (6 if two_biases else 3) * H


@solver("gru.param_count")
def gru_param_count(p, hand):
    weights, biases = gru_params(p["D"], p["H"], p["convention"])
    return {"weights": weights, "biases": biases, "total": weights + biases}


@solver("gru.lstm_ratio")
def gru_lstm_ratio(p, hand):
    n_gru = sum(gru_params(p["D"], p["H"], p["gru"]))
    n_lstm = 4 * lstm_gate_params(p["D"], p["H"], p["lstm"])
    return {"n_gru": n_gru, "n_lstm": n_lstm, "ratio": n_gru / n_lstm}


# ----------------------------------------------------------------------------------------------
# cnn
# ----------------------------------------------------------------------------------------------

@solver("cnn.conv_entries", decimals={"pool": 2})
def cnn_conv_entries(p, hand):
    x, w, b = arr(p["x"]), arr(p["w"]), float(p["b"])
    out = {}
    for name, (i, j) in zip(("y_a", "y_b"), p["entries"]):
        out[name] = b + float(np.sum(w * x[i:i + 3, j:j + 3]))
    m = arr(p["m"])
    out["pool"] = np.array([[m[2 * i:2 * i + 2, 2 * j:2 * j + 2].max() for j in range(2)] for i in range(2)])
    return out


@solver("cnn.conv_output_shape")
def cnn_conv_output_shape(p, hand):
    k, s, pad, d = p["kernel"], p["stride"], p["padding"], p["dilation"]
    size = [(p[axis] + 2 * pad - d * (k - 1) - 1) // s + 1 for axis in ("H", "W")]
    return {"out_shape": (p["F"], *size), "n_params": p["F"] * (p["C_in"] * k * k + 1)}


@solver("cnn.conv_params_macs")
def cnn_conv_params_macs(p, hand):
    C, F, k = p["C_in"], p["F"], p["kernel"]
    H_out = (p["H"] + 2 * p["padding"] - k) // p["stride"] + 1
    return {"n_params": F * (C * k * k + 1), "H_out": H_out, "macs": F * C * k * k * H_out * H_out}


@solver("cnn.pool_matrix", decimals={"max": 2, "avg": 4})
def cnn_pool_matrix(p, hand):
    m, k = arr(p["m"]), int(p["kernel"])
    blocks = [[m[i * k:(i + 1) * k, j * k:(j + 1) * k] for j in range(2)] for i in range(2)]
    return {"max": np.array([[b.max() for b in row] for row in blocks]),
            "avg": np.array([[b.sum() / (k * k) for b in row] for row in blocks])}


@solver("cnn.pool_output_shape")
def cnn_pool_output_shape(p, hand):
    k, s, pad = p["kernel"], p["stride"], p["padding"]
    size = {}
    for axis in ("H", "W"):
        span = p[axis] + 2 * pad - k
        size[axis] = (math.ceil(span / s) if p["ceil_mode"] else span // s) + 1
    return {"H_out": size["H"], "W_out": size["W"], "n_out": p["C"] * size["H"] * size["W"]}


@solver("cnn.receptive_field")
def cnn_receptive_field(p, hand):
    r, J, rs = 1, 1, []
    for k, s, d in zip(p["kernels"], p["strides"], p["dilations"]):
        r, J = r + d * (k - 1) * J, J * s
        rs.append(r)
    return {"r2": rs[1], "r3": rs[2], "jump": J}


# ----------------------------------------------------------------------------------------------
# autoencoder
# ----------------------------------------------------------------------------------------------

@solver("autoencoder.compression_ratio")
def autoencoder_compression_ratio(p, hand):
    n = p["H"] * p["W"] * p["C"]
    bits_in, bits_code = n * p["pixel_bits"], p["code_dim"] * p["code_bits"]
    return {"ratio": n / p["code_dim"], "bits_in": bits_in, "bits_code": bits_code, "ratio_bits": bits_in / bits_code}


@solver("autoencoder.forward_loss")
def autoencoder_forward_loss(p, hand):
    layers, h = p["layers"], arr(p["x"])
    code = len(layers) // 2 - 1
    out = {}
    for k, layer in enumerate(layers):
        h = sig(hand.r(arr(layer["W"]) @ h + arr(layer["b"])), hand)
        if k == code:
            out["z"] = h
    out["x_hat"] = h
    x = arr(p["x"])
    if p["loss"] == "mse":
        terms = hand.r((h - x) ** 2)
    else:
        terms = hand.r([-math.log(q) if xi == 1 else -math.log(1 - q) for xi, q in zip(x, h)])
    out["loss"] = hand.r(np.sum(terms)) / len(x)
    return out


@solver("autoencoder.param_count")
def autoencoder_param_count(p, hand):
    sizes = [int(s) for s in p["layer_sizes"]]
    weights = [a * b for a, b in itertools.pairwise(sizes)]
    biases = sum(sizes[1:])
    return {"untied": sum(weights) + biases, "tied": sum(weights[: len(weights) // 2]) + biases}


@solver("autoencoder.vae_kl_reparam")
def autoencoder_vae_kl_reparam(p, hand):
    mu, lv, eps = arr(p["mu"]), arr(p["log_var"]), arr(p["eps"])
    sigma = hand.r(np.exp(lv / 2))
    var = hand.r(np.exp(lv))
    return {"z": mu + sigma * eps, "kl": -0.5 * np.sum(1 + lv - mu ** 2 - var)}


# ----------------------------------------------------------------------------------------------
# dbm, rbm
# ----------------------------------------------------------------------------------------------

@solver("dbm.energy")
def dbm_energy(p, hand):
    v, h1, h2 = arr(p["v"]), arr(p["h1"]), arr(p["h2"])
    return {"E": -(v @ arr(p["W1"]) @ h1) - (h1 @ arr(p["W2"]) @ h2)
            - arr(p["a"]) @ v - arr(p["b1"]) @ h1 - arr(p["b2"]) @ h2}


@solver("dbm.exact_marginals", hint=True)
def dbm_exact_marginals(p, hand):
    v, W1, W2, b1, b2 = arr(p["v"]), arr(p["W1"]), arr(p["W2"]), arr(p["b1"]), arr(p["b2"])
    pre0 = b1 + W1.T @ v
    pre1 = pre0 + W2[:, 0]
    if hand.hint:  # the hint's factors, each rounded
        w0 = hand.r(np.prod(hand.r(1 + np.exp(pre0))))
        w1 = hand.r(hand.r(math.exp(b2[0])) * hand.r(np.prod(hand.r(1 + np.exp(pre1)))))
    else:
        w0 = hand.r(np.prod(1 + np.exp(pre0)))
        w1 = hand.r(math.exp(b2[0]) * np.prod(1 + np.exp(pre1)))
    q = hand.r(w1 / (w0 + w1))
    p_h1 = hand.r((1 - q) * sig(pre0, hand) + q * sig(pre1, hand))
    mu1 = sig(hand.r(pre0 + W2[:, 0] * 0.5), hand)
    return {"p_h2": q, "p_h1": p_h1, "mu1": mu1, "gap": mu1 - p_h1}


@solver("dbm.mean_field_update")
def dbm_mean_field_update(p, hand):
    v, W1, W2, b1, b2 = arr(p["v"]), arr(p["W1"]), arr(p["W2"]), arr(p["b1"]), arr(p["b2"])
    mu1 = sig(hand.r(b1 + W1.T @ v + W2 @ arr(p["mu2_init"])), hand)
    mu2 = float(sig(hand.r(b2[0] + W2[:, 0] @ mu1), hand))
    return {"mu1": mu1, "mu2": mu2}


@solver("dbm.param_count")
def dbm_param_count(p, hand):
    n_v, n_h1, n_h2 = p["n_v"], p["n_h1"], p["n_h2"]
    weights = n_v * n_h1 + n_h1 * n_h2
    return {"weights": weights, "total": weights + n_v + n_h1 + n_h2}


@solver("rbm.cd1_update", decimals={"h0": 0})
def rbm_cd1_update(p, hand):
    W, a, b, v0, u = arr(p["W"]), arr(p["a"]), arr(p["b"]), arr(p["v0"]), arr(p["u_h"])
    p_h0 = sig(hand.r(b + W.T @ v0), hand)
    h0 = (p_h0 > u).astype(float)
    v1 = sig(hand.r(a + W @ h0), hand)
    p_h1 = sig(hand.r(b + W.T @ v1), hand)
    positive, negative = hand.r(np.outer(v0, p_h0)), hand.r(np.outer(v1, p_h1))
    return {"p_h0": p_h0, "h0": h0, "v1": v1, "p_h1": p_h1, "dW": p["lr"] * (positive - negative)}


@solver("rbm.conditionals")
def rbm_conditionals(p, hand):
    W, a, b = arr(p["W"]), arr(p["a"]), arr(p["b"])
    return {"p_h": sig(b + W.T @ arr(p["v"]), hand), "p_v": sig(a + W @ arr(p["h"]), hand)}


@solver("rbm.energy")
def rbm_energy(p, hand):
    v, h, W, a, b = arr(p["v"]), arr(p["h"]), arr(p["W"]), arr(p["a"]), arr(p["b"])
    E = hand.r(-(a @ v) - b @ h - v @ W @ h)
    return {"E": E, "weight": math.exp(-E)}


@solver("rbm.free_energy")
def rbm_free_energy(p, hand):
    v, W, a, b = arr(p["v"]), arr(p["W"]), arr(p["a"]), arr(p["b"])
    x = b + W.T @ v
    softplus = hand.r(np.log(1 + hand.r(np.exp(x))))
    return {"F": -(a @ v) - np.sum(softplus)}


@solver("rbm.gibbs_step", decimals={"h": 0, "v_new": 0})
def rbm_gibbs_step(p, hand):
    W, a, b, v = arr(p["W"]), arr(p["a"]), arr(p["b"]), arr(p["v"])
    p_h = sig(b + W.T @ v, hand)
    h = (p_h > arr(p["u_h"])).astype(float)
    p_v = sig(a + W @ h, hand)
    return {"p_h": p_h, "h": h, "p_v": p_v, "v_new": (p_v > arr(p["u_v"])).astype(float)}


# ----------------------------------------------------------------------------------------------
# bidirectional, vanishing
# ----------------------------------------------------------------------------------------------

def lstm_scalar_step(params, h, C, x, hand):
    """One LSTM step with H = D = 1, each W a row [w_h, w_x]: (h, C)."""
    a = {g: hand.r(params[f"W_{g}"][0][0] * h + params[f"W_{g}"][0][1] * x + params[f"b_{g}"][0]) for g in "fico"}
    f, i, o = (float(sig(a[g], hand)) for g in "fio")
    C = hand.r(f * C + i * hand.r(math.tanh(a["c"])))
    return hand.r(o * hand.r(math.tanh(C))), C


@solver("bidirectional.bilstm_output")
def bidirectional_bilstm_output(p, hand):
    x, t = [float(v) for v in p["x"]], int(p["t"])
    fwd, bwd = p["fwd"], p["bwd"]
    h, C, forward = float(fwd["h0"][0]), float(fwd["c0"][0]), []
    for xt in x:
        h, C = lstm_scalar_step(fwd["params"], h, C, xt, hand)
        forward.append(h)
    h, C, backward = float(bwd["h0"][0]), float(bwd["c0"][0]), {}
    for k in reversed(range(len(x))):
        h, C = lstm_scalar_step(bwd["params"], h, C, x[k], hand)
        backward[k] = h
    return {"h_fwd": forward[t - 1], "h_bwd": backward[t - 1]}


@solver("bidirectional.birnn_output")
def bidirectional_birnn_output(p, hand):
    x, t = [float(v) for v in p["x"]], int(p["t"])

    def run(d, order):
        h, states = float(np.ravel(d["h0"])[0]), {}
        w, wx, b = (float(np.ravel(d[k])[0]) for k in ("W_hh", "W_xh", "b_h"))
        for k in order:
            h = hand.r(math.tanh(hand.r(w * h + wx * x[k] + b)))
            states[k] = h
        return states

    return {"h_fwd": run(p["fwd"], range(len(x)))[t - 1], "h_bwd": run(p["bwd"], reversed(range(len(x))))[t - 1]}


def bidirectional_params(D, H, cell, convention):
    blocks = 4 if cell == "lstm" else 3
    return 2 * blocks * (H * (H + D) + (2 * H if convention == "pytorch" else H))


@solver("bidirectional.stacked_params")
def bidirectional_stacked_params(p, hand):
    out1 = 2 * p["H1"]
    return {"out1": out1, "params1": bidirectional_params(p["D"], p["H1"], p["cell"], p["convention"]),
            "params2": bidirectional_params(out1, p["H2"], p["cell"], p["convention"])}


@solver("vanishing.clipping")
def vanishing_clipping(p, hand):
    gW, gb, c, v = arr(p["grads"]["W"]), arr(p["grads"]["b"]), float(p["max_norm"]), float(p["clip_value"])
    norm = hand.r(math.sqrt(hand.r(np.sum(gW ** 2)) + hand.r(np.sum(gb ** 2))))
    scale = hand.r(c / norm) if norm > c else 1.0
    return {"norm": norm, "W_clipped": gW * scale, "b_clipped": gb * scale, "W_value": np.clip(gW, -v, v)}


@solver("vanishing.steps_to_vanish")
def vanishing_steps_to_vanish(p, hand):
    q = hand.r(abs(p["W_hh"]) * p["gamma"])
    ratio = math.log(p["eps"]) / math.log(q)
    return {"q": q, "n": math.floor(ratio) + 1}


# ----------------------------------------------------------------------------------------------
# gan
# ----------------------------------------------------------------------------------------------

def kl_by_hand(P, M, hand):
    return hand.r(sum(hand.r(pi * hand.r(math.log(pi / mi))) for pi, mi in zip(P, M) if pi > 0))


@solver("gan.js_divergence")
def gan_js_divergence(p, hand):
    P, Q = arr(p["p"]), arr(p["q"])
    m = (P + Q) / 2
    kl_pm, kl_qm = kl_by_hand(P, m, hand), kl_by_hand(Q, m, hand)
    return {"kl_pm": kl_pm, "kl_qm": kl_qm, "JS": (kl_pm + kl_qm) / 2}


@solver("gan.logit_gradient")
def gan_logit_gradient(p, hand):
    d_real, d_fake = sig(p["l_real"], hand), sig(p["l_fake"], hand)
    m = len(d_real)
    return {"g_real": (d_real - 1) / m, "g_fake": d_fake / m, "g_ns": (d_fake - 1) / m, "g_sat": -d_fake / m}


@solver("gan.losses")
def gan_losses(p, hand):
    d_real, d_fake = arr(p["d_real"]), arr(p["d_fake"])
    log_real, log_fake, log_not_fake = (hand.r(np.log(v)) for v in (d_real, d_fake, 1 - d_fake))
    m = len(d_real)
    pd, pg = arr(p["p_data"]), arr(p["p_g"])
    return {"J_D": -np.sum(log_real) / m - np.sum(log_not_fake) / m, "J_G_sat": np.sum(log_not_fake) / m,
            "J_G": -np.sum(log_fake) / m, "D_star": pd / (pd + pg)}


@solver("gan.optimal_value")
def gan_optimal_value(p, hand):
    pd, pg = arr(p["p_data"]), arr(p["p_g"])
    D = hand.r(pd / (pd + pg))
    real = hand.r(np.sum(pd * hand.r(np.log(D))))
    fake = hand.r(np.sum(pg * hand.r(np.log(1 - D))))
    V = hand.r(real + fake)
    log4 = hand.r(math.log(4))
    return {"D_star": D, "V": V, "JS": (V + log4) / 2, "V_min": -log4}


@solver("gan.sgd_step")
def gan_sgd_step(p, hand):
    x, z = arr(p["x_real"]), arr(p["z"])
    w, c, a, b = (float(p[k]) for k in "wcab")
    m, n = len(x), len(z)
    x_fake = a * z + b
    d_real = sig(w * x + c, hand)
    d_fake = sig(w * x_fake + c, hand)
    dl_real, dl_fake = (d_real - 1) / m, d_fake / n
    dw = hand.r(np.sum(dl_real * x) + np.sum(dl_fake * x_fake))
    dc = hand.r(np.sum(dl_real) + np.sum(dl_fake))
    w_new, c_new = hand.r(w - p["lr_d"] * dw), hand.r(c - p["lr_d"] * dc)
    d_g = sig(hand.r(w_new * x_fake + c_new), hand)
    dl = hand.r((d_g - 1) / n * w_new)                   # dJ_G/dG(z_j)
    da, db = hand.r(np.sum(dl * z)), hand.r(np.sum(dl))
    return {"dw": dw, "dc": dc, "w_new": w_new, "c_new": c_new, "da": da, "db": db,
            "a_new": a - p["lr_g"] * da, "b_new": b - p["lr_g"] * db}


# ----------------------------------------------------------------------------------------------
# mcmc, seq2seq
# ----------------------------------------------------------------------------------------------

def inverse_cdf(probs, u):
    """The smallest state whose cumulative probability exceeds u."""
    return int(np.argmax(np.cumsum(probs) > u))


@solver("mcmc.gibbs_discrete")
def mcmc_gibbs_discrete(p, hand):
    n = arr(p["joint_table"])
    y0, (u_x, u_y) = p["x0"][1], p["uniforms"][0]
    p_x = hand.r(n[:, y0] / n[:, y0].sum())
    x1 = inverse_cdf(p_x, u_x)
    p_y = hand.r(n[x1, :] / n[x1, :].sum())
    return {"p_x": p_x, "x1": x1, "p_y": p_y, "y1": inverse_cdf(p_y, u_y)}


@solver("mcmc.metropolis_hastings")
def mcmc_metropolis_hastings(p, hand):
    x, xp, pt, Q = p["x_current"], p["x_proposed"], arr(p["p_tilde"]), arr(p["Q"])
    alpha = hand.r(min(1.0, pt[xp - 1] * Q[xp - 1, x - 1] / (pt[x - 1] * Q[x - 1, xp - 1])))
    return {"alpha": alpha, "x_next": xp if p["u"] < alpha else x}


@solver("mcmc.n_step_distribution")
def mcmc_n_step_distribution(p, hand):
    P, pi0 = arr(p["P"]), arr(p["pi0"])
    pi1 = hand.r(pi0 @ P)
    # pi* (P - I) = 0 with the entries summing to 1: replace one equation by the sum
    A = (P - np.eye(3)).T
    A[-1] = 1
    return {"pi1": pi1, "pi2": pi1 @ P, "pi_stat": np.linalg.solve(A, [0, 0, 1])}


@solver("seq2seq.context_vector")
def seq2seq_context_vector(p, hand):
    enc, dec = p["enc_params"], p["dec_params"]
    h = 0.0
    for (x,) in p["x"]:
        h = hand.r(math.tanh(hand.r(enc["W_hh"][0][0] * h + enc["W_xh"][0][0] * x + enc["b_h"][0])))
    s1 = hand.r(math.tanh(hand.r(dec["W_hh"][0][0] * h + dec["W_xh"][0][0] * dec["E"][0][0] + dec["b_h"][0])))
    y_hat = softmax_by_hand(hand.r(arr(dec["W_hy"])[:, 0] * s1 + arr(dec["b_y"])), hand)
    return {"c": h, "s1": s1, "y_hat": y_hat, "token": int(np.argmax(y_hat))}


@solver("seq2seq.greedy_decode")
def seq2seq_greedy_decode(p, hand):
    d = {k: arr(v) for k, v in p["dec_params"].items()}

    def step(s, token):
        s = hand.r(tanh(hand.r(d["W_hh"] @ s + d["W_xh"][:, 0] * d["E"][token, 0] + d["b_h"])))
        return s, int(np.argmax(hand.r(d["W_hy"] @ s + d["b_y"])))

    s1, token1 = step(arr(p["context"]), int(p["start_token"]))
    s2, token2 = step(s1, token1)
    return {"s1": s1, "token1": token1, "s2": s2, "token2": token2}


# ----------------------------------------------------------------------------------------------
# word2vec
# ----------------------------------------------------------------------------------------------

def vocabulary(tokens):
    """word -> index, in order of first appearance."""
    index = {}
    for w in tokens:
        index.setdefault(w, len(index))
    return index


def neg_log_sigmoid(s, hand):
    """-log sigma(s) by hand: sigma first, then its log."""
    return hand.r(-np.log(sig(s, hand)))


@solver("word2vec.cbow_hidden")
def word2vec_cbow_hidden(p, hand):
    tokens, t, m = list(p["tokens"]), int(p["position"]), int(p["window"])
    index = vocabulary(tokens)
    context = [index[tokens[j]] for j in range(max(0, t - m), min(len(tokens), t + m + 1)) if j != t]
    h = hand.r(arr(p["W_in"])[context].mean(axis=0))
    z = hand.r(arr(p["W_out"]) @ h)
    target = index[tokens[t]]
    return {"h": h, "score": z[target], "p": softmax_by_hand(z, hand)[target]}


@solver("word2vec.cosine_onehot", decimals={"onehot": 0})
def word2vec_cosine_onehot(p, hand):
    E = arr(p["vectors"])
    norms = hand.r(np.sqrt(np.sum(E ** 2, axis=1)))
    sims = hand.r((E[1:] @ E[0]) / (norms[0] * norms[1:]))
    index = vocabulary(list(p["tokens"]))
    onehot = np.zeros(len(index))
    onehot[index[p["word"]]] = 1
    return {"sims": sims, "nearest": {"ABC"[int(np.argmax(sims))]}, "onehot": onehot}


@solver("word2vec.negative_sampling_loss")
def word2vec_negative_sampling_loss(p, hand):
    W_in, W_out = arr(p["W_in"]), arr(p["W_out"])
    v = W_in[p["center"]]
    u_o, u_neg = W_out[p["context"]], W_out[list(p["negatives"])]
    s_pos, s_neg = hand.r(u_o @ v), hand.r(u_neg @ v)
    L = neg_log_sigmoid(s_pos, hand) + np.sum(neg_log_sigmoid(-s_neg, hand))
    grad = (sig(s_pos, hand) - 1) * u_o + sig(s_neg, hand) @ u_neg
    return {"s_pos": s_pos, "s_neg": s_neg, "L": L, "grad_vc": grad}


@solver("word2vec.skipgram_pairs")
def word2vec_skipgram_pairs(p, hand):
    tokens, m, t = list(p["tokens"]), int(p["window"]), int(p["position"])
    T = len(tokens)
    near = set(tokens[max(0, t - m):t] + tokens[t + 1:t + m + 1])
    return {"n_pairs": sum(min(m, j) + min(m, T - 1 - j) for j in range(T)),
            "contexts": {"ABCDEFGHIJ"[i] for i, w in enumerate(p["options"]) if w in near}}


@solver("word2vec.softmax_probability")
def word2vec_softmax_probability(p, hand):
    W_in, W_out = arr(p["W_in"]), arr(p["W_out"])
    z = hand.r(W_out @ W_in[p["center"]])
    o, neg = p["context"], list(p["negatives"])
    L = neg_log_sigmoid(z[o], hand) + np.sum(neg_log_sigmoid(-z[neg], hand))
    return {"z": z, "p": softmax_by_hand(z, hand)[o], "L_neg": L}


# ----------------------------------------------------------------------------------------------
# cnn.classic_layer: the two networks as the stem describes them
# ----------------------------------------------------------------------------------------------

def classic_rows(network):
    """name -> (output shape, parameters, connections), layer by layer from the stem's list."""
    size = lambda n, k, s=1, pad=0: (n + 2 * pad - k) // s + 1
    rows = {}
    if network == "lenet5":
        rows["C1"] = ((6, 28, 28), 6 * (25 + 1))
        rows["S2"] = ((6, 14, 14), 6 * 2)
        reads = 6 * 3 + 6 * 4 + 3 * 4 + 6                  # C3's connection table: S2 maps read, summed
        rows["C3"] = ((16, 10, 10), 25 * reads + 16)
        rows["S4"] = ((16, 5, 5), 16 * 2)
    else:
        n1 = size(227, 11, 4)                              # 55
        rows["conv1"] = ((96, n1, n1), 96 * (3 * 11 * 11 + 1))
        n2 = size(n1, 3, 2)                                # pool: 27
        rows["conv2"] = ((256, n2, n2), 256 * (48 * 5 * 5 + 1))
        n3 = size(n2, 3, 2)                                # pool: 13
        rows["conv3"] = ((384, n3, n3), 384 * (256 * 9 + 1))
        rows["conv4"] = ((384, n3, n3), 384 * (192 * 9 + 1))
        rows["conv5"] = ((256, n3, n3), 256 * (192 * 9 + 1))
    out = {}
    for name, (shape, params) in rows.items():
        C, H, W = shape
        pooling = name in ("S2", "S4")                     # each unit reads 4 inputs, plus its bias
        out[name] = (shape, params, C * H * W * 5 if pooling else params * H * W)
    return out


@solver("cnn.classic_layer")
def cnn_classic_layer(p, hand):
    rows = classic_rows(p["network"])
    shape, params, connections = rows[p["layer"]]
    return {"out_shape": shape, "n_params": params, "connections": connections,
            "partial_params": rows[p["partial"]][1]}
