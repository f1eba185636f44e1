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
reported in two years (same key) is taken from the later year, which carries its end date. A
year's return may be the DfE XML instead of CSV files (``inputs.xml_return`` reads it into the
same tables).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from diagnostic_kit import resources
from diagnostic_kit.inputs import codes, limits, xml_return
from diagnostic_kit.inputs import reading_rules as rr
from diagnostic_kit.inputs.errors import InputError
from diagnostic_kit.inputs.findings import (
    LOCAL_CODE_MESSAGE,
    PERSONAL_DROP_REASON,
    DataQuality,
    Findings,
    Rule,
)
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.inputs.schema import LOCAL_TABLES, SSDA903_TABLES, SSDA903_UNUSED, Column, Table
from diagnostic_kit.inputs.values import (
    ACCEPTED_DATES,
    BOOLEAN_DTYPE,
    DATE_FORMATS,
    DMY,
    STRING_DTYPE,
    Distinct,
    bool_of,
    date_values,
    distinct_codes,
    parse_bools,
    parse_dates,
    parse_numbers,
    spread,
    take,
)

if TYPE_CHECKING:
    import pandera.pandas as pa

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
#: Tables whose rows replaced by a later year's return are kept aside (``LAInputs.replaced``),
#: so that rules can compare one year's return with the next (DfE 502, 503, 559, 562).
KEPT_ASIDE = ("episodes", "placed_for_adoption")

#: Delimiters a CSV file may use; any but a comma is read and noted.
DELIMITERS = (",", ";", "\t", "|")

@dataclass
class LAInputs:
    """Validated input tables and the findings of reading them."""

    tables: dict[str, pd.DataFrame]
    findings: Findings
    years: list[str] = field(default_factory=list)
    #: CHILD → pseudonym, once ``run.prepare.check_inputs`` has assigned them.
    pseudonyms: pd.Series | None = None
    #: Per table of :data:`KEPT_ASIDE`, the rows of an earlier year's return that a later
    #: year's replaced (same record, or same key): listed as excluded, and kept here so that
    #: each year's return as submitted is the table's rows of that ``_year`` and these.
    replaced: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def log(self) -> Findings:
        """The name used before each step returned its own findings."""
        return self.findings

    @property
    def dq(self) -> DataQuality:
        return self.findings.build()


# -- reading ---------------------------------------------------------------------------------


_UTF8_BOM = b"\xef\xbb\xbf"


