"""Paper an instructor prints without a second look (issue 17): the paper size, duplex sheets, a key
page per student, the cover page, room to work and answer boxes of the answer's shape."""

import io
import re

import pytest
from pypdf import PdfReader

from quizgen.bank.kinds import Matrix, Number, Vector
from quizgen.errors import InputError
from quizgen.papers.builder import build, solution_formats
from quizgen.papers.spec import REST_OF_PAGE, load_spec
from quizgen.tables import read_table

SPEC = """
title = "Printing quiz"
course = "DL"
exam_id = "print-quiz"
{print_table}

[[section]]
title = "Worked"
ids = ["rbm.cd1_update", "lstm.cell_step"]
points = 4
space = "6cm"

[[section]]
title = "Alone on its page"
ids = ["rnn.forward_two_steps"]
points = 4
space = "rest of page"

[[section]]
title = "Concepts"
ids = ["lstm.concept.forget_gate_role", "lstm.concept.cell_path_gradient"]
"""
ROSTER = "student_id,name\n001,Ada Lovelace\n002,Alan Turing\n003,Grace Hopper\n"
LETTER = (612, 792)  # points
A4 = (595, 842)


def _build(root, print_table: str, **options):
    root.mkdir(parents=True, exist_ok=True)
    (root / "spec.toml").write_text(SPEC.format(print_table=print_table))
    (root / "roster.csv").write_text(ROSTER)
    # a fixed secret: the same papers, so the same page counts, every run (which pads in duplex)
    (root / "s.secret").write_text("printing-test-secret-" + "0" * 44)
    (root / "s.secret").chmod(0o600)
    build(root / "spec.toml", root / "roster.csv", root / "out", secret_file=root / "s.secret",
          formats=("pdf", "html"), quiet=True, **options)
    return root / "out"


def _pages(path) -> list:
    return _pages_of(path.read_bytes())


def _pages_of(pdf: bytes) -> list:
    return PdfReader(io.BytesIO(pdf)).pages


def _size(page) -> tuple:
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


@pytest.fixture(scope="module")
def duplex_letter(tmp_path_factory):
    """The spec says A4 and no duplex; the command line says letter, duplex and a cover."""
    return _build(tmp_path_factory.mktemp("duplex"), '[print]\npaper = "a4"\ninstitution = "School of Computing"',
                  paper="letter", duplex=True, cover=True, solutions=("html", "pdf"), jobs=2)


@pytest.fixture(scope="module")
def plain_a4(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("plain"), "")


def test_the_paper_size_is_the_one_asked_for(duplex_letter, plain_a4):
    for path in ["exams/001.pdf", "solutions/002.pdf", "all-exams.pdf", "key.pdf"]:
        assert {_size(p) for p in _pages(duplex_letter / path)} == {LETTER}, path
        if (plain_a4 / path).exists():  # no solutions PDF unless asked for
            assert {_size(p) for p in _pages(plain_a4 / path)} == {A4}, path


def test_duplex_pads_every_pdf_to_whole_sheets_and_all_pdf_keeps_each_paper_on_its_own(duplex_letter):
    starts, page = [], 0
    for sid in ("001", "002", "003"):
        assert len(_pages(duplex_letter / f"solutions/{sid}.pdf")) % 2 == 0
        count = len(_pages(duplex_letter / f"exams/{sid}.pdf"))
        assert count % 2 == 0, sid
        starts.append(page)
        page += count
    everyone = _pages(duplex_letter / "all-exams.pdf")
    assert len(everyone) == page
    # each student's first page in all-exams.pdf is a front (an even 0-based index) and shows their name
    for start, name in zip(starts, ("Ada Lovelace", "Alan Turing", "Grace Hopper")):
        assert start % 2 == 0 and name in everyone[start].extract_text()
    assert len(_pages(duplex_letter / "key.pdf")) % 2 == 0


