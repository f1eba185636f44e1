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
from diagnostic_kit.measures import timescales as ts
from diagnostic_kit.measures.cohorts import adopted, adopted_count
from diagnostic_kit.measures.ratings import RULES, rate

COLUMNS = ["key", "value", "unit", "children", "within", "benchmark", "benchmark_kind",
           "benchmark_period", "england", "england_period", "rating",
           "compare_value", "compare_label", "compare_children", "compare_within",
           "england_rating", "england_older", "better", "per_year"]

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


def older_than_period(period: str | None, params: Params) -> bool:
    """Whether a comparator's period ended before the reporting period began."""
    end = comparator_end(period)
    return end is not None and end < params.period_start


def _row(key: str, value: float, unit: str, children: int, **kw) -> dict:
    row = dict.fromkeys(COLUMNS, np.nan)
    row.update({"key": key, "value": value, "unit": unit, "children": children,
                "benchmark_kind": None, "benchmark_period": "", "england_period": "",
                "rating": "not rated", "compare_label": "", "england_rating": "not rated",
                "england_older": False, "better": None})
    row.update(kw)
    return row


def trends(journeys: pd.DataFrame, periods: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Each headline that has a yearly figure, by financial year of the period and for the
    whole period: ``key, year, value, children, within``. Keys: ``children_adopted`` (count),
    ``a1``, ``a10``, ``a2`` (mean days), ``a3`` (% within the A3 threshold),
    ``adopted_share_of_leavers`` (%), ``entry_to_ao`` (mean days). Years with no child measured
    are left out (whole period always kept)."""
    rows = []
    sc = ts.scorecard(journeys, params)
    for _, r in sc.iterrows():
        rows.append({"key": r["measure"].lower(), "year": r["year"], "value": r["value"],
                     "children": int(r["children"]),
                     "within": r["children_within"] if r["measure"] == "A3" else np.nan})
    done = adopted(journeys, params)
    years = financial_year(pd.to_datetime(done["ao_date"]))
    total = done["entry_to_ao_days"].astype("float64")
    ident = done["child"] if "child" in done else pd.Series(done.index, index=done.index)
    for year in [*sorted(years.dropna().unique()), WHOLE]:
        sel = years.eq(year) if year != WHOLE else pd.Series(True, index=done.index)
        k = int(ident.loc[sel].nunique())
        rows.append({"key": "children_adopted", "year": year, "value": float(k),
                     "children": k, "within": np.nan})
        t = total.loc[sel].dropna()
        rows.append({"key": "entry_to_ao", "year": year,
                     "value": t.mean() if len(t) else np.nan, "children": len(t),
                     "within": np.nan})
    for _, r in ts.leavers(periods, params).iterrows():
        rows.append({"key": "adopted_share_of_leavers", "year": r["year"],
                     "value": r["pct_adopted"], "children": int(r["left_care"]),
                     "within": r["adopted"]})
    out = pd.DataFrame(rows, columns=["key", "year", "value", "children", "within"])
    out = out.loc[out["year"].eq(WHOLE) | out["children"].gt(0)]
    return out.reset_index(drop=True)


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
    if measure not in RULES or pd.isna(value) or england is None or pd.isna(england):
        return "not rated"
    a, b = np.floor(value + 0.5), np.floor(england + 0.5)
    if a == b:
        return "same"
    lower_better = RULES[measure][0] == "lower"
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
               england_period=ca.period, england_older=older_than_period(ca.period, params))
    last = latest_year(trend, "children_adopted")
    row.update({"compare_value": last["value"] if last is not None else np.nan,
                "compare_label": last["year"] if last is not None else "",
                "compare_children": int(last["children"]) if last is not None else 0,
                "per_year": per_year})
    rows.append(row)
    sc = ts.scorecard(journeys, params)
    whole = sc.loc[sc["year"].eq(WHOLE)].set_index("measure")
    for m in ("A10", "A1", "A2"):
        r = whole.loc[m]
        comp = c[ts.SCORECARD_BENCHMARKS[m.lower()][1]]
        row = _row(m.lower(), r["value"], "days", int(r["children"]),
                   benchmark=r["threshold"], benchmark_kind="threshold",
                   benchmark_period=params.thresholds.a1_days.period
                   if m != "A2" else params.thresholds.a2_days.period,
                   england=r["england"], england_period=r["england_period"]
                   if comp.known else "", rating=r["rating"], better="lower",
                   england_older=comp.known and older_than_period(comp.period, params))
        if comp.known:
            row.update(_like_for_like(trend, m.lower(), comp.period))
            row["england_rating"] = _versus_england(f"{m.lower()}_mean_days", row, comp.value)
        rows.append(row)
    r = whole.loc["A3"]
    rows.append(_row("a3", r["value"], "pct", int(r["children"]),
                     within=r["children_within"], better="higher"))
    for key, comp, measure in (("adopted_share_of_leavers", c.adopted_share_of_leavers_pct,
                                "adopted_share_of_leavers_pct"),
                               ("entry_to_ao", c.entry_to_adoption_days,
                                "entry_to_adoption_days")):
        w = trend.loc[trend["key"].eq(key) & trend["year"].eq(WHOLE)].iloc[0]
        row = _row(key, w["value"], "pct" if key.startswith("adopted") else "days",
                   int(w["children"]), within=w["within"], benchmark=comp.value,
                   benchmark_kind="england", england=comp.value, england_period=comp.period,
                   england_older=older_than_period(comp.period, params),
                   better=RULES[measure][0])
        row.update(_like_for_like(trend, key, comp.period))
        # Rated on the like-for-like figure: the national figure is the benchmark.
        row["rating"] = rate(measure, row["compare_value"], comp.value)
        row["england_rating"] = _versus_england(measure, row, comp.value)
        rows.append(row)
    for _, r in ts.stage_statistics(journeys, params).iterrows():
        rows.append(_row(f"stage_{r['stage']}", r["median"], "days", int(r["children"]),
                         benchmark=r["standard_days"], benchmark_kind="standard",
                         benchmark_period=r["standard"], better="lower",
                         rating=rate("stage_median_days", r["median"], r["standard_days"])))
    drift = ts.drift_now(journeys, params)
    rows.append(_row("drift_now", len(drift), "children", len(drift)))
    wait = ts.po_waiting_counts(ts.po_waiting(journeys, params))
    rows.append(_row("po_waiting_18m", wait["po_18m_plus"], "children", wait["po_18m_plus"]))
    return pd.DataFrame(rows, columns=COLUMNS)


def _period_years(params: Params) -> float:
    """The reporting period in years (three financial years: 3)."""
    days = (params.period_end - params.period_start).days + 1
    return round(days / 365.25, 1)
