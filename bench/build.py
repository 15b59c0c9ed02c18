"""Benchmark: building exams, against pdflatex in the same run.

Prints
  1. the README's example (examples/unit4-quiz.toml, the 30 students of examples/roster.csv,
     --jobs 2): CPU seconds (user + system, this process and its workers) per student, for the
     HTML files (papers, solutions) and for the PDF files (papers, all-exams.pdf, key.pdf) built
     apart, and for the PDF files with the solutions' PDFs too (--solutions pdf),
  2. a 500-student x 10-question HTML build (papers and solutions; goal <= 10 s on 2 cores),
  3. PDF pages per second with --jobs 2 (papers and solutions, 24 students),
  4. the same papers typeset by pdflatex (Debian texlive-latex-base), 2 processes, pages per
     second, and the ratio. Goal: quizgen is not slower per page than pdflatex.

    python bench/build.py [--students 500] [--pdf-students 24] [--example-only]

Measured on the 2-core machines (2026-11-22, --students 40, same run, alternating code):
PDF 6.1-6.2 pages/s before the print math lost its per-letter boxes, the lean UA stylesheet
and the shared FontConfiguration, 9.5-10.2 pages/s after; pdflatex 55-59 pages/s; ratio
0.11 -> 0.17-0.18. Of the 30-33 s, key.pdf took ~5.5 s, alone in the main process after the
papers. Per document (CPU, one process): 1.9 s -> 1.0 s; the same pages with every formula
flattened to plain text take 0.37 s, about 17 pages/s per process (~34 with two), still below
pdflatex: WeasyPrint's cost is per box, in Python, and math is many boxes.

2026-12-04, the README's example built by the README's command, old and new code in turn, 3 pairs,
medians: CPU per student 1.65 s -> 0.71 s (ratio 0.43), the solutions' PDFs being no longer written
by default (--solutions); with them (the same files as before) 1.57 s -> 1.43 s (ratio 0.90: the
stylesheets parsed once a process, duplex padding without a second PDF pass, the collector paused
during a document, workers forked warm). key.pdf is laid out in the main process while the workers
render the papers.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from quizgen.bank.loader import load_bank
from quizgen.papers.builder import build
from quizgen.papers.exam import assemble
from quizgen.papers.spec import load_roster, load_spec
from quizgen.bank.texts import render_stem

SPEC = """
title = "Benchmark exam"
course = "23AD2205A Deep Learning"
date = "2026-12-01"
duration = "60 minutes"
exam_id = "bench"
instructions = "Answer every question."

[[section]]
title = "Numeric"
ids = ["rnn.forward_two_steps", "lstm.cell_step", "gru.step_course", "rbm.cd1_update",
       "cnn.conv_output_shape", "cnn.conv_entries", "mcmc.n_step_distribution",
       "autoencoder.vae_kl_reparam", "gan.losses", "word2vec.softmax_probability"]
