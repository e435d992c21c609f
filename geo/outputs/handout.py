"""Static maps (PNG) and one-page PDF handouts, made offline for classrooms and slides.

The interactive map needs a browser; a teacher also needs something to print, paste into
slides or hand out. This module draws the same records with the same visual language as
:mod:`geo.outputs.webmap` -- colour by party (:mod:`geo.style`), dash pattern by status
(``STATUS_DASH``), so colour is never the only cue -- using matplotlib's Agg backend (no
GUI, no pyplot state, safe in Streamlit's threads) and fpdf2 for the PDF. Nothing here
touches the network: the basemap is the repository's Natural Earth GeoJSON and the fonts are
the DejaVu files that matplotlib ships, embedded in the PDF.

Lines and zones are keyed on the map with letters (A, B, ...) that the legend and the
handout's table spell out. Titles are too long to print beside lines that, in Korea, run
within a few kilometres of each other; a letter keeps the map readable and the table keeps
the full wording. Reference parallels are labelled with their latitude instead.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import matplotlib
import numpy as np
import shapely
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.patheffects import withStroke
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from geo.errors import AtlasError
from geo.geometry import BuiltAtlas
from geo.outputs.citations import cables_for, full_citation
from geo.records.model import Cable, Line, Place
from geo.style import LAND_EDGE, LAND_FILL, SEA, STATUS_DASH, party_color
from geo.vocab import COUNTRY_NAMES, PARTIES, STATUSES, THEATERS, party_short, theater_label

Extent = tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max
HAlign = Literal["left", "center", "right"]
VAlign = Literal["bottom", "center", "top"]
Spot = tuple[float, float, HAlign, VAlign]  # where a label goes, and how it hangs there

HIGHLIGHT_COLOR = "#009E73"
LAND_COLOR = LAND_FILL
BORDER_COLOR = LAND_EDGE
PT_MM = 25.4 / 72  # one typographic point in millimetres
_KM_PER_DEG = 111.32
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_PDF_FONT = "DejaVu"
#: A fixed creation date keeps the PDF bytes reproducible, so the app can cache them.
_PDF_DATE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
_TYPE_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0, 5.5)


# ---------------------------------------------------------------------------------------
# public API


@dataclass(frozen=True)
class MapImage:
    """A rendered map and what relates its pixels to the ground.

    Attributes
    ----------
    png
        The image bytes (``width_px`` x ``height_px``).
    bbox
        ``(lon_min, lat_min, lon_max, lat_max)`` of the map frame.
    frame_px
        ``(left, top, right, bottom)`` of the map frame in image pixels (y down).
    keys
        The letter of each keyed line, by line id (reference parallels have none).
    """

    png: bytes
    width_px: int
    height_px: int
    bbox: Extent
    frame_px: tuple[float, float, float, float]
    keys: dict[str, str] = field(default_factory=dict)

    def pixel(self, lon: float, lat: float) -> tuple[float, float]:
        """Image pixel ``(x, y)`` of a point; the frame is plate carrée, so this is linear."""
        x0, y0, x1, y1 = self.bbox
        left, top, right, bottom = self.frame_px
        x = left + (lon - x0) / (x1 - x0) * (right - left)
        y = top + (y1 - lat) / (y1 - y0) * (bottom - top)
        return (x, y)


def map_png(
    built: BuiltAtlas,
    *,
    theater: str,
    layers: Sequence[str] | None = None,
    selected: str | None = None,
    highlight: BaseGeometry | None = None,
    width_px: int = 1600,
    height_px: int = 1000,
    dpi: int = 150,
    bbox: Extent | None = None,
    title: str | None = None,
) -> bytes:
    """A PNG map of *theater*: land, lines and zones, places, legend, scale and title.

    Parameters
    ----------
    built
        The records and their shapes (:func:`geo.build`).
    theater
        ``"korea"`` or ``"indochina"``.
    layers
        Line ids to draw, in any order; None draws every record of the theater.
    selected
        A line drawn thicker and on top, with a white halo (as the app highlights it).
    highlight
        Extra WGS84 geometry shaded green, e.g. the area between two compared lines.
    width_px, height_px, dpi
        The exact size of the image, and the resolution its type is set at.
    bbox
        ``(lon_min, lat_min, lon_max, lat_max)`` to show; by default the drawn layers with
        a margin. Either is widened to the frame's proportions (true scale at mid-latitude)
        and kept inside the theater's basemap.
    title
        The heading above the map; by default one made from the theater's name.

    Returns
    -------
    bytes
        A PNG of exactly ``width_px`` x ``height_px`` pixels.

    Raises
    ------
    AtlasError
        For an unknown theater, a layer id that is unknown or of the other theater, or a
        selected id that is not drawn.
    """
    return render_map(
        built,
        theater=theater,
        layers=layers,
        selected=selected,
        highlight=highlight,
        width_px=width_px,
        height_px=height_px,
        dpi=dpi,
        bbox=bbox,
        title=title,
    ).png


def render_map(
    built: BuiltAtlas,
    *,
    theater: str,
    layers: Sequence[str] | None = None,
    selected: str | None = None,
    highlight: BaseGeometry | None = None,
    width_px: int = 1600,
    height_px: int = 1000,
    dpi: int = 150,
    bbox: Extent | None = None,
    title: str | None = None,
    legend: bool = True,
) -> MapImage:
    """:func:`map_png`, also returning the frame (for tests, and for placing the PDF map).

    ``legend=False`` leaves out the title and the legend panel: the handout prints them as
    PDF text, which can be selected, searched and read by screen readers.
    """
    if width_px < 200 or height_px < 150:
        raise AtlasError(f"a map needs at least 200 x 150 pixels, not {width_px} x {height_px}")
    lines = _resolve_layers(built, theater, layers)
    if selected is not None and selected not in {ln.id for ln in lines}:
        raise AtlasError(f"selected line {selected!r} is not among the layers drawn")
    keys = line_keys(lines)
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor="white")
    renderer: RendererBase = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
    fs = _base_font(width_px, dpi, legend)
    px = dpi / 72

    head = fs * 4.6 * px if legend else fs * 0.8 * px
    legend_w = min(max(width_px * 0.3, 330.0), width_px * 0.45) if legend else 0.0
    left, bottom, pad = fs * 4.8 * px, fs * 2.6 * px, fs * 0.9 * px
    avail_w = width_px - left - legend_w - pad * (2 if legend else 1)
    avail_h = height_px - head - bottom
    wanted = bbox or _default_extent(built, lines, theater)
    extent, frame_w, frame_h = _fit_frame(wanted, THEATERS[theater].bbox, avail_w, avail_h)
    frame_x = left + (avail_w - frame_w) / 2
    frame_y = bottom + (avail_h - frame_h)  # top-aligned under the heading
    ax = fig.add_axes(
        (frame_x / width_px, frame_y / height_px, frame_w / width_px, frame_h / height_px)
    )
    _draw_map(ax, built, theater, lines, keys, selected, highlight, extent, fs, renderer)

    if legend:
        heading = title or f"{theater_label(theater)}: demarcation lines proposed and signed"
        top = 1 - pad * 0.8 / height_px
        fig.text(
            left / width_px,
            top,
            heading,
            ha="left",
            va="top",
            fontsize=fs * 1.65,
            fontweight="bold",
        )
        fig.text(
            left / width_px,
            top - fs * 2.3 * px / height_px,
            "Armistice Atlas · lines from the archival cables cited · "
            "basemap Natural Earth (modern borders)",
            ha="left",
            va="top",
            fontsize=fs * 0.9,
            color="#444444",
        )
        lax = fig.add_axes(
            (
                (width_px - legend_w - pad) / width_px,
                bottom / height_px,
                legend_w / width_px,
                avail_h / height_px,
            )
        )
        _draw_legend(lax, lines, keys, highlight is not None, fs, dpi)

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    x0, y0, x1, y1 = ax.get_window_extent(renderer).extents
    frame = (float(x0), float(height_px - y1), float(x1), float(height_px - y0))
    return MapImage(buf.getvalue(), width_px, height_px, extent, frame, keys)


def handout_pdf(
    built: BuiltAtlas,
    *,
    theater: str,
    layers: Sequence[str] | None = None,
    title: str | None = None,
    selected: str | None = None,
    highlight: BaseGeometry | None = None,
    bbox: Extent | None = None,
) -> bytes:
    """A one-page A4 landscape handout: map, legend, table of the lines, cable citations.

    Parameters
    ----------
    built
        The records and their shapes.
    theater
        ``"korea"`` or ``"indochina"``.
    layers
        Line ids to show and list; None shows every record of the theater.
    title
        The handout's heading; by default one made from the theater's name.
    selected, highlight, bbox
        As for :func:`map_png` (``bbox``: the area a zoomed-in view or story step shows).

    Returns
    -------
    bytes
        A PDF of exactly one page. The type size shrinks (8 pt down to 5.5 pt) until the
        table and the citations fit, and the map takes the height that is left; if even the
        smallest size is too big, the table's last rows give way to a line saying how many
        were left out. The fonts (DejaVu Sans, shipped with matplotlib) are embedded, so
        names such as "Hải Phòng" and units such as "km²" print as written.

    Raises
    ------
    AtlasError
        As for :func:`map_png`.
    """
    lines = _resolve_layers(built, theater, layers)
    if selected is not None and selected not in {ln.id for ln in lines}:
        raise AtlasError(f"selected line {selected!r} is not among the layers drawn")
    keys = line_keys(lines)
    cables = cables_for(built.atlas, [ln.id for ln in lines])
    numbers = {c.id: i + 1 for i, c in enumerate(cables)}
    rows = _table_rows(built, lines, keys, numbers)
    heading = title or f"{theater_label(theater)}: demarcation lines proposed and signed"

    scratch = _Handout()
    scratch.add_page()
    layout = _choose_layout(scratch, lines, cables, rows)
    image = render_map(
        built,
        theater=theater,
        layers=[ln.id for ln in lines],
        selected=selected,
        highlight=highlight,
        width_px=round(_Page.MAP_W / 25.4 * _Page.MAP_DPI),
        height_px=round(layout.map_h / 25.4 * _Page.MAP_DPI),
        dpi=_Page.MAP_DPI,
        bbox=bbox,
        legend=False,
    )
    pdf = _Handout()
    pdf.set_title(heading)
    pdf.set_subject(f"Armistice Atlas handout: {theater_label(theater)}")
    pdf.add_page()
    _draw_page(pdf, theater, heading, lines, cables, layout, image)
    return bytes(pdf.output())


def line_keys(lines: Iterable[Line]) -> dict[str, str]:
    """Letters for the lines on a map (A, B, ... in the order given); references get none."""
    keyed = [ln for ln in lines if ln.status != "reference"]
    return {ln.id: _letters(i) for i, ln in enumerate(keyed)}


# ---------------------------------------------------------------------------------------
# records -> what to draw


def _resolve_layers(built: BuiltAtlas, theater: str, layers: Sequence[str] | None) -> list[Line]:
    """The lines to draw in legend order: by date (signed last), reference parallels last."""
    if theater not in THEATERS:
        raise AtlasError(f"unknown theater {theater!r}; choose {' or '.join(THEATERS)}")
    if layers is None:
        lines = built.atlas.lines_in(theater)
    else:
        lines = []
        for lid in dict.fromkeys(layers):
            if lid not in built.atlas.lines:
                raise AtlasError(f"unknown line id {lid!r}")
            if built.atlas.lines[lid].theater != theater:
                raise AtlasError(f"line {lid!r} belongs to {built.atlas.lines[lid].theater}")
            lines.append(built.atlas.lines[lid])
    return sorted(lines, key=lambda ln: (ln.status == "reference", ln.date_iso, ln.id))


def _letters(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (spreadsheet style)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _latitude_label(line: Line) -> str:
    """``38°N`` for a reference parallel, from its recipe (else its title)."""
    spec = line.geometry.get("parallel") if line.geometry else None
    lat = spec.get("lat") if isinstance(spec, Mapping) else None
    if isinstance(lat, int | float) and not isinstance(lat, bool):
        return f"{abs(lat):g}°{'N' if lat >= 0 else 'S'}"
    return line.title


def _short_date(line: Line) -> str:
    if not line.date_iso:
        return ""
    d = dt.date.fromisoformat(line.date_iso)
    text = f"{d.day} {d:%b %Y}"
    return f"c. {text}" if line.date_approximate else text


def _measure(built: BuiltAtlas, line: Line) -> str:
    shape = built[line.id]
    if shape.is_line:
        return f"{shape.length_km:,.0f} km"
    return f"{shape.area_km2:,.0f} km²"


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return (int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16))


def _tint(color: str, alpha: float) -> tuple[int, int, int]:
    """*color* at *alpha* over white, for zone fills in the PDF (no transparency needed)."""
    r, g, b = (round(255 - (255 - v) * alpha) for v in _rgb(color))
    return (r, g, b)


@dataclass(frozen=True)
class _Style:
    """:func:`geo.render.style_for` in print units (points instead of screen pixels)."""

    color: str
    width_pt: float  # a line's stroke, or a zone's outline
    dash: tuple[float, ...] | None  # on/off lengths in points; None = solid
    zone: bool


def _style(line: Line, *, selected: bool = False) -> _Style:
    color = party_color(line.party)
    zone = line.kind == "zone"
    width = 1.1 if zone else {"reference": 0.9, "agreed": 2.6}.get(line.status, 2.2)
    if selected:
        width += 1.2
    return _Style(color, width, _dash(line.status), zone)


def _dash(status: str) -> tuple[float, ...] | None:
    """Leaflet's dash array (pixels) as points: 10 6 -> 8 4.8, so the rhythm is the same."""
    raw = STATUS_DASH.get(status)
    return tuple(float(v) * 0.8 for v in raw.split()) if raw else None


