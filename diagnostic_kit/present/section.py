"""What a section notebook shows and hands to the runner.

A notebook makes one :class:`Section` and then calls ``md`` for narrative, ``table`` for tables
and ``metric`` for headline measures. Under the runner (``output_dir`` set), metrics and tables
are also written to ``output_dir`` so the runner can assemble ``metrics.json`` and
``tables.xlsx``; run by hand they are only displayed.
"""

from __future__ import annotations

import functools
import json
import math
import re
from html import escape as html_escape
from html import unescape as html_unescape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

from diagnostic_kit import registry
from diagnostic_kit.inputs.params import RAA_EXTRACTS
from diagnostic_kit.present import narrative as nv

_snake = registry.snake


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float):
        return round(value, 2)
    return value


def _frame_like(df: pd.DataFrame, columns: list[Any]) -> pd.DataFrame:
    """A frame of ``columns`` (one array or Series per column of ``df``, in order) with
    ``df``'s index and headings, built at once (assigning columns one by one copies the frame
    each time)."""
    out = pd.DataFrame(dict(enumerate(columns)), index=df.index, copy=False)
    out.columns = df.columns
    return out


def _plain_missing(df: pd.DataFrame) -> pd.DataFrame:
    """Nullable columns as plain ones, so that to_html's na_rep shows every missing value."""
    columns = []
    for _, s in df.items():
        if pd.api.types.is_float_dtype(s.dtype):
            s = s.astype("float64")
        elif isinstance(s.dtype, pd.api.extensions.ExtensionDtype) and not isinstance(
            s.dtype, pd.CategoricalDtype | pd.DatetimeTZDtype
        ):
            s = s.astype(object).where(s.notna(), np.nan)
        columns.append(s)
    return _frame_like(df, columns)


#: Estimated width (CSS px) over which a table will not fit a phone's screen (about 420 px
#: less the page's padding): it then scrolls sideways in its box, and a hint says so.
PHONE_WIDTH = 380
#: Rows up to which a printed table is never split across pages (no orphan row on a page).
SHORT_ROWS = 15
#: Columns from which a table is set in a smaller font, so that it fits a 1280 px screen and A4.
MANY_COLUMNS = 6


def _width_estimate(df: pd.DataFrame, index: bool = False) -> int:
    """A rough width in CSS px of a table set at the report's table font: the longest cell of
    each column (long text wraps at about 28 characters, but never inside a word: a file's path
    does not wrap; headings wrap at their longest word)."""
    total = 0
    frame = df.reset_index() if index else df
    for col in frame.columns:
        cells = [str(v) for v in frame[col].head(200)]
        longest = max((len(c) for c in cells), default=0)
        unbroken = max((len(w) for c in cells for w in c.split()), default=0)
        head = max((len(w) for w in str(col).split()), default=0)
        total += 7 * max(min(longest, 28), unbroken, head) + 22
    return total


@functools.cache
def _markdown():
    """Markdown as the report's cells are rendered (mistune, HTML kept, with the plugins
    nbconvert's renderer uses for prose), without importing nbconvert into every kernel."""
    import mistune

    return mistune.create_markdown(escape=False, plugins=["strikethrough", "table", "url"])


_HEADING_TAG = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)


def heading_ids(html: str) -> str:
    """Give each heading of Markdown rendered here the id nbconvert gives a Markdown cell's
    (its text, spaces as hyphens, URL-quoted), so a link finds a heading of the annex as it
    finds one of the report (``#s00-How-findings-are-rated``)."""
    from urllib.parse import quote

    def one(m: re.Match) -> str:
        words = re.sub(r"<[^>]+>", "", m.group(2)).strip()
        anchor = quote(html_unescape(words).replace(" ", "-"), safe="?/:@!$&'()*+,;=")
        return f'<h{m.group(1)} id="{html_escape(anchor)}">{m.group(2)}</h{m.group(1)}>'
    return _HEADING_TAG.sub(one, html)


def inline_markdown(text: str) -> str:
    """A note or notice as HTML: its Markdown rendered (so a value escaped for Markdown by
    ``narrative.escape`` shows as written, with no stray backslash), its HTML kept."""
    out = _markdown()(text).strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


def header_cells(table: str) -> int:
    """The columns of an HTML table: the cells of its first row (``<thead>`` is not one)."""
    return len(re.findall(r"<th[\s>]", table.split("</tr>", 1)[0]))


