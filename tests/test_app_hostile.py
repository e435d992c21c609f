"""Hostile input reaches the app (AppTest): poisoned records, URLs and uploads.

Every string a record, an uploaded file or a URL brings in must come out as text: escaped
in ``st.html``, escaped for markdown elsewhere, and never as a traceback. Malformed records
stop the app with the data-error message naming file and line.

:func:`poison_data` (a copy of data/ with markup and script in titles, summaries, place names,
cable citations and URLs) is shared with tests/browser/test_hostile_browser.py, which checks
in a real chromium that nothing of it executes.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # ui/ is not an installed package; the app runs from the repo
    sys.path.insert(0, str(REPO))

from test_app import ok, run  # noqa: E402  (one way to run the app in AppTest)
from test_app_cables import _env  # noqa: E402, F401  (autouse: corpus, real data, user folder)

from geo.cables import MAX_BYTES  # noqa: E402
from ui import cables  # noqa: E402

APP = str(REPO / "app.py")
CORPUS = REPO.parent / "shared" / "corpus"

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
POISONED_CABLE = "110145"

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
            "cable": PAYLOADS[0],
            "<svg onload=window.PWNED=6>": PAYLOADS[1],  # not a parameter of the app
        },
        ["theater", "line", "compare", "date", "place", "cable"],
    ),
    "view": ({"view": PAYLOADS[1], "compare": JS_URL}, ["view", "compare"]),
    # a blank line would end the warning's code span; what follows must not become markdown
    # (an image from elsewhere, a link, a heading)
    "line breaks": (
        {"line": f"x\n\n![t](https://example.org/t.png)\n\n[a]({JS_URL})\n\n# h"},
        ["line"],
    ),
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
    shutil.copytree(REPO / "data", data)
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
        data / "cables" / f"{POISONED_CABLE}.yaml",
        title=f"Cable from Li Kenong {EVIL}",
        citation=f"Citation {EVIL}",
        summary=f"Our summary {EVIL}",
        archive=f"Archive {EVIL}",
        corpus_url=HOSTILE_HTTPS,
    )

    places = data / "places.yaml"
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
MARKDOWN_KINDS = ("markdown", "caption", "subheader", "info", "warning", "error", "success")


#: alt text of ui/exports.py's table, "What the map shows, as text" (see the xfail below)
TEXT_VERSION_ALT = "Lines and zones on the map of"


def table_cells(at: AppTest, *, text_version: bool = False) -> list[str]:
    """The cells (index included) of every ``st.table``: markdown since Streamlit 1.4x."""
    out: list[str] = []
    for table in at.table:
        if table.proto.alt.startswith(TEXT_VERSION_ALT) != text_version:
            continue
        frame = table.value
        out += [str(v) for v in frame.index]
        out += [str(v) for v in frame.to_numpy().ravel()]
    return out


def markdown_texts(at: AppTest) -> list[str]:
    """Every markdown source the app sent: texts, headings, alerts, button labels, tables."""
    out = [v for kind in MARKDOWN_KINDS for v in values(at, kind)]
    out += [str(b.label) for b in at.button]
    return out + table_cells(at)


def unescaped(text: str) -> str:
    """What markdown shows for *text* made only of escaped characters and plain text."""
    return re.sub(r"\\(.)", r"\1", text)


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
    assert not at.metric and not at.selectbox and not at.get("iframe")
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
        assert "\n" not in w
        assert re.fullmatch(r"URL parameter `[^`]*` ignored: [^`]*(`[^`]*`[^`]*)?\.", w), w
    query = at.query_params
    if case == "every parameter":
        assert query["theater"] == "korea" and at.session_state["aa_theater"] == "korea"
        assert not {"line", "compare", "date", "place", "cable"} & set(query)
        assert query["<svg onload=window.PWNED=6>"] == PAYLOADS[1]  # kept, never shown
        assert at.session_state["aa_view"] == "cables"  # the link was about a cable
    elif case in ("view", "line breaks"):
        assert at.session_state["aa_view"] == "map" and "view" not in query
        assert at.session_state["aa_last_map"].theater == "korea"
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


# ---------------------------------------------------------------------------------------
# poisoned records


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return poison_data(tmp_path_factory.mktemp("poisoned"))


POISONED_SCREENS = {
    "map": {"theater": "indochina", "line": POISONED_LINE},
    "compare": {"theater": "indochina", "compare": f"{POISONED_LINE},vn-1954-geneva-line"},
    "timeline": {"theater": "indochina", "view": "timeline", "date": "1954-07-21"},
    "cables": {"view": "cables", "cable": POISONED_CABLE},
    "sources": {"theater": "indochina", "view": "sources"},
    "present": {"view": "present", "story": "geneva-1954", "step": "1"},
}


@pytest.mark.parametrize("screen", list(POISONED_SCREENS))
def test_poisoned_records_are_escaped_on_every_screen(
    poisoned: Path, monkeypatch: pytest.MonkeyPatch, screen: str
) -> None:
    monkeypatch.setenv("ARMISTICE_DATA", str(poisoned))
    at = run(POISONED_SCREENS[screen])
    assert not at.error and not at.warning
    shown = [t for t in markdown_texts(at) if "PWNED" in t]
    html = [str(h.value) for h in at.html if "PWNED" in str(h.value)]
    assert shown or html or screen == "sources", f"{screen}: the poisoned records are not shown"
    for source in shown:
        assert_escaped(source)
    for fragment in html:  # st.html: escaped for HTML
        assert "<script>window" not in fragment and "<img src=x" not in fragment
        assert "<svg" not in fragment
        assert "&lt;img src=x onerror=&quot;window.PWNED=2&quot;&gt;" in fragment
    # somewhere each payload is shown whole
    texts = [unescaped(t) for t in shown] + [str(h.value) for h in at.html]
    assert any(EVIL in t for t in texts) or screen == "sources", screen
    if screen == "map":
        body = "\n".join(shown)
        assert "javascript:" not in body
        assert HOSTILE_HTTPS not in body  # only ever as an encoded link target
        assert "example.org/x%29%22%3E%3Cimg" in body
    if screen == "sources":
        frames = [d.value for d in at.dataframe]
        cells = {str(v) for f in frames for v in f.to_numpy().ravel()}
        assert f"DRV maximum {EVIL}" in cells and f"Hue {EVIL}" in cells


def test_the_text_version_of_the_map_shows_titles_literally(
    poisoned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARMISTICE_DATA", str(poisoned))
    at = run(POISONED_SCREENS["map"])
    cells = [c for c in table_cells(at, text_version=True) if "PWNED" in c]
    assert cells
    for cell in cells:
        assert_escaped(cell)


def test_links_in_records_are_http_only(poisoned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARMISTICE_DATA", str(poisoned))
    at = run({"view": "cables", "cable": POISONED_CABLE})
    links = [t for t in values(at, "markdown") if "](" in t]
    assert links, "the archive link is there"
    for t in links:
        for target in re.findall(r"\]\(([^)]*)\)", t):
            assert target.startswith("https://"), t
    assert any("example.org/x%29%22%3E%3Cimg" in t for t in values(at, "markdown"))


# ---------------------------------------------------------------------------------------
# malformed records


def _broken(tmp_path: Path, file: str, old: str, new: str) -> tuple[Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    path = data / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return data, path


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
        "via: [le-thanh, chu-ty, pleiku, cheo-reo, tuy-hoa]",
        "via: [le-thanh, chu-ty, pleiku, atlantis, tuy-hoa]",
        "route:",
        "[geometry.route] unknown place id 'atlantis'",
    ),
    "lat out of range": (
        "places.yaml",
        "  lat: 13.983\n",
        "  lat: 113.983\n",
        "lat: 113.983",
        "[lat] 113.983 is out of range [-90, 90]",
    ),
    "self-intersecting polygon": (
        "proposals/la-1954-zhou-bottom-line.yaml",
        "  zone:\n    units: [LA-HO, LA-PH]\n    parts:\n      - zone: {hull_of: [muang-khoua, "
        "muang-ngoi], buffer_km: 12, clip_units: [LA-LP]}\n    within: [LAO]\n",
        "  polygon: {via: [tuy-hoa, pleiku, quy-nhon, cheo-reo], within: [VNM]}\n",
        "geometry:",
        "[geometry.polygon] the polygon through ['tuy-hoa', 'pleiku', 'quy-nhon', 'cheo-reo'] "
        "is not valid: Self-intersection",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_records_name_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    file, old, new, needle, message = MALFORMED[case]
    data, path = _broken(tmp_path, file, old, new)
    monkeypatch.setenv("ARMISTICE_DATA", str(data))
    error = data_error(AppTest.from_file(APP, default_timeout=60).run())
    line = _line_of(path, needle)
    # a YAML syntax error is where the parser noticed it: that line or the next
    found = re.search(rf"data/{re.escape(file)}:(\d+):", error)
    assert found, error
    assert int(found[1]) in ((line, line + 1) if "YAML" in message else (line,)), (line, error)
    assert message in error, error
    assert "Traceback" not in error


def test_a_record_that_is_not_text_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    (data / "proposals" / "zz-binary.yaml").write_bytes(b"id: x\n\x00\x01\x02 title")
    (data / "proposals" / "zz-latin1.yaml").write_bytes(b"id: zz-latin1\ntitle: Hu\xe9\n")
    (data / "outcomes" / "zz-empty.yaml").write_text("")
    (data / "cables" / "zz-list.yaml").write_text("- a\n- b\n")
    monkeypatch.setenv("ARMISTICE_DATA", str(data))
    error = data_error(AppTest.from_file(APP, default_timeout=60).run())
    assert "data/proposals/zz-binary.yaml: file is binary" in error
    assert "data/proposals/zz-latin1.yaml: not UTF-8 text" in error
    assert "data/outcomes/zz-empty.yaml:1: a record must be a mapping, got nothing" in error
    assert "data/cables/zz-list.yaml:1: a record must be a mapping, got list" in error


# ---------------------------------------------------------------------------------------
# uploads (empty, binary and undated files: tests/test_app_cables.py)

GOOD = (REPO / "tests" / "fixtures" / "cables" / "webpage_record_id.txt").read_bytes()
GOOD_ID = "990004"


def _upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, "text/plain") for name, data in files]).run()
    ok(at)
    return at


def _stored(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_huge_upload_is_refused_and_loses_nothing(_env: Path) -> None:  # noqa: F811
    at = _upload(run({"view": "cables"}), ("good.txt", GOOD))
    before = _stored(_env)
    assert list(before) == [f"{GOOD_ID}.txt"]
    huge = GOOD.replace(b"for now.", b"for now. " + b"x" * (MAX_BYTES + 1))
    changed = GOOD.replace(b"for now.", b"for now, and longer.")
    _upload(at, ("huge.txt", huge), (f"{GOOD_ID}.txt", changed))
    errors = [unescaped(e) for e in values(at, "error")]
    assert len(errors) == 1, errors
    assert "huge.txt" in errors[0] and "too large" in errors[0] and str(MAX_BYTES) in errors[0]
    assert "Nothing already stored was changed" in errors[0]
    (conflict,) = values(at, "warning")  # the other file asks before replacing
    assert "already stored" in conflict
    assert _stored(_env) == before  # no temporary files left behind either
    assert GOOD_ID in set(at.dataframe[0].value["Id"])


def test_markup_in_an_upload_is_escaped_in_every_message(_env: Path) -> None:  # noqa: F811
    evil = (
        GOOD.replace(b"Telegram, Example Committee", f"Telegram, {EVIL} Committee".encode())
        .replace(b"for now.", f"for now. {EVIL}".encode())
        .replace(b"about holding", f"about {EVIL} holding".encode())
        .replace(b"Translated for CWIHP", f"{EVIL} Translated for CWIHP".encode())
    )
    name = "<img src=x onerror=alert(1)> `x`.txt"
    at = _upload(run({"view": "cables"}), (name, evil))
    assert not at.error, values(at, "error")
    (success,) = values(at, "success")
    assert unescaped(success).startswith("Added `<img src=x onerror=alert(1)> 'x'.txt`")
    shown = [t for t in markdown_texts(at) if "PWNED" in t]
    assert len(shown) >= 3, shown  # the message, the heading, the summary, the citation
    for source in shown:
        assert_escaped(source)
    assert any(f"Telegram, {EVIL} Committee" in unescaped(t) for t in values(at, "subheader"))
    reader = next(str(h.value) for h in at.html if "aa-reader" in str(h.value))
    assert "<img" not in reader and "&lt;img src=x onerror=&quot;window.PWNED=2&quot;&gt;" in reader
    assert at.session_state[cables.PICK] == GOOD_ID
