"""What is made once per process and shared by every visitor: settings, the records and their
shapes (per theater, on demand), the stories, and the full texts of the corpus.

Nothing here is ever mutated after it is made, so sharing it is safe. A visitor's own
documents live in their session (:mod:`ui.library`), never here.
"""

from __future__ import annotations

import sys
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock

import streamlit as st

from geo.documents import DocumentError, ParsedDocument, read_document_file
from geo.documents.decode import SUFFIXES
from geo.errors import ValidationError
from geo.geometry import BuiltAtlas, build
from geo.records import Atlas, load_atlas
from geo.settings import Settings
from geo.stories import Story, load_stories
from geo.vocab import THEATERS

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return Settings.from_env()


def mode() -> str:
    """``local`` (a teacher's own machine, served on loopback) or ``public`` (anything else,
    and the default when the address is not known). ``ARMISTICE_MODE`` decides if set."""
    chosen = settings().mode
    if chosen is not None:
        return chosen
    address = str(st.get_option("server.address") or "").strip()
    return "local" if address in LOOPBACK else "public"


@st.cache_resource(show_spinner="Loading the records…")
def atlas(data_dir: str) -> Atlas:
    """The validated records (raises ValidationError); files parsed by an earlier server are
    read from the parse cache."""
    return load_atlas(Path(data_dir), cache_dir=settings().cache_dir)


@st.cache_resource(show_spinner="Building the lines…", max_entries=8)
def built(data_dir: str, theaters: tuple[str, ...]) -> BuiltAtlas:
    """The shapes of *theaters*, built once per process (and read from the disk cache when a
    previous process built the same records)."""
    t0 = time.perf_counter()
    result = build(atlas(data_dir), theaters, cache_dir=settings().cache_dir)
    # One line per build in the server log: the load test counts them.
    print(
        f"armistice-atlas: built {','.join(theaters)} ({len(result.shapes)} shapes, "
        f"{time.perf_counter() - t0:.2f} s)",
        file=sys.stderr,
        flush=True,
    )
    return result


def built_for(data_dir: str, theater: str | None) -> BuiltAtlas:
    """One theater's shapes, or both (``theater=None``)."""
    return built(data_dir, (theater,) if theater else tuple(THEATERS))


@st.cache_resource(show_spinner=False)
def stories(data_dir: str) -> tuple[dict[str, Story], tuple[str, ...]]:
    """The stories and, if any file is bad, its problems (the map works without stories)."""
    try:
        return load_stories(atlas(data_dir)), ()
    except ValidationError as exc:
        return {}, tuple(str(p) for p in exc.problems)


# ---------------------------------------------------------------------------------------
# the corpus of full texts


@dataclass(frozen=True)
class Corpus:
    """The full texts found in the corpus folder, matched to document records by id."""

    configured: bool  # a folder is set (or the default one exists)
    texts: dict[str, ParsedDocument] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # document id -> file name
    problems: tuple[str, ...] = ()  # "<file>: <reason>", one per unreadable file
    unmatched: tuple[str, ...] = ()  # files whose id no document record has
    missing: bool = False  # the folder does not exist

    @property
    def available(self) -> bool:
        return bool(self.texts)


_PARSED: OrderedDict[tuple[str, int, int, int], tuple[ParsedDocument | None, str]] = OrderedDict()
_PARSED_LOCK = Lock()
_PARSED_MAX = 512


def parsed_file(path: Path) -> tuple[ParsedDocument | None, str]:
    """A file's parse, cached by its signature (name, size, mtime, inode): a changed file is
    read again, an unchanged one never is. Returns (document, "") or (None, reason)."""
    try:
        st_ = path.stat()
    except OSError:
        return None, "cannot be read"
    key = (str(path), st_.st_size, st_.st_mtime_ns, st_.st_ino)
    with _PARSED_LOCK:
        if key in _PARSED:
            _PARSED.move_to_end(key)
            return _PARSED[key]
    try:
        doc, _ = read_document_file(path)
        result: tuple[ParsedDocument | None, str] = (doc, "")
    except DocumentError as exc:
        result = (None, exc.reason)
    with _PARSED_LOCK:
        _PARSED[key] = result
        while len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return result


def corpus(folder: Path | None, record_ids: frozenset[str]) -> Corpus:
    """Every document file in *folder*; a bad file is reported by name, the rest load."""
    if folder is None:
        return Corpus(configured=False)
    try:
        if not folder.is_dir():
            return Corpus(configured=True, missing=True)
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
    except OSError:
        return Corpus(configured=True, missing=True)
    texts: dict[str, ParsedDocument] = {}
    names: dict[str, str] = {}
    problems: list[str] = []
    unmatched: list[str] = []
    for file in files:
        if file.name.startswith(".") or not file.is_file():
            continue
        doc, reason = parsed_file(file)
        if doc is None:
            problems.append(f"{file.name}: {reason}")
        elif doc.id not in record_ids:
            unmatched.append(f"{file.name} (document {doc.id})")
        elif doc.id in texts:
            problems.append(
                f"{file.name}: a second text of document {doc.id} (kept {names[doc.id]})"
            )
        else:
            texts[doc.id] = doc
            names[doc.id] = file.name
    return Corpus(True, texts, names, tuple(problems), tuple(unmatched))
