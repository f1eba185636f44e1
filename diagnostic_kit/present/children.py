"""Section 1 in words and tables: the groups named, sentences and reader tables, from
``measures.children``."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from diagnostic_kit.derive.characteristics import NOT_KNOWN
from diagnostic_kit.measures.children import (
    GROUPS,
    MIN_LOOKED_AFTER,
    RARELY_ADOPTED,
    UNDER5,
    UNDER_RATIO,
    priority_rows,
    under_represented,
)
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.charts import (
    DEFAULT_SOURCE,
    GROUP_COLOURS,
    apply_style,
    describe,
    finish,
)
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


def decisions_left_out_sentence(left_out: pd.DataFrame) -> str:
    """The children with a PlacedAdoption decision dated in the period who are not counted as
    children with an ADM decision, by reason ("" when there are none)."""
    if left_out.empty:
        return ""
    counts = left_out["reason"].value_counts()
    why = "; ".join(f"{r} ({nv.count(int(k))})" for r, k in counts.items())
    n = len(left_out)
    return (f"A further {nv.children(n)} {nv.verb(n, 'has', 'have')} a PlacedAdoption decision "
            f"dated in the period but {nv.verb(n, 'is', 'are')} not counted among the children "
            f"with an ADM decision: {why}."
            + (" Section 8 lists each decision outside the periods of care among its findings "
               "(rule adm_outside_period)." if counts.index.str.startswith(
                   "the decision is dated outside").any() else ""))


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


def _who(group: str) -> str:
    return "children adopted" if group == "adopted" else "children with an ADM decision"


def group_sentence(r: pd.Series, group: str = "adopted") -> str:
    """A group's shares among all children looked after, among those who entered care under
    five, and among ``group``, with both ratios: "Black children were 7% of children looked
    after (45 children) and 6% of those who entered care under five (13 children), but 2% of
    children adopted (1 child): a ratio of 0.25 against all children looked after and 0.29
    against those who entered care under five." """
    phrase = r["phrase"][0].upper() + r["phrase"][1:]
    la_pct = nv.pct_of(r["looked_after_pct"], r["looked_after_n"])
    g_pct = nv.pct_of(r[f"{group}_pct"], r[f"{group}_n"])
    ratio = r[f"ratio_{group}"]
    joint = "but" if not pd.isna(ratio) and ratio < 1 else "and"
    text = f"{phrase} were {la_pct} of children looked after " \
           f"({nv.children(int(r['looked_after_n']))})"
    u5 = r.get(f"{UNDER5}_n")
    has_u5 = not pd.isna(r.get(f"ratio_{group}_under5")) and r["characteristic"] != \
        "age_band_entry"
    if has_u5:
        text += (f", {nv.pct_of(r[f'{UNDER5}_pct'], u5)} of those who entered care under "
                 f"five ({nv.children(int(u5))})")
    text += (f" {joint} {g_pct} of {_who(group)} ({nv.children(int(r[f'{group}_n']))}): "
             f"a ratio of {nv.ratio(ratio)} against all children looked after")
    if has_u5:
        text += f" and {nv.ratio(r[f'ratio_{group}_under5'])} against those who entered under five"
    return text + "."


def _priority_rows(prof: pd.DataFrame, group: str, min_looked_after: int) -> pd.DataFrame:
    return with_phrases(priority_rows(prof, group, min_looked_after))


def group_findings(prof: pd.DataFrame, group: str = "adopted",
                   min_looked_after: int = MIN_LOOKED_AFTER) -> list[str]:
    """The groups that matter most (:data:`PRIORITY`), one sentence each with their figures
    (:func:`group_sentence`), most under-represented ethnic groups first."""
    return [group_sentence(r, group)
            for _, r in _priority_rows(prof, group, min_looked_after).iterrows()]


