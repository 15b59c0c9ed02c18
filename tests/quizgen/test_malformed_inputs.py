"""Issue 6: the malformed files people really send (tests/data/submissions, tests/data/rosters).

Every file gets its specific message (file, row, column) or its specific lenient outcome; grading a
bad file after a good one loses nothing already in the gradebook, and a refused file adds nothing.
The files are written by tests/data/submissions/regenerate.py against the exam built here (fixed
spec, roster and secret); the 50 MB file is made in a temporary folder, never committed.
"""

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from quizgen.grade.run import grade_build
from quizgen.papers.builder import build
from quizgen.cli import main
from quizgen.errors import InputError
from quizgen.tables import read_table, submissions_limit
from quizgen.grade.gradebook import FILE_NAME, Gradebook
from quizgen.papers.spec import normalise_id
from quizgen.papers.spec import load_roster

DATA = Path(__file__).parents[1] / "data"
SUBS, ROSTERS = DATA / "submissions", DATA / "rosters"
SPEC = """
title = "Malformed inputs quiz"
exam_id = "malformed-quiz"
[[section]]
title = "A"
ids = ["rnn.forward_two_steps", "cnn.conv_output_shape", "dbm.energy", "lstm.concept.forget_gate_role"]
points = 3
"""
ROSTER = "student_id,name\n001,Ada\n002,Alan\nAB3,Grace\n"
FULL = {"001": 12.0, "002": 12.0, "AB3": 12.0}

# refused files: (file, the message after "path[, row N][, column 'C']: ", row)
FATAL = {
    "empty.csv": ("the file is empty", None),
    "header_only.csv": ("has a header but no rows (the blank answer sheet?)", None),
    "unterminated_quote.csv": ('a quoted cell starting on this row is never closed (a stray " ?)', 3),
    "text_after_quote.csv": ('text follows a closing quote; inside a quoted cell write a quote as ""', 2),
    "duplicate_header.csv": ("the header names column 'Q1a' twice (columns 3 and 9)", 1),
    "duplicate_header_variant.csv": ("columns 'Q1a' and 'Q1 A' are both answer blank Q1a", 1),
    # a workbook is read (issue 19); this one is damaged (a workbook.xml with no sheets)
    "xlsx_renamed.csv": ("the workbook cannot be read (Cannot detect file format); save it again or as 'CSV UTF-8'",
                         None),
    "xls_renamed.csv": ("this is not a text CSV file but an Excel 97-2003 workbook (.xls); save it as "
                        "'CSV UTF-8'", None),
    "html_error_page.csv": ("this is a web page (HTML), not a CSV file (titled 'Session expired - Moodle'): "
                            "the download failed? download the CSV again", None),
    "binary_junk.csv": ("this is not a text CSV file (it contains NUL bytes: a binary file?); save it as "
                        "'CSV UTF-8'", None),
    "utf16_no_bom.csv": ("looks like UTF-16 or UTF-32 text without a byte-order mark; save it as 'CSV UTF-8'", None),
    "non_utf8_undecodable.csv": ("byte 0x81 is neither UTF-8 nor Windows-1252 text; save the file as "
                                 "'CSV UTF-8'", 3),
    "bom_then_cp1252.csv": ("starts with a UTF-8 mark but byte 0xe9 is not UTF-8", 2),
    "other_exam_columns.csv": ("none of the answer columns (Q1a, Q1b, Q2a, Q2b, ...) is in the header; is "
                               "this a submission file for this exam?", 1),
    "other_quizgen_exam.csv": ("has answer columns Q1, Q2, Q5 that this exam does not have, and lacks Q1a, "
                               "Q1b, Q2a, Q2b, Q4: a submission file for another exam?", 1),
    "title_line_above_header.csv": ("holds only 'Quiz results export 2026-12-01' but row 2 has 8 cells: is "
                                    "row 1 a title above the header? delete it", 1),
    "no_header_row.csv": ("no student id column (student_id, id, username, ...); the header has 001, Ada, "
                          "[0.3452, -0.7699], [-0.4068, -0.9053], (8, 23, 23), 6408, -2.1000, C (the first "
                          "row looks like answers: is the header row missing?)", 1),
    "no_id_column.csv": ("no student id column (student_id, id, username, ...); the header has name, Q1a, "
                         "Q1b, Q2a, Q2b, Q3, Q4", 1),
}


