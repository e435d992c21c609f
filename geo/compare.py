"""Compare two lines (or zones) of one theater: the land between them, and who changes side.

For two dividing lines the "area between" is the land of the countries they divide that lies
north of one line and south of the other (the symmetric difference of their northern parts).
For zones it is the land in one zone and not the other. A place "changes side" when it is
north of one line and south of the other, or inside one zone and outside the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely
import shapely.ops
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.errors import AtlasError
from geo.geometry import Built, build_all, load_basemap, north_region
from geo.measure import area_km2, distance_km
from geo.records import Atlas, Line


@dataclass(frozen=True)
class SideChange:
    id: str
    name: str
    before: str  # side relative to line A
    after: str  # side relative to line B
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


def _region(atlas: Atlas, built: Built, line: Line, land: BaseGeometry) -> BaseGeometry:
    """The land that is 'north of' a line, or 'inside' a zone."""
    if built.divider is not None:
        return land.intersection(north_region(built.divider, line.theater))
    return land.intersection(built.geometry)


def distance_to_km(geom: BaseGeometry, lon: float, lat: float) -> float:
    """Ground distance from a point to the nearest point of *geom* (0 inside a zone)."""
    pt = Point(lon, lat)
    if geom.geom_type.endswith("Polygon") and geom.covers(pt):
        return 0.0
    nearest = shapely.ops.nearest_points(geom, pt)[0]
    return distance_km(lon, lat, nearest.x, nearest.y)


def side_of(atlas: Atlas, line_id: str, lon: float, lat: float) -> str:
    """'north'/'south' of a line, or 'inside'/'outside' a zone."""
    line = atlas.lines[line_id]
    built = build_all(atlas)[line_id]
    pt = Point(lon, lat)
    if built.divider is not None:
        return "north" if north_region(built.divider, line.theater).contains(pt) else "south"
    return "inside" if built.geometry.buffer(1e-9).contains(pt) else "outside"


def compare(atlas: Atlas, a: str, b: str) -> Comparison:
    """Compare two records of the same theater.

    Raises
    ------
    AtlasError
        If an id is unknown, the theaters differ, or a line is compared with a zone.
    """
    for lid in (a, b):
        if lid not in atlas.lines:
            raise AtlasError(f"unknown line id {lid!r}")
    la, lb = atlas.lines[a], atlas.lines[b]
    if la.theater != lb.theater:
        raise AtlasError(f"{a!r} ({la.theater}) and {b!r} ({lb.theater}) are in different theaters")
    built = build_all(atlas)
    ba, bb = built[a], built[b]
    if ba.is_line != bb.is_line:
        raise AtlasError(f"cannot compare a line with a zone ({a!r}, {b!r})")
    countries = tuple(dict.fromkeys((*la.countries, *lb.countries)))
    base = load_basemap(atlas.data_dir)
    land = shapely.union_all([base.country_theater[(la.theater, c)] for c in countries])
    ra, rb = _region(atlas, ba, la, land), _region(atlas, bb, lb, land)
    between = shapely.symmetric_difference(ra, rb)
    total = area_km2(land)
    names = ("north", "south") if ba.is_line else ("inside", "outside")

    def sides(region: BaseGeometry) -> dict[str, float]:
        inner = area_km2(region)
        return {names[0]: inner, names[1]: max(total - inner, 0.0)}

    changes = []
    for place in atlas.places_in(la.theater):
        if place.country not in countries or place.kind == "waypoint":
            continue
        sa = side_of(atlas, a, place.lon, place.lat)
        sb = side_of(atlas, b, place.lon, place.lat)
        if sa != sb:
            near = any(
                distance_to_km(built[lid].geometry, place.lon, place.lat)
                <= atlas.lines[lid].precision_km + place.precision_km
                for lid in (a, b)
            )
            changes.append(SideChange(place.id, place.name, sa, sb, near))
    return Comparison(
        a=a,
        b=b,
        countries=countries,
        between=between,
        area_between_km2=area_km2(between),
        sides_a=sides(ra),
        sides_b=sides(rb),
        changes=tuple(changes),
    )