def rarely_adopted_sentence(prof: pd.DataFrame, group: str = "adopted") -> str | None:
    """The groups for whom adoption is rarely the plan (older children, UASC), explained once."""
    keep = pd.Series([(c, g) in RARELY_ADOPTED for c, g in zip(
        prof["characteristic"], prof["category"], strict=True)], index=prof.index)
    t = prof.loc[keep & prof["characteristic"].isin(["age_band_entry", "uasc"])]
    if t.empty:
        return None
    older = t.loc[t["characteristic"].eq("age_band_entry")]
    uasc = t.loc[t["characteristic"].eq("uasc")]
    parts = []
    if len(older):
        parts.append(f"children who entered care aged 10 or over "
                     f"({nv.children(int(older['looked_after_n'].sum()))} looked after, "
                     f"{nv.count(int(older[f'{group}_n'].sum()))} adopted)")
    if len(uasc):
        parts.append(f"unaccompanied asylum-seeking children "
                     f"({nv.children(int(uasc['looked_after_n'].sum()))} looked after, "
                     f"{nv.count(int(uasc[f'{group}_n'].sum()))} adopted)")
    return (f"Adoption is rarely the plan for {nv.plain_list(parts)}: most return home, live "
            "with relatives or stay in long-term foster care, so their low ratios are expected "
            "and they are not named below. The comparison that matters is with the children "
            "who entered care under five.")


def unknown_sentences(prof: pd.DataFrame) -> list[str]:
    """Unknown values counted and explained (age at entry; ethnicity; sex)."""
    out = []
    total = int(prof.loc[prof["characteristic"].eq("sex"), "looked_after_n"].fillna(0).sum())
    age = prof.loc[prof["characteristic"].eq("age_band_entry") & prof["category"].eq(NOT_KNOWN)]
    if len(age) and int(age["looked_after_n"].iloc[0]):
        k = int(age["looked_after_n"].iloc[0])
        out.append(f"{nv.count_of(k, total)} looked after have no known age at care entry: "
                   "their care began before the earliest return in the data, so the date they "
                   "entered care is not known. They are shown as \"not known\" and left out of "
                   "the children who entered care under five.")
    eth = prof.loc[prof["characteristic"].eq("ethnic_group") & prof["category"].eq("Not known")]
    if len(eth) and int(eth["looked_after_n"].iloc[0]):
        k = int(eth["looked_after_n"].iloc[0])
        out.append(f"{nv.count_of(k, total)} looked after have no recorded ethnicity.")
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


def key_findings_lines(prof: pd.DataFrame, group: str = "adopted",
                       min_looked_after: int = MIN_LOOKED_AFTER) -> list[str]:
    """Section 1's findings, one sentence each: group sizes; the groups that matter most
    (ethnicity, disability, age 5-9, sibling groups) with their figures against all children
    looked after and against those who entered care under five; the other under-represented
    groups named; the groups rarely adopted explained once; unknown values counted."""
    lines = [counts_sentence(prof)]
    u5 = prof.loc[prof["characteristic"].eq("sex"), f"{UNDER5}_n"].fillna(0).sum()
    if u5:
        lines.append(f"{nv.children(int(u5)).capitalize()} looked after entered care under five, "
                     "the children for whom adoption is most often the plan; each group is "
                     "compared with them as well as with all children looked after.")
    rarely = rarely_adopted_sentence(prof, group)
    if rarely:
        lines.append(rarely)
    pri = _priority_rows(prof, group, min_looked_after)
    lines += [group_sentence(r, group) for _, r in pri.iterrows()]
    named = set(zip(pri["characteristic"], pri["category"], strict=True))
    rest = with_phrases(under_represented(prof, group, min_looked_after=min_looked_after,
                                          rarely=False))
    rest = rest.loc[[(c, g) not in named for c, g in zip(
        rest["characteristic"], rest["category"], strict=True)]]
    if len(rest):
        parts, needs = [], []
        for _, r in rest.iterrows():
            if r["characteristic"] == "cin":
                code, _, label = r["category"].partition(" ")
                needs.append(f"{label} ({code}, {nv.ratio(r[f'ratio_{group}'])})")
            else:
                parts.append(f"{r['phrase']} ({nv.ratio(r[f'ratio_{group}'])})")
        if needs:
            parts.append("children whose category of need was " + nv.plain_list(needs, "or"))
        lines.append(f"Also under-represented among {_who(group)} (ratio under "
                     f"{UNDER_RATIO}): {nv.plain_list(parts)}.")
    lines += unknown_sentences(prof)
    return lines


