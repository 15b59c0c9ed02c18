"""Do two versions of quizgen write the same files? For refactoring: behaviour must not change.

Builds the examples with the working tree and with a git revision (default HEAD), each in its own
Python process with its own code first on the path, and compares what they write, file by file:
the unit 4 quiz (HTML and PDF papers, solutions, key.pdf, key.csv, answer sheet, all-exams.pdf), the
final exam (HTML), the Moodle, QTI 2.1 and Canvas exports of the final, and an LSTM self-check page.

Every file must be the same bytes, except two that hold the moment and place of a build:
manifest.json is compared as JSON without ``built_at``, the spec's and roster's paths and the bank's
hash (which changes with any template file; it is printed when it differs), and grading-key.npz is
compared array by array without ``meta`` and ``offsets`` (they hold the manifest's digest and where
each record sits in its text).

    python bench/same_outputs.py [--base REV]        # exit status 1 when anything differs

Needs the packages quizgen itself needs (run it in the project's environment) and git.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SECRET = "a fixed secret for comparing two versions' outputs, 0123456789abcdef\n"
VOLATILE = (("built_at",), ("spec", "path"), ("roster", "path"), ("versions", "bank_sha256"))


def commands(out: Path, secret: Path) -> list:
    """The quizgen command lines whose outputs are compared (run from the source tree's root)."""
    build = ["build", "--roster", "examples/roster.csv", "--secret-file", str(secret), "--jobs", "2", "--quiet"]
    return [
        build[:1] + ["examples/unit4-quiz.toml", "--out", str(out / "unit4"), "--format", "html,pdf"] + build[1:],
        build[:1] + ["examples/final.toml", "--out", str(out / "final"), "--format", "html"] + build[1:],
        # --seed 0: the public seed every revision reads the same way (--public-seed's older name)
        ["export", "moodle", "examples/final.toml", "--variants", "5", "--seed", "0", "--out", str(out / "final.xml")],
        ["export", "qti", "examples/final.toml", "--variants", "5", "--seed", "0",
         "--out", str(out / "final-qti.zip")],
        ["export", "qti", "examples/final.toml", "--variants", "5", "--seed", "0",
         "--out", str(out / "final-canvas.zip"), "--flavor", "canvas"],
        ["practice", "--html", str(out / "lstm.html"), "--topic", "lstm", "--variants", "3"],
    ]


def write_outputs(tree: Path, out: Path, secret: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(tree))
    for args in commands(out, secret):
        done = subprocess.run([sys.executable, "-m", "quizgen", *args], cwd=tree, env=env,
                              capture_output=True, text=True)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{tree}: quizgen {' '.join(args[:2])} failed ({done.returncode}):\n{done.stderr}")


def manifest_difference(a: Path, b: Path) -> str | None:
    left, right = json.loads(a.read_text()), json.loads(b.read_text())
    notes = []
    for path in VOLATILE:
        values = []
        for data in (left, right):
            holder = data
            for key in path[:-1]:
                holder = holder.get(key, {})
            values.append(holder.pop(path[-1], None))
        if path[-1] == "bank_sha256" and values[0] != values[1]:
            notes.append("(the bank's files changed)")
    if left != right:
        return "differs beyond its build time and paths"
    return " ".join(notes) or None


def key_difference(a: Path, b: Path) -> str | None:
    left, right = np.load(a, allow_pickle=False), np.load(b, allow_pickle=False)
    names = set(left.files) ^ set(right.files)
    if names:
        return f"arrays only on one side: {sorted(names)}"
    changed = [n for n in left.files if n not in ("meta", "offsets")
               and (left[n].dtype != right[n].dtype or not np.array_equal(left[n], right[n], equal_nan=True))]
    return f"arrays differ: {changed}" if changed else None


def compare(before: Path, after: Path) -> tuple[int, list]:
    files = sorted({p.relative_to(before) for p in before.rglob("*") if p.is_file()}
                   | {p.relative_to(after) for p in after.rglob("*") if p.is_file()})
    same, problems = 0, []
    for name in files:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            problems.append(f"{name}: only in the {'working tree' if b.exists() else 'base'}'s outputs")
        elif name.name == "manifest.json":
            note = manifest_difference(a, b)
            if note and not note.startswith("("):
                problems.append(f"{name}: {note}")
            else:
                same += 1
                if note:
                    print(f"{name}: the same {note}")
        elif name.name == "grading-key.npz":
            note = key_difference(a, b)
            problems += [f"{name}: {note}"] if note else []
            same += note is None
        elif hashlib.sha256(a.read_bytes()).digest() != hashlib.sha256(b.read_bytes()).digest():
            problems.append(f"{name}: different bytes")
        else:
            same += 1
    return same, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD", help="the git revision to compare the working tree with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quizgen-same-") as tmp:
        tmp = Path(tmp)
        base = tmp / "base"
        base.mkdir()
        archive = subprocess.run(["git", "archive", "--format=tar", args.base], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
            tar.extractall(base, filter="data")
        secret = tmp / "secret" / "exam.secret"
        secret.parent.mkdir(mode=0o700)
        secret.write_text(SECRET)
        secret.chmod(0o600)
        for name, tree in (("base", base), ("working tree", ROOT)):
            print(f"writing the outputs of the {name} ({args.base if tree is base else ROOT}) ...", flush=True)
            write_outputs(tree, tmp / f"out-{name.replace(' ', '-')}", secret)
        same, problems = compare(tmp / "out-base", tmp / "out-working-tree")
    print(f"{same} files the same" + (f", {len(problems)} not:" if problems else ""))
    for line in problems:
        print("  " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
