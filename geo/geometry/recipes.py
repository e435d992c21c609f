"""Turn line and zone recipes into shapely geometry (WGS84, lon/lat).

A recipe is data (see ``data/README.md``); the builders here are small and composable:

* ``parallel`` -- a latitude clipped to the land of some countries;
* ``route`` -- a polyline through gazetteer places, optionally extended along its end
  latitudes to a neighbouring country's border (``extend_west_to``) or to the sea;
* ``river`` -- a river of the basemap traced from one place to another (the Ben Hai), then
  extended like a route;
* ``grid`` -- a line through military grid references as the document wrote them;
* ``offset`` -- another line moved km to its north or south ("10 km north of Route 9");
* ``border`` -- a shared land border from the basemap (the 1953 Korean line);
* ``buffer`` -- another line widened by km on one or both sides, clipped to land;
* ``circle`` -- a disc of km around a place, clipped to land;
* ``zone`` -- admin-1 units, buffered hulls of places, corridors along roads, sub-recipes,
  optionally cut to other units (``clip_units``) or to a box (``clip_box``);
* ``polygon`` -- a zone through places in order (refused if it crosses itself);
* ``same_as`` -- the shape of another record (one shape claimed by two parties);
* ``coordinates`` -- a line or a zone given point by point (what the app's sandbox writes
  when a student draws a line; its record must still name its sources).

Every line also gets a *divider*: the unclipped line extended beyond the theater, from which
:func:`north_region` tells the two sides apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.errors import Problem, ValidationError
from geo.geometry.basemap import Basemap, polygons_only
from geo.geometry.rivers import trace
from geo.grid import GridError, decode
from geo.measure import buffer_km, distance_km, offset_km
from geo.records.model import Atlas, Line
from geo.vocab import THEATERS

NORTH_LIMIT = 60.0
#: A grid reference must decode this close to the place its document names beside it.
GRID_NEAR_KM = 3.0
Made = tuple[BaseGeometry, LineString | None]  # (drawn shape, divider or None for zones)


class Builder:
    """Builds one record's recipe; *lookup* gives the already built shapes of other records."""

    def __init__(
        self, atlas: Atlas, basemap: Basemap, line: Line, lookup: Callable[[str], Made]
    ) -> None:
        self.atlas = atlas
        self.base = basemap
        self.line = line
        self.lookup = lookup
        self.bbox = THEATERS[line.theater].bbox
        self.origin = ((self.bbox[0] + self.bbox[2]) / 2, (self.bbox[1] + self.bbox[3]) / 2)

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

    def buffer(self, geom: BaseGeometry, km: float, side: str = "both") -> BaseGeometry:
        return buffer_km(geom, km, side=side, origin=self.origin)

    # -- recipes ------------------------------------------------------------------------

    def build(self, geom: Mapping[str, Any]) -> Made:
        (key,) = [k for k in geom if k in RECIPES]
        built: Made = RECIPES[key](self, geom[key], key)
        return built

    def parallel(self, spec: Mapping[str, Any], key: str) -> Made:
        lat = float(spec["lat"])
        x0 = float(spec.get("lon_min", self.bbox[0]))
        x1 = float(spec.get("lon_max", self.bbox[2]))
        divider = LineString([(x0, lat), (x1, lat)])
        land = self.land(spec, key)
        drawn = divider if land is None else clip_line(divider, land)
        if drawn.is_empty:
            raise self.fail(key, f"parallel {lat} does not cross {spec.get('within')}")
        return drawn, divider

    def route(self, spec: Mapping[str, Any], key: str) -> Made:
        coords = [(p.x, p.y) for p in map(self.point, spec["via"])]
        if len(coords) < 2:
            raise self.fail(key, "a route needs at least two places")
        return self._finish(coords, spec, key)

    def river(self, spec: Mapping[str, Any], key: str) -> Made:
        """Follow the basemap's rivers from place ``from`` to place ``to``."""
        pieces = self.base.rivers.get(self.line.theater, [])
        if not pieces:
            raise self.fail(key, "the basemap has no rivers (python -m geo basemap)")
        start, end = self.point(spec["from"]), self.point(spec["to"])
        snap = float(spec.get("snap_km", 3.0))
        try:
            path = trace(pieces, (start.x, start.y), (end.x, end.y), snap_km=snap)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None
        return self._finish(list(path.coords), spec, key)

    def grid(self, spec: Mapping[str, Any], key: str) -> Made:
        """Grid references as written (``ref``), or as read where the print is wrong
        (``read_as``); one that names a place (``near``) must decode within ``near_km``
        (default 3 km) of it, or the record is refused. An entry with ``place`` is a point
        the document gives in words, not as a grid reference ("the mouth of the Yesong
        River"): ``ref`` then holds those words and the point is the gazetteer place."""
        coords: list[tuple[float, float]] = []
        for ref in spec["refs"]:
            if ref.get("place") is not None:
                pid = ref["place"]
                if not isinstance(pid, str) or pid not in self.atlas.places:
                    raise self.fail(key, f"unknown place id {pid!r}")
                place = self.atlas.places[pid]
                coords.append((place.lon, place.lat))
                continue
            try:
                d = decode(ref.get("read_as", ref["ref"]))
            except GridError as exc:
                raise self.fail(key, str(exc)) from None
            near = ref.get("near")
            if near:
                place = self.atlas.places[near]
                km = distance_km(d.lon, d.lat, place.lon, place.lat)
                limit = float(ref.get("near_km", GRID_NEAR_KM))
                if km > limit:
                    raise self.fail(
                        key,
                        f"grid reference {ref['ref']!r} decodes {km:.1f} km from {place.name}, "
                        f"which the document names beside it (more than {limit:g} km)",
                    )
            coords.append((d.lon, d.lat))
        return self._finish(coords, spec, key)

    def offset(self, spec: Mapping[str, Any], key: str) -> Made:
        """Another line moved *km* to one side (its drawn part, kept west -> east)."""
        base_geom, divider = self.lookup(spec["of"])
        side = str(spec.get("side", "north"))
        if side not in ("north", "south"):
            raise self.fail(key, f"side must be north or south, not {side!r}")
        # the unclipped line (one piece even where land cuts the drawn one), else the drawn one
        source = divider if divider is not None else shapely.line_merge(base_geom)
        if source.geom_type != "LineString":
            raise self.fail(key, f"{spec['of']!r} is not one continuous line")
        moved = offset_km(source, float(spec["km"]), side=side, origin=self.origin)
        return self._finish(list(moved.coords), spec, key)

    def _finish(self, coords: list[tuple[float, float]], spec: Mapping[str, Any], key: str) -> Made:
        """Orient west -> east, extend the ends as asked, clip to the land it divides."""
        if coords[0][0] > coords[-1][0]:
            coords.reverse()
        for side in ("west", "east"):
            target = spec.get(f"extend_{side}_to")
            if target:
                coords = self._extend(coords, side, str(target), key)
        line = LineString(coords)
        land = self.land(spec, key)
        drawn = line if land is None else clip_line(line, land)
        if drawn.is_empty:
            raise self.fail(key, "the line lies entirely outside its countries")
        return drawn, line

    def _extend(
        self, coords: list[tuple[float, float]], side: str, target: str, key: str
    ) -> list[tuple[float, float]]:
        """Extend the west/east end along its latitude to country *target*'s border, or to
        the edge of the theater (``sea``: the land clip then cuts it at the coast)."""
        x, y = coords[0] if side == "west" else coords[-1]
        if target == "sea":
            edge = self.bbox[0] if side == "west" else self.bbox[2]
            return [(edge, y), *coords] if side == "west" else [*coords, (edge, y)]
        if target not in self.base.countries:
            raise self.fail(key, f"unknown country {target!r} in extend_{side}_to")
        far = x - 5.0 if side == "west" else x + 5.0
        hit = LineString([(x, y), (far, y)]).intersection(self.base.countries[target])
        if hit.is_empty:
            raise self.fail(key, f"going {side} from ({x:.3f}, {y:.3f}) never reaches {target}")
        xs = [c[0] for c in shapely.get_coordinates(hit)]
        bx = max(xs) if side == "west" else min(xs)
        if abs(bx - x) < 1e-9:
            return coords
        return [(bx, y), *coords] if side == "west" else [*coords, (bx, y)]

    def coordinates(self, spec: Mapping[str, Any], key: str) -> Made:
        points = spec.get("line") or spec.get("zone")
        if not isinstance(points, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(v, int | float) for v in p)
            for p in points
        ):
            raise self.fail(key, "coordinates needs 'line' or 'zone': a list of [lon, lat]")
        x0, y0, x1, y1 = self.bbox
        if not all(x0 <= lon <= x1 and y0 <= lat <= y1 for lon, lat in points):
            raise self.fail(key, f"a point lies outside the {self.line.theater} theater")
        coords = [(float(lon), float(lat)) for lon, lat in points]
        if "line" in spec:
            if len(coords) < 2:
                raise self.fail(key, "a line needs at least two points")
            return self._finish(coords, spec, key)
        if len(coords) < 3:
            raise self.fail(key, "a zone needs at least three points")
        poly = Polygon(coords)
        if not poly.is_valid:
            raise self.fail(key, f"the zone is not valid: {shapely.is_valid_reason(poly)}")
        return self._clip_zone(poly, spec, key), None

    def border(self, spec: Mapping[str, Any], key: str) -> Made:
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

    def _other(self, spec: Mapping[str, Any]) -> Made:
        if spec["of"] == self.line.id:
            raise self.fail("of", "a recipe cannot refer to its own record")
        return self.lookup(spec["of"])

    def same_as(self, spec: Mapping[str, Any], key: str) -> Made:
        return self._other(spec)

    def buffer_recipe(self, spec: Mapping[str, Any], key: str) -> Made:
        base_geom, divider = self._other(spec)
        side = str(spec.get("side", "both"))
        if side not in ("both", "north", "south"):
            raise self.fail(key, f"side must be both, north or south, not {side!r}")
        if side != "both":
            if divider is None:
                raise self.fail(key, "a one-sided buffer needs a line, not a zone")
            base_geom = divider  # west -> east, so 'left' is north
        zone = self.buffer(base_geom, float(spec["km"]), side)
        return self._clip_zone(zone, spec, key), None

    def circle(self, spec: Mapping[str, Any], key: str) -> Made:
        zone = self.buffer(self.point(spec["place"]), float(spec["km"]))
        return self._clip_zone(zone, spec, key), None

    def polygon(self, spec: Mapping[str, Any], key: str) -> Made:
        """A zone drawn through places in order; it must not cross itself."""
        pts = [self.point(pid) for pid in spec["via"]]
        if len(pts) < 3:
            raise self.fail(key, "a polygon needs at least three places")
        poly = Polygon([(p.x, p.y) for p in pts])
        if not poly.is_valid:
            reason = shapely.is_valid_reason(poly)
            raise self.fail(key, f"the polygon through {spec['via']} is not valid: {reason}")
        return self._clip_zone(poly, spec, key), None

    def zone(self, spec: Mapping[str, Any], key: str) -> Made:
        parts: list[BaseGeometry] = [self.base.units[u] for u in spec.get("units", []) or []]
        if spec.get("hull_of"):
            hull = MultiPoint([self.point(pid) for pid in spec["hull_of"]]).convex_hull
            parts.append(self.buffer(hull, float(spec.get("buffer_km", 0.0))))
        for corridor in spec.get("corridors", []) or []:
            road = LineString([(p.x, p.y) for p in map(self.point, corridor["via"])])
            parts.append(self.buffer(road, float(corridor["km"])))
        for sub in spec.get("parts", []) or []:
            parts.append(self.build(sub)[0])
        if not parts:
            raise self.fail(key, "a zone needs units, hull_of, corridors or parts")
        zone = shapely.union_all(parts)
        if spec.get("clip_units"):
            zone = zone.intersection(
                shapely.union_all([self.base.units[u] for u in spec["clip_units"]])
            )
        if spec.get("clip_box"):
            box = spec["clip_box"]
            if not (isinstance(box, list) and len(box) == 4):
                raise self.fail(key, "clip_box needs [lon_min, lat_min, lon_max, lat_max]")
            zone = zone.intersection(shapely.box(*map(float, box)))
        return self._clip_zone(zone, spec, key), None

    def _clip_zone(self, zone: BaseGeometry, spec: Mapping[str, Any], key: str) -> BaseGeometry:
        zone = shapely.make_valid(zone)
        land = self.land(spec, key)
        if land is not None:
            zone = zone.intersection(land)
        zone = polygons_only(zone)
        if zone.is_empty:
            raise self.fail(key, "the zone is empty after clipping to land")
        return zone


