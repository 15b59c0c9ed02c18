"""QTI 2.1 export: items and the package's manifest are valid against the IMS XML schemas kept in
tests/data/qti/ (see its README); numbers use tolerant equal; choices, essays and text; determinism."""

import re
import zipfile
from xml.etree import ElementTree as ET

import pytest

from quizgen.export import get_exporter
from quizgen.export.common import identifier
from tests.quizgen.export.every_template import export_every_template
from tests.quizgen.export.pool import exported_ids

QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"


@pytest.fixture(scope="module")
def qti(setup):
    spec, bank, root = setup
    out = root / "quiz.zip"
    report = get_exporter("qti").export(spec, 2, out, banks=[bank], seed=7)
    return report, out


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
    lstm = next(i for n, i in items.items() if identifier("lstm.cell_step") + "-" in n)
    entries = lstm.findall(f".//{QTI}textEntryInteraction")
    assert len(entries) == 6
    equals = lstm.findall(f".//{QTI}equal")
    assert len(equals) >= 6
    for eq in equals:
        assert eq.get("toleranceMode") == "absolute"
        low, high = map(float, eq.get("tolerance").split())
        value = float(eq.find(f"{QTI}baseValue").text)
        # each blank's key (and the interval's middle) with what stays inside the accepted interval
        bound = kind.tolerance.bound(value)
        assert low == high and bound * (1 - 1e-9) <= low <= 40 * bound
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
    get_exporter("qti").export(spec, 2, again, banks=[bank], seed=7)
    assert again.read_bytes() == qti[1].read_bytes()


@pytest.fixture(scope="module")
def every_template_qti(tmp_path_factory):
    """The QTI 2.1 package of every template in both forms and every size (each listed several times)."""
    report, out, _ = export_every_template(tmp_path_factory.mktemp("every-qti"), "qti", 3, "every.zip")
    return report, out


def test_qti21_every_template_is_valid_and_named_once(every_template_qti, schemas):
    """Every item of every template (typed and choice, each size) against the IMS schema; zip entries
    and manifest identifiers unique (xs:ID), though each template is listed several times."""
    etree, item_schema, cp_schema = schemas
    report, out = every_template_qti
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert len(names) == len(set(names)) == report.questions + 1
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        assert cp_schema.validate(manifest), cp_schema.error_log
        idents = [r.get("identifier") for r in manifest.iter(CP + "resource")]
        assert len(idents) == len(set(idents)) == report.questions
        invalid = []
        for name in names[1:]:
            item = etree.fromstring(archive.read(name))
            if not item_schema.validate(item):
                invalid.append((name, str(item_schema.error_log.last_error)))
        assert not invalid, f"{len(invalid)} of {report.questions} items fail the schema: {invalid[:3]}"


def test_qti21_correct_responses_are_written_as_the_stem_asks(every_template_qti):
    """A player shows correctResponse: a number there has at most the decimals the stem asks for (no
    float noise such as -0.31852077690277086)."""
    _, out = every_template_qti
    noisy = []
    for name, item in _items(out).items():
        for decl in item.iter(f"{QTI}responseDeclaration"):
            if decl.get("baseType") not in ("float", "integer"):
                continue
            for value in decl.iter(f"{QTI}value"):
                if not re.fullmatch(r"-?\d+(\.\d{1,6})?", value.text):
                    noisy.append((name, value.text))
    assert not noisy, noisy[:5]
