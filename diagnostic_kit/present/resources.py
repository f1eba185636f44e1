"""Section 6 in words, tables and charts, from ``measures.resources``.

Money is shown as ``nv.money`` words it ("£27,000"); counts go through ``nv.count`` so that
small numbers are suppressed, and a unit cost that rests on a suppressed count is not shown
(it would give the count away: net cost ÷ unit cost).
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import resources as rs
from diagnostic_kit.present import charts
from diagnostic_kit.present import narrative as nv

CATEGORY_LABELS = {
    "staff": "Staff",
    "interagency_fees_paid": "Interagency fees paid",
    "interagency_fees_received": "Interagency fees received (income)",
    "adoption_allowances": "Adoption allowances",
    "panel_adm": "Panel and ADM",
    "recruitment_marketing": "Recruitment and marketing",
    "legal": "Legal",
    "overheads": "Overheads",
    "other": "Other",
}
TEAM_LABELS = {
    "recruitment_assessment": "recruitment and assessment",
    "family_finding": "family finding",
    "childrens_social_work": "children's social work",
    "adoption_support": "adoption support",
    "management": "management",
    "business_support": "business support",
}
CATEGORY_COLOURS = dict(zip(
    [c for c in rs.CATEGORIES if c not in rs.INCOME_CATEGORIES],
    [charts.OKABE_ITO[k] for k in ("blue", "vermillion", "orange", "sky_blue", "reddish_purple",
                                   "bluish_green", "yellow", "black")], strict=False))

NEEDS = {
    "costs": "unit costs, the cost breakdown and the comparison with the interagency fees",
    "staffing": "productivity per FTE",
    "adopters": "the cost per household approved and households approved per FTE",
}


def _label(category: str) -> str:
    if category.endswith("_income") and category.removesuffix("_income") in CATEGORY_LABELS:
        return CATEGORY_LABELS[category.removesuffix("_income")] + " (income)"
    return CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())


def unit_money(value: float | None, n: int | None) -> str:
    """A unit cost as shown: hidden ("not shown") when its count is suppressed."""
    if n is not None and nv.suppressed(n):
        return "not shown (small numbers)"
    return nv.money(value)


def _per_fte(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else nv.number(value, 2)


def key_findings(h: dict[str, Any], params: Params) -> str:
    """The headline sentences for the latest full year (``resources.headline``)."""
    year = h.get("year")
    if not year:
        return ("No financial year in the cost file has ended by the reference date "
                f"({nv.date_text(params.reference_date)}), so no unit cost is given.")
    placed, orders, approved = h["children_placed"], h["adoption_orders"], \
        h["households_approved"]
    lines = [
        f"In {year} the adoption service's net cost was **{nv.money(h['net'])}** "
        f"({nv.money(h['gross'])} of costs less {nv.money(h['income'])} of income).",
        f"That is **{unit_money(h['per_child_placed'], placed)} per child placed** for adoption "
        f"({nv.children(placed)} placed in the year), "
        f"{unit_money(h['per_adoption_order'], orders)} per adoption order "
        f"({nv.plural(orders, 'order')}) and "
        f"{unit_money(h['per_household_approved'], approved)} per adopter household approved "
        f"({nv.plural(approved, 'household')}).",
    ]
    lines.append(sensitivity_sentence(h))
    fee = params.costs.interagency_fee_la
    if fee.known and h.get("per_child_placed") is not None and not nv.suppressed(placed):
        diff = h["per_child_placed"] - fee.value
        word = "more" if diff > 0 else "less"
        lines.append(
            f"The cost per child placed is {nv.money(abs(diff))} {word} than the "
            f"{nv.money(fee.value)} interagency fee an LA or regional adoption agency charges "
            f"for a placement ({nv.escape(fee.period)}; {nv.escape(fee.source)}).")
    if h.get("fte_total") is not None:
        lines.append(productivity_sentence(h))
    return nv.bullets(lines)


def sensitivity_sentence(h: dict[str, Any]) -> str:
    """The unit cost with and without overheads."""
    placed = h["children_placed"]
    if not h.get("overheads"):
        return ("The cost file gives no overheads for the year, so the unit costs leave them "
                "out; with overheads they would be higher.")
    return (f"Unit costs depend on what is counted: without overheads "
            f"({nv.money(h['overheads'])}) the cost per child placed would be "
            f"{unit_money(h['per_child_placed_no_overheads'], placed)} instead of "
            f"{unit_money(h['per_child_placed'], placed)}.")


def productivity_sentence(h: dict[str, Any]) -> str:
    """Children placed and households approved per FTE, whole service and teams."""
    return (
        f"With {nv.number(h['fte_total'], 1)} FTE in the whole service, that is "
        f"{_per_fte(h.get('children_placed_per_fte'))} children placed and "
        f"{_per_fte(h.get('households_approved_per_fte'))} households approved per FTE; "
        f"per FTE of the teams that do the work, "
        f"{_per_fte(h.get('children_placed_per_family_finding_fte'))} children placed per "
        f"family-finding FTE ({nv.number(h.get('fte_family_finding'), 1)} FTE) and "
        f"{_per_fte(h.get('households_approved_per_ra_fte'))} households approved per "
        f"recruitment-and-assessment FTE ({nv.number(h.get('fte_recruitment_assessment'), 1)} "
        "FTE).")


def coverage_statement(costs: pd.DataFrame, staffing: pd.DataFrame | None,
                       year: str | None) -> str:
    """What this LA's cost file includes and leaves out, in plain words."""
    cov = rs.coverage(costs, year)
    inc = [nv.lower_first(_label(c)) for c in cov["included"]]
    out = [nv.lower_first(_label(c)) for c in cov["left_out"]]
    lines = [
        "Unit costs depend on what each LA counts as cost, so they compare well only with "
        "figures built the same way.",
        f"For {year}, this LA's cost file includes {nv.plain_list(inc) or 'nothing'}."
        if year else "The cost file has no complete year.",
        (f"It gives nothing for {nv.plain_list(out)}, so those are not in the unit costs."
         if out else "It has an amount for every category of the template."),
    ]
    if staffing is not None and len(staffing) and year:
        s = staffing.loc[staffing["financial_year"].astype(str).eq(year)]
        teams = [TEAM_LABELS.get(t, t) for t in rs.TEAMS if t in set(s["team"])]
        if teams:
            lines.append(f"The staffing file's FTE for {year} covers {nv.plain_list(teams)}; "
                         "the whole-service productivity divides by all of it.")
    lines.append("The kit cannot tell from the file whether staff costs include on-costs, or "
                 "whether corporate costs (buildings, IT, HR) are in the overheads; the "
                 "reader should ask the finance team before comparing with another LA.")
    return nv.bullets(lines)


