"""The runner and the assembly, on throwaway notebooks and a tiny real LA.

Fault tests use real kernels: a notebook that raises, one that sleeps past the cell timeout and
one that kills its own kernel with ``os._exit``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from diagnostic_kit import registry
from diagnostic_kit.inputs.params import ParamsError
from diagnostic_kit.run import assemble, kernels, page, plan, runner, workbook
from tests.conftest import register_section, write_tiny_la

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

FIRST = (
    "import warnings\n"
    "import matplotlib\n"
    "matplotlib.use('module://matplotlib_inline.backend_inline')\n"
    "import matplotlib.pyplot as plt\n"
    "import pandas as pd\n"
    "from diagnostic_kit.present.section import Section\n"
    "sec = Section('00_first', output_dir)\n"
    "sec.metric('children_adopted', 12, n=12)\n"
    "sec.md('## Findings\\n\\nTwelve children were adopted.')\n"
    "sec.table(pd.DataFrame({'stage': ['entry', 'order'], 'days': [10, 20]}), 'Days by stage')\n"
    "warnings.warn('a warning for the terminal only')\n"
    "plt.plot([1, 2, 3]); plt.show()\n"
)
SECOND = (
    "from diagnostic_kit.present.section import Section\n"
    "import pandas as pd\n"
    "sec = Section('01_second', output_dir)\n"
    "sec.metric('stage_median_days', 98.456)\n"
    "sec.table(pd.DataFrame({'a': [1]}), 'Days by stage')\n"
)


def _ids_and_links(html: str) -> tuple[list[str], set[str]]:
    return re.findall(r'\bid="([^"]+)"', html), set(re.findall(r'href="#([^"]+)"', html))


# -- discovery and execution -------------------------------------------------------------------


def test_discover_sections_runs_the_registrys_active_sections_in_order(tmp_path, make_notebook):
    for name in ["08_dq", "00_summary", "02_timescales", "scratch", "10_later"]:
        make_notebook(tmp_path / f"{name}.ipynb", name)
    (tmp_path / "03_notes.txt").write_text("not a notebook")
    found = [p.name for p in plan.discover_sections(tmp_path)]
    # "scratch" is in the folder but not in the registry: not run.
    assert found == ["00_summary.ipynb", "02_timescales.ipynb", "08_dq.ipynb", "10_later.ipynb"]
    (tmp_path / "02_timescales.ipynb").unlink()
    with pytest.raises(FileNotFoundError, match="02_timescales.ipynb named in sections.yml"):
        plan.discover_sections(tmp_path)


def test_kernel_talks_over_ipc_not_tcp(tmp_path, make_notebook, capfd):
    nb = make_notebook(
        tmp_path / "00_ipc.ipynb", "IPC",
        "import json\nfrom ipykernel.connect import get_connection_info\n"
        "info = json.loads(get_connection_info())\nprint(info['transport'], info['ip'])",
    )
    res = kernels.execute_section(nb, tmp_path / "out" / nb.name, {"params_file": "x"}, timeout=60)
    assert res.status == "ok", res
    done = nbformat.read(tmp_path / "out" / nb.name, as_version=4)
    text = "".join(o.get("text", "") for c in done.cells if c.cell_type == "code"
                   for o in c.outputs)
    transport, ip = text.split()
    assert transport == "ipc"
    # The socket lives in the runner's private folder, not the notebook's working directory.
    assert Path(ip).is_absolute() and "adk-ipc-" in ip
    assert not list(tmp_path.glob("kernel-ipc*"))
    captured = capfd.readouterr()
    assert "tcp" not in (captured.out + captured.err).lower()


@pytest.mark.parametrize(
    ("code", "error_type", "message"),
    [
        ("raise ValueError('the cohort is empty')", "ValueError", "the cohort is empty"),
        ("import time\ntime.sleep(60)", "Timeout", "timed out"),
        ("import os\nos._exit(1)", "KernelDied", "kernel stopped unexpectedly"),
    ],
    ids=["raises", "hangs", "kernel-dies"],
)
def test_section_faults_are_recorded_not_raised(tmp_path, make_notebook, code, error_type,
                                                message):
    nb = make_notebook(tmp_path / "03_fault.ipynb", "Fault", "x = 1", code)
    res = kernels.execute_section(nb, tmp_path / "out" / nb.name, {"params_file": "x"}, timeout=3)
    assert res.status == "failed"
    assert res.error_type == error_type
    assert message in res.error
    assert "Traceback" not in res.error and "\n" not in res.error
    assert res.seconds < 30  # a hang is cut at the cell timeout, not after the 60 s sleep


# -- a whole run on the tiny LA --------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One run: sections 00 (metrics, table, chart, a warning), 01, 05 (raises) and the real
    section 8 notebook, on the tiny LA."""
    root = tmp_path_factory.mktemp("run")
    params = write_tiny_la(root, "tiny")
    nbdir = root / "notebooks"
    nbdir.mkdir()

    def make(name, title, *cells):
        nb = new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                   "display_name": "Python 3"}})
        p = new_code_cell('params_file = "demo"\nprepared = ""\noutput_dir = ""',
                          metadata={"tags": ["parameters"]})
        nb.cells = [new_markdown_cell(f"# {title}"), p, *map(new_code_cell, cells)]
        nbformat.write(nb, nbdir / f"{name}.ipynb")

    make("00_first", "0. First things", FIRST)
    make("01_second", "1. Second", SECOND)
    make("05_broken", "5. Broken section", "raise ValueError('the cohort is empty')")
    shutil.copy(NOTEBOOKS / "08_data_quality.ipynb", nbdir)
    for key, title, cells in (("00_first", "First things", FIRST), ("01_second", "Second", SECOND),
                              ("05_broken", "Broken", "")):
        reg = register_section(nbdir, key, title, re.findall(r"metric\('(\w+)'", cells))
    reg = register_section(nbdir, "08_data_quality", "Data quality",
                           list(registry.section("08_data_quality").metrics))
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(registry.ENV_VAR, str(reg))
        runs = runner.run_reports([params], out_root=root / "reports", jobs=2, timeout=120,
                                  notebooks_dir=nbdir, echo=lines.append)
    return runs, root / "reports" / "tiny", lines


