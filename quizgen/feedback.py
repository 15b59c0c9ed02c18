"""Per-student feedback pages after grading: their answer, the key, the mistake named, the solution.

Written to ``DIR/feedback/<id>.html`` (self-contained, MathML) and ``.pdf``
(WeasyPrint) from the latest run in the gradebook and the overrides. What a
student typed is shown as text: Jinja2 escapes it, so markup in an answer is
displayed, never run.
"""

from __future__ import annotations

from pathlib import Path

from quizgen.build import MATH_CHARACTERS, exam_meta_from_manifest
from quizgen.csvio import write_atomic
from quizgen.exam import question_from_json
from quizgen.richtext import math_html, to_html
from quizgen.stems import render_solution, render_stem

STATUS_TEXT = {"correct": "correct", "ecf": "correct from your earlier answers", "wrong": "wrong",
               "invalid": "could not be read", "blank": "no answer", "missing": "no submission",
               "override": "set by hand"}


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
            key = "graded by hand" if part.kind.name == "essay" else math_html(part.kind.tex(key_value), math)
            if choice:
                key = f"{choice['key']}: {key}"
            status = row["status"] if row is not None else "missing"
            earned = row["earned"] if row is not None else 0.0
            feedback = (row["feedback"] or "") if row is not None else ""
            if row is not None and row["override"] is not None:
                status, feedback = "override", row["override"]
            parts.append({"column": column, "response": row["response"] if row is not None else "",
                          "key": key, "status": status, "status_text": STATUS_TEXT.get(status, status),
                          "feedback": feedback, "earned": earned, "points": points})
            earned_q += earned
        questions.append({"number": question.number, "points": question.total_points, "earned": earned_q,
                          "stem": to_html(render_stem(template, variant), math),
                          "solution": to_html(render_solution(template, variant), math), "parts": parts})
        earned_total += earned_q
        possible_total += question.total_points
    return {"student": student, "questions": questions, "earned": earned_total, "possible": possible_total,
            "variant_code": student.get("variant_code", "")}


def write_feedback(build_dir, manifest: dict, book, bank, formats=("html", "pdf")) -> int:
    """Feedback pages for every student of the latest run; returns how many were written."""
    from quizgen.render import environment, html_to_pdf, math_font_css, print_font_css, stylesheet

    results = book.results(book.latest_run()["id"])
    meta = exam_meta_from_manifest(manifest)
    template = environment().get_template("feedback.html.j2")
    out = Path(build_dir) / "feedback"
    for student in manifest["students"]:
        if "html" in formats:
            context = student_context(bank, student, results, "mathml")
            page = template.render(context | {"exam": meta, "css": stylesheet(),
                                              "font_css": math_font_css(MATH_CHARACTERS)})
            write_atomic(out / f"{student['id']}.html", page)
        if "pdf" in formats:
            context = student_context(bank, student, results, "print")
            page = template.render(context | {"exam": meta, "css": stylesheet(), "font_css": print_font_css()})
            write_atomic(out / f"{student['id']}.pdf", html_to_pdf(page))
    return len(manifest["students"])
