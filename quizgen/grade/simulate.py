"""A simulated class: a realistic submissions CSV for a build, to rehearse grading before the exam.

Each student has an ability drawn from the seed; a part is answered right with
that probability, else with one of the template's named mistakes (when the
variant has one for the part), a careless slip, an unreadable answer, or
nothing. Cells look like an LMS export: a timestamp and an e-mail column,
some decimal commas, a resubmission and a stray unknown id.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import numpy as np

from quizgen.builddir import BuildDir
from quizgen.papers.exam import question_from_json


def _answer(rng, part, variant, ability: float) -> str:
    kind = part.kind
    choice = variant.choices.get(part.name)
    key = kind.from_json(variant.answers[part.name])
    roll = rng.random()
    if kind.graded_by_hand:
        return "see the attached sheet"
    if roll < ability:
        text = choice["key"] if choice else kind.format(key)
        return text.replace(".", ",") if rng.random() < 0.1 and text.count(".") == 1 else text
    if roll < ability + 0.15:
        names = [n for n, a in variant.mistakes.items() if part.name in a]
        if names and not choice:
            wrong = kind.from_json(variant.mistakes[names[int(rng.integers(len(names)))]][part.name])
            return kind.format(wrong)
        if choice:
            wrong = [letter for letter, m in zip("ABCDE", choice["mistakes"]) if m]
            return wrong[int(rng.integers(len(wrong)))] if wrong else choice["key"]
        others = kind.wrong_letters(key)
        if others:
            return others[int(rng.integers(len(others)))]
    if roll < ability + 0.22:
        return ["?", "dont know", "0.5 0,5 x", "=SUM(A1:A2)"][int(rng.integers(4))]
    if roll < ability + 0.28:
        return ""
    if kind.numeric and not choice:
        return kind.slipped(key)
    return choice["key"] if choice else kind.format(key)


def simulate_submissions(build_dir, seed: int = 0, banks=()) -> str:
    """CSV text of one submission per student (plus one resubmission and one unknown id)."""
    build = BuildDir(build_dir, banks)
    manifest, bank = build.manifest(), build.bank()
    rng = np.random.default_rng(seed)
    header = ["Timestamp", "Email", "student_id"] + manifest["columns"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    start = datetime(2026, 12, 1, 10, 0)
    rows = []
    for k, student in enumerate(manifest["students"]):
        ability = float(np.clip(rng.normal(0.7, 0.15), 0.2, 0.98))
        cells = []
        for data in student["questions"]:
            question = question_from_json(bank, data)
            cells += [_answer(rng, part, question.variant, ability) for part in question.template.parts]
        when = start + timedelta(minutes=int(rng.integers(5, 55)), seconds=int(rng.integers(60)))
        email = student.get("name", "student").lower().replace(" ", ".") + "@example.edu"
        rows.append([when.strftime("%Y-%m-%d %H:%M:%S"), email, student["id"]] + cells)
    if len(rows) > 2:
        again = list(rows[1])
        again[0] = (start + timedelta(minutes=59)).strftime("%Y-%m-%d %H:%M:%S")
        rows.append(again)  # a resubmission: the later one is graded
        rows.append([rows[0][0], "visitor@example.edu", "X999"] + [""] * len(manifest["columns"]))
    writer.writerows(rows)
    return out.getvalue()
