"""Within one paper: key letters balanced, and no two items that answer each other (issue 18)."""

from collections import Counter

import pytest

from quizgen.bank.loader import load_bank
from quizgen.bank.seeds import rng_for
from quizgen.errors import InputError
from quizgen.papers.exam import assemble, excluded_pairs
from quizgen.papers.spec import Student, load_spec, spec_from_dict

SECRET = b"a secret for the tests of issue 18"
GATES = ["lstm.concept.forget_gate_role", "lstm.concept.input_gate_role", "lstm.concept.output_gate_role",
         "gru.concept.update_gate_role", "gru.concept.reset_gate_role"]


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def students(n):
    return [Student(f"s{k:03d}", f"Student {k}", k) for k in range(n)]


def key_letters(question) -> list:
    """The key letter of each one-letter choice part of a question as the paper holds it."""
    variant = question.variant
    return [variant.choices[name]["key"] if name in variant.choices else variant.answers[name][0]
            for name in question.template.single_key_parts(variant)]


def spec(*sections):
    return spec_from_dict({"title": "t", "exam_id": "issue-18", "section": list(sections)}, "spec.toml")


def test_every_paper_of_the_final_has_its_key_letters_balanced(bank):
    exams = assemble(load_spec("examples/final.toml"), bank, students(12), SECRET)
    spreads = []
    for exam in exams:
        counts = Counter(letter for q in exam.questions for letter in key_letters(q))
        assert sum(counts.values()) >= 14  # ten conceptual items and the numeric choice parts
        # the letters every part of the paper offers (most items have four options, a few five)
        offered = min(n for q in exam.questions for n in q.template.single_key_parts(q.variant).values())
        letters = "ABCDE"[:offered]
        spreads.append(max(counts[c] for c in letters) - min(counts[c] for c in letters))
    assert max(spreads) <= 1, f"most minus least common key letter, per paper: {spreads}"


def test_balancing_keeps_every_key_right_and_the_draw_reproducible(bank):
    sections = {"ids": GATES[:1] + GATES[3:4] + ["word2vec.concept.projection_layer", "rnn.concept.definition", "gan.concept.definition", "mcmc.concept.burn_in",
                                    "bptt.concept.definition", "cnn.concept.parameter_sharing"], "points": 1}
    first = assemble(spec(sections), bank, students(3), SECRET)
    again = assemble(spec(sections), bank, students(3), SECRET)
    for exam, same in zip(first, again):
        assert [q.variant.dumps() for q in exam.questions] == [q.variant.dumps() for q in same.questions]
        for q in exam.questions:
            key = q.variant.params["options"][ord(q.variant.answers["choice"][0]) - 65]
            assert key == q.template.move_key_fn(q.variant.params, 0)["options"][0]
        counts = Counter(letter for q in exam.questions for letter in key_letters(q))
        assert max(counts.values()) - min(counts[c] for c in "ABCD") <= 1, counts


def test_exclusions_are_symmetric_and_name_items_of_the_bank(bank):
    assert not bank.errors
    assert "gan.concept.minimax" in bank.get("gan.concept.d_star_half").excludes
    assert "gru.concept.gate_roles" in bank.get("lstm.concept.output_gate_role").excludes
    for template in bank.templates.values():
        for other in template.excludes:
            assert template.id in bank.get(other).excludes


def test_a_drawn_section_never_puts_two_excluding_items_on_one_paper(bank):
    ids = GATES + ["gan.concept.minimax", "gan.concept.d_star_half", "word2vec.concept.speed_rare_words",
                   "word2vec.concept.skipgram_cheaper", "lstm.concept.cell_path_gradient",
                   "vanishing.concept.gated_cells"]
    exams = assemble(spec({"ids": ids, "count": 5, "vary": True}), bank, students(40), SECRET)
    clashes = [(e.student.id, pair) for e in exams for pair in excluded_pairs([q.template for q in e.questions])]
    assert not clashes


def test_a_drawn_section_avoids_what_a_fixed_section_holds(bank):
    exams = assemble(spec({"ids": ["gan.concept.minimax"]},
                          {"ids": ["gan.concept.d_star_half", "gan.concept.generator_step_freezes_d",
                                   "mcmc.concept.detailed_balance"], "count": 2, "vary": True}),
                     bank, students(10), SECRET)
    assert all("gan.concept.d_star_half" not in [q.template.id for q in e.questions] for e in exams)


def test_build_refuses_fixed_questions_that_answer_each_other(bank):
    with pytest.raises(InputError, match="gan.concept.minimax and gan.concept.d_star_half"):
        assemble(spec({"ids": ["gan.concept.minimax", "rnn.concept.definition"]},
                      {"ids": ["gan.concept.d_star_half"]}), bank, students(1), SECRET)


def test_a_section_that_cannot_avoid_its_exclusions_says_so(bank):
    with pytest.raises(InputError, match="cannot draw 2 questions"):
        assemble(spec({"ids": ["gan.concept.minimax", "gan.concept.d_star_half"], "count": 2, "vary": True}),
                 bank, students(1), SECRET)


def test_one_preview_seed_does_not_put_every_key_in_one_place(bank):
    singles = [t for t in bank.templates.values() if "single" in t.tags and "concept" in t.tags]
    letters = Counter(t.draw(rng_for(1), "1").answers["choice"][0] for t in singles)
    assert len(letters) >= 4 and max(letters.values()) <= len(singles) / 2, letters
    again = [t.draw(rng_for(1), "1").dumps() for t in singles]
    assert again == [t.draw(rng_for(1), "1").dumps() for t in singles]


def test_an_exclusion_of_no_item_is_a_load_error(tmp_path):
    item = ('[[question]]\nid = "mine.concept.{0}"\ntype = "truefalse"\nstem = "s"\nanswer = true\n'
            'excludes = ["mine.concept.{1}"]\n')
    (tmp_path / "concepts.toml").write_text(item.format("a", "b") + "\n" + item.format("b", "nothing"))
    bank = load_bank([tmp_path], include_bundled=False)
    assert bank.get("mine.concept.b").excludes == ("mine.concept.nothing", "mine.concept.a")
    assert len(bank.errors) == 1 and "excludes 'mine.concept.nothing', which is no item" in bank.errors[0]


def test_a_draw_gives_up_an_early_pick_when_it_blocks_the_count(bank):
    """rbm.concept.factorisation excludes both others: drawn first, it must give way to the two."""
    ids = ["rbm.concept.factorisation", "rbm.concept.structure", "rbm.concept.gibbs_sampling"]
    exams = assemble(spec({"ids": ids, "count": 2, "vary": True}), bank, students(12), SECRET)
    assert all(sorted(q.template.id for q in e.questions) == sorted(ids[1:]) for e in exams)
