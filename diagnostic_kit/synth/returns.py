"""Cut each year's SSDA903 return from the simulated histories, the way real returns work.

A return covers 1 April to 31 March. ``episodes`` holds every episode open at any time in the
year with its original DECOM, DEC/REC blank if still open at 31 March (so an episode open across
31 March is in both years' files); ``header`` every child with an episode in the year; ``ad1``
the children adopted in the year; ``placed_for_adoption`` the ADM decisions made or still open
in the year (reversal shown once it has happened); ``reviews`` the reviews in the year; ``oc2``
the children looked after continuously for 12 months at 31 March; ``previous_permanence`` the
children starting a period of care in the year; ``uasc`` the unaccompanied asylum-seeking
children looked after in the year.

Each frame has the DfE columns in DfE order, as text; columns starting with ``_`` are
bookkeeping for error injection and are not written.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.synth._common import YEAR, Window, add_years, choose, dmy, lognormal
from diagnostic_kit.synth.history import Histories


def child_ids(n: int) -> np.ndarray:
    """The LA's child identifiers: ``DEMO00001`` ... (zero-padded, so text order is id order)."""
    width = max(5, len(str(n)))
    return np.array([f"DEMO{i + 1:0{width}d}" for i in range(n)], dtype=object)


def _flags(rng: np.random.Generator, p: float, n: int) -> np.ndarray:
    return np.where(rng.random(n) < p, "1", "0").astype(object)


def _child_filler(rng: np.random.Generator, h: Histories) -> pd.DataFrame:
    """Per-child synthetic filler that 903 files carry and the kit drops: UPN, home postcode,
    and whether a girl in care is herself a mother."""
    kids = h.children
    n = len(kids)
    letters = np.array(list("ABCDEFGHJKLMNPRTUVWXYZ"))
    upn = [f"{a}{b:012d}" for a, b in zip(letters[rng.integers(0, len(letters), n)],
                                          rng.integers(0, 10**12, n), strict=True)]
    home = [f"ZZ{a} {b}" for a, b in zip(rng.integers(1, 99, n), rng.integers(0, 10, n),
                                         strict=True)]
    first = h.periods.groupby("child")["age_entry"].min().reindex(kids.index).to_numpy()
    mother = (kids["sex"].to_numpy() == 2) & (first >= 14 * YEAR) & (rng.random(n) < 0.04)
    mc_dob = np.where(mother, np.floor(add_years(kids["dob"].to_numpy(), 15.5)
                                       + rng.random(n) * 2 * YEAR), np.nan)
    return pd.DataFrame({"upn": upn, "home_post": home, "mc_dob": mc_dob}, index=kids.index)


