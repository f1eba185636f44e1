"""Section 2 in words and tables: stage names, sentences and reader tables built from
``measures.timescales``. Every number in a sentence comes from the computed values and the
params in force (a threshold an LA overrides changes the text)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.derive.journeys import STAGES
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import summary as msummary
from diagnostic_kit.measures import timescales as ts
from diagnostic_kit.measures.cohorts import adopted_count
from diagnostic_kit.present import narrative as nv

#: Stage names for readers.
STAGE_LABELS: dict[str, str] = {
    "entry_to_iro": "Care entry to IRO recommendation",
    "iro_to_adm": "IRO recommendation to ADM decision",
    "adm_to_po": "ADM decision to placement order",
    "po_to_placement": "Placement order to adoptive placement",
    "placement_to_ao": "Adoptive placement to adoption order",
    "po_to_match": "Placement order to match (A2)",
    "entry_to_moved_in": "Care entry to moving in with the adoptive family (A1/A10)",
}
#: Short labels for charts and table headers.
STAGE_SHORT: dict[str, str] = {
    "entry_to_iro": "Entry → IRO",
    "iro_to_adm": "IRO → ADM",
    "adm_to_po": "ADM → PO",
    "po_to_placement": "PO → placement",
    "placement_to_ao": "Placement → AO",
}


def scorecard_labels(params: Params) -> dict[str, str]:
    """The scorecard measures in words, with the A3 threshold in force."""
    a3 = params.thresholds.a3_days.value
    return {
        "a1": "A1: care entry to moving in with the adoptive family (mean days)",
        "a10": "A10: as A1, clock stops when moving in with foster carers who adopt (mean days)",
        "a2": "A2: placement order to match (mean days)",
        "a3": f"A3: children moving in within {nv.number(a3)} days of care entry (%)",
    }


def period_label(params: Params) -> str:
    """The reporting period in words, e.g. "1 April 2023 to 31 March 2026"."""
    return f"{nv.date_text(params.period_start)} to {nv.date_text(params.period_end)}"


def standards_note(params: Params) -> str:
    """One paragraph saying whether the standards are the kit's defaults and where they come
    from."""
    table = ts.standards_table(params)
    own = [STAGE_LABELS[k] for k in table.loc[~table["is_default"], "key"]]
    where = ("The defaults are local-practice standards, not statute, drawn from statutory "
             "timescales and common local procedures (for example, care proceedings are to "
             "finish within 26 weeks); the technical annex (section 8) gives the basis of each. "
             "An LA or RAA can set its own in its parameters file.")
    unit = nv.unit(params)
    if not own:
        return (f"The stage standards used here are the kit's **defaults**, as this {unit} set "
                "none. " + where)
    named = nv.plain_list(nv.lower_first(s) for s in own)
    return (f"This {unit} set its own standards for {named}; the others are the kit's "
            "**defaults**. " + where)


def display_standards(params: Params) -> pd.DataFrame:
    """Every standard in force, for the reader (sections 2 and 8 show this one table)."""
    t = ts.standards_table(params)
    return pd.DataFrame({
        "Stage": t["key"].map(STAGE_LABELS), "Standard": t["label"], "Days": t["days"],
        "Basis": t["basis"],
        "Set by": t["is_default"].map({True: "kit default", False: f"this {nv.unit(params)}"}),
    })


def stage_sentences(stats: pd.DataFrame, worst_first: bool = False) -> list[str]:
    """A sentence per stage, in stage order (or longest median over its standard first), e.g.
    "Children waited a median of 212 days (40 children) from placement order to adoptive
    placement, 29 days over the 6-month standard; 22 of 40 children (55%) were over it."
    """
    found: list[tuple[float, str]] = []
    for _, r in stats.iterrows():
        label = STAGE_LABELS[r["stage"]]
        if r["children"] == 0:
            found.append((-np.inf, f"{label}: no child adopted in the period has both dates "
                                   "recorded."))
            continue
        frm, to = label.split(" to ", 1)
        versus = nv.versus_standard(r["median"], r["standard_days"], r["standard"])
        sentence = (f"Children waited {nv.average(r['median'], r['children'])} from "
                    f"{nv.lower_first(frm)} to {to}, {versus}"
                    f"; {nv.count_of(int(r['over_standard']), int(r['children']))} were over it.")
        found.append((r["median"] - r["standard_days"], sentence))
    if worst_first:
        found.sort(key=lambda f: -f[0])
    return [s for _, s in found]


def medians_sum_sentence(stats: pd.DataFrame) -> str:
    """The stage medians laid end to end against the standards added up (as the chart of
    medians draws them), and why that is not the median journey."""
    med = stats["median"].dropna()
    return (f"Laid end to end, the stage medians come to {nv.days(med.sum())}, against "
            f"standards adding up to {nv.days(stats['standard_days'].sum())}; a sum of medians "
            "is not the median journey, as different children are typical at each stage.")


def scorecard_sentences(sc: pd.DataFrame, params: Params) -> list[str]:
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
        a3 = params.thresholds.a3_days.value
        out.append(f"A3: {nv.count_of(int(r['children_within']), int(r['children']))} moved in "
                   f"with their adoptive family within {nv.days(a3)} of entering care.")
    return out


def key_findings(journeys: pd.DataFrame, periods: pd.DataFrame, params: Params) -> str:
    """Section 2's opening: key findings as sentences built from the computed values."""
    return "**Key findings**\n\n" + nv.bullets(key_findings_lines(journeys, periods, params))


