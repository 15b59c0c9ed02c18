"""Grading a whole class at once: each answer column against the grading key, in arrays.

The scores are the same, part for part, as grading every student's variants one
by one with :func:`quizgen.bank.marking.grade` (``tests/quizgen/test_classgrade.py``
holds the two together on a wide exam and on random typing); only the work is
arranged differently:

* a cell typed plainly (``0.7311``, ``[0.1, -0.2]``, ``(6, 28, 28)``, ``B``) is
  read by its kind's small fast reader (``AnswerKind.column_reader``, which a
  test holds to the kind's own parser), and compared with the accepted interval
  and every named mistake's interval for the whole column at once
  (``within_rows``; ``matches_rows`` with the key and hand key for a kind
  compared exactly);
* any other cell is read by its answer kind's own parser against that student's
  key data (``grade_part``, as in one-by-one grading);
* a wrong part that uses a part answered wrong (``Part.uses``) is checked for
  error carried forward as ``grade`` does it, with the question's variant read
  alone from the manifest: the only work that re-runs a template;
* with ``jobs`` > 1 the class is cut into slices of students graded in worker
  processes.
"""

from __future__ import annotations

import functools
import itertools
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from quizgen.bank.answertext import MAX_TEXT
from quizgen.bank.marking import (ECF_FEEDBACK, carried_forward, carried_value, grade_part,
    may_carry_forward)
from quizgen.bank.kinds import LETTERS
from quizgen.bank.question import thaw
from quizgen.workers import forked_map

# "to_mark": an answer a person marks (an essay), kept whole; it scores by an override, never 0 meanwhile;
# "partial": several right options scored one by one, part of the points earned
STATUSES = ("correct", "ecf", "wrong", "invalid", "blank", "missing", "to_mark", "partial")
CORRECT, ECF, WRONG, INVALID, BLANK, MISSING, TO_MARK, PARTIAL = range(len(STATUSES))
CODE = {s: i for i, s in enumerate(STATUSES)}


@dataclass
class ColumnGrades:
    """One answer column for the whole class (index = student's position in the roster)."""

    status: np.ndarray           # codes into STATUSES
    credit: np.ndarray
    points: np.ndarray
    response: list
    mistake: list
    feedback: list

    @classmethod
    def empty(cls, n: int) -> "ColumnGrades":
        return cls(np.full(n, MISSING, np.int8), np.zeros(n), np.zeros(n), [""] * n, [None] * n,
                   ["no answer"] * n)


def _close_or_equal(kind, values, keys):
    """Row-wise ``kind.matches`` for arrays of values and keys of the same shape (NaN never matches)."""
    equal = kind.matches_rows(values, keys)
    return equal.reshape(len(values), -1).all(axis=1) if equal.ndim > 1 else equal


def _within(kind, values, lo, hi):
    """Row-wise: every entry of a value in its row's interval [lo, hi] (NaN bounds never hold)."""
    inside = kind.within_rows(values, lo, hi)
    return inside.reshape(len(values), -1).all(axis=1) if inside.ndim > 1 else inside


# -- the class ------------------------------------------------------------------------------------

def grade_class(key, bank, cells: list, ecf: bool = True, ecf_credit: float = 1.0, question_record=None,
                jobs: int = 1, finish=None, done=None):
    """column -> :class:`ColumnGrades` for every student of ``key`` (``cells[i]`` is student i's
    submission, column -> text, or None when there is none).

    ``question_record(i, k)`` returns student i's k-th question (0-based) as the manifest
    has it, or at least its template_id, its variant's params and choices and its parts'
    columns (:meth:`quizgen.builddir.BuildDir.for_carrying`); it is called only
    where error carried forward can apply. The class is graded
    in slices of students (:func:`grade_slices`); ``done(count)`` is called as each slice
    is finished (a progress bar). With ``finish``, the list of ``finish(grades, lo, hi)``
    for each slice (computed where the slice was graded) is returned instead.
    """
    n = len(key.students)
    graded, bounds = [], []
    with grade_slices(key, bank, cells, ecf, ecf_credit, question_record, jobs, finish) as slices:
        for lo, hi, part in slices:
            graded.append(part)
            bounds.append((lo, hi))
            if done:
                done(hi - lo)
    if finish is not None:
        return graded
    if len(graded) == 1:
        return graded[0]
    grades = {c: ColumnGrades.empty(n) for c in key.columns}
    for (lo, hi), part in zip(bounds, graded):
        for column, g in part.items():
            out = grades[column]
            out.status[lo:hi], out.credit[lo:hi], out.points[lo:hi] = g.status, g.credit, g.points
            out.response[lo:hi], out.mistake[lo:hi], out.feedback[lo:hi] = g.response, g.mistake, g.feedback
    return grades


