"""A regional adoption agency's members in words and tables (``measures.raa``): who the members
are, each member's figures side by side, the members a finding is concentrated in, sufficiency
across the RAA and the interagency placements per member.

Every count goes through the narrative's suppression (``narrative.count``): with
``suppress_below`` set, a member's count under it is shown as ``<5``, and a member's figure,
rating and quarter that rest on such a count are not shown.
"""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import raa
from diagnostic_kit.measures.headline import Headline
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.timescales import STAGE_LABELS
from diagnostic_kit.registry import table_anchor

#: Each headline measure as a members table names it (the unit it is given in, in brackets).
LABELS = {
    "a10": "A10: care entry to moving in, foster-carer adoptions from moving in with the carers "
           "(mean days)",
    "a1": "A1: care entry to moving in with the adoptive family (mean days)",
    "a2": "A2: placement order to match (mean days)",
    "a3": "A3: moved in within the A3 threshold (% of children adopted)",
    "early_permanence": "Early permanence (% of children adopted)",
    "placed_within_12_months_of_adm": "Placed within 12 months of the ADM decision, counting "
                                      "those still waiting (%)",
    "po_waiting_18m": "Placement order, not placed 18 months or more after it (children)",
    "adopted_share_of_leavers": "Children leaving care who left through adoption, latest "
                                "year (%)",
    "entry_to_ao": "Care entry to adoption order, latest year (mean days)",
    "entry_to_ao_median": "Care entry to adoption order (median days)",
    "in_shortest": "Among the RAA's shortest journeys (children)",
    "in_longest": "Among the RAA's longest journeys (children)",
    "under5_three_plus_placements": "Under-fives looked after two years on: 3 or more "
                                    "placements (%)",
    "under5_c1_v2_at_two_years": "Under-fives on an interim care order (C1) or s20 (V2) at two "
                                 "years (children)",
    "under5_drift_list": "Under-fives on the drift list (children)",
}
#: The RAA's own row in a members table.
ALL_LABEL = "All members"
#: A member's quarter of the RAA, said with which way is better.
_QUARTER = {("lowest quarter", "lower"): "lowest quarter (best)",
            ("highest quarter", "lower"): "highest quarter (worst)",
            ("lowest quarter", "higher"): "lowest quarter (worst)",
            ("highest quarter", "higher"): "highest quarter (best)"}


def member_label(tag: str, name: str) -> str:
    """A member as the RAA's report names it: its pseudonyms' tag and its name."""
    return f"{tag} {name}"


def measure_label(key: str, label: str) -> str:
    """A headline measure in words: :data:`LABELS`, a stage by its name, a group's
    representation ratio by its group."""
    if key in LABELS:
        return LABELS[key]
    if key.startswith("stage_"):
        return f"{STAGE_LABELS.get(key[len('stage_'):], key)} (median days)"
    if key.startswith("ratio_") or key == "under_represented":
        return f"{label}: representation among children adopted (ratio)"
    return label[:1].upper() + label[1:]


def members_intro(members: pd.DataFrame, params: Params) -> str:
    """Who the RAA's members are, and how their children are named in the report."""
    names = [member_label(t, nv.escape(n)) for t, n in zip(members["tag"], members["name"],
                                                          strict=True)]
    first = members.iloc[0]
    return (f"**{nv.escape(params.la_name)}** is a regional adoption agency of "
            f"{len(members)} member local authorities: {nv.plain_list(names)}. This report "
            "puts all their children together: each measure counts every member's children "
            "as one group (a child is the member LA and its own child id together), never an "
            "average of the members' figures. Each section on the children then sets the "
            "members side by side. A child is shown by a pseudonym that begins with their "
            f"member's tag (one beginning {first['tag']}- is a child of "
            f"{nv.escape(first['name'])}); each member's key to its own children's pseudonyms "
            "is kept apart, for that member alone.")


MEMBERS_NOTE = (
    "Each member's figure is the measure over that member's children alone, by the same "
    "definition and against the same benchmark as the RAA's. The quarter is of the members' "
    "figures (below the lower quartile, above the upper, or between; with the best and worst "
    "end named); a count of children is not put in a quarter, as members differ in size.")