def _decoded(data: bytes, rel: str, table: Table, sniff: bool = False) -> tuple[str, str]:
    """The file's text and the encoding it was read in (``sniff``: only the checks on its first
    bytes)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(
            f"{rel} is saved as UTF-16 (\"Unicode text\"): save it as CSV UTF-8 following "
            f"{_template(table)}."
        )
    head = data[:4096]
    if head[:4] != b"PK\x03\x04" and b"\x00" in head and _utf16_text(head):
        raise InputError(
            f"{rel} is saved as UTF-16 (\"Unicode text\") without a byte-order mark: save it "
            f"as CSV UTF-8 following {_template(table)}."
        )
    if data[:4] == b"PK\x03\x04" or b"\x00" in head:
        raise InputError(
            f"{rel} is not a CSV text file (it looks like a spreadsheet or binary file): "
            f"save it as CSV following {_template(table)}."
        )
    if sniff:
        return "", ""
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{rel} is neither UTF-8 nor Windows-1252 text: save it as CSV (UTF-8) following "
        f"{_template(table)}."
    )


def _utf16_text(head: bytes) -> bool:
    """Whether bytes look like UTF-16 text without a byte-order mark: plain text in UTF-16 has
    a zero in every other byte (the high byte of each character)."""
    even, odd = head[0::2], head[1::2]
    zeros, chars = (even, odd) if even.count(0) > odd.count(0) else (odd, even)
    half = len(head) // 2
    # Zeros in one half, printable characters in the other (not a run of zeros).
    return half > 0 and zeros.count(0) >= 0.9 * half and \
        sum(32 <= b < 127 or b in (9, 10, 13) for b in chars) >= 0.9 * len(chars)



def _sniff(path: Path, rel: str, table: Table) -> None:
    """Refuse a file that is too large, or not text, from its size and first bytes only."""
    size = path.stat().st_size
    if size > limits.MAX_FILE_BYTES:
        raise InputError(f"{rel} is {size / 1024 ** 3:.1f} GB, far larger than any 903 file or "
                         f"extract: check it is the right file, following {_template(table)}.")
    with path.open("rb") as f:
        _decoded(f.read(4096), rel, table, sniff=True)


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


def _blanks(data: bytes, delim: str) -> tuple[bool, bool]:
    """Whether text has a blank (a space, or a tab unless tab is the delimiter) before a
    delimiter or a line end, or at its end: what :func:`_padding` strips; and whether a field
    starts with a space (after a delimiter, at a line's start or the text's):
    what the CSV reader's ``skipinitialspace`` skips, which costs it time on every field.
    ``data`` is the text in an encoding that writes these characters as ASCII (UTF-8,
    Windows-1252). Most files hold no blank at all, which is found at memory speed."""
    if b" " not in data and (delim == "\t" or b"\t" not in data):
        return False, False
    a = np.frombuffer(data, dtype=np.uint8)
    ends = (ord(delim), 10, 13)
    blank = np.flatnonzero(a == 32 if delim == "\t" else (a == 32) | (a == 9))
    if not len(blank):
        return False, False
    inside = blank[blank < len(a) - 1]
    padding = len(inside) < len(blank) or bool(np.isin(a[inside + 1], ends).any())
    space = blank[a[blank] == 32]
    leading = len(space) > 0 and (space[0] == 0 or bool(np.isin(a[space[space > 0] - 1],
                                                                 ends).any()))
    return padding, leading


def _padding(delim: str) -> re.Pattern[str]:
    """Spaces (and tabs, unless tab is the delimiter) before a delimiter or a line end."""
    blanks = "[ ]" if delim == "\t" else "[ \t]"
    return re.compile(rf"{blanks}+(?={re.escape(delim)}|\r?$)", re.MULTILINE)


def _read_ragged(text: str, delim: str) -> tuple[pd.DataFrame, list[int], list[int]]:
    """Read CSV text row by row: rows with more (non-blank) fields than the header are left out
    and their row numbers returned. Rows are numbered as a spreadsheet shows them: returns the
    rows read, their numbers and the numbers of the rows left out."""
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
    return pd.DataFrame(records, columns=header or [], dtype="str"), numbers, ragged


def read_table_file(path: Path, rel: str, table: Table, log: Findings) -> pd.DataFrame:
    """Read one CSV as text, keep the schema's columns, and record what was dropped.

    Returns a frame of the file's text (a 903 file's columns as objects, blank NaN; a local
    extract's stripped, as pandas text, blank NA) with ``_file`` and ``_row`` (line in the file,
    header = line 1). Raises :class:`InputError` for structural problems. A row with more
    fields than the header becomes a finding (``row_ragged``) and is excluded; a file written
    with another delimiter (``;``, tab, ``|``) is read and noted.
    """
    return _read_table(path, rel, table, log)[0]


def _read_table(
    path: Path, rel: str, table: Table, log: Findings
) -> tuple[pd.DataFrame, dict[str, Distinct]]:
    """:func:`read_table_file`, and the distinct values of the columns it found them of (a
    local extract's, stripped), for :func:`_validate` not to find them again."""
    _sniff(path, rel, table)
    data = path.read_bytes()
    text, encoding = _decoded(data, rel, table)
    log.checksums[rel] = hashlib.sha256(data).hexdigest()
    # The text as UTF-8 bytes, which the CSV reader reads quickest: the file's own where it is
    # UTF-8 (less its byte-order mark) and nothing is stripped.
    utf8: bytes | None = None
    if encoding == "utf-8-sig":
        utf8 = data[len(_UTF8_BOM):] if data.startswith(_UTF8_BOM) else data
    if not text.strip():
        raise InputError(f"{rel} is empty: it needs at least the header row of {_template(table)}.")
    delim = sniff_delimiter(text)
    if delim != ",":
        name = {"\t": "tab", ";": "semicolon (;)", "|": "bar (|)"}[delim]
        log.note(rel, "delimiter", f"read as {name}-delimited: the kit expects commas, and read "
                 "the values the same way")
    padding, leading = _blanks(utf8 if utf8 is not None else data, delim)
    if table.source == "903" and padding:
        # 903 files hold codes and dates only: strip blanks around values in one pass.
        # (Only where there is a blank to strip: most files have none.)
        text = _padding(delim).sub("", text)
        utf8 = None
    ragged: list[int] = []
    try:
        # Read as objects (blank: NaN): the values are numbered and typed column by column
        # after, so pandas' own text type need not check every value first.
        raw = pd.read_csv(
            io.BytesIO(utf8 if utf8 is not None else text.encode("utf-8")), dtype=object,
            keep_default_na=False, na_values=[""], skip_blank_lines=True,
            skipinitialspace=leading, sep=delim, index_col=False, low_memory=False,
        )
        # Numbered from the header's line (blank lines skipped are not counted).
        rows: np.ndarray | list[int] = np.arange(2, len(raw) + 2)
    except pd.errors.EmptyDataError:
        raise InputError(f"{rel} is empty: it needs at least the header row of "
                         f"{_template(table)}.") from None
    except pd.errors.ParserError:
        try:
            raw, rows, ragged = _read_ragged(text, delim)
        except csv.Error as exc:
            raise InputError(
                f"{rel} could not be read as CSV ({exc}): follow {_template(table)}."
            ) from None
    _refuse_repeated_headings(text, delim, rel, table)
    # A column headed "_row" is not read (the kit numbers the rows itself).
    headings = [(c, _normalise_header(c, table)) for c in raw.columns if c != "_row"]
    names = [name for _, name in headings]
    wanted = table.column_names
    missing = [c for c in table.required_columns if c not in names]
    if missing:
        cols = ", ".join(missing)
        raise InputError(
            f"{rel} is missing the required column{'s' if len(missing) > 1 else ''} {cols}: "
            f"follow {_template(table)}."
        )
    for col in names:
        if col in wanted or col == "_row":
            continue
        if col in table.drop:
            log.dropped.append({"file": rel, "column": col, "reason": PERSONAL_DROP_REASON})
        else:
            log.dropped.append({"file": rel, "column": col, "reason": "not in the kit's template"})
            rr.COLUMN_NOT_IN_TEMPLATE.record_file(log, rel, col)
    n = len(raw)
    index = pd.RangeIndex(n)
    # As object columns: a frame built from arrays of text would check every value to make
    # them pandas' text type, which the typing after does not need.
    by_name = {name: pd.Series(raw[c].to_numpy(), index=index, dtype=raw[c].dtype, copy=False)
               for c, name in headings if name in wanted}
    # A column the file leaves out is all blank (as reindexing by the schema gives).
    columns = {c: by_name[c] if c in by_name else np.full(n, np.nan) for c in wanted}
    distinct: dict[str, Distinct] = {}
    if table.source == "local" and n:
        # Strip as text whatever the column's type (one left out is all blank).
        columns, distinct = _stripped(columns)
    # The arrays are the reader's own or new: not copied again.
    df = pd.DataFrame({**columns, "_file": rel, "_row": rows}, index=index, copy=False)
    if ragged:
        bad = pd.DataFrame({"_file": rel, "_row": ragged})
        rr.ROW_RAGGED.record(log, bad, "", value="")
        log.exclude(bad, table.name, "the row has more fields than the header")
    log.rows_read[rel] = (table.name, len(df) + len(ragged))
    if len(df) + len(ragged) == 0 and table.required_file:
        rr.FILE_NO_ROWS.record_file(log, rel, "")
    return df, distinct


def _refuse_repeated_headings(text: str, delim: str, rel: str, table: Table) -> None:
    """One sentence when the header row gives the same heading twice (``DOB`` and ``dob``, or a
    second ``DECOM`` where ``DEC`` was meant): the CSV reader would rename the second, and its
    column would be dropped without a word."""
    first = next(csv.reader(io.StringIO(text.lstrip("\ufeff").split("\n", 1)[0]),
                            delimiter=delim), [])
    seen: dict[str, int] = {}
    for i, heading in enumerate(first, start=1):
        name = _normalise_header(heading, table)
        if name in seen and name:
            raise InputError(
                f"{rel} has the heading {name} twice (columns {seen[name]} and {i}): give each "
                f"column its own heading, following {_template(table)}.")
        seen[name] = i


def _stripped(
    columns: dict[str, object]
) -> tuple[dict[str, pd.api.extensions.ExtensionArray], dict[str, Distinct]]:
    """Each column (an array or Series of one file's rows) as text, stripped, blank → NA; and
    its distinct values so (as :func:`_distinct` gives them)."""
    out, distinct = {}, {}
    for name, values in columns.items():
        codes, texts = distinct_codes(pd.Series(values, copy=False))
        # Two values may strip alike: numbered again, in the order first seen.
        again, stripped = pd.factorize(np.array([t.strip() or None for t in texts] or [None],
                                                dtype=object))
        codes = np.append(again, -1)[codes] if texts else codes
        distinct[name] = (codes, stripped.tolist())
        out[name] = take(pd.array(distinct[name][1], dtype=STRING_DTYPE), codes)
    return out, distinct


# -- column-level validation -----------------------------------------------------------------
#
# Each column is read once per distinct value: the column is factorised (each row's code into
# its distinct values, -1 where blank), every distinct value is parsed, normalised and checked
# once, and the results are spread back to the rows by code. Most columns repeat a few values
# (codes, dates), and a file's cost is then a few array operations per column whatever its size.


_CODE_SEPARATORS = re.compile(r"[\s\-]+")


def _norm_text(text: str, table: Table) -> str:
    """A code as compared: upper case for 903 files (already stripped on read); for local
    extracts lower case, stripped, spaces and hyphens as underscores."""
    if table.source == "903":
        return text.upper()
    return _CODE_SEPARATORS.sub("_", text.strip().lower())


def _norm_code(s: pd.Series, table: Table) -> pd.Series:
    codes, texts = distinct_codes(s)
    values = pd.array([_norm_text(t, table) for t in texts], dtype=STRING_DTYPE)
    return pd.Series(take(values, codes), index=s.index, name=s.name)


def _norm_code_rows(s: pd.Series, table: Table) -> pd.Series:
    """:func:`_norm_code` row by row."""
    s = s.astype("string")
    if table.source == "903":  # already stripped on read
        return s.str.upper()
    return s.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)


