"""Documents visitors add: their own (in their session), and the shared library (a folder).

Served to strangers, the app must not let one visitor change what another sees. So:

* an upload goes into the visitor's **session** and nowhere else: only they see it, it is gone
  when their session ends, and it never stands in for the text of an atlas record (a file
  carrying a record's number is kept as the visitor's own copy, beside the record);
* the **shared library** (``$ARMISTICE_USER_DATA``) is read by everyone and written only in
  local mode (the app on a teacher's own machine) or by a visitor who typed the operator token;
* **folder import** reads only inside ``$ARMISTICE_IMPORT_ROOT`` (off when unset): the visitor
  picks one of its folders, links are never followed, and every error is one plain sentence;
* every store has limits (files per session, bytes per session, size of the library); file
  names are cleaned before they are shown; no message names a server path.

Nothing here draws anything; :mod:`ui.screens.documents` is the screen.
"""

from __future__ import annotations

import contextlib
import fcntl
import hmac
import os
import re
import shutil
import tempfile
from collections import Counter, OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock

from geo.documents import DocumentError, Mention, ParsedDocument, find_mentions, read_document_bytes
from geo.documents.decode import SUFFIXES
from geo.documents.model import MAX_BYTES
from geo.records.model import Atlas
from geo.settings import Settings
from ui.resources import parsed_file
from ui.text import visible

#: Ids that can name a file (archive numbers, dated slugs).
SAFE_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,150}")
_TMP_PREFIX = ".incoming-"
_LOCK_NAME = ".lock"

# outcomes
ADDED, SAME, CONFLICT, REPLACED, REFUSED = "added", "same", "conflict", "replaced", "refused"


@dataclass(frozen=True)
class AddedDoc:
    """A document someone added, with what it names."""

    document: ParsedDocument
    name: str  # the file name as given, cleaned for display
    origin: str  # "session" or "library"
    theater: str  # "korea", "indochina" or "" when nothing in it says
    record: str  # the atlas record with the same id ("" if none): shown beside it, never for it
    places: tuple[str, ...]
    lines: tuple[str, ...]
    mentions: tuple[Mention, ...]
    notes: tuple[str, ...] = ()
    size: int = 0

    @property
    def key(self) -> str:
        """Its id in lists and links: the document's id, prefixed so it never shadows a
        record (``added:110145``)."""
        return f"added:{self.document.id}"


@dataclass(frozen=True)
class Outcome:
    """What became of one file offered."""

    name: str
    status: str
    reason: str = ""
    doc: AddedDoc | None = None
    data: bytes = field(default=b"", repr=False)  # kept for a CONFLICT (library only)


