"""Section 4 in words, tables and charts: children who entered care under five and were still
looked after two years later (``measures.under_fives``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import under_fives as uf
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.charts import (
    GREY,
    OKABE_ITO,
    apply_style,
    count_axis,
    describe,
    finish,
    ranked_alt,
)

PLAN_COLOURS = {
    "reunification": OKABE_ITO["sky_blue"], "adoption": OKABE_ITO["blue"],
    "long_term_fostering": OKABE_ITO["orange"], "special_guardianship": OKABE_ITO["bluish_green"],
    "child_arrangements_order": OKABE_ITO["reddish_purple"],
    "placement_with_parents": OKABE_ITO["yellow"], "other": GREY, "none": "#DDDDDD",
}


def window_text(params: Params) -> str:
    start, end = uf.cohort_window(params)
    return f"{nv.date_text(start)} to {nv.date_text(end)}"


def national_note(params: Params) -> str:
    c = params.comparators.three_plus_placements_pct
    return (f"England: {nv.pct(c.value)} of children looked after for two years had three or "
            f"more placements in that time, {c.period}, a figure not confirmed against the "
            "published table")


def key_findings(h: dict, params: Params, plans_given: bool = True) -> str:
    """The section's findings in plain English, from ``measures.under_fives.headline``."""
    years = params.under_fives.years_looked_after
    lines = [
        f"{nv.children(h['entrants'])} entered care under five from {window_text(params)}; "
        f"{nv.count_of(h['cohort'], h['entrants'])} were still looked after {years} years "
        "later: this section's cohort."
    ]
    if not h["cohort"]:
        return nv.bullets(lines + ["With no child in the cohort, the tables and charts below "
                                   "are empty: nothing more can be said of it."])
    lines.append(
        f"{nv.count_of(h['three_plus'], h['cohort'])} had {uf.PLACEMENTS_FLAG} or more "
        f"placements in their first {years} years. {national_note(params)}.")
    if plans_given:
        planned = ("Every child in the cohort had a permanence plan recorded by the "
                   "anniversary" if not h["no_plan"] else
                   f"{nv.count_of(h['no_plan'], h['cohort'])} had no permanence plan recorded "
                   "by the anniversary")
        lines.append(f"{planned}; "
                     f"{nv.count_of(h['late_change'], h['cohort'])} "
                     f"had their plan changed more than {uf.LATE_CHANGE_MONTHS} months after "
                     "entering care.")
        lines.append(f"{nv.count_of(h['by_second_review'], h['cohort'])} had a permanence plan "
                     "by their second looked-after review.")
    lines.append(f"{nv.children(h['drift'])} {nv.verb(h['drift'], 'is', 'are')} on the drift "
                 "list below.")
    return nv.bullets(lines)


def most_common(dist: pd.DataFrame, key: str, labels: dict[str, str], what: str) -> str:
    """"The most common legal status at two years was a full care order (C2): 3 of 7 children
    (43%)"."""
    if dist["children"].sum() == 0:
        return ""
    top = dist.sort_values("children", ascending=False, kind="stable").iloc[0]
    return (f"The most common {what} was {labels.get(top[key], top[key])}: "
            f"{nv.count_of(int(top['children']), int(dist['children'].sum()))}.")


def drift_sentence(kids: pd.DataFrame) -> str:
    reasons = uf.drift_reasons(kids)
    on = int(kids["on_drift_list"].sum()) if len(kids) else 0
    if not on:
        return "No child in the cohort had 3 or more placements, no plan, or a late change of plan."
    top = reasons.sort_values("children", ascending=False, kind="stable").iloc[0]
    return (f"{nv.children(on)} {nv.verb(on, 'is', 'are')} on the drift list; the most common "
            f"reason is {top['reason']} ({nv.children(int(top['children']))}).")


def display_distribution(dist: pd.DataFrame, key: str, labels: dict[str, str] | None,
                         heading: str) -> pd.DataFrame:
    keys = dist[key].astype(str)
    return pd.DataFrame({heading: keys.map(labels) if labels else keys,
                         "Children": dist["children"].astype("int64"),
                         "% of cohort": nv.pct_col(dist["pct"])})


