"""The interactive map's data: one JSON payload per theater, and the small state of a view.

One renderer (``geo/web/atlas-map*.js``, Leaflet; its files in :mod:`geo.outputs.renderer`)
draws every interactive map -- the app, the standalone page and the static site -- from these
two values; its contract is ``docs/map-payload.md``. The payload is the base map (land, every
record of the theater with its style and key letter, the uncertainty bands, the places, the
legend's words): it is made once per theater and sent once. The state (what is shown,
selected, compared, where the map looks) is a few hundred bytes and travels on every click.

Data reaches the page only as JSON -- never through a template, never as HTML -- and
:func:`to_json` escapes ``<``, ``>``, ``&``, ``{`` and ``}`` so the text can sit inside a
``<script>`` element and contains no template syntax whatever a record says.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from geo.geometry import BuiltAtlas
from geo.measure import buffer_km
from geo.outputs.topology import decode as decode_topology
from geo.outputs.topology import encode as encode_topology
from geo.records.model import Line, Place
from geo.style import BAND_OPACITY, STATUS_DASH, stroke
from geo.vocab import (
    COUNTRY_NAMES,
    PARTIES,
    STATUSES,
    THEATERS,
    group_label,
    group_order,
    party_label,
)

FORMAT = "armistice-atlas-map/1"
#: Display-only generalisation (the measures use the full basemap): the countries the lines
#: divide keep ~400 m of detail, their neighbours (context only) ~3 km.
LAND_DISPLAY_DEG = 0.004
CONTEXT_DISPLAY_DEG = 0.03
SHAPE_DISPLAY_DEG = 0.002  # zones and bands, ~200 m
LINE_DISPLAY_DEG = 0.0005  # lines keep their bends (~50 m)
PRIMARY_COUNTRIES = frozenset({"KOR", "PRK", "VNM", "LAO", "KHM"})
LAND_MIN_AREA_DEG2 = 0.0002  # islets under ~2 km² are left out of the display
DECIMALS = 4  # ~10 m: finer than any record's precision
#: The TopoJSON payload's grid: 1e-4° (~11 m), finer than a pixel at the highest zoom (13).
QUANTUM = 10**-DECIMALS
COLLECTIONS = ("land", "features", "bands", "places")
#: The lowest zoom at which a place's label may show, by its rank (1 = most important).
RANK_MIN_ZOOM = {1: 5, 2: 7, 3: 8, 4: 10}


def theater_payload(built: BuiltAtlas, theater: str, *, topology: bool = False) -> dict[str, Any]:
    """Everything the renderer needs to draw *theater* (see the module docstring).

    The four collections (land, features, bands, places) are GeoJSON FeatureCollections,
    or with *topology* one TopoJSON ``topology`` holding them as four objects (shared arcs,
    positions quantised to :data:`QUANTUM` and delta-encoded: two thirds of the bytes once
    gzipped; what the app sends). :func:`collections` reads either form.
    """
    payload = _payload(built, theater)
    if not topology:
        return payload
    parts = {name: payload.pop(name)["features"] for name in COLLECTIONS}
    payload["topology"] = encode_topology(parts, quantum=QUANTUM)
    return payload


def collections(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The payload's four FeatureCollections, from either form (the renderer's ``decode``)."""
    if "topology" in payload:
        decoded = decode_topology(payload["topology"])
        empty: dict[str, Any] = {"type": "FeatureCollection", "features": []}
        return {name: decoded.get(name, empty) for name in COLLECTIONS}
    return {name: payload[name] for name in COLLECTIONS}


def _payload(built: BuiltAtlas, theater: str) -> dict[str, Any]:
    atlas = built.atlas
    lines = built.lines_in(theater)
    keys = atlas.keys(theater)
    groups = sorted({ln.group for ln in lines}, key=group_order)
    parties = [p for p in PARTIES if any(ln.party == p for ln in lines if ln.is_position)]
    return {
        "format": FORMAT,
        "theater": theater,
        "title": THEATERS[theater].label,
        "bbox": list(THEATERS[theater].bbox),
        "home": _home(built, lines),
        "groups": [{"id": g, "label": group_label(g)} for g in groups],
        "parties": [
            {"id": p, "label": party_label(p), "short": PARTIES[p].short, "color": PARTIES[p].color}
            for p in parties
        ],
        "statuses": [
            {"id": s, "label": STATUSES[s], "dash": STATUS_DASH[s]}
            for s in STATUSES
            if any(ln.status == s for ln in lines)
        ],
        "land": _land(built, theater),
        "features": _collection(_feature(built, ln, keys.get(ln.id)) for ln in lines),
        "bands": _collection(_band(built, ln) for ln in lines),
        "places": _collection(_place(p) for p in atlas.places_in(theater) if _shown(p)),
    }


