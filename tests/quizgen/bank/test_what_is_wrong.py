"""What an answer kind can say about a wrong answer (practice prints it instead of "not the key")."""

import numpy as np
import pytest

from quizgen.bank.kinds import Choice, Integer, Matrix, Number, Shape, TrueFalse, Vector


@pytest.mark.parametrize("typed, key, said", [
    ("0.732", 0.73164, "you gave 3 decimals, 4 are asked"),     # the key rounded to 3 decimals
    ("0,73", 0.73164, "you gave 2 decimals, 4 are asked"),      # a decimal comma counts the same
    ("1", 0.9871, "you gave 0 decimals, 4 are asked"),
    ("0.731", 0.73164, ""),      # truncated: not the key rounded, so nothing is claimed
    ("0.74", 0.73164, ""),       # wrong at its own decimals
    ("7.32e-1", 0.73164, ""),    # written otherwise: its decimals say nothing
    ("0.7321", 0.73164, ""),     # four decimals, simply wrong
])
def test_numbers_with_too_few_decimals(typed, key, said):
    kind = Number(4)
    assert kind.what_is_wrong(typed, kind.parse(typed), key) == said


def test_vectors_and_matrices_name_the_wrong_entries():
    vector = Vector(3)
    key = np.array([0.1234, -0.5, 0.25])
    assert vector.what_is_wrong("0.123 -0.5 0.25", vector.parse("0.123 -0.5 0.25"), key) == \
        "you gave 3 decimals, 4 are asked"
    assert vector.what_is_wrong("0.9 -0.5 0.7", vector.parse("0.9 -0.5 0.7"), key) == \
        "entries 1 and 3 are not the key, the other is right"
    assert vector.what_is_wrong("1 2 3", vector.parse("1 2 3"), key) == ""   # nothing right: nothing to add
    matrix = Matrix((2, 2))
    typed = "1 2; 3 5"
    assert matrix.what_is_wrong(typed, matrix.parse(typed), np.array([[1, 2], [3, 4.0]])) == \
        "entry (2, 2) is not the key, the others are right"
    # the accepted interval decides which entries are right, where there is one
    interval = {"lo": [0.12, -0.6, 0.2], "hi": [0.13, -0.4, 0.3]}
    assert vector.what_is_wrong("0.9 -0.5 0.25", vector.parse("0.9 -0.5 0.25"), key, interval) == \
        "entry 1 is not the key, the others are right"


def test_a_multiple_selection_names_right_wrong_and_missing_options():
    kind = Choice(6, multiple=True)
    assert kind.what_is_wrong("A B", kind.parse("A B"), frozenset("ACD")) == \
        "A is right, B is not, C and D are missing"
    assert kind.what_is_wrong("A C", kind.parse("A C"), frozenset("ACE")) == \
        "A and C are right, E is missing (every right option is needed for full marks)"
    assert kind.what_is_wrong("B E", kind.parse("B E"), frozenset("AC")) == "B and E are not, A and C are missing"


@pytest.mark.parametrize("kind, typed, key", [
    (Choice(4), "A", frozenset("B")), (TrueFalse(), "T", False), (Integer(), "7", 8), (Shape(), "(2, 3)", (3, 2)),
])
def test_kinds_with_nothing_to_add_say_nothing(kind, typed, key):
    assert kind.what_is_wrong(typed, kind.parse(typed), key) == ""
