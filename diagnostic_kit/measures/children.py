"""Section 1: who is placed for adoption, against all children looked after.

Three groups (``docs/methodology.md``, section 1):

- **looked after**: every child looked after at any time in the reporting period (the
  ``looked_after`` table, one row per child);
- **ADM decision**: children with an ADM decision (``adm_date``) in the period;
- **adopted**: children whose adoption order (``ao_date``) falls in the period.

For each characteristic (age at care entry in bands under 1, 1-4, 5-9, 10-15, 16+; age at the
ADM decision; sex; ethnic group; category of need; disability; sibling group; UASC) each group's
distribution is shown side by side with a **representation ratio** = share of the group among
children adopted (or with a decision) ÷ its share among children looked after. A ratio under
1 means the group is under-represented among children placed for adoption.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.derive.characteristics import AGE_BANDS, NOT_KNOWN, age_band
from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures.cohorts import as_flag, in_period
from diagnostic_kit.measures.headline import Headline, shortfall
from diagnostic_kit.registry import table_anchor
from diagnostic_kit.rules.adoption import decision_periods

#: Characteristic → heading, in the order the section shows them.
CHARACTERISTICS: dict[str, str] = {
    "age_band_entry": "Age at care entry",
    "age_band_adm": "Age at ADM decision",
    "sex": "Sex",
    "ethnic_group": "Ethnic group",
    "cin": "Category of need",
    "disabled": "Disability",
    "sibling_group": "Sibling group",
    "uasc": "Unaccompanied asylum-seeking child",
}
#: Characteristics that are yes/no flags: only "yes" is a group worth naming.
FLAGS = ("disabled", "sibling_group", "uasc")
GROUPS = {"looked_after": "Looked after", "decision": "ADM decision", "adopted": "Adopted"}
#: The second base of comparison: children looked after who entered care under 5, for whom
#: adoption is most often the plan (ratios ``ratio_<group>_under5``).
UNDER5 = "under5"
#: Groups for whom adoption is rarely the plan: explained once, never named as under-represented.
RARELY_ADOPTED = {("age_band_entry", "10-15"), ("age_band_entry", "16+"),
                  ("age_band_adm", "10-15"), ("age_band_adm", "16+"), ("uasc", "yes")}
#: Default: a ratio under this names a group as under-represented, if enough children.
UNDER_RATIO = 0.8
MIN_LOOKED_AFTER = 5
#: How many groups the key findings name (the tables show them all).
KEY_FINDINGS = 5


def _order(characteristic: str) -> list[str]:
    if characteristic.startswith("age_band"):
        return [*AGE_BANDS, NOT_KNOWN]
    if characteristic == "sex":
        return ["male", "female", NOT_KNOWN]
    if characteristic == "ethnic_group":
        return list(codes.ETHNIC_GROUP_ORDER)
    if characteristic == "cin":
        return [*(f"{k} {v}" for k, v in codes.CIN.items()), NOT_KNOWN]
    return ["yes", "no"]


def categories(df: pd.DataFrame, characteristic: str) -> pd.Series:
    """Each child's category for one characteristic, as the section labels it."""
    if characteristic == "age_band_entry":
        return age_band(df["age_at_entry"]) if "age_at_entry" in df else df[
            "age_band_entry"].astype("string").fillna(NOT_KNOWN)
    if characteristic == "age_band_adm":
        return age_band(df["age_at_adm"])
    col = df[characteristic]
    if characteristic in FLAGS:
        return as_flag(col).map({True: "yes", False: "no"}).astype("string")
    if characteristic == "sex":
        text = col.astype("string").str.strip()
        return text.map(lambda v: codes.SEX.get(v, v) if isinstance(v, str) else v).astype(
            "string").str.lower().fillna(NOT_KNOWN)
    if characteristic == "ethnic_group":
        return col.astype("string").fillna("Not known")
    if characteristic == "cin":
        code = col.astype("string").str.upper()
        return (code + " " + code.map(codes.CIN)).fillna(NOT_KNOWN)
    return col.astype("string").fillna(NOT_KNOWN)


def groups(looked_after: pd.DataFrame, journeys: pd.DataFrame, params: Params
           ) -> dict[str, pd.DataFrame]:
    """The three groups, one row per child each."""
    def one_per_child(df: pd.DataFrame) -> pd.DataFrame:
        return df.drop_duplicates("child", keep="last") if "child" in df else df

    la = one_per_child(looked_after)
    age = pd.to_numeric(la["age_at_entry"], errors="coerce") if "age_at_entry" in la else None
    return {
        "looked_after": la,
        "decision": one_per_child(journeys.loc[in_period(journeys["adm_date"], params)]),
        "adopted": one_per_child(journeys.loc[in_period(journeys["ao_date"], params)]),
        # The children for whom adoption is a realistic plan: looked after, entered care under 5.
        UNDER5: la.loc[age.lt(5).fillna(False)] if age is not None else la.iloc[:0],
    }