def where(path, row=None, column=None):
    return f"{path}" + (f", row {row}" if row else "") + (f", column {column!r}" if column else "")


# read and graded: (scores, notice substring, attention items as {report field: [substrings]})
LENIENT = {
    "bom_utf8.csv": (FULL, None, {}),
    "semicolon_decimal_comma.csv": (FULL, None, {}),
    "windows1252.csv": (FULL, "not UTF-8 (first at row 2); read as Windows-1252", {}),
    "tab_delimited.csv": (FULL, None, {}),
    "utf16_unicode_text.csv": (FULL, "read as UTF-16 (Excel 'Unicode Text')", {}),
    "extra_columns_any_order.csv": (FULL, None, {}),
    "ids_spaces_case_zeros.csv": (FULL, None, {}),
    "sep_line_excel.csv": (FULL, "row 1 is Excel's 'sep=;' line; the header is row 2", {}),
    "trailing_empty_columns.csv": (FULL, None, {}),
    "quoted_commas_newlines.csv": ({"001": 12.0, "002": 12.0, "AB3": 0.0}, None, {
        "unknown": ["quoted_commas_newlines.csv, row 4: student id '999' is not on the roster"],
        "missing_students": ["AB3"]}),
    "excel_formulas.csv": ({"001": 0.0, "002": 0.0, "AB3": 0.0}, None, {
        "invalid": ["001 Q1a: expected 2 numbers, got 1", "001 Q1b: expected 2 numbers, got 1",
                    "001 Q2a: \"+cmd|' /C calc'!A0\" is not a shape", "001 Q2b: '=6408' is not a whole number",
                    "001 Q3: '=-2.1' is not a number", "001 Q4: '=HYPERLINK("],
        "missing_students": ["002", "AB3"]}),
    "duplicate_ids.csv": ({"001": 12.0, "002": 0.0, "AB3": 0.0}, None, {
        "duplicates": ["001: 3 submissions (duplicate_ids.csv row 2, duplicate_ids.csv row 3, duplicate_ids.csv "
                       "row 4); graded duplicate_ids.csv row 4 (the latest, as received: no submission time column)"],
        "missing_students": ["002", "AB3"]}),
    # '1' is 001's id after a spreadsheet dropped its zeros (issue 16): credited to 001, with a note
    "unknown_ids.csv": ({"001": 12.0, "002": 0.0, "AB3": 0.0}, ", row 4: student id '1' read as '001' (a "
                        "spreadsheet made the id a number and dropped its leading zeros)", {
        "unknown": ["unknown_ids.csv, row 3: student id '999' is not on the roster",
                    "unknown_ids.csv, row 5: the student id is empty"],
        "duplicates": ["001: 2 submissions (unknown_ids.csv row 2, unknown_ids.csv row 4); graded unknown_ids.csv "
                       "row 4 (the latest, as received"],
        "missing_students": ["002", "AB3"]}),
    "truncated_rows.csv": ({"001": 12.0, "002": 1.5, "AB3": 0.0}, None, {
        "missing_columns": ["truncated_rows.csv, row 3: only 3 of 8 cells (cut short?); Q1b, Q2a, Q2b, Q3, Q4 "
                            "graded as blank"],
        "invalid": ["truncated_rows.csv, row 4: is cut short inside a quoted cell (the file is truncated?); the "
                    "row is not graded"],
        "missing_students": ["AB3"]}),
    "too_many_cells.csv": ({"001": 12.0, "002": 0.0, "AB3": 12.0}, None, {
        "invalid": ["too_many_cells.csv, row 3: has 9 cells but the header has 8 (an unquoted ',' inside a cell, "
                    "like a decimal comma?); the row is not graded"],
        "missing_students": ["002"]}),
    "mixed_delimiters.csv": ({"001": 12.0, "002": 12.0, "AB3": 0.0}, None, {
        "invalid": ["mixed_delimiters.csv, row 4: separates cells with ';' but the header uses ','; the row is "
                    "not graded"],
        "missing_students": ["AB3"]}),
    "missing_column.csv": ({"001": 9.0, "002": 9.0, "AB3": 9.0}, None, {
        "missing_columns": ["missing_column.csv: no column Q4 (graded as blank)"]}),
}
ATTENTION_FIELDS = ("unknown", "duplicates", "missing_columns", "missing_students", "invalid")


