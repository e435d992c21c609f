"""TopoJSON encoding of the web map's payload: shared arcs, quantised, delta-encoded.

The payload's four FeatureCollections (land, features, bands, places) become one TopoJSON
``topology`` with one object per collection (``docs/map-payload.md``; the renderer's
``decode()`` turns it back into the same collections). What makes it small:

- **quantisation**: positions become whole multiples of ``quantum`` degrees from a corner
  (``transform``); the payload's 1e-4° (~11 m) is finer than a pixel at the map's highest
  zoom;
- **shared arcs**: a border two countries share, or a line a zone is cut along, is stored
  once and referred to by both (``~i`` = arc *i* reversed);
- **delta encoding**: an arc's first position is absolute, each later one the step from
  the one before (small numbers, which gzip packs well).

The algorithm is topojson-server's: quantise; find the junctions (line ends, and positions
reached from different neighbours in two places where a shared stretch begins or ends); cut
lines and rings there; keep each distinct arc once, a ring without junctions rotated to
start at its smallest position so that two copies of it meet. Whatever the junctions, the
arcs concatenate back to exactly the quantised positions; they only decide what is shared.
:func:`decode` is the inverse, for tests and tools.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any

Pos = tuple[int, int]


def encode(objects: Mapping[str, Iterable[Mapping[str, Any]]], *, quantum: float) -> dict[str, Any]:
    """A TopoJSON topology of GeoJSON *objects* (name -> features), positions rounded to
    *quantum* degrees (the transform's corner is a whole degree, so rounding agrees with
    rounding each coordinate to the quantum)."""
    named = {name: list(features) for name, features in objects.items()}
    x0, y0 = _corner(f.get("geometry") for fs in named.values() for f in fs)
    q = _Quantiser(x0, y0, quantum)
    quantised = {
        name: [(f, _quantise(f.get("geometry"), q)) for f in fs] for name, fs in named.items()
    }
    lines: list[list[Pos]] = []
    rings: list[list[Pos]] = []
    for fs in quantised.values():
        for _, geom in fs:
            _collect(geom, lines, rings)
    junctions = _junctions(lines, rings)
    arcs = _Arcs(junctions)
    out_objects: dict[str, Any] = {}
    for name, fs in quantised.items():
        geometries = []
        for feature, geom in fs:
            obj = _object(geom, arcs)
            if feature.get("id") is not None:
                obj["id"] = feature["id"]
            obj["properties"] = feature.get("properties") or {}
            geometries.append(obj)
        out_objects[name] = {"type": "GeometryCollection", "geometries": geometries}
    return {
        "type": "Topology",
        "transform": {"scale": [quantum, quantum], "translate": [x0, y0]},
        "objects": out_objects,
        "arcs": [_delta(arc) for arc in arcs.arcs],
    }


def decode(topology: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The FeatureCollections of a topology, by object name (the renderer's ``decode()``)."""
    t = topology.get("transform")
    sx, sy = t["scale"] if t else (1.0, 1.0)
    tx, ty = t["translate"] if t else (0.0, 0.0)

    def point(p: Sequence[float]) -> list[float]:
        return [p[0] * sx + tx, p[1] * sy + ty] if t else [p[0], p[1]]

    arcs: list[list[list[float]]] = []
    for arc in topology.get("arcs", []):
        x = y = 0.0
        out = []
        for p in arc:
            if t:
                x, y = x + p[0], y + p[1]
                out.append(point((x, y)))
            else:
                out.append([p[0], p[1]])
        arcs.append(out)

    def line(indices: Sequence[int]) -> list[list[float]]:
        out: list[list[float]] = []
        for k, i in enumerate(indices):
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(a if k == 0 else a[1:])
        return out

    def geometry(o: Mapping[str, Any]) -> dict[str, Any] | None:
        kind = o.get("type")
        if kind == "Point":
            return {"type": kind, "coordinates": point(o["coordinates"])}
        if kind == "MultiPoint":
            return {"type": kind, "coordinates": [point(p) for p in o["coordinates"]]}
        if kind == "LineString":
            return {"type": kind, "coordinates": line(o["arcs"])}
        if kind == "MultiLineString":
            return {"type": kind, "coordinates": [line(a) for a in o["arcs"]]}
        if kind == "Polygon":
            return {"type": kind, "coordinates": [line(r) for r in o["arcs"]]}
        if kind == "MultiPolygon":
            return {"type": kind, "coordinates": [[line(r) for r in p] for p in o["arcs"]]}
        if kind == "GeometryCollection":
            return {"type": kind, "geometries": [geometry(g) for g in o["geometries"]]}
        return None

    result: dict[str, dict[str, Any]] = {}
    for name, obj in topology.get("objects", {}).items():
        members = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
        features = []
        for o in members:
            f: dict[str, Any] = {
                "type": "Feature",
                "properties": o.get("properties") or {},
                "geometry": geometry(o),
            }
            if "id" in o:
                f["id"] = o["id"]
            features.append(f)
        result[name] = {"type": "FeatureCollection", "features": features}
    return result


