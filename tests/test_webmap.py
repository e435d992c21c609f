"""The web map's data: the theater payload, its JSON, the standalone page, and the views."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import shapely
import yaml
from shapely.geometry import Point, shape

import hostile_data
from conftest import DATA_DIR
from geo import Atlas, BuiltAtlas, build, load_atlas, validate
from geo.outputs import webmap
from geo.outputs.page import map_page
from geo.stories import load_stories
from geo.style import STATUS_DASH
from geo.vocab import PARTIES, THEATERS

PAYLOAD_RE = re.compile(
    r'<script type="application/json" id="aa-payload">(.*?)</script>', flags=re.DOTALL
)


@pytest.fixture(scope="module")
def payloads(built: BuiltAtlas) -> dict[str, dict[str, Any]]:
    return {t: webmap.theater_payload(built, t) for t in THEATERS}


def _features(payload: dict[str, Any], key: str = "features") -> dict[str, dict[str, Any]]:
    return {f["properties"]["id"]: f for f in payload[key]["features"]}


# --- the payload -------------------------------------------------------------------------


@pytest.mark.parametrize("theater", list(THEATERS))
def test_every_record_of_the_theater_is_drawn_once(
    built: BuiltAtlas, payloads: dict[str, Any], theater: str
) -> None:
    payload = payloads[theater]
    assert payload["format"] == webmap.FORMAT and payload["theater"] == theater
    assert payload["bbox"] == list(THEATERS[theater].bbox)
    ids = [f["properties"]["id"] for f in payload["features"]["features"]]
    assert sorted(ids) == sorted(ln.id for ln in built.atlas.lines_in(theater))
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("theater", list(THEATERS))
def test_features_carry_their_style_and_key(
    built: BuiltAtlas, payloads: dict[str, Any], theater: str
) -> None:
    keys = built.atlas.keys(theater)
    for lid, feat in _features(payloads[theater]).items():
        line, props = built.atlas.lines[lid], feat["properties"]
        assert props["key"] == keys.get(lid)  # the same letters as the legend and handout
        assert props["dash"] == STATUS_DASH[line.status]
        if line.status == "reference":
            assert props["key"] is None and props["color"] == "#7F7F7F"
        else:
            assert props["key"] and props["color"] == PARTIES[line.party].color
        # the key letter sits on the line (or inside the zone) it names
        label = Point(props["label"])
        assert shape(feat["geometry"]).distance(label) < 0.01, lid
        assert props["date"] == (line.date_iso or None)


def test_signed_lines_are_solid_and_proposals_dashed(payloads: dict[str, Any]) -> None:
    feats = _features(payloads["indochina"])
    assert feats["vn-1954-geneva-line"]["properties"]["dash"] is None
    assert feats["vn-1954-french-18th"]["properties"]["dash"] == STATUS_DASH["proposed"]
    assert feats["vn-1954-drv-minimum"]["properties"]["dash"] == STATUS_DASH["fallback"]
    assert feats["ref-parallel-16"]["properties"]["lat_label"] == "16°N"
    assert feats["vn-1954-drv-minimum"]["properties"]["lat_label"] is None
    assert feats["vn-1954-drv-minimum"]["properties"]["date_label"] == "26 Jun 1954"


def test_key_letters_are_stable_whatever_is_built_or_shown(
    atlas: Atlas, payloads: dict[str, Any]
) -> None:
    only = build(atlas, ["indochina"])
    again = webmap.theater_payload(only, "indochina")
    keys = {lid: f["properties"]["key"] for lid, f in _features(again).items()}
    assert keys == {
        lid: f["properties"]["key"] for lid, f in _features(payloads["indochina"]).items()
    }
    # A, B, C … by date: the Laos plans of 26 June come before the signed lines of 20 July
    letters = {k: v for k, v in keys.items() if v}
    assert sorted(letters.values()) == [chr(65 + i) for i in range(len(letters))]
    assert letters["vn-1954-drv-minimum"] < letters["vn-1954-geneva-line"]


def test_bands_show_the_precision_of_lines_only(
    built: BuiltAtlas, payloads: dict[str, Any]
) -> None:
    for theater, payload in payloads.items():
        bands = _features(payload, "bands")
        for lid, band in bands.items():
            line, s = built.atlas.lines[lid], built[lid]
            assert line.is_position and s.is_line and line.precision_km >= 0.5, lid
            assert (
                shape(band["geometry"])
                .buffer(1e-6)
                .covers(s.geometry.interpolate(0.5, normalized=True))
            ), lid
        wanted = {
            ln.id
            for ln in built.atlas.lines_in(theater)
            if ln.is_position and built[ln.id].is_line and ln.precision_km >= 0.5
        }
        assert set(bands) == wanted, theater
    assert "vn-1954-geneva-line" in _features(payloads["indochina"], "bands")  # ± 4 km


def test_places_have_a_rank_and_the_zoom_their_label_needs(
    built: BuiltAtlas, payloads: dict[str, Any]
) -> None:
    for theater, payload in payloads.items():
        places = _features(payload, "places")
        expected = {p.id for p in built.atlas.places_in(theater) if p.kind != "waypoint"}
        assert set(places) == expected, theater
        for pid, feat in places.items():
            place, props = built.atlas.places[pid], feat["properties"]
            assert props["rank"] == place.rank
            assert props["min_zoom"] == webmap.RANK_MIN_ZOOM[place.rank]
            assert props["label"] == place.label
            lon, lat = feat["geometry"]["coordinates"]
            assert (lon, lat) == pytest.approx((place.lon, place.lat), abs=1e-4)
    zooms = [webmap.RANK_MIN_ZOOM[r] for r in (1, 2, 3, 4)]
    assert zooms == sorted(zooms)  # the more important, the sooner labelled


def test_land_and_home_view(built: BuiltAtlas, payloads: dict[str, Any]) -> None:
    land = {f["properties"]["iso"]: f for f in payloads["indochina"]["land"]["features"]}
    assert {"VNM", "LAO", "KHM"} <= set(land)
    assert land["VNM"]["properties"]["primary"] and not land["THA"]["properties"]["primary"]
    assert shape(land["VNM"]["geometry"]).contains(Point(107.596, 16.462))  # Hue
    (s, w), (n, e) = payloads["indochina"]["home"]
    home = shapely.box(w, s, e, n)
    for ln in built.atlas.lines_in("indochina"):
        if ln.is_position:
            assert home.covers(built[ln.id].geometry), ln.id


def test_the_display_geometry_stays_close_to_the_built_shape(
    built: BuiltAtlas, payloads: dict[str, Any]
) -> None:
    for payload in payloads.values():
        for lid, feat in _features(payload).items():
            assert shape(feat["geometry"]).hausdorff_distance(built[lid].geometry) < 0.01, lid


def test_the_topojson_form_decodes_to_the_same_collections(
    built: BuiltAtlas, payloads: dict[str, Any]
) -> None:
    if not hasattr(webmap, "collections"):
        pytest.skip("the TopoJSON form of the payload is not written yet")
    for theater, plain in payloads.items():
        topo = webmap.theater_payload(built, theater, topology=True)
        assert "topology" in topo and "features" not in topo
        assert len(webmap.to_json(topo)) < len(webmap.to_json(plain))  # the point of it
        decoded = webmap.collections(topo)
        for name, collection in webmap.collections(plain).items():
            want, got = collection["features"], decoded[name]["features"]
            assert [f["properties"] for f in got] == [f["properties"] for f in want], name
            for a, b in zip(want, got, strict=True):
                gap = shape(a["geometry"]).hausdorff_distance(shape(b["geometry"]))
                assert gap <= webmap.QUANTUM, (theater, name, a["properties"].get("id"))


# --- JSON that is safe in a page -----------------------------------------------------------

NASTY = '</script><script>alert(1)</script> {{6*7}} {%raw%} {#c#} & \u2028 `${x}` "q" \\ é'


def test_to_json_escapes_markup_and_template_syntax_and_parses_back() -> None:
    value = {"title": NASTY, NASTY: [NASTY, 1, 2.5, None, True, {"n": {"m": []}}]}
    text = webmap.to_json(value)
    assert json.loads(text) == value
    for bad in ("<", ">", "&", "{{", "{%", "{#", "\u2028"):
        assert bad not in text
    assert "\\u003c/script\\u003e" in text and "\\u007b\\u007b6*7\\u007d\\u007d" in text
    assert text.startswith('{"title":"') and ", " not in text.replace(NASTY, "")  # compact
    assert "é" in text  # not ASCII-escaped: only what must be


def test_the_payload_json_parses_back_equal(payloads: dict[str, Any]) -> None:
    for payload in payloads.values():
        assert json.loads(webmap.to_json(payload)) == payload


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> BuiltAtlas:
    data = hostile_data.make(tmp_path_factory.mktemp("webmap") / "data", DATA_DIR)
    # Recipes are ids and numbers, not text: keep them as they are (a river's 'from' and 'to'
    # are place ids, which hostile_data's 'from'/'to' of documents would poison too).
    for folder in ("proposals", "outcomes"):
        for path in sorted((data / folder).glob("*.yaml")):
            record = yaml.safe_load(path.read_text(encoding="utf-8"))
            original = yaml.safe_load((DATA_DIR / folder / path.name).read_text(encoding="utf-8"))
            if record.get("geometry") != original.get("geometry"):
                record["geometry"] = original["geometry"]
                text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
                path.write_text(text, encoding="utf-8")
    assert validate(data) == []
    return build(load_atlas(data))


def test_hostile_record_text_stays_data(hostile: BuiltAtlas) -> None:
    """Every text field carries markup and template syntax: the JSON shows none of it."""
    for theater in THEATERS:
        payload = webmap.theater_payload(hostile, theater)
        text = webmap.to_json(payload)
        assert json.loads(text) == payload
        assert hostile_data.TOKEN in json.dumps(payload, ensure_ascii=False)  # still there
        for bad in ("<b>", "</script", "{{", "{%", "{#"):
            assert bad not in text, (theater, bad)


def test_standalone_page_holds_the_payload_as_inert_json(hostile: BuiltAtlas) -> None:
    page = map_page(hostile, "indochina")
    (raw,) = PAYLOAD_RE.findall(page)
    assert json.loads(raw) == webmap.theater_payload(hostile, "indochina", topology=True)
    # the only ways out of a JSON script element are not in it
    assert "</script" not in raw.lower() and "<!--" not in raw
    assert "<b>y</b>" not in page and hostile_data.EVALUATED not in page
    title = re.search(r"<title>(.*?)</title>", page, flags=re.DOTALL)
    assert title is not None and "<" not in title.group(1)


def test_standalone_page_needs_no_network(built: BuiltAtlas) -> None:
    page = map_page(built, "korea")
    assert "AtlasMap.create" in page and "Leaflet" in page  # renderer and Leaflet inline
    assert not re.search(
        r"""<(?:script|link|img)[^>]+(?:src|href)\s*=\s*["']?(?:https?:)?//""", page
    )
    assert "tile.openstreetmap.org" not in page
    online = map_page(built, "korea", online_tiles=True)
    assert "tile.openstreetmap.org" in online and "L.tileLayer(" in online


