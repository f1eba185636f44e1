"""Rules on placements, legal statuses and reasons for new episodes (``stage="episodes"``).

They run on the episode chains as combined across years (with the rules of
:mod:`.episodes`, after them): the adoption order and the placement it was made from, the
placement order behind an A5/A6 placement, the reason a new episode began against what changed
since the previous episode of the same period of care, and episodes after a child died. Each
bears on a date of the journey or on the walk back to when a child moved in with foster carers
who adopted (``derive.journeys``). Numbers are the DfE validator's.

Across years: "the previous episode" is the previous one of the same period of care in chain
order, whichever year's return holds it. The kit does not read PL_POST or URN (a postcode and a
provider's number it does not need), so a change of placement is seen only as a change of
PLACE or PLACE_PROVIDER (DfE 434, 435 and 436 also compare those two).
"""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.inputs import codes
from diagnostic_kit.rules.engine import Context, rule
from diagnostic_kit.rules.episodes import chain

STAGE = "episodes"
#: From 1 April 2015 a placement for adoption with current foster carers starts with RNE S, T
#: or U (DfE 217).
RNE_RULES_FROM = pd.Timestamp("2015-04-01")
#: Placements a child placed with their foster carers for adoption should come from (DfE 336).
FOSTER_OR_ADOPTIVE = (*codes.PLACE_ADOPTION, "U1", "U2", "U3", "U4", "U5", "U6")
#: Reasons an episode ceased after which no episode can follow: died; assessed as 18 or over.
REC_NO_MORE_EPISODES = ("E2", "E15")


def _flag(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool)


