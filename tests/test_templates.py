"""The committed data templates and data dictionary match the schema the loader reads.

Validity of the example values is checked here straight from ``schema.py`` (not with the
generator's own helpers), so a template that the loader would reject fails this test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import textwrap
from pathlib import Path

import pytest

from diagnostic_kit.inputs import schema
from diagnostic_kit.inputs.schema import LOCAL_TABLES, SSDA903_TABLES, Column, Table
from diagnostic_kit.inputs.templates import TEMPLATES_DIR, main, write_templates

ALL_TABLES = (*SSDA903_TABLES, *LOCAL_TABLES)
TRUE_FALSE = {"yes", "no", "y", "n", "true", "false", "1", "0"}


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def template_rows(table: Table) -> tuple[list[str], list[dict[str, str]]]:
    header, *rows = read_csv(TEMPLATES_DIR / table.file)
    return header, [dict(zip(header, r, strict=True)) for r in rows]


def problem(value: str, col: Column, table: Table) -> str | None:
    """Why ``value`` is not valid for ``col`` per the schema's column kinds, or None."""
    if value == "":
        return "required value blank" if col.required else None
    if col.kind == "date":
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                dt.datetime.strptime(value, fmt)
                return None
            except ValueError:
                pass
        return "not a date"
    if col.kind == "code":
        if col.allowed is None:
            return None
        # schema.py: codes match case-insensitively; local extracts also ignore spaces, hyphens
        # and underscores.
        def key(v: str) -> str:
            return v.upper() if table.source == "903" else re.sub(r"[\s\-_]+", "", v.lower())

        return None if key(value) in {key(a) for a in col.allowed} else "code not allowed"
    try:
        if col.kind == "int":
            int(value)
        elif col.kind == "number":
            float(value)
        elif col.kind == "money":
            float(value.removeprefix("£").replace(",", ""))
    except ValueError:
        return "not a number"
    if col.kind == "bool" and value.lower() not in TRUE_FALSE:
        return "not yes/no"
    return None


# --- the generated files --------------------------------------------------------------------


def test_committed_files_are_a_fresh_run(tmp_path: Path) -> None:
    written = write_templates(tmp_path)
    names = [p.name for p in written]
    assert names == [t.file for t in LOCAL_TABLES] + ["data_dictionary.md", "data_dictionary.csv"]
    for path in written:
        committed = TEMPLATES_DIR / path.name
        assert committed.is_file(), f"{committed} missing: run `adoption-diagnostic templates`"
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} is out of date: run `adoption-diagnostic templates`"
        )
        assert b"\r" not in path.read_bytes()


def test_output_is_deterministic(tmp_path: Path) -> None:
    a = {p.name: p.read_bytes() for p in write_templates(tmp_path / "a")}
    b = {p.name: p.read_bytes() for p in write_templates(tmp_path / "b")}
    assert a == b


@pytest.mark.parametrize("table", LOCAL_TABLES, ids=lambda t: t.name)
def test_template_header_is_the_schema(table: Table) -> None:
    header, rows = template_rows(table)
    assert header == table.column_names
    assert 2 <= len(rows) <= 4


@pytest.mark.parametrize("table", LOCAL_TABLES, ids=lambda t: t.name)
def test_every_example_value_is_valid(table: Table) -> None:
    _, rows = template_rows(table)
    bad = [
        (i, col.name, row[col.name], why)
        for i, row in enumerate(rows, start=2)
        for col in table.columns
        if (why := problem(row[col.name], col, table))
    ]
    assert bad == []


def test_validity_check_can_fail() -> None:
    # The checker above rejects what the loader rejects, so the test above means something.
    plans = schema.PERMANENCE_PLANS
    assert problem("", plans.column("child"), plans) == "required value blank"
    assert problem("31/02/2024", plans.column("plan_date"), plans) == "not a date"
    assert problem("IRO recommendation", plans.column("source"), plans) is None
    assert problem("foster care", plans.column("plan"), plans) == "code not allowed"
    assert problem("maybe", plans.column("disabled"), plans) == "not yes/no"
    assert problem("£12,500", schema.COSTS.column("amount"), schema.COSTS) is None
    assert problem("1.5", schema.CASE_AUDITS.column("score"), schema.CASE_AUDITS) == "not a number"
    assert problem("e1", schema.EPISODES.column("LS"), schema.EPISODES) is None


def test_no_personal_data_columns_or_names() -> None:
    for table in LOCAL_TABLES:
        header, rows = template_rows(table)
        assert not [h for h in header if re.search(r"name|dob|birth|upn|postcode", h)]
        for row in rows:
            for col in table.columns:
                if col.kind == "id" and row[col.name]:
                    # Fictional codes, never words that could be a name.
                    assert re.fullmatch(r"[A-Z]+-?[0-9-]+", row[col.name]), row[col.name]


