"""New word2vec and cnn templates against independent computations.

Every key is recomputed here from the printed params with plain NumPy formulas, closed forms,
torch (autograd, pooling, conv layers) or the published LeNet-5 / AlexNet figures, never with the
template's own solve nor reference_impl. Each multi-part chain is checked for error carried
forward: a wrong earlier part, the later parts computed correctly from it -> "ecf".
"""

import math

import numpy as np
import pytest

from tests.question_bank.oracles import variants, sig, softmax, statuses, close

SEEDS = range(12)


# ----------------------------------------------------------------------------- word2vec.skipgram_pairs

def test_skipgram_pairs_closed_form_and_window():
    template, vs = variants("word2vec.skipgram_pairs", seeds=range(30))
    for v in vs:
        p = v.params
        T, m, t = len(p["tokens"]), p["window"], p["position"]
        assert v.answers["n_pairs"] == 2 * m * T - m * (m + 1)          # T >= 2m in every sentence
        near = {p["tokens"][t + j] for j in range(-m, m + 1) if j != 0 and 0 <= t + j < T}
        assert set(v.answers["contexts"]) == {"ABCDE"[i] for i, w in enumerate(p["options"]) if w in near}


# ----------------------------------------------------------------------------- word2vec.cbow_hidden

def cbow_oracle(p, h=None):
    tokens, m, t = p["tokens"], p["window"], p["position"]
    index = {w: i for i, w in enumerate(dict.fromkeys(tokens))}
    ctx = [index[tokens[j]] for j in range(max(0, t - m), min(len(tokens), t + m + 1)) if j != t]
    W_in, W_out = np.array(p["W_in"]), np.array(p["W_out"])
    h = W_in[ctx].sum(axis=0) / len(ctx) if h is None else np.asarray(h)
    z = W_out @ h
    target = index[tokens[t]]
    return {"h": h, "score": z[target], "p": softmax(z)[target]}


@pytest.mark.parametrize("size", ["calculator", "computer"])
def test_cbow_key_matches_numpy(size):
    template, vs = variants("word2vec.cbow_hidden", size, seeds=SEEDS)
    for v in vs:
        want = cbow_oracle(v.params)
        for name in want:
            close(v.answers[name], want[name])


def test_cbow_error_carried_forward():
    template, vs = variants("word2vec.cbow_hidden", seeds=[0])
    v = vs[0]
    wrong_h = np.round(np.array(v.answers["h"]) + 0.3, 4)
    want = cbow_oracle(v.params, h=wrong_h)
    st = statuses(template, v, {"h": wrong_h, "score": round(float(want["score"]), 4),
                                "p": round(float(want["p"]), 4)})
    assert st == {"h": "wrong", "score": "ecf", "p": "ecf"}


# ----------------------------------------------------------------------------- word2vec.negative_sampling_loss

def test_negative_sampling_key_matches_torch_autograd(torch):
    template, vs = variants("word2vec.negative_sampling_loss", seeds=SEEDS)
    for v in vs:
        p = v.params
        W_in = torch.tensor(p["W_in"], dtype=torch.float64)
        W_out = torch.tensor(p["W_out"], dtype=torch.float64)
        v_c = W_in[p["center"]].clone().requires_grad_(True)
        s_pos = W_out[p["context"]] @ v_c
        s_neg = W_out[p["negatives"]] @ v_c
        L = -torch.nn.functional.logsigmoid(s_pos) - torch.nn.functional.logsigmoid(-s_neg).sum()
        L.backward()
        close(v.answers["s_pos"], s_pos.item())
        close(v.answers["s_neg"], s_neg.detach().numpy())
        close(v.answers["L"], L.item())
        close(v.answers["grad_vc"], v_c.grad.numpy())


def test_negative_sampling_error_carried_forward():
    template, vs = variants("word2vec.negative_sampling_loss", seeds=[0])
    v = vs[0]
    p = v.params
    s_pos = round(v.answers["s_pos"] + 0.25, 4)                   # a wrong u_o . v_c
    s_neg = np.array(v.answers["s_neg"])
    L = -np.log(sig(s_pos)) - np.sum(np.log(sig(-s_neg)))
    u_o, u_neg = np.array(p["W_out"])[p["context"]], np.array(p["W_out"])[p["negatives"]]
    grad = (sig(s_pos) - 1) * u_o + sig(s_neg) @ u_neg
    st = statuses(template, v, {"s_pos": s_pos, "s_neg": s_neg, "L": round(float(L), 4),
                                "grad_vc": np.round(grad, 4)})
    assert st == {"s_pos": "wrong", "s_neg": "correct", "L": "ecf", "grad_vc": "ecf"}


# ----------------------------------------------------------------------------- word2vec.cosine_onehot

