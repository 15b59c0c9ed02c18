"""Moodle XML and QTI export: structure, math delimiters, tolerances, fractions, packages, determinism.

QTI 2.1 items and both packages' manifests are validated against the IMS XML
schemas kept in tests/data/qti/ (see its README); the Moodle XML and Canvas
QTI 1.2 files against their documented structure, parsed with ElementTree.
"""

import math
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from quizgen.bank.loader import load_bank
from quizgen.export.formats import (ExportReport, export_moodle, export_qti, html_with_tex,
    number_text, _weights)

DATA = Path(__file__).resolve().parents[2] / "data" / "qti"
QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
Q12 = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"

SPEC = """
title = "Export test"
exam_id = "export-test"

[[section]]
title = "Numbers"
ids = ["lstm.cell_step", "cnn.conv_output_shape", "cnn.pool_matrix", "autoencoder.param_count",
       "dbm.energy"]
points = 6
count = 1          # ignored by export: every selected template is written
shuffle = true

[[section]]
title = "Choice form"
ids = ["rnn.softmax_output"]
form = "choice"

[[section]]
title = "Concepts"
topics = ["autoencoder"]
tags = ["concept"]

[[section]]
title = "Formula"
ids = ["custom.derivative"]
"""

SYMBOLIC_TEMPLATE = '''
from quizgen.bank.kinds import Symbolic
from quizgen.bank.question import Part

TITLE = "Derivative of the sigmoid"
VERSION = 1
PARTS = [Part("d", Symbolic(variables=("x",)), label="answer")]
STEM = "Write $\\\\frac{d}{dx}\\\\sigma(x)$ in terms of $\\\\sigma(x)$."
SOLUTION = "$\\\\sigma(x)(1 - \\\\sigma(x))$"

def generate(rng):
    return {}

def solve(p, work):
    work.answer("d", "sigma(x)*(1 - sigma(x))")
'''


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    bank = root / "custom"  # a template directly in a bank folder takes its name as topic
    bank.mkdir()
    (bank / "derivative.py").write_text(SYMBOLIC_TEMPLATE, encoding="utf-8")
    spec = root / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec, bank, root


@pytest.fixture(scope="module")
def moodle(setup):
    spec, bank, root = setup
    out = root / "quiz.xml"
    report = export_moodle(spec, 2, out, banks=[bank], seed=7)
    return report, out, ET.parse(out).getroot()


@pytest.fixture(scope="module")
def qti(setup):
    spec, bank, root = setup
    out = root / "quiz.zip"
    report = export_qti(spec, 2, out, banks=[bank], seed=7)
    return report, out


@pytest.fixture(scope="module")
def canvas(setup):
    spec, bank, root = setup
    out = root / "canvas.zip"
    report = export_qti(spec, 2, out, flavor="canvas", banks=[bank], seed=7)
    return report, out


def questions(quiz, qtype=None):
    return [q for q in quiz.findall("question") if q.get("type") != "category"
            and (qtype is None or q.get("type") == qtype)]


def by_name(quiz, template_id):
    return [q for q in questions(quiz) if f"[{template_id} #" in q.findtext("name/text")]


def texts(element):
    return [t.text or "" for t in element.iter("text")]


def exported_ids(bank_dir):
    bank = load_bank([bank_dir])
    concepts = [t.id for t in bank.templates.values() if t.topic == "autoencoder" and "concept" in t.tags]
    return ["lstm.cell_step", "cnn.conv_output_shape", "cnn.pool_matrix", "autoencoder.param_count",
            "dbm.energy", "rnn.softmax_output"] + concepts + ["custom.derivative"], bank


# ------------------------------------------------------------------------------- Moodle


def test_moodle_categories_hold_every_selected_template(moodle, setup):
    report, _, quiz = moodle
    ids, _ = exported_ids(setup[1])
    categories = [q.findtext("category/text") for q in quiz.findall("question") if q.get("type") == "category"]
    assert categories == [f"$course$/top/quizgen/{i}" for i in ids]
    assert report.templates == len(ids) and report.questions == 2 * len(ids) == len(questions(quiz))
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