def clean_name(name: str) -> str:
    """A file name safe to show: no folders, no control or bidi characters, not too long."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    base = " ".join(visible(base, 10_000).split()).strip(" .") or "unnamed"
    if len(base) > 120:  # shorten the stem, keep the extension (it decides what is read)
        stem, dot, suffix = base.rpartition(".")
        base = f"{stem[:110]}…{dot}{suffix[:8]}" if dot and len(suffix) <= 8 else base[:119] + "…"
    return base


# ---------------------------------------------------------------------------------------
# describing a document


def describe(
    atlas: Atlas, doc: ParsedDocument, name: str, origin: str, notes: list[str], size: int
) -> AddedDoc:
    """Find the theater, places and lines of a parsed document."""
    record = atlas.documents.get(doc.id)
    theater = record.theater if record else guess_theater(atlas, doc.body)
    places, terms = atlas.name_maps(theater or None)
    if not theater:
        places = {pid: n for pid, n in places.items() if atlas.places[pid].kind != "waypoint"}
    mentions = find_mentions(
        doc.body, places=places, proposals=terms, parallels=atlas.parallel_lines(theater or None)
    )
    return AddedDoc(
        document=doc,
        name=name,
        origin=origin,
        theater=theater,
        record=record.id if record else "",
        places=tuple(dict.fromkeys(m.ref for m in mentions if m.kind == "place")),
        lines=tuple(dict.fromkeys(m.ref for m in mentions if m.kind in ("proposal", "parallel"))),
        mentions=tuple(mentions),
        notes=tuple(notes),
        size=size,
    )


def guess_theater(atlas: Atlas, body: str) -> str:
    """The theater most of the places (else key terms) named in *body* belong to, or ""."""
    places, terms = atlas.name_maps()
    places = {pid: n for pid, n in places.items() if atlas.places[pid].kind != "waypoint"}
    found = find_mentions(body, places=places, proposals=terms)
    theaters = [atlas.places[m.ref].theater for m in found if m.kind == "place"] or [
        atlas.lines[m.ref].theater for m in found if m.kind == "proposal"
    ]
    return Counter(theaters).most_common(1)[0][0] if theaters else ""


# ---------------------------------------------------------------------------------------
# the visitor's own documents (a dict kept in their session)


def add_to_session(
    store: dict[str, AddedDoc], atlas: Atlas, name: str, data: bytes, settings: Settings
) -> Outcome:
    """Check *data* and keep it in the visitor's *store* if it is a good document."""
    name = clean_name(name)
    if Path(name).suffix.lower() not in SUFFIXES:
        return Outcome(name, REFUSED, "not a .txt or .md file")
    if len(data) > MAX_BYTES:
        return Outcome(name, REFUSED, f"file too large ({len(data):,} bytes; limit {MAX_BYTES:,})")
    if len(store) >= settings.session_docs:
        return Outcome(
            name,
            REFUSED,
            f"you have added {settings.session_docs} documents, the most a session keeps; "
            "remove one first",
        )
    used = sum(d.size for d in store.values())
    if used + len(data) > settings.session_bytes:
        return Outcome(
            name,
            REFUSED,
            f"your documents would pass {settings.session_bytes:,} bytes, the most a session keeps",
        )
    try:
        doc, notes = read_document_bytes(data, name)
    except DocumentError as exc:
        return Outcome(name, REFUSED, exc.reason)
    added = describe(atlas, doc, name, "session", notes, len(data))
    existing = store.get(added.key)
    if existing is not None and existing.document.body == doc.body:
        return Outcome(name, SAME, doc=existing)
    store[added.key] = added
    return Outcome(name, REPLACED if existing else ADDED, doc=added)


# ---------------------------------------------------------------------------------------
# the shared library (a folder)


@dataclass(frozen=True)
class Library:
    docs: dict[str, AddedDoc] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # "<file>: <reason>", one per file that no longer parses
    size: int = 0


def can_write(mode: str, settings: Settings, token: str | None) -> bool:
    """May this visitor write to the shared library?"""
    if mode == "local":
        return True
    wanted = settings.operator_token
    if not wanted or token is None:
        return False
    return hmac.compare_digest(token.encode("utf-8"), wanted.encode("utf-8"))


_DESCRIBED: OrderedDict[tuple[str, int, int, int, int], AddedDoc] = OrderedDict()
_DESCRIBED_MAX = 1024
_DESCRIBED_LOCK = Lock()


def _described(path: Path, atlas: Atlas) -> AddedDoc | str:
    """A library file parsed and described once per version of the file (its signature):
    a rerun, or a change to one file, never reads the others again."""
    st_ = path.stat()
    key = (str(path), st_.st_size, st_.st_mtime_ns, st_.st_ino, id(atlas))
    with _DESCRIBED_LOCK:
        if key in _DESCRIBED:
            _DESCRIBED.move_to_end(key)
            return _DESCRIBED[key]
    doc, reason = parsed_file(path)
    if doc is None:
        return reason
    added = describe(atlas, doc, clean_name(path.name), "library", [], st_.st_size)
    with _DESCRIBED_LOCK:
        _DESCRIBED[key] = added
        while len(_DESCRIBED) > _DESCRIBED_MAX:
            _DESCRIBED.popitem(last=False)
    return added


def read_library(folder: Path, atlas: Atlas) -> Library:
    """Every document in the library folder (each file parsed and described once per change)."""
    try:
        files = sorted(
            p
            for p in folder.iterdir()
            if p.suffix.lower() in SUFFIXES
            and not p.name.startswith(".")
            and p.is_file()
            and not p.is_symlink()
        )
    except OSError:
        return Library()
    docs: dict[str, AddedDoc] = {}
    problems: list[str] = []
    total = 0
    for path in _prefer_newest(files):
        try:
            added = _described(path, atlas)
        except OSError:
            continue  # removed meanwhile
        if isinstance(added, str):
            problems.append(f"{clean_name(path.name)}: {added}")
            continue
        total += added.size
        docs.setdefault(added.key, added)
    return Library(docs, tuple(problems), total)


