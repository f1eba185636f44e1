"""Dated events in each child's periods of care, shared by the sections that follow a child
through care (3 and 4): placements and moves, legal status changes, permanence plans and changes
of plan.

One row per event: ``child, period_id, date, kind, code, previous``.

- ``placement``: an episode that starts with a new carer: the first placement of the period
  (RNE S) and every **change of carer** (``change_of_carer``: RNE P or B, the placement moves of
  DfE's stability measures). A change of placement with the same carer (RNE T or U) is
  ``same_carer_move``: shown apart, never counted as a move. ``code`` is the new PLACE.
- ``legal_status``: the period's first legal status (RNE S) and every change of it (an episode
  whose LS differs from the previous episode's in the period); ``code`` the new LS,
  ``previous`` the one before.
- ``plan``: a permanence plan decision (local ``permanence_plans.csv``) dated within the
  period of care (from its start to its end; any before its end when the start is before the
  data); ``plan_change`` when its plan differs from the previous plan of the period
  (e.g. reunification → adoption: ``previous`` reunification, ``code`` adoption). Plans
  recorded the same day are taken in file order.
"""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.inputs import codes

COLUMNS = ["child", "period_id", "date", "kind", "code", "previous"]

#: A change of placement with the same carer (RNE T, or U with a change of legal status too).
SAME_CARER_MOVE = ("T", "U")

KINDS = ("placement", "change_of_carer", "same_carer_move", "legal_status", "plan",
         "plan_change")


def _empty() -> pd.DataFrame:
    """No events, with the columns' types (so that dates still subtract and compare)."""
    return pd.DataFrame({"child": pd.Series(dtype="string"),
                         "period_id": pd.Series(dtype="int64"),
                         "date": pd.Series(dtype="datetime64[ns]"),
                         **{c: pd.Series(dtype="string") for c in ("kind", "code", "previous")}})


def _frame(df: pd.DataFrame, kind: pd.Series | str, code: pd.Series,
           previous: pd.Series | None = None) -> pd.DataFrame:
    return pd.DataFrame({
        "child": df["CHILD"].astype("string").to_numpy() if "CHILD" in df
        else df["child"].astype("string").to_numpy(),
        "period_id": df["period_id"].to_numpy(),
        "date": pd.to_datetime(df["DECOM"] if "DECOM" in df else df["plan_date"]).to_numpy(),
        "kind": kind if isinstance(kind, str) else kind.to_numpy(),
        "code": code.astype("string").to_numpy(),
        "previous": (previous if previous is not None
                     else pd.Series(pd.NA, index=df.index)).astype("string").to_numpy(),
    })


def placement_events(episodes: pd.DataFrame) -> pd.DataFrame:
    """Placements (RNE S), changes of carer (RNE P/B) and same-carer moves (RNE T/U)."""
    ep = episodes
    kind = ep["RNE"].map({"S": "placement",
                          **dict.fromkeys(codes.RNE_CHANGE_OF_CARER, "change_of_carer"),
                          **dict.fromkeys(SAME_CARER_MOVE, "same_carer_move")})
    rows = ep[kind.notna()]
    return _frame(rows, kind[kind.notna()], rows["PLACE"])


def legal_status_events(episodes: pd.DataFrame) -> pd.DataFrame:
    """The first legal status of each period and every change of it."""
    ep = episodes
    prev = ep.groupby("period_id")["LS"].shift()
    first = ep["period_id"].ne(ep["period_id"].shift())
    changed = first | (ep["LS"].ne(prev) & prev.notna())
    rows = ep[changed]
    return _frame(rows, "legal_status", rows["LS"], prev[changed])


def plans_in_periods(plans: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Each permanence plan decision dated within one of the child's periods of care, with the
    period's columns, in date order within each period (same-day plans in file order).

    Within: on or after the period's start and on or before its end (open: no end). A period
    whose start is before the data (``care_entry`` blank) takes any plan before its end: the
    plan may have been made before the first episode the data holds.

    ``periods`` needs ``child, period_id, care_entry, period_end``; any other column it has is
    carried along."""
    p = plans.assign(_order=range(len(plans))).merge(periods, on="child")
    inside = (p["care_entry"].isna() | (p["plan_date"] >= p["care_entry"])) & (
        p["period_end"].isna() | (p["plan_date"] <= p["period_end"]))
    p = p[inside.fillna(False).astype(bool)].sort_values(["period_id", "plan_date", "_order"],
                                                          kind="stable")
    return p.drop(columns="_order")


def plan_events(plans: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Each permanence plan decision within a period of care (:func:`plans_in_periods`), and
    every change of plan: a plan that differs from the previous one of the period."""
    return plan_events_within(
        plans_in_periods(plans, periods[["child", "period_id", "care_entry", "period_end"]]))


def plan_events_within(p: pd.DataFrame) -> pd.DataFrame:
    """:func:`plan_events` of plans already taken within their periods, in order
    (:func:`plans_in_periods`)."""
    if p.empty:
        return _empty()
    prev = p.groupby("period_id")["plan"].shift()
    kind = pd.Series("plan", index=p.index).where(~(prev.notna() & p["plan"].ne(prev)),
                                                  "plan_change")
    return _frame(p, kind, p["plan"], prev)


def child_events(episodes: pd.DataFrame, periods: pd.DataFrame,
                 plans: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every event above, in date order within each child and period (placements, then legal
    status, then plans on the same day)."""
    parts = [placement_events(episodes), legal_status_events(episodes)]
    if plans is not None:
        parts.append(plan_events(plans, periods))
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty()
    ev = pd.concat(parts, ignore_index=True)
    ev["_k"] = ev["kind"].map({k: i for i, k in enumerate(KINDS)})
    ev = ev.sort_values(["child", "period_id", "date", "_k"], kind="stable")
    return ev.drop(columns="_k").reset_index(drop=True)


def moves_between(events: pd.DataFrame, start: pd.Series, end: pd.Series,
                  kind: str = "change_of_carer") -> pd.Series:
    """Per period (``start`` and ``end`` indexed by period_id), events of ``kind`` dated after
    ``start`` and on or before ``end``."""
    ev = events[events["kind"].eq(kind)]
    ev = ev[ev["period_id"].isin(start.index)]
    # Looked up by reindexing, not Series.map: pandas cannot map by an empty Series of dates
    # (an LA with no such period would stop here).
    s = start.reindex(ev["period_id"]).to_numpy()
    e = end.reindex(ev["period_id"]).to_numpy()
    inside = (ev["date"] > s) & (ev["date"] <= e)
    return ev[inside.fillna(False).astype(bool)].groupby("period_id").size().reindex(
        start.index, fill_value=0).astype("int64")

