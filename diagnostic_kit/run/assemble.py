"""Assembling an LA's executed section notebooks into the report and the files beside it.

Each executed notebook is exported with nbconvert's ``basic`` template (an HTML fragment: no
MathJax, require.js or web fonts from a CDN) with code input, prompts, the parameter cells,
error outputs and stderr hidden; charts stay inline PNG. The fragments are wrapped in the kit's
own page (``report_theme/report.html.j2`` with ``report_theme/report.css`` inlined), so the report
opens offline and asks no other host for anything; a Content-Security-Policy makes sure of it.

Outputs in the LA's folder: ``report.html``, ``sections/NN_name.html``, ``metrics.json``,
``tables.xlsx``, ``data_quality.csv``, ``internal/pseudonym_key.csv`` (internal, never embedded
in HTML; ``internal/README.txt`` says not to share the folder) and ``run.json``. ``notebooks/``
(the executed notebooks) is written by the runner.

Outputs are safe to open (OWASP CSV injection guidance): in ``data_quality.csv`` and
``pseudonym_key.csv`` a text value that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is written with a leading ``'`` (:func:`formula_safe`); in ``tables.xlsx`` no cell is ever a
formula: such text is stored as text with Excel's quote prefix (what typing ``'`` before it
does). Numbers stay numbers. In HTML every value is escaped (Jinja autoescape in the page,
``DataFrame.to_html`` in tables, ``narrative.escape`` where Markdown is built from params or
data).
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import itertools
import json
import os
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from diagnostic_kit import __version__, registry, resources
from diagnostic_kit.inputs.findings import FINDING_COLUMNS, WITHHELD
from diagnostic_kit.present.spreadsheets import (  # noqa: F401  (formula_safe: tests)
    FORMULA_START,
    formula_safe,
    formula_safe_frame,
)

if TYPE_CHECKING:
    import nbformat

    from diagnostic_kit.run.plan import LARun

TEMPLATES_DIR = resources.THEME_DIR
#: Cells never shown in a report: papermill's parameter cells and cells an author hides.
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove_cell", "hide"}
#: Excel's limit on a sheet name, and the characters it refuses in one.
SHEET_MAX = 31
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


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
_ACROSS_HREF = re.compile(r'href="#(section-|s\d\d-)')


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


def _long_date(d: dt.date) -> str:
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
    period = f"{_long_date(period_start)} to {_long_date(period_end)}"
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
        produced=_long_date(produced or dt.date.today()),
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


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


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


# -- files beside the report ------------------------------------------------------------------

def collect_metrics(work: Path, params: Any) -> dict[str, Any]:
    """``metrics.json``: ``la_code``, ``period_start``, ``period_end`` (ISO dates), then every
    section's metrics in section order. Each name belongs to one section (``sections.yml``;
    ``Section.metric`` refuses any other), so a name recorded twice is an error, never renamed."""
    out: dict[str, Any] = {
        "la_code": params.la_code,
        "period_start": params.period_start.isoformat(),
        "period_end": params.period_end.isoformat(),
    }
    for f in sorted((work / "metrics").glob("*.json")):
        for name, value in json.loads(f.read_text(encoding="utf-8")).items():
            if name in out:
                raise ValueError(f"metric {name!r} was recorded by two sections ({f.stem})")
            out[name] = value
    return out


#: Words left out of a sheet name when the table's name is too long for one.
_SHEET_FILLER = {"a", "an", "the", "of", "and", "in", "by", "for", "with", "to", "on", "at",
                 "their", "its", "each", "who", "whose"}


def _fit_words(prefix: str, words: list[str], limit: int = SHEET_MAX) -> str:
    """``prefix_word_word…``: as many whole words as fit (at least the first, cut)."""
    out = prefix
    for k, w in enumerate(words):
        cand = f"{out}_{w}"
        if len(cand) > limit:
            return out if k else cand[:limit]
        out = cand
    return out


def sheet_names(keys: list[str]) -> list[str]:
    """Readable, unique Excel sheet names (at most 31 characters, no ``[]:*?/\\``) for table
    keys ``<section>__<name>``: the section number then the table's name, whole words only;
    when that is too long, small words are left out, and tables whose names begin alike are
    told apart by the words where they differ. The Contents sheet gives every full title."""
    parts = []
    for key in keys:
        section, _, name = key.partition("__")
        words = [w for w in _SHEET_BAD.sub("_", name or section).split("_") if w]
        parts.append((section[:2] if name else "", words))
    first = []
    for prefix, words in parts:
        full = "_".join([prefix, *words]) if prefix else "_".join(words)
        if len(full) <= SHEET_MAX:
            first.append(full)
            continue
        short = [w for w in words if w.lower() not in _SHEET_FILLER] or words
        first.append(_fit_words(prefix, short) if prefix else _fit_words(short[0], short[1:]))
    names = list(first)
    groups: dict[str, list[int]] = {}
    for i, n in enumerate(first):
        groups.setdefault(n.lower(), []).append(i)
    for idx in groups.values():
        if len(idx) < 2:
            continue
        lists = [[w for w in parts[i][1] if w.lower() not in _SHEET_FILLER] for i in idx]
        common = 0
        while all(len(ws) > common for ws in lists) and len(
                {ws[common].lower() for ws in lists}) == 1:
            common += 1
        for i, ws in zip(idx, lists, strict=True):
            prefix, rest = parts[i][0], ws[common:]
            if not rest:  # its whole name is what the others begin with: it keeps it
                continue
            for k in range(common, 0, -1):  # as many shared words as leave room for the rest
                cand = "_".join([w for w in (prefix, *ws[:k], *rest) if w])
                if len(cand) <= SHEET_MAX:
                    break
            else:
                cand = _fit_words(prefix, ws[:1] + rest) if prefix else _fit_words(ws[0], rest)
            names[i] = cand
    used: set[str] = set()
    for i, base in enumerate(names):
        cand, k = base, 2
        while cand.lower() in used or cand.lower() == "contents":
            suffix = f" ({k})"
            cand, k = base[: SHEET_MAX - len(suffix)] + suffix, k + 1
        used.add(cand.lower())
        names[i] = cand
    return names


# -- cells an analyst can count with ---------------------------------------------------------

_N = r"-?\d[\d,]*(?:\.\d+)?"
#: Text a report table shows, read back as numbers: (pattern, what its groups are, format).
_CELL_PATTERNS = [
    (re.compile(rf"^({_N})$"), ("value",), None),
    (re.compile(rf"^({_N})%$"), ("pct",), "0%"),
    (re.compile(rf"^£({_N})$"), ("value",), "£#,##0"),
    (re.compile(rf"^({_N}) days?$"), ("value",), '#,##0 "days"'),
    (re.compile(rf"^({_N}) \((\d[\d,]*)\)$"), ("value", "count"), None),
    (re.compile(rf"^({_N})% \((\d[\d,]*)\)$"), ("pct", "count"), "0%"),
    (re.compile(rf"^({_N}) days? \((\d[\d,]*)\)$"), ("value", "count"), '#,##0 "days"'),
    (re.compile(rf"^({_N})% \((\d[\d,]*) of (\d[\d,]*)\)$"), ("pct", "count", "of"), "0%"),
    (re.compile(rf"^(\d[\d,]*) of (\d[\d,]*) \(({_N})%\)$"), ("count", "of", "pct"), "0%"),
]
#: What a report table shows for a missing value: a blank cell in the workbook.
_MISSING_TEXT = {"–", "-", "—", ""}


def parse_cell(text: Any) -> tuple[float, str | None, int | None, int | None] | None:
    """A report cell's text as (value, number format, count, out of), or None when it is not a
    number as shown: ``"43%"`` -> (0.43, "0%", None, None); ``"136 (23)"`` -> (136, None, 23,
    None); ``"44% (24 of 55)"`` -> (0.44, "0%", 24, 55); ``"£27,000"``, ``"460 days"``."""
    if not isinstance(text, str):
        return None
    return _parse_text(text)


@lru_cache(maxsize=65536)
def _parse_text(text: str) -> tuple[float, str | None, int | None, int | None] | None:
    """:func:`parse_cell` of a text (remembered: a workbook's cells repeat the same texts)."""
    t = text.strip()
    if not any(ch.isdigit() for ch in t):  # every pattern needs a digit
        return None
    for pattern, groups, fmt in _CELL_PATTERNS:
        m = pattern.match(t)
        if not m:
            continue
        got = {g: float(v.replace(",", "")) for g, v in zip(groups, m.groups(), strict=True)}
        value = got["pct"] / 100 if "pct" in got else got["value"]
        count = int(got["count"]) if "count" in got else None
        of = int(got["of"]) if "of" in got else None
        if fmt is None:
            fmt = "#,##0" if float(value).is_integer() else "#,##0.0"
        return value, fmt, count, of
    return None


def analyst_table(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str | None]]]:
    """A shown table as an analyst needs it: text that shows a number (``"43%"``, ``"£27,000"``,
    ``"460 days"``, ``"1,062"``) becomes that number with a matching number format, a count
    shown beside a value (``"136 (23)"``, ``"44% (24 of 55)"``) moves to a column of its own
    (``<column>: count``, ``<column>: out of``), and "–" becomes a blank. Other text (a
    suppressed ``"<5"``, labels) stays as it is. Returns the table and each column's number
    format per row (None: the default)."""
    out: dict[str, list[Any]] = {}
    formats: dict[str, list[str | None]] = {}
    for col in df.columns:
        s = df[col]
        name = str(col)
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            out[name] = list(s.astype("float64").where(s.notna(), None)
                             if s.isna().any() else s)
            whole = bool(s.dropna().map(lambda v: float(v).is_integer()).all())
            formats[name] = ["#,##0" if whole else "#,##0.0"] * len(s)
            continue
        parsed = [parse_cell(v) for v in s]
        if not any(parsed):
            out[name] = list(s.astype(object).where(s.notna(), None))
            formats[name] = [None] * len(s)
            continue
        values, fmts, counts, ofs = [], [], [], []
        for raw, p in zip(s, parsed, strict=True):
            if p is not None:
                values.append(p[0])
                fmts.append(p[1])
                counts.append(p[2])
                ofs.append(p[3])
            else:
                blank = raw is None or (not isinstance(raw, str) and pd.isna(raw)) or (
                    isinstance(raw, str) and raw.strip() in _MISSING_TEXT)
                values.append(None if blank else raw)
                fmts.append(None)
                counts.append(None)
                ofs.append(None)
        out[name], formats[name] = values, fmts
        if any(c is not None for c in counts):
            out[f"{name}: count"], formats[f"{name}: count"] = counts, ["#,##0"] * len(s)
        if any(o is not None for o in ofs):
            out[f"{name}: out of"], formats[f"{name}: out of"] = ofs, ["#,##0"] * len(s)
    return pd.DataFrame(out, index=range(len(df)), dtype=object), formats


