"""How many steps back until the gradient bound (|w_rec| gamma)^n falls below a threshold."""

import math

from quizgen.bank import Integer, Number, Part, draw

TITLE = "Vanishing gradients: steps until the gradient bound falls below a threshold"
TAGS = ("vanishing-gradient", "logarithm", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4

PARTS = [
    Part("q", Number(4), label="q", points=1),
    Part("n", Integer(), label="n", points=2),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "rounded_down": "$\\ln\\varepsilon / \\ln q$ was rounded down: at that $n$ the bound is still $\\ge \\varepsilon$",
    "mixed_log_bases": "$\\ln \\varepsilon$ was divided by $\\log_{10} q$ (two different logarithms)",
    "gamma_forgotten": "the bound $\\gamma$ on $f'$ was forgotten: $q = |w_{rec}|$",
}


def generate(rng):
    w = float(draw.decimals(rng, (), 0.5, 0.99, places=2)) * float(rng.choice([-1, 1]))
    return {
        "W_hh": w,                                                  # the notes' w_rec
        "gamma": round(float(rng.integers(10, 20)) * 0.05, 2),       # |f'(a_t)| <= gamma
        "eps": float(rng.choice([0.1, 0.05, 0.01, 0.001])),
    }


def solve(p, work):
    gamma = 1.0 if work.made("gamma_forgotten") else p["gamma"]
    # one step back multiplies the gradient by w_rec f'(a_t), of size at most |w_rec| gamma
    q = work.answer("q", abs(p["W_hh"]) * gamma)
    if not 0 < q < 1:
        work.reject("the bound does not shrink")
    log_q = math.log10(q) if work.made("mixed_log_bases") else math.log(q)
    ratio = work.step("ratio", math.log(p["eps"]) / log_q)
    n = math.floor(ratio) if work.made("rounded_down") else math.floor(ratio) + 1  # first n with q^n < eps
    n = work.answer("n", n)
    if work.is_key:
        if abs(ratio - round(ratio)) < 1e-3:
            work.reject("q^n lands (almost) exactly on the threshold")
        if work.decimals is None:
            assert q**n < p["eps"] <= q ** (n - 1)
        if not 3 <= n <= 60:
            work.reject("too few or too many steps")
        work.step("bound_n", q**n)
        work.step("bound_n1", q ** (n - 1))


STEM = r"""
In a scalar RNN $h_t = f(a_t)$, $a_t = w_{rec} h_{t-1} + w_{in} x_t + b$, going back one step multiplies the
gradient by $\partial h_t/\partial h_{t-1} = w_{rec}\, f'(a_t)$, so after $n$ steps back
$$\left|\frac{\partial h_T}{\partial h_{T-n}}\right| = \prod_{t=T-n+1}^{T} |w_{rec}|\,|f'(a_t)| \;\le\; q^n,\qquad q = |w_{rec}|\,\gamma,$$
where $\gamma$ bounds the activation's derivative along the trajectory: $|f'(a_t)| \le \gamma$.
Here $w_{rec} = {{ p.W_hh | tex }}$ and $\gamma = {{ p.gamma | tex }}$.

(a) Compute $q$ (to {{ d }} decimals).

(b) Find the smallest number of steps $n$ for which the bound $q^n$ is below $\varepsilon = {{ p.eps | tex }}$,
i.e. $q^n < \varepsilon$. (Hint: $n > \ln\varepsilon / \ln q$.)
"""

SOLUTION = r"""
(a) $q = |w_{rec}|\,\gamma = {{ p.W_hh | abs | tex }} \times {{ p.gamma | tex }} = {{ key.q }}$.

(b) $q^n < \varepsilon$ means $n \ln q < \ln \varepsilon$, that is $n > \ln\varepsilon / \ln q = {{ s.ratio | tex(d) }}$
(dividing by $\ln q < 0$ turns the inequality). The smallest whole number is $n = {{ key.n }}$:
$q^{ {{- a.n -}} } = {{ s.bound_n | num(6) }} < {{ p.eps | tex }}$, while $q^{ {{- a.n - 1 -}} } = {{ s.bound_n1 | num(6) }}$ is not.
"""
