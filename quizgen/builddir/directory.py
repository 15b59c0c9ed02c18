"""The build directory's two contract files, written and read in one place.

``manifest.json`` is the source of truth (:mod:`quizgen.builddir.manifest`);
``grading-key.npz`` is derived from it (:mod:`quizgen.builddir.gradingkey`). A
:class:`BuildDir` writes them at the end of a build and gives graders, the
report, feedback pages and verify what they read of them: the students, the
key, single questions and their params, the page header, the manifest's digest.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zlib
from pathlib import Path

from quizgen.errors import InputError
from quizgen.files import write_atomic
from quizgen.builddir import gradingkey
from quizgen.builddir.gradingkey import GradingKey
from quizgen.builddir.manifest import (HMAC_FIELD, KEY_DIGEST_FIELD, MANIFEST, UNSET, authentic, exam_meta,
    field_value, file_sha256, load_manifest, load_manifest_head, manifest_hmac, manifest_text, structure_problems,
    with_field)
from quizgen.builddir.params import ParamsStore


class BuildDir:
    """A build directory. Reads are made once and kept (a command reads one build); questions are
    read by the key's offsets with ``os.pread`` on one open file, shared by forked workers. Close
    it (or use it in a ``with``) to close that file.

    ``banks``: question-bank folders besides quizgen's own, given by the instructor (``--bank``): a
    build directory is data, and the folders its manifest names are never loaded (:meth:`bank`).

    What is read is checked as far as it can be without the secret (:meth:`key`): the manifest must
    be the one the key recorded at the build, the key the one the manifest recorded, every student
    must have every question. With the secret, :meth:`authenticate` proves the manifest is the one
    the build wrote. ``notices`` collects what a person should be told (a key remade, say).
    """

    def __init__(self, path, banks=()):
        self.path = Path(path)
        self.banks = tuple(banks)
        self.notices: list = []
        self._bank = None
        self._key_contents: str | None = None
        self.manifest_path = self.path / MANIFEST
        self.key_path = self.path / gradingkey.FILE_NAME
        self._manifest: dict | None = None
        self._on_disk: GradingKey | None = None
        self._on_disk_read = False
        self._key: GradingKey | None = None
        self._fd: int | None = None
        self._layout: dict | None = None  # question number -> (columns, each student's template id)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "BuildDir":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing (the build) ------------------------------------------------------------------

    def write(self, manifest: dict, bank, secret: bytes) -> None:
        """Write the grading key of ``manifest`` (its kinds looked up in ``bank``), then
        manifest.json (last: a directory without one is unfinished), recording the key's contents'
        sha256 in it and authenticating it with the exam ``secret`` (:mod:`manifest`)."""
        text, offsets = manifest_text(manifest | {KEY_DIGEST_FIELD: UNSET, HMAC_FIELD: UNSET})
        data = text.encode("ascii")
        key = gradingkey.from_manifest(manifest, bank, "", offsets)
        key.params = ParamsStore.from_texts([[data[q[2]:q[2] + q[3]] for q in questions] for questions in offsets])
        data = with_field(data, KEY_DIGEST_FIELD, gradingkey.content_sha256(key))
        data = with_field(data, HMAC_FIELD, manifest_hmac(data, secret))
        key.manifest_sha256 = hashlib.sha256(data).hexdigest()
        key.manifest_stamp = [len(data), time.time_ns()]
        write_atomic(self.key_path, gradingkey.to_bytes(key))
        write_atomic(self.manifest_path, data)
        os.utime(self.manifest_path, ns=(key.manifest_stamp[1], key.manifest_stamp[1]))

    # -- the manifest -------------------------------------------------------------------------

    def manifest(self) -> dict:
        """manifest.json, whole; InputError names what is wrong with it."""
        if self._manifest is None:
            self._manifest = load_manifest(self.manifest_path)
        return self._manifest

    def manifest_head(self) -> dict:
        """manifest.json without its "students" (read without their lines unless read whole already)."""
        if self._manifest is not None:
            return {k: v for k, v in self._manifest.items() if k != "students"}
        return load_manifest_head(self.manifest_path)

    def exam_meta(self) -> dict:
        """The page header's data (title, course, date, ...) as the build froze it."""
        return exam_meta(self.manifest_head())

    def digest(self) -> str:
        """manifest.json's sha256: the one the key file recorded when the manifest still has the size
        and modification time it was written with (a file changed since has another, as make and git
        assume), else hashed. ``quizgen verify`` always hashes (:func:`file_sha256`)."""
        try:
            stat = self.manifest_path.stat()
        except FileNotFoundError:
            self.manifest()  # raises the message for a missing manifest
            raise
        key = self.key_on_disk()
        if key is not None and key.manifest_stamp == [stat.st_size, stat.st_mtime_ns]:
            return key.manifest_sha256
        return file_sha256(self.manifest_path)

    # -- the grading key ----------------------------------------------------------------------

    def read_key(self) -> GradingKey:
        """The key file as it is on disk; raises one of :data:`gradingkey.UNREADABLE` when it is
        missing, damaged or of another format."""
        return gradingkey.from_bytes(self.key_path)

    def key_on_disk(self) -> GradingKey | None:
        """The key file as it is on disk, or None when it cannot be read (whether it is current is
        for :meth:`key` to say)."""
        if not self._on_disk_read:
            try:
                self._on_disk = self.read_key()
            except gradingkey.UNREADABLE:
                self._on_disk = None
            self._on_disk_read = True
        return self._on_disk

    def key(self, digest=None) -> GradingKey:
        """The build's grading key: the key file, made at the build from this manifest, or remade
        from the manifest when the file is missing, damaged or of another format (said in
        ``notices``). InputError when the manifest is not the one the key file recorded at the
        build, the key file not the one the manifest recorded, or a student lacks a question.

        ``digest`` is the manifest's sha256, or a function giving it (asked for only once the key
        file is read, so that hashing in a thread and reading overlap); :meth:`digest` when None.
        """
        if self._key is None:
            on_disk = self.key_on_disk()
            digest = digest() if callable(digest) else digest if digest is not None else self.digest()
            if on_disk is not None:
                if on_disk.manifest_sha256 != digest:
                    raise InputError(self.manifest_path, f"is not the manifest this exam was built with: its sha256 "
                                                         f"is not the one {self.key_path.name} recorded at the build "
                                                         f"(edited since?). Run quizgen verify with the exam's secret; "
                                                         f"to change an exam, build it again")
                recorded = self.manifest_head().get(KEY_DIGEST_FIELD)
                if recorded is None:
                    self.notices.append(f"{self.manifest_path} records no digest of {self.key_path.name} (built by an "
                                        f"older quizgen): the key cannot be checked; quizgen verify checks it")
                elif recorded != self.key_contents_sha256():
                    raise InputError(self.key_path, f"is not the grading key this exam was built with (its contents "
                                                    f"are not those {MANIFEST} records: edited since?); delete it "
                                                    f"(grading remakes it from {MANIFEST}) and run quizgen verify")
                self._check(gradingkey.structure_problems(on_disk), self.key_path)
                self._key = on_disk
            else:
                manifest = self.manifest()
                self._check(structure_problems(manifest), self.manifest_path)
                self._key = gradingkey.from_manifest(manifest, self.bank(), digest)
                self.notices.append(f"{self.key_path.name} was missing or unreadable: remade from {self.manifest_path}, "
                                    f"which only quizgen verify (with the exam's secret) can prove is the build's")
        return self._key

    def key_contents_sha256(self) -> str | None:
        """The sha256 of the key file's contents (:func:`gradingkey.content_sha256`; None without a
        readable key file), computed once: grading has it hashed in a thread while it reads files."""
        if self._key_contents is None and self.key_on_disk() is not None:
            self._key_contents = gradingkey.content_sha256(self.key_on_disk())
        return self._key_contents

    def _check(self, problems: list, path) -> None:
        if problems:
            raise InputError(path, f"cannot be graded: {problems[0]} (edited since the build?); run quizgen verify "
                                   f"with the exam's secret")

    def authenticate(self, secret: bytes) -> None:
        """InputError unless manifest.json is, byte for byte, the one the build wrote with this secret
        (its HMAC; the key it records is then the build's too)."""
        self.manifest()  # the message for a missing or damaged manifest
        data = self.manifest_path.read_bytes()
        if field_value(data, HMAC_FIELD) is None:
            raise InputError(self.manifest_path, "carries no HMAC (built by an older quizgen): it cannot be proved "
                                                 "to be the build's; build the exam again")
        if not authentic(data, secret):
            raise InputError(self.manifest_path, "is not the manifest the build wrote with this secret (its HMAC "
                                                 "differs): edited since, or another exam's secret")

    def bank(self):
        """The question bank to grade with: quizgen's own templates and the folders the instructor
        gave (``banks``), never the folders the manifest names: a build directory is data, and
        loading a template runs its code. InputError when a template the exam uses is in none of
        them; a template whose file is not the one the build used is said in ``notices``."""
        if self._bank is None:
            from quizgen.bank.loader import load_bank  # only here: loading templates is slow

            bank = load_bank(self.banks)
            on_disk = self.key_on_disk()
            head = self.manifest_head()
            used = {g.template_id for g in on_disk.groups} if on_disk is not None else \
                {q["template_id"] for s in self.manifest()["students"] for q in s["questions"]}
            missing = sorted(used - set(bank.templates))
            if missing:
                named = head.get("spec", {}).get("banks", [])
                raise InputError(self.manifest_path, f"uses template{'s' if len(missing) > 1 else ''} "
                                                     f"{', '.join(missing[:5])}, in no bank given: give the exam's "
                                                     f"banks with --bank PATH (it was built with "
                                                     f"{', '.join(map(str, named)) or 'quizgen own'}; quizgen never "
                                                     f"loads code from folders a build directory names)")
            for template_id, digest in sorted(head.get("template_sha256", {}).items()):
                template = bank.templates.get(template_id)
                if template is not None and template.path and file_sha256(template.path) != digest:
                    self.notices.append(f"template {template_id} ({template.path}) is not the file the exam was "
                                        f"built with; grading uses the frozen variants (quizgen regrade --recompute "
                                        f"re-solves them with it)")
            self._bank = bank
        return self._bank

    def students(self) -> list:
        """The roster as the build froze it: [(id, name)], in order."""
        return self.key().students

    def variant_codes(self) -> dict:
        """Student id -> the variant code printed on that student's paper (read from the manifest
        whole: only when a submission names codes)."""
        return {s["id"]: s["variant_code"] for s in self.manifest()["students"]}

    # -- single questions ---------------------------------------------------------------------

    def question(self, index: int, position: int) -> dict:
        """Student ``index``'s question ``position`` (both 0-based) as manifest.json has it, read
        alone by the key's offsets (from the manifest whole when the key was remade from it)."""
        key = self.key()
        if not len(key.offsets):
            return self.manifest()["students"][index]["questions"][position]
        start, length = (int(v) for v in key.offsets[index, position, :2])
        try:
            record = json.loads(os.pread(self._manifest_fd(), length, start))
        except ValueError:
            record = None
        if not isinstance(record, dict) or record.get("number") != position + 1:
            self._lost(index, position)
        return record

    def for_carrying(self, index: int, position: int) -> dict:
        """What error carried forward needs of student i's question k: its template_id, its
        variant's params and choices, and its parts' columns. The params come from the key; a
        question with choices is read whole (:meth:`question`)."""
        key = self.key()
        if not len(key.offsets) or not key.offsets[index, position, 3]:
            return self.question(index, position)
        try:
            text = key.params.get(index, position)
            params = json.loads(text) if text is not None else None
        except (ValueError, zlib.error):
            params = None
        if not isinstance(params, dict):
            self._lost(index, position)
        if self._layout is None:
            self._layout = key.question_layout()
        columns, template_of = self._layout[position + 1]
        return {"template_id": template_of[index], "variant": {"params": params, "choices": {}},
                "parts": [{"column": c} for c in columns]}

    def params(self, index: int, position: int) -> dict:
        """Student ``index``'s question ``position``'s frozen params, as manifest.json has them."""
        return self.for_carrying(index, position)["variant"]["params"]

    def _manifest_fd(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.manifest_path, os.O_RDONLY)
        return self._fd

    def _lost(self, index: int, position: int):
        raise InputError(self.key_path, f"does not find student {self.key().students[index][0]}'s question "
                                        f"{position + 1} in {self.manifest_path}; delete it (grading remakes it) "
                                        f"and run quizgen verify")
