"""The Streamlit app in AppTest: the Map screen, the URL, the sidebar, and what every screen
must never show. The helpers here are shared by the other ``test_app_*`` files.

AppTest runs the real script in-process. The map is a custom component it cannot draw, but
``session_state["aa_last_map"]`` holds the state last sent to it, and
:func:`send_map_event` makes the component "send" a value (a click, a drawing, a key), as the
browser would: the component's node in the element tree is swapped for a widget whose state
is that value, so ``at.run()`` delivers it and the app's ``on_change`` callback runs.
(Setting ``at.session_state[key]`` alone does not: Streamlit calls a widget's callback only
for a value that comes from the front end.)
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Widget

from conftest import DATA_DIR, REPO_ROOT, corpus_dir, require_corpus
from geo import Atlas, BuiltAtlas, validate
from geo.outputs import webmap
from geo.vocab import THEATERS, group_label
from ui import resources
from ui.rules import (
    PROPOSED,
    event_dates,
    layer_groups,
    signed_day,
    standings,
    timeline_range,
)

APP = str(REPO_ROOT / "app.py")
MINIMUM, MAXIMUM, FRENCH = "vn-1954-drv-minimum", "vn-1954-drv-maximum", "vn-1954-french-18th"
MDL = "kr-1953-mdl"
MAP_KEYS = {
    "map": "aa_map_main",
    "compare": "aa_map_compare",
    "sequence": "aa_map_sequence",
    "timeline": "aa_map_timeline",
    "present": "aa_map_present",
}
#: One link per screen (present with a story, so its map is drawn).
SCREENS: dict[str, dict[str, str]] = {
    "map": {"theater": "indochina", "line": MINIMUM},
    "compare": {"theater": "indochina", "view": "compare", "compare": f"{FRENCH},{MINIMUM}"},
    "sequence": {"theater": "indochina", "view": "sequence", "pos": "3"},
    "timeline": {"theater": "indochina", "view": "timeline", "date": "1954-06-30"},
    "documents": {"view": "documents", "doc": "110145"},
    "present": {"view": "present", "story": "geneva-1954", "step": "2"},
    "sources": {"theater": "indochina", "view": "sources"},
}
#: Settings the tests choose themselves (none of the developer's own).
ENV = (
    "ARMISTICE_DATA",
    "ARMISTICE_MODE",
    "ARMISTICE_OPERATOR_TOKEN",
    "ARMISTICE_IMPORT_ROOT",
    "ARMISTICE_SESSION_DOCS",
    "ARMISTICE_SESSION_BYTES",
    "ARMISTICE_LIBRARY_DOCS",
    "ARMISTICE_LIBRARY_BYTES",
)


# ---------------------------------------------------------------------------------------
# environment


@pytest.fixture(scope="session")
def app_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder (built shapes, the map component's files) for the whole run."""
    return tmp_path_factory.mktemp("armistice-cache")


