"""End to end: build the demo LA's report from the command line, then read it as a person would,
in real headless Chromium, offline.

The run writes to a temporary folder (``--out``); the demo LA's synthetic data is generated into
``data/demo`` on first use, as ``make report`` does.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from diagnostic_kit import registry
from diagnostic_kit.inputs.params import load_params
from diagnostic_kit.run.plan import discover_sections

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    proc = subprocess.run(
        [sys.executable, "-m", "diagnostic_kit", "run", "params/demo.yaml", "--out", str(out),
         "--pdf"],
        cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900,
    )
    return proc, out / "demo"


def _pages(folder: Path) -> list[Path]:
    return [folder / "report.html", *sorted((folder / "sections").glob("*.html"))]


def test_cli_run_succeeds_and_prints_the_report_path(demo):
    proc, folder = demo
    assert proc.returncode == 0, proc.stderr
    assert f"  {folder / 'report.html'}" in proc.stdout.splitlines()
    assert "Traceback" not in proc.stdout + proc.stderr
    # One progress line per section start and finish.
    for nb in discover_sections():
        assert f"[demo] {nb.stem} started" in proc.stdout
        assert re.search(rf"\[demo\] {nb.stem} finished in \d+\.\d s", proc.stdout)
    assert "tcp" not in (proc.stdout + proc.stderr).lower()


def test_every_section_present_in_order(demo):
    _, folder = demo
    html = (folder / "report.html").read_text(encoding="utf-8")
    keys = [nb.stem for nb in discover_sections()]
    assert "08_data_quality" in keys
    anchors = re.findall(r'<section class="kit-section[^"]*" id="section-([^"]+)"', html)
    assert anchors == keys
    assert "kit-section-failed" not in html
    assert sorted(p.stem for p in (folder / "sections").glob("*.html")) == keys
    assert sorted(p.stem for p in (folder / "notebooks").glob("*.ipynb")) == keys


def test_every_declared_metric_is_recorded_once_by_its_section(demo):
    from diagnostic_kit import registry

    _, folder = demo
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    recorded = [k for k in metrics if k not in ("la_code", "period_start", "period_end")
                and not (k.endswith("_n") and k[:-2] in metrics)]
    declared = [m for s in registry.sections("active") for m in s.metrics]
    assert sorted(recorded) == sorted(declared)
    assert not [k for k in metrics if "__" in k]


def test_no_code_prompts_or_tracebacks_visible(demo):
    _, folder = demo
    for page in _pages(folder):
        html = page.read_text(encoding="utf-8")
        # Text escaped for Markdown shows as written: no stray backslash before punctuation.
        assert not re.search(r"\\[:()\[\]*_#|]", _text(html)), page.name
        for hidden in ["Traceback", "params_file", "open_la(", "from diagnostic_kit",
                       "import pandas", "In&nbsp;[",
                       "input_area", "jp-InputArea", "<script", "Error</span>"]:
            assert hidden not in html, (page.name, hidden)


def test_contents_links_resolve(demo):
    _, folder = demo
    for page in _pages(folder):
        html = page.read_text(encoding="utf-8")
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), page.name
        links = set(re.findall(r'href="#([^"]*)"', html))
        assert links <= set(ids), (page.name, links - set(ids))
    report = (folder / "report.html").read_text(encoding="utf-8")
    report_ids = set(re.findall(r'\bid="([^"]+)"', report))
    # A section's own page links to another section in the whole report.
    for page in _pages(folder)[1:]:
        across = set(re.findall(r'href="\.\./report\.html#([^"]*)"',
                                page.read_text(encoding="utf-8")))
        assert across <= report_ids, (page.name, across - report_ids)
    toc = report.split('class="kit-contents"')[1].split("</nav>")[0]
    assert re.findall(r'href="#section-([^"]+)"', toc) == [nb.stem for nb in discover_sections()]


def test_report_is_self_contained(demo):
    _, folder = demo
    html = (folder / "report.html").read_text(encoding="utf-8")
    # Everything loaded is inline: images are data: URIs, no stylesheet, script or font from
    # elsewhere (links a reader may follow are not loads).
    for attr in re.findall(r'\bsrc="([^"]*)"', html):
        assert attr.startswith("data:"), attr
    assert not re.search(r"url\(\s*['\"]?(?!data:)", html)
    assert "@import" not in html
    assert re.search(r'<img[^>]+src="data:image/png;base64,', html), "charts are inline PNG"
    assert "<link" not in html
    head = html.split("</head>")[0]
    assert "Demoshire (synthetic)" in head and "<style>" in head


def test_title_block(demo):
    _, folder = demo
    html = (folder / "report.html").read_text(encoding="utf-8")
    title = html.split('<header class="kit-title"')[1].split("</header>")[0]
    assert "Demoshire (synthetic)" in title
    assert "1 April 2023 to 31 March 2026" in title
    assert re.search(r"Produced</dt><dd>\d{1,2} \w+ \d{4}</dd>", title)
    assert "adoption-diagnostic 0." in title or "adoption-diagnostic 1." in title


def test_metrics_json(demo):
    _, folder = demo
    metrics = json.loads((folder / "metrics.json").read_text())
    assert list(metrics)[:3] == ["la_code", "period_start", "period_end"]
    assert metrics["la_code"] == "999"
    assert (metrics["period_start"], metrics["period_end"]) == ("2023-04-01", "2026-03-31")
    assert all(isinstance(v, int | float | str | bool) or v is None for v in metrics.values())
    assert metrics["dq_rows_read"] == metrics["dq_rows_used"] + metrics["dq_rows_excluded"]
    assert len(metrics) > 10


def test_run_json(demo):
    _, folder = demo
    rec = json.loads((folder / "run.json").read_text())
    params = load_params("demo")
    assert rec["kit_version"]
    assert rec["status"] == "ok" and rec["la"] == "demo"
    assert rec["params"]["la_code"] == "999" and rec["params"]["period_end"] == "2026-03-31"
    assert [s["key"] for s in rec["sections"]] == [nb.stem for nb in discover_sections()]
    assert all(s["status"] == "ok" and s["seconds"] > 0 for s in rec["sections"])
    assert rec["started"] <= rec["finished"]
    # The checksums are those of the input files as they are on disk.
    sums = rec["input_checksums"]
    assert any(f.startswith("903/") for f in sums)
    for rel, digest in sums.items():
        data = (params.data_dir / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, rel


def test_no_child_id_in_any_html(demo):
    _, folder = demo
    ids = [ln.split(",", 1)[1] for ln in
           (folder / "internal" / "pseudonym_key.csv").read_text().splitlines()[1:]]
    assert len(ids) > 100
    for page in _pages(folder):
        html = page.read_text(encoding="utf-8")
        leaked = [i for i in ids if i in html]
        assert not leaked, (page.name, leaked[:5])
    assert (folder / "data_quality.csv").read_text().startswith(
        "file,row,column,value,rule,message,action")


# -- in a real browser ---------------------------------------------------------------------------




def test_report_in_headless_chromium(demo, browser):
    from selenium.webdriver.common.by import By

    _, folder = demo
    # Start from a blank page and drop what the browser logged while starting (its own
    # new-tab page), so that the log holds the report's loads only.
    browser.get("about:blank")
    browser.get_log("performance")
    browser.get((folder / "report.html").as_uri())
    assert "Demoshire (synthetic)" in browser.title

    # Every contents link leads to its section: the hash changes and the section scrolls
    # into view.
    links = browser.find_elements(By.CSS_SELECTOR, "nav.kit-contents a")
    targets = [a.get_attribute("href").split("#", 1)[1] for a in links]
    # Every section, in order; the technical annex (and the detail of each section it holds)
    # listed after the report's sections, before the annex's own.
    assert [t for t in targets if t.startswith("section-")] == [
        f"section-{nb.stem}" for nb in discover_sections()]
    assert targets.index("annex") < targets.index("section-08_data_quality")
    assert "annex-02_timescales" in targets
    for target in targets:
        browser.execute_script("window.scrollTo(0, 0)")
        browser.find_element(By.CSS_SELECTOR, f'nav.kit-contents a[href="#{target}"]').click()
        assert browser.execute_script("return location.hash") == f"#{target}"
        top = browser.execute_script(
            "return document.getElementById(arguments[0]).getBoundingClientRect().top", target)
        height = browser.execute_script("return window.innerHeight")
        assert -2 <= top < height, (target, top)  # sub-pixel rounding

    # Charts decode and show.
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
    assert images and all(done and width > 0 for done, width in images)

    # Nothing was asked of any other host: every request and resource is file: or data:.
    urls = []
    for entry in browser.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    urls += browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls, "the performance log recorded the page load"
    assert all(u.startswith(("file:", "data:")) for u in urls), [
        u for u in urls if not u.startswith(("file:", "data:"))]


# -- the document as a reader holds it: screen, phone, print, PDF, spreadsheet --------------------

#: For each table: its width, its box's, and whether the box is a labelled, focusable region.
TABLE_FIT_JS = """
return Array.from(document.querySelectorAll('main table')).map(t => {
  const box = t.closest('.kit-table-wrap') || t.parentElement;
  return {title: box.getAttribute('aria-label') || (t.querySelector('th') || {}).textContent,
          table: t.scrollWidth, box: box.clientWidth, boxScroll: box.scrollWidth,
          region: box.getAttribute('role') === 'region' && !!box.getAttribute('aria-label')
                  && box.getAttribute('tabindex') === '0',
          hint: !!(box.previousElementSibling
                   && box.previousElementSibling.classList.contains('kit-scroll-hint')
                   && box.previousElementSibling.getBoundingClientRect().height > 0)};
});
"""


def _at_width(browser, url: str, width: int) -> None:
    browser.set_window_size(width, 900)
    browser.get(url)
    inner = browser.execute_script("return window.innerWidth")
    if inner != width:  # the window's frame: make the page itself this wide
        browser.set_window_size(2 * width - inner, 900)
        browser.get(url)
    assert abs(browser.execute_script("return window.innerWidth") - width) <= 1


@pytest.mark.parametrize("width", [1280, 420])
def test_no_table_overflows_its_box_unseen(demo, browser, width):
    _, folder = demo
    _at_width(browser, (folder / "report.html").as_uri(), width)
    # The page itself never scrolls sideways.
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1")
    tables = browser.execute_script(TABLE_FIT_JS)
    assert len(tables) > 20
    unseen = [t for t in tables if t["table"] > t["box"] + 1 and not t["region"]]
    assert not unseen, unseen[:5]
    scrolled = [t for t in tables if t["table"] > t["box"] + 1]
    if width == 1280:
        # At 1280 px every table shows every column without scrolling.
        assert not scrolled, [(t["title"], t["table"], t["box"]) for t in scrolled]
    else:
        # On a phone a wide table scrolls in its own labelled box, and a hint says so.
        assert scrolled, "the demo has wide tables"
        assert all(t["hint"] for t in scrolled), [t["title"] for t in scrolled if not t["hint"]]
    # A table that fits shows no hint, at either width (Chromium tells from a scroll timeline).
    fits = [t for t in tables if t["boxScroll"] <= t["box"]]
    assert fits and not [(t["title"], t["table"], t["box"], t["boxScroll"]) for t in fits
                         if t["hint"]]
    # Every table is in a labelled region (present/section.py), whether or not it scrolls.
    kit = browser.execute_script(
        "return Array.from(document.querySelectorAll('.kit-table-wrap')).map("
        "b => [b.getAttribute('role'), b.getAttribute('aria-label')])")
    assert kit and all(role == "region" and label for role, label in kit)


@pytest.mark.parametrize("width", [1280, 420])
def test_every_rating_of_the_headline_table_shows_whole_before_it_scrolls(demo, browser, width):
    # A rating is never cut at the edge of its scrolling box ("▲ Re"): it sits beside its
    # finding, in view before the table is scrolled sideways.
    _, folder = demo
    _at_width(browser, (folder / "report.html").as_uri(), width)
    badges = browser.execute_script("""
      const box = document.querySelector(
        '[aria-label="Headline figures against their benchmarks"]');
      const edge = box.getBoundingClientRect();
      return Array.from(box.querySelectorAll('.rag')).map(b => {
        const r = b.getBoundingClientRect();
        return [b.textContent, r.left >= edge.left - 1 && r.right <= edge.right + 1];
      });""")
    assert len(badges) > 15
    assert all(whole for _, whole in badges), [t for t, whole in badges if not whole]


@pytest.mark.parametrize("width", [1280, 420])
def test_images_have_meaningful_alt_and_contents_links_land(demo, browser, width):
    from selenium.webdriver.common.by import By

    _, folder = demo
    _at_width(browser, (folder / "report.html").as_uri(), width)
    alts = browser.execute_script("return Array.from(document.images).map(i => i.alt)")
    assert len(alts) >= 10
    bad = [a for a in alts if not a or "No description" in a or len(a.split()) < 8]
    assert not bad, bad
    assert len(set(alts)) == len(alts)  # each chart says its own thing
    medians = next(a for a in alts if a.startswith("Median days per stage: the longest stage"))
    assert re.search(r"\d+ days against a \d+-day standard", medians)
    # Charts never widen the page: each sits in a box that fits the screen. On a phone a chart
    # keeps the size it was drawn for (its 9 pt text about 12 CSS px), and its box scrolls; on a
    # desk it fits the page.
    boxes = browser.execute_script(
        "return Array.from(document.images).map(i => i.parentElement.getBoundingClientRect()"
        ".right)")
    assert max(boxes) <= width
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    shown = browser.execute_script(
        "return Array.from(document.images).map(i => [i.getBoundingClientRect().width, "
        "Number(i.getAttribute('width'))])")
    if width <= 420:
        assert all(abs(w - own) <= 1 for w, own in shown if own), shown
    else:
        assert all(w <= width for w, _ in shown)
    for a in browser.find_elements(By.CSS_SELECTOR, "nav.kit-contents a"):
        target = a.get_attribute("href").split("#", 1)[1]
        browser.execute_script("window.scrollTo(0, 0)")
        browser.execute_script("arguments[0].scrollIntoView()", a)
        a.click()
        assert browser.execute_script("return location.hash") == f"#{target}"
        top = browser.execute_script(
            "return document.getElementById(arguments[0]).getBoundingClientRect().top", target)
        assert -2 <= top < browser.execute_script("return window.innerHeight"), (target, top)


def test_printed_no_table_is_clipped(demo, browser):
    """At print media on an A4 page's text width, every table fits its box: nothing scrolls,
    nothing is cut off."""
    _, folder = demo
    # A4 (210 mm) less the @page margins (14 mm each side) at 96 px an inch: about 688 px.
    _at_width(browser, (folder / "report.html").as_uri(), 688)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert browser.execute_script("return matchMedia('print').matches")
        tables = browser.execute_script(TABLE_FIT_JS)
        clipped = [(t["title"], t["table"], t["box"]) for t in tables
                   if t["table"] > t["box"] + 1 or t["boxScroll"] > t["box"] + 1]
        assert not clipped, clipped
        overflow = browser.execute_script(
            "return Array.from(document.querySelectorAll('.kit-table-wrap, .output_subarea'))"
            ".map(e => getComputedStyle(e).overflowX)")
        assert set(overflow) == {"visible"}  # no printed scroll bar
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_run_pdf_writes_an_a4_report(demo):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium (/usr/bin/chromium)")
    from pypdf import PdfReader

    proc, folder = demo
    assert f"[demo] PDF: {folder / 'report.pdf'}" in proc.stdout
    # The closing list names every file written for a reader, the PDF included.
    assert proc.stdout.split("Reports:")[1].split() == [str(folder / "report.html"),
                                                        str(folder / "report.pdf"),
                                                        str(folder / "report-annex.pdf")]
    assert json.loads((folder / "run.json").read_text())["pdf"] == "written"
    reader = PdfReader(folder / "report.pdf")
    assert len(reader.pages) > 9  # the title page and contents, then a page or more a section
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - 595) <= 1 and abs(h - 842) <= 1, (w, h)
    text = reader.pages[0].extract_text()
    assert "Demoshire (synthetic)" in text and "Contents" in text
    # Every section of the report is in it, in order, following on from one another; the
    # technical annex (section 8 and the detail of the others) is its own PDF. The reader part
    # stays a paper a panel reads: about 25 A4 pages (24 when this was written).
    report = [nb for nb in discover_sections() if registry.part_of(nb.stem) == "report"]
    whole = "\n".join(p.extract_text() for p in reader.pages)
    numbers = [int(n) for n in re.findall(r"SECTION (\d)\b", whole)]
    assert numbers == [int(nb.stem[:2]) for nb in report]
    assert len(reader.pages) <= 25, len(reader.pages)
    # No heading or table title is printed at a page's foot with what it heads overleaf.
    from tests.report_reading import headings_left_at_the_foot, report_headings

    headings = report_headings((folder / "report.html").read_text(encoding="utf-8"))
    assert len(headings) > 30
    assert headings_left_at_the_foot(folder / "report.pdf", headings) == []
    annex = PdfReader(folder / "report-annex.pdf")
    annex_text = " ".join(p.extract_text() for p in annex.pages)
    assert "Technical annex" in annex_text and "SECTION 8" in annex_text
    assert "Words used in this report" in annex_text
    # Every page carries its number of the whole, the protective marking (OFFICIAL-SENSITIVE:
    # small numbers are not suppressed in the demo), the LA and the period.
    n = len(reader.pages)
    for i, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {i} of {n}" in text, i
        assert "OFFICIAL-SENSITIVE" in text, i
        assert "Demoshire (synthetic): 1 April 2023 to 31 March 2026" in text, i
        # No word broken to narrow a table's column.
        assert not re.search(r"\b(mal e|fem ale|place ments|developme ntal)\b", text), i


def test_no_heading_of_the_report_is_left_without_content(demo):
    # A heading whose tables went to the technical annex must go with them, not stand empty.
    from tests.report_reading import empty_headings

    _, folder = demo
    n, empty = empty_headings((folder / "report.html").read_text(encoding="utf-8"))
    assert n > 30 and not empty, empty


def test_tables_xlsx_is_usable_by_an_analyst(demo):
    import openpyxl

    _, folder = demo
    wb = openpyxl.load_workbook(folder / "tables.xlsx")
    names = wb.sheetnames
    assert names[0] == "Contents" and len({n.lower() for n in names}) == len(names)
    assert not [n for n in names if "~" in n or len(n) > 31]
    contents = list(wb["Contents"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in contents) == sorted(names[1:])
    text_numbers = re.compile(r"^-?[\d,]+(\.\d+)?(%| days?)?$|^£[\d,]+$|^[\d,]+ \([\d,]+\)$")
    formats = set()
    for ws in wb.worksheets[1:]:
        for row in ws.iter_rows(min_row=2):
            for c in row:
                assert not (isinstance(c.value, str) and text_numbers.match(c.value)), (
                    ws.title, c.coordinate, c.value)
                if isinstance(c.value, int | float):
                    formats.add(c.number_format)
    assert {"0%", '#,##0 "days"', "#,##0"} <= formats
    trend = next(ws for ws in wb.worksheets if ws.title.startswith("02_median_days"))
    heads = [c.value for c in trend[1]]
    assert any(str(h).endswith(": count") for h in heads), heads


# -- small-number suppression -------------------------------------------------------------------

SMALL_COUNT = [
    re.compile(r"(?<![\d.,<–-])[1-4] (?:child|children|groups?|households?)\b(?!')"),
    re.compile(r"(?<![\d.,<–-])[1-4] of (?:the )?(?:[\d,]+|<5)\b"),
    re.compile(r"\bof (?:the )?[1-4] (?:longest|shortest|children)\b"),
]


@pytest.fixture(scope="module")
def suppressed(tmp_path_factory):
    """The demo LA rendered with ``suppress_below: 5`` (the same synthetic data)."""
    root = tmp_path_factory.mktemp("suppressed")
    demo = load_params("demo", check_data_dir=False)
    params = root / "demo_shared.yaml"
    params.write_text(
        f"la_name: {demo.la_name}\nla_code: \"{demo.la_code}\"\n"
        f"period_start: {demo.period_start}\nperiod_end: {demo.period_end}\n"
        f"data_dir: {demo.data_dir}\nsuppress_below: 5\n"
        f"synthetic: {{seed: {demo.synthetic.seed}, size: {demo.synthetic.size}, "
        f"years: {demo.synthetic.years}}}\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "diagnostic_kit", "run", str(params), "--out", str(root / "out")],
        cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900,
    )
    return proc, root / "out" / "demo_shared"


def test_the_marking_follows_suppression(suppressed):
    # Small numbers suppressed for sharing: OFFICIAL, not OFFICIAL-SENSITIVE.
    _, folder = suppressed
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert '<p class="kit-marking">OFFICIAL</p>' in html
    assert '@top-left { content: "OFFICIAL";' in html


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&lt;", "<")


def test_suppressed_report_shows_no_count_under_5(suppressed):
    proc, folder = suppressed
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pages = _pages(folder)
    assert len(pages) > 1
    shown_any = False
    for page in pages:
        html = page.read_text(encoding="utf-8")
        text = _text(html)
        for pattern in SMALL_COUNT:
            hits = pattern.findall(text)
            assert not hits, (page.name, pattern.pattern, hits[:5])
        # Table cells: a count column never holds 1 to 4.
        for table in re.findall(r"<table.*?</table>", html, flags=re.S):
            heads = [_text(h).strip().lower() for h in re.findall(r"<th[^>]*>(.*?)</th>",
                                                                   table, flags=re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
                cells = [_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row,
                                                              flags=re.S)]
                for head, cell in zip(heads[-len(cells):], cells, strict=False):
                    if head in ("children", "over standard", "children adopted") or \
                            head.endswith(": children"):
                        assert cell not in {"1", "2", "3", "4"}, (page.name, head, cells)
        shown_any |= "<5" in text
        # Lists of individual children are left out.
        assert not re.search(r"\bC-\d{4}\b", text), page.name
    assert shown_any, "suppression should show at least one '<5'"
    assert "Small numbers are suppressed in this report" in _text(
        (folder / "report.html").read_text(encoding="utf-8"))


def test_suppressed_tables_xlsx_follows_the_same_rule(suppressed):
    import openpyxl

    _, folder = suppressed
    wb = openpyxl.load_workbook(folder / "tables.xlsx", read_only=True)
    checked, suppressed = 0, 0
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if not rows:
            continue
        heads = [str(h or "").strip().lower() for h in rows[0]]
        for row in rows[1:]:
            for head, cell in zip(heads, row, strict=False):
                if head in ("children", "over standard", "children adopted"):
                    checked += 1
                    suppressed += cell == "<5"
                    assert cell not in (1, 2, 3, 4), (ws.title, head, row)
    # The rule was applied to counts that exist, some of them small enough to be suppressed.
    assert checked > 20 and suppressed > 0, (checked, suppressed)


def test_every_number_in_a_charts_alt_text_is_shown_in_its_section(demo):
    # One number everywhere: what a chart's alt text says, the section shows in its tables or
    # words, rounded the same way (half up); the standards and thresholds in force aside.
    import html as html_lib

    from diagnostic_kit.inputs.params import load_params

    _, folder = demo
    p = load_params("demo", check_data_dir=False)
    given = {str(s.days) for _, s in p.standards.items()} | {
        str(int(b.value)) for _, b in p.thresholds.items()}
    num = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
    checked = 0
    for f in sorted((folder / "sections").glob("*.html")):
        page = f.read_text(encoding="utf-8")
        alts = [html_lib.unescape(a) for a in re.findall(r'<img[^>]*alt="([^"]*)"', page)]
        body = re.sub(r"<img[^>]*>|<style.*?</style>", "", page, flags=re.S)
        shown = {n.replace(",", "") for n in num.findall(html_lib.unescape(
            re.sub(r"<[^>]+>", " ", body)))}
        for alt in alts:
            missing = [n for n in num.findall(alt)
                       if n.replace(",", "") not in shown and n not in given]
            assert not missing, (f.name, missing, alt)
            checked += len(num.findall(alt))
    assert checked > 100
