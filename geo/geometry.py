"""Turn line and zone recipes into shapely geometry (WGS84, lon/lat).

A recipe is data (see ``data/README.md``); the builders here are small and composable:

* ``parallel`` -- a latitude clipped to the land of some countries;
* ``route`` -- a polyline through gazetteer places, optionally extended along its end
  latitude to a neighbouring country's border;
* ``border`` -- a shared land border from the basemap (the 1953 Korean line);
* ``buffer`` -- another line widened by km on each side, clipped to land;
* ``circle`` -- a disc of km around a place, clipped to land;
* ``zone`` -- admin-1 units, buffered hulls of places, corridors along roads (places
  joined and buffered), and sub-recipes, unioned;
* ``polygon`` -- a zone through places in order (refused if it crosses itself);
* ``same_as`` -- the shape of another record (one shape claimed by two parties).

Every line also gets a *divider*: the unclipped line extended west and east beyond the
theater, from which :func:`north_region` tells the two sides apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon, box, shape
from shapely.geometry.base import BaseGeometry

from geo.basemap import THEATER_BBOX
from geo.errors import Problem, ValidationError
from geo.io import read_geojson
from geo.measure import area_km2, buffer_km, length_km
from geo.records import Atlas, Line

NORTH_LIMIT = 60.0


@dataclass(frozen=True)
class Basemap:
    countries: Mapping[str, BaseGeometry]  # ISO3 -> land within the theaters
    country_theater: Mapping[tuple[str, str], BaseGeometry]  # (theater, ISO3) -> land
    units: Mapping[str, BaseGeometry]  # ISO 3166-2 -> province
    unit_names: Mapping[str, str]
    borders: Mapping[str, BaseGeometry]  # "KOR-PRK" -> line

    def land(self, isos: tuple[str, ...] | list[str]) -> BaseGeometry:
        missing = [i for i in isos if i not in self.countries]
        if missing:
            raise KeyError(", ".join(missing))
        return shapely.union_all([self.countries[i] for i in isos])


@lru_cache(maxsize=4)
def load_basemap(data_dir: Path) -> Basemap:
    base = data_dir / "basemap"
    countries: dict[str, BaseGeometry] = {}
    per_theater: dict[tuple[str, str], BaseGeometry] = {}
    for f in read_geojson(base / "countries.geojson")["features"]:
        iso, theater = f["properties"]["iso_a3"], f["properties"]["theater"]
        g = _polygons_only(shapely.make_valid(shape(f["geometry"])))
        per_theater[(theater, iso)] = g
        countries[iso] = shapely.union(countries[iso], g) if iso in countries else g
    units: dict[str, BaseGeometry] = {}
    names: dict[str, str] = {}
    for f in read_geojson(base / "admin1.geojson")["features"]:
        units[f["id"]] = _polygons_only(shapely.make_valid(shape(f["geometry"])))
        names[f["id"]] = f["properties"]["name"]
    borders = {
        f["id"]: shape(f["geometry"]) for f in read_geojson(base / "borders.geojson")["features"]
    }
    for g in (*countries.values(), *units.values(), *borders.values()):
        shapely.prepare(g)
    return Basemap(countries, per_theater, units, names, borders)


@dataclass(frozen=True)
class Built:
    """A record's geometry and measures."""

    id: str
    geometry: BaseGeometry  # what is drawn (clipped to land)
    divider: LineString | None  # for lines: extended, unclipped, west -> east
    length_km: float
    area_km2: float

    @property
    def is_line(self) -> bool:
        return self.divider is not None


