"""Section 2: timescales of the child's adoption journey, drift and the scorecard measures.

Definitions (``shared/domain/measures.md``):

- Five stages, each measured only where both of its dates exist: care entry → IRO
  recommendation → ADM decision → placement order (PO) → adoptive placement → adoption order
  (AO). A negative stage (dates out of order) is excluded from that stage and reported, never
  clipped. Stage statistics are over children adopted in the reporting period (AO in the period).
- Drift: a stage longer than its standard (``params.standards[stage]["days"]``); "over" means
  strictly more days than the standard.
- A1: mean days from care entry to the adoptive placement date, children adopted in the period.
- A10: as A1, but for foster-carer adoptions the clock stops when the child moved in with those
  foster carers (``moved_in_date``).
- A2: mean days from PO to match; a match before the PO counts as 0 days; no PO → left out.
- A3: number and % of children adopted whose A1 days are fewer than 426.

Every measure returns the children it leaves out, with the reason (:func:`exclusions`), so the
data-quality section and the narrative can count them. Days are computed here from the journey
table's dates, not taken from its precomputed columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnostic_kit.derive.journeys import STAGE_DATES, STAGES, financial_year
from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.params import DEFAULTS_FILE, Params
from diagnostic_kit.present import narrative as nv

#: Stage names for readers (journeys.py holds the stage dates and order).
STAGE_LABELS: dict[str, str] = {
    "entry_to_iro": "Care entry to IRO recommendation",
    "iro_to_adm": "IRO recommendation to ADM decision",
    "adm_to_po": "ADM decision to placement order",
    "po_to_placement": "Placement order to adoptive placement",
    "placement_to_ao": "Adoptive placement to adoption order",
}
#: Short labels for charts.
STAGE_SHORT: dict[str, str] = {
    "entry_to_iro": "Entry → IRO",
    "iro_to_adm": "IRO → ADM",
    "adm_to_po": "ADM → PO",
    "po_to_placement": "PO → placement",
    "placement_to_ao": "Placement → AO",
}
DATE_LABELS: dict[str, str] = {
    "care_entry": "care entry",
    "iro_date": "IRO recommendation",
    "adm_date": "ADM decision",
    "po_date": "placement order",
    "placement_date": "adoptive placement",
    "match_date": "match",
    "moved_in_date": "moved-in",
    "ao_date": "adoption order",
    "a10_stop": "moved-in (A10)",
}
SCORECARD_LABELS: dict[str, str] = {
    "a1": "A1: care entry to moving in with the adoptive family (mean days)",
    "a10": "A10: as A1, clock stops when moving in with foster carers who adopt (mean days)",
    "a2": "A2: placement order to match (mean days)",
    "a3": "A3: children moving in within 14 months of care entry (%)",
}
#: Statuses of children in the process at the reference date (``journeys.status``).
IN_PROCESS = ("placed", "po_not_placed", "waiting")
#: Unit of each scorecard value.
_EXCLUSION_COLUMNS = ["measure", "child", "pseudonym", "period_id", "reason", "rule"]


# -- helpers ------------------------------------------------------------------------------

def as_flag(s: pd.Series) -> pd.Series:
    """A yes/no column as plain bool; blank counts as no. Accepts bool, 0/1 or yes/no text."""
    if pd.api.types.is_bool_dtype(s):
        return s.fillna(False).astype(bool)
    if pd.api.types.is_numeric_dtype(s):
        return s.fillna(0).astype(float).ne(0)
    text = s.astype("string").str.strip().str.lower()
    return text.isin(["1", "1.0", "true", "t", "yes", "y"]).fillna(False).astype(bool)


def _ts(date: dt.date) -> pd.Timestamp:
    return pd.Timestamp(date)


def in_period(dates: pd.Series, params: Params) -> pd.Series:
    """Dates within the reporting period, both ends included."""
    d = pd.to_datetime(dates)
    return d.ge(_ts(params.period_start)) & d.le(_ts(params.period_end))


def adopted(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Journeys whose adoption order falls in the reporting period ("children adopted")."""
    return journeys.loc[in_period(journeys["ao_date"], params)]


def foster_carer_adoption(journeys: pd.DataFrame) -> pd.Series:
    """Foster-carer adoption: ``foster_carer`` (AD1 FOSTER_CARE = 1), or PLACE A3/A5."""
    flag = as_flag(journeys["foster_carer"]) if "foster_carer" in journeys else pd.Series(
        False, index=journeys.index)
    if "placement_type" in journeys:
        place = journeys["placement_type"].astype("string").str.upper()
        flag = flag | place.isin(codes.PLACE_ADOPTION_WITH_FOSTER_CARER).fillna(False)
    return flag.astype(bool)


