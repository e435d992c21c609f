"""Presentation mode in a real chromium: keys and clicker keys move through a story, the map
fills the screen, and nothing is fetched from off the machine.

The server, browser and page fixtures are tests/browser/test_browser.py's (imported, so
this module starts its own server); the same skip/fail rule applies: without chromium or
Playwright these tests skip, except with ``CI=true`` where they fail. Screenshots at
projector sizes go to ``test-artifacts/present-*.png``: look at them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import test_browser as tb

from geo.stories import Story, load_stories

pytestmark = pytest.mark.browser

# test_browser's fixtures, by name (this module gets its own server from them)
server, browser, page, requests_seen = tb.server, tb.browser, tb.page, tb.requests_seen
MAP_FRAME, Recorder = tb.MAP_FRAME, tb.Recorder
_map, _off_machine, _shot, _wait_idle = tb._map, tb.off_machine, tb._shot, tb._wait_idle

KOREA = "korea-1951"
TITLE = "h1.aa-step-title"


@pytest.fixture(scope="module")
def story() -> Story:
    import geo

    return load_stories(geo.load_atlas())[KOREA]


def _step_param(page: Any) -> str:
    return parse_qs(urlparse(page.url).query).get("step", [""])[0]


def _open(page: Any, server: str, step: int) -> None:
    page.goto(f"{server}/?view=present&story={KOREA}&step={step}")
    page.locator(TITLE).wait_for(state="visible")
    page.locator(".st-key-aa_present_next button").wait_for(state="visible")
    _wait_idle(page)


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
    _wait_idle(page)
    assert page.evaluate(_SHOWN, [index + 1, step.title, caption])
    assert page.locator(".aa-counter").inner_text() == f"{index + 1} / {len(story.steps)}"


def test_keys_move_through_the_story(
    page: Any, server: str, story: Story, requests_seen: Recorder
) -> None:
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
    _map(page)
    _shot(page, "present-keys-step-1")
    assert _off_machine(requests_seen.urls) == []


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


def test_clicker_works_after_clicking_the_map(page: Any, server: str, story: Story) -> None:
    """A presenter who clicked the map has the focus inside its frame: PageDown still works."""
    _open(page, server, 4)
    frame = _map(page)
    frame.locator("#aa-fit").wait_for(state="attached")  # the script has reached the frame
    frame.locator(".leaflet-container").focus()
    page.keyboard.press("PageDown")
    _expect_step(page, story, 4)
    frame = _map(page)
    frame.locator("#aa-fit").wait_for(state="attached")
    frame.locator(".leaflet-container").focus()
    page.keyboard.press("PageUp")
    _expect_step(page, story, 3)


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
    browser: Any, server: str, story: Story, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    seen = Recorder()
    context.on("request", seen)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        _open(pg, server, 6)
        _map(pg)
        # no Streamlit header, toolbar or sidebar, and none of the app's menus
        for selector in ('[data-testid="stHeader"]', '[data-testid="stSidebar"]', ".st-key-aa_nav"):
            assert not pg.locator(selector).first.is_visible(), selector
        pg.wait_for_function(
            """([sel, h]) => { const f = document.querySelector(sel);
                 if (!f) return false; const r = f.getBoundingClientRect();
                 return r.bottom > h - 40 && r.bottom <= h; }""",
            arg=[MAP_FRAME, height],
        )
        box = pg.locator(MAP_FRAME).first.bounding_box()
        assert box["width"] >= 0.6 * width, box
        assert box["height"] >= 0.65 * height, box
        # the Leaflet map inside the frame fills the frame, not just its first 640 px
        frame = pg.frame_locator(MAP_FRAME).first
        inner = frame.locator(".leaflet-container").bounding_box()
        assert inner["height"] >= box["height"] - 10, (inner, box)
        assert pg.locator(TITLE).is_visible()
        assert pg.locator("p.aa-caption").first.is_visible()
        pg.wait_for_timeout(500)
        _shot(pg, f"present-{width}x{height}")
        assert _off_machine(seen.urls) == []
    finally:
        context.close()


def test_bad_story_link_warns(page: Any, server: str) -> None:
    page.goto(f"{server}/?view=present&story=atlantis&step=2")
    warning = page.get_by_test_id("stAlertContentWarning").first
    warning.wait_for(state="visible")
    assert "story=atlantis" in page.inner_text("body")
    page.get_by_role("button", name="Start presenting").first.wait_for(state="visible")
    _wait_idle(page)
    assert "story" not in parse_qs(urlparse(page.url).query)
    _shot(page, "present-story-list")
