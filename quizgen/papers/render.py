"""Rendering a student's exam or solutions: one HTML file (MathML) or a PDF (WeasyPrint).

Both come from ``templates/exam.html.j2`` and ``templates/exam.css``; the
difference is only how math is written (``math="mathml"`` or ``"print"``) and
which font is embedded. Every text a person typed (names, ids) is escaped by
Jinja2's autoescape; template texts are Markdown rendered without raw HTML.
"""

from __future__ import annotations

import atexit
import base64
import functools
import gc
import io
import json
import os
import re
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

import quizgen
from quizgen.bank.kinds import LETTERS, Choice
from quizgen.bank.question import accepted_interval
from quizgen.papers.spec import PAPERS, REST_OF_PAGE
from quizgen.papers.richtext import math_html, to_html
from quizgen.bank.texts import render_solution, render_stem

FORMATS = ("html", "pdf")  # what a page (paper, solutions, feedback) is rendered to


def parse_formats(formats) -> tuple:
    """The page formats asked for, in the order given, from ``"html,pdf"``-style text or a sequence
    of names; ``"none"`` and empty names ask for no pages. Build, grade, regrade and feedback all
    read their formats here. Raises ValueError naming the unknown formats."""
    names = formats.split(",") if isinstance(formats, str) else formats
    chosen = tuple(f.strip() for f in names if f.strip() and f.strip() != "none")
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)}; use {', '.join(FORMATS)} or none")
    return chosen


def templates_dir() -> Path:
    """The Jinja2 layouts: inside the installed package, or the repository's templates/."""
    here = Path(quizgen.__file__).parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "exam.html.j2").exists():
            return candidate
    raise FileNotFoundError("quizgen's templates/ folder is missing from this installation")


@functools.lru_cache(maxsize=8)
def page_script(*names) -> str:
    """A page's JavaScript from templates/: answerkinds.js (the answer kinds, one source for every
    page that reads answers) and the page's own files."""
    return "\n".join((templates_dir() / name).read_text(encoding="utf-8") for name in names)


def points_text(value: float) -> str:
    """Points as pages print them: to 4 decimals at most (as grades.csv), no trailing zeros. Points
    split exactly (quarters, hundredths) print as they are: 1.25, never 1.33 for a third of 4."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["pts"] = points_text
    return env


@functools.lru_cache(maxsize=1)
def stylesheet() -> str:
    return (templates_dir() / "exam.css").read_text(encoding="utf-8")


# one math-font subset for every HTML page of a build and of its feedback: the characters the course's math uses
MATH_CHARACTERS = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                   "αβγδϵεζηθικλμνξπρστυϕφχψωΓΔΘΛΞΠΣΦΨΩ"
                   "+−=<>≤≥≠≈∼→←↦⇒∈∝≡·×⊙⊗±∘∗/()[]{}|‖⌊⌋⌈⌉⟨⟩∑∏∫√∞∂∇…⋯′ℓ⊤ℝ𝔼ℕℤ,.;:!'%ˆ˜¯⃗^~")


def math_font_path() -> Path:
    import ziamath

    return Path(ziamath.__file__).parent / "fonts" / "STIXTwoMath-Regular.ttf"


@functools.lru_cache(maxsize=64)
def math_font_css(characters: str) -> str:
    """@font-face for the HTML files: STIX Two Math cut down to the characters used (WOFF2, inline).

    Chromium renders MathML well only with a math font; the whole font is 1.5 MB,
    the subset for an exam a few tens of kB, embedded so the page works offline.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.flavor = "woff2"
    # the subset keeps the font's own date: a rebuild writes the same bytes
    font = TTFont(str(math_font_path()), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters + "()[]{}|‖⌊⌋⌈⌉∑∏√−+=")
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode()
    return (f'@font-face {{ font-family: "QuizgenMath"; '
            f'src: url(data:font/woff2;base64,{data}) format("woff2"); }}')


def print_font_css() -> str:
    return f'@font-face {{ font-family: "STIX Two Math"; src: url("{math_font_path().as_uri()}"); }}'


_PART_LETTER = re.compile(r"\s*(\([a-z]\)|[a-z]\))?\s*(.*)", re.S)  # "(a) ratio" -> "(a)", "ratio"
_WORDS = re.compile(r"[A-Za-z][A-Za-z]*(?: [A-Za-z]+)*")  # "ratio", "input bits", "KL": not one letter


