"""What ``quizgen grade`` is given, as the files it reads: files, folders, and zip archives such as
an LMS's "download all submissions" (Moodle: one folder per student,
``Ada Lovelace_1234_assignsubmission_file/answers-exam-001.csv``; Canvas: one file per student,
``lovelaceada_1234_5678_answers-exam-001.csv``, ``..._LATE_...`` when late).

Each file keeps the name messages use (``all.zip: Ada Lovelace_1234_.../answers.csv``). Nothing is
unpacked to disk: a zip member is read into memory, its size bounded first.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from quizgen.errors import InputError
from quizgen.files import read_regular_file
from quizgen.workbooks import workbook_kind

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".ods")
MAX_MEMBER = 100 * 1024 * 1024  # a class's answers fit many times over


@dataclass
class SubmissionFile:
    """One file to read: on disk (``data`` None) or a zip member (its bytes)."""
    name: str
    path: Path
    data: bytes | None = None


def _skipped(name: str) -> bool:
    parts = Path(name).parts
    # macOS's resource forks and hidden files that zipping a folder adds
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or Path(name).suffix.lower() not in SUFFIXES


def _zip_members(path: Path, data: bytes) -> list:
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(path, "is a damaged zip archive; download it again") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not _skipped(m.filename)]
        if not members:
            raise InputError(path, f"holds no {', '.join(SUFFIXES)} file")
        out = []
        for member in sorted(members, key=lambda m: m.filename):
            if member.file_size > MAX_MEMBER:
                raise InputError(path, f"{member.filename} unpacks to {member.file_size / 2**20:,.0f} MB; at most "
                                       f"{MAX_MEMBER / 2**20:,.0f} MB is read (is it the right file?)")
            if member.flag_bits & 0x1:
                raise InputError(path, f"{member.filename} is encrypted; unpack it yourself")
            out.append(SubmissionFile(f"{path}: {member.filename}", path, archive.read(member)))
        return out


def submission_files(paths) -> list:
    """Every file to grade from ``paths``: a file as it is, a folder's files (sorted, hidden ones
    left out), a zip archive's files (a workbook .xlsx/.ods, itself a zip, is a file)."""
    files = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and not _skipped(str(f.relative_to(path))))
            if not found:
                raise InputError(path, f"is a folder with no {', '.join(SUFFIXES)} file in it")
            files += submission_files(found)
        elif _starts_as_zip(path):
            data = read_regular_file(path)
            # a workbook is a zip whose rows are read as a table: its bytes, read once, go with it
            files += [SubmissionFile(str(path), path, data)] if workbook_kind(data) else _zip_members(path, data)
        else:
            files.append(SubmissionFile(str(path), path))
    return files


def _starts_as_zip(path: Path) -> bool:
    if not path.is_file():
        return False  # not opened: a named pipe would block; reading it later names the problem
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False  # reading it later names the problem
