"""Hostile input in a real chromium: poisoned records on every screen, hostile URL parameters
and uploads with markup and odd names are shown as text, and nothing of them runs.

The app is started on a copy of data/ made by :func:`hostile_data.make` (``ARMISTICE_DATA``):
every free-text field of every record carries Jinja syntax, HTML, a JS template literal and
a Jinja payload that would create a file if it were ever compiled. On every screen the page
(and the map's frame) must show the token literally, never its evaluation ("42x"), never a
``<b>`` element made from it, with no dialog, no script error, no request off the machine.
Uploads are tried in a second app in public mode (``ARMISTICE_MODE=public``).

Same skip/fail rule as every browser test: skipped without chromium or Playwright, a failure
in CI (``CI=true``). Screenshots: ``test-artifacts/hostile-*.png``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from _server import (  # tests/browser is on sys.path, like tests/ for conftest
    MAP_IFRAME,
    REPO,
    Watch,
    browser,
    first_clickable,
    map_frame,
    new_page,
    page,
    point_on_map,
    require_browser,
    settle,
    shot,
    streamlit_server,
    watch,
)

import hostile_data
from conftest import DATA_DIR
from geo import Atlas, load_atlas

pytestmark = pytest.mark.browser
__all__ = ["browser", "page", "watch"]  # fixtures used by name

TOKEN = hostile_data.TOKEN
EVALUATED = hostile_data.EVALUATED
#: a file the Jinja payload in every record would create in the server's folder
PWNED = REPO / "PWNED_BY_TEMPLATE"
#: markup that, if rendered, becomes an element: a <b> whose whole text is "y"
BOLD_Y = "() => [...document.querySelectorAll('b')].filter(b => b.textContent === 'y').length"


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = hostile_data.make(tmp_path_factory.mktemp("hostile") / "data", DATA_DIR)
    done = subprocess.run(
        [sys.executable, "-m", "geo", "--data-dir", str(data), "validate"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"the poisoned records must stay valid:\n{done.stdout}"
    return data


@pytest.fixture(scope="module")
def hostile_atlas(poisoned: Path) -> Atlas:
    return load_atlas(poisoned)


@pytest.fixture(scope="module")
def server(poisoned: Path) -> Iterator[str]:
    require_browser()
    with streamlit_server("streamlit-hostile.log", {"ARMISTICE_DATA": str(poisoned)}) as url:
        yield url
    assert not PWNED.exists(), "a record was compiled as a template"


@pytest.fixture(scope="module")
def public_server(poisoned: Path) -> Iterator[str]:
    require_browser()
    env = {"ARMISTICE_DATA": str(poisoned), "ARMISTICE_MODE": "public"}
    with streamlit_server("streamlit-hostile-public.log", env) as url:
        yield url


# ---------------------------------------------------------------------------------------
# helpers


def page_text(page: Any) -> str:
    """Everything the page shows as text, its frames' included."""
    parts = [page.inner_text("body")]
    for frame in page.frames[1:]:
        if not frame.is_detached():
            parts.append(frame.evaluate("() => document.body ? document.body.innerText : ''"))
    return "\n".join(parts)


def assert_literal(page: Any, where: str, text: str | None = None) -> None:
    """The token is shown as text somewhere, never evaluated, never turned into markup; no
    traceback, no dialog (the page fixture checks errors and requests)."""
    text = page_text(page) if text is None else text
    assert TOKEN in text, f"{where}: the poisoned text is not shown literally"
    assert EVALUATED not in text, f"{where}: template syntax was evaluated"
    for frame in page.frames:
        if not frame.is_detached():
            assert frame.evaluate(BOLD_Y) == 0, f"{where}: markup became elements ({frame.url})"
            assert frame.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert page.get_by_test_id("stException").count() == 0, f"{where}: an exception is shown"
    assert "Traceback" not in text
    assert not PWNED.exists()


def open_screen(page: Any, server: str, query: str, *, with_map: bool) -> None:
    page.goto(f"{server}/?{query}")
    settle(page)
    if with_map:
        map_frame(page)
    page.wait_for_timeout(300)  # time for an injected image to fail and fire onerror
    settle(page)


