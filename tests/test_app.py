"""The Streamlit app, run headless with AppTest, and the pure logic behind it (ui.state).

AppTest runs the real script in-process: query parameters, widgets and session state are
driven here; what the browser draws is tested in tests/browser/.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import geo

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # ui/ is not an installed package; the app runs from the repo
    sys.path.insert(0, str(REPO))

from ui import state as S  # noqa: E402
from ui.panel import excerpt, mark_text  # noqa: E402
from ui.state import Catalog, LineInfo, PlaceInfo, ViewState  # noqa: E402

APP = str(REPO / "app.py")
CORPUS = REPO.parent / "shared" / "corpus"
MINIMUM, FRENCH = "vn-1954-drv-minimum", "vn-1954-french-18th"


# ---------------------------------------------------------------------------------------
# helpers


def run(params: dict[str, str] | None = None) -> AppTest:
    """The app run once with *params* as its URL query, checked to raise nothing."""
    at = AppTest.from_file(APP, default_timeout=60)
    if params:
        at.query_params = dict(params)
    at.run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def text(at: AppTest) -> str:
    """All text the app wrote (markdown escapes removed)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "subheader", "info", "warning", "error", "html"):
        parts.extend(str(el.value) for el in getattr(at, kind))
    parts.extend(str(el.value) for el in at.sidebar.markdown)
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


def warnings(at: AppTest) -> list[str]:
    return [str(w.value) for w in at.warning]


def last_map(at: AppTest) -> Any:
    return at.session_state["aa_last_map"]


