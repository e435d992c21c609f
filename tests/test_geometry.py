"""Geometry that knows geography: each test states a fact about the real map."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import LineString, Point

from geo import Atlas, build_all, compare, load_basemap, side_of
from geo.compare import distance_to_km
from geo.measure import area_km2, buffer_km, distance_km, length_km


def _coords(geom: shapely.Geometry) -> list[tuple[float, float]]:
    return [tuple(c) for c in shapely.get_coordinates(geom)]


def _place(atlas: Atlas, pid: str) -> tuple[float, float]:
    p = atlas.places[pid]
    return p.lon, p.lat


# --- parallels ---------------------------------------------------------------------------


def test_16th_parallel_runs_on_latitude_16_from_lao_border_to_the_sea(atlas: Atlas) -> None:
    built = build_all(atlas)["vn-1954-drv-minimum"]
    coords = _coords(built.geometry)
    assert all(abs(lat - 16.0) < 1e-9 for _, lat in coords)
    west = min(coords)
    east = max(coords)
    base = load_basemap(atlas.data_dir)
    # The west end lies on the Lao border, the east end on the coast (not on any neighbour).
    assert base.countries["LAO"].distance(Point(west)) < 0.01
    for iso in ("LAO", "KHM", "CHN"):
        assert base.countries[iso].distance(Point(east)) > 0.5
    assert 80 <= built.length_km <= 100  # "about 90 km"


@pytest.mark.parametrize("lat", [13, 14, 15, 16, 17, 18])
def test_reference_parallels_stay_inside_vietnam(atlas: Atlas, lat: int) -> None:
    built = build_all(atlas)[f"ref-parallel-{lat}"]
    vnm = load_basemap(atlas.data_dir).countries["VNM"]
    assert vnm.buffer(1e-6).covers(built.geometry)
    # Vietnam is narrowest around 17 N (~50 km at Quang Binh) and widest in the south.
    assert 40 < built.length_km < 260


def test_hue_lies_north_of_the_16th_and_south_of_the_17th_parallel(atlas: Atlas) -> None:
    lon, lat = _place(atlas, "hue")
    assert side_of(atlas, "ref-parallel-16", lon, lat) == "north"
    assert side_of(atlas, "ref-parallel-17", lon, lat) == "south"


def test_38th_parallel_crosses_the_peninsula_coast_to_coast(atlas: Atlas) -> None:
    built = build_all(atlas)["kr-1951-communist-38th-parallel"]
    xs = [x for x, _ in _coords(built.geometry)]
    # West coast near the Ongjin peninsula (~124.7-125.1 E), east coast near Yangyang (~128.6 E).
    assert min(xs) < 125.2
    assert max(xs) > 128.5
    assert 250 < built.length_km < 320


# --- routes ---------------------------------------------------------------------------


def test_drv_maximum_runs_between_the_13th_and_14th_parallels_to_cambodia(atlas: Atlas) -> None:
    built = build_all(atlas)["vn-1954-drv-maximum"]
    coords = _coords(built.geometry)
    assert all(13.0 < lat < 14.1 for _, lat in coords)  # "between the 13th and 14th parallels"
    base = load_basemap(atlas.data_dir)
    west = min(coords)
    assert base.countries["KHM"].distance(Point(west)) < 0.01  # reaches the Cambodian border
    tuy_hoa = _place(atlas, "tuy-hoa")
    assert distance_km(*max(coords), *tuy_hoa) < 5  # east end at Tuy Hoa on the coast
    # Pleiku is on the line, Quy Nhon (Route 19's coastal end) is north of it.
    assert distance_to_km(built.geometry, *_place(atlas, "pleiku")) < 0.5
    assert side_of(atlas, "vn-1954-drv-maximum", *_place(atlas, "quy-nhon")) == "north"


def test_geneva_line_follows_the_ben_hai_then_west_to_laos(atlas: Atlas) -> None:
    built = build_all(atlas)["vn-1954-geneva-line"]
    coords = _coords(built.geometry)
    base = load_basemap(atlas.data_dir)
    assert base.countries["LAO"].distance(Point(min(coords))) < 0.01
    assert distance_km(*max(coords), *_place(atlas, "cua-tung")) < 2
    assert all(16.9 < lat < 17.05 for _, lat in coords)  # just south of the 17th parallel
    assert 55 < built.length_km < 80  # ~76 km on the ground; river bends are cut here
    # Dong Ha and Quang Tri were south of the line, Dong Hoi and Vinh north of it.
    for pid, side in [("dong-ha", "south"), ("quang-tri", "south"), ("dong-hoi", "north")]:
        assert side_of(atlas, "vn-1954-geneva-line", *_place(atlas, pid)) == side


def test_korean_mdl_runs_from_han_estuary_to_east_coast(atlas: Atlas) -> None:
    built = build_all(atlas)["kr-1953-mdl"]
    coords = _coords(built.geometry)
    # The line's two ends (it is stored west -> east), not its extreme longitudes: the
    # line turns north-west along the Han estuary before it runs east.
    assert distance_km(*coords[0], *_place(atlas, "mdl-west-end")) < 10
    assert distance_km(*coords[-1], *_place(atlas, "mdl-east-end")) < 10
    assert 190 < built.length_km < 250
    # South of 38 N in the west (Kaesong and Ongjin lost to the south), north of it in the east.
    assert min(lat for _, lat in coords) < 37.9
    assert max(lat for _, lat in coords) > 38.5


# --- zones ---------------------------------------------------------------------------


def test_kaesong_is_in_the_communist_buffer_zone_and_north_of_the_1953_line(atlas: Atlas) -> None:
    lon, lat = _place(atlas, "kaesong")
    assert side_of(atlas, "kr-1951-communist-buffer-zone", lon, lat) == "inside"
    assert side_of(atlas, "kr-1953-mdl", lon, lat) == "north"
    assert side_of(atlas, "ref-parallel-38", lon, lat) == "south"
    # Seoul is outside the 20 km strip, Munsan just inside it.
    assert side_of(atlas, "kr-1951-communist-buffer-zone", *_place(atlas, "seoul")) == "outside"


def test_xam_neua_inside_zhou_bottom_line_and_vientiane_not(atlas: Atlas) -> None:
    assert side_of(atlas, "la-1954-zhou-bottom-line", *_place(atlas, "xam-neua")) == "inside"
    assert side_of(atlas, "la-1954-zhou-bottom-line", *_place(atlas, "phongsaly")) == "inside"
    assert side_of(atlas, "la-1954-zhou-bottom-line", *_place(atlas, "vientiane")) == "outside"
    assert side_of(atlas, "la-1954-zhou-bottom-line", *_place(atlas, "luang-prabang")) == "outside"


def test_drv_laos_plan_is_larger_than_zhou_bottom_line(atlas: Atlas) -> None:
    built = build_all(atlas)
    drv, zhou = built["la-1954-drv-zones"], built["la-1954-zhou-bottom-line"]
    assert drv.area_km2 > zhou.area_km2
    for pid in ("ban-ban", "sepon", "nambak"):
        assert side_of(atlas, "la-1954-drv-zones", *_place(atlas, pid)) == "inside"
    assert side_of(atlas, "la-1954-drv-zones", *_place(atlas, "vientiane")) == "outside"


def test_geneva_regroupment_area_matches_the_two_provinces(atlas: Atlas) -> None:
    area = build_all(atlas)["la-1954-geneva-regroupment"].area_km2
    assert area == pytest.approx(16_270 + 16_500, rel=0.08)  # REFERENCE.md figures


def test_korean_dmz_is_four_km_wide(atlas: Atlas) -> None:
    built = build_all(atlas)
    dmz, mdl = built["kr-1953-dmz"], built["kr-1953-mdl"]
    assert dmz.area_km2 == pytest.approx(4 * mdl.length_km, rel=0.12)
    assert dmz.geometry.covers(mdl.geometry.interpolate(0.5, normalized=True))


def test_un_buffer_zone_lies_north_of_the_front_line(atlas: Atlas) -> None:
    zone = build_all(atlas)["kr-1951-un-buffer-zone"].geometry
    inside = zone.representative_point()
    assert side_of(atlas, "kr-1951-front-line", inside.x, inside.y) == "north"
    assert side_of(atlas, "kr-1951-un-buffer-zone", *_place(atlas, "seoul")) == "outside"


def test_kaesong_neutral_zone_is_a_five_mile_circle(atlas: Atlas) -> None:
    area = build_all(atlas)["kr-1951-kaesong-neutral-zone"].area_km2
    assert area == pytest.approx(3.14159 * 8.05**2, rel=0.03)


def test_haiphong_enclave_holds_haiphong_and_not_hanoi(atlas: Atlas) -> None:
    assert side_of(atlas, "vn-1954-french-haiphong", *_place(atlas, "haiphong")) == "inside"
    assert side_of(atlas, "vn-1954-french-haiphong", *_place(atlas, "hanoi")) == "outside"


# --- compare ---------------------------------------------------------------------------


def test_hue_changes_side_between_the_18th_and_the_16th_parallel(atlas: Atlas) -> None:
    result = compare(atlas, "vn-1954-french-18th", "vn-1954-drv-minimum")
    changed = {c.id: c for c in result.changes}
    assert changed["hue"].before == "south" and changed["hue"].after == "north"
    assert "hanoi" not in changed and "saigon" not in changed
    # Latitude band 16-18 N across Vietnam: roughly 2 degrees x 50-100 km wide.
    assert 12_000 < result.area_between_km2 < 25_000


def test_compare_is_symmetric_in_area(atlas: Atlas) -> None:
    ab = compare(atlas, "vn-1954-drv-medium", "vn-1954-geneva-line")
    ba = compare(atlas, "vn-1954-geneva-line", "vn-1954-drv-medium")
    assert ab.area_between_km2 == pytest.approx(ba.area_between_km2, rel=1e-9)
    assert {c.id for c in ab.changes} == {c.id for c in ba.changes}


def test_sides_add_up_to_the_country(atlas: Atlas) -> None:
    result = compare(atlas, "ref-parallel-38", "kr-1953-mdl")
    assert sum(result.sides_a.values()) == pytest.approx(sum(result.sides_b.values()), rel=1e-6)
    # The Korean peninsula (both states) is about 220,000 km².
    assert sum(result.sides_a.values()) == pytest.approx(220_000, rel=0.05)


def test_compare_rejects_mixed_theaters_and_unknown_ids(atlas: Atlas) -> None:
    from geo import AtlasError

    with pytest.raises(AtlasError, match="different theaters"):
        compare(atlas, "kr-1953-mdl", "vn-1954-geneva-line")
    with pytest.raises(AtlasError, match="unknown line id"):
        compare(atlas, "kr-1953-mdl", "nope")
    with pytest.raises(AtlasError, match="line with a zone"):
        compare(atlas, "kr-1953-mdl", "kr-1953-dmz")


# --- measures ---------------------------------------------------------------------------


def test_length_along_a_parallel_is_geodesic() -> None:
    # One degree of longitude at 16 N on WGS84 is 107.0 km (111.32 km x cos 16, ellipsoidal).
    assert length_km(LineString([(100, 16), (101, 16)])) == pytest.approx(107.0, abs=0.2)


def test_area_is_equal_area_and_matches_a_projection() -> None:
    from pyproj import Transformer

    square = shapely.box(126.0, 37.5, 127.0, 38.5)
    laea = Transformer.from_crs("EPSG:4326", "+proj=laea +lat_0=38 +lon_0=126.5", always_xy=True)
    projected = shapely.transform(
        shapely.segmentize(square, 0.01),
        lambda xy: __import__("numpy").column_stack(laea.transform(xy[:, 0], xy[:, 1])),
    )
    assert area_km2(square) == pytest.approx(projected.area / 1e6, rel=0.005)


def test_buffer_is_measured_on_the_ground() -> None:
    disc = buffer_km(Point(126.5, 38.0), 10)
    assert area_km2(disc) == pytest.approx(3.14159 * 100, rel=0.01)
    north = buffer_km(LineString([(126.0, 38.0), (127.0, 38.0)]), 5, side="north")
    assert north.centroid.y > 38.0
