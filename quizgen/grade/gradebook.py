"""The gradebook: a real SQLite database in the build directory, append-only.

Tables (schema version in ``meta``; migrations run in order on open):

``exam``        the exam and the sha256 of the manifest it was graded against
``source``      every submissions file as received: name, sha256, raw bytes
``submission``  every row of every file: row number, the student id as typed and
                normalised, its cells (JSON). Re-grading the same file adds nothing.
``run``         every grading run: when, what kind, the settings (JSON)
``run_column``  each run's answer columns, in order
``result``      each student's scores in a run, one row: a status letter per column
                (``c`` correct, ``e`` carried forward, ``w`` wrong, ``i`` invalid, ``b`` blank,
                ``m`` no submission, ``t`` to be marked by a person: an essay, until an
                override marks it, ``p`` partly right: options scored one by one) and JSON arrays of
                credits, points and responses, with the
                mistake and feedback of every part that is not correct, blank or missing
``part_score``  a view of ``result``: one row per run, student and column, for queries
``score``       the same, one row per part, as schema 1 stored runs (read, never written)
``override``    manual scores with a reason (essays enter this way); the latest wins

Nothing is ever updated or deleted: triggers refuse it. A run is one
transaction, so a run killed midway leaves the database as it was before it.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

SCHEMA_VERSION = 3
to_json = json.JSONEncoder(ensure_ascii=False).encode  # students' text as typed; one encoder for a class of rows
FILE_NAME = "gradebook.sqlite"


def cells_encoder(columns: list):
    """``to_json({c: cells[c] for c in columns})`` for a row's cells (texts), the same text made
    without a dict per row: the keys are encoded once, the values by json's own string encoder."""
    from json.encoder import encode_basestring
    from operator import itemgetter

    if len(columns) < 2:
        return lambda cells: to_json({c: cells[c] for c in columns})
    keys = [encode_basestring(c) + ": " for c in columns]
    texts = itemgetter(*columns)
    return lambda cells: "{" + ", ".join(map(str.__add__, keys, map(encode_basestring, texts(cells)))) + "}"

APPEND_ONLY = ("exam", "source", "submission", "run", "score", "override")
STATUS_LETTERS = {"correct": "c", "ecf": "e", "wrong": "w", "invalid": "i", "blank": "b", "missing": "m",
                  "to_mark": "t", "partial": "p"}
STATUS_NAMES = {letter: name for name, letter in STATUS_LETTERS.items()}
IMPLIED_FEEDBACK = {"correct": "correct", "blank": "no answer", "missing": "no answer"}


def _append_only(tables) -> str:
    return "".join(
        f"CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t} BEGIN "
        f"SELECT RAISE(ABORT, 'the gradebook is append-only: {t} rows are never changed'); END;\n"
        f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} BEGIN "
        f"SELECT RAISE(ABORT, 'the gradebook is append-only: {t} rows are never deleted'); END;\n"
        for t in tables)

# the view of one row per run, student and column (schema 3 knows the letter of an answer to be marked)
PART_SCORE_VIEW = """
    CREATE VIEW part_score AS
    SELECT r.run_id, r.student_id, c.column_name, r.submission_id,
           CASE substr(r.statuses, c.position + 1, 1) WHEN 'c' THEN 'correct' WHEN 'e' THEN 'ecf' WHEN 'w' THEN 'wrong' WHEN 'i' THEN 'invalid' WHEN 'b' THEN 'blank' WHEN 'm' THEN 'missing'{more} END AS status,
           json_extract(r.credits, '$[' || c.position || ']') AS credit,
           json_extract(r.points, '$[' || c.position || ']') AS points,
           json_extract(r.responses, '$[' || c.position || ']') AS response,
           json_extract(r.notes, '$."' || c.column_name || '"[0]') AS mistake,
           coalesce(json_extract(r.notes, '$."' || c.column_name || '"[1]'),
                    CASE substr(r.statuses, c.position + 1, 1) WHEN 'c' THEN 'correct' ELSE 'no answer' END)
               AS feedback
    FROM result r JOIN run_column c ON c.run_id = r.run_id;
"""

