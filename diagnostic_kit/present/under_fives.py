"""Section 4 in words, tables and charts: children who entered care under five and were still
looked after two years later (``measures.under_fives``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import under_fives as uf
from diagnostic_kit.measures.cohorts import share
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.charts import (
    GREY,
    LIGHT_GREY,
    OKABE_ITO,
    apply_style,
    count_axis,
    describe,
    finish,
    ranked_alt,
)
from diagnostic_kit.registry import table_anchor

PLAN_COLOURS = {
    "reunification": OKABE_ITO["sky_blue"], "adoption": OKABE_ITO["blue"],
    "long_term_fostering": OKABE_ITO["orange"], "special_guardianship": OKABE_ITO["bluish_green"],
    "child_arrangements_order": OKABE_ITO["reddish_purple"],
    "placement_with_parents": OKABE_ITO["yellow"], "other": GREY, "none": "#DDDDDD",
}


def window_text(params: Params) -> str:
    start, end = uf.cohort_window(params)
    return f"{nv.date_text(start)} to {nv.date_text(end)}"


def _unconfirmed(params: Params) -> bool:
    return not params.comparators.three_plus_placements_pct.confirmed


def national_note(params: Params) -> str:
    c = params.comparators.three_plus_placements_pct
    return (f"England: {nv.pct(c.value)} of children looked after for two years had three or "
            f"more placements in that time, {c.period}"
            + (", a figure not confirmed against the published table" if not c.confirmed
               else ""))


def _years(table: pd.DataFrame) -> pd.DataFrame:
    """The entry-year rows of ``measures.under_fives.by_entry_year`` (not the pooled one)."""
    return table[table["entry_year"].ne(uf.POOLED)]


def years_span(table: pd.DataFrame) -> str:
    """"2020-21 to 2023-24", or the one year."""
    ys = list(_years(table)["entry_year"])
    return "" if not ys else ys[0] if len(ys) == 1 else f"{ys[0]} to {ys[-1]}"


def no_cohort_text(params: Params) -> str:
    """Why there is no cohort at all: the returns loaded start after the latest window."""
    years = params.under_fives.years_looked_after
    return (f"No entry year can be followed for {years} years: the latest, "
            f"{window_text(params)}, starts before the SSDA903 returns loaded, which hold only "
            "the children still in care when they start. Load the returns from that year on "
            "to see this section's cohorts.")


def _each_year(table: pd.DataFrame, key: str) -> str:
    """"7 of 16 (44%) who entered in 2020-21, 0 of 13 (0%) in 2021-22 and 3 of 7 (43%) in
    2023-24"."""
    rows = _years(table)
    parts = [f"{_k_of(int(r[key]), int(r['cohort']))} "
             f"{'who entered in ' if i == 0 else 'in '}{r['entry_year']}"
             for i, (_, r) in enumerate(rows.iterrows())]
    return nv.plain_list(parts)


def _years_and_pooled(table: pd.DataFrame, key: str) -> str:
    """Each entry year's count of the cohort, then the pooled one: "7 of 16 (44%) who entered
    in 2020-21 and 3 of 7 (43%) in 2021-22; over the 2 entry years together, 10 of 23
    children (43%)"; "none in any entry year (47 children)" when every year has none."""
    p = uf.pooled(table)
    n_years = len(_years(table))
    if not int(p[key] or 0):
        return (f"none in any entry year ({nv.children(int(p['cohort']))})" if n_years > 1
                else f"none of the {nv.children(int(p['cohort']))}")
    if n_years == 1:
        return _each_year(table, key)
    return (f"{_each_year(table, key)}; over the {n_years} entry years together, "
            f"{nv.count_of(int(p[key]), int(p['cohort']))}")


def _k_of(k: int, n: int) -> str:
    """"7 of 16 (44%)", the % left out when either count is suppressed."""
    if nv.suppressed(k) or nv.suppressed(n):
        return f"{nv.count(k)} of {nv.count(n)}"
    return f"{nv.number(k)} of {nv.number(n)} ({nv.pct(share(k, n))})"


