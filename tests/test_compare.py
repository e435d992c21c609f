"""Compare two lines or zones, recorded or drawn: the land between them, who changes side."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO_ROOT
from geo import Atlas, AtlasError, BuiltAtlas, build, compare, side_of
from geo.compare import MAX_DRAWN_VERTICES, drawn, place_side, record
from geo.measure import length_km

GENEVA = "vn-1954-geneva-line"
FRENCH_18 = "vn-1954-french-18th"
#: A line a student draws across Vietnam at 17.5 N, east to west (it is turned round).
LINE_17_5 = {"type": "LineString", "coordinates": [[107.3, 17.5], [106.5, 17.5], [105.5, 17.5]]}


def test_geneva_against_the_french_18th_parallel(built: BuiltAtlas) -> None:
    result = compare(built, GENEVA, FRENCH_18)
    changed = {c.id: c for c in result.changes}
    # Cua Tung, the mouth of the Ben Hai, is where the signed line starts.
    assert changed["cua-tung"].before == "on the line"
    assert changed["cua-tung"].after == "south"
    assert changed["cua-tung"].uncertain  # on a line: within its precision
    # Dong Hoi (17.47 N) fell north of the Geneva line but was south of the 18th parallel.
    assert (changed["dong-hoi"].before, changed["dong-hoi"].after) == ("north", "south")
    assert not changed["dong-hoi"].uncertain
    # The Binh-Tri-Thien region straddles the Geneva line: split, not north or south.
    assert changed["binh-tri-thien"].before == "split"
    # Vinh (18.7 N) and Hue (16.5 N) are on the same side of both lines.
    assert "vinh" not in changed and "hue" not in changed
    # The band between ~17.0 and 18 N across Vietnam's narrow waist (~50-100 km wide).
    assert 6_000 < result.area_between_km2 < 12_000
    assert result.countries == ("VNM",)


def test_place_side_on_the_line_split_and_sides(atlas: Atlas, built: BuiltAtlas) -> None:
    geneva, minimum = record(built, GENEVA), record(built, "vn-1954-drv-minimum")
    places = atlas.places
    assert place_side(geneva, places["cua-tung"]) == "on the line"
    assert place_side(geneva, places["binh-tri-thien"]) == "split"  # a region it cuts
    assert place_side(geneva, places["hue"]) == "south"
    assert place_side(geneva, places["vinh"]) == "north"
    # Quang Nam is a region the 16th parallel cuts; Hue lies 50 km north of it.
    assert place_side(minimum, places["quang-nam"]) == "split"
    assert place_side(minimum, places["hue"]) == "north"
    haiphong = record(built, "vn-1954-haiphong-perimeter")
    assert place_side(haiphong, places["haiphong"]) == "inside"
    assert place_side(haiphong, places["hanoi"]) == "outside"


def test_place_side_agrees_with_side_of_away_from_the_line(atlas: Atlas, built: BuiltAtlas) -> None:
    for lid in (GENEVA, FRENCH_18, "vn-1954-drv-maximum", "la-1954-zhou-bottom-line"):
        subject = record(built, lid)
        for place in atlas.places_in("indochina"):
            side = place_side(subject, place)
            if side not in ("on the line", "split"):
                assert side == side_of(built, lid, place.lon, place.lat), (lid, place.id)


def test_a_line_compared_with_itself(built: BuiltAtlas) -> None:
    result = compare(built, GENEVA, GENEVA)
    assert result.area_between_km2 == pytest.approx(0.0, abs=1e-6)
    assert result.changes == ()
    assert result.sides_a == result.sides_b


def test_subjects_and_ids_give_the_same_comparison(built: BuiltAtlas) -> None:
    by_id = compare(built, GENEVA, FRENCH_18)
    by_subject = compare(built, record(built, GENEVA), record(built, FRENCH_18))
    assert by_subject.to_json() == by_id.to_json()


def test_comparison_json(built: BuiltAtlas) -> None:
    data = compare(built, FRENCH_18, "vn-1954-drv-minimum").to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["a"] == FRENCH_18 and data["b"] == "vn-1954-drv-minimum"
    assert set(data["sides_km2"]) == {FRENCH_18, "vn-1954-drv-minimum"}
    north_a, south_a = data["sides_km2"][FRENCH_18]["north"], data["sides_km2"][FRENCH_18]["south"]
    north_b = data["sides_km2"]["vn-1954-drv-minimum"]["north"]
    assert north_b - north_a == pytest.approx(data["area_between_km2"], abs=1)  # nested lines
    assert north_a + south_a == pytest.approx(331_000, rel=0.05)  # Vietnam
    hue = next(p for p in data["places_changing_side"] if p["id"] == "hue")
    assert hue == {"id": "hue", "name": "Hue", "from": "south", "to": "north", "uncertain": False}


def test_zones_compare_inside_and_outside(built: BuiltAtlas) -> None:
    result = compare(built, "la-1954-zhou-bottom-line", "la-1954-drv-zones")
    changed = {c.id: c for c in result.changes}
    assert (changed["sepon"].before, changed["sepon"].after) == ("outside", "inside")
    assert "xam-neua" not in changed  # inside both
    assert set(result.sides_a) == {"inside", "outside"}
    assert result.sides_b["inside"] == pytest.approx(built["la-1954-drv-zones"].area_km2, rel=0.01)


def test_compare_needs_the_theater_built(atlas: Atlas) -> None:
    korea_only = build(atlas, ["korea"])
    with pytest.raises(AtlasError, match="has not been built"):
        compare(korea_only, GENEVA, FRENCH_18)
    assert compare(korea_only, "kr-1953-mdl", "ref-parallel-38").area_between_km2 > 1_000


# --- drawn shapes --------------------------------------------------------------------------


def test_a_drawn_line_is_compared_like_a_record(atlas: Atlas, built: BuiltAtlas) -> None:
    mine = drawn(built, "indochina", LINE_17_5, countries=("VNM",))
    assert mine.shape.is_line and mine.shape.divider is not None
    assert mine.shape.divider.coords[0][0] < mine.shape.divider.coords[-1][0]  # west -> east
    assert place_side(mine, atlas.places["vinh"]) == "north"
    assert place_side(mine, atlas.places["dong-hoi"]) == "south"  # 17.47 N: just south
    result = compare(built, GENEVA, mine)
    changed = {c.id: (c.before, c.after) for c in result.changes}
    assert changed["dong-hoi"] == ("north", "south")
    assert "vinh" not in changed and "hue" not in changed
    # about half a degree of latitude across the narrow waist: a few thousand km²
    assert 2_000 < result.area_between_km2 < 7_000


def test_a_drawn_line_is_measured_like_a_record(built: BuiltAtlas) -> None:
    mine = drawn(built, "indochina", LINE_17_5, countries=("VNM",))
    assert mine.shape.length_km == pytest.approx(length_km(mine.shape.geometry), rel=1e-6)


@pytest.mark.parametrize(
    "wrap",
    [
        lambda g: g,
        lambda g: {"type": "Feature", "properties": {}, "geometry": g},
        lambda g: {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": g}]},
        lambda g: json.dumps(g),
    ],
)
def test_a_drawing_may_come_as_geometry_feature_collection_or_text(
    built: BuiltAtlas, wrap: Any
) -> None:
    mine = drawn(built, "indochina", wrap(LINE_17_5), countries=("VNM",))
    plain = drawn(built, "indochina", LINE_17_5, countries=("VNM",))
    assert mine.shape.divider is not None and plain.shape.divider is not None
    assert mine.shape.divider.equals(plain.shape.divider)


def test_a_drawn_zone_against_a_recorded_zone(atlas: Atlas, built: BuiltAtlas) -> None:
    around_hanoi = {
        "type": "Polygon",
        "coordinates": [
            [[105.6, 20.8], [106.1, 20.8], [106.1, 21.3], [105.6, 21.3], [105.6, 20.8]]
        ],
    }
    mine = drawn(built, "indochina", around_hanoi, countries=("VNM",))
    assert not mine.shape.is_line
    assert mine.shape.area_km2 == pytest.approx(52 * 55, rel=0.1)  # ~0.5 x 0.5 degree
    result = compare(built, "vn-1954-haiphong-perimeter", mine)
    changed = {c.id: (c.before, c.after) for c in result.changes}
    assert changed["hanoi"] == ("outside", "inside")
    assert changed["haiphong"] == ("inside", "outside")
    with pytest.raises(AtlasError, match="line with a zone"):
        compare(built, GENEVA, mine)


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [106, 17]}, "not a Point"),
        ({"type": "LineString", "coordinates": [[106, 17], [140, 17]]}, "outside the indochina"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[106, 17], [107, 18], [107, 17], [106, 18], [106, 17]]],
            },
            "crosses itself",
        ),
        ("{not json", "not a GeoJSON line or polygon"),
        ({"type": "FeatureCollection", "features": []}, "not a GeoJSON line or polygon"),
        (["a", "list"], "not a GeoJSON line or polygon"),
        (
            {"type": "LineString", "coordinates": [[106 + i / 10_000, 17.0] for i in range(2_001)]},
            f"at most {MAX_DRAWN_VERTICES} points",
        ),
    ],
)
def test_bad_drawings_are_refused_with_a_reason(
    built: BuiltAtlas, geometry: Any, message: str
) -> None:
    with pytest.raises(AtlasError, match=message):
        drawn(built, "indochina", geometry, countries=("VNM",))


def test_cli_compare_with_a_file_gives_the_same_numbers(tmp_path: Path, built: BuiltAtlas) -> None:
    path = tmp_path / "mine.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": LINE_17_5}))
    res = subprocess.run(
        [sys.executable, "-m", "geo", "compare", GENEVA, "--with", str(path), "--json"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    mine = drawn(
        built, "indochina", path.read_text(), countries=built.atlas.lines[GENEVA].countries
    )
    assert json.loads(res.stdout) == compare(built, GENEVA, mine).to_json()
