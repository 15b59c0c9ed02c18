"""manifest.json: the build's source of truth (spec, versions, hashes, every frozen variant).

Written one student per line after a head indented for people to read, so that
a question's record is found by its offsets (kept in the grading key) and the
head is read without the students.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import json
from contextlib import contextmanager
from pathlib import Path

from quizgen.errors import InputError
from quizgen.papers.spec import page_meta, spec_from_dict

MANIFEST = "manifest.json"
STUDENTS_MARKER = b'\n "students": [\n'  # where the head ends and the students' lines begin


def manifest_text(manifest: dict) -> tuple[str, list]:
    """manifest.json's text, one student per line, and where each student's questions are in it.

    Returns the text and, per student, per question, its (offset, length) and the (offset,
    length) of its variant's params, (0, 0) where the question has choices (error carried
    forward then needs the whole record): the text is ASCII (``ensure_ascii``), so character
    offsets are byte offsets. Everything but the students is written first, indented for
    people to read.
    """
    dumps = json.dumps
    head = {k: v for k, v in manifest.items() if k != "students"}
    text = dumps(head, indent=1, sort_keys=True, allow_nan=False)
    text = text[:-2] + ',\n "students": [\n'
    pieces, offsets, at = [text], [], len(text)
    last = len(manifest["students"]) - 1
    for i, student in enumerate(manifest["students"]):
        rest = dumps({k: v for k, v in student.items() if k != "questions"}, sort_keys=True,
                     separators=(",", ":"), allow_nan=False)
        at += len('{"questions":[')
        pieces.append('{"questions":[')
        mine = []
        for k, question in enumerate(student["questions"]):
            line = dumps(question, sort_keys=True, separators=(",", ":"), allow_nan=False)
            if k:
                pieces.append(",")
                at += 1
            mine.append((at, len(line)) + _params_span(line, question, at))
            pieces.append(line)
            at += len(line)
        tail = "]," + rest[1:] + (",\n" if i < last else "\n")
        pieces.append(tail)
        at += len(tail)
        offsets.append(mine)
    pieces.append("]}\n")
    return "".join(pieces), offsets


def _params_span(line: str, question: dict, at: int) -> tuple:
    """Where in ``line`` (at ``at`` in the file) the question's params are, if it has no choices."""
    variant = question.get("variant", {})
    if variant.get("choices") or "params" not in variant:
        return 0, 0
    needle = '"params":' + json.dumps(variant["params"], sort_keys=True, separators=(",", ":"), allow_nan=False)
    found = line.find(needle)
    if found < 0 or line.find(needle, found + 1) >= 0:  # only where it stands once, so it is the params
        return 0, 0
    return at + found + len('"params":'), len(needle) - len('"params":')


# Two fields of the head authenticate the build (written as 64 zeros first, then filled in place:
# the offsets do not move). "grading_key_sha256" is the grading key's contents' sha256
# (gradingkey.content_sha256), so that a key edited since the build is told from the one it wrote;
# "manifest_hmac" is the HMAC-SHA256, with the exam secret, of manifest.json's bytes with this
# field's value as 64 zeros: only the secret's holder can write a manifest that verify accepts.
KEY_DIGEST_FIELD = "grading_key_sha256"
HMAC_FIELD = "manifest_hmac"
UNSET = "0" * 64


def _field_at(data: bytes, name: str) -> int | None:
    """Where the value of the head's field ``name`` starts in ``data``: found as a member of the
    top-level object (one space of indent; a JSON string cannot hold a raw newline or quote),
    exactly once, with 64 hex digits; else None."""
    needle = b'\n "' + name.encode() + b'": "'
    at = data.find(needle)
    if at < 0 or data.find(needle, at + 1) >= 0:
        return None
    start = at + len(needle)
    value = data[start:start + 65]
    if len(value) != 65 or value[64:] != b'"' or any(c not in b"0123456789abcdef" for c in value[:64]):
        return None
    return start


def field_value(data: bytes, name: str) -> str | None:
    """The head's 64-hex-digit field ``name`` in manifest.json's bytes, or None."""
    at = _field_at(data, name)
    return None if at is None else data[at:at + 64].decode()


