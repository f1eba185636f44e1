"""Rules that compare one year's return with the next (``stage="inputs"``): DfE 502, 503,
559 and 562.

The DfE validator compares a year's return with the previous year's. The kit holds several
years combined: a record reported in two years is taken from the later one, and the rows the
later year replaced are kept aside by the reader (``LAInputs.replaced``; passed to the rules as
``<table>_replaced``). Each year's return as submitted is the table's rows of that ``_year``
and the replaced ones; every pair of consecutive collection years in the data is compared.
Files given combined (no collection-year folders) hold no years to compare: these rules then
find nothing.
"""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.rules.engine import Context, memo, rule

STAGE = "inputs"
#: Placement codes a new year's return replaced (the validator exempts them): an open episode
#: coded H5 became K3 in 2023-24, one coded Z1 became Z11-Z14 in 2025-26.
PLACE_RECODED = {("H5", "K3"), *(("Z1", z) for z in ("Z11", "Z12", "Z13", "Z14"))}


def _flag(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool)


def year_start(year: pd.Series) -> pd.Series:
    """1 April that starts each collection year (by its ending year: 2025 → 01/04/2024)."""
    years = year.astype("int64")
    starts = {y: pd.Timestamp(y - 1, 4, 1) for y in years.unique()}
    return pd.to_datetime(years.map(starts))


def returns(t: dict[str, pd.DataFrame], table: str) -> pd.DataFrame:
    """Every row of every year's return of ``table``: the rows used (``kept`` true, with the
    table's index in ``_idx``) and the rows a later year replaced; rows of files given combined
    (``_year`` 0) left out."""
    def build(df: pd.DataFrame) -> pd.DataFrame:
        kept = df.assign(kept=True, _idx=df.index)
        old = t.get(f"{table}_replaced")
        parts = [kept] if old is None or old.empty else [
            kept, old.assign(kept=False, _idx=pd.NA)]
        out = pd.concat(parts, ignore_index=True)
        year = out["_year"] if "_year" in out else pd.Series(0, index=out.index)
        out = out[_flag(pd.to_numeric(year, errors="coerce") > 0)]
        if "DECOM" in out:
            # An episode's CHILD and DECOM as one whole number (blank DECOM: -1), to compare
            # returns quickly.
            child = pd.factorize(out["CHILD"])[0].astype("int64")
            day = out["DECOM"].to_numpy(dtype="datetime64[D]").astype("int64")
            day = pd.Series(day, index=out.index).where(out["DECOM"].notna(), -1)
            out = out.assign(_c=child, _k=child * 10_000_000 + (day.to_numpy() + 1_000_000))
        return out

    return memo(f"returns_{table}", t[table], build)


def _pairs(r: pd.DataFrame) -> list[tuple[int, int]]:
    """Consecutive collection years both in the data: (year, next year)."""
    years = sorted({int(y) for y in r["_year"].unique()})
    return [(y, y + 1) for y in years if y + 1 in years]


def _as_rows(hit: pd.DataFrame) -> pd.DataFrame:
    """Rows found among the returns, as the rule's rows: those used keep the table's index;
    a replaced row gets a label no row of the table has (a finding only: no effect applies)."""
    kept = hit["kept"].astype(bool)
    if kept.all():
        idx = pd.Index(hit["_idx"].astype("int64"))
    else:
        idx = pd.Index([i if k else f"replaced {n}" for i, k, n in
                        zip(hit["_idx"], kept, range(len(hit)), strict=True)], dtype=object)
    return hit.set_axis(idx).drop(columns=["kept", "_idx"])


def _open_at_end(r: pd.DataFrame, year: int) -> pd.DataFrame:
    """The episodes of ``year``'s return open at its end (no DEC)."""
    return r[r["_year"].eq(year) & r["DEC"].isna()]


def _open_not_continued(r: pd.DataFrame) -> pd.DataFrame:
    """DfE 502: per pair of years, the episodes open at the end of the first year's return of
    children in the next year's return, that the next year's return does not hold (same CHILD
    and DECOM). Once per returns frame."""
    def find(r: pd.DataFrame) -> pd.DataFrame:
        out = []
        for year, nxt in _pairs(r):
            now = r[r["_year"].eq(nxt)]
            last = _open_at_end(r, year)
            last = last[last["CHILD"].isin(now["CHILD"]) & ~last["_k"].isin(now["_k"])]
            out.append(last.assign(_next=nxt))
        return pd.concat(out) if out else r.iloc[0:0].assign(_next=0)

    return memo("open_not_continued", r, find)


@rule(id="episode_missing_from_previous_return", message="the child's first episode in a "
      "year's return began before that year, but the previous year's return does not hold it",
      action="kept", tables=("episodes", "episodes_replaced"), column="DECOM",
      validator="562", stage=STAGE)
def episode_missing_from_previous_return(t: dict[str, pd.DataFrame], ctx: Context
                                         ) -> pd.DataFrame:
    """Across years: per pair of consecutive returns in the data, the child's earliest episode
    in the later one, when it began before that collection year and the earlier return has no
    episode of the child with that DECOM. A child whose open episode DfE 502 already reports
    for the same pair is not reported again (this rule runs before DfE 502's, which drops that
    episode)."""
    r = returns(t, "episodes")
    reported = _open_not_continued(r)
    out = []
    for year, nxt in _pairs(r):
        now = r[r["_year"].eq(nxt)].sort_values("_k", kind="stable")  # by child, then DECOM
        first = now[~now["_c"].duplicated()]
        first = first[_flag(first["DECOM"] < year_start(first["_year"]))]
        before = r[r["_year"].eq(year)]
        gone = reported.loc[reported["_next"].eq(nxt), "CHILD"]
        out.append(first[~first["_k"].isin(before["_k"]) & ~first["CHILD"].isin(gone)])
    return _as_rows(pd.concat(out)) if out else r.iloc[0:0].drop(columns=["kept", "_idx"])


