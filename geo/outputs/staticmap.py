"""The static map: one theater's records drawn as a PNG, offline, for print and slides.

One responsibility: drawing the map -- land, lines and zones, places, graticule, scale bar,
and (through :mod:`geo.outputs.staticlegend`) the legend panel -- and saying how its pixels
relate to the ground (:class:`MapImage`). Labels are placed by :mod:`geo.outputs.labels`;
the PDF handout (:mod:`geo.outputs.handout`) prints this map.

The visual language is the web map's (:mod:`geo.style`): colour by party, dash pattern by
status, so colour is never the only cue. Lines and zones carry the key letters of
``built.atlas.keys(theater)``, the same letters as the web map's legend whatever subset is
shown; reference parallels are labelled with their latitude. matplotlib runs on its Agg
backend (no GUI, no pyplot state, safe in Streamlit's threads); nothing touches the network.

The scale bar is matplotlib-scalebar's: the frame is plate carrée, so its ``dx`` is the
length of a degree of longitude at the frame's middle latitude (true there, as our
hand-drawn bar was); it picks a round length and its unit (km) and reports what it drew
(:attr:`MapImage.scale`), and its box is kept free of labels.

:func:`view_bbox` (a story step's web-map view as a bbox for this map) is
:func:`geo.outputs.webmap.view_bbox`, re-exported: one definition for both maps.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import shapely
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib_scalebar.scalebar import ScaleBar
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo.errors import AtlasError
from geo.geometry import BuiltAtlas
from geo.outputs.labels import Placer, label_map, line_parts, places_to_name, polygon_parts
from geo.outputs.staticlegend import (
    HIGHLIGHT_OPACITY,
    draw_legend,
    mpl_linestyle,
    print_style,
)
from geo.outputs.webmap import view_bbox as view_bbox  # stories' views -> a bbox here
from geo.records.model import Line, Place
from geo.style import HIGHLIGHT, LAND_EDGE, LAND_FILL, SEA
from geo.vocab import THEATERS, theater_label

Extent = tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max

#: WGS84 semi-major axis (m) and first eccentricity squared: a degree of longitude's length.
_WGS84_A = 6_378_137.0
_WGS84_E2 = 0.006_694_379_990_14


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
        The key letter of each keyed line drawn, by line id (``built.atlas.keys``: the
        same letter whatever else is drawn; reference parallels have none).
    scale
        The scale bar's text, e.g. ``"50 km"``.
    """

    png: bytes
    width_px: int
    height_px: int
    bbox: Extent
    frame_px: tuple[float, float, float, float]
    keys: dict[str, str] = field(default_factory=dict)
    scale: str = ""

    def pixel(self, lon: float, lat: float) -> tuple[float, float]:
        """Image pixel ``(x, y)`` of a point; the frame is plate carrée, so this is linear."""
        x0, y0, x1, y1 = self.bbox
        left, top, right, bottom = self.frame_px
        x = left + (lon - x0) / (x1 - x0) * (right - left)
        y = top + (y1 - lat) / (y1 - y0) * (bottom - top)
        return (x, y)


def metres_per_degree_lon(lat: float) -> float:
    """The length of one degree of longitude at *lat* on the WGS84 ellipsoid, in metres."""
    phi = math.radians(lat)
    radius = _WGS84_A * math.cos(phi) / math.sqrt(1 - _WGS84_E2 * math.sin(phi) ** 2)
    return radius * math.pi / 180


