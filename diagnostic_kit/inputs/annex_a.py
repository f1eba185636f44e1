"""Ofsted Annex A lists 10 and 11, read from the Excel workbook an LA keeps for inspection.

An LA may put its Annex A workbook (an ``.xlsx`` whose file name contains "annex", e.g.
``local/Annex A 2025.xlsx``) beside its local extracts instead of filling the kit's templates:

- **List 11** (one row per individual adopter) becomes the ``adopters`` table: one household per
  *Family identifier*; one individual is a single adopter, two or more a couple; each date is the
  earliest the family's rows give (rows of one family that disagree are a finding,
  ``annex_a_family_dates_differ``); a family with no stage 1 date that started stage 2 is fast
  track; the reason for leaving 1/2/3 is withdrew / on hold / not approved (refused).
- **List 10** (children with an adoption decision) becomes ``permanence_plans`` rows: the
  decision that the child should be placed for adoption as plan adoption, source ADM, with the
  child's disability, the fostering-for-adoption / concurrent placement date, and the match date
  of children not yet adopted (no adoption order date).

The same rules as every input: sheets are found by their list number or title, the header row
by its columns, and columns are matched loosely (case, spaces and punctuation ignored; a heading
may carry more words after the January 2024 name, e.g. "(Yes/No)"). Columns the kit does not
need are dropped and reported; a column whose heading names a person's name is never read.
Every row is used or listed as excluded with its reason. Where the kit's own template
(``local/adopters.csv``, ``local/permanence_plans.csv``) is also given, the template is used,
the list's rows are listed as excluded for that reason, and a note says which source was used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from diagnostic_kit.inputs import schema
from diagnostic_kit.inputs.findings import Findings, Rule, register
from diagnostic_kit.inputs.reading import (
    PERSONAL_DROP_REASON,
    LAInputs,
    read_dates,
    validate_columns,
)

register(Rule("annex_a_family_dates_differ", "the rows of one Annex A list 11 family give "
              "different dates for the same step", "kept: the earliest date is used",
              tables=("adopters",)))

#: Column headings (normalised: lower case, letters and digits only) the kit reads, by the
#: column it fills; a heading matches when it starts with one of these.
LIST11_COLUMNS: dict[str, tuple[str, ...]] = {
    "family_id": ("familyidentifier", "familyid"),
    "ffa": ("istheprospectiveadopterfosteringforadoption", "fosteringforadoption"),
    "enquiry_date": ("dateenquiryreceived", "enquirydate"),
    "stage1_start": ("datestage1started", "stage1started"),
    "stage1_end": ("datestage1ended", "stage1ended"),
    "stage2_start": ("datestage2started", "stage2started"),
    "stage2_end": ("datestage2ended", "stage2ended"),
    "approval_date": ("dateapplicationapproved", "applicationapproved"),
    "match_date": ("dateadoptermatched", "datematched"),
    "placement_date": ("datechildchildrenplaced", "datechildplaced", "datechildrenplaced"),
    "children_placed": ("noofchildrenplaced", "numberofchildrenplaced"),
    "ao_date": ("dateofadoptionorder",),
    "left_date": ("dateofleavingadoptionprocess", "dateleftadoptionprocess"),
    "left_reason": ("reasonforleavingadoptionprocess", "reasonforleaving"),
}
#: Annex A columns of list 11 the kit does not need (dropped and reported, not a finding).
LIST11_UNNEEDED = ("individualadopteridentifier", "gender", "ethnicity", "disability",
                   "dateapplicationsubmitted")

LIST10_COLUMNS: dict[str, tuple[str, ...]] = {
    "child": ("childuniqueid", "childid"),
    "disabled": ("doesthechildhaveadisability",),
    "decision_date": ("dateofdecisionthatchildshouldbeplacedforadoption",),
    "match_date": ("dateofmatchingchildandprospectiveadopters", "dateofmatching"),
    "ao_date": ("dateofadoptionorder",),
    "ffa_date": ("datethechildwasplacedforfostering", "dateplacedforfosteringinffa",
                 "datechildplacedinffa"),
}
LIST10_UNNEEDED = ("familyidentifier", "gender", "ethnicity", "ageofchild",
                   "datethechildenteredcare", "dateofplacementorder", "dateplacedforadoption",
                   "dateofdecisionthatchildshouldnolonger", "reasonwhychildnolonger")
#: Personal data never read: dropped as such.
PERSONAL = ("name", "forename", "surname", "firstname", "lastname", "dateofbirth", "dob",
            "upn", "postcode", "address")
#: Parts of a heading that mark a name wherever they stand in it ("childsurname").
PERSONAL_PARTS = ("name", "forename", "surname", "firstname", "lastname")

LEFT_REASON = (("1", "withdrew"), ("withdr", "withdrew"), ("2", "on_hold"), ("hold", "on_hold"),
               ("3", "not_approved"), ("refus", "not_approved"), ("notapproved", "not_approved"),
               ("terminat", "approval_terminated"), ("ended", "approval_terminated"),
               ("other", "other"))

HOUSEHOLD_DATES = ("enquiry_date", "stage1_start", "stage1_end", "stage2_start", "stage2_end",
                   "approval_date", "match_date", "placement_date", "ao_date", "left_date")


def norm(text: object) -> str:
    """A heading or sheet name for loose matching: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


