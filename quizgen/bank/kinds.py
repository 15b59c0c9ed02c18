"""Answer kinds: parse what people type, compare it with the key, format the key.

An answer kind is like click's ``ParamType``: ``parse(text)`` turns what a
student typed into a value or raises :class:`InvalidAnswer` with a reason a
person can act on; ``matches(value, key)`` says whether the value is right
within the kind's tolerance; ``format(key)`` writes the key the way a student
would type it (and ``tex(key)`` the way an exam prints it).

Parsing is forgiving of how people write numbers (``7.31e-1``, ``3/4``, a
decimal comma, ``−`` as minus, stray spaces, ``[0.1, 0.2]`` or ``0.1 0.2``) and
strict about everything else. :class:`InvalidAnswer` is the only exception a
parser raises on any input: an unreadable answer is *invalid*, never a crash
and never silently wrong. No student text ever reaches ``eval``: symbolic
answers are read by a whitelisting parser (:mod:`quizgen.bank.symbolic`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np


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
_MAX_TEXT = 2000  # longer answers are rejected before any parsing work


def normalize(text) -> str:
    """Unicode minus and spaces to ASCII, trimmed; rejects non-text and overlong input."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if len(text) > _MAX_TEXT:
        raise InvalidAnswer(f"answer is {len(text)} characters long; at most {_MAX_TEXT} are read")
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
            if _FLOAT.fullmatch(num) and _FLOAT.fullmatch(den):
                if float(den) == 0:
                    raise InvalidAnswer(f"{token.strip()!r} divides by zero")
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


def _fmt(value: float, decimals: int | None) -> str:
    if decimals is None:
        return f"{value:.10g}"
    out = f"{value:.{decimals}f}"
    return "0" + out[2:] if out.startswith("-0") and float(out) == 0 else out  # no "-0.000"