def test_run_reports_statuses_and_exit(built):
    runs, out, lines = built
    (run,) = runs
    assert run.status == "sections_failed"
    assert [s.key for s in run.sections] == ["00_first", "01_second", "05_broken",
                                             "08_data_quality"]
    assert [s.status for s in run.sections] == ["ok", "ok", "failed", "ok"]
    code, problems = runner.summarise(runs)
    assert code == 1
    assert problems == ["tiny: section 05_broken failed: ValueError: the cohort is empty"]
    # Progress: a line when each section starts and when it finishes, with seconds.
    assert "[tiny] 00_first started" in lines
    assert any(re.fullmatch(r"\[tiny\] 08_data_quality finished in \d+\.\d s", ln)
               for ln in lines)
    assert any(ln.startswith("[tiny] 05_broken FAILED after") for ln in lines)
    assert lines[-1] == f"[tiny] report: {out / 'report.html'}"


def test_outputs_written_and_nothing_half_built_left(built):
    _, out, _ = built
    for name in ["report.html", "metrics.json", "tables.xlsx", "data_quality.csv",
                 "internal/pseudonym_key.csv", "internal/README.txt", "run.json",
                 "sections/00_first.html", "sections/05_broken.html",
                 "sections/08_data_quality.html", "notebooks/08_data_quality.ipynb"]:
        assert (out / name).is_file(), name
    assert not list(out.parent.glob(".building-*"))
    assert not (out / ".work").exists()
    # The prepared data (own ids, dates of birth) never stays beside the report.
    assert not (out / ".prepared").exists()


def test_report_sections_in_order_with_contents_that_resolve(built):
    _, out, _ = built
    html = (out / "report.html").read_text(encoding="utf-8")
    anchors = re.findall(r'<section class="kit-section[^"]*" id="([^"]+)"', html)
    assert anchors == ["section-00_first", "section-01_second", "section-05_broken",
                       "section-08_data_quality"]
    ids, links = _ids_and_links(html)
    assert len(ids) == len(set(ids)), "ids must be unique on the page"
    assert {f"section-{k}" for k in ["00_first", "01_second", "05_broken",
                                     "08_data_quality"]} <= links
    assert links <= set(ids)
    # Title block, contents titles without the notebook's own numbering.
    assert "Testshire" in html and "1 April 2023 to 31 March 2026" in html
    assert '<span class="kit-num">8</span> Data quality and method</a>' in html


