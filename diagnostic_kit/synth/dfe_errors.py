"""One planted case per DfE validator rule on the adoption journey, for the synthetic LA with
errors (``errors.inject`` calls :func:`plant` after its own errors).

Each case changes as little as it can so that exactly its rule fires, on the row the manifest
names, and no other rule anywhere (``tests/test_synth.py`` checks both):

- a placement, legal status or reason for new episode is changed on an episode found in one
  year's file only (an episode open across 31 March is in two files, and a change to one copy
  would be DfE 503's), of a child with no adoption decision where the change must not reach a
  journey, and only where the neighbouring episodes still agree with it (the reason the next
  episode began says what changed: DfE 434-436);
- a difference between returns is made in the later return's copy (503A/B/D), or in the earlier
  one where the rule names that row (502);
- a row the previous year's return should hold (DfE 562, 559) is taken out of it by
  overwriting its line with an exact copy of a later year's row (of the same child's next
  episode, or of another child's later decision), which the reader drops silently as the same
  record reported in a later year: the file keeps its lines, so every other row keeps its
  number. The manifest's ``also_changed`` names that line (and, for DfE 336, the previous
  episode whose placement was changed).
"""

from __future__ import annotations

from contextlib import suppress

import numpy as np
import pandas as pd

from diagnostic_kit.inputs import codes
from diagnostic_kit.synth._common import Window, dmy

#: Foster placements whose code can be swapped for another without touching early permanence.
_FOSTER_SWAP = {"U1": "U3", "U3": "U1", "U4": "U6", "U6": "U4"}
#: Legal statuses a planted change may move between (never an order: E1/D1 are rules of their
#: own).
_PLAIN_LS = ("C1", "C2", "V2")


class _NoCase(Exception):
    """No row of this LA fits a planted case: it is left out (the manifest lists what was
    planted; the demo's LA has every case)."""


def _line(idx: int) -> int:
    return int(idx) + 2


