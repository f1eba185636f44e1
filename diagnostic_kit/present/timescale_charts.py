"""Section 2's charts: median days per stage against the standards, their spread, where the
days are lost, the trends by year and the scorecard measures by year, each with the alt text
that states its message. The style, colours and output are the shared ones of :mod:`charts`."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from diagnostic_kit.derive.journeys import STAGES
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.charts import (
    DEFAULT_SOURCE,
    GREY,
    OKABE_ITO,
    STAGE_COLOURS,
    apply_style,
    describe,
    finish,
)
from diagnostic_kit.present.timescales import STAGE_LABELS, STAGE_SHORT


def _days(x: float) -> str:
    return f"{nv.number(x)} days"


def medians_alt(stats: pd.DataFrame) -> str:
    """The message of the stage medians chart: the longest stage against its standard, then
    every stage's median and standard."""
    st = stats.set_index("stage").reindex(list(STAGES))
    known = st["median"].dropna()
    if known.empty:
        return "Median days per stage: no stage could be measured."
    top = known.idxmax()
    std = st.loc[top, "standard_days"]
    against = f" against a {nv.number(std)}-day standard" if pd.notna(std) else ""
    over = [s for s in known.index if pd.notna(st.loc[s, "standard_days"])
            and known[s] > st.loc[s, "standard_days"]]
    parts = [f"{STAGE_LABELS[s]} {_days(known[s])}"
             + (f" (standard {nv.number(st.loc[s, 'standard_days'])})"
                if pd.notna(st.loc[s, "standard_days"]) else "") for s in known.index]
    return (f"Median days per stage: the longest stage is "
            f"{nv.lower_first(STAGE_LABELS[top])}, {_days(known[top])}{against}; "
            f"{len(over)} of {len(known)} stages are over their standard. "
            f"Medians: {'; '.join(parts)}. Laid end to end the medians come to "
            f"{_days(known.sum())} against standards of "
            f"{_days(st['standard_days'].dropna().sum())}.")


def stage_medians_chart(stats: pd.DataFrame, source: str = DEFAULT_SOURCE, *,
        title: str = (
            "Where the time goes: median days per stage against the standards"),
) -> Figure:
    """Where the time goes: the five stage medians laid end to end against the five standards.
    A segment too narrow for its number has it in the legend instead.

    ``stats`` is ``timescales.stage_statistics`` (columns stage, children, median,
    standard_days)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(9, 3.2))
    st = stats.set_index("stage").reindex(list(STAGES))
    lo, hi = int(st["children"].min()), int(st["children"].max())
    counted = nv.count(lo) if lo == hi else f"{nv.count(lo)}–{nv.count(hi)}"
    bars = [("Standards", "standard_days", 0.45),
            (f"Medians, children adopted\n({counted} children per stage)", "median", 1.0)]
    total = np.nansum([np.nansum(st[c].to_numpy(dtype=float)) for _, c, _ in bars[:1]] +
                      [np.nansum(st["median"].to_numpy(dtype=float))])
    fit = max(45.0, 0.045 * max(total, 1.0))  # a number fits a segment this wide
    for y, (_, col, alpha) in enumerate(bars):
        left = 0.0
        for stage in STAGES:
            width = st.loc[stage, col]
            if pd.isna(width) or width <= 0:
                continue
            ax.barh(y, width, left=left, color=STAGE_COLOURS[stage], alpha=alpha,
                    edgecolor="white", linewidth=1.2, height=0.6)
            if width >= fit:
                ax.text(left + width / 2, y, f"{nv.number(width)}", ha="center", va="center",
                        fontsize=10, color="black" if alpha < 1 or stage != "adm_to_po"
                        else "white")
            left += width
        ax.text(left + 8, y, f"{nv.number(left)} days", va="center", fontsize=10)
    ax.set_yticks(range(len(bars)), [b[0] for b in bars])
    ax.set_xlabel("Days from care entry (stage medians laid end to end)")
    ax.set_xlim(0, ax.get_xlim()[1] * 1.16)
    handles = []
    for stage in STAGES:
        med, std = st.loc[stage, "median"], st.loc[stage, "standard_days"]
        vals = ", ".join(v for v in (f"median {nv.number(med)}" if pd.notna(med) else "",
                                      f"standard {nv.number(std)}" if pd.notna(std) else "") if v)
        handles.append(Patch(color=STAGE_COLOURS[stage], label=f"{STAGE_SHORT[stage]}: {vals}"))
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9)
    fig = finish(fig, title,
                 source, note="Medians of each stage; the sum of medians is not the median "
                 "journey. Each stage counts the children with both its dates.")
    return describe(fig, medians_alt(stats))


def spread_alt(stage_days: pd.DataFrame, standards: dict[str, int]) -> str:
    """The message of the spread chart: the stage where most children are over the standard,
    then each stage's median, middle half and standard."""
    parts, worst = [], None
    for stage in STAGES:
        if stage not in stage_days:
            continue
        v = stage_days[stage].dropna()
        if v.empty:
            continue
        std = standards.get(stage)
        q1, med, q3 = v.quantile([0.25, 0.5, 0.75])
        text = (f"{STAGE_SHORT[stage]}: median {nv.number(med)}, middle half "
                f"{nv.number(q1)} to {nv.number(q3)}")
        if std is not None:
            over = int(v.gt(std).sum())
            text += f", standard {std:,}, {nv.count(over)} of {nv.count(len(v))} over"
            share = over / len(v)
            if worst is None or share > worst[1]:
                worst = (stage, share, over, len(v), std)
        parts.append(text)
    if not parts:
        return "Spread of days per stage: no stage could be measured."
    lead = "Spread of days per stage for each child adopted"
    if worst is not None:
        stage, share, over, n, std = worst
        lead += (f": the stage where most children took longer than the standard is "
                 f"{nv.lower_first(STAGE_LABELS[stage])}, {nv.count_of(over, n)} "
                 f"over its {std:,}-day standard")
    return f"{lead}. " + "; ".join(parts) + " (days)."


