"""Issue 12: the fast path (warm kernels) and a batch as a product.

- The fast path gives the same metrics.json and tables as the plain path (a cold kernel per
  notebook) on the demo LA.
- On the fast path a section that raises, hangs or kills its kernel fails alone, and the next
  section runs in a kernel with nothing left over from it.
- A batch writes reports/index.html (every LA, links that resolve, in real headless Chromium;
  a failed LA shown as failed with its reason; grouped by region; sortable) and
  batch_metrics.csv (each LA against the batch's median and quartiles).
- The progress bar on a terminal; plain lines otherwise.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from diagnostic_kit.run import batch_index, kernels, private, runner
from tests.conftest import write_tiny_la

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


# -- the fast path gives the same outputs as the plain path ------------------------------------


def _cli_run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "diagnostic_kit", "run", "params/demo.yaml", "--out", str(out),
         *extra], cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        timeout=900, env={**os.environ, kernels.PLAIN_ENV: ""})


def test_fast_path_outputs_equal_the_plain_path_on_the_demo(tmp_path):
    fast = _cli_run(tmp_path / "fast")
    plain = _cli_run(tmp_path / "plain", "--plain")
    assert plain.returncode == fast.returncode, (fast.stderr, plain.stderr)
    a, b = tmp_path / "fast" / "demo", tmp_path / "plain" / "demo"
    assert json.loads((a / "metrics.json").read_text()) == json.loads(
        (b / "metrics.json").read_text())
    ta = pd.read_excel(a / "tables.xlsx", sheet_name=None, engine="openpyxl")
    tb = pd.read_excel(b / "tables.xlsx", sheet_name=None, engine="openpyxl")
    assert list(ta) == list(tb)
    for sheet in ta:
        pd.testing.assert_frame_equal(ta[sheet], tb[sheet], obj=sheet)
    # The executed notebooks count their cells from 1, as a new kernel does.
    import nbformat

    for nb_path in sorted((a / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"
                  and c.execution_count is not None]
        assert counts == list(range(1, len(counts) + 1)), nb_path.name
        texts = [o.get("text", "") for c in nb.cells if c.cell_type == "code"
                 for o in c.outputs]
        assert not [t for t in texts if "already loaded" in t or "ERROR!" in t], nb_path.name
    # Both ways run every section the same way.
    sa = [(s["key"], s["status"]) for s in json.loads((a / "run.json").read_text())["sections"]]
    sb = [(s["key"], s["status"]) for s in json.loads((b / "run.json").read_text())["sections"]]
    assert sa == sb


# -- fault isolation on the fast path -------------------------------------------------------------


def test_fast_path_isolates_a_crashing_section(tmp_path, make_notebook):
    params = write_tiny_la(tmp_path, "tiny")
    nbdir = tmp_path / "nb"
    make_notebook(nbdir / "00_sets.ipynb", "Sets",
                  "leftover = 42\nimport os\nos.environ['ADK_X'] = '1'")
    make_notebook(nbdir / "01_dies.ipynb", "Dies", "import os\nos._exit(1)")
    make_notebook(nbdir / "02_raises.ipynb", "Raises", "raise ValueError('the cohort is empty')")
    make_notebook(nbdir / "03_hangs.ipynb", "Hangs", "import time\ntime.sleep(60)")
    make_notebook(nbdir / "04_after.ipynb", "After",
                  "import os\nassert 'leftover' not in globals()\n"
                  "assert 'ADK_X' not in os.environ\nprint(os.getpid())")
    lines: list[str] = []
    (run,) = runner.run_reports([params], out_root=tmp_path / "reports", jobs=1, timeout=5,
                                notebooks_dir=nbdir, echo=lines.append, plain=False)
    got = {s.key: (s.status, s.error_type) for s in run.sections}
    assert got == {"00_sets": ("ok", None), "01_dies": ("failed", "KernelDied"),
                   "02_raises": ("failed", "ValueError"), "03_hangs": ("failed", "Timeout"),
                   "04_after": ("ok", None)}
    assert run.status == "sections_failed" and run.report is not None
    assert "[tiny] 01_dies FAILED after" in "\n".join(lines)
    # Each failure was its kernel's last: nothing keeps running afterwards.
    with private._KERNELS_LOCK:
        assert not [p for p in private._KERNELS if p.poll() is None]


def test_warm_kernel_is_reset_between_notebooks(tmp_path, make_notebook):
    params = write_tiny_la(tmp_path, "tiny")
    nbdir = tmp_path / "nb"
    make_notebook(nbdir / "00_first.ipynb", "First",
                  "%load_ext autoreload\nimport pandas as pd\npd.set_option('display.max_rows', 3)"
                  "\nimport os\nos.chdir('/')\nx = 1\nprint(os.getpid())")
    make_notebook(nbdir / "01_second.ipynb", "Second",
                  "%load_ext autoreload\nimport os, pandas as pd\n"
                  "assert pd.get_option('display.max_rows') == 60\n"
                  "assert 'x' not in globals()\nprint(os.getpid())\nprint(os.getcwd())")
    (run,) = runner.run_reports([params], out_root=tmp_path / "reports", jobs=1, timeout=60,
                                notebooks_dir=nbdir, echo=lambda line: None, plain=False)
    assert [s.status for s in run.sections] == ["ok", "ok"], run.sections
    import nbformat

    out = tmp_path / "reports" / "tiny" / "notebooks"

    def printed(name: str) -> list[str]:
        nb = nbformat.read(out / name, as_version=4)
        return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                       for o in c.outputs).split()

    first, second = printed("00_first.ipynb"), printed("01_second.ipynb")
    assert first[0] == second[0], "the second notebook ran in the same (warm) kernel"
    assert second[1] == str(nbdir)  # the working folder is the notebook's again
    assert not [t for t in second if "already" in t]


# -- a batch ----------------------------------------------------------------------------------

SECTION = (
    "from diagnostic_kit.present.section import Section\n"
    "from diagnostic_kit.run.prepare import open_la\n"
    "la = open_la(params_file, prepared)\n"
    "sec = Section('00_head', output_dir)\n"
    "k = len(la.params.la_name)\n"
    "sec.metric('children_looked_after', 100 + k, n=100 + k)\n"
    "sec.metric('a1_mean_days', 300 + 40 * k, n=10 + k)\n"
    "sec.metric('a2_mean_days', 100 + 10 * k, n=8)\n"
    "sec.metric('a3_pct_under_426_days', 50.0 + k, n=10 + k)\n"
    "sec.metric('placed_within_12_months_of_adm_pct', 40.0 + k, n=20 + k)\n"
    "sec.metric('median_days_adm_to_placement', None if k == 8 else 200 + 10 * k, n=20 + k)\n"
    "sec.md('## Findings\\n\\nA made-up section.')\n"
)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Four LAs in two regions and one RAA-only LA ... one of which cannot be read."""
    from tests.conftest import register_section

    root = tmp_path_factory.mktemp("batch")
    names = [("ayshire", "Ayshire", "region: South West"),
             ("beeshire", "Beeshire Borough", "region: South West"),
             ("ceeshire", "Ceeshire", "region: North East\nraa: Adopt North"),
             ("deeshire", "Deeshire", "region: North East")]
    files = []
    for slug, name, extra in names:
        p = write_tiny_la(root, slug, name)
        p.write_text(p.read_text() + extra + "\n", encoding="utf-8")
        files.append(p)
    # Deeshire's header is missing: it fails before any section runs.
    (files[3].parent / "data" / "903" / "2025-26" / "header.csv").unlink()
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nbdir = root / "nb"
    nbdir.mkdir()
    nb = new_notebook(cells=[new_markdown_cell("# Head"), new_code_cell(
        'params_file = "demo"\nprepared = ""\noutput_dir = ""', metadata={"tags": ["parameters"]}),
        new_code_cell(SECTION)], metadata={"kernelspec": {"name": "python3",
                                                          "display_name": "Python 3",
                                                          "language": "python"}})
    nbformat.write(nb, nbdir / "00_head.ipynb")
    reg = register_section(nbdir, "00_head", "Head", ["children_looked_after", "a1_mean_days",
                                                      "a2_mean_days", "a3_pct_under_426_days",
                                                      "placed_within_12_months_of_adm_pct",
                                                      "median_days_adm_to_placement"])
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ADK_SECTIONS_FILE", str(reg))
        runs = runner.run_reports(files, out_root=root / "reports", jobs=2, timeout=120,
                                  notebooks_dir=nbdir, echo=lines.append)
    return runs, root / "reports", lines


