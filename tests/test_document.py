"""The document as a reader holds it, piece by piece: tables in labelled boxes, charts with alt
text that survives nbconvert, the PDF printer's fallback, and tables.xlsx as an analyst needs it.
(The whole demo report in a real browser and as a PDF: tests/test_e2e.py.)"""

from __future__ import annotations

import re
from html import escape as html_escape
from html import unescape as html_unescape
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

matplotlib.use("Agg")

from diagnostic_kit.present import (
    charts,  # noqa: E402
    timescale_charts,  # noqa: E402
)
from diagnostic_kit.present import narrative as nv  # noqa: E402
from diagnostic_kit.present.section import table_html  # noqa: E402
from diagnostic_kit.run import page, pdf, workbook  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CSS = (ROOT / "diagnostic_kit" / "report_theme" / "report.css").read_text(encoding="utf-8")


# -- layout -------------------------------------------------------------------------------------


def test_a_table_sits_in_a_labelled_region_with_a_hint_when_wide():
    table = "<table><thead><tr><th>a</th><th>b</th></tr></thead></table>"
    out = table_html(table, 'Children "placed" & waiting', note="A note.", width=900)
    assert out.startswith('<div class="kit-table-block"><p class="kit-table-title" '
                          'id="t-children_placed_waiting">Children "placed" & waiting</p>')
    assert 'role="region" aria-label="Children &quot;placed&quot; &amp; waiting" tabindex="0"' \
        in out
    # The hint sits above every box (the browser shows it while the box scrolls); the kit's
    # estimate of the width marks the boxes likely to scroll, for browsers that cannot tell.
    assert "kit-table-scrolls" in out and "Scroll the table sideways" in out
    narrow = table_html(table, "Small", width=200)
    assert "kit-table-scrolls" not in narrow and "kit-scroll-hint" in narrow
    assert 'role="region"' in narrow
    many = "<table><thead><tr>" + "<th>x</th>" * 8 + "</tr></thead></table>"
    assert "kit-table-many" in table_html(many, "Wide")
    # Counted by the header row's cells (<thead> is not one): six columns is many, five not.
    def cols(n: int) -> str:
        return "<table><thead><tr>" + "<th>x</th>" * n + "</tr></thead></table>"
    assert "kit-table-many" in table_html(cols(6), "Six")
    assert "kit-table-many" not in table_html(cols(5), "Five")
    # A short table is kept whole on a printed page; a long one may break between rows.
    def rows(n: int) -> str:
        return "<table><thead><tr><th>x</th></tr></thead><tbody>" + \
            "<tr><td>1</td></tr>" * n + "</tbody></table>"
    assert "kit-table-short" in table_html(rows(15), "Fifteen")
    assert "kit-table-short" not in table_html(rows(16), "Sixteen")


def test_print_styles_are_a4_without_scrolling_or_split_figures():
    assert re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:", CSS)
    print_css = CSS[CSS.index("@media print"):]
    assert "break-before: page" in print_css  # the summary and the annex each start a page
    assert re.search(r"img[^{]*\{[^}]*|tr, img[^{]*\{\s*break-inside: avoid", print_css)
    assert "thead { display: table-header-group; }" in print_css
    assert re.search(r"h1, h2, h3[^{]*\{\s*break-after: avoid", print_css)
    assert "overflow: visible !important" in print_css


# -- charts -------------------------------------------------------------------------------------


def _stats():
    return pd.DataFrame({
        "stage": ["entry_to_iro", "iro_to_adm", "adm_to_po", "po_to_placement",
                  "placement_to_ao"],
        "children": [55, 55, 53, 53, 55],
        "median": [136.0, 38.0, 116.0, 128.0, 189.0],
        "standard_days": [122, 61, 182, 183, 183],
    })


def test_medians_alt_states_the_message_and_every_value():
    alt = timescale_charts.medians_alt(_stats())
    assert alt.startswith("Median days per stage: the longest stage is adoptive placement to "
                          "adoption order, 189 days against a 183-day standard; 2 of 5 stages "
                          "are over their standard.")
    assert "IRO recommendation to ADM decision 38 days (standard 61)" in alt
    assert "607 days against standards of 731 days" in alt


