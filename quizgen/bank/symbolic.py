"""A whitelisting parser for typed formulas, producing sympy expressions.

sympy's ``parse_expr`` and ``sympify`` run Python's ``eval`` on their input, so
student text never goes near them. This recursive-descent parser knows only
numbers, the variables a question declares, ``+ - * / ^ **``, parentheses,
implicit multiplication (``2x``, ``x(1-x)``) and a short list of functions;
anything else is an :class:`~quizgen.bank.answertext.InvalidAnswer`.

Grammar (``^`` and ``**`` are right-associative and bind tighter than unary minus)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/" | implicit) unary)*
    unary  := ("+" | "-") unary | power
    power  := atom (("^" | "**") unary)?
    atom   := number | name | name "(" expr ")" | "(" expr ")"
"""

from __future__ import annotations

import math
import re

import sympy

from quizgen.bank.answertext import InvalidAnswer

_x = sympy.Symbol("_x")
FUNCTIONS = {
    "sigma": lambda a: 1 / (1 + sympy.exp(-a)),
    "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)),
    "tanh": sympy.tanh,
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
    "sqrt": sympy.sqrt,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "abs": sympy.Abs,
    "softplus": lambda a: sympy.log(1 + sympy.exp(a)),
    "relu": lambda a: sympy.Max(0, a),
    # how sympy writes these back (a key frozen as text must parse again)
    "Abs": sympy.Abs,
    "Max": lambda *a: sympy.Max(*a),
    "Min": lambda *a: sympy.Min(*a),
}
VARIADIC = {"Max", "Min"}
CONSTANTS = {"e": sympy.E, "pi": sympy.pi}
_ALIASES = {"σ": "sigma", "π": "pi", "√": "sqrt"}

_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
                    r"|(?P<op>\*\*|[-+*/^(),]))")
MAX_DEPTH = 60
MAX_TOKENS = 400
MAX_EXPONENT = 64
MAX_NUMBER_EXPONENT = 400  # of a number written 1e-5: beyond a float's, before sympy reads it


def _tokenize(text: str) -> list[tuple[str, str]]:
    for greek, name in _ALIASES.items():
        text = text.replace(greek, f" {name} ")
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            bad = text[pos:].strip()[:1]
            raise InvalidAnswer(f"unexpected character {bad!r} in the formula")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    if len(tokens) > MAX_TOKENS:
        raise InvalidAnswer(f"the formula is too long ({len(tokens)} symbols; at most {MAX_TOKENS})")
    return tokens


class _Parser:
    def __init__(self, tokens, variables):
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.symbols = {v: sympy.Symbol(v, real=True) for v in variables}

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self, value=None):
        kind, text = self.peek()
        if kind is None:
            raise InvalidAnswer("the formula ends too early")
        if value is not None and text != value:
            raise InvalidAnswer(f"expected {value!r} but found {text!r}")
        self.pos += 1
        return kind, text

    def nested(self, fn):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise InvalidAnswer("the formula is nested too deeply")
        try:
            return fn()
        finally:
            self.depth -= 1

    def expr(self):
        value = self.nested(self.term)
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            rhs = self.nested(self.term)
            value = value + rhs if op == "+" else value - rhs
        return value

    def term(self):
        value = self.unary()
        while True:
            kind, text = self.peek()
            if text in ("*", "/"):
                self.take()
                rhs = self.unary()
                if text == "/" and rhs == 0:
                    raise InvalidAnswer("the formula divides by zero")
                value = value * rhs if text == "*" else value / rhs
            elif kind in ("num", "name") or text == "(":
                value = value * self.power()  # implicit multiplication: 2x, x(1-x)
            else:
                return value

    def unary(self):
        text = self.peek()[1]
        if text in ("+", "-"):
            self.take()
            operand = self.nested(self.unary)
            return -operand if text == "-" else operand
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek()[1] in ("^", "**"):
            self.take()
            exponent = self.nested(self.unary)
            if exponent.is_number and (not exponent.is_finite or abs(float(exponent)) > MAX_EXPONENT):
                raise InvalidAnswer(f"an exponent larger than {MAX_EXPONENT} is not accepted")
            return base ** exponent
        return base

    def atom(self):
        kind, text = self.take()
        if kind == "num":
            exponent = re.search(r"[eE]([+-]?\d+)$", text)
            if exponent and abs(int(exponent.group(1))) > MAX_NUMBER_EXPONENT:
                # sympy.Float("1e99999999") works out every digit: it never returns
                raise InvalidAnswer(f"the number {text[:20]} is out of range")
            value = sympy.Rational(text) if "e" not in text.lower() else sympy.Float(text)
            if not math.isfinite(float(value)) or abs(float(value)) > 1e12:
                raise InvalidAnswer(f"the number {text} is out of range")
            return value
        if kind == "name":
            name = _ALIASES.get(text, text)
            if name in FUNCTIONS:
                if self.peek()[1] != "(":
                    raise InvalidAnswer(f"{name} needs its argument in parentheses, as {name}(x)")
                self.take("(")
                args = [self.nested(self.expr)]
                while name in VARIADIC and self.peek()[1] == ",":
                    self.take(",")
                    args.append(self.nested(self.expr))
                self.take(")")
                return FUNCTIONS[name](*args)
            if name in self.symbols:
                return self.symbols[name]
            if name in CONSTANTS:
                return CONSTANTS[name]
            allowed = ", ".join(sorted(self.symbols)) or "none"
            raise InvalidAnswer(f"unknown name {text!r}; the variables are {allowed}")
        if text == "(":
            value = self.nested(self.expr)
            self.take(")")
            return value
        raise InvalidAnswer(f"unexpected {text!r} in the formula")