def find_workbook(local_dir: Path) -> Path | None:
    """The Annex A workbook in the local folder: an .xlsx whose name contains "annex"."""
    if not local_dir.is_dir():
        return None
    books = sorted(p for p in local_dir.iterdir() if p.suffix.lower() == ".xlsx"
                   and "annex" in norm(p.stem) and not p.name.startswith("~$"))
    return books[0] if books else None


@dataclass
class AnnexList:
    """One list as read: the table it fills, the typed table, and its rows as read."""

    number: int
    table: str
    frame: pd.DataFrame
    rows: pd.DataFrame
    rel: str


def _which_list(title: str, headings: list[str]) -> int | None:
    t = norm(title)
    m = re.search(r"list\s*(\d+)", title.lower()) or re.search(r"(?<!\d)(10|11)(?!\d)", title)
    if m and m.group(1) in ("10", "11"):
        return int(m.group(1))
    if "individualadopteridentifier" in headings or "adopter" in t:
        return 11
    if "childuniqueid" in headings or "childrenadopted" in t or "adoptiondecision" in t:
        return 10
    return None


def _match(heading: str, columns: dict[str, tuple[str, ...]]) -> str | None:
    for target, keys in columns.items():
        if any(heading == k or heading.startswith(k) for k in keys):
            return target
    return None


def _cell_text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v).strip()
    return text or None


def _texts(values) -> list[str | None]:
    """:func:`_cell_text` of each value, with the common cases (text, blank, a date) inline."""
    out: list[str | None] = []
    append = out.append
    for v in values:
        cls = v.__class__
        if cls is str:
            append(v.strip() or None)
        elif v is None:
            append(None)
        elif cls is dt.date:
            append(v.isoformat())
        else:
            append(_cell_text(v))
    return out


def _read_sheet(sheet: list, rel: str, columns: dict[str, tuple[str, ...]],
                unneeded: tuple[str, ...], log: Findings) -> pd.DataFrame:
    """The rows of one list with the kit's columns (text), ``_file`` and ``_row`` (the
    spreadsheet's row number). Only the columns the kit reads are taken from each row.
    ``sheet`` holds the sheet's rows from row 1, each a sequence of cell values."""
    rows = iter(sheet)
    header_at, header = None, []
    for i, row in enumerate(rows, start=1):
        heads = [norm(v) for v in row]
        if sum(_match(h, columns) is not None for h in heads if h) >= 3:
            header_at, header = i, list(row)
            break
        if i >= 20:
            break
    if header_at is None:
        return pd.DataFrame(columns=[*columns, "_file", "_row"])
    keep: dict[int, str] = {}
    for j, name in enumerate(header):
        h = norm(name)
        if not h:
            continue
        target = _match(h, columns)
        if target and target not in keep.values() and "name" not in h:
            keep[j] = target
            continue
        if any(p in h for p in PERSONAL_PARTS) or h in PERSONAL:
            reason = PERSONAL_DROP_REASON
        elif any(h.startswith(u) for u in unneeded) or target:
            reason = "an Annex A column the kit does not need"
        else:
            reason = "not an Annex A column the kit reads"
            log.add_file_level("column_not_in_template", rel, str(name))
        log.dropped.append({"file": rel, "column": str(name), "reason": reason})
    body = sheet[header_at:]
    width = len(body[0]) if body else 0
    if all(len(row) == width for row in body):
        by_column = list(zip(*body, strict=True)) if body else []
        data = {t: _texts(by_column[j]) if j < width else [None] * len(body)
                for j, t in keep.items()}
    else:
        data = {t: [_cell_text(row[j]) if j < len(row) else None for row in body]
                for j, t in keep.items()}
    numbers = range(header_at + 1, header_at + 1 + len(body))
    # Rows with nothing in the kit's columns are left out.
    used = [vals.count(None) != len(vals) for vals in zip(*data.values(), strict=True)] if data \
        else [False] * len(body)
    frame = {c: [v for v, u in zip(data[c], used, strict=True) if u] if c in data else None
             for c in columns}
    n = sum(used)
    df = pd.DataFrame({c: pd.array(v if v is not None else [None] * n, dtype="string")
                       for c, v in frame.items()})
    df["_row"] = pd.Series([i for i, u in zip(numbers, used, strict=True) if u],
                           dtype="int64" if n else object)
    df["_file"] = rel
    return df


