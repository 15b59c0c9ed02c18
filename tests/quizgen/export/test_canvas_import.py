"""Every Canvas item of every template (both forms, every size) as Canvas imports and scores it, by the
importers' own rules (tests/quizgen/export/canvas_import.py): the key survives, the right answers earn
the question's points, and where Canvas's equal blanks give a part other marks the report says so."""

import zipfile

import numpy as np
import pytest

from quizgen.bank.kinds import LETTERS
from quizgen.export.common import answer_key, blank_count, item_identifiers, select_pool
from tests.quizgen.export.canvas_import import import_quiz, read_identifier
from tests.quizgen.export.every_template import export_every_template

SEED = 3


@pytest.fixture(scope="module")
def every_template(tmp_path_factory):
    """(report, imported questions by identifier, [(pool item, its identifier)]) of the every-template spec."""
    report, out, spec = export_every_template(tmp_path_factory.mktemp("every"), "canvas", SEED, "canvas.zip")
    _, items = select_pool(spec, (), 1, SEED)
    return report, imported(out), list(zip(items, item_identifiers(items)))


def imported(path) -> dict:
    """The questions Canvas imports from a Canvas export zip, by identifier."""
    with zipfile.ZipFile(path) as archive:
        quiz = next(n for n in archive.namelist() if n != "imsmanifest.xml")
        return {q.ident: q for q in import_quiz(archive.read(quiz))}


def right_response(question, item, variant, ident):
    """What a student who answers every part as quizgen grades right gives Canvas."""
    template = item.template
    part = template.parts[0]
    if question.question_type in ("multiple_choice_question", "true_false_question", "multiple_answers_question"):
        choice = variant.choices.get(part.name)
        right = [LETTERS.index(choice["key"])] if choice else part.kind.choice_options(
            answer_key(part, variant))[1]
        ids = [read_identifier(f"{ident}-{LETTERS[i]}") for i in right]
        return set(ids) if question.question_type == "multiple_answers_question" else ids[0]
    if question.question_type == "numerical_question":
        return float(answer_key(part, variant))
    responses, blank = {}, 0
    for part in template.parts:
        for text in part_texts(question, part, variant, ident, blank):
            blank += 1
            responses[f"blank{blank}"] = text
    return responses


def part_texts(question, part, variant, ident, blank) -> list:
    """A part's right answer per blank: a dropdown's right option, or the text a student types
    (numbers with the stem's decimals), written here from the key, not from the exporter."""
    kind, choice = part.kind, variant.choices.get(part.name)
    if question.question_type == "multiple_dropdowns_question":
        right = LETTERS.index(choice["key"]) if choice else kind.choice_options(answer_key(part, variant))[1][0]
        return [read_identifier(f"{ident}-blank{blank + 1}-{right + 1}")]
    if choice:
        return [choice["key"]]
    if kind.answer_form == "written":
        return []
    key = answer_key(part, variant)
    if kind.answer_form != "numbers":
        return [kind.format(key)]
    decimals = None if kind.exact else kind.hand_decimals(None)
    entries = np.asarray(key, dtype=float).ravel().tolist()[: blank_count(part, variant)]
    return [str(int(round(e))) if decimals is None else f"{e:.{decimals}f}".replace("-0.0000", "0.0000")
            for e in entries]


def each_item(every_template):
    report, questions, items = every_template
    for item, item_id in items:
        for k, variant in enumerate(item.variants):
            ident = f"{item_id}-v{k + 1:03d}"
            yield item, variant, ident, questions[read_identifier(ident)]


def test_every_template_is_exported_once_per_form_and_size(every_template):
    report, questions, items = every_template
    assert len(questions) == report.questions == len(items)
    assert len({q.ident for q in questions.values()}) == len(questions)
    forms = {(item.template.id, item.form, item.size) for item, _ in items}
    assert {f for _, f, _ in forms} == {"typed", "choice"} and {s for _, _, s in forms} == {"calculator", "computer"}


def test_canvas_keeps_every_key(every_template):
    lost = [ident for _, _, ident, q in each_item(every_template) if not q.key_survives]
    assert not lost, f"{len(lost)} items import without a right answer: {lost[:5]}"


def test_the_right_answers_earn_the_points_in_canvas(every_template):
    wrong = []
    for item, variant, ident, question in each_item(every_template):
        assert question.points == pytest.approx(sum(item.points))
        if question.question_type == "essay_question":
            continue
        score = question.score(right_response(question, item, variant, ident))
        graded_by_hand = any(p.kind.answer_form == "written" for p in item.template.parts)
        if not graded_by_hand and score != pytest.approx(question.points):
            wrong.append((ident, score, question.points))
    assert not wrong, f"{len(wrong)} items: right answers do not earn the points: {wrong[:5]}"


