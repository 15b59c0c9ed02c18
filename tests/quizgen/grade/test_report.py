"""quizgen report's per-item counts and scores, held to SQL over the gradebook's part_score view
and to the manifest's params (the statistics themselves are tested in test_stats.py)."""

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
        assert item["blank_rate"] == statuses["blank"] / 27 and item["invalid_rate"] == statuses["invalid"] / 27
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
                                                                 sum(1 for w, _ in pairs if w == v))}
                                  for v in sorted(values)}
        assert item["by_parameter"] == expected, item["column"]
        checked += len(expected)
    assert checked >= 3