def test_numeric_tolerance_is_the_kinds_bound(moodle, setup):
    _, _, quiz = moodle
    _, bank = exported_ids(setup[1])
    kind = bank.get("dbm.energy").parts[0].kind
    found = by_name(quiz, "dbm.energy")
    assert found and all(q.get("type") == "numerical" for q in found)
    for q in found:
        keys = [a for a in q.findall("answer") if a.get("fraction") == "100"]
        for a in keys:
            value, tolerance = float(a.findtext("text")), float(a.findtext("tolerance"))
            assert math.isclose(tolerance, kind.tolerance.bound(value), rel_tol=1e-12)
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
    assert len(codes) == len(bank.get("lstm.cell_step").parts) == 6
    kind = bank.get("lstm.cell_step").parts[0].kind
    for _, value, tolerance in codes:
        assert math.isclose(float(tolerance), kind.tolerance.bound(float(value)), rel_tol=1e-12)
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
    assert [x.get("type") for x in q] == ["shortanswer", "shortanswer"]
    assert q[0].findtext("answer/text") and q[0].find("answer").get("fraction") == "100"
    assert any("short answer" in n for n in report.notes)
    assert "graded as text" in out.read_text(encoding="utf-8")


def test_moodle_is_deterministic(setup, moodle, tmp_path):
    spec, bank, _ = setup
    again = tmp_path / "again.xml"
    export_moodle(spec, 2, again, banks=[bank], seed=7)
    assert again.read_bytes() == moodle[1].read_bytes()
    other = tmp_path / "other.xml"
    export_moodle(spec, 2, other, banks=[bank], seed=8)
    assert other.read_bytes() != moodle[1].read_bytes()


# ------------------------------------------------------------------------------- QTI 2.1


@pytest.fixture(scope="module")
def schemas():
    etree = pytest.importorskip("lxml.etree", reason="lxml validates against the IMS schemas")
    return (etree, etree.XMLSchema(etree.parse(str(DATA / "qtiv2p1" / "imsqti_v2p1.xsd"))),
            etree.XMLSchema(etree.parse(str(DATA / "imscp_v1p1.xsd"))))


def test_qti21_package_is_valid_against_the_ims_schemas(qti, schemas):
    etree, item_schema, cp_schema = schemas
    report, out = qti
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names[0] == "imsmanifest.xml"
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        assert cp_schema.validate(manifest), cp_schema.error_log
        hrefs = [f.get("href") for f in manifest.iter(CP + "file")]
        assert sorted(hrefs) == sorted(n for n in names if n != "imsmanifest.xml")
        assert len(hrefs) == report.questions
        for r in manifest.iter(CP + "resource"):
            assert r.get("type") == "imsqti_item_xmlv2p1" and r.get("href") in names
        for name in hrefs:
            item = etree.fromstring(archive.read(name))
            assert item_schema.validate(item), (name, item_schema.error_log)


def _items(out):
    with zipfile.ZipFile(out) as archive:
        return {n: ET.fromstring(archive.read(n)) for n in archive.namelist() if n != "imsmanifest.xml"}


def test_qti21_numeric_items_use_tolerant_equal(qti, setup):
    _, out = qti
    _, bank = exported_ids(setup[1])
    kind = bank.get("lstm.cell_step").parts[0].kind
    items = _items(out)
    lstm = next(i for n, i in items.items() if "lstm.cell_step" in n)
    entries = lstm.findall(f".//{QTI}textEntryInteraction")
    assert len(entries) == 6
    equals = lstm.findall(f".//{QTI}equal")
    assert len(equals) >= 6
    for eq in equals:
        assert eq.get("toleranceMode") == "absolute"
        low, high = map(float, eq.get("tolerance").split())
        value = float(eq.find(f"{QTI}baseValue").text)
        assert low == high and math.isclose(low, kind.tolerance.bound(value), rel_tol=1e-12)
    for decl in lstm.findall(f"{QTI}responseDeclaration"):
        assert decl.get("baseType") == "float" and decl.find(f"{QTI}correctResponse/{QTI}value") is not None
    assert lstm.find(f"{QTI}outcomeDeclaration[@identifier='SCORE']") is not None
    assert lstm.find(f"{QTI}modalFeedback") is not None
    assert lstm.find(".//{http://www.w3.org/1998/Math/MathML}math") is not None


