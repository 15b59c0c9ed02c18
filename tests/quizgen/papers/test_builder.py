"""quizgen build / verify: the build directory contract, bad input, secrecy, real PDF and browser output."""

import json
import os
import re
import shutil
import stat
import subprocess

import pytest
from click.testing import CliRunner

from quizgen.papers.builder import build
from quizgen.papers.verify import verify
from quizgen.builddir import BuildDir
from quizgen.cli import main
from quizgen.errors import InputError
from quizgen.tables import read_table
from quizgen.files import write_atomic
from quizgen.bank.marking import grade
from quizgen.bank.loader import load_bank
from quizgen.bank.question import Variant
from quizgen.papers.spec import load_or_create_secret, load_roster, load_spec

SPEC = """
title = "Test quiz"
course = "DL"
date = "2026-12-01"
duration = "30 minutes"
exam_id = "test-quiz"
instructions = "Answer *everything*."

[[section]]
title = "Numeric"
ids = ["rnn.forward_two_steps", "cnn.conv_output_shape", "rbm.cd1_update"]
points = 4

[[section]]
title = "Choice form"
ids = ["lstm.cell_step"]
form = "choice"

[[section]]
title = "Concepts"
ids = ["lstm.concept.forget_gate_role", "lstm.concept.cell_path_gradient"]
shuffle = true
"""
ROSTER = "student_id,name,email\n007,Ada <b>Lovelace</b>,ada@x.edu\ns2,=HYPERLINK(\"x\"),b@x.edu\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("build")
    (root / "spec.toml").write_text(SPEC)
    (root / "roster.csv").write_text(ROSTER)
    report = build(root / "spec.toml", root / "roster.csv", root / "out", secret_file=root / "keys" / "s.secret",
                   formats=("html", "pdf"), quiet=True, solutions=("html", "pdf"))
    return root, report


def test_build_directory_contract(built):
    root, report = built
    out = root / "out"
    for sid in ("007", "s2"):
        for folder in ("exams", "solutions"):
            for ext in ("html", "pdf"):
                assert (out / folder / f"{sid}.{ext}").stat().st_size > 1000
    for name in ("manifest.json", "key.csv", "answer-sheet.csv", "key.pdf", "all-exams.pdf"):
        assert (out / name).exists(), name
    key, sheet = read_table(out / "key.csv"), read_table(out / "answer-sheet.csv")
    assert key.header == sheet.header and key.header[:2] == ["student_id", "name"]
    assert [r["student_id"] for _, r in key.rows] == ["007", "s2"]  # leading zeros kept
    assert all(all(v == "" for k, v in r.items() if k.startswith("Q")) for _, r in sheet.rows)
    # the spreadsheet formula in a name is neutralised
    assert key.rows[1][1]["name"].startswith("'=")
    assert not list(out.rglob("*.part"))


def test_perfect_submission_is_the_key(built):
    """Grading each key.csv row against the frozen manifest gives every gradable part full credit."""
    root, _ = built
    manifest = BuildDir(root / "out").manifest()
    bank = load_bank()
    key = {r["student_id"]: r for _, r in read_table(root / "out" / "key.csv").rows}
    for student in manifest["students"]:
        for q in student["questions"]:
            template = bank.get(q["template_id"])
            variant = Variant.from_json(q["variant"])
            responses = {p["name"]: key[student["id"]][p["column"]] for p in q["parts"]}
            result = grade(template, variant, responses)
            assert result.earned == result.possible, (q["template_id"], result)


