"""Section 0: the headline figures, each with its count, benchmark and rating; how each moved
over the years of the period; and the like-for-like comparison with England.

Each headline is read from the measure that defines it (``measures.timescales``,
``measures.cohorts``); nothing is recomputed here. The benchmark is the scorecard threshold
where there is one, else the local standard or the national figure, always from the params in
force; the rating is ``measures.ratings.rate``.

**Like for like.** A national figure is compared with the LA's figure over the same length of
time: a three-year national figure (``2015-18 (three-year average)``) with the LA's figure over
the whole (three-year) period; a one-year national figure (``year ending 31 March 2025``) with
the LA's figure for the latest financial year of the period that has children measured
(``compare_*`` columns). A count of children is compared per year, never three years' count
against one year's. A comparator whose period ended before the reporting period began is
flagged ``england_older`` (the report says "latest published").
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from diagnostic_kit.derive.journeys import financial_year
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import adopters as ad
from diagnostic_kit.measures import audits as au
from diagnostic_kit.measures import change
from diagnostic_kit.measures import children as ch
from diagnostic_kit.measures import resources as rs
from diagnostic_kit.measures import timescales as ts
from diagnostic_kit.measures import waiting as wt
from diagnostic_kit.measures.cohorts import adopted, adopted_count
from diagnostic_kit.measures.headline import Headline, shortfall
from diagnostic_kit.measures.ratings import RATED, rag, rate
from diagnostic_kit.registry import table_anchor

COLUMNS = ["key", "value", "unit", "children", "within", "benchmark", "benchmark_kind",
           "benchmark_period", "england", "england_period", "rating",
           "compare_value", "compare_label", "compare_children", "compare_within",
           "england_rating", "england_older", "better", "per_year", "statistic", "mean",
           "median"]

WHOLE = "Whole period"

_FY = re.compile(r"\b(\d{4})\s*[-–]\s*(\d{2})\b")
_YEAR = re.compile(r"\b(19|20)(\d{2})\b")


def comparator_end(period: str | None) -> dt.date | None:
    """When a comparator's period ended, from its label: a financial year or span ``2015-18``
    ends on 31 March 2018; ``year ending 31 March 2025`` and a bare ``2024`` on 31 March of
    that year (the latest year named counts). None when no year is named."""
    if not period:
        return None
    ends = [2000 + int(b) if int(b) >= int(a) % 100 else 2100 + int(b)
            for a, b in _FY.findall(period)]
    years = [int(c + y) for c, y in _YEAR.findall(_FY.sub("", period))]
    found = ends + years
    return dt.date(max(found), 3, 31) if found else None


def comparator_years(period: str | None) -> int:
    """How many years a comparator covers: 3 for a three-year figure (``three-year``, or a span
    such as ``2015-18`` / ``2013-16``), else 1 (a year, or part of one)."""
    text = (period or "").lower()
    if "three-year" in text or "three year" in text:
        return 3
    if "quarter" in text or "year ending" in text or "years ending" in text:
        return 1
    for a, b in _FY.findall(text):
        if (int(b) - int(a) % 100) % 100 >= 2:
            return 3
    return 1


def older_than_period(period: str | None, params: Params,
                      period_end: dt.date | None = None) -> bool:
    """Whether a comparator's period ended before the reporting period began: by its
    ``period_end`` where the comparator table gives one, else read from its period's words."""
    end = period_end or comparator_end(period)
    return end is not None and end < params.period_start


def _row(key: str, value: float, unit: str, children: int, **kw) -> dict:
    row = dict.fromkeys(COLUMNS, np.nan)
    row.update({"key": key, "value": value, "unit": unit, "children": children,
                "benchmark_kind": None, "benchmark_period": "", "england_period": "",
                "rating": "not rated", "compare_label": "", "england_rating": "not rated",
                "england_older": False, "better": None, "statistic": ""})
    row.update(kw)
    return row


