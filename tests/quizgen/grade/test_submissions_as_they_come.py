"""grade takes what LMSes and forms hand back (issue 19): an .xlsx from Microsoft Forms, a Moodle or
Canvas "download all submissions" zip of the files the HTML papers save, a folder; and a row whose
variant code is another paper's needs attention and is not credited."""

import csv
import io
import zipfile

import pytest

from quizgen.builddir import BuildDir
from quizgen.grade.run import grade_build
from quizgen.tables import read_table
from tests.quizgen.grade.exams import build_exam

SPEC = """
title = "Collected quiz"
exam_id = "collected-quiz"

[[section]]
title = "Numeric"
ids = ["rnn.forward_two_steps", "cnn.conv_output_shape"]
points = 4
"""


@pytest.fixture
def built(tmp_path):
    out = build_exam(tmp_path, SPEC, students=("001", "002", "003"))
    key = read_table(out / "key.csv")
    codes = {s["id"]: s["variant_code"] for s in BuildDir(out).manifest()["students"]}
    return out, key, codes


def answer_file(key, sid, code, when="2026-12-03T10:00:00.000Z") -> str:
    """The file a student's HTML paper saves, made here from key.csv."""
    row = next(r for _, r in key.rows if r["student_id"] == sid)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student_id", "name", "variant_code", "submitted_at"] + key.header[2:])
    writer.writerow([sid, row["name"], code, when] + [row[c] for c in key.header[2:]])
    return out.getvalue()


def full_marks(report, students):
    return all(report.totals[s][0] == report.totals[s][1] for s in students)


def test_a_moodle_download_all_zip_and_a_folder_are_graded(built, tmp_path):
    out, key, codes = built
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for sid, name in (("001", "Ada"), ("002", "Alan")):
            z.writestr(f"{name}_{sid}9_assignsubmission_file/answers-collected-quiz-{sid}.csv",
                       answer_file(key, sid, codes[sid]))
        z.writestr("__MACOSX/._junk.csv", "junk")
    folder = tmp_path / "late"
    folder.mkdir()
    (folder / "answers-collected-quiz-003.csv").write_text(answer_file(key, "003", codes["003"]))
    report = grade_build(out, [archive, folder], feedback=())
    assert report.unknown == [] and report.invalid == [] and report.wrong_paper == []
    assert full_marks(report, ("001", "002", "003")) and report.graded == 3


def test_an_xlsx_from_microsoft_forms_is_graded(built, tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl (a test extra) is not installed")
    out, key, _ = built
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "Student ID"] + key.header[2:])
    for n, (_, row) in enumerate(key.rows, start=1):
        cells = []
        for column in key.header[2:]:
            text = row[column]
            try:  # a number typed into Forms lands in Excel as a number
                cells.append(float(text))
            except ValueError:
                cells.append(text)
        sheet.append([n, None, None, f"s{n}@x.edu", row["name"], row["student_id"]] + cells)
    book.save(tmp_path / "Forms responses.xlsx")
    report = grade_build(out, [tmp_path / "Forms responses.xlsx"], feedback=())
    assert report.unknown == [] and report.invalid == [], report.unknown + report.invalid
    assert full_marks(report, ("001", "002", "003"))


def test_another_papers_variant_code_needs_attention_and_is_not_credited(built, tmp_path):
    out, key, codes = built
    (tmp_path / "a.csv").write_text(answer_file(key, "001", codes["002"]))  # 001 filled in 002's paper
    (tmp_path / "b.csv").write_text(answer_file(key, "002", codes["002"].lower()))  # the code typed in lower case
    report = grade_build(out, [tmp_path / "a.csv", tmp_path / "b.csv"], feedback=())
    assert report.needs_attention
    assert len(report.wrong_paper) == 1 and codes["002"] in report.wrong_paper[0] and "001" in report.wrong_paper[0]
    assert "001" in " ".join(report.missing_students) and full_marks(report, ("002",))
    assert "not this student's paper" in (out / "needs-attention.txt").read_text()


def test_a_zip_of_30_saved_files_is_graded_in_one_call(tmp_path):
    students = tuple(f"{n:03d}" for n in range(1, 31))
    out = build_exam(tmp_path, SPEC, students=students)
    key = read_table(out / "key.csv")
    codes = {s["id"]: s["variant_code"] for s in BuildDir(out).manifest()["students"]}
    archive = tmp_path / "canvas.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for n, sid in enumerate(students):
            z.writestr(f"student{sid}_{7000 + n}_{9000 + n}_answers-collected-quiz-{sid}.csv",
                       answer_file(key, sid, codes[sid]))
    report = grade_build(out, [archive], feedback=())
    assert report.graded == 30 and not report.needs_attention
    assert full_marks(report, students)