def _collection(features: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [f for f in features if f is not None]}


def _geojson(geom: BaseGeometry, tolerance: float = 0.0) -> dict[str, Any]:
    if tolerance:
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    geom = shapely.set_precision(geom, 10**-DECIMALS)
    out: dict[str, Any] = json.loads(json.dumps(mapping(geom)))
    return out


def _home(built: BuiltAtlas, lines: list[Line]) -> list[list[float]]:
    """The default view: every position of the theater, with a margin."""
    geoms = [built[ln.id].geometry for ln in lines if ln.is_position]
    box = shapely.total_bounds(geoms) if geoms else THEATERS[lines[0].theater].bbox
    x0, y0, x1, y1 = (float(v) for v in box)
    pad = 0.08 * max(x1 - x0, y1 - y0)
    return [[round(y0 - pad, 3), round(x0 - pad, 3)], [round(y1 + pad, 3), round(x1 + pad, 3)]]


_LAND: dict[tuple[int, str], dict[str, Any]] = {}


def _land(built: BuiltAtlas, theater: str) -> dict[str, Any]:
    """The theater's land for display, made once per basemap and theater."""
    key = (id(built.basemap), theater)
    if key not in _LAND:
        _LAND[key] = _land_features(built, theater)
    return _LAND[key]


def _land_features(built: BuiltAtlas, theater: str) -> dict[str, Any]:
    features = []
    for (t, iso), geom in sorted(built.basemap.country_theater.items()):
        if t != theater:
            continue
        parts = [p for p in shapely.get_parts(geom) if p.area >= LAND_MIN_AREA_DEG2]
        if not parts:
            continue
        tolerance = LAND_DISPLAY_DEG if iso in PRIMARY_COUNTRIES else CONTEXT_DISPLAY_DEG
        whole = shapely.union_all(parts)
        biggest = max(parts, key=lambda p: p.area)
        label = biggest.representative_point() if biggest.area > 0.5 else None
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "iso": iso,
                    "name": COUNTRY_NAMES.get(iso, iso),
                    "primary": iso in PRIMARY_COUNTRIES,
                    "label": [round(label.x, 3), round(label.y, 3)] if label else None,
                },
                "geometry": _geojson(whole, tolerance),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _feature(built: BuiltAtlas, line: Line, key: str | None) -> dict[str, Any]:
    shape = built[line.id]
    s = stroke(party=line.party, status=line.status, kind=line.kind)
    geom = shape.geometry
    anchor = _anchor(geom)
    return {
        "type": "Feature",
        "id": line.id,
        "properties": {
            "id": line.id,
            "key": key,
            "title": line.title,
            "group": line.group,
            "party": line.party,
            "status": line.status,
            "kind": line.kind,
            "date": line.date_iso or None,
            "date_label": date_label(line),
            "color": s.color,
            "dash": s.dash,
            "weight": s.weight,
            "fill_opacity": s.fill_opacity,
            "precision_km": line.precision_km,
            "inferred": line.inferred,
            "measure": f"{shape.length_km:,.0f} km"
            if shape.is_line
            else f"{shape.area_km2:,.0f} km²",
            "label": [round(anchor[0], 4), round(anchor[1], 4)],
            "lat_label": latitude_label(line),
        },
        "geometry": _geojson(geom, SHAPE_DISPLAY_DEG if not shape.is_line else LINE_DISPLAY_DEG),
    }


def _band(built: BuiltAtlas, line: Line) -> dict[str, Any] | None:
    """The ± precision band of a line (zones show their doubt by their own outline)."""
    shape = built[line.id]
    if not line.is_position or not shape.is_line or line.precision_km < 0.5:
        return None
    # in the theater's projection, as the recipes build (one transformer per theater)
    x0, y0, x1, y1 = THEATERS[line.theater].bbox
    band = buffer_km(shape.geometry, line.precision_km, origin=((x0 + x1) / 2, (y0 + y1) / 2))
    color = stroke(party=line.party, status=line.status, kind=line.kind).color
    return {
        "type": "Feature",
        "properties": {"id": line.id, "color": color, "opacity": BAND_OPACITY},
        "geometry": _geojson(band, SHAPE_DISPLAY_DEG * 2),
    }


