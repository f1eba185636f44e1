"""The child's adoption journey: six dates, five stages, one row per child per journey.

A journey is a period of care in which the child has an ADM decision (PlacedAdoption
DATE_PLACED, or AD1 DATE_INT) or an adoption order. Its dates (``docs/methodology.md``), each
as the DfE validator's adoption rules accept it:

- care entry: DECOM of the RNE S episode that starts the period of care;
- IRO recommendation: local permanence_plans row with plan adoption and source
  iro_recommendation in the period: the latest on or before the ADM decision, else the first;
- ADM decision: PlacedAdoption DATE_PLACED (the latest decision in the period on or before the
  adoptive placement; for children not placed, the latest in the period); AD1 DATE_INT where
  PlacedAdoption has none in the period, only when it falls within the period of care (DfE
  551/553/555 say when PlacedAdoption is missing);
- placement order: DECOM of the first episode in the period with LS E1. A freeing order (D1)
  is not a placement order (DfE 445); an A5/A6 placement without E1 has none (DfE 408);
- adoptive placement: DECOM of the first episode of the unbroken run of A3-A6 episodes from
  which the child was adopted (walking back from the adoption order's episode through
  consecutive A3-A6 episodes); for a child not adopted, the run holding the period's latest
  episode. A placement that ended without an order (it disrupted) is not the adoptive
  placement; a child adopted from a placement that is not A3-A6 has none (DfE 390);
- adoption order: DEC of the episode with REC E11 or E12.

Also: the match date (AD1 DATE_MATCH; for children not yet adopted the local ``match_date``),
and the date the child moved in with the adoptive family: for a foster-carer adoption (AD1
FOSTER_CARE 1 or PLACE A3/A5) the DECOM of the episode where those carers began, found by
walking back from the adoptive placement through earlier episodes with the same carer (RNE L, T
or U) to the episode with RNE S, P or B; otherwise the adoptive placement date. Where a date is
missing for a reason the data show, ``<date>_reason`` says it (``adm_reason``, ``po_reason``,
``placement_reason``) and :func:`measure_exclusions` gives it.

Stages are measured only where both dates exist; a negative stage is excluded from that stage,
never clipped (rule ``stage_negative`` says so). This module records no finding: the rules
(``diagnostic_kit.rules``, stages ``adoption`` and ``journeys``) do, on the same tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.derive import events
from diagnostic_kit.derive.characteristics import add_characteristics, age_in_years
from diagnostic_kit.derive.spans import DATE_LABELS, span_days
from diagnostic_kit.inputs import codes
from diagnostic_kit.rules.adoption import decision_periods
from diagnostic_kit.rules.episodes import chain_order
from diagnostic_kit.rules.journeys import date_int_outside

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

#: Why a journey date is missing, where the data say more than "no date" (the column of the
#: journey table that holds it). The moved-in date follows the adoptive placement.
MISSING_REASONS: dict[str, str] = {
    "adm_date": "adm_reason", "po_date": "po_reason", "placement_date": "placement_reason",
    "moved_in_date": "placement_reason",
}
ADOPTED_NOT_FROM_ADOPTIVE = "adopted from a placement that is not an adoptive one"
PLACED_WITHOUT_E1 = ("placed under a placement order (A5/A6) but no placement order (LS E1) is "
                     "recorded")
FREEING_ORDER_ONLY = "the only order recorded is a freeing order (LS D1), not a placement order"
NO_DECISION = "no ADM decision recorded (no PlacedAdoption row and no AD1 DATE_INT in the period)"
DECISION_OUTSIDE = "the ADM decision (PlacedAdoption) is dated outside this period of care"


def stage_table() -> pd.DataFrame:
    """The stages with their start and end date columns (``stage``, ``start``, ``end``), as the
    rules read them (rule ``stage_negative``)."""
    return pd.DataFrame([(s, a, b) for s, (a, b) in STAGE_DATES.items()],
                        columns=["stage", "start", "end"])


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


def adoptive_run_start(ep: pd.DataFrame) -> pd.Series:
    """For each episode (in chain order) in an unbroken run of A3-A6 episodes of one period of
    care, the index label of the run's first episode; NA for any other episode."""
    adoptive = ep["PLACE"].isin(codes.PLACE_ADOPTION).fillna(False).to_numpy(dtype=bool)
    period = ep["period_id"].to_numpy()
    continues = np.zeros(len(ep), dtype=bool)
    continues[1:] = adoptive[:-1] & (period[1:] == period[:-1])
    starts = adoptive & ~continues
    first = pd.Series(np.where(starts, np.arange(len(ep)), np.nan)).ffill().to_numpy()
    labels = pd.Series(ep.index).reindex(np.nan_to_num(first, nan=0).astype(int)).to_numpy()
    return pd.Series(labels, index=ep.index, dtype="object").where(adoptive)


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


