"""What the screens show, as pure functions of the atlas (ui.rules): layer groups, the layers
drawn, compare pairs, the timeline's standings and range, and map clicks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

import pytest

from geo import Atlas, BuiltAtlas
from geo.outputs import webmap
from geo.vocab import THEATERS, group_label, group_of, group_order
from ui import rules

THEATER_IDS = list(THEATERS)
D = dt.date


# ---------------------------------------------------------------------------------------
# layers


@pytest.mark.parametrize("theater", THEATER_IDS)
def test_layer_groups_are_the_theaters_groups_in_legend_order(atlas: Atlas, theater: str) -> None:
    groups = rules.layer_groups(atlas, theater)
    assert set(groups) == {ln.group for ln in atlas.lines_in(theater)}
    assert groups == sorted(groups, key=group_order)
    assert groups[0] == "signed" and groups[-1] == "reference"
    for ln in atlas.lines_in(theater):
        assert ln.group == group_of(record=ln.record, status=ln.status, party=ln.party)


@pytest.mark.parametrize("theater", THEATER_IDS)
def test_sidebar_and_map_payload_use_one_vocabulary(
    built: BuiltAtlas, atlas: Atlas, theater: str
) -> None:
    payload = webmap.theater_payload(built, theater)
    sidebar = [(g, group_label(g)) for g in rules.layer_groups(atlas, theater)]
    assert [(g["id"], g["label"]) for g in payload["groups"]] == sidebar
    by_id = {f["id"]: f["properties"]["group"] for f in payload["features"]["features"]}
    assert by_id == {ln.id: ln.group for ln in atlas.lines_in(theater)}
    labels = [label for _, label in sidebar]
    assert len(set(labels)) == len(labels)  # no two groups share a name


def test_group_labels() -> None:
    assert group_label("signed") != group_label("agreed-talks") != group_label("reference")
    assert group_label("party-drv").endswith("DRV")
    assert group_label("party-un").endswith("UN Command")
    assert group_label("party-nobody").endswith("nobody")  # never a KeyError


@pytest.mark.parametrize("theater", THEATER_IDS)
def test_every_group_shows_everything(atlas: Atlas, theater: str) -> None:
    groups = rules.layer_groups(atlas, theater)
    assert rules.shown_layers(atlas, theater, groups) is None


def test_shown_layers_filters_groups_and_hidden_records(atlas: Atlas) -> None:
    theater = "indochina"
    ids = [ln.id for ln in atlas.lines_in(theater)]
    shown = rules.shown_layers(atlas, theater, ["signed"])
    assert shown == tuple(ln.id for ln in atlas.lines_in(theater) if ln.group == "signed")
    assert shown and {"vn-1954-geneva-line", "vn-1954-geneva-dmz"} <= set(shown)
    assert all(atlas.lines[i].record == "outcome" for i in shown)
    groups = rules.layer_groups(atlas, theater)
    hidden = rules.shown_layers(atlas, theater, groups, hidden=["ref-parallel-13"])
    assert hidden == tuple(i for i in ids if i != "ref-parallel-13")
    assert rules.shown_layers(atlas, theater, []) == ()
    # the selection is drawn whatever the filter says
    assert rules.shown_layers(atlas, theater, [], always=["vn-1954-drv-minimum"]) == (
        "vn-1954-drv-minimum",
    )
    assert (
        rules.shown_layers(
            atlas, theater, groups, hidden=["vn-1954-drv-minimum"], always=["vn-1954-drv-minimum"]
        )
        is None
    )
    # unknown groups and ids change nothing
    assert rules.shown_layers(atlas, theater, ["party-nobody", "<b>"], hidden=["x"]) == ()
    assert rules.shown_layers(atlas, theater, groups, hidden=["x"], always=[None]) is None


# ---------------------------------------------------------------------------------------
# compare


def test_comparable_keeps_the_shape_and_the_theater(atlas: Atlas) -> None:
    lines = rules.comparable(atlas, "indochina", "vn-1954-drv-minimum")
    assert "vn-1954-drv-minimum" not in lines
    assert {atlas.lines[i].kind for i in lines} == {"line", "reference"}
    assert {atlas.lines[i].theater for i in lines} == {"indochina"}
    assert "vn-1954-geneva-line" in lines and "ref-parallel-17" in lines
    zones = rules.comparable(atlas, "indochina", "vn-1954-geneva-dmz")
    assert {atlas.lines[i].kind for i in zones} == {"zone"}
    assert "vn-1954-geneva-dmz" not in zones and "la-1954-drv-zones" in zones
    everything = [ln.id for ln in atlas.lines_in("korea")]
    assert rules.comparable(atlas, "korea", None) == everything
    assert rules.comparable(atlas, "korea", "no-such-line") == everything


@pytest.mark.parametrize(
    ("theater", "signed_id"), [("korea", "kr-1953-mdl"), ("indochina", "vn-1954-geneva-line")]
)
def test_default_pair_is_the_first_proposal_against_the_signed_line(
    atlas: Atlas, theater: str, signed_id: str
) -> None:
    pair = rules.default_pair(atlas, theater)
    assert pair is not None and pair[1] == signed_id
    first = atlas.lines[pair[0]]
    assert first.record == "proposal" and first.kind == "line" and first.theater == theater
    earlier = [
        ln for ln in atlas.lines_in(theater) if ln.record == "proposal" and ln.kind == "line"
    ]
    assert first.day == min(ln.day for ln in earlier if ln.day)  # the earliest
    signed = rules.signed_line(atlas, theater)
    assert signed is not None and signed.id == signed_id and signed.record == "outcome"
    zone = rules.signed_line(atlas, theater, "zone")
    assert zone is not None and zone.kind == "zone" and zone.record == "outcome"


def test_default_pair_without_a_signed_line(atlas: Atlas) -> None:
    lines = {k: v for k, v in atlas.lines.items() if v.record != "outcome"}
    unsigned = dataclasses.replace(atlas, lines=lines)
    a, b = rules.default_pair(unsigned, "korea") or ("", "")
    assert a != b and {unsigned.lines[a].kind, unsigned.lines[b].kind} <= {"line", "reference"}
    assert rules.default_pair(dataclasses.replace(atlas, lines={}), "korea") is None


# ---------------------------------------------------------------------------------------
# timeline


def test_standings_in_korea(atlas: Atlas) -> None:
    before = rules.standings(atlas, "korea", D(1951, 7, 20))
    assert before["kr-1951-communist-38th-parallel"] == rules.PROPOSED
    assert before["kr-1951-kaesong-neutral-zone"] == rules.AGREED
    assert before["kr-1951-un-buffer-zone"] == rules.NOT_YET
    assert before["kr-1953-mdl"] == rules.SIGNED_LATER
    assert before["ref-parallel-38"] == rules.ALWAYS
    signed = rules.standings(atlas, "korea", D(1953, 7, 27))
    assert signed["kr-1953-mdl"] == signed["kr-1953-dmz"] == rules.SIGNED
    proposals = [ln.id for ln in atlas.lines_in("korea") if ln.record == "proposal"]
    positions = [i for i in proposals if atlas.lines[i].is_position]
    assert positions and all(signed[i] == rules.REPLACED for i in positions)
    assert signed["ref-parallel-38"] == rules.ALWAYS


def test_on_the_table_drops_proposals_once_the_agreement_is_signed(atlas: Atlas) -> None:
    day_before, day = D(1954, 7, 19), D(1954, 7, 20)
    assert rules.signed_day(atlas, "indochina") == day
    table = rules.standings(atlas, "indochina", day_before)
    assert table["vn-1954-drv-minimum"] == rules.PROPOSED  # a fallback, still on the table
    assert table["vn-1954-french-18th"] == rules.PROPOSED
    assert table["vn-1954-geneva-line"] == rules.SIGNED_LATER
    after = rules.standings(atlas, "indochina", day)
    assert after["vn-1954-drv-minimum"] == after["vn-1954-french-18th"] == rules.REPLACED
    assert after["vn-1954-geneva-line"] == rules.SIGNED
    assert rules.PROPOSED not in after.values() and rules.AGREED not in after.values()
    shown = rules.timeline_layers(atlas, "indochina", day, final=False)
    assert "vn-1954-french-18th" not in shown and "vn-1954-geneva-line" in shown


def test_timeline_layers(atlas: Atlas) -> None:
    day = D(1954, 6, 26)
    without = rules.timeline_layers(atlas, "indochina", day, final=False)
    with_final = rules.timeline_layers(atlas, "indochina", day, final=True)
    assert "vn-1954-drv-maximum" in without and "ref-parallel-17" in without
    assert "vn-1954-geneva-line" not in without
    assert set(with_final) - set(without) == {
        ln.id for ln in atlas.lines_in("indochina") if ln.record == "outcome"
    }
    first = rules.event_dates(atlas, "indochina")[0]
    early = rules.timeline_layers(atlas, "indochina", first - dt.timedelta(days=1), final=False)
    assert early == [ln.id for ln in atlas.lines_in("indochina") if not ln.is_position]


@pytest.mark.parametrize("theater", THEATER_IDS)
def test_timeline_range_follows_the_theater(atlas: Atlas, theater: str) -> None:
    lo, hi = rules.timeline_range(atlas, theater)
    start, end = (D.fromisoformat(THEATERS[theater].start), D.fromisoformat(THEATERS[theater].end))
    events = rules.event_dates(atlas, theater)
    assert start <= lo <= events[0] <= events[-1] <= hi <= end
    assert lo < hi
    week = dt.timedelta(days=7)
    assert (lo, hi) == (max(start, events[0] - week), min(end, events[-1] + week))
    if theater == "indochina":
        assert lo.year == hi.year == 1954  # not squeezed into Korea's three years
    else:
        assert lo.year == 1951 and hi.year == 1953


def test_timeline_range_without_events_is_the_theaters_dates(atlas: Atlas) -> None:
    korea_only = dataclasses.replace(
        atlas, lines={k: v for k, v in atlas.lines.items() if v.theater == "korea"}
    )
    assert rules.timeline_range(korea_only, "indochina") == (D(1954, 3, 1), D(1954, 7, 31))
    assert rules.event_dates(korea_only, "indochina") == []
    assert rules.signed_day(korea_only, "indochina") is None


def test_event_dates_and_steps(atlas: Atlas) -> None:
    dates = rules.event_dates(atlas, "indochina")
    assert dates == sorted(set(dates)) and D(1954, 6, 26) in dates
    assert dates[-1] == D(1954, 7, 20) == rules.signed_day(atlas, "indochina")
    one = dt.timedelta(days=1)
    assert rules.step_date(dates, dates[0] - one, +1) == dates[0]
    assert rules.step_date(dates, dates[0] - one, -1) is None
    for before, after in itertools.pairwise(dates):
        assert rules.step_date(dates, before, +1) == after
        assert rules.step_date(dates, after, -1) == before
        if after - before > one:  # a day between two events
            assert rules.step_date(dates, after - one, -1) == before
            assert rules.step_date(dates, after - one, +1) == after
    assert rules.step_date(dates, dates[-1], +1) is None
    assert rules.step_date([], D(1954, 6, 26), +1) is None
    korea = rules.event_dates(atlas, "korea")
    assert korea == sorted(set(korea)) and korea[-1] == D(1953, 7, 27)


# ---------------------------------------------------------------------------------------
# map clicks


def click(lid: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "click", "id": lid, "lat": 16.0, "lng": 107.0, "seq": 1, **extra}


def test_a_click_on_a_line_of_the_theater_selects_it(atlas: Atlas) -> None:
    assert rules.clicked_line(click("vn-1954-drv-minimum"), atlas, "indochina") == (
        "vn-1954-drv-minimum"
    )
    assert rules.clicked_line(click("kr-1953-dmz"), atlas, "korea") == "kr-1953-dmz"
    assert rules.clicked_line(click("ref-parallel-38"), atlas, "korea") == "ref-parallel-38"


@pytest.mark.parametrize(
    "event",
    [
        None,
        "click",
        ["click", "kr-1953-mdl"],
        42,
        {},
        {"id": "kr-1953-mdl"},
        {"type": "dblclick", "id": "kr-1953-mdl"},
        {"type": "key", "key": "ArrowRight"},
        {"type": "draw", "geometry": {"type": "Point", "coordinates": [0, 0]}},
        {"type": ["click"], "id": "kr-1953-mdl"},
        click("vn-1954-drv-minimum"),  # another theater's line
        click("no-such-line"),
        click(""),
        click(None),
        click(7),
        click(["kr-1953-mdl"]),
        click({"id": "kr-1953-mdl"}),
        click("kr-1953-mdl\u202e"),
        click(" kr-1953-mdl"),
        click("KR-1953-MDL"),
        click("<img src=x onerror=alert(1)>"),
        click("x" * 100_000),
        click("__proto__"),
    ],
    ids=lambda e: repr(e)[:40],
)
def test_anything_else_is_ignored(atlas: Atlas, event: Any) -> None:
    assert rules.clicked_line(event, atlas, "korea") is None


def test_the_other_records_at_a_clicked_spot_are_read_as_untrusted(atlas: Atlas) -> None:
    mdl, dmz, line = "kr-1953-mdl", "kr-1953-dmz", "kr-1951-11-27-provisional-line"
    event = click(line, also=[mdl, dmz, mdl, line])
    assert rules.clicked_also(event, atlas, "korea", line) == (mdl, dmz)  # once each, not itself
    odd = [None, 7, ["x"], {"id": mdl}, "no-such-line", "vn-1954-drv-minimum", "<b>", dmz]
    assert rules.clicked_also(click(line, also=odd), atlas, "korea", line) == (dmz,)
    many = [ln.id for ln in atlas.lines_in("korea")] * 1000
    got = rules.clicked_also(click(line, also=many), atlas, "korea", line)
    assert len(got) == rules.MAX_ALSO and line not in got
    for bad in (None, "kr-1953-mdl", {"0": mdl}, 5, [[mdl]]):
        assert rules.clicked_also(click(line, also=bad), atlas, "korea", line) == ()
    assert rules.clicked_also(click(line), atlas, "korea", line) == ()
    assert rules.clicked_also(None, atlas, "korea", line) == ()