def _build(root: Path, name: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "spec.toml").write_text(SPEC)
    (root / "roster.csv").write_text(ROSTER)
    secret = root / "keys" / "exam.secret"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text("5" * 64 + "\n")
    secret.chmod(0o600)
    build(root / "spec.toml", root / "roster.csv", root / name, secret_file=secret, formats=(), quiet=True)
    return root / name


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    """(a built exam, the same exam with good.csv graded): copied per test."""
    root = tmp_path_factory.mktemp("malformed")
    fresh = _build(root, "fresh")
    key = [(r["student_id"], [v for k, v in r.items() if k.startswith("Q")]) for _, r in read_table(fresh / "key.csv").rows]
    good = [(r["student_id"], [v for k, v in r.items() if k.startswith("Q")]) for _, r in read_table(SUBS / "good.csv").rows]
    assert key == good, "the exam's key changed: run python tests/data/submissions/regenerate.py with the new key"
    graded = root / "graded"
    shutil.copytree(fresh, graded)
    report = grade_build(graded, [SUBS / "good.csv"])
    assert not report.needs_attention and report.totals == {s: (12.0, 12.0) for s in FULL}
    return fresh, graded


@pytest.fixture
def exam(bases, tmp_path):
    """A copy of the exam with good.csv already graded, and a copy of the fresh one."""
    shutil.copytree(bases[1], tmp_path / "graded")
    shutil.copytree(bases[0], tmp_path / "fresh")
    return tmp_path / "graded", tmp_path / "fresh"


def snapshot(out: Path) -> dict:
    with Gradebook(out / FILE_NAME) as book:
        tables = {t: [tuple(r) for r in book.db.execute(f"SELECT * FROM {t} ORDER BY rowid")]
                  for t in ("exam", "source", "submission", "run", "score", "override")}
    return tables | {"grades.csv": (out / "grades.csv").read_bytes() if (out / "grades.csv").exists() else None}


def run_cli(out: Path, *paths):
    result = CliRunner().invoke(main, ["grade", str(out)] + [str(p) for p in paths])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_the_data_folders_hold_the_files_the_issue_asks_for():
    subs = sorted(p.name for p in SUBS.glob("*.csv"))
    rosters = sorted(p.name for p in ROSTERS.glob("*.csv"))
    assert len(subs) >= 18 and len(rosters) >= 7 and len(subs) + len(rosters) >= 25
    assert set(subs) == set(FATAL) | set(LENIENT) | {"good.csv"}
    assert set(rosters) == set(ROSTER_FATAL) | set(ROSTER_LENIENT)
    assert max(p.stat().st_size for p in DATA.glob("*/*.csv")) < 10_000  # the 50 MB file is made in tmp


@pytest.mark.parametrize("name", sorted(FATAL))
def test_a_refused_submissions_file_names_the_place_and_adds_nothing(exam, name):
    graded, fresh = exam
    path = SUBS / name
    message, row = FATAL[name]
    before = snapshot(graded)
    with pytest.raises(InputError) as caught:
        grade_build(graded, [path])
    assert str(caught.value) == f"{where(path, row)}: {message}"
    assert snapshot(graded) == before
    # in a batch with a new, good file: the whole command is refused, nothing is stored
    with pytest.raises(InputError, match=re.escape(name)):
        grade_build(graded, [SUBS / "bom_utf8.csv", path])
    assert snapshot(graded) == before
    result = run_cli(fresh, path)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: {where(path, row)}: {message}"]


