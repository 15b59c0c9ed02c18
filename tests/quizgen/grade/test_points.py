"""Points are exact: a question's points split over its parts add up on the paper, and grades.csv,
the terminal, regrade and the report give the same totals (overrides applied), rounded only once.

Every expected figure is worked out by hand here from the rule the README states (quarter points,
the leftover quarters to the largest remainders, the later part first): nothing below asks quizgen
for the split it makes.
"""

import csv
import io
import re
from fractions import Fraction

import pytest
from click.testing import CliRunner

from quizgen.builddir import BuildDir
from quizgen.cli import main
from quizgen.errors import InputError
from quizgen.grade.report import analyse
from quizgen.grade.run import grade_build, override
from tests.quizgen.grade.exams import build_exam
from quizgen.papers.spec import load_spec
from quizgen.tables import read_table

# two questions of three equally weighted parts with whole-number answers (the key is typed as is)
SPEC = """
title = "Exact points"
exam_id = "exact-points"
[[section]]
title = "Four over three"
ids = ["cnn.conv_params_macs"]
points = 4
[[section]]
title = "Five over three"
ids = ["cnn.pool_output_shape"]
points = 5
"""
# by hand: 4 points = 16 quarters, 16/3 = 5 1/3 each: 5, 5, 5 and the one quarter left to the last part
Q1 = {"Q1a": 1.25, "Q1b": 1.25, "Q1c": 1.5}
# 5 points = 20 quarters, 20/3 = 6 2/3 each: 6, 6, 6 and the two left to the last two parts
Q2 = {"Q2a": 1.5, "Q2b": 1.75, "Q2c": 1.75}
POSSIBLE = 9


@pytest.fixture
def exam(tmp_path):
    return build_exam(tmp_path, SPEC, students=("001", "002", "003", "004"), formats=("html",))


def test_split_points_by_hand():
    from quizgen.papers.exam import split_points

    assert split_points(4, [1, 1, 1]) == [1.25, 1.25, 1.5]
    assert split_points(5, [1, 1, 1]) == [1.5, 1.75, 1.75]
    assert split_points(6, [1, 1, 1]) == [2, 2, 2]             # an exact share stays exact
    assert split_points(5, [1, 1, 2]) == [1.25, 1.25, 2.5]     # the template's weights, exactly
    assert split_points(4, [2, 1]) == [2.75, 1.25]             # 8/3 and 4/3: 10 2/3 and 5 1/3 quarters
    assert split_points(4, [1, 1, 1, 2]) == [0.75, 0.75, 0.75, 1.75]  # 3.2, 3.2, 3.2, 6.4 quarters
    assert split_points(1, [1] * 5) == [0.2] * 5               # a quarter each is not enough: hundredths
    assert split_points(0.3, [1, 1]) == [0.15, 0.15]           # not a whole number of quarters: hundredths
    assert split_points(0.5, [1, 1, 1]) == [0.16, 0.17, 0.17]
    for total, weights in ((4, [1, 1, 1]), (8, [1, 1, 1, 1, 2]), (10, [1, 1, 1]), (7.5, [2, 1, 1])):
        shares = split_points(total, weights)
        assert sum(Fraction(s) for s in shares) == Fraction(total)
        assert all((Fraction(s) * 4).denominator == 1 for s in shares)  # quarters: exact in binary too
    with pytest.raises(ValueError, match="hundredths over 3 parts"):
        split_points(0.02, [1, 1, 1])