# ---------------------------------------------------------------------------------------
# quantising


class _Quantiser:
    def __init__(self, x0: float, y0: float, quantum: float) -> None:
        self.x0, self.y0, self.quantum = x0, y0, quantum

    def __call__(self, p: Sequence[float]) -> Pos:
        return (round((p[0] - self.x0) / self.quantum), round((p[1] - self.y0) / self.quantum))


def _corner(geometries: Iterable[Mapping[str, Any] | None]) -> tuple[float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for g in geometries:
        for x, y in _positions(g):
            xs.append(x)
            ys.append(y)
    if not xs:
        return (0.0, 0.0)
    return (float(math.floor(min(xs))), float(math.floor(min(ys))))


def _positions(g: Mapping[str, Any] | None) -> Iterable[Sequence[float]]:
    if not g:
        return
    if g["type"] == "GeometryCollection":
        for sub in g["geometries"]:
            yield from _positions(sub)
        return
    depth = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2}.get(
        g["type"], {"Polygon": 2, "MultiPolygon": 3}.get(g["type"], 0)
    )

    def walk(c: Any, d: int) -> Iterable[Sequence[float]]:
        if d == 0:
            yield c
        else:
            for sub in c:
                yield from walk(sub, d - 1)

    yield from walk(g["coordinates"], depth)


def _dedupe(points: Iterable[Pos]) -> list[Pos]:
    out: list[Pos] = []
    for p in points:
        if not out or out[-1] != p:
            out.append(p)
    return out


def _quantise(g: Mapping[str, Any] | None, q: _Quantiser) -> dict[str, Any] | None:
    """The geometry with quantised positions; repeated positions dropped, rings that
    collapse (fewer than 4 positions) left out, a line that collapses kept as 2 positions."""
    if not g:
        return None
    kind = g["type"]
    c: Any = g.get("coordinates")

    def line(coords: Sequence[Sequence[float]]) -> list[Pos]:
        pts = _dedupe(q(p) for p in coords)
        return pts if len(pts) >= 2 else pts[:1] * 2

    def ring(coords: Sequence[Sequence[float]]) -> list[Pos] | None:
        pts = _dedupe(q(p) for p in coords)
        if pts and pts[0] != pts[-1]:
            pts.append(pts[0])
        return pts if len(pts) >= 4 else None

    def polygon(rings: Sequence[Any]) -> list[list[Pos]] | None:
        done = [ring(r) for r in rings]
        if not done or done[0] is None:
            return None
        return [r for r in done if r is not None]

    if kind == "Point":
        return {"type": kind, "coordinates": q(c)}
    if kind == "MultiPoint":
        return {"type": kind, "coordinates": [q(p) for p in c]}
    if kind == "LineString":
        return {"type": kind, "coordinates": line(c)} if c else None
    if kind == "MultiLineString":
        return {"type": kind, "coordinates": [line(part) for part in c if part]}
    if kind == "Polygon":
        return {"type": kind, "coordinates": polygon(c) or []}
    if kind == "MultiPolygon":
        polys = [p for p in (polygon(part) for part in c) if p]
        return {"type": kind, "coordinates": polys}
    if kind == "GeometryCollection":
        return {"type": kind, "geometries": [_quantise(sub, q) for sub in g["geometries"]]}
    raise ValueError(f"not a GeoJSON geometry type: {kind!r}")


# ---------------------------------------------------------------------------------------
# junctions, cutting, arcs


def _collect(g: dict[str, Any] | None, lines: list[list[Pos]], rings: list[list[Pos]]) -> None:
    if not g:
        return
    kind = g["type"]
    if kind == "LineString":
        lines.append(g["coordinates"])
    elif kind == "MultiLineString":
        lines.extend(g["coordinates"])
    elif kind == "Polygon":
        rings.extend(g["coordinates"])
    elif kind == "MultiPolygon":
        for poly in g["coordinates"]:
            rings.extend(poly)
    elif kind == "GeometryCollection":
        for sub in g["geometries"]:
            _collect(sub, lines, rings)


