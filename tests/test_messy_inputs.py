"""A corpus of messy LA-like inputs, built here (no real data): one case per class of issue 8.

Each case states the finding, the rows accounted for (rows read = used + excluded), the figure
the problem would change, or the one-sentence InputError.
"""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostic_kit.inputs.reading import InputError, load_inputs
from diagnostic_kit.run.prepare import check_inputs
from tests.la_builder import ep, hdr, write_csv, write_la

YEAR = "2024-25"
EP_FILE = f"903/{YEAR}/episodes.csv"
HDR_FILE = f"903/{YEAR}/header.csv"
HEADER = [hdr("K1", "01/01/2020"), hdr("K2", "05/05/2019", "2")]
#: K1 adopted (placed A4, order 01/02/2025); K2 in care, open.
EPISODES = [
    ep("K1", "01/05/2023", "S", "C2", "U4", "01/10/2024", "X1"),
    ep("K1", "01/10/2024", "B", "E1", "A4", "01/02/2025", "E11"),
    ep("K2", "01/06/2024", "S", "V2", "U6"),
]


AD1 = [{"CHILD": "K1", "DATE_INT": "01/07/2024", "DATE_MATCH": "01/09/2024", "FOSTER_CARE": "0",
        "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11"}]
PFA = [{"CHILD": "K1", "DATE_PLACED": "01/07/2024"}]


def _la(tmp_path, episodes=EPISODES, header=HEADER, local=None):
    return write_la(tmp_path, {YEAR: {"header": header, "episodes": episodes, "ad1": AD1,
                                      "placed_for_adoption": PFA}}, local)


def _rules(inputs) -> list[tuple]:
    f = inputs.dq.findings
    return list(f[["file", "row", "column", "rule"]].itertuples(index=False, name=None))


def _accounted(inputs, file: str) -> tuple[int, int, int]:
    acc = inputs.dq.accounting.set_index("file")
    assert (acc["rows_read"] == acc["rows_used"] + acc["rows_excluded"]).all()
    return tuple(int(x) for x in acc.loc[file, ["rows_read", "rows_used", "rows_excluded"]])


def _adoptions(inputs) -> int:
    p = inputs.tables["periods"]
    return int(p["end_reason"].isin(["E11", "E12"]).sum())


def _rewrite_dates(path, fn) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("DECOM", "DEC", "DOB"):
        if col in df:
            df[col] = df[col].map(lambda v: fn(v) if v else v)
    df.to_csv(path, index=False)


# --- class 2: dates ----------------------------------------------------------------------------


def test_clean_la_gives_no_findings_and_one_adoption(tmp_path):
    inputs = check_inputs(_la(tmp_path))
    assert _rules(inputs) == []
    assert _adoptions(inputs) == 1
    formats = inputs.dq.date_formats
    assert set(formats["format"]) == {"dd/mm/yyyy"}


@pytest.mark.parametrize("rewrite, fmt", [
    (lambda v: v[:6] + v[8:], "dd/mm/yy"),
    (lambda v: v + " 00:00", "dd/mm/yyyy with a time"),
    (lambda v: f"{v[6:]}-{v[3:5]}-{v[:2]} 00:00:00", "yyyy-mm-dd with a time"),
    (lambda v: str((pd.Timestamp(f"{v[6:]}-{v[3:5]}-{v[:2]}") - pd.Timestamp("1899-12-30")).days),
     "Excel serial number"),
])
def test_other_date_formats_are_read_and_named(tmp_path, rewrite, fmt):
    params = _la(tmp_path)
    for name in ("episodes", "header"):
        _rewrite_dates(params.ssda903_dir / YEAR / f"{name}.csv", rewrite)
    inputs = check_inputs(params)
    assert _rules(inputs) == []
    assert _adoptions(inputs) == 1  # not a silent zero
    formats = inputs.dq.date_formats
    assert set(formats.loc[formats["file"].isin([EP_FILE, HDR_FILE]), "format"]) == {fmt}
    dec = formats[(formats["file"] == EP_FILE) & (formats["column"] == "DEC")]
    assert dec["rows"].tolist() == [2]