def key_findings_lines(journeys: pd.DataFrame, periods: pd.DataFrame, params: Params
                       ) -> list[str]:
    """Section 2's key findings, one sentence each (a notebook may edit the list)."""
    n = adopted_count(journeys, params)
    lines = [f"{nv.children(n).capitalize()} were adopted from {period_label(params)}."]
    if n:
        # The scorecard measures are said once, under their table below.
        lines += stage_sentences(ts.stage_statistics(journeys, params), worst_first=True)[:2]
    lv = ts.leavers(periods, params).iloc[-1]
    if lv["left_care"]:
        lines.append(f"{nv.count_of(int(lv['adopted']), int(lv['left_care']))} who left care in "
                     "the period left through adoption (each child counted once; one who left care "
                     "in two of the years is in both years' counts).")
    drift = ts.drift_now(journeys, params)
    cur = ts.in_process(journeys, params)
    ref = nv.date_text(params.reference_date)
    lines.append(f"At {ref}, {nv.count_of(len(drift), len(cur))} in "
                 "the process had been in their current stage longer than its standard.")
    return lines


def scorecard_note(params: Params) -> str:
    """The note under the scorecard table: the thresholds in force and England's figures, each
    period said once (the rating rule is the summary's)."""
    a1 = params.thresholds.a1_days.value
    c = params.comparators
    england = "; ".join(
        f"{m} {nv.days(b.value)} ({b.period})" for m, b in (("A1", c.a1_mean_days),
                                                            ("A10", c.a10_mean_days),
                                                            ("A2", c.a2_mean_days))
        if b.known and b.confirmed)
    return (f"A10 has no threshold of its own: A1's {nv.days(a1)} applies. A3 has no published "
            "target and is not rated." + (f" England: {england}." if england else ""))


#: How each yearly figure is named in the direction of travel.
def _trend_name(key: str, params: Params) -> str:
    a3 = nv.number(params.thresholds.a3_days.value)
    return {
        "children_adopted": "Children adopted a year",
        "a1": "A1 (care entry to moving in with the adoptive family, mean)",
        "a10": "A10 (as A1, counted to moving in with foster carers who adopt, mean)",
        "a2": "A2 (placement order to match, mean)",
        "a3": f"A3 (children moving in within {a3} days of care entry)",
        "adopted_share_of_leavers": "The share of children leaving care who left through "
                                    "adoption",
        "entry_to_ao": "The mean time from care entry to adoption order",
    }[key]


TREND_BETTER = {"a1": "lower", "a10": "lower", "a2": "lower", "a3": "higher",
                "adopted_share_of_leavers": "higher", "entry_to_ao": "lower",
                "children_adopted": None}


