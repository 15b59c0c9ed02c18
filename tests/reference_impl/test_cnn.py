"""cnn: convolution and pooling against torch float64 autograd, finite differences,
torch's output shapes, brute-force receptive fields and torch's parameter / FLOP counts."""


import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reference_impl import cnn
from tests.numerics import check_gradients, grad_of, to_torch

TOL = dict(rtol=1e-10, atol=1e-10)


def _close(actual, expected, what):
    np.testing.assert_allclose(actual, expected, err_msg=what, **TOL)


# ----------------------------------------------------------------------------- conv2d

@st.composite
def conv_cases(draw):
    groups = draw(st.integers(1, 2))
    C, F = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    # the padded input must hold one dilated window; then anything up to 7 pixels more.
    H = max(1, dh * (kh - 1) + 1 - 2 * ph) + draw(st.integers(0, 7))
    W = max(1, dw * (kw - 1) + 1 - 2 * pw) + draw(st.integers(0, 7))
    N = draw(st.sampled_from([None, 1, 2]))
    bias = draw(st.booleans())
    return dict(N=N, C=C, F=F, H=H, W=W, k=(kh, kw), stride=(sh, sw), padding=(ph, pw),
                dilation=(dh, dw), groups=groups, bias=bias, seed=draw(st.integers(0, 2**31)))


