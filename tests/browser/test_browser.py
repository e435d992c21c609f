"""The app in a real chromium: the map draws, clicks select, compare shades, links restore,
and no request leaves the machine.

A real ``streamlit run app.py`` is started once per module on a free loopback port with the
shared corpus; every page records each request it (and its frames) makes. Without chromium
or Playwright these tests are skipped, except in CI (``CI=true``) where that is a failure.
Screenshots go to ``test-artifacts/`` (look at them).

The fixtures live here, not in a conftest.py: tests/conftest.py is imported by name
(``from conftest import ...``) and a second conftest module would shadow it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from _server import (  # tests/browser is on sys.path, like tests/ for conftest
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    launch_chromium,
    off_machine,
    require_browser,
    streamlit_server,
    unavailable,
)

import geo

pytestmark = pytest.mark.browser


REPO = Path(__file__).resolve().parents[2]
__all__ = ["ARTIFACTS", "CHROMIUM", "CHROMIUM_ARGS", "off_machine", "unavailable"]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """Base URL of ``streamlit run app.py`` on a free loopback port."""
    require_browser()
    with streamlit_server("streamlit-server.log", {}) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with launch_chromium() as chromium:
        yield chromium


class Recorder:
    """Every URL requested by a page and its frames."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, request: Any) -> None:
        self.urls.append(request.url)


@pytest.fixture
def requests_seen() -> Recorder:
    return Recorder()


@pytest.fixture
def page(browser: Any, requests_seen: Recorder) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.on("request", requests_seen)
    pg = context.new_page()
    pg.on("request", requests_seen)
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        context.close()


MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


@pytest.fixture(scope="module")
def atlas() -> geo.Atlas:
    return geo.load_atlas()


def _map(page: Any) -> Any:
    """The Leaflet frame, once the map is drawn."""
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container").wait_for(state="visible")
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached")
    return frame


def _map_frame(page: Any) -> Any:
    """The Frame object (for evaluate) of the st_folium iframe."""
    handle = page.locator(MAP_FRAME).first.element_handle()
    return handle.content_frame()


def _wait_idle(page: Any) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


# Finds a point on the record's path that is really on top (not under another layer) and
# returns it in page coordinates of the map frame.
POINT_ON = """
(id) => {
  let target = null;
  window.map.eachLayer(l => { if (l.feature && l.feature.id === id && l._path) target = l; });
  if (!target) return null;
  const flat = [];
  const walk = a => Array.isArray(a) ? a.forEach(walk) : flat.push(a);
  walk(target.getLatLngs());
  const box = window.map.getContainer().getBoundingClientRect();
  for (let i = 0; i < 200; i++) {
    const k = Math.floor(flat.length / 2) + (i % 2 ? 1 : -1) * Math.floor(i / 2);
    if (k < 0 || k + 1 >= flat.length) continue;
    for (const t of [0.5, 0.25, 0.75, 0.1, 0.9]) {
      const ll = L.latLng(flat[k].lat + t * (flat[k + 1].lat - flat[k].lat),
                          flat[k].lng + t * (flat[k + 1].lng - flat[k].lng));
      const p = window.map.latLngToContainerPoint(ll);
      const x = box.left + p.x, y = box.top + p.y;
      if (document.elementFromPoint(x, y) === target._path) return {x, y};
    }
  }
  return null;
}
"""


def _click_record(page: Any, record_id: str) -> None:
    _map(page)
    frame = _map_frame(page)
    point = frame.evaluate(POINT_ON, record_id)
    assert point, f"{record_id} is not clickable on the map"
    box = page.locator(MAP_FRAME).first.bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


@pytest.mark.parametrize("theater", ["korea", "indochina"])
def test_map_renders_every_record(
    page: Any, server: str, atlas: geo.Atlas, theater: str, requests_seen: Recorder
) -> None:
    page.goto(f"{server}/?theater={theater}")
    frame = _map(page)
    expected = len(atlas.lines_in(theater))
    page.wait_for_function(
        """([sel, n]) => {
             const f = document.querySelector(sel);
             return f && f.contentDocument &&
               f.contentDocument.querySelectorAll('path.leaflet-interactive').length >= n;
           }""",
        arg=[MAP_FRAME, expected],
    )
    assert frame.locator("path.leaflet-interactive").count() >= expected
    assert frame.locator(".aa-legend").is_visible()
    _wait_idle(page)
    _shot(page, f"map-{theater}")
    assert off_machine(requests_seen.urls) == []


