"""Korea 1951-53: the lines of the armistice talks say what their documents say.

Checked on the real, built atlas: the grid references of each line decode near the places the
documents name beside them (and ``python -m geo grid`` agrees); each line leaves Kaesong, Munsan,
Chorwon, Kumhwa and Pyonggang on the side its documents imply; the provisional line of
27 November 1951 keeps close to, and mostly north of, the signed line of 1953; the modified
38th-parallel zone of 18 August 1951 is shaped as the telegram describes. See
docs/research-korea.md for the documents and the doubts.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import shapely
from shapely.geometry import Point

from conftest import DATA_DIR, REPO_ROOT
from geo import Atlas, BuiltAtlas, side_of
from geo.compare import distance_to_km, place_side, record
from geo.geometry.recipes import GRID_NEAR_KM
from geo.grid import GridError, decode
from geo.measure import distance_km
from geo.stories import load_stories

MEDIAN = "kr-1951-10-un-median-line"
COMMUNIST = "kr-1951-10-communist-line"
COMPROMISE = "kr-1951-11-07-un-kaesong-compromise"
PROVISIONAL = "kr-1951-11-27-provisional-line"
ZONE_38 = "kr-1951-08-18-communist-38th-zone"
FRONT = "kr-1951-front-line"
MDL = "kr-1953-mdl"
GRID_LINES = (FRONT, MEDIAN, COMMUNIST)
NEW_POSITIONS = (ZONE_38, MEDIAN, COMMUNIST, COMPROMISE, PROVISIONAL)


def _refs(atlas: Atlas, line_id: str) -> list[Mapping[str, Any]]:
    return list(atlas.lines[line_id].geometry["grid"]["refs"])


def _grid_refs(atlas: Atlas, line_id: str) -> Iterator[Mapping[str, Any]]:
    """The entries that are grid references (not points the document gives in words)."""
    return (r for r in _refs(atlas, line_id) if r.get("place") is None)


def _point(ref: Mapping[str, Any]) -> tuple[float, float]:
    d = decode(ref.get("read_as", ref["ref"]))
    return d.lon, d.lat


def _side(built: BuiltAtlas, line_id: str, place_id: str) -> str:
    return place_side(record(built, line_id), built.atlas.places[place_id])


# --- grid references -----------------------------------------------------------------------


@pytest.mark.parametrize("line_id", GRID_LINES)
def test_each_named_reference_decodes_near_the_place_its_document_names(
    atlas: Atlas, line_id: str
) -> None:
    named = [r for r in _grid_refs(atlas, line_id) if r.get("near")]
    assert named, line_id
    for ref in named:
        place = atlas.places[ref["near"]]
        lon, lat = _point(ref)
        km = distance_km(lon, lat, place.lon, place.lat)
        assert km <= float(ref.get("near_km", GRID_NEAR_KM)), (ref["ref"], place.id, km)
        assert km <= 2.0, (ref["ref"], place.id, km)  # all of them: 0.7-1.5 km


#: The places the telegrams write beside a grid reference, and that we could locate.
NAMED = {
    MEDIAN: {"CT 4334": "chorwon", "CT 6538": "kumhwa"},  # d608
    COMMUNIST: {"YC 5806": "chongdan", "BX 5198": "yonan", "CT 1106": "korangpo-ri"},  # d660
}


@pytest.mark.parametrize("line_id", sorted(NAMED))
def test_the_records_check_every_place_the_documents_name(atlas: Atlas, line_id: str) -> None:
    near = {r["ref"]: r.get("near") for r in _grid_refs(atlas, line_id)}
    assert {ref: near.get(ref) for ref in NAMED[line_id]} == NAMED[line_id]


def test_a_misprinted_reference_is_read_as_its_neighbours_suggest(atlas: Atlas) -> None:
    with pytest.raises(GridError, match="X is not a grid row letter"):
        decode("BX 5198")  # printed so in FRUS: X is not a row letter
    yonan = next(r for r in _refs(atlas, COMMUNIST) if r["ref"] == "BX 5198")
    assert yonan["read_as"] == "BS 5198"
    lon, lat = _point(yonan)
    place = atlas.places["yonan"]
    assert distance_km(lon, lat, place.lon, place.lat) < 1.0
    # its neighbours in the list are in the same 100 km square
    refs = [r["ref"] for r in _refs(atlas, COMMUNIST)]
    i = refs.index("BX 5198")
    assert refs[i + 1].startswith("BS") and refs[i + 2].startswith("BS")


def test_grid_entries_cite_their_document_and_it_backs_the_line(atlas: Atlas) -> None:
    for line_id in GRID_LINES:
        line = atlas.lines[line_id]
        for ref in _refs(atlas, line_id):
            doc = ref.get("document")
            if ref.get("place") is not None and doc is None:
                continue  # the front line's start at the Han-Imjin junction: in no document
            assert doc in line.sources, (line_id, ref["ref"])
            assert ref.get("where"), (line_id, ref["ref"])


@pytest.mark.parametrize("line_id", GRID_LINES)
def test_a_grid_line_runs_through_every_reference(built: BuiltAtlas, line_id: str) -> None:
    divider = built[line_id].divider
    assert divider is not None
    for ref in _grid_refs(built.atlas, line_id):
        lon, lat = _point(ref)
        assert distance_to_km(divider, lon, lat) < 0.05, (line_id, ref["ref"])


def test_the_cli_decodes_as_the_recipe_does(atlas: Atlas) -> None:
    named = {
        r["read_as"] if "read_as" in r else r["ref"]: r["near"]
        for lid in (MEDIAN, COMMUNIST)
        for r in _grid_refs(atlas, lid)
        if r.get("near")
    }
    out = subprocess.run(
        [sys.executable, "-m", "geo", "--data-dir", str(DATA_DIR), "grid", *named],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=True,
        timeout=120,
    ).stdout
    rows = [ln for ln in out.splitlines() if "->" in ln]
    assert len(rows) == len(named)
    for row, (written, pid) in zip(rows, named.items(), strict=True):
        m = re.search(r"->\s+([\d.]+) N, ([\d.]+) E .*nearest: (.+), ([\d.]+) km$", row)
        assert m and row.startswith(written), row
        d = decode(written)
        assert float(m[1]) == pytest.approx(d.lat, abs=1e-5)
        assert float(m[2]) == pytest.approx(d.lon, abs=1e-5)
        assert m[3] == atlas.places[pid].name, row  # the nearest place is the one named


def test_chorwon_reference_from_the_command_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "geo", "--data-dir", str(DATA_DIR), "grid", "CT 4334"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=True,
        timeout=120,
    ).stdout
    assert "52SCH4334" in out and "1950s rows" in out
    assert "nearest: Chorwon (old town)" in out


# --- the UN median line of 1 October 1951 (FRUS 1951 VII d608) ------------------------------


def test_median_line_runs_through_chorwon_and_kumhwa_and_leaves_kaesong_to_the_un(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    line = built[MEDIAN].geometry
    for pid in ("chorwon", "kumhwa"):
        p = atlas.places[pid]
        assert distance_to_km(line, p.lon, p.lat) < 2.0, pid
    assert _side(built, MEDIAN, "kaesong") == "south"  # up the Yesong, west of the city
    k = atlas.places["kaesong"]
    assert distance_to_km(line, k.lon, k.lat) > 5


def test_median_line_starts_on_the_han_shore_and_ends_on_the_east_coast(
    built: BuiltAtlas,
) -> None:
    land = shapely.union_all([built.basemap.countries["KOR"], built.basemap.countries["PRK"]])
    divider = built[MEDIAN].divider
    assert divider is not None
    start = Point(divider.coords[0])
    assert start.distance(land) < 0.01  # BS 5081: on the north shore of the Han estuary
    drawn = shapely.get_coordinates(built[MEDIAN].geometry)
    east = Point(drawn[-1])
    assert east.distance(land.boundary) < 0.002  # 'coast at DT 4767', extended to the sea
    assert 38.5 < east.y < 38.6


# --- the communist line of late October 1951 (d660) -----------------------------------------


def test_communist_line_passes_korangpo_and_chongdan_and_keeps_kaesong(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    divider = built[COMMUNIST].divider
    assert divider is not None
    for pid in ("korangpo-ri", "chongdan", "yonan"):
        p = atlas.places[pid]
        assert distance_to_km(divider, p.lon, p.lat) < 1.5, pid
        assert _side(built, COMMUNIST, pid) == "on the line", pid
    assert _side(built, COMMUNIST, "kaesong") == "north"
    # It runs south of Kaesong (Sangdo-ri, BS 8692) ...
    k = atlas.places["kaesong"]
    assert decode("BS 8692").lat < k.lat - 0.08
    # ... and gives up the Ongjin peninsula, which lies south of it.
    assert _side(built, COMMUNIST, "ongjin") == "south"


def test_communist_line_crosses_the_line_of_contact_where_the_telegram_says(
    built: BuiltAtlas,
) -> None:
    """'Chirung-Dong CT 0406 (where Communists claim their demarcation line crosses line of
    contact)': the reconstructed line of contact of November passes close to that point."""
    lon, lat = _point({"ref": "CT 0406"})
    assert distance_to_km(built[PROVISIONAL].geometry, lon, lat) < 4.0
    assert distance_to_km(built[COMMUNIST].divider, lon, lat) < 0.05


