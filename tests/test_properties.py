"""Property: for random episode chains, AD1 and PlacedAdoption rows, loading and deriving never
raise and every input row is accounted for (rows read = used + excluded, and the rows used are
the rows in the tables)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnostic_kit.run.prepare import prepare_la
from tests.la_builder import write_la

DAY0 = pd.Timestamp("2021-04-01")
RNE = ["S", "P", "L", "T", "U", "B", "X"]            # X is not a code
LS = ["C1", "C2", "E1", "V2", "D1"]
PLACE = ["U1", "U4", "U6", "A3", "A4", "A5", "A6", "K2", "Q9"]
REC = ["X1", "X1", "X1", "E11", "E12", "E4A", "E13", "", "E99"]


def _date(days: int, style: int) -> str:
    d = DAY0 + pd.Timedelta(days=days)
    return [f"{d:%d/%m/%Y}", f"{d:%Y-%m-%d}", f"{d:%d/%m/%Y} 00:00", f"{d:%d/%m/%y}"][style]


@st.composite
def chains(draw):
    """One child's episodes: consecutive (sometimes overlapping, zero-day or open) episodes."""
    child = f"CH{draw(st.integers(1, 12))}"  # no code reads CH...
    day = draw(st.integers(0, 900))
    rows = []
    for i in range(draw(st.integers(1, 5))):
        length = draw(st.sampled_from([0, 1, 30, 200, -5]))
        rec = draw(st.sampled_from(REC))
        has_dec = draw(st.booleans()) or rec not in ("",)
        style = draw(st.sampled_from([0, 0, 0, 1, 2, 3]))
        rows.append({
            "CHILD": child, "DECOM": _date(day, style),
            "RNE": "S" if i == 0 and draw(st.booleans()) else draw(st.sampled_from(RNE)),
            "LS": draw(st.sampled_from(LS)), "CIN": "N1", "PLACE": draw(st.sampled_from(PLACE)),
            "PLACE_PROVIDER": "PR1",
            "DEC": _date(day + length, style) if has_dec and draw(st.booleans()) else "",
            "REC": rec,
        })
        day += max(length, 0) + draw(st.sampled_from([0, 0, 0, 3]))
    return rows


@st.composite
def la(draw):
    episodes = [e for c in draw(st.lists(chains(), min_size=1, max_size=8)) for e in c]
    if draw(st.booleans()):
        episodes.append(dict(draw(st.sampled_from(episodes))))  # an identical row
    children = sorted({e["CHILD"] for e in episodes} | {"CH99"})
    header = [{"CHILD": c, "SEX": draw(st.sampled_from(["1", "2", "M", "F", "9"])),
               "DOB": _date(draw(st.integers(-3000, 400)), 0), "ETHNIC": "WBRI"}
              for c in children if draw(st.integers(0, 9))]
    day = st.integers(0, 1400)
    ad1 = [{"CHILD": draw(st.sampled_from(children)), "DATE_INT": _date(draw(day), 0),
            "DATE_MATCH": _date(draw(day), 0), "FOSTER_CARE": draw(st.sampled_from("01")),
            "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11"}
           for _ in range(draw(st.integers(0, 4)))]
    pfa = [{"CHILD": draw(st.sampled_from(children)), "DATE_PLACED": _date(draw(day), 0),
            "DATE_PLACED_CEASED": draw(st.sampled_from(["", _date(draw(day), 0)])),
            "REASON_PLACED_CEASED": draw(st.sampled_from(["", "RD1", "RD4"]))}
           for _ in range(draw(st.integers(0, 4)))]
    split = draw(st.booleans())
    return episodes, header or [{"CHILD": "CH99", "SEX": "1", "DOB": "01/01/2020",
                                 "ETHNIC": "WBRI"}], ad1, pfa, split


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(la())
def test_loading_and_deriving_never_raise_and_account_for_every_row(data):
    episodes, header, ad1, pfa, split = data
    with tempfile.TemporaryDirectory() as tmp:
        years = {"2024-25": {"header": header, "episodes": episodes, "ad1": ad1,
                             "placed_for_adoption": pfa}}
        if split:  # half the episodes in an earlier year's return as well
            years["2023-24"] = {"header": header, "episodes": episodes[::2]}
        params = write_la(Path(tmp), years)
        la = prepare_la(params)
    acc = la.dq.accounting.set_index("file")
    assert (acc["rows_read"] == acc["rows_used"] + acc["rows_excluded"]).all()
    written = {"2024-25": {"header": len(header), "episodes": len(episodes), "ad1": len(ad1),
                           "placed_for_adoption": len(pfa)}}
    if split:
        written["2023-24"] = {"header": len(header), "episodes": len(episodes[::2])}
    for year, tables in written.items():
        for name, n in tables.items():
            assert acc.loc[f"903/{year}/{name}.csv", "rows_read"] == n
    for name in ("header", "episodes"):
        used = la.tables[name]["_file"].value_counts()
        for f, row in acc[acc["table"] == name].iterrows():
            assert used.get(f, 0) == row["rows_used"], (name, f)
    f = la.dq.findings
    assert str(f["row"].dtype) == "Int64"
    assert not set(f["value"]) & {e["CHILD"] for e in episodes}
    assert la.periods["period_id"].is_unique
