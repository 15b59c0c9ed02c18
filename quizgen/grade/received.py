"""Who sent a submission, and when: typed student ids matched to the roster, and submission times.

Ids are typed by students and passed through spreadsheets. A spreadsheet reads ``00123`` as the
number 123, writes ``2`` as ``2.0`` or ``23000000`` as ``2.3E+07``; quizgen's own files write
``-rf`` as ``'-rf`` (formula neutralisation, :func:`quizgen.tables.neutralise`). An id is
matched to the roster as typed first, then as the number a spreadsheet made of it: a number that
fits one roster id is credited to it with a note, one that fits several is credited to nobody and
needs the instructor's attention (``123`` may be ``00123``'s or ``123``'s answers).

The latest submission is the latest by its time when the file has a timestamp column (Google
Forms, Microsoft Forms, Moodle, Canvas and the like write one), else the last received.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from quizgen.tables import unneutralise

# a spreadsheet's number: 123, 2.0, 2.3E+07 (leading zeros are what it drops, so a typed one is kept)
_SPREADSHEET_NUMBER = re.compile(r"(?:[1-9]\d*|0)(?:\.\d+)?(?:e[+-]?\d{1,3})?")
_DIGITS = re.compile(r"[0-9]+")


@dataclass
class Match:
    """A typed id's roster id (None: credited to nobody) and what to say about it, if anything."""

    student: str | None
    note: str = ""       # credited, but worth saying (a spreadsheet's number read back)
    problem: str = ""    # credited to nobody: needs attention


class RosterIds:
    """Typed ids (as :func:`quizgen.papers.spec.normalise_id` made them) to roster ids."""

    def __init__(self, roster: dict):
        self.roster = roster  # normalised id -> roster id
        self.by_number: dict = {}
        for key, student in roster.items():
            if _DIGITS.fullmatch(key):
                self.by_number.setdefault(int(key), []).append(student)
        self._seen: dict = {}

    def match(self, typed: str) -> Match:
        found = self._seen.get(typed)
        if found is None:
            found = self._seen[typed] = self._match(typed)
        return found

    def _match(self, typed: str) -> Match:
        key = unneutralise(typed)
        exact = self.roster.get(key)
        if exact is None:
            cleaned = _cleaned(key)
            if cleaned != key:
                found = self._match(cleaned)
                if found.student is not None and not found.note:
                    return Match(found.student, note=f"student id {typed!r} read as {found.student!r} (invisible "
                                                     "characters, full-width digits or a leading ' removed)")
                return found
        if exact is None and key.startswith("0") and _DIGITS.fullmatch(key):
            # 00123 typed, and the roster's spreadsheet made it 123
            found = _one_of(key, self.by_number.get(int(key), []),
                            "the roster's id lost its leading zeros, or the typed one has more",
                            "ids equal but for leading zeros")
            if found is not None:
                return found
        if not _SPREADSHEET_NUMBER.fullmatch(key):
            return Match(exact)
        fits = self._numbers_near(key)
        if exact is not None and fits in ([], [exact]):
            return Match(exact)
        found = _one_of(key, fits, "a spreadsheet made the id a number and dropped its leading zeros",
                        "once a spreadsheet's number is read back, leading zeros dropped")
        return found if found is not None else Match(exact)

    def _numbers_near(self, key: str) -> list:
        """Roster ids of digits whose number is ``key`` as a spreadsheet shows it (``2.3e+07`` stands
        for 22,950,000 up to 23,050,000: its shown digits, rounded)."""
        try:
            value = Decimal(key)
        except InvalidOperation:
            return []
        half = Decimal(1).scaleb(value.as_tuple().exponent) / 2  # half the last digit shown
        if "e" in key:  # rounded to the digits shown: a range, compared with every roster number
            return [s for n, ids in sorted(self.by_number.items()) if abs(n - value) <= half for s in ids]
        near = value.to_integral_value()
        return list(self.by_number.get(int(near), [])) if abs(near - value) <= half else []


def _cleaned(key: str) -> str:
    """An id without what copying and typing add unseen: zero-width and other format characters,
    full-width or other compatibility forms (NFKC), and a leading apostrophe (a spreadsheet's mark
    for text, typed to keep leading zeros)."""
    text = "".join(c for c in unicodedata.normalize("NFKC", key) if unicodedata.category(c) != "Cf")
    return text[1:] if text.startswith("'") else text


