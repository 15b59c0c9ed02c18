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
manifest it was made from, and :meth:`quizgen.builddir.BuildDir.key` remakes
it from the manifest when they differ (a manifest written by hand), and when
the file is missing, damaged or of another format (an older build).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field

import numpy as np

from quizgen.bank.kinds import ALL_OR_NOTHING, LETTERS
from quizgen.bank.question import accepted_interval, mistake_interval
from quizgen.builddir.params import ParamsStore

FILE_NAME = "grading-key.npz"
UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)  # a damaged or foreign file
FORMAT = 4  # 2: four offsets a question (its params too) and the manifest's stamp; 3: the params in
            # the key; 4: each numeric part's accepted interval and its mistakes' (lo, hi, mistake_lo/hi). A key of any other format is unreadable here: it is derived data, remade from
            # the manifest (BuildDir.key)


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
    lo: np.ndarray = None        # numeric: (n, *shape), the accepted interval (NaN: compared exactly, key/hand)
    hi: np.ndarray = None
    mistake_lo: np.ndarray = None  # numeric: (n, M, *shape), each mistake's interval (NaN: not this mistake)
    mistake_hi: np.ndarray = None
    data: list = None            # generic, and choice (for unusual spellings): each student's key data
    credit: str = ALL_OR_NOTHING  # the part's multiple_answer_credit rule, as the manifest froze it

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
        out = {"answers": {self.part: self.key[j].tolist()}, "hand_answers": {self.part: self.hand[j].tolist()},
               "mistakes": mistakes, "choices": {}, "intervals": {}, "mistake_intervals": {}}
        if self.lo is not None and not np.isnan(self.lo[j]).any():
            out["intervals"] = {self.part: {"lo": self.lo[j].tolist(), "hi": self.hi[j].tolist()}}
            out["mistake_intervals"] = {
                name: {self.part: {"lo": self.mistake_lo[j, m].tolist(), "hi": self.mistake_hi[j, m].tolist()}}
                for m, name in enumerate(self.mistake_names) if name in mistakes}
        return out

    def meta(self) -> dict:
        return {"column": self.column, "template_id": self.template_id, "part": self.part, "mode": self.mode,
                "shape": list(self.shape), "mistake_names": self.mistake_names, "n_options": self.n_options} \
            | ({"credit": self.credit} if self.credit != ALL_OR_NOTHING else {})


@dataclass
class GradingKey:
    exam_id: str
    manifest_sha256: str
    columns: list
    question_of: dict            # column -> question number
    students: list               # [(id, name)]
    groups: list
    offsets: np.ndarray          # (n, questions, 4): where each question's record and its params are in
                                 # manifest.json (manifest_text); empty when remade from the manifest
    banks: list = field(default_factory=list)  # the spec's question-bank folders
    manifest_stamp: list = field(default_factory=list)  # [size, mtime in ns] manifest.json was written with
    params: ParamsStore | None = None  # every question's params; None when remade from the manifest,
                                       # which then has them at hand

    def students_slice(self, lo: int, hi: int) -> "GradingKey":
        """The key of students lo..hi-1 alone (indexed from 0)."""
        groups = []
        for g in self.groups:
            take = slice(int(np.searchsorted(g.rows, lo)), int(np.searchsorted(g.rows, hi)))
            groups.append(Group(g.column, g.template_id, g.part, g.mode, g.shape, g.mistake_names, g.n_options,
                                rows=g.rows[take] - lo, points=g.points[take], credit=g.credit,
                                **{name: getattr(g, name)[take] if getattr(g, name) is not None else None
                                   for name in ("key", "hand", "mistakes", "data") + INTERVAL_ARRAYS}))
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

    def question_layout(self) -> dict:
        """Question number -> its columns (in part order) and each student's template id there."""
        layout = {}
        for number in set(self.question_of.values()):
            columns = [c for c in self.columns if self.question_of[c] == number]
            template_of = np.empty(len(self.students), dtype=object)
            for g in self.groups:
                if g.column == columns[0]:
                    template_of[g.rows] = g.template_id
            layout[number] = (columns, template_of)
        return layout


