"""Validation rules as small registered functions.

Each rule is a function of the input tables (and a :class:`Context`: the data window, the end of
each collection year) that returns the rows it flags. It is registered with :func:`rule`, which
adds its id, message and action to the one catalogue (``inputs.findings.RULES``) so that section
8 and ``data_quality.csv`` look every rule up in one place::

    @rule(id="episode_ends_before_start", message="...", action="DEC treated as blank",
          tables=("episodes",), column="DEC", effect="blank", validator="356")
    def ends_before_start(t, ctx):
        ep = t["episodes"]
        return ep[ep["DEC"] < ep["DECOM"]]

The returned frame is a subset of one table's rows, with that table's index (and ``_file`` and
``_row``); it may carry
``_value`` (the value to show; dates are shown ``dd/mm/yyyy``) and ``_column`` (when the
column is not always the same). :func:`run` records one finding per row and applies the rule's
``effect`` to the table, so that what the kit did is what the finding says:

- ``None``: the row is kept as it is;
- ``"blank"``: the rule's column is treated as blank in those rows;
- ``"exclude"``: the rows are excluded from the table (and listed as excluded).

A rule may return rows that are not its table's (a year's return row that a later return
replaced, compared by ``rules.returns``): those are findings only, no effect applies to them.
:func:`catalogue` lists every rule of the catalogue, the checks made while reading included, and
:func:`catalogue_csv` is the text of ``data_templates/rules.csv``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from diagnostic_kit.inputs.findings import RULES, STAGES, Findings, Rule, register

Effect = Literal["blank", "exclude"] | None


@dataclass(frozen=True)
class Context:
    """What a rule may need besides the tables."""

    #: 1 April of the earliest collection year in the data (None when unknown).
    window_start: pd.Timestamp | None = None
    #: The latest date the data can hold: 31 March of the last collection year, or the day of
    #: the run for files given combined.
    data_end: pd.Timestamp | None = None
    #: The day of the run.
    today: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.today().normalize())


@dataclass(frozen=True)
class RegisteredRule:
    rule: Rule
    fn: Callable[[dict[str, pd.DataFrame], Context], pd.DataFrame]
    table: str
    column: str
    effect: Effect
    stage: str
    #: Another rule whose finding already tells of these rows: this one only applies its
    #: effect (and lists the rows excluded), recording no finding of its own.
    covered_by: str | None = None
    #: Why the rows an ``exclude`` rule drops are excluded, as the row accounting says it
    #: (the rule's message when not given).
    excluded_as: str | None = None

    @property
    def id(self) -> str:
        return self.rule.id


#: Every registered rule by id, in registration order.
REGISTRY: dict[str, RegisteredRule] = {}


def rule(
    *,
    id: str,  # noqa: A002 - the rule's id, as in the catalogue
    message: str,
    action: str,
    tables: tuple[str, ...],
    column: str,
    effect: Effect = None,
    validator: str | None = None,
    stage: str = "inputs",
    covered_by: str | None = None,
    excluded_as: str | None = None,
):
    """Register a rule function (see the module docstring). ``tables[0]`` is the table whose
    rows it returns; ``stage`` groups rules run at the same point of ``run.prepare``
    (``inputs.findings.STAGES``: ``inputs`` on the tables as read; ``episodes`` on the episode
    chains, by ``derive.periods.clean_episodes``; ``adoption`` on the episodes in periods of
    care and the adoption tables; ``journeys`` on the journey facts). ``validator`` is the
    DfE rule number where the rule checks what it checks (several, comma-separated).
    ``covered_by``, ``excluded_as``: see :class:`RegisteredRule`."""
    if stage not in STAGES:
        raise ValueError(f"rule {id!r}: unknown stage {stage!r} (one of {', '.join(STAGES)})")

    def deco(fn):
        r = register(Rule(id, message, action, tables=tables, validator=validator,
                          column=column, stage=stage))
        REGISTRY[id] = RegisteredRule(r, fn, tables[0], column, effect, stage, covered_by,
                                      excluded_as)
        return fn

    return deco


_MEMO = threading.local()


@contextlib.contextmanager
def memo_scope() -> Iterator[None]:
    """While it is open (:func:`run` opens one), :func:`memo` keeps what rules derive from the
    same table (e.g. the episodes in chain order), so that rules reading the same frame derive
    it once. Results are kept for the frame object itself; a rule's effect makes a new frame."""
    if getattr(_MEMO, "cache", None) is not None:
        yield
        return
    _MEMO.cache = {}
    try:
        yield
    finally:
        _MEMO.cache = None


def memo(name: str, frame: pd.DataFrame, fn: Callable[[pd.DataFrame], object]) -> object:
    """``fn(frame)``, computed once per frame object within a :func:`memo_scope`."""
    cache = getattr(_MEMO, "cache", None)
    if cache is None:
        return fn(frame)
    hit = cache.get(name)
    if hit is not None and hit[0] is frame:
        return hit[1]
    value = fn(frame)
    cache[name] = (frame, value)
    return value


