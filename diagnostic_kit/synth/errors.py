"""Realistic errors for the synthetic LA (``with_errors=True``), one validation finding each.

Each error is placed where it yields exactly one finding of its rule and no knock-on finding:
episode errors on episodes that appear in a single year's file, of children with no adoption
decision and nothing after the changed episode; AD1 errors on different adopted children whose
dates leave room for exactly the intended inconsistency. ``injected_errors.csv`` lists them as
``file,row,column,value,rule,also_changed``: ``file`` relative to the output folder, ``row``
the line in the file (header = 1; blank for a file-level finding), ``value`` the bad value as
written, ``also_changed`` any other line the case changed. Then one case per DfE validator rule
on the adoption journey (:mod:`.dfe_errors`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.synth import dfe_errors
from diagnostic_kit.synth._common import Window, dmy
from diagnostic_kit.synth.history import Histories
from diagnostic_kit.synth.returns import child_ids

MANIFEST = "injected_errors.csv"
#: ``also_changed``: the other lines a planted case changed, as ``file:line`` (";" between),
#: blank for most (``dfe_errors`` says which need one).
MANIFEST_COLUMNS = ["file", "row", "column", "value", "rule", "also_changed"]


class _Picker:
    """Chooses targets at random among eligible ones, never the same child twice."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[int] = set()

    def one(self, candidates: pd.DataFrame, child_col: str = "_child") -> pd.Series:
        ok = candidates[~candidates[child_col].isin(self.used)]
        if ok.empty:
            raise ValueError("the synthetic LA is too small to place every injected error: "
                             "use a size of 200 or more (and at least 2 years)")
        row = ok.iloc[int(self.rng.integers(len(ok)))]
        self.used.add(int(row[child_col]))
        return row


def _line(df: pd.DataFrame, label) -> int:
    """Line of a row in the written file: header is line 1."""
    return int(df.index.get_loc(label)) + 2


