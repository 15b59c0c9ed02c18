"""What grade and verify accept from a build folder: an edited key or manifest, banks the manifest
names, a question or student removed, a page edited with its hash updated, a secret reached through
a symlink inside the folder."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from quizgen.builddir import KEY_FILE, MANIFEST, gradingkey
from quizgen.cli import main
from quizgen.errors import InputError
from quizgen.papers.builder import build
from quizgen.papers.verify import verify
from tests.quizgen.grade.exams import build_exam
from tests.quizgen.grade.test_run import SPEC, grades

QUESTION_BANK = Path(__file__).resolve().parents[3] / "question_bank"


@pytest.fixture
def exam(tmp_path):
    return build_exam(tmp_path, SPEC, formats=("html",))


def secret_of(out):
    return out.parent / "k" / "s"


def grade(out, *more):
    return CliRunner().invoke(main, ["grade", str(out), str(out / "key.csv"), "--feedback", "none", *more])


def rewrite_manifest(out, change, keep_key=True):
    """manifest.json changed by ``change(dict)`` and written back as the build writes it (one student a
    line); the key file deleted unless ``keep_key`` (then grading would remake it from the manifest)."""
    from quizgen.builddir.manifest import manifest_text

    manifest = json.loads((out / MANIFEST).read_text())
    change(manifest)
    (out / MANIFEST).write_text(manifest_text(manifest)[0])
    if not keep_key:
        (out / KEY_FILE).unlink()


def test_an_edited_grading_key_whose_stamp_still_matches_is_refused(exam):
    key = gradingkey.from_bytes((exam / KEY_FILE).read_bytes())
    numeric = next(g for g in key.groups if g.mode == "numeric")
    numeric.key = numeric.key + 1.0  # every student's key for one blank, moved; the stamp and digest kept
    (exam / KEY_FILE).write_bytes(gradingkey.to_bytes(key))
    result = grade(exam)
    assert result.exit_code == 2, result.output
    assert f"{KEY_FILE}: is not the grading key this exam was built with" in result.output
    assert not (exam / "grades.csv").exists()


def test_an_edited_manifest_is_refused_not_quietly_remade_into_a_key(exam):
    def renamed(manifest):
        manifest["students"][0]["questions"][0]["parts"][0]["points"] = 0.25

    rewrite_manifest(exam, renamed)
    result = grade(exam)
    assert result.exit_code == 2 and f"{MANIFEST}: is not the manifest this exam was built with" in result.output
    assert not (exam / "grades.csv").exists()


def test_a_manifest_with_a_question_removed_is_refused_by_grade_and_failed_by_verify(exam):
    def removed(manifest):
        manifest["students"][1]["questions"].pop()

    rewrite_manifest(exam, removed, keep_key=False)
    result = grade(exam)
    assert result.exit_code == 2 and "does not have every question" in result.output, result.output
    assert not isinstance(result.exception, KeyError)
    problems = verify(exam, secret_of(exam)).problems
    assert any("HMAC differs" in p for p in problems) and any("questions" in p for p in problems), problems


def test_verify_of_a_manifest_with_a_student_removed_reports_it(exam):
    def removed(manifest):
        del manifest["students"][2]

    rewrite_manifest(exam, removed, keep_key=False)
    problems = verify(exam, secret_of(exam)).problems
    assert any("no paper" in p for p in problems), problems
    result = grade(exam)
    assert result.exit_code == 2 and "has no paper" in result.output


def test_an_exam_page_edited_with_its_hash_updated_fails_verify(exam):
    import hashlib

    page = exam / "exams" / "001.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>answer: 42</p></body>"))

    def rehashed(manifest):
        manifest["files"]["exams/001.html"] = hashlib.sha256(page.read_bytes()).hexdigest()

    rewrite_manifest(exam, rehashed)
    problems = verify(exam, secret_of(exam)).problems
    assert any("HMAC differs" in p for p in problems), problems
    assert verify(exam.parent / "out", secret_of(exam)).problems  # and stays failed


def test_the_build_verifies_and_grades_with_its_secret(exam):
    assert verify(exam, secret_of(exam)).problems == []
    result = grade(exam, "--secret-file", str(secret_of(exam)))
    assert result.exit_code == 0, result.output


def test_grade_with_the_secret_refuses_a_manifest_the_build_did_not_write_even_without_its_key(exam, tmp_path):
    def renamed(manifest):
        manifest["students"][0]["name"] = "Mallory"

    rewrite_manifest(exam, renamed, keep_key=False)
    result = grade(exam, "--secret-file", str(secret_of(exam)))
    assert result.exit_code == 2 and "HMAC differs" in result.output
    other = tmp_path / "other.secret"
    other.write_text("f" * 64)
    other.chmod(0o600)
    assert "HMAC differs" in grade(exam, "--secret-file", str(other)).output
    without = grade(exam)  # without the secret: graded, and told loudly that the key was remade
    assert without.exit_code == 0 and "remade" in without.output


def evil_bank(root: Path) -> tuple[Path, Path]:
    """A folder whose template writes a marker file when it is imported."""
    marker = root / "marker"
    folder = root / "evil" / "pwn"
    folder.mkdir(parents=True)
    (folder / "payload.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    return folder.parent, marker


def test_grade_and_verify_never_run_code_from_banks_the_manifest_names(exam, tmp_path):
    folder, marker = evil_bank(tmp_path)

    def named(manifest):
        manifest["spec"]["banks"] = [str(folder)]

    rewrite_manifest(exam, named, keep_key=False)
    runner = CliRunner()
    graded = grade(exam)
    assert graded.exit_code == 0, graded.output
    verified = runner.invoke(main, ["verify", str(exam), "--secret-file", str(secret_of(exam))])
    feedback = runner.invoke(main, ["feedback", str(exam)])
    report = runner.invoke(main, ["report", str(exam), "--json"])
    regraded = runner.invoke(main, ["regrade", str(exam), "--feedback", "none"])
    assert not marker.exists(), "code from a folder the manifest names was run"
    assert verified.exit_code == 1 and "HMAC differs" in verified.output
    assert (feedback.exit_code, report.exit_code, regraded.exit_code) == (0, 0, 0), feedback.output + report.output


def test_an_exam_with_its_own_bank_is_graded_with_bank_from_the_command_line(tmp_path):
    bank = tmp_path / "mybank"
    (bank / "mine").mkdir(parents=True)
    shutil.copy(QUESTION_BANK / "cnn" / "conv_output_shape.py", bank / "mine" / "shape.py")
    spec = SPEC.replace('ids = ["rnn.forward_two_steps", ', 'ids = ["mine.shape", ') \
        .replace('exam_id = "graded-quiz"', f'exam_id = "graded-quiz"\nbanks = [{str(bank)!r}]')
    out = build_exam(tmp_path, spec)
    without = grade(out)
    assert without.exit_code == 2 and "mine.shape" in without.output and "--bank" in without.output
    assert grade(out, "--bank", str(bank)).exit_code == 0
    assert set(grades(out)["001"]) and grades(out)["001"]["percent"] == "100.0"
    (bank / "mine" / "shape.py").write_text((bank / "mine" / "shape.py").read_text() + "\n# changed\n")
    changed = grade(out, "--bank", str(bank))
    assert "mine.shape" in changed.output and "not the file the exam was built with" in changed.output


def test_a_secret_reached_through_a_symlink_inside_the_build_folder_is_refused(tmp_path):
    (tmp_path / "spec.toml").write_text(SPEC)
    (tmp_path / "roster.csv").write_text("student_id,name\n001,Ada\n")
    out, keys = tmp_path / "out", tmp_path / "keys"
    out.mkdir()
    keys.mkdir()
    (out / "keys").symlink_to(keys)  # zip -r or cp -L of the build folder would ship what it leads to
    with pytest.raises(InputError, match="outside the build directory"):
        build(tmp_path / "spec.toml", tmp_path / "roster.csv", out, secret_file=out / "keys" / "s",
              formats=(), force=True, quiet=True)
    assert not (keys / "s").exists()
    np.testing.assert_equal(sorted(p.name for p in out.iterdir()), ["keys"])


def test_a_symlink_inside_the_build_folder_leading_to_the_secret_is_refused(tmp_path):
    (tmp_path / "spec.toml").write_text(SPEC)
    (tmp_path / "roster.csv").write_text("student_id,name\n001,Ada\n")
    out, secret = tmp_path / "out", tmp_path / "keys" / "s"
    build(tmp_path / "spec.toml", tmp_path / "roster.csv", out, secret_file=secret, formats=(), quiet=True)
    (out / "exams").mkdir(exist_ok=True)
    (out / "exams" / "notes").symlink_to(secret.parent)
    with pytest.raises(InputError, match="links to the secret file"):
        build(tmp_path / "spec.toml", tmp_path / "roster.csv", out, secret_file=secret, formats=(), force=True,
              quiet=True)
    assert "links to the secret file" in CliRunner().invoke(
        main, ["verify", str(out), "--secret-file", str(secret)]).output