def display_health(hs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Health": hs["measure"], "Children": hs["children"],
                         "% of cohort": nv.pct_col(hs["pct"])})


def display_plan_flow(flow: pd.DataFrame) -> pd.DataFrame:
    out = flow.rename(index=uf.PLAN_LABELS, columns=uf.PLAN_LABELS)
    out.index.name = "First plan"
    out = out.reset_index()
    out.columns = ["First plan", *[f"Children: {c} at two years" for c in out.columns[1:]]]
    return out


def display_children(kids: pd.DataFrame, pseudonyms: pd.Series, drift_only: bool = False
                     ) -> pd.DataFrame:
    """One row per cohort child (or per child on the drift list), by pseudonym."""
    k = kids[kids["on_drift_list"]] if drift_only else kids
    out = pd.DataFrame({
        "Child": k["child"].map(pseudonyms),
        "Entered care": k["care_entry"].dt.strftime("%b %Y"),
        "Age at entry (years)": k["age_at_entry"].map(lambda a: f"{a:.1f}"),
        "Placements": k["placements"].astype("int64"),
        "Same-carer moves": k["same_carer_moves"].astype("int64"),
        "Legal status at two years": k["ls_at_two_years"].fillna("–"),
        "Plans (and changes, dated)": k["plan_path"],
        "Days to first plan": nv.whole_col(k["days_to_first_plan"]).to_numpy(),
        "Plan by second review": np.where(k["plan_by_second_review"], "yes", "no"),
        "Health needs": k["health_need_list"].str.replace("_", " ").replace("", "none"),
        "Position now": k["position"].map(uf.POSITION_LABELS),
    })
    if drift_only:
        out.insert(1, "Why on the list", k["reasons"].to_numpy())
    return out.reset_index(drop=True)


# -- charts -----------------------------------------------------------------------------------

def _bar_labels(ax, bars, values) -> None:
    for bar, v in zip(bars, values, strict=False):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {nv.count(int(v))}",
                va="center", fontsize=9)


def placements_chart(dist: pd.DataFrame, h: dict, params: Params, source: str) -> Figure:
    """Children by placements in the two years, and the share with 3+ against England."""
    apply_style()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6), width_ratios=[3, 2])
    bars = ax1.barh(dist["placements"], dist["children"], color=OKABE_ITO["blue"])
    _bar_labels(ax1, bars, dist["children"])
    ax1.invert_yaxis()
    ax1.set_xlabel("Children")
    count_axis(ax1.xaxis)
    ax1.set_ylabel("Placements in the two years")
    c = params.comparators.three_plus_placements_pct
    vals = [h["three_plus_pct"], c.value if c.known else np.nan]
    names = ["This LA", f"England {c.period}\n(unconfirmed)"]
    b2 = ax2.barh(names, [0 if np.isnan(v) else v for v in vals],
                  color=[OKABE_ITO["vermillion"], GREY])
    for bar, v in zip(b2, vals, strict=False):
        shown = nv.pct_of(v, h["three_plus"], h["cohort"]) if bar is b2[0] else nv.pct(v)
        ax2.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {shown}", va="center")
    ax2.invert_yaxis()
    ax2.set_xlabel("% with 3 or more placements")
    ax2.set_xlim(0, max(100, *(v for v in vals if not np.isnan(v))))
    fig = finish(fig, "Placements in the first two years in care", source,
                 note="England's figure is for children looked after two years (DfE, 2024); "
                      "it is not confirmed against the published table.")
    england = f"England {nv.pct(c.value)} ({c.period}, unconfirmed)" if c.known else \
        "no national figure"
    return describe(fig, (
        f"Placements in the first two years in care: "
        f"{nv.count_of(int(h['three_plus']), int(h['cohort']))} had 3 or more placements, "
        f"against {england}. " + ranked_alt(
            "Children by placements", [f"{k} placement{'' if str(k) == '1' else 's'}"
                                       for k in dist["placements"]], dist["children"])))