def _shown(place: Place) -> bool:
    return place.kind != "waypoint"


def _place(place: Place) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {
            "id": place.id,
            "name": place.name,
            "label": place.label,
            "tip": f"{place.label} · {place.confidence} confidence",
            "rank": place.rank,
            "min_zoom": RANK_MIN_ZOOM.get(place.rank, 9),
            "certain": place.confidence == "high",
            "kind": place.kind,
        },
        "geometry": {"type": "Point", "coordinates": [round(place.lon, 4), round(place.lat, 4)]},
    }


def _anchor(geom: BaseGeometry) -> tuple[float, float]:
    """Where a record's key letter goes: the middle of a line, a point inside a zone."""
    if geom.geom_type.endswith("Polygon"):
        biggest = max(shapely.get_parts(geom), key=lambda g: g.area)
        p = biggest.representative_point()
        return (p.x, p.y)
    longest = max(shapely.get_parts(geom), key=lambda g: g.length)
    p = longest.interpolate(0.5, normalized=True)
    return (p.x, p.y)


def date_label(line: Line) -> str:
    day = line.day
    if day is None:
        return ""
    text = f"{day.day} {day:%b %Y}"
    return f"c. {text}" if line.date_approximate else text


def latitude_label(line: Line) -> str | None:
    """``38°N`` for a reference parallel (from its recipe), else None."""
    if line.status != "reference":
        return None
    spec = line.geometry.get("parallel")
    lat = spec.get("lat") if isinstance(spec, dict) else None
    if isinstance(lat, int | float) and not isinstance(lat, bool):
        return f"{abs(lat):g}°{'N' if lat >= 0 else 'S'}"
    return None


# ---------------------------------------------------------------------------------------
# state and JSON


def bounds_of(geoms: list[BaseGeometry], *, pad: float = 0.15) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` round some shapes, with a margin (for ``view``)."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(geoms))
    margin = max(pad * max(x1 - x0, y1 - y0), 0.05)
    return [[y0 - margin, x0 - margin], [y1 + margin, x1 + margin]]


def geometry_json(geom: BaseGeometry | None) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    return _geojson(geom, SHAPE_DISPLAY_DEG)


_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("{"): "\\u007b",
    ord("}"): "\\u007d",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def to_json(value: Any) -> str:
    """Compact JSON that is safe inside ``<script>`` and holds no template syntax.

    Only the characters *inside strings* are escaped (JSON's own braces stay): the result
    parses to the same value.
    """
    return _escape_strings(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _escape_strings(text: str) -> str:
    return _JSON_STRING.sub(lambda m: m.group(0).translate(_ESCAPES), text)


def view_zoom(bounds: list[list[float]], width_px: int, height_px: int) -> float:
    """The web-map zoom at which *bounds* fill a *width_px* x *height_px* map."""
    (s, w), (n, e) = bounds
    span_lon = max(e - w, 1e-6)
    span_lat = max(n - s, 1e-6) / max(math.cos(math.radians((s + n) / 2)), 0.1)
    return min(
        math.log2(width_px * 360 / (256 * span_lon)), math.log2(height_px * 360 / (256 * span_lat))
    )


def view_bbox(
    lat: float, lon: float, zoom: int, *, width_px: int = 900, height_px: int = 600
) -> tuple[float, float, float, float]:
    """The area a web map of *width_px* x *height_px* shows at this centre and zoom.

    Stories give each step a Leaflet view (centre and zoom); passing this as ``bbox`` to
    :func:`geo.outputs.staticmap.map_png` makes the static map show about what the app shows.
    At zoom *z* the world is ``256 * 2**z`` pixels wide, and Web Mercator stretches latitudes by
    ``1 / cos(lat)`` (ignored over the few degrees a step shows).
    """
    span_lon = width_px / (256 * 2**zoom) * 360.0
    span_lat = span_lon * height_px / width_px * math.cos(math.radians(lat))
    return (lon - span_lon / 2, lat - span_lat / 2, lon + span_lon / 2, lat + span_lat / 2)