def test_report_hides_code_parameters_tracebacks_and_stderr(built):
    _, out, _ = built
    for shown in [out / "report.html", *sorted((out / "sections").glob("*.html"))]:
        html = shown.read_text(encoding="utf-8")
        for hidden in ["params_file", "output_dir", "from diagnostic_kit", "Traceback",
                       "a warning for the terminal only", "In&nbsp;[", "input_area",
                       "jp-InputArea", "<script", "http://", "https://"]:
            assert hidden not in html, (shown.name, hidden)
        assert "Content-Security-Policy" in html


def test_failed_section_shows_a_clear_box(built):
    _, out, _ = built
    html = (out / "report.html").read_text(encoding="utf-8")
    section = html.split('id="section-05_broken"')[1].split("</section>")[0]
    assert "This section (Broken section) could not be produced." in section
    assert "ValueError: the cohort is empty" in section
    assert "Broken section</a> <span class=\"kit-flag\">not produced</span>" in html


def test_report_content_figures_and_tables(built):
    _, out, _ = built
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Twelve children were adopted." in html
    assert re.search(r'<img[^>]+src="data:image/png;base64,', html)
    assert '<p class="kit-table-title" id="s00-t-days_by_stage">Days by stage</p>' in html
    assert '<td class="num">20</td>' in html and "<td>entry</td>" in html


def test_metrics_json_is_flat_with_la_and_period_first(built):
    _, out, _ = built
    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics)[:3] == ["la_code", "period_start", "period_end"]
    assert metrics["la_code"] == "998"
    assert metrics["period_start"] == "2023-04-01" and metrics["period_end"] == "2026-03-31"
    assert metrics["children_adopted"] == 12 and metrics["children_adopted_n"] == 12
    assert metrics["stage_median_days"] == 98.46
    # Section 8 on the tiny LA: 3 header rows + 3 episode rows, none excluded; four findings
    # (no AD1 for the adopted child, who was adopted from foster care U1 (DfE 390), the 31/02
    # date, the unknown ethnic code).
    assert (metrics["dq_rows_read"], metrics["dq_rows_used"], metrics["dq_rows_excluded"]) == (
        6, 6, 0)
    assert metrics["dq_findings"] == 4
    assert all(not isinstance(v, dict | list) for v in metrics.values())


def test_tables_xlsx_one_sheet_per_table(built):
    _, out, _ = built
    wb = openpyxl.load_workbook(out / "tables.xlsx", read_only=True)
    names = wb.sheetnames
    assert names[0] == "Contents"
    assert "00_days_by_stage" in names and "01_days_by_stage" in names
    assert all(len(n) <= 31 for n in names) and len(set(names)) == len(names)
    days = pd.read_excel(out / "tables.xlsx", sheet_name="00_days_by_stage", engine="openpyxl")
    assert days.to_dict("list") == {"stage": ["entry", "order"], "days": [10, 20]}
    contents = pd.read_excel(out / "tables.xlsx", sheet_name="Contents", engine="openpyxl")
    assert len(contents) == len(names) - 1
    assert set(contents["sheet"]) == set(names[1:])


def test_run_json_records_sections_params_and_checksums(built):
    runs, out, _ = built
    rec = json.loads((out / "run.json").read_text())
    assert rec["kit_version"] and rec["status"] == "sections_failed"
    assert rec["params"]["la_name"] == "Testshire" and rec["params"]["la_code"] == "998"
    assert set(rec["input_checksums"]) == {"903/2025-26/header.csv", "903/2025-26/episodes.csv"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in rec["input_checksums"].values())
    broken = next(s for s in rec["sections"] if s["key"] == "05_broken")
    assert broken["status"] == "failed" and broken["error_type"] == "ValueError"
    assert broken["error"] == "the cohort is empty"
    assert all(s["seconds"] > 0 and s["started"] and s["finished"] for s in rec["sections"])
    assert rec["started"] <= rec["finished"]


