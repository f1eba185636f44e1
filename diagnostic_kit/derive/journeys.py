"""The child's adoption journey: six dates, five stages, one row per child per journey.

A journey is a period of care in which the child has an ADM decision (PlacedAdoption
DATE_PLACED, or AD1 DATE_INT) or an adoption order. Its dates (``measures.md``):

- care entry: DECOM of the RNE S episode that starts the period of care;
- IRO recommendation: local permanence_plans row with plan adoption and source
  iro_recommendation in the period: the latest on or before the ADM decision, else the first;
- ADM decision: PlacedAdoption DATE_PLACED (the latest decision in the period on or before the
  adoptive placement; for children not placed, the latest in the period); AD1 DATE_INT where
  PlacedAdoption has none, and flagged when the two differ;
- placement order: DECOM of the first episode in the period with LS E1 (D1 for freeing orders);
- adoptive placement: DECOM of the first episode in the period with PLACE A3-A6;
- adoption order: DEC of the episode with REC E11 or E12.

Also: the match date (AD1 DATE_MATCH; for children not yet adopted the local ``match_date``),
and the date the child moved in with the adoptive family: for a foster-carer adoption (AD1
FOSTER_CARE 1 or PLACE A3/A5) the DECOM of the episode where those carers began, found by
walking back from the adoptive placement through earlier episodes with the same carer (RNE L, T
or U) to the episode with RNE S, P or B; otherwise the adoptive placement date.

Stages are measured only where both dates exist; a negative stage is a finding and is excluded
from that stage, never clipped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.derive import events
from diagnostic_kit.derive.characteristics import add_characteristics, age_in_years
from diagnostic_kit.derive.spans import span_days
from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.findings import Findings

#: The five stages of the child's journey, in order, with their start and end dates.
STAGES: tuple[str, ...] = (
    "entry_to_iro", "iro_to_adm", "adm_to_po", "po_to_placement", "placement_to_ao",
)
STAGE_DATES: dict[str, tuple[str, str]] = {
    "entry_to_iro": ("care_entry", "iro_date"),
    "iro_to_adm": ("iro_date", "adm_date"),
    "adm_to_po": ("adm_date", "po_date"),
    "po_to_placement": ("po_date", "placement_date"),
    "placement_to_ao": ("placement_date", "ao_date"),
}

_DMY = "%d/%m/%Y"


def _fmt(s: pd.Series) -> pd.Series:
    return s.dt.strftime(_DMY)


def _first_episode(ep: pd.DataFrame, mask: pd.Series, cols: list[str]) -> pd.DataFrame:
    """For each period, the first episode (by DECOM) matching ``mask``."""
    hit = ep.loc[mask, ["period_id", *cols]]
    return hit.sort_values(["period_id", "DECOM"]).drop_duplicates("period_id").set_index(
        "period_id"
    )


def carer_spell_start(ep: pd.DataFrame) -> pd.Series:
    """For each episode, the DECOM of the episode where its current carer began.

    Within a period, a carer spell begins at an episode with RNE S, P or B (new carer) and runs
    through following episodes with RNE L, T or U (same carer). This is the walk back used for
    foster-carer adoptions, done for all episodes at once.
    """
    new_carer = ep["RNE"].isin(codes.RNE_NEW_CARER) | ep["new_period"]
    spell = new_carer.astype(int).groupby(ep["period_id"]).cumsum()
    return ep.groupby([ep["period_id"], spell])["DECOM"].transform("first")


def foster_carer_adoption(foster_care_ad1: pd.Series, placement_type: pd.Series) -> pd.Series:
    """The one definition of a foster-carer adoption: AD1 FOSTER_CARE 1, or PLACE A3/A5."""
    return (foster_care_ad1.astype("string").eq("1").fillna(False)
            | placement_type.isin(codes.PLACE_ADOPTION_WITH_FOSTER_CARER)).astype(bool)


def moved_in_date(spell_start: pd.Series, placement_date: pd.Series,
                  foster_carer: pd.Series) -> pd.Series:
    """The date the child moved in with the adoptive family: for a foster-carer adoption the
    start of the carer spell that ends in the adoptive placement (never after the placement;
    the placement date where the spell is unknown), otherwise the adoptive placement date."""
    spell = spell_start.where(spell_start.le(placement_date), placement_date)
    return spell.where(foster_carer.astype(bool), placement_date)


def _assign_period(
    rows: pd.DataFrame, child_col: str, date_col: str, periods: pd.DataFrame
) -> pd.Series:
    """The period of care of ``rows[child_col]`` containing ``rows[date_col]`` (NA if none).

    A period contains a date from its care entry up to its end (open periods: no end). A period
    whose start is before the earliest return contains any date up to its end, since it began
    at some unknown earlier date.
    """
    if rows.empty:
        return pd.Series(pd.NA, index=rows.index, dtype="Int64")
    left = rows[[child_col, date_col]].rename(columns={child_col: "child", date_col: "_d"})
    left = left.reset_index(names="_idx")
    cols = ["child", "period_id", "first_decom", "period_end", "entry_known"]
    m = left.merge(periods[cols], on="child")
    after_start = ~m["entry_known"].astype(bool) | (m["_d"] >= m["first_decom"])
    inside = after_start & (m["period_end"].isna() | (m["_d"] <= m["period_end"]))
    m = m[inside].sort_values(["_idx", "period_id"]).drop_duplicates("_idx", keep="last")
    return m.set_index("_idx")["period_id"].reindex(rows.index).astype("Int64")


def collection_year_of(dates: pd.Series | pd.Timestamp) -> pd.Series | int:
    """The collection year (by its ending year) a date falls in, April to March:
    31/03/2026 → 2026, 01/04/2026 → 2027. For a Series, each date's."""
    if isinstance(dates, pd.Series):
        return (dates.dt.year + (dates.dt.month >= 4).astype("Int64")).astype("Int64")
    return dates.year + 1 if dates.month >= 4 else dates.year


