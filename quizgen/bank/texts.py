"""Rendering a template's Jinja2 stem and solution for one variant.

The texts are Markdown-like prose with LaTeX math between ``$...$`` and
``$$...$$``. Templates format numbers with the filters below, so a stem
prints exactly the precision its ``generate`` rounded to.

Filters: ``num(d)`` a number with d decimals (default: the template's);
``tex`` any value as LaTeX (scalar, column vector, matrix); ``row`` a vector
as a row; ``int`` with thousands separators.
"""

from __future__ import annotations

import jinja2
import numpy as np

from quizgen.bank.question import Template, Variant, thaw


def _fmt(value, decimals):
    text = f"{float(value):.{decimals}f}" if decimals is not None else f"{float(value):g}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace("-", "{-}", 1) if text.startswith("-") else text


def _num(value, decimals=None):
    if isinstance(value, (int, np.integer)) and decimals is None:
        return str(int(value))
    return _fmt(value, decimals)


def _compact(value, decimals=None):
    """Integers print without decimals; others with ``decimals`` (or %g)."""
    value = float(value)
    if decimals is None and value == int(value):
        return _num(int(value))
    return _fmt(value, decimals)


def _shared_decimals(arr: np.ndarray, decimals):
    """Given values in one vector or matrix share their decimals: [1.0, 0.8] prints 1.0 and 0.8, not
    1 and 0.8 (``decimals`` given: that; all whole: None, printed as integers)."""
    if decimals is not None or arr.dtype.kind not in "f" or arr.size == 0:
        return decimals
    places = [len(t.split(".")[1]) if "." in t else 0 for t in (f"{float(v):g}" for v in arr.ravel())]
    return max(places) or None


def _tex(value, decimals=None):
    arr = np.asarray(value)
    if arr.dtype.kind in "US":
        return str(value)
    if arr.ndim == 0:
        return _compact(arr, decimals)
    decimals = _shared_decimals(arr, decimals)
    if arr.ndim == 1:
        return r"\begin{bmatrix} " + r" \\ ".join(_compact(v, decimals) for v in arr) + r" \end{bmatrix}"
    rows = [" & ".join(_compact(v, decimals) for v in row) for row in arr.reshape(arr.shape[0], -1)]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def _row(value, decimals=None):
    arr = np.ravel(np.asarray(value))
    decimals = _shared_decimals(arr, decimals)
    return r"\begin{bmatrix} " + " & ".join(_compact(v, decimals) for v in arr) + r" \end{bmatrix}"


def _int(value):
    return f"{int(value):,}".replace(",", "{,}")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters.update(num=_num, tex=_tex, row=_row, int=_int)
    return env


ENV = _environment()
_compiled: dict = {}


def _compile(source: str) -> jinja2.Template:
    tmpl = _compiled.get(source)
    if tmpl is None:
        tmpl = _compiled[source] = ENV.from_string(source)
    return tmpl


class _Attrs(dict):
    """A dict whose keys also read as attributes in Jinja (``p.W_xh``)."""

    __getattr__ = dict.__getitem__


def context(template: Template, variant: Variant, hand: bool = False) -> dict:
    answers = variant.hand_answers if hand else variant.answers
    key_tex = {p.name: p.kind.tex(p.kind.from_json(answers[p.name])) for p in template.parts}
    key_text = {p.name: p.kind.format(p.kind.from_json(answers[p.name])) for p in template.parts}
    return {
        "p": _Attrs(thaw(variant.params)),
        "a": _Attrs(thaw(answers)),
        "s": _Attrs(thaw(variant.hand_steps if hand else variant.steps)),
        "key": _Attrs(key_tex),
        "key_text": _Attrs(key_text),
        "parts": template.parts,
        "d": template.decimals,
        "mistakes": template.mistakes,
    }


def render_stem(template: Template, variant: Variant) -> str:
    return _compile(template.stem).render(context(template, variant)).strip()


def render_solution(template: Template, variant: Variant) -> str:
    """The worked solution along the hand path (every step rounded to the stem's decimals before the
    next is computed from it), so each printed equation holds for the numbers printed in it; the
    pages put the exact key and its accepted interval beside it."""
    return _compile(template.solution).render(context(template, variant, hand=True)).strip()