def test_qti21_choice_essay_and_text(qti):
    _, out = qti
    items = _items(out)
    kinds = {n: {e.tag.split("}")[1] for e in i.iter()} for n, i in items.items()}
    assert any("choiceInteraction" in k for k in kinds.values())
    assert any("extendedTextInteraction" in k and "rubricBlock" in k for k in kinds.values())
    for name, item in items.items():
        for interaction in item.iter(f"{QTI}choiceInteraction"):
            decl = item.find(f"{QTI}responseDeclaration[@identifier='{interaction.get('responseIdentifier')}']")
            ids = {c.get("identifier") for c in interaction.iter(f"{QTI}simpleChoice")}
            assert {v.text for v in decl.iter(f"{QTI}value")} <= ids
        body = ET.tostring(item.find(f"{QTI}itemBody"), encoding="unicode")
        assert "$" not in body


def test_qti21_is_deterministic(setup, qti, tmp_path):
    spec, bank, _ = setup
    again = tmp_path / "again.zip"
    export_qti(spec, 2, again, banks=[bank], seed=7)
    assert again.read_bytes() == qti[1].read_bytes()


# ------------------------------------------------------------------------------- Canvas QTI 1.2


def _canvas(out):
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        manifest = ET.fromstring(archive.read("imsmanifest.xml"))
        hrefs = [f.get("href") for f in manifest.iter(CP + "file")]
        assert hrefs and all(h in names for h in hrefs)
        return manifest, ET.fromstring(archive.read(hrefs[0]))


def _meta(item, label):
    for f in item.iter(Q12 + "qtimetadatafield"):
        if f.findtext(Q12 + "fieldlabel") == label:
            return f.findtext(Q12 + "fieldentry")
    return None


def test_canvas_structure(canvas, schemas, setup):
    etree, _, cp_schema = schemas
    report, out = canvas
    manifest, root = _canvas(out)
    assert cp_schema.validate(etree.fromstring(ET.tostring(manifest))), cp_schema.error_log
    assert [r.get("type") for r in manifest.iter(CP + "resource")] == ["imsqti_xmlv1p2"]
    assert root.tag == Q12 + "questestinterop"
    groups = root.findall(f"{Q12}assessment/{Q12}section/{Q12}section")
    assert len(groups) == report.templates
    for group in groups:
        assert group.findtext(f"{Q12}selection_ordering/{Q12}selection/{Q12}selection_number") == "1"
    items = list(root.iter(Q12 + "item"))
    assert len(items) == report.questions
    types = {_meta(i, "question_type") for i in items}
    assert {"numerical_question", "multiple_choice_question", "true_false_question", "essay_question",
            "fill_in_multiple_blanks_question"} <= types
    for item in items:
        assert item.find(f"{Q12}presentation/{Q12}material/{Q12}mattext").get("texttype") == "text/html"
        assert item.find(f"{Q12}resprocessing/{Q12}outcomes/{Q12}decvar").get("varname") == "SCORE"
        for mattext in item.iter(Q12 + "mattext"):
            assert "$" not in (mattext.text or "")
        assert float(_meta(item, "points_possible")) > 0


