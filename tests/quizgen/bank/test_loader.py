"""Loading template files: id and topic from the file's place, clear errors for what cannot load."""

import textwrap

import pytest

from quizgen.bank.loader import BUNDLED, load_bank, load_template
from quizgen.bank.question import TemplateError

BODY = textwrap.dedent('''
    from quizgen.bank import Number, Part

    TITLE = "Twice x"
    VERSION = 1
    PARTS = [Part("y", Number(decimals=2))]
    STEM = "Compute $2x$ for $x = {{ p.x }}$."
    SOLUTION = "$2x = {{ key.y }}$"


    def generate(rng):
        return {"x": float(rng.integers(1, 9))}


    def solve(p, work):
        work.answer("y", 2 * p["x"])
''')


def write(folder, name, text=BODY):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_id_and_topic_come_from_the_folder_and_the_file_name(tmp_path):
    template = load_template(write(tmp_path / "algebra", "twice.py"))
    assert (template.id, template.topic) == ("algebra.twice", "algebra")


def test_a_template_directly_in_a_bank_folder_takes_the_folder_name_as_topic(tmp_path):
    write(tmp_path / "custom", "twice.py")
    write(tmp_path / "custom" / "algebra", "square.py")
    bank = load_bank([tmp_path / "custom"], include_bundled=False)
    assert bank.errors == []
    assert {t.id: t.topic for t in bank.templates.values()} == {"custom.twice": "custom",
                                                                "algebra.square": "algebra"}


def test_a_relative_bank_path_still_names_the_topic(tmp_path, monkeypatch):
    write(tmp_path / "algebra", "twice.py")
    monkeypatch.chdir(tmp_path / "algebra")
    bank = load_bank(["."], include_bundled=False)
    assert list(bank.templates) == ["algebra.twice"]


def test_an_id_and_topic_that_repeat_the_path_are_accepted(tmp_path):
    text = 'ID = "algebra.twice"\nTOPIC = "algebra"\n' + BODY
    template = load_template(write(tmp_path / "algebra", "twice.py", text))
    assert template.id == "algebra.twice"


@pytest.mark.parametrize("line, said", [('ID = "algebra.double"', "ID = 'algebra.double'"),
                                        ('TOPIC = "arithmetic"', "TOPIC = 'arithmetic'")])
def test_an_id_or_topic_that_disagrees_with_the_path_is_refused_naming_the_file(tmp_path, line, said):
    path = write(tmp_path / "algebra", "twice.py", line + "\n" + BODY)
    with pytest.raises(TemplateError) as raised:
        load_template(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: {said}") and "remove the" in message
    bank = load_bank([tmp_path], include_bundled=False)
    assert bank.templates == {} and bank.errors == [message]


@pytest.mark.parametrize("old, module, line", [
    ("from quizgen.question import Part, Redraw", "quizgen.question", "from quizgen.bank import Part, Redraw"),
    ("from quizgen.kinds import Number, Vector", "quizgen.kinds", "from quizgen.bank import Number, Vector"),
    ("from quizgen import draw", "quizgen.draw", "from quizgen.bank import draw"),
    ("from quizgen.stems import ENV", "quizgen.stems", "from quizgen.bank import ENV"),
    ("import quizgen.kinds", "quizgen.kinds", "from quizgen.bank import ... (the names the template uses)"),
], ids=["question", "kinds", "draw", "stems", "import"])
def test_a_pre_move_import_says_the_file_line_and_what_to_write(tmp_path, old, module, line):
    path = write(tmp_path / "algebra", "twice.py", '"""An old template."""\n\nimport numpy as np\n' + old + "\n")
    with pytest.raises(TemplateError) as raised:
        load_template(path)
    assert str(raised.value) == f"{path}, line 4: {module} moved into quizgen.bank; write `{line}` instead"


def test_a_pre_move_import_over_several_lines_names_its_first_line(tmp_path):
    path = write(tmp_path / "algebra", "twice.py", "from quizgen.kinds import (\n    Number,\n    Vector,\n)\n")
    with pytest.raises(TemplateError, match=r"line 1: quizgen.kinds moved into quizgen.bank; "
                                            r"write `from quizgen.bank import Number, Vector` instead"):
        load_template(path)


def test_other_import_errors_keep_their_own_message(tmp_path):
    path = write(tmp_path / "algebra", "twice.py", "import no_such_module_here\n")
    with pytest.raises(TemplateError, match="ModuleNotFoundError: No module named 'no_such_module_here'"):
        load_template(path)


def test_no_bundled_template_sets_id_or_topic():
    """The file's place is the id: a bundled template repeating it would be a second truth."""
    offending = [f"{path.relative_to(BUNDLED)}:{n}: {line}"
                 for path in sorted(BUNDLED.rglob("*.py")) if not path.name.startswith("_")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if line.split("=")[0].strip() in ("ID", "TOPIC")]
    assert offending == []