def trends(journeys: pd.DataFrame, periods: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Each headline that has a yearly figure, by financial year of the period and for the
    whole period: ``key, year, value, children, within, sd, low, high``. Keys:
    ``children_adopted`` (count), ``a1``, ``a10``, ``a2`` (mean days), ``a3`` (% within the A3
    threshold), ``adopted_share_of_leavers`` (%), ``entry_to_ao`` (mean days). ``sd`` is the
    spread of a mean's days, ``low``/``high`` the figure's 95% interval (``measures.change``).
    Years with no child measured are left out (whole period always kept)."""
    rows = []
    sc = ts.scorecard(journeys, params)
    for _, r in sc.iterrows():
        rows.append({"key": r["measure"].lower(), "year": r["year"], "value": r["value"],
                     "children": int(r["children"]),
                     "within": r["children_within"] if r["measure"] == "A3" else np.nan,
                     "sd": r["sd"], "low": r["low"], "high": r["high"]})
    done = adopted(journeys, params)
    years = financial_year(pd.to_datetime(done["ao_date"]))
    total = done["entry_to_ao_days"].astype("float64")
    ident = done["child"] if "child" in done else pd.Series(done.index, index=done.index)
    for year in [*sorted(years.dropna().unique()), WHOLE]:
        sel = years.eq(year) if year != WHOLE else pd.Series(True, index=done.index)
        k = int(ident.loc[sel].nunique())
        rows.append({"key": "children_adopted", "year": year, "value": float(k),
                     "children": k, "within": np.nan, "sd": np.nan, "low": np.nan,
                     "high": np.nan})
        t = total.loc[sel].dropna()
        mean, low, high = change.mean_interval(t)
        rows.append({"key": "entry_to_ao", "year": year, "value": mean, "children": len(t),
                     "within": np.nan, "sd": t.std(ddof=1) if len(t) > 1 else np.nan,
                     "low": low, "high": high})
    for _, r in ts.leavers(periods, params).iterrows():
        value, low, high = change.share_interval(int(r["adopted"]), int(r["left_care"]))
        rows.append({"key": "adopted_share_of_leavers", "year": r["year"],
                     "value": r["pct_adopted"], "children": int(r["left_care"]),
                     "within": r["adopted"], "sd": np.nan, "low": low, "high": high})
    out = pd.DataFrame(rows, columns=["key", "year", "value", "children", "within", "sd",
                                      "low", "high"])
    out = out.loc[out["year"].eq(WHOLE) | out["children"].gt(0)]
    return out.reset_index(drop=True)


#: Yearly figures that are shares (compared as proportions), the rest of the rated ones means.
SHARE_KEYS = ("a3", "adopted_share_of_leavers")


def clear_change(trend: pd.DataFrame, key: str) -> int | None:
    """Whether ``key``'s figure changed from the first to the last year of :func:`trends` by
    more than chance would give on that many children (``measures.change``): +1 a clear rise,
    -1 a clear fall, 0 no clear change; None for a count (children adopted), which is not
    tested, or with fewer than two years."""
    if key == "children_adopted":
        return None
    t = trend.loc[trend["key"].eq(key) & trend["year"].ne(WHOLE)].dropna(
        subset=["value"]).sort_values("year")
    if len(t) < 2:
        return None
    a, b = t.iloc[0], t.iloc[-1]
    if key in SHARE_KEYS:
        diff = change.share_difference(int(a["within"]), int(a["children"]),
                                       int(b["within"]), int(b["children"]))
    else:
        diff = change.welch(a["value"], a["sd"], int(a["children"]),
                            b["value"], b["sd"], int(b["children"]))
    return change.direction(diff)


def latest_year(trend: pd.DataFrame, key: str) -> pd.Series | None:
    """The latest financial year with children measured for ``key`` (a row of
    :func:`trends`), or None."""
    t = trend.loc[trend["key"].eq(key) & trend["year"].ne(WHOLE) & trend["children"].gt(0)]
    return None if t.empty else t.sort_values("year").iloc[-1]


def _like_for_like(trend: pd.DataFrame, key: str, england_period: str) -> dict:
    """The LA figure to set against a national figure of ``england_period``'s length."""
    if comparator_years(england_period) >= 3:
        r = trend.loc[trend["key"].eq(key) & trend["year"].eq(WHOLE)]
        r = None if r.empty else r.iloc[0]
        label = WHOLE
    else:
        r = latest_year(trend, key)
        label = "" if r is None else r["year"]
    if r is None:
        return {"compare_value": np.nan, "compare_label": "", "compare_children": 0,
                "compare_within": np.nan}
    return {"compare_value": r["value"], "compare_label": label,
            "compare_children": int(r["children"]), "compare_within": r["within"]}


def _versus_england(measure: str, row: dict, england: float | None) -> str:
    """``better``, ``same`` or ``worse`` than England (as shown: whole days, whole %), or
    ``not rated``."""
    value = row["compare_value"]
    if measure not in RATED or pd.isna(value) or england is None or pd.isna(england):
        return "not rated"
    a, b = np.floor(value + 0.5), np.floor(england + 0.5)
    if a == b:
        return "same"
    lower_better = RATED[measure][0] == "lower"
    return "better" if (a < b) == lower_better else "worse"


def headlines(journeys: pd.DataFrame, periods: pd.DataFrame, params: Params) -> pd.DataFrame:
    """One row per headline (columns :data:`COLUMNS`): ``unit`` is days, pct or children;
    ``within`` the count a % rests on; ``benchmark`` and its kind (threshold, standard,
    england); ``england`` the national figure where there is one, with its period;
    ``compare_*`` the LA figure set against it like for like (see the module);
    ``england_rating`` better / worse / same than England; ``better`` lower or higher;
    ``per_year`` children adopted a year on average (the count's like-for-like figure)."""
    rows = []
    c = params.comparators
    trend = trends(journeys, periods, params)
    n = adopted_count(journeys, params)
    ca = c.children_adopted
    per_year = n / max(_period_years(params), 1)
    row = _row("children_adopted", n, "children", n, england=ca.value,
               england_period=ca.period,
               england_older=older_than_period(ca.period, params, ca.period_end))
    last = latest_year(trend, "children_adopted")
    row.update({"compare_value": last["value"] if last is not None else np.nan,
                "compare_label": last["year"] if last is not None else "",
                "compare_children": int(last["children"]) if last is not None else 0,
                "per_year": per_year})
    rows.append(row)
    sc = ts.scorecard(journeys, params)
    whole = sc.loc[sc["year"].eq(WHOLE)].set_index("measure")
    days = ts.scorecard_days(adopted(journeys, params), params)
    for m in ("A10", "A1", "A2"):
        r = whole.loc[m]
        comp = c[ts.SCORECARD_BENCHMARKS[m.lower()][1]]
        row = _row(m.lower(), r["value"], "days", int(r["children"]),
                   benchmark=r["threshold"], benchmark_kind="threshold",
                   benchmark_period=params.thresholds.a1_days.period
                   if m != "A2" else params.thresholds.a2_days.period,
                   england=r["england"] if comp.confirmed else np.nan,
                   england_period=r["england_period"] if comp.known else "",
                   rating=r["rating"], better="lower",
                   england_older=comp.known and older_than_period(comp.period, params,
                                                                 comp.period_end),
                   statistic="mean", mean=r["value"], median=days[m.lower()].median())
        if comp.known and comp.confirmed:
            row.update(_like_for_like(trend, m.lower(), comp.period))
            row["england_rating"] = _versus_england(f"{m.lower()}_mean_days", row, comp.value)
        rows.append(row)
    r = whole.loc["A3"]
    rows.append(_row("a3", r["value"], "pct", int(r["children"]),
                     within=r["children_within"], better="higher", statistic="share"))
    for key, comp, measure in (("adopted_share_of_leavers", c.adopted_share_of_leavers_pct,
                                "adopted_share_of_leavers_pct"),
                               ("entry_to_ao", c.entry_to_adoption_days,
                                "entry_to_adoption_days")):
        w = trend.loc[trend["key"].eq(key) & trend["year"].eq(WHOLE)].iloc[0]
        row = _row(key, w["value"], "pct" if key.startswith("adopted") else "days",
                   int(w["children"]), within=w["within"], benchmark=comp.value,
                   benchmark_kind="england", england=comp.value, england_period=comp.period,
                   england_older=older_than_period(comp.period, params, comp.period_end),
                   better=RATED[measure][0], statistic="share" if key.startswith("adopted")
                   else "mean")
        row.update(_like_for_like(trend, key, comp.period))
        # Rated on the like-for-like figure: the national figure is the benchmark (never one
        # not confirmed against its publication).
        row["rating"] = rate(measure, row["compare_value"], comp.value) if comp.confirmed \
            else "not rated"
        row["england_rating"] = _versus_england(measure, row, comp.value)
        rows.append(row)
    for _, r in ts.stage_statistics(journeys, params).iterrows():
        rows.append(_row(f"stage_{r['stage']}", r["median"], "days", int(r["children"]),
                         benchmark=r["standard_days"], benchmark_kind="standard",
                         benchmark_period=r["standard"], better="lower",
                         rating=rate("stage_median_days", r["median"], r["standard_days"]),
                         statistic="median", mean=r["mean"], median=r["median"]))
    drift = ts.drift_now(journeys, params)
    rows.append(_row("drift_now", len(drift), "children", len(drift)))
    wait = ts.po_waiting_counts(ts.po_waiting(journeys, params))
    # Against the local target (the kit's default: no child), as its finding is rated
    # (``measures.waiting.headlines``); nothing to rate with no child waiting.
    t18 = params.targets.po_waiting_18m_children
    rows.append(_row("po_waiting_18m", wait["po_18m_plus"], "children", wait["po_18m_plus"],
                     benchmark=t18.value, benchmark_kind="target", benchmark_period=t18.label,
                     better=t18.better, statistic="count",
                     rating=rag(wait["po_18m_plus"], t18.value, t18.better)
                     if wait["waiting"] else "not rated"))
    return pd.DataFrame(rows, columns=COLUMNS)


def _period_years(params: Params) -> float:
    """The reporting period in years (three financial years: 3)."""
    days = (params.period_end - params.period_start).days + 1
    return round(days / 365.25, 1)


# -- every section's findings, ranked -----------------------------------------------------------

#: The rows of :func:`headlines` rated against England like for like, as findings of section 2.
_ENGLAND_ROWS = {"adopted_share_of_leavers": "the share of children leaving care adopted",
                 "entry_to_ao": "care entry to adoption order (mean days)"}


def england_headlines(head: pd.DataFrame) -> list[Headline]:
    """The findings rated against an England figure like for like (the share of leavers
    adopted, care entry to adoption order), from :func:`headlines`' rows: the LA's latest
    year's figure against England's yearly one. Reach: the shortfall in leavers adopted at
    England's share; for the days, the children measured that year."""
    out = []
    h = head.set_index("key")
    for key, label in _ENGLAND_ROWS.items():
        if key not in h.index:
            continue
        r = h.loc[key]
        n = int(r["compare_children"])
        if key == "adopted_share_of_leavers":
            k = 0 if pd.isna(r["compare_within"]) else int(r["compare_within"])
            reach = shortfall(k, n, float(r["england"])) if not pd.isna(r["england"]) else 0
        else:
            reach = n
        out.append(Headline(
            key=key, section=ts.KEY, label=label, value=r["compare_value"],
            unit="pct" if r["unit"] == "pct" else "days", n=n, statistic=r["statistic"],
            benchmark=r["england"], benchmark_label="England's figure",
            benchmark_kind="england", better=r["better"],
            confirmed=r["rating"] != "not rated" or pd.isna(r["england"]), reach=reach,
            evidence=table_anchor(ts.KEY, "Children leaving care and the share who left "
                                  "through adoption") if key.startswith("adopted") else
            table_anchor(ts.KEY, ts.EVIDENCE["scorecard"])))
    return out


def findings(journeys: pd.DataFrame, periods: pd.DataFrame, looked_after: pd.DataFrame,
             params: Params, *, adopters: pd.DataFrame | None = None,
             audits: pd.DataFrame | None = None, costs: pd.DataFrame | None = None,
             staffing: pd.DataFrame | None = None, episodes: pd.DataFrame | None = None,
             under_fives: list[Headline] | None = None,
             head: pd.DataFrame | None = None, plans: pd.DataFrame | None = None
             ) -> list[Headline]:
    """Every section's findings (``measures.headline``), in section order: section 1's
    under-represented group, section 2's scorecard, stages, early permanence, England
    comparisons and children still waiting (``measures.waiting``: the share placed within 12
    months of the decision, and children with a placement order waiting 18 months or more;
    ``plans``, the local permanence plans, add the plans changed away from adoption to the
    ways out), section 4's under-fives (``under_fives``: ``measures.under_fives.headlines``,
    which the caller has for the cohorts it built), section 5's adopters (when ``adopters`` is
    given), section 6's unit costs
    (when ``costs`` and ``episodes`` are given), section 7's audits (when ``audits`` is
    given). Rank them with ``measures.headline.rank``."""
    head = headlines(journeys, periods, params) if head is None else head
    out = ch.headlines(ch.profile(looked_after, journeys, params))
    out += ts.headlines(journeys, params) + england_headlines(head)
    w = wt.analyse(journeys, params, plans, periods, origins=("adm",), by_year=())
    out += wt.headlines(w, journeys, params)
    out += under_fives or []
    if adopters is not None:
        out += ad.headlines(ad.as_known(adopters, params), journeys, params)
    if costs is not None and episodes is not None:
        out += rs.headlines(costs, staffing, episodes, journeys, adopters, params)
    if audits is not None and len(audits):
        out += au.headlines(audits, params)
    return out


#: The headline rows an LA's own comparators (``local/comparators.csv``) stand beside.
COMPARED = {"a1": "a1_mean_days", "a10": "a10_mean_days", "a2": "a2_mean_days",
            "adopted_share_of_leavers": "adopted_share_of_leavers_pct",
            "entry_to_ao": "entry_to_adoption_days"}


def other_comparators(comparators: pd.DataFrame | None, key: str) -> pd.DataFrame:
    """The LA's statistical neighbours' or region's figures for a headline row (``area,
    value, period, source``), as the LA gave them; empty when it gave none. They are shown
    beside England's and never rate."""
    cols = ["area", "value", "period", "source"]
    if comparators is None or key not in COMPARED or not len(comparators):
        return pd.DataFrame(columns=cols)
    c = comparators.loc[comparators["measure"].astype("string").eq(COMPARED[key])]
    return c.dropna(subset=["value"])[cols].reset_index(drop=True)
