"""Rendering a paper: answer boxes and the PDF path (lean user-agent stylesheet, one font setup)."""

import numpy as np
import weasyprint

from quizgen.papers import render
from quizgen.bank.kinds import Number, Vector
from quizgen.papers.richtext import to_html


def test_box_width_of_a_vector_without_a_declared_length_comes_from_its_key():
    assert Vector(length=None).box_class(np.zeros(2)) == "w2"
    assert Vector(length=None).box_class(np.zeros(5)) == "w3"
    assert Vector(length=4).box_class() == "w3" and Number().box_class() == "w1"


def _boxes(document) -> list:
    """Every box of the first page: kind, position and size."""
    out = []

    def walk(box):
        out.append((type(box).__name__, round(box.position_x, 2), round(box.position_y, 2),
                    round(box.width or 0, 2), round(box.height or 0, 2)))
        for child in getattr(box, "children", ()):
            walk(child)

    walk(document.pages[0]._page_box)
    return out


def test_lean_user_agent_stylesheet_lays_out_as_weasyprints_own():
    assert render.font_config() is render.font_config()  # one per process
    math = to_html(r"$W_{hh} = \begin{bmatrix} 1 & 2 \end{bmatrix}$ and $\frac{1}{2}$", "print")
    page = (f"<!DOCTYPE html><html><head><style>{render.stylesheet()}</style></head><body><h2>Title</h2>"
            "<p>Text <em>and</em> <strong>more</strong>, <code>code</code>.</p><ul><li>one</li></ul>"
            f"<ol><li>two</li></ol><blockquote>q</blockquote><table><tr><th>a</th><td>1</td></tr></table>"
            f"{math}</body></html>")
    lean = render.print_html_class()(string=page).render(font_config=render.font_config())
    assert _boxes(lean) == _boxes(weasyprint.HTML(string=page).render())
    assert render.html_to_pdf(page).startswith(b"%PDF")


def test_the_embedded_math_font_is_the_same_bytes_when_made_again(monkeypatch):
    import fontTools.ttLib.tables._h_e_a_d as head

    render.math_font_css.cache_clear()
    first = render.math_font_css("xyz")
    monkeypatch.setattr(head, "timestampNow", lambda: 3_000_000_000)  # "now" is much later
    render.math_font_css.cache_clear()
    assert render.math_font_css("xyz") == first  # so a rebuilt HTML exam is byte for byte the same


def test_a_forked_worker_rendering_pdfs_leaves_its_parents_fonts_alone():
    import multiprocessing

    page = (f"<html><head><style>{render.print_font_css()} p {{ font-family: 'STIX Two Math' }}</style></head>"
            "<body><p>x</p></body></html>")
    assert render.html_to_pdf(page).startswith(b"%PDF")  # the @font-face put a font in this process's folder
    folder = render.font_config()._folder
    with multiprocessing.get_context("fork").Pool(1) as pool:  # the worker makes its own, then drops ours
        assert pool.apply(render.html_to_pdf, (page,)).startswith(b"%PDF")
    assert folder.exists()
    assert render.html_to_pdf(page).startswith(b"%PDF")


# ---- issue 17: word labels are upright words, a formula label is math ----

class _Template:
    tags = ()


class _Part:
    def __init__(self, label):
        self.label = label


def test_a_parts_word_label_is_upright_text_with_its_letter_and_a_space():
    for label, words in (("(a) ratio", "ratio"), ("(b) input bits", "input bits"), ("(c) ELBO", "ELBO"),
                         ("(b) KL", "KL"), ("answer", "answer")):
        for math in ("print", "mathml"):
            shown = str(render.part_label(_Template(), _Part(label), math))
            assert shown == (label.split(" ", 1)[0] + " " + words if label.startswith("(") else words), shown


def test_a_parts_formula_label_is_math_after_its_letter():
    shown = str(render.part_label(_Template(), _Part("(a) D^*"), "print"))
    assert shown.startswith("(a) <span class=\"math") and "\U0001d437" in shown  # math italic D
    assert "<math" in str(render.part_label(_Template(), _Part("z"), "mathml"))
