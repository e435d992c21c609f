"""The Present screen in AppTest: a story step by step, for a projector and a clicker."""

from __future__ import annotations

import html
import re

import pytest
from streamlit.testing.v1 import AppTest
from test_app import (  # the app's environment and the AppTest helpers
    app_cache,  # noqa: F401
    app_env,  # noqa: F401
    last_map,
    ok,
    run,
    send_map_event,
    texts,
    warnings,
)

from geo import Atlas
from geo.stories import Story, load_stories

MAP = "aa_map_present"
GENEVA, KOREA = "geneva-1954", "korea-1951"


@pytest.fixture(scope="module")
def stories(atlas: Atlas) -> dict[str, Story]:
    return load_stories(atlas)


def step(at: AppTest) -> int:
    index: int = at.session_state["aa_step"]
    return index


def title(at: AppTest) -> str:
    (shown,) = [
        html.unescape(m[1])
        for h in at.html
        if (m := re.search(r"aa-step-title\">(.*?)</h1>", h.value))
    ]
    return shown


def present(sid: str, n: int) -> dict[str, str]:
    return {"view": "present", "story": sid, "step": str(n)}


def test_a_step_link_opens_the_step(stories: dict[str, Story]) -> None:
    story = stories[GENEVA]
    at = run(present(GENEVA, 2))
    s = story.steps[1]
    assert step(at) == 1 and title(at) == s.title
    assert at.session_state["aa_theater"] == story.theater
    state = last_map(at)
    assert state["theater"] == story.theater and state["keys"] is True
    assert state["selected"] == s.selected
    assert state["visible"] == list(s.layers)
    assert s.view is not None
    assert state["view"] == {"center": [s.view.lat, s.view.lon], "zoom": s.view.zoom}
    assert state["view_id"] == f"{story.theater}:{GENEVA}:1"
    body = texts(at)
    assert " ".join(s.caption.split()) in " ".join(body.split())
    assert f"2 / {len(story.steps)}" in body
    for ev in s.evidence:
        for phrase in ev.phrases:
            assert f"“{phrase}”" in body
    query = dict(at.query_params)
    assert {"view": "present", "story": GENEVA, "step": "2"}.items() <= query.items()
    assert query["theater"] == story.theater and query.get("line") == s.selected


def test_a_story_link_without_view_presents(stories: dict[str, Story]) -> None:
    at = run({"story": KOREA, "step": "1"})
    assert at.session_state["aa_view"] == "present"
    assert title(at) == stories[KOREA].steps[0].title


def test_next_previous_first_last(stories: dict[str, Story]) -> None:
    story = stories[GENEVA]
    last = len(story.steps) - 1
    at = run(present(GENEVA, 1))
    assert at.button(key="aa_present_prev").disabled and at.button(key="aa_present_first").disabled
    at.button(key="aa_present_next").click().run()
    ok(at)
    assert step(at) == 1 and at.query_params["step"] == "2"
    assert title(at) == story.steps[1].title
    assert last_map(at)["selected"] == story.steps[1].selected
    at.button(key="aa_present_last").click().run()
    assert step(at) == last and at.query_params["step"] == str(last + 1)
    assert at.button(key="aa_present_next").disabled and at.button(key="aa_present_last").disabled
    at.button(key="aa_present_prev").click().run()
    assert step(at) == last - 1
    at.button(key="aa_present_first").click().run()
    assert step(at) == 0 and at.query_params["step"] == "1"


def test_the_clickers_page_keys_move_too(stories: dict[str, Story]) -> None:
    at = run(present(GENEVA, 1))
    shortcuts = {
        b.key: b.proto.shortcut.lower()
        for b in at.button
        if b.key and b.key.startswith("aa_present")
    }
    assert shortcuts["aa_present_pgdn"] == "pagedown" and shortcuts["aa_present_pgup"] == "pageup"
    assert shortcuts["aa_present_next"] == "right" and shortcuts["aa_present_prev"] == "left"
    at.button(key="aa_present_pgdn").click().run()
    assert step(at) == 1
    at.button(key="aa_present_pgup").click().run()
    at.button(key="aa_present_pgup").click().run()
    assert step(at) == 0