def test_the_manifest_records_the_print_settings_the_build_used(duplex_letter):
    import json

    raw = json.loads((duplex_letter / "manifest.json").read_text())["spec"]["raw"]
    assert raw["print"]["paper"] == "letter" and raw["print"]["duplex"] is True and raw["print"]["cover"] is True


def test_the_key_is_one_page_per_student(plain_a4, duplex_letter):
    key = _pages(plain_a4 / "key.pdf")
    assert len(key) == 3
    for page, sid in zip(key, ("001", "002", "003")):
        text = page.extract_text()
        assert sid in text and "Q1a" in text and "Q4" in text  # every blank of that student on the page
    # duplex: each student's key on a sheet of its own
    key = _pages(duplex_letter / "key.pdf")
    assert len(key) == 6
    names = ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    assert [name for page in key for name in names if name in page.extract_text()] == list(names)
    assert all("Q1a" in key[i].extract_text() for i in (0, 2, 4))  # a front each
    assert not any("Q1a" in key[i].extract_text() for i in (1, 3, 5))  # its back blank


def test_the_key_pdf_shows_each_students_own_keys_in_roster_order(plain_a4, duplex_letter):
    """key.pdf is laid out in the main process while the workers render the papers, from the exams
    it draws again there: each page holds the keys of key.csv's row of that student (made from what
    the workers drew), single and duplex, one process and two."""
    for out, step in ((plain_a4, 1), (duplex_letter, 2)):
        pages = _pages(out / "key.pdf")
        rows = read_table(out / "key.csv").rows
        assert len(pages) == step * len(rows)
        for i, (_, row) in enumerate(rows):
            text = pages[step * i].extract_text().replace("\u2212", "-")
            numbers = [v for k, v in row.items() if k.startswith("Q") and re.fullmatch(r"-?\d+\.\d+", v)]
            assert row["student_id"] in text and len(numbers) >= 3
            assert all(v.lstrip("-") in text for v in numbers), (row["student_id"], numbers)


def test_all_pdf_is_every_paper_in_roster_order_and_a_padded_page_is_a_blank_back(plain_a4, duplex_letter):
    for out in (plain_a4, duplex_letter):
        everyone = [page.extract_text() for page in _pages(out / "all-exams.pdf")]
        papers = [page.extract_text() for sid in ("001", "002", "003") for page in _pages(out / f"exams/{sid}.pdf")]
        assert everyone == papers
    # duplex: a PDF of an odd page count ends with one page left blank, of the same paper, and
    # nowhere else has one
    padded = 0
    for path in [*duplex_letter.glob("exams/0*.pdf"), *duplex_letter.glob("solutions/*.pdf")]:
        pages = _pages(path)
        blank = ["This page is left blank." in page.extract_text() for page in pages]
        assert not any(blank[:-1]) and len(pages) % 2 == 0, path
        if blank[-1]:
            padded += 1
            assert "page" not in pages[-1].extract_text().replace("This page is left blank.", "")
            assert _size(pages[-1]) == LETTER
    # whether these papers come out odd depends on their numbers: a one-page document always is
    from quizgen.papers.render import print_document, print_sheets

    meta = {"print": {"paper": "letter", "duplex": True}}
    pages = _pages_of(print_sheets(print_document("<html><body><p>one page</p></body></html>", meta), meta))
    assert len(pages) == 2 and "This page is left blank." in pages[1].extract_text()
    assert _size(pages[1]) == LETTER and "page" not in pages[1].extract_text().replace("This page is left blank.", "")


def test_worked_solutions_are_html_unless_their_pdf_is_asked_for(plain_a4, duplex_letter):
    """The default says so plainly (README, --help): a solutions PDF costs more than the paper."""
    assert sorted(p.name for p in (plain_a4 / "solutions").iterdir()) == ["001.html", "002.html", "003.html"]
    assert {p.suffix for p in (duplex_letter / "solutions").iterdir()} == {".html", ".pdf"}
    assert solution_formats(("html", "pdf")) == ("html",) and solution_formats(("pdf",)) == ()
    assert solution_formats(("pdf",), "html,pdf") == ("html", "pdf") and solution_formats(("html",), "none") == ()


