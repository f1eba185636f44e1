"""The local extracts of the synthetic LA, in the kit's own templates (``schema.LOCAL_TABLES``).

Columns are exactly the schema's, dates ``yyyy-mm-dd``, booleans ``yes``/``no``, codes the
schema's allowed values. Everything is as known at the extract date (the last 31 March): later
events are blank. Plans, health needs and adopters follow the simulated histories, so that the
IRO recommendation, ADM and court rows line up with the 903 dates and the in-house adopter
households are the ones whose matches and placements appear in AD1 and the episodes.
"""

from __future__ import annotations

import holidays
import numpy as np
import pandas as pd

from diagnostic_kit.inputs import schema
from diagnostic_kit.synth._common import (
    EPOCH,
    YEAR,
    Window,
    choose,
    financial_year,
    iso,
    lognormal,
)
from diagnostic_kit.synth.history import (
    ADOPTION,
    AGE18,
    CAO,
    HOME,
    LTF,
    OTHER,
    SGO,
    Histories,
)
from diagnostic_kit.synth.returns import child_ids


def _yes_no(flag: np.ndarray) -> np.ndarray:
    return np.where(flag, "yes", "no").astype(object)


def _frame(table: schema.Table, data: dict[str, object], n: int) -> pd.DataFrame:
    """A frame with exactly the schema's columns in order; absent columns are blank."""
    return pd.DataFrame({c: data.get(c, [""] * n) for c in table.column_names})


# --- permanence plans ------------------------------------------------------------------------

_FIRST_PLAN = {
    ADOPTION: {"reunification": 0.75, "adoption": 0.15, "special_guardianship": 0.1},
    HOME: {"reunification": 0.9, "placement_with_parents": 0.1},
    SGO: {"reunification": 0.5, "special_guardianship": 0.5},
    CAO: {"reunification": 0.4, "child_arrangements_order": 0.6},
    LTF: {"reunification": 0.4, "long_term_fostering": 0.6},
    OTHER: {"reunification": 0.5, "other": 0.3, "long_term_fostering": 0.2},
    AGE18: {"long_term_fostering": 0.5, "other": 0.5},
}
_ROUTE_PLAN = {
    HOME: "reunification", SGO: "special_guardianship", CAO: "child_arrangements_order",
    LTF: "long_term_fostering", OTHER: "other", AGE18: "long_term_fostering",
}


