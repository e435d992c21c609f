"""The real app in chromium: the map component draws, clicks select, links zoom, compare and
the drawing sandbox agree with the command line, the sequence, timeline and presentation
screens step, the document reader shows whole texts, and nothing is cut at 1024 px.

A real ``streamlit run app.py`` (tests/apprunner.py, with the corpus of full texts and fresh
cache and library folders) is started once for this module on a free loopback port. Every
page records each request (frames included), dialog and script error: after each test nothing
may have left 127.0.0.1 and no uncaught error may have happened (the page fixture).
Screenshots go to ``test-artifacts/app-*.png``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from _server import (  # tests/browser is on sys.path, like tests/ for conftest
    MAP_IFRAME,
    REPO,
    VISIBLE_LABELS,
    Watch,
    browser,
    click_empty_map_spot,
    click_feature,
    first_clickable,
    intersects,
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

from conftest import require_corpus
from geo import Atlas
from geo.documents import read_document_file

pytestmark = pytest.mark.browser
__all__ = ["browser", "page", "watch"]  # fixtures used by name

GENEVA = "vn-1954-geneva-line"
FRENCH = "vn-1954-french-18th"
UN_BUFFER = "kr-1951-un-buffer-zone"
#: Places whose names a reader must find on each theater's map as it opens.
KEY_PLACES = {
    "korea": ("Seoul", "Pyongyang", "Panmunjom"),
    "indochina": ("Hanoi", "Hue", "Vientiane"),
}
COUNTRIES = {"korea": ("NORTH KOREA", "SOUTH KOREA"), "indochina": ("VIETNAM", "LAOS")}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    require_browser()
    require_corpus()
    with streamlit_server("streamlit-app.log", {}) as url:
        yield url


# ---------------------------------------------------------------------------------------
# helpers


def open_app(page: Any, server: str, query: str = "") -> None:
    page.goto(f"{server}/?{query}" if query else f"{server}/")
    settle(page)
    assert page.get_by_test_id("stException").count() == 0, f"?{query} raised an exception"


def query_of(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def leaflet(frame: Any, expression: str) -> Any:
    """Evaluate *expression* with ``m`` bound to the frame's current Leaflet map."""
    return frame.evaluate(
        f"(() => {{ const m = window.__aaMaps.at(-1).leaflet; return {expression}; }})()"
    )


def feature_box(frame: Any, feature: str) -> dict[str, float]:
    box: dict[str, float] = frame.evaluate(
        """id => { const p = document.querySelector(
                     `path[data-aa-role='feature'][data-aa-id='${id}']`);
                   const r = p.getBoundingClientRect();
                   return {x: r.left, y: r.top, w: r.width, h: r.height}; }""",
        feature,
    )
    return box


