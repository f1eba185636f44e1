"""Assembling an LA's executed section notebooks into the report and the files beside it: the
page (:mod:`page`), ``tables.xlsx`` (:mod:`workbook`), the PDF (:mod:`pdf`), and here
``metrics.json``, ``data_quality.csv``, the pseudonym keys and ``run.json``.

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

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from diagnostic_kit import __version__, kit_files
from diagnostic_kit.inputs.findings import FINDING_COLUMNS, WITHHELD
from diagnostic_kit.present.spreadsheets import (  # noqa: F401  (formula_safe: tests)
    FORMULA_START,
    formula_safe,
    formula_safe_frame,
)
from diagnostic_kit.run.page import ACROSS_HREF, build_sections, render_page
from diagnostic_kit.run.workbook import write_tables_xlsx
from diagnostic_kit.run.writing import write_atomic

if TYPE_CHECKING:

    from diagnostic_kit.run.plan import LARun


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
def write_internal_notice(build: Path, raa: bool = False) -> None:
    """``internal/README.txt``: what the report's internal folder holds and that it is not
    shared (:data:`kit_files.INTERNAL_NOTICE`; an RAA's, :data:`kit_files.RAA_INTERNAL_NOTICE`)."""
    write_atomic(build / kit_files.INTERNAL_DIR / "README.txt",
                  kit_files.RAA_INTERNAL_NOTICE if raa else kit_files.INTERNAL_NOTICE)


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
    from diagnostic_kit.inputs.findings import PERSONAL_DROP_REASON

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
        alone = {**s, "html": ACROSS_HREF.sub(
            lambda m, own=own: m.group(0) if m.group(1) == own
            else f'href="../report.html#{m.group(1)}',
            s["html"])}
        write_atomic(build / "sections" / f"{s['key']}.html",
                      render_page(**page, sections=[alone], contents=False,
                                  home="../report.html"))
    work = build / ".work"
    metrics = collect_metrics(work, p)
    write_atomic(build / "metrics.json", json.dumps(metrics, indent=1, default=str))
    write_tables_xlsx(work, build / "tables.xlsx")
    write_data_quality_csv(la.dq, la.pseudonyms, build / "data_quality.csv")
    write_internal_notice(build, raa=members is not None)
    if members is not None:  # an RAA: a key per member, never one for all
        write_member_keys(la.pseudonyms, members,
                          build / kit_files.INTERNAL_DIR / MEMBER_KEYS_DIR)
    else:
        write_pseudonym_key(la.pseudonyms, build / kit_files.INTERNAL_DIR / "pseudonym_key.csv")
    if pdf:
        for part in PRINT_PARTS:
            write_atomic(work / f"print-{part}.html",
                          render_page(**page, sections=sections, part=part))
    # Last, so a report.html only ever exists beside a complete set of files.
    write_atomic(build / "report.html", render_page(**page, sections=sections))


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
    write_atomic(run.build_dir / "run.json", json.dumps(run_record(run), indent=1, default=str))



