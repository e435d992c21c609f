"""Hostile text in records never becomes markup or script in a rendered map."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DATA_DIR
from geo import build_all, load_atlas
from geo.render import MapOptions, render_html

PAYLOADS = [
    "</script><script>window.PWNED='script'</script>",
    "<img src=x onerror=\"window.PWNED='img'\">",
    "`${window.PWNED=40+2}`",
    "\\u003cscript\\u003ewindow.PWNED='unicode'\\u003c/script\\u003e",
    "\" onmouseover=\"window.PWNED='attr'",
]


@pytest.fixture(scope="module")
def evil_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    data = tmp_path_factory.mktemp("evil") / "data"
    shutil.copytree(DATA_DIR, data)
    joined = " ".join(PAYLOADS).replace('"', '\\"')
    prop = data / "proposals" / "vn-1954-drv-minimum.yaml"
    text = prop.read_text().replace(
        'title: "DRV minimum: the 16th parallel"', f'title: "DRV minimum {joined}"'
    )
    prop.write_text(text.replace("summary: >-\n", f"summary: >-\n  {joined}\n", 1))
    places = data / "places.yaml"
    places.write_text(places.read_text().replace("name: Hue\n", f'name: "Hue {joined}"\n', 1))
    cable = data / "cables" / "110145.yaml"
    cable.write_text(cable.read_text().replace('title: "Cable', f'title: "{joined} Cable', 1))
    atlas = load_atlas(data)
    build_all(atlas)
    return render_html(atlas, MapOptions(theater="indochina"))


def test_payloads_are_escaped_in_the_html(evil_html: str) -> None:
    for payload in PAYLOADS[:2]:  # markup; the template payload is checked below
        assert payload not in evil_html
    assert "<img src=x" not in evil_html
    # Folium wraps tooltip texts in JS template literals, where ${...} would run.
    tooltips = re.findall(r"bindTooltip\(\s*`(.*?)`\s*,", evil_html, flags=re.DOTALL)
    assert any("DRV minimum" in t for t in tooltips)
    assert not any("${" in t or "`" in t for t in tooltips)
    assert "DRV minimum" in evil_html  # the record is still there, as text


def test_nothing_executes_in_chromium(evil_html: str, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium not installed")
    page = tmp_path / "evil.html"
    probe = "<script>document.title = 'PWNED:' + String(window.PWNED);</script></body>"
    page.write_text(evil_html.replace("</body>", probe))
    res = subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=3000",
            "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert "<title>PWNED:undefined</title>" in res.stdout, res.stdout[-2000:]
    assert "leaflet-interactive" in res.stdout  # the map did render