def _linestyle(dash: tuple[float, ...] | None, width_pt: float) -> Any:
    if dash is None:
        return "solid"
    # matplotlib scales dash lengths by the line width; undo that, so they are absolute.
    return (0, tuple(v / max(width_pt, 0.1) for v in dash))


def _default_extent(built: BuiltAtlas, lines: Sequence[Line], theater: str) -> Extent:
    """The drawn layers with a margin of a fifth of their size (at least half a degree)."""
    geoms = [built[ln.id].geometry for ln in lines if not built[ln.id].geometry.is_empty]
    if not geoms:
        return THEATERS[theater].bbox
    x0, y0, x1, y1 = shapely.union_all(geoms).bounds
    pad = max(0.2 * max(x1 - x0, y1 - y0), 0.25)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = max((x1 - x0) / 2 + pad, 0.5)
    half_h = max((y1 - y0) / 2 + pad, 0.5)
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def _fit_frame(
    wanted: Extent, limit: Extent, avail_w: float, avail_h: float
) -> tuple[Extent, float, float]:
    """The extent to draw and the frame's size in pixels.

    The extent is widened to the frame's proportions at true scale (a degree of longitude
    is ``cos(latitude)`` of a degree of latitude), then moved inside *limit*, the theater's
    basemap, because beyond it there is no land to draw. Where it still does not fit, it
    is cut to *limit* and the frame shrinks instead, so the scale stays true.
    """
    x0, y0, x1, y1 = wanted
    k = math.cos(math.radians((y0 + y1) / 2))
    w, h = (x1 - x0) * k, y1 - y0
    ratio = avail_w / avail_h
    if w / h < ratio:
        w = h * ratio
    else:
        h = w / ratio
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ex = _clamp_span(cx - w / 2 / k, cx + w / 2 / k, limit[0], limit[2])
    ey = _clamp_span(cy - h / 2, cy + h / 2, limit[1], limit[3])
    extent = (ex[0], ey[0], ex[1], ey[1])
    k = math.cos(math.radians((ey[0] + ey[1]) / 2))
    real = (ex[1] - ex[0]) * k / (ey[1] - ey[0])
    if real < ratio:
        return extent, avail_h * real, avail_h
    return extent, avail_w, avail_w / real


