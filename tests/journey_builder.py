"""Hand-built journeys through the one definition (``derive.journeys``).

A test row gives a journey's dates (ISO text) and its AD1/episode facts; :func:`make_facts`
turns them into the frame ``adoption_facts`` outputs (dates, ``foster_carer``,
``moved_in_date``, ``stage_<stage>``) using the same functions, and :func:`make_journeys`
passes it with a people frame through ``build_journeys`` at the params' reference date. The
measures then only read the columns, as in a real run.
"""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.derive import journeys

#: Dates a row may give. ``spell_start`` is the DECOM of the episode where the carers of the
#: adoptive placement began (the carer walk-back of ``adoption_facts``); ``period_end`` defaults
#: to the AO date, as the period of care ends with the adoption.
DATES = ["care_entry", "iro_date", "adm_date", "po_date", "match_date", "placement_date",
         "spell_start", "ao_date", "reversed_date", "period_end", "early_permanence_date"]
#: Columns about the child (the people frame), not the journey.
PEOPLE = ["dob", "sex", "ethnic_group", "sibling_group", "disabled_local", "pseudonym"]


def make_facts(rows: list[dict]) -> pd.DataFrame:
    """The ``adoption_facts`` frame for hand-written rows (see module)."""
    base = {"placement_type": pd.NA, "foster_care_ad1": pd.NA, "reversed_reason": pd.NA,
            "cin": pd.NA, "placement_moves": 0, "plan_changes": 0, "entry_known": True}
    df = pd.DataFrame([{**base, **{k: v for k, v in r.items() if k not in PEOPLE}}
                       for r in rows])
    if "period_id" not in df:
        df["period_id"] = range(1, len(df) + 1)
    for col in DATES:
        df[col] = pd.to_datetime(df[col]) if col in df else pd.Series(pd.NaT, index=df.index)
    df["period_end"] = df["period_end"].fillna(df["ao_date"])
    df["foster_carer"] = journeys.foster_carer_adoption(df["foster_care_ad1"],
                                                        df["placement_type"])
    df["moved_in_date"] = journeys.moved_in_date(df.pop("spell_start"), df["placement_date"],
                                                 df["foster_carer"])
    return journeys.add_stage_spans(df)


def make_people(rows: list[dict]) -> pd.DataFrame:
    """One row per child: pseudonym (``P-<child>`` unless given) and whatever characteristics
    the rows give."""
    people = pd.DataFrame([{"child": r["child"], **{k: r[k] for k in PEOPLE if k in r}}
                           for r in rows]).drop_duplicates("child")
    people["dob"] = pd.to_datetime(people["dob"]) if "dob" in people else pd.NaT
    if "disabled_local" not in people:
        people["disabled_local"] = False
    default = "P-" + people["child"]
    people["pseudonym"] = people["pseudonym"].fillna(default) if "pseudonym" in people \
        else default
    return people


def make_journeys(rows: list[dict], params) -> pd.DataFrame:
    """The journey table at the params' reference date, built by ``build_journeys``."""
    return journeys.build_journeys(
        make_facts(rows), make_people(rows), period_start=pd.Timestamp(params.period_start),
        reference_date=pd.Timestamp(params.reference_date))
