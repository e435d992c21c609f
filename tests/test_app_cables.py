"""The Cables screen (ui/cables.py) and the documents a user adds (ui/userdata.py).

AppTest runs the real app in-process. Every test keeps added documents in its own
``tmp_path`` through ``$ARMISTICE_USER_DATA``; nothing is written to the user's home.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import geo
from geo.cables import MAX_BYTES, Mention

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # ui/ is not an installed package; the app runs from the repo
    sys.path.insert(0, str(REPO))

from test_app import ok, run  # noqa: E402  (one way to run the app in AppTest)

from ui import cables, userdata  # noqa: E402
from ui import state as S  # noqa: E402
from ui.state import Catalog, LineInfo, PlaceInfo  # noqa: E402

APP = str(REPO / "app.py")
CORPUS = REPO.parent / "shared" / "corpus"
LI_KENONG = "110145"  # Geneva, 26 June 1954: the DRV's three lines
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no cable corpus at {CORPUS}")

#: A short synthetic document in the archive's web-page layout (invented, not archival).
GOOD_ID = "990101"
GOOD = b"""Skip to content

July 2, 1954

Telegram, Example Front Command to Test Delegation

Example Front Command to the Test Delegation:

Our forces near Pleiku will hold the road along Route 19 until the talks settle
the question of the 16th parallel. Do not move toward Hue.

Example Front Command
July 2

A synthetic telegram written for the Armistice Atlas tests about positions near Pleiku.

Document Information


Invented for the test suite. Translated for nobody by Test Person.


Original Uploaded Date



Record ID

990101
"""
NO_DATE = (REPO / "tests" / "fixtures" / "cables" / "bad_no_date.md").read_bytes()
BINARY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


# ---------------------------------------------------------------------------------------
# helpers


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The shared corpus (when there is one) and an empty user folder per test."""
    monkeypatch.delenv("ARMISTICE_DATA", raising=False)
    if CORPUS.is_dir():
        monkeypatch.setenv("ARMISTICE_CORPUS", str(CORPUS))
    else:
        monkeypatch.delenv("ARMISTICE_CORPUS", raising=False)
    user = tmp_path / "user-cables"
    monkeypatch.setenv(userdata.ENV, str(user))
    return user


@pytest.fixture
def user_dir(_env: Path) -> Path:
    return _env


