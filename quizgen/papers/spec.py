"""The exam spec (TOML), the roster (CSV) and the exam secret (a file the instructor keeps).

An exam spec::

    title = "Unit 4 quiz"
    course = "23AD2205A Deep Learning"
    date = "2026-12-01"
    duration = "60 minutes"
    exam_id = "dl-2026-unit4-quiz"
    instructions = "Answer every question. Calculators allowed."
    secret_file = "~/.config/quizgen/dl-2026.secret"   # or --secret-file
    banks = ["../my_questions"]                         # extra template folders, relative to the spec
    multiple_answer_credit = "all-or-nothing"           # or "partial": how a part with several right
                                                        # options is credited (a section may set its own)

    [[section]]
    title = "Recurrent networks"
    ids = ["rnn.forward_two_steps", "lstm.cell_step"]   # and/or topics, tags, difficulty
    count = 2              # how many questions this section asks (default: all it selects)
    points = 6             # per question, shared over its parts by their weights in quarter points ...
    # points_per_part = 1  # ... or the same for every part
    shuffle = false        # shuffle the questions' order per student
    vary = false           # draw the `count` questions per student from the selection
    form = "typed"         # or "choice": numeric parts as multiple choice (named mistakes)
    size = "calculator"    # or "computer" (take-home)
    # multiple_answer_credit = "partial"   # this section's rule, instead of the spec's
    space = "5cm"          # room to work under each question of this section ("rest of page": the
                           # question ends its page); instead of [print] space

    [print]                # how the PDFs are printed (quizgen build --paper / --duplex / --cover win)
    paper = "a4"           # or "letter"
    duplex = false         # every paper, solution and the key padded to whole sheets
    cover = false          # a cover page with a marks table per question, for hand marking
    institution = "School of Computing"   # a line above the course
    logo = "logo.png"      # beside it, relative to the spec (PNG, JPEG or SVG, at most 1 MB)
    space = "3cm"          # room to work under every question (default: none)

"all-or-nothing" gives a multiple-answer part its points only for exactly the right options;
"partial" scores it per option as Moodle does: each of the c right options chosen earns 1/c,
each of the w wrong options chosen costs 1/w, and the total is kept between 0 and 1
(:meth:`quizgen.bank.kinds.Choice.credit`). The rule is frozen in the manifest with each part.
"""

from __future__ import annotations

import base64
import math
import os
import re
import secrets
import stat
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from quizgen.bank.kinds import ALL_OR_NOTHING, CREDIT_RULES
from quizgen.errors import InputError
from quizgen.files import read_regular_file
from quizgen.tables import read_table, unneutralise

ID_COLUMNS = ("student_id", "student id", "id", "studentid", "sis_id", "sis id", "username", "user")
NAME_COLUMNS = ("name", "full name", "full_name", "student name", "student_name")


@dataclass
class Section:
    title: str
    ids: tuple = ()
    topics: tuple = ()
    tags: tuple = ()
    difficulty: int | None = None
    count: int | None = None
    points: float | None = None
    points_per_part: float | None = None
    shuffle: bool = False
    vary: bool = False
    form: str = "typed"
    size: str = "calculator"
    multiple_answer_credit: str = ALL_OR_NOTHING  # the section's, or else the spec's, rule (CREDIT_RULES)
    space: str | None = None  # room to work under each question: a CSS length or REST_OF_PAGE


PAPERS = {"a4": "A4", "letter": "letter"}  # the spec's name -> the CSS page size
REST_OF_PAGE = "rest of page"
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)")
_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
LOGO_MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class PrintSettings:
    """How the PDFs are printed: the spec's [print] table, then the build command's options."""
    paper: str = "a4"
    duplex: bool = False
    cover: bool = False
    institution: str = ""
    logo: str | None = None   # the logo's path, resolved against the spec's folder
    space: str | None = None  # room to work under every question (a section's own space wins)

    def to_json(self) -> dict:
        """The settings as the manifest records them (the build's options included)."""
        out = {"paper": self.paper, "duplex": self.duplex, "cover": self.cover}
        out |= {k: v for k, v in (("institution", self.institution), ("logo", self.logo),
                                   ("space", self.space)) if v}
        return out


