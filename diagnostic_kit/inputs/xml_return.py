"""A 903 return written as the DfE's XML ("Expanded SSDA903 Return") read into the same tables,
with the same column names, as that year's CSV files.

Layout: an XML return sits where that year's CSV files would, one file per collection-year
folder, under any name (``903/2024-25/ssda903.xml``); the folder gives the year, as for CSV. An
``.xml`` file whose root element is not ``EXPSSDA903`` is listed as found but not read. A
folder holding both an XML return and 903 CSV files, or two XML returns, stops the run
(:class:`InputError`): which one is the LA's return is the LA's call, not the kit's. Years may
differ in form (one XML, the next CSV); they are combined exactly as CSV years are.

Shape and mapping (``CHILDID`` is ``CHILD`` in every table, ``EPISODE/PL`` is ``PLACE``)::

    EXPSSDA903
      CHILD                     one per child
        HEADER                  → header (CHILD, SEX, DOB, ETHNIC; UPN, MOTHER, MC_DOB dropped)
          DATE_INT … LS_ADOPTR  → one ad1 row when any of the six is written
          UASC, DUC             → one uasc row when UASC is 1 (or a DUC is written)
          AREVIEW               → reviews, one row each
          AD_PLACED             → placed_for_adoption, one row each
          PERMANENCE            → previous_permanence
          OC2                   → oc2
          AMISSING, OC3 fields  not read (tables the kit does not use)
        EPISODE                 → episodes, one row each (PL_POST, HOME_POST, URN dropped)

Personal data is never taken out of the file: the text of UPN, MOTHER, MC_DOB and the
postcodes is not read, and the columns are recorded as dropped, as for CSV. Elements the kit
does not use or know (OC3, missing, social-worker and later tables, anything else) are named in
one note per file, never an error.

Row numbers: a row's number is the line of the element it comes from (the EPISODE, AREVIEW …
start tag; the HEADER for the header row; the first AD1 element for the ad1 row; the UASC
element for the uasc row). Each table of a return is accounted for on its own, as
``<file> [<table>]`` (as an Annex A workbook's lists are), so that rows read = rows used + rows
excluded holds per table. In a file written with several rows on one line the rows of each
table are numbered in order instead (1, 2, …), and a note says so.

Safety and memory: the file is streamed one CHILD at a time (``lxml.etree.iterparse``), each
dropped once read, so memory does not grow with the file. A file that declares a document type
(``<!DOCTYPE``) is refused before anything in it is read, so no entity is expanded and nothing
outside the file is loaded; entities are not resolved, the network is never used, and libxml2's
limits on text size and nesting stay on.

Schema: an ``.xsd`` file beside the return (in its year folder, else in ``903/``) is taken as
the DfE schema for it; each element that breaks it is a finding (rule ``xml_schema``: file,
line, element), the element's value shown only where it is a code or a number, and the rest of
the file is still read (elements are read by name, so one in the wrong order loses nothing).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
from lxml import etree

from diagnostic_kit.inputs import reading_rules as rr
from diagnostic_kit.inputs.errors import InputError
from diagnostic_kit.inputs.findings import (
    PERSONAL_DROP_REASON,
    WITHHELD,
    Findings,
)
from diagnostic_kit.inputs.schema import SSDA903_TABLES, SSDA903_UNUSED, TABLES

#: The root element of a 903 XML return.
ROOT = "EXPSSDA903"
#: The key under which ``reading`` lists the XML files it found beside the CSV files (with a
#: slash, which no file's name holds, so no CSV file's name can take it).
XML_FILES = "/xml"

#: The elements of HEADER, in the schema's order (the groups stand where they repeat).
HEADER_FIELDS = ("CHILDID", "UPN", "SEX", "DOB", "ETHNIC", "UASC", "DUC")
AD1_FIELDS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
OC3_FIELDS = ("IN_TOUCH", "ACTIV", "ACCOM")
MOTHER_FIELDS = ("MOTHER", "MC_DOB")
#: The repeating groups inside HEADER and their fields, in order.
GROUPS: dict[str, tuple[str, ...]] = {
    "AMISSING": ("MISSING", "MIS_START", "MIS_END"),
    "AREVIEW": ("REVIEW", "REVIEW_CODE"),
    "PERMANENCE": ("PREV_PERM", "LA_PERM", "DATE_PERM"),
    "OC2": ("SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS",
            "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
            "INTERVENTION_OFFERED"),
    "AD_PLACED": ("DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
}
HEADER_ORDER = (*HEADER_FIELDS, *AD1_FIELDS, *OC3_FIELDS, "AMISSING", "AREVIEW", *MOTHER_FIELDS,
                "PERMANENCE", "OC2", "AD_PLACED")
EPISODE_FIELDS = ("DECOM", "RNE", "LS", "CIN", "PL", "PL_POST", "HOME_POST", "URN",
                  "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE")
#: The table each group is read into (AMISSING is not: the kit does not use missing episodes).
GROUP_TABLES = {"AREVIEW": "reviews", "AD_PLACED": "placed_for_adoption",
                "PERMANENCE": "previous_permanence", "OC2": "oc2"}
#: Element names that differ from the CSV files' column names.
RENAMED = {"CHILDID": "CHILD", "PL": "PLACE"}
#: Personal data in the return, by the table whose CSV file carries it: never read.
PERSONAL = {"header": ("UPN", *MOTHER_FIELDS), "episodes": ("PL_POST", "HOME_POST", "URN")}
#: Elements of the return the kit knows and does not use, and what they hold.
NOT_USED = {"AMISSING": "missing episodes", **{f: "care leavers (OC3)" for f in OC3_FIELDS}}

#: UASC flags read as "yes" and "no" (anything else is an unknown code).
_YES, _NO = {"1", "Y", "YES", "TRUE"}, {"0", "N", "NO", "FALSE"}
#: Children validated against a schema at a time (moved out of the file's tree, then freed).
_BATCH = 500
#: How libxml2 parses: no entities resolved, no DTD loaded, no network, its size limits on.
_SAFE = dict(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False,
             remove_comments=True, remove_pis=True)
_DOCTYPE = [b"<!DOCTYPE".decode().encode(e) for e in ("utf-8", "utf-16-le", "utf-16-be")]
_ELEMENT = re.compile(r"^Element '(?:\{[^}]*\})?([^']*)'(?:, attribute '[^']*')?: ")
_QUOTED = re.compile(r"'[^']*'")


def _scrubbed(message: str) -> str:
    """A schema message with every quoted text but a facet, type or pattern (what the schema
    says) withheld: the rest is the value written."""
    def one(m: re.Match[str]) -> str:
        keep = message[: m.start()].endswith(("facet ", "type ", "pattern "))
        return m.group(0) if keep else f"'{WITHHELD}'"

    return _QUOTED.sub(one, message)
_TABLE_NAMES = {t.name for t in SSDA903_TABLES}


#: Element names without their namespace, by tag as parsed (a return repeats a few dozen).
_NAMES: dict[object, str] = {}


def _local(tag: object) -> str:
    """An element's name without its namespace."""
    name = _NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
        if len(_NAMES) < 1000:  # a file of endless new names does not grow it
            _NAMES[tag] = name
    return name


