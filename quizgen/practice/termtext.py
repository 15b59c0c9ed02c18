"""Stems, solutions and feedback (Markdown with ``$...$`` math) as text for a terminal.

The Markdown is read by markdown-it, as the pages read it (math cut out first, so ``*`` and
``_`` in a formula stay math); emphasis becomes bold and italic (ANSI) on a terminal, and plain
words elsewhere: the ``**`` and ``*`` never reach the reader. Paragraphs are wrapped to the width
at spaces only, never inside a word nor inside a formula (the spaces of an inline formula do not
break), and a word longer than the line is left whole on its own line. Display formulas and
matrices keep their own lines (:mod:`quizgen.practice.termmath`).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass

from markdown_it import MarkdownIt

from quizgen.papers.richtext import SLOT_RE, cut_math
from quizgen.practice.termmath import display, inline

GLUE = "\ue030"  # a space inside a formula: not a place to break a line
BOLD, END_BOLD, ITALIC, END_ITALIC = "\ue031", "\ue032", "\ue033", "\ue034"
MARKERS = (BOLD, END_BOLD, ITALIC, END_ITALIC)
ANSI = {BOLD: "\x1b[1m", END_BOLD: "\x1b[22m", ITALIC: "\x1b[3m", END_ITALIC: "\x1b[23m"}
MAX_WIDTH = 100  # wider lines are hard to read, whatever the terminal's width
PLAIN_WIDTH = 80  # when the output is not a terminal (a pipe, a file)


@dataclass(frozen=True)
class TermStyle:
    """How text is written for one output: its line ``width`` and whether it takes ANSI styles."""

    width: int = PLAIN_WIDTH
    ansi: bool = False

    @classmethod
    def for_stream(cls, stream) -> "TermStyle":
        """Bold and italic on a terminal (unless NO_COLOR is set or TERM is dumb), wrapped to its
        width (at most MAX_WIDTH); plain text wrapped at PLAIN_WIDTH for anything else."""
        try:
            tty = bool(stream.isatty())
        except (AttributeError, ValueError):
            tty = False
        if not tty:
            return cls(PLAIN_WIDTH, False)
        columns = shutil.get_terminal_size((PLAIN_WIDTH, 24)).columns
        ansi = "NO_COLOR" not in os.environ and os.environ.get("TERM", "") != "dumb"
        return cls(max(40, min(MAX_WIDTH, columns)), ansi)


PLAIN = TermStyle()


@functools.lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def visible_width(text: str) -> int:
    """The columns ``text`` takes: style markers and combining accents take none."""
    return sum(1 for c in text if c not in MARKERS and not unicodedata.combining(c))


def wrap(text: str, width: int, first: str = "", rest: str | None = None) -> list:
    """``text`` in lines of at most ``width`` columns, broken at spaces only (a line break in the
    text stays one); ``first`` and ``rest`` prefix the first and the following lines. A word
    wider than the line is put whole on a line of its own."""
    rest = first if rest is None else rest
    lines = []
    for segment in text.split("\n"):
        line, prefix = "", first if not lines else rest
        for word in segment.split():
            if line and visible_width(prefix + line + " " + word) > width:
                lines.append(prefix + line)
                line, prefix = word, rest
            else:
                line = f"{line} {word}" if line else word
        lines.append(prefix + line)
    return lines


def finish(text: str, style: TermStyle) -> str:
    """The glue and markers of rendered text turned into spaces and ANSI (or nothing)."""
    text = text.replace(GLUE, " ")
    for marker in MARKERS:
        text = text.replace(marker, ANSI[marker] if style.ansi else "")
    return text


def render(text: str, style: TermStyle = PLAIN, indent: str = "") -> str:
    """Markdown with math as terminal text: every line prefixed by ``indent`` and at most
    ``style.width`` wide (but a formula or word wider than that)."""
    body, formulas = cut_math(text, inline=False)
    lines = _blocks(_markdown().parse(body), formulas, style.width, indent)
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return finish("\n".join(line.rstrip() for line in lines), style)


def render_inline(text: str, style: TermStyle | None = PLAIN) -> str:
    """A phrase (a mistake's description, an option) on one line: emphasis and math, no wrapping.
    ``style=None`` keeps the style markers (and the formulas' glue) for a caller that wraps the
    line and then :func:`finish` es it."""
    body, formulas = cut_math(text, inline=True)
    tokens = _markdown().parseInline(body)
    words = _inline(tokens[0].children if tokens else [], formulas, flat=True).replace("\n", " ").strip()
    return words if style is None else finish(words, style)


def _math(formulas: list, index: int) -> str:
    """An inline formula (or a display one inside a phrase) on one line that never breaks."""
    return re.sub(r"\s+", GLUE, inline(formulas[index][0]).strip())  # a line break in its TeX too


def _inline(children: list, formulas: list, flat: bool = False) -> str:
    out = []
    for token in children:
        kind = token.type
        if kind in ("text", "code_inline"):
            out.append(SLOT_RE.sub(lambda m: _math(formulas, int(m.group(1))), token.content))
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append(" " if flat else "\n")
        elif kind in ("strong_open", "strong_close"):
            out.append(BOLD if kind == "strong_open" else END_BOLD)
        elif kind in ("em_open", "em_close"):
            out.append(ITALIC if kind == "em_open" else END_ITALIC)
        elif kind == "image":
            out.append(token.content or "")
        elif token.children:
            out.append(_inline(token.children, formulas, flat))
    return "".join(out)


_OPTION = re.compile(r"^([A-Z][.)]\s)")  # "A. ": an option's lines hang under its text


def _blocks(tokens: list, formulas: list, width: int, indent: str) -> list:
    """The lines of a token stream: paragraphs wrapped, lists with their markers, display math
    and code as they are, a blank line between blocks (not between a tight list's items)."""
    lines: list = []
    stack: list = []  # open lists: [marker kind, next number]
    prefix, item_first = indent, None
    tight = heading = False
    for k, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            if not stack and lines and lines[-1].strip():
                lines.append("")
            start = int(token.attrGet("start") or 1) if kind == "ordered_list_open" else None
            stack.append([start, prefix])
            tight = bool(token.hidden) or _tight(tokens, k)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            _, prefix = stack.pop()
            if not stack and lines and lines[-1].strip():
                lines.append("")
        elif kind == "list_item_open":
            number, outer = stack[-1]
            marker = "• " if number is None else f"{number}. "
            if number is not None:
                stack[-1][0] = number + 1
            item_first, prefix = outer + marker, outer + " " * len(marker)
        elif kind == "inline":
            text = _inline(token.children, formulas)
            if heading:
                text = BOLD + text + END_BOLD
            alone = SLOT_RE.fullmatch(token.content.strip())
            if alone and formulas[int(alone.group(1))][1]:  # a display formula: its own lines
                block = display(formulas[int(alone.group(1))][0]).replace(" ", GLUE)
                lines += [prefix + "    " + row for row in block.splitlines()]
            else:
                first = item_first if item_first is not None else prefix
                option = _OPTION.match(text) if item_first is None else None
                rest = first + " " * len(option.group(1)) if option else prefix
                lines += wrap(text, width, first, rest)
            item_first = None
            if not (stack and tight):
                lines.append("")
        elif kind in ("fence", "code_block"):
            lines += [prefix + "    " + row for row in token.content.rstrip("\n").splitlines()] + [""]
        elif kind == "hr":
            lines += [prefix + "─" * min(40, width - len(prefix)), ""]
        elif kind == "heading_open":
            heading = True
        elif kind == "heading_close":
            heading = False
        elif kind == "table_open":
            rows = _table(tokens, k, formulas)
            lines += [prefix + row for row in rows] + [""]
        elif kind == "blockquote_open":
            prefix += "│ "
        elif kind == "blockquote_close":
            prefix = prefix[:-2]
    return lines


def _tight(tokens: list, k: int) -> bool:
    """Whether the list opening at ``k`` is tight (its paragraphs hidden)."""
    return any(t.type == "paragraph_open" and t.hidden for t in tokens[k + 1:k + 4])


def _table(tokens: list, k: int, formulas: list) -> list:
    """A Markdown table as aligned columns (its cells' inline tokens were rendered in place)."""
    rows, row = [], []
    for token in tokens[k + 1:]:
        if token.type == "table_close":
            break
        if token.type == "tr_open":
            row = []
        elif token.type == "inline":
            row.append(_inline(token.children, formulas))
            token.type = "table_inline"  # rendered here: not again as a paragraph
        elif token.type == "tr_close":
            rows.append(row)
    widths = [max(visible_width(r[j]) for r in rows if j < len(r)) for j in range(max(map(len, rows), default=0))]
    return ["  ".join(c + " " * (widths[j] - visible_width(c)) for j, c in enumerate(r)) for r in rows]
