"""Section 3 in words and tables: how the shortest and longest journeys differ, from
``measures.extremes``."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from diagnostic_kit.derive.journeys import STAGES
from diagnostic_kit.measures.cohorts import share
from diagnostic_kit.measures.extremes import (
    COMPARED,
    Extremes,
    characteristic_differences,
    sibling_sets,
    stage_comparison,
)
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.charts import (
    DEFAULT_SOURCE,
    STAGE_COLOURS,
    UNSPLIT_COLOUR,
    apply_style,
    describe,
    finish,
)
from diagnostic_kit.present.timescales import STAGE_LABELS, STAGE_SHORT

#: The last row of ``stage_comparison``: the whole journey.
TOTAL_LABEL = "Total: care entry to adoption order"


def stage_label(key: str) -> str:
    return TOTAL_LABEL if key == "total" else STAGE_LABELS[key]


def _count_pct(flags: pd.Series) -> str:
    k, n = int(flags.sum()), len(flags)
    if nv.suppressed(k) or nv.suppressed(n):
        return f"{nv.count(k)} of {nv.count(n)}"
    return f"{k} of {n} ({nv.pct(share(k, n))})"


def characteristic_comparison(ex: Extremes) -> pd.DataFrame:
    """How the two groups differ: children, median age at entry, boys, girls, White, other
    ethnic groups (ethnicity known), sibling groups, foster-carer adoptions, median placement
    moves and plan changes. Values are text ("4 of 10 (40%)") so the narrative can quote them."""
    def describe(t: pd.DataFrame) -> dict[str, str]:
        eth = t["ethnic_group"].astype("string")
        known = eth.notna() & eth.ne("Not known")
        return {
            "Children": nv.number(len(t)),
            "Median age at care entry (years)": nv.number(t["age_at_entry"].median(), 1),
            "Boys": _count_pct(t["sex"].astype("string").str.lower().eq("male").fillna(False)),
            "Girls": _count_pct(t["sex"].astype("string").str.lower().eq("female").fillna(False)),
            "White": _count_pct(eth.eq("White").fillna(False)),
            "Other ethnic groups (Mixed, Asian, Black, Other)": _count_pct(
                (known & eth.ne("White")).fillna(False)),
            "In a sibling group": _count_pct(t["sibling_group"].eq("yes")),
            "Adopted by foster carers": _count_pct(t["foster_carer"].eq("yes")),
            "Median placement moves": nv.median_count(
                t["placement_moves"].astype("float64").median()),
            "Median plan changes": nv.median_count(t["plan_changes"].astype("float64").median()),
        }

    s, lg = describe(ex.shortest), describe(ex.longest)
    return pd.DataFrame({"characteristic": list(s), "shortest": list(s.values()),
                         "longest": list(lg.values())})


def findings(ex: Extremes) -> list[str]:
    """Key findings in words, built from :func:`stage_comparison` and the groups."""
    out = []
    if ex.n_measured == 0:
        return ["No child adopted in the period has both a care entry and an adoption order "
                "date, so there are no journeys to rank."]
    if ex.few:
        out.append(
            f"Only {nv.children(ex.n_measured)} adopted in the period could be measured, fewer "
            f"than 20: the section shows the {ex.k_short} shortest and the {ex.k_long} longest "
            "journeys, and differences between such small groups may be chance.")
    cmp_ = stage_comparison(ex)
    total = cmp_.iloc[-1]
    s, lg = ex.shortest["total_days"], ex.longest["total_days"]
    def spread(median: float, v: pd.Series) -> str:
        return (f"a median of {nv.days(median)} ({nv.children(len(v))}; range "
                f"{nv.number(v.min())} to {nv.days(v.max())})")

    out.append(
        f"The {len(s)} shortest journeys from care entry to adoption order took "
        f"{spread(total['shortest_median'], s)}; the {len(lg)} longest took "
        f"{spread(total['longest_median'], lg)}.")
    for k, extra, group, cut in ((ex.k_short, ex.tied_short, "shortest", s.max()),
                                 (ex.k_long, ex.tied_long, "longest", lg.min())):
        if extra:
            out.append(f"{nv.children(k + extra).capitalize()} are shown among the {group}, not "
                       f"{k}: {nv.children(extra + 1)} tie at the cut-off of {nv.days(cut)}.")
    if ex.overlap:
        out.append(f"{nv.children(ex.overlap).capitalize()} appear in both groups because they "
                   "tie across the split.")
    stages = cmp_.iloc[:-1].dropna(subset=["difference"]).sort_values("difference",
                                                                      ascending=False)
    if len(stages):
        top = stages.iloc[0]
        text = (f"The largest difference is in {nv.lower_first(stage_label(top['stage']))}: "
                f"a median of {nv.days(top['longest_median'])} in the longest journeys against "
                f"{nv.days(top['shortest_median'])} in the shortest ({longer(top['difference'])}"
                f", {nv.pct(top['share_of_difference_pct'])} of the stage differences)")
        if len(stages) > 1 and stages.iloc[1]["difference"] > 0:
            nxt = stages.iloc[1]
            text += (f", then {nv.lower_first(stage_label(nxt['stage']))} "
                     f"({longer(nxt['difference'])}, "
                     f"{nv.pct(nxt['share_of_difference_pct'])})")
        out.append(text + ".")
    out += _characteristic_sentences(ex)
    biggest = largest_difference_sentence(ex)
    if biggest:
        out.append(biggest)
    out += sibling_sentences(ex)
    return out


def longer(diff: float) -> str:
    """A difference in days of the longest group over the shortest, signed in words:
    "131 days longer", "131 days shorter" (never "-131 days longer"), "the same"."""
    n = nv.whole(diff)
    if n > 0:
        return f"{nv.days(n)} longer"
    if n < 0:
        return f"{nv.days(-n)} shorter"
    return "the same"


def _category_words(char: str, cat: str) -> str:
    if char == "ethnic_group":
        return f"of {cat} ethnicity"
    if char == "sex":
        return {"male": "boys", "female": "girls"}.get(cat, cat)
    if char == "age_band_entry":
        return f"aged {'16 or over' if cat == '16+' else cat} at care entry"
    return {"sibling_group": "in a sibling group", "foster_carer": "adopted by their foster "
            "carers", "disabled": "disabled", "uasc": "unaccompanied asylum-seeking"}[char]


def largest_difference_sentence(ex: Extremes) -> str | None:
    """Every characteristic tested (ethnicity, sex, age at entry, sibling group, foster-carer
    adoption, disability, UASC): the largest difference between the groups, named with its
    figures."""
    d = characteristic_differences(ex)
    d = d.loc[d["difference_pts"].abs().gt(0)]
    if d.empty:
        return None
    r = d.iloc[0]
    char, cat = r["characteristic"], r["category"]
    lk, ln, sk, sn = (int(r[c]) for c in ("longest_k", "longest_n", "shortest_k", "shortest_n"))
    lp, sp = r["longest_pct"], r["shortest_pct"]
    if r["difference_pts"] < 0 and char in _OTHER_THAN:
        # A group of several categories: what sets the longest journeys apart is that more of
        # them are outside the category, so say that ("6 of the 10 longest were of another
        # ethnic group"), counting the children whose value is recorded.
        who = _OTHER_THAN[char].format(cat="16 or over" if cat == "16+" else cat)
        lk, sk = int(r["longest_known"]) - lk, int(r["shortest_known"]) - sk
        lp = 100 * lk / ln if ln else float("nan")
        sp = 100 * sk / sn if sn else float("nan")
    else:
        who = _category_words(char, cat)
    subject = who.capitalize() if char == "sex" else f"Children {who}"
    more = "longest" if lp > sp else "shortest"
    return (f"Of the characteristics tested ({nv.plain_list(COMPARED.values())}), the largest "
            f"difference between the groups is in {COMPARED[char]}: "
            f"{nv.lower_first(subject)} were {nv.count(lk)} of the {nv.count(ln)} longest "
            f"journeys ({nv.pct_of(lp, lk, ln)}) against {nv.count(sk)} of the "
            f"{nv.count(sn)} shortest ({nv.pct_of(sp, sk, sn)}), more often "
            f"among the {more}.")


#: Characteristics of several categories, and the children outside one of them.
_OTHER_THAN = {"ethnic_group": "of an ethnic group other than {cat}",
               "age_band_entry": "not aged {cat} at care entry"}


def sibling_sentences(ex: Extremes) -> list[str]:
    """Brothers and sisters among the extremes: children sharing a sibling group identifier
    with another child in the same group."""
    out = []
    for name, t in (("longest", ex.longest), ("shortest", ex.shortest)):
        k, g = sibling_sets(t)
        if k:
            out.append(f"{nv.children(k).capitalize()} among the {len(t)} {name} journeys are "
                       f"brothers and sisters from {nv.plural(g, 'sibling group')} adopted "
                       "together (they share a sibling group identifier), so their journeys "
                       "move as one.")
    return out


def _characteristic_sentences(ex: Extremes) -> list[str]:
    """Characteristics that differ between the groups: age at entry when the medians differ by
    a year or more, and each yes/no trait whose share differs by 20 points or more."""
    out = []
    s_age, l_age = ex.shortest["age_at_entry"].median(), ex.longest["age_at_entry"].median()
    if not (pd.isna(s_age) or pd.isna(l_age)) and abs(l_age - s_age) >= 1:
        word = "older" if l_age > s_age else "younger"
        out.append(f"Children with the longest journeys were {word} at care entry: a median "
                   f"age of {nv.number(l_age, 1)} years against {nv.number(s_age, 1)}.")
    traits = {"in a sibling group": ex.shortest["sibling_group"].eq("yes"),
              "adopted by their foster carers": ex.shortest["foster_carer"].eq("yes")}
    longs = {"in a sibling group": ex.longest["sibling_group"].eq("yes"),
             "adopted by their foster carers": ex.longest["foster_carer"].eq("yes")}
    for trait, short in traits.items():
        long_ = longs[trait]
        if len(short) and len(long_) and abs(long_.mean() - short.mean()) >= 0.2:
            out.append(
                f"{nv.count(int(long_.sum()))} of the {nv.count(len(long_))} longest journeys "
                f"({nv.pct_of(100 * long_.mean(), int(long_.sum()))}) were of children {trait}, "
                f"against {nv.count(int(short.sum()))} of the {nv.count(len(short))} shortest "
                f"({nv.pct_of(100 * short.mean(), int(short.sum()))}).")
    return out


def display_children(t: pd.DataFrame) -> pd.DataFrame:
    """The per-child table for the reader: pseudonym, characteristics, days per stage."""
    out = pd.DataFrame({
        "Child": t["pseudonym"],
        "Age at entry (years)": t["age_at_entry"],
        "Sex": t["sex"],
        "Ethnic group": t["ethnic_group"],
        "Sibling group": t["sibling_group"],
        "Placement moves": t["placement_moves"],
        "Plan changes": t["plan_changes"],
        "Foster-carer adoption": t["foster_carer"],
    })
    for stage in STAGES:
        out[f"{STAGE_SHORT[stage]} (days)"] = nv.whole_col(t[stage])
    out["Total days"] = nv.whole_col(t["total_days"])
    return out


def display_stage_comparison(cmp_: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Stage": cmp_["stage"].map(stage_label),
        "Shortest: children": cmp_["shortest_n"],
        "Shortest: median days": nv.whole_col(cmp_["shortest_median"]),
        "Longest: children": cmp_["longest_n"],
        "Longest: median days": nv.whole_col(cmp_["longest_median"]),
        "Difference (days)": nv.whole_col(cmp_["difference"]),
        "Share of the stage differences": nv.pct_col(cmp_["share_of_difference_pct"]),
    })


def key_findings(ex: Extremes) -> str:
    """Section 3's opening."""
    return "**Key findings**\n\n" + nv.bullets(findings(ex))


