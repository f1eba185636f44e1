"""Section 0 in words: the headline table and sentences, from ``measures.summary.headlines``."""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import summary
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.timescales import STAGE_LABELS, period_label, scorecard_labels


def _finding(key: str, params: Params) -> str:
    labels = scorecard_labels(params)
    if key in labels:
        return labels[key]
    if key.startswith("stage_"):
        return f"{STAGE_LABELS[key.removeprefix('stage_')]} (median days)"
    return {
        "children_adopted": "Children adopted in the period",
        "adopted_share_of_leavers": "Children leaving care who left through adoption",
        "entry_to_ao": "Care entry to adoption order (mean days)",
        "drift_now": "Children in the process now over their stage's standard",
        "po_waiting_18m": "Children with a placement order waiting 18+ months since it",
    }[key]


def _figure(r: pd.Series) -> str:
    if r["unit"] == "days":
        return nv.days(r["value"])
    if r["unit"] == "pct":
        return f"{nv.pct(r['value'])} ({nv.count(int(r['within']))} of " \
               f"{nv.count(int(r['children']))})"
    return nv.count(int(r["value"]))


def _benchmark(r: pd.Series) -> str:
    kind = r["benchmark_kind"]
    if r["key"] == "children_adopted":
        if pd.isna(r["england"]):
            return "no national figure"
        return f"England {nv.number(r['england'])} children a year, {r['england_period']}"
    if kind == "threshold":
        text = f"threshold {nv.days(r['benchmark'])}"
        if not pd.isna(r["england"]):
            text += f"; England {nv.days(r['england'])}, {r['england_period']}"
        return text
    if kind == "standard":
        return f"standard {r['benchmark_period']} ({nv.days(r['benchmark'])})"
    if kind == "england":
        if pd.isna(r["england"]):
            return "no national figure"
        value = f"{nv.number(r['england'])}%" if r["unit"] == "pct" else nv.days(r["england"])
        return f"England {value}, {r['england_period']}"
    return "no published target" if r["key"] == "a3" else "–"


def headline_table(journeys: pd.DataFrame, periods: pd.DataFrame, params: Params
                   ) -> pd.DataFrame:
    """Section 0's headline figures in words: finding, figure, children, benchmark (with its
    period) and rating."""
    h = summary.headlines(journeys, periods, params)
    return pd.DataFrame({
        "key": h["key"],
        "finding": h["key"].map(lambda k: _finding(k, params)),
        "figure": h.apply(_figure, axis=1),
        "children": h["children"].astype("int64"),
        "benchmark": h.apply(_benchmark, axis=1),
        "rating": h["rating"],
    })


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


def display_headlines(head: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Finding": head["finding"], "Figure": head["figure"],
                         "Children": head["children"], "Benchmark (period)": head["benchmark"],
                         "Rating": head["rating"].map(nv.RAG_SYMBOL)})


def summary_intro(params: Params) -> str:
    """Section 0's first paragraph: whose report, what period, how to read the ratings."""
    return (f"This report looks at how well **{nv.escape(params.la_name)}** finds adoptive "
            f"families for children, from {period_label(params)}. \"Children adopted\" are "
            "children whose adoption order was made in that period. Each headline below gives "
            "its figure, the number of children it rests on and the benchmark it is rated "
            "against, with that benchmark's year.\n\n" + nv.RAG_RULE + _suppression_note(params))


def _suppression_note(params: Params) -> str:
    k = params.suppress_below
    if not k:
        return ""
    return (f"\n\n**Small numbers are suppressed in this report**: every count under {k} is "
            f"shown as \"<{k}\", a percentage built on such a count is not shown, and lists of "
            "individual children are left out.")