RECIPES: dict[str, Callable[[Builder, Mapping[str, Any], str], Made]] = {
    "parallel": Builder.parallel,
    "route": Builder.route,
    "river": Builder.river,
    "grid": Builder.grid,
    "offset": Builder.offset,
    "border": Builder.border,
    "buffer": Builder.buffer_recipe,
    "circle": Builder.circle,
    "zone": Builder.zone,
    "polygon": Builder.polygon,
    "same_as": Builder.same_as,
    "coordinates": Builder.coordinates,
}


def references_of(geom: Mapping[str, Any]) -> list[str]:
    """The other records a recipe is made from (``of``, also inside zone parts)."""
    out: list[str] = []
    for spec in geom.values():
        if not isinstance(spec, Mapping):
            continue
        if isinstance(spec.get("of"), str):
            out.append(spec["of"])
        for sub in spec.get("parts", []) or []:
            if isinstance(sub, Mapping):
                out.extend(references_of(sub))
    return out


def clip_line(line: BaseGeometry, land: BaseGeometry) -> BaseGeometry:
    clipped = line.intersection(land)
    lines = [
        g for g in shapely.get_parts(clipped) if g.geom_type == "LineString" and g.length > 1e-6
    ]
    if not lines:
        return LineString()
    return shapely.line_merge(shapely.MultiLineString(lines))


def north_region(divider: LineString, theater: str) -> Polygon:
    """The part of the theater north of a west->east divider (extended to the bbox edges)."""
    x0, _, x1, _ = THEATERS[theater].bbox
    coords = list(divider.coords)
    west, east = coords[0], coords[-1]
    ring = [(x0 - 1.0, west[1]), *coords, (x1 + 1.0, east[1]), (x1 + 1.0, NORTH_LIMIT)]
    ring.append((x0 - 1.0, NORTH_LIMIT))
    poly = Polygon(ring)
    if not poly.is_valid:
        poly = polygons_only(shapely.make_valid(poly))  # type: ignore[assignment]
    return poly
