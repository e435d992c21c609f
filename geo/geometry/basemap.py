"""The committed Natural Earth basemap (``data/basemap/``) as shapely shapes, read once.

Countries per theater, admin-1 units, the KOR–PRK border and the traced rivers. The land of a
set of countries is memoised: a build asks for the same few unions dozens of times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.io import read_geojson


@dataclass(frozen=True)
class Basemap:
    countries: dict[str, BaseGeometry]  # ISO3 -> land within the theaters
    country_theater: dict[tuple[str, str], BaseGeometry]  # (theater, ISO3) -> land
    units: dict[str, BaseGeometry]  # ISO 3166-2 -> province
    unit_names: dict[str, str]
    borders: dict[str, BaseGeometry]  # "KOR-PRK" -> line
    rivers: dict[str, list[BaseGeometry]]  # theater -> river pieces (lines, unnamed)
    _land: dict[tuple[str, ...], BaseGeometry] = field(default_factory=dict, compare=False)

    def land(self, isos: tuple[str, ...] | list[str]) -> BaseGeometry:
        """The union of these countries' land (KeyError naming the unknown ones)."""
        key = tuple(sorted(isos))
        if key not in self._land:
            missing = [i for i in key if i not in self.countries]
            if missing:
                raise KeyError(", ".join(missing))
            land = shapely.union_all([self.countries[i] for i in key])
            shapely.prepare(land)
            self._land[key] = land
        return self._land[key]


def polygons_only(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal parts of *geom* as one (multi)polygon (empty if none)."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


@lru_cache(maxsize=4)
def load_basemap(data_dir: Path) -> Basemap:
    base = data_dir / "basemap"
    countries: dict[str, BaseGeometry] = {}
    per_theater: dict[tuple[str, str], BaseGeometry] = {}
    for f in read_geojson(base / "countries.geojson")["features"]:
        iso, theater = f["properties"]["iso_a3"], f["properties"]["theater"]
        g = polygons_only(shapely.make_valid(shape(f["geometry"])))
        per_theater[(theater, iso)] = g
        countries[iso] = shapely.union(countries[iso], g) if iso in countries else g
    units: dict[str, BaseGeometry] = {}
    names: dict[str, str] = {}
    for f in read_geojson(base / "admin1.geojson")["features"]:
        units[f["id"]] = polygons_only(shapely.make_valid(shape(f["geometry"])))
        names[f["id"]] = f["properties"]["name"]
    borders = {
        f["id"]: shape(f["geometry"]) for f in read_geojson(base / "borders.geojson")["features"]
    }
    rivers: dict[str, list[BaseGeometry]] = {}
    rivers_file = base / "rivers.geojson"
    if rivers_file.is_file():
        for f in read_geojson(rivers_file)["features"]:
            rivers.setdefault(f["properties"]["theater"], []).append(shape(f["geometry"]))
    for g in (*countries.values(), *units.values(), *borders.values()):
        shapely.prepare(g)
    return Basemap(countries, per_theater, units, names, borders, rivers)
