"""A regional adoption agency's members side by side (``docs/methodology.md``, "A regional
adoption agency: pooling and its members").

An RAA's report is every section over its members' children put together (``derive.pooling``:
a child is the member and the member's id). This module says how each member stands within it:

- **Members side by side**: each headline measure of a child section (``headlines(...)`` of
  sections 1 to 4, and section 0's findings) computed over one member's children alone, by the
  same definition and against the same benchmark (the RAA's params), with the count it rests on,
  the member's rating and its **quarter of the RAA**: the member's figure below the lower
  quartile of the members' figures (``lowest quarter``), above the upper (``highest quarter``)
  or between (``middle half``), with pandas' linear quartiles as a batch's index. A count
  (children waiting 18 months, children among the longest journeys) is not put in a quarter:
  members differ in size. A figure no member has, or only one, has no quarter.
- **Where a finding is concentrated**: for a finding of the RAA, each member's share of the
  finding's reach (the children it touches: those over the benchmark, or short of it) against
  its share of the count the finding rests on. A member whose share of the reach is larger by
  :data:`CONCENTRATED` percentage points or more drives the finding; a finding no member drives
  so is spread across the members in proportion to their size.
- **Sufficiency across the RAA**: children with a placement order waiting in each member, by
  age band now and sibling group, against the RAA's approved households waiting.
- **Interagency placements**: each member's children placed for adoption in the period with
  another agency's adopters, from the 903: the adoptive placement's PLACE_PROVIDER, PR2 (other
  LA provision: another LA's or RAA's adopters) or PR5 (voluntary/third sector: a voluntary
  adoption agency's), each with the interagency fee of the year it began (the LA/RAA fee,
  London's for a member in London; the voluntary agencies' fee where it is confirmed for the
  year, else none).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from diagnostic_kit.derive.journeys import financial_year
from diagnostic_kit.derive.pooling import CHILD_COLUMNS, member_of
from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import adopters as ad
from diagnostic_kit.measures import children as ch
from diagnostic_kit.measures import extremes as ex
from diagnostic_kit.measures import resources as rs
from diagnostic_kit.measures import summary as sm
from diagnostic_kit.measures import timescales as ts
from diagnostic_kit.measures import under_fives as uf
from diagnostic_kit.measures import waiting as wt
from diagnostic_kit.measures.cohorts import adopted, in_period
from diagnostic_kit.measures.headline import Headline, needs_attention, rank, shortfall

#: The key of the RAA's own row (all members' children together) in :func:`table`.
ALL = "all"
#: Percentage points by which a member's share of a finding's reach must exceed its share of
#: the count the finding rests on for the member to be named as driving it.
CONCENTRATED = 10.0
#: Columns of :func:`table`.
COLUMNS = ["key", "section", "label", "member", "name", "tag", "value", "unit", "statistic",
           "n", "noun", "rating", "better", "benchmark", "reach", "position"]
#: The quarters of the RAA.
LOWEST, MIDDLE, HIGHEST = "lowest quarter", "middle half", "highest quarter"

Found = dict[str, list[Headline]]
#: Section 3's key (its measures module declares no findings of its own).
EXTREMES = "03_shortest_longest"


# -- one member's rows ---------------------------------------------------------------------------

def only(frame: pd.DataFrame | None, member: str) -> pd.DataFrame | None:
    """The rows of ``frame`` that are ``member``'s children (its ``child`` or ``CHILD``
    column); a frame with no child column (an RAA's own extract) as it is."""
    if frame is None:
        return None
    col = next((c for c in CHILD_COLUMNS if c in frame.columns), None)
    if col is None:
        return frame
    return frame.loc[member_of(frame[col]).eq(member).fillna(False).to_numpy()]


def by_member(members: pd.DataFrame, compute: Callable[..., list[Headline]],
              pooled: list[Headline] | None = None, **frames: pd.DataFrame | None) -> Found:
    """``compute(**frames)`` over all members' children (:data:`ALL`; ``pooled`` when the
    caller has it already) and over each member's alone, by member key."""
    out: Found = {ALL: pooled if pooled is not None else compute(**frames)}
    for key in members["member"]:
        out[key] = compute(**{k: only(f, key) for k, f in frames.items()})
    return out


def positions(values: pd.Series) -> pd.Series:
    """Each figure's quarter among ``values`` (see the module): NaN figures, and all of them
    when fewer than two have a figure, get ``""``."""
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    known = v.dropna()
    out = pd.Series("", index=v.index, dtype=object)
    if len(known) < 2:
        return out
    q1, q3 = known.quantile(0.25), known.quantile(0.75)
    out[v.lt(q1)] = LOWEST
    out[v.gt(q3)] = HIGHEST
    out[v.between(q1, q3)] = MIDDLE
    return out


def table(found: Found, members: pd.DataFrame, keys: Iterable[str] | None = None
          ) -> pd.DataFrame:
    """One row per headline measure and member (the RAA's own row first, as
    :data:`ALL`), in the order of the RAA's headlines (or of ``keys``): the member's figure,
    the count it rests on, its rating and reach, and its quarter of the RAA (:func:`positions`,
    among the members' figures; none for a count)."""
    names = dict(zip(members["member"], members["name"], strict=True))
    tags = dict(zip(members["member"], members["tag"], strict=True))
    order = list(keys) if keys is not None else [h.key for h in found[ALL]]
    rows = []
    for key in order:
        for member in [ALL, *members["member"]]:
            h = next((x for x in found.get(member, []) if x.key == key), None)
            if h is None:
                continue
            rows.append({"key": key, "section": h.section, "label": h.label, "member": member,
                         "name": names.get(member, ""), "tag": tags.get(member, ""),
                         "value": h.value, "unit": h.unit, "statistic": h.statistic,
                         "n": int(h.n), "noun": h.noun,
                         "rating": h.rating, "better": h.better, "benchmark": h.benchmark,
                         "reach": int(h.reach)})
    out = pd.DataFrame(rows, columns=COLUMNS[:-1])
    out["position"] = ""
    for _, g in out.loc[out["member"].ne(ALL)].groupby("key", sort=False):
        if g["statistic"].iloc[0] == "count":
            continue
        value = g["value"].where(g["n"].gt(0))
        out.loc[g.index, "position"] = positions(value)
    return out


# -- each child section --------------------------------------------------------------------------

def _group_headline(prof: pd.DataFrame, char: str, category: str, under5: bool,
                    key: str) -> Headline | None:
    """One group's representation among children adopted, as section 1's headline says it
    (``children.headlines``), for the group the RAA's headline names (so every member is read
    on the same group and base)."""
    rows = prof.loc[prof["characteristic"].eq(char) & prof["category"].eq(category)]
    total = int(prof.loc[prof["characteristic"].eq(char), "adopted_n"].fillna(0).sum())
    if rows.empty:
        return None
    r = rows.iloc[0]
    ratio = r["ratio_adopted_under5"] if under5 else r["ratio_adopted"]
    share_base = r[f"{ch.UNDER5}_pct"] if under5 else r["looked_after_pct"]
    value = None if pd.isna(ratio) else float(ratio)
    return Headline(
        key=key, section=ch.KEY, label=f"{r['heading']}: {r['category']}", value=value,
        unit="ratio", n=total, statistic="ratio", benchmark=ch.UNDER_RATIO,
        benchmark_label=f"the kit's rule for under-representation (a ratio under "
        f"{ch.UNDER_RATIO})", benchmark_kind="rule", better="higher",
        reach=shortfall(int(r["adopted_n"] or 0), total, float(share_base))
        if total and not pd.isna(share_base) else 0)


def _groups_of(prof: pd.DataFrame) -> list[tuple[str, str, bool, str]]:
    """The groups section 1 weighs (``children.priority_rows``), with their base (against the
    children who entered care under five where that is known) and their key."""
    rows = ch.priority_rows(prof)
    return [(r["characteristic"], r["category"], not pd.isna(r["ratio_adopted_under5"]),
             f"ratio_{r['characteristic']}_{r['category']}") for _, r in rows.iterrows()]


def children_by_member(looked_after: pd.DataFrame, journeys: pd.DataFrame, params: Params,
                       members: pd.DataFrame) -> Found:
    """Section 1 by member: the representation among children adopted of each group that
    section 1 weighs in the RAA's children (``children.priority_rows``: each ethnic group
    under-represented, disabled children, children who entered care aged 5-9, sibling groups),
    each member read on the RAA's groups, against the rule of a ratio under 0.8."""
    groups = _groups_of(ch.profile(looked_after, journeys, params))

    def compute(looked_after: pd.DataFrame, journeys: pd.DataFrame) -> list[Headline]:
        prof = ch.profile(looked_after, journeys, params)
        found = [_group_headline(prof, c, cat, u5, key) for c, cat, u5, key in groups]
        return [h for h in found if h is not None]

    return by_member(members, compute, looked_after=looked_after, journeys=journeys)


def _under_represented(pooled: list[Headline]) -> Callable[..., list[Headline]]:
    """Section 1's summary finding (the RAA's most under-represented group) for a member."""
    h = next(iter(pooled), None)

    def compute(looked_after: pd.DataFrame, journeys: pd.DataFrame, params: Params) -> list:
        if h is None:
            return []
        row = h.detail.get("row", {})
        mine = _group_headline(ch.profile(looked_after, journeys, params),
                               row.get("characteristic", ""), row.get("category", ""),
                               bool(h.detail.get("under5")), h.key)
        return [mine] if mine is not None else []

    return compute


def _timescales(journeys: pd.DataFrame, periods: pd.DataFrame, plans: pd.DataFrame | None,
                params: Params) -> list[Headline]:
    """Section 2's findings (``timescales.headlines`` and ``waiting.headlines``)."""
    w = wt.analyse(journeys, params, plans, periods, origins=("adm",), by_year=())
    return ts.headlines(journeys, params) + wt.headlines(w, journeys, params)


def timescales_by_member(journeys: pd.DataFrame, periods: pd.DataFrame,
                         plans: pd.DataFrame | None, params: Params,
                         members: pd.DataFrame) -> Found:
    """Section 2 by member: A10, A1, A2, A3, each stage's median, early permanence, the share
    placed within 12 months of the ADM decision and the children with a placement order
    waiting 18 months or more."""
    return by_member(members, lambda **f: _timescales(**f, params=params),
                     journeys=journeys, periods=periods, plans=plans)


def _extremes(journeys: pd.DataFrame, params: Params, shortest: set[str],
              longest: set[str]) -> list[Headline]:
    done = adopted(journeys, params)
    days = done["entry_to_ao_days"].astype("float64").dropna()
    kids = done.loc[days.index, "child"]
    common = {"section": EXTREMES, "n": int(len(days)), "noun": "children"}
    return [
        Headline(key="entry_to_ao_median", label="care entry to adoption order (median days)",
                 value=float(days.median()) if len(days) else None, unit="days",
                 statistic="median", **common),
        Headline(key="in_shortest", label="children among the RAA's shortest journeys",
                 value=float(kids.isin(shortest).sum()), unit="count", statistic="count",
                 **common),
        Headline(key="in_longest", label="children among the RAA's longest journeys",
                 value=float(kids.isin(longest).sum()), unit="count", statistic="count",
                 **common)]


def extremes_by_member(journeys: pd.DataFrame, params: Params, members: pd.DataFrame) -> Found:
    """Section 3 by member: the median days from care entry to the adoption order of its
    children adopted in the period, and how many of the RAA's shortest and longest journeys
    (``extremes.select`` over all the members' children) are its children's."""
    sel = ex.select(journeys, params)
    done = adopted(journeys, params)
    by_name = dict(zip(done["pseudonym"], done["child"], strict=False))
    shortest = {by_name[p] for p in sel.shortest["pseudonym"] if p in by_name}
    longest = {by_name[p] for p in sel.longest["pseudonym"] if p in by_name}
    return by_member(members, lambda journeys: _extremes(journeys, params, shortest, longest),
                     journeys=journeys)


def under_fives_by_member(periods: pd.DataFrame, header: pd.DataFrame, kids: pd.DataFrame,
                          params: Params, members: pd.DataFrame,
                          windows: pd.DataFrame | None = None, plans_given: bool = True,
                          pooled: list[Headline] | None = None) -> Found:
    """Section 4 by member: ``under_fives.headlines`` over each member's under-fives (the
    cohorts of every entry year pooled), from the children followed once for the RAA
    (``kids``: ``under_fives.children_over_two_years``)."""
    return by_member(
        members, lambda **f: uf.headlines(**f, params=params, windows=windows,
                                          plans_given=plans_given),
        pooled=pooled, periods=periods, header=header, kids=kids)


#: The sections whose findings rest on the members' children (the rest are the RAA's own).
CHILD_SECTIONS = (ch.KEY, ts.KEY, EXTREMES, uf.KEY)


def summary_by_member(found: list[Headline], journeys: pd.DataFrame, periods: pd.DataFrame,
                      looked_after: pd.DataFrame, plans: pd.DataFrame | None, params: Params,
                      members: pd.DataFrame, under_fives: Found | None = None) -> Found:
    """Section 0 by member: every finding of the RAA's (``found``, ``summary.findings``) that
    rests on the members' children (sections 1, 2 and 4), each computed over each member's
    children alone: the RAA's most under-represented group, the scorecard, stages, early
    permanence, the England comparisons, the children still waiting, and (``under_fives``,
    :func:`under_fives_by_member`) the under-fives."""
    pooled = [h for h in found if h.section in CHILD_SECTIONS]
    group = _under_represented([h for h in pooled if h.section == ch.KEY])

    def compute(journeys: pd.DataFrame, periods: pd.DataFrame, looked_after: pd.DataFrame,
                plans: pd.DataFrame | None) -> list[Headline]:
        head = sm.headlines(journeys, periods, params)
        return (group(looked_after, journeys, params) + _timescales(journeys, periods, plans,
                                                                    params)
                + sm.england_headlines(head))

    out = by_member(members, compute, pooled=pooled, journeys=journeys, periods=periods,
                    looked_after=looked_after, plans=plans)
    if under_fives is not None:
        for key in members["member"]:
            out[key] = out[key] + under_fives.get(key, [])
    return out


# -- where a finding is concentrated -------------------------------------------------------------

def concentration(found: list[Headline], by_member_found: Found, members: pd.DataFrame
                  ) -> pd.DataFrame:
    """For each of ``found`` (the RAA's findings, e.g. those needing attention) with a reach,
    each member's share of the reach and of the count it rests on (of the members' sums), and
    whether it drives the finding (its share of the reach larger by :data:`CONCENTRATED`
    points or more). Columns ``key, label, noun, member, name, reach, n, reach_pct, n_pct,
    drives``; one row per finding and member, members that drive it first, largest share of
    the reach first."""
    names = dict(zip(members["member"], members["name"], strict=True))
    rows = []
    for h in found:
        mine = {m: next((x for x in by_member_found.get(m, []) if x.key == h.key), None)
                for m in members["member"]}
        reach = {m: (x.reach if x is not None else 0) for m, x in mine.items()}
        n = {m: (x.n if x is not None else 0) for m, x in mine.items()}
        total_reach, total_n = sum(reach.values()), sum(n.values())
        if not total_reach or not total_n:
            continue
        for m in members["member"]:
            rp, npct = 100 * reach[m] / total_reach, 100 * n[m] / total_n
            rows.append({"key": h.key, "label": h.label, "noun": h.noun, "member": m,
                         "name": names[m], "reach": reach[m], "n": n[m], "reach_pct": rp,
                         "n_pct": npct, "drives": rp - npct >= CONCENTRATED - 1e-9})
    out = pd.DataFrame(rows, columns=["key", "label", "noun", "member", "name", "reach", "n",
                                      "reach_pct", "n_pct", "drives"])
    if out.empty:
        return out
    order = {h.key: i for i, h in enumerate(found)}
    out["_k"] = out["key"].map(order)
    out = out.sort_values(["_k", "drives", "reach_pct"], ascending=[True, False, False],
                          kind="stable")
    return out.drop(columns="_k").reset_index(drop=True)


# -- sufficiency across the RAA ------------------------------------------------------------------

def sufficiency_by_member(h: pd.DataFrame, journeys: pd.DataFrame, params: Params,
                          members: pd.DataFrame) -> pd.DataFrame:
    """Children with a placement order waiting at the reference date in each member, by age
    band now and sibling group (``adopters.sufficiency`` over each member's children), beside
    the RAA's approved households waiting to be matched (in total, couples, single adopters,
    approved for fostering for adoption) and the children waiting per approved household.
    Columns ``group, kind`` (children, households or ratio), then one per member key, then
    :data:`ALL`."""
    pooled = ad.sufficiency(h, journeys, params)
    out = pooled[["group", "kind"]].copy()
    for key in members["member"]:
        mine = ad.sufficiency(h, only(journeys, key), params)
        out[key] = mine["count"].where(mine["kind"].eq("children")).to_numpy()
    out[ALL] = pooled["count"].to_numpy()
    kids = float(pooled.loc[pooled["kind"].eq("children"), "count"].iloc[0])
    homes = float(pooled.loc[pooled["kind"].eq("households"), "count"].iloc[0])
    ratio = {"group": "Children with a placement order waiting per approved household waiting",
             "kind": "ratio", **dict.fromkeys(members["member"], np.nan),
             ALL: kids / homes if homes else np.nan}
    return pd.concat([out, pd.DataFrame([ratio])], ignore_index=True)


# -- interagency placements ----------------------------------------------------------------------

#: The adoptive placement's provider (903 PLACE_PROVIDER) that makes it an interagency
#: placement, and the fee it costs.
INTERAGENCY = {"PR2": "another LA or RAA", "PR5": "a voluntary adoption agency"}


def placements_by_provider(episodes: pd.DataFrame, journeys: pd.DataFrame,
                           params: Params) -> pd.DataFrame:
    """Children placed for adoption in each financial year of the period (the placements
    ``resources.placements`` counts: a run of A3-A6 episodes, or a new carer in one), with the
    provider of the episode the placement began with: ``child, member, financial_year,
    placement_date, provider`` (PLACE_PROVIDER; blank when not recorded)."""
    ref = pd.Timestamp(params.reference_date)
    pl = rs.placements(episodes, journeys, ref)
    pl = pl.loc[in_period(pl["placement_date"], params)]
    ep = episodes.loc[episodes["PLACE"].isin(codes.PLACE_ADOPTION).fillna(False).astype(bool),
                      ["CHILD", "DECOM", "PLACE_PROVIDER"]].drop_duplicates(["CHILD", "DECOM"])
    out = pl.merge(ep, left_on=["child", "placement_date"], right_on=["CHILD", "DECOM"],
                   how="left")
    return pd.DataFrame({
        "child": out["child"].astype("string"),
        "member": member_of(out["child"]).to_numpy(),
        "financial_year": out["financial_year"].astype(str),
        "placement_date": out["placement_date"],
        "provider": out["PLACE_PROVIDER"].astype("string").fillna("")})


def interagency_placements(episodes: pd.DataFrame, journeys: pd.DataFrame, params: Params,
                           members: pd.DataFrame) -> pd.DataFrame:
    """Per member (then :data:`ALL`): children placed for adoption in the period
    (:func:`placements_by_provider`), those placed with another LA's or RAA's adopters (PR2)
    and the LA/RAA fees they cost (each the fee of the year it began; London's for a member
    whose params give London as its region), those placed with a voluntary adoption agency's
    adopters (PR5) and the fees where the voluntary agencies' fee is confirmed for the year
    (``vaa_not_confirmed`` counts the placements of years whose fee is not), and the placements
    whose provider is not recorded. Columns ``member, name, placed, la_raa, la_raa_fees, vaa,
    vaa_fees, vaa_not_confirmed, not_recorded, fees`` (fees: the two together, where known)."""
    pl = placements_by_provider(episodes, journeys, params)
    region = dict(zip(members["member"], members["region"], strict=True))
    fees = params.costs
    la_fee = [
        (fees.interagency_fee_la_london if str(region.get(m, "")).strip().lower() == "london"
         else fees.interagency_fee_la).value_for(y)
        for m, y in zip(pl["member"], pl["financial_year"], strict=True)]
    vaa_fee = [fees.interagency_fee_vaa.value_for(y) for y in pl["financial_year"]]
    pl = pl.assign(la_fee=pd.array(la_fee, dtype="Float64"),
                   vaa_fee=pd.array(vaa_fee, dtype="Float64"))

    def row(p: pd.DataFrame, member: str, name: str) -> dict:
        la_ = p.loc[p["provider"].eq("PR2")]
        vaa = p.loc[p["provider"].eq("PR5")]
        la_fees = float(la_["la_fee"].sum()) if la_["la_fee"].notna().all() else np.nan
        # Over the placements of years whose fee is confirmed (none such: no figure).
        vaa_fees = float(vaa["vaa_fee"].sum()) if vaa["vaa_fee"].notna().any() else np.nan
        return {"member": member, "name": name, "placed": int(p["child"].nunique()),
                "la_raa": len(la_), "la_raa_fees": la_fees, "vaa": len(vaa),
                "vaa_fees": vaa_fees, "vaa_not_confirmed": int(vaa["vaa_fee"].isna().sum()),
                "not_recorded": int(p["provider"].eq("").sum()),
                "fees": np.nan if pd.isna(la_fees) else la_fees + (
                    0.0 if pd.isna(vaa_fees) else vaa_fees)}

    rows = [row(pl.loc[pl["member"].eq(m)], m, n)
            for m, n in zip(members["member"], members["name"], strict=True)]
    rows.append(row(pl, ALL, ""))
    return pd.DataFrame(rows)


def interagency_fees_paid(costs: pd.DataFrame | None, params: Params) -> float | None:
    """The interagency fees paid in the RAA's costs file (``interagency_fees_paid`` rows, not
    income) over the financial years of the period; None without a costs file or such rows."""
    if costs is None or not len(costs):
        return None
    years = set(financial_year(pd.Series(pd.date_range(
        pd.Timestamp(params.period_start), pd.Timestamp(params.reference_date),
        freq="MS"))).astype(str))
    paid = costs.loc[costs["category"].astype("string").eq("interagency_fees_paid")
                     & costs["financial_year"].astype(str).isin(years)
                     & ~rs.is_income(costs)]
    return float(paid["amount"].sum()) if len(paid) else None


def needing_attention(found: list[Headline]) -> list[Headline]:
    """The RAA's findings that need attention (red or amber, most important first, as section
    0 ranks them) among those that rest on the members' children."""
    return [h for h in rank(needs_attention(found)) if h.section in CHILD_SECTIONS]


# -- each member's data quality ------------------------------------------------------------------

def data_quality_by_member(dq: object, members: pd.DataFrame, raa_name: str) -> pd.DataFrame:
    """Per member (then the RAA's own extracts): input files, rows read, used and excluded, and
    validation findings, from the RAA's data quality (each record carries its ``member``).
    Columns ``member, files, rows_read, rows_used, rows_excluded, findings``."""
    acc = dq.accounting  # type: ignore[attr-defined]
    f = dq.findings  # type: ignore[attr-defined]
    rows = []
    for name in [*members["name"], raa_name]:
        a = acc.loc[acc["member"].eq(name)] if "member" in acc else acc.iloc[:0]
        rows.append({"member": name, "files": int(a["file"].nunique()),
                     "rows_read": int(a["rows_read"].sum()),
                     "rows_used": int(a["rows_used"].sum()),
                     "rows_excluded": int(a["rows_excluded"].sum()),
                     "findings": int(f["member"].eq(name).sum()) if "member" in f else 0})
    return pd.DataFrame(rows)
