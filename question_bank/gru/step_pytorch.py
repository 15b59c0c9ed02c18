"""One GRU step in PyTorch's convention (r, z, n; reset after the matmul), hidden size 2, by hand."""

import numpy as np

from quizgen.bank import Part, Vector, draw
from reference_impl.activations import tanh
from reference_impl.gru import PYTORCH_PARAMS, gru_forward

TITLE = "One GRU step in PyTorch's convention (torch.nn.GRU)"
TAGS = ("forward", "gates", "convention", "pytorch", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
H = 2

PARTS = [
    Part("r", Vector(2), label="r"),
    Part("z", Vector(2), label="z", uses=()),
    Part("n", Vector(2), label="n", uses=("r",)),
    Part("h", Vector(2), label="h'"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "z_swapped": "$z$ and $1 - z$ were swapped: $h' = z \\odot n + (1 - z) \\odot h$",
    "hidden_bias_outside": "$b_{hn}$ was added outside the reset: $r \\odot (W_{hn} h) + b_{hn}$ "
                           "instead of $r \\odot (W_{hn} h + b_{hn})$",
    "reset_before_matmul": "the reset gate was applied to $h$ before the matmul, "
                           "$W_{hn} (r \\odot h) + b_{hn}$, as in the course's convention",
    "course_convention": "the course's convention was used with the same weights: reset before the "
                         "matmul and $h' = z \\odot n + (1 - z) \\odot h$ (its $u_t$ weights the candidate)",
}


def generate(rng):
    params = {
        "x": float(draw.integers(rng, (), -2, 2, nonzero=True)),
        "h0": draw.decimals(rng, H, -0.9, 0.9),
    }
    for gate in "rzn":
        params[f"W_i{gate}"] = draw.decimals(rng, (H, 1), -1, 1)
        params[f"W_h{gate}"] = draw.decimals(rng, (H, H), -1, 1)
        params[f"b_i{gate}"] = draw.decimals(rng, H, -0.5, 0.5)
        params[f"b_h{gate}"] = draw.decimals(rng, H, -0.5, 0.5)
    return params


def solve(p, work):
    P = {k: p[k] for k in PYTORCH_PARAMS}
    x = np.array([[p["x"]]])                       # (T, D) = (1, 1)
    h0 = p["h0"]
    _, cache = gru_forward(x, h0, P, convention="pytorch")
    a_r = work.step("a_r", cache["a_r"][0])
    a_z = work.step("a_z", cache["a_z"][0])
    key_draw = work.is_key  # judge the draw by its own key only
    if key_draw and np.max(np.abs(np.concatenate([a_r, a_z]))) > 3:
        work.reject("a gate pre-activation saturates")
    # each gate by hand: e^{-a} written down, then 1 / (1 + e^{-a}); the reference's gate moved by
    # whatever rounding a and e^{-a} did (exactly: nothing, so the key stays the reference's bit for bit)
    e_r = work.step("e_r", np.exp(-a_r))
    e_z = work.step("e_z", np.exp(-a_z))
    r = work.answer("r", cache["r"][0] + (1 / (1 + e_r) - 1 / (1 + np.exp(-cache["a_r"][0]))))
    z = work.answer("z", cache["z"][0] + (1 / (1 + e_z) - 1 / (1 + np.exp(-cache["a_z"][0]))))

    # The candidate from the (returned) reset gate, the reset acting after the matmul.
    W_hn, b_hn = P["W_hn"], P["b_hn"]
    xn = work.step("xn", P["W_in"] @ x[0] + P["b_in"])
    hn = work.step("hn", W_hn @ h0 + b_hn)
    if work.made("hidden_bias_outside"):
        a_n = xn + r * (W_hn @ h0) + b_hn
    elif work.made("reset_before_matmul") or work.made("course_convention"):
        a_n = xn + W_hn @ (r * h0) + b_hn
    else:
        a_n = xn + r * hn
    a_n = work.step("a_n", a_n)
    if key_draw and np.max(np.abs(a_n)) > 3:
        work.reject("the candidate's pre-activation saturates")
    n = work.answer("n", tanh(a_n))
    if work.made("z_swapped") or work.made("course_convention"):
        h = z * n + (1 - z) * h0
    else:
        h = (1 - z) * n + z * h0
    h = work.answer("h", h)
    if key_draw and np.min(np.abs(h - h0)) < 0.01:
        work.reject("the update barely moves h")


STEM = r"""
A GRU with hidden size $H = 2$ and input size $D = 1$ follows PyTorch's convention (`torch.nn.GRU`):
separate input-side and hidden-side weights and biases, the reset gate applied AFTER the hidden-side
matrix product (bias included), and $z$ weighting the OLD state:
$$r = \sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}),\qquad z = \sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz}),$$
$$n = \tanh\big(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})\big),\qquad h' = (1 - z) \odot n + z \odot h.$$
(This is not the course's convention, where the reset multiplies $h_{t-1}$ before the product and
$h_t = u_t \odot \hat{C}_t + (1 - u_t) \odot h_{t-1}$.) With
$$W_{ir} = {{ p.W_ir | tex }},\; W_{hr} = {{ p.W_hr | tex }},\; b_{ir} = {{ p.b_ir | tex }},\; b_{hr} = {{ p.b_hr | tex }},$$
$$W_{iz} = {{ p.W_iz | tex }},\; W_{hz} = {{ p.W_hz | tex }},\; b_{iz} = {{ p.b_iz | tex }},\; b_{hz} = {{ p.b_hz | tex }},$$
$$W_{in} = {{ p.W_in | tex }},\; W_{hn} = {{ p.W_hn | tex }},\; b_{in} = {{ p.b_in | tex }},\; b_{hn} = {{ p.b_hn | tex }},$$
the input $x = {{ p.x | tex }}$ and the previous state $h = {{ p.h0 | tex }}$, compute $r$, $z$, $n$ and the new
state $h'$ (each a vector of 2 numbers). Round to {{ d }} decimals.
"""

SOLUTION = r"""
Gates, $\sigma(a) = 1/(1 + e^{-a})$: $a_r = W_{ir} x + b_{ir} + W_{hr} h + b_{hr} = {{ s.a_r | tex(d) }}$,
$e^{-a_r} = {{ s.e_r | tex(d) }}$, so $r = {{ key.r }}$;
$a_z = W_{iz} x + b_{iz} + W_{hz} h + b_{hz} = {{ s.a_z | tex(d) }}$, $e^{-a_z} = {{ s.e_z | tex(d) }}$, so $z = {{ key.z }}$.

Candidate, reset after the product: $W_{in} x + b_{in} = {{ s.xn | tex(d) }}$, $W_{hn} h + b_{hn} = {{ s.hn | tex(d) }}$,
so $W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn}) = {{ s.a_n | tex(d) }}$ and $n = \tanh(\cdot) = {{ key.n }}$.

New state: $h' = (1 - z) \odot n + z \odot h = {{ key.h }}$.
"""
