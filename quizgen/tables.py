"""Reading and writing the CSV files people really send, with messages that name the place.

Reading accepts UTF-8 with or without a BOM and UTF-16 with a BOM (Excel's
"Unicode Text"), and falls back to Windows-1252 (Excel's "CSV" on Windows) with
a notice; the delimiter (comma, semicolon, tab) is sniffed from the header line
or taken from Excel's ``sep=;`` line. Workbooks, PDFs and web pages saved under
a .csv name are named as such. Every problem is an :class:`InputError`
that names the file, the row (1 = the header) and the column where it is.

Text cells that a spreadsheet would run as a formula are neutralised when written
(files are written whole by :func:`quizgen.files.write_atomic`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from quizgen.errors import InputError
from quizgen.files import read_regular_file
from quizgen.workbooks import workbook_kind, workbook_records

MAX_BYTES = 100 * 1024 * 1024


def submissions_limit(students: int, blanks: int) -> int:
    """The largest submissions file worth reading for a class: 256 bytes for every answer and for
    8 more columns (timestamps, emails) of every student, twice over, and 1 MB besides. A 50 MB
    file for a class of 30 is the wrong file; for 100,000 students 30 MB is what is expected."""
    return 2**20 + 2 * students * (blanks + 8) * 256
DELIMITERS = ",;\t"
DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "a tab"}


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
    bad_rows: list = field(default_factory=list)    # InputErrors of rows left out (skip_bad_rows=True)
    short_rows: dict = field(default_factory=dict)  # row number -> cells it had (fewer than the header)
    header_row: int = 1                             # 2 after Excel's "sep=;" line


MAGIC = (
    (b"PK\x03\x04", "a zip archive (not an .xlsx or .ods workbook); unpack it, or give it to quizgen grade"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls); save it as 'CSV UTF-8'"),
    (b"%PDF", "a PDF"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"SQLite format 3\x00", "an SQLite database (a gradebook?)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive; unpack it first"),
    (b"Rar!", "a RAR archive; unpack it first"),
    (b"\xfd7zXZ\x00", "an xz archive; unpack it first"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive; unpack it first"),
    (b"\x7fELF", "a program"),
    (b"{\\rtf", "an RTF document; save it as 'CSV UTF-8'"),
)
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


def decode(path: Path, data: bytes) -> tuple[str, str, list]:
    """Text, the encoding used and notices: UTF-8 (BOM or not), UTF-16 or UTF-32 with a BOM, else
    Windows-1252. A file is refused as binary by its signature, or when it holds NUL bytes and is not
    UTF-8 text; one stray NUL in a text file is read (the cell holding it is then invalid)."""
    notices = []
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise InputError(path, f"this is not a text CSV file but {what}")
    if data.startswith(UTF32_BOMS):  # before UTF-16's: UTF-32LE's mark starts with UTF-16LE's
        try:
            text = data.decode("utf-32")
        except UnicodeDecodeError:
            raise InputError(path, "starts as UTF-32 text but is damaged; save it as 'CSV UTF-8'") from None
        notices.append(f"{path}: read as UTF-32")
        return text, "utf-32", notices
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text": the BOM says UTF-16 beyond doubt
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(path, "starts as UTF-16 text but is damaged (an odd number of bytes?)") from None
        notices.append(f"{path}: read as UTF-16 (Excel 'Unicode Text')")
        return text, "utf-16", notices
    head = data[:4096]
    if b"\x00" in head:
        if head.count(b"\x00") * 3 > len(head):
            raise InputError(path, "looks like UTF-16 or UTF-32 text without a byte-order mark; save it as "
                                   "'CSV UTF-8'")
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(path, "this is not a text CSV file (it contains NUL bytes: a binary file?); "
                                   "save it as 'CSV UTF-8'") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        return data.decode("utf-8"), encoding, notices
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if encoding == "utf-8-sig":
            raise InputError(path, f"starts with a UTF-8 mark but byte 0x{data[exc.start]:02x} is not UTF-8",
                             row=line) from None
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as bad:
            raise InputError(path, f"byte 0x{data[bad.start]:02x} is neither UTF-8 nor Windows-1252 text; "
                                   "save the file as 'CSV UTF-8'",
                             row=data[: bad.start].count(b"\n") + 1) from None
        notices.append(f"{path}: not UTF-8 (first at row {line}); read as Windows-1252")
        return text, "cp1252", notices


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _is_web_page(text: str) -> str | None:
    """The title of an HTML page saved under a .csv name (a failed download), else None."""
    start = text.lstrip()[:200].lower()
    if not start.startswith(("<!doctype html", "<html", "<?xml", "<head", "<body")):
        return None
    found = re.search(r"<title[^>]*>(.*?)</title>", text[:20000], re.S | re.I)
    return " ".join(found.group(1).split())[:60] if found else ""


def _csv_problem(exc: csv.Error, multiline: bool) -> str:
    text = str(exc)
    if "unexpected end of data" in text or ("expected after" in text and multiline):
        return 'a quoted cell starting on this row is never closed (a stray " ?)'
    if "expected after" in text:
        return 'text follows a closing quote; inside a quoted cell write a quote as ""'
    return f"the CSV is malformed ({text})"


def _line_offset(text: str, lines: int) -> int:
    """Where line ``lines + 1`` of ``text`` starts."""
    offset = 0
    for _ in range(lines):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return offset


def _text_records(path: Path, data: bytes, skip_bad_rows: bool) -> tuple:
    """A text file's rows of cells: (records, bad rows, encoding, delimiter, lines skipped above the
    header, notices)."""
    text, encoding, notices = decode(path, data)
    if not text.strip():
        raise InputError(path, "the file is empty")
    title = _is_web_page(text)
    if title is not None:
        raise InputError(path, "this is a web page (HTML), not a CSV file" + (f" (titled {title!r})" if title
                               else "") + ": the download failed? download the CSV again")
    lead = len(text) - len(text.lstrip("\r\n"))
    blank_lines, text = text[:lead].count("\n"), text[lead:]
    head_lines = text[: 1 << 20].splitlines()  # the first lines, without splitting a large file whole
    first_line = head_lines[0]
    sep = first_line.strip().lower()
    if len(sep) == 5 and sep.startswith("sep=") and sep[4] in DELIMITERS:
        # Excel's "sep=;" hint line: it names the delimiter and is not the header
        delimiter, skipped = first_line.strip()[4], blank_lines + 1
        text = text.split("\n", 1)[1] if "\n" in text else ""
        notices.append(f"{path}: row 1 is Excel's 'sep={delimiter}' line; the header is row 2")
        if not text.strip():
            raise InputError(path, "has only Excel's 'sep=' line: no header, no rows")
    else:
        lines = [line for line in head_lines[:6] if line.strip()]
        # a title line above the header has no delimiter: sniff the next line then
        delimiter = sniff_delimiter(next((line for line in lines if any(d in line for d in DELIMITERS)),
                                         first_line))
        skipped = blank_lines
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records, bad_rows, last_line = [], [], 0
    try:
        for record in reader:
            records.append(record)
            last_line = reader.line_num
    except csv.Error as exc:
        error = InputError(path, _csv_problem(exc, reader.line_num > last_line + 1),
                           row=len(records) + 1 + skipped)
        final = "\n" not in text[_line_offset(text, last_line):].rstrip("\r\n")
        if not (skip_bad_rows and final and len(records) > 1):
            raise error from None
        # only the file's last line is cut short inside a quoted cell: a truncated download
        bad_rows.append(InputError(path, 'is cut short inside a quoted cell (the file is truncated?)',
                                   row=error.row))
    return records, bad_rows, encoding, delimiter, skipped, notices


def read_table(path, required=(), max_bytes: int = MAX_BYTES, skip_bad_rows: bool = False,
               max_reason: str = "", data: bytes | None = None) -> Table:
    """Read a CSV file, or the first sheet of an .xlsx or .ods workbook, into a :class:`Table`;
    ``required`` header names must be present. ``data``: the file's bytes when it is not on disk (a
    zip archive's member), ``path`` then the name messages give it.

    A row that cannot be read cell by cell (more cells than the header, another delimiter) raises,
    or with ``skip_bad_rows`` is left out and its InputError kept in ``Table.bad_rows``.
    """
    path = Path(path)
    if data is not None:
        if len(data) > max_bytes:
            raise InputError(path, f"the file is {len(data) / 2**20:.1f} MB; at most {max_bytes / 2**20:.1f} MB "
                                   f"is read{max_reason} (is it the right file?)")
    else:
        try:
            data = read_regular_file(path, max_bytes, max_reason)
        except InputError as exc:
            if exc.message == "is a folder, not a file":
                raise InputError(path, "is a folder, not a CSV file") from None
            raise
    kind = workbook_kind(data)
    if kind is not None:  # .xlsx or .ods: its first sheet's cells, read as a CSV's would be
        records, notices = workbook_records(path, data)
        if not records:
            raise InputError(path, "the workbook's first sheet is empty")
        bad_rows, encoding, delimiter, skipped = [], kind, ",", 0
    else:
        records, bad_rows, encoding, delimiter, skipped, notices = _text_records(path, data, skip_bad_rows)
    header = [h.strip() for h in records[0]]
    if len(header) == 1 and any(len(r) > 1 for r in records[1:6]):
        later = next(i for i, r in enumerate(records[1:6], start=2) if len(r) > 1)
        raise InputError(path, f"holds only {header[0]!r} but row {later + skipped} has {len(records[later - 1])} "
                               f"cells: is row {1 + skipped} a title above the header? delete it", row=1 + skipped)
    width = len(header)
    while width > 1 and not header[width - 1] and not any(len(r) >= width and r[width - 1].strip()
                                                          for r in records[1:]):
        width -= 1  # trailing unnamed, empty columns (Excel's used range): ignored
    header = header[:width]
    if any(not h for h in header):
        blank = header.index("") + 1
        raise InputError(path, f"header cell {blank} is empty; every column needs a name", row=1 + skipped)
    seen = {}
    for i, h in enumerate(header):
        key = h.casefold()
        if key in seen:
            raise InputError(path, f"the header names column {h!r} twice (columns {seen[key] + 1} and {i + 1})",
                             row=1 + skipped)
        seen[key] = i
    missing = [r for r in required if r.casefold() not in seen]
    if missing:
        raise InputError(path, f"the header has no {', '.join(map(repr, missing))} column; it has "
                               f"{', '.join(header)}", row=1 + skipped)
    rows, short_rows = [], {}
    width = len(header)
    for number, record in enumerate(records[1:], start=2 + skipped):
        if not (record and record[0].strip()) and not "".join(record).strip():
            continue  # blank line
        problem = None
        if len(record) > len(header) and any(c.strip() for c in record[len(header):]):
            problem = (f"has a value in column {len(header) + 1}, right of the header's last column" if kind else
                       f"has {len(record)} cells but the header has {len(header)} (an unquoted "
                       f"{DELIMITER_NAMES[delimiter]} inside a cell, like a decimal comma?)")
        elif len(record) < len(header) and not kind:
            joined = delimiter.join(record)
            other = [d for d in DELIMITERS if d != delimiter and joined.count(d) >= len(header) - 1]
            if other:
                problem = (f"separates cells with {DELIMITER_NAMES[other[0]]} but the header uses "
                           f"{DELIMITER_NAMES[delimiter]}")
        if problem:
            error = InputError(path, problem, row=number)
            if not skip_bad_rows:
                raise error
            bad_rows.append(error)
            continue
        if len(record) < width:
            short_rows[number] = len(record)
            record = record + [""] * (width - len(record))
        rows.append((number, dict(zip(header, record))))  # zip leaves out empty cells past the header
    return Table(path, header, rows, encoding, delimiter, notices, data, bad_rows, short_rows,
                 1 + skipped)


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


def unneutralise(text: str) -> str:
    """A cell as it was before :func:`neutralise` (``'-rf`` is ``-rf``): what quizgen wrote reads back."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def csv_text(header: list | None, rows: list, safe: bool = True) -> str:
    """CSV text (UTF-8, comma, CRLF as spreadsheets expect; no header row for None); ``safe``
    neutralises formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(c) if safe else c for c in row])
    return out.getvalue()
