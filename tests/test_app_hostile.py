"""Hostile input reaches the app (AppTest): poisoned records, URLs, map events and uploads.

Every string a record, an uploaded file or a URL brings in must come out as text: escaped in
``st.html``, escaped for markdown elsewhere, and never as a traceback. Malformed records stop
the app with the data-error message naming file and line.

:func:`poison_data` (a copy of data/ with markup and script in titles, summaries, place names,
document citations and URLs), :data:`PAYLOADS`, :data:`EVIL`, :data:`JS_URL`,
:data:`HOSTILE_HTTPS`, :data:`POISONED_LINE`, :data:`POISONED_CABLE` and :data:`HOSTILE_URLS`
are shared with tests/browser/, which checks in a real chromium that nothing of it executes.
(Template syntax in every field: tests/test_template_injection.py.)
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_app import (  # the app's environment and the AppTest helpers
    app_cache,  # noqa: F401
    app_env,  # noqa: F401
    broken_copy,
    new_app,
    ok,
    run,
    send_map_event,
    texts,
    unescaped,
)

from conftest import DATA_DIR
from geo import load_atlas
from geo.stories import load_stories

#: Markup and script that must be shown as text wherever it appears.
PAYLOADS = (
    "</script><script>window.PWNED=1</script>",
    '<img src=x onerror="window.PWNED=2">',
    "`${window.PWNED=3}`",
    '"><svg onload=window.PWNED=4>',
)
#: A URL that would run script if it became a link (refused in records by the validator,
#: still tried in URL parameters and uploaded texts).
JS_URL = "javascript:window.PWNED=5"
#: An https address that passes validation but would break out of a markdown link or an
#: HTML attribute if it were not encoded.
HOSTILE_HTTPS = 'https://example.org/x)"><img/src=x/onerror=window.PWNED=5>'

EVIL = " ".join(PAYLOADS)

POISONED_LINE = "vn-1954-drv-maximum"
POISONED_CABLE = "110145"  # a document (the name is older than the documents screen)
POISONED_DOCUMENT = POISONED_CABLE

#: URL parameters full of markup, and the parameters each case must warn about. A bad value
#: falls back (theater to korea, the rest to nothing); an unknown parameter is ignored.
HOSTILE_URLS: dict[str, tuple[dict[str, str], list[str]]] = {
    "every parameter": (
        {
            "theater": PAYLOADS[0],
            "line": PAYLOADS[1],
            "compare": f"{PAYLOADS[1]},{PAYLOADS[3]}",
            "date": PAYLOADS[2],
            "place": PAYLOADS[3],
            "doc": PAYLOADS[0],
            "pos": PAYLOADS[2],
            "<svg onload=window.PWNED=6>": PAYLOADS[1],  # not a parameter of the app
        },
        ["theater", "line", "compare", "date", "place", "doc", "pos"],
    ),
    "view": ({"view": PAYLOADS[1], "compare": JS_URL}, ["view", "compare"]),
    # a blank line would end the warning's code span; what follows must not become markdown
    # (an image from elsewhere, a link, a heading)
    "line breaks": (
        {"line": f"x\n\n![t](https://example.org/t.png)\n\n[a]({JS_URL})\n\n# h"},
        ["line"],
    ),
    "non-ASCII and long": (
        {"pos": "²", "date": "1" * 5000, "place": "Huế"},
        ["pos", "date", "place"],
    ),
    "older name": ({"cable": PAYLOADS[3]}, ["doc"]),
    "story": ({"view": "present", "story": PAYLOADS[0], "step": PAYLOADS[1]}, ["story"]),
    "step": ({"story": "geneva-1954", "step": PAYLOADS[3]}, ["step"]),
}


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _set(path: Path, **fields: str) -> None:
    """Replace top-level ``key: value`` (one line, or a folded block) with a quoted value."""
    text = path.read_text(encoding="utf-8")
    for key, value in fields.items():
        pattern = rf"^{key}: (>-\n(?:  .*\n)+|.*\n)"
        new = f"{key}: {_q(value)}\n"
        text, n = re.subn(pattern, lambda _m, new=new: new, text, flags=re.M)
        assert n == 1, (path, key)
    path.write_text(text, encoding="utf-8")


def poison_data(dest: Path) -> Path:
    """A copy of data/ in *dest*/data whose texts carry the payloads (still valid records)."""
    data = dest / "data"
    shutil.copytree(DATA_DIR, data)
    line = data / "proposals" / f"{POISONED_LINE}.yaml"
    _set(
        line,
        title=f"DRV maximum {EVIL}",
        summary=f"Summary {EVIL}",
        inference=f"Inference {EVIL}",
    )
    _replace(
        line,
        "references:\n",
        f"references:\n  - title: {_q('Reference ' + EVIL)}\n    url: {_q(HOSTILE_HTTPS)}\n",
    )
    _set(
        data / "documents" / f"{POISONED_DOCUMENT}.yaml",
        title=f"Cable from Li Kenong {EVIL}",
        citation=f"Citation {EVIL}",
        summary=f"Our summary {EVIL}",
        archive=f"Archive {EVIL}",
        corpus_url=HOSTILE_HTTPS,
    )
    places = data / "places" / "indochina.yaml"
    _replace(
        places,
        "  name: Cheo Reo (Ayun Pa)\n  spellings: ['Jiao-yao [sic]']\n",
        f"  name: {_q('Cheo Reo ' + EVIL)}\n  spellings: [{_q('Spelling ' + EVIL)}, "
        "'Jiao-yao [sic]']\n",
    )
    _replace(places, "  name: Hue\n", f"  name: {_q('Hue ' + EVIL)}\n")
    return data


# ---------------------------------------------------------------------------------------
# helpers


def values(at: AppTest, kind: str) -> list[str]:
    return [str(el.value) for el in getattr(at, kind)]


#: Element kinds whose text Streamlit renders as markdown.
MARKDOWN_KINDS = ("markdown", "caption", "subheader", "header", "info", "warning", "error")


def markdown_texts(at: AppTest) -> list[str]:
    """Every markdown source the app sent: texts, headings, alerts, labels of buttons and of
    pills (labels and pill options are markdown too; select box options are plain text)."""
    out = [v for kind in MARKDOWN_KINDS for v in values(at, kind)] + values(at, "success")
    out += [str(b.label) for b in at.button]
    for w in at.button_group:
        out += [str(w.label), *(str(o) for o in w.options)]
    for kind in ("selectbox", "multiselect", "toggle", "radio", "text_input", "expander"):
        out += [str(w.proto.label) for w in getattr(at, kind)]
    return out


_LINK = re.compile(r"\[(?:[^\]\\]|\\.)*\]\(https://[^)\s]*\)")  # the app's own links


def assert_escaped(source: str) -> None:
    """Markdown *source* holding a payload shows it as text: every character that would start
    markup (HTML, a code span, LaTeX, a link) is backslash-escaped or inside a code span."""
    outside = re.sub(r"`[^`]*`", "", re.sub(r"\\.", "", _LINK.sub("", source)))
    assert not re.search(r"[<`$\[]", outside), source


def data_error(at: AppTest) -> str:
    """The one error the app shows for bad records; nothing else is drawn."""
    ok(at)
    (error,) = values(at, "error")
    assert "problem(s); fix them and reload" in error
    assert not at.metric and not at.selectbox and not at.get("component_instance")
    return unescaped(error)


# ---------------------------------------------------------------------------------------
# URL parameters


@pytest.mark.parametrize("case", list(HOSTILE_URLS))
def test_hostile_url_parameters_warn_and_fall_back(case: str) -> None:
    params, bad = HOSTILE_URLS[case]
    at = run(params)
    warnings = values(at, "warning")
    assert not at.error
    for name in bad:
        assert any(w.startswith(f"URL parameter `{name}=") for w in warnings), (name, warnings)
    assert len(warnings) == len(bad), warnings  # the unknown parameter is not one of them
    for w in warnings:
        # one line, the value in one code span, the reason as text
        assert "\n" not in w and len(w) < 400
        assert re.fullmatch(r"URL parameter `[^`]*` ignored: [^`]*(`[^`]*`[^`]*)?\.", w), w
    # the values are shown in the warnings only
    assert [t for t in markdown_texts(at) if "PWNED" in t and t not in warnings] == []
    query = at.query_params
    if case == "every parameter":
        assert query["theater"] == "korea" and at.session_state["aa_theater"] == "korea"
        assert not {"line", "compare", "date", "place", "doc", "pos"} & set(query)
        assert query["<svg onload=window.PWNED=6>"] == PAYLOADS[1]  # kept, never shown
        assert at.session_state["aa_view"] == "documents"  # the link was about a document
    elif case in ("view", "line breaks", "non-ASCII and long"):
        assert at.session_state["aa_view"] == "map" and "view" not in query
        assert at.session_state["aa_last_map"]["theater"] == "korea"
    elif case == "older name":
        assert at.session_state["aa_view"] == "documents" and "cable" not in query
    elif case == "story":
        assert at.session_state["aa_view"] == "present" and "story" not in query
        assert any(b.label == "Start presenting" for b in at.button)  # the list of stories
    else:
        assert at.session_state["aa_view"] == "present"
        assert query["story"] == "geneva-1954" and query["step"] == "1"


def test_a_hostile_compare_id_is_quoted_as_text() -> None:
    at = run({"theater": "indochina", "compare": f"{PAYLOADS[1]},vn-1954-drv-minimum"})
    (warning,) = values(at, "warning")
    assert warning.endswith(f"ignored: no line or zone has the id `{PAYLOADS[1]!r}`.")


def test_hostile_map_events_change_nothing() -> None:
    at = run({"theater": "indochina"})
    for seq, event in enumerate(
        [
            {"type": "click", "id": PAYLOADS[1], "seq": 1},
            {"type": "click", "id": {"__proto__": PAYLOADS[0]}, "lat": "x", "lng": None},
            {"type": PAYLOADS[0], "id": "vn-1954-drv-minimum"},
            {"type": "key", "key": PAYLOADS[2]},
            {"type": "draw", "geometry": PAYLOADS[3]},
            [PAYLOADS[0]] * 1000,
            "x" * 100_000,
        ],
        1,
    ):
        sent = {**event, "seq": seq} if isinstance(event, dict) else event
        send_map_event(at, "aa_map_main", sent)
        ok(at)
        assert at.session_state["aa_line"] is None
        assert "PWNED" not in texts(at)


# ---------------------------------------------------------------------------------------
# poisoned records


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return poison_data(tmp_path_factory.mktemp("poisoned"))


POISONED_SCREENS = {
    "map": {"theater": "indochina", "line": POISONED_LINE},
    "compare": {"theater": "indochina", "compare": f"{POISONED_LINE},vn-1954-geneva-line"},
    "sequence": {"theater": "indochina", "view": "sequence", "pos": "1"},
    "timeline": {"theater": "indochina", "view": "timeline", "date": "1954-07-21"},
    "documents": {"view": "documents", "doc": POISONED_DOCUMENT},
    "sources": {"theater": "indochina", "view": "sources"},
    "present": {"view": "present", "story": "geneva-1954"},  # the step: see below
}


def _step_showing(line_id: str) -> str:
    """The first step of the Geneva story that draws *line_id* (1-based, for its link)."""
    story = load_stories(load_atlas(DATA_DIR))["geneva-1954"]
    return str(next(i for i, s in enumerate(story.steps, 1) if line_id in s.layers))


@pytest.mark.parametrize("screen", list(POISONED_SCREENS))
def test_poisoned_records_are_escaped_on_every_screen(
    poisoned: Path, monkeypatch: pytest.MonkeyPatch, screen: str
) -> None:
    monkeypatch.setenv("ARMISTICE_DATA", str(poisoned))
    params = dict(POISONED_SCREENS[screen])
    if screen == "present":
        params["step"] = _step_showing(POISONED_LINE)
    at = run(params)
    if screen == "sequence":  # the first position may be another record: go to the poisoned one
        while at.session_state["aa_last_map"]["selected"] != POISONED_LINE:
            at.button(key="aa_seq_next").click().run()
            ok(at)
    assert not at.error and not at.warning
    shown = [t for t in markdown_texts(at) if "PWNED" in t]
    fragments = [str(h.value) for h in at.html if "PWNED" in str(h.value)]
    assert shown or fragments or screen == "sources", f"{screen}: the poisoned records are shown"
    for source in shown:
        assert_escaped(source)
    for fragment in fragments:  # st.html: escaped for HTML
        assert "<script>window" not in fragment and "<img src=x" not in fragment
        assert "<svg" not in fragment
        assert "&lt;img src=x onerror=&quot;window.PWNED=2&quot;&gt;" in fragment
    assert EVIL in texts(at), f"{screen}: each payload is shown whole, as text"
    if screen == "map":
        body = "\n".join(shown)
        assert "javascript:" not in body
        assert HOSTILE_HTTPS not in body  # only ever as an encoded link target
        assert "example.org/x%29%22%3E%3Cimg" in body
    if screen == "sources":
        cells = {str(v) for f in at.dataframe for v in f.value.to_numpy().ravel()}
        assert f"DRV maximum {EVIL}" in cells and f"Hue {EVIL}" in cells


def test_links_in_records_are_https_only(poisoned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARMISTICE_DATA", str(poisoned))
    at = run({"view": "documents", "doc": POISONED_DOCUMENT})
    links = [t for t in values(at, "markdown") if "](" in t]
    assert links, "the archive link is there"
    for t in links:
        for target in re.findall(r"\]\(([^)]*)\)", t):
            assert target.startswith("https://"), t
    assert any("example.org/x%29%22%3E%3Cimg" in t for t in values(at, "markdown"))


# ---------------------------------------------------------------------------------------
# malformed records


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


MALFORMED = {
    "broken YAML": (
        "proposals/vn-1954-drv-minimum.yaml",
        "status: fallback\n",
        "status: [fallback\n",
        "status: [fallback",
        "YAML syntax error",
    ),
    "tab in YAML": (
        "proposals/vn-1954-drv-minimum.yaml",
        "status: fallback\n",
        "status:\tfallback\n\tfoo: 1\n",
        "status:",
        "YAML syntax error",
    ),
    "unknown place id": (
        "proposals/vn-1954-drv-maximum.yaml",
        "pleiku, cheo-reo, tuy-hoa]",
        "pleiku, atlantis, tuy-hoa]",
        "route:",
        "[geometry.route] unknown place id 'atlantis'",
    ),
    "lat out of range": (
        "places/indochina.yaml",
        "  lat: 13.983\n",
        "  lat: 113.983\n",
        "lat: 113.983",
        "[lat] 113.983 is out of range [-90, 90]",
    ),
    "markup in a bad value": (
        "proposals/vn-1954-drv-minimum.yaml",
        "status: fallback\n",
        f"status: {_q(PAYLOADS[1])}\n",
        "status:",
        "[status]",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_records_name_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    file, old, new, needle, message = MALFORMED[case]
    data = broken_copy(tmp_path, {file: (old, new)})
    path = data / file
    monkeypatch.setenv("ARMISTICE_DATA", str(data))
    at = new_app().run()
    error = data_error(at)
    line = _line_of(path, needle)
    # a YAML syntax error is where the parser noticed it: that line or the next
    found = re.search(rf"{re.escape(file)}:(\d+):", error)
    assert found, error
    assert int(found[1]) in ((line, line + 1) if "YAML" in message else (line,)), (line, error)
    assert message in error, error
    assert "Traceback" not in error and str(tmp_path) not in error
    listing = str(at.error[0].value).split("\n\n", 1)[1]
    for item in listing.split("\n"):  # each problem as code: shown as written, never markup
        assert re.fullmatch(r"- `[^`\n]*`", item), item


def test_a_record_that_is_not_text_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = broken_copy(tmp_path, {})
    (data / "proposals" / "zz-binary.yaml").write_bytes(b"id: x\n\x00\x01\x02 title")
    (data / "proposals" / "zz-latin1.yaml").write_bytes(b"id: zz-latin1\ntitle: Hu\xe9\n")
    (data / "outcomes" / "zz-empty.yaml").write_text("")
    (data / "documents" / "zz-list.yaml").write_text("- a\n- b\n")
    monkeypatch.setenv("ARMISTICE_DATA", str(data))
    error = data_error(new_app().run())
    assert "proposals/zz-binary.yaml" in error and "binary" in error
    assert "proposals/zz-latin1.yaml" in error and "UTF-8" in error
    assert "outcomes/zz-empty.yaml" in error and "documents/zz-list.yaml" in error
    assert str(tmp_path) not in error


# ---------------------------------------------------------------------------------------
# uploads (the rules: tests/test_library.py; the screen: tests/test_app_documents.py)

GOOD = (
    b"June 21, 1954\nTelegram, Example Committee to Test Premier\n\n"
    b"The invented army should hold near Pleiku and Route 19 for now.\n"
)


def test_markup_in_an_upload_is_escaped_in_every_message() -> None:
    evil = (
        f"June 21, 1954\nTelegram, {EVIL} Committee\n\n"
        f"About {EVIL} holding near Pleiku. {JS_URL} [click]({JS_URL})\n"
    ).encode()
    name = "<img src=x onerror=alert(1)> `x`.txt"
    at = run({"view": "documents", "theater": "indochina"})
    at.file_uploader[0].set_value([(name, evil, "text/plain")]).run()
    ok(at)
    assert not at.error, values(at, "error")
    (success,) = values(at, "success")
    assert unescaped(success).startswith("Added `<img src=x onerror=alert(1)> 'x'.txt`")
    shown = [t for t in markdown_texts(at) if "PWNED" in t]
    assert len(shown) >= 2, shown  # the message and the heading at least
    for source in shown:
        assert_escaped(source)
    assert any(f"Telegram, {EVIL} Committee" in unescaped(t) for t in values(at, "subheader"))
    reader = next(str(h.value) for h in at.html if h.value.startswith('<div class="aa-doc-text">'))
    assert "<img" not in reader and "<svg" not in reader and "<script>" not in reader
    assert "&lt;img src=x onerror=&quot;window.PWNED=2&quot;&gt;" in reader
    assert f'href="{JS_URL}' not in reader