points = 5
"""


ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """User + system seconds of this process and of its finished children (the build's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def example_cpu_per_student(tmp: Path, secret_file: Path, fmt: str, solutions=None) -> tuple[float, int]:
    """CPU seconds per student of building the README's example in one format (the solutions in
    the build's default formats, or ``solutions``), and the students."""
    roster = ROOT / "examples" / "roster.csv"
    start = cpu_seconds()
    report = build(ROOT / "examples" / "unit4-quiz.toml", roster, tmp / f"example-{fmt}-{solutions}",
                   secret_file=secret_file, formats=(fmt,), jobs=2, quiet=True, solutions=solutions)
    return (cpu_seconds() - start) / report.students, report.students


def write_inputs(folder: Path, students: int) -> tuple[Path, Path]:
    spec = folder / "spec.toml"
    spec.write_text(SPEC)
    roster = folder / f"roster{students}.csv"
    roster.write_text("student_id,name\n" + "".join(f"b{i:05d},Student {i}\n" for i in range(students)))
    return spec, roster


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def markdown_to_latex(text: str) -> str:
    """Enough Markdown for the benchmark's stems (bold, italics, code), outside the math."""
    pieces = re.split(r"(\$\$.+?\$\$|\$.+?\$)", text, flags=re.S)
    for i in range(0, len(pieces), 2):  # even pieces are prose
        prose = re.sub(r"\*\*(.+?)\*\*", r"\\textbf{\1}", pieces[i])
        prose = re.sub(r"\*(.+?)\*", r"\\emph{\1}", prose)
        prose = re.sub(r"`(.+?)`", r"\\texttt{\1}", prose)
        pieces[i] = prose.replace("%", r"\%").replace("&", r"\&").replace("_", r"\_").replace("#", r"\#")
    return "".join(pieces)


def latex_document(spec_path: Path, roster: Path, secret: bytes, index: int) -> str:
    """One student's paper as a LaTeX document with the same stems and answer boxes."""
    spec = load_spec(spec_path)
    students, _ = load_roster(roster)
    exam = assemble(spec, load_bank(), [students[index]], secret)[0]
    body = []
    for q in exam.questions:
        stem = markdown_to_latex(render_stem(q.template, q.variant))
        boxes = " \\quad ".join(f"\\texttt{{{c}}}\\ \\fbox{{\\rule{{0pt}}{{14pt}}\\hspace{{40mm}}}}"
                                for c in q.columns)
        body.append(f"\\begin{{minipage}}{{\\linewidth}}\\textbf{{Question {q.number}}} "
                    f"({q.total_points:g} points)\\par {stem}\\par\\medskip {boxes}\\end{{minipage}}\\bigskip\n")
    return ("\\documentclass[10pt,a4paper]{article}\\usepackage[margin=18mm]{geometry}"
            "\\usepackage{amsmath,amssymb}\\pagestyle{plain}"
            "\\begin{document}\\section*{" + spec.title + "}\n" + "\n".join(body) + "\\end{document}\n")


def run_pdflatex(tex_files: list, jobs: int) -> float:
    def one(path: Path):
        subprocess.run(["pdflatex", "-interaction=batchmode", "-halt-on-error", path.name],
                       cwd=path.parent, capture_output=True, check=False)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, tex_files))
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--pdf-students", type=int, default=24)
    parser.add_argument("--example-only", action="store_true", help="only the README's example's CPU per student")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        secret_file = tmp / "keys" / "bench.secret"
        print(f"{os.cpu_count()} cores")
        for fmt, solutions, what in (("html", None, "HTML files"), ("pdf", None, "PDF files"),
                                     ("pdf", "pdf", "PDF files with the solutions' PDFs")):
            per_student, students = example_cpu_per_student(tmp, secret_file, fmt, solutions)
            print(f"README example ({students} students, --jobs 2), {what}: {per_student:.3f} CPU s per student")
        if args.example_only:
            return
        spec, roster = write_inputs(tmp, args.students)

        start = time.perf_counter()
        build(spec, roster, tmp / "html", secret_file=secret_file, formats=("html",), jobs=2, quiet=True)
        html_s = time.perf_counter() - start
        print(f"HTML build, {args.students} students x 10 questions (papers + solutions), --jobs 2: "
              f"{html_s:.1f} s  (goal <= 10 s)")

        spec, small = write_inputs(tmp, args.pdf_students)
        start = time.perf_counter()
        build(spec, small, tmp / "pdf", secret_file=secret_file, formats=("pdf",), jobs=2, quiet=True,
              solutions=("pdf",))
        pdf_s = time.perf_counter() - start
        pages = sum(pdf_pages(tmp / "pdf" / folder / f"b{i:05d}.pdf")
                    for folder in ("exams", "solutions") for i in range(args.pdf_students))
        rate = pages / pdf_s
        print(f"PDF build, {args.pdf_students} students (papers + solutions, {pages} pages), --jobs 2: "
              f"{pdf_s:.1f} s = {rate:.1f} pages/s")

        if shutil.which("pdflatex") is None:
            print("pdflatex: not installed (apt-get install texlive-latex-base); no comparison")
            return
        tex_dir = tmp / "tex"
        tex_dir.mkdir()
        from quizgen.papers.spec import load_or_create_secret

        secret, _ = load_or_create_secret(secret_file)
        tex_files = []
        for i in range(args.pdf_students):
            path = tex_dir / f"b{i:05d}.tex"
            path.write_text(latex_document(spec, small, secret, i))
            tex_files.append(path)
        tex_s = run_pdflatex(tex_files, jobs=2)
        tex_pages = sum(pdf_pages(p.with_suffix(".pdf")) for p in tex_files if p.with_suffix(".pdf").exists())
        tex_rate = tex_pages / tex_s if tex_s else float("nan")
        print(f"pdflatex, the same {args.pdf_students} papers ({tex_pages} pages), 2 processes: "
              f"{tex_s:.1f} s = {tex_rate:.1f} pages/s")
        print(f"quizgen / pdflatex pages per second: {rate / tex_rate:.2f}  (goal >= 1)")


if __name__ == "__main__":
    main()
