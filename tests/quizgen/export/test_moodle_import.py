"""Every template of the bank, exported to Moodle XML in both forms (typed, choice) and both sizes
(calculator, computer), under both multiple-answer rules, then imported by Moodle's own rules
(tests/quizgen/export/moodle_import.py, a port of moodle/moodle's importer and question types):
each question is imported, keeps its key (Moodle accepts exactly what ``quizgen grade`` accepts),
gets the question's points as its mark, shows numbers at the stem's precision, names its mistakes
and keeps an essay's rubric from students (tests/quizgen/export/moodle_checks.py).
"""

import dataclasses
import re
from fractions import Fraction
from xml.etree import ElementTree as ET

import pytest

from quizgen.bank.loader import load_bank
from quizgen.bank.seeds import rng_for
from quizgen.export import get_exporter
from quizgen.export.common import ExportReport, PoolItem, blank_count, select_pool
from quizgen.export.moodle import cloze_weights, moodle_xml
from tests.quizgen.export import moodle_import as moodle
from tests.quizgen.export.moodle_checks import problems

VARIANTS = 2


def every_template_spec(tmp_path_factory) -> tuple:
    ids = list(load_bank().templates)
    sections = []
    for form in ("typed", "choice"):
        for size in ("calculator", "computer"):
            for rule in ("all-or-nothing", "partial"):
                sections.append(f'[[section]]\ntitle = "{form} {size} {rule}"\nids = {ids!r}\nform = "{form}"\n'
                                f'size = "{size}"\nmultiple_answer_credit = "{rule}"\npoints = 6\n')
    path = tmp_path_factory.mktemp("every") / "every.toml"
    path.write_text('title = "Every template"\nexam_id = "every-template"\n' + "\n".join(sections).replace("'", '"'),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Per drawn variant of every (template, form, size, rule): (item, variant, Moodle's question)."""
    spec = every_template_spec(tmp_path_factory)
    _, items = select_pool(spec, (), VARIANTS, 11)
    found = []
    for item in items:
        for variant in item.variants:  # each variant alone: the one question written is this variant
            data = moodle_xml([dataclasses.replace(item, variants=[variant])], ExportReport("moodle", "-"))
            (question,) = [q for q in ET.fromstring(data).findall("question") if q.get("type") != "category"]
            found.append((item, variant, moodle.import_question(question)))
    return items, found


def test_every_template_is_exported_in_every_form_and_size(imported):
    items, found = imported
    bank = load_bank()
    assert {item.template.id for item in items} == set(bank.templates)
    assert {(item.form, item.size) for item in items} == {(f, s) for f in ("typed", "choice")
                                                          for s in ("calculator", "computer")}
    assert len(found) == VARIANTS * len(items)


@pytest.mark.parametrize("what", ["import", "key", "precision", "feedback", "rubric"])
def test_moodle_imports_every_item_with_its_key(imported, what):
    _, found = imported
    wrong = [f"{item.template.id} ({item.form}, {item.size}, {item.credit}): {message}"
             for item, variant, question in found for kind, message in problems(question, item, variant)
             if kind == what]
    assert not wrong, f"{len(wrong)} findings, the first: " + "\n".join(wrong[:10])


def test_moodle_gives_the_points_as_the_mark(imported):
    """A cloze question's mark is the sum of its whole-number blank weights: it is the points wherever
    each part is worth whole points and no fewer than its blanks; elsewhere a whole multiple of them,
    every part keeping its exact share (and the export's report says so)."""
    _, found = imported
    wrong = []
    for item, variant, question in found:
        points = [Fraction(repr(p)) for p in item.points]
        counts = [blank_count(p, variant) for p in item.template.parts]
        reachable = all(p.denominator == 1 and p >= n for p, n in zip(points, counts))
        if question.qtype != "multianswer" or reachable:
            if question.mark != sum(points):
                wrong.append(f"{item.template.id}: mark {question.mark} for {float(sum(points))} points")
        elif (Fraction(question.mark) / sum(points)).denominator != 1:
            wrong.append(f"{item.template.id}: mark {question.mark}, not a whole multiple of {float(sum(points))}")
        found_marks = [(k, m) for k, m in problems(question, item, variant) if k == "mark" and "parts weighted" in m]
        wrong += [f"{item.template.id}: {m}" for _, m in found_marks]
    assert not wrong, "\n".join(wrong[:10])


def test_fixed_items_are_written_once(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('title = "F"\nexam_id = "f"\n[[section]]\ntitle = "C"\nids = ["rnn.concept.definition", '
                    '"rnn.forward_two_steps"]\n', encoding="utf-8")
    report = get_exporter("moodle").export(spec, 5, tmp_path / "q.xml", seed=3)
    names = [q.name for q in moodle.import_file(tmp_path / "q.xml")]
    fixed = [n for n in names if "[rnn.concept.definition #" in n]
    drawn = [n for n in names if "[rnn.forward_two_steps #" in n]
    assert len(fixed) == 1 and len(drawn) == 5 and report.questions == 6
    assert any("written once" in n for n in report.notes)


def test_the_model_fails_the_export_of_old():
    """The checks can fail: quizgen's export before issue 15 (full-precision numbers, blank weights
    reduced to small whole numbers, no feedback in blanks) is caught on rnn.forward_two_steps."""
    item = _item("rnn.forward_two_steps")
    variant = item.variants[0]
    old = ("{1:NUMERICAL:=-0.31852077690277086:0.00010000000010000001}"
           "{1:NUMERICAL:=-0.8177540779702877:0.00010000000010000001}"
           "{1:NUMERICAL:=0.48667:0.0001}{1:NUMERICAL:=-0.07278:0.0001}")
    question = moodle.extract_cloze(old)
    assert question.mark == 4 and [s.mark for s in question.subquestions] == [1, 1, 1, 1]
    kinds = {k for k, _ in problems(question, item, variant)}
    assert {"mark", "precision", "key"} <= kinds


def _item(template_id):
    template = load_bank().get(template_id)
    return PoolItem(template, "typed", "calculator", [3.0, 3.0], [template.draw(rng_for(1), "1")])


def test_the_cloze_syntax_as_moodle_reads_it():
    """The ported regular expressions on texts whose reading Moodle's own tests and docs state."""
    q = moodle.extract_cloze("a {2:NUMERICAL:=1.5:0.1#ok~%50%2:0.5#half} b {:MULTICHOICE:x~=y#right} "
                             "c {1.5:NUMERICAL:=1}")
    assert q.mark == 3 and [s.qtype for s in q.subquestions] == ["numerical", "multichoice"]
    first = q.subquestions[0].answers
    assert [(a.text, a.fraction, a.tolerance, a.feedback) for a in first] == [("1.5", 1.0, 0.1, "ok"),
                                                                              ("2", 0.5, 0.5, "half")]
    assert "{1.5:NUMERICAL:=1}" in q.text and moodle.LEFT_OVER_BLANK.search(q.text)  # a decimal weight: no blank
    escaped = moodle.extract_cloze(r"{1:SHORTANSWER:=a\}b&#35;c&#126;d#say &#125; \# x}")
    (answer,) = escaped.subquestions[0].answers
    assert answer.text == "a}b#c~d" and answer.feedback == "say } # x"
    multi = moodle.extract_cloze("{1:MULTIRESPONSE:%50%a~%50%b~%-100%c}")
    assert [a.fraction for a in multi.subquestions[0].answers] == [0.5, 0.5, -1.0]
    assert moodle.match_grade_options(0.3333333) and moodle.match_grade_options(1 / 11) is None


def test_cloze_weights_add_up_to_the_points_and_keep_each_part_exact():
    assert cloze_weights([3.0, 3.0], [2, 2]) == [1, 2, 1, 2]
    assert cloze_weights([1.0, 1.0, 2.0], [1, 1, 1]) == [1, 1, 2]
    assert cloze_weights([2.5, 2.5], [3, 1]) == [1, 2, 2, 5]  # 5 points: each part's 2.5 doubled
    for points, counts in (([1.5, 1.75, 1.75], [1, 1, 4]), ([1.0, 1.0, 1.0, 1.0, 2.0], [2, 2, 3, 2, 6]),
                           ([0.2] * 5, [1] * 5), ([1.25, 1.25, 1.5], [3, 1, 1])):
        weights = cloze_weights(points, counts)
        assert all(isinstance(w, int) and w >= 1 for w in weights) and len(weights) == sum(counts)
        bounds = [sum(counts[:i]) for i in range(len(counts) + 1)]
        parts = [sum(weights[a:b]) for a, b in zip(bounds, bounds[1:])]
        total = sum(Fraction(repr(p)) for p in points)
        assert [Fraction(w, sum(weights)) for w in parts] == [Fraction(repr(p)) / total for p in points]


def test_moodle_xml_numbers_have_no_float_noise(imported):
    _, found = imported
    for _, _, question in found:
        for sub in question.subquestions or [question]:
            for answer in sub.answers:
                if sub.qtype == "numerical":
                    assert not re.search(r"\.\d{9,}", answer.text + " " + repr(answer.tolerance)), answer


PROBE_TEMPLATE = r'''
from quizgen.bank import Number, Part, Symbolic

TITLE = "Characters Moodle's cloze syntax reads"
VERSION = 1
DECIMALS = 2
PARTS = [Part("a", Number(decimals=2), label="a", points=1),
         Part("f", Symbolic(variables=("x",)), label="f", points=1)]
MISTAKES = {"probe": r"1/2 a~b \sigma \} {x} #3 \# \"q\" & &amp; 50% =x ~ *"}


def generate(rng):
    return {"x": float(rng.integers(2, 9))}


def solve(p, work):
    work.answer("a", p["x"] * (2 if work.made("probe") else 1) / 3)
    work.answer("f", "2*x")


STEM = "Compute $x/3$ for $x = {{ p.x }}$, then write $2x$ with a star."
SOLUTION = "{{ key.a }}"
'''


def test_escaped_feedback_and_short_answers_come_back_as_written(tmp_path):
    """Moodle decodes an embedded answer's text and feedback with html_entity_decode and then \\} and
    \\# only, and reads * in a short answer as a wildcard: a mistake's feedback full of the syntax's
    characters, and a formula with a star, come back as written, and the star is a star."""
    bank = tmp_path / "probe"
    bank.mkdir()
    (bank / "escaping.py").write_text(PROBE_TEMPLATE, encoding="utf-8")
    spec = tmp_path / "spec.toml"
    spec.write_text('title = "P"\nexam_id = "p"\n[[section]]\ntitle = "P"\nids = ["probe.escaping"]\n',
                    encoding="utf-8")
    _, items = select_pool(spec, (bank,), 3, 2)
    for variant in items[0].variants:
        data = moodle_xml([dataclasses.replace(items[0], variants=[variant])], ExportReport("moodle", "-"))
        (element,) = [q for q in ET.fromstring(data).findall("question") if q.get("type") != "category"]
        question = moodle.import_question(element)
        assert question.qtype == "multianswer" and not question.errors
        assert problems(question, items[0], variant) == []
        feedback = {a.feedback for a in question.subquestions[0].answers if a.feedback}
        assert len(feedback) == 1 and "a~b" in feedback.pop()
        formula = question.subquestions[1]
        assert moodle.shortanswer_fraction(formula, "2*x") == 1 and moodle.shortanswer_fraction(formula, "2+x") == 0