class _Builder:
    def __init__(self, atlas: Atlas, basemap: Basemap, line: Line) -> None:
        self.atlas = atlas
        self.base = basemap
        self.line = line
        self.bbox = THEATER_BBOX[line.theater]

    def fail(self, key: str, message: str) -> ValidationError:
        return ValidationError(
            [Problem(self.line.path, self.line.line_of("geometry"), message, f"geometry.{key}")]
        )

    def land(self, spec: Mapping[str, Any], key: str) -> BaseGeometry | None:
        within = spec.get("within", self.line.countries or None)
        if within is None:
            return None
        isos = [within] if isinstance(within, str) else list(within)
        try:
            return self.base.land(isos)
        except KeyError as exc:
            raise self.fail(key, f"unknown country in 'within': {exc}") from None

    def point(self, pid: str) -> Point:
        p = self.atlas.places[pid]
        return Point(p.lon, p.lat)

    # -- recipes ------------------------------------------------------------------------

    def build(self, geom: Mapping[str, Any]) -> tuple[BaseGeometry, LineString | None]:
        (key,) = [k for k in geom if k in _RECIPES]
        spec = geom[key]
        built: tuple[BaseGeometry, LineString | None] = _RECIPES[key](self, spec, key)
        return built

    def parallel(self, spec: Mapping[str, Any], key: str) -> tuple[BaseGeometry, LineString]:
        lat = float(spec["lat"])
        x0 = float(spec.get("lon_min", self.bbox[0]))
        x1 = float(spec.get("lon_max", self.bbox[2]))
        divider = LineString([(x0, lat), (x1, lat)])
        land = self.land(spec, key)
        drawn = divider if land is None else _clip_line(divider, land)
        if drawn.is_empty:
            raise self.fail(key, f"parallel {lat} does not cross {spec.get('within')}")
        return drawn, divider

    def route(self, spec: Mapping[str, Any], key: str) -> tuple[BaseGeometry, LineString]:
        pts = [self.point(pid) for pid in spec["via"]]
        if len(pts) < 2:
            raise self.fail(key, "a route needs at least two places")
        coords = [(p.x, p.y) for p in pts]
        if coords[0][0] > coords[-1][0]:
            coords.reverse()
        for side in ("west", "east"):
            target = spec.get(f"extend_{side}_to")
            if target:
                coords = self._extend(coords, side, str(target), key)
        line = LineString(coords)
        land = self.land(spec, key)
        drawn = line if land is None else _clip_line(line, land)
        if drawn.is_empty:
            raise self.fail(key, "the route lies entirely outside its countries")
        return drawn, line

    def _extend(
        self, coords: list[tuple[float, float]], side: str, iso: str, key: str
    ) -> list[tuple[float, float]]:
        """Extend the west/east end along its latitude until it reaches country *iso*."""
        if iso not in self.base.countries:
            raise self.fail(key, f"unknown country {iso!r} in extend_{side}_to")
        x, y = coords[0] if side == "west" else coords[-1]
        far = x - 5.0 if side == "west" else x + 5.0
        hit = LineString([(x, y), (far, y)]).intersection(self.base.countries[iso])
        if hit.is_empty:
            raise self.fail(key, f"going {side} from ({x:.3f}, {y:.3f}) never reaches {iso}")
        xs = [c[0] for c in shapely.get_coordinates(hit)]
        bx = max(xs) if side == "west" else min(xs)
        if abs(bx - x) < 1e-9:
            return coords
        return [(bx, y), *coords] if side == "west" else [*coords, (bx, y)]

    def border(self, spec: Mapping[str, Any], key: str) -> tuple[BaseGeometry, LineString]:
        name = "-".join(spec["between"])
        if name not in self.base.borders:
            raise self.fail(key, f"no border {name!r} in the basemap")
        line = shapely.line_merge(self.base.borders[name])
        if line.geom_type != "LineString":
            raise self.fail(key, f"border {name!r} is not one continuous line")
        coords = list(line.coords)
        if coords[0][0] > coords[-1][0]:
            coords.reverse()
        return LineString(coords), LineString(coords)

    def _other(self, spec: Mapping[str, Any]) -> tuple[BaseGeometry, LineString | None]:
        other = self.atlas.lines[spec["of"]]
        if other.id == self.line.id:
            raise self.fail("of", "a recipe cannot refer to its own record")
        return _Builder(self.atlas, self.base, other).build(other.geometry)

    def same_as(self, spec: Mapping[str, Any], key: str) -> tuple[BaseGeometry, LineString | None]:
        return self._other(spec)

    def buffer(self, spec: Mapping[str, Any], key: str) -> tuple[BaseGeometry, None]:
        base_geom, divider = self._other(spec)
        side = str(spec.get("side", "both"))
        if side not in ("both", "north", "south"):
            raise self.fail(key, f"side must be both, north or south, not {side!r}")
        if side != "both":
            if divider is None:
                raise self.fail(key, "a one-sided buffer needs a line, not a zone")
            base_geom = divider  # west -> east, so 'left' is north
        zone = buffer_km(base_geom, float(spec["km"]), side=side)
        return self._clip_zone(zone, spec, key), None

    def circle(self, spec: Mapping[str, Any], key: str) -> tuple[BaseGeometry, None]:
        zone = buffer_km(self.point(spec["place"]), float(spec["km"]))
        return self._clip_zone(zone, spec, key), None

    def polygon(self, spec: Mapping[str, Any], key: str) -> tuple[BaseGeometry, None]:
        """A zone drawn through places in order; it must not cross itself."""
        pts = [self.point(pid) for pid in spec["via"]]
        if len(pts) < 3:
            raise self.fail(key, "a polygon needs at least three places")
        poly = Polygon([(p.x, p.y) for p in pts])
        if not poly.is_valid:
            reason = shapely.is_valid_reason(poly)
            raise self.fail(key, f"the polygon through {spec['via']} is not valid: {reason}")
        return self._clip_zone(poly, spec, key), None

    def zone(self, spec: Mapping[str, Any], key: str) -> tuple[BaseGeometry, None]:
        parts: list[BaseGeometry] = []
        for unit in spec.get("units", []) or []:
            parts.append(self.base.units[unit])
        if spec.get("hull_of"):
            hull = MultiPoint([self.point(pid) for pid in spec["hull_of"]]).convex_hull
            parts.append(buffer_km(hull, float(spec.get("buffer_km", 0.0))))
        for corridor in spec.get("corridors", []) or []:
            road = LineString([(p.x, p.y) for p in map(self.point, corridor["via"])])
            parts.append(buffer_km(road, float(corridor["km"])))
        for sub in spec.get("parts", []) or []:
            g, _ = self.build(sub)
            parts.append(g)
        if not parts:
            raise self.fail(key, "a zone needs units, hull_of, corridors or parts")
        zone = shapely.union_all(parts)
        if spec.get("clip_units"):
            zone = zone.intersection(
                shapely.union_all([self.base.units[u] for u in spec["clip_units"]])
            )
        return self._clip_zone(zone, spec, key), None

    def _clip_zone(self, zone: BaseGeometry, spec: Mapping[str, Any], key: str) -> BaseGeometry:
        zone = shapely.make_valid(zone)
        land = self.land(spec, key)
        if land is not None:
            zone = zone.intersection(land)
        zone = _polygons_only(zone)
        if zone.is_empty:
            raise self.fail(key, "the zone is empty after clipping to land")
        return zone


