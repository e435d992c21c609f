"""Build every record's shape once and hand the result down: :class:`BuiltAtlas`.

Outputs (maps, tables, the handout, comparisons) take a :class:`BuiltAtlas` and never build
anything themselves. A theater is built on demand; its shapes are also kept on disk, keyed by
a hash of everything they depend on (the theater's records, the gazetteer, the basemap files
and this code's format number), so a restarted app or a second process reads them back
instead of building again. The cache holds WKB and numbers (JSON), never pickles: a cache
folder another user can write to cannot run code here.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.errors import Problem, ValidationError
from geo.geometry.basemap import Basemap, load_basemap
from geo.geometry.recipes import Builder, Made, references_of
from geo.measure import area_km2, length_km
from geo.records.model import Atlas, Line
from geo.vocab import THEATERS

#: Bump when the cache file's layout changes. (A change to the code that makes shapes needs no
#: bump: the source of those modules is part of the key, see :func:`_code_hash`.)
SHAPES_FORMAT = 3
#: The modules whose code decides what a recipe draws.
_SHAPE_CODE = ("recipes.py", "rivers.py", "build.py", "basemap.py", "../grid.py", "../measure.py")


@dataclass(frozen=True)
class Shape:
    """A record's geometry and measures."""

    id: str
    geometry: BaseGeometry  # what is drawn (clipped to land)
    divider: LineString | None  # for lines: extended, unclipped, west -> east
    length_km: float
    area_km2: float

    @property
    def is_line(self) -> bool:
        return self.divider is not None


@dataclass(frozen=True)
class BuiltAtlas:
    """The records with the shapes of the theaters built so far: what every output takes."""

    atlas: Atlas
    basemap: Basemap
    shapes: Mapping[str, Shape]
    theaters: frozenset[str] = field(default_factory=frozenset)

    def __getitem__(self, line_id: str) -> Shape:
        return self.shapes[line_id]

    def __contains__(self, line_id: object) -> bool:
        return line_id in self.shapes

    def lines_in(self, theater: str) -> list[Line]:
        return [ln for ln in self.atlas.lines_in(theater) if ln.id in self.shapes]


def build(
    atlas: Atlas,
    theaters: Iterable[str] | None = None,
    *,
    cache_dir: Path | None = None,
    basemap: Basemap | None = None,
) -> BuiltAtlas:
    """Build the shapes of *theaters* (default: all).

    Raises
    ------
    ValidationError
        With one problem per record whose recipe cannot be built.
    """
    wanted = sorted(set(theaters) if theaters is not None else set(THEATERS))
    base = basemap or load_basemap(atlas.data_dir)
    shapes: dict[str, Shape] = {}
    problems: list[Problem] = []
    for theater in wanted:
        lines = [ln for ln in atlas.lines.values() if ln.theater == theater]
        key = _cache_key(atlas, theater, lines)
        cached = _read_cache(cache_dir, theater, key) if cache_dir else None
        if cached is not None and set(cached) == {ln.id for ln in lines}:
            shapes.update(cached)
            continue
        built, errs = _build_theater(atlas, base, lines)
        problems.extend(errs)
        shapes.update(built)
        if cache_dir and not errs:
            _write_cache(cache_dir, theater, key, built)
    if problems:
        raise ValidationError(problems)
    return BuiltAtlas(atlas, base, shapes, frozenset(wanted))


