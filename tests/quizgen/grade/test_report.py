"""quizgen report's per-item counts and scores, held to SQL over the gradebook's part_score view
and to the manifest's params (the statistics themselves are tested in test_stats.py)."""

import json
import re
import sqlite3
from collections import Counter, defaultdict

import pytest

from quizgen.grade.run import grade_build, override
from quizgen.papers.builder import build
from quizgen.builddir import BuildDir
from quizgen.tables import read_table
from quizgen.grade.gradebook import FILE_NAME
from quizgen.grade.report import MAX_GROUPS, analyse
from quizgen.grade.simulate import simulate_submissions

SPEC = """
title = "Report oracle"
exam_id = "report-oracle"
[[section]]
title = "Typed"
ids = ["cnn.conv_output_shape", "rnn.forward_two_steps"]
[[section]]
title = "Chosen"
ids = ["lstm.cell_step", "lstm.concept.forget_gate_role"]
form = "choice"
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    (tmp / "spec.toml").write_text(SPEC)
    (tmp / "roster.csv").write_text("student_id,name\n" + "".join(f"s{i:02d},S {i}\n" for i in range(30)))
    build(tmp / "spec.toml", tmp / "roster.csv", tmp / "out", secret_file=tmp / "k" / "s", formats=(), quiet=True)
    out = tmp / "out"
    text = simulate_submissions(out, seed=5)
    absent = (",s27,", ",s28,", ",s29,")  # three students hand nothing in
    (tmp / "sim.csv").write_text("".join(line for line in text.splitlines(keepends=True)
                                         if not any(a in line for a in absent)))
    grade_build(out, [tmp / "sim.csv"], feedback=())
    column = read_table(out / "key.csv").header[2]
    override(out, "s01", column, 0.0, "copied")
    return out


def test_item_counts_and_difficulty_equal_sql_over_the_part_score_view(graded):
    data = analyse(graded)
    db = sqlite3.connect(graded / FILE_NAME)
    run = db.execute("SELECT MAX(id) FROM run").fetchone()[0]
    rows = db.execute("SELECT student_id, column_name, status, credit, points, response, mistake "
                      "FROM part_score WHERE run_id = ?", (run,)).fetchall()
    overrides = {(s, c): score for s, c, score in
                 db.execute("SELECT student_id, column_name, score FROM override ORDER BY id")}
    submitted = {s for s, _, status, *_ in rows if status != "missing"}
    chosen_by = {student["id"]: {p["column"] for q in student["questions"] for p in q["parts"]
                                 if p["name"] in q["variant"].get("choices", {}) or p["kind"] in ("choice", "truefalse")}
                 for student in BuildDir(graded).manifest()["students"]}
    assert data["students"] == len(submitted) == 27 and data["not_submitted"] == 3
    by_column = defaultdict(list)
    for row in rows:
        if row[0] in submitted:
            by_column[row[1]].append(row)
    for item in data["items"]:
        mine = by_column[item["column"]]
        statuses = Counter(r[2] for r in mine)
        assert item["statuses"] == dict(statuses), item["column"]
        assert item["blank_rate"] == round(statuses["blank"] / 27, 4)
        assert item["invalid_rate"] == round(statuses["invalid"] / 27, 4)
        assert item["mistakes"] == dict(Counter(r[6] for r in mine if r[6])), item["column"]
        earned = [overrides.get((r[0], r[1]), r[3] * r[4]) / r[4] for r in mine]
        assert item["difficulty"] == pytest.approx(sum(earned) / 27, abs=1e-4), item["column"]
        # letters are counted where the student's variant offered them (a part with too few distinct
        # mistakes in a draw stays typed)
        letters = [r for r in mine if r[1] in chosen_by.get(r[0], set())]
        assert item["choices"] == dict(Counter((r[5] or "").strip().upper() or "blank" for r in letters))
    choice_items = [it for it in data["items"] if it["choices"]]
    assert len(choice_items) >= 4  # lstm.cell_step: f, C, h chosen as letters; and the concept question


def test_breakdown_by_parameter_follows_the_manifests_params(graded):
    data = analyse(graded)
    manifest = BuildDir(graded).manifest()
    db = sqlite3.connect(graded / FILE_NAME)
    run = db.execute("SELECT MAX(id) FROM run").fetchone()[0]
    earned = {(s, c): (cr * p, p) for s, c, status, cr, p in db.execute(
        "SELECT student_id, column_name, status, credit, points FROM part_score WHERE run_id = ? "
        "AND status != 'missing'", (run,))}
    overrides = {(s, c): score for s, c, score in db.execute("SELECT student_id, column_name, score FROM override")}
    checked = 0
    for item in data["items"]:
        groups = defaultdict(list)
        for student in manifest["students"]:
            if (student["id"], item["column"]) not in earned:
                continue
            question = next(q for q in student["questions"] if any(p["column"] == item["column"] for p in q["parts"]))
            got, possible = earned[(student["id"], item["column"])]
            got = overrides.get((student["id"], item["column"]), got)
            for name, value in question["variant"]["params"].items():
                if isinstance(value, (int, float, str)) and not isinstance(value, bool) and len(str(value)) <= 20:
                    groups[name].append((value, got / possible))
        expected = {}
        for name, pairs in groups.items():
            values = {v for v, _ in pairs}
            if 2 <= len(values) <= MAX_GROUPS and len(pairs) == 27:
                expected[name] = {str(v): {"n": sum(1 for w, _ in pairs if w == v),
                                           "mean": pytest.approx(sum(s for w, s in pairs if w == v) /
                                                                 sum(1 for w, _ in pairs if w == v), abs=5e-5)}
                                  for v in sorted(values)}
        assert item["by_parameter"] == expected, item["column"]
        checked += len(expected)
    assert checked >= 3


def _floats(data):
    if isinstance(data, float):
        yield data
    elif isinstance(data, dict):
        for v in data.values():
            yield from _floats(v)
    elif isinstance(data, list):
        for v in data:
            yield from _floats(v)


def test_every_figure_in_the_json_is_rounded(graded, tmp_path):
    from quizgen.grade.report import DECIMALS, write_report

    path = write_report(graded, out=tmp_path / "r.json", as_json=True)
    text = path.read_text()
    data = json.loads(text)
    numbers = list(_floats(data))
    assert len(numbers) > 100
    assert all(round(x, DECIMALS) == x for x in numbers)
    # written as a person reads them: no 11.399999999999999 in the file
    assert not re.search(r"\d\.\d{5,}", text), re.search(r"\d\.\d{5,}", text).group()
    assert isinstance(data["summary"]["n"], int)


def test_histogram_edges_are_nice_and_count_every_student(graded):
    data = analyse(graded)
    edges = data["histogram"]["edges"]
    widths = {round(b - a, 6) for a, b in zip(edges, edges[1:])}
    assert len(widths) == 1
    width = widths.pop()
    assert width in NICE_WIDTHS, edges
    assert edges[0] == 0 and edges[-1] >= data["possible"] > edges[-2]
    assert all(round(e / width, 9) == int(round(e / width, 9)) for e in edges)
    assert sum(data["histogram"]["counts"]) == data["students"]


NICE_WIDTHS = {0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100}


@pytest.mark.parametrize("possible, bins, expected", [
    (38, 10, [0, 5, 10, 15, 20, 25, 30, 35, 40]),   # was 0, 3.8, 7.6, ...
    (38, 20, list(range(0, 39, 2))),
    (10, 10, list(range(11))),
    (5, 10, [k / 2 for k in range(11)]),
    (1, 20, [0, 0.25, 0.5, 0.75, 1]),
    (150, 12, list(range(0, 161, 20))),
])
def test_nice_edges(possible, bins, expected):
    from quizgen.grade.stats import nice_edges

    edges = nice_edges(possible, bins)
    assert edges.tolist() == expected
    assert len(edges) - 1 <= bins


def test_the_page_has_the_three_plots_and_no_squeezed_parameter_column(graded, tmp_path):
    from quizgen.grade.report import write_report

    page = write_report(graded, out=tmp_path / "r.html").read_text()
    svgs = re.findall(r"<svg\b[^>]*>", page)
    assert any("histogram" in s for s in svgs) and any("scatter" in s for s in svgs)
    assert any("bars" in s for s in svgs)  # a chart per question and parameter
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    data = analyse(graded)
    # one point per blank in the scatter, one bar chart per question and parameter that varied
    scatter = page[page.index('class="chart scatter"'):]
    scatter = scatter[:scatter.index("</svg>")]
    assert scatter.count("<circle") == len([i for i in data["items"] if i["discrimination"] is not None])
    charts = sum(len(q["by_parameter"]) for q in data["questions"])
    assert charts > 0 and page.count('class="chart bars"') == charts
    assert "<th>By parameter</th>" not in page
    # figures on the page have two decimals
    assert not re.search(r">-?\d+\.\d{3,}<", page), re.search(r">-?\d+\.\d{3,}<", page).group()
    # the histogram's labels are its nice edges
    for edge in data["histogram"]["edges"]:
        assert f">{edge:g}</text>" in page


def test_question_breakdown_by_parameter_adds_its_blanks(graded):
    data = analyse(graded)
    for q in data["questions"]:
        blanks = [it for it in data["items"] if it["question"] == q["question"]]
        for name, groups in q["by_parameter"].items():
            for value, g in groups.items():
                parts = [it["by_parameter"][name][value] for it in blanks]
                assert all(p["n"] == g["n"] for p in parts)
                expected = sum(p["mean"] * it["points"] for p, it in zip(parts, blanks)) / q["points"]
                assert g["mean"] == pytest.approx(expected, abs=2e-4)
