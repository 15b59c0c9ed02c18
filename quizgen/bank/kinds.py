"""Answer kinds: each kind owns everything that depends on what kind of answer a part asks for.

An answer kind is like click's ``ParamType``: ``parse(text)`` turns what a
student typed into a value or raises :class:`InvalidAnswer` with a reason a
person can act on; ``matches(value, key)`` says whether the value is right
within the kind's tolerance; ``format(key)`` writes the key the way a student
would type it (and ``tex(key)`` the way an exam prints it). A kind also says
how a whole column of its answers is read and compared (``column_reader``,
``matches_rows``), how its answer box looks on a paper (``box_class``), what
the self-check page's JavaScript needs to grade it (``js_spec``), and what the
rest of the code asks of it (``graded_by_hand``, ``numeric``, ...): nothing
outside this module checks which kind it holds.

Parsing is forgiving of how people write numbers (``7.31e-1``, ``3/4``, a
decimal comma, ``−`` as minus, stray spaces, ``[0.1, 0.2]`` or ``0.1 0.2``) and
strict about everything else. :class:`InvalidAnswer` is the only exception a
parser raises on any input: an unreadable answer is *invalid*, never a crash
and never silently wrong. No student text ever reaches ``eval``: symbolic
answers are read by a whitelisting parser (:mod:`quizgen.bank.symbolic`).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np

from quizgen.bank.answertext import (InvalidAnswer, normalize, parse_number, plain_integer, plain_list,
    plain_number, plain_shape, split_list)


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

    def bounds(self, keys: np.ndarray) -> np.ndarray:
        """Elementwise :meth:`bound` for an array of keys."""
        keys = np.asarray(keys, dtype=float)
        if self.sig is None:
            return self.atol + self.rtol * np.abs(keys)
        with np.errstate(invalid="ignore", divide="ignore"):
            magnitude = np.floor(np.log10(np.where(keys == 0, 1.0, np.abs(keys))))
        return np.where(keys == 0, 0.5 * 10.0 ** (-self.sig), 0.5 * 10.0 ** (magnitude - self.sig + 1) * (1 + 1e-9))

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

    def to_json(self) -> dict:
        return {"atol": float(self.atol), "rtol": float(self.rtol), "sig": self.sig}

    # -- export forms

    def lms_keys(self, key: float, lo: float, hi: float) -> list:
        """The ``(value, tolerance)`` pairs an LMS accepts for one number whose accepted interval is
        [lo, hi]: the key with the tolerance that stays inside it (so the LMS shows the key as the
        answer), and the interval's middle with half its width, which together accept exactly [lo, hi]."""
        keys = [(key, min(key - lo, hi - key))]
        middle, half = (lo + hi) / 2, (hi - lo) / 2
        if abs(middle - key) > 1e-12 * max(1.0, abs(key)):
            keys.append((middle, half))
        return keys

    def lms_key_texts(self, key: float, lo: float, hi: float, decimals: int | None) -> list:
        """:meth:`lms_keys` written as an LMS shows them, at the stem's precision: ``[(value, tolerance),
        ...]`` as decimal texts. The key rounded to ``decimals``, with the tolerance that keeps it inside
        [lo, hi]; then the middle and half width of [lo, hi] cut inwards to a grid one decimal finer, so
        that together they accept every answer of ``decimals`` (and one more) decimals quizgen accepts,
        and nothing outside [lo, hi]. Exact (lo == hi): the key with tolerance 0."""
        if not hi > lo:
            return [(_decimal_text(Decimal(repr(float(key)))), "0")]
        if decimals is None:  # a tolerance in significant figures or relative: a grid 1/10 of the width
            unit = Decimal(1).scaleb(math.floor(math.log10(hi - lo)) - 1)
        else:
            unit = Decimal(1).scaleb(-(decimals + 1))
        low = (Decimal(lo) / unit).to_integral_value(ROUND_CEILING) * unit
        high = (Decimal(hi) / unit).to_integral_value(ROUND_FLOOR) * unit
        while low > high:  # narrower than the grid: a finer one
            unit /= 10
            low = (Decimal(lo) / unit).to_integral_value(ROUND_CEILING) * unit
            high = (Decimal(hi) / unit).to_integral_value(ROUND_FLOOR) * unit
        exact = Decimal(repr(float(key)))
        if decimals is not None:
            shown = exact.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_EVEN)
        else:  # no decimals asked for: the key with the fewest digits that stays in the middle half
            shown = _shortest_inside(exact, low + (high - low) / 4, high - (high - low) / 4, unit)
        if not low <= shown <= high:  # the rounded key outside: the key on the finer grid, inside
            shown = min(max(exact.quantize(unit, ROUND_HALF_EVEN), low), high)
        texts = [(_decimal_text(shown), _decimal_text((min(shown - low, high - shown)).normalize()))]
        middle, half = (low + high) / 2, (high - low) / 2
        if middle != shown:
            texts.append((_decimal_text(middle.normalize()), _decimal_text(half.normalize())))
        return texts

    def spellings(self, key: float, lo: float, hi: float, decimals: int | None) -> list:
        """The texts of one number that an LMS comparing text (Canvas) accepts: those quizgen grades
        right, i.e. every rounding to ``decimals`` inside [lo, hi], the key's own first; without
        ``decimals``, the key as ``%g``."""
        if decimals is None:
            return [f"{key:g}"]
        scale = 10 ** decimals
        texts = [_fixed(key, decimals)]
        for unit in range(math.ceil(lo * scale - 1e-9), math.floor(hi * scale + 1e-9) + 1):
            text = _fixed(unit / scale, decimals)
            if text not in texts and lo <= float(text) <= hi:
                texts.append(text)
        return texts


