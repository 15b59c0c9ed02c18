"""Convolutional layers: convolution, pooling, sizes, parameter counts, receptive fields.

Convolution here is **cross-correlation**, as every framework (PyTorch, TensorFlow,
cuDNN) computes it and as the course writes it: the kernel is *not* flipped,

    out[f, i, j] = b[f] + sum_{c, u, v} w[f, c, u, v] * x_pad[c, i*s + u*d, j*s + v*d]

for an image ``x`` of shape ``(C, H, W)``, kernels ``w`` of shape ``(F, C, kh, kw)``,
stride ``s``, dilation ``d`` and zero padding ``p`` (``x_pad`` is ``x`` with ``p``
zeros on every side). A batch ``(N, C, H, W)`` is accepted wherever an image is.

Output size (PyTorch's rule, also for pooling):

    H_out = floor((H + 2p - d(k-1) - 1) / s) + 1

Everything is vectorised: the forward pass is im2col (a strided view made with
``numpy.lib.stride_tricks.sliding_window_view``, copied once into a matrix)
followed by one matrix product; the backward pass loops only over the ``kh*kw``
kernel offsets, never over output pixels.

The architecture tables (LeNet-5, AlexNet) are built on these functions in
:mod:`reference_impl.architectures`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from reference_impl._checks import as_array, check_positive_int, check_shape

__all__ = [
    "conv2d", "conv2d_backward", "conv_output_size",
    "max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward",
    "conv_param_count", "conv_macs", "dense_param_count", "dense_macs",
    "receptive_field", "ReceptiveField",
]


# ----------------------------------------------------------------------------- helpers

def _pair(value, name: str, minimum: int) -> tuple[int, int]:
    """``k`` or ``(kh, kw)`` -> ``(kh, kw)``, each an int >= minimum."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (height, width), got {value!r}")
        return (check_positive_int(value[0], name, minimum),
                check_positive_int(value[1], name, minimum))
    v = check_positive_int(value, name, minimum)
    return v, v


def _as_image(x, name: str = "x") -> tuple[np.ndarray, bool]:
    """Return ``x`` as a 4-D batch ``(N, C, H, W)`` and whether it was a single image."""
    x = as_array(x, name)
    if x.ndim == 3:
        return x[None], True
    if x.ndim == 4:
        return x, False
    raise ValueError(f"{name} must have shape (C, H, W) or (N, C, H, W), got {x.shape}")


def _as_dout(dout, expected: tuple, single: bool) -> np.ndarray:
    """The upstream gradient, checked against the forward output's shape, as a batch."""
    dout = as_array(dout, "dout")
    shape = expected[1:] if single else expected
    check_shape(dout, "dout", shape, "the forward output's shape")
    return dout[None] if single else dout


# ----------------------------------------------------------------------------- sizes

def conv_output_size(n, kernel, stride=1, padding=0, dilation=1, ceil_mode=False) -> int:
    """Output length of a convolution or pooling window sliding along ``n`` inputs.

        n_out = floor((n + 2p - d(k-1) - 1) / s) + 1        (ceil instead of floor with ceil_mode)

    With ``ceil_mode`` PyTorch drops the last window if it would start inside the
    right padding (it must start inside the input or the left padding):
    if ``(n_out - 1) * s >= n + p`` then ``n_out -= 1``.

    The division floors toward -infinity (PyTorch's ``div_rtn``), so with ceil_mode a
    single window may overhang a too-short input. Raises ValueError when ``n_out < 1``.
    """
    n = check_positive_int(n, "n")
    k = check_positive_int(kernel, "kernel")
    s = check_positive_int(stride, "stride")
    p = check_positive_int(padding, "padding", 0)
    d = check_positive_int(dilation, "dilation")
    span = n + 2 * p - d * (k - 1) - 1      # room left for the window to slide
    # Python's // floors toward -infinity, as PyTorch's div_rtn: with ceil_mode a
    # window may overhang the padded input (n=1, k=2, s=2 gives one output).
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    if out < 1:
        raise ValueError(
            f"the window (kernel={k}, dilation={d}, effective size {d * (k - 1) + 1}, "
            f"stride={s}) does not fit in the padded input of length n + 2p = {n + 2 * p}: "
            f"output size < 1"
        )
    return out


