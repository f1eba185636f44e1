"""Shared helpers of the synthetic LA: day numbers, date formats, weighted choices.

Dates are carried as float day numbers (days since 1970-01-01, NaN = no date) so that whole
columns can be shifted and compared with numpy; they become text only when a file is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

EPOCH = dt.date(1970, 1, 1)
YEAR = 365.25


def day(d: dt.date) -> int:
    """Day number of a date."""
    return (d - EPOCH).days


def _format(days: np.ndarray | pd.Series, fmt: str) -> np.ndarray:
    """Format day numbers with ``fmt``; NaN becomes an empty string.

    A file holds few distinct dates (a few thousand over 20 years), so each distinct date is
    formatted once and mapped back: far faster than formatting row by row.
    """
    arr = np.asarray(days, dtype=float)
    out = np.full(arr.shape, "", dtype=object)
    ok = ~np.isnan(arr)
    if ok.any():
        uniq, inv = np.unique(arr[ok].astype(np.int64), return_inverse=True)
        text = np.array([(EPOCH + dt.timedelta(days=int(u))).strftime(fmt) for u in uniq],
                        dtype=object)
        out[ok] = text[inv]
    return out


def dmy(days: np.ndarray | pd.Series) -> np.ndarray:
    """``dd/mm/yyyy``, as 903 files hold dates."""
    return _format(days, "%d/%m/%Y")


def iso(days: np.ndarray | pd.Series) -> np.ndarray:
    """``yyyy-mm-dd``, as the kit's local templates hold dates."""
    return _format(days, "%Y-%m-%d")


def choose(rng: np.random.Generator, options: dict[str, float], n: int) -> np.ndarray:
    """``n`` draws from ``options`` (value -> weight; weights need not sum to 1)."""
    values = np.array(list(options), dtype=object)
    p = np.array(list(options.values()), dtype=float)
    return values[rng.choice(len(values), size=n, p=p / p.sum())]


def lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    """Right-skewed durations in days with the given median: most short, a long tail."""
    return median * np.exp(sigma * rng.standard_normal(n))


def add_years(days: np.ndarray, years: float) -> np.ndarray:
    """Approximate anniversary (good to a day, which is all ages and the 18th birthday need)."""
    return np.floor(days + years * YEAR)


def financial_year(year_end: int) -> str:
    """Label of the financial / collection year ending 31 March ``year_end``: ``2025-26``."""
    return f"{year_end - 1}-{year_end % 100:02d}"


@dataclass(frozen=True)
class Window:
    """The collection years of the returns: each runs 1 April to 31 March."""

    last_year: int
    years: int

    @property
    def year_ends(self) -> list[int]:
        """Calendar year of each return's 31 March, oldest first."""
        return list(range(self.last_year - self.years + 1, self.last_year + 1))

    def start_of(self, year_end: int) -> int:
        return day(dt.date(year_end - 1, 4, 1))

    def end_of(self, year_end: int) -> int:
        return day(dt.date(year_end, 3, 31))

    @property
    def first_start(self) -> int:
        """1 April of the first collection year: nothing earlier is in any file."""
        return self.start_of(self.year_ends[0])

    @property
    def data_end(self) -> int:
        """31 March of the last collection year: the extract date; nothing later exists."""
        return self.end_of(self.last_year)

    def label(self, year_end: int) -> str:
        return financial_year(year_end)
