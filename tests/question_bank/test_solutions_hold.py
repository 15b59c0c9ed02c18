"""Every printed equation of a few recognisable shapes holds for the numbers printed beside it.

A student checks a worked solution with a calculator: `-\\ln 0.1311` must give the printed loss, the
printed terms must add up to the printed sum. The checker reads the rendered solution text (the
LaTeX between `$...$` after Jinja), recomputes each recognised equation's right side from the
operands AS PRINTED, and requires the printed right side to be that value rounded to the printed
right side's decimals (a tie either way is accepted). No slack for operands that were rounded before
printing: if the solution rounds an operand, it must print enough of its digits (or the result must
be computed from the rounded operand).

Shapes checked (a number is `1.25`, `-1.25`, `{-}1.25`; `\\,` and `{,}` are dropped first):
  -\\ln X = Y,  \\ln X = Y / \\ln(X) = Y,  \\log X = Y (natural),  \\tanh X = Y / \\tanh(X) = Y,
  \\sigma(X) = Y,  e^{X} = Y,  \\exp(X) = Y,  \\sqrt{X} = Y, each also of a name defined earlier
  (`a_1 = ... = 1.18`, then `\\tanh a_1 = 0.8275`; a vector too: `\\sigma(a_2) = [..]`),
  arithmetic of printed numbers (+ - \\cdot \\times / \\frac and parentheses) = Y,
  1/(1 + [..]) = [..] entry by entry,
  \\begin{bmatrix} a & b ... \\end{bmatrix} ... sum(s|ming) to / their sum is (... =) Y,
  \\sigma / \\tanh / e^ of a printed vector = a printed vector, entry by entry.

The solution is rendered along the hand path (`render_solution`), which is what makes this hold:
with the exact steps, 249 of 2,065 recognised equations over 30 seeds were false (a function of a
named vector printed from unrounded values: seq2seq.teacher_forcing_loss, autoencoder.forward_loss,
rnn.forward_two_steps). Not recognised: equations between named symbols whose values are in the
stem (`m_1 = \\mu_1 + \\rho (x_2 - \\mu_2) = -0.55`), tables, matrix products.
"""

import ast
import math
import operator
import re

import pytest

from quizgen.bank.loader import load_bank
from quizgen.bank.seeds import rng_for
from quizgen.bank.texts import render_solution

SEEDS = range(30)
NUM = r"(-?\d+(?:\.\d+)?)"
VEC = r"\\begin\{bmatrix\}([-\d.\s&\\]*?)\\end\{bmatrix\}"


def normalise(text: str) -> str:
    text = text.replace("{-}", "-").replace("\u2212", "-")
    text = text.replace("\\,", "").replace("{,}", "").replace("\\!", "")
    text = re.sub(r"\\left|\\right", "", text)
    return text


def decimals(token: str) -> int:
    return len(token.split(".")[1]) if "." in token else 0


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# a function's value stands alone: right after `$` or `=` (not `o_t \odot \tanh(C_t)`, a product)
ALONE = r"(?:(?<=\$)|(?<==)|(?<== )|(?<=\$ ))"
# (name, pattern with groups (operand, result), function)
SCALAR = [
    ("-ln", ALONE + r"-\s*\\ln\s*\(?\s*" + NUM + r"\s*\)?\s*=\s*" + NUM, lambda x: -math.log(x)),
    ("ln", ALONE + r"(?<![-\w])(?<!-\s)\\ln\s*\(?\s*" + NUM + r"\s*\)?\s*=\s*" + NUM, math.log),
    ("tanh", ALONE + r"\\tanh\s*\(?\s*" + NUM + r"\s*\)?\s*=\s*" + NUM, math.tanh),
    ("sigma", ALONE + r"\\sigma\s*\(\s*" + NUM + r"\s*\)\s*=\s*" + NUM, sigmoid),
    ("exp", ALONE + r"e\^\{\s*" + NUM + r"\s*\}\s*=\s*" + NUM, math.exp),
    ("exp", ALONE + r"\\exp\s*\(\s*" + NUM + r"\s*\)\s*=\s*" + NUM, math.exp),
    ("sqrt", ALONE + r"\\sqrt\{\s*" + NUM + r"\s*\}\s*=\s*" + NUM, math.sqrt),
]
ELEMENTWISE = [
    ("sigma[]", r"\\sigma\s*\(\s*" + VEC + r"\s*\)\s*=\s*" + VEC, sigmoid),
    ("tanh[]", r"\\tanh\s*\(\s*" + VEC + r"\s*\)\s*=\s*" + VEC, math.tanh),
    ("exp[]", r"e\^\{\s*" + VEC + r"\s*\}\s*=\s*" + VEC, math.exp),
    ("1/(1+x)[]", r"1\s*/\s*\(\s*1\s*\+\s*" + VEC + r"\s*\)\s*=\s*" + VEC, lambda x: 1 / (1 + x)),
]
VECTOR_SUM = re.compile(VEC + r"\$?[^$]{0,40}?(?:summing to|sums? to|their sum is)[^$\d]{0,4}\$?"
                        r"(?:[^$=]{0,40}=\s*)?" + NUM)