@pytest.mark.parametrize("name", sorted(LENIENT))
def test_a_file_read_leniently_is_graded_and_keeps_the_gradebook(exam, name):
    graded, fresh = exam
    path = SUBS / name
    scores, notice, attention = LENIENT[name]
    before = snapshot(graded)
    report = grade_build(graded, [path])
    after = snapshot(graded)
    for table in ("exam", "source", "submission", "run", "score", "override"):
        assert after[table][: len(before[table])] == before[table], table  # nothing earlier lost or changed
    assert len(after["source"]) == len(before["source"]) + 1 and len(after["run"]) == len(before["run"]) + 1
    # graded alone, on the exam with nothing graded before: the file's own outcome
    report = grade_build(fresh, [path])
    assert {s: e for s, (e, _) in report.totals.items()} == scores
    if notice:  # a notice of the file, or (starting ", row N") of one of its rows
        assert report.notices == [f"{path}{notice}" if notice.startswith(",") else f"{path}: {notice}"]
    else:
        assert report.notices == []
    for field in ATTENTION_FIELDS:
        expected = attention.get(field, [])
        got = getattr(report, field)
        assert len(got) == len(expected) and all(e in g for e, g in zip(expected, got)), (field, got)
    result = run_cli(fresh, path)  # the same file again: not stored twice, same exit status
    assert "already graded, not stored again" in result.output
    assert result.exit_code == (1 if attention else 0), result.output


def test_rows_the_reader_forgives_keep_their_text(exam):
    graded, fresh = exam
    grade_build(fresh, [SUBS / "quoted_commas_newlines.csv", SUBS / "ids_spaces_case_zeros.csv",
                        SUBS / "excel_formulas.csv", SUBS / "semicolon_decimal_comma.csv"])
    with Gradebook(fresh / FILE_NAME) as book:
        subs = {(r["file_name"], r["row_number"]): r for r in book.submissions()}
        scores = {(r["student_id"], r["column_name"]): r for r in book.scores(book.latest_run()["id"])}
    assert subs[("ids_spaces_case_zeros.csv", 3)]["student_raw"] == "0 02"
    assert [subs[("ids_spaces_case_zeros.csv", n)]["student_id"] for n in (2, 3, 4)] == ["001", "002", "ab3"]
    assert '"Q3": "-2,1000"' in subs[("semicolon_decimal_comma.csv", 2)]["cells"]
    assert '"Q1a": "=1+1"' in subs[("excel_formulas.csv", 2)]["cells"]  # stored as typed, never run
    assert scores[("002", "Q3")]["status"] == "correct" and scores[("002", "Q3")]["response"] == "1,5000"
    grades = (fresh / "grades.csv").read_text()
    assert "=1+1" not in grades and "cmd" not in grades


