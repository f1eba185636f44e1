"""Reading an LA's input files into validated DataFrames, with a data-quality log.

Structural problems (a required file or column missing, a file that is not CSV text, a date
column most of whose values cannot be read, required tables with no usable rows) stop the run
with :class:`InputError`, whose message is one plain sentence naming the file, what is wrong and
the template to follow. Row problems never stop the run: each becomes a finding and the row is
kept, blanked or excluded as the rule says (``inputs.findings.RULES``); a row with more fields
than the header is one of them.

Reading is the first step only: :func:`load_inputs` returns the tables and its own
:class:`Findings`; the cross-row rules (``diagnostic_kit.rules``) and the derivations (periods of
care, journeys) are run after it by ``run.prepare``.

Dates are read in the formats LA systems export (:data:`DATE_FORMATS`), and the format(s) each
file used are recorded (``DataQuality.date_formats``).

Duplicates are identical records only. Rows with the same key (e.g. CHILD and DECOM) but
different values are a zero-day episode followed by the real one (both kept: ordinary 903 data)
or a conflict, resolved by a stated rule and recorded (``record_conflict``, ``dob_conflict``).
SSDA903 files are combined across collection years: exact duplicates are dropped, and a record
reported in two years (same key) is taken from the later year, which carries its end date.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from diagnostic_kit import resources
from diagnostic_kit.inputs.findings import LOCAL_CODE_MESSAGE, DataQuality, Findings
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.inputs.schema import LOCAL_TABLES, SSDA903_TABLES, SSDA903_UNUSED, Column, Table

TEMPLATE_HINT = "data_templates/data_dictionary.md"

#: Other names LAs and the open-source 903 tools use for the same files.
FILE_ALIASES = {
    "placedadoption": "placed_for_adoption",
    "placed_adoption": "placed_for_adoption",
    "prevperm": "previous_permanence",
    "prev_perm": "previous_permanence",
}

#: Tables that hold one snapshot per collection year: every year is kept.
PER_YEAR_TABLES = {"oc2"}

#: The DfE columns dropped on purpose, and why.
PERSONAL_DROP_REASON = "personal data the kit does not need"

#: Delimiters a CSV file may use; any but a comma is read and noted.
DELIMITERS = (",", ";", "\t", "|")

_DMY = "%d/%m/%Y"
_ISO = "%Y-%m-%d"
_TIME = r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"

#: The date formats read, in the order tried: (name, pattern with the date in group 1, how the
#: date part is parsed). ``dd/mm/yy`` uses the POSIX century rule: 69-99 are 1969-1999, 00-68
#: are 2000-2068. An Excel serial number counts days from 30/12/1899 (five digits, 1927-2173).
DATE_FORMATS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("dd/mm/yyyy", re.compile(r"^(\d{1,2}/\d{1,2}/\d{4})$"), _DMY),
    ("dd/mm/yyyy with a time", re.compile(rf"^(\d{{1,2}}/\d{{1,2}}/\d{{4}}){_TIME}$"), _DMY),
    ("yyyy-mm-dd", re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})$"), _ISO),
    ("yyyy-mm-dd with a time", re.compile(rf"^(\d{{4}}-\d{{1,2}}-\d{{1,2}}){_TIME}$"), _ISO),
    ("dd/mm/yy", re.compile(r"^(\d{1,2}/\d{1,2}/\d{2})$"), "%d/%m/%y"),
    ("Excel serial number", re.compile(r"^(\d{5})(?:\.0+)?$"), "excel"),
)
ACCEPTED_DATES = ("dd/mm/yyyy (also yyyy-mm-dd, either with a time such as 00:00, dd/mm/yy, or "
                  "an Excel serial number such as 45123)")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EARLIEST = pd.Timestamp("1900-01-01")
_TRUE = {"yes", "y", "true", "1", "t"}
_FALSE = {"no", "n", "false", "0", "f"}


class InputError(Exception):
    """An input problem that stops the run; ``str(exc)`` is one sentence for the analyst."""


@dataclass
class LAInputs:
    """Validated input tables and the findings of reading them."""

    tables: dict[str, pd.DataFrame]
    findings: Findings
    years: list[str] = field(default_factory=list)
    #: CHILD → pseudonym, once ``run.prepare.check_inputs`` has assigned them.
    pseudonyms: pd.Series | None = None

    @property
    def log(self) -> Findings:
        """The name used before each step returned its own findings."""
        return self.findings

    @property
    def dq(self) -> DataQuality:
        return self.findings.build()


# -- reading ---------------------------------------------------------------------------------


def _decode(path: Path, rel: str, table: Table, data: bytes | None = None) -> str:
    data = path.read_bytes() if data is None else data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(
            f"{rel} is saved as UTF-16 (\"Unicode text\"): save it as CSV UTF-8 following "
            f"{_template(table)}."
        )
    if data[:4] == b"PK\x03\x04" or b"\x00" in data[:4096]:
        raise InputError(
            f"{rel} is not a CSV text file (it looks like a spreadsheet or binary file): "
            f"save it as CSV following {_template(table)}."
        )
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{rel} is neither UTF-8 nor Windows-1252 text: save it as CSV (UTF-8) following "
        f"{_template(table)}."
    )


def _template(table: Table) -> str:
    if table.source == "local":
        return f"data_templates/{table.file}"
    return f"the {table.name} table in {TEMPLATE_HINT}"


def _normalise_header(name: str, table: Table) -> str:
    name = name.strip().strip('"')
    return name.upper() if table.source == "903" else name.lower()


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: the one of :data:`DELIMITERS` its header line uses most
    (a comma unless another is clearly used)."""
    # The first lines are enough (the last line of the slice may be cut short: not used).
    head = text[:65536].splitlines()
    lines = head if len(text) <= 65536 else head[:-1]
    first = next((ln for ln in lines if ln.strip()), None)
    if first is None:
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _padding(delim: str) -> re.Pattern[str]:
    """Spaces (and tabs, unless tab is the delimiter) before a delimiter or a line end."""
    blanks = "[ ]" if delim == "\t" else "[ \t]"
    return re.compile(rf"{blanks}+(?={re.escape(delim)}|\r?$)", re.MULTILINE)