def _clamp_span(a: float, b: float, lo: float, hi: float) -> tuple[float, float]:
    if b - a >= hi - lo:
        return (lo, hi)
    if a < lo:
        return (lo, lo + (b - a))
    if b > hi:
        return (hi - (b - a), hi)
    return (a, b)


def _base_font(width_px: int, dpi: int, legend: bool) -> float:
    """Type size in points: about a 96th of the map's width, within 5.5-10 pt."""
    width_in = width_px / dpi * (0.7 if legend else 1.0)
    return max(5.5, min(10.0, width_in * 0.95))


# ---------------------------------------------------------------------------------------
# drawing the map


def _polygon_path(geom: BaseGeometry) -> MplPath | None:
    polys: list[Polygon] = []
    stack = [geom]
    while stack:
        g = stack.pop()
        if isinstance(g, Polygon):
            if not g.is_empty:
                polys.append(g)
        elif hasattr(g, "geoms"):
            stack.extend(g.geoms)
    if not polys:
        return None
    rings = [MplPath(list(p.exterior.coords), closed=True) for p in polys]
    rings += [MplPath(list(r.coords), closed=True) for p in polys for r in p.interiors]
    return MplPath.make_compound_path(*rings)


def _line_parts(geom: BaseGeometry) -> list[LineString]:
    out: list[LineString] = []
    stack = [geom]
    while stack:
        g = stack.pop()
        if isinstance(g, LineString):
            if not g.is_empty:
                out.append(g)
        elif hasattr(g, "geoms"):
            stack.extend(g.geoms)
    return out


