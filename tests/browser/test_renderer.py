"""The map renderer (geo/web/atlas-map*.js) in chromium, on payloads made from the REAL atlas.

Ported from the renderer's own tests (jsmap: renderer + component protocol), which ran on
sample payloads: here the payloads are what the app sends, ``webmap.to_json(
webmap.theater_payload(built, theater))``, and the component folder is assembled from
``ui.mapview.FOLDER`` exactly as the app assembles it. A small loopback static server serves

- ``/harness/``   this folder (renderer_harness.html, streamlit_host.html),
- ``/web/``       geo/web (the renderer's files, its CSS, the vendored Leaflet.draw),
- ``/leaflet/``   Leaflet from the xstatic package,
- ``/data/``      the payloads (korea, indochina, and both of a poisoned copy of data/),
- ``/component/`` the component folder (with the payloads under ``data/`` as in the app).

Every test asserts that no request left 127.0.0.1 and no script error happened (the page
fixture). Screenshots: ``test-artifacts/renderer-*.png``.
"""

from __future__ import annotations

import functools
import http.server
import inspect
import json
import math
import re
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import pytest
from _server import (  # tests/browser is on sys.path, like tests/ for conftest
    POINT_ON,
    REPO,
    VISIBLE_LABELS,
    Watch,
    browser,
    intersects,
    new_page,
    page,
    shot,
    watch,
)

import hostile_data
from conftest import DATA_DIR
from geo import BuiltAtlas, build, load_atlas
from geo.outputs import webmap
from geo.outputs.renderer import RENDERER_FILES

pytestmark = pytest.mark.browser
__all__ = ["browser", "page", "watch"]  # fixtures used by name

HERE = Path(__file__).resolve().parent
THEATERS = ("korea", "indochina")
#: Places whose names a reader must find on each theater's map as it opens.
KEY_PLACES = {
    "korea": ("Seoul", "Pyongyang", "Panmunjom"),
    "indochina": ("Hanoi", "Hue", "Vientiane"),
}
MDL = "kr-1953-mdl"
#: whether webmap can make the TopoJSON form of a payload
TOPOLOGY = "topology" in inspect.signature(webmap.theater_payload).parameters


# ---------------------------------------------------------------------------------------
# the static server


def leaflet_dir() -> Path:
    return Path(str(resources.files("xstatic.pkg.leaflet").joinpath("data")))


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files; URL prefixes mapped onto folders, anything else is a 404."""

    mounts: ClassVar[dict[str, Path]] = {}

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        for prefix, folder in sorted(self.mounts.items(), key=lambda kv: -len(kv[0])):
            if clean.startswith(prefix):
                rest = super().translate_path("/" + clean[len(prefix) :])
                return str(folder / Path(rest).relative_to(Path(self.directory)))
        return str(Path(self.directory) / "missing")

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def hostile_built(tmp: Path) -> BuiltAtlas:
    data = hostile_data.make(tmp / "data", DATA_DIR)
    return build(load_atlas(data))


@pytest.fixture(scope="module")
def payloads(built: BuiltAtlas, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """name -> payload (parsed), written as JSON files the server serves."""
    folder = tmp_path_factory.mktemp("payloads")
    poisoned = hostile_built(tmp_path_factory.mktemp("hostile"))
    out: dict[str, Any] = {}
    for theater in THEATERS:
        for name, atlas_built in ((theater, built), (f"hostile-{theater}", poisoned)):
            text = webmap.to_json(webmap.theater_payload(atlas_built, theater))
            (folder / f"{name}.json").write_text(text, encoding="utf-8")
            out[f"{name}.json"] = json.loads(text)
        if TOPOLOGY:  # the TopoJSON form the app sends
            topo = webmap.theater_payload(built, theater, topology=True)  # type: ignore[call-arg]
            text = webmap.to_json(topo)
            (folder / f"{theater}.topo.json").write_text(text, encoding="utf-8")
            out[f"{theater}.topo.json"] = json.loads(text)
    out["__folder__"] = folder
    return out


def component_folder(dest: Path, payload_folder: Path) -> Path:
    """The component's folder as ui.mapview assembles it, plus the payloads under data/."""
    from ui import mapview

    for name in mapview.FOLDER:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(mapview.asset_bytes(name))
    (dest / "data").mkdir()
    for file in payload_folder.glob("*.json"):
        (dest / "data" / file.name).write_bytes(file.read_bytes())
    (dest / "data" / "broken.json").write_text("{not json", encoding="utf-8")
    (dest / "data" / "wrong-format.json").write_text(
        json.dumps({"format": "something-else/9"}), encoding="utf-8"
    )
    return dest


@pytest.fixture(scope="module")
def server(payloads: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = payloads["__folder__"]
    mounts = {
        "/harness/": HERE,
        "/web/": REPO / "geo" / "web",
        "/leaflet/": leaflet_dir(),
        "/data/": folder,
        "/component/": component_folder(tmp_path_factory.mktemp("component"), folder),
    }
    handler = type("Mounted", (Handler,), {"mounts": mounts})
    root = tmp_path_factory.mktemp("empty-root")
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


# ---------------------------------------------------------------------------------------
# helpers


def open_map(
    page: Any,
    server: str,
    name: str = "korea.json",
    state: dict[str, Any] | None = None,
    extra: str = "",
) -> None:
    state = state if state is not None else {"height": 620}
    query = f"p={name}&state={quote(json.dumps(state))}{extra}"
    page.goto(f"{server}/harness/renderer_harness.html?{query}")
    page.wait_for_function("document.getElementById('status').textContent !== ''")
    assert page.inner_text("#status") == "ready"


def update(page: Any, state: dict[str, Any]) -> None:
    page.evaluate("s => window.__map.update(s)", state)


def events(page: Any, kind: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = page.evaluate("window.__events")
    return [e for e in out if kind is None or e["type"] == kind]


def ids_drawn(page: Any, role: str) -> list[str]:
    found: list[str] = page.evaluate(
        "r => [...document.querySelectorAll(`path[data-aa-role='${r}']`)]"
        ".map(p => p.getAttribute('data-aa-id'))",
        role,
    )
    return found


def rect(page: Any, selector: str) -> dict[str, float]:
    r: dict[str, float] = page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return {x: r.left, y: r.top, w: r.width, h: r.height}; }",
        selector,
    )
    return r


