"""Children still waiting in words and tables (``measures.waiting``): what the finished-journey
measures leave out, the curves' message, and the reader tables. Every number comes from the
estimates; counts go through the narrative's suppression."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import waiting as wt
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.charts import (
    DEFAULT_SOURCE,
    GREY,
    OKABE_ITO,
    apply_style,
    describe,
    finish,
)
from diagnostic_kit.present.timescales import STAGE_LABELS

#: Each way out of waiting, for readers.
OUTCOME_LABELS: dict[str, str] = {
    "placed": "Placed with adopters",
    "plan_changed": "Decision reversed or plan changed",
    "sgo": "Special guardianship order",
    "home": "Returned home",
    "left_care": "Left care another way",
    "waiting": "Still waiting",
}
#: What happened instead, for readers.
INSTEAD_LABELS: dict[str, str] = {
    "new_decision": "A new decision to place for adoption",
    "sgo": "Special guardianship order",
    "home": "Returned home",
    "cao": "Child arrangements order",
    "left_care": "Left care another way",
    "looked_after": "Still looked after (e.g. long-term fostering)",
}
#: Each clock, for readers.
ORIGIN_LABELS = {"adm": "From the ADM decision", "po": "From the placement order",
                 "entry": "From care entry"}


def months(days: float) -> str:
    """Days as months to one decimal: ``months(365) == "12.0 months"``."""
    if nv._missing(days):
        return "– months"
    return f"{nv.number(days / wt.MONTH_DAYS, 1)} months"


def _share(e: wt.Estimate, m: int) -> float:
    d = wt.month_days(m)
    return 100 * e.at(d) if e.followed(d) else np.nan


def left_out_sentence(w: wt.Waiting, journeys: pd.DataFrame, params: Params) -> str:
    """What A1 and the stage statistics leave out, e.g. "A1 counts the 55 children adopted in
    the period; 21 more with an ADM decision in the same years are still waiting at 31 March
    2026, 3 of them 18 months or more since the decision, and 9 left the adoption route
    another way. 4 more whose decision was before the period are still waiting." """
    a = wt.left_out_of_a1(w, params, journeys)
    ref = nv.date_text(w.censor)
    text = (f"A1, A10, A2 and the stage statistics count only finished journeys: A1 counts "
            f"the {nv.children(a['adopted'])} adopted in the period. "
            f"{nv.count(a['waiting']).capitalize()} more with an ADM decision in the same "
            f"years {nv.verb(a['waiting'], 'is', 'are')} still waiting at {ref}")
    text += (f", {nv.count(a['waiting_18m'])} of them 18 months or more since the decision"
             if a["waiting_18m"] else ", none of them yet 18 months since the decision")
    text += (f", and {nv.count(a['left'])} left the adoption route another way."
             if a["left"] else ".")
    if a["before"]:
        text += (f" {nv.children(a['before']).capitalize()} whose decision was made before the "
                 f"period {nv.verb(a['before'], 'is', 'are')} still waiting too.")
    return text


