"""Compare two lines (or two zones) of one theater: the land between them, and who changes side.

For two dividing lines the "area between" is the land of the countries they divide that lies
north of one line and south of the other (the symmetric difference of their northern parts).
For zones it is the land in one zone and not the other. Each named place is *north*/*south*
of a line (*inside*/*outside* a zone), *on the line* when the line passes within the place's
own precision, or *split* when the place is a region the line cuts. A place changes side when
its two answers differ. "On the line" means within the place's own precision, or within 1 km
(no line is drawn more exactly than that).

Either side may be a record or a shape drawn by a user (:func:`drawn`), so the sandbox and
``python -m geo compare LINE --with FILE`` use the same computation as the Compare screen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import shapely
import shapely.ops
from shapely.geometry import LineString, Point, shape
from shapely.geometry.base import BaseGeometry

from geo.errors import AtlasError
from geo.geometry.build import BuiltAtlas, Shape
from geo.geometry.recipes import north_region
from geo.measure import area_km2, distance_km, length_km
from geo.records.model import Place
from geo.vocab import THEATERS

#: A drawn shape may have at most this many vertices (the work is linear in them).
MAX_DRAWN_VERTICES = 2_000
DRAWN_ID = "drawn"
#: A place within this distance of a line is on it even if its own position is exact: no line
#: is drawn closer than that (a river traced from 1:1M data runs ~1 km off the bridge on it).
ON_LINE_KM = 1.0


@dataclass(frozen=True)
class Subject:
    """One side of a comparison: a record, or a shape a user drew."""

    id: str
    title: str
    theater: str
    countries: tuple[str, ...]
    precision_km: float
    shape: Shape


@dataclass(frozen=True)
class SideChange:
    id: str
    name: str
    before: str  # side relative to A
    after: str  # side relative to B
    uncertain: bool = False  # the place lies within the combined precision of a line

    def to_json(self) -> dict[str, str | bool]:
        return {
            "id": self.id,
            "name": self.name,
            "from": self.before,
            "to": self.after,
            "uncertain": self.uncertain,
        }


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    countries: tuple[str, ...]
    between: BaseGeometry
    area_between_km2: float
    sides_a: dict[str, float]  # e.g. {"north": km2, "south": km2}
    sides_b: dict[str, float]
    changes: tuple[SideChange, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "countries": list(self.countries),
            "area_between_km2": round(self.area_between_km2, 1),
            "sides_km2": {
                self.a: {k: round(v, 1) for k, v in self.sides_a.items()},
                self.b: {k: round(v, 1) for k, v in self.sides_b.items()},
            },
            "places_changing_side": [c.to_json() for c in self.changes],
        }


def record(built: BuiltAtlas, line_id: str) -> Subject:
    """A record of the atlas as a side of a comparison."""
    line = built.atlas.lines.get(line_id)
    if line is None:
        raise AtlasError(f"unknown line id {line_id!r}")
    if line_id not in built:
        raise AtlasError(f"{line_id!r} ({line.theater}) has not been built")
    return Subject(
        line.id, line.title, line.theater, line.countries, line.precision_km, built[line_id]
    )


def drawn(
    built: BuiltAtlas, theater: str, geometry: dict[str, Any] | str, *, countries: tuple[str, ...]
) -> Subject:
    """A line or zone a user drew (GeoJSON geometry, or a Feature/FeatureCollection of one).

    Raises
    ------
    AtlasError
        If it is not one LineString or Polygon inside the theater, has too many vertices,
        or crosses itself.
    """
    try:
        data = json.loads(geometry) if isinstance(geometry, str) else geometry
        data = _one_geometry(data)
        geom = shape(data)
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        RecursionError,
        shapely.errors.ShapelyError,
    ) as exc:
        raise AtlasError(f"not a GeoJSON line or polygon ({type(exc).__name__})") from None
    if geom.geom_type not in ("LineString", "Polygon"):
        raise AtlasError(f"draw a line or a polygon, not a {geom.geom_type}")
    if shapely.get_num_coordinates(geom) > MAX_DRAWN_VERTICES:
        raise AtlasError(f"a drawn shape may have at most {MAX_DRAWN_VERTICES} points")
    if not geom.is_valid or geom.is_empty:
        raise AtlasError("the drawn shape crosses itself or is empty")
    x0, y0, x1, y1 = THEATERS[theater].bbox
    if not shapely.box(x0, y0, x1, y1).covers(geom):
        raise AtlasError(f"the drawn shape goes outside the {theater} theater")
    land = built.basemap.land(list(countries))
    if geom.geom_type == "LineString":
        coords = list(geom.coords)
        if coords[0][0] > coords[-1][0]:
            coords.reverse()
        divider = LineString(coords)
        clipped = divider.intersection(land)
        drawn_part = clipped if not clipped.is_empty else divider
        s = Shape(DRAWN_ID, drawn_part, divider, length_km(drawn_part), 0.0)
    else:
        s = Shape(DRAWN_ID, geom, None, 0.0, area_km2(geom.intersection(land)))
    return Subject(DRAWN_ID, "Your line" if s.is_line else "Your zone", theater, countries, 0.5, s)


def _one_geometry(data: Any) -> Any:
    if data.get("type") == "FeatureCollection":
        features = data["features"]
        if len(features) != 1:
            raise ValueError("one feature expected")
        data = features[0]
    if data.get("type") == "Feature":
        data = data["geometry"]
    return data


def distance_to_km(geom: BaseGeometry, lon: float, lat: float) -> float:
    """Ground distance from a point to the nearest point of *geom* (0 inside a zone)."""
    pt = Point(lon, lat)
    if geom.geom_type.endswith("Polygon") and geom.covers(pt):
        return 0.0
    nearest = shapely.ops.nearest_points(geom, pt)[0]
    return distance_km(lon, lat, nearest.x, nearest.y)


def place_side(subject: Subject, place: Place) -> str:
    """Where *place* stands with respect to a line or zone (see the module docstring)."""
    s = subject.shape
    if s.divider is not None:
        tolerance = max(place.precision_km, min(subject.precision_km, ON_LINE_KM))
        if distance_to_km(s.geometry, place.lon, place.lat) <= tolerance:
            return "split" if place.kind in ("region", "river") else "on the line"
        north = north_region(s.divider, subject.theater).contains(Point(place.lon, place.lat))
        return "north" if north else "south"
    return "inside" if s.geometry.buffer(1e-9).contains(Point(place.lon, place.lat)) else "outside"


def side_of(built: BuiltAtlas, line_id: str, lon: float, lat: float) -> str:
    """'north'/'south' of a line, or 'inside'/'outside' a zone (a bare point: no precision)."""
    s = built[line_id]
    theater = built.atlas.lines[line_id].theater
    pt = Point(lon, lat)
    if s.divider is not None:
        return "north" if north_region(s.divider, theater).contains(pt) else "south"
    return "inside" if s.geometry.buffer(1e-9).contains(pt) else "outside"


def compare(built: BuiltAtlas, a: str | Subject, b: str | Subject) -> Comparison:
    """Compare two records (ids) or drawn shapes of the same theater.

    Raises
    ------
    AtlasError
        If an id is unknown, the theaters differ, or a line is compared with a zone.
    """
    sa = a if isinstance(a, Subject) else record(built, a)
    sb = b if isinstance(b, Subject) else record(built, b)
    if sa.theater != sb.theater:
        raise AtlasError(
            f"{sa.id!r} ({sa.theater}) and {sb.id!r} ({sb.theater}) are in different theaters"
        )
    if sa.shape.is_line != sb.shape.is_line:
        raise AtlasError(f"cannot compare a line with a zone ({sa.id!r}, {sb.id!r})")
    countries = tuple(dict.fromkeys((*sa.countries, *sb.countries)))
    land = shapely.union_all(
        [
            built.basemap.country_theater[(sa.theater, c)]
            for c in countries
            if (sa.theater, c) in built.basemap.country_theater
        ]
    )
    ra, rb = _region(sa, land), _region(sb, land)
    between = shapely.symmetric_difference(ra, rb)
    total = area_km2(land)
    names = ("north", "south") if sa.shape.is_line else ("inside", "outside")

    def sides(region: BaseGeometry) -> dict[str, float]:
        inner = area_km2(region)
        return {names[0]: inner, names[1]: max(total - inner, 0.0)}

    changes = []
    for place in built.atlas.places_in(sa.theater):
        if place.country not in countries or place.kind == "waypoint":
            continue
        side_a, side_b = place_side(sa, place), place_side(sb, place)
        if side_a != side_b:
            near = any(
                distance_to_km(s.shape.geometry, place.lon, place.lat)
                <= s.precision_km + place.precision_km
                for s in (sa, sb)
            )
            changes.append(SideChange(place.id, place.name, side_a, side_b, near))
    return Comparison(
        a=sa.id,
        b=sb.id,
        countries=countries,
        between=between,
        area_between_km2=area_km2(between),
        sides_a=sides(ra),
        sides_b=sides(rb),
        changes=tuple(changes),
    )


def _region(subject: Subject, land: BaseGeometry) -> BaseGeometry:
    """The land that is 'north of' a line, or 'inside' a zone."""
    s = subject.shape
    if s.divider is not None:
        return land.intersection(north_region(s.divider, subject.theater))
    return land.intersection(s.geometry)
