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
Where both templates are given the workbook is not opened at all (nothing in it would be used,
and its names and dates of birth are then never loaded): it is listed as a file found but not
read, with that reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from diagnostic_kit.inputs import archives, schema
from diagnostic_kit.inputs import reading_rules as rr
from diagnostic_kit.inputs.columns import validate_columns
from diagnostic_kit.inputs.errors import InputError
from diagnostic_kit.inputs.findings import PERSONAL_DROP_REASON, Findings, declare
from diagnostic_kit.inputs.reading import LAInputs, local_files
from diagnostic_kit.inputs.values import read_dates

#: Made while list 11 is read into households (tests/test_adopters.py).
FAMILY_DATES_DIFFER = declare(
    "annex_a_family_dates_differ", "the rows of one Annex A list 11 family give different "
    "dates for the same step", "kept: the earliest date is used", tables=("adopters",))

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
    #: None where the table's template was supplied (the list is not used).
    frame: pd.DataFrame | None
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


def _texts(values) -> np.ndarray:
    """:func:`_cell_text` of each value (as an object array), once per distinct value.

    Values are told apart as ``==`` does, which is as :func:`_cell_text` writes them except a
    number beside a yes/no (1 and True) and a missing number (NaN): a column holding a number
    or a NaN is written value by value."""
    cells = np.fromiter(values, dtype=object, count=len(values))
    codes, uniques = pd.factorize(cells)
    if any(u.__class__ in (bool, int, float) for u in uniques) or \
            int((codes < 0).sum()) != int(np.equal(cells, None).sum()):
        return np.fromiter(map(_cell_text, values), dtype=object, count=len(values))
    return np.array([*map(_cell_text, uniques), None], dtype=object)[codes]


def _written(values: list) -> np.ndarray:
    """Whether each cell holds something (what :func:`_cell_text` does not make blank): not
    None, nor text of spaces only. The few blank values a column holds are found among its
    distinct values, and each is then looked for in the whole column."""
    cells = np.fromiter(values, dtype=object, count=len(values))
    blank = np.zeros(len(cells), dtype=bool)
    for v in {v for v in set(values) if v is None or (isinstance(v, str) and not v.strip())}:
        blank |= cells == v if v is not None else np.equal(cells, None)
    return ~blank


def _cells(body: list, keep: dict[int, str]) -> dict[int, list]:
    """The cells of each kept column (by position) of the rows of ``body``; a column past
    every row's end is left out (all blank). Rows of one width (as a sheet's usually are) are
    taken a column at a time by ``itemgetter``."""
    width = len(body[0]) if body else 0
    if all(len(row) == width for row in body):
        return {j: list(map(itemgetter(j), body)) for j in keep if j < width}
    return {j: [row[j] if j < len(row) else None for row in body] for j in keep}


def _read_sheet(sheet: list, rel: str, columns: dict[str, tuple[str, ...]],
                unneeded: tuple[str, ...], log: Findings, *,
                rows_only: bool = False) -> pd.DataFrame:
    """The rows of one list with the kit's columns (text), ``_file`` and ``_row`` (the
    spreadsheet's row number). Only the columns the kit reads are taken from each row.
    ``sheet`` holds the sheet's rows from row 1, each a sequence of cell values.

    ``rows_only``: the same rows (and the same columns recorded as dropped), with ``_file`` and
    ``_row`` only, for a list that is not used (its cells are not read as text)."""
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
            rr.COLUMN_NOT_IN_TEMPLATE.record_file(log, rel, str(name))
        log.dropped.append({"file": rel, "column": str(name), "reason": reason})
    body = sheet[header_at:]
    numbers = np.arange(header_at + 1, header_at + 1 + len(body))
    if rows_only:
        used = np.zeros(len(body), dtype=bool)
        for values in _cells(body, keep).values():
            used |= _written(values)
        return pd.DataFrame({"_row": pd.Series(numbers[used], dtype="int64"), "_file": rel})
    cells = _cells(body, keep)
    blank = np.full(len(body), None, dtype=object)
    data = {t: _texts(cells[j]) if j in cells else blank for j, t in keep.items()}
    # Rows with nothing in the kit's columns are left out.
    used = np.zeros(len(body), dtype=bool)
    for values in data.values():
        used |= np.not_equal(values, None)
    n = int(used.sum())
    df = pd.DataFrame({c: pd.array(data[c][used] if c in data else [None] * n, dtype="string")
                       for c in columns})
    df["_row"] = pd.Series(numbers[used], dtype="int64") if n else pd.Series([], dtype=object)
    df["_file"] = rel
    return df