def _text(el: etree._Element) -> str | None:
    """An element's text, stripped; None where blank (as a blank CSV field)."""
    t = el.text
    return (t.strip() or None) if t else None


#: HEADER's elements read (text and line), EPISODE's by the column they are read into.
_HEADER_READ = {"CHILDID", "SEX", "DOB", "ETHNIC", "UASC", "DUC", *AD1_FIELDS}
_EPISODE_COLUMNS = {f: RENAMED.get(f, f) for f in EPISODE_FIELDS if f not in PERSONAL["episodes"]}


def _element_kinds() -> dict[str, str]:
    """The kind (``code``, ``date`` …) of the kit's column each element is read into."""
    element = {column: name for name, column in RENAMED.items()}
    kinds = {element.get(c.name, c.name): c.kind for t in SSDA903_TABLES for c in t.columns}
    return {**kinds, "UASC": "code"}


#: Elements whose value a finding may show (codes and numbers, never dates, ids or text).
_SHOWN = {name for name, kind in _element_kinds().items()
          if kind in ("code", "int", "number", "bool")}


def label(rel: str, table: str) -> str:
    """How a table of an XML return is named in findings and the accounting."""
    return f"{rel} [{table}]"


class _Hashed:
    """A binary file read through, its SHA-256 taken on the way (the file is read once)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.sha = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.sha.update(data)
        return data


@dataclass
class _Rows:
    """One table's rows as read: each row's values in the table's column order, and its line."""

    columns: list[str]
    values: list[tuple[str | None, ...]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def add(self, child: str | None, found: dict[str, str | None], line: int) -> None:
        self.values.append((child, *map(found.get, self.columns[1:])))
        self.lines.append(line)


class _Reader:
    """Reads one XML return, CHILD by CHILD, into rows of the 903 tables."""

    def __init__(self, rel: str, schema: etree.XMLSchema | None) -> None:
        self.rel = rel
        self.rows = {t.name: _Rows(t.column_names) for t in SSDA903_TABLES}
        self.ignored: Counter[str] = Counter()
        self.personal: dict[str, set[str]] = {"header": set(), "episodes": set()}
        self.bad_uasc: list[tuple[int, str]] = []
        self.schema = schema
        self.schema_ok = schema is not None
        self.batch: etree._Element | None = None
        #: Schema violations: (line, element, value shown, message).
        self.violations: list[tuple[int, str, str, str]] = []

    # -- one child ------------------------------------------------------------------------

    def child(self, child: etree._Element) -> None:
        header, episodes = None, []
        for el in child:
            name = _local(el.tag)
            if name == "HEADER" and header is None:
                header = el
            elif name == "EPISODE":
                episodes.append(el)
            else:
                self.ignored[f"CHILD/{name}"] += 1
        cid = self.header(header) if header is not None else None
        rows, names = self.rows["episodes"], _NAMES
        for el in episodes:
            found: dict[str, str | None] = {}
            # The commonest path, inlined: most of a return's elements are episodes' fields.
            for leaf in el:
                tag = leaf.tag
                name = names.get(tag) or _local(tag)
                column = _EPISODE_COLUMNS.get(name)
                if column is not None:
                    if column not in found:
                        t = leaf.text
                        found[column] = (t.strip() or None) if t else None
                elif name in PERSONAL["episodes"]:
                    self.personal["episodes"].add(name)
                else:
                    self.ignored[f"EPISODE/{name}"] += 1
            rows.add(cid, found, el.sourceline)

    def header(self, header: etree._Element) -> str | None:
        """Read HEADER into the header, ad1, uasc and group tables; returns the CHILDID."""
        text: dict[str, str | None] = {}
        lines: dict[str, int] = {}
        groups = []
        for el in header:
            name = _local(el.tag)
            if name in _HEADER_READ:
                if name not in text:
                    text[name] = _text(el)
                    lines[name] = el.sourceline
            elif name in GROUP_TABLES:
                groups.append((name, el))
            elif name in PERSONAL["header"]:
                self.personal["header"].add(name)
            elif name in NOT_USED:
                self.ignored[name] += 1
            else:
                self.ignored[f"HEADER/{name}"] += 1
        cid = text.get("CHILDID")
        self.rows["header"].add(cid, text, header.sourceline)
        if any(text.get(f) is not None for f in AD1_FIELDS):
            self.rows["ad1"].add(cid, text, min(lines[f] for f in AD1_FIELDS if f in lines))
        flag = (text.get("UASC") or "").upper()
        if flag in _YES or text.get("DUC") is not None:
            self.rows["uasc"].add(cid, text, lines.get("UASC", lines.get("DUC")))
        elif flag and flag not in _NO:
            self.bad_uasc.append((lines["UASC"], text["UASC"]))
        for name, el in groups:
            found: dict[str, str | None] = {}
            fields = GROUPS[name]
            for leaf in el:
                leaf_name = _local(leaf.tag)
                if leaf_name in fields:
                    if leaf_name not in found:
                        found[leaf_name] = _text(leaf)
                else:
                    self.ignored[f"{name}/{leaf_name}"] += 1
            self.rows[GROUP_TABLES[name]].add(cid, found, el.sourceline)
        return cid

    # -- the schema -----------------------------------------------------------------------

    def check(self, child: etree._Element, root_tag: str) -> None:
        """Move a child read into the batch checked against the schema (out of the file's
        tree, so it is freed with the batch)."""
        if self.batch is None:
            self.batch = etree.Element(root_tag)
        self.batch.append(child)
        if len(self.batch) >= _BATCH:
            self.validate()

    def validate(self) -> None:
        batch, self.batch = self.batch, None
        if batch is None or not self.schema_ok or self.schema.validate(batch):
            return
        tree = batch.getroottree()
        for e in self.schema.error_log:
            if "No matching global declaration" in e.message:
                self.schema_ok = False  # a schema for another root: said once, in the note
                return
            m = _ELEMENT.match(e.message)
            name = m.group(1) if m else ""
            message = e.message[m.end():] if m else e.message
            value = ""
            try:
                found = tree.xpath(e.path) if e.path else []
            except etree.XPathError:
                found = []
            el = found[0] if found and isinstance(found[0], etree._Element) else None
            raw = el.text if el is not None and len(el) == 0 and el.text else ""
            if name in _SHOWN:
                value = raw.strip()
            else:
                # Never in the message either, whether or not the element was found.
                value = WITHHELD if raw.strip() else ""
                message = _scrubbed(message)
            self.violations.append((e.line, name, value, message.strip()))

    # -- the whole file -------------------------------------------------------------------

    def read(self, fh: IO[bytes]) -> None:
        ctx = etree.iterparse(fh, events=("end",), tag="{*}CHILD", **_SAFE)
        for _, child in ctx:
            parent = child.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # a CHILD inside something else: read with that, if at all
            # Anything between the children (not a CHILD) is counted and dropped.
            while (prev := child.getprevious()) is not None:
                self.ignored[_local(prev.tag)] += 1
                parent.remove(prev)
            self.child(child)
            if self.schema_ok:
                self.check(child, parent.tag)
            else:
                parent.remove(child)
        root = ctx.root
        #: Elements still in the document at its end (each CHILD was dropped once read).
        self.left = len(root) if root is not None else 0
        for el in root if root is not None else ():
            self.ignored[_local(el.tag)] += 1
        self.validate()

    def frames(self) -> tuple[dict[str, pd.DataFrame], bool]:
        """Each table's rows as the CSV reader gives them (object columns, blank NaN), with
        ``_file`` and ``_row``; and whether rows are numbered by line (else in order)."""
        by_line = all(np.all(np.diff(r.lines) > 0) for r in self.rows.values())
        out = {}
        for name, r in self.rows.items():
            n = len(r.lines)
            data = np.array(r.values, dtype=object).reshape(n, len(r.columns))
            data = np.where(pd.isna(data), np.nan, data)
            rows = np.array(r.lines, dtype=np.int64) if by_line else np.arange(1, n + 1)
            out[name] = pd.DataFrame({**{c: data[:, j] for j, c in enumerate(r.columns)},
                                      "_file": label(self.rel, name), "_row": rows})
        return out, by_line


# -- files -----------------------------------------------------------------------------------


def _not_xml(rel: str, exc: etree.XMLSyntaxError) -> str:
    what = str(exc.msg or exc).strip().rstrip(".").splitlines()[0]
    line = f", line {exc.lineno}" if exc.lineno else ""
    return (f"{rel} is not well-formed XML ({what}{line}): export that year's return again, "
            "or give its CSV files instead.")


def root_element(path: Path, rel: str) -> str:
    """The name of a file's root element, read from its start only. Raises
    :class:`InputError` for a file that declares a document type or is not XML."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
        if not head.strip():
            raise InputError(f"{rel} is empty: an XML return starts with <{ROOT}>.")
        if any(d in head for d in _DOCTYPE):
            raise InputError(
                f"{rel} declares a document type (<!DOCTYPE …>), which a 903 XML return never "
                "has, so the kit does not read it: export the return again from the "
                "case-management system."
            )
        fh.seek(0)
        try:
            for _, el in etree.iterparse(fh, events=("start",), **_SAFE):
                if el.getroottree().docinfo.doctype:
                    raise InputError(f"{rel} declares a document type (<!DOCTYPE …>), which a "
                                     "903 XML return never has, so the kit does not read it.")
                return _local(el.tag)
        except etree.XMLSyntaxError as exc:
            raise InputError(_not_xml(rel, exc)) from None
    raise InputError(f"{rel} is empty: an XML return starts with <{ROOT}>.")


def _load_schema(path: Path, rel: str, log: Findings) -> etree.XMLSchema | None:
    """The XSD at ``path``; None (and a note) where it cannot be read as one."""
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    try:
        return etree.XMLSchema(etree.parse(str(path), parser))
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError, OSError) as exc:
        what = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        log.note(rel, "XML schema", f"not used: it could not be read as an XML schema ({what})")
        return None


def read_return(path: Path, rel: str, log: Findings,
                schema: tuple[str, etree.XMLSchema] | None = None) -> dict[str, pd.DataFrame]:
    """Read one XML return into the 903 tables (the frames :func:`csv_files.read_table_file`
    gives for that year's CSV files), recording its checksum, rows read, the personal columns
    dropped, the elements not read and, with ``schema`` (its file name and the schema), each
    element that breaks the schema. Raises :class:`InputError` for a file that is not
    well-formed XML."""
    reader = _Reader(rel, schema[1] if schema else None)
    with open(path, "rb") as fh:
        hashed = _Hashed(fh)
        try:
            reader.read(hashed)
        except etree.XMLSyntaxError as exc:
            raise InputError(_not_xml(rel, exc)) from None
        while hashed.read(1 << 20):  # the checksum covers the whole file
            pass
    log.checksums[rel] = hashed.sha.hexdigest()
    frames, by_line = reader.frames()
    for name, df in frames.items():
        table = TABLES[name]
        where = label(rel, name)
        log.rows_read[where] = (name, len(df))
        if not len(df) and table.required_file:
            rr.FILE_NO_ROWS.record_file(log, where, "")
        for col in sorted(reader.personal.get(name, ())):
            log.dropped.append({"file": where, "column": col, "reason": PERSONAL_DROP_REASON})
    if reader.bad_uasc:
        lines, values = zip(*reader.bad_uasc, strict=True)
        rows = pd.DataFrame({"_file": label(rel, "header"), "_row": list(lines)})
        rr.CODE_UNKNOWN.record(log, rows, "UASC", value=pd.Series(values, index=rows.index),
                               action="value treated as no: not counted as unaccompanied "
                               "asylum-seeking")
    _note(log, rel, reader, by_line, schema)
    return frames


def _note(log: Findings, rel: str, reader: _Reader, by_line: bool,
          schema: tuple[str, etree.XMLSchema] | None) -> None:
    """The file's notes: the elements not read, how rows are numbered, the schema check; and
    the schema's findings."""
    if reader.ignored:
        known = sorted((n, c) for n, c in reader.ignored.items() if n in NOT_USED)
        other = sorted((n, c) for n, c in reader.ignored.items() if n not in NOT_USED)
        parts = [f"{n} ×{c} ({NOT_USED[n]}: a table the kit does not use)" for n, c in known]
        parts += [f"{n} ×{c} (not part of the return as the kit reads it)" for n, c in other]
        log.note(rel, "elements not read", "; ".join(parts))
    if not by_line:
        log.note(rel, "row numbers", "several rows start on one line of the file, so each "
                 "table's rows are numbered in the order they come (1, 2, …), not by line")
    if schema is None:
        return
    name = schema[0]
    if not reader.schema_ok:
        log.note(rel, "XML schema", f"not checked: {name} does not describe an {ROOT} return")
        return
    n = len(reader.violations)
    log.note(rel, "XML schema", f"checked against {name}: "
             + (f"{n} element{'s' if n != 1 else ''} break it (rule xml_schema)" if n
                else "every element is valid"))
    if not n:
        return
    v = pd.DataFrame(reader.violations, columns=["_row", "column", "value", "message"])
    v["_file"] = rel
    for (column, message), rows in v.groupby(["column", "message"], sort=False):
        rr.XML_SCHEMA.record(log, rows, str(column), value=rows["value"],
                             message=f"not valid against {name}: {message}")


def _schema_beside(path: Path, root: Path, log: Findings,
                   cache: dict[Path, etree.XMLSchema | None]) -> tuple[str, etree.XMLSchema] | None:
    """The schema for a return: the one ``.xsd`` file in its folder, else in ``903/``."""
    for folder in dict.fromkeys((path.parent, root)):
        xsds = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".xsd" and p.is_file())
        rel = folder.relative_to(root.parent).as_posix()
        if len(xsds) > 1:
            log.note(f"{rel}/", "XML schema", f"not checked: {len(xsds)} .xsd files in one "
                     "folder; keep the one for the return's year")
            return None
        if xsds:
            xsd = xsds[0]
            if xsd not in cache:
                cache[xsd] = _load_schema(xsd, xsd.relative_to(root.parent).as_posix(), log)
            return (xsd.name, cache[xsd]) if cache[xsd] is not None else None
    return None


def read_returns(found: list[tuple[int, Path]], csv_files: dict[str, list[tuple[int, Path]]],
                 root: Path, log: Findings) -> dict[str, list[tuple[int, pd.DataFrame]]]:
    """Read the XML returns among the ``.xml`` files ``found`` under ``root`` (each with the
    collection year of its folder, 0 for ``903/`` itself): each table's frames with their year.
    An XML file that is not a return is listed as unused. Raises :class:`InputError` where one
    folder holds two returns, or a return and 903 CSV files (``csv_files``, by table)."""
    csv_in: dict[Path, list[str]] = {}
    for name, entries in csv_files.items():
        if name in _TABLE_NAMES or name in SSDA903_UNUSED:
            for _, p in entries:
                csv_in.setdefault(p.parent, []).append(p.name)
    returns: dict[Path, Path] = {}
    cache: dict[Path, etree.XMLSchema | None] = {}
    out: dict[str, list[tuple[int, pd.DataFrame]]] = {}
    for year, path in found:
        rel = path.relative_to(root.parent).as_posix()
        top = root_element(path, rel)
        if top != ROOT:
            log.unused.append(f"{rel} (XML whose root element is {top}, not {ROOT}: not a 903 "
                              "return)")
            continue
        folder = path.parent
        where = f"{folder.relative_to(root.parent).as_posix()}/"
        if folder in returns:
            raise InputError(f"{where} holds two 903 XML returns ({returns[folder].name} and "
                             f"{path.name}): keep one return per collection-year folder.")
        if folder in csv_in:
            names = ", ".join(sorted(csv_in[folder]))
            raise InputError(f"{where} holds both an XML return ({path.name}) and 903 CSV files "
                             f"({names}): keep one form of that year's return, the XML file or "
                             "the CSV files.")
        returns[folder] = path
        frames = read_return(path, rel, log, _schema_beside(path, root, log, cache))
        for name, df in frames.items():
            out.setdefault(name, []).append((year, df))
    return out
