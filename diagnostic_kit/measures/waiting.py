"""Section 2: time to an adoptive placement counting every child, and the waiting and flow
measures (``docs/methodology.md``, "Children still waiting").

A1, A2, A10 and the stage statistics count only finished journeys: a child still waiting drops
out of every one of them until adopted, if ever. Here every child with an ADM decision in the
reporting period counts, from the day the clock starts to the first thing that happened:

- **Cohort**: each child whose journey's ADM decision (``derive.journeys``' ``adm_date``: the
  latest decision in the period of care on or before the adoptive placement) was made in the
  reporting period, once: a child with decisions in two periods of care counts at the later.
  ``cohort`` is the financial year of that decision.
- **Clock** (``ORIGINS``): from the ADM decision; from the placement order (the same children,
  those with an order made before they left the waiting); from care entry (the same children,
  the span A1 measures for the children adopted).
- **Event**: the adoptive placement (first PLACE A3–A6 episode).
- **Competing outcomes**, whichever came first (``OUTCOMES``): the decision reversed
  (PlacedAdoption DATE_PLACED_CEASED) or the local plan changed away from adoption after the
  decision (``plan_changed``); a special guardianship order (the period of care ending REC
  E43–E48, ``sgo``); returned home (E4A/E4B, ``home``); left care any other way (``left_care``).
  A period of care that ends the day the decision is reversed counts as its ending (SGO, home,
  left care): that is what happened instead.
  A child adopted with no adoptive placement date is left out with that reason.
- **Censored**: still waiting at the reference date, or at the end of the data where the
  returns end before it (the latest date in the periods of care).

The share placed by a given time is the **cumulative incidence** of placement (Aalen–Johansen,
statsmodels' ``CumIncidenceRight``), which counts a child whose decision was reversed as not
placed; the Kaplan–Meier complement (statsmodels' ``SurvfuncRight``, competing outcomes
treated as censored) overstates it and is given only for comparison. The probability of
still waiting is the Kaplan–Meier estimate of leaving the waiting any way. The **median** time
is the first day the cumulative incidence of placement reaches 50% ("not reached" when it does
not, e.g. when more than half the children leave another way or are still waiting), with its
95% interval read where the interval's bounds reach 50%. Months are days ÷ (365.25 / 12):
6 months is 183 days, 12 months 365, 18 months 548.

statsmodels (about a second to import) is imported inside the function that estimates, never
when this module is imported: every section's kernel imports the kit, and only sections 0 and 2
need the estimators. Its 95% interval of the placement curve is its standard error (the delta
method) on the log(−log) scale.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnostic_kit.derive import events
from diagnostic_kit.derive.journeys import financial_year
from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import cohorts as ch
from diagnostic_kit.measures.cohorts import as_flag, in_period, share
from diagnostic_kit.measures.headline import Headline, shortfall
from diagnostic_kit.registry import table_anchor

#: Where the clock starts: key → (journey column, words).
ORIGINS: dict[str, tuple[str, str]] = {
    "adm": ("adm_date", "the ADM decision"),
    "po": ("po_date", "the placement order"),
    "entry": ("care_entry", "care entry"),
}
#: The ways out of waiting, in code order (0 is censored: still waiting).
OUTCOMES: tuple[str, ...] = ("placed", "plan_changed", "sgo", "home", "left_care")
OUTCOME_CODE = {o: i + 1 for i, o in enumerate(OUTCOMES)}
#: The times the shares placed are read at, in months.
WITHIN_MONTHS: tuple[int, ...] = (6, 12, 18)
MONTH_DAYS = 365.25 / 12
#: Whole period: the cohorts pooled.
ALL = "All years"
LEVEL = 0.95


def month_days(months: float) -> int:
    """Months as days, rounded half up: 6 → 183, 12 → 365, 18 → 548."""
    return int(np.floor(months * MONTH_DAYS + 0.5))


# -- the cohort ---------------------------------------------------------------------------------

def data_end(periods: pd.DataFrame | None) -> pd.Timestamp | None:
    """The last day the returns cover: 31 March ending the collection year of the latest date
    they hold (an episode start or the end of a period of care), or None without periods. A
    return covers its whole year, so a quiet last week is still followed."""
    if periods is None or not len(periods):
        return None
    dates = pd.concat([pd.to_datetime(periods["first_decom"]),
                       pd.to_datetime(periods["period_end"])]).dropna()
    if dates.empty:
        return None
    last = pd.Timestamp(dates.max())
    return pd.Timestamp(last.year + (last.month >= 4), 3, 31)


def censor_date(params: Params, periods: pd.DataFrame | None = None) -> pd.Timestamp:
    """The day follow-up ends: the reference date, or the end of the data when earlier."""
    ref = pd.Timestamp(params.reference_date)
    end = data_end(periods)
    return min(ref, end) if end is not None else ref


def plan_away_dates(journeys: pd.DataFrame, plans: pd.DataFrame | None) -> pd.Series:
    """Per journey (``period_id``), the first local permanence plan (``permanence_plans``)
    after its ADM decision that is not adoption: the plan changed away from adoption. NaT
    where there is none or no plans were given."""
    ids = journeys["period_id"]
    out = pd.Series(pd.NaT, index=ids.to_numpy(), dtype="datetime64[ns]")
    if plans is None or not len(plans):
        return out
    window = journeys[["period_id", "child", "care_entry", "period_end", "adm_date"]]
    p = events.plans_in_periods(plans, window)
    away = p.loc[p["plan"].astype("string").ne("adoption").fillna(False)
                 & p["adm_date"].notna() & (p["plan_date"] > p["adm_date"])]
    first = away.groupby("period_id")["plan_date"].min()
    return first.reindex(out.index).astype("datetime64[ns]")


def outcomes(journeys: pd.DataFrame, params: Params, plans: pd.DataFrame | None = None,
             periods: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each journey's way out of waiting after its ADM decision and its date, as seen at the
    censoring date (:func:`censor_date`; later dates have not happened yet): ``exit`` (an
    :data:`OUTCOMES` key, or NA still waiting), ``exit_date``, ``excluded`` (why it cannot be
    followed, else NA), and ``instead`` for a plan changed: how the period of care ended by
    then (``sgo``, ``home``, ``cao``, ``left_care``) or NA still looked after. Same index as
    ``journeys``."""
    cut = censor_date(params, periods)
    j = journeys

    def seen(col: str) -> pd.Series:
        d = pd.to_datetime(j[col])
        return d.where(d <= cut)

    placed = seen("placement_date")
    away = pd.Series(plan_away_dates(j, plans).reindex(j["period_id"]).to_numpy(),
                     index=j.index)
    changed = pd.concat([seen("reversed_date"), away.where(away <= cut)], axis=1).min(axis=1)
    end = seen("period_end")
    rec = (j["end_reason"] if "end_reason" in j else pd.Series(pd.NA, index=j.index)
           ).astype("string").str.upper()
    ended = pd.Series(np.select(
        [rec.isin(codes.REC_SGO).fillna(False), rec.isin(codes.REC_RETURNED_HOME).fillna(False),
         rec.isin(codes.REC_ADOPTED).fillna(False), rec.eq("E41").fillna(False)],
        ["sgo", "home", "adopted", "cao"], "left_care"), index=j.index, dtype="string")
    ended = ended.where(end.notna())
    cand = pd.DataFrame({"placed": placed,
                         "ended": end.where(ended.ne("adopted").fillna(False)),
                         "plan_changed": changed})
    first = cand.min(axis=1)
    # The first thing that happened. On the same day a placement counts before the rest, and
    # the end of the period of care (an SGO made at the hearing that refused the order, a
    # return home) before the decision reversed that day: it says what happened instead.
    exit_ = pd.Series(pd.NA, index=j.index, dtype="string")
    for col in reversed(cand.columns):
        exit_ = exit_.mask(cand[col].notna() & cand[col].eq(first), col)
    exit_ = exit_.mask(exit_.eq("ended").fillna(False), ended.replace("cao", "left_care"))
    excluded = pd.Series(pd.NA, index=j.index, dtype="string")
    no_placement = ended.eq("adopted").fillna(False) & placed.isna()
    excluded = excluded.mask(no_placement, "adopted with no adoptive placement date")
    instead = ended.where(exit_.eq("plan_changed").fillna(False))
    instead = instead.mask(instead.eq("adopted").fillna(False), pd.NA)
    return pd.DataFrame({"exit": exit_.where(excluded.isna()),
                         "exit_date": first.where(excluded.isna()),
                         "excluded": excluded, "instead": instead}, index=j.index)


