"""Section 5 in words, tables and charts: the adopter's journey (``measures.adopters``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import adopters as ad
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


def households(n: int) -> str:
    return nv.plural(n, "household")


def key_findings(hd: dict, fun: pd.DataFrame, params: Params) -> str:
    """The section's findings in plain English, from ``measures.adopters.headline``."""
    s = params.adopter_standards
    lines = [
        f"In the period {households(hd['enquiries'])} enquired, "
        f"{nv.count(hd['registrations'])} started stage 1 (registration) and "
        f"{nv.count(hd['approved'])} {nv.verb(hd['approved'])} approved as adopters, whenever "
        "they first enquired; the funnel below follows only the households who enquired in "
        "the period, to wherever they have got since, and counts a fast-tracked household "
        "(straight to stage 2) at stage 1 too, so its stage 1 count need not match.",
    ]
    n0 = int(fun["households"].iloc[0]) if len(fun) else 0
    if n0:
        appr = int(fun.set_index("step").loc["approval", "households"])
        lines.append(f"Of the households who enquired in the period, "
                     f"{nv.count_of(appr, n0, 'households')} have reached approval so far.")
    if hd["approval_6m_n"]:
        ft = hd["approval_left_out_fast_track"]
        extra = (f" ({households(ft)} fast-tracked without a stage 1 start left out)"
                 if ft else "")
        lines.append(
            f"{nv.count_of(hd['approval_6m_within'], hd['approval_6m_n'], 'households')} "
            f"approved in the period reached approval within "
            f"{s.approval_from_registration.label} of registration{extra}.")
    if hd["match_n"]:
        k3, k6 = hd["match_3m_within"], hd["match_6m_within"]
        lines.append(
            f"Of {households(hd['match_n'])} matched in the period, {nv.count(k3)} "
            f"({nv.pct_of(hd['match_3m_pct'], k3, hd['match_n'])}) were matched within "
            f"{s.match_from_approval.label} of approval and {nv.count(k6)} "
            f"({nv.pct_of(hd['match_6m_pct'], k6, hd['match_n'])}) within "
            f"{s.match_from_approval_long.label}; {nv.count(hd['a12'])} "
            f"({nv.pct_of(hd['a12_pct'], hd['a12'], hd['match_n'])}) waited more than 3 "
            "months (scorecard A12).")
    if hd["waiting"]:
        lines.append(f"At the reference date {households(hd['waiting'])} approved "
                     f"{nv.verb(hd['waiting'])} waiting to be matched (A11), "
                     f"for a median of {nv.days(hd['waiting_median_days'])} since approval; "
                     f"{households(hd['in_assessment'])} "
                     f"{nv.verb(hd['in_assessment'])} in assessment (A13).")
    else:
        lines.append("At the reference date no approved household was waiting to be matched; "
                     f"{households(hd['in_assessment'])} in assessment (A13).")
    return nv.bullets(lines)


def leaving_sentence(lv: pd.DataFrame) -> str:
    if lv.empty:
        return "No household who enquired in the period has left the process."
    by_step = lv.groupby("step")["households"].sum()
    by_reason = lv.groupby("reason")["households"].sum().sort_values(ascending=False)
    step = by_step.idxmax()
    reason = by_reason.index[0]
    total = int(lv["households"].sum())
    return (f"{households(total)} who enquired in the period left the process; most left at "
            f"{ad.STEP_LABELS[step].lower()} ({nv.count(int(by_step.max()))}), and the most common "
            f"reason given was \u201c{ad.LEFT_REASONS.get(reason, reason)}\u201d "
            f"({nv.count(int(by_reason.iloc[0]))}).")


def display_funnel(fun: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Step": fun["step"].map(ad.STEP_LABELS),
        "Households": fun["households"].astype("int64"),
        "% of the step before": nv.pct_col(fun["conversion_pct"]),
        "% of enquiries": nv.pct_col(fun["of_enquiries_pct"]),
        "Households that left here": fun["left"].astype("int64"),
    })


def display_leavers(lv: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Left at": lv["step"].map(ad.STEP_LABELS),
        "Reason": lv["reason"].map(lambda r: ad.LEFT_REASONS.get(r, r)),
        "Households": lv["households"].astype("int64"),
    })


def display_timeliness(t: pd.DataFrame) -> pd.DataFrame:
    unit = np.where(t["unit"].eq("working_days"), "working days", "days")
    return pd.DataFrame({
        "Step": t["label"],
        "Standard": "within " + t["standard"],
        "Households measured": t["households"].astype("int64"),
        "Median": [f"{nv.number(d)} {u}" if not pd.isna(d) else "–"
                   for d, u in zip(t["median_days"], unit, strict=False)],
        "Households within standard": t["within"].astype("int64"),
        "% within": nv.pct_col(t["within_pct"]),
        "Households left out (no start date)": t["left_out"].astype("int64"),
        "Households left out (dates out of order)": t["left_out_order"].astype("int64"),
    })


def timeliness_note(params: Params) -> str:
    parts = [f"{v.label}: {v.basis}" for _, v in params.adopter_standards.items()]
    return ("Each step is over the households whose step ended in the period. Working days "
            "leave out weekends and England and Wales bank holidays. Standards: "
            + "; ".join(nv.escape(p) for p in parts) + ".")


