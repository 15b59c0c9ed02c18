"""The gradebook against its owner's SQL tools and against faults: REPLACE, meta, dropped triggers,
rows edited behind quizgen's back, two first runs at once, a read-only folder, a run killed
between storing its file and recording it."""

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
from click.testing import CliRunner

from quizgen.builddir import BuildDir
from quizgen.cli import main
from quizgen.errors import InputError
from quizgen.grade.gradebook import FILE_NAME, SCHEMA_VERSION, Gradebook
from quizgen.grade.run import grade_build
from tests.quizgen.grade.exams import build_exam
from tests.quizgen.grade.test_run import SPEC, key_rows, write_csv
from tests.quizgen.mounts import read_only_view


@pytest.fixture
def graded(tmp_path):
    out = build_exam(tmp_path, SPEC)
    grade_build(out, [out / "key.csv"], feedback=())
    return out


def plain_sqlite(out):
    """The owner's own sqlite3: defaults, no recursive_triggers."""
    return sqlite3.connect(out / FILE_NAME, isolation_level=None)


def test_a_replace_of_a_result_by_the_owners_own_sqlite_is_detected_on_the_next_open(graded):
    db = plain_sqlite(graded)  # no recursive_triggers: SQLite deletes the old row without a delete trigger
    db.execute("INSERT OR REPLACE INTO result SELECT run_id, student_id, submission_id, statuses, credits, "
               "'[9, 9, 9, 9, 9]', responses, notes FROM result WHERE student_id = '002'")
    db.close()
    with pytest.raises(InputError, match="changed outside quizgen: the rows of run 1 are not those stored"):
        Gradebook(graded / FILE_NAME)


def test_quizgens_own_connection_fires_the_delete_triggers_on_replace(graded):
    with Gradebook(graded / FILE_NAME) as book:
        with pytest.raises(sqlite3.DatabaseError, match="append-only: result rows are never deleted"):
            book.db.execute("INSERT OR REPLACE INTO result SELECT run_id, student_id, submission_id, statuses, "
                            "credits, points, responses, notes FROM result LIMIT 1")


@pytest.mark.parametrize("statement", [
    "REPLACE INTO run SELECT id, started_at, 'regrade', manifest_sha256, settings FROM run LIMIT 1",
    "REPLACE INTO source SELECT id, file_name, sha256, encoding, delimiter, X'00', received_at FROM source LIMIT 1",
    "REPLACE INTO meta (key, value) VALUES ('schema_version', '99')",
    "UPDATE meta SET value = '99'",
    "DELETE FROM meta",
    "INSERT INTO submission (id, source_id, row_number, student_raw, student_id, cells) "
    "VALUES (1, 1, 2, '001', '001', '{}') ON CONFLICT (id) DO UPDATE SET cells = '{}'",
])
def test_replace_and_changes_to_meta_are_refused_by_the_owners_own_sqlite(graded, statement):
    db = plain_sqlite(graded)
    assert db.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute(statement)
    db.close()
    with Gradebook(graded / FILE_NAME) as book:  # and it still opens, unchanged
        assert len(book.runs()) == 1


@pytest.mark.parametrize("tamper", [
    "UPDATE meta SET value = '99'",
    "UPDATE result SET points = '[9, 9, 9, 9, 9]' WHERE student_id = '002'",
    "DELETE FROM submission WHERE student_id = '003'",
    "INSERT INTO override (student_id, column_name, score, reason, created_at) VALUES ('001', 'Q1a', 0, 'x', 'y')",
    "UPDATE source SET raw = X'00'",
])
def test_rows_changed_with_the_triggers_dropped_are_detected_on_open_and_every_command_says_so(graded, tamper):
    db = plain_sqlite(graded)
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {name}")
    db.execute(tamper)
    for name, sql in triggers:  # put back as they were: only the rows differ
        db.execute(sql)
    db.close()
    with pytest.raises(InputError, match="changed outside quizgen|schema version"):
        Gradebook(graded / FILE_NAME)
    runner = CliRunner()
    for args in (["report", str(graded), "--json"], ["regrade", str(graded)],
                 ["grade", str(graded), str(graded / "key.csv")]):
        result = runner.invoke(main, args)
        assert result.exit_code == 2 and FILE_NAME in result.output, (args, result.output)
        assert not isinstance(result.exception, (sqlite3.Error, RuntimeError, ValueError)), result.output


def test_a_dropped_trigger_is_detected_on_open(graded):
    db = plain_sqlite(graded)
    db.execute("DROP TRIGGER result_no_update")
    db.close()
    with pytest.raises(InputError, match="triggers were dropped or changed.*result_no_update"):
        Gradebook(graded / FILE_NAME)


def test_what_quizgen_itself_stores_keeps_the_ledger_whole(graded, tmp_path):
    from quizgen.grade.run import override, regrade

    header, key = key_rows(graded)
    row = dict(key["002"], Q2a="999")
    grade_build(graded, [write_csv(tmp_path / "s.csv", header, [[row[h] for h in header]])], feedback=())
    override(graded, "002", "Q2a", 0.5, "partly")
    regrade(graded, feedback=())
    with Gradebook(graded / FILE_NAME) as book:
        entries = [r[0] for r in book.db.execute("SELECT entry FROM ledger ORDER BY id")]
    assert entries == ["exam 1", "source 1", "run 1", "source 2", "run 2", "override 1", "run 3"]


