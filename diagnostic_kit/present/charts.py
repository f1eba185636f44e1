"""The one chart style for the whole kit.

Every chart is titled, has labelled axes and a source footnote, and uses the Okabe–Ito palette,
which stays distinguishable with the common forms of colour blindness. Each stage of the
child's journey has one fixed colour, shared by every section (2 and 3 in particular).

Functions return a matplotlib ``Figure``; in a notebook show it with :func:`show` (which
displays it once and closes it).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from diagnostic_kit.derive.journeys import STAGES
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.timescales import STAGE_LABELS, STAGE_SHORT

# Okabe & Ito (2008), "Color universal design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#999999"
LIGHT_GREY = "#DDDDDD"

#: One colour per journey stage, everywhere in the report.
STAGE_COLOURS: dict[str, str] = {
    "entry_to_iro": OKABE_ITO["sky_blue"],
    "iro_to_adm": OKABE_ITO["orange"],
    "adm_to_po": OKABE_ITO["blue"],
    "po_to_placement": OKABE_ITO["vermillion"],
    "placement_to_ao": OKABE_ITO["bluish_green"],
}
#: A span of a journey that cannot be split into stages (a date is missing or out of order).
UNSPLIT_COLOUR = LIGHT_GREY
#: Comparison groups of section 1.
GROUP_COLOURS: dict[str, str] = {
    "looked_after": GREY,
    "decision": OKABE_ITO["sky_blue"],
    "adopted": OKABE_ITO["blue"],
}
RAG_COLOURS = {"green": OKABE_ITO["bluish_green"], "amber": OKABE_ITO["orange"],
               "red": OKABE_ITO["vermillion"], "not rated": GREY}

DEFAULT_SOURCE = "Source: the LA's SSDA903 returns and local extracts; adoption-diagnostic kit."

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO.values())[1:]),
}


def apply_style() -> None:
    """Set the kit's matplotlib style (called by every chart function)."""
    mpl.rcParams.update(STYLE)


def source_note(la_name: str | None = None, extra: str = "") -> str:
    """The footnote naming the data: "Source: Demoshire SSDA903 returns …"."""
    who = f"{la_name} " if la_name else "the LA's "
    text = f"Source: {who}SSDA903 returns and local extracts; adoption-diagnostic kit analysis."
    return f"{text} {extra}".strip()


