"""Template syntax and markup in every record field are shown literally, never evaluated.

Every text field of every record (tests/hostile_data.py) carries Jinja expressions, an
unclosed statement, HTML, a JS template literal and a Python-running payload. Record text
reaches a page only as JSON (``geo.outputs.webmap.to_json``), the CLI writes it as data, and
the app escapes it for markdown and HTML; so ``{{6*7}}x`` must come out as written and ``42x``
nowhere. (In a real browser: tests/browser/.)
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_app import (  # the app's environment and the AppTest helpers
    SCREENS,
    app_cache,  # noqa: F401
    app_env,  # noqa: F401
    page_source,
    run,
    texts,
)

import hostile_data
from conftest import DATA_DIR, REPO_ROOT
from geo import Atlas, BuiltAtlas, build, load_atlas, validate
from geo.outputs import webmap

LITERAL = "{{6*7}}x"  # how the token's first expression must be shown
PWNED = "PWNED_BY_TEMPLATE"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_data.make(tmp_path_factory.mktemp("tmpl") / "data", DATA_DIR)


@pytest.fixture(scope="module")
def hostile_atlas(data: Path) -> Atlas:
    return load_atlas(data)


@pytest.fixture(scope="module")
def hostile_built(hostile_atlas: Atlas) -> BuiltAtlas:
    return build(hostile_atlas)


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def no_pwned(*folders: Path) -> None:
    for folder in (*folders, REPO_ROOT, Path.cwd()):
        assert not (folder / PWNED).exists(), folder


def cli(data: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARMISTICE_CACHE": str(tmp_path / "cache")}
    env.pop("ARMISTICE_DATA", None)
    res = subprocess.run(
        [sys.executable, "-m", "geo", "--data-dir", str(data), *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    no_pwned(tmp_path)
    return res


def test_the_poisoned_copy_still_validates(data: Path, hostile_atlas: Atlas) -> None:
    assert validate(data) == []
    line = hostile_atlas.lines["vn-1954-drv-minimum"]
    assert hostile_data.TOKEN in line.title and hostile_data.RCE in line.title
    doc = hostile_atlas.documents["110145"]
    for text in (doc.title, doc.citation, doc.summary, doc.archive, doc.publisher):
        assert hostile_data.TOKEN in text
    assert hostile_data.TOKEN in hostile_atlas.places["cua-tung"].name


# ---------------------------------------------------------------------------------------
# the standalone page and the payload


@pytest.mark.parametrize("theater", ["korea", "indochina"])
def test_cli_render_shows_template_syntax_literally(
    data: Path, hostile_atlas: Atlas, tmp_path: Path, theater: str
) -> None:
    out = tmp_path / "map.html"
    cli(data, tmp_path, "render", "--theater", theater, "--out", str(out))
    page = out.read_text(encoding="utf-8")
    found = re.search(
        r'<script type="application/json" id="aa-payload">(.*?)</script>', page, re.DOTALL
    )
    assert found, "the page carries its payload as JSON"
    raw = found[1]
    assert "{{" not in raw and "<b>" not in raw  # escaped inside the script element
    payload = json.loads(raw)
    shown = list(strings(payload))
    assert any(LITERAL in s for s in shown)
    parts = webmap.collections(payload)
    titles = {f["id"]: f["properties"]["title"] for f in parts["features"]["features"]}
    for ln in hostile_atlas.lines_in(theater):
        assert titles[ln.id] == ln.title  # exactly as written
        assert hostile_data.TOKEN in titles[ln.id]
    places = [f["properties"]["name"] for f in parts["places"]["features"]]
    assert places and all(hostile_data.TOKEN in name for name in places)
    assert hostile_data.EVALUATED not in page


@pytest.mark.parametrize("theater", ["korea", "indochina"])
def test_the_payload_and_its_json_keep_the_text(hostile_built: BuiltAtlas, theater: str) -> None:
    payload = webmap.theater_payload(hostile_built, theater)
    text = webmap.to_json(payload)
    assert json.loads(text) == payload  # escaping changes nothing of the value
    for bad in ("{{", "{%", "{#", "<", ">", "&"):
        assert bad not in "".join(re.findall(r'"(?:[^"\\]|\\.)*"', text)), bad
    assert hostile_data.EVALUATED not in text
    assert any(hostile_data.TOKEN in s for s in strings(payload))
    groups = [g["label"] for g in payload["groups"]]
    assert groups  # the group labels are the app's own words
    state = {"selected": "x" + hostile_data.TOKEN, "marker": {"label": hostile_data.TOKEN}}
    assert json.loads(webmap.to_json(state)) == state
    assert "{{" not in webmap.to_json(state)


# ---------------------------------------------------------------------------------------
# the CLI's export and compare


def test_cli_export_geojson_and_csv(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "atlas.geojson"
    cli(data, tmp_path, "export", "--out", str(out), "--with-places")
    fc = json.loads(out.read_text(encoding="utf-8"))
    titles = [f["properties"].get("title", "") for f in fc["features"]]
    assert titles and sum(hostile_data.TOKEN in t for t in titles) >= len(titles) // 2
    assert hostile_data.EVALUATED not in out.read_text(encoding="utf-8")
    table = cli(data, tmp_path, "export", "--out", "-", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(table)))
    assert rows and all(hostile_data.TOKEN in r["title"] for r in rows)
    assert hostile_data.EVALUATED not in table


@pytest.mark.parametrize("as_json", [False, True])
def test_cli_compare_names_the_places_as_written(data: Path, tmp_path: Path, as_json: bool) -> None:
    args = ["compare", "vn-1954-french-18th", "vn-1954-geneva-line"]
    out = cli(data, tmp_path, *args, *(["--json"] if as_json else [])).stdout
    assert LITERAL in out and "Cua Tung" in out
    assert hostile_data.EVALUATED not in out
    if as_json:
        result = json.loads(out)
        assert any(hostile_data.TOKEN in s for s in strings(result))


# ---------------------------------------------------------------------------------------
# the app, every screen


def expected_title(atlas: Atlas, screen: str) -> str:
    """A poisoned title the screen shows."""
    if screen == "documents":
        return atlas.documents["110145"].title
    if screen == "present":
        from geo.stories import load_stories

        return load_stories(atlas)["geneva-1954"].steps[1].title
    if screen == "sequence":
        return atlas.positions("indochina")[2].title
    return atlas.lines["vn-1954-drv-minimum"].title


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_screen_shows_the_text_as_written(
    data: Path, hostile_atlas: Atlas, monkeypatch: pytest.MonkeyPatch, screen: str
) -> None:
    monkeypatch.setenv("ARMISTICE_DATA", str(data))
    at = run(SCREENS[screen])
    assert not at.error and not at.warning
    shown = texts(at)
    assert expected_title(hostile_atlas, screen) in shown
    assert LITERAL in shown and "{%raw%}" in shown and "<b>y</b>" in shown
    assert hostile_data.EVALUATED not in shown
    assert hostile_data.EVALUATED not in page_source(at)
    assert "<b>y</b>" not in "".join(str(h.value) for h in at.html)  # markup never live
    no_pwned()