def test_pseudonym_key_and_data_quality_files_and_no_child_id_in_html(built):
    _, out, _ = built
    key = pd.read_csv(out / "internal" / "pseudonym_key.csv", dtype=str)
    assert not (out / "pseudonym_key.csv").exists()  # only in the internal folder
    assert "do not share" in (out / "internal" / "README.txt").read_text()
    assert list(key.columns) == ["pseudonym", "child"]
    assert sorted(key["child"]) == ["CH7781", "CH7782", "CH7783"]
    assert key["pseudonym"].str.fullmatch(r"C-\d{4}").all()
    dq = pd.read_csv(out / "data_quality.csv", dtype=str)
    assert sorted(dq["rule"]) == ["adopted_from_non_adoptive_placement", "adoption_without_ad1",
                                  "code_unknown", "date_unparseable",
                                  "personal_data_dropped"]  # the UPN column, dropped on read
    for shown in [out / "report.html", *(out / "sections").glob("*.html")]:
        html = shown.read_text(encoding="utf-8")
        for child in key["child"]:
            assert child not in html, (shown.name, child)
        # Dates of birth, UPNs and the unparseable date value never reach the report.
        for secret in ["01/02/2020", "A123456789012", "31/02/2024"]:
            assert secret not in html


def test_section_8_withholds_dates_and_shows_codes(built):
    _, out, _ = built
    html = (out / "sections" / "08_data_quality.html").read_text(encoding="utf-8")
    table = html.split("Every validation finding</p>")[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in rows]
    findings = {c[2]: c[3] for c in cells if len(c) == 6}  # column -> shown value
    assert findings == {"PLACE": "U1", "REC": "E11", "DEC": "(withheld)", "ETHNIC": "XXXX"}
    assert "rows read = rows used + rows excluded (checked for this run)" in html
    assert "UPN" in html  # the dropped column is named, its values never read


# -- several LAs, failures, atomic writes ----------------------------------------------------------


def test_one_failing_la_does_not_stop_the_others(tmp_path, make_notebook):
    good = write_tiny_la(tmp_path, "good")
    bad = write_tiny_la(tmp_path, "bad", "Badshire")
    (bad.parent / "data" / "903" / "2025-26" / "header.csv").unlink()
    nbdir = tmp_path / "nb"
    make_notebook(nbdir / "00_one.ipynb", "One", "x = 1")
    lines: list[str] = []
    runs = runner.run_reports([bad, good], out_root=tmp_path / "reports", jobs=2,
                              notebooks_dir=nbdir, echo=lines.append)
    assert [r.status for r in runs] == ["failed", "ok"]
    assert (tmp_path / "reports" / "good" / "report.html").is_file()
    assert not (tmp_path / "reports" / "bad").exists()
    code, problems = runner.summarise(runs)
    assert code == 2
    assert len(problems) == 1 and problems[0].startswith("bad: no report: No header.csv")
    assert not list((tmp_path / "reports").glob(".building-*"))


def test_params_are_checked_before_any_notebook_runs(tmp_path, make_notebook):
    good = write_tiny_la(tmp_path, "good")
    broken = tmp_path / "broken.yaml"
    broken.write_text("la_name: X\n", encoding="utf-8")
    nbdir = tmp_path / "nb"
    make_notebook(nbdir / "00_one.ipynb", "One", "x = 1")
    with pytest.raises(ParamsError, match="missing the key"):
        runner.run_reports([good, broken], out_root=tmp_path / "reports", notebooks_dir=nbdir,
                           echo=lambda line: None)
    assert not (tmp_path / "reports").exists()


