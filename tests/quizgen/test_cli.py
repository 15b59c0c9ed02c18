"""The CLI through click's runner: list, show, check, help and errors."""

import json

import pytest
from click.testing import CliRunner

from quizgen import __version__
from quizgen.cli import main


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)
    return invoke


def test_version_and_help(run):
    assert __version__ in run("--version").output
    out = run("--help").output
    for command in ("list", "show", "check"):
        assert command in out
        assert "Example" in run(command, "--help").output


def test_list_table_and_json(run):
    result = run("list")
    assert result.exit_code == 0 and "rnn.forward_two_steps" in result.output
    rows = json.loads(run("list", "--json").output)
    assert any(r["id"] == "rnn.forward_two_steps" and r["kinds"] == ["vector"] for r in rows)
    bad = run("list", "--topic", "nonexistent")
    assert bad.exit_code != 0 and "no templates" in bad.output


def test_show_text_and_json(run):
    text = run("show", "rnn.forward_two_steps", "--seed", "3").output
    assert "Worked solution" in text and "hₜ = tanh" in text and "$" not in text
    data = json.loads(run("show", "rnn.forward_two_steps", "--seed", "3", "--json").output)
    assert set(data["params"]) == {"x", "h0", "W_xh", "W_hh", "b_h"}  # reference_impl argument names
    assert len(data["answers"]["h1"]) == 2 and "no_bias" in data["mistakes"]
    again = json.loads(run("show", "rnn.forward_two_steps", "--seed", "3", "--json").output)
    assert again == data


def test_show_unknown_id_is_a_clear_error(run):
    result = run("show", "rnn.nope")
    assert result.exit_code != 0 and "no template 'rnn.nope'" in result.output
    assert "Traceback" not in result.output


def test_check_passes_and_reports(run):
    result = run("check", "rnn.forward_two_steps", "--seeds", "20")
    assert result.exit_code == 0, result.output
    assert "1 of 1 templates passed" in result.output


def test_check_fails_on_a_bad_template(run, tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "bad.py").write_text('''
from quizgen.bank.kinds import Number
from quizgen.bank.question import Part
TITLE = "t"; VERSION = 1
PARTS = [Part("y", Number(decimals=2))]
MISTAKES = {"m": "a mistake that changes nothing visible"}
STEM = "{{ p.missing_param }}"; SOLUTION = "y"
def generate(rng):
    return {"x": 1.0}
def solve(p, work):
    work.answer("y", 2.0 if work.made("m") else 1.0)
''')
    result = run("check", "demo.bad", "--seeds", "3", "--bank", str(tmp_path))
    assert result.exit_code == 1
    assert "missing_param" in result.output


def test_practice_through_the_cli_with_piped_answers():
    runner = CliRunner()
    result = runner.invoke(main, ["practice", "--id", "lstm.concept.forget_gate_role", "-n", "1", "--seed", "5",
                                  "--solutions", "never"], input="Z\nA\n\nn\n")
    assert result.exit_code == 0, result.output
    assert "Cannot read that" in result.output and "Summary" in result.output
    assert "Traceback" not in result.output
    junk = runner.invoke(main, ["practice", "--topic", "rnn", "-n", "2", "--seed", "1"],
                         input="\x00\x01 ]]] 1e999 \u2212\n" * 5)
    assert junk.exit_code == 0 and "Traceback" not in junk.output


def test_export_and_html_practice_refuse_to_overwrite(tmp_path):
    runner = CliRunner()
    out = tmp_path / "quiz.xml"
    first = runner.invoke(main, ["export", "moodle", "examples/unit4-quiz.toml", "--variants", "1", "--out", str(out)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["export", "moodle", "examples/unit4-quiz.toml", "--variants", "1", "--out", str(out)])
    assert again.exit_code == 2 and "exists; add --force" in again.output
    page = tmp_path / "p.html"
    made = runner.invoke(main, ["practice", "--html", str(page), "--id", "rnn.forward_two_steps", "--variants", "2"])
    assert made.exit_code == 0 and page.stat().st_size > 10_000