def with_field(data: bytes, name: str, value: str) -> bytes:
    """``data`` with the head's field ``name`` set to ``value`` (64 hex digits, in place)."""
    at = _field_at(data, name)
    if at is None or len(value) != 64:
        raise ValueError(f"manifest has no field {name} to set")
    return data[:at] + value.encode() + data[at + 64:]


def manifest_hmac(data: bytes, secret: bytes) -> str | None:
    """The HMAC of manifest.json's bytes with the exam secret (its own field as zeros), or None
    when it has no such field."""
    if _field_at(data, HMAC_FIELD) is None:
        return None
    return hmac.new(secret, b"quizgen manifest\n" + with_field(data, HMAC_FIELD, UNSET), hashlib.sha256).hexdigest()


def authentic(data: bytes, secret: bytes) -> bool:
    """Whether manifest.json's bytes carry the HMAC the build wrote with this secret."""
    expected, found = manifest_hmac(data, secret), field_value(data, HMAC_FIELD)
    return expected is not None and found is not None and hmac.compare_digest(expected, found)


def structure_problems(manifest: dict) -> list:
    """What makes a manifest unusable for grading, seen without the secret: a roster student without
    a paper or a paper without a roster student, a student twice, a student without every question
    and answer blank the others have."""
    problems = []
    students = manifest.get("students")
    if not isinstance(students, list) or not students:
        return ["it lists no students"]
    roster = [s.get("id") for s in manifest.get("roster", {}).get("students", [])]
    ids = [s.get("id") for s in students]
    if len(set(ids)) != len(ids):
        problems.append("a student is listed twice")
    missing = [i for i in roster if i not in set(ids)]
    extra = [i for i in ids if i not in set(roster)]
    if missing:
        problems.append(f"student {missing[0]} of the roster has no paper")
    if extra:
        problems.append(f"student {extra[0]} is not on the roster it froze")

    def layout(student) -> list:
        return [(q.get("number"), [p.get("column") for p in q.get("parts", [])]) for q in student.get("questions", [])]

    first = layout(students[0])
    columns = [c for _, cs in first for c in cs]
    if columns != list(manifest.get("columns", [])):
        problems.append(f"the answer blanks of student {ids[0]} are not the exam's")
    for student in students[1:]:
        mine = layout(student)
        if [n for n, _ in mine] != [n for n, _ in first] or [c for _, cs in mine for c in cs] != columns:
            problems.append(f"student {student.get('id')} does not have every question and answer blank")
            break
    return problems


def file_sha256(path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@contextmanager
def without_cycle_collection():
    """Reading or grading a class makes millions of small objects and no reference cycles; Python's
    cycle collector would walk them all again and again (grading 100,000 students took half as long
    again with it)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load_manifest(path) -> dict:
    """The manifest at ``path``, whole; InputError names what is wrong with it."""
    path = Path(path)
    try:
        with without_cycle_collection():
            return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "no manifest: not a quizgen build directory (or an unfinished build)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, f"is damaged ({exc})") from None


def load_manifest_head(path) -> dict:
    """The manifest at ``path`` without its "students": the exam, spec, roster and files, read
    without the students' lines (one each, last in the file: :func:`manifest_text`)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = b""
            while STUDENTS_MARKER not in data:
                chunk = handle.read(1 << 20)
                if not chunk:
                    break
                data += chunk
    except FileNotFoundError:
        return load_manifest(path)  # raises the message for a missing manifest
    at = data.find(STUDENTS_MARKER)
    if at < 0:  # written some other way
        head = load_manifest(path)
        head.pop("students", None)
        return head
    try:
        return json.loads(data[:at].rstrip(b",") + b"\n}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, f"is damaged ({exc})") from None


def exam_meta(manifest: dict) -> dict:
    """The pages' data (:func:`quizgen.papers.spec.page_meta`) from a frozen manifest, or its head
    (grading happens long after the build): the same as the papers had, but for the logo."""
    return page_meta(spec_from_dict(manifest["spec"]["raw"], manifest["spec"].get("path", MANIFEST)))
