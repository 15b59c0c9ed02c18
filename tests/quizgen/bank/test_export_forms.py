"""The answer kinds' export forms: what an LMS export asks a kind instead of checking its type."""

import numpy as np
import pytest

from quizgen.bank.kinds import (AnswerKind, Choice, Essay, Integer, Matrix, Number, Shape, Symbolic, Tolerance,
    TrueFalse, Vector)

KINDS = [Number(3), Integer(), Vector(2, 2), Matrix((2, 2), 2), Shape(3), Choice(4), Choice(5, multiple=True),
         TrueFalse(), Symbolic(), Essay()]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_kind_declares_its_forms(kind):
    assert kind.answer_form in {"numbers", "options", "formula", "written"}
    assert kind.moodle_question in {"numerical", "multichoice", "truefalse", "essay", "shortanswer", "cloze"}
    assert kind.canvas_question in {"numerical_question", "multiple_choice_question", "multiple_answers_question",
                                    "true_false_question", "essay_question", "fill_in_multiple_blanks_question"}
    assert kind.blank_layout in {"list", "tuple", "table"}


def test_a_kind_that_declares_nothing_is_graded_by_hand():
    kind = AnswerKind()
    assert kind.answer_form == "written" and kind.accepted_texts("x", "x") is None
    with pytest.raises(NotImplementedError):
        kind.blank_keys(1.0, 1.0)
    with pytest.raises(NotImplementedError):
        kind.choice_options("A")


def test_tolerance_lms_keys_accept_exactly_the_interval_and_show_the_key_first():
    tolerance = Tolerance(atol=0.01)
    assert tolerance.lms_keys(1.0, 0.99, 1.01) == [(1.0, pytest.approx(0.01))]  # the interval is key +- 0.01
    # hand paths reach 1.04: the key within what stays inside [0.99, 1.05], and the middle 1.02 +- 0.03
    (key, near), (middle, half) = tolerance.lms_keys(1.0, 0.99, 1.05)
    assert (key, middle) == (1.0, pytest.approx(1.02)) and near == pytest.approx(0.01) and half == pytest.approx(0.03)


def test_tolerance_spellings_are_the_roundings_it_accepts():
    tolerance = Number(2).tolerance
    assert tolerance.spellings(0.5, 0.49, 0.51, 2) == ["0.50", "0.49", "0.51"]  # the key's spelling first
    assert tolerance.spellings(-0.001, -0.011, 0.009, 2) == ["0.00", "-0.01"]  # never "-0.00"
    assert tolerance.spellings(0.5, 0.487, 0.533, 2) == ["0.50", "0.49", "0.51", "0.52", "0.53"]
    assert Tolerance(rtol=1e-6).spellings(1234.5, 1234.4, 1234.6, None) == ["1234.5"]


def test_numbers_blanks_one_per_entry_and_exact_kinds_have_no_tolerance():
    number = Number(2)
    assert number.blank_count(0.5) == 1
    assert number.blank_keys(0.5, {"lo": 0.49, "hi": 0.51}) == [[(0.5, pytest.approx(0.01))]]
    assert Integer().exact and Integer().blank_keys(7, None) == [[(7.0, 0.0)]]
    assert Integer().accepted_texts(7, None) == [["7"]]
    shape = Shape()
    assert shape.exact and shape.blank_layout == "tuple" and shape.blank_count((6, 28, 28)) == 3
    assert shape.blank_keys((6, 28), None) == [[(6.0, 0.0)], [(28.0, 0.0)]]
    assert shape.accepted_texts((6, 28), None) == [["6"], ["28"]]
    matrix = Matrix((2, 2), 1)
    key = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert matrix.blank_layout == "table" and matrix.blank_count(key) == 4
    assert [k[0][0] for k in matrix.blank_keys(key, {"lo": key - 0.1, "hi": key + 0.1})] == [1.0, 2.0, 3.0, 4.0]
    interval = {"lo": [0.4, 0.9], "hi": [0.6, 1.1]}
    assert Vector(2, 1).accepted_texts(np.array([0.5, 1.0]), interval)[1] == ["1.0", "0.9", "1.1"]


def test_options_kinds_give_labels_and_the_right_ones():
    assert Choice(4).choice_options(frozenset("C")) == (["A", "B", "C", "D"], [2])
    assert Choice(4, multiple=True).choice_options(frozenset("DB")) == (["A", "B", "C", "D"], [1, 3])
    assert Choice(4).lettered_options == 4 and TrueFalse().lettered_options == 0
    assert Choice(3, multiple=True).canvas_question == "multiple_answers_question"
    assert Choice(3).canvas_question == "multiple_choice_question"
    assert TrueFalse().choice_options(False) == (["True", "False"], [1]) and not TrueFalse().multiple
    assert Choice(4, multiple=True).accepted_texts(frozenset("CA"), None) == [["AC", "A, C", "A,C", "A C"]]
    assert TrueFalse().accepted_texts(True, True) == [["True", "T", "true"]]


def test_formula_and_written_forms():
    from quizgen.bank.symbolic import parse_expression

    key = parse_expression("x**2 + 1", ("x",))
    assert Symbolic().answer_form == "formula" and Symbolic().accepted_texts(key, key) == [[str(key)]]
    assert Essay().answer_form == "written" and Essay().accepted_texts("", "") is None