# -- the timeline chart -------------------------------------------------------------------

def _stage_legend(ax, stages: Sequence[str] = STAGES, unsplit: bool = False, **kw) -> None:
    handles = [Patch(color=STAGE_COLOURS[s], label=STAGE_LABELS[s]) for s in stages]
    if unsplit:
        handles.append(Patch(color=UNSPLIT_COLOUR, label="Not split into stages (date missing)"))
    ax.legend(handles=handles, **kw)


def _segments(offsets: pd.DataFrame, dates: Sequence[str]) -> pd.DataFrame:
    """Bar segments from days-since-entry per date: each stage between consecutive known dates;
    a span across a missing date is "unsplit"; out-of-order spans are left out."""
    off = offsets[list(dates)]
    prev = off.shift(axis=1)
    start = prev.ffill(axis=1)
    rows = []
    for i, col in enumerate(dates[1:], start=1):
        stage = STAGES[i - 1]
        end = off[col]
        s = start[col]
        ok = end.notna() & s.notna() & (end >= s)
        kind = np.where(prev[col].notna(), stage, "unsplit")
        rows.append(pd.DataFrame({"row": offsets.index[ok], "stage": kind[ok.to_numpy()],
                                  "left": s[ok], "width": (end - s)[ok]}))
    return pd.concat(rows, ignore_index=True)