def key_findings(prof: pd.DataFrame) -> str:
    """Section 1's opening: :func:`key_findings_lines` and how to read a ratio."""
    note = (f"A representation ratio is a group's share among children adopted divided by its "
            f"share among children looked after (or among those who entered care under five); "
            f"under 1 means fewer than its share. Groups are named when the ratio is under "
            f"{UNDER_RATIO} and at least {MIN_LOOKED_AFTER} children in the group were looked "
            "after.")
    return "**Key findings**\n\n" + nv.bullets(key_findings_lines(prof)) + "\n\n" + note


# -- section 1 ------------------------------------------------------------------------------

def profile_chart(prof: pd.DataFrame, characteristics: Sequence[str], headings: dict[str, str],
                  source: str = DEFAULT_SOURCE, *,
        title: str = (
            "Children placed for adoption against all children looked after"),
) -> Figure:
    """Side-by-side distributions (% of each group) for a few characteristics: looked after,
    with an ADM decision, adopted. ``prof`` is ``children.profile``."""
    apply_style()
    chars = list(characteristics)
    ncols = 2
    nrows = int(np.ceil(len(chars) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(9, 3.0 * nrows), squeeze=False)
    labels = {"looked_after": "Looked after", "decision": "ADM decision", "adopted": "Adopted"}
    for ax, char in zip(axes.flat, chars, strict=False):
        t = prof.loc[prof["characteristic"].eq(char)].reset_index(drop=True)
        y = np.arange(len(t))
        h = 0.26
        for k, (g, name) in enumerate(labels.items()):
            vals = t[f"{g}_pct"].astype("float64").fillna(0)
            ax.barh(y + (k - 1) * h, vals, height=h, color=GROUP_COLOURS[g], label=name)
        ax.set_yticks(y, [str(c)[:28] if char == "cin" else str(c)[:28].capitalize()
                          for c in t["category"]])
        ax.invert_yaxis()
        ax.set_title(headings.get(char, char), fontsize=10)
        ax.set_xlabel("% of the group's children")
    for ax in list(axes.flat)[len(chars):]:
        ax.set_visible(False)
    axes[0, 0].legend(loc="lower right", fontsize=9)
    note = ("Children looked after have no ADM decision: age at the decision compares the other "
            "two groups only." if "age_band_adm" in chars else "")
    fig = finish(fig, title, source, note=note)
    return describe(fig, profile_alt(prof, chars, headings))


def profile_alt(prof: pd.DataFrame, characteristics: Sequence[str],
                headings: dict[str, str]) -> str:
    """The message of the profile chart: the largest gap between children adopted and children
    looked after, then each characteristic's shares."""
    rows = prof.loc[prof["characteristic"].isin(list(characteristics))].copy()
    rows["gap"] = (rows["adopted_pct"].astype("float64")
                   - rows["looked_after_pct"].astype("float64"))
    parts = []
    for char in characteristics:
        t = rows.loc[rows["characteristic"].eq(char)]
        bits = []
        for _, r in t.iterrows():
            shares = [f"{name} {nv.pct_of(r[f'{g}_pct'], r[f'{g}_n'])}" for g, name in
                      (("looked_after", "looked after"), ("adopted", "adopted"))
                      if pd.notna(r[f"{g}_pct"])]
            if shares:
                bits.append(f"{r['category']} ({', '.join(shares)})")
        if bits:
            parts.append(f"{headings.get(char, char)}: {'; '.join(bits)}")
    known = rows.dropna(subset=["gap"])
    lead = "Children placed for adoption against all children looked after"
    if len(known):
        r = known.loc[known["gap"].abs().idxmax()]
        lead += (f": the largest difference is {headings.get(r['characteristic'], '')} "
                 f"{r['category']}, {nv.pct_of(r['adopted_pct'], r['adopted_n'])} of children "
                 f"adopted against {nv.pct_of(r['looked_after_pct'], r['looked_after_n'])} of "
                 "children looked after").replace("  ", " ")
    return f"{lead}. " + ". ".join(parts) + "."
