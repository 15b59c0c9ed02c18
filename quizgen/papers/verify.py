"""``quizgen verify``: a build directory checked against its secret.

Every variant is drawn again from the secret and compared with the frozen
manifest; the grading key is compared with one made from the manifest, and
each file the manifest lists with its recorded sha256.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from quizgen.errors import InputError
from quizgen.builddir import BuildDir, KEY_FILE, MANIFEST
from quizgen.builddir import gradingkey
from quizgen.builddir.manifest import file_sha256, structure_problems
from quizgen.papers.exam import assemble
from quizgen.papers.spec import Student, load_secret, secret_fingerprint, spec_from_dict


@dataclass
class VerifyReport:
    students: int = 0
    variants: int = 0
    problems: list = field(default_factory=list)


def _misplaced_questions(build: BuildDir, manifest: dict) -> list:
    """Questions the build's key's offsets do not find where manifest.json has them."""
    if not len(build.key().offsets):
        return []
    out = []
    for i, student in enumerate(manifest["students"]):
        for k, question in enumerate(student["questions"]):
            try:
                found, carrying = build.question(i, k), build.for_carrying(i, k)
            except (IndexError, InputError):
                found = carrying = None
            columns = [p["column"] for p in question["parts"]]
            if found != question or carrying is None or carrying["template_id"] != question["template_id"] \
                    or carrying["variant"]["params"] != question["variant"]["params"] \
                    or [p["column"] for p in carrying["parts"]][:len(columns)] != columns:
                out.append(f"where student {student['id']} question {k + 1} is")
    return out


def verify(build_dir, secret_file, banks=()) -> VerifyReport:
    """Rebuild every variant from the secret and compare with the frozen manifest and the files.
    ``banks``: the instructor's question-bank folders; those the manifest names are never loaded."""
    with BuildDir(build_dir, banks) as build:
        return _verify(build, secret_file)


def _verify(build: BuildDir, secret_file) -> VerifyReport:
    manifest = build.manifest()
    secret = load_secret(secret_file, build.path)
    report = VerifyReport()
    if secret_fingerprint(secret) != manifest.get("secret_fingerprint"):
        report.problems.append(f"{secret_file} is not the secret this exam was built with")
        return report
    try:  # the manifest is the one the build wrote, byte for byte: nothing in it was changed, added or removed
        build.authenticate(secret)
    except InputError as exc:
        report.problems.append(f"{MANIFEST}: {exc.message}")
    report.problems += [f"{MANIFEST}: {p}" for p in structure_problems(manifest)]
    spec = spec_from_dict(manifest["spec"]["raw"], manifest["spec"]["path"])
    bank = build.bank()
    students = [Student(s["id"], s["name"], s["row"], s.get("extra", {}))
                for s in manifest["roster"]["students"]]
    exams = assemble(spec, bank, students, secret)
    frozen = {s["id"]: s for s in manifest["students"]}
    for exam in exams:
        report.students += 1
        if exam.student.id not in frozen:
            report.problems.append(f"student {exam.student.id}: no paper in the manifest")
            continue
        mine = frozen[exam.student.id]["questions"]
        if len(mine) != len(exam.questions):
            report.problems.append(f"student {exam.student.id}: the manifest has {len(mine)} questions, the exam "
                                   f"{len(exam.questions)}")
        for q, stored in zip(exam.questions, mine):
            report.variants += 1
            if json.loads(json.dumps(q.to_json())) != stored:
                report.problems.append(f"student {exam.student.id} question {q.number}: rebuilt variant "
                                       f"differs from the manifest ({stored.get('template_id')})")
    if report.problems:
        return report  # the key and the files are checked against a manifest that is the build's
    if build.key_path.exists():  # grading reads the key from here: it must be the manifest's, number for number
        digest = file_sha256(build.manifest_path)
        try:
            stored = build.read_key()
        except gradingkey.UNREADABLE as exc:
            report.problems.append(f"{KEY_FILE}: cannot be read ({exc}); grading will remake it")
        else:
            if stored.manifest_sha256 != digest:
                report.problems.append(f"{KEY_FILE}: made from another manifest (grading refuses the pair)")
            else:
                fresh = gradingkey.from_manifest(manifest, bank, digest)
                problems = gradingkey.differences(stored, fresh)
                try:
                    build.key(digest)  # the key file, checked: the questions are read by its offsets
                except InputError as exc:
                    report.problems.append(f"{KEY_FILE}: {exc.message}")
                else:
                    problems += _misplaced_questions(build, manifest)
                report.problems += [f"{KEY_FILE}: {what} differs from the manifest" for what in problems]
    for rel, digest in manifest["files"].items():
        path = build.path / rel
        if not path.exists():
            report.problems.append(f"{rel}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            report.problems.append(f"{rel}: changed since the build (sha256 differs)")
    return report
