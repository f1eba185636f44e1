"""The DfE validator's adoption rules and the rules on the journey facts, each on tiny
hand-made tables, with the exact rows it flags (row, column, value as the finding shows them).

Rows are numbered as a spreadsheet shows them: the first data row of a file is row 2.
"""

from __future__ import annotations

import pandas as pd

from diagnostic_kit import rules
from diagnostic_kit.derive import journeys
from diagnostic_kit.derive.periods import clean_episodes, periods_of_care
from diagnostic_kit.rules.engine import Context

EP_FILE = "903/2024-25/episodes.csv"


def _d(s: str | None):
    return pd.NaT if not s else pd.Timestamp(s)


def episodes(*rows: tuple, year: int = 2025, file: str = EP_FILE) -> pd.DataFrame:
    """(CHILD, DECOM, RNE, LS, PLACE, DEC, REC) per row, optionally PLACE_PROVIDER last."""
    cols = ["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC", "PLACE_PROVIDER"]
    df = pd.DataFrame([(*r, "PR1") if len(r) == 7 else r for r in rows], columns=cols)
    df["DECOM"], df["DEC"] = df["DECOM"].map(_d), df["DEC"].map(_d)
    for c in ("REC", "LS", "PLACE", "RNE"):
        df[c] = df[c].astype("string").replace("", pd.NA)
    df["CIN"] = "N1"
    df["_file"], df["_row"], df["_year"] = file, range(2, len(df) + 2), year
    return df


def pfa(*rows: tuple, file: str = "903/2024-25/placed_for_adoption.csv",
        year: int = 2025) -> pd.DataFrame:
    """(CHILD, DATE_PLACED, DATE_PLACED_CEASED, REASON_PLACED_CEASED) per row."""
    df = pd.DataFrame(rows, columns=["CHILD", "DATE_PLACED", "DATE_PLACED_CEASED",
                                     "REASON_PLACED_CEASED"])
    for c in ("DATE_PLACED", "DATE_PLACED_CEASED"):
        df[c] = df[c].map(_d)
    df["REASON_PLACED_CEASED"] = df["REASON_PLACED_CEASED"].astype("string").replace("", pd.NA)
    df["_file"], df["_row"], df["_year"] = file, range(2, len(df) + 2), year
    return df


def ad1(*rows: tuple) -> pd.DataFrame:
    """(CHILD, DATE_INT, DATE_MATCH, FOSTER_CARE) per row."""
    df = pd.DataFrame(rows, columns=["CHILD", "DATE_INT", "DATE_MATCH", "FOSTER_CARE"])
    for c in ("DATE_INT", "DATE_MATCH"):
        df[c] = df[c].map(_d)
    df["FOSTER_CARE"] = df["FOSTER_CARE"].astype("string")
    df["_file"], df["_row"], df["_year"] = "903/2024-25/ad1.csv", range(2, len(df) + 2), 2025
    return df


def chained(ep: pd.DataFrame, ctx: Context | None = None) -> dict[str, pd.DataFrame]:
    """The episodes as the ``adoption`` rules see them: in chain order with periods of care."""
    header = pd.DataFrame({"CHILD": ep["CHILD"].unique(), "DOB": pd.Timestamp("2015-01-01")})
    chain, _ = clean_episodes(ep, header, ctx=ctx or Context())
    return {"episodes": chain, "periods": periods_of_care(chain)}


def flagged(rule_id: str, tables: dict, ctx: Context | None = None) -> list[tuple]:
    _, found = rules.check(rule_id, tables, ctx)
    f = found.build().findings
    return list(f[["file", "row", "column", "value"]].itertuples(index=False, name=None))


def rows(rule_id: str, tables: dict, ctx: Context | None = None) -> list[tuple]:
    """(row, column, value) of each finding of a rule on one file."""
    return [r[1:] for r in flagged(rule_id, tables, ctx)]


# -- placements and legal statuses (stage "episodes") ---------------------------------------


