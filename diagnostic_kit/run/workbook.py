"""``tables.xlsx``: every table the sections recorded, one sheet each, with cells an analyst
can count with (a figure written "12 (40%)" becomes the number 12 beside the percentage 40).

No cell is ever a formula: text that begins like one is stored as text with Excel's quote
prefix (what typing ``'`` before it does). Numbers stay numbers.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from diagnostic_kit import registry
from diagnostic_kit.present.spreadsheets import (
    FORMULA_START,
)
from diagnostic_kit.run.page import section_number

if TYPE_CHECKING:

    pass

#: Excel's limit on a sheet name, and the characters it refuses in one.
SHEET_MAX = 31
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")

_SHEET_FILLER = {"a", "an", "the", "of", "and", "in", "by", "for", "with", "to", "on", "at",
                 "their", "its", "each", "who", "whose"}


def _fit_words(prefix: str, words: list[str], limit: int = SHEET_MAX) -> str:
    """``prefix_word_word…``: as many whole words as fit (at least the first, cut)."""
    out = prefix
    for k, w in enumerate(words):
        cand = f"{out}_{w}"
        if len(cand) > limit:
            return out if k else cand[:limit]
        out = cand
    return out


def sheet_names(keys: list[str]) -> list[str]:
    """Readable, unique Excel sheet names (at most 31 characters, no ``[]:*?/\\``) for table
    keys ``<section>__<name>``: the section number then the table's name, whole words only;
    when that is too long, small words are left out, and tables whose names begin alike are
    told apart by the words where they differ. The Contents sheet gives every full title."""
    parts = []
    for key in keys:
        section, _, name = key.partition("__")
        words = [w for w in _SHEET_BAD.sub("_", name or section).split("_") if w]
        parts.append((section[:2] if name else "", words))
    first = []
    for prefix, words in parts:
        full = "_".join([prefix, *words]) if prefix else "_".join(words)
        if len(full) <= SHEET_MAX:
            first.append(full)
            continue
        short = [w for w in words if w.lower() not in _SHEET_FILLER] or words
        first.append(_fit_words(prefix, short) if prefix else _fit_words(short[0], short[1:]))
    names = list(first)
    groups: dict[str, list[int]] = {}
    for i, n in enumerate(first):
        groups.setdefault(n.lower(), []).append(i)
    for idx in groups.values():
        if len(idx) < 2:
            continue
        lists = [[w for w in parts[i][1] if w.lower() not in _SHEET_FILLER] for i in idx]
        common = 0
        while all(len(ws) > common for ws in lists) and len(
                {ws[common].lower() for ws in lists}) == 1:
            common += 1
        for i, ws in zip(idx, lists, strict=True):
            prefix, rest = parts[i][0], ws[common:]
            if not rest:  # its whole name is what the others begin with: it keeps it
                continue
            for k in range(common, 0, -1):  # as many shared words as leave room for the rest
                cand = "_".join([w for w in (prefix, *ws[:k], *rest) if w])
                if len(cand) <= SHEET_MAX:
                    break
            else:
                cand = _fit_words(prefix, ws[:1] + rest) if prefix else _fit_words(ws[0], rest)
            names[i] = cand
    used: set[str] = set()
    for i, base in enumerate(names):
        cand, k = base, 2
        while cand.lower() in used or cand.lower() == "contents":
            suffix = f" ({k})"
            cand, k = base[: SHEET_MAX - len(suffix)] + suffix, k + 1
        used.add(cand.lower())
        names[i] = cand
    return names


# -- cells an analyst can count with ---------------------------------------------------------

_N = r"-?\d[\d,]*(?:\.\d+)?"
#: Text a report table shows, read back as numbers: (pattern, what its groups are, format).
_CELL_PATTERNS = [
    (re.compile(rf"^({_N})$"), ("value",), None),
    (re.compile(rf"^({_N})%$"), ("pct",), "0%"),
    (re.compile(rf"^£({_N})$"), ("value",), "£#,##0"),
    (re.compile(rf"^({_N}) days?$"), ("value",), '#,##0 "days"'),
    (re.compile(rf"^({_N}) \((\d[\d,]*)\)$"), ("value", "count"), None),
    (re.compile(rf"^({_N})% \((\d[\d,]*)\)$"), ("pct", "count"), "0%"),
    (re.compile(rf"^({_N}) days? \((\d[\d,]*)\)$"), ("value", "count"), '#,##0 "days"'),
    (re.compile(rf"^({_N})% \((\d[\d,]*) of (\d[\d,]*)\)$"), ("pct", "count", "of"), "0%"),
    (re.compile(rf"^(\d[\d,]*) of (\d[\d,]*) \(({_N})%\)$"), ("count", "of", "pct"), "0%"),
]
#: What a report table shows for a missing value: a blank cell in the workbook.
_MISSING_TEXT = {"–", "-", "—", ""}


def parse_cell(text: Any) -> tuple[float, str | None, int | None, int | None] | None:
    """A report cell's text as (value, number format, count, out of), or None when it is not a
    number as shown: ``"43%"`` -> (0.43, "0%", None, None); ``"136 (23)"`` -> (136, None, 23,
    None); ``"44% (24 of 55)"`` -> (0.44, "0%", 24, 55); ``"£27,000"``, ``"460 days"``."""
    if not isinstance(text, str):
        return None
    return _parse_text(text)


@lru_cache(maxsize=65536)
def _parse_text(text: str) -> tuple[float, str | None, int | None, int | None] | None:
    """:func:`parse_cell` of a text (remembered: a workbook's cells repeat the same texts)."""
    t = text.strip()
    if not any(ch.isdigit() for ch in t):  # every pattern needs a digit
        return None
    for pattern, groups, fmt in _CELL_PATTERNS:
        m = pattern.match(t)
        if not m:
            continue
        got = {g: float(v.replace(",", "")) for g, v in zip(groups, m.groups(), strict=True)}
        value = got["pct"] / 100 if "pct" in got else got["value"]
        count = int(got["count"]) if "count" in got else None
        of = int(got["of"]) if "of" in got else None
        if fmt is None:
            fmt = "#,##0" if float(value).is_integer() else "#,##0.0"
        return value, fmt, count, of
    return None


def analyst_table(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str | None]]]:
    """A shown table as an analyst needs it: text that shows a number (``"43%"``, ``"£27,000"``,
    ``"460 days"``, ``"1,062"``) becomes that number with a matching number format, a count
    shown beside a value (``"136 (23)"``, ``"44% (24 of 55)"``) moves to a column of its own
    (``<column>: count``, ``<column>: out of``), and "–" becomes a blank. Other text (a
    suppressed ``"<5"``, labels) stays as it is. Returns the table and each column's number
    format per row (None: the default)."""
    out: dict[str, list[Any]] = {}
    formats: dict[str, list[str | None]] = {}
    for col in df.columns:
        s = df[col]
        name = str(col)
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            out[name] = list(s.astype("float64").where(s.notna(), None)
                             if s.isna().any() else s)
            whole = bool(s.dropna().map(lambda v: float(v).is_integer()).all())
            formats[name] = ["#,##0" if whole else "#,##0.0"] * len(s)
            continue
        parsed = [parse_cell(v) for v in s]
        if not any(parsed):
            out[name] = list(s.astype(object).where(s.notna(), None))
            formats[name] = [None] * len(s)
            continue
        values, fmts, counts, ofs = [], [], [], []
        for raw, p in zip(s, parsed, strict=True):
            if p is not None:
                values.append(p[0])
                fmts.append(p[1])
                counts.append(p[2])
                ofs.append(p[3])
            else:
                blank = raw is None or (not isinstance(raw, str) and pd.isna(raw)) or (
                    isinstance(raw, str) and raw.strip() in _MISSING_TEXT)
                values.append(None if blank else raw)
                fmts.append(None)
                counts.append(None)
                ofs.append(None)
        out[name], formats[name] = values, fmts
        if any(c is not None for c in counts):
            out[f"{name}: count"], formats[f"{name}: count"] = counts, ["#,##0"] * len(s)
        if any(o is not None for o in ofs):
            out[f"{name}: out of"], formats[f"{name}: out of"] = ofs, ["#,##0"] * len(s)
    return pd.DataFrame(out, index=range(len(df)), dtype=object), formats