def test_a_wrong_answer_earns_nothing(every_template):
    for item, variant, ident, question in each_item(every_template):
        if question.question_type in ("fill_in_multiple_blanks_question", "multiple_dropdowns_question"):
            wrong = {a.blank_id: "no such answer" for a in question.answers}
        elif question.question_type == "numerical_question":
            wrong = 1e9
        elif question.question_type == "multiple_answers_question":
            wrong = set()
        else:
            wrong = "no such option"
        if question.question_type != "essay_question":
            assert question.score(wrong) == 0, ident


def test_canvas_part_marks_match_quizgen_or_the_report_says_so(every_template):
    """Each part answered alone: Canvas's points for it are quizgen's part points, or the report names the
    template with Canvas's weighting."""
    report = every_template[0]
    for item, variant, ident, question in each_item(every_template):
        if question.question_type not in ("fill_in_multiple_blanks_question", "multiple_dropdowns_question"):
            continue
        if canvas_part_marks(question, item, variant, ident) != pytest.approx(list(item.points)):
            assert any(n.startswith(f"{item.template.id}: Canvas scores the") for n in report.notes), ident


def canvas_part_marks(question, item, variant, ident) -> list:
    """Canvas's points for each part of a question of blanks when only that part is right."""
    marks, blank = [], 0
    for part in item.template.parts:
        texts = part_texts(question, part, variant, ident, blank)
        names = [f"blank{blank + i + 1}" for i in range(len(texts))]
        blank += len(texts)
        marks.append(question.score(dict(zip(names, texts))))
    return marks


def test_the_question_says_how_to_type_a_number(every_template):
    for item, variant, ident, question in each_item(every_template):
        if question.question_type == "fill_in_multiple_blanks_question" and any(
                p.kind.answer_form == "numbers" and not variant.choices.get(p.name) for p in item.template.parts):
            assert "compared with the answer as text" in question.text and "type " in question.text, ident


def test_a_dropdown_shows_options_a_student_can_tell_apart(every_template):
    for _, _, ident, question in each_item(every_template):
        if question.question_type == "multiple_dropdowns_question":
            for blank in {a.blank_id for a in question.answers}:
                texts = [a.text for a in question.answers if a.blank_id == blank]
                assert len(texts) > 1 and len(set(texts)) == len(texts) and "\\(" not in "".join(texts), ident


def _choice_item(label_prefix: str) -> bytes:
    """A one-group QTI 1.2 quiz with one multiple-choice item whose options are ``{label_prefix}-A``, ``-B``."""
    labels = "".join(f'<response_label ident="{label_prefix}-{x}"><material><mattext>{x}</mattext></material>'
                     f"</response_label>" for x in "AB")
    return (f'<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2"><assessment ident="q">'
            f'<section ident="root"><section ident="g"><item ident="{label_prefix}"><itemmetadata><qtimetadata>'
            f"<qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>multiple_choice_question"
            f"</fieldentry></qtimetadatafield><qtimetadatafield><fieldlabel>points_possible</fieldlabel>"
            f"<fieldentry>2</fieldentry></qtimetadatafield></qtimetadata></itemmetadata><presentation>"
            f'<response_lid ident="response1" rcardinality="Single"><render_choice>{labels}</render_choice>'
            f'</response_lid></presentation><resprocessing><respcondition continue="No"><conditionvar>'
            f'<varequal respident="response1">{label_prefix}-B</varequal></conditionvar>'
            f'<setvar action="Set" varname="SCORE">100</setvar></respcondition></resprocessing></item>'
            f"</section></section></assessment></questestinterop>").encode()


def test_the_ported_rules_lose_a_key_named_with_dots():
    """What main's export did (issue 15): QTIMigrationTool rewrites the options' dots but not the key's."""
    (dotted,) = import_quiz(_choice_item("rnn.concept.definition-v001"))
    assert not dotted.key_survives and dotted.import_error
    assert [a.migration_id for a in dotted.answers] == ["rnn_concept_definition-v001-A",
                                                         "rnn_concept_definition-v001-B"]
    (safe,) = import_quiz(_choice_item("rnn_concept_definition-v001"))
    assert safe.key_survives and safe.score("rnn_concept_definition-v001-B") == 2
    assert safe.score("rnn_concept_definition-v001-A") == 0