def test_audit_examples_follow_the_form() -> None:
    """Grade is the band of the score; question 13 applies to closure audits only."""
    bands = {10: "outstanding", 9: "outstanding", 8: "good", 7: "good", 6: "good",
             5: "requires_improvement", 4: "requires_improvement", 3: "inadequate",
             2: "inadequate", 1: "inadequate"}
    _, rows = template_rows(schema.CASE_AUDITS)
    for row in rows:
        assert bands[int(row["score"])] == row["overall_grade"]
        assert (row["q13"] == "not_applicable") == (row["audit_reason"] != "closure")
        for i in range(1, schema.AUDIT_QUESTIONS + 1):
            comment = row[f"q{i}_comment"]
            # The form: a bare yes or no is not a sufficient comment.
            assert len(comment.split()) >= 5 and comment.endswith("."), comment
        assert bool(row["restorative_actions"]) == bool(row["action_due_date"])


def test_adopter_examples_dates_in_process_order() -> None:
    order = ["enquiry_date", "roi_date", "stage1_start", "stage1_end", "stage2_start",
             "stage2_end", "approval_date", "match_date", "placement_date", "ao_date"]
    _, rows = template_rows(schema.ADOPTERS)
    for row in rows:
        dates = [row[c] for c in order if row[c]]
        assert dates == sorted(dates), row["household_id"]  # ISO dates sort as text


# --- the dictionary -------------------------------------------------------------------------


def test_dictionary_md_mentions_every_table_and_column() -> None:
    md = (TEMPLATES_DIR / "data_dictionary.md").read_text(encoding="utf-8")
    for table in ALL_TABLES:
        assert f"### {table.name}\n" in md
        assert f"`{table.file}`" in md
        section = md.split(f"### {table.name}\n", 1)[1].split("\n### ", 1)[0]
        for col in table.columns:
            assert f"| `{col.name}` |" in section, (table.name, col.name)
        for dropped in table.drop:
            assert f"`{dropped}`" in section, (table.name, dropped)
        for code in col_codes(table):
            assert f"`{code}`" in section, (table.name, code)
    for words in ("UTF-8", "Windows-1252", "local/", "2023-24", "Never add names",
                  "pseudonymises"):
        assert words in md


def col_codes(table: Table) -> list[str]:
    return [code for col in table.columns for code in col.allowed or ()]


def test_dictionary_csv_has_one_row_per_column_with_all_codes() -> None:
    header, *rows = read_csv(TEMPLATES_DIR / "data_dictionary.csv")
    assert header == ["table", "file", "source", "column", "type", "required",
                      "allowed_values", "meaning"]
    assert [(r[0], r[3]) for r in rows] == [(t.name, c.name) for t in ALL_TABLES for c in t.columns]
    by_key = {(r[0], r[3]): dict(zip(header, r, strict=True)) for r in rows}
    for table in ALL_TABLES:
        for col in table.columns:
            entry = by_key[(table.name, col.name)]
            assert entry["file"] == table.file
            assert entry["source"] == ("SSDA903" if table.source == "903" else "local extract")
            assert entry["required"] == ("required" if col.required else "optional")
            assert entry["meaning"] == col.meaning
            tokens = set(re.split(r"[\s,;:=]+", entry["allowed_values"]))
            assert set(col.allowed or ()) <= tokens, (table.name, col.name)
    # Worked examples of the plain-words types.
    assert by_key[("episodes", "DECOM")]["type"].startswith("date, dd/mm/yyyy")
    assert by_key[("adopters", "roi_date")]["type"] == "date, yyyy-mm-dd or dd/mm/yyyy"
    # With the collection years each code is valid in (inputs/codes.py, CHANGES).
    assert by_key[("header", "SEX")]["allowed_values"] == (
        "male: 1 (to 2023-24), M (from 2024-25); female: 2 (to 2023-24), F (from 2024-25); "
        "not known: U (from 2024-25)")
    assert by_key[("ad1", "NB_ADOPTR")]["allowed_values"] == "1 = one adopter; 2 = two adopters"


# --- the entry point ------------------------------------------------------------------------