def test_click_on_a_line_shows_its_cable(page: Any, server: str, atlas: geo.Atlas) -> None:
    page.goto(f"{server}/?theater=indochina")
    _wait_idle(page)
    _click_record(page, "vn-1954-drv-maximum")
    cable = atlas.cables["110145"]
    panel = page.get_by_text("PRC FMA 206-00046-34", exact=False).first
    panel.wait_for(state="visible")
    assert page.get_by_role("heading", name=atlas.lines["vn-1954-drv-maximum"].title).is_visible()
    assert page.locator("mark.aa-ev").first.is_visible()
    page.wait_for_function("() => location.search.includes('line=vn-1954-drv-maximum')")
    assert cable.archive in page.inner_text("body")
    _map(page)
    _shot(page, "click-line-panel")


def test_place_in_the_panel_flies_the_map(page: Any, server: str, atlas: geo.Atlas) -> None:
    page.goto(f"{server}/?theater=indochina&line=vn-1954-drv-maximum")
    _wait_idle(page)
    _map(page)
    place = atlas.places["pleiku"]
    page.get_by_role("radio", name=place.label, exact=True).first.click()
    page.wait_for_function("() => location.search.includes('place=pleiku')")
    _wait_idle(page)
    _map(page)
    frame = _map_frame(page)
    frame.wait_for_function(
        "([lat, lon]) => window.map && Math.abs(window.map.getCenter().lat - lat) < 0.05 &&"
        " Math.abs(window.map.getCenter().lng - lon) < 0.05",
        arg=[place.lat, place.lon],
    )
    assert frame.evaluate("() => window.map.getZoom()") >= 8
    _shot(page, "fly-to-pleiku")


def test_compare_shows_the_area_between(page: Any, server: str) -> None:
    page.goto(f"{server}/?theater=indochina&compare=vn-1954-drv-minimum,vn-1954-french-18th")
    metric = page.get_by_test_id("stMetric").filter(has_text="Area between").first
    metric.wait_for(state="visible")
    value = metric.get_by_test_id("stMetricValue").inner_text()
    km2 = float(re.sub(r"[^0-9.]", "", value))
    assert 5_000 < km2 < 60_000, value
    frame = _map(page)
    # the shaded land between the two lines, drawn by geo.render in its own colour
    assert frame.locator('path[fill="#009E73"]').count() >= 1
    assert page.get_by_text("Places that change side").is_visible()
    changes = page.get_by_test_id("stTable").filter(has_text="Hue")
    assert changes.first.is_visible()
    _wait_idle(page)
    _shot(page, "compare-16th-18th")


def test_deep_link_restores_the_view(page: Any, server: str, atlas: geo.Atlas) -> None:
    line = atlas.lines["vn-1954-drv-minimum"]
    page.goto(f"{server}/?theater=indochina&line={line.id}&view=map")
    page.get_by_role("heading", name=line.title).wait_for(state="visible")
    assert page.get_by_text("the minimum is the 16th parallel").first.is_visible()
    theater = page.get_by_role("radio", name="Indochina 1954 (with Laos)")
    assert theater.get_attribute("aria-checked") == "true"
    _map(page)
    _wait_idle(page)
    query = parse_qs(urlparse(page.url).query)
    assert query["theater"] == ["indochina"]
    assert query["line"] == [line.id]
    _shot(page, "deep-link-line")

    page.goto(f"{server}/?theater=korea&date=1951-08-12")
    page.get_by_text("By 12 August 1951").wait_for(state="visible")
    assert page.get_by_text("On the table").is_visible()
    _map(page)
    _wait_idle(page)
    _shot(page, "deep-link-timeline")


def test_bad_link_warns_and_falls_back(page: Any, server: str) -> None:
    page.goto(f"{server}/?theater=atlantis&line=nope")
    warning = page.get_by_test_id("stAlertContentWarning").first
    warning.wait_for(state="visible")
    text = page.inner_text("body")
    assert "theater=atlantis" in text and "line=nope" in text
    _map(page)
    _wait_idle(page)
    assert parse_qs(urlparse(page.url).query)["theater"] == ["korea"]


def test_every_request_stays_on_this_machine(
    page: Any, server: str, requests_seen: Recorder
) -> None:
    """Visit every screen of both theaters: nothing may be fetched from the internet."""
    for query in (
        "theater=korea&line=kr-1953-mdl",
        "theater=indochina&view=compare",
        "theater=indochina&view=timeline&date=1954-07-20",
        "theater=korea&view=sources",
    ):
        page.goto(f"{server}/?{query}")
        _wait_idle(page)
        if "sources" not in query:
            _map(page)
        page.wait_for_timeout(500)
    _shot(page, "sources")
    assert len(requests_seen.urls) > 20
    assert off_machine(requests_seen.urls) == []
