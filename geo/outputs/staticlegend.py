"""The print key: how each record looks in print, and the static map's legend panel that says so.

One responsibility: the visual key of the printed outputs. :func:`print_style` turns the
shared visual language (:func:`geo.style.stroke`: colour by party, dash by status, zones
filled) into print units -- a screen pixel is 0.75 pt, so the printed lines have the web
map's weights and dash rhythm -- and :func:`draw_legend` draws the PNG's legend panel from it.
The static map (:mod:`geo.outputs.staticmap`) and the PDF handout (:mod:`geo.outputs.handout`)
both take their styles from here, so a line looks the same on the map, in the legend and in
the handout's table. The handout's key is here too: its legend entries (:func:`key_entries`,
:data:`KEY_NOTES`), its style samples (:func:`swatch_svg`) and its table of lines, each
with its key letter (:func:`table_rows`); the handout lays them out.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from geo.geometry import BuiltAtlas
from geo.outputs.labels import latitude_label
from geo.outputs.webmap import date_label
from geo.outputs.webmap import latitude_label as parallel_label
from geo.records.model import Line
from geo.style import HIGHLIGHT, ZONE_FILL_OPACITY, party_color, stroke
from geo.vocab import PARTIES, STATUSES, party_short

#: One CSS pixel in points: the web map's weights and dash lengths, printed.
PX_PT = 0.75
#: A zone's outline, as a fraction of the weight a line of its status has.
ZONE_OUTLINE = 0.45
#: A selected line is this much heavier (points), as the app draws it.
SELECTED_EXTRA_PT = 1.2
HIGHLIGHT_OPACITY = 0.35


@dataclass(frozen=True)
class PrintStyle:
    """A record's stroke in print units."""

    color: str
    width_pt: float  # a line's stroke, or a zone's outline
    dash: tuple[float, ...] | None  # on/off lengths in points; None = solid
    zone: bool
    fill_opacity: float = 0.0


def print_style(line: Line, *, selected: bool = False) -> PrintStyle:
    """The print style of *line* (:func:`geo.style.stroke` in points)."""
    return style_of(line.party, line.status, line.kind, selected=selected)


def style_of(party: str, status: str, kind: str, *, selected: bool = False) -> PrintStyle:
    s = stroke(party=party, status=status, kind=kind)
    zone = kind == "zone"
    width = s.weight * PX_PT * (ZONE_OUTLINE if zone else 1.0)
    if selected:
        width += SELECTED_EXTRA_PT
    dash = tuple(float(v) * PX_PT for v in s.dash.split()) if s.dash else None
    return PrintStyle(s.color, width, dash, zone, s.fill_opacity)


def party_sample(party: str) -> PrintStyle:
    """A solid stroke in *party*'s colour (the legend's "who proposed it")."""
    return PrintStyle(party_color(party), 3.0, None, False)


def status_sample(status: str) -> PrintStyle:
    """A dark grey stroke with *status*'s dashes (the legend's "status")."""
    s = style_of("none", status, "line")
    color = s.color if status == "reference" else "#333333"
    return PrintStyle(color, s.width_pt, s.dash, False)


def zone_sample() -> PrintStyle:
    return PrintStyle("#555555", 1.1, None, True, ZONE_FILL_OPACITY)


def mpl_linestyle(style: PrintStyle) -> Any:
    """The matplotlib linestyle of *style*, dash lengths in absolute points."""
    if style.dash is None:
        return "solid"
    # matplotlib scales dash lengths by the line width; undo that, so they are absolute.
    return (0, tuple(v / max(style.width_pt, 0.1) for v in style.dash))


def swatch_svg(style: PrintStyle, w_mm: float, h_mm: float) -> bytes:
    """*style* drawn in a *w_mm* x *h_mm* box, as SVG in points (the PDF handout's legend
    and table samples, which fpdf2 draws as vectors)."""
    w, h = w_mm * 72 / 25.4, h_mm * 72 / 25.4
    dash = f' stroke-dasharray="{" ".join(f"{v:.2f}" for v in style.dash)}"' if style.dash else ""
    if style.zone:
        fill = "#{:02x}{:02x}{:02x}".format(*_tint(style.color, style.fill_opacity))
        body = (
            f'<rect x="0.5" y="{h * 0.12:.2f}" width="{w - 1:.2f}" height="{h * 0.76:.2f}" '
            f'fill="{fill}" stroke="{style.color}" stroke-width="0.85"{dash}/>'
        )
    else:
        width = max(style.width_pt * 0.7, 0.6)
        body = (
            f'<line x1="0" y1="{h / 2:.2f}" x2="{w:.2f}" y2="{h / 2:.2f}" '
            f'stroke="{style.color}" stroke-width="{width:.2f}"{dash}/>'
        )
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.2f} {h:.2f}">{body}</svg>'
    return svg.encode()


