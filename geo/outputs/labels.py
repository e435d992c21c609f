"""Label placement for the static map: one responsibility, putting names on the map without
any two of them overlapping.

What is labelled, in this order (earlier labels get the better spots):

1. the key letter of every keyed line or zone (``built.atlas.keys(theater)``), on the line
   itself, so the legend and the handout's table can spell it out;
2. places the documents name, and places of rank 1-2, higher ranks first;
3. reference parallels, by their latitude (``38°N``) at an end of the visible stretch;
4. the other places, by rank;
5. modern country names, for orientation.

Each label tries a short list of candidate spots (beside its marker, on its line, at the end
of a parallel) and takes the first free one; one that finds no free spot is left out. "Free"
means inside the frame, clear of every label and marker already placed and, for names, clear
of the drawn strokes, so a name never hides a line. A key letter is never left out: when all
of its about thirty spots are taken it sits on its line anyway -- keys are placed first, so
the only label it can then overlap is another key.

Libraries tried, on the Indochina map (49 place names, 11 keys kept). *textalloc*
(installed) is greedy and, with ``draw_all=False``, drops what it cannot place -- our
guarantee among its own labels -- and placed more names (38 to our 33); but it cannot see
labels it did not place, so 4 names covered key letters, and it set names up to 61 px from
their dots (median 16 px; ours at most 11 px, beside the dot), where a name can be read as a
neighbour's. It takes one style per call and cannot pin a key on its line or a latitude at
a parallel's end. *adjustText* repels labels and never drops one: 3 pairs still overlapped,
9 names covered keys and 6 covered lines. Either would need our candidate spots and
obstacles anyway, so the hand-written :class:`Placer` (about eighty lines) stays: it gives
the guarantee with less code than adapting a library to it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.patheffects import withStroke
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.geometry import BuiltAtlas
from geo.outputs import webmap
from geo.records.model import Line, Place
from geo.style import party_color
from geo.vocab import COUNTRY_NAMES

HAlign = Literal["left", "center", "right"]
VAlign = Literal["bottom", "center", "top"]
Spot = tuple[float, float, HAlign, VAlign]  # where a label goes, and how it hangs there
HALO = "white"


def line_parts(geom: BaseGeometry) -> list[LineString]:
    """The non-empty LineStrings of any geometry (collections and multi-parts flattened)."""
    return [g for g in _flatten(geom) if isinstance(g, LineString) and not g.is_empty]


def polygon_parts(geom: BaseGeometry) -> list[Polygon]:
    """The non-empty Polygons of any geometry (collections and multi-parts flattened)."""
    return [g for g in _flatten(geom) if isinstance(g, Polygon) and not g.is_empty]


def _flatten(geom: BaseGeometry) -> list[BaseGeometry]:
    out: list[BaseGeometry] = []
    stack = [geom]
    while stack:
        g = stack.pop()
        if hasattr(g, "geoms"):
            stack.extend(g.geoms)
        else:
            out.append(g)
    return out


def latitude_label(line: Line) -> str:
    """``38°N`` for a reference parallel (the web map's label), else its title."""
    return webmap.latitude_label(line) or line.title


def places_to_name(built: BuiltAtlas, theater: str, frame: Polygon) -> list[Place]:
    """Places in the frame worth naming, most important first: by rank (1 first), then those
    the documents name, then towns before regions. Route waypoints are construction points
    of the shapes, not places a reader needs; regions no document names are left out."""
    places = [
        p
        for p in built.atlas.places_in(theater)
        if p.kind != "waypoint"
        and frame.contains(Point(p.lon, p.lat))
        and (p.documents or p.kind != "region")
    ]
    places.sort(
        key=lambda p: (p.rank, not p.documents, p.kind == "region", p.confidence != "high", p.id)
    )
    return places


class Placer:
    """Places labels without overlap: each tries candidate spots until one is free.

    Two kinds of obstacle: boxes already *taken* (markers, the scale bar, other labels),
    which no label may cover, and the *strokes* of the drawn lines, which names of places
    and parallels avoid so they never hide a line (a line's own key sits on it on purpose).
    """

    def __init__(self, ax: Axes, renderer: RendererBase) -> None:
        self.ax = ax
        self.renderer = renderer
        self.taken: list[Bbox] = []
        self.strokes = np.empty((0, 4))
        self.frame = ax.get_window_extent(renderer)
        self.placed: list[Text] = []

    def reserve(self, box: Bbox) -> None:
        """Keep labels off a box in display pixels (e.g. the scale bar)."""
        self.taken.append(box)

    def reserve_point(self, x: float, y: float, radius_px: float) -> None:
        """Keep labels off a marker."""
        dx, dy = self.ax.transData.transform((x, y))
        r = radius_px
        self.taken.append(Bbox.from_extents(dx - r, dy - r, dx + r, dy + r))

    def reserve_line(self, geom: BaseGeometry, half_px: float, step_px: float = 4.0) -> None:
        """Keep names off a drawn line: small boxes every few pixels along it."""
        boxes = [self.strokes]
        for part in line_parts(geom):
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
                self.placed.append(text)
                return True
        if force and spots:
            self._move(text, *spots[0])
            self.taken.append(self._extent(text, pad))
            self.placed.append(text)
            return True
        text.remove()
        return False

    @staticmethod
    def _move(text: Text, x: float, y: float, ha: HAlign, va: VAlign) -> None:
        text.set_position((x, y))
        text.set_horizontalalignment(ha)
        text.set_verticalalignment(va)


def label_map(
    ax: Axes,
    placer: Placer,
    built: BuiltAtlas,
    lines: Sequence[Line],
    keys: Mapping[str, str],
    places: Sequence[Place],
    countries: Mapping[str, BaseGeometry],
    frame: Polygon,
    fs: float,
) -> None:
    """Every label of the map, in the order of the module docstring.

    *places* come ranked (:func:`places_to_name`); their markers and the drawn strokes must
    already be reserved on *placer*.
    """
    first = [p for p in places if p.documents or p.rank <= 2]
    rest = [p for p in places if not (p.documents or p.rank <= 2)]
    key_lines(ax, placer, built, lines, keys, frame, fs)
    name_places(ax, placer, first, fs)
    label_parallels(ax, placer, built, lines, keys, frame, fs)
    name_places(ax, placer, rest, fs)
    name_countries(ax, placer, countries, frame, fs)


def key_lines(
    ax: Axes,
    placer: Placer,
    built: BuiltAtlas,
    lines: Sequence[Line],
    keys: Mapping[str, str],
    frame: Polygon,
    fs: float,
) -> None:
    """Each keyed line's letter in a bubble edged in its party's colour, on the line."""
    inner = frame.buffer(-0.03 * (frame.bounds[3] - frame.bounds[1]))
    for line in lines:
        if line.id not in keys:
            continue
        geom = built[line.id].geometry.intersection(inner)
        if geom.is_empty:
            continue
        bubble = {
            "boxstyle": "round,pad=0.22",
            "facecolor": "white",
            "edgecolor": party_color(line.party),
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
    polys = polygon_parts(geom)
    parts = line_parts(geom)
    if parts and not polys:
        longest = max(parts, key=lambda p: p.length)
        return [longest.interpolate(f, normalized=True) for f in fractions]
    if not polys:
        return [geom.representative_point()]
    biggest = max(polys, key=lambda p: p.area)
    ring = biggest.exterior
    return [biggest.representative_point()] + [
        ring.interpolate(f, normalized=True) for f in fractions
    ]


def name_places(ax: Axes, placer: Placer, places: Sequence[Place], fs: float) -> None:
    """Names beside the markers (regions centred, in italics); a name with no room is left out."""
    halo = [withStroke(linewidth=2.6, foreground=HALO)]
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


def label_parallels(
    ax: Axes,
    placer: Placer,
    built: BuiltAtlas,
    lines: Sequence[Line],
    keys: Mapping[str, str],
    frame: Polygon,
    fs: float,
) -> None:
    """Reference parallels get their latitude at an end of the visible stretch."""
    inner = frame.buffer(-0.01 * (frame.bounds[3] - frame.bounds[1]))
    # clear of the strokes of lines drawn on the same latitude (e.g. a proposal on it)
    (_, y0), (_, y1) = ax.transData.transform([(0.0, 0.0), (0.0, 1.0)])
    dy = fs * 0.45 * ax.figure.dpi / 72 / (y1 - y0)
    for line in lines:
        if line.id in keys:
            continue
        parts = line_parts(built[line.id].geometry.intersection(inner))
        if not parts:
            continue
        longest = max(parts, key=lambda p: p.length)
        east = max(longest.coords, key=lambda c: c[0])
        west = min(longest.coords, key=lambda c: c[0])
        t = ax.text(
            0,
            0,
            latitude_label(line),
            fontsize=fs * 0.85,
            color="#555555",
            style="italic",
            zorder=9,
            path_effects=[withStroke(linewidth=2.5, foreground=HALO)],
        )
        spots: list[Spot] = [
            (east[0], east[1] + dy, "right", "bottom"),
            (west[0], west[1] + dy, "left", "bottom"),
            (east[0], east[1] - dy, "right", "top"),
            (west[0], west[1] - dy, "left", "top"),
            (east[0], east[1], "left", "center"),
            (west[0], west[1], "right", "center"),
        ]
        placer.place(t, spots, pad=1.0, avoid_lines=True)


def name_countries(
    ax: Axes,
    placer: Placer,
    countries: Mapping[str, BaseGeometry],
    frame: Polygon,
    fs: float,
) -> None:
    """Modern country names (``COUNTRY_NAMES``) where a country takes a twenty-fifth of the
    frame, for orientation only."""
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