_RECIPES: dict[str, Any] = {
    "parallel": _Builder.parallel,
    "route": _Builder.route,
    "border": _Builder.border,
    "buffer": _Builder.buffer,
    "circle": _Builder.circle,
    "zone": _Builder.zone,
    "polygon": _Builder.polygon,
    "same_as": _Builder.same_as,
}


def _clip_line(line: BaseGeometry, land: BaseGeometry) -> BaseGeometry:
    clipped = line.intersection(land)
    lines = [g for g in _parts(clipped) if g.geom_type == "LineString" and g.length > 1e-6]
    if not lines:
        return LineString()
    merged = shapely.line_merge(shapely.MultiLineString(lines))
    return merged


def _parts(geom: BaseGeometry) -> list[BaseGeometry]:
    return list(geom.geoms) if hasattr(geom, "geoms") else [geom]


def _polygons_only(geom: BaseGeometry) -> BaseGeometry:
    polys = [g for g in _parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    flat: list[Polygon] = []
    for g in polys:
        flat.extend(_parts(g))  # type: ignore[arg-type]
    if not flat:
        return Polygon()
    return shapely.union_all(flat)


def north_region(divider: LineString, theater: str) -> Polygon:
    """The part of the theater north of a west->east divider (extended to the bbox edges)."""
    x0, _, x1, _ = THEATER_BBOX[theater]
    coords = list(divider.coords)
    west, east = coords[0], coords[-1]
    ring = [(x0 - 1.0, west[1]), *coords, (x1 + 1.0, east[1]), (x1 + 1.0, NORTH_LIMIT)]
    ring.append((x0 - 1.0, NORTH_LIMIT))
    poly = Polygon(ring)
    if not poly.is_valid:
        poly = _polygons_only(shapely.make_valid(poly))  # type: ignore[assignment]
    return poly


def theater_box(theater: str) -> Polygon:
    return box(*THEATER_BBOX[theater])


def build_line(atlas: Atlas, line: Line, basemap: Basemap | None = None) -> Built:
    base = basemap or load_basemap(atlas.data_dir)
    geom, divider = _Builder(atlas, base, line).build(line.geometry)
    is_line = divider is not None
    return Built(
        id=line.id,
        geometry=geom,
        divider=divider,
        length_km=length_km(geom) if is_line else 0.0,
        area_km2=0.0 if is_line else area_km2(geom),
    )


def build_all(atlas: Atlas) -> dict[str, Built]:
    """Build every line and zone once; cached on the atlas object.

    Raises
    ------
    ValidationError
        With one problem per record whose recipe cannot be built.
    """
    cached: dict[str, Built] | None = getattr(atlas, "_built", None)
    if cached is not None:
        return cached
    base = load_basemap(atlas.data_dir)
    out: dict[str, Built] = {}
    problems: list[Problem] = []
    for line in atlas.lines.values():
        try:
            out[line.id] = build_line(atlas, line, base)
        except ValidationError as exc:
            problems.extend(exc.problems)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(
                Problem(line.path, line.line_of("geometry"), f"cannot build: {exc}", "geometry")
            )
    if problems:
        raise ValidationError(problems)
    atlas._built = out  # type: ignore[attr-defined]
    return out
