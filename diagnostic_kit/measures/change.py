"""Whether a figure changed between two years by more than chance would give on that many
children: the one test behind every "better", "worse" and "no clear change" in the report.

Each year's figure rests on few children (an LA adopts 10 to 60 a year), so a move of a few days
or points is usually noise. A change is called **clear** when the 95% confidence interval of the
difference between the two years leaves out zero:

- a **mean** (A1, A10, A2, care entry to adoption order): Welch's interval for the difference
  of two means (each year's own spread; Welch–Satterthwaite degrees of freedom, Student's t);
- a **share** (A3, the share of leavers adopted): Newcombe's hybrid score interval for the
  difference of two proportions (from each year's Wilson interval), which behaves on small
  counts and on shares of 0% or 100%;
- a **median** (the stage trends): a percentile bootstrap of the difference of the two
  medians (2,000 resamples, a fixed seed, so the same data gives the same answer).

Each year's own 95% interval (t for a mean, Wilson for a share, the bootstrap for a median) is
what the trend charts draw around each point. Years with fewer than two children have no
interval and a change from or to them is never called clear.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

#: Two-sided 95%.
LEVEL = 0.95
Z = NormalDist().inv_cdf(0.5 + LEVEL / 2)
BOOTSTRAP = 2000
SEED = 903


def _t(df: float) -> float:
    """Student's t quantile for a two-sided 95% interval on ``df`` degrees of freedom."""
    from scipy.special import stdtrit  # scipy.special only: scipy.stats costs a second to import

    return float(stdtrit(df, 0.5 + LEVEL / 2))


def _clean(values: Sequence[float] | np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype="float64")
    return v[~np.isnan(v)]


def mean_interval(values: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """The mean and its 95% t interval: ``(mean, low, high)``; NaN bounds under two values.

    >>> [round(x, 2) for x in mean_interval([10, 12, 14])]
    [12.0, 7.03, 16.97]
    """
    v = _clean(values)
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    m = float(v.mean())
    if len(v) < 2:
        return m, math.nan, math.nan
    half = _t(len(v) - 1) * float(v.std(ddof=1)) / math.sqrt(len(v))
    return m, m - half, m + half


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson's 95% score interval for ``k`` of ``n``, as proportions (0–1); NaN when n is 0.
    Newcombe's (1998) worked example, 81 of 263:

    >>> [round(x, 4) for x in wilson(81, 263)]
    [0.2553, 0.3662]
    """
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def share_interval(k: int, n: int) -> tuple[float, float, float]:
    """A share in % with its Wilson interval: ``(pct, low, high)``."""
    if n <= 0:
        return math.nan, math.nan, math.nan
    lo, hi = wilson(k, n)
    return 100 * k / n, 100 * lo, 100 * hi


def median_interval(values: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """The median and its 95% percentile-bootstrap interval: ``(median, low, high)``."""
    v = _clean(values)
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    med = float(np.median(v))
    if len(v) < 2:
        return med, math.nan, math.nan
    rng = np.random.default_rng(SEED)
    boots = np.median(rng.choice(v, size=(BOOTSTRAP, len(v)), replace=True), axis=1)
    lo, hi = np.quantile(boots, [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2])
    return med, float(lo), float(hi)


def mean_difference(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    """``b`` − ``a`` (later minus earlier) with Welch's 95% interval: ``(diff, low, high)``;
    NaN bounds when either year has fewer than two values."""
    x, y = _clean(a), _clean(b)
    if len(x) == 0 or len(y) == 0:
        return math.nan, math.nan, math.nan
    return welch(float(x.mean()), float(x.std(ddof=1)) if len(x) > 1 else math.nan, len(x),
                 float(y.mean()), float(y.std(ddof=1)) if len(y) > 1 else math.nan, len(y))


def welch(m1: float, s1: float, n1: int, m2: float, s2: float, n2: int
          ) -> tuple[float, float, float]:
    """The difference of two means (second − first) with Welch's 95% interval, from each
    year's mean, standard deviation and count. By hand for 10 (sd 2, 5 values) against 14
    (sd 3, 6 values): variances of the means 4/5 = 0.8 and 9/6 = 1.5, standard error
    √2.3 = 1.517, df = 2.3² / (0.8²/4 + 1.5²/5) = 8.67, t = 2.274, so 4 ± 3.45:

    >>> [round(x, 2) for x in welch(10, 2, 5, 14, 3, 6)]
    [4.0, 0.55, 7.45]
    """
    diff = float(m2 - m1)
    if n1 < 2 or n2 < 2 or math.isnan(s1) or math.isnan(s2):
        return diff, math.nan, math.nan
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    se2 = v1 + v2
    if se2 == 0:
        return diff, diff, diff
    df = se2 * se2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    half = _t(df) * math.sqrt(se2)
    return diff, diff - half, diff + half


def share_difference(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float]:
    """The second share minus the first, in percentage points, with Newcombe's hybrid score
    95% interval: ``(diff, low, high)``. Newcombe's (1998) worked example, 56/70 against 48/80:

    >>> [round(x, 2) for x in share_difference(48, 80, 56, 70)]
    [20.0, 5.24, 33.39]
    """
    if n1 <= 0 or n2 <= 0:
        return math.nan, math.nan, math.nan
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return 100 * d, 100 * low, 100 * high


def median_difference(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    """``median(b)`` − ``median(a)`` with a 95% percentile-bootstrap interval (each year
    resampled on its own)."""
    x, y = _clean(a), _clean(b)
    if len(x) == 0 or len(y) == 0:
        return math.nan, math.nan, math.nan
    diff = float(np.median(y) - np.median(x))
    if len(x) < 2 or len(y) < 2:
        return diff, math.nan, math.nan
    rng = np.random.default_rng(SEED)
    bx = np.median(rng.choice(x, size=(BOOTSTRAP, len(x)), replace=True), axis=1)
    by = np.median(rng.choice(y, size=(BOOTSTRAP, len(y)), replace=True), axis=1)
    lo, hi = np.quantile(by - bx, [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2])
    return diff, float(lo), float(hi)


def direction(difference: tuple[float, float, float]) -> int:
    """+1 when the interval of a difference lies wholly above zero, -1 wholly below, 0 when it
    includes zero or cannot be computed (no clear change)."""
    _, low, high = difference
    if math.isnan(low) or math.isnan(high):
        return 0
    if low > 0:
        return 1
    if high < 0:
        return -1
    return 0