def test_390_adopted_from_a_placement_that_is_not_adoptive():
    ep = episodes(
        ("A", "2022-05-01", "S", "E1", "A5", "2023-01-01", "X1"),
        ("A", "2023-01-01", "P", "E1", "U4", "2024-12-01", "E11"),  # adopted from foster care
        ("B", "2023-05-01", "S", "E1", "A6", "2024-09-01", "E12"),
        ("C", "2023-05-01", "S", "E1", "", "2024-09-01", "E12"),    # blank: required_missing's
    )
    assert rows("adopted_from_non_adoptive_placement", {"episodes": ep}) == [(3, "PLACE", "U4")]


def test_445_freeing_order_after_2005():
    ep = episodes(("A", "2005-12-31", "S", "D1", "U4", "2006-02-01", "X1"),
                  ("A", "2006-02-01", "L", "D1", "U4", "", ""),
                  ("B", "2024-02-01", "S", "E1", "U4", "", ""))
    assert rows("freeing_order_after_2005", {"episodes": ep}) == [(3, "LS", "D1")]


def test_408_placed_under_a_placement_order_without_e1():
    ep = episodes(("A", "2024-05-01", "S", "C2", "A6", "", ""),
                  ("B", "2024-05-01", "S", "E1", "A5", "", ""),
                  ("C", "2024-05-01", "S", "C2", "A4", "", ""))  # A4: with consent, no order
    assert rows("placed_under_order_without_e1", {"episodes": ep}) == [(2, "LS", "C2")]


def test_217_and_336_placed_with_current_foster_carers():
    ep = episodes(
        ("A", "2024-04-01", "S", "C2", "U4", "2024-06-01", "X1"),
        ("A", "2024-06-01", "P", "E1", "A5", "", ""),              # 217: new carer (P)
        ("B", "2014-04-01", "S", "C2", "U4", "2014-06-01", "X1"),
        ("B", "2014-06-01", "P", "E1", "A5", "", ""),              # before 2015-16: not 217
        ("C", "2024-04-01", "S", "C2", "K2", "2024-06-01", "X1"),
        ("C", "2024-06-01", "U", "E1", "A5", "", ""),              # 336: after a children's home
        ("D", "2024-04-01", "S", "V2", "A3", "", ""),              # first of its period
    )
    t = {"episodes": ep}
    assert rows("adoption_with_carers_wrong_rne", t) == [(3, "RNE", "P")]
    assert rows("adoption_with_carers_not_after_fostering", t) == [(7, "PLACE", "A5")]


def test_434_435_436_reason_for_new_episode_against_what_changed():
    ep = episodes(
        ("A", "2024-04-01", "S", "C1", "U6", "2024-05-01", "X1"),
        ("A", "2024-05-01", "L", "C2", "U6", "2024-06-01", "X1"),  # LS only: right
        ("A", "2024-06-01", "L", "C2", "U6", "2024-07-01", "X1"),  # 434: LS the same
        ("A", "2024-07-01", "L", "E1", "U4", "2024-08-01", "X1"),  # 434: placement changed
        ("A", "2024-08-01", "P", "E1", "U6", "2024-09-01", "X1"),  # placement only: right
        ("A", "2024-09-01", "T", "C2", "U6", "2024-10-01", "X1"),  # 435: LS changed
        ("A", "2024-10-01", "U", "C2", "U4", "2024-11-01", "X1"),  # 436: LS the same
        ("A", "2024-11-01", "B", "E1", "A6", "", ""),              # both: right
        ("B", "2024-04-01", "S", "C1", "U6", "2024-05-01", "E4A"),
        ("B", "2024-06-01", "L", "C1", "U6", "", ""),              # a new period: not compared
    )
    t = {"episodes": ep}
    assert rows("legal_status_change_not_shown", t) == [(4, "RNE", "L"), (5, "RNE", "L")]
    assert rows("placement_change_but_legal_status_changed", t) == [(7, "RNE", "T")]
    assert rows("both_changed_but_legal_status_same", t) == [(8, "RNE", "U")]


