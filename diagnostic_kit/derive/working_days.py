"""Working days: Monday to Friday, not an England and Wales bank holiday.

Bank holidays come from the ``holidays`` package (England; England and Wales share their bank
holidays). Sections that hold a standard in working days (the adopter's registration of interest,
5 working days; the first looked-after review, 20 working days) count them here, once:

- :func:`working_days_between` counts the working days *after* ``start`` up to and including
  ``end``: a decision the next working day took 1 working day; the same day 0. Friday 20
  December 2024 to Friday 3 January 2025 is 7 working days (25, 26 December and 1 January are
  bank holidays).
- :func:`add_working_days` is the date ``n`` working days after ``start`` (the deadline of an
  ``n``-working-day standard): a step is within the standard when it ends on or before it.
"""

from __future__ import annotations

from functools import cache

import holidays
import numpy as np
import pandas as pd

#: Years covered by the holiday calendar (any date an LA's data can hold).
FIRST_YEAR, LAST_YEAR = 1990, 2040


@cache
def bank_holidays() -> np.ndarray:
    """England and Wales bank holidays, ``FIRST_YEAR`` to ``LAST_YEAR``, as ``datetime64[D]``."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


def _days(dates) -> tuple[np.ndarray, np.ndarray]:
    s = pd.to_datetime(pd.Series(dates))
    known = s.notna().to_numpy()
    values = s.fillna(pd.Timestamp("2000-01-03")).to_numpy().astype("datetime64[D]")
    return values, known


def working_days_between(start, end) -> pd.Series:
    """Working days after ``start`` up to and including ``end`` (NaN where either date is
    blank; negative when ``end`` is before ``start``)."""
    s, s_known = _days(start)
    e, e_known = _days(end)
    # busday_count counts [a, b): shift both by a day to count (start, end].
    n = np.busday_count(s + 1, e + 1, holidays=bank_holidays()).astype("float64")
    n[~(s_known & e_known)] = np.nan
    index = start.index if isinstance(start, pd.Series) else None
    return pd.Series(n, index=index)


def add_working_days(start, n: int) -> pd.Series:
    """The date ``n`` working days after each ``start`` (NaT where ``start`` is blank), so that
    ``working_days_between(start, add_working_days(start, n)) == n``: Saturday + 1 = Monday."""
    s, known = _days(start)
    # From a non-working day, count from the working day before it.
    out = np.busday_offset(s, n, roll="backward", holidays=bank_holidays())
    res = pd.Series(pd.to_datetime(out), index=start.index if isinstance(start, pd.Series)
                    else None)
    return res.where(known)


def is_working_day(dates) -> pd.Series:
    d, known = _days(dates)
    out = np.is_busday(d, holidays=bank_holidays())
    return pd.Series(out & known, index=dates.index if isinstance(dates, pd.Series) else None)
