"""The report's page: each executed section notebook exported as an HTML fragment, and the
fragments wrapped in the kit's own page (the report, then the technical annex).

Each executed notebook is exported with nbconvert's ``basic`` template (an HTML fragment: no
MathJax, require.js or web fonts from a CDN) with code input, prompts, the parameter cells,
error outputs and stderr hidden; charts stay inline PNG. The fragments are wrapped in the kit's
own page (``report_theme/report.html.j2`` with ``report_theme/report.css`` inlined), so the report
opens offline and asks no other host for anything; a Content-Security-Policy makes sure of it.
In HTML every value is escaped (Jinja autoescape in the page, ``DataFrame.to_html`` in tables,
``narrative.escape`` where Markdown is built from params or data).
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import itertools
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diagnostic_kit import __version__, kit_files, registry

if TYPE_CHECKING:
    import nbformat

    from diagnostic_kit.run.plan import LARun

TEMPLATES_DIR = kit_files.THEME_DIR
#: Cells never shown in a report: papermill's parameter cells and cells an author hides.
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove_cell", "hide"}

# -- one section ----------------------------------------------------------------------------------


def section_label(key: str) -> str:
    """A readable fallback title from a notebook stem: ``08_data_quality`` -> ``Data quality``."""
    words = re.sub(r"^\d+_?", "", key).replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def section_number(key: str) -> str:
    m = re.match(r"(\d+)", key)
    return str(int(m.group(1))) if m else ""


_HEADING = re.compile(r"^\s{0,3}#{1,2}\s+(.+?)\s*#*\s*$", re.M)


def section_title(nb: nbformat.NotebookNode, key: str) -> str:
    """The section's title: the first level-1 or level-2 Markdown heading the notebook shows
    (a Markdown cell, or Markdown a code cell displayed), else one made from the file name."""
    for cell in nb.cells:
        texts: list[str] = []
        if cell.cell_type == "markdown":
            texts.append(cell.source)
        elif cell.cell_type == "code":
            texts += [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        for text in texts:
            if isinstance(text, list):
                text = "".join(text)
            m = _HEADING.search(text or "")
            if m:
                # "# 8. Data quality" -> "Data quality": the page numbers sections itself.
                title = re.sub(r"[*_`]", "", m.group(1)).strip()
                return re.sub(r"^\d+[.:)]?\s+", "", title) or section_label(key)
    return section_label(key)


def shown_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of an executed notebook with only what a reader should see: hidden-tag cells,
    raw cells, error outputs (tracebacks) and stderr streams (warnings) removed."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & HIDDEN_TAGS or cell.cell_type == "raw":
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.get("outputs", [])
                if o.get("output_type") != "error"
                and not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
        cells.append(cell)
    out.cells = cells
    return out


#: One exporter per thread (sections are rendered in the runner's worker threads as they
#: finish), made once: building one loads and compiles nbconvert's templates.
_EXPORTERS = threading.local()


#: An image nbconvert would otherwise give its placeholder alt text (the kit's charts carry
#: their own), and an output area a keyboard should reach (it scrolls sideways when wide).
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)([^>]*)>")
_OUTPUT_AREA = re.compile(r'(<div class="[^"]*\bjp-OutputArea-output\b[^"]*"[^>]*)>')


def _exporter() -> Any:
    exporter = getattr(_EXPORTERS, "exporter", None)
    if exporter is None:
        from nbconvert import HTMLExporter
        from nbconvert.exporters.templateexporter import TemplateExporter

        class SectionExporter(HTMLExporter):
            """nbconvert's HTML export, with its last step (alt text for images that have
            none, keyboard focus for output areas) done on the text: nbconvert does it by
            parsing and re-writing the whole page with BeautifulSoup, half the cost of a
            section's rendering. The page is the same."""

            def from_notebook_node(self, nb, resources=None, **kw):
                from nbconvert.filters.highlight import Highlight2HTML
                from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

                lang = nb.metadata.get("language_info", {})
                lexer = lang.get("pygments_lexer", lang.get("name", None))
                self.register_filter("highlight_code", self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
                resources = self._init_resources(resources)
                self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources))
                body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
                if _IMG_WITHOUT_ALT.search(body):  # never a chart of the kit's
                    from diagnostic_kit.present.charts import NO_ALT

                    body = _IMG_WITHOUT_ALT.sub(rf'<img alt="{NO_ALT}"\1>', body)
                return _OUTPUT_AREA.sub(r'\1 tabindex="0">', body), resources

        exporter = _EXPORTERS.exporter = SectionExporter(
            template_name="basic",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            anchor_link_text="",
            # Validate the notebook once, not after each preprocessor (a notebook the kit's
            # runner wrote is valid; an invalid one still fails, and is reported).
            optimistic_validation=True,
        )
    return exporter


# nbconvert writes an empty permalink self-closed (``<a class="anchor-link" href="#x" />``).
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*?/>|<a class="anchor-link"[^>]*>.*?</a>',
                          re.S)
