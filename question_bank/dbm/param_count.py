"""The number of parameters (weights, then weights and biases) of a two-hidden-layer deep Boltzmann machine."""

from quizgen.bank import Integer, Part, Redraw
from reference_impl.dbm import dbm_param_count

TITLE = "Parameter count of a deep Boltzmann machine"
TAGS = ("parameters", "architecture", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 0

PARTS = [
    Part("weights", Integer(), label="weights", points=1),
    Part("total", Integer(), label="total", points=1),
]

MISTAKES = {
    "no_W2": "the weights $W_2$ between $h^{(1)}$ and $h^{(2)}$ were forgotten",
    "v_to_h2": "weights between $v$ and $h^{(2)}$ were counted too, as if every pair of layers were connected",
    "no_biases": "the biases were forgotten",
    "stacked_rbms": "it was counted as a stack of two RBMs (as when pre-training a DBN), each with its own visible and hidden biases: the $h^{(1)}$ biases twice",
}

SIZES_V = (784, 576, 400, 256, 144, 100, 64)
SIZES_H = (1000, 800, 500, 400, 256, 200, 128, 100, 50, 20)


def generate(rng):
    params = {
        "n_v": int(rng.choice(SIZES_V)),
        "n_h1": int(rng.choice(SIZES_H)),
        "n_h2": int(rng.choice(SIZES_H)),
    }
    if params["n_h1"] == params["n_h2"] == params["n_v"]:
        raise Redraw("all layers have the same size")
    return params


def solve(p, work):
    n_v, n_h1, n_h2 = p["n_v"], p["n_h1"], p["n_h2"]
    weights = dbm_param_count(n_v, n_h1, n_h2, biases=False)  # n_v n_h1 + n_h1 n_h2
    if work.made("no_W2"):
        weights -= n_h1 * n_h2
    if work.made("v_to_h2"):
        weights += n_v * n_h2
    weights = work.answer("weights", weights)
    biases = dbm_param_count(n_v, n_h1, n_h2) - dbm_param_count(n_v, n_h1, n_h2, biases=False)
    if work.made("no_biases"):
        biases = 0
    if work.made("stacked_rbms"):
        biases += n_h1
    biases = work.step("biases", biases)
    work.answer("total", weights + biases)


STEM = r"""
A deep Boltzmann machine has a visible layer of ${{ p.n_v | int }}$ binary units and two hidden layers of
${{ p.n_h1 | int }}$ and ${{ p.n_h2 | int }}$ binary units, with the energy
$$E(v, h^{(1)}, h^{(2)}) = -v^\top W_1 h^{(1)} - (h^{(1)})^\top W_2 h^{(2)} - a^\top v - b_1^\top h^{(1)} - b_2^\top h^{(2)}.$$

(a) How many weights (entries of $W_1$ and $W_2$) does it have?

(b) How many parameters does it have in total, weights and biases?
"""

SOLUTION = r"""
(a) $W_1$ is ${{ p.n_v | int }} \times {{ p.n_h1 | int }}$ and $W_2$ is ${{ p.n_h1 | int }} \times {{ p.n_h2 | int }}$:
there are no weights within a layer and none between $v$ and $h^{(2)}$, so there are ${{ key.weights }}$ weights.

(b) One bias per unit: ${{ p.n_v | int }} + {{ p.n_h1 | int }} + {{ p.n_h2 | int }} = {{ s.biases | int }}$ biases, so
${{ key.total }}$ parameters in total.
"""
