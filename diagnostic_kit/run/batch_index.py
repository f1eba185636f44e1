"""A batch's ``index.html`` (every LA's report, its headline measures rated, each RAA with its
members) and ``batch_metrics.csv`` (each LA's figure against the batch's quartiles)."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from diagnostic_kit import __version__
from diagnostic_kit.present.spreadsheets import (
    formula_safe_frame,
)
from diagnostic_kit.run.page import TEMPLATES_DIR, long_date
from diagnostic_kit.run.writing import write_atomic

if TYPE_CHECKING:

    pass

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
        f"<p>Produced {long_date(produced or dt.date.today())} by adoption-diagnostic "
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
    write_atomic(index, render_batch_index(runs))
    return index
