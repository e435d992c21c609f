"""Measures on the ellipsoid: geodesic lengths and areas, and which side of a line a point is.

Lengths and areas use :class:`pyproj.Geod` on WGS84, i.e. they are exact on the ellipsoid
(an equal-area computation, with no projection distortion). Lines are densified to about
1 km first so that a parallel is measured *along* the parallel, not along the great circle
between its end points.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

GEOD = Geod(ellps="WGS84")
DENSIFY_DEG = 0.01


def length_km(geom: BaseGeometry) -> float:
    """Geodesic length of the linear parts of *geom*, in km."""
    if geom.is_empty or geom.length == 0.0:
        return 0.0  # also a degenerate line of repeated points, which segmentize refuses
    dense = shapely.segmentize(geom, DENSIFY_DEG)
    return float(GEOD.geometry_length(dense)) / 1000.0


def area_km2(geom: BaseGeometry) -> float:
    """Area of the polygonal parts of *geom* on the WGS84 ellipsoid, in km²."""
    if geom.is_empty:
        return 0.0
    polys = [g for g in _flatten(geom) if g.geom_type == "Polygon"]
    total = 0.0
    for poly in polys:
        area, _ = GEOD.geometry_area_perimeter(shapely.geometry.polygon.orient(poly, 1.0))
        total += abs(area)
    return total / 1e6


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    _, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return float(dist) / 1000.0


def _flatten(geom: BaseGeometry) -> list[BaseGeometry]:
    if hasattr(geom, "geoms"):
        out: list[BaseGeometry] = []
        for g in geom.geoms:
            out.extend(_flatten(g))
        return out
    return [geom]


#: Projection centres are rounded to this many degrees, so a build makes few transformers.
AEQD_GRID_DEG = 1.0


@lru_cache(maxsize=64)
def _aeqd(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    proj = f"+proj=aeqd +lat_0={lat:.4f} +lon_0={lon:.4f} +datum=WGS84 +units=m +no_defs"
    fwd = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
    inv = Transformer.from_crs(proj, "EPSG:4326", always_xy=True)
    return fwd, inv


def _local(
    geom: BaseGeometry, origin: tuple[float, float] | None
) -> tuple[Transformer, Transformer]:
    """The azimuthal equidistant projection used near *geom*: centred on *origin* (e.g. the
    theater's centre) or on its centroid snapped to a 1° grid. Within a theater the distance
    error of the projection stays under 0.3 % of a buffer's width."""
    if origin is None:
        c = geom.centroid
        origin = (
            round(c.x / AEQD_GRID_DEG) * AEQD_GRID_DEG,
            round(c.y / AEQD_GRID_DEG) * AEQD_GRID_DEG,
        )
    return _aeqd(round(origin[0], 4), round(origin[1], 4))


def buffer_km(
    geom: BaseGeometry, km: float, *, side: str = "both", origin: tuple[float, float] | None = None
) -> BaseGeometry:
    """Buffer *geom* by *km* on the ground (in a local azimuthal equidistant projection).

    ``side="north"``/``"south"`` buffers a west-to-east line on one side only.
    """
    fwd, inv = _local(geom, origin)
    local = shapely.transform(geom, lambda xy: _apply(fwd, xy))
    if side == "both":
        buffered = local.buffer(km * 1000.0, quad_segs=16)
    elif side in ("north", "south"):
        # shapely buffers single-sided lines to the left for positive distances.
        distance = km * 1000.0 if side == "north" else -km * 1000.0
        buffered = local.buffer(distance, quad_segs=16, single_sided=True)
    else:
        raise ValueError(f"side must be both, north or south, not {side!r}")
    back: BaseGeometry = shapely.transform(buffered, lambda xy: _apply(inv, xy))
    return back


def offset_km(
    line: LineString, km: float, *, side: str, origin: tuple[float, float] | None = None
) -> LineString:
    """*line* (west -> east) moved *km* on the ground to its ``north`` or ``south`` side."""
    coords = list(line.coords)
    if coords[0][0] > coords[-1][0]:
        line = LineString(coords[::-1])
    fwd, inv = _local(line, origin)
    local = shapely.transform(line, lambda xy: _apply(fwd, xy))
    # offset_curve moves a line to its left for positive distances: north for west -> east
    moved = local.offset_curve(km * 1000.0 if side == "north" else -km * 1000.0, quad_segs=16)
    merged = shapely.line_merge(moved) if moved.geom_type != "LineString" else moved
    if merged.geom_type != "LineString":  # a sharp bend splits it: keep the longest piece
        merged = max(shapely.get_parts(merged), key=lambda g: g.length)
    back: LineString = shapely.transform(merged, lambda xy: _apply(inv, xy))
    return back


def _apply(t: Transformer, xy: Any) -> Any:
    import numpy as np

    x, y = t.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])
