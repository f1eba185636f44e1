"""Duplicate records within a table: identical records dropped; rows with the same key (e.g.
CHILD and DECOM) but different values either a zero-day episode followed by the real one (both
kept: ordinary 903 data) or a conflict, resolved by a stated rule and recorded
(``record_conflict``, ``dob_conflict``); and the sort key that orders records alike everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from diagnostic_kit.inputs import reading_rules as rr
from diagnostic_kit.inputs.findings import (
    Findings,
)
from diagnostic_kit.inputs.schema import Table
from diagnostic_kit.inputs.values import (
    DMY,
)

if TYPE_CHECKING:
    pass



def zero_day(df: pd.DataFrame, table: Table) -> pd.Series:
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


def column_codes(df: pd.DataFrame, cols: list[str]) -> dict[str, np.ndarray]:
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


def duplicated_rows(columns: list[np.ndarray], keep: str | bool) -> np.ndarray:
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
    return resolve_duplicates_coded(df, table, log, column_codes(df, table.column_names))[0]


def resolve_duplicates_coded(
    df: pd.DataFrame, table: Table, log: Findings, codes: dict[str, np.ndarray]
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """:func:`resolve_duplicates` given the columns' codes; returns the codes of the rows kept."""
    if df.empty:
        return df, codes
    cols = table.column_names
    if table.key and not duplicated_rows([codes[c] for c in table.key], keep=False).any():
        return df, codes  # no two rows share a key: none are identical either
    exact = duplicated_rows([codes[c] for c in cols], keep="first")
    if exact.any():
        rows = df[exact]
        column = table.key[-1] if table.key else cols[0]
        rr.DUPLICATE_RECORD.record(log, rows, column, value=_fmt_key(rows, column))
        log.exclude(rows, table.name, "identical to an earlier row in the same file")
        df = df[~exact]
        codes = {k: v[~exact] for k, v in codes.items()}
    if not table.key:
        return df, codes
    zd = zero_day(df, table)
    key = [*table.key, "_zd"]
    clash = duplicated_rows([*(codes[c] for c in table.key), zd.to_numpy().astype(np.int64)],
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