def _canonical(col: Column) -> dict[str, str]:
    """Local codes as written after normalising (lower case, underscores) → the schema's code."""
    return {_CODE_SEPARATORS.sub("_", a.lower()): a for a in col.allowed or ()}


def _allowed(col: Column, table: Table) -> set[str]:
    """The codes a column accepts, as normalised."""
    return set(_canonical(col)) if table.source == "local" else set(col.allowed or ())


def _check_for(col: Column, table: Table) -> list[pa.Check]:
    """The pandera checks for one column's codes, each named by its rule id."""
    import pandera.pandas as pa

    if col.kind == "code" and col.allowed:
        allowed = _allowed(col, table)
        return [pa.Check(lambda s, a=allowed: s.isin(a) | s.isna(), name=rr.CODE_UNKNOWN.id)]
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
            frames.append(pd.DataFrame({"column": c.name, "rule": rr.REQUIRED_MISSING.id,
                                        "index": df.index[blank]}))
        if c.kind == "code" and c.allowed:
            text = s.astype("string")
            bad = ~(text.isin(_allowed(c, table)).to_numpy(dtype=bool, na_value=False) | blank)
            if bad.any():
                frames.append(pd.DataFrame({"column": c.name, "rule": rr.CODE_UNKNOWN.id,
                                            "index": df.index[bad]}))
    if not frames:
        return pd.DataFrame(columns=["column", "rule", "index"])
    return pd.concat(frames, ignore_index=True)


def table_schema(table: Table) -> pa.DataFrameSchema:
    """A pandera schema over the text columns of one table, built from ``schema.py``: codes in
    their allowed lists, required values present. (pandera is imported here, not with the
    module: the reading checks the same rules itself, and a kernel need not pay for it.)"""
    import pandera.pandas as pa

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
_PARSE_RULES: dict[str, Rule] = {
    "date": rr.DATE_UNPARSEABLE, "int": rr.NUMBER_UNPARSEABLE, "number": rr.NUMBER_UNPARSEABLE,
    "money": rr.NUMBER_UNPARSEABLE, "bool": rr.CODE_UNKNOWN}