def stroke_opacities(frame: Any) -> dict[str, float]:
    found: dict[str, float] = frame.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("path[data-aa-role='feature']")]
             .map(p => [p.getAttribute('data-aa-id'), +p.getAttribute('stroke-opacity')]))"""
    )
    return found


def counter(page: Any) -> str:
    return " ".join(page.locator(".aa-counter").first.inner_text().split())


def wait_counter(page: Any, text: str, timeout: float = 30_000) -> None:
    page.wait_for_function(
        "t => { const c = document.querySelector('.aa-counter');"
        " return c && c.textContent.replace(/\\s+/g, ' ').trim() === t; }",
        arg=text,
        timeout=timeout,
    )
    wait_idle(page)


def main_text(page: Any) -> str:
    return str(page.inner_text('[data-testid="stMain"]'))


# ---------------------------------------------------------------------------------------
# the map


def test_default_page_draws_the_korea_map(
    page: Any, server: str, atlas: Atlas, watch: Watch
) -> None:
    open_app(page, server)
    frame = map_frame(page)
    src = page.locator(MAP_IFRAME).first.get_attribute("src")
    assert "armistice_atlas_map" in src
    expected = {ln.id for ln in atlas.lines_in("korea")}
    drawn = set(
        frame.evaluate(
            "[...document.querySelectorAll(\"path[data-aa-role='feature']\")]"
            ".map(p => p.getAttribute('data-aa-id'))"
        )
    )
    assert drawn == expected
    assert frame.locator("path[data-aa-role='land']").count() > 0
    assert query_of(page)["theater"] == ["korea"]
    assert len([u for u in watch.requests if "/component/" in u]) > 3  # the frame's own files
    shot(page, "app-default-korea")


@pytest.mark.parametrize("theater", ["korea", "indochina"])
def test_default_view_names_countries_and_key_places(page: Any, server: str, theater: str) -> None:
    open_app(page, server, f"theater={theater}")
    frame = map_frame(page)
    frame.wait_for_function("() => document.querySelectorAll('.aa-label').length > 0")
    labels = frame.evaluate(VISIBLE_LABELS)
    shot(page, f"app-default-labels-{theater}")
    countries = [lb["text"] for lb in labels if "aa-label-country" in lb["cls"]]
    places = [lb["text"] for lb in labels if "aa-label-place" in lb["cls"]]
    problems = [
        f"{a['text']!r} overlaps {b['text']!r}"
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if intersects(a, b)
    ]
    missing_countries = [c for c in COUNTRIES[theater] if c not in countries]
    if missing_countries:
        problems.append(f"country names missing: {missing_countries} (shown: {countries})")
    missing = [p for p in KEY_PLACES[theater] if not any(p in shown for shown in places)]
    if missing:
        problems.append(f"key places without a name: {missing} (names shown: {places})")
    assert not problems, f"default {theater} map: " + "; ".join(problems)


def test_line_link_zooms_to_the_line_and_dims_the_others(
    page: Any, server: str, atlas: Atlas
) -> None:
    open_app(page, server, f"theater=indochina&line={GENEVA}")
    frame = map_frame(page, GENEVA)
    frame.wait_for_selector(f"path[data-aa-role='casing'][data-aa-id='{GENEVA}']")
    size = frame.evaluate(
        "(() => { const r = document.querySelector('.leaflet-container')"
        ".getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; })()"
    )
    box = feature_box(frame, GENEVA)
    shot(page, "app-line-link-geneva")
    # the line fills most of the map along its longer side, and lies inside it
    assert max(box["w"] / size["w"], box["h"] / size["h"]) > 0.6, (box, size)
    assert box["x"] >= size["x"] - 2 and box["x"] + box["w"] <= size["x"] + size["w"] + 2
    assert box["y"] >= size["y"] - 2 and box["y"] + box["h"] <= size["y"] + size["h"] + 2
    opacity = stroke_opacities(frame)
    assert opacity[GENEVA] == pytest.approx(0.95)
    others = [i for i in opacity if i != GENEVA and atlas.lines[i].kind != "reference"]
    assert others and all(opacity[i] == pytest.approx(0.95 * 0.3) for i in others)
    heading = page.get_by_role("heading", name=atlas.lines[GENEVA].title)
    assert heading.first.is_visible()


def test_clicking_a_line_opens_its_panel_with_the_citation(
    page: Any, server: str, atlas: Atlas
) -> None:
    open_app(page, server, "theater=indochina")
    lines = [ln.id for ln in atlas.lines_in("indochina") if ln.kind == "line"]
    line_id = first_clickable(page, [i for i in [FRENCH, *lines] if atlas.evidence_for(i)])
    click_feature(page, line_id)
    page.wait_for_function(f"() => location.search.includes('line={line_id}')")
    settle(page)
    page.get_by_role("heading", name=atlas.lines[line_id].title).first.wait_for()
    doc, _ = atlas.evidence_for(line_id)[0]
    citation = " ".join(doc.citation.split())
    text = " ".join(main_text(page).split())
    assert f"Citation: {citation}" in text
    map_frame(page, line_id).wait_for_selector(
        f"path[data-aa-role='casing'][data-aa-id='{line_id}']"
    )
    shot(page, "app-click-line-panel")


#: A pixel of the MDL's own path where another record is on top (the provisional line of
#: 1951 runs along it), in the frame's coordinates: {x, y, top} or null.
UNDER_ANOTHER = """
(id) => {
  const path = document.querySelector(`path[data-aa-role='feature'][data-aa-id='${id}']`);
  const length = path.getTotalLength(), ctm = path.getScreenCTM();
  for (let i = 1; i < 400; i++) {
    const at = path.getPointAtLength(((i * 0.6180339887) % 1) * length).matrixTransform(ctm);
    if (at.x < 5 || at.y < 5 || at.x > innerWidth - 5 || at.y > innerHeight - 5) continue;
    const top = document.elementFromPoint(at.x, at.y);
    const other = top && top.getAttribute && top.getAttribute('data-aa-id');
    if (other && other !== id) return {x: at.x, y: at.y, top: other};
  }
  return null;
}
"""


def test_a_line_under_another_is_offered_after_a_click_there(
    page: Any, server: str, atlas: Atlas
) -> None:
    """The MDL of 1953 lies under the provisional line of 1951 along much of its length: a
    click there selects the top record, and the panel offers the MDL, which then opens."""
    mdl = "kr-1953-mdl"
    open_app(page, server, "theater=korea")
    frame = map_frame(page, mdl)
    iframe = page.locator(MAP_IFRAME).first
    iframe.evaluate("f => f.scrollIntoView({block: 'center'})")
    page.wait_for_function(  # scrolled, and still
        "sel => { const r = document.querySelector(sel).getBoundingClientRect();"
        " return r.top >= -1 && r.bottom <= innerHeight + 1; }",
        arg=MAP_IFRAME,
    )
    settle(page)
    spot = frame.evaluate(UNDER_ANOTHER, mdl)
    assert spot, "the MDL is on top everywhere: nothing to offer"
    box = iframe.bounding_box()
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    top = atlas.lines[spot["top"]]
    page.get_by_role("heading", name=top.title).first.wait_for()
    settle(page)
    offered = page.locator(".st-key-aa_also")
    offered.get_by_role("button", name=re.compile(re.escape(atlas.lines[mdl].title))).click()
    page.get_by_role("heading", name=atlas.lines[mdl].title).first.wait_for()
    page.wait_for_function(f"() => location.search.includes('line={mdl}')")
    settle(page)
    shot(page, "app-click-also-here")


def test_clicking_the_un_buffer_zone_draws_no_focus_rectangle(
    page: Any, server: str, tmp_path: Path
) -> None:
    from PIL import Image

    open_app(page, server, "theater=korea")
    click_feature(page, UN_BUFFER)
    frame = map_frame(page)
    outline = frame.evaluate(
        "() => { const a = document.activeElement;"
        " return a && a.tagName === 'path' ? getComputedStyle(a).outlineStyle : 'none'; }"
    )
    assert outline == "none"
    page.wait_for_function(f"() => location.search.includes('line={UN_BUFFER}')")
    settle(page)
    frame = map_frame(page)
    focused = frame.evaluate(
        """() => [...document.querySelectorAll('path')].filter(p => p.matches(':focus'))
             .map(p => getComputedStyle(p).outlineStyle + ' ' + getComputedStyle(p).outlineWidth)"""
    )
    assert all(f.startswith("none") or f.endswith(" 0px") for f in focused), focused
    # and on the screen: no dark frame round the zone's box
    page.mouse.move(5, 5)  # no tooltip in the picture
    image_path = tmp_path / "zone.png"
    page.locator(MAP_IFRAME).first.screenshot(path=str(image_path))
    shot(page, "app-un-buffer-zone-clicked")
    box = feature_box(frame, UN_BUFFER)
    image = Image.open(image_path).convert("RGB")
    width, height = image.size

    def dark_share(points: list[tuple[int, int]]) -> float:
        inside = [(px, py) for px, py in points if 0 <= px < width and 0 <= py < height]
        dark = [p for p in inside if sum(image.getpixel(p)) < 150]
        return len(dark) / max(len(inside), 1)

    for dy in (-2, -1, 0, 1):  # the top edge of a focus ring would be a dark row
        row = round(box["y"]) + dy
        points = [(px, row) for px in range(round(box["x"]), round(box["x"] + box["w"]))]
        assert dark_share(points) < 0.5, f"a dark row along the top of the zone at y={row}"


def test_compare_link_shows_badges_and_places_on_the_line(page: Any, server: str) -> None:
    open_app(page, server, f"view=compare&theater=indochina&compare={FRENCH},{GENEVA}")
    frame = map_frame(page, GENEVA)
    frame.wait_for_selector(".aa-badge-compare")
    badges = [
        lb["text"] for lb in frame.evaluate(VISIBLE_LABELS) if "aa-badge-compare" in lb["cls"]
    ]
    assert sorted(badges) == ["A", "B"]
    assert frame.locator("path[data-aa-role='compare']").count() >= 1
    row = page.locator("table.aa-table tr").filter(has_text="Cua Tung").first
    row.wait_for()
    cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
    assert cells[1:3] == ["south", "on the line"], cells
    shot(page, "app-compare-badges")


def test_map_height_slider_resizes_the_leaflet_container(page: Any, server: str) -> None:
    open_app(page, server, "theater=korea")
    slider = page.get_by_test_id("stSidebar").get_by_role("slider").first
    for key, height in (("End", 860), ("Home", 420)):
        slider.focus()
        page.keyboard.press(key)
        page.wait_for_function(
            "([sel, h]) => { const f = document.querySelector(sel);"
            " return f && Math.abs(f.getBoundingClientRect().height - h) < 3; }",
            arg=[MAP_IFRAME, height],
        )
        settle(page)
        frame = map_frame(page)
        frame.wait_for_function(
            "h => Math.abs(document.querySelector('.leaflet-container').clientHeight - h) < 3",
            arg=height,
        )
        iframe = page.locator(MAP_IFRAME).first.evaluate("f => f.clientHeight")
        container = frame.evaluate("document.querySelector('.leaflet-container').clientHeight")
        assert abs(container - iframe) <= 2, (container, iframe)  # no blank band
        assert abs(leaflet(frame, "m.getSize().y") - iframe) <= 2
        shot(page, f"app-map-height-{height}")


def test_drawn_line_is_compared_like_the_command_line(
    page: Any, server: str, tmp_path: Path
) -> None:
    open_app(page, server, f"view=compare&theater=indochina&compare={FRENCH},{GENEVA}")
    map_frame(page, GENEVA)
    page.get_by_text("Second (B)").first.wait_for()
    page.locator('[data-testid="stSelectbox"]').nth(1).click()
    page.get_by_role("option", name=re.compile("of your own")).click()
    settle(page)
    frame = map_frame(page)
    frame.locator(".leaflet-draw-draw-polyline").wait_for()
    frame.locator(".leaflet-draw-draw-polyline").click()
    # across the country south of A, from the Laos border out to sea
    size = leaflet(frame, "m.getSize()")
    points = [
        (fx * size["x"], fy * size["y"]) for fx, fy in ((0.12, 0.6), (0.5, 0.62), (0.9, 0.65))
    ]
    page.locator(MAP_IFRAME).first.evaluate("f => f.scrollIntoView({block: 'end'})")
    box = page.locator(MAP_IFRAME).first.bounding_box()
    for x, y in [*points, points[-1]]:  # the last point again finishes the line
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(200)  # Leaflet.draw ignores a second click within 50 ms
    shot(page, "app-sandbox-drawing")
    metric = page.get_by_test_id("stMetric").filter(has_text="Area between").first
    metric.wait_for(timeout=60_000)
    settle(page)
    shot(page, "app-sandbox-drawn")
    shown_km2 = int(re.sub(r"[^0-9]", "", metric.get_by_test_id("stMetricValue").inner_text()))
    places = page.locator("table.aa-table").filter(has_text="with A").first
    rows = [
        [c.strip() for c in r.locator("th, td").all_inner_texts()]
        for r in places.locator("tbody tr").all()
    ]
    assert "Places that change side" in main_text(page)
    assert rows, "the drawn line crosses the country: some places change side"

    with page.expect_download() as info:
        page.get_by_role("button", name="Your line (GeoJSON)").click()
    path = tmp_path / "mine.geojson"
    info.value.save_as(path)
    feature = json.loads(path.read_text(encoding="utf-8"))
    assert feature["geometry"]["type"] == "LineString"
    assert len(feature["geometry"]["coordinates"]) == 3
    done = subprocess.run(
        [sys.executable, "-m", "geo", "compare", FRENCH, "--with", str(path), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    cli = json.loads(done.stdout)
    assert shown_km2 == round(cli["area_between_km2"])
    assert cli["area_between_km2"] > 0
    expected = [[c["name"], c["from"], c["to"]] for c in cli["places_changing_side"]]
    assert [r[:3] for r in rows] == expected


# ---------------------------------------------------------------------------------------
# sequence, timeline, presentation


def test_sequence_steps_with_buttons_and_keys(page: Any, server: str, atlas: Atlas) -> None:
    count = len(atlas.positions("indochina"))
    open_app(page, server, "view=sequence&theater=indochina")
    map_frame(page)
    assert counter(page) == f"1 / {count}"
    page.get_by_role("button", name="Next").first.click()
    wait_counter(page, f"2 / {count}")
    page.wait_for_function("() => location.search.includes('pos=2')")  # its own link
    page.locator("body").press("ArrowRight")
    wait_counter(page, f"3 / {count}")
    page.locator("body").press("ArrowLeft")
    wait_counter(page, f"2 / {count}")
    # with the focus inside the map, the map forwards the keys
    click_empty_map_spot(page)
    page.keyboard.press("ArrowRight")
    wait_counter(page, f"3 / {count}")
    click_empty_map_spot(page)
    page.keyboard.press("ArrowLeft")
    wait_counter(page, f"2 / {count}")
    page.get_by_role("button", name="Next").first.click()  # a later rerun replays no key
    wait_counter(page, f"3 / {count}")
    # the quote and the gap to what was signed
    assert page.locator("blockquote").first.is_visible()
    assert page.get_by_test_id("stMetric").filter(has_text="Gap to what was signed").count() == 1
    shot(page, "app-sequence")


def play_advances(page: Any, start: int, count: int) -> None:
    """Play, then the position must move on twice (3 → 4 → 5), one step at a time."""
    history: list[str] = []
    page.get_by_role("button", name="Play").click()
    for step in (start + 1, start + 2):
        try:
            wait_counter(page, f"{step} / {count}", timeout=30_000)
        except Exception:  # Playwright's TimeoutError: say what was shown instead
            history.append(counter(page))
            pytest.fail(f"Play did not reach {step} / {count}; the counter shows {history}")
        history.append(counter(page))
    page.get_by_role("button", name="Pause").click()
    settle(page)
    shot(page, "app-sequence-played")


def test_sequence_play_advances(page: Any, server: str, atlas: Atlas) -> None:
    count = len(atlas.positions("indochina"))
    open_app(page, server, "view=sequence&theater=indochina&pos=3")
    map_frame(page)
    wait_counter(page, f"3 / {count}")
    play_advances(page, 3, count)


def test_sequence_play_after_a_key_in_the_map(page: Any, server: str, atlas: Atlas) -> None:
    """A key the map forwarded earlier must not be applied again by later reruns."""
    count = len(atlas.positions("indochina"))
    open_app(page, server, "view=sequence&theater=indochina&pos=4")
    map_frame(page)
    click_empty_map_spot(page)
    page.keyboard.press("ArrowLeft")
    wait_counter(page, f"3 / {count}")
    play_advances(page, 3, count)


def test_timeline_moves_to_the_next_date(page: Any, server: str) -> None:
    open_app(page, server, "theater=korea&view=timeline&date=1951-08-12")
    page.get_by_text("By 12 August 1951").wait_for()
    assert page.get_by_text("On the table").first.is_visible()
    map_frame(page)
    page.get_by_role("button", name="next ▶").click()
    page.wait_for_function("() => !location.search.includes('date=1951-08-12')")
    settle(page)
    assert "By 12 August 1951" not in main_text(page)
    map_frame(page)
    shot(page, "app-timeline")


STORY = "geneva-1954"


def test_presentation_keys_also_after_a_click_on_the_map(
    page: Any, server: str, atlas: Atlas
) -> None:
    from geo.stories import load_stories

    steps = len(load_stories(atlas)[STORY].steps)
    open_app(page, server, f"view=present&story={STORY}&step=2")
    map_frame(page)
    wait_counter(page, f"2 / {steps}")
    page.locator("body").press("ArrowRight")
    wait_counter(page, f"3 / {steps}")
    page.locator("body").press("ArrowLeft")
    wait_counter(page, f"2 / {steps}")
    click_empty_map_spot(page)
    page.keyboard.press("ArrowRight")
    wait_counter(page, f"3 / {steps}")
    click_empty_map_spot(page)
    page.keyboard.press("ArrowLeft")
    wait_counter(page, f"2 / {steps}")
    for key, step in (("PageDown", 3), ("PageUp", 2), ("End", steps), ("Home", 1)):
        page.locator("body").press(key)
        wait_counter(page, f"{step} / {steps}")
        assert query_of(page)["step"] == [str(step)]
    click_empty_map_spot(page)
    page.keyboard.press("PageDown")  # a clicker, with the focus in the map
    wait_counter(page, f"2 / {steps}")
    shot(page, "app-present")


# ---------------------------------------------------------------------------------------
# documents


def test_the_reader_shows_the_whole_text(page: Any, server: str) -> None:
    corpus = require_corpus()
    doc_id = "110145"
    body = next(
        doc.body
        for doc in (read_document_file(p)[0] for p in sorted(corpus.iterdir()) if p.is_file())
        if doc.id == doc_id
    )
    open_app(page, server, f"view=documents&doc={doc_id}")
    text = page.locator(".aa-doc-text").first
    text.wait_for()
    shown = text.inner_text()
    assert " ".join(shown.split()) == " ".join(body.split())
    # not cut by a box of fixed height: the text and every box round it show all of it
    clipped = text.evaluate(
        """el => { const out = [];
             const page = document.querySelector('[data-testid="stMain"]');  // scrolls
             for (let n = el; n && n !== page && n !== document.body; n = n.parentElement) {
               const s = getComputedStyle(n);
               if (n.scrollHeight > n.clientHeight + 2 &&
                   (n === el || /(hidden|auto|scroll|clip)/.test(s.overflowY)) &&
                   n.clientHeight < el.scrollHeight)
                 out.push(`${n.tagName}.${n.className} ${n.clientHeight}/${n.scrollHeight}`);
             }
             return out; }"""
    )
    assert clipped == []
    assert abs(text.evaluate("el => el.scrollHeight - el.clientHeight")) <= 2
    text.scroll_into_view_if_needed()
    shot(page, "app-reader")


def test_a_table_row_opens_its_document(page: Any, server: str, atlas: Atlas) -> None:
    open_app(page, server, "view=documents&theater=korea")
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for()
    cells = grid.locator("[role=gridcell]")
    cells.first.wait_for(state="attached")
    texts = cells.all_inner_texts()
    titles = {d.title for d in atlas.documents.values()}
    title = next(t for t in texts if t in titles)
    box = grid.bounding_box()
    # the first row: a click on its row marker (left edge) selects it
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
    page.wait_for_function("() => location.search.includes('doc=')")
    settle(page)
    doc_id = query_of(page)["doc"][0]
    opened = atlas.documents[doc_id].title
    assert page.get_by_role("heading", name=opened).first.is_visible()
    assert title  # the grid listed atlas documents
    shot(page, "app-document-from-table")


# ---------------------------------------------------------------------------------------
# narrow screens


NARROW_SCREENS = {
    "map": "theater=korea",
    "map-selected": f"theater=indochina&line={GENEVA}",
    "compare": f"view=compare&theater=indochina&compare={FRENCH},{GENEVA}",
    "sequence": "view=sequence&theater=indochina",
    "timeline": "view=timeline&theater=korea",
    "documents": "view=documents&doc=110145",
    "present": f"view=present&story={STORY}&step=2",
    "sources": "view=sources&theater=korea",
}


#: The main area's widths and what sticks out of it or is clipped by its own box: elements
#: reaching past the main area's right edge, and text boxes wider than the box showing them.
OVERFLOW = """
() => {
  const m = document.querySelector('[data-testid="stMain"]');
  const right = m.getBoundingClientRect().left + m.clientWidth;
  const cut = [];
  const boxes = 'table, p, h1, h2, h3, button, [data-testid="stButtonGroup"]';
  for (const el of m.querySelectorAll(boxes)) {
    if (el.offsetParent === null) continue;
    const r = el.getBoundingClientRect();
    const text = (el.innerText || '').trim().split('\\n')[0].slice(0, 40);
    const end = Math.round(r.right);
    if (r.right > right + 1) cut.push(`${el.tagName} "${text}" ends at ${end} > ${right}`);
    else if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
      cut.push(`${el.tagName} "${text}" clipped: ${el.scrollWidth} > ${el.clientWidth}`);
  }
  return {main: [m.scrollWidth, m.clientWidth],
          page: [document.documentElement.scrollWidth, innerWidth], cut: cut.slice(0, 8)};
}
"""


def test_nothing_is_cut_at_1024_px(browser: Any, server: str, watch: Watch) -> None:
    """No horizontal scrollbar in the main area and no element past its edge on any screen."""
    page = new_page(browser, watch, 1024, 768)
    cut: dict[str, Any] = {}
    try:
        for name, query in NARROW_SCREENS.items():
            open_app(page, server, query)
            if name not in ("documents", "sources"):
                map_frame(page)
            overflow = page.evaluate(OVERFLOW)
            shot(page, f"app-1024-{name}")
            if overflow["main"][0] > overflow["main"][1] or overflow["cut"]:
                cut[name] = overflow
            assert overflow["page"][0] <= overflow["page"][1], (name, overflow)
    finally:
        page.context.close()
    assert cut == {}, json.dumps(cut, indent=1)
    watch.check("1024 px")


DOWNLOAD_CHECK = """
() => [...document.querySelectorAll('[data-testid="stDownloadButton"] button')]
  .filter(b => b.offsetParent !== null)
  .map(b => { const p = b.querySelector('p') || b; const r = p.getBoundingClientRect();
              const br = b.getBoundingClientRect();
              return {label: p.textContent, cut: p.scrollWidth > p.clientWidth + 1 ||
                      p.scrollHeight > p.clientHeight + 1 || r.left < br.left - 1 ||
                      r.right > br.right + 1 || r.top < br.top - 1 || r.bottom > br.bottom + 1}; })
