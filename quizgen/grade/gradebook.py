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
``ledger``      a hash chain over every exam, file, run and override stored (see below)

Nothing is ever updated or deleted: triggers refuse it, and refuse an insert over a row that
exists (``INSERT OR REPLACE`` and ``REPLACE INTO`` delete the old row without firing delete
triggers unless ``recursive_triggers`` is on, which quizgen turns on but another program may
not). ``meta`` holds the schema version, which only a migration moves up by one.

What SQLite cannot refuse is detected on open (:meth:`Gradebook.check`): the triggers must be
those quizgen made, and ``ledger`` (schema 4) chains every stored exam, file with its rows,
run with its results and override: each entry holds the sha256 of its rows as read back and
the sha256 of the previous entry's chain with it, so a row changed, added or removed by
another program (the triggers dropped first) makes the gradebook refuse to be used. The chain
holds no secret: whoever owns the file can rewrite rows and compute the chain again, or
replace the whole file; the chain catches edits made with a SQL tool, not a forger (keep a
copy of the gradebook elsewhere for that).

A file stored and its run are one transaction, so a run killed midway leaves the database
as it was before it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import urllib.parse
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

SCHEMA_VERSION = 4
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


# each append-only table's keys: an insert over an existing row is a REPLACE, refused whether or not
# the connection fires delete triggers on REPLACE (recursive_triggers)
UNIQUE_KEYS = {"exam": ("id", "exam_id, manifest_sha256"), "source": ("id", "sha256"),
               "submission": ("id", "source_id, row_number"), "run": ("id",),
               "score": ("run_id, student_id, column_name",), "override": ("id",),
               "run_column": ("run_id, position",), "result": ("run_id, student_id",), "meta": ("key",),
               "ledger": ("id",)}


def _no_replace(tables) -> str:
    def same(key: str) -> str:
        return " AND ".join(f"{c} = NEW.{c}" for c in key.split(", "))

    return "".join(
        f"CREATE TRIGGER {t}_no_replace BEFORE INSERT ON {t} WHEN EXISTS (SELECT 1 FROM {t} WHERE "
        + " OR ".join(f"({same(k)})" for k in UNIQUE_KEYS[t])
        + f") BEGIN SELECT RAISE(ABORT, 'the gradebook is append-only: {t} rows are never replaced'); END;\n"
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
    # append-only against REPLACE and for meta too (only a migration moves the schema version, by one),
    # and the ledger: a hash chain over what is stored, checked on open
    4: """
    CREATE TABLE ledger (
        id INTEGER PRIMARY KEY, entry TEXT NOT NULL, row_counts TEXT NOT NULL, digest TEXT NOT NULL,
        chain TEXT NOT NULL);
    CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta WHEN NOT (OLD.key = 'schema_version'
        AND NEW.key = 'schema_version' AND CAST(NEW.value AS INTEGER) = CAST(OLD.value AS INTEGER) + 1)
        BEGIN SELECT RAISE(ABORT, 'the gradebook is append-only: meta rows are never changed'); END;
    CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta BEGIN
        SELECT RAISE(ABORT, 'the gradebook is append-only: meta rows are never deleted'); END;
    """ + _append_only(("ledger",)) + _no_replace(("exam", "source", "run", "override", "run_column", "meta", "ledger")),
}

