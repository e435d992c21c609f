"""The Sequence screen in AppTest: a negotiation position by position, each with the words of
its document and the gap to what was finally signed."""

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

from geo import BuiltAtlas, compare
from geo.outputs import webmap
from ui.screens.sequence import counterpart

MAP = "aa_map_sequence"


def counter(at: AppTest) -> str:
    (shown,) = [m[1] for h in at.html if (m := re.search(r'aa-counter"[^>]*>([^<]*)<', h.value))]
    return shown


def quotes(at: AppTest) -> list[str]:
    return [
        html.unescape(q)
        for h in at.html
        for q in re.findall(r"<blockquote[^>]*>“(.*?)”</blockquote>", str(h.value), re.S)
    ]


def position(at: AppTest) -> int:
    index: int = at.session_state["aa_seq_pos"]
    return index


def test_a_link_opens_its_step(built: BuiltAtlas) -> None:
    at = run({"view": "sequence", "theater": "indochina", "pos": "2"})
    steps = built.atlas.positions("indochina")
    current = steps[1]
    assert position(at) == 1 and counter(at) == f"2 / {len(steps)}"
    state = last_map(at)
    assert state["theater"] == "indochina" and state["keys"] is True
    assert state["selected"] == current.id
    assert state["visible"] == [steps[0].id, current.id]  # this step and the earlier ones
    shown = [built[i].geometry for i in state["visible"]]
    assert state["view"] == {"bounds": webmap.bounds_of(shown)}
    # who proposed what, in the document's own words, and the gap to what was signed
    body = texts(at)
    assert current.title in body and current.party_label in body
    phrases = [ev.phrase for _, ev in built.atlas.evidence_for(current.id)]
    assert phrases and set(phrases) <= set(quotes(at))
    target = counterpart(built, current.id)
    assert target is not None and target != current.id
    (metric,) = at.metric
    assert metric.label == "Gap to what was signed"
    assert metric.value == f"{compare(built, current.id, target).area_between_km2:,.0f} km²"
    assert dict(at.query_params) == {"theater": "indochina", "view": "sequence", "pos": "2"}


def test_the_buttons_step_through_the_positions(built: BuiltAtlas) -> None:
    steps = built.atlas.positions("korea")
    at = run({"view": "sequence"})
    assert position(at) == 0 and at.query_params["pos"] == "1"
    assert at.button(key="aa_seq_prev").disabled and at.button(key="aa_seq_first").disabled
    at.button(key="aa_seq_next").click().run()
    ok(at)
    assert position(at) == 1 and at.query_params["pos"] == "2"
    assert last_map(at)["selected"] == steps[1].id
    assert last_map(at)["view_id"] == "korea:seq1"
    at.button(key="aa_seq_last").click().run()
    assert position(at) == len(steps) - 1 and at.query_params["pos"] == str(len(steps))
    assert at.button(key="aa_seq_next").disabled and at.button(key="aa_seq_last").disabled
    at.button(key="aa_seq_prev").click().run()
    assert position(at) == len(steps) - 2
    at.button(key="aa_seq_first").click().run()
    assert position(at) == 0 and last_map(at)["visible"] == [steps[0].id]


def test_the_buttons_carry_the_keyboard_shortcuts() -> None:
    at = run({"view": "sequence", "pos": "2"})
    shortcuts = {
        b.key: b.proto.shortcut.lower() for b in at.button if b.key and b.key.startswith("aa_seq")
    }
    assert shortcuts["aa_seq_next"] == "right" and shortcuts["aa_seq_prev"] == "left"
    assert shortcuts["aa_seq_first"] == "home" and shortcuts["aa_seq_last"] == "end"


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["ArrowRight"], 3),
        (["PageDown", "PageDown"], 4),
        (["ArrowLeft"], 1),
        (["PageUp", "PageUp", "PageUp", "PageUp"], 0),
        (["End"], -1),
        (["Home"], 0),
        (["Enter", "a", "<b>", ""], 2),
    ],
)
def test_keys_sent_from_the_map_step_too(built: BuiltAtlas, keys: list[str], expected: int) -> None:
    count = len(built.atlas.positions("indochina"))
    at = run({"view": "sequence", "theater": "indochina", "pos": "3"})
    for seq, key in enumerate(keys, 1):
        send_map_event(at, MAP, {"type": "key", "key": key, "seq": seq})
        ok(at)
    assert position(at) == expected % count
    assert at.query_params["pos"] == str(expected % count + 1)


def test_at_the_end_a_key_goes_no_further(built: BuiltAtlas) -> None:
    count = len(built.atlas.positions("indochina"))
    at = run({"view": "sequence", "theater": "indochina", "pos": str(count)})
    send_map_event(at, MAP, {"type": "key", "key": "ArrowRight", "seq": 1})
    assert position(at) == count - 1
    send_map_event(at, MAP, {"type": "click", "id": "vn-1954-drv-minimum", "seq": 2})
    assert position(at) == count - 1  # a click is not a step


def test_the_signed_outcome_says_so(built: BuiltAtlas) -> None:
    steps = built.atlas.positions("indochina")
    last = len(steps)
    at = run({"view": "sequence", "theater": "indochina", "pos": str(last)})
    assert steps[-1].record == "outcome"
    assert not at.metric
    assert "This is what was signed." in texts(at)


def test_play_starts_and_pauses() -> None:
    at = run({"view": "sequence"})
    assert at.button(key="aa_seq_play").label == "Play"
    at.button(key="aa_seq_play").click().run()
    ok(at)
    assert at.session_state["aa_seq_playing"] is True
    assert at.button(key="aa_seq_play").label == "Pause"
    at.button(key="aa_seq_play").click().run()
    assert at.session_state["aa_seq_playing"] is False


def test_the_table_lists_every_position(built: BuiltAtlas) -> None:
    at = run({"view": "sequence", "theater": "indochina"})
    table = next(h.value for h in at.html if "Gap to signed" in h.value)
    for ln in built.atlas.positions("indochina"):
        assert html.escape(ln.title) in table
    assert "1 ◀" in table


@pytest.mark.parametrize("value", ["0", "²", "9" * 5000, "-2", "two", "1.5"])
def test_a_bad_position_warns_and_starts_at_one(value: str) -> None:
    at = run({"view": "sequence", "theater": "indochina", "pos": value})
    (warning,) = warnings(at)
    assert warning.startswith("URL parameter `pos=")
    assert position(at) == 0 and at.query_params["pos"] == "1"


def test_a_position_past_the_end_warns() -> None:
    at = run({"view": "sequence", "theater": "indochina", "pos": "99"})
    assert position(at) == 0
    assert [w for w in warnings(at) if w.startswith("URL parameter `pos=99`")]


def test_a_theater_switch_starts_again() -> None:
    at = run({"view": "sequence", "theater": "indochina", "pos": "4"})
    at.button_group(key="aa_theater").set_value("korea").run()
    ok(at)
    assert position(at) == 0 and last_map(at)["theater"] == "korea"
    assert at.query_params["pos"] == "1"