def _match_ad1(ad1: pd.DataFrame, j: pd.DataFrame) -> pd.DataFrame:
    """Each AD1 row's journey: the child's adoption in the AD1 row's collection year, else the
    child's latest adoption. A journey claimed by two AD1 rows takes the latest year's.

    Returns ``_ad1`` (the AD1 row's index) and ``period_id``. A child adopted twice has two
    journeys, each with its own AD1 row where the returns hold one.
    """
    adopted = j.loc[j["ao_date"].notna(), ["child", "ao_date"]].reset_index()
    adopted["ao_year"] = collection_year_of(adopted["ao_date"])
    rows = ad1[["CHILD", "_year"]].reset_index(names="_ad1")
    cand = rows.merge(adopted, left_on="CHILD", right_on="child")
    cand["same_year"] = cand["_year"].eq(cand["ao_year"]).fillna(False)
    cand = cand.sort_values(["_ad1", "same_year", "ao_date"]).drop_duplicates("_ad1", keep="last")
    cand = cand.sort_values(["period_id", "_year", "_ad1"]).drop_duplicates("period_id",
                                                                          keep="last")
    return cand[["_ad1", "period_id"]]


def adoption_facts(
    tables: dict[str, pd.DataFrame], pseudonyms: pd.Series | None = None
) -> tuple[pd.DataFrame, Findings]:
    """One row per journey with its dates and flags, independent of the reporting period, and
    the findings of the cross-table rules on the adoption tables.

    Rules: AD1 without adoption, adoption without AD1, ADM decision outside any period, AD1
    DATE_INT outside the journey's period (not used as its ADM date), DATE_INT differing from
    DATE_PLACED, match out of order, FOSTER_CARE inconsistent with the placement type, negative
    stages (named by the child's pseudonym when ``pseudonyms`` is given). Rows that cannot be
    used are listed as excluded.
    """
    log = Findings()
    ep = tables["episodes"]
    periods = tables["periods"].set_index("period_id")
    ad1 = tables["ad1"]
    if "_year" not in ad1:
        ad1 = ad1.assign(_year=0)
    pfa = tables["placed_for_adoption"]
    plans = tables["permanence_plans"]

    # Adoption orders: one per period of care (a child adopted twice has two).
    adopted_ep = ep[ep["REC"].isin(codes.REC_ADOPTED) & ep["DEC"].notna()]
    ao = adopted_ep.sort_values("DEC").drop_duplicates("period_id").set_index("period_id")

    # AD1 rows need an adoption; adoptions should have an AD1 row.
    # An E11/E12 episode with no DEC is an adoption that cannot be dated (rule
    # rec_without_dec says so on the episode); its AD1 row is excluded for that reason.
    undated = ep.loc[ep["REC"].isin(codes.REC_ADOPTED) & ep["DEC"].isna(), "CHILD"]
    no_adoption = ~ad1["CHILD"].isin(adopted_ep["CHILD"])
    no_date = no_adoption & ad1["CHILD"].isin(undated)
    log.add("ad1_without_adoption", ad1[no_adoption & ~no_date], "CHILD", value="(withheld)")
    log.exclude(ad1[no_adoption & ~no_date], "ad1", "no adoption episode for this child")
    log.exclude(ad1[no_date], "ad1",
                "the child's adoption episode (E11/E12) has no end date, so it cannot be dated")
    ad1 = ad1[~no_adoption]
    no_ad1 = ~adopted_ep["CHILD"].isin(ad1["CHILD"])
    log.add("adoption_without_ad1", adopted_ep[no_ad1], "REC")

    # ADM decisions, each in the period of care that contains it.
    pfa = pfa.assign(period_id=_assign_period(pfa, "CHILD", "DATE_PLACED", tables["periods"]))
    outside = pfa["period_id"].isna()
    log.add("adm_outside_period", pfa[outside], "DATE_PLACED", value=_fmt(pfa["DATE_PLACED"]))
    log.exclude(pfa[outside], "placed_for_adoption", "ADM decision outside any period of care")
    pfa = pfa[~outside]

    # Which periods are journeys.
    ids = pd.Index(sorted(set(pfa["period_id"].astype("int64")) | set(ao.index)), name="period_id")
    j = pd.DataFrame(index=ids)
    j["child"] = periods["child"].reindex(ids)
    j["care_entry"] = periods["care_entry"].reindex(ids)
    j["entry_known"] = periods["entry_known"].reindex(ids)
    j["first_decom"] = periods["first_decom"].reindex(ids)
    j["period_end"] = periods["period_end"].reindex(ids)
    j["end_reason"] = periods["end_reason"].reindex(ids)
    j["cin"] = periods["first_cin"].reindex(ids)
    j["ao_date"] = ao["DEC"].reindex(ids)
    j["ao_rec"] = ao["REC"].reindex(ids)

    ep_j = ep[ep["period_id"].isin(ids)].copy()
    ep_j["spell_start"] = carer_spell_start(ep_j)
    po = _first_episode(ep_j, ep_j["LS"].isin(codes.LS_PLACEMENT_ORDER), ["DECOM"])
    j["po_date"] = po["DECOM"].reindex(ids)
    pl = _first_episode(ep_j, ep_j["PLACE"].isin(codes.PLACE_ADOPTION),
                        ["DECOM", "PLACE", "spell_start"])
    j["placement_date"] = pl["DECOM"].reindex(ids)
    j["placement_type"] = pl["PLACE"].reindex(ids)
    spell_start = pl["spell_start"].reindex(ids)

    # The decision this journey follows: the latest on or before the adoptive placement
    # (for children not placed, the latest in the period).
    d = pfa.assign(period_id=pfa["period_id"].astype("int64"))
    d = d.join(j["placement_date"], on="period_id")
    usable = d["placement_date"].isna() | (d["DATE_PLACED"] <= d["placement_date"])
    d = d.assign(_pref=usable.astype(int)).sort_values(["period_id", "_pref", "DATE_PLACED"])
    chosen = d.drop_duplicates("period_id", keep="last").set_index("period_id")
    j["adm_date"] = chosen["DATE_PLACED"].reindex(ids)
    j["reversed_date"] = chosen["DATE_PLACED_CEASED"].reindex(ids)
    j["reversed_reason"] = chosen["REASON_PLACED_CEASED"].reindex(ids)
    j["decisions"] = d.groupby("period_id").size().reindex(ids, fill_value=0)
    j["decisions_reversed"] = (
        d["DATE_PLACED_CEASED"].notna().groupby(d["period_id"]).sum().reindex(ids, fill_value=0)
    )

    # AD1 facts, each AD1 row on the journey (adoption) it reports.
    link = _match_ad1(ad1, j)
    a = ad1.loc[link["_ad1"]].set_index(pd.Index(link["period_id"].to_numpy(), name="period_id"))
    a = a.reindex(ids)
    j["adm_date_ad1"] = a["DATE_INT"]
    j["match_date"] = a["DATE_MATCH"]
    j["foster_care_ad1"] = a["FOSTER_CARE"]
    j["adopter_household"] = a["LS_ADOPTR"]
    # DATE_INT stands in for a missing DATE_PLACED only when it falls within the journey's
    # period of care: a decision outside it cannot date this journey.
    starts = j["care_entry"]  # NaT when the period began before the data
    within = (starts.isna() | (j["adm_date_ad1"] >= starts)) & (
        j["period_end"].isna() | (j["adm_date_ad1"] <= j["period_end"]))
    int_outside = j["adm_date_ad1"].notna() & ~within.fillna(False).astype(bool)
    ad1_by_journey = ad1.loc[link["_ad1"]].assign(period_id=link["period_id"].to_numpy())
    bad_int = ad1_by_journey[ad1_by_journey["period_id"].map(int_outside).fillna(False)
                             .astype(bool)]
    log.add("date_int_outside_period", bad_int, "DATE_INT", value=_fmt(bad_int["DATE_INT"]))
    j["adm_date"] = j["adm_date"].fillna(j["adm_date_ad1"].where(~int_outside))
    j["adm_dates_differ"] = (
        j["adm_date_ad1"].notna() & j["adm_date"].notna() & j["adm_date_ad1"].ne(j["adm_date"])
    ).astype(bool)
    facts = j.reindex(ad1_by_journey["period_id"])
    facts.index = ad1_by_journey.index
    rows = ad1_by_journey
    differ = facts["adm_dates_differ"].fillna(False).astype(bool) & ~rows["period_id"].map(
        int_outside).fillna(False).astype(bool)
    log.add("date_int_differs", rows[differ], "DATE_INT", value=_fmt(rows["DATE_INT"]))
    bad_match = (rows["DATE_MATCH"] < facts["adm_date"]) | (
        rows["DATE_MATCH"] > facts["placement_date"]
    )
    log.add("match_out_of_order", rows[bad_match.fillna(False).astype(bool)], "DATE_MATCH",
            value=_fmt(rows["DATE_MATCH"]))
    with_carer = facts["placement_type"].isin(codes.PLACE_ADOPTION_WITH_FOSTER_CARER)
    flag = rows["FOSTER_CARE"]
    inconsistent = facts["placement_type"].notna() & flag.notna() & (
        flag.eq("1") != with_carer
    )
    log.add("foster_care_inconsistent", rows[inconsistent.fillna(False).astype(bool)],
            "FOSTER_CARE")

    # Foster-carer adoptions (AD1 FOSTER_CARE = 1, or PLACE A3/A5) and the date the child moved
    # in with the adoptive family: for a foster-carer adoption the start of the carer spell
    # that ends in the adoptive placement (never after the placement), else the placement.
    j["foster_carer"] = foster_carer_adoption(j["foster_care_ad1"], j["placement_type"])
    j["moved_in_date"] = moved_in_date(spell_start, j["placement_date"], j["foster_carer"])

    # Early permanence: fostering for adoption or concurrent planning before the placement.
    ep_j = ep_j.join(j["placement_date"], on="period_id")
    before = ep_j["placement_date"].isna() | (ep_j["DECOM"] < ep_j["placement_date"])
    ffa = ep_j[ep_j["PLACE"].isin(codes.PLACE_EARLY_PERMANENCE) & before]
    j["early_permanence_date"] = ffa.groupby("period_id")["DECOM"].min().reindex(ids)

    # Placement moves: the changes of carer (derive/events) before the adoptive placement.
    moves = events.placement_events(ep_j)
    moves = moves[moves["kind"].eq("change_of_carer")]
    placed = j["placement_date"].reindex(moves["period_id"]).to_numpy()  # not map: see events
    moves = moves[pd.isna(placed) | (moves["date"] < placed).to_numpy()]
    j["placement_moves"] = moves.groupby("period_id").size().reindex(ids, fill_value=0)

    # Local plans: IRO recommendation, plan changes, local match and early-permanence dates.
    j = _add_plans(j, plans)

    j = add_stage_spans(j, log, pseudonyms)
    return j.reset_index(), log