def permanence_plans(rng: np.random.Generator, h: Histories, window: Window) -> pd.DataFrame:
    """Each child's plan history: the plan at the first review, the change at the second review
    where the plan moved on, and for adoption the IRO recommendation, ADM and court rows (a
    reversed decision adds the new plan)."""
    per = h.periods.set_index("pid")
    n = len(per)
    rev = h.reviews.sort_values(["pid", "review"])
    first_rev = rev.groupby("pid")["review"].first().reindex(per.index).to_numpy()
    second_rev = rev.groupby("pid")["review"].nth(1)
    second_rev = pd.Series(second_rev.to_numpy(), index=rev.loc[second_rev.index, "pid"])
    second_rev = second_rev.reindex(per.index).to_numpy()
    route = per["route"].to_numpy()
    rows: list[pd.DataFrame] = []

    def add(mask: np.ndarray, date: np.ndarray, plan, source: str) -> None:
        mask = mask & ~np.isnan(date) & (date <= window.data_end)
        plan_arr = np.broadcast_to(np.asarray(plan, dtype=object), (n,))
        rows.append(pd.DataFrame({"pid": per.index.to_numpy()[mask], "date": date[mask],
                                  "plan": plan_arr[mask], "source": source}))

    first = np.empty(n, dtype=object)
    for r, opts in _FIRST_PLAN.items():
        sel = route == r
        first[sel] = choose(rng, opts, int(sel.sum()))
    iro = per["iro"].to_numpy()
    # For adoption the first plan is the one before the IRO's recommendation.
    first_date = np.where((route == ADOPTION) & ~(first_rev < iro), np.nan, first_rev)
    add(np.ones(n, dtype=bool), first_date, first, "lac_review")
    later = np.array([_ROUTE_PLAN.get(r, "") for r in route], dtype=object)
    later = np.where(~np.isnan(per["p1"].to_numpy()), "placement_with_parents", later)
    add((route != ADOPTION) & (later != first), second_rev, later, "lac_review")
    # Orders the court made that ended the period.
    end = per["end"].to_numpy()
    rec = per["rec"].to_numpy()
    add(np.isin(rec, ("E45", "E46", "E47", "E48")), end, "special_guardianship", "court")
    add(rec == "E41", end, "child_arrangements_order", "court")
    # The adoption route.
    add(route == ADOPTION, iro, "adoption", "iro_recommendation")
    add((route == ADOPTION) & (rng.random(n) < 0.5), iro, "adoption", "lac_review")
    add(route == ADOPTION, per["adm"].to_numpy(), "adoption", "adm")
    add(route == ADOPTION, per["po"].to_numpy(), "adoption", "court")
    rd = per["rd"].to_numpy()
    sgo_end = np.isin(per["rec"].to_numpy(), ("E45", "E46", "E47", "E48"))
    new_plan = np.where(sgo_end, "special_guardianship", "long_term_fostering")
    new_plan = np.where(per["rec"].to_numpy() == "E41", "child_arrangements_order", new_plan)
    new_plan = np.where(np.isin(per["rec"].to_numpy(), ("E4A", "E4B")), "reunification",
                        new_plan)
    ceased = per["ceased"].to_numpy()
    add(rd == "RD2", ceased, new_plan, "court")
    add(np.isin(rd, ("RD1", "RD3", "RD4")), ceased, new_plan, "lac_review")

    plans = pd.concat(rows, ignore_index=True)
    plans["child"] = per.loc[plans["pid"], "child"].to_numpy()
    plans = plans.drop_duplicates(["child", "date", "plan", "source"])
    kids = h.children
    ids = child_ids(len(kids))
    c = plans["child"].to_numpy()
    p = per.loc[plans["pid"]]
    ep = np.where(np.isin(p["fc_type"].to_numpy(), (1, 3))
                  & (p["ffa_start"].to_numpy() <= window.data_end), p["ffa_start"], np.nan)
    match = p["match"].to_numpy()
    ao = p["ao"].to_numpy()
    not_adopted = (match <= window.data_end) & ~(ao <= window.data_end)
    match_shown = np.where(not_adopted & (plans["plan"].to_numpy() == "adoption"), match, np.nan)
    out = _frame(schema.PERMANENCE_PLANS, {
        "child": ids[c], "plan_date": iso(plans["date"]), "plan": plans["plan"].to_numpy(),
        "source": plans["source"].to_numpy(),
        "sibling_group": kids["sibling_group"].fillna("").to_numpy()[c],
        "disabled": _yes_no(kids["disabled"].to_numpy()[c]),
        "early_permanence_date": iso(ep), "match_date": iso(match_shown),
    }, len(plans))
    out["_date"] = plans["date"].to_numpy()
    out["_pid"] = plans["pid"].to_numpy()
    order = np.lexsort((out["source"].to_numpy(), out["plan"].to_numpy(), out["_date"].to_numpy(),
                        out["child"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


# --- health needs ----------------------------------------------------------------------------

_NEEDS_BABY = {"neonatal_abstinence": 0.35, "developmental_delay": 0.2,
               "foetal_alcohol_spectrum": 0.1, "genetic_condition": 0.1,
               "physical_disability": 0.1, "other": 0.15}
_NEEDS_YOUNG = {"developmental_delay": 0.4, "learning_disability": 0.15,
                "physical_disability": 0.15, "genetic_condition": 0.1, "mental_health": 0.05,
                "other": 0.15}


def health_needs(rng: np.random.Generator, h: Histories, window: Window) -> pd.DataFrame:
    """Health needs for about a third of children entering care under five (and disabled
    children of any age), identified after entry."""
    per = h.periods
    n = len(per)
    under5 = per["age_entry"].to_numpy() < 5 * YEAR
    disabled = per["cin"].to_numpy() == "N2"
    frames = []
    for k in range(2):  # a first need, and a second one for some
        p = np.where(under5, 0.33 if k == 0 else 0.1, 0.0)
        p = np.where(disabled, 0.9 if k == 0 else 0.3, p)
        has = rng.random(n) < p
        baby = per["age_entry"].to_numpy() < 28
        need = np.where(baby, choose(rng, _NEEDS_BABY, n), choose(rng, _NEEDS_YOUNG, n))
        need = np.where(disabled, choose(rng, {"physical_disability": 0.5,
                                               "learning_disability": 0.5}, n), need)
        entry = per["entry"].to_numpy()
        stop = np.minimum(per["end"].to_numpy(), window.data_end)
        date = np.floor(entry + rng.random(n) * np.maximum(stop - entry, 0))
        date = np.where(need == "neonatal_abstinence", entry + rng.integers(0, 15, n), date)
        date = np.minimum(date, stop)
        frames.append(pd.DataFrame({"child": per["child"].to_numpy()[has],
                                    "date": date[has], "need": need[has]}))
    hn = pd.concat(frames, ignore_index=True).drop_duplicates(["child", "need"])
    sev = choose(rng, {"mild": 0.4, "moderate": 0.4, "severe": 0.15, "": 0.05}, len(hn))
    ids = child_ids(len(h.children))
    hn = hn.sort_values(["child", "date", "need"]).reset_index(drop=True)
    return _frame(schema.HEALTH_NEEDS, {
        "child": ids[hn["child"].to_numpy()], "date_identified": iso(hn["date"]),
        "need": hn["need"].to_numpy(), "severity": sev,
    }, len(hn))


# --- adopters ---------------------------------------------------------------------------------


def adopters(rng: np.random.Generator, h: Histories, window: Window, size: int) -> pd.DataFrame:
    """Adopter households through enquiry, registration of interest, stage 1, stage 2,
    approval, match, placement and adoption order, or leaving the process.

    The LA's own adopters of its children (in-house placements, and foster carers who adopt,
    who are fast-tracked) are built back from the child's match; other households move
    forward from an enquiry and drop out, wait approved, or adopt a child of another LA.
    """
    end = window.data_end
    per = h.periods
    linked = per[(per["clone_of"] < 0) & (per["adopt_provider"] == "PR1")
                 & (per["match"] <= end)]
    n1 = len(linked)
    fast1 = linked["fc_type"].to_numpy() > 0
    fast1 |= rng.random(n1) < 0.08  # previous adopters
    approval = linked["match"].to_numpy() - np.floor(np.maximum(7, lognormal(rng, 110, 0.7, n1)))
    s2_end = approval - rng.integers(14, 43, n1)
    s2_start = s2_end - np.floor(np.maximum(60, lognormal(rng, 120, 0.3, n1)))
    pause = np.where(rng.random(n1) < 0.7, rng.integers(0, 31, n1), rng.integers(30, 181, n1))
    s1_end = np.where(fast1, np.nan, s2_start - pause)
    s1_start = s1_end - np.floor(np.maximum(30, lognormal(rng, 58, 0.3, n1)))
    roi = np.where(fast1, s2_start - rng.integers(2, 15, n1), s1_start - rng.integers(1, 11, n1))
    enquiry = roi - np.floor(np.maximum(1, lognormal(rng, 30, 0.8, n1)))
    sibs = h.periods.loc[h.periods["clone_of"] >= 0, "clone_of"].to_numpy()
    placed = linked["placed"].to_numpy()
    ao = linked["ao"].to_numpy()
    house1 = pd.DataFrame({
        "household_type": np.where(linked["nb_adoptr"].to_numpy() == "2", "couple", "single"),
        "ffa_approved": np.isin(linked["fc_type"].to_numpy(), (1, 3)) | (rng.random(n1) < 0.2),
        "fast_track": fast1, "recruited_by": "la",
        "enquiry": enquiry, "roi": roi, "s1_start": s1_start, "s1_end": s1_end,
        "s2_start": s2_start, "s2_end": s2_end, "approval": approval,
        "match": linked["match"].to_numpy(), "placement": placed,
        "children": np.where(linked["pid"].isin(sibs).to_numpy(), 2, 1).astype(float),
        "ao": ao, "left": np.nan, "left_reason": "",
    })

    # Households that start with an enquiry and move forward (or stop).
    start = window.first_start - 365
    n2 = int(rng.poisson(0.11 * size * (end - start) / YEAR))
    enq = np.sort(rng.integers(start, end + 1, n2)).astype(float)

    def step(prev: np.ndarray, median: float, sigma: float, lo: float) -> np.ndarray:
        return prev + np.floor(np.maximum(lo, lognormal(rng, median, sigma, n2)))

    fast2 = rng.random(n2) < 0.08
    d = {"enquiry": enq}
    d["roi"] = step(enq, 21, 0.7, 1)
    d["s1_start"] = np.where(fast2, np.nan, d["roi"] + rng.integers(2, 11, n2))
    d["s1_end"] = step(d["s1_start"], 58, 0.3, 30)
    pause = np.where(rng.random(n2) < 0.7, rng.integers(0, 31, n2), rng.integers(30, 181, n2))
    d["s2_start"] = np.where(fast2, d["roi"] + rng.integers(2, 15, n2), d["s1_end"] + pause)
    d["s2_end"] = step(d["s2_start"], 115, 0.3, 60)
    d["approval"] = d["s2_end"] + rng.integers(14, 43, n2)
    d["match"] = step(d["approval"], 100, 0.7, 7)
    d["placement"] = step(d["match"], 30, 0.5, 7)
    d["ao"] = d["placement"] + 70 + np.floor(lognormal(rng, 120, 0.5, n2))
    stages = ["enquiry", "roi", "s1_start", "s1_end", "s2_start", "s2_end", "approval", "match"]
    # How far each household gets: conversion at each step of the funnel.
    go_on = np.array([0.45, 0.9, 0.85, 0.85, 0.9, 0.95, 0.6])
    passed = rng.random((n2, len(go_on))) < go_on
    reached = np.cumprod(passed, axis=1).sum(1)  # index of the last stage reached
    reached = np.where(fast2 & (reached >= 2), np.maximum(reached, 3), reached)
    reasons = [
        {"withdrew": 1.0}, {"withdrew": 0.8, "other": 0.2}, {"withdrew": 0.7, "on_hold": 0.3},
        {"on_hold": 0.6, "withdrew": 0.4}, {"withdrew": 0.7, "on_hold": 0.3},
        {"not_approved": 0.7, "withdrew": 0.3}, {"approval_terminated": 0.3, "on_hold": 0.3},
    ]
    last_date = np.full(n2, np.nan)
    for k, s in enumerate(stages):
        d[s] = np.where(reached >= k, d[s], np.nan)
        last_date = np.where(reached == k, d[s], last_date)
    for s in ("placement", "ao"):
        d[s] = np.where(reached >= len(stages) - 1, d[s], np.nan)
    # Approved households that were not matched either wait or leave.
    stopped = reached < len(stages) - 1
    leaves = stopped & ((reached < 6) | (rng.random(n2) < 0.5))
    left = np.where(leaves, last_date + np.floor(lognormal(rng, 30, 0.6, n2)), np.nan)
    reason = np.full(n2, "", dtype=object)
    for k, opts in enumerate(reasons):
        sel = leaves & (reached == k)
        reason[sel] = choose(rng, opts, int(sel.sum()))
    house2 = pd.DataFrame({
        "household_type": np.where(rng.random(n2) < 0.85, "couple", "single"),
        "ffa_approved": rng.random(n2) < 0.15, "fast_track": fast2,
        "recruited_by": np.where(rng.random(n2) < 0.8, "la", "agency"),
        **d, "children": np.where(rng.random(n2) < 0.85, 1.0, 2.0), "left": left,
        "left_reason": reason,
    })
    house2.loc[house2["placement"].isna(), "children"] = np.nan

    hh = pd.concat([house1, house2], ignore_index=True)
    dates = ["enquiry", "roi", "s1_start", "s1_end", "s2_start", "s2_end", "approval", "match",
             "placement", "ao", "left"]
    # As known at the extract date: later steps have not happened yet.
    for col in dates:
        hh.loc[hh[col] > end, col] = np.nan
    hh.loc[hh["left"].isna(), "left_reason"] = ""
    hh.loc[hh["placement"].isna(), "children"] = np.nan
    hh = hh[hh["enquiry"].notna()]
    hh = hh.sort_values(["enquiry", "roi"], kind="stable").reset_index(drop=True)
    n = len(hh)
    return _frame(schema.ADOPTERS, {
        "household_id": [f"HH{i + 1:04d}" for i in range(n)],
        "household_type": hh["household_type"].to_numpy(),
        "ethnicity": choose(rng, {"WBRI": 0.82, "WOTH": 0.04, "MWBC": 0.03, "APKN": 0.02,
                                  "AIND": 0.02, "BAFR": 0.02, "BCRB": 0.02, "MOTH": 0.02,
                                  "OOTH": 0.01}, n),
        "ffa_approved": _yes_no(hh["ffa_approved"].to_numpy(dtype=bool)),
        "fast_track": _yes_no(hh["fast_track"].to_numpy(dtype=bool)),
        "recruited_by": hh["recruited_by"].to_numpy(),
        "enquiry_date": iso(hh["enquiry"]), "roi_date": iso(hh["roi"]),
        "stage1_start": iso(hh["s1_start"]), "stage1_end": iso(hh["s1_end"]),
        "stage2_start": iso(hh["s2_start"]), "stage2_end": iso(hh["s2_end"]),
        "approval_date": iso(hh["approval"]), "match_date": iso(hh["match"]),
        "placement_date": iso(hh["placement"]),
        "children_placed": [f"{int(x)}" if x == x else "" for x in hh["children"]],
        "ao_date": iso(hh["ao"]), "left_date": iso(hh["left"]),
        "left_reason": hh["left_reason"].to_numpy(),
    }, n)


# --- staffing and costs ----------------------------------------------------------------------

_STAFF = [  # team, role, FTE per 100 children looked after in a year
    ("recruitment_assessment", "social worker", 0.8),
    ("recruitment_assessment", "senior practitioner", 0.25),
    ("family_finding", "family finder", 0.5),
    ("childrens_social_work", "social worker", 1.0),
    ("adoption_support", "social worker", 0.3),
    ("adoption_support", "adoption support worker", 0.4),
    ("management", "team manager", 0.25),
    ("management", "service manager", 0.1),
    ("business_support", "business support officer", 0.4),
]


def staffing(rng: np.random.Generator, window: Window, size: int) -> pd.DataFrame:
    """FTE by financial year, team and role, scaled to the LA's size."""
    rows = []
    for ye in window.year_ends:
        for team, role, per100 in _STAFF:
            fte = max(0.2, round(per100 * size / 100 * (0.85 + 0.3 * rng.random()), 1))
            rows.append((financial_year(ye), team, role, f"{fte:.1f}"))
    return pd.DataFrame(rows, columns=schema.STAFFING.column_names)


#: The purpose each synthetic cost row gives; blank (None) leaves it to the kit's defaults:
#: staff split by the staffing file's FTE, panel and ADM by the year's placements and
#: approvals, other apportioned like overheads.
_COST_PURPOSE = {
    "staff": None, "interagency_fees_paid": "placing", "adoption_allowances": "support",
    "panel_adm": None, "recruitment_marketing": "recruiting", "legal": "placing",
    "overheads": "overheads", "other": None, "interagency_fees_received": "placing",
}


def costs(rng: np.random.Generator, h: Histories, window: Window,
          staff: pd.DataFrame) -> pd.DataFrame:
    """Adoption service costs by financial year and category, and interagency fee income.

    Interagency fees follow the adoptive placements made with other agencies' adopters; legal
    costs the placement orders; staff costs the FTE at an average salary with on-costs. Rows
    say what they pay for where one purpose is plain (:data:`_COST_PURPOSE`) and leave it blank
    where the kit's defaults split them.
    """
    per = h.periods[h.periods["clone_of"] < 0]
    rows = []
    fte = staff.assign(fte=staff["fte"].astype(float)).groupby("financial_year")["fte"].sum()
    for i, ye in enumerate(window.year_ends):
        fy = financial_year(ye)
        ys, yend = window.start_of(ye), window.end_of(ye)
        in_year = (per["placed"] >= ys) & (per["placed"] <= yend)
        ra = int((in_year & (per["adopt_provider"] == "PR2")).sum())
        vaa = int((in_year & (per["adopt_provider"] == "PR5")).sum())
        pos = int(((per["po"] >= ys) & (per["po"] <= yend)).sum())
        uplift = 1.03 ** i
        staff_cost = fte[fy] * 52_000 * uplift
        amounts = {
            "staff": staff_cost,
            "interagency_fees_paid": ra * 27_000 + vaa * 36_000 * uplift,
            "adoption_allowances": (40_000 + 9_000 * rng.poisson(8)) * uplift,
            "panel_adm": (30_000 + 15_000 * rng.random()) * uplift,
            "recruitment_marketing": (18_000 + 20_000 * rng.random()) * uplift,
            "legal": pos * 4_500 * uplift,
            "overheads": 0.15 * staff_cost,
            "other": (5_000 + 10_000 * rng.random()) * uplift,
        }
        for cat, amount in amounts.items():
            rows.append((fy, cat, _COST_PURPOSE[cat] or "", f"{round(amount)}", "no"))
        # Fees received when other LAs' children are placed with this LA's adopters.
        rows.append((fy, "interagency_fees_received", _COST_PURPOSE["interagency_fees_received"],
                     f"{27_000 * int(rng.integers(0, 4))}", "yes"))
    return pd.DataFrame(rows, columns=schema.COSTS.column_names)


# --- case audits ------------------------------------------------------------------------------

_COMMENTS = {
    "yes": [
        "The referral was made promptly and included the previous support plan.",
        "Assessment is thorough, analysis is clear and the child's views are recorded.",
        "The plan sets out the support, who provides it and clear timescales.",
        "The plan was reviewed on time and the rationale for continued input is clear.",
        "The children's wishes and feelings are recorded in their own words and acted on.",
        "The carers' views were sought and clearly shaped the updated plan.",
        "Supervision notes show regular management oversight and clear decisions.",
        "Recording is up to date, succinct and easy to follow.",
        "Identity, culture and the child's heritage are considered throughout.",
        "The children are safe and their interests are actively promoted.",
        "There is evidence that support is improving the family's stability.",
        "Direct work with the children was creative and well planned.",
        "A clear closure summary explains how needs were met and where support continues.",
    ],
    "partly": [
        "The referral was timely but the previous support plan was not on file.",
        "The assessment is complete but the analysis could be sharper.",
        "The plan is clear but several actions lack timescales.",
        "The plan was reviewed late; the reason for continued input is implied, not stated.",
        "The older child's views are recorded but not the younger sibling's.",
        "The carers were consulted but wider family views are not recorded.",
        "Oversight is recorded but decisions lack a rationale.",
        "Most recording is current; two visits were written up late.",
        "Identity is mentioned but its impact on the plan is not explored.",
        "The child is safe; some actions to promote their interests are outstanding.",
        "Some improvement is evident but it is too early to judge the impact.",
        "Some good relationship-based work, not yet consistent.",
        "A closure summary exists but does not say where support has passed.",
    ],
    "no": [
        "The referral was delayed and arrived without the relevant information.",
        "The assessment is incomplete and the child's voice is missing.",
        "There is no clear plan and no timescales.",
        "The plan has not been reviewed within the expected timescale.",
        "The children's wishes and feelings have not been sought.",
        "The carers' views are not recorded.",
        "There is no evidence of management oversight on the file.",
        "Recording is several weeks out of date.",
        "There is no consideration of identity or diversity.",
        "Concerns raised by school were not followed up.",
        "No evidence that the support is making a difference.",
        "No good practice could be identified on this file.",
        "There is no closure summary on the file.",
    ],
}
_ACTIONS = [
    "Social worker to update the support plan with timescales within 10 working days.",
    "Team manager to record a supervision decision on the file within 5 working days.",
    "Social worker to complete direct work to gather the child's views before the next visit.",
    "Social worker to bring recording up to date within 10 working days.",
    "Team manager to review the plan with the family and record the rationale for continued "
    "support.",
    "Social worker to write a closure summary and confirm where support has passed.",
]
_GOOD = [
    "Warm, child-centred direct work with the children.",
    "Timely access to therapeutic support through the Adoption Support Fund.",
    "Strong partnership with the school around the child's needs.",
    "Carers feel listened to and supported.",
    "Clear, well-analysed assessment.",
]


def _band(score: np.ndarray) -> np.ndarray:
    """The form's judgement score table: 10-9 outstanding, 8-6 good, 5-4 requires
    improvement, 3-1 inadequate."""
    return np.select([score >= 9, score >= 6, score >= 4],
                     ["outstanding", "good", "requires_improvement"], "inadequate")


def case_audits(rng: np.random.Generator, window: Window, size: int) -> pd.DataFrame:
    """Adoption-support case audit forms over the last three financial years (one row each)."""
    years = window.year_ends[-3:]
    hol = holidays.country_holidays("GB", subdiv="ENG", years=range(years[0] - 4, years[-1] + 2))
    hol_days = np.array(sorted(hol), dtype="datetime64[D]")

    def wd(dates: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Shift day numbers by a number of working days (England and Wales)."""
        d = np.asarray(dates, dtype=np.int64).astype("datetime64[D]")
        return (np.busday_offset(d, offsets.astype(np.int64), roll="forward",
                                 holidays=hol_days) - np.datetime64(EPOCH, "D")).astype(float)

    start = window.start_of(years[0])
    n = int(rng.poisson(size / 12 * len(years)))
    audited = wd(np.sort(rng.integers(start, window.data_end - 5, n)), np.zeros(n))
    audited = np.minimum(audited, window.data_end)
    reason = choose(rng, {"within_60_days": 0.45, "six_monthly": 0.35, "closure": 0.2}, n)
    on_time = rng.random(n) < 0.8
    wd_since = np.where(on_time, rng.integers(15, 61, n), rng.integers(61, 95, n))
    case_start = np.where(reason == "within_60_days", wd(audited, -wd_since), np.nan)
    prev = np.where(reason == "six_monthly",
                    audited - np.where(on_time, rng.integers(150, 183, n),
                                       rng.integers(183, 260, n)), np.nan)
    closure = np.where(reason == "closure", audited - rng.integers(0, 30, n), np.nan)
    case_start = np.where(reason == "six_monthly", prev - rng.integers(60, 400, n), case_start)
    case_start = np.where(reason == "closure", closure - rng.integers(180, 900, n), case_start)

    quality = rng.beta(2.5, 2, n)  # how good the case is: most good, a tail of weak ones
    data: dict[str, object] = {}
    share = np.zeros(n)
    counted = np.zeros(n)
    for q in range(1, schema.AUDIT_QUESTIONS + 1):
        u = rng.random(n)
        ans = np.where(u < quality, "yes", np.where(u < quality + (1 - quality) * 0.6,
                                                    "partly", "no")).astype(object)
        na = (rng.random(n) < 0.05) if q != 4 else (rng.random(n) < 0.3)
        ans = np.where(na, "not_applicable", ans)
        if q == 13:
            ans = np.where(reason == "closure", ans, "not_applicable")
            ans = np.where((reason == "closure") & (ans == "not_applicable"), "yes", ans)
        bank = {k: np.array(v, dtype=object) for k, v in _COMMENTS.items()}
        text = np.full(n, "", dtype=object)
        for k, v in bank.items():
            sel = ans == k
            text[sel] = v[q - 1]
        bare = rng.random(n)
        text = np.where((bare < 0.1) & (ans == "yes"), "Yes", text)
        text = np.where((bare < 0.1) & (ans == "no"), "No", text)
        text = np.where((bare > 0.96) | (ans == "not_applicable"), "", text)
        data[f"q{q}"] = ans
        data[f"q{q}_comment"] = text
        val = np.select([ans == "yes", ans == "partly"], [1.0, 0.5], 0.0)
        applies = ans != "not_applicable"
        share += np.where(applies, val, 0)
        counted += applies
    # The auditor's 1-10 judgement follows the answers, with some individual judgement.
    score = np.clip(np.round(0.5 + 9 * share / np.maximum(counted, 1)
                             + rng.normal(0, 0.7, n)), 1, 10).astype(int)
    needs_action = (score <= 7) | (rng.random(n) < 0.1)
    actions = np.where(needs_action, choose(rng, {a: 1 for a in _ACTIONS}, n), "")
    due = np.where(needs_action, wd(audited, np.full(n, 20)), np.nan)
    # Most actions are completed by their due date, some late, a few still open.
    done = rng.random(n)
    completed = wd(np.where(needs_action, due, audited),
                   np.where(done < 0.75, -rng.integers(0, 10, n), rng.integers(1, 25, n)))
    completed = np.where(~needs_action | (done > 0.93) | (completed > window.data_end), np.nan,
                         completed)
    late = rng.random(n)
    response = wd(audited, np.where(late < 0.8, rng.integers(1, 6, n), rng.integers(6, 16, n)))
    response = np.where((late > 0.97) | (response > window.data_end), np.nan, response)
    workers = max(6, size // 60)
    worker = rng.integers(1, workers + 1, n)
    role_of = choose(rng, {"social worker": 0.7, "senior practitioner": 0.2,
                           "advanced practitioner": 0.1}, workers + 1)
    data.update({
        "audit_id": [f"AUD{i + 1:04d}" for i in range(n)],
        "case_ref": [f"ICS{x:07d}" for x in rng.integers(1_000_000, 9_999_999, n)],
        "team": "adoption support", "worker_ref": [f"W{w:03d}" for w in worker],
        "worker_role": role_of[worker],
        "auditor_ref": [f"QA{a:02d}" for a in rng.integers(1, 6, n)],
        "category": "adoptive support", "audit_reason": reason,
        "case_start_date": iso(case_start), "closure_date": iso(closure),
        "previous_audit_date": iso(prev), "date_audited": iso(audited),
        "good_practice": np.where(data["q12"] == "yes", choose(rng, {g: 1 for g in _GOOD}, n),
                                  ""),
        "restorative_actions": actions, "action_due_date": iso(due),
        "actions_completed_date": iso(completed),
        "overall_grade": _band(score), "score": score.astype(str),
        "response_date": iso(response),
    })
    return _frame(schema.CASE_AUDITS, {k: (v if not isinstance(v, str) else [v] * n)
                                       for k, v in data.items()}, n)


def comparators(window: Window) -> pd.DataFrame:
    """The synthetic LA's neighbours: made-up figures, labelled as such, so that the demo shows
    where an LA's own comparators appear."""
    last = financial_year(window.year_ends[-1])
    rows = [("a1_mean_days", "synthetic neighbours", "455", f"{last}, made up for the demo"),
            ("a2_mean_days", "synthetic neighbours", "150", f"{last}, made up for the demo"),
            ("adopted_share_of_leavers_pct", "synthetic region", "11",
             f"{last}, made up for the demo")]
    return pd.DataFrame([(*r, "adoption-diagnostic synthetic data") for r in rows],
                        columns=schema.COMPARATORS.column_names)


def build(rng: np.random.Generator, h: Histories, window: Window,
          size: int) -> dict[str, pd.DataFrame]:
    """Every local extract, keyed by path (``local/permanence_plans.csv``).

    Each extract is drawn from the generator's state it would have had from the histories
    before the children still waiting were given their endings (``h.before``, see
    ``history.after_the_decision``), so an extract that does not read the histories (staffing,
    case audits) comes out as it was, and one that does moves only with them."""
    steps = [
        ("local/staffing.csv", lambda r, hh, out: staffing(r, window, size)),
        ("local/permanence_plans.csv", lambda r, hh, out: permanence_plans(r, hh, window)),
        ("local/health_needs.csv", lambda r, hh, out: health_needs(r, hh, window)),
        ("local/adopters.csv", lambda r, hh, out: adopters(r, hh, window, size)),
        ("local/costs.csv", lambda r, hh, out: costs(r, hh, window, out["local/staffing.csv"])),
        ("local/case_audits.csv", lambda r, hh, out: case_audits(r, window, size)),
        ("local/comparators.csv", lambda r, hh, out: comparators(window)),
    ]
    states = None
    if h.before is not None:
        states, start, seen = [], rng.bit_generator.state, {}
        for path, step in steps:
            states.append(rng.bit_generator.state)
            seen[path] = step(rng, h.before, seen)
        end = rng.bit_generator.state
        rng.bit_generator.state = start
    out: dict[str, pd.DataFrame] = {}
    for i, (path, step) in enumerate(steps):
        if states is not None:
            rng.bit_generator.state = states[i]
        out[path] = step(rng, h, out)
    if states is not None:
        rng.bit_generator.state = end
    order = ["local/permanence_plans.csv", "local/health_needs.csv", "local/adopters.csv",
             "local/staffing.csv", "local/costs.csv", "local/case_audits.csv",
             "local/comparators.csv"]
    return {k: out[k] for k in order}
