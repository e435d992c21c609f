"""Geometry that knows geography: each test states a fact about the real map."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import shapely
from shapely.geometry import LineString, Point

from conftest import DATA_DIR
from geo import Atlas, AtlasError, BuiltAtlas, build, compare, load_atlas, side_of, validate
from geo.compare import distance_to_km
from geo.geometry.rivers import trace
from geo.measure import area_km2, buffer_km, distance_km, length_km


def _coords(geom: shapely.Geometry) -> list[tuple[float, float]]:
    return [tuple(c) for c in shapely.get_coordinates(geom)]


def _place(atlas: Atlas, pid: str) -> tuple[float, float]:
    p = atlas.places[pid]
    return p.lon, p.lat


# --- parallels ---------------------------------------------------------------------------


def test_16th_parallel_runs_on_latitude_16_from_lao_border_to_the_sea(built: BuiltAtlas) -> None:
    shape = built["vn-1954-drv-minimum"]
    coords = _coords(shape.geometry)
    assert all(abs(lat - 16.0) < 1e-9 for _, lat in coords)
    west = min(coords)
    east = max(coords)
    base = built.basemap
    # The west end lies on the Lao border, the east end on the coast (not on any neighbour).
    assert base.countries["LAO"].distance(Point(west)) < 0.01
    for iso in ("LAO", "KHM", "CHN"):
        assert base.countries[iso].distance(Point(east)) > 0.5
    assert 80 <= shape.length_km <= 100  # "about 90 km"


@pytest.mark.parametrize("lat", [13, 14, 15, 16, 17, 18])
def test_reference_parallels_stay_inside_vietnam(built: BuiltAtlas, lat: int) -> None:
    shape = built[f"ref-parallel-{lat}"]
    vnm = built.basemap.countries["VNM"]
    assert vnm.buffer(1e-6).covers(shape.geometry)
    # Vietnam is narrowest around 17 N (~50 km at Quang Binh) and widest in the south.
    assert 40 < shape.length_km < 260


def test_a_proposal_on_a_parallel_has_the_shape_of_its_reference_line(built: BuiltAtlas) -> None:
    for proposal, reference in [
        ("vn-1954-drv-minimum", "ref-parallel-16"),
        ("vn-1954-drv-medium", "ref-parallel-15"),
        ("vn-1954-french-18th", "ref-parallel-18"),
        ("kr-1951-communist-38th-parallel", "ref-parallel-38"),
    ]:
        assert built[proposal].geometry.equals(built[reference].geometry), proposal
        assert built[proposal].length_km == pytest.approx(built[reference].length_km)


def test_hue_lies_north_of_the_16th_and_south_of_the_17th_parallel(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    lon, lat = _place(atlas, "hue")
    assert side_of(built, "ref-parallel-16", lon, lat) == "north"
    assert side_of(built, "ref-parallel-17", lon, lat) == "south"


def test_38th_parallel_crosses_the_peninsula_coast_to_coast(built: BuiltAtlas) -> None:
    shape = built["kr-1951-communist-38th-parallel"]
    xs = [x for x, _ in _coords(shape.geometry)]
    # West coast near the Ongjin peninsula (~124.7-125.1 E), east coast near Yangyang (~128.6 E).
    assert min(xs) < 125.2
    assert max(xs) > 128.5
    assert 250 < shape.length_km < 320


# --- routes ---------------------------------------------------------------------------


def test_drv_maximum_runs_between_the_13th_and_14th_parallels_to_cambodia(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    shape = built["vn-1954-drv-maximum"]
    coords = _coords(shape.geometry)
    assert all(13.0 < lat < 14.1 for _, lat in coords)  # "between the 13th and 14th parallels"
    west = min(coords)
    assert built.basemap.countries["KHM"].distance(Point(west)) < 0.01  # reaches Cambodia
    tuy_hoa = _place(atlas, "tuy-hoa")
    assert distance_km(*max(coords), *tuy_hoa) < 5  # east end at Tuy Hoa on the coast
    # Pleiku is on the line, Quy Nhon (Route 19's coastal end) is north of it.
    assert distance_to_km(shape.geometry, *_place(atlas, "pleiku")) < 0.5
    assert side_of(built, "vn-1954-drv-maximum", *_place(atlas, "quy-nhon")) == "north"


def test_geneva_line_follows_the_ben_hai_then_west_to_laos(atlas: Atlas, built: BuiltAtlas) -> None:
    shape = built["vn-1954-geneva-line"]
    coords = _coords(shape.geometry)
    assert built.basemap.countries["LAO"].distance(Point(min(coords))) < 0.01
    assert distance_km(*max(coords), *_place(atlas, "cua-tung")) < 3  # the mouth, at the coast
    assert all(16.85 < lat < 17.05 for _, lat in coords)  # just south of the 17th parallel
    assert 55 < shape.length_km < 80  # ~76 km on the ground; river bends are cut here
    # Khe Sanh, Dong Ha and Quang Tri were south of the line, Dong Hoi and Vinh north of it.
    for pid, side in [
        ("khe-sanh", "south"),
        ("dong-ha", "south"),
        ("quang-tri", "south"),
        ("dong-hoi", "north"),
        ("vinh", "north"),
    ]:
        assert side_of(built, "vn-1954-geneva-line", *_place(atlas, pid)) == side, pid


def test_korean_mdl_runs_from_han_estuary_to_east_coast(atlas: Atlas, built: BuiltAtlas) -> None:
    shape = built["kr-1953-mdl"]
    coords = _coords(shape.geometry)
    # The line's two ends (it is stored west -> east), not its extreme longitudes: the
    # line turns north-west along the Han estuary before it runs east.
    assert distance_km(*coords[0], *_place(atlas, "mdl-west-end")) < 10
    assert distance_km(*coords[-1], *_place(atlas, "mdl-east-end")) < 10
    assert 190 < shape.length_km < 250
    # South of 38 N in the west (Kaesong and Ongjin lost to the south), north of it in the east.
    assert min(lat for _, lat in coords) < 37.9
    assert max(lat for _, lat in coords) > 38.5


def test_every_line_is_stored_west_to_east(atlas: Atlas, built: BuiltAtlas) -> None:
    """The divider's direction is what tells north from south (its left side is north)."""
    for line in atlas.lines.values():
        shape = built[line.id]
        if shape.is_line:
            assert shape.divider is not None
            assert shape.divider.coords[0][0] < shape.divider.coords[-1][0], line.id
            assert shape.length_km > 0 and shape.area_km2 == 0, line.id
        else:
            assert shape.divider is None and shape.area_km2 > 0, line.id


