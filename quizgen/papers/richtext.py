"""Stem and solution text (Markdown with ``$...$`` / ``$$...$$`` math) to HTML.

Math is cut out before Markdown sees it (so ``_`` and ``*`` inside formulas
stay TeX), the Markdown is rendered by markdown-it (CommonMark, tables on,
raw HTML off: text from a template is never trusted as markup), and each
formula is put back as MathML (``math="mathml"``, for the HTML files) or as
print HTML/SVG (``math="print"``, for WeasyPrint).
"""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt

from quizgen.papers.mathrender import to_mathml, to_print_html

_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", re.S)
_SLOT = "QZMATH{}ZQ"
SLOT_RE = re.compile(r"QZMATH(\d+)ZQ")


@functools.lru_cache(maxsize=2)
def _markdown(xhtml: bool) -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False, "xhtmlOut": xhtml}).enable("table")


def cut_math(text: str, inline: bool) -> tuple[str, list]:
    """``text`` with each formula replaced by a slot (``SLOT_RE`` finds them; a display formula
    becomes a paragraph of its own unless ``inline``), and the formulas as (latex, display)."""
    formulas = []

    def cut(m):
        display = m.group(1) is not None
        formulas.append(((m.group(1) if display else m.group(2)).strip(), display))
        slot = _SLOT.format(len(formulas) - 1)
        return f"\n\n{slot}\n\n" if display and not inline else slot

    return _MATH.sub(cut, text).replace(r"\$", "$"), formulas


@functools.lru_cache(maxsize=4096)
def render_markdown(body: str, inline: bool, xhtml: bool = False) -> str:
    """Markdown of a text whose formulas are slots: the same for every variant of a template.
    ``xhtml`` writes void elements as XHTML (``<br />``), for QTI."""
    return _markdown(xhtml).renderInline(body) if inline else _markdown(xhtml).render(body)


def put_math(rendered: str, formulas: list, render, inline: bool) -> str:
    """The slots of ``rendered`` replaced by ``render(latex, display)``; a display formula alone
    in its paragraph replaces the paragraph."""
    def put(m):
        latex, display = formulas[int(m.group(1))]
        return render(latex, display and not inline)

    rendered = re.sub(r"<p>\s*(QZMATH\d+ZQ)\s*</p>", lambda m: SLOT_RE.sub(put, m.group(1)), rendered)
    return SLOT_RE.sub(put, rendered)


def to_html(text: str, math: str = "mathml", inline: bool = False) -> str:
    """Render ``text``; ``inline`` drops the surrounding paragraph (for labels and options)."""
    body, formulas = cut_math(text, inline)
    return put_math(render_markdown(body, inline), formulas, to_mathml if math == "mathml" else to_print_html,
                    inline)


def math_html(latex: str, math: str = "mathml", display: bool = False) -> str:
    """One formula (a part's label, a key) in the chosen output."""
    return to_mathml(latex, display) if math == "mathml" else to_print_html(latex, display)
