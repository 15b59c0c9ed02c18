"""Issue 16: the hostile inputs that gave wrong grades, lost work, crashed or hung.

Each case is a file an instructor or a student really makes (a spec typed by hand, a roster
from a registry, an LMS export, a form's answers), and each test failed before its fix: a
refusal is one line naming the file (row, column), exit status 2, and nothing left behind; a
crash is status 3, never 1 ("needs attention").
"""

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizgen.cli import main
from quizgen.errors import EXIT_CRASH, EXIT_REFUSED, InputError
from quizgen.grade.gradebook import FILE_NAME, Gradebook
from quizgen.grade.run import grade_build, regrade
from quizgen.papers.builder import build
from quizgen.papers.spec import load_or_create_secret, load_roster, load_spec
from quizgen.tables import read_table, unneutralise

SPEC = """
title = "Hostile inputs quiz"
exam_id = "hostile-quiz"
[[section]]
title = "A"
ids = ["rnn.forward_two_steps", "cnn.conv_output_shape", "dbm.energy", "lstm.concept.forget_gate_role"]
points = 3
"""
ROSTER = "student_id,name\n001,Ada\n002,Alan\nAB3,Grace\n"


def cli(*args):
    """`quizgen ARGS`: (exit status, output); never a traceback."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def make_secret(path: Path, fill: str = "5") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fill * 64 + "\n")
    path.chmod(0o600)
    return path


def build_exam(root: Path, roster: str = ROSTER, spec: str = SPEC, name: str = "out", fill: str = "5",
               formats=(), force: bool = False):
    root.mkdir(parents=True, exist_ok=True)
    (root / "spec.toml").write_text(spec)
    (root / "roster.csv").write_text(roster)
    secret = make_secret(root / "keys" / f"{fill}.secret", fill)
    report = build(root / "spec.toml", root / "roster.csv", root / name, secret_file=secret, formats=formats,
                   quiet=True, force=force)
    return root / name, report


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A built exam and its key rows (student id -> {column: key text}), copied per test."""
    out, _ = build_exam(tmp_path_factory.mktemp("hostile"))
    return out


@pytest.fixture
def exam(base, tmp_path):
    shutil.copytree(base, tmp_path / "out")
    return tmp_path / "out"


def key_of(out: Path) -> dict:
    return {unneutralise(r["student_id"]): {k: v for k, v in r.items() if k.startswith("Q")}
            for _, r in read_table(out / "key.csv").rows}


def submissions(path: Path, header: list, rows: list) -> Path:
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")
    return path


def answers(out: Path, student: str, id_header="student_id", typed=None) -> tuple[list, list]:
    """A header and one row: ``student``'s key typed as their answers (``typed`` replaces cells)."""
    key = key_of(out)[student]
    cells = dict(key) | (typed or {})
    return [id_header] + list(cells), [student] + list(cells.values())


# -- exit statuses ---------------------------------------------------------------------------------

def test_a_crash_has_its_own_exit_status_and_no_traceback(exam, monkeypatch):
    import quizgen.grade.report as report_module

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(report_module, "write_report", broken)
    status, output = cli("report", exam)
    assert status == EXIT_CRASH == 3
    assert "quizgen crashed: ZeroDivisionError: a bug" in output and "report it" in output


def test_ctrl_c_is_interrupted_not_needs_attention_and_debug_shows_the_traceback(exam, monkeypatch):
    import quizgen.grade.report as report_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report_module, "write_report", interrupted)
    status, output = cli("report", exam)
    assert status == 130 and "interrupted" in output

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(report_module, "write_report", broken)
    monkeypatch.setenv("QUIZGEN_DEBUG", "1")
    result = CliRunner().invoke(main, ["report", str(exam)])
    assert isinstance(result.exception, ZeroDivisionError)  # raised whole, for its traceback


def test_help_documents_the_exit_statuses():
    status, output = cli("--help")
    assert status == 0
    assert "Exit status: 0 done, 1 done but something needs attention, 2 input refused" in " ".join(output.split())
    assert "3 quizgen crashed" in " ".join(output.split())