# -- tables -----------------------------------------------------------------------------

def display_unit_costs(uc: pd.DataFrame) -> pd.DataFrame:
    """Net cost, counts and unit costs by financial year."""
    rows = []
    for fy, r in uc.iterrows():
        rows.append({
            "Financial year": fy,
            "Costs": nv.money(r["gross"]), "Income": nv.money(r["income"]),
            "Net cost": nv.money(r["net"]),
            "Children placed": int(r["children_placed"]),
            "Adoption orders": int(r["adoption_orders"]),
            "Households approved": int(r["households_approved"]),
            "Per child placed": unit_money(r["per_child_placed"], int(r["children_placed"])),
            "Per adoption order": unit_money(r["per_adoption_order"], int(r["adoption_orders"])),
            "Per household approved": unit_money(r["per_household_approved"],
                                                 int(r["households_approved"])),
            "Per child placed, without overheads": unit_money(
                r["per_child_placed_no_overheads"], int(r["children_placed"])),
        })
    return pd.DataFrame(rows)


def display_breakdown(bd: pd.DataFrame) -> pd.DataFrame:
    """Cost by category and year, with each category's % of the year's costs."""
    costs = bd.loc[[i for i in bd.index if i not in rs.INCOME_CATEGORIES
                    and not i.endswith("_income")]]
    total = costs.sum()
    out = pd.DataFrame({"Category": [_label(c) for c in bd.index]})
    for fy in bd.columns:
        out[fy] = [nv.money(v) for v in bd[fy]]
    latest = bd.columns[-1]
    shares = [("–" if c in rs.INCOME_CATEGORIES or c.endswith("_income") or not total[latest]
               else nv.pct(100 * bd.loc[c, latest] / total[latest])) for c in bd.index]
    out[f"% of {latest} costs"] = shares
    return out


