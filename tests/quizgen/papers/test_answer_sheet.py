"""The student's HTML exam is the answer sheet (issue 19): inputs read answers with the grader's
rules as they are typed, keep them in the browser, save the answer sheet's CSV, hold no key, and
print as the paper.

The browser is Debian's Chromium, driven by Playwright (as the self-check page's tests do).
"""

import csv
import json
import re

import pytest

from quizgen.builddir import BuildDir
from quizgen.grade.run import grade_build
from quizgen.papers.builder import build
from quizgen.tables import read_table

SPEC = """
title = "Answer sheet quiz"
exam_id = "sheet-quiz"

[[section]]
title = "Numeric"
ids = ["rbm.cd1_update", "lstm.cell_step", "cnn.conv_output_shape"]
points = 4

[[section]]
title = "As choices"
ids = ["rnn.forward_two_steps"]
form = "choice"

[[section]]
title = "Concepts"
ids = ["lstm.concept.forget_gate_role", "cnn.concept.explain_lenet_alexnet"]
"""
ROSTER = "student_id,name\n001,Ada Lovelace\n002,Alan Turing\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("sheet")
    (root / "spec.toml").write_text(SPEC)
    (root / "roster.csv").write_text(ROSTER)
    build(root / "spec.toml", root / "roster.csv", root / "out", secret_file=root / "s.secret",
          formats=("html",), quiet=True)
    return root / "out"




def open_paper(browser, path):
    context = browser.new_context(accept_downloads=True)
    context.route(re.compile(r"^(https?|wss?)://"), lambda route: route.abort())  # offline, provably
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.goto(path.as_uri())
    tab.wait_for_selector("body[data-ready=true]")
    return context, tab


def test_every_blank_has_an_input_labelled_with_its_code_and_the_pdf_has_none(built):
    page = (built / "exams" / "001.html").read_text()
    columns = read_table(built / "answer-sheet.csv").header[2:]
    for column in columns:
        assert f'name="{column}"' in page and f'aria-label="{column}"' in page
    assert page.count('class="qz-entry"') == len(columns)
    assert "<textarea" in page  # the essay
    assert 'class="qz-entry"' not in (built / "solutions" / "001.html").read_text()


