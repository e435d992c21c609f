"""Property-based tests (hypothesis) for the measures and geometry builders."""

from __future__ import annotations

import itertools
import math
import shutil
from pathlib import Path

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from conftest import DATA_DIR
from geo import Atlas, build_all, compare, side_of, validate
from geo.geometry import load_basemap, north_region
from geo.measure import area_km2, buffer_km, length_km

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
lats = st.floats(min_value=-60, max_value=60, allow_nan=False)
lons = st.floats(min_value=-170, max_value=170, allow_nan=False)


@SETTINGS
@given(lon=lons, lat=lats, km=st.floats(min_value=0.5, max_value=50))
def test_buffer_of_a_point_has_the_area_of_a_disc(lon: float, lat: float, km: float) -> None:
    assert area_km2(buffer_km(Point(lon, lat), km)) == pytest.approx(math.pi * km * km, rel=0.01)


@SETTINGS
@given(
    lon=st.floats(min_value=-170, max_value=160),
    lat=lats,
    cuts=st.lists(st.floats(min_value=0.01, max_value=0.99), min_size=1, max_size=5),
)
def test_length_is_additive(lon: float, lat: float, cuts: list[float]) -> None:
    xs = [lon, *sorted(lon + 10 * c for c in cuts), lon + 10]
    whole = length_km(LineString([(lon, lat), (lon + 10, lat)]))
    parts = sum(length_km(LineString([(a, lat), (b, lat)])) for a, b in itertools.pairwise(xs))
    assert parts == pytest.approx(whole, rel=1e-6)


@SETTINGS
@given(lat=st.floats(min_value=8.7, max_value=23.3))
def test_parallel_builder_stays_on_its_latitude_and_on_land(atlas: Atlas, lat: float) -> None:
    from geo.geometry import _Builder

    line = atlas.lines["ref-parallel-16"]
    builder = _Builder(atlas, load_basemap(atlas.data_dir), line)
    drawn, divider = builder.parallel({"lat": lat, "within": ["VNM"]}, "parallel")
    coords = shapely.get_coordinates(drawn)
    assert (abs(coords[:, 1] - lat) < 1e-9).all()
    vnm = load_basemap(atlas.data_dir).countries["VNM"]
    assert vnm.buffer(1e-6).covers(drawn)
    assert divider is not None and divider.coords[0][0] < divider.coords[-1][0]


@SETTINGS
@given(
    lon=st.floats(min_value=124.5, max_value=130.5),
    lat=st.floats(min_value=33.5, max_value=42.5).filter(lambda y: abs(y - 38.0) > 1e-6),
)
def test_side_of_the_38th_parallel_is_the_sign_of_latitude(
    atlas: Atlas, lon: float, lat: float
) -> None:
    expected = "north" if lat > 38.0 else "south"
    assert side_of(atlas, "ref-parallel-38", lon, lat) == expected


@SETTINGS
@given(
    ys=st.lists(st.floats(min_value=10, max_value=20), min_size=2, max_size=8),
    probe=st.floats(min_value=0.5, max_value=5),
)
def test_north_region_contains_points_above_the_line(ys: list[float], probe: float) -> None:
    xs = [100 + i * (8 / (len(ys) - 1)) for i in range(len(ys))]
    divider = LineString(list(zip(xs, ys, strict=True)))
    region = north_region(divider, "indochina")
    for x, y in zip(xs, ys, strict=True):
        assert region.contains(Point(x, y + probe))
        assert not region.contains(Point(x, y - probe))


LINE_PAIRS = st.sampled_from(
    [
        ("vn-1954-drv-maximum", "vn-1954-geneva-line"),
        ("vn-1954-drv-medium", "vn-1954-french-18th"),
        ("ref-parallel-13", "ref-parallel-18"),
        ("kr-1951-front-line", "kr-1953-mdl"),
        ("kr-1951-communist-38th-parallel", "kr-1951-front-line"),
        ("la-1954-drv-zones", "la-1954-geneva-regroupment"),
    ]
)


@SETTINGS
@given(pair=LINE_PAIRS)
def test_area_between_is_bounded_and_symmetric(atlas: Atlas, pair: tuple[str, str]) -> None:
    a, b = pair
    ab, ba = compare(atlas, a, b), compare(atlas, b, a)
    total = sum(ab.sides_a.values())
    assert 0 <= ab.area_between_km2 <= total
    assert ab.area_between_km2 == pytest.approx(ba.area_between_km2, rel=1e-9)
    assert {(c.id, c.before, c.after) for c in ab.changes} == {
        (c.id, c.after, c.before) for c in ba.changes
    }


def test_every_built_shape_is_valid(atlas: Atlas) -> None:
    for lid, built in build_all(atlas).items():
        assert built.geometry.is_valid and not built.geometry.is_empty, lid


def test_self_intersecting_polygon_is_refused_with_file_and_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    rec = data / "proposals" / "la-1954-zhou-bottom-line.yaml"
    text = rec.read_text()
    start = text.index("geometry:")
    # A bow-tie: Xam Neua -> Vientiane -> Phongsaly -> Luang Prabang crosses itself.
    rec.write_text(
        text[:start]
        + "geometry:\n  polygon: {via: [xam-neua, vientiane, phongsaly, luang-prabang]}\n"
    )
    problems = [str(p) for p in validate(data)]
    assert any(
        "la-1954-zhou-bottom-line.yaml:" in p
        and "[geometry.polygon]" in p
        and "Self-intersection" in p
        for p in problems
    ), problems