def test_batch_writes_an_index_and_batch_metrics(batch):
    runs, out, lines = batch
    assert [r.status for r in runs] == ["ok", "ok", "ok", "failed"]
    html = (out / "index.html").read_text(encoding="utf-8")
    for r in runs:
        assert r.params.la_name in html
    assert html.count('class="kit-la-ok"') == 3 and html.count('class="kit-la-failed"') == 1
    failed = html.split('data-la="deeshire"')[1].split("</tr>")[0]
    assert "failed" in failed and "No header.csv" in failed and "<a " not in failed
    # Grouped by region, each group headed.
    assert "Region: North East (2 LAs)" in html and "Region: South West (2 LAs)" in html
    # Links resolve to the reports on disk.
    links = re.findall(r'href="([^"#]+)"', html)
    assert sorted(links) == ["ayshire/report.html", "beeshire/report.html",
                             "ceeshire/report.html"]
    assert all((out / link).is_file() for link in links)
    # A script only on the index, allowed by its hash; the reports stay script-free.
    assert html.count("<script>") == 1 and "script-src 'sha256-" in html
    for r in runs[:3]:
        assert "<script" not in (out / r.name / "report.html").read_text(encoding="utf-8")
    # RAG against the A1 threshold (426 days): Ayshire 300 + 40*7 = 580 -> red.
    ay = html.split('data-la="ayshire"')[1].split("</tr>")[0]
    assert "580" in ay and "kit-rag-red" in ay

    bm = pd.read_csv(out / "batch_metrics.csv")
    assert list(bm.columns) == batch_index.BATCH_COLUMNS
    assert sorted(bm["la"].unique()) == ["ayshire", "beeshire", "ceeshire", "deeshire"]
    a1 = bm[bm["measure"].eq("a1_mean_days")].set_index("la")
    # A1 = 300 + 40 * len(name): 580 (Ayshire), 940 (Beeshire Borough), 620 (Ceeshire).
    assert a1.loc["ayshire", "value"] == 580 and a1.loc["ayshire", "n"] == 17
    assert a1["batch_median"].dropna().unique().tolist() == [620]
    assert a1["batch_q1"].dropna().unique().tolist() == [600]
    assert a1["batch_q3"].dropna().unique().tolist() == [780]
    assert a1.loc["ayshire", "batch_las"] == 3
    assert (a1.loc["ayshire", "position"], a1.loc["beeshire", "position"],
            a1.loc["ceeshire", "position"]) == ("lowest quarter", "highest quarter",
                                                "middle half")
    assert a1.loc["deeshire", "status"] == "failed" and pd.isna(a1.loc["deeshire", "value"])
    assert a1.loc["ceeshire", "raa"] == "Adopt North"
    # Children still waiting: the median days from the decision to a placement and the share
    # placed within 12 months of it, counting every child. Ayshire: 200 + 70 = 270 days,
    # 47%; Beeshire Borough: 360, 56%; Ceeshire (8 letters): the median not reached (null).
    med = bm[bm["measure"].eq("median_days_adm_to_placement")].set_index("la")
    assert med.loc["ayshire", "value"] == 270 and med.loc["ayshire", "n"] == 27
    assert pd.isna(med.loc["ceeshire", "value"]) and med.loc["ayshire", "batch_las"] == 2
    assert med["batch_median"].dropna().unique().tolist() == [315]
    share = bm[bm["measure"].eq("placed_within_12_months_of_adm_pct")].set_index("la")
    assert share.loc["beeshire", "value"] == 56 and share.loc["ceeshire", "value"] == 48
    assert "Median days ADM decision to placement" in html
    assert "270" in ay and "47" in ay
    assert not list(out.glob(".*tmp"))