def _build_theater(
    atlas: Atlas, base: Basemap, lines: list[Line]
) -> tuple[dict[str, Shape], list[Problem]]:
    done: dict[str, Made] = {}
    failed: set[str] = set()
    problems: list[Problem] = []
    building: list[str] = []

    def lookup(line_id: str) -> Made:
        if line_id in done:
            return done[line_id]
        line = atlas.lines[line_id]
        if line_id in building:
            cycle = " -> ".join([*building, line_id])
            raise ValidationError(
                [
                    Problem(
                        line.path,
                        line.line_of("geometry"),
                        f"recipes refer to each other in a circle: {cycle}",
                        "geometry",
                    )
                ]
            )
        building.append(line_id)
        try:
            done[line_id] = Builder(atlas, base, line, lookup).build(line.geometry)
        finally:
            building.pop()
        return done[line_id]

    # Records others are made from first, so an error is reported at its own record.
    referenced = _referenced(lines)
    order = sorted(lines, key=lambda ln: (ln.id not in referenced, ln.id))
    for line in order:
        if line.id in done or line.id in failed:
            continue
        try:
            lookup(line.id)
        except ValidationError as exc:
            problems.extend(exc.problems)
            failed.add(line.id)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(
                Problem(line.path, line.line_of("geometry"), f"cannot build: {exc}", "geometry")
            )
            failed.add(line.id)
    shapes = {lid: _shape(lid, geom, div) for lid, (geom, div) in done.items()}
    return shapes, problems


def _referenced(lines: list[Line]) -> set[str]:
    """The ids other records' recipes refer to (one pass: linear in the records)."""
    return {ref for ln in lines for ref in references_of(ln.geometry)}


def _shape(line_id: str, geom: BaseGeometry, divider: LineString | None) -> Shape:
    is_line = divider is not None
    return Shape(
        id=line_id,
        geometry=geom,
        divider=divider,
        length_km=length_km(geom) if is_line else 0.0,
        area_km2=0.0 if is_line else area_km2(geom),
    )


# ---------------------------------------------------------------------------------------
# the disk cache


@functools.cache
def _code_hash() -> str:
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in _SHAPE_CODE:
        h.update((here / name).read_bytes())
    return h.hexdigest()


def _cache_key(atlas: Atlas, theater: str, lines: list[Line]) -> str:
    """A hash of everything the theater's shapes depend on: the records, the gazetteer, the
    basemap files and the code that draws them."""
    h = hashlib.sha256(f"shapes/{SHAPES_FORMAT}/{_code_hash()}/{theater}".encode())
    for ln in sorted(lines, key=lambda ln: ln.id):
        h.update(
            json.dumps([ln.id, ln.geometry, ln.countries], sort_keys=True, default=str).encode()
        )
    for p in sorted(atlas.places.values(), key=lambda p: p.id):
        h.update(f"{p.id}:{p.lon!r}:{p.lat!r};".encode())
    for name in ("countries.geojson", "admin1.geojson", "borders.geojson", "rivers.geojson"):
        path = atlas.data_dir / "basemap" / name
        if path.is_file():
            st = path.stat()
            h.update(f"{name}:{st.st_size}:{_file_hash(path)}".encode())
    return h.hexdigest()[:32]


_FILE_HASHES: dict[tuple[str, int, int], str] = {}


def _file_hash(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _FILE_HASHES:
        _FILE_HASHES[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _FILE_HASHES[key]


def _cache_file(cache_dir: Path, theater: str, key: str) -> Path:
    return cache_dir / "shapes" / f"{theater}-{key}.json"


def _read_cache(cache_dir: Path, theater: str, key: str) -> dict[str, Shape] | None:
    try:
        data: dict[str, Any] = json.loads(_cache_file(cache_dir, theater, key).read_text())
        out = {}
        for lid, rec in data["shapes"].items():
            divider = shapely.from_wkb(rec["divider"]) if rec["divider"] else None
            out[lid] = Shape(
                lid,
                shapely.from_wkb(rec["geometry"]),
                divider,
                float(rec["length_km"]),
                float(rec["area_km2"]),
            )
        return out
    except (OSError, ValueError, KeyError, TypeError, AttributeError, shapely.errors.ShapelyError):
        return None  # absent, old or damaged: build again


def _write_cache(cache_dir: Path, theater: str, key: str, shapes: Mapping[str, Shape]) -> None:
    data = {
        "shapes": {
            lid: {
                "geometry": shapely.to_wkb(s.geometry, hex=True),
                "divider": shapely.to_wkb(s.divider, hex=True) if s.divider is not None else None,
                "length_km": s.length_km,
                "area_km2": s.area_km2,
            }
            for lid, s in shapes.items()
        }
    }
    target = _cache_file(cache_dir, theater, key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only cache is no cache, not an error