def test_main_writes_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t"
    assert main(["--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [t.file for t in LOCAL_TABLES] + ["data_dictionary.md", "data_dictionary.csv"]
    )
    assert main(["--out", str(out), "--check"]) == 0
    (out / "costs.csv").write_text("financial_year,category,amount\n", encoding="utf-8")
    assert main(["--out", str(out), "--check"]) == 1
    assert "costs.csv" in capsys.readouterr().err


def test_the_rule_catalogue_is_the_registry(tmp_path: Path) -> None:
    """data_templates/rules.csv is what the registry generates (``adoption-diagnostic
    templates`` writes it; ``--check`` finds it stale), one row per rule of the catalogue."""
    from diagnostic_kit import rules
    from diagnostic_kit.inputs.findings import RULES
    from diagnostic_kit.run.cli import main as cli

    committed = (TEMPLATES_DIR / rules.CATALOGUE_FILE).read_text(encoding="utf-8")
    assert committed == rules.catalogue_csv(), "run `adoption-diagnostic templates`"
    rows = {r[0]: r for r in read_csv(TEMPLATES_DIR / rules.CATALOGUE_FILE)[1:]}
    assert set(rows) == set(RULES)
    assert rows["adopted_from_non_adoptive_placement"][1:5] == ["390", "episodes", "episodes",
                                                                 "PLACE"]
    assert rows["date_unparseable"][2:4] == ["reading", "every input file"]
    out = tmp_path / "t"
    assert cli(["templates", "--out", str(out)]) == 0
    assert (out / rules.CATALOGUE_FILE).read_text(encoding="utf-8") == committed
    (out / rules.CATALOGUE_FILE).write_text(committed.replace("390", "391"), encoding="utf-8")
    assert cli(["templates", "--out", str(out), "--check"]) == 1


# --- the loader reads the templates cleanly -------------------------------------------------


def _loading():
    from diagnostic_kit.inputs import reading

    return reading


@pytest.mark.parametrize(
    "table",
    list(LOCAL_TABLES),
    ids=lambda t: t.name,
)
def test_loader_reads_each_template_without_findings(table: Table) -> None:
    from diagnostic_kit.inputs.columns import validate_columns
    from diagnostic_kit.inputs.csv_files import read_table_file
    from diagnostic_kit.inputs.findings import Findings

    log = Findings()
    rel = f"local/{table.file}"
    df = read_table_file(TEMPLATES_DIR / table.file, rel, table, log)
    df = validate_columns(df, table, log)
    dq = log.build()
    assert dq.findings.empty, dq.findings.to_dict("records")
    assert dq.exclusions.empty
    assert dq.dropped_columns.empty
    _, rows = template_rows(table)
    assert len(df) == len(rows)


def test_load_inputs_with_templates_as_local_extracts(tmp_path: Path) -> None:
    loading = _loading()
    from diagnostic_kit.inputs.params import load_params

    year = tmp_path / "data" / "903" / "2024-25"
    year.mkdir(parents=True)
    (year / "header.csv").write_text(textwrap.dedent("""\
        CHILD,SEX,DOB,ETHNIC
        CHILD001,1,01/03/2023,WBRI
        CHILD002,2,15/01/2022,WBRI
        CHILD003,M,10/05/2024,MWBC
        """), encoding="utf-8")
    (year / "episodes.csv").write_text(textwrap.dedent("""\
        CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE
        CHILD001,10/10/2023,S,C1,N1,U6,PR1,,,
        CHILD002,10/10/2023,S,C1,N1,U6,PR1,,,
        CHILD003,12/05/2024,S,C1,N1,U5,PR1,,,
        """), encoding="utf-8")
    # The ADM decision the permanence_plans example records; no adoptions yet.
    (year / "placed_for_adoption.csv").write_text(textwrap.dedent("""\
        CHILD,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED
        CHILD001,02/04/2024,,
        CHILD002,02/04/2024,,
        """), encoding="utf-8")
    (year / "ad1.csv").write_text(
        "CHILD,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n", encoding="utf-8"
    )
    local = tmp_path / "data" / "local"
    local.mkdir()
    for table in LOCAL_TABLES:
        (local / table.file).write_bytes((TEMPLATES_DIR / table.file).read_bytes())
    (tmp_path / "la.yaml").write_text(textwrap.dedent("""\
        la_name: Test LA
        la_code: "998"
        period_start: 2022-04-01
        period_end: 2025-03-31
        data_dir: data
        """), encoding="utf-8")
    inputs = loading.load_inputs(load_params(tmp_path / "la.yaml"))
    dq = inputs.dq
    local_findings = dq.findings[dq.findings["file"].str.startswith("local/")]
    assert local_findings.empty, local_findings.to_dict("records")
    assert dq.missing_extracts.empty
    for table in LOCAL_TABLES:
        _, rows = template_rows(table)
        assert len(inputs.tables[table.name]) == len(rows), table.name
