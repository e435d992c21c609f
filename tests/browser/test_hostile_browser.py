"""Hostile input in a real chromium: poisoned records, an uploaded cable and URL parameters
full of markup and script are shown as text, and nothing of them runs.

The app is started on a copy of data/ whose titles, summaries, inference notes, references,
place names and spellings and cable titles, citations and summaries carry the payloads of
``tests/test_app_hostile.py`` (``ARMISTICE_DATA``), with added documents kept in a temporary
folder (``ARMISTICE_USER_DATA``). Every page and frame (the map is an iframe) gets a trap
for ``window.PWNED`` before any of its scripts run, so an assignment is seen even in a frame
that is gone by the time the test looks; a dialog (``alert``) fails the test too.

Same skip/fail rule as tests/browser/test_browser.py: skipped without chromium or
Playwright, a failure in CI (``CI=true``).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import test_app_hostile as hostile
import test_browser as tb
from _server import (  # tests/browser is on sys.path, like tests/ for conftest
    ARTIFACTS,
    REPO,
    launch_chromium,
    off_machine,
    require_browser,
    streamlit_server,
)

pytestmark = pytest.mark.browser

PAYLOADS = hostile.PAYLOADS
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'

#: Runs in every document (page and frames) before its own scripts: any write to
#: window.PWNED is logged to the console (the test listens) and readable afterwards.
TRAP_JS = """
(() => {
  let value;
  Object.defineProperty(window, "PWNED", {
    configurable: false,
    get() { return value; },
    set(v) { value = v; console.error("AA-PWNED " + v + " in " + location.href); },
  });
})();
"""

#: A synthetic document in the archive's web-page layout whose title, body, summary and
#: citation carry the payloads (invented for the test, not archival).
EVIL = hostile.EVIL
UPLOAD_ID = "990303"
UPLOAD_NAME = "<img src=x onerror=window.PWNED=7> cable.txt"  # no "/": the name is kept
UPLOAD = f"""Skip to content

July 4, 1954

Telegram, Hostile Test Command {EVIL}

Hostile Test Command to the Example Delegation:

Hold the road from Pleiku toward Route 19. {EVIL}
[click me]({hostile.JS_URL}) and <a href="{hostile.JS_URL}">this link</a>.

Hostile Test Command
July 4

A synthetic telegram about Pleiku for the hostile-input test. {EVIL}

Document Information


Invented for the test suite {EVIL}. Translated by Nobody.


Record ID

{UPLOAD_ID}
""".encode()


# ---------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = hostile.poison_data(tmp_path_factory.mktemp("hostile"))
    done = subprocess.run(
        [sys.executable, "-m", "geo", "validate", str(data)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"the poisoned records must stay valid:\n{done.stdout}"
    return data


@pytest.fixture(scope="module")
def user_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-user")


@pytest.fixture(scope="module")
def server(poisoned: Path, user_dir: Path) -> Iterator[str]:
    require_browser()
    env = {"ARMISTICE_DATA": str(poisoned), "ARMISTICE_USER_DATA": str(user_dir)}
    with streamlit_server("streamlit-hostile.log", env) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with launch_chromium() as chromium:
        yield chromium


class Watch:
    """What a page did that it must not: requests off the machine, dialogs, PWNED writes."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.dialogs: list[str] = []
        self.pwned: list[str] = []


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Any, watch: Watch) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.add_init_script(TRAP_JS)
    context.on("request", lambda r: watch.urls.append(r.url))
    pg = context.new_page()
    pg.set_default_timeout(30_000)

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_console(msg: Any) -> None:
        if "AA-PWNED" in msg.text:
            watch.pwned.append(msg.text)

    pg.on("dialog", on_dialog)
    pg.on("console", on_console)
    try:
        yield pg
    finally:
        context.close()


# ---------------------------------------------------------------------------------------
# helpers


def _wait_idle(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )


def _settle(page: Any) -> None:
    """The run is over and late handlers (an image's onerror, a frame's scripts) had time."""
    page.locator('[data-testid="stMainBlockContainer"]').wait_for(state="visible")
    _wait_idle(page)
    page.wait_for_timeout(700)
    _wait_idle(page)


def _map_frame(page: Any) -> Any:
    """The Leaflet frame (a Frame, for evaluate), once its records are drawn."""
    page.frame_locator(MAP_FRAME).first.locator("path.leaflet-interactive").first.wait_for(
        state="attached"
    )
    return page.locator(MAP_FRAME).first.element_handle().content_frame()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def assert_nothing_ran(page: Any, watch: Watch, where: str) -> None:
    """No PWNED in the page or any frame, no dialog, no traceback, no request off the machine."""
    for frame in page.frames:
        if frame.is_detached():
            continue
        assert frame.evaluate("() => typeof window.PWNED") == "undefined", (where, frame.url)
    assert watch.pwned == [], where
    assert watch.dialogs == [], where
    assert page.get_by_test_id("stException").count() == 0, f"{where}: a traceback is shown"
    assert not page.locator('a[href^="javascript:" i]').count(), f"{where}: a javascript: link"
    assert off_machine(watch.urls) == [], where