def test_a_key_sent_by_the_map_steps(stories: dict[str, Story]) -> None:
    story = stories[GENEVA]
    last = len(story.steps) - 1
    at = run(present(GENEVA, 1))
    send_map_event(at, MAP, {"type": "key", "key": "ArrowRight", "seq": 1})
    ok(at)
    assert step(at) == 1 and at.query_params["step"] == "2"
    assert title(at) == story.steps[1].title
    assert last_map(at)["view_id"].endswith(f"{GENEVA}:1")
    send_map_event(at, MAP, {"type": "key", "key": "PageDown", "seq": 2})
    assert step(at) == 2
    send_map_event(at, MAP, {"type": "key", "key": "ArrowLeft", "seq": 3})
    assert step(at) == 1
    send_map_event(at, MAP, {"type": "key", "key": "End", "seq": 4})
    assert step(at) == last
    send_map_event(at, MAP, {"type": "key", "key": "ArrowRight", "seq": 5})
    assert step(at) == last and at.query_params["step"] == str(last + 1)
    send_map_event(at, MAP, {"type": "key", "key": "Home", "seq": 6})
    assert step(at) == 0
    send_map_event(at, MAP, {"type": "key", "key": "PageUp", "seq": 7})
    assert step(at) == 0
    for junk in ({"type": "key", "key": "<b>"}, {"type": "click", "id": "x"}, {"key": "End"}):
        send_map_event(at, MAP, junk)
        ok(at)
        assert step(at) == 0


def test_downloads_in_presentation_mode() -> None:
    at = run(present(GENEVA, 3))
    labels = {str(d.label) for d in at.get("download_button")}
    assert {
        "Map (PNG)",
        "Handout (PDF)",
        "Data (GeoJSON)",
        "Table (CSV)",
        "Citations (RIS)",
        "Citations (BibTeX)",
        "Whole story (PDF)",
    } <= labels


def test_the_projector_layout_only_while_presenting() -> None:
    at = run(present(GENEVA, 1))
    assert any("projector layout" in h.value for h in at.html)
    at.button(key="aa_present_close").click().run()
    ok(at)
    assert not any("projector layout" in h.value for h in at.html)


def test_close_goes_back_to_the_list_and_start_presents(stories: dict[str, Story]) -> None:
    at = run(present(GENEVA, 3))
    at.button(key="aa_present_close").click().run()
    ok(at)
    assert "story" not in at.query_params and "step" not in at.query_params
    starts = [b for b in at.button if b.label == "Start presenting"]
    assert len(starts) == len(stories)
    at.button(key=f"aa_story_start_{KOREA}").click().run()
    ok(at)
    assert at.session_state["aa_theater"] == stories[KOREA].theater
    assert title(at) == stories[KOREA].steps[0].title
    assert at.query_params["story"] == KOREA and at.query_params["step"] == "1"


def test_the_list_links_every_step(stories: dict[str, Story]) -> None:
    at = run({"view": "present"})
    body = "\n".join(str(m.value) for m in at.markdown)
    for sid, story in stories.items():
        for i in range(len(story.steps)):
            assert f"(?view=present&story={sid}&step={i + 1}" in body


def test_leaving_the_presentation_drops_story_and_step(stories: dict[str, Story]) -> None:
    at = run(present(GENEVA, 2))
    at.button_group(key="aa_view").set_value("map").run()
    ok(at)
    assert "story" not in at.query_params and "step" not in at.query_params
    assert last_map(at)["selected"] == stories[GENEVA].steps[1].selected  # kept


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"view": "present", "story": "nope"}, ["story"]),
        ({"view": "present", "story": "<img src=x onerror=alert(1)>"}, ["story"]),
        ({"view": "present", "story": "s" * 5000, "step": "1"}, ["step", "story"]),
        ({"view": "present", "story": GENEVA, "step": "²"}, ["step"]),
        ({"view": "present", "story": GENEVA, "step": "9" * 5000}, ["step"]),
        ({"view": "present", "story": GENEVA, "step": "99"}, ["step"]),
        ({"view": "present", "step": "2"}, ["step"]),
        ({"story": "gen\u00e8ve", "step": "\u0663"}, ["step", "story"]),
    ],
)
def test_bad_story_links_warn_and_fall_back(params: dict[str, str], named: list[str]) -> None:
    at = run(params)
    shown = warnings(at)
    assert sorted(w.split("=")[0].removeprefix("URL parameter `") for w in shown) == named
    for w in shown:
        assert "\n" not in w and len(w) < 300
    assert at.session_state["aa_view"] == "present"
    if params.get("story") == GENEVA:
        assert step(at) == 0 and at.query_params["step"] == "1"
    else:
        assert any(b.label == "Start presenting" for b in at.button)  # the list
        assert "story" not in at.query_params
