"""Episodes of care and the periods of care they form.

A period of care starts with an episode whose RNE is S and runs through the following episodes,
each starting the day the previous one ended (REC X1), until an episode ends with any other REC.
A child can have several periods. A child's history that starts before the earliest return in
the data has no RNE S episode: its care entry is unknown (``entry_known`` false), which is not an
error.
"""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.findings import QualityLog


def _flag(s: pd.Series) -> pd.Series:
    """A plain boolean mask: missing comparisons count as false."""
    return s.fillna(False).astype(bool)


def window_start(years: list[int]) -> pd.Timestamp | None:
    """1 April of the earliest collection year in the data (None when years are unknown)."""
    real = [y for y in years if y]
    return pd.Timestamp(min(real) - 1, 4, 1) if real else None


def clean_episodes(
    ep: pd.DataFrame,
    header: pd.DataFrame,
    log: QualityLog,
    start_of_data: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Check episode chains and number each child's periods of care.

    Adds ``period_id`` (a whole number, unique across children), ``period_seq`` (1 for a
    child's first period in the data) and ``new_period``. Findings: DEC before DECOM (DEC
    treated as blank), overlapping episodes, gaps after X1, periods not starting with RNE S
    (within the data window), children with no header row.
    """
    ep = ep.sort_values(["CHILD", "DECOM", "_year"], kind="stable", ignore_index=True).copy()

    backwards = ep["DEC"].notna() & (ep["DEC"] < ep["DECOM"])
    log.add("episode_ends_before_start", ep[backwards], "DEC",
            value=ep["DEC"].dt.strftime("%d/%m/%Y"))
    ep.loc[backwards, "DEC"] = pd.NaT

    same_child = _flag(ep["CHILD"].eq(ep["CHILD"].shift()))
    prev_dec = ep["DEC"].shift().where(same_child)
    prev_rec = ep["REC"].shift().where(same_child)
    prev_open = same_child & prev_dec.isna()
    prev_left = _flag(same_child & prev_rec.notna() & prev_rec.ne(codes.REC_CONTINUES))
    starts = _flag(ep["RNE"].eq("S"))

    new_period = _flag(~same_child | prev_left | (starts & same_child))
    ep["new_period"] = new_period

    continuing = same_child & ~prev_left & ~starts
    overlap = _flag(same_child & ((prev_dec.notna() & (ep["DECOM"] < prev_dec)) | prev_open))
    gap = _flag(continuing & prev_dec.notna() & (ep["DECOM"] > prev_dec))
    log.add("episode_overlap", ep[overlap], "DECOM", value=ep["DECOM"].dt.strftime("%d/%m/%Y"))
    log.add("episode_gap", ep[gap], "DECOM", value=ep["DECOM"].dt.strftime("%d/%m/%Y"))

    # A child's first episode in the data may be mid-period when its history began before the
    # earliest return: that is missing history, not an error.
    in_window = (
        ep["DECOM"] >= start_of_data if start_of_data is not None else pd.Series(True, ep.index)
    )
    no_start = _flag(new_period & ~starts & (same_child | in_window))
    log.add("period_without_start", ep[no_start], "RNE")

    ep["period_id"] = new_period.cumsum().astype("int64")
    ep["period_seq"] = ep.groupby("CHILD")["new_period"].cumsum().astype("int64")

    orphans = ~ep["CHILD"].isin(header["CHILD"])
    first_of_child = ~same_child
    log.add("episode_child_not_in_header", ep[orphans & first_of_child], "CHILD",
            value="(withheld)")
    return ep


def periods_of_care(ep: pd.DataFrame) -> pd.DataFrame:
    """One row per period of care.

    ``care_entry`` is the DECOM of the RNE S episode that starts the period (NaT when the
    period's start is before the data); ``period_end`` the DEC of its last episode when that
    episode ended with a REC other than X1; ``end_reason`` that REC. ``short_breaks_only`` marks
    periods entirely under V3/V4, which DfE leaves out of looked-after counts.
    """
    g = ep.groupby("period_id", sort=True)
    first = g.head(1).set_index("period_id")
    last = g.tail(1).set_index("period_id")
    ended = last["REC"].notna() & last["REC"].ne(codes.REC_CONTINUES) & last["DEC"].notna()
    periods = pd.DataFrame(
        {
            "child": first["CHILD"],
            "period_seq": first["period_seq"],
            "entry_known": first["RNE"].eq("S"),
            "first_decom": first["DECOM"],
            "care_entry": first["DECOM"].where(first["RNE"].eq("S")),
            "period_end": last["DEC"].where(ended),
            "end_reason": last["REC"].where(ended),
            "first_ls": first["LS"],
            "first_cin": first["CIN"],
            "first_place": first["PLACE"],
            "n_episodes": g.size(),
            "short_breaks_only": ep["LS"].isin(codes.LS_SHORT_BREAKS)
            .groupby(ep["period_id"]).all(),
        }
    )
    periods.index.name = "period_id"
    return periods.reset_index()
