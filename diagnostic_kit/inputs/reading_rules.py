"""The checks made while a file is read, each declared once (``inputs.findings.declare``).

These are rules without a function of their own: a file cannot become a table without them,
so the reader (``inputs.reading``, and ``inputs.annex_a`` for the Ofsted workbook) finds their
rows as it parses, once per distinct value, and records each finding through the rule declared
here (``RULE.record(found, rows, ...)``). Every other rule is a registered function
(``diagnostic_kit.rules``). The tests that pin the rows each of these flags are named beside
it.
"""

from __future__ import annotations

from diagnostic_kit.inputs.findings import declare

#: tests/test_loading.py::test_unknown_column_is_dropped_and_reported
COLUMN_NOT_IN_TEMPLATE = declare(
    "column_not_in_template", "column is not in the kit's template", "column dropped")
#: tests/test_messy_inputs.py::test_ragged_row_is_a_finding_and_the_run_goes_on
ROW_RAGGED = declare(
    "row_ragged", "the row has more fields than the file's header row", "row excluded")
#: tests/test_loading.py::test_row_problems_become_findings_and_the_run_goes_on
DATE_UNPARSEABLE = declare("date_unparseable", "not a valid date", "value treated as blank")
#: tests/test_loading.py::test_row_problems_become_findings_and_the_run_goes_on
CODE_UNKNOWN = declare(
    "code_unknown", "code not valid in any collection year since 2015-16", "kept")
#: tests/test_loading.py::test_row_problems_become_findings_and_the_run_goes_on
REQUIRED_MISSING = declare("required_missing", "a required value is blank", "kept")
#: tests/test_rules.py::test_a_number_that_is_not_a_number_is_blanked
NUMBER_UNPARSEABLE = declare(
    "number_unparseable", "not a valid number", "value treated as blank")
#: tests/test_messy_inputs.py::test_identical_rows_are_duplicates
DUPLICATE_RECORD = declare(
    "duplicate_record", "the same record (every value identical) appears twice in one file",
    "row excluded")
#: tests/test_messy_inputs.py::test_same_child_and_decom_with_different_content_is_a_conflict
RECORD_CONFLICT = declare(
    "record_conflict", "two rows have the same key (e.g. CHILD and DECOM) but different values",
    "row excluded: the other row is used")
#: tests/test_messy_inputs.py::test_two_dates_of_birth_is_a_dob_conflict_not_a_duplicate
DOB_CONFLICT = declare(
    "dob_conflict", "the child has two different dates of birth in the header",
    "row excluded: the other row is used", tables=("header",), column="DOB")
#: tests/test_messy_inputs.py::test_year_folder_without_header_and_header_only_file
YEAR_WITHOUT_HEADER = declare(
    "year_without_header", "a collection-year folder has 903 files but no header.csv",
    "kept: the children's characteristics come from other years' headers, if any",
    tables=("header",), column="header.csv")
#: tests/test_messy_inputs.py::test_year_folder_without_header_and_header_only_file
FILE_NO_ROWS = declare(
    "file_no_rows", "a required 903 file has its header row but no data rows", "kept")
#: tests/test_xml_return.py (the schema cases)
XML_SCHEMA = declare(
    "xml_schema", "an element of the XML return breaks the DfE schema given beside it",
    "kept: the return is read by element name")
#: tests/test_codes_by_year.py
CODE_NOT_VALID_THAT_YEAR = declare(
    "code_not_valid_that_year", "the code is valid in other collection years but not in the "
    "year of this return (inputs/codes.py, CHANGES)", "kept: the code is read as it means")
