"""Presentation mode and the exports, run headless with AppTest (see tests/test_app.py).

A story's step link opens the step; Next / Previous / First / Last and the hidden
PageUp / PageDown buttons move through it; bad ``story`` and ``step`` values warn and fall
back; the files the Download buttons hand out are checked for what they are.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

import geo
from geo.stories import Story, load_stories

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # ui/ is not an installed package; the app runs from the repo
    sys.path.insert(0, str(REPO))

from test_app import _corpus_env, last_map, run, text, warnings  # noqa: E402, F401

from ui import exports  # noqa: E402
from ui import present as P  # noqa: E402
from ui import state as S  # noqa: E402

KOREA, GENEVA = "korea-1951", "geneva-1954"


@pytest.fixture(scope="module")
def stories() -> dict[str, Story]:
    return load_stories(geo.load_atlas())


def html(at: AppTest) -> str:
    return "\n".join(str(h.value) for h in at.html)


def step_title(at: AppTest) -> str:
    found = re.findall(r'<h1 class="aa-step-title">(.*?)</h1>', html(at))
    assert len(found) == 1, found
    return found[0]


def button(at: AppTest, key: str) -> Any:
    return at.button(key=key)


def esc(value: str) -> str:
    return html_lib.escape(value, quote=True)


def assert_on_step(at: AppTest, story: Story, index: int) -> None:
    step = story.steps[index]
    assert at.session_state["aa_view"] == "present"
    assert at.session_state[P.STEP] == index
    assert step_title(at) == esc(step.title)
    assert f">{index + 1} / {len(story.steps)}<" in html(at)
    options = last_map(at)
    assert options.theater == story.theater
    assert options.layers == step.layers
    assert options.selected == step.selected
    if step.view is not None:
        assert options.center == step.view.center
        assert options.zoom == step.view.zoom
    # the URL is the step's own link (plus view=present)
    assert step.params(story.id, index).items() <= at.query_params.items()
    assert at.query_params["view"] == "present"


# ---------------------------------------------------------------------------------------
# deep links


@pytest.mark.parametrize(("sid", "n"), [(KOREA, 3), (GENEVA, 5)])
def test_step_link_restores_the_step(stories: dict[str, Story], sid: str, n: int) -> None:
    at = run({"view": "present", "story": sid, "step": str(n)})
    assert not warnings(at) and not at.error
    assert_on_step(at, stories[sid], n - 1)


def test_the_story_module_link_opens_presentation_mode(stories: dict[str, Story]) -> None:
    """Step.deep_link() has no ``view``: a ``story`` in the URL is enough."""
    story = stories[GENEVA]
    at = run(story.steps[2].params(story.id, 2))
    assert not warnings(at)
    assert_on_step(at, story, 2)


def test_the_story_decides_the_theater(stories: dict[str, Story]) -> None:
    at = run({"view": "present", "story": GENEVA, "step": "1", "theater": "korea"})
    assert_on_step(at, stories[GENEVA], 0)
    assert at.query_params["theater"] == "indochina"


def test_the_caption_and_the_evidence_are_shown(stories: dict[str, Story]) -> None:
    atlas = geo.load_atlas()
    step = stories[KOREA].steps[0]
    at = run({"view": "present", "story": KOREA, "step": "1"})
    page = html(at)
    assert f'<p class="aa-caption">{esc(step.caption)}</p>' in page
    for ev in step.evidence:
        for phrase in ev.phrases:
            assert f"“{esc(phrase)}”" in page
        citation = " ".join(atlas.cables[ev.cable].citation.split())
        assert esc(citation) in page


def test_the_text_version_lists_what_the_map_shows(stories: dict[str, Story]) -> None:
    atlas = geo.load_atlas()
    step = stories[KOREA].steps[3]
    at = run({"view": "present", "story": KOREA, "step": "4"})
    (table,) = at.table
    frame = table.value
    assert sorted(frame["Line or zone"]) == sorted(atlas.lines[i].title for i in step.layers)
    assert set(frame.columns) >= {"Line or zone", "Who", "Status", "Date", "Drawn as"}
    row = frame[frame["Line or zone"] == atlas.lines["kr-1951-un-buffer-zone"].title].iloc[0]
    assert row["Who"] == atlas.lines["kr-1951-un-buffer-zone"].party_label
    assert "blue, dashed" in row["Drawn as"] and "selected" in row["Drawn as"]


# ---------------------------------------------------------------------------------------
# moving through a story


def test_next_previous_first_last(stories: dict[str, Story]) -> None:
    story = stories[KOREA]
    last = len(story.steps) - 1
    at = run({"view": "present", "story": KOREA, "step": "2"})
    assert_on_step(at, story, 1)
    button(at, P.K_NEXT).click().run()
    assert_on_step(at, story, 2)
    button(at, P.K_PREV).click().run()
    button(at, P.K_PREV).click().run()
    assert_on_step(at, story, 0)
    assert button(at, P.K_PREV).disabled and button(at, P.K_FIRST).disabled
    button(at, P.K_LAST).click().run()
    assert_on_step(at, story, last)
    assert button(at, P.K_NEXT).disabled and button(at, P.K_LAST).disabled
    button(at, P.K_FIRST).click().run()
    assert_on_step(at, story, 0)
    assert not at.exception


def test_clicker_buttons_move_too(stories: dict[str, Story]) -> None:
    """PageDown / PageUp are shortcuts of two hidden buttons (one shortcut per button)."""
    story = stories[GENEVA]
    at = run({"view": "present", "story": GENEVA})
    assert_on_step(at, story, 0)
    assert at.query_params["step"] == "1"
    button(at, P.K_PGDN).click().run()
    button(at, P.K_PGDN).click().run()
    assert_on_step(at, story, 2)
    button(at, P.K_PGUP).click().run()
    assert_on_step(at, story, 1)
    for _ in range(len(story.steps) + 2):  # past the end stays on the last step
        button(at, P.K_PGDN).click().run()
    assert_on_step(at, story, len(story.steps) - 1)


def test_buttons_carry_the_keyboard_shortcuts() -> None:
    at = run({"view": "present", "story": KOREA, "step": "2"})
    shortcuts = {key: button(at, key).proto.shortcut.lower() for key in P.NAV_KEYS}
    assert shortcuts == {
        P.K_FIRST: "home",
        P.K_PREV: "left",
        P.K_NEXT: "right",
        P.K_LAST: "end",
        P.K_PGUP: "pageup",
        P.K_PGDN: "pagedown",
    }


def test_leaving_the_presentation_keeps_the_step_selected(stories: dict[str, Story]) -> None:
    step = stories[KOREA].steps[4]
    at = run({"view": "present", "story": KOREA, "step": "5"})
    at.button_group(key="aa_view").set_value("map").run()
    assert not at.exception
    assert last_map(at).selected == step.selected
    assert at.selectbox(key="aa_pick").value == step.selected


def test_projector_css_only_on_the_presentation(stories: dict[str, Story]) -> None:
    at = run({"view": "present", "story": KOREA, "step": "2"})
    assert P.PRESENT_CSS.strip() in html(at)
    at.button_group(key="aa_view").set_value("timeline").run()
    assert P.PRESENT_CSS.strip() not in html(at)
    assert "story" not in at.query_params and "step" not in at.query_params
    at.button_group(key="aa_view").set_value("present").run()  # back where we were
    assert_on_step(at, stories[KOREA], 1)


def test_close_goes_back_to_the_story_list(stories: dict[str, Story]) -> None:
    at = run({"view": "present", "story": KOREA, "step": "4"})
    button(at, P.K_CLOSE).click().run()
    assert "story" not in at.query_params and "step" not in at.query_params
    titles = [s.value for s in at.subheader]
    assert stories[KOREA].title in titles and stories[GENEVA].title in titles
    at.button(key=f"aa_story_start_{GENEVA}").click().run()
    assert_on_step(at, stories[GENEVA], 0)


def test_the_story_list_links_every_step(stories: dict[str, Story]) -> None:
    at = run({"view": "present"})
    assert not warnings(at)
    body = text(at)
    for story in stories.values():
        for i in range(len(story.steps)):
            assert P.step_link(story, i) in body


# ---------------------------------------------------------------------------------------
# bad links


@pytest.mark.parametrize(
    ("params", "bad", "index"),
    [
        ({"story": "no-such-story", "step": "2"}, "story", None),
        ({"story": KOREA, "step": "99"}, "step", 0),
        ({"story": KOREA, "step": "0"}, "step", 0),
        ({"story": KOREA, "step": "two"}, "step", 0),
        ({"step": "3"}, "step", None),
    ],
)
def test_bad_story_params_warn_and_fall_back(
    stories: dict[str, Story], params: dict[str, str], bad: str, index: int | None
) -> None:
    at = run({"view": "present", **params})
    shown = warnings(at)
    assert any(f"`{bad}={params[bad]}`" in w for w in shown), shown
    assert not at.error
    if index is None:  # the list of stories
        assert "story" not in at.query_params
        assert {s.value for s in at.subheader} >= {s.title for s in stories.values()}
    else:
        assert_on_step(at, stories[KOREA], index)
        assert at.query_params["step"] == "1"
    # the warning goes once the presenter moves on
    if index is not None:
        button(at, P.K_NEXT).click().run()
        assert not warnings(at)


def test_parse_story_params(stories: dict[str, Story]) -> None:
    assert P.parse_story_params({}, stories) == (None, 0, [])
    assert P.parse_story_params({"story": KOREA}, stories) == (KOREA, 0, [])
    assert P.parse_story_params({"story": [GENEVA, KOREA], "step": " 4 "}, stories)[:2] == (
        KOREA,
        3,
    )
    sid, index, warns = P.parse_story_params({"story": "x" * 300}, stories)
    assert (sid, index, [w.param for w in warns]) == (None, 0, ["story"])
    assert len(str(warns[0])) < 200 and KOREA in str(warns[0])
    _, index, warns = P.parse_story_params({"story": KOREA, "step": "-1"}, stories)
    assert index == 0 and "steps 1 to 9" in str(warns[0])


def test_state_opens_present_for_a_story_link() -> None:
    catalog = S.Catalog({})
    assert S.parse_params({"story": KOREA}, catalog)[0].view == "present"
    assert S.parse_params({"story": KOREA, "view": "map"}, catalog)[0].view == "map"


# ---------------------------------------------------------------------------------------
# exports


@pytest.fixture(scope="module")
def step_view(stories: dict[str, Story]) -> exports.MapView:
    story = stories[KOREA]
    return P.map_view(story, story.steps[3], places=True)


def test_download_buttons_in_presentation_mode_and_on_the_map() -> None:
    expected = {"PNG", "PDF", "GeoJSON", "CSV", "RIS", "BibTeX"}
    at = run({"view": "present", "story": KOREA, "step": "4"})
    labels = " ".join(str(el.proto.label) for el in at.get("download_button"))
    assert all(kind in labels for kind in expected), labels
    at = run({"theater": "indochina", "line": "vn-1954-drv-minimum"})
    labels = " ".join(str(el.proto.label) for el in at.get("download_button"))
    assert all(kind in labels for kind in expected), labels
    assert "offline HTML" in labels
    assert at.table, "the map screen has a text version of the map"


def test_png_is_a_1920_by_1080_image(step_view: exports.MapView) -> None:
    data = exports.png_bytes(None, step_view)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == exports.PNG_SIZE


def test_pdf_is_one_page_with_the_lines(step_view: exports.MapView) -> None:
    atlas = geo.load_atlas()
    data = exports.pdf_bytes(None, step_view)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    words = " ".join(reader.pages[0].extract_text().split())
    assert step_view.title and step_view.title in words
    for lid in step_view.layers or ():
        title = atlas.lines[lid].title
        assert title in words, title


def test_geojson_and_csv_hold_the_lines_shown(step_view: exports.MapView) -> None:
    fc = json.loads(exports.geojson_bytes(None, step_view))
    assert fc["type"] == "FeatureCollection"
    lines = [f for f in fc["features"] if f["properties"]["kind"] != "point"]
    assert sorted(f["id"] for f in lines) == sorted(step_view.layers or ())
    for feature in fc["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in {
            "Point",
            "LineString",
            "MultiLineString",
            "Polygon",
            "MultiPolygon",
        }
    rows = list(csv.DictReader(io.StringIO(exports.csv_bytes(None, step_view).decode())))
    assert sorted(r["id"] for r in rows) == sorted(step_view.layers or ())


def test_citations_name_the_cables_behind_the_lines(step_view: exports.MapView) -> None:
    atlas = geo.load_atlas()
    cables = {cid for lid in step_view.layers or () for cid in atlas.lines[lid].sources}
    assert cables, "step 4 of the Korea story rests on cables"
    ris = exports.ris_bytes(None, step_view).decode()
    bib = exports.bibtex_bytes(None, step_view).decode()
    for cid in cables:
        assert f"ID  - wcda{cid}" in ris
        assert f"@misc{{wcda{cid}," in bib
    assert ris.count("TY  - ") == len(cables)
    assert bib.count("@misc{") == len(cables)


def test_a_map_of_signed_lines_only_has_no_citations() -> None:
    view = exports.MapView("korea", ("kr-1953-mdl", "kr-1953-dmz"))
    assert exports.ris_bytes(None, view) == b""
    assert exports.pdf_bytes(None, view).startswith(b"%PDF-")