def timeline_chart(timeline: pd.DataFrame, dates: Sequence[str],
                   source: str = DEFAULT_SOURCE, *,
        title: str = (
            "The shortest and longest journeys from care entry to adoption order"),
) -> Figure:
    """One horizontal bar per child from care entry to adoption order, split by stage; the
    shortest journeys above, the longest below, on the same scale. ``timeline`` holds
    ``pseudonym``, ``group`` (shortest/longest) and days since care entry for each of ``dates``.
    """
    apply_style()
    groups = [g for g in ("shortest", "longest") if g in set(timeline["group"])]
    sizes = [int(timeline["group"].eq(g).sum()) for g in groups] or [1]
    fig, axes = plt.subplots(len(groups) or 1, 1, sharex=True, squeeze=False,
                             figsize=(9, 1.6 + 0.28 * sum(sizes)),
                             gridspec_kw={"height_ratios": sizes})
    unsplit = False
    for ax, group in zip(axes[:, 0], groups, strict=False):
        t = timeline.loc[timeline["group"].eq(group)].reset_index(drop=True)
        seg = _segments(t, dates)
        unsplit |= bool(seg["stage"].eq("unsplit").any())
        colours = seg["stage"].map({**STAGE_COLOURS, "unsplit": UNSPLIT_COLOUR})
        ax.barh(seg["row"], seg["width"], left=seg["left"], color=colours, height=0.7,
                edgecolor="white", linewidth=0.6)
        span = float(np.nanmax(timeline[dates[-1]].to_numpy(dtype=float))) if len(
            timeline) else 0.0
        for _, sg in seg.loc[seg["width"].ge(max(60.0, 0.075 * span))].iterrows():
            dark = sg["stage"] in ("adm_to_po", "po_to_placement", "placement_to_ao")
            ax.text(sg["left"] + sg["width"] / 2, sg["row"], f"{nv.number(sg['width'])}",
                    ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
        total = t[dates[-1]]
        for row, days in total.items():
            if pd.notna(days):
                ax.text(days + 10, row, f"{nv.number(days)}", va="center", fontsize=9)
        ax.set_yticks(range(len(t)), t["pseudonym"])
        ax.invert_yaxis()
        ax.set_ylabel(f"{group.capitalize()} journeys", fontsize=11)
    axes[-1, 0].set_xlabel("Days from care entry")
    axes[-1, 0].set_xlim(left=0, right=axes[-1, 0].get_xlim()[1] * 1.06)
    _stage_legend(axes[0, 0], unsplit=unsplit, loc="lower right", fontsize=9)
    fig = finish(fig, title,
                 source, note="Each bar is one child (pseudonym), split into the five stages; "
                 "the number at its end is the total days, and a stage wide enough for one "
                 "has its days; the technical annex lists every child's days per stage.")
    return describe(fig, timeline_alt(timeline, dates))


def timeline_alt(timeline: pd.DataFrame, dates: Sequence[str]) -> str:
    """The message of the timeline: the range of each group's journeys, and where the longest
    journeys' time went (the stage with the largest median among them)."""
    parts = []
    for group in ("shortest", "longest"):
        t = timeline.loc[timeline["group"].eq(group)].reset_index(drop=True)
        total = t[dates[-1]].dropna() if len(t) else pd.Series(dtype=float)
        if total.empty:
            continue
        text = (f"the {len(t)} {group} journeys took {nv.number(total.min())} to "
                f"{nv.number(total.max())} days from care entry to adoption order")
        seg = _segments(t, dates)
        seg = seg.loc[seg["stage"].ne("unsplit")]
        if len(seg):
            med = seg.groupby("stage")["width"].median().reindex(list(STAGES)).dropna()
            top = med.idxmax()
            text += (f", their longest stage typically {nv.lower_first(STAGE_LABELS[top])} "
                     f"(median {nv.number(med[top])} days; " + ", ".join(
                         f"{STAGE_SHORT[k]} {nv.number(v)}" for k, v in med.items()) + ")")
        parts.append(text)
    if not parts:
        return "The shortest and longest journeys: no journey could be drawn."
    return "The shortest and longest journeys, one bar per child split by stage: " + \
        "; ".join(parts) + "."