def _shortest_inside(value: Decimal, low: Decimal, high: Decimal, unit: Decimal) -> Decimal:
    """``value`` rounded to the fewest decimals (down to ``unit``) that keep it within [low, high]."""
    for places in range(-int(unit.adjusted()) + 1):
        rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
        if low <= rounded <= high:
            return rounded
    return value.quantize(unit, ROUND_HALF_EVEN)


def _decimal_text(value: Decimal) -> str:
    """A decimal as plain text, no exponent and never "-0": ``0.9000`` stays as written."""
    text = format(value, "f")
    return text[1:] if text.startswith("-") and value == 0 else text


def _fixed(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals, never "-0.0000"."""
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _typed_decimals(token: str) -> int | None:
    """How many decimals a typed number shows (``0.732``: 3, ``12``: 0); None for a number written
    otherwise (``3/4``, ``7.31e-1``, ``50%``), whose decimals say nothing."""
    digits = normalize(token).lstrip("+-")
    if re.fullmatch(r"\d+", digits):
        return 0
    found = re.fullmatch(r"\d*[.,](\d+)", digits)
    return len(found.group(1)) if found else None


def _numbers_wrong(decimals: int | None, tolerance: "Tolerance", tokens: list, value, key,
                   interval: dict | None) -> str:
    """What is wrong with numbers typed as ``tokens``: too few decimals (each wrong entry is the key
    rounded to the decimals it shows: "you gave 3 decimals, 4 are asked"), else which entries are wrong."""
    values, keys = np.ravel(np.asarray(value, float)), np.ravel(np.asarray(key, float))
    if len(tokens) != values.size or values.size != keys.size:
        return ""
    if interval is not None:
        lo, hi = (np.ravel(np.asarray(interval[side], float)) for side in ("lo", "hi"))
        right = [bool(a <= v <= b) for v, a, b in zip(values, lo, hi)]
    else:
        right = [tolerance.close(v, k) for v, k in zip(values, keys)]
    wrong = [i for i, ok in enumerate(right) if not ok]
    if not wrong:
        return ""
    shown = [_typed_decimals(t) for t in tokens]
    if decimals is not None and all(shown[i] is not None and shown[i] < decimals
                                    and abs(values[i] - keys[i]) <= 0.5 * 10.0 ** -shown[i] * (1 + 1e-9) for i in wrong):
        given = max(shown[i] for i in wrong)
        return f"you gave {given} decimal{'s' if given != 1 else ''}, {decimals} are asked"
    if values.size > 1 and len(wrong) < values.size:
        shape = np.shape(key)
        names = [str(i + 1) if len(shape) < 2 else "({}, {})".format(*(int(x) + 1 for x in np.unravel_index(i, shape)))
                 for i in wrong]
        which = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"{'entry' if len(wrong) == 1 else 'entries'} {which} {'is' if len(wrong) == 1 else 'are'} " \
               f"not the key, the other{'s' if values.size - len(wrong) > 1 else ''} {'are' if values.size - len(wrong) > 1 else 'is'} right"
    return ""


def _letters(letters: list) -> str:
    return letters[0] if len(letters) == 1 else ", ".join(letters[:-1]) + " and " + letters[-1]


ALL_OR_NOTHING = "all-or-nothing"
PARTIAL = "partial"
CREDIT_RULES = (ALL_OR_NOTHING, PARTIAL)  # how a part with several right options is credited (the exam spec's
                                          # multiple_answer_credit); a kind without options has one way


MAX_BOX_CELLS = (8, 8)  # a larger vector or matrix (a take-home size) gets one plain box


class AnswerKind:
    """Base class. Subclasses set ``name`` and implement parse, matches, format."""

    name = "answer"
    numeric = False  # numeric kinds take part in hand-rounding and error carried forward
    graded_by_hand = False  # no key to compare with: a person marks it (an override)
    answered_with_letters = False  # typed as letters (options, T/F): no numbers to analyse
    single_letter = False  # exactly one option letter is the answer
    # answers read by column_reader and compared by matches_rows, a whole column at a time
    column_graded = False
    tolerance: Tolerance | None = None  # how close a number must be (None: exact)

    @property
    def carries_forward(self) -> bool:
        """Whether a student's value of this kind can replace the template's in later parts."""
        return self.numeric

    def parse(self, text):
        raise NotImplementedError

    def matches(self, value, key) -> bool:
        return value == key

    # whether the exam spec's multiple_answer_credit applies to this kind (several options can be right)
    credit_rules_apply = False

    def credit(self, value, key, rule: str = ALL_OR_NOTHING) -> float:
        """The fraction of the part's points, in [0, 1], that ``value`` earns against ``key`` under
        ``rule`` (one of CREDIT_RULES): whole when it matches, else none, for every kind without options."""
        return 1.0 if self.matches(value, key) else 0.0

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

    def perturb(self, key):
        """An answer that must not pass: the key moved well outside the kind's tolerance."""
        raise NotImplementedError(f"{self.name} answers have no perturbed key")

    def carried_wrong_values(self, key) -> list:
        """Wrong values a student might give where the key is ``key``, for a kind that carries forward:
        ``quizgen check`` gives each to solve in place of the key to verify every ``Part.uses``."""
        if self.carries_forward:
            raise NotImplementedError(f"{self.name} answers carry forward but have no wrong values")
        return []

    def slipped(self, key) -> str:
        """A numeric key as a student who slipped might type it (``quizgen simulate``): off by 0.37."""
        return self.format(np.asarray(key, dtype=float) + 0.37)

    def wrong_letters(self, key) -> list:
        """The option letters a student could choose that are not in ``key`` (none: not options)."""
        return []

    def what_is_wrong(self, typed: str, value, key, interval: dict | None = None) -> str:
        """What a person can be told about a wrong answer, beyond "not the key": ``value`` read from
        ``typed`` (this kind's parse), the part's ``key`` and accepted ``interval``. "" when the
        kind has nothing to say (practice then says "not the key")."""
        return ""

    def hand_decimals(self, default: int | None) -> int | None:
        """The decimals a hand calculation rounds this kind's answer to (``default``: the template's)."""
        return default

    # -- the accepted interval (quizgen.bank.question.freeze_variant builds it from replays of solve)

    def widening(self, values: np.ndarray, rounded=True) -> np.ndarray:
        """How far beyond the values honest hand work reaches an answer may lie, elementwise: the
        tolerance's bound (the final rounding), and where rounding reaches the answer at all
        (``rounded``: the paths differ) and magnitudes are large, a relative 10^-(decimals+1), one
        unit in the sixth significant figure of a value of 10 to 99 (a rounded exponent or factor
        of a sum of tens moves it by more than the last decimal). An answer no rounding path moves
        (a ratio of counts, 768) keeps the tolerance alone."""
        bound = self.tolerance.bounds(values)
        decimals = getattr(self, "decimals", None)
        if decimals is None:
            return bound
        return np.maximum(bound, np.where(rounded, np.abs(values) * 10.0 ** -(decimals + 1), 0.0))

    @property
    def has_interval(self) -> bool:
        """Whether answers of this kind are accepted in an interval (numbers with a tolerance)."""
        return self.numeric and self.tolerance is not None

    def hull_bounds(self, values: list) -> tuple:
        """``(lo, hi)`` of :meth:`interval`: floats for numbers, else arrays."""
        if all(type(v) is float for v in values):  # one number: without numpy, for error carried forward
            lo, hi = min(values), max(values)
            decimals = getattr(self, "decimals", None)
            rel = 10.0 ** -(decimals + 1) if decimals is not None and hi > lo else 0.0
            return (lo - max(self.tolerance.bound(lo), abs(lo) * rel),
                    hi + max(self.tolerance.bound(hi), abs(hi) * rel))
        arrays = [np.asarray(v, dtype=float) for v in values if v is not None]
        arrays = [a for a in arrays if a.shape == arrays[0].shape]
        lo, hi = np.min(arrays, axis=0), np.max(arrays, axis=0)
        return lo - self.widening(lo, hi > lo), hi + self.widening(hi, hi > lo)

    def interval(self, values: list) -> dict | None:
        """The accepted interval of answers of this kind: per entry, the hull of ``values`` (the
        exact answer, each rounding path's and the first-order reach), widened by :meth:`widening`,
        as JSON ``{"lo", "hi"}``; None for a kind compared exactly or not as numbers (Integer,
        Shape, Choice, ...)."""
        if not self.has_interval:
            return None
        values = [float(v) if isinstance(v, (float, np.floating)) else v for v in values if v is not None]
        lo, hi = self.hull_bounds(values)
        return {"lo": self.to_json(lo), "hi": self.to_json(hi)}

    def in_bounds(self, value, lo, hi) -> bool:
        """Whether ``value`` lies in [lo, hi] (every entry, the shape the same)."""
        if type(lo) is float:
            return np.ndim(value) == 0 and lo <= float(value) <= hi
        value = np.asarray(value, dtype=float)
        return value.shape == np.shape(lo) and bool(np.all((lo <= value) & (value <= hi)))

    def bounds_of(self, interval: dict) -> tuple:
        """An interval's ``(lo, hi)`` as float arrays."""
        return np.asarray(interval["lo"], dtype=float), np.asarray(interval["hi"], dtype=float)

    def in_interval(self, value, interval: dict) -> bool:
        """Whether ``value`` lies in ``interval`` (every entry, the shape the same)."""
        lo, hi = interval["lo"], interval["hi"]
        if type(lo) is float and type(hi) is float:
            return np.ndim(value) == 0 and lo <= float(value) <= hi
        return self.in_bounds(value, *self.bounds_of(interval))

    def intervals_overlap(self, a: dict, b: dict) -> bool:
        """Whether one answer could lie in both intervals (they meet in every entry)."""
        (alo, ahi), (blo, bhi) = self.bounds_of(a), self.bounds_of(b)
        return alo.shape == blo.shape and bool(np.all((alo <= bhi) & (blo <= ahi)))

    def within_rows(self, values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Elementwise ``lo <= values <= hi`` for float arrays (NaN bounds never hold)."""
        with np.errstate(invalid="ignore"):
            return (lo <= values) & (values <= hi)

    def interval_text(self, interval: dict) -> str:
        """An interval as a person reads it: ``18.4626 to 18.4646`` (per entry for an array)."""
        lo, hi = self.bounds_of(interval)
        decimals = getattr(self, "decimals", None)
        if decimals is not None:  # written inwards, so every number written is accepted
            scale = 10.0 ** decimals
            lo, hi = np.ceil(lo * scale - 1e-6) / scale, np.floor(hi * scale + 1e-6) / scale
        pairs = [f"{_fmt(a, decimals)} to {_fmt(b, decimals)}" for a, b in zip(lo.ravel().tolist(), hi.ravel().tolist())]
        return pairs[0] if not lo.shape else "[" + ", ".join(pairs) + "]"

    # -- a column of answers (grade.columns) --

    def column_reader(self, shape: tuple):
        """A function reading plainly typed text (ASCII, trimmed, not blank) as this kind's ``parse``
        would, as a float or a list of floats of ``shape`` (the key's), or returning None to say
        'ask parse'; None when the kind has no such reader."""
        return None

    def matches_rows(self, values: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Elementwise ``matches`` for float arrays of values and keys (NaN keys never match)."""
        raise NotImplementedError(f"{self.name} answers are not compared in arrays")

    def plain_parser(self):
        """A function giving what ``parse`` gives for plainly typed text, or None to say 'ask parse';
        None when the kind's declaration alone does not tell how to read it fast."""
        return None

    # -- pages --

    def box_class(self, key=None) -> str:
        """The CSS class (its width) of the answer box on a paper; ``key`` is the part's key."""
        return "w1"

    def writing_lines(self) -> int:
        """Lines left on a paper for a written answer (0: an answer box)."""
        return 0

    def box_cells(self, key=None) -> tuple | None:
        """``(rows, columns)`` of cells the paper's answer box is divided into, the answer's shape
        (a matrix's rows and columns); None for one plain box."""
        return None

    def js_spec(self) -> dict:
        """What the self-check page's JavaScript (templates/answerkinds.js) needs to parse and compare
        answers of this kind; raises ValueError for a kind the page cannot grade."""
        raise ValueError(f"the self-check page cannot grade {self.name!r} answers")

    def _js_spec(self, **details) -> dict:
        return {"kind": self.name, "describe": self.describe(), **details}

    def js_answer(self, data) -> dict:
        """A stored answer (its JSON value) as the self-check page embeds it."""
        return {"value": data}

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

    def blank_keys(self, key, interval: dict | None) -> list:
        """Per blank ("numbers" form), the ``(value, tolerance)`` pairs an LMS accepts; ``interval`` is
        the part's accepted interval (:func:`quizgen.bank.question.accepted_interval`)."""
        raise NotImplementedError(f"{self.name} answers are not numbers")

    def blank_key_texts(self, key, interval: dict | None) -> list:
        """As :meth:`blank_keys`, the pairs as decimal texts at the stem's precision (what an LMS shows
        as the answer); ``interval`` None (an exact kind, or none frozen): the key, exactly."""
        raise NotImplementedError(f"{self.name} answers are not numbers")

    def choice_options(self, key) -> tuple:
        """("options" form) ``(labels, correct)``: the labels, and the sorted indices of the right ones."""
        raise NotImplementedError(f"{self.name} answers are not options")

    def accepted_texts(self, key, interval: dict | None) -> list | None:
        """Per blank, the texts an LMS that compares text (Canvas) accepts (inside ``interval``, the
        part's accepted interval, for numbers); None when it cannot be a blank."""
        return None

def _perturbed_numbers(tolerance: Tolerance, key) -> np.ndarray:
    """``key`` as a float array with its first entry moved well outside ``tolerance``."""
    value = np.array(key, dtype=float)
    flat = value.reshape(-1)
    bound = tolerance.bound(float(flat[0]))
    flat[0] += 10 * bound + 0.1 * abs(flat[0]) + 0.1
    return value


def _wrong_arrays(key) -> list:
    """Wrong arrays a student might give for an array key: scaled, shifted, negated, one entry off."""
    a = np.asarray(key, dtype=float)
    out = [a * 1.37 + 0.11, a - 0.23, -a]
    for index in (0, -1):  # one element alone
        b = a.copy().ravel()
        b[index] += 0.31
        out.append(b.reshape(a.shape))
    return out


def _converted(read, convert):
    """``read`` followed by ``convert`` of what it read (None stays None)."""
    def read_value(s: str):
        value = read(s)
        return None if value is None else convert(value)
    return read_value


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
    column_graded = True

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

    def matches_rows(self, values, keys):
        return self.tolerance.close_rows(values, keys)

    def column_reader(self, shape):
        return plain_number

    def plain_parser(self):
        return plain_number

    def perturb(self, key):
        return float(_perturbed_numbers(self.tolerance, key))

    def carried_wrong_values(self, key) -> list:
        return [key * 1.37 + 0.11, key - 0.23, -key]

    def hand_decimals(self, default):
        return self.decimals

    def js_spec(self):
        return self._js_spec(decimals=self.decimals, tol=self.tolerance.to_json())

    def format(self, key) -> str:
        return _fmt(float(key), self.decimals)

    def to_json(self, value):
        return float(value)

    def from_json(self, data):
        return float(data)

    def describe(self) -> str:
        how = f"rounded to {self.decimals} decimals" if self.decimals is not None else ""
        return f"a number {how}".strip()

    def what_is_wrong(self, typed, value, key, interval=None) -> str:
        return _numbers_wrong(self.decimals, self.tolerance, [typed], value, key, interval)

    # -- export forms

    answer_form = "numbers"
    moodle_question = "numerical"
    canvas_question = "numerical_question"

    def blank_keys(self, key, interval) -> list:
        return [self.tolerance.lms_keys(float(key), float(interval["lo"]), float(interval["hi"]))]

    def blank_key_texts(self, key, interval) -> list:
        lo, hi = (float(key), float(key)) if interval is None else (float(interval["lo"]), float(interval["hi"]))
        return [self.tolerance.lms_key_texts(float(key), lo, hi, self.decimals)]

    def accepted_texts(self, key, interval) -> list:
        return [self.tolerance.spellings(float(key), float(interval["lo"]), float(interval["hi"]), self.decimals)]


_THOUSANDS = re.compile(r"[+-]?\d{1,3}([, ]\d{3})+")


@dataclass
class Integer(AnswerKind):
    """A whole number, exact. Accepts ``60000``, ``60,000``, ``60 000``, ``6e4``."""

    name = "integer"
    numeric = True
    column_graded = True

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

    def matches_rows(self, values, keys):
        return values == keys

    def column_reader(self, shape):
        return plain_integer

    def plain_parser(self):
        return _converted(plain_integer, int)

    def perturb(self, key):
        return int(key) + 1

    def carried_wrong_values(self, key) -> list:
        return [key + 1, key + 3, key * 2]

    def slipped(self, key) -> str:
        return str(int(key) + 7)

    def js_spec(self):
        return self._js_spec()

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

    def blank_keys(self, key, interval) -> list:
        return [[(float(key), 0.0)]]

    def blank_key_texts(self, key, interval) -> list:
        return [[(str(int(key)), "0")]]

    def accepted_texts(self, key, interval) -> list:
        return [[str(int(key))]]


class _NumbersExportForms:
    """The export forms of an array of numbers (Vector, Matrix): a blank per entry, each with the
    kind's tolerance and decimals."""

    answer_form = "numbers"
    moodle_question = "cloze"
    canvas_question = "fill_in_multiple_blanks_question"

    def blank_count(self, key) -> int:
        return int(np.size(key))

    def blank_keys(self, key, interval) -> list:
        return [self.tolerance.lms_keys(e, lo, hi) for e, lo, hi in self._entries(key, interval)]

    def blank_key_texts(self, key, interval) -> list:
        if interval is None:
            interval = {"lo": key, "hi": key}
        return [self.tolerance.lms_key_texts(e, lo, hi, self.decimals) for e, lo, hi in self._entries(key, interval)]

    def accepted_texts(self, key, interval) -> list:
        return [self.tolerance.spellings(e, lo, hi, self.decimals) for e, lo, hi in self._entries(key, interval)]

    @staticmethod
    def _entries(key, interval) -> list:
        """``(key, lo, hi)`` of each entry, in the order of the blanks."""
        return list(zip(*(np.asarray(v, dtype=float).ravel().tolist()
                          for v in (key, interval["lo"], interval["hi"]))))


@dataclass
class Vector(_NumbersExportForms, AnswerKind):
    """A vector of ``length`` numbers, e.g. ``[0.1, 0.2]`` or ``0.1 0.2``; length is checked first.

    ``length=None`` takes the length from the key (a template whose "computer"
    size draws larger shapes); a wrong length is then wrong, not invalid.
    """

    length: int = 2
    decimals: int | None = 4
    tolerance: Tolerance | None = None
    name = "vector"
    numeric = True
    column_graded = True

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

    def matches_rows(self, values, keys):
        return self.tolerance.close_rows(values, keys)

    def column_reader(self, shape):
        return functools.partial(plain_list, shape[0])

    def plain_parser(self):
        if self.length is None:
            return None
        return _converted(functools.partial(plain_list, self.length), np.array)

    def perturb(self, key):
        return _perturbed_numbers(self.tolerance, key)

    def carried_wrong_values(self, key) -> list:
        return _wrong_arrays(key)

    def hand_decimals(self, default):
        return self.decimals

    def box_class(self, key=None):
        # declared without a length (None), a vector has its key's
        length = self.length if self.length is not None else len(key if key is not None else ())
        return "w3" if length > 3 else "w2"

    def box_cells(self, key=None):
        length = self.length if self.length is not None else len(key if key is not None else ())
        return (1, length) if 1 < length <= MAX_BOX_CELLS[1] else None

    def js_spec(self):
        return self._js_spec(length=self.length, decimals=self.decimals, tol=self.tolerance.to_json())

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

    def what_is_wrong(self, typed, value, key, interval=None) -> str:
        return _numbers_wrong(self.decimals, self.tolerance, split_list(typed), value, key, interval)

    # -- export forms: those of _NumbersExportForms


@dataclass
class Matrix(_NumbersExportForms, AnswerKind):
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

    @staticmethod
    def _rows(text: str) -> list:
        """The typed rows of a matrix (normalized text), each as split_list reads it."""
        if text.startswith("[[") or text.startswith("(("):
            inner = text[1:-1] if text[-1] in "])" else text
            return re.findall(r"[\[(]([^\[\]()]*)[\])]", inner)
        body = text[1:-1] if text[0] + text[-1] in ("[]", "()") else text
        return [r for r in re.split(r"[;\n]", body) if r.strip()]

    def parse(self, text):
        text = normalize(text)
        if not text:
            raise InvalidAnswer("no matrix was given")
        rows = self._rows(text)
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

    def perturb(self, key):
        return _perturbed_numbers(self.tolerance, key)

    def carried_wrong_values(self, key) -> list:
        return _wrong_arrays(key)

    def hand_decimals(self, default):
        return self.decimals

    def box_class(self, key=None):
        return "w3"

    def box_cells(self, key=None):
        shape = self.shape if self.shape is not None else np.shape(key) if key is not None else None
        if shape is None or len(shape) != 2:
            return None
        fits = shape[0] <= MAX_BOX_CELLS[0] and shape[1] <= MAX_BOX_CELLS[1]
        return tuple(int(n) for n in shape) if fits else None

    def js_spec(self):
        return self._js_spec(shape=list(self.shape) if self.shape is not None else None,
                             decimals=self.decimals, tol=self.tolerance.to_json())

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

    def what_is_wrong(self, typed, value, key, interval=None) -> str:
        tokens = [p for row in self._rows(normalize(typed)) for p in split_list(row)]
        return _numbers_wrong(self.decimals, self.tolerance, tokens, value, key, interval)

    # -- export forms: those of _NumbersExportForms, one blank per entry, laid out as a table

    blank_layout = "table"


@dataclass
class Shape(AnswerKind):
    """A tensor shape: ``(6, 28, 28)``, ``6x28x28``, ``6 × 28 × 28``, ``[6, 28, 28]``."""

    ndim: int | None = None
    name = "shape"
    carries_forward = True  # a wrong shape can still lead to a consistent parameter count
    column_graded = True

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

    def matches_rows(self, values, keys):
        return values == keys

    def column_reader(self, shape):
        return functools.partial(plain_shape, shape[0])

    def plain_parser(self):
        if self.ndim is None:
            return None
        return _converted(functools.partial(plain_shape, self.ndim), lambda dims: tuple(int(d) for d in dims))

    def perturb(self, key):
        return (key[0] + 1,) + tuple(key[1:])

    def carried_wrong_values(self, key) -> list:
        key = tuple(key)
        one_dim = [tuple(d + (k == j) for k, d in enumerate(key)) for j in range(len(key))]
        return one_dim + [tuple(d + 1 for d in key), (key[0] + 2,) + key[1:]]

    def box_class(self, key=None):
        return "w2"

    def js_spec(self):
        return self._js_spec(ndim=self.ndim)

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

    def blank_keys(self, key, interval) -> list:
        return [[(float(d), 0.0)] for d in key]

    def blank_key_texts(self, key, interval) -> list:
        return [[(str(int(d)), "0")] for d in key]

    def accepted_texts(self, key, interval) -> list:
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
    answered_with_letters = True

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

    @property
    def credit_rules_apply(self) -> bool:
        return self.multiple

    def option_fractions(self, key) -> list:
        """Each option's share of the points under the partial rule, as Moodle's multichoice with
        several answers scores it: the c right options +1/c each (together 100 %), the w wrong ones
        -1/w each (together -100 %: choosing every option earns 0, and so does choosing at random,
        on average). Exact fractions, in option order."""
        right = frozenset(key)
        options = LETTERS[: self.n_options]
        wrong = sum(1 for c in options if c not in right)
        return [Fraction(1, len(right)) if c in right else Fraction(-1, wrong) for c in options]

    def credit(self, value, key, rule: str = ALL_OR_NOTHING) -> float:
        """All-or-nothing: 1 for exactly the right options, else 0. Partial: the sum of the chosen
        options' :meth:`option_fractions`, clamped to [0, 1] (Moodle's rule): with r of the c right
        options and x of the w wrong ones chosen, (r w - x c) / (c w), one division of whole
        numbers, so the self-check page's JavaScript gets the same float."""
        if rule not in CREDIT_RULES:
            raise ValueError(f"multiple_answer_credit must be one of {', '.join(CREDIT_RULES)}, got {rule!r}")
        if self.matches(value, key):
            return 1.0
        if rule == ALL_OR_NOTHING:
            return 0.0
        fractions = dict(zip(LETTERS, self.option_fractions(key)))
        total = sum((fractions[c] for c in frozenset(value)), Fraction(0))
        return float(min(max(total, Fraction(0)), Fraction(1)))

    @property
    def single_letter(self) -> bool:
        return not self.multiple

    def perturb(self, key):
        others = self.wrong_letters(key)
        return frozenset(others[:1]) if others else frozenset()

    def wrong_letters(self, key) -> list:
        return [c for c in LETTERS[: self.n_options] if c not in key]

    def js_spec(self):
        return self._js_spec(n=self.n_options, multiple=self.multiple)

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

    def what_is_wrong(self, typed, value, key, interval=None) -> str:
        """For several right options: which of those chosen are right, which are not, which are
        missing ("A and C are right, B is not, D is missing"). One option is simply not the key."""
        if not self.multiple:
            return ""
        chosen, right = frozenset(value), frozenset(key)
        said = [f"{_letters(letters)} {'is' if len(letters) == 1 else 'are'} {verb}"
                for letters, verb in ((sorted(chosen & right), "right"), (sorted(chosen - right), "not"),
                                      (sorted(right - chosen), "missing")) if letters]
        if chosen & right and not chosen - right and right - chosen:
            said[-1] += " (every right option is needed for full marks)"
        return ", ".join(said)

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

    def accepted_texts(self, key, interval) -> list:
        letters = "".join(sorted(key))
        if len(letters) == 1:
            return [[letters]]
        return [[letters, ", ".join(letters), ",".join(letters), " ".join(letters)]]

    def every_spelling(self, key) -> list:
        """Every way of typing exactly the right letters that :meth:`parse` reads (any order; run
        together or parted by ", ", "," or " "), the sorted letters first: what an LMS comparing text
        must accept to score all-or-nothing as quizgen does."""
        texts = []
        for order in itertools.permutations(sorted(key)):
            for joiner in ("", ", ", ",", " "):
                text = joiner.join(order)
                if text not in texts:
                    texts.append(text)
        return texts


_TRUE = {"T", "TRUE", "YES", "Y", "1", "V", "VRAI", "CORRECT"}
_FALSE = {"F", "FALSE", "NO", "N", "0", "FAUX", "INCORRECT"}


@dataclass
class TrueFalse(AnswerKind):
    """True or false: ``T``, ``true``, ``yes``, ``1`` / ``F``, ``false``, ``no``, ``0``."""

    name = "truefalse"
    answered_with_letters = True

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

    def perturb(self, key):
        return not key

    def js_spec(self):
        return self._js_spec()

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

    def accepted_texts(self, key, interval) -> list:
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
        # quizgen.bank.symbolic is imported where it is needed: it loads sympy, slow to import
        from quizgen.bank.symbolic import parse_expression

        return parse_expression(normalize(text), self.variables)

    def matches(self, value, key) -> bool:
        from quizgen.bank.symbolic import equivalent

        return equivalent(value, key, self.variables)

    def perturb(self, key):
        return key + 1

    def box_class(self, key=None):
        return "w3"

    def js_spec(self):
        from quizgen.bank.symbolic import SAMPLE_POINTS

        return self._js_spec(variables=list(self.variables), points=list(SAMPLE_POINTS))

    def js_answer(self, data):
        # the browser compares formulas by their values at the sample points
        return {"value": data, "samples": self.sample_values(data)}

    def sample_values(self, data) -> list:
        """The values of a formula (an expression, or stored as text) at the sample points
        :func:`quizgen.bank.symbolic.equivalent` compares at: None where undefined or not real."""
        from quizgen.bank.symbolic import SAMPLE_POINTS, sample_values

        try:
            expr = self.from_json(data) if isinstance(data, str) else data
        except Exception:  # str() of some sympy functions (Max, Abs) does not read back: compare as text
            return [None] * len(SAMPLE_POINTS)
        return sample_values(expr, self.variables)

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

    def accepted_texts(self, key, interval) -> list:
        return [[self.format(key)]]


@dataclass
class Essay(AnswerKind):
    """A long written answer, graded by hand: kept whole, as written, and *to be marked* until its
    score enters as an override (:mod:`quizgen.bank.marking`)."""

    lines: int = 10
    rubric: list = field(default_factory=list)
    name = "essay"
    graded_by_hand = True

    def parse(self, text):
        # not normalize(): nothing is read from an essay, so no length limit and no characters changed
        return "" if text is None else str(text).strip()

    def matches(self, value, key) -> bool:
        return False

    def box_class(self, key=None):
        return "essay"

    def writing_lines(self):
        return self.lines

    def describe(self) -> str:
        return "a written answer, graded by hand"

    # -- export forms

    answer_form = "written"
    moodle_question = "essay"
    canvas_question = "essay_question"

