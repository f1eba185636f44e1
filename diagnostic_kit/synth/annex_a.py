"""The synthetic LA's Ofsted Annex A workbook: lists 10 and 11 as an LA keeps them.

Built from the synthetic local extracts (no random numbers, so every other file stays
byte-identical): list 11 has one row per individual adopter of each household in
``adopters.csv`` (two for a couple), with the January 2024 column names; list 10 one row per
decision that a child should be placed for adoption (``permanence_plans.csv``, source ADM). The
workbook is written with fixed timestamps, so the same seed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd

FILE = "local/annex_a.xlsx"

LIST11 = ["Individual adopter identifier", "Family identifier", "Gender", "Ethnicity",
          "Disability", "Is the (prospective) adopter fostering for adoption? (Yes/No)",
          "Date enquiry received", "Date Stage 1 started", "Date Stage 1 ended",
          "Date Stage 2 started", "Date Stage 2 ended", "Date application submitted",
          "Date application approved", "Date adopter matched with child(ren)",
          "Date child/children placed with adopter(s)", "No. of children placed",
          "Date of Adoption Order", "Date of leaving adoption process",
          "Reason for leaving adoption process"]
LIST10 = ["Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth",
          "Age of Child (Years)", "Does the Child have a Disability",
          "Date the Child Entered Care",
          "Date of Decision that Child Should be Placed for Adoption",
          "Date of Placement Order", "Date of Matching Child and Prospective Adopters",
          "Date Placed for Adoption", "Date of Adoption Order",
          "Date of Decision that Child Should No Longer be Placed for Adoption",
          "Reason Why Child No Longer Placed for Adoption",
          "Date the child was placed for fostering in FFA or concurrent planning placement"]
REASONS = {"withdrew": "1 adopter withdrew", "on_hold": "2 process put on hold",
           "not_approved": "3 application refused", "approval_terminated": "approval terminated",
           "other": "other"}
_FIXED = dt.datetime(2026, 1, 1)


def _date(v: object) -> dt.datetime | None:
    if v is None or v == "" or pd.isna(v):
        return None
    return dt.datetime.fromisoformat(str(v))


def list11_rows(adopters: pd.DataFrame) -> list[list[object]]:
    rows = []
    for _, h in adopters.iterrows():
        n = 2 if h["household_type"] == "couple" else 1
        for i in range(n):
            rows.append([
                f"{h['household_id']}-{i + 1}", h["household_id"], ("Female", "Male")[i % 2],
                h["ethnicity"] or None, "No", "Yes" if h["ffa_approved"] == "yes" else "No",
                _date(h["enquiry_date"]), _date(h["stage1_start"]), _date(h["stage1_end"]),
                _date(h["stage2_start"]), _date(h["stage2_end"]), _date(h["stage2_start"]),
                _date(h["approval_date"]), _date(h["match_date"]), _date(h["placement_date"]),
                int(h["children_placed"]) if h["children_placed"] else None,
                _date(h["ao_date"]), _date(h["left_date"]),
                REASONS.get(h["left_reason"]) if h["left_reason"] else None,
            ])
    return rows


def list10_rows(plans: pd.DataFrame) -> list[list[object]]:
    adm = plans[(plans["plan"] == "adoption") & (plans["source"] == "adm")]
    extra = plans.groupby("child").agg({"disabled": "max", "early_permanence_date": "max",
                                        "match_date": "max"})
    rows = []
    for _, p in adm.iterrows():
        e = extra.loc[p["child"]]
        rows.append([p["child"], None, None, None, None, None,
                     "Yes" if e["disabled"] == "yes" else "No", None, _date(p["plan_date"]),
                     None, _date(e["match_date"]), None, None, None, None,
                     _date(e["early_permanence_date"])])
    return rows


def _deterministic(data: bytes) -> bytes:
    """The workbook with fixed zip and document timestamps (same input, same bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = _FIXED.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                body = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>"
                              + stamp.encode(), body)
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, body)
    return out.getvalue()


def write_workbook(path: Path, adopters: pd.DataFrame, plans: pd.DataFrame) -> None:
    """Write the Annex A workbook: a cover sheet, then list 10 and list 11 (title row above
    the header row, as the Ofsted template has)."""
    from openpyxl import Workbook

    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover.append(["Annex A: data for inspection (synthetic LA)"])
    for title, heading, cols, rows in (
        ("List 10", "List 10: children adopted, with an adoption decision, or decision reversed",
         LIST10, list10_rows(plans)),
        ("List 11", "List 11: adopters who had contact with the agency in the last 12 months",
         LIST11, list11_rows(adopters)),
    ):
        ws = wb.create_sheet(title)
        ws.append([heading])
        ws.append(cols)
        for r in rows:
            ws.append(r)
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "dd/mm/yyyy"
    wb.properties.created = _FIXED
    wb.properties.modified = _FIXED
    buf = io.BytesIO()
    wb.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_deterministic(buf.getvalue()))
