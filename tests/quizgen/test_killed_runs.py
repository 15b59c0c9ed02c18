"""kill -9 of the parent while its workers are alive (grading, building, writing feedback pages):
the workers die with it, and the next run removes the half-written file it left."""

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from quizgen.grade.run import feedback_pages, grade_build
from quizgen.papers.builder import build
from tests.quizgen.grade.exams import build_exam
from tests.quizgen.grade.test_run import SPEC

KILLER = """
import multiprocessing, os, signal, sys
def kill_now(*args, **kwargs):
    with open({pids!r}, "w") as handle:
        handle.write(" ".join(str(p.pid) for p in multiprocessing.active_children()))
    os.kill(os.getpid(), signal.SIGKILL)
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def killed_midway(tmp_path: Path, patch: str, call: str) -> list:
    """Run ``call`` in a new process with ``patch`` (which names kill_now), killed there with -9; the
    pids of the workers it had."""
    pids = tmp_path / "pids"
    script = textwrap.dedent(KILLER.format(pids=str(pids))) + textwrap.dedent(patch) + "\n" + call
    errors = tmp_path / "stderr"
    with open(errors, "w") as err:  # a file, not a pipe: workers left alive would hold a pipe open
        proc = subprocess.run([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=err, timeout=300)
    assert proc.returncode == -signal.SIGKILL, errors.read_text()
    workers = [int(p) for p in pids.read_text().split()]
    assert len(workers) == 2, workers
    deadline = time.monotonic() + 10
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [p for p in workers if alive(p)]


def leftovers(folder: Path) -> list:
    return sorted(p.name for p in folder.glob(".*.part"))


@pytest.fixture
def exam(tmp_path):
    return build_exam(tmp_path, SPEC, students=("001", "002", "003", "004"))


def test_grading_killed_leaves_no_worker_behind(exam, tmp_path):
    left = killed_midway(tmp_path, """
        import quizgen.grade.columns as columns, quizgen.grade.gradebook as gb
        columns.PARALLEL_FROM = 2  # workers for a class of four
        gb.Gradebook.record_results = kill_now
    """, f"from quizgen.grade.run import grade_build\ngrade_build({str(exam)!r}, [{str(exam / 'key.csv')!r}], "
         f"feedback=(), jobs=2)")
    assert left == []
    assert grade_build(exam, [exam / "key.csv"], feedback=()).graded == 4


def test_feedback_pages_killed_leave_no_worker_and_the_next_run_removes_the_half_written_page(exam, tmp_path):
    grade_build(exam, [exam / "key.csv"], feedback=())
    left = killed_midway(tmp_path, """
        os.replace = kill_now   # the page is written whole, not yet renamed
    """, f"from quizgen.grade.run import feedback_pages\nfeedback_pages({str(exam)!r}, ('html',), jobs=2)")
    assert left == []
    assert leftovers(exam / "feedback")  # what the kill left
    feedback_pages(exam, ("html",), jobs=1)
    assert leftovers(exam / "feedback") == []
    assert sorted(p.name for p in (exam / "feedback").iterdir()) == [f"00{i}.html" for i in range(1, 5)]


def test_a_build_killed_leaves_no_worker_and_the_next_build_removes_the_half_written_paper(tmp_path):
    (tmp_path / "spec.toml").write_text(SPEC)
    (tmp_path / "roster.csv").write_text("student_id,name\n" + "".join(f"00{i},S{i}\n" for i in range(1, 7)))
    out = tmp_path / "out"
    left = killed_midway(tmp_path, """
        os.replace = kill_now
    """, f"from quizgen.papers.builder import build\nbuild({str(tmp_path / 'spec.toml')!r}, "
         f"{str(tmp_path / 'roster.csv')!r}, {str(out)!r}, secret_file={str(tmp_path / 'k' / 's')!r}, "
         f"formats=('html',), jobs=2, quiet=True)")
    assert left == []
    assert leftovers(out / "exams") and not (out / "manifest.json").exists()
    build(tmp_path / "spec.toml", tmp_path / "roster.csv", out, secret_file=tmp_path / "k" / "s",
          formats=("html",), force=True, quiet=True)
    assert leftovers(out / "exams") == [] and leftovers(out) == [] and (out / "manifest.json").exists()