def _latest_per_child(j: pd.DataFrame) -> pd.DataFrame:
    order = j.assign(_d=pd.to_datetime(j["adm_date"])).sort_values(["child", "_d"],
                                                                   kind="stable")
    return order.drop_duplicates("child", keep="last").drop(columns="_d")


def followed(journeys: pd.DataFrame, params: Params, plans: pd.DataFrame | None = None,
             periods: pd.DataFrame | None = None) -> pd.DataFrame:
    """The children with an ADM decision in the period, one row per child (the child's latest
    such journey), with their journey's columns and :func:`outcomes`' (``exit``,
    ``exit_date``, ``excluded``, ``instead``), and ``censor`` (the censoring date): what every
    clock of :func:`cohort` reads."""
    cut = censor_date(params, periods)
    adm = pd.to_datetime(journeys["adm_date"])
    j = _latest_per_child(journeys.loc[in_period(adm, params) & adm.le(cut)])
    return pd.concat([j, outcomes(j, params, plans, periods)], axis=1).assign(censor=cut)


def cohort(journeys: pd.DataFrame, params: Params, origin: str = "adm",
           plans: pd.DataFrame | None = None, periods: pd.DataFrame | None = None, *,
           children: pd.DataFrame | None = None) -> pd.DataFrame:
    """The children followed from ``origin`` (:data:`ORIGINS`), one row per child (see the
    module): ``period_id, child, pseudonym, cohort`` (financial year of the decision),
    ``start`` (the origin date), ``end`` (the exit or censoring date), ``days``, ``outcome``
    (an :data:`OUTCOMES` key, or ``waiting`` when censored), ``event`` (its code, 0 censored),
    ``instead`` and ``excluded`` (why the child cannot be followed: then ``days`` is NaN).
    ``children`` is :func:`followed` when the caller has it already.

    For ``po``, only children with a placement order made before they left the waiting (and by
    the censoring date) are in; for ``entry``, a child whose care entry is before the data is
    excluded."""
    if origin not in ORIGINS:
        raise ValueError(f"unknown origin {origin!r}: one of {list(ORIGINS)}")
    j = followed(journeys, params, plans, periods) if children is None else children
    start = pd.to_datetime(j[ORIGINS[origin][0]])
    excluded = j["excluded"].astype("string")
    end = pd.to_datetime(j["exit_date"]).fillna(j["censor"])
    if origin == "po":
        keep = start.notna() & start.le(end)
        j, start, end, excluded = j[keep], start[keep], end[keep], excluded[keep]
    if origin == "entry" and "entry_known" in j:
        unknown = ~as_flag(j["entry_known"]) | start.isna()
        excluded = excluded.mask(unknown & excluded.isna(), "care entry before the data")
    days = (end - start).dt.days.astype("float64")
    excluded = excluded.mask(days.lt(0).fillna(False) & excluded.isna(),
                             f"dates out of order: the exit is before {ORIGINS[origin][1]}")
    days = days.where(excluded.isna())
    outcome = j["exit"].astype("string").fillna("waiting").where(excluded.isna())
    res = pd.DataFrame({
        "period_id": j["period_id"].to_numpy(), "child": j["child"].to_numpy(),
        "pseudonym": j["pseudonym"].to_numpy() if "pseudonym" in j else pd.NA,
        "cohort": financial_year(pd.to_datetime(j["adm_date"])).to_numpy(),
        "start": start.to_numpy(), "end": end.to_numpy(), "days": days.to_numpy(),
        "outcome": outcome.astype("string").to_numpy(),
        "instead": j["instead"].to_numpy(), "excluded": excluded.to_numpy()})
    res["event"] = res["outcome"].map(OUTCOME_CODE).fillna(0).astype(int)
    return res.reset_index(drop=True)


