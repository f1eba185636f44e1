"""Rules on the adoption tables against the periods of care (``stage="adoption"``).

They run once the episodes are in periods of care (``derive.periods``) and before the journeys
are built (``derive.journeys.adoption_facts``), on ``episodes`` (in chain order, with
``period_id``), ``periods``, ``ad1`` and ``placed_for_adoption``. The DfE validator checks one
year's return (with the previous one for a few rules); the kit holds several years combined,
so each rule says how it reads a DfE rule across years (``docs/methodology.md``).
"""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.inputs import codes
from diagnostic_kit.rules.engine import Context, memo, rule

STAGE = "adoption"


def _flag(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool)


def decision_periods(rows: pd.DataFrame, child_col: str, date_col: str,
                     periods: pd.DataFrame) -> pd.Series:
    """The period of care of ``rows[child_col]`` containing ``rows[date_col]`` (NA if none):
    the one definition of which period a dated decision belongs to (``derive.journeys`` uses
    it too).

    A period contains a date from its care entry up to its end (open periods: no end). A period
    whose start is before the earliest return contains any date up to its end, since it began
    at some unknown earlier date. Of two periods containing the date, the later.
    """
    if rows.empty or periods.empty:
        return pd.Series(pd.NA, index=rows.index, dtype="Int64")
    left = rows[[child_col, date_col]].rename(columns={child_col: "child", date_col: "_d"})
    left = left.reset_index(names="_idx")
    cols = ["child", "period_id", "first_decom", "period_end", "entry_known"]
    m = left.merge(periods[cols], on="child")
    after_start = ~m["entry_known"].astype(bool) | (m["_d"] >= m["first_decom"])
    inside = after_start & (m["period_end"].isna() | (m["_d"] <= m["period_end"]))
    m = m[inside].sort_values(["_idx", "period_id"]).drop_duplicates("_idx", keep="last")
    return m.set_index("_idx")["period_id"].reindex(rows.index).astype("Int64")


def _pfa_periods(t: dict[str, pd.DataFrame]) -> pd.Series:
    """Each PlacedAdoption row's period of care (once per table in a rules run)."""
    return memo("pfa_periods", t["placed_for_adoption"],
                lambda pfa: decision_periods(pfa, "CHILD", "DATE_PLACED", t["periods"]))


def _adoptions(ep: pd.DataFrame) -> pd.DataFrame:
    """Episodes ending in adoption (REC E11/E12) with a date (DEC)."""
    return ep[_flag(ep["REC"].isin(codes.REC_ADOPTED) & ep["DEC"].notna())]


# -- AD1 and adoptions (DfE 601, 602) ----------------------------------------------------------


@rule(id="ad1_without_adoption", message="child in AD1 has no episode ending in adoption "
      "(E11/E12)", action="row excluded", tables=("ad1", "episodes"), column="CHILD",
      effect="exclude", validator="602", stage=STAGE,
      excluded_as="no adoption episode for this child")
