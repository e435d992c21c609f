"""The Cables screen in a real chromium: a cable link opens the reader, a highlighted place
opens the map on it, and a file uploaded through the real file input is stored and listed.

The server keeps added documents in a temporary folder (``$ARMISTICE_USER_DATA``); every
request the pages make must stay on this machine. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _server import (  # tests/browser is on sys.path, like tests/ for conftest
    ARTIFACTS,
    launch_chromium,
    off_machine,
    require_browser,
    streamlit_server,
)

import geo

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: A short synthetic document in the archive's web-page layout (invented, not archival).
UPLOAD = b"""Skip to content

July 3, 1954

Telegram, Browser Test Command to Example Delegation

Browser Test Command to the Example Delegation:

Hold the road from Pleiku toward Route 19; report on the 17th parallel talks.

Browser Test Command
July 3

A synthetic telegram written for the Armistice Atlas browser test.

Document Information


Invented for the test suite.


Record ID

990202
"""


@pytest.fixture(scope="module")
def user_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("user-cables")


@pytest.fixture(scope="module")
def server(user_dir: Path) -> Iterator[str]:
    require_browser()
    with streamlit_server("streamlit-cables.log", {"ARMISTICE_USER_DATA": str(user_dir)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def seen() -> list[str]:
    return []


@pytest.fixture
def page(browser: Any, seen: list[str]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.on("request", lambda r: seen.append(r.url))
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        context.close()


def _wait_idle(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_a_highlighted_place_opens_the_map_on_it(page: Any, server: str, seen: list[str]) -> None:
    page.goto(f"{server}/?view=cables&cable=110145")
    place = page.locator('.aa-reader a.aa-place[data-place="cheo-reo"]').first
    place.wait_for(state="visible")
    assert place.inner_text() == "Jiao-yao [sic]"
    # the place sits inside the marked evidence phrase of the DRV's maximum line
    mark = page.locator('.aa-reader mark.aa-ev[data-line="vn-1954-drv-maximum"]').first
    assert mark.locator('a[data-place="cheo-reo"]').count() == 1
    assert page.get_by_role("heading", name="Cable from Li Kenong").first.is_visible()
    _wait_idle(page)
    place.scroll_into_view_if_needed()
    _shot(page, "cables-reader-110145")

    place.click()
    page.wait_for_url("**place=cheo-reo**")
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container").wait_for(state="visible")
    _wait_idle(page)
    target = geo.load_atlas().places["cheo-reo"]
    handle = page.locator(MAP_FRAME).first.element_handle()
    handle.content_frame().wait_for_function(
        "([lat, lon]) => window.map && Math.abs(window.map.getCenter().lat - lat) < 0.05 &&"
        " Math.abs(window.map.getCenter().lng - lon) < 0.05",
        arg=[target.lat, target.lon],
    )
    assert page.get_by_role("radio", name="Map", exact=True).get_attribute("aria-checked") == (
        "true"
    )
    _shot(page, "cables-place-on-map")
    assert off_machine(seen) == []


def test_an_uploaded_file_is_stored_and_listed(
    page: Any, server: str, user_dir: Path, seen: list[str]
) -> None:
    page.goto(f"{server}/?view=cables")
    page.get_by_text("Add documents of your own").first.click()
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "browser-upload.txt", "mimeType": "text/plain", "buffer": UPLOAD}]
    )
    page.get_by_test_id("stAlertContentSuccess").first.wait_for(state="visible")
    _wait_idle(page)
    assert (user_dir / "990202.txt").read_bytes() == UPLOAD
    assert "browser-upload.txt" in page.get_by_test_id("stAlertContentSuccess").first.inner_text()
    # open in the reader, with the places it names linked to the map
    heading = page.get_by_role("heading", name="Telegram, Browser Test Command")
    heading.first.wait_for(state="visible")
    assert page.locator('.aa-reader a.aa-place[data-place="pleiku"]').count() == 1
    page.wait_for_function("() => location.search.includes('cable=990202')")
    heading.first.scroll_into_view_if_needed()
    _shot(page, "cables-upload")

    # and listed, also for a new session (the grid is a canvas: read its accessible cells)
    page.goto(f"{server}/?view=cables")
    cells = page.get_by_test_id("stDataFrame").first.locator("[role=gridcell]")
    title = "Telegram, Browser Test Command to Example Delegation"
    cells.filter(has_text=title).first.wait_for(state="attached")
    texts = cells.all_inner_texts()
    row = texts.index(title)
    assert texts[row - 2 : row] == ["1954-07-03", "Indochina"]
    assert "added by you" in texts[row:]
    _wait_idle(page)
    _shot(page, "cables-upload-listed")
    assert off_machine(seen) == []
