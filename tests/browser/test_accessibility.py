"""Every screen checked with axe-core in a real chromium: no serious or critical violation.

axe-core is pinned in ``tests/browser/axe/package.json`` and ``package-lock.json``; its
``node_modules`` is not committed, and the ``axe_js`` fixture runs ``npm ci`` there when
``axe.min.js`` is missing (npm comes with the machine's Node.js). axe is injected into the
page *and* into every frame (the map lives in the component's iframe), so the map's own
controls, legend and labels are checked too, not excluded.

Every result (moderate and minor ones included) is written to
``test-artifacts/axe-<screen>.json`` for a person to read. The app is started for this module
(tests/browser/_server.py, with the corpus of full texts); the same skip/fail rule applies.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _server import (  # tests/browser is on sys.path, like tests/ for conftest
    ARTIFACTS,
    Watch,
    browser,
    map_frame,
    new_page,
    require_browser,
    settle,
    shot,
    streamlit_server,
    unavailable,
    watch,
)

pytestmark = pytest.mark.browser
__all__ = ["browser", "watch"]  # fixtures used by name

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

#: screen name -> (query string, does it draw a map?, a text the drawn screen shows)
SCREENS = {
    "map": ("theater=korea", True, "what is on the map"),
    "map-selected": ("theater=indochina&line=vn-1954-geneva-line", True, "Source document"),
    "compare": ("view=compare&theater=indochina", True, "Area between"),
    "sequence": ("view=sequence&theater=korea", True, "position by position"),
    "timeline": ("theater=korea&view=timeline&date=1951-08-12", True, "By 12 August 1951"),
    "documents": ("view=documents&theater=korea", False, "Add documents of your own"),
    "documents-reader": ("view=documents&doc=110145", False, "Concerning the Content"),
    "present-list": ("view=present", False, "Start presenting"),
    "present": ("view=present&story=korea-1951&step=2", True, "2 / "),
    "sources": ("theater=korea&view=sources", False, "Full texts"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    require_browser()
    with streamlit_server("streamlit-axe.log", {}) as url:
        yield url


@pytest.fixture
def page(browser: Any, watch: Watch) -> Iterator[Any]:
    """As every browser test's page, but axe may be added to the map's frame despite its
    Content-Security-Policy (which allows no inline script)."""
    pg = new_page(browser, watch, bypass_csp=True)
    try:
        yield pg
    finally:
        pg.context.close()
    watch.check("after the scan")


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """axe.min.js, installed from the lock file with ``npm ci`` if it is not there yet."""
    if not AXE_JS.is_file():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm is not installed; it installs axe-core for these tests")
        done = subprocess.run(
            [npm, "ci", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or not AXE_JS.is_file():
            pytest.fail(f"npm ci in {AXE_DIR} failed:\n{done.stdout}\n{done.stderr}")
    return AXE_JS


def axe_scan(page: Any, axe_js: Path) -> dict[str, Any]:
    """Run axe on the page with its frames; the result as axe returns it."""
    for frame in page.frames:
        if frame.url.startswith(("http://127.0.0.1", "about:srcdoc")):
            frame.add_script_tag(path=str(axe_js))
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {
             resultTypes: ["violations", "incomplete"],
             iframes: true,
           })"""
    )
    return result


def summary(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        for node in v["nodes"][:4]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            lines.append(f"      {node['failureSummary'].splitlines()[-1][:200]}")
    return "\n".join(lines)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_no_serious_accessibility_violations(
    page: Any, server: str, axe_js: Path, screen: str
) -> None:
    query, has_map, expected = SCREENS[screen]
    page.goto(f"{server}/?{query}")
    page.locator('[data-testid="stMainBlockContainer"]').wait_for(state="visible")
    # Scan the drawn screen, not a page still waiting for its first run.
    page.get_by_text(expected).first.wait_for(state="attached", timeout=60_000)
    settle(page)
    if has_map:
        map_frame(page)
    page.wait_for_timeout(800)  # the last elements of the run settle
    settle(page)
    assert not page.get_by_test_id("stException").count(), f"{screen} raised an exception"
    result = axe_scan(page, axe_js)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{screen}.json").write_text(
        json.dumps(
            {k: result[k] for k in ("url", "testEngine", "violations", "incomplete")}, indent=1
        )
    )
    shot(page, f"axe-{screen}")
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{screen}: axe found\n{summary(blocking)}"