def _tint(color: str, alpha: float) -> tuple[int, int, int]:
    """*color* at *alpha* over white (zone fills print without transparency)."""
    c = color.lstrip("#")
    r, g, b = (round(255 - (255 - int(c[i : i + 2], 16)) * alpha) for i in (0, 2, 4))
    return (r, g, b)


def party_label_long(party: str) -> str:
    """``KPA/CPV: Korean People's Army / …``; the short name only when the long lacks it."""
    label = PARTIES[party].label
    return label if party_short(party) in label else f"{party_short(party)}: {label}"


# ---------------------------------------------------------------------------------------
# the handout's key: its legend entries and its table of lines

KEY_NOTES = (
    "Letters key the lines on the map to the table (the web map's letters too); reference "
    "parallels are labelled with their latitude. Zones are shaded and outlined in their "
    "status's dashes. Filled dots: places identified with certainty; hollow dots: less "
    "certain. * marks a shape that is partly inferred (the app explains how)."
)


def key_entries(lines: Sequence[Line]) -> list[tuple[PrintStyle, str]]:
    """The style samples of the parties, then the statuses, of *lines*, with their words."""
    parties = [p for p in PARTIES if p != "none" and any(ln.party == p for ln in lines)]
    statuses = [s for s in STATUSES if any(ln.status == s for ln in lines)]
    return [(party_sample(p), party_label_long(p)) for p in parties] + [
        (status_sample(s), STATUSES[s]) for s in statuses
    ]


@dataclass(frozen=True)
class TableRow:
    """A row of the handout's table: a style sample, the key letter and the cells."""

    style: PrintStyle
    key: str
    cells: tuple[str, ...]  # title, party, date, status, measure, sources


def table_rows(
    built: BuiltAtlas, lines: Sequence[Line], keys: Mapping[str, str], numbers: Mapping[str, int]
) -> list[TableRow]:
    """One row per keyed line, its sources as the numbers of the documents cited
    (*numbers*); the reference lines share one row at the end."""
    rows: list[TableRow] = []
    for line in lines:
        if line.id not in keys:
            continue
        cited = sorted(numbers[c] for c in line.sources if c in numbers)
        if cited:
            sources = f"[{', '.join(map(str, cited))}]"
        else:
            sources = line.references[0].title if line.references else "–"
        cells = (
            line.title + (" *" if line.inferred else ""),
            party_short(line.party),
            date_label(line) or "–",
            line.status,
            measure(built, line),
            sources,
        )
        rows.append(TableRow(print_style(line), keys[line.id], cells))
    refs = [ln for ln in lines if ln.id not in keys]
    if len(refs) == 1:
        cells = (refs[0].title, "–", "–", "reference", measure(built, refs[0]), "–")
    elif refs:  # "Reference parallels 13°N, 14°N; Route 9: …" in one row
        lats = [lab for ln in refs if (lab := parallel_label(ln))]
        names = [f"Reference parallel{'s' * (len(lats) > 1)} {', '.join(lats)}"] * bool(lats)
        names += [ln.title for ln in refs if not parallel_label(ln)]
        cells = (f"{'; '.join(names)} (for comparison)", "–", "–", "reference", "–", "–")
    if refs:
        rows.append(TableRow(print_style(refs[0]), "", cells))
    return rows


TABLE_NOTE = (
    "Lengths are geodesic and areas ellipsoidal (WGS84). Basemap: Natural Earth (public "
    "domain), with modern borders. Full citations: the app's RIS and BibTeX downloads."
)


def measure(built: BuiltAtlas, line: Line) -> str:
    """``303 km`` for a line, ``6,168 km²`` for a zone."""
    shape = built[line.id]
    return f"{shape.length_km:,.0f} km" if shape.is_line else f"{shape.area_km2:,.0f} km²"


# ---------------------------------------------------------------------------------------
# the legend panel of the PNG

_Row = tuple[float, Callable[[Axes, float], None]]


def draw_legend(
    lax: Axes,
    lines: Sequence[Line],
    keys: Mapping[str, str],
    has_highlight: bool,
    fs: float,
    dpi: int,
) -> None:
    """The legend panel, laid out in pixels from the top; its type shrinks until it fits."""
    bb = lax.get_window_extent()
    w, h = bb.width, bb.height
    lax.set_xlim(0, w)
    lax.set_ylim(h, 0)
    lax.axis("off")
    lax.add_patch(Rectangle((0, 0), w, h, facecolor="white", edgecolor="#555555", lw=0.8))
    size = fs * 0.9
    rows = _legend_rows(lines, keys, has_highlight, size, dpi, w)
    while size > 4.5 and sum(r[0] for r in rows) + size * dpi / 72 > h:
        size -= 0.25
        rows = _legend_rows(lines, keys, has_highlight, size, dpi, w)
    y = size * 0.6 * dpi / 72
    for height, draw in rows:
        draw(lax, y)
        y += height


