"""``quizgen answer-sheet``: what an instructor needs to collect answers outside quizgen.

The student's HTML paper is an answer sheet of its own (it saves ``answers-<exam>-<student>.csv``).
For answers collected elsewhere, this writes, from the build folder:

    columns.csv             one row per answer blank: its code (the column ``quizgen grade`` reads),
                            question, label, points and what to type
    form.md                 how to build a Google or Microsoft form whose export ``quizgen grade`` reads
    assignment-moodle.html  an assignment description to paste into Moodle (file submission) ...
    assignment-canvas.html  ... or Canvas (file upload): students upload the file their paper saved

Every text is made from the manifest (the frozen papers), so the codes are the exam's own.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from quizgen.bank.loader import load_bank
from quizgen.builddir import BuildDir
from quizgen.errors import InputError
from quizgen.files import write_atomic
from quizgen.papers.exam import question_from_json
from quizgen.tables import csv_text

FORMATS = ("columns", "form", "moodle", "canvas")
FILES = {"columns": "columns.csv", "form": "form.md", "moodle": "assignment-moodle.html",
         "canvas": "assignment-canvas.html"}


@dataclass
class Blank:
    column: str
    question: int
    label: str
    points: float
    typing: list = field(default_factory=list)  # what to type, per kind the papers ask for here


def blanks_of(manifest: dict, bank) -> list:
    """Every answer blank of the exam, in answer-sheet order, with what each student's paper asks
    there (one way for every student, or several where a section varies its questions)."""
    blanks: dict = {}
    for student in manifest["students"]:
        for data in student["questions"]:
            question = question_from_json(bank, data)
            for part, column, points in zip(question.template.parts, question.columns, question.points):
                choice = question.variant.choices.get(part.name)
                typing = (f"one letter, A to {chr(64 + len(choice['options']))}" if choice
                          else part.kind.describe())
                blank = blanks.setdefault(column, Blank(column, question.number, part.label, points))
                if typing not in blank.typing:
                    blank.typing.append(typing)
    return [blanks[c] for c in manifest["columns"]]


def columns_csv(blanks: list) -> str:
    rows = [[b.column, b.question, b.label, f"{b.points:g}", "; or ".join(b.typing)] for b in blanks]
    return csv_text(["column", "question", "label", "points", "what to type"], rows)


def form_md(meta: dict, blanks: list) -> str:
    lines = [f"# Answer form for {meta['title']} ({meta['exam_id']})", "",
             "Build the form with one question per line below, titled exactly with the code in the first",
             "column (the code is the column `quizgen grade` reads; the paper prints it beside each box).",
             "", "1. **Student ID** (short answer, required): the id on the roster.",
             "2. **Variant** (short answer, optional): the variant code printed at the foot of the paper;",
             "   with it, `quizgen grade` flags an answer sheet that belongs to another paper."]
    for n, b in enumerate(blanks, start=3):
        kind = "paragraph" if any("written answer" in t for t in b.typing) else "short answer"
        lines.append(f"{n}. **{b.column}** ({kind}): Question {b.question}, {b.label or 'the answer'}; "
                     f"{' or '.join(b.typing)}.")
    lines += ["", "Google Forms: Responses -> Download responses (.csv). Microsoft Forms: Responses -> Open in",
              "Excel (.xlsx). Either file is read as it comes, timestamps included (the latest submission",
              "of a student counts):", "", "    quizgen grade BUILD_DIR responses.csv", ""]
    return "\n".join(lines)


def assignment_html(meta: dict, blanks: list, lms: str) -> str:
    title = html.escape(meta["title"])
    upload = {"moodle": "Add submission, drop the file, Save changes",
              "canvas": "Start Assignment, File Upload, choose the file, Submit Assignment"}[lms]
    download = {"moodle": "View all submissions -> Download all submissions (a .zip)",
                "canvas": "Download Submissions (a .zip)"}[lms]
    rows = "".join(f"<tr><td><code>{html.escape(b.column)}</code></td><td>{b.question}</td>"
                   f"<td>{html.escape(' or '.join(b.typing))}</td></tr>" for b in blanks)
    return f"""<h3>{title}: handing in your answers</h3>
<ol>
<li>Open your own exam page, <code>{html.escape(meta['exam_id'])}</code>: the HTML file with your student
id in its name. It works offline; nothing you type is sent anywhere.</li>
<li>Type each answer in its box. Under the box you see how it is read, with the same rules as the
grading ("read as the vector [0.5, 0.2]"); fix anything that says it cannot be read.</li>
<li>Click <b>Save my answers</b>: it saves <code>answers-{html.escape(meta['exam_id'])}-&lt;your id&gt;.csv</code>.
Your answers are also kept in the browser as you type, so a reload loses nothing.</li>
<li>Upload that file here ({upload}). You may upload again until the deadline: the latest file counts.</li>
</ol>
<table><tr><th>Box</th><th>Question</th><th>What to type</th></tr>{rows}</table>
<!-- For the instructor: {download}, then run quizgen grade BUILD_DIR submissions.zip -->
"""


@dataclass
class AnswerSheetReport:
    out: Path
    files: list = field(default_factory=list)
    blanks: int = 0


def write_answer_sheet(build_dir, out=None, formats=FORMATS, banks=(), force: bool = False) -> AnswerSheetReport:
    """Write the chosen files (:data:`FORMATS`) for collecting answers to ``out`` (default:
    ``<build>/answer-sheet/``); refuses to replace a file without ``force``."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError(build_dir, f"unknown format {', '.join(unknown)}; use {', '.join(FORMATS)}")
    build = BuildDir(build_dir)
    manifest = build.manifest()
    meta = build.exam_meta()
    blanks = blanks_of(manifest, load_bank(tuple(banks)))
    out = Path(out) if out is not None else build.path / "answer-sheet"
    texts = {"columns": columns_csv(blanks), "form": form_md(meta, blanks),
             "moodle": assignment_html(meta, blanks, "moodle"), "canvas": assignment_html(meta, blanks, "canvas")}
    targets = [(out / FILES[f], texts[f]) for f in formats]
    existing = [str(path) for path, _ in targets if path.exists()]
    if existing and not force:
        raise InputError(existing[0], "exists; add --force to replace it")
    report = AnswerSheetReport(out=out, blanks=len(blanks))
    for path, text in targets:
        write_atomic(path, text.encode("utf-8"))
        report.files.append(path)
    return report
