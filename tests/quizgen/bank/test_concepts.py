"""Conceptual items from TOML, true/false, matching, essays, and the numeric multiple-choice form."""

import textwrap

import pytest

from quizgen.bank.loader import load_bank
from quizgen.bank.marking import grade
from quizgen.bank.answertext import InvalidAnswer
from quizgen.bank.kinds import TrueFalse
from quizgen.bank.seeds import rng_for


@pytest.fixture(scope="module")
def bank():
    return load_bank()


@pytest.mark.parametrize("text,value", [("T", True), ("true", True), (" yes ", True), ("1", True),
                                        ("F", False), ("False", False), ("no", False), ("0", False)])
def test_truefalse_accepts(text, value):
    assert TrueFalse().parse(text) is value


def test_truefalse_rejects():
    with pytest.raises(InvalidAnswer, match="neither true"):
        TrueFalse().parse("maybe")


def test_single_choice_is_shuffled_per_variant_and_graded(bank):
    t = bank.get("lstm.concept.forget_gate_role")
    keys, orders = set(), set()
    for seed in range(40):
        v = t.draw(rng_for(seed))
        keys.add(tuple(v.answers["choice"]))
        orders.add(tuple(v.params["options"]))
        right = v.params["options"][ord(v.answers["choice"][0]) - 65]
        assert right.startswith("How much of the previous cell state")
        assert grade(t, v, {"choice": v.answers["choice"][0].lower()}).earned == 1
        wrong = next(c for c in "ABCD" if c not in v.answers["choice"])
        assert grade(t, v, {"choice": wrong}).earned == 0
    assert len(keys) == 4 and len(orders) > 10


def test_matching_gives_credit_per_pair(bank):
    t = bank.get("lstm.concept.gate_activations")
    v = t.draw(rng_for(3))
    responses = {name: letters[0] for name, letters in v.answers.items()}
    assert grade(t, v, responses).earned == 4
    responses["m1"], responses["m2"] = responses["m2"], responses["m1"]
    result = grade(t, v, responses)
    assert result.earned == 2 and [r.status for r in result.parts][:2] == ["wrong", "wrong"]


def test_essay_is_printed_with_rubric_and_never_auto_scored(bank):
    t = bank.get("lstm.concept.explain_lstm")
    v = t.draw(rng_for(0))
    from quizgen.bank.texts import render_solution
    assert "Marking points" in render_solution(t, v) and "dC_t/dC_{t-1}" in render_solution(t, v)
    assert grade(t, v, {"essay": "a very good essay"}).earned == 0


def test_bad_items_are_reported_with_file_and_item(tmp_path):
    (tmp_path / "bad.toml").write_text(textwrap.dedent('''
        [[question]]
        id = "x.too_few"
        type = "single"
        stem = "?"
        correct = ["a"]
        distractors = ["b", "c"]

        [[question]]
        id = "x.badtype"
        type = "fill-in"
        stem = "?"

        [[question]]
        type = "truefalse"
        stem = "no id"
        answer = true

        [[question]]
        id = "x.good"
        type = "truefalse"
        stem = "fine"
        answer = false
    '''))
    (tmp_path / "broken.toml").write_text("[[question]\nid = ")
    bank = load_bank([tmp_path], include_bundled=False)
    errors = "\n".join(bank.errors)
    assert "bad.toml: question 1 (x.too_few): needs at least 3 distractors, has 2" in errors
    assert "question 2 (x.badtype): type must be one of" in errors
    assert "question 3: missing 'id'" in errors
    assert "broken.toml" in errors
    assert list(bank.templates) == ["x.good"]


def test_numeric_choice_form_uses_named_mistakes_as_distractors(bank):
    t = bank.get("lstm.cell_step")
    seen_choice = 0
    for seed in range(20):
        v = t.draw(rng_for(seed), form="choice")
        for name, c in v.choices.items():
            seen_choice += 1
            assert 3 <= len(c["options"]) <= 5 and c["mistakes"].count(None) == 1
            assert c["options"][ord(c["key"]) - 65] == v.answers[name]
            for letter, mistake in zip("ABCDE", c["mistakes"]):
                if mistake:
                    assert c["options"][ord(letter) - 65] == v.mistakes[mistake][name]
        letters = {name: c["key"] for name, c in v.choices.items()}
        typed = {p.name: p.kind.format(p.kind.from_json(v.answers[p.name])) for p in t.parts}
        assert grade(t, v, typed | letters).earned == grade(t, v, typed).possible
    assert seen_choice > 20


def test_choice_form_names_the_mistake_chosen(bank):
    t = bank.get("lstm.cell_step")
    for seed in range(50):
        v = t.draw(rng_for(seed), form="choice")
        if "h" in v.choices:
            break
    c = v.choices["h"]
    index = next(i for i, m in enumerate(c["mistakes"]) if m)
    result = grade(t, v, {"h": "ABCDE"[index]})
    part = next(r for r in result.parts if r.part == "h")
    assert part.status == "wrong" and part.mistake == c["mistakes"][index]