def test_spread_chart_alt_and_labels_keep_median_and_standard_apart():
    days = pd.DataFrame({"entry_to_iro": [100.0, 130, 200, 260], "iro_to_adm": [10.0, 20, 30,
                                                                                  np.nan]})
    fig = timescale_charts.stage_spread_chart(days, {"entry_to_iro": 122, "iro_to_adm": 61})
    alt = charts.alt_text(fig)
    assert "care entry to IRO recommendation, 3 of 4 children (75%) over its 122-day" in alt
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "median 165\nstandard 122" in texts and "median 20\nstandard 61" in texts
    matplotlib.pyplot.close(fig)


def test_trend_alt_names_the_biggest_change():
    trend = pd.DataFrame({"year": ["2023-24", "2024-25", "2023-24", "2024-25"],
                          "stage": ["entry_to_iro", "entry_to_iro", "iro_to_adm", "iro_to_adm"],
                          "children": [10, 12, 10, 12], "median": [100.0, 90, 40, 80]})
    alt = timescale_charts.trend_alt(trend)
    assert "the biggest change is IRO recommendation to ADM decision, which rose from 40 days " \
           "in 2023-24 to 80 in 2024-25" in alt
    fig = timescale_charts.trend_chart(trend, standards={"entry_to_iro": 122})
    assert len(fig.axes) == 2  # one facet per stage (seaborn)
    matplotlib.pyplot.close(fig)


def test_a_chart_not_described_reads_its_values_back():
    fig, ax = matplotlib.pyplot.subplots()
    ax.barh(["Enquiry", "Approval"], [167, 46])
    charts.finish(fig, "From enquiry to approval", "Source: x.")
    assert charts.alt_text(fig) == "From enquiry to approval. Enquiry 167, Approval 46."
    matplotlib.pyplot.close(fig)


def test_alt_text_survives_nbconvert_into_the_report():
    fig = charts.describe(timescale_charts.stage_medians_chart(_stats()), 'Says "this" & <that>')
    data, meta = charts.png_output(fig)
    matplotlib.pyplot.close(fig)
    out = new_output("display_data", data=data, metadata=meta)
    nb = new_notebook(cells=[new_code_cell("charts.show(fig)", outputs=[out])])
    html = page.notebook_fragment(nbformat.from_dict(nb), "s02")
    img = re.search(r"<img[^>]*>", html).group(0)
    alt = re.search(r"""alt=(["'])(.*?)\1""", img).group(2)
    assert html_unescape(alt) == 'Says "this" & <that>' and "<that>" not in img
    assert charts.NO_ALT not in html
    assert re.search(r'width="?(\d+)', img)  # shown at its on-screen size, drawn sharper


def _png_size(data: dict[str, str]) -> tuple[int, int]:
    import base64
    import io

    from PIL import Image

    return Image.open(io.BytesIO(base64.b64decode(data["image/png"]))).size


def test_a_chart_that_fits_is_drawn_once_at_its_own_size(monkeypatch):
    from matplotlib.figure import Figure

    fig = timescale_charts.stage_medians_chart(_stats())
    draws = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: (draws.append(1), real(self, r))[1])
    data, meta = charts.png_output(fig)
    w, h = fig.get_size_inches()
    assert _png_size(data) == (round(w * charts.PNG_DPI), round(h * charts.PNG_DPI))
    assert len(draws) == 1
    assert meta["image/png"]["width"] == round(w * charts.SHOW_DPI)
    matplotlib.pyplot.close(fig)


def test_a_chart_that_spills_past_its_edge_is_cropped_to_its_content():
    fig, ax = matplotlib.pyplot.subplots(figsize=(6, 3))
    ax.barh(["Enquiry", "Approval"], [167, 46])
    charts.finish(fig, "From enquiry to approval", "Source: x.")
    fig.text(1.02, 0.5, "a label placed past the right edge")
    data, _ = charts.png_output(fig)
    width, _ = _png_size(data)
    assert width > 6 * charts.PNG_DPI  # widened to take in the label, not cut off
    matplotlib.pyplot.close(fig)


def test_a_count_axis_has_whole_numbers_from_zero_even_with_nothing_to_count():
    fig, ax = matplotlib.pyplot.subplots()
    ax.barh(["1", "2", "3"], [0, 0, 0])
    charts.count_axis(ax.xaxis)
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ax.get_xlim() == (0.0, 1.0) and ticks == [0.0, 1.0]
    matplotlib.pyplot.close(fig)


