"""What grade is given, as the files it reads: files, folders, an LMS's download-all zip."""

import io
import zipfile

import pytest

from quizgen.errors import InputError
from quizgen.grade.inputs import submission_files

SHEET = "student_id,Q1a\n{sid},0.5\n"


def zipped(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_a_moodle_download_all_zip_gives_each_students_file(tmp_path):
    # Moodle: a folder per student; a Mac that re-zipped it adds __MACOSX and ._ files
    (tmp_path / "moodle.zip").write_bytes(zipped({
        "Ada Lovelace_1234_assignsubmission_file/answers-q-001.csv": SHEET.format(sid="001"),
        "Alan Turing_1235_assignsubmission_file/answers-q-002.csv": SHEET.format(sid="002"),
        "__MACOSX/Ada Lovelace_1234_assignsubmission_file/._answers-q-001.csv": "junk",
        "Alan Turing_1235_assignsubmission_file/notes.pdf": "%PDF",
    }))
    files = submission_files([tmp_path / "moodle.zip"])
    assert [f.name for f in files] == [
        f"{tmp_path / 'moodle.zip'}: Ada Lovelace_1234_assignsubmission_file/answers-q-001.csv",
        f"{tmp_path / 'moodle.zip'}: Alan Turing_1235_assignsubmission_file/answers-q-002.csv"]
    assert files[1].data.decode() == SHEET.format(sid="002")


def test_a_canvas_zip_and_a_folder_and_a_file_together(tmp_path):
    (tmp_path / "canvas.zip").write_bytes(zipped({
        "lovelaceada_1234_5678_answers-q-001.csv": SHEET.format(sid="001"),
        "turingalan_LATE_1235_5679_answers-q-002.csv": SHEET.format(sid="002")}))
    folder = tmp_path / "forms"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.csv").write_text(SHEET.format(sid="003"))
    (folder / "sub" / "a.csv").write_text(SHEET.format(sid="004"))
    (folder / ".hidden.csv").write_text("x")
    (folder / "readme.md").write_text("x")
    (tmp_path / "one.csv").write_text(SHEET.format(sid="005"))
    files = submission_files([tmp_path / "canvas.zip", folder, tmp_path / "one.csv"])
    assert [f.name.replace(": ", "/").rsplit("/", 1)[-1] for f in files] == [
        "lovelaceada_1234_5678_answers-q-001.csv", "turingalan_LATE_1235_5679_answers-q-002.csv",
        "b.csv", "a.csv", "one.csv"]
    assert files[-1].data is None and files[-1].path == tmp_path / "one.csv"  # read from disk as always


def test_a_workbook_is_a_file_not_an_archive(tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl (a test extra) is not installed")
    book = openpyxl.Workbook()
    book.active.append(["student_id", "Q1a"])
    book.save(tmp_path / "forms.xlsx")
    files = submission_files([tmp_path / "forms.xlsx"])
    assert len(files) == 1 and files[0].name == str(tmp_path / "forms.xlsx")
    assert files[0].data == (tmp_path / "forms.xlsx").read_bytes()  # read once, not unpacked


@pytest.mark.parametrize("make, message", [
    (lambda d: (d / "empty").mkdir(), "is a folder with no .csv"),
    (lambda d: (d / "empty.zip").write_bytes(zipped({"a.pdf": "x"})), "holds no .csv"),
    (lambda d: (d / "bad.zip").write_bytes(b"PK\x03\x04" + b"\0" * 40), "damaged zip"),
])
def test_what_holds_nothing_to_grade_is_refused_by_name(tmp_path, make, message):
    make(tmp_path)
    target = next(tmp_path.iterdir())
    with pytest.raises(InputError, match=message) as err:
        submission_files([target])
    assert target.name in str(err.value)


def test_a_member_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    import quizgen.grade.inputs

    monkeypatch.setattr(quizgen.grade.inputs, "MAX_MEMBER", 1000)
    (tmp_path / "big.zip").write_bytes(zipped({"a.csv": "x" * 2000}))
    with pytest.raises(InputError, match="a.csv unpacks to"):
        submission_files([tmp_path / "big.zip"])
