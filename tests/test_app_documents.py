"""The Documents screen in AppTest: every source by date, the reader, and documents visitors
add (their session only; the shared library only when allowed; folder import only from the
operator's root). The rules themselves are unit-tested in tests/test_library.py."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_app import (  # the app's environment and the AppTest helpers
    app_cache,  # noqa: F401
    app_env,  # noqa: F401
    assert_no_server_path,
    last_map,
    new_app,
    ok,
    run,
    texts,
    unescaped,
    warnings,
)

from conftest import corpus_dir, require_corpus
from geo import Atlas
from geo.documents import MAX_BYTES
from ui import resources

GOOD = (
    b"June 21, 1954\nTelegram, Example Committee to Test Premier\n\n"
    b"The invented army should hold near Pleiku and Route 19 for now.\n"
)
GOOD_ID = "1954-06-21-telegram-example-committee-to-test-premier"
#: A visitor's copy that carries the number of an atlas record.
COPY = (
    b"Skip to content\n\nJune 26, 1954\n\nCable from Somebody, a visitor copy\n\n"
    b"The minimum is the 16th parallel, said the visitor copy near Hue.\n\n"
    b"Document Information\n\nPRC FMA 1. Translated by Nobody.\n\nRecord ID\n\n110145\n"
)


def telegram(n: int) -> bytes:
    return f"June {n}, 1954\nTelegram number {n} about Pleiku\n\nText {n}.\n".encode()


def table(at: AppTest) -> list[dict[str, str]]:
    (frame,) = at.dataframe
    records: list[dict[str, str]] = frame.value.to_dict("records")
    return records


def select_row(at: AppTest, title_part: str) -> AppTest:
    """Click the row whose title contains *title_part*."""
    (frame,) = at.dataframe
    titles = list(frame.value["Title"])
    (index,) = [i for i, t in enumerate(titles) if title_part in t]
    at.session_state[frame.key] = {"selection": {"rows": [index], "columns": []}}
    at.run()
    ok(at)
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    (uploader,) = at.file_uploader
    uploader.set_value([(name, data, "text/plain") for name, data in files]).run()
    ok(at)
    return at


def messages(at: AppTest) -> dict[str, list[str]]:
    return {
        kind: [unescaped(str(e.value)) for e in getattr(at, kind)]
        for kind in ("success", "info", "warning", "error")
    }


def reader_html(at: AppTest) -> str:
    full = [h.value for h in at.html if h.value.startswith('<div class="aa-doc-text">')]
    assert len(full) == 1, "one reader"
    return str(full[0])


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def stored(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != ".lock"}


@pytest.fixture
def user_dir(request: pytest.FixtureRequest) -> Path:
    """The shared library's folder (a temporary one, see test_app.app_env)."""
    folder: Path = request.getfixturevalue("app_env")
    return folder


@pytest.fixture
def cache_dir(request: pytest.FixtureRequest) -> Path:
    folder: Path = request.getfixturevalue("app_cache")
    return folder