def test_an_unknown_template_is_refused_input_not_needs_attention():
    status, output = cli("show", "rnn.nope")
    assert status == EXIT_REFUSED and "no template 'rnn.nope'" in output


# -- specs -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("setting, message", [
    ("points = nan", "'points' must be a positive number, got nan"),
    ("points = inf", "'points' must be a positive number, got inf"),
    ("points = -inf", "'points' must be a positive number, got -inf"),
    ("points = 1e308", "'points' = 1e+308: at most 1000 points"),
    ("points_per_part = nan", "'points_per_part' must be a positive number, got nan"),
    ("points = 1e-9", "'points' = 1e-09: points are written in hundredths at most"),
    ("count = true", "'count' must be a whole number >= 1"),
])
def test_a_spec_with_impossible_points_or_counts_is_refused_and_leaves_nothing(tmp_path, setting, message):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.replace("points = 3\n", setting + "\n"))
    (tmp_path / "roster.csv").write_text(ROSTER)
    with pytest.raises(InputError) as caught:
        load_spec(spec)
    assert str(caught.value).startswith(f"{spec}: section 1 ('A'): {message}")
    status, output = cli("build", spec, "--roster", tmp_path / "roster.csv", "--out", tmp_path / "out",
                         "--secret-file", tmp_path / "k" / "s", "--format", "none")
    assert status == 2 and output.startswith(f"error: {spec}: section 1 ('A'): {message}"), output
    assert not (tmp_path / "out").exists()


def test_a_spec_saved_with_a_byte_order_mark_is_read(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_bytes(b"\xef\xbb\xbf" + SPEC.encode())
    assert load_spec(spec).title == "Hostile inputs quiz"


def test_a_spec_that_is_a_folder_or_a_pipe_is_refused(tmp_path):
    (tmp_path / "spec.toml").mkdir()
    with pytest.raises(InputError, match="spec.toml: is a folder, not a file"):
        load_spec(tmp_path / "spec.toml")
    os.mkfifo(tmp_path / "fifo.toml")
    with pytest.raises(InputError, match="fifo.toml: is not a regular file"):
        load_spec(tmp_path / "fifo.toml")


def test_a_build_that_fails_midway_leaves_no_folder(tmp_path, monkeypatch):
    import quizgen.papers.builder as builder

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(builder, "key_rows", broken)
    with pytest.raises(OSError):
        build_exam(tmp_path)
    assert not (tmp_path / "out").exists()


# -- rosters and the file names ids make -------------------------------------------------------------

@pytest.mark.parametrize("student_id, problem", [
    (".", "starts or ends with '.'"),
    ("..", "starts or ends with '.'"),
    ("...", "starts or ends with '.'"),
    (".hidden", "starts or ends with '.'"),
    ("CON", "is a device name on Windows"),
    ("nul", "is a device name on Windows"),
    ("aux", "is a device name on Windows"),
    ("COM1", "is a device name on Windows"),
    ("LPT9.x", "is a device name on Windows"),
    ("a" * 240, "is 240 characters long; at most 100 make a file name everywhere"),
])
def test_a_roster_id_that_cannot_name_a_file_everywhere_is_refused(tmp_path, student_id, problem):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"student_id,name\n001,Ada\n{student_id},Eve\n")
    with pytest.raises(InputError) as caught:
        load_roster(roster)
    assert str(caught.value).startswith(f"{roster}, row 3, column 'student_id': student id ")
    assert problem in str(caught.value)
    (tmp_path / "spec.toml").write_text(SPEC)
    status, output = cli("build", tmp_path / "spec.toml", "--roster", roster, "--out", tmp_path / "out",
                         "--secret-file", tmp_path / "k" / "s", "--format", "none")
    assert status == 2 and problem in output and not (tmp_path / "out").exists()


