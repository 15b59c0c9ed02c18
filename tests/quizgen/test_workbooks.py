"""Workbooks read as the rows a CSV would give: .xlsx written by openpyxl (as Excel and Forms write
them), .ods built from the OpenDocument format by hand, and the ones to refuse."""

import datetime as dt
import io
import zipfile

import pytest

from quizgen.errors import InputError
from quizgen.workbooks import MAX_UNPACKED, ODS, XLSX, cell_text, workbook_kind, workbook_records


def xlsx_bytes(rows, sheets=("Form1",)) -> bytes:
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl (a test extra) is not installed")
    book = openpyxl.Workbook()
    book.active.title = sheets[0]
    for row in rows:
        book.active.append(row)
    for name in sheets[1:]:
        book.create_sheet(name)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods_bytes(rows) -> bytes:
    """A minimal OpenDocument spreadsheet (the mimetype first and stored, as the format requires)."""
    def cell(v):
        if isinstance(v, float):
            return f'<table:table-cell office:value-type="float" office:value="{v!r}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">' + body +
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_forms_xlsx_reads_as_the_text_people_typed(tmp_path):
    data = xlsx_bytes([["ID", "Completion time", "Name", "Q1a", "Q1b", "Q2"],
                       [123, dt.datetime(2026, 12, 3, 10, 45), "Ada", 0.3137, "0.5 0.2", True],
                       ["00123", None, "Bob", 3.0, -0.1, 1 / 3]], sheets=("Form1", "Notes"))
    assert workbook_kind(data) == XLSX
    records, notices = workbook_records(tmp_path / "f.xlsx", data)
    assert records == [["ID", "Completion time", "Name", "Q1a", "Q1b", "Q2"],
                       ["123", "2026-12-03T10:45:00", "Ada", "0.3137", "0.5 0.2", "TRUE"],
                       ["00123", "", "Bob", "3", "-0.1", repr(1 / 3)]]
    assert notices == [f"{tmp_path / 'f.xlsx'}: read its first sheet, 'Form1' (of 2)"]


def test_an_ods_reads_the_same(tmp_path):
    data = ods_bytes([["student_id", "Q1a"], ["s1", 0.3137], ["s2", "[0.5, 0.2]"]])
    assert workbook_kind(data) == ODS
    records, _ = workbook_records(tmp_path / "f.ods", data)
    assert records == [["student_id", "Q1a"], ["s1", "0.3137"], ["s2", "[0.5, 0.2]"]]


def test_other_zips_and_text_are_not_workbooks():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("submissions/a.csv", "student_id,Q1\n1,2\n")
    assert workbook_kind(out.getvalue()) is None
    assert workbook_kind(b"student_id,Q1\n") is None and workbook_kind(b"PK\x03\x04broken") is None


def test_a_workbook_that_unpacks_to_gigabytes_is_refused_by_name(tmp_path, monkeypatch):
    import quizgen.workbooks

    assert MAX_UNPACKED >= 100 * 2**20  # real workbooks of a large class fit
    monkeypatch.setattr(quizgen.workbooks, "MAX_UNPACKED", 2**20)  # the same rule, a faster test
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (2**20 + 1))
    with pytest.raises(InputError, match="unpacks to .* MB; at most") as err:
        workbook_records(tmp_path / "bomb.xlsx", out.getvalue())
    assert "bomb.xlsx" in str(err.value)


def test_a_damaged_workbook_is_refused_by_name(tmp_path):
    data = xlsx_bytes([["a"], ["b"]])
    damaged = data.replace(b"worksheets/sheet1.xml", b"worksheets/sheetX.xml")
    with pytest.raises(InputError, match="cannot be read|damaged") as err:
        workbook_records(tmp_path / "d.xlsx", damaged)
    assert "d.xlsx" in str(err.value)


@pytest.mark.parametrize("value, text", [(None, ""), (3.0, "3"), (0.1 + 0.2, "0.30000000000000004"),
                                         (float("nan"), "nan"), (False, "FALSE"), (7, "7"),
                                         (dt.date(2026, 12, 3), "2026-12-03")])
def test_cell_text(value, text):
    assert cell_text(value) == text