# A named value: `a_1 = W_{hh} c + b = 1.1800` (a math segment whose last step is a printed number)
# defines a_1 as 1.1800 from there on; `\tanh a_1 = 0.8275` then uses the printed 1.1800.
SYM = r"(?:\\hat\{[A-Za-z]\}|[A-Za-z])(?:_\{?[\w,]+\}?)?(?:\^\{?[\w+*]+\}?)?"
DEFINITION = re.compile(r"(?:^|[$;,(]|\\quad|\\qquad|\bso\b)\s*(" + SYM + r")\s*=(?:[^$=]*=)*\s*" + NUM + r"\s*(?=\$)")
SYMBOLIC = [
    ("-ln name", ALONE + r"-\s*\\ln\s*\(?\s*(" + SYM + r")\s*\)?\s*=\s*" + NUM, lambda x: -math.log(x)),
    ("tanh name", ALONE + r"\\tanh\s*\(?\s*(" + SYM + r")\s*\)?\s*=\s*" + NUM, math.tanh),
    ("sigma name", ALONE + r"\\sigma\s*\(\s*(" + SYM + r")\s*\)\s*=\s*" + NUM, sigmoid),
    ("exp name", ALONE + r"e\^\{\s*(" + SYM + r")\s*\}\s*=\s*" + NUM, math.exp),
    ("sqrt name", ALONE + r"\\sqrt\{\s*(" + SYM + r")\s*\}\s*=\s*" + NUM, math.sqrt),
]
END_OF_VALUE = r"(?=\s*(?:\$|,|\\quad|\\qquad|\)|;|\\text))"
# The same for a vector: `a_2 = W h_1 + b = \begin{bmatrix} .. \end{bmatrix}`, then `\sigma(a_2) = [..]`.
VECTOR_DEFINITION = re.compile(r"(?:^|[$;,(]|\\quad|\\qquad|\bso\b)\s*(" + SYM + r")\s*=(?:[^$=]*=)*\s*" + VEC
                               + r"\s*(?=\$)")
SYMBOLIC_VECTOR = [
    ("sigma name[]", ALONE + r"\\sigma\s*\(\s*(" + SYM + r")\s*\)\s*=\s*" + VEC, sigmoid),
    ("tanh name[]", ALONE + r"\\tanh\s*\(?\s*(" + SYM + r")\s*\)?\s*=\s*" + VEC, math.tanh),
    ("exp name[]", ALONE + r"e\^\{\s*(" + SYM + r")\s*\}\s*=\s*" + VEC, math.exp),
]


def named_uses(text: str):
    """(shape, equation, operand, printed result) for a function of a name defined before it."""
    defined = {}
    events = [(m.start(), "def", m) for m in DEFINITION.finditer(text)]
    for name, pattern, fn in SYMBOLIC:
        events += [(m.start(), (name, fn), m) for m in re.finditer(pattern + END_OF_VALUE, text)]
    for _, what, m in sorted(events, key=lambda e: (e[0], e[1] != "def")):
        if what == "def":
            defined[m.group(1)] = m.group(2)
        elif m.group(1) in defined:
            name, fn = what
            yield name, f"{m.group(1)} = {defined[m.group(1)]}: {m.group(0)}", fn, defined[m.group(1)], m.group(2)