def by_year_findings(table: pd.DataFrame, params: Params, plans_given: bool = True) -> str:
    """Each entry year's figures and the pooled ones (computed over every cohort child
    together), in plain English, from ``measures.under_fives.by_entry_year`` (``table``)."""
    years = params.under_fives.years_looked_after
    rows = _years(table)
    if rows.empty:
        return nv.bullets([no_cohort_text(params)])
    p = uf.pooled(table)
    each = nv.plain_list([f"{_k_of(int(r['cohort']), int(r['entrants']))} in {r['entry_year']}"
                          for _, r in rows.iterrows()])
    lines = [
        f"Children who entered care under five are followed for {years} years, one cohort for "
        "each year of entry whose children have all reached the anniversary and whose "
        f"entrants are all in the returns loaded: {years_span(table)}. "
        + (f"Together, {nv.count_of(int(p['cohort']), int(p['entrants']))} who entered care "
           f"under five were still looked after {years} years later ({each})." if len(rows) > 1
           else f"{nv.count_of(int(p['cohort']), int(p['entrants']))} who entered care under "
                f"five were still looked after {years} years later.")
    ]
    if not p["cohort"]:
        return nv.bullets(lines + ["With no child in any cohort, nothing more can be said."])
    lines.append(f"{uf.PLACEMENTS_FLAG} or more placements in their first {years} years: "
                 f"{_years_and_pooled(table, 'three_plus')}. {national_note(params)}.")
    split = [w for w in (_on("C1", int(p["c1"])), _on("V2", int(p["v2"]))) if w]
    lines.append(
        "Still on an interim care order (C1) or accommodated under s20 (V2) on the "
        "anniversary, which is drift (care proceedings are to finish within 26 weeks, and s20 "
        "is not meant to hold a young child's care for years): "
        f"{_years_and_pooled(table, 'ls_drift')}"
        + (f", {nv.plain_list(split)}." if split else "."))
    if plans_given:
        lines.append(f"No permanence plan by the anniversary: "
                     f"{_years_and_pooled(table, 'no_plan')}. Plan changed more than "
                     f"{uf.LATE_CHANGE_MONTHS} months after entering care: "
                     f"{_years_and_pooled(table, 'late_change')}.")
    lines.append(f"On the drift list (any of these): {_years_and_pooled(table, 'drift')}.")
    return nv.bullets(lines)


def _on(code: str, k: int) -> str:
    return (f"{nv.count(k)} on an interim care order" if code == "C1" else
            f"{nv.count(k)} under s20") if k else ""


def key_findings(h: dict, params: Params, plans_given: bool = True) -> str:
    """The latest cohort's findings in plain English, from
    ``measures.under_fives.headline``."""
    years = params.under_fives.years_looked_after
    if h.get("entry_year", "") is None:
        return nv.bullets([no_cohort_text(params)])
    lines = [
        f"The latest cohort: {nv.children(h['entrants'])} entered care under five from "
        f"{window_text(params)}; {nv.count_of(h['cohort'], h['entrants'])} were still looked "
        f"after {years} years later."
    ]
    if not h["cohort"]:
        return nv.bullets(lines + ["With no child in the latest cohort, the tables and charts "
                                   "below are empty: nothing more can be said of it."])
    # England's figure is given once, with every entry year above.
    lines.append(
        f"{nv.count_of(h['three_plus'], h['cohort'])} had {uf.PLACEMENTS_FLAG} or more "
        f"placements in their first {years} years.")
    lines.append(
        f"{nv.count_of(h['ls_drift'], h['cohort'])} {nv.verb(h['ls_drift'])} still on an "
        "interim care order (C1) or accommodated under s20 (V2) on the anniversary.")
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
    lines.append(f"{nv.count(h['drift'])} of them {nv.verb(h['drift'], 'is', 'are')} on the "
                 "drift list.")
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
    """How many cohort children, of every entry year, are on the drift list, and the most
    common reason."""
    reasons = uf.drift_reasons(kids)
    on = int(kids["on_drift_list"].sum()) if len(kids) else 0
    if not on:
        return ("No child in any cohort had 3 or more placements, no plan, a late change of "
                "plan, or an interim care order or s20 at two years.")
    top = reasons.sort_values("children", ascending=False, kind="stable").iloc[0]
    return (f"{nv.children(on)} of every entry year {nv.verb(on, 'is', 'are')} on the drift "
            f"list; the most common reason is {top['reason']} "
            f"({nv.children(int(top['children']))}).")