def test_ids_like_a_windows_device_inside_a_longer_name_are_kept(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\nconrad,Ada\ncom10,Alan\nnull,Grace\na.b,Edsger\n")
    assert [s.id for s in load_roster(roster)[0]] == ["conrad", "com10", "null", "a.b"]


def test_a_student_with_the_id_all_keeps_their_paper(tmp_path):
    out, _ = build_exam(tmp_path, roster="student_id,name\nall,Ada\n002,Alan\n", formats=("pdf",))
    from pypdf import PdfReader

    assert len(PdfReader(out / "exams" / "all.pdf").pages) < len(PdfReader(out / "all-exams.pdf").pages)
    manifest = (out / "manifest.json").read_text()
    assert '"all-exams.pdf"' in manifest and '"exams/all.pdf"' in manifest


def test_ids_equal_but_for_leading_zeros_are_warned_about_at_build_time(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\n00123,Ada\n123,Alan\n0123,Grace\n7,Edsger\n")
    students, notices = load_roster(roster)
    assert len(students) == 4
    assert notices == [f"{roster}: student ids '00123', '123', '0123' differ only in leading zeros; a spreadsheet "
                       "that drops them makes them one id, and such a submission is then credited to nobody (needs "
                       "attention)"]


# -- secrets ---------------------------------------------------------------------------------------

def test_a_secret_file_that_is_a_folder_or_a_dangling_link_is_refused(tmp_path):
    (tmp_path / "folder.secret").mkdir()
    with pytest.raises(InputError, match="folder.secret: is a folder, not a file"):
        load_or_create_secret(tmp_path / "folder.secret")
    (tmp_path / "dangling.secret").symlink_to(tmp_path / "gone")
    with pytest.raises(InputError, match="dangling.secret: is a symbolic link to .*gone, which does not exist"):
        load_or_create_secret(tmp_path / "dangling.secret")
    assert not (tmp_path / "gone").exists()
    for secret in ("folder.secret", "dangling.secret"):  # named by the spec's secret_file
        (tmp_path / "spec.toml").write_text(f'secret_file = "{tmp_path / secret}"\n' + SPEC)
        (tmp_path / "roster.csv").write_text(ROSTER)
        status, output = cli("build", tmp_path / "spec.toml", "--roster", tmp_path / "roster.csv", "--out",
                             tmp_path / "out", "--format", "none")
        assert status == 2 and output.startswith(f"error: {tmp_path / secret}: is a "), output
        assert not (tmp_path / "out").exists()


# -- submissions files that are not files ------------------------------------------------------------

def test_a_device_or_a_named_pipe_as_the_submissions_file_is_refused_at_once(exam, tmp_path):
    with pytest.raises(InputError, match="/dev/zero: is not a regular file"):
        grade_build(exam, ["/dev/zero"], feedback=())
    fifo = tmp_path / "answers.csv"
    os.mkfifo(fifo)  # nobody writes to it: reading it would wait forever
    status, output = cli("grade", exam, fifo, "--feedback", "none")
    assert status == 2 and f"error: {fifo}: is not a regular file" in output
    assert not (exam / FILE_NAME).exists() or not Gradebook(exam / FILE_NAME).latest_run()


def test_a_gradebook_that_is_not_a_database_is_refused_by_name(exam, tmp_path):
    (exam / FILE_NAME).write_bytes(b"this is a text file someone saved over the gradebook\n" * 20)
    header, row = answers(exam, "001")
    subs = submissions(tmp_path / "s.csv", header, [row])
    status, output = cli("grade", exam, subs, "--feedback", "none")
    assert status == 2 and f"error: {exam / FILE_NAME}: is not a quizgen gradebook" in output
    assert (exam / FILE_NAME).read_bytes().startswith(b"this is a text file")
    status, output = cli("report", exam)
    assert status == 2 and "is not a quizgen gradebook" in output


# -- a rebuild over a graded folder ------------------------------------------------------------------

def graded_then_rebuilt(tmp_path) -> tuple:
    out, _ = build_exam(tmp_path)
    header, row = answers(out, "001")
    grade_build(out, [submissions(tmp_path / "s.csv", header, [row])], feedback=())
    old_manifest = (out / "manifest.json").read_bytes()
    with Gradebook(out / FILE_NAME) as book:
        old_rows = book.db.execute("SELECT COUNT(*) FROM submission").fetchone()[0]
    _, report = build_exam(tmp_path, fill="7", force=True)
    return out, report, old_manifest, old_rows


def test_a_rebuild_over_a_graded_folder_moves_the_gradebook_aside_with_its_manifest(tmp_path):
    out, report, old_manifest, old_rows = graded_then_rebuilt(tmp_path)
    aside = [p for p in out.iterdir() if p.name.startswith("graded-before-rebuild-")]
    assert len(aside) == 1
    assert (aside[0] / "manifest.json").read_bytes() == old_manifest
    with Gradebook(aside[0] / FILE_NAME) as book:
        assert book.db.execute("SELECT COUNT(*) FROM submission").fetchone()[0] == old_rows
    assert not (out / FILE_NAME).exists() and (aside[0] / "grades.csv").exists()
    assert any("had been graded" in n and str(aside[0]) in n for n in report.notices)
    with pytest.raises(InputError, match="nothing graded yet"):
        regrade(out, feedback=())


def test_grade_and_regrade_refuse_a_gradebook_graded_against_another_manifest(tmp_path):
    out, _ = build_exam(tmp_path)
    header, row = answers(out, "001")
    grade_build(out, [submissions(tmp_path / "s.csv", header, [row])], feedback=())
    kept = tmp_path / "kept.sqlite"
    shutil.copy(out / FILE_NAME, kept)
    build_exam(tmp_path, fill="7", force=True)  # another secret: other papers, another key
    shutil.copy(kept, out / FILE_NAME)  # the old gradebook copied back by hand
    status, output = cli("regrade", out, "--feedback", "none")
    assert status == 2 and f"error: {out / FILE_NAME}: was graded against another manifest.json" in output
    header, row = answers(out, "002")
    status, output = cli("grade", out, submissions(tmp_path / "t.csv", header, [row]), "--feedback", "none")
    assert status == 2 and "was graded against another manifest.json" in output
    with Gradebook(out / FILE_NAME) as book:
        assert len(book.runs()) == 1


# -- what students type ------------------------------------------------------------------------------

def score_of(out: Path, student: str) -> float:
    rows = {r["student_id"]: r for _, r in read_table(out / "grades.csv").rows}
    return float(rows[student]["total"])


def parsed_in_a_process(code: str) -> str:
    """What ``code`` prints, run in a fresh Python that is killed after 30 s: a parser doing unbounded
    work in C (a huge int) cannot be interrupted from inside, so a regression fails rather than hangs."""
    import subprocess
    import sys

    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30,
                              env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2])))
    except subprocess.TimeoutExpired:
        pytest.fail(f"still parsing after 30 s: {code}")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("typed", ["1e99999999/1", "3/1e99999999", "2.5e+4000/3"])