# -- the estimators ------------------------------------------------------------------------------

def _z() -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + LEVEL / 2)


def _loglog_bounds(f: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A 95% interval for a cumulative incidence ``f`` from its standard error ``se``, on the
    log(−log) scale (so that it stays within 0 and 1): θ = log(−log f), se(θ) = se / (f |log
    f|), f = exp(−exp(θ)). NaN where f is 0 or 1 or the error is unknown."""
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.log(-np.log(f))
        se_t = se / (f * np.abs(np.log(f)))
        a = np.exp(-np.exp(theta + _z() * se_t))
        b = np.exp(-np.exp(theta - _z() * se_t))
    ok = (f > 0) & (f < 1) & np.isfinite(se_t)
    return np.where(ok, np.fmin(a, b), np.nan), np.where(ok, np.fmax(a, b), np.nan)


@dataclass
class Estimate:
    """The estimators on one group of children, read at whole days.

    ``curves``: one row per day from 0 to the longest follow-up, with ``at_risk`` (still
    followed that day), ``waiting`` (Kaplan–Meier probability of not having left waiting),
    ``cif_<outcome>`` for each outcome (Aalen–Johansen cumulative incidence), ``low``/``high``
    (the 95% interval of ``cif_placed``) and ``km_placed`` (1 − Kaplan–Meier with the other
    outcomes censored: for comparison only). ``counts``: children per outcome and ``waiting``
    (censored), and ``children``."""

    children: int
    counts: dict[str, int]
    curves: pd.DataFrame
    followed_days: float = 0.0
    #: Whether the longest follow-up ended in an exit: every child has left waiting by then, so
    #: the curves hold at any later day.
    complete: bool = False

    def at(self, days: int, col: str = "cif_placed") -> float:
        """A curve's value at ``days`` (its last value before when the follow-up is shorter:
        see :meth:`followed`); NaN with no child."""
        if not self.children or self.curves.empty:
            return float("nan")
        c = self.curves[col]
        return float(c.iloc[min(days, len(c) - 1)])

    def followed(self, days: int) -> bool:
        """Whether the curves are known at ``days``: a child was still followed then, or every
        child had left waiting before (else a share then is unknown)."""
        return bool(self.children) and (self.followed_days >= days or self.complete)

    def median(self) -> tuple[float, float, float]:
        """The median days to placement (the first day the cumulative incidence reaches 50%)
        with its 95% interval (the first days the upper and lower bounds reach it); NaN where
        it is not reached."""
        if not self.children or self.curves.empty:
            return (np.nan, np.nan, np.nan)

        def first(col: str) -> float:
            hit = np.flatnonzero(self.curves[col].to_numpy(dtype=float) >= 0.5 - 1e-12)
            return float(hit[0]) if len(hit) else np.nan

        return first("cif_placed"), first("high"), first("low")


def estimate(group: pd.DataFrame, horizon: int | None = None, *, interval: bool = True,
             full: bool = True) -> Estimate:
    """The Kaplan–Meier and Aalen–Johansen estimates (statsmodels) for ``group`` (rows of
    :func:`cohort` not excluded), read at every whole day from 0 to ``horizon`` (default: the
    longest follow-up). ``interval``: the 95% interval of the placement curve (its standard
    error on log(−log F), :func:`_loglog_bounds`). Without ``full``, only the curves the
    cohort years and the other clocks need (placement; the Kaplan–Meier ones are left out)."""
    g = group.loc[group["excluded"].isna() & group["days"].notna()]
    counts = {o: int(g["outcome"].eq(o).sum()) for o in (*OUTCOMES, "waiting")}
    n = len(g)
    longest = float(g["days"].max()) if n else 0.0
    horizon = int(longest if horizon is None else horizon)
    grid = np.arange(horizon + 1, dtype="float64")
    curves = pd.DataFrame({"day": grid.astype(int)})
    if not n:
        return Estimate(0, counts, curves.iloc[0:0])
    # statsmodels' estimators (scipy underneath, about a second to import): only here.
    from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight

    dur = g["days"].to_numpy(dtype="float64")
    ev = g["event"].to_numpy()
    # Read each step function at the end of each day: a day's events are in it, and a child
    # censored on a day was still at risk that day (the usual convention, and statsmodels').
    at = grid + 0.25
    ordered = np.sort(dur)
    curves["at_risk"] = len(dur) - np.searchsorted(ordered, grid, side="left")
    with warnings.catch_warnings():
        # At the last child the variance divides by zero: no interval there (NaN).
        warnings.simplefilter("ignore")
        if full:
            km_all = SurvfuncRight(dur, (ev != 0).astype(int))
            curves["waiting"] = _step_at(pd.Series(km_all.surv_prob, km_all.surv_times), at,
                                         before=1.0)
            km_p = SurvfuncRight(dur, (ev == OUTCOME_CODE["placed"]).astype(int))
            curves["km_placed"] = 1 - _step_at(pd.Series(km_p.surv_prob, km_p.surv_times), at,
                                               before=1.0)
        # Aalen-Johansen: every outcome's cumulative incidence at once (causes 1..k).
        aj = CumIncidenceRight(dur, ev) if (ev != 0).any() else None
    for o in OUTCOMES if full else OUTCOMES[:1]:
        code = OUTCOME_CODE[o]
        want_ci = interval and o == "placed"
        if aj is None or not (ev == code).any():
            curves[f"cif_{o}"] = 0.0
            if want_ci:
                curves["low"], curves["high"] = 0.0, np.nan
            continue
        cif = np.asarray(aj.cinc[code - 1], dtype="float64")
        curves[f"cif_{o}"] = _step_at(pd.Series(cif, aj.times), at)
        if want_ci:
            lo, hi = _loglog_bounds(cif, np.asarray(aj.cinc_se[code - 1], dtype="float64"))
            curves["low"] = _step_at(pd.Series(lo, aj.times), at)
            curves["high"] = _step_at(pd.Series(hi, aj.times), at)
    if interval and "low" in curves:
        # Before the first placement the curve is 0 with no spread.
        none = curves["cif_placed"].le(0)
        curves.loc[none, ["low", "high"]] = 0.0
    last = g["days"].eq(longest)
    complete = bool(g.loc[last, "event"].ne(0).all())
    return Estimate(n, counts, curves, followed_days=longest, complete=complete)


def _step_at(series: pd.Series, at: np.ndarray, before: float = 0.0) -> np.ndarray:
    """A step function given at its change points (index: times), read at ``at``; ``before``
    its value before the first change point."""
    s = series.astype("float64").sort_index()
    if s.empty:  # no change at all (no event): the value it starts at, throughout
        return np.full(len(at), before)
    idx = np.searchsorted(s.index.to_numpy(dtype=float), at, side="right") - 1
    vals = s.to_numpy()
    out = np.where(idx >= 0, vals[np.clip(idx, 0, len(vals) - 1)], before)
    # Where an interval cannot be computed (the last child): carry the last value.
    return pd.Series(out).ffill().to_numpy()


# -- the tables of the section ------------------------------------------------------------------

@dataclass
class Waiting:
    """Every child followed from each origin (``cohorts``: :func:`cohort`), and the estimates
    by cohort year and for all years (``estimates[origin][year]``)."""

    cohorts: dict[str, pd.DataFrame]
    estimates: dict[str, dict[str, Estimate]]
    censor: pd.Timestamp

    def all(self, origin: str = "adm") -> Estimate:
        return self.estimates[origin][ALL]


def analyse(journeys: pd.DataFrame, params: Params, plans: pd.DataFrame | None = None,
            periods: pd.DataFrame | None = None, origins: tuple[str, ...] = tuple(ORIGINS),
            by_year: tuple[str, ...] = ("adm",)) -> Waiting:
    """The section's estimates, made once: for each origin the cohort and its estimate over
    all years; for the origins in ``by_year``, each cohort year's too (with their intervals)."""
    cohorts_, est = {}, {}
    kids = followed(journeys, params, plans, periods)
    for origin in origins:
        c = cohort(journeys, params, origin, children=kids)
        cohorts_[origin] = c
        est[origin] = {ALL: estimate(c, full=origin == "adm")}
        if origin in by_year:
            for year in sorted(c["cohort"].dropna().unique()):
                est[origin][year] = estimate(c.loc[c["cohort"].eq(year)], full=False)
    return Waiting(cohorts_, est, censor_date(params, periods))