def test_key_intervals_csv_holds_every_accepted_interval(built):
    """key-intervals.csv: the key.csv header; a numeric blank's cell is "lo to hi" around its key,
    each end accepted, and one unit beyond each end not; a letter or a whole number is empty."""
    root, _ = built
    out = root / "out"
    key, intervals = read_table(out / "key.csv"), read_table(out / "key-intervals.csv")
    assert intervals.header == key.header
    manifest = BuildDir(out).manifest()
    bank = load_bank()
    rows = {r["student_id"]: r for _, r in intervals.rows}
    seen = 0
    for student in manifest["students"]:
        for q in student["questions"]:
            template = bank.get(q["template_id"])
            variant = Variant.from_json(q["variant"])
            for p in q["parts"]:
                cell = rows[student["id"]][p["column"]]
                part = template.part(p["name"])
                if p["name"] in variant.choices or not part.kind.numeric or part.kind.exact:
                    assert cell == ""
                    continue
                if "[" in cell:
                    continue
                lo, hi = (float(x.lstrip("'")) for x in cell.split(" to "))  # a leading - is quoted
                assert lo <= variant.answers[p["name"]] <= hi
                typed = {x.name: x.kind.format(x.kind.from_json(variant.answers[x.name])) for x in template.parts}
                for value, right in ((lo, True), (hi, True), (lo - 1.5e-4, False), (hi + 1.5e-4, False)):
                    graded = grade(template, variant, typed | {p["name"]: f"{value:.6f}"}, ecf=False)
                    assert (next(r for r in graded.parts if r.part == p["name"]).status == "correct") == right
                seen += 1
    assert seen


def test_manifest_freezes_everything(built):
    root, _ = built
    m = BuildDir(root / "out").manifest()
    assert m["exam_id"] == "test-quiz" and m["versions"]["quizgen"]
    assert len(m["students"]) == 2 and len(m["students"][0]["questions"]) == 6
    q = m["students"][0]["questions"][0]
    assert set(q["variant"]) >= {"params", "answers", "steps", "hand_answers", "mistakes"}
    assert q["parts"][0]["column"] == "Q1a"
    choice_q = next(q for q in m["students"][0]["questions"] if q["template_id"] == "lstm.cell_step")
    assert choice_q["variant"]["choices"]
    assert "s.secret" not in json.dumps(m) or "keys" not in json.dumps(m)  # no secret material


