"""The Compare and draw screen in AppTest: two records, the land between them and the places
that change side -- or a line the visitor draws on the map."""

from __future__ import annotations

import re
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from test_app import (  # the app's environment and the AppTest helpers
    app_cache,  # noqa: F401
    app_env,  # noqa: F401
    last_map,
    ok,
    run,
    send_map_event,
    texts,
    unescaped,
)

from geo import BuiltAtlas, compare
from geo.outputs import webmap
from ui import rules

MAP = "aa_map_compare"
FRENCH, GENEVA = "vn-1954-french-18th", "vn-1954-geneva-line"
MINIMUM = "vn-1954-drv-minimum"
DRAW = "__draw__"
#: A line drawn across Vietnam a little north of the 17th parallel (lon, lat).
SKETCH = {"type": "LineString", "coordinates": [[105.5, 17.5], [106.4, 17.3], [107.2, 16.9]]}


def rows(at: AppTest) -> list[list[str]]:
    """The cells of every HTML table the screen drew."""
    out = []
    for h in at.html:
        for row in re.findall(r"<tr>(.*?)</tr>", str(h.value)):
            out.append(re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row))
    return out


def draw(at: AppTest, geometry: Any, seq: int = 1) -> AppTest:
    return send_map_event(at, MAP, {"type": "draw", "geometry": geometry, "seq": seq})


def test_two_lines_show_the_land_between_and_mark_a_and_b(built: BuiltAtlas) -> None:
    at = run({"theater": "indochina", "view": "compare", "compare": f"{FRENCH},{GENEVA}"})
    result = compare(built, FRENCH, GENEVA)
    state = last_map(at)
    assert state["compare"]["a"] == FRENCH and state["compare"]["b"] == GENEVA
    between = state["compare"]["between"]
    assert between == webmap.geometry_json(result.between)
    assert between["type"] in ("Polygon", "MultiPolygon")
    assert state["visible"] == [FRENCH, GENEVA] and state["draw"] is False
    focus = [built[FRENCH].geometry, built[GENEVA].geometry]
    assert state["view"] == {"bounds": webmap.bounds_of(focus)}
    (metric,) = at.metric
    assert metric.label == "Area between"
    assert metric.value == f"{result.area_between_km2:,.0f} km²"
    assert dict(at.query_params) == {
        "theater": "indochina",
        "view": "compare",
        "compare": f"{FRENCH},{GENEVA}",
    }


def test_the_geneva_line_puts_cua_tung_on_the_line() -> None:
    at = run({"theater": "indochina", "view": "compare", "compare": f"{FRENCH},{GENEVA}"})
    cua_tung = [r for r in rows(at) if r and r[0].startswith("Cua Tung")]
    assert len(cua_tung) == 1, rows(at)
    assert cua_tung[0][1:3] == ["south", "on the line"]  # with A (18th), with B (Geneva)
    assert "Places that change side" in texts(at)


def test_a_link_without_view_opens_compare() -> None:
    at = run({"compare": f"{GENEVA},{FRENCH}"})
    assert at.session_state["aa_view"] == "compare"
    assert last_map(at)["compare"]["a"] == GENEVA


def test_the_default_pair_and_the_swap(built: BuiltAtlas) -> None:
    a, b = rules.default_pair(built.atlas, "korea") or ("", "")
    assert b == "kr-1953-mdl"
    at = run({"view": "compare"})
    state = last_map(at)
    assert state["theater"] == "korea"
    assert (state["compare"]["a"], state["compare"]["b"]) == (a, b)
    assert at.query_params["compare"] == f"{a},{b}"
    next(w for w in at.button if "swap" in w.label).click().run()
    ok(at)
    state = last_map(at)
    assert (state["compare"]["a"], state["compare"]["b"]) == (b, a)
    assert at.query_params["compare"] == f"{b},{a}"


def test_b_offers_only_the_same_shape(built: BuiltAtlas) -> None:
    at = run({"theater": "indochina", "view": "compare"})
    at.selectbox(key="w_cmp_a").select("vn-1954-geneva-dmz").run()
    ok(at)
    options = at.selectbox(key="w_cmp_b").options
    titles = {built.atlas.lines[ln.id].title: ln.kind for ln in built.atlas.lines_in("indochina")}
    kinds = {titles[unescaped(o)] for o in options if not o.startswith("✏")}
    assert kinds == {"zone"}
    assert options[-1].startswith("✏ A zone of your own")
    state = last_map(at)
    assert state["compare"]["a"] == "vn-1954-geneva-dmz"
    assert built.atlas.lines[state["compare"]["b"]].kind == "zone"
    assert [m.label for m in at.metric] == ["Area between"]


def test_sources_of_a_opens_the_map_on_it() -> None:
    at = run({"theater": "indochina", "view": "compare", "compare": f"{FRENCH},{GENEVA}"})
    next(b for b in at.button if b.label == "Sources of B").click().run()
    ok(at)
    assert at.session_state["aa_view"] == "map" and last_map(at)["selected"] == GENEVA
    assert at.query_params["line"] == GENEVA and "view" not in at.query_params


