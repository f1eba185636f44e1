"""Section 1: who is placed for adoption, against all children looked after.

Three groups (``shared/domain/measures.md``, section 1):

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

from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures.timescales import as_flag, in_period
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.narrative import plural

AGE_BANDS: tuple[str, ...] = ("under 1", "1-4", "5-9", "10-15", "16+")
NOT_KNOWN = "not known"

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
#: Default: a ratio under this names a group as under-represented, if enough children.
UNDER_RATIO = 0.8
MIN_LOOKED_AFTER = 5
#: How many groups the key findings name (the tables show them all).
KEY_FINDINGS = 5


def age_band(age_years: pd.Series) -> pd.Series:
    """DfE age bands from age in years (whole years completed): under 1, 1-4, 5-9, 10-15, 16+;
    "not known" when the age is."""
    bins = [-np.inf, 1, 5, 10, 16, np.inf]
    band = pd.cut(pd.to_numeric(age_years, errors="coerce").astype("float64"), bins=bins,
                  labels=list(AGE_BANDS), right=False)
    return band.astype("string").fillna(NOT_KNOWN)


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

    return {
        "looked_after": one_per_child(looked_after),
        "decision": one_per_child(journeys.loc[in_period(journeys["adm_date"], params)]),
        "adopted": one_per_child(journeys.loc[in_period(journeys["ao_date"], params)]),
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
            if char == "age_band_adm" and name == "looked_after":
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
        for name in ("decision", "adopted"):
            out[f"ratio_{name}"] = (out[f"{name}_pct"] / base).where(base.gt(0))
        # Drop categories no group has (e.g. no UASC at all is still shown as "no").
        seen = out[[f"{g}_n" for g in GROUPS]].fillna(0).sum(axis=1).gt(0)
        frames.append(out.loc[seen])
    return pd.concat(frames, ignore_index=True)


def group_phrase(characteristic: str, category: str) -> str:
    """A category in words: "children aged 5-9 at care entry", "disabled children"."""
    age = "16 or over" if category == "16+" else category
    if characteristic == "age_band_entry":
        return f"children aged {age} at care entry"
    if characteristic == "age_band_adm":
        return f"children aged {age} at the ADM decision"
    if characteristic == "sex":
        return {"male": "boys", "female": "girls"}.get(category, f"children of {category} sex")
    if characteristic == "ethnic_group":
        return f"children of {category} ethnicity" if category not in ("Other", "Not known") \
            else f"children of {category.lower()} ethnicity"
    if characteristic == "cin":
        code, _, label = category.partition(" ")
        return f"children whose category of need was {label} ({code})"
    return {"disabled": "disabled children", "sibling_group": "children in sibling groups",
            "uasc": "unaccompanied asylum-seeking children"}.get(characteristic, category)


def under_represented(prof: pd.DataFrame, group: str = "adopted", below: float = UNDER_RATIO,
                      min_looked_after: int = MIN_LOOKED_AFTER) -> pd.DataFrame:
    """Categories whose representation ratio among ``group`` is under ``below``, among those
    with at least ``min_looked_after`` children looked after; not-known categories and the "no"
    side of yes/no flags are not named. Lowest ratio first."""
    ratio = prof[f"ratio_{group}"]
    keep = (
        ratio.lt(below)
        & prof["looked_after_n"].fillna(0).ge(min_looked_after)
        & ~prof["category"].isin([NOT_KNOWN, "Not known", "no"])
    )
    out = prof.loc[keep.fillna(False)].sort_values(f"ratio_{group}", kind="stable")
    return out.assign(phrase=[group_phrase(c, g) for c, g in zip(
        out["characteristic"], out["category"], strict=True)])


def counts_sentence(prof: pd.DataFrame) -> str:
    """How many children are in each group."""
    first = prof.loc[prof["characteristic"].eq("sex")]
    n = {g: int(first[f"{g}_n"].fillna(0).sum()) for g in GROUPS}
    return (f"{nv.children(n['looked_after'])} were looked after at some time in the period; "
            f"{nv.children(n['decision'])} had an ADM decision that they should be placed for "
            f"adoption, and {nv.children(n['adopted'])} were adopted.")


def findings(prof: pd.DataFrame, group: str = "adopted",
             min_looked_after: int = MIN_LOOKED_AFTER, limit: int | None = None) -> list[str]:
    """Sentences naming the under-represented groups with their figures, e.g. "Children aged
    5-9 at care entry were 18% of children looked after (72 children) but 4% of children
    adopted (2 children): a representation ratio of 0.22."
    """
    who = "children adopted" if group == "adopted" else "children with an ADM decision"
    rows = under_represented(prof, group, min_looked_after=min_looked_after)
    out = []
    for _, r in rows.head(limit).iterrows():
        phrase = r["phrase"][0].upper() + r["phrase"][1:]
        out.append(
            f"{phrase} were {nv.pct(r['looked_after_pct'])} of children looked after "
            f"({nv.children(int(r['looked_after_n']))}) but {nv.pct(r[f'{group}_pct'])} of "
            f"{who} ({nv.children(int(r[f'{group}_n']))}): a representation ratio of "
            f"{nv.ratio(r[f'ratio_{group}'])}."
        )
    if limit is not None and len(rows) > limit:
        out.append(f"{plural(len(rows) - limit, 'further group').capitalize()} had a ratio under "
                   f"{UNDER_RATIO} (see the tables).")
    if not out:
        out.append(f"No group of at least {min_looked_after} children looked after had a "
                   f"representation ratio under {UNDER_RATIO} among {who}.")
    return out


def display_table(prof: pd.DataFrame, characteristic: str) -> pd.DataFrame:
    """One characteristic's rows with reader-facing column names."""
    t = prof.loc[prof["characteristic"].eq(characteristic)]

    def pct(col: str) -> pd.Series:  # as the narrative words them
        return t[col].map(lambda v: "–" if pd.isna(v) else nv.pct(v))

    return pd.DataFrame({
        "Group": t["category"].str.capitalize() if characteristic != "cin" else t["category"],
        "Looked after": t["looked_after_n"],
        "Looked after %": pct("looked_after_pct"),
        "ADM decision": t["decision_n"],
        "ADM decision %": pct("decision_pct"),
        "Adopted": t["adopted_n"],
        "Adopted %": pct("adopted_pct"),
        "Ratio, decision": t["ratio_decision"].map(nv.ratio),
        "Ratio, adopted": t["ratio_adopted"].map(nv.ratio),
    }).reset_index(drop=True)