# --- zones ---------------------------------------------------------------------------


def test_kaesong_is_in_the_communist_buffer_zone_and_north_of_the_1953_line(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    lon, lat = _place(atlas, "kaesong")
    assert side_of(built, "kr-1951-communist-buffer-zone", lon, lat) == "inside"
    assert side_of(built, "kr-1953-mdl", lon, lat) == "north"
    assert side_of(built, "ref-parallel-38", lon, lat) == "south"
    # Seoul is outside the 20 km strip.
    assert side_of(built, "kr-1951-communist-buffer-zone", *_place(atlas, "seoul")) == "outside"


def test_xam_neua_inside_zhou_bottom_line_and_vientiane_not(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    zhou = "la-1954-zhou-bottom-line"
    assert side_of(built, zhou, *_place(atlas, "xam-neua")) == "inside"
    assert side_of(built, zhou, *_place(atlas, "phongsaly")) == "inside"
    assert side_of(built, zhou, *_place(atlas, "vientiane")) == "outside"
    assert side_of(built, zhou, *_place(atlas, "luang-prabang")) == "outside"


def test_drv_laos_plan_is_larger_than_zhou_bottom_line(atlas: Atlas, built: BuiltAtlas) -> None:
    drv, zhou = built["la-1954-drv-zones"], built["la-1954-zhou-bottom-line"]
    assert drv.area_km2 > zhou.area_km2
    for pid in ("ban-ban", "sepon", "nambak"):
        assert side_of(built, "la-1954-drv-zones", *_place(atlas, pid)) == "inside", pid
    assert side_of(built, "la-1954-drv-zones", *_place(atlas, "vientiane")) == "outside"


def test_geneva_regroupment_area_matches_the_two_provinces(built: BuiltAtlas) -> None:
    area = built["la-1954-geneva-regroupment"].area_km2
    assert area == pytest.approx(16_270 + 16_500, rel=0.08)  # REFERENCE.md figures


def test_korean_dmz_is_four_km_wide(built: BuiltAtlas) -> None:
    dmz, mdl = built["kr-1953-dmz"], built["kr-1953-mdl"]
    assert dmz.area_km2 == pytest.approx(4 * mdl.length_km, rel=0.12)
    assert dmz.geometry.covers(mdl.geometry.interpolate(0.5, normalized=True))


def test_geneva_dmz_is_up_to_ten_km_wide_round_the_line(built: BuiltAtlas) -> None:
    """Art. 1: "not more than 5 kms" on each side of the Geneva line, clipped to Vietnam."""
    dmz, line = built["vn-1954-geneva-dmz"], built["vn-1954-geneva-line"]
    assert dmz.geometry.covers(line.geometry.interpolate(0.5, normalized=True))
    assert dmz.area_km2 == pytest.approx(10 * line.length_km, rel=0.2)
    assert built.basemap.countries["VNM"].buffer(1e-6).covers(dmz.geometry)


def test_un_buffer_zone_lies_north_of_the_front_line(atlas: Atlas, built: BuiltAtlas) -> None:
    zone = built["kr-1951-un-buffer-zone"].geometry
    inside = zone.representative_point()
    assert side_of(built, "kr-1951-front-line", inside.x, inside.y) == "north"
    assert side_of(built, "kr-1951-un-buffer-zone", *_place(atlas, "seoul")) == "outside"


def test_kaesong_neutral_zone_is_a_five_mile_circle(built: BuiltAtlas) -> None:
    area = built["kr-1951-kaesong-neutral-zone"].area_km2
    assert area == pytest.approx(3.14159 * 8.05**2, rel=0.03)


def test_haiphong_enclave_holds_haiphong_and_not_hanoi(atlas: Atlas, built: BuiltAtlas) -> None:
    assert side_of(built, "vn-1954-french-haiphong", *_place(atlas, "haiphong")) == "inside"
    assert side_of(built, "vn-1954-french-haiphong", *_place(atlas, "hanoi")) == "outside"


def test_same_as_claims_the_very_same_shape(built: BuiltAtlas) -> None:
    fallback, front = built["kr-1951-communist-front-line-fallback"], built["kr-1951-front-line"]
    assert fallback.geometry.equals(front.geometry)
    assert fallback.length_km == pytest.approx(front.length_km)
    assert built["vn-1954-french-haiphong"].geometry.equals(
        built["vn-1954-haiphong-perimeter"].geometry
    )


# --- compare ---------------------------------------------------------------------------


def test_hue_changes_side_between_the_18th_and_the_16th_parallel(built: BuiltAtlas) -> None:
    result = compare(built, "vn-1954-french-18th", "vn-1954-drv-minimum")
    changed = {c.id: c for c in result.changes}
    assert changed["hue"].before == "south" and changed["hue"].after == "north"
    assert "hanoi" not in changed and "saigon" not in changed
    # Latitude band 16-18 N across Vietnam: roughly 2 degrees x 50-100 km wide.
    assert 12_000 < result.area_between_km2 < 25_000


def test_compare_is_symmetric_in_area(built: BuiltAtlas) -> None:
    ab = compare(built, "vn-1954-drv-medium", "vn-1954-geneva-line")
    ba = compare(built, "vn-1954-geneva-line", "vn-1954-drv-medium")
    assert ab.area_between_km2 == pytest.approx(ba.area_between_km2, rel=1e-9)
    assert {c.id for c in ab.changes} == {c.id for c in ba.changes}


def test_sides_add_up_to_the_country(built: BuiltAtlas) -> None:
    result = compare(built, "ref-parallel-38", "kr-1953-mdl")
    assert sum(result.sides_a.values()) == pytest.approx(sum(result.sides_b.values()), rel=1e-6)
    # The Korean peninsula (both states) is about 220,000 km².
    assert sum(result.sides_a.values()) == pytest.approx(220_000, rel=0.05)


def test_compare_rejects_mixed_theaters_and_unknown_ids(built: BuiltAtlas) -> None:
    with pytest.raises(AtlasError, match="different theaters"):
        compare(built, "kr-1953-mdl", "vn-1954-geneva-line")
    with pytest.raises(AtlasError, match="unknown line id"):
        compare(built, "kr-1953-mdl", "nope")
    with pytest.raises(AtlasError, match="line with a zone"):
        compare(built, "kr-1953-mdl", "kr-1953-dmz")


# --- measures ---------------------------------------------------------------------------


def test_length_along_a_parallel_is_geodesic() -> None:
    # One degree of longitude at 16 N on WGS84 is 107.0 km (111.32 km x cos 16, ellipsoidal).
    assert length_km(LineString([(100, 16), (101, 16)])) == pytest.approx(107.0, abs=0.2)


def test_area_is_equal_area_and_matches_a_projection() -> None:
    import numpy as np
    from pyproj import Transformer

    square = shapely.box(126.0, 37.5, 127.0, 38.5)
    laea = Transformer.from_crs("EPSG:4326", "+proj=laea +lat_0=38 +lon_0=126.5", always_xy=True)
    projected = shapely.transform(
        shapely.segmentize(square, 0.01),
        lambda xy: np.column_stack(laea.transform(xy[:, 0], xy[:, 1])),
    )
    assert area_km2(square) == pytest.approx(projected.area / 1e6, rel=0.005)


def test_buffer_is_measured_on_the_ground() -> None:
    disc = buffer_km(Point(126.5, 38.0), 10)
    assert area_km2(disc) == pytest.approx(3.14159 * 100, rel=0.01)
    north = buffer_km(LineString([(126.0, 38.0), (127.0, 38.0)]), 5, side="north")
    assert north.centroid.y > 38.0


# --- recipes on a copy of the data ---------------------------------------------------------


def _reference(rid: str, theater: str, countries: str, recipe: str) -> str:
    """A reference record (no party, date or sources needed) drawn by *recipe*."""
    return (
        f"id: {rid}\ntitle: Test {rid}\ntheater: {theater}\nkind: reference\nparty: none\n"
        f"status: reference\nprecision_km: 1\ncountries: [{countries}]\nsummary: A test.\n"
        f"geometry:\n  {recipe}\n"
    )


def _data_with(tmp_path: Path, **records: str) -> Path:
    """A copy of data/ with extra proposals (file name = id)."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    for rid, text in records.items():
        (data / "proposals" / f"{rid}.yaml").write_text(text, encoding="utf-8")
    return data


def _problems(data: Path) -> str:
    return "\n".join(str(p) for p in validate(data))


def test_offset_moves_a_line_ten_km_south(tmp_path: Path) -> None:
    """A line "10 km south of the MDL": every point 10 km from it, on its south side."""
    recipe = "offset: {of: kr-1953-mdl, km: 10, side: south}"
    data = _data_with(tmp_path, **{"t-south": _reference("t-south", "korea", "KOR, PRK", recipe)})
    built = build(load_atlas(data), ["korea"])
    moved, mdl = built["t-south"], built["kr-1953-mdl"].geometry
    coords = _coords(moved.geometry)
    gaps = sorted(distance_to_km(mdl, x, y) for x, y in coords)
    assert gaps[len(gaps) // 2] == pytest.approx(10, abs=0.5)
    assert gaps[0] > 9.5 and gaps[-1] < 13
    assert {side_of(built, "kr-1953-mdl", x, y) for x, y in coords} == {"south"}
    assert moved.divider is not None
    assert moved.divider.coords[0][0] < moved.divider.coords[-1][0]


def test_coordinates_draw_a_line_and_a_zone_clipped_to_land(tmp_path: Path) -> None:
    line = "coordinates: {line: [[106.4, 17.3], [107.5, 17.3]]}"
    zone = "coordinates: {zone: [[106.3, 20.7], [106.9, 20.7], [106.9, 21.1], [106.3, 21.1]]}"
    data = _data_with(
        tmp_path,
        **{
            "t-line": _reference("t-line", "indochina", "VNM", line),
            "t-zone": _reference("t-zone", "indochina", "VNM", zone),
        },
    )
    atlas = load_atlas(data)
    built = build(atlas, ["indochina"])
    drawn = built["t-line"]
    assert all(abs(lat - 17.3) < 1e-9 for _, lat in _coords(drawn.geometry))
    # clipped at the coast: it stops short of the sea end at 107.5 E
    assert max(x for x, _ in _coords(drawn.geometry)) < 107.3
    assert side_of(built, "t-line", *_place(atlas, "dong-hoi")) == "north"
    assert side_of(built, "t-line", *_place(atlas, "dong-ha")) == "south"
    assert side_of(built, "t-zone", *_place(atlas, "haiphong")) == "inside"
    assert side_of(built, "t-zone", *_place(atlas, "hanoi")) == "outside"
    box = shapely.box(106.3, 20.7, 106.9, 21.1)
    assert 0 < built["t-zone"].area_km2 < area_km2(box)  # the sea is cut away


@pytest.mark.parametrize(
    ("recipe", "message"),
    [
        ("coordinates: {line: [[106.4, 17.3], [140.0, 17.3]]}", "outside the indochina theater"),
        ("coordinates: {line: [[106.4, 17.3]]}", "at least two points"),
        ("coordinates: {zone: [[106, 20], [107, 21], [107, 20], [106, 21]]}", "not valid"),
        ("coordinates: {line: [[106.4, 17.3], ['x', 17.3]]}", "a list of [lon, lat]"),
        ("parallel: {lat: 30, within: [VNM]}", "does not cross"),
        ("same_as: {of: t-bad}", "cannot refer to its own record"),
        ("offset: {of: vn-1954-geneva-line, km: 5, side: east}", "side must be north or south"),
        ("buffer: {of: vn-1954-geneva-line, km: 5, side: up}", "side must be both, north or"),
        ("parallel: {lat: 16, within: [XXX]}", "unknown country"),
    ],
)
def test_a_recipe_that_cannot_be_built_names_its_file(
    tmp_path: Path, recipe: str, message: str
) -> None:
    data = _data_with(tmp_path, **{"t-bad": _reference("t-bad", "indochina", "VNM", recipe)})
    problems = _problems(data)
    assert "proposals/t-bad.yaml:" in problems and message in problems, problems
    assert "[geometry." in problems


def test_recipes_that_refer_to_each_other_in_a_circle(tmp_path: Path) -> None:
    data = _data_with(
        tmp_path,
        **{
            "t-one": _reference("t-one", "korea", "KOR, PRK", "same_as: {of: t-two}"),
            "t-two": _reference("t-two", "korea", "KOR, PRK", "buffer: {of: t-one, km: 2}"),
        },
    )
    problems = _problems(data)
    assert "refer to each other in a circle" in problems, problems
    # Every other record still builds: only the circle is reported.
    assert all(("t-one" in p or "t-two" in p) for p in problems.splitlines()), problems


def test_a_recipe_may_not_use_a_line_of_another_theater(tmp_path: Path) -> None:
    data = _data_with(
        tmp_path,
        **{"t-x": _reference("t-x", "korea", "KOR, PRK", "same_as: {of: ref-parallel-16}")},
    )
    assert "line 'ref-parallel-16' belongs to indochina, not korea" in _problems(data)


# --- rivers ---------------------------------------------------------------------------


def test_river_recipe_without_basemap_rivers_says_how_to_get_them(tmp_path: Path) -> None:
    recipe = "river: {from: cua-tung, to: bo-ho-su, within: [VNM]}"
    data = _data_with(tmp_path, **{"t-river": _reference("t-river", "indochina", "VNM", recipe)})
    (data / "basemap" / "rivers.geojson").unlink(missing_ok=True)
    assert "the basemap has no rivers (python -m geo basemap)" in _problems(data)


def test_the_ben_hai_traced_on_the_basemap_rivers(tmp_path: Path, built: BuiltAtlas) -> None:
    """The Ben Hai from its mouth at Cua Tung up to the Hien Luong bridge (annex, I (a))."""
    if not built.basemap.rivers.get("indochina"):
        pytest.skip(
            "data/basemap has no rivers.geojson (python -m geo basemap with the 'basemap' "
            "extra); the tracer is checked on synthetic rivers below"
        )
    recipe = "river: {from: cua-tung, to: hien-luong-bridge, within: [VNM]}"
    data = _data_with(tmp_path, **{"t-river": _reference("t-river", "indochina", "VNM", recipe)})
    atlas = load_atlas(data)
    built_copy = build(atlas, ["indochina"])
    traced = built_copy["t-river"]
    coords = _coords(traced.geometry)
    assert all(16.97 < lat < 17.04 for _, lat in coords)  # the river runs west-east here
    # stored west -> east: from the bridge down to the mouth
    assert distance_km(*coords[0], *_place(atlas, "hien-luong-bridge")) < 1.5
    assert distance_km(*coords[-1], *_place(atlas, "cua-tung")) < 1.5
    straight = distance_km(*_place(atlas, "hien-luong-bridge"), *_place(atlas, "cua-tung"))
    assert straight <= traced.length_km < 2 * straight  # it bends, but it is the same reach
    assert side_of(built_copy, "t-river", *_place(atlas, "dong-hoi")) == "north"
    assert side_of(built_copy, "t-river", *_place(atlas, "quang-tri")) == "south"


def _tiles(points: list[tuple[float, float]], every: int) -> list[LineString]:
    """A polyline cut into pieces that share their end vertices, as the basemap stores it."""
    return [LineString(points[i : i + every + 1]) for i in range(0, len(points) - 1, every)]


def test_trace_follows_the_river_across_pieces_and_small_gaps() -> None:
    # A meandering river along ~17 N, from (106.8, 16.96) to the sea at (107.12, 17.015).
    main = [(106.8 + 0.02 * i, 16.96 + (0.02 if i % 2 else 0.0) + 0.003 * i) for i in range(17)]
    pieces = _tiles(main, 4)
    # a gap of ~50 m between two pieces (World Data Bank II has a few) is bridged
    x, y = pieces[2].coords[0]
    pieces[2] = LineString([(x + 0.0004, y), *list(pieces[2].coords)[1:]])
    tributary = LineString([main[8], (106.96, 17.2), (106.95, 17.4)])
    path = trace([*pieces, tributary], main[0], main[-1])
    coords = _coords(path)
    assert coords[0] == pytest.approx(main[0]) and coords[-1] == pytest.approx(main[-1])
    assert all(lat < 17.1 for _, lat in coords)  # it does not wander up the tributary
    straight = length_km(LineString([main[0], main[-1]]))
    assert length_km(path) > straight * 1.1  # the bends are kept


def test_trace_refuses_places_far_from_any_river() -> None:
    river = [LineString([(106.8, 17.0), (107.0, 17.0), (107.1, 17.0)])]
    with pytest.raises(ValueError, match="km from the nearest river"):
        trace(river, (106.8, 17.0), (107.1, 17.3))  # the end is ~33 km north of the river
    with pytest.raises(ValueError, match="no river runs near"):
        trace(river, (100.0, 10.0), (100.1, 10.0))
    two = [LineString([(106.8, 17.0), (106.9, 17.0)]), LineString([(107.0, 17.0), (107.1, 17.0)])]
    with pytest.raises(ValueError, match="no river joins"):
        trace(two, (106.8, 17.0), (107.1, 17.0))  # 10 km apart: not a gap to bridge