def test_two_first_grade_runs_at_once_both_open_the_gradebook(tmp_path):
    script = textwrap.dedent("""
        import sys, time
        from quizgen.grade.gradebook import Gradebook
        start = float(sys.argv[2])
        while time.time() < start:
            pass
        with Gradebook(sys.argv[1]) as book:
            print(book.schema_version())
    """)
    procs = []
    for attempt in range(8):
        start = time.time() + 1.5
        path = tmp_path / f"{attempt}.sqlite"
        procs += [subprocess.Popen([sys.executable, "-c", script, str(path), str(start)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    assert all(code == 0 and out.strip() == str(SCHEMA_VERSION) for out, err, code in outcomes), outcomes


def test_a_read_only_build_folder_is_reported_and_read_but_not_written(graded, tmp_path):
    with read_only_view(graded) as view:
        runner = CliRunner()
        report = runner.invoke(main, ["report", str(view), "--out", str(tmp_path / "report.html")])
        assert report.exit_code == 0, report.output
        assert "Graded quiz" in (tmp_path / "report.html").read_text()
        as_json = runner.invoke(main, ["report", str(view), "--json", "--out", str(tmp_path / "r.json")])
        assert as_json.exit_code == 0 and json.loads((tmp_path / "r.json").read_text())
        inside = runner.invoke(main, ["report", str(view)])  # the default --out is in the folder
        assert inside.exit_code == 2 and "report.html: cannot be written" in inside.output, inside.output
        grading = runner.invoke(main, ["grade", str(view), str(graded / "key.csv")])
        assert grading.exit_code == 2 and str(view) in grading.output, grading.output
        assert "Traceback" not in grading.output and "unable to open database file" not in grading.output.split(":")[0]
    assert not list(graded.glob("*.part")) and not list(graded.glob(".*.part"))


def test_a_run_killed_between_storing_its_file_and_recording_it_is_graded_on_the_next_call(tmp_path):
    out = build_exam(tmp_path, SPEC)
    header, key = key_rows(out)
    stranger = dict(key["001"], student_id="999")
    sub = write_csv(tmp_path / "s.csv", header, [[key["001"][h] for h in header], [stranger[h] for h in header]])
    script = textwrap.dedent(f"""
        import os, signal
        import quizgen.grade.gradebook as gb
        def killed(self, *args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)  # after the file is stored, before its run
        gb.Gradebook.start_run = killed
        from quizgen.grade.run import grade_build
        grade_build({str(out)!r}, [{str(sub)!r}], feedback=())
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    report = grade_build(out, [sub], feedback=())
    assert report.files_seen_before == []
    assert any("'999' is not on the roster" in u for u in report.unknown), report.unknown
    assert report.graded == 1
    with Gradebook(out / FILE_NAME) as book:
        assert book.db.execute("SELECT COUNT(*) FROM source").fetchone()[0] == 1


def test_a_file_an_older_quizgen_stored_without_its_run_is_graded_and_reported_on_the_next_call(tmp_path):
    from quizgen.grade.run import GradeReport, plan_ingest, read_submissions, store_submissions

    out = build_exam(tmp_path, SPEC)
    header, key = key_rows(out)
    stranger = dict(key["001"], student_id="999")
    sub = write_csv(tmp_path / "s.csv", header, [[key["001"][h] for h in header], [stranger[h] for h in header]])
    with Gradebook(out / FILE_NAME) as book:  # stored in its own transaction, as quizgen once did, then killed
        incoming = read_submissions([sub], [h for h in header if h.startswith("Q")], 3)
        new, base = plan_ingest(book, incoming, {"001": "001", "002": "002", "003": "003"}, GradeReport())
        # against this folder's manifest (another one's gradebook is refused: issue 16, item 1)
        store_submissions(book, "graded-quiz", BuildDir(out).digest(), new, base)
    report = grade_build(out, [sub], feedback=())
    assert report.files_seen_before == [] and report.graded == 1
    assert any("'999' is not on the roster" in u for u in report.unknown), report.unknown
    assert any("did not finish; graded now" in n for n in report.notices)
    again = grade_build(out, [sub], feedback=())  # graded now: seen before from here on
    assert again.files_seen_before == [str(sub)] and again.unknown == []
    with Gradebook(out / FILE_NAME) as book:
        assert book.db.execute("SELECT COUNT(*) FROM submission").fetchone()[0] == 2


def test_a_file_that_is_not_a_gradebook_is_refused_by_name(graded):
    (graded / FILE_NAME).write_bytes(b"not a database at all" * 100)
    for name in ("-wal", "-shm"):
        (graded / (FILE_NAME + name)).unlink(missing_ok=True)
    result = CliRunner().invoke(main, ["report", str(graded), "--json"])
    assert result.exit_code == 2 and FILE_NAME in result.output and "not a quizgen gradebook" in result.output


def test_a_gradebook_of_schema_3_is_chained_as_found_when_migrated(graded, tmp_path):
    import quizgen.grade.gradebook as gb

    old = tmp_path / "old.sqlite"
    db = sqlite3.connect(old, isolation_level=None)
    for target in (1, 2, 3):
        for statement in gb.sql_statements(gb.MIGRATIONS[target]):
            db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('schema_version', '3')")
    db.execute("INSERT INTO run VALUES (1, '2026-01-01', 'grade', 'abc', '{}')")
    db.execute("INSERT INTO run_column VALUES (1, 0, 'Q1')")
    db.execute("INSERT INTO result VALUES (1, '001', NULL, 'c', '[1.0]', '[2.0]', '[\"1\"]', '{}')")
    db.close()
    shutil.copy(old, tmp_path / "copy.sqlite")
    with Gradebook(old) as book:
        assert book.schema_version() == 4
        assert [r[0] for r in book.db.execute("SELECT entry FROM ledger")] == ["run 1"]
    db = sqlite3.connect(old, isolation_level=None)
    db.execute("DROP TRIGGER result_no_update")
    db.execute("UPDATE result SET points = '[4.0]'")
    db.close()
    with pytest.raises(InputError):
        Gradebook(old)
