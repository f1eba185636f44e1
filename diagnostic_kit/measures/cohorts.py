"""The reporting period and the groups of children every section counts.

"Children adopted" are children whose adoption order (episode ending REC E11/E12) falls in the
reporting period, both ends included; the reference date is the end of the period. Counts are of
distinct children, not of periods of care.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from diagnostic_kit.inputs.params import Params


def share(k: int, n: int) -> float:
    """``k`` as a percentage of ``n`` (NaN when ``n`` is 0)."""
    return 100.0 * k / n if n else float("nan")


def as_flag(s: pd.Series) -> pd.Series:
    """A yes/no column as plain bool; blank counts as no. Accepts bool, 0/1 or yes/no text."""
    if pd.api.types.is_bool_dtype(s):
        return s.fillna(False).astype(bool)
    if pd.api.types.is_numeric_dtype(s):
        return s.fillna(0).astype(float).ne(0)
    text = s.astype("string").str.strip().str.lower()
    return text.isin(["1", "1.0", "true", "t", "yes", "y"]).fillna(False).astype(bool)


def in_period(dates: pd.Series, params: Params) -> pd.Series:
    """Dates within the reporting period, both ends included."""
    d = pd.to_datetime(dates)
    return d.ge(pd.Timestamp(params.period_start)) & d.le(pd.Timestamp(params.period_end))


def adopted(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Journeys whose adoption order falls in the reporting period ("children adopted")."""
    return journeys.loc[in_period(journeys["ao_date"], params)]


def adopted_count(journeys: pd.DataFrame, params: Params) -> int:
    """Children adopted in the period (distinct children with an AO in the period)."""
    done = adopted(journeys, params)
    return int(done["child"].nunique()) if "child" in done else len(done)


def by_year_with_total(frame: pd.DataFrame, year: pd.Series,
                       agg: Callable[[pd.DataFrame], dict]) -> pd.DataFrame:
    """``agg`` of each financial year's rows, then of all rows ("Whole period")."""
    rows = [{"year": y, **agg(frame.loc[year.eq(y)])} for y in sorted(year.dropna().unique())]
    rows.append({"year": "Whole period", **agg(frame)})
    return pd.DataFrame(rows)
