"""Children's characteristics and the looked-after cohort of the reporting period.

The comparison group for section 1 is every child looked after at any time during the
reporting period: a period of care that started on or before the period end and had not ended
before the period start. Periods made only of short breaks (V3/V4) are left out, as DfE leaves
them out of looked-after counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.inputs import codes

AGE_BANDS = ("under 1", "1-4", "5-9", "10-15", "16+")
#: The band of a child whose age is unknown (e.g. care began before the earliest return).
NOT_KNOWN = "not known"
_SEX_LABELS = {k: v for k, v in codes.SEX.items()}


def age_in_years(at: pd.Series, dob: pd.Series, digits: int | None = 2) -> pd.Series:
    """Age in years (365.25-day years) at a date, to ``digits`` decimals (None: unrounded, for
    banding: a child of 364 days is under 1, not 1.00); NaN when either is unknown."""
    age = (pd.to_datetime(at) - pd.to_datetime(dob)).dt.days / 365.25
    return age if digits is None else age.round(digits)


def age_band(age_years: pd.Series) -> pd.Series:
    """DfE age bands from age in years (whole years completed): under 1, 1-4, 5-9, 10-15, 16+;
    "not known" when the age is."""
    bins = [-np.inf, 1, 5, 10, 16, np.inf]
    band = pd.cut(pd.to_numeric(age_years, errors="coerce").astype("float64"), bins=bins,
                  labels=list(AGE_BANDS), right=False)
    return band.astype("string").fillna(NOT_KNOWN)


def disabled(cin: pd.Series, local_flag: pd.Series) -> pd.Series:
    """Disability: category of need N2 (child's disability) or the local disability flag."""
    return (cin.eq(codes.CIN_DISABILITY).fillna(False)
            | local_flag.astype("boolean").fillna(False)).astype(bool)


def add_characteristics(frame: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (one row per child's period or journey, with ``child``, ``care_entry`` and
    ``cin``) with each child's characteristics (``people``), ``age_at_entry`` (at the start of
    the period of care), ``age_band_entry`` and ``disabled``."""
    out = frame.merge(people, on="child", how="left")
    out["age_at_entry"] = age_in_years(out["care_entry"], out["dob"])
    out["age_band_entry"] = age_band(age_in_years(out["care_entry"], out["dob"], digits=None))
    out["disabled"] = disabled(out["cin"], out["disabled_local"])
    return out


def child_characteristics(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per child: DOB (internal only), sex, ethnicity, UASC, local flags.

    Sex accepts both the numeric (to 2023-24) and letter (from 2024-25) codes. ``sibling_group``
    is true when the child's local sibling group identifier is shared with another child
    (``sibling_group_id``, that identifier);
    ``disabled_local`` is the local disability flag.
    """
    header = tables["header"]
    people = pd.DataFrame({
        "child": header["CHILD"].astype("string"),
        "dob": header["DOB"],
        "sex": header["SEX"].map(_SEX_LABELS).fillna("not known").astype("string"),
        "ethnic": header["ETHNIC"].astype("string"),
    })
    people["ethnic_group"] = (
        people["ethnic"].map(codes.ETHNIC_GROUP).fillna("Not known").astype("string")
    )
    people["uasc"] = people["child"].isin(tables["uasc"]["CHILD"])
    plans = tables["permanence_plans"]
    if plans.empty:
        people["sibling_group"] = False
        people["sibling_group_id"] = pd.Series(pd.NA, index=people.index, dtype="string")
        people["disabled_local"] = False
    else:
        groups = plans.dropna(subset=["sibling_group"]).drop_duplicates(["child", "sibling_group"])
        size = groups.groupby("sibling_group")["child"].transform("nunique")
        siblings = set(groups.loc[size > 1, "child"])
        people["sibling_group"] = people["child"].isin(siblings)
        # The shared identifier (internal: it lets section 3 find siblings among its children).
        shared = groups.loc[size > 1].drop_duplicates("child", keep="last")
        people["sibling_group_id"] = people["child"].map(
            shared.set_index("child")["sibling_group"].astype("string")).astype("string")
        flagged = set(plans.loc[plans["disabled"].fillna(False).astype(bool), "child"])
        people["disabled_local"] = people["child"].isin(flagged)
    return people.drop_duplicates("child", keep="last").reset_index(drop=True)


def looked_after(
    periods: pd.DataFrame,
    people: pd.DataFrame,
    *,
    period_start: pd.Timestamp,
    period_end: pd.Timestamp,
) -> pd.DataFrame:
    """Children looked after at any time in the reporting period, one row each (latest period).

    ``age_at_entry`` is at the start of that period of care (unknown when it began before the
    earliest return); ``cin`` is the category of need at the start of the period; ``disabled``
    is CIN N2 or the local flag.
    """
    p = periods[~periods["short_breaks_only"]]
    during = (p["first_decom"] <= period_end) & (
        p["period_end"].isna() | (p["period_end"] >= period_start)
    )
    p = p[during].sort_values(["child", "first_decom"]).drop_duplicates("child", keep="last")
    la = p[["child", "period_id", "care_entry", "first_cin"]].rename(columns={"first_cin": "cin"})
    return add_characteristics(la, people).reset_index(drop=True)
