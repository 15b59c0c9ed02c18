"""Text for the terminal: Markdown emphasis rendered (never its asterisks), lines wrapped between
words only, formulas kept whole, for every template's stem and solution."""

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.bank.loader import load_bank
from quizgen.bank.seeds import rng_for
from quizgen.bank.texts import render_solution, render_stem
from quizgen.papers.richtext import cut_math
from quizgen.practice.termmath import inline
from quizgen.practice.termtext import TermStyle, render, render_inline, visible_width, wrap

# what Markdown emphasis looks like when it leaks: **x**, __x__, *x*, _x_ around a word
LEAKED = re.compile(r"\*\*|(?<!_)__(?=[A-Za-z0-9])|(?<![\w*^])\*[^\s*][^*\n]*\*(?![\w*])|(?<![\w^])_[A-Za-z][^_\n]*_(?!\w)")


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def texts(bank):
    """(template id, Markdown) of every template's stem and solution, two variants each."""
    out = []
    for template in bank.templates.values():
        for seed in (0, 1):
            variant = template.draw(rng_for(seed), str(seed))
            out += [(template.id, render_stem(template, variant)), (template.id, render_solution(template, variant))]
    return out


@pytest.fixture(scope="module")
def every_text(bank):
    return texts(bank)


WORD = st.text(alphabet=st.sampled_from(list("abcxyzMATRIX0123456789.,;:()[]-+=αβσ∂ₜ⁽¹⁾ᵀ\u0303")),
               min_size=1, max_size=30)


@given(words=st.lists(WORD, min_size=1, max_size=40), width=st.integers(8, 60))
@settings(max_examples=200, deadline=None)
def test_wrap_never_splits_a_word(words, width):
    lines = wrap(" ".join(words), width, "  ", "    ")
    assert " ".join(lines).split() == words  # every word whole, in order
    for line in lines:
        assert visible_width(line) <= width or len(line.split()) == 1, line  # too wide only for one long word


def test_a_long_word_stays_whole_on_its_own_line():
    lines = wrap("the weight matrix Wxh_recurrent_input_to_hidden is", 20)
    assert "Wxh_recurrent_input_to_hidden" in lines
    assert all("matr" not in line or "matrix" in line for line in lines)


def test_an_inline_formula_never_breaks():
    text = "Compute the gate " + "and the state " * 4 + "$f_t = \\sigma(W_f x_t + U_f h_{t-1} + b_f)$ now."
    formula = inline(r"f_t = \sigma(W_f x_t + U_f h_{t-1} + b_f)")
    assert " " in formula
    for width in range(20, 70, 7):
        out = render(text, TermStyle(width))
        assert any(formula in line for line in out.splitlines()), (width, out)


def test_emphasis_is_ansi_on_a_terminal_and_plain_words_elsewhere():
    text = "against the **updated** discriminator\n\n*Choose every correct option.*"
    assert render(text) == "against the updated discriminator\n\nChoose every correct option."
    styled = render(text, TermStyle(80, ansi=True))
    assert "\x1b[1mupdated\x1b[22m" in styled and "\x1b[3mChoose every correct option.\x1b[23m" in styled
    assert render_inline("forgot the *bias*") == "forgot the bias"
    # a formula's * and _ are math, not emphasis
    assert render("with $a_t * b_t$ and $x^*$") == f"with {inline('a_t * b_t')} and {inline('x^*')}"


class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_style_follows_the_output(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert TermStyle.for_stream(io.StringIO()) == TermStyle(80, False)
    assert TermStyle.for_stream(_Stream(True)).ansi
    assert 40 <= TermStyle.for_stream(_Stream(True)).width <= 100
    monkeypatch.setenv("NO_COLOR", "1")
    assert not TermStyle.for_stream(_Stream(True)).ansi


def test_no_emphasis_marker_reaches_plain_output_of_any_template(every_text):
    leaks = []
    for template_id, text in every_text:
        out = render(text, TermStyle(60))
        found = LEAKED.search(out)
        if found:
            leaks.append(f"{template_id}: {found.group()!r}")
    assert not leaks, leaks[:10]
    # the bank does use emphasis (the test could fail)
    assert sum("**" in t or re.search(r"(?<![\w$])\*\w", t) is not None for _, t in every_text) > 5


def test_every_template_wraps_between_words_and_keeps_its_formulas(every_text):
    for template_id, text in every_text:
        wide = render(text, TermStyle(10_000))
        narrow = render(text, TermStyle(50))
        assert narrow.split() == wide.split(), template_id   # no word cut in two, none lost
        lines = narrow.splitlines()
        body, formulas = cut_math(text, inline=False)
        shown = [" ".join(inline(latex).split()) for latex, display in formulas if not display]
        for formula in shown:
            if visible_width(formula) <= 46 and formula in wide:
                assert any(formula in line for line in lines), (template_id, formula)
        for line in lines:
            if visible_width(line) > 50:  # only a display formula, a matrix, one long word or formula
                rest = line.strip()
                for formula in sorted(shown, key=len, reverse=True):
                    rest = rest.replace(formula, "")
                alone = " " not in rest  # formulas (and punctuation) that cannot break
                table_row = "|" in text and "  " in line.strip()  # a Markdown table's aligned columns
                assert line.startswith("    ") or len(line.split()) == 1 or alone or table_row, (template_id, line)