def settings_changed(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(f"ARMISTICE_{name.upper()}", value)
    resources.settings.clear()


# ---------------------------------------------------------------------------------------
# the list and the reader


def test_the_list_holds_every_document_of_the_theater(atlas: Atlas) -> None:
    at = run({"view": "documents", "theater": "indochina"})
    rows = table(at)
    mine = sorted(
        (d for d in atlas.documents.values() if d.theater == "indochina"),
        key=lambda d: (d.date, d.id),
    )
    assert [r["Title"] for r in rows] == [d.title for d in mine]
    assert "agreement" in {r["Kind"] for r in rows}  # the signed agreements are sources too
    assert [r["Date"] for r in rows] == sorted(r["Date"] for r in rows)
    assert last_map_absent(at)
    at.button_group(key="aa_doc_filter").set_value("all").run()
    ok(at)
    assert len(table(at)) == len(atlas.documents)


def last_map_absent(at: AppTest) -> bool:
    return "aa_last_map" not in at.session_state


@pytest.mark.parametrize(
    "params",
    [
        {"view": "documents", "doc": "110145"},
        {"view": "cables", "cable": "110145"},
        {"doc": "110145"},
    ],
    ids=["doc", "older names", "no view"],
)
def test_a_document_link_opens_the_reader(atlas: Atlas, params: dict[str, str]) -> None:
    at = run(params)
    doc = atlas.documents["110145"]
    assert at.session_state["aa_view"] == "documents"
    assert at.session_state["aa_theater"] == "indochina"
    assert doc.title in [unescaped(s.value) for s in at.subheader]
    body = texts(at)
    assert "**Citation:** " + " ".join(doc.citation.split()) in body
    assert doc.url in body
    assert dict(at.query_params) == {"theater": "indochina", "view": "documents", "doc": "110145"}
    assert not warnings(at)


def test_a_row_opens_the_whole_text_with_marks(atlas: Atlas) -> None:
    require_corpus()
    at = run({"view": "documents", "theater": "indochina"})
    select_row(at, "Li Kenong")
    assert at.session_state["aa_doc"] == "110145" and at.query_params["doc"] == "110145"
    text = reader_html(at)
    corpus = resources.corpus(corpus_dir(), frozenset(atlas.documents))
    assert plain(text) == corpus.texts["110145"].body  # the whole text, nothing lost
    marks = re.findall(r'<mark class="aa-ev" data-line="([^"]+)">', text)
    supported = {ev.proposal for ev in atlas.documents["110145"].supports}
    assert set(marks) == supported  # every line it supports is marked
    assert 'data-place="pleiku"' in text  # places are links to the map
    assert "<script" not in text
    # the same targets as buttons beside it
    labels = {unescaped(b.label) for b in at.button}
    assert {atlas.lines[i].title for i in supported} <= labels
    assert "Pleiku" in labels


def test_an_agreement_without_full_text_says_so(atlas: Atlas) -> None:
    at = run({"view": "documents", "doc": "geneva-1954-vietnam-agreement"})
    body = texts(at)
    assert "The full text is not here." in body
    assert atlas.documents["geneva-1954-vietnam-agreement"].title in body
    assert "Lines it supports" in body


def test_the_reader_buttons_open_the_map(atlas: Atlas) -> None:
    at = run({"view": "documents", "doc": "110145"})
    at.button(key="aa_doc_line_vn-1954-drv-minimum").click().run()
    ok(at)
    assert at.session_state["aa_view"] == "map"
    assert last_map(at)["selected"] == "vn-1954-drv-minimum"
    at = run({"view": "documents", "doc": "110145"})
    at.button(key="aa_doc_place_pleiku").click().run()
    ok(at)
    assert at.session_state["aa_view"] == "map"
    assert last_map(at)["marker"]["label"] == atlas.places["pleiku"].label


def test_a_place_of_the_other_theater_switches_the_theater(atlas: Atlas) -> None:
    doc = next(d for p in atlas.places_in("korea") for d in p.documents if d in atlas.documents)
    at = run({"view": "documents", "theater": "indochina", "doc": doc})
    assert at.session_state["aa_theater"] == "indochina"
    korean = [b for b in at.button if (b.key or "").startswith("aa_doc_place_")]
    assert korean
    korean[0].click().run()
    ok(at)
    assert last_map(at)["theater"] == "korea" and last_map(at)["marker"] is not None


# ---------------------------------------------------------------------------------------
# the visitor's own documents


def test_an_upload_is_kept_in_the_session_only(user_dir: Path) -> None:
    at = run({"view": "documents", "theater": "indochina"})
    upload(at, ("good.txt", GOOD))
    said = messages(at)
    assert said["success"] == [
        "Added `good.txt`: “Telegram, Example Committee to Test Premier” (in this session only)."
    ]
    assert not said["error"]
    assert list(at.session_state["aa_docs"]) == [f"added:{GOOD_ID}"]
    rows = {r["Title"]: r for r in table(at)}
    assert rows["Telegram, Example Committee to Test Premier"]["Kind"] == "your document"
    assert at.session_state["aa_doc"] == f"session:{GOOD_ID}"  # the reader opens it
    assert "The invented army should hold near" in plain(reader_html(at))
    assert stored(user_dir) == {}  # nothing on the server's disk
    # a fresh uploader, so the same files are not added again on the next run
    assert [u.key for u in at.file_uploader] == ["aa_upload_1"]
    # another visitor does not see it
    other = run({"view": "documents", "theater": "indochina"})
    assert "Telegram, Example Committee to Test Premier" not in [r["Title"] for r in table(other)]
    assert other.session_state["aa_docs"] == {}


def test_bad_oversized_and_odd_files(user_dir: Path, tmp_path: Path) -> None:
    at = run({"view": "documents", "theater": "indochina"})
    odd = "..\\..\\etc/pass\u202ewd" + "a" * 40 + ".txt"
    upload(
        at,
        ("binary.txt", b"\x00\x01\x02binary"),
        ("empty.md", b""),
        ("undated.txt", b"A title\n\nSome text.\n"),
        ("big.txt", GOOD + b"x" * MAX_BYTES),
        (odd, telegram(3)),
        ("<img src=x onerror=alert(1)> `x`.txt", telegram(4)),
    )
    said = messages(at)
    errors = said["error"]
    assert len(errors) == 4, errors
    for name, reason in [
        ("binary.txt", "binary"),
        ("empty.md", "empty"),
        ("undated.txt", "no date"),
        ("big.txt", "too large"),
    ]:
        (line,) = [e for e in errors if e.startswith(f"`{name}` refused: ")]
        assert reason in line and line.endswith("Nothing else changed.")
    assert f"{MAX_BYTES:,}" in next(e for e in errors if "big.txt" in e)
    added = said["success"]
    assert len(added) == 2
    assert added[0].startswith("Added `passwd" + "a" * 40 + ".txt`")  # no folders, no RTL
    assert added[1].startswith("Added `<img src=x onerror=alert(1)> 'x'.txt`")
    assert len(at.session_state["aa_docs"]) == 2 and stored(user_dir) == {}
    for message in [*errors, *added]:
        assert "\u202e" not in message and "etc/" not in message
    assert_no_server_path(at, tmp_path, user_dir)


def test_a_copy_of_an_atlas_record_is_listed_beside_it(atlas: Atlas) -> None:
    at = run({"view": "documents", "theater": "indochina"})
    upload(at, ("110145.txt", COPY))
    said = messages(at)
    assert said["info"] == [
        "`110145.txt` carries the number of the atlas record `110145`; it is listed as your "
        "copy, beside it."
    ]
    titles = [r["Title"] for r in table(at)]
    assert atlas.documents["110145"].title in titles
    assert "Cable from Somebody, a visitor copy" in titles
    assert at.session_state["aa_doc"] == "session:110145"
    assert "same number as the atlas record 110145" in texts(at)
    # the record keeps its own text and citation
    select_row(at, "Li Kenong")
    assert at.session_state["aa_doc"] == "110145"
    body = texts(at)
    assert "**Citation:** " + " ".join(atlas.documents["110145"].citation.split()) in body
    if corpus_dir() is not None:
        assert "said the visitor copy" not in reader_html(at)
        assert "the minimum is the 16th parallel" in plain(reader_html(at))
    # and every other screen still shows the record, not the copy
    at.button_group(key="aa_view").set_value("map").run()
    at.selectbox(key="aa_pick").select("vn-1954-drv-minimum").run()
    assert "visitor copy" not in texts(at)


def test_removing_your_own_document() -> None:
    at = run({"view": "documents", "theater": "indochina"})
    upload(at, ("good.txt", GOOD), ("three.txt", telegram(3)))
    assert at.session_state["aa_doc"] == "session:1954-06-03-telegram-number-3-about-pleiku"
    at.button(key="aa_doc_remove").click().run()
    ok(at)
    assert messages(at)["info"] == ["Removed your document."]
    assert list(at.session_state["aa_docs"]) == [f"added:{GOOD_ID}"]
    assert at.session_state["aa_doc"] is None and "doc" not in at.query_params
    assert "Telegram number 3 about Pleiku" not in [r["Title"] for r in table(at)]


def test_the_session_limits_refuse_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    settings_changed(monkeypatch, session_docs="2")
    at = run({"view": "documents", "theater": "indochina"})
    upload(at, ("1.txt", telegram(1)), ("2.txt", telegram(2)), ("3.txt", telegram(3)))
    (error,) = messages(at)["error"]
    assert error.startswith("`3.txt` refused: you have added 2 documents")
    assert "remove one first" in error and len(at.session_state["aa_docs"]) == 2


def test_a_document_link_of_another_session_warns() -> None:
    at = run({"view": "documents", "theater": "indochina"})
    upload(at, ("good.txt", GOOD))
    link = dict(at.query_params)
    assert link["doc"] == f"session:{GOOD_ID}"
    other = run(link)
    assert [w for w in warnings(other) if w.startswith("URL parameter `doc=session:")]
    assert other.session_state["aa_doc"] is None


# ---------------------------------------------------------------------------------------
# the shared library


def test_in_public_mode_nobody_writes_the_library(user_dir: Path) -> None:
    at = run({"view": "documents"})
    assert not at.radio and not at.text_input  # no choice, no token field
    upload(at, ("good.txt", GOOD))
    assert stored(user_dir) == {}


def test_in_local_mode_the_library_is_written_as_id_txt(
    user_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_changed(monkeypatch, mode="local")
    at = run({"view": "documents"})
    at.radio(key="aa_doc_target").set_value("library").run()
    upload(at, ("whatever-name.txt", GOOD))
    assert messages(at)["success"] == [
        "Added `whatever-name.txt`: “Telegram, Example Committee to Test Premier” (in the "
        "shared library)."
    ]
    assert stored(user_dir) == {f"{GOOD_ID}.txt": GOOD}
    assert at.session_state["aa_docs"] == {}
    # everyone sees it
    other = run({"view": "documents", "theater": "indochina"})
    row = next(r for r in table(other) if r["Title"].startswith("Telegram, Example"))
    assert row["Kind"] == "shared library"

    # a different copy is a conflict: nothing changes until the visitor answers
    changed = GOOD.replace(b"for now.", b"for now, and longer.")
    upload(at, ("again.txt", changed))
    (question,) = messages(at)["warning"]
    assert "A different copy of `again.txt` is already in the shared library" in question
    assert stored(user_dir) == {f"{GOOD_ID}.txt": GOOD}
    at.button(key="aa_doc_keep").click().run()
    assert stored(user_dir) == {f"{GOOD_ID}.txt": GOOD}
    assert messages(at)["info"] == ["Kept the stored copy; `again.txt` was not added."]
    upload(at, ("again.txt", changed))
    at.button(key="aa_doc_replace").click().run()
    ok(at)
    assert stored(user_dir) == {f"{GOOD_ID}.txt": changed}
    assert not [p for p in user_dir.iterdir() if p.name.startswith(".incoming-")]


def test_a_library_document_has_a_working_link(
    user_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_changed(monkeypatch, mode="local")
    at = run({"view": "documents"})
    at.radio(key="aa_doc_target").set_value("library").run()
    upload(at, ("good.txt", GOOD))
    link = dict(at.query_params)
    assert link["doc"] == f"library:{GOOD_ID}"
    again = run(link)
    assert warnings(again) == []
    assert again.session_state["aa_doc"] == f"library:{GOOD_ID}"


def test_the_operator_token_opens_the_library(
    user_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_changed(monkeypatch, mode="public", operator_token="s3cret-token")
    at = run({"view": "documents"})
    assert not at.radio
    at.text_input(key="w_token").input("wrong").run()
    ok(at)
    assert not at.radio
    at.text_input(key="w_token").input("s3cret-token").run()
    ok(at)
    assert not at.text_input  # the field is gone once the token is right
    at.radio(key="aa_doc_target").set_value("library").run()
    upload(at, ("good.txt", GOOD))
    assert stored(user_dir) == {f"{GOOD_ID}.txt": GOOD}
    assert "s3cret-token" not in texts(at)
    # another visitor, without the token, reads it but cannot remove it
    other = run({"view": "documents", "doc": f"library:{GOOD_ID}"})
    assert not [b for b in other.button if b.key == "aa_doc_remove"]


def test_a_non_ascii_token_is_just_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    settings_changed(monkeypatch, mode="public", operator_token="s3cret-token")
    at = run({"view": "documents"})
    at.text_input(key="w_token").input("sécret").run()
    ok(at)
    assert not at.radio


def test_stale_incoming_folders_are_removed_at_start(user_dir: Path) -> None:
    (user_dir / ".incoming-crashed" / "x").mkdir(parents=True)
    (user_dir / "kept.txt").write_bytes(GOOD)
    from ui import library

    library.clean_stale(user_dir)  # what the app runs once per process, for its folder
    assert sorted(p.name for p in user_dir.iterdir()) == ["kept.txt"]
    at = run({"view": "documents", "theater": "indochina"})
    assert "Telegram, Example Committee to Test Premier" in [r["Title"] for r in table(at)]


# ---------------------------------------------------------------------------------------
# folder import


@pytest.fixture
def import_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(
        b"June 9, 1954\nTelegram from outside the import root\n\nNot to be read.\n"
    )
    root = tmp_path / "import-root"
    (root / "batch").mkdir(parents=True)
    (root / "good.txt").write_bytes(GOOD)
    (root / "bad.txt").write_bytes(b"no date in here\n")
    (root / "big.txt").write_bytes(b"x" * (MAX_BYTES + 1))
    (root / "link.txt").symlink_to(outside / "secret.txt")
    (root / "away").symlink_to(outside)
    (root / "batch" / "two.txt").write_bytes(telegram(2))
    settings_changed(monkeypatch, import_root=str(root))
    return root


def test_folder_import_takes_the_good_files_and_names_the_bad(
    import_root: Path, tmp_path: Path, user_dir: Path
) -> None:
    at = run({"view": "documents", "theater": "indochina"})
    pick = at.selectbox(key="aa_import_pick")
    assert pick.options == ["(the main folder)", "batch"]  # not the link out, no path
    at.button(key="aa_import_go").click().run()
    ok(at)
    said = messages(at)
    assert said["success"] == [
        "Added `good.txt`: “Telegram, Example Committee to Test Premier” (in this session only)."
    ]
    assert sorted(e.split("`")[1] for e in said["error"]) == ["bad.txt", "big.txt"]
    assert "outside the import root" not in texts(at)
    assert list(at.session_state["aa_docs"]) == [f"added:{GOOD_ID}"]
    pick = at.selectbox(key="aa_import_pick")
    pick.set_value("batch").run()
    at.button(key="aa_import_go").click().run()
    assert "Telegram number 2 about Pleiku" in [r["Title"] for r in table(at)]
    assert stored(user_dir) == {}
    assert_no_server_path(at, tmp_path, import_root, user_dir)


def test_without_an_import_root_there_is_no_folder_import() -> None:
    at = run({"view": "documents"})
    assert not [s for s in at.selectbox if s.key == "aa_import_pick"]


# ---------------------------------------------------------------------------------------
# no path, anywhere on the screen


def test_the_documents_screen_never_names_a_server_folder(
    user_dir: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_changed(monkeypatch, mode="local")
    user_dir.mkdir()
    (user_dir / "broken.txt").write_bytes(b"\x00\x01\x02")
    at = new_app({"view": "documents", "theater": "indochina"}).run()
    ok(at)
    (problem,) = [w for w in warnings(at) if "could not be read" in w]
    assert "broken.txt" in problem
    at.radio(key="aa_doc_target").set_value("library").run()
    upload(at, ("good.txt", GOOD), ("bad.txt", b"no date\n"))
    select_row(at, "Li Kenong")
    paths = [tmp_path, user_dir, cache_dir]
    corpus = corpus_dir()
    if corpus is not None:
        paths.append(corpus)  # its files are named, never its folder
    assert_no_server_path(at, *paths)
