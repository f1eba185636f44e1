"""Episodes of care and the periods of care they form.

A period of care starts with an episode whose RNE is S and runs through the following episodes,
each starting the day the previous one ended (REC X1), until an episode ends with any other REC.
A child can have several periods. A child's history that starts before the earliest return in
the data has no RNE S episode: its care entry is unknown (``entry_known`` false), which is not an
error: it is said once, with the number of children (a note in the data-quality section).

A chain whose last episode ends (a DEC) with X1 or with no REC has nothing after it: the period
is treated as ended on that DEC with an unknown reason (``end_reason`` blank,
``end_reason_known`` false), never as open for ever.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from diagnostic_kit import rules
from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.findings import Findings
from diagnostic_kit.rules.engine import memo, memo_scope
from diagnostic_kit.rules.episodes import chain_order, links


def _chain_and_links(episodes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    ep = chain_order(episodes)
    return ep, links(ep)


def _count_within_child(new_period: np.ndarray, same_child: np.ndarray) -> np.ndarray:
    """The running count of ``new_period`` within each child's episodes, which chain order
    keeps together (a run of ``same_child`` after each child's first episode): a child's
    first period is 1."""
    total = np.cumsum(new_period, dtype=np.int64)
    first = np.flatnonzero(~same_child)
    before = (total - new_period)[first]
    return total - np.repeat(before, np.diff(np.append(first, len(total))))


def window_start(years: list[int]) -> pd.Timestamp | None:
    """1 April of the earliest collection year in the data (None when years are unknown)."""
    real = [y for y in years if y]
    return pd.Timestamp(min(real) - 1, 4, 1) if real else None


def data_start(years: Iterable[str | int], episodes: pd.DataFrame | None = None
               ) -> pd.Timestamp | None:
    """Where the 903 data starts: 1 April of the earliest collection year loaded (``years``,
    from the collection-year folders). For files given combined (no years), of the collection
    year of the earliest DEC: the earliest return holds the episodes open during its year, so
    its first end dates fall in that year (the earliest DECOM when no episode has ended).
    None when neither is known. A care entry before this date may be missing from the data:
    only children still in care when the data starts are in it."""
    start = window_start([int(y) for y in years if str(y).strip()])
    if start is not None or episodes is None or episodes.empty:
        return start
    ended = episodes["DEC"].dropna()
    base = ended.min() if len(ended) else episodes["DECOM"].min()
    if pd.isna(base):
        return None
    year = base.year + 1 if base.month >= 4 else base.year  # its collection year (April-March)
    return pd.Timestamp(year - 1, 4, 1)


def clean_episodes(
    ep: pd.DataFrame,
    header: pd.DataFrame,
    start_of_data: pd.Timestamp | None = None,
    *,
    ctx: rules.Context | None = None,
) -> tuple[pd.DataFrame, Findings]:
    """Check episode chains (the registered ``episodes`` rules) and number each child's periods.

    Returns the episodes in chain order (zero-day episodes first among those starting the same
    day) with ``period_id`` (a whole number, unique across children), ``period_seq`` (1 for a
    child's first period in the data) and ``new_period``, and the rules' findings. A DEC before
    its DECOM is treated as blank (rule ``episode_ends_before_start``).
    """
    if ctx is None:
        ctx = rules.Context(window_start=start_of_data)
    with memo_scope():
        # The chain the rules derived from the checked episodes, not derived again.
        checked, found = rules.run({"episodes": ep, "header": header}, ctx, stage="episodes")
        chain, lk = memo("chain", checked["episodes"], _chain_and_links)
    ep = chain.reset_index(drop=True)
    lk = lk.reset_index(drop=True)
    ep["new_period"] = lk["new_period"]
    ep["period_id"] = lk["new_period"].cumsum().astype("int64")
    ep["period_seq"] = _count_within_child(lk["new_period"].to_numpy(),
                                           lk["same_child"].to_numpy())

    if ctx.window_start is not None and not ep.empty:
        first = ep[~lk["same_child"]]
        before = first[(first["DECOM"] < ctx.window_start).fillna(False).astype(bool)
                       & first["RNE"].ne("S")]
        if len(before):
            files = ", ".join(sorted(ep["_file"].astype(str).unique())[:1])
            found.note(
                files, "data window",
                f"The data starts on {ctx.window_start:%d/%m/%Y}; {len(before)} "
                f"child{'ren were' if len(before) != 1 else ' was'} already in care then: "
                "their care entry is before the data, so it is unknown (not an error).",
            )
    return ep, found


def periods_of_care(ep: pd.DataFrame) -> pd.DataFrame:
    """One row per period of care.

    ``care_entry`` is the DECOM of the RNE S episode that starts the period (NaT when the
    period's start is before the data); ``period_end`` the DEC of its last episode when that
    episode ended with a REC other than X1, or when it ended (a DEC) with X1 or no REC and
    nothing continues it (``end_reason_known`` false: reason unknown); a last episode with a
    REC but no DEC ends the period when the child's next period begins (open if none);
    ``end_reason`` that REC.
    ``short_breaks_only`` marks periods entirely under V3/V4, which DfE leaves out of
    looked-after counts.
    """
    g = ep.groupby("period_id", sort=True)
    first = g.head(1).set_index("period_id")
    last = g.tail(1).set_index("period_id")
    has_dec = last["DEC"].notna()
    left = last["REC"].notna() & last["REC"].ne(codes.REC_CONTINUES)
    ended = left & has_dec
    unknown = has_dec & ~left
    # A REC with no DEC followed by a later period of the child: it ended by the time the next
    # began (rule rec_without_dec); the child's last such period stays open.
    next_start = first["DECOM"].shift(-1).where(first["CHILD"].eq(first["CHILD"].shift(-1)))
    end = last["DEC"].where(ended | unknown).fillna(next_start.where(left & ~has_dec))
    # A first episode with no RNE (rule required_missing says so) is not known to be an entry.
    entry = first["RNE"].eq("S").fillna(False).astype(bool)
    periods = pd.DataFrame(
        {
            "child": first["CHILD"],
            "period_seq": first["period_seq"],
            "entry_known": entry,
            "first_decom": first["DECOM"],
            "care_entry": first["DECOM"].where(entry),
            "period_end": end,
            "end_reason": last["REC"].where(left & end.notna()),
            "end_reason_known": ~unknown,
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
