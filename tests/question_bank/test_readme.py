"""question_bank/README.md is the template author's page: its example template must work as written."""

import re

from quizgen.bank.check import check_template
from quizgen.bank.loader import BUNDLED, load_bank
from quizgen.bank.marking import grade
from quizgen.bank.seeds import rng_for

README = BUNDLED / "README.md"
# a template example is a fenced block that says where the file goes: ```python title="topic/name.py"
EXAMPLE = re.compile(r'^```python title="([^"]+)"\n(.*?)^```$', re.S | re.M)


def readme_bank(folder):
    """The README's example templates written under ``folder``; their ids."""
    examples = EXAMPLE.findall(README.read_text(encoding="utf-8"))
    assert examples, "the README shows no template example"
    for path, code in examples:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(code, encoding="utf-8")
    return [path.removesuffix(".py").replace("/", ".") for path, _ in examples]


def test_the_readme_example_loads_draws_marks_its_key_and_passes_the_check(tmp_path):
    ids = readme_bank(tmp_path)
    bank = load_bank([tmp_path], include_bundled=False)
    assert bank.errors == []
    assert sorted(bank.templates) == sorted(ids)
    for template in bank.templates.values():
        variant = template.draw(rng_for(3), "3")
        typed = {p.name: p.kind.format(p.kind.from_json(variant.answers[p.name])) for p in template.parts}
        result = grade(template, variant, typed)
        assert result.earned == result.possible > 0
        report = check_template(template, seeds=50)
        assert report.ok, report.failures


def test_the_template_the_readme_says_to_copy_exists():
    text = README.read_text(encoding="utf-8")
    named = re.findall(r"`question_bank/(\w+/\w+\.py)`", text)
    assert "rnn/forward_two_steps.py" in named
    assert all((BUNDLED / path).is_file() for path in named)