def page_text(page: Any) -> str:
    """Everything the page shows as text, the map frame's included."""
    parts = [page.inner_text("body")]
    for frame in page.frames[1:]:
        if not frame.is_detached():
            parts.append(frame.evaluate("() => document.body ? document.body.innerText : ''"))
    return "\n".join(parts)


def _wait_text(page: Any, prefix: str) -> None:
    """Wait (a while) until the page shows *prefix* with the payloads; the assertion after
    it says what is missing if it never does."""
    with contextlib.suppress(Exception):  # Playwright's TimeoutError
        page.wait_for_function(
            "s => document.body.innerText.includes(s)", arg=f"{prefix}{EVIL}", timeout=10_000
        )


def assert_shown_as_text(text: str, where: str, prefix: str) -> None:
    """*prefix* and every payload after it are on the page literally (escaped, not dropped
    and not turned into markup)."""
    if f"{prefix}{EVIL}" in text:
        return
    at = text.find(prefix)
    shown = text[at : at + len(prefix) + len(EVIL) + 20] if at >= 0 else "(not found)"
    missing = [p for p in PAYLOADS if p not in shown]
    pytest.fail(f"{where}: {prefix!r} + payloads not shown as text; missing {missing}: {shown!r}")


# ---------------------------------------------------------------------------------------
# 1. poisoned records on every screen


def test_poisoned_line_on_the_map_hover_click_and_panel(
    page: Any, server: str, watch: Watch
) -> None:
    page.goto(f"{server}/?theater=indochina")
    _settle(page)
    frame = _map_frame(page)
    frame.wait_for_function("() => window.map")
    point = frame.evaluate(tb.POINT_ON, hostile.POISONED_LINE)
    assert point, "the poisoned line is not on the map"
    box = page.locator(MAP_FRAME).first.bounding_box()
    x, y = box["x"] + point["x"], box["y"] + point["y"]
    page.mouse.move(x, y)
    tooltip = page.frame_locator(MAP_FRAME).first.locator(".leaflet-tooltip")
    tooltip.filter(has_text="DRV maximum").first.wait_for(state="visible")
    assert_shown_as_text(tooltip.first.inner_text(), "map tooltip", "DRV maximum ")
    assert_nothing_ran(page, watch, "map, hover")

    page.mouse.click(x, y)
    page.wait_for_function("() => location.search.includes('line=vn-1954-drv-maximum')")
    page.get_by_text("Partly inferred").wait_for(state="visible")
    _settle(page)
    _map_frame(page)
    text = page_text(page)
    for prefix in ("DRV maximum ", "Summary ", "Inference ", "Reference ", "Citation "):
        assert_shown_as_text(text, "side panel", prefix)
    assert_shown_as_text(text, "side panel", "Cable from Li Kenong ")
    assert_shown_as_text(text, "side panel", "Archive ")
    assert_shown_as_text(text, "place pills", "Cheo Reo ")
    heading = page.get_by_role("heading", level=3).filter(has_text="DRV maximum").first
    assert heading.inner_text().strip() == f"DRV maximum {EVIL}"
    # the hostile https address in the records stays inside its (encoded) link target
    assert not page.locator('a[href="#"]').count()
    assert not page.locator("a[href*='<img']").count()
    assert_nothing_ran(page, watch, "map, panel")
    _shot(page, "hostile-map-panel")


