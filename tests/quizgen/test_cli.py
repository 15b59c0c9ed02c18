"""The CLI through click's runner (and a real process once): every command, its exit status and its errors."""

import csv
import json
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from quizgen import __version__
from quizgen.cli import main


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)
    return invoke


def test_version_and_help(run):
    assert __version__ in run("--version").output
    out = run("--help").output
    for command in ("list", "show", "check"):
        assert command in out
        assert "Example" in run(command, "--help").output


def test_list_table_and_json(run):
    result = run("list")
    assert result.exit_code == 0 and "rnn.forward_two_steps" in result.output
    rows = json.loads(run("list", "--json").output)
    assert any(r["id"] == "rnn.forward_two_steps" and r["kinds"] == ["vector"] for r in rows)
    bad = run("list", "--topic", "nonexistent")
    assert bad.exit_code != 0 and "no templates" in bad.output


def test_show_text_and_json(run):
    text = run("show", "rnn.forward_two_steps", "--seed", "3").output
    assert "Worked solution" in text and "hₜ = tanh" in text and "$" not in text
    data = json.loads(run("show", "rnn.forward_two_steps", "--seed", "3", "--json").output)
    assert set(data["params"]) == {"x", "h0", "W_xh", "W_hh", "b_h"}  # reference_impl argument names
    assert len(data["answers"]["h1"]) == 2 and "no_bias" in data["mistakes"]
    again = json.loads(run("show", "rnn.forward_two_steps", "--seed", "3", "--json").output)
    assert again == data


def test_show_unknown_id_is_a_clear_error(run):
    result = run("show", "rnn.nope")
    assert result.exit_code != 0 and "no template 'rnn.nope'" in result.output
    assert "Traceback" not in result.output


def test_check_passes_and_reports(run):
    result = run("check", "rnn.forward_two_steps", "--seeds", "20")
    assert result.exit_code == 0, result.output
    assert "1 of 1 templates passed" in result.output


def test_check_fails_on_a_bad_template(run, tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "bad.py").write_text('''
from quizgen.bank.kinds import Number
from quizgen.bank.question import Part
TITLE = "t"; VERSION = 1
PARTS = [Part("y", Number(decimals=2))]
MISTAKES = {"m": "a mistake that changes nothing visible"}
STEM = "{{ p.missing_param }}"; SOLUTION = "y"
def generate(rng):
    return {"x": 1.0}
def solve(p, work):
    work.answer("y", 2.0 if work.made("m") else 1.0)
''')
    result = run("check", "demo.bad", "--seeds", "3", "--bank", str(tmp_path))
    assert result.exit_code == 1
    assert "missing_param" in result.output


def test_practice_through_the_cli_with_piped_answers():
    runner = CliRunner()
    result = runner.invoke(main, ["practice", "--id", "lstm.concept.forget_gate_role", "-n", "1", "--seed", "5",
                                  "--solutions", "never"], input="Z\nA\n\nn\n")
    assert result.exit_code == 0, result.output
    assert "Cannot read that" in result.output and "Summary" in result.output
    assert "Traceback" not in result.output
    junk = runner.invoke(main, ["practice", "--topic", "rnn", "-n", "2", "--seed", "1"],
                         input="\x00\x01 ]]] 1e999 \u2212\n" * 5)
    assert junk.exit_code == 0 and "Traceback" not in junk.output


