"""One GRU step in the course's convention (u_t, r_t, \\hat{C}_t), hidden size 2, by hand."""

import numpy as np

from quizgen.bank import Part, Vector, draw
from reference_impl.activations import tanh
from reference_impl.gru import COURSE_PARAMS, gru_forward

TITLE = "One GRU step in the course's convention"
TAGS = ("forward", "gates", "convention", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
H = 2

PARTS = [
    Part("u", Vector(2), label="u_t"),
    Part("r", Vector(2), label="r_t", uses=()),
    Part("C_hat", Vector(2), label=r"\hat{C}_t", uses=("r",)),
    Part("h", Vector(2), label="h_t"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "u_swapped": "$u_t$ and $1 - u_t$ were swapped: $h_t = (1 - u_t) \\hat{C}_t + u_t h_{t-1}$",
    "reset_after_matmul": "the reset gate was applied after the matmul, "
                          "$r_t \\odot (W_{c,h} h_{t-1})$, instead of to $h_{t-1}$ before it",
    "pytorch_convention": "PyTorch's convention was used with the same weights: "
                          "$n = \\tanh(W_{c,x} x_t + b_c + r \\odot (W_{c,h} h_{t-1}))$, "
                          "$h = (1 - z) n + z h_{t-1}$ with $z = u_t$",
}


def generate(rng):
    params = {
        "x": float(draw.integers(rng, (), -2, 2, nonzero=True)),
        "h0": draw.decimals(rng, H, -0.9, 0.9),
    }
    for g in ("u", "r", "c"):  # columns: [h_{t-1} (2 columns), x_t]
        params[f"W_{g}"] = draw.decimals(rng, (H, H + 1), -1, 1)
        params[f"b_{g}"] = draw.decimals(rng, H, -0.5, 0.5)
    return params


def _as_pytorch(P):
    """The same weights read in PyTorch's convention (z = the course's u, no hidden-side bias)."""
    out = {}
    for torch_gate, g in (("r", "r"), ("z", "u"), ("n", "c")):
        out[f"W_i{torch_gate}"] = P[f"W_{g}"][:, H:]
        out[f"W_h{torch_gate}"] = P[f"W_{g}"][:, :H]
        out[f"b_i{torch_gate}"] = P[f"b_{g}"]
        out[f"b_h{torch_gate}"] = np.zeros(H)
    return out


def solve(p, work):
    P = {k: p[k] for k in COURSE_PARAMS}
    x = np.array([[p["x"]]])                       # (T, D) = (1, 1)
    h0 = p["h0"]
    _, cache = gru_forward(x, h0, P, convention="course")
    a_u = work.step("a_u", cache["a_u"][0])
    a_r = work.step("a_r", cache["a_r"][0])
    if np.max(np.abs(np.concatenate([a_u, a_r]))) > 3:
        work.reject("a gate pre-activation saturates")
    u = work.answer("u", cache["u"][0])
    r = work.answer("r", cache["r"][0])

    if work.made("pytorch_convention"):
        h_torch, torch_cache = gru_forward(x, h0, _as_pytorch(P), convention="pytorch")
        work.answer("C_hat", torch_cache["n"][0])
        work.answer("h", h_torch[0])
        return

    # The candidate from the (returned) reset gate: C^_t = tanh(W_c [r_t * h_{t-1}, x_t] + b_c).
    W_ch, W_cx = P["W_c"][:, :H], P["W_c"][:, H:]
    rh = work.step("rh", r * h0)
    if work.made("reset_after_matmul"):
        a_c = r * (W_ch @ h0) + W_cx @ x[0] + P["b_c"]
    else:
        a_c = W_ch @ rh + W_cx @ x[0] + P["b_c"]
    a_c = work.step("a_c", a_c)
    key_draw = work.is_key  # judge the draw by its own key only
    if key_draw and np.max(np.abs(a_c)) > 3:
        work.reject("the candidate's pre-activation saturates")
    if key_draw and np.max(np.abs(r * (W_ch @ h0) - W_ch @ rh)) < 0.02:
        work.reject("resetting before or after the matmul gives nearly the same candidate")
    C_hat = work.answer("C_hat", tanh(a_c))
    if work.made("u_swapped"):
        h = (1 - u) * C_hat + u * h0
    else:
        h = u * C_hat + (1 - u) * h0
    h = work.answer("h", h)
    if key_draw and (np.min(np.abs(h - h0)) < 0.01 or np.min(np.abs(u - 0.5)) < 0.02):
        work.reject("the update barely moves h, or u_t is too close to 1/2 to tell u from 1 - u")


STEM = r"""
A GRU with hidden size $H = 2$ and input size $D = 1$ follows the course's convention
(gates on $[h_{t-1}, x_t]$, the previous state first; the reset gate acts on $h_{t-1}$ before
the matrix product; the update gate $u_t$ weights the new candidate):
$$u_t = \sigma(W_u [h_{t-1}, x_t] + b_u),\qquad r_t = \sigma(W_r [h_{t-1}, x_t] + b_r),$$
$$\hat{C}_t = \tanh(W_c [r_t \odot h_{t-1}, x_t] + b_c),\qquad h_t = u_t \odot \hat{C}_t + (1 - u_t) \odot h_{t-1}.$$
(This is not the convention of PyTorch's nn.GRU, $h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$.)
The first two columns of each $W$ act on the state part, the last column on $x_t$:
$$W_u = {{ p.W_u | tex }},\; b_u = {{ p.b_u | tex }},\quad W_r = {{ p.W_r | tex }},\; b_r = {{ p.b_r | tex }},$$
$$W_c = {{ p.W_c | tex }},\; b_c = {{ p.b_c | tex }}.$$
Given $x_t = {{ p.x | tex }}$ and $h_{t-1} = {{ p.h0 | tex }}$, compute $u_t$, $r_t$, $\hat{C}_t$ and $h_t$
(each a vector of 2 numbers). Round to {{ d }} decimals.
"""

SOLUTION = r"""
Gates on $[h_{t-1}, x_t]$: $W_u [h_{t-1}, x_t] + b_u = {{ s.a_u | tex(d) }}$, so $u_t = {{ key.u }}$;
$W_r [h_{t-1}, x_t] + b_r = {{ s.a_r | tex(d) }}$, so $r_t = {{ key.r }}$.

Reset before the product: $r_t \odot h_{t-1} = {{ s.rh | tex(d) }}$, then
$W_c [r_t \odot h_{t-1}, x_t] + b_c = {{ s.a_c | tex(d) }}$ and $\hat{C}_t = \tanh(\cdot) = {{ key.C_hat }}$.

Interpolate: $h_t = u_t \odot \hat{C}_t + (1 - u_t) \odot h_{t-1} = {{ key.h }}$.
"""