def add_stage_spans(
    j: pd.DataFrame, log: Findings | None = None, pseudonyms: pd.Series | None = None
) -> pd.DataFrame:
    """``j`` (journey dates, see :data:`STAGE_DATES`) with ``stage_<stage>`` days: one
    :func:`spans.span_days` each. A negative stage is excluded and, when ``log`` is given,
    recorded there as a ``stage_negative`` finding named by the child's pseudonym (or
    "(withheld)" without ``pseudonyms``)."""
    j = j.copy()
    for stage, (start, end) in STAGE_DATES.items():
        span = span_days(j[start], j[end], start, end)
        if log is not None and span.negative.any():
            bad = j[span.negative]
            names = (bad["child"].map(pseudonyms) if pseudonyms is not None
                     else pd.Series("(withheld)", index=bad.index)).astype("string")
            rows = pd.DataFrame({"_file": "derived: journeys", "_row": pd.NA}, index=bad.index)
            raw = (j[end] - j[start]).dt.days[bad.index].astype("Int64")
            log.add("stage_negative", rows, f"stage_{stage}",
                    value=names + ": " + raw.astype("string") + " days")
        j[f"stage_{stage}"] = span.days
    return j


def _add_plans(j: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """IRO recommendation date, plan changes and local dates for each journey."""
    j = j.copy()
    ids = j.index
    if plans.empty:
        j["iro_date"] = pd.NaT
        j["plan_changes"] = 0
        return j
    window = j.reset_index()[["period_id", "child", "care_entry", "period_end", "adm_date"]]
    p = events.plans_in_periods(plans, window)

    iro = p[p["plan"].eq("adoption") & p["source"].eq("iro_recommendation")]
    before_adm = iro["adm_date"].isna() | (iro["plan_date"] <= iro["adm_date"])
    latest_before = iro[before_adm].groupby("period_id")["plan_date"].max()
    first_any = iro.groupby("period_id")["plan_date"].min()
    j["iro_date"] = latest_before.reindex(ids).fillna(first_any.reindex(ids))

    # Changes of plan as section 4 counts them (derive/events), over the whole period.
    changes = events.plan_events_within(p)
    changes = changes[changes["kind"].eq("plan_change")]
    j["plan_changes"] = changes.groupby("period_id").size().reindex(ids, fill_value=0)

    # The local match date is for children not yet adopted; an adopted child's is AD1's.
    local_match = p.groupby("period_id")["match_date"].max().reindex(ids)
    j["match_date"] = j["match_date"].fillna(local_match.where(j["ao_date"].isna()))
    local_ep = p.groupby("period_id")["early_permanence_date"].min()
    j["early_permanence_date"] = j["early_permanence_date"].fillna(local_ep.reindex(ids))
    return j


def financial_year(dates: pd.Series) -> pd.Series:
    """Financial year label (``2024-25``) of each date: April to March."""
    start = dates.dt.year.astype("Int64") - (dates.dt.month < 4).astype("Int64")
    label = start.astype("string") + "-" + ((start + 1) % 100).astype("string").str.zfill(2)
    return label.where(dates.notna())


#: Every span of days the journey table carries: its column, start date and end date. Stage
#: columns hold the five stages; A1, A10 and care entry → AO are the scorecard's and section 3's.
SPANS: dict[str, tuple[str, str]] = {
    **{f"stage_{s}": dates for s, dates in STAGE_DATES.items()},
    "a1_days": ("care_entry", "placement_date"),
    "a10_days": ("care_entry", "moved_in_date"),
    "entry_to_ao_days": ("care_entry", "ao_date"),
}
#: Statuses of children in the process at the reference date.
IN_PROCESS = ("placed", "po_not_placed", "waiting")
#: Open stage of a child in the process, by the latest date reached (checked in this order).
OPEN_STAGES = (("placement_date", "placement_to_ao"), ("po_date", "po_to_placement"),
               ("adm_date", "adm_to_po"))


def a2_reason(j: pd.DataFrame) -> pd.Series:
    """Why a journey is left out of A2 (NA where it is measured): no placement order; not
    placed for adoption before the adoption order (LG Inform's A2 definition); no match date."""
    placed_before_ao = j["placement_date"].notna() & (
        j["ao_date"].isna() | (j["placement_date"] <= j["ao_date"]))
    return pd.Series(np.select(
        [j["po_date"].isna(), ~placed_before_ao.astype(bool), j["match_date"].isna()],
        ["no placement order", "not placed for adoption before the adoption order",
         "no match date"], default=""), index=j.index, dtype="string").replace("", pd.NA)


def build_journeys(
    facts: pd.DataFrame,
    people: pd.DataFrame,
    *,
    period_start: pd.Timestamp,
    reference_date: pd.Timestamp,
) -> pd.DataFrame:
    """The journey table at the reference date: status, every span of days, open stages.

    This is where each journey measure is computed, once, by :func:`spans.span_days`; every
    section reads these columns.

    - Status at the reference date: adopted (AO on or before it), placed, decision_reversed,
      po_not_placed, waiting (ADM decision, no PO), left_care (the period ended another way
      without a recorded reversal). Dates after the reference date have not yet happened.
      ``in_process``: placed, po_not_placed or waiting, with the decision made by then.
    - ``stage_<stage>``, ``a1_days``, ``a10_days``, ``entry_to_ao_days``: see :data:`SPANS`.
    - ``a2_days``: PO → match, a match before the PO counting 0; NaN where :func:`a2_reason`.
    - ``current_stage``, ``current_stage_days``: for children in the process, the open stage
      (placed → placement_to_ao; PO → po_to_placement; else adm_to_po) and its days so far;
      ``days_since_entry``, ``days_since_po`` likewise at the reference date.
    - Characteristics (``derive.characteristics.add_characteristics``) and ``age_at_adm``.
    """
    j = facts.copy()
    ref = reference_date
    seen = {c: j[c].where(j[c] <= ref) for c in (
        "ao_date", "placement_date", "po_date", "adm_date", "reversed_date", "period_end")}
    status = pd.Series("waiting", index=j.index, dtype="string")
    status = status.mask(seen["po_date"].notna(), "po_not_placed")
    status = status.mask(seen["reversed_date"].notna(), "decision_reversed")
    status = status.mask(
        seen["period_end"].notna() & seen["ao_date"].isna() & seen["reversed_date"].isna(),
        "left_care",
    )
    status = status.mask(seen["placement_date"].notna() & seen["period_end"].isna(), "placed")
    status = status.mask(seen["ao_date"].notna(), "adopted")
    j["status"] = status
    j["in_process"] = (j["status"].isin(IN_PROCESS) & seen["adm_date"].notna()).astype(bool)
    j["adopted_in_period"] = j["ao_date"].between(period_start, ref)
    j["ao_year"] = financial_year(j["ao_date"])

    for col, (start, end) in SPANS.items():
        j[col] = span_days(j[start], j[end], start, end).days
    a2 = (j["match_date"] - j["po_date"]).dt.days.astype("float64").clip(lower=0)
    j["a2_days"] = a2.where(a2_reason(j).isna())

    # The open stage of children in the process, and its days so far.
    refs = pd.Series(ref, index=j.index)
    open_stage = pd.Series(pd.NA, index=j.index, dtype="string")
    open_start = pd.Series(pd.NaT, index=j.index, dtype="datetime64[ns]")
    for date, stage in reversed(OPEN_STAGES):
        mark = seen[date].notna()
        open_stage = open_stage.mask(mark, stage)
        open_start = open_start.mask(mark, j[date])
    open_stage = open_stage.where(j["in_process"])
    j["current_stage"] = open_stage
    j["current_stage_days"] = span_days(open_start, refs, "adm_date", "reference_date").days.where(
        open_stage.notna())
    j["days_since_entry"] = span_days(j["care_entry"], refs, "care_entry",
                                      "reference_date").days.where(j["in_process"])
    j["days_since_po"] = span_days(j["po_date"], refs, "po_date", "reference_date").days.where(
        j["in_process"] & seen["po_date"].notna())
    j["early_permanence"] = j["early_permanence_date"].notna()

    j = add_characteristics(j, people)
    j["age_at_adm"] = age_in_years(j["adm_date"], j["dob"])
    return j


def measure_exclusions(j: pd.DataFrame) -> pd.DataFrame:
    """Every journey left out of a span measure, with why: the five stages (``stage_<name>``),
    ``a1``, ``a10``, ``a2``, ``a3`` (A1's dates) and ``entry_to_ao``. Columns ``measure, child,
    pseudonym, period_id, reason, rule`` (``stage_negative`` where the dates are out of order).

    The reasons come from the same :func:`spans.span_days` that computed the days.
    """
    frames = []
    ids = j[[c for c in ("child", "pseudonym", "period_id") if c in j]]
    names = {"a1_days": "a1", "a10_days": "a10", "entry_to_ao_days": "entry_to_ao"}
    for col, (start, end) in SPANS.items():
        span = span_days(j[start], j[end], start, end)
        rule = pd.Series(pd.NA, index=j.index, dtype="string").mask(span.negative,
                                                                     "stage_negative")
        measures = [names.get(col, col)] + (["a3"] if col == "a1_days" else [])
        for m in measures:
            frames.append(ids.assign(measure=m, reason=span.reason, rule=rule)
                          .loc[span.reason.notna()])
    reason = a2_reason(j)
    frames.append(ids.assign(measure="a2", reason=reason, rule=pd.NA).loc[reason.notna()])
    out = pd.concat(frames, ignore_index=True)
    return out.reindex(columns=["measure", "child", "pseudonym", "period_id", "reason", "rule"])