def _parse(s: pd.Series, col: Column) -> pd.Series:
    if col.kind == "date":
        return parse_dates(s)
    if col.kind == "bool":
        return parse_bools(s)
    nums = parse_numbers(s, money=col.kind == "money")
    # A whole-number column with a fraction in it is not a valid value.
    return nums.where(nums.isna() | (nums % 1 == 0)) if col.kind == "int" else nums


def _excluding(col: Column, table: Table, rule: Rule) -> bool:
    """Whether a finding on this column makes the row unusable."""
    if rule is rr.REQUIRED_MISSING:
        return col.name in table.key or col.kind in ("id", "date")
    if rule in (rr.DATE_UNPARSEABLE, rr.NUMBER_UNPARSEABLE):
        return col.required
    if rule is rr.CODE_UNKNOWN:
        return table.source == "local" and col.required
    return False


@dataclass
class _ColumnRead:
    """One schema column of a file, read once per distinct value.

    ``codes`` gives each row's distinct value (-1 where blank); per distinct value, ``typed``
    is what it reads as (the table's value: a date, number, boolean, canonical code or text),
    ``bad`` whether a written value breaks the column's rule (:data:`_PARSE_RULES`, or an
    unknown code), and ``keys`` a hashable form of ``typed`` (None where blank) by which equal
    values are found across rows and files (for dates, the day; a blank one where ``bad``).
    ``formats`` gives each date's format (an index into :data:`DATE_FORMATS`, -1 where none).
    A text column keeps the column as read (``text``) instead: its typed value is that, as
    text.
    """

    column: Column
    codes: np.ndarray
    typed: np.ndarray | pd.api.extensions.ExtensionArray | None
    bad: np.ndarray | None
    keys: list[object] | np.ndarray
    formats: np.ndarray | None = None
    text: pd.Series | None = None

    def rows(self) -> np.ndarray | pd.api.extensions.ExtensionArray:
        """The column's typed value in every row."""
        if self.text is not None:
            return self.text.astype(STRING_DTYPE).array
        return take(self.typed, self.codes)

    def value_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's value as a whole number (-1 where blank), equal where the typed values
        are equal, and the values those numbers stand for (see :func:`_stack_keys`)."""
        if self.text is not None:  # the distinct texts themselves
            return self.codes.astype(np.int64), np.array(self.keys, dtype=object)
        keys = self.keys if isinstance(self.keys, np.ndarray) else np.array(self.keys, dtype=object)
        numbers, values = pd.factorize(keys)
        if self.column.kind == "date":  # an unreadable date is blank
            numbers = np.where(self.bad, -1, numbers)
        return np.append(numbers, -1)[self.codes].astype(np.int64), values

    def bad_rows(self) -> np.ndarray:
        """Whether each row's value breaks the column's rule (never where blank)."""
        return spread(self.bad, self.codes) if self.bad is not None else \
            np.zeros(len(self.codes), dtype=bool)


def _read_column(
    s: pd.Series, col: Column, table: Table, distinct: Distinct | None = None
) -> _ColumnRead:
    """Parse, normalise and check one column once per distinct value (the same results as
    :func:`_parse`, :func:`_norm_code` and :func:`_schema_failures` row by row). ``distinct``:
    the column's :func:`_distinct`, where known."""
    codes, texts = distinct if distinct is not None else distinct_codes(s)
    kind = col.kind
    if kind == "date":
        values, formats = date_values(texts)
        bad = np.isnat(values)
        # By day, as one table's files may hold its dates in different units.
        days = values.astype("datetime64[D]").astype(np.int64)
        return _ColumnRead(col, codes, values, bad, days, formats)
    if kind in ("int", "number", "money"):
        # Parsed as the column is (a blank among the values, as pandas infers the type from them).
        blank = [pd.NA] if (codes < 0).any() else []
        nums = _parse(pd.Series([*texts, *blank], dtype="string"), col)
        bad = nums.isna().to_numpy()[: len(texts)]
        typed = nums.astype("Int64" if kind == "int" else "Float64").array[: len(texts)]
        return _ColumnRead(col, codes, typed, bad, typed.to_numpy(dtype=object,
                                                                  na_value=None).tolist())
    if kind == "bool":
        flags = [bool_of(t) for t in texts]
        return _ColumnRead(col, codes, pd.array(flags, dtype=BOOLEAN_DTYPE),
                           np.array([f is None for f in flags], dtype=bool), flags)
    if kind == "code":
        norm = [_norm_text(t, table) for t in texts]
        bad = None
        if col.allowed:
            allowed = _allowed(col, table)
            bad = np.array([n not in allowed for n in norm], dtype=bool)
            if table.source == "local":
                canonical = _canonical(col)
                norm = [canonical.get(n) for n in norm]
        return _ColumnRead(col, codes, pd.array(norm, dtype=STRING_DTYPE), bad, norm)
    return _ColumnRead(col, codes, None, None, texts, text=s)


def _date_formats(r: _ColumnRead) -> list[tuple[str, int]]:
    """The formats of a date column with the rows written in each, most used first (ties in
    the order first seen, as ``value_counts``)."""
    assert r.formats is not None
    per_row = np.append(r.formats, -1)[r.codes]  # each row's format (-1: none)
    found, first_row = np.unique(per_row, return_index=True)
    counts = np.bincount(per_row + 1, minlength=len(DATE_FORMATS) + 1)
    rows = sorted((-int(counts[f + 1]), int(at), int(f))
                  for f, at in zip(found, first_row, strict=True) if f >= 0)
    return [(DATE_FORMATS[f][0], -n) for n, _, f in rows]


