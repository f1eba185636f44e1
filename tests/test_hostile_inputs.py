"""Hostile or broken inputs, part of the messy-input corpus: each is one plain sentence and exit 2
(or a finding), never an internal error (exit 3), never unbounded memory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from diagnostic_kit.inputs import archives  # noqa: E402
from diagnostic_kit.inputs.audit_forms import FormNotRead, read_form  # noqa: E402
from diagnostic_kit.inputs.params import ParamsError, load_params  # noqa: E402
from diagnostic_kit.run import cli  # noqa: E402

PARAMS = """la_name: Anyshire
la_code: "888"
period_start: 2023-04-01
period_end: 2026-03-31
data_dir: data
"""


def _params(tmp_path: Path, text: str = PARAMS) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    p = tmp_path / "anyshire.yaml"
    p.write_text(text, encoding="utf-8")
    return p


# -- params ------------------------------------------------------------------------------------

def test_yaml_aliases_are_refused_before_they_expand(tmp_path):
    # The "billion laughs": nine levels of nine aliases, 540 bytes, 9^9 strings if expanded.
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    p = _params(tmp_path, PARAMS + "\n".join(lines) + "\n")
    with pytest.raises(ParamsError, match=r"uses a YAML alias \(\*\) at line 7"):
        load_params(p)


def test_a_huge_params_file_is_refused(tmp_path):
    p = _params(tmp_path, PARAMS + "# " + "x" * (1024 * 1024) + "\n")
    with pytest.raises(ParamsError, match="far more than a params file holds"):
        load_params(p)


@pytest.mark.parametrize("name, why", [
    ("x" * 10_000, "10,000 characters long; at most 120"),
    ('"Any\\nshire"', "line break"),
    ('"   "', "it is empty"),
])
def test_la_name_is_one_sensible_line(tmp_path, name, why):
    p = _params(tmp_path, PARAMS.replace("la_name: Anyshire", f"la_name: {name}"))
    with pytest.raises(ParamsError, match=why):
        load_params(p)


def test_la_name_with_dollars_is_text_in_a_chart(tmp_path):
    # matplotlib would read "$\foo$" as mathematics and fail; the chart style turns that off.
    from diagnostic_kit.present import charts

    charts.apply_style()
    fig, ax = matplotlib.pyplot.subplots()
    ax.plot([1, 2], [1, 2])
    fig = charts.finish(fig, "A title", charts.source_note(r"Any$\foo$shire"))
    fig.canvas.draw()  # raises ValueError under mathtext
    matplotlib.pyplot.close(fig)


def test_data_folder_that_is_a_file_or_a_loop(tmp_path):
    p = _params(tmp_path, PARAMS.replace("data_dir: data", "data_dir: afile"))
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(ParamsError, match="is a file, not a folder"):
        load_params(p)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    p = _params(tmp_path, PARAMS.replace("data_dir: data", "data_dir: loop"))
    with pytest.raises(ParamsError, match="cannot be used|leads nowhere"):
        load_params(p)


def test_a_path_too_long_is_one_sentence(tmp_path):
    p = _params(tmp_path, PARAMS.replace("data_dir: data", "data_dir: " + "d" * 5000))
    with pytest.raises(ParamsError, match="cannot be used|does not exist"):
        load_params(p)


# -- the command line ----------------------------------------------------------------------------

def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "diagnostic_kit", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_timeout_too_short_is_refused_at_once(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.build_parser().parse_args(["run", "demo", "--timeout", "2.5"])
    assert exc.value.code == 2
    assert "2.5 seconds is too short for a notebook cell; give at least 10" in \
        capsys.readouterr().err


def test_reports_folder_that_is_a_file_or_read_only(tmp_path):
    afile = tmp_path / "reports"
    afile.write_text("x")
    assert cli._usable_out(afile) == f"{afile} is a file, not a folder: name a folder with --out."
    # A folder under a file: the file is named.
    assert cli._usable_out(afile / "la") == \
        f"{afile} is a file, not a folder: name a folder with --out."
    # A folder not made yet is fine, and is not made by the check.
    assert cli._usable_out(tmp_path / "new" / "reports") is None
    assert not (tmp_path / "new").exists()
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as root: a mode of 555 does not stop root writing")
        assert "cannot be written to" in cli._usable_out(ro)
    finally:
        ro.chmod(0o755)


def test_run_into_a_file_exits_2_with_one_sentence(tmp_path):
    (tmp_path / "out").write_text("x")
    r = _run("run", "demo", "--out", "out", cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [
        f"adoption-diagnostic: {Path('out')} is a file, not a folder: name a folder with --out."]


# -- Office files ------------------------------------------------------------------------------

def _bomb(path: Path, member: str, size: int) -> Path:
    # Zeros compress about a thousand times: a 3 MB archive declaring 3 GB is written by
    # streaming, without holding the 3 GB.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf, \
            zf.open(member, "w", force_zip64=True) as f:
        chunk = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            f.write(chunk)
    return path


def test_a_word_form_that_expands_to_gigabytes_is_not_opened(tmp_path):
    form = _bomb(tmp_path / "audit.docx", "word/document.xml", 600 * 1024 * 1024)
    assert form.stat().st_size < 2_000_000
    with pytest.raises(FormNotRead, match=r"would expand to 600 MB when opened"):
        read_form(form)


def test_a_word_file_that_is_not_a_zip(tmp_path):
    form = tmp_path / "audit.docx"
    form.write_text("plain text")
    with pytest.raises(FormNotRead, match=r"not a Word .docx file \(it cannot be opened\)"):
        read_form(form)


def test_an_annex_a_workbook_that_expands_to_gigabytes_stops_in_one_sentence(tmp_path):
    from diagnostic_kit.inputs.annex_a import open_workbook
    from diagnostic_kit.inputs.reading import InputError

    book = _bomb(tmp_path / "Annex A.xlsx", "xl/worksheets/sheet1.xml", 600 * 1024 * 1024)
    with pytest.raises(InputError, match=r"cannot be read: it would expand to 600 MB"):
        open_workbook(book)


def test_a_highly_compressed_part_is_refused_under_the_total_limit(tmp_path):
    form = _bomb(tmp_path / "f.docx", "word/document.xml", 40 * 1024 * 1024)
    assert "would expand" in archives.too_large(form, archives.FORM_LIMIT)


def test_audits_import_writes_formula_text_as_text(tmp_path, monkeypatch):
    import pandas as pd

    from diagnostic_kit.inputs import audit_forms

    rows = pd.DataFrame({"audit_id": ["A1"], "good_practice": ["=HYPERLINK(\"x\")"],
                         "score": ["7"]})
    monkeypatch.setattr(audit_forms, "read_forms",
                        lambda files: audit_forms.ImportResult(rows=rows))
    form = tmp_path / "f.docx"
    form.write_bytes(b"PK")
    out = tmp_path / "case_audits.csv"
    assert cli.main(["audits", "import", str(form), "--out", str(out)]) == 0
    written = pd.read_csv(out, dtype=str)
    assert written.loc[0, "good_practice"] == "'=HYPERLINK(\"x\")"
    assert written.loc[0, "score"] == "7"


# -- 903 files -------------------------------------------------------------------------------------

def _la(tmp_path: Path) -> Path:
    from tests.la_builder import ep, hdr, write_la

    write_la(tmp_path, {"2024-25": {
        "header": [hdr("K1", "01/01/2020"), hdr("K2", "05/05/2019", "2")],
        "episodes": [ep("K1", "01/05/2023", "S", "C2", "U4", "01/10/2024", "X1"),
                     ep("K1", "01/10/2024", "P", "E1", "A4", "01/02/2025", "E11"),
                     ep("K2", "01/06/2024", "S", "V2", "U6")]}})
    return tmp_path / "data" / "903" / "2024-25"


def _load_error(tmp_path: Path) -> str:
    from diagnostic_kit.inputs.reading import InputError, load_inputs

    with pytest.raises(InputError) as exc:
        load_inputs(load_params(tmp_path / "la.yaml"))
    return str(exc.value)


def test_every_903_file_empty_but_for_its_header(tmp_path):
    year = _la(tmp_path)
    for f in year.glob("*.csv"):
        f.write_text(f.read_text().splitlines()[0] + "\n")
    assert "it has a header row but no data rows" in _load_error(tmp_path)


def test_a_heading_twice_differing_only_in_case(tmp_path):
    year = _la(tmp_path)
    f = year / "header.csv"
    lines = f.read_text().splitlines()
    f.write_text("\n".join([lines[0] + ",dob", *(ln + ",x" for ln in lines[1:])]) + "\n")
    assert _load_error(tmp_path) == (
        "903/2024-25/header.csv has the heading DOB twice (columns 3 and 8): give each column "
        "its own heading, following the header table in data_templates/data_dictionary.md.")


def test_a_second_decom_where_dec_was_meant_stops(tmp_path):
    year = _la(tmp_path)
    f = year / "episodes.csv"
    lines = f.read_text().splitlines()
    f.write_text("\n".join([lines[0].replace(",DEC,", ",DECOM,"), *lines[1:]]) + "\n")
    assert "has the heading DECOM twice (columns 2 and 8)" in _load_error(tmp_path)


def test_a_year_folder_not_yet_begun_or_twice(tmp_path):
    import shutil

    year = _la(tmp_path)
    future = year.parent / "2099-00"
    shutil.copytree(year, future)
    assert "names the collection year 2099-00, which has not begun" in _load_error(tmp_path)
    shutil.rmtree(future)
    shutil.copytree(year, year.parent / "2025")
    assert _load_error(tmp_path).startswith(
        "The folders 2024-25 and 2025 in ")
    assert _load_error(tmp_path).endswith("both hold the collection year 2024-25: keep one.")


def test_utf16_without_a_byte_order_mark(tmp_path):
    year = _la(tmp_path)
    f = year / "header.csv"
    f.write_bytes(f.read_text().encode("utf-16-le"))
    assert "is saved as UTF-16 (\"Unicode text\") without a byte-order mark" in \
        _load_error(tmp_path)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    # A 2 GB sparse file behind a symlink: refused from its size, never read into memory.
    year = _la(tmp_path)
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        f.truncate(2 * 1024 ** 3)
    (year / "episodes.csv").unlink()
    (year / "episodes.csv").symlink_to(big)
    assert "903/2024-25/episodes.csv is 2.0 GB, far larger than any 903 file" in \
        _load_error(tmp_path)


def test_rows_are_counted_from_the_bytes(tmp_path, monkeypatch):
    from diagnostic_kit.inputs import limits

    f = tmp_path / "x.csv"
    for text, rows in (("", 0), ("H\n", 0), ("H\na\nb", 2), ("H\na\nb\n", 2),
                       ("H\r\na\r\n\r\n", 2)):
        f.write_bytes(text.encode())
        assert limits.csv_rows(f) == rows, text
    # An XML return's row elements, a tag cut at a chunk's end counted once, CHILDID never.
    f.write_bytes(b'<?xml version="1.0"?><x:EXPSSDA903 xmlns:x="u"><x:CHILD><x:HEADER>'
                  b"<x:CHILDID>1</x:CHILDID></x:HEADER><x:EPISODE><x:DECOM>x</x:DECOM>"
                  b"</x:EPISODE><x:EPISODE/><x:AREVIEW/></x:CHILD><CHILD>\n<EPISODE>"
                  b"</EPISODE></CHILD></x:EXPSSDA903>")
    for chunk in (1, 2, 5, 7, 64, 1 << 20):
        monkeypatch.setattr(limits, "_CHUNK", chunk)
        assert limits.xml_rows(f) == (6, 3), chunk


@pytest.mark.parametrize("xml", [False, True])
def test_returns_over_the_caps_stop_before_they_are_read(tmp_path, monkeypatch, xml):
    from diagnostic_kit.inputs import limits
    from tests.la_builder import ep, hdr, write_la

    write_la(tmp_path, {"2024-25": {
        "header": [hdr("K1", "01/01/2020"), hdr("K2", "05/05/2019", "2")],
        "episodes": [ep("K1", "01/05/2023", "S", "C2", "U4", "01/10/2024", "X1"),
                     ep("K1", "01/10/2024", "P", "E1", "A4", "01/02/2025", "E11"),
                     ep("K2", "01/06/2024", "S", "V2", "U6")]}},
        xml=["2024-25"] if xml else [])
    # Five rows in all (two children, three episodes): the caps just under and at them.
    monkeypatch.setattr(limits, "MAX_EPISODES", 2)
    root = tmp_path / "data" / "903"
    assert _load_error(tmp_path) == (
        f"The 903 returns under {root} hold over 2 episodes, far more than one LA's returns "
        "hold, so the kit does not read them: check that the folder holds only this LA's "
        "returns, one folder per collection year (see data_templates/data_dictionary.md).")
    monkeypatch.setattr(limits, "MAX_EPISODES", 3)
    monkeypatch.setattr(limits, "MAX_903_ROWS", 4)
    assert "hold over 4 rows, far more than" in _load_error(tmp_path)
    monkeypatch.setattr(limits, "MAX_903_ROWS", 5)
    from diagnostic_kit.inputs.reading import load_inputs

    assert len(load_inputs(load_params(tmp_path / "la.yaml")).tables["episodes"]) == 3


def test_a_local_extract_over_its_cap_stops_before_it_is_read(tmp_path, monkeypatch):
    from diagnostic_kit.inputs import limits

    _la(tmp_path)
    (tmp_path / "data" / "local" / "costs.csv").write_text(
        "year,cost_type,amount\n2024-25,staff,1\n2024-25,staff,2\n", encoding="utf-8")
    monkeypatch.setattr(limits, "MAX_LOCAL_ROWS", 1)
    assert _load_error(tmp_path) == (
        "local/costs.csv has over 1 rows, far more than one LA's data_templates/costs.csv "
        "holds, so the kit does not read it: check it is the right file, following "
        "data_templates/costs.csv.")


def test_audits_import_of_nothing_readable_writes_nothing(tmp_path):
    form = tmp_path / "f.docx"
    form.write_text("not a zip")
    out = tmp_path / "case_audits.csv"
    assert cli.main(["audits", "import", str(form), "--out", str(out)]) == 2
    assert not out.exists()


def test_page_furniture_text_cannot_leave_its_css_string():
    from diagnostic_kit.run.page import css_string, page_css

    # Quotes, a backslash and a closing tag in an LA's name stay inside the string.
    name = 'Any"shire\\ </style><script>'
    out = page_css(name, "1 April 2023 to 31 March 2026", "OFFICIAL")
    assert "</style>" not in out and "<script>" not in out
    assert css_string('a"b') == '"a\\22 b"'