def test_canvas_numeric_ranges_and_choices(canvas, setup):
    _, out = canvas
    _, root = _canvas(out)
    _, bank = exported_ids(setup[1])
    kind = bank.get("dbm.energy").parts[0].kind
    numerical = [i for i in root.iter(Q12 + "item") if _meta(i, "question_type") == "numerical_question"
                 and "dbm.energy" in i.get("ident")]
    assert numerical
    for item in numerical:
        condition = item.find(f"{Q12}resprocessing/{Q12}respcondition[@continue='No']/{Q12}conditionvar")
        value = float(condition.findtext(f"{Q12}or/{Q12}varequal"))
        low = float(condition.findtext(f"{Q12}or/{Q12}and/{Q12}vargte"))
        high = float(condition.findtext(f"{Q12}or/{Q12}and/{Q12}varlte"))
        assert math.isclose(high - value, kind.tolerance.bound(value), rel_tol=1e-6)
        assert math.isclose(value - low, kind.tolerance.bound(value), rel_tol=1e-6)
    for item in root.iter(Q12 + "item"):
        if _meta(item, "question_type") in ("multiple_choice_question", "true_false_question"):
            labels = {r.get("ident") for r in item.iter(Q12 + "response_label")}
            keys = [v.text for v in item.iter(Q12 + "varequal")]
            assert len(keys) == 1 and keys[0] in labels
        if _meta(item, "question_type") == "fill_in_multiple_blanks_question":
            text = item.findtext(f"{Q12}presentation/{Q12}material/{Q12}mattext")
            for lid in item.findall(f"{Q12}presentation/{Q12}response_lid"):
                assert f"[{lid.findtext(f'{Q12}material/{Q12}mattext')}]" in text


def test_canvas_blanks_accept_every_spelling_quizgen_grades_right(setup):
    from quizgen.export.formats import _blank_texts
    from quizgen.bank.marking import grade

    _, bank = exported_ids(setup[1])
    template = bank.get("lstm.cell_step")
    for seed in range(20):
        variant = template.draw(np.random.default_rng(seed), f"canvas{seed}")
        for part in template.parts:
            (accepted,) = _blank_texts(part, variant, ExportReport("canvas", "x.zip"), template)
            key = variant.answers[part.name]
            for k in range(-3, 4):  # the key at 4 decimals, moved by k units in the last one
                text = f"{key + k * 1e-4:.4f}"
                right = grade(template, variant, {part.name: text}, ecf=False).parts[
                    [p.name for p in template.parts].index(part.name)].status == "correct"
                assert (text in accepted) == right or text.lstrip("-") in accepted, (seed, part.name, text)


def test_canvas_is_deterministic(setup, canvas, tmp_path):
    spec, bank, _ = setup
    again = tmp_path / "again.zip"
    export_qti(spec, 2, again, flavor="canvas", banks=[bank], seed=7)
    assert again.read_bytes() == canvas[1].read_bytes()


# ------------------------------------------------------------------------------- helpers


def test_html_with_tex():
    out = html_with_tex("Cost is \\$5 and $a < b$.\n\n$$x_{t} = 1$$\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert r"\(a &lt; b\)" in out and r"\[x_{t} = 1\]" in out and "<table>" in out
    assert "$" not in out and "&#36;5" in out


def test_number_text_and_weights():
    assert number_text(1e-5) == "0.00001" and number_text(3.0) == "3" and number_text(-0.25) == "-0.25"
    assert _weights([1.0, 1.0, 2.0]) == [1, 1, 2]
    assert _weights([1 / 3, 1 / 3, 1 / 3, 1.0]) == [1, 1, 1, 3]


def test_bad_arguments(setup, tmp_path):
    spec, bank, _ = setup
    with pytest.raises(ValueError):
        export_qti(spec, 1, tmp_path / "x.zip", flavor="scorm", banks=[bank])
    with pytest.raises(ValueError):
        export_moodle(spec, 0, tmp_path / "x.xml", banks=[bank])
    assert isinstance(export_moodle(spec, 1, tmp_path / "y.xml", banks=[bank]), ExportReport)