# A space before each attribute: the literal lets the search skip the images' base64 quickly.
_ID_ATTR = re.compile(r' id="([^"]+)"')
#: A same-page link, other than one to a section of the report (``#section-NN_name``) or to a
#: place in another section (``#sNN-heading``, as the ids are scoped), which are links across
#: sections and keep their target.
_LOCAL_HREF = re.compile(r' href="#(?!section-|s\d\d-)([^"]+)"')
#: A link across sections (see above), on a section's own page.
ACROSS_HREF = re.compile(r'href="#(section-|s\d\d-)')


_NUMERIC_TD = re.compile(r"<td>(\s*[-+–<£]?[\d.,]+%?\s*)</td>")
_TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)
_ROW = re.compile(r"<tr[^>]*>.*?</tr>", re.S)
_CELL = re.compile(r"<(t[dh])([^>]*)>(.*?)</\1>", re.S)
#: A number as a cell shows it: a count, an amount, a percentage, a suppressed count (``<5``).
_NUMBER = re.compile(r"(?:[-+–£]|&lt;)?[\d.,]*\d[\d.,]*%?")
#: A cell with no value (blank, or the dash a missing value is shown as): neither kind.
_NO_VALUE = {"", "–"}


def _aligned_body(body: str) -> str:
    """A table body with the cells of its number columns marked ``class="num"``: a column is
    one when every value written in it is a number. A column of labels that are mostly numbers
    (placements 1, 2, 3, 4+; age bands) stays left-aligned as a whole, and a missing value in a
    number column aligns with the numbers. A body with merged cells is marked cell by cell."""
    if "rowspan" in body or "colspan" in body:
        return _NUMERIC_TD.sub(r'<td class="num">\1</td>', body)
    # Per column: does every value written in its data cells read as a number?
    written: dict[int, list[str]] = {}
    for r in _ROW.findall(body):
        for j, (tag, _, text) in enumerate(_CELL.findall(r)):
            values = written.setdefault(j, [])
            if tag == "td" and text.strip() not in _NO_VALUE:
                values.append(text.strip())
    numeric = {j: bool(v) and all(_NUMBER.fullmatch(x) for x in v) for j, v in written.items()}

    def row(m: re.Match[str]) -> str:
        column = itertools.count()

        def cell(c: re.Match[str]) -> str:
            tag, attrs, text = c.groups()
            if numeric[next(column)] and tag == "td" and not attrs:
                return f'<td class="num">{text}</td>'
            return c.group(0)

        return _CELL.sub(cell, m.group(0))

    return _ROW.sub(row, body)


def mark_numbers(fragment: str) -> str:
    """Give the cells of a table's number columns ``class="num"`` so they align right; text
    stays left-aligned (see :func:`_aligned_body`). Cells outside a table body are marked one
    by one."""
    if "<tbody>" not in fragment:
        return _NUMERIC_TD.sub(r'<td class="num">\1</td>', fragment)
    return _TBODY.sub(lambda m: f"<tbody>{_aligned_body(m.group(1))}</tbody>", fragment)


def scope_ids(fragment: str, prefix: str) -> str:
    """Prefix every id and same-page link in a section's HTML, so ids stay unique once the
    sections share one page; heading permalinks ("¶") are dropped."""
    fragment = _ANCHOR_LINK.sub("", fragment)
    fragment = _ID_ATTR.sub(lambda m: f' id="{prefix}-{m.group(1)}"', fragment)
    return _LOCAL_HREF.sub(lambda m: f' href="#{prefix}-{m.group(1)}"', fragment)


def notebook_fragment(nb: nbformat.NotebookNode, prefix: str) -> str:
    """The HTML body of an executed notebook as a reader sees it (no code, no tracebacks)."""
    body, _ = _exporter().from_notebook_node(shown_notebook(nb))
    return mark_numbers(scope_ids(body, prefix))


def failure_box(title: str, error_type: str | None, error: str | None) -> str:
    """The box shown in place of a section that could not be produced."""
    why = html.escape(f"{error_type}: {error}" if error else (error_type or "unknown error"))
    return (
        '<div class="kit-notice kit-failed" role="alert">'
        f"<p><strong>This section ({html.escape(title)}) could not be produced.</strong></p>"
        f"<p>The notebook stopped with: <code>{why}</code></p>"
        "<p>The other sections are complete. The analyst can find the details in "
        "<code>run.json</code> and the executed notebook under <code>notebooks/</code>.</p>"
        "</div>"
    )


# -- the page -------------------------------------------------------------------------------------


