"""docs/coverage.md stays what the bank's tags say, and the course's questions stay covered (issue 18)."""

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pytest

from quizgen.bank.loader import load_bank

ROOT = Path(__file__).resolve().parents[2]


def _coverage_module():
    spec = importlib.util.spec_from_file_location("coverage_table", ROOT / "docs" / "coverage.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module          # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


coverage = _coverage_module()


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def test_committed_table_is_what_the_bank_generates(bank):
    committed = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
    assert committed == coverage.render(bank), "docs/coverage.md is out of date: run python docs/coverage.py"


def test_every_notes_and_syllabus_tag_names_a_row(bank):
    assert coverage.unknown_tags(bank) == {}


def test_a_misspelt_tag_is_reported(bank):
    template = next(iter(bank.templates.values()))
    misspelt = dataclasses.replace(template, id="x.misspelt", tags=("notes:partb-q3", "syllabus:lstm"))
    with_typo = dataclasses.replace(bank, templates=bank.templates | {"x.misspelt": misspelt})
    assert coverage.unknown_tags(with_typo) == {"notes:partb-q3": ["x.misspelt"]}


def test_the_table_counts_items_by_tag_and_topic(bank):
    text = coverage.render(bank)
    row = coverage.Row("notes:partB-q12", "Design a sequence model for sentiment analysis", "003")
    assert coverage.counts(bank, row)["essay"] == sum(
        "notes:partB-q12" in t.tags and "essay" in t.tags for t in bank.templates.values())
    lstm = next(r for r in coverage.SYLLABUS if r.tag == "syllabus:lstm")
    assert coverage.counts(bank, lstm)["total"] >= sum(t.topic == "lstm" for t in bank.templates.values())
    assert "| `notes:partA-q15` |" in text and "| `syllabus:rnn-data-preparation` |" in text


def test_the_table_has_a_row_per_question_of_the_notes():
    assert len(coverage.PART_A) == 15 and len(coverage.PART_B) == 12 and len(coverage.TERMINAL) == 5


@pytest.mark.parametrize("row", [r for r in coverage.QUESTIONS if "partA" in r.tag], ids=lambda r: r.tag)
def test_every_part_a_question_has_two_items(bank, row):
    assert coverage.counts(bank, row)["total"] >= 2, f"{row.tag} ({row.text}) needs a second item"


@pytest.mark.parametrize("row", [r for r in coverage.QUESTIONS if "partB" in r.tag], ids=lambda r: r.tag)
def test_every_part_b_question_has_two_essays(bank, row):
    # two essays per question, so that papers drawn from the bank can differ
    assert coverage.counts(bank, row)["essay"] >= 2, f"{row.tag} ({row.text}) needs two essays"


@pytest.mark.parametrize("row", [r for r in coverage.ROWS if "terminal" in r.tag or "syllabus" in r.tag],
                         ids=lambda r: r.tag)
def test_every_terminal_question_and_syllabus_bullet_has_an_item(bank, row):
    assert coverage.counts(bank, row)["total"] >= 1, f"nothing in the bank answers {row.tag} ({row.text})"


def test_every_essay_has_a_model_answer(bank):
    missing = [t.id for t in bank.templates.values()
               if "essay" in t.tags and "concept" in t.tags
               and not t.solution.split("Marking points:")[0].strip()]
    assert missing == []


def test_an_exam_section_selects_by_a_notes_tag(bank, tmp_path):
    from quizgen.papers.exam import section_pool
    from quizgen.papers.spec import load_spec
    spec = tmp_path / "spec.toml"
    spec.write_text('title = "Part B"\nexam_id = "part-b"\n[[section]]\ntitle = "Q12"\n'
                    'tags = ["notes:partB-q12"]\n', encoding="utf-8")
    pool = section_pool(load_spec(spec), bank, 0)
    assert sorted(t.id for t in pool) == ["rnn.concept.design_sentiment_model", "rnn.concept.sentiment_design_choices"]
