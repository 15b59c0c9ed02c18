"""The output [->h_t ; <-h_t] of a bidirectional RNN with scalar states, by hand."""

import numpy as np

from quizgen.bank import Number, Part, Redraw, draw
from reference_impl.bidirectional import birnn_forward
from reference_impl.rnn import rnn_forward

TITLE = "Bidirectional RNN: the output at one time step"
TAGS = ("forward", "bidirectional", "tanh", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("h_fwd", Number(4), label=r"\overrightarrow{h}_t"),
    Part("h_bwd", Number(4), label=r"\overleftarrow{h}_t", uses=()),
]

MISTAKES = {
    "not_reversed": "the backward direction was run from $t = 1$ (the sequence was not reversed)",
    "not_flipped_back": "the backward outputs were not flipped back: "
                        "$\\overleftarrow{h}_{T+1-t}$ was reported for step $t$",
}


def _direction(rng):
    """One direction's scalar parameters and initial state (H = D = 1)."""
    return {
        "h0": float(draw.decimals(rng, (), -0.5, 0.5)),
        "W_xh": float(draw.decimals(rng, (), -1, 1)),
        "W_hh": float(draw.decimals(rng, (), -1, 1)),
        "b_h": float(draw.decimals(rng, (), -0.5, 0.5)),
    }


def generate(rng):
    T = int(rng.integers(2, 4))
    t = int(rng.integers(1, T + 1))
    if 2 * t == T + 1:
        raise Redraw("the middle step reads the same backward state either way round")
    x = draw.integers(rng, T, -2, 2, nonzero=True)
    if x[0] == x[-1]:
        raise Redraw("a palindromic sequence reads the same in both directions")
    return {"x": x, "t": t, "fwd": _direction(rng), "bwd": _direction(rng)}


def _as_arrays(d):
    """Scalars -> the shapes reference_impl takes: h0, b_h (1,), W_xh, W_hh (1, 1)."""
    return {"h0": np.array([d["h0"]]), "b_h": np.array([d["b_h"]]),
            "W_xh": np.array([[d["W_xh"]]]), "W_hh": np.array([[d["W_hh"]]])}


def solve(p, work):
    x = np.asarray(p["x"], dtype=float).reshape(-1, 1)     # (T, D) = (T, 1)
    t = p["t"]
    fwd, bwd = _as_arrays(p["fwd"]), _as_arrays(p["bwd"])
    _, cache = birnn_forward(x, fwd, bwd)
    if max(np.max(np.abs(cache["fwd"]["a"])), np.max(np.abs(cache["bwd"]["a"]))) > 3:
        work.reject("a pre-activation saturates tanh")
    work.step("fwd_states", cache["h_fwd"][:, 0])          # ->h_1 .. ->h_T
    work.step("bwd_states", cache["h_bwd"][:, 0])          # <-h_1 .. <-h_T (natural order)
    work.answer("h_fwd", float(cache["h_fwd"][t - 1, 0]))
    if work.made("not_reversed"):
        h_wrong, _ = rnn_forward(x, bwd["h0"], bwd["W_xh"], bwd["W_hh"], bwd["b_h"])
        h_bwd = h_wrong[t - 1, 0]
    elif work.made("not_flipped_back"):
        h_bwd = cache["bwd"]["h"][t - 1, 0]                 # row t-1 of the reversed run
    else:
        h_bwd = cache["h_bwd"][t - 1, 0]
    work.answer("h_bwd", float(h_bwd))


STEM = r"""
A bidirectional RNN with a scalar state in each direction ($H = 1$ per direction, $D = 1$) reads the
sequence {% for v in p.x %}$x_{{ loop.index }} = {{ v | tex }}${{ ", " if not loop.last else "" }}{% endfor %} ($T = {{ p.x | length }}$).
The forward direction runs $t = 1, \ldots, T$ from $\overrightarrow{h}_0$, the backward direction runs
$t = T, \ldots, 1$ from $\overleftarrow{h}_{T+1}$, each with its own weights:
$$\overrightarrow{h}_t = \tanh(\overrightarrow{W}_{hh} \overrightarrow{h}_{t-1} + \overrightarrow{W}_{xh} x_t + \overrightarrow{b}),\qquad
\overleftarrow{h}_t = \tanh(\overleftarrow{W}_{hh} \overleftarrow{h}_{t+1} + \overleftarrow{W}_{xh} x_t + \overleftarrow{b}),$$
and the output at step $t$ is $h_t = [\overrightarrow{h}_t ; \overleftarrow{h}_t]$.
Forward: $\overrightarrow{W}_{xh} = {{ p.fwd.W_xh | tex }}$, $\overrightarrow{W}_{hh} = {{ p.fwd.W_hh | tex }}$, $\overrightarrow{b} = {{ p.fwd.b_h | tex }}$, $\overrightarrow{h}_0 = {{ p.fwd.h0 | tex }}$.
Backward: $\overleftarrow{W}_{xh} = {{ p.bwd.W_xh | tex }}$, $\overleftarrow{W}_{hh} = {{ p.bwd.W_hh | tex }}$, $\overleftarrow{b} = {{ p.bwd.b_h | tex }}$, $\overleftarrow{h}_{ {{- p.x | length + 1 -}} } = {{ p.bwd.h0 | tex }}$.

Compute the output $h_{ {{- p.t -}} } = [\overrightarrow{h}_{ {{- p.t -}} } ; \overleftarrow{h}_{ {{- p.t -}} }]$ at step $t = {{ p.t }}$:
give $\overrightarrow{h}_{ {{- p.t -}} }$ and $\overleftarrow{h}_{ {{- p.t -}} }$. Round to {{ d }} decimals.
"""

SOLUTION = r"""
Forward, from $t = 1$: {% for i in range(p.t) %}$\overrightarrow{h}_{ {{- i + 1 -}} } = {{ s.fwd_states[i] | tex(d) }}${{ ", " if not loop.last else "." }}{% endfor %}

Backward, from $t = {{ p.x | length }}$ down: {% for i in range(p.x | length - 1, p.t - 2, -1) %}$\overleftarrow{h}_{ {{- i + 1 -}} } = {{ s.bwd_states[i] | tex(d) }}${{ ", " if not loop.last else "." }}{% endfor %}

So $h_{ {{- p.t -}} } = [\overrightarrow{h}_{ {{- p.t -}} } ; \overleftarrow{h}_{ {{- p.t -}} }]$ with $\overrightarrow{h}_{ {{- p.t -}} } = {{ key.h_fwd }}$ and $\overleftarrow{h}_{ {{- p.t -}} } = {{ key.h_bwd }}$.
"""