def test_dd_mm_yy_century_rule(tmp_path):
    from diagnostic_kit.inputs.values import read_dates

    dates, fmt = read_dates(pd.Series(["01/02/68", "01/02/69", "31/03/25"]))
    assert dates.dt.year.tolist() == [2068, 1969, 2025]
    assert fmt.tolist() == ["dd/mm/yy"] * 3


def test_mostly_unreadable_date_column_stops_with_one_sentence(tmp_path):
    params = _la(tmp_path)
    _rewrite_dates(params.ssda903_dir / YEAR / "episodes.csv", lambda v: v.replace("/", "."))
    with pytest.raises(InputError) as exc:
        load_inputs(params)
    assert str(exc.value) == (
        f"{EP_FILE}: 3 of the 3 values in column DECOM are not dates the kit can read (for "
        'example "01.05.2023"): write dates as dd/mm/yyyy (also yyyy-mm-dd, either with a time '
        "such as 00:00, dd/mm/yy, or an Excel serial number such as 45123)."
    )


def test_required_table_with_no_usable_rows_is_a_failure(tmp_path):
    bad = [{**e, "DECOM": ""} for e in EPISODES]  # every row misses its start date
    with pytest.raises(InputError) as exc:
        load_inputs(_la(tmp_path, episodes=bad))
    assert str(exc.value) == (
        f"No usable rows in the 903 episodes table ({EP_FILE}): every row was excluded (mostly: "
        "a required value is missing or invalid); see data_templates/data_dictionary.md.")


# --- class 3: duplicates -----------------------------------------------------------------------


def test_zero_day_episode_then_the_real_one_are_both_kept(tmp_path):
    episodes = [
        *EPISODES,
        ep("K3", "01/06/2024", "P", "C1", "U4"),                      # the real episode
        ep("K3", "01/06/2024", "S", "C1", "U6", "01/06/2024", "X1"),  # zero-day, written after
    ]
    header = [*HEADER, hdr("K3", "01/01/2021")]
    inputs = check_inputs(_la(tmp_path, episodes=episodes, header=header))
    assert _rules(inputs) == []
    assert _accounted(inputs, EP_FILE) == (5, 5, 0)
    k3 = inputs.tables["episodes"].query("CHILD == 'K3'")
    assert k3["RNE"].tolist() == ["S", "P"]  # the zero-day episode first
    periods = inputs.tables["periods"].query("child == 'K3'")
    assert periods["n_episodes"].tolist() == [2] and periods["entry_known"].all()


def test_same_child_and_decom_with_different_content_is_a_conflict(tmp_path):
    episodes = [*EPISODES, ep("K2", "01/06/2024", "S", "V2", "U6", "01/09/2024", "E4A")]
    inputs = check_inputs(_la(tmp_path, episodes=episodes))
    # The row with an end date wins; the open one (row 4) is excluded.
    assert _rules(inputs) == [(EP_FILE, 4, "DECOM", "record_conflict")]
    assert _accounted(inputs, EP_FILE) == (4, 3, 1)
    k2 = inputs.tables["periods"].query("child == 'K2'")
    assert k2["end_reason"].tolist() == ["E4A"]


def test_identical_rows_are_duplicates(tmp_path):
    inputs = check_inputs(_la(tmp_path, episodes=[*EPISODES, EPISODES[2]]))
    assert _rules(inputs) == [(EP_FILE, 5, "DECOM", "duplicate_record")]
    assert _accounted(inputs, EP_FILE) == (4, 3, 1)


def test_two_dates_of_birth_is_a_dob_conflict_not_a_duplicate(tmp_path):
    inputs = check_inputs(_la(tmp_path, header=[*HEADER, hdr("K2", "05/05/2018", "2")]))
    f = inputs.dq.findings
    assert _rules(inputs) == [(HDR_FILE, 3, "DOB", "dob_conflict")]
    assert f["value"].tolist() == ["(withheld)"]
    assert _accounted(inputs, HDR_FILE) == (3, 2, 1)


# --- class 4: 903 inconsistencies ---------------------------------------------------------------


def test_adoption_with_no_dec_is_recorded_and_not_counted(tmp_path):
    episodes = [*EPISODES[:1], {**EPISODES[1], "DEC": ""}, EPISODES[2]]
    inputs = check_inputs(_la(tmp_path, episodes=episodes))
    # Whether the AD1 row can still date the adoption is for the journeys (adoption_facts).
    assert (EP_FILE, 3, "REC", "rec_without_dec") in _rules(inputs)
    assert _adoptions(inputs) == 0
    f = inputs.dq.findings.set_index("rule")
    assert "journey can date it" in f.loc["rec_without_dec", "action"]
    assert _accounted(inputs, EP_FILE) == (3, 3, 0)