def display_productivity(prod: pd.DataFrame) -> pd.DataFrame:
    """FTE and productivity by financial year."""
    return pd.DataFrame({
        "Financial year": prod.index,
        "FTE, whole service": prod["fte_total"].round(1).to_numpy(),
        "FTE, family finding": prod["fte_family_finding"].round(1).to_numpy(),
        "FTE, recruitment and assessment": prod["fte_recruitment_assessment"].round(1).to_numpy(),
        "Children placed": prod["children_placed"].to_numpy(),
        "Households approved": prod["households_approved"].to_numpy(),
        "Placed per FTE": [_per_fte(v) for v in prod["children_placed_per_fte"]],
        "Approved per FTE": [_per_fte(v) for v in prod["households_approved_per_fte"]],
        "Placed per family-finding FTE": [
            _per_fte(v) for v in prod["children_placed_per_family_finding_fte"]],
        "Approved per recruitment-and-assessment FTE": [
            _per_fte(v) for v in prod["households_approved_per_ra_fte"]],
    })


def display_interagency(cmp: pd.DataFrame, h: dict[str, Any]) -> pd.DataFrame:
    """The unit cost per child placed against each interagency fee, with period and source."""
    placed = h.get("children_placed")
    hidden = placed is not None and nv.suppressed(placed)
    return pd.DataFrame({
        "Benchmark": cmp["benchmark"],
        "Fee": [nv.money(v) for v in cmp["fee"]],
        "Period": cmp["period"],
        "Source": cmp["source"],
        f"Cost per child placed, {h.get('year')}": unit_money(h.get("per_child_placed"),
                                                             placed),
        "Difference": ["–" if hidden else nv.money(v) for v in cmp["difference"]],
        "Difference, % of fee": ["–" if hidden or v is None or pd.isna(v) else nv.pct(v)
                                 for v in cmp["difference_pct"]],
    })


def interagency_note(params: Params) -> str:
    return ("The interagency fee is what one agency charges another for placing a child with "
            "its adopters; it is a price, not a measured cost, but is the usual yardstick. The "
            f"voluntary agencies' fee is {nv.money(params.costs.interagency_fee_vaa.value)} "
            f"{nv.escape(params.costs.interagency_fee_vaa.period)}: it is uprated every year, "
            "so earlier years' fees were lower.")


# -- charts -----------------------------------------------------------------------------

def breakdown_chart(bd: pd.DataFrame, uc: pd.DataFrame, source: str) -> Figure:
    """Costs by category per year (stacked bars), with net cost as a line."""
    charts.apply_style()
    fig, ax = plt.subplots(figsize=(9, 4.2))
    years = list(bd.columns)
    x = np.arange(len(years))
    bottom = np.zeros(len(years))
    for cat in bd.index:
        if cat in rs.INCOME_CATEGORIES or cat.endswith("_income"):
            continue
        vals = bd.loc[cat].to_numpy(dtype=float) / 1000
        ax.bar(x, vals, bottom=bottom, color=CATEGORY_COLOURS.get(cat, charts.GREY),
               label=_label(cat), width=0.65, edgecolor="white", linewidth=0.6)
        bottom += vals
    net = uc.reindex(years)["net"].to_numpy(dtype=float) / 1000
    ax.plot(x, net, color="black", marker="o", linewidth=1.8, label="Net cost (less income)")
    ax.set_xticks(x, years)
    ax.set_xlabel("Financial year")
    ax.set_ylabel("£ thousand")
    ax.grid(axis="y", color="#E5E5E5")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig = charts.finish(fig, "Adoption service costs by category and year", source)
    last = years[-1] if years else None
    if last is None:
        return charts.describe(fig, "Adoption service costs by category and year: no costs.")
    costs = bd[last].drop([c for c in bd.index if c in rs.INCOME_CATEGORIES
                           or c.endswith("_income")], errors="ignore").sort_values(ascending=False)
    top = "; ".join(f"{_label(c)} {nv.money(v)}" for c, v in costs.head(3).items())
    return charts.describe(fig, (
        f"Adoption service costs by category and year: in {last} the net cost was "
        f"{nv.money(uc.loc[last, 'net'])}; the largest categories were {top}."))