def _read_ragged(text: str, delim: str) -> tuple[pd.DataFrame, list[int]]:
    """Read CSV text row by row: rows with more (non-blank) fields than the header are left out
    and their row numbers returned. Rows are numbered as a spreadsheet shows them."""
    reader = csv.reader(io.StringIO(text), delimiter=delim, skipinitialspace=True)
    header: list[str] | None = None
    records: list[list[str | None]] = []
    numbers: list[int] = []
    ragged: list[int] = []
    n = 1
    for rec in reader:
        if not rec or not any(v.strip() for v in rec) and header is None:
            continue
        if header is None:
            header = rec
            continue
        n += 1
        if len(rec) > len(header):
            if any(v.strip() for v in rec[len(header):]):
                ragged.append(n)
                continue
            rec = rec[: len(header)]
        records.append([v if v != "" else None for v in rec] + [None] * (len(header) - len(rec)))
        numbers.append(n)
    df = pd.DataFrame(records, columns=header or [], dtype="str")
    df["_row"] = numbers
    return df, ragged


def read_table_file(path: Path, rel: str, table: Table, log: Findings) -> pd.DataFrame:
    """Read one CSV as text, keep the schema's columns, and record what was dropped.

    Returns a frame of strings (blank → NA) with ``_file`` and ``_row`` (line in the file,
    header = line 1). Raises :class:`InputError` for structural problems. A row with more
    fields than the header becomes a finding (``row_ragged``) and is excluded; a file written
    with another delimiter (``;``, tab, ``|``) is read and noted.
    """
    data = path.read_bytes()
    text = _decode(path, rel, table, data)
    log.checksums[rel] = hashlib.sha256(data).hexdigest()
    if not text.strip():
        raise InputError(f"{rel} is empty: it needs at least the header row of {_template(table)}.")
    delim = sniff_delimiter(text)
    if delim != ",":
        name = {"\t": "tab", ";": "semicolon (;)", "|": "bar (|)"}[delim]
        log.note(rel, "delimiter", f"read as {name}-delimited: the kit expects commas, and read "
                 "the values the same way")
    if table.source == "903":
        # 903 files hold codes and dates only: strip blanks around values in one pass.
        # (Only where there is a blank to strip: most files have none.)
        blanks = " " if delim == "\t" else " \t"
        if any(b in text for b in blanks) and (
                text[-1:] in blanks
                or any(b + e in text for b in blanks for e in (delim, "\n", "\r"))):
            text = _padding(delim).sub("", text)
    ragged: list[int] = []
    try:
        raw = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
            skip_blank_lines=True, skipinitialspace=True, sep=delim, index_col=False,
        )
        raw["_row"] = pd.RangeIndex(2, len(raw) + 2)
    except pd.errors.EmptyDataError:
        raise InputError(f"{rel} is empty: it needs at least the header row of "
                         f"{_template(table)}.") from None
    except pd.errors.ParserError:
        try:
            raw, ragged = _read_ragged(text, delim)
        except csv.Error as exc:
            raise InputError(
                f"{rel} could not be read as CSV ({exc}): follow {_template(table)}."
            ) from None
    raw.columns = [c if c == "_row" else _normalise_header(c, table) for c in raw.columns]
    wanted = table.column_names
    missing = [c for c in table.required_columns if c not in raw.columns]
    if missing:
        cols = ", ".join(missing)
        raise InputError(
            f"{rel} is missing the required column{'s' if len(missing) > 1 else ''} {cols}: "
            f"follow {_template(table)}."
        )
    for col in raw.columns:
        if col in wanted or col == "_row":
            continue
        if col in table.drop:
            log.dropped.append({"file": rel, "column": col, "reason": PERSONAL_DROP_REASON})
        else:
            log.dropped.append({"file": rel, "column": col, "reason": "not in the kit's template"})
            log.add_file_level("column_not_in_template", rel, col)
    rows = raw["_row"].to_numpy()
    df = raw.reindex(columns=wanted)
    if table.source == "local":
        # A column the file leaves out comes back all blank: strip as text whatever its dtype.
        df = _strip_local(df)
    df["_file"] = rel
    df["_row"] = rows
    if ragged:
        bad = pd.DataFrame({"_file": rel, "_row": ragged})
        log.add("row_ragged", bad, "", value="")
        log.exclude(bad, table.name, "the row has more fields than the header")
    log.rows_read[rel] = (table.name, len(df) + len(ragged))
    if len(df) + len(ragged) == 0 and table.required_file:
        log.add_file_level("file_no_rows", rel, "")
    return df


