"""Documents the user adds: stored on this machine, parsed with geo.cables, linked to the map.

Added files live in one folder (``$ARMISTICE_USER_DATA``, default
``~/.local/share/armistice-atlas/cables/``), one file per document, named by its id
(``110145.txt``, ``1954-06-21-telegram-….md``). A file is checked *before* it is stored: it
is written to a hidden temporary folder inside the user folder, parsed there with
:func:`geo.cables.read_cable_file` (size limit, binary, empty, no date, no title…) and only a
good file is moved to its final name (a rename on the same file system, so a reader never sees
half a file). A stored file is never replaced without the user's say-so.

Nothing here draws anything; ``ui/cables.py`` is the screen.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

import geo
from geo.cables import (
    MAX_BYTES,
    CableParseError,
    Mention,
    ParsedCable,
    find_mentions,
    read_cable_file,
)
from ui.resources import CABLE_SUFFIXES, Corpus, Resources, load_resources
from ui.state import Catalog

ENV = "ARMISTICE_USER_DATA"
DEFAULT_DIR = Path("~/.local/share/armistice-atlas/cables")
#: Ids that can name a file (the parser gives archive numbers or date-and-title slugs).
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}")
_TMP_PREFIX = ".incoming-"

# outcome statuses
ADDED, REPLACED, SAME, CONFLICT, REFUSED = "added", "replaced", "same", "conflict", "refused"


def user_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Where added documents are kept: ``$ARMISTICE_USER_DATA`` or the default."""
    value = env.get(ENV, "").strip()
    return Path(value or DEFAULT_DIR).expanduser()