def _dates(df: pd.DataFrame, cols: tuple[str, ...] | list[str], log: Findings) -> pd.DataFrame:
    """Parse date columns; an unreadable date is a finding and treated as blank."""
    out = df.copy()
    for c in cols:
        values, _ = read_dates(df[c])
        bad = values.isna() & df[c].notna()
        log.add("date_unparseable", df[bad], c)
        out[c] = values
    return out


def _left_reason(s: pd.Series) -> pd.Series:
    def one(v):
        if v is None or pd.isna(v):
            return pd.NA
        n = norm(v)
        for key, reason in LEFT_REASON:
            if n.startswith(key) or (len(key) > 1 and key in n):
                return reason
        return str(v)
    # Once per distinct reason (a blank gives NA).
    codes, uniques = pd.factorize(s)
    reasons = np.array([*(one(v) for v in uniques), pd.NA], dtype=object)
    return pd.Series(reasons[codes], index=s.index, name=s.name).astype("string")


def households_from_list11(df: pd.DataFrame, rel: str, log: Findings) -> pd.DataFrame:
    """List 11's individuals as households, validated as the ``adopters`` template."""
    no_family = df["family_id"].isna()
    log.add("required_missing", df[no_family], "family_id", value="", action="row excluded")
    log.exclude(df[no_family], "adopters", "no family identifier: the adopter cannot be placed "
                "in a household")
    ind = _dates(df[~no_family], HOUSEHOLD_DATES, log)
    g = ind.groupby("family_id", sort=False)
    first = g.head(1).set_index("family_id")
    out = pd.DataFrame(index=first.index)
    for c in HOUSEHOLD_DATES:
        out[c] = g[c].min()
        differs = g[c].transform("nunique").gt(1)
        rows = ind[differs].drop_duplicates("family_id")
        log.add("annex_a_family_dates_differ", rows, c,
                value=rows[c].dt.strftime("%d/%m/%Y").astype("string"))
    size = g.size()
    out["household_type"] = size.map(lambda n: "single" if n == 1 else "couple")
    # "yes" if any of the family's rows says yes, else "no" if any says anything.
    ffa = ind["ffa"].astype("string")
    said_yes = ffa.str.lower().str.startswith("y").fillna(False).astype(bool)
    any_yes = said_yes.groupby(ind["family_id"], sort=False).any()
    any_said = ffa.notna().groupby(ind["family_id"], sort=False).any()
    out["ffa_approved"] = pd.Series(np.where(any_yes, "yes", np.where(any_said, "no", None)),
                                    index=any_yes.index, dtype=object).replace({None: pd.NA})
    out["fast_track"] = (out["stage1_start"].isna() & out["stage1_end"].isna()
                         & out["stage2_start"].notna()).map({True: "yes", False: "no"})
    placed = pd.to_numeric(ind["children_placed"], errors="coerce").groupby(ind["family_id"]).max()
    out["children_placed"] = placed.map(lambda x: pd.NA if pd.isna(x) else str(int(x)))
    out["left_reason"] = _left_reason(g["left_reason"].first())
    for c in HOUSEHOLD_DATES:
        out[c] = out[c].dt.strftime("%Y-%m-%d")
    out["household_id"] = out.index.astype("string")
    out["_file"] = rel
    out["_row"] = first["_row"]
    frame = out.reset_index(drop=True).reindex(columns=[*schema.ADOPTERS.column_names, "_file",
                                                        "_row"])
    frame = frame.astype({c: "string" for c in schema.ADOPTERS.column_names})
    frame = frame.replace({"": pd.NA})
    return validate_columns(frame, schema.ADOPTERS, log).reset_index(drop=True)


def plans_from_list10(df: pd.DataFrame, rel: str, log: Findings) -> pd.DataFrame:
    """List 10's children as ``permanence_plans`` rows (plan adoption, source ADM)."""
    no_child = df["child"].isna()
    log.add("required_missing", df[no_child], "child", value="", action="row excluded")
    log.exclude(df[no_child], "permanence_plans", "no child identifier")
    d = df[~no_child]
    no_date = d["decision_date"].isna()
    log.add("required_missing", d[no_date], "decision_date", value="", action="row excluded")
    log.exclude(d[no_date], "permanence_plans", "no date of the decision that the child should "
                "be placed for adoption")
    d = d[~no_date]
    adopted = d["ao_date"].notna()
    frame = pd.DataFrame({
        "child": d["child"], "plan_date": d["decision_date"], "plan": "adoption",
        "source": "adm", "sibling_group": pd.NA, "disabled": d["disabled"],
        "early_permanence_date": d["ffa_date"], "match_date": d["match_date"].where(~adopted),
        "_file": rel, "_row": d["_row"],
    }).astype({c: "string" for c in schema.PERMANENCE_PLANS.column_names})
    return validate_columns(frame.reset_index(drop=True), schema.PERMANENCE_PLANS,
                            log).reset_index(drop=True)