def _junctions(lines: list[list[Pos]], rings: list[list[Pos]]) -> set[Pos]:
    """Positions where arcs must be cut: the ends of lines, and where a shared stretch
    begins or ends -- a position reached from different neighbours in two places, next to a
    segment that is used more than once. (A position two outlines merely touch at is not
    cut: that would only make more, shorter arcs.)"""

    def seg(a: Pos, b: Pos) -> tuple[Pos, Pos]:
        return (a, b) if a <= b else (b, a)

    uses: dict[tuple[Pos, Pos], int] = {}
    for pts in [*lines, *rings]:
        for a, b in pairwise(pts):
            key = seg(a, b)
            uses[key] = uses.get(key, 0) + 1

    seen: dict[Pos, tuple[Pos, Pos]] = {}
    junctions: set[Pos] = set()

    def visit(p: Pos, a: Pos, b: Pos) -> None:
        pair = (a, b) if a <= b else (b, a)
        old = seen.setdefault(p, pair)
        if old != pair and any(uses.get(seg(p, q), 0) > 1 for q in (*old, *pair)):
            junctions.add(p)

    for pts in lines:
        junctions.add(pts[0])
        junctions.add(pts[-1])
        for i in range(1, len(pts) - 1):
            visit(pts[i], pts[i - 1], pts[i + 1])
    for pts in rings:
        n = len(pts) - 1  # the last position repeats the first
        for i in range(n):
            visit(pts[i], pts[i - 1] if i else pts[n - 1], pts[i + 1])
    return junctions


class _Arcs:
    """The distinct arcs, and the indexes that refer to them."""

    def __init__(self, junctions: set[Pos]) -> None:
        self.junctions = junctions
        self.arcs: list[tuple[Pos, ...]] = []
        self.index: dict[tuple[Pos, ...], int] = {}

    def _ref(self, arc: tuple[Pos, ...]) -> int:
        if arc in self.index:
            return self.index[arc]
        back = arc[::-1]
        if back in self.index:
            return ~self.index[back]
        self.index[arc] = len(self.arcs)
        self.arcs.append(arc)
        return len(self.arcs) - 1

    def line(self, pts: list[Pos]) -> list[int]:
        out, start = [], 0
        for i in range(1, len(pts) - 1):
            if pts[i] in self.junctions:
                out.append(self._ref(tuple(pts[start : i + 1])))
                start = i
        out.append(self._ref(tuple(pts[start:])))
        return out

    def ring(self, pts: list[Pos]) -> list[int]:
        body = pts[:-1]
        cut = next((i for i, p in enumerate(body) if p in self.junctions), None)
        if cut is None:  # no junction: start at the smallest position, so copies meet
            cut = min(range(len(body)), key=body.__getitem__)
            turned = body[cut:] + body[:cut]
            return [self._ref((*turned, turned[0]))]
        turned = body[cut:] + body[:cut]
        return self.line([*turned, turned[0]])


def _object(g: dict[str, Any] | None, arcs: _Arcs) -> dict[str, Any]:
    if not g:
        return {"type": None}
    kind = g["type"]
    c: Any = g.get("coordinates")
    if kind in ("Point", "MultiPoint"):
        return {
            "type": kind,
            "coordinates": [list(p) for p in c] if kind == "MultiPoint" else list(c),
        }
    if kind == "LineString":
        return {"type": kind, "arcs": arcs.line(c)}
    if kind == "MultiLineString":
        return {"type": kind, "arcs": [arcs.line(part) for part in c]}
    if kind == "Polygon":
        return {"type": kind, "arcs": [arcs.ring(r) for r in c]}
    if kind == "MultiPolygon":
        return {"type": kind, "arcs": [[arcs.ring(r) for r in poly] for poly in c]}
    return {"type": kind, "geometries": [_object(sub, arcs) for sub in g["geometries"]]}


def _delta(arc: Sequence[Pos]) -> list[list[int]]:
    out = [[arc[0][0], arc[0][1]]]
    for (x1, y1), (x2, y2) in pairwise(arc):
        out.append([x2 - x1, y2 - y1])
    return out