def _ids(journeys: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in ("child", "pseudonym", "period_id") if c in journeys]
    return journeys[cols]


def _exclusion_frame(journeys: pd.DataFrame, measure: str, reason: pd.Series,
                     rule: pd.Series | None = None) -> pd.DataFrame:
    keep = reason.notna()
    out = _ids(journeys).loc[keep].copy()
    out.insert(0, "measure", measure)
    out["reason"] = reason[keep].astype("string")
    out["rule"] = (rule[keep] if rule is not None else pd.Series(pd.NA, index=out.index)).astype(
        "string")
    return out.reindex(columns=_EXCLUSION_COLUMNS)


def measure_days(journeys: pd.DataFrame, start_col: str, end_col: str, measure: str
                 ) -> tuple[pd.Series, pd.DataFrame]:
    """Days from ``start_col`` to ``end_col`` per journey, and the journeys left out with why.

    A journey is left out when either date is blank, or when the end is before the start
    (rule ``stage_negative``: excluded, never clipped to 0). Same-day stages count 0 days.
    """
    start = pd.to_datetime(journeys[start_col])
    end = pd.to_datetime(journeys[end_col])
    diff = (end - start).dt.days.astype("float64")
    negative = diff.lt(0)
    reason = pd.Series(
        np.select(
            [start.isna(), end.isna(), negative],
            [f"no {DATE_LABELS.get(start_col, start_col)} date",
             f"no {DATE_LABELS.get(end_col, end_col)} date",
             f"dates out of order: {DATE_LABELS.get(end_col, end_col)} is before "
             f"{DATE_LABELS.get(start_col, start_col)}"],
            default="",
        ),
        index=journeys.index,
    ).replace("", pd.NA)
    rule = pd.Series(np.where(negative, "stage_negative", ""), index=journeys.index).replace(
        "", pd.NA)
    return diff.where(~negative), _exclusion_frame(journeys, measure, reason, rule)


# -- stages -------------------------------------------------------------------------------