def test_cosine_onehot_key_matches_numpy():
    template, vs = variants("word2vec.cosine_onehot", seeds=range(30))
    for v in vs:
        p = v.params
        E = np.array(p["vectors"])
        sims = [E[0] @ E[i] / math.sqrt((E[0] @ E[0]) * (E[i] @ E[i])) for i in (1, 2, 3)]
        close(v.answers["sims"], sims)
        assert v.answers["nearest"] == ["ABC"[int(np.argmax(sims))]]
        vocab = list(dict.fromkeys(p["tokens"]))
        assert len(vocab) == 5
        assert v.answers["onehot"] == [1.0 if w == p["word"] else 0.0 for w in vocab]


# ----------------------------------------------------------------------------- cnn.pool_output_shape

def test_pool_output_shape_matches_torch(torch):
    template, vs = variants("cnn.pool_output_shape", seeds=range(30))
    for v in vs:
        p = v.params
        x = torch.zeros(1, p["C"], p["H"], p["W"], dtype=torch.float64)
        pool = torch.nn.functional.max_pool2d if p["kind"] == "max" else torch.nn.functional.avg_pool2d
        out = pool(x, p["kernel"], p["stride"], p["padding"], ceil_mode=p["ceil_mode"])
        _, C, H, W = out.shape
        assert (v.answers["H_out"], v.answers["W_out"], v.answers["n_out"]) == (H, W, C * H * W)


def test_pool_output_shape_error_carried_forward():
    template, vs = variants("cnn.pool_output_shape", seeds=[0])
    v = vs[0]
    H = v.answers["H_out"] + 1
    st = statuses(template, v, {"H_out": H, "W_out": v.answers["W_out"],
                                "n_out": v.params["C"] * H * v.answers["W_out"]})
    assert st == {"H_out": "wrong", "W_out": "correct", "n_out": "ecf"}


# ----------------------------------------------------------------------------- cnn.conv_params_macs

def test_conv_params_macs_matches_torch_conv(torch):
    template, vs = variants("cnn.conv_params_macs", seeds=SEEDS)
    for v in vs:
        p = v.params
        conv = torch.nn.Conv2d(p["C_in"], p["F"], p["kernel"], p["stride"], p["padding"])
        with torch.no_grad():
            out = conv(torch.zeros(1, p["C_in"], p["H"], p["H"]))
        _, F, H, W = out.shape
        assert H == W
        assert v.answers["n_params"] == sum(t.numel() for t in conv.parameters())
        assert v.answers["H_out"] == H
        assert v.answers["macs"] == conv.weight.numel() * H * W      # one MAC per weight per position


def real_products_per_output(torch, C_in, H, k, stride, padding):
    """{output position: products with real (unpadded) inputs}, summed: a conv of ones with ones kernels."""
    ones = torch.ones(1, C_in, H, H, dtype=torch.float64)
    counts = torch.nn.functional.conv2d(ones, torch.ones(1, C_in, k, k, dtype=torch.float64),
                                        stride=stride, padding=padding)
    return int(counts.sum())


def test_conv_params_macs_counts_padded_zeros_as_the_stem_says(torch):
    """The stem says products with padded zeros count; seed 101 is where the two readings differ (issue 18)."""
    from quizgen.bank.texts import render_stem
    template, vs = variants("cnn.conv_params_macs", seeds=[101])
    v = vs[0]
    p = v.params
    assert "padded zeros too" in render_stem(template, v)
    real = p["F"] * real_products_per_output(torch, p["C_in"], p["H"], p["kernel"], p["stride"], p["padding"])
    assert (v.answers["macs"], real) == (37_748_736, 36_192_256)


def test_conv_params_macs_error_carried_forward():
    template, vs = variants("cnn.conv_params_macs", seeds=[0])
    v = vs[0]
    p = v.params
    H = v.answers["H_out"] + 2
    st = statuses(template, v, {"n_params": v.answers["n_params"], "H_out": H,
                                "macs": p["F"] * H * H * p["C_in"] * p["kernel"] ** 2})
    assert st == {"n_params": "correct", "H_out": "wrong", "macs": "ecf"}


# ----------------------------------------------------------------------------- cnn.pool_matrix

@pytest.mark.parametrize("size", ["calculator", "computer"])
def test_pool_matrix_matches_torch(torch, size):
    template, vs = variants("cnn.pool_matrix", size, seeds=SEEDS)
    for v in vs:
        p = v.params
        m = torch.tensor(p["m"], dtype=torch.float64)[None, None]
        k = len(p["m"]) // 2
        close(v.answers["max"], torch.nn.functional.max_pool2d(m, k)[0, 0].numpy())
        close(v.answers["avg"], torch.nn.functional.avg_pool2d(m, k)[0, 0].numpy())


# ----------------------------------------------------------------------------- cnn.receptive_field