def _legend_rows(
    lines: Sequence[Line],
    keys: Mapping[str, str],
    has_highlight: bool,
    size: float,
    dpi: int,
    width: float,
) -> list[_Row]:
    px = dpi / 72
    lh = size * 1.3 * px
    pad = size * 0.7 * px
    sx0, sx1 = pad + size * 1.9 * px, pad + size * 5.2 * px  # the style sample
    tx = sx1 + size * 0.7 * px
    chars = max(12, int((width - tx - pad) / (size * px * 0.56)))
    rows: list[_Row] = []

    def text_row(label: str, sample: Callable[[Axes, float], None], **kw: Any) -> None:
        wrapped = textwrap.wrap(label, chars)

        def draw(ax: Axes, y: float) -> None:
            sample(ax, y + lh * 0.5)
            top = y + lh * 0.5 - size * px * 0.62  # first line centred on the sample
            ax.text(
                tx,
                top,
                "\n".join(wrapped),
                fontsize=size,
                ha="left",
                va="top",
                linespacing=1.12,
                **kw,
            )

        rows.append((lh * len(wrapped) + lh * 0.25, draw))

    def sampler(style: PrintStyle) -> Callable[[Axes, float], None]:
        return lambda ax, y: _sample(ax, style, sx0, sx1, y, lh)

    def heading(label: str) -> None:
        def draw(ax: Axes, y: float) -> None:
            ax.text(
                pad,
                y + lh * 0.5,
                label,
                fontsize=size * 1.05,
                fontweight="bold",
                va="center",
                ha="left",
            )

        rows.append((lh * 1.35, draw))

    def gap() -> None:
        rows.append((lh * 0.4, lambda ax, y: None))

    heading("Lines and zones")
    for line in lines:
        if line.id not in keys:
            continue
        date = date_label(line)
        label = line.title if not date or date[-4:] in line.title else f"{line.title} ({date})"

        def sample(ax: Axes, y: float, line: Line = line) -> None:
            bubble = {
                "boxstyle": "round,pad=0.2",
                "facecolor": "white",
                "edgecolor": party_color(line.party),
                "linewidth": 1.1,
            }
            ax.text(
                pad + size * 0.55 * px,
                y,
                keys[line.id],
                fontsize=size,
                fontweight="bold",
                ha="center",
                va="center",
                bbox=bubble,
            )
            _sample(ax, print_style(line), sx0, sx1, y, lh)

        text_row(label, sample)
    refs = [ln for ln in lines if ln.id not in keys]
    if refs:
        names = ", ".join(latitude_label(ln) for ln in refs)
        text_row(
            f"Reference parallels ({names}), labelled on the map",
            sampler(print_style(refs[0])),
            color="#333333",
        )

    gap()
    heading("Colour: who proposed it")
    parties = sorted({ln.party for ln in lines if ln.party != "none"}, key=list(PARTIES).index)
    for party in parties:
        text_row(party_label_long(party), sampler(party_sample(party)))

    gap()
    heading("Line style: status")
    for status in STATUSES:
        if status == "reference" or not any(ln.status == status for ln in lines):
            continue
        text_row(STATUSES[status], sampler(status_sample(status)))
    if any(ln.kind == "zone" for ln in lines):
        text_row("zone: shaded, outlined in the same dashes", sampler(zone_sample()))

    def dots(ax: Axes, y: float) -> None:
        mid = (sx0 + sx1) / 2
        for dx, fill in ((-0.6, "#222222"), (0.6, "white")):
            ax.plot(
                [mid + dx * size * px],
                [y],
                marker="o",
                ms=size * 0.6,
                mfc=fill,
                mec="#222222",
                linestyle="none",
            )

    text_row("place: identification certain / less certain", dots)
    if has_highlight:

        def green(ax: Axes, y: float) -> None:
            ax.add_patch(
                Rectangle(
                    (sx0, y - lh * 0.38),
                    sx1 - sx0,
                    lh * 0.76,
                    facecolor=HIGHLIGHT,
                    alpha=HIGHLIGHT_OPACITY,
                    lw=0,
                )
            )

        text_row("area between the compared lines", green)
    return rows


def _sample(ax: Axes, style: PrintStyle, x0: float, x1: float, y: float, lh: float) -> None:
    """A short stretch of a line (or a small zone swatch) in the legend."""
    linestyle = mpl_linestyle(style)
    if style.zone:
        box = (x0, y - lh * 0.38), x1 - x0, lh * 0.76
        ax.add_patch(Rectangle(*box, facecolor=style.color, alpha=style.fill_opacity, lw=0))
        ax.add_patch(
            Rectangle(
                *box,
                facecolor="none",
                edgecolor=style.color,
                lw=style.width_pt * 1.2,
                linestyle=linestyle,
            )
        )
        return
    ax.add_line(
        Line2D(
            [x0, x1],
            [y, y],
            color=style.color,
            lw=style.width_pt,
            linestyle=linestyle,
            dash_capstyle="butt",
        )
    )