def test_a_chart_that_fits_is_not_measured_again(monkeypatch):
    from matplotlib.figure import Figure

    fig = timescale_charts.stage_medians_chart(_stats())
    measured = []
    real = Figure.get_tightbbox
    monkeypatch.setattr(Figure, "get_tightbbox",
                        lambda self, *a, **k: (measured.append(1), real(self, *a, **k))[1])
    charts.png_output(fig)
    assert measured == []  # nothing touches the edge, nothing lies past it
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("place", ["crossing the right edge", "a legend wholly past it",
                                   "an axis title wholly below"])
def test_content_past_the_edge_is_found_however_it_got_there(place):
    fig, ax = matplotlib.pyplot.subplots(figsize=(6, 3))
    ax.barh(["Enquiry", "Approval"], [167, 46], label="households")
    charts.finish(fig, "From enquiry to approval", "Source: x.")
    if place == "crossing the right edge":
        fig.text(0.8, 0.5, "a label that runs on past the right edge of the chart")
    elif place == "a legend wholly past it":
        ax.legend(loc="upper left", bbox_to_anchor=(1.4, 1.0))
    else:
        ax.set_xlabel("Households", labelpad=400)
    data, _ = charts.png_output(fig)
    w, h = _png_size(data)
    assert w > 6 * charts.PNG_DPI or h > 3 * charts.PNG_DPI  # cropped to take it in
    matplotlib.pyplot.close(fig)


def test_a_long_footnote_is_wrapped_inside_the_figure():
    note = ("Counts under 5 are suppressed. " * 12).strip()
    fig, ax = matplotlib.pyplot.subplots(figsize=(6, 3))
    ax.barh(["Enquiry", "Approval"], [167, 46])
    source = charts.source_note("Demoshire")
    charts.finish(fig, "From enquiry to approval", source, note=note)
    foot = fig.texts[-1]
    lines = foot.get_text().split("\n")
    assert len(lines) >= 5 and " ".join(lines) == f"{note} {source}"
    fig.canvas.draw()
    box = foot.get_window_extent()
    assert box.x0 >= 0 and box.x1 <= 6 * fig.dpi and box.y0 >= 0
    matplotlib.pyplot.close(fig)


def test_nothing_drawn_overlaps_the_footnote():
    """The axes, their labels and a label shared by every panel (the trend chart's) all sit
    above the footnote, however many lines it has."""
    trend = pd.DataFrame({"stage": ["entry_to_iro"] * 3 + ["iro_to_adm"] * 3,
                          "year": ["2023-24", "2024-25", "2025-26"] * 2,
                          "median": [136, 148, 160, 38, 62, 34], "children": [5] * 6})
    fig = timescale_charts.trend_chart(trend, standards={"entry_to_iro": 122})
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    foot_top = fig.texts[-1].get_window_extent(r).y1
    assert fig.texts[-1].get_text().count("\n") >= 2  # a footnote of three lines or more
    assert fig._supxlabel.get_window_extent(r).y0 >= foot_top
    for ax in fig.axes:
        assert ax.get_tightbbox(r).y0 >= foot_top
    matplotlib.pyplot.close(fig)


def test_a_document_s_tables_each_sit_in_a_labelled_box():
    from diagnostic_kit.present.section import document_html

    out = document_html("## Standards\n\n| key | days | label |\n| --- | ---: | --- |\n"
                        "| entry_to_iro | 122 | 4 months |\n\n### Two\n\n| a | b |\n"
                        "| --- | --- |\n| 1 | 2 |\n")
    assert out.startswith('<div class="kit-doc">')
    boxes = re.findall(r'<div class="kit-table-block"><p class="kit-scroll-hint"[^>]*>[^<]*</p>'
                       r'<div class="kit-table-wrap( kit-table-scrolls)?" '
                       r'role="region" aria-label="([^"]+)" tabindex="0"><table>', out)
    # Named by the heading above each; the three-column table is the one likely to scroll.
    assert [(bool(w), label) for w, label in boxes] == [(True, "Table: Standards"),
                                                        (False, "Table: Two")]
    assert '<td style="text-align:right">122</td>' in out


