"""What every browser test module shares: the app on a free loopback port, one chromium per
module, pages that record every request, dialog and script error, and the map component.

Without chromium or Playwright the tests skip, except with ``CI=true`` where that is a
failure (:func:`require_browser`). Not a conftest.py: tests/conftest.py is imported by name
and a second conftest module would shadow it; modules import the fixtures from here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from apprunner import CHROMIUM, CHROMIUM_ARGS, AppDidNotStart, running_app

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
STARTUP_SECONDS = 60
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = ("data:", "blob:", "about:")
__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "launch_chromium",
    "off_machine",
    "require_browser",
    "streamlit_server",
    "unavailable",
]  # and the page helpers below


def require_browser() -> None:
    """Skip (fail in CI) without chromium or Playwright."""
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is not installed (apt install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is not installed"
    if reason is not None:
        unavailable(reason)


def unavailable(reason: str) -> None:
    """Skip a browser test for *reason*; in CI (``CI=true``) fail instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@contextlib.contextmanager
def streamlit_server(log_name: str, env: Mapping[str, str | None]) -> Iterator[str]:
    """Base URL of the app; *env* overrides the environment (None removes a variable)."""
    try:
        with running_app(ARTIFACTS / log_name, env=env, timeout=STARTUP_SECONDS) as app:
            yield app.url
    except AppDidNotStart as exc:
        pytest.fail(str(exc))


@contextlib.contextmanager
def launch_chromium() -> Iterator[Any]:
    """Debian chromium driven by Playwright, with the switches these machines need."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def off_machine(urls: list[str]) -> list[str]:
    """The URLs that would leave this machine."""
    return [
        u for u in urls if not (u.startswith(LOCAL_SCHEMES) or urlparse(u).hostname in LOCAL_HOSTS)
    ]


# ---------------------------------------------------------------------------------------
# pages that record what they did, and the map component inside them

#: Runs in every document (page and frames) before its own scripts:
#: - an uncaught error or unhandled rejection is logged as "AA-UNCAUGHT …" (the console
#:   listener sees it from any frame, also one that is gone by the time a test looks);
#: - ``window.__aaMaps`` collects every map ``AtlasMap.create`` makes in that document (the
#:   bridge keeps its map in a closure; tests read ``__aaMaps.at(-1).leaflet``). The renderer
#:   itself is untouched: the wrapper only remembers what ``create`` returns.
PAGE_INIT_JS = """
(() => {
  window.addEventListener("error", (e) => {
    console.error("AA-UNCAUGHT " + (e.message || e.type) + " at " + (e.filename || location.href));
  });
  window.addEventListener("unhandledrejection", (e) => {
    console.error("AA-UNCAUGHT rejection " + (e.reason && e.reason.message || e.reason));
  });
  let real;
  window.__aaMaps = [];
  Object.defineProperty(window, "AtlasMap", {
    configurable: true,
    get() { return real; },
    set(value) {
      const create = value.create;
      real = Object.assign({}, value, {
        create: (...args) => {
          const map = create(...args);
          window.__aaMaps.push(map);
          return map;
        },
      });
    },
  });
})();
"""
#: the map component's iframe (its src names the component)
MAP_IFRAME = 'iframe[src*="armistice_atlas_map"]'
#: a console error whose text matches one of these is a failure wherever it comes from
FATAL_CONSOLE = ("AA-UNCAUGHT", "is not a function", "Uncaught", "TypeError", "ReferenceError")


class Watch:
    """What the pages of one browser context did besides drawing: every request (frames and
    workers included), dialogs, uncaught errors, console errors of the map frame."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []

    def on_console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        in_map = "armistice_atlas_map" in where or "/component/" in where
        if in_map or any(s in msg.text for s in FATAL_CONSOLE):
            self.errors.append(f"console error ({where}): {msg.text}")

    def attach(self, context: Any) -> None:
        context.add_init_script(PAGE_INIT_JS)
        context.on("request", lambda r: self.requests.append(r.url))
        context.on("page", self.attach_page)

    def attach_page(self, page: Any) -> None:
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("console", self.on_console)

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)

    def off_machine(self) -> list[str]:
        return off_machine(self.requests)

    def check(self, where: str = "") -> None:
        """Nothing left this machine, no dialog, no uncaught error (the rule of every test)."""
        assert self.off_machine() == [], f"{where}: requests left 127.0.0.1"
        assert self.errors == [], f"{where}: script errors"
        assert self.dialogs == [], f"{where}: dialogs"