# what each ledger entry covers: the entry's own row and the rows stored with it, read back in order
LEDGER_ROWS = {
    "exam": (("exam", "SELECT * FROM exam WHERE id = ?"),),
    "source": (("source", "SELECT id, file_name, sha256, encoding, delimiter, received_at, "
                          "length(raw), sha256(raw) FROM source WHERE id = ?"),
               ("submission", "SELECT * FROM submission WHERE source_id = ? ORDER BY id")),
    "run": (("run", "SELECT * FROM run WHERE id = ?"),
            ("run_column", "SELECT * FROM run_column WHERE run_id = ? ORDER BY position"),
            ("result", "SELECT * FROM result WHERE run_id = ? ORDER BY student_id"),
            ("score", "SELECT * FROM score WHERE run_id = ? ORDER BY student_id, column_name")),
    "override": (("override", "SELECT * FROM override WHERE id = ?"),),
}
LEDGER_TABLES = ("exam", "source", "submission", "run", "run_column", "result", "score", "override")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class Gradebook:
    """An open gradebook database (use as a context manager, or call close).

    ``readonly``: opened for reading only (``mode=ro``), as the report and feedback pages read it:
    a folder nobody may write to (a read-only mount) is read as it is. A writable gradebook is
    made, or migrated to this schema, on open; either way it is checked (:meth:`check`).
    """

    def __init__(self, path, readonly: bool = False):
        from quizgen.errors import InputError

        self.path = Path(path)
        self.readonly = readonly
        if self.path.exists() and not self.path.is_file():
            raise InputError(self.path, "is not a file: the gradebook must be an SQLite database file")
        try:
            if readonly:
                # a folder we cannot write to cannot hold the -shm file WAL readers need: nobody
                # writes there, so the file is read as immutable
                immutable = "" if os.access(self.path.parent, os.W_OK) else "&immutable=1"
                uri = f"file:{urllib.parse.quote(str(self.path.resolve()))}?mode=ro{immutable}"
                self.db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
            else:
                self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.create_function("sha256", 1, _blob_sha256, deterministic=True)
            self.db.execute("PRAGMA recursive_triggers = ON")  # a REPLACE fires the delete triggers
            self.db.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
            self.check()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise InputError(self.path, _database_trouble(exc, self.path, readonly)) from None
        except BaseException:
            self.close()
            raise

    def manifests_graded(self) -> list:
        """The sha256 of every manifest the gradebook stored submissions or ran grading against."""
        return [r[0] for r in self.db.execute("SELECT manifest_sha256 FROM exam UNION SELECT manifest_sha256 "
                                              "FROM run")]

    def close(self):
        if getattr(self, "db", None) is not None:
            self.db.close()
            self.db = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def transaction(self):
        """All or nothing: an exception (or a killed process) leaves no partial run. Inside another
        transaction, part of that one. A full disk is said as such, naming the gradebook."""
        from quizgen.errors import InputError

        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError) and _is_full(exc, self.path):
                raise InputError(self.path, "the disk is full: nothing of this command was stored (the gradebook "
                                            "is as it was); free some space and run it again") from None
            raise

    def schema_version(self) -> int:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:
            return 0
        if row is None:
            return 0
        try:
            return int(row[0])
        except ValueError:
            return -1  # refused by check()

    def _migrate(self):
        if 0 <= self.schema_version() < SCHEMA_VERSION:
            # one writer at a time, and the version read again inside: two first runs at once must not
            # both create the tables
            with self.transaction() as db:
                version = self.schema_version()
                for target in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in sql_statements(MIGRATIONS[target]):
                        db.execute(statement)
                    if target == 1:
                        db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
                    else:
                        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(target),))
                    if target == 4:  # what earlier schemas stored enters the ledger as it is found
                        for kind, table in (("exam", "exam"), ("source", "source"), ("run", "run"),
                                            ("override", "override")):
                            for (row_id,) in db.execute(f"SELECT id FROM {table} ORDER BY id").fetchall():
                                self.enter(db, kind, row_id)

    # -- what SQLite cannot refuse, detected -------------------------------------------------------

    def check(self) -> None:
        """Refuse (InputError naming the file) a gradebook changed outside quizgen: a schema version
        that is not this quizgen's, a trigger dropped or altered, rows that are not those the
        ledger chained."""
        from quizgen.errors import InputError

        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise InputError(self.path, f"has schema version {version}, newer than this quizgen's "
                                        f"({SCHEMA_VERSION}): upgrade quizgen")
        if version < 0 or (version == 0 and self._has_tables()):
            raise InputError(self.path, "its schema version is not one quizgen wrote: the file was changed "
                                        "outside quizgen; restore it from a copy")
        if version < SCHEMA_VERSION:
            if version == 0:
                return  # empty: nothing to check (a read-only open of a gradebook never made)
            raise InputError(self.path, f"has schema version {version}; quizgen {SCHEMA_VERSION} upgrades it "
                                        f"the next time it is opened where it can be written (quizgen grade)")
        expected = _expected_triggers()
        found = {name: sql for name, sql in self.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
        missing = sorted(name for name, sql in expected.items() if _squash(found.get(name)) != _squash(sql))
        if missing:
            raise InputError(self.path, f"its append-only triggers were dropped or changed outside quizgen "
                                        f"({', '.join(missing[:4])}{', ...' if len(missing) > 4 else ''}): "
                                        f"its rows can no longer be trusted; restore it from a copy")
        problem = self._ledger_problem()
        if problem:
            raise InputError(self.path, f"was changed outside quizgen: {problem}; its rows can no longer be "
                                        f"trusted: restore it from a copy")

    def _has_tables(self) -> bool:
        return self.db.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0

    def enter(self, db, kind: str, row_id: int) -> None:
        """Chain ``kind`` ``row_id`` (an exam, source, run or override) and the rows stored with it
        into the ledger, as they read back inside the transaction that stored them."""
        counts, digest = _entry_digest(db, kind, row_id)
        last = db.execute("SELECT chain FROM ledger ORDER BY id DESC LIMIT 1").fetchone()
        entry = f"{kind} {row_id}"
        row_counts = json.dumps(counts, sort_keys=True)
        db.execute("INSERT INTO ledger (entry, row_counts, digest, chain) VALUES (?, ?, ?, ?)",
                   (entry, row_counts, digest, _link(last[0] if last else "", entry, row_counts, digest)))

    def _ledger_problem(self) -> str | None:
        """What in the stored rows differs from the ledger's chain, or None."""
        previous, totals, seen = "", dict.fromkeys(LEDGER_TABLES, 0), set()
        for entry, row_counts, digest, chain in self.db.execute(
                "SELECT entry, row_counts, digest, chain FROM ledger ORDER BY id").fetchall():
            if chain != _link(previous, entry, row_counts, digest):
                return f"the ledger's chain is broken at {entry}"
            previous = chain
            kind, _, row_id = entry.partition(" ")
            if kind not in LEDGER_ROWS or not row_id.isdigit():
                return f"the ledger names {entry!r}"
            counts, found = _entry_digest(self.db, kind, int(row_id))
            if found != digest or json.dumps(counts, sort_keys=True) != row_counts:
                return f"the rows of {entry} are not those stored"
            seen.add(entry)
            for table, n in counts.items():
                totals[table] += n
        for table in LEDGER_TABLES:
            count = self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            if count != totals[table]:
                return f"{table} has {count} rows where quizgen stored {totals[table]}"
        return None

    # -- recording -------------------------------------------------------------------------------

    def record_exam(self, exam_id: str, manifest_sha256: str) -> None:
        """The exam and its manifest's sha256, once (inside the caller's transaction)."""
        if self.db.execute("SELECT 1 FROM exam WHERE exam_id = ? AND manifest_sha256 = ?",
                           (exam_id, manifest_sha256)).fetchone() is None:
            cur = self.db.execute("INSERT INTO exam (exam_id, manifest_sha256, recorded_at) VALUES (?, ?, ?)",
                                  (exam_id, manifest_sha256, now()))
            self.enter(self.db, "exam", cur.lastrowid)

    def source_with(self, sha256: str):
        """The id of the file stored with this sha256, or None."""
        row = self.db.execute("SELECT id FROM source WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def stored_ungraded(self) -> set:
        """The sha256 of files stored after the latest run began (or with no run at all): stored by a
        run killed before it recorded itself, as a quizgen that stored a file and its run in two
        transactions could leave them. Such a file is graded by the next run, not skipped."""
        latest = self.db.execute("SELECT MAX(started_at) FROM run").fetchone()[0]
        if latest is None:
            return {r[0] for r in self.db.execute("SELECT sha256 FROM source")}
        return {r[0] for r in self.db.execute("SELECT sha256 FROM source WHERE received_at > ?", (latest,))}

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
            cur = db.execute("INSERT INTO override (student_id, column_name, score, reason, created_at) "
                             "VALUES (?, ?, ?, ?, ?)", (student_id, column, score, reason, now()))
            self.enter(db, "override", cur.lastrowid)

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


def _blob_sha256(data) -> str | None:
    return None if data is None else hashlib.sha256(data if isinstance(data, bytes) else str(data).encode()).hexdigest()


def _entry_digest(db, kind: str, row_id: int) -> tuple[dict, str]:
    """The rows of a ledger entry, counted per table, and their sha256 (as JSON, in order)."""
    digest, counts = hashlib.sha256(kind.encode()), {}
    cursor = db.cursor()
    cursor.row_factory = None  # plain tuples: a class's rows are read back at every open
    for table, query in LEDGER_ROWS[kind]:
        rows = cursor.execute(query, (row_id,)).fetchall()
        counts[table] = len(rows)
        digest.update(to_json(rows).encode())
    return counts, digest.hexdigest()


def _link(previous: str, entry: str, row_counts: str, digest: str) -> str:
    return hashlib.sha256("\n".join((previous, entry, row_counts, digest)).encode()).hexdigest()


def _expected_triggers() -> dict:
    """Trigger name -> its SQL, as the migrations made them."""
    out = {}
    for target in sorted(MIGRATIONS):
        for statement in sql_statements(MIGRATIONS[target]):
            if statement.upper().startswith("CREATE TRIGGER"):
                out[statement.split()[2]] = statement
    return out


def _squash(sql: str | None) -> str | None:
    return None if sql is None else " ".join(sql.rstrip(";").split())


def _is_full(exc: Exception, path: Path | None = None) -> bool:
    """SQLite's full disk, or an I/O error where the disk has no room left (the WAL's shared memory
    file cannot grow)."""
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc):
        return True
    if path is not None and "disk I/O error" in str(exc):
        try:
            room = os.statvfs(path.parent)
        except OSError:
            return False
        return room.f_bavail * room.f_frsize < (1 << 20)
    return False


def _database_trouble(exc: sqlite3.DatabaseError, path: Path, readonly: bool) -> str:
    """What a person is told when SQLite cannot use the file."""
    if _is_full(exc, path):
        return "the disk is full: nothing was stored; free some space and run the command again"
    text = str(exc)
    if "file is not a database" in text or "malformed" in text:
        return f"is not a quizgen gradebook, or is damaged ({text}); restore it from a copy"
    if "readonly" in text or "unable to open" in text:
        where = path.parent
        if readonly:
            return f"cannot be read ({text})"
        return (f"cannot be written ({text}): grading writes the gradebook in {where}; make that folder "
                f"writable (reading it, as quizgen report does, needs no write access)")
    return f"cannot be used ({text})"


def open_gradebook(build_dir) -> Gradebook:
    return Gradebook(Path(build_dir) / FILE_NAME)


def graded_gradebook(build_dir, reading: bool = False) -> Gradebook:
    """The gradebook of a build that has been graded; InputError (and no file made) otherwise.
    ``reading``: the caller only reads it, so where the file or its folder cannot be written (a
    read-only mount) it is opened read-only (:class:`Gradebook`) instead of refused."""
    from quizgen.errors import InputError

    path = Path(build_dir) / FILE_NAME
    if path.is_file():
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        book = Gradebook(path, readonly=reading and not writable)
        if book.schema_version() and book.latest_run() is not None:  # (an empty file read-only: nothing)
            return book
        book.close()
    raise InputError(path, "nothing graded yet: run quizgen grade first")