def plant(files: dict[str, pd.DataFrame], eps: pd.DataFrame, ep_rows: pd.DataFrame,
          per: pd.DataFrame, pick, window: Window) -> list[tuple]:
    """Change ``files`` in place; return the manifest rows (file, row, column, value, rule,
    also_changed). ``eps``: ``errors.inject``'s episodes (with ``_n_files``, ``_last``);
    ``ep_rows``: where each episode is written (``_ep``, ``_file``, ``_idx``); ``pick``: its
    picker (never the same child twice)."""
    out: list[tuple] = []
    e = eps.rename(columns={"child": "_child"})
    by_child = e.groupby("_child")
    nxt = by_child[["rne", "ls", "place"]].shift(-1)
    prev = by_child[["rne", "ls", "place"]].shift(1)
    ids = pd.Series(e.index, index=e.index, dtype="Int64")
    prev_ep = ids.groupby(e["_child"]).shift(1)
    next_ep = ids.groupby(e["_child"]).shift(-1)
    with_adm = set(per.loc[per["adm"].notna(), "child"])
    no_adm = ~e["_child"].isin(with_adm)
    one, two = e["_n_files"].eq(1), e["_n_files"].eq(2)
    in_window = e["decom"] >= window.first_start
    # The neighbouring episode a rule compares with is in the data (else there is nothing to
    # compare: an episode before the earliest return is history).
    prev_in_data = prev_ep.map(e["_n_files"]).fillna(0).gt(0)
    next_in_data = next_ep.map(e["_n_files"]).fillna(0).gt(0)
    where = ep_rows.sort_values(["_ep", "_file"]).groupby("_ep")
    first_at, last_at = where.head(1).set_index("_ep"), where.tail(1).set_index("_ep")
    starts = e["rne"].eq("S")
    adoptive = e["place"].isin(codes.PLACE_ADOPTION)

    def choose(cand: pd.DataFrame) -> pd.Series:
        """One candidate not yet used (``_NoCase`` when there is none: the case is skipped)."""
        if cand.empty or cand["_child"].isin(pick.used).all():
            raise _NoCase
        return pick.one(cand)

    def at(ep_id, which=last_at) -> tuple[str, int]:
        r = which.loc[ep_id]
        return str(r["_file"]), int(r["_idx"])

    def change_all(ep_id, column: str, value: str, every: bool = False) -> str:
        """Change a value in every file that holds the episode; the lines changed other than
        its latest (all of them with ``every``), as ``also_changed`` says them."""
        lines = ep_rows[ep_rows["_ep"].eq(ep_id)].sort_values("_file")
        for f, i in zip(lines["_file"], lines["_idx"], strict=True):
            files[f].loc[int(i), column] = value
        shown = lines if every else lines.iloc[:-1]
        return ";".join(f"{f}:{_line(i)}" for f, i in zip(shown["_file"], shown["_idx"],
                                                          strict=True))

    def put(ep_id, column: str, value: str, rule: str, which=last_at,
            also: str = "", reported: str | None = None) -> None:
        """Change one value; the manifest names the column the rule's finding names
        (``reported``, where that is another column of the row) with its value."""
        f, i = at(ep_id, which)
        files[f].loc[i, column] = value
        shown = reported or column
        out.append((f, _line(i), shown, str(files[f].loc[i, shown]), rule, also))

    adopted_ep = e["rec"].isin(codes.REC_ADOPTED)
    with_carers = e["place"].isin(codes.PLACE_ADOPTION_WITH_FOSTER_CARER)

    # DfE 390: adopted from a placement that is not an adoptive one. The order's episode (the
    # child's only A3-A6 one, A4/A6 so AD1 says not by foster carers) becomes foster care.
    only = adoptive.groupby(e["_child"]).transform("sum").eq(1)
    with suppress(_NoCase):
        c = choose(e[one & adopted_ep & e["place"].isin(["A4", "A6"])
                     & e["rne"].isin(["P", "B"]) & only])
        put(c.name, "PLACE", "U4", "adopted_from_non_adoptive_placement")

    # DfE 408: a child placed with consent (A4, no placement order) recorded as placed under
    # one (A6); the adoption order's episode, so nothing follows it.
    with suppress(_NoCase):
        c = choose(e[one & adopted_ep & e["place"].eq("A4") & e["rne"].ne("L")
                     & ~e["ls"].isin(codes.LS_PLACEMENT_ORDER)])
        put(c.name, "PLACE", "A6", "placed_under_order_without_e1", reported="LS")

    # DfE 445 and 555 (one row: D1 is always after 2005 here), 553 and 551: a period of care's
    # first episode, within the data, of a child with no decision, given a freeing order, a
    # placement order or a placement for adoption. The next episode still agrees: it changes
    # legal status (L, U, B) or starts a new period; for the placement, it changes placement.
    first_ep = no_adm & one & in_window & starts & ~adoptive
    ls_next_ok = (nxt["rne"].isna() | nxt["rne"].isin(["L", "U", "B", "S"])) & ~nxt[
        "ls"].isin(codes.LS_COURT_AUTHORITY)
    with suppress(_NoCase):
        c = choose(e[first_ep & ls_next_ok])
        put(c.name, "LS", "D1", "freeing_order_after_2005")
        out.append((*out[-1][:4], "freeing_order_without_decision", ""))
    with suppress(_NoCase):
        c = choose(e[first_ep & ls_next_ok])
        put(c.name, "LS", "E1", "placement_order_without_decision")
    with suppress(_NoCase):
        c = choose(e[first_ep & (nxt["rne"].isna()
                                 | nxt["rne"].isin(["P", "T", "U", "B", "S"]))])
        put(c.name, "PLACE", "A4", "placed_without_decision")

    # DfE 217: placed with the current foster carers (A3/A5) recorded as a new carer (T → P,
    # U → B: the legal status still changes, or not, as before). Every copy of the episode
    # changes (one open across 31 March is in two years' files: else DfE 503A).
    with suppress(_NoCase):
        c = choose(e[with_carers & e["rne"].isin(["T", "U"])])
        new = {"T": "P", "U": "B"}[c["rne"]]
        also = change_all(c.name, "RNE", new)
        f, i = at(c.name)
        out.append((f, _line(i), "RNE", new, "adoption_with_carers_wrong_rne", also))

    # DfE 336: placed with the current foster carers (A3/A5) straight from a children's home:
    # the previous episode's foster placement (every copy) becomes R1. That episode changed
    # placement (not L), so nothing else compares the two.
    with suppress(_NoCase):
        c = choose(e[with_carers & prev_in_data & prev["rne"].isin(["S", "P", "T", "U", "B"])
                     & prev["place"].isin([*_FOSTER_SWAP, "U2", "U5"])])
        also = change_all(int(prev_ep[c.name]), "PLACE", "R1", every=True)
        f, i = at(c.name)
        out.append((f, _line(i), "PLACE", c["place"],
                    "adoption_with_carers_not_after_fostering", also))

    # DfE 434: a change of legal status only (L) whose placement changed; nothing after it
    # that says the placement stayed the same (a next L).
    with suppress(_NoCase):
        c = choose(e[no_adm & one & prev_in_data & e["rne"].eq("L")
                     & e["place"].isin(list(_FOSTER_SWAP)) & nxt["rne"].ne("L")])
        put(c.name, "PLACE", _FOSTER_SWAP[c["place"]], "legal_status_change_not_shown",
            reported="RNE")

    # DfE 435 and 436: the child's last episode, a change of placement whose legal status
    # changed (P), and a change of both whose legal status did not (U/B).
    last = no_adm & one & e["_last"] & ~adoptive & prev_in_data & prev["ls"].isin(_PLAIN_LS)
    with suppress(_NoCase):
        c = choose(e[last & e["rne"].eq("P")])
        new = next(x for x in _PLAIN_LS if x not in (c["ls"], prev.loc[c.name, "ls"]))
        put(c.name, "LS", new, "placement_change_but_legal_status_changed", reported="RNE")
    with suppress(_NoCase):
        c = choose(e[last & e["rne"].isin(["U", "B"])])
        put(c.name, "LS", prev.loc[c.name, "ls"], "both_changed_but_legal_status_same",
            reported="RNE")

    # DfE 437: a period that ended (the child left care) before a later one began: it now
    # ends because the child was assessed as 18 or over.
    with suppress(_NoCase):
        c = choose(e[no_adm & one & e["rec"].notna()
                     & ~e["rec"].isin(["X1", "E2", "E15", *codes.REC_ADOPTED])
                     & nxt["rne"].eq("S") & next_in_data])
        put(c.name, "REC", "E15", "episode_after_death_or_18")

    # DfE 502: the earlier return's copy of an episode open across 31 March starts 3 days
    # earlier than the later return's.
    with suppress(_NoCase):
        c = choose(e[no_adm & two])
        put(c.name, "DECOM", dmy(np.array([c["decom"] - 3]))[0],
            "open_episode_not_in_next_return", which=first_at)

    # DfE 503A, 503B, 503D: the later return's copy differs from the earlier return's open
    # episode. RNE P → T (both a change of placement, legal status unchanged); a period's only
    # episode, legal status and placement.
    with suppress(_NoCase):
        c = choose(e[no_adm & two & e["rne"].eq("P")])
        put(c.name, "RNE", "T", "open_episode_rne_changed")
    single = no_adm & two & starts & e["_last"] & ~adoptive
    with suppress(_NoCase):
        c = choose(e[single & e["ls"].isin(_PLAIN_LS)])
        put(c.name, "LS", next(x for x in _PLAIN_LS if x != c["ls"]), "open_episode_ls_changed")
    with suppress(_NoCase):
        c = choose(e[single & e["place"].isin(list(_FOSTER_SWAP))])
        put(c.name, "PLACE", _FOSTER_SWAP[c["place"]], "open_episode_place_changed")

    # DfE 562: an episode that began in one year and was open at its end is taken out of that
    # year's return (its line holds a copy of the child's next episode, from the next return).
    year_start = {str(f): window.start_of(int(f[4:8]) + 1) for f in ep_rows["_file"].unique()}
    began = first_at["_file"].map(year_start).reindex(e.index)
    # The child's next episode begins in the later year (its first file is this one's last).
    next_in_later = next_ep.map(first_at["_file"]).eq(last_at["_file"].reindex(e.index))
    with suppress(_NoCase):
        c = choose(e[no_adm & two & (e["decom"] >= began) & next_in_later.fillna(False)])
        f0, i0 = at(c.name, first_at)
        f1, i1 = at(c.name)
        nf, ni = at(int(next_ep[c.name]), first_at)
        files[f0].loc[i0] = files[nf].loc[ni]
        out.append((f1, _line(i1), "DECOM", files[f1].loc[i1, "DECOM"],
                    "episode_missing_from_previous_return", f"{f0}:{_line(i0)}"))

    # DfE 559: a decision made in one year, taken out of that year's return (its line holds a
    # copy of another child's decision made the next year, from the next return).
    pfa = {lb: files[f"903/{lb}/placed_for_adoption.csv"] for lb in
           (window.label(y) for y in window.year_ends)}
    labels = list(pfa)
    made = per.set_index("pid")["adm"]
    for lb, nx in zip(labels, labels[1:], strict=False):
        ye = window.end_of(int(lb[:4]) + 1)
        now, later = pfa[lb], pfa[nx]
        cand = now[now["_pid"].map(made).between(window.start_of(int(lb[:4]) + 1), ye)
                   & now["_child"].isin(later["_child"])]
        donors = later[later["_pid"].map(made) > ye]
        if donors.empty:
            continue
        with suppress(_NoCase):
            row = choose(cand)
            i0 = int(row.name)
            i1 = int(later.index[later["_pid"].eq(row["_pid"])][0])
            now.loc[i0] = donors.iloc[0]
            f0 = f"903/{lb}/placed_for_adoption.csv"
            f1 = f"903/{nx}/placed_for_adoption.csv"
            out.append((f1, _line(i1), "DATE_PLACED", later.loc[i1, "DATE_PLACED"],
                        "decision_not_in_previous_return", f"{f0}:{_line(i0)}"))
            break

    # DfE 557, 525, 118: the latest return's row of a decision. A child who left care after a
    # placement order with no adopters found (RD3), reversal not recorded; an adopted child
    # whose decision is recorded as reversed; a reversal dated before care began.
    returned = per["pid"].isin(pd.concat([d["_pid"] for d in pfa.values()]))

    def latest_pfa(mask: pd.Series) -> tuple[str, int, pd.Series]:
        r = choose(per[mask & returned].rename(columns={"child": "_child"}))
        lb = next(lb for lb in reversed(labels) if pfa[lb]["_pid"].eq(r["pid"]).any())
        return (f"903/{lb}/placed_for_adoption.csv",
                int(pfa[lb].index[pfa[lb]["_pid"].eq(r["pid"])][0]), r)

    ended = per["end"].le(window.data_end) & ~per["rec"].isin(codes.REC_ADOPTED)
    with suppress(_NoCase):
        f, i, _ = latest_pfa(per["rd"].eq("RD3") & per["ceased"].ge(window.first_start) & ended)
        files[f].loc[i, ["DATE_PLACED_CEASED", "REASON_PLACED_CEASED"]] = ""
        out.append((f, _line(i), "DATE_PLACED_CEASED", "", "left_care_decision_not_reversed",
                    ""))
    with suppress(_NoCase):
        f, i, r = latest_pfa(per["ao"].le(window.data_end) & per["adm"].ge(window.first_start))
        value = dmy(np.array([r["adm"] + 10]))[0]
        files[f].loc[i, ["DATE_PLACED_CEASED", "REASON_PLACED_CEASED"]] = [value, "RD4"]
        out.append((f, _line(i), "DATE_PLACED_CEASED", value, "adopted_after_reversal", ""))
    with suppress(_NoCase):
        f, i, r = latest_pfa(per["ceased"].le(window.data_end)
                             & per["entry"].ge(window.first_start))
        value = dmy(np.array([r["entry"] - 5]))[0]
        files[f].loc[i, "DATE_PLACED_CEASED"] = value
        out.append((f, _line(i), "DATE_PLACED_CEASED", value, "reversal_before_care_entry", ""))
    return out
