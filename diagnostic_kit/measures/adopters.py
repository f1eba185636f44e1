"""Section 5: the adopter's journey, from enquiry to a child placed.

One row per household (``adopters``: the kit's template, or Ofsted Annex A list 11 grouped by
family; ``inputs.annex_a``). A date after the reference date is treated as not yet happened.
Definitions (``docs/methodology.md``):

- **Funnel**: households whose enquiry falls in the reporting period, through :data:`STEPS`
  (enquiry → stage 1 (registration) → stage 2 → approval → match → placement → adoption order).
  A household counts at a step when it reached that step or a later one (a fast-track household,
  which skips stage 1, counts at stage 1 once it starts stage 2); conversion is a step's count ÷
  the previous step's. A household that left (``left_date``) left at the last step it reached,
  for its ``left_reason``.
- **Flow counts** (the metrics): enquiries, registrations (stage 1 starts) and approvals dated
  in the period.
- **Timeliness**, each over the households whose step ended in the period, against
  ``params.adopter_standards`` (a step is within its standard when it ends on or before the
  deadline: start + the standard, in working days, weeks or calendar months):
  registration of interest decided (ROI → stage 1 start, or stage 2 start for fast track;
  working days, England and Wales bank holidays excluded); stage 1 (start → end); stage 2
  (start → end); approval within 6 months of registration (stage 1 start → approval; fast-track
  households without a stage 1 start are left out, and counted); match within 3 and within 6
  months of approval (households matched in the period). A12 is the % of those matched who
  waited more than 3 months.
- **Waiting at the reference date**: approved, not matched, not left (A11), with days since
  approval; **in assessment** (A13): stage 1 or 2 started, not approved, not left.
- **Sufficiency**: approved households waiting against children with a placement order not
  yet placed (``journeys`` status ``po_not_placed``), by the child's age band now and sibling
  group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.derive.characteristics import age_band, age_in_years
from diagnostic_kit.derive.spans import span_days
from diagnostic_kit.derive.working_days import add_working_days, working_days_between
from diagnostic_kit.inputs.params import Params, TimeStandard
from diagnostic_kit.measures.cohorts import as_flag, in_period, share
from diagnostic_kit.measures.headline import Headline, shortfall
from diagnostic_kit.registry import table_anchor

#: The funnel's steps and the date that marks each.
STEPS = (
    ("enquiry", "enquiry_date"),
    ("registration", "stage1_start"),
    ("stage2", "stage2_start"),
    ("approval", "approval_date"),
    ("match", "match_date"),
    ("placement", "placement_date"),
    ("adoption_order", "ao_date"),
)
STEP_LABELS = {"enquiry": "Enquiry", "registration": "Stage 1 (registration)",
               "stage2": "Stage 2 (assessment)", "approval": "Approval", "match": "Match",
               "placement": "Child placed", "adoption_order": "Adoption order"}
LEFT_REASONS = {"withdrew": "withdrew", "on_hold": "on hold", "not_approved": "not approved "
                "(refused)", "approval_terminated": "approval ended", "other": "other",
                "not_given": "reason not given"}
DATES = [d for _, d in STEPS] + ["roi_date", "stage1_end", "stage2_end", "left_date"]

#: Timeliness steps: (key, standard key, start column, end column, label).
TIMELINESS = (
    ("roi_decision", "roi_decision", "roi_date", "roi_decided",
     "Registration of interest decided"),
    ("stage1", "stage1", "stage1_start", "stage1_end", "Stage 1 completed"),
    ("stage2", "stage2", "stage2_start", "stage2_end", "Stage 2 completed"),
    ("approval", "approval_from_registration", "stage1_start", "approval_date",
     "Approval from registration (stage 1 start)"),
    ("match_3", "match_from_approval", "approval_date", "match_date",
     "Match from approval"),
    ("match_6", "match_from_approval_long", "approval_date", "match_date",
     "Match from approval"),
)


def as_known(households: pd.DataFrame, params: Params) -> pd.DataFrame:
    """The households with every date after the reference date blanked (not yet happened),
    ``fast_track`` as a flag and ``roi_decided``: stage 1 start, or stage 2 start for a
    household with no stage 1."""
    h = households.copy()
    ref = pd.Timestamp(params.reference_date)
    for col in DATES:
        h[col] = pd.to_datetime(h[col]).where(lambda s: s <= ref)
    h["fast_track"] = as_flag(h["fast_track"]) if "fast_track" in h else False
    h["roi_decided"] = h["stage1_start"].fillna(h["stage2_start"].where(h["stage1_start"].isna()))
    return h


def deadline(start: pd.Series, std: TimeStandard) -> pd.Series:
    """The last day a step started on ``start`` meets the standard."""
    if std.unit == "working_days":
        return add_working_days(start, std.value)
    if std.unit == "months":
        return start + pd.DateOffset(months=std.value)
    days = std.value * (7 if std.unit == "weeks" else 1)
    return start + pd.Timedelta(days=days)


def elapsed(start: pd.Series, end: pd.Series, std: TimeStandard) -> pd.Series:
    """Days from start to end: working days for a working-day standard, else calendar days."""
    if std.unit == "working_days":
        return working_days_between(start, end)
    return (end - start).dt.days.astype("float64")


def funnel(h: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Households whose enquiry is in the period, by the furthest step reached: ``step``,
    ``households``, ``conversion_pct`` (of the previous step), ``of_enquiries_pct``, ``left``
    (households that left at that step)."""
    cohort = h[in_period(h["enquiry_date"], params)]
    reached = reached_step(cohort)
    n0 = len(cohort)
    rows, prev = [], None
    for k, (step, _) in enumerate(STEPS):
        n = int((reached >= k).sum())
        left = int(((reached == k) & cohort["left_date"].notna()).sum())
        rows.append({"step": step, "households": n,
                     "conversion_pct": share(n, prev) if prev is not None else np.nan,
                     "of_enquiries_pct": share(n, n0), "left": left})
        prev = n
    return pd.DataFrame(rows)


