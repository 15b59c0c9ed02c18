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

from quizgen.mathrender import to_mathml, to_print_html

_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", re.S)
_SLOT = "QZMATH{}ZQ"
_SLOT_RE = re.compile(r"QZMATH(\d+)ZQ")


@functools.lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


@functools.lru_cache(maxsize=4096)
def _render_markdown(body: str, inline: bool) -> str:
    """Markdown of a text whose formulas are slots: the same for every variant of a template."""
    return _markdown().renderInline(body) if inline else _markdown().render(body)


def to_html(text: str, math: str = "mathml", inline: bool = False) -> str:
    """Render ``text``; ``inline`` drops the surrounding paragraph (for labels and options)."""
    formulas = []

    def cut(m):
        display = m.group(1) is not None
        formulas.append(((m.group(1) if display else m.group(2)).strip(), display))
        slot = _SLOT.format(len(formulas) - 1)
        return f"\n\n{slot}\n\n" if display and not inline else slot

    body = _MATH.sub(cut, text).replace(r"\$", "$")
    rendered = _render_markdown(body, inline)
    render = to_mathml if math == "mathml" else to_print_html

    def put(m):
        latex, display = formulas[int(m.group(1))]
        return render(latex, display and not inline)

    rendered = re.sub(r"<p>\s*(QZMATH\d+ZQ)\s*</p>", lambda m: _SLOT_RE.sub(put, m.group(1)), rendered)
    return _SLOT_RE.sub(put, rendered)


def math_html(latex: str, math: str = "mathml", display: bool = False) -> str:
    """One formula (a part's label, a key) in the chosen output."""
    return to_mathml(latex, display) if math == "mathml" else to_print_html(latex, display)