def build(rng: np.random.Generator, h: Histories, window: Window,
          la_code: str) -> dict[str, pd.DataFrame]:
    """Every 903 file of every collection year, keyed by path (``903/2025-26/episodes.csv``)."""
    kids = h.children
    ids = child_ids(len(kids))
    filler = _child_filler(rng, h)
    dob = kids["dob"].to_numpy()
    eps = h.episodes
    per = h.periods
    rev = h.reviews
    # Review participation codes: PN0 under 4, otherwise mostly attended and spoke.
    rev_age = rev["review"].to_numpy() - dob[rev["child"].to_numpy()]
    rev_code = np.where(rev_age < 4 * YEAR, "PN0", choose(rng, {
        "PN1": 0.6, "PN2": 0.1, "PN3": 0.08, "PN4": 0.05, "PN5": 0.07, "PN6": 0.05, "PN7": 0.05,
    }, len(rev)))
    # Previous permanence of each period of care, asked when the child comes into care.
    n_per = len(per)
    prev = choose(rng, {"Z1": 0.86, "P4": 0.03, "P1": 0.03, "P2": 0.05, "P3": 0.03}, n_per)
    prev_la = np.where(rng.random(n_per) < 0.6, la_code,
                       [f"{x}" for x in rng.integers(201, 940, n_per)])
    prev_date = per["entry"].to_numpy() - np.floor(lognormal(rng, 3 * YEAR, 0.5, n_per))
    prev_text = dmy(np.maximum(prev_date, dob[per["child"].to_numpy()] + 180))
    partial = rng.random(n_per) < 0.3  # DfE allows the day as zz when it is not known
    prev_text = np.where(partial, ["zz" + t[2:] for t in prev_text], prev_text)
    # Only children old enough to have had an earlier order can have one.
    prev = np.where(per["age_entry"].to_numpy() < 2 * YEAR, "Z1", prev)
    has_perm = np.isin(prev, ("P1", "P2", "P3"))
    # OC2 outcomes, drawn per child and year.
    files: dict[str, pd.DataFrame] = {}
    for ye_cal in window.year_ends:
        ys, ye = window.start_of(ye_cal), window.end_of(ye_cal)
        label = window.label(ye_cal)
        letters = ye_cal >= 2025  # SEX as M/F from the 2024-25 return, 1/2 before
        sex = kids["sex"].to_numpy()
        sex_text = np.where(sex == 1, "M" if letters else "1", "F" if letters else "2")

        # Episodes open at any time in the year.
        dec = eps["dec"].to_numpy()
        sel = (eps["decom"].to_numpy() <= ye) & (np.isnan(dec) | (dec >= ys))
        e = eps[sel]
        closed = e["dec"].to_numpy() <= ye
        c = e["child"].to_numpy()
        files[f"903/{label}/episodes.csv"] = pd.DataFrame({
            "CHILD": ids[c], "DECOM": dmy(e["decom"]), "RNE": e["rne"].to_numpy(),
            "LS": e["ls"].to_numpy(), "CIN": e["cin"].to_numpy(), "PLACE": e["place"].to_numpy(),
            "PLACE_PROVIDER": e["provider"].fillna("").to_numpy(),
            "DEC": dmy(np.where(closed, e["dec"], np.nan)),
            "REC": np.where(closed, e["rec"].fillna(""), ""),
            "REASON_PLACE_CHANGE": e["reason"].fillna("").to_numpy(),
            "HOME_POST": filler["home_post"].to_numpy()[c],
            "PL_POST": e["pl_post"].fillna("").to_numpy(), "URN": e["urn"].fillna("").to_numpy(),
            "_ep": e.index.to_numpy(), "_child": c,
        })

        # Header: every child with an episode in the year.
        kc = np.unique(c)
        age_ye = ye - dob[kc]
        mc = filler["mc_dob"].to_numpy()[kc]
        girl12 = (sex[kc] == 2) & (age_ye >= 12 * YEAR)
        is_mother = girl12 & (mc <= ye)
        files[f"903/{label}/header.csv"] = pd.DataFrame({
            "CHILD": ids[kc], "SEX": sex_text[kc], "DOB": dmy(dob[kc]),
            "ETHNIC": kids["ethnic"].to_numpy()[kc], "UPN": filler["upn"].to_numpy()[kc],
            "MOTHER": np.where(is_mother, "1", np.where(girl12, "0", "")),
            "MC_DOB": dmy(np.where(is_mother, mc, np.nan)), "_child": kc,
        })

        # AD1: children whose adoption order fell in the year.
        ao = per["ao"].to_numpy()
        a = per[(ao >= ys) & (ao <= ye)]
        ac = a["child"].to_numpy()
        files[f"903/{label}/ad1.csv"] = pd.DataFrame({
            "CHILD": ids[ac], "DOB": dmy(dob[ac]), "DATE_INT": dmy(a["adm"]),
            "DATE_MATCH": dmy(a["match"]),
            "FOSTER_CARE": np.where(a["adopt_place"].isin(["A3", "A5"]), "1", "0"),
            "NB_ADOPTR": a["nb_adoptr"].to_numpy(), "SEX_ADOPTR": a["sex_adoptr"].to_numpy(),
            "LS_ADOPTR": a["ls_adoptr"].to_numpy(), "_child": ac, "_pid": a["pid"].to_numpy(),
        }).sort_values("CHILD")

        # PlacedAdoption: decisions made by 31 March and still open at some time in the year.
        adm = per["adm"].to_numpy()
        ceased = per["ceased"].to_numpy()
        end = np.where(per["end"].to_numpy() > window.data_end, np.inf, per["end"].to_numpy())
        d = per[(adm <= ye) & ~(ceased < ys) & (end >= ys)]
        shown = d["ceased"].to_numpy() <= ye
        dc = d["child"].to_numpy()
        files[f"903/{label}/placed_for_adoption.csv"] = pd.DataFrame({
            "CHILD": ids[dc], "DOB": dmy(dob[dc]), "DATE_PLACED": dmy(d["adm"]),
            "DATE_PLACED_CEASED": dmy(np.where(shown, d["ceased"], np.nan)),
            "REASON_PLACED_CEASED": np.where(shown, d["rd"], ""), "_child": dc,
            "_pid": d["pid"].to_numpy(),
        }).sort_values(["CHILD", "_pid"])

        # Reviews held in the year.
        r_in = (rev["review"].to_numpy() >= ys) & (rev["review"].to_numpy() <= ye)
        r = rev[r_in]
        rc = r["child"].to_numpy()
        files[f"903/{label}/reviews.csv"] = pd.DataFrame({
            "CHILD": ids[rc], "DOB": dmy(dob[rc]), "REVIEW": dmy(r["review"]),
            "REVIEW_CODE": rev_code[r_in], "_child": rc, "_review": r["review"].to_numpy(),
        })

        # OC2: looked after continuously for 12 months at 31 March.
        o = per[(per["entry"].to_numpy() <= ye - 365) & (end > ye)]
        oc = np.unique(o["child"].to_numpy())
        files[f"903/{label}/oc2.csv"] = _oc2(rng, ids[oc], dob[oc], ye)

        # Previous permanence: one row per child starting a period of care in the year.
        entry = per["entry"].to_numpy()
        p_in = (entry >= ys) & (entry <= ye)
        pc, first = np.unique(per["child"].to_numpy()[p_in], return_index=True)
        pi = np.flatnonzero(p_in)[first]
        files[f"903/{label}/previous_permanence.csv"] = pd.DataFrame({
            "CHILD": ids[pc], "DOB": dmy(dob[pc]), "PREV_PERM": prev[pi],
            "LA_PERM": np.where(has_perm[pi], prev_la[pi], ""),
            "DATE_PERM": np.where(has_perm[pi], prev_text[pi], ""),
        })

        # UASC looked after in the year; DUC is the 18th birthday once it has passed.
        u = kc[kids["uasc"].to_numpy()[kc]]
        b18 = add_years(dob[u], 18)
        files[f"903/{label}/uasc.csv"] = pd.DataFrame({
            "CHILD": ids[u], "SEX": sex_text[u], "DOB": dmy(dob[u]),
            "DUC": dmy(np.where(b18 <= ye, b18, np.nan)),
        })
    return files