def test_html_is_self_contained_with_mathml_and_escaped_names(built):
    root, _ = built
    page = (root / "out" / "exams" / "007.html").read_text()
    # one inline script, the answer sheet's own (no src: nothing loaded from anywhere)
    assert page.count("<script") == 1 and "<script>" in page and " src=" not in page.split("<script>")[1]
    text = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    assert "<math" in text and "$" not in text.replace("\\$", "")
    assert "http://" not in page.replace("http://www.w3.org/1998/Math/MathML", "")
    assert "<script" not in (root / "out" / "solutions" / "007.html").read_text()
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in page and "<b>Lovelace" not in page
    assert "@font-face" in page
    header = read_table(root / "out" / "answer-sheet.csv").header[2:]
    for column in header:
        assert f">{column}<" in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_pdf_text_has_student_id_and_every_blank(built):
    root, _ = built
    text = subprocess.run(["pdftotext", "-layout", str(root / "out" / "exams" / "007.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "007" in text and "Test quiz" in text and "page 1 of" in text
    for column in read_table(root / "out" / "answer-sheet.csv").header[2:]:
        assert column in text
    allpdf = subprocess.run(["pdfinfo", str(root / "out" / "all-exams.pdf")], capture_output=True,
                            text=True, check=True).stdout
    one = subprocess.run(["pdfinfo", str(root / "out" / "exams" / "007.pdf")], capture_output=True,
                         text=True, check=True).stdout
    pages = lambda info: int(next(l for l in info.splitlines() if l.startswith("Pages:")).split()[1])
    assert pages(allpdf) > pages(one)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium is not installed")
def test_html_exam_screenshot_in_chromium(built, tmp_path):
    root, _ = built
    shot = tmp_path / "exam.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=900,1400",
                    f"--screenshot={shot}", (root / "out" / "exams" / "007.html").as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.exists()
    from PIL import Image

    image = Image.open(shot).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 5000  # a rendered page with text and math, not a blank or an error page


def test_verify_passes_then_detects_tampering(built, tmp_path):
    root, _ = built
    copy = tmp_path / "out"
    shutil.copytree(root / "out", copy)
    assert verify(copy, root / "keys" / "s.secret").problems == []
    (copy / "key.csv").write_text("tampered")
    problems = verify(copy, root / "keys" / "s.secret").problems
    assert any("key.csv" in p for p in problems)
    other = tmp_path / "other.secret"
    load_or_create_secret(other)
    assert "not the secret" in verify(copy, other).problems[0]


def test_verify_detects_a_grading_key_that_is_not_the_manifests(built, tmp_path):
    from quizgen.builddir import gradingkey

    root, _ = built
    copy = tmp_path / "out"
    shutil.copytree(root / "out", copy)
    key = gradingkey.from_bytes((copy / gradingkey.FILE_NAME).read_bytes())
    numeric = next(g for g in key.groups if g.mode == "numeric")
    numeric.key = numeric.key + 0.5           # a key changed after the build, the manifest's hash kept
    key.offsets = key.offsets[::-1].copy()    # and questions looked up in the wrong places
    (copy / gradingkey.FILE_NAME).write_bytes(gradingkey.to_bytes(key))
    problems = verify(copy, root / "keys" / "s.secret").problems
    assert any(f"{numeric.column}: key differs" in p for p in problems)
    assert any("not the grading key this exam was built with" in p for p in problems)
    key = gradingkey.from_bytes(root / "out" / gradingkey.FILE_NAME)
    key.params.spans[0, 0] = key.params.spans[1, 0]  # only the params of one question looked up elsewhere
    (copy / gradingkey.FILE_NAME).write_bytes(gradingkey.to_bytes(key))
    problems = verify(copy, root / "keys" / "s.secret").problems
    assert problems == [f"{gradingkey.FILE_NAME}: is not the grading key this exam was built with (its contents are "
                        f"not those manifest.json records: edited since?); delete it (grading remakes it from "
                        f"manifest.json) and run quizgen verify"]
    (copy / gradingkey.FILE_NAME).write_bytes(b"PK\x03\x04 truncated")
    assert "cannot be read" in verify(copy, root / "keys" / "s.secret").problems[0]


def test_secret_file_is_owner_only_and_outside_the_build(built, tmp_path):
    root, _ = built
    mode = stat.S_IMODE((root / "keys" / "s.secret").stat().st_mode)
    assert mode == 0o600
    with pytest.raises(InputError, match="outside the build directory"):
        load_or_create_secret(tmp_path / "out" / "s.secret", build_dir=tmp_path / "out")
    loose = tmp_path / "loose.secret"
    loose.write_text("a" * 64)
    os.chmod(loose, 0o644)
    with pytest.raises(InputError, match="readable by others"):
        load_or_create_secret(loose)


def test_same_secret_same_exam_other_secret_other_exam(built, tmp_path):
    root, _ = built
    again = build(root / "spec.toml", root / "roster.csv", tmp_path / "again", secret_file=root / "keys" / "s.secret",
                  formats=("html",), quiet=True)
    assert (tmp_path / "again" / "key.csv").read_bytes() == (root / "out" / "key.csv").read_bytes()
    assert again.students == 2
    build(root / "spec.toml", root / "roster.csv", tmp_path / "other", secret_file=tmp_path / "new.secret",
          formats=("html",), quiet=True)
    assert (tmp_path / "other" / "key.csv").read_bytes() != (root / "out" / "key.csv").read_bytes()


def test_non_empty_directory_needs_force(built, tmp_path):
    root, _ = built
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty; add --force"):
        build(root / "spec.toml", root / "roster.csv", out, secret_file=root / "keys" / "s.secret",
              formats=("html",), quiet=True)
    build(root / "spec.toml", root / "roster.csv", out, secret_file=root / "keys" / "s.secret",
          formats=("html",), quiet=True, force=True)
    assert (out / "keep.txt").read_text() == "mine" and (out / "key.csv").exists()


def test_write_atomic_leaves_no_half_file(tmp_path, monkeypatch):
    target = tmp_path / "f.pdf"
    target.write_bytes(b"old complete file")

    def broken_fsync(fd):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_atomic(target, b"new" * 1000)
    assert target.read_bytes() == b"old complete file"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("content,message", [
    ("student_id,name\n1,A\n1,B\n", "row 3, column 'student_id': student id '1' is already on row 2"),
    ("student_id,name\n,A\n", "row 2, column 'student_id': the student id is empty"),
    ("matric;full\n1;A\n", "no student id column"),
    ("student_id,name\n1,A,extra,cells\n", "row 2: has 4 cells but the header has 2"),
    ("", "the file is empty"),
    ("student_id,name\na/b,A\n", "cannot be a file name"),
])
def test_bad_rosters_name_the_row(tmp_path, content, message):
    path = tmp_path / "roster.csv"
    path.write_text(content)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_roster(path)


def test_forgiving_rosters(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("\ufeffStudent ID;Name;Group\n0042;José Núñez;A\n".encode("utf-8"))
    students, notices = load_roster(path)
    assert students[0].id == "0042" and students[0].name == "José Núñez" and students[0].extra == {"Group": "A"}
    path.write_bytes("student_id\tname\n1\tJos\xe9\n".encode("latin-1"))
    students, notices = load_roster(path)
    assert students[0].name == "José" and "Windows-1252" in notices[0]
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError, match="not a text CSV"):
        load_roster(path)


@pytest.mark.parametrize("spec,message", [
    ('exam_id = "x"\n[[section]]\nids=["rnn.forward_two_steps"]\n', "'title' is required"),
    ('title = "t"\nexam_id = "x y"\n[[section]]\nids=["a"]\n', "may use only letters"),
    ('title = "t"\nexam_id = "x"\ncolour = "red"\n[[section]]\nids=["a"]\n', "unknown setting"),
    ('title = "t"\nexam_id = "x"\n', "no \\[\\[section\\]\\]"),
    ('title = "t"\nexam_id = "x"\n[[section]]\ntitle = "S"\ncount = 0\nids=["a"]\n', "section 1 \\('S'\\): 'count'"),
    ('title = "t"\nexam_id = "x"\n[[section]]\n', "pick questions"),
    ('title = "t\n', "not valid TOML"),
])
def test_bad_specs(tmp_path, spec, message):
    path = tmp_path / "spec.toml"
    path.write_text(spec)
    with pytest.raises(InputError, match=message):
        load_spec(path)


def test_unknown_template_in_spec_is_a_clear_error(tmp_path):
    (tmp_path / "spec.toml").write_text('title = "t"\nexam_id = "x"\n[[section]]\nids = ["rnn.nope"]\n')
    (tmp_path / "roster.csv").write_text("student_id,name\n1,A\n")
    result = CliRunner().invoke(main, ["build", str(tmp_path / "spec.toml"), "--roster", str(tmp_path / "roster.csv"),
                                       "--out", str(tmp_path / "out"), "--secret-file", str(tmp_path / "k")])
    assert result.exit_code == 2
    assert "section 1" in result.output and "no template 'rnn.nope'" in result.output
    assert "Traceback" not in result.output


def test_shuffle_needs_same_blank_count(tmp_path):
    (tmp_path / "spec.toml").write_text('title = "t"\nexam_id = "x"\n[[section]]\nshuffle = true\n'
                                        'ids = ["rnn.forward_two_steps", "lstm.cell_step"]\n')
    (tmp_path / "roster.csv").write_text("student_id,name\n1,A\n")
    with pytest.raises(InputError, match="same number of answer blanks"):
        build(tmp_path / "spec.toml", tmp_path / "roster.csv", tmp_path / "out", secret_file=tmp_path / "k",
              formats=("html",), quiet=True)
