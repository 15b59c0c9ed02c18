"""Spreadsheet workbooks as they come (.xlsx from Excel and Microsoft Forms, .ods from LibreOffice),
read into the same rows of text as a CSV file, so that every check and message of
:func:`quizgen.tables.read_table` (rows and columns named) applies to them unchanged.

Read with python-calamine (the Rust calamine reader, which pandas also uses): values, never
formulas run, no macros. A workbook is a zip; its unpacked size is bounded before it is read, so a
small file that unpacks to gigabytes is refused by name.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from pathlib import Path

from quizgen.errors import InputError

XLSX, ODS = "xlsx", "ods"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_UNPACKED = 512 * 1024 * 1024


def workbook_kind(data: bytes) -> str | None:
    """``"xlsx"`` or ``"ods"`` for a workbook's bytes, else None (not a zip, or another zip)."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                return ODS
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def cell_text(value) -> str:
    """A cell as the text a person typed or sees: 3 not 3.0, 0.3137 not 0.31370000000000003 (the
    shortest text of the stored double), dates and times in ISO 8601, TRUE/FALSE as Excel shows them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 2 ** 53:
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def workbook_records(path: Path, data: bytes) -> tuple[list, list]:
    """The first sheet's rows as lists of text, and notices (which sheet was read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InputError(path, "is a damaged workbook (not a readable zip); save it again") from None
    if unpacked > MAX_UNPACKED:
        raise InputError(path, f"unpacks to {unpacked / 2**20:,.0f} MB; at most {MAX_UNPACKED / 2**20:,.0f} MB "
                               f"is read (is it the right file?)")
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency of quizgen
        raise InputError(path, "reading .xlsx and .ods needs python-calamine (pip install python-calamine), "
                               "or save the sheet as 'CSV UTF-8'") from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = book.sheet_names
        if not names:
            raise InputError(path, "the workbook has no sheet")
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except InputError:
        raise
    except Exception as exc:  # calamine's own errors name no Python class worth listing
        raise InputError(path, f"the workbook cannot be read ({exc}); save it again or as 'CSV UTF-8'") from None
    notices = []
    if len(names) > 1:
        notices.append(f"{path}: read its first sheet, {names[0]!r} (of {len(names)})")
    records = [[cell_text(v) for v in row] for row in rows]
    while records and not any(c.strip() for c in records[-1]):
        records.pop()  # the used range's empty rows at the end
    return records, notices