def test_a_section_renders_as_nbconvert_renders_it():
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    from nbformat.v4 import new_markdown_cell

    fig = charts.describe(timescale_charts.stage_medians_chart(_stats()), "Medians per stage.")
    data, meta = charts.png_output(fig)
    matplotlib.pyplot.close(fig)
    outputs = [new_output("display_data", data=data, metadata=meta),
               new_output("display_data", data={"image/png": data["image/png"]}),  # no alt
               new_output("display_data", data={"text/html": table_html(
                   "<table><tr><th>A</th></tr><tr><td>1</td></tr></table>", "A & B")}),
               new_output("stream", name="stdout", text="printed\n")]
    outputs.append(new_output("display_data", data={
        "text/markdown": "## What is going well\n\n- 16 of 91 children left through adoption."}))
    nb = nbformat.from_dict(new_notebook(cells=[
        new_markdown_cell("## Timescales\n\nSome *prose* & a [link](#x)."),
        new_code_cell("charts.show(fig)", outputs=outputs)]))
    nbconvert = HTMLExporter(template_name="basic", exclude_input=True,
                             exclude_input_prompt=True, exclude_output_prompt=True,
                             anchor_link_text="")
    expected, _ = nbconvert.from_notebook_node(page.shown_notebook(nb))
    got, _ = page._exporter().from_notebook_node(page.shown_notebook(nb))
    assert str(BeautifulSoup(got, "html.parser")) == expected
    assert got.count('tabindex="0"') == expected.count('tabindex="0"')
    assert charts.NO_ALT in got
    # And as the report holds it: headings without their permalinks, nothing else lost.
    fragment = page.notebook_fragment(nb, "s02")
    assert "anchor-link" not in fragment
    assert str(BeautifulSoup(fragment, "html.parser")) == str(BeautifulSoup(
        page.mark_numbers(page.scope_ids(expected, "s02")), "html.parser"))
    for text in ("Some <em>prose</em>", "16 of 91 children left through adoption", "printed"):
        assert text in fragment


@pytest.mark.parametrize("shape", [(1, 1), (2, 1), (1, 3), (2, 2)])
def test_the_one_pass_layout_is_matplotlibs_tight_layout(shape):
    import pickle

    rows, cols = shape
    fig, axes = matplotlib.pyplot.subplots(rows, cols, figsize=(9, 5), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.barh([f"A rather long category label {i}", "B"], [167, 46])
        ax.set_xlabel("Days from care entry")
        ax.set_title(f"Panel {i}")
    fig.suptitle("A title", x=0.01, ha="left")
    twin = pickle.loads(pickle.dumps(fig))
    rect = (0, 0.075, 1, 0.95)
    charts.tight_layout_in(fig, rect)
    twin.tight_layout(rect=rect)
    for key in ("left", "right", "bottom", "top", "wspace", "hspace"):
        assert getattr(fig.subplotpars, key) == pytest.approx(getattr(twin.subplotpars, key),
                                                              abs=1e-12), key
    matplotlib.pyplot.close(fig)
    matplotlib.pyplot.close(twin)


# -- PDF ----------------------------------------------------------------------------------------


def test_without_chromium_one_plain_sentence_and_no_pdf(tmp_path, monkeypatch):
    monkeypatch.setenv("ADOPTION_CHROMIUM", str(tmp_path / "no-such-chromium"))
    html = tmp_path / "report.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    why = pdf.write_pdf(html)
    assert why.startswith("No PDF was written: Chromium was not found")
    assert "\n" not in why and str(html) in why
    assert not (tmp_path / "report.pdf").exists()


def test_chromium_runs_headless_offline_with_a_fresh_profile(tmp_path):
    cmd = pdf.chromium_command(Path("/usr/bin/chromium"), tmp_path / "r.html",
                               tmp_path / "r.pdf", tmp_path / "profile")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={tmp_path}/r.pdf"):
        assert flag in cmd
    assert cmd[-1].startswith("file://")


# -- tables.xlsx --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "parsed"), [
    ("43%", (0.43, "0%", None, None)),
    ("136 (23)", (136.0, "#,##0", 23, None)),
    ("44% (24 of 55)", (0.44, "0%", 24, 55)),
    ("5 of 10 (50%)", (0.5, "0%", 5, 10)),
    ("£27,000", (27000.0, "£#,##0", None, None)),
    ("460 days", (460.0, '#,##0 "days"', None, None)),
    ("-131 days", (-131.0, '#,##0 "days"', None, None)),
    ("1,062", (1062.0, "#,##0", None, None)),
    ("12.5", (12.5, "#,##0.0", None, None)),
    ("<5", None), ("C-0042", None), ("2023-24", None), ("+1", None), ("-2+3", None),
    ("4 months (122 days)", None),
])
def test_parse_cell(text, parsed):
    assert workbook.parse_cell(text) == parsed


