"""Multiple-answer parts: the exam spec's multiple_answer_credit, all-or-nothing or partial per option
as Moodle scores multichoice with several answers (each of the c right options +1/c, each of the w
wrong ones -1/w, the sum kept in [0, 1]), frozen in the manifest and applied by `quizgen grade`,
regrade --recompute (grading one by one) and practice alike.

Every expected credit is worked out by hand in this file from the option counts of the concept
items (conceptual TOML items: their correct options and distractors counted in the bank's files).
"""

import csv
import io
import json
import sqlite3

import pytest

from quizgen.bank.kinds import Choice
from quizgen.bank.loader import load_bank
from quizgen.bank.marking import grade
from quizgen.errors import InputError
from quizgen.grade.gradebook import FILE_NAME, Gradebook
from quizgen.grade.run import grade_build, regrade
from tests.quizgen.grade.exams import build_exam
from quizgen.papers.spec import load_spec
from quizgen.practice.terminal import run_practice, scripted
from quizgen.tables import read_table

LETTERS = "ABCDEFG"


# -- the rule itself, by hand -----------------------------------------------------------------------

def test_partial_credit_is_moodles_sum_of_option_fractions_clamped_at_zero():
    kind = Choice(6, multiple=True)  # 3 right (A, C, E) and 3 wrong: each right +1/3, each wrong -1/3
    key = frozenset("ACE")
    credit = lambda text, rule="partial": kind.credit(kind.parse(text), key, rule)  # noqa: E731
    assert credit("A, C") == 2 / 3                     # 2 of 3 right, no wrong one
    assert credit("A, C, B") == 1 / 3                  # 2/3 - 1/3
    assert credit("A, B, D, F") == 0.0                 # 1/3 - 3/3 = -2/3: never below 0
    assert credit("C E A") == 1.0
    assert credit("B") == 0.0
    for text in ("A, C", "A, C, B", "B"):
        assert credit(text, "all-or-nothing") == 0.0
    seven = Choice(7, multiple=True)  # 4 right, 3 wrong: +1/4 each, -1/3 each
    assert seven.credit(frozenset("ABC"), frozenset("ABCD"), "partial") == 3 / 4
    assert seven.credit(frozenset("ABCE"), frozenset("ABCD"), "partial") == 5 / 12
    assert seven.credit(frozenset("ABCDEFG"), frozenset("ABCD"), "partial") == 0.0  # every box: 1 - 1
    single = Choice(4)  # one right option: partial and all-or-nothing agree
    assert single.credit(frozenset("B"), frozenset("A"), "partial") == 0.0
    with pytest.raises(ValueError, match="multiple_answer_credit must be one of"):
        kind.credit(frozenset("A"), key, "half")