@contextmanager
def grade_slices(key, bank, cells: list, ecf: bool = True, ecf_credit: float = 1.0, question_record=None,
                 jobs: int = 1, finish=None):
    """Grade the class in slices of students: gives an iterator of ``(lo, hi, grades)`` in order
    (``grades`` of students lo..hi-1 indexed from 0, or ``finish(grades, lo, hi)``).

    With ``jobs`` > 1 and enough students, worker processes are already grading every slice
    when the iterator is given, so the caller's own work before it asks for the first slice
    (storing the submissions) runs beside the grading.
    """
    n = len(key.students)
    parallel = jobs > 1 and n >= PARALLEL_FROM
    size = max(1, min(SLICE, -(-n // jobs) if parallel else SLICE))
    bounds = list(range(0, n, size)) + [n] if n else [0, 0]
    slices = list(zip(bounds[:-1], bounds[1:]))
    task = functools.partial(_grade_slice, key, bank, cells, ecf, ecf_credit, question_record, finish)
    with forked_map(task, slices, jobs if parallel else 1) as graded:
        yield ((lo, hi, part) for (lo, hi), part in zip(slices, graded))


PARALLEL_FROM = 2000  # students before worker processes pay for themselves
SLICE = 5000          # students graded at a time: a progress step, and what a worker sends back


def _grade_slice(key, bank, cells: list, ecf: bool, ecf_credit: float, question_record, finish,
                 bounds: tuple) -> dict:
    """Grade students lo..hi-1 of ``key`` (their grades indexed from 0), or ``finish(grades, lo, hi)``
    of them; the arguments are :func:`grade_slices`'s."""
    lo, hi = bounds
    part = key.students_slice(lo, hi)
    cells = cells[lo:hi]
    grades = {c: ColumnGrades.empty(hi - lo) for c in key.columns}
    for group in part.groups:
        _grade_group(group, bank, cells, grades[group.column])
    if ecf:
        _carry_errors_forward(part, bank, cells, grades, ecf_credit, lambda i, k: question_record(lo + i, k))
    return finish(grades, lo, hi) if finish is not None else grades


def _grade_group(group, bank, cells: list, out: ColumnGrades) -> None:
    template = bank.get(group.template_id)
    part = template.part(group.part)
    kind = part.kind
    rows = group.rows
    out.points[rows] = group.points
    column = group.column
    if group.mode == "numeric":
        read = kind.column_reader(group.shape)
    elif group.mode in ("choice", "letter"):
        letters = LETTERS[:group.n_options or kind.n_options]
        read = lambda s: letters.find(s.upper()) if len(s) == 1 and s.upper() in letters else None  # noqa: E731
    else:
        read = None
    fast, values, slow, blank = [], [], [], []
    response = out.response
    for j, i in enumerate(rows.tolist()):
        submission = cells[i]
        if submission is None:
            continue  # missing, as initialised
        text = submission.get(column, "")
        if text.isascii() and len(text) <= MAX_TEXT:
            s = text.strip()
            if not s:
                blank.append(i)
                continue
            if read is not None:
                value = read(s)
                if value is not None:
                    fast.append(j)
                    values.append(value)
                    response[i] = s
                    continue
        slow.append(j)
    out.status[blank] = BLANK
    if fast:
        _grade_fast(group, template, kind, np.asarray(fast), values, out)
    unreadable: dict = {}  # text -> its grading: why it cannot be read depends on the text alone
    for j in slow:
        i = int(rows[j])
        text = cells[i].get(column, "")
        result = unreadable.get(text)
        if result is None:
            result = grade_part(template, SimpleNamespace(**group.part_data(j)), part, text, group.credit)
            if result["status"] == "invalid":
                unreadable[text] = result
        code = CODE[result["status"]]
        out.status[i] = code
        out.credit[i] = result["credit"]
        out.response[i] = result["response"]
        out.mistake[i] = result["mistake"]
        out.feedback[i] = result["feedback"]


def _grade_fast(group, template, kind, fast: np.ndarray, values: list, out: ColumnGrades) -> None:
    students = group.rows[fast]
    if group.mode == "numeric":
        # the readers give a float or a list of floats a student: flattened by fromiter at half
        # asarray's cost for lists
        size = len(values) * int(np.prod(group.shape))
        v = np.fromiter(itertools.chain.from_iterable(values) if group.shape else values, float,
                        size).reshape((len(fast),) + group.shape)
        names = group.mistake_names
        hits = np.zeros((len(fast), len(names)), bool)
        if group.lo is not None:  # the accepted intervals (see Template.freeze_variant)
            right = _within(kind, v, group.lo[fast], group.hi[fast])
            for m in range(len(names)):
                hits[:, m] = _within(kind, v, group.mistake_lo[fast, m], group.mistake_hi[fast, m])
        else:  # a kind compared exactly
            right = _close_or_equal(kind, v, group.key[fast]) | _close_or_equal(kind, v, group.hand[fast])
            for m in range(len(names)):
                hits[:, m] = _close_or_equal(kind, v, group.mistakes[fast, m])
    else:
        chosen = np.asarray(values, dtype=np.int64)
        right = chosen == group.key[fast]
        names = group.mistake_names
        hits = np.zeros((len(fast), len(names)), bool)
        if group.mode == "choice":
            picked = group.mistakes[fast, chosen]
            has = picked >= 0
            hits[np.flatnonzero(has), picked[has]] = True
    out.status[students] = np.where(right, CORRECT, WRONG)
    out.credit[students] = right.astype(float)
    feedback, mistake = out.feedback, out.mistake
    for i in students[right].tolist():
        feedback[i] = "correct"
    order = {name: k for k, name in enumerate(template.mistakes)}
    for i in students[~right & ~hits.any(axis=1)].tolist():
        feedback[i] = "not the key"
    named_rows = np.flatnonzero(~right & hits.any(axis=1))
    for j, i in zip(named_rows.tolist(), students[named_rows].tolist()):
        named = sorted((names[m] for m in np.flatnonzero(hits[j])), key=order.__getitem__)
        mistake[i] = named[0]
        feedback[i] = "; or ".join(template.mistakes[m] for m in named)


def _carry_errors_forward(key, bank, cells, grades: dict, ecf_credit: float, question_record) -> None:
    """Credit every wrong part that is right from the student's own earlier answers."""
    questions: dict = {}  # number -> its columns, in part order
    for column in key.columns:
        questions.setdefault(key.question_of[column], []).append(column)
    need = {number: np.zeros(len(key.students), bool) for number in questions}
    for group in key.groups:
        template = bank.get(group.template_id)
        part = template.part(group.part)
        if not part.kind.carries_forward or group.mode == "choice":
            continue
        number = key.question_of[group.column]
        columns = questions[number]
        names = [p.name for p in template.parts]
        rows = group.rows
        used_wrong = np.zeros(len(rows), bool)
        for name in template.influences(group.part):
            used_wrong |= grades[columns[names.index(name)]].status[rows] == WRONG
        need[number][rows] |= used_wrong & (grades[group.column].status[rows] == WRONG)
    work = []  # (student, question number, its parts' status codes)
    for number, mask in need.items():
        codes = np.stack([grades[c].status for c in questions[number]], axis=1)
        work += [(i, number, codes[i].tolist()) for i in np.flatnonzero(mask).tolist()]
    work.sort(key=lambda item: item[:2])  # in student order: each block of the key's params is inflated once
    done = _check_carried_forward(work, bank, cells, question_record)
    for i, column in done:
        g = grades[column]
        g.status[i], g.credit[i], g.mistake[i], g.feedback[i] = ECF, ecf_credit, None, ECF_FEEDBACK


def _plain_value(read, part, variant, text: str):
    """What ``carried_value`` gives for plainly typed text, read by ``read``, the part's kind's
    ``plain_parser`` (None: ask carried_value)."""
    if read is None or part.name in variant.choices or not text.isascii() or len(text) > MAX_TEXT:
        return None
    s = text.strip()
    if not s:
        return None
    return read(s)


def _check_carried_forward(work: list, bank, cells: list, question_record) -> list:
    """(student, column) of each wrong part that is right from the student's own earlier answers.

    As :func:`quizgen.bank.marking.grade` does it, but only for the parts that can
    change: the student's earlier readable answers are given to solve, and a wrong
    part that uses a part answered wrong is checked against the result.
    """
    out = []
    readers: dict = {}  # template id -> each part's kind's plain_parser
    for i, number, codes in work:
        data = question_record(i, number - 1)
        template = bank.get(data["template_id"])
        variant = SimpleNamespace(choices=data["variant"].get("choices", {}))  # all carrying asks of it
        params = thaw(data["variant"]["params"])
        parsed, answered_wrong = {}, set()
        if template.id not in readers:
            readers[template.id] = [p.kind.plain_parser() for p in template.parts]
        for part, reader, meta, code in zip(template.parts, readers[template.id], data["parts"], codes):
            if code not in (CORRECT, WRONG):
                continue
            text = cells[i].get(meta["column"], "")
            value = _plain_value(reader, part, variant, text)
            if value is None:
                value = carried_value(part, variant, text)
            if code == WRONG and may_carry_forward(template, variant, part, answered_wrong) \
                    and carried_forward(template, params, parsed, part, value):
                out.append((i, meta["column"]))
            if code == WRONG:
                answered_wrong.add(part.name)
            if part.kind.carries_forward:
                parsed[part.name] = value
    return out
