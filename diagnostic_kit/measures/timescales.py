"""Section 2: timescales of the child's adoption journey, drift and the scorecard measures.

Every figure here is read from the journey table (``derive.journeys``), where each span of days
is computed once (``derive.spans.span_days``): this module only selects children, averages and
compares with the standards and benchmarks in the params in force. Definitions
(``docs/methodology.md``):

- Stage statistics are over children adopted in the period (AO in the period), each stage over
  the children with both of its dates; a negative stage is excluded from that stage.
- Drift: a stage longer than its standard (``params.standards[stage].days``); "over" means
  strictly more days than the standard.
- A1: mean ``a1_days`` (care entry → adoptive placement) of children adopted in the period.
- A10: mean ``a10_days`` (care entry → moved in with the adoptive family: for foster-carer
  adoptions the day the child moved in with those carers).
- A2: mean ``a2_days`` (PO → match; a match before the PO counts 0; children with no PO, or not
  placed for adoption before the AO, are left out).
- A3: number and % of children adopted whose ``a1_days`` are fewer than the A3 threshold
  (``params.thresholds.a3_days``, 426 days by default).

Every measure's exclusions, with the reason, come from ``derive.journeys.measure_exclusions``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.derive import journeys
from diagnostic_kit.derive.journeys import STAGE_DATES, STAGES, financial_year, measure_exclusions
from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.params import Params, default_values
from diagnostic_kit.measures import change
from diagnostic_kit.measures.cohorts import (
    adopted,
    adopted_count,
    as_flag,
    by_year_with_total,
    in_period,
    share,
)
from diagnostic_kit.measures.headline import Headline, shortfall
from diagnostic_kit.measures.ratings import rate
from diagnostic_kit.registry import table_anchor

#: Which threshold and national figure each scorecard measure is set against. A10 replaced A1
#: from 2021-22 and has no threshold of its own: A1's applies.
SCORECARD_BENCHMARKS: dict[str, tuple[str | None, str | None]] = {
    "a1": ("a1_days", "a1_mean_days"),
    "a10": ("a1_days", "a10_mean_days"),
    "a2": ("a2_days", "a2_mean_days"),
    "a3": (None, None),
}
#: The journey column each scorecard measure reads.
SCORECARD_COLUMNS = {"a1": "a1_days", "a10": "a10_days", "a2": "a2_days"}
#: Open stages of children in the process, in journey order (``derive.journeys.OPEN_STAGES``).
OPEN_STAGES = tuple(stage for _, stage in reversed(journeys.OPEN_STAGES))


# -- stages -------------------------------------------------------------------------------

def stage_days(journeys: pd.DataFrame) -> pd.DataFrame:
    """Days per stage for each journey, one column per stage name (NaN: not measurable)."""
    return pd.DataFrame({s: journeys[f"stage_{s}"].astype("float64") for s in STAGES},
                        index=journeys.index)


def _stats(values: pd.Series, standard: int) -> dict[str, float]:
    v = values.dropna()
    n = len(v)
    over = int(v.gt(standard).sum())
    return {
        "children": n,
        "median": v.median() if n else np.nan,
        "mean": v.mean() if n else np.nan,
        "q25": v.quantile(0.25) if n else np.nan,
        "q75": v.quantile(0.75) if n else np.nan,
        "over_standard": over,
        "pct_over": share(over, n),
    }


def stage_statistics(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Per stage, over children adopted in the period: children measured, median, mean, 25th and
    75th percentiles (linear interpolation), children over the standard and their %.
    """
    days = stage_days(adopted(journeys, params))
    rows = []
    for stage in STAGES:
        std = params.standards[stage]
        rows.append({"stage": stage, "standard_days": std.days, "standard": std.label,
                     **_stats(days[stage], std.days)})
    return pd.DataFrame(rows)


