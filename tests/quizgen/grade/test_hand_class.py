"""Issue 14's acceptance test: a class worked by hand gets full marks from `quizgen grade`.

A class of 100 students is built with `quizgen build` over every numeric template that has a hand
solver (tests/quizgen/grade/hand_solvers.py: the arithmetic read off each stem, importing neither the
templates nor quizgen). For each rounding path (intermediates to 4 decimals, to 5 decimals, the stem's
own hint) the class's answers go into a submissions CSV, are graded by `python -m quizgen grade`, and
every part must get full credit. The same answers moved beyond any rounding interval (10 units of the
last decimal, 1e-3 relative for large values) must all lose marks.

The table of rejected parts, per template and path, is written to hand-class-rejected.txt in the
test's temporary folder; its path is printed and named in the assertion.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from tests.quizgen.grade.hand_solvers import (
    PATHS,
    SOLVERS,
    answer_text,
    part_decimals,
    perturbed,
    round_half_up,
)

ROOT = Path(__file__).resolve().parents[3]
STUDENTS = [f"H{i:04d}" for i in range(100)]
SECRET = "hand-class-0123456789abcdef0123456789abcdef\n"
NUMERIC_KINDS = {"number", "integer", "vector", "matrix"}
ROUNDS_MOVED = 4  # submissions with moved answers (each graded in its own copy of the build)

# Numeric templates with no hand solver yet (none today: all 62 are covered). This list only
# shrinks: test_covered_set_only_grows checks that the covered set is exactly the bank's numeric
# templates minus these, so a new numeric template needs a hand solver (or an entry here, with a reason).
NOT_COVERED: set = set()


def quizgen(*args, check=True):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "quizgen", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if check:
        assert done.returncode in (0, 1), f"quizgen {' '.join(map(str, args))}: {done.stderr}"
    return done


def numeric_templates() -> set:
    listed = json.loads(quizgen("list", "--json").stdout)
    return {t["id"] for t in listed if set(t["kinds"]) & NUMERIC_KINDS}


@pytest.fixture(scope="module")
def hand_class(tmp_path_factory):
    """The built class: (folder, manifest) over every template with a hand solver."""
    root = tmp_path_factory.mktemp("hand-class")
    ids = sorted(SOLVERS)
    (root / "spec.toml").write_text(
        'title = "Worked by hand"\ncourse = "quizgen tests"\ndate = "2026-12-01"\nduration = "3 hours"\n'
        'exam_id = "hand-class"\n\n[[section]]\ntitle = "Every numeric template a person can do by hand"\n'
        f"ids = {json.dumps(ids)}\npoints = 1\n")
    (root / "roster.csv").write_text("student_id,name\n" + "".join(f"{s},Student {s}\n" for s in STUDENTS))
    secret = root / "exam.secret"
    secret.write_text(SECRET)
    secret.chmod(0o600)
    built = quizgen("build", root / "spec.toml", "--roster", root / "roster.csv", "--out", root / "out",
                    "--secret-file", secret, "--format", "none", "--quiet")
    assert built.returncode == 0, built.stderr
    manifest = json.loads((root / "out" / "manifest.json").read_text())
    return root, manifest


def hand_answers(manifest, path):
    """{(student, column): (template id, kind, part name, value)} along one rounding path."""
    hand = PATHS[path]
    out = {}
    for student in manifest["students"]:
        for question in student["questions"]:
            tid = question["template_id"]
            values = SOLVERS[tid].solve(question["variant"]["params"], hand)
            for part in question["parts"]:
                out[student["id"], part["column"]] = (tid, part["kind"], part["name"], values[part["name"]])
    return out


def write_submissions(file, manifest, cells):
    columns = manifest["columns"]
    with open(file, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", *columns])
        for student in manifest["students"]:
            w.writerow([student["id"], *(cells.get((student["id"], c), "") for c in columns)])


def grade(root, manifest, name, cells):
    """Grade one submissions file in a fresh copy of the build: ({(student, column): credit} from the
    gradebook's part_score view, {(student, question) short of full marks in grades.csv})."""
    folder = root / f"graded-{name}"
    shutil.copytree(root / "out", folder, ignore=shutil.ignore_patterns("gradebook.sqlite", "grades.csv"))
    file = root / f"{name}.csv"
    write_submissions(file, manifest, cells)
    done = quizgen("grade", folder, file, "--feedback", "none", "--quiet", "--jobs", "1")
    assert "wrote" in done.stdout, done.stderr
    with open(folder / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    possible = rows.pop("Points Possible")
    assert set(rows) == set(STUDENTS)
    questions = [c for c in possible if c[:1] == "Q" and c[1:].isdigit()]
    short = {(s, q) for s, row in rows.items() for q in questions
             if float(row[q]) < float(possible[q]) - 1e-6}
    with sqlite3.connect(folder / "gradebook.sqlite") as db:
        parts = db.execute("SELECT student_id, column_name, credit FROM part_score "
                           "WHERE run_id = (SELECT max(id) FROM run)").fetchall()
    return {(s, c): credit for s, c, credit in parts}, short


def exact_answers(manifest):
    """{(student, column): the exact key} from the manifest's frozen variants."""
    return {(s["id"], part["column"]): q["variant"]["answers"][part["name"]]
            for s in manifest["students"] for q in s["questions"] for part in q["parts"]}


def question_of(column):
    return column.rstrip("abcdefghij")


def paths_for(tid):
    return [path for path, hand in PATHS.items() if not hand.hint or SOLVERS[tid].hint]


@pytest.fixture(scope="module")
def graded_paths(hand_class):
    """{path: (answers, credits)} for every rounding path, and the rejected table's file."""
    root, manifest = hand_class
    results = {}
    for path in PATHS:
        answers = hand_answers(manifest, path)
        cells = {key: answer_text(kind, value, part_decimals(tid, name))
                 for key, (tid, kind, name, value) in answers.items() if path in paths_for(tid)}
        results[path] = (answers, cells, grade(root, manifest, path.replace(" ", "-").replace("'", ""), cells))
    return results


def rejected_table(manifest, results):
    """Lines of the table: template, then per path 'rejected / graded' parts, then examples."""
    counts = {path: defaultdict(lambda: [0, 0]) for path in results}
    examples = defaultdict(list)
    for path, (answers, cells, (credits, _)) in results.items():
        for key, text in cells.items():
            tid, _, name, _ = answers[key]
            counts[path][tid][1] += 1
            if credits[key] < 1:
                counts[path][tid][0] += 1
                if len(examples[tid, path]) < 3:
                    examples[tid, path].append(f"{key[0]} {key[1]} ({name}) = {text}")
    ids = sorted({tid for c in counts.values() for tid in c})
    width = max(len(t) for t in ids)
    lines = [f"{'template':<{width}}  " + "  ".join(f"{p:>14}" for p in results)]
    for tid in ids:
        row = [f"{counts[p][tid][0]:>5} / {counts[p][tid][1]:<6}" if tid in counts[p] else f"{'-':>14}"
               for p in results]
        lines.append(f"{tid:<{width}}  " + "  ".join(row))
    totals = [f"{sum(c[0] for c in counts[p].values()):>5} / {sum(c[1] for c in counts[p].values()):<6}"
              for p in results]
    lines.append(f"{'all':<{width}}  " + "  ".join(totals))
    for (tid, path), found in sorted(examples.items()):
        lines.append(f"  {tid}, {path}: " + "; ".join(found))
    return lines, counts


def test_every_hand_path_gets_full_marks(hand_class, graded_paths, tmp_path_factory):
    """The acceptance test of issue 14: every part of every path earns full credit."""
    root, manifest = hand_class
    lines, counts = rejected_table(manifest, graded_paths)
    widest = widest_hand_distance(manifest, graded_paths)
    lines.append("farthest typed hand answer from the exact key, in units of the part's last decimal:")
    for (tid, name), distance in sorted(widest.items(), key=lambda kv: -kv[1] * 10 ** part_decimals(*kv[0]))[:12]:
        lines.append(f"  {tid} {name}: {distance * 10 ** part_decimals(tid, name):.1f}")
    table = root / "hand-class-rejected.txt"
    table.write_text("\n".join(lines) + "\n")
    print(f"\nrejected parts per template and path ({table}):\n" + "\n".join(lines))
    for path, (answers, cells, (credits, short)) in graded_paths.items():
        answered = {(s, question_of(c)) for s, c in cells}
        from_parts = {(s, question_of(c)) for (s, c) in cells if credits[s, c] < 1}
        assert short & answered == from_parts, f"{path}: grades.csv and the gradebook's parts disagree"
    rejected = sum(c[0] for per in counts.values() for c in per.values())
    graded = sum(c[1] for per in counts.values() for c in per.values())
    assert graded >= 100 * len(SOLVERS) * 2
    assert rejected == 0, f"{rejected} of {graded} hand-worked parts lost marks (table in {table}):\n" + "\n".join(lines)


def test_hand_solvers_follow_the_stems(hand_class, graded_paths):
    """A guard on the solvers themselves: each path's answer is near the exact key (within 1 % or
    0.01), so a rejected part in the acceptance test is the grader's, not a slip in a solver."""
    _, manifest = hand_class
    exact = exact_answers(manifest)
    far = []
    for path, (answers, cells, _) in graded_paths.items():
        for key in cells:
            tid, kind, name, value = answers[key]
            if kind == "choice":
                ok = set(value) == set(exact[key])
            elif kind in ("integer", "shape"):
                ok = np.array_equal(np.asarray(value), np.asarray(exact[key]))
            else:
                ok = np.allclose(np.asarray(value, float), np.asarray(exact[key], float), rtol=1e-2, atol=1e-2)
            if not ok:
                far.append(f"{tid} {name} {path} {key[0]}: {value} against {exact[key]}")
    assert not far, f"{len(far)} hand answers far from the key:\n" + "\n".join(far[:20])


def widest_hand_distance(manifest, graded_paths):
    """{(template, part): the farthest any path's typed answer lies from the exact key, over the class}."""
    exact = exact_answers(manifest)
    widest = defaultdict(float)
    for answers, cells, _ in graded_paths.values():
        for key in cells:
            tid, kind, name, value = answers[key]
            if kind in ("number", "vector", "matrix"):
                typed = round_half_up(value, part_decimals(tid, name))
                distance = float(np.max(np.abs(np.asarray(typed) - np.asarray(exact[key], dtype=float))))
                widest[tid, name] = max(widest[tid, name], distance)
    return widest


def test_answers_beyond_the_interval_lose_marks(hand_class, graded_paths):
    """Each part, moved away from the exact key while the other parts stay right, loses its marks
    (all of them; a choice at least some). A number moves by the most of: 10 units of its last decimal,
    1e-3 of its size, and 3 times the farthest any hand path of this test came from the key on that
    part; half the class moves 10 times as far. Integers and shapes move by 1, a choice to another
    letter. Submission k moves part (k + n) mod (parts) of each question of student n, up for odd
    students and down for even ones: over ROUNDS_MOVED submissions every part of a question with up to
    4 parts moves for every student, and each part of a longer one for about half the class."""
    root, manifest = hand_class
    exact = exact_answers(manifest)
    answers, _, _ = graded_paths["4 decimals"]
    widest = widest_hand_distance(manifest, graded_paths)
    by_question = defaultdict(list)
    for (student, column), (tid, kind, name, _) in answers.items():
        by_question[student, question_of(column)].append((column, tid, kind, name))
    kept = []
    for k in range(ROUNDS_MOVED):
        cells, moved = {}, set()
        for (student, _), parts in by_question.items():
            number = int(student[1:])
            sign, scale = (1 if number % 2 else -1), (1 if number < len(STUDENTS) // 2 else 10)
            for i, (column, tid, kind, name) in enumerate(sorted(parts)):
                d = part_decimals(tid, name)
                value = exact[student, column]
                if i == (k + number) % len(parts):
                    value = perturbed(kind, value, d, sign, scale=scale, at_least=3 * widest[tid, name])
                    moved.add((student, column))
                cells[student, column] = answer_text(kind, value, d)
        credits, _ = grade(root, manifest, f"moved-{k}", cells)
        kept += [f"{key[0]} {key[1]} ({answers[key][0]} {answers[key][2]}) = {cells[key]}, key "
                 f"{exact[key]}: credit {credits[key]}"
                 for key in sorted(moved) if credits[key] >= (1 if answers[key][1] == "choice" else 1e-9)]
    assert not kept, f"{len(kept)} answers moved beyond the interval kept marks:\n" + "\n".join(kept[:20])


def test_covered_set_only_grows():
    """The templates with a hand solver are exactly the bank's numeric templates minus NOT_COVERED."""
    numeric = numeric_templates()
    assert NOT_COVERED <= numeric, f"not numeric templates (any more): {sorted(NOT_COVERED - numeric)}"
    assert set(SOLVERS) == numeric - NOT_COVERED