def _check_dates(df: pd.DataFrame, table: Table, reads: dict[str, _ColumnRead],
                 log: Findings) -> None:
    """Record the formats of each date column, and stop when most of a date column the kit
    relies on (any 903 date, a required local date) cannot be read."""
    rel = str(df["_file"].iloc[0]) if len(df) else ""
    for name, r in reads.items():
        col = r.column
        if col.kind != "date":
            continue
        for fmt, n in _date_formats(r):
            log.date_formats.append({"file": rel, "column": name, "format": fmt, "rows": n})
        bad = r.bad_rows()
        n_bad, n_written = int(bad.sum()), int((r.codes >= 0).sum())
        if (table.source == "903" or col.required) and n_bad * 2 > n_written > 0:
            example = str(df[name].iloc[int(np.argmax(bad))])
            raise InputError(
                f"{rel}: {n_bad} of the {n_written} values in column "
                f"{name} are not dates the kit can read (for example \"{example}\"): "
                f"write dates as {ACCEPTED_DATES}."
            )


def _failures(table: Table, reads: dict[str, _ColumnRead]
              ) -> list[tuple[Column, Rule, np.ndarray]]:
    """Every failing value as (column, rule, rows), in the order they are reported: per column,
    required values blank and unknown codes; then unreadable dates; then unreadable numbers and
    yes/no values."""
    out = []
    for c in table.columns:
        r = reads[c.name]
        if c.required:
            out.append((c, rr.REQUIRED_MISSING, r.codes < 0))
        if c.kind == "code" and r.bad is not None and r.bad.any():
            out.append((c, rr.CODE_UNKNOWN, r.bad_rows()))
    for kinds in (("date",), ("int", "number", "money", "bool")):
        for c in table.columns:
            r = reads[c.name]
            if c.kind in kinds and r.bad.any():
                out.append((c, _PARSE_RULES[c.kind], r.bad_rows()))
    return [(c, rule, rows) for c, rule, rows in out if rows.any()]


#: A column's values as whole numbers: each row's number (-1 where blank), and the distinct
#: values the numbers stand for (so that files can be numbered alike, :func:`_stack_keys`).
Keys = tuple[np.ndarray, np.ndarray]


def _validate(
    df: pd.DataFrame, table: Table, log: Findings, distinct: dict[str, Distinct] | None = None
) -> tuple[pd.DataFrame, dict[str, Keys]]:
    """:func:`validate_columns`, and each schema column of the result as :data:`Keys`.
    ``distinct``: the :func:`_distinct` of columns where known."""
    distinct = distinct or {}
    reads = {c.name: _read_column(df[c.name], c, table, distinct.get(c.name))
             for c in table.columns}
    _check_dates(df, table, reads, log)
    # The labels of the rows excluded, gathered as a set in this order: the order a set gives
    # them back in decides the type of index left when they are dropped.
    excluded: set[int] = set()
    unread: np.ndarray | None = None
    for col, rule, bad in _failures(table, reads):
        rows = df[bad]
        exclude = _excluding(col, table, rule)
        if rule is rr.DATE_UNPARSEABLE and not exclude:
            # Which values were written but could not be read, so that a later rule does not
            # report the same value again as missing (e.g. REC with an unreadable DEC).
            if unread is None:
                unread = np.full(len(df), "", dtype=object)
            unread[bad] = unread[bad] + f"{col.name};"
        if exclude:
            action = "row excluded"
        elif (rule is rr.CODE_UNKNOWN and table.source == "local") or col.kind == "bool":
            action = "value treated as blank"
        else:
            action = None
        message = LOCAL_CODE_MESSAGE if rule is rr.CODE_UNKNOWN and table.source == "local" \
            else None
        value = df[col.name] if col.kind == "code" else None  # codes as written
        rule.record(log, rows, col.name, value=value, action=action, message=message)
        if exclude:
            excluded.update(rows.index)
    # The typed columns are new arrays; the others (_file, _row) are copied.
    data = {name: reads[name].rows() if name in reads else df[name].array.copy()
            for name in df.columns}
    if unread is not None:
        data["_unread"] = pd.array(np.where(unread == "", None, unread), dtype=STRING_DTYPE)
    out = pd.DataFrame(data, index=df.index, copy=False)
    keys = {name: r.value_keys() for name, r in reads.items()}
    numbers = {name: k[0] for name, k in keys.items()}
    if excluded:
        log.exclude(df.loc[sorted(excluded)], table.name, "a required value is missing or invalid")
        out = out.drop(index=list(excluded))
        keep = ~df.index.isin(list(excluded))
        numbers = {k: v[keep] for k, v in numbers.items()}
    out, numbers = _resolve_duplicates(out, table, log, numbers)
    return out, {name: (numbers[name], keys[name][1]) for name in keys}


def _stack_keys(per_frame: list[dict[str, Keys]], columns: list[str]) -> dict[str, np.ndarray]:
    """The :data:`Keys` of frames stacked in order as one number per row and column, numbered
    alike across the frames (equal values, equal numbers)."""
    out = {}
    for c in columns:
        values = [k[c][1] for k in per_frame]
        ids = pd.factorize(np.concatenate(values))[0] if values else np.array([], dtype=np.intp)
        parts, at = [], 0
        for k, v in zip(per_frame, values, strict=True):
            parts.append(np.append(ids[at: at + len(v)], -1)[k[c][0]])
            at += len(v)
        out[c] = np.concatenate(parts).astype(np.int64) if parts else np.array([], np.int64)
    return out


