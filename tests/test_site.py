"""The static offline site (``python -m geo site --out DIR``): its files, links and pages, the
hostile-data copy shown literally, and in chromium from ``file://``: the maps draw, the story
decks step by keyboard (also from inside the map) and by ``#3``, and no request leaves.

The browser tests skip without chromium or Playwright, except in CI (``CI=true``) where that
is a failure. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import hostile_data
from conftest import DATA_DIR, REPO_ROOT, in_ci
from geo import load_atlas
from geo.outputs import webmap
from geo.outputs.renderer import RENDERER_FILES
from geo.stories import Story, load_stories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
DATA_LINE = re.compile(r'^ATLAS_DATA\[("[a-z0-9-]+")\] = (\{.*\});$', re.M)


def run_site(out: Path, *extra: str, data: Path | None = None, cwd: Path = REPO_ROOT) -> Any:
    args = [sys.executable, "-m", "geo"]
    if data is not None:
        args += ["--data-dir", str(data)]
    return subprocess.run(
        [*args, "site", "--out", str(out), *extra],
        cwd=cwd, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "atlas"
    res = run_site(out)
    assert res.returncode == 0, res.stderr
    n = int(re.search(r"wrote (\d+) files", res.stderr).group(1))  # type: ignore[union-attr]
    assert n == sum(1 for p in out.rglob("*") if p.is_file())
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    data = hostile_data.make(work / "data", DATA_DIR)
    out = work / "site"
    res = run_site(out, data=data, cwd=work)
    assert res.returncode == 0, res.stderr
    assert not (work / "PWNED_BY_TEMPLATE").exists()
    assert not (REPO_ROOT / "PWNED_BY_TEMPLATE").exists()
    return out


@pytest.fixture(scope="module")
def stories() -> dict[str, Story]:
    return load_stories(load_atlas(DATA_DIR))


# ---------------------------------------------------------------------------------------
# a strict reading of a page


@dataclass
class Page:
    path: Path
    errors: list[str] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # tag, attribute, url
    ids: set[str] = field(default_factory=set)
    tags: Counter[str] = field(default_factory=Counter)
    text: str = ""
    scripts: list[tuple[dict[str, str | None], str]] = field(default_factory=list)


class _Reader(HTMLParser):
    """Balanced tags (void elements excepted), ids, links, text; inline code is an error."""

    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[str] = []
        self.script: dict[str, str | None] | None = None
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "script":
            self.script = dict(attrs)
            self.page.scripts.append((self.script, ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)  # <rect .../> in SVG

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        p = self.page
        p.tags[tag] += 1
        for name, value in attrs:
            if name.startswith("on"):
                p.errors.append(f"inline event handler {name} on <{tag}>")
            if name == "style":
                p.errors.append(f"style attribute on <{tag}>")
            if name == "id" and value is not None:
                if value in p.ids:
                    p.errors.append(f"duplicate id {value!r}")
                p.ids.add(value)
            if name in ("href", "src") and value is not None:
                p.links.append((tag, name, value))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.page.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
            return
        self.stack.pop()
        if tag == "script":
            self.script = None

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            attrs, text = self.page.scripts[-1]
            self.page.scripts[-1] = (attrs, text + data)
        else:
            self.chunks.append(data)


def read_page(path: Path) -> Page:
    page = Page(path)
    reader = _Reader(page)
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    if reader.stack:
        page.errors.append(f"unclosed: {reader.stack}")
    page.text = " ".join(reader.chunks)
    return page


def html_pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


# ---------------------------------------------------------------------------------------
# files


def test_the_site_has_every_page_and_asset(site: Path, stories: dict[str, Story]) -> None:
    atlas = load_atlas(DATA_DIR)
    expected = {
        "index.html",
        "map-korea.html",
        "map-indochina.html",
        "data/korea.js",
        "data/indochina.js",
        "assets/leaflet.js",
        "assets/leaflet.css",
        *(f"assets/{name}" for name in RENDERER_FILES),
        "assets/atlas-map.css",
        "assets/site.css",
        "assets/deck.js",
        "assets/images/layers.png",
        "cite/all.ris",
        "cite/all.bib",
    }
    expected |= {f"line/{i}.html" for i in atlas.lines}
    expected |= {f"document/{i}.html" for i in atlas.documents}
    expected |= {f"cite/{i}.ris" for i in atlas.documents}
    expected |= {f"story/{i}.html" for i in stories}
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert expected <= written, sorted(expected - written)
    # the shared assets exist once, not once per page
    assert sum(1 for p in site.rglob("leaflet*.js")) == 1
    assert not any("<script>" in p.read_text(encoding="utf-8") for p in html_pages(site))


def test_the_cli_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    out = tmp_path / "stick"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    res = run_site(out)
    assert res.returncode == 2
    assert "not empty" in res.stderr and "--force" in res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    res = run_site(out, "--force")
    assert res.returncode == 0, res.stderr
    assert (out / "index.html").is_file()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_writing_again_removes_only_its_own_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run_site(out).returncode == 0
    (out / "line" / "gone.html").write_text("an old page", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("not ours", encoding="utf-8")
    (out / "mine.txt").write_text("not ours either", encoding="utf-8")
    manifest = out / ".armistice-atlas-site"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "line/gone.html\n../outside.txt\n/etc/hosts\n",
        encoding="utf-8",
    )
    res = run_site(out, "--force")
    assert res.returncode == 0, res.stderr
    assert not (out / "line" / "gone.html").exists()
    assert (tmp_path / "outside.txt").exists() and (out / "mine.txt").exists()
    assert "gone.html" not in manifest.read_text(encoding="utf-8")


def test_the_data_files_hold_the_payload_as_json(site: Path) -> None:
    atlas = load_atlas(DATA_DIR)
    for theater in ("korea", "indochina"):
        text = (site / "data" / f"{theater}.js").read_text(encoding="utf-8")
        assert "window.ATLAS_DATA = window.ATLAS_DATA || {};" in text
        m = DATA_LINE.search(text)
        assert m is not None and json.loads(m.group(1)) == theater
        payload = json.loads(m.group(2))
        assert payload["format"] == "armistice-atlas-map/1"
        assert "topology" in payload and "features" not in payload  # the compact form
        features = webmap.collections(payload)["features"]["features"]
        ids = {f["properties"]["id"] for f in features}
        assert ids == {ln.id for ln in atlas.lines_in(theater)}
        assert "<" not in m.group(2) and "</script" not in text


# ---------------------------------------------------------------------------------------
# links and markup


def _target(page: Path, url: str, root: Path) -> tuple[Path, str]:
    parts = urlsplit(url)
    path = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
    assert path.is_relative_to(root.resolve()), f"{page.name}: {url} leaves the site"
    return path, parts.fragment


def test_every_internal_link_resolves(site: Path) -> None:
    pages = {p.resolve(): read_page(p) for p in html_pages(site)}
    problems = []
    for path, page in pages.items():
        for tag, attr, url in page.links:
            scheme = urlsplit(url).scheme
            if scheme in ("https", "http"):
                if tag != "a":  # nothing external is ever loaded, only linked
                    problems.append(f"{path.name}: <{tag} {attr}> loads {url}")
                continue
            if scheme == "data":
                continue
            assert not scheme, f"{path.name}: unexpected link {url}"
            target, fragment = _target(path, url, site)
            if not target.is_file():
                problems.append(f"{path.relative_to(site.resolve())}: {url} is missing")
            elif fragment and target.suffix == ".html":
                ids = pages[target].ids
                want = f"step-{fragment}" if fragment.isdigit() else fragment
                if want not in ids:
                    problems.append(f"{path.name}: {url} has no #{fragment}")
    assert problems == []
    css = (site / "assets" / "leaflet.css").read_text(encoding="utf-8")
    for url in re.findall(r"url\(['\"]?([^)'\"]+)", css):  # (#default#VML is old IE's)
        assert url.startswith(("data:", "#")) or (site / "assets" / url).is_file(), url


def test_the_index_links_to_every_page(site: Path) -> None:
    index = read_page(site / "index.html")
    linked = {_target(site / "index.html", u, site)[0] for t, a, u in index.links
              if t == "a" and not urlsplit(u).scheme}  # fmt: skip
    pages = {p.resolve() for p in html_pages(site)} - {(site / "index.html").resolve()}
    assert pages <= linked, sorted(p.name for p in pages - linked)


def test_every_page_is_well_formed_without_inline_code(site: Path) -> None:
    for path in html_pages(site):
        page = read_page(path)
        assert page.errors == [], (path.name, page.errors)
        assert page.tags["h1"] == 1 and page.tags["title"] == 1, path.name
        assert page.tags["html"] == page.tags["head"] == page.tags["body"] == 1
        for attrs, code in page.scripts:
            # a script is a file, or JSON data that is never run
            assert attrs.get("src") or attrs.get("type") == "application/json", path.name
            if attrs.get("type") == "application/json":
                json.loads(code)
                assert "<" not in code
        assert "Content-Security-Policy" in path.read_text(encoding="utf-8")


def test_documents_never_carry_their_full_text(site: Path) -> None:
    atlas = load_atlas(DATA_DIR)
    doc = atlas.documents["110145"]
    page = read_page(site / "document" / "110145.html")
    assert " ".join(doc.summary.split()) in " ".join(page.text.split())
    for ev in doc.supports:
        assert ev.phrase in page.text
    assert len(page.text) < 12_000  # summary, citation and phrases; no corpus text


# ---------------------------------------------------------------------------------------
# hostile data


def test_hostile_text_is_shown_literally_everywhere(hostile: Path) -> None:
    token, evaluated = hostile_data.TOKEN, hostile_data.EVALUATED
    for path in hostile.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".css", ".ris", ".bib"):
            assert evaluated not in path.read_text(encoding="utf-8"), path.name
    pages = html_pages(hostile)
    for path in pages:
        page = read_page(path)
        assert page.errors == [], (path.name, page.errors)
        assert page.tags["b"] == 0, f"{path.name}: markup from the data became HTML"
    samples = ["index.html", "line/vn-1954-drv-minimum.html", "document/110145.html",
               "story/korea-1951.html", "map-korea.html"]  # fmt: skip
    for name in samples:
        assert token in read_page(hostile / name).text, name
    m = DATA_LINE.search((hostile / "data" / "korea.js").read_text(encoding="utf-8"))
    assert m is not None
    features = webmap.collections(json.loads(m.group(2)))["features"]["features"]
    titles = [f["properties"]["title"] for f in features]
    assert any(token in t for t in titles)
    assert "{{" not in m.group(2)  # braces inside strings are escaped in the data file


# ---------------------------------------------------------------------------------------
# chromium, from file://


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is not installed (apt install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Tab:
    page: Any
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: Path, fragment: str = "") -> None:
        self.page.goto(path.as_uri() + fragment)
        self.page.wait_for_function(
            "() => window.__atlasMap && document.querySelector('path[data-aa-id]')"
        )

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"site-{name}.png"))

    def check(self) -> None:
        assert self.blocked == [], "requests left the page"
        assert all(u.startswith(("file://", "data:", "about:")) for u in self.requests), (
            self.requests
        )
        assert self.errors == []


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    t = Tab(page)

    def route(r: Any) -> None:
        if r.request.url.startswith(("file://", "data:")):
            r.continue_()
        else:
            t.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    context.on("request", lambda r: t.requests.append(r.url))
    page.on("console", lambda m: t.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: t.errors.append(str(e)))
    try:
        yield t
        t.check()
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("theater", ["korea", "indochina"])
def test_each_theater_map_draws_every_record(site: Path, tab: Tab, theater: str) -> None:
    atlas = load_atlas(DATA_DIR)
    tab.open(site / f"map-{theater}.html")
    drawn = tab.page.eval_on_selector_all(
        'path[data-aa-role="feature"]', "ps => [...new Set(ps.map(p => p.dataset.aaId))]"
    )
    assert set(drawn) == {ln.id for ln in atlas.lines_in(theater)}
    assert tab.page.locator(".aa-legend .aa-legend-item").count() >= len(drawn)
    # a legend row selects its line and offers a link to the line's page
    tab.page.locator(".aa-legend button.aa-legend-item").first.click()
    href = tab.page.locator("#aa-picked a").get_attribute("href")
    assert href is not None and href.startswith("line/") and (site / href).is_file()
    tab.shot(f"map-{theater}")
    tab.check()


@pytest.mark.browser
def test_a_line_page_shows_its_line_selected(site: Path, tab: Tab) -> None:
    tab.open(site / "line" / "vn-1954-drv-minimum.html")
    sel = tab.page.locator('path[data-aa-role="selected"][data-aa-id="vn-1954-drv-minimum"]')
    assert sel.count() >= 1
    assert tab.page.evaluate("window.__atlasMap.state.selected") == "vn-1954-drv-minimum"
    tab.check()


def _step(tab: Tab) -> int:
    shown = tab.page.eval_on_selector_all(
        "[data-aa-step]", "ss => ss.filter(s => !s.hidden).map(s => s.id)"
    )
    current = int(tab.page.evaluate("document.body.getAttribute('data-aa-current')"))
    assert shown == [f"step-{current}"]
    assert tab.page.evaluate("location.hash") == f"#{current}"
    assert tab.page.evaluate("window.__atlasMap.state.view_id") == f"step-{current}"
    assert tab.page.locator("#aa-counter").text_content().startswith(f"Step {current} of ")
    return current


@pytest.mark.browser
@pytest.mark.parametrize("story_id", ["korea-1951", "geneva-1954"])
def test_a_story_deck_steps_by_keyboard(
    site: Path, tab: Tab, stories: dict[str, Story], story_id: str
) -> None:
    story = stories[story_id]
    n = len(story.steps)
    assert n >= 4
    tab.open(site / "story" / f"{story_id}.html")
    assert _step(tab) == 1
    visible = tab.page.evaluate("window.__atlasMap.state.visible")
    assert visible == list(story.steps[0].layers)
    keys = tab.page.keyboard

    def walk() -> None:
        for key, want in [("ArrowRight", 2), ("ArrowRight", 3), ("ArrowLeft", 2),
                          ("PageDown", 3), ("PageUp", 2), ("End", n), ("ArrowRight", n),
                          ("Home", 1), ("ArrowLeft", 1)]:  # fmt: skip
            keys.press(key)
            assert _step(tab) == want, key

    walk()
    # the same keys while the focus is inside the map (the renderer forwards them)
    tab.page.locator("#aa-map").click(position={"x": 120, "y": 500})
    assert tab.page.evaluate("document.getElementById('aa-map').contains(document.activeElement)")
    walk()
    assert tab.page.evaluate("document.getElementById('aa-map').contains(document.activeElement)")
    keys.press("ArrowRight")
    assert tab.page.evaluate("window.__atlasMap.state.visible") == list(story.steps[1].layers)
    tab.page.locator("#aa-next").click()
    assert _step(tab) == 3
    tab.shot(f"deck-{story_id}")
    tab.check()


@pytest.mark.browser
def test_the_hash_opens_a_step(site: Path, tab: Tab) -> None:
    tab.open(site / "story" / "korea-1951.html", "#3")
    assert _step(tab) == 3
    tab.page.evaluate("location.hash = '#4'")
    tab.page.wait_for_function("document.body.getAttribute('data-aa-current') === '4'")
    assert _step(tab) == 4
    tab.page.evaluate("location.hash = '#999'")  # not a step: stays, and says so
    tab.page.wait_for_function("location.hash === '#4'")
    assert _step(tab) == 4
    tab.page.goto("about:blank")
    tab.open(site / "story" / "korea-1951.html", "#999")  # opened so: the first step
    assert _step(tab) == 1
    tab.check()


@pytest.mark.browser
def test_hostile_text_stays_text_in_the_browser(hostile: Path, tab: Tab) -> None:
    tab.open(hostile / "story" / "korea-1951.html")
    page = tab.page
    assert hostile_data.TOKEN in page.locator("#step-1 h2").text_content()
    assert hostile_data.TOKEN in page.locator(".aa-legend").text_content()
    assert page.evaluate("document.querySelectorAll('b').length") == 0
    assert hostile_data.EVALUATED not in page.content()
    tab.check()
