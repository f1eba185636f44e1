"""Section 0: the headline figures, each with its count, benchmark and rating.

Each headline is read from the measure that defines it (``measures.timescales``,
``measures.cohorts``); nothing is recomputed here. The benchmark is the scorecard threshold
where there is one, else the local standard or the national figure, always from the params in
force; the rating is ``measures.ratings.rate``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import timescales as ts
from diagnostic_kit.measures.cohorts import adopted, adopted_count
from diagnostic_kit.measures.ratings import rate

COLUMNS = ["key", "value", "unit", "children", "within", "benchmark", "benchmark_kind",
           "benchmark_period", "england", "england_period", "rating"]


def _row(key: str, value: float, unit: str, children: int, **kw) -> dict:
    row = dict.fromkeys(COLUMNS, np.nan)
    row.update({"key": key, "value": value, "unit": unit, "children": children,
                "benchmark_kind": None, "benchmark_period": "", "england_period": "",
                "rating": "not rated"})
    row.update(kw)
    return row


def headlines(journeys: pd.DataFrame, periods: pd.DataFrame, params: Params) -> pd.DataFrame:
    """One row per headline (columns :data:`COLUMNS`): ``unit`` is days, pct or children;
    ``within`` the count a % rests on; ``benchmark`` and its kind (threshold, standard,
    england); ``england`` the national figure where there is one, with its period."""
    rows = []
    c = params.comparators
    n = adopted_count(journeys, params)
    rows.append(_row("children_adopted", n, "children", n,
                     england=c.children_adopted.value, england_period=c.children_adopted.period))
    sc = ts.scorecard(journeys, params)
    whole = sc.loc[sc["year"].eq("Whole period")].set_index("measure")
    for m in ("A10", "A1", "A2"):
        r = whole.loc[m]
        rows.append(_row(m.lower(), r["value"], "days", int(r["children"]),
                         benchmark=r["threshold"], benchmark_kind="threshold",
                         benchmark_period=params.thresholds.a1_days.period,
                         england=r["england"], england_period=r["england_period"],
                         rating=r["rating"]))
    r = whole.loc["A3"]
    rows.append(_row("a3", r["value"], "pct", int(r["children"]),
                     within=r["children_within"]))
    lv = ts.leavers(periods, params).iloc[-1]
    share = c.adopted_share_of_leavers_pct
    rows.append(_row("adopted_share_of_leavers", lv["pct_adopted"], "pct", int(lv["left_care"]),
                     within=lv["adopted"], benchmark=share.value, benchmark_kind="england",
                     england=share.value, england_period=share.period,
                     rating=rate("adopted_share_of_leavers_pct", lv["pct_adopted"],
                                 share.value)))
    total = adopted(journeys, params)["entry_to_ao_days"].astype("float64")
    comp = c.entry_to_adoption_days
    rows.append(_row("entry_to_ao", total.mean(), "days", int(total.notna().sum()),
                     benchmark=comp.value, benchmark_kind="england", england=comp.value,
                     england_period=comp.period,
                     rating=rate("entry_to_adoption_days", total.mean(), comp.value)))
    for _, r in ts.stage_statistics(journeys, params).iterrows():
        rows.append(_row(f"stage_{r['stage']}", r["median"], "days", int(r["children"]),
                         benchmark=r["standard_days"], benchmark_kind="standard",
                         benchmark_period=r["standard"],
                         rating=rate("stage_median_days", r["median"], r["standard_days"])))
    drift = ts.drift_now(journeys, params)
    rows.append(_row("drift_now", len(drift), "children", len(drift)))
    wait = ts.po_waiting_counts(ts.po_waiting(journeys, params))
    rows.append(_row("po_waiting_18m", wait["po_18m_plus"], "children", wait["po_18m_plus"]))
    return pd.DataFrame(rows, columns=COLUMNS)
