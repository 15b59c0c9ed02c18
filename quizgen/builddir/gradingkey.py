"""The grading key: the whole class's key for every answer blank, as arrays, beside the manifest.

Grading a large class from ``manifest.json`` alone means parsing every frozen
variant (params, steps, worked solutions: about 10 kB a student) to use a few
numbers of each. The build therefore also writes ``grading-key.npz``:

* per answer column and template part (a *group*), over the students who have
  that part: the key, the hand-calculation key and each named mistake's answer
  (NaN where a mistake leaves the part alone), as float arrays; for a part
  offered as multiple choice, the key's letter and the mistake behind each
  option; for the other kinds (symbolic, essay, matrix, several letters) the
  part's frozen key data as JSON;
* the points of each part, the roster, the columns, and where each student's
  question's record is in ``manifest.json``, so a question that needs the whole
  variant (error carried forward from a multiple-choice part) is read alone;
* every question's frozen params (what error carried forward gives solve), as
  manifest.json has them, compressed in blocks of students: read from the
  manifest, a class's checks were reads at random places in a file of about
  8 kB a student (1.5 ms each from a cold disk).

It is derived data, never the source of truth: it records the sha256 of the
manifest it was made from, and grading remakes it from the manifest when they
differ (an older build, or a manifest written by hand).
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import os
import time
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from quizgen.errors import InputError
from quizgen.files import write_atomic
from quizgen.bank.kinds import LETTERS, Choice, Integer, Number, Shape, Vector

FILE_NAME = "grading-key.npz"
UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)  # a damaged or foreign file
FORMAT = 3  # 2: four offsets a question (its params too) and the manifest's stamp; 3: the params in
            # the key. A quizgen that reads only older formats finds a newer key unreadable and remakes
            # it from the manifest
READS = (1, 2, 3)
PARAMS_BLOCK = 256  # students whose params are compressed together (about 250 kB of JSON)
MANIFEST = "manifest.json"

# the kinds whose key and mistakes are stored as float arrays, compared for the whole class at once
NUMERIC = (Number, Integer, Vector, Shape)


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


@dataclass
class Group:
    """One answer column's part of one template, for the students who have it (``rows``)."""

    column: str
    template_id: str
    part: str
    mode: str                    # "numeric", "choice" (a numeric part as letters), "letter", "generic"
    shape: tuple = ()
    mistake_names: list = field(default_factory=list)
    n_options: int = 0
    rows: np.ndarray = None      # student indices
    points: np.ndarray = None
    key: np.ndarray = None       # numeric: (n, *shape); choice/letter: (n,) letter index
    hand: np.ndarray = None      # numeric: (n, *shape)
    mistakes: np.ndarray = None  # numeric: (n, M, *shape), NaN = not this mistake; choice: (n, K) name index or -1
    data: list = None            # generic, and choice (for unusual spellings): each student's key data

    def part_data(self, j: int) -> dict:
        """Student ``j``'s (of ``rows``) frozen key data for this part: the variant's answers, hand
        answers, mistakes and choices cut down to it, as ``grading._grade_part`` reads them."""
        if self.data is not None:
            return self.data[j]
        if self.mode == "letter":
            letter = [LETTERS[int(self.key[j])]]
            return {"answers": {self.part: letter}, "hand_answers": {self.part: letter}, "mistakes": {},
                    "choices": {}}
        mistakes = {name: {self.part: self.mistakes[j, m].tolist()}
                    for m, name in enumerate(self.mistake_names) if not np.isnan(self.mistakes[j, m]).any()}
        return {"answers": {self.part: self.key[j].tolist()}, "hand_answers": {self.part: self.hand[j].tolist()},
                "mistakes": mistakes, "choices": {}}

    def meta(self) -> dict:
        return {"column": self.column, "template_id": self.template_id, "part": self.part, "mode": self.mode,
                "shape": list(self.shape), "mistake_names": self.mistake_names, "n_options": self.n_options}