def parse_expression(text: str, variables=("x",)) -> sympy.Expr:
    """Parse a typed formula into a sympy expression, or raise InvalidAnswer."""
    text = (text or "").strip()
    if not text:
        raise InvalidAnswer("no formula was given")
    parser = _Parser(_tokenize(text), variables)
    try:
        value = parser.expr()
    except RecursionError:
        raise InvalidAnswer("the formula is nested too deeply") from None
    if parser.pos != len(parser.tokens):
        raise InvalidAnswer(f"unexpected {parser.tokens[parser.pos][1]!r} in the formula")
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise InvalidAnswer("the formula is undefined (division by zero or infinity)")
    return value


SAMPLE_POINTS = (0.37, 1.21, -0.83, 2.05, -1.6, 0.11, 0.74)


def _substitutions(variables) -> list[dict]:
    """A substitution of sample points for the variables per point: the k-th variable is shifted by 3k."""
    symbols = [sympy.Symbol(v, real=True) for v in variables]
    n = len(SAMPLE_POINTS)
    return [{s: SAMPLE_POINTS[(k + 3 * j) % n] for j, s in enumerate(symbols)} for k in range(n)]


def sample_values(expr: sympy.Expr, variables=("x",)) -> list:
    """The value of ``expr`` at each of :func:`equivalent`'s sample points (None where undefined or not real)."""
    out = []
    for subs in _substitutions(variables):
        try:
            value = complex(expr.evalf(30, subs=subs))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            out.append(None)
            continue
        if not all(map(math.isfinite, (value.real, value.imag))) or abs(value.imag) > 1e-12:
            out.append(None)
        else:
            out.append(value.real)
    return out


def equivalent(a: sympy.Expr, b: sympy.Expr, variables=("x",), rtol: float = 1e-9) -> bool:
    """True when ``a`` and ``b`` agree at fixed sample points (and, failing that, simplify to equal).

    Numerical comparison at several points decides almost every case quickly;
    points where either side is undefined (log of a negative) are passed over.
    """
    compared = 0
    for subs in _substitutions(variables):
        try:
            va = complex(a.evalf(30, subs=subs))
            vb = complex(b.evalf(30, subs=subs))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if not all(map(math.isfinite, (va.real, va.imag, vb.real, vb.imag))):
            continue
        if abs(va.imag) > 1e-12 or abs(vb.imag) > 1e-12:
            continue
        compared += 1
        if abs(va - vb) > rtol * max(1.0, abs(vb)):
            return False
    if compared >= 3:
        return True
    return sympy.simplify(a - b) == 0
