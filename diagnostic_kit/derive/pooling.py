"""A regional adoption agency's children: its members' prepared tables put together.

Each member LA's 903 returns are read, checked and derived on their own (as for any LA); the
RAA's tables are those tables stacked. A child is the member and the member's own child id
together (``<member>:<id>``, :data:`SEP`), so two members using the same id stay two children;
the same holds for a period of care (``period_id``, a whole number unique within a member,
offset past the previous members'), a local sibling group id, and the AD1 row a journey
reports. Nothing is recomputed: a child's journey, periods and characteristics are the
member's, so any measure over the RAA's tables is that measure over every member's children
together (never an average of the members' figures).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Between a member's key and the member's own id in an RAA's child id. A member's key is its
#: params file's stem, which holds only letters, digits, ``-`` and ``_``, so the first ``:``
#: always ends it.
SEP = ":"
#: Columns that hold a child's id (903 tables: ``CHILD``; local extracts and prepared tables:
#: ``child``).
CHILD_COLUMNS = ("CHILD", "child")
#: Columns that hold another id local to a member (a sibling group).
LOCAL_ID_COLUMNS = ("sibling_group_id", "sibling_group")


def member_ids(member: str, ids: pd.Series) -> pd.Series:
    """``ids`` as the RAA's ids: ``<member>:<id>`` (missing stays missing)."""
    s = ids.astype("string")
    return (member + SEP + s).astype("string")


def member_of(ids: pd.Series) -> pd.Series:
    """The member key of each RAA id (the text before the first :data:`SEP`)."""
    return ids.astype("string").str.split(SEP, n=1).str[0]


def own_ids(ids: pd.Series) -> pd.Series:
    """Each RAA id as its member's own id (the text after the first :data:`SEP`)."""
    return ids.astype("string").str.split(SEP, n=1).str[1]


def file_of(member: str, files: pd.Series) -> pd.Series:
    """A member's file names as the RAA's: ``<member>/<file>``."""
    return (member + "/" + files.astype("string")).astype("string")


def period_offsets(periods: Sequence[pd.DataFrame]) -> list[int]:
    """The number added to each member's ``period_id`` so that they follow one another: 0 for
    the first member, then past the largest id of each before."""
    out, at = [], 0
    for p in periods:
        out.append(at)
        if len(p):
            at += int(p["period_id"].max()) + 1
    return out


def as_member(frame: pd.DataFrame, member: str, *, period_offset: int = 0,
              ad1_rows: pd.Series | None = None) -> pd.DataFrame:
    """One member's table as the RAA holds it: child ids, local ids and ``_file`` prefixed by
    the member, ``period_id`` offset, ``ad1_row`` read through ``ad1_rows`` (the member's AD1
    row labels to the RAA's). Other columns are the member's. A new frame; ``frame`` is not
    changed."""
    cols: dict[str, pd.Series] = {}
    for col in frame.columns:
        s = frame[col]
        local_id = col in LOCAL_ID_COLUMNS and pd.api.types.is_string_dtype(s)
        if col in CHILD_COLUMNS or local_id:  # (a sibling_group flag is not an id)
            s = member_ids(member, s)
        elif col == "_file":
            s = file_of(member, s)
        elif col == "period_id" and period_offset:
            s = s + period_offset
        elif col == "ad1_row" and ad1_rows is not None:
            s = s.map(ad1_rows).astype("Int64")
        cols[col] = s
    out = pd.DataFrame(cols, index=frame.index)
    out.columns = frame.columns
    return out


def stack(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Members' tables one after another, renumbered 0, 1, …; each column keeps its type
    where every member's has it (an empty member's table takes the others')."""
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    nonempty = [f for f in frames if len(f)] or frames[:1]
    out = pd.concat(nonempty, ignore_index=True)
    for col in frames[0].columns:  # a column none of the non-empty frames had
        if col not in out:
            out[col] = pd.Series(dtype=frames[0][col].dtype)
    return out


def ad1_positions(ad1: pd.DataFrame, offset: int) -> pd.Series:
    """A member's AD1 row labels mapped to their positions in the RAA's stacked AD1 table."""
    return pd.Series(np.arange(len(ad1)) + offset, index=ad1.index)