def test_a_huge_exponent_in_a_fraction_is_an_invalid_answer_not_a_hang(typed):
    assert parsed_in_a_process(f"""
from quizgen.bank.answertext import InvalidAnswer, parse_number
try:
    print(parse_number({typed!r}))
except InvalidAnswer as exc:
    print(exc.reason)""") == f"{typed!r}: an exponent beyond 400 is not read"


def test_a_huge_exponent_in_one_cell_leaves_the_rest_graded(exam, tmp_path):
    header, row = answers(exam, "001", typed={"Q3": "1e99999999/1"})
    report = grade_build(exam, [submissions(tmp_path / "s.csv", header, [row])], feedback=())
    assert report.invalid == ["001 Q3: '1e99999999/1': an exponent beyond 400 is not read"]
    assert report.totals["001"][0] == 9.0  # the other answers are graded


@pytest.mark.parametrize("typed", ["1e99999999", "x*1e-99999999", "x^(1e99999999)"])
def test_a_huge_exponent_in_a_formula_is_invalid_not_a_hang(typed):
    assert "is out of range" in parsed_in_a_process(f"""
from quizgen.bank.answertext import InvalidAnswer
from quizgen.bank.symbolic import parse_expression
try:
    print(parse_expression({typed!r}))
except InvalidAnswer as exc:
    print(exc.reason)""")