INTERVAL_ARRAYS = ("lo", "hi", "mistake_lo", "mistake_hi")
ARRAYS = ("rows", "points", "key", "hand", "mistakes") + INTERVAL_ARRAYS


def _part_data(variant: dict, part: str) -> dict:
    choice = variant.get("choices", {}).get(part)
    intervals = variant.get("intervals", {})
    return {"answers": {part: variant["answers"][part]},
            "hand_answers": {part: variant["hand_answers"].get(part, variant["answers"][part])},
            "mistakes": {m: {part: a[part]} for m, a in variant["mistakes"].items() if part in a},
            "choices": {part: choice} if choice else {},
            "intervals": {part: intervals[part]} if part in intervals else {},
            "mistake_intervals": {m: {part: a[part]} for m, a in variant.get("mistake_intervals", {}).items()
                                  if part in a}}


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
    if kind.column_graded:
        shape = _json_shape(variant["answers"][part])
        values = [variant["hand_answers"].get(part)] + [a[part] for a in variant["mistakes"].values() if part in a]
        if all(_json_shape(v) == shape for v in values if v is not None):
            return "numeric", shape
    if (kind.single_letter and len(variant["answers"][part]) == 1
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
                group_key = (p["column"], q["template_id"], p["name"], mode, shape,
                             p.get("credit", ALL_OR_NOTHING))
                entry = collected.setdefault(group_key, {"rows": [], "points": [], "items": [], "names": set(),
                                                         "part": template.part(p["name"])})
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
    column, template_id, part, mode, shape, credit = group_key
    variants = entry["items"]
    group = Group(column, template_id, part, mode, rows=np.asarray(entry["rows"], dtype=np.int64),
                  points=np.asarray(entry["points"], dtype=float), credit=credit)
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
        _intervals(group, entry["part"], variants, position)
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


def _intervals(group: Group, part, variants: list, position: dict) -> None:
    """The accepted intervals of a numeric group (NaN for a kind compared exactly): each variant's
    frozen ones, or for a manifest from before intervals those :func:`accepted_interval` falls back on."""
    n, shape = len(variants), group.shape
    if part.kind.interval([group.key[0]]) is None:
        return
    group.lo, group.hi = np.full((n,) + shape, np.nan), np.full((n,) + shape, np.nan)
    group.mistake_lo = np.full((n, len(position)) + shape, np.nan)
    group.mistake_hi = np.full((n, len(position)) + shape, np.nan)
    for j, v in enumerate(variants):
        record = _Record(v)
        interval = accepted_interval(part, record)
        group.lo[j], group.hi[j] = interval["lo"], interval["hi"]
        for name, answers in v["mistakes"].items():
            if part.name in answers:
                interval = mistake_interval(part, record, name)
                group.mistake_lo[j, position[name]], group.mistake_hi[j, position[name]] = interval["lo"], interval["hi"]


class _Record:
    """A frozen variant's JSON read as the attributes accepted_interval asks for."""

    def __init__(self, data: dict):
        self.answers, self.hand_answers, self.mistakes = data["answers"], data["hand_answers"], data["mistakes"]
        self.intervals, self.mistake_intervals = data.get("intervals", {}), data.get("mistake_intervals", {})


# -- the file ----------------------------------------------------------------------------------

def to_bytes(key: GradingKey) -> bytes:
    """The key file's bytes (of a key made with its offsets and params, as the build makes it)."""
    meta = {"format": FORMAT, "exam_id": key.exam_id, "manifest_sha256": key.manifest_sha256,
            "manifest_stamp": key.manifest_stamp,
            "columns": key.columns, "question_of": key.question_of, "students": key.students, "banks": key.banks,
            "groups": [g.meta() for g in key.groups]}
    arrays = {"meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), "offsets": key.offsets}
    for n, g in enumerate(key.groups):
        for name in ARRAYS:
            value = getattr(g, name)
            if value is not None:
                arrays[f"g{n}.{name}"] = value
        if g.data is not None:
            arrays[f"g{n}.data"] = np.frombuffer(json.dumps(g.data).encode(), dtype=np.uint8)
    arrays |= {"params.blob": key.params.blob, "params.blocks": key.params.blocks,
               "params.spans": key.params.spans, "params.per_block": np.array([key.params.per_block])}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def from_bytes(data) -> GradingKey:
    """The key from the bytes of a key file, or from the file itself (a path: read once, not copied)."""
    with np.load(io.BytesIO(data) if isinstance(data, bytes) else data, allow_pickle=False) as arrays:
        meta = json.loads(arrays["meta"].tobytes())
        if meta.get("format") != FORMAT:
            raise ValueError(f"grading key format {meta.get('format')}, this quizgen reads {FORMAT}")
        groups = []
        for n, m in enumerate(meta["groups"]):
            g = Group(m["column"], m["template_id"], m["part"], m["mode"], tuple(m["shape"]),
                      m["mistake_names"], m["n_options"], credit=m.get("credit", ALL_OR_NOTHING))
            for name in ARRAYS:
                if f"g{n}.{name}" in arrays:
                    setattr(g, name, arrays[f"g{n}.{name}"])
            if f"g{n}.data" in arrays:
                g.data = json.loads(arrays[f"g{n}.data"].tobytes())
            groups.append(g)
        params = ParamsStore(arrays["params.blob"], arrays["params.blocks"], arrays["params.spans"],
                             int(arrays["params.per_block"][0]))
        return GradingKey(meta["exam_id"], meta["manifest_sha256"], meta["columns"], meta["question_of"],
                          [tuple(s) for s in meta["students"]], groups, arrays["offsets"], meta["banks"],
                          meta["manifest_stamp"], params)


def content_sha256(key: GradingKey) -> str:
    """The sha256 of what the key grades with: everything but the manifest's digest and stamp it
    records (the manifest records this, so the two cannot record each other; :mod:`manifest`)."""
    digest = hashlib.sha256()
    meta = {"exam_id": key.exam_id, "columns": key.columns, "question_of": key.question_of,
            "students": [list(s) for s in key.students], "banks": key.banks, "groups": [g.meta() for g in key.groups]}
    digest.update(json.dumps(meta, sort_keys=True).encode())

    def add(name: str, value) -> None:
        value = np.ascontiguousarray(value)
        digest.update(f"{name} {value.dtype.str} {value.shape}".encode())
        digest.update(value.data if value.dtype != object else json.dumps(value.tolist()).encode())

    add("offsets", key.offsets)
    for n, g in enumerate(key.groups):
        for name in ARRAYS:
            if getattr(g, name) is not None:
                add(f"g{n}.{name}", getattr(g, name))
        if g.data is not None:
            digest.update(json.dumps(g.data).encode())
    if key.params is not None:
        for name in ("blob", "blocks", "spans"):
            add(f"params.{name}", getattr(key.params, name))
        digest.update(str(key.params.per_block).encode())
    return digest.hexdigest()


def structure_problems(key: GradingKey) -> list:
    """What makes a key unusable, seen without the manifest: a student without every answer blank,
    or with one twice."""
    n = len(key.students)
    covered = {c: np.zeros(n, np.int64) for c in key.columns}
    for g in key.groups:
        if g.column not in covered or len(g.rows) and (g.rows.min() < 0 or g.rows.max() >= n):
            return [f"answer blank {g.column} is not the exam's"]
        np.add.at(covered[g.column], g.rows, 1)
    for column, times in covered.items():
        if (times != 1).any():
            return [f"student {key.students[int(np.flatnonzero(times != 1)[0])][0]} does not have answer blank "
                    f"{column} once"]
    return []


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
        for name in ARRAYS:
            u, v = getattr(x, name), getattr(y, name)
            if (u is None) != (v is None) or (u is not None and not np.array_equal(u, v, equal_nan=True)):
                out.append(f"{x.column}: {name}")
        if x.data != y.data:
            out.append(f"{x.column}: key data")
    return out