def named_vector_uses(text: str):
    """(shape, equation, function, operand, printed result) per entry of a function of a named vector."""
    defined = {}
    events = [(m.start(), "def", m) for m in VECTOR_DEFINITION.finditer(text)]
    for name, pattern, fn in SYMBOLIC_VECTOR:
        events += [(m.start(), (name, fn), m) for m in re.finditer(pattern, text)]
    for _, what, m in sorted(events, key=lambda e: (e[0], e[1] != "def")):
        if what == "def":
            defined[m.group(1)] = m.group(2)
        elif m.group(1) in defined:
            name, fn = what
            xs, x_tokens = entries(defined[m.group(1)])
            _, y_tokens = entries(m.group(2))
            if len(x_tokens) == len(y_tokens):
                for x, y in zip(x_tokens, y_tokens):
                    yield name, f"{m.group(1)} = [{', '.join(x_tokens)}]: {m.group(0)}", fn, x, y


# Arithmetic of printed numbers: `0.5 \cdot 0.3 + 0.1 = 0.25`, `\frac{1.2}{0.4} = 3`, `2 / 0.5 = 4`.
# The left side runs back to the previous `$`, `=`, `,`, `;` or `\quad` and holds nothing but numbers,
# + - \cdot \times / \frac{}{} and parentheses; the right side is one printed number that ends the value
# (then `$`, `,`, `;`, a full stop, `\quad`, `\text` or a parenthesis: not `- 1.05`, the start of a sum).
ARITHMETIC = re.compile(r"(?:(?<=\$)|(?<==)|(?<=,)|(?<=;)|(?<=\\quad)|(?<=\\qquad))([-+\d.\s(){}/]*"
                        r"(?:\\cdot|\\times|\\frac|[-+/])[-+\d.\s(){}/\\a-z]*?)=\s*" + NUM
                        + r"(?=\s*(?:\$|,|;|\.(?!\d)|\\quad|\\qquad|\\text|\(|\)|$))")
ARITHMETIC_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?|[-+*/()])")


def arithmetic_value(left: str):
    """The value of a left side made only of printed numbers and + - * / ( ), else None."""
    expr = left.replace("\\cdot", "*").replace("\\times", "*")
    expr = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", expr)
    if re.search(r"[a-zA-Z\\{}]", expr):
        return None
    tokens, pos = [], 0
    expr = expr.strip()
    while pos < len(expr):
        m = ARITHMETIC_TOKEN.match(expr, pos)
        if not m:
            return None
        tokens.append(m.group(1))
        pos = m.end()
    if sum(1 for t in tokens if t[0].isdigit()) < 2:
        return None
    try:
        return evaluate(ast.parse(" ".join(tokens), mode="eval").body)
    except (SyntaxError, ZeroDivisionError):
        return None


OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def evaluate(node) -> float:
    """Numbers, + - * / and unary minus: nothing else can reach here (the tokens were vetted)."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return -evaluate(node.operand) if isinstance(node.op, ast.USub) else evaluate(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](evaluate(node.left), evaluate(node.right))
    raise SyntaxError(ast.dump(node))


def arithmetic(text: str):
    for m in ARITHMETIC.finditer(text):
        value = arithmetic_value(m.group(1))
        if value is not None:
            yield "arithmetic", m.group(0).strip(), value, m.group(2)


def entries(body: str) -> list:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", body)], re.findall(r"-?\d+(?:\.\d+)?", body)


def holds(value: float, printed: str) -> bool:
    half = 0.5 * 10.0 ** -decimals(printed)
    return abs(float(printed) - value) <= half * (1 + 1e-9) + 1e-12


def printed_equations(text: str):
    """Yield (shape, equation text, recomputed value, printed result) for each recognised equation."""
    text = normalise(text)
    for name, pattern, fn in SCALAR:
        for m in re.finditer(pattern, text):
            x, y = m.group(1), m.group(2)
            try:
                value = fn(float(x))
            except (ValueError, OverflowError):
                value = math.nan
            yield name, m.group(0).strip(), value, y
    for name, pattern, fn in ELEMENTWISE:
        for m in re.finditer(pattern, text):
            xs, _ = entries(m.group(1))
            ys, tokens = entries(m.group(2))
            if len(xs) != len(ys):
                continue
            for x, y in zip(xs, tokens):
                yield name, m.group(0), fn(x), y
    for name, eq, fn, x, y in named_uses(text):
        try:
            value = fn(float(x))
        except (ValueError, OverflowError):
            value = math.nan
        yield name, eq, value, y
    for name, eq, fn, x, y in named_vector_uses(text):
        yield name, eq, fn(float(x)), y
    yield from arithmetic(text)
    for m in VECTOR_SUM.finditer(text):
        xs, _ = entries(m.group(1))
        yield "vector sum", m.group(0), sum(xs), m.group(2)


def false_equations(text: str) -> list:
    return [(shape, eq, value, y) for shape, eq, value, y in printed_equations(text)
            if not holds(value, y)]


# ---- the checker itself, on planted equations ----

TRUE_PLANTED = [
    r"$L_t = -\ln 0.13105094 = 2.0322$",
    r"$L = -\ln(0.5) = 0.6931$",
    r"so $\ln 2 = 0.6931$",
    r"$h = \tanh({-}0.5000) = {-}0.4621$",
    r"$\sigma(0.3) = 0.5744$",
    r"$e^{{-}1.2000} = 0.3012$",
    r"$\sqrt{2} = 1.4142$",
    r"$-3.2189 - 1.0513 = -4.2702$",
    r"$0.2231 + 0.6931 + 0.6931 + 1.6094 = 3.2187$",
    r"$e^{z} = \begin{bmatrix} 1.7006 & 0.1614 \end{bmatrix}$ summing to $1.8620$",
    r"the cross-entropies are $\begin{bmatrix} 0.2231 & 0.6931 \end{bmatrix}$; their sum is $-\log p = 0.9162$",
    r"$\sigma(\begin{bmatrix} {-}0.7000 \\ {-}1.1000 \end{bmatrix}) = \begin{bmatrix} 0.3318 \\ 0.2497 \end{bmatrix}$",
    r"$x = 1{,}234.5 + 0.5 = 1{,}235.0$",
    r"$a_1 = W_{hh} c + W_{xh} e + b = 1.1800$, so $s_1 = \tanh a_1 = 0.8275$",
    r"$p_{t} = 0.25$ and $L = -\ln p_{t} = 1.3863$",
    r"$$F(v) = -(-0.9000) - 0.9254 = -0.0254.$$",
    r"$2 \cdot 0.3 + 0.2 = 0.8$",
    r"$1/(1 + \begin{bmatrix} 0.2725 \\ 1.2214 \end{bmatrix}) = \begin{bmatrix} 0.7859 \\ 0.4502 \end{bmatrix}$",
    r"$w = 1.5 \times (0.2 - 0.7) = -0.75$",
    r"$p = \frac{2.4}{2.4 + 1.6} = 0.6$",
    r"$r = 3.0 / 0.4 = 7.5$",
    r"$a_2 = W h_1 + b = \begin{bmatrix} 0.5 \\ -1.2 \end{bmatrix}$, so $h_2 = \tanh(a_2) = \begin{bmatrix} 0.4621 \\ -0.8337 \end{bmatrix}$",
    r"$z = \begin{bmatrix} 0.1 & 2.0 \end{bmatrix}$ and $e^{z} = \begin{bmatrix} 1.1052 & 7.3891 \end{bmatrix}$",
]
FALSE_PLANTED = [
    r"$L_t = -\ln 0.1311 = 2.0322$",
    r"$L_1 = -\ln 0.0268 = 3.6176$",
    r"so $\ln 2 = 0.6932$",
    r"$h = \tanh({-}0.5000) = 0.4621$",
    r"$\sigma(0.3) = 0.5745$",
    r"$e^{{-}1.2000} = 0.3013$",
    r"$\sqrt{2} = 1.4143$",
    r"$-3.2189 - 1.0513 = -4.2703$",
    r"$0.2231 + 0.6931 + 0.6931 + 1.6094 = 3.2189$",
    r"$e^{z} = \begin{bmatrix} 1.7006 & 0.1614 \end{bmatrix}$ summing to $1.8621$",
    r"the cross-entropies are $\begin{bmatrix} 0.2231 & 0.6931 \end{bmatrix}$; their sum is $-\log p = 0.9163$",
    r"$\sigma(\begin{bmatrix} {-}0.7000 \\ {-}1.1000 \end{bmatrix}) = \begin{bmatrix} 0.3318 \\ 0.2498 \end{bmatrix}$",
    r"$a_1 = W_{hh} c + W_{xh} e + b = 1.1800$, so $s_1 = \tanh a_1 = 0.8276$",
    r"$p_{t} = 0.25$ and $L = -\ln p_{t} = 1.3864$",
    r"$$F(v) = -(-0.9000) - 0.9254 = -0.0255.$$",
    r"$2 \cdot 0.3 + 0.2 = 0.9$",
    r"$1/(1 + \begin{bmatrix} 0.2725 \\ 1.2214 \end{bmatrix}) = \begin{bmatrix} 0.7858 \\ 0.4502 \end{bmatrix}$",
    r"$w = 1.5 \times (0.2 - 0.7) = 0.75$",
    r"$p = \frac{2.4}{2.4 + 1.6} = 0.61$",
    r"$r = 3.0 / 0.4 = 7.4$",
    r"$a_2 = W h_1 + b = \begin{bmatrix} 0.5 \\ -1.2 \end{bmatrix}$, so $h_2 = \tanh(a_2) = \begin{bmatrix} 0.4621 \\ -0.8338 \end{bmatrix}$",
    r"$z = \begin{bmatrix} 0.1 & 2.0 \end{bmatrix}$ and $e^{z} = \begin{bmatrix} 1.1052 & 7.3890 \end{bmatrix}$",
]
NOT_EQUATIONS = [  # shapes the checker must not mistake for a sum or a function value
    r"$W_{12} + 0.5 = 3$",
    r"$x^2 + 1 = 5$",
    r"$0.3 + 0.2 = 0.5 \cdot 3$",
    r"$\ln p(x) = 3$",
    r"$C_t = 0.4191$, so $h_t = o_t \odot \tanh(C_t) = 0.2558$",
]


@pytest.mark.parametrize("text", TRUE_PLANTED)
def test_checker_accepts_a_true_equation(text):
    found = list(printed_equations(text))
    assert found, "the checker did not recognise the equation"
    assert false_equations(text) == []


@pytest.mark.parametrize("text", FALSE_PLANTED)
def test_checker_rejects_a_false_equation(text):
    assert false_equations(text), "the checker let a false equation through"


@pytest.mark.parametrize("text", NOT_EQUATIONS)
def test_checker_ignores_what_is_not_one_of_its_shapes(text):
    assert list(printed_equations(text)) == []


def test_the_reported_cases_are_recognised_as_false():
    # the equations issue 14 quoted, as the templates printed them
    assert false_equations(r"$L_t = -\ln 0.1311 = 2.0322$")
    assert false_equations(r"$\hat{y}_1[\text{no}] = 0.0268$ and $L_1 = -\ln 0.0268 = 3.6176$")
    assert false_equations(r"are $\begin{bmatrix} 0.2231 & 0.6931 & 0.6931 & 1.6094 \end{bmatrix}$ and sum to $3.2189$")


# ---- the bank ----

BANK = load_bank()


def bank_equations():
    checked, failures = 0, []
    for template_id, template in BANK.templates.items():
        for seed in SEEDS:
            variant = template.draw(rng_for(seed), str(seed))
            for shape, eq, value, y in printed_equations(render_solution(template, variant)):
                checked += 1
                if not holds(value, y):
                    failures.append(f"{template_id} --seed {seed}: {shape}: {eq!r} recomputes to {value:.8g}")
    return checked, failures


@pytest.mark.parametrize("template_id, seed", [
    ("rnn.softmax_output", 716), ("seq2seq.teacher_forcing_loss", 1048), ("autoencoder.elbo", 718)])
def test_the_reported_solutions_hold_as_printed(template_id, seed):
    # `quizgen show ID --seed N` draws with rng_for(N): these printed false equations before
    template = BANK.templates[template_id]
    text = render_solution(template, template.draw(rng_for(seed), str(seed)))
    found = list(printed_equations(text))
    assert len(found) >= 2, f"the checker recognised only {found}"
    assert false_equations(text) == []


def test_every_printed_equation_in_the_bank_holds():
    checked, failures = bank_equations()
    assert checked > 2000, f"only {checked} equations recognised: the checker lost its shapes"
    assert failures == [], f"{len(failures)} of {checked} printed equations fail:\n" + "\n".join(failures[:40])
