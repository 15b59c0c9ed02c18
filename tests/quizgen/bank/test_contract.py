"""The template contract is enforced where an instructor's own template is loaded and checked.

A copy of the template the README tells authors to copy, changed as an author would change it:
``DECIMALS = 3`` with the parts left at their 4 decimals (answers rounded to 3 decimals, as the
stem asks, lost marks), and a ``Part.uses`` that leaves out the part the answer depends on (error
carried forward from it was silently denied). Both are refused, naming the file or the part.
"""

from click.testing import CliRunner

from quizgen.bank.check import check_template, uses_problems
from quizgen.bank.loader import BUNDLED, load_bank, load_template
from quizgen.bank.marking import grade
from quizgen.bank.seeds import rng_for
from quizgen.cli import main

ORIGINAL = (BUNDLED / "rnn" / "forward_two_steps.py").read_text(encoding="utf-8")


def copy(tmp_path, name: str, *replacements) -> tuple:
    """The bundled forward_two_steps.py copied into a bank folder ``mine`` with ``replacements``."""
    text = ORIGINAL
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    folder = tmp_path / "mine"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return folder, path


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# -- DECIMALS and each part's decimals --------------------------------------------------------------

def test_a_copy_with_decimals_3_and_parts_at_4_decimals_is_refused_naming_file_and_part(tmp_path):
    folder, path = copy(tmp_path, "three", ("DECIMALS = 4", "DECIMALS = 3"))
    bank = load_bank([folder], include_bundled=False)
    assert "mine.three" not in bank.templates
    assert len(bank.errors) == 1
    error = bank.errors[0]
    assert str(path) in error and "part 'h1'" in error and "DECIMALS = 3" in error and "decimals=3" in error
    result = run("check", "mine.three", "--seeds", "2", "--bank", str(folder))
    assert result.exit_code == 2  # the template is refused (exit 1 is "checked, and something needs a look")
    assert "part 'h1' is compared at 4 decimals but DECIMALS = 3" in result.output


def test_with_the_parts_at_3_decimals_too_answers_rounded_to_3_decimals_earn_full_marks(tmp_path):
    folder, path = copy(tmp_path, "three", ("DECIMALS = 4", "DECIMALS = 3"),
                        ('Vector(2), label="h_1"', 'Vector(2, decimals=3), label="h_1"'),
                        ('Vector(2), label="h_2"', 'Vector(2, decimals=3), label="h_2"'))
    template = load_template(path)
    full = 0
    for seed in range(40):
        variant = template.draw(rng_for(seed), str(seed))
        # rounded to 3 decimals from the exact key, half away from zero as a calculator does
        typed = {name: ", ".join(f"{float(x):.3f}" for x in variant.answers[name]) for name in ("h1", "h2")}
        result = grade(template, variant, typed)
        full += result.earned == result.possible
    assert full == 40


def test_a_part_at_fewer_decimals_than_decimals_loads(tmp_path):
    """Fewer decimals (an exact value such as a max-pooled entry) cost no answer rounded as asked."""
    folder, path = copy(tmp_path, "coarse", ('Vector(2), label="h_1"', 'Vector(2, decimals=2), label="h_1"'))
    assert load_template(path).part("h1").kind.decimals == 2


# -- Part.uses --------------------------------------------------------------------------------------

def test_check_bank_fails_a_planted_uses_that_leaves_out_the_part_it_depends_on(tmp_path):
    folder, _ = copy(tmp_path, "wrong_uses", ('label="h_2", points=1)', 'label="h_2", points=1, uses=())'))
    result = run("check", "mine.wrong_uses", "--seeds", "5", "--bank", str(folder))
    assert result.exit_code == 1, result.output
    assert "0 of 1 templates passed" in result.output
    assert "part h2: uses does not name h1, yet seed 0, wrong value 1 of h1: h2 became" in result.output
    assert "error carried forward from h1 would be denied" in result.output


def test_check_bank_passes_the_copy_when_uses_is_right(tmp_path):
    folder, _ = copy(tmp_path, "right_uses", ('label="h_2", points=1)', 'label="h_2", points=1, uses=("h1",))'))
    result = run("check", "mine.right_uses", "--seeds", "5", "--bank", str(folder))
    assert result.exit_code == 0, result.output
    assert "1 of 1 templates passed" in result.output


def test_a_declared_part_that_never_changes_the_answer_is_reported(tmp_path):
    text = '''
from quizgen.bank import Number, Part

TITLE = "Three numbers"
VERSION = 1
PARTS = [Part("a", Number(4)), Part("b", Number(4)), Part("c", Number(4), uses=("a", "b"))]
STEM = "x = {{ p.x }}"
SOLUTION = "c = {{ key.c }}"


def generate(rng):
    return {"x": float(rng.integers(1, 9))}


def solve(p, work):
    a = work.answer("a", p["x"] / 3)
    work.answer("b", p["x"] / 7)
    work.answer("c", 2 * a)
'''
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "idle.py").write_text(text, encoding="utf-8")
    template = load_template(tmp_path / "mine" / "idle.py")
    drawn = [(f"seed {s}", template.draw(rng_for(s), str(s))) for s in range(5)]
    assert uses_problems(template, drawn) == [
        "part c: uses names b, but no wrong value of b changed it in 5 draws (remove it, or check with more seeds)"]
    report = check_template(template, seeds=5)
    assert [message for _, message in report.failures] == uses_problems(template, drawn)
    assert report.failures[0][0] == "0-4"