@pytest.fixture(autouse=True)
def app_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, app_cache: Path) -> Iterator[Path]:
    """Cache and user data in temporary folders, the corpus when there is one; returns the
    shared library's folder. The app reads its settings once per process, so they are read
    again for every test."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ARMISTICE_CACHE", str(app_cache))
    user = tmp_path / "user-data"
    monkeypatch.setenv("ARMISTICE_USER_DATA", str(user))
    corpus = corpus_dir()
    if corpus is not None:
        monkeypatch.setenv("ARMISTICE_CORPUS", str(corpus))
    else:
        monkeypatch.setenv("ARMISTICE_CORPUS", "")  # none: not the default folder either
    resources.settings.clear()
    yield user
    resources.settings.clear()


# ---------------------------------------------------------------------------------------
# helpers


def new_app(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if params:
        at.query_params = dict(params)
    return at


def run(params: dict[str, str] | None = None) -> AppTest:
    """The app run once with *params* as its URL query, checked to raise nothing."""
    at = new_app(params).run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


TEXT_KINDS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
)


def unescaped(text: str) -> str:
    """What markdown shows for text whose specials are backslash-escaped."""
    return re.sub(r"\\(.)", r"\1", text)


def texts(at: AppTest) -> str:
    """What the page says: markdown as shown (escapes undone), HTML with entities undone
    (tags kept), labels and help texts of buttons and choices, table cells."""
    parts = [unescaped(str(el.value)) for kind in TEXT_KINDS for el in getattr(at, kind)]
    parts += [html.unescape(str(h.value)) for h in at.html]
    for kind in ("button", "selectbox", "radio", "toggle", "button_group", "download_button"):
        for w in getattr(at, kind):
            parts.append(unescaped(str(w.label)))
            parts.append(unescaped(str(getattr(w.proto, "help", ""))))
            parts += [unescaped(str(o)) for o in getattr(w, "options", [])]
    for frame in at.dataframe:
        parts += [str(v) for v in frame.value.to_numpy().ravel()]
    parts += [unescaped(str(e.proto.label)) for e in at.expander]
    return "\n".join(parts)


def nodes(at: AppTest) -> Iterator[Any]:
    yield from at.main.root


def page_source(at: AppTest) -> str:
    """Every element the app sent, as its protobuf text: labels, help texts, bodies,
    component arguments, table data (the last as escaped bytes)."""
    return "\n".join(str(n.proto) for n in nodes(at) if getattr(n, "proto", None) is not None)


def assert_no_server_path(at: AppTest, *paths: Path) -> None:
    shown = page_source(at) + "\n" + texts(at) + "\n" + json.dumps(dict(at.query_params))
    for path in paths:
        for form in {str(path), str(path.resolve())}:
            assert form not in shown, f"{form} is shown"


def warnings(at: AppTest) -> list[str]:
    return [str(w.value) for w in at.warning]


def last_map(at: AppTest) -> dict[str, Any]:
    state: dict[str, Any] = at.session_state["aa_last_map"]
    return state


def components(at: AppTest) -> dict[str, dict[str, Any]]:
    """The map components drawn in the last run: key -> the arguments sent to the iframe
    (the state decoded when it travels as JSON text)."""
    out = {}
    for n in at.get("component_instance"):
        if n.proto.component_name.endswith("armistice_atlas_map"):
            args = json.loads(n.proto.json_args)
            if isinstance(args.get("state"), str):
                args["state"] = json.loads(args["state"])
            out[str(n.key)] = args
    return out


class _ComponentValue(Widget):
    """A component instance whose front end has sent *value* (see the module docstring)."""

    def __init__(self, node: Any, value: Any) -> None:
        super().__init__(node.proto, node.root)
        self.type = "component_instance"
        self._value = value

    @property
    def _widget_state(self) -> WidgetState:
        ws = WidgetState()
        ws.id = self.id
        ws.json_value = json.dumps(self._value)
        return ws

    @property
    def value(self) -> Any:
        return self._value


def _swap(block: Block, key: str, value: Any) -> bool:
    for index, child in list(block.children.items()):
        if getattr(child, "type", None) == "component_instance" and child.key == key:
            block.children[index] = _ComponentValue(child, value)
            return True
        if isinstance(child, Block) and _swap(child, key, value):
            return True
    return False


def send_map_event(at: AppTest, key: str, event: Any) -> AppTest:
    """The map *key* sends *event* (as the browser would) and the app reruns."""
    assert _swap(at.main.root, key, event), f"no map {key!r} on the page"
    return at.run()


def sidebar_toggles(at: AppTest) -> list[str]:
    return [str(t.label) for t in at.sidebar.toggle]


def broken_copy(tmp_path: Path, edits: dict[str, tuple[str, str]]) -> Path:
    """A copy of data/ with *edits* (file -> (old, new), each old text found once)."""
    data = tmp_path / "records"
    shutil.copytree(DATA_DIR, data)
    for file, (old, new) in edits.items():
        path = data / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, (file, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    return data


# ---------------------------------------------------------------------------------------
# the map screen


def test_default_load_draws_korea(built: BuiltAtlas) -> None:
    at = run()
    assert not at.error and not warnings(at)
    state = last_map(at)
    assert state["theater"] == "korea"
    assert state["visible"] is None and state["selected"] is None and state["compare"] is None
    assert state["view"] is None and state["marker"] is None and state["draw"] is False
    assert state["height"] == 620
    (sent,) = components(at).values()
    assert sent["state"] == {k: v for k, v in state.items() if k != "theater"}
    assert re.fullmatch(r"data/korea-[0-9a-f]{20}\.json", sent["payload_url"])
    assert dict(at.query_params) == {"theater": "korea"}
    assert at.session_state["aa_view"] == "map"
    body = texts(at)
    assert "Korea 1951–53: what is on the map" in body
    for ln in built.atlas.lines_in("korea"):
        assert ln.title in body  # the overview table lists every record


def test_theater_switch_redraws_and_updates_the_url() -> None:
    at = run({"theater": "korea", "line": MDL})
    at.button_group(key="aa_theater").set_value("indochina").run()
    ok(at)
    state = last_map(at)
    assert state["theater"] == "indochina" and state["selected"] is None
    assert dict(at.query_params) == {"theater": "indochina"}  # the Korean line is gone
    assert "Indochina 1954 (with Laos): what is on the map" in texts(at)
    at.button_group(key="aa_theater").set_value("korea").run()
    assert last_map(at)["theater"] == "korea"


def test_a_line_link_opens_its_panel_and_fits_the_map(atlas: Atlas, built: BuiltAtlas) -> None:
    at = run({"line": MINIMUM})  # no theater: the line says which
    doc = atlas.documents["110145"]
    body = texts(at)
    assert atlas.lines[MINIMUM].title in [unescaped(s.value) for s in at.subheader]
    assert "Citation: " + " ".join(doc.citation.split()) in body
    assert "PRC FMA 206-00046-34" in body and doc.url in body
    assert "Evidence: “the minimum is the 16th parallel”" in body
    state = last_map(at)
    assert state["theater"] == "indochina"
    assert state["selected"] == MINIMUM and state["dim"] is True
    assert state["view"] == {"bounds": webmap.bounds_of([built[MINIMUM].geometry])}
    assert at.selectbox(key="aa_pick").value == MINIMUM
    assert dict(at.query_params) == {"theater": "indochina", "line": MINIMUM}


def test_the_full_text_marks_the_evidence_phrase() -> None:
    require_corpus()
    at = run({"theater": "indochina", "line": MINIMUM})
    full = [h.value for h in at.html if 'class="aa-doc-text"' in h.value]
    assert full, "the full text of document 110145 is shown"
    assert '<mark class="aa-ev">the minimum is the 16th parallel</mark>' in full[0]
    assert any("aa-context" in h.value for h in at.html)  # the passage round the phrase


def test_only_the_first_documents_full_text_is_sent_until_another_is_opened() -> None:
    """A line with three documents on the server: the first full text is open; the other two
    are closed and their texts are not sent (each would add kilobytes to every click)."""
    require_corpus()
    line = "kr-1951-communist-38th-parallel"
    at = run({"theater": "korea", "line": line})
    titles = [e.label for e in at.expander if e.label.startswith("Full text")]
    assert len(titles) == 3
    assert len([h for h in at.html if 'class="aa-doc-text"' in h.value]) == 1
    at.session_state[f"aa_full_{line}_117413"] = True  # the reader opens the second
    at.run()
    shown = [h.value for h in at.html if 'class="aa-doc-text"' in h.value]
    assert len(shown) == 2 and not at.exception
    assert "Full text of" in shown[1]


def test_a_click_on_the_map_selects_a_line(atlas: Atlas) -> None:
    at = run({"theater": "indochina"})
    view_id = last_map(at)["view_id"]
    event = {"type": "click", "id": FRENCH, "lat": 17.9, "lng": 106.4, "seq": 1}
    send_map_event(at, "aa_map_main", event)
    ok(at)
    assert at.session_state["aa_line"] == FRENCH
    state = last_map(at)
    assert state["selected"] == FRENCH and state["dim"] is True
    assert state["view_id"] == view_id  # a click keeps the visitor's own view
    assert atlas.lines[FRENCH].title in [unescaped(s.value) for s in at.subheader]
    assert at.query_params["line"] == FRENCH
    assert at.selectbox(key="aa_pick").value == FRENCH
    # a second click elsewhere (a new seq) selects the other line
    send_map_event(at, "aa_map_main", {**event, "id": MAXIMUM, "seq": 2})
    assert last_map(at)["selected"] == MAXIMUM


def test_a_click_where_lines_share_a_stretch_offers_the_others(atlas: Atlas) -> None:
    """The provisional line of 27 November 1951 is drawn along the MDL of 1953 for much of
    its length; a click there reaches the top one, and the panel offers the others."""
    provisional, dmz = "kr-1951-11-27-provisional-line", "kr-1953-dmz"
    keys = atlas.keys("korea")

    def offered() -> list[str]:
        return [unescaped(b.label) for b in at.button if b.key and b.key.startswith("aa_also_")]

    at = run({"theater": "korea"})
    assert offered() == []
    event = {"type": "click", "id": provisional, "seq": 1, "also": [MDL, dmz, "no-such-line"]}
    send_map_event(at, "aa_map_main", event)
    ok(at)
    assert at.session_state["aa_line"] == provisional
    assert offered() == [f"{keys[i]} · {atlas.lines[i].title}" for i in (MDL, dmz)]
    at.button(key=f"aa_also_{MDL}").click().run()
    ok(at)
    assert at.session_state["aa_line"] == MDL and last_map(at)["selected"] == MDL
    assert atlas.lines[MDL].title in [unescaped(s.value) for s in at.subheader]
    assert offered() == [f"{keys[i]} · {atlas.lines[i].title}" for i in (provisional, dmz)]
    # choosing a line elsewhere (the picker) forgets the spot
    at.selectbox(key="aa_pick").set_value(dmz).run()
    assert offered() == []


@pytest.mark.parametrize(
    "event",
    [
        {"type": "click", "id": MDL, "seq": 1},  # the other theater's line
        {"type": "click", "id": "no-such-line", "seq": 1},
        {"type": "click", "id": "<img src=x onerror=alert(1)>", "seq": 1},
        {"type": "click", "id": ["vn-1954-french-18th"], "seq": 1},
        {"type": "click", "id": None, "seq": 1},
        {"type": "click", "seq": 1},
        {"type": "key", "key": "ArrowRight", "seq": 1},
        {"type": "draw", "geometry": {"type": "Point", "coordinates": [1, 2]}, "seq": 1},
        {"type": "x" * 10_000},
        ["click", FRENCH],
        "click",
        None,
        17,
    ],
    ids=lambda e: repr(e)[:40],
)
def test_anything_else_from_the_map_changes_nothing(event: Any) -> None:
    at = run({"theater": "indochina", "line": MINIMUM})
    before = last_map(at)
    send_map_event(at, "aa_map_main", event)
    ok(at)
    assert at.session_state["aa_line"] == MINIMUM
    assert last_map(at) == before
    assert not at.error and not warnings(at)


def test_choosing_a_line_in_the_list_fits_the_map_to_it(built: BuiltAtlas) -> None:
    at = run({"theater": "korea"})
    view_id = last_map(at)["view_id"]
    at.selectbox(key="aa_pick").select(MDL).run()
    ok(at)
    state = last_map(at)
    assert state["selected"] == MDL and state["view_id"] != view_id
    assert state["view"] == {"bounds": webmap.bounds_of([built[MDL].geometry])}
    assert at.query_params["line"] == MDL
    assert built.atlas.lines[MDL].title in [unescaped(s.value) for s in at.subheader]


def test_a_place_pill_flies_the_map_there(atlas: Atlas) -> None:
    at = run({"theater": "indochina", "line": MAXIMUM})
    pills = at.button_group(key=f"aa_fly_{MAXIMUM}_110145")
    assert "Pleiku" in [unescaped(str(o)) for o in pills.options]
    view_id = last_map(at)["view_id"]
    pills.set_value("pleiku").run()
    ok(at)
    pleiku = atlas.places["pleiku"]
    state = last_map(at)
    assert state["marker"] == {"lat": pleiku.lat, "lon": pleiku.lon, "label": pleiku.label}
    assert state["view"]["center"] == [pleiku.lat, pleiku.lon] and state["view_id"] != view_id
    assert state["selected"] == MAXIMUM  # the panel stays
    assert at.query_params["place"] == "pleiku"
    reset = next(b for b in at.button if b.label == "Reset view")
    assert not reset.disabled
    reset.click().run()
    state = last_map(at)
    assert state["marker"] is None and state["view"] is None
    assert "place" not in at.query_params


def test_a_place_link_puts_a_marker_on_the_map(atlas: Atlas) -> None:
    at = run({"theater": "indochina", "place": "hue"})
    hue = atlas.places["hue"]
    state = last_map(at)
    assert state["marker"] == {"lat": hue.lat, "lon": hue.lon, "label": hue.label}
    assert state["view"]["center"] == [hue.lat, hue.lon]


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_map_options_appear_only_on_screens_with_a_map(screen: str) -> None:
    at = run(SCREENS[screen])
    toggles = sidebar_toggles(at)
    drawn = components(at)
    if screen in MAP_KEYS:
        assert list(drawn) == [MAP_KEYS[screen]]
        assert "Uncertainty bands (± precision)" in toggles
        assert [s.label for s in at.sidebar.select_slider] == ["Map height"]
        has_layers = any(str(b.label) == "Layers" for b in at.sidebar.button_group)
        assert has_layers == (screen == "map")  # the layer filter is the Map screen's
    else:
        assert drawn == {} and toggles == [] and not at.sidebar.select_slider
        assert "aa_last_map" not in at.session_state
    assert "### Full texts" in [m.value for m in at.sidebar.markdown]


@pytest.mark.parametrize("theater", ["korea", "indochina"])
def test_the_layer_pills_speak_the_maps_vocabulary(
    atlas: Atlas, built: BuiltAtlas, theater: str
) -> None:
    at = run({"theater": theater})
    pills = at.sidebar.button_group(key=f"w_groups_{theater}")
    groups = layer_groups(atlas, theater)
    payload = webmap.theater_payload(built, theater)
    assert [unescaped(str(o)) for o in pills.options] == [group_label(g) for g in groups]
    assert [unescaped(str(o)) for o in pills.options] == [g["label"] for g in payload["groups"]]
    pills.set_value(["signed"]).run()
    ok(at)
    signed = [ln.id for ln in atlas.lines_in(theater) if ln.group == "signed"]
    assert last_map(at)["visible"] == signed
    hidden = at.sidebar.multiselect(key=f"w_hidden_{theater}")
    hidden.set_value([signed[0]]).run()
    assert last_map(at)["visible"] == signed[1:]


def test_the_selected_line_is_drawn_whatever_the_filter(atlas: Atlas) -> None:
    at = run({"theater": "indochina", "line": MINIMUM})
    at.sidebar.button_group(key="w_groups_indochina").set_value(["signed"]).run()
    visible = last_map(at)["visible"]
    assert MINIMUM in visible and "vn-1954-geneva-line" in visible
    assert "vn-1954-french-18th" not in visible


def test_the_map_height_and_switches_reach_the_map() -> None:
    at = run()
    at.sidebar.select_slider(key="aa_map_height").set_value(860).run()
    at.sidebar.toggle(key="aa_halo").set_value(False).run()
    at.sidebar.toggle(key="aa_labels").set_value(False).run()
    state = last_map(at)
    assert (state["height"], state["halo"], state["labels"], state["places"]) == (
        860,
        False,
        False,
        True,
    )


# ---------------------------------------------------------------------------------------
# the URL


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"theater": "mars"}, ["theater"]),
        ({"theater": "korea", "line": MINIMUM}, ["line"]),
        ({"view": "atlas", "pos": "²"}, ["view", "pos"]),
        ({"date": "1953-02-30", "place": "atlantis", "doc": "0"}, ["date", "place", "doc"]),
        ({"compare": f"{MINIMUM},{MINIMUM}", "line": "9" * 5000}, ["line", "compare"]),
    ],
)
def test_bad_parameters_warn_by_name_and_fall_back(params: dict[str, str], bad: list[str]) -> None:
    at = run(params)
    shown = warnings(at)
    named = [w.split("=")[0].removeprefix("URL parameter `") for w in shown]
    assert sorted(named) == sorted(bad)
    assert not at.error
    assert at.session_state["aa_theater"] in ("korea", "indochina")
    for name in bad:
        assert name not in at.query_params or name == "theater"


def test_a_warning_goes_once_the_visitor_moves_on() -> None:
    at = run({"theater": "indochina", "line": "no-such-line"})
    assert len(warnings(at)) == 1
    at.run()
    assert len(warnings(at)) == 1  # still what the link asked for
    at.selectbox(key="aa_pick").select(MINIMUM).run()
    assert warnings(at) == []


def test_parameters_of_other_tools_are_kept_and_never_shown() -> None:
    at = run({"theater": "korea", "utm_source": "<b>newsletter</b>"})
    assert at.query_params["utm_source"] == "<b>newsletter</b>"
    assert "newsletter" not in texts(at)
    at.button_group(key="aa_theater").set_value("indochina").run()
    assert at.query_params["utm_source"] == "<b>newsletter</b>"


@pytest.mark.parametrize(("view", "params"), [("map", {}), ("timeline", {"view": "timeline"})])
def test_switching_screens_writes_the_view(view: str, params: dict[str, str]) -> None:
    at = run(params)
    assert at.session_state["aa_view"] == view
    at.button_group(key="aa_view").set_value("sources").run()
    ok(at)
    assert at.query_params["view"] == "sources"
    at.button_group(key="aa_view").set_value("map").run()
    assert "view" not in at.query_params


# ---------------------------------------------------------------------------------------
# bad records, missing texts


def test_invalid_records_show_every_problem_and_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = broken_copy(
        tmp_path,
        {
            "proposals/vn-1954-drv-minimum.yaml": ("status: fallback\n", "status: [fallback\n"),
            "places/indochina.yaml": ("  lat: 13.983\n", "  lat: 113.983\n"),
            "outcomes/kr-1953-mdl.yaml": ("party: both\n", "party: martians\n"),
        },
    )
    (data / "proposals" / "zz-binary.yaml").write_bytes(b"id: x\n\x00\x01 title")
    problems = [str(p) for p in validate(data)]
    assert len(problems) >= 4
    monkeypatch.setenv("ARMISTICE_DATA", str(data))
    at = new_app({"theater": "indochina", "line": MINIMUM}).run()
    ok(at)
    (error,) = [str(e.value) for e in at.error]
    shown = unescaped(error)
    assert "problem(s); fix them and reload" in shown
    for line in ("vn-1954-drv-minimum.yaml:", "indochina.yaml:", "kr-1953-mdl.yaml:"):
        assert line in shown
    assert "zz-binary.yaml" in shown and "[lat] 113.983 is out of range" in shown
    assert shown.count("\n- ") == len(error.split("\n- ")) - 1 >= 4
    # nothing else is drawn: no menus, no map, no panel
    assert not components(at) and not at.button_group and not at.selectbox and not at.metric
    assert_no_server_path(at, tmp_path)


def test_without_full_texts_the_app_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    monkeypatch.setenv("ARMISTICE_CORPUS", str(empty))
    resources.settings.clear()
    at = run({"theater": "indochina", "line": MINIMUM})
    body = texts(at)
    assert "full texts are not on this server" in body
    assert "Full text not available here" in body
    assert not [h for h in at.html if 'class="aa-doc-text"' in h.value]
    assert_no_server_path(at, tmp_path)


def test_a_corrupt_text_is_named_and_the_others_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(require_corpus(), corpus)
    (corpus / "zz-broken.txt").write_bytes(b"\x00\x01\x02 binary")
    monkeypatch.setenv("ARMISTICE_CORPUS", str(corpus))
    resources.settings.clear()
    at = run({"view": "sources"})
    skipped = [unescaped(str(w.value)) for w in at.warning if "skipped" in str(w.value)]
    assert len(skipped) == 1 and "zz-broken.txt" in skipped[0]
    assert any("of 5 archive texts are on this server" in str(c.value) for c in at.caption)
    assert_no_server_path(at, tmp_path, corpus)


# ---------------------------------------------------------------------------------------
# no server path, anywhere


@pytest.mark.parametrize("screen", list(SCREENS))
def test_no_screen_shows_a_server_path(
    screen: str, app_env: Path, app_cache: Path, tmp_path: Path
) -> None:
    at = run(SCREENS[screen])
    assert not at.error
    paths = [tmp_path, app_env, app_cache, DATA_DIR, REPO_ROOT]
    corpus = corpus_dir()
    if corpus is not None:
        paths.append(corpus)
    assert_no_server_path(at, *paths)


# ---------------------------------------------------------------------------------------
# the timeline and the sources (screens with no file of their own)


def _slider_day(micros: float) -> dt.date:
    """A date slider's bound as AppTest reports it (microseconds since 1970, UTC)."""
    return dt.date(1970, 1, 1) + dt.timedelta(microseconds=micros)


