"""Each column of a table checked against the schema and parsed: codes normalised and checked
against the codes of the collection year, dates read in every format LAs write (a column most of
whose values cannot be read stops the run), numbers and flags, each failing value a finding and
its row kept, blanked or excluded as its rule says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from diagnostic_kit.inputs import reading_rules as rr
from diagnostic_kit.inputs.duplicates import resolve_duplicates_coded
from diagnostic_kit.inputs.errors import InputError
from diagnostic_kit.inputs.findings import (
    LOCAL_CODE_MESSAGE,
    Findings,
    Rule,
)
from diagnostic_kit.inputs.schema import Column, Table
from diagnostic_kit.inputs.values import (
    ACCEPTED_DATES,
    BOOLEAN_DTYPE,
    DATE_FORMATS,
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
        are equal, and the values those numbers stand for (see :func:`stack_keys`)."""
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
#: values the numbers stand for (so that files can be numbered alike, :func:`stack_keys`).
Keys = tuple[np.ndarray, np.ndarray]


def validate_table(
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
    out, numbers = resolve_duplicates_coded(out, table, log, numbers)
    return out, {name: (numbers[name], keys[name][1]) for name in keys}


def stack_keys(per_frame: list[dict[str, Keys]], columns: list[str]) -> dict[str, np.ndarray]:
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
    return validate_table(df, table, log)[0]


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


