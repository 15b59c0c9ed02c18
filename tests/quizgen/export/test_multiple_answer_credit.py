"""Multiple-answer parts in the LMS exports, against the spec's multiple_answer_credit.

Moodle: each question is imported by Moodle's rules (tests/quizgen/export/moodle_import.py) and scored as
Moodle scores it (qtype_multichoice_multi: the chosen options' fractions summed, kept in [0, 1]; a short
answer: the typed letters) on every choice of options; it must give quizgen's credit under the spec's
rule, worked out here by hand (partial: +1/c per right option, -1/w per wrong one). QTI 2.1
writes the same shares as a mapping (partial) or a match of the correct response (all-or-nothing).
Canvas cannot follow either rule exactly: the report says what it will do.
"""

import dataclasses
import itertools
import zipfile
from fractions import Fraction
from xml.etree import ElementTree as ET

import pytest

from quizgen.export import get_exporter
from quizgen.export.common import ExportReport, html_with_tex, select_pool, stem_and_options
from quizgen.export.moodle import moodle_xml
from tests.quizgen.export import moodle_import as moodle

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


@pytest.mark.parametrize("rule", ["partial", "all-or-nothing"])
def test_moodle_scores_the_spec_rule(tmp_path, rule):
    """Each variant written alone and imported by Moodle's rules (moodle_import): every choice of options
    scores in Moodle what quizgen gives it under the rule, worked out here by hand."""
    spec = spec_file(tmp_path, rule)
    _, items = select_pool(spec, (), 3, 5)
    checked = 0
    for item in items:
        for variant in item.variants:
            data = moodle_xml([dataclasses.replace(item, variants=[variant])], ExportReport("moodle", "-"))
            (element,) = [q for q in ET.fromstring(data).findall("question") if q.get("type") != "category"]
            question = moodle.import_question(element)
            assert not question.errors
            if question.qtype == "multianswer":  # word2vec.skipgram_pairs: its blank of several letters
                question = question.subquestions[-1]
            key = set(variant.answers.get("choice") or variant.answers["contexts"])
            n = item.template.parts[-1].kind.n_options
            _, cut = stem_and_options(item.template, variant)
            texts = [html_with_tex(o, inline=True) for o in cut] if cut else None
            for size in range(1, n + 1):
                for chosen in itertools.combinations("ABCDEFG"[:n], size):
                    want = by_hand(set(chosen), key, n) if rule == "partial" else int(set(chosen) == key)
                    if question.qtype == "shortanswer":  # all-or-nothing over several right options
                        got = moodle.shortanswer_fraction(question, ", ".join(reversed(chosen)))
                    else:
                        where = [texts.index(a.text) if texts else "ABCDEFG".index(a.text)
                                 for a in question.answers]
                        got = moodle.multichoice_fraction(question, [where.index("ABCDEFG".index(c))
                                                                     for c in chosen])
                    assert got == pytest.approx(float(want), abs=1e-6), (item.template.id, chosen, key)
            checked += 1
    assert checked == 9  # two concept items and word2vec.skipgram_pairs, 3 variants each
    report = get_exporter("moodle").export(spec, 3, tmp_path / "quiz.xml", seed=5)
    notes = " ".join(report.notes)
    if rule == "partial":
        assert "all-or-nothing" not in notes
    else:  # several right options cannot be scored all-or-nothing by Moodle's sums: typed letters
        assert "all-or-nothing, which Moodle's multichoice" in notes and "short answer" in notes


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
