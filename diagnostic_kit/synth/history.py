"""Children's whole care histories for the synthetic LA.

The simulation runs from 18 years before the first return (so that every child who could be
looked after in the window is simulated, and journeys spanning several returns exist) to the
last 31 March. It works in three vectorised passes:

1. **Periods of care**: for each period, the child's age at entry decides a route out of care
   (return home, SGO, CAO, adoption, long-term fostering to 18, other) and its dates. Adoption
   routes carry their milestones: IRO recommendation, ADM decision, placement order (PO), match,
   adoptive placement, adoption order (AO), and sometimes a reversed decision (RD1-RD4).
2. **Events**: every change a period goes through (start, legal-status change, move to a new
   carer, change of placement with the same carer) as rows; events on the same day merge, and
   each surviving event starts an episode whose RNE follows from what changed.
3. **Reviews**: first within 28 days, second within 3 months of it, then 6-monthly, plus a
   review on the day of the IRO's recommendation.

The result is the truth; :mod:`diagnostic_kit.synth.returns` cuts the yearly 903 files from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnostic_kit.synth._common import YEAR, Window, add_years, choose, lognormal

ROUTES = ("adoption", "home", "sgo", "cao", "ltf", "other", "age18")
ADOPTION, HOME, SGO, CAO, LTF, OTHER, AGE18 = range(len(ROUTES))

# Route out of care by age band at entry: newborn (<28 days), under 1, 1-4, 5-9, 10-15, 16+.
# Shaped on DfE's children looked after statistics: babies and under-fives are the children
# adopted; teenagers return home or stay to 18.
_ROUTE_P = np.array([
    # adopt  home   sgo   cao   ltf   other age18
    [0.48, 0.17, 0.15, 0.03, 0.07, 0.10, 0.00],
    [0.40, 0.23, 0.17, 0.04, 0.08, 0.08, 0.00],
    [0.21, 0.33, 0.20, 0.05, 0.12, 0.09, 0.00],
    [0.02, 0.45, 0.15, 0.05, 0.25, 0.08, 0.00],
    [0.00, 0.48, 0.05, 0.02, 0.30, 0.15, 0.00],
    [0.00, 0.30, 0.00, 0.00, 0.00, 0.12, 0.58],
])
_AGE_BAND_P = {0: 0.11, 1: 0.12, 2: 0.18, 3: 0.16, 4: 0.28, 5: 0.15}
_AGE_BAND_RANGE = {  # days
    0: (0, 28), 1: (28, 365), 2: (365, 5 * 365), 3: (5 * 365, 10 * 365),
    4: (10 * 365, 16 * 365), 5: (16 * 365, 18 * 365 - 40),
}
_MOVE_RATE = np.array([0.35, 0.35, 0.4, 0.45, 0.8, 0.9])  # changes of carer per year, by band

_REC_AT_18 = {"E17": 0.35, "E5": 0.3, "E6": 0.15, "E8": 0.15, "E7": 0.05}
_REC_OTHER = {"E13": 0.3, "E8": 0.33, "E3": 0.15, "E16": 0.05, "E9": 0.05, "E2": 0.02}
_REC_SGO = {"E45": 0.35, "E46": 0.1, "E47": 0.4, "E48": 0.15}

# First placement by age band at entry, and the placement a move goes to by age at the move.
_PLACE_START = [
    {"U6": 0.66, "U3": 0.16, "R3": 0.18},
    {"U6": 0.78, "U3": 0.22},
    {"U6": 0.78, "U3": 0.22},
    {"U6": 0.75, "U3": 0.2, "K2": 0.05},
    {"U6": 0.6, "U3": 0.1, "K2": 0.22, "R1": 0.04, "S1": 0.04},
    {"U6": 0.35, "K2": 0.2, "H5": 0.35, "P2": 0.1},
]
_PLACE_MOVE = [
    {"U6": 0.72, "U3": 0.18, "U4": 0.07, "U1": 0.03},
    {"U6": 0.72, "U3": 0.18, "U4": 0.07, "U1": 0.03},
    {"U6": 0.7, "U3": 0.16, "U4": 0.1, "U1": 0.04},
    {"U6": 0.6, "U3": 0.15, "U4": 0.15, "U1": 0.05, "K2": 0.05},
    {"U6": 0.45, "U4": 0.12, "U3": 0.08, "U1": 0.03, "K2": 0.22, "R1": 0.04, "S1": 0.03,
     "P1": 0.03},
    {"U6": 0.25, "U4": 0.05, "U3": 0.05, "K2": 0.2, "H5": 0.37, "P2": 0.08},
]
_PLACE_UASC = {"H5": 0.55, "U6": 0.35, "K2": 0.1}
_LONG_TERM = {"U6": "U4", "U3": "U1"}

_PROVIDER = {
    "U1": {"PR1": 1}, "U2": {"PR1": 1}, "U3": {"PR1": 1}, "U5": {"PR1": 1},
    "U4": {"PR1": 0.6, "PR4": 0.4}, "U6": {"PR1": 0.6, "PR4": 0.4},
    "K2": {"PR4": 0.75, "PR1": 0.2, "PR5": 0.05}, "R1": {"PR4": 1},
    "R3": {"PR4": 0.6, "PR1": 0.4}, "S1": {"PR5": 0.5, "PR4": 0.5},
    "H5": {"PR4": 0.7, "PR5": 0.3}, "P1": {"PR0": 1}, "P2": {"PR4": 0.5, "PR1": 0.5},
    "A3": {"PR1": 1}, "A5": {"PR1": 1},
}
_REGULATED = ("K2", "R1", "S1")  # placements with an Ofsted URN
_MOVE_REASON = {"CARPL": 0.45, "CREQB": 0.15, "CREQO": 0.1, "CHILD": 0.07, "LAREQ": 0.05,
                "CLOSE": 0.05, "STAND": 0.05, "ALLEG": 0.03, "OTHER": 0.05}

_ETHNIC = {
    "WBRI": 0.69, "WIRI": 0.005, "WIRT": 0.008, "WOTH": 0.035, "WROM": 0.007,
    "MWBC": 0.05, "MWBA": 0.02, "MWAS": 0.018, "MOTH": 0.03,
    "AIND": 0.01, "APKN": 0.018, "ABAN": 0.008, "AOTH": 0.01,
    "BCRB": 0.012, "BAFR": 0.03, "BOTH": 0.01, "CHNE": 0.003, "OOTH": 0.017,
    "REFU": 0.004, "NOBT": 0.005,
}
_ETHNIC_UASC = {"AOTH": 0.3, "BAFR": 0.3, "OOTH": 0.2, "WOTH": 0.1, "BOTH": 0.05, "MOTH": 0.05}
_CIN = {"N1": 0.64, "N2": 0.03, "N3": 0.03, "N4": 0.07, "N5": 0.14, "N6": 0.02, "N7": 0.005,
        "N8": 0.035}
_CIN_ADOPTION = {"N1": 0.86, "N3": 0.03, "N4": 0.03, "N5": 0.07, "N8": 0.01}


@dataclass
class Histories:
    """The simulated truth for the children kept in the synthetic LA.

    ``children``: one row per child (``child`` index 0..n-1, ``dob``, ``sex`` 1/2, ``ethnic``,
    ``uasc``, ``disabled``, ``sibling_group``). ``periods``: one row per period of care with its
    route and adoption milestones. ``episodes``: one row per episode (``dec``/``rec`` NaN when
    still open at the last 31 March). ``reviews``: one row per looked-after review.
    """

    children: pd.DataFrame
    periods: pd.DataFrame
    episodes: pd.DataFrame
    reviews: pd.DataFrame
    #: The histories before :func:`after_the_decision` (None when it changed nothing).
    before: Histories | None = None


# --- 1. children and periods of care --------------------------------------------------------


def _age_band(age: np.ndarray) -> np.ndarray:
    """Band index of an age in days: newborn, under 1, 1-4, 5-9, 10-15, 16+."""
    return np.select(
        [age < 28, age < 365.25, age < 5 * YEAR, age < 10 * YEAR, age < 16 * YEAR],
        [0, 1, 2, 3, 4], 5,
    )


def _draw_children(rng: np.random.Generator, n: int, start: int, end: int) -> pd.DataFrame:
    """``n`` children with their first care entry uniform in ``[start, end]``."""
    entry = rng.integers(start, end + 1, n).astype(float)
    band = choose(rng, {str(k): v for k, v in _AGE_BAND_P.items()}, n).astype(int)
    lo = np.array([_AGE_BAND_RANGE[b][0] for b in range(6)])[band]
    hi = np.array([_AGE_BAND_RANGE[b][1] for b in range(6)])[band]
    age = np.floor(lo + rng.random(n) * (hi - lo))
    # Unaccompanied asylum-seeking children arrive as teenagers, mostly boys.
    uasc = ((age >= 16 * YEAR) & (rng.random(n) < 0.22)) | (
        (age >= 14 * YEAR) & (age < 16 * YEAR) & (rng.random(n) < 0.08))
    sex = np.where(rng.random(n) < np.where(uasc, 0.9, 0.52), 1, 2)
    ethnic = np.where(uasc, choose(rng, _ETHNIC_UASC, n), choose(rng, _ETHNIC, n))
    return pd.DataFrame({
        "entry": entry, "dob": entry - age, "sex": sex, "ethnic": ethnic, "uasc": uasc,
    })


def _clip(x: np.ndarray, lo: np.ndarray | float) -> np.ndarray:
    return np.floor(np.maximum(x, lo))


def plan_periods(rng: np.random.Generator, child: np.ndarray, entry: np.ndarray,
                 dob: np.ndarray, uasc: np.ndarray) -> pd.DataFrame:
    """One period of care per row: route, end and reason, legal statuses and adoption dates.

    All dates are day numbers; a milestone the period never reaches is NaN. ``end`` may lie
    beyond the last return: the cut hides it.
    """
    n = len(entry)
    nan = np.full(n, np.nan)
    age = entry - dob
    band = _age_band(age)
    b18 = add_years(dob, 18)
    route = (rng.random(n)[:, None] > np.cumsum(_ROUTE_P[band], axis=1)).sum(1)
    route = np.minimum(route, AGE18)
    route = np.where(uasc, np.where(rng.random(n) < 0.8, AGE18, OTHER), route)

    end = nan.copy()
    rec = np.full(n, "", dtype=object)
    end = np.where(route == HOME, entry + _clip(lognormal(rng, 110, 1.15, n), 1), end)
    rec = np.where(route == HOME, np.where(rng.random(n) < 0.85, "E4A", "E4B"), rec)
    end = np.where(route == SGO, entry + _clip(lognormal(rng, 480, 0.4, n), 90), end)
    rec = np.where(route == SGO, choose(rng, _REC_SGO, n), rec)
    end = np.where(route == CAO, entry + _clip(lognormal(rng, 380, 0.5, n), 60), end)
    rec = np.where(route == CAO, "E41", rec)
    end = np.where(route == OTHER, entry + _clip(lognormal(rng, 200, 1.0, n), 1), end)
    other_rec = choose(rng, _REC_OTHER, n)
    other_rec = np.where((other_rec == "E9") & (age < 10 * YEAR), "E8", other_rec)
    other_rec = np.where(uasc, choose(rng, {"E15": 0.4, "E8": 0.4, "E16": 0.2}, n), other_rec)
    rec = np.where(route == OTHER, other_rec, rec)
    end = np.where(np.isin(route, (LTF, AGE18)), b18, end)

    # Legal status at entry, by route.
    ls0 = np.full(n, "V2", dtype=object)
    care_proc = choose(rng, {"C1": 0.55, "V2": 0.35, "L2": 0.1}, n)
    ls0 = np.where(np.isin(route, (ADOPTION, SGO, CAO)), care_proc, ls0)
    ls0 = np.where(route == HOME, choose(rng, {"V2": 0.78, "C1": 0.22}, n), ls0)
    short = (route == HOME) & (end - entry <= 7) & (rng.random(n) < 0.6)
    ls0 = np.where(short, "L1", ls0)  # police protection, home within days
    ls0 = np.where(route == LTF, choose(rng, {"C1": 0.5, "V2": 0.5}, n), ls0)
    ls0 = np.where(route == AGE18, choose(rng, {"V2": 0.85, "C1": 0.15}, n), ls0)
    remand = (route == OTHER) & (age >= 10 * YEAR) & ~uasc & (rng.random(n) < 0.12)
    ls0 = np.where(route == OTHER, np.where(rng.random(n) < 0.1, "C1", "V2"), ls0)
    ls0 = np.where(remand, "J1", ls0)
    end = np.where(remand, entry + _clip(lognormal(rng, 30, 0.6, n), 2), end)
    rec = np.where(remand, "E14", rec)
    ls0 = np.where(uasc, "V2", ls0)

    # --- adoption routes ---
    a = route == ADOPTION
    consent = a & (age < 90) & (rng.random(n) < 0.15)  # relinquished babies, no PO
    po_route = a & ~consent
    m = np.exp(0.3 * rng.standard_normal(n))  # how hard the child's case is: all stages scale
    iro = np.floor(np.where(consent, entry + 14 + lognormal(rng, 20, 0.5, n),
                            entry + 28 + lognormal(rng, 105, 0.55, n) * m))
    adm = np.where(consent, iro + _clip(lognormal(rng, 28, 0.4, n), 7),
                   iro + _clip(lognormal(rng, 45, 0.5, n) * m, 7))
    adm = np.floor(adm)
    po = np.where(po_route, adm + _clip(lognormal(rng, 115, 0.5, n) * m, 21), np.nan)
    u = rng.random(n)
    young = age < 2 * YEAR
    # 1 fostering for adoption (U5/U2 from the start); 2 foster carers who go on to adopt;
    # 3 relinquished baby placed A3 with fostering-for-adoption carers.
    fc_type = np.where(consent, np.where(u < 0.4, 3, 0),
                       np.where(young & (u < 0.12), 1, np.where((u >= 0.12) & (u < 0.21), 2, 0)))
    fc_type = np.where(a, fc_type, 0)
    fc = fc_type > 0
    placed = np.where(consent, adm + _clip(lognormal(rng, 50, 0.5, n), 14),
                      po + _clip(lognormal(rng, np.where(fc, 90, 155), 0.5, n) * m, 14))
    # Some foster carers' placement for adoption starts the day the PO is made (RNE U).
    placed = np.where((fc_type == 1) | (fc_type == 2), np.where(rng.random(n) < 0.15, po, placed),
                      placed)
    match = np.maximum(placed - _clip(lognormal(rng, np.where(fc, 40, 24), 0.6, n), 1), adm)
    ao = placed + 70 + np.floor(lognormal(rng, 120, 0.5, n))
    ffa_start = np.where(np.isin(fc_type, (1, 3)),
                         entry + np.where(rng.random(n) < 0.6, 0, rng.integers(1, 29, n)), np.nan)
    carer_start = np.where(fc_type == 2,
                           np.maximum(entry, placed - _clip(lognormal(rng, 300, 0.5, n), 120)),
                           np.nan)
    in_house = rng.random(n) < 0.6
    adopt_place = np.select(
        [consent & (fc_type == 3), consent, fc], ["A3", "A4", "A5"], "A6").astype(object)
    adopt_provider = np.where(fc | in_house, "PR1",
                              np.where(rng.random(n) < 0.75, "PR2", "PR5")).astype(object)
    ao_rec = np.where(consent | (rng.random(n) < 0.55), "E11", "E12")

    # Reversed decisions: the child then leaves by SGO or stays in long-term fostering.
    rev = po_route & (rng.random(n) < np.where(age >= 2 * YEAR, 0.15, 0.09))
    rd = np.where(rev, choose(rng, {"RD2": 0.4, "RD3": 0.2, "RD1": 0.15, "RD4": 0.25}, n), "")
    ceased = nan.copy()
    c2 = nan.copy()
    lt = nan.copy()
    rev_end = nan.copy()
    rev_rec = np.full(n, "", dtype=object)
    sgo_soon = rng.random(n) < 0.5
    # RD2: the court refused the PO at the final hearing (care order or an SGO instead).
    rd2 = rd == "RD2"
    ceased = np.where(rd2, po, ceased)
    rev_end = np.where(rd2 & sgo_soon, po, rev_end)
    rev_rec = np.where(rd2 & sgo_soon, choose(rng, {"E47": 0.6, "E45": 0.25, "E41": 0.15}, n),
                       rev_rec)
    c2 = np.where(rd2 & ~sgo_soon, po, c2)
    # RD1/RD4: needs changed / other, before the hearing; care order at the hearing.
    rd14 = np.isin(rd, ("RD1", "RD4"))
    ceased = np.where(rd14, np.floor(adm + (0.3 + 0.6 * rng.random(n)) * (po - adm)), ceased)
    c2 = np.where(rd14, po, c2)
    rd4_sgo = (rd == "RD4") & sgo_soon
    rev_end = np.where(rd4_sgo, ceased + _clip(lognormal(rng, 150, 0.5, n), 30), rev_end)
    rev_rec = np.where(rd4_sgo, choose(rng, {"E47": 0.7, "E45": 0.3}, n), rev_rec)
    # RD3: no adopters found after the PO; long-term fostering, sometimes an SGO to the carers.
    rd3 = rd == "RD3"
    ceased = np.where(rd3, po + _clip(lognormal(rng, 420, 0.3, n), 200), ceased)
    lt = np.where(rd3, ceased + _clip(lognormal(rng, 60, 0.5, n), 14), lt)
    rd3_sgo = rd3 & (rng.random(n) < 0.4)
    rev_end = np.where(rd3_sgo, lt + _clip(lognormal(rng, 300, 0.4, n), 60), rev_end)
    rev_rec = np.where(rd3_sgo, "E46", rev_rec)
    rev_end = np.where(rev & np.isnan(rev_end), b18, rev_end)
    rev_rec = np.where(rev & (rev_rec == ""), choose(rng, _REC_AT_18, n), rev_rec)
    po = np.where(rd2 | rd14, np.nan, po)

    adopted = a & ~rev
    for arr in (placed, match, ao):
        arr[~adopted] = np.nan
    adopt_place = np.where(adopted, adopt_place, None)
    adopt_provider = np.where(adopted, adopt_provider, None)
    carer_start = np.where(adopted, carer_start, np.nan)
    fc_type = np.where(rev & (fc_type == 2), 0, fc_type)
    end = np.where(adopted, ao, np.where(rev, rev_end, end))
    rec = np.where(adopted, ao_rec, np.where(rev, rev_rec, rec))
    for arr in (iro, adm):
        arr[~a] = np.nan
    iro, adm = np.floor(iro), np.floor(adm)

    # Reaching 18 ends any period that has not ended before (and is how LTF/age18 end).
    rec = np.where((end > b18) | (rec == ""), choose(rng, _REC_AT_18, n), rec)
    end = np.maximum(np.minimum(end, b18), entry + 1)

    # Legal-status changes: accommodated (V2) or EPO (L2) children in care proceedings get an
    # interim care order (C1); long-term fostering under a full care order (C2).
    needs_c1 = np.isin(ls0, ("V2", "L2")) & (
        po_route | np.isin(route, (SGO, CAO)) | ((route == LTF) & (age < 10 * YEAR)))
    conv = np.where(ls0 == "L2", entry + rng.integers(1, 9, n),
                    entry + _clip(lognormal(rng, 45, 0.6, n), 3))
    bound = np.where(a, iro - 3, np.fmin(end, ceased) - 7)
    conv = np.where(conv >= bound, entry + np.maximum(1, np.floor((bound - entry) / 2)), conv)
    conv = np.where(needs_c1 & (conv < end) & (conv > entry), conv, np.nan)
    under_co = np.isin(ls0, ("C1",)) | ~np.isnan(conv)
    ltf_c2 = np.isin(route, (LTF, AGE18)) & under_co & ~a
    c2 = np.where(ltf_c2, entry + _clip(lognormal(rng, 270, 0.4, n), 60), c2)
    c2 = np.where(c2 < end, c2, np.nan)
    ltf_lt = (route == LTF) & ~a
    lt = np.where(ltf_lt, np.fmax(entry + 180, np.nan_to_num(c2, nan=0))
                  + _clip(lognormal(rng, 90, 0.5, n), 7), lt)
    # At the final hearing some long-term carers are confirmed the same day (RNE U), and some
    # children move to new carers as the care order is made (RNE B).
    lt = np.where(ltf_lt & ~np.isnan(c2) & (rng.random(n) < 0.3), c2, lt)
    lt = np.where(lt < end, lt, np.nan)
    hmove = np.where(ltf_c2 & (c2 < end) & (lt != c2) & (rng.random(n) < 0.2), c2, np.nan)
    # Return home through a placement with parents (P1) for some.
    p1 = np.where((route == HOME) & (end - entry > 45) & (rng.random(n) < 0.25),
                  end - _clip(lognormal(rng, 60, 0.6, n), 7), np.nan)
    p1 = np.where(p1 > entry + 14, p1, np.nan)

    cin = np.where(a, choose(rng, _CIN_ADOPTION, n), choose(rng, _CIN, n))
    cin = np.where(uasc, "N8", cin)

    return pd.DataFrame({
        "child": child, "entry": entry, "end": end, "rec": rec, "route": route,
        "age_entry": age, "band": band, "cin": cin, "ls0": ls0, "conv": conv,
        "c2": c2, "lt": lt, "hmove": hmove, "p1": p1,
        "consent": consent, "iro": iro, "adm": adm, "po": po, "match": np.floor(match),
        "placed": np.floor(placed), "ao": ao, "ceased": ceased, "rd": rd, "fc_type": fc_type,
        "ffa_start": ffa_start, "carer_start": np.floor(carer_start),
        "adopt_place": adopt_place, "adopt_provider": adopt_provider,
        "uasc": uasc,
    })


def _all_periods(rng: np.random.Generator, window: Window, rate: float
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Children entering at ``rate`` a year over the simulated span, with their periods."""
    start = window.first_start - int(18 * YEAR)
    n = int(rng.poisson(rate * (window.data_end - start) / YEAR))
    kids = _draw_children(rng, n, start, window.data_end)
    kids.index.name = "child"
    idx = np.arange(n)
    p1 = plan_periods(rng, idx, kids["entry"].to_numpy(), kids["dob"].to_numpy(),
                      kids["uasc"].to_numpy())
    # Some children who went home come back into care: a second period of care.
    back = (p1["rec"].isin(["E4A", "E4B"]).to_numpy() & (rng.random(n) < 0.15))
    entry2 = p1["end"].to_numpy() + np.floor(lognormal(rng, 200, 0.7, n)) + 30
    back &= (entry2 < window.data_end) & (entry2 < add_years(kids["dob"].to_numpy(), 17.5))
    p2 = plan_periods(rng, idx[back], entry2[back], kids["dob"].to_numpy()[back],
                      kids["uasc"].to_numpy()[back])
    periods = pd.concat([p1, p2], ignore_index=True)
    return kids, periods


