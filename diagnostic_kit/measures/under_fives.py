"""Section 4: children who entered care under five and were still looked after two years later.

Definitions (``docs/methodology.md``):

- **Entry years**: 12-month windows of care entry, both ends included. The latest ends
  ``params.under_fives.years_looked_after`` (2) years before the reference date (reference
  31/03/2026: 01/04/2023 to 31/03/2024), so that every child in it has reached the
  anniversary; each earlier one ends a year before the next. With a reference date of 31 March
  they are financial years (April to March, labelled ``2023-24``). An entry year has a cohort
  only when it starts on or after the start of the 903 data (1 April of the earliest collection
  year loaded, ``derive.periods.data_start``): before it, only children still in care when the
  data starts are in the returns, so the year's entrants would be a biased part of them.
- **Under-five entrants** of an entry year: children with a period of care (not only short
  breaks, V3/V4) whose care entry (RNE S) falls in it when they were under five (entry before
  their fifth birthday: a child entering care on their fifth birthday is not under five).
  Counted once per entry year.
- **Cohort** of an entry year: its entrants still looked after on the second anniversary of
  that entry: the period of care had not ended by then (an episode ceasing on the anniversary
  itself ends it). A child whose period ended and who came back into care is followed in the
  new period, from its own entry, if that entry is also in the year under five.
- **Pooled** (all entry years): every entry year's entrants and cohort put together, each
  figure computed over all of them (not a mean of the years' figures). A child who is in two
  entry years (left care and came back under five) counts in each, so the pooled counts are
  the sums of the years'.
- **Latest cohort**: the latest entry year's (the ``under5_cohort_*`` metrics, the section's
  distributions and the list of every cohort child).
- Over the two years (care entry to the anniversary, both included), per child, from the dated
  events of ``derive.events``: **placements** (the first placement and every change of carer,
  RNE P/B; **moves** are the changes of carer; same-carer changes, RNE T/U, are counted apart);
  **legal status on the anniversary** (the LS of the episode open that day: C1, C2, E1, V2 or
  other); each **permanence plan** and every **change of plan** (a plan that differs from the
  previous one); the **first plan** and the days to it; the **plan at two years** (the latest
  on or before the anniversary); **health needs** identified by the anniversary
  (``health_needs.csv``) and the OC2 health check of the latest 31 March in the two years.
- **Second review**: the date of the child's second looked-after review of the period (Reviews);
  where the return shows none, the date it was due: the first review 20 working days after care
  entry (or its date, when recorded), the second 3 months after the first (Care Planning,
  Placement and Case Review (England) Regulations 2010, reg 33). A plan is **in place by the
  second review** when the first plan is dated on or before it.
- **Position now** (at the reference date): adopted, special guardianship, left care another
  way (the period ended by then, by its REC); placed for adoption (PLACE A3-A6), placement order
  not placed (LS E1/D1), long-term fostering (the latest plan), other, still looked after.
- **Drift list** (every entry year): cohort children with 3 or more placements, with no
  permanence plan by the anniversary, whose plan changed after 12 months in care (a change
  dated more than 12 calendar months after entry), or whose legal status on the anniversary
  is **C1 or V2** (an interim care order: care proceedings still not concluded, against the 26
  weeks they are to take; or accommodation under s20 with no order after two years), each with
  the reasons it is on the list.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from diagnostic_kit.derive import events as ev
from diagnostic_kit.derive.journeys import financial_year
from diagnostic_kit.derive.periods import data_start
from diagnostic_kit.derive.working_days import add_working_days
from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures.cohorts import share
from diagnostic_kit.measures.headline import Headline, shortfall
from diagnostic_kit.registry import table_anchor

UNDER_AGE = 5
#: Drift: this many placements or more in the two years.
PLACEMENTS_FLAG = 3
#: Drift: a change of plan more than this many months after care entry.
LATE_CHANGE_MONTHS = 12
#: The first review is due within 20 working days of care entry, the second 3 months later.
FIRST_REVIEW_WORKING_DAYS = 20
SECOND_REVIEW_MONTHS = 3

LEGAL_STATUSES = ("C1", "C2", "E1", "V2", "other")
#: Legal statuses on the anniversary that are drift: an interim care order (care proceedings
#: not concluded after two years) or accommodation under s20 (no order after two years).
LS_DRIFT = ("C1", "V2")
LEGAL_STATUS_LABELS = {"C1": "interim care order (C1)", "C2": "full care order (C2)",
                       "E1": "placement order (E1)", "V2": "accommodated under s20 (V2)",
                       "other": "other"}
POSITIONS = ("adopted", "placed_for_adoption", "po_not_placed", "long_term_fostering",
             "special_guardianship", "left_care_other", "other_looked_after")
POSITION_LABELS = {
    "adopted": "adopted",
    "placed_for_adoption": "placed for adoption",
    "po_not_placed": "placement order, not placed",
    "long_term_fostering": "long-term fostering",
    "special_guardianship": "special guardianship",
    "left_care_other": "left care another way",
    "other_looked_after": "other, still looked after",
}
PLAN_LABELS = {
    "reunification": "reunification", "adoption": "adoption",
    "long_term_fostering": "long-term fostering", "special_guardianship": "special guardianship",
    "child_arrangements_order": "child arrangements order",
    "placement_with_parents": "placement with parents", "other": "other", "none": "no plan",
}
REASONS = {
    "three_plus_placements": f"{PLACEMENTS_FLAG}+ placements",
    "no_plan": "no permanence plan",
    "plan_changed_after_12_months": f"plan changed after {LATE_CHANGE_MONTHS} months",
    "c1_or_v2_at_two_years": "interim care order (C1) or s20 (V2) at two years",
}
#: The pooled row of :func:`by_entry_year`.
POOLED = "All entry years"
KEY = "04_under_fives"
#: The titles of the tables that show the findings (the notebook's own titles; the report
#: links to a title by ``registry.table_anchor``).
EVIDENCE = {"by_entry_year": "Under-fives by year of entry: still looked after at two years, "
                             "and drift",
            "drift_list": "Under-fives drift list, every entry year: children and why each "
                          "is on it"}
#: The drift list's heading: always shown, even where suppression leaves the list itself out.
DRIFT_LIST_ANCHOR = "#s04-Drift-list"


def cohort_window(params: Params) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The latest entry window: the 12 months ending ``years_looked_after`` years before the
    reference date, both ends included."""
    end = pd.Timestamp(params.reference_date) - pd.DateOffset(years=params.under_fives
                                                               .years_looked_after)
    return end - pd.DateOffset(years=1) + pd.Timedelta(days=1), end


