"""The ``adoption-diagnostic`` command: help, plain one-sentence errors, check, synth, run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from diagnostic_kit.inputs.params import load_params
from diagnostic_kit.run import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", [[], ["run"], ["check"], ["synth"]])
def test_help_on_every_command(command, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([*command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: adoption-diagnostic")


def test_run_help_documents_the_options(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    out = capsys.readouterr().out
    for option in ["--jobs", "--out", "--timeout", "--notebooks", "PARAMS"]:
        assert option in out
    with pytest.raises(SystemExit):
        cli.main(["synth", "--help"])
    out = capsys.readouterr().out
    for option in ["--out", "--seed", "--size", "--years", "--last-year", "--la-name",
                   "--la-code", "--with-errors", "--params-out"]:
        assert option in out


def test_python_dash_m_is_the_same_command():
    proc = subprocess.run([sys.executable, "-m", "diagnostic_kit", "--version"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.startswith("adoption-diagnostic ")


def _one_plain_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_params_error_is_one_sentence_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("la_name: X\nla_code: 1\n", encoding="utf-8")
    assert cli.main(["run", str(bad), "--out", str(tmp_path / "r")]) == 2
    line = _one_plain_line(capsys.readouterr().err)
    # Said in the message itself: a workspace has no copy of the kit's own params to point at.
    assert line == (f"adoption-diagnostic: The params file {bad} is missing the key "
                    "'period_start': every LA's params file gives la_name, la_code, "
                    "period_start, period_end and data_dir.")
    assert not (tmp_path / "r").exists()
    assert cli.main(["check", str(tmp_path / "absent.yaml")]) == 2
    assert "does not exist" in _one_plain_line(capsys.readouterr().err)


def test_input_error_is_one_sentence_and_exit_2(tiny_la, capsys):
    params = tiny_la("tiny")
    (params.parent / "data" / "903" / "2025-26" / "header.csv").unlink()
    assert cli.main(["check", str(params)]) == 2
    line = _one_plain_line(capsys.readouterr().err)
    assert line.startswith("adoption-diagnostic: No header.csv was found under ")
    assert cli.main(["run", str(params), "--out", str(params.parent / "reports")]) == 2
    assert _one_plain_line(capsys.readouterr().err) == line


def test_an_internal_error_is_one_sentence_exit_3_and_its_traceback_on_request(
        tiny_la, capsys, monkeypatch):
    from diagnostic_kit.run import prepare

    def broken(params):
        raise ValueError("cannot convert float NaN to bool")

    monkeypatch.setattr(prepare, "prepare_la", broken)
    params = str(tiny_la("tiny"))
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.main(["check", params]) == 3
    line = _one_plain_line(capsys.readouterr().err)
    assert line.startswith("adoption-diagnostic: the kit stopped on an internal error "
                           "(ValueError: cannot convert float NaN to bool).")
    assert cli.DEBUG_ENV in line
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(ValueError, match="NaN"):
        cli.main(["check", params])


def test_check_prints_the_data_quality_summary(tiny_la, capsys):
    assert cli.main(["check", str(tiny_la("tiny"))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Data quality: Testshire")
    assert "903/2025-26/header.csv" in out and "903/2025-26/episodes.csv" in out
    assert "In all: 6 rows read = 6 used + 0 excluded." in out
    rules = out.split("Findings by rule:")[1]
    for rule in ["adoption_without_ad1", "code_unknown", "date_unparseable"]:
        assert rule in rules
    assert "Optional extracts not supplied:" in out
    assert "local/costs.csv was not supplied" in out


def test_run_with_a_failing_section_exits_1_naming_la_and_section(tiny_la, make_notebook,
                                                                   tmp_path, capsys):
    params = tiny_la("tiny")
    nbdir = tmp_path / "nb"
    make_notebook(nbdir / "00_fine.ipynb", "Fine", "x = 1")
    make_notebook(nbdir / "01_broken.ipynb", "Broken", "raise KeyError('household_id')")
    code = cli.main(["run", str(params), "--out", str(tmp_path / "reports"), "--jobs", "1",
                     "--notebooks", str(nbdir)])
    assert code == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "Failed:", "  tiny: section 01_broken failed: KeyError: 'household_id'"]
    assert f"  {tmp_path / 'reports' / 'tiny' / 'report.html'}" in captured.out.splitlines()


def test_run_pdf_without_chromium_says_why_and_run_json_records_it(
        tiny_la, make_notebook, tmp_path, capsys, monkeypatch):
    import json

    monkeypatch.setenv("ADOPTION_CHROMIUM", str(tmp_path / "no-such-chromium"))
    params = tiny_la("tiny")
    nbdir = tmp_path / "nb"
    make_notebook(nbdir / "00_fine.ipynb", "Fine", "x = 1")
    out = tmp_path / "reports"
    assert cli.main(["run", str(params), "--out", str(out), "--jobs", "1",
                     "--notebooks", str(nbdir), "--pdf"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    folder = out / "tiny"
    assert err == [f"No PDF was written: Chromium was not found (install Debian's chromium "
                   f"package, or set ADOPTION_CHROMIUM); the HTML report is at "
                   f"{folder / 'report.html'}."]
    assert (folder / "report.html").exists() and not list(folder.glob("*.pdf"))
    assert json.loads((folder / "run.json").read_text())["pdf"] == err[0]


def test_synth_writes_an_la_that_check_reads(tmp_path, capsys):
    out, params = tmp_path / "synth", tmp_path / "synth.yaml"
    assert cli.main(["synth", "--out", str(out), "--size", "30", "--seed", "7", "--years", "3",
                     "--la-name", "Smallshire", "--la-code", "990",
                     "--params-out", str(params)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Synthetic LA written to {out}: ")
    assert "3 collection years (2023-24 to 2025-26)" in said
    p = load_params(params)
    assert (p.la_name, p.la_code, p.data_dir) == ("Smallshire", "990", out.resolve())
    assert cli.main(["check", str(params)]) == 0
    assert "Data quality: Smallshire" in capsys.readouterr().out


def test_synth_writes_xml_returns_that_check_reads_and_switching_format_leaves_one_form(
        tmp_path, capsys):
    out, params = tmp_path / "synth", tmp_path / "synth.yaml"
    assert cli.main(["synth", "--out", str(out), "--size", "30", "--years", "2", "--format", "xml",
                     "--params-out", str(params)]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.glob("903/*/*")) == [
        "903/2024-25/ssda903.xml", "903/2025-26/ssda903.xml"]
    assert cli.main(["check", str(params)]) == 0
    said = capsys.readouterr().out
    assert "903/2025-26/ssda903.xml [episodes]" in said
    # Written again as mixed years over the same folder: each year in one form only.
    assert cli.main(["synth", "--out", str(out), "--size", "30", "--years", "2",
                     "--format", "mixed"]) == 0
    assert sorted(p.name for p in (out / "903" / "2024-25").iterdir()) == ["ssda903.xml"]
    assert "ssda903.xml" not in {p.name for p in (out / "903" / "2025-26").iterdir()}
    assert cli.main(["check", str(params)]) == 0


def test_synth_bad_option_is_one_sentence(tmp_path, capsys):
    assert cli.main(["synth", "--out", str(tmp_path / "s"), "--size", "5"]) == 2
    assert _one_plain_line(capsys.readouterr().err).startswith("adoption-diagnostic: size ")


def test_bad_jobs_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "demo", "--jobs", "0"])
    assert exc.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_audits_import_writes_where_the_run_reads_it(tmp_path, monkeypatch):
    # In a workspace with one LA besides the demo, the forms go to that LA's local folder.
    import pandas as pd

    from diagnostic_kit.inputs import audit_forms

    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "demo.yaml").write_text("la_name: D\n", encoding="utf-8")
    (tmp_path / "params" / "anyshire.yaml").write_text(
        "la_name: Anyshire\nla_code: '888'\nperiod_start: 2023-04-01\nperiod_end: 2026-03-31\n"
        "data_dir: ../data/anyshire\n", encoding="utf-8")
    form = tmp_path / "form.docx"
    form.write_bytes(b"PK")
    rows = pd.DataFrame({"audit_id": ["A1"], "score": ["7"]})
    monkeypatch.setattr(audit_forms, "read_forms",
                        lambda files: audit_forms.ImportResult(rows=rows))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["audits", "import", "form.docx"]) == 0
    assert (tmp_path / "data" / "anyshire" / "local" / "case_audits.csv").is_file()
    assert not (tmp_path / "case_audits.csv").exists()


def test_one_la_that_cannot_be_read_is_said_once(tmp_path, capsys):
    from tests.la_builder import write_la

    params = write_la(tmp_path, {"2024-25": {}})
    (tmp_path / "data" / "903" / "2024-25").mkdir(parents=True)  # a year folder, empty
    assert cli.main(["run", str(tmp_path / "la.yaml"), "--out", str(tmp_path / "r")]) == 2
    out, err = capsys.readouterr()
    assert err.count("No header.csv was found") == 1 and "No header.csv" not in out
    assert "a folder of their own, such as" in err and params.la_name
