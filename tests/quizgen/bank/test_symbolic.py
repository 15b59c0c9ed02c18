"""The symbolic kind: equivalence up to algebra, and no student text ever evaluated."""

import os

import pytest
import sympy

from quizgen.bank.answertext import InvalidAnswer
from quizgen.bank.kinds import Symbolic
from quizgen.bank.symbolic import parse_expression

x = sympy.Symbol("x", real=True)


@pytest.mark.parametrize("typed", [
    "sigma(x)*(1-sigma(x))", "σ(x)(1 − σ(x))", "exp(-x)/(1+exp(-x))^2", "exp(x)/(1+exp(x))**2",
    "1/(2+exp(x)+exp(-x))", "sigmoid(x) - sigmoid(x)^2",
])
def test_sigmoid_derivative_spellings_are_equivalent(typed):
    kind = Symbolic(("x",))
    key = kind.parse("sigma(x)*(1 - sigma(x))")
    assert kind.matches(kind.parse(typed), key)


@pytest.mark.parametrize("typed", ["sigma(x)", "1 - sigma(x)^2", "sigma(x)*(1+sigma(x))", "x"])
def test_wrong_formulas_do_not_match(typed):
    kind = Symbolic(("x",))
    assert not kind.matches(kind.parse(typed), kind.parse("sigma(x)*(1-sigma(x))"))


def test_tanh_identity_and_implicit_multiplication():
    kind = Symbolic(("x", "w"))
    assert kind.matches(kind.parse("w(1 - tanh(x)^2)"), kind.parse("w*(1-tanh(x)**2)"))
    assert kind.matches(kind.parse("2x"), kind.parse("x+x"))


def test_python_is_never_evaluated(tmp_path):
    marker = tmp_path / "X"
    attacks = [
        f"__import__('os').system('touch {marker}')",
        f"__import__(\"os\").system(\"touch {marker}\")",
        "().__class__.__bases__[0].__subclasses__()",
        f"exec(\"open('{marker}','w')\")",
        f"lambda: open('{marker}', 'w')",
        "Symbol('x')", "x.__class__", "eval('1')",
    ]
    for attack in attacks:
        with pytest.raises(InvalidAnswer):
            parse_expression(attack, ("x",))
    assert not marker.exists()
    assert not os.path.exists("X")


@pytest.mark.parametrize("typed,reason", [
    ("", "no formula"), ("x +", "ends too early"), ("(x", "ends too early"), ("x)", "unexpected"),
    ("y", "unknown name 'y'"), ("9^9^9", "exponent larger"), ("x/0", "divides by zero"),
    ("(" * 500 + "x" + ")" * 500, "nested too deeply|too long"), ("sin x", "parentheses"),
    ("x $ 2", "unexpected character"), ("1e400", "out of range"),
])
def test_rejections_name_the_reason(typed, reason):
    with pytest.raises(InvalidAnswer, match=reason):
        parse_expression(typed, ("x",))


def test_key_display():
    kind = Symbolic(("x",))
    key = kind.parse("x^2")
    assert kind.tex(key) == "x^{2}"


def test_the_formula_parser_does_not_import_the_kinds():
    """kinds uses symbolic, never the other way round (they once imported each other)."""
    import ast
    from pathlib import Path

    from quizgen.bank import symbolic

    tree = ast.parse(Path(symbolic.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert "quizgen.bank.kinds" not in imported and "quizgen.bank.answertext" in imported