def test_standalone_page_shows_the_layers_asked_for(built: BuiltAtlas) -> None:
    page = map_page(built, "korea", layers=("kr-1953-mdl", "kr-1953-dmz"))
    state = re.search(r"map\.update\((\{.*?\})\);", page)
    assert state is not None
    assert json.loads(state.group(1))["visible"] == ["kr-1953-mdl", "kr-1953-dmz"]
    everything = re.search(r"map\.update\((\{.*?\})\);", map_page(built, "korea"))
    assert everything is not None and json.loads(everything.group(1))["visible"] is None


# --- views and labels ---------------------------------------------------------------------


def test_view_bbox_is_centred_and_halves_with_each_zoom() -> None:
    x0, y0, x1, y1 = webmap.view_bbox(38.0, 127.0, 7)
    assert (x0 + x1) / 2 == pytest.approx(127.0) and (y0 + y1) / 2 == pytest.approx(38.0)
    # 900 px at zoom 7: 900 / (256 * 128) of 360 degrees
    assert x1 - x0 == pytest.approx(900 / (256 * 2**7) * 360)
    # a 900 x 600 map at 38 N: lat span = lon span x 2/3 x cos(38)
    assert (y1 - y0) / (x1 - x0) == pytest.approx(600 / 900 * 0.788, rel=0.01)
    a0, b0, a1, b1 = webmap.view_bbox(38.0, 127.0, 8)
    assert a1 - a0 == pytest.approx((x1 - x0) / 2) and b1 - b0 == pytest.approx((y1 - y0) / 2)
    wide = webmap.view_bbox(38.0, 127.0, 7, width_px=1800, height_px=600)
    assert wide[2] - wide[0] == pytest.approx(2 * (x1 - x0))