def unit_cost_chart(uc: pd.DataFrame, params: Params, source: str) -> Figure:
    """Cost per child placed by year against the interagency fees."""
    charts.apply_style()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    years = list(uc.index)
    x = np.arange(len(years))
    vals = [np.nan if nv.suppressed(int(n)) else v
            for v, n in zip(uc["per_child_placed"], uc["children_placed"], strict=True)]
    vals = np.array(vals, dtype=float) / 1000
    no_oh = [np.nan if nv.suppressed(int(n)) else v
             for v, n in zip(uc["per_child_placed_no_overheads"], uc["children_placed"],
                             strict=True)]
    ax.plot(x, vals, marker="o", color=charts.OKABE_ITO["blue"], linewidth=2,
            label="Cost per child placed")
    ax.plot(x, np.array(no_oh, dtype=float) / 1000, marker="o", linestyle="--",
            color=charts.OKABE_ITO["sky_blue"], linewidth=1.5, label="Without overheads")
    fees = (("interagency_fee_la", "Interagency fee, LA/RAA", charts.OKABE_ITO["bluish_green"]),
            ("interagency_fee_la_london", "Interagency fee, LA/RAA London", charts.GREY),
            ("interagency_fee_vaa", "Interagency fee, voluntary agency",
             charts.OKABE_ITO["vermillion"]))
    periods = []
    for key, label, colour in fees:
        b = params.costs[key]
        if b.known:
            ax.axhline(b.value / 1000, color=colour, linestyle=(0, (2, 1.5)), linewidth=1.3,
                       label=f"{label} {nv.money(b.value)}")
            periods.append(f"{label.removeprefix('Interagency fee, ')} {b.period}")
    ax.set_xticks(x, years)
    ax.set_xlabel("Financial year")
    ax.set_ylabel("£ thousand")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#E5E5E5")
    ax.grid(axis="x", visible=False)
    # Beside the plot, its labels short (the fees' periods are in the note), so that the
    # years keep most of the chart's width.
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    note = "Net cost of the year ÷ children placed for adoption in the year."
    if periods:
        note += " Fees: " + "; ".join(periods) + "."
    fig = charts.finish(fig, "Cost per child placed for adoption against the interagency fees",
                         source, note=note)
    shown = [(y, v) for y, v in zip(years, vals * 1000, strict=False) if not np.isnan(v)]
    trend = "; ".join(f"{y} {nv.money(v)}" for y, v in shown) or "not shown (small numbers)"
    fee = params.costs["interagency_fee_la"]
    return charts.describe(fig, (
        f"Cost per child placed for adoption by year: {trend}, against the LA/RAA interagency "
        f"fee of {nv.money(fee.value)} ({fee.period})."))


# -- section 0 --------------------------------------------------------------------------

def summary_sentences(costs: pd.DataFrame | None, staffing: pd.DataFrame | None,
                      journeys: pd.DataFrame, adopters: pd.DataFrame | None,
                      params: Params) -> list[str]:
    """Section 0's two headline sentences on resources."""
    if costs is None or not len(costs):
        return ["No cost file (local/costs.csv) was supplied, so no unit cost is given."]
    h = rs.headline(costs, staffing, journeys, adopters, params)
    if not h.get("year"):
        return [key_findings(h, params)]
    placed = h["children_placed"]
    out = [f"In {h['year']} the net cost of the adoption service was {nv.money(h['net'])}: "
           f"{unit_money(h['per_child_placed'], placed)} per child placed for adoption "
           f"({nv.children(placed)}), against an interagency fee of "
           f"{nv.money(params.costs.interagency_fee_la.value)} for an LA or RAA placement."]
    if h.get("fte_total") is not None:
        out.append(f"The service placed {_per_fte(h.get('children_placed_per_fte'))} children "
                   f"per FTE ({nv.number(h['fte_total'], 1)} FTE in all).")
    return out