def test_what_is_typed_is_read_live_kept_on_reload_and_saved_as_the_answer_sheet(browser, built):
    context, tab = open_paper(browser, built / "exams" / "001.html")
    try:
        tab.fill("#qz-Q1a", "0.5 0.2")
        tab.fill("#qz-Q1b", "0,5 0,2]")
        tab.fill("#qz-Q1e", "0.1 0.2; 0.3 0.4; 0.5")
        tab.fill("#qz-Q3a", "(6, 28, 28)")
        tab.fill("#qz-Q4a", "b")
        assert tab.text_content("#qz-Q1a-reading") == "read as the vector [0.5, 0.2]"
        assert tab.text_content("#qz-Q1b-reading").startswith("cannot be read: ")
        assert tab.get_attribute("#qz-Q1b", "aria-invalid") == "true"
        assert tab.text_content("#qz-Q1e-reading") == "cannot be read: rows have different lengths"
        assert tab.text_content("#qz-Q3a-reading") == "read as the shape (6, 28, 28)"
        assert tab.text_content("#qz-Q4a-reading") == "read as option B"
        tab.reload()
        tab.wait_for_selector("body[data-ready=true]")
        assert tab.input_value("#qz-Q1a") == "0.5 0.2" and tab.input_value("#qz-Q4a") == "b"
        assert tab.text_content("#qz-Q1a-reading") == "read as the vector [0.5, 0.2]"
        with tab.expect_download() as download:
            tab.click("#qz-save")
        assert download.value.suggested_filename == "answers-sheet-quiz-001.csv"
        with open(download.value.path(), encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        sheet = read_table(built / "answer-sheet.csv").header
        manifest = BuildDir(built).manifest()
        assert rows[0] == ["student_id", "name", "variant_code", "submitted_at"] + sheet[2:]
        saved = dict(zip(rows[0], rows[1]))
        assert saved["student_id"] == "001" and saved["variant_code"] == manifest["students"][0]["variant_code"]
        assert saved["Q1b"] == "0,5 0,2]" and saved["Q1a"] == "0.5 0.2" and saved["Q2a"] == ""
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", saved["submitted_at"])
        assert "saved answers-sheet-quiz-001.csv" in tab.text_content("#qz-status").lower()
        assert tab.errors == []
    finally:
        context.close()


def test_the_keys_typed_into_the_pages_and_saved_get_full_marks_from_quizgen_grade(browser, built, tmp_path):
    key = read_table(built / "key.csv")
    saved = []
    for _, row in key.rows:
        context, tab = open_paper(browser, built / "exams" / f"{row['student_id']}.html")
        try:
            for column in key.header[2:]:
                if row[column]:  # the essay has no key
                    tab.fill(f"#qz-{column}", row[column])
                    assert tab.get_attribute(f"#qz-{column}", "aria-invalid") == "false", column
            tab.fill("#qz-Q6", "LeNet-5 has two convolution and pooling stages ...")
            with tab.expect_download() as download:
                tab.click("#qz-save")
            path = tmp_path / download.value.suggested_filename
            download.value.save_as(path)
            saved.append(path)
        finally:
            context.close()
    report = grade_build(built, saved, feedback=(), quiet=True)
    assert report.invalid == [] and report.unknown == [] and report.missing_columns == []
    grades = read_table(built / "grades.csv")
    essay = float(grades.rows[0][1]["Q6"])  # the Points Possible row: the essay is to be marked
    for sid, (total, possible) in report.totals.items():
        assert total == possible - essay, (sid, total, possible)  # every other point earned
    assert len(report.to_mark) == 2


def test_the_page_holds_no_key(built):
    """No student's key or hand key (to the stem's decimals) is anywhere in any student's page."""
    manifest = BuildDir(built).manifest()
    keys = set()
    for student in manifest["students"]:
        for question in student["questions"]:
            variant = question["variant"]
            for store in ("answers", "hand_answers"):
                # a choice-form part prints its options, the key among them, by design
                for value in (v for k, v in variant[store].items() if k not in variant["choices"]):
                    for x in re.findall(r"-?\d+\.\d+", json.dumps(value)):
                        text = f"{float(x):.4f}"
                        if text.rstrip("0")[-1] not in ".0" and len(text.split(".")[1].rstrip("0")) >= 3:
                            keys.add(text.lstrip("-"))  # a value of 3 or 4 significant decimals
    assert len(keys) > 30
    for page in sorted((built / "exams").glob("*.html")):
        # a choice-form question prints its options, among them the key and the named mistakes,
        # whose values may equal a key elsewhere: the options are left out of the search
        text = re.sub(r'<ol class="options">.*?</ol>', "", page.read_text(), flags=re.S)
        found = sorted(k for k in keys if k in text)
        assert found == [], f"{page.name} holds key values {found[:10]}"


def test_it_prints_as_the_paper(browser, built):
    context, tab = open_paper(browser, built / "exams" / "001.html")
    try:
        tab.emulate_media(media="print")
        assert not tab.is_visible("#qz-Q1a") and not tab.is_visible("#qz-save")
        boxes = tab.locator(".answer .box")
        assert boxes.count() > 10 and all(boxes.nth(i).is_visible() for i in range(boxes.count()))
        tab.emulate_media(media="screen")
        assert tab.is_visible("#qz-Q1a") and not boxes.first.is_visible()
    finally:
        context.close()


def test_the_loop_right_wrong_unreadable_and_blank_answers_get_exactly_their_statuses(browser, built, tmp_path):
    """A student answers in the page (right, wrong, unreadable, blank), reloads, saves; quizgen grade
    gives each blank exactly the status it should."""
    import sqlite3

    key = read_table(built / "key.csv")
    sid = "002"
    row = next(r for _, r in key.rows if r["student_id"] == sid)
    typed = {c: row[c] for c in key.header[2:] if row[c]}
    typed["Q2f"] = f"{float(row['Q2f']) + 0.5:.4f}"  # h_t: wrong (nothing depends on it)
    typed["Q2e"] = "abc"                               # o_t: cannot be read
    del typed["Q2d"]                                   # C_t: left blank
    typed["Q6"] = "LeNet-5 ..."                        # the essay: to be marked
    expected = {c: "correct" for c in key.header[2:]} | {"Q2f": "wrong", "Q2e": "invalid", "Q2d": "blank",
                                                       "Q6": "to_mark"}
    context, tab = open_paper(browser, built / "exams" / f"{sid}.html")
    try:
        for column, text in typed.items():
            tab.fill(f"#qz-{column}", text)
        assert tab.text_content("#qz-Q2e-reading") == "cannot be read: 'abc' is not a number"
        assert tab.text_content("#qz-Q2f-reading") == f"read as {float(typed['Q2f']):g}"
        assert tab.text_content("#qz-Q2d-reading") == ""
        tab.reload()
        tab.wait_for_selector("body[data-ready=true]")
        assert {c: tab.input_value(f"#qz-{c}") for c in typed} == typed
        with tab.expect_download() as download:
            tab.click("#qz-save")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
    finally:
        context.close()
    report = grade_build(built, [saved], feedback=())
    db = sqlite3.connect(built / "gradebook.sqlite")
    statuses = dict(db.execute("SELECT column_name, status FROM part_score WHERE student_id = ? AND run_id = ?",
                               (sid, report.run_id)))
    db.close()
    assert statuses == expected
    assert any(f"{sid} Q2e" in item for item in report.invalid)
