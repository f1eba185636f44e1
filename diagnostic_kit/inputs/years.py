"""Collection years: the year folders of the 903 returns (``903/2024-25``), and one table's
years combined: exact duplicates dropped, a record reported in two years taken from the later
(which carries its end date), same-key conflicts resolved by a stated rule and recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from diagnostic_kit.inputs import reading_rules as rr
from diagnostic_kit.inputs import xml_return
from diagnostic_kit.inputs.columns import empty_table
from diagnostic_kit.inputs.duplicates import column_codes, duplicated_rows, sort_key, zero_day
from diagnostic_kit.inputs.errors import TEMPLATE_HINT, InputError
from diagnostic_kit.inputs.findings import (
    Findings,
)
from diagnostic_kit.inputs.schema import Table

if TYPE_CHECKING:
    pass


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


def find_903_files(root: Path) -> dict[str, list[tuple[int, Path]]]:
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
    keys = column_codes(pd.concat(frames, ignore_index=True), table.column_names) \
        if len(frames) > 1 else {}
    return combine_years_coded(frames, keys, table, log)


def combine_years_coded(
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
    exact = duplicated_rows([keys[c] for c in [*cols, *(["_year"] if per_year else [])]],
                        keep="last")
    log.exclude(df.loc[exact, ["_file", "_row"]], table.name,
                "exact duplicate of a row in a later year's return")
    keep = ~exact
    if table.key:
        zd = zero_day(df, table).to_numpy()[keep].astype(np.int64)
        last = keys["_year"][keep] if per_year else zd
        older = duplicated_rows([*(keys[c][keep] for c in table.key), last], keep="last")
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