def part_label(template, part, math: str) -> str:
    """A part's label: its letter "(a)" and words ("input bits", "KL") upright, a formula ("D^*", "z")
    as math, a space between the two."""
    if "concept" in template.tags:
        return ""
    letter, rest = _PART_LETTER.fullmatch(part.label).groups()
    pieces = [escape(letter)] if letter else []
    if rest:
        words = len(rest) > 1 and _WORDS.fullmatch(rest)
        pieces.append(escape(rest) if words else Markup(math_html(rest, math)))
    return Markup(" ").join(pieces)


def key_html(part, variant, math: str) -> Markup:
    """A part's key as the solutions page and key.pdf show it: the key (with its letter for a choice)
    and, for a number accepted in an interval, "accepted 18.4626 to 18.4646" beneath it; the worked
    solution beside it follows the hand path, so the key is what the answer is accepted around."""
    if part.kind.graded_by_hand:
        return Markup("(graded by hand: see the rubric)")
    choice = variant.choices.get(part.name)
    key = Markup(math_html(part.kind.tex(part.kind.from_json(variant.answers[part.name])), math))
    if choice:
        return Markup(f"{escape(choice['key'])}: ") + key
    interval = accepted_interval(part, variant)
    if interval is not None:
        key += Markup("<br><small>accepted ") + escape(part.kind.interval_text(interval)) + Markup("</small>")
    return key


def reader_spec(part, choice) -> str:
    """How the HTML answer sheet reads a blank (the kind's js_spec, JSON; a choice form's options by
    letter); "" for an answer the page cannot read (an essay: words, kept as typed). No key."""
    kind = Choice(len(choice["options"])) if choice else part.kind  # a choice form reads one letter
    try:
        return json.dumps(kind.js_spec())
    except ValueError:
        return ""


def question_context(question, math: str, with_solution: bool) -> dict:
    template, variant = question.template, question.variant
    parts = []
    for part, points, column in zip(template.parts, question.points, question.columns):
        choice = variant.choices.get(part.name)
        key_value = part.kind.from_json(variant.answers[part.name])
        options = None
        if choice:
            options = [{"letter": letter, "html": math_html(part.kind.tex(part.kind.from_json(o)), math)}
                       for letter, o in zip(LETTERS, choice["options"])]
        key = key_html(part, variant, math) if with_solution and not part.kind.graded_by_hand else ""
        parts.append({"column": column, "label": part_label(template, part, math), "points": points,
                      "css": "w1" if choice else part.kind.box_class(key_value), "options": options, "key": key,
                      "describe": len(template.parts) > 1,
                      "lines": part.kind.writing_lines(),
                      "cells": None if choice else part.kind.box_cells(key_value),
                      "reader": reader_spec(part, choice)})
    return {
        "number": question.number, "points": question.total_points,
        "stem": to_html(render_stem(template, variant), math),
        "solution": to_html(render_solution(template, variant), math) if with_solution else "",
        "parts": parts,
    }


def page_css(exam_meta: dict) -> str:
    """The page's size (the spec's [print] paper), after the stylesheet's A4."""
    return f"@page {{ size: {PAPERS[exam_meta.get('print', {}).get('paper', 'a4')]}; }}"


def page_context(exam_meta: dict, student_exam, mode: str, math: str) -> dict:
    printing = exam_meta.get("print", {})
    spaces = exam_meta.get("section_spaces") or [None] * len(exam_meta["sections"])
    sections: list = []
    for question in student_exam.questions:
        title = exam_meta["sections"][question.section]
        if not sections or sections[-1]["index"] != question.section:
            sections.append({"index": question.section, "title": title, "questions": []})
        context = question_context(question, math, mode == "solutions")
        # room to work goes on the paper only: a height under the question, or the rest of its page
        space = (spaces[question.section] or printing.get("space")) if mode == "exam" else None
        context["rest_of_page"] = space == REST_OF_PAGE
        context["space"] = space if space != REST_OF_PAGE else None
        sections[-1]["questions"].append(context)
    marks = [{"number": q.number, "points": q.total_points} for q in student_exam.questions]
    # the HTML paper is also the answer sheet: inputs that read answers as the grader does
    answer_sheet = mode == "exam" and math == "mathml"
    student = student_exam.student
    sheet = json.dumps({"exam_id": exam_meta["exam_id"], "student_id": student.id, "name": student.name,
                        "variant_code": student_exam.variant_code}) if answer_sheet else ""
    return {"exam": exam_meta, "student": student_exam.student, "sections": sections, "mode": mode,
            "variant_code": student_exam.variant_code, "total_points": student_exam.total_points,
            "instructions": to_html(exam_meta.get("instructions", ""), math), "css": stylesheet(),
            "page_css": page_css(exam_meta), "cover": mode == "exam" and printing.get("cover", False),
            "marks": marks, "institution": printing.get("institution", ""), "logo": exam_meta.get("logo", ""),
            "answer_sheet": sheet, "script": page_script("answerkinds.js", "answersheet.js") if sheet else ""}