def test_drawing_your_own_line(built: BuiltAtlas) -> None:
    at = run({"theater": "indochina", "view": "compare", "compare": f"{FRENCH},{GENEVA}"})
    at.selectbox(key="w_cmp_b").select(DRAW).run()
    ok(at)
    state = last_map(at)
    assert state["draw"] is True and state["drawn"] is None
    assert state["compare"] == {"a": FRENCH, "b": None, "between": None}
    assert state["visible"] == [FRENCH]
    assert "Draw a line or a polygon on the map" in texts(at)
    assert not at.metric and not at.get("download_button")
    assert "compare" not in at.query_params  # a drawing has no link

    draw(at, SKETCH)
    ok(at)
    state = last_map(at)
    assert state["draw"] is True and state["drawn"] == SKETCH
    assert state["compare"]["a"] == FRENCH and state["compare"]["between"]["type"]
    (metric,) = at.metric
    assert metric.label == "Area between" and metric.value.endswith("km²")
    assert float(metric.value.split()[0].replace(",", "")) > 0
    assert "Your drawing" in texts(at)
    downloads = {str(d.label): str(d.proto.url) for d in at.get("download_button")}
    assert set(downloads) == {"Your line (GeoJSON)", "Record template (YAML)"}
    assert downloads["Your line (GeoJSON)"].endswith(".geojson")
    assert "not stored on the server" in texts(at)
    # the drawing stays in the session while the visitor looks at other screens
    at.button_group(key="aa_view").set_value("map").run()
    at.button_group(key="aa_view").set_value("compare").run()
    ok(at)
    if at.selectbox(key="w_cmp_b").value != DRAW:  # the choice of B is not kept (see report)
        at.selectbox(key="w_cmp_b").select(DRAW).run()
    assert last_map(at)["drawn"] == SKETCH and at.metric


def test_a_drawn_zone_compares_with_a_zone() -> None:
    at = run({"theater": "indochina", "view": "compare"})
    at.selectbox(key="w_cmp_a").select("vn-1954-geneva-dmz").run()
    at.selectbox(key="w_cmp_b").select(DRAW).run()
    square = [[106.5, 16.9], [107.0, 16.9], [107.0, 17.2], [106.5, 17.2], [106.5, 16.9]]
    draw(at, {"type": "Polygon", "coordinates": [square]})
    ok(at)
    assert [m.label for m in at.metric] == ["Area between"]
    assert {str(d.label) for d in at.get("download_button")} == {
        "Your line (GeoJSON)",
        "Record template (YAML)",
    }


@pytest.mark.parametrize(
    ("geometry", "shown"),
    [
        ({"type": "Point", "coordinates": [106.5, 17.0]}, "draw a line or a polygon"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "outside the indochina"),
        ({"type": "LineString", "coordinates": "<b>x</b>"}, "not a GeoJSON line or polygon"),
        ({"type": "LineString", "coordinates": [[106.5, 17.0]]}, "not a GeoJSON line"),
        ({"type": "<img src=x onerror=alert(1)>"}, "not a GeoJSON line or polygon"),
        ({"type": "LineString", "coordinates": [[1e308, 1e308], [-1e308, 1]]}, "outside"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[106, 16], [107, 17], [107, 16], [106, 17], [106, 16]]],
            },
            "crosses itself",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[106, 16], [107, 16], [107, 17], [106, 17], [106, 16]]],
            },
            "cannot compare a line with a zone",
        ),
        (None, "Draw a line or a polygon on the map"),
        ("LINESTRING(1 2, 3 4)", "Draw a line or a polygon on the map"),
        ([1, 2, 3], "Draw a line or a polygon on the map"),
    ],
    ids=lambda v: repr(v)[:40],
)
def test_a_bad_drawing_is_explained_never_raised(geometry: Any, shown: str) -> None:
    at = run({"theater": "indochina", "view": "compare", "compare": f"{FRENCH},{GENEVA}"})
    at.selectbox(key="w_cmp_b").select(DRAW).run()
    draw(at, geometry)
    ok(at)
    assert shown in texts(at)
    assert not at.get("download_button")
    assert "<b>x</b>" not in texts(at) and "<img" not in texts(at)


def test_a_deeply_nested_drawing_is_explained_never_raised() -> None:
    nested: list[Any] = []
    inner = nested
    for _ in range(600):
        inner.append([])
        inner = inner[0]
    at = run({"theater": "indochina", "view": "compare", "compare": f"{FRENCH},{GENEVA}"})
    at.selectbox(key="w_cmp_b").select(DRAW).run()
    draw(at, {"type": "LineString", "coordinates": nested})
    ok(at)
    assert "not a GeoJSON line or polygon" in texts(at)


def test_a_drawing_in_one_theater_stays_there() -> None:
    at = run({"theater": "indochina", "view": "compare", "compare": f"{FRENCH},{GENEVA}"})
    at.selectbox(key="w_cmp_b").select(DRAW).run()
    draw(at, SKETCH)
    at.button_group(key="aa_theater").set_value("korea").run()
    ok(at)
    state = last_map(at)
    assert state["theater"] == "korea" and state["drawn"] is None and state["draw"] is False
    assert state["compare"]["a"].startswith("kr-")
