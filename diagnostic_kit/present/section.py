"""What a section notebook shows and hands to the runner.

A notebook makes one :class:`Section` and then calls ``md`` for narrative, ``table`` for tables
and ``metric`` for headline measures. Under the runner (``output_dir`` set), metrics and tables
are also written to ``output_dir`` so the runner can assemble ``metrics.json`` and
``tables.xlsx``; run by hand they are only displayed.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

from diagnostic_kit import registry
from diagnostic_kit.present import narrative as nv


def _snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


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


def _plain_missing(df: pd.DataFrame) -> pd.DataFrame:
    """Nullable columns as plain ones, so that to_html's na_rep shows every missing value."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s.dtype):
            out[col] = s.astype("float64")
        elif isinstance(s.dtype, pd.api.extensions.ExtensionDtype) and not isinstance(
            s.dtype, pd.CategoricalDtype | pd.DatetimeTZDtype
        ):
            out[col] = s.astype(object).where(s.notna(), np.nan)
    return out


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
        self, key: str, output_dir: str | Path | None = None, *, suppress_below: int = 0
    ) -> None:
        #: The section's entry in ``sections.yml`` (an unknown key stops here, by name).
        self.spec = registry.section(key)
        self.key = key
        # Sentences built in this kernel suppress small counts in the same way.
        nv.set_suppression(suppress_below)
        self.output_dir = Path(output_dir) if output_dir else None
        self.suppress_below = suppress_below
        self.metrics: dict[str, Any] = {}
        self.tables: dict[str, pd.DataFrame] = {}

    @classmethod
    def of(cls, la: Any, output_dir: str | Path | None = None) -> Section:
        """The section that ``la`` (``open_la(..., section=KEY)``) was opened for, with the
        LA's suppression setting."""
        return cls(la.spec.key, output_dir, suppress_below=la.params.suppress_below)

    # -- narrative ------------------------------------------------------------------------
    def md(self, text: str) -> None:
        """Show Markdown built from computed values."""
        display(Markdown(text))

    def notice(self, text: str) -> None:
        """Show a boxed notice, e.g. that an optional extract is missing."""
        display(HTML(f'<div class="kit-notice">{text}</div>'))

    def missing_extracts(self, missing: pd.DataFrame, needs: dict[str, str]) -> None:
        """Say which optional local extracts this section uses were not supplied, and what
        that leaves out. ``missing`` is ``dq.missing_extracts``; ``needs`` maps a table name
        to what this section takes from it. The tables reported are kept in ``self.absent``
        (nothing is returned, so the notebook cell shows no stray value)."""
        absent = [t for t in needs if t in set(missing["table"])]
        for table in absent:
            self.notice(
                f"<strong>local/{table}.csv was not supplied</strong>, so this section cannot "
                f"show {needs[table]}. To add it, fill <code>data_templates/{table}.csv</code>."
            )
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
    ) -> None:
        """Show a table with its title and keep it for ``tables.xlsx``.

        Counts of children (the columns in ``counts``, and any numeric column whose heading
        names children, households or a group of them: :data:`COUNT_WORDS`) are suppressed
        under ``suppress_below``, and so are the percentages in a row that rests on a suppressed
        count; ``tables.xlsx`` then keeps the suppressed table too. A ``per_child`` table (one
        row per child, by pseudonym) is left out altogether when suppression is on.
        """
        name = name or _snake(title)
        if per_child and self.suppress_below:
            self.notice(f"<strong>{title}</strong>: not shown, because small numbers are "
                        f"suppressed in this report (counts under {self.suppress_below}).")
            return
        shown = self.suppress(df, counts)
        kept = shown if self.suppress_below else df
        self.tables[name] = kept
        if self.output_dir is not None:
            out = self.output_dir / "tables"
            out.mkdir(parents=True, exist_ok=True)
            kept.to_pickle(out / f"{self.key}__{name}.pkl")
            (out / f"{self.key}__{name}.title").write_text(title, encoding="utf-8")
        html = _plain_missing(shown).to_html(index=index, classes="kit-table", border=0,
                                             na_rep="–", float_format=lambda x: f"{x:,.1f}")
        caption = f'<p class="kit-table-title">{title}</p>'
        foot = f'<p class="kit-table-note">{note}</p>' if note else ""
        # A wide table scrolls inside its own box rather than running off the page.
        display(HTML(f'{caption}<div class="kit-table-wrap">{html}</div>{foot}'))

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