_NON_ASCII = re.compile(r"&#x([0-9A-Fa-f]+);|[^\x00-\x7f]")


def math_characters(html_text: str) -> str:
    """The characters a page's MathML uses (numeric entities included)."""
    chars = set()
    for block in re.findall(r"<math.*?</math>", html_text, re.S):
        text = re.sub(r"<[^>]+>", "", block)
        for m in _NON_ASCII.finditer(text):
            chars.add(chr(int(m.group(1), 16)) if m.group(1) else m.group(0))
        chars.update(c for c in text if c.isalnum())
    return "".join(sorted(chars))


def render_html(exam_meta: dict, student_exam, mode: str = "exam", font_characters: str | None = None) -> str:
    """One self-contained HTML page (inline CSS, embedded math font, MathML; no script)."""
    context = page_context(exam_meta, student_exam, mode, "mathml")
    body = environment().get_template("exam.html.j2").render(context | {"font_css": ""})
    font = math_font_css(font_characters if font_characters is not None else math_characters(body))
    return body.replace("<style>\n", "<style>\n" + font + "\n", 1)


def prepare_for_workers(formats: tuple) -> None:
    """What every worker rendering pages would do first, done once before they are forked (they
    inherit it): the layouts compiled, and for HTML the math font cut down (fontTools, ~0.2 s), for
    PDF WeasyPrint imported and its user-agent stylesheet parsed (~0.3 s)."""
    for name in ("exam.html.j2", "key.html.j2"):
        environment().get_template(name)
    if "html" in formats:
        import latex2mathml.converter  # noqa: F401  (imported where the first formula is converted)

        math_font_css(MATH_CHARACTERS)
    if "pdf" in formats:
        print_html_class()


_FONT_CONFIG: dict = {}
# dropped while the interpreter is whole: WeasyPrint's __del__ fails if it runs during shutdown
atexit.register(_FONT_CONFIG.clear)


def font_config():
    """One WeasyPrint FontConfiguration per process (build workers are forked, so keyed by pid).

    A new one for every document reloads the fonts and loses Pango's caches;
    the @font-face of print_font_css() is installed once and reused.
    """
    from weasyprint.text.fonts import FontConfiguration

    pid = os.getpid()
    if pid not in _FONT_CONFIG:
        for inherited in _FONT_CONFIG.values():
            # a forked worker's copy of its parent's: the font folder on disk is the parent's, and
            # WeasyPrint's __del__ would delete it under the parent's feet
            inherited._folder = None
        _FONT_CONFIG.clear()
        _FONT_CONFIG[pid] = FontConfiguration()
    return _FONT_CONFIG[pid]


@functools.lru_cache(maxsize=1)
def print_html_class():
    """weasyprint.HTML with templates/print-ua.css as its user-agent stylesheet.

    WeasyPrint matches each selector of its full HTML5 stylesheet against each
    element; the cut to the elements our pages use lays out the same pages
    faster (WeasyPrint 70's ``HTML._ua_stylesheets``; an HTML without it keeps
    the full stylesheet).
    """
    import weasyprint
    from weasyprint.html import UA_COUNTER_STYLE

    sheet = weasyprint.CSS(string=(templates_dir() / "print-ua.css").read_text(encoding="utf-8"),
                           counter_style=UA_COUNTER_STYLE)

    class PrintHTML(weasyprint.HTML):
        def _ua_stylesheets(self, forms=False):
            return [sheet]

    return PrintHTML


def html_to_pdf(html_text: str) -> bytes:
    """A page of ours (exam.css, print math) as PDF: lean UA stylesheet, the process's fonts."""
    document = print_html_class()(string=html_text, base_url=str(templates_dir()))
    return document.write_pdf(font_config=font_config())


