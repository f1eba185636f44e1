"""Section 6: resources. Unit costs of the adoption service and productivity per FTE.

Definitions (``docs/methodology.md``, "Resources"):

- **Financial year**: April to March, labelled ``2024-25`` (``derive.journeys.financial_year``).
- **Gross cost** of a year: the sum of the year's cost rows (``costs.csv``) that are not income.
  **Income**: rows with ``income`` = yes, and rows of category ``interagency_fees_received``
  whose ``income`` is blank. **Net cost** = gross cost − income.
- **Children placed** in a year: distinct children whose adoptive placement (the journey's
  ``placement_date``: the start of the run of PLACE A3–A6 episodes the child was adopted from,
  or is placed in now; a placement that disrupted is not one) falls in the year.
  **Adoption orders**: journeys whose adoption order (``ao_date``) falls in the year.
  **Households approved**: adopter households (``adopters.csv``) whose ``approval_date`` falls
  in the year.
- **Unit cost** per child placed = net cost ÷ children placed in the same year; likewise per
  adoption order and per household approved. Not computed (missing) when the count is 0.
- **Sensitivity**: the unit cost per child placed with the ``overheads`` category left out of
  the net cost.
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
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.inputs.schema import COSTS, STAFFING

#: Cost categories of the template, in the order shown.
CATEGORIES: tuple[str, ...] = tuple(COSTS.column("category").allowed or ())
#: Cost categories that are income by nature.
INCOME_CATEGORIES = ("interagency_fees_received",)
#: The teams whose FTE does each piece of work.
TEAM_FOR = {"children_placed": "family_finding", "households_approved": "recruitment_assessment"}
TEAMS: tuple[str, ...] = tuple(STAFFING.column("team").allowed or ())
#: The category left out in the sensitivity line.
SENSITIVITY_CATEGORY = "overheads"


def year_end(fy: str) -> pd.Timestamp:
    """31 March ending a financial year: ``year_end("2024-25") == 2025-03-31``."""
    return pd.Timestamp(int(fy[:4]) + 1, 3, 31)


def is_income(costs: pd.DataFrame) -> pd.Series:
    """Whether each cost row is income (see the module docstring)."""
    flag = costs["income"].astype("boolean") if "income" in costs else pd.Series(
        pd.NA, index=costs.index, dtype="boolean")
    by_category = costs["category"].isin(INCOME_CATEGORIES)
    return flag.fillna(by_category).astype(bool)


def cost_by_year(costs: pd.DataFrame) -> pd.DataFrame:
    """One row per financial year: ``gross``, ``income``, ``net``, ``overheads`` (pounds)."""
    c = costs.dropna(subset=["financial_year", "amount"]).copy()
    c["amount"] = c["amount"].astype("float64")
    inc = is_income(c)
    g = pd.DataFrame({
        "gross": c["amount"].where(~inc, 0.0),
        "income": c["amount"].where(inc, 0.0),
        "overheads": c["amount"].where(~inc & c["category"].eq(SENSITIVITY_CATEGORY), 0.0),
        "financial_year": c["financial_year"].astype(str),
    }).groupby("financial_year").sum()
    g["net"] = g["gross"] - g["income"]
    return g[["gross", "income", "net", "overheads"]].sort_index()


def activity_by_year(journeys: pd.DataFrame, adopters: pd.DataFrame | None) -> pd.DataFrame:
    """Children placed, adoption orders and households approved per financial year."""
    j = journeys
    placed = (j.loc[j["placement_date"].notna()]
              .assign(fy=lambda d: financial_year(d["placement_date"]))
              .groupby("fy")["child"].nunique())
    orders = financial_year(j.loc[j["ao_date"].notna(), "ao_date"]).value_counts()
    if adopters is not None and len(adopters):
        approved = financial_year(
            adopters.loc[adopters["approval_date"].notna(), "approval_date"]).value_counts()
    else:
        approved = pd.Series(dtype="int64")
    out = pd.DataFrame({"children_placed": placed, "adoption_orders": orders,
                        "households_approved": approved}).fillna(0).astype("int64")
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


def unit_costs(costs: pd.DataFrame, journeys: pd.DataFrame,
               adopters: pd.DataFrame | None) -> pd.DataFrame:
    """Per financial year of the cost file: net cost, the three counts, the three unit costs,
    and the unit cost per child placed without overheads (``per_child_placed_no_overheads``)."""
    cost = cost_by_year(costs)
    act = activity_by_year(journeys, adopters).reindex(cost.index, fill_value=0)
    out = cost.join(act)
    out["per_child_placed"] = _per(out["net"], out["children_placed"])
    out["per_adoption_order"] = _per(out["net"], out["adoption_orders"])
    out["per_household_approved"] = _per(out["net"], out["households_approved"])
    out["per_child_placed_no_overheads"] = _per(out["net"] - out["overheads"],
                                                out["children_placed"])
    return out


def productivity(staffing: pd.DataFrame | None, journeys: pd.DataFrame,
                 adopters: pd.DataFrame | None) -> pd.DataFrame:
    """Per financial year of the staffing file: FTE (whole service and the two teams), children
    placed and households approved, and each per FTE."""
    fte = fte_by_year(staffing)
    act = activity_by_year(journeys, adopters).reindex(fte.index, fill_value=0)
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


def interagency_comparison(unit_cost: float | None, params: Params) -> pd.DataFrame:
    """The unit cost per child placed against each interagency fee: fee, its period and
    source, and the difference (unit cost − fee) in pounds and as % of the fee."""
    rows = []
    c = params.costs
    for key, label in (("interagency_fee_la", "Interagency fee, LA or RAA placement"),
                       ("interagency_fee_la_london", "Interagency fee, LA or RAA, London"),
                       ("interagency_fee_vaa", "Interagency fee, voluntary adoption agency")):
        b = c[key]
        if not b.known:
            continue
        diff = None if unit_cost is None or pd.isna(unit_cost) else unit_cost - b.value
        rows.append({"key": key, "benchmark": label, "fee": float(b.value), "period": b.period,
                     "source": b.source, "difference": diff,
                     "difference_pct": None if diff is None else 100 * diff / b.value})
    return pd.DataFrame(rows)


def headline(costs: pd.DataFrame | None, staffing: pd.DataFrame | None,
             journeys: pd.DataFrame, adopters: pd.DataFrame | None,
             params: Params) -> dict[str, Any]:
    """The latest full year's figures: year, net cost, the counts, the three unit costs, the
    sensitivity, and productivity per FTE (None where the data to compute it is missing)."""
    out: dict[str, Any] = {"year": None}
    if costs is None or not len(costs):
        return out
    uc = unit_costs(costs, journeys, adopters)
    year = latest_full_year(uc.index, params.reference_date)
    out["year"] = year
    if year is None:
        return out
    r = uc.loc[year]
    out.update({k: (None if pd.isna(v) else float(v)) for k, v in r.items()})
    for k in ("children_placed", "adoption_orders", "households_approved"):
        out[k] = int(r[k])
    prod = productivity(staffing, journeys, adopters)
    if year in prod.index:
        p = prod.loc[year]
        out.update({k: (None if pd.isna(v) else float(v)) for k, v in p.items()
                    if k not in ("children_placed", "households_approved")})
    return out


def record_metrics(sec: Any, h: dict[str, Any]) -> None:
    """Record section 6's metrics for the latest full year (``headline``)."""
    sec.metric("resources_year", h.get("year"))
    sec.metric("unit_cost_per_child_placed", h.get("per_child_placed"),
               n=h.get("children_placed"))
    sec.metric("unit_cost_per_adoption_order", h.get("per_adoption_order"),
               n=h.get("adoption_orders"))
    sec.metric("unit_cost_per_adopter_approved", h.get("per_household_approved"),
               n=h.get("households_approved"))
    sec.metric("children_placed_per_fte", h.get("children_placed_per_fte"),
               n=h.get("children_placed"))
    sec.metric("adopters_approved_per_fte", h.get("households_approved_per_fte"),
               n=h.get("households_approved"))
