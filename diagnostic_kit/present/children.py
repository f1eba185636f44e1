"""Section 1 in words and tables: the groups named, sentences and reader tables, from
``measures.children``."""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.measures.children import (
    GROUPS,
    KEY_FINDINGS,
    MIN_LOOKED_AFTER,
    UNDER_RATIO,
    under_represented,
)
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.narrative import plural


def with_phrases(rows: pd.DataFrame) -> pd.DataFrame:
    """``under_represented`` rows with each group in words (``phrase``)."""
    return rows.assign(phrase=[group_phrase(c, g) for c, g in zip(
        rows["characteristic"], rows["category"], strict=True)])


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
    rows = with_phrases(under_represented(prof, group, min_looked_after=min_looked_after))
    out = []
    for _, r in rows.head(limit).iterrows():
        phrase = r["phrase"][0].upper() + r["phrase"][1:]
        la_pct = nv.pct_of(r["looked_after_pct"], r["looked_after_n"])
        group_pct = nv.pct_of(r[f"{group}_pct"], r[f"{group}_n"])
        out.append(
            f"{phrase} were {la_pct} of children looked after "
            f"({nv.children(int(r['looked_after_n']))}) but {group_pct} of "
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


def key_findings(prof: pd.DataFrame) -> str:
    """Section 1's opening: group sizes, then the under-represented groups with their figures."""
    lines = [counts_sentence(prof), *findings(prof, limit=KEY_FINDINGS)]
    decision = with_phrases(under_represented(prof, "decision"))
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