@pytest.fixture(autouse=True)
def _corpus_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app test reads the shared corpus unless it says otherwise."""
    monkeypatch.delenv("ARMISTICE_DATA", raising=False)
    if CORPUS.is_dir():
        monkeypatch.setenv("ARMISTICE_CORPUS", str(CORPUS))
    else:
        monkeypatch.delenv("ARMISTICE_CORPUS", raising=False)


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no cable corpus at {CORPUS}")


# ---------------------------------------------------------------------------------------
# the app


def test_default_load_draws_korea_without_errors() -> None:
    at = run()
    assert not at.error
    assert not warnings(at)
    assert at.query_params["theater"] == "korea"
    options = last_map(at)
    assert options.theater == "korea"
    assert options.assets == "/app/static/vendor"
    assert options.online_tiles is False
    assert (REPO / "static" / "vendor" / "leaflet.js").is_file()
    assert "what is on the map" in text(at)


def test_theater_switch_redraws_and_updates_the_url() -> None:
    at = run()
    at.button_group(key="aa_theater").set_value("indochina").run()
    assert not at.exception
    assert last_map(at).theater == "indochina"
    assert at.query_params["theater"] == "indochina"


def test_line_in_the_url_opens_its_panel_with_the_citation() -> None:
    at = run({"theater": "indochina", "line": MINIMUM})
    body = text(at)
    cable = geo.load_atlas().cables["110145"]
    assert "DRV minimum: the 16th parallel" in [s.value for s in at.subheader]
    assert "PRC FMA 206-00046-34" in body
    assert "Translated by Chen Zhihong" in body
    assert cable.url in body
    assert "the minimum is the 16th parallel" in body
    assert last_map(at).selected == MINIMUM
    assert at.selectbox(key="aa_pick").value == MINIMUM
    assert {"theater": "indochina", "line": MINIMUM}.items() <= at.query_params.items()


@needs_corpus
def test_full_text_marks_the_evidence_phrase() -> None:
    at = run({"theater": "indochina", "line": MINIMUM})
    marked = [h.value for h in at.html if 'class="aa-cable-text"' in h.value]
    assert marked, "the full text of cable 110145 should be shown"
    assert '<mark class="aa-ev">the minimum is the 16th parallel</mark>' in marked[0]


def test_choosing_a_line_updates_panel_and_url() -> None:
    at = run({"theater": "korea"})
    at.selectbox(key="aa_pick").select("kr-1953-mdl").run()
    assert not at.exception
    assert at.query_params["line"] == "kr-1953-mdl"
    assert "Korean Armistice 1953: military demarcation line" in [s.value for s in at.subheader]


def test_place_pill_flies_the_map_there() -> None:
    at = run({"theater": "indochina", "line": "vn-1954-drv-maximum"})
    at.button_group(key="aa_fly_vn-1954-drv-maximum_110145").set_value("pleiku").run()
    assert not at.exception
    pleiku = geo.load_atlas().places["pleiku"]
    assert last_map(at).center == (pleiku.lat, pleiku.lon)
    assert last_map(at).zoom == S.PLACE_ZOOM
    assert at.query_params["place"] == "pleiku"
    reset = next(b for b in at.button if b.label == "Reset view")
    reset.click().run()
    assert last_map(at).center is None
    assert "place" not in at.query_params


def test_compare_in_the_url_shows_the_area_between() -> None:
    at = run({"theater": "indochina", "compare": f"{MINIMUM},{FRENCH}"})
    assert at.session_state["aa_view"] == "compare"
    (metric,) = [m for m in at.metric if m.label == "Area between"]
    km2 = float(re.sub(r"[^0-9.]", "", metric.value))
    # 16th to 18th parallel across Viet-Nam: about 2 degrees of latitude, ~100-150 km wide
    assert 5_000 < km2 < 60_000
    options = last_map(at)
    assert options.layers == (MINIMUM, FRENCH)
    assert options.highlight_geometry is not None and not options.highlight_geometry.is_empty
    changes = at.table[-1].value
    assert "Hue" in list(changes.index)
    assert at.query_params["compare"] == f"{MINIMUM},{FRENCH}"


def test_compare_swap_and_default_pair() -> None:
    at = run({"theater": "korea", "view": "compare"})
    a, b = at.selectbox(key="w_cmp_a").value, at.selectbox(key="w_cmp_b").value
    assert (a, b) == ("kr-1951-communist-38th-parallel", "kr-1953-mdl")
    next(b for b in at.button if "swap" in b.label).click().run()
    assert at.query_params["compare"] == "kr-1953-mdl,kr-1951-communist-38th-parallel"


def test_timeline_in_the_url_shows_what_was_proposed_by_then() -> None:
    at = run({"theater": "korea", "date": "1951-08-12"})
    assert at.session_state["aa_view"] == "timeline"
    assert "By 12 August 1951" in text(at)
    layers = last_map(at).layers
    assert "kr-1951-front-line" in layers
    assert "kr-1951-october-neutral-zones" not in layers  # proposed in October
    assert "kr-1953-mdl" in layers  # "also show what was finally signed" is on
    at.toggle(key="aa_final").set_value(False).run()
    assert "kr-1953-mdl" not in last_map(at).layers
    next(b for b in at.button if "next" in b.label).click().run()
    assert at.query_params["date"] == "1951-10-22"


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"theater": "atlantis"}, ["theater"]),
        ({"theater": "korea", "line": "no-such-line"}, ["line"]),
        ({"theater": "korea", "line": MINIMUM}, ["line"]),  # wrong theater
        ({"theater": "korea", "date": "1953-02-30"}, ["date"]),
        ({"theater": "korea", "date": "2001-01-01"}, ["date"]),
        ({"theater": "indochina", "compare": f"{MINIMUM},kr-1953-mdl"}, ["compare"]),
        ({"theater": "indochina", "compare": f"{MINIMUM},la-1954-drv-zones"}, ["compare"]),
        ({"theater": "indochina", "compare": MINIMUM}, ["compare"]),
        ({"view": "slides", "place": "atlantis"}, ["view", "place"]),
    ],
)
def test_bad_params_warn_and_fall_back(params: dict[str, str], bad: list[str]) -> None:
    at = run(params)
    shown = warnings(at)
    for name in bad:
        assert any(f"`{name}=" in w for w in shown), (name, shown)
    assert not at.error
    theater = params.get("theater") if params.get("theater") in S.THEATERS else "korea"
    assert at.query_params["theater"] == theater
    assert last_map(at).theater == theater
    for name in bad:
        assert at.query_params.get(name) != params[name]


def test_parameters_of_other_tools_are_kept() -> None:
    at = run({"theater": "korea", "story": "korea-1951", "step": "2"})
    assert not warnings(at)
    assert at.query_params["story"] == "korea-1951" and at.query_params["step"] == "2"


def test_warning_goes_away_once_the_user_moves_on() -> None:
    at = run({"theater": "atlantis"})
    assert warnings(at)
    at.button_group(key="aa_theater").set_value("indochina").run()
    assert not warnings(at)


def test_without_corpus_the_app_works_and_says_texts_are_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARMISTICE_CORPUS", str(tmp_path))
    at = run({"theater": "indochina", "line": MINIMUM})
    body = text(at)
    assert "not available" in body
    assert "PRC FMA 206-00046-34" in body  # the citation does not need the text
    assert not [h for h in at.html if 'class="aa-cable-text"' in h.value]
    assert not at.error


@needs_corpus
def test_a_corrupt_corpus_file_is_named_and_the_others_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for f in sorted(CORPUS.iterdir()):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "999_broken.txt").write_bytes(b"\x00\x01\x02garbage\x00" * 50)
    (tmp_path / "998_empty.txt").write_text("   \n")
    monkeypatch.setenv("ARMISTICE_CORPUS", str(tmp_path))
    at = run({"theater": "indochina", "line": MINIMUM})
    shown = " ".join(warnings(at))
    assert "999_broken.txt" in shown and "998_empty.txt" in shown
    assert [h for h in at.html if 'class="aa-cable-text"' in h.value]  # 110145 still loaded


def test_invalid_records_show_every_problem_and_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    target = data / "proposals" / f"{MINIMUM}.yaml"
    target.write_text(target.read_text().replace("status: fallback", "status: maybe"))
    (data / "proposals" / "broken.yaml").write_text("id: [unclosed\n")
    monkeypatch.setenv("ARMISTICE_DATA", str(data))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    (error,) = at.error
    assert f"{MINIMUM}.yaml:" in error.value
    assert "broken.yaml" in error.value
    assert "'maybe' is not one of" in error.value
    assert not at.metric and not at.selectbox


def test_sources_screen_lists_and_offers_downloads() -> None:
    at = run({"theater": "indochina", "view": "sources"})
    labels = [str(el.proto.label) for el in at.get("download_button")]
    assert any("GeoJSON" in label for label in labels)
    assert any("CSV" in label for label in labels)
    assert len(at.dataframe) == 3
    assert not at.error


def test_downloads_are_offline_files() -> None:
    import json

    from ui.resources import csv_bytes, geojson_bytes, standalone_map_html

    page = standalone_map_html(None, "korea", ("kr-1953-mdl",), True, True).decode()
    assert page.lstrip().lower().startswith("<!doctype html")
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", page)
    assert "L.map(" in page or "L.map (" in page
    fc = json.loads(geojson_bytes(None, "indochina"))
    ids = {f["id"] for f in fc["features"]}
    assert {MINIMUM, FRENCH, "pleiku"} <= ids and "kr-1953-mdl" not in ids
    rows = csv_bytes(None, None).decode().splitlines()
    assert rows[0].startswith("id,title,theater")
    assert len(rows) == len(geo.load_atlas().lines) + 1


# ---------------------------------------------------------------------------------------
# ui.state: pure functions


def _ln(lid: str, theater: str, shape: str, status: str, party: str, day: str) -> LineInfo:
    record = "outcome" if status == "agreed" else "proposal"
    date = dt.date.fromisoformat(day) if day else None
    return LineInfo(lid, lid.upper(), theater, shape, status, record, party, party, date)


def _catalog() -> Catalog:
    rows = [
        _ln("k-38", "korea", "line", "proposed", "communist", "1951-07-10"),
        _ln("k-mdl", "korea", "line", "agreed", "both", "1953-07-27"),
        _ln("k-zone", "korea", "zone", "proposed", "un", "1951-07-27"),
        _ln("k-ref", "korea", "line", "reference", "none", ""),
        _ln("v-16", "indochina", "line", "fallback", "drv", "1954-06-26"),
        _ln("v-18", "indochina", "line", "proposed", "france", "1954-06-26"),
    ]
    lines = {ln.id: ln for ln in rows}
    places = {
        "hue": PlaceInfo("hue", "Hue", "Hue", "indochina", 16.46, 107.6),
        "seoul": PlaceInfo("seoul", "Seoul", "Seoul", "korea", 37.57, 126.98),
    }
    return Catalog(lines, places)


def test_parse_params_accepts_a_full_deep_link() -> None:
    params = {
        "theater": "indochina",
        "line": "v-16",
        "compare": "v-16,v-18",
        "date": "1954-06-30",
        "place": "hue",
    }
    state, warns = S.parse_params(params, _catalog())
    assert warns == []
    assert state == ViewState(
        "indochina", "compare", "v-16", ("v-16", "v-18"), dt.date(1954, 6, 30), "hue"
    )
    assert S.to_params(state) == {**params, "view": "compare"}


def test_parse_params_defaults_and_inference() -> None:
    assert S.parse_params({}, _catalog()) == (ViewState(), [])
    state, warns = S.parse_params({"line": "v-18"}, _catalog())
    assert (state.theater, state.view, state.line, warns) == ("indochina", "map", "v-18", [])
    state, _ = S.parse_params({"date": "1951-08-01"}, _catalog())
    assert state.view == "timeline"
    state, _ = S.parse_params({"theater": [" KOREA ", "indochina"][::-1]}, _catalog())
    assert state.theater == "korea"  # the last value of a repeated parameter, trimmed


@pytest.mark.parametrize(
    ("params", "param", "reason"),
    [
        ({"theater": "mars"}, "theater", "unknown theater"),
        ({"line": "nope"}, "line", "no line or zone"),
        ({"theater": "korea", "line": "v-16"}, "line", "belongs to Indochina"),
        ({"compare": "k-38"}, "compare", "two ids"),
        ({"compare": "k-38,k-38"}, "compare", "the same"),
        ({"compare": "k-38,nope"}, "compare", "'nope'"),
        ({"compare": "k-38,k-zone"}, "compare", "line with a zone"),
        ({"theater": "korea", "compare": "v-16,v-18"}, "compare", "must belong to Korea"),
        ({"date": "12/08/1951"}, "date", "YYYY-MM-DD"),
        ({"date": "1950-06-25"}, "date", "outside"),
        ({"place": "hue"}, "place", "not in Korea"),
        ({"view": "3d"}, "view", "unknown screen"),
    ],
)
def test_parse_params_rejects_bad_values(params: dict[str, str], param: str, reason: str) -> None:
    state, warns = S.parse_params(params, _catalog())
    assert [w.param for w in warns] == [param]
    assert reason in str(warns[0])
    assert f"`{param}={params[param]}`" in str(warns[0])
    assert S.to_params(state).get(param) in (None, state.theater if param == "theater" else None)


def test_bad_theater_is_inferred_from_a_good_line() -> None:
    state, warns = S.parse_params({"theater": "vietnam", "line": "v-16"}, _catalog())
    assert state.theater == "indochina" and state.line == "v-16"
    assert [w.param for w in warns] == ["theater"]


def test_long_values_are_shortened_in_warnings() -> None:
    _, warns = S.parse_params({"line": "x" * 500}, _catalog())
    assert len(str(warns[0])) < 200


def test_default_pair_and_comparable() -> None:
    cat = _catalog()
    assert S.default_pair(cat, "korea") == ("k-38", "k-mdl")
    assert S.default_pair(cat, "indochina") == ("v-16", "v-18")
    assert "k-zone" not in S.comparable(cat, "korea", "k-38")
    assert S.comparable(cat, "korea", "k-zone") == []


def test_timeline_standing_and_layers() -> None:
    cat = _catalog()
    on = dt.date(1951, 7, 20)
    assert S.standing(cat.lines["k-38"], on) == S.PROPOSED
    assert S.standing(cat.lines["k-zone"], on) == S.NOT_YET
    assert S.standing(cat.lines["k-mdl"], on) == S.SIGNED_LATER
    assert S.standing(cat.lines["k-mdl"], dt.date(1953, 7, 27)) == S.SIGNED
    assert S.standing(cat.lines["k-ref"], on) == S.ALWAYS
    assert S.timeline_layers(cat, "korea", on, final=False) == ["k-38", "k-ref"]
    assert S.timeline_layers(cat, "korea", on, final=True) == ["k-mdl", "k-38", "k-ref"]
    dates = S.event_dates(cat, "korea")
    assert dates == [dt.date(1951, 7, 10), dt.date(1951, 7, 27), dt.date(1953, 7, 27)]
    assert S.step_date(dates, on, +1) == dt.date(1951, 7, 27)
    assert S.step_date(dates, on, -1) == dt.date(1951, 7, 10)
    assert S.step_date(dates, dates[0], -1) is None
    assert S.step_date(dates, dates[-1], +1) is None


def test_layer_filter() -> None:
    cat = _catalog()
    groups = S.layer_groups(cat, "korea")
    assert groups[0] == "Signed" and "Reference parallels" in groups
    assert S.shown_layers(cat, "korea", groups) is None
    assert S.shown_layers(cat, "korea", ["Signed"]) == ("k-mdl",)
    assert S.shown_layers(cat, "korea", ["Signed"], always=["k-38"]) == ("k-mdl", "k-38")
    assert S.shown_layers(cat, "korea", groups, hidden=["k-ref"]) == ("k-mdl", "k-38", "k-zone")


def test_clicked_line_reads_the_st_folium_value() -> None:
    cat = _catalog()
    value = {
        "last_active_drawing": {"type": "Feature", "properties": {"id": "k-38"}},
        "last_object_clicked": {"lat": 38.0, "lng": 127.0},
    }
    assert S.clicked_line(value, cat, "korea") == ("k-38", (38.0, 127.0))
    assert S.clicked_line(value, cat, "indochina") == (None, None)
    assert S.clicked_line(None, cat, "korea") == (None, None)
    marker = {"last_active_drawing": {"type": "Feature", "properties": {}}}
    assert S.clicked_line(marker, cat, "korea") == (None, None)
    by_id = {"last_active_drawing": {"id": "k-mdl", "properties": None}}
    assert S.clicked_line(by_id, cat, "korea") == ("k-mdl", None)


def test_corpus_dir_precedence(tmp_path: Path) -> None:
    app_dir = tmp_path / "main"
    (tmp_path / "shared" / "corpus").mkdir(parents=True)
    default = tmp_path / "shared" / "corpus"
    assert S.corpus_dir([], {}, app_dir) == (default, "default")
    assert S.corpus_dir([], {"ARMISTICE_CORPUS": "/x"}, app_dir) == (Path("/x"), "ARMISTICE_CORPUS")
    assert S.corpus_dir([], {"ARMISTICE_CORPUS": ""}, app_dir) == (None, "ARMISTICE_CORPUS")
    argv = ["--corpus", "/y"]
    assert S.corpus_dir(argv, {"ARMISTICE_CORPUS": "/x"}, app_dir) == (Path("/y"), "--corpus")
    assert S.corpus_dir(["--corpus=/z"], {}, app_dir) == (Path("/z"), "--corpus")
    assert S.corpus_dir([], {}, tmp_path / "elsewhere" / "main") == (None, "default")


# ---------------------------------------------------------------------------------------
# ui.panel: cable text is escaped before it is marked


def test_mark_text_escapes_then_marks() -> None:
    text = 'He said <script>alert("x")</script> & the Minimum is the 16th Parallel, near Hué.'
    marked = mark_text(text, ["the minimum is the 16th parallel"], {"hue": ["Hue"]})
    assert "<script>" not in marked.html
    assert "&lt;script&gt;" in marked.html and "&amp;" in marked.html
    assert '<mark class="aa-ev">the Minimum is the 16th Parallel</mark>' in marked.html
    assert '<span class="aa-place" title="hue">Hué</span>' in marked.html
    assert marked.found == frozenset({0}) and marked.places == ("hue",)


def test_mark_text_without_a_match_is_plain_escaped_text() -> None:
    marked = mark_text("a < b", ["not there"])
    assert marked.html == "a &lt; b" and marked.found == frozenset() and marked.first_mark is None


def test_excerpt_cuts_at_words() -> None:
    from geo.cables import find_mentions

    body = ("word " * 100) + "the key phrase" + (" more" * 100)
    mentions = find_mentions(body, places={}, proposals={"e": ["key phrase"]})
    snippet = excerpt(body, mentions, width=30)
    assert snippet.startswith("…word") and snippet.endswith("more…")
    assert '<mark class="aa-ev">key phrase</mark>' in snippet
    assert excerpt(body, []) == ""