# ----------------------------------------------------------------------------- convolution

def conv2d(x, w, b, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, the kernel is not flipped), forward pass.

    Args:
        x: image ``(C, H, W)`` (or a batch ``(N, C, H, W)``).
        w: kernels ``(F, C/groups, kh, kw)``.
        b: biases ``(F,)``, or None for no bias.
        stride, padding, dilation: an int or a pair ``(for H, for W)``; padding is zeros.
        groups: input and output channels split into ``groups`` independent convolutions
            (AlexNet's two-GPU layers have ``groups=2``).

    Returns:
        out: ``(F, H_out, W_out)`` (or ``(N, F, H_out, W_out)``), with
            ``out[f, i, j] = b[f] + sum_{c,u,v} w[f,c,u,v] x_pad[c, i*s_h + u*d_h, j*s_w + v*d_w]``
            and ``H_out = floor((H + 2p_h - d_h(kh-1) - 1)/s_h) + 1``.
        cache: ``x``, ``w``, ``b``, ``x_pad`` (the zero-padded input), ``cols`` (the im2col
            matrix, one column per output pixel: ``(N, groups, C/groups*kh*kw, H_out*W_out)``,
            rows ordered ``(c, u, v)``),
            and the hyper-parameters.
    """
    x4, single = _as_image(x)
    w = as_array(w, "w", ndim=4)
    N, C, H, W = x4.shape
    G = check_positive_int(groups, "groups")
    F, Cg, kh, kw = w.shape
    if C % G or F % G:
        raise ValueError(f"groups={G} must divide both C={C} and F={F}")
    check_shape(w, "w", (F, C // G, kh, kw), "(F, C/groups, kh, kw)")
    if b is not None:
        b = as_array(b, "b")
        check_shape(b, "b", (F,), "(F,)")
    sh, sw = _pair(stride, "stride", 1)
    ph, pw = _pair(padding, "padding", 0)
    dh, dw = _pair(dilation, "dilation", 1)
    Ho = conv_output_size(H, kh, sh, ph, dh)
    Wo = conv_output_size(W, kw, sw, pw, dw)

    x_pad = np.pad(x4, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if (ph or pw) else x4
    # windows[n, c, i, j, u, v] = x_pad[n, c, i*s + u*d, j*s + v*d]: a view, no copy yet.
    windows = sliding_window_view(x_pad, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :Ho, :Wo]
    Fg, K = F // G, Cg * kh * kw
    # im2col, the single copy: one column per output pixel, rows ordered (c, u, v)
    # within a group. Keeping pixels last makes the copy and every product below
    # run along contiguous memory, and the output comes out already as (F, H_out*W_out).
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(N, G, K, Ho * Wo)
    out = np.matmul(w.reshape(G, Fg, K), cols).reshape(N, F, Ho, Wo)
    if b is not None:
        out += b[:, None, None]
    cache = {
        "x": x4[0] if single else x4, "w": w, "b": b, "x_pad": x_pad, "cols": cols,
        "stride": (sh, sw), "padding": (ph, pw), "dilation": (dh, dw), "groups": G,
        "single": single, "out_shape": out.shape,
    }
    return (out[0] if single else out), cache


def conv2d_backward(dout, cache) -> dict:
    """Backward pass of :func:`conv2d`.

    Given ``dout = dL/dout`` (the forward output's shape) returns

        dL/db[f]       = sum_{i,j} dout[f,i,j]
        dL/dw[f,c,u,v] = sum_{i,j} dout[f,i,j] x_pad[c, i*s + u*d, j*s + v*d]
        dL/dx          = the "full" correlation of dout with w, scattered back through
                         the padding (each x_pad entry sums every product it took part in)

    as ``{"x", "w", "b"}`` (``"b"`` only if the forward had a bias).
    """
    dout = _as_dout(dout, cache["out_shape"], cache["single"])
    w, cols, x_pad = cache["w"], cache["cols"], cache["x_pad"]
    (sh, sw), (ph, pw), (dh, dw), G = cache["stride"], cache["padding"], cache["dilation"], cache["groups"]
    N, F, Ho, Wo = dout.shape
    _, Cg, kh, kw = w.shape
    Fg = F // G

    d_mat = dout.reshape(N, G, Fg, Ho * Wo)
    grads = {}
    # dw: sum over images and output pixels of dout times the im2col columns.
    grads["w"] = np.matmul(d_mat, cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(F, Cg, kh, kw)
    if cache["b"] is not None:
        grads["b"] = dout.sum(axis=(0, 2, 3))
    # dx: for each kernel offset (u, v), w[:, :, u, v]^T dout is that offset's share of
    # d cols; add it straight into the strided slab of x_pad it came from (col2im).
    # One small product per offset, never the whole d cols matrix at once.
    w_t = w.reshape(G, Fg, Cg, kh, kw).transpose(3, 4, 0, 2, 1)     # (kh, kw, G, Cg, Fg)
    dx_pad = np.zeros_like(x_pad)
    for u in range(kh):
        for v in range(kw):
            dx_pad[:, :, u * dh: u * dh + sh * (Ho - 1) + 1: sh,
                   v * dw: v * dw + sw * (Wo - 1) + 1: sw] += (
                np.matmul(w_t[u, v], d_mat).reshape(N, G * Cg, Ho, Wo))
    H, W = x_pad.shape[2] - 2 * ph, x_pad.shape[3] - 2 * pw
    dx = dx_pad[:, :, ph:ph + H, pw:pw + W]
    grads["x"] = dx[0] if cache["single"] else dx
    return grads


# ----------------------------------------------------------------------------- pooling

def _pool_setup(x, kernel, stride, padding, dilation, ceil_mode, name):
    """Shared argument handling of the pooling layers (PyTorch's rules)."""
    x4, single = _as_image(x)
    kh, kw = _pair(kernel, "kernel", 1)
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride", 1)
    ph, pw = _pair(padding, "padding", 0)
    dh, dw = _pair(dilation, "dilation", 1)
    if ph > kh // 2 or pw > kw // 2:
        # PyTorch refuses this too: a window could otherwise lie entirely in the padding.
        raise ValueError(f"{name}: padding {(ph, pw)} must be at most half the kernel {(kh, kw)}")
    Ho = conv_output_size(x4.shape[2], kh, sh, ph, dh, ceil_mode)
    Wo = conv_output_size(x4.shape[3], kw, sw, pw, dw, ceil_mode)
    return x4, single, (kh, kw), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo)


def _padded_windows(x4, k, s, p, d, out_hw, fill):
    """Windows ``(N, C, H_out, W_out, kh, kw)`` of ``x`` padded with ``fill``.

    The right/bottom padding is whatever the last window needs (with ceil_mode it
    may reach past ``p``); those extra cells are never counted (see the callers).
    """
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo) = k, s, p, d, out_hw
    H, W = x4.shape[2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    bottom = max((Ho - 1) * sh + eh - H - ph, 0)
    right = max((Wo - 1) * sw + ew - W - pw, 0)
    xp = np.pad(x4, ((0, 0), (0, 0), (ph, bottom), (pw, right)), constant_values=fill)
    win = sliding_window_view(xp, (eh, ew), axis=(2, 3))
    return win[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :Ho, :Wo], xp.shape


def max_pool2d(x, kernel, stride=None, padding=0, ceil_mode=False, dilation=1):
    """Max pooling, forward pass (PyTorch's ``max_pool2d`` semantics).

    ``out[c, i, j] = max_{u,v} x_pad[c, i*s + u*d, j*s + v*d]`` where the padding is
    -infinity (it can never be the maximum). ``stride`` defaults to ``kernel``;
    ``padding`` must be at most ``kernel // 2``; sizes follow :func:`conv_output_size`.

    Ties: the gradient goes to the **first** maximal element of the window in
    row-major order (smallest ``u``, then smallest ``v``), as PyTorch's CPU kernel
    does (it replaces the running maximum only on a strictly greater value).
    ``x`` must be finite. With dilation a window can fall entirely into the padding:
    its output is -inf, as in PyTorch, and it passes no gradient back (PyTorch 2.13
    routes that gradient to an index past the window's plane, a bug not copied here).

    Returns ``out`` (``(C, H_out, W_out)``) and a cache holding ``x`` and ``argmax``,
    the input coordinates ``(rows, cols)`` of each output's maximum (-1 for a window
    made only of padding).
    """
    x4, single, k, s, p, d, out_hw = _pool_setup(x, kernel, stride, padding, dilation,
                                                 ceil_mode, "max_pool2d")
    if not np.all(np.isfinite(x4)):
        raise ValueError("x must be finite for max_pool2d (the padding is -inf)")
    win, _ = _padded_windows(x4, k, s, p, d, out_hw, -np.inf)
    N, C, Ho, Wo = win.shape[:4]
    flat = win.reshape(N, C, Ho, Wo, k[0] * k[1])
    a = np.argmax(flat, axis=-1)                       # first maximum, as PyTorch
    out = np.take_along_axis(flat, a[..., None], axis=-1)[..., 0]
    u, v = np.divmod(a, k[1])
    rows = np.arange(Ho)[:, None] * s[0] + u * d[0] - p[0]
    cols = np.arange(Wo)[None, :] * s[1] + v * d[1] - p[1]
    padding_only = np.isneginf(out)
    rows, cols = np.where(padding_only, -1, rows), np.where(padding_only, -1, cols)
    cache = {"x": x4[0] if single else x4, "argmax": (rows[0], cols[0]) if single else (rows, cols),
             "kernel": k, "stride": s, "padding": p, "dilation": d,
             "x_shape": x4.shape, "single": single, "out_shape": out.shape}
    return (out[0] if single else out), cache


def max_pool2d_backward(dout, cache) -> dict:
    """Backward of :func:`max_pool2d`: each ``dout`` entry is routed to its window's
    argmax (summed where windows overlap and share an argmax). Returns ``{"x": dx}``."""
    dout = _as_dout(dout, cache["out_shape"], cache["single"])
    N, C, H, W = cache["x_shape"]
    rows, cols = cache["argmax"]
    if cache["single"]:
        rows, cols = rows[None], cols[None]
    real = rows >= 0                  # windows made only of padding pass nothing back
    plane = np.arange(N * C).reshape(N, C, 1, 1) * (H * W)
    flat_index = np.where(real, plane + rows * W + cols, 0).ravel()
    dx = np.bincount(flat_index, weights=np.where(real, dout, 0.0).ravel(),
                     minlength=N * C * H * W)
    dx = dx.reshape(N, C, H, W)
    return {"x": dx[0] if cache["single"] else dx}


def _avg_divisor(n, k, s, p, n_out, count_include_pad):
    """Per-position divisor along one axis, PyTorch's rule.

    A window starts at ``i*s - p``; counted with the padding it is clipped to the
    padded input (``n + p``), without it to the input itself.
    """
    start = np.arange(n_out) * s - p
    end = np.minimum(start + k, n + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


def avg_pool2d(x, kernel, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Average pooling, forward pass (PyTorch's ``avg_pool2d`` semantics).

    ``out[c, i, j] = (1/D[i, j]) sum_{u,v} x_pad[c, i*s + u, j*s + v]`` with zero padding.
    The divisor ``D`` is, as in PyTorch:

    * ``count_include_pad=True`` (PyTorch's default): the window's size counting the
      zero padding, but not the extra cells past the padding that ``ceil_mode`` may add,
      so a window fully inside the padded input divides by ``kh*kw``;
    * ``count_include_pad=False``: the number of real input cells in the window;
    * ``divisor_override``: that number, everywhere.

    Returns ``out`` and a cache holding ``x`` and ``divisor`` (``(H_out, W_out)``).
    """
    x4, single, k, s, p, d, (Ho, Wo) = _pool_setup(x, kernel, stride, padding, 1,
                                                   ceil_mode, "avg_pool2d")
    H, W = x4.shape[2:]
    if divisor_override is not None:
        divisor = np.full((Ho, Wo), float(check_positive_int(divisor_override, "divisor_override")))
    else:
        divisor = np.outer(_avg_divisor(H, k[0], s[0], p[0], Ho, count_include_pad),
                           _avg_divisor(W, k[1], s[1], p[1], Wo, count_include_pad)).astype(np.float64)
    win, padded_shape = _padded_windows(x4, k, s, p, d, (Ho, Wo), 0.0)
    out = win.sum(axis=(-2, -1)) / divisor
    cache = {"x": x4[0] if single else x4, "divisor": divisor, "kernel": k, "stride": s,
             "padding": p, "padded_shape": padded_shape, "x_shape": x4.shape,
             "single": single, "out_shape": out.shape}
    return (out[0] if single else out), cache


def avg_pool2d_backward(dout, cache) -> dict:
    """Backward of :func:`avg_pool2d`: every cell of a window receives
    ``dout[i, j] / D[i, j]`` (padding cells' shares are dropped). Returns ``{"x": dx}``."""
    dout = _as_dout(dout, cache["out_shape"], cache["single"])
    (kh, kw), (sh, sw), (ph, pw) = cache["kernel"], cache["stride"], cache["padding"]
    N, C, H, W = cache["x_shape"]
    Ho, Wo = dout.shape[2:]
    share = dout / cache["divisor"]
    dx_pad = np.zeros(cache["padded_shape"])
    for u in range(kh):
        for v in range(kw):
            dx_pad[:, :, u: u + sh * (Ho - 1) + 1: sh, v: v + sw * (Wo - 1) + 1: sw] += share
    dx = dx_pad[:, :, ph:ph + H, pw:pw + W]
    return {"x": dx[0] if cache["single"] else dx}


# ----------------------------------------------------------------------------- counting

def conv_param_count(C_in, F, k, bias=True, groups=1) -> int:
    """Trainable parameters of a conv layer: ``F * (C_in/groups) * kh * kw (+ F biases)``."""
    C_in = check_positive_int(C_in, "C_in")
    F = check_positive_int(F, "F")
    kh, kw = _pair(k, "k", 1)
    g = check_positive_int(groups, "groups")
    if C_in % g or F % g:
        raise ValueError(f"groups={g} must divide both C_in={C_in} and F={F}")
    return F * (C_in // g) * kh * kw + (F if bias else 0)


def conv_macs(C_in, F, k, H_out, W_out=None, groups=1) -> int:
    """Multiply-accumulates of a conv layer for one image:
    ``H_out * W_out * F * (C_in/groups) * kh * kw`` (bias additions not counted).
    ``W_out`` defaults to ``H_out``."""
    weights = conv_param_count(C_in, F, k, bias=False, groups=groups)
    H_out = check_positive_int(H_out, "H_out")
    W_out = H_out if W_out is None else check_positive_int(W_out, "W_out")
    return H_out * W_out * weights


def dense_param_count(n_in, n_out, bias=True) -> int:
    """Trainable parameters of a fully connected layer: ``n_in * n_out (+ n_out biases)``."""
    n_in = check_positive_int(n_in, "n_in")
    n_out = check_positive_int(n_out, "n_out")
    return n_in * n_out + (n_out if bias else 0)


def dense_macs(n_in, n_out) -> int:
    """Multiply-accumulates of a fully connected layer for one input: ``n_in * n_out``."""
    return dense_param_count(n_in, n_out, bias=False)


class ReceptiveField(NamedTuple):
    """After a layer: the receptive field ``r`` (in input pixels, along one axis) of one
    output unit, and the ``jump`` (input pixels between adjacent output units)."""

    r: int
    jump: int


def receptive_field(layers) -> list[ReceptiveField]:
    """Receptive field and jump after each layer of a stack, along one axis.

    ``layers`` is a sequence of ``(kernel, stride, dilation)`` (``(kernel, stride)``
    or a bare ``kernel`` also accepted; stride and dilation default to 1). Starting
    from ``r = 1, jump = 1`` at the input:

        r    <- r + (k - 1) * d * jump
        jump <- jump * s

    Padding shifts where the field sits, never its size, so it is not an argument.
    """
    r, jump, out = 1, 1, []
    for i, layer in enumerate(layers):
        spec = tuple(layer) if isinstance(layer, (tuple, list)) else (layer,)
        if not 1 <= len(spec) <= 3:
            raise ValueError(f"layers[{i}] must be (kernel, stride, dilation), got {layer!r}")
        k = check_positive_int(spec[0], f"layers[{i}] kernel")
        s = check_positive_int(spec[1] if len(spec) > 1 else 1, f"layers[{i}] stride")
        d = check_positive_int(spec[2] if len(spec) > 2 else 1, f"layers[{i}] dilation")
        r += (k - 1) * d * jump
        jump *= s
        out.append(ReceptiveField(r, jump))
    return out