def test_a_failed_rebuild_leaves_the_previous_report_whole(tmp_path, make_notebook, monkeypatch):
    params = write_tiny_la(tmp_path, "tiny")
    nbdir = tmp_path / "nb"
    make_notebook(nbdir / "00_one.ipynb", "One", "x = 1")
    out = tmp_path / "reports"
    runner.run_reports([params], out_root=out, notebooks_dir=nbdir, echo=lambda line: None)
    before = (out / "tiny" / "report.html").read_text(encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(assemble, "write_tables_xlsx", boom)
    (run,) = runner.run_reports([params], out_root=out, notebooks_dir=nbdir,
                                echo=lambda line: None)
    assert run.status == "failed" and "disk full" in run.error
    assert (out / "tiny" / "report.html").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in out.iterdir()) == ["tiny"]


# -- assembly helpers ------------------------------------------------------------------------------


def test_scope_ids_prefixes_ids_and_links_and_drops_permalinks():
    frag = ('<h2 id="Findings">Findings<a class="anchor-link" href="#Findings">¶</a></h2>'
            '<a href="#Findings">see</a><a href="other.html#x">out</a>')
    assert page.scope_ids(frag, "s02") == (
        '<h2 id="s02-Findings">Findings</h2><a href="#s02-Findings">see</a>'
        '<a href="other.html#x">out</a>')


def test_mark_numbers_right_aligns_only_numbers():
    frag = "<td>12</td><td>1,234.5</td><td>–</td><td>entry</td><td>&lt;5</td><td>45%</td>"
    assert page.mark_numbers(frag) == (
        '<td class="num">12</td><td class="num">1,234.5</td><td>–</td><td>entry</td>'
        '<td>&lt;5</td><td class="num">45%</td>')


def test_sheet_names_short_unique_and_valid():
    keys = ["02_timescales__stage_statistics_for_children_adopted_in_the_period",
            "02_timescales__stage_statistics_for_children_adopted_in_the_period_by_year",
            "08_data_quality__a/b:c", "03_x__Stage"]
    names = workbook.sheet_names(keys)
    # Whole words, small words left out when too long, alike names told apart by their ends.
    assert names == ["02_stage_statistics_children", "02_stage_statistics_year",
                     "08_a_b_c", "03_Stage"]
    assert all(len(n) <= 31 for n in names)


def test_section_title_from_first_heading_without_numbering():
    nb = new_notebook(cells=[new_code_cell("x = 1"),
                             new_markdown_cell("Intro\n\n# 2. Timescales: *drift*\n")])
    assert page.section_title(nb, "02_timescales") == "Timescales: drift"
    assert page.section_title(new_notebook(), "03_shortest_longest") == "Shortest longest"


def test_shown_notebook_drops_parameters_errors_and_stderr():
    params = new_code_cell("params_file = 'x'", metadata={"tags": ["parameters"]})
    injected = new_code_cell("params_file = 'y'", metadata={"tags": ["injected-parameters"]})
    cell = new_code_cell("show()", outputs=[
        new_output("stream", name="stdout", text="kept\n"),
        new_output("stream", name="stderr", text="warning\n"),
        new_output("error", ename="KeyError", evalue="'x'", traceback=["Traceback"]),
    ])
    shown = page.shown_notebook(new_notebook(cells=[params, injected, cell]))
    assert len(shown.cells) == 1
    assert [o["text"] for o in shown.cells[0].outputs] == ["kept\n"]


def test_failure_box_escapes_the_message():
    box = page.failure_box("Adopters", "KeyError", "<b>'household_id'</b>")
    assert "&lt;b&gt;" in box and "<b>'" not in box


def test_an_interrupted_run_stops_its_kernels_and_leaves_no_report(tmp_path, make_notebook):
    import signal
    import time

    params = write_tiny_la(tmp_path, "tiny")
    nbdir = tmp_path / "nb"
    make_notebook(nbdir / "00_slow.ipynb", "Slow", "import time\ntime.sleep(120)")
    out = tmp_path / "reports"
    started: list[str] = []

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 6)  # Ctrl-C while the section's cell is running
    t0 = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.run_reports([params], out_root=out, notebooks_dir=nbdir, timeout=300,
                               echo=started.append)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert "[tiny] 00_slow started" in started
    assert time.perf_counter() - t0 < 60  # the kernel was stopped, not waited for
    assert list(out.iterdir()) == []