def curve_sentences(w: wt.Waiting, params: Params) -> list[str]:
    """The curves in words: the shares placed within 6, 12 and 18 months of the decision,
    the median, the Kaplan–Meier comparison, and each year of decision."""
    e = w.all("adm")
    if not e.children:
        return ["No child had an ADM decision in the period."]
    ref = nv.date_text(w.censor)
    left = sum(e.counts[o] for o in wt.OUTCOMES[1:])
    shares = []
    for m in wt.WITHIN_MONTHS:
        v = _share(e, m)
        if not np.isnan(v):
            shares.append(f"{nv.pct_of(v, e.children, e.counts['placed'])} within {m} months")
    d12 = wt.month_days(12)
    out = []
    text = (f"Of the {nv.children(e.children)} with an ADM decision in the period, an "
            f"estimated {nv.plain_list(shares) or 'share not yet known'} of the decision were "
            "placed with adopters, counting the "
            f"{nv.count(e.counts['waiting'])} still waiting (followed to {ref}) and the "
            f"{nv.count(left)} who left another way")
    if e.followed(d12):
        placed = e.counts["placed"]
        text += (f" (12 months: 95% interval "
                 f"{nv.pct_of(100 * e.at(d12, 'low'), e.children, placed)} to "
                 f"{nv.pct_of(100 * e.at(d12, 'high'), e.children, placed)})")
    out.append(text + ".")
    med, lo, hi = e.median()
    if np.isnan(med):
        out.append(f"The median time to placement is not reached: "
                   f"{wt.median_reason(e).removeprefix('not reached: ')}.")
    else:
        interval = (f"{nv.days(lo)} to {nv.days(hi)}" if not np.isnan(hi)
                    else f"{nv.days(lo)} to not yet reached")
        out.append(f"Half the children had been placed {nv.days(med)} ({months(med)}) after "
                   f"the decision (95% interval {interval}).")
    if e.followed(d12) and "km_placed" in e.curves:
        km = 100 * e.at(d12, "km_placed")
        out.append(f"Counting the children whose plan changed as if they might still be "
                   f"placed (Kaplan–Meier) would give "
                   f"{nv.pct_of(km, e.children, e.counts['placed'])} within 12 "
                   "months: that figure overstates, as those children cannot be placed on this "
                   "decision.")
    years = []
    for year, ey in w.estimates["adm"].items():
        if year == wt.ALL:
            continue
        v = _share(ey, 12)
        years.append(f"{year}: {nv.pct_of(v, ey.children, ey.counts['placed'])} "
                     f"({nv.children(ey.children)})"
                     if not np.isnan(v) else
                     f"{year}: too recent for 12 months ({nv.children(ey.children)}, "
                     f"followed at most {months(ey.followed_days)})")
    if years:
        out.append("Placed within 12 months, by year of decision: " + "; ".join(years) + ".")
    return out


def outcome_sentence(w: wt.Waiting) -> str:
    """What had happened 12 months after the decision (or at the end of the follow-up), every
    way out: "12 months after the decision, an estimated 54% of the children had been placed
    with adopters, 7% had their decision reversed or plan changed, ... and 31% were still
    waiting." """
    e = w.all("adm")
    if not e.children:
        return "No child had an ADM decision in the period."
    d12 = wt.month_days(12)
    d = d12 if e.followed(d12) else len(e.curves) - 1
    when = "12 months" if d == d12 else months(d)

    def p(col: str) -> str:
        # Each share rests on its own count of children (suppressed when small).
        k = e.counts["waiting"] if col == "waiting" else e.counts[col.removeprefix("cif_")]
        return nv.pct_of(100 * e.at(d, col), e.children, k)

    return (f"{when} after the decision, an estimated {p('cif_placed')} of the children had "
            f"been placed with adopters, {p('cif_plan_changed')} had their decision reversed or "
            f"plan changed, {p('cif_sgo')} had a special guardianship order, {p('cif_home')} "
            f"had returned home, {p('cif_left_care')} had left care another way and "
            f"{p('waiting')} were still waiting (together, every child).")


def flow_sentences(flows: pd.DataFrame, counts: dict, changes: pd.DataFrame,
                   params: Params) -> list[str]:
    """The flow and waiting counts in words."""
    whole = flows.set_index("year").loc["Whole period"]
    ref = nv.date_text(params.reference_date)
    out = [f"{nv.plural(int(whole['adm_decisions']), 'new ADM decision')} "
           f"({nv.children(int(whole['children_decided']))}) and "
           f"{nv.plural(int(whole['placement_orders']), 'new placement order')} in the "
           f"period; {nv.plural(int(whole['reversed']), 'decision')} reversed in the period, "
           "whenever made (the curves above follow only the decisions of the period)."]
    po = int(counts["po_not_placed"])
    text = (f"At {ref}, {nv.children(int(counts['adm_not_placed']))} with an ADM decision "
            f"{nv.verb(int(counts['adm_not_placed']))} not yet placed, "
            f"{nv.count(po)} of them with a placement order")
    if po:
        m12, m18 = int(counts["po_12m"]), int(counts["po_18m"])
        text += (f" (a median of {nv.days(counts['po_median_days'])} since it; "
                 + (f"{nv.count(m12)} of them 12 months or more, "
                    f"**{nv.count(m18)} of those 18 months or more**)" if m12 else
                    "none of them 12 months or more)"))
    out.append(text + ".")
    if len(changes):
        k = changes["instead"].value_counts()
        parts = [f"{INSTEAD_LABELS[i].lower()} {nv.count(int(k[i]))}" for i in wt.INSTEAD
                 if k.get(i, 0)]
        out.append(f"{nv.children(len(changes)).capitalize()} had their plan changed away from "
                   f"adoption in the period; instead: {nv.plain_list(parts)}.")
    return out