def _excel_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot hold time zones or timedeltas: strip the zone, give days."""
    df = df.reset_index(drop=True) if isinstance(df.index, pd.MultiIndex) else df
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_localize(None)
        elif pd.api.types.is_timedelta64_dtype(s.dtype):
            out[col] = s.dt.days
        elif isinstance(s.dtype, pd.PeriodDtype):
            out[col] = s.astype(str)
    return out


class _Sheets:
    """``tables.xlsx`` being written (xlsxwriter, which writes a workbook's cells as it goes):
    one number format object per format, and each value written as its own kind, so that no
    cell is ever a formula (text that a spreadsheet could read as one keeps Excel's quote
    prefix, as typing ``'`` before it does)."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "nan_inf_to_errors": True})
        self._formats: dict[tuple[str | None, bool], Any] = {}
        self.header = self.book.add_format({"bold": True, "bottom": 1, "quote_prefix": True})
        self.link = self.book.get_default_url_format()

    def fmt(self, number_format: str | None = None, quote: bool = False) -> Any:
        key = (number_format, quote)
        if key not in self._formats:
            props: dict[str, Any] = {"quote_prefix": True} if quote else {}
            if number_format:
                props["num_format"] = number_format
            self._formats[key] = self.book.add_format(props) if props else None
        return self._formats[key]

    def text(self, ws: Any, r: int, c: int, value: str) -> None:
        ws.write_string(r, c, value, self.fmt(quote=value.startswith(FORMULA_START)))

    def value(self, ws: Any, r: int, c: int, v: Any, number_format: str | None) -> None:
        """One cell: blank for a missing value, numbers (with their format), booleans, dates
        and text as themselves; anything else as its text."""
        if v is None or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
            return
        if isinstance(v, bool | np.bool_):
            ws.write_boolean(r, c, bool(v))
        elif isinstance(v, int | float | np.integer | np.floating):
            ws.write_number(r, c, float(v), self.fmt(number_format))
        elif isinstance(v, dt.datetime | dt.date):
            ts = pd.Timestamp(v)
            fmt = "yyyy-mm-dd" if ts == ts.normalize() else "yyyy-mm-dd hh:mm:ss"
            ws.write_datetime(r, c, ts.to_pydatetime(), self.fmt(fmt))
        else:
            self.text(ws, r, c, v if isinstance(v, str) else str(v))

    def table(self, name: str, df: pd.DataFrame, formats: dict[str, list[str | None]]) -> Any:
        """A sheet of ``df``: the header row frozen and filterable, each cell with its number
        format, columns sized to fit."""
        ws = self.book.add_worksheet(name)
        for c, col in enumerate(df.columns):
            ws.write_string(0, c, str(col), self.header)
            fmts = formats.get(str(col), [])
            values = df[col].tolist()
            for r, v in enumerate(values):
                self.value(ws, r + 1, c, v, fmts[r] if r < len(fmts) else None)
            width = max([len(str(col))] + [len(str(v)) for v in values[:200] if v is not None])
            ws.set_column(c, c, min(max(width + 2, 8), 60))
        ws.freeze_panes(1, 0)
        if len(df) and len(df.columns):
            ws.autofilter(0, 0, len(df), len(df.columns) - 1)
        return ws


def write_tables_xlsx(work: Path, path: Path) -> int:
    """``tables.xlsx``: a Contents sheet (each sheet, its section and the table's full title,
    linked to the sheet), then every table a section showed, one sheet each, as an analyst
    needs it (:func:`analyst_table`: numbers as numbers with number formats, counts in columns
    of their own). Returns the number of tables written. No cell is a formula (see the module's
    docstring)."""

    files = sorted((work / "tables").glob("*.pkl"))
    keys = [f.stem for f in files]
    names = sheet_names(keys)
    contents = []
    for f, key, sheet in zip(files, keys, names, strict=True):
        tf = f.with_suffix(".title")
        title = tf.read_text(encoding="utf-8") if tf.exists() else key
        section = key.partition("__")[0]
        try:
            where = f"{section_number(section)} {registry.section(section).title}"
        except Exception:  # a table of a notebook that is not in the registry
            where = section
        contents.append({"sheet": sheet, "section": where, "table": title})
    tmp = path.with_name(f".{path.name}.tmp")
    out = _Sheets(tmp)
    ws = out.table("Contents", pd.DataFrame(contents, columns=["sheet", "section", "table"]), {})
    for r, sheet in enumerate(names, start=1):
        ws.write_url(r, 0, f"internal:'{sheet}'!A1", out.link, string=sheet)
    for f, sheet in zip(files, names, strict=True):
        df, formats = analyst_table(_excel_ready(pd.read_pickle(f)))
        out.table(sheet, df, formats)
    out.book.close()
    os.replace(tmp, path)
    return len(files)