def long_date(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


@lru_cache(maxsize=1)
def _css() -> str:
    return (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _env() -> Any:
    """The page's Jinja environment, made once (it caches the compiled template)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(
    *,
    la_name: str,
    la_code: str,
    period_start: dt.date,
    period_end: dt.date,
    sections: list[dict[str, Any]],
    produced: dt.date | None = None,
    contents: bool = True,
    home: str | None = None,
    marking: str = "OFFICIAL-SENSITIVE",
    part: str = "all",
    code_label: str = "LA code",
) -> str:
    """A whole self-contained HTML page: title block, contents, then the sections in order.

    Each of ``sections`` has ``anchor``, ``number``, ``title``, ``html`` and ``failed``.
    With ``contents`` (the whole report), the sections of the report come first, then the
    technical annex: each section's detail marked for it (:func:`split_annex`), then the
    sections of the annex (``sections.yml`` ``part: annex``). ``part`` prints one of the two
    alone (``report`` or ``annex``, for the PDFs), or ``all``.
    ``code_label`` names the code in the title block (an RAA's report says "RAA code").
    ``marking`` is the protective marking, shown under the title and, in print, at the top of
    every page with the LA and the period; every page's foot says "Page n of N"
    (:func:`page_css`).
    """
    css = _css()
    period = f"{long_date(period_start)} to {long_date(period_end)}"
    report, details, annex = sections, [], []
    if contents:
        report, details, annex = split_annex(sections)
        if part == "report":
            details, annex = [], []
        elif part == "annex":
            report = []
    return _env().get_template("report.html.j2").render(
        la_name=la_name,
        la_code=la_code,
        code_label=code_label,
        marking=marking,
        page_css=page_css(la_name, period, marking),
        period=period,
        produced=long_date(produced or dt.date.today()),
        version=__version__,
        sections=report,
        details=details,
        annex=annex,
        part=part,
        css=css,
        contents=contents,
        home=home,
    )


_ANNEX_PART = re.compile(
    re.escape(registry.ANNEX_OPEN) + r"(.*?)" + re.escape(registry.ANNEX_CLOSE), re.S)


def split_annex(sections: list[dict[str, Any]]) -> tuple[list, list, list]:
    """The report's sections (their detail for the annex taken out), that detail (one entry a
    section that has any: ``anchor``, ``number``, ``title``, ``html``), and the annex's own
    sections."""
    report, details, annex = [], [], []
    for s in sections:
        if registry.part_of(s["key"]) == "annex":
            annex.append(s)
            continue
        parts = _ANNEX_PART.findall(s["html"])
        if parts:
            details.append({"anchor": f"annex-{s['key']}", "number": s["number"],
                            "title": s["title"], "html": "\n".join(parts)})
            s = {**s, "html": _ANNEX_PART.sub("", s["html"])}
        report.append(s)
    return report, details, annex


def css_string(text: str) -> str:
    """Text as a CSS string literal: quotes, backslashes and line ends escaped, and ``<`` too
    so that nothing in it can close the ``<style>`` element it sits in."""
    out = []
    for ch in str(text):
        if ch in "\\\"<>" or ord(ch) < 32 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def page_css(la_name: str, period: str, marking: str) -> str:
    """The printed page's furniture (CSS page-margin boxes, which Chromium prints): the
    protective marking top left and bottom left, the LA and the period top right, "Page n of
    N" bottom right."""
    head = css_string(f"{la_name}: {period}")
    mark = css_string(marking)
    box = "font: 8pt sans-serif; color: #444;"
    return (f"@page {{ @top-left {{ content: {mark}; {box} font-weight: bold; }} "
            f"@top-right {{ content: {head}; {box} }} "
            f"@bottom-left {{ content: {mark}; {box} font-weight: bold; }} "
            f"@bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); "
            f"{box} }} }}")


def render_section(src: Path, res: Any, nb: nbformat.NotebookNode | None = None,
                   executed: Path | None = None) -> dict[str, Any]:
    """One section's entry of the page: the executed notebook's HTML (``nb``, else read from
    ``executed``), or the box that says why it could not be produced (which also marks that
    section failed). The runner calls this in the worker thread as soon as the section's
    notebook has run, so assembly only stitches."""
    import nbformat

    key = src.stem
    if nb is None and res is not None and not res.failed and executed is not None \
            and executed.exists():
        nb = nbformat.read(executed, as_version=4)
    if res is None or res.failed:
        nb = None
    title = section_title(nb if nb is not None else nbformat.read(src, as_version=4), key)
    body = None
    if nb is not None:
        try:
            body = notebook_fragment(nb, f"s{key[:2]}")
        except Exception as exc:  # a notebook that cannot be rendered counts as failed
            if res is not None:
                res.status, res.error_type, res.error = "failed", type(exc).__name__, str(exc)
    if body is None:
        etype = res.error_type if res else "NotRun"
        err = res.error if res else "the section was not run"
        body = failure_box(title, etype, err)
    return {"key": key, "anchor": f"section-{key}", "number": section_number(key),
            "title": title, "html": body, "failed": res is None or res.failed}


def build_sections(run: LARun, notebooks: list[Path]) -> list[dict[str, Any]]:
    """One entry per section notebook, in order (:func:`render_section`; a section the runner
    has already rendered, in ``run.rendered``, is not rendered again)."""
    results = {s.key: s for s in run.sections}
    rendered = getattr(run, "rendered", {})
    out = []
    for src in notebooks:
        key = src.stem
        res = results.get(key)
        done = rendered.get(key)
        if done is not None and done["failed"] == (res is None or res.failed):
            out.append(done)
        else:
            out.append(render_section(src, res, executed=run.build_dir / "notebooks" / src.name))
    return out