# -- reader tables ------------------------------------------------------------------------------

def _ci(v: pd.Series, lo: pd.Series, hi: pd.Series) -> pd.Series:
    """A % with its interval: "54% (40–67%)", "–" where unknown."""
    out = []
    for a, b, c in zip(v, lo, hi, strict=True):
        if pd.isna(a):
            out.append("–")
        elif pd.isna(b) or pd.isna(c):
            out.append(nv.pct(a))
        else:
            out.append(f"{nv.pct(a)} ({nv.number(b)}–{nv.pct(c)})")
    return pd.Series(out, index=v.index, dtype="object")


def _median(t: pd.DataFrame) -> pd.Series:
    out = []
    for m, lo, hi in zip(t["median"], t["median_low"], t["median_high"], strict=True):
        if pd.isna(m):
            out.append("not reached")
            continue
        high = "not reached" if pd.isna(hi) else nv.number(hi)
        low = "–" if pd.isna(lo) else nv.number(lo)
        out.append(f"{nv.number(m)} ({low}–{high})")
    return pd.Series(out, index=t.index, dtype="object")


def display_estimates(t: pd.DataFrame) -> pd.DataFrame:
    """``measures.waiting.estimate_table`` for readers: by year of decision."""
    return pd.DataFrame({
        "Year of decision": t["cohort"],
        "Children": t["children"],
        "Placed": t["placed"],
        "Left another way": t[list(wt.OUTCOMES[1:])].sum(axis=1),
        "Still waiting": t["waiting"],
        **{f"% placed within {m} months (95% interval)": _ci(
            t[f"within_{m}"], t[f"within_{m}_low"], t[f"within_{m}_high"])
           for m in wt.WITHIN_MONTHS},
        "Median days to placement (95% interval)": _median(t),
    })


def display_outcomes(t: pd.DataFrame) -> pd.DataFrame:
    """How each year's children left the waiting, every way out."""
    return pd.DataFrame({"Year of decision": t["cohort"], "Children": t["children"],
                         **{OUTCOME_LABELS[o]: t[o] for o in (*wt.OUTCOMES, "waiting")}})


def display_origins(t: pd.DataFrame) -> pd.DataFrame:
    """``measures.waiting.origins_table`` for readers: each clock, all years together."""
    return pd.DataFrame({
        "Clock starts at": t["origin"].map(ORIGIN_LABELS),
        "Children": t["children"], "Placed": t["placed"],
        "Left another way": t["left_another_way"], "Still waiting": t["waiting"],
        **{f"% placed within {m} months": _ci(t[f"within_{m}"], t[f"within_{m}_low"],
                                               t[f"within_{m}_high"])
           for m in wt.WITHIN_MONTHS},
        "Median days (95% interval)": _median(t),
    })


def display_flows(f: pd.DataFrame) -> pd.DataFrame:
    """``measures.waiting.flows`` for readers."""
    return pd.DataFrame({
        "Year": f["year"], "New ADM decisions": f["adm_decisions"],
        "Children with a new decision": f["children_decided"],
        "New placement orders": f["placement_orders"],
        "Children placed for adoption": f["placed"], "Children adopted": f["adopted"],
        "Decisions reversed": f["reversed"],
        "Children waiting at the year's end": f["waiting_end"],
        "… of them with a placement order": f["po_waiting_end"],
    })


def display_instead(counts: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"What happened instead": counts["instead"].map(INSTEAD_LABELS),
                         "Children": counts["children"], "%": nv.pct_col(counts["pct"])})


def display_legacy(legacy: pd.DataFrame) -> pd.DataFrame:
    """The children waiting longest, by pseudonym, with the stage each is stuck at."""
    yes = {True: "yes", False: "no"}
    return pd.DataFrame({
        "Child": legacy["pseudonym"], "Stuck at": legacy["stage"].map(STAGE_LABELS),
        "Days since ADM decision": nv.whole_col(legacy["days_since_adm"]),
        "Days since placement order": nv.whole_col(legacy["days_since_po"]),
        "Days since care entry": nv.whole_col(legacy["days_since_entry"]),
        "18+ months since the decision": legacy["adm_18m_plus"].map(yes),
        "18+ months since the order": legacy["po_18m_plus"].map(yes),
    })


