"""The Documents screen in a real chromium: a marked place in the reader opens the map on it,
the reader's place buttons fly the map, and a file uploaded through the real file input is
kept (in this session, or in the shared library of a local app) and opens in the reader.

The app runs in local mode (loopback) with its shared library in a temporary folder
(``$ARMISTICE_USER_DATA``); every request the pages make must stay on this machine.
Screenshots go to ``test-artifacts/documents-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _server import (  # tests/browser is on sys.path, like tests/ for conftest
    browser,
    map_frame,
    page,
    require_browser,
    settle,
    shot,
    streamlit_server,
    watch,
)

from conftest import require_corpus
from geo import Atlas

pytestmark = pytest.mark.browser
__all__ = ["browser", "page", "watch"]  # fixtures used by name

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
TITLE = "Telegram, Browser Test Command to Example Delegation"


@pytest.fixture(scope="module")
def user_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("user-documents")


@pytest.fixture(scope="module")
def server(user_dir: Path) -> Iterator[str]:
    require_browser()
    require_corpus()
    env = {"ARMISTICE_USER_DATA": str(user_dir), "ARMISTICE_MODE": None}
    with streamlit_server("streamlit-documents.log", env) as url:
        yield url


def wait_centred_on(page: Any, lat: float, lon: float) -> None:
    frame = map_frame(page)
    frame.wait_for_function(
        """([lat, lon]) => { const m = window.__aaMaps.at(-1).leaflet, c = m.getCenter();
             return Math.abs(c.lat - lat) < 0.05 && Math.abs(c.lng - lon) < 0.05; }""",
        arg=[lat, lon],
    )
    assert frame.evaluate("window.__aaMaps.at(-1).leaflet.getZoom()") >= 8


def test_a_marked_place_opens_the_map_on_it(page: Any, server: str, atlas: Atlas) -> None:
    page.goto(f"{server}/?view=documents&doc=110145")
    settle(page)
    place = page.locator('.aa-doc-text a.aa-place[data-place="cheo-reo"]').first
    place.wait_for(state="visible")
    assert place.inner_text() == "Jiao-yao [sic]"
    # the place sits inside the marked evidence phrase of the DRV's maximum line
    mark = page.locator('.aa-doc-text mark.aa-ev[data-line="vn-1954-drv-maximum"]').first
    assert mark.locator('a[data-place="cheo-reo"]').count() == 1
    place.scroll_into_view_if_needed()
    shot(page, "documents-reader-110145")

    place.click()
    page.wait_for_url("**place=cheo-reo**")
    settle(page)
    target = atlas.places["cheo-reo"]
    wait_centred_on(page, target.lat, target.lon)
    frame = map_frame(page)
    assert frame.locator(".aa-label-marker").inner_text() == target.label
    assert "view=" not in page.url  # the map screen
    shot(page, "documents-place-on-map")


def test_a_place_button_flies_the_map(page: Any, server: str, atlas: Atlas) -> None:
    page.goto(f"{server}/?view=documents&doc=110145")
    settle(page)
    target = atlas.places["pleiku"]
    page.locator(".st-key-aa_doc_place_pleiku button").click()
    page.wait_for_function("() => location.search.includes('place=pleiku')")
    settle(page)
    wait_centred_on(page, target.lat, target.lon)
    shot(page, "documents-place-button")


def test_an_uploaded_file_stays_in_the_session(page: Any, server: str, user_dir: Path) -> None:
    page.goto(f"{server}/?view=documents")
    settle(page)
    page.get_by_text("Add documents of your own").first.click()
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "browser-upload.txt", "mimeType": "text/plain", "buffer": UPLOAD}]
    )
    page.get_by_test_id("stAlertContentSuccess").first.wait_for(timeout=60_000)
    settle(page)
    success = page.get_by_test_id("stAlertContentSuccess").first.inner_text()
    assert "browser-upload.txt" in success and "in this session only" in success
    assert not (user_dir / "990202.txt").exists()
    heading = page.get_by_role("heading", name=TITLE)
    heading.first.wait_for()
    page.wait_for_function("() => location.search.includes('doc=session')")
    # the places it names are marked and linked to the map
    assert page.locator('.aa-doc-text a.aa-place[data-place="pleiku"]').count() >= 1
    heading.first.scroll_into_view_if_needed()
    shot(page, "documents-upload-session")


def test_an_upload_to_the_shared_library_is_kept_for_everyone(
    browser: Any, page: Any, server: str, user_dir: Path
) -> None:
    page.goto(f"{server}/?view=documents")
    settle(page)
    page.get_by_text("Add documents of your own").first.click()
    page.get_by_text("in the shared library (everyone sees them)").click()
    settle(page)
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "library-upload.txt", "mimeType": "text/plain", "buffer": UPLOAD}]
    )
    page.get_by_test_id("stAlertContentSuccess").first.wait_for(timeout=60_000)
    settle(page)
    assert (
        "in the shared library" in page.get_by_test_id("stAlertContentSuccess").first.inner_text()
    )
    assert (user_dir / "990202.txt").read_bytes() == UPLOAD
    # a new session (a new page load) finds it, by its link
    page.goto(f"{server}/?view=documents&doc=library:990202")
    settle(page)
    page.get_by_role("heading", name=TITLE).first.wait_for()
    assert "Hold the road from Pleiku" in page.locator(".aa-doc-text").first.inner_text()
    shot(page, "documents-upload-library")