_PRINT_CSS: dict = {}  # "fonts": the font configuration they were parsed with; paper -> the stylesheets
atexit.register(_PRINT_CSS.clear)


def print_stylesheets(exam_meta: dict) -> list:
    """The math font's @font-face, exam.css and the page size, parsed once per process and paper.

    Parsing them in every document's <style> cost about 13 ms a document. WeasyPrint takes them as
    user stylesheets: below the page's own rules, but our printed pages have none (their <style>
    is left empty) except style attributes, which win over a stylesheet either way; among these
    three the later wins, as in the <style> (the paper's size over exam.css's A4).
    """
    import weasyprint

    fonts = font_config()  # a forked worker's own: parsed again there (the @font-face is installed in it)
    paper = exam_meta.get("print", {}).get("paper", "a4")
    if _PRINT_CSS.get("fonts") is not fonts:
        _PRINT_CSS.clear()
        _PRINT_CSS["fonts"] = fonts
    if paper not in _PRINT_CSS:
        base = str(templates_dir())
        _PRINT_CSS[paper] = [weasyprint.CSS(string=text, base_url=base, font_config=fonts)
                             for text in (print_font_css(), stylesheet(), page_css({"print": {"paper": paper}}))]
    return _PRINT_CSS[paper]


def print_document(html_text: str, exam_meta: dict):
    """A page rendered without its stylesheets (``css``, ``font_css`` and ``page_css`` empty) laid
    out by WeasyPrint with print_stylesheets(): a weasyprint Document, not yet written."""
    document = print_html_class()(string=html_text, base_url=str(templates_dir()))
    return document.render(font_config=font_config(), stylesheets=print_stylesheets(exam_meta))


# the page's template variables that hold its stylesheets: empty in a printed page, which has them
# parsed once (print_stylesheets)
NO_INLINE_CSS = {"css": "", "font_css": "", "page_css": ""}


def render_pdf(exam_meta: dict, student_exam, mode: str = "exam") -> bytes:
    """The printable PDF, laid out by WeasyPrint (padded to whole sheets for duplex printing)."""
    context = page_context(exam_meta, student_exam, mode, "print")
    return print_pdf(environment().get_template("exam.html.j2").render(context | NO_INLINE_CSS), exam_meta)


def print_pdf(html_text: str, exam_meta: dict) -> bytes:
    """A page rendered without its stylesheets (NO_INLINE_CSS) as PDF, padded for duplex.

    WeasyPrint's layout makes a great many short-lived objects, and Python's collector ran
    hundreds of times over each document, for about 7% of its CPU; it is paused while a
    document is laid out and written, and one collection after it frees the same garbage.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return print_sheets(print_document(html_text, exam_meta), exam_meta)
    finally:
        if paused:
            gc.enable()
        gc.collect()


_BLANK_PAGES: dict = {}  # "fonts": as in _PRINT_CSS; paper -> a laid-out page left blank
atexit.register(_BLANK_PAGES.clear)


def _blank_page_document(paper: str):
    """One page saying it is left blank, laid out once per process and paper."""
    if _BLANK_PAGES.get("fonts") is not font_config():
        _BLANK_PAGES.clear()
        _BLANK_PAGES["fonts"] = font_config()
    if paper not in _BLANK_PAGES:
        # the page's own rule (author) wins over exam.css's page footer (user): no "page x of y"
        page = ('<html><head><style>@page { @bottom-center { content: none; } }</style></head>'
                '<body><p class="left-blank">This page is left blank.</p></body></html>')
        _BLANK_PAGES[paper] = print_document(page, {"print": {"paper": paper}})
    return _BLANK_PAGES[paper]


def print_sheets(document, exam_meta: dict) -> bytes:
    """A laid-out page (print_document) written as PDF. For duplex printing (the spec's [print]
    duplex), one of an odd number of pages gets a last page "left blank", so that in all-exams.pdf the next
    student's paper starts on a sheet of its own: the blank page, laid out once per process, is added
    to the document's pages before it is written (no second reading of a written PDF)."""
    printing = exam_meta.get("print", {})
    pages = document.pages
    if printing.get("duplex") and len(pages) % 2:
        blank = _blank_page_document(printing.get("paper", "a4"))
        document = document.copy(pages + blank.pages)
    return document.write_pdf()
