"""Answer kinds: a corpus of what people type, accepted and rejected, and fuzzing.

Only InvalidAnswer may escape a parser, whatever the input.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizgen.bank.answertext import InvalidAnswer
from quizgen.bank.kinds import (Choice, Essay, Integer, Matrix, Number, Shape, Symbolic, Tolerance,
    Vector)

NUMBER_ACCEPTED = [
    ("0.731", 0.731), ("7.31e-1", 0.731), ("7.31E-1", 0.731), (" 0.731 ", 0.731),
    ("3/4", 0.75), ("-3/4", -0.75), ("\u22120.5", -0.5), ("\u2013 0.5", -0.5), ("0,731", 0.731),
    ("-0,5", -0.5), (".5", 0.5), ("+2", 2.0), ("73.1%", 0.731), ("7.31 x 10^-1", 0.731),
    ("7.31×10^(-1)", 0.731), ("7.31 * 10^-1", 0.731), ("1e3", 1000.0), ("5.", 5.0),
    ("0.5\u00a0", 0.5),
]
NUMBER_REJECTED = [
    ("", "no number"), ("   ", "no number"), ("abc", "not a number"), ("0.1 0.2", "several numbers"),
    ("1/0", "divides by zero"), ("nan", "not a number"), ("inf", "not a number"),
    ("1e999", "not a finite number"), ("0.5.5", "not a number"), ("1,2,3", "several numbers"),
    ("--1", "not a number"), ("2x", "not a number"), ("0.1; 0.2", "several numbers"),
    ("x" * 3000, "characters long"),
]


@pytest.mark.parametrize("text,value", NUMBER_ACCEPTED)
def test_number_accepts(text, value):
    assert Number().parse(text) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("text,reason", NUMBER_REJECTED)
def test_number_rejects_with_reason(text, reason):
    with pytest.raises(InvalidAnswer, match=reason):
        Number().parse(text)


def test_number_tolerance_default_is_one_unit_in_the_last_decimal():
    kind = Number(decimals=4)
    assert kind.matches(0.7314, 0.73141)
    assert kind.matches(0.7314, 0.73149)  # truncated instead of rounded: within one unit
    assert not kind.matches(0.7313, 0.73141)
    assert kind.format(0.73141) == "0.7314"
    assert kind.format(-0.00001) == "0.0000"


def test_tolerances_explicit():
    assert Number(tolerance=Tolerance(rtol=0.01)).matches(101, 100)
    assert not Number(tolerance=Tolerance(rtol=0.01)).matches(102, 100)
    sig3 = Number(tolerance=Tolerance(sig=3))
    assert sig3.matches(0.00123, 0.0012345) and not sig3.matches(0.00124, 0.0012345)
    assert sig3.matches(123000, 123456) and not sig3.matches(124000, 123456)


VECTOR_ACCEPTED = [
    ("[0.1, 0.2]", [0.1, 0.2]), ("(0.1; 0.2)", [0.1, 0.2]), ("0.1 0.2", [0.1, 0.2]),
    ("0,1 0,2", [0.1, 0.2]), ("0.1,0.2", [0.1, 0.2]), ("  [ -0.1 ,\u22120.2 ] ", [-0.1, -0.2]),
    ("1/2 3/4", [0.5, 0.75]), ("{1, 2}", [1, 2]), ("1,2", [1, 2]), ("0,1; 0,2", [0.1, 0.2]),
]
VECTOR_REJECTED = [
    ("", "no numbers"), ("[]", "no numbers"), ("0.1", "expected 2 numbers, got 1"),
    ("0.1 0.2 0.3", "expected 2 numbers, got 3"), ("[0.1, a]", "not a number"),
    ("0.1,,0.2", "empty element"),
]


@pytest.mark.parametrize("text,value", VECTOR_ACCEPTED)
def test_vector_accepts(text, value):
    np.testing.assert_allclose(Vector(2).parse(text), value)


@pytest.mark.parametrize("text,reason", VECTOR_REJECTED)
def test_vector_rejects(text, reason):
    with pytest.raises(InvalidAnswer, match=reason):
        Vector(2).parse(text)


def test_vector_shape_is_checked_before_values():
    kind = Vector(2)
    assert kind.matches(np.array([0.1, 0.2]), np.array([0.10004, 0.19996]))
    assert not kind.matches(np.array([0.1, 0.2, 0.3]), np.array([0.1, 0.2]))
    assert not kind.matches(np.array([0.1, 0.3]), np.array([0.1, 0.2]))


MATRIX_ACCEPTED = [
    ("1 2; 3 4", [[1, 2], [3, 4]]), ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
    ("1, 2\n3, 4", [[1, 2], [3, 4]]), ("[1 2; 3 4]", [[1, 2], [3, 4]]),
    ("((0,5 1), (2 3))", [[0.5, 1], [2, 3]]),
]


@pytest.mark.parametrize("text,value", MATRIX_ACCEPTED)
def test_matrix_accepts(text, value):
    np.testing.assert_allclose(Matrix((2, 2)).parse(text), value)


@pytest.mark.parametrize("text,reason", [("1 2 3; 4 5 6", "expected a 2x2 matrix, got 2x3"),
                                         ("1 2; 3", "rows have different lengths"),
                                         ("", "no matrix")])
def test_matrix_rejects(text, reason):
    with pytest.raises(InvalidAnswer, match=reason):
        Matrix((2, 2)).parse(text)


@pytest.mark.parametrize("text", ["(6, 28, 28)", "6x28x28", "6 × 28 × 28", "[6,28,28]", "6 28 28",
                                  "6*28*28", "6 X 28 X 28", "6 by 28 by 28"])
def test_shape_accepts(text):
    assert Shape(3).parse(text) == (6, 28, 28)


@pytest.mark.parametrize("text,reason", [("(6, 28)", "expected 3 dimensions"),
                                         ("6x28.5x2", "is not a shape"), ("", "no shape"),
                                         ("(6, -28, 28)", "is not a shape")])
def test_shape_rejects(text, reason):
    with pytest.raises(InvalidAnswer, match=reason):
        Shape(3).parse(text)


@pytest.mark.parametrize("text,value", [("60000", 60000), ("60,000", 60000), ("60 000", 60000),
                                        ("6e4", 60000), ("\u22123", -3), ("1,516", 1516)])
def test_integer_accepts(text, value):
    assert Integer().parse(text) == value


@pytest.mark.parametrize("text", ["1.5", "abc", "", "6e-1", "1e400"])
def test_integer_rejects(text):
    with pytest.raises(InvalidAnswer):
        Integer().parse(text)


def test_choice_single_and_multiple():
    single = Choice(4)
    for text in ("B", "b", "(b)", "B)", " b. "):
        assert single.parse(text) == frozenset("B")
    with pytest.raises(InvalidAnswer, match="choose one option"):
        single.parse("A, C")
    with pytest.raises(InvalidAnswer, match="not an option"):
        single.parse("E")
    multiple = Choice(5, multiple=True)
    for text in ("A, C", "AC", "a c", "c;a", "A and C"):
        assert multiple.parse(text) == frozenset("AC")
    with pytest.raises(InvalidAnswer, match="twice"):
        multiple.parse("A A")
    assert multiple.matches(frozenset("CA"), frozenset("AC"))
    assert not multiple.matches(frozenset("A"), frozenset("AC"))


def test_essay_is_never_auto_graded():
    assert not Essay().matches("anything", "anything")


KINDS = [Number(), Vector(2), Vector(3), Matrix((2, 2)), Shape(3), Integer(), Choice(4),
         Choice(4, multiple=True), Symbolic(("x", "y"))]
TYPED = st.text(alphabet=st.sampled_from(list("0123456789.,;:-+eE/xX×*^() []{}\n\t sigmatnhlopqz−\u00a0%")),
                max_size=40) | st.text(max_size=40)


def _parse_only_invalid(kind, text):
    try:
        kind.parse(text)
    except InvalidAnswer as exc:
        assert exc.reason and isinstance(exc.reason, str)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: f"{k.name}")
@given(text=TYPED)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_only_invalid_answer_escapes(kind, text):
    _parse_only_invalid(kind, text)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: f"{k.name}")
@given(text=TYPED)
@settings(max_examples=100_000, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzz_only_invalid_answer_escapes_100k(kind, text):
    _parse_only_invalid(kind, text)


@given(st.floats(-1e6, 1e6, allow_nan=False))
@settings(max_examples=200, deadline=None)
def test_number_format_parses_back_within_tolerance(value):
    kind = Number(decimals=4)
    assert kind.matches(kind.parse(kind.format(value)), value)


@given(st.lists(st.floats(-100, 100, allow_nan=False), min_size=3, max_size=3))
@settings(max_examples=100, deadline=None)
def test_vector_and_matrix_format_parse_back(values):
    vec = Vector(3, decimals=3)
    assert vec.matches(vec.parse(vec.format(values)), values)
    mat = Matrix((1, 3), decimals=3)
    assert mat.matches(mat.parse(mat.format([values])), [values])