def stage_trend(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Per financial year of the AO and stage: children measured, median days with its 95%
    bootstrap interval (``low``, ``high``: ``measures.change``), % over standard."""
    done = adopted(journeys, params)
    days = stage_days(done)
    days["year"] = financial_year(done["ao_date"])
    rows = []
    for year, grp in days.groupby("year", sort=True):
        for stage in STAGES:
            s = _stats(grp[stage], params.standard_days(stage))
            _, low, high = change.median_interval(grp[stage])
            rows.append({"year": year, "stage": stage, "children": s["children"],
                         "median": s["median"], "low": low, "high": high,
                         "pct_over": s["pct_over"]})
    return pd.DataFrame(rows, columns=["year", "stage", "children", "median", "low", "high",
                                       "pct_over"])


def stage_changes(journeys: pd.DataFrame, params: Params) -> dict[str, int]:
    """For each stage, whether its median changed clearly between the first and the last year
    of adoption orders with children measured (``measures.change.median_difference``): +1 a
    clear rise, -1 a clear fall, 0 no clear change."""
    done = adopted(journeys, params)
    days = stage_days(done)
    years = financial_year(done["ao_date"])
    out = {}
    for stage in STAGES:
        v = days[stage]
        seen = sorted(years.loc[v.notna()].dropna().unique())
        if len(seen) < 2:
            out[stage] = 0
            continue
        first, last = v.loc[years.eq(seen[0])], v.loc[years.eq(seen[-1])]
        out[stage] = change.direction(change.median_difference(first, last))
    return out


def stage_days_adopted(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Days per stage of each child adopted in the period, with the pseudonym (for charts)."""
    done = adopted(journeys, params)
    return pd.concat([done[["pseudonym"]], stage_days(done)], axis=1)


# -- where the days are lost ------------------------------------------------------------------

#: The two groups of children whose days over the standards are counted.
GROUPS = {"adopted": "Adopted in the period", "in_process": "In the process now"}


def stage_days_over(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Each child's days per stage against the stage's standard, one row per child and stage
    measured, for two groups: children adopted in the period (every stage with both dates) and
    children in the process at the reference date (each stage already completed by then, and
    the open stage's days so far).

    Columns ``group`` (``adopted`` / ``in_process``), ``year`` (financial year of the AO;
    blank in the process), ``period_id``, ``pseudonym``, ``stage``, ``days``, ``standard_days``,
    ``days_over`` (days − standard, 0 when within it), ``open`` (the stage is still running).
    """
    ref = pd.Timestamp(params.reference_date)
    frames = []
    done = adopted(journeys, params)
    cur = journeys.loc[as_flag(journeys["in_process"]) & ~journeys.index.isin(done.index)]
    for group, j in (("adopted", done), ("in_process", cur)):
        for stage in STAGES:
            days = j[f"stage_{stage}"].astype("float64")
            is_open = pd.Series(False, index=j.index)
            if group == "in_process":
                ended = pd.to_datetime(j[STAGE_DATES[stage][1]]).le(ref)
                days = days.where(ended)
                is_open = j["current_stage"].astype("string").eq(stage).fillna(False)
                days = days.mask(is_open, j["current_stage_days"].astype("float64"))
            keep = days.notna()
            std = params.standard_days(stage)
            frames.append(pd.DataFrame({
                "group": group,
                "year": financial_year(j["ao_date"]) if group == "adopted"
                else pd.Series(pd.NA, index=j.index, dtype="string"),
                "period_id": j["period_id"],
                "pseudonym": j["pseudonym"], "stage": stage, "days": days,
                "standard_days": std, "days_over": (days - std).clip(lower=0),
                "open": is_open.astype(bool)}).loc[keep])
    cols = ["group", "year", "period_id", "pseudonym", "stage", "days", "standard_days",
            "days_over", "open"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    return out.reindex(columns=cols)


def days_lost(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Where the days are lost: per stage, for children adopted in the period and children in
    the process now, the children measured, the children over the standard and the child-days
    over it (the sum of each child's days beyond the standard); then both together, each
    stage's share of all child-days over, and its rank (1: the stage that costs the most days).
    Rows in rank order (ties in journey order).

    ``weight`` is the sum over children of their days over as a share of the standard (each
    capped at 1): a stage's impact in the summary (``measures.headline``).
    """
    d = stage_days_over(journeys, params)
    rows = []
    for stage in STAGES:
        row: dict = {"stage": stage, "standard_days": params.standard_days(stage)}
        for group in GROUPS:
            g = d.loc[d["group"].eq(group) & d["stage"].eq(stage)]
            row[f"{group}_children"] = len(g)
            row[f"{group}_over"] = int(g["days_over"].gt(0).sum())
            row[f"{group}_days_over"] = float(g["days_over"].sum())
        g = d.loc[d["stage"].eq(stage)]
        row["children"] = len(g)
        row["over"] = int(g["days_over"].gt(0).sum())
        row["days_over"] = float(g["days_over"].sum())
        row["weight"] = float((g["days_over"] / row["standard_days"]).clip(upper=1).sum())
        rows.append(row)
    out = pd.DataFrame(rows)
    total = out["days_over"].sum()
    out["share"] = 100 * out["days_over"] / total if total else np.nan
    order = {s: i for i, s in enumerate(STAGES)}
    out = out.assign(_o=out["stage"].map(order)).sort_values(
        ["days_over", "_o"], ascending=[False, True], kind="stable").drop(columns="_o")
    out["rank"] = range(1, len(out) + 1)
    return out.reset_index(drop=True)


def days_lost_by_year(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Child-days over each stage's standard (and children over it) by financial year of the
    AO for children adopted in the period, then for children in the process now: ``year``,
    ``stage``, ``children``, ``over``, ``days_over``."""
    d = stage_days_over(journeys, params)
    d = d.assign(year=d["year"].astype("string").fillna(GROUPS["in_process"]))
    g = d.groupby(["year", "stage"], sort=False).agg(
        children=("days", "size"), over=("days_over", lambda v: int(v.gt(0).sum())),
        days_over=("days_over", "sum")).reset_index()
    order = {s: i for i, s in enumerate(STAGES)}
    g["_y"] = g["year"].eq(GROUPS["in_process"])
    g = g.assign(_o=g["stage"].map(order)).sort_values(["_y", "year", "_o"]).drop(
        columns=["_o", "_y"])
    return g.reset_index(drop=True)


def standards_against_a1(params: Params) -> dict[str, int]:
    """The stage standards up to the adoptive placement added up, beside the A1 threshold:
    ``to_placement`` (the four stages from care entry to the adoptive placement), ``to_order``
    (all five), ``a1`` (the threshold) and ``difference`` (to_placement − a1)."""
    to_placement = sum(params.standard_days(s) for s in STAGES[:4])
    a1 = int(params.thresholds.a1_days.value)
    return {"to_placement": to_placement,
            "to_order": to_placement + params.standard_days(STAGES[4]),
            "a1": a1, "difference": to_placement - a1}


# -- scorecard ----------------------------------------------------------------------------

def scorecard_days(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """A1, A10, A2 days and A3's "within threshold" (1.0 / 0.0, NaN where A1 is) per journey."""
    out = pd.DataFrame({m: journeys[c].astype("float64") for m, c in SCORECARD_COLUMNS.items()},
                       index=journeys.index)
    threshold = params.thresholds.a3_days.value
    out["a3"] = out["a1"].lt(threshold).astype("float64").where(out["a1"].notna())
    return out


def scorecard(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """A1, A10, A2 (mean days) and A3 (% within the A3 threshold) for the whole period and per
    financial year of the AO, each with its count, threshold, national figure and its period,
    and rating.

    ``children`` is the number of children the measure rests on; for A3 ``children_within`` is
    the number who moved in within the threshold. A3 has no target, so it is not rated.
    ``sd`` is the standard deviation of the days (A1, A10, A2); ``low`` and ``high`` the 95%
    interval of the figure (``measures.change``: t for a mean, Wilson for A3's share).
    """
    done = adopted(journeys, params)
    sc = scorecard_days(done, params)
    years = financial_year(done["ao_date"])
    groups = [("Whole period", sc)] + [(y, sc.loc[years.eq(y)])
                                        for y in sorted(years.dropna().unique())]
    rows = []
    for measure in ("a1", "a10", "a2", "a3"):
        thr_key, comp_key = SCORECARD_BENCHMARKS[measure]
        thr = params.thresholds[thr_key].value if thr_key else None
        comp = params.comparators[comp_key] if comp_key else None
        for period, grp in groups:
            v = grp[measure].dropna()
            n = len(v)
            if measure == "a3":
                value, low, high = change.share_interval(int(v.sum()), n)
            else:
                value, low, high = change.mean_interval(v)
            rows.append({
                "measure": measure.upper(),
                "year": period,
                "children": n,
                "value": value,
                "sd": v.std(ddof=1) if measure != "a3" and n > 1 else np.nan,
                "low": low,
                "high": high,
                "children_within": int(v.sum()) if measure == "a3" else pd.NA,
                "threshold": thr if thr is not None else np.nan,
                "england": comp.value if comp is not None and comp.known else np.nan,
                "england_period": comp.period if comp is not None and comp.known else "–",
                "rating": rate(f"{measure}_mean_days", value, thr),
            })
    out = pd.DataFrame(rows)
    out["children_within"] = out["children_within"].astype("Int64")
    return out


def exclusions(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Every child adopted in the period left out of a stage or scorecard measure, with why.

    Columns ``measure, child, pseudonym, period_id, reason, rule``. ``child`` is for the
    data-quality key only: render ``pseudonym``.
    """
    return measure_exclusions(adopted(journeys, params))


#: The stage and scorecard measures whose coverage is reported: the measure's id in
#: ``derive.journeys.measure_exclusions`` → its metric in ``metrics.json``.
COVERAGE_METRICS: dict[str, str] = {
    "a1": "a1_mean_days", "a10": "a10_mean_days", "a2": "a2_mean_days",
    "a3": "a3_pct_under_426_days", **{f"stage_{s}": f"stage_{s}_median_days" for s in STAGES},
}
#: A measure that counts fewer than this share of the children it could count is flagged.
THIN_COVERAGE = 0.5


def coverage(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """How many children each stage and scorecard measure counts, of the children it could
    have counted (the children adopted in the period), and why each of the rest is left out.

    One row per measure of :data:`COVERAGE_METRICS`, in that order: ``measure``, ``metric``,
    ``eligible`` (journeys adopted in the period), ``measured``, ``left_out`` (eligible −
    measured), ``reasons`` (a list of (reason, children), most first; ties by reason) and
    ``thin`` (measured < :data:`THIN_COVERAGE` × eligible: the figure rests on under half of
    its children). The reasons are ``derive.journeys.measure_exclusions``'.
    """
    done = adopted(journeys, params)
    excluded = measure_exclusions(done)
    days = pd.concat([scorecard_days(done, params), stage_days(done).add_prefix("stage_")],
                     axis=1)
    rows = []
    for m, metric in COVERAGE_METRICS.items():
        counts = excluded.loc[excluded["measure"].eq(m), "reason"].value_counts()
        reasons = sorted(((str(r), int(k)) for r, k in counts.items()),
                         key=lambda rk: (-rk[1], rk[0]))
        eligible, measured = len(done), int(days[m].notna().sum())
        rows.append({"measure": m, "metric": metric, "eligible": eligible, "measured": measured,
                     "left_out": eligible - measured, "reasons": reasons,
                     "thin": bool(eligible and measured < THIN_COVERAGE * eligible)})
    return pd.DataFrame(rows, columns=["measure", "metric", "eligible", "measured", "left_out",
                                       "reasons", "thin"])


def exclusion_summary(excluded: pd.DataFrame) -> pd.DataFrame:
    """Children left out per measure and reason."""
    return (excluded.groupby(["measure", "reason"], sort=True).size()
            .rename("children").reset_index())


# -- other measures ------------------------------------------------------------------------

def early_permanence(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children adopted per financial year of the AO; how many were adopted by their foster
    carers (the journey's ``foster_carer``: AD1 FOSTER_CARE = 1 or PLACE A3/A5) and how many had
    an early-permanence placement (fostering for adoption or concurrent planning: PLACE U2/U5
    before the adoptive placement, or the local date).
    """
    done = adopted(journeys, params)
    flags = pd.DataFrame({"fc": as_flag(done["foster_carer"]),
                          "ep": as_flag(done["early_permanence"])})

    def agg(f: pd.DataFrame) -> dict:
        n, fc, ep = len(f), int(f["fc"].sum()), int(f["ep"].sum())
        return {"adopted": n, "foster_carer": fc, "pct_foster_carer": share(fc, n),
                "early_permanence": ep, "pct_early_permanence": share(ep, n)}

    return by_year_with_total(flags, financial_year(done["ao_date"]), agg)


def reversals(placed_for_adoption: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Decisions that a child should be placed for adoption reversed in the period, by reason
    RD1–RD4: every decision (child and DATE_PLACED) whose DATE_PLACED_CEASED falls in the
    period, once however many returns report it (``measures.waiting.reversed_decisions``), so
    a child whose decision was reversed twice in it counts twice (``decisions``), and a
    reversed decision followed by a later one counts once."""
    from diagnostic_kit.measures.waiting import reversed_decisions

    rev = reversed_decisions(placed_for_adoption, params)
    counts = rev["reason"].value_counts()
    order = [*codes.REASON_PLACED_CEASED, "not recorded"]
    rows = [{"reason": code, "meaning": codes.REASON_PLACED_CEASED.get(code, "reason not "
                                                                        "recorded"),
             "decisions": int(counts.get(code, 0))} for code in order]
    rows += [{"reason": code, "meaning": "code not recognised", "decisions": int(k)}
             for code, k in counts.items() if code not in order]
    out = pd.DataFrame(rows)
    out = out.loc[out["reason"].ne("not recorded") | out["decisions"].gt(0)]
    out["pct"] = 100 * out["decisions"] / out["decisions"].sum() if len(rev) else np.nan
    total = pd.DataFrame([{"reason": "Total", "meaning": "", "decisions": len(rev),
                           "pct": 100.0 if len(rev) else np.nan}])
    return pd.concat([out, total], ignore_index=True)


def leavers(periods: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children leaving care per financial year and how many left through adoption (REC
    E11/E12), with the %: counted as children, not periods of care (a child who left twice in a
    year counts once; in the whole period, once), from periods of care ending in the period.

    Periods made only of short breaks (V3/V4, ``short_breaks_only``) are left out, as DfE
    leaves them out of looked-after counts.
    """
    left = periods.loc[in_period(periods["period_end"], params)]
    if "short_breaks_only" in left:
        left = left.loc[~as_flag(left["short_breaks_only"])]
    left = left.assign(adopted=left["end_reason"].astype("string").str.upper()
                       .isin(codes.REC_ADOPTED).fillna(False).astype(bool))

    def agg(f: pd.DataFrame) -> dict:
        n, k = f["child"].nunique(), f.loc[f["adopted"], "child"].nunique()
        return {"left_care": n, "adopted": k, "pct_adopted": share(k, n)}

    return by_year_with_total(left, financial_year(left["period_end"]), agg)


# -- children in the process at the reference date ------------------------------------------

def in_process(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children in the process at the reference date (the journey's ``in_process``: ADM
    decision made, not adopted, decision not reversed), with their open stage and its days so
    far (``current_stage``, ``current_stage_days``). Columns ``pseudonym, stage, days_so_far,
    standard_days, days_over, days_since_entry, over_standard``.
    """
    j = journeys.loc[as_flag(journeys["in_process"]) & journeys["current_stage"].notna()]
    stage = j["current_stage"].astype("string")
    std = stage.map({s: params.standard_days(s) for s in STAGES}).astype("float64")
    so_far = j["current_stage_days"].astype("float64")
    out = pd.DataFrame({
        "pseudonym": j["pseudonym"],
        "stage": stage,
        "days_so_far": so_far,
        "standard_days": std,
        "days_over": so_far - std,
        "days_since_entry": j["days_since_entry"].astype("float64"),
    })
    out["over_standard"] = out["days_over"].gt(0)
    return out


def drift_now(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children in the process whose open stage has run longer than its standard, longest over
    first (pseudonyms only)."""
    cur = in_process(journeys, params)
    cols = ["pseudonym", "stage", "days_so_far", "standard_days", "days_over",
            "days_since_entry"]
    return (cur.loc[cur["over_standard"], cols]
            .sort_values(["days_over", "pseudonym"], ascending=[False, True])
            .reset_index(drop=True))


def in_process_summary(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Per open stage: children in it at the reference date, median days so far, and how many are
    over the standard."""
    cur = in_process(journeys, params)
    rows = []
    for stage in OPEN_STAGES:
        grp = cur.loc[cur["stage"].eq(stage)]
        n, over = len(grp), int(grp["over_standard"].sum())
        rows.append({"stage": stage, "children": n,
                     "median_days_so_far": grp["days_so_far"].median() if n else np.nan,
                     "standard_days": params.standard_days(stage), "over_standard": over,
                     "pct_over": share(over, n)})
    return pd.DataFrame(rows)


def po_waiting(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children with a placement order not yet placed at the reference date (``status``
    po_not_placed), with days since the PO and since care entry (the journey's), and whether
    they have waited 12+ / 18+ calendar months since the PO and 18+ months since care entry
    (ASGLB measures).
    """
    ref = pd.Timestamp(params.reference_date)
    j = journeys.loc[journeys["status"].eq("po_not_placed")]
    po = pd.to_datetime(j["po_date"])
    entry = pd.to_datetime(j["care_entry"])
    out = pd.DataFrame({
        "pseudonym": j["pseudonym"],
        "days_since_po": j["days_since_po"].astype("float64"),
        "days_since_entry": j["days_since_entry"].astype("float64"),
        "po_12m_plus": po.le(ref - pd.DateOffset(months=12)),
        "po_18m_plus": po.le(ref - pd.DateOffset(months=18)),
        "entry_18m_plus": entry.le(ref - pd.DateOffset(months=18)),
    })
    return out.sort_values(["days_since_po", "pseudonym"], ascending=[False, True]).reset_index(
        drop=True)


def po_waiting_counts(waiting: pd.DataFrame) -> dict[str, int]:
    """Counts from :func:`po_waiting`."""
    return {"waiting": len(waiting), "po_12m_plus": int(waiting["po_12m_plus"].sum()),
            "po_18m_plus": int(waiting["po_18m_plus"].sum()),
            "entry_18m_plus": int(waiting["entry_18m_plus"].sum())}


# -- standards ----------------------------------------------------------------------------

def standards_table(params: Params) -> pd.DataFrame:
    """Every standard in force (the five stages, then PO → match and care entry → moved in):
    its days, label, basis, and whether it is the kit's default or this LA's own."""
    defaults = default_values()["standards"]
    rows = []
    for key, std in params.standards.items():
        rows.append({"key": key, "days": std.days, "label": std.label, "basis": std.basis,
                     "is_default": std.days == int(defaults[key]["days"])})
    return pd.DataFrame(rows)


def record_metrics(section, journeys: pd.DataFrame, params: Params,
                   periods: pd.DataFrame | None = None) -> None:
    """Section 2's metrics: children_adopted, a1/a10/a2 mean days, a3 % within the threshold
    and each stage's median days, each with its count and the children adopted it left out
    (``<name>_left_out``, :func:`coverage`); then per stage the child-days over its
    standard and the children over it, adopted in the period and in the process now together
    (:func:`days_lost`), with the children measured in that stage as the count; the rest of
    the summary's headline rows of this section: care entry to adoption order (mean days,
    whole period), the children in the process over their stage's standard now, and (with
    ``periods``) the share of children leaving care who left through adoption (whole
    period, ``_n`` the children leaving)."""
    sc = scorecard(journeys, params)
    whole = sc.loc[sc["year"].eq("Whole period")].set_index("measure")
    section.metric("children_adopted", adopted_count(journeys, params))
    for m in ("a1", "a10", "a2"):
        r = whole.loc[m.upper()]
        section.metric(f"{m}_mean_days", r["value"], n=int(r["children"]))
    r = whole.loc["A3"]
    section.metric("a3_pct_under_426_days", r["value"], n=int(r["children"]))
    for _, r in stage_statistics(journeys, params).iterrows():
        section.metric(f"stage_{r['stage']}_median_days", r["median"], n=int(r["children"]))
    for r in coverage(journeys, params).itertuples():
        section.metric(f"{r.metric}_left_out", int(r.left_out))
    for _, r in days_lost(journeys, params).iterrows():
        section.metric(f"stage_{r['stage']}_days_over_standard", r["days_over"],
                       n=int(r["children"]))
        section.metric(f"stage_{r['stage']}_children_over_standard", int(r["over"]),
                       n=int(r["children"]))
    done = adopted(journeys, params)["entry_to_ao_days"].astype("float64").dropna()
    section.metric("entry_to_ao_mean_days", done.mean() if len(done) else None, n=len(done))
    section.metric("children_in_process_over_standard", len(drift_now(journeys, params)),
                   n=len(in_process(journeys, params)))
    if periods is not None:
        lv = leavers(periods, params).iloc[-1]
        section.metric("adopted_share_of_leavers_pct", lv["pct_adopted"],
                       n=int(lv["left_care"]))


# -- findings for the summary -----------------------------------------------------------------

KEY = "02_timescales"
#: The tables of section 2 that show each finding (their titles in the notebook).
EVIDENCE = {
    "scorecard": "Scorecard measures A1, A10, A2 and A3, whole period and by year",
    "stages": "Where the days are lost: child-days over each stage's standard",
    "early_permanence": "Adoptions by foster carers and early-permanence placements",
    "drift": "Children whose current stage is over its standard",
    "po_waiting": "Children with a placement order not yet placed",
}


def headlines(journeys: pd.DataFrame, params: Params) -> list[Headline]:
    """Section 2's findings for the summary (``measures.headline``):

    - A10, A1, A2: the whole period's mean days against the scorecard threshold; reach, the
      children adopted over it; ``detail`` has the median beside the mean.
    - A3: the share within the threshold (no published target: not rated).
    - Each of these (and each stage below) carries ``detail["coverage"]``: the children it
      could count, counted and left out with the reasons, and ``thin`` when it counts under
      half of them (:func:`coverage`), which the summary says.
    - Each stage: the median days of children adopted in the period against its standard;
      reach, the children adopted over it; ``weight``, the stage's days over the standards of
      children adopted and children in the process (:func:`days_lost`), so that the stage
      that costs the most days ranks first.
    - Early permanence: the share of children adopted who had an early-permanence placement,
      against the local target (``params.targets.early_permanence_pct``); reach, the shortfall
      in children.
    """
    out: list[Headline] = []
    done = adopted(journeys, params)
    cover = {r["measure"]: {k: r[k] for k in ("eligible", "measured", "left_out", "reasons",
                                                "thin")}
             for r in coverage(journeys, params).to_dict("records")}
    sc = scorecard(journeys, params)
    whole = sc.loc[sc["year"].eq("Whole period")].set_index("measure")
    days = scorecard_days(done, params)
    anchor = table_anchor(KEY, EVIDENCE["scorecard"])
    lost = days_lost(journeys, params).set_index("stage")
    worst = lost.index[0] if len(lost) and lost["days_over"].iloc[0] > 0 else None
    for m in ("a10", "a1", "a2"):
        r = whole.loc[m.upper()]
        thr_key = SCORECARD_BENCHMARKS[m][0]
        thr = params.thresholds[thr_key]
        v = days[m].dropna()
        out.append(Headline(
            key=m, section=KEY, label=m.upper(), value=r["value"], unit="days",
            n=int(r["children"]), statistic="mean", benchmark=thr.value,
            benchmark_label=f"the {nv_days(thr.value)} scorecard threshold ({thr.period})",
            benchmark_kind="threshold", confirmed=True, reach=int(v.gt(thr.value).sum()),
            evidence=anchor, detail={"median": v.median() if len(v) else np.nan,
                                     "worst_stage": worst, "coverage": cover[m]}))
    r = whole.loc["A3"]
    out.append(Headline(key="a3", section=KEY, label="A3", value=r["value"], unit="pct",
                        n=int(r["children"]), statistic="share", better="higher",
                        evidence=anchor,
                        detail={"within": int(r["children_within"] or 0),
                                "coverage": cover["a3"]}))
    stats = stage_statistics(journeys, params).set_index("stage")
    stage_anchor = table_anchor(KEY, EVIDENCE["stages"])
    for stage in STAGES:
        st, ls = stats.loc[stage], lost.loc[stage]
        std = params.standards[stage]
        out.append(Headline(
            key=f"stage_{stage}", section=KEY, label=stage, value=st["median"], unit="days",
            n=int(st["children"]), statistic="median", benchmark=std.days,
            benchmark_label=f"the {std.adjective} standard", benchmark_kind="standard",
            reach=int(st["over_standard"]), weight=float(ls["weight"]), evidence=stage_anchor,
            detail={"mean": st["mean"], "days_over": ls["days_over"], "over": int(ls["over"]),
                    "in_process_over": int(ls["in_process_over"]), "rank": int(ls["rank"]),
                    "share": ls["share"], "coverage": cover[f"stage_{stage}"]}))
    ep = early_permanence(journeys, params).iloc[-1]
    target = params.targets.early_permanence_pct
    n, k = int(ep["adopted"]), int(ep["early_permanence"])
    out.append(Headline(
        key="early_permanence", section=KEY, label="early permanence",
        value=ep["pct_early_permanence"], unit="pct", n=n, statistic="share", noun="children",
        benchmark=target.value, benchmark_label=f"a local target of {target.label} (kit "
        "default)" if _is_default_target(params, "early_permanence_pct") else
        f"this LA's target of {target.label}", benchmark_kind="target", better=target.better,
        reach=shortfall(k, n, target.value, target.better),
        evidence=table_anchor(KEY, EVIDENCE["early_permanence"]),
        detail={"k": k, "foster_carer": int(ep["foster_carer"])}))
    return out


def _is_default_target(params: Params, key: str) -> bool:
    """Whether a local target is the kit's default (the report then says so)."""
    return float(params.targets[key].value) == float(default_values()["targets"][key]["value"])


def nv_days(value: float) -> str:
    """Days as the benchmark label says them ("426-day")."""
    return f"{int(value):,}-day"