def feature_props(payload: dict[str, Any], feature_id: str) -> dict[str, Any]:
    props: dict[str, Any] = next(
        f["properties"]
        for f in payload["features"]["features"]
        if f["properties"]["id"] == feature_id
    )
    return props


def stroke_opacities(page: Any) -> dict[str, float]:
    found: dict[str, float] = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("path[data-aa-role='feature']")]
             .map(p => [p.getAttribute('data-aa-id'), +p.getAttribute('stroke-opacity')]))"""
    )
    return found


# ---------------------------------------------------------------------------------------
# drawing


@pytest.mark.parametrize("theater", THEATERS)
def test_draws_land_and_every_feature(
    page: Any, server: str, payloads: dict[str, Any], theater: str
) -> None:
    data = payloads[f"{theater}.json"]
    open_map(page, server, f"{theater}.json")
    expected = {f["properties"]["id"] for f in data["features"]["features"]}
    assert expected, "the real payload has features"
    assert set(ids_drawn(page, "feature")) == expected
    assert sorted(page.evaluate("window.__map.featureIds()")) == sorted(expected)
    assert len(ids_drawn(page, "land")) == len(data["land"]["features"]) > 0
    assert len(ids_drawn(page, "band")) == len(data["bands"]["features"])
    clickable = {
        f["properties"]["id"]
        for f in data["features"]["features"]
        if f["properties"]["kind"] != "reference"
    }
    assert set(ids_drawn(page, "hit")) == clickable
    assert page.locator("path[data-aa-role='place']").count() == len(data["places"]["features"])
    shot(page, f"renderer-{theater}")


DECODE_BOTH = """
async ([a, b]) => {
  const get = n => fetch('/data/' + n).then(r => r.json());
  return [AtlasMap.decode(await get(a)), AtlasMap.decode(await get(b))];
}
"""


@pytest.mark.parametrize("theater", THEATERS)
def test_topojson_payload_draws_like_geojson(
    page: Any, server: str, payloads: dict[str, Any], theater: str
) -> None:
    """The renderer's decode() of the TopoJSON payload the app sends equals the GeoJSON one:
    same features, ids and properties, shapes within the quantization step (a ring may start
    at another vertex, so shapes are compared by Hausdorff distance); and it draws them all."""
    if not TOPOLOGY:
        pytest.skip("geo.outputs.webmap makes no TopoJSON payload")
    import shapely
    from shapely.geometry import shape

    name = f"{theater}.topo.json"
    open_map(page, server, name)
    decoded, original = page.evaluate(DECODE_BOTH, [name, f"{theater}.json"])
    for key in ("land", "features", "bands", "places"):
        got, want = decoded[key]["features"], original[key]["features"]
        assert len(got) == len(want), key
        for g, w in zip(got, want, strict=True):
            assert g["properties"] == w["properties"]
            distance = shapely.hausdorff_distance(shape(g["geometry"]), shape(w["geometry"]))
            assert distance < 2e-3, (key, w["properties"].get("id"), distance)
    expected = {f["properties"]["id"] for f in original["features"]["features"]}
    assert set(ids_drawn(page, "feature")) == expected
    assert len(ids_drawn(page, "land")) == len(original["land"]["features"])


def test_reference_parallels_are_on_top_thin_and_not_clickable(page: Any, server: str) -> None:
    open_map(page, server)
    style = page.evaluate(
        """() => {
          const p = document.querySelector(
            "path[data-aa-id='ref-parallel-38'][data-aa-role='feature']");
          const pane = id => document.querySelector('.leaflet-' + id + '-pane');
          const z = id => +getComputedStyle(pane(id)).zIndex;
          return {stroke: p.getAttribute('stroke'), width: p.getAttribute('stroke-width'),
                  dash: p.getAttribute('stroke-dasharray'),
                  events: getComputedStyle(p).pointerEvents,
                  ref: z('aa-reference'), lines: z('aa-lines'), zones: z('aa-zones'),
                  hits: Math.max(z('aa-line-hits'), z('aa-zone-hits'))};
        }"""
    )
    assert (style["stroke"].lower(), style["width"], style["dash"]) == ("#7f7f7f", "1.2", "1 5")
    assert style["events"] == "none"
    assert style["ref"] > max(style["lines"], style["zones"], style["hits"])


@pytest.mark.parametrize("theater", THEATERS)
def test_clicking_each_feature_emits_its_id(
    page: Any, server: str, payloads: dict[str, Any], theater: str
) -> None:
    """A real mouse click on a pixel of each line and zone (where it is on top at the default
    view, legend closed) emits its id; one with no pixel on top (drawn under a later record
    along its whole length) is reached by its legend button, which emits the same event."""
    open_map(page, server, f"{theater}.json", {"height": 620, "legend_open": False})
    ids = [
        f["properties"]["id"]
        for f in payloads[f"{theater}.json"]["features"]["features"]
        if f["properties"]["kind"] != "reference"
    ]
    unclickable = []
    for line_id in ids:
        point = page.evaluate(POINT_ON, line_id)
        if point is None:
            unclickable.append(line_id)
            continue
        page.mouse.move(point["x"], point["y"])
        page.mouse.click(point["x"], point["y"])
        clicks = events(page, "click")
        assert clicks and clicks[-1]["id"] == line_id
        assert math.isfinite(clicks[-1]["lat"]) and math.isfinite(clicks[-1]["lng"])
    assert len(unclickable) < len(ids) / 2, f"hardly anything clickable: {unclickable}"
    if unclickable:
        titles = {
            f["properties"]["id"]: f["properties"]["title"]
            for f in payloads[f"{theater}.json"]["features"]["features"]
        }
        page.click(".aa-legend summary")
        for line_id in unclickable:
            button = page.locator(".aa-legend button").filter(has_text=titles[line_id]).first
            button.click()
            assert events(page, "click")[-1]["id"] == line_id
        print(f"\n{theater}: only the legend reaches {unclickable}")


def test_a_click_near_a_thin_line_still_hits_it(page: Any, server: str) -> None:
    """The invisible hit stroke: a few px beside a 3 px line still counts."""
    open_map(page, server)
    point = page.evaluate(POINT_ON, "kr-1951-communist-38th-parallel")
    assert point
    page.mouse.click(point["x"] + 2, point["y"] + 5)
    assert events(page, "click")[-1]["id"] == "kr-1951-communist-38th-parallel"


@pytest.mark.parametrize("feature", [MDL, "kr-1951-un-buffer-zone"])
def test_clicked_path_gets_no_focus_rectangle(page: Any, server: str, feature: str) -> None:
    open_map(page, server)
    point = page.evaluate(POINT_ON, feature)
    page.mouse.click(point["x"], point["y"])
    outline = page.evaluate(
        "() => { const a = document.activeElement;"
        " return a && a.tagName === 'path' ? getComputedStyle(a).outlineStyle : 'none'; }"
    )
    assert outline == "none"


@pytest.mark.parametrize("feature", [MDL, "kr-1951-un-buffer-zone"])
def test_hovering_a_feature_shows_its_tooltip_as_text(
    page: Any, server: str, payloads: dict[str, Any], feature: str
) -> None:
    open_map(page, server)
    point = page.evaluate(POINT_ON, feature)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector(".leaflet-tooltip")
    props = feature_props(payloads["korea.json"], feature)
    assert props["title"] in page.inner_text(".leaflet-tooltip")
    page.mouse.move(5, 700)  # off again: the tooltip closes without an error


def test_hovering_a_place_dot_shows_its_tip(
    page: Any, server: str, payloads: dict[str, Any]
) -> None:
    open_map(page, server, state={"height": 620, "legend_open": False})
    tips = {f["properties"]["tip"] for f in payloads["korea.json"]["places"]["features"]}
    point = page.evaluate(
        """() => { for (const dot of document.querySelectorAll("path[data-aa-role='place']")) {
             const r = dot.getBoundingClientRect();
             const x = r.left + r.width / 2, y = r.top + r.height / 2;
             if (document.elementFromPoint(x, y) === dot) return {x, y}; }
           return null; }"""
    )
    assert point, "no place dot is on top"
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector(".leaflet-tooltip")
    assert page.inner_text(".leaflet-tooltip").strip() in tips
    page.mouse.move(5, 700)


@pytest.mark.parametrize("width", [1366, 1024])
@pytest.mark.parametrize("height", [420, 620, 860])
def test_legend_never_meets_the_scale_bar(
    browser: Any, server: str, watch: Watch, width: int, height: int
) -> None:
    page = new_page(browser, watch, width, 768)
    try:
        for theater in THEATERS:
            open_map(page, server, f"{theater}.json", {"height": height, "legend_open": True})
            assert page.evaluate("document.querySelector('.aa-legend details').open")
            legend, scale = rect(page, ".aa-legend"), rect(page, ".leaflet-control-scale")
            assert scale["w"] > 0 and legend["h"] > 0
            assert not intersects(legend, scale), (theater, legend, scale)
            # the layer list open too pushes the legend down: still clear of the scale bar
            page.click(".aa-layers summary")
            legend, layers = rect(page, ".aa-legend"), rect(page, ".aa-layers")
            assert not intersects(legend, scale) and not intersects(layers, scale)
            page.wait_for_function(
                "h => { const m = document.querySelector('.aa-map').getBoundingClientRect();"
                " const l = document.querySelector('.aa-legend').getBoundingClientRect();"
                " return l.bottom <= m.top + h; }",
                arg=height,
            )
            assert not intersects(rect(page, ".aa-legend"), scale)
            shot(page, f"renderer-legend-{theater}-{width}-{height}")
    finally:
        page.context.close()
    watch.check(f"{width}x{height}")


def test_legend_starts_collapsed_on_a_narrow_map(browser: Any, server: str, watch: Watch) -> None:
    page = new_page(browser, watch, 640, 768)
    try:
        open_map(page, server, state={"height": 500, "legend_open": True})
        assert not page.evaluate("document.querySelector('.aa-legend details').open")
        page.click(".aa-legend summary")  # a reader may still open it
        assert page.evaluate("document.querySelector('.aa-legend details').open")
        assert not intersects(rect(page, ".aa-legend"), rect(page, ".leaflet-control-scale"))
    finally:
        page.context.close()
    watch.check()


def test_layer_control_lists_the_groups_and_toggles_only_the_map(
    page: Any, server: str, payloads: dict[str, Any]
) -> None:
    data = payloads["korea.json"]
    open_map(page, server)
    page.click(".aa-layers summary")
    labels = page.locator(".aa-layers label").all_inner_texts()
    assert [t.strip() for t in labels] == [g["label"] for g in data["groups"]] + [
        "Uncertainty bands",
        "Places",
    ]
    first = data["groups"][0]
    members = [
        f["properties"]["id"]
        for f in data["features"]["features"]
        if f["properties"]["group"] == first["id"]
    ]
    assert members
    page.get_by_label(first["label"], exact=True).uncheck()
    assert not set(members) & set(ids_drawn(page, "feature"))
    page.get_by_label("Uncertainty bands").uncheck()
    assert ids_drawn(page, "band") == []
    page.get_by_label("Places").uncheck()
    assert page.locator("path[data-aa-role='place']").count() == 0
    assert page.locator(".aa-label-place:visible").count() == 0
    assert events(page) == []


@pytest.mark.parametrize("theater", THEATERS)
def test_labels_are_readable_and_never_overlap(page: Any, server: str, theater: str) -> None:
    """At the theater's default view: country names and the key places as text, the key
    letters and the parallels, none over another."""
    open_map(page, server, f"{theater}.json")
    labels = page.evaluate(VISIBLE_LABELS)
    shot(page, f"renderer-labels-{theater}")
    countries = [lb for lb in labels if "aa-label-country" in lb["cls"]]
    places = [lb["text"] for lb in labels if "aa-label-place" in lb["cls"]]
    badges = [lb for lb in labels if "aa-badge" in lb["cls"]]
    parallels = [lb for lb in labels if "aa-label-parallel" in lb["cls"]]
    assert badges and parallels
    problems = [
        f"{a['text']!r} overlaps {b['text']!r}"
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if intersects(a, b)
    ]
    if len(countries) < 2 or not all(c["text"].strip() for c in countries):
        problems.append(f"country names shown: {[c['text'] for c in countries]}")
    missing = [name for name in KEY_PLACES[theater] if not any(name in p for p in places)]
    if missing:
        problems.append(f"key places without a name: {missing} (names shown: {places})")
    assert not problems, f"default {theater} map: " + "; ".join(problems)
    size = page.evaluate(
        "s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", ".aa-label-place"
    )
    assert 13 <= size <= 14  # the projector size of the spec


def test_place_labels_follow_the_zoom(page: Any, server: str) -> None:
    open_map(page, server)

    def places_at(zoom: int) -> int:
        update(page, {"view": {"center": [37.8, 126.9], "zoom": zoom}, "view_id": f"z{zoom}"})
        page.wait_for_function(f"window.__map.leaflet.getZoom() === {zoom}")
        labels = page.evaluate(VISIBLE_LABELS)
        return len([lb for lb in labels if "aa-label-place" in lb["cls"]])

    assert places_at(10) > places_at(6)  # min_zoom lets more names in closer up
    parallel = [lb for lb in page.evaluate(VISIBLE_LABELS) if "aa-label-parallel" in lb["cls"]]
    left = rect(page, ".aa-map")["x"]
    assert parallel and parallel[0]["x"] - left < 80  # at the west edge of the view


KEY_DOTS = """
ids => [...document.querySelectorAll("path[data-aa-role='place']")]
  .filter(p => ids.includes(p.getAttribute('data-aa-id')))
  .map(p => { const r = p.getBoundingClientRect();
              return {id: p.getAttribute('data-aa-id'),
                      x: r.left, y: r.top, w: r.width, h: r.height}; })
