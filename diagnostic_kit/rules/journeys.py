"""Rules on the journey facts (``stage="journeys"``): AD1 against the journey it reports, and
stages whose dates are out of order.

They run after ``derive.journeys.adoption_facts`` has built one row per journey, on
``journeys`` (those facts: the journey's dates, ``ad1_row``, the index of the AD1 row it
reports, and ``pseudonym``), ``ad1`` and ``stages`` (each stage of the journey with its start
and end date columns: ``stage``, ``start``, ``end``). The rules layer does not import
``derive``: the frames come in ``tables``. A rule that a derivation also obeys (which AD1
DATE_INT can date a journey) is defined here once, and ``derive.journeys`` calls it.
"""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.inputs import codes
from diagnostic_kit.rules.engine import Context, rule

STAGE = "journeys"
#: The file a finding about a derived journey names (it has no row of its own).
DERIVED = "derived: journeys"


def _flag(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool)


def date_int_outside(j: pd.DataFrame) -> pd.Series:
    """Whether each journey's AD1 DATE_INT (``adm_date_ad1``) falls outside its period of care:
    before the care entry (where the data hold it) or after the period ended. Such a date
    cannot date the journey's ADM decision."""
    d = j["adm_date_ad1"]
    within = (j["care_entry"].isna() | (d >= j["care_entry"])) & (
        j["period_end"].isna() | (d <= j["period_end"]))
    return d.notna() & ~_flag(within)


def _ad1_with_facts(t: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The AD1 rows that report a journey, and that journey's facts on the same index."""
    j = t["journeys"]
    linked = j[j["ad1_row"].notna()]
    ad1 = t["ad1"]
    at = linked["ad1_row"].astype("int64")
    linked = linked[at.isin(ad1.index).to_numpy()]
    rows = ad1.loc[linked["ad1_row"].astype("int64")]
    return rows, linked.set_axis(rows.index)


def _dmy(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%d/%m/%Y").astype("string")


@rule(id="date_int_outside_period", message="AD1 DATE_INT falls outside the period of care of "
      "the adoption it reports", action="kept: not used as the ADM decision date",
      tables=("ad1", "journeys"), column="DATE_INT", validator="334", stage=STAGE)
def date_int_outside_period(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """:func:`date_int_outside`; the validator checks DATE_INT against the latest period's
    care entry only (334)."""
    rows, facts = _ad1_with_facts(t)
    return rows[date_int_outside(facts)]


@rule(id="date_int_differs", message="AD1 DATE_INT differs from PlacedAdoption DATE_PLACED",
      action="kept: DATE_PLACED used", tables=("ad1", "journeys"), column="DATE_INT",
      stage=STAGE)
def date_int_differs(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Against the decision the journey follows (``adm_date``); a DATE_INT outside the period
    is :func:`date_int_outside_period`'s."""
    rows, facts = _ad1_with_facts(t)
    differ = _flag(facts["adm_date"].notna() & rows["DATE_INT"].notna()
                   & facts["adm_date"].ne(rows["DATE_INT"]))
    return rows[differ & ~date_int_outside(facts)]


@rule(id="match_out_of_order", message="AD1 DATE_MATCH is before the ADM decision or after the "
      "adoptive placement", action="kept", tables=("ad1", "journeys"), column="DATE_MATCH",
      stage=STAGE)
def match_out_of_order(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Against the journey's ADM decision and adoptive placement dates (a missing date is no
    comparison)."""
    rows, facts = _ad1_with_facts(t)
    m = rows["DATE_MATCH"]
    return rows[_flag(m < facts["adm_date"]) | _flag(m > facts["placement_date"])]


@rule(id="foster_care_inconsistent", message="AD1 FOSTER_CARE disagrees with the adoptive "
      "placement type (A3/A5 with current foster carer, A4/A6 not)",
      action="kept: treated as foster-carer adoption if either says so",
      tables=("ad1", "journeys"), column="FOSTER_CARE", stage=STAGE)
def foster_care_inconsistent(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Where both are known: the placement type is the journey's adoptive placement's."""
    rows, facts = _ad1_with_facts(t)
    place = facts["placement_type"]
    with_carer = place.isin(codes.PLACE_ADOPTION_WITH_FOSTER_CARER)
    flag = rows["FOSTER_CARE"].astype("string")
    return rows[_flag(place.notna() & flag.notna() & (flag.eq("1") != with_carer))]


@rule(id="stage_negative", message="a stage of the adoption journey ends before it starts",
      action="excluded from that stage", tables=("journeys", "stages"), column="",
      stage=STAGE)
def stage_negative(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """One finding per journey and stage, named by the child's pseudonym ("(withheld)"
    without one) and the days: the stage's column is ``stage_<stage>``."""
    j = t["journeys"]
    names = (j["pseudonym"] if "pseudonym" in j
             else pd.Series("(withheld)", index=j.index)).astype("string")
    out = []
    for s in t["stages"].itertuples(index=False):
        raw = (j[s.end] - j[s.start]).dt.days
        bad = _flag(raw < 0)
        if bad.any():
            out.append(pd.DataFrame({
                "_file": DERIVED, "_row": pd.NA, "_column": f"stage_{s.stage}",
                "_value": names[bad] + ": " + raw[bad].astype("Int64").astype("string")
                + " days"}, index=j.index[bad]))
    if not out:
        return pd.DataFrame(columns=["_file", "_row", "_column", "_value"])
    return pd.concat(out)
