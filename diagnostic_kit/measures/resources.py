"""Section 6: resources. Unit costs of the adoption service by purpose, and productivity per FTE.

Definitions (``docs/methodology.md``, "Resources"). A date after the reference date has not yet
happened: placements, adoption orders and approvals after it are not counted (approvals through
``measures.adopters.as_known``, as section 5 does).

- **Financial year**: April to March, labelled ``2024-25`` (``derive.journeys.financial_year``).
- **Income**: cost rows with ``income`` = yes, and rows of category ``interagency_fees_received``
  whose ``income`` is blank; income counts against the purpose of its row. **Net cost** = costs
  − income.
- **Purpose** of each cost row (:func:`cost_lines`): ``placing`` children, ``recruiting`` and
  approving adopters, ``support`` after the order, ``overheads``: the row's ``purpose`` where the
  file gives one; else the category's default (``schema.DEFAULT_PURPOSE``); ``staff`` split by
  the staffing file's FTE of each team that year (``schema.TEAM_PURPOSE``); ``panel_adm`` split
  between placing and recruiting by the year's children placed and households approved (the
  panel's and ADM's business: matches and approvals); ``other``, and a row that cannot be split
  (no FTE for the year; no adopters file or no activity), ``unassigned``.
- **Apportionment** (:func:`by_purpose`): overheads and unassigned costs are shared among the
  three direct purposes pro rata to their net direct costs (a negative one counted as 0), so
  placing's **share** = placing ÷ (placing + recruiting + support), and its **total** = placing
  + share × (overheads + unassigned).
- **Children placed** in a year (:func:`placements`): distinct children with an adoptive
  placement starting in the year: the first episode of a run of consecutive PLACE A3–A6
  episodes in a period of care, or an A3–A6 episode with a new carer (RNE P or B) after one;
  an A3–A6 episode with the same carer (RNE L, T or U) continues the placement. Counted from
  the episodes, whether or not the period has an ADM decision (the children placed with no ADM
  decision recorded are counted beside). A child placed twice in a year counts once that year.
  **Adoption orders**: journeys whose adoption order (``ao_date``) falls in the year.
  **Households approved**: adopter households (``adopters.csv``) whose ``approval_date`` falls
  in the year.
- **Unit costs**: per child placed = placing total ÷ children placed; per household approved =
  recruiting total ÷ households approved; per adoption order = (placing + recruiting totals) ÷
  adoption orders (what it cost to make the adoptions, support after the order left out);
  support per adoption order = support total ÷ adoption orders. Not computed (missing) when the
  count is 0. **Sensitivity**: per child placed without placing's part of the overheads.
- **Interagency fees**: each year's cost per child placed is compared with the fee of the same
  financial year (``params.costs``, :class:`~diagnostic_kit.inputs.params.FeeByYear`); a year
  whose fee is not confirmed is compared with nothing.
- **FTE** of a year: the sum of ``staffing.csv`` FTE in the year (the whole service); the teams
  that do the work: ``family_finding`` for children placed, ``recruitment_assessment`` for
  households approved. **Productivity** = children placed (households approved) ÷ FTE.
- **The year measured** (``resources_year``): the latest financial year in the cost file that
  has ended by the reference date (a year still running is shown, never used for the headline).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from diagnostic_kit.derive.journeys import financial_year
from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.inputs.schema import (
    COST_PURPOSES,
    COSTS,
    DEFAULT_PURPOSE,
    STAFFING,
    TEAM_PURPOSE,
)
from diagnostic_kit.measures.adopters import as_known
from diagnostic_kit.measures.headline import Headline
from diagnostic_kit.registry import table_anchor

#: Cost categories of the template, in the order shown.
CATEGORIES: tuple[str, ...] = tuple(COSTS.column("category").allowed or ())
#: Cost categories that are income by nature.
INCOME_CATEGORIES = ("interagency_fees_received",)
#: The teams whose FTE does each piece of work.
TEAM_FOR = {"children_placed": "family_finding", "households_approved": "recruitment_assessment"}
TEAMS: tuple[str, ...] = tuple(STAFFING.column("team").allowed or ())
#: What a cost pays for, in the order shown; the first three are the direct purposes.
PURPOSES: tuple[str, ...] = tuple(COST_PURPOSES)
DIRECT: tuple[str, ...] = ("placing", "recruiting", "support")
#: Costs with no single purpose, apportioned like overheads.
UNASSIGNED = "unassigned"
#: How a cost line's purpose was decided (``cost_lines`` ``basis``).
BASIS = {
    "given": "given in the cost file",
    "category": "the category's default",
    "fte": "split by the staffing file's FTE of each team",
    "panel": "split by children placed and households approved",
    "none": "no single purpose: apportioned like overheads",
    "no_fte": "no staffing FTE for the year: apportioned like overheads",
    "no_activity": "no children placed or households approved to split by: apportioned like "
                   "overheads",
}
#: The interagency fees, in the order shown.
FEES: dict[str, str] = {
    "interagency_fee_la": "Interagency fee, LA or RAA placement",
    "interagency_fee_la_london": "Interagency fee, LA or RAA placement, London",
    "interagency_fee_vaa": "Interagency fee, voluntary adoption agency",
}
#: The title of the table of unit costs by year, whose anchor is the evidence for section 6's
#: headlines.
UNIT_COSTS_TABLE = "Unit costs by financial year"
EVIDENCE = table_anchor("06_resources", UNIT_COSTS_TABLE)


def year_end(fy: str) -> pd.Timestamp:
    """31 March ending a financial year: ``year_end("2024-25") == 2025-03-31``."""
    return pd.Timestamp(int(fy[:4]) + 1, 3, 31)


def is_income(costs: pd.DataFrame) -> pd.Series:
    """Whether each cost row is income (see the module docstring)."""
    flag = costs["income"].astype("boolean") if "income" in costs else pd.Series(
        pd.NA, index=costs.index, dtype="boolean")
    by_category = costs["category"].isin(INCOME_CATEGORIES)
    return flag.fillna(by_category).astype(bool)


def _usable(costs: pd.DataFrame) -> pd.DataFrame:
    c = costs.dropna(subset=["financial_year", "amount"]).copy()
    c["amount"] = c["amount"].astype("float64")
    c["financial_year"] = c["financial_year"].astype(str)
    return c


def cost_by_year(costs: pd.DataFrame) -> pd.DataFrame:
    """One row per financial year: ``gross``, ``income``, ``net`` (pounds)."""
    c = _usable(costs)
    inc = is_income(c)
    g = pd.DataFrame({
        "gross": c["amount"].where(~inc, 0.0),
        "income": c["amount"].where(inc, 0.0),
        "financial_year": c["financial_year"],
    }).groupby("financial_year").sum()
    g["net"] = g["gross"] - g["income"]
    return g[["gross", "income", "net"]].sort_index()


# -- activity ---------------------------------------------------------------------------

def placements(episodes: pd.DataFrame, journeys: pd.DataFrame,
               reference_date: Any) -> pd.DataFrame:
    """Children placed for adoption by financial year, from the episodes (module docstring):
    one row per child and year with ``child``, ``financial_year``, ``placement_date`` (the
    year's first placement start) and ``adm_decision`` (whether any placement that year is in
    a period of care with an ADM decision dated by the reference date)."""
    ref = pd.Timestamp(reference_date)
    cols = ["child", "financial_year", "placement_date", "adm_decision"]
    ep = episodes[["CHILD", "DECOM", "RNE", "PLACE", "period_id"]]
    # Chain order within each period; stable, so that same-day episodes keep their order.
    ep = ep.sort_values(["period_id", "DECOM"], kind="stable")
    adoptive = ep["PLACE"].isin(codes.PLACE_ADOPTION).fillna(False).astype(bool)
    after_adoptive = adoptive.groupby(ep["period_id"]).shift(1, fill_value=False).astype(bool)
    new_carer = ep["RNE"].isin(codes.RNE_CHANGE_OF_CARER).fillna(False).astype(bool)
    start = adoptive & (~after_adoptive | new_carer) & ep["DECOM"].le(ref)
    st = ep.loc[start, ["CHILD", "DECOM", "period_id"]]
    if st.empty:
        return pd.DataFrame(columns=cols)
    adm = journeys.set_index("period_id")["adm_date"] if len(journeys) else pd.Series(
        dtype="datetime64[ns]")
    adm = adm[adm.notna() & adm.le(ref)]
    st = st.assign(financial_year=financial_year(st["DECOM"]).astype(str),
                   adm_decision=st["period_id"].isin(adm.index))
    out = st.groupby(["CHILD", "financial_year"], sort=True).agg(
        placement_date=("DECOM", "min"), adm_decision=("adm_decision", "any")).reset_index()
    return out.rename(columns={"CHILD": "child"})[cols]


def activity_by_year(episodes: pd.DataFrame, journeys: pd.DataFrame,
                     adopters: pd.DataFrame | None, params: Params) -> pd.DataFrame:
    """Per financial year: ``children_placed`` (of whom ``placed_no_adm_decision`` have no
    ADM decision recorded), ``adoption_orders`` and ``households_approved``, each dated by the
    reference date (see the module docstring)."""
    ref = pd.Timestamp(params.reference_date)
    pl = placements(episodes, journeys, ref)
    placed = pl.groupby("financial_year")["child"].nunique()
    no_adm = pl.loc[~pl["adm_decision"].astype(bool)].groupby("financial_year")["child"].nunique()
    ao = journeys["ao_date"] if len(journeys) else pd.Series(dtype="datetime64[ns]")
    orders = financial_year(ao[ao.notna() & ao.le(ref)]).value_counts()
    if adopters is not None and len(adopters):
        known = as_known(adopters, params)["approval_date"]
        approved = financial_year(known[known.notna()]).value_counts()
    else:
        approved = pd.Series(dtype="int64")
    out = pd.DataFrame({"children_placed": placed, "placed_no_adm_decision": no_adm,
                        "adoption_orders": orders, "households_approved": approved})
    out = out.fillna(0).astype("int64")
    out.index = out.index.astype(str)
    out.index.name = "financial_year"
    return out.sort_index()


def fte_by_year(staffing: pd.DataFrame | None) -> pd.DataFrame:
    """FTE per financial year: ``total`` and one column per team."""
    if staffing is None or not len(staffing):
        return pd.DataFrame(columns=["total", *TEAMS])
    s = staffing.dropna(subset=["financial_year", "fte"]).copy()
    s["fte"] = s["fte"].astype("float64")
    out = s.pivot_table(index="financial_year", columns="team", values="fte", aggfunc="sum",
                        fill_value=0.0)
    out = out.reindex(columns=list(TEAMS), fill_value=0.0)
    out.insert(0, "total", out.sum(axis=1))
    out.index = out.index.astype(str)
    out.columns.name = None
    return out.sort_index()


def _per(num: pd.Series, den: pd.Series) -> pd.Series:
    num = num.astype("float64")
    den = den.astype("float64")
    return (num / den.where(den > 0)).astype("float64")


# -- costs by purpose -------------------------------------------------------------------

def fte_shares(staffing: pd.DataFrame | None) -> pd.DataFrame:
    """Each purpose's share of a year's FTE (teams by ``schema.TEAM_PURPOSE``): one row per
    financial year with FTE, one column per purpose that a team serves; rows sum to 1."""
    fte = fte_by_year(staffing)
    out = pd.DataFrame(index=fte.index)
    for team, purpose in TEAM_PURPOSE.items():
        out[purpose] = out.get(purpose, 0.0) + fte[team]
    total = out.sum(axis=1)
    return out.div(total.where(total > 0), axis=0).dropna(how="all")


def cost_lines(costs: pd.DataFrame, staffing: pd.DataFrame | None, activity: pd.DataFrame,
               *, households_known: bool = True) -> pd.DataFrame:
    """Every cost row with the purpose it counts for (module docstring): one line per row, or
    one per purpose where a row is split. Columns ``financial_year``, ``category``,
    ``purpose`` (one of :data:`PURPOSES` or ``unassigned``), ``amount`` (pounds, income
    negative), ``basis`` (a key of :data:`BASIS`). ``activity`` is :func:`activity_by_year`;
    ``households_known`` false (no adopters file) leaves panel and ADM costs unassigned."""
    c = _usable(costs)
    signed = c["amount"].where(~is_income(c), -c["amount"])
    given = (c["purpose"] if "purpose" in c else pd.Series(pd.NA, index=c.index)).astype(
        "object").where(lambda v: v.isin(PURPOSES), None)
    fte = fte_shares(staffing)
    act = activity.reindex(sorted(set(c["financial_year"])), fill_value=0)
    lines: list[tuple[str, str, str, float, str]] = []
    for i, row in c.iterrows():
        fy, cat, amount = row["financial_year"], str(row["category"]), float(signed[i])
        if given[i] is not None:
            lines.append((fy, cat, given[i], amount, "given"))
        elif cat in DEFAULT_PURPOSE:
            lines.append((fy, cat, DEFAULT_PURPOSE[cat], amount, "category"))
        elif cat == "staff":
            if fy in fte.index:
                lines += [(fy, cat, purpose, amount * share, "fte")
                          for purpose, share in fte.loc[fy].items() if share > 0]
            else:
                lines.append((fy, cat, UNASSIGNED, amount, "no_fte"))
        elif cat == "panel_adm":
            placed, approved = (int(act.loc[fy, "children_placed"]),
                                int(act.loc[fy, "households_approved"]))
            if households_known and placed + approved > 0:
                lines += [(fy, cat, purpose, amount * n / (placed + approved), "panel")
                          for purpose, n in (("placing", placed), ("recruiting", approved))
                          if n > 0]
            else:
                lines.append((fy, cat, UNASSIGNED, amount, "no_activity"))
        else:
            lines.append((fy, cat, UNASSIGNED, amount, "none"))
    return pd.DataFrame(lines, columns=["financial_year", "category", "purpose", "amount",
                                        "basis"])


def assigned_costs(costs: pd.DataFrame, staffing: pd.DataFrame | None,
                   episodes: pd.DataFrame, journeys: pd.DataFrame,
                   adopters: pd.DataFrame | None, params: Params) -> pd.DataFrame:
    """:func:`cost_lines` with the year's activity worked out from the data, as
    :func:`unit_costs` uses them."""
    act = activity_by_year(episodes, journeys, adopters, params)
    return cost_lines(costs, staffing, act, households_known=adopters is not None)


def by_purpose(lines: pd.DataFrame) -> pd.DataFrame:
    """Per financial year: the net cost of each purpose (``placing``, ``recruiting``,
    ``support``, ``overheads``, ``unassigned``) and ``net``; and, for each direct purpose
    ``p``, ``p_share`` (its net direct cost ÷ the three's, a negative one counted as 0),
    ``p_overheads`` and ``p_unassigned`` (its share of those), and ``p_total`` (its own cost
    with both parts). Shares and totals are missing when the direct costs are not positive."""
    t = lines.pivot_table(index="financial_year", columns="purpose", values="amount",
                          aggfunc="sum", fill_value=0.0)
    t = t.reindex(columns=[*PURPOSES, UNASSIGNED], fill_value=0.0).astype("float64")
    t.columns.name = None
    t["net"] = t[[*PURPOSES, UNASSIGNED]].sum(axis=1)
    base = t[list(DIRECT)].clip(lower=0).sum(axis=1)
    for p in DIRECT:
        share = t[p].clip(lower=0) / base.where(base > 0)
        t[f"{p}_share"] = share
        t[f"{p}_overheads"] = share * t["overheads"]
        t[f"{p}_unassigned"] = share * t[UNASSIGNED]
        t[f"{p}_total"] = t[p] + t[f"{p}_overheads"] + t[f"{p}_unassigned"]
    t.index = t.index.astype(str)
    return t.sort_index()


def unit_costs(costs: pd.DataFrame, staffing: pd.DataFrame | None, episodes: pd.DataFrame,
               journeys: pd.DataFrame, adopters: pd.DataFrame | None,
               params: Params) -> pd.DataFrame:
    """Per financial year of the cost file: gross cost, income, net cost, the costs by
    purpose and their apportionment (:func:`by_purpose`), the counts (:func:`activity_by_year`)
    and the unit costs: ``per_child_placed``, ``per_child_placed_no_overheads``,
    ``per_household_approved``, ``per_adoption_order``, ``support_per_adoption_order``."""
    act = activity_by_year(episodes, journeys, adopters, params)
    cost = cost_by_year(costs)
    split = by_purpose(cost_lines(costs, staffing, act, households_known=adopters is not None))
    out = cost.join(split.drop(columns="net")).join(act.reindex(cost.index, fill_value=0))
    out["per_child_placed"] = _per(out["placing_total"], out["children_placed"])
    out["per_child_placed_no_overheads"] = _per(
        out["placing_total"] - out["placing_overheads"], out["children_placed"])
    out["per_household_approved"] = _per(out["recruiting_total"], out["households_approved"])
    out["per_adoption_order"] = _per(out["placing_total"] + out["recruiting_total"],
                                     out["adoption_orders"])
    out["support_per_adoption_order"] = _per(out["support_total"], out["adoption_orders"])
    return out


# -- interagency fees -------------------------------------------------------------------

def la_fee_key(params: Params) -> str:
    """The LA/RAA fee this LA's placements are compared with: London's where the params give
    the LA's region as London, else the national one."""
    london = (params.region or "").strip().lower() == "london"
    return "interagency_fee_la_london" if london else "interagency_fee_la"


def fees_by_year(years, params: Params) -> pd.DataFrame:
    """Each interagency fee (:data:`FEES`) for each financial year in ``years``: its value
    (missing where not confirmed) and ``<fee>_basis`` in words (``FeeByYear.basis``)."""
    years = [str(y) for y in years]
    out = pd.DataFrame(index=pd.Index(years, name="financial_year"))
    for key in FEES:
        fee = params.costs[key]
        out[key] = [fee.value_for(y) for y in years]
        out[key] = out[key].astype("float64")
        out[f"{key}_basis"] = [fee.basis(y) for y in years]
    return out


def interagency_comparison(uc: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Each year's cost per child placed against each interagency fee of the same year: one
    row per year and fee, with ``fee`` (missing where not confirmed), its ``basis``,
    ``period`` and ``source``, and the ``difference`` (cost − fee) in pounds and as % of the
    fee (``difference_pct``); no difference where the fee is not confirmed."""
    fees = fees_by_year(uc.index, params)
    rows = []
    for year, r in uc.iterrows():
        for key, label in FEES.items():
            fee = params.costs[key]
            value = fees.loc[year, key]
            cost = r["per_child_placed"]
            diff = None if pd.isna(cost) or pd.isna(value) else float(cost - value)
            rows.append({"financial_year": year, "key": key, "benchmark": label,
                         "fee": None if pd.isna(value) else float(value),
                         "basis": fees.loc[year, f"{key}_basis"], "period": fee.period,
                         "source": fee.source, "per_child_placed": cost, "difference": diff,
                         "difference_pct": None if diff is None or not value
                         else 100 * diff / value})
    return pd.DataFrame(rows, columns=["financial_year", "key", "benchmark", "fee", "basis",
                                       "period", "source", "per_child_placed", "difference",
                                       "difference_pct"])


# -- productivity -----------------------------------------------------------------------

def productivity(staffing: pd.DataFrame | None, episodes: pd.DataFrame, journeys: pd.DataFrame,
                 adopters: pd.DataFrame | None, params: Params) -> pd.DataFrame:
    """Per financial year of the staffing file: FTE (whole service and the two teams), children
    placed and households approved, and each per FTE."""
    fte = fte_by_year(staffing)
    act = activity_by_year(episodes, journeys, adopters, params).reindex(fte.index, fill_value=0)
    ff, ra = TEAM_FOR["children_placed"], TEAM_FOR["households_approved"]
    return pd.DataFrame({
        "fte_total": fte["total"].astype("float64"),
        "fte_family_finding": fte[ff].astype("float64"),
        "fte_recruitment_assessment": fte[ra].astype("float64"),
        "children_placed": act["children_placed"],
        "households_approved": act["households_approved"],
        "children_placed_per_fte": _per(act["children_placed"], fte["total"]),
        "households_approved_per_fte": _per(act["households_approved"], fte["total"]),
        "children_placed_per_family_finding_fte": _per(act["children_placed"], fte[ff]),
        "households_approved_per_ra_fte": _per(act["households_approved"], fte[ra]),
    }, index=fte.index)


def latest_full_year(years, reference_date) -> str | None:
    """The latest financial year that has ended by ``reference_date``, else None."""
    ref = pd.Timestamp(reference_date)
    done = sorted(str(y) for y in years if year_end(str(y)) <= ref)
    return done[-1] if done else None


def breakdown(costs: pd.DataFrame) -> pd.DataFrame:
    """Cost by category (rows, template order) and financial year (columns), pounds; income
    rows as their own categories, shown as positive amounts."""
    c = costs.dropna(subset=["financial_year", "amount"]).copy()
    c["amount"] = c["amount"].astype("float64")
    inc = is_income(c)
    c["line"] = c["category"].astype(str)
    other_income = inc & ~c["category"].isin(INCOME_CATEGORIES)
    c.loc[other_income, "line"] = c.loc[other_income, "line"] + "_income"
    t = c.pivot_table(index="line", columns="financial_year", values="amount", aggfunc="sum",
                      fill_value=0.0)
    order = [x for x in CATEGORIES if x in t.index]
    order += sorted(x for x in t.index if x not in order)
    t = t.reindex(order)
    t.columns = [str(x) for x in t.columns]
    t.index.name = "category"
    return t


def coverage(costs: pd.DataFrame, year: str | None) -> dict[str, list[str]]:
    """What the cost file holds for ``year``: categories with a non-zero amount (``included``)
    and template categories it leaves out or gives as 0 (``left_out``)."""
    c = costs.loc[costs["financial_year"].astype(str).eq(str(year))]
    amounts = c.groupby("category")["amount"].sum()
    included = [x for x in CATEGORIES if x in amounts.index and amounts[x] != 0]
    left_out = [x for x in CATEGORIES if x not in included]
    return {"included": included, "left_out": left_out}


def _float(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def headline(costs: pd.DataFrame | None, staffing: pd.DataFrame | None,
             episodes: pd.DataFrame, journeys: pd.DataFrame, adopters: pd.DataFrame | None,
             params: Params) -> dict[str, Any]:
    """The latest full year's figures (``year``): every column of :func:`unit_costs` (the
    counts as whole numbers), the LA/RAA fee of that year (``fee``, ``fee_key``,
    ``fee_basis``; :func:`la_fee_key`) and productivity per FTE (None where the data to
    compute it is missing)."""
    out: dict[str, Any] = {"year": None}
    if costs is None or not len(costs):
        return out
    uc = unit_costs(costs, staffing, episodes, journeys, adopters, params)
    year = latest_full_year(uc.index, params.reference_date)
    out["year"] = year
    if year is None:
        return out
    r = uc.loc[year]
    out.update({k: _float(v) for k, v in r.items()})
    for k in ("children_placed", "placed_no_adm_decision", "adoption_orders",
              "households_approved"):
        out[k] = int(r[k])
    key = la_fee_key(params)
    fee = params.costs[key]
    out.update({"fee_key": key, "fee": fee.value_for(year), "fee_basis": fee.basis(year)})
    prod = productivity(staffing, episodes, journeys, adopters, params)
    if year in prod.index:
        p = prod.loc[year]
        out.update({k: _float(v) for k, v in p.items()
                    if k not in ("children_placed", "households_approved")})
    return out


def headlines_from(h: dict[str, Any], params: Params) -> list[Headline]:
    """Section 6's findings for the summary from :func:`headline`: the cost per child placed
    against the same year's LA/RAA interagency fee (a fee not confirmed for the year rates
    nothing), and the cost per household approved (no published benchmark: not rated)."""
    year = h.get("year")
    if not year:
        return []
    key = h["fee_key"]
    fee = params.costs[key]
    placed, approved = h["children_placed"], h["households_approved"]
    where = "London" if key.endswith("london") else "an LA or RAA"
    return [
        Headline(
            key="unit_cost_per_child_placed", section="06_resources",
            label=f"Cost per child placed for adoption, {year}",
            value=h.get("per_child_placed"), unit="pounds", n=placed, statistic="per",
            noun="children", benchmark=h.get("fee"),
            benchmark_label=f"interagency fee for {where} placement, {year} "
                            f"({h['fee_basis']}; {fee.source})",
            benchmark_kind="fee", better="lower", confirmed=h.get("fee") is not None,
            reach=placed, evidence=EVIDENCE,
            detail={"year": year, "placing_total": h.get("placing_total"),
                    "placing_overheads": h.get("placing_overheads"),
                    "placed_no_adm_decision": h["placed_no_adm_decision"],
                    "fee_period": fee.period}),
        Headline(
            key="unit_cost_per_adopter_approved", section="06_resources",
            label=f"Cost per adopter household approved, {year}",
            value=h.get("per_household_approved"), unit="pounds", n=approved,
            statistic="per", noun="households", benchmark=None,
            benchmark_label="no published benchmark for the cost of approving a household",
            better="lower", reach=approved, evidence=EVIDENCE,
            detail={"year": year, "recruiting_total": h.get("recruiting_total")}),
    ]


def headlines(costs: pd.DataFrame | None, staffing: pd.DataFrame | None,
              episodes: pd.DataFrame, journeys: pd.DataFrame, adopters: pd.DataFrame | None,
              params: Params) -> list[Headline]:
    """Section 6's findings for the summary (:func:`headlines_from`); none without a cost
    file or a full year in it."""
    return headlines_from(headline(costs, staffing, episodes, journeys, adopters, params), params)


def record_metrics(sec: Any, h: dict[str, Any]) -> None:
    """Record section 6's metrics for the latest full year (``headline``)."""
    sec.metric("resources_year", h.get("year"))
    sec.metric("unit_cost_per_child_placed", h.get("per_child_placed"),
               n=h.get("children_placed"))
    sec.metric("unit_cost_per_adoption_order", h.get("per_adoption_order"),
               n=h.get("adoption_orders"))
    sec.metric("support_cost_per_adoption_order", h.get("support_per_adoption_order"),
               n=h.get("adoption_orders"))
    sec.metric("unit_cost_per_adopter_approved", h.get("per_household_approved"),
               n=h.get("households_approved"))
    sec.metric("children_placed_no_adm_decision", h.get("placed_no_adm_decision"),
               n=h.get("children_placed"))
    sec.metric("children_placed_per_fte", h.get("children_placed_per_fte"),
               n=h.get("children_placed"))
    sec.metric("adopters_approved_per_fte", h.get("households_approved_per_fte"),
               n=h.get("households_approved"))