def validate_columns(df: pd.DataFrame, table: Table, log: Findings) -> pd.DataFrame:
    """Check every value against the schema; parse dates, numbers, codes and booleans.

    Returns the typed frame without the rows a finding made unusable (those are listed as
    excluded), identical records and resolved conflicts (see :func:`resolve_duplicates`).
    Codes are normalised (case, and for local extracts spaces and hyphens); findings show them
    as written.
    """
    return _validate(df, table, log)[0]


def _typed(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The table with each column as its kind: dates, numbers, booleans, canonical codes."""
    out = df.copy()
    for col in table.columns:
        out[col.name] = _read_column(df[col.name], col, table).rows()
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
    dec, decom = df["DEC"].to_numpy(), df["DECOM"].to_numpy()
    if dec.dtype.kind == decom.dtype.kind == "M":  # as typed: NaT equals nothing
        return pd.Series(dec == decom, index=df.index)
    return df["DEC"].eq(df["DECOM"]).fillna(False).astype(bool)


def _fmt_key(rows: pd.DataFrame, col: str) -> pd.Series:
    s = rows[col]
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime(DMY).astype("string")
    return s.astype("string")


def sort_key(s: pd.Series) -> np.ndarray:
    """Whole numbers in the order ``sort_values`` puts the values in (blanks last), for
    sorting by several columns at once with ``np.lexsort``. Whole numbers, yes/no values and
    dates are their own key (a blank date last); other values are numbered in sorted order."""
    values = s.to_numpy() if isinstance(s.dtype, np.dtype) else None
    if values is not None and values.dtype.kind in "iub":
        return values.astype(np.int64, copy=False)
    if values is not None and values.dtype.kind == "M":
        days = values.view(np.int64)
        return np.where(np.isnat(values), np.iinfo(np.int64).max, days)
    codes, _ = pd.factorize(s, sort=True)
    return np.where(codes < 0, codes.max(initial=0) + 1, codes)


def _codes(df: pd.DataFrame, cols: list[str]) -> dict[str, np.ndarray]:
    """Each column as whole-number codes (equal values, and blanks, share a code)."""
    return {c: df[c].factorize()[0].astype(np.int64) for c in cols}


def _record_ids(columns: list[np.ndarray]) -> np.ndarray:
    """One whole number per row, equal where the rows' codes are equal in every column (codes
    from -1)."""
    n = len(columns[0]) if columns else 0
    ids = np.zeros(n, dtype=np.int64)
    span = 1
    for c in columns:
        width = int(c.max()) + 2 if n else 1
        if span * width >= 2**62:  # renumber before the combined number could overflow
            ids, uniques = pd.factorize(ids)
            ids, span = ids.astype(np.int64), len(uniques)
        ids = ids * width + (c + 1)
        span *= width
    return ids


def _duplicated(columns: list[np.ndarray], keep: str | bool) -> np.ndarray:
    """``DataFrame.duplicated`` of these code columns: rows equal to an earlier row (``keep``
    "first"), a later row ("last") or any other row (False)."""
    ids = _record_ids(columns)
    if len(ids) > 4096:  # hashing is quicker than sorting for many rows
        return pd.Series(ids).duplicated(keep=keep).to_numpy()
    out = np.ones(len(ids), dtype=bool)
    if keep == "first":
        out[np.unique(ids, return_index=True)[1]] = False
    elif keep == "last":
        out[len(ids) - 1 - np.unique(ids[::-1], return_index=True)[1]] = False
    else:
        _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
        out = counts[inverse] > 1
    return out


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
    return _resolve_duplicates(df, table, log, _codes(df, table.column_names))[0]


def _resolve_duplicates(
    df: pd.DataFrame, table: Table, log: Findings, codes: dict[str, np.ndarray]
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """:func:`resolve_duplicates` given the columns' codes; returns the codes of the rows kept."""
    if df.empty:
        return df, codes
    cols = table.column_names
    if table.key and not _duplicated([codes[c] for c in table.key], keep=False).any():
        return df, codes  # no two rows share a key: none are identical either
    exact = _duplicated([codes[c] for c in cols], keep="first")
    if exact.any():
        rows = df[exact]
        column = table.key[-1] if table.key else cols[0]
        rr.DUPLICATE_RECORD.record(log, rows, column, value=_fmt_key(rows, column))
        log.exclude(rows, table.name, "identical to an earlier row in the same file")
        df = df[~exact]
        codes = {k: v[~exact] for k, v in codes.items()}
    if not table.key:
        return df, codes
    zd = _zero_day(df, table)
    key = [*table.key, "_zd"]
    clash = _duplicated([*(codes[c] for c in table.key), zd.to_numpy().astype(np.int64)],
                        keep=False)
    if not clash.any():
        return df, codes
    grp = df[clash].assign(_zd=zd[clash])
    order = ["_has_dec", "_row"] if table.name == "episodes" else ["_row"]
    grp = grp.assign(_has_dec=grp["DEC"].notna() if "DEC" in grp else False)
    winners = grp.sort_values(order, kind="stable").drop_duplicates(key, keep="last").index
    losers = grp.drop(index=winners)
    if table.name == "header":
        dobs = grp.groupby("CHILD")["DOB"].transform("nunique")
        dob = losers[dobs.loc[losers.index] > 1]
        rr.DOB_CONFLICT.record(log, dob, "DOB", value="(withheld)")
        losers_other = losers.drop(index=dob.index)
        rr.RECORD_CONFLICT.record(log, losers_other, "CHILD")
    else:
        column = table.key[-1]
        rr.RECORD_CONFLICT.record(log, losers, column, value=_fmt_key(losers, column))
    log.exclude(losers, table.name, "same key as another row with different values")
    keep = ~df.index.isin(losers.index)
    return df.drop(index=losers.index), {k: v[keep] for k, v in codes.items()}


