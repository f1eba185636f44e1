"""Issue 8, item 9: outputs safe to open.

Spreadsheet cells and CSV values that could be read as formulas are escaped (OWASP CSV
injection guidance); every value from params or data that reaches HTML is escaped.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from diagnostic_kit.present import spreadsheets
from diagnostic_kit.present.narrative import escape
from diagnostic_kit.run import runner, workbook

LA_NAME = '<script>alert(1)</script>=HYPERLINK("http://x")'
PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3", "\tx", "\rx"]
DANGER = ("=", "+", "-", "@", "\t", "\r")


def test_formula_safe_escapes_text_and_keeps_numbers():
    s = pd.Series([*PAYLOADS, "ok", None, -5, 3.5], dtype=object)
    out = spreadsheets.formula_safe(s)
    assert out.tolist()[:6] == ["'" + p for p in PAYLOADS]
    assert out.tolist()[6] == "ok" and out.tolist()[7] is None
    assert out.tolist()[8:] == [-5, 3.5]  # real numbers stay numbers
    nums = pd.Series([-1, -2.5])
    assert spreadsheets.formula_safe(nums) is nums
    st = spreadsheets.formula_safe(pd.Series(["=1", "a", None], dtype="string"))
    assert st.tolist()[:2] == ["'=1", "a"] and st.isna().tolist() == [False, False, True]
    cat = spreadsheets.formula_safe(pd.Series(["@x", "y"], dtype="category"))
    assert cat.tolist() == ["'@x", "y"]


def test_tables_xlsx_never_holds_a_formula(tmp_path: Path):
    work = tmp_path / "work"
    (work / "tables").mkdir(parents=True)
    df = pd.DataFrame({"code": PAYLOADS, "n": [-1, 2, -3, 4, 5, 6],
                       "mixed": ["<5", -7, "=1+1", 3, None, "x"]})
    df.to_pickle(work / "tables" / "01_x__codes.pkl")
    (work / "tables" / "01_x__codes.title").write_text("=HYPERLINK(\"t\")", encoding="utf-8")
    pd.DataFrame({"=A1": [1]}).to_pickle(work / "tables" / "02_y__header.pkl")
    path = tmp_path / "tables.xlsx"
    assert workbook.write_tables_xlsx(work, path) == 2
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    ws = wb["01_codes"]
    assert ws["A2"].value == PAYLOADS[0] and ws["A2"].data_type == "s"
    assert ws["B2"].value == -1 and ws["B2"].data_type == "n"  # a negative number stays one
    assert ws["C3"].value == -7 and ws["C3"].data_type == "n"
    assert ws["C4"].data_type == "s"
    assert wb["02_header"]["A1"].data_type == "s"


def test_escape_for_markdown():
    assert escape("<b>A*B</b>") == "&lt;b&gt;A\\*B&lt;/b&gt;"
    assert "<" not in escape(LA_NAME) and "](" not in escape("[a](javascript:x)")


# -- a whole report from hostile inputs ------------------------------------------------------------

HEADER = f"""CHILD,SEX,DOB,ETHNIC,UPN
CH7781,1,01/02/2020,"{PAYLOADS[0].replace('"', '""')}",A123456789012
@CH7782,2,15/06/2021,+1,A123456789013
CH7783,1,03/03/2019,XXXX,A123456789014
"""
EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE
CH7781,01/05/2024,S,C2,N1,U1,PR1,01/09/2024,E11,
@CH7782,10/07/2024,S,C2,N1,@SUM(A1),PR1,,,
CH7783,10/07/2024,S,=1+1,N1,U1,PR1,31/02/2024,E4A,
CH9999,10/07/2024,S,C2,N1,U1,PR1,,,
"""


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    year = root / "data" / "903" / "2025-26"
    year.mkdir(parents=True)
    (year / "header.csv").write_text(HEADER, encoding="utf-8")
    (year / "episodes.csv").write_text(EPISODES, encoding="utf-8")
    params = root / "hostile.yaml"
    params.write_text(
        "la_name: '" + LA_NAME.replace("'", "''") + "'\n"
        'la_code: "998"\nperiod_start: 2023-04-01\nperiod_end: 2026-03-31\ndata_dir: data\n',
        encoding="utf-8")
    runs = runner.run_reports([params], out_root=root / "reports", jobs=2, echo=lambda _: None)
    assert runs[0].report is not None, runs[0].error
    return root / "reports" / "hostile"


def test_hostile_report_xlsx_has_no_formula(hostile_report: Path):
    wb = openpyxl.load_workbook(hostile_report / "tables.xlsx")
    formulas = [(ws.title, c.coordinate, c.value) for ws in wb.worksheets
                for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert LA_NAME in values  # the params' LA name, stored as text


@pytest.mark.parametrize("name", ["data_quality.csv", "internal/pseudonym_key.csv"])
def test_hostile_report_csv_cells_are_quoted(hostile_report: Path, name: str):
    df = pd.read_csv(hostile_report / name, dtype=str, keep_default_na=False)
    cells = [v for col in df.columns for v in df[col]]
    assert not [v for v in cells if v.startswith(DANGER)]
    if name == "internal/pseudonym_key.csv":
        assert "'@CH7782" in cells
    else:
        assert {"'" + PAYLOADS[0], "'+1", "'@SUM(A1)", "'=1+1"} <= set(cells)
        assert "@CH7782" not in "".join(cells)  # a child id never: its pseudonym if any
        assert "CH9999" not in "".join(cells)  # the child with no header row


def test_hostile_report_html_is_escaped(hostile_report: Path):
    pages = [hostile_report / "report.html", *(hostile_report / "sections").glob("*.html")]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html.lower(), page.name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, page.name
        assert not re.search(r'<a [^>]*href="http://x', html), page.name
