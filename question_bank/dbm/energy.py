"""The energy of one configuration (v, h1, h2) of a deep Boltzmann machine with two hidden layers."""


from quizgen.bank import Number, Part, Redraw, draw
from reference_impl.dbm import dbm_energy

TITLE = "Energy of a deep Boltzmann machine configuration"
TAGS = ("energy", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4
SIZES = ("calculator", "computer")

PARTS = [
    Part("E", Number(4), label="E(v, h^{(1)}, h^{(2)})", points=2),
]

MISTAKES = {
    "no_top_layer": "the interaction $(h^{(1)})^\\top W_2 h^{(2)}$ between the hidden layers was left out (the RBM energy of $v, h^{(1)}$)",
    "bias_sign": "the bias terms were added with the wrong sign",
    "W2_transposed": "$(h^{(2)})^\\top W_2 h^{(1)}$ was computed: $W_2$ was used transposed",
    "interaction_sign": "the interaction terms were added with the wrong sign",
}


def generate(rng, size="calculator"):
    if size == "computer":
        n_v, n_h, places = 6, 3, 2
    else:
        n_v, n_h, places = 3, 2, 1
    params = {
        "v": draw.binary(rng, n_v),
        "h1": draw.binary(rng, n_h),
        "h2": draw.binary(rng, n_h),
        "W1": draw.decimals(rng, (n_v, n_h), -1, 1, places=places),
        "W2": draw.decimals(rng, (n_h, n_h), -1, 1, places=places),
        "a": draw.decimals(rng, n_v, -1, 1, places=places),
        "b1": draw.decimals(rng, n_h, -1, 1, places=places),
        "b2": draw.decimals(rng, n_h, -1, 1, places=places),
    }
    v, h1, h2 = params["v"], params["h1"], params["h2"]
    if not v.any() or not h1.any() or not h2.any():
        raise Redraw("a layer is all zeros: an interaction term vanishes")
    if abs(h1 @ params["W2"] @ h2) < 0.05 or abs(h1 @ params["W2"] @ h2 - h2 @ params["W2"] @ h1) < 0.05:
        raise Redraw("the top interaction vanishes or does not depend on the transposition")
    return params


def solve(p, work):
    v, h1, h2 = p["v"], p["h1"], p["h2"]
    model = {k: p[k] for k in ("W1", "W2", "a", "b1", "b2")}
    work.step("vW1h1", v @ p["W1"] @ h1)
    work.step("h1W2h2", h1 @ p["W2"] @ h2)
    work.step("biases", p["a"] @ v + p["b1"] @ h1 + p["b2"] @ h2)
    if work.made("no_top_layer"):
        model["W2"] = 0 * model["W2"]
    if work.made("W2_transposed"):
        model["W2"] = model["W2"].T
    if work.made("bias_sign"):
        model.update(a=-model["a"], b1=-model["b1"], b2=-model["b2"])
    if work.made("interaction_sign"):
        model.update(W1=-model["W1"], W2=-model["W2"])
    work.answer("E", dbm_energy(v, h1, h2, model))


STEM = r"""
A deep Boltzmann machine has a visible layer $v$ ({{ p.v | length }} binary units) and two hidden layers $h^{(1)}$
and $h^{(2)}$ ({{ p.h1 | length }} binary units each), connected only between neighbouring layers. Its energy is
$$E(v, h^{(1)}, h^{(2)}) = -v^\top W_1 h^{(1)} - (h^{(1)})^\top W_2 h^{(2)} - a^\top v - b_1^\top h^{(1)} - b_2^\top h^{(2)}.$$
With
$$W_1 = {{ p.W1 | tex }},\quad W_2 = {{ p.W2 | tex }},\quad a = {{ p.a | tex }},\quad b_1 = {{ p.b1 | tex }},\quad b_2 = {{ p.b2 | tex }},$$
compute the energy of the configuration $v = {{ p.v | row }}^\top$, $h^{(1)} = {{ p.h1 | row }}^\top$,
$h^{(2)} = {{ p.h2 | row }}^\top$. Round to {{ d }} decimals.
"""

SOLUTION = r"""
$v^\top W_1 h^{(1)} = {{ s.vW1h1 | num(d) }}$, $(h^{(1)})^\top W_2 h^{(2)} = {{ s.h1W2h2 | num(d) }}$ and
$a^\top v + b_1^\top h^{(1)} + b_2^\top h^{(2)} = {{ s.biases | num(d) }}$, so
$$E = -({{ s.vW1h1 | num(d) }}) - ({{ s.h1W2h2 | num(d) }}) - ({{ s.biases | num(d) }}) = {{ key.E }}.$$
"""