@pytest.mark.parametrize("student_id", ["-rf", "+cmd", "@home", "-1x"])
def test_an_id_that_starts_like_a_formula_is_graded_from_the_filled_answer_sheet(tmp_path, student_id):
    out, _ = build_exam(tmp_path, roster=f"student_id,name\n001,Ada\n{student_id},Eve\n")
    sheet = (out / "answer-sheet.csv").read_text()
    assert f"'{student_id}," in sheet  # neutralised for spreadsheets, as before
    key = key_of(out)
    assert set(key) == {"001", student_id}
    filled = sheet.replace(f"'{student_id},Eve," + "," * (len(key[student_id]) - 1),
                           f"'{student_id},Eve," + ",".join(f'"{v}"' for v in key[student_id].values()))
    (tmp_path / "filled.csv").write_text(filled)
    report = grade_build(out, [tmp_path / "filled.csv"], feedback=())
    assert report.totals[student_id][0] == 12.0 and not report.unknown
    grades = (out / "grades.csv").read_text()
    assert f"'{student_id}," in grades  # still neutralised where written


def test_a_roster_made_from_quizgens_own_csv_reads_the_neutralised_ids_back(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\n'-rf,Eve\n'+x,Mallory\n")
    assert [s.id for s in load_roster(roster)[0]] == ["-rf", "+x"]


TIMES = {  # (older, newer) as each tool writes them
    "Google Forms": ("12/3/2026 10:00:00", "12/3/2026 10:30:00"),
    "Google Forms, day first": ("2/12/2026 10:00:00", "3/12/2026 10:30:00"),
    "Microsoft Forms": ("12/3/26 10:00:00 AM", "12/3/26 1:30:00 PM"),
    "Moodle": ("3 December 2026, 9:59 AM", "3 December 2026, 10:30 AM"),
    "Canvas": ("2026-12-03T10:00:00Z", "2026-12-03T10:30:00Z"),
    "Canvas, offsets": ("2026-12-03T10:00:00+01:00", "2026-12-03T09:30:00Z"),
    "ISO": ("2026-12-03 10:00:00", "2026-12-03 10:30:00"),
    "Moodle, padded": ("3 December 2026  9:59 AM", "3 December 2026  10:30 AM"),
    "Excel serial dates": ("46359.416666", "46359.4375"),  # a date column shown as General
}


@pytest.mark.parametrize("tool", sorted(TIMES))
def test_the_latest_submission_is_the_latest_by_time_in_an_export_sorted_newest_first(exam, tmp_path, tool):
    older, newer = TIMES[tool]
    column = {"Moodle": "Completed", "Canvas": "submitted", "Microsoft Forms": "Completion time"}.get(
        tool.split(",")[0], "Timestamp")
    header, right = answers(exam, "001")
    _, wrong = answers(exam, "001", typed={c: "0" for c in header[1:]})
    rows = [[newer] + right, [older] + wrong]  # newest first, as many exports sort
    if tool == "Google Forms, day first":
        rows.append(["13/12/2026 09:00:00"] + answers(exam, "002")[1])  # a day above 12: day first
    report = grade_build(exam, [submissions(tmp_path / "s.csv", [column] + header, rows)], feedback=())
    assert report.totals["001"][0] == 12.0, report.duplicates
    assert report.duplicates[0].endswith("graded s.csv row 2 (the latest by its time)")
    assert "row 2 at 2026-12-03 " in report.duplicates[0]


def test_without_a_time_column_the_last_received_counts_and_the_report_says_so(exam, tmp_path):
    header, right = answers(exam, "001")
    _, wrong = answers(exam, "001", typed={c: "0" for c in header[1:]})
    report = grade_build(exam, [submissions(tmp_path / "s.csv", header, [right, wrong])], feedback=())
    assert report.totals["001"][0] == 0.0
    assert report.duplicates[0].endswith("(the latest, as received: no submission time column)")


def test_times_across_two_files_graded_at_different_times_decide_too(exam, tmp_path):
    header, right = answers(exam, "001")
    _, wrong = answers(exam, "001", typed={c: "0" for c in header[1:]})
    grade_build(exam, [submissions(tmp_path / "late.csv", ["Timestamp"] + header, [["2026-12-03 11:00"] + right])],
                feedback=())
    report = grade_build(exam, [submissions(tmp_path / "early.csv", ["Timestamp"] + header,
                                            [["2026-12-03 09:00"] + wrong])], feedback=())
    assert report.totals["001"][0] == 12.0
    assert "graded late.csv row 2 (the latest by its time)" in report.duplicates[0]


LEADING_ZEROS = "student_id,name\n00123,Ada\n123,Alan\n002,Grace\n23012345,Edsger\n"


@pytest.fixture(scope="module")
def zeros_base(tmp_path_factory):
    out, _ = build_exam(tmp_path_factory.mktemp("zeros"), roster=LEADING_ZEROS)
    return out


@pytest.mark.parametrize("typed, credited, note", [
    ("123", None, "may be any of '00123', '123'"),      # Excel dropped 00123's zeros, or it is 123's
    ("00123", "00123", None),                            # zeros kept: not mangled
    ("2", "002", "student id '2' read as '002'"),
    ("2.0", "002", "student id '2.0' read as '002'"),
    ("2.3E+07", "23012345", "student id '2.3e+07' read as '23012345'"),
    ("1.23E+02", None, "may be any of '00123', '123'"),
    ("0123", None, "may be any of '00123', '123'"),       # zeros that fit neither
    ("0002", "002", "student id '0002' read as '002'"),  # one zero too many, or the roster's lost
])
def test_an_id_a_spreadsheet_made_a_number_is_credited_only_when_it_fits_one_student(zeros_base, tmp_path, typed,
                                                                                  credited, note):
    out = tmp_path / "out"
    shutil.copytree(zeros_base, out)
    student = credited or "00123"
    header, row = answers(out, student)
    row[0] = typed
    report = grade_build(out, [submissions(tmp_path / "s.csv", header, [row])], feedback=())
    got = {s for s, (total, _) in report.totals.items() if total > 0}
    assert got == ({credited} if credited else set())
    if credited is None:
        assert len(report.unknown) == 1 and note in report.unknown[0] and "credited to nobody" in report.unknown[0]
        assert report.needs_attention
    elif note:
        assert any(note in n for n in report.notices) and not report.unknown
    else:
        assert not report.notices and not report.unknown


def test_two_id_columns_use_the_one_that_holds_the_roster_and_say_so(exam, tmp_path):
    header, row = answers(exam, "001")
    rows = [["ada@uni.example"] + row]
    report = grade_build(exam, [submissions(tmp_path / "s.csv", ["Student ID"] + header, rows)], feedback=())
    assert report.totals["001"][0] == 12.0
    assert any("the student ids are read from column 'student_id'" in n and "'Student ID' (0)" in n
               for n in report.notices)


def test_two_id_columns_that_do_not_decide_are_refused_naming_both(exam, tmp_path):
    header, row = answers(exam, "001")
    rows = [["ada@uni.example"] + ["x" + row[0]] + row[1:]]
    path = submissions(tmp_path / "s.csv", ["Student ID"] + header, rows)
    status, output = cli("grade", exam, path, "--feedback", "none")
    assert status == 2
    assert (f"error: {path}, row 1: columns 'Student ID' and 'student_id' both name the student id, and neither "
            "holds ids on the roster") in output


def test_a_canvas_export_reads_the_sis_id_not_canvas_own_id(exam, tmp_path):
    header, row = answers(exam, "001")
    rows = [["Ada", "98765", row[0]] + row[1:]]
    report = grade_build(exam, [submissions(tmp_path / "s.csv", ["Student", "ID", "SIS User ID"] + header[1:],
                                            rows)], feedback=())
    assert report.totals["001"][0] == 12.0 and not report.unknown


# -- bytes that are not what they seem ---------------------------------------------------------------

def test_a_stray_nul_in_one_cell_makes_that_answer_invalid_and_the_rest_is_graded(exam, tmp_path):
    h1, r1 = answers(exam, "001", typed={"Q3": "-2.1\x00"})
    _, r2 = answers(exam, "002")
    path = submissions(tmp_path / "s.csv", h1, [r1, r2])
    assert b"\x00" in path.read_bytes()[:4096]
    report = grade_build(exam, [path], feedback=())
    assert report.invalid == ["001 Q3: the answer holds a control character (U+0000)"]
    assert report.totals["001"][0] == 9.0 and report.totals["002"][0] == 12.0


@pytest.mark.parametrize("start, what", [
    (b"SQLite format 3\x00", "an SQLite database"), (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff\xe0", "a JPEG image"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"PK\x05\x06", "an empty zip archive"), (b"{\\rtf1\\ansi", "an RTF document"),
])
def test_a_file_whose_signature_says_what_it_is_is_refused_by_name(tmp_path, start, what):
    path = tmp_path / "s.csv"
    path.write_bytes(start + b"student_id,Q1a\n001,1\n" * 3)
    with pytest.raises(InputError, match=f"this is not a text CSV file but {what}"):
        read_table(path)


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be"])
def test_a_utf32_file_is_read(exam, tmp_path, encoding):
    header, row = answers(exam, "001")
    text = ",".join(header) + "\r\n" + ",".join(f'"{c}"' for c in row) + "\r\n"
    path = tmp_path / "s.csv"
    path.write_bytes((b"\x00\x00\xfe\xff" if encoding == "utf-32-be" else b"") + text.encode(encoding))
    report = grade_build(exam, [path], feedback=())
    assert report.totals["001"][0] == 12.0
    assert report.notices == [f"{path}: read as UTF-32"]


# -- beyond the list: what else instructors' files and students' typing do ----------------------

@pytest.mark.parametrize("typed", ["\u200b001", "001\ufeff", "００１", "'001", "0\u20600\u20601"])
def test_an_id_with_invisible_characters_full_width_digits_or_a_text_mark_is_the_students(exam, tmp_path, typed):
    header, row = answers(exam, "001")
    row[0] = typed  # copied from a web page or PDF, typed on a phone's full-width keyboard, or '001 for Excel
    report = grade_build(exam, [submissions(tmp_path / "s.csv", header, [row])], feedback=())
    assert report.totals["001"][0] == 12.0 and not report.unknown
    assert any(f"student id {typed!r} read as '001'" in n for n in report.notices)


def test_the_header_row_again_in_the_middle_is_named_as_such(exam, tmp_path):
    header, row = answers(exam, "001")
    _, other = answers(exam, "002")
    path = submissions(tmp_path / "joined.csv", header, [row, header, other])  # two exports pasted together
    report = grade_build(exam, [path], feedback=())
    assert report.totals["001"][0] == report.totals["002"][0] == 12.0
    assert report.unknown == [f"{path}, row 3: student id 'student_id' is not on the roster (the header row again? "
                              "files joined together?)"]


@pytest.mark.parametrize("student_id", ["1.23E+05", "2.0", "7e3"])
def test_a_roster_whose_ids_a_spreadsheet_rewrote_as_numbers_is_refused(tmp_path, student_id):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"student_id,name\n001,Ada\n{student_id},Alan\n")
    with pytest.raises(InputError, match=r"roster.csv, row 3, column 'student_id': student id .* is a number as a "
                                         r"spreadsheet rewrites one"):
        load_roster(roster)


def test_a_roster_name_with_a_control_character_is_refused_and_a_line_break_is_a_space(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text('student_id,name\n001,"Ada\nLovelace"\n002,Al\x00an\n')
    with pytest.raises(InputError) as caught:
        load_roster(roster)
    assert str(caught.value) == (f"{roster}, row 3, column 'name': the name holds a control character (U+0000): a "
                                 "damaged file? it would be printed on the papers")
    roster.write_text('student_id,name\n001,"Ada\nLovelace"\n')
    assert [s.name for s in load_roster(roster)[0]] == ["Ada Lovelace"]


def test_the_blank_answer_sheet_graded_by_mistake_is_refused(exam):
    sheet = exam / "answer-sheet.csv"
    status, output = cli("grade", exam, sheet, "--feedback", "none")
    assert status == 2
    assert output.strip() == f"error: {sheet}: has 3 rows but not one answer (the blank answer sheet?)"
    assert not (exam / "grades.csv").exists()


def test_when_some_submissions_have_no_readable_time_the_order_received_decides_and_says_why(exam, tmp_path):
    header, right = answers(exam, "001")
    _, wrong = answers(exam, "001", typed={c: "0" for c in header[1:]})
    rows = [["2026-12-03 10:30"] + right, ["yesterday"] + wrong]
    report = grade_build(exam, [submissions(tmp_path / "s.csv", ["Timestamp"] + header, rows)], feedback=())
    assert report.totals["001"][0] == 0.0
    assert report.duplicates[0].endswith("(the latest, as received: not every one has a time that can be read)")


def test_a_file_from_an_old_mac_with_carriage_returns_only_is_graded(exam, tmp_path):
    header, row = answers(exam, "001")
    path = tmp_path / "mac.csv"
    path.write_bytes(("\r".join([",".join(header), ",".join(f'"{c}"' for c in row)]) + "\r").encode())
    assert grade_build(exam, [path], feedback=()).totals["001"][0] == 12.0


def test_two_id_columns_that_agree_are_read_with_a_note(exam, tmp_path):
    header, row = answers(exam, "001")
    report = grade_build(exam, [submissions(tmp_path / "s.csv", ["Student ID"] + header, [[" 001"] + row])],
                         feedback=())
    assert report.totals["001"][0] == 12.0
    assert any("the student ids are read from column 'Student ID'" in n and "not from 'student_id' (1)" in n
               for n in report.notices)


def test_an_override_takes_the_id_as_grades_csv_shows_it(tmp_path):
    out, _ = build_exam(tmp_path, roster="student_id,name\n001,Ada\n-rf,Eve\n")
    header, row = answers(out, "-rf")
    grade_build(out, [submissions(tmp_path / "s.csv", header, [row])], feedback=())
    # `quizgen override DIR -rf ...` reads -rf as options: grades.csv's '-rf is the way to type it
    status, output = cli("override", out, "'-rf", "Q3", "0", "--reason", "disputed")
    assert status == 0, output
    grades = {r["student_id"]: r for _, r in read_table(out / "grades.csv").rows}
    assert grades["'-rf"]["Q3"] == "0.0" and "override" in grades["'-rf"]["status"]


def test_a_secret_path_through_a_file_is_refused_not_a_crash(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / "spec.toml").write_text(SPEC)
    (tmp_path / "roster.csv").write_text(ROSTER)
    status, output = cli("build", tmp_path / "spec.toml", "--roster", tmp_path / "roster.csv", "--out",
                         tmp_path / "out", "--secret-file", tmp_path / "afile" / "s", "--format", "none")
    assert status == 2, output
    secret = tmp_path / "afile" / "s"
    assert output.strip() == f"error: {secret}: cannot be made: a part of its path is a file, not a folder"
    assert not (tmp_path / "out").exists()