def _space(value, path, where) -> str:
    """A working space: "5cm", "40 mm", "2in", "72pt" (at most a page's height) or "rest of page"."""
    if isinstance(value, str) and " ".join(value.lower().split()) == REST_OF_PAGE:
        return REST_OF_PAGE
    m = _LENGTH.fullmatch(value.strip()) if isinstance(value, str) else None
    if not m:
        raise InputError(path, f"{where}: space = {value!r}: give a height such as \"5cm\", \"40mm\", "
                               f"\"2in\" or \"{REST_OF_PAGE}\"")
    if not 0 < float(m.group(1)) * _MM[m.group(2)] <= 240:
        raise InputError(path, f"{where}: space = {value!r}: more than 0 and at most a page (240mm)")
    return f"{m.group(1)}{m.group(2)}"


def print_settings(raw: dict, path) -> PrintSettings:
    """The [print] table of a spec (or of a manifest's frozen spec), checked."""
    path = Path(path)
    table = raw.get("print", {})
    if not isinstance(table, dict):
        raise InputError(path, "[print] must be a table of settings")
    unknown = set(table) - set(PrintSettings.__dataclass_fields__)
    if unknown:
        raise InputError(path, f"[print]: unknown setting(s) {', '.join(sorted(unknown))}; "
                               f"known: {', '.join(PrintSettings.__dataclass_fields__)}")
    paper = table.get("paper", "a4")
    if paper not in PAPERS:
        raise InputError(path, f"[print]: paper = {paper!r}: use {' or '.join(repr(p) for p in PAPERS)}")
    for key in ("duplex", "cover"):
        if not isinstance(table.get(key, False), bool):
            raise InputError(path, f"[print]: {key} must be true or false")
    for key in ("institution", "logo"):
        if not isinstance(table.get(key, ""), str):
            raise InputError(path, f"[print]: {key} must be a string")
    logo = table.get("logo") or None
    if logo is not None:
        logo = str((path.parent / os.path.expanduser(logo)).resolve())
        if Path(logo).suffix.lower() not in _LOGO_TYPES:
            raise InputError(path, f"[print]: logo {logo}: use a PNG, JPEG or SVG file")
    space = _space(table["space"], path, "[print]") if "space" in table else None
    return PrintSettings(paper=paper, duplex=table.get("duplex", False), cover=table.get("cover", False),
                         institution=table.get("institution", "").strip(), logo=logo, space=space)


def logo_data_uri(settings: PrintSettings) -> str:
    """The logo as a data: URI for the page (read when the exam is built); "" without one."""
    if not settings.logo:
        return ""
    path = Path(settings.logo)
    try:
        if not path.is_file():
            raise InputError(path, "the [print] logo is not a file")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"the [print] logo cannot be read ({exc.strerror})") from None
    if len(data) > LOGO_MAX_BYTES:
        raise InputError(path, f"the [print] logo is {len(data):,} bytes; at most {LOGO_MAX_BYTES:,}")
    return f"data:{_LOGO_TYPES[path.suffix.lower()]};base64,{base64.b64encode(data).decode()}"


@dataclass
class ExamSpec:
    path: Path
    title: str
    exam_id: str
    course: str = ""
    date: str = ""
    duration: str = ""
    instructions: str = ""
    secret_file: str | None = None
    banks: tuple = ()
    sections: list = field(default_factory=list)
    raw: dict = field(default_factory=dict)
    multiple_answer_credit: str = ALL_OR_NOTHING
    printing: PrintSettings = field(default_factory=PrintSettings)


MAX_SPEC_BYTES = 2**20
MAX_POINTS = 1000  # a question's points, or a part's: more is a typing slip (1e308 overflows the totals)
SECTION_KEYS = {f for f in Section.__dataclass_fields__}
SPEC_KEYS = {"title", "exam_id", "course", "date", "duration", "instructions", "secret_file", "banks",
             "section", "multiple_answer_credit", "print"}


def _credit_rule(value, path, where) -> str:
    if value not in CREDIT_RULES:
        raise InputError(path, f"{where}: multiple_answer_credit must be "
                               f"{' or '.join(repr(r) for r in CREDIT_RULES)}, got {value!r}")
    return value


def _strings(value, path, where, key) -> tuple:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(path, f"{where}: '{key}' must be a string or a list of strings")
    return tuple(value)


