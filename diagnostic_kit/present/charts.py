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

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from diagnostic_kit import registry
from diagnostic_kit.present import narrative as nv

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
