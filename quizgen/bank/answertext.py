"""Reading what people type: the one exception, text clean-up, numbers and lists of numbers.

The low-level readers the answer kinds (:mod:`quizgen.bank.kinds`) and the
formula parser (:mod:`quizgen.bank.symbolic`) share. :class:`InvalidAnswer` is
the only exception a reader raises on any input.

The ``plain_*`` readers are the fast path of grading a whole column: each reads
a plainly typed answer (ASCII, trimmed, not blank) exactly as its kind's parser
would, or returns None to say "ask the kind's own parser"
(``tests/quizgen/grade/test_columns.py`` holds them to the parsers).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction


class InvalidAnswer(ValueError):
    """What was typed cannot be read as the answer kind; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Characters people type for minus, times and spaces that mean the ASCII ones.
_MINUS = "\u2212\u2012\u2013\u2014\ufe63\uff0d"
_SPACES = "\u00a0\u2009\u202f\u2007\u200a"
_TRANSLATE = str.maketrans({**{c: "-" for c in _MINUS}, **{c: " " for c in _SPACES},
                            "\u00d7": "x", "\u22c5": "*", "\u00b7": "*"})
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")  # tabs and line breaks are typed; these are not
MAX_TEXT = 2000  # longer answers are rejected before any parsing work
MAX_EXPONENT = 400  # a float's exponent reaches 308: a larger one is a slip, or an attack on exact arithmetic


def normalize(text) -> str:
    """Unicode minus and spaces to ASCII, trimmed; rejects non-text and overlong input."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if len(text) > MAX_TEXT:
        raise InvalidAnswer(f"answer is {len(text)} characters long; at most {MAX_TEXT} are read")
    control = _CONTROL.search(text)
    if control:  # a NUL or escape byte in a cell: a damaged file, not something typed
        raise InvalidAnswer(f"the answer holds a control character (U+{ord(control.group()):04X})")
    text = text.translate(_TRANSLATE).strip()
    # a spreadsheet's text marker (and our own formula guard in CSV files) is not part of the answer
    return text[1:].strip() if text.startswith("'") else text


_FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_SCI = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?:x|\*)\s*10\s*\^\s*\(?\s*([+-]?\d+)\s*\)?")


def parse_number(token: str) -> float:
    """One real number: ``0.731``, ``7.31e-1``, ``7.31 x 10^-1``, ``3/4``, ``-1/8``, ``73.1%``, ``0,731``.

    A single comma is read as a decimal comma. Raises InvalidAnswer otherwise.
    """
    text = normalize(token).replace(" ", "")
    if not text:
        raise InvalidAnswer("no number was given")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a decimal comma, as in 0,731
    value = None
    try:
        if _FLOAT.fullmatch(text):
            value = float(text)
        elif (m := _SCI.fullmatch(text)) is not None:
            value = float(m.group(1)) * 10.0 ** int(m.group(2))
        elif "/" in text and text.count("/") == 1:
            num, den = text.split("/")
            if (top := _FLOAT.fullmatch(num)) and (bottom := _FLOAT.fullmatch(den)):
                if float(den) == 0:
                    raise InvalidAnswer(f"{token.strip()!r} divides by zero")
                if any(m.group(3) and abs(int(m.group(3)[1:])) > MAX_EXPONENT for m in (top, bottom)):
                    # Fraction("1e99999999") builds the whole integer: hours for one cell
                    raise InvalidAnswer(f"{token.strip()!r}: an exponent beyond {MAX_EXPONENT} is not read")
                value = float(Fraction(num) / Fraction(den))
    except OverflowError:
        raise InvalidAnswer(f"{token.strip()!r} is not a finite number") from None
    if value is None:
        raise InvalidAnswer(f"{token.strip()!r} is not a number")
    if not math.isfinite(value):
        raise InvalidAnswer(f"{token.strip()!r} is not a finite number")
    return value / 100.0 if percent else value


def split_list(text: str) -> list[str]:
    """Split a typed list of numbers into its elements.

    Accepts ``[0.1, 0.2]``, ``(0.1; 0.2)``, ``0.1 0.2``, ``0,1 0,2`` (decimal
    commas separated by spaces) and ``0.1,0.2``. Brackets are optional.
    """
    text = normalize(text)
    if len(text) >= 2 and text[0] + text[-1] in ("[]", "()", "{}"):
        text = text[1:-1].strip()
    if not text:
        return []
    if ";" in text:
        parts = text.split(";")
    elif "," in text and ("." in text or re.search(r",\s", text) or " " not in text):
        # commas separate elements when decimals use points, when a comma is
        # followed by a space, or when there is no space at all ("1,2,3")
        parts = text.split(",")
    else:
        parts = text.split()
    parts = [p.strip() for p in parts]
    if any(p == "" for p in parts):
        raise InvalidAnswer(f"{text!r} has an empty element")
    return parts


# -- plain typing, read fast (None: ask the kind's own parser) -----------------------------------

_INT = re.compile(r"[+-]?\d{1,15}")
_SHAPE = re.compile(r"\d+(?:\s*[,xX*]\s*\d+)*")
_DIGITS = re.compile(r"\d+")
# within these characters Python's float() reads exactly what parse_number reads
_NOT_NUMBER = str.maketrans("", "", "0123456789.+-eE")
_NOT_LIST = str.maketrans("", "", "0123456789.+-eE, ")


def plain_number(s: str):
    """A plainly typed real number as a float, or None."""
    if s.translate(_NOT_NUMBER):
        return None
    try:
        value = float(s)
    except ValueError:
        return None
    return value if value - value == 0 else None  # finite


def plain_integer(s: str):
    """A plainly typed whole number as a float, or None."""
    return float(int(s)) if _INT.fullmatch(s) else None


def _unbracket(s: str):
    """``s`` without a matching pair of outer brackets; None if they do not pair (or hold nothing)."""
    first = s[0]
    if first == "[" or first == "(":
        if s[-1] != ("]" if first == "[" else ")"):
            return None
        return s[1:-1].strip() or None
    return s


def plain_list(length: int, s: str):
    """A list of ``length`` numbers typed plainly, split the way split_list splits it, as floats (else None)."""
    s = _unbracket(s)
    if s is None or s.translate(_NOT_LIST):
        return None
    if "," in s:
        if " " in s and "." not in s and ", " not in s:
            return None  # "1 ,2": split_list reads its commas as decimal commas
        parts = s.split(",")
    else:
        parts = s.split()
    if len(parts) != length:
        return None
    try:
        values = list(map(float, parts))
    except ValueError:
        return None
    total = sum(values)
    return values if total - total == 0 else None  # all finite (an overflowing sum is read slowly, alike)


def plain_shape(ndim: int, s: str):
    """A plainly typed shape of ``ndim`` dimensions as a list of floats, or None."""
    s = _unbracket(s)
    if s is None or not _SHAPE.fullmatch(s):
        return None
    dims = list(map(float, _DIGITS.findall(s)))
    return dims if len(dims) == ndim else None