def test_points_finer_than_hundredths_are_refused_with_the_reason(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(SPEC.replace("points = 4", "points = 1.333"))
    with pytest.raises(InputError, match=r"'points' = 1.333: points are written in hundredths at most"):
        load_spec(path)


def test_four_points_over_three_parts_print_parts_that_add_up_to_four(exam):
    for paper in sorted((exam / "exams").glob("*.html")):
        html = paper.read_text()
        q1 = html[html.index(">Question 1 "):html.index(">Question 2 ")]
        printed = re.findall(r'class="pts">\(([^)]*)\)<', q1)
        assert printed[0] == "4 points" and printed[1:] == ["1.25", "1.25", "1.5"], printed
        assert sum(Fraction(p) for p in printed[1:]) == 4 and "1.33" not in printed
    students = BuildDir(exam).manifest()["students"]
    assert len(students) == 4
    for student in students:
        assert [{p["column"]: p["points"] for p in q["parts"]} for q in student["questions"]] == [Q1, Q2]


def grades(out):
    return {r["student_id"]: r for _, r in read_table(out / "grades.csv").rows}


def submissions(exam, blanks: dict, path):
    """key.csv's rows with the ``blanks`` (student -> columns left blank), students not named left out."""
    table = read_table(exam / "key.csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header)
    for _, row in table.rows:
        if row["student_id"] in blanks:
            writer.writerow(["" if h in blanks[row["student_id"]] else row[h] for h in table.header])
    path.write_text(buffer.getvalue())
    return path


def decimals(cell: str) -> int:
    return len(cell.split(".")[1].rstrip("0")) if "." in cell else 0


def test_a_class_graded_from_the_key_scores_exactly_and_no_cell_needs_more_than_two_decimals(exam, tmp_path):
    blanks = {"001": [], "002": ["Q1c", "Q2a"], "003": ["Q1a"], "004": ["Q1a", "Q1b", "Q2c"]}
    grade_build(exam, [submissions(exam, blanks, tmp_path / "s.csv")], feedback=())
    g = grades(exam)
    assert float(g["Points Possible"]["total"]) == POSSIBLE
    assert float(g["001"]["total"]) == POSSIBLE                       # the key scores the points possible
    assert float(g["002"]["total"]) == POSSIBLE - 1.5 - 1.5           # 6
    assert float(g["003"]["total"]) == POSSIBLE - 1.25                # 7.75
    assert float(g["004"]["total"]) == POSSIBLE - 1.25 - 1.25 - 1.75  # 4.75
    assert (float(g["002"]["Q1"]), float(g["003"]["Q1"]), float(g["004"]["Q2"])) == (2.5, 2.75, 3.25)
    for student, row in g.items():
        for column in ("Q1", "Q2", "total"):
            assert decimals(row[column]) <= 2, (student, column, row[column])


def test_an_override_of_half_a_point_makes_the_total_a_half(exam, tmp_path):
    grade_build(exam, [submissions(exam, {"002": ["Q1c", "Q2a"], "003": ["Q1a", "Q2a", "Q2b"]},
                                   tmp_path / "s.csv")], feedback=())
    override(exam, "002", "Q1c", 0.5, "working shown")
    assert grades(exam)["002"]["total"] == "6.5"                      # 9 - 1.5 - 1.5 + 0.5
    for column in ("Q1a", "Q2a", "Q2b"):                              # tenths add to tenths, not 0.30000000000000004
        override(exam, "003", column, 0.1, "partial")
    assert grades(exam)["003"]["total"] == "4.8"                      # 9 - 1.25 - 1.5 - 1.75 + 0.3
    assert grades(exam)["003"]["Q2"] == "1.95"                        # 1.75 + 0.1 + 0.1


def test_regrade_prints_the_mean_of_grades_csv_and_of_the_report(exam, tmp_path):
    # 004 sends nothing: the mean is of the three students graded, not a 0 averaged in
    grade_build(exam, [submissions(exam, {"001": [], "002": ["Q1c", "Q2a"], "003": ["Q1a"]}, tmp_path / "s.csv")],
                feedback=())
    override(exam, "002", "Q1c", 0.5, "working shown")                # 002: 6.5
    mean = round((9 + 6.5 + 7.75) / 3, 4)                             # 7.75 by hand
    result = CliRunner().invoke(main, ["regrade", str(exam), "--feedback", "none", "--quiet", "--jobs", "1"])
    printed = re.search(r"3 of 4 students graded \(0 new rows\); mean ([\d.]+) / ([\d.]+)", result.output)
    assert printed, result.output
    assert float(printed[1]) == mean and float(printed[2]) == POSSIBLE
    g = grades(exam)
    graded = [float(r["total"]) for s, r in g.items() if s != "Points Possible" and r["status"] != "no submission"]
    assert graded == [9, 6.5, 7.75] and round(sum(graded) / len(graded), 4) == mean
    assert analyse(exam)["summary"]["mean"] == mean
    # a change of a score by regrading is said in the figures grades.csv has
    override(exam, "003", "Q1a", 0.1, "partial")                      # 7.85: the mean is 23.35 / 3
    result = CliRunner().invoke(main, ["regrade", str(exam), "--feedback", "none", "--quiet", "--jobs", "1"])
    assert "mean 7.7833 / 9" in result.output and "0 student(s) changed" in result.output
    assert analyse(exam)["summary"]["mean"] == 7.7833


def test_the_report_takes_the_points_possible_of_grades_csv_where_floats_do_not_add_up(tmp_path):
    # 0.7 + 0.1 is 0.7999999999999999 in floats: the class at full marks scores 0.8, the possible 0.8
    out = build_exam(tmp_path, SPEC.replace("points = 4", "points = 0.7").replace("points = 5", "points = 0.1")
                     .replace("cnn.conv_params_macs", "cnn.conv_output_shape")
                     .replace("cnn.pool_output_shape", "lstm.concept.forget_gate_role"))
    grade_build(out, [out / "key.csv"], feedback=())
    assert {r["total"] for s, r in grades(out).items()} == {"0.8"}
    data = analyse(out)
    assert data["possible"] == 0.8 and data["summary"]["mean"] == 0.8 and data["summary"]["max"] == 0.8


def test_a_manifest_of_the_old_four_decimal_split_is_read_and_graded_by_its_own_points(exam, tmp_path):
    # before exact splits a build froze 4 over three parts as 1.3333, 1.3333, 1.3334: such a build
    # still grades, each part by the points its paper printed
    from quizgen.bank.loader import load_bank
    from quizgen.papers.spec import load_secret

    build_dir = BuildDir(exam)
    manifest = build_dir.manifest()
    old = {"Q1a": 1.3333, "Q1b": 1.3333, "Q1c": 1.3334}
    for student in manifest["students"]:
        for part in student["questions"][0]["parts"]:
            part["points"] = old[part["column"]]
        student["total_points"] = 9
    build_dir.write(manifest, load_bank(()), load_secret(exam.parent / "k" / "s"))
    grade_build(exam, [submissions(exam, {"001": [], "002": ["Q1c"], "003": ["Q1a", "Q1b"]}, tmp_path / "s.csv")],
                feedback=())
    g = grades(exam)
    assert (g["Points Possible"]["Q1"], g["Points Possible"]["total"]) == ("4.0", "9.0")
    assert [g[s]["total"] for s in ("001", "002", "003")] == ["9.0", "7.6666", "6.3334"]  # 9 - 1.3334, 9 - 2.6666