#: Above every table's box; shown only while the box scrolls sideways (report.css: where the
#: browser can tell, from a scroll timeline; elsewhere on a phone where the kit estimates the
#: table is wider than the screen, ``kit-table-scrolls``).
SCROLL_HINT = ('<p class="kit-scroll-hint" aria-hidden="true">Scroll the table sideways to see '
               'every column &rarr;</p>')


def table_html(table: str, title: str, note: str | None = None, width: int = 0) -> str:
    """A table as the report shows it: its title, then the table in a box of its own, then its
    note. The box is a labelled region that a keyboard can reach (``tabindex="0"``), so that a
    table wider than the screen scrolls sideways inside it (never widening the page) and a
    screen reader names it; a hint above it says it scrolls, shown only while it does. In print
    it is never scrolled: it shrinks to the page (report.css)."""
    label = html_escape(title, quote=True)
    caption = f'<p class="kit-table-title" id="t-{_snake(title)}">{title}</p>'
    foot = f'<p class="kit-table-note">{inline_markdown(note)}</p>' if note else ""
    n_cols = header_cells(table)
    classes = ["kit-table-wrap"]
    if n_cols >= MANY_COLUMNS:
        classes.append("kit-table-many")
    if len(re.findall(r"<tr[\s>]", table)) <= SHORT_ROWS + 1:
        classes.append("kit-table-short")  # kept whole on one printed page (report.css)
    if width > PHONE_WIDTH:
        classes.append("kit-table-scrolls")
    return (f'<div class="kit-table-block">{caption}{SCROLL_HINT}<div class="{" ".join(classes)}" '
            f'role="region" aria-label="{label}" tabindex="0">{table}</div>{foot}</div>')


def in_annex(html: str) -> str:
    """Mark ``html`` for the technical annex (``Section.table(..., annex=True)``): the
    assembled report moves it there, after the report; a section's own page keeps it in place
    (``registry.ANNEX_OPEN``/``ANNEX_CLOSE``)."""
    return f"{registry.ANNEX_OPEN}{html}{registry.ANNEX_CLOSE}"


#: Said in place of a table with no rows (a notebook may say it its own way: ``empty=``).
NO_ROWS = "None to show."


def empty_table_html(title: str, message: str = NO_ROWS) -> str:
    """A table with no rows as the report shows it: its title, then one line saying so (not a
    row of headings over nothing)."""
    return (f'<p class="kit-table-title" id="t-{_snake(title)}">{title}</p>'
            f'<p class="kit-table-empty">{inline_markdown(message)}</p>')


_DOC_TABLE = re.compile(r"<table>.*?</table>", re.S)
_DOC_HEADING = re.compile(r"<h\d[^>]*>(.*?)</h\d>", re.S)


def document_html(text: str) -> str:
    """A long Markdown document (the methodology) as HTML, each of its tables in a labelled
    box of its own (named by the heading above it) that scrolls sideways on a narrow screen,
    as the kit's tables do, instead of breaking its words and numbers to fit."""
    out = _markdown()(text)

    def boxed(m: re.Match) -> str:
        heads = _DOC_HEADING.findall(out, 0, m.start())
        name = re.sub(r"<[^>]+>", "", heads[-1]).strip() if heads else "Table"
        label = html_escape(f"Table: {name}", quote=True)
        # Three columns or more are likely wider than a phone (the hint's fallback).
        wide = " kit-table-scrolls" if header_cells(m.group(0)) >= 3 else ""
        return (f'<div class="kit-table-block">{SCROLL_HINT}<div class="kit-table-wrap{wide}" '
                f'role="region" aria-label="{label}" tabindex="0">{m.group(0)}</div></div>')

    return f'<div class="kit-doc">{_DOC_TABLE.sub(boxed, out)}</div>'


def reader_float(x: float) -> str:
    """One number format for tables: thousands separators, whole numbers without ".0"
    (``3040.0`` → "3,040"), others to one decimal ("1,234.5")."""
    if isinstance(x, float) and math.isnan(x):
        return "–"
    if float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.1f}"


def _reader_value(v: Any) -> Any:
    if isinstance(v, bool | np.bool_) or v is None:
        return v
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        return v if math.isnan(v) else reader_float(float(v))
    return v


