"""A disk that fills up during a build or a grading run (a real tmpfs, full): a clear message naming
the file, exit status 2, no half-written file, and the gradebook as it was."""

import shutil

import pytest

from click.testing import CliRunner

from quizgen.cli import main
from quizgen.grade.gradebook import FILE_NAME, Gradebook
from quizgen.grade.run import grade_build
from tests.quizgen.grade.exams import build_exam
from tests.quizgen.grade.test_run import SPEC, key_rows, write_csv
from tests.quizgen.mounts import fill, small_tmpfs


def half_written(folder):
    return sorted(str(p) for p in folder.rglob("*.part"))


def test_a_build_on_a_full_disk_says_so_and_leaves_no_half_file(tmp_path):
    (tmp_path / "spec.toml").write_text(SPEC)
    (tmp_path / "roster.csv").write_text("student_id,name\n" + "".join(f"{i:03},S{i}\n" for i in range(1, 9)))
    with small_tmpfs("1m") as disk:
        fill(disk, leave=120_000)
        out = disk / "out"
        result = CliRunner().invoke(main, ["build", str(tmp_path / "spec.toml"), "--roster", str(tmp_path / "roster.csv"),
                                           "--out", str(out), "--secret-file", str(tmp_path / "k" / "s"),
                                           "--format", "html", "--jobs", "1", "--quiet"])
        assert result.exit_code == 2, result.output
        assert "the disk is full" in result.output and str(out) in result.output
        assert not isinstance(result.exception, OSError)
        assert half_written(disk) == [] and not (out / "manifest.json").exists()


@pytest.mark.parametrize("room", [8_000, 300_000])  # no room to open the gradebook; none to store the rows
def test_grading_on_a_full_disk_says_so_and_stores_nothing(tmp_path, room):
    with small_tmpfs("4m") as disk:
        out = build_exam(disk, SPEC)
        grade_build(out, [out / "key.csv"], feedback=())
        header, key = key_rows(out)
        rows = [[dict(key["001"], Q2a=str(i) + " x" * 100)[h] for h in header] for i in range(3000)]
        sub = write_csv(tmp_path / "many.csv", header, rows)  # the submissions file lives elsewhere
        with Gradebook(out / FILE_NAME) as book:
            before = book.db.execute("SELECT COUNT(*) FROM submission").fetchone()[0]
        grades = (out / "grades.csv").read_bytes()
        fill(disk, leave=room)
        result = CliRunner().invoke(main, ["grade", str(out), str(sub), "--feedback", "none"])
        assert result.exit_code == 2, result.output
        assert "the disk is full" in result.output and FILE_NAME in result.output, result.output
        assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
        (disk / "filler").unlink()
        assert half_written(disk) == []
        assert (out / "grades.csv").read_bytes() == grades
        with Gradebook(out / FILE_NAME) as book:
            assert book.db.execute("SELECT COUNT(*) FROM submission").fetchone()[0] == before
            assert len(book.runs()) == 1
        shutil.rmtree(out)