def stage_spread_chart(stage_days: pd.DataFrame, standards: dict[str, int],
                       source: str = DEFAULT_SOURCE, *,
        title: str = (
            "Spread of days per stage, children adopted in the period"),
) -> Figure:
    """Spread of days per stage (seaborn): a box (quartiles, median as a solid line) with every
    child as a dot, and the standard as a dashed line with a triangle that stands clear of the
    box, so that a median close to its standard never hides it; the two numbers are written at
    the right of each row. ``stage_days`` has one column per stage (NaN when not measured)."""
    import seaborn as sns

    apply_style()
    fig, ax = plt.subplots(figsize=(9, 4.6))
    order = list(STAGES)
    long = (stage_days.reindex(columns=order).melt(var_name="stage", value_name="days")
            .dropna(subset=["days"]))
    labels = {s: STAGE_SHORT[s] for s in order}
    long["label"] = pd.Categorical(long["stage"].map(labels), [labels[s] for s in order])
    palette = {labels[s]: STAGE_COLOURS[s] for s in order}
    if len(long):
        sns.boxplot(data=long, x="days", y="label", hue="label", palette=palette, ax=ax,
                    order=[labels[s] for s in order], showfliers=False, width=0.55,
                    dodge=False,
                    legend=False, linewidth=1.2,
                    boxprops={"alpha": 0.35},
                    medianprops={"color": "black", "linewidth": 2.2, "alpha": 1})
    rng = np.random.default_rng(0)  # fixed jitter: the same chart every run
    right = float(np.nanmax([long["days"].max() if len(long) else 0,
                             *[v for v in standards.values() if v is not None], 1]))
    for y, stage in enumerate(order):
        v = stage_days[stage].dropna().to_numpy() if stage in stage_days else np.array([])
        if len(v):
            ax.scatter(v, y + rng.uniform(-0.16, 0.16, len(v)), s=11,
                       color=STAGE_COLOURS[stage], alpha=0.8, linewidths=0, zorder=3)
        std = standards.get(stage)
        if std is not None:
            # Outside the box only: above and below it, with a triangle marker on top.
            for a, b in ((y - 0.45, y - 0.29), (y + 0.29, y + 0.45)):
                ax.plot([std, std], [a, b], color="black", linewidth=1.6,
                        linestyle=(0, (2, 1)), zorder=4)
            ax.plot([std], [y - 0.45], marker="v", color="black", markersize=6, zorder=5,
                    clip_on=False)
        med = float(np.median(v)) if len(v) else np.nan
        bits = [f"median {nv.number(med)}" if len(v) else "", f"standard {std:,}" if std else ""]
        ax.text(1.01, y, "\n".join(b for b in bits if b), transform=ax.get_yaxis_transform(),
                va="center", ha="left", fontsize=9)
    counts = {s: int(stage_days[s].notna().sum()) if s in stage_days else 0 for s in order}
    ax.set_yticks(range(len(order)),
                  [f"{STAGE_SHORT[s]}\n({nv.children(counts[s])})" for s in order])
    ax.set_ylabel("")
    ax.set_xlabel("Days")
    ax.set_xlim(0, right * 1.03)
    ax.set_ylim(len(order) - 0.5, -0.6)
    ax.legend(handles=[plt.Line2D([], [], color="black", linewidth=1.6, linestyle=(0, (2, 1)),
                                  marker="v", markersize=6, label="Standard"),
                       plt.Line2D([], [], color="black", linewidth=2.2,
                                  label="Median (the box holds the middle half of children; "
                                  "each dot is a child)")],
              loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=9)
    fig = finish(fig, title, source)
    return describe(fig, spread_alt(stage_days, standards))


