"""The one chart style for the whole kit.

Every chart is titled, has labelled axes and a source footnote, and uses the Okabe–Ito palette,
which stays distinguishable with the common forms of colour blindness. Each stage of the
child's journey has one fixed colour, shared by every section (2 and 3 in particular).

Functions return a matplotlib ``Figure``; in a notebook show it with :func:`show` (which
displays it once and closes it). Every chart carries alt text that states its message, built
from the same data (:func:`describe`); :func:`show` writes it into the image's output metadata,
which nbconvert turns into the ``alt`` of the ``<img>`` in the report.

Sizes are chosen for A4: a chart is at most 9 inches wide, shown at 100 px an inch on screen and
shrunk to the 182 mm of an A4 page's text width in print (about three quarters), so the smallest
text (9 pt) prints at about 7 pt.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from PIL import Image

from diagnostic_kit import registry
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
    # Laid out at the resolution it is drawn at, so the layout's text measurements are reused
    # when the PNG is drawn (on screen a chart still shows at SHOW_DPI: see png_output).
    "figure.dpi": 150,
    "savefig.dpi": 150,
    # Glyphs drawn without hinting: as sharp at 150 dpi, and quicker to draw (a tenth with
    # matplotlib 3.10, a quarter with 3.11; text is most of a chart's drawing).
    "text.hinting": "no_hinting",
    # Text is text: an LA's name with "$" in it is never read as mathematics.
    "text.parse_math": False,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9,
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


#: Characters of the 9 pt footnote per inch of figure width: a generous average (DejaVu Sans
#: averages about 12 at 9 pt), so that a wrapped line stays inside the figure.
FOOT_CHARS_PER_INCH = 12.5


def wrap_footnote(text: str, width_inches: float) -> str:
    """The footnote broken into lines that fit the figure's width, each paragraph wrapped on
    its own (measured in characters: matplotlib's own wrapping measures every word in the font,
    a tenth of a chart's drawing time, and the check in :func:`png_output` catches a line that
    still spills)."""
    width = max(20, int(width_inches * FOOT_CHARS_PER_INCH) - 2)
    return "\n".join(textwrap.fill(line, width) if line else line for line in text.split("\n"))


def _grid_shape(fig: Figure) -> tuple[int, int] | None:
    """The rows and columns tight_layout lays the figure's axes out on (None: axes it cannot
    lay out, such as ones placed by hand)."""
    specs = [ax.get_subplotspec() for ax in fig.axes]
    if not specs or any(s is None for s in specs):
        return None
    return (max(s.get_gridspec().nrows for s in specs),
            max(s.get_gridspec().ncols for s in specs))


def tight_layout_in(fig: Figure, rect: tuple[float, float, float, float]) -> None:
    """``fig.tight_layout(rect=rect)``, measuring the axes' decorations once instead of twice.

    matplotlib measures them over the whole figure, then again to fit them inside ``rect``,
    though the axes have not moved, so the second measurement repeats the first. Here the
    first layout is moved into ``rect`` as the second pass would: each margin grows by the
    rect's, and the gaps between axes keep their size. Where the first layout could not be
    made (matplotlib warns), or the moved one would not fit, matplotlib's own is used.
    """
    import warnings

    shape = _grid_shape(fig)
    if shape is None:
        fig.tight_layout(rect=rect)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.tight_layout()
    sp = fig.subplotpars
    left, bottom = rect[0] + sp.left, rect[1] + sp.bottom
    right, top = rect[2] - (1 - sp.right), rect[3] - (1 - sp.top)
    rows, cols = shape
    new = {"left": left, "right": right, "bottom": bottom, "top": top}
    for n, key, lo, hi, new_lo, new_hi in ((cols, "wspace", sp.left, sp.right, left, right),
                                           (rows, "hspace", sp.bottom, sp.top, bottom, top)):
        if n > 1:
            ratio = getattr(sp, key)  # gap / axes size, as a fraction of the figure
            gap = ratio * (hi - lo) / (n + ratio * (n - 1))
            size = (new_hi - new_lo - gap * (n - 1)) / n
            new[key] = gap / size if size > 0 else -1.0
    if caught or right <= left or top <= bottom or min(new.get("wspace", 0),
                                                       new.get("hspace", 0)) < 0:
        fig.tight_layout(rect=rect)
        return
    fig.subplots_adjust(**new)


def finish(fig: Figure, title: str, source: str, note: str = "") -> Figure:
    """Title the figure and add the source (and any note) as a footnote under it."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=13, fontweight="bold")
    foot = wrap_footnote(f"{note}\n{source}" if note else source, fig.get_figwidth())
    fig.text(0.01, 0.005, foot, ha="left", va="bottom", fontsize=9, color="#444444")
    # Room for the footnote's lines (9 pt, with their spacing) and a margin, in inches, so a
    # short figure keeps as much as a tall one.
    bottom = (0.08 + (foot.count("\n") + 1) * 9 * 1.3 / 72) / fig.get_figheight()
    label = getattr(fig, "_supxlabel", None)
    if label is not None and label.get_text():
        # A label shared by every panel sits just above the footnote, in room kept for it
        # (tight_layout does not see it): a line of its size and a little more.
        label.set(y=bottom, va="bottom")
        bottom += 1.5 * label.get_fontsize() / 72 / fig.get_figheight()
    tight_layout_in(fig, (0, bottom, 1, 0.95))
    # The layout is done: with no layout engine left, saving the figure does not lay it out
    # (and measure every text) once more before drawing it.
    fig.set_layout_engine(None)
    return fig