def text(at: AppTest) -> str:
    """All text the app wrote (markdown escapes removed)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "subheader", "info", "warning", "error", "success"):
        parts.extend(str(el.value) for el in getattr(at, kind))
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


def messages(at: AppTest, kind: str) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", str(el.value)) for el in getattr(at, kind)]


def listed(at: AppTest) -> Any:
    """The documents table (a pandas DataFrame)."""
    (frame,) = at.dataframe
    return frame.value


def reader(at: AppTest) -> str:
    found = [h.value for h in at.html if "aa-reader" in h.value]
    assert len(found) <= 1
    return found[0] if found else ""


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, "text/plain") for name, data in files]).run()
    ok(at)
    return at


def stored(folder: Path) -> dict[str, bytes]:
    """Every file in the user folder, hidden ones included (no temporary leftovers)."""
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir()}


# ---------------------------------------------------------------------------------------
# the list and the reader


def test_list_shows_every_cable_in_date_order() -> None:
    at = run({"view": "cables"})
    assert not at.warning and not at.error
    frame = listed(at)
    atlas = geo.load_atlas()
    expected = sorted(atlas.cables.values(), key=lambda c: (c.date, c.id))
    assert list(frame["Id"]) == [c.id for c in expected]
    assert len(frame) == 5
    assert list(frame["Date"]) == sorted(frame["Date"])
    assert set(frame["Added by you"]) == {""}
    row = frame.set_index("Id").loc[LI_KENONG]
    assert row["Language"] == "Chinese"
    assert "DRV minimum: the 16th parallel" in row["Lines it supports"]
    assert "Li Kenong" in row["From → to"]
    if CORPUS.is_dir():
        assert set(frame["Full text"]) == {"yes"}
    assert not reader(at)  # no document chosen yet

    at.button_group(key=cables.FILTER).set_value("korea").run()
    ok(at)
    assert set(listed(at)["Theater"]) == {"Korea"}
    assert len(listed(at)) == 3


@needs_corpus
def test_deep_link_opens_the_reader_with_places_and_evidence() -> None:
    at = run({"view": "cables", "cable": LI_KENONG})
    assert not at.warning
    assert at.session_state["aa_theater"] == "indochina"  # inferred from the cable
    assert at.query_params["cable"] == LI_KENONG
    assert at.selectbox(key=cables.PICK).value == LI_KENONG
    html = reader(at)
    cheo = '<a class="aa-place" href="?theater=indochina&amp;place=cheo-reo"'
    assert cheo in html
    link = html[html.index(cheo) :]
    assert link[link.index(">") + 1 : link.index("</a>")] == "Jiao-yao [sic]"
    # the evidence phrase is marked, its words link to the line, and the place stays a link
    start = html.index('<mark class="aa-ev" data-line="vn-1954-drv-maximum">')
    mark = html[start : html.index("</mark>", start)]
    assert cheo in mark
    assert 'href="?theater=indochina&amp;line=vn-1954-drv-maximum"' in mark
    assert "maximum [goal] is the line from " in mark
    assert '<mark class="aa-ev" data-line="vn-1954-drv-minimum">' in html
    body = text(at)
    assert "PRC FMA 206-00046-34" in body
    assert "the minimum is the 16th parallel" in body  # listed beside its line's button
    assert "Full text, from the corpus folder" in body


def test_a_bad_cable_id_warns_and_shows_the_list() -> None:
    at = run({"view": "cables", "cable": "no-such-cable"})
    (warning,) = messages(at, "warning")
    assert "`cable=no-such-cable`" in warning and "no cable" in warning
    assert at.session_state["aa_view"] == "cables"
    assert len(listed(at)) == 5
    assert not reader(at)
    assert "cable" not in at.query_params


def test_a_cable_link_without_view_opens_the_cables_screen() -> None:
    at = run({"cable": "113006"})
    assert at.session_state["aa_view"] == "cables"
    assert at.session_state["aa_theater"] == "korea"
    assert at.query_params["view"] == "cables"


@needs_corpus
def test_clicking_a_place_opens_the_map_on_it() -> None:
    # the link says Korea; the place is in Indochina: the map switches theater
    at = run({"theater": "korea", "view": "cables", "cable": LI_KENONG})
    at.button(key="aa_cbl_place_cheo-reo").click().run()
    ok(at)
    place = geo.load_atlas().places["cheo-reo"]
    assert at.session_state["aa_view"] == "map"
    assert at.session_state["aa_theater"] == "indochina"
    options = at.session_state["aa_last_map"]
    assert options.theater == "indochina"
    assert options.center == (place.lat, place.lon)
    assert options.zoom == S.PLACE_ZOOM
    assert at.query_params["place"] == "cheo-reo"
    assert "cable" not in at.query_params  # the cable belongs to the Cables screen's URL
    # back on the Cables screen the same document is still open
    at.button_group(key="aa_view").set_value("cables").run()
    ok(at)
    assert "Jiao-yao [sic]" in reader(at)


def test_clicking_an_evidence_button_selects_the_line() -> None:
    at = run({"view": "cables", "cable": LI_KENONG})
    at.button(key="aa_cbl_line_vn-1954-drv-minimum").click().run()
    ok(at)
    assert at.session_state["aa_view"] == "map"
    assert at.session_state["aa_last_map"].selected == "vn-1954-drv-minimum"
    assert at.query_params["line"] == "vn-1954-drv-minimum"
    assert "DRV minimum: the 16th parallel" in [s.value for s in at.subheader]


def test_without_the_text_the_reader_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "no-corpus"
    empty.mkdir()
    monkeypatch.setenv("ARMISTICE_CORPUS", str(empty))
    at = run({"view": "cables", "cable": LI_KENONG})
    assert not reader(at)
    body = text(at)
    assert "full text is not available" in body
    assert "PRC FMA 206-00046-34" in body  # the citation
    assert "Pham Van Dong ranks three lines" in body  # our summary
    assert any(
        "digitalarchive.wilsoncenter.org/document/110145" in m for m in messages(at, "markdown")
    )
    assert set(listed(at)["Full text"]) == {"no"}
    # the lines and places are still buttons to the map
    assert at.button(key="aa_cbl_line_vn-1954-drv-maximum")
    assert at.button(key="aa_cbl_place_cheo-reo")


# ---------------------------------------------------------------------------------------
# adding documents


def test_uploading_a_good_file_stores_and_lists_it(user_dir: Path) -> None:
    at = upload(run({"view": "cables"}), ("my telegram.txt", GOOD))
    assert stored(user_dir) == {f"{GOOD_ID}.txt": GOOD}
    (success,) = messages(at, "success")
    assert "my telegram.txt" in success and GOOD_ID in success
    assert not at.error
    frame = listed(at).set_index("Id")
    assert len(frame) == 6
    row = frame.loc[GOOD_ID]
    assert row["Added by you"] == "added by you"
    assert row["Theater"] == "Indochina"  # from the places it names
    assert row["Full text"] == "yes (added by you)"
    assert "DRV minimum: the 16th parallel" in row["Lines it supports"]
    # it opens in the reader, and its mentions link to the map
    assert at.query_params["cable"] == GOOD_ID
    html = reader(at)
    assert '<a class="aa-place" href="?theater=indochina&amp;place=pleiku"' in html
    assert 'href="?theater=indochina&amp;line=vn-1954-drv-maximum"' in html  # "Route 19"
    assert at.file_uploader[0].value in (None, [])  # a fresh uploader for the next files

    # a new session (another tab, or after a restart) sees it, and can link to it
    again = run({"cable": GOOD_ID})
    assert not again.warning
    assert again.session_state["aa_view"] == "cables"
    assert "Example Front Command" in reader(again)
    again.button(key="aa_cbl_place_pleiku").click().run()
    ok(again)
    assert again.query_params["place"] == "pleiku"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("picture.txt", BINARY, "binary file"),
        ("empty.txt", b"  \n\n", "empty file"),
        ("undated.md", NO_DATE, "no date found"),
    ],
)
def test_a_bad_upload_is_refused_and_loses_nothing(
    user_dir: Path, name: str, data: bytes, reason: str
) -> None:
    at = upload(run({"view": "cables"}), ("good.txt", GOOD))
    before = stored(user_dir)
    assert list(before) == [f"{GOOD_ID}.txt"]
    upload(at, (name, data))
    (error,) = messages(at, "error")
    assert name in error and reason in error
    assert "Nothing already stored was changed" in error
    assert stored(user_dir) == before  # no temporary files left behind either
    assert GOOD_ID in set(listed(at)["Id"])


def test_good_and_bad_files_in_one_upload(user_dir: Path) -> None:
    at = upload(run({"view": "cables"}), ("a.txt", b""), ("good.txt", GOOD), ("b.md", NO_DATE))
    errors = messages(at, "error")
    assert len(errors) == 2
    assert any("a.txt" in e and "empty file" in e for e in errors)
    assert any("b.md" in e and "no date found" in e for e in errors)
    assert list(stored(user_dir)) == [f"{GOOD_ID}.txt"]


def test_a_different_copy_is_only_replaced_when_asked(user_dir: Path) -> None:
    changed = GOOD.replace(b"Do not move toward Hue.", b"Move toward Hue at once.")
    at = upload(run({"view": "cables"}), ("good.txt", GOOD))
    upload(at, ("same.txt", GOOD))
    assert any("already stored" in m for m in messages(at, "info"))
    upload(at, ("changed.txt", changed))
    assert stored(user_dir) == {f"{GOOD_ID}.txt": GOOD}
    (warning,) = messages(at, "warning")
    assert "changed.txt" in warning and "already stored" in warning
    at.button(key="aa_user_keep").click().run()
    ok(at)
    assert stored(user_dir) == {f"{GOOD_ID}.txt": GOOD}
    assert not at.warning

    upload(at, ("changed.txt", changed))
    at.button(key="aa_user_replace").click().run()
    ok(at)
    assert stored(user_dir) == {f"{GOOD_ID}.txt": changed}
    assert "Move toward Hue at once." in re.sub(r"<[^>]+>", "", reader(at))


def test_folder_import_takes_the_good_files_and_warns_about_the_bad(
    user_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "my folder"
    source.mkdir()
    (source / "1-good.txt").write_bytes(GOOD)
    shutil.copy(REPO / "tests/fixtures/cables/markdown_split_title.md", source / "2-good.md")
    (source / "3-undated.md").write_bytes(NO_DATE)
    (source / "4-picture.txt").write_bytes(BINARY)
    (source / "readme.pdf").write_bytes(b"%PDF")
    at = run({"view": "cables"})
    at.text_input(key=cables.FOLDER_INPUT).input(str(source))
    at.button(key="aa_user_import").click().run()
    ok(at)
    assert sorted(stored(user_dir)) == ["990001.md", f"{GOOD_ID}.txt"]
    warnings = messages(at, "warning")
    assert "2 of 4" in warnings[0] and "2 could not be imported" in warnings[0]
    assert any("3-undated.md" in w and "no date found" in w for w in warnings)
    assert any("4-picture.txt" in w and "binary" in w for w in warnings)
    assert {GOOD_ID, "990001"} <= set(listed(at)["Id"])


def test_folder_import_of_a_missing_folder_says_so(tmp_path: Path) -> None:
    at = run({"view": "cables"})
    at.text_input(key=cables.FOLDER_INPUT).input(str(tmp_path / "nowhere"))
    at.button(key="aa_user_import").click().run()
    ok(at)
    (error,) = messages(at, "error")
    assert "nowhere" in error and "folder not found" in error


@needs_corpus
def test_an_uploaded_corpus_file_attaches_its_text_to_the_record(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, user_dir: Path
) -> None:
    empty = tmp_path / "no-corpus"
    empty.mkdir()
    monkeypatch.setenv("ARMISTICE_CORPUS", str(empty))
    corpus_file = next(p for p in sorted(CORPUS.iterdir()) if LI_KENONG in p.read_text())
    at = upload(run({"view": "cables"}), (corpus_file.name, corpus_file.read_bytes()))
    assert list(stored(user_dir)) == [f"{LI_KENONG}{corpus_file.suffix}"]
    frame = listed(at).set_index("Id")
    assert len(frame) == 5  # no second row: the text went to the atlas record
    assert frame.loc[LI_KENONG, "Full text"] == "yes (added by you)"
    assert "Jiao-yao [sic]" in reader(at)
    # and the Map screen's panel shows it too
    panel = run({"theater": "indochina", "line": "vn-1954-drv-minimum"})
    marked = [h.value for h in panel.html if 'class="aa-cable-text"' in h.value]
    assert marked and '<mark class="aa-ev">the minimum is the 16th parallel</mark>' in marked[0]


def test_markup_in_an_added_document_is_shown_as_text(user_dir: Path) -> None:
    evil = GOOD.replace(
        b"Do not move toward Hue.",
        b'<script>alert(1)</script><img src=x onerror="alert(2)"> near Hue',
    )
    at = upload(run({"view": "cables"}), ("evil.txt", evil))
    html = reader(at)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ---------------------------------------------------------------------------------------
# the pieces, without Streamlit


def _catalog() -> Catalog:
    line = LineInfo("v-16", "16th", "indochina", "line", "fallback", "proposal", "drv", "DRV", None)
    ref = LineInfo("r-16", "ref", "indochina", "line", "reference", "proposal", "", "", None)
    places = {"hue": PlaceInfo("hue", "Hue", "Hue", "indochina", 16.46, 107.6)}
    return Catalog({"v-16": line, "r-16": ref}, places, {"c1": "indochina", "c2": ""})


def _m(kind: str, ref: str, text: str, whole: str) -> Mention:
    start = whole.index(text)
    return Mention(kind, ref, text, start, start + len(text), False)


def test_marked_html_escapes_and_nests() -> None:
    body = "<b>Hold</b> the line north of Hue & the 16th parallel."
    phrase = "the line north of Hue"
    html = cables.marked_html(
        body,
        [_m("proposal", "v-16", phrase, body)],
        [_m("place", "hue", "Hue", body)],
        _catalog(),
    )
    assert html.startswith("&lt;b&gt;Hold&lt;/b&gt; <mark")
    assert "&amp; the 16th parallel." in html
    mark = html[html.index("<mark") : html.index("</mark>")]
    assert '<a class="aa-place" href="?theater=indochina&amp;place=hue"' in mark
    assert mark.count('href="?theater=indochina&amp;line=v-16"') == 1  # before Hue only
    assert re.sub(r"<[^>]+>", "", html) == (
        body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )


def test_marked_html_prefers_a_proposal_over_a_reference_and_drops_straddling_places() -> None:
    body = "the 16th parallel at Hue"
    span = "16th parallel"
    html = cables.marked_html(
        body,
        [_m("proposal", "r-16", span, body), _m("proposal", "v-16", span, body)],
        [_m("place", "hue", "parallel at Hue", body), _m("place", "nowhere", "the", body)],
        _catalog(),
        line_class="aa-term",
    )
    assert 'data-line="v-16"' in html and 'data-line="r-16"' not in html
    assert "aa-place" not in html  # straddles the mark; unknown ids are ignored


def test_parse_params_reads_the_cable_parameter() -> None:
    state, warns = S.parse_params({"cable": "c1"}, _catalog())
    assert (state.theater, state.view, state.cable, warns) == ("indochina", "cables", "c1", [])
    assert S.to_params(state) == {"theater": "indochina", "view": "cables", "cable": "c1"}
    state, warns = S.parse_params({"view": "cables", "cable": "c9"}, _catalog())
    assert state.cable is None and [w.param for w in warns] == ["cable"]
    assert "`cable=c9`" in str(warns[0])
    state, _ = S.parse_params({"cable": "c2"}, _catalog())  # theater unknown: the default
    assert state.theater == S.DEFAULT_THEATER and state.cable == "c2"
    assert "cable" not in S.to_params(S.ViewState(view="map", cable="c1"))


def test_store_refuses_big_files_without_writing(tmp_path: Path) -> None:
    atlas = geo.load_atlas()
    folder = tmp_path / "user"
    out = userdata.store(folder, "big.txt", GOOD + b" " * MAX_BYTES, atlas)
    assert out.status == userdata.REFUSED and "too large" in out.reason
    assert stored(folder) == {}
    out = userdata.store(folder, "notes.pdf", GOOD, atlas)  # the uploader stops these too
    assert out.status == userdata.REFUSED and "not a .txt or .md file" in out.reason
    out = userdata.store(folder, "../../etc/sneaky.txt", GOOD, atlas)
    assert (out.name, out.status, out.stored) == ("sneaky.txt", userdata.ADDED, "990101.txt")
    assert stored(folder) == {"990101.txt": GOOD}
    assert stored(tmp_path.parent / "etc") == {}


def test_user_dir_default_and_environment(tmp_path: Path) -> None:
    assert userdata.user_dir({}) == Path.home() / ".local/share/armistice-atlas/cables"
    assert userdata.user_dir({userdata.ENV: "  "}) == userdata.user_dir({})
    assert userdata.user_dir({userdata.ENV: str(tmp_path)}) == tmp_path
