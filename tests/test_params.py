"""The URL as plain data (ui.params) and a story's ``story``/``step`` (ui.screens.present).

Every deep link the app understands, the names older links used, and what happens to a bad
value: it falls back to the default, and a warning names the parameter. The warning is shown
with ``st.warning`` (markdown), so whatever the value holds must come out as one line of text.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from geo import Atlas
from geo.stories import Story, load_stories
from ui import params as P
from ui.screens.present import parse_story_params

MINIMUM, FRENCH, GENEVA = "vn-1954-drv-minimum", "vn-1954-french-18th", "vn-1954-geneva-line"
MDL = "kr-1953-mdl"

#: Values no parameter may take: non-ASCII, very long, line breaks, markup.
HOSTILE_VALUES = {
    "superscript two": "²",
    "arabic-indic digit": "٣",
    "5,000 digits": "9" * 5000,
    "121 characters": "a" * 121,
    "line breaks": "x\n\n![t](https://example.org/t.png)\n\n# heading",
    "carriage return": "a\rb",
    "tab": "a\tb",
    "RTL override": "kr-1953-mdl\u202e",
    "markup": "<img src=x onerror=alert(1)>",
    "code span": "`x` **bold** [a](javascript:alert(1))",
    "latex": "$\\frac{1}{0}$",
}
#: ASCII control characters (``?theater=a%00b``): refused, but quoted raw in the warning.
HOSTILE_CASES = [pytest.param(v, id=k) for k, v in HOSTILE_VALUES.items()] + [
    pytest.param("a\x00b", id="NUL"),
    pytest.param("\x1b[2Jx\x7f", id="ESC and DEL"),
]

WARNING = re.compile(r"URL parameter `(?P<value>[^`\n]*)` ignored: (?P<reason>[^\n]*)\.")


def documents(atlas: Atlas) -> dict[str, str]:
    return {d.id: d.theater for d in atlas.documents.values()}


def parse(atlas: Atlas, **params: str | list[str]) -> tuple[P.ViewState, list[str]]:
    state, warnings = P.parse_params(params, atlas, documents(atlas))
    return state, [str(w) for w in warnings]


def assert_safe(message: str, param: str) -> None:
    """One line; the value only inside the one code span, as printable ASCII, shortened."""
    m = WARNING.fullmatch(message)
    assert m, message
    shown = m["value"]
    assert shown.startswith(f"{param}="), message
    assert re.fullmatch(r"[\x20-\x7e]*", shown), message
    assert len(shown) <= len(param) + 1 + 80, message
    # the reason is the app's own words (a compare reason quotes the id in its own span)
    outside = re.sub(r"`[^`]*`", "", m["reason"])
    assert not re.search(r"[<>\[\]*_$\\]", outside), message


@pytest.fixture(scope="module")
def stories(atlas: Atlas) -> dict[str, Story]:
    return load_stories(atlas)


# ---------------------------------------------------------------------------------------
# every deep link


def test_no_parameters_open_the_map_of_korea(atlas: Atlas) -> None:
    state, warnings = parse(atlas)
    assert state == P.ViewState() and warnings == []
    assert state.theater == "korea" and state.view == "map"
    assert P.to_params(state) == {"theater": "korea"}


def test_a_full_deep_link(atlas: Atlas) -> None:
    state, warnings = parse(
        atlas,
        theater="indochina",
        view="timeline",
        line=MINIMUM,
        compare=f"{FRENCH},{GENEVA}",
        date="1954-06-30",
        place="hue",
        doc="110145",
        pos="3",
    )
    assert warnings == []
    assert state == P.ViewState(
        theater="indochina",
        view="timeline",
        line=MINIMUM,
        compare=(FRENCH, GENEVA),
        date=dt.date(1954, 6, 30),
        place="hue",
        doc="110145",
        pos=2,
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"line": MINIMUM}, {"theater": "indochina", "view": "map", "line": MINIMUM}),
        ({"line": MDL}, {"theater": "korea", "view": "map", "line": MDL}),
        (
            {"compare": f"{FRENCH},{GENEVA}"},
            {"theater": "indochina", "view": "compare", "compare": (FRENCH, GENEVA)},
        ),
        (
            {"theater": "korea", "date": "1952-01-01"},
            {"theater": "korea", "view": "timeline", "date": dt.date(1952, 1, 1)},
        ),
        ({"doc": "110145"}, {"theater": "indochina", "view": "documents", "doc": "110145"}),
        ({"cable": "110145"}, {"theater": "indochina", "view": "documents", "doc": "110145"}),
        ({"theater": "indochina", "place": "hue"}, {"theater": "indochina", "place": "hue"}),
        ({"theater": "indochina", "view": "sequence", "pos": "2"}, {"pos": 1}),
        ({"view": "cables"}, {"view": "documents"}),
        ({"view": "Compare"}, {"view": "compare"}),
        ({"theater": "INDOCHINA"}, {"theater": "indochina"}),
        ({"theater": "  indochina "}, {"theater": "indochina"}),
        ({"story": "geneva-1954", "step": "2"}, {"view": "present"}),
        ({"line": ["kr-1953-mdl", MINIMUM]}, {"line": MINIMUM}),  # the last of a repeat
    ],
    ids=lambda v: "&".join(f"{k}={v[k]}" for k in v) if isinstance(v, dict) else None,
)
def test_deep_links(
    atlas: Atlas, params: dict[str, str | list[str]], expected: dict[str, object]
) -> None:
    state, warnings = parse(atlas, **params)
    assert warnings == []
    for name, value in expected.items():
        assert getattr(state, name) == value, name


@pytest.mark.parametrize("view", P.VIEWS)
def test_every_screen_has_a_link_and_a_label(atlas: Atlas, view: str) -> None:
    state, warnings = parse(atlas, view=view)
    assert state.view == view and warnings == []
    assert P.VIEW_LABELS[view]


def test_older_names_are_understood(atlas: Atlas) -> None:
    assert P.VIEW_ALIASES["cables"] == "documents" and P.ALIASES["cable"] == "doc"
    state, warnings = parse(atlas, view="cables", cable="113006")
    assert (state.view, state.doc, state.theater, warnings) == ("documents", "113006", "korea", [])
    # the new name wins over the old one
    state, _ = parse(atlas, doc="117409", cable="113006")
    assert state.doc == "117409"


@pytest.mark.parametrize(
    "state",
    [
        P.ViewState(),
        P.ViewState("indochina", "map", line=MINIMUM, place="hue"),
        P.ViewState("indochina", "compare", compare=(FRENCH, GENEVA)),
        P.ViewState("korea", "timeline", date=dt.date(1952, 3, 1)),
        P.ViewState("indochina", "documents", doc="110145"),
        P.ViewState("indochina", "sequence", pos=4),
    ],
)
def test_the_url_written_reads_back_to_the_same_state(atlas: Atlas, state: P.ViewState) -> None:
    again, warnings = parse(atlas, **P.to_params(state))
    assert again == state and warnings == []


def test_doc_and_pos_belong_to_their_screens(atlas: Atlas) -> None:
    state = P.ViewState("indochina", "map", doc="110145", pos=3)
    assert P.to_params(state) == {"theater": "indochina"}


# ---------------------------------------------------------------------------------------
# bad values fall back, with a warning naming the parameter


@pytest.mark.parametrize(
    ("params", "param", "reason", "fallback"),
    [
        ({"theater": "mars"}, "theater", "unknown theater", {"theater": "korea"}),
        ({"view": "atlas"}, "view", "unknown screen", {"view": "map"}),
        ({"line": "kr-1999-nothing"}, "line", "no line or zone has this id", {"line": None}),
        (
            {"theater": "korea", "line": MINIMUM},
            "line",
            "it belongs to Indochina",
            {"line": None, "theater": "korea"},
        ),
        ({"compare": MINIMUM}, "compare", "give two ids", {"compare": None}),
        ({"compare": f"{MINIMUM},,"}, "compare", "give two ids", {"compare": None}),
        ({"compare": f"{MINIMUM},{MINIMUM}"}, "compare", "the same", {"compare": None}),
        ({"compare": f"{MINIMUM},nowhere"}, "compare", "no line or zone", {"compare": None}),
        ({"compare": f"{MINIMUM},{MDL}"}, "compare", "both must belong", {"compare": None}),
        (
            {"compare": f"{MINIMUM},vn-1954-geneva-dmz"},
            "compare",
            "cannot compare a line with a zone",
            {"compare": None},
        ),
        ({"date": "30/06/1954"}, "date", "YYYY-MM-DD", {"date": None, "view": "map"}),
        ({"date": "1953-02-30"}, "date", "YYYY-MM-DD", {"date": None}),
        ({"date": "1950-06-25"}, "date", "outside 1951-07-01", {"date": None}),
        (
            {"theater": "indochina", "date": "1953-07-27"},
            "date",
            "outside 1954-03-01",
            {"date": None},
        ),
        ({"place": "atlantis"}, "place", "no place has this id", {"place": None}),
        ({"theater": "korea", "place": "hue"}, "place", "not in Korea", {"place": None}),
        ({"doc": "999999"}, "doc", "no document has this id", {"doc": None}),
        ({"cable": "999999"}, "doc", "no document has this id", {"doc": None}),
        ({"pos": "0"}, "pos", "not a position number", {"pos": None}),
        ({"pos": "-1"}, "pos", "not a position number", {"pos": None}),
        ({"pos": "two"}, "pos", "not a position number", {"pos": None}),
        ({"pos": "12345"}, "pos", "not a position number", {"pos": None}),
    ],
)
def test_a_bad_value_falls_back_with_a_warning_naming_it(
    atlas: Atlas, params: dict[str, str], param: str, reason: str, fallback: dict[str, object]
) -> None:
    state, warnings = parse(atlas, **params)
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"URL parameter `{param}="), warnings
    assert reason in warnings[0]
    assert_safe(warnings[0], param)
    for name, value in fallback.items():
        assert getattr(state, name) == value, name


def test_a_bad_theater_is_inferred_from_a_good_line(atlas: Atlas) -> None:
    state, warnings = parse(atlas, theater="mars", line=MINIMUM)
    assert state.theater == "indochina" and state.line == MINIMUM
    assert [w.split("=")[0] for w in warnings] == ["URL parameter `theater"]


def test_every_bad_value_of_one_link_is_named(atlas: Atlas) -> None:
    state, warnings = parse(
        atlas,
        theater="x",
        view="x",
        line="x",
        compare="x",
        date="x",
        place="x",
        doc="x",
        pos="x",
    )
    named = [WARNING.fullmatch(w)["value"].split("=")[0] for w in warnings]  # type: ignore[index]
    assert sorted(named) == sorted(P.PARAMS)
    # everything falls back; the link was about a document, so that screen opens (empty)
    assert state == P.ViewState(view="documents")


def test_parameters_of_other_tools_are_ignored_silently(atlas: Atlas) -> None:
    state, warnings = parse(atlas, utm_source="<b>x</b>", fbclid="²" * 500)
    assert state == P.ViewState() and warnings == []


@pytest.mark.parametrize("param", P.PARAMS)
@pytest.mark.parametrize("value", HOSTILE_CASES)
def test_hostile_values_are_refused_before_they_are_read(
    atlas: Atlas, param: str, value: str
) -> None:
    state, warnings = parse(atlas, **{param: value})
    assert len(warnings) == 1, warnings
    assert_safe(warnings[0], param)
    assert getattr(state, param) == getattr(P.ViewState(), param)
    assert state.theater == "korea"
    if len(value) == 5000:
        assert f"longer than {P.MAX_LEN.get(param, P.DEFAULT_MAX_LEN)} characters" in warnings[0]
        assert warnings[0].endswith("characters.")
        assert len(warnings[0]) < 200
    if (len(value) < 120 and not value.isascii()) or "\n" in value:
        assert "only plain ASCII" in warnings[0]


def test_a_long_compare_pair_is_allowed_up_to_its_own_limit(atlas: Atlas) -> None:
    assert P.MAX_LEN["compare"] > P.DEFAULT_MAX_LEN
    pair = f"{FRENCH},{GENEVA}"
    state, warnings = parse(atlas, compare=pair + " " * (P.MAX_LEN["compare"] - len(pair)))
    assert state.compare == (FRENCH, GENEVA) and warnings == []
    _, warnings = parse(atlas, compare="a," + "b" * P.MAX_LEN["compare"])
    assert "longer than 250 characters" in warnings[0]


def test_a_hostile_compare_id_is_quoted_in_its_own_code_span(atlas: Atlas) -> None:
    _, warnings = parse(atlas, compare=f"<b>x</b>`y`,{MINIMUM}")
    (w,) = warnings
    assert_safe(w, "compare")
    assert w.endswith("ignored: no line or zone has the id `\"<b>x</b>'y'\"`.")


def test_the_warning_shortens_and_flattens_what_it_quotes() -> None:
    w = P.ParamWarning("line", "a\n\n# b `c`" + "d" * 200, "no line or zone has this id")
    text = str(w)
    assert "\n" not in text and text.count("`") == 2
    assert "# b 'c'" in text and text.endswith("...` ignored: no line or zone has this id.")
    assert str(P.ParamWarning("pos", "²", "x")) == "URL parameter `pos=?` ignored: x."


def test_first_reads_the_last_of_a_repeated_parameter() -> None:
    assert P.first(None) == "" and P.first([]) == "" and P.first(" a ") == "a"
    assert P.first(["a", " b "]) == "b" and P.first(("a",)) == "a"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1954-06-30", dt.date(1954, 6, 30)),
        (" 1954-06-30 ", dt.date(1954, 6, 30)),
        ("1954-6-30", None),
        ("1954-02-30", None),
        ("19540630", None),
        ("1954-06-30T00:00", None),
        ("١٩٥٤-٠٦-٣٠", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert P.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 0),
        ("12", 11),
        ("9999", 9998),
        ("0", None),
        ("10000", None),
        ("²", None),
        ("1.5", None),
    ],
)
def test_parse_step(text: str, expected: int | None) -> None:
    assert P.parse_step(text) == expected


def test_a_date_link_to_1954_opens_indochina(atlas: Atlas) -> None:
    """The README's deep link ``?date=1954-06-30`` names a day only Indochina's timeline
    has (the theaters' dates do not overlap)."""
    state, warnings = parse(atlas, date="1954-06-30")
    assert warnings == []
    assert state.theater == "indochina" and state.date == dt.date(1954, 6, 30)


# ---------------------------------------------------------------------------------------
# a story's step (ui.screens.present)


def test_story_and_step(stories: dict[str, Story]) -> None:
    assert parse_story_params({}, stories) == (None, 0, [])
    assert parse_story_params({"story": "geneva-1954"}, stories) == ("geneva-1954", 0, [])
    assert parse_story_params({"story": "geneva-1954", "step": "3"}, stories)[:2] == (
        "geneva-1954",
        2,
    )
    last = len(stories["korea-1951"].steps)
    assert parse_story_params({"story": "korea-1951", "step": str(last)}, stories)[:2] == (
        "korea-1951",
        last - 1,
    )


@pytest.mark.parametrize(
    ("params", "param", "reason", "story", "step"),
    [
        ({"story": "nope"}, "story", "no story has this id", None, 0),
        ({"story": "<b>x</b>"}, "story", "no story has this id", None, 0),
        ({"story": "s" * 5000}, "story", "longer than 120", None, 0),
        ({"story": "gen\u00e8ve"}, "story", "only plain ASCII", None, 0),
        ({"step": "2"}, "step", "no story is given", None, 0),
        ({"story": "geneva-1954", "step": "²"}, "step", "only plain ASCII", "geneva-1954", 0),
        ({"story": "geneva-1954", "step": "٣"}, "step", "only plain ASCII", "geneva-1954", 0),
        ({"story": "geneva-1954", "step": "9" * 5000}, "step", "longer than", "geneva-1954", 0),
        ({"story": "geneva-1954", "step": "0"}, "step", "has steps 1 to", "geneva-1954", 0),
        ({"story": "geneva-1954", "step": "99"}, "step", "has steps 1 to", "geneva-1954", 0),
        ({"story": "geneva-1954", "step": "1e3"}, "step", "has steps 1 to", "geneva-1954", 0),
        ({"story": "geneva-1954", "step": "a\nb"}, "step", "only plain ASCII", "geneva-1954", 0),
    ],
)
def test_bad_story_params_warn_and_never_raise(
    stories: dict[str, Story],
    params: dict[str, str],
    param: str,
    reason: str,
    story: str | None,
    step: int,
) -> None:
    sid, index, warnings = parse_story_params(params, stories)
    assert (sid, index) == (story, step)
    messages = [str(w) for w in warnings]
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"URL parameter `{param}=") and reason in messages[0]
    assert_safe(messages[0], param)


def test_an_unknown_story_lists_the_known_ones(stories: dict[str, Story]) -> None:
    _, _, warnings = parse_story_params({"story": "nope"}, stories)
    assert all(sid in str(warnings[0]) for sid in stories)
    _, _, warnings = parse_story_params({"story": "nope"}, {})
    assert "there are none" in str(warnings[0])