def _excel_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot hold time zones or timedeltas: strip the zone, give days."""
    df = df.reset_index(drop=True) if isinstance(df.index, pd.MultiIndex) else df
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_localize(None)
        elif pd.api.types.is_timedelta64_dtype(s.dtype):
            out[col] = s.dt.days
        elif isinstance(s.dtype, pd.PeriodDtype):
            out[col] = s.astype(str)
    return out


class _Sheets:
    """``tables.xlsx`` being written (xlsxwriter, which writes a workbook's cells as it goes):
    one number format object per format, and each value written as its own kind, so that no
    cell is ever a formula (text that a spreadsheet could read as one keeps Excel's quote
    prefix, as typing ``'`` before it does)."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "nan_inf_to_errors": True})
        self._formats: dict[tuple[str | None, bool], Any] = {}
        self.header = self.book.add_format({"bold": True, "bottom": 1, "quote_prefix": True})
        self.link = self.book.get_default_url_format()

    def fmt(self, number_format: str | None = None, quote: bool = False) -> Any:
        key = (number_format, quote)
        if key not in self._formats:
            props: dict[str, Any] = {"quote_prefix": True} if quote else {}
            if number_format:
                props["num_format"] = number_format
            self._formats[key] = self.book.add_format(props) if props else None
        return self._formats[key]

    def text(self, ws: Any, r: int, c: int, value: str) -> None:
        ws.write_string(r, c, value, self.fmt(quote=value.startswith(FORMULA_START)))

    def value(self, ws: Any, r: int, c: int, v: Any, number_format: str | None) -> None:
        """One cell: blank for a missing value, numbers (with their format), booleans, dates
        and text as themselves; anything else as its text."""
        if v is None or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
            return
        if isinstance(v, bool | np.bool_):
            ws.write_boolean(r, c, bool(v))
        elif isinstance(v, int | float | np.integer | np.floating):
            ws.write_number(r, c, float(v), self.fmt(number_format))
        elif isinstance(v, dt.datetime | dt.date):
            ts = pd.Timestamp(v)
            fmt = "yyyy-mm-dd" if ts == ts.normalize() else "yyyy-mm-dd hh:mm:ss"
            ws.write_datetime(r, c, ts.to_pydatetime(), self.fmt(fmt))
        else:
            self.text(ws, r, c, v if isinstance(v, str) else str(v))

    def table(self, name: str, df: pd.DataFrame, formats: dict[str, list[str | None]]) -> Any:
        """A sheet of ``df``: the header row frozen and filterable, each cell with its number
        format, columns sized to fit."""
        ws = self.book.add_worksheet(name)
        for c, col in enumerate(df.columns):
            ws.write_string(0, c, str(col), self.header)
            fmts = formats.get(str(col), [])
            values = df[col].tolist()
            for r, v in enumerate(values):
                self.value(ws, r + 1, c, v, fmts[r] if r < len(fmts) else None)
            width = max([len(str(col))] + [len(str(v)) for v in values[:200] if v is not None])
            ws.set_column(c, c, min(max(width + 2, 8), 60))
        ws.freeze_panes(1, 0)
        if len(df) and len(df.columns):
            ws.autofilter(0, 0, len(df), len(df.columns) - 1)
        return ws


def write_tables_xlsx(work: Path, path: Path) -> int:
    """``tables.xlsx``: a Contents sheet (each sheet, its section and the table's full title,
    linked to the sheet), then every table a section showed, one sheet each, as an analyst
    needs it (:func:`analyst_table`: numbers as numbers with number formats, counts in columns
    of their own). Returns the number of tables written. No cell is a formula (see the module's
    docstring)."""
    from diagnostic_kit import registry

    files = sorted((work / "tables").glob("*.pkl"))
    keys = [f.stem for f in files]
    names = sheet_names(keys)
    contents = []
    for f, key, sheet in zip(files, keys, names, strict=True):
        tf = f.with_suffix(".title")
        title = tf.read_text(encoding="utf-8") if tf.exists() else key
        section = key.partition("__")[0]
        try:
            where = f"{section_number(section)} {registry.section(section).title}"
        except Exception:  # a table of a notebook that is not in the registry
            where = section
        contents.append({"sheet": sheet, "section": where, "table": title})
    tmp = path.with_name(f".{path.name}.tmp")
    out = _Sheets(tmp)
    ws = out.table("Contents", pd.DataFrame(contents, columns=["sheet", "section", "table"]), {})
    for r, sheet in enumerate(names, start=1):
        ws.write_url(r, 0, f"internal:'{sheet}'!A1", out.link, string=sheet)
    for f, sheet in zip(files, names, strict=True):
        df, formats = analyst_table(_excel_ready(pd.read_pickle(f)))
        out.table(sheet, df, formats)
    out.book.close()
    os.replace(tmp, path)
    return len(files)


def write_internal_notice(build: Path, raa: bool = False) -> None:
    """``internal/README.txt``: what the report's internal folder holds and that it is not
    shared (:data:`resources.INTERNAL_NOTICE`; an RAA's, :data:`resources.RAA_INTERNAL_NOTICE`)."""
    _write_atomic(build / resources.INTERNAL_DIR / "README.txt",
                  resources.RAA_INTERNAL_NOTICE if raa else resources.INTERNAL_NOTICE)


#: An RAA report's keys, one file per member, in its internal folder.
MEMBER_KEYS_DIR = "pseudonym_keys"


def write_member_keys(pseudonyms: pd.Series, members: pd.DataFrame, folder: Path) -> list[Path]:
    """A regional adoption agency's pseudonym keys, one file per member
    (``<folder>/<member>.csv``): the RAA report's pseudonym → that member's own child id, for
    that member's children only, so that each member can be given its own key and no other."""
    from diagnostic_kit.derive.pooling import member_of, own_ids

    folder.mkdir(parents=True, exist_ok=True)
    ids = pd.Series(pseudonyms.index, dtype="string")
    whose = member_of(ids).to_numpy()
    out = []
    for key in members["member"]:
        mine = (whose == key)
        own = pd.Series(pseudonyms.to_numpy()[mine], index=own_ids(ids[mine]).to_numpy())
        path = folder / f"{key}.csv"
        write_pseudonym_key(own, path)
        out.append(path)
    return out


def write_pseudonym_key(pseudonyms: pd.Series, path: Path) -> None:
    """``pseudonym_key.csv``: pseudonym -> the LA's own child id. Internal to the LA (written
    into the report's ``internal/`` folder)."""
    key = pd.DataFrame({"pseudonym": pseudonyms.to_numpy(), "child": pseudonyms.index.to_numpy()})
    formula_safe_frame(key.sort_values("pseudonym")).to_csv(path, index=False)


#: The columns of data_quality.csv: the findings' own.
DQ_COLUMNS = FINDING_COLUMNS
#: Findings written to data_quality.csv at a time, so memory stays bounded on a huge log.
DQ_CHUNK = 100_000
#: The rule recorded in data_quality.csv for a column dropped on purpose (personal data).
PERSONAL_DROP_RULE = "personal_data_dropped"


def dropped_column_records(dq: Any) -> pd.DataFrame:
    """One file-level record per dropped column not already among the findings: the personal
    data dropped on purpose (UPN, the mother's details, postcodes …) and any other."""
    dropped = dq.dropped_columns
    if dropped.empty:
        return pd.DataFrame(columns=DQ_COLUMNS).astype({"row": "Int64"})
    f = dq.findings
    known = f.loc[f["rule"] == "column_not_in_template", ["file", "column"]].astype(str)
    seen = set(zip(known["file"], known["column"], strict=True))
    keep = [(str(a), str(b)) not in seen for a, b in zip(dropped["file"], dropped["column"],
                                                        strict=True)]
    d = dropped[keep]
    from diagnostic_kit.inputs.reading import PERSONAL_DROP_REASON

    personal = d["reason"].eq(PERSONAL_DROP_REASON)
    return pd.DataFrame({
        **({"member": d["member"].astype("string")} if "member" in d else {}),
        "file": d["file"].astype("string"),
        "row": pd.array([pd.NA] * len(d), dtype="Int64"),
        "column": d["column"].astype("string"),
        "value": "",
        "rule": personal.map({True: PERSONAL_DROP_RULE, False: "column_not_in_template"}),
        "message": d["reason"].astype("string"),
        "action": "column dropped",
    }).reset_index(drop=True)


def csv_findings(chunk: pd.DataFrame, accounting: pd.DataFrame,
                 pseudonyms: pd.Series) -> pd.DataFrame:
    """Findings as data_quality.csv holds them: a child id shown by its pseudonym (see
    pseudonym_key.csv), any other identifier withheld, text made safe to open in a spreadsheet.
    An RAA's findings keep their ``member`` column first."""
    from diagnostic_kit.measures.data_quality import value_kinds

    out = chunk[_dq_columns(chunk)].copy()
    kind = value_kinds(out, accounting)
    is_id = kind.eq("id").fillna(False).to_numpy(dtype=bool)
    if is_id.any():
        value = out["value"].astype("string")
        child_col = out["column"].astype("string").str.lower().eq("child").fillna(False)
        as_pseudonym = value.map(pseudonyms) if len(pseudonyms) else value.where(False)
        shown = as_pseudonym.where(child_col.to_numpy(), pd.NA).fillna(WITHHELD)
        shown = shown.where(value.fillna("").str.strip() != "", "")
        out["value"] = value.where(~is_id, shown)
    out["row"] = out["row"].astype("Int64")
    return formula_safe_frame(out)


def _dq_columns(frame: pd.DataFrame) -> list[str]:
    """data_quality.csv's columns: an RAA's with the ``member`` each record is of, first."""
    return (["member"] if "member" in frame else []) + DQ_COLUMNS


def write_data_quality_csv(dq: Any, pseudonyms: pd.Series, path: Path) -> int:
    """``data_quality.csv``: every finding and every dropped column, in chunks of
    :data:`DQ_CHUNK` rows, vectorised. Returns the number of records written. An RAA's
    (``member`` in its findings) says whose each record is in a first column."""
    extra = dropped_column_records(dq)
    findings = dq.findings
    tmp = path.with_name(f".{path.name}.tmp")
    n = 0
    columns = max(_dq_columns(findings), _dq_columns(extra), key=len)
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        pd.DataFrame(columns=columns).to_csv(fh, index=False)
        for frame in (findings, extra):
            for start in range(0, len(frame), DQ_CHUNK):
                chunk = csv_findings(frame.iloc[start:start + DQ_CHUNK], dq.accounting,
                                     pseudonyms)
                chunk.reindex(columns=columns).to_csv(fh, index=False, header=False)
                n += len(chunk)
    os.replace(tmp, path)
    return n


#: The two printable parts of a report, each its own PDF: the report a board reads, and the
#: technical annex (``split_annex``). Their pages are written in the build's work folder.
PRINT_PARTS = {"report": "report.pdf", "annex": "report-annex.pdf"}


def build_outputs(run: LARun, notebooks: list[Path], pdf: bool = False) -> None:
    """Write the report and every file beside it into ``run.build_dir`` (with ``pdf``, also
    the pages of its two printable parts, :data:`PRINT_PARTS`, in the work folder)."""
    from diagnostic_kit.run.prepare import load_prepared

    build = run.build_dir
    la = load_prepared(run.prepared)
    p = run.params
    sections = build_sections(run, notebooks)
    members = getattr(la, "members", None)
    page = dict(la_name=p.la_name, la_code=p.la_code, period_start=p.period_start,
                period_end=p.period_end, marking=p.marking,
                code_label="LA code" if members is None else "RAA code")
    for s in sections:
        # On a section's own page, a link to another section goes to the whole report.
        own = f"s{s['key'][:2]}-"  # the ids notebook_fragment scoped this section's with
        alone = {**s, "html": _ACROSS_HREF.sub(
            lambda m, own=own: m.group(0) if m.group(1) == own
            else f'href="../report.html#{m.group(1)}',
            s["html"])}
        _write_atomic(build / "sections" / f"{s['key']}.html",
                      render_page(**page, sections=[alone], contents=False,
                                  home="../report.html"))
    work = build / ".work"
    metrics = collect_metrics(work, p)
    _write_atomic(build / "metrics.json", json.dumps(metrics, indent=1, default=str))
    write_tables_xlsx(work, build / "tables.xlsx")
    write_data_quality_csv(la.dq, la.pseudonyms, build / "data_quality.csv")
    write_internal_notice(build, raa=members is not None)
    if members is not None:  # an RAA: a key per member, never one for all
        write_member_keys(la.pseudonyms, members,
                          build / resources.INTERNAL_DIR / MEMBER_KEYS_DIR)
    else:
        write_pseudonym_key(la.pseudonyms, build / resources.INTERNAL_DIR / "pseudonym_key.csv")
    if pdf:
        for part in PRINT_PARTS:
            _write_atomic(work / f"print-{part}.html",
                          render_page(**page, sections=sections, part=part))
    # Last, so a report.html only ever exists beside a complete set of files.
    _write_atomic(build / "report.html", render_page(**page, sections=sections))


def run_record(run: LARun) -> dict[str, Any]:
    """What ``run.json`` holds: kit version, params as used, input checksums, every section."""
    import platform
    from dataclasses import asdict

    return {
        "kit_version": __version__,
        "python": platform.python_version(),
        "la": run.name,
        "la_name": run.params.la_name,
        "la_code": run.params.la_code,
        "params_file": str(run.params_file),
        "params": run.params.model_dump(mode="json"),
        "input_checksums": run.checksums,
        "status": run.status,
        "error": run.error,
        "started": run.started,
        "finished": run.finished,
        "sections": [asdict(s) for s in run.sections],
        # "written", the reason no PDF was written, or None when none was asked for.
        "pdf": run.pdf_outcome,
    }


def write_run_json(run: LARun) -> None:
    _write_atomic(run.build_dir / "run.json", json.dumps(run_record(run), indent=1, default=str))



# -- a batch: index.html and batch_metrics.csv ---------------------------------------------------

#: The headline measures of a batch's index: metric, column heading, (threshold, rule) for RAG.
INDEX_MEASURES: list[tuple[str, str, str | None]] = [
    ("children_looked_after", "Looked after", None),
    ("children_adopted", "Adopted", None),
    ("a1_mean_days", "A1 days", "a1_days"),
    ("a10_mean_days", "A10 days", "a1_days"),
    ("a2_mean_days", "A2 days", "a2_days"),
    ("a3_pct_under_426_days", "A3 %", None),
    # Counting every child with a decision, the ones still waiting too (measures/waiting.py).
    ("median_days_adm_to_placement", "Median days ADM decision to placement", None),
    ("placed_within_12_months_of_adm_pct", "Placed within 12 months of the decision %", None),
]
#: The measures compared across a batch (each LA's figure against the batch's quartiles).
COMPARED_MEASURES: list[tuple[str, str]] = [
    ("a1_mean_days", "A1: care entry to moving in, mean days"),
    ("a10_mean_days", "A10: care entry to moving in (foster-carer adoptions at moving in), "
                      "mean days"),
    ("a2_mean_days", "A2: placement order to match, mean days"),
    ("a3_pct_under_426_days", "A3: % moved in within 426 days"),
    ("stage_entry_to_iro_median_days", "Care entry to IRO recommendation, median days"),
    ("stage_iro_to_adm_median_days", "IRO recommendation to ADM decision, median days"),
    ("stage_adm_to_po_median_days", "ADM decision to placement order, median days"),
    ("stage_po_to_placement_median_days", "Placement order to placement, median days"),
    ("stage_placement_to_ao_median_days", "Placement to adoption order, median days"),
    ("median_days_adm_to_placement", "ADM decision to adoptive placement, counting the "
                                     "children still waiting: median days (blank: not "
                                     "reached)"),
    ("placed_within_12_months_of_adm_pct", "Children placed within 12 months of the ADM "
                                           "decision, counting those still waiting, %"),
]
BATCH_COLUMNS = ["la", "la_name", "la_code", "region", "raa", "status", "error", "measure",
                 "value", "n", "batch_median", "batch_q1", "batch_q3", "batch_las", "position"]

#: The index page's only script: sorts a table by the column whose heading is clicked (again:
#: the other way); LAs without a figure stay last.
SORT_SCRIPT = (
    "document.querySelectorAll('table.kit-sortable').forEach(function(t){"
    "t.querySelectorAll('th button').forEach(function(b,i){b.addEventListener('click',function(){"
    "var body=t.tBodies[0],rows=Array.from(body.rows),up=b.getAttribute('aria-sort')!=='ascending';"
    "t.querySelectorAll('th button').forEach(function(o){o.removeAttribute('aria-sort');});"
    "b.setAttribute('aria-sort',up?'ascending':'descending');"
    "function key(r){var c=r.cells[i];var v=c?(c.getAttribute('data-sort')"
    "||c.textContent).trim():'';"
    "var n=parseFloat(v);return v===''||v==='\u2013'?[2,'']:isNaN(n)?[1,v.toLowerCase()]:[0,n];}"
    "rows.sort(function(a,c){var x=key(a),y=key(c),d=x[1]<y[1]?-1:x[1]>y[1]?1:0;"
    "return x[0]-y[0]||(up?d:-d);});"
    "rows.forEach(function(r){body.appendChild(r);});});});});"
)

INDEX_CSS = """
.kit-index { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
.kit-index th button { font: inherit; font-weight: bold; border: 0; background: none;
  padding: 0; cursor: pointer; text-align: inherit; }
.kit-index th button[aria-sort=ascending]::after { content: " \\25B2"; }
.kit-index th button[aria-sort=descending]::after { content: " \\25BC"; }
.kit-rag { display: inline-block; min-width: 3.5em; padding: 0 .3em; margin-left: .3em;
  border-radius: 3px; font-size: .85em; text-align: center; }
.kit-rag-green { background: #d4edda; } .kit-rag-amber { background: #fff3cd; }
.kit-rag-red { background: #f8d7da; } .kit-rag-not-rated { background: #eee; }
tr.kit-la-failed td { background: #fbeaea; }
"""


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if x != x else x


def _shown(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.1f}"


def batch_comparison(runs: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per LA and measure, per measure): each LA's figure and count against the batch's median
    and quartiles (pandas' linear quantiles over the LAs with a figure), and which quarter of
    the batch it falls in (``lowest quarter``: below Q1, ``highest quarter``: above Q3, else
    ``middle half``). An LA without a report has a row per measure with no figure."""
    rows = []
    for run in runs:
        metrics = batch_run_metrics(run)
        p = run.params
        for measure, _ in COMPARED_MEASURES:
            rows.append({"la": run.name, "la_name": p.la_name, "la_code": p.la_code,
                         "region": p.region, "raa": p.raa, "status": run.status,
                         "error": run.error, "measure": measure,
                         "value": _num(metrics.get(measure)),
                         "n": _num(metrics.get(f"{measure}_n"))})
    long = pd.DataFrame(rows, columns=BATCH_COLUMNS[:10])
    stats = []
    for measure, label in COMPARED_MEASURES:
        vals = long.loc[long["measure"].eq(measure), "value"].dropna().astype(float)
        stats.append({"measure": measure, "label": label, "batch_las": int(len(vals)),
                      "batch_q1": vals.quantile(0.25) if len(vals) else None,
                      "batch_median": vals.median() if len(vals) else None,
                      "batch_q3": vals.quantile(0.75) if len(vals) else None})
    st = pd.DataFrame(stats)
    long = long.merge(st.drop(columns="label"), on="measure", how="left")

    def position(r: pd.Series) -> str:
        if pd.isna(r["value"]) or pd.isna(r["batch_q1"]):
            return ""
        if r["value"] < r["batch_q1"]:
            return "lowest quarter"
        if r["value"] > r["batch_q3"]:
            return "highest quarter"
        return "middle half"

    long["position"] = long.apply(position, axis=1) if len(long) else pd.Series(dtype=str)
    long["n"] = long["n"].astype("Int64")
    return long[BATCH_COLUMNS], st


def batch_run_metrics(run: Any) -> dict[str, Any]:
    """An LA's metrics.json, or nothing when it has no report."""
    if getattr(run, "report", None) is None:
        return {}
    f = Path(run.out_dir) / "metrics.json"
    try:
        return json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _group_of(run: Any) -> str:
    return run.params.region or run.params.raa or ""


def _status_text(run: Any) -> str:
    if run.status == "ok":
        return "built"
    if run.status == "sections_failed":
        n = len(run.failed_sections)
        return f"built; {n} section{'s' if n != 1 else ''} not produced"
    return "failed"


def render_batch_index(runs: Any, produced: dt.date | None = None) -> str:
    """``index.html`` for a batch: one row per LA (grouped by region, else RAA) with its headline
    measures and RAG, linking to its report; a failed LA shows as failed with its reason; then
    each LA against the batch's median and quartiles. Self-contained; its one inline script
    (sorting) is allowed by its hash in the Content-Security-Policy."""
    import base64
    import hashlib

    from diagnostic_kit.measures.ratings import rate

    e = html.escape
    # A regional adoption agency's report is listed on its own, never among its LAs.
    raas, runs = _raa_runs(runs)
    long, st = batch_comparison(runs)
    css = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8") + INDEX_CSS
    digest = base64.b64encode(hashlib.sha256(SORT_SCRIPT.encode()).digest()).decode()
    built = [r for r in runs if r.report is not None]
    failed = [r for r in runs if r.report is None]
    out = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        f"img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{digest}'\">",
        f'<meta name="generator" content="adoption-diagnostic {e(__version__)}">',
        f"<title>Adoption diagnostic: {len(runs)} LAs</title>",
        f"<style>{css}</style>", "</head>", "<body>", '<main class="kit-index">',
        f"<h1>Adoption diagnostic: {len(runs)} local authorities</h1>",
        f"<p>Produced {_long_date(produced or dt.date.today())} by adoption-diagnostic "
        f"{e(__version__)}: {len(built)} reports built, {len(failed)} failed. Click a column "
        "heading to sort by it.</p>",
        '<nav class="kit-contents"><a href="#reports">Reports</a> · '
        '<a href="#comparison">Compared across the batch</a></nav>',
        '<h2 id="reports">Reports</h2>',
    ]
    heads = ["LA", "Code", "Status", *[h for _, h, _ in INDEX_MEASURES]]
    groups: dict[str, list[Any]] = {}
    for run in runs:
        groups.setdefault(_group_of(run), []).append(run)
    for gi, (group, members) in enumerate(sorted(groups.items(), key=lambda g: (g[0] == "",
                                                                                   g[0]))):
        if len(groups) > 1 or group:
            kind = "Region" if any(r.params.region for r in members) else "RAA"
            title = f"{kind}: {group}" if group else "No region or RAA given"
            out.append(f'<h3 id="group-{gi}">{e(title)} ({len(members)} LAs)</h3>')
        out.append('<div class="kit-table-wrap"><table class="dataframe kit-table '
                   f'kit-sortable" id="las-{gi}"><thead><tr>'
                   + "".join(f"<th><button type=\"button\">{e(h)}</button></th>"
                             for h in heads) + "</tr></thead><tbody>")
        for run in sorted(members, key=lambda r: r.params.la_name.lower()):
            metrics = batch_run_metrics(run)
            name = e(run.params.la_name)
            if run.report is not None:
                link = f'<a href="{e(run.name)}/report.html">{name}</a>'
            else:
                link = name
            cells = [f'<td data-sort="{name}">{link}</td>', f"<td>{e(run.params.la_code)}</td>"]
            if run.report is None:
                cells.append(f'<td class="kit-failed-reason" colspan="{len(INDEX_MEASURES) + 1}">'
                             f"<strong>failed</strong>: {e(run.error or 'no report')}</td>")
                cls = "kit-la-failed"
            else:
                cells.append(f"<td>{e(_status_text(run))}</td>")
                for measure, _, threshold in INDEX_MEASURES:
                    v = _num(metrics.get(measure))
                    cell = _shown(v)
                    if threshold is not None:
                        bench = run.params.thresholds[threshold].value
                        r = rate(measure, v, bench)
                        cell += (f' <span class="kit-rag kit-rag-{r.replace(" ", "-")}">'
                                 f"{e(r)}</span>")
                    sort = "" if v is None else f"{v:.6g}"
                    cells.append(f'<td class="num" data-sort="{sort}">{cell}</td>')
                cls = "kit-la-ok"
            out.append(f'<tr class="{cls}" data-la="{e(run.name)}">' + "".join(cells) + "</tr>")
        out.append("</tbody></table></div>")
    out += raa_index_rows(raas, runs)
    # The comparison: the batch's quartiles, then each LA's figures against them.
    out += ['<h2 id="comparison">Compared across the batch</h2>',
            "<p>Each measure over the LAs whose report gives a figure for it: the lower "
            "quartile (Q1), the median and the upper quartile (Q3). Below, each LA's figure, "
            "the count of children it rests on, and the quarter of the batch it falls in. "
            "Also in <code>batch_metrics.csv</code>.</p>",
            '<div class="kit-table-wrap"><table class="dataframe kit-table kit-sortable" '
            'id="batch-quartiles"><thead><tr>'
            + "".join(f"<th><button type=\"button\">{h}</button></th>" for h in
                      ["Measure", "LAs with a figure", "Q1", "Median", "Q3"])
            + "</tr></thead><tbody>"]
    for r in st.itertuples(index=False):
        out.append(f"<tr><td>{e(r.label)}</td><td class=\"num\">{r.batch_las}</td>"
                   + "".join(f'<td class="num">{_shown(_num(x))}</td>'
                             for x in (r.batch_q1, r.batch_median, r.batch_q3)) + "</tr>")
    out.append("</tbody></table></div>")
    labels = [m for m, _ in COMPARED_MEASURES]
    short = {"a1_mean_days": "A1", "a10_mean_days": "A10", "a2_mean_days": "A2",
             "a3_pct_under_426_days": "A3 %",
             "median_days_adm_to_placement": "ADM → placement, median",
             "placed_within_12_months_of_adm_pct": "Placed in 12 months of ADM %"}
    out.append('<div class="kit-table-wrap"><table class="dataframe kit-table kit-sortable" '
               'id="batch-comparison"><thead><tr><th><button type="button">LA</button></th>'
               + "".join(f'<th><button type="button">'
                         f"{e(short.get(m, m.removeprefix('stage_').removesuffix('_median_days')))}"
                         "</button></th>" for m in labels) + "</tr></thead><tbody>")
    for run in sorted(runs, key=lambda r: r.params.la_name.lower()):
        mine = long[long["la"].eq(run.name)].set_index("measure")
        cells = [f'<td data-sort="{e(run.params.la_name)}">{e(run.params.la_name)}</td>']
        for m in labels:
            v = _num(mine.at[m, "value"]) if m in mine.index else None
            n = mine.at[m, "n"] if m in mine.index else pd.NA
            pos = mine.at[m, "position"] if m in mine.index else ""
            text = _shown(v) + ("" if pd.isna(n) else f" <small>(n={int(n)})</small>")
            if pos:
                text += f"<br><small>{e(pos)}</small>"
            cells.append(f'<td class="num" data-sort="{"" if v is None else f"{v:.6g}"}">'
                         f"{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody></table></div>", "</main>", f"<script>{SORT_SCRIPT}</script>",
            "</body>", "</html>", ""]
    return "\n".join(out)


def _raa_runs(runs: Any) -> tuple[list[Any], list[Any]]:
    """(the regional adoption agencies' runs, the LAs' runs) of a batch."""
    raas = [r for r in runs if getattr(r, "raa", None) is not None]
    return raas, [r for r in runs if getattr(r, "raa", None) is None]


def raa_index_rows(raas: list[Any], las: list[Any]) -> list[str]:
    """The index's list of regional adoption agencies: each RAA's report (or why it failed)
    and its members, whose reports are listed with the LAs."""
    if not raas:
        return []
    e = html.escape
    names = {r.name: r.params.la_name for r in las}
    out = ['<h2 id="raas">Regional adoption agencies</h2>',
           "<p>Each RAA's report: every section over its members' children put together, "
           "and its members side by side.</p>",
           '<div class="kit-table-wrap"><table class="dataframe kit-table" id="raa-reports">'
           "<thead><tr><th>RAA</th><th>Status</th><th>Members</th></tr></thead><tbody>"]
    for r in raas:
        name = e(r.params.la_name)
        link = f'<a href="{e(r.name)}/report.html">{name}</a>' if r.report is not None else name
        status = e(_status_text(r)) + ("" if r.report is not None else
                                        f": {e(r.error or 'no report')}")
        members = ", ".join(e(names.get(m, m)) for m in r.members)
        out.append(f"<tr><td>{link}</td><td>{status}</td><td>{members}</td></tr>")
    out.append("</tbody></table></div>")
    return out


def write_batch_index(runs: Any, out_root: Path) -> Path:
    """Write ``index.html`` and ``batch_metrics.csv`` for a batch into ``out_root`` (the LAs'
    figures; an RAA's report is linked from the index, apart from its LAs)."""
    out_root = Path(out_root)
    long, _ = batch_comparison(_raa_runs(runs)[1])
    tmp = out_root / ".batch_metrics.csv.tmp"
    formula_safe_frame(long).to_csv(tmp, index=False)
    os.replace(tmp, out_root / "batch_metrics.csv")
    index = out_root / "index.html"
    _write_atomic(index, render_batch_index(runs))
    return index