"""


@pytest.mark.parametrize("size", [(1366, 620), (1024, 860), (800, 420), (640, 500), (416, 620)])
def test_labels_keep_apart_and_off_key_places_at_any_size(
    browser: Any, server: str, payloads: dict[str, Any], watch: Watch, size: tuple[int, int]
) -> None:
    """Whatever the map's size (the legend open where it opens): no label, key letter or
    parallel over another, and nothing over the dot of a key place (rank 1) but its name."""
    width, height = size
    page = new_page(browser, watch, width, height + 40)
    try:
        for theater in THEATERS:
            places = payloads[f"{theater}.json"]["places"]["features"]
            names = {
                f["properties"]["id"]: f["properties"]["label"] or f["properties"]["name"]
                for f in places
                if f["properties"]["rank"] == 1
            }
            open_map(page, server, f"{theater}.json", {"height": height})
            labels = page.evaluate(VISIBLE_LABELS)
            problems = [
                f"{a['text']!r} overlaps {b['text']!r}"
                for i, a in enumerate(labels)
                for b in labels[i + 1 :]
                if intersects(a, b)
            ]
            dots = page.evaluate(KEY_DOTS, list(names))
            assert dots
            problems += [
                f"{lb['text']!r} covers the dot of {dot['id']}"
                for dot in dots
                for lb in labels
                if intersects(dot, lb) and lb["text"] != names[dot["id"]]
            ]
            assert any("aa-badge" in lb["cls"] for lb in labels)
            assert not problems, f"{theater} at {width}x{height}: " + "; ".join(problems)
            shot(page, f"renderer-labels-{theater}-{width}x{height}")
    finally:
        page.context.close()
    watch.check(f"{width}x{height}")


COUNTRY_LABELS_AT = """
() => [...document.querySelectorAll('.aa-label-country')]
  .filter(n => getComputedStyle(n).display !== 'none')
  .map(n => { const r = n.getBoundingClientRect();
              const box = document.querySelector('.aa-map').getBoundingClientRect();
              const m = window.__map.leaflet;
              const mid = [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
              const corners = [[r.left, r.top], [r.right, r.top], [r.left, r.bottom],
                               [r.right, r.bottom], mid]
                .map(([x, y]) => m.containerPointToLatLng([x - box.left, y - box.top]))
                .map(ll => [ll.lng, ll.lat]);
              return {text: n.textContent, corners}; })
"""


@pytest.mark.parametrize(
    ("theater", "view", "expected"),
    [
        ("korea", None, ("NORTH KOREA", "SOUTH KOREA")),
        ("korea", {"center": [38.3, 127.4], "zoom": 9}, ("NORTH KOREA", "SOUTH KOREA")),
        ("korea", {"center": [36.5, 127.8], "zoom": 7}, ("SOUTH KOREA",)),
        ("korea", {"center": [40.0, 127.0], "zoom": 7}, ("NORTH KOREA", "CHINA")),
        ("indochina", None, ("VIETNAM", "LAOS")),
        ("indochina", {"center": [17.0, 106.5], "zoom": 8}, ("VIETNAM", "LAOS")),
    ],
)
def test_country_names_sit_inside_the_visible_part_of_their_country(
    page: Any,
    server: str,
    payloads: dict[str, Any],
    theater: str,
    view: dict[str, Any] | None,
    expected: tuple[str, ...],
) -> None:
    """Country names are placed in the part of each country that is in view (not at a fixed
    point, which may be out of it): each one shown lies on its own country, and the
    countries that fill much of the view are all named."""
    from shapely.geometry import Point, shape

    land = {
        f["properties"]["name"]: shape(f["geometry"])
        for f in payloads[f"{theater}.json"]["land"]["features"]
    }
    open_map(page, server, f"{theater}.json")
    if view:
        update(page, {"view": view, "view_id": "there"})
        page.wait_for_function(f"window.__map.leaflet.getZoom() === {view['zoom']}")
    shown = page.evaluate(COUNTRY_LABELS_AT)
    shot(page, f"renderer-countries-{theater}-{view['zoom'] if view else 'home'}")
    names = [c["text"] for c in shown]
    assert set(expected) <= set(names), names
    for country in shown:
        area = land[country["text"]].buffer(0.02)  # a letter may touch the coast
        inside = [area.contains(Point(*corner)) for corner in country["corners"]]
        assert inside[-1] and sum(inside) >= 4, (country["text"], inside)


# ---------------------------------------------------------------------------------------
# state: selection, view, compare, marker, switches, height


def test_selection_dims_the_others_and_a_view_fits(
    page: Any, server: str, payloads: dict[str, Any], atlas: Any
) -> None:
    open_map(page, server)
    before = stroke_opacities(page)
    bounds = [[37.7, 126.0], [38.4, 127.2]]
    update(page, {"selected": MDL, "dim": True, "view": {"bounds": bounds}, "view_id": "v1"})
    after = stroke_opacities(page)
    for fid, opacity in after.items():
        if fid == MDL or fid.startswith("ref-"):
            assert opacity == pytest.approx(before[fid]), fid  # the reference stays readable
        else:
            assert opacity == pytest.approx(before[fid] * 0.3), fid
    assert set(ids_drawn(page, "casing")) == {MDL}
    assert set(ids_drawn(page, "selected")) == {MDL}
    casing = page.evaluate(
        "+document.querySelector(\"path[data-aa-role='casing']\").getAttribute('stroke-width')"
    )
    assert casing == pytest.approx(feature_props(payloads["korea.json"], MDL)["weight"] + 9)
    fitted = page.evaluate(
        "(() => { const b = window.__map.leaflet.getBounds();"
        " return [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]]; })()"
    )
    assert fitted[0][0] <= bounds[0][0] and fitted[0][1] <= bounds[0][1]
    assert fitted[1][0] >= bounds[1][0] and fitted[1][1] >= bounds[1][1]
    assert fitted[1][0] - fitted[0][0] < 3 * (bounds[1][0] - bounds[0][0])  # fitted, not home
    button = page.get_by_role("button", name=atlas.lines[MDL].title)
    assert button.get_attribute("aria-pressed") == "true"
    # the reader pans; a rerun with the same view_id leaves the view alone
    page.evaluate("window.__map.leaflet.panBy([200, 0], {animate: false})")
    center = page.evaluate("window.__map.leaflet.getCenter()")
    update(page, {"selected": None, "view": {"bounds": bounds}, "view_id": "v1"})
    assert page.evaluate("window.__map.leaflet.getCenter()") == center
    assert stroke_opacities(page) == pytest.approx(before)
    update(page, {"view": {"center": [38.0, 127.0], "zoom": 8}, "view_id": "v2"})
    assert page.evaluate("window.__map.leaflet.getZoom()") == 8
    shot(page, "renderer-selected")


def test_compare_area_and_badges(page: Any, server: str) -> None:
    open_map(page, server)
    between = {
        "type": "Polygon",
        "coordinates": [
            [[126.5, 37.9], [127.5, 37.9], [127.5, 38.3], [126.5, 38.3], [126.5, 37.9]]
        ],
    }
    update(page, {"compare": {"a": "kr-1951-front-line", "b": MDL, "between": between}})
    area = page.locator("path[data-aa-role='compare']")
    assert area.count() == 1
    assert area.get_attribute("fill").lower() == "#009e73"
    assert float(area.get_attribute("fill-opacity")) == pytest.approx(0.35)
    badges = [lb["text"] for lb in page.evaluate(VISIBLE_LABELS) if "aa-badge-compare" in lb["cls"]]
    assert sorted(badges) == ["A", "B"]
    update(page, {"compare": None})
    assert page.locator("path[data-aa-role='compare']").count() == 0


def test_marker_has_rings_and_a_permanent_label(page: Any, server: str) -> None:
    open_map(page, server)
    update(page, {"marker": {"lat": 37.97, "lon": 126.55, "label": "Kaesong"}})
    assert page.locator("path[data-aa-role='marker']").count() == 2
    assert page.locator(".aa-label-marker").inner_text() == "Kaesong"
    assert page.locator(".aa-label-marker").is_visible()


def test_visible_and_halo_and_labels_switches(
    page: Any, server: str, payloads: dict[str, Any]
) -> None:
    open_map(page, server)
    update(page, {"visible": [MDL, "ref-parallel-38"], "halo": False, "labels": False})
    assert set(ids_drawn(page, "feature")) == {MDL, "ref-parallel-38"}
    assert ids_drawn(page, "band") == []
    assert page.evaluate(VISIBLE_LABELS) == []
    assert page.get_by_label("Uncertainty bands").is_checked() is False
    update(page, {"visible": None, "halo": True, "labels": True, "places": False})
    assert len(ids_drawn(page, "band")) == len(payloads["korea.json"]["bands"]["features"])
    assert page.locator("path[data-aa-role='place']").count() == 0


def test_height_change_resizes_the_map(page: Any, server: str) -> None:
    open_map(page, server)
    for height in (420, 860, 620):
        update(page, {"height": height})
        assert page.evaluate("document.querySelector('.leaflet-container').clientHeight") == height
        assert page.evaluate("window.__map.leaflet.getSize().y") == height
    # a change of the element's size by the host (not through state) is seen too
    page.evaluate("document.getElementById('map').style.height = '500px'")
    page.wait_for_function("window.__map.leaflet.getSize().y === 500")


def test_view_waits_for_a_size(page: Any, server: str, payloads: dict[str, Any]) -> None:
    """A map created in a hidden (zero-height) element fits its home view once it is shown."""
    open_map(page, server, state={})
    update(page, {"height": 620})
    home = payloads["korea.json"]["home"]
    center = page.evaluate("window.__map.leaflet.getCenter()")
    assert home[0][0] < center["lat"] < home[1][0] and home[0][1] < center["lng"] < home[1][1]


# ---------------------------------------------------------------------------------------
# drawing, keys, legend buttons


def _map_point(page: Any, fx: float, fy: float) -> tuple[float, float]:
    """The page point at a fraction (*fx*, *fy*) of the map's width and height."""
    r = rect(page, ".leaflet-container")
    return r["x"] + fx * r["w"], r["y"] + fy * r["h"]


def _lnglat(page: Any, x: float, y: float) -> list[float]:
    p: list[float] = page.evaluate(
        """([x, y]) => { const m = window.__map.leaflet;
             const r = m.getContainer().getBoundingClientRect();
             const ll = m.containerPointToLatLng([x - r.left, y - r.top]);
             return [ll.lng, ll.lat]; }""",
        [x, y],
    )
    return p


def click_like_a_person(page: Any, x: float, y: float) -> None:
    """Move, click, pause: Leaflet.draw ignores a second vertex within 50 ms of the first."""
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.wait_for_timeout(150)


def test_drawing_a_polyline_emits_a_linestring(page: Any, server: str) -> None:
    open_map(page, server)
    update(page, {"draw": True})
    page.click(".leaflet-draw-draw-polyline")
    points = [_map_point(page, 0.2, 0.85), _map_point(page, 0.35, 0.8), _map_point(page, 0.5, 0.9)]
    for x, y in points:
        click_like_a_person(page, x, y)
    click_like_a_person(page, *points[-1])  # clicking the last point again finishes the line
    drawn = events(page, "draw")
    assert drawn, "no draw event"
    geometry = drawn[-1]["geometry"]
    assert geometry["type"] == "LineString" and len(geometry["coordinates"]) == 3
    assert geometry["coordinates"][0] == pytest.approx(_lnglat(page, *points[0]), abs=0.02)
    assert page.locator(".leaflet-aa-drawn-pane path").count() == 1
    # the host echoes the shape back after its rerun: nothing changes, no new event
    update(page, {"drawn": geometry})
    assert page.locator(".leaflet-aa-drawn-pane path").count() == 1
    assert len(events(page, "draw")) == len(drawn)
    shot(page, "renderer-drawn")

    # a polygon replaces the line
    page.click(".leaflet-draw-draw-polygon")
    ring = [_map_point(page, 0.6, 0.2), _map_point(page, 0.7, 0.2), _map_point(page, 0.65, 0.35)]
    for x, y in ring:
        click_like_a_person(page, x, y)
    click_like_a_person(page, *ring[0])  # back on the first point closes it
    geometry = events(page, "draw")[-1]["geometry"]
    assert geometry["type"] == "Polygon" and len(geometry["coordinates"][0]) == 4
    assert page.locator(".leaflet-aa-drawn-pane path").count() == 1

    # deleting it reports null
    page.click(".leaflet-draw-edit-remove")
    page.click(".leaflet-aa-drawn-pane path", force=True)
    page.click(".leaflet-draw-actions a[title='Save changes']")
    assert events(page, "draw")[-1]["geometry"] is None


def test_a_drawn_shape_from_the_state_is_shown(page: Any, server: str) -> None:
    open_map(page, server)
    shape = {"type": "LineString", "coordinates": [[126.8, 37.0], [127.6, 37.3]]}
    update(page, {"drawn": shape})
    assert page.locator(".leaflet-aa-drawn-pane path").count() == 1
    update(page, {"drawn": None})
    assert page.locator(".leaflet-aa-drawn-pane path").count() == 0
    assert events(page) == []


def test_drawing_without_leaflet_draw_says_so(page: Any, server: str, watch: Watch) -> None:
    open_map(page, server, extra="&nodraw=1")
    assert page.evaluate("typeof L.Draw") == "undefined"
    update(page, {"draw": True})
    assert "Leaflet.draw is not loaded" in page.inner_text(".aa-notice")
    update(page, {"draw": False})
    assert page.locator(".aa-notice").count() == 0


def test_keys_are_forwarded_only_when_asked(page: Any, server: str) -> None:
    open_map(page, server)
    update(page, {"keys": True})
    page.focus(".aa-map")
    center = page.evaluate("window.__map.leaflet.getCenter()")
    keys = ["ArrowRight", "ArrowLeft", "PageDown", "PageUp", "Home", "End"]
    for key in keys:
        page.keyboard.press(key)
    assert [e["key"] for e in events(page, "key")] == keys
    page.wait_for_timeout(300)
    assert page.evaluate("window.__map.leaflet.getCenter()") == center  # no arrow panning
    update(page, {"keys": False})
    page.focus(".aa-map")
    page.keyboard.press("ArrowRight")
    assert len(events(page, "key")) == len(keys)
    page.wait_for_function(f"window.__map.leaflet.getCenter().lng !== {center['lng']}")


def test_legend_rows_select_from_the_keyboard(page: Any, server: str, atlas: Any) -> None:
    open_map(page, server)
    button = page.get_by_role("button", name=atlas.lines[MDL].title)
    button.focus()
    page.keyboard.press("Enter")
    assert events(page, "click")[-1]["id"] == MDL


def test_update_is_cheap_when_little_changes(page: Any, server: str) -> None:
    """A rerun with an unchanged state does not rebuild the drawn paths."""
    open_map(page, server)
    page.evaluate(f"window.__marked = document.querySelector(\"path[data-aa-id='{MDL}']\")")
    update(page, {"height": 620, "selected": None})
    assert page.evaluate(
        f"window.__marked === document.querySelector(\"path[data-aa-id='{MDL}']\")"
    )


def test_destroy_removes_the_map(page: Any, server: str) -> None:
    open_map(page, server)
    page.evaluate("window.__map.destroy()")
    assert page.locator(".leaflet-container").count() == 0


def test_unsupported_payload_is_refused(page: Any, server: str) -> None:
    open_map(page, server)
    message = page.evaluate(
        "() => { try { AtlasMap.create(document.createElement('div'), {format: 'x/2'}); }"
        " catch (e) { return e.message; } return 'accepted'; }"
    )
    assert "armistice-atlas-map/1" in message


# ---------------------------------------------------------------------------------------
# hostile records


@pytest.mark.parametrize("theater", THEATERS)
def test_hostile_texts_are_shown_literally(
    page: Any, server: str, payloads: dict[str, Any], watch: Watch, theater: str
) -> None:
    """A payload from a copy of data/ with template syntax, markup and a JS template literal
    in every text field: the legend, the labels and the tooltips show it as text."""
    token = hostile_data.TOKEN
    data = payloads[f"hostile-{theater}.json"]
    open_map(page, server, f"hostile-{theater}.json")
    page.wait_for_timeout(300)  # time for any injected image to fail and fire onerror
    assert page.locator("img").count() == 0 and page.locator("b").count() == 0
    scripts = page.evaluate("[...document.scripts].map(s => s.src.split('/').pop())")
    assert sorted(scripts) == sorted(["leaflet.js", *RENDERER_FILES, "", "leaflet.draw.js"])
    legend = page.inner_text(".aa-legend")
    assert token in legend and hostile_data.RCE in legend
    assert hostile_data.EVALUATED not in legend
    # place names, close up (a long poisoned name needs room: try places until one shows)
    shown = []
    for place in data["places"]["features"][:12]:
        lon, lat = place["geometry"]["coordinates"]
        view_id = place["properties"]["id"]
        update(page, {"view": {"center": [lat, lon], "zoom": 10}, "view_id": view_id})
        page.wait_for_function("window.__map.leaflet.getZoom() === 10")
        shown = [
            lb["text"]
            for lb in page.evaluate(VISIBLE_LABELS)
            if "aa-label-place" in lb["cls"] and token in lb["text"]
        ]
        if shown:
            break
    assert shown, "no poisoned place name is shown"
    labels = [lb["text"] for lb in page.evaluate(VISIBLE_LABELS)]
    assert not any(hostile_data.EVALUATED in t for t in labels)
    # a hover tooltip is text too
    update(page, {"view": None, "view_id": "home"})
    feature = next(
        f["properties"] for f in data["features"]["features"] if f["properties"]["kind"] == "line"
    )
    point = page.evaluate(POINT_ON, feature["id"])
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector(".leaflet-tooltip")
    tip = page.inner_text(".leaflet-tooltip")
    assert feature["title"] in tip and token in tip
    page.click(".aa-layers summary")
    assert hostile_data.EVALUATED not in page.inner_text("body")
    assert page.locator("img").count() == 0 and page.locator("b").count() == 0
    assert not (REPO / "PWNED_BY_TEMPLATE").exists()
    shot(page, f"renderer-hostile-{theater}")


# ---------------------------------------------------------------------------------------
# the component: ui/component/index.html + bridge.js driven as Streamlit drives it


def open_host(page: Any, server: str) -> Any:
    page.goto(f"{server}/harness/streamlit_host.html")
    page.wait_for_function("window.__messages.some(m => m.type === 'streamlit:componentReady')")
    return page.frame_locator("#frame")


def messages(page: Any, kind: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(
        "k => window.__messages.filter(m => m.type === k)", kind
    )
    return found


def render(page: Any, args: dict[str, Any]) -> None:
    page.evaluate("a => window.__render(a)", args)


def inner(page: Any) -> Any:
    return page.locator("#frame").element_handle().content_frame()


#: the payloads the component is given: the form the app sends (TopoJSON when webmap makes it)
KOREA_URL = "data/korea.topo.json" if TOPOLOGY else "data/korea.json"
INDOCHINA_URL = "data/indochina.topo.json" if TOPOLOGY else "data/indochina.json"


#: a line that is on top on the default Korea map (the component tests click it)
CLICKABLE = "kr-1951-communist-38th-parallel"


def click_in_frame(page: Any, feature_id: str) -> None:
    point = inner(page).evaluate(POINT_ON, feature_id)
    assert point, f"{feature_id} is not clickable"
    box = page.locator("#frame").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_component_ready_height_and_values(page: Any, server: str, watch: Watch) -> None:
    open_host(page, server)
    ready = messages(page, "streamlit:componentReady")
    assert ready == [
        {"isStreamlitMessage": True, "type": "streamlit:componentReady", "apiVersion": 1}
    ]
    render(page, {"payload_url": KOREA_URL, "state": {"height": 500}})
    page.wait_for_function(
        "window.__messages.some(m => m.type === 'streamlit:setFrameHeight' && m.height === 500)"
    )
    frame_doc = inner(page)
    frame_doc.wait_for_selector("path[data-aa-role='feature']")
    assert frame_doc.evaluate("document.querySelector('.leaflet-container').clientHeight") == 500
    assert frame_doc.evaluate(
        "[document.body.getBoundingClientRect().top, getComputedStyle(document.body).margin]"
    ) == [0, "0px"]

    click_in_frame(page, CLICKABLE)
    page.wait_for_function("window.__messages.some(m => m.type === 'streamlit:setComponentValue')")
    value = messages(page, "streamlit:setComponentValue")[-1]
    assert value["isStreamlitMessage"] is True and value["dataType"] == "json"
    assert value["value"]["type"] == "click" and value["value"]["id"] == CLICKABLE
    assert value["value"]["seq"] == 1
    click_in_frame(page, CLICKABLE)  # the same line again is a new value
    page.wait_for_function(
        "window.__messages.filter(m => m.type === 'streamlit:setComponentValue').length === 2"
    )
    assert messages(page, "streamlit:setComponentValue")[-1]["value"]["seq"] == 2

    # a rerun: same payload URL, new state -> update only, no refetch, the map kept
    frame_doc.evaluate("window.__firstMap = document.querySelector('.leaflet-container')")
    render(page, {"payload_url": KOREA_URL, "state": {"height": 640, "selected": MDL}})
    page.wait_for_function(
        "window.__messages.some(m => m.type === 'streamlit:setFrameHeight' && m.height === 640)"
    )
    frame_doc.wait_for_selector("path[data-aa-role='casing']")
    assert frame_doc.evaluate("window.__firstMap === document.querySelector('.leaflet-container')")
    assert frame_doc.evaluate("document.querySelector('.leaflet-container').clientHeight") == 640
    fetched = [u for u in watch.requests if u.endswith("/component/" + KOREA_URL)]
    assert len(fetched) == 1

    # another theater: a new map from the new payload
    render(page, {"payload_url": INDOCHINA_URL, "state": {"height": 640}})
    frame_doc.wait_for_selector("path[data-aa-id='vn-1954-geneva-line']")
    assert frame_doc.locator(".leaflet-container").count() == 1
    # and back: served from memory
    render(page, {"payload_url": KOREA_URL, "state": {"height": 640}})
    frame_doc.wait_for_selector(f"path[data-aa-id='{MDL}']")
    fetched = [u for u in watch.requests if u.endswith("/component/" + KOREA_URL)]
    assert len(fetched) == 1
    shot(page, "renderer-component")


def test_component_forwards_keys(page: Any, server: str) -> None:
    open_host(page, server)
    render(page, {"payload_url": KOREA_URL, "state": {"height": 500, "keys": True}})
    frame_doc = inner(page)
    frame_doc.wait_for_selector("path[data-aa-role='feature']")
    frame_doc.focus(".aa-map")
    page.keyboard.press("PageDown")
    page.wait_for_function("window.__messages.some(m => m.value && m.value.type === 'key')")
    value = messages(page, "streamlit:setComponentValue")[-1]["value"]
    instance = value.pop("instance")
    assert value == {"type": "key", "key": "PageDown", "seq": 1}
    # each frame has its own random instance, so the app tells a new frame's first event
    # from the last one it handled (ui/mapview.py)
    assert re.fullmatch(r"[0-9a-z]{2,16}", instance)
    page.keyboard.press("PageUp")
    page.wait_for_function("window.__messages.filter(m => m.value && m.value.seq === 2).length")
    later = messages(page, "streamlit:setComponentValue")[-1]["value"]
    assert (later["instance"], later["seq"], later["key"]) == (instance, 2, "PageUp")


def draw_a_line_in_the_frame(page: Any, frame_doc: Any) -> None:
    """Draw a two-point line with Leaflet.draw's line tool in the component frame."""
    frame_doc.click(".leaflet-draw-draw-polyline")
    box = page.locator("#frame").bounding_box()
    size = frame_doc.evaluate("(() => window.__aaMaps.at(-1).leaflet.getSize())()")
    points = [(0.3, 0.85), (0.5, 0.8), (0.5, 0.8)]  # the last again finishes the line
    for fx, fy in points:
        click_like_a_person(page, box["x"] + fx * size["x"], box["y"] + fy * size["y"])


def test_component_loads_leaflet_draw_only_when_drawing_is_asked_for(
    page: Any, server: str, watch: Watch
) -> None:
    open_host(page, server)
    render(page, {"payload_url": KOREA_URL, "state": {"height": 500}})
    frame_doc = inner(page)
    frame_doc.wait_for_selector(f"path[data-aa-id='{MDL}']")
    page.wait_for_timeout(200)
    assert not [u for u in watch.requests if "leaflet.draw" in u]
    assert frame_doc.locator(".leaflet-draw-draw-polyline").count() == 0
    # the same map, now in the sandbox: the tools appear, the map is not made again
    frame_doc.evaluate("window.__aaMaps.at(-1).leaflet.__mark = 'first'")
    render(page, {"payload_url": KOREA_URL, "state": {"height": 500, "draw": True}})
    frame_doc.wait_for_selector(".leaflet-draw-draw-polyline")
    assert frame_doc.evaluate("window.__aaMaps.at(-1).leaflet.__mark") == "first"
    loaded = sorted(u.rsplit("/", 1)[-1] for u in watch.requests if "leaflet.draw" in u)
    assert loaded == ["leaflet.draw.css", "leaflet.draw.js"]
    # and what is drawn reaches the app (the renderer listens once Leaflet.draw is there)
    draw_a_line_in_the_frame(page, frame_doc)
    page.wait_for_function("window.__messages.some(m => m.value && m.value.type === 'draw')")
    # a second sandbox render loads nothing again
    render(page, {"payload_url": KOREA_URL, "state": {"height": 520, "draw": True}})
    page.wait_for_timeout(200)
    assert len([u for u in watch.requests if u.endswith("leaflet.draw.js")]) == 1


def test_component_draw_event_reaches_streamlit(page: Any, server: str) -> None:
    open_host(page, server)
    render(page, {"payload_url": KOREA_URL, "state": {"height": 600, "draw": True}})
    frame_doc = inner(page)
    frame_doc.wait_for_selector(".leaflet-draw-draw-polyline")
    draw_a_line_in_the_frame(page, frame_doc)
    page.wait_for_function("window.__messages.some(m => m.value && m.value.type === 'draw')")
    value = messages(page, "streamlit:setComponentValue")[-1]["value"]
    assert value["geometry"]["type"] == "LineString"
    assert len(value["geometry"]["coordinates"]) == 2


def test_component_load_failures_are_explained_without_details(
    page: Any, server: str, watch: Watch
) -> None:
    open_host(page, server)
    frame_doc = inner(page)
    cases = {
        "data/missing.json": "The map could not be loaded (missing.json: the server answered 404).",
        "data/broken.json?v=2": "The map could not be loaded "
        "(broken.json: the file is not valid JSON).",
        "data/wrong-format.json": "The map could not be loaded (wrong-format.json: "
        "it is not Armistice Atlas map data).",
    }
    for url, text in cases.items():
        render(page, {"payload_url": url, "state": {"height": 300}})
        frame_doc.wait_for_function(
            "t => document.getElementById('error').textContent === t", arg=text
        )
        assert frame_doc.locator("#error").is_visible()
        assert "http" not in frame_doc.inner_text("#error")
    # a good payload afterwards draws the map and hides the message
    render(page, {"payload_url": KOREA_URL, "state": {"height": 300}})
    frame_doc.wait_for_selector("path[data-aa-role='feature']")
    assert not frame_doc.locator("#error").is_visible()
    # the wrong format is logged to the console on purpose (the 404 is the browser's)
    expected = ("AtlasMapFormatError", "armistice-atlas-map/1", "404", "Failed to load resource")
    watch.errors = [e for e in watch.errors if not any(s in e for s in expected)]


def test_component_ignores_messages_from_elsewhere(page: Any, server: str) -> None:
    open_host(page, server)
    frame_doc = inner(page)
    # the frame posting to itself is not its parent: no map may appear
    frame_doc.evaluate(
        "window.postMessage({type: 'streamlit:render',"
        " args: {payload_url: 'data/korea.json', state: {}}}, '*')"
    )
    page.wait_for_timeout(300)
    assert frame_doc.locator(".leaflet-container").count() == 0
