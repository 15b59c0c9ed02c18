"""quizgen answer-sheet: the files for collecting answers outside quizgen name the exam's own codes."""

import pytest

from quizgen.errors import InputError
from quizgen.grade.collect import write_answer_sheet
from quizgen.tables import read_table
from tests.quizgen.grade.exams import build_exam

SPEC = """
title = "Collect quiz"
exam_id = "collect-quiz"

[[section]]
title = "Numeric"
ids = ["rbm.cd1_update", "cnn.conv_output_shape"]
points = 4

[[section]]
title = "As choices"
ids = ["rnn.forward_two_steps"]
form = "choice"

[[section]]
title = "Essay"
ids = ["cnn.concept.explain_lenet_alexnet"]
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_exam(tmp_path_factory.mktemp("collect"), SPEC, students=("001", "002"))


def test_columns_csv_lists_every_blank_of_the_answer_sheet_with_what_to_type(built):
    report = write_answer_sheet(built)
    columns = read_table(report.out / "columns.csv")
    sheet = read_table(built / "answer-sheet.csv").header[2:]
    assert [row["column"] for _, row in columns.rows] == sheet
    typing = {row["column"]: row["what to type"] for _, row in columns.rows}
    assert typing["Q1e"] == "a 3x2 matrix, rows separated by ';'"
    assert typing["Q3a"].startswith("one letter, A to ")  # a numeric part asked as a choice
    assert typing[sheet[-1]] == "a written answer, graded by hand"
    points = {row["column"]: float(row["points"]) for _, row in columns.rows}
    assert sum(points[c] for c in sheet if c.startswith("Q1")) == 4


def test_the_form_and_assignment_pages_name_the_codes_and_the_file_the_paper_saves(built, tmp_path):
    report = write_answer_sheet(built, tmp_path / "sheet", formats=("form", "moodle", "canvas"))
    form = (tmp_path / "sheet" / "form.md").read_text()
    assert "**Student ID**" in form and "**Q1a**" in form and "(paragraph)" in form
    for lms in ("moodle", "canvas"):
        page = (tmp_path / "sheet" / f"assignment-{lms}.html").read_text()
        assert "answers-collect-quiz-&lt;your id&gt;.csv" in page and "<code>Q3a</code>" in page
    assert len(report.files) == 3 and not (tmp_path / "sheet" / "columns.csv").exists()


def test_nothing_is_replaced_without_force_and_an_unknown_format_is_refused(built, tmp_path):
    write_answer_sheet(built, tmp_path / "a", formats=("form",))
    with pytest.raises(InputError, match="exists; add --force"):
        write_answer_sheet(built, tmp_path / "a", formats=("form",))
    write_answer_sheet(built, tmp_path / "a", formats=("form",), force=True)
    with pytest.raises(InputError, match="unknown format pdf"):
        write_answer_sheet(built, tmp_path / "b", formats=("pdf",))