def _short_year(year: object) -> str:
    """``2023-24`` as ``23-24`` (five panels side by side leave no room for more)."""
    text = str(year)
    return f"{text[2:4]}-{text[-2:]}" if len(text) == 7 and text[4] == "-" else text


def trend_alt(trend: pd.DataFrame) -> str:
    """The message of the trend chart: the stage that changed most between the first and last
    year, then every stage's medians by year."""
    years = sorted(trend["year"].unique())
    if not years:
        return "Median days per stage by year: no year could be measured."
    parts, biggest = [], None
    for stage in STAGES:
        t = trend.loc[trend["stage"].eq(stage)].set_index("year").reindex(years)["median"]
        if t.notna().sum() == 0:
            continue
        parts.append(f"{STAGE_SHORT[stage]}: " + ", ".join(
            f"{y} {nv.number(v)}" for y, v in t.items() if pd.notna(v)))
        known = t.dropna()
        if len(known) >= 2:
            change = known.iloc[-1] - known.iloc[0]
            if biggest is None or abs(change) > abs(biggest[1]):
                biggest = (stage, change, known.index[0], known.iloc[0], known.index[-1],
                           known.iloc[-1])
    lead = f"Median days per stage by year of adoption, {years[0]} to {years[-1]}"
    if biggest is not None:
        stage, change, y0, v0, y1, v1 = biggest
        way = "fell" if change < 0 else "rose" if change > 0 else "stayed"
        lead += (f": the biggest change is {nv.lower_first(STAGE_LABELS[stage])}, which "
                 f"{way} from {nv.number(v0)} days in {y0} to {nv.number(v1)} in {y1}")
    return f"{lead}. " + "; ".join(parts) + " (median days)."