def members_note(params: Params) -> str:
    """The note under a members table: what each column is, and the suppression."""
    k = params.suppress_below
    return MEMBERS_NOTE + (f" A member's figure, rating and quarter resting on fewer than {k} "
                           "children are not shown." if k else "")


def _figure(value: float | None, unit: str) -> str:
    if unit == "days":
        return nv.days(value)
    if unit == "pct":
        return nv.pct(value)
    if unit == "ratio":
        return nv.ratio(value)
    if unit == "pounds":
        return nv.money(value)
    return nv.count(value)


def display_members(t: pd.DataFrame) -> pd.DataFrame:
    """A members table (``measures.raa.table``) as the report shows it: ``Measure, Member,
    Figure, Children, Rating, Quarter of the RAA``, the RAA's own row first for each measure
    (the measure named on it alone, its members' rows below it).
    Under suppression a member's figure, rating and quarter resting on a suppressed count are
    "–" (the count itself is suppressed by the section's table)."""
    hidden = t["n"].map(nv.suppressed) & t["member"].ne(raa.ALL)
    figure = [_figure(v, u) for v, u in zip(t["value"], t["unit"], strict=True)]
    quarter = [_QUARTER.get((q, b), q) if q else "–"
               for q, b in zip(t["position"], t["better"], strict=True)]
    # The measure is named once, on the RAA's own row: its members' rows follow it.
    first = ~t["key"].duplicated()
    out = pd.DataFrame({
        "Measure": [measure_label(k, lb) if f else ""
                    for k, lb, f in zip(t["key"], t["label"], first, strict=True)],
        "Member": [ALL_LABEL if m == raa.ALL else member_label(tag, name)
                   for m, tag, name in zip(t["member"], t["tag"], t["name"], strict=True)],
        "Figure": pd.Series(figure, index=t.index).where(~hidden, "–"),
        "Children": t["n"].astype("int64"),
        "Rating": t["rating"].where(~hidden, "–"),
        "Quarter of the RAA": pd.Series(quarter, index=t.index).where(~hidden, "–"),
    })
    return out.reset_index(drop=True)


def concentration_sentences(found: list[Headline], conc: pd.DataFrame,
                            members: pd.DataFrame) -> list[str]:
    """The members each finding (``found``, in its order) is concentrated in
    (``measures.raa.concentration``), one sentence per finding, each member with its share of
    the children the finding touches and of those it rests on; then one sentence naming the
    findings spread across the members in proportion to their size."""
    tags = dict(zip(members["member"], members["tag"], strict=True))
    out, spread = [], []
    for h in found:
        rows = conc.loc[conc["key"].eq(h.key)]
        if rows.empty:
            continue
        name = f"**{measure_label(h.key, h.label)}** {nv.rag_badge(h.rating)}"
        drivers = rows.loc[rows["drives"].astype(bool)]
        if drivers.empty:
            spread.append(f"{measure_label(h.key, h.label)} {nv.rag_badge(h.rating)}")
            continue
        parts = []
        for r in drivers.itertuples(index=False):
            who = member_label(tags[r.member], nv.escape(r.name))
            if nv.suppressed(r.reach) or nv.suppressed(r.n):
                parts.append(who)
            else:
                parts.append(f"{who} ({nv.pct(r.reach_pct)} of the {h.noun} it touches, "
                             f"{nv.pct(r.n_pct)} of the {h.noun} it rests on)")
        out.append(f"{name}: concentrated in {nv.plain_list(parts)}.")
    if spread:
        out.append("Spread across the members in proportion to their size: "
                   f"{nv.plain_list(spread)}.")
    return out


def concentration_intro() -> str:
    return ("For each finding on the members' children that needs attention, the members that "
            "drive it: a member whose share of the children the finding touches (those over "
            f"the benchmark, or short of it) is at least {raa.CONCENTRATED:.0f} percentage "
            "points larger than its share of the children the finding rests on.")