def distribution_chart(dist: pd.DataFrame, key: str, labels: dict[str, str], title: str,
                       source: str, xlabel: str = "Children") -> Figure:
    apply_style()
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(dist) + 1.4))
    bars = ax.barh([labels.get(k, k) for k in dist[key]], dist["children"],
                   color=OKABE_ITO["sky_blue"])
    _bar_labels(ax, bars, dist["children"])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    count_axis(ax.xaxis)
    return describe(finish(fig, title, source),
                    ranked_alt(title, [labels.get(k, k) for k in dist[key]], dist["children"]))


def plan_flow_chart(flow: pd.DataFrame, source: str) -> Figure:
    """First plan (rows) → plan at two years (stacked segments)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(len(flow), 1) + 1.8))
    left = np.zeros(len(flow))
    rows = [uf.PLAN_LABELS.get(p, p) for p in flow.index]
    for col in flow.columns:
        vals = flow[col].to_numpy()
        ax.barh(rows, vals, left=left, color=PLAN_COLOURS.get(col, GREY),
                label=uf.PLAN_LABELS.get(col, col), edgecolor="white")
        left += vals
    ax.invert_yaxis()
    ax.set_xlabel("Children")
    count_axis(ax.xaxis)
    ax.set_ylabel("First plan")
    ax.legend(title="Plan at two years", loc="upper left", bbox_to_anchor=(1, 1), fontsize=8)
    fig = finish(fig, "From the first permanence plan to the plan at two years", source)
    same = sum(int(flow.loc[p, p]) for p in flow.index if p in flow.columns)
    total = int(flow.to_numpy().sum())
    name = uf.PLAN_LABELS.get
    changed = [f"{name(a, a)} to {name(b, b)} {nv.count(int(flow.loc[a, b]))}"
               for a in flow.index for b in flow.columns if a != b and flow.loc[a, b] > 0]
    return describe(fig, (
        "From the first permanence plan to the plan at two years: "
        f"{nv.count_of(same, total)} kept their first plan"
        + (f"; changes: {'; '.join(changed)}." if changed else "; no plan changed.")))


def first_plan_chart(kids: pd.DataFrame, params: Params, source: str) -> Figure:
    """Days from care entry to the first permanence plan, with the 4-month expectation."""
    apply_style()
    fig, ax = plt.subplots(figsize=(8, 3.2))
    d = kids["days_to_first_plan"].dropna()
    if len(d):
        ax.hist(d, bins=min(20, max(5, len(d))), color=OKABE_ITO["sky_blue"], edgecolor="white")
    std = params.standards.entry_to_iro
    ax.axvline(std.days, color=OKABE_ITO["vermillion"], linestyle="--")
    ax.text(std.days, ax.get_ylim()[1] * 0.95, f" {std.label} ({std.days} days)",
            color=OKABE_ITO["vermillion"], va="top", fontsize=9)
    ax.set_xlabel("Days from care entry to the first permanence plan")
    ax.set_ylabel("Children")
    count_axis(ax.yaxis)
    ax.grid(axis="y")
    fig = finish(fig, "How soon a permanence plan was made", source,
                 note=f"The line: a plan is expected by the second review ({std.label}).")
    within = int(d.le(std.days).sum())
    alt = (f"How soon a permanence plan was made: {nv.count_of(within, len(d))} had a first "
           f"permanence plan within {std.label} ({std.days} days) of entering care"
           + (f"; the median was {d.median():,.0f} days, the longest {d.max():,.0f} days."
              if len(d) else "."))
    return describe(fig, alt)


def summary_sentences(h: dict, params: Params) -> list[str]:
    """Section 0's headline sentences on the under-fives cohort, from its
    ``under_fives.headline`` (``h``)."""
    years = params.under_fives.years_looked_after
    out = [f"{nv.count_of(h['cohort'], h['entrants'])} who entered care under five from "
           f"{window_text(params)} were still looked after {years} years later."]
    if h["cohort"]:
        out.append(f"{nv.count_of(h['three_plus'], h['cohort'])} had "
                   f"{uf.PLACEMENTS_FLAG} or more placements in that time; "
                   f"{nv.children(h['drift'])} {nv.verb(h['drift'], 'is', 'are')} on the "
                   f"section's drift list. {national_note(params)}.")
    return out