def test_every_story_step_looks_at_what_it_selects(atlas: Atlas, built: BuiltAtlas) -> None:
    """A step's view, as the static map would draw it, shows the line the step selects."""
    steps = 0
    for story in load_stories(atlas).values():
        for step in story.steps:
            if step.view is None or step.selected is None:
                continue
            box = shapely.box(*webmap.view_bbox(step.view.lat, step.view.lon, step.view.zoom))
            assert box.intersects(built[step.selected].geometry), (story.id, step.title)
            x0, y0, x1, y1 = THEATERS[story.theater].bbox
            assert shapely.box(x0 - 5, y0 - 5, x1 + 5, y1 + 5).intersects(box)
            steps += 1
    assert steps >= 5


def test_bounds_of_pads_the_shapes(built: BuiltAtlas) -> None:
    mdl = built["kr-1953-mdl"].geometry
    (s, w), (n, e) = webmap.bounds_of([mdl])  # type: ignore[misc]
    assert shapely.box(w, s, e, n).contains(mdl)
    x0, y0, x1, y1 = mdl.bounds
    assert w < x0 and e > x1 and s < y0 and n > y1
    assert webmap.bounds_of([]) is None
    (s, w), (n, e) = webmap.bounds_of([Point(127, 38)])  # type: ignore[misc]
    assert n - s == pytest.approx(0.1) and e - w == pytest.approx(0.1)  # a point gets a margin


def test_date_and_latitude_labels(atlas: Atlas) -> None:
    assert webmap.date_label(atlas.lines["kr-1953-mdl"]) == "27 Jul 1953"
    assert webmap.date_label(atlas.lines["kr-1951-front-line"]).startswith("c. ")  # 1951-08-12~
    assert webmap.date_label(atlas.lines["ref-parallel-38"]) == ""
    assert webmap.latitude_label(atlas.lines["ref-parallel-38"]) == "38°N"
    assert webmap.latitude_label(atlas.lines["kr-1951-communist-38th-parallel"]) is None
    assert webmap.latitude_label(atlas.lines["kr-1953-mdl"]) is None


def test_the_payload_is_small_enough_to_send_once(payloads: dict[str, Any]) -> None:
    for theater, payload in payloads.items():
        size = len(webmap.to_json(payload).encode())
        assert size < 1_500_000, (theater, size)


def test_payload_contract_is_documented() -> None:
    doc = Path(DATA_DIR).parent / "docs" / "map-payload.md"
    if not doc.is_file():
        pytest.skip("docs/map-payload.md not written yet")
    assert webmap.FORMAT in doc.read_text(encoding="utf-8")
