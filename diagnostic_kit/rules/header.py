"""Rules across the 903 tables as read (``stage="inputs"``): dates after the return's year."""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.inputs.schema import SSDA903_TABLES
from diagnostic_kit.rules.engine import Context, rule

#: Date columns that may rightly hold a later date: UASC DUC is the date the child ceases to be
#: an unaccompanied asylum-seeking child, often their 18th birthday.
MAY_BE_LATER = {("uasc", "DUC")}


def _limit(df: pd.DataFrame, ctx: Context) -> pd.Series:
    """The latest date a row can hold: 31 March of its collection year; for files given
    combined (no year), the day of the run."""
    year = df["_year"] if "_year" in df else pd.Series(0, index=df.index)
    codes, uniques = pd.factorize(year)
    if len(uniques) * 2 < len(df) and (codes >= 0).all():
        # Once per distinct year.
        ends = _limit(pd.DataFrame({"_year": uniques}), ctx)
        return pd.Series(ends.to_numpy()[codes], index=df.index, name=ends.name)
    ends = pd.to_datetime(year.where(year > 0).astype("Float64").astype("Int64").astype("string")
                          + "-03-31", errors="coerce")
    return ends.fillna(ctx.today)


@rule(id="date_in_future", message="the date is after the end of the collection year the return "
      "covers (or, for files given combined, after the day of the run)", action="kept",
      tables=tuple(t.name for t in SSDA903_TABLES), column="", validator="385, 354")
def date_in_future(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Every 903 date column (validator 385 checks DEC; the same holds for every date)."""
    out = []
    for table in SSDA903_TABLES:
        df = t.get(table.name)
        if df is None or df.empty:
            continue
        limit = _limit(df, ctx)
        for col in table.columns:
            if col.kind != "date" or (table.name, col.name) in MAY_BE_LATER:
                continue
            after = (df[col.name] > limit).fillna(False).astype(bool)
            if after.any():
                late = df[after]
                out.append(pd.DataFrame({
                    "_file": late["_file"], "_row": late["_row"], "_column": col.name,
                    "_value": late[col.name].dt.strftime("%d/%m/%Y")}))
    if not out:
        return pd.DataFrame(columns=["_file", "_row", "_column", "_value"])
    return pd.concat(out)
