"""Moodle XML export: categories, question types, math delimiters, tolerances, fractions, determinism.

The Moodle XML file is checked against its documented structure, parsed with ElementTree.
"""

import re
from xml.etree import ElementTree as ET

import pytest

from quizgen.export import get_exporter
from quizgen.export.moodle import cloze_weights
from tests.quizgen.export.pool import exported_ids


@pytest.fixture(scope="module")
def moodle(setup):
    spec, bank, root = setup
    out = root / "quiz.xml"
    report = get_exporter("moodle").export(spec, 2, out, banks=[bank], seed=7)
    return report, out, ET.parse(out).getroot()


def questions(quiz, qtype=None):
    return [q for q in quiz.findall("question") if q.get("type") != "category"
            and (qtype is None or q.get("type") == qtype)]


def by_name(quiz, template_id):
    return [q for q in questions(quiz) if f"[{template_id} #" in q.findtext("name/text")]


def texts(element):
    return [t.text or "" for t in element.iter("text")]


def test_moodle_categories_hold_every_selected_template(moodle, setup):
    report, _, quiz = moodle
    ids, _ = exported_ids(setup[1])
    categories = [q.findtext("category/text") for q in quiz.findall("question") if q.get("type") == "category"]
    assert categories == [f"$course$/top/quizgen/{i}" for i in ids]
    # a fixed item (its variants the same question) is written once, a drawn template twice
    assert report.templates == len(ids) and report.questions == len(questions(quiz)) < 2 * len(ids)
    for template_id in ("lstm.cell_step", "dbm.energy", "rnn.softmax_output"):
        assert len(by_name(quiz, template_id)) == 2
    assert len(by_name(quiz, "custom.derivative")) == 1
    # every category is followed by its own variants
    current = None
    for q in quiz.findall("question"):
        if q.get("type") == "category":
            current = q.findtext("category/text").rsplit("/", 1)[1]
        else:
            assert f"[{current} #" in q.findtext("name/text")


def test_moodle_question_elements(moodle):
    _, _, quiz = moodle
    for q in questions(quiz):
        assert q.get("type") in {"numerical", "multichoice", "truefalse", "essay", "cloze", "shortanswer"}
        assert q.findtext("name/text")
        assert q.find("questiontext").get("format") == "html" and q.findtext("questiontext/text")
        assert q.find("generalfeedback/text") is not None
        assert float(q.findtext("defaultgrade")) > 0
        for answer in q.findall("answer"):
            assert answer.find("text") is not None and answer.find("feedback/text") is not None
            float(answer.get("fraction"))


def test_moodle_math_delimiters_converted(moodle):
    _, out, quiz = moodle
    for q in questions(quiz):
        for text in texts(q):
            assert "$" not in text, text[:200]
    raw = out.read_text(encoding="utf-8")
    assert r"\(f_t\)" in raw and r"\[" in raw
    assert "<![CDATA[" in raw


def test_numeric_tolerance_stays_inside_the_accepted_interval(moodle, setup):
    _, _, quiz = moodle
    _, bank = exported_ids(setup[1])
    kind = bank.get("dbm.energy").parts[0].kind
    found = by_name(quiz, "dbm.energy")
    assert found and all(q.get("type") == "numerical" for q in found)
    for q in found:
        keys = [a for a in q.findall("answer") if a.get("fraction") == "100"]
        for a in keys:
            value, tolerance = float(a.findtext("text")), float(a.findtext("tolerance"))
            # at least the final rounding (cut to the grid one decimal finer), at most the widest hand paths
            bound = kind.tolerance.bound(value)
            assert 0.5 * bound <= tolerance <= 40 * bound
        assert re.fullmatch(r"-?\d+\.\d{%d}" % kind.decimals, keys[0].findtext("text"))  # the stem's precision
    # an integer answer is exact
    for q in by_name(quiz, "autoencoder.param_count"):
        for code in re.findall(r"\{\d+:NUMERICAL:([^}]*)\}", q.findtext("questiontext/text")) or \
                [a.findtext("tolerance") for a in q.findall("answer")]:
            assert code.endswith(":0") or code == "0"