def _adoptive_placement(ep_j: pd.DataFrame, ao_episode: pd.Series, ids: pd.Index
                        ) -> pd.DataFrame:
    """Per journey, the first episode of the run of A3-A6 episodes it was adopted from (or,
    not adopted, the run holding the period's latest episode): ``placement_date``,
    ``placement_type``, ``spell_start``; and ``adopted_from`` (the PLACE of the adoption
    order's episode)."""
    run_start = adoptive_run_start(ep_j)
    last = pd.Series(ep_j.index, index=ep_j.index).groupby(ep_j["period_id"]).last()
    anchor = ao_episode.reindex(ids).fillna(last.reindex(ids))
    first = run_start.reindex(anchor.to_numpy())
    first.index = ids
    first = first.dropna()
    at = ep_j.loc[first.to_numpy(), ["DECOM", "PLACE", "spell_start"]].set_axis(first.index)
    out = at.rename(columns={"DECOM": "placement_date", "PLACE": "placement_type"}).reindex(ids)
    out["adopted_from"] = ep_j["PLACE"].reindex(ao_episode.reindex(ids).to_numpy()).to_numpy()
    return out


def adoption_facts(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per journey with its dates and flags, independent of the reporting period.

    Reads the tables as the ``adoption`` rules left them (AD1 rows that report no dated
    adoption are excluded there). Columns besides the dates: ``ad1_row`` (the index of the AD1
    row the journey reports, for the ``journeys`` rules), ``adm_reason``, ``po_reason``,
    ``placement_reason`` (why that date is missing, where the data say: see the module),
    ``placed_under_order`` (an A5/A6 episode in the period). Records nothing: the rules do.
    """
    ep = tables["episodes"]
    periods = tables["periods"].set_index("period_id")
    ad1 = tables["ad1"]
    if "_year" not in ad1:
        ad1 = ad1.assign(_year=0)
    all_pfa = tables["placed_for_adoption"]
    plans = tables["permanence_plans"]

    # Adoption orders: one per period of care (a child adopted twice has two).
    adopted_ep = ep[ep["REC"].isin(codes.REC_ADOPTED) & ep["DEC"].notna()]
    ao = adopted_ep.sort_values("DEC").drop_duplicates("period_id")
    ao_episode = pd.Series(ao.index, index=ao["period_id"].to_numpy())
    ao = ao.set_index("period_id")

    # ADM decisions, each in the period of care that contains it (rule adm_outside_period
    # names those in none).
    pfa = all_pfa.assign(period_id=decision_periods(all_pfa, "CHILD", "DATE_PLACED",
                                                    tables["periods"]))
    pfa = pfa[pfa["period_id"].notna()]

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

    ep_j = chain_order(ep[ep["period_id"].isin(ids)]).copy()
    ep_j["spell_start"] = carer_spell_start(ep_j)
    po = _first_episode(ep_j, ep_j["LS"].isin(codes.LS_PLACEMENT_ORDER), ["DECOM"])
    j["po_date"] = po["DECOM"].reindex(ids)
    j["placed_under_order"] = ep_j["PLACE"].isin(("A5", "A6")).groupby(
        ep_j["period_id"]).any().reindex(ids, fill_value=False).astype(bool)
    freeing = ep_j["LS"].isin(codes.LS_FREEING_ORDER).groupby(ep_j["period_id"]).any().reindex(
        ids, fill_value=False).astype(bool)
    j["po_reason"] = pd.Series(np.select(
        [j["po_date"].notna(), j["placed_under_order"], freeing],
        ["", PLACED_WITHOUT_E1, FREEING_ORDER_ONLY], default=""), index=ids,
        dtype="string").replace("", pd.NA)
    pl = _adoptive_placement(ep_j, ao_episode, ids)
    j["placement_date"] = pl["placement_date"]
    j["placement_type"] = pl["placement_type"]
    spell_start = pl["spell_start"]
    not_adoptive = j["ao_date"].notna() & pl["adopted_from"].notna() & ~pl[
        "adopted_from"].isin(codes.PLACE_ADOPTION)
    j["placement_reason"] = pd.Series(pd.NA, index=ids, dtype="string").mask(
        not_adoptive & j["placement_date"].isna(), ADOPTED_NOT_FROM_ADOPTIVE)

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
    j["ad1_row"] = pd.Series(link["_ad1"].to_numpy(), index=link["period_id"].to_numpy(),
                             dtype="Int64").reindex(ids)
    j["adm_date_ad1"] = a["DATE_INT"]
    j["match_date"] = a["DATE_MATCH"]
    j["foster_care_ad1"] = a["FOSTER_CARE"]
    j["adopter_household"] = a["LS_ADOPTR"]
    # DATE_INT stands in for a missing DATE_PLACED only when it falls within the journey's
    # period of care: a decision outside it cannot date this journey.
    j["adm_date"] = j["adm_date"].fillna(j["adm_date_ad1"].where(~date_int_outside(j)))
    j["adm_dates_differ"] = (
        j["adm_date_ad1"].notna() & j["adm_date"].notna() & j["adm_date_ad1"].ne(j["adm_date"])
    ).astype(bool)
    has_decision = j["child"].isin(all_pfa["CHILD"])
    j["adm_reason"] = pd.Series(np.select(
        [j["adm_date"].notna(), has_decision], ["", DECISION_OUTSIDE], default=NO_DECISION),
        index=ids, dtype="string").replace("", pd.NA)

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

    return add_stage_spans(j).reset_index()


def add_stage_spans(j: pd.DataFrame) -> pd.DataFrame:
    """``j`` (journey dates, see :data:`STAGE_DATES`) with ``stage_<stage>`` days: one
    :func:`spans.span_days` each. A negative stage is excluded (rule ``stage_negative``
    records it)."""
    j = j.copy()
    for stage, (start, end) in STAGE_DATES.items():
        j[f"stage_{stage}"] = span_days(j[start], j[end], start, end).days
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
    """Why a journey is left out of A2 (NA where it is measured): no placement order (with the
    journey's ``po_reason`` where the data say why); not placed for adoption before the
    adoption order (LG Inform's A2 definition); no match date."""
    placed_before_ao = j["placement_date"].notna() & (
        j["ao_date"].isna() | (j["placement_date"] <= j["ao_date"]))
    reason = pd.Series(np.select(
        [j["po_date"].isna(), ~placed_before_ao.astype(bool), j["match_date"].isna()],
        ["no placement order", "not placed for adoption before the adoption order",
         "no match date"], default=""), index=j.index, dtype="string").replace("", pd.NA)
    if "po_reason" in j:
        reason = reason.mask(j["po_date"].isna() & j["po_reason"].notna(), j["po_reason"])
    return reason


def missing_reason(j: pd.DataFrame, start: str, end: str, reason: pd.Series) -> pd.Series:
    """``reason`` (from :func:`spans.span_days`) with "no <date> date" replaced by why that
    date is missing where the journey says (:data:`MISSING_REASONS`)."""
    for col in (start, end):
        why = MISSING_REASONS.get(col)
        if why is None or why not in j:
            continue
        generic = reason.eq(f"no {DATE_LABELS.get(col, col)} date").fillna(False)
        reason = reason.mask(generic & j[why].notna(), j[why])
    return reason


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

    The reasons come from the same :func:`spans.span_days` that computed the days; a missing
    date says why where the journey knows (:func:`missing_reason`: e.g. "adopted from a
    placement that is not an adoptive one").
    """
    frames = []
    ids = j[[c for c in ("child", "pseudonym", "period_id") if c in j]]
    names = {"a1_days": "a1", "a10_days": "a10", "entry_to_ao_days": "entry_to_ao"}
    for col, (start, end) in SPANS.items():
        span = span_days(j[start], j[end], start, end)
        reason = missing_reason(j, start, end, span.reason)
        rule = pd.Series(pd.NA, index=j.index, dtype="string").mask(span.negative,
                                                                     "stage_negative")
        measures = [names.get(col, col)] + (["a3"] if col == "a1_days" else [])
        for m in measures:
            frames.append(ids.assign(measure=m, reason=reason, rule=rule)
                          .loc[reason.notna()])
    reason = a2_reason(j)
    frames.append(ids.assign(measure="a2", reason=reason, rule=pd.NA).loc[reason.notna()])
    out = pd.concat(frames, ignore_index=True)
    return out.reindex(columns=["measure", "child", "pseudonym", "period_id", "reason", "rule"])
