"""Documents visitors add (ui.library): the public-safety design of its docstring.

An upload lives in its visitor's session only and never stands in for an atlas record; the
shared library is written only when allowed, atomically, one ``<id>.txt`` per document;
folder import reads only inside the operator's root and never follows a link out; every
store has limits; file names are cleaned; no message names a server path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo import Atlas
from geo.documents import MAX_BYTES
from geo.settings import Settings
from ui import library
from ui.library import ADDED, CONFLICT, REFUSED, REPLACED, SAME, AddedDoc, Library
from ui.text import code

PLEIKU = b"The invented army should hold near Pleiku and Route 19 for now.\n"


def document(
    title: str = "Telegram, Example Committee to Test Premier",
    *,
    day: str = "June 21, 1954",
    body: bytes = PLEIKU,
    record_id: str | None = None,
) -> bytes:
    """A small archive text (plain layout; the web-page layout when it carries a record id)."""
    if record_id is None:
        return f"{day}\n{title}\n\n".encode() + body
    return (
        f"Skip to content\n\n{day}\n\n{title}\n\n".encode()
        + body
        + f"\nDocument Information\n\nPRC FMA 1. Translated by Nobody.\n\nRecord ID\n\n"
        f"{record_id}\n".encode()
    )


GOOD = document()
GOOD_ID = "1954-06-21-telegram-example-committee-to-test-premier"


def settings(tmp_path: Path, **env: str) -> Settings:
    base = {
        "ARMISTICE_USER_DATA": str(tmp_path / "library"),
        "ARMISTICE_CACHE": str(tmp_path / "cache"),
    }
    return Settings.from_env(base | {f"ARMISTICE_{k.upper()}": v for k, v in env.items()})


def no_path(messages: list[str], *paths: Path) -> None:
    """No message names a server folder (nor the last part of one)."""
    for message in messages:
        for path in paths:
            assert str(path) not in message, message
            assert str(path.resolve()) not in message, message


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# ---------------------------------------------------------------------------------------
# the visitor's own documents


def test_an_upload_stays_in_its_session(atlas: Atlas, tmp_path: Path) -> None:
    s = settings(tmp_path)
    mine: dict[str, AddedDoc] = {}
    theirs: dict[str, AddedDoc] = {}
    outcome = library.add_to_session(mine, atlas, "good.txt", GOOD, s)
    assert outcome.status == ADDED and outcome.reason == ""
    doc = outcome.doc
    assert doc is not None and mine == {doc.key: doc} and theirs == {}
    assert doc.key == f"added:{GOOD_ID}" and doc.origin == "session" and doc.record == ""
    assert doc.name == "good.txt" and doc.size == len(GOOD)
    assert doc.theater == "indochina"  # Pleiku and Route 19 are in Indochina
    assert "pleiku" in doc.places and "vn-1954-drv-maximum" in doc.lines
    assert not s.user_dir.exists()  # nothing reached the disk


def test_the_same_file_twice_changes_nothing_and_a_new_version_replaces(
    atlas: Atlas, tmp_path: Path
) -> None:
    s = settings(tmp_path)
    store: dict[str, AddedDoc] = {}
    library.add_to_session(store, atlas, "good.txt", GOOD, s)
    again = library.add_to_session(store, atlas, "copy.txt", GOOD, s)
    assert again.status == SAME and len(store) == 1
    changed = document(body=PLEIKU + b"And more.\n")
    newer = library.add_to_session(store, atlas, "good.txt", changed, s)
    assert newer.status == REPLACED and len(store) == 1
    assert store[f"added:{GOOD_ID}"].document.body.endswith("And more.")


def test_an_upload_carrying_a_records_id_is_kept_beside_the_record(
    atlas: Atlas, tmp_path: Path
) -> None:
    record = atlas.documents["110145"]
    before = (record.title, record.summary, record.citation)
    copy = document("Cable from Somebody, a visitor copy", day="June 26, 1954", record_id="110145")
    store: dict[str, AddedDoc] = {}
    outcome = library.add_to_session(store, atlas, "110145.txt", copy, settings(tmp_path))
    assert outcome.status == ADDED and outcome.doc is not None
    added = outcome.doc
    assert added.document.id == "110145" and added.record == "110145"
    assert added.key == "added:110145" and added.key not in atlas.documents
    assert added.theater == record.theater  # the record says where it belongs
    assert (record.title, record.summary, record.citation) == before  # never replaced
    assert atlas.documents["110145"] is record


def test_guessing_the_theater(atlas: Atlas) -> None:
    assert library.guess_theater(atlas, "They met at Kaesong and Panmunjom.") == "korea"
    assert library.guess_theater(atlas, "Pleiku, Hue and Tuy Hoa.") == "indochina"
    assert library.guess_theater(atlas, "Nothing about any place at all.") == ""


def test_session_limits_refuse_clearly(atlas: Atlas, tmp_path: Path) -> None:
    s = settings(tmp_path, session_docs="2", session_bytes="100000")
    store: dict[str, AddedDoc] = {}
    for i in range(2):
        out = library.add_to_session(store, atlas, f"d{i}.txt", document(f"Telegram number {i}"), s)
        assert out.status == ADDED
    third = library.add_to_session(store, atlas, "d2.txt", document("Telegram number 2"), s)
    assert third.status == REFUSED and len(store) == 2
    assert "2 documents" in third.reason and "remove one first" in third.reason

    store.clear()
    body = b"Words about Pleiku. " * 3000  # 60,000 bytes
    assert (
        library.add_to_session(store, atlas, "a.txt", document("A", body=body), s).status == ADDED
    )
    big = library.add_to_session(store, atlas, "b.txt", document("B", body=body), s)
    assert big.status == REFUSED and "100,000 bytes" in big.reason and len(store) == 1

    huge = document("Huge", body=b"x" * (MAX_BYTES + 1))
    out = library.add_to_session({}, atlas, "huge.txt", huge, settings(tmp_path))
    assert out.status == REFUSED
    assert "too large" in out.reason and f"{MAX_BYTES:,}" in out.reason


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("binary.txt", b"\x00\x01\x02\x03 June 21, 1954", "binary"),
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\n  ", "empty"),
        ("undated.txt", b"A title\n\nSome text without any date.\n", "no date"),
        ("cable.pdf", GOOD, "not a .txt or .md file"),
        ("cable.txt.exe", GOOD, "not a .txt or .md file"),
        ("cable", GOOD, "not a .txt or .md file"),
        ("latin1.txt", "June 21, 1954\nHué telegram\n\nAbout Hué.\n".encode("latin-1"), ""),
    ],
)
def test_a_bad_file_is_refused_with_its_reason(
    atlas: Atlas, tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    store: dict[str, AddedDoc] = {}
    out = library.add_to_session(store, atlas, name, data, settings(tmp_path))
    if not reason:  # decoded with a note, not refused
        assert out.status == ADDED and out.doc is not None and out.doc.notes
        return
    assert out.status == REFUSED and reason in out.reason and store == {}
    no_path([out.reason], tmp_path)


ODD_NAMES = {
    "NUL": "good\x00.txt",
    "dot-dot": "../../../../etc/passwd.txt",
    "backslashes": "..\\..\\Windows\\system32\\good.txt",
    "absolute": "/srv/armistice/secret/good.txt",
    "RTL override": "report\u202etxt.exe.txt",
    "zero-width": "go\u200bod\ufeff.txt",
    "only dots": "..",
    "empty": "",
    "markup": "<img src=x onerror=alert(1)> `x` **y**.txt",
    "line break": "a\r\nb\x1b[2J.txt",
    "300 bytes": "é" * 150 + ".txt",
}


@pytest.mark.parametrize("name", ODD_NAMES.values(), ids=ODD_NAMES.keys())
def test_odd_file_names_are_cleaned_and_break_nothing(
    atlas: Atlas, tmp_path: Path, name: str
) -> None:
    shown = library.clean_name(name)
    assert shown and len(shown) <= 120
    assert not set(shown) & set("/\\\x00\x1b\u202e\u200b\ufeff")
    assert shown not in (".", "..") and not shown.startswith(".")
    assert "\n" not in code(shown) and "\r" not in shown  # one line wherever it is shown
    store: dict[str, AddedDoc] = {}
    out = library.add_to_session(store, atlas, name, GOOD, settings(tmp_path))
    assert out.name == shown
    assert out.status in (ADDED, REFUSED)
    if out.doc is not None:
        assert out.doc.name == shown
    assert not (tmp_path / "library").exists()


def test_clean_name_keeps_the_base_name() -> None:
    assert library.clean_name("../../etc/passwd.txt") == "passwd.txt"
    assert library.clean_name("C:\\Users\\me\\cable.md") == "cable.md"
    assert library.clean_name("report\u202etxt.exe") == "reporttxt.exe"  # no spoofed suffix
    assert library.clean_name("..") == library.clean_name("") == "unnamed"


def test_a_long_file_name_is_shortened_for_display_only(atlas: Atlas, tmp_path: Path) -> None:
    name = (
        "Cable from Li Kenong, Concerning the Content of a Meeting between the Soviet, "
        "Chinese, and Vietnamese Delegations, June 26, 1954.txt"
    )
    assert len(name) > 120
    out = library.add_to_session({}, atlas, name, GOOD, settings(tmp_path))
    assert out.status == ADDED, out.reason
    assert len(out.name) <= 120


# ---------------------------------------------------------------------------------------
# who may write the shared library


def test_can_write(tmp_path: Path) -> None:
    open_ = settings(tmp_path)
    guarded = settings(tmp_path, operator_token="s3cret-token")
    assert library.can_write("local", open_, None)
    assert library.can_write("local", guarded, "wrong")
    assert not library.can_write("public", open_, None)
    assert not library.can_write("public", open_, "")  # no token set: nobody writes
    assert not library.can_write("public", guarded, None)
    assert not library.can_write("public", guarded, "")
    assert not library.can_write("public", guarded, "s3cret")
    assert not library.can_write("public", guarded, "s3cret-token ")
    assert library.can_write("public", guarded, "s3cret-token")


def test_a_non_ascii_token_is_just_wrong(tmp_path: Path) -> None:
    guarded = settings(tmp_path, operator_token="s3cret-token")
    assert not library.can_write("public", guarded, "sécret")


# ---------------------------------------------------------------------------------------
# the shared library


def test_a_library_write_is_one_id_txt_written_atomically(
    atlas: Atlas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = settings(tmp_path)
    folder = s.user_dir
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        replaced.append((str(src), str(dst)))
        assert Path(src).read_bytes() == GOOD  # complete before it takes the name
        real_replace(src, dst)

    monkeypatch.setattr(library.os, "replace", spy)
    out = library.add_to_library(folder, atlas, "upload.txt", GOOD, s, Library())
    assert out.status == ADDED and out.doc is not None and out.doc.origin == "library"
    target = folder / f"{GOOD_ID}.txt"
    assert files(folder) == {f"{GOOD_ID}.txt": GOOD, ".lock": b""}
    (src, dst), *_ = replaced
    assert Path(src).parent == folder and Path(src).name.startswith(".incoming-")
    assert dst == str(target)
    lib = library.read_library(folder, atlas)
    assert list(lib.docs) == [f"added:{GOOD_ID}"] and lib.size == len(GOOD)
    assert lib.docs[f"added:{GOOD_ID}"].name == f"{GOOD_ID}.txt"


def test_a_conflict_needs_replace(atlas: Atlas, tmp_path: Path) -> None:
    s = settings(tmp_path)
    folder = s.user_dir
    library.add_to_library(folder, atlas, "a.txt", GOOD, s, Library())
    lib = library.read_library(folder, atlas)
    same = library.add_to_library(folder, atlas, "b.txt", GOOD, s, lib)
    assert same.status == SAME
    changed = document(body=PLEIKU + b"A second version.\n")
    conflict = library.add_to_library(folder, atlas, "c.txt", changed, s, lib)
    assert conflict.status == CONFLICT and conflict.data == changed
    assert (folder / f"{GOOD_ID}.txt").read_bytes() == GOOD  # untouched
    done = library.add_to_library(folder, atlas, "c.txt", changed, s, lib, replace=True)
    assert done.status == REPLACED
    assert (folder / f"{GOOD_ID}.txt").read_bytes() == changed
    assert not [p for p in folder.iterdir() if p.name.startswith(".incoming-")]


def test_a_markdown_twin_gives_way_to_the_new_text(atlas: Atlas, tmp_path: Path) -> None:
    s = settings(tmp_path)
    folder = s.user_dir
    folder.mkdir()
    (folder / f"{GOOD_ID}.md").write_bytes(GOOD)
    lib = library.read_library(folder, atlas)
    assert list(lib.docs) == [f"added:{GOOD_ID}"]
    changed = document(body=PLEIKU + b"Newer.\n")
    out = library.add_to_library(folder, atlas, "x.md", changed, s, lib, replace=True)
    assert out.status == REPLACED
    assert set(files(folder)) == {f"{GOOD_ID}.txt", ".lock"}


def test_a_failed_write_keeps_the_old_file(
    atlas: Atlas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = settings(tmp_path)
    folder = s.user_dir
    library.add_to_library(folder, atlas, "a.txt", GOOD, s, Library())
    lib = library.read_library(folder, atlas)

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(library.os, "replace", fail)
    changed = document(body=PLEIKU + b"Lost.\n")
    out = library.add_to_library(folder, atlas, "a.txt", changed, s, lib, replace=True)
    assert out.status == REFUSED and "cannot be written" in out.reason
    assert (folder / f"{GOOD_ID}.txt").read_bytes() == GOOD
    no_path([out.reason], tmp_path)
    assert "No space" not in out.reason


def test_an_unwritable_library_says_so_without_its_path(atlas: Atlas, tmp_path: Path) -> None:
    s = settings(tmp_path)
    s.user_dir.write_text("a file where the folder should be")
    out = library.add_to_library(s.user_dir, atlas, "a.txt", GOOD, s, Library())
    assert out.status == REFUSED
    assert out.reason == "the shared library cannot be written to on this server"
    assert library.read_library(s.user_dir, atlas) == Library()


def test_library_limits(atlas: Atlas, tmp_path: Path) -> None:
    s = settings(tmp_path, library_docs="1", library_bytes="400")
    folder = s.user_dir
    assert library.add_to_library(folder, atlas, "a.txt", GOOD, s, Library()).status == ADDED
    lib = library.read_library(folder, atlas)
    full = library.add_to_library(folder, atlas, "b.txt", document("Another one"), s, lib)
    assert full.status == REFUSED and "full (1 documents)" in full.reason
    newer = document(body=PLEIKU + b"v2\n")
    assert (
        library.add_to_library(folder, atlas, "a.txt", newer, s, lib, replace=True).status
        == REPLACED
    )
    big = document(body=PLEIKU * 10)
    lib = library.read_library(folder, atlas)
    out = library.add_to_library(folder, atlas, "a.txt", big, s, lib, replace=True)
    assert out.status == REFUSED and out.reason == "the shared library is full"
    assert set(files(folder)) == {f"{GOOD_ID}.txt", ".lock"}


def test_removing_from_the_library(atlas: Atlas, tmp_path: Path) -> None:
    s = settings(tmp_path)
    folder = s.user_dir
    library.add_to_library(folder, atlas, "a.txt", GOOD, s, Library())
    outside = tmp_path / "outside.txt"
    outside.write_bytes(GOOD)
    for bad in ("../outside", "a/b", "", ".lock", "/etc/passwd", "UPPER"):
        assert library.remove_from_library(folder, bad) is False
    assert outside.read_bytes() == GOOD
    assert library.remove_from_library(folder, GOOD_ID) is True
    assert set(files(folder)) == {".lock"}


def test_reading_the_library_skips_links_hidden_and_broken_files(
    atlas: Atlas, tmp_path: Path
) -> None:
    s = settings(tmp_path)
    folder = s.user_dir
    folder.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_bytes(document("A secret outside the library"))
    (folder / "link.txt").symlink_to(outside)
    (folder / ".hidden.txt").write_bytes(document("Hidden"))
    (folder / "notes.pdf").write_bytes(GOOD)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02")
    (folder / "good.txt").write_bytes(GOOD)
    lib = library.read_library(folder, atlas)
    assert [d.document.title for d in lib.docs.values()] == [
        "Telegram, Example Committee to Test Premier"
    ]
    (problem,) = lib.problems
    assert problem.startswith("broken.txt: ")
    no_path(list(lib.problems), tmp_path)
    assert library.read_library(tmp_path / "missing", atlas) == Library()


# ---------------------------------------------------------------------------------------
# folder import


@pytest.fixture
def import_root(tmp_path: Path) -> Path:
    """root/ with documents, a sub-folder, a hidden one and links that lead outside."""
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_bytes(document("Secret outside the root"))
    (outside / "folder" / "secret2.txt").write_bytes(document("Secret folder outside"))
    root = tmp_path / "root"
    (root / "batch").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "good.txt").write_bytes(GOOD)
    (root / "bad.md").write_bytes(b"no date here\n")
    (root / "big.txt").write_bytes(b"x" * (MAX_BYTES + 1))
    (root / "picture.png").write_bytes(b"\x89PNG")
    (root / "link-to-file.txt").symlink_to(outside / "secret.txt")
    (root / "link-to-folder").symlink_to(outside / "folder")
    (root / "batch" / "second.txt").write_bytes(document("Second telegram"))
    (root / "batch" / "escape.txt").symlink_to(outside / "secret.txt")
    (root / ".hidden" / "h.txt").write_bytes(GOOD)
    return root


def test_only_the_roots_own_folders_are_offered(import_root: Path) -> None:
    assert library.import_folders(import_root) == [".", "batch"]
    assert library.import_folders(None) == []
    assert library.import_folders(import_root / "missing") == []
    assert library.import_folders(import_root / "good.txt") == []


def test_folder_files_never_follow_a_link_out(import_root: Path, tmp_path: Path) -> None:
    got, error = library.folder_files(import_root, ".")
    assert error == ""
    assert dict(got) == {
        "bad.md": b"no date here\n",
        "big.txt": None,
        "good.txt": GOOD,
    }
    got, error = library.folder_files(import_root, "batch")
    assert error == "" and [name for name, _ in got] == ["second.txt"]
    assert all(b"Secret" not in (data or b"") for _, data in got)


@pytest.mark.parametrize(
    "choice",
    [
        "link-to-folder",
        "..",
        "../outside",
        "batch/..",
        "batch/../..",
        "/",
        "/etc",
        ".hidden",
        "missing",
        "",
        "<b>x</b>",
        "batch\x00",
    ],
)
def test_any_other_folder_is_refused(import_root: Path, tmp_path: Path, choice: str) -> None:
    got, error = library.folder_files(import_root, choice)
    assert got == []
    assert error == "that folder is not one of the folders this server allows"
    no_path([error], tmp_path)


def test_importing_without_a_root_is_refused(tmp_path: Path) -> None:
    assert library.folder_files(tmp_path / "missing", ".") == (
        [],
        "that folder is not one of the folders this server allows",
    )


def test_imported_files_go_to_the_session_with_plain_reasons(
    atlas: Atlas, import_root: Path, tmp_path: Path
) -> None:
    s = settings(tmp_path)
    store: dict[str, AddedDoc] = {}
    got, _ = library.folder_files(import_root, ".")
    outcomes = [
        library.add_to_session(store, atlas, name, data, s)
        for name, data in got
        if data is not None
    ]
    assert [(o.name, o.status) for o in outcomes] == [("bad.md", REFUSED), ("good.txt", ADDED)]
    assert list(store) == [f"added:{GOOD_ID}"]
    no_path([o.reason for o in outcomes], tmp_path, import_root)


# ---------------------------------------------------------------------------------------
# what an interrupted write leaves


def test_clean_stale_removes_incoming_folders_only(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    (folder / ".incoming-abc" / "deep").mkdir(parents=True)
    (folder / ".incoming-abc" / "deep" / "x.txt").write_bytes(GOOD)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_bytes(GOOD)
    (folder / ".incoming-link").symlink_to(outside)
    (folder / "kept.txt").write_bytes(GOOD)
    (folder / "incoming-not-hidden").mkdir()
    library.clean_stale(folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        ".incoming-link",
        "incoming-not-hidden",
        "kept.txt",
    ]
    assert (outside / "keep.txt").read_bytes() == GOOD  # a link is never followed
    library.clean_stale(tmp_path / "missing")  # no folder: nothing to do, no error


def test_an_interrupted_write_leaves_nothing_after_clean_stale(
    atlas: Atlas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = settings(tmp_path)

    def crash(src: str, dst: str) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(library.os, "replace", crash)
    out = library.add_to_library(s.user_dir, atlas, "a.txt", GOOD, s, Library())
    assert out.status == REFUSED
    library.clean_stale(s.user_dir)
    assert [p.name for p in s.user_dir.iterdir() if p.name.startswith(".incoming-")] == []


def test_no_message_names_a_server_folder(
    atlas: Atlas, import_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every reason and problem the library can give, with its folders in temporary paths."""
    s = settings(tmp_path, session_docs="1", library_docs="1", library_bytes="300")
    said: list[str] = []
    store: dict[str, AddedDoc] = {}
    for name, data in [
        ("a.txt", GOOD),
        ("b.txt", document("Second")),
        (str(tmp_path / "x.txt"), b"\x00"),
        (str(import_root / "y.md"), b""),
        ("z.pdf", GOOD),
    ]:
        said.append(library.add_to_session(store, atlas, name, data, s).reason)
        said.append(library.add_to_session({}, atlas, name, data, s).reason)
        said.append(library.clean_name(name))
    folder = s.user_dir
    for data in (GOOD, document("Second"), document(body=PLEIKU * 20), b"\x00"):
        lib = library.read_library(folder, atlas)
        said.append(library.add_to_library(folder, atlas, "n.txt", data, s, lib).reason)
    (folder / "broken.md").write_bytes(b"\x00\x01")
    said += library.read_library(folder, atlas).problems
    for choice in ("..", str(tmp_path), "link-to-folder", "missing"):
        said.append(library.folder_files(import_root, choice)[1])
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    said.append(library.add_to_library(blocked, atlas, "n.txt", GOOD, s, Library()).reason)
    monkeypatch.setattr(library.os, "replace", lambda *_: (_ for _ in ()).throw(OSError(13, "x")))
    said.append(library.add_to_library(folder, atlas, "c.txt", document("C"), s, Library()).reason)
    said = [m for m in said if m]
    assert len(said) >= 15
    no_path(said, tmp_path, import_root, folder)
    assert [m for m in said if "/" in m or "\\" in m] == []  # no path of any kind