def _iso_days(values: np.ndarray) -> np.ndarray:
    """Dates as ``yyyy-mm-dd`` text (None where blank): ``strftime("%Y-%m-%d")`` of dates the
    kit reads (years 1900 on), once per distinct date."""
    codes, uniques = pd.factorize(values)
    texts = np.datetime_as_string(np.asarray(uniques, dtype=values.dtype), unit="D")
    return np.append(texts.astype(object), None)[codes]


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
    if no_family.any():
        rr.REQUIRED_MISSING.record(log, df[no_family], "family_id", value="",
                                   action="row excluded")
        log.exclude(df[no_family], "adopters", "no family identifier: the adopter cannot be "
                    "placed in a household")
        df = df[~no_family]
    dates = {}
    for c in HOUSEHOLD_DATES:
        values, _ = read_dates(df[c])
        bad = values.isna() & df[c].notna()
        if bad.any():  # an unreadable date is a finding and treated as blank
            rr.DATE_UNPARSEABLE.record(log, df[bad], c)
        dates[c] = values.to_numpy()
    # Families numbered in the order first seen; each family's first row.
    family, ids = pd.factorize(df["family_id"].to_numpy(dtype=object))
    families = _Families(family, len(ids))
    heads = df.iloc[families.first]
    data: dict[str, np.ndarray] = {}
    for c in HOUSEHOLD_DATES:
        earliest, latest = families.date_range(dates[c])
        data[c] = earliest
        # Two different dates among the family's rows: shown on its first row.
        differs = earliest < latest
        if differs.any():
            rows = heads[differs]
            shown = pd.Series(dates[c][families.first[differs]], index=rows.index)
            FAMILY_DATES_DIFFER.record(log, rows, c,
                                       value=shown.dt.strftime("%d/%m/%Y").astype("string"))
    data["household_type"] = np.where(families.size == 1, "single", "couple").astype(object)
    # "yes" if any of the family's rows says yes, else "no" if any says anything.
    ffa = df["ffa"].astype("string")
    said_yes = families.any(ffa.str.lower().str.startswith("y").fillna(False).to_numpy(bool))
    said = families.any(ffa.notna().to_numpy())
    data["ffa_approved"] = np.where(said_yes, "yes", np.where(said, "no", None))
    data["fast_track"] = np.where(np.isnat(data["stage1_start"]) & np.isnat(data["stage1_end"])
                                  & ~np.isnat(data["stage2_start"]), "yes", "no").astype(object)
    placed = pd.to_numeric(df["children_placed"], errors="coerce").groupby(family).max()
    data["children_placed"] = np.array([None if pd.isna(x) else str(int(x)) for x in placed],
                                       dtype=object)
    reason = df["left_reason"].array.take(families.first_of(df["left_reason"].notna()),
                                          allow_fill=True)
    data["left_reason"] = _left_reason(pd.Series(reason)).to_numpy(dtype=object, na_value=None)
    for c in HOUSEHOLD_DATES:
        data[c] = _iso_days(data[c])
    data["household_id"] = pd.Series(ids, dtype=object).astype("string").to_numpy(
        dtype=object, na_value=None)
    # As text, blank (or empty) as NA, in the template's columns.
    frame = pd.DataFrame({c: _as_text(data.get(c), len(ids)) for c in schema.ADOPTERS.column_names},
                         index=pd.RangeIndex(len(ids)))
    frame["_file"] = rel
    frame["_row"] = df["_row"].to_numpy()[families.first]
    return validate_columns(frame, schema.ADOPTERS, log).reset_index(drop=True)