def test_batch_index_in_headless_chromium(batch, browser):
    from selenium.webdriver.common.by import By

    runs, out, _ = batch
    index = (out / "index.html").as_uri()
    browser.get(index)
    rows = browser.find_elements(By.CSS_SELECTOR, "table[id^=las-] tbody tr")
    assert sorted(r.get_attribute("data-la") for r in rows) == [r.name for r in runs]
    failed = browser.find_element(By.CSS_SELECTOR, 'tr[data-la="deeshire"]')
    assert "failed" in failed.text and "No header.csv" in failed.text
    # Every link opens its LA's report.
    hrefs = [a.get_attribute("href") for a in
             browser.find_elements(By.CSS_SELECTOR, "table[id^=las-] a")]
    assert len(hrefs) == 3
    for href in hrefs:
        browser.get(href)
        slug = href.rsplit("/", 2)[-2]
        name = next(r.params.la_name for r in runs if r.name == slug)
        assert name in browser.title
        assert browser.find_elements(By.CSS_SELECTOR, "section.kit-section")
    # The comparison table sorts by a clicked column (the inline script ran under the CSP).
    browser.get(index)
    table = browser.find_element(By.ID, "batch-comparison")

    def first_column() -> list[str]:
        return [r.find_elements(By.TAG_NAME, "td")[0].text
                for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]

    a1 = table.find_elements(By.CSS_SELECTOR, "th button")[1]
    a1.click()
    assert first_column()[:3] == ["Ayshire", "Ceeshire", "Beeshire Borough"]
    a1.click()
    assert first_column()[:3] == ["Beeshire Borough", "Ceeshire", "Ayshire"]
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors, errors


# -- progress ---------------------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_and_lines_otherwise():
    tty = _Tty()
    p = runner.Progress(stream=tty)
    assert p.bar
    p.plan(2, 3)
    p("ayshire", "00_a started")
    for _ in range(3):
        p.section_done()
    p.la_done()
    p("beeshire", "00_a FAILED after 1.0 s: ValueError: x")
    text = tty.getvalue()
    assert "LAs 1/2" in text and "sections 3/6" in text and "elapsed" in text
    assert "left" in text  # an estimate once a section is done
    assert "[beeshire] 00_a FAILED after 1.0 s: ValueError: x\n" in text
    p.close()
    assert tty.getvalue().endswith("\n")

    plain = io.StringIO()
    q = runner.Progress(stream=plain)
    assert not q.bar
    q.plan(1, 1)
    q("ayshire", "00_a started")
    q.section_done()
    q.close()
    assert plain.getvalue() == "[ayshire] 00_a started\n"
