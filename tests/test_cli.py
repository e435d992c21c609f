"""The command line as a user runs it: exit codes, one-line errors, real outputs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA_DIR, REPO_ROOT, require_corpus


def run(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_validate_ok() -> None:
    res = run("validate")
    assert res.returncode == 0, res.stderr
    assert "valid" in res.stdout


def test_validate_reports_every_problem_with_path_and_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    bad = data / "proposals" / "vn-1954-drv-minimum.yaml"
    bad.write_text(bad.read_text().replace("status: fallback", "status: maybe"))
    places = data / "places.yaml"
    places.write_text(places.read_text().replace("precision_km: 3\n", "precision_km: -3\n", 1))
    res = run("validate", str(data))
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert any("vn-1954-drv-minimum.yaml:7: [status] 'maybe' is not one of" in ln for ln in lines)
    assert any("places.yaml:" in ln and "[precision_km] -3 is out of range" in ln for ln in lines)
    assert "Traceback" not in res.stderr


def test_export_geojson_is_rfc7946(tmp_path: Path) -> None:
    out = tmp_path / "atlas.geojson"
    res = run("export", "--out", str(out), "--theater", "indochina")
    assert res.returncode == 0, res.stderr
    fc = json.loads(out.read_text())
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    ids = [f["id"] for f in fc["features"]]
    assert len(ids) == len(set(ids)) and "vn-1954-drv-minimum" in ids
    assert not any(i.startswith("kr-") for i in ids)
    for feat in fc["features"]:
        props = feat["properties"]
        for key in (
            "id",
            "title",
            "theater",
            "kind",
            "party",
            "date",
            "status",
            "sources",
            "precision_km",
        ):
            assert key in props, (feat["id"], key)
        assert props["kind"] in {"line", "zone", "reference", "point"}
        if props["kind"] == "zone":
            assert props["area_km2"] > 0
        else:
            assert props["length_km"] > 0
        for lon, lat in _coords(feat["geometry"]):
            assert 97 <= lon <= 111 and 8 <= lat <= 24  # lon/lat order, Indochina
    minimum = next(f for f in fc["features"] if f["id"] == "vn-1954-drv-minimum")["properties"]
    assert minimum["date"] == "1954-06-26" and minimum["sources"] == ["110145"]
    assert minimum["party"] == "drv" and minimum["status"] == "fallback"


def test_export_csv_to_stdout() -> None:
    res = run("export", "--out", "-", "--format", "csv", "--theater", "korea")
    assert res.returncode == 0
    header, *rows = res.stdout.strip().splitlines()
    assert header.startswith("id,title,theater,kind")
    assert any(r.startswith("kr-1953-mdl,") for r in rows)


def test_compare_json() -> None:
    res = run("compare", "vn-1954-french-18th", "vn-1954-drv-minimum", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["a"] == "vn-1954-french-18th" and data["b"] == "vn-1954-drv-minimum"
    assert data["area_between_km2"] > 10_000
    hue = next(p for p in data["places_changing_side"] if p["id"] == "hue")
    assert hue == {"id": "hue", "name": "Hue", "from": "south", "to": "north", "uncertain": False}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("compare", "vn-1954-drv-minimum", "nope"), "unknown line id 'nope'"),
        (("compare", "kr-1953-mdl", "vn-1954-geneva-line"), "different theaters"),
        (("render", "--theater", "korea", "--out", "/nonexistent/x.html"), "does not exist"),
        (("render", "--theater", "korea", "--out", "-", "--layers", "zz"), "unknown line id"),
        (("import-cables", "/nonexistent/folder"), "/nonexistent/folder"),
    ],
)
def test_user_mistakes_give_one_line_and_no_traceback(args: tuple[str, ...], message: str) -> None:
    res = run(*args)
    assert res.returncode == 2
    assert message in res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_render_standalone_html_needs_no_network(tmp_path: Path) -> None:
    out = tmp_path / "korea.html"
    res = run("render", "--theater", "korea", "--out", str(out))
    assert res.returncode == 0, res.stderr
    html = out.read_text()
    assert "L.map(" in html and "Leaflet" in html  # Leaflet inlined
    assert network_loads(html) == [], "the standalone map must not load anything from the network"


def test_online_tiles_are_an_option_and_detected(tmp_path: Path) -> None:
    out = tmp_path / "korea-online.html"
    assert run("render", "--theater", "korea", "--out", str(out), "--online-tiles").returncode == 0
    assert any("openstreetmap" in url for url in network_loads(out.read_text()))


def network_loads(html: str) -> list[str]:
    """URLs the page would fetch from the network (scripts, styles, images, tiles)."""
    loads = re.findall(r"""<(?:script|img|iframe)[^>]+src\s*=\s*["']((?:https?:)?//[^"']+)""", html)
    loads += re.findall(r"""<link[^>]+href\s*=\s*["']((?:https?:)?//[^"']+)""", html)
    loads += re.findall(r"""url\(\s*["']?((?:https?:)?//[^)"']+)""", html)
    loads += re.findall(r"""L\.tileLayer\(\s*["']([^"']+)""", html)
    return loads
    assert "Korean Armistice 1953: military demarcation line" in html


def test_import_cables_on_corpus() -> None:
    corpus = require_corpus()
    res = run("import-cables", str(corpus), "--json")
    assert res.returncode == 0, res.stderr
    docs = {d["id"]: d for d in json.loads(res.stdout)["documents"]}
    assert set(docs) >= {"110145", "117409", "117413", "113006"}
    assert "cheo-reo" in docs["110145"]["places"]
    assert "vn-1954-drv-minimum" in docs["110145"]["proposals"]
    assert "kr-1951-communist-38th-parallel" in docs["113006"]["proposals"]


def _coords(geom: dict[str, object]) -> list[tuple[float, float]]:
    import shapely
    import shapely.geometry

    return [tuple(c) for c in shapely.get_coordinates(shapely.geometry.shape(geom))]