def trend_sentences(trend: pd.DataFrame, params: Params,
                        keys: tuple[str, ...] = ("children_adopted", "a1", "a10", "a2", "a3",
                                                 "adopted_share_of_leavers", "entry_to_ao")
                        ) -> list[str]:
    """How each yearly headline moved over the years of the period, one sentence each, with
    the children each year rests on: "A3 (children moving in within 426 days of care entry)
    rose from 30% in 2023-24 to 63% in 2025-26 (44% in 2024-25): better (23, 16 and 16
    children)." A % resting on a suppressed count is not given a trend."""
    out = []
    for key in keys:
        t = trend.loc[trend["key"].eq(key) & trend["year"].ne(msummary.WHOLE)].sort_values(
            "year")
        if len(t) < 2:
            continue
        if key in ("a3", "adopted_share_of_leavers") and any(
                nv.suppressed(v) for v in [*t["children"], *t["within"]]):
            continue
        fmt = {"children_adopted": lambda v: nv.count(int(v)),
               "a3": nv.pct, "adopted_share_of_leavers": nv.pct}.get(key, nv.days)
        phrase = nv.trend_phrase(list(zip(t["year"], t["value"], strict=True)), fmt,
                                 TREND_BETTER[key], msummary.clear_change(trend, key))
        if not phrase:
            continue
        text = f"{_trend_name(key, params)} {phrase}"
        if key == "children_adopted":
            ca = params.comparators.children_adopted
            if ca.known:
                text += (f"; England: {nv.number(ca.value)} in the {ca.period}"
                         if ca.period.startswith("year ending")
                         else f"; England: {nv.number(ca.value)} a year ({ca.period})")
        else:
            noun = "children leaving care" if key == "adopted_share_of_leavers" else "children"
            text += f" ({nv.plain_list(nv.count(int(k)) for k in t['children'])} {noun})"
        out.append(text + ".")
    return out


def stage_trend_sentences(trend: pd.DataFrame, changes: dict[str, int] | None = None
                          ) -> list[str]:
    """How each stage's median moved over the years of adoption orders, one sentence per
    stage (from ``measures.timescales.stage_trend``): "Care entry to IRO recommendation: the
    median rose from 136 days in 2023-24 to 160 days in 2025-26 (148 days in 2024-25): worse
    than in 2023-24 (23, 16 and 16 children)." ``changes`` is
    ``measures.timescales.stage_changes``: without a clear change a move is "no clear change"."""
    out = []
    for stage in STAGES:
        t = trend.loc[trend["stage"].eq(stage) & trend["children"].gt(0)].sort_values("year")
        phrase = nv.trend_phrase(list(zip(t["year"], t["median"], strict=True)), nv.days,
                                 "lower", None if changes is None else changes.get(stage, 0))
        if phrase:
            counts = nv.plain_list(nv.count(int(k)) for k in t["children"])
            out.append(f"{STAGE_LABELS[stage]}: the median {phrase} ({counts} children).")
    return out


# -- reader tables --------------------------------------------------------------------------