def stage_days(journeys: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Days per stage for each journey (columns named by stage; NaN when not measurable) and the
    exclusions from each stage (``measure`` = ``stage_<name>``).

    A missing IRO date leaves out only ``entry_to_iro`` and ``iro_to_adm``.
    """
    out = pd.DataFrame(index=journeys.index)
    excluded = []
    for stage in STAGES:
        start, end = STAGE_DATES[stage]
        out[stage], exc = measure_days(journeys, start, end, f"stage_{stage}")
        excluded.append(exc)
    return out, pd.concat(excluded, ignore_index=True)


def _standard(params: Params, stage: str) -> tuple[int, str]:
    std = params.standards[stage]
    return int(std["days"]), str(std.get("label", f"{std['days']} days"))


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
        "pct_over": nv.share(over, n),
    }


def stage_statistics(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Per stage, over children adopted in the period: children measured, median, mean, 25th and
    75th percentiles (linear interpolation), children over the standard and their %.
    """
    done = adopted(journeys, params)
    days_, _ = stage_days(done)
    rows = []
    for stage in STAGES:
        std, label = _standard(params, stage)
        rows.append({"stage": stage, "label": STAGE_LABELS[stage], "standard_days": std,
                     "standard": label, **_stats(days_[stage], std)})
    return pd.DataFrame(rows)


def stage_trend(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Per financial year of the AO and stage: children measured, median days, % over standard."""
    done = adopted(journeys, params)
    days_, _ = stage_days(done)
    days_["year"] = financial_year(done["ao_date"])
    rows = []
    for year, grp in days_.groupby("year", sort=True):
        for stage in STAGES:
            std, _ = _standard(params, stage)
            s = _stats(grp[stage], std)
            rows.append({"year": year, "stage": stage, "label": STAGE_SHORT[stage],
                         "children": s["children"], "median": s["median"],
                         "pct_over": s["pct_over"]})
    return pd.DataFrame(rows, columns=["year", "stage", "label", "children", "median", "pct_over"])


def stage_days_adopted(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Days per stage of each child adopted in the period, with the pseudonym (for charts)."""
    done = adopted(journeys, params)
    days_, _ = stage_days(done)
    return pd.concat([done[["pseudonym"]], days_], axis=1)


# -- scorecard ----------------------------------------------------------------------------

def scorecard_days(journeys: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A1, A10, A2 days and A3's "under threshold" per journey, with exclusions.

    - ``a1``: care entry → placement date.
    - ``a10``: care entry → moved-in date for foster-carer adoptions (the earlier of moved-in
      and placement date; placement date when moved-in is blank), else → placement date.
    - ``a2``: PO → match, a match before the PO counting 0; blank with no PO or no match.
    - ``a3``: 1.0 when ``a1`` < the A3 threshold (426 days), 0.0 when not, NaN when ``a1`` is.
    """
    out = pd.DataFrame(index=journeys.index)
    out["a1"], exc_a1 = measure_days(journeys, "care_entry", "placement_date", "a1")

    fc = foster_carer_adoption(journeys)
    placed = pd.to_datetime(journeys["placement_date"])
    moved = pd.to_datetime(journeys["moved_in_date"]) if "moved_in_date" in journeys else placed
    # A foster-carer child moved in with the adopters before (or on) the placement date.
    fc_stop = moved.where(moved.notna() & (moved.le(placed) | placed.isna()), placed)
    clock = _ids(journeys).assign(care_entry=journeys["care_entry"],
                                  a10_stop=fc_stop.where(fc, placed))
    out["a10"], exc_a10 = measure_days(clock, "care_entry", "a10_stop", "a10")

    po = pd.to_datetime(journeys["po_date"])
    match = pd.to_datetime(journeys["match_date"])
    a2 = (match - po).dt.days.astype("float64").clip(lower=0)
    out["a2"] = a2
    reason = pd.Series(np.select([po.isna(), match.isna()],
                                 ["no placement order", "no match date"], default=""),
                       index=journeys.index).replace("", pd.NA)
    exc_a2 = _exclusion_frame(journeys, "a2", reason)

    threshold = int(params.thresholds["a3_days"]["value"])
    out["a3"] = out["a1"].lt(threshold).astype("float64").where(out["a1"].notna())
    exc_a3 = exc_a1.assign(measure="a3")
    return out, pd.concat([exc_a1, exc_a10, exc_a2, exc_a3], ignore_index=True)


def period_label(params: Params) -> str:
    """The reporting period in words, e.g. "1 April 2023 to 31 March 2026"."""
    return f"{nv.date_text(params.period_start)} to {nv.date_text(params.period_end)}"


def _benchmark(params: Params, group: str, key: str) -> dict:
    item = getattr(params, group).get(key) or {}
    return {"value": item.get("value"), "period": item.get("period", ""),
            "source": item.get("source", "")}


#: Which threshold and national figure each scorecard measure is set against. A10 replaced A1
#: from 2021-22 and has no threshold of its own: A1's applies.
SCORECARD_BENCHMARKS: dict[str, tuple[str | None, str | None]] = {
    "a1": ("a1_days", "a1_mean_days"),
    "a10": ("a1_days", "a10_mean_days"),
    "a2": ("a2_days", "a2_mean_days"),
    "a3": (None, None),
}


def scorecard(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """A1, A10, A2 (mean days) and A3 (% under 426 days) for the whole period and per financial
    year of the AO, each with its count, threshold, national figure and period, and rating.

    ``children`` is the number of children the measure rests on; for A3 ``children_within`` is
    the number who moved in within 426 days. A3 has no target, so it is not rated.
    """
    done = adopted(journeys, params)
    sc, _ = scorecard_days(done, params)
    years = financial_year(done["ao_date"])
    groups = [("Whole period", sc)] + [(y, sc.loc[years.eq(y)]) for y in sorted(years.dropna()
                                                                                 .unique())]
    rows = []
    for measure in ("a1", "a10", "a2", "a3"):
        thr_key, comp_key = SCORECARD_BENCHMARKS[measure]
        thr = _benchmark(params, "thresholds", thr_key)["value"] if thr_key else None
        comp = _benchmark(params, "comparators", comp_key) if comp_key else {"value": None,
                                                                             "period": ""}
        for period, grp in groups:
            v = grp[measure].dropna()
            n = len(v)
            value = (100 * v.mean() if measure == "a3" else v.mean()) if n else np.nan
            rows.append({
                "measure": measure.upper(),
                "label": SCORECARD_LABELS[measure],
                "year": period,
                "children": n,
                "value": value,
                "children_within": int(v.sum()) if measure == "a3" else pd.NA,
                "threshold": thr if thr is not None else np.nan,
                "england": comp["value"] if comp["value"] is not None else np.nan,
                "england_period": comp["period"] or "–",
                "rating": nv.rate(f"{measure}_mean_days", value, thr),
            })
    out = pd.DataFrame(rows)
    out["children_within"] = out["children_within"].astype("Int64")
    return out


def entry_to_ao_days(journeys: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Days from care entry to the adoption order per journey, with exclusions."""
    return measure_days(journeys, "care_entry", "ao_date", "entry_to_ao")


def exclusions(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Every child adopted in the period left out of a stage or scorecard measure, with why.

    Columns ``measure, child, pseudonym, period_id, reason, rule``. ``child`` is for the
    data-quality key only: render ``pseudonym``.
    """
    done = adopted(journeys, params)
    _, exc_stages = stage_days(done)
    _, exc_sc = scorecard_days(done, params)
    _, exc_total = entry_to_ao_days(done)
    return pd.concat([exc_stages, exc_sc, exc_total], ignore_index=True)


def exclusion_summary(excluded: pd.DataFrame) -> pd.DataFrame:
    """Children left out per measure and reason."""
    return (excluded.groupby(["measure", "reason"], sort=True).size()
            .rename("children").reset_index())


# -- other measures ------------------------------------------------------------------------

def _by_year_with_total(frame: pd.DataFrame, year: pd.Series, agg) -> pd.DataFrame:
    rows = [{"year": y, **agg(frame.loc[year.eq(y)])} for y in sorted(year.dropna().unique())]
    rows.append({"year": "Whole period", **agg(frame)})
    return pd.DataFrame(rows)


def early_permanence(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children adopted per financial year of the AO; how many were adopted by their foster
    carers (AD1 FOSTER_CARE = 1 or PLACE A3/A5) and how many had an early-permanence placement
    (fostering for adoption or concurrent planning: PLACE U2/U5 before the adoptive placement).
    """
    done = adopted(journeys, params)
    flags = pd.DataFrame({
        "fc": foster_carer_adoption(done),
        "ep": as_flag(done["early_permanence"]) if "early_permanence" in done
        else pd.Series(False, index=done.index),
    })

    def agg(f: pd.DataFrame) -> dict:
        n, fc, ep = len(f), int(f["fc"].sum()), int(f["ep"].sum())
        return {"adopted": n, "foster_carer": fc, "pct_foster_carer": nv.share(fc, n),
                "early_permanence": ep, "pct_early_permanence": nv.share(ep, n)}

    return _by_year_with_total(flags, financial_year(done["ao_date"]), agg)


def reversals(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Decisions that the child should be placed for adoption reversed in the period
    (PlacedAdoption DATE_PLACED_CEASED), by reason RD1–RD4; the latest decision of each journey.
    """
    rev = journeys.loc[in_period(journeys["reversed_date"], params)]
    reason = rev["reversed_reason"].astype("string").str.upper().fillna("not recorded")
    counts = reason.value_counts()
    order = [*codes.REASON_PLACED_CEASED, "not recorded"]
    rows = [{"reason": code, "meaning": codes.REASON_PLACED_CEASED.get(code, "reason not "
                                                                        "recorded"),
             "children": int(counts.get(code, 0))} for code in order]
    rows += [{"reason": code, "meaning": "code not recognised", "children": int(k)}
             for code, k in counts.items() if code not in order]
    out = pd.DataFrame(rows)
    out = out.loc[out["reason"].ne("not recorded") | out["children"].gt(0)]
    out["pct"] = 100 * out["children"] / out["children"].sum() if len(rev) else np.nan
    total = pd.DataFrame([{"reason": "Total", "meaning": "", "children": len(rev),
                           "pct": 100.0 if len(rev) else np.nan}])
    return pd.concat([out, total], ignore_index=True)


def leavers(periods: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children leaving care per financial year (periods of care ending in the reporting period)
    and how many left through adoption (REC E11/E12), with the %.

    Periods made only of short breaks (V3/V4, ``short_breaks_only``) are left out, as DfE
    leaves them out of looked-after counts.
    """
    left = periods.loc[in_period(periods["period_end"], params)]
    if "short_breaks_only" in left:
        left = left.loc[~as_flag(left["short_breaks_only"])]
    is_adopted = left["end_reason"].astype("string").str.upper().isin(codes.REC_ADOPTED).fillna(
        False)

    def agg(f: pd.Series) -> dict:
        n, k = len(f), int(f.sum())
        return {"left_care": n, "adopted": k, "pct_adopted": nv.share(k, n)}

    return _by_year_with_total(is_adopted, financial_year(left["period_end"]), agg)


# -- children in the process at the reference date ------------------------------------------

def in_process(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children in the process at the reference date (ADM decision, not adopted, decision not
    reversed: ``status`` placed / po_not_placed / waiting), with their open stage and its days
    so far, computed from the dates: placed → placement_to_ao; PO → po_to_placement; else
    adm_to_po. Columns ``pseudonym, stage, label, days_so_far, standard_days, days_over,
    days_since_entry, over_standard``.
    """
    ref = _ts(params.reference_date)
    j = journeys.loc[journeys["status"].isin(IN_PROCESS)]

    def upto(col: str) -> pd.Series:
        d = pd.to_datetime(j[col])
        return d.where(d.le(ref))

    adm, po, placed = upto("adm_date"), upto("po_date"), upto("placement_date")
    stage = pd.Series(np.select([placed.notna(), po.notna(), adm.notna()],
                                ["placement_to_ao", "po_to_placement", "adm_to_po"], default=""),
                      index=j.index).replace("", pd.NA)
    start = placed.fillna(po).fillna(adm)
    so_far = (ref - start).dt.days.astype("float64")
    std = stage.map({s: params.standard_days(s) for s in STAGES}).astype("float64")
    out = pd.DataFrame({
        "pseudonym": j["pseudonym"],
        "stage": stage,
        "label": stage.map(STAGE_LABELS),
        "days_so_far": so_far,
        "standard_days": std,
        "days_over": so_far - std,
        "days_since_entry": (ref - pd.to_datetime(j["care_entry"])).dt.days.astype("float64"),
    })
    out["over_standard"] = out["days_over"].gt(0)
    return out.loc[stage.notna()]


def drift_now(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children in the process whose open stage has run longer than its standard, longest over
    first (pseudonyms only)."""
    cur = in_process(journeys, params)
    cols = ["pseudonym", "label", "days_so_far", "standard_days", "days_over", "days_since_entry"]
    return (cur.loc[cur["over_standard"], cols]
            .sort_values(["days_over", "pseudonym"], ascending=[False, True])
            .reset_index(drop=True))


def in_process_summary(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Per open stage: children in it at the reference date, median days so far, and how many are
    over the standard."""
    cur = in_process(journeys, params)
    rows = []
    for stage in ("adm_to_po", "po_to_placement", "placement_to_ao"):
        grp = cur.loc[cur["stage"].eq(stage)]
        n, over = len(grp), int(grp["over_standard"].sum())
        rows.append({"stage": STAGE_LABELS[stage], "children": n,
                     "median_days_so_far": grp["days_so_far"].median() if n else np.nan,
                     "standard_days": params.standard_days(stage), "over_standard": over,
                     "pct_over": nv.share(over, n)})
    return pd.DataFrame(rows)


def po_waiting(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children with a placement order not yet placed at the reference date (``status``
    po_not_placed), with days since the PO and since care entry, and whether they have waited
    12+ / 18+ calendar months since the PO and 18+ months since care entry (ASGLB measures).
    """
    ref = _ts(params.reference_date)
    j = journeys.loc[journeys["status"].eq("po_not_placed")]
    po = pd.to_datetime(j["po_date"])
    entry = pd.to_datetime(j["care_entry"])
    out = pd.DataFrame({
        "pseudonym": j["pseudonym"],
        "days_since_po": (ref - po).dt.days.astype("float64"),
        "days_since_entry": (ref - entry).dt.days.astype("float64"),
        "po_12m_plus": po.le(ref - pd.DateOffset(months=12)),
        "po_18m_plus": po.le(ref - pd.DateOffset(months=18)),
        "entry_18m_plus": entry.le(ref - pd.DateOffset(months=18)),
    })
    return out.sort_values(["days_since_po", "pseudonym"], ascending=[False, True]).reset_index(
        drop=True)


def po_waiting_summary(waiting: pd.DataFrame) -> pd.DataFrame:
    """Counts from :func:`po_waiting`."""
    n = len(waiting)
    return pd.DataFrame([
        {"measure": "Children with a placement order, not yet placed", "children": n},
        {"measure": "… waiting 12 months or more since the placement order",
         "children": int(waiting["po_12m_plus"].sum())},
        {"measure": "… waiting 18 months or more since the placement order",
         "children": int(waiting["po_18m_plus"].sum())},
        {"measure": "… 18 months or more since care entry",
         "children": int(waiting["entry_18m_plus"].sum())},
    ])


# -- standards, headlines and findings -------------------------------------------------------

def _default_standards() -> dict:
    import yaml

    return yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))["standards"]


def standards_table(params: Params) -> pd.DataFrame:
    """The stage standards used, their basis, and whether each is the kit's default."""
    defaults = _default_standards()
    rows = []
    for stage in STAGES:
        std = params.standards[stage]
        is_default = int(std["days"]) == int(defaults[stage]["days"])
        rows.append({"Stage": STAGE_LABELS[stage], "Standard": std.get("label", ""),
                     "Days": int(std["days"]), "Basis": std.get("basis", ""),
                     "Set by": "kit default" if is_default else "this LA"})
    return pd.DataFrame(rows)


def standards_note(params: Params) -> str:
    """One paragraph saying whether the standards are the kit's defaults and where they come
    from."""
    table = standards_table(params)
    own = table.loc[table["Set by"].eq("this LA"), "Stage"].tolist()
    where = ("The defaults are local-practice standards, not statute, drawn from statutory "
             "timescales and common local procedures (for example, care proceedings are to "
             "finish within 26 weeks); the table gives the basis of each. An LA can set its own "
             "in its parameters file.")
    if not own:
        return "The stage standards used here are the kit's **defaults**, as this LA set none. " \
            + where
    named = nv.plain_list(nv.lower_first(s) for s in own)
    return f"This LA set its own standards for {named}; the others are the kit's **defaults**. " \
        + where


def adopted_count(journeys: pd.DataFrame, params: Params) -> int:
    """Children adopted in the period (distinct children with an AO in the period)."""
    done = adopted(journeys, params)
    return int(done["child"].nunique()) if "child" in done else len(done)


def headline_table(journeys: pd.DataFrame, periods: pd.DataFrame, params: Params
                   ) -> pd.DataFrame:
    """Section 0's headline figures: each with its count, benchmark (with its period) and
    red/amber/green rating by :func:`narrative.rag` (rule: ``narrative.RAG_RULE``)."""
    sc = scorecard(journeys, params)
    whole = sc.loc[sc["year"].eq("Whole period")].set_index("measure")
    rows = [{"finding": "Children adopted in the period", "figure": nv.number(
        adopted_count(journeys, params)), "children": adopted_count(journeys, params),
        "benchmark": _comparator_text(params, "children_adopted", "children a year"),
        "rating": "not rated"}]
    for m in ("A10", "A1", "A2"):
        r = whole.loc[m]
        bench = f"threshold {nv.days(r['threshold'])}"
        if not pd.isna(r["england"]):
            bench += f"; England {nv.days(r['england'])}, {r['england_period']}"
        rows.append({"finding": r["label"], "figure": nv.days(r["value"]),
                     "children": int(r["children"]), "benchmark": bench,
                     "rating": r["rating"]})
    a3 = whole.loc["A3"]
    rows.append({"finding": a3["label"], "figure": f"{nv.pct(a3['value'])} "
                 f"({nv.number(a3['children_within'])} of {nv.number(a3['children'])})",
                 "children": int(a3["children"]), "benchmark": "no published target",
                 "rating": "not rated"})
    lv = leavers(periods, params).iloc[-1]
    comp = _benchmark(params, "comparators", "adopted_share_of_leavers_pct")
    rows.append({"finding": "Children leaving care who left through adoption",
                 "figure": f"{nv.pct(lv['pct_adopted'])} ({nv.number(lv['adopted'])} of "
                 f"{nv.number(lv['left_care'])})", "children": int(lv["left_care"]),
                 "benchmark": _comparator_text(params, "adopted_share_of_leavers_pct", "%"),
                 "rating": nv.rate("adopted_share_of_leavers_pct", lv["pct_adopted"],
                                   comp["value"])})
    done = adopted(journeys, params)
    total, _ = entry_to_ao_days(done)
    comp = _benchmark(params, "comparators", "entry_to_adoption_days")
    rows.append({"finding": "Care entry to adoption order (mean days)",
                 "figure": nv.days(total.mean()), "children": int(total.notna().sum()),
                 "benchmark": _comparator_text(params, "entry_to_adoption_days", "days"),
                 "rating": nv.rate("entry_to_adoption_days", total.mean(), comp["value"])})
    for _, r in stage_statistics(journeys, params).iterrows():
        rows.append({"finding": f"{r['label']} (median days)", "figure": nv.days(r["median"]),
                     "children": int(r["children"]),
                     "benchmark": f"standard {r['standard']} ({nv.days(r['standard_days'])})",
                     "rating": nv.rate("stage_median_days", r["median"], r["standard_days"])})
    drift = drift_now(journeys, params)
    rows.append({"finding": "Children in the process now over their stage's standard",
                 "figure": nv.number(len(drift)), "children": len(drift),
                 "benchmark": "–", "rating": "not rated"})
    wait = po_waiting(journeys, params)
    rows.append({"finding": "Children with a placement order waiting 18+ months since it",
                 "figure": nv.number(int(wait["po_18m_plus"].sum())),
                 "children": int(wait["po_18m_plus"].sum()), "benchmark": "–",
                 "rating": "not rated"})
    return pd.DataFrame(rows)


def _comparator_text(params: Params, key: str, unit: str) -> str:
    c = _benchmark(params, "comparators", key)
    if c["value"] is None:
        return "no national figure"
    value = f"{nv.number(c['value'])}%" if unit == "%" else f"{nv.number(c['value'])} {unit}"
    return f"England {value}, {c['period']}"


def headline_sentences(table: pd.DataFrame) -> list[str]:
    """One sentence per rated headline, worst first, from :func:`headline_table`."""
    order = {"red": 0, "amber": 1, "green": 2}
    rated = table.loc[table["rating"].isin(order)].copy()
    rated["o"] = rated["rating"].map(order)
    out = []
    for _, r in rated.sort_values("o", kind="stable").iterrows():
        # A figure worded "k of n" already carries its count.
        count = "" if " of " in r["figure"] else f" ({nv.children(r['children'])})"
        out.append(f"**{r['rating'].capitalize()}**: {r['finding']}: {r['figure']}{count}; "
                   f"{r['benchmark']}.")
    return out


@dataclass
class StageFinding:
    """One stage's headline, for sentences."""

    stage: str
    sentence: str
    over_by: float


def stage_sentences(stats: pd.DataFrame, worst_first: bool = False) -> list[str]:
    """A sentence per stage, in stage order (or longest median over its standard first), e.g.
    "Children waited a median of 212 days (40 children) from placement order to adoptive
    placement, 29 days over the 6-month standard; 22 of 40 children (55%) were over it."
    """
    found = []
    for _, r in stats.iterrows():
        if r["children"] == 0:
            found.append(StageFinding(r["stage"], f"{r['label']}: no child adopted in the period "
                                      "has both dates recorded.", -np.inf))
            continue
        frm, to = r["label"].split(" to ", 1)
        versus = nv.versus_standard(r["median"], r["standard_days"], r["standard"])
        sentence = (f"Children waited {nv.average(r['median'], r['children'])} from "
                    f"{nv.lower_first(frm)} to {to}, {versus}"
                    f"; {nv.count_of(int(r['over_standard']), int(r['children']))} were over it.")
        found.append(StageFinding(r["stage"], sentence, r["median"] - r["standard_days"]))
    if worst_first:
        found.sort(key=lambda f: -f.over_by)
    return [f.sentence for f in found]


def scorecard_sentences(sc: pd.DataFrame) -> list[str]:
    """Whole-period A10, A1, A2 and A3 in words, with counts and benchmarks."""
    whole = sc.loc[sc["year"].eq("Whole period")].set_index("measure")
    out = []
    for m in ("A10", "A1", "A2"):
        r = whole.loc[m]
        if r["children"] == 0:
            out.append(f"{m}: no child adopted in the period could be measured.")
            continue
        text = (f"{m} was {nv.days(r['value'])} ({nv.children(int(r['children']))}), "
                f"{nv.versus_standard(r['value'], int(r['threshold']), noun='threshold')}")
        if not pd.isna(r["england"]):
            text += f"; England {nv.days(r['england'])}, {r['england_period']}"
        out.append(text + f" (rated {r['rating']}).")
    r = whole.loc["A3"]
    if r["children"]:
        out.append(f"A3: {nv.count_of(int(r['children_within']), int(r['children']))} moved in "
                   "with their adoptive family within 14 months (426 days) of entering care.")
    return out



# -- what section 2 shows -------------------------------------------------------------------

def display_stages(stats: pd.DataFrame) -> pd.DataFrame:
    """Stage statistics with days as whole numbers and % as the narrative words them."""
    return pd.DataFrame({
        "Stage": stats["label"],
        "Standard": stats["standard"] + " (" + stats["standard_days"].astype("string")
        + " days)",
        "Children": stats["children"],
        "Median": nv.whole_col(stats["median"]),
        "Mean": nv.whole_col(stats["mean"]),
        "25th percentile": nv.whole_col(stats["q25"]),
        "75th percentile": nv.whole_col(stats["q75"]),
        "Over standard": stats["over_standard"],
        "% over": nv.pct_col(stats["pct_over"]),
    })


def display_trend(trend: pd.DataFrame) -> pd.DataFrame:
    """Median days per stage (children measured) by year of AO, one row per year."""
    cell = (nv.whole_col(trend["median"]).astype("string").fillna("–") + " ("
            + trend["children"].astype("string") + ")")
    wide = trend.assign(cell=cell.to_numpy()).pivot(index="year", columns="label", values="cell")
    wide = wide.reindex(columns=[STAGE_SHORT[s] for s in STAGES])
    wide.columns.name = None
    return wide.reset_index().rename(columns={"year": "Year of adoption order"})


def display_scorecard(sc: pd.DataFrame) -> pd.DataFrame:
    """Scorecard rows worded for the reader: days whole, A3 as %, ratings in words."""
    is_pct = sc["measure"].eq("A3")
    value = nv.whole_col(sc["value"]).astype("string").where(~is_pct, nv.pct_col(sc["value"]))
    return pd.DataFrame({
        "Measure": sc["label"],
        "Period": sc["year"],
        "Children": sc["children"],
        "Value": value.fillna("–"),
        "Moved in within 426 days": sc["children_within"],
        "Threshold (days)": nv.whole_col(sc["threshold"]),
        "England": nv.whole_col(sc["england"]),
        "England period": sc["england_period"],
        "Rating": sc["rating"],
    })


def display_early_permanence(ep: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Year of adoption order": ep["year"], "Children adopted": ep["adopted"],
        "Adopted by foster carers": ep["foster_carer"],
        "% by foster carers": nv.pct_col(ep["pct_foster_carer"]),
        "Early permanence (FfA / concurrent)": ep["early_permanence"],
        "% early permanence": nv.pct_col(ep["pct_early_permanence"]),
    })


def display_leavers(lv: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Year left care": lv["year"], "Children leaving care": lv["left_care"],
                         "Left through adoption": lv["adopted"],
                         "% adopted": nv.pct_col(lv["pct_adopted"])})


def display_reversals(rev: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Reason": rev["reason"], "Meaning": rev["meaning"],
                         "Children": rev["children"], "%": nv.pct_col(rev["pct"])})


def display_in_process(summary: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Open stage": summary["stage"], "Children": summary["children"],
        "Median days so far": nv.whole_col(summary["median_days_so_far"]),
        "Standard (days)": summary["standard_days"], "Over standard": summary["over_standard"],
        "% over": nv.pct_col(summary["pct_over"]),
    })


def display_drift(drift: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Child": drift["pseudonym"], "Open stage": drift["label"],
        "Days so far": nv.whole_col(drift["days_so_far"]),
        "Standard (days)": nv.whole_col(drift["standard_days"]),
        "Days over": nv.whole_col(drift["days_over"]),
        "Days since care entry": nv.whole_col(drift["days_since_entry"]),
    })