def inject(rng: np.random.Generator, files: dict[str, pd.DataFrame], h: Histories,
           window: Window) -> pd.DataFrame:
    """Apply the documented errors to ``files`` (in place) and return the manifest."""
    for key in list(files):
        files[key] = files[key].reset_index(drop=True).copy(deep=True)
    labels = [window.label(y) for y in window.year_ends]
    pick = _Picker(rng)
    out: list[tuple[str, object, str, str, str]] = []

    def path(label: str, table: str) -> str:
        return f"903/{label}/{table}.csv"

    # Where each episode and each child's header row appear.
    ep_rows = pd.concat(
        [files[path(lb, "episodes")][["_ep", "_child"]].assign(_file=path(lb, "episodes"))
         .rename_axis("_idx").reset_index() for lb in labels], ignore_index=True)
    ep_files = ep_rows.groupby("_ep")["_file"].nunique()
    hd_rows = pd.concat(
        [files[path(lb, "header")][["_child"]].assign(_file=path(lb, "header"), _label=lb)
         .rename_axis("_idx").reset_index() for lb in labels], ignore_index=True)
    hd_files = hd_rows.groupby("_child")["_file"].nunique()
    per = h.periods
    with_adm = set(per.loc[per["adm"].notna(), "child"])
    eps = h.episodes.copy()
    eps["_n_files"] = ep_files.reindex(eps.index).fillna(0).to_numpy()
    eps["_last"] = ~eps.duplicated("child", keep="last")
    eps["_prev_once"] = eps.groupby("child")["_n_files"].shift(1) == 1
    eps["_prev_rec"] = eps.groupby("child")["rec"].shift(1)
    eps["_next_rne"] = eps.groupby("child")["rne"].shift(-1)
    no_adm = ~eps["child"].isin(with_adm)

    def ep_target(mask: pd.Series) -> tuple[str, int, pd.Series]:
        cand = eps[mask].rename(columns={"child": "_child"})
        e = pick.one(cand)
        where = ep_rows[ep_rows["_ep"] == e.name].iloc[0]
        return where["_file"], int(where["_idx"]), e

    # 1. A review on a date that does not exist.
    lb = labels[int(rng.integers(len(labels)))]
    rv = files[path(lb, "reviews")]
    sept = rv[rv["REVIEW"].str.slice(3, 5) == "09"]
    r = pick.one(sept if len(sept) else rv)
    bad = f"31/09/{r['REVIEW'][6:]}"
    rv.loc[r.name, "REVIEW"] = bad
    out.append((path(lb, "reviews"), _line(rv, r.name), "REVIEW", bad, "date_unparseable"))

    # 2. An unknown placement code on a foster episode of a child with no adoption decision,
    # one that changed placement and is not followed by a change of legal status only (RNE L
    # says the placement stayed the same: DfE 434 would then see the code change).
    f, i, _ = ep_target(no_adm & (eps["_n_files"] == 1)
                        & eps["place"].isin(["U1", "U3", "U4", "U6"])
                        & (eps["rne"] != "L") & (eps["_next_rne"] != "L"))
    files[f].loc[i, "PLACE"] = "Q9"
    out.append((f, i + 2, "PLACE", "Q9", "code_unknown"))

    # 3, 4 and 11 go in different years' headers where there are enough years.
    order = list(rng.permutation(len(labels)))
    y3, y4, y11 = (labels[order[k % len(order)]] for k in range(3))
    once = hd_rows[hd_rows["_child"].map(hd_files) == 1]

    # 11. A column the template does not have (a name column, redacted).
    hf = path(y11, "header")
    files[hf]["CHILD_NAME"] = "REDACTED"
    out.append((hf, "", "CHILD_NAME", "", "column_not_in_template"))

    # 3. A required value missing.
    r = pick.one(once[once["_label"] == y3])
    hf = path(y3, "header")
    files[hf].loc[int(r["_idx"]), "SEX"] = ""
    out.append((hf, int(r["_idx"]) + 2, "SEX", "", "required_missing"))

    # 4. A header row repeated at the end of its file.
    r = pick.one(once[once["_label"] == y4])
    hf = path(y4, "header")
    df = files[hf]
    files[hf] = pd.concat([df, df.loc[[int(r["_idx"])]]], ignore_index=True)
    out.append((hf, len(files[hf]) + 1, "CHILD", str(df.loc[int(r["_idx"]), "CHILD"]),
                "duplicate_record"))

    # 5. The last episode of a child who left care (not by adoption) ends before it starts.
    f, i, e = ep_target(no_adm & eps["_last"] & (eps["_n_files"] == 1) & eps["dec"].notna()
                        & ~eps["rec"].isin(["X1", "E11", "E12"]))
    bad = dmy(np.array([e["decom"] - 10]))[0]
    files[f].loc[i, "DEC"] = bad
    out.append((f, i + 2, "DEC", bad, "episode_ends_before_start"))

    # 6. A gap: a middle episode starting a week after the previous one ended.
    f, i, e = ep_target(no_adm & (eps["rne"] != "S") & (eps["_prev_rec"] == "X1")
                        & (eps["_n_files"] == 1) & eps["_prev_once"]
                        & (eps["dec"] - eps["decom"] >= 30))
    prev_file = ep_rows[ep_rows["_ep"] == e.name - 1]["_file"]
    if not (prev_file == f).all():  # pragma: no cover - guarded by _prev_once and contiguity
        raise RuntimeError("episode_gap target's previous episode is in another file")
    bad = dmy(np.array([e["decom"] + 7]))[0]
    files[f].loc[i, "DECOM"] = bad
    out.append((f, i + 2, "DECOM", bad, "episode_gap"))

    # 7-10. AD1.
    ad1 = pd.concat(
        [files[path(lb, "ad1")].assign(_file=path(lb, "ad1")).rename_axis("_idx").reset_index()
         for lb in labels], ignore_index=True)
    ad1 = ad1.merge(per[["pid", "adm", "match", "placed", "ao", "adopt_place", "fc_type"]],
                    left_on="_pid", right_on="pid")

    def ad1_target(mask: pd.Series) -> pd.Series:
        return pick.one(ad1[mask])

    # 7. An AD1 row for a child still waiting (decision and PO, not matched or placed).
    lb = labels[-1]
    end = window.data_end
    waiting = per[(per["adm"] <= end) & per["ceased"].isna() & ~(per["match"] <= end)
                  & (per["end"] > end)].rename(columns={"child": "_child"})
    w = pick.one(waiting)
    af = path(lb, "ad1")
    df = files[af]
    cid = child_ids(len(h.children))[int(w["_child"])]
    dob = files[path(lb, "header")].set_index("CHILD").loc[cid, "DOB"]
    extra = {c: "" for c in df.columns}
    extra.update({"CHILD": cid, "DOB": dob, "DATE_INT": dmy(np.array([w["adm"]]))[0],
                  "DATE_MATCH": "", "FOSTER_CARE": "0", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF",
                  "LS_ADOPTR": "L11", "_child": int(w["_child"]), "_pid": int(w["pid"])})
    files[af] = pd.concat([df, pd.DataFrame([extra])], ignore_index=True)
    out.append((af, len(files[af]) + 1, "CHILD", cid, "ad1_without_adoption"))

    # 8-10 go to three different adopted children; the most particular one is chosen first.
    a10 = ad1_target(ad1["adopt_place"].isin(["A4", "A6"]) & (ad1["fc_type"] == 0))
    a9 = ad1_target(ad1["placed"] + 20 < ad1["ao"])
    a8 = ad1_target(ad1["match"] >= ad1["adm"] + 3)

    # 8. DATE_INT three days before the ADM decision (the match is later than that anyway).
    bad = dmy(np.array([a8["adm"] - 3]))[0]
    files[a8["_file"]].loc[int(a8["_idx"]), "DATE_INT"] = bad
    out.append((a8["_file"], int(a8["_idx"]) + 2, "DATE_INT", bad, "date_int_differs"))

    # 9. A match recorded 20 days after the child moved in (still before the order).
    bad = dmy(np.array([a9["placed"] + 20]))[0]
    files[a9["_file"]].loc[int(a9["_idx"]), "DATE_MATCH"] = bad
    out.append((a9["_file"], int(a9["_idx"]) + 2, "DATE_MATCH", bad, "match_out_of_order"))

    # 10. Foster-carer flag on a child placed with adopters who were not their carers.
    files[a10["_file"]].loc[int(a10["_idx"]), "FOSTER_CARE"] = "1"
    out.append((a10["_file"], int(a10["_idx"]) + 2, "FOSTER_CARE", "1",
                "foster_care_inconsistent"))

    # 12. A money amount with a letter O for a zero.
    cf = "local/costs.csv"
    costs = files[cf]
    i = int(rng.choice(np.flatnonzero(costs["income"].to_numpy() == "no")))
    costs.loc[i, "amount"] = "12,3O0"
    out.append((cf, i + 2, "amount", "12,3O0", "number_unparseable"))

    # 13. A misspelt plan on a looked-after-review row.
    pf = "local/permanence_plans.csv"
    plans = files[pf]
    lac = plans[(plans["source"] == "lac_review") & (plans["plan"] == "adoption")]
    if lac.empty:
        lac = plans[plans["source"] == "lac_review"]
    i = int(lac.index[int(rng.integers(len(lac)))])
    plans.loc[i, "plan"] = "adoptoin"
    out.append((pf, i + 2, "plan", "adoptoin", "code_unknown"))

    # 14-33. One planted case per DfE validator rule on the adoption journey.
    rows = [(*r, "") for r in out]
    rows += dfe_errors.plant(files, eps, ep_rows, per, pick, window)
    return pd.DataFrame(rows, columns=MANIFEST_COLUMNS).astype({"row": str})
