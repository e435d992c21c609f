"""Presentation mode in a real chromium: keys and clicker keys move through a story (also with
the focus inside the map's frame), the map fills the screen at projector sizes, and nothing is
fetched from off the machine.

The app is started for this module (tests/browser/_server.py); without chromium or
Playwright these tests skip, except with ``CI=true`` where they fail. Screenshots at
projector sizes go to ``test-artifacts/present-*.png``: look at them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from _server import (  # tests/browser is on sys.path, like tests/ for conftest
    MAP_IFRAME,
    Watch,
    browser,
    click_empty_map_spot,
    map_frame,
    new_page,
    page,
    require_browser,
    settle,
    shot,
    streamlit_server,
    wait_idle,
    watch,
)

from geo import Atlas
from geo.stories import Story, load_stories

pytestmark = pytest.mark.browser
__all__ = ["browser", "page", "watch"]  # fixtures used by name

KOREA = "korea-1951"
TITLE = "h1.aa-step-title"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    require_browser()
    with streamlit_server("streamlit-present.log", {}) as url:
        yield url


@pytest.fixture(scope="module")
def story(atlas: Atlas) -> Story:
    return load_stories(atlas)[KOREA]


def _step_param(page: Any) -> str:
    return parse_qs(urlparse(page.url).query).get("step", [""])[0]


def _open(page: Any, server: str, step: int) -> None:
    page.goto(f"{server}/?view=present&story={KOREA}&step={step}")
    page.locator(TITLE).wait_for(state="visible")
    page.locator(".st-key-aa_present_next button").wait_for(state="visible")
    settle(page)


_SHOWN = """([n, title, caption]) => {
  const text = s => (document.querySelector(s)?.textContent || "").replace(/\\s+/g, " ").trim();
  return text("h1.aa-step-title") === title && text("p.aa-caption") === caption &&
    text(".aa-counter").startsWith(n + " /") &&
    new URLSearchParams(location.search).get("step") === String(n);
}"""


def _expect_step(page: Any, story: Story, index: int) -> None:
    """Wait until step *index* (0-based) is shown, whole, and in the URL."""
    step = story.steps[index]
    caption = " ".join(step.caption.split())
    page.wait_for_function(_SHOWN, arg=[index + 1, step.title, caption])
    wait_idle(page)
    assert page.evaluate(_SHOWN, [index + 1, step.title, caption])
    assert page.locator(".aa-counter").inner_text() == f"{index + 1} / {len(story.steps)}"


def test_keys_move_through_the_story(page: Any, server: str, story: Story) -> None:
    _open(page, server, 2)
    _expect_step(page, story, 1)
    first_caption = page.locator("p.aa-caption").first.inner_text()
    page.keyboard.press("ArrowRight")
    _expect_step(page, story, 2)
    assert page.locator("p.aa-caption").first.inner_text() != first_caption
    assert _step_param(page) == "3"
    page.keyboard.press("PageDown")  # what a presentation clicker sends
    _expect_step(page, story, 3)
    page.keyboard.press("ArrowLeft")
    _expect_step(page, story, 2)
    page.keyboard.press("PageUp")
    _expect_step(page, story, 1)
    page.keyboard.press("End")
    _expect_step(page, story, len(story.steps) - 1)
    page.keyboard.press("Home")
    _expect_step(page, story, 0)
    map_frame(page)
    shot(page, "present-keys-step-1")


def test_visible_buttons_are_keyboard_reachable(page: Any, server: str, story: Story) -> None:
    _open(page, server, 1)
    next_button = page.locator(".st-key-aa_present_next button")
    for _ in range(40):  # Tab through the page until the Next button has the focus
        page.keyboard.press("Tab")
        if next_button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("the Next button cannot be reached with Tab")
    page.keyboard.press("Enter")
    _expect_step(page, story, 1)


@pytest.mark.parametrize(
    ("key", "delta"),
    [("PageDown", 1), ("PageUp", -1), ("ArrowRight", 1), ("ArrowLeft", -1), ("End", 99)],
)
def test_clicker_works_after_clicking_the_map(
    page: Any, server: str, story: Story, key: str, delta: int
) -> None:
    """A presenter who clicked the map has the focus inside its frame: the keys still work."""
    _open(page, server, 4)
    click_empty_map_spot(page)
    page.keyboard.press(key)
    target = len(story.steps) - 1 if delta == 99 else 3 + delta
    _expect_step(page, story, target)
    # and once more: the map, redrawn for the new step, still forwards them
    click_empty_map_spot(page)
    page.keyboard.press("Home")
    _expect_step(page, story, 0)


def test_keys_are_ignored_in_a_text_field(page: Any, server: str, story: Story) -> None:
    """Arrow keys in an input edit the input; they do not turn the page."""
    _open(page, server, 3)
    page.evaluate(
        """() => { const i = document.createElement('input'); i.id = 'aa-probe';
                   document.body.prepend(i); i.focus(); }"""
    )
    page.keyboard.type("abc")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("PageDown")
    page.wait_for_timeout(1500)
    assert _step_param(page) == "3"
    assert page.locator(TITLE).inner_text() == story.steps[2].title


@pytest.mark.parametrize(("width", "height"), [(1600, 1000), (1280, 720), (1024, 768)])
def test_the_map_fills_the_screen(
    browser: Any, server: str, watch: Watch, width: int, height: int
) -> None:
    pg = new_page(browser, watch, width, height)
    try:
        _open(pg, server, 6)
        frame = map_frame(pg)
        pg.wait_for_timeout(500)
        shot(pg, f"present-{width}x{height}")
        # no Streamlit header, toolbar or sidebar, and none of the app's menus
        for selector in ('[data-testid="stHeader"]', '[data-testid="stSidebar"]', ".st-key-aa_nav"):
            assert not pg.locator(selector).first.is_visible(), selector
        box = pg.locator(MAP_IFRAME).first.bounding_box()
        assert box["width"] >= 0.6 * width, box
        # the whole map is on the screen, and reaches near its bottom
        assert box["y"] + box["height"] <= height, (box, height)
        assert box["y"] + box["height"] > height - 60, (box, height)
        # the Leaflet map inside the frame fills the frame
        inner = frame.evaluate("document.querySelector('.leaflet-container').clientHeight")
        assert inner >= box["height"] - 4, (inner, box)
        assert pg.locator(TITLE).is_visible()
        assert pg.locator("p.aa-caption").first.is_visible()
    finally:
        pg.context.close()
    watch.check(f"{width}x{height}")


def test_bad_story_link_warns(page: Any, server: str) -> None:
    page.goto(f"{server}/?view=present&story=atlantis&step=2")
    warning = page.get_by_test_id("stAlertContentWarning").first
    warning.wait_for(state="visible")
    assert "story=atlantis" in page.inner_text("body")
    page.get_by_role("button", name="Start presenting").first.wait_for(state="visible")
    settle(page)
    assert "story" not in parse_qs(urlparse(page.url).query)
    shot(page, "present-story-list")