def estimates_note() -> str:
    """The note under the estimates table: how the figures are made."""
    return ("Every child with an ADM decision in the period counts once, from the decision to "
            "the adoptive placement. A child still waiting is followed to the reference date "
            "(censored); a child whose decision was reversed or plan changed, or who left care "
            "by a special guardianship order, a return home or otherwise, cannot be placed on "
            "this decision and counts as not placed (cumulative incidence, Aalen–Johansen). A "
            "share at a time no child of the year had been followed to is left blank. The 95% "
            "intervals are wide on few children.")


# -- section 2: children still waiting ----------------------------------------------------------

#: One colour per year of decision, in order (the latest the darkest), and all years together.
COHORT_COLOURS = (OKABE_ITO["orange"], OKABE_ITO["bluish_green"], OKABE_ITO["reddish_purple"],
                  OKABE_ITO["sky_blue"], OKABE_ITO["vermillion"])
#: One colour per way out of waiting (``measures.waiting.OUTCOMES``), and still waiting.
OUTCOME_COLOURS = {"placed": OKABE_ITO["blue"], "plan_changed": OKABE_ITO["orange"],
                   "sgo": OKABE_ITO["reddish_purple"], "home": OKABE_ITO["sky_blue"],
                   "left_care": GREY, "waiting": "#E4E4E4"}


def _month_axis(ax, last: float) -> None:
    """Months since the clock started, ticks every 6 months, faint lines at 6, 12 and 18."""
    top = max(6.0, float(np.ceil(last / 6) * 6))
    ax.set_xlim(0, top)
    ax.set_xticks(np.arange(0, top + 0.1, 6))
    for m in (6, 12, 18):
        if m < top:
            ax.axvline(m, color="#BBBBBB", linewidth=0.8, linestyle=(0, (1, 2)), zorder=0)
    ax.grid(axis="y", color="#E5E5E5")
    ax.grid(axis="x", visible=False)


def waiting_curves_alt(curves: pd.DataFrame, table: pd.DataFrame) -> str:
    """The curves' message: all years' share placed within 6, 12 and 18 months with its
    interval, each year's at 12 months, and the median."""
    from diagnostic_kit.measures import waiting as wt

    if table.empty or not int(table["children"].sum()):
        return "Time to an adoptive placement from the ADM decision: no child had a decision."
    rows = table.set_index("cohort")
    parts = []
    for year, r in rows.iterrows():
        bits = [f"{m} months {nv.pct_of(r[f'within_{m}'], r['children'])}"
                + (f" (95% interval {nv.number(r[f'within_{m}_low'])} to "
                   f"{nv.pct(r[f'within_{m}_high'])})" if pd.notna(r[f"within_{m}_low"])
                   and year == wt.ALL else "")
                for m in wt.WITHIN_MONTHS if pd.notna(r[f"within_{m}"])]
        med = ("median not reached" if pd.isna(r["median"])
               else f"median {nv.number(r['median'])} days")
        parts.append(f"{year} ({nv.children(int(r['children']))}): "
                     + (", ".join(bits) if bits else "too recent to say") + f"; {med}")
    return ("Share of children placed with adopters by months since the ADM decision, counting "
            "the children still waiting and those who left another way: " + "; ".join(parts)
            + ".")


