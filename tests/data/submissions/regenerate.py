"""Writes the malformed submission and roster files next to this script and in ../rosters.

The answers are the key of the exam built in tests/quizgen/test_malformed_inputs.py (fixed spec,
roster and secret). Run ``python tests/data/submissions/regenerate.py`` after changing a template it
uses; the test checks good.csv against the freshly built key first. The 50 MB file is not here: the
test makes it in a temporary folder.
"""

import io
import random
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
ROSTERS = HERE.parent / "rosters"
HEADER = ["student_id", "name", "Q1a", "Q1b", "Q2a", "Q2b", "Q3", "Q4"]
KEY = {
    "001": ["Ada", "[0.3452, -0.7699]", "[-0.4068, -0.9053]", "(8, 23, 23)", "6408", "-2.1000", "C"],
    "002": ["Alan", "[0.9633, 0.9743]", "[0.2775, 0.9743]", "(128, 10, 13)", "3584", "1.5000", "C"],
    "AB3": ["Grace", "[0.8275, 0.6584]", "[-0.9449, -0.5343]", "(16, 17, 17)", "50192", "-2.3000", "C"],
}


def q(cell: str, delimiter: str = ",") -> str:
    return '"' + cell.replace('"', '""') + '"' if delimiter in cell or '"' in cell or "\n" in cell else cell


def line(cells, delimiter=","):
    return delimiter.join(q(c, delimiter) for c in cells)


def key_lines(delimiter=",", ids=None):
    return [line([i] + KEY[k], delimiter) for i, k in zip(ids or KEY, KEY)]


def text(lines, eol="\r\n"):
    return eol.join(lines) + eol


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet/>')
    return buffer.getvalue()


def submissions() -> dict:
    h = line(HEADER)
    decimal = [line([k, v[0], v[1].strip("[]").replace(",", "").replace(".", ","),
                     v[2].strip("[]").replace(",", "").replace(".", ","), v[3], v[4],
                     v[5].replace(".", ","), v[6]], ";") for k, v in KEY.items()]
    reordered = ["Timestamp", "Email Address", "Q4", "Q3", "Q2 B", "q2a", "Q1_b", "Q1a", "Student ID "]
    rng = random.Random(6)
    files = {
        # the baseline: the key itself
        "good.csv": text([h] + key_lines()).encode(),
        # read leniently, graded in full
        "bom_utf8.csv": b"\xef\xbb\xbf" + text([h] + key_lines()).encode(),
        "semicolon_decimal_comma.csv": text([line(HEADER, ";")] + decimal).encode(),
        "windows1252.csv": text([h + ",Comment"] + [r + ",très bien – merci" for r in key_lines()]).encode("cp1252"),
        "tab_delimited.csv": text([line(HEADER, "\t")] + key_lines("\t")).encode(),
        "utf16_unicode_text.csv": b"\xff\xfe" + text([line(HEADER, "\t")] + key_lines("\t")).encode("utf-16-le"),
        "extra_columns_any_order.csv": text([line(reordered)] + [
            line(["2026-12-01 10:0%d" % i, f"{k.lower()}@uni.edu", v[6], v[5], v[4], v[3], v[2], v[1], k])
            for i, (k, v) in enumerate(KEY.items())]).encode(),
        "ids_spaces_case_zeros.csv": text([h] + key_lines(ids=[" 001 ", "0 02", "ab3"])).encode(),
        "sep_line_excel.csv": text(["sep=;", line(HEADER, ";")] + key_lines(";")).encode(),
        "trailing_empty_columns.csv": text([h + ",,,"] + [r + ",,," for r in key_lines()]).encode(),
        "quoted_commas_newlines.csv": text([h + ",Comment"] + [
            key_lines()[0] + ',"first line, with a comma\nsecond line ""quoted"""',
            key_lines()[1] + ",ok",
            line(["999"] + KEY["001"]) + ",unknown after a multi-line cell"]).encode(),
        # read, but something needs attention
        "excel_formulas.csv": text([h, line(["001", "Ada", "=1+1", "@SUM(A1:A3)", "+cmd|' /C calc'!A0",
                                             "=6408", "=-2.1", '=HYPERLINK("http://x.example","A")'])]).encode(),
        "duplicate_ids.csv": text([h, line(["001", "Ada", "[0, 0]"] + KEY["001"][2:])] + key_lines()[:1]
                                  + [line([" 001"] + KEY["001"])]).encode(),
        "unknown_ids.csv": text([h] + key_lines()[:1] + [line(["999"] + KEY["002"]), line(["1"] + KEY["001"]),
                                                           line([""] + KEY["002"])]).encode(),
        "truncated_rows.csv": (text([h] + key_lines()[:1] + [line(["002", "Alan", "[0.9633, 0.9743]"])])
                               + 'AB3,Grace,"[0.8275, 0.6584]","[-0.9449, -0.5343]","(16, 1').encode(),
        "too_many_cells.csv": text([h] + key_lines()[:1] + [
            "002,Alan,[0.9633; 0.9743],[0.2775; 0.9743],(128; 10; 13),3584,1,5000,B"] + key_lines()[2:]).encode(),
        "mixed_delimiters.csv": text([h] + key_lines()[:2] + key_lines(";")[2:]).encode(),
        "missing_column.csv": text([line(HEADER[:-1])] + [r.rsplit(",", 1)[0] for r in key_lines()]).encode(),
        # refused: the file adds nothing
        "empty.csv": b"",
        "header_only.csv": text([h]).encode(),
        "unterminated_quote.csv": text([h] + key_lines()[:1] + ['002,Alan,"[0.9633, 0.9743],[0.2775]'] +
                                       key_lines()[2:]).encode(),
        "text_after_quote.csv": text([h, '001,Ada,"[0.3452, -0.7699]"x,[0],(1),1,1,A']).encode(),
        "duplicate_header.csv": text([line(HEADER + ["Q1a"])] + [r + ",0" for r in key_lines()]).encode(),
        "duplicate_header_variant.csv": text([line(HEADER + ["Q1 A"])] + [r + ",0" for r in key_lines()]).encode(),
        "xlsx_renamed.csv": xlsx_bytes(),
        "xls_renamed.csv": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "html_error_page.csv": text(["<!DOCTYPE html>", "<html><head><title>Session expired - Moodle</title>",
                                     '<meta charset="utf-8"></head>', '<body class="login">Please log in '
                                     'again, "then" retry.</body></html>'], "\n").encode(),
        "binary_junk.csv": bytes(rng.randrange(256) for _ in range(3000)),
        "non_utf8_undecodable.csv": text([h] + key_lines()[:1]).encode() + b"002,Alan\x81\x8d,[0],[0],(1),1,1,B\r\n",
        "utf16_no_bom.csv": text([h] + key_lines()).encode("utf-16-le"),
        "bom_then_cp1252.csv": b"\xef\xbb\xbf" + text([h + ",Comment"] + [r + ",café" for r in key_lines()]).encode("cp1252"),
        "other_exam_columns.csv": text(["student_id,name,P1,P2,P3", "001,Ada,1,2,3"]).encode(),
        "other_quizgen_exam.csv": text(["student_id,name,Q1,Q2,Q3,Q5", "001,Ada,0.5,12,-2.1,C"]).encode(),
        "title_line_above_header.csv": text(["Quiz results export 2026-12-01", h] + key_lines()).encode(),
        "no_header_row.csv": text(key_lines()).encode(),
        "no_id_column.csv": text([line(HEADER[1:])] + [r.split(",", 1)[1] for r in key_lines()]).encode(),
    }
    return files