def _prefer_newest(files: list[Path]) -> list[Path]:
    """One file per id stem: where an older ``<id>.md`` and ``<id>.txt`` both exist (an
    interrupted replace of an old library), the newest wins and the other is ignored."""
    by_stem: dict[str, Path] = {}
    for p in files:
        other = by_stem.get(p.stem)
        if other is None or p.stat().st_mtime_ns > other.stat().st_mtime_ns:
            by_stem[p.stem] = p
    return sorted(by_stem.values())


def clean_stale(folder: Path) -> None:
    """Remove ``.incoming-*`` files and folders left by a process that stopped mid-write."""
    with contextlib.suppress(OSError):
        for p in folder.iterdir():
            if not p.name.startswith(_TMP_PREFIX) or p.is_symlink():
                continue
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One writer at a time in the library (check-then-write must not race)."""
    with open(folder / _LOCK_NAME, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def add_to_library(
    folder: Path,
    atlas: Atlas,
    name: str,
    data: bytes,
    settings: Settings,
    library: Library,
    *,
    replace: bool = False,
) -> Outcome:
    """Check *data* and keep it in the library folder as ``<id>.txt`` (written atomically).

    A document already stored with other content is a CONFLICT unless *replace*. Errors are
    plain sentences: no path, no system message.
    """
    name = clean_name(name)
    if Path(name).suffix.lower() not in SUFFIXES:
        return Outcome(name, REFUSED, "not a .txt or .md file")
    try:
        doc, notes = read_document_bytes(data, name)
    except DocumentError as exc:
        return Outcome(name, REFUSED, exc.reason)
    if not SAFE_ID.fullmatch(doc.id):
        return Outcome(name, REFUSED, "its document id cannot name a file")
    added = describe(atlas, doc, f"{doc.id}.txt", "library", notes, len(data))
    existing = library.docs.get(added.key)
    if existing is None and len(library.docs) >= settings.library_docs:
        return Outcome(
            name, REFUSED, f"the shared library is full ({settings.library_docs} documents)"
        )
    if library.size + len(data) > settings.library_bytes:
        return Outcome(name, REFUSED, "the shared library is full")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder):
            target = folder / f"{doc.id}.txt"
            if target.is_file() and not target.is_symlink():
                if target.read_bytes() == data:
                    return Outcome(name, SAME, doc=added)
                if not replace:
                    return Outcome(name, CONFLICT, doc=added, data=data)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=_TMP_PREFIX)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, target)  # atomic: a reader sees the old file or the new one
            finally:
                Path(tmp).unlink(missing_ok=True)
            twin = folder / f"{doc.id}.md"
            if twin.is_file():
                twin.unlink(missing_ok=True)
    except OSError:
        return Outcome(name, REFUSED, "the shared library cannot be written to on this server")
    return Outcome(name, REPLACED if existing else ADDED, doc=added)


def remove_from_library(folder: Path, doc_id: str) -> bool:
    if not SAFE_ID.fullmatch(doc_id):
        return False
    try:
        with _locked(folder):
            for suffix in SUFFIXES:
                (folder / f"{doc_id}{suffix}").unlink(missing_ok=True)
    except OSError:
        return False
    return True


# ---------------------------------------------------------------------------------------
# folder import (operator's allow-listed root only)


def import_folders(root: Path | None) -> list[str]:
    """The folders a visitor may import from: the root and its sub-folders (by name)."""
    if root is None:
        return []
    try:
        if not root.is_dir():
            return []
        subs = sorted(
            p.name
            for p in root.iterdir()
            if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
        )
    except OSError:
        return []
    return [".", *subs]


def folder_files(root: Path, choice: str) -> tuple[list[tuple[str, bytes | None]], str]:
    """The document files of one allowed folder as (name, bytes or None when too large), or
    ([], why not).

    *choice* must be one of :func:`import_folders`; links are never followed, and nothing
    outside *root* is ever opened.
    """
    if choice not in import_folders(root):
        return [], "that folder is not one of the folders this server allows"
    base = root.resolve()
    folder = (root / choice).resolve()
    if folder != base and base not in folder.parents:
        return [], "that folder is not one of the folders this server allows"
    out: list[tuple[str, bytes | None]] = []
    try:
        for p in sorted(folder.iterdir()):
            if p.suffix.lower() not in SUFFIXES or p.is_symlink() or not p.is_file():
                continue
            if p.resolve().parent != folder:
                continue
            if p.stat().st_size > MAX_BYTES:
                out.append((p.name, None))
                continue
            out.append((p.name, p.read_bytes()))
    except OSError:
        return [], "the folder could not be read"
    return out, ""
