"""Things built once per process and shared by every session: atlas, shapes, corpus, files.

The atlas and its geometry are ``st.cache_resource`` (one copy, never mutated); exports and
standalone map pages are ``st.cache_data`` keyed by their options.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

import geo
from geo import render
from geo.cables import CableParseError, ParsedCable, read_cable_file
from ui.state import Catalog, catalog_from_atlas

APP_DIR = Path(__file__).resolve().parent.parent
VENDOR_DIR = APP_DIR / "static" / "vendor"
#: URL prefix under which Streamlit serves ``static/vendor`` (server.enableStaticServing).
ASSETS_URL = "/app/static/vendor"
CABLE_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class Resources:
    atlas: geo.Atlas
    built: dict[str, geo.Built]
    catalog: Catalog


@st.cache_resource(show_spinner="Loading the records and building every line…")
def load_resources(data_dir: str | None) -> Resources:
    """Validate the records and build every shape (raises geo.ValidationError)."""
    t0 = time.perf_counter()
    atlas = geo.load_atlas(data_dir) if data_dir else geo.load_atlas()
    built = geo.build_all(atlas)
    # One line per build in the server log: the load test counts them (one per process).
    print(
        f"armistice-atlas: atlas built ({len(built)} shapes, {time.perf_counter() - t0:.2f} s)",
        file=sys.stderr,
        flush=True,
    )
    return Resources(atlas, built, catalog_from_atlas(atlas, built))


@st.cache_resource
def install_vendor_assets() -> list[str]:
    """Copy Leaflet and jQuery next to the app so maps load them from this server."""
    return [str(p) for p in render.copy_vendor(VENDOR_DIR)]


@dataclass(frozen=True)
class Corpus:
    """The full cable texts found in a folder, matched to cable records by id."""

    folder: str | None
    source: str  # where the folder came from: --corpus, ARMISTICE_CORPUS or default
    texts: dict[str, ParsedCable] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # cable id -> file name
    problems: tuple[str, ...] = ()  # "<file>: <reason>", one per unreadable file
    unmatched: tuple[str, ...] = ()  # files whose id no cable record has
    missing: bool = False  # the folder does not exist

    @property
    def available(self) -> bool:
        return bool(self.texts)


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    try:
        return tuple(
            (p.name, p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir())
            if p.is_file()
        )
    except OSError:
        return ()


def load_corpus(folder: Path | None, source: str, cable_ids: frozenset[str]) -> Corpus:
    """Read every cable file in *folder*; a bad file is reported by name, the rest load."""
    if folder is None:
        return Corpus(None, source)
    return _load_corpus(str(folder), source, cable_ids, _signature(folder))


@st.cache_resource(show_spinner=False)
def _load_corpus(
    folder: str,
    source: str,
    cable_ids: frozenset[str],
    signature: tuple[tuple[str, int, int], ...],
) -> Corpus:
    # *signature* (names, sizes, mtimes) is only part of the cache key: edit a file and
    # the folder is read again.
    path = Path(folder)
    if not path.is_dir():
        return Corpus(folder, source, missing=True)
    texts: dict[str, ParsedCable] = {}
    files: dict[str, str] = {}
    problems: list[str] = []
    unmatched: list[str] = []
    for file in sorted(path.iterdir()):
        if file.name.startswith(".") or file.suffix.lower() not in CABLE_SUFFIXES:
            continue
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                cable = read_cable_file(file)
        except CableParseError as exc:
            problems.append(f"{file.name}: {exc.reason}")
            continue
        except Exception as exc:  # a parser bug must not take the other texts down
            problems.append(f"{file.name}: could not be read ({type(exc).__name__}: {exc})")
            continue
        problems.extend(str(w.message) for w in caught)
        if cable.id not in cable_ids:
            unmatched.append(f"{file.name} (document {cable.id})")
            continue
        if cable.id in texts:
            kept = files[cable.id]
            problems.append(f"{file.name}: a second text of cable {cable.id} (kept {kept})")
            continue
        texts[cable.id] = cable
        files[cable.id] = file.name
    return Corpus(folder, source, texts, files, tuple(problems), tuple(unmatched))


# ---------------------------------------------------------------------------------------
# downloads


@st.cache_data(show_spinner=False)
def geojson_bytes(data_dir: str | None, theater: str | None) -> bytes:
    atlas = load_resources(data_dir).atlas
    fc = geo.to_feature_collection(atlas, theater=theater, with_places=True)
    return json.dumps(fc, ensure_ascii=False, indent=1).encode("utf-8")


@st.cache_data(show_spinner=False)
def csv_bytes(data_dir: str | None, theater: str | None) -> bytes:
    return geo.to_csv(load_resources(data_dir).atlas, theater=theater).encode("utf-8")


@st.cache_data(show_spinner="Writing a standalone map page…", max_entries=16)
def standalone_map_html(
    data_dir: str | None, theater: str, layers: tuple[str, ...] | None, halo: bool, places: bool
) -> bytes:
    """A single offline HTML file of the current map (Leaflet inlined) for slides and USB
    sticks; cached per options because it is ~1 MB of text."""
    atlas = load_resources(data_dir).atlas
    options = render.MapOptions(theater, layers=layers, halo=halo, places=places)
    return render.render_html(atlas, options).encode("utf-8")