# --- the Kaesong compromise of 8 November 1951 (d688) ---------------------------------------


def test_kaesong_compromise_puts_the_line_through_the_city(atlas: Atlas, built: BuiltAtlas) -> None:
    k = atlas.places["kaesong"]
    assert distance_to_km(built[COMPROMISE].geometry, k.lon, k.lat) < 0.5
    assert _side(built, COMPROMISE, "kaesong") == "on the line"
    for other in (PROVISIONAL, MDL):
        assert _side(built, other, "kaesong") == "north"


def test_kaesong_compromise_follows_the_line_of_contact_away_from_kaesong(
    built: BuiltAtlas,
) -> None:
    compromise, contact = built[COMPROMISE].geometry, built[PROVISIONAL].geometry
    coords = [c for c in shapely.get_coordinates(compromise) if c[0] > 126.75]
    assert len(coords) > 20
    assert max(distance_to_km(contact, x, y) for x, y in coords) < 0.5


# --- sides of the check towns ---------------------------------------------------------------

ON = "on the line"
#: What each line's documents imply: (Kaesong, Munsan, Chorwon, Kumhwa, Pyonggang). A set
#: allows "on the line" where a line ran close to a town the UN side held.
SIDES: dict[str, tuple[set[str], ...]] = {
    # The battle line of August 1951: Kaesong communist-held, the Iron Triangle's base UN-held.
    FRONT: ({"north"}, {"south"}, {ON, "south"}, {ON, "south"}, {"north"}),
    # d608: up the Yesong (Kaesong to the UN) and 'to Chorwon CT 4334 ... to Kumhwa CT 6538'.
    MEDIAN: ({"south"}, {"south"}, {ON}, {ON}, {"north"}),
    # d660: south of Kaesong; east of the crossing the UN withdraws, Chorwon and Kumhwa too.
    COMMUNIST: ({"north"}, {"south"}, {"north"}, {"north"}, {"north"}),
    # d688: through the city; elsewhere the line of contact, UN forces north of Chorwon.
    COMPROMISE: ({ON}, {"south"}, {"south"}, {ON, "south"}, {"north"}),
    # d737: the line of contact; Kaesong stayed communist-held.
    PROVISIONAL: ({"north"}, {"south"}, {"south"}, {ON, "south"}, {"north"}),
    MDL: ({"north"}, {"south"}, {"south"}, {ON, "south"}, {"north"}),
}
TOWNS = ("kaesong", "munsan", "chorwon", "kumhwa", "pyonggang")


