"""``quizgen build``: an exam spec and a roster become the build directory.

The build directory is the contract between building and grading (DESIGN.md)::

    manifest.json        spec, versions, hashes, every frozen variant (params, answers, steps),
                         one student per line
    grading-key.npz      the class's key in arrays, for grading (derived from the manifest)
    key.csv              one row per student, one column per answer blank
    key-intervals.csv    the same header: the answers each blank accepts ("18.4629 to 18.4639")
    answer-sheet.csv     the same header, answers empty: what students fill in
    exams/<id>.html|pdf  each student's paper
    all-exams.pdf        the whole class in roster order, to print (a class file is never in a folder
                         of students' files, where a student with the id "all" would overwrite it)
    solutions/<id>.html|pdf  each student's worked solutions (PDF only when asked: ``solutions``)
    key.pdf              the instructor's key, one page per student

Every file is written atomically (a temporary file renamed into place), so an
interrupted build leaves complete files or none; the manifest is written
last, so a directory without one is visibly unfinished.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import logging
import os
import platform
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import quizgen
from quizgen.bank.loader import Bank, load_bank
from quizgen.bank.question import accepted_interval
from quizgen.errors import InputError
from quizgen.tables import csv_text
from quizgen.files import remove_leftovers, write_atomic
from quizgen.builddir import BuildDir
from quizgen.builddir.manifest import file_sha256
from quizgen.papers.exam import StudentExam, answer_columns, plan_exam, question_from_json, student_exam
from quizgen.papers.render import FORMATS, parse_formats
from quizgen.papers.spec import (ExamSpec, load_or_create_secret, load_roster, load_spec, logo_data_uri, page_meta,
                                 secret_fingerprint)
from quizgen.workers import forked_map


@dataclass
class BuildReport:
    out: Path
    students: int = 0
    questions: int = 0
    files: dict = field(default_factory=dict)   # relative path -> sha256
    solutions: tuple = ()                        # the formats the worked solutions were written in
    notices: list = field(default_factory=list)
    secret_created: Path | None = None


def exam_meta(spec: ExamSpec) -> dict:
    """The pages' data (spec.page_meta), the logo read now."""
    return page_meta(spec, logo_data_uri(spec.printing))


