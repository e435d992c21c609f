"""Every screen checked with axe-core in a real chromium: no serious or critical violation.

axe-core is pinned in ``tests/browser/axe/package.json`` and ``package-lock.json``; its
``node_modules`` is not committed, and the ``axe_js`` fixture runs ``npm ci`` there when
``axe.min.js`` is missing (npm comes with the machine's Node.js). axe is injected into the
page *and* into every frame (the Leaflet map lives in the st_folium component's iframe), so
the map's own controls and legend are checked too, not excluded.

Every result (moderate and minor ones included) is written to
``test-artifacts/axe-<screen>.json`` for a person to read. The server, browser and page
fixtures are tests/browser/test_browser.py's, with its skip/fail rule.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import test_browser as tb

pytestmark = pytest.mark.browser

# test_browser's fixtures, by name (this module gets its own server from them)
server, browser, page, requests_seen = tb.server, tb.browser, tb.page, tb.requests_seen

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

#: screen name -> (query string, does it draw a Leaflet map?, a text the drawn screen shows)
SCREENS = {
    "map": ("theater=korea", True, "what is on the map"),
    "map-selected": ("theater=indochina&line=vn-1954-drv-minimum", True, "Source cable"),
    "compare": ("theater=indochina&view=compare", True, "Area between"),
    "timeline": ("theater=korea&view=timeline&date=1951-08-12", True, "1951"),
    "cables": ("theater=korea&view=cables", False, "Cable No. 21680"),
    "cables-reader": ("view=cables&cable=110145", False, "Jiao-yao"),
    "present-list": ("view=present", False, "Start presenting"),
    "present": ("view=present&story=korea-1951&step=6", True, "6 / "),
    "sources": ("theater=korea&view=sources", False, "Full cable texts"),
}


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """axe.min.js, installed from the lock file with ``npm ci`` if it is not there yet."""
    if not AXE_JS.is_file():
        npm = shutil.which("npm")
        if npm is None:
            tb.unavailable("npm is not installed; it installs axe-core for these tests")
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
    page: Any, server: str, axe_js: Path, screen: str, requests_seen: tb.Recorder
) -> None:
    query, has_map, expected = SCREENS[screen]
    page.goto(f"{server}/?{query}")
    page.locator('[data-testid="stMainBlockContainer"]').wait_for(state="visible")
    # Scan the drawn screen, not a page still waiting for its first run.
    page.get_by_text(expected).first.wait_for(state="attached", timeout=60_000)
    tb._wait_idle(page)
    if has_map:
        tb._map(page)
    page.wait_for_timeout(800)  # the last elements of the run settle
    tb._wait_idle(page)
    assert not page.get_by_test_id("stException").count(), f"{screen} raised an exception"
    result = axe_scan(page, axe_js)
    tb.ARTIFACTS.mkdir(exist_ok=True)
    (tb.ARTIFACTS / f"axe-{screen}.json").write_text(
        json.dumps(
            {k: result[k] for k in ("url", "testEngine", "violations", "incomplete")}, indent=1
        )
    )
    tb._shot(page, f"axe-{screen}")
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{screen}: axe found\n{summary(blocking)}"
    assert tb.off_machine(requests_seen.urls) == []
