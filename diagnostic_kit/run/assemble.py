"""Assembling an LA's executed section notebooks into the report and the files beside it.

Each executed notebook is exported with nbconvert's ``basic`` template (an HTML fragment: no
MathJax, require.js or web fonts from a CDN) with code input, prompts, the parameter cells,
error outputs and stderr hidden; charts stay inline PNG. The fragments are wrapped in the kit's
own page (``report_theme/report.html.j2`` with ``report_theme/report.css`` inlined), so the report
opens offline and asks no other host for anything; a Content-Security-Policy makes sure of it.

Outputs in the LA's folder: ``report.html``, ``sections/NN_name.html``, ``metrics.json``,
``tables.xlsx``, ``data_quality.csv``, ``pseudonym_key.csv`` (internal, never embedded in HTML)
and ``run.json``. ``notebooks/`` (the executed notebooks) is written by the runner.

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
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from diagnostic_kit import __version__, resources

if TYPE_CHECKING:
    import nbformat

    from diagnostic_kit.run.runner import LARun

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


_EXPORTER: Any = None


def _exporter() -> Any:
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(
            template_name="basic",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            anchor_link_text="",
        )
    return _EXPORTER


_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_ID_ATTR = re.compile(r'\bid="([^"]+)"')
_LOCAL_HREF = re.compile(r'\bhref="#([^"]+)"')


_NUMERIC_TD = re.compile(r"<td>(\s*[-+–<£]?[\d.,]+%?\s*)</td>")


def mark_numbers(fragment: str) -> str:
    """Give table cells that hold a number ``class="num"`` so they align right; text stays
    left-aligned."""
    return _NUMERIC_TD.sub(r'<td class="num">\1</td>', fragment)


def scope_ids(fragment: str, prefix: str) -> str:
    """Prefix every id and same-page link in a section's HTML, so ids stay unique once the
    sections share one page; heading permalinks ("¶") are dropped."""
    fragment = _ANCHOR_LINK.sub("", fragment)
    fragment = _ID_ATTR.sub(lambda m: f'id="{prefix}-{m.group(1)}"', fragment)
    return _LOCAL_HREF.sub(lambda m: f'href="#{prefix}-{m.group(1)}"', fragment)


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


def _env() -> Any:
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
) -> str:
    """A whole self-contained HTML page: title block, contents, then the sections in order.

    Each of ``sections`` has ``anchor``, ``number``, ``title``, ``html`` and ``failed``.
    """
    css = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    return _env().get_template("report.html.j2").render(
        la_name=la_name,
        la_code=la_code,
        period=f"{_long_date(period_start)} to {_long_date(period_end)}",
        produced=_long_date(produced or dt.date.today()),
        version=__version__,
        sections=sections,
        css=css,
        contents=contents,
        home=home,
    )


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def build_sections(run: LARun, notebooks: list[Path]) -> list[dict[str, Any]]:
    """One entry per section notebook, in order: the executed notebook's HTML, or the box
    that says why it could not be produced (which also marks that section failed)."""
    import nbformat

    results = {s.key: s for s in run.sections}
    out = []
    for src in notebooks:
        key = src.stem
        res = results.get(key)
        executed = run.build_dir / "notebooks" / src.name
        anchor = f"section-{key}"
        nb = None
        if res is not None and not res.failed and executed.exists():
            nb = nbformat.read(executed, as_version=4)
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
        out.append({"key": key, "anchor": anchor, "number": section_number(key), "title": title,
                    "html": body, "failed": res is None or res.failed})
    return out


# -- files beside the report ------------------------------------------------------------------

#: What a spreadsheet may read as the start of a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(values: pd.Series) -> pd.Series:
    """Text that a spreadsheet could read as a formula, with a leading ``'``; vectorised.

    Only text is touched: numbers (negative ones included), also in a column mixing numbers and
    text, stay numbers.
    """
    dtype = values.dtype
    if (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)
            or pd.api.types.is_timedelta64_dtype(dtype)):
        return values
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if isinstance(values.dtype, pd.StringDtype):
        is_text = values.notna().to_numpy(dtype=bool)
    else:
        is_text = values.map(type).eq(str).to_numpy(dtype=bool)
    if not is_text.any():
        return values
    text = values.where(is_text).astype("string")
    risky = text.str.startswith(FORMULA_START).fillna(False).to_numpy(dtype=bool) & is_text
    if not risky.any():
        return values
    out = values.copy()
    out[risky] = "'" + text[risky]
    return out


def formula_safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`formula_safe` on every text column of ``df``."""
    out = df.copy()
    for col in out.columns:
        out[col] = formula_safe(out[col])
    return out


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


def sheet_names(keys: list[str]) -> list[str]:
    """Unique Excel sheet names (at most 31 characters, no ``[]:*?/\\``) for table keys
    ``<section>__<name>``: the section number then the table name."""
    used: set[str] = set()
    names = []
    for key in keys:
        section, _, name = key.partition("__")
        base = _SHEET_BAD.sub("_", f"{section[:2]}_{name}" if name else section)[:SHEET_MAX]
        cand, i = base, 2
        while cand.lower() in used:
            suffix = f"~{i}"
            cand, i = base[: SHEET_MAX - len(suffix)] + suffix, i + 1
        used.add(cand.lower())
        names.append(cand)
    return names


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