# -- combining collection years --------------------------------------------------------------


def collection_year(folder: str) -> int | None:
    """The year a collection-year folder ends in: ``2023-24``, ``2023_24`` and ``2024`` → 2024."""
    m = re.search(r"(\d{4})\s*[-_/]\s*(\d{2}|\d{4})$", folder)
    if m:
        return int(m.group(1)) + 1
    m = re.search(r"(\d{4})$", folder)
    return int(m.group(1)) if m else None


#: The first collection year of the SSDA903 return as the kit reads it (2015-16 codes on).
FIRST_YEAR = 2000


def _check_year_folder(sub: Path, year: int, other: Path | None) -> None:
    """A year folder must name a real collection year (two years in a row, one that has begun)
    and be the only folder for it: otherwise its returns would supersede the real ones."""
    label = f"{year - 1}-{year % 100:02d}"
    m = re.search(r"(\d{4})\s*[-_/]\s*(\d{2}|\d{4})$", sub.name)
    if m and int(m.group(2)) % 100 != (int(m.group(1)) + 1) % 100:
        raise InputError(f"The folder {sub} is not a collection year (a collection year runs "
                         f"from April to March, as in {int(m.group(1))}-"
                         f"{(int(m.group(1)) + 1) % 100:02d}): rename it.")
    begun = dt.date.today().year + (1 if dt.date.today().month >= 4 else 0)
    if year > begun or year < FIRST_YEAR:
        raise InputError(f"The folder {sub} names the collection year {label}, which "
                         f"{'has not begun' if year > begun else 'is before any 903 return'}: "
                         "rename it for the year its returns cover.")
    if other is not None:
        raise InputError(f"The folders {other.name} and {sub.name} in {sub.parent} both hold the "
                         f"collection year {label}: keep one.")


def _find_903_files(root: Path) -> dict[str, list[tuple[int, Path]]]:
    """903 files by table name, each with the collection year it came from (0 = combined);
    ``.xml`` files under ``xml_return.XML_FILES``."""
    if not root.is_dir():
        raise InputError(
            f"The SSDA903 folder {root} does not exist: put each collection year's 903 files in "
            f"a folder such as {root}/2024-25 (see {TEMPLATE_HINT})."
        )
    found: dict[str, list[tuple[int, Path]]] = {}
    places: list[tuple[int, Path]] = [(0, root)]
    seen: dict[int, Path] = {}
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        year = collection_year(sub.name)
        if year is None:
            raise InputError(
                f"The folder {sub} inside {root} is not named for a collection year: "
                "name it like 2024-25 (see README)."
            )
        _check_year_folder(sub, year, seen.get(year))
        seen[year] = sub
        places.append((year, sub))
    for year, place in places:
        for f in sorted(place.glob("*")):
            if f.suffix.lower() not in (".csv", ".xml") or not f.is_file():
                continue
            if f.suffix.lower() == ".xml":
                found.setdefault(xml_return.XML_FILES, []).append((year, f))
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
    # The columns as numbers, numbered alike across the frames.
    keys = _codes(pd.concat(frames, ignore_index=True), table.column_names) \
        if len(frames) > 1 else {}
    return _combine_years(frames, keys, table, log)