def reader_numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Every number in a shown table in the one reader format ("1,062", "3,040", "12.5"),
    including integer columns and numbers in mixed columns (after suppression); a column whose
    heading names a year keeps its digits as they are (2025, not 2,025)."""
    columns = []
    for col, s in df.items():
        if not ("year" in str(col).lower() or pd.api.types.is_bool_dtype(s.dtype)) and (
                pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_object_dtype(s.dtype)):
            s = np.array([_reader_value(v) for v in s.astype(object)], dtype=object)
        columns.append(s)
    return _frame_like(df, columns)


_RAG_CELL = re.compile(r"<td>(green|amber|red|not rated|Green|Amber|Red|Not rated)</td>")


def _rag_badges(html: str) -> str:
    """A rating cell shown by shape, word and colour (``nv.rag_badge``), never colour alone."""
    return _RAG_CELL.sub(lambda m: f"<td>{nv.rag_badge(m.group(1))}</td>", html)


#: Words in a column heading that mark a count of children or households (for suppression).
COUNT_WORDS = ("children", "child", "households", "adopted", "looked after", "adm decision",
               "over standard", "left through", "leaving care", "moved in within",
               "foster carers", "early permanence")


class Section:
    """One report section's outputs.

    ``suppress_below`` hides counts under that number in displayed tables (shown as ``<N``), for
    reports shared outside the LA; metrics and the internal tables keep the true values.
    """

    def __init__(
        self, key: str, output_dir: str | Path | None = None, *, suppress_below: int = 0,
        raa: str | None = None,
    ) -> None:
        #: The section's entry in ``sections.yml`` (an unknown key stops here, by name).
        self.spec = registry.section(key)
        self.key = key
        # Sentences built in this kernel suppress small counts in the same way.
        nv.set_suppression(suppress_below)
        self.output_dir = Path(output_dir) if output_dir else None
        self.suppress_below = suppress_below
        #: The RAA an LA belongs to (its params' ``raa``), for a missing extract the RAA may hold.
        self.raa = raa
        self.metrics: dict[str, Any] = {}
        self.tables: dict[str, pd.DataFrame] = {}

    @classmethod
    def of(cls, la: Any, output_dir: str | Path | None = None) -> Section:
        """The section that ``la`` (``open_la(..., section=KEY)``) was opened for, with the
        LA's suppression setting."""
        raa = None if getattr(la, "members", None) is not None else la.params.raa
        return cls(la.spec.key, output_dir, suppress_below=la.params.suppress_below, raa=raa)

    # -- narrative ------------------------------------------------------------------------
    def md(self, text: str, *, annex: bool = False) -> None:
        """Show Markdown built from computed values (``annex``: in the technical annex of the
        assembled report, see :meth:`table`)."""
        if annex:
            display(HTML(in_annex(heading_ids(_markdown()(text)))))
            return
        display(Markdown(text))

    def document(self, text: str) -> None:
        """Show a long Markdown document (the methodology): see :func:`document_html`."""
        display(HTML(document_html(text)))

    def notice(self, text: str) -> None:
        """Show a boxed notice, e.g. that an optional extract is missing."""
        display(HTML(f'<div class="kit-notice">{inline_markdown(text)}</div>'))

    def missing_extracts(self, missing: pd.DataFrame, needs: dict[str, str]) -> None:
        """Say which optional local extracts this section uses were not supplied, and what
        that leaves out. ``missing`` is ``dq.missing_extracts``; ``needs`` maps a table name
        to what this section takes from it. The tables reported are kept in ``self.absent``
        (nothing is returned, so the notebook cell shows no stray value)."""
        absent = [t for t in needs if t in set(missing["table"])]
        # Said once, under the last of them: the RAA may hold these extracts for its members.
        held = [t for t in absent if t in RAA_EXTRACTS] if self.raa else []
        for table in absent:
            more = ""
            if held and table == held[-1]:
                these = "it" if len(held) == 1 else "them"
                more = (f" Where {nv.escape(self.raa)} holds {these} for its member LAs, the "
                        f"RAA's report shows {these}.")
            self.notice(
                f"<strong>local/{table}.csv was not supplied</strong>, so this section cannot "
                f"show {needs[table]}. To add it, fill <code>data_templates/{table}.csv</code>."
                + more)
        self.absent = absent

    # -- metrics --------------------------------------------------------------------------
    def metric(self, name: str, value: Any, n: int | None = None) -> None:
        """Record a headline measure under a stable snake_case name, with the count it rests on."""
        if name != _snake(name):
            raise ValueError(f"metric names are snake_case: {name!r}")
        if name not in self.spec.metrics:
            owner = registry.metric_owner(name)
            where = f"it belongs to {owner}" if owner else "it is not declared"
            raise ValueError(f"section {self.key} records metric {name!r}, but {where} "
                             "in sections.yml")
        if name in self.metrics:
            raise ValueError(f"section {self.key} records metric {name!r} twice")
        self.metrics[name] = _jsonable(value)
        if n is not None:
            self.metrics[f"{name}_n"] = int(n)
        self._write_metrics()

    def _write_metrics(self) -> None:
        if self.output_dir is None:
            return
        out = self.output_dir / "metrics"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{self.key}.json").write_text(json.dumps(self.metrics, indent=1), encoding="utf-8")

    # -- tables ---------------------------------------------------------------------------
    def table(
        self,
        df: pd.DataFrame,
        title: str,
        *,
        name: str | None = None,
        counts: list[str] | tuple[str, ...] = (),
        note: str | None = None,
        index: bool = False,
        per_child: bool = False,
        empty: str = NO_ROWS,
        annex: bool = False,
    ) -> None:
        """Show a table with its title and keep it for ``tables.xlsx``. A table with no rows is
        shown as its title and ``empty`` (one line; ``tables.xlsx`` keeps its headings).

        Counts of children (the columns in ``counts``, and any numeric column whose heading
        names children, households or a group of them: :data:`COUNT_WORDS`) are suppressed
        under ``suppress_below``, and so are the percentages in a row that rests on a suppressed
        count; ``tables.xlsx`` then keeps the suppressed table too. A ``per_child`` table (one
        row per child, by pseudonym) is left out altogether when suppression is on. An
        ``annex`` table is detail a board need not read: the assembled report shows it in the
        technical annex after the report (links to it still find it there).
        """
        name = name or _snake(title)
        if per_child and self.suppress_below:
            self.notice(f"<strong>{title}</strong>: not shown, because small numbers are "
                        f"suppressed in this report (counts under {self.suppress_below}).")
            return
        shown = self.suppress(df, counts)
        # Without suppression ``shown`` is the table itself; with it, tables.xlsx keeps it too.
        self._keep(shown, title, name)
        wrap = in_annex if annex else (lambda h: h)
        if shown.empty:
            display(HTML(wrap(empty_table_html(title, empty))))
            return
        html = reader_numbers(_plain_missing(shown)).to_html(
            index=index, classes="kit-table", border=0, na_rep="–",
            float_format=reader_float)
        html = _rag_badges(html)
        display(HTML(wrap(table_html(html, title, note, _width_estimate(shown, index)))))

    def keep(self, df: pd.DataFrame, title: str, *, name: str | None = None,
             counts: list[str] | tuple[str, ...] = ()) -> None:
        """Keep a table for ``tables.xlsx`` without showing it (a longer list behind a table
        the report shows, e.g. each file's date formats); small counts suppressed as shown."""
        self._keep(self.suppress(df, counts), title, name or _snake(title))

    def _keep(self, shown: pd.DataFrame, title: str, name: str) -> None:
        self.tables[name] = shown
        if self.output_dir is not None:
            out = self.output_dir / "tables"
            out.mkdir(parents=True, exist_ok=True)
            shown.to_pickle(out / f"{self.key}__{name}.pkl")
            (out / f"{self.key}__{name}.title").write_text(title, encoding="utf-8")

    def count_columns(self, df: pd.DataFrame, counts: list[str] | tuple[str, ...] = ()
                      ) -> list[str]:
        """The columns of ``df`` that hold counts of children or households."""
        found = [c for c in df.columns if c in counts]
        for col in df.columns:
            head = str(col).lower()
            if col in found or "%" in head or "days" in head or "median" in head:
                continue
            numeric = pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_object_dtype(
                df[col])
            if numeric and any(w in head for w in COUNT_WORDS):
                found.append(col)
        return found

    def suppress(self, df: pd.DataFrame, counts: list[str] | tuple[str, ...] = ()
                 ) -> pd.DataFrame:
        """Counts under ``suppress_below`` shown as ``<N`` (zero stays zero); percentages in a
        row with a suppressed count shown as "–"."""
        if not self.suppress_below:
            return df
        out = df.copy()
        k = self.suppress_below
        hit = pd.Series(False, index=out.index)
        for col in self.count_columns(df, counts):
            vals = pd.to_numeric(out[col], errors="coerce")
            small = (vals.gt(0) & vals.lt(k)).fillna(False).astype(bool)
            hit |= small
            out[col] = out[col].astype(object).where(~small, f"<{k}")
        for col in out.columns:
            head = str(col).lower()
            if "%" in head or "share" in head or "ratio" in head:
                out[col] = out[col].astype(object).where(~hit, "–")
        return out
