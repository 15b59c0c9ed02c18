"""Math output: the cached-skeleton MathML equals a direct conversion; print HTML covers course math."""

import html
import re

import latex2mathml.converter
import pytest

from quizgen.papers.mathrender import to_html, to_mathml, to_print_html

FORMULAS = [
    r"h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b_h)",
    r"W_{xh} = \begin{bmatrix} 0.7 & 0.5 \\ 0.2 & 1 \end{bmatrix}, \quad x_1 = 2.5",
    r"\left\lfloor \frac{32 + 2 \cdot 1 - 3}{2} \right\rfloor + 1 = 16",
    r"\sum_{k=1}^{3} \frac{\partial h_3}{\partial h_k} \frac{\partial h_k^+}{\partial W}",
]


@pytest.mark.parametrize("latex", FORMULAS)
def test_skeleton_mathml_equals_direct_conversion(latex):
    direct = latex2mathml.converter.convert(latex)

    def elements(mathml):
        """Tokens and their text in order; grouping <mrow>s and entity spelling aside."""
        mathml = re.sub(r"</?mrow>", "", mathml.replace('<mover accent="true">', "<mover>"))
        return html.unescape(mathml)

    assert elements(to_mathml(latex)) == elements(direct)


def test_signed_numbers_before_a_full_stop_are_one_unary_minus():
    assert "<mrow><mo>&#x02212;</mo><mn>0.5</mn></mrow><mo>&#x0002E;</mo>" in to_mathml(r"b_o = {-}0.5.")


def test_print_html_typesets_course_math_without_pictures():
    for latex in FORMULAS:
        assert "<img" not in to_print_html(latex)
    assert 'class="bmat"' in to_html(FORMULAS[1]) and 'class="frac"' in to_html(FORMULAS[2])
    assert "<img" in to_print_html(r"\begin{aligned} a &= b \end{aligned}")  # unknown: SVG fallback


def test_print_html_letters_are_characters_and_matrices_are_columns():
    # math italic letters are characters of one text run (WeasyPrint's cost is per inline box)
    out = to_html(r"W_{hh} h_{t-1} + \hat{C}_t + \mathrm{KL}(q \| p) + \tanh(x) + \sigma")
    assert "<i>" not in out.replace("<i>σ</i>", "")
    assert "𝑊<sub>ℎℎ</sub>" in out and "𝐶\u0302<sub>𝑡</sub>" in out
    assert "KL(" in out and "tanh(" in out  # upright, as in TeX
    assert "<b><i>x</i></b>" in to_html(r"\boldsymbol{x}") and "<b>1</b>" in to_html(r"\mathbf{1}")
    # a matrix of one-line cells: a column's rows are its lines, right-aligned
    matrix = to_html(r"\begin{bmatrix} 0.7 & {-}0.5 \\ 0.25 & 1 \end{bmatrix}")
    assert '<span class="mcol">0.7\n0.25</span><span class="mcol">−0.5\n1</span>' in matrix
    assert '<span class="bmat mcol1">𝑥<sub>1</sub>\n𝑥<sub>2</sub></span>' in to_html(
        r"\begin{bmatrix} x_1 \\ x_2 \end{bmatrix}")
    # a taller cell keeps the table, whose rows line up
    assert 'class="mc"' in to_html(r"\begin{bmatrix} \frac{1}{2} & 0 \\ 0 & 1 \end{bmatrix}")


# ---- issue 17: what printed wrong in the PDF ----

@pytest.mark.parametrize("words", ["natural log", "floor mode", "ceil mode", "row x, column y",
                                   "input dimension"])
def test_text_in_a_formula_keeps_its_spaces(words):
    printed = html.unescape(re.sub(r"<[^>]+>", "", to_print_html(r"\text{(" + words + r")} + x")))
    assert f"({words})" in printed


def test_forward_and_backward_arrows_print_as_different_arrows():
    forward, backward = to_print_html(r"\overrightarrow{h}_t"), to_print_html(r"\overleftarrow{h}_t")
    assert "\u2192" in forward and "\u2190" in backward and "\u2190" not in forward
    # not the combining arrows, which DejaVu sets over math italic h as a tick like the h-bar
    assert "\u20d7" not in forward + backward and "\u20d6" not in forward + backward
    assert to_print_html(r"\vec{b}") != to_print_html(r"\overleftarrow{b}")


def _layout(latex: str, display: bool = True) -> list:
    """(class, top, bottom) of each classed box of one formula laid out by WeasyPrint with the page CSS."""
    import weasyprint

    from quizgen.papers import render

    page = (f"<html><head><style>{render.stylesheet()}</style></head><body><p>"
            f"{to_print_html(latex, display)}</p></body></html>")
    boxes = []

    def walk(box):
        element = getattr(box, "element", None)
        if element is not None and element.get("class") and type(box).__name__ != "LineBox":
            bottom = box.position_y + box.margin_height()
            boxes.append((element.get("class"), box.position_y, bottom, box))
        for child in getattr(box, "children", ()):
            walk(child)

    walk(weasyprint.HTML(string=page).render().pages[0]._page_box)
    return boxes


def test_a_sums_upper_limit_clears_the_fraction_bar():
    boxes = _layout(r"\hat{y}_{t,i} = \frac{e^{z_{t,i}}}{\sum_{j=1}^{3} e^{z_{t,j}}}")
    bar = max(bottom for cls, _, bottom, box in boxes if cls == "num")  # the numerator's bottom border
    upper_limit = min(top for cls, top, _, _ in boxes if cls == "lim")
    font_size = next(box.style["font_size"] for cls, *_, box in boxes if cls == "num")
    assert upper_limit - bar >= 0.1 * font_size, (bar, upper_limit)