def _strip_local(df: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, stripped, blank → NA."""
    if len(df) < 64:
        return df.apply(lambda s: s.astype("string").str.strip()).replace("", pd.NA)

    def strip(u: pd.Series) -> tuple[pd.Series]:
        t = u.astype("string").str.strip()
        return (t.mask(t == "", pd.NA),)

    out = {}
    for name in df.columns:
        s = df[name]
        if not isinstance(s.dtype, pd.StringDtype):
            s = s.astype("string")
        got = _per_distinct(s, strip)
        out[name] = got[0] if got is not None else strip(s)[0]
    return pd.DataFrame(out, index=df.index)


# -- column-level validation -----------------------------------------------------------------


def _norm_code(s: pd.Series, table: Table) -> pd.Series:
    got = _per_distinct(s, lambda u: (_norm_code_rows(u, table),))
    return got[0] if got is not None else _norm_code_rows(s, table)


def _norm_code_rows(s: pd.Series, table: Table) -> pd.Series:
    s = s.astype("string")
    if table.source == "903":  # already stripped on read
        return s.str.upper()
    return s.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)


def _canonical(col: Column) -> dict[str, str]:
    """Local codes as written after normalising (lower case, underscores) → the schema's code."""
    return {re.sub(r"[\s\-]+", "_", a.lower()): a for a in col.allowed or ()}


def _per_distinct(s: pd.Series, fn) -> list[pd.Series] | None:
    """``fn(s)`` (an elementwise function of a text column, returning Series) computed once per
    distinct value and spread back to every row, as most columns repeat a few values (dates,
    codes). A blank row gets the result's missing value (NaT, NA), as ``fn`` gives a blank.
    ``None`` where the column is short or mostly distinct (then ``fn(s)`` itself is as quick)."""
    if len(s) < 64 or not isinstance(s.dtype, pd.StringDtype):
        return None
    codes, uniques = s.factorize()
    if len(uniques) * 2 > len(s):
        return None
    results = fn(pd.Series(uniques, dtype=s.dtype, name=s.name))
    return [pd.Series(r.array.take(codes, allow_fill=True), index=s.index, name=r.name)
            for r in results]


def read_dates(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates in any of :data:`DATE_FORMATS` (each row may use its own), and the name of the
    format each value was read in (NA where blank or unreadable). Dates before 1900 are not
    read (a two-digit year written as four, such as ``0024``)."""
    got = _per_distinct(s, lambda u: _read_dates(u.astype("string").str.strip()))
    return (got[0], got[1]) if got is not None else _read_dates(s.astype("string").str.strip())


def _read_dates(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`read_dates` of a stripped text column, row by row."""
    dates = pd.to_datetime(s, format=_DMY, errors="coerce")
    fmt = pd.Series(pd.NA, index=s.index, dtype="string")
    fmt[dates.notna()] = DATE_FORMATS[0][0]
    rest = dates.isna() & s.notna()
    for name, pattern, how in DATE_FORMATS[1:]:
        if not rest.any():
            break
        part = s[rest].str.extract(pattern, expand=False)
        if isinstance(part, pd.DataFrame):
            part = part.iloc[:, 0]
        part = part.dropna()
        if part.empty:
            continue
        if how == "excel":
            days = pd.to_numeric(part, errors="coerce")
            got = _EXCEL_EPOCH + pd.to_timedelta(days, unit="D")
        else:
            got = pd.to_datetime(part, format=how, errors="coerce")
        got = got.dropna()
        dates[got.index] = got
        fmt[got.index] = name
        rest[got.index] = False
    early = (dates < _EARLIEST).fillna(False).astype(bool)
    dates[early] = pd.NaT
    fmt[early] = pd.NA
    return dates, fmt


def parse_dates(s: pd.Series) -> pd.Series:
    """Dates written in any of :data:`DATE_FORMATS` (either in any row); others → NaT."""
    return read_dates(s)[0]


def parse_numbers(s: pd.Series, *, money: bool = False) -> pd.Series:
    """Numbers; with ``money``, a leading £ and thousands separators are accepted."""
    s = s.astype("string").str.strip()
    if money:
        s = s.str.replace(r"^£", "", regex=True).str.replace(r"(?<=\d),(?=\d{3}\b)", "", regex=True)
    return pd.to_numeric(s, errors="coerce")


def parse_bools(s: pd.Series) -> pd.Series:
    got = _per_distinct(s, lambda u: (_parse_bools(u),))
    return got[0] if got is not None else _parse_bools(s)


def _parse_bools(s: pd.Series) -> pd.Series:
    low = s.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[low.isin(_TRUE)] = True
    out[low.isin(_FALSE)] = False
    return out


def _check_for(col: Column, table: Table) -> list[pa.Check]:
    """The pandera checks for one column's codes, each named by its rule id."""
    if col.kind == "code" and col.allowed:
        allowed = set(_canonical(col)) if table.source == "local" else set(col.allowed)
        return [pa.Check(lambda s, a=allowed: s.isin(a) | s.isna(), name="code_unknown")]
    return []


def _schema_failures(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """What :func:`table_schema` finds in ``df`` (required values blank: ``required_missing``;
    codes not allowed: ``code_unknown``), as (column, rule, index), checked column by column
    with ``isna`` and ``isin`` (the same checks, without pandera's overhead)."""
    frames = []
    for c in table.columns:
        s = df[c.name]
        blank = s.isna().to_numpy()
        if c.required and blank.any():
            frames.append(pd.DataFrame({"column": c.name, "rule": "required_missing",
                                        "index": df.index[blank]}))
        if c.kind == "code" and c.allowed:
            allowed = set(_canonical(c)) if table.source == "local" else set(c.allowed)
            text = s.astype("string")
            bad = ~(text.isin(allowed).to_numpy(dtype=bool, na_value=False) | blank)
            if bad.any():
                frames.append(pd.DataFrame({"column": c.name, "rule": "code_unknown",
                                            "index": df.index[bad]}))
    if not frames:
        return pd.DataFrame(columns=["column", "rule", "index"])
    return pd.concat(frames, ignore_index=True)


def table_schema(table: Table) -> pa.DataFrameSchema:
    """A pandera schema over the text columns of one table, built from ``schema.py``: codes in
    their allowed lists, required values present."""
    return pa.DataFrameSchema(
        {
            c.name: pa.Column(
                "string", checks=_check_for(c, table), nullable=not c.required, coerce=True
            )
            for c in table.columns
        },
        strict=False,
    )


#: The rule for a value that does not parse, by column kind.
_PARSE_RULES = {"date": "date_unparseable", "int": "number_unparseable",
                "number": "number_unparseable", "money": "number_unparseable",
                "bool": "code_unknown"}


def _parse(s: pd.Series, col: Column) -> pd.Series:
    if col.kind == "date":
        return parse_dates(s)
    if col.kind == "bool":
        return parse_bools(s)
    nums = parse_numbers(s, money=col.kind == "money")
    # A whole-number column with a fraction in it is not a valid value.
    return nums.where(nums.isna() | (nums % 1 == 0)) if col.kind == "int" else nums


def _failures(df: pd.DataFrame, table: Table, parsed: dict[str, pd.Series]) -> pd.DataFrame:
    """Every failing value as (column, rule, index): pandera for codes and required values,
    the single parse of each date, number and boolean column for the rest."""
    frames = [_schema_failures(df, table)]
    for name, values in parsed.items():
        bad = values.isna() & df[name].notna()
        if bad.any():
            frames.append(pd.DataFrame({"column": name,
                                        "rule": _PARSE_RULES[table.column(name).kind],
                                        "index": df.index[bad]}))
    if not frames:
        return pd.DataFrame(columns=["column", "rule", "index"])
    return pd.concat(frames, ignore_index=True)


def _excluding(col: Column, table: Table, rule: str) -> bool:
    """Whether a finding on this column makes the row unusable."""
    if rule == "required_missing":
        return col.name in table.key or col.kind in ("id", "date")
    if rule in ("date_unparseable", "number_unparseable"):
        return col.required
    if rule == "code_unknown":
        return table.source == "local" and col.required
    return False


def _check_dates(df: pd.DataFrame, table: Table, log: Findings) -> dict[str, pd.Series]:
    """Parse every date column once; record the formats used, and stop when most of a date
    column the kit relies on (any 903 date, a required local date) cannot be read."""
    rel = str(df["_file"].iloc[0]) if len(df) else ""
    parsed = {}
    for col in table.columns:
        if col.kind != "date":
            continue
        values, fmt = read_dates(df[col.name])
        parsed[col.name] = values
        for name, n in fmt.value_counts().items():
            log.date_formats.append({"file": rel, "column": col.name, "format": str(name),
                                     "rows": int(n)})
        written = df[col.name].notna()
        bad = written & values.isna()
        if (table.source == "903" or col.required) and bad.sum() * 2 > written.sum() > 0:
            example = str(df.loc[bad, col.name].iloc[0])
            raise InputError(
                f"{rel}: {int(bad.sum())} of the {int(written.sum())} values in column "
                f"{col.name} are not dates the kit can read (for example \"{example}\"): "
                f"write dates as {ACCEPTED_DATES}."
            )
    return parsed


def validate_columns(df: pd.DataFrame, table: Table, log: Findings) -> pd.DataFrame:
    """Check every value against the schema; parse dates, numbers, codes and booleans.

    Returns the typed frame without the rows a finding made unusable (those are listed as
    excluded), identical records and resolved conflicts (see :func:`resolve_duplicates`).
    """
    parsed = _check_dates(df, table, log)
    parsed.update({c.name: _parse(df[c.name], c) for c in table.columns
                   if c.kind in _PARSE_RULES and c.kind != "date"})
    # Codes are normalised once (case, and for local extracts spaces and hyphens); findings
    # show them as written.
    code_cols = [c.name for c in table.columns if c.kind == "code"]
    as_written = df[code_cols].copy()
    df = df.copy()
    for name in code_cols:
        df[name] = _norm_code(df[name], table)
    failures = _failures(df, table, parsed)
    excluded: set[int] = set()
    unread = pd.Series("", index=df.index, dtype="string")
    for (colname, rule), grp in failures.groupby(["column", "rule"], sort=False):
        col = table.column(str(colname))
        idx = pd.Index(grp["index"].dropna().astype(int).unique())
        rows = df.loc[idx]
        exclude = _excluding(col, table, str(rule))
        if rule == "date_unparseable" and not exclude:
            unread[idx] = unread[idx] + f"{col.name};"
        if exclude:
            action = "row excluded"
        elif (rule == "code_unknown" and table.source == "local") or col.kind == "bool":
            action = "value treated as blank"
        else:
            action = None
        message = LOCAL_CODE_MESSAGE if rule == "code_unknown" and table.source == "local" \
            else None
        value = as_written.get(col.name)
        log.add(str(rule), rows, col.name, value=value, action=action, message=message)
        if exclude:
            excluded.update(idx)
    if (unread != "").any():
        # Which values were written but could not be read, so that a later rule does not
        # report the same value again as missing (e.g. REC with an unreadable DEC).
        df["_unread"] = unread.replace("", pd.NA)
    out = df.drop(index=list(excluded))
    if excluded:
        log.exclude(df.loc[sorted(excluded)], table.name, "a required value is missing or invalid")
    typed = _typed(out, table, parsed if not excluded else
                   {k: v.loc[out.index] for k, v in parsed.items()})
    return resolve_duplicates(typed, table, log)


def _typed(
    df: pd.DataFrame, table: Table, parsed: dict[str, pd.Series] | None = None
) -> pd.DataFrame:
    """The table with each column as its kind: dates, numbers, booleans, canonical codes."""
    out = df.copy()
    parsed = parsed or {}
    for col in table.columns:
        s = out[col.name]
        if col.kind in _PARSE_RULES:
            values = parsed[col.name] if col.name in parsed else _parse(s, col)
            if col.kind == "int":
                values = values.astype("Int64")
            elif col.kind in ("number", "money"):
                values = values.astype("Float64")
            out[col.name] = values
        elif col.kind == "code":
            codes = s.astype("string")
            if table.source == "local" and col.allowed:
                codes = codes.map(_canonical(col)).astype("string")
            out[col.name] = codes
        else:
            out[col.name] = s.astype("string")
    return out


def empty_table(table: Table) -> pd.DataFrame:
    """A table with no rows but the schema's columns and types, for an absent file."""
    df = pd.DataFrame({c: pd.Series(dtype="string") for c in table.column_names})
    df = _typed(df, table)
    df["_file"] = pd.Series(dtype="string")
    df["_row"] = pd.Series(dtype="int64")
    return df


def _zero_day(df: pd.DataFrame, table: Table) -> pd.Series:
    """Episodes that end the day they start (DEC = DECOM): ordinary 903 data, kept beside the
    episode starting the same day."""
    if table.name != "episodes":
        return pd.Series(False, index=df.index)
    return df["DEC"].eq(df["DECOM"]).fillna(False).astype(bool)


def _fmt_key(rows: pd.DataFrame, col: str) -> pd.Series:
    s = rows[col]
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime(_DMY).astype("string")
    return s.astype("string")


def _codes(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Each column as whole-number codes (equal values, and blanks, share a code): the same
    duplicates as the columns themselves, found again on a subset without re-hashing text."""
    return pd.DataFrame({c: df[c].factorize()[0] for c in cols}, index=df.index)


def resolve_duplicates(df: pd.DataFrame, table: Table, log: Findings) -> pd.DataFrame:
    """Identical records and same-key conflicts within one file.

    - Identical records (every value the same): the first is kept, the later ones are
      ``duplicate_record`` and excluded.
    - Same key (``Table.key``) with different values: a zero-day episode (DEC = DECOM) and an
      episode starting the same day are both kept. Otherwise it is a conflict: for episodes the
      row with an end date (DEC) is used, else the later row in the file; for other tables the
      later row. The others are ``record_conflict`` (``dob_conflict`` for a header whose DOBs
      differ) and excluded.
    """
    if df.empty:
        return df
    cols = table.column_names
    codes = _codes(df, cols)
    exact = codes.duplicated(keep="first")
    if exact.any():
        rows = df[exact]
        column = table.key[-1] if table.key else cols[0]
        log.add("duplicate_record", rows, column, value=_fmt_key(rows, column))
        log.exclude(rows, table.name, "identical to an earlier row in the same file")
        df = df[~exact]
        codes = codes[~exact]
    if not table.key:
        return df
    zd = _zero_day(df, table)
    key = [*table.key, "_zd"]
    clash = codes[list(table.key)].assign(_zd=zd).duplicated(keep=False)
    if not clash.any():
        return df
    grp = df[clash].assign(_zd=zd[clash])
    order = ["_has_dec", "_row"] if table.name == "episodes" else ["_row"]
    grp = grp.assign(_has_dec=grp["DEC"].notna() if "DEC" in grp else False)
    winners = grp.sort_values(order, kind="stable").drop_duplicates(key, keep="last").index
    losers = grp.drop(index=winners)
    if table.name == "header":
        dobs = grp.groupby("CHILD")["DOB"].transform("nunique")
        dob = losers[dobs.loc[losers.index] > 1]
        log.add("dob_conflict", dob, "DOB", value="(withheld)")
        losers_other = losers.drop(index=dob.index)
        log.add("record_conflict", losers_other, "CHILD")
    else:
        column = table.key[-1]
        log.add("record_conflict", losers, column, value=_fmt_key(losers, column))
    log.exclude(losers, table.name, "same key as another row with different values")
    return df.drop(index=losers.index)


#: The name used before conflicts were told apart from duplicates.
drop_within_file_duplicates = resolve_duplicates


# -- combining collection years --------------------------------------------------------------


def collection_year(folder: str) -> int | None:
    """The year a collection-year folder ends in: ``2023-24``, ``2023_24`` and ``2024`` → 2024."""
    m = re.search(r"(\d{4})\s*[-_/]\s*(\d{2}|\d{4})$", folder)
    if m:
        return int(m.group(1)) + 1
    m = re.search(r"(\d{4})$", folder)
    return int(m.group(1)) if m else None


def _find_903_files(root: Path) -> dict[str, list[tuple[int, Path]]]:
    """903 files by table name, each with the collection year it came from (0 = combined)."""
    if not root.is_dir():
        raise InputError(
            f"The SSDA903 folder {root} does not exist: put each collection year's 903 files in "
            f"a folder such as {root}/2024-25 (see {TEMPLATE_HINT})."
        )
    found: dict[str, list[tuple[int, Path]]] = {}
    places: list[tuple[int, Path]] = [(0, root)]
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        year = collection_year(sub.name)
        if year is None:
            raise InputError(
                f"The folder {sub} inside {root} is not named for a collection year: "
                "name it like 2024-25 (see README)."
            )
        places.append((year, sub))
    for year, place in places:
        for f in sorted(place.glob("*")):
            if f.suffix.lower() != ".csv" or not f.is_file():
                continue
            stem = f.stem.lower()
            stem = FILE_ALIASES.get(stem, stem)
            found.setdefault(stem, []).append((year, f))
    return found


def combine_years(frames: list[pd.DataFrame], table: Table, log: Findings) -> pd.DataFrame:
    """Stack a table's yearly files; a record in several years is taken from the latest.

    A zero-day episode is a record of its own (it is not superseded by the episode starting the
    same day). A child whose date of birth differs between years' headers is a
    ``dob_conflict`` (the later year's is used).
    """
    if not frames:
        return empty_table(table).assign(_year=pd.Series(dtype="int64"))
    df = pd.concat(frames, ignore_index=True)
    if len(frames) == 1:
        return df
    df = df.sort_values(["_year", "_file", "_row"], kind="stable", ignore_index=True)
    cols = table.column_names
    per_year = table.name in PER_YEAR_TABLES
    codes = _codes(df, [*cols, "_year"])
    exact = codes[[*cols, *(["_year"] if per_year else [])]].duplicated(keep="last")
    log.exclude(df[exact], table.name, "exact duplicate of a row in a later year's return")
    df = df[~exact]
    codes = codes[~exact]
    if table.key:
        keyed = codes[list(table.key)].assign(_zd=_zero_day(df, table), _year=codes["_year"])
        key = [*table.key, "_year"] if per_year else [*table.key, "_zd"]
        older = keyed.duplicated(subset=key, keep="last")
        if table.name == "header":
            latest = df[~older].set_index("CHILD")["DOB"]
            differs = df["DOB"].ne(df["CHILD"].map(latest)).fillna(False).astype(bool)
            log.add("dob_conflict", df[older & differs], "DOB", value="(withheld)",
                    action="row excluded: the later year's header is used")
        log.exclude(df[older], table.name,
                    "superseded by the same record in a later year's return")
        df = df[~older]
    return df.reset_index(drop=True)


def _load_903(root: Path, log: Findings) -> tuple[dict[str, pd.DataFrame], list[str]]:
    files = _find_903_files(root)
    tables: dict[str, pd.DataFrame] = {}
    years = sorted({y for fl in files.values() for y, _ in fl if y})
    # A collection-year folder with 903 files but no header.
    by_folder: dict[Path, set[str]] = {}
    for name, entries in files.items():
        for year, path in entries:
            if year:
                by_folder.setdefault(path.parent, set()).add(name)
    for folder, names in sorted(by_folder.items()):
        if "header" not in names:
            log.add_file_level("year_without_header",
                               f"{folder.relative_to(root.parent).as_posix()}/", "header.csv")
    for table in SSDA903_TABLES:
        entries = files.pop(table.name, [])
        if not entries and table.required_file:
            raise InputError(
                f"No {table.file} was found under {root}: the 903 {table.name} table is required "
                f"(see {TEMPLATE_HINT})."
            )
        frames = []
        for year, path in entries:
            rel = path.relative_to(root.parent).as_posix()
            df = read_table_file(path, rel, table, log)
            df = validate_columns(df, table, log)
            frames.append(df.assign(_year=year))
        tables[table.name] = combine_years(frames, table, log)
    for name, entries in files.items():
        for _, path in entries:
            why = "a 903 table the kit does not use" if name in SSDA903_UNUSED else "unknown file"
            log.unused.append(f"{path.relative_to(root.parent).as_posix()} ({why})")
    return tables, [str(y) for y in years]


def _load_local(root: Path, log: Findings) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    present = {p.name.lower(): p for p in root.glob("*.csv")} if root.is_dir() else {}
    for table in LOCAL_TABLES:
        path = present.get(table.file)
        if path is None:
            log.missing.append({
                "table": table.name, "file": f"local/{table.file}",
                "sections": ", ".join(table.used_by),
                "message": f"local/{table.file} was not supplied: fill data_templates/"
                           f"{table.file} to add it.",
            })
            tables[table.name] = empty_table(table)
            continue
        rel = path.relative_to(root.parent).as_posix()
        df = read_table_file(path, rel, table, log)
        tables[table.name] = validate_columns(df, table, log).reset_index(drop=True)
    return tables


def _require_rows(tables: dict[str, pd.DataFrame], found: Findings) -> None:
    """Required tables that end with no usable row stop the run: a report of nothing is not a
    report."""
    for table in SSDA903_TABLES:
        if not table.required_file or len(tables[table.name]):
            continue
        files = [f for f, (name, _) in found.rows_read.items() if name == table.name]
        read = sum(found.rows_read[f][1] for f in files)
        where = ", ".join(files)
        if not read:
            why = "it has a header row but no data rows"
        else:
            ex = found.build().exclusions
            reasons = ex.loc[ex["table"] == table.name, "reason"].value_counts()
            why = f"every row was excluded (mostly: {reasons.index[0]})" if len(reasons) else \
                "every row was excluded"
        raise InputError(
            f"No usable rows in the 903 {table.name} table ({where}): {why}; see {TEMPLATE_HINT}."
        )


def load_inputs(params: Params) -> LAInputs:
    """Read and validate every input file of one LA, once.

    Reads the 903 files of every collection year under ``<data_dir>/903`` and the local extracts
    under ``<data_dir>/local``, checks every value against the schema, resolves duplicates and
    combines years. Returns the tables and the findings of reading them; the cross-row rules
    and the derivations are not run here (``run.prepare.check_inputs`` runs them).
    """
    found = Findings()
    tables, years = _load_903(params.ssda903_dir, found)
    tables.update(_load_local(params.local_dir, found))
    _require_rows(tables, found)
    return LAInputs(tables=tables, findings=found, years=years)


def project_relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(resources.checkout_root() or Path.cwd()).as_posix()
    except ValueError:
        return str(path)