@pytest.mark.parametrize("theater", ["korea", "indochina"])
def test_the_timeline_slider_follows_the_theater(atlas: Atlas, theater: str) -> None:
    at = run({"theater": theater, "view": "timeline"})
    slider = at.slider(key="w_date")
    lo, hi = _slider_day(slider.min), _slider_day(slider.max)
    assert (lo, hi) == timeline_range(atlas, theater)
    start, end = THEATERS[theater].start, THEATERS[theater].end
    assert start <= lo.isoformat() <= hi.isoformat() <= end
    if theater == "indochina":
        assert lo.year == hi.year == 1954
    assert slider.value == event_dates(atlas, theater)[0]  # opens on the first event
    assert at.query_params["date"] == slider.value.isoformat()


def test_the_timeline_switches_range_with_the_theater(atlas: Atlas) -> None:
    at = run({"view": "timeline"})
    assert _slider_day(at.slider(key="w_date").min).year == 1951
    at.button_group(key="aa_theater").set_value("indochina").run()
    ok(at)
    slider = at.slider(key="w_date")
    assert _slider_day(slider.min).year == _slider_day(slider.max).year == 1954
    assert slider.value == event_dates(atlas, "indochina")[0]


def test_the_timeline_shows_what_was_on_the_table(atlas: Atlas) -> None:
    signed = signed_day(atlas, "indochina")
    assert signed is not None
    before = signed - dt.timedelta(days=1)
    at = run({"theater": "indochina", "view": "timeline", "date": before.isoformat()})
    body = texts(at)
    assert f"By {before.day} {before:%B %Y}" in body and "On the table" in body
    on_table = [lid for lid, s in standings(atlas, "indochina", before).items() if s == PROPOSED]
    visible = last_map(at)["visible"]
    assert on_table and set(on_table) <= set(visible)
    # the day it was signed, the proposals are replaced, no longer on the table
    at.slider(key="w_date").set_value(signed).run()
    ok(at)
    body = texts(at)
    assert "No longer on the table: the signed agreement replaced them" in body
    assert "On the table" not in body.replace("No longer on the table", "")
    assert not set(on_table) & set(last_map(at)["visible"])
    assert at.query_params["date"] == signed.isoformat()


