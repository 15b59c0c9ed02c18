"""Essays: stored whole, shown whole, "to be marked" until an override marks them, never a silent 0.

A class of three: Ada writes a 3,000+ character essay (commas, quotes, new lines, non-ASCII) in a
CSV cell, Alan leaves the essay blank, Grace writes one line. Before this, Ada's essay was *invalid*
(over 2,000 characters) with 200 characters kept, and Grace's was "wrong: not the key" at 0 points.
"""

import csv
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner

from quizgen.bank.loader import load_bank
from quizgen.bank.marking import grade
from quizgen.bank.seeds import rng_for
from quizgen.cli import main
from quizgen.grade.gradebook import FILE_NAME, MIGRATIONS, Gradebook, sql_statements
from quizgen.grade.report import analyse, write_report
from quizgen.grade.run import grade_build, regrade
from tests.quizgen.grade.exams import build_exam
from quizgen.tables import read_table

SPEC = """
title = "Essay quiz"
exam_id = "essay-quiz"
[[section]]
title = "A"
ids = ["cnn.conv_output_shape", "autoencoder.concept.explain_autoencoders"]
points = 4
"""

PARAGRAPH = ('An autoencoder is trained to reconstruct its input x as x_hat = g(f(x)); the loss, say '
             '"mean squared error", compares x and x_hat, and the bottleneck z = f(x) is narrower than x. '
             'Types: undercomplete, denoising (x corrupted, x_hat compared with the clean x), sparse, '
             'contractive, and variational \u2014 with a KL term; a "VAE" generates.\n')
ESSAY = "".join(f"{k + 1}. {PARAGRAPH}" for k in range(13)).strip()


@pytest.fixture
def exam(tmp_path):
    return build_exam(tmp_path, SPEC)


def submit(exam, tmp_path, name="submissions.csv") -> list:
    key = {r["student_id"]: r for _, r in read_table(exam / "key.csv").rows}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student_id", "Q1a", "Q1b", "Q2"])
    writer.writerow(["001", key["001"]["Q1a"], key["001"]["Q1b"], ESSAY])
    writer.writerow(["002", key["002"]["Q1a"], key["002"]["Q1b"], "  "])
    writer.writerow(["003", key["003"]["Q1a"], key["003"]["Q1b"], "Encoder, bottleneck, decoder."])
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return [path]


def grades(exam) -> dict:
    table = read_table(exam / "grades.csv")
    return {r["student_id"]: r for _, r in table.rows} | {"header": table.header}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_the_essay_is_long_and_holds_what_a_csv_must_quote():
    assert len(ESSAY) >= 3000 and all(c in ESSAY for c in ',"\n\u2014')


def test_an_essay_is_to_be_marked_whole_when_graded_alone():
    template = load_bank().get("autoencoder.concept.explain_autoencoders")
    variant = template.draw(rng_for(1), "1")
    part = grade(template, variant, {"essay": ESSAY}).parts[0]
    assert (part.status, part.credit, part.response, part.feedback) == ("to_mark", 0.0, ESSAY, "to be marked by hand")
    assert grade(template, variant, {"essay": " \n "}).parts[0].status == "blank"