def receptive_field_by_gradient(torch, p):
    """Receptive field of the middle output unit: the input pixels its gradient reaches (1-D, all-ones kernels)."""
    x = torch.ones(1, 1, 400, dtype=torch.float64, requires_grad=True)
    y, sizes = x, []
    for k, s, d in zip(p["kernels"], p["strides"], p["dilations"]):
        y = torch.nn.functional.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
        sizes.append(y)
    out = []
    for y in sizes:
        grad, = torch.autograd.grad(y[0, 0, y.shape[-1] // 2], x, retain_graph=True)
        nz = torch.nonzero(grad[0, 0]).flatten()
        out.append(int(nz.max() - nz.min()) + 1)
    return out


def test_receptive_field_matches_torch_gradient(torch):
    template, vs = variants("cnn.receptive_field", seeds=range(20))
    for v in vs:
        p = v.params
        r = receptive_field_by_gradient(torch, p)
        assert (v.answers["r2"], v.answers["r3"]) == (r[1], r[2])
        assert v.answers["jump"] == math.prod(p["strides"])


def test_receptive_field_error_carried_forward():
    template, vs = variants("cnn.receptive_field", seeds=[0])
    v = vs[0]
    p = v.params
    r2 = v.answers["r2"] + 2
    J2 = p["strides"][0] * p["strides"][1]
    r3 = r2 + p["dilations"][2] * (p["kernels"][2] - 1) * J2
    st = statuses(template, v, {"r2": r2, "r3": r3, "jump": v.answers["jump"]})
    assert st == {"r2": "wrong", "r3": "ecf", "jump": "correct"}


# ----------------------------------------------------------------------------- cnn.classic_layer

# Published figures: LeCun et al. 1998 (Section II.B) and Krizhevsky et al. 2012 (two-GPU groups).
PUBLISHED = {
    "C1": ((6, 28, 28), 156, 122_304), "S2": ((6, 14, 14), 12, 5_880),
    "C3": ((16, 10, 10), 1_516, 151_600), "S4": ((16, 5, 5), 32, 2_000),
    "conv1": ((96, 55, 55), 34_944, None), "conv2": ((256, 27, 27), 307_456, None),
    "conv3": ((384, 13, 13), 885_120, None), "conv4": ((384, 13, 13), 663_936, None),
    "conv5": ((256, 13, 13), 442_624, None),
}


def test_classic_layer_matches_published_figures():
    template, vs = variants("cnn.classic_layer", seeds=range(40))
    seen = set()
    for v in vs:
        p = v.params
        shape, params, connections = PUBLISHED[p["layer"]]
        if connections is None:                      # AlexNet: every position uses the map's weights and bias
            connections = params * shape[1] * shape[2]
        assert tuple(v.answers["out_shape"]) == shape
        assert v.answers["n_params"] == params
        assert v.answers["connections"] == connections
        assert v.answers["partial_params"] == PUBLISHED[p["partial"]][1]
        seen.add(p["layer"])
    assert len(seen) >= 6                            # the layer really is drawn at random


def test_classic_layer_connections_count_padded_zeros_as_the_stem_says(torch):
    """AlexNet conv2 (seed 606): a unit's window over the padding still counts its k x k inputs; counting only
    real inputs would give 204,671,232 (issue 18). The stem states the strides and padding that fix the shapes."""
    from quizgen.bank.texts import render_stem
    template, vs = variants("cnn.classic_layer", seeds=[606])
    v = vs[0]
    assert v.params["layer"] == "conv2"
    stem = render_stem(template, v)
    assert "Padded zeros count as inputs" in stem
    for layer in ("conv3", "conv4", "conv5"):
        assert f"{layer}: 384 filters $3 \\times 3$, stride 1" in stem or f"{layer}: 256 filters $3 \\times 3$, stride 1" in stem
    # conv2: 256 filters of 48 x 5 x 5 on 48 x 27 x 27 maps per group, padding 2, plus one bias per unit
    real_inputs = 256 * real_products_per_output(torch, 48, 27, 5, 1, 2)
    units = 256 * 27 * 27
    assert v.answers["connections"] == units * (48 * 25 + 1) == 224_135_424
    assert real_inputs + units == 204_671_232
    lenet = next(v for v in variants("cnn.classic_layer", seeds=range(40))[1] if v.params["network"] == "lenet5")
    assert "C3: 16 maps, $5 \\times 5$ convolution (stride 1, no padding)" in render_stem(template, lenet)


def test_classic_layer_c3_mistake_is_the_fully_connected_count():
    template, vs = variants("cnn.classic_layer", seeds=range(40))
    v = next(v for v in vs if v.params["partial"] == "C3")
    assert v.mistakes["full_connectivity"]["partial_params"] == 16 * (6 * 25 + 1) == 2_416


def test_classic_layer_error_carried_forward():
    template, vs = variants("cnn.classic_layer", seeds=range(40))
    v = next(v for v in vs if v.params["layer"].startswith(("C", "conv")))
    _, H, W = v.answers["out_shape"]
    params = v.answers["n_params"] + 10
    st = statuses(template, v, {"out_shape": tuple(v.answers["out_shape"]), "n_params": params,
                                "connections": params * H * W,
                                "partial_params": v.answers["partial_params"]})
    assert st == {"out_shape": "correct", "n_params": "wrong", "connections": "ecf",
                  "partial_params": "correct"}