def test_cloze_blanks_carry_tolerances_and_one_blank_per_entry(moodle, setup):
    _, _, quiz = moodle
    _, bank = exported_ids(setup[1])
    lstm = by_name(quiz, "lstm.cell_step")[0]
    assert lstm.get("type") == "cloze"
    codes = re.findall(r"\{(\d+):NUMERICAL:=(-?[\d.]+):([\d.]+)", lstm.findtext("questiontext/text"))
    assert "#" in lstm.findtext("questiontext/text").split("NUMERICAL:", 1)[1]  # named mistakes' feedback
    assert len(codes) == len(bank.get("lstm.cell_step").parts) == 6
    kind = bank.get("lstm.cell_step").parts[0].kind
    for _, value, tolerance in codes:  # the key first, with what stays inside the accepted interval:
        # at least the final rounding's tolerance, at most the widest hand paths (15 units of 1e-4)
        bound = kind.tolerance.bound(float(value))
        assert 0.5 * bound <= float(tolerance) <= 40 * bound
    pool = by_name(quiz, "cnn.pool_matrix")[0]
    text = pool.findtext("questiontext/text")
    assert "<table" in text and len(re.findall(r"\{\d+:NUMERICAL:", text)) >= 4
    shape = by_name(quiz, "cnn.conv_output_shape")[0].findtext("questiontext/text")
    assert "&times;" in shape  # a shape: one exact blank per dimension
    assert all(t == "0" for t in re.findall(r"\{\d+:NUMERICAL:=-?\d+:(\d+)\}", shape))


def test_multichoice_fractions(moodle):
    _, _, quiz = moodle
    found = questions(quiz, "multichoice")
    assert found
    for q in found:
        fractions = [float(a.get("fraction")) for a in q.findall("answer")]
        right = [f for f in fractions if f > 0]
        assert abs(sum(right) - 100) < 0.01
        assert q.findtext("shuffleanswers") in ("1", "0") and q.findtext("answernumbering")
        if q.findtext("single") == "false":
            wrong = [f for f in fractions if f <= 0]
            assert all(f < 0 for f in wrong) and abs(sum(wrong) + 100) < 0.01
        else:
            assert right == [100.0]
    # the choice form: options are the key and named mistakes, the feedback names them
    choice = by_name(quiz, "rnn.softmax_output")
    assert choice and all(q.get("type") in ("multichoice", "cloze") for q in choice)


def test_concept_options_leave_the_stem(moodle):
    _, _, quiz = moodle
    q = by_name(quiz, "autoencoder.concept.definition")[0]
    options = [a.findtext("text") for a in q.findall("answer")]
    assert len(options) >= 4
    for option in options:
        assert option not in q.findtext("questiontext/text")


def test_truefalse_and_essay(moodle):
    _, _, quiz = moodle
    tf = questions(quiz, "truefalse")
    assert tf
    for q in tf:
        answers = {a.findtext("text"): a.get("fraction") for a in q.findall("answer")}
        assert sorted(answers) == ["false", "true"] and sorted(answers.values()) == ["0", "100"]
    essays = questions(quiz, "essay")
    assert essays
    for q in essays:
        assert q.findtext("responseformat") == "editor"
        assert int(q.findtext("responsefieldlines")) >= 5
        assert q.find("graderinfo").get("format") == "html" and "<li>" in q.findtext("graderinfo/text")


def test_symbolic_is_a_short_answer_with_a_note(moodle):
    report, out, quiz = moodle
    q = by_name(quiz, "custom.derivative")
    assert [x.get("type") for x in q] == ["shortanswer"]  # no random values: written once
    assert q[0].findtext("answer/text") and q[0].find("answer").get("fraction") == "100"
    assert any("short answer" in n for n in report.notes)
    assert "graded as text" in out.read_text(encoding="utf-8")


def test_moodle_is_deterministic(setup, moodle, tmp_path):
    spec, bank, _ = setup
    again = tmp_path / "again.xml"
    get_exporter("moodle").export(spec, 2, again, banks=[bank], seed=7)
    assert again.read_bytes() == moodle[1].read_bytes()
    other = tmp_path / "other.xml"
    get_exporter("moodle").export(spec, 2, other, banks=[bank], seed=8)
    assert other.read_bytes() != moodle[1].read_bytes()


def test_cloze_weights_are_whole_and_add_up_to_the_points():
    assert cloze_weights([1.0, 1.0, 2.0], [1, 1, 1]) == [1, 1, 2]
    assert cloze_weights([2.0, 2.0, 2.0], [1, 1, 1]) == [2, 2, 2]  # 6 points: a mark of 6, not 3
    assert cloze_weights([4.0, 4.0], [3, 1]) == [1, 1, 2, 4]
