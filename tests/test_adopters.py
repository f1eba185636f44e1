"""Section 5 on hand-built households: working days across bank holidays, each funnel step and
timeliness measure, Annex A lists 10 and 11 read from a workbook built here, and the same
figures from the synthetic LA's workbook as from its adopters.csv."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from diagnostic_kit.derive.working_days import add_working_days, working_days_between
from diagnostic_kit.inputs.params import load_params
from diagnostic_kit.measures import adopters as ad
from tests.la_builder import ep, hdr, write_la

T = pd.Timestamp
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def params():
    return load_params("demo", check_data_dir=False)  # 01/04/2023 to 31/03/2026


def test_working_days_across_christmas_and_easter():
    start = pd.Series([T("2024-12-20"), T("2025-04-17"), T("2024-12-20"), T("2025-01-04")])
    end = pd.Series([T("2025-01-03"), T("2025-04-24"), T("2024-12-20"), T("2025-01-06")])
    # Fri 20 Dec → Fri 3 Jan: 23, 24, 27, 30, 31 Dec, 2, 3 Jan (25, 26 Dec, 1 Jan are holidays).
    # Thu 17 Apr → Thu 24 Apr 2025: Good Friday and Easter Monday out: 22, 23, 24.
    assert list(working_days_between(start, end)) == [7, 3, 0, 1]
    assert list(add_working_days(start, 5)) == [T("2024-12-31"), T("2025-04-28"),
                                                T("2024-12-31"), T("2025-01-10")]


COLS = ["household_id", "household_type", "fast_track", "ffa_approved", "enquiry_date",
        "roi_date", "stage1_start", "stage1_end", "stage2_start", "stage2_end", "approval_date",
        "match_date", "placement_date", "ao_date", "left_date", "left_reason"]
ROWS = [
    # H1: ROI decided in 7 working days (over); stage 1 exactly 8 weeks, stage 2 exactly 4
    # months, approval exactly 6 months after stage 1 start, match exactly 3 months after.
    ["H1", "couple", False, False, "2023-05-01", "2024-12-20", "2025-01-03", "2025-02-28",
     "2025-03-10", "2025-07-10", "2025-07-03", "2025-10-03", "2025-11-01", None, None, None],
    # H2: ROI decided in 3 working days over Easter; stage 1 one day over; withdrew.
    ["H2", "single", False, False, "2023-06-01", "2025-04-17", "2025-04-24", "2025-06-20",
     None, None, None, None, None, None, "2025-07-01", "withdrew"],
    # H3: fast track (no stage 1); stage 2 over 4 months; matched after 6 months; adopted.
    ["H3", "couple", True, True, "2023-04-01", "2024-01-10", None, None, "2024-01-15",
     "2024-06-01", "2024-06-20", "2025-01-10", "2025-02-01", "2025-09-01", None, None],
    # H4: enquiry before the period; approved 01/06/2023 after 16 months; still waiting.
    ["H4", "couple", False, False, "2022-01-01", None, "2022-02-01", None, "2022-06-01",
     None, "2023-06-01", None, None, None, None, None],
    # H5: enquired and left, no reason given. H6: enquiry after the reference date.
    ["H5", "single", False, False, "2025-01-05", None, None, None, None, None, None, None,
     None, None, "2025-02-01", None],
    ["H6", "single", False, False, "2026-05-01", None, None, None, None, None, None, None,
     None, None, None, None],
]


@pytest.fixture(scope="module")
def hh(params):
    df = pd.DataFrame(ROWS, columns=COLS)
    for c in COLS[4:15]:
        df[c] = pd.to_datetime(df[c])
    return ad.as_known(df, params)


def test_flows_and_headline(hh, params):
    h = ad.headline(hh, params)
    assert (h["enquiries"], h["registrations"], h["approved"]) == (4, 2, 3)
    assert (h["approval_6m_within"], h["approval_6m_n"], h["approval_left_out_fast_track"]) == (
        1, 2, 1)
    assert h["approval_6m_pct"] == 50
    assert (h["match_3m_within"], h["match_6m_within"], h["match_n"], h["a12"]) == (1, 1, 2, 1)
    assert (h["waiting"], h["waiting_median_days"], h["in_assessment"]) == (1, 1034, 0)


def test_funnel_steps_and_leavers(hh, params):
    f = ad.funnel(hh, params).set_index("step")
    assert list(f["households"]) == [4, 3, 2, 2, 2, 2, 1]
    assert f.loc["registration", "conversion_pct"] == 75
    assert f.loc["adoption_order", "of_enquiries_pct"] == 25
    assert list(f["left"]) == [1, 1, 0, 0, 0, 0, 0]
    lv = ad.leavers(hh, params)
    assert list(zip(lv["step"], lv["reason"], lv["households"], strict=True)) == [
        ("enquiry", "not_given", 1), ("registration", "withdrew", 1)]


def test_timeliness_against_each_standard(hh, params):
    t = ad.timeliness(hh, params).set_index("measure")
    got = {k: (int(r["households"]), int(r["within"])) for k, r in t.iterrows()}
    assert got == {"roi_decision": (3, 2), "stage1": (2, 1), "stage2": (2, 1),
                   "approval": (2, 1), "match_3": (2, 1), "match_6": (2, 1)}
    assert t.loc["roi_decision", "median_days"] == 3      # working days
    assert t.loc["stage1", "median_days"] == 56.5
    assert t.loc["approval", "left_out_fast_track"] == 1


def test_timeliness_counts_households_with_dates_out_of_order(params):
    # H7: stage 2 recorded as ending before it started: not measured, counted as left out.
    rows = [r[:] for r in ROWS[:3]]
    rows.append(["H7", "couple", False, False, "2024-01-01", None, None, None, "2025-03-01",
                 "2025-02-01", None, None, None, None, None, None])
    df = pd.DataFrame(rows, columns=COLS)
    for c in COLS[4:15]:
        df[c] = pd.to_datetime(df[c])
    t = ad.timeliness(ad.as_known(df, params), params).set_index("measure")
    # Stage 2 ended in the period for H1, H3 and H7; H7 is out of order.
    assert t.loc["stage2", ["households", "left_out", "left_out_order"]].tolist() == [2, 0, 1]
    assert t["left_out_order"].drop("stage2").eq(0).all()


def test_adopter_standards_are_documented_row_by_row():
    import yaml

    defaults = yaml.safe_load((ROOT / "params/defaults.yaml").read_text(encoding="utf-8"))
    doc = (ROOT / "docs/methodology.md").read_text(encoding="utf-8")
    for key, s in defaults["adopter_standards"].items():
        row = f"| {key} | {s['value']} | {s['unit']} | {s['label']} | {s['basis']} |"
        assert row in doc, row


# -- Annex A ------------------------------------------------------------------------------

def _workbook(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Contents"
    l11 = wb.create_sheet("List 11 - adopters")
    l11.append(["Annex A list 11"])
    l11.append(["Individual adopter identifier", " family IDENTIFIER ", "Adopter name",
                "Date enquiry received", "Date Stage 1 started (dd/mm/yyyy)",
                "Date Stage 1 ended", "Date Stage 2 started", "Date Stage 2 ended",
                "Date application approved", "Date adopter matched with child(ren)",
                "Date child/children placed with adopter(s)", "No. of children placed",
                "Date of leaving adoption process", "Reason for leaving adoption process",
                "Is the (prospective) adopter fostering for adoption? (Yes/No)",
                "Favourite colour"])
    d = dt.datetime
    l11.append(["A1", "F1", "Ann Example", d(2024, 1, 10), d(2024, 2, 1), d(2024, 3, 28),
                d(2024, 4, 2), d(2024, 8, 1), d(2024, 8, 20), d(2024, 10, 1), d(2024, 11, 1), 1,
                None, None, "Yes", "blue"])
    l11.append(["A2", "F1", "Bob Example", d(2024, 1, 5), d(2024, 2, 1), d(2024, 3, 28),
                d(2024, 4, 2), d(2024, 8, 1), d(2024, 8, 20), d(2024, 10, 1), d(2024, 11, 1), 1,
                None, None, "Yes", None])
    l11.append(["A3", "F2", "Cy Example", "03/02/2025", None, None, None, None, None, None,
                None, None, "01/03/2025", "3 application refused", "No", None])
    l11.append(["A4", None, "Di Example", d(2025, 1, 1)] + [None] * 12)
    l10 = wb.create_sheet("10")
    l10.append(["Child Unique ID", "Date of Birth", "Does the Child have a Disability",
                "Date of Decision that Child Should be Placed for Adoption",
                "Date of Matching Child and Prospective Adopters", "Date of Adoption Order",
                "Date the child was placed for fostering in FFA or concurrent planning placement"])
    l10.append(["K1", d(2023, 1, 1), "Yes", d(2024, 5, 1), d(2024, 9, 1), None, d(2024, 6, 1)])
    l10.append(["K2", d(2022, 1, 1), "No", d(2023, 5, 1), d(2023, 9, 1), d(2024, 3, 1), None])
    l10.append(["K3", d(2022, 1, 1), "No", None, None, None, None])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _la(tmp_path: Path, local: dict | None = None):
    years = {"2024-25": {"header": [hdr("K1", "01/01/2023")],
                         "episodes": [ep("K1", "01/03/2024", "S", "C1", "U4")]}}
    p = write_la(tmp_path, years, local)
    _workbook(tmp_path / "data" / "local" / "Annex A 2025.xlsx")
    return p


def test_annex_a_lists_10_and_11_read_as_the_kit_tables(tmp_path):
    from diagnostic_kit.run.prepare import check_inputs

    inputs = check_inputs(_la(tmp_path))
    a = inputs.tables["adopters"].set_index("household_id")
    assert list(a.index) == ["F1", "F2"]
    assert list(a["household_type"]) == ["couple", "single"]
    assert a.loc["F1", "enquiry_date"] == T("2024-01-05")    # the earliest of the family's
    assert a.loc["F1", "approval_date"] == T("2024-08-20")
    assert a.loc["F2", "enquiry_date"] == T("2025-02-03")    # dd/mm/yyyy text read
    assert a.loc["F2", "left_reason"] == "not_approved"
    assert bool(a.loc["F1", "ffa_approved"]) and not bool(a.loc["F2", "fast_track"])
    assert "Example" not in inputs.tables["adopters"].to_string()  # names never loaded
    plans = inputs.tables["permanence_plans"].set_index("child")
    assert list(plans.index) == ["K1", "K2"]
    assert (plans.loc["K1", "plan"], plans.loc["K1", "source"]) == ("adoption", "adm")
    assert plans.loc["K1", "match_date"] == T("2024-09-01")
    assert pd.isna(plans.loc["K2", "match_date"])            # adopted: AD1 gives the match
    assert bool(plans.loc["K1", "disabled"])
    assert plans.loc["K1", "early_permanence_date"] == T("2024-06-01")

    dq = inputs.dq
    acc = dq.accounting.set_index("file")
    f11, f10 = "local/Annex A 2025.xlsx [List 11 - adopters]", "local/Annex A 2025.xlsx [10]"
    assert tuple(acc.loc[f11, ["rows_read", "rows_used", "rows_excluded"]]) == (4, 3, 1)
    assert tuple(acc.loc[f10, ["rows_read", "rows_used", "rows_excluded"]]) == (3, 2, 1)
    rules = sorted(zip(dq.findings["file"], dq.findings["rule"], dq.findings["column"],
                       strict=True))
    assert (f11, "annex_a_family_dates_differ", "enquiry_date") in rules
    assert (f11, "column_not_in_template", "Favourite colour") in rules
    dropped = dq.dropped_columns.set_index(["file", "column"])["reason"]
    assert dropped[(f11, "Adopter name")] == "personal data the kit does not need"
    assert dropped[(f10, "Date of Birth")] == "personal data the kit does not need"
    assert "adopters" not in set(dq.missing_extracts["table"])
    notes = " ".join(dq.notes["detail"])
    assert "adopters: read from Annex A list 11" in notes


def test_the_template_is_used_when_both_are_given(tmp_path):
    from diagnostic_kit.run.prepare import check_inputs

    row = {"household_id": "T1", "household_type": "single", "enquiry_date": "2024-01-01"}
    dq = check_inputs(_la(tmp_path, {"adopters": [row]})).dq
    assert list(check_inputs(_la(tmp_path, {"adopters": [row]})).tables["adopters"][
        "household_id"]) == ["T1"]
    acc = dq.accounting.set_index("file")
    assert acc.loc["local/Annex A 2025.xlsx [List 11 - adopters]", "rows_used"] == 0
    ex = dq.exclusions[dq.exclusions["file"].str.contains("List 11")]
    assert set(ex["reason"]) >= {"local/adopters.csv was supplied and is used instead of Annex "
                                 "A list 11"}
    assert any(re.search("local/adopters.csv was used", d) for d in dq.notes["detail"])


def test_a_list_not_used_is_counted_but_not_checked(tmp_path):
    """With adopters.csv supplied (and no permanence_plans.csv), list 10 fills the plans and
    list 11 is not used: each of its written rows is listed once as excluded for that reason,
    its columns are still recorded as dropped, and its values (differing family dates, a row
    with no family) raise no finding."""
    from diagnostic_kit.run.prepare import check_inputs

    local = {"adopters": [{"household_id": "T1", "household_type": "single",
                           "enquiry_date": "2024-01-01"}]}
    dq = check_inputs(_la(tmp_path, local)).dq
    f11 = "local/Annex A 2025.xlsx [List 11 - adopters]"
    acc = dq.accounting.set_index("file")
    assert tuple(acc.loc[f11, ["rows_read", "rows_used", "rows_excluded"]]) == (4, 0, 4)
    ex = dq.exclusions[dq.exclusions["file"] == f11]
    assert sorted(ex["row"]) == [3, 4, 5, 6]                    # each written row once
    assert set(ex["reason"]) == {"local/adopters.csv was supplied and is used instead of "
                                 "Annex A list 11"}
    on_list = dq.findings[dq.findings["file"] == f11]
    assert set(on_list["rule"]) == {"column_not_in_template"}  # the file's shape, not values
    dropped = dq.dropped_columns.set_index(["file", "column"])["reason"]
    assert dropped[(f11, "Adopter name")] == "personal data the kit does not need"


def test_a_workbook_standing_in_for_two_supplied_templates_is_not_opened(tmp_path, monkeypatch):
    """With both adopters.csv and permanence_plans.csv supplied, nothing in the Annex A workbook
    would be used: it is not opened (its names and dates of birth are never loaded), it is
    listed among the files found but not read with the reason, and it adds no rows, findings
    or dropped columns."""
    from diagnostic_kit.inputs import annex_a
    from diagnostic_kit.run.prepare import check_inputs

    def refuse(path):
        raise AssertionError(f"{path} was opened")

    monkeypatch.setattr(annex_a, "open_workbook", refuse)
    local = {"adopters": [{"household_id": "T1", "household_type": "single",
                           "enquiry_date": "2024-01-01"}],
             "permanence_plans": [{"child": "K1", "plan_date": "2024-04-01",
                                   "plan": "adoption", "source": "adm"}]}
    inputs = check_inputs(_la(tmp_path, local))
    dq = inputs.dq
    assert dq.unused_files == [
        "local/Annex A 2025.xlsx (an Annex A workbook: not opened, as local/adopters.csv and "
        "local/permanence_plans.csv were supplied and are used instead of lists 11 and 10)"]
    assert not dq.accounting["file"].str.contains("Annex A").any()
    assert not dq.findings["file"].astype(str).str.contains("Annex A").any()
    assert not dq.dropped_columns["file"].str.contains("Annex A").any()
    assert list(inputs.tables["adopters"]["household_id"]) == ["T1"]
    assert list(inputs.tables["permanence_plans"]["child"]) == ["K1"]


def test_the_synthetic_workbook_gives_the_same_section_5_figures(tmp_path):
    from diagnostic_kit.run.prepare import check_inputs
    from diagnostic_kit.synth import generate, write_params

    root = tmp_path / "la"
    generate(root, size=120, years=4)
    assert (root / "local/annex_a.xlsx").is_file()
    write_params(tmp_path / "la.yaml", data_dir=root, la_name="X", la_code="999")
    p = load_params(tmp_path / "la.yaml")
    both = check_inputs(p)
    assert len(both.dq.findings) == 0
    from_csv = ad.headline(ad.as_known(both.tables["adopters"], p), p)
    (root / "local/adopters.csv").unlink()
    only = check_inputs(p)
    from_annex = ad.headline(ad.as_known(only.tables["adopters"], p), p)
    assert from_csv["enquiries"] > 0
    assert from_annex == from_csv
    assert len(only.dq.findings) == 0


def test_annex_a_cells_read_the_same_by_calamine_and_openpyxl(tmp_path):
    """The workbook is read with python-calamine (fast); openpyxl, the reader before it, gives
    the same text for every cell of every sheet."""
    from openpyxl import load_workbook

    from diagnostic_kit.inputs import annex_a

    path = tmp_path / "Annex A.xlsx"
    _workbook(path)
    fast = {title: [[annex_a._cell_text(v) for v in row] for row in rows]
            for title, rows in annex_a._worksheets(path)}
    wb = load_workbook(path, read_only=True, data_only=True)
    slow = {ws.title: [[annex_a._cell_text(v) for v in row]
                       for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    wb.close()

    def trimmed(rows):  # trailing blank rows and cells aside
        rows = [list(r) for r in rows]
        while rows and not any(v is not None for v in rows[-1]):
            rows.pop()
        width = max((max((j + 1 for j, v in enumerate(r) if v is not None), default=0)
                     for r in rows), default=0)
        return [r[:width] + [None] * (width - len(r)) for r in rows]

    assert fast.keys() == slow.keys()
    for title in fast:
        assert trimmed(fast[title]) == trimmed(slow[title]), title


def test_an_annex_a_error_cell_is_an_unreadable_date(tmp_path):
    """calamine reads an error cell (#N/A) as blank; a workbook holding one is read with
    openpyxl, so that the error is reported as a value the kit could not read, as before."""
    from openpyxl import load_workbook

    from diagnostic_kit.inputs.annex_a import _has_error_cells, read_workbook

    path = tmp_path / "Annex A.xlsx"
    _workbook(path)
    assert not _has_error_cells(path)
    wb = load_workbook(path)
    cell = wb["List 11 - adopters"]["D3"]  # A1's date enquiry received
    cell.value, cell.data_type = "#N/A", "e"
    wb.save(path)
    assert _has_error_cells(path)
    _, log = read_workbook(path, "local/Annex A.xlsx")
    f = log.build().findings
    bad = f[(f["rule"] == "date_unparseable") & (f["column"] == "enquiry_date")]
    assert list(zip(bad["row"], bad["value"], strict=True)) == [(3, "#N/A")]


def test_cells_read_once_per_distinct_value_agree_with_one_by_one():
    """_texts (a cell's text) and _written (whether a cell holds anything), which work once per
    distinct value, give what _cell_text gives cell by cell: blanks and spaces are nothing, a NaN
    is written ("nan"), 1 and True stay apart, a whole float loses its ".0"."""
    import datetime as dt

    from diagnostic_kit.inputs import annex_a

    cells = [None, " ", "x", " x ", "", 1, True, 1.0, 0.0, 2.5, dt.date(2024, 3, 1),
             dt.datetime(2024, 3, 1, 10, 0), "x", None]
    for column in (cells, [*cells, float("nan")], [c for c in cells if c.__class__ is not int
                                                   and c.__class__ is not bool], []):
        one_by_one = [annex_a._cell_text(v) for v in column]
        assert list(annex_a._texts(column)) == one_by_one
        assert list(annex_a._written(column)) == [t is not None for t in one_by_one]
    assert list(annex_a._written([None, " ", float("nan"), "a"])) == [False, False, True, True]