def test_a_cover_page_has_a_marks_table_and_the_questions_start_after_it(duplex_letter, plain_a4):
    pages = _pages(duplex_letter / "exams/001.pdf")
    cover = pages[0].extract_text()
    assert "For the markers" in cover and "School of Computing" in cover
    assert re.search(r"Question\s*1\s*2\s*3\s*4\s*5\s*Total", cover)
    assert "Question 1 (" not in cover and "Question 1 (" in pages[1].extract_text()
    assert "For the markers" not in _pages(plain_a4 / "exams/001.pdf")[0].extract_text()
    assert "For the markers" not in _pages(duplex_letter / "solutions/001.pdf")[0].extract_text()


def test_room_to_work_is_on_the_paper_only_and_rest_of_page_ends_the_page(plain_a4):
    html = (plain_a4 / "exams/001.html").read_text()
    assert html.count('class="work" style="height: 6cm"') == 2  # the two questions of "Worked"
    assert "rest-of-page" in html and "solutions" not in html.split("<body", 1)[1][:200]
    assert 'class="work"' not in (plain_a4 / "solutions/001.html").read_text()
    # the question after "rest of page" starts a page: Question 4 is never on Question 3's page
    pages = [p.extract_text() for p in _pages(plain_a4 / "exams/001.pdf")]
    q3 = next(i for i, t in enumerate(pages) if "Question 3 (" in t)
    assert "Question 4 (" not in pages[q3] and "Question 4 (" in pages[q3 + 1]


def test_a_matrix_answer_box_shows_its_rows_and_columns(plain_a4):
    assert Matrix(shape=(3, 2)).box_cells() == (3, 2)
    assert Matrix(shape=None).box_cells(key=[[1, 2, 3], [4, 5, 6]]) == (2, 3)
    assert Vector(2).box_cells() == (1, 2) and Number().box_cells() is None
    assert Matrix(shape=(12, 12)).box_cells() is None  # a take-home size: one plain box
    html = (plain_a4 / "exams/001.html").read_text()
    # rbm.cd1_update's Delta W is 3 x 2: one box of 3 rows of 2 cells
    box = re.search(r'<span class="box cells" title="3 x 2">(.*?)</span></span></span>', html)
    assert box and box.group(1).count('class="cell-row"') == 3 and box.group(0).count('class="cell"') == 6


@pytest.mark.parametrize("table, message", [
    ('[print]\npaper = "a3"', "paper"),
    ('[print]\nduplex = "yes"', "duplex"),
    ('[print]\ncolour = true', "unknown setting"),
    ('[print]\nspace = "tall"', "space"),
    ('[print]\nspace = "900mm"', "at most a page"),
    ('[print]\nlogo = "logo.gif"', "PNG, JPEG or SVG"),
])
def test_bad_print_settings_are_refused_naming_the_file(tmp_path, table, message):
    (tmp_path / "spec.toml").write_text(SPEC.format(print_table=table))
    with pytest.raises(InputError, match=message) as err:
        load_spec(tmp_path / "spec.toml")
    assert "spec.toml" in str(err.value)


def test_a_sections_space_is_read_as_written(tmp_path):
    (tmp_path / "spec.toml").write_text(SPEC.format(print_table='[print]\nspace = "2 in"'))
    spec = load_spec(tmp_path / "spec.toml")
    assert [s.space for s in spec.sections] == ["6cm", REST_OF_PAGE, None] and spec.printing.space == "2in"


def test_the_logo_is_printed_in_the_header(tmp_path):
    from PIL import Image  # Pillow comes with WeasyPrint

    Image.new("RGB", (40, 20), (200, 30, 30)).save(tmp_path / "logo.png")
    out = _build(tmp_path, '[print]\nlogo = "logo.png"\ninstitution = "School of Computing"')
    html = (out / "exams/001.html").read_text()
    assert '<img class="logo" src="data:image/png;base64,iVBOR' in html
    assert len(_pages(out / "exams/001.pdf")[0].images) == 1
