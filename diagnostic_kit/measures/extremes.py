"""Section 3: the 10 shortest and 10 longest journeys of children adopted in the period.

Journeys are ranked by days from care entry to the adoption order (``docs/methodology.md``,
"The shortest and longest journeys").
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

from diagnostic_kit.derive.journeys import STAGE_DATES, STAGES, measure_exclusions
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures.cohorts import adopted, as_flag
from diagnostic_kit.measures.timescales import stage_days

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
    days = stage_days(journeys)
    total = journeys["entry_to_ao_days"].astype("float64")

    def col(name: str, default=pd.NA) -> pd.Series:
        return journeys[name] if name in journeys else pd.Series(default, index=journeys.index)

    out = pd.DataFrame({
        "pseudonym": journeys["pseudonym"],
        "age_at_entry": pd.to_numeric(col("age_at_entry"), errors="coerce").round(1),
        # The band from the exact age (``derive.characteristics``), not the rounded one.
        "age_band_entry": col("age_band_entry"),
        "sex": col("sex"),
        "ethnic_group": col("ethnic_group"),
        "sibling_group": _yes(col("sibling_group", False)),
        "placement_moves": pd.to_numeric(col("placement_moves"), errors="coerce").astype("Int64"),
        "plan_changes": pd.to_numeric(col("plan_changes"), errors="coerce").astype("Int64"),
        "foster_carer": _yes(col("foster_carer", False)),
        "disabled": _yes(col("disabled", False)),
        "uasc": _yes(col("uasc", False)),
        "sibling_group_id": col("sibling_group_id").astype("string"),
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
    total = done["entry_to_ao_days"].astype("float64")
    excluded = measure_exclusions(done)
    excluded = excluded.loc[excluded["measure"].eq("entry_to_ao")]
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
        rows.append({"stage": stage, "shortest_n": len(s),
                     "shortest_median": s.median() if len(s) else np.nan,
                     "longest_n": len(lg), "longest_median": lg.median() if len(lg) else np.nan})
    out = pd.DataFrame(rows)
    out["difference"] = out["longest_median"] - out["shortest_median"]
    total_diff = out["difference"].sum(min_count=1)
    out["share_of_difference_pct"] = (100 * out["difference"] / total_diff
                                      if total_diff and not pd.isna(total_diff) else np.nan)
    s, lg = ex.shortest["total_days"], ex.longest["total_days"]
    total = pd.DataFrame([{"stage": "total", "shortest_n": len(s),
                           "shortest_median": s.median(), "longest_n": len(lg),
                           "longest_median": lg.median(),
                           "difference": lg.median() - s.median(),
                           "share_of_difference_pct": np.nan}])
    return pd.concat([out, total], ignore_index=True)














#: Characteristics compared between the groups: column → heading (yes/no flags: "yes" only).
COMPARED: dict[str, str] = {
    "ethnic_group": "ethnic group", "sex": "sex", "age_band_entry": "age at care entry",
    "sibling_group": "sibling group", "foster_carer": "adopted by foster carers",
    "disabled": "disability", "uasc": "unaccompanied asylum-seeking child",
}


def _categories(t: pd.DataFrame, char: str) -> pd.Series:
    if char == "age_band_entry":
        from diagnostic_kit.derive.characteristics import NOT_KNOWN, age_band
        if "age_band_entry" in t:
            return t["age_band_entry"].astype("string").fillna(NOT_KNOWN)
        return age_band(pd.to_numeric(t["age_at_entry"], errors="coerce"))
    if char == "sex":
        return t["sex"].astype("string").str.lower().fillna("not known")
    return t[char].astype("string").fillna("not known")


def characteristic_differences(ex: Extremes) -> pd.DataFrame:
    """Every characteristic's categories in the two groups: ``characteristic, category,
    longest_k, longest_n, longest_known, longest_pct, shortest_k, shortest_n, shortest_known,
    shortest_pct, difference_pts`` (longest − shortest, percentage points; ``_known``: the
    group's children whose value of the characteristic is recorded), largest difference (either
    way) first and, between equal ones, the category more common among the longest first;
    unknown categories and the "no" of yes/no flags are left out."""
    unknown = ("not known", "Not known")
    rows = []
    for char in COMPARED:
        if char not in ex.longest and char != "age_band_entry":
            continue
        lg, sh = _categories(ex.longest, char), _categories(ex.shortest, char)
        l_known, s_known = int((~lg.isin(unknown)).sum()), int((~sh.isin(unknown)).sum())
        for cat in sorted(set(lg.dropna()) | set(sh.dropna())):
            if cat in (*unknown, "no"):
                continue
            lk, sk = int(lg.eq(cat).sum()), int(sh.eq(cat).sum())
            lp = 100 * lk / len(lg) if len(lg) else np.nan
            sp = 100 * sk / len(sh) if len(sh) else np.nan
            rows.append({"characteristic": char, "category": cat, "longest_k": lk,
                         "longest_n": len(lg), "longest_known": l_known, "longest_pct": lp,
                         "shortest_k": sk, "shortest_n": len(sh), "shortest_known": s_known,
                         "shortest_pct": sp, "difference_pts": lp - sp})
    out = pd.DataFrame(rows, columns=["characteristic", "category", "longest_k", "longest_n",
                                      "longest_known", "longest_pct", "shortest_k",
                                      "shortest_n", "shortest_known", "shortest_pct",
                                      "difference_pts"])
    key = pd.DataFrame({"size": out["difference_pts"].abs(), "sign": out["difference_pts"]})
    order = key.sort_values(["size", "sign"], ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)


def sibling_sets(t: pd.DataFrame) -> tuple[int, int]:
    """Children in ``t`` who share a sibling group identifier with another child in ``t``, and
    how many such groups: (children, groups)."""
    ids = t["sibling_group_id"].dropna() if "sibling_group_id" in t else pd.Series(dtype=str)
    counts = ids.value_counts()
    shared = counts[counts > 1]
    return int(shared.sum()), len(shared)


def record_metrics(section, ex: Extremes) -> None:
    """Section 3's metrics: median total days of each group, with its count."""
    section.metric("children_adopted_measured", ex.n_measured)
    section.metric("shortest_median_days", ex.shortest["total_days"].median(),
                   n=len(ex.shortest))
    section.metric("longest_median_days", ex.longest["total_days"].median(), n=len(ex.longest))


