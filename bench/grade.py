"""Benchmark: grading a batch of submissions into the gradebook, at growing sizes.

Builds one real exam of 20 answer blanks (the goal's number; until 22 November 2026 it
had 22, with cnn.conv_output_shape's two cheap ones) for 40 students (variants drawn and
frozen as usual), then makes a class of N students by giving student k the
variants of real student k mod 40 (a synthetic manifest and grading key:
grading costs the same whatever the numbers), writes N submissions (75 %
right, 5 % blank, 3 % unreadable, 17 % wrong: the key's numbers off by a
random slip, so that error carried forward has to be checked as in a real
class) and times `grade` in a fresh process (ingest into SQLite, one run,
grades.csv; no feedback pages). Prints seconds, microseconds per blank and the
time of each stage for each N, so the growth can be read; goal: 100,000 x 20
in <= 10 s. ``--no-ecf`` shows what error carried forward costs; ``--cold`` first
drops the class's files from the page cache (as for a build graded days after it
was made, its files long since evicted), where ``grade`` reads them from disk.

    python bench/grade.py [--sizes 1000,10000,100000] [--no-ecf] [--cold] [--jobs 2]
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from quizgen.bank.loader import load_bank
from quizgen.papers.builder import build
from quizgen.builddir import BuildDir
from quizgen.tables import read_table

GRADE = """
import json, sys, time
from quizgen.grade.run import grade_build
start = time.perf_counter()
report = grade_build(sys.argv[1], [sys.argv[2]], feedback=(), jobs=int(sys.argv[3]), ecf=sys.argv[4] == "True")
print(json.dumps([time.perf_counter() - start, report.timings]))
"""

SPEC = """
title = "Grading benchmark"
exam_id = "grade-bench"
[[section]]
title = "Numeric"
ids = ["rnn.forward_two_steps", "lstm.cell_step", "gru.step_course", "mcmc.n_step_distribution", "gan.losses"]
[[section]]
title = "Concepts"
ids = ["lstm.concept.forget_gate_role"]
"""


def wrong_answer(key: str, rng) -> str:
    """A plausible wrong answer: the key's numbers off by a student's own slip, or another letter."""
    if re.fullmatch(r"[A-E]", key):
        return "ABCDE"[("ABCDE".index(key) + 1 + int(rng.integers(3))) % 5]

    def slip(m):
        number = m.group(0)
        if "." not in number:
            return str(int(number) + 1 + int(rng.integers(3)))
        decimals = len(number.split(".")[1])
        return f"{float(number) * rng.uniform(1.05, 1.4) + 0.01:.{decimals}f}"

    return re.sub(r"-?\d+(\.\d+)?", slip, key)


def make_class(real: Path, out: Path, n: int, rng) -> Path:
    manifest = BuildDir(real).manifest()
    base = manifest["students"]
    students = []
    for k in range(n):
        s = copy.copy(base[k % len(base)])
        s["id"], s["name"] = f"b{k:06d}", f"Student {k}"
        students.append(s)
    manifest["students"] = students
    manifest["roster"]["students"] = [{"id": s["id"], "name": s["name"], "row": i + 2, "extra": {}}
                                      for i, s in enumerate(students)]
    out.mkdir(parents=True)
    BuildDir(out).write(manifest, load_bank(), b"bench: a class made from a real build, not one of its secret")
    key = {r["student_id"]: r for _, r in read_table(real / "key.csv").rows}
    columns = manifest["columns"]
    path = out / "submissions.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Timestamp", "student_id"] + columns)
        for k, s in enumerate(students):
            right = key[base[k % len(base)]["id"]]
            cells = []
            for c in columns:
                roll = rng.random()
                cells.append(right[c] if roll < 0.75 else "" if roll < 0.8 else "?" if roll < 0.83
                             else wrong_answer(right[c], rng))
            writer.writerow(["2026-12-01 10:00", s["id"]] + cells)
    return path


def machine_speed() -> float:
    """Seconds for a fixed pure-Python loop: this machine's speed at the moment, so that figures of
    different runs compare (virtual CPUs shared with other machines ran one loop 1.5x slower in
    the afternoon of a day than in its morning)."""
    start = time.perf_counter()
    total = 0
    for i in range(30_000_000):
        total += i
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--no-ecf", action="store_true", help="grade without error carried forward (its cost)")
    parser.add_argument("--cold", action="store_true", help="grade with the class's files not in the page cache")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "spec.toml").write_text(SPEC)
        (tmp / "roster.csv").write_text("student_id,name\n" + "".join(f"r{i:03d},R {i}\n" for i in range(40)))
        build(tmp / "spec.toml", tmp / "roster.csv", tmp / "real", secret_file=tmp / "k" / "s",
              formats=(), quiet=True)
        blanks = len(BuildDir(tmp / "real").manifest()["columns"])
        before = machine_speed()
        print(f"exam with {blanks} answer blanks")
        print(f"{'submissions':>11} {'seconds':>8} {'us/blank':>9}")
        for n in sizes:
            subs = make_class(tmp / "real", tmp / f"class{n}", n, rng)
            os.sync()  # the class just written (1 GB at 100,000) goes to disk now, not during the timing
            if args.cold:
                for path in (tmp / f"class{n}").iterdir():
                    with path.open("rb") as handle:  # clean pages of a file anyone may drop
                        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
            # graded in a fresh process, as `quizgen grade` would be, not in this one full of the
            # synthetic class it has just written
            child = subprocess.run([sys.executable, "-c", GRADE, str(tmp / f"class{n}"), str(subs),
                                    str(args.jobs), str(not args.no_ecf)], capture_output=True, text=True, check=True)
            seconds, timings = json.loads(child.stdout)
            stages = ", ".join(f"{stage} {s:.2f}" for stage, s in timings.items())
            print(f"{n:>11} {seconds:>8.2f} {1e6 * seconds / (n * blanks):>9.1f}   ({stages})")
        print("goal: 100,000 submissions x 20 blanks in <= 10 s")
        print(f"machine speed: a fixed Python loop took {before:.2f} s before and {machine_speed():.2f} s after")


if __name__ == "__main__":
    main()