def _oc2(rng: np.random.Generator, ids: np.ndarray, dob: np.ndarray, ye: int) -> pd.DataFrame:
    """OC2 outcomes for children looked after 12 months at 31 March (SDQ for ages 4-16,
    offending and substance misuse from 10)."""
    n = len(ids)
    age = ye - dob
    sdq_age = (age >= 4 * YEAR) & (age < 17 * YEAR)
    done = sdq_age & (rng.random(n) < 0.85)
    score = np.clip(np.round(rng.normal(14, 7, n)), 0, 40).astype(int)
    reason = np.where(sdq_age, choose(rng, {"SDQ2": 0.3, "SDQ4": 0.3, "SDQ5": 0.4}, n), "SDQ1")
    ten = age >= 10 * YEAR
    misuse = ten & (rng.random(n) < 0.04)
    return pd.DataFrame({
        "CHILD": ids, "DOB": dmy(dob),
        "SDQ_SCORE": np.where(done, score.astype(str), ""),
        "SDQ_REASON": np.where(done, "", reason),
        "CONVICTED": np.where(ten, _flags(rng, 0.04, n), ""),
        "HEALTH_CHECK": _flags(rng, 0.9, n), "IMMUNISATIONS": _flags(rng, 0.86, n),
        "TEETH_CHECK": _flags(rng, 0.8, n), "HEALTH_ASSESSMENT": _flags(rng, 0.88, n),
        "SUBSTANCE_MISUSE": np.where(ten, np.where(misuse, "1", "0"), ""),
        "INTERVENTION_RECEIVED": np.where(misuse, _flags(rng, 0.6, n), ""),
        "INTERVENTION_OFFERED": np.where(misuse, _flags(rng, 0.85, n), ""),
    })