#: Screen pixels per inch of a chart: a 9-inch chart shows 900 px wide (then fits the column).
SHOW_DPI = 100
#: The PNG is drawn at this resolution, so that it stays sharp in print and on a fine screen.
PNG_DPI = 150
#: What nbconvert writes when an image has no alt text; a chart never goes out with it.
NO_ALT = "No description has been provided for this image"


def count_axis(axis) -> None:
    """Ticks at whole numbers only, for an axis of counts (children, households, audits): no
    "0.5 children" on a chart of a few."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
    if axis.get_view_interval()[1] < 1:  # no count at all: 0 to 1, never "-0.045 children"
        axis.set_view_interval(0, 1, ignore=True)


def ranked_alt(title: str, labels, counts, noun: str = "children") -> str:
    """A bar chart's message: its title, the largest bar, then every bar with its count
    (counts go through the narrative's suppression)."""
    pairs = [(str(lab), int(n)) for lab, n in zip(labels, counts, strict=False) if pd.notna(n)]
    if not pairs:
        return f"{title}: no data to show."
    top = max(pairs, key=lambda p: p[1])
    listed = "; ".join(f"{lab} {nv.count(n)}" for lab, n in pairs)
    return (f"{title}: the largest group is {top[0]} ({nv.count(top[1])} {noun}). "
            f"All groups: {listed}.")


def describe(fig: Figure, alt: str) -> Figure:
    """Attach the chart's alt text (its message in words, with the figures behind it)."""
    fig._kit_alt = " ".join(str(alt).split())  # type: ignore[attr-defined]
    return fig


def _num(v: float) -> str:
    return nv.number(v) if abs(v) >= 10 or float(v).is_integer() else nv.number(v, 1)


def _axes_values(ax) -> list[str]:
    """What an axes shows, read back from it: each bar's category and value (stacked bars by
    their legend label), each line's label and points."""
    out = []
    yt = [t.get_text() for t in ax.get_yticklabels()]
    xt = [t.get_text() for t in ax.get_xticklabels()]
    for cont in ax.containers:
        bars = [b for b in cont if hasattr(b, "get_width")]
        if not bars:
            continue
        horizontal = getattr(cont, "orientation", "vertical") == "horizontal"
        ticks = [int(round(b.get_y() + b.get_height() / 2)) if horizontal
                 else int(round(b.get_x() + b.get_width() / 2)) for b in bars]
        names = yt if horizontal else xt
        pos = ax.get_yticks() if horizontal else ax.get_xticks()
        where = {int(round(p)): n for p, n in zip(pos, names, strict=False)}
        vals = [b.get_width() if horizontal else b.get_height() for b in bars]
        pairs = [f"{where.get(t, '')} {_num(v)}".strip().replace("\n", " ")
                 for t, v in zip(ticks, vals, strict=True)]
        label = cont.get_label()
        head = f"{label}: " if label and not label.startswith("_") else ""
        out.append(head + ", ".join(pairs))
    for line in ax.get_lines():
        label = line.get_label()
        y = np.asarray(line.get_ydata(), dtype=float)
        if label.startswith("_") or not len(y):
            continue
        if len(set(np.round(y[~np.isnan(y)], 6))) <= 1 and len(y):
            out.append(f"{label}: {_num(y[~np.isnan(y)][0])}" if (~np.isnan(y)).any()
                       else label)
            continue
        names = [t.get_text() for t in ax.get_xticklabels()]
        xs = np.asarray(line.get_xdata(), dtype=float)
        pts = [f"{names[int(x)] if 0 <= int(x) < len(names) else _num(x)} {_num(v)}"
               for x, v in zip(xs, y, strict=False) if not np.isnan(v)]
        out.append(f"{label}: {', '.join(pts)}")
    return out


def auto_alt(fig: Figure) -> str:
    """Alt text read back from a chart that was not described: its title, then the values
    of every bar and line, panel by panel."""
    title = fig._suptitle.get_text() if fig._suptitle is not None else "Chart"
    panels = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        vals = _axes_values(ax)
        if vals:
            name = ax.get_title() or ax.get_xlabel()
            panels.append((f"{name}: " if name else "") + "; ".join(vals))
    return f"{title}. " + ". ".join(panels) + ("." if panels else "")


def alt_text(fig: Figure) -> str:
    """The chart's alt text: as described (its message), else read back from the chart (its
    title and values); never nbconvert's placeholder."""
    alt = getattr(fig, "_kit_alt", "") or auto_alt(fig)
    return " ".join(alt.split())


def png_output(fig: Figure, alt: str | None = None) -> tuple[dict[str, str], dict[str, dict]]:
    """The display data and metadata of a chart: the PNG (base64), the alt text as its
    ``text/plain`` and in ``metadata["image/png"]["alt"]``, and its on-screen width."""
    # Drawn once: ``finish`` has laid the chart out inside its figure, and the drawing is
    # encoded as it is. Only a chart whose content still reaches past the figure's edge (read
    # from the drawing's own text measurements) is drawn again, cropped to its content.
    fig.set_dpi(PNG_DPI)
    fig.patch.set_facecolor("white")
    canvas = FigureCanvasAgg(fig) if not isinstance(fig.canvas, FigureCanvasAgg) else fig.canvas
    canvas.draw()
    buf = io.BytesIO()
    if _may_spill(fig, canvas):
        fig.savefig(buf, format="png", dpi=PNG_DPI, facecolor="white", bbox_inches="tight")
    else:
        # Opaque (the background is white) and of few colours: written with a palette of 256,
        # a third of the size of full colour and quicker to compress, with no visible change.
        size = canvas.get_width_height()
        rgba = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        rgba.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(buf, "png")
    png = buf.getvalue()
    width = int.from_bytes(png[16:20], "big")  # the IHDR chunk
    alt = alt or alt_text(fig)
    data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt}
    meta = {"image/png": {"alt": alt, "width": round(width * SHOW_DPI / PNG_DPI)}}
    return data, meta


