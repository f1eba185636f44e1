"""Cell text into values: dates in every format LAs' 903 files use, numbers (money too) and
yes/no flags, each parsed once per distinct text and spread back to the rows.

Dates: ``dd/mm/yyyy`` as the 903 specifies; also ``yyyy-mm-dd``, either with a time (what Excel
and databases write), ``dd/mm/yy`` (the POSIX century rule) and Excel serial numbers
(:data:`DATE_FORMATS`). A text that is none of these is not a date (NaT) and the reader records
it as a finding.
"""

from __future__ import annotations

import functools
import re
import threading
from itertools import repeat

import numpy as np
import pandas as pd

DMY = "%d/%m/%Y"
_ISO = "%Y-%m-%d"
_TIME = r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"

#: The date formats read, in the order tried: (name, pattern with the date in group 1, how the
#: date part is parsed). ``dd/mm/yy`` uses the POSIX century rule: 69-99 are 1969-1999, 00-68
#: are 2000-2068. An Excel serial number counts days from 30/12/1899 (five digits, 1927-2173).
DATE_FORMATS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("dd/mm/yyyy", re.compile(r"^(\d{1,2}/\d{1,2}/\d{4})$"), DMY),
    ("dd/mm/yyyy with a time", re.compile(rf"^(\d{{1,2}}/\d{{1,2}}/\d{{4}}){_TIME}$"), DMY),
    ("yyyy-mm-dd", re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})$"), _ISO),
    ("yyyy-mm-dd with a time", re.compile(rf"^(\d{{4}}-\d{{1,2}}-\d{{1,2}}){_TIME}$"), _ISO),
    ("dd/mm/yy", re.compile(r"^(\d{1,2}/\d{1,2}/\d{2})$"), "%d/%m/%y"),
    ("Excel serial number", re.compile(r"^(\d{5})(?:\.0+)?$"), "excel"),
)
ACCEPTED_DATES = ("dd/mm/yyyy (also yyyy-mm-dd, either with a time such as 00:00, dd/mm/yy, or "
                  "an Excel serial number such as 45123)")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EARLIEST = pd.Timestamp("1900-01-01")
#: The nullable types of typed columns (instances: quicker to build arrays with than names).
STRING_DTYPE = pd.StringDtype()
BOOLEAN_DTYPE = pd.BooleanDtype()
_TRUE = {"yes", "y", "true", "1", "t"}
_FALSE = {"no", "n", "false", "0", "f"}


#: A column's distinct values: each row's code into them (-1 where blank), and the values.
Distinct = tuple[np.ndarray, list[str]]


def distinct_codes(s: pd.Series) -> Distinct:
    """Each row's code into the column's distinct values (-1 where blank) and those values as
    text (``astype("string")``), in order of first appearance."""
    codes, uniques = pd.factorize(s.to_numpy(dtype=object))
    if len(uniques) and pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        # Values other than text (a frame not read from CSV) as text: two may read the same.
        again, uniques = pd.factorize(pd.Series(uniques, dtype=object).astype("string")
                                      .to_numpy(dtype=object))
        codes = np.append(again, -1)[codes]
    return codes, uniques.tolist()


def take(values, codes: np.ndarray):
    """``values`` (one per distinct value: dates, or an extension array) spread to the rows; a
    blank row (code -1) gets the missing value (NaT, NA)."""
    if isinstance(values, np.ndarray):  # dates: -1 takes the NaT put last
        return np.append(values, np.array(["NaT"], dtype=values.dtype))[codes]
    return values.take(codes, allow_fill=True)


