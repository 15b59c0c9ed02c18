"""What the exporters share: HTML with TeX math, numbers as plain decimal text."""

import pytest

from quizgen.export.common import html_with_tex, number_text


def test_html_with_tex():
    out = html_with_tex("Cost is \\$5 and $a < b$.\n\n$$x_{t} = 1$$\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert r"\(a &lt; b\)" in out and r"\[x_{t} = 1\]" in out and "<table>" in out
    assert "$" not in out and "&#36;5" in out


def test_number_text():
    assert number_text(1e-5) == "0.00001" and number_text(3.0) == "3" and number_text(-0.25) == "-0.25"


def test_lms_blanks_accept_the_interval_quizgen_grade_accepts():
    """rbm.partition_function --seed 101: Z worked from the stem's hint (each factor rounded to 4
    decimals) is 18.4631, the key 18.4636; grading accepts it, so Moodle's and QTI's numeric answers
    and Canvas's texts must too, and nothing beyond the accepted interval."""
    from quizgen.bank import load_bank
    from quizgen.bank.question import accepted_interval
    from quizgen.bank.seeds import rng_for
    from quizgen.export.common import numeric_keys

    template = load_bank().get("rbm.partition_function")
    variant = template.draw(rng_for(101), "101")
    part = template.part("Z")
    interval = accepted_interval(part, variant)
    lo, hi = float(interval["lo"]), float(interval["hi"])
    keys = numeric_keys(part, variant)[0]
    assert keys[0][0] == variant.answers["Z"]  # the key is the answer an LMS shows
    assert min(v - t for v, t in keys) == pytest.approx(lo) and max(v + t for v, t in keys) == pytest.approx(hi)
    assert any(abs(18.4631 - v) <= t for v, t in keys)
    texts = part.kind.accepted_texts(part.kind.from_json(variant.answers["Z"]), interval)[0]
    assert "18.4631" in texts and texts[0] == f"{variant.answers['Z']:.4f}"
    assert all(lo <= float(t) <= hi for t in texts)


def test_identifiers_are_safe_for_every_importer_and_unique():
    """Letters, digits, "_" and "-" only, starting with a letter (what QTIMigrationTool keeps unchanged and
    xs:ID accepts); a template listed twice, or two ids alike once made safe, still get two identifiers."""
    import re
    from types import SimpleNamespace

    from quizgen.export.common import identifier, item_identifiers

    for text in ("rnn.concept.definition-v001-A", "1st:item", "a b/c", "ümlaut.x"):
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", identifier(text)), text
    assert identifier("rnn.concept.definition") == "rnn_concept_definition"

    def item(template_id, form="typed", size="calculator"):
        return SimpleNamespace(template=SimpleNamespace(id=template_id), form=form, size=size)

    ids = item_identifiers([item("rnn.softmax_output"), item("rnn.softmax_output", "choice"),
                            item("a.b"), item("a_b"), item("lstm.cell_step")])
    assert ids == ["rnn_softmax_output-typed-calculator", "rnn_softmax_output-choice-calculator",
                   "a_b", "a_b-2", "lstm_cell_step"]
