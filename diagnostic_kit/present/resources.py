"""Section 6 in words, tables and charts, from ``measures.resources``.

Money is shown as ``nv.money`` words it ("£27,000"); counts go through ``nv.count`` so that
small numbers are suppressed, and a unit cost that rests on a suppressed count is not shown
(it would give the count away: the share's cost ÷ unit cost).
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
PURPOSE_LABELS = {
    "placing": "Placing children",
    "recruiting": "Recruiting and approving adopters",
    "support": "Adoption support after the order",
    "overheads": "Overheads",
    rs.UNASSIGNED: "No single purpose",
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
    "staffing": "productivity per FTE and the split of staff costs between the teams' work",
    "adopters": "the cost per household approved, households approved per FTE and the split "
                "of panel and ADM costs",
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


def purpose_label(purpose: str) -> str:
    return PURPOSE_LABELS.get(purpose, purpose.replace("_", " ").capitalize())


def fee_words(h: dict[str, Any], params: Params) -> str:
    """The LA/RAA fee of the year measured as the report names it."""
    fee = params.costs[h["fee_key"]]
    where = "a London LA or RAA" if h["fee_key"].endswith("london") else "an LA or RAA"
    return (f"the {nv.money(h['fee'])} interagency fee {where} charged for a placement in "
            f"{h['year']} ({nv.escape(h['fee_basis'])}; {nv.escape(fee.source)})")


def no_adm_sentence(h: dict[str, Any]) -> str:
    """How many of the year's children placed have no ADM decision recorded."""
    placed, none = h["children_placed"], h["placed_no_adm_decision"]
    if not placed:
        return "No child was placed for adoption in the year."
    if not none:
        return (f"Every child placed in {h['year']} has an ADM decision recorded for that "
                "period of care.")
    return (f"{nv.count_of(none, placed)} placed in {h['year']} have no ADM decision "
            "recorded for that period of care (no PlacedAdoption row, no AD1 decision date): "
            "they are counted as placed, since the placement is in the episodes, and their "
            "records are worth checking.")


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
        split_sentence(h),
        f"That is **{unit_money(h['per_child_placed'], placed)} per child placed** for adoption "
        f"(placing's share ÷ {nv.children(placed)} placed in the year), "
        f"{unit_money(h['per_household_approved'], approved)} per adopter household approved "
        f"(recruiting's share ÷ {nv.plural(approved, 'household')}) and "
        f"{unit_money(h['per_adoption_order'], orders)} per adoption order (placing's and "
        f"recruiting's shares ÷ {nv.plural(orders, 'order')}); adoption support after the "
        f"order came to {unit_money(h['support_per_adoption_order'], orders)} per adoption "
        "order made in the year.",
        no_adm_sentence(h),
        sensitivity_sentence(h),
    ]
    if h.get("per_child_placed") is not None and not nv.suppressed(placed):
        if h.get("fee") is None:
            lines.append(f"No LA or RAA interagency fee is confirmed for {year}, so the cost "
                         "per child placed is compared with none.")
        else:
            diff = h["per_child_placed"] - h["fee"]
            word = "more" if diff > 0 else "less"
            lines.append(f"The cost per child placed is {nv.money(abs(diff))} {word} than "
                         f"{fee_words(h, params)}.")
    if h.get("fte_total") is not None:
        lines.append(productivity_sentence(h))
    return nv.bullets(lines)


def split_sentence(h: dict[str, Any]) -> str:
    """The year's net cost by what it pays for, overheads shared pro rata."""
    if h.get("placing_total") is None:
        return ("The direct costs of placing, recruiting and support are not positive, so "
                "the overheads cannot be shared among them and no unit cost is given.")
    shared = (h.get("overheads") or 0.0) + (h.get("unassigned") or 0.0)
    return (f"By what it pays for, with {nv.money(shared)} of overheads and costs with no "
            "single purpose shared in proportion to the direct costs: placing children "
            f"{nv.money(h['placing_total'])}, recruiting and approving adopters "
            f"{nv.money(h['recruiting_total'])}, adoption support after the order "
            f"{nv.money(h['support_total'])}.")


