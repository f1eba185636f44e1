"""The one definition of a span of days between two dates, and of why a span is not measured.

Every stage of the child's journey, every scorecard measure and every "days so far" figure is a
span computed here (``derive.journeys`` calls it once per measure and keeps the result):

- days = end − start in calendar days; the same day counts 0;
- not measured when either date is blank ("no <date> date");
- not measured when the end is before the start ("dates out of order: ..."): a negative span
  is a data-quality finding (rule ``stage_negative``), excluded, never clipped to 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: How each journey date is named in a reason.
DATE_LABELS: dict[str, str] = {
    "care_entry": "care entry",
    "iro_date": "IRO recommendation",
    "adm_date": "ADM decision",
    "po_date": "placement order",
    "placement_date": "adoptive placement",
    "match_date": "match",
    "moved_in_date": "moved-in",
    "ao_date": "adoption order",
    "reference_date": "reference date",
}


@dataclass(frozen=True)
class Span:
    """Days per row, why a row is not measured (NA where it is), and which rows are negative."""

    days: pd.Series
    reason: pd.Series
    negative: pd.Series


def span_days(start: pd.Series, end: pd.Series, start_name: str, end_name: str) -> Span:
    """Calendar days from ``start`` to ``end`` with the exclusions above.

    ``start_name``/``end_name`` are the dates' column names (see :data:`DATE_LABELS`), used in
    the reasons.
    """
    s, e = pd.to_datetime(start), pd.to_datetime(end)
    diff = (e - s).dt.days.astype("float64")
    negative = diff.lt(0).fillna(False).astype(bool)
    frm, to = DATE_LABELS.get(start_name, start_name), DATE_LABELS.get(end_name, end_name)
    reason = pd.Series(
        np.select([s.isna(), e.isna(), negative],
                  [f"no {frm} date", f"no {to} date",
                   f"dates out of order: {to} is before {frm}"], default=""),
        index=s.index, dtype="string",
    ).replace("", pd.NA)
    return Span(days=diff.where(~negative), reason=reason, negative=negative)
