"""Each registered rule on tiny hand-made tables, with the exact rows it flags."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostic_kit import rules
from diagnostic_kit.inputs.findings import RULES
from diagnostic_kit.rules.engine import REGISTRY, Context


def _d(s: str | None):
    return pd.NaT if not s else pd.Timestamp(s)


def episodes(*rows: tuple) -> pd.DataFrame:
    """(CHILD, DECOM, RNE, DEC, REC) per row; row numbers from 2, one file, year 2025."""
    df = pd.DataFrame(rows, columns=["CHILD", "DECOM", "RNE", "DEC", "REC"])
    df["DECOM"] = df["DECOM"].map(_d)
    df["DEC"] = df["DEC"].map(_d)
    df["REC"] = df["REC"].astype("string").replace("", pd.NA)
    df["LS"], df["PLACE"], df["CIN"] = "C2", "U4", "N1"
    df["_file"], df["_row"], df["_year"] = "903/2024-25/episodes.csv", range(2, len(df) + 2), 2025
    return df


def header(*rows: tuple[str, str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["CHILD", "DOB"])
    df["DOB"] = df["DOB"].map(_d)
    df["_file"], df["_row"], df["_year"] = "903/2024-25/header.csv", range(2, len(df) + 2), 2025
    return df


HDR = header(("A", "2020-01-01"), ("B", "2020-01-01"))


def flagged(rule_id: str, tables: dict, ctx: Context | None = None) -> list[tuple]:
    _, found = rules.check(rule_id, tables, ctx)
    f = found.build().findings
    return list(f[["row", "column", "value"]].itertuples(index=False, name=None))


def test_every_rule_is_in_the_one_catalogue():
    for rule_id, reg in REGISTRY.items():
        assert RULES[rule_id] is reg.rule
    assert RULES["episode_overlap"].validator == "501, 142"
    # The catalogue is the registered functions and the checks made while reading, nothing else.
    cat = rules.catalogue()
    assert set(cat["rule"]) == set(RULES) == set(REGISTRY) | set(
        cat.loc[cat["stage"].eq("reading"), "rule"])
    assert cat.loc[cat["rule"].eq("adopted_from_non_adoptive_placement"), "dfe"].item() == "390"


def test_registering_a_clashing_definition_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        rules.rule(id="episode_gap", message="other", action="kept", tables=("episodes",),
                   column="DECOM")(lambda t, c: t["episodes"])


def test_episode_ends_before_start_is_blanked():
    ep = episodes(("A", "2024-05-01", "S", "2024-04-01", "E4A"))
    assert flagged("episode_ends_before_start", {"episodes": ep}) == [(2, "DEC", "01/04/2024")]
    out, _ = rules.run({"episodes": ep}, ids=["episode_ends_before_start"])
    assert out["episodes"]["DEC"].isna().all()
    assert ep["DEC"].notna().all()  # the caller's frame is not changed


def test_overlap_and_gap():
    ep = episodes(
        ("A", "2024-05-01", "S", "2024-06-01", "X1"),
        ("A", "2024-05-20", "P", "2024-07-01", "X1"),  # starts before the previous ended
        ("A", "2024-07-10", "P", "", ""),              # 9 days after the X1
    )
    assert flagged("episode_overlap", {"episodes": ep}) == [(3, "DECOM", "20/05/2024")]
    assert flagged("episode_gap", {"episodes": ep}) == [(4, "DECOM", "10/07/2024")]


def test_period_without_start_only_inside_the_window():
    ep = episodes(
        ("A", "2023-01-01", "P", "", ""),                   # before the window: history
        ("B", "2024-06-01", "P", "2024-07-01", "E4A"),      # inside: no RNE S
        ("B", "2024-08-01", "L", "", ""),                   # after leaving care, not S
    )
    ctx = Context(window_start=pd.Timestamp("2024-04-01"))
    assert flagged("period_without_start", {"episodes": ep}, ctx) == [
        (3, "RNE", "P"), (4, "RNE", "L")]
    # Without a known window every first episode not S is flagged.
    assert [r for r, *_ in flagged("period_without_start", {"episodes": ep})] == [2, 3, 4]


def test_episode_after_adoption_is_its_own_finding():
    ep = episodes(
        ("A", "2024-05-01", "S", "2024-09-01", "E11"),
        ("A", "2024-09-01", "P", "", ""),
        ("B", "2024-05-01", "S", "2024-06-01", "E11"),
        ("B", "2025-01-01", "S", "", ""),  # a new period: a return to care, not an error
    )
    assert flagged("episode_after_adoption", {"episodes": ep}) == [(3, "DECOM", "01/09/2024")]
    assert flagged("period_without_start", {"episodes": ep}) == []


def test_rec_and_dec_each_without_the_other():
    ep = episodes(("A", "2024-05-01", "S", "", "E11"), ("B", "2024-05-01", "S", "2024-06-01", ""))
    assert flagged("rec_without_dec", {"episodes": ep}) == [(2, "REC", "E11")]
    assert flagged("dec_without_rec", {"episodes": ep}) == [(3, "DEC", "01/06/2024")]


def test_chain_ending_x1_with_nothing_after():
    ep = episodes(
        ("A", "2024-05-01", "S", "2024-06-01", "X1"),
        ("A", "2024-06-01", "P", "2024-07-01", "X1"),
        ("B", "2024-05-01", "S", "2024-06-01", "X1"),
        ("B", "2024-06-01", "P", "", ""),
    )
    assert flagged("chain_ends_x1", {"episodes": ep}) == [(3, "REC", "X1")]


def test_child_not_in_header_withholds_the_id():
    ep = episodes(("A", "2024-05-01", "S", "", ""), ("Z", "2024-05-01", "S", "", ""),
                  ("Z", "2024-06-01", "P", "", ""))
    assert flagged("episode_child_not_in_header", {"episodes": ep, "header": HDR}) == [
        (3, "CHILD", "(withheld)")]


def test_dob_after_care_entry_once_per_child():
    ep = episodes(("A", "2019-05-01", "S", "2019-06-01", "X1"), ("A", "2019-06-01", "P", "", ""),
                  ("B", "2021-05-01", "S", "", ""))
    assert flagged("dob_after_care_entry", {"episodes": ep, "header": HDR}) == [
        (2, "DECOM", "01/05/2019")]


def test_date_in_future_uses_the_returns_year_end():
    ep = episodes(("A", "2024-05-01", "S", "2025-04-02", "E4A"), ("B", "2025-03-31", "S", "", ""))
    hd = header(("A", "2020-01-01"), ("B", "2025-06-01"))
    combined = episodes(("C", "2024-05-01", "S", "", "")).assign(_year=0)
    ctx = Context(today=pd.Timestamp("2024-12-01"))
    _, found = rules.check("date_in_future", {"header": hd, "episodes": ep}, ctx)
    f = found.build().findings
    assert list(f[["file", "row", "column", "value"]].itertuples(index=False, name=None)) == [
        ("903/2024-25/episodes.csv", 2, "DEC", "02/04/2025"),
        ("903/2024-25/header.csv", 3, "DOB", "01/06/2025"),
    ]
    assert flagged("date_in_future", {"header": HDR.iloc[0:0], "episodes": combined},
                   Context(today=pd.Timestamp("2024-04-30"))) == [(2, "DECOM", "01/05/2024")]


def _local(name: str, **cols) -> pd.DataFrame:
    df = pd.DataFrame(cols)
    df["_file"], df["_row"] = f"local/{name}.csv", range(2, len(df) + 2)
    return df


def test_negative_cost_is_excluded():
    costs = _local("costs", financial_year=["2024-25"] * 2, category=["staff", "legal"],
                   amount=pd.array([100.0, -5.0], dtype="Float64"))
    assert flagged("cost_negative", {"costs": costs}) == [(3, "amount", "-5.0")]
    out, found = rules.run({"costs": costs}, ids=["cost_negative"])
    assert out["costs"]["category"].tolist() == ["staff"]
    assert found.build().exclusions["row"].tolist() == [3]


def test_audit_score_range_and_grade_band():
    audits = _local("case_audits", audit_id=["1", "2", "3", "4"],
                    score=pd.array([10, 11, 7, 3], dtype="Int64"),
                    overall_grade=["outstanding", "outstanding", "requires_improvement",
                                   "inadequate"])
    t = {"case_audits": audits}
    assert flagged("audit_score_out_of_range", t) == [(3, "score", "11")]
    assert flagged("audit_grade_contradicts_score", t) == [
        (4, "overall_grade", "requires_improvement")]
    out, found = rules.run(t, ids=["audit_score_out_of_range", "audit_grade_contradicts_score"])
    assert out["case_audits"]["score"].isna().tolist() == [False, True, False, False]
    assert sorted(found.build().findings["rule"]) == [
        "audit_grade_contradicts_score", "audit_score_out_of_range"]


def test_rec_with_an_unreadable_dec_is_not_reported_twice():
    ep = episodes(("A", "2024-05-01", "S", "", "E4A"), ("B", "2024-05-01", "S", "", "E4A"))
    ep["_unread"] = pd.array(["DEC;", pd.NA], dtype="string")  # A's DEC was "31/02/2024"
    assert flagged("rec_without_dec", {"episodes": ep}) == [(3, "REC", "E4A")]
