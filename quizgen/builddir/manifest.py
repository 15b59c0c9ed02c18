"""manifest.json: the build's source of truth (spec, versions, hashes, every frozen variant).

Written one student per line after a head indented for people to read, so that
a question's record is found by its offsets (kept in the grading key) and the
head is read without the students.
"""

from __future__ import annotations

import gc
import hashlib
import json
from contextlib import contextmanager
from pathlib import Path

from quizgen.errors import InputError
from quizgen.papers.spec import print_settings

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
    """The page header's data from a frozen manifest, or its head (grading happens long after the
    build)."""
    raw = manifest["spec"]["raw"]
    sections = raw.get("section", [])
    return {"title": raw.get("title", ""), "course": raw.get("course", ""), "date": str(raw.get("date", "")),
            "duration": str(raw.get("duration", "")), "exam_id": manifest["exam_id"],
            "instructions": raw.get("instructions", ""),
            "sections": [s.get("title", "") for s in sections],
            "section_spaces": [s.get("space") for s in sections],
            # the paper and institution as built; the logo file may be long gone, so none
            "print": print_settings(raw, manifest["spec"].get("path", "manifest.json")).to_json(), "logo": ""}
