"""Grading a class: submissions CSVs -> gradebook -> grades.csv, regrades and overrides.

``grade_build(DIR, files)`` stores every row of every file in the gradebook
(a file graded before adds nothing), then grades, as one new run, each roster
student's effective submission (the latest, by its time where the file has one,
or the first with ``first=True``; ids matched by :mod:`quizgen.grade.received`)
against the key frozen in ``DIR/manifest.json``, read through its arrays in
``DIR/grading-key.npz`` (:class:`quizgen.builddir.BuildDir`) and graded a
column at a time (:mod:`quizgen.grade.columns`). One bad row never stops the
batch: unknown ids, duplicates, missing columns and students without a
submission are collected in the report, whose ``needs_attention`` says whether
anything did. A gradebook recorded against another manifest is refused: its
answers were given to other papers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from quizgen.builddir import MANIFEST, BuildDir, without_cycle_collection
from quizgen.grade.columns import (CORRECT, BLANK, CODE, INVALID, MISSING, STATUSES, ColumnGrades,
    grade_slices)
from quizgen.errors import InputError
from quizgen.tables import csv_text, neutralise, read_table, submissions_limit, unneutralise
from quizgen.files import remove_leftovers, write_atomic
from quizgen.grade.inputs import submission_files
from quizgen.papers.exam import question_from_json
from quizgen.grade.gradebook import STATUS_LETTERS, graded_gradebook, open_gradebook, to_json
from quizgen.bank.marking import grade
from quizgen.progress import progress
from quizgen.bank.question import Variant, thaw
from quizgen.papers.spec import ID_COLUMNS, normalise_id
from quizgen.grade.received import TIME_KEY, RosterIds, parse_times, timestamp_column

EXTRA_ID_COLUMNS = ("student", "matric", "matriculation", "sis user id", "user id", "login id", "roll no",
                    "roll number", "registration number", "reg no")


def header_key(name: str) -> str:
    """Column names compare without case, spaces, dots, dashes or underscores: 'Q1 a' == 'q1a'."""
    return re.sub(r"[\s._\-]+", "", name).casefold()


VARIANT_HEADER_KEYS = {"variantcode", "variant", "papervariant"}  # answers-<exam>-<id>.csv's variant_code
ID_HEADER_KEYS = {re.sub(r"[\s._\-]+", "", c).casefold() for c in ID_COLUMNS + EXTRA_ID_COLUMNS}


@dataclass
class GradeReport:
    run_id: int = 0
    graded: int = 0
    new_rows: int = 0
    files_seen_before: list = field(default_factory=list)
    unknown: list = field(default_factory=list)          # "file, row N: id 'x' is not on the roster"
    duplicates: list = field(default_factory=list)       # "id: rows ... ; using ..."
    missing_students: list = field(default_factory=list)
    missing_columns: list = field(default_factory=list)  # "file: no column Q3b"
    invalid: list = field(default_factory=list)          # "id Q2a: reason"
    wrong_paper: list = field(default_factory=list)      # a row whose variant code is another paper's
    to_mark: list = field(default_factory=list)          # "id Q9": an essay no override has marked yet
    notices: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)           # student -> (total with overrides, possible)
    scores: "Scores | None" = None                       # the run's scores, as grades.csv has them
    timings: dict = field(default_factory=dict)          # stage -> seconds (what bench/grade.py prints)

    @property
    def needs_attention(self) -> bool:
        return bool(self.unknown or self.duplicates or self.missing_students or self.missing_columns
                    or self.invalid or self.wrong_paper)

    def attention(self) -> list:
        """(what, the items) for each kind of thing worth a look, in the order a person checks them."""
        return [(label, items) for label, items in (
            ("already graded, not stored again", self.files_seen_before),
            ("unknown or empty student id", self.unknown),
            ("not this student's paper (not graded)", self.wrong_paper),
            ("several submissions", self.duplicates),
            ("missing column", self.missing_columns),
            ("no submission", self.missing_students),
            ("invalid answer", self.invalid),
            ("essay to mark (quizgen override)", self.to_mark)) if items]


ATTENTION_FILE = "needs-attention.txt"


def write_attention(build_dir, report: GradeReport) -> Path:
    """DIR/needs-attention.txt: everything of the run worth a look, one line each (the terminal
    shows the first few of each kind); says so when there is nothing."""
    lines = [f"run {report.run_id}"]
    for label, items in report.attention():
        lines += [f"{label}: {item}" for item in items]
    if len(lines) == 1:
        lines.append("nothing needs attention")
    path = Path(build_dir) / ATTENTION_FILE
    write_atomic(path, "\n".join(lines) + "\n")
    return path


def _id_column(table, roster: dict | None = None) -> str:
    """The column of student ids: of several that are named as one (``Student ID`` and
    ``student_id``, Canvas's ``ID`` and ``SIS User ID``), the one whose ids are on the roster, said
    in a notice; refused, naming them, when that does not decide."""
    order = [header_key(c) for c in ID_COLUMNS + EXTRA_ID_COLUMNS]
    candidates = sorted((h for h in table.header if header_key(h) in order), key=lambda h: order.index(header_key(h)))
    if len(candidates) == 1 or (candidates and roster is None):
        return candidates[0]
    if candidates:
        on_roster = {h: sum(1 for _, row in table.rows if normalise_id(unneutralise(row.get(h, "").strip())) in roster)
                     for h in candidates}
        best = max(on_roster.values())
        tied = [h for h in candidates if on_roster[h] == best]
        alike = [h for h in candidates if header_key(h) == header_key(candidates[0])]
        same_ids = all(len({normalise_id(unneutralise(row.get(h, "").strip())) for h in tied}) == 1
                       for _, row in table.rows)
        if len(tied) > 1 and len(alike) > 1 and set(alike) <= set(tied) and not same_ids:
            raise InputError(table.path, f"columns {alike[0]!r} and {alike[1]!r} both name the student id, and "
                                         f"{'neither holds' if not best else 'both hold as many'} ids on the roster: "
                                         f"delete the wrong one", row=table.header_row)
        chosen = tied[0]
        if chosen != candidates[0] or len(alike) > 1:
            others = ", ".join(f"{h!r} ({on_roster[h]})" for h in candidates if h != chosen)
            table.notices.append(f"{table.path}: the student ids are read from column {chosen!r}, whose ids are on "
                                 f"the roster in {best} of {len(table.rows)} rows; not from {others}")
        return chosen
    names = set(order)
    hint = ""
    later = next((n for n, row in table.rows[:20] if any(header_key(v) in names for v in row.values())), None)
    if later is not None:
        hint = f"; row {later} looks like the header: delete the rows above it"
    elif len(table.header) == 1:
        hint = " (was it saved with another delimiter?)"
    elif any(re.fullmatch(r"[\d\s.,;()\[\]+-]+", h) for h in table.header):
        hint = " (the first row looks like answers: is the header row missing?)"
    raise InputError(table.path, f"no student id column (student_id, id, username, ...); the header has "
                                 f"{', '.join(table.header)}{hint}", row=table.header_row)


@dataclass
class Incoming:
    """A submissions file read and checked, not stored yet."""

    path: Path
    table: object         # csvio.Table
    id_col: str
    missing: list         # answer columns it lacks
    column_of: list       # (header name, answer column) pairs
    digest: str           # sha256 of its bytes: a file stored before is not stored again
    time_col: str | None = None  # when each row was submitted (a form's or an LMS's Timestamp)
    variant_col: str | None = None  # the paper's variant code the student gave (the HTML paper saves it)


def read_submissions(paths, columns: list, students: int, roster: dict | None = None) -> list:
    """Read and check every file (before any is stored: a refused file, InputError, adds nothing):
    CSV, .xlsx and .ods files, the files of folders and of zip archives.
    ``roster`` (normalised id -> id) decides between two student id columns."""
    wanted = {header_key(c): c for c in columns}
    limit = submissions_limit(students, len(columns))
    reason = f" for {students} students x {len(columns)} answer blanks"
    incoming = []
    # files, folders and zip archives (an LMS's "download all submissions"), as the files they hold
    for given in submission_files(paths):
        path = Path(given.name) if given.data is not None else given.path
        table = read_table(path, max_bytes=limit, skip_bad_rows=True, max_reason=reason, data=given.data)
        id_col = _id_column(table, roster)
        by_key: dict = {}
        for h in table.header:
            if header_key(h) in by_key and header_key(h) in wanted:
                raise InputError(path, f"columns {by_key[header_key(h)]!r} and {h!r} are both answer "
                                       f"blank {wanted[header_key(h)]}", row=table.header_row)
            by_key.setdefault(header_key(h), h)
        missing = [c for k, c in wanted.items() if k not in by_key]
        foreign = [h for k, h in by_key.items() if re.fullmatch(r"q\d+[a-z]*", k) and k not in wanted]
        if len(missing) == len(wanted):
            raise InputError(path, f"none of the answer columns ({', '.join(columns[:4])}, ...) is in the "
                                   f"header; is this a submission file for this exam?", row=table.header_row)
        if missing and foreign:
            raise InputError(path, f"has answer columns {', '.join(foreign)} that this exam does not have, and "
                                   f"lacks {', '.join(missing)}: a submission file for another exam?",
                             row=table.header_row)
        if not table.rows and not table.bad_rows:
            raise InputError(path, "has a header but no rows (the blank answer sheet?)")
        answered = [h for h in table.header if header_key(h) in wanted]
        if table.rows and not any(row.get(h, "").strip() for _, row in table.rows for h in answered):
            raise InputError(path, f"has {len(table.rows)} rows but not one answer (the blank answer sheet?)")
        column_of = [(h, wanted[header_key(h)]) for h in table.header if header_key(h) in wanted]
        variant_col = next((h for h in table.header if header_key(h) in VARIANT_HEADER_KEYS), None)
        incoming.append(Incoming(Path(path), table, id_col, missing, column_of, hashlib.sha256(table.raw).hexdigest(),
                                 timestamp_column(table.header, header_key), variant_col))
    return incoming


@dataclass
class NewSource:
    """A file the gradebook does not have yet, with the ids it and its rows will be stored under."""

    incoming: Incoming
    source_id: int
    rows: list  # (submission id, row number, student id as typed, normalised, cells: column -> text, maybe
                #  with the file's other columns too)


def plan_ingest(gradebook, incoming: list, roster: dict, report: GradeReport,
                variant_codes: dict | None = None) -> tuple[list, tuple]:
    """The files to store (those the gradebook lacks) with their ids, and the gradebook's last
    ids they number on from; notes unknown ids and missing columns. A bad row is reported and
    left out: it never stops the batch. ``variant_codes`` (roster id -> the code printed on that
    student's paper): a row that gives another paper's code is reported and not graded."""
    base = gradebook.last_ids()
    source_id, submission_id = base
    ids = RosterIds(roster)
    digests, new = set(), []
    ungraded = gradebook.stored_ungraded()
    for inc in incoming:
        path, table = inc.path, inc.table
        report.notices.extend(table.notices)
        if inc.missing:
            report.missing_columns.append(f"{path}: no column {', '.join(inc.missing)} (graded as blank)")
        stored = gradebook.source_with(inc.digest) is not None
        if inc.digest in digests or (stored and inc.digest not in ungraded):
            report.files_seen_before.append(str(path))
            continue
        digests.add(inc.digest)
        report.invalid.extend(f"{error}; the row is not graded" for error in table.bad_rows)
        if stored:  # stored by a run killed before it recorded itself: graded now (its rows are stored), and
            report.notices.append(f"{path}: stored by a run that did not finish; graded now")  # reported below
        else:
            source_id += 1
        rows, unpadded = [], None
        answer_of = {h: column for h, column in inc.column_of}
        # a header that names the answer columns as the exam does lets each row stand for its cells
        as_named = all(h == column for h, column in inc.column_of)
        times = None
        if inc.time_col:
            times, order = parse_times([row.get(inc.time_col, "") for _, row in table.rows])
            if order == "day first":
                report.notices.append(f"{path}: column {inc.time_col!r} is read day first (a day above 12 is in it)")
        for k, (number, row) in enumerate(table.rows):
            raw_id = row.get(inc.id_col, "").strip()
            student = normalise_id(raw_id)
            typed_code = row.get(inc.variant_col, "").strip().upper() if inc.variant_col and variant_codes else ""
            owner = ids.match(student).student if typed_code and raw_id else None
            if owner is not None and typed_code != variant_codes.get(owner, typed_code):
                # answers to another paper's numbers: crediting them against this student's key would
                # be a silent wrong grade either way
                report.wrong_paper.append(f"{path}, row {number}: variant code {typed_code} is not the paper of "
                                          f"student {owner} (variant {variant_codes[owner]}); the row is not graded")
                continue
            if not stored:
                submission_id += 1
                cells = row if as_named else {column: row[h] for h, column in inc.column_of}
                if times is not None:
                    cells[TIME_KEY] = times[k] or ""
                rows.append((submission_id, number, raw_id, student, cells))
            if number in table.short_rows:
                lost = [answer_of[h] for h in table.header[table.short_rows[number]:] if h in answer_of]
                if lost:
                    report.missing_columns.append(
                        f"{path}, row {number}: only {table.short_rows[number]} of {len(table.header)} "
                        f"cells (cut short?); {', '.join(lost)} graded as blank")
            if not raw_id:
                report.unknown.append(f"{path}, row {number}: the student id is empty")
                continue
            match = ids.match(student)
            if match.note:
                report.notices.append(f"{path}, row {number}: {match.note}")
            if match.problem:
                report.unknown.append(f"{path}, row {number}: {match.problem}")
            elif match.student is None:
                if unpadded is None:
                    unpadded = {k.lstrip("0"): v for k, v in roster.items() if k.isdigit()}
                zeros = unpadded.get(student.lstrip("0")) if raw_id.isdigit() else None
                again = " (the header row again? files joined together?)" if header_key(raw_id) in ID_HEADER_KEYS \
                    else ""
                report.unknown.append(f"{path}, row {number}: student id {raw_id!r} is not on the roster"
                                      + (f" (lost its leading zeros? the roster has {zeros!r})" if zeros else "")
                                      + again)
        if not stored:
            new.append(NewSource(inc, source_id, rows))
    report.new_rows = sum(len(src.rows) for src in new)
    return new, base


def roster_of(students: list) -> dict:
    """Normalised id -> roster id, of a key's [(id, name)]."""
    return {normalise_id(sid): sid for sid, _ in students}


def refuse_another_manifest(book, digest: str) -> None:
    """A gradebook holds answers given to the papers of one manifest: refuse to grade them against
    another (an exam rebuilt over the folder, a manifest edited since)."""
    others = [d for d in book.manifests_graded() if d != digest]
    if others:
        raise InputError(book.path, f"was graded against another manifest.json (sha256 {others[0][:12]}...), not "
                                    f"this folder's ({digest[:12]}...): its answers were given to other papers. Was "
                                    f"the exam rebuilt over the folder? Grade in the folder the papers were built in "
                                    f"(`quizgen build --force` moves a graded folder's gradebook aside)")


def store_submissions(gradebook, exam_id: str, manifest_sha256: str, new: list, base: tuple) -> None:
    """The exam and the new files with their rows, in one transaction (the caller's, when it holds
    one: grading stores the files and records their run in one), under the ids planned."""
    with gradebook.transaction() as db:
        if gradebook.last_ids() != base:
            raise InputError(gradebook.path, "another quizgen stored submissions in this gradebook while this one "
                                             "was grading; nothing of this run was kept: run it again")
        gradebook.record_exam(exam_id, manifest_sha256)
        for src in new:
            table = src.incoming.table
            gradebook.record_source(db, src.source_id, src.incoming.path.name, src.incoming.digest, table.encoding,
                                    table.delimiter, table.raw)
            gradebook.record_submissions(db, src.source_id, src.rows, [c for _, c in src.incoming.column_of]
                                         + ([TIME_KEY] if src.incoming.time_col else []))
            gradebook.enter(db, "source", src.source_id)


def effective_submissions(received: list, roster: dict, first: bool, report: GradeReport,
                          times_of=lambda ids: {}) -> dict:
    """Roster id -> the submission graded, as (submission id, source id, row number): the latest,
    or the first with ``first`` (every one stays in the gradebook). ``received`` lists every
    submission as (submission id, source id, row number, student id, file name), in the order
    received; ``times_of(submission ids)`` gives their submission times where their files had them
    (ISO text): the latest is the latest by time when every one of a student's submissions has one,
    else the last received. The duplicates report says which rule decided."""
    ids = RosterIds(roster)
    rows_of: dict = {}
    for row in received:
        student = ids.match(row[3]).student
        if student is not None:
            rows_of.setdefault(student, []).append(row)
    several = [row[0] for rows in rows_of.values() if len(rows) > 1 for row in rows]
    times = times_of(several) if several else {}
    chosen: dict = {}
    for student, rows in rows_of.items():
        rule = ("the first" if first else "the latest") + ", as received: no submission time column"
        if len(rows) > 1 and all(times.get(r[0]) for r in rows):
            # a stable sort: submissions of the same time stay in the order received
            rows = sorted(rows, key=lambda r: times[r[0]])
            rule = "the first by its time" if first else "the latest by its time"
        elif len(rows) > 1 and any(times.get(r[0]) for r in rows):
            rule = rule.replace("no submission time column", "not every one has a time that can be read")
        pick = rows[0] if first else rows[-1]
        chosen[student] = tuple(pick[:3])
        if len(rows) > 1:
            where = ", ".join(f"{r[4]} row {r[2]}" + (f" at {times[r[0]]}" if times.get(r[0]) else "") for r in rows)
            report.duplicates.append(f"{student}: {len(rows)} submissions ({where}); graded "
                                     f"{pick[4]} row {pick[2]} ({rule})")
    return chosen


def recomputed_variant(template, variant: Variant) -> Variant:
    """The frozen params re-solved with the current template (after a template fix)."""
    fresh = template.freeze_variant(thaw(variant.params), variant.seed)
    return Variant.from_json(fresh.to_json() | {"choices": variant.choices})


def grade_one_by_one(students: list, bank, cells: list, ecf: bool = True, recompute: bool = False) -> dict:
    """column -> ColumnGrades, grading each student's frozen variants in turn with ``grade``.

    The plain way, kept for ``regrade --recompute`` (the variants are re-solved first) and as
    the yardstick :mod:`quizgen.grade.columns` is tested against.
    """
    columns = [p["column"] for q in students[0]["questions"] for p in q["parts"]]
    grades = {c: ColumnGrades.empty(len(students)) for c in columns}
    for i, student in enumerate(students):
        for data in student["questions"]:
            question = question_from_json(bank, data)
            variant = recomputed_variant(question.template, question.variant) if recompute else question.variant
            mine = cells[i] or {}
            responses = {p.name: mine.get(c, "") for p, c in zip(question.template.parts, question.columns)}
            result = grade(question.template, variant, responses, ecf=ecf,
                           credit={p.name: rule for p, rule in zip(question.template.parts, question.credit)})
            for part, column, points in zip(result.parts, question.columns, question.points):
                g = grades[column]
                g.points[i] = points
                if cells[i] is None:
                    continue  # missing, as initialised
                g.status[i] = CODE[part.status]
                g.credit[i] = part.credit
                g.response[i] = part.response
                g.mistake[i] = part.mistake
                g.feedback[i] = part.feedback
    return grades


@dataclass
class GradedSlice:
    """What a run keeps of students lo..hi-1's grades: the gradebook rows and grades.csv's matrices."""

    rows: list                # the ``result`` rows (see :mod:`quizgen.grade.gradebook`)
    statuses: np.ndarray      # (students, columns) status letters as bytes
    scores: "Scores"          # the students' scores, overrides applied, as grades.csv has them
    invalid: list             # "student column: why it cannot be read"
    grades_csv: str           # the students' rows of grades.csv, overrides applied (CSV text)

    @classmethod
    def join(cls, slices: list) -> "GradedSlice":
        return cls([r for s in slices for r in s.rows], np.concatenate([s.statuses for s in slices]),
                   Scores.join([s.scores for s in slices]),
                   [x for s in slices for x in s.invalid], "".join(s.grades_csv for s in slices))


_LETTERS = np.frombuffer("".join(STATUS_LETTERS[s] for s in STATUSES).encode(), dtype=np.uint8)


def summarise(key, submission_ids: list, overrides: dict, grades: dict, lo: int = 0,
              hi: int | None = None, hand_marked: tuple = ()) -> GradedSlice:
    """Pack students lo..hi-1's grades (indexed from 0 in ``grades``) for the gradebook, and write
    their rows of grades.csv with ``overrides`` (student's place -> [(column's position, score)]);
    ``hand_marked``: the columns a person marks (grades.csv then counts the essays to mark).

    Runs where the grading ran (a worker process), so the packing is parallel too.
    """
    hi = len(key.students) if hi is None else hi
    students, submission_ids, columns = key.students[lo:hi], submission_ids[lo:hi], key.columns
    statuses = _LETTERS[np.stack([grades[c].status for c in columns], axis=1)]
    status_text = statuses.tobytes().decode("ascii")
    width = len(columns)
    credits = np.stack([grades[c].credit for c in columns], axis=1)
    points = np.stack([grades[c].points for c in columns], axis=1)
    credit_text = {float(v): json.dumps(float(v)) for v in np.unique(credits)}  # a few values: 0, 1, ECF's
    notes: dict = {}
    invalid = []
    for c in columns:
        g = grades[c]
        for i in np.flatnonzero(~np.isin(g.status, (CORRECT, BLANK, MISSING))).tolist():
            notes.setdefault(i, {})[c] = [g.mistake[i], g.feedback[i]]
            if g.status[i] == INVALID:
                invalid.append(f"{students[i][0]} {c}: {g.feedback[i]}")
    dumps = json.dumps
    points_text: dict = {}
    rows = []
    by_student = zip(students, submission_ids, points.tolist(), credits.tolist(),
                     zip(*(grades[c].response for c in columns)))  # columns to rows, in C
    for i, ((student_id, _), submission, p, credit, response) in enumerate(by_student):
        same = tuple(p)
        rows.append((student_id, submission, status_text[i * width:(i + 1) * width],
                     "[" + ",".join(map(credit_text.__getitem__, credit)) + "]",
                     points_text.get(same) or points_text.setdefault(same, dumps(p)),
                     to_json(response), to_json(notes.get(i, {}))))
    final, overridden = credits * points, np.zeros((hi - lo, width), bool)
    for i in range(lo, hi):
        for k, score in overrides.get(i, ()):
            final[i - lo, k] = score
            overridden[i - lo, k] = True
    scores = scores_of(key, columns, statuses, final, overridden)
    text = csv_text(None, grades_rows(key, scores, lo, bool(hand_marked)), safe=False)
    return GradedSlice(rows, statuses, scores, invalid, text)


def run_grading(build_dir, kind: str, first: bool = False, ecf: bool = True, recompute: bool = False,
                paths=(), banks=(), feedback=("html",), quiet: bool = False, jobs: int = 1,
                secret_file=None) -> GradeReport:
    """A grading run (see :func:`grade_build`). ``banks``: the instructor's question-bank folders
    (never those the manifest names); ``secret_file``: the exam secret, to prove the manifest is the
    build's (without it, what can be checked without it is: :class:`BuildDir`)."""
    from quizgen.papers.render import parse_formats
    from quizgen.papers.spec import load_secret

    feedback = parse_formats(feedback)  # an unknown format is refused before anything is graded
    remove_leftovers(build_dir)  # what a killed run left half-written (grades.csv, needs-attention.txt)
    with without_cycle_collection(), BuildDir(build_dir, banks) as build:
        if secret_file is not None:
            build.authenticate(load_secret(secret_file, build_dir))
        report = _run_grading(build, kind, first, ecf, recompute, paths, quiet, jobs)
    if feedback:  # pages are laid out with the cycle collector on: WeasyPrint's boxes are full of cycles
        start = time.perf_counter()
        feedback_pages(build_dir, feedback, banks, jobs, quiet)
        report.timings["write feedback pages"] = time.perf_counter() - start
    return report


def feedback_pages(build_dir, formats=("html",), banks=(), jobs: int = 1, quiet: bool = False) -> int:
    """Every student's feedback pages from the latest run (DIR/feedback/ID.html, .pdf); returns
    how many students have pages. Raises ValueError on an unknown format."""
    from quizgen.papers.render import parse_formats
    from quizgen.grade.feedback import write_feedback

    formats = parse_formats(formats)

    build = BuildDir(build_dir, banks)
    bank = build.bank()
    with graded_gradebook(build_dir, reading=True) as book:
        return write_feedback(build, book, bank, formats=formats, jobs=jobs, quiet=quiet)


def _run_grading(build: BuildDir, kind, first, ecf, recompute, paths, quiet, jobs) -> GradeReport:
    build_dir = build.path
    clock = time.perf_counter()
    report = GradeReport()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.timings[stage] = report.timings.get(stage, 0.0) + now - clock
        clock = now

    on_disk = build.key_on_disk()
    with ThreadPoolExecutor(1) as hashing:
        # while the files are read: the manifest hashed (if it must be) and the key's contents (checked
        # against the manifest's record of them)
        pending = hashing.submit(lambda: (build.key_contents_sha256(), build.digest())[1])
        try:
            incoming = read_submissions(paths, on_disk.columns, len(on_disk.students), roster_of(on_disk.students)) \
                if on_disk else None
        except InputError:
            incoming = None  # said below, if the key on disk turns out to be the manifest's
        key = build.key(pending.result)
        digest = pending.result()
    if incoming is None or key is not on_disk:  # read against the key that is current (its class size
        incoming = read_submissions(paths, key.columns, len(key.students),  # sets what file is too large)
                                    roster_of(key.students))
    bank = build.bank()
    report.notices += build.notices  # a key remade, a template changed since the build
    students = build.students()
    roster = roster_of(students)
    lap("load the key and read the files")
    with open_gradebook(build_dir) as book:
        refuse_another_manifest(book, digest)
        codes = build.variant_codes() if any(inc.variant_col for inc in incoming) else None
        new, base = plan_ingest(book, incoming, roster, report, codes)
        received = book.received() + [(sub_id, src.source_id, number, student, src.incoming.path.name)
                                       for src in new for sub_id, number, _, student, _ in src.rows]
        fresh_times = {sub_id: cells.get(TIME_KEY) for src in new for sub_id, _, _, _, cells in src.rows}

        def times_of(ids: list) -> dict:
            stored = book.cells(i for i in ids if i not in fresh_times)
            return {i: fresh_times[i] if i in fresh_times else stored[i].get(TIME_KEY) for i in ids}

        chosen = effective_submissions(received, roster, first, report, times_of)
        fresh = {(src.source_id, number): cells for src in new for _, number, _, _, cells in src.rows}
        older = book.cells(sub_id for sub_id, *where in chosen.values() if tuple(where) not in fresh)
        cells = [(fresh[chosen[sid][1:]] if chosen[sid][1:] in fresh else older[chosen[sid][0]])
                 if sid in chosen else None for sid, _ in students]
        submission_ids = [chosen[sid][0] if sid in chosen else None for sid, _ in students]
        lap("choose the submissions")
        overrides: dict = {}  # grades.csv's rows are written where each slice is graded
        for i, k, score in book.overrides_at({sid: i for i, (sid, _) in enumerate(students)}, key.columns):
            overrides.setdefault(i, []).append((k, score))
        hand_marked = hand_marked_columns(key, bank)
        finish = functools.partial(summarise, key, submission_ids, overrides, hand_marked=hand_marked)
        settings = {"first": first, "ecf": ecf, "recompute": recompute, "files": [str(p) for p in paths]}
        if hand_marked:  # grades.csv, written again after each override, counts the essays to mark
            settings["hand_marked"] = hand_marked
        with progress(range(len(students)), "grading", quiet, length=len(students)) as bar, \
                _graded_slices(build, bank, cells, ecf, recompute, jobs, finish) as slices:
            # the workers grade while the submissions are stored and each slice is recorded as it comes;
            # the files and their run are all there or not at all (a file stored is a file graded)
            parts = []
            with book.transaction() as db:
                store_submissions(book, key.exam_id, digest, new, base)
                lap("store the submissions")
                run_id = book.start_run(db, kind, digest, settings, key.columns)
                for lo, hi, part in slices:
                    book.record_results(db, run_id, part.rows)
                    parts.append(part)
                    if hasattr(bar, "update"):
                        bar.update(hi - lo)
                book.enter(db, "run", run_id)
        graded = GradedSlice.join(parts)
        lap("grade and record the run")
        report.run_id = run_id
        report.graded = len(chosen)
        report.missing_students = [sid for sid, _ in students if sid not in chosen]
        report.invalid += graded.invalid
        report.to_mark = [f"{students[i][0]} {key.columns[k]}" for i, k in zip(*np.nonzero(graded.scores.waiting))]
        report.scores = graded.scores
        report.totals = {sid: (total, graded.scores.possible)
                         for (sid, _), total in zip(students, graded.scores.totals.tolist())}
        write_grades_csv(build_dir, key, book, graded, hand_marked=hand_marked)
        write_attention(build_dir, report)
        lap("write grades.csv")
    return report


@contextmanager
def _graded_slices(build: BuildDir, bank, cells, ecf, recompute, jobs, finish):
    """The class graded, as :func:`quizgen.grade.columns.grade_slices` gives it (``--recompute``: one
    slice, each student's variants re-solved and graded one by one)."""
    key = build.key()
    if recompute:
        yield iter([(0, len(key.students),
                     finish(grade_one_by_one(build.manifest()["students"], bank, cells, ecf=ecf, recompute=True)))])
        return
    with grade_slices(key, bank, cells, ecf=ecf, question_record=build.for_carrying, jobs=jobs,
                      finish=finish) as slices:
        yield slices


def grade_build(build_dir, paths, first: bool = False, ecf: bool = True, banks=(),
                feedback=("html",), quiet: bool = False, jobs: int = 1, secret_file=None) -> GradeReport:
    if not paths:
        raise InputError(build_dir, "give at least one submissions CSV")
    return run_grading(build_dir, "grade", first=first, ecf=ecf, paths=paths, banks=banks, feedback=feedback,
                       quiet=quiet, jobs=jobs, secret_file=secret_file)


def regrade(build_dir, recompute: bool = False, first: bool = False, banks=(), feedback=("html",),
            quiet: bool = False, jobs: int = 1, secret_file=None) -> tuple:
    """A new run over every stored submission; returns the report and per-student score changes."""
    with graded_gradebook(build_dir, reading=True) as book, BuildDir(build_dir, banks) as build:
        refuse_another_manifest(book, build.digest())
        before = run_totals(build.key(), book, book.latest_run()["id"])
    report = run_grading(build_dir, "regrade", first=first, recompute=recompute, banks=banks, feedback=feedback,
                         quiet=quiet, jobs=jobs, secret_file=secret_file)
    after = {student: total for student, (total, _) in report.totals.items()}
    changes = {s: (before.get(s, 0.0), after[s]) for s in after if after[s] != before.get(s, 0.0)}
    return report, changes


def run_totals(key, book, run_id: int) -> dict:
    """Student -> total of a stored run, overrides applied, as grades.csv has it."""
    scores = run_scores(key, book, run_id)
    return dict(zip((sid for sid, _ in key.students), scores.totals.tolist()))


def override(build_dir, student: str, column: str, score: float, reason: str) -> None:
    key = BuildDir(build_dir).key()
    ids = {normalise_id(sid): k for k, (sid, _) in enumerate(key.students)}
    found = ids.get(normalise_id(unneutralise(student)))  # '-rf as grades.csv shows -rf (and click takes it)
    if found is None:
        raise InputError(Path(build_dir) / MANIFEST, f"no student {student!r} in this exam")
    points = key.points_of(found)
    if column not in points:
        raise InputError(Path(build_dir) / MANIFEST, f"no answer blank {column!r}; blanks are "
                                                     f"{', '.join(points)}")
    if not 0 <= score <= points[column]:
        raise InputError(Path(build_dir) / MANIFEST, f"{column} is worth {points[column]:g} points; "
                                                     f"{score:g} is out of range")
    if not reason.strip():
        raise InputError(Path(build_dir) / MANIFEST, "an override needs a reason")
    with open_gradebook(build_dir) as book:
        book.add_override(key.students[found][0], column, score, reason.strip())
        if book.latest_run():
            write_grades_csv(build_dir, key, book)


def hand_marked_columns(key, bank) -> list:
    """The answer columns a person marks (an essay's) for some student of ``key``."""
    return [c for c in key.columns if any(g.column == c and bank.get(g.template_id).part(g.part).kind.graded_by_hand
                                          for g in key.groups)]


ESSAYS_COLUMN = "essays to mark"


def grades_layout(key, columns: list, essays: bool = False) -> tuple:
    """grades.csv's questions (number -> positions of its columns in the run), header and
    Points Possible row; with ``essays`` (the exam has parts a person marks) a last column counts
    each student's essays still to mark."""
    questions: dict = {}
    for k, c in enumerate(columns):
        questions.setdefault(key.question_of[c], []).append(k)
    questions = dict(sorted(questions.items()))
    first = key.points_of(0)
    possible = [sum(first[columns[k]] for k in ks) for ks in questions.values()]
    header = ["student_id", "name"] + [f"Q{q}" for q in questions] + ["total", "percent", "status"]
    points_row = ["Points Possible", ""] + [round(p, 4) for p in possible] + [round(sum(possible), 4), 100, ""]
    if essays:
        header.append(ESSAYS_COLUMN)
        points_row.append("")
    return questions, header, points_row


SCORE_DECIMALS = 4  # a score is rounded once, when written; exact points (quarters, hundredths) need 2


@dataclass
class Scores:
    """Students' scores as grades.csv, the terminal's summary, regrade and the report all give them
    (:func:`scores_of` makes them, one way for all): each question's score and each total is the sum
    of the part scores (overrides applied), rounded once, at the end, to ``SCORE_DECIMALS``."""

    questions: dict           # question number -> positions of its columns in the run
    per_question: np.ndarray  # (students, questions)
    totals: np.ndarray        # (students,)
    submitted: np.ndarray     # (students,) bool: the student has a submission in the run
    invalid: np.ndarray       # (students,) bool: some answer could not be read
    overridden: np.ndarray    # (students,) bool: some part's score was set by hand
    possible: float           # the points of the whole exam
    waiting: np.ndarray       # (students, columns) bool: an essay no override has marked yet
    unmarked: np.ndarray      # (students, questions) bool: the question holds such an essay

    _PER_STUDENT = ("per_question", "totals", "submitted", "invalid", "overridden", "waiting", "unmarked")

    @classmethod
    def join(cls, parts: list) -> "Scores":
        first = parts[0]
        joined = {name: np.concatenate([getattr(p, name) for p in parts]) for name in cls._PER_STUDENT}
        return cls(first.questions, possible=first.possible, **joined)

    @property
    def to_mark(self) -> np.ndarray:
        """(students,) how many essays each student has still to be marked: their totals are provisional."""
        return self.waiting.sum(axis=1)

    def submitted_totals(self) -> np.ndarray:
        return self.totals[self.submitted]

    def mean(self) -> float | None:
        """The mean total of the students with a submission (those without are not averaged in as 0),
        to ``SCORE_DECIMALS``: what the terminal prints and the report shows."""
        totals = self.submitted_totals()
        return round(float(totals.mean()), SCORE_DECIMALS) if len(totals) else None

    def median(self) -> float | None:
        totals = self.submitted_totals()
        return round(float(np.median(totals)), SCORE_DECIMALS) if len(totals) else None


def score_text(value: float) -> str:
    """A score as written for people: to ``SCORE_DECIMALS`` at most, no trailing zeros (26.5, 38, 26.7722)."""
    return f"{value:.{SCORE_DECIMALS}f}".rstrip("0").rstrip(".")


def scores_of(key, columns: list, statuses: np.ndarray, earned: np.ndarray, overridden: np.ndarray) -> Scores:
    """:class:`Scores` from a run's matrices (a row per student, a column per answer blank of
    ``columns``): status letters, points earned with the overrides applied, and which blanks an
    override set."""
    questions, _, points_row = grades_layout(key, columns)
    per_question = np.round(np.stack([earned[:, ks].sum(axis=1) for ks in questions.values()], axis=1)
                            if questions else np.zeros((len(earned), 0)), SCORE_DECIMALS)
    totals = np.round(earned.sum(axis=1), SCORE_DECIMALS)
    submitted = ~(statuses == ord("m")).all(axis=1) if len(columns) else np.zeros(len(totals), bool)
    invalid = (statuses == ord("i")).any(axis=1)
    overridden = np.asarray(overridden, bool)
    waiting = (statuses == ord(STATUS_LETTERS["to_mark"])) & ~overridden
    unmarked = (np.stack([waiting[:, ks].any(axis=1) for ks in questions.values()], axis=1)
                if questions else np.zeros((len(earned), 0), bool))
    return Scores(questions, per_question, totals, submitted, invalid, overridden.any(axis=1), points_row[-3],
                  waiting, unmarked)


def run_scores(key, book, run_id: int) -> Scores:
    """A stored run's :class:`Scores`, overrides applied."""
    columns, statuses, earned, overridden = stored_matrices(key, book, run_id)
    return scores_of(key, columns, statuses, earned, overridden)


def grades_rows(key, scores: Scores, lo: int = 0, essays: bool = False) -> list:
    """grades.csv's rows of students lo, lo+1, ... of ``key``: each question's score, the total, the
    percentage and notes. The roster's text is neutralised for spreadsheets here.

    An essay no override has marked yet (status to_mark) leaves its question's cell empty, not 0
    (an LMS import leaves an empty cell ungraded); the total and percent are then of what is marked,
    and the status says they are provisional (with ``essays``, a last column counts them)."""
    total_possible = scores.possible
    totals = scores.totals
    percent = np.round(100 * totals / total_possible, 2) if total_possible else np.zeros(len(totals))
    rows = []
    for (student_id, name), marks, total, pct, bad, submitted, hand, blank, waits in zip(
            key.students[lo:lo + len(totals)], scores.per_question.tolist(), totals.tolist(), percent.tolist(),
            scores.invalid.tolist(), scores.submitted.tolist(), scores.overridden.tolist(),
            scores.unmarked.tolist(), scores.to_mark.tolist()):
        pending = f"{waits} essay{'s' if waits > 1 else ''} to mark: total provisional"
        notes = "; ".join(n for n, on in (("invalid answers", bad), ("no submission", not submitted),
                                          (pending, waits), ("override", hand)) if on) or "graded"
        if waits:  # an essay no override has marked: its question's cell is empty, not 0
            marks = ["" if empty else mark for mark, empty in zip(marks, blank)]
        rows.append([neutralise(student_id), neutralise(name)] + marks + [total, pct, notes]
                    + ([waits] if essays else []))
    return rows


def stored_matrices(key, book, run_id: int) -> tuple:
    """A stored run as (columns, status letters, points earned, overridden blanks): see :func:`scores_of`."""
    columns, earned = book.earned(run_id)
    n, width = len(key.students), len(columns)
    statuses = np.full((n, width), ord("m"), np.uint8)
    points = np.zeros((n, width))
    overridden = np.zeros((n, width), bool)
    for i, (student_id, _) in enumerate(key.students):
        if student_id in earned:
            letters, values, hand = earned[student_id]
            statuses[i] = np.frombuffer(letters.encode("ascii"), np.uint8)
            points[i] = values
            overridden[i] = [c in hand for c in columns]
    return columns, statuses, points, overridden


def write_grades_csv(build_dir, key, book, graded: GradedSlice | None = None, hand_marked=None) -> Path:
    """grades.csv from the latest run (``graded``, when it was just graded, brings its rows) and the
    overrides: what an LMS gradebook import takes. Its text cells are neutralised where made.
    ``hand_marked``: the columns a person marks (default: as the latest run recorded them)."""
    if hand_marked is None:
        hand_marked = json.loads(book.latest_run()["settings"]).get("hand_marked", [])
    essays = bool(hand_marked)
    if graded is not None:
        _, header, points_row = grades_layout(key, key.columns, essays)
        text = csv_text(header, [points_row], safe=False) + graded.grades_csv
    else:
        columns, statuses, earned, overridden = stored_matrices(key, book, book.latest_run()["id"])
        _, header, points_row = grades_layout(key, columns, essays)
        text = csv_text(header, [points_row] + grades_rows(key, scores_of(key, columns, statuses, earned, overridden),
                                                            essays=essays), safe=False)
    path = Path(build_dir) / "grades.csv"
    write_atomic(path, text)
    return path
