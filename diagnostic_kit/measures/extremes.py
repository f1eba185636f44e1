"""Section 3: the 10 shortest and 10 longest journeys of children adopted in the period.

Journeys are ranked by days from care entry to the adoption order (``measures.md``, section 3).
The shortest group is every child whose journey is no longer than the 10th shortest; the longest
group every child whose journey is no shorter than the 10th longest: a tie at the cut-off is
shown, never broken. With fewer than 20 measurable adoptions the groups would overlap, so the
shortest group is the n // 2 shortest and the longest group the other n - n // 2 (same tie rule;
a child tied across the split is shown in both and counted in ``overlap``).

The groups are compared stage by stage (median days per stage in each group, the difference,
and that difference's share of the sum of the five stage differences: medians do not add up, so
the shares are of the stage differences, not of the difference in median totals) and by
characteristics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures.timescales import (
    STAGE_DATES,
    STAGE_LABELS,
    STAGE_SHORT,
    STAGES,
    adopted,
    as_flag,
    entry_to_ao_days,
    foster_carer_adoption,
    stage_days,
)
from diagnostic_kit.present import narrative as nv

TOP = 10
#: The journey's dates in order, for the timeline.
TIMELINE_DATES: tuple[str, ...] = ("care_entry", *(STAGE_DATES[s][1] for s in STAGES))


@dataclass
class Extremes:
    """The two groups and how they were chosen."""

    n_adopted: int
    n_measured: int
    k_short: int
    k_long: int
    shortest: pd.DataFrame
    longest: pd.DataFrame
    #: Children shown beyond k because they tie with the k-th.
    tied_short: int
    tied_long: int
    #: Children in both groups (ties across the split when there are fewer than 20).
    overlap: int
    excluded: pd.DataFrame
    #: Days from care entry to each of the journey's dates, per child in either group.
    timeline: pd.DataFrame

    @property
    def few(self) -> bool:
        return self.n_measured < 2 * TOP


def _yes(s: pd.Series) -> pd.Series:
    return as_flag(s).map({True: "yes", False: "no"})


def child_table(journeys: pd.DataFrame) -> pd.DataFrame:
    """Per child: pseudonym, age at entry, sex, ethnic group, sibling group, placement moves,
    plan changes, foster-carer adoption, days per stage and in total (care entry to AO)."""
    days, _ = stage_days(journeys)
    total, _ = entry_to_ao_days(journeys)

    def col(name: str, default=pd.NA) -> pd.Series:
        return journeys[name] if name in journeys else pd.Series(default, index=journeys.index)

    out = pd.DataFrame({
        "pseudonym": journeys["pseudonym"],
        "age_at_entry": pd.to_numeric(col("age_at_entry"), errors="coerce").round(1),
        "sex": col("sex"),
        "ethnic_group": col("ethnic_group"),
        "sibling_group": _yes(col("sibling_group", False)),
        "placement_moves": pd.to_numeric(col("placement_moves"), errors="coerce").astype("Int64"),
        "plan_changes": pd.to_numeric(col("plan_changes"), errors="coerce").astype("Int64"),
        "foster_carer": foster_carer_adoption(journeys).map({True: "yes", False: "no"}),
    })
    for stage in STAGES:
        out[stage] = days[stage]
    out["total_days"] = total
    return out


def _pick(total: pd.Series, k: int, longest: bool) -> pd.Index:
    """Index of the k shortest (or longest) values plus every value tied with the k-th."""
    if k <= 0:
        return total.index[:0]
    ordered = total.sort_values(ascending=not longest, kind="stable")
    cut = ordered.iloc[k - 1]
    return total.index[total.ge(cut)] if longest else total.index[total.le(cut)]


def select(journeys: pd.DataFrame, params: Params, top: int = TOP) -> Extremes:
    """The shortest and longest journeys among children adopted in the period (see module)."""
    done = adopted(journeys, params)
    total, excluded = entry_to_ao_days(done)
    measured = total.dropna()
    n = len(measured)
    k_short, k_long = (top, top) if n >= 2 * top else (n // 2, n - n // 2)
    short_idx = _pick(measured, k_short, longest=False)
    long_idx = _pick(measured, k_long, longest=True)
    table = child_table(done)
    shortest = table.loc[short_idx].sort_values(["total_days", "pseudonym"])
    longest = table.loc[long_idx].sort_values(["total_days", "pseudonym"],
                                              ascending=[False, True])

    entry = pd.to_datetime(done["care_entry"])
    offsets = pd.DataFrame({c: (pd.to_datetime(done[c]) - entry).dt.days.astype("float64")
                            for c in TIMELINE_DATES})
    offsets.insert(0, "pseudonym", done["pseudonym"])
    timeline = pd.concat([offsets.loc[shortest.index].assign(group="shortest"),
                          offsets.loc[longest.index].assign(group="longest")])
    return Extremes(
        n_adopted=len(done), n_measured=n, k_short=k_short, k_long=k_long,
        shortest=shortest.reset_index(drop=True), longest=longest.reset_index(drop=True),
        tied_short=max(len(short_idx) - k_short, 0), tied_long=max(len(long_idx) - k_long, 0),
        overlap=len(short_idx.intersection(long_idx)), excluded=excluded,
        timeline=timeline.reset_index(drop=True),
    )


def stage_comparison(ex: Extremes) -> pd.DataFrame:
    """Median days per stage in each group, the difference (longest − shortest), and its share
    of the sum of the five stage differences; a last row for the total (care entry to AO),
    whose difference is of the medians of the totals. Counts of children measured per stage
    are shown beside each median."""
    rows = []
    for stage in STAGES:
        s, lg = ex.shortest[stage].dropna(), ex.longest[stage].dropna()
        rows.append({"stage": STAGE_LABELS[stage], "shortest_n": len(s),
                     "shortest_median": s.median() if len(s) else np.nan,
                     "longest_n": len(lg), "longest_median": lg.median() if len(lg) else np.nan})
    out = pd.DataFrame(rows)
    out["difference"] = out["longest_median"] - out["shortest_median"]
    total_diff = out["difference"].sum(min_count=1)
    out["share_of_difference_pct"] = (100 * out["difference"] / total_diff
                                      if total_diff and not pd.isna(total_diff) else np.nan)
    s, lg = ex.shortest["total_days"], ex.longest["total_days"]
    total = pd.DataFrame([{"stage": "Total: care entry to adoption order", "shortest_n": len(s),
                           "shortest_median": s.median(), "longest_n": len(lg),
                           "longest_median": lg.median(),
                           "difference": lg.median() - s.median(),
                           "share_of_difference_pct": np.nan}])
    return pd.concat([out, total], ignore_index=True)


def _count_pct(flags: pd.Series) -> str:
    k, n = int(flags.sum()), len(flags)
    return f"{k} of {n} ({nv.pct(nv.share(k, n))})"


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
            "Median placement moves": nv.number(t["placement_moves"].astype("float64").median(),
                                                1),
            "Median plan changes": nv.number(t["plan_changes"].astype("float64").median(), 1),
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
        text = (f"The largest difference is in {nv.lower_first(top['stage'])}: "
                f"a median of {nv.days(top['longest_median'])} in the longest journeys against "
                f"{nv.days(top['shortest_median'])} in the shortest ({nv.days(top['difference'])}"
                f" longer, {nv.pct(top['share_of_difference_pct'])} of the stage differences)")
        if len(stages) > 1 and stages.iloc[1]["difference"] > 0:
            nxt = stages.iloc[1]
            text += (f", then {nv.lower_first(nxt['stage'])} "
                     f"({nv.days(nxt['difference'])} longer, "
                     f"{nv.pct(nxt['share_of_difference_pct'])})")
        out.append(text + ".")
    out += _characteristic_sentences(ex)
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
                f"{int(long_.sum())} of the {len(long_)} longest journeys "
                f"({nv.pct(100 * long_.mean())}) were of children {trait}, against "
                f"{int(short.sum())} of the {len(short)} shortest ({nv.pct(100 * short.mean())}).")
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
        "Stage": cmp_["stage"],
        "Shortest: children": cmp_["shortest_n"],
        "Shortest: median days": nv.whole_col(cmp_["shortest_median"]),
        "Longest: children": cmp_["longest_n"],
        "Longest: median days": nv.whole_col(cmp_["longest_median"]),
        "Difference (days)": nv.whole_col(cmp_["difference"]),
        "Share of the stage differences": nv.pct_col(cmp_["share_of_difference_pct"]),
    })


def record_metrics(section, ex: Extremes) -> None:
    """Section 3's metrics: median total days of each group, with its count."""
    section.metric("children_adopted_measured", ex.n_measured)
    section.metric("shortest_median_days", ex.shortest["total_days"].median(),
                   n=len(ex.shortest))
    section.metric("longest_median_days", ex.longest["total_days"].median(), n=len(ex.longest))


def key_findings(ex: Extremes) -> str:
    """Section 3's opening."""
    return "**Key findings**\n\n" + nv.bullets(findings(ex))