def test_a_50_mb_submissions_file_is_refused_before_it_is_read(exam, tmp_path):
    graded, fresh = exam
    row = '001,Ada,"[0.3452, -0.7699]","[-0.4068, -0.9053]","(8, 23, 23)",6408,-2.1000,A\r\n'
    big = tmp_path / "export_50mb.csv"
    with big.open("w", newline="") as handle:
        handle.write("student_id,name,Q1a,Q1b,Q2a,Q2b,Q3,Q4\r\n")
        handle.write(row * (50 * 2**20 // len(row) + 1))
    assert big.stat().st_size > 50 * 2**20 > submissions_limit(3, 6)
    before = snapshot(graded)
    message = (f"{big}: the file is 50.0 MB; at most 1.0 MB is read for 3 students x 6 answer blanks "
               f"(is it the right file?)")
    with pytest.raises(InputError) as caught:
        grade_build(graded, [big])
    assert str(caught.value) == message and snapshot(graded) == before
    result = run_cli(fresh, big)
    assert result.exit_code == 2 and result.output.strip().splitlines() == [f"error: {message}"]


# rosters: refused with (message, row, column), or read with (ids and names, notice)
ROSTER_FATAL = {
    "duplicate_ids.csv": ("student id 'ab3' is already on row 3", 4, "student_id"),
    "empty_id.csv": ("the student id is empty", 3, "student_id"),
    "bad_id_chars.csv": ("student id '../002' has characters that cannot be a file name (use letters, digits, "
                         ". _ @ + -)", 3, "student_id"),
    "no_id_column.csv": ("no student id column (one of: student_id, student id, id, studentid); the header has "
                         "Name, Email", 1, None),
    "header_only.csv": ("the roster has no students", None, None),
    "too_many_cells.csv": ("has 3 cells but the header has 2 (an unquoted ',' inside a cell, like a decimal "
                           "comma?)", 3, None),
    "xlsx_renamed.csv": ("the workbook cannot be read (Cannot detect file format); save it again or as 'CSV UTF-8'",
                         None, None),
    "html_login_page.csv": ("this is a web page (HTML), not a CSV file (titled 'Sign in'): the download failed? "
                            "download the CSV again", None, None),
    "unterminated_quote.csv": ('a quoted cell starting on this row is never closed (a stray " ?)', 2, None),
    "duplicate_header.csv": ("the header names column 'Name' twice (columns 2 and 3)", 1, None),
    "empty.csv": ("the file is empty", None, None),
}
ROSTER_LENIENT = {
    "bom_semicolon.csv": ([("001", "Ada"), ("002", "Alan"), ("AB3", "Grace")], None),
    "windows1252_names.csv": ([("001", "Zoë Brontë"), ("002", "Renée – Ñúñez")],
                              "not UTF-8 (first at row 2); read as Windows-1252"),
    "utf16_unicode_text.csv": ([("001", "Ada"), ("002", "Alan")], "read as UTF-16 (Excel 'Unicode Text')"),
    "first_last_extra_columns.csv": ([("007", "Ada Lovelace"), ("0042", "Alan Turing")], None),
    "formula_names.csv": ([("001", '=HYPERLINK("http://x.example","click")'), ("002", "@SUM(A1:A2)"),
                           ("003", "+cmd")], None),
    "sep_line_excel.csv": ([("001", "Ada"), ("002", "Alan")], "row 1 is Excel's 'sep=;' line; the header is row 2"),
}


@pytest.mark.parametrize("name", sorted(ROSTER_FATAL))
def test_a_refused_roster_names_the_place(name, tmp_path):
    path = ROSTERS / name
    message, row, column = ROSTER_FATAL[name]
    with pytest.raises(InputError) as caught:
        load_roster(path)
    assert str(caught.value) == f"{where(path, row, column)}: {message}"
    (tmp_path / "spec.toml").write_text(SPEC)
    result = CliRunner().invoke(main, ["build", str(tmp_path / "spec.toml"), "--roster", str(path), "--out",
                                       str(tmp_path / "out"), "--secret-file", str(tmp_path / "k" / "s")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip().splitlines() == [f"error: {where(path, row, column)}: {message}"]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("name", sorted(ROSTER_LENIENT))
def test_a_roster_read_leniently(name):
    path = ROSTERS / name
    expected, notice = ROSTER_LENIENT[name]
    students, notices = load_roster(path)
    assert [(s.id, s.name) for s in students] == expected
    assert notices == ([f"{path}: {notice}"] if notice else [])


def test_a_roster_with_formulas_is_written_neutralised(tmp_path):
    root = tmp_path
    (root / "spec.toml").write_text(SPEC)
    secret = root / "keys" / "s"
    build(root / "spec.toml", ROSTERS / "formula_names.csv", root / "out", secret_file=secret, formats=(),
          quiet=True)
    names = [r["name"] for _, r in read_table(root / "out" / "key.csv").rows]
    assert names == ["'=HYPERLINK(\"http://x.example\",\"click\")", "'@SUM(A1:A2)", "'+cmd"]



@given(st.text(alphabet=st.characters(), max_size=12))
def test_student_ids_compare_without_any_whitespace_or_case(raw):
    assert normalise_id(raw) == re.sub(r"\s+", "", raw).casefold()  # the regex's whitespace, every code point
    assert normalise_id(f"\u00a0{raw}\u2003\t ") == normalise_id(raw)
    assert normalise_id(" 00 12\tAb ") == "0012ab"