def test_434_sees_a_change_of_provider():
    ep = episodes(("A", "2024-04-01", "S", "C1", "U6", "2024-05-01", "X1", "PR1"),
                  ("A", "2024-05-01", "L", "C2", "U6", "", "", "PR4"))
    assert rows("legal_status_change_not_shown", {"episodes": ep}) == [(3, "RNE", "L")]


def test_437_episodes_after_the_child_died_or_was_assessed_as_18():
    ep = episodes(("A", "2024-04-01", "S", "C2", "U4", "2024-06-01", "E15"),
                  ("A", "2024-09-01", "S", "V2", "U4", "", ""),
                  ("B", "2024-04-01", "S", "C2", "U4", "2024-06-01", "E2"))
    assert rows("episode_after_death_or_18", {"episodes": ep}) == [(2, "REC", "E15")]


# -- one year's return against the next (stage "inputs") -------------------------------------


def _returns(y24: pd.DataFrame, y25: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The combined table (the later year's record kept, by CHILD and DECOM) and the rows the
    later year replaced, as the reader gives them."""
    both = pd.concat([y24, y25], ignore_index=True)
    replaced = both.duplicated(["CHILD", "DECOM"], keep="last")
    return {"episodes": both[~replaced], "episodes_replaced": both[replaced].reset_index(
        drop=True)}


F24, F25 = "903/2023-24/episodes.csv", "903/2024-25/episodes.csv"


def test_502_an_open_episode_the_next_return_does_not_hold_is_dropped():
    y24 = episodes(("A", "2024-01-10", "S", "C1", "U4", "", ""),   # open; next year: 12/01
                   ("B", "2023-06-01", "S", "C1", "U4", "", ""), year=2024, file=F24)
    y25 = episodes(("A", "2024-01-12", "S", "C1", "U4", "", ""),
                   ("B", "2023-06-01", "S", "C1", "U4", "2024-08-01", "E4A"), file=F25)
    t = _returns(y24, y25)
    assert flagged("open_episode_not_in_next_return", t) == [(F24, 2, "DECOM", "10/01/2024")]
    out, found = rules.run(t, ids=["open_episode_not_in_next_return"])
    assert sorted(out["episodes"]["_file"] + ":" + out["episodes"]["_row"].astype(str)) == [
        f"{F25}:2", f"{F25}:3"]
    assert found.build().exclusions[["file", "row"]].values.tolist() == [[F24, 2]]
    # The same child's first episode of the later return is not also a 562 finding.
    assert flagged("episode_missing_from_previous_return", t) == []


def test_503_an_open_episode_changed_in_the_next_return():
    y24 = episodes(("A", "2023-06-01", "S", "C1", "U4", "", ""),
                   ("B", "2023-06-01", "S", "C2", "U4", "", ""),
                   ("C", "2023-06-01", "S", "C2", "H5", "", ""), year=2024, file=F24)
    y25 = episodes(("A", "2023-06-01", "S", "E1", "A6", "2024-09-01", "E11"),  # LS and PLACE
                   ("B", "2023-06-01", "P", "C2", "U4", "", ""),               # RNE
                   ("C", "2023-06-01", "S", "C2", "K3", "", ""), file=F25)     # recoded: no
    t = _returns(y24, y25)
    assert flagged("open_episode_rne_changed", t) == [(F25, 3, "RNE", "P")]
    assert flagged("open_episode_ls_changed", t) == [(F25, 2, "LS", "E1")]
    assert flagged("open_episode_place_changed", t) == [(F25, 2, "PLACE", "A6")]


def test_562_the_first_episode_of_a_return_missing_from_the_previous_return():
    y24 = episodes(("A", "2023-06-01", "S", "C1", "U4", "2023-09-01", "E4A"),
                   ("B", "2023-06-01", "S", "C1", "U4", "", ""), year=2024, file=F24)
    y25 = episodes(("A", "2024-02-01", "S", "C1", "U4", "", ""),  # began 2023-24, not in it
                   ("B", "2023-06-01", "S", "C1", "U4", "", ""),
                   ("C", "2024-05-01", "S", "C1", "U4", "", ""), file=F25)
    assert flagged("episode_missing_from_previous_return", _returns(y24, y25)) == [
        (F25, 2, "DECOM", "01/02/2024")]
    # Files given combined hold no years to compare.
    combined = {"episodes": pd.concat([y24, y25]).assign(_year=0)}
    assert flagged("episode_missing_from_previous_return", combined) == []


def test_559_an_earlier_decision_missing_from_the_previous_return():
    p24 = pfa(("A", "2023-05-01", "", ""), file="903/2023-24/placed_for_adoption.csv",
              year=2024)
    p25 = pfa(("A", "2023-05-01", "", ""), ("B", "2024-01-15", "", ""),
              ("C", "2024-06-01", "", ""))
    both = pd.concat([p24, p25], ignore_index=True)
    t = {"placed_for_adoption": both.iloc[1:], "placed_for_adoption_replaced": both.iloc[:1]}
    assert flagged("decision_not_in_previous_return", t) == [
        ("903/2024-25/placed_for_adoption.csv", 3, "DATE_PLACED", "15/01/2024")]


# -- the adoption tables against the periods of care (stage "adoption") ----------------------


WINDOW = Context(window_start=pd.Timestamp("2023-04-01"))


def test_551_553_555_no_placedadoption_row():
    ep = episodes(
        ("A", "2023-05-01", "S", "C2", "U4", "2023-09-01", "X1"),
        ("A", "2023-09-01", "P", "C2", "A4", "", ""),                # 551
        ("B", "2023-05-01", "S", "C2", "U4", "2023-09-01", "X1"),
        ("B", "2023-09-01", "L", "E1", "U4", "2024-01-01", "X1"),    # 553
        ("B", "2024-01-01", "L", "E1", "U6", "", ""),                # the same order: once
        ("C", "2023-05-01", "S", "D1", "U4", "", ""),                # 555
        ("D", "2023-05-01", "S", "E1", "U4", "", ""),                # has a decision
        ("E", "2022-05-01", "P", "E1", "U4", "", ""),                # order before the data
    )
    t = {**chained(ep, WINDOW), "placed_for_adoption": pfa(("D", "2023-04-15", "", ""))}
    assert rows("placed_without_decision", t, WINDOW) == [(3, "PLACE", "A4")]
    assert rows("placement_order_without_decision", t, WINDOW) == [(5, "LS", "E1")]
    assert rows("freeing_order_without_decision", t, WINDOW) == [(7, "LS", "D1")]


def test_adm_outside_period_1003_117():
    ep = episodes(("A", "2023-05-01", "S", "C2", "U4", "2024-01-01", "E4A"),
                  ("B", "2023-05-01", "S", "C2", "U4", "", ""))
    p = pfa(("A", "2023-04-20", "", ""),    # before care began (1003)
            ("A", "2024-02-01", "", ""),    # after the period ended (117)
            ("A", "2023-08-01", "", ""),
            ("B", "2023-05-01", "", ""))    # the day care began: inside
    t = {**chained(ep), "placed_for_adoption": p}
    assert rows("adm_outside_period", t) == [(2, "DATE_PLACED", "20/04/2023"),
                                             (3, "DATE_PLACED", "01/02/2024")]


def test_557_525_118_decisions_reversed():
    ep = episodes(
        ("A", "2023-05-01", "S", "E1", "U4", "2024-06-01", "E45"),   # left: SGO
        ("B", "2023-05-01", "S", "E1", "A6", "2024-06-01", "E11"),   # adopted
        ("C", "2023-05-01", "S", "C2", "U4", "2024-06-01", "E45"),   # left, never E1 or placed
        ("D", "2023-05-01", "S", "E1", "U4", "2024-06-01", "E45"),   # reversal complete
        ("E", "2023-05-01", "S", "C2", "U4", "", ""),
    )
    p = pfa(("A", "2023-06-01", "", ""),
            ("B", "2023-06-01", "2023-09-01", "RD1"),    # 525: reversed, then adopted
            ("C", "2023-06-01", "", ""),
            ("D", "2023-06-01", "2024-05-01", "RD2"),
            ("E", "2023-06-01", "2023-04-01", "RD1"))    # 118: reversed before care began
    t = {**chained(ep), "placed_for_adoption": p}
    assert rows("left_care_decision_not_reversed", t) == [(2, "DATE_PLACED_CEASED", "")]
    assert rows("adopted_after_reversal", t) == [(3, "DATE_PLACED_CEASED", "01/09/2023")]
    assert rows("reversal_before_care_entry", t) == [(6, "DATE_PLACED_CEASED", "01/04/2023")]


def test_525_a_reversal_before_the_decision_that_led_to_the_adoption_is_no_error():
    ep = episodes(("B", "2023-05-01", "S", "E1", "A6", "2024-06-01", "E11"))
    p = pfa(("B", "2023-06-01", "2023-07-01", "RD1"), ("B", "2023-08-01", "", ""))
    assert rows("adopted_after_reversal", {**chained(ep), "placed_for_adoption": p}) == []


def test_601_602_ad1_and_adoptions():
    ep = episodes(("A", "2023-05-01", "S", "E1", "A6", "2024-06-01", "E11"),
                  ("B", "2023-05-01", "S", "E1", "A6", "2024-06-01", "E12"),
                  ("C", "2023-05-01", "S", "E1", "A6", "", "E12"),   # adoption with no DEC
                  ("D", "2023-05-01", "S", "C2", "U4", "", ""))
    a = ad1(("A", "2023-06-01", "2024-01-01", "0"), ("C", "2023-06-01", "2024-01-01", "0"),
            ("D", "2023-06-01", "2024-01-01", "0"))
    t = {**chained(ep), "ad1": a, "placed_for_adoption": pfa()}
    assert rows("ad1_without_adoption", t) == [(4, "CHILD", "(withheld)")]
    assert rows("adoption_without_ad1", t) == [(3, "REC", "E12")]
    out, found = rules.run(t, stage="adoption")
    # D's row is excluded with a finding; C's (adoption undated) with no finding of its own.
    assert out["ad1"]["CHILD"].tolist() == ["A"]
    ex = found.build().exclusions
    assert ex[["row", "reason"]].values.tolist() == [
        [3, "the child's adoption episode (E11/E12) has no end date, so it cannot be dated"],
        [4, "no adoption episode for this child"]]
    assert "ad1_adoption_undated" not in set(found.build().findings["rule"])


# -- the journey facts (stage "journeys") ----------------------------------------------------


def _facts(*rows: dict) -> pd.DataFrame:
    cols = ["child", "care_entry", "period_end", "adm_date", "adm_date_ad1", "po_date",
            "placement_date", "ao_date", "iro_date", "placement_type", "ad1_row", "pseudonym"]
    df = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    for c in cols[1:9]:
        df[c] = pd.to_datetime(df[c])
    df["ad1_row"] = df["ad1_row"].astype("Int64")
    return df


def _journey_tables(facts: pd.DataFrame, a: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {"journeys": facts, "ad1": a, "stages": journeys.stage_table()}


def test_ad1_against_the_journey_it_reports():
    a = ad1(("A", "2023-01-10", "2023-09-01", "0"),   # 0: DATE_INT before care began
            ("B", "2023-07-01", "2023-06-01", "1"),   # 1: differs; match before the decision
            ("C", "2023-08-01", "2023-11-01", "0"),   # 2: match after the placement; A5
            ("D", "2023-08-01", "2023-09-01", "1"))   # 3: consistent
    f = _facts(
        dict(child="A", care_entry="2023-02-01", adm_date=None, adm_date_ad1="2023-01-10",
             placement_date="2023-10-01", placement_type="A6", ad1_row=0),
        dict(child="B", care_entry="2023-02-01", adm_date="2023-06-15",
             adm_date_ad1="2023-07-01", placement_date="2023-10-01", placement_type="A6",
             ad1_row=1),
        dict(child="C", care_entry="2023-02-01", adm_date="2023-08-01",
             adm_date_ad1="2023-08-01", placement_date="2023-10-01", placement_type="A5",
             ad1_row=2),
        dict(child="D", care_entry="2023-02-01", adm_date="2023-08-01",
             adm_date_ad1="2023-08-01", placement_date="2023-10-01", placement_type="A5",
             ad1_row=3),
        dict(child="E", care_entry="2023-02-01", adm_date="2023-08-01"),  # no AD1 row
    )
    t = _journey_tables(f, a)
    assert rows("date_int_outside_period", t) == [(2, "DATE_INT", "10/01/2023")]
    assert rows("date_int_differs", t) == [(3, "DATE_INT", "01/07/2023")]
    assert rows("match_out_of_order", t) == [(3, "DATE_MATCH", "01/06/2023"),
                                             (4, "DATE_MATCH", "01/11/2023")]
    assert rows("foster_care_inconsistent", t) == [(3, "FOSTER_CARE", "1"),
                                                   (4, "FOSTER_CARE", "0")]


def test_stage_negative_names_the_pseudonym_and_the_days():
    f = _facts(dict(child="A", care_entry="2023-02-01", iro_date="2023-01-22",
                    adm_date="2023-03-01", po_date="2023-02-20", pseudonym="C-0007"),
               dict(child="B", care_entry="2023-02-01", iro_date="2023-03-01"))
    assert flagged("stage_negative", _journey_tables(f, ad1())) == [
        ("derived: journeys", pd.NA, "stage_adm_to_po", "C-0007: -9 days"),
        ("derived: journeys", pd.NA, "stage_entry_to_iro", "C-0007: -10 days")]


def test_every_rule_runs_on_empty_tables():
    """Each registered rule on tables with their columns and no rows: no finding, no error."""
    from diagnostic_kit.inputs.reading import empty_table
    from diagnostic_kit.inputs.schema import TABLES

    t = {name: empty_table(table).assign(_year=pd.Series(dtype="int64"))
         for name, table in TABLES.items()}
    t["episodes"] = t["episodes"].assign(period_id=pd.Series(dtype="int64"),
                                         period_seq=pd.Series(dtype="int64"),
                                         new_period=pd.Series(dtype=bool))
    t["periods"] = periods_of_care(t["episodes"])
    t["episodes_replaced"] = t["episodes"]
    t["placed_for_adoption_replaced"] = t["placed_for_adoption"]
    t["journeys"] = _facts()
    t["stages"] = journeys.stage_table()
    for rule_id in rules.REGISTRY:
        flagged_rows, found = rules.check(rule_id, t, WINDOW)
        assert flagged_rows.empty and found.build().findings.empty, rule_id


def test_every_rule_runs_on_the_demos_tables():
    """Each registered rule on the demo LA's tables (with the rows a later year's return
    replaced, and the journey facts): the demo is clean, so none flags a row."""
    from diagnostic_kit.inputs.params import load_params
    from diagnostic_kit.run.prepare import check_inputs, ensure_synthetic_data, rule_context

    params = load_params("demo")
    ensure_synthetic_data(params)
    la = check_inputs(params)
    t = dict(la.tables)
    facts = t["adoption_facts"].assign(pseudonym=t["adoption_facts"]["child"].map(
        la.pseudonyms))
    t.update({"journeys": facts, "stages": journeys.stage_table(),
              **{f"{k}_replaced": v for k, v in la.replaced.items()}})
    assert len(t["episodes"]) > 1000 and len(facts) > 50
    assert len(t["episodes_replaced"]) > 500
    ctx = rule_context(t, la.years)
    for rule_id in rules.REGISTRY:
        flagged_rows, found = rules.check(rule_id, t, ctx)
        assert flagged_rows.empty and found.build().findings.empty, rule_id
