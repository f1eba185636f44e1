"""One collection year's 903 tables written as the DfE's XML return (``EXPSSDA903``), as LAs
submit it, in the element order of the schema and one element per line.

The tables are those the CSV files of the year hold (``synth.returns``: text, blank ""), and
the writer returns the line each row's element starts on, so that a finding on a row can be
placed in the file (``synth.errors``' manifest). Every row hangs under its child's HEADER, as
in a real return: a child with rows but no header row, or with two AD1, UASC, OC2 or previous
permanence rows in one year, cannot be written (ValueError). A header row repeated is a second
CHILD element. Columns the return does not have (an injected error's extra column) are written
as elements at the end of HEADER, where a reader meets an element it does not know.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from diagnostic_kit.inputs.schema import SSDA903_FILE_COLUMNS
from diagnostic_kit.inputs.xml_return import (
    AD1_FIELDS,
    EPISODE_FIELDS,
    GROUP_TABLES,
    GROUPS,
    HEADER_ORDER,
    RENAMED,
    ROOT,
)

#: Tables a child has at most one row of in a year (one set of elements in HEADER).
_ONE_PER_CHILD = ("ad1", "uasc", "oc2", "previous_permanence")
_COLUMN = {xml: csv for xml, csv in RENAMED.items()}


def _text(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


class _Lines:
    """The file's lines, numbered from 1 as a reader counts them."""

    def __init__(self) -> None:
        self.lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<{ROOT}>"]

    def add(self, depth: int, text: str) -> int:
        self.lines.append("  " * depth + text)
        return len(self.lines)

    def leaf(self, depth: int, name: str, value: object) -> int:
        v = _text(value).strip()
        return self.add(depth, f"<{name}>{escape(v)}</{name}>" if v else f"<{name}/>")


def write_year(tables: dict[str, pd.DataFrame], path: Path) -> dict[str, np.ndarray]:
    """Write one year's tables (by 903 table name) as an XML return at ``path``; returns, per
    table, the line of each row's element in the frame's order."""
    header = tables["header"].reset_index(drop=True)
    ids = header["CHILD"].map(_text).to_numpy()
    first: dict[str, int] = {}
    for i, c in enumerate(ids):
        first.setdefault(c, i)
    # Each other table's rows, by the header row (the child's first) they are written under.
    under: dict[str, dict[int, list[int]]] = {}
    for name, df in tables.items():
        if name == "header":
            continue
        rows: dict[int, list[int]] = {}
        for i, c in enumerate(df["CHILD"].map(_text).to_numpy()):
            if c not in first:
                raise ValueError(f"a {name} row of child {c!r} has no header row: an XML return "
                                 "holds every row under the child's HEADER")
            rows.setdefault(first[c], []).append(i)
            if name in _ONE_PER_CHILD and len(rows[first[c]]) > 1:
                raise ValueError(f"child {c!r} has two {name} rows in one year, which an XML "
                                 "return cannot hold")
        under[name] = rows
    records = {name: df.to_dict("records") for name, df in tables.items()}
    lines = {name: np.zeros(len(df), dtype=np.int64) for name, df in tables.items()}
    known = set(SSDA903_FILE_COLUMNS["header"])
    extra = [c for c in header.columns if not str(c).startswith("_") and c not in known]
    out = _Lines()
    for h in range(len(header)):
        out.add(1, "<CHILD>")
        lines["header"][h] = out.add(2, "<HEADER>")
        row = records["header"][h]

        def one(name: str, h: int = h) -> dict | None:
            at = under.get(name, {}).get(h)
            return records[name][at[0]] if at else None

        ad1, uasc = one("ad1"), one("uasc")
        for name in HEADER_ORDER:
            if name in GROUPS:
                table = GROUP_TABLES.get(name)
                for i in under.get(table, {}).get(h, []) if table else []:
                    r = records[table][i]
                    lines[table][i] = out.add(3, f"<{name}>")
                    for f in GROUPS[name]:
                        out.leaf(4, f, r.get(f))
                    out.add(3, f"</{name}>")
            elif name in AD1_FIELDS:
                if ad1 is not None:
                    at = out.leaf(3, name, ad1.get(name))
                    if name == AD1_FIELDS[0]:
                        lines["ad1"][under["ad1"][h][0]] = at
            elif name == "UASC":
                at = out.leaf(3, name, "1" if uasc is not None else "0")
                if uasc is not None:
                    lines["uasc"][under["uasc"][h][0]] = at
            elif name == "DUC":
                if uasc is not None:
                    out.leaf(3, name, uasc.get("DUC"))
            elif name in known or name == "CHILDID":
                out.leaf(3, name, row.get(_COLUMN.get(name, name)))
        for c in extra:
            out.leaf(3, str(c), row.get(c))
        out.add(2, "</HEADER>")
        for i in under.get("episodes", {}).get(h, []):
            r = records["episodes"][i]
            lines["episodes"][i] = out.add(2, "<EPISODE>")
            for f in EPISODE_FIELDS:
                out.leaf(3, f, r.get(_COLUMN.get(f, f)))
            out.add(2, "</EPISODE>")
        out.add(1, "</CHILD>")
    out.add(0, f"</{ROOT}>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out.lines) + "\n", encoding="utf-8")
    return lines
