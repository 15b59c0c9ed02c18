"""Per-student feedback pages after grading: their answer, the key, the mistake named, the solution.

Written to ``DIR/feedback/<id>.html`` (self-contained, MathML) and ``.pdf``
(WeasyPrint) from the latest run in the gradebook and the overrides. What a
student typed is shown as text: Jinja2 escapes it, so markup in an answer is
displayed, never run. The result's words are the template's (a named mistake,
with its math typeset) only for a wrong or carried-forward answer; a reason an
answer could not be read quotes the student, and an override's is a person's,
so both stay text.
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup, escape

from quizgen.build.builder import MATH_CHARACTERS, exam_meta_from_manifest
from quizgen.files import write_atomic
from quizgen.build.exam import question_from_json
from quizgen.build.richtext import math_html, to_html
from quizgen.bank.texts import render_solution, render_stem

STATUS_TEXT = {"correct": "correct", "ecf": "correct from your earlier answers", "wrong": "wrong",
               "invalid": "could not be read", "blank": "no answer", "missing": "no submission",
               "override": "set by hand"}


TEMPLATE_WORDS = ("wrong", "ecf")  # statuses whose feedback is the template's text (a mistake's, with $math$)


def student_context(bank, student: dict, results: dict, math: str) -> dict:
    questions, earned_total, possible_total = [], 0.0, 0.0
    for data in student["questions"]:
        question = question_from_json(bank, data)
        template, variant = question.template, question.variant
        parts, earned_q = [], 0.0
        for part, column, points in zip(template.parts, question.columns, question.points):
            row = results.get((student["id"], column))
            key_value = part.kind.from_json(variant.answers[part.name])
            choice = variant.choices.get(part.name)
            key = "graded by hand" if part.kind.graded_by_hand else math_html(part.kind.tex(key_value), math)
            if choice:
                key = f"{choice['key']}: {key}"
            status = row["status"] if row is not None else "missing"
            earned = row["earned"] if row is not None else 0.0
            feedback = (row["feedback"] or "") if row is not None else ""
            if row is not None and row["override"] is not None:
                status, feedback = "override", row["override"]
            status_text = STATUS_TEXT.get(status, status)
            result = escape(status_text)
            if feedback and feedback != status_text and status != "correct":
                words = Markup(to_html(feedback, math, inline=True)) if status in TEMPLATE_WORDS else escape(feedback)
                result += Markup(": ") + words
            parts.append({"column": column, "response": row["response"] if row is not None else "",
                          "key": key, "status": status, "result": result, "earned": earned, "points": points})
            earned_q += earned
        questions.append({"number": question.number, "points": question.total_points, "earned": earned_q,
                          "stem": to_html(render_stem(template, variant), math),
                          "solution": to_html(render_solution(template, variant), math), "parts": parts})
        earned_total += earned_q
        possible_total += question.total_points
    return {"student": student, "questions": questions, "earned": earned_total, "possible": possible_total,
            "variant_code": student.get("variant_code", "")}


def write_feedback(build_dir, manifest: dict, book, bank, formats=("html", "pdf"), jobs: int = 1,
                   quiet: bool = True) -> int:
    """Feedback pages for every student of the latest run, in ``jobs`` worker processes with a
    progress bar (unless ``quiet``); returns how many students have pages."""
    from quizgen.progress import progress
    from quizgen.build.render import environment, math_font_css, print_font_css, stylesheet

    out = Path(build_dir) / "feedback"
    students = manifest["students"]
    _JOB.update(students=students, results=book.results(book.latest_run()["id"]), bank=bank, formats=formats,
                meta=exam_meta_from_manifest(manifest), page=environment().get_template("feedback.html.j2"),
                css=stylesheet(), html_font=math_font_css(MATH_CHARACTERS) if "html" in formats else "",
                print_font=print_font_css())
    try:
        with progress(range(len(students)), "feedback pages", quiet, length=len(students)) as bar:
            if jobs > 1 and len(students) > 1:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                # forked: the workers share the results and the manifest without pickling them
                with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                    for files in pool.map(_student_pages, range(len(students)), chunksize=8):
                        _write(out, files)
                        if hasattr(bar, "update"):
                            bar.update(1)
            else:
                for index in bar:
                    _write(out, _student_pages(index))
    finally:
        _JOB.clear()
    return len(students)


_JOB: dict = {}


def _student_pages(index: int) -> dict:
    """Student ``index``'s pages: file name -> bytes."""
    from quizgen.build.render import html_to_pdf

    job = _JOB
    student = job["students"][index]
    files = {}
    if "html" in job["formats"]:
        context = student_context(job["bank"], student, job["results"], "mathml")
        files[f"{student['id']}.html"] = job["page"].render(
            context | {"exam": job["meta"], "css": job["css"], "font_css": job["html_font"]}).encode()
    if "pdf" in job["formats"]:
        context = student_context(job["bank"], student, job["results"], "print")
        files[f"{student['id']}.pdf"] = html_to_pdf(job["page"].render(
            context | {"exam": job["meta"], "css": job["css"], "font_css": job["print_font"]}))
    return files


def _write(out: Path, files: dict) -> None:
    for name, data in files.items():
        write_atomic(out / name, data)
