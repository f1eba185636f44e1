"""Section 4: children who entered care under five and were still looked after two years later.

Definitions (``docs/methodology.md``):

- **Cohort window**: the 12 months ending ``params.under_fives.years_looked_after`` (2) years
  before the reference date (reference 31/03/2026: 01/04/2023 to 31/03/2024, both ends
  included), so that every child in it has reached the anniversary.
- **Under-five entrants**: children with a period of care (not only short breaks, V3/V4) whose
  care entry (RNE S) falls in the window when they were under five (entry before their fifth
  birthday: a child entering care on their fifth birthday is not under five). Counted once each.
- **Cohort**: entrants still looked after on the second anniversary of that entry: the period of
  care had not ended by then (an episode ceasing on the anniversary itself ends it). A child
  whose period ended and who came back into care is followed in the new period, from its own
  entry, if that entry is also in the window under five.
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
- **Drift list**: cohort children with 3 or more placements, with no permanence plan by the
  anniversary, or whose plan changed after 12 months in care (a change dated more than 12
  calendar months after entry), each with the reasons it is on the list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.derive import events as ev
from diagnostic_kit.derive.working_days import add_working_days
from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures.cohorts import share

UNDER_AGE = 5
#: Drift: this many placements or more in the two years.
PLACEMENTS_FLAG = 3
#: Drift: a change of plan more than this many months after care entry.
LATE_CHANGE_MONTHS = 12
#: The first review is due within 20 working days of care entry, the second 3 months later.
FIRST_REVIEW_WORKING_DAYS = 20
SECOND_REVIEW_MONTHS = 3

LEGAL_STATUSES = ("C1", "C2", "E1", "V2", "other")
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
}


def cohort_window(params: Params) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The entry window: the 12 months ending ``years_looked_after`` years before the
    reference date, both ends included."""
    end = pd.Timestamp(params.reference_date) - pd.DateOffset(years=params.under_fives
                                                               .years_looked_after)
    return end - pd.DateOffset(years=1) + pd.Timedelta(days=1), end


def entry_periods(periods: pd.DataFrame, header: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Periods of care entered under five in the window, with ``anniversary`` and
    ``in_cohort`` (still looked after on it)."""
    start, end = cohort_window(params)
    years = params.under_fives.years_looked_after
    dob = header.drop_duplicates("CHILD", keep="last").set_index("CHILD")["DOB"]
    p = periods.copy()
    p["dob"] = dob.reindex(p["child"]).to_numpy()
    entry = p["care_entry"]
    under = entry < p["dob"] + pd.DateOffset(years=UNDER_AGE)
    short = p.get("short_breaks_only", pd.Series(False, index=p.index)).fillna(False)
    keep = entry.between(start, end) & under.fillna(False) & ~short.astype(bool)
    p = p[keep.fillna(False).astype(bool)].copy()
    p["anniversary"] = p["care_entry"] + pd.DateOffset(years=years)
    p["in_cohort"] = (p["period_end"].isna() | (p["period_end"] > p["anniversary"])).astype(bool)
    p["age_at_entry"] = ((p["care_entry"] - p["dob"]).dt.days / 365.25).round(2)
    return p.sort_values(["child", "care_entry"]).reset_index(drop=True)


def entrants(periods: pd.DataFrame, header: pd.DataFrame, params: Params) -> pd.DataFrame:
    """One row per under-five entrant child (their first entry in the window)."""
    return entry_periods(periods, header, params).drop_duplicates("child").reset_index(drop=True)


def cohort(periods: pd.DataFrame, header: pd.DataFrame, params: Params) -> pd.DataFrame:
    """One row per cohort child: the first period entered under five in the window that was
    still going on its second anniversary."""
    p = entry_periods(periods, header, params)
    return p[p["in_cohort"]].drop_duplicates("child").reset_index(drop=True)


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
) -> pd.DataFrame:
    """One row per cohort child with every per-child measure of the section (see the module
    docstring): ``placements``, ``moves``, ``same_carer_moves``, ``ls_at_two_years``,
    ``ls_group``, ``first_plan``, ``first_plan_date``, ``days_to_first_plan``,
    ``plan_at_two_years``, ``plan_changes``, ``plan_path``, ``plan_changed_after_12_months``,
    ``second_review``, ``plan_by_second_review``, ``health_needs``, ``health_need_list``,
    ``health_check``, ``position``, the three drift flags and ``reasons``."""
    c = cohort(periods, header, params)
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

    hn = health_needs[health_needs["child"].isin(c["child"])]
    hn = hn.merge(c[["child", "anniversary"]], on="child")
    hn = hn[hn["date_identified"] <= hn["anniversary"]]
    c["health_needs"] = c["child"].map(hn.groupby("child").size()).fillna(0).astype(int)
    c["health_need_list"] = c["child"].map(hn.groupby("child")["need"].agg(
        lambda s: ", ".join(sorted(set(s.astype(str)))))).fillna("").astype("string")
    c["health_check"] = _oc2_health_check(oc2, c).to_numpy()
    c["position"] = position_now(c, ep, plans, params).to_numpy()

    c["three_plus_placements"] = c["placements"] >= PLACEMENTS_FLAG
    # Without any permanence plans supplied, "no plan" cannot be told from "not supplied".
    c["no_plan"] = c["first_plan"].eq("none") & (not plans.empty)
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
         now["LS"].isin(codes.LS_PLACEMENT_ORDER).fillna(False).to_numpy(dtype=bool),
         latest_plan.eq("long_term_fostering").fillna(False).to_numpy(dtype=bool)],
        ["adopted", "special_guardianship", "left_care_other", "placed_for_adoption",
         "po_not_placed", "long_term_fostering"], default="other_looked_after")
    return pd.Series(out, index=c.index)


# -- summaries --------------------------------------------------------------------------------

def headline(periods: pd.DataFrame, header: pd.DataFrame, kids: pd.DataFrame,
             params: Params, plans_given: bool = True) -> dict:
    """The section's headline counts: entrants, cohort and the three drift shares (NaN for the
    plan measures when no permanence plans were given)."""
    n_in = len(entrants(periods, header, params))
    n = len(kids)
    k3 = int(kids["three_plus_placements"].sum()) if n else 0
    kp = int(kids["no_plan"].sum()) if n else 0
    kl = int(kids["plan_changed_after_12_months"].sum()) if n else 0
    kr = int(kids["plan_by_second_review"].sum()) if n else 0
    nan = float("nan")
    return {
        "entrants": n_in, "cohort": n, "cohort_pct": share(n, n_in),
        "three_plus": k3, "three_plus_pct": share(k3, n),
        "no_plan": kp if plans_given else None,
        "no_plan_pct": share(kp, n) if plans_given else nan,
        "late_change": kl if plans_given else None,
        "late_change_pct": share(kl, n) if plans_given else nan,
        "by_second_review": kr if plans_given else None,
        "by_second_review_pct": share(kr, n) if plans_given else nan,
        "drift": int(kids["on_drift_list"].sum()) if n else 0,
    }


def record_metrics(section, h: dict) -> None:
    """Section 4's metrics: entrants, cohort size and the three drift shares (% of the cohort,
    with the cohort as ``_n``)."""
    section.metric("under5_entrants", h["entrants"])
    section.metric("under5_cohort_size", h["cohort"])
    section.metric("under5_cohort_3plus_moves", h["three_plus_pct"], n=h["cohort"])
    section.metric("under5_cohort_no_plan", h["no_plan_pct"], n=h["cohort"])
    section.metric("under5_cohort_plan_changed_after_12_months", h["late_change_pct"],
                   n=h["cohort"])


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
