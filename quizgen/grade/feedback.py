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

from dataclasses import dataclass

from markupsafe import Markup, escape

from quizgen.builddir import BuildDir
from quizgen.files import remove_leftovers, write_atomic
from quizgen.papers.exam import question_from_json
from quizgen.papers.richtext import math_html, to_html
from quizgen.bank.question import accepted_interval
from quizgen.bank.texts import render_solution, render_stem
from quizgen.workers import forked_map

STATUS_TEXT = {"correct": "correct", "ecf": "correct from your earlier answers", "wrong": "wrong",
               "invalid": "could not be read", "blank": "no answer", "missing": "no submission",
               "to_mark": "to be marked by hand", "override": "set by hand", "partial": "partly right"}


TEMPLATE_WORDS = ("wrong", "ecf")  # statuses whose feedback is the template's text (a mistake's, with $math$)


def student_context(bank, student: dict, results: dict, math: str) -> dict:
    questions, earned_total, possible_total, to_mark = [], 0.0, 0.0, 0
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
            interval = None if choice else accepted_interval(part, variant)
            if interval is not None:
                key = Markup(key) + Markup("<br><small>") + escape(f"accepted {part.kind.interval_text(interval)}") \
                    + Markup("</small>")
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
            to_mark += status == "to_mark"  # an essay no override has marked: its points are not known yet
            parts.append({"column": column, "response": row["response"] if row is not None else "",
                          "key": key, "status": status, "result": result, "earned": earned, "points": points,
                          "written": part.kind.graded_by_hand})
            earned_q += earned
        questions.append({"number": question.number, "points": question.total_points, "earned": earned_q,
                          "stem": to_html(render_stem(template, variant), math),
                          "solution": to_html(render_solution(template, variant), math), "parts": parts})
        earned_total += earned_q
        possible_total += question.total_points
    return {"student": student, "questions": questions, "earned": earned_total, "possible": possible_total,
            "variant_code": student.get("variant_code", ""), "to_mark": to_mark}


def write_feedback(build: BuildDir, book, bank, formats=("html", "pdf"), jobs: int = 1, quiet: bool = True) -> int:
    """Feedback pages for every student of the latest run, in ``jobs`` worker processes with a
    progress bar (unless ``quiet``); returns how many students have pages."""
    from quizgen.papers.render import MATH_CHARACTERS, environment, math_font_css, print_font_css, stylesheet

    out = build.path / "feedback"
    remove_leftovers(out)  # what a killed run left half-written
    students = build.manifest()["students"]
    job = FeedbackJob(students=students, results=book.results(book.latest_run()["id"]), bank=bank,
                      formats=formats, meta=build.exam_meta(), page=environment().get_template("feedback.html.j2"),
                      css=stylesheet(), html_font=math_font_css(MATH_CHARACTERS) if "html" in formats else "",
                      print_font=print_font_css())
    # forked: the workers share the results and the manifest without pickling them
    with forked_map(job.student_pages, range(len(students)), jobs, chunksize=8, label="feedback pages",
                    quiet=quiet) as pages:
        for files in pages:
            for name, data in files.items():
                write_atomic(out / name, data)
    return len(students)


@dataclass
class FeedbackJob:
    """What every student's pages are made from: the manifest's students, the run's results, the
    bank, the page template with its styles and fonts."""

    students: list
    results: dict
    bank: object
    formats: tuple
    meta: dict
    page: object
    css: str
    html_font: str
    print_font: str

    def student_pages(self, index: int) -> dict:
        """Student ``index``'s pages: file name -> bytes."""
        from quizgen.papers.render import html_to_pdf

        student = self.students[index]
        files = {}
        if "html" in self.formats:
            context = student_context(self.bank, student, self.results, "mathml")
            files[f"{student['id']}.html"] = self.page.render(
                context | {"exam": self.meta, "css": self.css, "font_css": self.html_font}).encode()
        if "pdf" in self.formats:
            context = student_context(self.bank, student, self.results, "print")
            files[f"{student['id']}.pdf"] = html_to_pdf(self.page.render(
                context | {"exam": self.meta, "css": self.css, "font_css": self.print_font}))
        return files
