"""docs/spec.md is the spec's reference: its complete example builds, and it documents every setting."""

import re
from pathlib import Path

import pytest

from quizgen.errors import InputError
from quizgen.papers.builder import build
from quizgen.papers.spec import SECTION_KEYS, SPEC_KEYS, PrintSettings, load_spec

PAGE = Path(__file__).resolve().parents[3] / "docs" / "spec.md"


def example() -> str:
    return re.search(r"```toml\n(.*?)```", PAGE.read_text(), re.S).group(1)


def documented(table_heading: str) -> set:
    """The settings named in the first column of the table under a heading of docs/spec.md."""
    section = PAGE.read_text().split(table_heading, 1)[1].split("\n## ", 1)[0]
    return {name for row in re.findall(r"^\| (.+?) \|", section, re.M) for name in re.findall(r"`(\w+)`", row)}


def test_every_setting_is_documented():
    assert SPEC_KEYS - {"section", "print"} <= documented("## Settings of the exam")
    assert SECTION_KEYS <= documented("## Settings of a section")
    assert set(PrintSettings.__dataclass_fields__) <= documented("## Settings of `[print]`")


def test_the_complete_example_uses_every_setting_and_builds(tmp_path):
    text = example()
    used = set(re.findall(r"^(\w+) =", text, re.M))
    assert (SPEC_KEYS | SECTION_KEYS | set(PrintSettings.__dataclass_fields__)) - {"section", "print"} <= used
    folder = tmp_path / "exam"
    folder.mkdir()
    (tmp_path / "my_questions").mkdir()  # the example's extra bank, empty here
    from PIL import Image

    Image.new("RGB", (30, 12), (0, 60, 120)).save(folder / "logo.png")
    spec = folder / "spec.toml"
    spec.write_text(text.replace("~/.config/quizgen/unit4.secret", str(tmp_path / "unit4.secret")))
    (folder / "roster.csv").write_text("student_id,name\n1,Ada\n2,Alan\n")
    report = build(spec, folder / "roster.csv", tmp_path / "out", formats=("html",), quiet=True)
    assert report.students == 2 and report.questions == 6
    page = (tmp_path / "out" / "exams" / "1.html").read_text()
    assert "School of Computing" in page and "For the markers" in page and 'class="work"' in page


@pytest.mark.parametrize("selection, message", [
    ('topics = ["lstm", "rbms"]', "no topic 'rbms' (did you mean 'rbm'?)"),
    ('tags = ["calculater"]', "no tag 'calculater' (did you mean 'calculator'?)"),
])
def test_a_topic_or_tag_that_does_not_exist_is_refused(tmp_path, selection, message):
    (tmp_path / "spec.toml").write_text(f'title = "t"\nexam_id = "t"\n[[section]]\n{selection}\n')
    (tmp_path / "roster.csv").write_text("student_id,name\n1,Ada\n")
    with pytest.raises(InputError, match=re.escape(message)):
        build(tmp_path / "spec.toml", tmp_path / "roster.csv", tmp_path / "out", secret_file=tmp_path / "s",
              formats=(), quiet=True)
    assert load_spec(tmp_path / "spec.toml")  # the file itself is fine: the bank decides