def waiting_curves_chart(curves: pd.DataFrame, table: pd.DataFrame,
                         source: str = DEFAULT_SOURCE, *,
                         title: str = "Time to an adoptive placement from the ADM decision, "
                                      "by year of decision") -> Figure:
    """The cumulative incidence of an adoptive placement by months since the ADM decision
    (``measures.waiting.curves_long``), one line per year of decision with its 95% band, and
    all years together (black); each line stops where its follow-up does. ``table`` is
    ``measures.waiting.estimate_table`` (for the legend's counts and the alt text)."""
    from diagnostic_kit.measures import waiting as wt

    apply_style()
    fig, ax = plt.subplots(figsize=(9, 4.4))
    years = [y for y in dict.fromkeys(curves["cohort"]) if y != wt.ALL]
    counts = table.set_index("cohort")["children"].to_dict() if len(table) else {}
    last = float(curves["months"].max()) if len(curves) else 6.0
    for i, year in enumerate([*years, wt.ALL]):
        c = curves.loc[curves["cohort"].eq(year)]
        if c.empty:
            continue
        every = year == wt.ALL
        colour = "black" if every else COHORT_COLOURS[i % len(COHORT_COLOURS)]
        x = c["months"].to_numpy(dtype=float)
        ax.step(x, 100 * c["cif"].to_numpy(dtype=float), where="post", color=colour,
                linewidth=2.6 if every else 2.0, linestyle="-" if every else (0, (5, 1.5)),
                label=f"{'All years' if every else year} ({nv.children(int(counts.get(year, 0)))})",
                zorder=3 if every else 2)
        if "low" in c and c["low"].notna().any():
            ax.fill_between(x, 100 * c["low"].to_numpy(dtype=float),
                            100 * c["high"].to_numpy(dtype=float), step="post", color=colour,
                            alpha=0.12 if every else 0.07, linewidth=0)
    _month_axis(ax, last)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% placed with adopters")
    ax.set_xlabel("Months since the ADM decision")
    ax.legend(loc="upper left", fontsize=9, title="Year of decision", title_fontsize=9)
    note = ("Each line is the share of that year's children placed by then, counting those "
            "still waiting and those who left another way (cumulative incidence); the shaded "
            "band is its 95% interval, and a line stops where that year's follow-up ends.")
    fig = finish(fig, title, source, note=note)
    return describe(fig, waiting_curves_alt(curves, table))


def waiting_outcomes_alt(outcomes: pd.DataFrame) -> str:
    """The stacked chart's message: every way out at 6, 12 and 18 months."""
    from diagnostic_kit.measures import waiting as wt
    from diagnostic_kit.present.waiting import OUTCOME_LABELS

    if outcomes.empty:
        return "What happened after the ADM decision: no child had a decision."
    parts = []
    for m in wt.WITHIN_MONTHS:
        d = wt.month_days(m)
        if d >= len(outcomes):
            continue
        r = outcomes.iloc[d]
        bits = [f"{OUTCOME_LABELS[o].lower()} {nv.pct(100 * r[f'cif_{o}'])}"
                for o in wt.OUTCOMES] + [f"still waiting {nv.pct(100 * r['waiting'])}"]
        parts.append(f"at {m} months: " + ", ".join(bits))
    return ("What happened to the children after the ADM decision, all years together: "
            + "; ".join(parts) + ".")


def waiting_outcomes_chart(outcomes: pd.DataFrame, source: str = DEFAULT_SOURCE, *,
                           title: str = "What happened after the ADM decision: every way out "
                                        "of waiting") -> Figure:
    """Each way out of waiting (Aalen–Johansen cumulative incidence) and still waiting
    (Kaplan–Meier), stacked so that each month adds up to every child
    (``measures.waiting.outcome_curves``)."""
    from diagnostic_kit.measures import waiting as wt
    from diagnostic_kit.present.waiting import OUTCOME_LABELS

    apply_style()
    fig, ax = plt.subplots(figsize=(9, 4.6))
    if len(outcomes):
        x = outcomes["months"].to_numpy(dtype=float)
        keys = [*wt.OUTCOMES, "waiting"]
        ys = [100 * outcomes[f"cif_{o}" if o != "waiting" else "waiting"].to_numpy(dtype=float)
              for o in keys]
        ax.stackplot(x, *ys, colors=[OUTCOME_COLOURS[k] for k in keys], step="post",
                     labels=[OUTCOME_LABELS[k] for k in keys], edgecolor="white",
                     linewidth=0.3)
        _month_axis(ax, float(x.max()))
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of the children")
    ax.set_xlabel("Months since the ADM decision")
    # Above the plot, three to a row, so that the plot keeps the chart's width on a phone.
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=3,
              fontsize=9, handlelength=1.2, columnspacing=1.2)
    fig = finish(fig, title, source, note="Placed and the other ways out are cumulative "
                 "incidences (Aalen–Johansen); still waiting is the Kaplan–Meier estimate of "
                 "not having left by then. Together they make every child with a decision.")
    return describe(fig, waiting_outcomes_alt(outcomes))