@dataclass(frozen=True)
class Tolerance:
    """How close a number must be to the key.

    ``atol`` absolute, ``rtol`` relative (``|x - k| <= atol + rtol |k|``), or
    ``sig`` significant figures (``|x - k| <= half a unit in the sig-th figure
    of k``). With none given, :meth:`for_decimals` sets one unit in the last
    decimal the stem asks for, so a correctly rounded or truncated answer passes.
    """

    atol: float = 0.0
    rtol: float = 0.0
    sig: int | None = None

    @classmethod
    def for_decimals(cls, decimals: int) -> "Tolerance":
        return cls(atol=10.0 ** -decimals * (1 + 1e-9))

    def bound(self, key: float) -> float:
        if self.sig is not None:
            if key == 0:
                return 0.5 * 10.0 ** (-self.sig)
            return 0.5 * 10.0 ** (math.floor(math.log10(abs(key))) - self.sig + 1) * (1 + 1e-9)
        return self.atol + self.rtol * abs(key)

    def close(self, value, key) -> bool:
        if np.ndim(key) == 0:  # the common case, without array overhead
            return abs(float(value) - float(key)) <= self.bound(float(key))
        return bool(np.all(self.close_rows(np.asarray(value, dtype=float), np.asarray(key, dtype=float))))

    def close_rows(self, values: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Elementwise :meth:`close` for arrays of values and keys (NaN keys never match)."""
        if self.sig is None:
            bounds = self.atol + self.rtol * np.abs(keys)
        else:
            with np.errstate(invalid="ignore"):
                magnitude = np.floor(np.log10(np.where(keys == 0, 1.0, np.abs(keys))))
            bounds = np.where(keys == 0, 0.5 * 10.0 ** (-self.sig),
                              0.5 * 10.0 ** (magnitude - self.sig + 1) * (1 + 1e-9))
        with np.errstate(invalid="ignore"):
            return np.abs(values - keys) <= bounds

    def describe(self) -> str:
        if self.sig is not None:
            return f"{self.sig} significant figures"
        parts = []
        if self.atol:
            parts.append(f"±{self.atol:.3g}")
        if self.rtol:
            parts.append(f"±{self.rtol:.3g} relative")
        return " and ".join(parts) or "exact"

    # -- export forms

    def lms_keys(self, key: float, hand_key: float) -> list:
        """The ``(value, tolerance)`` pairs an LMS accepts for one number.

        The key within this bound, and the hand-calculation key as well where it lies outside it
        (an LMS cannot carry hand rounding forward as quizgen does).
        """
        keys = [(key, self.bound(key))]
        if abs(hand_key - key) > self.bound(key):
            keys.append((hand_key, self.bound(hand_key)))
        return keys

    def spellings(self, key: float, hand_key: float, decimals: int | None) -> list:
        """The texts of one number that an LMS comparing text (Canvas) accepts: those quizgen grades right.

        With ``decimals``, every rounding to that many decimals within three units of either key
        that this tolerance accepts (so one unit either way, for the default tolerance); without,
        the key as ``%g``. Never empty: the key itself is the last resort.
        """
        texts = []
        for value in (key, hand_key):
            steps = range(-3, 4) if decimals is not None else (0,)
            for k in steps:
                candidate = value + k * 10.0 ** -decimals if decimals is not None else value
                text = f"{candidate:.{decimals}f}" if decimals is not None else f"{candidate:g}"
                if text.startswith("-") and float(text) == 0:
                    text = text[1:]
                if text not in texts and (self.close(float(text), key) or self.close(float(text), hand_key)):
                    texts.append(text)
        return texts or [f"{key:.{decimals}f}" if decimals is not None else f"{key:g}"]


class AnswerKind:
    """Base class. Subclasses set ``name`` and implement parse, matches, format."""

    name = "answer"
    numeric = False  # numeric kinds take part in hand-rounding and error carried forward

    @property
    def carries_forward(self) -> bool:
        """Whether a student's value of this kind can replace the template's in later parts."""
        return self.numeric

    def parse(self, text):
        raise NotImplementedError

    def matches(self, value, key) -> bool:
        return value == key

    def format(self, key) -> str:
        return str(key)

    def tex(self, key) -> str:
        return self.format(key)

    def to_json(self, value):
        return value

    def from_json(self, data):
        return data

    def describe(self) -> str:
        """One line for a student: what to type."""
        return self.name

    def distinct(self, a, b) -> bool:
        """True when ``a`` and ``b`` cannot be confused under this kind's tolerance.

        Used to reject draws where a named mistake gives (nearly) the key.
        """
        return not self.matches(a, b) and not self.matches(b, a)

    # -- export forms
    # What an LMS export makes of this kind: quizgen.export asks these and never checks a kind's type.
    # A kind that declares nothing is shown as text in a question of blanks and graded by hand.
    # answer_form, how an LMS asks for the answer: "numbers" (a blank per number), "options" (one or
    # more of lettered options), "formula" (a text compared as written), "written" (graded by hand).

    answer_form = "written"
    moodle_question = "cloze"  # Moodle's question type for a question of this one part
    canvas_question = "fill_in_multiple_blanks_question"  # Canvas's question type, likewise
    blank_layout = "list"  # several blanks of one answer: "list" [a, b], "tuple" (a × b), "table" (rows)
    exact = False  # the numbers compare exactly: no tolerance, and no hand-calculation key apart
    lettered_options = 0  # how many options the stem letters A, B, ... (an LMS may show them itself)

    def blank_count(self, key) -> int:
        """How many blanks an LMS needs for ``key``: one, or one per number."""
        return 1

    def blank_keys(self, key, hand_key) -> list:
        """Per blank ("numbers" form), the ``(value, tolerance)`` pairs an LMS accepts."""
        raise NotImplementedError(f"{self.name} answers are not numbers")

    def choice_options(self, key) -> tuple:
        """("options" form) ``(labels, correct)``: the labels, and the sorted indices of the right ones."""
        raise NotImplementedError(f"{self.name} answers are not options")

    def accepted_texts(self, key, hand_key) -> list | None:
        """Per blank, the texts an LMS that compares text (Canvas) accepts; None when it cannot be a blank."""
        return None


@dataclass
class Number(AnswerKind):
    """A real number, compared within a :class:`Tolerance`.

    ``decimals`` is how many decimals the stem asks for; it sets the default
    tolerance and the key's display.
    """

    decimals: int | None = 4
    tolerance: Tolerance | None = None
    name = "number"
    numeric = True

    def __post_init__(self):
        if self.tolerance is None:
            self.tolerance = (Tolerance.for_decimals(self.decimals)
                              if self.decimals is not None else Tolerance(rtol=1e-6))

    def parse(self, text):
        text = normalize(text)
        if not text:
            raise InvalidAnswer("no number was given")
        if len(re.findall(r"\d[\s;]+[-+.\d]", text)) or text.count(",") > 1:
            raise InvalidAnswer(f"{text!r} holds several numbers; one is expected")
        return parse_number(text)

    def matches(self, value, key) -> bool:
        return self.tolerance.close(float(value), float(key))

    def format(self, key) -> str:
        return _fmt(float(key), self.decimals)

    def to_json(self, value):
        return float(value)

    def from_json(self, data):
        return float(data)

    def describe(self) -> str:
        how = f"rounded to {self.decimals} decimals" if self.decimals is not None else ""
        return f"a number {how}".strip()

    # -- export forms

    answer_form = "numbers"
    moodle_question = "numerical"
    canvas_question = "numerical_question"

    def blank_keys(self, key, hand_key) -> list:
        return [self.tolerance.lms_keys(float(key), float(hand_key))]

    def accepted_texts(self, key, hand_key) -> list:
        return [self.tolerance.spellings(float(key), float(hand_key), self.decimals)]


_THOUSANDS = re.compile(r"[+-]?\d{1,3}([, ]\d{3})+")


@dataclass
class Integer(AnswerKind):
    """A whole number, exact. Accepts ``60000``, ``60,000``, ``60 000``, ``6e4``."""

    name = "integer"
    numeric = True

    def parse(self, text):
        text = normalize(text)
        if not text:
            raise InvalidAnswer("no whole number was given")
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "").replace(" ", "")
        try:
            value = parse_number(text)
        except InvalidAnswer:
            raise InvalidAnswer(f"{text!r} is not a whole number") from None
        if value != int(value) or abs(value) > 2**53:
            raise InvalidAnswer(f"{text!r} is not a whole number")
        return int(value)

    def matches(self, value, key) -> bool:
        return int(value) == int(key)

    def format(self, key) -> str:
        return str(int(key))

    def tex(self, key) -> str:
        return f"{int(key):,}".replace(",", "{,}")

    def to_json(self, value):
        return int(value)

    def from_json(self, data):
        return int(data)

    def describe(self) -> str:
        return "a whole number"

    # -- export forms

    answer_form = "numbers"
    moodle_question = "numerical"
    canvas_question = "numerical_question"
    exact = True

    def blank_keys(self, key, hand_key) -> list:
        return [[(float(key), 0.0)]]

    def accepted_texts(self, key, hand_key) -> list:
        return [[str(int(key))]]


@dataclass
class Vector(AnswerKind):
    """A vector of ``length`` numbers, e.g. ``[0.1, 0.2]`` or ``0.1 0.2``; length is checked first.

    ``length=None`` takes the length from the key (a template whose "computer"
    size draws larger shapes); a wrong length is then wrong, not invalid.
    """

    length: int = 2
    decimals: int | None = 4
    tolerance: Tolerance | None = None
    name = "vector"
    numeric = True

    def __post_init__(self):
        if self.tolerance is None:
            self.tolerance = Number(self.decimals).tolerance

    def parse(self, text):
        parts = split_list(text)
        if not parts:
            raise InvalidAnswer("no numbers were given")
        if self.length is not None and len(parts) != self.length:
            raise InvalidAnswer(
                f"expected {self.length} numbers, got {len(parts)}")
        return np.array([parse_number(p) for p in parts])

    def matches(self, value, key) -> bool:
        value, key = np.asarray(value, float), np.asarray(key, float)
        return value.shape == key.shape and self.tolerance.close(value, key)

    def format(self, key) -> str:
        return "[" + ", ".join(_fmt(float(v), self.decimals) for v in np.ravel(key)) + "]"

    def tex(self, key) -> str:
        rows = r" \\ ".join(_fmt(float(v), self.decimals) for v in np.ravel(key))
        return r"\begin{bmatrix} " + rows + r" \end{bmatrix}"

    def to_json(self, value):
        return [float(v) for v in np.ravel(value)]

    def from_json(self, data):
        return np.asarray(data, dtype=float)

    def describe(self) -> str:
        count = f"{self.length} numbers" if self.length is not None else "numbers"
        return f"{count}, e.g. [0.1, -0.2]"

    # -- export forms

    answer_form = "numbers"
    moodle_question = "cloze"
    canvas_question = "fill_in_multiple_blanks_question"

    def blank_count(self, key) -> int:
        return int(np.size(key))

    def blank_keys(self, key, hand_key) -> list:
        exact = np.asarray(key, dtype=float).ravel().tolist()
        hand = np.asarray(hand_key, dtype=float).ravel().tolist()
        return [self.tolerance.lms_keys(e, h) for e, h in zip(exact, hand)]

    def accepted_texts(self, key, hand_key) -> list:
        exact = np.asarray(key, dtype=float).ravel().tolist()
        hand = np.asarray(hand_key, dtype=float).ravel().tolist()
        return [self.tolerance.spellings(e, h, self.decimals) for e, h in zip(exact, hand)]


@dataclass
class Matrix(AnswerKind):
    """A matrix of the given ``shape``: rows separated by ``;`` or new lines, or ``[[1, 2], [3, 4]]``.

    ``shape=None`` takes the shape from the key, as ``Vector(length=None)``.
    """

    shape: tuple = (2, 2)
    decimals: int | None = 4
    tolerance: Tolerance | None = None
    name = "matrix"
    numeric = True

    def __post_init__(self):
        self.shape = tuple(self.shape) if self.shape is not None else None
        if self.tolerance is None:
            self.tolerance = Number(self.decimals).tolerance

    def parse(self, text):
        text = normalize(text)
        if not text:
            raise InvalidAnswer("no matrix was given")
        if text.startswith("[[") or text.startswith("(("):
            inner = text[1:-1] if text[-1] in "])" else text
            rows = re.findall(r"[\[(]([^\[\]()]*)[\])]", inner)
        else:
            body = text[1:-1] if text[0] + text[-1] in ("[]", "()") else text
            rows = [r for r in re.split(r"[;\n]", body) if r.strip()]
        if not rows:
            raise InvalidAnswer(f"{text!r} is not a matrix")
        values = [[parse_number(p) for p in split_list(r)] for r in rows]
        got = (len(values), len(values[0]))
        if any(len(r) != got[1] for r in values):
            raise InvalidAnswer("rows have different lengths")
        if self.shape is not None and got != self.shape:
            raise InvalidAnswer(f"expected a {self.shape[0]}x{self.shape[1]} matrix, got {got[0]}x{got[1]}")
        return np.array(values)

    def matches(self, value, key) -> bool:
        value, key = np.asarray(value, float), np.asarray(key, float)
        return value.shape == key.shape and self.tolerance.close(value, key)

    def format(self, key) -> str:
        key = np.asarray(key, float)
        return "; ".join(" ".join(_fmt(v, self.decimals) for v in row) for row in key)

    def tex(self, key) -> str:
        key = np.asarray(key, float)
        rows = r" \\ ".join(" & ".join(_fmt(v, self.decimals) for v in row) for row in key)
        return r"\begin{bmatrix} " + rows + r" \end{bmatrix}"

    def to_json(self, value):
        return np.asarray(value, float).tolist()

    def from_json(self, data):
        return np.asarray(data, dtype=float)

    def describe(self) -> str:
        size = f"a {self.shape[0]}x{self.shape[1]} matrix" if self.shape is not None else "a matrix"
        return f"{size}, rows separated by ';'"

    # -- export forms

    answer_form = "numbers"
    moodle_question = "cloze"
    canvas_question = "fill_in_multiple_blanks_question"
    blank_layout = "table"

    def blank_count(self, key) -> int:
        return int(np.size(key))

    def blank_keys(self, key, hand_key) -> list:
        exact = np.asarray(key, dtype=float).ravel().tolist()
        hand = np.asarray(hand_key, dtype=float).ravel().tolist()
        return [self.tolerance.lms_keys(e, h) for e, h in zip(exact, hand)]

    def accepted_texts(self, key, hand_key) -> list:
        exact = np.asarray(key, dtype=float).ravel().tolist()
        hand = np.asarray(hand_key, dtype=float).ravel().tolist()
        return [self.tolerance.spellings(e, h, self.decimals) for e, h in zip(exact, hand)]


@dataclass
class Shape(AnswerKind):
    """A tensor shape: ``(6, 28, 28)``, ``6x28x28``, ``6 × 28 × 28``, ``[6, 28, 28]``."""

    ndim: int | None = None
    name = "shape"
    carries_forward = True  # a wrong shape can still lead to a consistent parameter count

    def parse(self, text):
        text = normalize(text)
        if not text:
            raise InvalidAnswer("no shape was given")
        body = text[1:-1] if len(text) >= 2 and text[0] + text[-1] in ("()", "[]") else text
        parts = [p.strip() for p in re.split(r"\s*(?:,|x|X|\*|by)\s*|\s+", body) if p.strip()]
        if not parts or not all(re.fullmatch(r"\d+", p) for p in parts):
            raise InvalidAnswer(f"{text!r} is not a shape such as (6, 28, 28) or 6x28x28")
        dims = tuple(int(p) for p in parts)
        if self.ndim is not None and len(dims) != self.ndim:
            raise InvalidAnswer(f"expected {self.ndim} dimensions, got {len(dims)}")
        return dims

    def matches(self, value, key) -> bool:
        return tuple(value) == tuple(key)

    def format(self, key) -> str:
        return "(" + ", ".join(str(int(d)) for d in key) + ")"

    def tex(self, key) -> str:
        return r" \times ".join(str(int(d)) for d in key)

    def to_json(self, value):
        return [int(d) for d in value]

    def from_json(self, data):
        return tuple(int(d) for d in data)

    def describe(self) -> str:
        return "a shape such as (6, 28, 28)"

    # -- export forms

    answer_form = "numbers"
    moodle_question = "cloze"
    canvas_question = "fill_in_multiple_blanks_question"
    blank_layout = "tuple"
    exact = True

    def blank_count(self, key) -> int:
        return len(key)

    def blank_keys(self, key, hand_key) -> list:
        return [[(float(d), 0.0)] for d in key]

    def accepted_texts(self, key, hand_key) -> list:
        return [[str(int(d))] for d in key]


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class Choice(AnswerKind):
    """One option (``multiple=False``) or a set of options, named by letter.

    The key is the set of letters as shown to this student (options are
    shuffled per variant before the key is taken). Accepts ``B``, ``b``,
    ``(b)``, ``B)``; for several, ``A, C``, ``AC``, ``a c``.
    """

    n_options: int = 4
    multiple: bool = False
    name = "choice"

    def parse(self, text):
        text = normalize(text).upper()
        if not text:
            raise InvalidAnswer("no option was chosen")
        letters = re.sub(r"[\s,;()\[\].:]+", "", text.replace("AND", ""))
        valid = LETTERS[: self.n_options]
        if not letters or any(c not in valid for c in letters):
            raise InvalidAnswer(f"{text!r} is not an option; choose from {', '.join(valid)}")
        chosen = frozenset(letters)
        if len(chosen) != len(letters):
            raise InvalidAnswer(f"{text!r} names an option twice")
        if not self.multiple and len(chosen) > 1:
            raise InvalidAnswer(f"choose one option, not {len(chosen)}")
        return chosen

    def matches(self, value, key) -> bool:
        return frozenset(value) == frozenset(key)

    def format(self, key) -> str:
        return ", ".join(sorted(key))

    def tex(self, key) -> str:
        return r"\mathrm{" + ", ".join(sorted(key)) + "}"

    def to_json(self, value):
        return sorted(value)

    def from_json(self, data):
        return frozenset(data)

    def describe(self) -> str:
        return "the letters of every correct option" if self.multiple else "the letter of one option"

    # -- export forms

    answer_form = "options"
    moodle_question = "multichoice"

    @property
    def canvas_question(self) -> str:
        return "multiple_answers_question" if self.multiple else "multiple_choice_question"

    @property
    def lettered_options(self) -> int:
        return self.n_options

    def choice_options(self, key) -> tuple:
        return list(LETTERS[: self.n_options]), [LETTERS.index(c) for c in sorted(key)]

    def accepted_texts(self, key, hand_key) -> list:
        letters = "".join(sorted(key))
        if len(letters) == 1:
            return [[letters]]
        return [[letters, ", ".join(letters), ",".join(letters), " ".join(letters)]]


_TRUE = {"T", "TRUE", "YES", "Y", "1", "V", "VRAI", "CORRECT"}
_FALSE = {"F", "FALSE", "NO", "N", "0", "FAUX", "INCORRECT"}


@dataclass
class TrueFalse(AnswerKind):
    """True or false: ``T``, ``true``, ``yes``, ``1`` / ``F``, ``false``, ``no``, ``0``."""

    name = "truefalse"

    def parse(self, text):
        word = normalize(text).upper().strip(" .!()")
        if not word:
            raise InvalidAnswer("neither true nor false was given")
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise InvalidAnswer(f"{text.strip()!r} is neither true (T) nor false (F)")

    def matches(self, value, key) -> bool:
        return bool(value) == bool(key)

    def format(self, key) -> str:
        return "T" if key else "F"

    def tex(self, key) -> str:
        return r"\text{True}" if key else r"\text{False}"

    def to_json(self, value):
        return bool(value)

    def from_json(self, data):
        return bool(data)

    def describe(self) -> str:
        return "T (true) or F (false)"

    # -- export forms

    answer_form = "options"
    moodle_question = "truefalse"
    canvas_question = "true_false_question"
    multiple = False  # one of the two options, as a Choice(2) would be

    def choice_options(self, key) -> tuple:
        return ["True", "False"], [0 if bool(key) else 1]

    def accepted_texts(self, key, hand_key) -> list:
        return [["True", "T", "true"] if bool(key) else ["False", "F", "false"]]


@dataclass
class Symbolic(AnswerKind):
    """A formula in the given variables, equal to the key up to algebra.

    ``sigma(x)*(1-sigma(x))`` matches ``exp(-x)/(1+exp(-x))^2``. Read by the
    whitelisting parser in :mod:`quizgen.bank.symbolic`; nothing is evaluated as Python.
    """

    variables: tuple = ("x",)
    name = "symbolic"

    def parse(self, text):
        from quizgen.bank.symbolic import parse_expression

        return parse_expression(normalize(text), self.variables)

    def matches(self, value, key) -> bool:
        from quizgen.bank.symbolic import equivalent

        return equivalent(value, key, self.variables)

    def format(self, key) -> str:
        return str(key)

    def tex(self, key) -> str:
        import sympy

        return sympy.latex(key)

    def to_json(self, value):
        return str(value)

    def from_json(self, data):
        from quizgen.bank.symbolic import parse_expression

        return parse_expression(data, self.variables)

    def describe(self) -> str:
        return "a formula in " + ", ".join(self.variables)

    # -- export forms
    # no LMS reads formulas: the key is compared as written (an equivalent formula is marked wrong)

    answer_form = "formula"
    moodle_question = "shortanswer"
    canvas_question = "fill_in_multiple_blanks_question"

    def accepted_texts(self, key, hand_key) -> list:
        return [[self.format(key)]]


@dataclass
class Essay(AnswerKind):
    """A long written answer, graded by hand; its score enters as an override."""

    lines: int = 10
    rubric: list = field(default_factory=list)
    name = "essay"

    def parse(self, text):
        return normalize(text)

    def matches(self, value, key) -> bool:
        return False

    def describe(self) -> str:
        return "a written answer, graded by hand"

    # -- export forms

    answer_form = "written"
    moodle_question = "essay"
    canvas_question = "essay_question"