def display_po_waiting(waiting: pd.DataFrame) -> pd.DataFrame:
    yes = {True: "yes", False: "no"}
    return pd.DataFrame({
        "Child": waiting["pseudonym"],
        "Days since placement order": nv.whole_col(waiting["days_since_po"]),
        "Days since care entry": nv.whole_col(waiting["days_since_entry"]),
        "12+ months since PO": waiting["po_12m_plus"].map(yes),
        "18+ months since PO": waiting["po_18m_plus"].map(yes),
        "18+ months since entry": waiting["entry_18m_plus"].map(yes),
    })


def record_metrics(section, journeys: pd.DataFrame, params: Params) -> None:
    """Section 2's metrics: children_adopted, a1/a10/a2 mean days, a3 % under 426 days and
    each stage's median days, each with its count."""
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


def key_findings(journeys: pd.DataFrame, periods: pd.DataFrame, params: Params) -> str:
    """Section 2's opening: key findings as sentences built from the computed values."""
    n = adopted_count(journeys, params)
    lines = [f"{nv.children(n).capitalize()} were adopted from {period_label(params)}."]
    if n:
        lines += stage_sentences(stage_statistics(journeys, params), worst_first=True)[:2]
        lines += scorecard_sentences(scorecard(journeys, params))
    lv = leavers(periods, params).iloc[-1]
    if lv["left_care"]:
        lines.append(f"{nv.count_of(int(lv['adopted']), int(lv['left_care']))} who left care in "
                     "the period left through adoption.")
    drift = drift_now(journeys, params)
    cur = in_process(journeys, params)
    ref = nv.date_text(params.reference_date)
    lines.append(f"At {ref}, {nv.count_of(len(drift), len(cur))} in "
                 "the process had been in their current stage longer than its standard.")
    return "**Key findings**\n\n" + nv.bullets(lines)


def display_headlines(head: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Finding": head["finding"], "Figure": head["figure"],
                         "Children": head["children"], "Benchmark (period)": head["benchmark"],
                         "Rating": head["rating"].map(nv.RAG_SYMBOL)})


def summary_intro(params: Params) -> str:
    """Section 0's first paragraph: whose report, what period, how to read the ratings."""
    return (f"This report looks at how well **{params.la_name}** finds adoptive families for "
            f"children, from {period_label(params)}. \"Children adopted\" are children whose "
            "adoption order was made in that period. Each headline below gives its figure, the "
            "number of children it rests on and the benchmark it is rated against, with that "
            "benchmark's year.\n\n" + nv.RAG_RULE)