def test_the_timeline_steps_between_events(atlas: Atlas) -> None:
    events = event_dates(atlas, "indochina")
    at = run({"theater": "indochina", "view": "timeline"})
    previous, following = (b for b in at.button if b.label in ("◀ previous", "next ▶"))
    assert previous.disabled and not following.disabled
    following.click().run()
    ok(at)
    assert at.slider(key="w_date").value == events[1]
    assert at.session_state["aa_date"] == events[1]
    at.toggle(key="aa_final").set_value(False).run()
    outcomes = {ln.id for ln in atlas.lines_in("indochina") if ln.record == "outcome"}
    if events[1] < (signed_day(atlas, "indochina") or events[1]):
        assert not outcomes & set(last_map(at)["visible"])
    line = next(b for b in at.button if (b.key or "").startswith("w_tl_"))
    line.click().run()
    ok(at)
    assert at.session_state["aa_view"] == "map"
    assert last_map(at)["selected"] == line.key.removeprefix("w_tl_")


def test_the_sources_screen_offers_downloads(atlas: Atlas) -> None:
    at = run({"theater": "indochina", "view": "sources"})
    labels = [str(d.label) for d in at.get("download_button")]
    assert labels == [
        "GeoJSON (Indochina 1954 (with Laos))",
        "CSV of lines (Indochina 1954 (with Laos))",
    ]
    lines, places, documents = (f.value for f in at.dataframe)
    assert set(lines["Id"]) == {ln.id for ln in atlas.lines_in("indochina")}
    assert set(places["Id"]) == {p.id for p in atlas.places_in("indochina")}
    assert set(documents["Id"]) == {
        d.id for d in atlas.documents.values() if d.theater == "indochina"
    }
    at.toggle(key="aa_src_all").set_value(True).run()
    ok(at)
    labels = [str(d.label) for d in at.get("download_button")]
    assert labels == ["GeoJSON (both theaters)", "CSV of lines (both theaters)"]
    assert len(at.dataframe[0].value) == len(atlas.lines)
    assert all(d.proto.url for d in at.get("download_button"))


