"""The command line as a user runs it: exit codes, one-line errors, real outputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

from conftest import DATA_DIR, REPO_ROOT, require_corpus
from geo import Atlas
from geo.grid import decode
from geo.measure import distance_km
from geo.outputs import webmap

GENEVA_AGREEMENT = "geneva-1954-vietnam-agreement"
AVALON_GENEVA = "https://avalon.law.yale.edu/20th_century/inch002.asp"
#: The records of the signed Geneva settlement in Vietnam (the line, its zone, the enclave).
GENEVA_SIGNED = ("vn-1954-geneva-line", "vn-1954-geneva-dmz", "vn-1954-haiphong-perimeter")


def run(
    *args: str, cwd: Path = REPO_ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
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
    places = data / "places" / "indochina.yaml"
    places.write_text(places.read_text().replace("precision_km: 3\n", "precision_km: -3\n", 1))
    res = run("validate", str(data))
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert any("vn-1954-drv-minimum.yaml:7: [status] 'maybe' is not one of" in ln for ln in lines)
    assert any(
        "indochina.yaml:" in ln and "[precision_km] -3 is out of range" in ln for ln in lines
    )
    assert lines[-1].startswith("2 problem(s) in")
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
            "evidence",
            "references",
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
    assert minimum["date"] == "1954-06-26"
    assert [s["id"] for s in minimum["sources"]] == ["110145"]
    assert minimum["sources"][0]["url"] == "https://digitalarchive.wilsoncenter.org/document/110145"
    assert minimum["party"] == "drv" and minimum["status"] == "fallback"


def test_every_feature_of_the_signed_geneva_line_names_the_agreement(tmp_path: Path) -> None:
    out = tmp_path / "indochina.geojson"
    assert run("export", "--out", str(out), "--theater", "indochina").returncode == 0
    features = {f["id"]: f for f in json.loads(out.read_text())["features"]}
    for lid in GENEVA_SIGNED:
        props = features[lid]["properties"]
        sources = {s["id"]: s for s in props["sources"]}
        assert GENEVA_AGREEMENT in sources, lid
        agreement = sources[GENEVA_AGREEMENT]
        assert agreement["url"] == AVALON_GENEVA, lid
        assert agreement["kind"] == "agreement" and agreement["date"] == "1954-07-20"
        assert "Cessation of Hostilities in Viet-Nam" in agreement["citation"]
        phrases = [e for e in props["evidence"] if e["document"] == GENEVA_AGREEMENT]
        assert phrases and all(e["read_at"].startswith("https://") for e in phrases), lid


def test_export_csv_to_stdout() -> None:
    res = run("export", "--out", "-", "--format", "csv", "--theater", "korea")
    assert res.returncode == 0, res.stderr
    header, *rows = res.stdout.strip().splitlines()
    assert header.startswith("id,title,theater,kind")
    assert "sources,source_urls" in header
    mdl = next(r for r in rows if r.startswith("kr-1953-mdl,"))
    assert "https://avalon.law.yale.edu/20th_century/korwar.asp" in mdl


def test_export_geopackage_reads_back_with_every_feature_and_its_sources(
    atlas: Atlas, tmp_path: Path
) -> None:
    out = tmp_path / "atlas.gpkg"
    res = run("export", "--format", "gpkg", "--out", str(out), "--with-places")
    assert res.returncode == 0, res.stderr
    layers = {name: pyogrio.read_dataframe(out, layer=name) for name, _ in pyogrio.list_layers(out)}
    assert set(layers) == {"lines", "zones", "places"}
    n = sum(len(df) for df in layers.values())
    assert f"({n} features)" in res.stderr
    assert {i for df in layers.values() for i in df["id"]} == set(atlas.lines) | set(atlas.places)
    for name in ("lines", "zones"):
        for row in layers[name].itertuples():
            for did in atlas.lines[row.id].sources:
                doc = atlas.documents[did]
                assert " ".join(doc.citation.split()) in row.sources, (row.id, did)
                assert doc.url in row.source_urls.split(), (row.id, did)
    geneva = layers["lines"].set_index("id").loc["vn-1954-geneva-line"]
    assert geneva["sources"].startswith("Agreement on the Cessation of Hostilities in Viet-Nam")
    assert geneva["source_urls"] == AVALON_GENEVA


def test_export_shapefiles(tmp_path: Path) -> None:
    out = tmp_path / "korea.shp"
    res = run("export", "--format", "shp", "--out", str(out), "--theater", "korea")
    assert res.returncode == 0, res.stderr
    lines = pyogrio.read_dataframe(tmp_path / "korea-lines.shp")
    zones = pyogrio.read_dataframe(tmp_path / "korea-zones.shp")
    assert "kr-1953-mdl" in set(lines["id"]) and "kr-1953-dmz" in set(zones["id"])
    assert set(lines["theater"]) == {"korea"}
    mdl = lines.set_index("id").loc["kr-1953-mdl"]
    assert "https://avalon.law.yale.edu/20th_century/korwar.asp" in mdl["src_urls"].split()


def test_compare_json() -> None:
    res = run("compare", "vn-1954-french-18th", "vn-1954-drv-minimum", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["a"] == "vn-1954-french-18th" and data["b"] == "vn-1954-drv-minimum"
    assert data["area_between_km2"] > 10_000
    hue = next(p for p in data["places_changing_side"] if p["id"] == "hue")
    assert hue == {"id": "hue", "name": "Hue", "from": "south", "to": "north", "uncertain": False}


def test_compare_in_words() -> None:
    res = run("compare", "vn-1954-geneva-line", "vn-1954-french-18th")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "vn-1954-geneva-line  vs  vn-1954-french-18th"
    assert re.fullmatch(r"area between: [\d,]+ km²", lines[1])
    assert "  Cua Tung (mouth of the Ben Hai): on the line -> south" in lines
    assert "  Dong Hoi: north -> south" in lines


def test_compare_piped_into_head_stops_quietly() -> None:
    """``compare … --json | head -c 10``: no broken-pipe message, no traceback."""
    cmd = f"{sys.executable} -m geo compare vn-1954-geneva-line vn-1954-french-18th --json"
    res = subprocess.run(
        f"{cmd} | head -c 10",
        shell=True,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.stdout == '{\n "a": "v'  # the first 10 bytes
    assert res.stderr == ""


def test_a_reader_that_has_gone_is_no_error() -> None:
    """The same, made certain: the pipe is closed before the command writes anything."""
    read, write = os.pipe()
    os.close(read)
    try:
        res = subprocess.run(
            [sys.executable, "-m", "geo", "compare", "vn-1954-geneva-line",
             "vn-1954-french-18th", "--json"],
            cwd=REPO_ROOT, stdout=write, stderr=subprocess.PIPE, text=True, timeout=300,
        )  # fmt: skip
    finally:
        os.close(write)
    assert res.returncode == 0
    assert res.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("compare", "vn-1954-drv-minimum", "nope"), "unknown line id 'nope'"),
        (("compare", "nope", "vn-1954-drv-minimum"), "unknown line id 'nope'"),
        pytest.param(("compare", "kr-1953-mdl", "vn-1954-geneva-line"), "different theaters"),
        (("compare", "kr-1953-mdl", "kr-1953-dmz"), "cannot compare a line with a zone"),
        (("compare", "kr-1953-mdl"), "give a second line id, or --with FILE.geojson"),
        (("compare", "kr-1953-mdl", "--with", "/nonexistent/x.geojson"), "cannot read it"),
        (("render", "--theater", "korea", "--out", "/nonexistent/x.html"), "does not exist"),
        (("render", "--theater", "korea", "--out", "-", "--layers", "zz"), "unknown line id"),
        (("export", "--format", "gpkg", "--out", "-"), "needs --out PATH"),
        (("export", "--out", "/nonexistent/dir/a.geojson"), "does not exist"),
        (("import-cables", "/nonexistent/folder"), "folder not found"),
        (("import-documents", "/nonexistent/folder"), "folder not found"),
        (("grid", "BX 5198"), "X is not a grid row letter"),
        (("grid", "CT 433"), "is not a grid reference"),
        pytest.param(("grid", "HA 0000"), "HA 0000"),
    ],
)
def test_user_mistakes_give_one_line_and_no_traceback(args: tuple[str, ...], message: str) -> None:
    res = run(*args)
    assert res.returncode == 2, res.stderr
    assert message in res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_compare_with_a_file_that_is_not_a_line(tmp_path: Path) -> None:
    point = tmp_path / "point.geojson"
    point.write_text('{"type": "Point", "coordinates": [107, 17]}')
    res = run("compare", "vn-1954-geneva-line", "--with", str(point))
    assert res.returncode == 2 and "draw a line or a polygon, not a Point" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_render_standalone_html_needs_no_network(tmp_path: Path) -> None:
    out = tmp_path / "korea.html"
    res = run("render", "--theater", "korea", "--out", str(out))
    assert res.returncode == 0, res.stderr
    html = out.read_text()
    assert "AtlasMap.create(" in html and "Leaflet" in html  # Leaflet and renderer inline
    assert network_loads(html) == [], "the standalone map must not load anything from the network"
    payload = re.search(
        r'<script type="application/json" id="aa-payload">(.*?)</script>', html, flags=re.DOTALL
    )
    assert payload is not None
    features = webmap.collections(json.loads(payload.group(1)))["features"]["features"]
    titles = {f["properties"]["title"] for f in features}
    assert "Korean Armistice 1953: military demarcation line" in titles


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


def test_grid_prints_the_point_and_the_nearest_gazetteer_place(atlas: Atlas) -> None:
    res = run("grid", "CT 4334", "CT 6538")
    assert res.returncode == 0, res.stderr
    chorwon, kumhwa = res.stdout.strip().splitlines()
    for line, ref, pid in ((chorwon, "CT 4334", "chorwon"), (kumhwa, "CT 6538", "kumhwa")):
        m = re.match(
            rf"{ref}  ->  (\d+\.\d+) N, (\d+\.\d+) E  \(MGRS \w+, .+?\)  nearest: (.+), "
            r"(\d+\.\d) km$",
            line,
        )
        assert m, line
        lat, lon = float(m[1]), float(m[2])
        assert (lat, lon) == pytest.approx((decode(ref).lat, decode(ref).lon), abs=1e-5)
        place = atlas.places[pid]
        assert m[3] == place.name
        assert float(m[4]) == pytest.approx(distance_km(lon, lat, place.lon, place.lat), abs=0.06)
        assert float(m[4]) < 2.0


def test_import_documents_reads_armistice_corpus_by_default(tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    fixture = REPO_ROOT / "tests" / "fixtures" / "cables" / "webpage_record_id.txt"
    shutil.copy(fixture, folder / fixture.name)
    env = {**os.environ, "ARMISTICE_CORPUS": str(folder)}
    for verb in ("import-documents", "import-cables"):
        res = run(verb, "--json", env=env)
        assert res.returncode == 0, res.stderr
        (doc,) = json.loads(res.stdout)["documents"]
        assert doc["id"] == "990004" and doc["date"] == "1954-06-21"
        assert "vn-1954-drv-maximum" in doc["proposals"]  # it names Route 19 and Pleiku


def test_import_documents_of_an_empty_folder_fails(tmp_path: Path) -> None:
    res = run("import-documents", str(tmp_path))
    assert res.returncode == 1


def test_import_documents_on_corpus() -> None:
    corpus = require_corpus()
    res = run("import-documents", str(corpus), "--json")
    assert res.returncode == 0, res.stderr
    docs = {d["id"]: d for d in json.loads(res.stdout)["documents"]}
    assert set(docs) >= {"110145", "117409", "117413", "113006"}
    assert "cheo-reo" in docs["110145"]["places"]
    assert "vn-1954-drv-minimum" in docs["110145"]["proposals"]
    assert "kr-1951-communist-38th-parallel" in docs["113006"]["proposals"]


def test_site_writes_an_offline_site_and_keeps_other_folders_safe(tmp_path: Path) -> None:
    try:
        import geo.outputs.site  # noqa: F401
    except ImportError:
        pytest.skip("geo.outputs.site (python -m geo site) is not written yet")
    out = tmp_path / "site"
    res = run("site", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert (out / "index.html").is_file() and (out / "map-korea.html").is_file()
    assert network_loads((out / "map-korea.html").read_text()) == []
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    res = run("site", "--out", str(other))
    assert res.returncode == 2 and "is not empty" in res.stderr
    assert sorted(p.name for p in other.iterdir()) == ["mine.txt"]


def _coords(geom: dict[str, object]) -> list[tuple[float, float]]:
    import shapely
    import shapely.geometry

    return [tuple(c) for c in shapely.get_coordinates(shapely.geometry.shape(geom))]