# -- when -----------------------------------------------------------------------------------------

TIME_KEY = "@submitted_at"  # where a row's time is stored with its cells (no answer column is named so)
# header names of a submission's time, compared as header_key compares (case, spaces, _ . - ignored)
TIMESTAMP_COLUMNS = ("timestamp", "submitted", "submittedat", "submissiontime", "timesubmitted", "datesubmitted",
                     "submitted on", "completed", "completedon", "completiontime", "endtime", "finished",
                     "finishedat", "completedat")
_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S %Z",                                   # Canvas: 2026-12-03 10:30:00 UTC
    "%d %B %Y, %I:%M %p", "%d %B %Y, %I:%M:%S %p", "%d %B %Y %I:%M %p",  # Moodle: 3 December 2026, 10:30 AM
    "%d %b %Y, %I:%M %p", "%d %B %Y, %H:%M", "%B %d, %Y %I:%M %p", "%b %d, %Y %I:%M %p", "%b %d, %Y at %I:%M%p",
)
# day and month in either order (Google Forms writes the sheet's locale, Microsoft Forms M/D/YY):
# decided for a whole column by a day above 12
_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})[ ,T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?")


def timestamp_column(header: list, key) -> str | None:
    """The header's submission-time column (``key`` compares names), or None."""
    wanted = {key(c) for c in TIMESTAMP_COLUMNS}
    return next((h for h in header if key(h) in wanted), None)


def parse_times(values: list) -> tuple[list, str]:
    """Each text as an ISO time in UTC (naive times as written), None where it cannot be read, and
    how the column was read ("month first", ...)."""
    stripped = [" ".join(v.split()) for v in values]  # Moodle pads with two spaces
    slashed = [_SLASHED.fullmatch(v) for v in stripped]
    day_first = any(m and int(m.group(1)) > 12 for m in slashed)
    month_first = any(m and int(m.group(2)) > 12 for m in slashed)
    order = "day first" if day_first and not month_first else "month first"
    out = []
    for text, m in zip(stripped, slashed):
        when = None
        if m and not (day_first and month_first):
            a, b, year, hour, minute, second, half = m.groups()
            day, month = (a, b) if order == "day first" else (b, a)
            year = int(year) + (2000 if len(year) == 2 else 0)
            hour = int(hour) % 12 + (12 if half and half.lower() == "pm" else 0) if half else int(hour)
            try:
                when = datetime(year, int(month), int(day), hour, int(minute), int(second or 0))
            except ValueError:
                when = None
        elif text:
            when = _parse_fixed(text)
        if when is not None and when.tzinfo is not None:
            when = when.astimezone(timezone.utc).replace(tzinfo=None)
        out.append(when.isoformat(sep=" ") if when else None)
    return out, order if any(slashed) else "ISO or written out"


EXCEL_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's serial dates (so that 1900-03-01 is day 61)
_SERIAL = re.compile(r"[2-9]\d{4}(\.\d+)?")  # days 20000 to 99999: 1954 to 2173


def _parse_fixed(text: str):
    if _SERIAL.fullmatch(text):  # a date column a spreadsheet shows as General: 46024.4375
        return EXCEL_EPOCH + timedelta(seconds=round(float(text) * 86400))  # to the second, as shown
    candidate = text.replace("Z", "+0000") if text.endswith("Z") else text
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return datetime.strptime(candidate, fmt)
        except ValueError:
            continue
    return None


def _one_of(key: str, fits: list, why: str, ambiguous: str):
    """The Match of a typed id that fits roster ids ``fits`` once read back: the one, with a note
    saying ``why``; none of several (``ambiguous``), a problem; None when nothing fits."""
    if len(fits) == 1:
        return Match(fits[0], note=f"student id {key!r} read as {fits[0]!r} ({why})")
    if len(fits) > 1:
        return Match(None, problem=f"student id {key!r} may be any of {', '.join(map(repr, fits))} ({ambiguous}): "
                                   "credited to nobody; correct the id in the file and grade it again")
    return None