def drift_list_pointer(kids: pd.DataFrame, params: Params) -> str:
    """Where the drift list is, child by child: in the technical annex (it is a working list,
    not a board's reading), or "" where there is none or suppression leaves it out."""
    if not len(kids) or not int(kids["on_drift_list"].sum()) or params.suppress_below:
        return ""
    href = table_anchor(uf.KEY, uf.EVIDENCE["drift_list"])
    return (f"The list, the latest entry year first, with why each child is on it, is in the "
            f"technical annex ([the drift list]({href})).")


def _k_pct_col(k: pd.Series, n: pd.Series) -> list[str]:
    return [_k_of(int(a), int(b)) if b else nv.count(int(a)) for a, b in zip(k, n, strict=True)]


def display_by_entry_year(table: pd.DataFrame, plans_given: bool = True) -> pd.DataFrame:
    """One row per entry year and the pooled row: entrants, the cohort (of the entrants) and
    each drift count (of the cohort), as "7 of 16 (44%)"."""
    n = table["cohort"]
    out = {
        "Entered care (year)": table["entry_year"].astype(str),
        "Children entering under five": table["entrants"].astype("int64"),
        "Still looked after at two years": _k_pct_col(table["cohort"], table["entrants"]),
        f"{uf.PLACEMENTS_FLAG}+ placements": _k_pct_col(table["three_plus"], n),
    }
    if plans_given:
        out["No plan by the anniversary"] = _k_pct_col(table["no_plan"], n)
        out[f"Plan changed after {uf.LATE_CHANGE_MONTHS} months"] = _k_pct_col(
            table["late_change"], n)
    out["Interim care order (C1) or s20 (V2) at two years"] = _k_pct_col(table["ls_drift"], n)
    out["On the drift list"] = _k_pct_col(table["drift"], n)
    return pd.DataFrame(out)


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
    """One row per cohort child (or per child on the drift list, with the reasons and the
    entry year, the latest first, without same-carer moves), by pseudonym."""
    k = kids[kids["on_drift_list"]] if drift_only else kids
    if drift_only and len(k):
        k = k.sort_values("entry_year", ascending=False, kind="stable")
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
        out.insert(2, "Entry year", k["entry_year"].astype(str).to_numpy())
        # Not a drift reason, and the list must fit a laptop's width with the entry year.
        out = out.drop(columns="Same-carer moves")
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
    # The latest cohort only (the headline table pools every entry year): said on the bar.
    names = [f"This {nv.unit(params)},\n{h['entry_year']} entrants",
             f"England {c.period}" + ("\n(unconfirmed)" if _unconfirmed(params) else "")]
    b2 = ax2.barh(names, [0 if np.isnan(v) else v for v in vals],
                  color=[OKABE_ITO["vermillion"], GREY])
    for bar, v in zip(b2, vals, strict=False):
        shown = nv.pct_of(v, h["three_plus"], h["cohort"]) if bar is b2[0] else nv.pct(v)
        ax2.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {shown}", va="center")
    ax2.invert_yaxis()
    ax2.set_xlabel("% with 3 or more placements")
    ax2.set_xlim(0, max(100, *(v for v in vals if not np.isnan(v))))
    fig = finish(fig, "Placements in the first two years in care", source,
                 note=f"England's figure is for children looked after two years ({c.period})"
                      + ("; it is not confirmed against the published table."
                         if _unconfirmed(params) else "."))
    england = (f"England {nv.pct(c.value)} ({c.period}"
               + (", unconfirmed)" if _unconfirmed(params) else ")")) if c.known else \
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
           + (f"; the median was {nv.days(d.median())}, the longest {nv.days(d.max())}."
              if len(d) else "."))
    return describe(fig, alt)