SCREENS = {
    "compare": (
        "theater=indochina&compare=vn-1954-drv-maximum,vn-1954-geneva-line",
        ["DRV maximum ", "Hue "],
    ),
    "timeline": ("theater=indochina&view=timeline&date=1954-07-21", ["DRV maximum "]),
    "cables": (
        f"view=cables&cable={hostile.POISONED_CABLE}",
        ["Cable from Li Kenong ", "Citation ", "Archive ", "DRV maximum ", "Cheo Reo "],
    ),
    "present": ("view=present&story=geneva-1954&step=1", ["DRV maximum ", "Citation "]),
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_poisoned_records_on_every_screen(
    page: Any, server: str, watch: Watch, screen: str
) -> None:
    query, prefixes = SCREENS[screen]
    page.goto(f"{server}/?{query}")
    _settle(page)
    if screen != "cables":
        _map_frame(page)
    for prefix in prefixes:
        _wait_text(page, prefix)
    text = page_text(page)
    for prefix in prefixes:
        assert_shown_as_text(text, screen, prefix)
    if screen == "cables":  # the poisoned cable in the reader
        heading = page.get_by_role("heading", level=3).filter(has_text="Cable from Li Kenong")
        assert heading.first.inner_text().strip() == f"Cable from Li Kenong {EVIL}"
    assert_nothing_ran(page, watch, screen)
    _shot(page, f"hostile-{screen}")


def test_poisoned_records_in_the_sources_tables(page: Any, server: str, watch: Watch) -> None:
    page.goto(f"{server}/?theater=indochina&view=sources")
    _settle(page)
    # the grids are canvases; their accessible cells carry the text
    cells = page.locator("[data-testid=stDataFrame] [role=gridcell]")
    cells.filter(has_text="DRV maximum").first.wait_for(state="attached")
    texts = "\n".join(cells.all_inner_texts())
    for prefix in ("DRV maximum ", "Cheo Reo ", "Cable from Li Kenong "):
        assert_shown_as_text(texts, "sources", prefix)
    assert_nothing_ran(page, watch, "sources")
    _shot(page, "hostile-sources")


# ---------------------------------------------------------------------------------------
# 2. an uploaded document full of markup


def test_an_uploaded_hostile_cable_is_read_as_text(
    page: Any, server: str, watch: Watch, user_dir: Path
) -> None:
    page.goto(f"{server}/?view=cables")
    _settle(page)
    page.get_by_text("Add documents of your own").first.click()
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": UPLOAD_NAME, "mimeType": "text/plain", "buffer": UPLOAD}]
    )
    page.get_by_test_id("stAlertContentSuccess").first.wait_for(state="visible")
    page.wait_for_function(f"() => location.search.includes('cable={UPLOAD_ID}')")
    _settle(page)
    assert (user_dir / f"{UPLOAD_ID}.txt").read_bytes() == UPLOAD
    success = page.get_by_test_id("stAlertContentSuccess").first.inner_text()
    assert UPLOAD_NAME in success
    assert_shown_as_text(success, "upload message", "Telegram, Hostile Test Command ")

    heading = page.get_by_role("heading", level=3).filter(has_text="Hostile Test Command")
    assert heading.first.inner_text().strip() == f"Telegram, Hostile Test Command {EVIL}"
    reader = page.locator(".aa-reader").first.inner_text()
    assert_shown_as_text(reader, "reader", "toward Route 19. ")
    assert f"[click me]({hostile.JS_URL})" in reader
    assert f'<a href="{hostile.JS_URL}">this link</a>' in reader
    assert page.locator('.aa-reader a.aa-place[data-place="pleiku"]').count() >= 1
    text = page_text(page)
    assert_shown_as_text(text, "archive summary", "for the hostile-input test. ")
    assert_shown_as_text(text, "citation", "Invented for the test suite ")
    assert_nothing_ran(page, watch, "upload")
    _shot(page, "hostile-upload")


# ---------------------------------------------------------------------------------------
# 3. URL parameters


HOSTILE_URLS = hostile.HOSTILE_URLS


@pytest.mark.parametrize("case", list(HOSTILE_URLS))
def test_hostile_url_parameters_warn_and_fall_back(
    page: Any, server: str, watch: Watch, case: str
) -> None:
    params, bad = HOSTILE_URLS[case]
    page.goto(f"{server}/?{urlencode(params)}")
    page.get_by_test_id("stAlertContentWarning").first.wait_for(state="visible")
    _settle(page)
    warnings = "\n".join(page.get_by_test_id("stAlertContentWarning").all_inner_texts())
    for name in bad:
        assert f"URL parameter {name}=" in warnings, (name, warnings)
    # the value is quoted in the warning as text (a backtick becomes a quote in the code span)
    for name in bad:
        value = " ".join(params[name].split()).replace("`", "'")
        assert f"{name}={value}" in warnings or len(value) > 80, (name, warnings)
    assert_nothing_ran(page, watch, case)
    query = parse_qs(urlparse(page.url).query)
    if case == "every parameter":
        assert query["theater"] == ["korea"]
        for name in bad[1:]:
            assert name not in query
        assert query["view"] == ["cables"]  # the link was about a cable: the list of them
    elif case in ("view", "line breaks"):
        assert "view" not in query and not {"compare", "line"} & set(query)  # the map
    elif case == "story":
        assert query["view"] == ["present"] and "story" not in query  # the list of stories
        assert page.get_by_role("button", name="Start presenting").count() >= 1
    else:
        assert query["view"] == ["present"] and query["step"] == ["1"]
        assert re.search(r"\b1 / \d+\b", page.inner_text("body"))
    _shot(page, f"hostile-url-{case.replace(' ', '-')}")