def _may_spill(fig: Figure, canvas: FigureCanvasAgg) -> bool:
    """Whether the drawn chart's content may reach past the figure's edge, and if so whether it
    does (``fig.get_tightbbox``, which measures every axis's ticks again: as long as the
    drawing). Content that crosses an edge leaves ink on the edge's pixels; content wholly past
    it is a text, legend or axes placed there, whose extents the drawing has measured. Only
    when one of those says it may spill is the whole content measured."""
    rgba = np.asarray(canvas.buffer_rgba())
    edges = np.concatenate([rgba[0], rgba[-1], rgba[:, 0], rgba[:, -1]])[:, :3]
    suspect = bool((edges != 255).any())  # the figure is drawn on white
    if not suspect:
        r = canvas.get_renderer()
        w_px, h_px = fig.bbox.width, fig.bbox.height
        parts = [*fig.texts, *fig.legends, *fig.axes]
        for ax in fig.axes:
            parts += [*ax.texts, ax.title, ax._left_title, ax._right_title, ax.xaxis.label,
                      ax.yaxis.label]
            if ax.get_legend() is not None:
                parts.append(ax.get_legend())
        for a in parts:
            if not a.get_visible() or (hasattr(a, "get_text") and not a.get_text()):
                continue
            b = a.get_window_extent(r)
            if b.x1 < 0 or b.y1 < 0 or b.x0 > w_px or b.y0 > h_px:
                suspect = True
                break
    if not suspect:
        return False
    box = fig.get_tightbbox(canvas.get_renderer())
    w, h = fig.get_size_inches()
    return box.x0 < 0 or box.y0 < 0 or box.x1 > w or box.y1 > h


