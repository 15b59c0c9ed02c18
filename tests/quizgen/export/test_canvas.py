"""Canvas QTI 1.2 export: structure (the manifest against the IMS schema, the quiz against its
documented structure), numeric ranges, choices, blanks that accept what quizgen grades right, determinism."""

import math
import zipfile
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from quizgen.bank.marking import grade
from quizgen.export import ExportReport, get_exporter
from quizgen.export.canvas import blank_texts
from quizgen.export.common import identifier
from tests.quizgen.export.pool import exported_ids

CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
Q12 = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


@pytest.fixture(scope="module")
def canvas(setup):
    spec, bank, root = setup
    out = root / "canvas.zip"
    report = get_exporter("canvas").export(spec, 2, out, banks=[bank], seed=7)
    return report, out


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
                 and i.get("ident").startswith(identifier("dbm.energy") + "-")]
    assert numerical
    for item in numerical:
        condition = item.find(f"{Q12}resprocessing/{Q12}respcondition[@continue='No']/{Q12}conditionvar")
        value = float(condition.findtext(f"{Q12}or/{Q12}varequal"))
        low = float(condition.findtext(f"{Q12}or/{Q12}and/{Q12}vargte"))
        high = float(condition.findtext(f"{Q12}or/{Q12}and/{Q12}varlte"))
        # the key with what stays inside its accepted interval: at least the final rounding's
        # tolerance, symmetric, at most the widest hand paths
        bound = kind.tolerance.bound(value)
        assert math.isclose(high - value, value - low, rel_tol=1e-6)
        assert bound * (1 - 1e-6) <= high - value <= 40 * bound
        # written at the stem's precision (the key) and one decimal finer (the range), not float noise
        texts = [condition.findtext(f"{Q12}or/{Q12}varequal")] + [
            condition.findtext(f"{Q12}or/{Q12}and/{Q12}{v}") for v in ("vargte", "varlte")]
        assert len(texts[0].split(".")[-1]) <= kind.decimals, texts
        assert all(len(t.split(".")[-1]) <= kind.decimals + 1 for t in texts), texts
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
    _, bank = exported_ids(setup[1])
    template = bank.get("lstm.cell_step")
    for seed in range(20):
        variant = template.draw(np.random.default_rng(seed), f"canvas{seed}")
        for part in template.parts:
            (accepted,) = blank_texts(part, variant, ExportReport("canvas", "x.zip"), template)
            key = variant.answers[part.name]
            for k in range(-3, 4):  # the key at 4 decimals, moved by k units in the last one
                text = f"{key + k * 1e-4:.4f}"
                right = grade(template, variant, {part.name: text}, ecf=False).parts[
                    [p.name for p in template.parts].index(part.name)].status == "correct"
                assert (text in accepted) == right or text.lstrip("-") in accepted, (seed, part.name, text)


def test_canvas_is_deterministic(setup, canvas, tmp_path):
    spec, bank, _ = setup
    again = tmp_path / "again.zip"
    get_exporter("canvas").export(spec, 2, again, banks=[bank], seed=7)
    assert again.read_bytes() == canvas[1].read_bytes()