def test_tables_xlsx_numbers_formats_counts_and_contents(tmp_path):
    work = tmp_path / "work"
    (work / "tables").mkdir(parents=True)
    shown = pd.DataFrame({"Year": ["2023-24", "2024-25"], "Entry → IRO": ["136 (23)", "<5"],
                          "Over standard %": ["43%", "–"], "Figure": ["460 days", "£1,200"]})
    shown.to_pickle(work / "tables" / "02_timescales__median_days_by_year.pkl")
    (work / "tables" / "02_timescales__median_days_by_year.title").write_text(
        "Median days per stage by year", encoding="utf-8")
    for suffix in ("not_yet_placed", "waiting_longest_first"):
        pd.DataFrame({"n": [1]}).to_pickle(
            work / "tables" / f"02_timescales__children_with_a_placement_order_{suffix}.pkl")
    path = tmp_path / "tables.xlsx"
    assert workbook.write_tables_xlsx(work, path) == 3
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert names[0] == "Contents" and len(set(n.lower() for n in names)) == len(names)
    assert all(len(n) <= 31 and "~" not in n for n in names)
    assert "02_median_days_by_year" in names
    contents = wb["Contents"]
    assert [c.value for c in contents[1]] == ["sheet", "section", "table"]
    row = next(r for r in contents.iter_rows(min_row=2) if r[0].value == "02_median_days_by_year")
    assert row[1].value == "2 Timescales" or row[1].value.startswith("2 ")
    assert row[2].value == "Median days per stage by year"
    assert row[0].hyperlink.location == "'02_median_days_by_year'!A1" or \
        "02_median_days_by_year" in (row[0].hyperlink.target or row[0].hyperlink.location or "")
    ws = wb["02_median_days_by_year"]
    heads = [c.value for c in ws[1]]
    assert heads == ["Year", "Entry → IRO", "Entry → IRO: count", "Over standard %", "Figure"]
    assert ws["B2"].value == 136 and ws["C2"].value == 23 and ws["B3"].value == "<5"
    assert ws["D2"].value == pytest.approx(0.43) and ws["D2"].number_format == "0%"
    assert ws["D3"].value is None
    assert ws["E2"].value == 460 and ws["E2"].number_format == '#,##0 "days"'
    assert ws["E3"].value == 1200 and ws["E3"].number_format == "£#,##0"
    assert ws.freeze_panes == "A2"


def test_a_tall_chart_is_marked_to_print_taller(monkeypatch):
    import IPython.display
    import matplotlib.pyplot as plt

    def shown(w: float, h: float) -> list[dict]:
        out: list[dict] = []
        # What a notebook would show: the raw data of a PNG output, or an HTML object's.
        monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False, metadata=None:
                            out.append(obj if raw else {"text/html": obj.data}))
        fig, ax = plt.subplots(figsize=(w, h))
        ax.barh(["a", "b"], [1, 2])
        charts.show(fig, "Two bars of a chart drawn to test how it prints on paper.")
        return out

    # 9 x 7.2 in (0.8): tall, an <img> of its own with the class report.css prints taller.
    (tall,) = shown(9, 7.2)
    assert 'class="kit-chart-tall"' in tall["text/html"] and "image/png" not in tall
    # 9 x 4 in: a chart as the others, shown as a PNG output.
    (wide,) = shown(9, 4)
    assert "image/png" in wide and "text/html" not in wide
    assert re.search(r"img\.kit-chart-tall \{ max-height: 150mm; \}", CSS)


@pytest.mark.parametrize("title", ["How findings are rated", "The 13 questions, weakest first",
                                   "Sufficiency & matching: A2 (days)"])
def test_a_heading_of_the_annex_gets_the_id_nbconvert_gives_a_markdown_heading(title):
    # A link written to a heading finds it whether the heading is a Markdown cell's (nbconvert)
    # or Markdown shown in the annex (present.section).
    from nbconvert.filters.strings import add_anchor

    from diagnostic_kit.present.section import _markdown, heading_ids

    ours = re.search(r'id="([^"]+)"', heading_ids(_markdown()(f"## {nv.escape(title)}")))
    theirs = re.search(r'id="([^"]+)"', add_anchor(f"<h2>{html_escape(title)}</h2>"))
    assert ours and theirs and ours.group(1) == theirs.group(1)