def members_markdown(members: pd.DataFrame, params: Params, needing: list[Headline],
                     conc: pd.DataFrame) -> str:
    """Section 0's account of the members: who they are (:func:`members_intro`) and which of
    them drive each finding that needs attention (:func:`concentration_sentences`)."""
    lines = concentration_sentences(needing, conc, members)
    table = table_anchor("00_summary", MEMBERS_TABLE)
    return ("## The members of the RAA\n\n" + members_intro(members, params)
            + "\n\n**Which members drive the findings that need attention.** "
            + concentration_intro() + "\n\n"
            + (nv.bullets(lines) if lines else "No finding on the members' children is rated "
               "red or amber.")
            + f"\n\nEvery finding, member by member, is in the technical annex "
              f"([{MEMBERS_TABLE.lower()}]({table})).")


#: Section 0's table of every finding on the members' children, member by member.
MEMBERS_TABLE = "Headline findings by member"


# -- sufficiency ---------------------------------------------------------------------------------

def _member_columns(members: pd.DataFrame) -> dict[str, str]:
    return {m: member_label(t, n) for m, t, n in zip(members["member"], members["tag"],
                                                     members["name"], strict=True)}


def display_sufficiency(s: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``measures.raa.sufficiency_by_member`` as the report shows it: a row per group, a column
    per member and one for the RAA; households are the RAA's (no member column). The children
    waiting per household is said in :func:`sufficiency_sentence` (in a count column it would
    be taken for a small count and suppressed)."""
    cols = _member_columns(members)
    s = s.loc[s["kind"].ne("ratio")]
    out = pd.DataFrame({"Group": s["group"]})
    for m, label in cols.items():
        out[label] = [None if pd.isna(v) else int(v) for v in s[m]]
    out[ALL_LABEL] = [int(v) for v in s[raa.ALL]]
    for c in out.columns[1:]:
        out[c] = out[c].astype(object).where(out[c].notna(), "–")
    return out


def sufficiency_counts(members: pd.DataFrame) -> list[str]:
    """The count columns of :func:`display_sufficiency` (for suppression)."""
    return [*_member_columns(members).values(), ALL_LABEL]


def sufficiency_sentence(s: pd.DataFrame, members: pd.DataFrame) -> str:
    """The RAA's children with a placement order waiting, by member, against its approved
    households waiting."""
    cols = _member_columns(members)
    kids = s.loc[s["kind"].eq("children")].iloc[0]
    homes = s.loc[s["kind"].eq("households")].iloc[0]
    by = [f"{nv.count(kids[m])} in {cols[m]}" for m in cols]
    ratio = s.loc[s["kind"].eq("ratio"), raa.ALL].iloc[0]
    per = ("" if pd.isna(ratio) else
           f": {nv.ratio(ratio)} children waiting for each household waiting")
    return (f"Across the RAA, {nv.plural(int(kids[raa.ALL]), 'child', 'children')} with a "
            f"placement order {nv.verb(int(kids[raa.ALL]), 'was', 'were')} waiting for an "
            f"adoptive placement at the reference date ({nv.plain_list(by)}), and "
            f"{nv.plural(int(homes[raa.ALL]), 'approved household')} "
            f"{nv.verb(int(homes[raa.ALL]))} waiting to be matched{per}. Adopters' preferences "
            "(age, siblings, needs) are in neither the 903 nor the adopters template, so the "
            "two sides are compared by numbers only.")


# -- interagency placements ----------------------------------------------------------------------

INTERAGENCY_NOTE = (
    "An interagency placement here is an adoptive placement (PLACE A3–A6) whose 903 "
    "PLACE_PROVIDER is PR2 (other LA provision: another LA's or RAA's adopters) or PR5 "
    "(voluntary/third sector: a voluntary adoption agency's adopters), counted once per child "
    "and year as section 6 counts placements, in the year the placement began. Each costs the "
    "interagency fee of that year (params `costs`): the LA/RAA fee, or London's for a member "
    "whose region is London; the voluntary agencies' fee only in a year it is confirmed for. "
    "How a member records a placement with its own RAA's adopters (PR1 or PR2) decides "
    "whether it counts here: check it with the members before reading across.")


def display_interagency(ia: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``measures.raa.interagency_placements`` as the report shows it. Under suppression a fee
    that rests on a suppressed count is not shown (it would give the count away)."""
    cols = _member_columns(members)
    label = [ALL_LABEL if m == raa.ALL else cols[m] for m in ia["member"]]

    def fee(v: float, n: int) -> str:
        return "–" if nv.suppressed(n) else nv.money(v)

    return pd.DataFrame({
        "Member": label,
        "Children placed for adoption": ia["placed"].astype("int64"),
        "Placed with another LA's or RAA's adopters": ia["la_raa"].astype("int64"),
        "LA/RAA fees": [fee(v, n) for v, n in zip(ia["la_raa_fees"], ia["la_raa"],
                                                  strict=True)],
        "Placed with a voluntary agency's adopters": ia["vaa"].astype("int64"),
        "Voluntary agency fees (years with a confirmed fee)": [
            fee(v, n) for v, n in zip(ia["vaa_fees"], ia["vaa"], strict=True)],
        "Voluntary placements in years with no confirmed fee": ia["vaa_not_confirmed"].astype(
            "int64"),
        "Provider not recorded": ia["not_recorded"].astype("int64"),
    })


#: The count columns of :func:`display_interagency` (for suppression).
INTERAGENCY_COUNTS = ["Children placed for adoption", "Placed with another LA's or RAA's adopters",
                      "Placed with a voluntary agency's adopters",
                      "Voluntary placements in years with no confirmed fee",
                      "Provider not recorded"]


def interagency_sentence(ia: pd.DataFrame, paid: float | None) -> str:
    """The RAA's interagency placements and what they cost at the published fees, against the
    interagency fees paid in its costs file."""
    r = ia.loc[ia["member"].eq(raa.ALL)].iloc[0]
    n_ia = int(r["la_raa"] + r["vaa"])
    text = (f"In the period, {nv.count(n_ia)} of the "
            f"{nv.plural(int(r['placed']), 'child', 'children')} placed for adoption across "
            f"the members {nv.verb(n_ia)} placed with another agency's adopters: "
            f"{nv.count(int(r['la_raa']))} with another LA's or RAA's "
            f"({'' if nv.suppressed(r['la_raa']) else nv.money(r['la_raa_fees']) + ' '}at the "
            f"LA/RAA fee) and {nv.count(int(r['vaa']))} with a voluntary adoption agency's")
    if r["vaa"]:
        known = int(r["vaa"] - r["vaa_not_confirmed"])
        text += (f" ({'' if nv.suppressed(known) else nv.money(r['vaa_fees']) + ' for '}"
                 f"{nv.count(known)} in years whose fee is confirmed; the fee is not confirmed "
                 f"for the other {nv.count(int(r['vaa_not_confirmed']))})")
    text += "."
    if paid is not None:
        text += (f" The RAA's costs file records {nv.money(paid)} of interagency fees paid "
                 "over the same financial years.")
    return text


# -- data quality ------------------------------------------------------------------------------

def display_data_quality(d: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``measures.raa.data_quality_by_member`` as the report shows it: each member's files,
    rows and findings, then the RAA's own extracts."""
    label = dict(zip(members["name"], (member_label(t, n) for t, n in zip(
        members["tag"], members["name"], strict=True)), strict=True))
    return pd.DataFrame({
        "Member": [label.get(m, f"{m} (the RAA's own extracts)") for m in d["member"]],
        "Input files": d["files"], "Rows read": d["rows_read"], "Rows used": d["rows_used"],
        "Rows excluded": d["rows_excluded"], "Findings": d["findings"]})


DATA_QUALITY_NOTE = (
    "Each member's returns and extracts are read and checked on their own, as an LA's are; the "
    "tables above name each file under its member's folder (its params file's name), and "
    "data_quality.csv beside the report gives each record's member in its first column.")