def trend_chart(trend: pd.DataFrame, source: str = DEFAULT_SOURCE, *,
        title: str = (
            "Median days per stage by year of adoption"),
        standards: dict[str, int] | None = None,
) -> Figure:
    """Median days per stage by financial year of the adoption order (``stage_trend``): one
    small panel per stage (seaborn facets, each on its own scale so a short stage's change
    shows), with the standard as a dashed line where ``standards`` gives it."""
    import seaborn as sns

    apply_style()
    years = sorted(trend["year"].unique())
    stages = [s for s in STAGES if trend["stage"].eq(s).any()] or list(STAGES)
    data = trend.loc[trend["stage"].isin(stages)].copy()
    data["panel"] = pd.Categorical(data["stage"].map(STAGE_SHORT),
                                   [STAGE_SHORT[s] for s in stages])
    data["year"] = pd.Categorical(data["year"], years)
    grid = sns.FacetGrid(data, col="panel", col_wrap=min(len(stages), 5), sharey=False,
                         height=2.9, aspect=0.62, despine=True)
    fig = grid.figure
    fig.set_size_inches(9, 3.6)
    for ax, stage in zip(grid.axes.flat, stages, strict=False):
        t = trend.loc[trend["stage"].eq(stage)].set_index("year").reindex(years)
        x = np.arange(len(years))
        ax.plot(x, t["median"].to_numpy(dtype=float), marker="o", color=STAGE_COLOURS[stage],
                linewidth=2.2)
        if "low" in t:
            _interval_bars(ax, x, t["median"], t["low"], t["high"])
        for xi, v in zip(x, t["median"], strict=True):
            if pd.notna(v):
                ax.annotate(f"{nv.number(v)}", (xi, v), textcoords="offset points", xytext=(0, 6),
                            ha="center", fontsize=9)
        std = (standards or {}).get(stage)
        top = np.nanmax([t["median"].max(), t["high"].max() if "high" in t else 0, std or 0,
                         1])
        if std is not None:
            ax.axhline(std, color="black", linestyle=(0, (2, 1.5)), linewidth=1.2)
        ax.set_ylim(0, top * 1.25)
        ax.set_xticks(x, [_short_year(y) for y in years], fontsize=9)
        ax.set_xlim(-0.4, len(years) - 0.6)
        ax.set_title(STAGE_SHORT[stage], fontsize=10, fontweight="bold", loc="left")
        ax.grid(axis="y", color="#E5E5E5")
        ax.grid(axis="x", visible=False)
        ax.set_xlabel("")
        ax.set_ylabel("")
    grid.axes.flat[0].set_ylabel("Median days")
    fig.supxlabel("Financial year of the adoption order (23-24: April 2023 to March 2024)",
                  fontsize=10)
    note = ("Each panel has its own scale; the bars are each median's 95% interval. A year "
            "with few adoptions moves a lot; the table gives the children behind each median.")
    if standards:
        note = "Dashed line: the stage's standard. " + note
    fig = finish(fig, title, source, note=note)
    return describe(fig, trend_alt(trend))


def _interval_bars(ax, x, value: pd.Series, low: pd.Series, high: pd.Series) -> None:
    """Each point's 95% interval as a thin grey bar (``measures.change``); none where a year
    has no interval (fewer than two children)."""
    v, lo, hi = (np.asarray(s, dtype=float) for s in (value, low, high))
    ok = ~(np.isnan(v) | np.isnan(lo) | np.isnan(hi))
    if ok.any():
        ax.errorbar(np.asarray(x)[ok], v[ok], yerr=[v[ok] - lo[ok], hi[ok] - v[ok]],
                    fmt="none", ecolor=GREY, elinewidth=1.2, capsize=3, zorder=1)


def days_lost_alt(lost: pd.DataFrame) -> str:
    """The message of the days-lost chart: the stage that loses the most child-days, then
    every stage's child-days over its standard."""
    t = lost.loc[lost["days_over"].gt(0)]
    if t.empty:
        return "Child-days over each stage's standard: no child went over a standard."
    top = t.iloc[0]
    parts = [f"{STAGE_LABELS[r['stage']]} {nv.number(r['days_over'])} "
             f"({nv.number(r['adopted_days_over'])} adopted, "
             f"{nv.number(r['in_process_days_over'])} in the process)"
             for _, r in lost.iterrows()]
    return (f"Child-days over each stage's standard: most are lost in "
            f"{nv.lower_first(STAGE_LABELS[top['stage']])}, {nv.number(top['days_over'])} "
            "child-days "
            f"({nv.pct(top['share'])} of all). " + "; ".join(parts) + ".")