def test_x1_with_nothing_after_ends_the_period(tmp_path):
    episodes = [*EPISODES[:2], ep("K2", "01/06/2024", "S", "V2", "U6", "01/08/2024", "X1")]
    inputs = check_inputs(_la(tmp_path, episodes=episodes))
    assert _rules(inputs) == [(EP_FILE, 4, "REC", "chain_ends_x1")]
    k2 = inputs.tables["periods"].query("child == 'K2'").iloc[0]
    assert k2["period_end"] == pd.Timestamp("2024-08-01")  # not open for ever
    assert pd.isna(k2["end_reason"]) and not k2["end_reason_known"]


def test_episode_after_adoption_and_future_and_dob_after_entry(tmp_path):
    episodes = [*EPISODES, ep("K1", "01/02/2025", "P", "C2", "U4"),
                ep("K3", "01/03/2025", "S", "V2", "U6", "02/04/2025", "E4A")]
    header = [*HEADER, hdr("K3", "01/03/2025"), hdr("K4", "15/03/2025")]
    header[-1]["DOB"] = "15/03/2025"
    episodes[-1]["DECOM"] = "01/02/2025"  # K3 born 01/03/2025, in care from 01/02/2025
    inputs = check_inputs(_la(tmp_path, episodes=episodes, header=header))
    assert _rules(inputs) == [
        (EP_FILE, 5, "DECOM", "episode_after_adoption"),
        (EP_FILE, 6, "DEC", "date_in_future"),
        (EP_FILE, 6, "DECOM", "dob_after_care_entry"),
    ]
    assert _adoptions(inputs) == 1  # the adoption stands


def test_year_folder_without_header_and_header_only_file(tmp_path):
    params = write_la(tmp_path, {
        "2023-24": {"episodes": [ep("K1", "01/05/2023", "S", "C2", "U4")]},
        YEAR: {"header": HEADER, "episodes": EPISODES, "ad1": AD1, "placed_for_adoption": PFA},
        "2025-26": {"header": [], "episodes": [ep("K2", "01/06/2024", "S", "V2", "U6")]},
    })
    inputs = check_inputs(params)
    assert _rules(inputs) == [
        ("903/2023-24/", pd.NA, "header.csv", "year_without_header"),
        ("903/2025-26/header.csv", pd.NA, "", "file_no_rows"),
    ]


def test_local_costs_and_audits(tmp_path):
    audit = {"audit_id": "1", "case_ref": "ICS1", "audit_reason": "closure",
             "date_audited": "2024-06-01", "overall_grade": "good", "score": "12"}
    params = _la(tmp_path, local={
        "costs": [{"financial_year": "2024-25", "category": "staff", "amount": "-500"},
                  {"financial_year": "2024-25", "category": "legal", "amount": "900"},
                  {"financial_year": "2024-25", "category": "lawyers", "amount": "1"}],
        "case_audits": [audit, {**audit, "audit_id": "2", "score": "2"}],
    })
    inputs = check_inputs(params)
    f = inputs.dq.findings.set_index(["file", "row"])
    assert _rules(inputs) == [
        ("local/case_audits.csv", 2, "score", "audit_score_out_of_range"),
        ("local/case_audits.csv", 3, "overall_grade", "audit_grade_contradicts_score"),
        ("local/costs.csv", 2, "amount", "cost_negative"),
        ("local/costs.csv", 4, "category", "code_unknown"),
    ]
    # A local choice error is described as the template's values, not as a 903 code.
    assert "template" in f.loc[("local/costs.csv", 4), "message"]
    assert "903" not in f.loc[("local/costs.csv", 4), "message"]
    assert _accounted(inputs, "local/costs.csv") == (3, 1, 2)
    assert inputs.tables["costs"]["amount"].tolist() == [900.0]  # the figure it changes


# --- class 6: noise ----------------------------------------------------------------------------