def sensitivity_sentence(h: dict[str, Any]) -> str:
    """The cost per child placed with and without its part of the overheads."""
    placed = h["children_placed"]
    if not h.get("overheads"):
        return ("The cost file gives no overheads for the year, so the unit costs leave them "
                "out; with overheads they would be higher.")
    # Its share of the costs with no single purpose stays in: said, so that the figure can be
    # worked from the table of what the costs pay for.
    shared = h.get("placing_unassigned") or 0
    kept = (f"; its {nv.money(shared)} share of the costs with no single purpose stays in"
            if round(shared) else "")
    return (f"Unit costs depend on what is counted: without its part of the overheads "
            f"({nv.money(h.get('placing_overheads'))}{kept}) the cost per child placed would be "
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
    """What the cost file includes and leaves out, in plain words."""
    cov = rs.coverage(costs, year)
    inc = [nv.lower_first(_label(c)) for c in cov["included"]]
    out = [nv.lower_first(_label(c)) for c in cov["left_out"]]
    lines = [
        "Unit costs depend on what each LA counts as cost, so they compare well only with "
        "figures built the same way.",
        f"For {year}, the cost file includes {nv.plain_list(inc) or 'nothing'}."
        if year else "The cost file has no complete year.",
        (f"It gives nothing for {nv.plain_list(out)}, so those are not in the unit costs."
         if out else "It has an amount for every category of the template."),
    ]
    if year:
        c = costs.loc[costs["financial_year"].astype(str).eq(year)]
        given = int(c["purpose"].notna().sum()) if "purpose" in c else 0
        where = "how each cost was assigned is in the technical annex"
        if given == 0:
            lines.append(f"No row for {year} says what it pays for, so each takes its "
                         f"category's default ({where}).")
        else:
            says = nv.verb(given, "says what it pays", "say what they pay")
            lines.append(f"{nv.count(given).capitalize()} of the {len(c)} rows for {year} "
                         f"{says} for; the others take their category's default ({where}).")
    if staffing is not None and len(staffing) and year:
        s = staffing.loc[staffing["financial_year"].astype(str).eq(year)]
        teams = [TEAM_LABELS.get(t, t) for t in rs.TEAMS if t in set(s["team"])]
        if teams:
            lines.append(f"The staffing file's FTE for {year} covers {nv.plain_list(teams)}; "
                         "the whole-service productivity divides by all of it.")
    lines.append("The cost file does not say whether staff costs include on-costs, or "
                 "whether corporate costs (buildings, IT, HR) are in the overheads: ask the "
                 "finance team before comparing with another LA.")
    return nv.bullets(lines)


# -- tables -----------------------------------------------------------------------------

def display_unit_costs(uc: pd.DataFrame, params: Params) -> pd.DataFrame:
    """The counts and the unit costs by financial year, with the same year's LA/RAA
    interagency fee (each purpose's cost with its overheads is in :func:`display_apportionment`;
    the per-adoption-order cost is placing's and recruiting's together)."""
    key = rs.la_fee_key(params)
    fees = rs.fees_by_year(uc.index, params)
    rows = []
    for fy, r in uc.iterrows():
        placed, approved, orders = (int(r["children_placed"]), int(r["households_approved"]),
                                    int(r["adoption_orders"]))
        rows.append({
            "Financial year": fy,
            "Children placed": placed,
            "Of whom no ADM decision recorded": int(r["placed_no_adm_decision"]),
            "Per child placed": unit_money(r["per_child_placed"], placed),
            "LA/RAA fee that year": (
                "not confirmed" if pd.isna(fees.loc[fy, key]) else nv.money(fees.loc[fy, key])),
            "Households approved": approved,
            "Per household approved": unit_money(r["per_household_approved"], approved),
            "Adoption orders": orders,
            "Per adoption order": unit_money(r["per_adoption_order"], orders),
            "Support per adoption order": unit_money(r["support_per_adoption_order"], orders),
            "Per child placed, without overheads": unit_money(
                r["per_child_placed_no_overheads"], placed),
        })
    return pd.DataFrame(rows)


def display_split(uc: pd.DataFrame) -> pd.DataFrame:
    """Net cost by purpose (before the overheads are shared) and financial year."""
    out = pd.DataFrame({"Financial year": uc.index})
    for p in [*rs.PURPOSES, rs.UNASSIGNED]:
        out[purpose_label(p)] = [nv.money(v) for v in uc[p]]
    out["Net cost"] = [nv.money(v) for v in uc["net"]]
    return out


def display_apportionment(uc: pd.DataFrame) -> pd.DataFrame:
    """How the overheads and the costs with no single purpose are shared: for each year and
    direct purpose, its own cost, its share of the direct costs, its part of each, its total."""
    rows = []
    for fy, r in uc.iterrows():
        for p in rs.DIRECT:
            rows.append({
                "Financial year": fy, "Purpose": purpose_label(p),
                "Own cost": nv.money(r[p]),
                "Share of the direct costs": ("–" if pd.isna(r[f"{p}_share"])
                                              else nv.pct(100 * r[f"{p}_share"], 1)),
                "Part of the overheads": nv.money(r[f"{p}_overheads"]),
                "Part of costs with no single purpose": nv.money(r[f"{p}_unassigned"]),
                "Total": nv.money(r[f"{p}_total"]),
            })
    return pd.DataFrame(rows)


def display_assignment(lines: pd.DataFrame, year: str | None) -> pd.DataFrame:
    """How each cost of ``year`` was assigned to a purpose (``resources.cost_lines``): one row
    per category, purpose and basis; income as a negative amount."""
    cols = ["Category", "Purpose", "Amount", "How it was assigned"]
    if year is None:
        return pd.DataFrame(columns=cols)
    ln = lines.loc[lines["financial_year"].eq(year)]
    g = ln.groupby(["category", "purpose", "basis"], sort=False)["amount"].sum().reset_index()
    order = {c: i for i, c in enumerate(rs.CATEGORIES)}
    g = g.sort_values("category", key=lambda c: c.map(order).fillna(len(order)), kind="stable")
    return pd.DataFrame({
        "Category": [_label(c) for c in g["category"]],
        "Purpose": [purpose_label(p) for p in g["purpose"]],
        "Amount": [nv.money(v) for v in g["amount"]],
        "How it was assigned": [rs.BASIS[b] for b in g["basis"]],
    }, columns=cols)


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


def display_interagency(cmp: pd.DataFrame, uc: pd.DataFrame) -> pd.DataFrame:
    """Each year's cost per child placed against each interagency fee of the same year
    (``resources.interagency_comparison``); a fee not confirmed for a year says so and is
    compared with nothing."""
    rows = []
    for fy, g in cmp.groupby("financial_year", sort=True):
        placed = int(uc.loc[fy, "children_placed"])
        hidden = nv.suppressed(placed)
        row = {"Financial year": fy,
               "Cost per child placed": unit_money(uc.loc[fy, "per_child_placed"], placed)}
        for _, r in g.iterrows():
            name = r["benchmark"].removeprefix("Interagency fee, ")
            row[f"Fee: {name}"] = "not confirmed" if r["fee"] is None or pd.isna(r["fee"]) \
                else nv.money(r["fee"])
            row[f"Difference: {name}"] = (
                "–" if hidden or r["difference"] is None or pd.isna(r["difference"])
                else f"{nv.money(r['difference'])} ({nv.pct(r['difference_pct'])})")
        rows.append(row)
    return pd.DataFrame(rows) if rows else pd.DataFrame(
        columns=["Financial year", "Cost per child placed"])


def interagency_note(params: Params) -> str:
    """Where each fee comes from, and what a year without a confirmed fee means."""
    parts = []
    for key, label in rs.FEES.items():
        fee = params.costs[key]
        since = "from " if fee.holds_until_changed else ""
        listed = ", ".join(f"{since}{y} {nv.money(v) if v is not None else 'not confirmed'}"
                           for y, v in fee.by_year.items())
        if not fee.holds_until_changed:
            listed += ", other years not confirmed"
        parts.append(f"{label}: {listed} ({nv.escape(fee.period)}; {nv.escape(fee.source)}).")
    return ("The interagency fee is what one agency charges another for placing a child with "
            "its adopters; it is a price, not a measured cost, but is the usual yardstick. "
            "Each year is compared with that year's fee. " + " ".join(parts) + " The voluntary "
            "agencies' fee is uprated every year and only the years shown are confirmed: for "
            "the other years it is shown as not confirmed and nothing is compared with it.")


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


PURPOSE_COLOURS = {"placing": charts.OKABE_ITO["blue"],
                   "recruiting": charts.OKABE_ITO["orange"],
                   "support": charts.OKABE_ITO["bluish_green"]}


def purpose_chart(uc: pd.DataFrame, source: str) -> Figure:
    """Net cost by purpose per year, overheads shared (stacked bars of the three totals)."""
    charts.apply_style()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    years = list(uc.index)
    x = np.arange(len(years))
    bottom = np.zeros(len(years))
    for p in rs.DIRECT:
        vals = np.nan_to_num(uc[f"{p}_total"].to_numpy(dtype=float)) / 1000
        ax.bar(x, vals, bottom=bottom, color=PURPOSE_COLOURS[p], label=purpose_label(p),
               width=0.65, edgecolor="white", linewidth=0.6)
        bottom += vals
    ax.set_xticks(x, years)
    ax.set_xlabel("Financial year")
    ax.set_ylabel("£ thousand")
    ax.grid(axis="y", color="#E5E5E5")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig = charts.finish(fig, "Net cost by what it pays for, overheads shared", source,
                        note="Overheads and costs with no single purpose are shared in "
                             "proportion to the three direct costs.")
    if not years:
        return charts.describe(fig, "Net cost by what it pays for: no costs.")
    last = uc.iloc[-1]
    parts = "; ".join(f"{purpose_label(p)} {nv.money(last[f'{p}_total'])}" for p in rs.DIRECT)
    return charts.describe(fig, f"Net cost by what it pays for, overheads shared: in "
                                f"{years[-1]}, {parts}.")


def unit_cost_chart(uc: pd.DataFrame, params: Params, source: str) -> Figure:
    """Cost per child placed by year against each year's interagency fees: a fee is drawn only
    in the years it is confirmed for."""
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
    fees = rs.fees_by_year(years, params)
    styles = {"interagency_fee_la": ("LA/RAA fee", charts.OKABE_ITO["bluish_green"]),
              "interagency_fee_la_london": ("LA/RAA fee, London", charts.GREY),
              "interagency_fee_vaa": ("Voluntary agency fee", charts.OKABE_ITO["vermillion"])}
    unconfirmed = []
    for key, (label, colour) in styles.items():
        f = fees[key].to_numpy(dtype=float) / 1000
        if np.isnan(f).all():
            unconfirmed.append(label)
            continue
        # One short step per year the fee is confirmed for; nothing where it is not.
        for i, v in enumerate(f):
            if not np.isnan(v):
                ax.hlines(v, i - 0.4, i + 0.4, color=colour, linewidth=2.2,
                          label=label if i == np.flatnonzero(~np.isnan(f))[0] else None)
        if np.isnan(f).any():
            gaps = [y for y, v in zip(years, f, strict=True) if np.isnan(v)]
            unconfirmed.append(f"{label} in {', '.join(gaps)}")
    ax.set_xticks(x, years)
    ax.set_xlabel("Financial year")
    ax.set_ylabel("£ thousand")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#E5E5E5")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    note = ("Placing's share of the net cost (with its part of the overheads) ÷ children placed "
            "for adoption in the year; each fee is the one for that financial year.")
    if unconfirmed:
        note += " Not drawn (not confirmed): " + "; ".join(unconfirmed) + "."
    fig = charts.finish(fig, "Cost per child placed for adoption against each year's "
                             "interagency fees", source, note=note)
    shown = [(y, v) for y, v in zip(years, vals * 1000, strict=False) if not np.isnan(v)]
    trend = "; ".join(f"{y} {nv.money(v)}" for y, v in shown) or "not shown (small numbers)"
    key = rs.la_fee_key(params)
    la = [f"{y} {nv.money(v)}" for y, v in fees[key].items() if not pd.isna(v)]
    return charts.describe(fig, (
        f"Cost per child placed for adoption by year: {trend}; against the LA/RAA interagency "
        f"fee of each year: {'; '.join(la) or 'none confirmed'}."))


# -- section 0 --------------------------------------------------------------------------

def summary_sentences(costs: pd.DataFrame | None, staffing: pd.DataFrame | None,
                      episodes: pd.DataFrame, journeys: pd.DataFrame,
                      adopters: pd.DataFrame | None, params: Params) -> list[str]:
    """Section 0's two headline sentences on resources."""
    if costs is None or not len(costs):
        return ["No cost file (local/costs.csv) was supplied, so no unit cost is given."]
    h = rs.headline(costs, staffing, episodes, journeys, adopters, params)
    if not h.get("year"):
        return [key_findings(h, params)]
    placed = h["children_placed"]
    against = (f"against {fee_words(h, params)}" if h.get("fee") is not None
               else f"with no LA or RAA interagency fee confirmed for {h['year']}")
    out = [f"In {h['year']} placing children cost the adoption service "
           f"{unit_money(h['per_child_placed'], placed)} per child placed for adoption "
           f"({nv.children(placed)}; placing's share of the net cost with its part of the "
           f"overheads), {against}."]
    if h.get("fte_total") is not None:
        out.append(f"The service placed {_per_fte(h.get('children_placed_per_fte'))} children "
                   f"per FTE ({nv.number(h['fte_total'], 1)} FTE in all).")
    return out