@dataclass
class ParamsStore:
    """Each student's questions' frozen params, the JSON text manifest.json has, zlib-compressed in
    blocks: one question's params for :data:`PARAMS_BLOCK` students in a row. A block is inflated when
    one of its questions is asked for, and the last few are kept (error carried forward asks in
    student order); a block holds one question alone, so a check inflates little besides its own."""

    blob: np.ndarray    # uint8: the compressed blocks one after another (block b*questions + k: question
                        # k of students b*per_block...)
    blocks: np.ndarray  # (blocks + 1,) where each block starts in blob
    spans: np.ndarray   # (students, questions, 2) start and length of a question's params in its
                        # inflated block; length 0 where there are none (a question with choices)
    per_block: int = PARAMS_BLOCK  # students in a block (as written: a later quizgen may write others)
    _inflated: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # block -> bytes

    @classmethod
    def from_texts(cls, texts: list) -> "ParamsStore":
        """``texts[i][k]``: student i's question k's params as JSON bytes (b"" for none)."""
        n, questions, per_block = len(texts), max((len(t) for t in texts), default=0), PARAMS_BLOCK
        spans = np.zeros((n, questions, 2), dtype=np.int32)
        pieces, blocks, at = [], [0], 0
        for lo in range(0, n, per_block):
            for k in range(questions):
                block, start = [], 0
                for i in range(lo, min(n, lo + per_block)):
                    text = texts[i][k] if k < len(texts[i]) else b""
                    spans[i, k] = start, len(text)
                    block.append(text)
                    start += len(text)
                packed = zlib.compress(b"".join(block), 1)  # 4x smaller at 100 MB/s; 6: 3.9x slower, 1.6x smaller
                pieces.append(packed)
                at += len(packed)
                blocks.append(at)
        return cls(np.frombuffer(b"".join(pieces), dtype=np.uint8), np.asarray(blocks, dtype=np.int64), spans,
                   per_block)

    def get(self, index: int, position: int) -> bytes | None:
        """Student ``index``'s question ``position``'s params (JSON), or None where it has none."""
        start, length = self.spans[index, position].tolist()
        if not length:
            return None
        return self._block(index // self.per_block * self.spans.shape[1] + position)[start:start + length]

    def _block(self, b: int) -> bytes:
        cache = self._inflated
        if b not in cache:
            if len(cache) >= 2 * self.spans.shape[1]:
                cache.pop(next(iter(cache)))
            cache[b] = zlib.decompress(self.blob[self.blocks[b]:self.blocks[b + 1]].tobytes())
        return cache[b]


@dataclass
class GradingKey:
    exam_id: str
    manifest_sha256: str
    columns: list
    question_of: dict            # column -> question number
    students: list               # [(id, name)]
    groups: list
    offsets: np.ndarray          # (n, questions, 4): where each question's record and its params are in
                                 # manifest.json (manifest_text); empty if unknown, (n, questions, 2) in older keys
    banks: list = field(default_factory=list)  # the spec's question-bank folders
    manifest_stamp: list = field(default_factory=list)  # [size, mtime in ns] manifest.json was written with
    params: ParamsStore | None = None  # every question's params (format 3; None in older keys and when
                                       # remade from the manifest, which then has them at hand)

    def students_slice(self, lo: int, hi: int) -> "GradingKey":
        """The key of students lo..hi-1 alone (indexed from 0)."""
        groups = []
        for g in self.groups:
            take = slice(int(np.searchsorted(g.rows, lo)), int(np.searchsorted(g.rows, hi)))
            groups.append(Group(g.column, g.template_id, g.part, g.mode, g.shape, g.mistake_names, g.n_options,
                                rows=g.rows[take] - lo, points=g.points[take],
                                **{name: getattr(g, name)[take] if getattr(g, name) is not None else None
                                   for name in ("key", "hand", "mistakes", "data")}))
        return GradingKey(self.exam_id, self.manifest_sha256, self.columns, self.question_of, self.students[lo:hi],
                          groups, self.offsets[lo:hi] if len(self.offsets) else self.offsets, self.banks,
                          self.manifest_stamp)  # without the params: they are read by the whole key's index

    def points_of(self, index: int) -> dict:
        """column -> points, for the student at ``index``."""
        points = {}
        for g in self.groups:
            at = int(np.searchsorted(g.rows, index))
            if at < len(g.rows) and g.rows[at] == index:
                points[g.column] = float(g.points[at])
        return {c: points[c] for c in self.columns if c in points}


def _part_data(variant: dict, part: str) -> dict:
    choice = variant.get("choices", {}).get(part)
    return {"answers": {part: variant["answers"][part]},
            "hand_answers": {part: variant["hand_answers"].get(part, variant["answers"][part])},
            "mistakes": {m: {part: a[part]} for m, a in variant["mistakes"].items() if part in a},
            "choices": {part: choice} if choice else {}}


def _json_shape(value) -> tuple:
    """The shape of a frozen array (nested lists of numbers, rectangular as numpy wrote them)."""
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


def _mode(kind, variant: dict, part: str) -> tuple[str, tuple]:
    choice = variant.get("choices", {}).get(part)
    if choice:
        return "choice", (len(choice["options"]),)
    if type(kind) in NUMERIC:
        shape = _json_shape(variant["answers"][part])
        values = [variant["hand_answers"].get(part)] + [a[part] for a in variant["mistakes"].values() if part in a]
        if all(_json_shape(v) == shape for v in values if v is not None):
            return "numeric", shape
    if (type(kind) is Choice and not kind.multiple and len(variant["answers"][part]) == 1
            and variant["hand_answers"].get(part, variant["answers"][part]) == variant["answers"][part]
            and not any(part in a for a in variant["mistakes"].values())):
        return "letter", ()
    return "generic", ()


def from_manifest(manifest: dict, bank, manifest_sha256: str, offsets=None) -> GradingKey:
    """The grading key of a manifest (its templates' answer kinds looked up in ``bank``)."""
    collected: dict = {}
    question_of: dict = {}
    for i, student in enumerate(manifest["students"]):
        for q in student["questions"]:
            template = bank.get(q["template_id"])
            variant = q["variant"]
            for p in q["parts"]:
                question_of[p["column"]] = q["number"]
                kind = template.part(p["name"]).kind
                mode, shape = _mode(kind, variant, p["name"])
                names = [m for m in variant["mistakes"] if p["name"] in variant["mistakes"][m]] \
                    if mode == "numeric" else ()
                group_key = (p["column"], q["template_id"], p["name"], mode, shape)
                entry = collected.setdefault(group_key, {"rows": [], "points": [], "items": [], "names": set()})
                entry["names"].update(names)
                entry["rows"].append(i)
                entry["points"].append(p["points"])
                entry["items"].append(variant)
    groups = [_group(k, v) for k, v in collected.items()]
    return GradingKey(exam_id=manifest["exam_id"], manifest_sha256=manifest_sha256, columns=list(manifest["columns"]),
                      question_of=question_of, students=[(s["id"], s["name"]) for s in manifest["students"]],
                      groups=groups, offsets=np.asarray(offsets if offsets else np.zeros((0, 0, 2)), dtype=np.int64),
                      banks=list(manifest["spec"].get("banks", [])))


def _group(group_key, entry) -> Group:
    column, template_id, part, mode, shape = group_key
    variants = entry["items"]
    group = Group(column, template_id, part, mode, rows=np.asarray(entry["rows"], dtype=np.int64),
                  points=np.asarray(entry["points"], dtype=float))
    n = len(variants)
    if mode == "numeric":
        names = sorted(entry["names"])  # canonical: the manifest's order (sorted) or the build's alike
        position = {name: m for m, name in enumerate(names)}
        group.shape, group.mistake_names = shape, names
        group.key = np.array([v["answers"][part] for v in variants], dtype=float).reshape((n,) + shape)
        group.hand = np.array([v["hand_answers"].get(part, v["answers"][part]) for v in variants],
                              dtype=float).reshape((n,) + shape)
        group.mistakes = np.full((n, len(names)) + shape, np.nan)
        for j, v in enumerate(variants):
            for name, answers in v["mistakes"].items():
                if part in answers:
                    group.mistakes[j, position[name]] = answers[part]
    elif mode == "choice":
        group.n_options = shape[0]
        names = sorted({m for v in variants for m in v["choices"][part]["mistakes"] if m})
        group.mistake_names = names
        group.key = np.array([LETTERS.index(v["choices"][part]["key"]) for v in variants], dtype=np.int64)
        group.mistakes = np.array([[names.index(m) if m else -1 for m in v["choices"][part]["mistakes"]]
                                   for v in variants], dtype=np.int64).reshape(n, group.n_options)
        group.data = [_part_data(v, part) for v in variants]
    elif mode == "letter":
        group.key = np.array([LETTERS.index(v["answers"][part][0]) for v in variants], dtype=np.int64)
    else:
        group.data = [_part_data(v, part) for v in variants]
    return group


# -- the file ----------------------------------------------------------------------------------

def to_bytes(key: GradingKey) -> bytes:
    meta = {"format": FORMAT, "exam_id": key.exam_id, "manifest_sha256": key.manifest_sha256,
            "manifest_stamp": key.manifest_stamp,
            "columns": key.columns, "question_of": key.question_of, "students": key.students, "banks": key.banks,
            "groups": [g.meta() for g in key.groups]}
    arrays = {"meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), "offsets": key.offsets}
    for n, g in enumerate(key.groups):
        for name in ("rows", "points", "key", "hand", "mistakes"):
            value = getattr(g, name)
            if value is not None:
                arrays[f"g{n}.{name}"] = value
        if g.data is not None:
            arrays[f"g{n}.data"] = np.frombuffer(json.dumps(g.data).encode(), dtype=np.uint8)
    if key.params is not None:
        arrays |= {"params.blob": key.params.blob, "params.blocks": key.params.blocks,
                   "params.spans": key.params.spans, "params.per_block": np.array([key.params.per_block])}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def from_bytes(data) -> GradingKey:
    """The key from the bytes of a key file, or from the file itself (a path: read once, not copied)."""
    with np.load(io.BytesIO(data) if isinstance(data, bytes) else data, allow_pickle=False) as arrays:
        meta = json.loads(arrays["meta"].tobytes())
        if meta.get("format") not in READS:
            raise ValueError(f"grading key format {meta.get('format')}, expected one of {READS}")
        groups = []
        for n, m in enumerate(meta["groups"]):
            g = Group(m["column"], m["template_id"], m["part"], m["mode"], tuple(m["shape"]),
                      m["mistake_names"], m["n_options"])
            for name in ("rows", "points", "key", "hand", "mistakes"):
                if f"g{n}.{name}" in arrays:
                    setattr(g, name, arrays[f"g{n}.{name}"])
            if f"g{n}.data" in arrays:
                g.data = json.loads(arrays[f"g{n}.data"].tobytes())
            groups.append(g)
        params = ParamsStore(arrays["params.blob"], arrays["params.blocks"], arrays["params.spans"],
                             int(arrays["params.per_block"][0])) if "params.blob" in arrays else None
        return GradingKey(meta["exam_id"], meta["manifest_sha256"], meta["columns"], meta["question_of"],
                          [tuple(s) for s in meta["students"]], groups, arrays["offsets"], meta["banks"],
                          meta.get("manifest_stamp", []), params)


def write_manifest(build_dir, manifest: dict, bank) -> None:
    """Write the grading key, then manifest.json (last: a directory without one is unfinished)."""
    text, offsets = manifest_text(manifest)
    data = text.encode("ascii")
    digest = hashlib.sha256(data).hexdigest()
    key = from_manifest(manifest, bank, digest, offsets)
    key.manifest_stamp = [len(data), time.time_ns()]
    key.params = ParamsStore.from_texts([[data[q[2]:q[2] + q[3]] for q in questions] for questions in offsets])
    write_atomic(Path(build_dir) / FILE_NAME, to_bytes(key))
    write_atomic(Path(build_dir) / MANIFEST, data)
    os.utime(Path(build_dir) / MANIFEST, ns=(key.manifest_stamp[1], key.manifest_stamp[1]))


def manifest_digest(build_dir, key: GradingKey | None = None) -> str:
    """manifest.json's sha256: the one ``key`` recorded when the manifest still has the size and
    modification time it was written with (a file changed since has another, as make and git
    assume), else hashed. ``quizgen verify`` always hashes."""
    path = Path(build_dir) / MANIFEST
    try:
        stat = path.stat()
    except FileNotFoundError:
        load_manifest(build_dir)  # raises the message for a missing manifest
        raise
    if key is not None and key.manifest_stamp == [stat.st_size, stat.st_mtime_ns]:
        return key.manifest_sha256
    return file_sha256(path)


def differences(a: GradingKey, b: GradingKey) -> list:
    """What differs between two grading keys (empty when they grade alike)."""
    out = []
    for name in ("exam_id", "manifest_sha256", "columns", "question_of", "students"):
        if getattr(a, name) != getattr(b, name):
            out.append(name)
    if len(a.groups) != len(b.groups):
        return out + ["the number of answer groups"]
    for x, y in zip(a.groups, b.groups):
        if x.meta() != y.meta():
            out.append(f"{x.column}: {x.template_id} {x.part}")
            continue
        for name in ("rows", "points", "key", "hand", "mistakes"):
            u, v = getattr(x, name), getattr(y, name)
            if (u is None) != (v is None) or (u is not None and not np.array_equal(u, v, equal_nan=True)):
                out.append(f"{x.column}: {name}")
        if x.data != y.data:
            out.append(f"{x.column}: key data")
    return out


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


def load_manifest(build_dir) -> dict:
    """The build directory's manifest.json, whole; InputError names what is wrong with it."""
    path = Path(build_dir) / MANIFEST
    try:
        with without_cycle_collection():
            return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "no manifest: not a quizgen build directory (or an unfinished build)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, f"is damaged ({exc})") from None


def read(build_dir) -> GradingKey | None:
    """The key file as it is on disk, or None when it is missing or damaged (whether it is current
    is for :func:`load` to say)."""
    try:
        return from_bytes(Path(build_dir) / FILE_NAME)
    except UNREADABLE:
        return None


def load_manifest_head(build_dir) -> dict:
    """manifest.json without its "students": the exam, spec, roster and files, read without the
    students' lines (one each, last in the file: :func:`manifest_text`)."""
    path = Path(build_dir) / MANIFEST
    marker = b'\n "students": [\n'
    try:
        with open(path, "rb") as handle:
            data = b""
            while marker not in data:
                chunk = handle.read(1 << 20)
                if not chunk:
                    break
                data += chunk
    except FileNotFoundError:
        return load_manifest(build_dir)  # raises the message for a missing manifest
    at = data.find(marker)
    if at < 0:  # written some other way
        head = load_manifest(build_dir)
        head.pop("students", None)
        return head
    try:
        return json.loads(data[:at].rstrip(b",") + b"\n}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, f"is damaged ({exc})") from None


def load(build_dir, manifest_sha256, banks=(), on_disk: GradingKey | None = None) -> tuple[GradingKey, dict | None]:
    """The build's grading key, and the whole manifest when the key had to be remade from it
    (missing, damaged or out of date); None when the key file was current.

    ``manifest_sha256`` is the manifest's digest, or a function giving it: it is then asked for
    only once the key file is read, so that hashing (a thread: hashlib lets go of the GIL) and
    reading overlap. ``on_disk`` is the key file already read (:func:`read`), if it was.
    """
    key = on_disk if on_disk is not None else read(build_dir)
    digest = manifest_sha256() if callable(manifest_sha256) else manifest_sha256
    if key is not None and key.manifest_sha256 == digest:
        return key, None
    from quizgen.bank.loader import load_bank

    manifest = load_manifest(build_dir)
    bank = load_bank(tuple(manifest["spec"]["banks"]) + tuple(banks))
    return from_manifest(manifest, bank, digest), manifest


class QuestionReader:
    """Reads single questions out of manifest.json by the key's offsets: ``reader(i, k)`` is student
    i's question k (0-based, as printed). One open file, read with ``os.pread`` (no shared file
    position, so forked worker processes can use it at once)."""

    def __init__(self, build_dir, key: GradingKey):
        self.path = Path(build_dir) / MANIFEST
        self.key = key
        self.fd = os.open(self.path, os.O_RDONLY)

    def close(self):
        os.close(self.fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __call__(self, index: int, position: int) -> dict:
        start, length = (int(v) for v in self.key.offsets[index, position, :2])
        try:
            record = json.loads(os.pread(self.fd, length, start))
        except ValueError:
            record = None
        if not isinstance(record, dict) or record.get("number") != position + 1:
            self._lost(index, position)
        return record

    def for_carrying(self, index: int, position: int) -> dict:
        """What error carried forward needs of student i's question k: its template_id, its
        variant's params and choices, and its parts' columns. The params come from the key
        (format 3), or are read alone from manifest.json (format 2: a few hundred bytes, not the
        whole record); a question with choices is read whole."""
        offsets = self.key.offsets[index, position]
        if len(offsets) < 4 or not offsets[3]:
            return self(index, position)
        try:
            stored = self.key.params
            text = stored.get(index, position) if stored is not None \
                else os.pread(self.fd, int(offsets[3]), int(offsets[2]))
            params = json.loads(text) if text is not None else None
        except (ValueError, zlib.error):
            params = None
        if not isinstance(params, dict):
            self._lost(index, position)
        if self._questions is None:
            self._questions = _question_layout(self.key)
        columns, template_of = self._questions[position + 1]
        return {"template_id": template_of[index], "variant": {"params": params, "choices": {}},
                "parts": [{"column": c} for c in columns]}

    _questions = None

    def _lost(self, index: int, position: int):
        raise InputError(self.path.parent / FILE_NAME,
                         f"does not find student {self.key.students[index][0]}'s question {position + 1} in "
                         f"{self.path}; delete it (grading remakes it) and run quizgen verify")


@contextmanager
def carrying_records(build_dir, key: GradingKey, manifest: dict | None = None):
    """``record(i, k)``: what error carried forward needs of student i's question k
    (:meth:`QuestionReader.for_carrying`), read from manifest.json by the key's offsets; from
    ``manifest`` (read whole when not given) for a key without offsets (remade from it)."""
    if len(key.offsets):
        with QuestionReader(build_dir, key) as reader:
            yield reader.for_carrying
    else:
        students = (manifest or load_manifest(build_dir))["students"]
        yield lambda i, k: students[i]["questions"][k]


def _question_layout(key: GradingKey) -> dict:
    """Question number -> its columns (in part order) and each student's template id there."""
    layout = {}
    for number in set(key.question_of.values()):
        columns = [c for c in key.columns if key.question_of[c] == number]
        template_of = np.empty(len(key.students), dtype=object)
        for g in key.groups:
            if g.column == columns[0]:
                template_of[g.rows] = g.template_id
        layout[number] = (columns, template_of)
    return layout