def display_sufficiency(suf: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Group": suf["group"], "Children or households": suf["count"]})


def display_waiting(w: pd.DataFrame) -> pd.DataFrame:
    bands = pd.cut(w["days_waiting"], [-1, 91, 182, 365, np.inf],
                   labels=["under 3 months", "3 to 6 months", "6 to 12 months", "over a year"])
    counts = bands.value_counts().reindex(bands.cat.categories, fill_value=0)
    return pd.DataFrame({"Waiting since approval": counts.index.astype(str),
                         "Households": counts.to_numpy()})


# -- charts -----------------------------------------------------------------------------------

def funnel_chart(fun: pd.DataFrame, source: str) -> Figure:
    apply_style()
    fig, ax = plt.subplots(figsize=(8, 3.8))
    labels = fun["step"].map(ad.STEP_LABELS)
    bars = ax.barh(labels, fun["households"], color=OKABE_ITO["blue"])
    for bar, n, c in zip(bars, fun["households"], fun["conversion_pct"], strict=False):
        conv = "" if pd.isna(c) else f" ({nv.pct_of(c, n)} of the step before)"
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {nv.count(int(n))}{conv}",
                va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("Households (enquiry in the period)")
    count_axis(ax.xaxis)
    ax.set_xlim(0, max(1, fun["households"].max()) * 1.45)
    fig = finish(fig, "From enquiry to adoption order: households who enquired in the period",
                 source)
    steps = "; ".join(f"{ad.STEP_LABELS.get(s, s)} {nv.count(int(n))}"
                      for s, n in zip(fun["step"], fun["households"], strict=False))
    drop = fun.assign(conv=fun["conversion_pct"]).dropna(subset=["conv"])
    worst = drop.loc[drop["conv"].idxmin()] if len(drop) else None
    lost = (f" The biggest drop is at {ad.STEP_LABELS.get(worst['step'], worst['step'])}: "
            f"{nv.pct_of(worst['conv'], worst['households'])} of the step before went on."
            if worst is not None else "")
    return describe(fig, f"Households from enquiry to adoption order: {steps}.{lost}")


def timeliness_chart(t: pd.DataFrame, source: str) -> Figure:
    apply_style()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    labels = [f"{lab}\n(within {std})" for lab, std in zip(t["label"], t["standard"],
                                                           strict=False)]
    vals = t["within_pct"].fillna(0)
    bars = ax.barh(labels, vals, color=OKABE_ITO["bluish_green"])
    ax.barh(labels, 100 - vals, left=vals, color="#DDDDDD")
    for bar, v, n, k in zip(bars, t["within_pct"], t["households"], t["within"], strict=False):
        ax.text(1, bar.get_y() + bar.get_height() / 2,
                f"{nv.pct_of(v, k, n)} of {nv.count(int(n))}", va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of households within the standard")
    fig = finish(fig, "Adopter timescales against the standards", source)
    parts = [f"{lab} within {std}: {nv.pct_of(v, k, n)} of {nv.count(int(n))} households"
             for lab, std, v, n, k in zip(t["label"], t["standard"], t["within_pct"],
                                          t["households"], t["within"], strict=False)]
    return describe(fig, "Adopter timescales against the standards: " + "; ".join(parts) + ".")


def waiting_chart(w: pd.DataFrame, source: str) -> Figure:
    apply_style()
    fig, ax = plt.subplots(figsize=(8, 3))
    tab = display_waiting(w)
    bars = ax.barh(tab["Waiting since approval"], tab["Households"], color=GREY)
    for bar, n in zip(bars, tab["Households"], strict=False):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {nv.count(int(n))}",
                va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("Approved households waiting to be matched at the reference date")
    count_axis(ax.xaxis)
    fig = finish(fig, "How long approved households have waited to be matched", source)
    return describe(fig, ranked_alt("How long approved households have waited to be matched",
                                    tab["Waiting since approval"], tab["Households"],
                                    noun="households"))


def source_sentence(notes: pd.DataFrame, table: str = "adopters") -> str:
    """Which source gave the households: the kit's template, or Ofsted Annex A list 11."""
    said = notes[notes["topic"].eq("source") & notes["detail"].str.startswith(f"{table}:")]
    if said.empty:
        return ""
    detail = said["detail"].iloc[0].split(": ", 1)[1]
    return f"Source of the households: {nv.escape(detail)}."


def sufficiency_sentence(suf: pd.DataFrame) -> str:
    kids = int(suf["count"].iloc[0])
    hh = int(suf.loc[suf["group"].eq("Approved households waiting to be matched"), "count"]
             .iloc[0])
    if not kids and not hh:
        return "No child with a placement order and no approved household was waiting."
    return (f"At the reference date {nv.children(kids)} with a placement order "
            f"{nv.verb(kids)} waiting to be placed, and {households(hh)} approved "
            f"{nv.verb(hh)} waiting to be matched.")


def summary_sentences(adopters: pd.DataFrame, params: Params) -> list[str]:
    """Section 0's headline sentences on the adopter's journey."""
    if adopters.empty:
        return ["No adopter households were supplied (local/adopters.csv or an Annex A "
                "workbook), so the adopter's journey is not shown."]
    h = ad.as_known(adopters, params)
    hd = ad.headline(h, params)
    s = params.adopter_standards
    out = [f"{households(hd['enquiries'])} enquired and {nv.count(hd['approved'])} "
           f"{nv.verb(hd['approved'])} approved as adopters in the period; "
           f"{nv.count_of(hd['approval_6m_within'], hd['approval_6m_n'], 'households')} "
           f"approved reached approval within {s.approval_from_registration.label} of "
           "registration."]
    if hd["match_n"]:
        out.append(f"{nv.count_of(hd['match_3m_within'], hd['match_n'], 'households')} matched "
                   f"in the period were matched within {s.match_from_approval.label} of "
                   f"approval; {households(hd['waiting'])} approved "
                   f"{nv.verb(hd['waiting'])} waiting to be matched at the "
                   f"reference date (median {nv.days(hd['waiting_median_days'])}).")
    return out
