"""Multiple-answer parts in the LMS exports, against the spec's multiple_answer_credit.

Moodle: each option's fraction is read from the XML and Moodle's own scoring (qtype_multichoice_multi:
the chosen options' fractions summed, kept in [0, 1]) is run on every choice of options; it must give
quizgen's partial credit, worked out here by hand (+1/c per right option, -1/w per wrong one). QTI 2.1
writes the same shares as a mapping (partial) or a match of the correct response (all-or-nothing).
Canvas cannot follow either rule exactly: the report says what it will do.
"""

import itertools
import zipfile
from fractions import Fraction
from xml.etree import ElementTree as ET

import pytest

from quizgen.export import get_exporter
from quizgen.export.common import select_pool

IDS = ["gan.concept.applications", "dbm.concept.dbm_vs_dbn", "word2vec.skipgram_pairs"]


def spec_file(tmp_path, rule):
    path = tmp_path / f"{rule}.toml"
    path.write_text(f'title = "Choices"\nexam_id = "choices"\nmultiple_answer_credit = "{rule}"\n'
                    f'[[section]]\ntitle = "Several right"\nids = {IDS!r}\n'.replace("'", '"'))
    return path


def by_hand(chosen: set, key: set, n: int) -> Fraction:
    c, w = len(key), n - len(key)
    total = Fraction(len(chosen & key), c) - (Fraction(len(chosen - key), w) if w else 0)
    return min(max(total, Fraction(0)), Fraction(1))


def moodle_score(fractions: list, chosen: list) -> float:
    """qtype_multichoice_multi_question::grade_response: the chosen answers' fractions, in [0, 1]."""
    return min(max(0.0, sum(fractions[i] / 100 for i in chosen)), 1.0)


@pytest.mark.parametrize("rule", ["partial", "all-or-nothing"])
def test_moodle_fractions_score_the_partial_rule(tmp_path, rule):
    spec = spec_file(tmp_path, rule)
    report = get_exporter("moodle").export(spec, 3, tmp_path / "quiz.xml", seed=5)
    quiz = ET.parse(tmp_path / "quiz.xml").getroot()
    _, items = select_pool(spec, (), 3, 5)  # the variants the export drew, for their keys
    keys = {item.template.id: [v.answers["choice"] if "choice" in v.answers else v.answers["contexts"]
                               for v in item.variants] for item in items}
    checked = 0
    for question in quiz.findall("question"):
        if question.get("type") != "multichoice":
            continue
        assert question.findtext("single") == "false"
        template_id, number = question.findtext("name/text").rsplit("[", 1)[1].rstrip("]").split(" #")
        key = set(keys[template_id][int(number) - 1])
        fractions = [float(a.get("fraction")) for a in question.findall("answer")]
        n = len(fractions)
        letters = "ABCDEFG"[:n]
        expected = [100 / len(key) if c in key else -100 / (n - len(key)) for c in letters]
        assert fractions == pytest.approx(expected, abs=1e-5)  # written with 5 decimals, as Moodle does
        for size in range(1, n + 1):
            for chosen in itertools.combinations(range(n), size):
                want = by_hand({letters[i] for i in chosen}, key, n)
                assert moodle_score(fractions, list(chosen)) == pytest.approx(float(want), abs=1e-6)
        checked += 1
    assert checked == 6  # the two concept items, 3 variants each
    # the cloze blank of word2vec.skipgram_pairs carries the same shares
    cloze = [q for q in quiz.findall("question") if q.get("type") == "cloze"
             and "word2vec.skipgram_pairs" in q.findtext("name/text")]
    assert cloze and all(":MULTIRESPONSE:%" in q.findtext("questiontext/text") for q in cloze)
    notes = " ".join(report.notes)
    if rule == "partial":
        assert "all-or-nothing" not in notes
    else:  # Moodle cannot score all-or-nothing: the instructor is told it will give partial credit
        assert "all-or-nothing, which Moodle's multichoice" in notes and "partial credit" in notes


QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"


@pytest.mark.parametrize("rule", ["partial", "all-or-nothing"])
def test_qti21_maps_each_option_to_its_share_under_the_partial_rule(tmp_path, schemas, rule):
    etree, item_schema, _ = schemas
    spec = spec_file(tmp_path, rule)
    get_exporter("qti").export(spec, 2, tmp_path / "quiz.zip", seed=5)
    _, items = select_pool(spec, (), 2, 5)
    keys = {item.template.id: [v.answers.get("choice", v.answers.get("contexts")) for v in item.variants]
            for item in items}
    mapped = 0
    with zipfile.ZipFile(tmp_path / "quiz.zip") as package:
        for name in package.namelist():
            if not name.startswith("items/"):
                continue
            data = package.read(name)
            assert item_schema.validate(etree.fromstring(data)), (name, item_schema.error_log)
            root = ET.fromstring(data)
            template_id, number = root.get("title").rsplit("(", 1)[1].rstrip(")").split(" #")
            key = set(keys[template_id][int(number) - 1])
            for declaration in root.findall(f"{QTI}responseDeclaration"):
                if declaration.get("cardinality") != "multiple":
                    continue
                mapping = declaration.find(f"{QTI}mapping")
                if rule == "all-or-nothing":
                    assert mapping is None  # scored by a match of the whole correct response
                    continue
                assert mapping.get("lowerBound") == "0" and mapping.get("upperBound") == "1"
                entries = {e.get("mapKey"): float(e.get("mappedValue")) for e in mapping.findall(f"{QTI}mapEntry")}
                n = len(entries)
                assert entries == {c: float(Fraction(1, len(key)) if c in key else Fraction(-1, n - len(key)))
                                   for c in "ABCDEFG"[:n]}
                assert root.find(f".//{QTI}mapResponse").get("identifier") == declaration.get("identifier")
                mapped += 1
    assert mapped == (6 if rule == "partial" else 0)


@pytest.mark.parametrize("rule", ["partial", "all-or-nothing"])
def test_canvas_report_says_what_canvas_will_do(tmp_path, rule):
    report = get_exporter("canvas").export(spec_file(tmp_path, rule), 1, tmp_path / "quiz.zip", seed=5)
    notes = " ".join(report.notes)
    assert "each wrong option chosen costing 1/c" in notes or "each wrong option chosen costs 1/c" in notes
    if rule == "partial":
        assert "quizgen: 1/w for w wrong options" in notes
        assert "a Canvas blank compared as text: all-or-nothing there" in notes  # word2vec's part
    else:
        assert "partial credit where quizgen grade gives none" in notes