def test_the_text_version_of_the_map_is_made_when_opened(atlas: Atlas) -> None:
    at = run({"theater": "korea"})
    assert len([e for e in at.expander if "What the map shows, as text" in e.proto.label]) == 1
    tables = [h.value for h in at.html if "Lines and zones on the map of" in h.value]
    assert tables == []  # closed: nothing sent with each click
    at.session_state["aa_text_map"] = True  # the reader opens it
    at.run()
    (table,) = [h.value for h in at.html if "Lines and zones on the map of" in h.value]
    for ln in atlas.lines_in("korea"):
        if ln.kind != "reference":
            assert html.escape(ln.title, quote=False) in table or ln.title in table


def test_the_overview_beside_the_map_is_capped(
    atlas: Atlas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.screens import mapscreen

    monkeypatch.setattr(mapscreen, "OVERVIEW_ROWS", 5)
    at = run({"theater": "korea"})
    lines = atlas.lines_in("korea")
    (table,) = [h.value for h in at.html if "<th" in h.value and ">Key<" in h.value]
    shown = [ln for ln in lines if html.escape(ln.title, quote=False) in table]
    assert shown == lines[:5]
    body = texts(at)
    assert f"The first 5 of {len(lines)} records; Data & sources lists them all." in body


def test_the_map_offers_its_exports() -> None:
    at = run({"theater": "indochina", "line": MINIMUM})
    labels = {str(d.label) for d in at.get("download_button")}
    assert {"Map (PNG)", "Handout (PDF)", "Data (GeoJSON)", "Table (CSV)"} <= labels
    assert {"Citations (RIS)", "Citations (BibTeX)"} <= labels
    text_version = [e for e in at.expander if "What the map shows, as text" in e.proto.label]
    assert text_version