def _shown(rows: pd.DataFrame, column: str) -> pd.Series:
    if "_value" in rows:
        return rows["_value"].astype("string")
    if column not in rows:
        return pd.Series("", index=rows.index, dtype="string")
    s = rows[column]
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%d/%m/%Y").astype("string")
    return s.astype("string")


def check(rule_id: str, tables: dict[str, pd.DataFrame], ctx: Context | None = None
          ) -> tuple[pd.DataFrame, Findings]:
    """Run one rule: the rows it flags and its findings (no effect applied)."""
    reg = REGISTRY[rule_id]
    found = Findings()
    if reg.table not in tables:
        return pd.DataFrame(), found
    rows = reg.fn(tables, ctx or Context())
    if rows is None or rows.empty:
        return pd.DataFrame(columns=["_file", "_row"]), found
    if "_column" in rows:
        for col, grp in rows.groupby("_column", sort=False):
            found.add(rule_id, grp, str(col), value=_shown(grp, str(col)))
    else:
        found.add(rule_id, rows, reg.column, value=_shown(rows, reg.column))
    return rows, found


def run(
    tables: dict[str, pd.DataFrame],
    ctx: Context | None = None,
    *,
    stage: str = "inputs",
    ids: list[str] | None = None,
) -> tuple[dict[str, pd.DataFrame], Findings]:
    """Run the rules of one stage (or the ``ids`` given) in registration order.

    Returns the tables with each rule's effect applied (a new dict; frames not changed are the
    same objects) and the findings of all of them.
    """
    with memo_scope():
        return _run(tables, ctx or Context(), stage, ids)


def _run(
    tables: dict[str, pd.DataFrame], ctx: Context, stage: str, ids: list[str] | None
) -> tuple[dict[str, pd.DataFrame], Findings]:
    out = dict(tables)
    found = Findings()
    chosen = ids if ids is not None else [k for k, r in REGISTRY.items() if r.stage == stage]
    for rule_id in chosen:
        reg = REGISTRY[rule_id]
        rows, f = check(rule_id, out, ctx)
        if reg.covered_by is None:
            found.extend(f)
        if rows.empty or reg.effect is None:
            continue
        df = out[reg.table]
        idx = df.index.intersection(rows.index)
        if reg.effect == "blank":
            df = df.copy()
            df[reg.column] = df[reg.column].mask(df.index.isin(idx))
        elif reg.effect == "exclude":
            found.exclude(df.loc[idx], reg.table, _reason(reg))
            df = df.drop(index=idx)
        out[reg.table] = df
    return out, found


def _reason(reg: RegisteredRule) -> str:
    """Why the rows a rule excludes are excluded, as the exclusions list says it."""
    return reg.excluded_as or reg.rule.message


#: How the catalogue names the tables of a check made on every file as it is read.
EVERY_FILE = "every input file"


def catalogue() -> pd.DataFrame:
    """Every rule of the one catalogue (``inputs.findings.RULES``), in the order the stages
    run (``inputs.findings.STAGES``) and, within a stage, the order the rules run: ``rule``,
    ``dfe`` (the DfE validator's rule number(s), blank where none checks the same thing),
    ``stage``, ``tables``, ``column``, ``message``, ``action`` (what the kit does with the
    row) and ``function`` (``module.function`` that finds its rows; blank for a check made
    while a file is read, which the reader makes as it parses: ``inputs.reading_rules``)."""
    rows = []
    for r in RULES.values():
        reg = REGISTRY.get(r.id)
        fn = reg.fn if reg is not None else None
        rows.append({
            "rule": r.id, "dfe": r.validator or "", "stage": r.stage,
            "tables": ", ".join(r.tables) or EVERY_FILE, "column": r.column,
            "message": r.message, "action": r.action,
            "function": f"{fn.__module__.removeprefix('diagnostic_kit.')}.{fn.__name__}"
            if fn is not None else ""})
    out = pd.DataFrame(rows, columns=["rule", "dfe", "stage", "tables", "column", "message",
                                      "action", "function"])
    order = {s: i for i, s in enumerate(STAGES)}
    return out.sort_values("stage", key=lambda s: s.map(order), kind="stable",
                           ignore_index=True)


#: The rule catalogue's file, written beside the templates by ``adoption-diagnostic templates``.
CATALOGUE_FILE = "rules.csv"
#: Its columns, as a reader sees them.
CATALOGUE_HEADINGS = {"rule": "rule", "dfe": "dfe_rule", "stage": "stage", "tables": "tables",
                      "column": "column", "message": "finding", "action": "what_the_kit_does",
                      "function": "function"}


def catalogue_csv() -> str:
    """:func:`catalogue` as the text of ``data_templates/rules.csv`` (UTF-8, ``\\n`` line
    endings, the same on every run)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CATALOGUE_HEADINGS.values())
    w.writerows(catalogue()[list(CATALOGUE_HEADINGS)].itertuples(index=False, name=None))
    return buf.getvalue()
