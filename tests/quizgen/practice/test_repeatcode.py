"""Repeat codes: eight characters that name a practice variant, read back as typed by hand."""

import re

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from quizgen.bank.loader import load_bank
from quizgen.bank.seeds import rng_for
from quizgen.cli import main
from quizgen.practice import repeatcode
from quizgen.practice.repeatcode import RepeatCodeError, canonical, decode, encode, template_tag

IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz._0123456789", min_size=1, max_size=40)


@given(template_id=IDS, seed=st.integers(0, repeatcode.SEEDS - 1))
def test_codes_round_trip(template_id, seed):
    code = encode(template_id, seed)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", code)
    assert decode(code) == (template_tag(template_id), seed)
    # typed by hand: small letters, O for 0, I or L for 1, a dash or spaces
    typed = code.lower().replace("0", "o").replace("1", "l")
    assert decode(typed[:4] + "-" + typed[4:]) == decode(code) and canonical(f" {typed} ") == code


@pytest.mark.parametrize("bad", ["", "1234567", "123456789", "UUUUUUUU", "12345*78"])
def test_a_malformed_code_is_refused_with_an_example(bad):
    with pytest.raises(RepeatCodeError, match="is not a repeat code: 8 letters and digits, such as"):
        decode(bad)
    with pytest.raises(RepeatCodeError):
        encode("x", repeatcode.SEEDS)


def test_every_template_of_the_bank_has_its_own_tag():
    bank = load_bank()
    tags = {}
    for template_id in bank.templates:
        tags.setdefault(template_tag(template_id), []).append(template_id)
    assert len(tags) == len(bank.templates), [ids for ids in tags.values() if len(ids) > 1]


def test_a_code_draws_the_seed_show_draws_and_refuses_another_template():
    bank = load_bank()
    template = bank.get("rnn.forward_two_steps")
    code = encode(template.id, 7)
    assert repeatcode.draw(template, code).params == template.draw(rng_for(7), "7").params
    with pytest.raises(RepeatCodeError, match="is not one of lstm.cell_step"):
        repeatcode.draw(bank.get("lstm.cell_step"), code)


def test_show_code_and_practice_repeat_through_the_cli():
    runner = CliRunner()
    by_seed = runner.invoke(main, ["show", "rnn.forward_two_steps", "--seed", "7"])
    code = encode("rnn.forward_two_steps", 7)
    assert by_seed.exit_code == 0 and f"repeat code {code}" in by_seed.output.splitlines()[0]
    by_code = runner.invoke(main, ["show", "rnn.forward_two_steps", "--code", code.lower()])
    assert by_code.exit_code == 0, by_code.output
    assert by_code.output.splitlines()[1:] == by_seed.output.splitlines()[1:]
    wrong = runner.invoke(main, ["show", "lstm.cell_step", "--code", code])
    assert wrong.exit_code == 2 and "not one of lstm.cell_step" in wrong.output
    practised = runner.invoke(main, ["practice", "--repeat", code, "--solutions", "never"], input="q\n")
    assert practised.exit_code == 0, practised.output
    assert f"[rnn.forward_two_steps, rnn, repeat code {code}]" in practised.output
    unknown = runner.invoke(main, ["practice", "--repeat", "ZZZZZZZZ"])
    assert unknown.exit_code == 2 and "no template here has the repeat code" in unknown.output


@pytest.mark.parametrize("command", ["show", "practice"])
def test_the_help_examples_with_codes_run(command):
    runner = CliRunner()
    text = runner.invoke(main, [command, "--help"]).output
    lines = [line.strip() for line in text.splitlines()
             if line.strip().startswith("quizgen ") and re.search(r"--(code|repeat) [0-9A-Z]{8}", line)]
    assert lines, text
    for line in lines:
        args = line.split()[1:]
        result = runner.invoke(main, args, input="q\n")
        assert result.exit_code == 0, (line, result.output)
        assert "repeat code" in result.output


def test_the_readme_examples_with_codes_run():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    lines = [line.split("#")[0].split() for line in readme.splitlines()
             if line.startswith("quizgen ") and re.search(r"--(code|repeat) [0-9A-Z]{8}", line)]
    assert len(lines) == 2, lines
    runner = CliRunner()
    for args in lines:
        result = runner.invoke(main, args[1:], input="q\n")
        assert result.exit_code == 0, (args, result.output)
        assert "repeat code 3T910007" in result.output