def _year_label(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """``2023-24`` for an April-to-March year, else the two dates."""
    if (start.month, start.day, end.month, end.day) == (4, 1, 3, 31):
        return str(financial_year(pd.Series([start])).iloc[0])
    return f"{start:%d/%m/%Y} to {end:%d/%m/%Y}"


def entry_years(params: Params, years: Iterable[str | int] = (),
                episodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The entry years that have a cohort, oldest first: ``entry_year`` (label), ``start`` and
    ``end`` (both included). The latest is :func:`cohort_window`; each earlier one ends a year
    before the next, back to the start of the data (``years``, the collection years loaded, or
    the ``episodes`` when files were given combined: ``derive.periods.data_start``). A year
    that starts before the data is not a cohort (see the module). When where the data starts
    is not known (neither given), the latest window only, as if covered."""
    first = data_start(years, episodes)
    start, end = cohort_window(params)
    rows = []
    for k in range(100):  # a year at a time back to the start of the data
        s = start - pd.DateOffset(years=k)
        if (first is None and k) or (first is not None and s < first):
            break
        e = end - pd.DateOffset(years=k)
        rows.append({"entry_year": _year_label(s, e), "start": s, "end": e})
    out = pd.DataFrame(rows, columns=["entry_year", "start", "end"])
    return out.iloc[::-1].reset_index(drop=True).astype(
        {"start": "datetime64[ns]", "end": "datetime64[ns]"})


def latest_year(windows: pd.DataFrame) -> str | None:
    """The latest entry year's label (None when no year has a cohort)."""
    return str(windows["entry_year"].iloc[-1]) if len(windows) else None


def _windows(params: Params, windows: pd.DataFrame | None) -> pd.DataFrame:
    return entry_years(params) if windows is None else windows


def entry_periods(periods: pd.DataFrame, header: pd.DataFrame, params: Params,
                  windows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Periods of care entered under five in an entry year (``windows``, from
    :func:`entry_years`; the latest window alone when not given), with ``entry_year``,
    ``anniversary`` and ``in_cohort`` (still looked after on it)."""
    w = _windows(params, windows)
    years = params.under_fives.years_looked_after
    dob = header.drop_duplicates("CHILD", keep="last").set_index("CHILD")["DOB"]
    p = periods.copy()
    p["dob"] = dob.reindex(p["child"]).to_numpy()
    entry = p["care_entry"]
    label = pd.Series(pd.NA, index=p.index, dtype="object")
    for y in w.itertuples(index=False):  # the windows do not overlap
        label = label.mask(entry.between(y.start, y.end).fillna(False).astype(bool),
                           y.entry_year)
    p["entry_year"] = label
    under = entry < p["dob"] + pd.DateOffset(years=UNDER_AGE)
    short = p.get("short_breaks_only", pd.Series(False, index=p.index)).fillna(False)
    keep = label.notna() & under.fillna(False) & ~short.astype(bool)
    p = p[keep.fillna(False).astype(bool)].copy()
    p["anniversary"] = p["care_entry"] + pd.DateOffset(years=years)
    p["in_cohort"] = (p["period_end"].isna() | (p["period_end"] > p["anniversary"])).astype(bool)
    p["age_at_entry"] = ((p["care_entry"] - p["dob"]).dt.days / 365.25).round(2)
    return p.sort_values(["child", "care_entry"]).reset_index(drop=True)


def entrants(periods: pd.DataFrame, header: pd.DataFrame, params: Params,
             windows: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per under-five entrant child per entry year (their first entry in it)."""
    return (entry_periods(periods, header, params, windows)
            .drop_duplicates(["entry_year", "child"]).reset_index(drop=True))


def cohort(periods: pd.DataFrame, header: pd.DataFrame, params: Params,
           windows: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per cohort child per entry year: the first period entered under five in that
    year that was still going on its second anniversary."""
    p = entry_periods(periods, header, params, windows)
    return p[p["in_cohort"]].drop_duplicates(["entry_year", "child"]).reset_index(drop=True)


def _ls_on(episodes: pd.DataFrame, when: pd.Series) -> pd.Series:
    """The legal status of the episode open on ``when`` (indexed by period_id)."""
    ep = episodes[episodes["period_id"].isin(when.index)]
    d = when.reindex(ep["period_id"]).to_numpy()  # not map: it fails on no periods
    open_then = (ep["DECOM"] <= d) & (ep["DEC"].isna() | (ep["DEC"] > d))
    last = ep[open_then.fillna(False).astype(bool)].groupby("period_id").tail(1)
    return last.set_index("period_id")["LS"].reindex(when.index)


def _place_on(episodes: pd.DataFrame, when: pd.Series) -> pd.DataFrame:
    ep = episodes[episodes["period_id"].isin(when.index)]
    d = when.reindex(ep["period_id"]).to_numpy()  # not map: it fails on no periods
    started = ep[(ep["DECOM"] <= d).fillna(False).astype(bool)]
    return started.groupby("period_id").tail(1).set_index("period_id")[["LS", "PLACE"]].reindex(
        when.index)


def second_review_deadline(care_entry: pd.Series, reviews: pd.DataFrame,
                           child: pd.Series, period_end: pd.Series | None = None) -> pd.Series:
    """The date of the second review after care entry (index as ``care_entry``), or the date it
    was due: first review date (or entry + 20 working days) + 3 months."""
    frame = pd.DataFrame({"child": child.to_numpy(), "entry": care_entry.to_numpy()},
                         index=care_entry.index)
    frame["end"] = period_end.to_numpy() if period_end is not None else pd.NaT
    r = reviews[["CHILD", "REVIEW"]].rename(columns={"CHILD": "child"})
    m = frame.reset_index().merge(r, on="child", how="left")
    inside = (m["REVIEW"] >= m["entry"]) & (m["end"].isna() | (m["REVIEW"] <= m["end"]))
    m = m[inside.fillna(False).astype(bool)].sort_values(["index", "REVIEW"])
    nth = m.groupby("index").cumcount()
    first = m[nth.eq(0)].set_index("index")["REVIEW"].reindex(frame.index)
    second = m[nth.eq(1)].set_index("index")["REVIEW"].reindex(frame.index)
    due_first = first.fillna(add_working_days(frame["entry"], FIRST_REVIEW_WORKING_DAYS))
    due_second = due_first + pd.DateOffset(months=SECOND_REVIEW_MONTHS)
    return second.fillna(due_second)


def _oc2_health_check(oc2: pd.DataFrame, c: pd.DataFrame) -> pd.Series:
    """HEALTH_CHECK of the latest OC2 return (31 March) within each child's two years."""
    if oc2.empty:
        return pd.Series(pd.NA, index=c.index, dtype="boolean")
    o = oc2.rename(columns={"CHILD": "child"})
    year = o["_year"] if "_year" in o else pd.Series(0, index=o.index)
    o = o.assign(_at=pd.to_datetime(year.astype(int).astype(str) + "-03-31", errors="coerce"))
    m = c[["child", "care_entry", "anniversary"]].reset_index().merge(
        o[["child", "_at", "HEALTH_CHECK"]], on="child")
    inside = m["_at"].isna() | ((m["_at"] >= m["care_entry"]) & (m["_at"] <= m["anniversary"]))
    m = m[inside].sort_values(["index", "_at"], na_position="first")
    return m.groupby("index")["HEALTH_CHECK"].last().reindex(c.index).astype("boolean")


def children_over_two_years(
    periods: pd.DataFrame, episodes: pd.DataFrame, header: pd.DataFrame, reviews: pd.DataFrame,
    oc2: pd.DataFrame, plans: pd.DataFrame, health_needs: pd.DataFrame, params: Params,
    windows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per cohort child per entry year (``windows``, from :func:`entry_years`; the
    latest window alone when not given) with ``entry_year`` and every per-child measure of
    the section (see the module docstring): ``placements``, ``moves``, ``same_carer_moves``,
    ``ls_at_two_years``, ``ls_group``, ``first_plan``, ``first_plan_date``,
    ``days_to_first_plan``, ``plan_at_two_years``, ``plan_changes``, ``plan_path``,
    ``plan_changed_after_12_months``, ``second_review``, ``plan_by_second_review``,
    ``health_needs``, ``health_need_list``, ``health_check``, ``position``, the four drift
    flags (:data:`REASONS`), ``reasons`` and ``on_drift_list``."""
    c = cohort(periods, header, params, windows)
    ids = pd.Index(c["period_id"])
    entry = pd.Series(c["care_entry"].to_numpy(), index=ids)
    ann = pd.Series(c["anniversary"].to_numpy(), index=ids)
    ep = episodes[episodes["period_id"].isin(ids)]
    events = ev.child_events(ep, periods[periods["period_id"].isin(ids)], plans)
    before_entry = entry - pd.Timedelta(days=1)
    moves = ev.moves_between(events, entry, ann)
    firsts = ev.moves_between(events, before_entry, ann, kind="placement")
    c["moves"] = moves.to_numpy()
    c["placements"] = (firsts + moves).to_numpy()
    c["same_carer_moves"] = ev.moves_between(events, entry, ann, "same_carer_move").to_numpy()
    ls = _ls_on(ep, ann)
    c["ls_at_two_years"] = ls.to_numpy()
    c["ls_group"] = ls.where(ls.isin(LEGAL_STATUSES[:-1]), "other").to_numpy()

    pl = events[events["kind"].isin(["plan", "plan_change"])].copy()
    pl = pl[(pl["date"] <= ann.reindex(pl["period_id"]).to_numpy()).to_numpy()]
    first = pl.groupby("period_id").head(1).set_index("period_id")
    last = pl.groupby("period_id").tail(1).set_index("period_id")
    c["first_plan"] = first["code"].reindex(ids).to_numpy()
    c["first_plan_date"] = first["date"].reindex(ids).to_numpy()
    c["days_to_first_plan"] = (c["first_plan_date"] - c["care_entry"]).dt.days.astype("float64")
    c["plan_at_two_years"] = last["code"].reindex(ids).fillna("none").to_numpy()
    c["first_plan"] = c["first_plan"].fillna("none")
    changes = pl[pl["kind"].eq("plan_change")]
    c["plan_changes"] = changes.groupby("period_id").size().reindex(ids, fill_value=0).to_numpy()
    late_from = pd.Series((entry + pd.DateOffset(months=LATE_CHANGE_MONTHS)).to_numpy(), ids)
    late = changes[(changes["date"] > late_from.reindex(changes["period_id"]).to_numpy())
                   .to_numpy()]
    c["plan_changed_after_12_months"] = ids.isin(late["period_id"])
    paths = {pid: _path(p) for pid, p in pl.groupby("period_id", sort=False)}
    c["plan_path"] = [paths.get(pid, "no plan") for pid in ids]

    c["second_review"] = second_review_deadline(c["care_entry"], reviews, c["child"],
                                                c["period_end"]).to_numpy()
    c["plan_by_second_review"] = (c["first_plan_date"].notna()
                                  & (c["first_plan_date"] <= c["second_review"])).astype(bool)

    # Per period: a child in two entry years has each year's own anniversary.
    hn = health_needs[health_needs["child"].isin(c["child"])]
    hn = hn.merge(c[["child", "period_id", "anniversary"]], on="child")
    hn = hn[hn["date_identified"] <= hn["anniversary"]]
    c["health_needs"] = c["period_id"].map(hn.groupby("period_id").size()).fillna(0).astype(int)
    lists = hn.groupby("period_id")["need"].agg(lambda s: ", ".join(sorted(set(s.astype(str)))))
    # As text whatever the cohort (an empty one, or pandas before 3, has no string column).
    c["health_need_list"] = c["period_id"].map(lists).astype(object).fillna("").astype("string")
    c["health_check"] = _oc2_health_check(oc2, c).to_numpy()
    c["position"] = position_now(c, ep, plans, params).to_numpy()

    c["three_plus_placements"] = c["placements"] >= PLACEMENTS_FLAG
    # Without any permanence plans supplied, "no plan" cannot be told from "not supplied".
    c["no_plan"] = c["first_plan"].eq("none") & (not plans.empty)
    c["c1_or_v2_at_two_years"] = c["ls_at_two_years"].isin(LS_DRIFT).fillna(False).astype(bool)
    c["reasons"] = [
        "; ".join(REASONS[k] for k, flag in zip(REASONS, row, strict=True) if flag)
        for row in c[list(REASONS)].itertuples(index=False)
    ]
    c["on_drift_list"] = c["reasons"].ne("")
    return c


def _path(p: pd.DataFrame) -> str:
    """"reunification → adoption (12/05/2024)": the first plan, then each change with its
    date."""
    if p.empty:
        return "no plan"
    parts = [PLAN_LABELS.get(p["code"].iloc[0], str(p["code"].iloc[0]))]
    changes = p[p["kind"].eq("plan_change")]
    for code, date in zip(changes["code"], changes["date"], strict=True):
        parts.append(f"{PLAN_LABELS.get(code, code)} ({date:%d/%m/%Y})")
    return " → ".join(parts)


def position_now(c: pd.DataFrame, episodes: pd.DataFrame, plans: pd.DataFrame,
                 params: Params) -> pd.Series:
    """Each cohort child's position at the reference date (:data:`POSITIONS`)."""
    ref = pd.Timestamp(params.reference_date)
    ids = pd.Index(c["period_id"])
    ended = (c["period_end"].notna() & (c["period_end"] <= ref)).to_numpy()
    reason = (c["end_reason"].astype("string") if "end_reason" in c
              else pd.Series(pd.NA, index=c.index, dtype="string"))
    now = _place_on(episodes, pd.Series(ref, index=ids))
    latest_plan = pd.Series(pd.NA, index=ids, dtype="string")
    if not plans.empty:
        pp = plans[plans["plan_date"] <= ref].merge(c[["child", "period_id", "care_entry"]],
                                                    on="child")
        pp = pp[pp["plan_date"] >= pp["care_entry"]].sort_values("plan_date", kind="stable")
        latest_plan = pp.groupby("period_id")["plan"].last().reindex(ids).astype("string")
    out = np.select(
        [ended & reason.isin(codes.REC_ADOPTED).fillna(False).to_numpy(dtype=bool),
         ended & reason.isin(codes.REC_SGO).fillna(False).to_numpy(dtype=bool),
         ended,
         now["PLACE"].isin(codes.PLACE_ADOPTION).fillna(False).to_numpy(dtype=bool),
         now["LS"].isin(codes.LS_COURT_AUTHORITY).fillna(False).to_numpy(dtype=bool),
         latest_plan.eq("long_term_fostering").fillna(False).to_numpy(dtype=bool)],
        ["adopted", "special_guardianship", "left_care_other", "placed_for_adoption",
         "po_not_placed", "long_term_fostering"], default="other_looked_after")
    return pd.Series(out, index=c.index)


# -- summaries --------------------------------------------------------------------------------

def _figures(n_in: int, kids: pd.DataFrame, plans_given: bool) -> dict:
    """Entrants, cohort and the drift counts and shares (% of the cohort) of ``kids``."""
    n = len(kids)

    def k(col: str) -> int:
        return int(kids[col].sum()) if n else 0

    nan = float("nan")
    ls = kids["ls_at_two_years"] if n else pd.Series(dtype="object")
    out = {
        "entrants": n_in, "cohort": n, "cohort_pct": share(n, n_in),
        "three_plus": k("three_plus_placements"),
        "no_plan": k("no_plan") if plans_given else None,
        "late_change": k("plan_changed_after_12_months") if plans_given else None,
        "by_second_review": k("plan_by_second_review") if plans_given else None,
        "ls_drift": k("c1_or_v2_at_two_years"),
        "c1": int(ls.eq("C1").sum()), "v2": int(ls.eq("V2").sum()),
        "drift": k("on_drift_list"),
    }
    for key in ("three_plus", "no_plan", "late_change", "by_second_review", "ls_drift",
                "drift"):
        out[f"{key}_pct"] = nan if out[key] is None else share(out[key], n)
    return out


def by_entry_year(periods: pd.DataFrame, header: pd.DataFrame, kids: pd.DataFrame,
                  params: Params, windows: pd.DataFrame | None = None,
                  plans_given: bool = True) -> pd.DataFrame:
    """One row per entry year (oldest first) and a last, pooled row (``entry_year`` is
    :data:`POOLED`): entrants, cohort, ``cohort_pct`` (% of entrants) and each drift count with
    its share of the cohort (``three_plus``, ``no_plan``, ``late_change``,
    ``by_second_review``, ``ls_drift`` = C1 or V2 at two years, of which ``c1`` and ``v2``,
    ``drift`` = on the drift list). The pooled row is computed over every year's entrants and
    cohort children together, not as a mean of the years (the plan counts None and their
    shares NaN when no permanence plans were given). ``kids`` is
    :func:`children_over_two_years` for the same ``windows``."""
    w = _windows(params, windows)
    ent = entrants(periods, header, params, w)
    year_of = kids["entry_year"] if len(kids) else pd.Series(dtype="object")
    rows = []
    for y in w.itertuples(index=False):
        rows.append({"entry_year": y.entry_year, "start": y.start, "end": y.end,
                     **_figures(int(ent["entry_year"].eq(y.entry_year).sum()),
                                kids[year_of.eq(y.entry_year).to_numpy(dtype=bool)],
                                plans_given)})
    rows.append({"entry_year": POOLED,
                 "start": w["start"].min() if len(w) else pd.NaT,
                 "end": w["end"].max() if len(w) else pd.NaT,
                 **_figures(len(ent), kids, plans_given)})
    return pd.DataFrame(rows)


def latest_cohort(kids: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """The latest entry year's cohort children (none when no year has a cohort)."""
    if not len(kids):
        return kids
    return kids[kids["entry_year"].eq(latest_year(windows))].reset_index(drop=True)


def headline(periods: pd.DataFrame, header: pd.DataFrame, kids: pd.DataFrame,
             params: Params, plans_given: bool = True,
             windows: pd.DataFrame | None = None) -> dict:
    """The latest cohort's headline counts (the latest entry year of ``windows``; the latest
    window when not given): entrants, cohort and the drift counts and shares of
    :func:`by_entry_year` (NaN for the plan measures when no permanence plans were given), with
    ``entry_year`` (None, and every count 0, when no entry year has a cohort)."""
    w = _windows(params, windows)
    year = latest_year(w)
    if year is None:
        return {"entry_year": None, **_figures(0, kids.iloc[:0], plans_given)}
    n_in = len(entrants(periods, header, params, w.iloc[[-1]]))
    return {"entry_year": year, **_figures(n_in, latest_cohort(kids, w), plans_given)}


def pooled(table: pd.DataFrame) -> dict:
    """The pooled row of :func:`by_entry_year` as a dict."""
    return table[table["entry_year"].eq(POOLED)].iloc[0].to_dict()


def record_metrics(section, h: dict, pooled_row: dict | None = None) -> None:
    """Section 4's metrics: the latest cohort's entrants, size and drift shares (% of the
    cohort, with the cohort as ``_n``); with ``pooled_row`` (:func:`pooled`), the pooled
    entrants, cohort and shares over every entry year."""
    section.metric("under5_entrants", h["entrants"])
    section.metric("under5_cohort_size", h["cohort"])
    section.metric("under5_cohort_3plus_moves", h["three_plus_pct"], n=h["cohort"])
    section.metric("under5_cohort_no_plan", h["no_plan_pct"], n=h["cohort"])
    section.metric("under5_cohort_plan_changed_after_12_months", h["late_change_pct"],
                   n=h["cohort"])
    section.metric("under5_cohort_c1_v2_at_two_years", h["ls_drift_pct"], n=h["cohort"])
    if pooled_row is not None:
        p = pooled_row
        section.metric("under5_pooled_entrants", p["entrants"])
        section.metric("under5_pooled_cohort_size", p["cohort"])
        section.metric("under5_pooled_3plus_moves", p["three_plus_pct"], n=p["cohort"])
        section.metric("under5_pooled_c1_v2_at_two_years", p["ls_drift_pct"], n=p["cohort"])


def headlines(periods: pd.DataFrame, header: pd.DataFrame, kids: pd.DataFrame,
              params: Params, windows: pd.DataFrame | None = None,
              plans_given: bool = True) -> list[Headline]:
    """Section 4's findings for the summary, over every entry year pooled (the latest year
    alone is often a handful of children; its figures are in ``detail``):

    - ``under5_three_plus_placements``: the pooled share of cohort children with 3 or more
      placements in their two years, against England's
      (``params.comparators.three_plus_placements_pct``), confirmed as that figure is: the
      default's is not confirmed against the published table, so the headline carries
      ``confirmed=False`` and is shown, never rated. Reach: the children over England's
      share (``headline.shortfall``), or all with 3+ placements when England's is unknown.
    - ``under5_c1_v2_at_two_years``: cohort children on an interim care order (C1) or
      accommodated under s20 (V2) on their anniversary, a count against the standard
      ``params.under_fives.legal_status_drift_children`` (default 0: none expected), rated by
      the one rule: red when any child is over a standard of 0, green when none is. Against
      a benchmark of 0 any child is wholly off (gap 1), so its impact is its reach, the
      children on C1 or V2; ``detail`` has ``c1`` and ``v2`` for an improvement rule.
    - ``under5_drift_list``: the children on the drift list; no benchmark, not rated.

    ``reach`` counts distinct children (a child in two entry years once) except for the
    share's shortfall; ``n`` is the pooled cohort; ``evidence`` the report's anchor of the
    table or list that shows it. ``kids`` is :func:`children_over_two_years` for the same
    ``windows``."""
    w = _windows(params, windows)
    table = by_entry_year(periods, header, kids, params, w, plans_given)
    p = pooled(table)
    years = list(table["entry_year"].iloc[:-1])
    latest = table.iloc[-2].to_dict() if years else {}

    def reach(col: str) -> int:
        return int(kids.loc[kids[col].astype(bool), "child"].nunique()) if len(kids) else 0

    def per_year(key: str) -> dict[str, int]:
        return {str(y): int(v) for y, v in zip(table["entry_year"].iloc[:-1],
                                               table[key].iloc[:-1], strict=True)}

    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else (years[0] if years else "")
    c = params.comparators.three_plus_placements_pct
    common = {"section": KEY, "n": int(p["cohort"]), "noun": "children"}
    standard = params.under_fives.legal_status_drift_children
    return [
        Headline(
            key="under5_three_plus_placements", **common,
            label=f"Under-fives still looked after two years on with {PLACEMENTS_FLAG} or more "
                  f"placements in that time (entered {span})",
            value=p["three_plus_pct"], unit="pct", statistic="share",
            benchmark=c.value if c.known else None,
            benchmark_label=f"England {c.period}" + (
                "" if c.confirmed else ", not confirmed against the published table"),
            benchmark_kind="england", better="lower", confirmed=c.confirmed,
            reach=(shortfall(int(p["three_plus"]), int(p["cohort"]), c.value, "lower")
                   if c.known else reach("three_plus_placements")),
            evidence=table_anchor(KEY, EVIDENCE["by_entry_year"]),
            detail={"within": int(p["three_plus"]), "entry_years": years,
                    "by_year": per_year("three_plus"),
                    "latest_year": latest.get("entry_year"),
                    "latest_pct": latest.get("three_plus_pct", float("nan")),
                    "latest_within": latest.get("three_plus", 0),
                    "latest_cohort": latest.get("cohort", 0)}),
        Headline(
            key="under5_c1_v2_at_two_years", **common,
            label="Under-fives still on an interim care order (C1) or accommodated under s20 "
                  f"(V2) two years after entering care (entered {span})",
            value=float(p["ls_drift"]), unit="count", statistic="count",
            benchmark=float(standard), benchmark_label=(
                "none expected: care proceedings are to finish within 26 weeks, and s20 is "
                "not for holding a young child's care for years" if standard == 0 else
                f"at most {standard} (the LA's standard)"),
            benchmark_kind="standard", better="lower", confirmed=True,
            reach=reach("c1_or_v2_at_two_years"), evidence=DRIFT_LIST_ANCHOR,
            detail={"c1": int(p["c1"]), "v2": int(p["v2"]), "pct": p["ls_drift_pct"],
                    "entry_years": years, "by_year": per_year("ls_drift"),
                    "latest_year": latest.get("entry_year"),
                    "latest": latest.get("ls_drift", 0)}),
        Headline(
            key="under5_drift_list", **common,
            label=f"Under-fives on the drift list (entered {span})",
            value=float(p["drift"]), unit="count", statistic="count",
            benchmark=None, benchmark_label="", benchmark_kind="", better="lower",
            reach=reach("on_drift_list"), evidence=DRIFT_LIST_ANCHOR,
            detail={"pct": p["drift_pct"], "entry_years": years, "by_year": per_year("drift"),
                    "by_reason": ({REASONS[k]: int(kids[k].sum()) for k in REASONS}
                                  if len(kids) else {REASONS[k]: 0 for k in REASONS})}),
    ]


def placements_distribution(kids: pd.DataFrame) -> pd.DataFrame:
    """Children by placements in the two years: 1, 2, 3, 4 or more."""
    bands = ["1", "2", "3", "4+"]
    b = kids["placements"].clip(lower=1, upper=4).astype(int).astype(str).replace("4", "4+")
    counts = b.value_counts().reindex(bands, fill_value=0)
    return pd.DataFrame({"placements": bands, "children": counts.to_numpy(),
                         "pct": [share(int(k), len(kids)) for k in counts]})


def legal_status_distribution(kids: pd.DataFrame) -> pd.DataFrame:
    counts = kids["ls_group"].value_counts().reindex(list(LEGAL_STATUSES), fill_value=0)
    return pd.DataFrame({"legal_status": list(LEGAL_STATUSES), "children": counts.to_numpy(),
                         "pct": [share(int(k), len(kids)) for k in counts]})


def position_distribution(kids: pd.DataFrame) -> pd.DataFrame:
    counts = kids["position"].value_counts().reindex(list(POSITIONS), fill_value=0)
    return pd.DataFrame({"position": list(POSITIONS), "children": counts.to_numpy(),
                         "pct": [share(int(k), len(kids)) for k in counts]})


def plan_flow(kids: pd.DataFrame) -> pd.DataFrame:
    """Children by first plan (rows) and plan at two years (columns)."""
    seen = set(kids["first_plan"]) | set(kids["plan_at_two_years"])
    order = [p for p in PLAN_LABELS if p in seen]
    return pd.crosstab(kids["first_plan"], kids["plan_at_two_years"]).reindex(
        index=[p for p in order if p in set(kids["first_plan"])],
        columns=[p for p in order if p in set(kids["plan_at_two_years"])], fill_value=0)


def drift_reasons(kids: pd.DataFrame) -> pd.DataFrame:
    """Children on the drift list by reason (a child may have several)."""
    return pd.DataFrame({"reason": [REASONS[k] for k in REASONS],
                         "children": [int(kids[k].sum()) for k in REASONS]})


def health_summary(kids: pd.DataFrame) -> pd.DataFrame:
    """Cohort children with a health need identified, by need, and with an OC2 health check."""
    rows = [{"measure": "any health need identified", "children": int((kids["health_needs"] > 0)
                                                                       .sum())}]
    # As text whatever the cohort (an empty one, or pandas before 3, has no string column),
    # and ties in the order first seen on any pandas (2's value_counts sort is not stable).
    needs = kids["health_need_list"].astype("string").str.split(", ").explode()
    counts = needs[needs.ne("").fillna(False)].value_counts(sort=False)
    for need, k in counts.sort_values(ascending=False, kind="stable").items():
        rows.append({"measure": str(need).replace("_", " "), "children": int(k)})
    hc = kids["health_check"]
    rows.append({"measure": "OC2 health check up to date", "children": int(hc.fillna(False)
                                                                          .sum())})
    rows.append({"measure": "no OC2 record in the two years", "children": int(hc.isna().sum())})
    out = pd.DataFrame(rows)
    out["pct"] = [share(k, len(kids)) for k in out["children"]]
    return out