def profile(looked_after: pd.DataFrame, journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Side-by-side distributions and representation ratios, one row per characteristic and
    category: ``characteristic, heading, category, looked_after_n, looked_after_pct,
    decision_n, decision_pct, adopted_n, adopted_pct, ratio_decision, ratio_adopted``.

    Percentages are of each group's children; a ratio is NaN where the looked-after share is 0
    or not defined (age at ADM decision: children looked after have no decision to age).
    """
    grp = groups(looked_after, journeys, params)
    frames = []
    for char, heading in CHARACTERISTICS.items():
        order = _order(char)
        out = pd.DataFrame({"characteristic": char, "heading": heading, "category": order})
        for name, df in grp.items():
            if char == "age_band_adm" and name in ("looked_after", UNDER5):
                out[f"{name}_n"], out[f"{name}_pct"] = pd.NA, np.nan
                continue
            present = char in df or (char == "age_band_entry" and "age_at_entry" in df) or (
                char == "age_band_adm" and "age_at_adm" in df)
            counts = categories(df, char).value_counts() if present and len(df) else pd.Series(
                dtype="int64")
            extra = [c for c in counts.index if c not in order]
            if extra:  # codes the order does not know are shown, not dropped
                out = pd.concat([out, pd.DataFrame({"characteristic": char, "heading": heading,
                                                    "category": extra})], ignore_index=True)
                order = order + extra
            n = counts.reindex(out["category"], fill_value=0).to_numpy()
            out[f"{name}_n"] = n
            out[f"{name}_pct"] = 100 * n / len(df) if len(df) else np.nan
        out["looked_after_n"] = out["looked_after_n"].astype("Int64")
        base = out["looked_after_pct"].astype("float64")
        u5 = out[f"{UNDER5}_pct"].astype("float64")
        for name in ("decision", "adopted"):
            out[f"ratio_{name}"] = (out[f"{name}_pct"] / base).where(base.gt(0))
            out[f"ratio_{name}_under5"] = (out[f"{name}_pct"] / u5).where(u5.gt(0))
        # Drop categories no group has (e.g. no UASC at all is still shown as "no").
        seen = out[[f"{g}_n" for g in GROUPS]].fillna(0).sum(axis=1).gt(0)
        frames.append(out.loc[seen])
    return pd.concat(frames, ignore_index=True)




def under_represented(prof: pd.DataFrame, group: str = "adopted", below: float = UNDER_RATIO,
                      min_looked_after: int = MIN_LOOKED_AFTER, rarely: bool = True
                      ) -> pd.DataFrame:
    """Categories whose representation ratio among ``group`` is under ``below``, among those
    with at least ``min_looked_after`` children looked after; not-known categories and the "no"
    side of yes/no flags are not named, nor (``rarely=False``) the groups for whom adoption is
    rarely the plan (:data:`RARELY_ADOPTED`). Lowest ratio first."""
    ratio = prof[f"ratio_{group}"]
    keep = (
        ratio.lt(below)
        & prof["looked_after_n"].fillna(0).ge(min_looked_after)
        & ~prof["category"].isin([NOT_KNOWN, "Not known", "no"])
    )
    if not rarely:
        pairs = list(zip(prof["characteristic"], prof["category"], strict=True))
        keep &= pd.Series([p not in RARELY_ADOPTED for p in pairs], index=prof.index)
    return prof.loc[keep.fillna(False)].sort_values(f"ratio_{group}", kind="stable")








#: Why a child with a PlacedAdoption decision dated in the period is not among the children
#: with an ADM decision (:func:`decisions_left_out`).
OUTSIDE_CARE = ("the decision is dated outside the child's periods of care in the data (before "
                "care began or after it ended: DfE 1003/117)")
OTHER_DECISION = "another decision of the same period of care dates the child's journey"


def decisions_left_out(placed_for_adoption: pd.DataFrame, journeys: pd.DataFrame,
                       params: Params) -> pd.DataFrame:
    """Children with a PlacedAdoption decision (DATE_PLACED) dated in the period who are not
    among the children with an ADM decision in the period (the journeys' ``adm_date``), one row
    per child with the reason: the decision falls in none of the child's periods of care in
    the data (:data:`OUTSIDE_CARE`, rule ``adm_outside_period``), or the journey of its period
    of care is dated by another decision, not in the period (:data:`OTHER_DECISION`).
    Columns ``child``, ``reason``."""
    pfa = placed_for_adoption.loc[in_period(placed_for_adoption["DATE_PLACED"], params)]
    counted = journeys.loc[in_period(journeys["adm_date"], params), "child"]
    pfa = pfa.loc[~pfa["CHILD"].isin(counted)]
    if pfa.empty:
        return pd.DataFrame(columns=["child", "reason"])
    inside = decision_periods(pfa, "CHILD", "DATE_PLACED", journeys).notna()
    out = pd.DataFrame({"child": pfa["CHILD"].to_numpy(),
                        "reason": np.where(inside, OTHER_DECISION, OUTSIDE_CARE)})
    # A child with decisions of both kinds: the one a journey holds explains it.
    out = out.sort_values("reason", key=lambda r: r.ne(OTHER_DECISION), kind="stable")
    return out.drop_duplicates("child").sort_values("child", kind="stable").reset_index(
        drop=True)


def record_metrics(section, prof: pd.DataFrame, left_out: pd.DataFrame | None = None) -> None:
    """Section 1's metrics: children in each group (children adopted is section 2's metric),
    and the children with a decision dated in the period left out of the decision group
    (:func:`decisions_left_out`)."""
    first = prof.loc[prof["characteristic"].eq("sex")]
    section.metric("children_looked_after", int(first["looked_after_n"].fillna(0).sum()))
    section.metric("children_with_adm_decision", int(first["decision_n"].fillna(0).sum()))
    if left_out is not None:
        section.metric("children_with_adm_decision_left_out", len(left_out))
    under = under_represented(prof)
    section.metric("groups_under_represented", len(under))


#: The groups whose representation matters most to a diagnosis, in order: each ethnic group
#: under-represented, disabled children, children who entered care aged 5-9, sibling groups.
PRIORITY: tuple[tuple[str, str | None], ...] = (
    ("ethnic_group", None), ("disabled", "yes"), ("age_band_entry", "5-9"),
    ("sibling_group", "yes"),
)


def priority_rows(prof: pd.DataFrame, group: str = "adopted",
                  min_looked_after: int = MIN_LOOKED_AFTER) -> pd.DataFrame:
    """The rows of :func:`profile` for the groups of :data:`PRIORITY` with at least
    ``min_looked_after`` children looked after: each ethnic group (not "not known") whose ratio
    among ``group`` is under :data:`UNDER_RATIO` against all children looked after or against
    those who entered care under five, lowest first; then the other groups as they are."""
    rows = []
    for char, cat in PRIORITY:
        t = prof.loc[prof["characteristic"].eq(char)
                     & prof["looked_after_n"].fillna(0).ge(min_looked_after)]
        if cat is None:
            t = t.loc[~t["category"].isin([NOT_KNOWN, "Not known"])
                      & (t[f"ratio_{group}"].lt(UNDER_RATIO)
                         | t[f"ratio_{group}_{UNDER5}"].lt(UNDER_RATIO))].sort_values(
                f"ratio_{group}", kind="stable")
        else:
            t = t.loc[t["category"].eq(cat)]
        rows.append(t)
    return pd.concat(rows) if rows else prof.iloc[:0]


# -- findings for the summary -----------------------------------------------------------------

KEY = "01_children"


def headlines(prof: pd.DataFrame) -> list[Headline]:
    """Section 1's finding for the summary (``measures.headline``): the first group of
    :func:`priority_rows` under-represented among children adopted, by its representation
    ratio against the children who entered care under five where that is known (the comparison
    that matters: adoption is rarely the plan for older children), else against all children
    looked after, set against the kit's rule for under-representation (:data:`UNDER_RATIO`).
    Reach: the children short of the group's share among the children adopted. None when no
    priority group is under-represented."""
    rows = priority_rows(prof)
    base = rows["ratio_adopted_under5"].where(rows["ratio_adopted_under5"].notna(),
                                               rows["ratio_adopted"])
    rows = rows.assign(_ratio=base).loc[base.lt(UNDER_RATIO)]
    if rows.empty:
        return []
    r = rows.iloc[0]
    under5 = not pd.isna(r["ratio_adopted_under5"])
    share_base = r[f"{UNDER5}_pct"] if under5 else r["looked_after_pct"]
    total = int(prof.loc[prof["characteristic"].eq(r["characteristic"]), "adopted_n"]
                .fillna(0).sum())
    return [Headline(
        key="under_represented", section=KEY, label=f"{r['heading']}: {r['category']}",
        value=float(r["_ratio"]), unit="ratio", n=total, statistic="ratio",
        benchmark=UNDER_RATIO, benchmark_label="the kit's rule for under-representation "
        f"(a ratio under {UNDER_RATIO})", benchmark_kind="rule", better="higher",
        reach=shortfall(int(r["adopted_n"]), total, float(share_base)),
        evidence=table_anchor(KEY, r["heading"]),
        detail={"row": r.drop("_ratio").to_dict(), "under5": under5})]