def rosters() -> dict:
    return {
        # read leniently
        "bom_semicolon.csv": b"\xef\xbb\xbf" + text(["student_id;name", "001;Ada", "002;Alan", "AB3;Grace"]).encode(),
        "windows1252_names.csv": text(["student_id,name", "001,Zoë Brontë", "002,Renée – Ñúñez"]).encode("cp1252"),
        "utf16_unicode_text.csv": b"\xff\xfe" + text(["student_id\tname", "001\tAda", "002\tAlan"]).encode("utf-16-le"),
        "first_last_extra_columns.csv": text(["Email,Last Name,First Name,Student ID,Group",
                                              "ada@uni.edu,Lovelace,Ada,007,A", "al@uni.edu,Turing,Alan,0042,B"]).encode(),
        "formula_names.csv": text(["student_id,name", '001,"=HYPERLINK(""http://x.example"",""click"")"',
                                   "002,@SUM(A1:A2)", "003,+cmd"]).encode(),
        "sep_line_excel.csv": text(["sep=;", "student_id;name", "001;Ada", "002;Alan"]).encode(),
        # refused
        "duplicate_ids.csv": text(["student_id,name", "001,Ada", "AB3,Grace", "ab3,Grace again"]).encode(),
        "empty_id.csv": text(["student_id,name", "001,Ada", ",Nobody"]).encode(),
        "no_id_column.csv": text(["Name,Email", "Ada,ada@uni.edu"]).encode(),
        "header_only.csv": text(["student_id,name"]).encode(),
        "too_many_cells.csv": text(["student_id,name", "001,Ada", "002,Turing, Alan"]).encode(),
        "xlsx_renamed.csv": xlsx_bytes(),
        "bad_id_chars.csv": text(["student_id,name", "001,Ada", "../002,Alan"]).encode(),
        "html_login_page.csv": b"<html><head><title>Sign in</title></head><body>Sign in</body></html>\n",
        "unterminated_quote.csv": text(["student_id,name", '001,"Ada', "002,Alan"]).encode(),
        "duplicate_header.csv": text(["student_id,name,Name", "001,Ada,Ada"]).encode(),
        "empty.csv": b"\r\n\r\n",
    }


if __name__ == "__main__":
    for folder, files in ((HERE, submissions()), (ROSTERS, rosters())):
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        print(f"wrote {len(files)} files into {folder}")