def spread(flags: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """A flag per distinct value as a flag per row (False where blank)."""
    return np.append(flags, False)[codes]


#: Where the digits and separators of a date written at full width are, as (day, month, year,
#: separator) positions, and its format's index in :data:`DATE_FORMATS`.
_FULL_WIDTH = {0: ((0, 1), (3, 4), (6, 7, 8, 9), (2, 5), "/"),
               2: ((8, 9), (5, 6), (0, 1, 2, 3), (4, 7), "-")}


def _full_width_dates(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970 and format (an index into :data:`DATE_FORMATS`, -1 where not read) of
    texts written exactly as ``dd/mm/yyyy`` or ``yyyy-mm-dd`` with two-digit days and months:
    real dates from 1900 on, read by arithmetic on the characters, which is what nearly every
    date in real files looks like. Anything else is left to :func:`_read_dates_detail`."""
    days = np.zeros(len(texts), dtype=np.int64)
    formats = np.full(len(texts), -1, dtype=np.int8)
    ten = np.flatnonzero(np.fromiter(map(len, texts), dtype=np.intp, count=len(texts)) == 10)
    if not len(ten):
        return days, formats
    chars = np.array(texts[ten], dtype="U10").view(np.uint32).reshape(-1, 10).astype(np.int64)
    digit = chars - ord("0")
    for fmt, (d, m, y, seps, sep) in _FULL_WIDTH.items():
        ok = ((digit[:, [*d, *m, *y]] >= 0) & (digit[:, [*d, *m, *y]] <= 9)).all(axis=1) & \
            (chars[:, list(seps)] == ord(sep)).all(axis=1)
        day, month, year = (sum(digit[:, p] * 10 ** (len(ps) - 1 - i) for i, p in enumerate(ps))
                            for ps in (d, m, y))
        ok &= (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1900)
        months = np.where(ok, (year - 1970) * 12 + month - 1, 0)
        first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        after = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        ok &= first + day - 1 < after  # a day the month has
        at = ten[ok]
        days[at] = (first + day - 1)[ok]
        formats[at] = fmt
    return days, formats


#: The days (since 1970) a nanosecond date can hold.
_NS_DAYS = (pd.Timestamp.min.value // 86_400_000_000_000 + 1,
            pd.Timestamp.max.value // 86_400_000_000_000)


@functools.cache
def _pandas_ns() -> bool:
    """Whether pandas reads dates in nanoseconds whatever the format (before pandas 3: the kit
    accepts pandas 2.2 and later); pandas 3 picks the unit from what it reads (see
    :func:`date_values`)."""
    probe = pd.to_datetime(pd.Series(["01/02/2024"]), format=DMY)
    return np.datetime_data(probe.dtype)[0] == "ns"


def _parse_dates(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The day (days since 1970; NaT's number where unreadable), format (an index into
    :data:`DATE_FORMATS`, -1 where none) and whether the dd/mm/yyyy pass read it, of each
    text: as :func:`_read_dates_detail` reads the stripped texts, those written at full
    width (:func:`_full_width_dates`) by arithmetic."""
    stripped = pd.Series(texts, dtype="string").str.strip()
    days, formats = _full_width_dates(stripped.to_numpy(dtype=object, na_value=""))
    if _pandas_ns():
        # pandas before 3 holds dates in nanoseconds (1677 to 2262): a day outside them is read
        # the slow way, as pandas reads it (not at all).
        lo, hi = _NS_DAYS
        formats[(formats >= 0) & ((days < lo) | (days > hi))] = -1
    first = formats == 0
    rest = formats < 0
    if rest.any():
        dates, fmt, first_rest = _read_dates_detail(stripped[rest])
        days[rest] = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
        names = pd.Categorical(fmt, categories=[f[0] for f in DATE_FORMATS])
        formats[rest] = names.codes.astype(np.int8)
        first[rest] = first_rest.to_numpy(dtype=bool)
    return days, formats, first


class _DateCache:
    """What each date text read so far reads as: the same dates recur across files and
    collection years, and are parsed once. A text's number indexes arrays of its day (days
    since 1970; the least whole number, NaT, where unreadable), its format (an index into
    :data:`DATE_FORMATS`, -1 where none) and whether the dd/mm/yyyy pass read it (which decides
    a column's unit, see :func:`date_values`). Emptied when it grows large."""

    LIMIT = 500_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._ids: dict[str, int] = {}
        self._days = np.empty(0, dtype=np.int64)
        self._formats = np.empty(0, dtype=np.int8)
        self._first = np.empty(0, dtype=bool)

    def look_up(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The day, format and first-pass flag of each text (parsing those not seen)."""
        with self._lock:
            ids = np.fromiter(map(self._ids.get, texts, repeat(-1, len(texts))),
                              dtype=np.intp, count=len(texts))
            new = ids < 0
            if new.any():
                if len(self._ids) + int(new.sum()) > self.LIMIT:
                    self._reset()  # then every text is parsed again
                    ids[:], new[:] = -1, True
                fresh = np.asarray(texts, dtype=object)[new]
                days, formats, first = _parse_dates(fresh)
                start = len(self._ids)
                ids[new] = np.arange(start, start + len(fresh))
                self._ids.update(zip(fresh.tolist(), range(start, start + len(fresh)),
                                     strict=True))
                self._days = np.concatenate([self._days, days])
                self._formats = np.concatenate([self._formats, formats])
                self._first = np.concatenate([self._first, first])
            return self._days[ids], self._formats[ids], self._first[ids]


_DATES = _DateCache()
_FORMAT_NAMES = np.array([None, *(f[0] for f in DATE_FORMATS)], dtype=object)


def date_values(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct text as a date (NaT where unreadable) and its format (an index into
    :data:`DATE_FORMATS`, -1 where none).

    The dates are those of :func:`_read_dates` on the same values, in its unit: microseconds
    when any value was read as dd/mm/yyyy, else seconds (what pandas gives there).
    """
    days, formats, first = _DATES.look_up(texts)
    unit = "ns" if _pandas_ns() else "us" if first.any() else "s"
    return days.astype("datetime64[D]").astype(f"datetime64[{unit}]"), formats


def read_dates(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates in any of :data:`DATE_FORMATS` (each row may use its own), and the name of the
    format each value was read in (NA where blank or unreadable). Dates before 1900 are not
    read (a two-digit year written as four, such as ``0024``)."""
    codes, texts = distinct_codes(s)
    values, formats = date_values(texts)
    dates = pd.Series(take(values, codes), index=s.index, name=s.name)
    names = pd.array(_FORMAT_NAMES[formats + 1], dtype=STRING_DTYPE)
    return dates, pd.Series(take(names, codes), index=s.index)


def _read_dates(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`read_dates` of a stripped text column, row by row."""
    dates, fmt, _ = _read_dates_detail(s)
    return dates, fmt


def _read_dates_detail(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """:func:`_read_dates`, and which values the first (dd/mm/yyyy) pass read."""
    dates = pd.to_datetime(s, format=DMY, errors="coerce")
    first = dates.notna()
    fmt = pd.Series(pd.NA, index=s.index, dtype="string")
    fmt[first] = DATE_FORMATS[0][0]
    rest = ~first & s.notna()
    for name, pattern, how in DATE_FORMATS[1:]:
        if not rest.any():
            break
        part = s[rest].str.extract(pattern, expand=False)
        if isinstance(part, pd.DataFrame):
            part = part.iloc[:, 0]
        part = part.dropna()
        if part.empty:
            continue
        if how == "excel":
            days = pd.to_numeric(part, errors="coerce")
            got = _EXCEL_EPOCH + pd.to_timedelta(days, unit="D")
        else:
            got = pd.to_datetime(part, format=how, errors="coerce")
        got = got.dropna()
        dates[got.index] = got
        fmt[got.index] = name
        rest[got.index] = False
    early = (dates < _EARLIEST).fillna(False).astype(bool)
    dates[early] = pd.NaT
    fmt[early] = pd.NA
    return dates, fmt, first


def parse_dates(s: pd.Series) -> pd.Series:
    """Dates written in any of :data:`DATE_FORMATS` (either in any row); others → NaT."""
    return read_dates(s)[0]


def parse_numbers(s: pd.Series, *, money: bool = False) -> pd.Series:
    """Numbers; with ``money``, a leading £ and thousands separators are accepted."""
    s = s.astype("string").str.strip()
    if money:
        s = s.str.replace(r"^£", "", regex=True).str.replace(r"(?<=\d),(?=\d{3}\b)", "", regex=True)
    return pd.to_numeric(s, errors="coerce")


def bool_of(text: str) -> bool | None:
    low = text.strip().lower()
    return True if low in _TRUE else False if low in _FALSE else None


def parse_bools(s: pd.Series) -> pd.Series:
    codes, texts = distinct_codes(s)
    values = pd.array([bool_of(t) for t in texts], dtype=BOOLEAN_DTYPE)
    return pd.Series(take(values, codes), index=s.index)


def _parse_bools(s: pd.Series) -> pd.Series:
    """:func:`parse_bools` row by row."""
    low = s.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[low.isin(_TRUE)] = True
    out[low.isin(_FALSE)] = False
    return out