#: A chart at least this tall for its width is tall (``show``): 20 bars of journeys, the
#: 13 audit questions, four panels of a profile.
TALL_RATIO = 0.55


def show(fig: Figure, alt: str | None = None, *, annex: bool = False) -> None:
    """Display a figure once in a notebook with its alt text (``alt``, else the one the chart
    function described), then close it. An ``annex`` chart is detail a board need not read:
    the assembled report shows it in the technical annex (``registry.ANNEX_OPEN``)."""
    from html import escape

    from IPython.display import HTML, display

    w, h = fig.get_size_inches()
    data, meta = png_output(fig, alt)
    plt.close(fig)
    # A tall chart (many rows of bars) may print taller than others (report.css), so that its
    # labels stay legible on paper: it carries a class saying so.
    tall = h / w > TALL_RATIO
    if not annex and not tall:
        display(data, raw=True, metadata=meta)
        return
    img = (f'<div class="output_png output_subarea"><img src="data:image/png;base64,'
           f'{data["image/png"]}" width="{meta["image/png"]["width"]}"'
           + (' class="kit-chart-tall"' if tall else "")
           + f' alt="{escape(meta["image/png"]["alt"], quote=True)}"></div>')
    display(HTML(f"{registry.ANNEX_OPEN}{img}{registry.ANNEX_CLOSE}" if annex else img))


def _stage_legend(ax, stages: Sequence[str] = STAGES, unsplit: bool = False, **kw) -> None:
    handles = [Patch(color=STAGE_COLOURS[s], label=STAGE_LABELS[s]) for s in stages]
    if unsplit:
        handles.append(Patch(color=UNSPLIT_COLOUR, label="Not split into stages (date missing)"))
    ax.legend(handles=handles, **kw)


# -- section 2 ------------------------------------------------------------------------------

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


# -- section 2: children still waiting ----------------------------------------------------------

#: One colour per year of decision, in order (the latest the darkest), and all years together.
COHORT_COLOURS = (OKABE_ITO["orange"], OKABE_ITO["bluish_green"], OKABE_ITO["reddish_purple"],
                  OKABE_ITO["sky_blue"], OKABE_ITO["vermillion"])
#: One colour per way out of waiting (``measures.waiting.OUTCOMES``), and still waiting.
OUTCOME_COLOURS = {"placed": OKABE_ITO["blue"], "plan_changed": OKABE_ITO["orange"],
                   "sgo": OKABE_ITO["reddish_purple"], "home": OKABE_ITO["sky_blue"],
                   "left_care": GREY, "waiting": "#E4E4E4"}