def ad1_without_adoption(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """An adoption with no DEC (rule ``rec_without_dec``) is one, but cannot be dated: its
    AD1 row is :func:`ad1_adoption_undated`'s."""
    ad1, ep = t["ad1"], t["episodes"]
    adopted = ep["CHILD"][_flag(ep["REC"].isin(codes.REC_ADOPTED))]
    return ad1[~ad1["CHILD"].isin(adopted)].assign(_value="(withheld)")


@rule(id="ad1_adoption_undated", message="the child's adoption episode (E11/E12) has no end "
      "date (DEC), so its AD1 row cannot be matched to a dated adoption",
      action="row excluded", tables=("ad1", "episodes"), column="CHILD", effect="exclude",
      stage=STAGE, covered_by="rec_without_dec",
      excluded_as="the child's adoption episode (E11/E12) has no end date, so it cannot be "
      "dated")
def ad1_adoption_undated(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """No finding of its own: ``rec_without_dec`` already names the episode."""
    ad1, ep = t["ad1"], t["episodes"]
    undated = ep["CHILD"][_flag(ep["REC"].isin(codes.REC_ADOPTED) & ep["DEC"].isna())]
    return ad1[~ad1["CHILD"].isin(_adoptions(ep)["CHILD"]) & ad1["CHILD"].isin(undated)]


@rule(id="adoption_without_ad1", message="child adopted (E11/E12) has no AD1 row",
      action="kept: match date and foster-carer flag unknown", tables=("episodes", "ad1"),
      column="REC", validator="601", stage=STAGE)
def adoption_without_ad1(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    adopted = _adoptions(t["episodes"])
    return adopted[~adopted["CHILD"].isin(t["ad1"]["CHILD"])]


# -- the ADM decision (DfE 1003, 117, 551, 553, 555) ------------------------------------------


@rule(id="adm_outside_period", message="ADM decision date (PlacedAdoption DATE_PLACED) falls "
      "outside every period of care of the child: before the child started to be looked after "
      "or after the period ended",
      action="kept: it is no journey's ADM decision; section 1 counts the child among the "
      "decisions left out", tables=("placed_for_adoption", "periods"), column="DATE_PLACED",
      validator="1003, 117", stage=STAGE)
def adm_outside_period(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Across years: against every period of care of the child in the data (a period that
    began before the data holds any date up to its end), not only the latest."""
    pfa = t["placed_for_adoption"]
    return pfa[_pfa_periods(t).isna() & pfa["DATE_PLACED"].notna()]


def _without_decision(t: dict[str, pd.DataFrame], ctx: Context, mask: pd.Series
                      ) -> pd.DataFrame:
    """Of children with no PlacedAdoption row in any year's return, the first episode (chain
    order) per child where ``mask`` begins (the previous episode of the period does not match
    it: a new placement or order) within the data."""
    ep = t["episodes"]
    m = _flag(mask)
    same_period = ep["period_id"].eq(ep["period_id"].shift())
    began = m & ~(m.shift(fill_value=False) & same_period)
    hit = ep[began]
    if ctx.window_start is not None:
        hit = hit[_flag(hit["DECOM"] >= ctx.window_start)]
    hit = hit[~hit["CHILD"].isin(t["placed_for_adoption"]["CHILD"])]
    return hit[~hit["CHILD"].duplicated()]


_NO_DECISION = ("kept: the ADM decision date is AD1 DATE_INT where there is one; otherwise the "
                "child is left out of the stages that need it, with the reason")


@rule(id="placed_without_decision", message="child placed for adoption (PLACE A3-A6) has no "
      "PlacedAdoption row (no date of the decision that the child should be placed for "
      "adoption)", action=_NO_DECISION, tables=("episodes", "placed_for_adoption"),
      column="PLACE", validator="551", stage=STAGE)
def placed_without_decision(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Across years: only placements that began within the returns the kit holds, one finding
    per child, on the first such episode. A placement or order that began before the earliest
    return has its decision before the data too, and a decision reversed in an earlier year is
    not returned again (DfE 118): its absence says nothing."""
    return _without_decision(t, ctx, t["episodes"]["PLACE"].isin(codes.PLACE_ADOPTION))


@rule(id="placement_order_without_decision", message="child has a placement order (LS E1) "
      "but no PlacedAdoption row (no date of the decision that the child should be placed for "
      "adoption)", action=_NO_DECISION, tables=("episodes", "placed_for_adoption"),
      column="LS", validator="553", stage=STAGE)
def placement_order_without_decision(t: dict[str, pd.DataFrame], ctx: Context
                                     ) -> pd.DataFrame:
    """As :func:`placed_without_decision`, for LS E1."""
    return _without_decision(t, ctx, t["episodes"]["LS"].isin(codes.LS_PLACEMENT_ORDER))


@rule(id="freeing_order_without_decision", message="child has a freeing order (LS D1) but no "
      "PlacedAdoption row (no date of the decision that the child should be placed for "
      "adoption)", action=_NO_DECISION, tables=("episodes", "placed_for_adoption"),
      column="LS", validator="555", stage=STAGE)
def freeing_order_without_decision(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """As :func:`placed_without_decision`, for LS D1."""
    return _without_decision(t, ctx, t["episodes"]["LS"].isin(codes.LS_FREEING_ORDER))


# -- decisions reversed (DfE 557, 525, 118) ----------------------------------------------------


def _decisions(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """PlacedAdoption rows in a period of care, with ``period_id``; ``latest`` marks each
    period's latest decision (by DATE_PLACED, then file order)."""
    pfa = t["placed_for_adoption"]
    pid = _pfa_periods(t)
    d = pfa[pid.notna()].assign(period_id=pid[pid.notna()].astype("int64"))
    order = d.sort_values(["period_id", "DATE_PLACED"], kind="stable")
    latest = ~order["period_id"].duplicated(keep="last")
    return d.assign(latest=latest.reindex(d.index))


def _periods_with(ep: pd.DataFrame, mask: pd.Series) -> pd.Index:
    return pd.Index(ep.loc[_flag(mask), "period_id"].unique())


@rule(id="left_care_decision_not_reversed", message="the child left care other than by "
      "adoption after a placement order or an adoptive placement, but the decision that the "
      "child should be placed for adoption is not recorded as reversed (DATE_PLACED_CEASED and "
      "REASON_PLACED_CEASED)", action="kept: the journey is counted as left care, not as a "
      "reversal", tables=("placed_for_adoption", "episodes", "periods"),
      column="DATE_PLACED_CEASED", validator="557", stage=STAGE)
def left_care_decision_not_reversed(t: dict[str, pd.DataFrame], ctx: Context
                                    ) -> pd.DataFrame:
    """Across years: the period's latest decision, for a period that ended with a known reason
    other than adoption and held an A3-A6 placement or an E1/D1 order. A period with no
    decision at all is the finding of the DfE 551/553/555 rules instead."""
    ep, per = t["episodes"], t["periods"]
    adoption_route = _periods_with(ep, ep["PLACE"].isin(codes.PLACE_ADOPTION)
                                   | ep["LS"].isin(codes.LS_COURT_AUTHORITY))
    ended = per.loc[_flag(per["end_reason"].notna() & per["period_end"].notna()
                          & ~per["end_reason"].isin(codes.REC_ADOPTED)), "period_id"]
    d = _decisions(t)
    d = d[d["latest"] & d["period_id"].isin(adoption_route) & d["period_id"].isin(ended)]
    return d[d["DATE_PLACED_CEASED"].isna() | d["REASON_PLACED_CEASED"].isna()]


@rule(id="adopted_after_reversal", message="the child was adopted, but the decision that the "
      "child should be placed for adoption is recorded as reversed (DATE_PLACED_CEASED)",
      action="kept: the adoption is counted, and the reversal among decisions reversed",
      tables=("placed_for_adoption", "episodes"), column="DATE_PLACED_CEASED",
      validator="525", stage=STAGE)
def adopted_after_reversal(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Across years: the latest decision of a period of care that ends in adoption (a decision
    reversed before a later one that led to the adoption is no error; the validator, comparing
    with AD1 of the year, cannot tell the two apart)."""
    adopted = _adoptions(t["episodes"])["period_id"]
    d = _decisions(t)
    return d[d["latest"] & d["period_id"].isin(adopted) & d["DATE_PLACED_CEASED"].notna()]


@rule(id="reversal_before_care_entry", message="the decision that the child should no longer "
      "be placed for adoption (DATE_PLACED_CEASED) is dated before the child started to be "
      "looked after", action="kept", tables=("placed_for_adoption", "periods"),
      column="DATE_PLACED_CEASED", validator="118", stage=STAGE)
def reversal_before_care_entry(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Across years: against the care entry of the period the decision belongs to (where the
    data hold it). The validator's other half, a reversal dated before the return's
    collection year, is not used: a later year's return may repeat a reversal."""
    d = _decisions(t)
    care_entry = t["periods"].set_index("period_id")["care_entry"]
    entry = pd.to_datetime(pd.Series(care_entry.reindex(d["period_id"]).to_numpy(),
                                     index=d.index))
    return d[_flag(d["DATE_PLACED_CEASED"] < entry)]