class _Placer:
    """Places labels without overlap: each tries candidate spots until one is free.

    Two kinds of obstacle: boxes already *taken* (markers, other labels), which no label
    may cover, and the *strokes* of the drawn lines, which names of places and parallels
    avoid so they never hide a line (a line's own key sits on it on purpose).
    """

    def __init__(self, ax: Axes, renderer: RendererBase) -> None:
        self.ax = ax
        self.renderer = renderer
        self.taken: list[Bbox] = []
        self.strokes = np.empty((0, 4))
        self.frame = ax.get_window_extent(renderer)

    def reserve_point(self, x: float, y: float, radius_px: float) -> None:
        """Keep labels off a marker."""
        dx, dy = self.ax.transData.transform((x, y))
        r = radius_px
        self.taken.append(Bbox.from_extents(dx - r, dy - r, dx + r, dy + r))

    def reserve_line(self, geom: BaseGeometry, half_px: float, step_px: float = 4.0) -> None:
        """Keep names off a drawn line: small boxes every few pixels along it."""
        boxes = [self.strokes]
        for part in _line_parts(geom):
            pts = self.ax.transData.transform(np.asarray(part.coords)[:, :2])
            for (ax_, ay), (bx, by) in itertools.pairwise(pts):
                n = max(1, int(math.hypot(bx - ax_, by - ay) / step_px))
                t = np.linspace(0.0, 1.0, n + 1)
                xs, ys = ax_ + (bx - ax_) * t, ay + (by - ay) * t
                boxes.append(
                    np.column_stack([xs - half_px, ys - half_px, xs + half_px, ys + half_px])
                )
        self.strokes = np.concatenate(boxes)

    def _extent(self, text: Text, pad: float) -> Bbox:
        ext = text.get_window_extent(self.renderer)
        return Bbox.from_extents(ext.x0 - pad, ext.y0 - pad, ext.x1 + pad, ext.y1 + pad)

    def _free(self, ext: Bbox, avoid_lines: bool) -> bool:
        f = self.frame
        if not (ext.x0 >= f.x0 and ext.x1 <= f.x1 and ext.y0 >= f.y0 and ext.y1 <= f.y1):
            return False
        if any(ext.overlaps(t) for t in self.taken):
            return False
        if avoid_lines and len(self.strokes):
            s = self.strokes
            hit = (s[:, 0] < ext.x1) & (s[:, 2] > ext.x0) & (s[:, 1] < ext.y1) & (s[:, 3] > ext.y0)
            return not bool(hit.any())
        return True

    def place(
        self,
        text: Text,
        spots: Iterable[Spot],
        *,
        pad: float = 2.0,
        force: bool = False,
        avoid_lines: bool = False,
    ) -> bool:
        """Move *text* to the first free spot ``(x, y, ha, va)``.

        With *force* it stays at the first spot even when every spot is taken (a line's
        key must be shown); otherwise it is removed (a place's name may be left out).
        """
        spots = list(spots)
        for x, y, ha, va in spots:
            self._move(text, x, y, ha, va)
            ext = self._extent(text, pad)
            if self._free(ext, avoid_lines):
                self.taken.append(ext)
                return True
        if force and spots:
            self._move(text, *spots[0])
            self.taken.append(self._extent(text, pad))
            return True
        text.remove()
        return False

    @staticmethod
    def _move(text: Text, x: float, y: float, ha: HAlign, va: VAlign) -> None:
        text.set_position((x, y))
        text.set_horizontalalignment(ha)
        text.set_verticalalignment(va)


def _draw_map(
    ax: Axes,
    built: BuiltAtlas,
    theater: str,
    lines: Sequence[Line],
    keys: dict[str, str],
    selected: str | None,
    highlight: BaseGeometry | None,
    extent: Extent,
    fs: float,
    renderer: RendererBase,
) -> None:
    x0, y0, x1, y1 = extent
    frame = box(x0, y0, x1, y1)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_facecolor(SEA)
    for spine in ax.spines.values():
        spine.set_edgecolor("#555555")
        spine.set_linewidth(0.8)

    base = built.basemap
    countries = {iso: g for (th, iso), g in sorted(base.country_theater.items()) if th == theater}
    for geom in countries.values():
        path = _polygon_path(geom) if geom.intersects(frame) else None
        if path is not None:
            ax.add_artist(
                PathPatch(path, facecolor=LAND_COLOR, edgecolor=BORDER_COLOR, lw=0.6, zorder=1)
            )
    _graticule(ax, extent, fs)

    if highlight is not None and not highlight.is_empty:
        path = _polygon_path(highlight)
        if path is not None:
            patch = PathPatch(path, facecolor=HIGHLIGHT_COLOR, alpha=0.35, lw=0, zorder=3)
            ax.add_artist(patch)

    def tier(ln: Line) -> int:
        rank = 0 if ln.status == "reference" else 1 if ln.kind == "zone" else 2
        return rank + (3 if ln.id == selected else 0)

    for n, line in enumerate(sorted(lines, key=tier)):
        geom = built[line.id].geometry
        # No white halo when another drawn line has the same shape: it would hide it.
        twin = any(o.id != line.id and built[o.id].geometry.equals(geom) for o in lines)
        _draw_line(ax, geom, line, line.id == selected, 4 + n * 0.01, halo=not twin)

    placer = _Placer(ax, renderer)
    px = ax.figure.dpi / 72
    for line in lines:
        if line.kind != "zone" and line.status != "reference":
            width = _style(line, selected=line.id == selected).width_pt
            placer.reserve_line(built[line.id].geometry.intersection(frame), width * px / 2 + 1)
    places = _places_in_frame(built, theater, frame)
    for p in places:
        if p.kind != "region":
            ax.plot(
                [p.lon],
                [p.lat],
                marker="o",
                ms=fs * 0.55,
                linestyle="none",
                mew=0.9,
                mfc="#222222" if p.confidence == "high" else "white",
                mec="#222222",
                zorder=10,
            )
            placer.reserve_point(p.lon, p.lat, fs * 0.4 * px)
    # Names the cables use come before the keys; other towns only where room is left.
    _name_places(ax, placer, [p for p in places if p.documents], fs)
    _key_lines(ax, placer, built, lines, keys, frame, fs)
    _label_parallels(ax, placer, built, lines, keys, frame, fs)
    _name_places(ax, placer, [p for p in places if not p.documents], fs)
    _scale_bar(ax, extent, fs)
    _name_countries(ax, placer, countries, frame, fs)


def _draw_line(
    ax: Axes, geom: BaseGeometry, line: Line, selected: bool, z: float, *, halo: bool = True
) -> None:
    style = _style(line, selected=selected)
    z += 2 if selected else 0
    if style.zone:
        path = _polygon_path(geom)
        if path is None:
            return
        ax.add_artist(PathPatch(path, facecolor=style.color, alpha=0.18, lw=0, zorder=z))
        ax.add_artist(
            PathPatch(
                path,
                facecolor="none",
                edgecolor=style.color,
                lw=style.width_pt,
                linestyle=_linestyle(style.dash, style.width_pt),
                zorder=z,
            )
        )
        return
    for part in _line_parts(geom):
        xs, ys = part.xy
        if selected and halo:
            ax.plot(
                xs,
                ys,
                color="white",
                lw=style.width_pt + 3,
                zorder=z - 0.005,
                solid_capstyle="round",
            )
        ax.plot(
            xs,
            ys,
            color=style.color,
            lw=style.width_pt,
            linestyle=_linestyle(style.dash, style.width_pt),
            dash_capstyle="butt",
            solid_capstyle="round",
            zorder=z,
        )