def new_page(
    browser: Any, watch: Watch, width: int = 1366, height: int = 768, **context_args: Any
) -> Any:
    """A page in a context of its own, watched by *watch* (close it with page.context.close())."""
    context = browser.new_context(viewport={"width": width, "height": height}, **context_args)
    watch.attach(context)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium per test module (skipped without it, a failure in CI)."""
    require_browser()
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Any, watch: Watch) -> Iterator[Any]:
    """A 1366 x 768 page; after the test, nothing may have left the machine and no script
    error may have happened."""
    pg = new_page(browser, watch)
    try:
        yield pg
    finally:
        pg.context.close()
    watch.check("after the test")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def wait_idle(page: Any) -> None:
    """Until Streamlit has finished the current run (its running indicator is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def settle(page: Any) -> None:
    """The run is over and late work (a frame's scripts, a rerun the first one asked for)
    had time to happen."""
    page.locator('[data-testid="stMainBlockContainer"]').wait_for(state="visible")
    wait_idle(page)
    page.wait_for_timeout(600)
    wait_idle(page)


def map_frame(page: Any, feature: str | None = None) -> Any:
    """The map component's frame (a Frame, for evaluate) once its map has drawn features
    (*feature*, if given)."""
    selector = (
        f"path[data-aa-role='feature'][data-aa-id='{feature}']"
        if feature
        else "path[data-aa-role='feature']"
    )
    page.frame_locator(MAP_IFRAME).first.locator(selector).first.wait_for(
        state="attached", timeout=60_000
    )
    frame = page.locator(MAP_IFRAME).first.element_handle().content_frame()
    frame.wait_for_function("() => window.__aaMaps.length > 0")
    return frame


#: The topmost-pixel finder of the renderer tests: samples points along a feature's path and
#: returns the first whose topmost element belongs to that feature (its path or hit stroke),
#: in the coordinates of the document the path is in.
POINT_ON = """
(id) => {
  const paths = [...document.querySelectorAll("path[data-aa-role='feature']")]
    .filter(p => p.getAttribute('data-aa-id') === id);
  const onTop = (x, y) => {
    if (x < 2 || y < 2 || x > innerWidth - 2 || y > innerHeight - 2) return false;
    const top = document.elementFromPoint(x, y);
    return !!(top && top.getAttribute && top.getAttribute('data-aa-id') === id);
  };
  for (const path of paths) {  // along the outline (lines, and the edge of zones)
    const length = path.getTotalLength();
    const ctm = path.getScreenCTM();
    for (let i = 1; i < 400; i++) {
      const at = path.getPointAtLength(((i * 0.6180339887) % 1) * length).matrixTransform(ctm);
      if (onTop(at.x, at.y)) return {x: at.x, y: at.y};
    }
  }
  for (const path of paths) {  // inside (a zone whose edge lies under another's)
    const r = path.getBoundingClientRect();
    for (let i = 1; i < 30; i++) {
      for (let j = 1; j < 30; j++) {
        const x = r.left + r.width * i / 30, y = r.top + r.height * j / 30;
        if (onTop(x, y)) return {x, y};
      }
    }
  }
  return null;
}
"""


def point_on_map(page: Any, feature: str) -> tuple[float, float]:
    """A pixel of *feature* that is on top, in page coordinates (the frame's offset added)."""
    frame = map_frame(page, feature)
    iframe = page.locator(MAP_IFRAME).first
    iframe.evaluate("f => f.scrollIntoView({block: 'center'})")
    page.wait_for_function(
        "sel => { const r = document.querySelector(sel).getBoundingClientRect();"
        " return r.top >= -1 && r.bottom <= innerHeight + 1 || r.height > innerHeight; }",
        arg=MAP_IFRAME,
    )
    point = frame.evaluate(POINT_ON, feature)
    assert point, f"no pixel of {feature} is on top of the map"
    box = iframe.bounding_box()
    x, y = box["x"] + point["x"], box["y"] + point["y"]
    viewport = page.viewport_size
    assert 0 <= x < viewport["width"] and 0 <= y < viewport["height"], (x, y, viewport)
    return x, y


def first_clickable(page: Any, candidates: list[str]) -> str:
    """The first of *candidates* with a pixel on top of the map as it is now (a record drawn
    under a later one along its whole length has none: only the legend reaches it)."""
    frame = map_frame(page)
    page.locator(MAP_IFRAME).first.evaluate("f => f.scrollIntoView({block: 'center'})")
    for feature in candidates:
        if frame.evaluate(POINT_ON, feature):
            return feature
    raise AssertionError(f"none of {candidates} has a pixel on top of the map")


def click_feature(page: Any, feature: str) -> tuple[float, float]:
    """A real mouse click on a pixel of *feature*; returns where."""
    x, y = point_on_map(page, feature)
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    return x, y


#: the visible labels of the map (text, class and box), as the renderer tests read them
VISIBLE_LABELS = """
() => {
  const box = document.querySelector('.aa-map').getBoundingClientRect();
  return [...document.querySelectorAll('.aa-label, .aa-badge')]
    .filter(n => { const c = getComputedStyle(n);
                   return c.display !== 'none' && c.visibility !== 'hidden'; })
    .map(n => { const r = n.getBoundingClientRect();
                return {text: n.textContent, cls: n.className,
                        x: r.left, y: r.top, w: r.width, h: r.height}; })
    .filter(r => r.w > 0 && r.x < box.right && r.x + r.w > box.left
                 && r.y < box.bottom && r.y + r.h > box.top);
}
"""


def intersects(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def click_empty_map_spot(page: Any) -> None:
    """A real click inside the map where no feature is (the focus goes into the frame)."""
    frame = map_frame(page)
    iframe = page.locator(MAP_IFRAME).first
    iframe.evaluate("f => f.scrollIntoView({block: 'center'})")
    spots = frame.evaluate(
        """() => { const r = document.querySelector('.leaflet-container').getBoundingClientRect();
             const out = [];
             for (let fy = 0.3; fy < 0.95; fy += 0.05) for (let fx = 0.1; fx < 0.6; fx += 0.05) {
               const x = r.left + fx * r.width, y = r.top + fy * r.height;
               const el = document.elementFromPoint(x, y);
               if (el && (el.classList.contains('leaflet-container') ||
                          el.getAttribute('data-aa-role') === 'land')) out.push({x, y});
             }
             return out; }"""
    )
    box = iframe.bounding_box()
    height = page.viewport_size["height"]
    inside = [s for s in spots if 0 < box["y"] + s["y"] < height - 2]
    assert inside, "no empty spot of the map is on the screen"
    page.mouse.click(box["x"] + inside[0]["x"], box["y"] + inside[0]["y"])
    page.wait_for_function(
        "sel => document.activeElement === document.querySelector(sel)", arg=MAP_IFRAME
    )