def reached_step(h: pd.DataFrame) -> pd.Series:
    """Index in :data:`STEPS` of the furthest step each household reached (-1: none)."""
    got = np.column_stack([h[d].notna().to_numpy() for _, d in STEPS]) if len(h) else \
        np.zeros((0, len(STEPS)), dtype=bool)
    # The furthest step with a date: later steps imply the earlier ones.
    idx = np.where(got.any(axis=1), len(STEPS) - 1 - np.argmax(got[:, ::-1], axis=1), -1)
    return pd.Series(idx, index=h.index)


def leavers(h: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Households of the funnel that left, by the step they left at and why."""
    cohort = h[in_period(h["enquiry_date"], params)]
    left = cohort[cohort["left_date"].notna()]
    if left.empty:
        return pd.DataFrame(columns=["step", "reason", "households"])
    step = reached_step(left).map(lambda k: STEPS[k][0] if k >= 0 else "enquiry")
    reason = left["left_reason"].astype("string").fillna("not_given")
    out = (pd.DataFrame({"step": step, "reason": reason}).value_counts().rename("households")
           .reset_index())
    order = {s: i for i, (s, _) in enumerate(STEPS)}
    return out.sort_values(["step", "households"], key=lambda s: s.map(order) if s.name ==
                           "step" else -s, kind="stable", ignore_index=True)


def timeliness(h: pd.DataFrame, params: Params) -> pd.DataFrame:
    """One row per timeliness measure (:data:`TIMELINESS`): households measured (the step ended
    in the period with both dates), median days (working days for a working-day standard),
    within the standard (number and %), and households left out: for a missing start date
    (``left_out``) or for dates out of order, the step ending before it started
    (``left_out_order``)."""
    rows = []
    for key, std_key, start, end, label in TIMELINESS:
        std = params.adopter_standards[std_key]
        done = h[in_period(h[end], params)]
        out_of_order = span_days(done[start], done[end], start, end).negative
        measured = done[done[start].notna() & ~out_of_order]
        within = measured[end] <= deadline(measured[start], std)
        days = elapsed(measured[start], measured[end], std)
        rows.append({
            "measure": key, "label": label, "standard": std.label, "unit": std.unit,
            "basis": std.basis, "households": len(measured),
            "median_days": float(days.median()) if len(days) else np.nan,
            "within": int(within.sum()), "within_pct": share(int(within.sum()), len(measured)),
            "left_out": int(done[start].isna().sum()),
            "left_out_order": int(out_of_order.sum()),
            "left_out_fast_track": int((done[start].isna() & done["fast_track"]).sum()),
        })
    return pd.DataFrame(rows)


def waiting(h: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Approved households waiting to be matched at the reference date, with
    ``days_waiting`` since approval (A11)."""
    ref = pd.Timestamp(params.reference_date)
    w = h[h["approval_date"].notna() & h["match_date"].isna() & h["left_date"].isna()].copy()
    w["days_waiting"] = (ref - w["approval_date"]).dt.days.astype("float64")
    return w.sort_values("days_waiting", ascending=False)


def in_assessment(h: pd.DataFrame) -> pd.DataFrame:
    """Households in stage 1 or 2 at the reference date, not approved and not left (A13)."""
    a = h[(h["stage1_start"].notna() | h["stage2_start"].notna()) & h["approval_date"].isna()
          & h["left_date"].isna()].copy()
    a["stage"] = np.where(a["stage2_start"].notna(), "stage 2", "stage 1")
    return a


def flows(h: pd.DataFrame, params: Params) -> dict[str, int]:
    """Enquiries, registrations (stage 1 starts) and approvals dated in the period."""
    return {"enquiries": int(in_period(h["enquiry_date"], params).sum()),
            "registrations": int(in_period(h["stage1_start"], params).sum()),
            "approved": int(in_period(h["approval_date"], params).sum())}


def headline(h: pd.DataFrame, params: Params) -> dict:
    """Every headline figure of the section (the metrics and A12, A13)."""
    f = flows(h, params)
    t = timeliness(h, params).set_index("measure")
    w = waiting(h, params)
    m3 = t.loc["match_3"]
    a12 = m3["households"] - m3["within"]
    return {
        **f,
        "approval_6m_pct": t.loc["approval", "within_pct"],
        "approval_6m_n": int(t.loc["approval", "households"]),
        "approval_6m_within": int(t.loc["approval", "within"]),
        "match_3m_within": int(m3["within"]), "match_6m_within": int(t.loc["match_6", "within"]),
        "approval_left_out_fast_track": int(t.loc["approval", "left_out_fast_track"]),
        "approval_left_out": int(t.loc["approval", "left_out"]),
        "match_3m_pct": m3["within_pct"], "match_n": int(m3["households"]),
        "match_6m_pct": t.loc["match_6", "within_pct"],
        "a12": int(a12), "a12_pct": share(int(a12), int(m3["households"])),
        "waiting": len(w), "waiting_median_days": float(w["days_waiting"].median())
        if len(w) else np.nan,
        "waiting_longest_days": float(w["days_waiting"].max()) if len(w) else np.nan,
        "in_assessment": len(in_assessment(h)),
    }


def record_metrics(section, hd: dict) -> None:
    """Section 5's metrics, each % with the households it rests on as ``_n``."""
    section.metric("adopter_enquiries", hd["enquiries"])
    section.metric("adopter_registrations", hd["registrations"])
    section.metric("adopters_approved", hd["approved"])
    section.metric("adopter_approval_within_6_months_pct", hd["approval_6m_pct"],
                   n=hd["approval_6m_n"])
    section.metric("adopter_match_within_3_months_pct", hd["match_3m_pct"], n=hd["match_n"])
    section.metric("adopter_match_within_6_months_pct", hd["match_6m_pct"], n=hd["match_n"])
    section.metric("approved_adopters_waiting", hd["waiting"])
    section.metric("approved_adopters_waiting_median_days", hd["waiting_median_days"],
                   n=hd["waiting"])


WAIT_AGE_BANDS = ("under 1", "1-4", "5-9", "10-15", "16+")


def sufficiency(h: pd.DataFrame, journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children with a placement order waiting (not placed) at the reference date by age band
    now and sibling group, beside the approved households waiting (in total, couples and
    single adopters, and approved for fostering for adoption)."""
    ref = pd.Timestamp(params.reference_date)
    kids = journeys[journeys["status"].eq("po_not_placed")]
    if "dob" in kids:
        age_now = age_in_years(pd.Series(ref, index=kids.index), kids["dob"], digits=None)
    else:
        age_now = pd.Series(np.nan, index=kids.index)
    band = age_band(age_now)
    rows = [{"group": "Children with a placement order waiting", "kind": "children",
             "count": int(kids["child"].nunique())}]
    for b in (*WAIT_AGE_BANDS, "not known"):
        k = int(kids.loc[band.eq(b), "child"].nunique())
        if k or b != "not known":
            rows.append({"group": f"  aged {b}", "kind": "children", "count": k})
    sib = kids["sibling_group"].fillna(False).astype(bool) if "sibling_group" in kids else \
        pd.Series(False, index=kids.index)
    rows.append({"group": "  in a sibling group", "kind": "children",
                 "count": int(kids.loc[sib, "child"].nunique())})
    w = waiting(h, params)
    rows.append({"group": "Approved households waiting to be matched", "kind": "households",
                 "count": len(w)})
    ht = w["household_type"].astype("string") if "household_type" in w else pd.Series(dtype=str)
    rows.append({"group": "  couples", "kind": "households", "count": int(ht.eq("couple").sum())})
    rows.append({"group": "  single adopters", "kind": "households",
                 "count": int(ht.eq("single").sum())})
    ffa = as_flag(w["ffa_approved"]) if "ffa_approved" in w else pd.Series(False, index=w.index)
    rows.append({"group": "  approved for fostering for adoption", "kind": "households",
                 "count": int(ffa.sum())})
    return pd.DataFrame(rows)


# -- findings for the summary -----------------------------------------------------------------

KEY = "05_adopters"
EVIDENCE = {
    "timeliness": "Adopter timescales against the standards",
    "waiting": "Approved households waiting to be matched at the reference date (A11)",
    "sufficiency": "Children with a placement order waiting and approved households waiting",
}


def six_months_in_days(params: Params) -> int:
    """The match-within-6-months standard as days at the reference date (the calendar months
    before it: 182, 183 or 184 days), to set against days waited."""
    std = params.adopter_standards.match_from_approval_long
    ref = pd.Timestamp(params.reference_date)
    months = std.value if std.unit == "months" else 6
    return int((ref - (ref - pd.DateOffset(months=months))).days)


def headlines(h: pd.DataFrame, journeys: pd.DataFrame, params: Params) -> list[Headline]:
    """Section 5's findings for the summary (``measures.headline``), from the households as
    known at the reference date (``as_known``):

    - approval within 6 months of registration: the share of households approved in the period
      (with a stage 1 start) against the local target ``params.targets
      .adopter_approval_within_6_months_pct``; reach, the shortfall in households;
    - approved households waiting to be matched: the median days waited since approval against
      the match-within-6-months standard (in days at the reference date); reach, the households
      waiting longer. ``detail`` has the children with a placement order waiting, and those
      of them in sibling groups, for the sufficiency rule.
    """
    hd = headline(h, params)
    target = params.targets.adopter_approval_within_6_months_pct
    n, k = hd["approval_6m_n"], hd["approval_6m_within"]
    out = [Headline(
        key="adopter_approval_within_6_months", section=KEY,
        label="approval within 6 months of registration", value=hd["approval_6m_pct"],
        unit="pct", n=n, statistic="share", noun="households", benchmark=target.value,
        benchmark_label=f"a local target of {target.label}", benchmark_kind="target",
        better=target.better, reach=shortfall(k, n, target.value, target.better),
        evidence=table_anchor(KEY, EVIDENCE["timeliness"]), detail={"k": k})]
    w = waiting(h, params)
    limit = six_months_in_days(params)
    kids = journeys.loc[journeys["status"].eq("po_not_placed")]
    sib = as_flag(kids["sibling_group"]) if "sibling_group" in kids else pd.Series(
        False, index=kids.index)
    out.append(Headline(
        key="approved_adopters_waiting", section=KEY,
        label="approved households waiting to be matched", value=hd["waiting_median_days"],
        unit="days", n=len(w), statistic="median", noun="households", benchmark=limit,
        benchmark_label=f"the {params.adopter_standards.match_from_approval_long.adjective} "
        "standard for a match after approval", benchmark_kind="standard",
        reach=int(w["days_waiting"].gt(limit).sum()),
        evidence=table_anchor(KEY, EVIDENCE["waiting"]),
        detail={"over_year": int(w["days_waiting"].gt(365).sum()),
                "children_po_waiting": int(kids["child"].nunique()),
                "children_po_waiting_siblings": int(kids.loc[sib, "child"].nunique()),
                "sufficiency": table_anchor(KEY, EVIDENCE["sufficiency"])}))
    return out