def _month_axis(ax, last: float) -> None:
    """Months since the clock started, ticks every 6 months, faint lines at 6, 12 and 18."""
    top = max(6.0, float(np.ceil(last / 6) * 6))
    ax.set_xlim(0, top)
    ax.set_xticks(np.arange(0, top + 0.1, 6))
    for m in (6, 12, 18):
        if m < top:
            ax.axvline(m, color="#BBBBBB", linewidth=0.8, linestyle=(0, (1, 2)), zorder=0)
    ax.grid(axis="y", color="#E5E5E5")
    ax.grid(axis="x", visible=False)


def waiting_curves_alt(curves: pd.DataFrame, table: pd.DataFrame) -> str:
    """The curves' message: all years' share placed within 6, 12 and 18 months with its
    interval, each year's at 12 months, and the median."""
    from diagnostic_kit.measures import waiting as wt

    if table.empty or not int(table["children"].sum()):
        return "Time to an adoptive placement from the ADM decision: no child had a decision."
    rows = table.set_index("cohort")
    parts = []
    for year, r in rows.iterrows():
        bits = [f"{m} months {nv.pct_of(r[f'within_{m}'], r['children'])}"
                + (f" (95% interval {nv.number(r[f'within_{m}_low'])} to "
                   f"{nv.pct(r[f'within_{m}_high'])})" if pd.notna(r[f"within_{m}_low"])
                   and year == wt.ALL else "")
                for m in wt.WITHIN_MONTHS if pd.notna(r[f"within_{m}"])]
        med = ("median not reached" if pd.isna(r["median"])
               else f"median {nv.number(r['median'])} days")
        parts.append(f"{year} ({nv.children(int(r['children']))}): "
                     + (", ".join(bits) if bits else "too recent to say") + f"; {med}")
    return ("Share of children placed with adopters by months since the ADM decision, counting "
            "the children still waiting and those who left another way: " + "; ".join(parts)
            + ".")


def waiting_curves_chart(curves: pd.DataFrame, table: pd.DataFrame,
                         source: str = DEFAULT_SOURCE, *,
                         title: str = "Time to an adoptive placement from the ADM decision, "
                                      "by year of decision") -> Figure:
    """The cumulative incidence of an adoptive placement by months since the ADM decision
    (``measures.waiting.curves_long``), one line per year of decision with its 95% band, and
    all years together (black); each line stops where its follow-up does. ``table`` is
    ``measures.waiting.estimate_table`` (for the legend's counts and the alt text)."""
    from diagnostic_kit.measures import waiting as wt

    apply_style()
    fig, ax = plt.subplots(figsize=(9, 4.4))
    years = [y for y in dict.fromkeys(curves["cohort"]) if y != wt.ALL]
    counts = table.set_index("cohort")["children"].to_dict() if len(table) else {}
    last = float(curves["months"].max()) if len(curves) else 6.0
    for i, year in enumerate([*years, wt.ALL]):
        c = curves.loc[curves["cohort"].eq(year)]
        if c.empty:
            continue
        every = year == wt.ALL
        colour = "black" if every else COHORT_COLOURS[i % len(COHORT_COLOURS)]
        x = c["months"].to_numpy(dtype=float)
        ax.step(x, 100 * c["cif"].to_numpy(dtype=float), where="post", color=colour,
                linewidth=2.6 if every else 2.0, linestyle="-" if every else (0, (5, 1.5)),
                label=f"{'All years' if every else year} ({nv.children(int(counts.get(year, 0)))})",
                zorder=3 if every else 2)
        if "low" in c and c["low"].notna().any():
            ax.fill_between(x, 100 * c["low"].to_numpy(dtype=float),
                            100 * c["high"].to_numpy(dtype=float), step="post", color=colour,
                            alpha=0.12 if every else 0.07, linewidth=0)
    _month_axis(ax, last)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% placed with adopters")
    ax.set_xlabel("Months since the ADM decision")
    ax.legend(loc="upper left", fontsize=9, title="Year of decision", title_fontsize=9)
    note = ("Each line is the share of that year's children placed by then, counting those "
            "still waiting and those who left another way (cumulative incidence); the shaded "
            "band is its 95% interval, and a line stops where that year's follow-up ends.")
    fig = finish(fig, title, source, note=note)
    return describe(fig, waiting_curves_alt(curves, table))