def test_essays_are_stored_whole_to_be_marked_and_grades_csv_says_the_totals_are_provisional(exam, tmp_path):
    report = grade_build(exam, submit(exam, tmp_path), feedback=("html",), quiet=True)
    assert report.to_mark == ["001 Q2", "003 Q2"] and report.invalid == []
    with Gradebook(exam / FILE_NAME) as book:
        rows = {(r["student_id"], r["column_name"]): r for r in book.db.execute("SELECT * FROM part_score")}
    ada = rows[("001", "Q2")]
    assert (ada["status"], ada["response"], ada["credit"], ada["feedback"]) == (
        "to_mark", ESSAY, 0.0, "to be marked by hand")
    assert rows[("002", "Q2")]["status"] == "blank" and rows[("003", "Q2")]["status"] == "to_mark"

    g = grades(exam)
    assert g["header"][-4:] == ["total", "percent", "status", "essays to mark"]
    assert g["Points Possible"]["Q2"] == "4.0" and g["Points Possible"]["essays to mark"] == ""
    # Q1 is right for everyone (4 points); the essay's cell is empty, not 0, until it is marked
    assert (g["001"]["Q1"], g["001"]["Q2"], g["001"]["total"]) == ("4.0", "", "4.0")
    assert g["001"]["essays to mark"] == "1" and g["001"]["status"] == "1 essay to mark: total provisional"
    assert (g["002"]["Q2"], g["002"]["essays to mark"], g["002"]["status"]) == ("0.0", "0", "graded")
    assert g["003"]["Q2"] == "" and g["003"]["essays to mark"] == "1"
    attention = (exam / "needs-attention.txt").read_text()
    assert "essay to mark (quizgen override): 001 Q2" in attention

    data = analyse(exam)
    assert [(e["student"], e["column"], e["points"]) for e in data["essays_to_mark"]] == [
        ("001", "Q2", 4.0), ("003", "Q2", 4.0)]
    assert data["essays_to_mark"][0]["response"] == ESSAY
    html = write_report(exam).read_text()
    assert "2 essays to mark" in html and ESSAY.splitlines()[-1].replace('"', "&#34;") in html

    page = (exam / "feedback" / "001.html").read_text()
    assert ESSAY.splitlines()[-1].replace('"', "&#34;") in page and "to be marked by hand" in page
    assert "not the key" not in page and "could not be read" not in page
    assert "provisional: 1 written answer to be marked" in page


def test_an_override_marks_an_essay_and_then_it_counts(exam, tmp_path):
    grade_build(exam, submit(exam, tmp_path), feedback=(), quiet=True)
    result = run("override", exam, "001", "Q2", "3.5", "--reason", "essay marked by TA")
    assert result.exit_code == 0, result.output
    g = grades(exam)
    assert (g["001"]["Q2"], g["001"]["total"], g["001"]["essays to mark"], g["001"]["status"]) == (
        "3.5", "7.5", "0", "override")
    assert (g["003"]["Q2"], g["003"]["essays to mark"]) == ("", "1")
    assert [e["student"] for e in analyse(exam)["essays_to_mark"]] == ["003"]
    # a regrade keeps both the override and the essay still to mark
    report, _ = regrade(exam, feedback=(), quiet=True)
    assert report.to_mark == ["003 Q2"]
    assert grades(exam)["001"]["total"] == "7.5" and grades(exam)["003"]["Q2"] == ""


def test_the_grade_command_says_how_many_essays_await_marking(exam, tmp_path):
    result = run("grade", exam, *submit(exam, tmp_path), "--feedback", "none", "-q")
    assert "2 essay(s) to mark: their totals are provisional" in result.output


def test_a_schema_2_gradebook_opens_and_its_view_reads_the_new_status(tmp_path):
    path = tmp_path / FILE_NAME
    db = sqlite3.connect(path, isolation_level=None)
    for version in (1, 2):
        for statement in sql_statements(MIGRATIONS[version]):
            db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    db.execute("INSERT INTO run VALUES (1, '2026-01-01', 'grade', 'abc', '{}')")
    db.execute("INSERT INTO run_column VALUES (1, 0, 'Q1'), (1, 1, 'Q2')")
    db.execute("INSERT INTO result VALUES (1, '001', NULL, 'cw', '[1.0, 0.0]', '[2.0, 3.0]', '[\"0.5\", \"x\"]', "
               "'{\"Q2\": [null, \"not the key\"]}')")
    db.close()
    with Gradebook(path) as book:
        assert book.schema_version() == 4
        assert [(r["column_name"], r["status"]) for r in book.scores(1)] == [("Q1", "correct"), ("Q2", "wrong")]
        with book.transaction() as tx:
            run_id = book.start_run(tx, "grade", "abc", {}, ["Q1"])
            book.record_results(tx, run_id, [("001", None, "t", "[0.0]", "[4.0]", json.dumps(["text"]),
                                              json.dumps({"Q1": [None, "to be marked by hand"]}))])
        view = book.db.execute("SELECT status FROM part_score WHERE run_id = ?", (run_id,)).fetchall()
        assert [r[0] for r in view] == ["to_mark"]
        assert book.scores(run_id)[0]["status"] == "to_mark"