def default_title(theater: str) -> str:
    return f"{theater_label(theater)}: demarcation lines proposed and signed"


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
        ``(lon_min, lat_min, lon_max, lat_max)`` to show (e.g. :func:`view_bbox`); by
        default the drawn layers with a margin. Either is widened to the frame's
        proportions (true scale at mid-latitude) and kept inside the theater's basemap.
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
    font_pt: float | None = None,
) -> MapImage:
    """:func:`map_png`, also returning the frame (for tests, and for placing the PDF map).

    ``legend=False`` leaves out the title and the legend panel: the handout prints them as
    PDF text, which can be selected, searched and read by screen readers. ``font_pt`` sets
    the base type size (by default it follows the width: about a 96th of it, 5.5-10 pt).
    """
    if width_px < 200 or height_px < 150:
        raise AtlasError(f"a map needs at least 200 x 150 pixels, not {width_px} x {height_px}")
    lines = resolve_layers(built, theater, layers)
    check_selected(lines, selected)
    keys = shown_keys(built, theater, lines)
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor="white")
    renderer: RendererBase = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
    fs, left, bottom, pad, legend_w = _margins(width_px, dpi, legend, font_pt)
    px = dpi / 72
    avail_w = width_px - left - legend_w - pad * (2 if legend else 1)
    avail_h = height_px - (fs * 4.6 * px if legend else fs * 0.8 * px) - bottom
    wanted = bbox or _default_extent(built, lines, theater)
    extent, frame_w, frame_h = _fit_frame(wanted, THEATERS[theater].bbox, avail_w, avail_h)
    frame_x = left + (avail_w - frame_w) / 2
    frame_y = bottom + (avail_h - frame_h)  # top-aligned under the heading
    ax = fig.add_axes(
        (frame_x / width_px, frame_y / height_px, frame_w / width_px, frame_h / height_px)
    )
    scale = _draw_map(ax, built, theater, lines, keys, selected, highlight, extent, fs, renderer)

    if legend:
        top = 1 - pad * 0.8 / height_px
        fig.text(
            left / width_px,
            top,
            title or default_title(theater),
            ha="left",
            va="top",
            fontsize=fs * 1.65,
            fontweight="bold",
        )
        fig.text(
            left / width_px,
            top - fs * 2.3 * px / height_px,
            "Armistice Atlas · lines from the archival documents cited · "
            "basemap Natural Earth (modern borders)",
            ha="left",
            va="top",
            fontsize=fs * 0.9,
            color="#444444",
        )
        x = (width_px - legend_w - pad) / width_px
        lax = fig.add_axes((x, bottom / height_px, legend_w / width_px, avail_h / height_px))
        draw_legend(lax, lines, keys, highlight is not None, fs, dpi)

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    x0, y0, x1, y1 = ax.get_window_extent(renderer).extents
    frame = (float(x0), float(height_px - y1), float(x1), float(height_px - y0))
    return MapImage(buf.getvalue(), width_px, height_px, extent, frame, keys, scale)


def fitted_width_px(
    built: BuiltAtlas,
    *,
    theater: str,
    layers: Sequence[str] | None = None,
    bbox: Extent | None = None,
    width_px: int,
    height_px: int,
    dpi: int,
    font_pt: float | None = None,
) -> int:
    """The width :func:`render_map` (``legend=False``) needs at most, within *width_px*,
    to draw the frame as tall as *height_px* allows: narrower than *width_px* when the
    area is taller than the box is wide (its basemap cannot widen it), so a page can use
    the blank margins beside the frame. ``font_pt`` is as for :func:`render_map`."""
    lines = resolve_layers(built, theater, layers)
    wanted = bbox or _default_extent(built, lines, theater)
    width = width_px
    for _ in range(3):  # the margins follow the width's type size: settle them
        fs, left, bottom, pad, _ = _margins(width, dpi, False, font_pt)
        avail_h = height_px - fs * 0.8 * dpi / 72 - bottom
        _, frame_w, _ = _fit_frame(wanted, THEATERS[theater].bbox, width_px - left - pad, avail_h)
        width = min(width_px, max(200, math.ceil(left + frame_w + pad) + 2))
    return width


def resolve_layers(built: BuiltAtlas, theater: str, layers: Sequence[str] | None) -> list[Line]:
    """The lines to draw in key order (by date, then id), reference parallels last."""
    if theater not in THEATERS:
        raise AtlasError(f"unknown theater {theater!r}; choose {' or '.join(THEATERS)}")
    if layers is None:
        lines = built.lines_in(theater)
    else:
        lines = []
        for lid in dict.fromkeys(layers):
            if lid not in built.atlas.lines:
                raise AtlasError(f"unknown line id {lid!r}")
            if built.atlas.lines[lid].theater != theater:
                raise AtlasError(f"line {lid!r} belongs to {built.atlas.lines[lid].theater}")
            if lid not in built:
                raise AtlasError(f"line {lid!r} has no shape: its theater was not built")
            lines.append(built.atlas.lines[lid])
    return sorted(lines, key=lambda ln: (ln.status == "reference", ln.date_iso or "9999", ln.id))


def check_selected(lines: Sequence[Line], selected: str | None) -> None:
    if selected is not None and selected not in {ln.id for ln in lines}:
        raise AtlasError(f"selected line {selected!r} is not among the layers drawn")


def shown_keys(built: BuiltAtlas, theater: str, lines: Sequence[Line]) -> dict[str, str]:
    """The stable key letters (``built.atlas.keys(theater)``) of the lines drawn."""
    every = built.atlas.keys(theater)
    return {ln.id: every[ln.id] for ln in lines if ln.id in every}


# ---------------------------------------------------------------------------------------
# the frame


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


def _margins(
    width_px: int, dpi: int, legend: bool, font_pt: float | None
) -> tuple[float, float, float, float, float]:
    """Type size (points), and the left, bottom, pad and legend widths (pixels) of a map."""
    fs = font_pt or _base_font(width_px, dpi, legend)
    px = dpi / 72
    legend_w = min(max(width_px * 0.3, 330.0), width_px * 0.45) if legend else 0.0
    return fs, fs * 4.8 * px, fs * 2.6 * px, fs * 0.9 * px, legend_w