def _previous(t: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """The episodes in chain order, the previous episode of the same period of care for each
    (all blank where there is none), and whether there is one."""
    ep, lk = chain(t)
    cont = lk["same_child"] & ~lk["new_period"]
    prev = ep[["LS", "PLACE", "PLACE_PROVIDER"]].shift().where(cont)
    return ep, prev, cont.astype(bool)


def _changed(ep: pd.DataFrame, prev: pd.DataFrame, column: str) -> pd.Series:
    """Whether a column differs from the previous episode (a blank equals a blank)."""
    return ep[column].astype("string").fillna("") != prev[column].astype("string").fillna("")


@rule(id="adopted_from_non_adoptive_placement", message="the child was adopted (REC E11/E12) "
      "from a placement that is not a placement for adoption (PLACE A3-A6)",
      action="kept: the adoption is counted, but it has no adoptive placement date: the child "
      "is left out of A1, A10, A3 and the stages that need that date",
      tables=("episodes",), column="PLACE", validator="390", stage=STAGE)
def adopted_from_non_adoptive_placement(t: dict[str, pd.DataFrame], ctx: Context
                                        ) -> pd.DataFrame:
    """A blank PLACE is already ``required_missing``: not again."""
    ep = t["episodes"]
    return ep[_flag(ep["REC"].isin(codes.REC_ADOPTED) & ep["PLACE"].notna()
                    & ~ep["PLACE"].isin(codes.PLACE_ADOPTION))]


@rule(id="freeing_order_after_2005", message="legal status D1 (a freeing order) on an episode "
      "starting after December 2005, when placement orders replaced freeing orders",
      action="kept: D1 is not taken as a placement order", tables=("episodes",), column="LS",
      validator="445", stage=STAGE)
def freeing_order_after_2005(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    ep = t["episodes"]
    return ep[_flag(ep["LS"].isin(codes.LS_FREEING_ORDER)
                    & (ep["DECOM"] > pd.Timestamp(codes.FREEING_ORDERS_END)))]


@rule(id="placed_under_order_without_e1", message="the child is placed for adoption under a "
      "placement order (PLACE A5/A6) but the episode's legal status is not a placement order "
      "(LS E1)", action="kept: the placement order date comes from an episode with LS E1; with "
      "none in the period of care it is left out, with the reason",
      tables=("episodes",), column="LS", validator="408", stage=STAGE)
def placed_under_order_without_e1(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """A blank LS is already ``required_missing``: not again."""
    ep = t["episodes"]
    return ep[_flag(ep["PLACE"].isin(("A5", "A6")) & ep["LS"].notna()
                    & ~ep["LS"].isin(codes.LS_PLACEMENT_ORDER))]


@rule(id="adoption_with_carers_wrong_rne", message="a placement for adoption with current "
      "foster carers (PLACE A3/A5) starts with a reason for new episode other than S, T or U",
      action="kept: the walk back to when the child moved in with those carers reads the RNE "
      "as written", tables=("episodes",), column="RNE", validator="217", stage=STAGE)
def adoption_with_carers_wrong_rne(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Episodes from 1 April 2015, as the DfE rule (a blank RNE is ``required_missing``)."""
    ep = t["episodes"]
    return ep[_flag(ep["PLACE"].isin(codes.PLACE_ADOPTION_WITH_FOSTER_CARER)
                    & (ep["DECOM"] >= RNE_RULES_FROM) & ep["RNE"].notna()
                    & ~ep["RNE"].isin(("S", "T", "U")))]


@rule(id="adoption_with_carers_not_after_fostering", message="a placement for adoption with "
      "current foster carers (PLACE A3/A5) does not follow a foster or adoptive placement "
      "(A3-A6, U1-U6) in the same period of care", action="kept", tables=("episodes",),
      column="PLACE", validator="336", stage=STAGE)
def adoption_with_carers_not_after_fostering(t: dict[str, pd.DataFrame], ctx: Context
                                             ) -> pd.DataFrame:
    """The first episode of a period of care has no previous placement and is not flagged.
    The validator's code checks A3 and A4 where its own comment and the rule's sense (placed
    with the current foster carers) say A3 and A5: the kit checks A3 and A5."""
    ep, prev, cont = _previous(t)
    return ep[cont & _flag(ep["PLACE"].isin(codes.PLACE_ADOPTION_WITH_FOSTER_CARER))
              & ~_flag(prev["PLACE"].isin(FOSTER_OR_ADOPTIVE))]


@rule(id="legal_status_change_not_shown", message="the reason for new episode is a change of "
      "legal status only (RNE L), but the legal status is the same as the previous episode's, "
      "or the placement (PLACE or PLACE_PROVIDER) changed", action="kept",
      tables=("episodes",), column="RNE", validator="434", stage=STAGE)
def legal_status_change_not_shown(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    ep, prev, cont = _previous(t)
    wrong = ~_changed(ep, prev, "LS") | _changed(ep, prev, "PLACE") | _changed(
        ep, prev, "PLACE_PROVIDER")
    return ep[cont & _flag(ep["RNE"].eq("L")) & wrong]


@rule(id="placement_change_but_legal_status_changed", message="the reason for new episode is a "
      "change of placement only (RNE P or T), but the legal status differs from the previous "
      "episode's", action="kept", tables=("episodes",), column="RNE", validator="435",
      stage=STAGE)
def placement_change_but_legal_status_changed(t: dict[str, pd.DataFrame], ctx: Context
                                              ) -> pd.DataFrame:
    """The validator also flags a placement that did not change; without PL_POST and URN the
    kit cannot tell that a move between two carers of the same type and provider is none."""
    ep, prev, cont = _previous(t)
    return ep[cont & _flag(ep["RNE"].isin(("P", "T"))) & _changed(ep, prev, "LS")]


@rule(id="both_changed_but_legal_status_same", message="the reason for new episode is a change "
      "of both legal status and placement (RNE U or B), but the legal status is the same as the "
      "previous episode's", action="kept", tables=("episodes",), column="RNE",
      validator="436", stage=STAGE)
def both_changed_but_legal_status_same(t: dict[str, pd.DataFrame], ctx: Context
                                       ) -> pd.DataFrame:
    """As :func:`placement_change_but_legal_status_changed`, the placement half is not
    checked."""
    ep, prev, cont = _previous(t)
    return ep[cont & _flag(ep["RNE"].isin(("U", "B"))) & ~_changed(ep, prev, "LS")]


@rule(id="episode_after_death_or_18", message="the episode ceased because the child died or "
      "was assessed as 18 or over (REC E2/E15), but the child has later episodes",
      action="kept", tables=("episodes",), column="REC", validator="437", stage=STAGE)
def episode_after_death_or_18(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Across years: any later episode of the child, in any year's return."""
    ep, lk = chain(t)
    return ep[_flag(ep["REC"].isin(REC_NO_MORE_EPISODES)) & ~lk["last"]]