def _places_in_frame(built: BuiltAtlas, theater: str, frame: Polygon) -> list[Place]:
    """Places worth naming, most important first: those the cables name, then towns.

    Route waypoints are construction points of the shapes, not places a reader needs.
    """
    places = [
        p
        for p in built.atlas.places_in(theater)
        if p.kind != "waypoint"
        and frame.contains(Point(p.lon, p.lat))
        and (p.documents or p.kind != "region")
    ]
    places.sort(key=lambda p: (not p.documents, p.kind == "region", p.confidence != "high", p.id))
    return places


def _graticule(ax: Axes, extent: Extent, fs: float) -> None:
    x0, y0, x1, y1 = extent
    span = max(x1 - x0, y1 - y0)
    step = next((s for s in (0.25, 0.5, 1.0, 2.0, 5.0) if span / s <= 8), 10.0)
    xt = [v * step for v in range(math.ceil(x0 / step), math.floor(x1 / step) + 1)]
    yt = [v * step for v in range(math.ceil(y0 / step), math.floor(y1 / step) + 1)]
    ax.set_xticks(xt, [f"{v:g}°E" for v in xt])
    ax.set_yticks(yt, [f"{v:g}°N" for v in yt])
    ax.tick_params(labelsize=fs * 0.85, colors="#444444", length=3, width=0.6)
    ax.grid(True, color="#7a8a99", lw=0.4, alpha=0.5, linestyle=(0, (4, 4)))
    for gridline in ax.get_xgridlines() + ax.get_ygridlines():
        gridline.set_zorder(2)


def _key_lines(
    ax: Axes,
    placer: _Placer,
    built: BuiltAtlas,
    lines: Sequence[Line],
    keys: dict[str, str],
    frame: Polygon,
    fs: float,
) -> None:
    inner = frame.buffer(-0.03 * (frame.bounds[3] - frame.bounds[1]))
    for line in lines:
        if line.id not in keys:
            continue
        geom = built[line.id].geometry.intersection(inner)
        if geom.is_empty:
            continue
        color = party_color(line.party)
        bubble = {
            "boxstyle": "round,pad=0.22",
            "facecolor": "white",
            "edgecolor": color,
            "linewidth": 1.3,
        }
        t = ax.text(
            0,
            0,
            keys[line.id],
            fontsize=fs * 0.95,
            fontweight="bold",
            color="#111111",
            zorder=12,
            bbox=bubble,
        )
        anchors = [(p.x, p.y) for p in _anchor_points(geom)]
        spots: list[Spot] = [
            (x, y, "center", "center") for x, y in anchors + _nearby(ax, anchors[:3], fs)
        ]
        placer.place(t, spots, pad=fs * 0.45, force=True)


def _nearby(
    ax: Axes, points: Sequence[tuple[float, float]], fs: float
) -> list[tuple[float, float]]:
    """Spots around *points*, one to three key widths away: where a key goes when another
    key (of a line with the same shape, say) already sits on the line itself."""
    inverse = ax.transData.inverted()
    step = fs * 2.2 * ax.figure.dpi / 72
    out: list[tuple[float, float]] = []
    for ring in (1, 2, 3):
        for x, y in points:
            px, py = ax.transData.transform((x, y))
            for angle in range(90, 450, 45):
                a = math.radians(angle)
                dx, dy = math.cos(a) * step * ring, math.sin(a) * step * ring
                qx, qy = inverse.transform((px + dx, py + dy))
                out.append((float(qx), float(qy)))
    return out


def _anchor_points(geom: BaseGeometry) -> list[Point]:
    """Candidate spots for a key: along the longest visible part, middle first; for a zone,
    inside it first, then along its outline."""
    fractions = (0.5, 0.38, 0.62, 0.25, 0.75, 0.14, 0.86, 0.05, 0.95)
    parts = _line_parts(geom)
    if parts and not any(isinstance(g, Polygon) for g in getattr(geom, "geoms", [geom])):
        longest = max(parts, key=lambda p: p.length)
        return [longest.interpolate(f, normalized=True) for f in fractions]
    polys: list[Polygon] = []
    stack = [geom]
    while stack:
        g = stack.pop()
        if isinstance(g, Polygon):
            polys.append(g)
        elif hasattr(g, "geoms"):
            stack.extend(g.geoms)
    if not polys:
        return [geom.representative_point()]
    biggest = max(polys, key=lambda p: p.area)
    ring = biggest.exterior
    return [biggest.representative_point()] + [
        ring.interpolate(f, normalized=True) for f in fractions
    ]


def _name_places(ax: Axes, placer: _Placer, places: Sequence[Place], fs: float) -> None:
    halo = [withStroke(linewidth=2.6, foreground="white")]
    # Offsets clear the marker (its radius plus a little), converted from pixels to degrees.
    (ax0, ay0), (ax1, ay1) = ax.transData.transform([(0.0, 0.0), (1.0, 1.0)])
    gap_px = fs * 0.55 * ax.figure.dpi / 72
    dx, dy = gap_px / (ax1 - ax0), gap_px / (ay1 - ay0)
    for p in places:
        region = p.kind == "region"
        t = ax.text(
            p.lon,
            p.lat,
            p.name,
            fontsize=fs * (0.8 if region else 0.85),
            color="#333333" if region else "#111111",
            style="italic" if region else "normal",
            zorder=11,
            path_effects=halo,
        )
        spots: list[Spot]
        if region:
            spots = [(p.lon, p.lat, "center", "center")]
        else:
            spots = [
                (p.lon + dx, p.lat, "left", "center"),
                (p.lon - dx, p.lat, "right", "center"),
                (p.lon, p.lat + dy, "center", "bottom"),
                (p.lon, p.lat - dy, "center", "top"),
                (p.lon + dx, p.lat + dy, "left", "bottom"),
                (p.lon - dx, p.lat - dy, "right", "top"),
            ]
        placer.place(t, spots, pad=1.0, avoid_lines=True)


