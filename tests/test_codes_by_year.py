"""Codes carry the collection years they are valid in (a base and yearly changes, as data): a
code of another year is a finding, ``code_not_valid_that_year``, and the row is kept."""

from __future__ import annotations

from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.reading import load_inputs
from diagnostic_kit.run.prepare import prepare_la
from tests.la_builder import ep, hdr, write_la


def test_valid_years_from_the_yearly_changes():
    assert codes.valid_years("header", "SEX", "1") == (2016, 2024)
    assert codes.valid_years("header", "SEX", "M") == (2025, None)
    assert codes.valid_years("episodes", "PLACE", "Z1") == (2016, 2025)
    assert codes.valid_years("episodes", "PLACE", "Z12") == (2026, None)
    assert codes.valid_years("episodes", "PLACE", "A6") == (2016, None)
    # The years the data dictionary shows beside a code.
    assert codes.years_words("header", "SEX", "M") == "from 2024-25"
    assert codes.years_words("header", "SEX", "2") == "to 2023-24"
    assert codes.years_words("episodes", "PLACE", "U4") == ""


def _la(tmp_path, sex_2022: str):
    # K1 in the 2022-23 return and again in 2024-25; K2 only in 2024-25.
    return write_la(tmp_path, {
        "2022-23": {"header": [hdr("K1", "01/01/2020", sex_2022)],
                    "episodes": [ep("K1", "01/05/2022", "S", "C2", "U4")]},
        "2024-25": {"header": [hdr("K1", "01/01/2020", "M"), hdr("K2", "05/05/2019", "F")],
                    "episodes": [ep("K1", "01/05/2022", "S", "C2", "U4", "01/10/2024", "X1"),
                                 ep("K1", "01/10/2024", "P", "E1", "A4", "01/02/2025", "E11"),
                                 ep("K2", "01/06/2024", "S", "V2", "U6")]},
    }, period_start="2022-04-01", period_end="2025-03-31", codes_as_given=True)


def test_a_2022_23_header_with_m_is_one_finding_and_the_same_measures(tmp_path):
    numeric = prepare_la(_la(tmp_path / "a", "1"))
    letters = prepare_la(_la(tmp_path / "b", "M"))
    f = letters.dq.findings
    hit = f[f["rule"].eq("code_not_valid_that_year")]
    assert hit[["file", "row", "column", "value"]].values.tolist() == [
        ["903/2022-23/header.csv", 2, "SEX", "M"]]
    assert numeric.dq.findings["rule"].eq("code_not_valid_that_year").sum() == 0
    # The row is kept and read as it means: the same children, sexes and journeys.
    for a, b in ((numeric.people, letters.people), (numeric.journeys, letters.journeys)):
        cols = [c for c in ("child", "sex", "ao_date", "placement_date") if c in a]
        assert a[cols].astype(str).values.tolist() == b[cols].astype(str).values.tolist()


def test_a_code_of_a_later_year_in_an_earlier_return(tmp_path):
    params = write_la(tmp_path, {"2024-25": {
        "header": [hdr("K1", "01/01/2020", "M")],
        "episodes": [ep("K1", "01/05/2024", "S", "C2", "Z11")]}}, codes_as_given=True)
    f = load_inputs(params).dq.findings
    hit = f[f["rule"].eq("code_not_valid_that_year")]
    assert hit[["file", "row", "column", "value"]].values.tolist() == [
        ["903/2024-25/episodes.csv", 2, "PLACE", "Z11"]]