def finish(fig: Figure, title: str, source: str, note: str = "") -> Figure:
    """Title the figure and add the source (and any note) as a footnote under it."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    foot = f"{note}\n{source}" if note else source
    fig.text(0.01, 0.005, foot, ha="left", va="bottom", fontsize=8, color="#444444", wrap=True)
    fig.tight_layout(rect=(0, 0.05 + 0.025 * foot.count("\n"), 1, 0.95))
    return fig


def show(fig: Figure) -> None:
    """Display a figure once in a notebook, then close it."""
    from IPython.display import display

    display(fig)
    plt.close(fig)


def _stage_legend(ax, stages: Sequence[str] = STAGES, unsplit: bool = False, **kw) -> None:
    handles = [Patch(color=STAGE_COLOURS[s], label=STAGE_LABELS[s]) for s in stages]
    if unsplit:
        handles.append(Patch(color=UNSPLIT_COLOUR, label="Not split into stages (date missing)"))
    ax.legend(handles=handles, **kw)


# -- section 2 ------------------------------------------------------------------------------

def stage_medians_chart(stats: pd.DataFrame, source: str = DEFAULT_SOURCE, *,
        title: str = (
            "Where the time goes: median days per stage against the standards"),
) -> Figure:
    """Where the time goes: the five stage medians laid end to end against the five standards.

    ``stats`` is ``timescales.stage_statistics`` (columns stage, children, median,
    standard_days)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(10, 3.2))
    st = stats.set_index("stage").reindex(list(STAGES))
    lo, hi = int(st["children"].min()), int(st["children"].max())
    counted = nv.count(lo) if lo == hi else f"{nv.count(lo)}–{nv.count(hi)}"
    bars = [("Standards", "standard_days", 0.45),
            (f"Medians, children adopted\n({counted} children per stage)", "median", 1.0)]
    for y, (_, col, alpha) in enumerate(bars):
        left = 0.0
        for stage in STAGES:
            width = st.loc[stage, col]
            if pd.isna(width) or width <= 0:
                continue
            ax.barh(y, width, left=left, color=STAGE_COLOURS[stage], alpha=alpha,
                    edgecolor="white", linewidth=1.2, height=0.6)
            if width >= 45:
                ax.text(left + width / 2, y, f"{width:,.0f}", ha="center", va="center",
                        fontsize=9, color="black" if alpha < 1 else "white")
            left += width
        ax.text(left + 8, y, f"{left:,.0f} days", va="center", fontsize=9)
    ax.set_yticks(range(len(bars)), [b[0] for b in bars])
    ax.set_xlabel("Days from care entry (stage medians laid end to end)")
    ax.set_xlim(0, ax.get_xlim()[1] * 1.08)
    _stage_legend(ax, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    return finish(fig, title,
                  source, note="Medians of each stage; the sum of medians is not the median "
                  "journey. Each stage counts the children with both its dates.")


def stage_spread_chart(stage_days: pd.DataFrame, standards: dict[str, int],
                       source: str = DEFAULT_SOURCE, *,
        title: str = (
            "Spread of days per stage, children adopted in the period"),
) -> Figure:
    """Spread of days per stage: a box (quartiles, median) with every child as a dot, and the
    standard as a black tick. ``stage_days`` has one column per stage (NaN when not measured)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(9, 4.2))
    rng = np.random.default_rng(0)  # fixed jitter: the same chart every run
    order = list(STAGES)[::-1]  # first stage at the top
    for y, stage in enumerate(order):
        v = stage_days[stage].dropna().to_numpy() if stage in stage_days else np.array([])
        if len(v):
            ax.boxplot(v, positions=[y], vert=False, widths=0.55, showfliers=False,
                       patch_artist=True,
                       boxprops={"facecolor": STAGE_COLOURS[stage], "alpha": 0.35,
                                 "edgecolor": STAGE_COLOURS[stage]},
                       medianprops={"color": "black", "linewidth": 1.5},
                       whiskerprops={"color": STAGE_COLOURS[stage]},
                       capprops={"color": STAGE_COLOURS[stage]})
            ax.scatter(v, y + rng.uniform(-0.18, 0.18, len(v)), s=10,
                       color=STAGE_COLOURS[stage], alpha=0.8, linewidths=0, zorder=3)
        std = standards.get(stage)
        if std is not None:
            ax.plot([std, std], [y - 0.42, y + 0.42], color="black", linewidth=1.6,
                    linestyle=(0, (2, 1.5)), zorder=4)
    counts = {s: int(stage_days[s].notna().sum()) if s in stage_days else 0 for s in order}
    ax.set_yticks(range(len(order)),
                  [f"{STAGE_SHORT[s]}\n({nv.children(counts[s])})" for s in order])
    ax.set_xlabel("Days")
    ax.set_xlim(left=0)
    ax.legend(handles=[plt.Line2D([], [], color="black", linewidth=1.6, linestyle=(0, (2, 1.5)),
                                  label="Standard"),
                       plt.Line2D([], [], color="black", linewidth=1.5,
                                  label="Median (the box holds the middle half of children; "
                                  "each dot is a child)")],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8)
    return finish(fig, title, source)


def trend_chart(trend: pd.DataFrame, source: str = DEFAULT_SOURCE, *,
        title: str = (
            "Median days per stage by year of adoption"),
) -> Figure:
    """Median days per stage by financial year of the adoption order (``stage_trend``)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    years = sorted(trend["year"].unique())
    for stage in STAGES:
        t = trend.loc[trend["stage"].eq(stage)].set_index("year").reindex(years)
        ax.plot(years, t["median"], marker="o", color=STAGE_COLOURS[stage],
                label=STAGE_SHORT[stage], linewidth=2)
    ax.set_xlabel("Financial year of the adoption order")
    ax.set_ylabel("Median days")
    ax.grid(axis="y", color="#E5E5E5")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return finish(fig, title, source,
                  note="A year with few adoptions moves a lot; the table gives the children "
                  "behind each median.")


# -- section 3 ------------------------------------------------------------------------------

def _segments(offsets: pd.DataFrame, dates: Sequence[str]) -> pd.DataFrame:
    """Bar segments from days-since-entry per date: each stage between consecutive known dates;
    a span across a missing date is "unsplit"; out-of-order spans are left out."""
    off = offsets[list(dates)]
    prev = off.shift(axis=1)
    start = prev.ffill(axis=1)
    rows = []
    for i, col in enumerate(dates[1:], start=1):
        stage = STAGES[i - 1]
        end = off[col]
        s = start[col]
        ok = end.notna() & s.notna() & (end >= s)
        kind = np.where(prev[col].notna(), stage, "unsplit")
        rows.append(pd.DataFrame({"row": offsets.index[ok], "stage": kind[ok.to_numpy()],
                                  "left": s[ok], "width": (end - s)[ok]}))
    return pd.concat(rows, ignore_index=True)


def timeline_chart(timeline: pd.DataFrame, dates: Sequence[str],
                   source: str = DEFAULT_SOURCE, *,
        title: str = (
            "The shortest and longest journeys from care entry to adoption order"),
) -> Figure:
    """One horizontal bar per child from care entry to adoption order, split by stage; the
    shortest journeys above, the longest below, on the same scale. ``timeline`` holds
    ``pseudonym``, ``group`` (shortest/longest) and days since care entry for each of ``dates``.
    """
    apply_style()
    groups = [g for g in ("shortest", "longest") if g in set(timeline["group"])]
    sizes = [int(timeline["group"].eq(g).sum()) for g in groups] or [1]
    fig, axes = plt.subplots(len(groups) or 1, 1, sharex=True, squeeze=False,
                             figsize=(9, 1.6 + 0.28 * sum(sizes)),
                             gridspec_kw={"height_ratios": sizes})
    unsplit = False
    for ax, group in zip(axes[:, 0], groups, strict=False):
        t = timeline.loc[timeline["group"].eq(group)].reset_index(drop=True)
        seg = _segments(t, dates)
        unsplit |= bool(seg["stage"].eq("unsplit").any())
        colours = seg["stage"].map({**STAGE_COLOURS, "unsplit": UNSPLIT_COLOUR})
        ax.barh(seg["row"], seg["width"], left=seg["left"], color=colours, height=0.7,
                edgecolor="white", linewidth=0.6)
        total = t[dates[-1]]
        for row, days in total.items():
            if pd.notna(days):
                ax.text(days + 10, row, f"{days:,.0f}", va="center", fontsize=8)
        ax.set_yticks(range(len(t)), t["pseudonym"])
        ax.invert_yaxis()
        ax.set_ylabel(f"{group.capitalize()} journeys", fontsize=10)
    axes[-1, 0].set_xlabel("Days from care entry")
    axes[-1, 0].set_xlim(left=0, right=axes[-1, 0].get_xlim()[1] * 1.06)
    _stage_legend(axes[0, 0], unsplit=unsplit, loc="lower right", fontsize=8)
    return finish(fig, title,
                  source, note="Each bar is one child (pseudonym), split into the five stages; "
                  "the number is the total days.")


# -- section 1 ------------------------------------------------------------------------------

def profile_chart(prof: pd.DataFrame, characteristics: Sequence[str], headings: dict[str, str],
                  source: str = DEFAULT_SOURCE, *,
        title: str = (
            "Children placed for adoption against all children looked after"),
) -> Figure:
    """Side-by-side distributions (% of each group) for a few characteristics: looked after,
    with an ADM decision, adopted. ``prof`` is ``children.profile``."""
    apply_style()
    chars = list(characteristics)
    ncols = 2
    nrows = int(np.ceil(len(chars) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(10, 2.9 * nrows), squeeze=False)
    labels = {"looked_after": "Looked after", "decision": "ADM decision", "adopted": "Adopted"}
    for ax, char in zip(axes.flat, chars, strict=False):
        t = prof.loc[prof["characteristic"].eq(char)].reset_index(drop=True)
        y = np.arange(len(t))
        h = 0.26
        for k, (g, name) in enumerate(labels.items()):
            vals = t[f"{g}_pct"].astype("float64").fillna(0)
            ax.barh(y + (k - 1) * h, vals, height=h, color=GROUP_COLOURS[g], label=name)
        ax.set_yticks(y, [str(c)[:28] if char == "cin" else str(c)[:28].capitalize()
                          for c in t["category"]])
        ax.invert_yaxis()
        ax.set_title(headings.get(char, char), fontsize=10)
        ax.set_xlabel("% of the group's children")
    for ax in list(axes.flat)[len(chars):]:
        ax.set_visible(False)
    axes[0, 0].legend(loc="lower right", fontsize=8)
    note = ("Children looked after have no ADM decision: age at the decision compares the other "
            "two groups only." if "age_band_adm" in chars else "")
    return finish(fig, title,
                  source, note=note)