def test_the_spec_sets_the_rule_and_a_section_can_change_it(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('title = "t"\nexam_id = "t"\nmultiple_answer_credit = "partial"\n'
                    '[[section]]\nids = ["a"]\n[[section]]\nids = ["b"]\nmultiple_answer_credit = "all-or-nothing"\n')
    assert [s.multiple_answer_credit for s in load_spec(spec).sections] == ["partial", "all-or-nothing"]
    spec.write_text('title = "t"\nexam_id = "t"\n[[section]]\nids = ["a"]\n')
    assert load_spec(spec).sections[0].multiple_answer_credit == "all-or-nothing"  # as before the setting
    spec.write_text('title = "t"\nexam_id = "t"\n[[section]]\nids = ["a"]\nmultiple_answer_credit = "half"\n')
    with pytest.raises(InputError, match="section 1.*multiple_answer_credit must be 'all-or-nothing' or "
                                         "'partial', got 'half'"):
        load_spec(spec)


def test_the_cli_offers_the_kinds_rules():
    from quizgen.bank.kinds import CREDIT_RULES
    from quizgen.cli import MULTIPLE_ANSWER_CREDIT

    assert MULTIPLE_ANSWER_CREDIT == CREDIT_RULES


# -- a built exam, graded ---------------------------------------------------------------------------

SPEC = """
title = "Choices"
exam_id = "choices"
multiple_answer_credit = "partial"

[[section]]
title = "Per option"
ids = ["gan.concept.applications", "dbm.concept.dbm_vs_dbn"]
points = 6

[[section]]
title = "Whole"
ids = ["cnn.concept.stride_padding"]
points = 6
multiple_answer_credit = "all-or-nothing"
"""
# options of each question: gan.concept.applications 4 right + 3 distractors, dbm.concept.dbm_vs_dbn
# 2 + 3, cnn.concept.stride_padding 3 + 3 (question_bank/*/concepts.toml)
OPTIONS = {"Q1": 7, "Q2": 5, "Q3": 6}


@pytest.fixture(scope="module")
def exam(tmp_path_factory):
    root = tmp_path_factory.mktemp("choices")
    build_exam(root, SPEC)
    keys = {r["student_id"]: {c: set(r[c].replace(",", "").split()) for c in OPTIONS}
            for _, r in read_table(root / "out" / "key.csv").rows}
    return root, keys


def wrong_letters(column, key) -> list:
    return [c for c in LETTERS[:OPTIONS[column]] if c not in key]


def answers_and_expected(keys):
    """Each student's answers and the points each should earn, worked out by hand (6 points a question)."""
    rows, expected = {}, {}
    k = keys["001"]
    rows["001"] = {"Q1": ", ".join(sorted(k["Q1"])[:3]),                          # 3 of 4 right: 6 x 3/4
                   "Q2": " ".join([sorted(k["Q2"])[0], wrong_letters("Q2", k["Q2"])[0]]),  # 6 x (1/2 - 1/3)
                   "Q3": ", ".join(sorted(k["Q3"])[:2])}                          # all-or-nothing: 0
    expected["001"] = {"Q1": ("partial", 4.5), "Q2": ("partial", 1.0), "Q3": ("wrong", 0.0)}
    k = keys["002"]
    rows["002"] = {"Q1": "".join(sorted(k["Q1"]) + wrong_letters("Q1", k["Q1"])[:1]),  # 6 x (1 - 1/3)
                   "Q2": ",".join(wrong_letters("Q2", k["Q2"])),                  # 6 x -1: kept at 0
                   "Q3": ", ".join(sorted(k["Q3"]))}
    expected["002"] = {"Q1": ("partial", 4.0), "Q2": ("wrong", 0.0), "Q3": ("correct", 6.0)}
    k = keys["003"]
    rows["003"] = {"Q1": ", ".join(sorted(k["Q1"])),
                   "Q2": sorted(k["Q2"])[1],                                      # 1 of 2 right: 6 x 1/2
                   "Q3": sorted(k["Q3"])[0] + wrong_letters("Q3", k["Q3"])[0]}
    expected["003"] = {"Q1": ("correct", 6.0), "Q2": ("partial", 3.0), "Q3": ("wrong", 0.0)}
    return rows, expected


def submit(path, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student_id", "name", *OPTIONS])
    for student, answers in rows.items():
        writer.writerow([student, "", *(answers[c] for c in OPTIONS)])
    path.write_text(buffer.getvalue())
    return path


def stored(out, run_id):
    with Gradebook(out / FILE_NAME) as book:
        return {(r["student_id"], r["column_name"]): (r["status"], r["credit"] * r["points"])
                for r in book.scores(run_id)}


def test_partial_credit_through_quizgen_grade_and_regrade(exam, tmp_path):
    root, keys = exam
    out = root / "out"
    rows, expected = answers_and_expected(keys)
    report = grade_build(out, [submit(tmp_path / "answers.csv", rows)], feedback=())
    got = stored(out, report.run_id)
    for student, parts in expected.items():
        for column, (status, points) in parts.items():
            assert got[(student, column)][0] == status, (student, column)
            assert got[(student, column)][1] == pytest.approx(points, abs=1e-12), (student, column)
    table = {r["student_id"]: r for _, r in read_table(out / "grades.csv").rows}
    assert [table["001"][c] for c in ("Q1", "Q2", "Q3", "total")] == ["4.5", "1.0", "0.0", "5.5"]
    assert [table["002"][c] for c in ("Q1", "Q2", "Q3", "total")] == ["4.0", "0.0", "6.0", "10.0"]
    with sqlite3.connect(out / FILE_NAME) as db:  # the view names the status too
        view = dict(db.execute("SELECT column_name, status FROM part_score WHERE run_id = ? AND student_id = "
                               "'001'", (report.run_id,)).fetchall())
    assert view == {"Q1": "partial", "Q2": "partial", "Q3": "wrong"}
    # grading one by one (regrade --recompute re-solves every variant) gives the same
    regraded, _ = regrade(out, recompute=True, feedback=())
    assert stored(out, regraded.run_id) == got


def test_the_rule_is_frozen_in_the_manifest_and_an_older_manifest_grades_all_or_nothing(exam, tmp_path):
    import shutil

    root, keys = exam
    out = tmp_path / "out"
    shutil.copytree(root / "out", out, ignore=shutil.ignore_patterns(FILE_NAME + "*", "grades.csv"))
    text = (out / "manifest.json").read_text()
    assert text.count('"credit":"partial"') == 2 * 3  # Q1 and Q2 of each student; Q3 all-or-nothing: unwritten
    # a manifest written before the setting has no rule on its parts: graded all-or-nothing, as then
    (out / "manifest.json").write_text(text.replace('"credit":"partial",', ""))
    (out / "grading-key.npz").unlink()  # an older build's key is of an older format: remade from the manifest
    rows, expected = answers_and_expected(keys)
    report = grade_build(out, [submit(tmp_path / "answers.csv", rows)], feedback=())
    got = stored(out, report.run_id)
    assert got[("001", "Q1")] == ("wrong", 0.0) and got[("003", "Q2")] == ("wrong", 0.0)
    assert got[("003", "Q1")] == ("correct", 6.0)


def test_grade_and_practice_agree_on_a_multiple_answer_item():
    bank = load_bank()
    template = bank.get("gan.concept.applications")
    typed = []
    for rule in ("partial", "all-or-nothing"):
        for seed in range(3):
            summary = run_practice(bank, ids=(template.id,), n=1, seed=seed, input_fn=scripted(["A B C", ""]),
                                   out=io.StringIO(), retry_missed=False, show_solution="never", credit=rule)
            record = summary.questions[0]
            key = frozenset(record.variant.answers["choice"])
            right, wrong = len(key & set("ABC")), len(set("ABC") - key)  # 4 right options, 3 wrong
            by_hand = max(0.0, right / 4 - wrong / 3) if rule == "partial" else 0.0  # 3 letters: never all 4
            assert record.earned == pytest.approx(by_hand, abs=1e-12)
            graded = grade(template, record.variant, {"choice": "A B C"}, credit={"choice": rule})
            assert graded.earned == record.earned
            typed.append(by_hand)
    assert any(0 < t < 1 for t in typed)  # a partial answer was among them


def test_a_schema_2_gradebook_is_migrated_to_name_the_partial_status(tmp_path):
    import quizgen.grade.gradebook as gb

    path = tmp_path / FILE_NAME
    db = sqlite3.connect(path, isolation_level=None)
    for version in (1, 2):
        for statement in gb.sql_statements(gb.MIGRATIONS[version]):
            db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    db.execute("INSERT INTO run VALUES (1, '2026-01-01', 'grade', 'abc', '{}')")
    db.execute("INSERT INTO run_column VALUES (1, 0, 'Q1')")
    db.execute("INSERT INTO result VALUES (1, '001', NULL, 'c', '[1.0]', '[2.0]', '[\"A\"]', '{}')")
    db.close()
    with Gradebook(path) as book:
        assert book.schema_version() == 4
        assert [(r["column_name"], r["status"]) for r in book.scores(1)] == [("Q1", "correct")]
        with book.transaction() as tx:
            tx.execute("INSERT INTO run VALUES (2, '2026-01-02', 'grade', 'abc', '{}')")
            tx.execute("INSERT INTO run_column VALUES (2, 0, 'Q1')")
            tx.execute("INSERT INTO result VALUES (2, '001', NULL, 'p', '[0.5]', '[2.0]', '[\"A\"]', "
                       + repr(json.dumps({"Q1": [None, "1/2 of the points"]})) + ")")
        assert tuple(book.db.execute("SELECT status, credit FROM part_score WHERE run_id = 2").fetchone()) == \
            ("partial", 0.5)
        assert [(r["status"], r["credit"]) for r in book.scores(2)] == [("partial", 0.5)]
