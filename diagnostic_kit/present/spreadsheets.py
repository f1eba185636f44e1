"""Text a spreadsheet could read as a formula (OWASP CSV injection guidance), made safe.

Every CSV the kit writes beside a report, and ``audits import``'s ``case_audits.csv``, goes
through :func:`formula_safe_frame`: text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading ``'``, so that a spreadsheet shows it as text; numbers stay
numbers.
"""

from __future__ import annotations

import pandas as pd

#: What a spreadsheet may read as the start of a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(values: pd.Series) -> pd.Series:
    """Text that a spreadsheet could read as a formula, with a leading ``'``; vectorised.

    Only text is touched: numbers (negative ones included), also in a column mixing numbers and
    text, stay numbers.
    """
    dtype = values.dtype
    if (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)
            or pd.api.types.is_timedelta64_dtype(dtype)):
        return values
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if isinstance(values.dtype, pd.StringDtype):
        is_text = values.notna().to_numpy(dtype=bool)
    else:
        is_text = values.map(type).eq(str).to_numpy(dtype=bool)
    if not is_text.any():
        return values
    text = values.where(is_text).astype("string")
    risky = text.str.startswith(FORMULA_START).fillna(False).to_numpy(dtype=bool) & is_text
    if not risky.any():
        return values
    out = values.copy()
    out[risky] = "'" + text[risky]
    return out


def formula_safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`formula_safe` on every text column of ``df``."""
    out = df.copy()
    for col in out.columns:
        out[col] = formula_safe(out[col])
    return out