def bank_hash(bank: Bank) -> str:
    """sha256 over every template file the build could draw from (which version of the bank)."""
    digest = hashlib.sha256()
    for path in sorted({t.path for t in bank.templates.values() if t.path}):
        digest.update(str(Path(path).name).encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


CLASS_PRINT_FILE = "all-exams.pdf"
# what grading made of an earlier build: answers given to its papers, scores against its key. A
# rebuild over it must not pair them with the new key, so they move aside together
GRADED_FILES = ("gradebook.sqlite", "gradebook.sqlite-wal", "gradebook.sqlite-shm", "gradebook.sqlite-journal",
                "manifest.json", "grading-key.npz", "key.csv", "key-intervals.csv", "grades.csv",
                "needs-attention.txt", "report.html", "report.json", "feedback")
GRADED_ASIDE = "graded-before-rebuild-"


def check_out(out: Path, force: bool) -> None:
    """Refuse a build folder that is a file, or holds files, without ``force``."""
    if out.exists() and not out.is_dir():
        raise InputError(out, "exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not force:
        raise InputError(out, "is not empty; add --force to write into it (files there with the same "
                              "names are replaced)")


def prepare_out(out: Path, force: bool) -> str | None:
    """Make the build folder; with ``force`` over a graded build, move what grading made aside
    with the manifest it was graded against, and return a notice saying where."""
    check_out(out, force)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / GRADED_FILES[0]).exists():
        return None
    aside = out / (GRADED_ASIDE + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ"))
    aside.mkdir()
    moved = [name for name in GRADED_FILES if (out / name).exists()]
    for name in moved:
        os.replace(out / name, aside / name)
    return (f"{out} had been graded: its gradebook, with the manifest and grades it belongs to "
            f"({', '.join(moved)}), moved to {aside}/ (the new papers get a new key; nothing was deleted)")


def _blank_table(exams: list, cell) -> tuple[list, list]:
    """A class table with a column per answer blank (key.csv's layout): ``cell(part, variant)`` of
    every blank of every student's paper."""
    header = ["student_id", "name"] + answer_columns(exams)
    rows = [[exam.student.id, exam.student.name]
            + [cell(part, q.variant) for q in exam.questions for part in q.template.parts] for exam in exams]
    return header, rows


def _interval_cell(part, variant) -> str:
    interval = None if part.name in variant.choices else accepted_interval(part, variant)
    return part.kind.interval_text(interval) if interval is not None else ""


def _key_cell(part, variant) -> str:
    choice = variant.choices.get(part.name)
    if choice:
        return choice["key"]
    if part.kind.graded_by_hand:
        return ""
    return part.kind.format(part.kind.from_json(variant.answers[part.name]))


def interval_rows(exams: list) -> tuple[list, list]:
    """key-intervals.csv: for every blank, the answers accepted ("18.4629 to 18.4639", per entry for
    an array), as the part's kind writes its interval; empty for a blank compared exactly or by letter."""
    return _blank_table(exams, _interval_cell)


def key_rows(exams: list) -> tuple[list, list]:
    """key.csv: the key of every blank as a student would type it (a letter for choices)."""
    return _blank_table(exams, _key_cell)


def manifest_data(spec: ExamSpec, exams: list, bank: Bank, secret: bytes, roster_path: Path,
                  files: dict) -> dict:
    return {
        "format": 1,
        "exam_id": spec.exam_id,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": {"quizgen": quizgen.__version__, "numpy": np.__version__,
                     "python": platform.python_version(), "bank_sha256": bank_hash(bank)},
        "spec": {"path": str(spec.path.resolve()), "raw": spec.raw, "banks": list(spec.banks)},
        "roster": {"path": str(Path(roster_path).resolve()),
                   "students": [{"id": e.student.id, "name": e.student.name, "row": e.student.row,
                                 "extra": e.student.extra} for e in exams]},
        "secret_fingerprint": secret_fingerprint(secret),
        "columns": answer_columns(exams),
        "students": [{"id": e.student.id, "name": e.student.name, "variant_code": e.variant_code,
                      "total_points": e.total_points, "questions": [q.to_json() for q in e.questions]}
                     for e in exams],
        "files": files,
        # each template's file as the build used it: grading, with the instructor's banks, says when it differs
        "template_sha256": {t: file_sha256(bank.get(t).path) for t in
                            sorted({q.template.id for e in exams for q in e.questions}) if bank.get(t).path},
    }


# -- drawing and rendering, in worker processes ----------------------------------------------------

def draw_and_render(plan, students: list, secret: bytes, meta: dict, formats: tuple, solutions: tuple,
                    index: int) -> tuple:
    """Draw student ``index``'s exam and render its paper in ``formats`` and its worked solutions in
    ``solutions`` (in a worker process).

    Returns the questions in manifest form (plain data, cheap to send back) and
    {relative path: bytes}.
    """
    from quizgen.papers.render import MATH_CHARACTERS, render_html, render_pdf

    exam = student_exam(plan, students[index], secret)
    sid = exam.student.id
    out = {}
    for folder, mode, chosen in (("exams", "exam", formats), ("solutions", "solutions", solutions)):
        if "html" in chosen:
            out[f"{folder}/{sid}.html"] = render_html(meta, exam, mode, MATH_CHARACTERS).encode()
        if "pdf" in chosen:
            out[f"{folder}/{sid}.pdf"] = render_pdf(meta, exam, mode)
    return [q.to_json() for q in exam.questions], out


def draw_and_render_all(out: Path, plan, students: list, secret: bytes, bank: Bank, meta: dict,
                        formats: tuple, solutions: tuple, jobs: int, quiet: bool, files: dict,
                        meanwhile=None) -> list:
    """Every student's exam, drawn and rendered in ``jobs`` processes; files written as they come.
    ``meanwhile()``, if given, runs here while the workers render (before the first file is written)."""
    from quizgen.papers.render import prepare_for_workers

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    prepare_for_workers(formats + solutions)
    task = functools.partial(draw_and_render, plan, students, secret, meta, formats, solutions)
    questions = []
    # the objects made so far are left out of the workers' garbage collections (gc.freeze: each
    # collection after a page no longer walks the bank and the plan); the workers are forked on entry
    gc.collect()
    gc.freeze()
    try:
        with forked_map(task, range(len(students)), jobs, chunksize=4, quiet=quiet,
                        label=f"building {'+'.join(formats) or 'keys'}") as drawn:
            gc.unfreeze()
            if meanwhile is not None:
                meanwhile()
            for qs, produced in drawn:
                questions.append(qs)
                for rel, data in produced.items():
                    write_atomic(out / rel, data)
                    files[rel] = hashlib.sha256(data).hexdigest()
    finally:
        gc.unfreeze()
    return [StudentExam(student, [question_from_json(bank, q) for q in qs])
            for student, qs in zip(students, questions)]


def merge_pdfs(paths: list) -> bytes:
    """One PDF of many (the class's papers in print order)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for path in paths:
        writer.append(str(path))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def key_pdf(meta: dict, exams: list) -> bytes:
    from quizgen.papers.render import NO_INLINE_CSS, environment, key_html, print_pdf

    students = []
    for exam in exams:
        rows = []
        for q in exam.questions:
            for part, column, points in zip(q.template.parts, q.columns, q.points):
                key = key_html(part, q.variant, "print")
                rows.append({"column": column, "template": q.template.id, "points": points, "key": key})
        students.append({"student": exam.student, "variant_code": exam.variant_code, "rows": rows})
    html = environment().get_template("key.html.j2").render(
        exam=meta, students=students, duplex=meta["print"]["duplex"], **NO_INLINE_CSS)
    return print_pdf(html, meta)


def with_print_options(spec: ExamSpec, **options) -> ExamSpec:
    """The spec with the build command's print options (``paper``, ``duplex``, ``cover``; None keeps
    the spec's) applied, and recorded in the spec the manifest freezes."""
    chosen = {k: v for k, v in options.items() if v is not None}
    if chosen:
        spec.printing = dataclasses.replace(spec.printing, **chosen)
        spec.raw = spec.raw | {"print": spec.printing.to_json()}
    return spec


def solution_formats(formats: tuple, solutions=None) -> tuple:
    """The formats the worked solutions are written in: ``solutions`` if given, else the papers'
    HTML only. A PDF of the solutions costs more than the student's paper (a solutions PDF took
    0.9 s of one core against the paper's 0.55 s) and is read on screen, so it is written when asked."""
    if solutions is None:
        return tuple(f for f in formats if f != "pdf")
    return parse_formats(solutions)


def build(spec_path, roster_path, out, secret_file=None, formats=FORMATS, jobs: int = 1,
          force: bool = False, quiet: bool = False, banks=(), paper: str | None = None,
          duplex: bool | None = None, cover: bool | None = None, solutions=None) -> BuildReport:
    """Build the exam; raises InputError (naming the file and row) on bad input, ValueError on an
    unknown format. ``paper``, ``duplex`` and ``cover`` override the spec's [print] settings.
    ``solutions`` are the formats of the worked solutions (default: HTML if ``formats`` has it, no
    PDF; see solution_formats)."""
    formats = parse_formats(formats)
    solutions = solution_formats(formats, solutions)
    spec = with_print_options(load_spec(spec_path), paper=paper, duplex=duplex, cover=cover)
    students, notices = load_roster(roster_path)
    out = Path(out)
    secret_path = secret_file or spec.secret_file
    if not secret_path:
        raise InputError(spec.path, "no exam secret: give --secret-file PATH (kept outside the build "
                                    "directory; created on first use) or secret_file in the spec")
    bank = load_bank(tuple(spec.banks) + tuple(banks))
    report = BuildReport(out=out, notices=list(notices) + [f"template not loaded: {e}" for e in bank.errors])
    check_out(out, force)
    for folder in (out, out / "exams", out / "solutions"):
        remove_leftovers(folder)  # what a killed build left half-written
    secret, created = load_or_create_secret(secret_path, build_dir=out)
    if created:
        report.secret_created = Path(os.path.expanduser(str(secret_path)))
    plan = plan_exam(spec, bank, secret)  # a spec the bank cannot serve is refused before out is touched
    made = not out.exists()
    try:
        _build_into(out, force, spec, students, bank, secret, plan, formats, solutions, jobs, quiet, Path(roster_path),
                    report)
    except BaseException:
        if made:  # a build that failed leaves no folder it made (an old folder keeps its complete files)
            shutil.rmtree(out, ignore_errors=True)
        raise
    return report


def _build_into(out: Path, force: bool, spec: ExamSpec, students: list, bank: Bank, secret: bytes, plan,
                formats: tuple, solutions: tuple, jobs: int, quiet: bool, roster_path: Path,
                report: BuildReport) -> None:
    moved = prepare_out(out, force)
    if moved:
        report.notices.append(moved)
    meta = exam_meta(spec)
    files: dict = {}

    def write_key_pdf():
        # the key is laid out here while the workers render the papers (not alone after them): this
        # process draws the class's exams again for it (~15 ms a student), the same as the workers'
        data = key_pdf(meta, [student_exam(plan, student, secret) for student in students])
        write_atomic(out / "key.pdf", data)
        files["key.pdf"] = hashlib.sha256(data).hexdigest()

    exams = draw_and_render_all(out, plan, students, secret, bank, meta, formats, solutions, jobs, quiet, files,
                                meanwhile=write_key_pdf if "pdf" in formats else None)
    report.students, report.questions = len(exams), len(exams[0].questions)
    header, rows = key_rows(exams)
    for name, body in (("key.csv", csv_text(header, rows)), ("key-intervals.csv", csv_text(*interval_rows(exams))),
                       ("answer-sheet.csv", csv_text(header, [r[:2] + [""] * (len(r) - 2) for r in rows]))):
        data = body.encode("utf-8")
        write_atomic(out / name, data)
        files[name] = hashlib.sha256(data).hexdigest()
    if "pdf" in formats:
        merged = merge_pdfs([out / f"exams/{e.student.id}.pdf" for e in exams])
        write_atomic(out / CLASS_PRINT_FILE, merged)
        files[CLASS_PRINT_FILE] = hashlib.sha256(merged).hexdigest()
    manifest = manifest_data(spec, exams, bank, secret, Path(roster_path), dict(sorted(files.items())))
    BuildDir(out).write(manifest, bank, secret)
    report.files = files
    report.solutions = solutions