# ---------------------------------------------------------------------------------------
# 1. poisoned records on every screen


SCREENS = {
    "map-korea": ("theater=korea", True),
    "map-indochina": ("theater=indochina", True),
    "map-selected": ("theater=indochina&line=vn-1954-drv-maximum", True),
    "compare": (
        "view=compare&theater=indochina&compare=vn-1954-french-18th,vn-1954-geneva-line",
        True,
    ),
    "sequence": ("view=sequence&theater=indochina&pos=3", True),
    "timeline": ("view=timeline&theater=korea&date=1951-08-12", True),
    "documents": ("view=documents&doc=110145", False),
    "present-list": ("view=present", False),
    "present": ("view=present&story=geneva-1954&step=2", True),
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_poisoned_records_are_shown_literally(
    page: Any, server: str, watch: Watch, screen: str
) -> None:
    query, with_map = SCREENS[screen]
    open_screen(page, server, query, with_map=with_map)
    shot(page, f"hostile-{screen}")
    assert_literal(page, screen)
    if with_map:  # the map's legend lists the poisoned titles as text
        frame = map_frame(page)
        legend = frame.inner_text(".aa-legend")
        assert TOKEN in legend or frame.evaluate(
            "() => [...document.querySelectorAll('.aa-legend button')]"
            ".some(b => b.textContent.includes('\\u00ab{{6*7}}'))"
        ), f"{screen}: legend"


def test_poisoned_line_tooltip_and_panel(page: Any, server: str, hostile_atlas: Atlas) -> None:
    open_screen(page, server, "theater=indochina", with_map=True)
    lines = [ln.id for ln in hostile_atlas.lines_in("indochina") if ln.kind == "line"]
    line_id = first_clickable(page, lines)
    x, y = point_on_map(page, line_id)
    page.mouse.move(x, y)
    tooltip = page.frame_locator(MAP_IFRAME).first.locator(".leaflet-tooltip")
    tooltip.first.wait_for()
    assert hostile_atlas.lines[line_id].title in tooltip.first.inner_text()
    assert_literal(page, "tooltip", tooltip.first.inner_text())
    page.mouse.click(x, y)
    page.wait_for_function(f"() => location.search.includes('line={line_id}')")
    settle(page)
    heading = page.get_by_role("heading", name=hostile_atlas.lines[line_id].title[:20]).first
    assert heading.inner_text().strip() == hostile_atlas.lines[line_id].title
    assert_literal(page, "panel")
    shot(page, "hostile-panel")


def test_poisoned_records_in_the_sources_tables(page: Any, server: str) -> None:
    open_screen(page, server, "theater=indochina&view=sources", with_map=False)
    # the grids are canvases; their accessible cells carry the text
    cells = page.locator("[data-testid=stDataFrame] [role=gridcell]")
    cells.filter(has_text="DRV maximum").first.wait_for(state="attached")
    texts = "\n".join(cells.all_inner_texts())
    assert_literal(page, "sources", texts)
    shot(page, "hostile-sources")


# ---------------------------------------------------------------------------------------
# 2. URL parameters

NON_ASCII_DIGITS = "\u0663"  # ARABIC-INDIC DIGIT THREE: isdigit() is true, int() reads it
HOSTILE_URLS: dict[str, tuple[dict[str, str], list[str]]] = {
    "markup": (
        {
            "theater": "<script>alert(1)</script>",
            "line": '<img src=x onerror="alert(2)">',
            "place": f"{TOKEN}",
            "doc": "`${alert(3)}`",
        },
        ["theater", "line", "place", "doc"],
    ),
    "view": ({"view": "<svg onload=alert(4)>", "compare": "javascript:alert(5)"}, ["view"]),
    "line breaks": ({"line": "x\n\n![t](https://example.org/t.png)\n\n# h"}, ["line"]),
    "non-ascii date": ({"theater": "korea", "date": "\uff11\uff19\uff15\uff11-08-12"}, ["date"]),
    "non-ascii step": (
        {"view": "present", "story": "geneva-1954", "step": NON_ASCII_DIGITS},
        ["step"],
    ),
    "non-ascii pos": (
        {"view": "sequence", "theater": "korea", "pos": NON_ASCII_DIGITS * 2},
        ["pos"],
    ),
    "long value": ({"theater": "korea", "line": "x" * 5000}, ["line"]),
    "long compare": ({"compare": ("a," * 2500)[:5000]}, ["compare"]),
    "long story": ({"view": "present", "story": "s" * 5000}, ["story"]),
}


@pytest.mark.parametrize("case", list(HOSTILE_URLS))
def test_hostile_url_parameters_warn_without_a_traceback(
    page: Any, server: str, watch: Watch, case: str
) -> None:
    params, bad = HOSTILE_URLS[case]
    page.goto(f"{server}/?{urlencode(params)}")
    page.get_by_test_id("stAlertContentWarning").first.wait_for()
    settle(page)
    warnings = "\n".join(page.get_by_test_id("stAlertContentWarning").all_inner_texts())
    for name in bad:
        assert f"URL parameter {name}=" in warnings, (name, warnings)
    text = page_text(page)
    assert "Traceback" not in text and page.get_by_test_id("stException").count() == 0
    for frame in page.frames:
        injected = "() => document.querySelectorAll('img[src=\"x\"], svg[onload]').length"
        assert frame.evaluate(injected) == 0
        assert frame.evaluate(BOLD_Y) == 0
    assert not page.locator('img[src*="example.org"]').count()
    assert not page.locator('a[href^="javascript:" i]').count()
    assert max(len(w) for w in warnings.splitlines()) < 600  # a long value is cut in the message
    shot(page, f"hostile-url-{case.replace(' ', '-')}")


# ---------------------------------------------------------------------------------------
# 3. uploads in public mode

UPLOAD_ID = "990303"
UPLOAD = f"""Skip to content

July 4, 1954

Telegram, Hostile Test Command {TOKEN}

Hostile Test Command to the Example Delegation:

Hold the road from Pleiku toward Route 19. {TOKEN}
[click me](javascript:alert(6)) and <a href="javascript:alert(7)">this link</a>.

Hostile Test Command
July 4

A synthetic telegram about Pleiku for the hostile-input test. {TOKEN}

Document Information


Invented for the test suite {TOKEN}. Translated by Nobody.


Record ID

{UPLOAD_ID}
""".encode()
NAMES = {
    "markup": "<img src=x onerror=alert(8)> {{6*7}} <b>y</b>.txt",
    "bidi": "report\u202etxt.md",  # a right-to-left override would show "report" + "dm.txt"
    "path": "../../../etc/<b>y</b>passwd.txt",
}


@pytest.mark.parametrize("case", list(NAMES))
def test_uploads_with_markup_and_odd_names_are_escaped(
    browser: Any, public_server: str, case: str
) -> None:
    name = NAMES[case]
    watch = Watch()
    page = new_page(browser, watch, 1366, 900)
    try:
        open_screen(page, public_server, "view=documents", with_map=False)
        page.get_by_text("Add documents of your own").first.click()
        page.locator('input[type="file"]').first.set_input_files(
            files=[{"name": name, "mimeType": "text/plain", "buffer": UPLOAD}]
        )
        page.get_by_test_id("stAlertContentSuccess").first.wait_for(timeout=60_000)
        settle(page)
        success = page.get_by_test_id("stAlertContentSuccess").first.inner_text()
        shown = name.replace("\\", "/").rsplit("/", 1)[-1].replace("\u202e", "")
        assert shown in success, (shown, success)
        assert "\u202e" not in page_text(page)
        assert "in this session only" in success
        heading = page.get_by_role("heading", name="Telegram, Hostile Test Command").first
        heading.wait_for()
        assert heading.inner_text().strip() == f"Telegram, Hostile Test Command {TOKEN}"
        reader = page.locator(".aa-doc-text").first.inner_text()
        assert "[click me](javascript:alert(6))" in reader
        assert '<a href="javascript:alert(7)">this link</a>' in reader
        assert_literal(page, f"upload {case}")
        assert not page.locator('a[href^="javascript:" i]').count()
        shot(page, f"hostile-upload-{case}")
    finally:
        page.context.close()
    watch.check(f"upload {case}")