@pytest.mark.oracle
@given(conv_cases())
@settings(max_examples=100, deadline=None)
def test_conv2d_forward_backward_match_torch(torch, case):
    rng = np.random.default_rng(case["seed"])
    G = case["groups"]
    x_shape = (case["C"], case["H"], case["W"])
    x = rng.normal(size=x_shape if case["N"] is None else (case["N"], *x_shape))
    w = rng.normal(size=(case["F"], case["C"] // G, *case["k"]))
    b = rng.normal(size=case["F"]) if case["bias"] else None
    hyper = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"], groups=G)

    out, cache = cnn.conv2d(x, w, b, **hyper)
    dout = rng.normal(size=out.shape)
    grads = cnn.conv2d_backward(dout, cache)

    xt = to_torch(torch, x if case["N"] else x[None], requires_grad=True)
    wt = to_torch(torch, w, requires_grad=True)
    bt = to_torch(torch, b, requires_grad=True) if b is not None else None
    ot = torch.nn.functional.conv2d(xt, wt, bt, **hyper)
    ot = ot if case["N"] else ot[0]
    (ot * to_torch(torch, dout)).sum().backward()

    assert out.shape == tuple(ot.shape)
    _close(out, ot.detach().numpy(), "conv2d forward")
    _close(grads["x"], grad_of(xt) if case["N"] else grad_of(xt)[0], "dL/dx")
    _close(grads["w"], grad_of(wt), "dL/dw")
    if b is not None:
        _close(grads["b"], grad_of(bt), "dL/db")
    else:
        assert "b" not in grads


def test_conv2d_hand_example_is_cross_correlation():
    # A 3x3 image and an asymmetric 2x2 kernel: cross-correlation slides w unflipped.
    x = np.arange(9.0).reshape(1, 3, 3)
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    out, _ = cnn.conv2d(x, w, np.array([0.5]))
    # out[0,0] = 0*1 + 1*2 + 3*3 + 4*4 + 0.5 = 27.5; a flipped kernel would give 19.5
    np.testing.assert_array_equal(out, [[[27.5, 37.5], [57.5, 67.5]]])


@pytest.mark.parametrize("hyper", [
    dict(stride=2, padding=1, dilation=1, groups=1),
    dict(stride=(1, 2), padding=(2, 0), dilation=2, groups=2),
])
def test_conv2d_backward_matches_finite_differences(rng, hyper):
    x = rng.normal(size=(4, 6, 5))
    w = rng.normal(size=(4, 4 // hyper["groups"], 3, 2))
    b = rng.normal(size=4)
    out, cache = cnn.conv2d(x, w, b, **hyper)
    dout = rng.normal(size=out.shape)
    grads = cnn.conv2d_backward(dout, cache)
    loss = lambda: float(np.sum(cnn.conv2d(x, w, b, **hyper)[0] * dout))
    check_gradients(loss, {"x": x, "w": w, "b": b}, grads)


def test_conv2d_wrong_shapes_name_the_argument(rng):
    x = rng.normal(size=(3, 8, 8))
    with pytest.raises(ValueError, match=r"w must have shape \(F, C/groups, kh, kw\)"):
        cnn.conv2d(x, rng.normal(size=(4, 2, 3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"b must have shape \(F,\)"):
        cnn.conv2d(x, rng.normal(size=(4, 3, 3, 3)), np.zeros(5))
    with pytest.raises(ValueError, match=r"x must have shape \(C, H, W\)"):
        cnn.conv2d(x[0], rng.normal(size=(4, 3, 3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="output size < 1"):
        cnn.conv2d(x, rng.normal(size=(4, 3, 9, 9)), np.zeros(4))
    out, cache = cnn.conv2d(x, rng.normal(size=(4, 3, 3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="dout must have shape"):
        cnn.conv2d_backward(np.zeros((4, 6, 5)), cache)


# ----------------------------------------------------------------------------- output sizes

@pytest.mark.oracle
def test_conv_output_size_matches_torch_conv_grid(torch):
    conv1d = torch.nn.functional.conv1d
    for n in range(1, 11):
        x = torch.zeros((1, 1, n), dtype=torch.float64)
        for k in range(1, 6):
            w = torch.zeros((1, 1, k), dtype=torch.float64)
            for s in (1, 2, 3):
                for p in (0, 1, 2):
                    for d in (1, 2, 3):
                        try:
                            expected = conv1d(x, w, stride=s, padding=p, dilation=d).shape[-1]
                        except RuntimeError:
                            expected = None      # torch refuses: the window does not fit
                        if expected is None or expected < 1:
                            with pytest.raises(ValueError, match="output size < 1"):
                                cnn.conv_output_size(n, k, s, p, d)
                        else:
                            assert cnn.conv_output_size(n, k, s, p, d) == expected, (n, k, s, p, d)


@pytest.mark.oracle
def test_conv_output_size_ceil_mode_matches_torch_pooling_grid(torch):
    pool = torch.nn.functional.max_pool1d
    checked = 0
    for n in range(1, 13):
        x = torch.zeros((1, 1, n), dtype=torch.float64)
        for k in range(1, 6):
            for s in (1, 2, 3, 4):
                for p in range(k // 2 + 1):          # torch pools allow padding <= k/2
                    for d in (1, 2):
                        for ceil in (False, True):
                            try:
                                expected = pool(x, k, s, p, d, ceil_mode=ceil).shape[-1]
                            except RuntimeError:
                                expected = None
                            if expected is None or expected < 1:
                                with pytest.raises(ValueError):
                                    cnn.conv_output_size(n, k, s, p, d, ceil)
                            else:
                                got = cnn.conv_output_size(n, k, s, p, d, ceil_mode=ceil)
                                assert got == expected, (n, k, s, p, d, ceil)
                                checked += 1
    assert checked > 500


def test_conv_output_size_textbook_values():
    assert cnn.conv_output_size(32, 5) == 28                    # LeNet C1
    assert cnn.conv_output_size(227, 11, 4) == 55               # AlexNet conv1
    assert cnn.conv_output_size(224, 3, 1, 1) == 224            # "same" 3x3
    assert cnn.conv_output_size(5, 2, 2) == 2                   # floor drops the last pixel
    assert cnn.conv_output_size(5, 2, 2, ceil_mode=True) == 3   # ceil keeps it
    # ceil mode would start a 4th window at 6 >= n + p = 6, inside the right padding: dropped
    assert cnn.conv_output_size(5, 2, 2, padding=1, ceil_mode=True) == 3
    with pytest.raises(ValueError, match="output size < 1"):
        cnn.conv_output_size(4, 3, dilation=2)


# ----------------------------------------------------------------------------- pooling

@st.composite
def pool_cases(draw, dilation=True):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    dh, dw = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    H = max(1, dh * (kh - 1) + 1 - 2 * ph) + draw(st.integers(0, 6))
    W = max(1, dw * (kw - 1) + 1 - 2 * pw) + draw(st.integers(0, 6))
    return dict(N=draw(st.sampled_from([None, 2])), C=draw(st.integers(1, 3)), H=H, W=W,
                kernel=(kh, kw), stride=stride, padding=(ph, pw), dilation=(dh, dw),
                ceil_mode=draw(st.booleans()), ties=draw(st.booleans()),
                seed=draw(st.integers(0, 2**31)))


def _pool_input(case):
    rng = np.random.default_rng(case["seed"])
    shape = (case["C"], case["H"], case["W"])
    shape = shape if case["N"] is None else (case["N"], *shape)
    # integer values in 0..2 force many ties inside the windows
    return (rng.integers(0, 3, size=shape).astype(np.float64) if case["ties"]
            else rng.normal(size=shape)), rng


def _torch_pool(torch, fn, x, dout, batched, **kwargs):
    xt = to_torch(torch, x if batched else x[None], requires_grad=True)
    ot = fn(xt, **kwargs)
    ot = ot if batched else ot[0]
    (ot * to_torch(torch, dout)).sum().backward()
    return ot.detach().numpy(), (grad_of(xt) if batched else grad_of(xt)[0])


@pytest.mark.oracle
@given(pool_cases())
@settings(max_examples=100, deadline=None)
def test_max_pool2d_matches_torch_including_ties(torch, case):
    x, rng = _pool_input(case)
    hyper = dict(stride=case["stride"], padding=case["padding"], ceil_mode=case["ceil_mode"],
                 dilation=case["dilation"])
    out, cache = cnn.max_pool2d(x, case["kernel"], **hyper)
    # A dilated window lying wholly in the padding: torch routes its gradient to an
    # index past the plane (see test_max_pool2d_padding_only_window); compared apart.
    assume(np.all(np.isfinite(out)))
    dout = rng.normal(size=out.shape)
    dx = cnn.max_pool2d_backward(dout, cache)["x"]
    t_hyper = dict(hyper, stride=case["stride"] or case["kernel"])
    t_out, t_dx = _torch_pool(torch, torch.nn.functional.max_pool2d, x, dout, case["N"],
                              kernel_size=case["kernel"], **t_hyper)
    assert out.shape == t_out.shape
    _close(out, t_out, "max_pool2d forward")
    _close(dx, t_dx, "max_pool2d dL/dx (ties go to the first maximum)")


@pytest.mark.oracle
@given(pool_cases(dilation=False), st.booleans(), st.sampled_from([None, 1, 5]))
@settings(max_examples=100, deadline=None)
def test_avg_pool2d_matches_torch(torch, case, count_include_pad, divisor_override):
    x, rng = _pool_input(case)
    hyper = dict(stride=case["stride"], padding=case["padding"], ceil_mode=case["ceil_mode"],
                 count_include_pad=count_include_pad, divisor_override=divisor_override)
    out, cache = cnn.avg_pool2d(x, case["kernel"], **hyper)
    dout = rng.normal(size=out.shape)
    dx = cnn.avg_pool2d_backward(dout, cache)["x"]
    t_hyper = dict(hyper, stride=case["stride"] or case["kernel"])
    t_out, t_dx = _torch_pool(torch, torch.nn.functional.avg_pool2d, x, dout, case["N"],
                              kernel_size=case["kernel"], **t_hyper)
    assert out.shape == t_out.shape
    _close(out, t_out, "avg_pool2d forward")
    _close(dx, t_dx, "avg_pool2d dL/dx")


@pytest.mark.oracle
def test_avg_pool2d_default_is_torchs_default(torch, rng):
    # No count_include_pad argument on either side: torch's default (True) must be ours.
    x = rng.normal(size=(2, 5, 6))
    out, _ = cnn.avg_pool2d(x, 3, 2, 1, True)
    t = torch.nn.functional.avg_pool2d(to_torch(torch, x[None]), 3, 2, 1, True)[0]
    _close(out, t.numpy(), "avg_pool2d defaults")
    # a corner window covers 4 real cells and 5 zero-padding cells: divided by 9
    assert out[0, 0, 0] == pytest.approx(x[0, :2, :2].sum() / 9)


@pytest.mark.oracle
def test_max_pool2d_padding_only_window(torch, rng):
    # H=1, kernel 2 with dilation 2 and padding 1: the rows read are -1 and 1, both padding.
    x = rng.normal(size=(1, 1, 3))
    out, cache = cnn.max_pool2d(x, (2, 1), padding=(1, 0), dilation=(2, 1))
    t_out = torch.nn.functional.max_pool2d(to_torch(torch, x[None]), (2, 1), padding=(1, 0),
                                           dilation=(2, 1))[0]
    np.testing.assert_array_equal(out, t_out.numpy())
    assert np.all(np.isneginf(out))
    dx = cnn.max_pool2d_backward(np.ones_like(out), cache)["x"]
    np.testing.assert_array_equal(dx, np.zeros_like(x))


def test_max_pool2d_tie_goes_to_first_in_row_major_order():
    x = np.array([[[1.0, 7.0], [7.0, 7.0]]])
    out, cache = cnn.max_pool2d(x, 2)
    dx = cnn.max_pool2d_backward(np.array([[[1.0]]]), cache)["x"]
    assert out[0, 0, 0] == 7.0
    np.testing.assert_array_equal(dx, [[[0.0, 1.0], [0.0, 0.0]]])


def test_pool_backwards_match_finite_differences(rng):
    # distinct, well-separated values: no argmax changes under a 1e-6 perturbation
    x = rng.permutation(2 * 7 * 6).reshape(2, 7, 6).astype(np.float64) * 0.1
    for kwargs in (dict(kernel=3, stride=2, padding=1, ceil_mode=True),
                   dict(kernel=(2, 3), stride=(1, 2), dilation=(2, 1))):
        out, cache = cnn.max_pool2d(x, **kwargs)
        dout = rng.normal(size=out.shape)
        loss = lambda: float(np.sum(cnn.max_pool2d(x, **kwargs)[0] * dout))
        check_gradients(loss, {"x": x}, cnn.max_pool2d_backward(dout, cache))
    for kwargs in (dict(kernel=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
                   dict(kernel=(2, 3), stride=1)):
        out, cache = cnn.avg_pool2d(x, **kwargs)
        dout = rng.normal(size=out.shape)
        loss = lambda: float(np.sum(cnn.avg_pool2d(x, **kwargs)[0] * dout))
        check_gradients(loss, {"x": x}, cnn.avg_pool2d_backward(dout, cache))


def test_pool_bad_arguments_raise(rng):
    x = rng.normal(size=(2, 6, 6))
    with pytest.raises(ValueError, match="padding"):
        cnn.max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match=r"x must have shape \(C, H, W\)"):
        cnn.avg_pool2d(x[0], 2)
    with pytest.raises(ValueError, match="kernel"):
        cnn.max_pool2d(x, 0)
    _, cache = cnn.max_pool2d(x, 2)
    with pytest.raises(ValueError, match="dout must have shape"):
        cnn.max_pool2d_backward(np.zeros((2, 2, 3)), cache)


# ----------------------------------------------------------------------------- counts

@pytest.mark.oracle
def test_param_counts_match_torch_modules(torch, rng):
    meta = dict(device="meta", dtype=torch.float64)   # shapes only, nothing allocated
    for _ in range(30):
        g = int(rng.integers(1, 4))
        C, F = g * int(rng.integers(1, 20)), g * int(rng.integers(1, 20))
        k = (int(rng.integers(1, 8)), int(rng.integers(1, 8)))
        bias = bool(rng.integers(2))
        conv = torch.nn.Conv2d(C, F, k, groups=g, bias=bias, **meta)
        assert cnn.conv_param_count(C, F, k, bias=bias, groups=g) == sum(p.numel() for p in conv.parameters())
        n_in, n_out = int(rng.integers(1, 5000)), int(rng.integers(1, 5000))
        dense = torch.nn.Linear(n_in, n_out, bias=bias, **meta)
        assert cnn.dense_param_count(n_in, n_out, bias=bias) == sum(p.numel() for p in dense.parameters())


@pytest.mark.oracle
def test_macs_match_torch_flop_counter(torch, rng):
    from torch.utils.flop_counter import FlopCounterMode

    for _ in range(10):
        g = int(rng.integers(1, 3))
        C, F = g * int(rng.integers(1, 5)), g * int(rng.integers(1, 5))
        k = int(rng.integers(1, 5))
        s, p = int(rng.integers(1, 3)), int(rng.integers(0, 3))
        H = int(rng.integers(k, 12))
        x = to_torch(torch, rng.normal(size=(1, C, H, H)))
        w = to_torch(torch, rng.normal(size=(F, C // g, k, k)))
        with FlopCounterMode(display=False) as counter:
            out = torch.nn.functional.conv2d(x, w, stride=s, padding=p, groups=g)
        Ho, Wo = out.shape[-2:]
        assert 2 * cnn.conv_macs(C, F, k, Ho, Wo, groups=g) == counter.get_total_flops()
        n_in, n_out = int(rng.integers(1, 50)), int(rng.integers(1, 50))
        with FlopCounterMode(display=False) as counter:
            to_torch(torch, rng.normal(size=(1, n_in))) @ to_torch(torch, rng.normal(size=(n_in, n_out)))
        assert 2 * cnn.dense_macs(n_in, n_out) == counter.get_total_flops()


def test_counts_closed_forms():
    assert cnn.conv_param_count(3, 96, 11) == 34_944                # AlexNet conv1
    assert cnn.conv_param_count(96, 256, 5, groups=2) == 307_456    # AlexNet conv2, two GPUs
    assert cnn.conv_macs(3, 96, 11, 55) == 105_415_200              # AlexNet conv1: 55*55*96*363
    assert cnn.dense_param_count(9216, 4096) == 37_752_832
    with pytest.raises(ValueError, match="groups"):
        cnn.conv_param_count(3, 4, 3, groups=2)


# ----------------------------------------------------------------------------- receptive field

def _brute_force_field(torch, layers, n_in, position):
    """Nonzero extent of d out[position] / d input through a stack of 1-D convs with
    positive random weights (no cancellation), and where that extent starts."""
    gen = np.random.default_rng(7)
    x = to_torch(torch, np.zeros((1, 1, n_in)), requires_grad=True)
    h = x
    for k, s, d in layers:
        w = to_torch(torch, gen.uniform(0.5, 1.5, size=(1, 1, k)))
        h = torch.nn.functional.conv1d(h, w, stride=s, dilation=d)
    h[0, 0, position].backward()
    nonzero = np.flatnonzero(grad_of(x)[0, 0])
    return nonzero[-1] - nonzero[0] + 1, nonzero[0]


@pytest.mark.oracle
def test_receptive_field_matches_torch_autograd(torch, rng):
    checked = 0
    for _ in range(40):
        depth = int(rng.integers(1, 5))
        layers = [(int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(1, 4)))
                  for _ in range(depth)]
        n_in = 400          # larger than any field these stacks can have (at most 1 + 4*3*40)
        fields = cnn.receptive_field(layers)
        for depth_i in range(1, depth + 1):
            stack = layers[:depth_i]
            try:
                r0, start0 = _brute_force_field(torch, stack, n_in, 0)
                r1, start1 = _brute_force_field(torch, stack, n_in, 1)
            except (RuntimeError, IndexError):
                continue    # this stack leaves fewer than two outputs on 400 inputs
            assert fields[depth_i - 1].r == r0 == r1, stack
            assert fields[depth_i - 1].jump == start1 - start0, stack
            checked += 1
    assert checked >= 60


@pytest.mark.oracle
def test_receptive_field_2d_center_unit(torch, rng):
    # 2-D, several channels: d out[:, centre] / d input is nonzero on an r x r square.
    layers = [(3, 1, 1), (3, 2, 1), (5, 1, 2), (2, 2, 1)]
    x = to_torch(torch, np.zeros((1, 2, 61, 61)), requires_grad=True)
    h, channels = x, 2
    for k, s, d in layers:
        w = to_torch(torch, rng.uniform(0.5, 1.5, size=(3, channels, k, k)))
        h, channels = torch.nn.functional.conv2d(h, w, stride=s, dilation=d), 3
    centre = h.shape[-1] // 2
    h[0, :, centre, centre].sum().backward()
    rows, cols = np.nonzero(np.abs(grad_of(x)[0]).sum(axis=0))
    r = cnn.receptive_field(layers)[-1].r
    assert rows.max() - rows.min() + 1 == r == cols.max() - cols.min() + 1
    assert r < 61      # the field fits inside the input, so the extent was not clipped


def test_receptive_field_published_values():
    # Simonyan & Zisserman (VGG): two stacked 3x3 convs see 5x5, three see 7x7.
    assert [f.r for f in cnn.receptive_field([3, 3, 3])] == [3, 5, 7]
    # Yu & Koltun: 3x3 convs with dilations 1, 2, 4 reach 3, 7, 15.
    assert [f.r for f in cnn.receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)])] == [3, 7, 15]
    # AlexNet conv1 11/4, pool 3/2: 11 then 11 + 2*4 = 19, jump 8
    assert cnn.receptive_field([(11, 4), (3, 2)])[-1] == (19, 8)
    with pytest.raises(ValueError, match="layers"):
        cnn.receptive_field([(3, 1, 1, 1)])