def _add_siblings(rng: np.random.Generator, kids: pd.DataFrame, periods: pd.DataFrame,
                  window: Window) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Older brothers and sisters who come into care with a child on the adoption route.

    The sibling copies the period of care (same dates, same carers, same adopters) and gets its
    own date of birth. Only recent periods, so that no sibling reaches 18 in the returns.
    """
    pick = (
        (periods["route"] == ADOPTION) & (periods["age_entry"] < 2 * YEAR)
        & (periods["entry"] > window.first_start - 5 * YEAR)
    ).to_numpy() & (rng.random(len(periods)) < 0.2)
    src = periods[pick]
    n0 = len(kids)
    new_ids = np.arange(n0, n0 + len(src))
    gap = np.floor((1.2 + 2.0 * rng.random(len(src))) * YEAR)
    sib = kids.loc[src["child"]].reset_index(drop=True)
    sib["dob"] = sib["dob"].to_numpy() - gap
    sib["sex"] = np.where(rng.random(len(src)) < 0.5, 1, 2)
    sib.index = pd.Index(new_ids, name="child")
    copy = src.copy()
    copy["clone_of"] = src.index.to_numpy()
    copy["child"] = new_ids
    copy["age_entry"] = copy["age_entry"] + gap
    kids = kids.copy()
    kids["sibling_of"] = -1
    sib["sibling_of"] = src["child"].to_numpy()
    periods = periods.copy()
    periods["clone_of"] = -1
    return pd.concat([kids, sib]), pd.concat([periods, copy], ignore_index=True)


def _thin(rng: np.random.Generator, kids: pd.DataFrame, periods: pd.DataFrame, window: Window,
          size: int) -> np.ndarray | None:
    """Children to keep so that exactly ``size`` are looked after in the last return year.

    Sibling pairs are kept or dropped together; children seen only in earlier years are kept at
    the same rate, so that flows stay in proportion. ``None`` when too few were simulated.
    """
    unit = np.where(kids["sibling_of"].to_numpy() >= 0, kids["sibling_of"].to_numpy(),
                    kids.index.to_numpy())
    unit_of = pd.Series(unit, index=kids.index)
    last_start = window.start_of(window.last_year)
    seen = (periods["entry"] <= window.data_end) & (periods["end"] >= window.first_start)
    last = (periods["entry"] <= window.data_end) & (periods["end"] >= last_start)
    child_last = np.zeros(len(kids), dtype=bool)
    child_last[periods.loc[last, "child"].to_numpy()] = True
    child_seen = np.zeros(len(kids), dtype=bool)
    child_seen[periods.loc[seen, "child"].to_numpy()] = True
    n_last = int(child_last.sum())
    if n_last < size:
        return None
    per_unit = pd.Series(child_last.astype(int)).groupby(unit).sum()
    units = per_unit[per_unit > 0]
    order = rng.permutation(len(units))
    counts = units.to_numpy()[order]
    keep_units = []
    total = 0
    for u_id, c in zip(units.index.to_numpy()[order], counts, strict=True):
        if total + c <= size:
            keep_units.append(u_id)
            total += c
        if total == size:
            break
    # Units never looked after in the last year are kept at the same rate.
    unit_seen = pd.Series(child_seen).groupby(unit).any()
    others = unit_seen[unit_seen & (per_unit == 0)]
    keep_units.extend(others.index[rng.random(len(others)) < size / n_last])
    keep = unit_of.isin(keep_units).to_numpy() & child_seen
    return np.flatnonzero(keep)


# --- 1b. after the decision: competing exits and long waits ----------------------------------


_EXIT_P = {"sgo_court": 0.3, "home": 0.2, "sgo_later": 0.15, "ltf": 0.2, "no_adopters": 0.15}


def after_the_decision(rng: np.random.Generator, periods: pd.DataFrame, window: Window
                       ) -> pd.DataFrame:
    """Children on the adoption route whose journey is still open when the returns end.

    In the simulation every decision not reversed leads to adoption; in practice some children
    with a decision leave the route (the court refuses the order and a relative takes a special
    guardianship order, the parents' circumstances change and the child goes home, no adopters
    are found and the child stays in long-term fostering), and the hardest to place wait longer.
    This pass gives such endings to children who, at the last 31 March, had a decision and were
    not yet placed (their later history is not in any return), and delays the placement of some
    children placed in the last year but not yet adopted whose decision is over ten months old:
    the children adopted in the returns are untouched. Exits fall in the last return year, so
    that the children looked after in it stay the same. Sibling copies follow their source.
    """
    per = periods.copy()
    end_data, last_start = window.data_end, window.start_of(window.last_year)
    per, stalled = _stalled(rng, per, window)
    per = _left_the_route(rng, per, window)
    n = len(per)
    g = {c: per[c].to_numpy() for c in ("route", "adm", "po", "placed", "ao", "rd",
                                         "age_entry", "entry", "clone_of", "match",
                                         "adopt_provider")}
    # A match with the LA's own adopters made by then stands (their household is in the
    # adopters' extract); the children who wait longest are placed with other agencies' adopters.
    own_match = (g["adopt_provider"] == "PR1") & (g["match"] <= end_data)
    # The under-fives cohort's children (under five at entry, two to three years before the
    # end) keep their histories, as the other passes leave them.
    under5 = (g["age_entry"] < 5 * YEAR) & (g["entry"] >= end_data - 3 * YEAR) & (
        g["entry"] < end_data - 2 * YEAR)
    route_a = (g["route"] == ADOPTION) & (g["rd"] == "") & (g["clone_of"] < 0) & ~under5
    decided = route_a & (g["adm"] <= end_data)
    waiting = decided & ~(g["placed"] <= end_data)
    u, kind = rng.random(n), choose(rng, _EXIT_P, n)
    when = np.maximum(g["adm"] + _clip(lognormal(rng, 240, 0.5, n), 30), last_start + 1)
    older = g["age_entry"] >= 2 * YEAR
    leaves = (waiting & ~own_match & ~stalled & (u < np.where(older, 0.75, 0.6))
              & (when < end_data - 7))
    had_po = g["po"] <= when
    kind = np.where(had_po & (kind == "sgo_court"), "sgo_later", kind)
    rd = np.select([kind == "sgo_court", kind == "home", kind == "no_adopters"],
                   ["RD2", "RD1", "RD3"], "RD4")
    b18 = add_years(g["entry"] - g["age_entry"], 18)
    exit_end = np.select(
        [kind == "sgo_court", kind == "sgo_later", kind == "home"],
        [when, when + _clip(lognormal(rng, 100, 0.5, n), 21), when], b18)
    exit_rec = np.select(
        [kind == "sgo_court", kind == "sgo_later", kind == "home"],
        [choose(rng, {"E47": 0.6, "E45": 0.4}, n), choose(rng, {"E45": 0.5, "E47": 0.5}, n),
         "E4A"], choose(rng, _REC_AT_18, n))
    lt = when + _clip(lognormal(rng, 60, 0.5, n), 14)
    for col, new in (("ceased", when), ("rd", rd), ("end", np.minimum(exit_end, b18)),
                     ("rec", exit_rec), ("lt", np.where(np.isin(kind, ("ltf", "no_adopters")),
                                                        lt, np.nan))):
        per[col] = np.where(leaves, new, per[col].to_numpy())
    per.loc[leaves & ~had_po, "po"] = np.nan
    per.loc[leaves & (kind == "sgo_court"), "c2"] = np.nan
    # A court that makes a special guardianship order, or a child who goes home, ends the
    # decision and the period of care the same day.
    for col in ("placed", "match", "ao"):
        per.loc[leaves, col] = np.nan
    per.loc[leaves, ["adopt_place", "adopt_provider"]] = None
    per.loc[leaves & (per["fc_type"].to_numpy() == 2), "fc_type"] = 0
    per.loc[leaves, "carer_start"] = np.where(per.loc[leaves, "carer_start"] <= end_data,
                                              per.loc[leaves, "carer_start"], np.nan)
    # The hardest to place wait on: placed after the returns end instead.
    late = (route_a & ~own_match & (g["placed"] <= end_data) & (g["placed"] > end_data - YEAR)
            & (g["ao"] > end_data) & (g["adm"] <= end_data - 300)
            & (rng.random(n) < np.where(older, 0.8, 0.55)))
    shift = np.where(late, end_data + _clip(lognormal(rng, 120, 0.5, n), 14) - g["placed"], 0)
    for col in ("placed", "match", "ao", "carer_start"):
        per[col] = per[col].to_numpy() + shift
    per["end"] = np.where(late, per["ao"].to_numpy(), per["end"].to_numpy())
    # Sibling copies take their source's new history.
    clone = per["clone_of"].to_numpy() >= 0
    if clone.any():
        src = per.index.get_indexer(per.loc[clone, "clone_of"])
        ok = src >= 0
        cols = ["ceased", "rd", "end", "rec", "lt", "po", "c2", "placed", "match", "ao",
                "adopt_place", "adopt_provider", "fc_type", "carer_start"]
        rows = np.flatnonzero(clone)[ok]
        per.iloc[rows, [per.columns.get_loc(c) for c in cols]] = per.iloc[
            src[ok], [per.columns.get_loc(c) for c in cols]].to_numpy()
        # A sibling's own 18th birthday still ends the period.
        b18c = add_years(per["entry"].to_numpy() - per["age_entry"].to_numpy(), 18)
        per["end"] = np.where(clone, np.minimum(per["end"].to_numpy(), b18c), per["end"])
    return per


def _stalled(rng: np.random.Generator, per: pd.DataFrame, window: Window
             ) -> tuple[pd.DataFrame, np.ndarray]:
    """Children in long-term foster care whose adoption plan stalled: some children in care at
    the last 31 March who entered under eight, 18 months to six years before it (none of them
    in the under-fives cohort), had an ADM decision and a placement order but no adopters were
    found. Returns the periods and which were picked.
    About half are still waiting when the returns end; for the rest the decision was reversed
    (RD3) and they stayed with their foster carers long term."""
    end_data = window.data_end
    n = len(per)
    entry, age = per["entry"].to_numpy(), per["age_entry"].to_numpy()
    cand = ((per["route"].to_numpy() == LTF) & (per["clone_of"].to_numpy() < 0)
            & (per["end"].to_numpy() > end_data) & (age < 8 * YEAR)
            & (entry >= end_data - 6 * YEAR) & (entry < end_data - 1.5 * YEAR)
            & ~((age < 5 * YEAR) & (entry >= end_data - 3 * YEAR) & (entry < end_data - 2 * YEAR)))
    pick = cand & (rng.random(n) < 0.6)
    iro = np.floor(entry + 60 + lognormal(rng, 120, 0.4, n))
    adm = np.floor(iro + _clip(lognormal(rng, 50, 0.5, n), 7))
    po = np.floor(adm + _clip(lognormal(rng, 140, 0.4, n), 28))
    ceased = np.floor(po + _clip(lognormal(rng, 480, 0.4, n), 200))
    reversed_ = pick & (rng.random(n) < 0.5) & (ceased < end_data - 30)
    lt = ceased + _clip(lognormal(rng, 60, 0.5, n), 14)
    out = per.copy()
    out.loc[pick, "route"] = ADOPTION
    for col, new in (("iro", iro), ("adm", adm), ("po", po)):
        out[col] = np.where(pick, new, out[col].to_numpy())
    out["ceased"] = np.where(reversed_, ceased, out["ceased"].to_numpy())
    out["rd"] = np.where(reversed_, "RD3", out["rd"].to_numpy())
    # Long-term fostering follows the reversal; the care order, if any, came before the order.
    out["lt"] = np.where(pick, np.where(reversed_, lt, np.nan), out["lt"].to_numpy())
    c2 = out["c2"].to_numpy()
    out["c2"] = np.where(pick & (c2 >= po), np.nan, c2)
    out["hmove"] = np.where(pick, np.nan, out["hmove"].to_numpy())
    out["cin"] = np.where(pick, "N1", out["cin"].to_numpy())
    return out, pick


def _left_the_route(rng: np.random.Generator, per: pd.DataFrame, window: Window
                    ) -> pd.DataFrame:
    """Children who left care by a special guardianship order, a child arrangements order or a
    return home after an adoption decision: some young children on those routes (none in the
    under-fives cohort; entering in the last three and a half years) had an ADM decision
    first, reversed the day the period ended (the court refused the placement order, RD2, or
    the parents' circumstances changed, RD1), a few after a placement order (RD4). Their
    period of care ends as before."""
    end_data = window.data_end
    n = len(per)
    route, entry = per["route"].to_numpy(), per["entry"].to_numpy()
    age, end = per["age_entry"].to_numpy(), per["end"].to_numpy()
    cand = (np.isin(route, (SGO, CAO, HOME)) & (per["clone_of"].to_numpy() < 0)
            & (age < 5 * YEAR) & (end - entry >= 240) & (entry >= end_data - 3.5 * YEAR)
            & (end <= end_data)
            & ~((entry >= end_data - 3 * YEAR) & (entry < end_data - 2 * YEAR)))
    iro = np.floor(entry + 45 + lognormal(rng, 80, 0.4, n))
    adm = np.floor(iro + _clip(lognormal(rng, 35, 0.5, n), 7))
    po = np.floor(adm + _clip(lognormal(rng, 110, 0.4, n), 28))
    pick = cand & (rng.random(n) < np.where(route == HOME, 0.3, 0.7)) & (adm < end - 45)
    with_po = pick & (route != HOME) & (po < end - 30) & (rng.random(n) < 0.3)
    rd = np.where(route == HOME, "RD1", np.where(with_po, "RD4", "RD2"))
    out = per.copy()
    out.loc[pick, "route"] = ADOPTION
    for col, new in (("iro", iro), ("adm", adm)):
        out[col] = np.where(pick, new, out[col].to_numpy())
    out["po"] = np.where(with_po, po, out["po"].to_numpy())
    out["ceased"] = np.where(pick, end, out["ceased"].to_numpy())
    out["rd"] = np.where(pick, rd, out["rd"].to_numpy())
    c2 = out["c2"].to_numpy()
    out["c2"] = np.where(with_po & (c2 >= po), np.nan, c2)
    out["cin"] = np.where(pick, "N1", out["cin"].to_numpy())
    return out


# --- 2. events and episodes ------------------------------------------------------------------


def _draw_places(rng: np.random.Generator, band: np.ndarray, uasc: np.ndarray,
                 tables: list[dict[str, float]]) -> np.ndarray:
    out = np.empty(len(band), dtype=object)
    for b in range(6):
        sel = band == b
        out[sel] = choose(rng, tables[b], int(sel.sum()))
    out[uasc] = choose(rng, _PLACE_UASC, int(uasc.sum()))
    return out


def _events(rng: np.random.Generator, per: pd.DataFrame, dob: np.ndarray,
            horizon: int) -> pd.DataFrame:
    """Every change in each period of care as one row: ``pid, date, prio, ls, place, new_carer,
    start, lt, reason``. ``prio`` orders same-day events (the later one's values win)."""
    n = len(per)
    pid = per.index.to_numpy()
    g = {c: per[c].to_numpy() for c in per.columns}
    uasc = g["uasc"].astype(bool)
    frames: list[pd.DataFrame] = []

    def add(mask: np.ndarray, date: np.ndarray, prio: int, *, ls=None, place=None,
            new_carer: bool = False, start: bool = False, lt: bool = False,
            reason=None) -> None:
        mask = mask & ~np.isnan(date)
        k = int(mask.sum())
        if not k:
            return

        def pick(v):
            return np.asarray(v, dtype=object)[mask] if isinstance(v, np.ndarray) else [v] * k

        frames.append(pd.DataFrame({
            "pid": pid[mask], "date": date[mask], "prio": prio, "ls": pick(ls),
            "place": pick(place), "new_carer": new_carer, "start": start, "lt": lt,
            "reason": pick(reason),
        }))

    everyone = np.ones(n, dtype=bool)
    place0 = _draw_places(rng, g["band"], uasc, _PLACE_START)
    ffa_place = np.where(rng.random(n) < 0.9, "U5", "U2")
    place0 = np.where(g["ffa_start"] == g["entry"], ffa_place, place0)
    place0 = np.where(g["carer_start"] == g["entry"], "U6", place0)
    add(everyone, g["entry"], 0, ls=g["ls0"], place=place0, new_carer=True, start=True)
    # Legal status.
    add(everyone, g["conv"], 1, ls="C1")
    add(everyone, g["c2"], 1, ls="C2")
    add(everyone, g["po"], 1, ls="E1")
    # Planned moves.
    # A mother-and-baby placement ends in a move to foster carers, before any planned move.
    planned = np.fmin(np.fmin(g["placed"], g["ffa_start"]), np.fmin(g["carer_start"], g["p1"]))
    planned = np.fmin(planned, g["end"]) - 7
    mbu = np.where(place0 == "R3", g["entry"] + _clip(lognormal(rng, 84, 0.3, n), 14), np.nan)
    mbu = np.where(mbu < planned, mbu, np.nan)
    add(everyone, mbu, 3, place="U6", new_carer=True, reason="CARPL")
    add(g["ffa_start"] > g["entry"], g["ffa_start"], 3, place=ffa_place, new_carer=True,
        reason="CARPL")
    add(g["carer_start"] > g["entry"], g["carer_start"], 3,
        place=np.where(rng.random(n) < 0.7, "U6", "U4"), new_carer=True, reason="CARPL")
    add(everyone, g["p1"], 3, place="P1", new_carer=True, reason="CARPL")
    fc_adopt = np.isin(g["adopt_place"], ("A3", "A5"))
    add(fc_adopt, g["placed"], 4, place=g["adopt_place"], reason="CARPL")
    add(~fc_adopt, g["placed"], 3, place=g["adopt_place"], new_carer=True, reason="CARPL")
    add(everyone, g["lt"], 4, place="LT", lt=True, reason="PLACE")
    hm = g["hmove"]
    hm_place = _draw_places(rng, _age_band(np.nan_to_num(hm) - dob), uasc, _PLACE_MOVE)
    add(everyone, hm, 2, place=hm_place, new_carer=True, reason="CARPL")

    # Unplanned and planned moves to new carers, in a window that keeps the structural dates
    # clear: before the adoptive placement, before early-permanence or adopting carers, before
    # a return home through P1.
    hi = g["end"] - 7
    hi = np.where(~np.isnan(g["placed"]), g["placed"] - 14, hi)
    hi = np.where(~np.isnan(g["ffa_start"]), g["ffa_start"], hi)
    hi = np.where(~np.isnan(g["carer_start"]), g["carer_start"], hi)
    hi = np.where(~np.isnan(g["p1"]), g["p1"] - 7, hi)
    hi = np.minimum(hi, horizon + 30)
    lo = np.fmax(g["entry"] + 7, mbu + 7)
    span = np.maximum(hi - lo, 0)
    n_moves = np.minimum(rng.poisson(_MOVE_RATE[g["band"]] * span / YEAR), 8)
    rows = np.repeat(np.arange(n), n_moves)
    if len(rows):
        date = np.floor(lo[rows] + rng.random(len(rows)) * span[rows])
        age_band = _age_band(date - dob[rows])
        place = _draw_places(rng, age_band, uasc[rows], _PLACE_MOVE)
        frames.append(pd.DataFrame({
            "pid": pid[rows], "date": date, "prio": 2, "ls": None, "place": place,
            "new_carer": True, "start": False, "lt": False,
            "reason": choose(rng, _MOVE_REASON, len(rows)),
        }))
    ev = pd.concat(frames, ignore_index=True)
    ends = pd.Series(g["end"], index=pid)
    ev = ev[ev["date"].to_numpy() < ends.loc[ev["pid"]].to_numpy()]
    return ev


def _episodes(rng: np.random.Generator, per: pd.DataFrame, ev: pd.DataFrame) -> pd.DataFrame:
    """Merge same-day events and turn each real change into an episode with its RNE."""
    ev = ev.sort_values(["pid", "date", "prio"], kind="stable")
    e = ev.groupby(["pid", "date"], sort=True).agg(
        ls=("ls", "last"), place=("place", "last"), new_carer=("new_carer", "any"),
        start=("start", "any"), lt=("lt", "any"), reason=("reason", "last"),
    ).reset_index()
    by = e.groupby("pid", sort=False)
    cur_ls = by["ls"].ffill()
    prev_ls = cur_ls.groupby(e["pid"]).shift()
    # Long-term approval of the current carers: U6 -> U4, U3 -> U1, same carer.
    plain = e["place"].where(e["place"] != "LT")
    prev_place = plain.groupby(e["pid"]).ffill().groupby(e["pid"]).shift()
    resolved = prev_place.map(lambda p: _LONG_TERM.get(p, p) if isinstance(p, str) else p)
    place = e["place"].where(e["place"] != "LT", resolved)
    cur_place = place.groupby(e["pid"]).ffill()
    prev_place = cur_place.groupby(e["pid"]).shift()
    ls_changed = e["ls"].notna() & (e["ls"] != prev_ls) & ~e["start"]
    place_changed = place.notna() & (place != prev_place) & ~e["start"]
    new_carer = e["new_carer"] & ~e["start"]
    keep = (e["start"] | ls_changed | new_carer | place_changed).to_numpy()
    rne = np.select(
        [e["start"], new_carer & ls_changed, new_carer, place_changed & ls_changed,
         place_changed],
        ["S", "B", "P", "U", "T"], "L",
    )
    out = pd.DataFrame({
        "pid": e["pid"], "decom": e["date"], "rne": rne, "ls": cur_ls, "place": cur_place,
        "carer": e["start"] | new_carer,
        "reason": np.where(np.isin(rne, ("P", "B")), e["reason"].fillna("CARPL"),
                           np.where(np.isin(rne, ("T", "U")), "PLACE", "")),
    })[keep].reset_index(drop=True)
    # Provider, placement postcode and URN belong to the carer: drawn when a carer starts and
    # carried through that carer's later episodes.
    carer = out["carer"].to_numpy()
    prov = np.full(len(out), None, dtype=object)
    places = out["place"].to_numpy()
    for code, opts in _PROVIDER.items():
        sel = carer & (places == code)
        prov[sel] = choose(rng, opts, int(sel.sum()))
    post = np.where(carer, [f"ZZ{a} {b}" for a, b in zip(rng.integers(1, 99, len(out)),
                                                            rng.integers(0, 10, len(out)),
                                                            strict=True)], None)
    urn = np.where(carer & np.isin(places, _REGULATED),
                   [f"SC{x:06d}" for x in rng.integers(0, 1_000_000, len(out))], None)
    urn = np.where(carer & ~np.isin(places, _REGULATED), "XXXXXXX", urn)
    extra = pd.DataFrame({"provider": prov, "pl_post": post, "urn": urn})
    extra = extra.groupby(out["pid"].to_numpy()).ffill()
    out = pd.concat([out, extra], axis=1)
    # The adoptive placement's provider says who found the adopters.
    ap = per["adopt_provider"].reindex(out["pid"]).to_numpy()
    is_a = np.isin(out["place"].to_numpy(), ("A4", "A6")) & out["carer"].to_numpy()
    out.loc[is_a, "provider"] = ap[is_a]
    # Each episode ends when the next starts (X1), the last when the period ends.
    nxt = out.groupby("pid")["decom"].shift(-1)
    out["dec"] = nxt.fillna(per["end"].reindex(out["pid"]).set_axis(out.index))
    out["rec"] = np.where(nxt.notna(), "X1", per["rec"].reindex(out["pid"]).to_numpy())
    return out.drop(columns="carer")


# --- 3. reviews --------------------------------------------------------------------------------


def _reviews(rng: np.random.Generator, per: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Looked-after reviews: within 28 days, 3 months later, then every 6 months (some late),
    plus the review at which the IRO recommended adoption."""
    entry = per["entry"].to_numpy()
    stop = np.minimum(per["end"].to_numpy(), horizon + 1)
    k = np.maximum(((stop - entry) // 140).astype(int) + 3, 3)
    rows = np.repeat(np.arange(len(per)), k)
    pos = np.arange(len(rows)) - np.repeat(np.cumsum(k) - k, k)
    late = rng.random(len(rows)) < 0.06
    step = np.select(
        [pos == 0, pos == 1],
        [rng.integers(10, 29, len(rows)) + late * rng.integers(1, 15, len(rows)),
         rng.integers(60, 92, len(rows)) + late * rng.integers(1, 25, len(rows))],
        rng.integers(140, 183, len(rows)) + late * rng.integers(1, 30, len(rows)),
    )
    csum = np.cumsum(step)
    base = np.repeat(csum[np.cumsum(k) - k] - step[np.cumsum(k) - k], k)
    date = entry[rows] + (csum - base)
    rev = pd.DataFrame({"pid": per.index.to_numpy()[rows], "review": date.astype(float)})
    iro = per["iro"].dropna()
    rev = rev[rev["review"].to_numpy() < stop[rows]]
    # The IRO recommendation is made at a review: add it, dropping a scheduled one close by.
    near = (rev["review"] - iro.reindex(rev["pid"]).to_numpy()).abs() <= 14
    rev = pd.concat([rev[~near.to_numpy()],
                     pd.DataFrame({"pid": iro.index.to_numpy(), "review": iro.to_numpy()})])
    rev = rev[rev["review"].to_numpy() < stop[per.index.get_indexer(rev["pid"])]]
    return rev.sort_values(["pid", "review"]).reset_index(drop=True)


def _adopters(rng: np.random.Generator, periods: pd.DataFrame) -> pd.DataFrame:
    """AD1 adopter details per period (siblings share their adopters)."""
    n = len(periods)
    couple = rng.random(n) < 0.85
    sex = np.where(couple, choose(rng, {"MF": 0.8, "FF": 0.11, "MM": 0.09}, n),
                   choose(rng, {"F1": 0.85, "M1": 0.15}, n))
    ls = np.where(sex == "MF", choose(rng, {"L11": 0.75, "L3": 0.25}, n),
                  choose(rng, {"L12": 0.5, "L2": 0.25, "L4": 0.25}, n))
    ls = np.where(couple, ls, "L0")
    out = pd.DataFrame({"nb_adoptr": np.where(couple, "2", "1"), "sex_adoptr": sex,
                        "ls_adoptr": ls}, index=periods.index)
    clone = periods["clone_of"].to_numpy() >= 0
    src = periods["clone_of"].to_numpy()[clone]
    out.loc[clone] = out.loc[src].to_numpy()
    return out


# --- all together -----------------------------------------------------------------------------


def simulate(rng: np.random.Generator, window: Window, size: int) -> Histories:
    """Simulate the LA's children so that ``size`` are looked after in the last return year."""
    rate = 0.5 * size
    while True:
        kids, periods = _all_periods(rng, window, rate)
        kids, periods = _add_siblings(rng, kids, periods, window)
        keep = _thin(rng, kids, periods, window, size)
        if keep is not None:
            break
        rate *= 1.5
    kids = kids.loc[keep]
    periods = periods[periods["child"].isin(keep)]
    # Periods that ended before the first return or start after the last are never seen.
    periods = periods[(periods["entry"] <= window.data_end)
                      & (periods["end"] >= window.first_start)]
    # Renumber children in order of first care entry (as an LA's ids grow over time).
    first = periods.groupby("child")["entry"].min().reindex(kids.index)
    order = np.lexsort((kids.index.to_numpy(), first.to_numpy()))
    new_id = pd.Series(np.arange(len(kids)), index=kids.index.to_numpy()[order])
    kids = kids.iloc[order].copy()
    sib_of = kids["sibling_of"].to_numpy()
    kids["sibling_of"] = np.where(sib_of >= 0, new_id.reindex(sib_of).fillna(-1).to_numpy(), -1)
    kids.index = pd.Index(np.arange(len(kids)), name="child")
    periods = periods.assign(child=new_id.loc[periods["child"]].to_numpy())
    periods = periods.sort_values(["child", "entry"], kind="stable")

    # The children still waiting when the returns end: some leave the adoption route, some
    # wait longer. Their new histories come from streams of their own: everything else is
    # drawn from ``rng`` exactly as before, on the histories before this pass, and only the
    # changed children's episodes and reviews are drawn again.
    before = periods
    periods = after_the_decision(np.random.Generator(rng.bit_generator.jumped()), periods,
                                 window)
    cols = ["end", "rec", "adm", "po", "placed", "ceased", "lt"]
    changed = ~(before[cols].fillna(-1).astype(str) == periods[cols].fillna(-1).astype(str)
                ).all(axis=1).to_numpy()
    again = np.random.Generator(rng.bit_generator.jumped(2))

    def episodes_of(gen: np.random.Generator, per: pd.DataFrame) -> pd.DataFrame:
        primary = per[per["clone_of"] < 0]
        dob_p = kids["dob"].reindex(primary["child"]).to_numpy()
        return _episodes(gen, primary, _events(gen, primary, dob_p, window.data_end))

    def finish(eps: pd.DataFrame, per: pd.DataFrame) -> pd.DataFrame:
        clones = per[per["clone_of"] >= 0]
        if len(clones):
            src = pd.Series(clones.index.to_numpy(), index=clones["clone_of"].to_numpy())
            copied = eps[eps["pid"].isin(src.index)].copy()
            copied["pid"] = src.reindex(copied["pid"]).to_numpy()
            eps = pd.concat([eps, copied], ignore_index=True)
        eps["child"] = per["child"].reindex(eps["pid"]).to_numpy()
        eps["cin"] = per["cin"].reindex(eps["pid"]).to_numpy()
        # Nothing after the last 31 March exists yet.
        eps = eps[eps["decom"] <= window.data_end].copy()
        open_ = eps["dec"] > window.data_end
        eps.loc[open_, "dec"] = np.nan
        eps.loc[open_, "rec"] = None
        return eps.sort_values(["child", "decom"], kind="stable").reset_index(drop=True)

    def with_child(rev: pd.DataFrame, per: pd.DataFrame) -> pd.DataFrame:
        rev = rev.assign(child=per["child"].reindex(rev["pid"]).to_numpy())
        return rev.drop_duplicates(["child", "review"]).reset_index(drop=True)

    eps_before = episodes_of(rng, before)
    reviews_before = _reviews(rng, before, window.data_end)
    eps, reviews = eps_before, reviews_before
    if changed.any():
        redo = periods[changed & (periods["clone_of"] < 0).to_numpy()]
        eps = pd.concat([eps[~eps["pid"].isin(redo.index)], episodes_of(again, redo)],
                        ignore_index=True).sort_values(["pid", "decom"], kind="stable")
        redo = periods[changed]
        reviews = pd.concat([reviews[~reviews["pid"].isin(redo.index)],
                             _reviews(again, redo, window.data_end)], ignore_index=True)
        reviews = reviews.sort_values(["pid", "review"], kind="stable")
    eps = finish(eps, periods)
    reviews = with_child(reviews, periods)

    # Sibling groups: the adopted child and the brother or sister who came in with them.
    kids["sibling_group"] = None
    pairs = kids.index[kids["sibling_of"] >= 0]
    ids = [f"SG{i + 1:03d}" for i in range(len(pairs))]
    kids.loc[pairs, "sibling_group"] = ids
    kids.loc[kids.loc[pairs, "sibling_of"].to_numpy(), "sibling_group"] = ids
    first_cin = periods.groupby("child")["cin"].first().reindex(kids.index)
    kids["disabled"] = (first_cin == "N2").to_numpy() | (rng.random(len(kids)) < 0.02)
    adopters = _adopters(rng, periods)
    periods = periods.join(adopters).reset_index().rename(columns={"index": "pid"})
    h = Histories(kids, periods, eps, reviews)
    if changed.any():
        # The histories as they were before the pass: the returns are cut from them once, only
        # to leave ``rng`` where it was before (see ``synth.build``).
        h.before = Histories(kids, before.join(adopters).reset_index().rename(
            columns={"index": "pid"}), finish(eps_before, before),
            with_child(reviews_before, before))
    return h