class _Families:
    """The rows of one list grouped by family (numbered 0, 1, ... in the order first seen)."""

    def __init__(self, family: np.ndarray, count: int) -> None:
        self.family, self.count = family, count
        self.size = np.bincount(family, minlength=count)
        self.order = np.argsort(family, kind="stable")  # the rows, family by family
        self.starts = np.searchsorted(family[self.order], np.arange(count))
        self.first = self.first_of(np.ones(len(family), dtype=bool))

    def first_of(self, rows: pd.Series | np.ndarray) -> np.ndarray:
        """Each family's first row of those given (-1 where it has none)."""
        at = np.flatnonzero(np.asarray(rows, dtype=bool))
        first = np.full(self.count, -1, dtype=np.intp)
        first[self.family[at][::-1]] = at[::-1]  # the earliest row written last
        return first

    def any(self, flags: np.ndarray) -> np.ndarray:
        """Whether any of the family's rows is flagged."""
        return np.bincount(self.family, weights=flags, minlength=self.count) > 0

    def date_range(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The earliest and latest date among each family's rows (NaT where none)."""
        if not self.count:
            return values[:0], values[:0]
        v = values[self.order].view(np.int64)  # NaT is the least whole number
        nat, most = np.iinfo(np.int64).min, np.iinfo(np.int64).max
        earliest = np.minimum.reduceat(np.where(v == nat, most, v), self.starts)
        earliest[earliest == most] = nat
        return earliest.view(values.dtype), np.maximum.reduceat(v, self.starts).view(values.dtype)


def _as_text(values: np.ndarray | None, n: int) -> pd.api.extensions.ExtensionArray:
    """A column of text (None or an empty text as NA); all NA where not given."""
    if values is None:
        return pd.array([None] * n, dtype="string")
    values = np.asarray(values, dtype=object)
    return pd.array(np.where(values == "", None, values), dtype="string")


def plans_from_list10(df: pd.DataFrame, rel: str, log: Findings) -> pd.DataFrame:
    """List 10's children as ``permanence_plans`` rows (plan adoption, source ADM)."""
    no_child = df["child"].isna()
    d = df
    if no_child.any():
        rr.REQUIRED_MISSING.record(log, df[no_child], "child", value="", action="row excluded")
        log.exclude(df[no_child], "permanence_plans", "no child identifier")
        d = df[~no_child]
    no_date = d["decision_date"].isna()
    if no_date.any():
        rr.REQUIRED_MISSING.record(log, d[no_date], "decision_date", value="",
                                   action="row excluded")
        log.exclude(d[no_date], "permanence_plans", "no date of the decision that the child "
                    "should be placed for adoption")
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


@dataclass
class Workbook:
    """A workbook's worksheets as read (see :func:`_worksheets`), and its checksum."""

    path: Path
    checksum: str
    sheets: list[tuple[str, list]]


def open_workbook(path: Path) -> Workbook:
    """Read a workbook's cells (the slow part of reading it, mostly outside Python). A file
    that is not a workbook, or would expand past :data:`archives.WORKBOOK_LIMIT`, stops with
    one sentence before anything is decompressed."""
    refused = archives.too_large(path, archives.WORKBOOK_LIMIT)
    if refused:
        raise InputError(f"The Annex A workbook {path.name} in {path.parent} cannot be read: "
                         f"{refused}. Save it again from Excel, or take it out of the folder "
                         "and fill data_templates/adopters.csv instead.")
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    return Workbook(path, checksum, list(_worksheets(path)))


def read_workbook(
    path: Path | Workbook, rel: str, supplied: Collection[str] = ()
) -> tuple[list[AnnexList], Findings]:
    """Lists 10 and 11 of an Annex A workbook, each as the kit's table, and the findings.

    ``supplied``: the tables whose template the LA supplied. Their list is not used, so only
    its rows are read (to be listed as excluded) and its values are neither made into the
    table nor checked (``frame`` is None)."""
    book = path if isinstance(path, Workbook) else open_workbook(path)
    log = Findings()
    log.checksums[rel] = book.checksum
    out: list[AnnexList] = []
    for title, sheet in book.sheets:
        heads = [norm(v) for row in sheet[:20] for v in row]
        number = _which_list(title, heads)
        if number not in (10, 11) or any(a.number == number for a in out):
            continue
        sheet_rel = f"{rel} [{title}]"
        table, columns, unneeded, make = _LISTS[number]
        unused = table in supplied
        rows = _read_sheet(sheet, sheet_rel, columns, unneeded, log, rows_only=unused)
        log.rows_read[sheet_rel] = (table, len(rows))
        frame = None if unused else make(rows, sheet_rel, log)
        out.append(AnnexList(number, table, frame, rows, sheet_rel))
    return out, log


#: Each list the kit reads, by number: the table it fills, the columns read and those dropped
#: as not needed, and how its rows become that table.
_LISTS = {11: ("adopters", LIST11_COLUMNS, LIST11_UNNEEDED, households_from_list11),
          10: ("permanence_plans", LIST10_COLUMNS, LIST10_UNNEEDED, plans_from_list10)}
#: The tables an Annex A workbook can fill (list 11, list 10).
ANNEX_A_TABLES = tuple(t for t, *_ in _LISTS.values())


def templates_supplied(local_dir: Path) -> set[str]:
    """Which of :data:`ANNEX_A_TABLES` the LA supplied as the kit's own template."""
    present = local_files(Path(local_dir))
    return {t for t in ANNEX_A_TABLES if schema.TABLES[t].file in present}


def open_local_workbook(local_dir: Path) -> Workbook | None:
    """:func:`open_workbook` of the local folder's Annex A workbook (None where there is none,
    or where it would not be used: both templates it stands in for were supplied)."""
    path = find_workbook(Path(local_dir))
    if path is None or templates_supplied(local_dir) >= set(ANNEX_A_TABLES):
        return None
    return open_workbook(path)


def add_annex_a(
    inputs: LAInputs, local_dir: Path, workbook: Workbook | None | Literal["find"] = "find"
) -> LAInputs:
    """``inputs`` with Annex A lists 10 and 11 read from the local folder's workbook, where
    there is one: each list fills its table when the kit's template was not supplied; otherwise
    the template is used and the list's rows are excluded, saying so. Where both templates were
    supplied the workbook is not read: it is listed as found but not read. ``workbook`` is that
    workbook opened already (:func:`open_local_workbook`; None: there is none, or it is not
    needed)."""
    missing = {m["table"]: m for m in inputs.findings.missing}
    supplied = {t for t in ANNEX_A_TABLES if t not in missing}
    if supplied >= set(ANNEX_A_TABLES):
        path = find_workbook(Path(local_dir))
        if path is not None:
            rel = f"{Path(local_dir).name}/{path.name}"
            inputs.findings.unused.append(
                f"{rel} (an Annex A workbook: not opened, as local/adopters.csv and "
                "local/permanence_plans.csv were supplied and are used instead of lists 11 "
                "and 10)")
        return inputs
    book = open_local_workbook(local_dir) if workbook == "find" else workbook
    if book is None:
        return inputs
    lists, log = read_workbook(book, f"{Path(local_dir).name}/{book.path.name}", supplied)
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


def add_raa_list_11(inputs: LAInputs, local_dir: Path) -> LAInputs:
    """A regional adoption agency's own folder: its adopters from Annex A list 11 of the
    workbook there, where it supplied no ``adopters.csv`` (as :func:`add_annex_a` does for an
    LA). List 10 (children) is not used: an RAA's children are its members', with their own
    plans, so its rows are listed as excluded, saying so."""
    path = find_workbook(Path(local_dir))
    if path is None:
        return inputs
    missing = {m["table"]: m for m in inputs.findings.missing}
    if "adopters" not in missing:
        inputs.findings.unused.append(
            f"{Path(local_dir).name}/{path.name} (an Annex A workbook: not opened, as "
            "local/adopters.csv was supplied and is used instead of list 11)")
        return inputs
    lists, log = read_workbook(open_workbook(path), f"{Path(local_dir).name}/{path.name}",
                               supplied={"permanence_plans"})
    for a in lists:
        if a.table == "adopters":
            inputs.tables["adopters"] = a.frame
            inputs.findings.missing.remove(missing["adopters"])
            log.note(a.rel, "source", f"adopters: read from Annex A list {a.number} ({a.rel}), "
                     "as local/adopters.csv was not supplied")
        else:
            log.exclude(a.rows, a.table, "an RAA's children are its members': their plans are "
                        "read from each member's own folder")
    inputs.findings.extend(log)
    return inputs