def days_lost_chart(lost: pd.DataFrame, source: str = DEFAULT_SOURCE, *,
                    title: str = "Where the days are lost: child-days over each stage's "
                                 "standard") -> Figure:
    """Child-days over each stage's standard (``timescales.days_lost``), largest first, split
    into children adopted in the period (solid) and children in the process now (hatched)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(9, 3.4))
    t = lost.iloc[::-1]
    y = np.arange(len(t))
    for yi, (_, r) in zip(y, t.iterrows(), strict=True):
        colour = STAGE_COLOURS[r["stage"]]
        ax.barh(yi, r["adopted_days_over"], color=colour, height=0.6, edgecolor="white")
        ax.barh(yi, r["in_process_days_over"], left=r["adopted_days_over"], color="white",
                hatch="///", edgecolor=colour, height=0.6, linewidth=1.0)
        ax.text(r["days_over"] + 20, yi, f"{nv.number(r['days_over'])} ({nv.pct(r['share'])})",
                va="center", fontsize=10)
    ax.set_yticks(y, [STAGE_SHORT[s] for s in t["stage"]])
    ax.set_xlabel("Child-days over the standard (each child's days beyond it, added up)")
    ax.set_xlim(0, max(float(lost["days_over"].max()), 1.0) * 1.25)
    ax.legend(handles=[Patch(facecolor=GREY, label="Children adopted in the period"),
                       Patch(facecolor="white", edgecolor=GREY, hatch="///",
                             label="Children in the process now (days so far)")],
              loc="lower right", fontsize=9)
    fig = finish(fig, title, source, note="A child within a stage's standard adds nothing; "
                 "a child 30 days over it adds 30. Children in the process count the stages "
                 "completed and the days so far of the stage they are in.")
    return describe(fig, days_lost_alt(lost))


def scorecard_trend_alt(trend: pd.DataFrame, threshold: float | None) -> str:
    """The message of the scorecard trend chart: each measure's mean by year with its
    interval."""
    parts = []
    for key in ("a1", "a10", "a2"):
        t = trend.loc[trend["key"].eq(key) & trend["year"].ne("Whole period")].sort_values(
            "year")
        if t.empty:
            continue
        parts.append(f"{key.upper()}: " + ", ".join(
            f"{r['year']} {nv.number(r['value'])} days"
            + (f" (95% interval {nv.number(r['low'])} to {nv.number(r['high'])})"
               if pd.notna(r["low"]) else "") for _, r in t.iterrows()))
    if not parts:
        return "Scorecard measures by year: no year could be measured."
    lead = "Scorecard means by year of adoption order, each with its 95% interval"
    if threshold is not None:
        lead += f"; A1's threshold is {nv.number(threshold)} days"
    return f"{lead}. " + "; ".join(parts) + "."


def scorecard_trend_chart(trend: pd.DataFrame, source: str = DEFAULT_SOURCE, *,
                          thresholds: dict[str, float] | None = None,
                          title: str = "A1, A10 and A2 by year, with their 95% intervals"
                          ) -> Figure:
    """A1, A10 and A2 (mean days) by financial year of the AO (``summary.trends``), each
    with its 95% interval, beside its threshold (dashed) where ``thresholds`` gives it."""
    apply_style()
    keys = ("a1", "a10", "a2")
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.4), sharey=False)
    years = sorted(trend.loc[trend["year"].ne("Whole period"), "year"].unique())
    x = np.arange(len(years))
    colours = {"a1": OKABE_ITO["blue"], "a10": OKABE_ITO["sky_blue"],
               "a2": OKABE_ITO["vermillion"]}
    for ax, key in zip(axes, keys, strict=True):
        t = trend.loc[trend["key"].eq(key)].set_index("year").reindex(years)
        ax.plot(x, t["value"].to_numpy(dtype=float), marker="o", color=colours[key],
                linewidth=2.2)
        _interval_bars(ax, x, t["value"], t["low"], t["high"])
        thr = (thresholds or {}).get(key)
        if thr is not None:
            ax.axhline(thr, color="black", linestyle=(0, (2, 1.5)), linewidth=1.2)
        top = np.nanmax([t["high"].max(), t["value"].max(), thr or 0, 1])
        ax.set_ylim(0, top * 1.15)
        ax.set_xticks(x, [_short_year(y) for y in years], fontsize=9)
        ax.set_xlim(-0.4, max(len(years) - 0.6, 0.4))
        ax.set_title(key.upper(), fontsize=10, fontweight="bold", loc="left")
        ax.grid(axis="y", color="#E5E5E5")
        ax.grid(axis="x", visible=False)
    axes[0].set_ylabel("Mean days")
    fig.supxlabel("Financial year of the adoption order (23-24: April 2023 to March 2024)",
                  fontsize=10)
    note = ("Bars: each year's 95% interval; where two years' intervals overlap widely the "
            "change between them may be chance. Dashed line: the scorecard threshold (A1's "
            "applies to A10).")
    fig = finish(fig, title, source, note=note)
    return describe(fig, scorecard_trend_alt(trend, (thresholds or {}).get("a1")))