def by_year_chart(table: pd.DataFrame, params: Params, source: str) -> Figure:
    """Per entry year and pooled: the share of the cohort with 3+ placements and the share on
    an interim care order or s20 at two years, with England's 3+ figure."""
    apply_style()
    rows = table.reset_index(drop=True)  # oldest year at the top, the pooled row last
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(rows) + 1.8))
    y = np.arange(len(rows))
    h = 0.38
    series = [("three_plus", f"{uf.PLACEMENTS_FLAG} or more placements", OKABE_ITO["blue"]),
              ("ls_drift", "interim care order (C1) or s20 (V2) at two years",
               OKABE_ITO["vermillion"])]
    for i, (key, label, colour) in enumerate(series):
        pct = rows[f"{key}_pct"].fillna(0).to_numpy()
        bars = ax.barh(y + (i - 0.5) * h, pct, height=h, color=colour, label=label)
        for bar, k, n in zip(bars, rows[key], rows["cohort"], strict=True):
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                    f" {_k_of(int(k), int(n))}", va="center", fontsize=8)
    c = params.comparators.three_plus_placements_pct
    if c.known:
        ax.axvline(c.value, color=GREY, linestyle="--")
        ax.text(c.value, -0.75, f" England {nv.pct(c.value)} ({c.period}"
                + (", unconfirmed" if _unconfirmed(params) else "") + "), 3+ placements",
                color="#444444", fontsize=8, va="center")
    ax.axhline(len(rows) - 1.5, color=LIGHT_GREY, linewidth=1)  # the years above, pooled below
    ax.set_yticks(y, [str(v) for v in rows["entry_year"]])
    ax.set_ylim(len(rows) - 0.4, -1.0)  # inverted: the first row at the top
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the cohort (children still looked after at two years)")
    ax.set_ylabel("Entered care (year)")
    ax.legend(loc="lower right", fontsize=8)
    fig = finish(fig, "Drift in the first two years, by year of entry", source,
                 note="Each bar is a share of that year's cohort (all entry years: of every "
                      "cohort child together)." + (" England's figure is not confirmed against "
                                                  "the published table."
                                                  if _unconfirmed(params) else ""))
    p = uf.pooled(table)
    alt = (f"Drift in the first two years, by year of entry ({years_span(table)}): "
           + "; ".join(f"{r['entry_year']}: {_k_of(int(r['three_plus']), int(r['cohort']))} "
                       f"with 3 or more placements, {_k_of(int(r['ls_drift']), int(r['cohort']))}"
                       " on an interim care order or s20"
                       for _, r in _years(table).iterrows())
           + f"; all entry years: {_k_of(int(p['three_plus']), int(p['cohort']))} and "
             f"{_k_of(int(p['ls_drift']), int(p['cohort']))}.")
    return describe(fig, alt)


def summary_sentences(h: dict, params: Params, table: pd.DataFrame | None = None
                      ) -> list[str]:
    """Section 0's headline sentences on the under-fives: the latest cohort's, from its
    ``under_fives.headline`` (``h``), and, with ``table`` (``by_entry_year``), the pooled
    figures over every entry year."""
    years = params.under_fives.years_looked_after
    if h.get("entry_year", "") is None:
        return [no_cohort_text(params)]
    out = [f"{nv.count_of(h['cohort'], h['entrants'])} who entered care under five from "
           f"{window_text(params)} were still looked after {years} years later."]
    if h["cohort"]:
        out.append(f"{nv.count_of(h['three_plus'], h['cohort'])} had "
                   f"{uf.PLACEMENTS_FLAG} or more placements in that time; "
                   f"{nv.count(h['drift'])} of them {nv.verb(h['drift'], 'is', 'are')} on "
                   f"the section's drift list. {national_note(params)}.")
    if table is not None and len(_years(table)) > 1:
        p = uf.pooled(table)
        out.append(f"Over the entry years {years_span(table)} together, "
                   f"{nv.count_of(int(p['three_plus']), int(p['cohort']))} still looked after "
                   f"{years} years later had {uf.PLACEMENTS_FLAG} or more placements, and "
                   f"{_k_of(int(p['ls_drift']), int(p['cohort']))} were still on an interim "
                   "care order or accommodated under s20 on the anniversary.")
    return out


def latest_label(h: dict) -> str:
    """The latest cohort's entry year for a title ("2023-24")."""
    return str(h.get("entry_year") or "the latest entry year")