def _as_text_cell(cell: Any) -> None:
    """A cell that openpyxl would write as a formula, or that a spreadsheet could read as one
    when edited, stored as text with the quote prefix."""
    if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(
            FORMULA_START)):
        cell.data_type = "s"
        cell.quotePrefix = True


def _no_formulas(ws: Any, text_columns: list[int] | None = None) -> None:
    """No formula cell in a worksheet: the header row, then the text columns (1-based; all
    columns when None) are looked at; numbers cannot be formulas."""
    for cell in next(ws.iter_rows(min_row=1, max_row=1), ()):
        _as_text_cell(cell)
    cols = text_columns if text_columns is not None else range(1, ws.max_column + 1)
    for c in cols:
        for (cell,) in ws.iter_rows(min_row=2, min_col=c, max_col=c):
            _as_text_cell(cell)


def _text_columns(df: pd.DataFrame) -> list[int]:
    return [i + 1 for i, col in enumerate(df.columns)
            if not (pd.api.types.is_numeric_dtype(df[col].dtype)
                    or pd.api.types.is_datetime64_any_dtype(df[col].dtype))]


def write_tables_xlsx(work: Path, path: Path) -> int:
    """``tables.xlsx``: a Contents sheet, then every table a section showed, one sheet each.
    Returns the number of tables written. No cell is a formula (see the module's docstring)."""
    files = sorted((work / "tables").glob("*.pkl"))
    keys = [f.stem for f in files]
    names = sheet_names(keys)
    contents = []
    tmp = path.with_name(f".{path.name}.tmp")
    with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        titles = []
        for f, key, sheet in zip(files, keys, names, strict=True):
            tf = f.with_suffix(".title")
            title = tf.read_text(encoding="utf-8") if tf.exists() else key
            titles.append(title)
            contents.append({"sheet": sheet, "section": key.partition("__")[0], "table": title})
        pd.DataFrame(contents, columns=["sheet", "section", "table"]).to_excel(
            xw, sheet_name="Contents", index=False)
        _no_formulas(xw.sheets["Contents"])
        for f, sheet in zip(files, names, strict=True):
            df = _excel_ready(pd.read_pickle(f))
            try:
                df.to_excel(xw, sheet_name=sheet, index=False)
            except (ValueError, TypeError):  # an odd object column: write it as text
                df = df.astype(str)
                df.to_excel(xw, sheet_name=sheet, index=False)
            _no_formulas(xw.sheets[sheet], _text_columns(df))
    os.replace(tmp, path)
    return len(files)


def write_pseudonym_key(pseudonyms: pd.Series, path: Path) -> None:
    """``pseudonym_key.csv``: pseudonym -> the LA's own child id. Internal to the LA."""
    key = pd.DataFrame({"pseudonym": pseudonyms.to_numpy(), "child": pseudonyms.index.to_numpy()})
    formula_safe_frame(key.sort_values("pseudonym")).to_csv(path, index=False)


DQ_COLUMNS = ["file", "row", "column", "value", "rule", "message", "action"]
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
    pseudonym_key.csv), any other identifier withheld, text made safe to open in a spreadsheet."""
    from diagnostic_kit.measures.data_quality import WITHHELD, value_kinds

    out = chunk[DQ_COLUMNS].copy()
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


def write_data_quality_csv(dq: Any, pseudonyms: pd.Series, path: Path) -> int:
    """``data_quality.csv``: every finding and every dropped column, in chunks of
    :data:`DQ_CHUNK` rows, vectorised. Returns the number of records written."""
    extra = dropped_column_records(dq)
    findings = dq.findings
    tmp = path.with_name(f".{path.name}.tmp")
    n = 0
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        pd.DataFrame(columns=DQ_COLUMNS).to_csv(fh, index=False)
        for frame in (findings, extra):
            for start in range(0, len(frame), DQ_CHUNK):
                chunk = csv_findings(frame.iloc[start:start + DQ_CHUNK], dq.accounting,
                                     pseudonyms)
                chunk.to_csv(fh, index=False, header=False)
                n += len(chunk)
    os.replace(tmp, path)
    return n


def build_outputs(run: LARun, notebooks: list[Path]) -> None:
    """Write the report and every file beside it into ``run.build_dir``."""
    from diagnostic_kit.run.prepare import load_prepared

    build = run.build_dir
    la = load_prepared(run.prepared)
    p = run.params
    sections = build_sections(run, notebooks)
    page = dict(la_name=p.la_name, la_code=p.la_code, period_start=p.period_start,
                period_end=p.period_end)
    for s in sections:
        _write_atomic(build / "sections" / f"{s['key']}.html",
                      render_page(**page, sections=[s], contents=False, home="../report.html"))
    work = build / ".work"
    metrics = collect_metrics(work, p)
    _write_atomic(build / "metrics.json", json.dumps(metrics, indent=1, default=str))
    write_tables_xlsx(work, build / "tables.xlsx")
    write_data_quality_csv(la.dq, la.pseudonyms, build / "data_quality.csv")
    write_pseudonym_key(la.pseudonyms, build / "pseudonym_key.csv")
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
    }


def write_run_json(run: LARun) -> None:
    _write_atomic(run.build_dir / "run.json", json.dumps(run_record(run), indent=1, default=str))