def _base_font(width_px: int, dpi: int, legend: bool) -> float:
    """Type size in points: about a 96th of the map's width, within 5.5-10 pt."""
    width_in = width_px / dpi * (0.7 if legend else 1.0)
    return max(5.5, min(10.0, width_in * 0.95))


# ---------------------------------------------------------------------------------------
# drawing the map


def polygon_path(geom: BaseGeometry) -> MplPath | None:
    """A matplotlib path of the polygons of *geom* (holes included), or None."""
    polys = polygon_parts(geom)
    if not polys:
        return None
    rings = [MplPath(list(p.exterior.coords), closed=True) for p in polys]
    rings += [MplPath(list(r.coords), closed=True) for p in polys for r in p.interiors]
    return MplPath.make_compound_path(*rings)


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
) -> str:
    """Everything inside the frame; returns the scale bar's text."""
    x0, y0, x1, y1 = extent
    frame = box(x0, y0, x1, y1)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_facecolor(SEA)
    for spine in ax.spines.values():
        spine.set_edgecolor("#555555")
        spine.set_linewidth(0.8)

    countries = {
        iso: g for (th, iso), g in sorted(built.basemap.country_theater.items()) if th == theater
    }
    for geom in countries.values():
        path = polygon_path(geom) if geom.intersects(frame) else None
        if path is not None:
            ax.add_artist(
                PathPatch(path, facecolor=LAND_FILL, edgecolor=LAND_EDGE, lw=0.6, zorder=1)
            )
    _graticule(ax, extent, fs)

    if highlight is not None and not highlight.is_empty:
        path = polygon_path(highlight)
        if path is not None:
            ax.add_artist(
                PathPatch(path, facecolor=HIGHLIGHT, alpha=HIGHLIGHT_OPACITY, lw=0, zorder=3)
            )

    def tier(ln: Line) -> int:
        rank = 0 if ln.status == "reference" else 1 if ln.kind == "zone" else 2
        return rank + (3 if ln.id == selected else 0)

    for n, line in enumerate(sorted(lines, key=tier)):
        geom = built[line.id].geometry
        # No white halo when another drawn line has the same shape: it would hide it.
        twin = any(o.id != line.id and built[o.id].geometry.equals(geom) for o in lines)
        _draw_line(ax, geom, line, line.id == selected, 4 + n * 0.01, halo=not twin)

    placer = Placer(ax, renderer)
    px = ax.figure.dpi / 72
    for line in lines:
        if line.kind != "zone" and line.status != "reference":
            width = print_style(line, selected=line.id == selected).width_pt
            placer.reserve_line(built[line.id].geometry.intersection(frame), width * px / 2 + 1)
    places = places_to_name(built, theater, frame)
    _draw_places(ax, placer, places, fs)
    bar = _scale_bar(ax, extent, fs)
    bar.draw(renderer)  # where it goes and what it says are known once drawn
    placer.reserve(bar.info.window_extent)
    label_map(ax, placer, built, lines, keys, places, countries, frame, fs)
    return str(bar.info.scale_text)


def _draw_line(
    ax: Axes, geom: BaseGeometry, line: Line, selected: bool, z: float, *, halo: bool = True
) -> None:
    style = print_style(line, selected=selected)
    linestyle = mpl_linestyle(style)
    z += 2 if selected else 0
    if style.zone:
        path = polygon_path(geom)
        if path is None:
            return
        ax.add_artist(
            PathPatch(path, facecolor=style.color, alpha=style.fill_opacity, lw=0, zorder=z)
        )
        ax.add_artist(
            PathPatch(
                path,
                facecolor="none",
                edgecolor=style.color,
                lw=style.width_pt,
                linestyle=linestyle,
                zorder=z,
            )
        )
        return
    for part in line_parts(geom):
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
            linestyle=linestyle,
            dash_capstyle="butt",
            solid_capstyle="round",
            zorder=z,
        )


def _draw_places(ax: Axes, placer: Placer, places: Sequence[Place], fs: float) -> None:
    """A dot per place (filled: identified with certainty; hollow: less certain), reserved
    so no label covers it. Regions are named, not dotted."""
    px = ax.figure.dpi / 72
    for p in places:
        if p.kind == "region":
            continue
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


def _scale_bar(ax: Axes, extent: Extent, fs: float) -> ScaleBar:
    """matplotlib-scalebar's bar, about a fifth of the frame, true at the middle latitude."""
    bar = ScaleBar(
        metres_per_degree_lon((extent[1] + extent[3]) / 2),
        units="m",
        dimension="si-length",
        length_fraction=0.2,
        width_fraction=0.012,
        location="lower left",
        border_pad=0.6,
        pad=0.45,
        sep=2,
        box_alpha=0.85,
        color="#222222",
        font_properties={"size": fs * 0.75},
        rotation="horizontal-only",  # plate carrée: x and y scales differ, on purpose
    )
    bar.set_zorder(14)
    ax.add_artist(bar)
    return bar
