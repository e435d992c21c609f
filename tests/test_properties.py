"""Property-based tests (hypothesis) for the measures, the geometry builders and the encoders."""

from __future__ import annotations

import itertools
import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from conftest import DATA_DIR
from geo import Atlas, BuiltAtlas, compare, side_of, validate
from geo.geometry import north_region
from geo.geometry.recipes import Builder
from geo.grid import ROWS, decode, shift_row
from geo.measure import area_km2, buffer_km, distance_km, length_km
from geo.outputs.webmap import to_json
from geo.records.model import letters

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


def _no_lookup(line_id: str) -> Any:
    raise AssertionError(f"a parallel needs no other record ({line_id})")


@SETTINGS
@given(lat=st.floats(min_value=8.7, max_value=23.3))
def test_parallel_builder_stays_on_its_latitude_and_on_land(
    atlas: Atlas, built: BuiltAtlas, lat: float
) -> None:
    line = atlas.lines["ref-parallel-16"]
    builder = Builder(atlas, built.basemap, line, _no_lookup)
    drawn, divider = builder.parallel({"lat": lat, "within": ["VNM"]}, "parallel")
    coords = shapely.get_coordinates(drawn)
    assert (abs(coords[:, 1] - lat) < 1e-9).all()
    vnm = built.basemap.countries["VNM"]
    assert vnm.buffer(1e-6).covers(drawn)
    assert divider is not None and divider.coords[0][0] < divider.coords[-1][0]


@SETTINGS
@given(
    lon=st.floats(min_value=124.5, max_value=130.5),
    lat=st.floats(min_value=33.5, max_value=42.5).filter(lambda y: abs(y - 38.0) > 1e-6),
)
def test_side_of_the_38th_parallel_is_the_sign_of_latitude(
    built: BuiltAtlas, lon: float, lat: float
) -> None:
    expected = "north" if lat > 38.0 else "south"
    assert side_of(built, "ref-parallel-38", lon, lat) == expected


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
def test_area_between_is_bounded_and_symmetric(built: BuiltAtlas, pair: tuple[str, str]) -> None:
    a, b = pair
    ab, ba = compare(built, a, b), compare(built, b, a)
    total = sum(ab.sides_a.values())
    assert 0 <= ab.area_between_km2 <= total
    assert ab.area_between_km2 == pytest.approx(ba.area_between_km2, rel=1e-9)
    assert {(c.id, c.before, c.after) for c in ab.changes} == {
        (c.id, c.after, c.before) for c in ba.changes
    }


def test_every_built_shape_is_valid(built: BuiltAtlas) -> None:
    assert set(built.shapes) == set(built.atlas.lines)
    for lid, shape in built.shapes.items():
        assert shape.geometry.is_valid and not shape.geometry.is_empty, lid


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


# --- grid references -------------------------------------------------------------------


@SETTINGS
@given(east=st.integers(0, 98), north=st.integers(0, 98))
def test_one_grid_square_east_or_north_is_one_km_away(east: int, north: int) -> None:
    """Neighbouring 1 km squares of the 1951 grid (square CT, round Chorwon) are 1 km apart."""
    here = decode(f"CT {east:02d}{north:02d}")
    right = decode(f"CT {east + 1:02d}{north:02d}")
    up = decode(f"CT {east:02d}{north + 1:02d}")
    assert distance_km(here.lon, here.lat, right.lon, right.lat) == pytest.approx(1.0, abs=0.02)
    assert distance_km(here.lon, here.lat, up.lon, up.lat) == pytest.approx(1.0, abs=0.02)
    assert right.lon > here.lon and up.lat > here.lat
    assert abs(right.lat - here.lat) < 0.001  # grid north is within ~1 degree of true north


@given(letter=st.sampled_from(ROWS), n=st.integers(-40, 40))
def test_shifting_a_row_letter_is_a_20_letter_cycle(letter: str, n: int) -> None:
    assert shift_row(shift_row(letter, n), -n) == letter
    assert shift_row(letter, n + 20) == shift_row(letter, n)
    assert shift_row(letter, n) in ROWS


# --- encoders ----------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(value=json_values)
def test_map_json_parses_back_and_holds_no_markup_or_template(value: Any) -> None:
    text = to_json(value)
    assert json.loads(text) == value
    for bad in ("<", ">", "&", "{{", "{%", "{#", "\u2028", "\u2029"):
        assert bad not in text


@given(i=st.integers(0, 5000))
def test_key_letters_are_distinct_and_ordered_like_a_spreadsheet(i: int) -> None:
    a, b = letters(i), letters(i + 1)
    assert a.isalpha() and a.isupper()
    assert (len(a), a) < (len(b), b)  # A < B < … < Z < AA < AB …