@rule(id="open_episode_not_in_next_return", message="an episode open at the end of one year's "
      "return is not in the next year's return, which starts the child's episodes on another "
      "date (DECOM)", action="row excluded: the next year's return is used",
      tables=("episodes", "episodes_replaced"), column="DECOM", effect="exclude",
      validator="502", stage=STAGE,
      excluded_as="an open episode the next year's return does not hold (it gives the child's "
      "episodes from another date)")
def open_episode_not_in_next_return(t: dict[str, pd.DataFrame], ctx: Context
                                    ) -> pd.DataFrame:
    """The episode of the earlier return is flagged and dropped, so that the child's episodes
    are the later return's (kept, it would overlap them). The validator flags the later
    return's first episode; its DECOM is the one kept. An open episode the return after next
    holds again is not flagged."""
    hit = _open_not_continued(returns(t, "episodes"))
    return _as_rows(hit[hit["kept"]].drop(columns="_next"))


#: The columns DfE 503 compares between returns.
COMPARED = ("RNE", "LS", "PLACE")


def _continued(r: pd.DataFrame) -> pd.DataFrame:
    """Per pair of years, the later return's rows of the episodes open at the end of the
    earlier return (same CHILD and DECOM), with the earlier values as ``_before_<column>``
    (:data:`COMPARED`). Once per returns frame."""
    def join(r: pd.DataFrame) -> pd.DataFrame:
        out = []
        for year, nxt in _pairs(r):
            last = _open_at_end(r, year)
            before = last[["_k", *COMPARED]].drop_duplicates("_k").set_index("_k")
            now = r[r["_year"].eq(nxt) & r["_k"].isin(before.index)]
            out.append(now.join(before.add_prefix("_before_"), on="_k"))
        return pd.concat(out) if out else r.iloc[0:0]

    return memo("continued", r, join)


def _changed_in_next(t: dict[str, pd.DataFrame], column: str) -> pd.DataFrame:
    """DfE 503: episodes of a return (the later one's row) whose open version at the end of
    the previous year's return (same CHILD and DECOM) had another value in ``column``."""
    m = _continued(returns(t, "episodes"))
    if m.empty:
        return m.drop(columns=["kept", "_idx"])
    before, after = m[f"_before_{column}"].astype("string"), m[column].astype("string")
    differs = (before.fillna("") != after.fillna("")).to_numpy()
    if column == "PLACE":
        pair = before.fillna("") + ">" + after.fillna("")
        differs &= ~pair.isin({f"{b}>{a}" for b, a in PLACE_RECODED}).to_numpy()
    return _as_rows(m[differs].drop(columns=[f"_before_{c}" for c in COMPARED]))


_KEPT_LATER = "kept: the later return's value is used"


@rule(id="open_episode_rne_changed", message="the reason for new episode (RNE) of an episode "
      "open at the end of the previous year's return differs in this year's return",
      action=_KEPT_LATER, tables=("episodes", "episodes_replaced"), column="RNE",
      validator="503A", stage=STAGE)
def open_episode_rne_changed(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Across years: the same episode (CHILD and DECOM) in consecutive returns, where the
    validator compares the previous return's last episode with this one's first; an episode
    whose start date changed is DfE 502's."""
    return _changed_in_next(t, "RNE")


@rule(id="open_episode_ls_changed", message="the legal status (LS) of an episode open at the "
      "end of the previous year's return differs in this year's return", action=_KEPT_LATER,
      tables=("episodes", "episodes_replaced"), column="LS", validator="503B", stage=STAGE)
def open_episode_ls_changed(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """As :func:`open_episode_rne_changed`, for LS."""
    return _changed_in_next(t, "LS")


@rule(id="open_episode_place_changed", message="the placement type (PLACE) of an episode open "
      "at the end of the previous year's return differs in this year's return",
      action=_KEPT_LATER, tables=("episodes", "episodes_replaced"), column="PLACE",
      validator="503D", stage=STAGE)
def open_episode_place_changed(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """As :func:`open_episode_rne_changed`, for PLACE; a code the new year's list replaced
    (:data:`PLACE_RECODED`) is no change."""
    return _changed_in_next(t, "PLACE")


@rule(id="decision_not_in_previous_return", message="a decision that the child should be "
      "placed for adoption (DATE_PLACED) made before this year's return began, but the previous "
      "year's return has no PlacedAdoption row for the child", action="kept",
      tables=("placed_for_adoption", "placed_for_adoption_replaced"), column="DATE_PLACED",
      validator="559", stage=STAGE)
def decision_not_in_previous_return(t: dict[str, pd.DataFrame], ctx: Context
                                    ) -> pd.DataFrame:
    """Across years: per pair of consecutive returns in the data."""
    r = returns(t, "placed_for_adoption")
    out = []
    for year, nxt in _pairs(r):
        now = r[r["_year"].eq(nxt)]
        early = now[_flag(now["DATE_PLACED"] < year_start(now["_year"]))]
        out.append(early[~early["CHILD"].isin(r.loc[r["_year"].eq(year), "CHILD"])])
    return _as_rows(pd.concat(out)) if out else r.iloc[0:0].drop(columns=["kept", "_idx"])