def estimate_table(w: Waiting, origin: str = "adm") -> pd.DataFrame:
    """Per cohort year and all years: children followed, how many were placed, left another way
    (each way) or are still waiting; the share placed within 6, 12 and 18 months (cumulative
    incidence, %) with its 95% interval; the Kaplan–Meier figure at 12 months ignoring the other
    ways out (for comparison); the median days with its interval. A share at a time no child
    of the year was followed to is NaN."""
    rows = []
    for year, e in w.estimates[origin].items():
        row: dict = {"cohort": year, "children": e.children, **{
            o: e.counts[o] for o in (*OUTCOMES, "waiting")}}
        for m in WITHIN_MONTHS:
            d = month_days(m)
            ok = e.followed(d)
            row[f"within_{m}"] = 100 * e.at(d) if ok else np.nan
            row[f"within_{m}_low"] = 100 * e.at(d, "low") if ok and "low" in e.curves else np.nan
            row[f"within_{m}_high"] = (100 * e.at(d, "high") if ok and "high" in e.curves
                                       else np.nan)
        row["km_within_12"] = 100 * e.at(month_days(12), "km_placed") if (
            e.followed(month_days(12)) and "km_placed" in e.curves) else np.nan
        med, lo, hi = e.median()
        row.update({"median": med, "median_low": lo, "median_high": hi})
        rows.append(row)
    out = pd.DataFrame(rows)
    years = [r for r in out["cohort"] if r != ALL]
    order = {y: i for i, y in enumerate(sorted(years))} | {ALL: len(years)}
    return out.sort_values("cohort", key=lambda s: s.map(order)).reset_index(drop=True)