def _label_parallels(
    ax: Axes,
    placer: _Placer,
    built: BuiltAtlas,
    lines: Sequence[Line],
    keys: dict[str, str],
    frame: Polygon,
    fs: float,
) -> None:
    """Reference parallels get their latitude at an end of the visible stretch."""
    inner = frame.buffer(-0.01 * (frame.bounds[3] - frame.bounds[1]))
    for line in lines:
        if line.id in keys:
            continue
        parts = _line_parts(built[line.id].geometry.intersection(inner))
        if not parts:
            continue
        longest = max(parts, key=lambda p: p.length)
        east = max(longest.coords, key=lambda c: c[0])
        west = min(longest.coords, key=lambda c: c[0])
        t = ax.text(
            0,
            0,
            _latitude_label(line),
            fontsize=fs * 0.85,
            color="#555555",
            style="italic",
            zorder=9,
            path_effects=[withStroke(linewidth=2.5, foreground="white")],
        )
        # clear of the strokes of lines drawn on the same latitude (e.g. a proposal on it)
        (_, y0), (_, y1) = ax.transData.transform([(0.0, 0.0), (0.0, 1.0)])
        dy = fs * 0.45 * ax.figure.dpi / 72 / (y1 - y0)
        spots: list[Spot] = [
            (east[0], east[1] + dy, "right", "bottom"),
            (west[0], west[1] + dy, "left", "bottom"),
            (east[0], east[1] - dy, "right", "top"),
            (west[0], west[1] - dy, "left", "top"),
            (east[0], east[1], "left", "center"),
            (west[0], west[1], "right", "center"),
        ]
        placer.place(t, spots, pad=1.0, avoid_lines=True)


def _name_countries(
    ax: Axes,
    placer: _Placer,
    countries: Mapping[str, BaseGeometry],
    frame: Polygon,
    fs: float,
) -> None:
    for iso, geom in countries.items():
        if iso not in COUNTRY_NAMES:
            continue
        part = geom.intersection(frame)
        if part.is_empty or part.area < frame.area * 0.04:
            continue
        pt, c = part.representative_point(), part.centroid
        t = ax.text(
            pt.x,
            pt.y,
            COUNTRY_NAMES[iso],
            fontsize=fs * 0.95,
            color="#9a9284",
            fontweight="bold",
            zorder=2.5,
        )
        spots: list[Spot] = [(pt.x, pt.y, "center", "center"), (c.x, c.y, "center", "center")]
        placer.place(t, spots, avoid_lines=True)


def _scale_bar(ax: Axes, extent: Extent, fs: float) -> None:
    """A bar of a round number of km, about a fifth of the frame (true at mid-latitude)."""
    x0, y0, x1, y1 = extent
    km_per_deg = _KM_PER_DEG * math.cos(math.radians((y0 + y1) / 2))
    target = (x1 - x0) * km_per_deg * 0.2
    nice = max((v for v in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if v <= target), default=1)
    bx, by = x0 + (x1 - x0) * 0.035, y0 + (y1 - y0) * 0.045
    h = (y1 - y0) * 0.012
    half = nice / km_per_deg / 2
    ax.add_patch(
        Rectangle(
            (bx - half * 0.25, by - h * 1.6),
            half * 2.5,
            h * 5.8,
            facecolor="white",
            alpha=0.85,
            lw=0,
            zorder=13,
        )
    )
    for i, color in enumerate(("#222222", "white")):
        ax.add_patch(
            Rectangle(
                (bx + i * half, by),
                half,
                h,
                facecolor=color,
                edgecolor="#222222",
                lw=0.6,
                zorder=14,
            )
        )
    for x, text in ((bx, "0"), (bx + 2 * half, f"{nice:g} km")):
        ax.text(x, by + h * 1.5, text, fontsize=fs * 0.75, ha="center", va="bottom", zorder=14)


# ---------------------------------------------------------------------------------------
# the legend panel of the PNG

_Row = tuple[float, Callable[[Axes, float], None]]


def _draw_legend(
    lax: Axes,
    lines: Sequence[Line],
    keys: dict[str, str],
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
    keys: dict[str, str],
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

    def sampler(style: _Style) -> Callable[[Axes, float], None]:
        def draw(ax: Axes, y: float) -> None:
            _sample(ax, style, sx0, sx1, y, lh)

        return draw

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
        date = _short_date(line)
        label = line.title if not date or date[-4:] in line.title else f"{line.title} ({date})"

        def sample(ax: Axes, y: float, line: Line = line) -> None:
            color = party_color(line.party)
            bubble = {
                "boxstyle": "round,pad=0.2",
                "facecolor": "white",
                "edgecolor": color,
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
            _sample(ax, _style(line), sx0, sx1, y, lh)

        text_row(label, sample)
    refs = [ln for ln in lines if ln.id not in keys]
    if refs:
        names = ", ".join(_latitude_label(ln) for ln in refs)
        text_row(
            f"Reference parallels ({names}), labelled on the map",
            sampler(_style(refs[0])),
            color="#333333",
        )

    gap()
    heading("Colour: who proposed it")
    parties = sorted({ln.party for ln in lines if ln.party != "none"}, key=list(PARTIES).index)
    for party in parties:
        label = PARTIES[party].label
        if party_short(party) not in label:
            label = f"{party_short(party)}: {label}"
        text_row(label, sampler(_Style(party_color(party), 3.0, None, False)))

    gap()
    heading("Line style: status")
    for status in STATUSES:
        if status == "reference" or not any(ln.status == status for ln in lines):
            continue
        st = _Style("#333333", 2.6 if status == "agreed" else 2.2, _dash(status), False)
        text_row(STATUSES[status], sampler(st))
    if any(ln.kind == "zone" for ln in lines):
        zone = _Style("#555555", 1.1, None, True)
        text_row("zone: shaded, outlined in the same dashes", sampler(zone))

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
                    facecolor=HIGHLIGHT_COLOR,
                    alpha=0.35,
                    lw=0,
                )
            )

        text_row("area between the compared lines", green)
    return rows