def test_export_and_html_practice_refuse_to_overwrite(tmp_path):
    runner = CliRunner()
    out = tmp_path / "quiz.xml"
    first = runner.invoke(main, ["export", "moodle", "examples/unit4-quiz.toml", "--variants", "1", "--out", str(out),
                                 "--public-seed", "1"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["export", "moodle", "examples/unit4-quiz.toml", "--variants", "1", "--out", str(out),
                                 "--public-seed", "1"])
    assert again.exit_code == 2 and "exists; add --force" in again.output
    page = tmp_path / "p.html"
    made = runner.invoke(main, ["practice", "--html", str(page), "--id", "rnn.forward_two_steps", "--variants", "2"])
    assert made.exit_code == 0 and page.stat().st_size > 10_000


# --------------------------------------------------------------------------- a build through the CLI
# One small build (3 cheap templates, 4 students, HTML only) made once by `quizgen build`; every test
# below works on its own copy. Q1 = rnn.forward_two_steps (Q1a, Q1b: vectors), Q2 = cnn.conv_output_shape
# (Q2a: a shape, Q2b: a number), Q3 = lstm.concept.forget_gate_role (a letter); 3 points a question,
# shared equally by its blanks.

SPEC = """
title = "CLI quiz"
exam_id = "cli-quiz"
[[section]]
title = "A"
ids = ["rnn.forward_two_steps", "cnn.conv_output_shape", "lstm.concept.forget_gate_role"]
points = 3
"""
STUDENTS = ("001", "002", "003", "004")


def quizgen(*args):
    """`quizgen ARGS` through click's runner: (exit status, stdout and stderr together)."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-build")
    (root / "spec.toml").write_text(SPEC)
    (root / "roster.csv").write_text("student_id,name\n" + "".join(f"{s},Student {s}\n" for s in STUDENTS))
    status, output = quizgen("build", root / "spec.toml", "--roster", root / "roster.csv", "--out", root / "out",
                             "--secret-file", root / "k" / "s", "--format", "html", "--jobs", 1, "--quiet")
    assert status == 0 and "built 4 exams x 3 questions" in output, output
    return root


@pytest.fixture
def exam(built, tmp_path):
    """A copy of the module's build (out/) and its secret (k/s) for one test to change."""
    shutil.copytree(built, tmp_path / "exam")
    return tmp_path / "exam"


def read_csv(path) -> tuple:
    """(header, student id -> row as a dict) of a CSV whose student_id is its first column."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header] + rows)
    return path


def test_every_command_help_has_an_example(run):
    commands = ["list", "show", "check", "build", "verify", "answer-sheet", "grade", "regrade", "feedback", "override", "report",
                "simulate", "practice", "export"]
    assert set(commands) == set(main.commands)
    for command in commands:
        assert "Example" in run(command, "--help").output, command


def test_verify_passes_a_good_build_and_names_a_tampered_file(exam):
    out, secret = exam / "out", exam / "k" / "s"
    status, output = quizgen("verify", out, "--secret-file", secret)
    assert status == 0 and "verified: 12 variants of 4 students" in output, output

    key = (out / "key.csv").read_text()
    (out / "key.csv").write_text(key.replace("001,", "001 ,", 1))
    status, output = quizgen("verify", out, "--secret-file", secret)
    assert status == 1 and "MISMATCH key.csv: changed since the build" in output, output
    assert "verify failed: 1 problem(s)" in output
    (out / "key.csv").write_text(key)

    manifest = (out / "manifest.json").read_text()
    first_student = manifest.index('{"questions":')  # one student a line: the first student's first answer
    head, tail = manifest[:first_student], manifest[first_student:]
    forged = re.sub(r'("answers":\{"h1":\[)(-?[\d.]+)', lambda m: m[1] + repr(float(m[2]) + 0.5), tail, count=1)
    assert forged != tail
    (out / "manifest.json").write_text(head + forged)
    status, output = quizgen("verify", out, "--secret-file", secret)
    assert status == 1, output
    assert "MISMATCH student 001 question 1: rebuilt variant differs from the manifest (rnn.forward_two_steps)" \
        in output

    (out / "manifest.json").write_text(manifest[: len(manifest) // 2])  # cut short: not a manifest at all
    status, output = quizgen("verify", out, "--secret-file", secret)
    assert status == 2 and "error: " in output and "manifest.json" in output, output


def test_verify_with_another_secret_says_so(exam, tmp_path):
    (tmp_path / "other").write_text("not the exam's secret, but long enough to be one: " + "x" * 40)
    (tmp_path / "other").chmod(0o600)
    status, output = quizgen("verify", exam / "out", "--secret-file", tmp_path / "other")
    assert status == 1 and "is not the secret this exam was built with" in output, output


def test_simulate_writes_submissions_that_grade_and_refuses_to_overwrite(exam):
    out, subs = exam / "out", exam / "subs.csv"
    status, output = quizgen("simulate", out, "--out", subs, "--seed", 3)
    assert status == 0 and f"wrote {subs}" in output
    with open(subs, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {"student_id", "Q1a", "Q1b", "Q2a", "Q2b", "Q3"} <= set(rows[0])
    assert set(STUDENTS) <= {r["student_id"] for r in rows}
    first = subs.read_bytes()
    status, output = quizgen("simulate", out, "--out", subs, "--seed", 4)
    assert status == 2 and f"error: {subs}: exists; add --force to replace it" in output
    assert subs.read_bytes() == first
    status, _ = quizgen("simulate", out, "--out", subs, "--seed", 4, "--force")
    assert status == 0 and subs.read_bytes() != first
    status, output = quizgen("grade", out, subs, "--feedback", "none", "--jobs", 1)
    assert status == 1 and "unknown or empty student id" in output  # the simulated class has a stray id


def totals(build_dir) -> dict:
    """student -> (total, status) as grades.csv says."""
    _, rows = read_csv(build_dir / "grades.csv")
    return {s: (float(r["total"]), r["status"]) for s, r in rows.items() if s != "Points Possible"}


def test_grading_the_key_is_clean_exit_status_0(exam):
    out = exam / "out"
    done = subprocess.run([sys.executable, "-m", "quizgen", "grade", str(out), str(out / "key.csv"),  # as a shell
                           "--feedback", "none", "--jobs", "1", "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"wrote {out}/grades.csv\n") and "mean 9 / 9, median 9" in done.stdout
    assert totals(out) == {s: (9.0, "graded") for s in STUDENTS}


def test_grade_override_and_regrade(exam):
    out = exam / "out"
    header, key = read_csv(out / "key.csv")

    def submission(student, **changed):
        return [changed.get(h, key[student][h]) for h in header]

    wrong_letter = next(c for c in "ABCD" if c != key["002"]["Q3"])
    subs = write_csv(exam / "subs.csv", header, [
        submission("001", Q2b=""),                    # a blank: 1.5 lost
        submission("002"),                            # full marks first ...
        submission("003", Q1a="[9, 9]", Q3="?"),      # a wrong vector and an unreadable letter: 4.5 lost
        submission("002", Q3=wrong_letter),           # ... then a wrong letter, the latest: 3 lost
    ])                                                # 004 sends nothing
    status, output = quizgen("grade", out, subs, "--feedback", "none", "--jobs", 1)
    assert status == 1, output  # needs attention: a student without a submission, an invalid answer
    assert "003 Q3" in output and "004" in output
    assert totals(out) == {"001": (7.5, "graded"), "002": (6.0, "graded"), "003": (4.5, "invalid answers"),
                           "004": (0.0, "no submission")}

    status, output = quizgen("override", out, "001", "Q2b", "1", "--reason", "answer on the back of the sheet")
    assert status == 0 and "001 Q2b = 1 (answer on the back of the sheet)" in output
    assert totals(out)["001"] == (8.5, "override")

    status, output = quizgen("regrade", out, "--first", "--feedback", "none", "--jobs", 1)
    assert status == 0, output
    assert "002: 6 -> 9 (+3)" in output and "1 student(s) changed" in output
    assert totals(out) == {"001": (8.5, "override"), "002": (9.0, "graded"), "003": (4.5, "invalid answers"),
                           "004": (0.0, "no submission")}  # the override survived the regrade

    for args, named in ((["override", out, "999", "Q1a", "1", "--reason", "r"], "no student '999'"),
                        (["override", out, "001", "Q1a", "2", "--reason", "r"], "Q1a is worth 1.5 points"),
                        (["override", out, "001", "Q9", "1", "--reason", "r"], "no answer blank 'Q9'")):
        status, output = quizgen(*args)
        assert status == 2 and f"error: {out / 'manifest.json'}: {named}" in output, output
    refused = write_csv(exam / "refused.csv", ["who", "Q1a"], [["001", "1"]])
    status, output = quizgen("grade", out, refused, "--feedback", "none", "--jobs", 1)
    assert status == 2 and f"error: {refused}" in output and "no student id column" in output, output
    status, output = quizgen("grade", out, subs, "--feedback", "html,docx")
    assert status == 2 and "unknown format docx" in output
    assert totals(out)["002"] == (9.0, "graded")  # nothing refused was graded


def test_report_numbers_are_those_of_grades_csv(exam):
    out = exam / "out"
    header, key = read_csv(out / "key.csv")
    rows = [[key[s][h] for h in header] for s in STUDENTS[:3]]
    rows[0][header.index("Q1b")] = "[0, 0]"
    rows[1][header.index("Q2a")] = "(1, 2, 3)"
    rows[2][header.index("Q3")] = ""
    quizgen("grade", out, write_csv(exam / "subs.csv", header, rows), "--feedback", "none", "--jobs", 1)
    quizgen("override", out, "001", "Q3", "1.5", "--reason", "partly right")

    # an independent count from grades.csv: who submitted, their totals, each question's mean
    grade_header, graded = read_csv(out / "grades.csv")
    possible = graded.pop("Points Possible")
    submitted = {s: r for s, r in graded.items() if "no submission" not in r["status"]}
    scores = [float(r["total"]) for r in submitted.values()]
    questions = [h for h in grade_header if re.fullmatch(r"Q\d+", h)]

    status, output = quizgen("report", out, "--json")
    assert status == 0 and f"wrote {out / 'report.json'}" in output
    data = json.loads((out / "report.json").read_text())
    assert data["exam_id"] == "cli-quiz"
    assert (data["students"], data["not_submitted"]) == (len(submitted), len(graded) - len(submitted)) == (3, 1)
    assert data["possible"] == float(possible["total"]) == 9.0
    assert data["summary"]["mean"] == round(sum(scores) / len(scores), 4)  # rounded to 4 decimals
    assert (data["summary"]["min"], data["summary"]["max"]) == (min(scores), max(scores))
    assert sum(data["histogram"]["counts"]) == len(submitted)
    for q, question in zip(questions, data["questions"]):
        mean = sum(float(r[q]) for r in submitted.values()) / len(submitted)
        assert question["question"] == int(q[1:])
        assert question["difficulty"] == pytest.approx(mean / float(possible[q]), abs=1e-4), q
    blanks = {item["column"]: item for item in data["items"]}
    assert blanks["Q3"]["blank_rate"] == round(1 / 3, 4) and blanks["Q1b"]["statuses"].get("wrong") == 1

    status, output = quizgen("report", out, "--json")
    assert status == 0  # the default file is the report's own: rewritten
    target = exam / "items.json"
    assert quizgen("report", out, "--json", "--out", target)[0] == 0
    status, output = quizgen("report", out, "--json", "--out", target)
    assert status == 2 and "exists; add --force" in output
    assert quizgen("report", out, "--json", "--out", target, "--force")[0] == 0

    status, output = quizgen("report", out)
    assert status == 0 and f"wrote {out / 'report.html'}" in output
    page = (out / "report.html").read_text()
    assert "CLI quiz" in page and f"{len(submitted)} students graded" in page
    assert f"mean {round(sum(scores) / len(scores), 2):g} of 9" in re.sub(r"<[^>]+>|\s+", " ", page).replace("  ", " ")
