"""Bad input: structural problems stop with one sentence; row problems become findings."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostic_kit.inputs.errors import InputError
from diagnostic_kit.inputs.params import ParamsError, load_params
from diagnostic_kit.inputs.reading import load_inputs
from diagnostic_kit.inputs.years import collection_year
from diagnostic_kit.run.prepare import check_inputs
from tests.la_builder import ep, hdr, write_csv, write_la

GOOD_HEADER = [hdr("K1", "01/01/2020"), hdr("K2", "05/05/2019", "F", "WBRI")]
GOOD_EPISODES = [
    ep("K1", "01/05/2024", "S", "C1", "U6", "01/07/2024", "X1"),
    ep("K1", "01/07/2024", "B", "C2", "U4"),
    ep("K2", "01/06/2024", "S", "V2", "U6", "01/09/2024", "E4A"),
]


def _la(tmp_path, **tables):
    year = {"header": GOOD_HEADER, "episodes": GOOD_EPISODES}
    local = tables.pop("local", None)
    year.update(tables)
    return write_la(tmp_path, {"2024-25": year}, local)


def _findings(inputs) -> list[tuple]:
    f = inputs.dq.findings
    return list(f[["file", "row", "column", "value", "rule"]].itertuples(index=False, name=None))


def test_clean_input_has_no_findings_and_accounts_for_every_row(tmp_path):
    inputs = load_inputs(_la(tmp_path))
    assert inputs.dq.findings.empty
    acc = inputs.dq.accounting.set_index("file")
    assert acc.loc["903/2024-25/episodes.csv", "rows_read"] == 3
    assert acc.loc["903/2024-25/episodes.csv", "rows_used"] == 3
    # UPN, MOTHER, MC_DOB and postcodes are dropped on purpose, without a finding.
    dropped = inputs.dq.dropped_columns
    assert set(dropped.loc[dropped["file"] == "903/2024-25/header.csv", "column"]) == {
        "UPN", "MOTHER", "MC_DOB"}
    assert "UPN" not in inputs.tables["header"].columns
    assert "HOME_POST" not in inputs.tables["episodes"].columns


def test_missing_required_file_is_one_sentence(tmp_path):
    params = _la(tmp_path)
    (params.ssda903_dir / "2024-25" / "episodes.csv").unlink()
    with pytest.raises(InputError) as exc:
        load_inputs(params)
    msg = str(exc.value)
    assert msg.startswith("No episodes.csv was found under")
    assert "data_templates/data_dictionary.md" in msg
    assert "\n" not in msg


def test_missing_required_column_names_file_column_and_template(tmp_path):
    params = _la(tmp_path)
    write_csv(params.ssda903_dir / "2024-25" / "episodes.csv",
              ["CHILD", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"], [])
    with pytest.raises(InputError) as exc:
        load_inputs(params)
    assert str(exc.value) == (
        "903/2024-25/episodes.csv is missing the required column DECOM: follow the episodes "
        "table in data_templates/data_dictionary.md."
    )


def test_spreadsheet_saved_with_csv_name_is_refused(tmp_path):
    params = _la(tmp_path)
    (params.local_dir / "costs.csv").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InputError, match="local/costs.csv is not a CSV text file"):
        load_inputs(params)


def test_utf16_file_is_refused_with_what_to_do(tmp_path):
    params = _la(tmp_path)
    path = params.ssda903_dir / "2024-25" / "header.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(InputError) as exc:
        load_inputs(params)
    assert str(exc.value) == (
        '903/2024-25/header.csv is saved as UTF-16 ("Unicode text"): save it as CSV UTF-8 '
        "following the header table in data_templates/data_dictionary.md."
    )


def test_windows_1252_pound_sign_and_utf8_bom(tmp_path):
    params = _la(tmp_path)
    write_csv(params.local_dir / "costs.csv", ["financial_year", "category", "amount", "income"],
              [{"financial_year": "2024-25", "category": "staff", "amount": "£1,234,500.50",
                "income": "no"}], encoding="cp1252")
    hdr_path = params.ssda903_dir / "2024-25" / "header.csv"
    hdr_path.write_bytes(b"\xef\xbb\xbf" + hdr_path.read_bytes())
    inputs = load_inputs(params)
    assert inputs.dq.findings.empty
    assert inputs.tables["costs"]["amount"].tolist() == [1234500.5]
    assert inputs.tables["header"]["CHILD"].tolist() == ["K1", "K2"]


def test_unknown_column_is_dropped_and_reported(tmp_path):
    params = _la(tmp_path)
    write_csv(params.ssda903_dir / "2024-25" / "header.csv",
              ["CHILD", "SEX", "DOB", "ETHNIC", "CHILD_NAME"],
              [{**h, "CHILD_NAME": "REDACTED"} for h in GOOD_HEADER])
    inputs = load_inputs(params)
    assert _findings(inputs) == [
        ("903/2024-25/header.csv", pd.NA, "CHILD_NAME", "", "column_not_in_template")]
    assert "CHILD_NAME" not in inputs.tables["header"].columns


def test_row_problems_become_findings_and_the_run_goes_on(tmp_path):
    params = _la(
        tmp_path,
        episodes=[
            *GOOD_EPISODES[:2],
            # K2 closes before it opens: DEC treated as blank.
            ep("K2", "01/06/2024", "S", "V2", "Q9", "01/05/2024", "E4A"),
            # K3: a gap of 9 days after an X1, then a period starting without RNE S.
            ep("K3", "01/04/2024", "S", "V2", "U6", "01/05/2024", "X1"),
            ep("K3", "10/05/2024", "P", "V2", "U4", "01/06/2024", "E4A"),
            ep("K3", "01/08/2024", "P", "V2", "U4"),
        ],
        reviews=[
            {"CHILD": "K1", "REVIEW": "31/09/2024"},  # no 31 September
            {"CHILD": "K1", "REVIEW": "20/06/2024"},
            {"CHILD": "K1", "REVIEW": "20/06/2024"},  # the same review twice
        ],
        ad1=[{"CHILD": "K1", "DATE_INT": "01/06/2024", "FOSTER_CARE": "0"}],
        local={"permanence_plans": [
            {"child": "K1", "plan_date": "2024-06-01", "plan": "adoptoin", "source": "lac_review"},
            {"child": "K1", "plan_date": "2024-07-01", "plan": "adoption", "source": "court"},
        ]},
    )
    params_header = params.ssda903_dir / "2024-25" / "header.csv"
    write_csv(params_header, ["CHILD", "SEX", "DOB", "ETHNIC"],
              [*GOOD_HEADER, hdr("K3", "01/01/2010", sex="")])
    # The cross-row rules and periods of care run after reading (run.prepare.check_inputs).
    inputs = check_inputs(params)
    assert _findings(inputs) == [
        ("903/2024-25/ad1.csv", 2, "CHILD", "(withheld)", "ad1_without_adoption"),
        ("903/2024-25/episodes.csv", 4, "DEC", "01/05/2024", "episode_ends_before_start"),
        ("903/2024-25/episodes.csv", 4, "PLACE", "Q9", "code_unknown"),
        ("903/2024-25/episodes.csv", 6, "DECOM", "10/05/2024", "episode_gap"),
        ("903/2024-25/episodes.csv", 7, "RNE", "P", "period_without_start"),
        ("903/2024-25/header.csv", 4, "SEX", "", "required_missing"),
        ("903/2024-25/reviews.csv", 2, "REVIEW", "31/09/2024", "date_unparseable"),
        ("903/2024-25/reviews.csv", 4, "REVIEW", "20/06/2024", "duplicate_record"),
        ("local/permanence_plans.csv", 2, "plan", "adoptoin", "code_unknown"),
    ]
    f = inputs.dq.findings.set_index(["file", "row", "rule"])
    assert f.loc[("903/2024-25/episodes.csv", 4, "code_unknown"), "action"] == "kept"
    assert f.loc[("903/2024-25/reviews.csv", 2, "date_unparseable"), "action"] == "row excluded"
    assert f.loc[("local/permanence_plans.csv", 2, "code_unknown"), "action"] == "row excluded"

    acc = inputs.dq.accounting.set_index("file")
    assert acc.loc["903/2024-25/reviews.csv", ["rows_read", "rows_used", "rows_excluded"]].tolist(
    ) == [3, 1, 2]
    assert acc.loc["903/2024-25/episodes.csv", "rows_used"] == 6  # kept, with findings
    assert acc.loc["903/2024-25/ad1.csv", "rows_excluded"] == 1
    assert acc.loc["local/permanence_plans.csv", "rows_used"] == 1
    assert (acc["rows_read"] == acc["rows_used"] + acc["rows_excluded"]).all()
    # The DEC before DECOM is treated as blank; the unknown PLACE code is kept.
    k2 = inputs.tables["episodes"].query("CHILD == 'K2'").iloc[0]
    assert pd.isna(k2["DEC"]) and k2["PLACE"] == "Q9"
    # K3 has two periods: the gap does not split a period, the P after E4A starts one.
    assert inputs.tables["periods"].query("child == 'K3'")["n_episodes"].tolist() == [2, 1]


def test_missing_optional_extract_is_listed_not_fatal(tmp_path):
    inputs = load_inputs(_la(tmp_path))
    missing = inputs.dq.missing_extracts.set_index("table")
    assert "adopters" in missing.index
    assert missing.loc["adopters", "message"] == (
        "local/adopters.csv was not supplied: fill data_templates/adopters.csv to add it.")
    assert inputs.tables["adopters"].empty


@pytest.mark.parametrize("name, year", [("2023-24", 2024), ("2023_24", 2024), ("2024", 2024),
                                        ("903 return 2021-2022", 2022), ("latest", None)])
def test_collection_year_folder_names(name, year):
    assert collection_year(name) == year


def test_params_errors_are_one_sentence(tmp_path):
    p = tmp_path / "la.yaml"
    p.write_text("la_name: X\nla_code: 1\nperiod_start: 2023-04-01\nperiod_end: 2026-03-31\n"
                 "data_dir: nowhere\ncolour: blue\n")
    with pytest.raises(ParamsError, match="has an unknown key 'colour'"):
        load_params(p)
    p.write_text("la_name: X\nla_code: 1\nperiod_start: 2023-04-31\nperiod_end: 2026-03-31\n"
                 "data_dir: nowhere\n")
    with pytest.raises(ParamsError, match="bad date for 'period_start'"):
        load_params(p)
    p.write_text("la_name: X\nla_code: 1\nperiod_start: 2023-04-01\nperiod_end: 2026-03-31\n"
                 "data_dir: nowhere\n")
    with pytest.raises(ParamsError, match="The data folder .*nowhere named by .* does not exist"):
        load_params(p)


def test_a_misspelt_or_negative_standard_is_one_sentence(tmp_path):
    p = tmp_path / "la.yaml"
    base = ("la_name: X\nla_code: 1\nperiod_start: 2023-04-01\nperiod_end: 2026-03-31\n"
            "data_dir: .\n")
    p.write_text(base + "standards:\n  po_to_placment: {days: 152, label: 5 months, basis: ours}\n")
    with pytest.raises(ParamsError) as exc:
        load_params(p)
    assert str(exc.value) == (
        f"The params file {p} has an unknown key 'standards.po_to_placment' (did you mean "
        "'po_to_placement'?); the keys under 'standards' are: entry_to_iro, iro_to_adm, "
        "adm_to_po, po_to_placement, placement_to_ao, po_to_match, entry_to_moved_in.")
    p.write_text(base + "standards:\n  adm_to_po: {days: -5}\n")
    with pytest.raises(ParamsError, match=r"bad value for 'standards.adm_to_po.days': "
                                          r"Input should be greater than 0"):
        load_params(p)
    p.write_text(base + "thresholds:\n  a1_days: {value: 400}\n")
    own = load_params(p)
    # An override replaces the value and keeps the default's period and source.
    assert own.thresholds.a1_days.value == 400
    assert own.thresholds.a1_days.period == "2013-16"


@pytest.mark.parametrize("rows", [5, 200])  # below and above the once-per-distinct-value path
def test_checks_and_parsing_match_the_pandera_schema_and_row_by_row_parsing(rows):
    """Codes and required values are checked column by column with isin/isna: the same
    failures as the pandera schema of each table; dates, codes and yes/no values parsed once per
    distinct value give what parsing every row gives."""
    import numpy as np
    import pandera.pandas as pa

    from diagnostic_kit.inputs import columns as r
    from diagnostic_kit.inputs import values as v
    from diagnostic_kit.inputs.schema import LOCAL_TABLES, SSDA903_TABLES

    rng = np.random.default_rng(rows)
    texts = ["", " ", "yes", " No", "E11", "e11", "C1", "adoption", "Adoption ", "iro", "x-y z",
             "01/02/2024", "1/2/2024 10:00", "2024-03-04", "45123", "31/02/2024", "0024-01-01",
             None]
    for table in [*SSDA903_TABLES, *LOCAL_TABLES]:
        df = pd.DataFrame({c.name: pd.Series(rng.choice(np.array([*(c.allowed or ())[:3], *texts],
                                                                 dtype=object), rows),
                                             dtype="string") for c in table.columns},
                          index=pd.RangeIndex(3, 3 + 2 * rows, 2))
        for c in table.columns:
            s = df[c.name]
            if c.kind == "code":
                pd.testing.assert_series_equal(r._norm_code(s, table), r._norm_code_rows(s, table))
                df[c.name] = r._norm_code(s, table)
            elif c.kind == "date":
                by_value = v.read_dates(s)
                by_row = v._read_dates(s.astype("string").str.strip())
                pd.testing.assert_series_equal(by_value[0], by_row[0])
                pd.testing.assert_series_equal(by_value[1], by_row[1])
            elif c.kind == "bool":
                pd.testing.assert_series_equal(v.parse_bools(s), v._parse_bools(s))
        try:
            r.table_schema(table).validate(df, lazy=True)
            expected = set()
        except pa.errors.SchemaErrors as exc:
            fc = exc.failure_cases
            expected = set(zip(fc["column"].astype(str), fc["check"].astype(str).replace(
                {"not_nullable": "required_missing"}), fc["index"].astype(int), strict=True))
        got = r._schema_failures(df, table)
        assert set(zip(got["column"], got["rule"], got["index"].astype(int),
                       strict=True)) == expected, table.name


def test_blanks_around_903_values_are_stripped(tmp_path):
    """Spaces and tabs before a comma or a line end, and spaces after a comma or at a line's
    start (as some exports pad fixed-width fields), are stripped: the padded file reads as the
    plain one, with no finding."""
    plain = load_inputs(_la(tmp_path / "plain"))
    params = _la(tmp_path / "padded")
    path = params.ssda903_dir / "2024-25" / "episodes.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(" " + ln.replace(",", " \t,  ") + "  " for ln in lines) + " \r\n")
    padded = load_inputs(params)
    assert padded.dq.findings.empty
    cols = ["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"]
    pd.testing.assert_frame_equal(padded.tables["episodes"][cols], plain.tables["episodes"][cols])


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_padding_is_found_wherever_the_stripping_pattern_would_strip(delim):
    """_blanks (a byte search that skips the strip when nothing would change) says yes for
    a blank before a delimiter, a line end (either character) or the end of the text, and so
    wherever _padding's pattern finds a blank to strip; over every short text of these
    characters."""
    from itertools import product

    from diagnostic_kit.inputs.csv_files import _blanks, _padding

    pattern = _padding(delim)
    blanks = " " if delim == "\t" else " \t"
    for n in range(5):
        for chars in product(["a", " ", "\t", delim, "\n", "\r"], repeat=n):
            text = "".join(chars)
            expected = any(c in blanks and (i == n - 1 or text[i + 1] in (delim, "\n", "\r"))
                           for i, c in enumerate(text))
            found = _blanks(text.encode(), delim)[0]
            assert found == expected, repr(text)
            assert found or not pattern.search(text), repr(text)
            # A field starting with a space: at the text's or a line's start, after a delimiter.
            leading = any(c == " " and (i == 0 or text[i - 1] in (delim, "\n", "\r"))
                          for i, c in enumerate(text))
            assert _blanks(text.encode(), delim) == (expected, leading), repr(text)


def test_sort_keys_order_rows_as_sort_values_does():
    """np.lexsort over sort_key of several columns (text, dates with blanks, whole numbers,
    yes/no) puts rows in the order of a stable DataFrame.sort_values (blanks last)."""
    import numpy as np

    from diagnostic_kit.inputs.duplicates import sort_key

    df = pd.DataFrame({
        "child": pd.array(["b", "a", "b", None, "a", "c", "a", "b"], dtype="string"),
        "date": pd.to_datetime(["2024-05-01", None, "2023-01-01", "2024-01-01", "2024-05-01",
                                None, "2024-05-01", "2023-01-01"]),
        "flag": [True, False, True, False, False, True, True, False],
        "row": [8, 7, 6, 5, 4, 3, 2, 1],
    })
    cols = ["child", "date", "flag", "row"]
    for by in (cols, cols[1:], ["date", "child"], ["flag", "date"]):
        order = np.lexsort([sort_key(df[c]) for c in reversed(by)])
        expected = df.sort_values(by, kind="stable", na_position="last").index
        assert list(order) == list(expected), by


def test_dates_read_by_arithmetic_are_read_as_the_date_formats_read_them():
    """Dates written at full width (dd/mm/yyyy, yyyy-mm-dd) are read by arithmetic on their
    characters; every day from 1899 to 2031 in each, impossible days (30/02, 31/04, 29/02 of a
    common year, month 13, day 00), years before 1900, padded and other formats, and random
    ten-character texts of digits and separators read exactly as the format-by-format reading
    (_read_dates_detail) reads them: the same day, format and first-pass flag."""
    import numpy as np

    from diagnostic_kit.inputs.values import DATE_FORMATS, _parse_dates, _read_dates_detail

    days = pd.date_range("1899-01-01", "2031-12-31")
    rng = np.random.default_rng(7)
    noise = ["".join(rng.choice(list("0123456789/-"), 10)) for _ in range(20_000)]
    texts = np.array([*days.strftime("%d/%m/%Y"), *days.strftime("%Y-%m-%d"),
                      "30/02/2024", "31/04/2023", "29/02/2023", "01/13/2024", "00/01/2024",
                      "2023-02-29", "2024-00-10", "2024-04-31", "0024-01-01", "01/01/0024",
                      " 01/05/2024", "1/5/2024", "2024-5-1", "01/05/2024 10:00", "01/05/24",
                      "45123", "2024/05/01", *noise], dtype=object)
    day, fmt, first = _parse_dates(texts)
    dates, names, first_pass = _read_dates_detail(pd.Series(texts, dtype="string").str.strip())
    assert (day == dates.to_numpy().astype("datetime64[D]").astype(np.int64)).all()
    assert (fmt == pd.Categorical(names, categories=[f[0] for f in DATE_FORMATS]).codes).all()
    assert (first == first_pass.to_numpy(dtype=bool)).all()
    assert (fmt[: 2 * len(days)] >= 0).sum() == 2 * (days >= "1900-01-01").sum()