"""


def test_download_labels_are_whole_at_1024_px(browser: Any, server: str, watch: Watch) -> None:
    page = new_page(browser, watch, 1024, 768)
    try:
        open_app(page, server, "theater=korea")
        map_frame(page)
        page.get_by_role("button", name="Download").first.click()
        page.get_by_test_id("stDownloadButton").first.wait_for()
        buttons = page.evaluate(DOWNLOAD_CHECK)
        shot(page, "app-1024-downloads")
        labels = [b["label"] for b in buttons]
        assert "Map (PNG)" in labels and "Citations (BibTeX)" in labels, labels
        assert [b["label"] for b in buttons if b["cut"]] == []
        page.keyboard.press("Escape")
        open_app(page, server, "view=sources&theater=korea")
        page.get_by_test_id("stDownloadButton").first.wait_for()
        buttons = page.evaluate(DOWNLOAD_CHECK)
        assert len(buttons) == 2 and [b["label"] for b in buttons if b["cut"]] == []
        shot(page, "app-1024-sources-downloads")
    finally:
        page.context.close()
    watch.check("downloads at 1024 px")


def test_bad_link_warns_and_falls_back(page: Any, server: str) -> None:
    open_app(page, server, "theater=atlantis&line=nope")
    warning = page.get_by_test_id("stAlertContentWarning").first
    warning.wait_for()
    text = main_text(page)
    assert "theater=atlantis" in text and "line=nope" in text
    map_frame(page)
    assert query_of(page)["theater"] == ["korea"]