def _combine_years(
    frames: list[pd.DataFrame], keys: dict[str, np.ndarray], table: Table, log: Findings,
    aside: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """:func:`combine_years` given the stacked frames' columns as numbers (equal values, equal
    numbers, in every frame). With ``aside``, the rows a later year's return replaced are put
    there under the table's name (tables of :data:`KEPT_ASIDE` only)."""
    if not frames:
        return empty_table(table).assign(_year=pd.Series(dtype="int64"))
    df = pd.concat(frames, ignore_index=True)
    if len(frames) == 1:
        return df
    cols = table.column_names
    keys = dict(keys)
    year = df["_year"].to_numpy()
    # In order of year, file and row. Frames read by _load_903 are each one file in row order,
    # and come in year order: then nothing moves.
    if not _in_order(frames):
        order = np.lexsort((df["_row"].to_numpy(), sort_key(df["_file"]), year))
        df = df.take(order).reset_index(drop=True)
        keys = {c: v[order] for c, v in keys.items()}
        year = year[order]
    keys["_year"] = pd.factorize(year)[0].astype(np.int64)
    per_year = table.name in PER_YEAR_TABLES
    exact = _duplicated([keys[c] for c in [*cols, *(["_year"] if per_year else [])]],
                        keep="last")
    log.exclude(df.loc[exact, ["_file", "_row"]], table.name,
                "exact duplicate of a row in a later year's return")
    keep = ~exact
    if table.key:
        zd = _zero_day(df, table).to_numpy()[keep].astype(np.int64)
        last = keys["_year"][keep] if per_year else zd
        older = _duplicated([*(keys[c][keep] for c in table.key), last], keep="last")
        superseded = np.zeros(len(df), dtype=bool)
        superseded[np.flatnonzero(keep)[older]] = True
        if table.name == "header":
            rest = df.loc[keep, ["CHILD", "DOB", "_file", "_row"]]
            latest = rest[~older].set_index("CHILD")["DOB"]
            differs = rest["DOB"].ne(rest["CHILD"].map(latest)).fillna(False).astype(bool)
            rr.DOB_CONFLICT.record(log, rest[older & differs.to_numpy()], "DOB", value="(withheld)",
                    action="row excluded: the later year's header is used")
        log.exclude(df.loc[superseded, ["_file", "_row"]], table.name,
                    "superseded by the same record in a later year's return")
        keep &= ~superseded
    if aside is not None and table.name in KEPT_ASIDE:
        aside[table.name] = df[~keep].reset_index(drop=True)
    return df if keep.all() else df[keep].reset_index(drop=True)


def _in_order(frames: list[pd.DataFrame]) -> bool:
    """Whether the frames stacked are in order of ``_year``, ``_file`` and ``_row`` already:
    each frame one year and file with its rows in order, the frames in order of both."""
    last: tuple[int, str] | None = None
    for f in frames:
        if f.empty:
            continue
        year, file, row = f["_year"].to_numpy(), f["_file"].to_numpy(), f["_row"].to_numpy()
        first = (year[0], file[0])
        if (year != year[0]).any() or (file != file[0]).any() or not isinstance(file[0], str) \
                or row.dtype.kind not in "iu" or (np.diff(row) < 0).any() \
                or (last is not None and first <= last):
            return False
        last = first
    return True


def _load_903(root: Path, log: Findings, aside: dict[str, pd.DataFrame] | None = None
              ) -> tuple[dict[str, pd.DataFrame], list[str]]:
    files = _find_903_files(root)
    limits.check_903({k: [p for _, p in v] for k, v in files.items() if k != xml_return.XML_FILES},
                     [p for _, p in files.get(xml_return.XML_FILES, [])], root, TEMPLATE_HINT)
    tables: dict[str, pd.DataFrame] = {}
    years = sorted({y for fl in files.values() for y, _ in fl if y})
    # XML returns, read once each into all their tables (inputs/xml_return.py).
    from_xml = xml_return.read_returns(files.pop(xml_return.XML_FILES, []), files, root, log)
    # A collection-year folder with 903 files but no header.
    by_folder: dict[Path, set[str]] = {}
    for name, entries in files.items():
        for year, path in entries:
            if year:
                by_folder.setdefault(path.parent, set()).add(name)
    for folder, names in sorted(by_folder.items()):
        if "header" not in names:
            rr.YEAR_WITHOUT_HEADER.record_file(
                log, f"{folder.relative_to(root.parent).as_posix()}/", "header.csv")
    for table in SSDA903_TABLES:
        entries = files.pop(table.name, [])
        xml = from_xml.get(table.name, [])
        if not entries and not xml and table.required_file:
            raise InputError(
                f"No {table.file} was found under {root}: the 903 {table.name} table is required; "
                f"put each collection year's returns in a folder of their own, such as "
                f"{root}/2024-25/{table.file} (see {TEMPLATE_HINT})."
            )
        frames, keys = [], []
        # In year order, CSV files and XML returns alike (a year is in one form only).
        for year, source in sorted([*entries, *xml], key=lambda e: e[0]):
            if isinstance(source, Path):
                source = read_table_file(source, source.relative_to(root.parent).as_posix(),
                                         table, log)
            df, k = _validate(source, table, log)
            df["_year"] = year  # a frame of its own: no copy needed
            _codes_of_the_year(df, table, year, log)
            frames.append(df)
            keys.append(k)
        tables[table.name] = _combine_years(frames, _stack_keys(keys, table.column_names),
                                            table, log, aside)
    for name, entries in files.items():
        for _, path in entries:
            why = "a 903 table the kit does not use" if name in SSDA903_UNUSED else "unknown file"
            log.unused.append(f"{path.relative_to(root.parent).as_posix()} ({why})")
    return tables, [str(y) for y in years]


def _codes_of_the_year(df: pd.DataFrame, table: Table, year: int, log: Findings) -> None:
    """Record each code of one year's return valid in other collection years but not in this
    one (``codes.CHANGES``), as the return was submitted, before the years are combined."""
    for t, column in codes.changed_columns():
        if t == table.name and column in df and len(df):
            bad = codes.not_valid_that_year(df[column], t, column, year)
            if bad.any():
                rows = df[bad.to_numpy()]
                rr.CODE_NOT_VALID_THAT_YEAR.record(log, rows, column,
                                                   value=rows[column].astype("string"))


def local_files(root: Path) -> dict[str, Path]:
    """The CSV files of the local folder, by their name in lower case (as templates are named)."""
    return {p.name.lower(): p for p in root.glob("*.csv")} if root.is_dir() else {}


def _load_local(root: Path, log: Findings, names: Collection[str] | None = None
                ) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    present = local_files(root)
    for table in LOCAL_TABLES:
        if names is not None and table.name not in names:
            continue
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
        limits.check_local(path, rel, _template(table))
        df, distinct = _read_table(path, rel, table, log)
        tables[table.name] = _validate(df, table, log, distinct)[0].reset_index(drop=True)
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
    replaced: dict[str, pd.DataFrame] = {}
    tables, years = _load_903(params.ssda903_dir, found, replaced)
    tables.update(_load_local(params.local_dir, found))
    _require_rows(tables, found)
    return LAInputs(tables=tables, findings=found, years=years, replaced=replaced)


def load_local_inputs(local_dir: Path, names: Collection[str]) -> LAInputs:
    """Read and validate the local extracts ``names`` of one folder (a regional adoption
    agency's own: its adopters, staffing, costs and case audits), as an LA's are read; an
    extract the folder lacks is listed as missing. No 903 returns are read."""
    found = Findings()
    tables = _load_local(Path(local_dir), found, names)
    return LAInputs(tables=tables, findings=found)


def project_relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(resources.checkout_root() or Path.cwd()).as_posix()
    except ValueError:
        return str(path)