def name_maps(
    atlas: geo.Atlas, theater: str | None = None
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The gazetteers for geo.cables.find_mentions (see :meth:`geo.Atlas.name_maps`)."""
    return atlas.name_maps(theater)


# ---------------------------------------------------------------------------------------
# reading the folder


@dataclass(frozen=True)
class UserDoc:
    """A document the user added, with what it names."""

    cable: ParsedCable
    file: str  # its file name in the user folder
    theater: str  # "korea", "indochina" or "" when nothing in it says
    in_atlas: bool  # its id is one of the atlas' cable records
    places: tuple[str, ...]  # place ids named, in order of first mention
    lines: tuple[str, ...]  # line ids whose key terms it uses, in order of first mention
    mentions: tuple[Mention, ...]  # offsets into cable.body
    notes: tuple[str, ...] = ()  # e.g. "not valid UTF-8; decoded as cp1252"


@dataclass(frozen=True)
class Library:
    """Everything in the user folder."""

    folder: str
    docs: dict[str, UserDoc] = dataclasses.field(default_factory=dict)
    problems: tuple[str, ...] = ()  # "<file>: <reason>" for files that no longer parse


def _signature(folder: Path) -> tuple[tuple[str, int, int, int], ...]:
    try:
        out = []
        for p in sorted(folder.iterdir()):
            if p.name.startswith(".") or not p.is_file():
                continue
            s = p.stat()
            out.append((p.name, s.st_size, s.st_mtime_ns, s.st_ino))
        return tuple(out)
    except OSError:
        return ()


def library(res: Resources, data_key: str | None, folder: Path | None = None) -> Library:
    """The documents in the user folder (read again whenever a file in it changes)."""
    folder = user_dir() if folder is None else folder
    return _load_library(str(folder), data_key, _signature(folder))


@st.cache_resource(show_spinner=False, max_entries=8)
def _load_library(
    folder: str, data_key: str | None, signature: tuple[tuple[str, int, int, int], ...]
) -> Library:
    # *signature* (names, sizes, mtimes, inodes) is only part of the cache key.
    atlas = load_resources(data_key).atlas
    docs: dict[str, UserDoc] = {}
    problems: list[str] = []
    for name, *_ in signature:
        path = Path(folder) / name
        if path.suffix.lower() not in CABLE_SUFFIXES:
            continue
        try:
            cable, notes = _read(path)
        except CableParseError as exc:
            problems.append(f"{name}: {exc.reason}")
            continue
        except Exception as exc:  # a parser bug must not hide the other documents
            problems.append(f"{name}: could not be read ({type(exc).__name__}: {exc})")
            continue
        if cable.id in docs:
            problems.append(f"{name}: a second file of document {cable.id} ({docs[cable.id].file})")
            continue
        docs[cable.id] = describe(atlas, cable, name, notes)
    return Library(folder, docs, tuple(problems))


def _read(path: Path) -> tuple[ParsedCable, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cable = read_cable_file(path, max_bytes=MAX_BYTES)
    return cable, [str(w.message).split(": ", 1)[-1] for w in caught]


def describe(atlas: geo.Atlas, cable: ParsedCable, file: str, notes: Sequence[str] = ()) -> UserDoc:
    """Find the theater, places and lines of a parsed document."""
    record = atlas.cables.get(cable.id)
    theater = record.theater if record else _guess_theater(atlas, cable.body)
    places, terms = name_maps(atlas, theater or None)
    if not theater:  # no theater known: look for every place but the waypoints
        places = {pid: n for pid, n in places.items() if atlas.places[pid].kind != "waypoint"}
    mentions = find_mentions(cable.body, places=places, proposals=terms)
    return UserDoc(
        cable=cable,
        file=file,
        theater=theater,
        in_atlas=record is not None,
        places=tuple(dict.fromkeys(m.ref for m in mentions if m.kind == "place")),
        lines=tuple(dict.fromkeys(m.ref for m in mentions if m.kind == "proposal")),
        mentions=tuple(mentions),
        notes=tuple(notes),
    )


def _guess_theater(atlas: geo.Atlas, body: str) -> str:
    """The theater most of the places (else key terms) named in *body* belong to, or ""."""
    places, terms = name_maps(atlas)
    places = {pid: n for pid, n in places.items() if atlas.places[pid].kind != "waypoint"}
    found = find_mentions(body, places=places, proposals=terms)
    theaters = [atlas.places[m.ref].theater for m in found if m.kind == "place"] or [
        atlas.lines[m.ref].theater for m in found if m.kind == "proposal"
    ]
    return Counter(theaters).most_common(1)[0][0] if theaters else ""


def with_user_cables(catalog: Catalog, lib: Library) -> Catalog:
    """*catalog* knowing the added documents too (so a ``cable`` link to one is valid)."""
    extra = {cid: doc.theater for cid, doc in lib.docs.items() if cid not in catalog.cables}
    if not extra:
        return catalog
    return dataclasses.replace(catalog, cables={**catalog.cables, **extra})


def with_user_texts(corpus: Corpus, lib: Library) -> Corpus:
    """*corpus* with the texts the user added for atlas cables it lacks (the corpus wins)."""
    extra = {cid: doc for cid, doc in lib.docs.items() if doc.in_atlas and cid not in corpus.texts}
    if not extra:
        return corpus
    return dataclasses.replace(
        corpus,
        texts={**corpus.texts, **{cid: doc.cable for cid, doc in extra.items()}},
        files={**corpus.files, **{cid: f"{doc.file}, added by you" for cid, doc in extra.items()}},
    )


# ---------------------------------------------------------------------------------------
# adding documents


@dataclass(frozen=True)
class Outcome:
    """What became of one file the user offered."""

    name: str  # the file name as given
    status: str  # ADDED, REPLACED, SAME, CONFLICT or REFUSED
    reason: str = ""  # why it was refused
    doc_id: str = ""
    title: str = ""
    stored: str = ""  # the file name in the user folder (the existing one for SAME/CONFLICT)
    in_atlas: bool = False
    data: bytes = dataclasses.field(default=b"", repr=False)  # kept for a CONFLICT


def _clean_name(name: str) -> str:
    return Path(str(name).replace("\\", "/")).name.strip() or "unnamed"


def _stored_file(folder: Path, doc_id: str) -> Path | None:
    for suffix in CABLE_SUFFIXES:
        path = folder / f"{doc_id}{suffix}"
        if path.is_file():
            return path
    return None


def store(
    folder: Path, name: str, data: bytes, atlas: geo.Atlas, *, replace: bool = False
) -> Outcome:
    """Check *data* (a file called *name*) and keep it in *folder* if it is a good cable.

    A bad file is refused with the reason and nothing in *folder* changes. A file whose
    document is already stored with other content is a CONFLICT (kept in the outcome) unless
    *replace* is true; the same content again is SAME.
    """
    name = _clean_name(name)
    suffix = Path(name).suffix.lower()
    if suffix not in CABLE_SUFFIXES:
        return Outcome(name, REFUSED, "not a .txt or .md file")
    if len(data) > MAX_BYTES:
        return Outcome(
            name, REFUSED, f"file too large ({len(data)} bytes; limit {MAX_BYTES} bytes)"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp_dir = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=folder))
    except OSError as exc:
        return Outcome(name, REFUSED, f"cannot write to {folder} ({exc.strerror or exc})")
    try:
        tmp = tmp_dir / name  # the parser names the file in its messages: keep the name
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            cable, _ = _read(tmp)
        except CableParseError as exc:
            return Outcome(name, REFUSED, exc.reason)
        except Exception as exc:  # a parser bug: refuse the file, keep the app running
            return Outcome(name, REFUSED, f"could not be read ({type(exc).__name__}: {exc})")
        if not SAFE_ID.fullmatch(cable.id):
            return Outcome(name, REFUSED, f"its id {cable.id!r} cannot name a file")
        in_atlas = cable.id in atlas.cables

        def done(status: str, stored: Path, kept: bytes = b"") -> Outcome:
            return Outcome(name, status, "", cable.id, cable.title, stored.name, in_atlas, kept)

        target = folder / f"{cable.id}{suffix}"
        existing = _stored_file(folder, cable.id)
        if existing is not None:
            if existing.read_bytes() == data:
                return done(SAME, existing)
            if not replace:
                return done(CONFLICT, existing, data)
            os.replace(tmp, target)
            if existing != target:
                existing.unlink(missing_ok=True)
            return done(REPLACED, target)
        try:
            os.link(tmp, target)  # fails if *target* appeared meanwhile: never overwrite
        except FileExistsError:
            return done(CONFLICT, target, data)
        except OSError:  # no hard links on this file system
            if target.exists():
                return done(CONFLICT, target, data)
            os.replace(tmp, target)
        return done(ADDED, target)
    except OSError as exc:
        return Outcome(name, REFUSED, f"cannot write to {folder} ({exc.strerror or exc})")
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


@dataclass(frozen=True)
class FolderImport:
    source: str
    outcomes: tuple[Outcome, ...] = ()
    error: str = ""  # the folder itself could not be read
    skipped: int = 0  # files that are not .txt/.md


def import_folder(source: Path, folder: Path, atlas: geo.Atlas) -> FolderImport:
    """Offer every ``.txt``/``.md`` file of *source* (not recursive) to :func:`store`."""
    source = source.expanduser()
    if not source.is_dir():
        reason = "not a folder" if source.exists() else "folder not found"
        return FolderImport(str(source), error=reason)
    try:
        files = sorted(p for p in source.iterdir() if not p.name.startswith("."))
    except OSError as exc:
        return FolderImport(str(source), error=f"cannot list it ({exc.strerror or exc})")
    outcomes: list[Outcome] = []
    skipped = 0
    for path in files:
        if path.suffix.lower() not in CABLE_SUFFIXES or not path.is_file():
            skipped += path.is_file()
            continue
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                outcomes.append(
                    Outcome(
                        path.name,
                        REFUSED,
                        f"file too large ({size} bytes; limit {MAX_BYTES} bytes)",
                    )
                )
                continue
            data = path.read_bytes()
        except OSError as exc:
            outcomes.append(Outcome(path.name, REFUSED, f"cannot read ({exc.strerror or exc})"))
            continue
        outcomes.append(store(folder, path.name, data, atlas))
    return FolderImport(str(source), tuple(outcomes), skipped=skipped)
