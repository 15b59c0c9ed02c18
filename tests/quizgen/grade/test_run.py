"""Grading a class into the SQLite gradebook: key = full marks, messy files, duplicates, overrides, regrades."""

import csv
import ctypes.util
import io
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st
from click.testing import CliRunner

from quizgen.grade.received import TIME_KEY
from quizgen.grade.run import (GradeReport, grade_build, override, plan_ingest, read_submissions,
    regrade, store_submissions)
from tests.quizgen.grade.exams import build_exam
from quizgen.cli import main
from quizgen.errors import InputError
from quizgen.tables import read_table
from quizgen.grade.gradebook import FILE_NAME, Gradebook

SPEC = """
title = "Graded quiz"
exam_id = "graded-quiz"
[[section]]
title = "A"
ids = ["rnn.forward_two_steps", "cnn.conv_output_shape", "lstm.concept.forget_gate_role"]
points = 3
"""


@pytest.fixture
def exam(tmp_path):
    return build_exam(tmp_path, SPEC)


def key_rows(out):
    table = read_table(out / "key.csv")
    return table.header, {r["student_id"]: r for _, r in table.rows}


def write_csv(path, header, rows, delimiter=",", encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def grades(out):
    return {r["student_id"]: r for _, r in read_table(out / "grades.csv").rows}


def test_key_scores_full_marks_and_grades_csv_is_lms_shaped(exam):
    report = grade_build(exam, [exam / "key.csv"])
    assert not report.needs_attention
    g = grades(exam)
    assert g["Points Possible"]["total"] == "9.0"
    assert all(g[s]["total"] == "9.0" and g[s]["status"] == "graded" for s in ("001", "002", "003"))


def test_wrong_invalid_blank_and_feedback(exam, tmp_path):
    header, key = key_rows(exam)
    row = dict(key["001"])
    row["Q1a"] = "0.1 0.2"          # wrong
    row["Q1b"] = "0.5 abc"          # invalid, not wrong
    row["Q2a"] = ""                 # blank
    sub = write_csv(tmp_path / "s.csv", header, [[row[h] for h in header]])
    report = grade_build(exam, [sub])
    assert report.invalid and "001 Q1b" in report.invalid[0]
    assert report.missing_students == ["002", "003"] and report.needs_attention
    with Gradebook(exam / FILE_NAME) as book:
        scores = {r["column_name"]: r for r in book.scores(report.run_id) if r["student_id"] == "001"}
    assert scores["Q1a"]["status"] == "wrong"
    assert scores["Q1b"]["status"] == "invalid" and "not a number" in scores["Q1b"]["feedback"]
    assert scores["Q2a"]["status"] == "blank"
    g = grades(exam)
    assert "invalid answers" in g["001"]["status"] and g["002"]["status"] == "no submission"


def test_messy_file_semicolons_decimal_comma_bom_reordered_extra_columns(exam, tmp_path):
    header, key = key_rows(exam)
    answers = [h for h in header if h.startswith("Q")]
    new_header = ["Timestamp", "Email"] + list(reversed(answers)) + ["Student ID "]
    rows = []
    for sid, r in key.items():
        cells = [r[h].replace(".", ",") if r[h].count(".") <= 1 and "[" not in r[h] else r[h] for h in reversed(answers)]
        rows.append(["2026-12-01 10:00", f"{sid}@x.edu"] + cells + [f" {sid} "])
    sub = tmp_path / "lms.csv"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([new_header] + rows)
    sub.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    report = grade_build(exam, [sub])
    assert not report.unknown and not report.missing_columns
    assert all(grades(exam)[s]["total"] == "9.0" for s in ("001", "002", "003"))


def test_duplicates_later_wins_unless_first_and_both_are_kept(exam, tmp_path):
    header, key = key_rows(exam)
    good = [key["001"][h] for h in header]
    bad = list(good)
    bad[header.index("Q2b")] = "1"
    first = write_csv(tmp_path / "first.csv", header, [bad])
    second = write_csv(tmp_path / "second.csv", header, [good])
    report = grade_build(exam, [first, second])
    assert report.duplicates and "graded second.csv row 2 (the latest, as received" in report.duplicates[0]
    assert grades(exam)["001"]["total"] == "9.0"
    report = grade_build(exam, [first], first=True)
    assert first.name in report.files_seen_before[0]  # the same file is not stored twice
    assert float(grades(exam)["001"]["total"]) < 9.0
    with Gradebook(exam / FILE_NAME) as book:
        assert len(book.submissions()) == 2


def test_stored_cells_are_the_answer_columns_only_however_the_header_names_them(exam, tmp_path):
    header, key = key_rows(exam)
    answers = [h for h in header if h.startswith("Q")]
    same = write_csv(tmp_path / "same.csv", ["Timestamp"] + header, [["10:00"] + [key["001"][h] for h in header]])
    renamed = write_csv(tmp_path / "renamed.csv", ["Timestamp", "student_id"] + [h.lower() for h in answers],
                        [["11:00", "002"] + [key["002"][h] for h in answers]])
    grade_build(exam, [same, renamed, same])  # the same file twice in one call is stored once
    with Gradebook(exam / FILE_NAME) as book:
        stored = book.submissions()
    assert len(stored) == 2
    for row, sid in zip(stored, ("001", "002")):  # and the time the Timestamp column gives ("10:00": none)
        assert json.loads(row["cells"]) == {h: key[sid][h] for h in answers} | {TIME_KEY: ""}
    assert all(grades(exam)[s]["total"] == "9.0" for s in ("001", "002"))


def test_another_writer_between_planning_and_storing_is_refused_and_nothing_is_stored(exam, tmp_path):
    header, key = key_rows(exam)
    sub = write_csv(tmp_path / "s.csv", header, [[key["001"][h] for h in header]])
    with Gradebook(exam / FILE_NAME) as book:
        report = GradeReport()
        incoming = read_submissions([sub], answers_of(header), 3)
        new, base = plan_ingest(book, incoming, {"001": "001", "002": "002", "003": "003"}, report)
        with Gradebook(exam / FILE_NAME) as other:  # another quizgen stores a file meanwhile
            other_new, other_base = plan_ingest(other, read_submissions([exam / "key.csv"], answers_of(header), 3),
                                                {"001": "001"}, GradeReport())
            store_submissions(other, "graded-quiz", "x" * 64, other_new, other_base)
        with pytest.raises(InputError, match="another quizgen stored submissions"):
            store_submissions(book, "graded-quiz", "x" * 64, new, base)
        assert [r["file_name"] for r in book.submissions()] == ["key.csv"] * 3


def answers_of(header):
    return [h for h in header if h.startswith("Q")]


def test_unknown_ids_and_missing_columns_are_reported_not_fatal(exam, tmp_path):
    header, key = key_rows(exam)
    keep = [h for h in header if h != "Q2b"]
    rows = [[key["001"][h] for h in keep], ["999"] + [""] * (len(keep) - 1)]
    report = grade_build(exam, [write_csv(tmp_path / "s.csv", keep, rows)])
    assert any("'999' is not on the roster" in u for u in report.unknown)
    assert any("no column Q2b" in m for m in report.missing_columns)
    assert report.graded == 1


def test_a_file_for_another_exam_is_refused(exam, tmp_path):
    sub = write_csv(tmp_path / "other.csv", ["student_id", "P1", "P2"], [["001", "1", "2"]])
    with pytest.raises(InputError, match="none of the answer columns"):
        grade_build(exam, [sub])


def test_override_and_regrade(exam):
    grade_build(exam, [exam / "key.csv"])
    with pytest.raises(InputError, match="no student"):
        override(exam, "2", "Q3", 0.5, "leading zeros are part of the id")
    with pytest.raises(InputError, match="out of range"):
        override(exam, "002", "Q3", 5, "too much")
    override(exam, "002", "Q3", 0.5, "disputed wording")
    assert grades(exam)["002"]["total"] == "6.5" and "override" in grades(exam)["002"]["status"]
    report, changes = regrade(exam, recompute=True)
    assert changes == {} and grades(exam)["002"]["total"] == "6.5"
    with Gradebook(exam / FILE_NAME) as book:
        assert [r["kind"] for r in book.runs()] == ["grade", "regrade"]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            book.db.execute("UPDATE result SET credits = '[1]'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            book.db.execute("DELETE FROM run_column")


def test_cli_exit_status_says_whether_anything_needs_attention(exam, tmp_path):
    runner = CliRunner()
    clean = runner.invoke(main, ["grade", str(exam), str(exam / "key.csv")])
    assert clean.exit_code == 0, clean.output
    header, key = key_rows(exam)
    sub = write_csv(tmp_path / "s.csv", header, [[key["001"][h] for h in header]])
    attention = runner.invoke(main, ["grade", str(exam), str(sub)])
    assert attention.exit_code == 1 and "several submissions: 001" in attention.output
    missing = runner.invoke(main, ["grade", str(exam), str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "nope.csv: no such file" in missing.output


def test_killing_a_run_midway_leaves_the_gradebook_intact(exam, tmp_path):
    grade_build(exam, [exam / "key.csv"])
    with Gradebook(exam / FILE_NAME) as book:
        before = (len(book.runs()), book.db.execute("SELECT COUNT(*) FROM result").fetchone()[0])
    script = textwrap.dedent(f"""
        import time
        import quizgen.grade.gradebook as gb
        original = gb.Gradebook.record_results
        def slow(self, db, run_id, rows):
            original(self, db, run_id, rows)
            print("inside", flush=True)
            time.sleep(60)   # killed here, inside the run's transaction
        gb.Gradebook.record_results = slow
        from quizgen.grade.run import regrade
        regrade({str(exam)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "inside"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Gradebook(exam / FILE_NAME) as book:
        after = (len(book.runs()), book.db.execute("SELECT COUNT(*) FROM result").fetchone()[0])
        assert book.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert after == before


def test_feedback_pages_escape_what_students_typed(exam, tmp_path):
    header, key = key_rows(exam)
    row = dict(key["001"])
    row["Q1a"] = "<script>alert(1)</script>"
    sub = write_csv(tmp_path / "s.csv", header, [[row[h] for h in header]])
    grade_build(exam, [sub], feedback=("html",))
    page = (exam / "feedback" / "001.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "could not be read" in page and "<math" in page
    # the numeric part's accepted interval, as key-intervals.csv writes it (h_1 of rnn.forward_two_steps)
    from quizgen.tables import read_table
    intervals = {r["student_id"]: r for _, r in read_table(exam / "key-intervals.csv").rows}
    shown = intervals["001"]["Q1a"]
    assert shown.startswith("[") and " to " in shown
    assert f"accepted {shown}" in page


def test_report_statistics_json_and_html(exam, tmp_path):
    from quizgen.grade.report import analyse, write_report
    from quizgen.grade.simulate import simulate_submissions

    (tmp_path / "sim.csv").write_text(simulate_submissions(exam, seed=3))
    grade_build(exam, [tmp_path / "sim.csv"], feedback=())
    data = analyse(exam)
    assert data["students"] == 3 and len(data["items"]) == len(read_table(exam / "key.csv").header) - 2
    for item in data["items"]:
        assert item["difficulty"] is None or 0 <= item["difficulty"] <= 1
        assert 0 <= item["invalid_rate"] <= 1 and 0 <= item["blank_rate"] <= 1
    # the totals in grades.csv equal the sum of the per-question scores the report saw
    g = grades(exam)
    assert abs(sum(float(g[s]["total"]) for s in ("001", "002", "003")) / 3 - data["summary"]["mean"]) < 1e-3
    html = write_report(exam).read_text()
    assert "<svg" in html and "Cronbach" in html
    assert write_report(exam, as_json=True).suffix == ".json"


def test_grades_csv_read_back_from_the_gradebook_equals_the_one_written_after_grading(exam, tmp_path):
    from quizgen.builddir import BuildDir
    from quizgen.grade.run import write_grades_csv

    header, key = key_rows(exam)
    row = dict(key["001"])
    row["Q1a"], row["Q1b"], row["Q2a"] = "0.1 0.2", "?", ""
    grade_build(exam, [write_csv(tmp_path / "s.csv", header, [[row[h] for h in header]])], feedback=())
    override(exam, "003", "Q3", 1.5, "partly right")
    written = (exam / "grades.csv").read_bytes()
    with Gradebook(exam / FILE_NAME) as book:
        write_grades_csv(exam, BuildDir(exam).key(), book)
    assert (exam / "grades.csv").read_bytes() == written
    assert b"invalid answers" in written and b"no submission; override" in written
    regrade(exam, feedback=())  # written as each slice is graded, with the override from before the run
    assert (exam / "grades.csv").read_bytes() == written


def test_the_part_score_view_shows_each_part_as_stored(exam, tmp_path):
    header, key = key_rows(exam)
    row = dict(key["002"])
    row["Q1a"], row["Q1b"] = "0.1 0.2", "abc"
    report = grade_build(exam, [write_csv(tmp_path / "s.csv", header, [[row[h] for h in header]])], feedback=())
    with Gradebook(exam / FILE_NAME) as book:
        from_python = {(r["student_id"], r["column_name"]): r for r in book.scores(report.run_id)}
        view = book.db.execute("SELECT * FROM part_score WHERE run_id = ?", (report.run_id,)).fetchall()
    assert len(view) == len(from_python) == 3 * len(header[2:])
    for r in view:
        mine = from_python[(r["student_id"], r["column_name"])]
        for field in ("status", "credit", "points", "response", "mistake", "feedback", "submission_id"):
            assert r[field] == mine[field], (r["student_id"], r["column_name"], field)
    assert from_python[("002", "Q1b")]["status"] == "invalid"
    assert from_python[("001", "Q1a")]["status"] == "missing"


def test_a_schema_1_gradebook_is_migrated_and_its_runs_still_read(tmp_path):
    import quizgen.grade.gradebook as gb

    path = tmp_path / FILE_NAME
    db = sqlite3.connect(path, isolation_level=None)
    for statement in gb.sql_statements(gb.MIGRATIONS[1]):
        db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    db.execute("INSERT INTO run VALUES (1, '2026-01-01', 'grade', 'abc', '{}')")
    db.executemany("INSERT INTO score VALUES (1, ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
                   [("001", "Q1", "correct", 1.0, 2.0, "0.5", None, "correct"),
                    ("001", "Q2", "wrong", 0.0, 3.0, "7", "no_bias", "the bias was left out")])
    db.close()
    with Gradebook(path) as book:
        assert book.schema_version() == gb.SCHEMA_VERSION == 4
        rows = book.scores(1)
        assert [(r["column_name"], r["status"], r["mistake"]) for r in rows] == [
            ("Q1", "correct", None), ("Q2", "wrong", "no_bias")]
        columns, earned = book.earned(1)
        assert columns == ["Q1", "Q2"] and earned["001"][:2] == ("cw", [2.0, 0.0])
        from quizgen.grade.report import responses_and_mistakes

        assert responses_and_mistakes(book, 1, book.run_columns(1)) == {
            "001": ({"Q1": "0.5", "Q2": "7"}, {"Q1": None, "Q2": "no_bias"})}
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            book.db.execute("DELETE FROM score")


def test_a_build_without_its_grading_key_grades_the_same_from_the_manifest(exam, tmp_path):
    import shutil

    from quizgen.builddir import KEY_FILE

    header, key = key_rows(exam)
    row = dict(key["001"])
    row["Q1a"], row["Q1b"] = "0.1 0.2", "?"
    sub = write_csv(tmp_path / "s.csv", header, [[row[h] for h in header], [key["002"][h] for h in header]])
    grade_build(exam, [sub], feedback=())
    with_key = (exam / "grades.csv").read_bytes()
    bare = tmp_path / "bare"
    shutil.copytree(exam, bare)
    (bare / FILE_NAME).unlink()
    (bare / KEY_FILE).unlink()  # an older build, or a key lost: it is remade from the manifest
    report = grade_build(bare, [sub], feedback=())
    assert (bare / "grades.csv").read_bytes() == with_key and report.graded == 2


# Without HarfBuzz's subsetter WeasyPrint subsets fonts with fontTools, which stamps each embedded font
# with the time it was written: PDFs written a second apart then differ (the other PDF tests pass).
@pytest.mark.skipif(ctypes.util.find_library("harfbuzz-subset") is None,
                    reason="libharfbuzz-subset is not installed (Debian: apt install libharfbuzz-subset0); "
                           "without it WeasyPrint's PDFs carry the time they were written")
def test_feedback_pages_written_by_worker_processes_are_the_same_bytes(exam, tmp_path):
    import shutil

    other = tmp_path / "other"
    shutil.copytree(exam, other)
    header, key = key_rows(exam)
    row = dict(key["002"])
    row["Q1a"], row["Q2a"] = "[9, 9]", "?"
    rows = [[key["001"][h] for h in header], [row[h] for h in header]]
    for build_dir, jobs in ((exam, 1), (other, 2)):
        grade_build(build_dir, [write_csv(tmp_path / f"s{jobs}.csv", header, rows)], feedback=("html", "pdf"),
                    jobs=jobs)
    names = sorted(p.name for p in (exam / "feedback").iterdir())
    assert names == ["001.html", "001.pdf", "002.html", "002.pdf", "003.html", "003.pdf"]
    for name in names:
        assert (other / "feedback" / name).read_bytes() == (exam / "feedback" / name).read_bytes(), name
    assert "could not be read" in (other / "feedback" / "002.html").read_text()


def test_feedback_report_and_regrade_before_any_grading_say_so_and_make_no_gradebook(exam):
    runner = CliRunner()
    for args in (["feedback", str(exam)], ["report", str(exam)], ["regrade", str(exam)]):
        result = runner.invoke(main, args)
        assert result.exit_code == 2 and "nothing graded yet: run quizgen grade first" in result.output, args
    assert not (exam / FILE_NAME).exists()


def test_feedback_command_writes_the_pages_of_the_latest_run(exam):
    grade_build(exam, [exam / "key.csv"], feedback=())
    assert not (exam / "feedback").exists()
    result = CliRunner().invoke(main, ["feedback", str(exam), "--format", "html,pdf", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (exam / "feedback").iterdir()) == \
        ["001.html", "001.pdf", "002.html", "002.pdf", "003.html", "003.pdf"]
    assert "wrote html+pdf feedback for 3 students" in result.output
    bad = CliRunner().invoke(main, ["feedback", str(exam), "--format", "none"])
    assert bad.exit_code == 2 and "html, pdf or html,pdf" in bad.output


def test_a_feedback_page_says_what_happened_once(exam, tmp_path):
    header, key = key_rows(exam)
    row = dict(key["001"])
    row["Q1a"], row["Q2a"] = "", "abc"
    grade_build(exam, [write_csv(tmp_path / "s.csv", header, [[row[h] for h in header]])], feedback=("html",))
    page = (exam / "feedback" / "001.html").read_text()
    assert "no answer: no answer" not in page and page.count(">no answer<") >= 1
    assert "could not be read: " in page  # the reason follows the status where it adds something


def test_the_terminal_shows_the_first_ten_of_each_kind_and_the_file_has_every_one(exam, tmp_path):
    header, key = key_rows(exam)
    rows = [[f"x{k:02d}"] + [key["001"][h] for h in header[1:]] for k in range(12)]  # twelve unknown ids
    result = CliRunner().invoke(main, ["grade", str(exam), str(write_csv(tmp_path / "s.csv", header, rows))])
    assert result.exit_code == 1
    shown = [line for line in result.output.splitlines() if line.startswith("unknown or empty student id: ")]
    assert len(shown) == 11 and "... and 2 more (every one in" in shown[-1]
    listed = (exam / "needs-attention.txt").read_text().splitlines()
    assert listed[0].startswith("run ") and sum(line.startswith("unknown or empty student id") for line in listed) == 12
    assert "no submission: 001" in listed
    CliRunner().invoke(main, ["grade", str(exam), str(exam / "key.csv")])
    assert (exam / "needs-attention.txt").read_text().splitlines()[1] == "nothing needs attention"


@given(st.lists(st.text(), min_size=2, max_size=5), st.data())
def test_stored_cells_are_the_json_of_a_dict_of_them(values, data):
    from quizgen.grade.gradebook import cells_encoder, to_json

    columns = [f"Q{k}" + data.draw(st.text(max_size=3)) for k in range(len(values))]
    columns = list(dict.fromkeys(columns))
    row = dict(zip(columns, values)) | {"Timestamp": "x"}
    assert cells_encoder(columns)(row) == to_json({c: row[c] for c in columns})
    assert json.loads(cells_encoder(columns)(row)) == {c: row[c] for c in columns}


def test_a_grading_key_of_an_older_or_unknown_format_is_remade_from_the_manifest_and_grades_the_same(
        exam, tmp_path, monkeypatch):
    import shutil

    from quizgen.builddir import KEY_FILE, BuildDir, gradingkey

    header, key = key_rows(exam)
    row = dict(key["002"])
    row["Q1a"], row["Q1b"] = "[0.1, 0.2]", "[0.3, 0.4]"  # wrong, and checked for error carried forward
    sub = write_csv(tmp_path / "s.csv", header, [[key["001"][h] for h in header], [row[h] for h in header]])
    builds = {}
    for name, fmt in (("now", None), ("one", 1), ("two", 2), ("future", 99)):
        builds[name] = tmp_path / name
        shutil.copytree(exam, builds[name])
        if fmt is not None:
            old = BuildDir(builds[name]).read_key()
            if fmt == 1:  # format 1: two offsets a question, no stamp
                old.offsets, old.manifest_stamp = old.offsets[..., :2].copy(), []
            monkeypatch.setattr(gradingkey, "FORMAT", fmt)
            (builds[name] / KEY_FILE).write_bytes(gradingkey.to_bytes(old))
            monkeypatch.undo()
    reading = BuildDir(builds["now"])
    current = reading.key()
    assert current is reading.key_on_disk() and len(current.offsets)
    for name in ("one", "two", "future"):
        reading = BuildDir(builds[name])
        remade = reading.key()
        assert reading.key_on_disk() is None and not len(remade.offsets)  # unreadable: remade from the manifest
        assert gradingkey.differences(remade, current) == []
    for build_dir in builds.values():
        grade_build(build_dir, [sub], feedback=())
    assert len({(b / "grades.csv").read_bytes() for b in builds.values()}) == 1


def test_a_named_mistake_is_typeset_and_a_students_text_stays_text(exam, tmp_path):
    from quizgen.builddir import BuildDir

    header, key = key_rows(exam)
    student = next(s for s in BuildDir(exam).manifest()["students"] if s["id"] == "001")
    question = next(q for q in student["questions"] if q["template_id"] == "rnn.forward_two_steps")
    h1 = question["variant"]["mistakes"]["no_bias"]["h1"]
    row = dict(key["001"])
    row["Q1a"] = "[" + ", ".join(f"{v:.4f}" for v in h1) + "]"  # the bias left out
    row["Q1b"] = "$x$ <b>bold</b>"                              # unreadable, quoted in the reason
    grade_build(exam, [write_csv(tmp_path / "s.csv", header, [[row[h] for h in header]])], feedback=("html",))
    page = (exam / "feedback" / "001.html").read_text()
    # each blank's Result cell
    cells = {c: page.split(f'<td class="key">{c}</td>', 1)[1].split('<td class="st-', 1)[1].split("</td>", 1)[0]
             for c in ("Q1a", "Q1b")}
    assert "wrong: the bias " in cells["Q1a"] and "<math" in cells["Q1a"] and "$b_h$" not in cells["Q1a"]
    assert "could not be read: &#39;$x$&#39; is not a number" in cells["Q1b"]
    assert "<math" not in cells["Q1b"] and "<b>bold" not in page and "$x$ &lt;b&gt;bold&lt;/b&gt;" in page
