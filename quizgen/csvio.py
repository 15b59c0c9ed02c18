"""Reading and writing the CSV files people really send, with messages that name the place.

Reading accepts UTF-8 with or without a BOM and falls back to Windows-1252
(Excel's "CSV" on Windows) with a notice; the delimiter (comma, semicolon,
tab) is sniffed from the header line. Every problem is an :class:`InputError`
that names the file, the row (1 = the header) and the column where it is.

Writing is atomic (a temporary file renamed into place), and text cells that a
spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 100 * 1024 * 1024
DELIMITERS = ",;\t"


class InputError(Exception):
    """A user's file cannot be used as it is. ``str()`` is the message to print."""

    def __init__(self, path, message: str, row: int | None = None, column: str | None = None):
        self.path, self.row, self.column, self.message = str(path), row, column, message
        where = str(path)
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


@dataclass
class Table:
    """A CSV read into memory: header names and data rows (each with its 1-based file row)."""

    path: Path
    header: list
    rows: list                                   # list of (row_number, dict)
    encoding: str = "utf-8"
    delimiter: str = ","
    notices: list = field(default_factory=list)  # things read leniently, worth telling the user
    raw: bytes = b""


def decode(path: Path, data: bytes) -> tuple[str, str, list]:
    """Text, the encoding used and notices; UTF-8 (BOM or not), else Windows-1252."""
    notices = []
    if b"\x00" in data[:4096]:
        raise InputError(path, "this is not a text CSV file (it contains NUL bytes; an .xlsx or a "
                               "binary file?). Save it as CSV first")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig", notices
    try:
        return data.decode("utf-8"), "utf-8", notices
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(path, "the file is neither UTF-8 nor Windows-1252 text", row=line) from None
        notices.append(f"{path}: not UTF-8 (first at row {line}); read as Windows-1252")
        return text, "cp1252", notices


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_table(path, required=(), max_bytes: int = MAX_BYTES) -> Table:
    """Read a CSV file into a :class:`Table`; ``required`` header names must be present."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(path, f"the file is {size / 1e6:.0f} MB; at most {max_bytes / 1e6:.0f} MB "
                                   "is read (is it the right file?)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a CSV file") from None
    except PermissionError:
        raise InputError(path, "cannot be read (permission denied)") from None
    text, encoding, notices = decode(path, data)
    if not text.strip():
        raise InputError(path, "the file is empty")
    first_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise InputError(path, f"the CSV is malformed ({exc})", row=reader.line_num) from None
    header = [h.strip() for h in records[0]]
    if any(not h for h in header):
        blank = header.index("") + 1
        raise InputError(path, f"header cell {blank} is empty; every column needs a name", row=1)
    seen = {}
    for i, h in enumerate(header):
        key = h.casefold()
        if key in seen:
            raise InputError(path, f"the header names column {h!r} twice (columns {seen[key] + 1} and {i + 1})",
                             row=1)
        seen[key] = i
    missing = [r for r in required if r.casefold() not in seen]
    if missing:
        raise InputError(path, f"the header has no {', '.join(map(repr, missing))} column; it has "
                               f"{', '.join(header)}", row=1)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank line
        if len(record) > len(header) and any(c.strip() for c in record[len(header):]):
            raise InputError(path, f"has {len(record)} cells but the header has {len(header)} "
                                   f"(a delimiter inside an unquoted answer?)", row=number)
        cells = record + [""] * (len(header) - len(record))
        rows.append((number, dict(zip(header, cells))))
    return Table(path, header, rows, encoding, delimiter, notices, data)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(cell, (int, float)):
        return cell
    text = str(cell)
    if text.startswith(FORMULA_STARTS):
        try:
            float(text)
            return text  # a negative number is a number
        except ValueError:
            return "'" + text
    return text


def write_atomic(path, data: bytes | str) -> None:
    """Write ``path`` through a temporary file in the same folder, then rename: never a half file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp's 0600 is for the temporary name only
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def csv_text(header: list, rows: list, safe: bool = True) -> str:
    """CSV text (UTF-8, comma, CRLF as spreadsheets expect); ``safe`` neutralises formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(c) if safe else c for c in row])
    return out.getvalue()