#: How a cell holding an error (``#N/A``, ``#REF!``) is marked in a worksheet's XML.
_ERROR_CELL = (b't="e"', b"t='e'")


def _has_error_cells(path: Path) -> bool:
    """Whether any worksheet of the workbook holds an error cell (``t="e"``)."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = zf.read(name)
                if any(mark in xml for mark in _ERROR_CELL):
                    return True
    return False


def _worksheets(path: Path):
    """Each worksheet of a workbook as (title, rows from row 1, each a sequence of cell values:
    blank as ``None`` or ``""``, dates as dates, numbers as numbers, an error as its text).

    Read with python-calamine (fast); with openpyxl where calamine is not installed or a sheet
    holds an error cell (calamine reads an error as blank, openpyxl as its text, e.g. ``#N/A``,
    which is then reported as a value the kit could not read).
    """
    try:
        from python_calamine import CalamineWorkbook, SheetTypeEnum
    except ImportError:  # pragma: no cover - a dependency; openpyxl reads the same values
        CalamineWorkbook = None
    if CalamineWorkbook is not None and not _has_error_cells(path):
        wb = CalamineWorkbook.from_path(str(path))
        try:
            for meta in wb.sheets_metadata:
                if meta.typ == SheetTypeEnum.WorkSheet:
                    yield meta.name, wb.get_sheet_by_name(meta.name).to_python(
                        skip_empty_area=False)
        finally:
            wb.close()
        return
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            yield ws.title, list(ws.iter_rows(values_only=True))
    finally:
        wb.close()


def read_workbook(path: Path, rel: str) -> tuple[list[AnnexList], Findings]:
    """Lists 10 and 11 of an Annex A workbook, each as the kit's table, and the findings."""
    log = Findings()
    log.checksums[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    out: list[AnnexList] = []
    for title, sheet in _worksheets(path):
        heads = [norm(v) for row in sheet[:20] for v in row]
        number = _which_list(title, heads)
        if number not in (10, 11) or any(a.number == number for a in out):
            continue
        sheet_rel = f"{rel} [{title}]"
        if number == 11:
            rows = _read_sheet(sheet, sheet_rel, LIST11_COLUMNS, LIST11_UNNEEDED, log)
            log.rows_read[sheet_rel] = ("adopters", len(rows))
            frame = households_from_list11(rows, sheet_rel, log)
            out.append(AnnexList(11, "adopters", frame, rows, sheet_rel))
        else:
            rows = _read_sheet(sheet, sheet_rel, LIST10_COLUMNS, LIST10_UNNEEDED, log)
            log.rows_read[sheet_rel] = ("permanence_plans", len(rows))
            frame = plans_from_list10(rows, sheet_rel, log)
            out.append(AnnexList(10, "permanence_plans", frame, rows, sheet_rel))
    return out, log


def add_annex_a(inputs: LAInputs, local_dir: Path) -> LAInputs:
    """``inputs`` with Annex A lists 10 and 11 read from the local folder's workbook, where
    there is one: each list fills its table when the kit's template was not supplied; otherwise
    the template is used and the list's rows are excluded, saying so."""
    path = find_workbook(Path(local_dir))
    if path is None:
        return inputs
    rel = f"{Path(local_dir).name}/{path.name}"
    lists, log = read_workbook(path, rel)
    missing = {m["table"]: m for m in inputs.findings.missing}
    for a in lists:
        template = f"local/{a.table}.csv"
        if a.table in missing:
            inputs.tables[a.table] = a.frame
            log.note(a.rel, "source", f"{a.table}: read from Annex A list {a.number} ({a.rel}), "
                     f"as {template} was not supplied")
            if a.table == "adopters":
                inputs.findings.missing.remove(missing[a.table])
            else:
                missing[a.table]["message"] = (
                    f"{template} was not supplied: ADM decisions, disability, early-permanence "
                    f"and match dates were read from Annex A list {a.number}; fill "
                    f"data_templates/{a.table}.csv to add the plans and IRO recommendations.")
        else:
            log.exclude(a.rows, a.table, f"{template} was supplied and is used instead of Annex "
                        f"A list {a.number}")
            log.note(a.rel, "source", f"{a.table}: {template} was used; Annex A list "
                     f"{a.number} in the same folder was read and not used")
    inputs.findings.extend(log)
    return inputs