def record_metrics(section, prof: pd.DataFrame) -> None:
    """Section 1's metrics: children in each group (children adopted is section 2's metric)."""
    first = prof.loc[prof["characteristic"].eq("sex")]
    section.metric("children_looked_after", int(first["looked_after_n"].fillna(0).sum()))
    section.metric("children_with_adm_decision", int(first["decision_n"].fillna(0).sum()))
    under = under_represented(prof)
    section.metric("groups_under_represented", len(under))


def key_findings(prof: pd.DataFrame) -> str:
    """Section 1's opening: group sizes, then the under-represented groups with their figures."""
    lines = [counts_sentence(prof), *findings(prof, limit=KEY_FINDINGS)]
    decision = under_represented(prof, "decision")
    if len(decision):
        top = decision.head(KEY_FINDINGS)
        named = [f"{p} (ratio {nv.ratio(r)})"
                 for p, r in zip(top["phrase"], top["ratio_decision"], strict=True)]
        if len(decision) > len(top):
            named.append(plural(len(decision) - len(top), "further group"))
        lines.append("Among children with an ADM decision, the most under-represented groups "
                     f"are {nv.plain_list(named)}.")
    note = (f"A representation ratio is a group's share among children adopted divided by its "
            f"share among children looked after; groups are named when the ratio is under "
            f"{UNDER_RATIO} and at least {MIN_LOOKED_AFTER} children in the group were looked "
            "after.")
    return "**Key findings**\n\n" + nv.bullets(lines) + "\n\n" + note