def page_meta(spec: "ExamSpec", logo: str = "") -> dict:
    """The pages' data from a spec: the header, the sections, how they print. One shape for the
    papers a build makes and the pages made later from its manifest (feedback, report); ``logo`` is
    the logo's data URI, read at the build (the file may be long gone later)."""
    return {"title": spec.title, "course": spec.course, "date": spec.date, "duration": spec.duration,
            "exam_id": spec.exam_id, "instructions": spec.instructions,
            "sections": [s.title for s in spec.sections], "section_spaces": [s.space for s in spec.sections],
            "print": spec.printing.to_json(), "logo": logo}


def load_spec(path) -> ExamSpec:
    """Parse and check an exam spec; every problem names the file and the section."""
    path = Path(path)
    data = read_regular_file(path, MAX_SPEC_BYTES)
    try:
        # utf-8-sig: Windows Notepad and Excel save UTF-8 with a byte-order mark
        raw = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, f"is not valid TOML: {exc}") from None
    return spec_from_dict(raw, path)


def spec_from_dict(raw: dict, path) -> ExamSpec:
    """Check a parsed spec (from its TOML file, or frozen in a manifest)."""
    path = Path(path)
    unknown = set(raw) - SPEC_KEYS
    if unknown:
        raise InputError(path, f"unknown setting(s) {', '.join(sorted(unknown))}; "
                               f"known: {', '.join(sorted(SPEC_KEYS))}")
    for key in ("title", "exam_id"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise InputError(path, f"'{key}' is required (a non-empty string)")
    if not re.fullmatch(r"[A-Za-z0-9._-]+", raw["exam_id"]):
        raise InputError(path, f"exam_id {raw['exam_id']!r} may use only letters, digits, '.', '_' and '-'")
    credit = _credit_rule(raw.get("multiple_answer_credit", ALL_OR_NOTHING), path, "spec")
    sections = []
    for i, sec in enumerate(raw.get("section", []), start=1):
        where = f"section {i}" + (f" ({sec['title']!r})" if isinstance(sec.get("title"), str) else "")
        unknown = set(sec) - SECTION_KEYS
        if unknown:
            raise InputError(path, f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
        s = Section(title=str(sec.get("title", f"Section {i}")))
        for key in ("ids", "topics", "tags"):
            if key in sec:
                setattr(s, key, _strings(sec[key], path, where, key))
        if not (s.ids or s.topics or s.tags or "difficulty" in sec):
            raise InputError(path, f"{where}: pick questions with ids, topics, tags or difficulty")
        for key in ("difficulty", "count"):
            if key in sec:
                if not isinstance(sec[key], int) or isinstance(sec[key], bool) or sec[key] < 1:
                    raise InputError(path, f"{where}: '{key}' must be a whole number >= 1")
                setattr(s, key, sec[key])
        for key in ("points", "points_per_part"):
            if key in sec:
                if not isinstance(sec[key], (int, float)) or isinstance(sec[key], bool) \
                        or not math.isfinite(sec[key]) or sec[key] <= 0:
                    raise InputError(path, f"{where}: '{key}' must be a positive number, got {sec[key]!r}")
                if sec[key] > MAX_POINTS:
                    raise InputError(path, f"{where}: '{key}' = {sec[key]!r}: at most {MAX_POINTS} points")
                if (Fraction(repr(float(sec[key]))) * 100).denominator != 1:
                    raise InputError(path, f"{where}: '{key}' = {sec[key]!r}: points are written in hundredths at "
                                           f"most (an LMS keeps two decimals), e.g. 1.25 or 4")
                setattr(s, key, float(sec[key]))
        if s.points is not None and s.points_per_part is not None:
            raise InputError(path, f"{where}: give 'points' or 'points_per_part', not both")
        for key in ("shuffle", "vary"):
            if key in sec:
                if not isinstance(sec[key], bool):
                    raise InputError(path, f"{where}: '{key}' must be true or false")
                setattr(s, key, sec[key])
        if sec.get("form", "typed") not in ("typed", "choice"):
            raise InputError(path, f"{where}: form must be 'typed' or 'choice'")
        if sec.get("size", "calculator") not in ("calculator", "computer"):
            raise InputError(path, f"{where}: size must be 'calculator' or 'computer'")
        s.form, s.size = sec.get("form", "typed"), sec.get("size", "calculator")
        s.multiple_answer_credit = _credit_rule(sec.get("multiple_answer_credit", credit), path, where)
        if "space" in sec:
            s.space = _space(sec["space"], path, where)
        sections.append(s)
    if not sections:
        raise InputError(path, "the spec has no [[section]]")
    banks = tuple(str((path.parent / b).resolve()) for b in _strings(raw.get("banks", []), path, "spec", "banks"))
    return ExamSpec(path=path, title=raw["title"].strip(), exam_id=raw["exam_id"], course=raw.get("course", ""),
                    date=str(raw.get("date", "")), duration=str(raw.get("duration", "")),
                    instructions=raw.get("instructions", ""), secret_file=raw.get("secret_file"),
                    banks=banks, sections=sections, raw=raw, multiple_answer_credit=credit,
                    printing=print_settings(raw, path))


@dataclass
class Student:
    id: str
    name: str
    row: int
    extra: dict = field(default_factory=dict)


def normalise_id(raw: str) -> str:
    """Student ids compare as text, trimmed and case-folded; leading zeros are kept."""
    return "".join(str(raw).split()).casefold()  # split's whitespace is regex \s's, every code point


SAFE_ID = re.compile(r"[A-Za-z0-9._@+-]+")
SPREADSHEET_NUMBER = re.compile(r"\d+\.0+|\d(\.\d+)?[eE][+-]?\d+")  # 2.0, 1.23E+05: not typed so
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # in a name: a damaged file, never typed
MAX_ID_LENGTH = 100  # a file name holds 255 bytes; the id's pages and their temporary names add to it
# names Windows cannot create, with any extension ("CON.html" too): instructors unzip builds there
WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?", re.I)


def id_problem(raw_id: str) -> str | None:
    """Why ``raw_id`` cannot name a student's files on every system (Linux, macOS, Windows), or None."""
    if not SAFE_ID.fullmatch(raw_id):
        return "has characters that cannot be a file name (use letters, digits, . _ @ + -)"
    if len(raw_id) > MAX_ID_LENGTH:
        return f"is {len(raw_id)} characters long; at most {MAX_ID_LENGTH} make a file name everywhere"
    if raw_id.startswith(".") or raw_id.endswith("."):
        return ("starts or ends with '.': a hidden file, or a name Windows cuts short ('.' and '..' are "
                "folders)")
    if SPREADSHEET_NUMBER.fullmatch(raw_id):
        return ("is a number as a spreadsheet rewrites one (2.0, 1.23E+05): the real id is lost; export the "
                "ids as text")
    if WINDOWS_RESERVED.fullmatch(raw_id):
        return "is a device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9): no file can have it there"
    return None


def leading_zero_clashes(ids) -> list:
    """Groups of ids that are the same number with their leading zeros removed ('00123', '123'):
    a spreadsheet that read them as numbers made them one id."""
    groups: dict = {}
    for sid in ids:
        if sid.isdigit():
            groups.setdefault(sid.lstrip("0") or "0", []).append(sid)
    return [group for group in groups.values() if len(group) > 1]


def load_roster(path) -> tuple[list, list]:
    """Students in roster order, and notices. Raises InputError naming the row on a bad one."""
    table = read_table(path)
    lowered = {h.casefold(): h for h in table.header}
    id_col = next((lowered[c] for c in ID_COLUMNS if c in lowered), None)
    name_col = next((lowered[c] for c in NAME_COLUMNS if c in lowered), None)
    if id_col is None:
        raise InputError(path, f"no student id column (one of: {', '.join(ID_COLUMNS[:4])}); the header "
                               f"has {', '.join(table.header)}" + (" — was it saved with another "
                               "delimiter?" if len(table.header) == 1 else ""), row=1)
    if name_col is None:
        first, last = lowered.get("first name") or lowered.get("first_name"), \
            lowered.get("last name") or lowered.get("last_name")
        if not (first and last):
            raise InputError(path, f"no name column (name, or first name and last name); the header has "
                                   f"{', '.join(table.header)}", row=1)
    students, seen, notices = [], {}, list(table.notices)
    for number, row in table.rows:
        raw_id = unneutralise(row[id_col].strip())
        if not raw_id:
            raise InputError(path, "the student id is empty", row=number, column=id_col)
        problem = id_problem(raw_id)
        if problem:
            raise InputError(path, f"student id {raw_id if len(raw_id) <= 40 else raw_id[:40] + '...'!r} "
                                   f"{problem}", row=number, column=id_col)
        key = normalise_id(raw_id)
        if key in seen:
            raise InputError(path, f"student id {raw_id!r} is already on row {seen[key]}", row=number,
                             column=id_col)
        seen[key] = number
        name = row[name_col].strip() if name_col else f"{row[first].strip()} {row[last].strip()}".strip()
        if CONTROL.search(name):
            raise InputError(path, f"the name holds a control character (U+{ord(CONTROL.search(name).group()):04X}): "
                                   "a damaged file? it would be printed on the papers", row=number,
                             column=name_col or first)
        name = " ".join(name.split())  # a line break inside a quoted name is a space on a paper
        extra = {k: v for k, v in row.items() if k not in (id_col, name_col)}
        students.append(Student(raw_id, name, number, extra))
    if not students:
        raise InputError(path, "the roster has no students")
    for group in leading_zero_clashes(s.id for s in students):
        notices.append(f"{path}: student ids {', '.join(map(repr, group))} differ only in leading zeros; a "
                       "spreadsheet that drops them makes them one id, and such a submission is then credited to "
                       "nobody (needs attention)")
    return students, notices


SECRET_BYTES = 32


def load_or_create_secret(path, build_dir=None) -> tuple[bytes, bool]:
    """The exam secret and whether it was created now (owner-only, 0600, outside the build dir)."""
    path = Path(os.path.expanduser(str(path)))
    if build_dir is not None and _within(path, Path(build_dir)):
        raise InputError(path, "the secret file must live outside the build directory, which is "
                               "shared with students' files")
    link = _link_to(path, Path(build_dir)) if build_dir is not None else None
    if link is not None:
        raise InputError(path, f"the build directory links to the secret file ({link}): `cp -L` or `zip -r` of "
                               f"the folder would ship it; remove the link")
    if path.is_symlink() and not path.exists():
        raise InputError(path, f"is a symbolic link to {os.readlink(path)}, which does not exist; a new "
                               "secret is not made through it: point it at the exam's secret or remove it")
    if path.exists():
        data = read_regular_file(path, max_bytes=4096).strip()
        if len(data) < 32:
            raise InputError(path, "the secret file is too short to be a quizgen secret")
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise InputError(path, f"the secret file is readable by others (mode {mode:o}); "
                                   f"run: chmod 600 {path}")
        return data, False
    data = secrets.token_hex(SECRET_BYTES).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (FileExistsError, NotADirectoryError):
        raise InputError(path, "cannot be made: a part of its path is a file, not a folder") from None
    except PermissionError:
        raise InputError(path, "cannot be made here (permission denied); give another --secret-file") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data + b"\n")
    return data, True


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is in ``folder`` as written or once every symlink is resolved, either way
    round: a secret reached through a symlink inside the build folder is in it (``zip -r`` or
    ``cp -L`` of the folder ships it), and so is one a symlink elsewhere leads into it."""
    paths = {Path(os.path.abspath(path)), path.resolve()}
    folders = {Path(os.path.abspath(folder)), folder.resolve()}
    return any(f == p or f in p.parents for p in paths for f in folders)


def _link_to(path: Path, folder: Path) -> Path | None:
    """A symlink inside ``folder`` that leads to ``path`` or to a folder holding it, or None."""
    target = path.resolve()
    if not folder.is_dir():
        return None
    for root, dirs, files in os.walk(folder):  # symlinked folders are listed, not entered
        for name in dirs + files:
            entry = Path(root) / name
            if entry.is_symlink():
                leads = entry.resolve()
                if leads == target or leads in target.parents:
                    return entry
    return None


def load_secret(path, build_dir=None) -> bytes:
    """An existing exam secret (verify and regrades never create one); refused inside ``build_dir``."""
    path = Path(os.path.expanduser(str(path)))
    if not path.exists():
        raise InputError(path, "no such secret file; without the exam's secret no variant can be rebuilt")
    return load_or_create_secret(path, build_dir)[0]


def secret_fingerprint(secret: bytes) -> str:
    """A public fingerprint of the secret: tells verify that the right file is used, reveals nothing."""
    import hashlib
    import hmac

    return hmac.new(secret, b"quizgen secret fingerprint", hashlib.sha256).hexdigest()[:16]