def test_combined_files_count_history_before_the_data_once(tmp_path):
    params = _la(tmp_path)
    year = params.ssda903_dir / YEAR
    episodes = [
        *EPISODES,
        # Already in care before the data: their first episode is not RNE S.
        ep("K5", "01/02/2020", "P", "C2", "U4"), ep("K6", "01/03/2021", "L", "C2", "U4"),
    ]
    from diagnostic_kit.inputs.schema import SSDA903_FILE_COLUMNS
    write_csv(params.ssda903_dir / "episodes.csv", SSDA903_FILE_COLUMNS["episodes"], episodes)
    write_csv(params.ssda903_dir / "header.csv", SSDA903_FILE_COLUMNS["header"],
              [*HEADER, hdr("K5", "01/01/2015"), hdr("K6", "01/01/2016")])
    write_csv(params.ssda903_dir / "ad1.csv", SSDA903_FILE_COLUMNS["ad1"], AD1)
    write_csv(params.ssda903_dir / "placed_for_adoption.csv",
              SSDA903_FILE_COLUMNS["placed_for_adoption"], PFA)
    for f in year.iterdir():
        f.unlink()
    year.rmdir()
    inputs = check_inputs(params)
    assert _rules(inputs) == []  # not one finding per child
    notes = inputs.dq.notes
    assert notes["topic"].tolist() == ["data window"]
    assert notes["detail"].iloc[0].startswith("The data starts on 01/04/2024; 2 children were")


# --- class 7: ragged rows and delimiters -------------------------------------------------------


def test_ragged_row_is_a_finding_and_the_run_goes_on(tmp_path):
    params = _la(tmp_path)
    path = params.ssda903_dir / YEAR / "episodes.csv"
    lines = path.read_text().splitlines()
    lines.insert(2, lines[2] + ",EXTRA,FIELDS")
    path.write_text("\n".join(lines) + "\n")
    inputs = check_inputs(params)
    assert _rules(inputs) == [(EP_FILE, 3, "", "row_ragged")]
    assert _accounted(inputs, EP_FILE) == (4, 3, 1)
    assert inputs.tables["episodes"]["_row"].tolist() == [2, 4, 5]
    assert _adoptions(inputs) == 1


def test_semicolon_file_is_read_and_noted(tmp_path):
    params = _la(tmp_path)
    path = params.ssda903_dir / YEAR / "header.csv"
    path.write_text(path.read_text().replace(",", ";"))
    inputs = check_inputs(params)
    assert _rules(inputs) == []
    assert inputs.tables["header"]["CHILD"].tolist() == ["K1", "K2"]
    notes = inputs.dq.notes
    assert notes[["file", "topic"]].values.tolist() == [[HDR_FILE, "delimiter"]]


# --- class 11: findings an LA can act on --------------------------------------------------------


def test_findings_rows_are_whole_numbers_and_withhold_child_ids(tmp_path):
    episodes = [*EPISODES, EPISODES[2], ep("Q9", "01/06/2024", "S", "V2", "U6")]
    inputs = check_inputs(_la(tmp_path, episodes=episodes,
                              header=[*HEADER, HEADER[0], hdr("K9", "01/01/2020")]))
    f = inputs.dq.findings
    assert str(f["row"].dtype) == "Int64"
    assert f.to_csv(index=False).count(".0,") == 0
    ids = {"K1", "K2", "K9", "Q9"}
    assert not set(f["value"]) & ids
    assert sorted(f["rule"]) == ["duplicate_record", "duplicate_record",
                                 "episode_child_not_in_header"]


def test_a_local_extract_without_its_optional_columns_is_read(tmp_path):
    # Only the required columns of permanence_plans: an older template, or an LA that holds no
    # sibling groups. The optional columns come back blank; nothing stops.
    params = _la(tmp_path)
    write_csv(tmp_path / "data" / "local" / "permanence_plans.csv",
              ["child", "plan_date", "plan", "source"],
              [{"child": "K1", "plan_date": "2024-06-01", "plan": "adoption",
                "source": "iro_recommendation"}])
    inputs = check_inputs(params)
    plans = inputs.tables["permanence_plans"]
    assert plans["plan"].tolist() == ["adoption"]
    assert plans["sibling_group"].isna().all()
    assert _accounted(inputs, "local/permanence_plans.csv") == (1, 1, 0)