def test_section_says_which_missing_extracts_it_needed():
    import pandas as pd

    from diagnostic_kit.present.section import Section

    shown: list[str] = []
    sec = Section("02_timescales")
    sec.notice = shown.append  # type: ignore[method-assign]
    missing = pd.DataFrame({"table": ["adopters", "permanence_plans"]})
    assert sec.missing_extracts(missing, {"permanence_plans": "IRO dates", "costs": "costs"}) \
        is None  # nothing for the notebook cell to show
    assert sec.absent == ["permanence_plans"]
    assert shown == [
        "<strong>local/permanence_plans.csv was not supplied</strong>, so this section cannot "
        "show IRO dates. To add it, fill <code>data_templates/permanence_plans.csv</code>."
    ]


def test_a_members_missing_extract_says_the_raa_may_hold_it():
    import pandas as pd

    from diagnostic_kit.present.section import Section

    shown: list[str] = []
    sec = Section("05_adopters", raa="Adopt *North*")
    sec.notice = shown.append  # type: ignore[method-assign]
    missing = pd.DataFrame({"table": ["adopters", "permanence_plans"]})
    sec.missing_extracts(missing, {"adopters": "the funnel", "permanence_plans": "IRO dates"})
    # The adopters are an extract an RAA may hold for its members; permanence plans are not.
    assert shown == [
        "<strong>local/adopters.csv was not supplied</strong>, so this section cannot show the "
        "funnel. To add it, fill <code>data_templates/adopters.csv</code>. Where Adopt \\*North\\* "
        "holds it for its member LAs, the RAA's report shows it.",
        "<strong>local/permanence_plans.csv was not supplied</strong>, so this section cannot "
        "show IRO dates. To add it, fill <code>data_templates/permanence_plans.csv</code>."]
    # Two such extracts missing: the RAA is named once, under the last of them.
    shown.clear()
    sec.missing_extracts(pd.DataFrame({"table": ["costs", "staffing"]}),
                         {"costs": "unit costs", "staffing": "productivity"})
    assert [s.count("holds them for its member LAs") for s in shown] == [0, 1]


def test_executed_notebooks_rerun_from_their_params_file(built):
    import nbformat

    _, out, _ = built
    nb = nbformat.read(out / "notebooks" / "08_data_quality.ipynb", as_version=4)
    injected = [c.source for c in nb.cells
                if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(injected) == 1
    lines = injected[0].splitlines()
    assert 'prepared = ""' in lines and 'output_dir = ""' in lines
    assert any(line.startswith("params_file = ") and "tiny" in line for line in lines)


def test_mark_numbers_aligns_whole_columns():
    """A column is right-aligned when every value written in it is a number (a suppressed
    count and a missing value's dash go with the numbers); a column of labels that are mostly
    numbers (1, 2, 3, 4+) stays left-aligned as a whole."""
    table = ("<table><thead><tr><th>Placements</th><th>Children</th><th>%</th></tr></thead>"
             "<tbody><tr><td>1</td><td>4</td><td>57%</td></tr>"
             "<tr><td>3</td><td>&lt;5</td><td>–</td></tr>"
             "<tr><td>4+</td><td>0</td><td>0%</td></tr></tbody></table>")
    assert page.mark_numbers(table) == (
        "<table><thead><tr><th>Placements</th><th>Children</th><th>%</th></tr></thead>"
        '<tbody><tr><td>1</td><td class="num">4</td><td class="num">57%</td></tr>'
        '<tr><td>3</td><td class="num">&lt;5</td><td class="num">–</td></tr>'
        '<tr><td>4+</td><td class="num">0</td><td class="num">0%</td></tr></tbody></table>')
    # With the index shown (a <th> first in each row), columns are counted from it.
    indexed = ("<table><tbody><tr><th>a</th><td>12</td><td>x</td></tr>"
               "<tr><th>b</th><td>1,234.5</td><td>–</td></tr></tbody></table>")
    assert page.mark_numbers(indexed) == (
        '<table><tbody><tr><th>a</th><td class="num">12</td><td>x</td></tr>'
        '<tr><th>b</th><td class="num">1,234.5</td><td>–</td></tr></tbody></table>')