def curves_long(w: Waiting, origin: str = "adm", years: bool = True) -> pd.DataFrame:
    """The placement curves as one frame for a chart: ``cohort, day, months, cif, low, high,
    at_risk``, each cohort year's (``years``) and all years'."""
    frames = []
    for year, e in w.estimates[origin].items():
        if (year != ALL and not years) or e.curves.empty:
            continue
        c = e.curves
        frames.append(pd.DataFrame({
            "cohort": year, "day": c["day"], "months": c["day"] / MONTH_DAYS,
            "cif": c["cif_placed"], "low": c.get("low", np.nan), "high": c.get("high", np.nan),
            "at_risk": c["at_risk"]}))
    cols = ["cohort", "day", "months", "cif", "low", "high", "at_risk"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def outcome_curves(w: Waiting, origin: str = "adm") -> pd.DataFrame:
    """All years' cumulative incidence of each way out and the probability of still waiting,
    by day (they add up to 1 each day): ``day, months, waiting, cif_<outcome>...``."""
    e = w.all(origin)
    cols = ["day", "waiting", *[f"cif_{o}" for o in OUTCOMES]]
    if e.curves.empty:
        return pd.DataFrame(columns=["months", *cols])
    c = e.curves[cols].copy()
    c.insert(1, "months", c["day"] / MONTH_DAYS)
    return c


def origins_table(w: Waiting) -> pd.DataFrame:
    """Each clock (ADM decision, placement order, care entry), all years together: children,
    placed, left another way, still waiting, the share placed within 6, 12 and 18 months and
    the median days (each with its interval)."""
    rows = []
    for origin in w.estimates:
        t = estimate_table(w, origin)
        r = t.loc[t["cohort"].eq(ALL)].iloc[0].to_dict()
        r["origin"] = origin
        r["left_another_way"] = sum(int(r[o]) for o in OUTCOMES[1:])
        rows.append(r)
    return pd.DataFrame(rows)


def excluded_summary(w: Waiting) -> pd.DataFrame:
    """Children left out of each clock, by reason: ``origin, reason, children``."""
    rows = []
    for origin, c in w.cohorts.items():
        for reason, k in c["excluded"].dropna().value_counts().items():
            rows.append({"origin": origin, "reason": reason, "children": int(k)})
    return pd.DataFrame(rows, columns=["origin", "reason", "children"])


def left_out_of_a1(w: Waiting, params: Params, journeys: pd.DataFrame) -> dict[str, int]:
    """What the finished-journey measures leave out: ``adopted`` (children adopted in the
    period, as A1 counts them), ``cohort`` (children with a decision in the period),
    ``waiting`` (of them, still waiting at the censoring date), ``waiting_18m`` (of those,
    18 months or more since the decision), ``left`` (left waiting another way), ``before``
    (children whose decision was before the period who are still waiting)."""
    c = w.cohorts["adm"]
    c = c.loc[c["excluded"].isna()]
    waiting = c.loc[c["outcome"].eq("waiting")]
    long = waiting["days"].ge(month_days(18))
    before = waiting_now(journeys, params)
    before = before.loc[~before["period_id"].isin(c["period_id"])]
    return {"adopted": ch.adopted_count(journeys, params), "cohort": len(c),
            "waiting": len(waiting), "waiting_18m": int(long.sum()),
            "left": int(c["outcome"].isin(OUTCOMES[1:]).sum()),
            "placed": int(c["outcome"].eq("placed").sum()), "before": len(before)}


# -- waiting now: the point-in-time counts ------------------------------------------------------

def waiting_now(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Children with an ADM decision not yet placed at the reference date (the journey's
    ``status``: waiting, no placement order yet, or po_not_placed), whenever the decision was
    made: ``period_id, pseudonym, stage`` (``adm_to_po`` or ``po_to_placement``: where the child
    is stuck), ``days_since_adm``, ``days_since_po``, ``days_since_entry``, ``adm_18m_plus``,
    ``po_12m_plus``, ``po_18m_plus`` (calendar months, as ASGLB counted them). Longest since the
    decision first."""
    ref = pd.Timestamp(params.reference_date)
    j = journeys.loc[as_flag(journeys["in_process"])
                     & journeys["status"].isin(["waiting", "po_not_placed"])]
    adm = pd.to_datetime(j["adm_date"])
    po = pd.to_datetime(j["po_date"]).where(j["status"].eq("po_not_placed"))
    out = pd.DataFrame({
        "period_id": j["period_id"], "pseudonym": j["pseudonym"],
        "stage": np.where(j["status"].eq("po_not_placed"), "po_to_placement", "adm_to_po"),
        "days_since_adm": (ref - adm).dt.days.astype("float64"),
        "days_since_po": (ref - po).dt.days.astype("float64"),
        "days_since_entry": j["days_since_entry"].astype("float64"),
        "adm_18m_plus": adm.le(ref - pd.DateOffset(months=18)),
        "po_12m_plus": po.le(ref - pd.DateOffset(months=12)).fillna(False),
        "po_18m_plus": po.le(ref - pd.DateOffset(months=18)).fillna(False)})
    return out.sort_values(["days_since_adm", "pseudonym"], ascending=[False, True]
                           ).reset_index(drop=True)


#: Legacy cases: children waiting at least this long since the decision.
LEGACY_MONTHS = 12


def legacy_cases(journeys: pd.DataFrame, params: Params) -> pd.DataFrame:
    """The children waiting longest: those not yet placed :data:`LEGACY_MONTHS` months or more
    after their ADM decision (calendar months), longest first, with the stage each is stuck at
    (pseudonyms only)."""
    ref = pd.Timestamp(params.reference_date)
    w = waiting_now(journeys, params)
    since = ref - pd.to_timedelta(w["days_since_adm"], unit="D")
    return w.loc[since.le(ref - pd.DateOffset(months=LEGACY_MONTHS))].reset_index(drop=True)


def waiting_counts(journeys: pd.DataFrame, params: Params) -> dict[str, float]:
    """At the reference date: ``adm_not_placed`` (children with a decision not yet placed),
    ``adm_18m`` (of them, 18+ months since the decision), ``po_not_placed`` (with a placement
    order, not yet placed), ``po_12m`` / ``po_18m`` (12+ / 18+ months since the order) and
    ``po_median_days`` (their median days since the order)."""
    w = waiting_now(journeys, params)
    po = w.loc[w["stage"].eq("po_to_placement")]
    return {"adm_not_placed": len(w), "adm_18m": int(w["adm_18m_plus"].sum()),
            "po_not_placed": len(po), "po_12m": int(po["po_12m_plus"].sum()),
            "po_18m": int(po["po_18m_plus"].sum()),
            "po_median_days": float(po["days_since_po"].median()) if len(po) else np.nan}


# -- flows ---------------------------------------------------------------------------------------

def _decisions(placed_for_adoption: pd.DataFrame) -> pd.DataFrame:
    """Every ADM decision once: a decision (child and DATE_PLACED) reported in several returns
    is one decision, with the reversal any of them records."""
    pfa = placed_for_adoption
    cols = ["CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"]
    d = pfa.loc[pfa["DATE_PLACED"].notna(), cols].copy()
    d["_has"] = d["DATE_PLACED_CEASED"].notna()
    d = d.sort_values(["CHILD", "DATE_PLACED", "_has"], kind="stable")
    return d.drop_duplicates(["CHILD", "DATE_PLACED"], keep="last").drop(columns="_has")


def reversed_decisions(placed_for_adoption: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Every decision reversed in the period (DATE_PLACED_CEASED in it), once each (see
    :func:`_decisions`): a child whose decision was reversed and who then had a new one counts
    once as reversed, and twice only if two decisions were reversed. Columns ``CHILD,
    DATE_PLACED, DATE_PLACED_CEASED, reason`` (RD1–RD4, or "not recorded")."""
    d = _decisions(placed_for_adoption)
    d = d.loc[in_period(d["DATE_PLACED_CEASED"], params)]
    reason = d["REASON_PLACED_CEASED"].astype("string").str.upper().fillna("not recorded")
    return d.assign(reason=reason).drop(columns="REASON_PLACED_CEASED").reset_index(drop=True)


def flows(journeys: pd.DataFrame, placed_for_adoption: pd.DataFrame, params: Params
          ) -> pd.DataFrame:
    """Per financial year of the period and for the whole period: ``adm_decisions`` (new ADM
    decisions: every PlacedAdoption decision once, and a journey's AD1 DATE_INT where the
    returns hold no PlacedAdoption row), ``children_decided`` (children with one),
    ``placement_orders`` (first placement order of a period of care), ``placed`` (adoptive
    placements), ``adopted`` (adoption orders), ``reversed`` (decisions reversed), and at the
    year's end ``waiting_end`` (children with a decision not yet placed) and
    ``po_waiting_end`` (of them with a placement order)."""
    dec = _decisions(placed_for_adoption)[["CHILD", "DATE_PLACED"]].rename(
        columns={"CHILD": "child", "DATE_PLACED": "date"})
    if "decisions" in journeys:
        ad1_only = journeys.loc[journeys["decisions"].fillna(0).eq(0)
                                & journeys["adm_date"].notna(), ["child", "adm_date"]]
        dec = pd.concat([dec, ad1_only.rename(columns={"adm_date": "date"})],
                        ignore_index=True)
    rev = reversed_decisions(placed_for_adoption, params)
    start, end = pd.Timestamp(params.period_start), pd.Timestamp(params.reference_date)
    years = sorted(financial_year(pd.Series(pd.date_range(start, end, freq="MS"))).dropna()
                   .unique())
    j = journeys
    rows = []
    for year in [*years, "Whole period"]:
        def n_in(dates: pd.Series, y: str = year) -> pd.Series:
            d = pd.to_datetime(dates)
            inside = in_period(d, params)
            return inside if y == "Whole period" else inside & financial_year(d).eq(y)

        d_in = dec.loc[n_in(dec["date"])]
        row = {"year": year, "adm_decisions": len(d_in),
               "children_decided": int(d_in["child"].nunique()),
               "placement_orders": int(n_in(j["po_date"]).sum()),
               "placed": int(n_in(j["placement_date"]).sum()),
               "adopted": int(n_in(j["ao_date"]).sum()),
               "reversed": int(n_in(rev["DATE_PLACED_CEASED"]).sum())}
        at = end if year == "Whole period" else min(end, pd.Timestamp(int(year[:4]) + 1, 3, 31))
        row.update(_waiting_at(j, at))
        rows.append(row)
    return pd.DataFrame(rows)


def _waiting_at(j: pd.DataFrame, at: pd.Timestamp) -> dict[str, int]:
    """Children with a decision not yet placed on day ``at`` (decision made, no placement, no
    reversal, period of care not ended by then) and of them with a placement order."""
    def by(col: str) -> pd.Series:
        return pd.to_datetime(j[col]).le(at).fillna(False)

    waiting = by("adm_date") & ~by("placement_date") & ~by("reversed_date") & ~by("period_end")
    return {"waiting_end": int(waiting.sum()), "po_waiting_end": int((waiting & by("po_date"))
                                                                        .sum())}


#: What happened instead, in words, for a plan changed away from adoption.
INSTEAD = ("new_decision", "sgo", "home", "cao", "left_care", "looked_after")


def plan_changes(journeys: pd.DataFrame, placed_for_adoption: pd.DataFrame,
                 plans: pd.DataFrame | None, params: Params) -> pd.DataFrame:
    """Children whose plan changed away from adoption in the period, once each: a decision
    reversed in it (:func:`reversed_decisions`), or the local plan changed away from adoption
    after the decision (:func:`plan_away_dates`). ``period_id, child, pseudonym, date``
    (the first change in the period), ``instead``: a new ADM decision later in the same period
    of care (``new_decision``), else how the period ended by the reference date (``sgo``,
    ``home``, ``cao`` child arrangements order, ``left_care``) or ``looked_after``."""
    ref = pd.Timestamp(params.reference_date)
    rev = reversed_decisions(placed_for_adoption, params)
    j = journeys
    # Each reversal on the journey (period of care) holding its decision.
    cand = rev.rename(columns={"CHILD": "child"}).merge(
        j[["period_id", "child", "care_entry", "period_end"]], on="child")
    inside = (cand["care_entry"].isna() | (cand["DATE_PLACED"] >= cand["care_entry"])) & (
        cand["period_end"].isna() | (cand["DATE_PLACED"] <= cand["period_end"]))
    cand = cand.loc[inside.fillna(False).astype(bool), ["period_id", "DATE_PLACED_CEASED"]]
    cand = cand.rename(columns={"DATE_PLACED_CEASED": "date"})
    away = plan_away_dates(j, plans)
    away = away.loc[in_period(away, params)]
    cand = pd.concat([cand, pd.DataFrame({"period_id": away.index, "date": away.to_numpy()})],
                     ignore_index=True)
    first = cand.groupby("period_id")["date"].min()
    jj = j.set_index("period_id").loc[first.index]
    adm = pd.to_datetime(jj["adm_date"])
    end = pd.to_datetime(jj["period_end"]).where(lambda d: d <= ref)
    rec = jj["end_reason"].astype("string").str.upper()
    instead = np.select(
        [adm.gt(first).fillna(False), end.notna() & rec.isin(codes.REC_SGO).fillna(False),
         end.notna() & rec.isin(codes.REC_RETURNED_HOME).fillna(False),
         end.notna() & rec.eq("E41").fillna(False), end.notna()],
        ["new_decision", "sgo", "home", "cao", "left_care"], "looked_after")
    out = pd.DataFrame({"period_id": first.index, "child": jj["child"].to_numpy(),
                        "pseudonym": jj["pseudonym"].to_numpy() if "pseudonym" in jj else pd.NA,
                        "date": first.to_numpy(), "instead": instead})
    # A child once: the first change of the child's journeys in the period.
    return out.sort_values(["child", "date"]).drop_duplicates("child").reset_index(drop=True)


def instead_counts(changes: pd.DataFrame) -> pd.DataFrame:
    """Children whose plan changed away from adoption, by what happened instead (every
    :data:`INSTEAD`, zeros included), with the % of them."""
    k = changes["instead"].value_counts()
    n = len(changes)
    return pd.DataFrame([{"instead": i, "children": int(k.get(i, 0)),
                          "pct": share(int(k.get(i, 0)), n)} for i in INSTEAD])


# -- metrics ------------------------------------------------------------------------------------

def record_metrics(section, w: Waiting, journeys: pd.DataFrame,
                   placed_for_adoption: pd.DataFrame, plans: pd.DataFrame | None,
                   params: Params) -> None:
    """Section 2's waiting and flow metrics (``docs/methodology.md``):

    - ``placed_within_12_months_of_adm_pct`` (cumulative incidence at 365 days, %; ``_n`` the
      children followed; ``_low``/``_high`` its 95% interval; ``_censored`` the children still
      waiting with less than 12 months of follow-up, whose outcome the estimate infers);
    - ``median_days_adm_to_placement`` (``_n``; ``_low``/``_high``); null when not reached,
      with ``median_days_adm_to_placement_reason`` saying why (else null);
    - ``children_adm_not_placed`` and ``children_adm_not_placed_18m`` (ADM decision, not yet
      placed; 18+ months since the decision), ``children_po_not_placed`` (``_n``: with a
      decision not placed), ``children_po_not_placed_18m``, ``po_not_placed_median_days``;
    - ``new_adm_decisions`` (``_n`` children), ``new_placement_orders``,
      ``decisions_reversed`` (``_n`` children), ``plan_changed_away_from_adoption``.
    """
    e = w.all("adm")
    d12 = month_days(12)
    c = w.cohorts["adm"]
    ok = c.loc[c["excluded"].isna()]
    known = e.followed(d12)
    section.metric("placed_within_12_months_of_adm_pct", 100 * e.at(d12) if known else None,
                   n=e.children)
    section.metric("placed_within_12_months_of_adm_low",
                   100 * e.at(d12, "low") if known else None)
    section.metric("placed_within_12_months_of_adm_high",
                   100 * e.at(d12, "high") if known else None)
    section.metric("placed_within_12_months_of_adm_censored",
                   int((ok["outcome"].eq("waiting") & ok["days"].lt(d12)).sum()))
    med, lo, hi = e.median()
    section.metric("median_days_adm_to_placement", None if np.isnan(med) else med, n=e.children)
    section.metric("median_days_adm_to_placement_low", None if np.isnan(lo) else lo)
    section.metric("median_days_adm_to_placement_high", None if np.isnan(hi) else hi)
    section.metric("median_days_adm_to_placement_reason", median_reason(e))
    counts = waiting_counts(journeys, params)
    section.metric("children_adm_not_placed", counts["adm_not_placed"])
    section.metric("children_adm_not_placed_18m", counts["adm_18m"],
                   n=counts["adm_not_placed"])
    section.metric("children_po_not_placed", counts["po_not_placed"],
                   n=counts["adm_not_placed"])
    section.metric("children_po_not_placed_18m", counts["po_18m"], n=counts["po_not_placed"])
    section.metric("po_not_placed_median_days", counts["po_median_days"],
                   n=counts["po_not_placed"])
    f = flows(journeys, placed_for_adoption, params).set_index("year").loc["Whole period"]
    section.metric("new_adm_decisions", int(f["adm_decisions"]), n=int(f["children_decided"]))
    section.metric("new_placement_orders", int(f["placement_orders"]))
    rev = reversed_decisions(placed_for_adoption, params)
    section.metric("decisions_reversed", len(rev), n=int(rev["CHILD"].nunique()))
    section.metric("plan_changed_away_from_adoption",
                   len(plan_changes(journeys, placed_for_adoption, plans, params)))


def median_reason(e: Estimate) -> str | None:
    """Why the median time to placement is not given (None when it is)."""
    if not e.children:
        return "no child had an ADM decision in the period"
    if not np.isnan(e.median()[0]):
        return None
    placed = e.at(len(e.curves) - 1)
    return (f"not reached: by the end of follow-up {100 * placed:.0f}% of the children had "
            "been placed, fewer than half (the others left another way or are still waiting)")


# -- findings for the summary -----------------------------------------------------------------

KEY = "02_timescales"
EVIDENCE = {
    "curves": "Time to an adoptive placement from the ADM decision, by year of decision",
    "legacy": "Children waiting longest since their ADM decision",
    "flows": "New decisions, placement orders, placements and children waiting, by year",
}


def _target_label(params: Params, key: str) -> str:
    t = params.targets[key]
    from diagnostic_kit.inputs.params import default_values

    default = float(t.value) == float(default_values()["targets"][key]["value"])
    return f"a local target of {t.label} (kit default)" if default else \
        f"this LA's target of {t.label}"


def headlines(w: Waiting, journeys: pd.DataFrame, params: Params) -> list[Headline]:
    """The waiting findings for the summary (``measures.headline``):

    - ``placed_within_12_months_of_adm``: the share of children with a decision in the period
      placed within 12 months of it (cumulative incidence), against the local target
      (``params.targets.placed_within_12_months_of_adm_pct``); reach, the shortfall in
      children; not rated when no child was followed 12 months.
    - ``po_waiting_18m``: children with a placement order not yet placed 18 months or more
      after it, against the local target (``params.targets.po_waiting_18m_children``, lower
      is better); reach, those children.
    """
    e = w.all("adm")
    d12 = month_days(12)
    t = params.targets.placed_within_12_months_of_adm_pct
    value = 100 * e.at(d12) if e.followed(d12) else np.nan
    med, lo, hi = e.median()
    k = int(np.floor(value * e.children / 100 + 0.5)) if not np.isnan(value) else 0
    out = [Headline(
        key="placed_within_12_months_of_adm", section=KEY,
        label="children placed within 12 months of the ADM decision", value=value,
        unit="pct", n=e.children if not np.isnan(value) else 0, statistic="share",
        benchmark=t.value, benchmark_label=_target_label(
            params, "placed_within_12_months_of_adm_pct"), benchmark_kind="target",
        better=t.better, reach=shortfall(k, e.children, t.value, t.better) if k or e.children
        else 0, evidence=table_anchor(KEY, EVIDENCE["curves"]),
        detail={"low": 100 * e.at(d12, "low") if e.followed(d12) else np.nan,
                "high": 100 * e.at(d12, "high") if e.followed(d12) else np.nan,
                "km": 100 * e.at(d12, "km_placed") if e.followed(d12) and "km_placed" in
                e.curves else np.nan,
                "median": med, "median_low": lo, "median_high": hi,
                "waiting": e.counts["waiting"],
                "left": sum(e.counts[o] for o in OUTCOMES[1:])})]
    counts = waiting_counts(journeys, params)
    t18 = params.targets.po_waiting_18m_children
    out.append(Headline(
        key="po_waiting_18m", section=KEY,
        label="children with a placement order waiting 18 months or more since it",
        value=float(counts["po_18m"]), unit="count", n=counts["po_not_placed"],
        statistic="count", benchmark=t18.value,
        benchmark_label=_target_label(params, "po_waiting_18m_children"),
        benchmark_kind="target", better=t18.better, reach=counts["po_18m"],
        evidence=table_anchor(KEY, EVIDENCE["legacy"]),
        detail={"po_not_placed": counts["po_not_placed"], "po_12m": counts["po_12m"],
                "median_days": counts["po_median_days"]}))
    return out