def waiting_outcomes_alt(outcomes: pd.DataFrame) -> str:
    """The stacked chart's message: every way out at 6, 12 and 18 months."""
    from diagnostic_kit.measures import waiting as wt
    from diagnostic_kit.present.waiting import OUTCOME_LABELS

    if outcomes.empty:
        return "What happened after the ADM decision: no child had a decision."
    parts = []
    for m in wt.WITHIN_MONTHS:
        d = wt.month_days(m)
        if d >= len(outcomes):
            continue
        r = outcomes.iloc[d]
        bits = [f"{OUTCOME_LABELS[o].lower()} {nv.pct(100 * r[f'cif_{o}'])}"
                for o in wt.OUTCOMES] + [f"still waiting {nv.pct(100 * r['waiting'])}"]
        parts.append(f"at {m} months: " + ", ".join(bits))
    return ("What happened to the children after the ADM decision, all years together: "
            + "; ".join(parts) + ".")


def waiting_outcomes_chart(outcomes: pd.DataFrame, source: str = DEFAULT_SOURCE, *,
                           title: str = "What happened after the ADM decision: every way out "
                                        "of waiting") -> Figure:
    """Each way out of waiting (Aalen–Johansen cumulative incidence) and still waiting
    (Kaplan–Meier), stacked so that each month adds up to every child
    (``measures.waiting.outcome_curves``)."""
    from diagnostic_kit.measures import waiting as wt
    from diagnostic_kit.present.waiting import OUTCOME_LABELS

    apply_style()
    fig, ax = plt.subplots(figsize=(9, 4.6))
    if len(outcomes):
        x = outcomes["months"].to_numpy(dtype=float)
        keys = [*wt.OUTCOMES, "waiting"]
        ys = [100 * outcomes[f"cif_{o}" if o != "waiting" else "waiting"].to_numpy(dtype=float)
              for o in keys]
        ax.stackplot(x, *ys, colors=[OUTCOME_COLOURS[k] for k in keys], step="post",
                     labels=[OUTCOME_LABELS[k] for k in keys], edgecolor="white",
                     linewidth=0.3)
        _month_axis(ax, float(x.max()))
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of the children")
    ax.set_xlabel("Months since the ADM decision")
    # Above the plot, three to a row, so that the plot keeps the chart's width on a phone.
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=3,
              fontsize=9, handlelength=1.2, columnspacing=1.2)
    fig = finish(fig, title, source, note="Placed and the other ways out are cumulative "
                 "incidences (Aalen–Johansen); still waiting is the Kaplan–Meier estimate of "
                 "not having left by then. Together they make every child with a decision.")
    return describe(fig, waiting_outcomes_alt(outcomes))


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
        span = float(np.nanmax(timeline[dates[-1]].to_numpy(dtype=float))) if len(
            timeline) else 0.0
        for _, sg in seg.loc[seg["width"].ge(max(60.0, 0.075 * span))].iterrows():
            dark = sg["stage"] in ("adm_to_po", "po_to_placement", "placement_to_ao")
            ax.text(sg["left"] + sg["width"] / 2, sg["row"], f"{nv.number(sg['width'])}",
                    ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
        total = t[dates[-1]]
        for row, days in total.items():
            if pd.notna(days):
                ax.text(days + 10, row, f"{nv.number(days)}", va="center", fontsize=9)
        ax.set_yticks(range(len(t)), t["pseudonym"])
        ax.invert_yaxis()
        ax.set_ylabel(f"{group.capitalize()} journeys", fontsize=11)
    axes[-1, 0].set_xlabel("Days from care entry")
    axes[-1, 0].set_xlim(left=0, right=axes[-1, 0].get_xlim()[1] * 1.06)
    _stage_legend(axes[0, 0], unsplit=unsplit, loc="lower right", fontsize=9)
    fig = finish(fig, title,
                 source, note="Each bar is one child (pseudonym), split into the five stages; "
                 "the number at its end is the total days, and a stage wide enough for one "
                 "has its days; the table gives every child's days per stage.")
    return describe(fig, timeline_alt(timeline, dates))


def timeline_alt(timeline: pd.DataFrame, dates: Sequence[str]) -> str:
    """The message of the timeline: the range of each group's journeys, and where the longest
    journeys' time went (the stage with the largest median among them)."""
    parts = []
    for group in ("shortest", "longest"):
        t = timeline.loc[timeline["group"].eq(group)].reset_index(drop=True)
        total = t[dates[-1]].dropna() if len(t) else pd.Series(dtype=float)
        if total.empty:
            continue
        text = (f"the {len(t)} {group} journeys took {nv.number(total.min())} to "
                f"{nv.number(total.max())} days from care entry to adoption order")
        seg = _segments(t, dates)
        seg = seg.loc[seg["stage"].ne("unsplit")]
        if len(seg):
            med = seg.groupby("stage")["width"].median().reindex(list(STAGES)).dropna()
            top = med.idxmax()
            text += (f", their longest stage typically {nv.lower_first(STAGE_LABELS[top])} "
                     f"(median {nv.number(med[top])} days; " + ", ".join(
                         f"{STAGE_SHORT[k]} {nv.number(v)}" for k, v in med.items()) + ")")
        parts.append(text)
    if not parts:
        return "The shortest and longest journeys: no journey could be drawn."
    return "The shortest and longest journeys, one bar per child split by stage: " + \
        "; ".join(parts) + "."


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
    fig, axes = plt.subplots(nrows, ncols, figsize=(9, 3.0 * nrows), squeeze=False)
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
    axes[0, 0].legend(loc="lower right", fontsize=9)
    note = ("Children looked after have no ADM decision: age at the decision compares the other "
            "two groups only." if "age_band_adm" in chars else "")
    fig = finish(fig, title, source, note=note)
    return describe(fig, profile_alt(prof, chars, headings))


def profile_alt(prof: pd.DataFrame, characteristics: Sequence[str],
                headings: dict[str, str]) -> str:
    """The message of the profile chart: the largest gap between children adopted and children
    looked after, then each characteristic's shares."""
    rows = prof.loc[prof["characteristic"].isin(list(characteristics))].copy()
    rows["gap"] = (rows["adopted_pct"].astype("float64")
                   - rows["looked_after_pct"].astype("float64"))
    parts = []
    for char in characteristics:
        t = rows.loc[rows["characteristic"].eq(char)]
        bits = []
        for _, r in t.iterrows():
            shares = [f"{name} {nv.pct_of(r[f'{g}_pct'], r[f'{g}_n'])}" for g, name in
                      (("looked_after", "looked after"), ("adopted", "adopted"))
                      if pd.notna(r[f"{g}_pct"])]
            if shares:
                bits.append(f"{r['category']} ({', '.join(shares)})")
        if bits:
            parts.append(f"{headings.get(char, char)}: {'; '.join(bits)}")
    known = rows.dropna(subset=["gap"])
    lead = "Children placed for adoption against all children looked after"
    if len(known):
        r = known.loc[known["gap"].abs().idxmax()]
        lead += (f": the largest difference is {headings.get(r['characteristic'], '')} "
                 f"{r['category']}, {nv.pct_of(r['adopted_pct'], r['adopted_n'])} of children "
                 f"adopted against {nv.pct_of(r['looked_after_pct'], r['looked_after_n'])} of "
                 "children looked after").replace("  ", " ")
    return f"{lead}. " + ". ".join(parts) + "."