def display_stages(stats: pd.DataFrame) -> pd.DataFrame:
    """Stage statistics with days as whole numbers and % as the narrative words them."""
    return pd.DataFrame({
        "Stage": stats["stage"].map(STAGE_LABELS),
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
    wide = trend.assign(cell=cell.to_numpy(), label=trend["stage"].map(STAGE_SHORT)).pivot(
        index="year", columns="label", values="cell")
    wide = wide.reindex(columns=[STAGE_SHORT[s] for s in STAGES])
    wide.columns.name = None
    return wide.reset_index().rename(columns={"year": "Year of adoption order"})


def display_scorecard(sc: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Scorecard rows worded for the reader: days whole, A3 as %, ratings in words."""
    labels = scorecard_labels(params)
    is_pct = sc["measure"].eq("A3")
    value = nv.whole_col(sc["value"]).astype("string").where(~is_pct, nv.pct_col(sc["value"]))
    # Each figure's 95% interval beside it (measures.change), as the trend chart draws it.
    fmt = [nv.pct if p else nv.number for p in is_pct]
    interval = pd.Series([
        "" if pd.isna(lo) or pd.isna(hi) else f" ({f(lo)}–{f(hi)})"
        for f, lo, hi in zip(fmt, sc.get("low", pd.Series(np.nan, index=sc.index)),
                             sc.get("high", pd.Series(np.nan, index=sc.index)), strict=True)],
        index=sc.index, dtype="string")
    a3 = nv.number(params.thresholds.a3_days.value)
    return pd.DataFrame({
        "Measure": sc["measure"].str.lower().map(labels),
        "Period": sc["year"],
        "Children": sc["children"],
        "Value (95% interval)": value.fillna("–") + interval.where(value.notna(), ""),
        f"Moved in within {a3} days": sc["children_within"],
        "Threshold (days)": nv.whole_col(sc["threshold"]),
        "England": nv.whole_col(sc["england"]),
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
                         "Children who left through adoption": lv["adopted"],
                         "% adopted": nv.pct_col(lv["pct_adopted"])})


def display_reversals(rev: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Reason": rev["reason"], "Meaning": rev["meaning"],
                         "Decisions reversed": rev["decisions"], "%": nv.pct_col(rev["pct"])})


def display_in_process(summary: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Open stage": summary["stage"].map(STAGE_LABELS), "Children": summary["children"],
        "Median days so far": nv.whole_col(summary["median_days_so_far"]),
        "Standard (days)": summary["standard_days"], "Over standard": summary["over_standard"],
        "% over": nv.pct_col(summary["pct_over"]),
    })


def display_drift(drift: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Child": drift["pseudonym"], "Open stage": drift["stage"].map(STAGE_LABELS),
        "Days so far": nv.whole_col(drift["days_so_far"]),
        "Standard (days)": nv.whole_col(drift["standard_days"]),
        "Days over": nv.whole_col(drift["days_over"]),
        "Days since care entry": nv.whole_col(drift["days_since_entry"]),
    })


def display_po_waiting_summary(waiting: pd.DataFrame) -> pd.DataFrame:
    c = ts.po_waiting_counts(waiting)
    return pd.DataFrame([
        {"Measure": "Children with a placement order, not yet placed", "Children": c["waiting"]},
        {"Measure": "… waiting 12 months or more since the placement order",
         "Children": c["po_12m_plus"]},
        {"Measure": "… waiting 18 months or more since the placement order",
         "Children": c["po_18m_plus"]},
        {"Measure": "… 18 months or more since care entry", "Children": c["entry_18m_plus"]},
    ])


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


def measure_label(measure: str, params: Params) -> str:
    """A measure id of ``measure_exclusions`` in words (stages, scorecard, entry to AO)."""
    if measure.startswith("stage_"):
        return f"Stage: {STAGE_LABELS[measure.removeprefix('stage_')]}"
    labels = scorecard_labels(params)
    if measure in labels:
        return labels[measure]
    return {"entry_to_ao": "Care entry to adoption order"}.get(measure, measure)


def coverage_name(measure: str) -> str:
    """A measure of ``measures.timescales.coverage`` as a sentence names it: "A1", or a stage
    ("ADM decision to placement order")."""
    if measure.startswith("stage_"):
        return STAGE_LABELS[measure.removeprefix("stage_")]
    return measure.upper()


def coverage_sentence(r: dict) -> str:
    """How many children a measure counts of those it could, and why the rest are left out:
    "A1 measured for 11 of 134 children adopted; 123 left out: adopted from a placement that
    is not an adoptive one (120), no care entry date (3)." (``r``: a row of
    ``measures.timescales.coverage`` as a mapping)."""
    head = (f"{coverage_name(r['measure'])} measured for {nv.count(r['measured'])} of "
            f"{nv.children(r['eligible'])} adopted")
    if not r["left_out"]:
        return head + "."
    why = ", ".join(f"{reason} ({nv.count(k)})" for reason, k in r["reasons"])
    return f"{head}; {nv.count(r['left_out'])} left out: {why}."


def coverage_sentences(cov: pd.DataFrame, measures: tuple[str, ...] | None = None) -> list[str]:
    """:func:`coverage_sentence` for each measure that counts under half of the children it
    could (``thin``), of ``measures`` (all when None): what section 2 says beside the figure."""
    rows = cov.loc[cov["thin"].astype(bool)]
    if measures is not None:
        rows = rows.loc[rows["measure"].isin(measures)]
    return [coverage_sentence(r) for r in rows.to_dict("records")]


def display_coverage(cov: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Each stage and scorecard measure: the children adopted in the period it could count,
    those it counted, those left out and why (section 8)."""
    return pd.DataFrame({
        "Measure": cov["measure"].map(lambda m: measure_label(m, params)),
        "Children adopted": cov["eligible"].astype("int64"),
        "Children measured": cov["measured"].astype("int64"),
        "Children left out": cov["left_out"].astype("int64"),
        "Why left out (children)": cov["reasons"].map(
            lambda rs: "; ".join(f"{r} ({nv.count(k)})" for r, k in rs)),
        "Under half measured": cov["thin"].map({True: "yes", False: "no"}),
    })


def display_exclusions(summary: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children adopted in the period left out of each measure, by reason (sections 2 and 8)."""
    return pd.DataFrame({
        "Measure": summary["measure"].map(lambda m: measure_label(m, params)),
        "Why left out": summary["reason"],
        "Children": summary["children"].astype("int64"),
    })


def display_days_lost(lost: pd.DataFrame) -> pd.DataFrame:
    """Where the days are lost (``measures.timescales.days_lost``), ranked: per stage, the
    children over its standard and the child-days over it, for children adopted in the period
    and children in the process now, then both together and the share of all days over."""
    return pd.DataFrame({
        "Rank": lost["rank"],
        "Stage": lost["stage"].map(STAGE_LABELS),
        "Standard (days)": lost["standard_days"],
        "Adopted: children over standard": lost["adopted_over"],
        "Adopted: child-days over": nv.whole_col(lost["adopted_days_over"]),
        "In the process: children over standard": lost["in_process_over"],
        "In the process: child-days over": nv.whole_col(lost["in_process_days_over"]),
        "All: child-days over": nv.whole_col(lost["days_over"]),
        "% of all days over": nv.pct_col(lost["share"]),
    })


def display_days_lost_by_year(by_year: pd.DataFrame) -> pd.DataFrame:
    """Child-days over each stage's standard (children over it) by year of adoption order,
    then for the children in the process now: one row per year, one column per stage."""
    cell = (by_year["days_over"].map(nv.number).astype("string") + " ("
            + by_year["over"].astype("string") + ")")
    wide = by_year.assign(cell=cell.to_numpy(), label=by_year["stage"].map(STAGE_SHORT)).pivot(
        index="year", columns="label", values="cell")
    order = list(dict.fromkeys(by_year["year"]))
    wide = wide.reindex(index=order, columns=[STAGE_SHORT[s] for s in STAGES]).fillna("–")
    wide.columns.name = None
    return wide.reset_index().rename(columns={"year": "Year of adoption order"})


def days_lost_note(params: Params) -> str:
    """The note under the days-lost table: how the days are counted, and how the stage
    standards add up against A1."""
    a = ts.standards_against_a1(params)
    return (f"A child's days over a stage's standard are the days beyond it (none when within "
            f"it); children in the process count the stages completed by "
            f"{nv.date_text(params.reference_date)} and the days so far of the stage they are "
            f"in. The stage standards up to the adoptive placement add up to "
            f"{nv.days(a['to_placement'])} (to the adoption order {nv.days(a['to_order'])}), "
            f"against A1's threshold of {nv.days(a['a1'])}.")


def days_lost_sentences(lost: pd.DataFrame) -> list[str]:
    """Section 2's sentences on where the days are lost: each stage with days over its
    standard, largest first."""
    out = []
    for _, r in lost.loc[lost["days_over"].gt(0)].iterrows():
        out.append(f"{STAGE_LABELS[r['stage']]}: {nv.number(r['days_over'])} child-days over "
                   f"the standard ({nv.pct(r['share'])} of all), "
                   f"{nv.count(int(r['adopted_over']))} of "
                   f"{nv.children(int(r['adopted_children']))} adopted and "
                   f"{nv.count(int(r['in_process_over']))} of "
                   f"{nv.count(int(r['in_process_children']))} in the process over it.")
    return out or ["No child adopted in the period or in the process went over a stage's "
                   "standard."]