MIGRATIONS = {
    1: """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE exam (
        id INTEGER PRIMARY KEY, exam_id TEXT NOT NULL, manifest_sha256 TEXT NOT NULL,
        recorded_at TEXT NOT NULL, UNIQUE (exam_id, manifest_sha256));
    CREATE TABLE source (
        id INTEGER PRIMARY KEY, file_name TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,
        encoding TEXT NOT NULL, delimiter TEXT NOT NULL, raw BLOB NOT NULL, received_at TEXT NOT NULL);
    CREATE TABLE submission (
        id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES source (id),
        row_number INTEGER NOT NULL, student_raw TEXT NOT NULL, student_id TEXT NOT NULL,
        cells TEXT NOT NULL, UNIQUE (source_id, row_number));
    CREATE INDEX submission_student ON submission (student_id);
    CREATE TABLE run (
        id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, kind TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL, settings TEXT NOT NULL);
    CREATE TABLE score (
        run_id INTEGER NOT NULL REFERENCES run (id), student_id TEXT NOT NULL,
        column_name TEXT NOT NULL, submission_id INTEGER REFERENCES submission (id),
        status TEXT NOT NULL, credit REAL NOT NULL, points REAL NOT NULL, response TEXT,
        mistake TEXT, feedback TEXT, PRIMARY KEY (run_id, student_id, column_name));
    CREATE TABLE override (
        id INTEGER PRIMARY KEY, student_id TEXT NOT NULL, column_name TEXT NOT NULL,
        score REAL NOT NULL, reason TEXT NOT NULL, created_at TEXT NOT NULL);
    """ + _append_only(APPEND_ONLY),
    # one row per student and run instead of one per part: a class of 100,000 x 20 blanks is
    # 100,000 inserts, not 2,000,000 (about 5 s in SQLite alone)
    2: """
    CREATE TABLE run_column (
        run_id INTEGER NOT NULL REFERENCES run (id), position INTEGER NOT NULL, column_name TEXT NOT NULL,
        PRIMARY KEY (run_id, position));
    CREATE TABLE result (
        run_id INTEGER NOT NULL REFERENCES run (id), student_id TEXT NOT NULL,
        submission_id INTEGER REFERENCES submission (id), statuses TEXT NOT NULL, credits TEXT NOT NULL,
        points TEXT NOT NULL, responses TEXT NOT NULL, notes TEXT NOT NULL, PRIMARY KEY (run_id, student_id));
    """ + PART_SCORE_VIEW.format(more="") + """
    """ + _append_only(("run_column", "result")),
    # essays: status "t", to be marked by a person (an override), no longer "wrong" at 0; status "p",
    # partly right: a part with several right options scored per option
    3: "DROP VIEW part_score;\n" + PART_SCORE_VIEW.format(more=" WHEN 't' THEN 'to_mark' WHEN 'p' THEN 'partial'"),
}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class Gradebook:
    """An open gradebook database (use as a context manager, or call close)."""

    def __init__(self, path):
        from quizgen.errors import InputError

        self.path = Path(path)
        if self.path.exists() and not self.path.is_file():
            raise InputError(self.path, "is not a file: the gradebook must be an SQLite database file")
        self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        try:
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            if not isinstance(exc, sqlite3.OperationalError) or "not a database" in str(exc):
                raise InputError(self.path, f"is not a quizgen gradebook (SQLite says: {exc}); move it away "
                                            "to start a new one, or restore it from a backup") from None
            raise

    def manifests_graded(self) -> list:
        """The sha256 of every manifest the gradebook stored submissions or ran grading against."""
        return [r[0] for r in self.db.execute("SELECT manifest_sha256 FROM exam UNION SELECT manifest_sha256 "
                                              "FROM run")]

    def close(self):
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def transaction(self):
        """All or nothing: an exception (or a killed process) leaves no partial run."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def schema_version(self) -> int:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:
            return 0
        return int(row[0]) if row else 0

    def _migrate(self):
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path} has schema version {version}, newer than this quizgen "
                               f"({SCHEMA_VERSION}); upgrade quizgen")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction() as db:
                for statement in sql_statements(MIGRATIONS[target]):
                    db.execute(statement)
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                           (str(target),))

    # -- recording -------------------------------------------------------------------------------

    def record_exam(self, exam_id: str, manifest_sha256: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO exam (exam_id, manifest_sha256, recorded_at) VALUES (?, ?, ?)",
                        (exam_id, manifest_sha256, now()))

    def source_with(self, sha256: str):
        """The id of the file stored with this sha256, or None."""
        row = self.db.execute("SELECT id FROM source WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def last_ids(self) -> tuple[int, int]:
        """The highest source and submission ids so far (0 when none): new rows number on from them."""
        return tuple(self.db.execute("SELECT (SELECT COALESCE(MAX(id), 0) FROM source), "
                                     "(SELECT COALESCE(MAX(id), 0) FROM submission)").fetchone())

    def record_source(self, db, source_id: int, file_name: str, sha256: str, encoding: str, delimiter: str,
                      raw: bytes) -> None:
        db.execute("INSERT INTO source (id, file_name, sha256, encoding, delimiter, raw, received_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", (source_id, file_name, sha256, encoding, delimiter, raw, now()))

    def record_submissions(self, db, source_id: int, rows, columns: list) -> None:
        """Rows of a file as received: (submission id, row number, student id as typed, normalised,
        cells dict), storing the cells of ``columns``, the answer columns the file has."""
        cells_json = cells_encoder(columns)
        db.executemany("INSERT INTO submission (id, source_id, row_number, student_raw, student_id, cells) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       ((sub_id, source_id, number, raw, student, cells_json(cells))
                        for sub_id, number, raw, student, cells in rows))

    def received(self) -> list:
        """Every submission in the order received (file, then row), without its cells: tuples of
        (submission id, source id, row number, student id, file name)."""
        return self.db.execute(
            "SELECT s.id, s.source_id, s.row_number, s.student_id, src.file_name FROM submission s "
            "JOIN source src ON src.id = s.source_id ORDER BY src.id, s.row_number").fetchall()

    def submissions(self) -> list:
        """Every submission in the order received (file, then row), with its cells."""
        return self.db.execute(
            "SELECT s.*, src.file_name, src.received_at FROM submission s JOIN source src ON src.id = s.source_id "
            "ORDER BY src.id, s.row_number").fetchall()

    def cells(self, ids) -> dict:
        """Submission id -> its cells (column -> text)."""
        wanted, out = set(ids), {}
        if not wanted:
            return out
        for row in self.db.execute("SELECT id, cells FROM submission"):
            if row[0] in wanted:
                out[row[0]] = json.loads(row[1])
        return out

    def start_run(self, db, kind: str, manifest_sha256: str, settings: dict, columns: list) -> int:
        """A new run over these answer columns (its results follow, in the same transaction)."""
        cur = db.execute("INSERT INTO run (started_at, kind, manifest_sha256, settings) VALUES (?, ?, ?, ?)",
                         (now(), kind, manifest_sha256, json.dumps(settings, sort_keys=True)))
        db.executemany("INSERT INTO run_column (run_id, position, column_name) VALUES (?, ?, ?)",
                       [(cur.lastrowid, k, c) for k, c in enumerate(columns)])
        return cur.lastrowid

    def record_results(self, db, run_id: int, rows) -> None:
        """Some of a run's scores: ``rows`` of (student, submission id, statuses, credits, points,
        responses, notes), packed as the ``result`` table says."""
        db.executemany("INSERT INTO result (run_id, student_id, submission_id, statuses, credits, points, "
                       "responses, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ((run_id,) + r for r in rows))

    def add_override(self, student_id: str, column: str, score: float, reason: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO override (student_id, column_name, score, reason, created_at) "
                       "VALUES (?, ?, ?, ?, ?)", (student_id, column, score, reason, now()))

    # -- reading ---------------------------------------------------------------------------------

    def latest_run(self):
        return self.db.execute("SELECT * FROM run ORDER BY id DESC LIMIT 1").fetchone()

    def runs(self) -> list:
        return self.db.execute("SELECT * FROM run ORDER BY id").fetchall()

    def run_columns(self, run_id: int) -> list:
        return [r[0] for r in self.db.execute("SELECT column_name FROM run_column WHERE run_id = ? ORDER BY "
                                              "position", (run_id,))]

    def packed(self, run_id: int):
        """The run's ``result`` rows: (student, submission id, statuses, credits, points, responses,
        notes) with the JSON decoded."""
        for row in self.db.execute("SELECT student_id, submission_id, statuses, credits, points, responses, notes "
                                   "FROM result WHERE run_id = ? ORDER BY student_id", (run_id,)):
            yield (row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]), json.loads(row[5]),
                   json.loads(row[6]))

    def scores(self, run_id: int) -> list:
        """The run's scores, one dict per student and column (sorted so), whichever schema stored them."""
        columns = self.run_columns(run_id)
        if not columns:  # a run stored by schema 1
            return [dict(r) for r in self.db.execute(
                "SELECT * FROM score WHERE run_id = ? ORDER BY student_id, column_name", (run_id,))]
        out = []
        order = sorted(range(len(columns)), key=lambda k: columns[k])
        for student, submission, statuses, credits, points, responses, notes in self.packed(run_id):
            for k in order:
                status = STATUS_NAMES[statuses[k]]
                mistake, feedback = notes.get(columns[k], (None, IMPLIED_FEEDBACK.get(status, "")))
                out.append({"run_id": run_id, "student_id": student, "column_name": columns[k],
                            "submission_id": submission, "status": status, "credit": credits[k],
                            "points": points[k], "response": responses[k], "mistake": mistake,
                            "feedback": feedback})
        return out

    def earned(self, run_id: int) -> tuple[list, dict]:
        """The run's columns, and student -> (statuses as letters, points earned per column with the
        overrides applied, the columns overridden): what grades.csv and score totals need."""
        columns = self.run_columns(run_id)
        out = {}
        if columns:  # the responses and notes are not read: only the scores
            for student, statuses, credits, points in self.db.execute(
                    "SELECT student_id, statuses, credits, points FROM result WHERE run_id = ? ORDER BY student_id",
                    (run_id,)):
                out[student] = (statuses, [c * p for c, p in zip(json.loads(credits), json.loads(points))], set())
        else:  # schema 1
            position = {}
            for row in self.scores(run_id):
                if row["column_name"] not in position:
                    position[row["column_name"]] = len(position)
                    columns.append(row["column_name"])
                statuses, earned, _ = out.setdefault(row["student_id"], ([], [], set()))
                statuses.append(STATUS_LETTERS[row["status"]])
                earned.append(row["credit"] * row["points"])
            out = {s: ("".join(st), e, o) for s, (st, e, o) in out.items()}
        for student, k, score in self.overrides_at({s: s for s in out}, columns):
            out[student][1][k] = score
            out[student][2].add(columns[k])
        return columns, out

    def overrides_at(self, students: dict, columns: list):
        """(student's place, column's position, score) of each latest override of one of
        ``students`` (id -> place, e.g. a row of a matrix) in one of ``columns``."""
        position = {c: k for k, c in enumerate(columns)}
        for (student, column), (score, _) in self.overrides().items():
            if student in students and column in position:
                yield students[student], position[column], score

    def results(self, run_id: int) -> dict:
        """(student, column) -> the run's score row as a dict, overrides applied.

        ``earned`` is the override's score where there is one, else credit x points;
        ``override`` is the override's reason, or None.
        """
        overrides = self.overrides()
        out = {}
        for row in self.scores(run_id):
            key = (row["student_id"], row["column_name"])
            result = dict(row)
            result["earned"], result["override"] = overrides.get(key, (row["credit"] * row["points"], None))
            out[key] = result
        return out

    def overrides(self) -> dict:
        """(student, column) -> (score, reason) of the latest override."""
        out = {}
        for row in self.db.execute("SELECT * FROM override ORDER BY id"):
            out[(row["student_id"], row["column_name"])] = (row["score"], row["reason"])
        return out


def sql_statements(script: str) -> list:
    """Split a migration script into statements (triggers keep their inner semicolons)."""
    statements, current = [], []
    for line in script.strip().splitlines():
        current.append(line)
        joined = "\n".join(current).strip()
        if joined.endswith(";") and (not joined.upper().startswith("CREATE TRIGGER") or joined.endswith("END;")):
            if sqlite3.complete_statement(joined):
                statements.append(joined)
                current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current).strip())
    return statements


def open_gradebook(build_dir) -> Gradebook:
    return Gradebook(Path(build_dir) / FILE_NAME)


def graded_gradebook(build_dir) -> Gradebook:
    """The gradebook of a build that has been graded; InputError (and no file made) otherwise."""
    from quizgen.errors import InputError

    path = Path(build_dir) / FILE_NAME
    if path.is_file():
        book = Gradebook(path)
        if book.latest_run() is not None:
            return book
        book.close()
    raise InputError(path, "nothing graded yet: run quizgen grade first")