def _sample(ax: Axes, style: _Style, x0: float, x1: float, y: float, lh: float) -> None:
    """A short stretch of a line (or a small zone swatch) in the legend."""
    linestyle = _linestyle(style.dash, style.width_pt)
    if style.zone:
        ax.add_patch(
            Rectangle(
                (x0, y - lh * 0.38), x1 - x0, lh * 0.76, facecolor=style.color, alpha=0.22, lw=0
            )
        )
        ax.add_patch(
            Rectangle(
                (x0, y - lh * 0.38),
                x1 - x0,
                lh * 0.76,
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


# ---------------------------------------------------------------------------------------
# the PDF page


class _Page:
    """A4 landscape, in millimetres."""

    W, H, M = 297.0, 210.0, 10.0
    MAP_X, MAP_Y, MAP_W = 10.0, 23.0, 172.0
    MAP_H_MIN, MAP_H_GOOD, MAP_H_MAX = 72.0, 100.0, 130.0
    MAP_DPI = 200
    COL_X = 187.0
    COL_W = W - M - COL_X
    GAP = 4.0
    #: Table columns: key, title, party, date, status, measure, sources (sum: 277 mm).
    COLS = (13.0, 100.0, 20.0, 21.0, 16.0, 23.0, 84.0)
    HEADERS = ("", "Line or zone", "Party", "Date", "Status", "Length / area", "Sources")


@dataclass(frozen=True)
class _TableRow:
    line: Line  # whose style the swatch shows
    key: str
    cells: tuple[str, ...]  # title, party, date, status, measure, sources


@dataclass(frozen=True)
class _Layout:
    size: float  # type size, points
    rows: tuple[_TableRow, ...]
    left_out: int  # rows that did not fit
    table_y: float
    map_h: float


class _Handout(FPDF):
    """An A4 landscape page with DejaVu Sans embedded (any Unicode the cables use)."""

    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(_Page.M, _Page.M, _Page.M)
        for style, name in (
            ("", "DejaVuSans.ttf"),
            ("B", "DejaVuSans-Bold.ttf"),
            ("I", "DejaVuSans-Oblique.ttf"),
        ):
            self.add_font(_PDF_FONT, style, str(_FONT_DIR / name))
        self.set_creation_date(_PDF_DATE)
        self.set_creator("Armistice Atlas")
        self.set_author("Armistice Atlas")
        self.set_lang("en")
        self.c_margin = 0.8

    def n_lines(self, w: float, text: str) -> int:
        out = self.multi_cell(w, 1, text, dry_run=True, output="LINES")
        return len(out) if isinstance(out, list) else 1

    def para(self, x: float, y: float, w: float, lh: float, text: str) -> float:
        """Wrapped, left-aligned text at (x, y); returns the y below it."""
        self.set_xy(x, y)
        self.multi_cell(w, lh, text, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        return self.get_y()

    def stroke(self, color: str, width_mm: float, dash: tuple[float, ...] | None) -> None:
        self.set_draw_color(*_rgb(color))
        self.set_line_width(width_mm)
        if dash:
            self.set_dash_pattern(dash=dash[0] * PT_MM, gap=dash[1] * PT_MM)
        else:
            self.set_dash_pattern()

    def swatch(self, style: _Style, x: float, y: float, w: float, h: float) -> None:
        """The style sample of a table row or a legend entry, at print size."""
        if style.zone:
            self.set_fill_color(*_tint(style.color, 0.22))
            self.stroke(style.color, 0.3, style.dash)
            self.rect(x, y + h * 0.12, w, h * 0.76, style="DF")
        else:
            self.stroke(style.color, max(style.width_pt * PT_MM * 0.7, 0.2), style.dash)
            self.line(x, y + h / 2, x + w, y + h / 2)
        self.set_dash_pattern()


def _table_rows(
    built: BuiltAtlas, lines: Sequence[Line], keys: dict[str, str], numbers: dict[str, int]
) -> list[_TableRow]:
    """One row per keyed line; the reference parallels share one row at the end."""
    rows: list[_TableRow] = []
    for line in lines:
        if line.id not in keys:
            continue
        if line.sources:
            sources = ", ".join(
                f"[{numbers[c]}] {c}" if c.isdigit() else f"[{numbers[c]}]"
                for c in line.sources
                if c in numbers
            )
        elif line.references:
            sources = line.references[0].title
        else:
            sources = "–"
        cells = (
            line.title + (" *" if line.inferred else ""),
            party_short(line.party),
            _short_date(line) or "–",
            line.status,
            _measure(built, line),
            sources,
        )
        rows.append(_TableRow(line, keys[line.id], cells))
    refs = [ln for ln in lines if ln.id not in keys]
    if refs:
        names = ", ".join(_latitude_label(ln) for ln in refs)
        if len(refs) > 1:
            title, measure = f"Reference parallels {names}, for comparison", "–"
        else:
            title, measure = refs[0].title, _measure(built, refs[0])
        rows.append(_TableRow(refs[0], "", (title, "–", "–", "reference", measure, "–")))
    return rows


def _choose_layout(
    pdf: _Handout, lines: Sequence[Line], cables: Sequence[Cable], rows: Sequence[_TableRow]
) -> _Layout:
    """The largest type size at which the table, the legend column and a map of good
    height fit on the page (else the size giving the tallest map); rows are dropped only
    when even the smallest type leaves no room for a map."""
    fitting: list[_Layout] = []
    for size in _TYPE_SIZES:
        table_h = _table(pdf, rows, size, 0.0, draw=False)
        table_y = _Page.H - _Page.M - _footer_h(size) - table_h
        map_h = min(_Page.MAP_H_MAX, table_y - _Page.GAP - _Page.MAP_Y)
        column_end = _column(pdf, lines, cables, size, draw=False)
        if map_h >= _Page.MAP_H_MIN and column_end <= table_y - _Page.GAP:
            table_y = _Page.MAP_Y + map_h + _Page.GAP  # right under the map, space below
            fitting.append(_Layout(size, tuple(rows), 0, table_y, map_h))
            if map_h >= _Page.MAP_H_GOOD:
                return fitting[-1]
    if fitting:  # no size leaves a good map: take the biggest map (smallest type)
        return max(fitting, key=lambda lay: (lay.map_h, lay.size))
    size = _TYPE_SIZES[-1]
    heights = [_row_height(pdf, row, size) for row in rows]
    room = _Page.H - _Page.M - _footer_h(size) - _Page.GAP - _Page.MAP_Y - _Page.MAP_H_MIN
    head = _line_h(size) * 2 + 1.2  # the header row and the "... more" line
    kept = 0
    while kept < len(rows) and head + sum(heights[: kept + 1]) <= room:
        kept += 1
    table_y = _Page.H - _Page.M - _footer_h(size) - head - sum(heights[:kept])
    map_h = min(_Page.MAP_H_MAX, table_y - _Page.GAP - _Page.MAP_Y)
    return _Layout(size, tuple(rows[:kept]), len(rows) - kept, table_y, map_h)


def _row_height(pdf: _Handout, row: _TableRow, size: float) -> float:
    """A row is as tall as its longest cell once wrapped (the font must be set to *size*)."""
    pdf.set_font(_PDF_FONT, "", size)
    lines = [pdf.n_lines(w, t) for w, t in zip(_Page.COLS[1:], row.cells, strict=True)]
    return max(lines) * _line_h(size) + 0.9


def _line_h(size: float) -> float:
    return size * PT_MM * 1.3


def _footer_h(size: float) -> float:
    return _line_h(size) * 2.4


def _draw_page(
    pdf: _Handout,
    theater: str,
    heading: str,
    lines: Sequence[Line],
    cables: Sequence[Cable],
    layout: _Layout,
    image: MapImage,
) -> None:
    full_w = _Page.W - 2 * _Page.M
    pdf.set_font(_PDF_FONT, "B", 15)
    pdf.set_xy(_Page.M, 8.5)
    pdf.cell(full_w, 7, heading, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(_PDF_FONT, "", 8.5)
    pdf.set_text_color(70, 70, 70)
    pdf.cell(
        full_w,
        4.5,
        f"Armistice Atlas · {theater_label(theater)} · {len(lines)} lines and zones, each "
        "tied to the archival cable or agreement behind it",
    )
    pdf.set_text_color(0, 0, 0)
    pdf.image(
        io.BytesIO(image.png),
        x=_Page.MAP_X,
        y=_Page.MAP_Y,
        w=_Page.MAP_W,
        h=layout.map_h,
        alt_text=f"Map of {theater_label(theater)} with the lines listed below",
    )
    _column(pdf, lines, cables, layout.size, draw=True)
    _table(pdf, layout.rows, layout.size, layout.table_y, draw=True, left_out=layout.left_out)


def _column(
    pdf: _Handout, lines: Sequence[Line], cables: Sequence[Cable], size: float, *, draw: bool
) -> float:
    """The right-hand column: how to read the map, then the cables cited. Returns its end.

    When *draw* is false it is written on a scratch page only to measure it.
    """
    lh = _line_h(size)
    x, w = _Page.COL_X, _Page.COL_W
    y = _Page.MAP_Y - 0.5
    pdf.set_font(_PDF_FONT, "B", size + 1)
    y = pdf.para(x, y, w, lh * 1.25, "How to read the map")
    pdf.set_font(_PDF_FONT, "", size)
    for party in PARTIES:
        if party == "none" or not any(ln.party == party for ln in lines):
            continue
        pdf.swatch(_Style(party_color(party), 3.0, None, False), x + 0.5, y, 7.5, lh)
        label = PARTIES[party].label
        if party_short(party) not in label:
            label = f"{party_short(party)}: {label}"
        y = pdf.para(x + 10, y, w - 10, lh, label)
    for status in STATUSES:
        if not any(ln.status == status for ln in lines):
            continue
        width = {"agreed": 2.6, "reference": 1.2}.get(status, 2.2)
        color = party_color("none") if status == "reference" else "#333333"
        pdf.swatch(_Style(color, width, _dash(status), False), x + 0.5, y, 7.5, lh)
        y = pdf.para(x + 10, y, w - 10, lh, STATUSES[status])
    notes = (
        "Letters on the map key the lines to the table below; reference parallels are "
        "labelled with their latitude. Zones are shaded and outlined in their status's "
        "dashes. Filled dots: places identified with certainty; hollow dots: less certain. "
        "* marks a shape that is partly inferred (the app explains how)."
    )
    y = pdf.para(x, y + 0.8, w, lh, notes)
    pdf.set_font(_PDF_FONT, "B", size + 1)
    y = pdf.para(x, y + 2.0, w, lh * 1.25, "Cables cited")
    pdf.set_font(_PDF_FONT, "", size)
    for i, cable in enumerate(cables):
        y = pdf.para(x, y + 0.5, w, lh, f"[{i + 1}] {full_citation(cable)}")
    if not cables:
        y = pdf.para(x, y, w, lh, "None of the lines shown has a cable as its source.")
    return y


def _table(
    pdf: _Handout,
    rows: Sequence[_TableRow],
    size: float,
    top: float,
    *,
    draw: bool,
    left_out: int = 0,
) -> float:
    """The table of lines from *top*; returns its height (including the footnote)."""
    lh = _line_h(size)
    full_w = sum(_Page.COLS)
    y = top
    pdf.set_font(_PDF_FONT, "B", size)
    if draw:
        pdf.set_fill_color(232, 232, 232)
        pdf.rect(_Page.M, y, full_w, lh + 1.0, style="F")
        x = _Page.M
        for name, w in zip(_Page.HEADERS, _Page.COLS, strict=True):
            pdf.set_xy(x, y + 0.5)
            pdf.cell(w, lh, name)
            x += w
    y += lh + 1.2
    pdf.set_font(_PDF_FONT, "", size)
    for i, row in enumerate(rows):
        row_h = _row_height(pdf, row, size)
        if draw:
            if i % 2:
                pdf.set_fill_color(245, 245, 245)
                pdf.rect(_Page.M, y, full_w, row_h, style="F")
            pdf.swatch(_style(row.line), _Page.M + 1.0, y + 0.45, 6.0, lh)
            pdf.set_font(_PDF_FONT, "B", size)
            pdf.set_xy(_Page.M + 7.2, y + 0.45)
            pdf.cell(5.5, lh, row.key)
            pdf.set_font(_PDF_FONT, "", size)
            x = _Page.M + _Page.COLS[0]
            for w, text in zip(_Page.COLS[1:], row.cells, strict=True):
                pdf.para(x, y + 0.45, w, lh, text)
                x += w
        y += row_h
    if left_out:
        if draw:
            pdf.set_font(_PDF_FONT, "I", size)
            pdf.para(
                _Page.M + _Page.COLS[0],
                y,
                full_w,
                lh,
                f"… and {left_out} more, not listed for lack of room",
            )
        y += lh
    if draw:
        pdf.set_draw_color(85, 85, 85)
        pdf.set_line_width(0.2)
        pdf.set_dash_pattern()
        pdf.line(_Page.M, y + 0.3, _Page.M + full_w, y + 0.3)
        pdf.set_font(_PDF_FONT, "I", size * 0.95)
        pdf.set_text_color(70, 70, 70)
        pdf.para(
            _Page.M,
            y + 1.0,
            full_w,
            lh,
            "Lengths are geodesic and areas ellipsoidal (WGS84). Basemap: Natural Earth "
            "(public domain), with modern borders. Full texts: Wilson Center Digital Archive.",
        )
        pdf.set_text_color(0, 0, 0)
    return y - top