@pytest.mark.parametrize("line_id", sorted(SIDES))
def test_check_towns_lie_where_the_documents_put_them(built: BuiltAtlas, line_id: str) -> None:
    for pid, allowed in zip(TOWNS, SIDES[line_id], strict=True):
        assert _side(built, line_id, pid) in allowed, (line_id, pid, _side(built, line_id, pid))


# --- the provisional line of 27 November 1951 (d737) and the 1953 line ----------------------


def _samples(line: Any, step_deg: float = 0.01) -> list[tuple[float, float]]:
    dense = shapely.segmentize(line, step_deg)
    return [(float(x), float(y)) for x, y in shapely.get_coordinates(dense)]


def test_provisional_line_lies_north_of_the_1953_line_and_close_to_it(
    built: BuiltAtlas,
) -> None:
    mdl = built[MDL].geometry
    points = _samples(built[PROVISIONAL].geometry)
    assert len(points) > 100
    dists = sorted(distance_to_km(mdl, x, y) for x, y in points)
    north = [
        distance_to_km(mdl, x, y) < 0.1 or side_of(built, MDL, x, y) == "north" for x, y in points
    ]
    assert sum(north) / len(north) > 0.9  # d464: the 1953 front 1-2.5 km south in 12 places
    assert 0.5 < dists[len(dists) // 2] < 2.5
    assert dists[-1] < 4.0


def test_provisional_line_is_agreed_during_the_talks(atlas: Atlas) -> None:
    line = atlas.lines[PROVISIONAL]
    assert (line.status, line.party, line.record, line.date) == (
        "agreed",
        "both",
        "proposal",
        "1951-11-27",
    )
    assert line.group == "agreed-talks"
    assert {"frus1951v07p1-d737", "frus1952-54v15p1-d464"} <= set(line.sources)
    assert line.inferred and "map" in line.inference
    assert {"frus1952-54v15p1-d464", "frus1952-54v15p2-d588", "frus1952-54v15p2-d698"} <= set(
        atlas.lines[MDL].sources
    )


# --- the shifted 38th-parallel zone of 18 August 1951 (d524) --------------------------------


def test_shifted_38th_zone_holds_the_parallel_and_kaesong(atlas: Atlas, built: BuiltAtlas) -> None:
    zone = built[ZONE_38].geometry
    parallel = built["kr-1951-communist-38th-parallel"].geometry
    assert zone.buffer(1e-6).covers(parallel)
    assert _side(built, ZONE_38, "kaesong") == "inside"
    for pid in ("munsan", "chorwon", "kumhwa", "pyonggang", "seoul"):
        assert _side(built, ZONE_38, pid) == "outside", pid


def test_shifted_38th_zone_moves_4_km_in_the_west_and_the_east(built: BuiltAtlas) -> None:
    """West: northern edge 4 km south (10 km S .. 6 km N); east: southern edge 4 km north
    (6 km S .. 10 km N) of 38 N."""
    km = 1 / 111.0  # degrees of latitude
    west, east = 126.0, 128.0
    assert side_of(built, ZONE_38, west, 38 - 9 * km) == "inside"
    assert side_of(built, ZONE_38, west, 38 + 7 * km) == "outside"
    assert side_of(built, ZONE_38, east, 38 + 9 * km) == "inside"
    assert side_of(built, ZONE_38, east, 38 - 7 * km) == "outside"
    full = built["kr-1951-communist-buffer-zone"].area_km2  # the unshifted 10 km each side
    assert built[ZONE_38].area_km2 == pytest.approx(0.8 * full, rel=0.06)


# --- the front line of August 1951, re-derived from grid references -------------------------


def test_front_line_is_drawn_from_grid_references_not_waypoints(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    assert set(atlas.lines[FRONT].geometry) == {"grid"}
    assert not any(pid.startswith("fl51-") for pid in atlas.places)
    assert "September" in atlas.lines[FRONT].inference  # says the references are later
    assert built["kr-1951-communist-front-line-fallback"].geometry.equals(built[FRONT].geometry)
    # Between the median line's references the front and the median line coincide.
    for ref in ("CT 4334", "CT 6538", "DT 3559"):
        lon, lat = _point({"ref": ref})
        assert distance_to_km(built[FRONT].geometry, lon, lat) < 0.05, ref


# --- documents, dates and the story ---------------------------------------------------------


def test_new_positions_have_their_dates_and_documents(atlas: Atlas) -> None:
    dates = {
        ZONE_38: "1951-08-18",
        MEDIAN: "1951-10-01",
        COMMUNIST: "1951-10-26~",
        COMPROMISE: "1951-11-08",  # the documents' day, not the 7th of the id
        PROVISIONAL: "1951-11-27",
    }
    for lid, date in dates.items():
        line = atlas.lines[lid]
        assert line.date == date, lid
        assert line.inferred, lid  # every one of them says what is reconstructed
        for did in line.sources:
            doc = atlas.documents[did]
            assert not doc.in_corpus and doc.publisher.startswith("Office of the Historian")
            volume, number = did.rsplit("-d", 1)
            assert doc.url == f"https://history.state.gov/historicaldocuments/{volume}/d{number}"
            for ev in doc.supports:
                assert ev.read_at and "historicaldocuments" in ev.read_at, (did, ev.phrase)
                assert len(ev.phrase.split()) <= 12


def test_the_story_walks_through_the_autumn_of_1951(atlas: Atlas) -> None:
    story = load_stories(atlas)["korea-1951"]
    selected = [step.selected for step in story.steps]
    order = [ZONE_38, MEDIAN, COMMUNIST, COMPROMISE, PROVISIONAL, MDL]
    assert all(lid in selected for lid in order)
    assert [selected.index(lid) for lid in order] == sorted(selected.index(lid) for lid in order)
    days = [step.date for step in story.steps]
    assert days == sorted(days)  # type: ignore[type-var]
    for step in story.steps:
        assert len(step.caption) <= 900
        assert step.date is not None
        assert str(step.date) >= "1951-07-01" and str(step.date) <= "1953-07-31"
        # the step's day is on or after every line it shows, so none is "not yet proposed"
        for lid in step.layers:
            assert (atlas.lines[lid].date_iso or "") <= str(step.date), (step.title, lid)
