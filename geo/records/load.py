"""Read the records (documents, places, lines and zones) and check them, collecting every problem.

Records are YAML written by people. Loading never stops at the first defect: every problem
is collected with its file, line and field, and :class:`~geo.errors.ValidationError`
carries them all. Recipes are checked here for *shape* (known keys, known place, unit and line
ids); :mod:`geo.geometry` turns them into shapes, :mod:`geo.validate` checks the whole atlas.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from geo.errors import Problem, ValidationError, rel
from geo.io import LineDict, LineList, ParseCache, iter_record_files, load_yaml, read_geojson
from geo.records.fields import Checker, kind
from geo.records.model import Atlas, Document, Evidence, Line, Place, Reference
from geo.settings import Settings
from geo.vocab import (
    CONFIDENCE,
    DOCUMENT_KINDS,
    KINDS,
    PARTIES,
    PLACE_KINDS,
    STATUSES,
    THEATERS,
)

RECIPES = (
    "parallel",
    "route",
    "river",
    "grid",
    "offset",
    "border",
    "buffer",
    "zone",
    "circle",
    "polygon",
    "same_as",
    "coordinates",
)
#: Archive numbers ("110145"), dated slugs, and FRUS/Avalon style ids ("frus1952-54v16-d752").
DOCUMENT_ID_RE = re.compile(r"^[0-9]{1,12}$|^[a-z0-9][a-z0-9-]{2,120}[a-z0-9]$")
ISO3_RE = re.compile(r"^[A-Z]{3}$")
MAX_EVIDENCE_WORDS = 12
DOCUMENT_DIR = "documents"


def load_atlas(
    data_dir: Path | str | None = None,
    *,
    max_record_bytes: int | None = None,
    cache_dir: Path | None = None,
) -> Atlas:
    """Read and validate every record under *data_dir* (default: the atlas's own data).

    With a *cache_dir*, files parsed by an earlier process are read from its parse cache
    (:class:`geo.io.ParseCache`); every check still runs on them.

    Raises
    ------
    ValidationError
        With every problem found, each naming its file and line.
    """
    settings = Settings.from_env() if data_dir is None or max_record_bytes is None else None
    data_dir = Path(data_dir) if data_dir is not None else settings.data_dir  # type: ignore[union-attr]
    limit = max_record_bytes if max_record_bytes is not None else settings.max_record_bytes  # type: ignore[union-attr]
    problems: list[Problem] = []
    root = data_dir.parent
    if not data_dir.is_dir():
        raise ValidationError([Problem(str(data_dir), 0, "data folder not found")])

    cache = ParseCache(_cache_file(cache_dir, data_dir)) if cache_dir is not None else None

    def many(folder: str, build: Callable[[LineDict, Checker, str], Any]) -> dict[str, Any]:
        return _load_many(data_dir / folder, build, problems, root, limit, cache)

    units = _load_units(data_dir, problems, root)
    documents = many(DOCUMENT_DIR, _document)
    places: dict[str, Place] = {}
    place_files = sorted(iter_record_files(data_dir / "places"))
    if not place_files:
        problems.append(Problem(rel(data_dir / "places", root), 0, "no gazetteer files found"))
    for path in place_files:
        for pid, place in _load_places(path, problems, root, limit, cache).items():
            if pid in places:
                problems.append(
                    Problem(
                        place.path,
                        place.line,
                        f"duplicate place id {pid!r} (also {places[pid].path})",
                        "id",
                    )
                )
            else:
                places[pid] = place
    lines = many("proposals", _proposal)
    for oid, rec in many("outcomes", _outcome).items():
        if oid in lines:
            problems.append(Problem(rec.path, 1, f"duplicate id {oid!r} (also {lines[oid].path})"))
        else:
            lines[oid] = rec

    if cache is not None:
        cache.save()
    atlas = Atlas(documents, places, lines, data_dir, frozenset(units))
    _cross_check(atlas, problems)
    if problems:
        raise ValidationError(problems)
    return atlas


def _cache_file(cache_dir: Path, data_dir: Path) -> Path:
    """One parse cache per records folder."""
    name = hashlib.blake2b(str(data_dir.resolve()).encode(), digest_size=10).hexdigest()
    return cache_dir / "records" / f"{name}.json"


def _load_units(data_dir: Path, problems: list[Problem], root: Path) -> set[str]:
    path = data_dir / "basemap" / "admin1.geojson"
    try:
        return {str(f["id"]) for f in read_geojson(path)["features"]}
    except (OSError, ValueError, KeyError) as exc:
        problems.append(Problem(rel(path, root), 0, f"cannot read basemap units: {exc}"))
        return set()


def _load_many(
    directory: Path,
    build: Callable[[LineDict, Checker, str], Any],
    problems: list[Problem],
    root: Path,
    limit: int,
    cache: ParseCache | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not directory.is_dir():
        problems.append(Problem(rel(directory, root), 0, "record folder not found"))
        return out
    for path in iter_record_files(directory):
        where = rel(path, root)
        doc, errs = load_yaml(path, max_bytes=limit, where=where, cache=cache)
        problems.extend(errs)
        if errs:
            continue
        chk = Checker(where, problems)
        d = chk.mapping(doc, 1, "a record")
        if d is None:
            continue
        rec = build(d, chk, where)
        if rec.id != path.stem:
            chk.add(d.line_of("id"), f"id {rec.id!r} must equal the file name {path.stem!r}", "id")
        if rec.id in out:
            chk.add(d.line_of("id"), f"duplicate id {rec.id!r} (also {out[rec.id].path})", "id")
            continue
        out[rec.id] = rec
    return out


# ---------------------------------------------------------------------------------------
# documents

_DOCUMENT_FIELDS = (
    "id",
    "kind",
    "title",
    "date",
    "from",
    "to",
    "citation",
    "url",
    "corpus_url",
    "archive",
    "collection",
    "publisher",
    "language",
    "translator",
    "theater",
    "summary",
    "id_note",
    "in_corpus",
    "supports",
)
_EVIDENCE_FIELDS = ("proposal", "evidence", "where", "read_at")


def _document(d: LineDict, chk: Checker, where: str) -> Document:
    chk.keys(
        d,
        _DOCUMENT_FIELDS,
        ("id", "kind", "title", "date", "citation", "url", "theater", "summary"),
    )
    in_corpus = chk.flag(d, "in_corpus")
    supports: list[Evidence] = []
    raw = d.get("supports")
    if raw is not None and not isinstance(raw, LineList):
        chk.add(d.line_of("supports"), "must be a list of {proposal, evidence, where}", "supports")
        raw = None
    for item, line in zip(raw or [], (raw.item_lines if raw else []), strict=False):
        e = chk.mapping(item, line, "a supports entry")
        if e is None:
            continue
        chk.keys(e, _EVIDENCE_FIELDS, ("proposal", "evidence", "where"))
        phrase = chk.text(e, "evidence")
        if len(phrase.split()) > MAX_EVIDENCE_WORDS:
            chk.add(
                e.line_of("evidence"),
                f"evidence has {len(phrase.split())} words; quote at most {MAX_EVIDENCE_WORDS}",
                "evidence",
            )
        read_at = chk.url(e, "read_at")
        if not in_corpus and not read_at:
            chk.add(
                e.line,
                "the document's full text is not in the corpus: say where the phrase was read "
                "(read_at: its address)",
                "read_at",
            )
        supports.append(Evidence(chk.text(e, "proposal"), phrase, chk.text(e, "where"), read_at))
    return Document(
        id=chk.ident(d, "id", DOCUMENT_ID_RE),
        kind=chk.choice(d, "kind", DOCUMENT_KINDS),
        title=chk.text(d, "title"),
        date=chk.date(d, "date"),
        sender=chk.text(d, "from", required=False),
        recipient=chk.text(d, "to", required=False),
        citation=chk.text(d, "citation"),
        url=chk.url(d, "url", required=True),
        corpus_url=chk.url(d, "corpus_url"),
        archive=chk.text(d, "archive", required=False),
        collection=chk.text(d, "collection", required=False),
        publisher=chk.text(d, "publisher", required=False),
        language=chk.text(d, "language", required=False),
        translator=chk.text(d, "translator", required=False),
        theater=chk.choice(d, "theater", THEATERS),
        summary=chk.text(d, "summary"),
        id_note=chk.text(d, "id_note", required=False),
        in_corpus=in_corpus,
        supports=tuple(supports),
        path=where,
        lines=dict(d.key_lines),
    )


# ---------------------------------------------------------------------------------------
# places

_PLACE_FIELDS = (
    "id",
    "name",
    "spellings",
    "aliases",
    "kind",
    "theater",
    "country",
    "lat",
    "lon",
    "precision_km",
    "confidence",
    "identification",
    "source",
    "documents",
    "geonames",
    "rank",
)


def _load_places(
    path: Path, problems: list[Problem], root: Path, limit: int, cache: ParseCache | None = None
) -> dict[str, Place]:
    where = rel(path, root)
    doc, errs = load_yaml(path, max_bytes=limit, where=where, cache=cache)
    problems.extend(errs)
    out: dict[str, Place] = {}
    if errs:
        return out
    chk = Checker(where, problems)
    if not isinstance(doc, LineList):
        chk.add(1, f"the gazetteer must be a list of places, got {kind(doc)}")
        return out
    for item, line in zip(doc, doc.item_lines, strict=True):
        d = chk.mapping(item, line, "a place")
        if d is None:
            continue
        chk.keys(
            d,
            _PLACE_FIELDS,
            ("id", "name", "kind", "theater", "lat", "lon", "precision_km", "confidence"),
        )
        for k in ("identification", "source"):
            if not str(d.get(k) or "").strip():
                chk.add(d.line, f"missing {k!r}: every coordinate needs a source note", k)
        rank = chk.number(d, "rank", lo=1, hi=4)
        place = Place(
            id=chk.ident(d, "id"),
            name=chk.text(d, "name"),
            spellings=chk.strings(d, "spellings"),
            aliases=chk.strings(d, "aliases"),
            kind=chk.choice(d, "kind", PLACE_KINDS),
            theater=chk.choice(d, "theater", THEATERS),
            country=chk.text(d, "country", required=False),
            lat=chk.number(d, "lat", lo=-90, hi=90),
            lon=chk.number(d, "lon", lo=-180, hi=180),
            precision_km=chk.number(d, "precision_km", lo=0.001, hi=500),
            confidence=chk.choice(d, "confidence", CONFIDENCE),
            identification=chk.text(d, "identification", required=False),
            source=chk.text(d, "source", required=False),
            documents=chk.strings(d, "documents"),
            geonames=chk.text(d, "geonames", required=False),
            rank=int(rank) if rank == rank else 3,  # NaN when absent
            path=where,
            line=d.line,
        )
        if place.id in out:
            chk.add(d.line_of("id"), f"duplicate place id {place.id!r}", "id")
            continue
        if place.id:
            out[place.id] = place
    return out


# ---------------------------------------------------------------------------------------
# lines and zones

_LINE_FIELDS = (
    "id",
    "title",
    "theater",
    "kind",
    "party",
    "date",
    "status",
    "sources",
    "precision_km",
    "summary",
    "inference",
    "geometry",
    "countries",
    "terms",
    "references",
)


def _line(d: LineDict, chk: Checker, where: str, record: str) -> Line:
    chk.keys(
        d,
        _LINE_FIELDS,
        ("id", "title", "theater", "kind", "party", "status", "precision_km", "summary"),
    )
    geom = chk.mapping(d.get("geometry"), d.line_of("geometry"), "geometry") or LineDict()
    chk.keys(geom, RECIPES, ())
    if len([k for k in geom if k in RECIPES]) != 1:
        chk.add(d.line_of("geometry"), f"geometry needs exactly one of {RECIPES}", "geometry")
    refs: list[Reference] = []
    raw = d.get("references")
    for item, line in zip(raw or [], getattr(raw, "item_lines", []), strict=False):
        r = chk.mapping(item, line, "a reference")
        if r is not None:
            chk.keys(r, ("title", "url"), ("title",))
            refs.append(Reference(chk.text(r, "title"), chk.url(r, "url")))
    status = chk.choice(d, "status", STATUSES)
    line_kind = chk.choice(d, "kind", KINDS)
    sources = chk.strings(d, "sources")
    date = chk.date(d, "date")
    if line_kind != "reference" and not date:
        chk.add(d.line, "missing required field 'date'", "date")
    if status != "reference" and not sources:
        chk.add(d.line, "a position needs at least one source document", "sources")
    inference = chk.text(d, "inference", required=False)
    if inference and not refs and not sources:
        chk.add(d.line_of("inference"), "an inferred shape must cite its sources", "references")
    return Line(
        id=chk.ident(d, "id"),
        title=chk.text(d, "title"),
        theater=chk.choice(d, "theater", THEATERS),
        kind=line_kind,
        party=chk.choice(d, "party", PARTIES),
        date=date,
        status=status,
        sources=sources,
        precision_km=chk.number(d, "precision_km", lo=0.001, hi=500),
        summary=chk.text(d, "summary"),
        inference=inference,
        geometry=geom,
        countries=chk.strings(d, "countries"),
        terms=chk.strings(d, "terms"),
        references=tuple(refs),
        record=record,
        path=where,
        lines=dict(d.key_lines),
    )


def _proposal(d: LineDict, chk: Checker, where: str) -> Line:
    return _line(d, chk, where, "proposal")


def _outcome(d: LineDict, chk: Checker, where: str) -> Line:
    rec = _line(d, chk, where, "outcome")
    if rec.status != "agreed":
        chk.add(d.line_of("status"), "an outcome's status must be 'agreed'", "status")
    return rec


# ---------------------------------------------------------------------------------------
# cross-record checks (both ways: a line's sources give evidence for it, and evidence names
# only lines that list the document)


def _cross_check(atlas: Atlas, problems: list[Problem]) -> None:
    def add(path: str, line: int, message: str, field: str) -> None:
        problems.append(Problem(path, line, message, field))

    for place in atlas.places.values():
        for did in place.documents:
            if did not in atlas.documents:
                add(
                    place.path,
                    place.line,
                    f"place {place.id!r} names unknown document {did!r}",
                    "documents",
                )
    for doc in atlas.documents.values():
        for ev in doc.supports:
            where = doc.line_of("supports")
            if ev.proposal not in atlas.lines:
                add(doc.path, where, f"supports unknown line {ev.proposal!r}", "supports")
            elif doc.id not in atlas.lines[ev.proposal].sources:
                add(
                    doc.path,
                    where,
                    f"gives evidence for {ev.proposal!r}, which does not list it in sources",
                    "supports",
                )
    for ln in atlas.lines.values():
        for did in ln.sources:
            if did not in atlas.documents:
                add(ln.path, ln.line_of("sources"), f"unknown document {did!r}", "sources")
            elif not any(ev.proposal == ln.id for ev in atlas.documents[did].supports):
                add(
                    ln.path,
                    ln.line_of("sources"),
                    f"document {did!r} has no evidence phrase for {ln.id!r}",
                    "sources",
                )
        for iso in ln.countries:
            if not ISO3_RE.match(iso):
                add(ln.path, ln.line_of("countries"), f"{iso!r} is not an ISO3 code", "countries")
        _check_recipe(atlas, ln, ln.geometry, problems)


#: Recipe keys that hold place ids (one or a list).
_PLACE_KEYS = ("via", "place", "hull_of", "from", "to", "near")


def _check_recipe(atlas: Atlas, ln: Line, geom: Mapping[str, Any], problems: list[Problem]) -> None:
    """Check ids inside a recipe (places, units, other lines); shapes are built later."""

    def bad(key: str, msg: str) -> None:
        line = geom.line_of(key) if isinstance(geom, LineDict) else 0
        problems.append(Problem(ln.path, line, msg, f"geometry.{key}"))

    def place_ids(key: str, value: Any) -> None:
        for pid in value if isinstance(value, list) else [value]:
            if not isinstance(pid, str) or pid not in atlas.places:
                bad(key, f"unknown place id {pid!r}")

    for key, spec in geom.items():
        if key not in RECIPES:
            continue
        if not isinstance(spec, dict):
            bad(key, f"{key} must be a mapping")
            continue
        for k in _PLACE_KEYS:
            if k in spec and key != "grid":
                place_ids(key, spec[k])
        if "of" in spec:
            other = atlas.lines.get(spec["of"]) if isinstance(spec["of"], str) else None
            if other is None:
                bad(key, f"unknown line id {spec['of']!r}")
            elif other.theater != ln.theater:
                bad(key, f"line {other.id!r} belongs to {other.theater}, not {ln.theater}")
        for unit in spec.get("units", []) or []:
            if atlas.units and unit not in atlas.units:
                bad(key, f"unknown admin-1 unit {unit!r}")
        for corridor in spec.get("corridors", []) or []:
            if not isinstance(corridor, dict) or not isinstance(corridor.get("km"), int | float):
                bad(key, "a corridor needs 'via' (places) and a number 'km'")
            else:
                place_ids(key, corridor.get("via"))
        for sub in spec.get("parts", []) or []:
            if isinstance(sub, dict):
                _check_recipe(atlas, ln, sub, problems)
        if key in ("buffer", "circle", "offset") and not isinstance(spec.get("km"), int | float):
            bad(key, f"{key} needs a number 'km'")
        if key == "parallel" and not isinstance(spec.get("lat"), int | float):
            bad(key, "parallel needs a number 'lat'")
        if key == "grid":
            _check_grid(atlas, spec, bad, place_ids)


def _check_grid(
    atlas: Atlas,
    spec: Mapping[str, Any],
    bad: Callable[[str, str], None],
    place_ids: Callable[[str, Any], None],
) -> None:
    refs = spec.get("refs")
    if not isinstance(refs, list) or len(refs) < 2:
        bad("grid", "a grid line needs a list 'refs' of at least two references")
        return
    for ref in refs:
        if not isinstance(ref, dict) or not isinstance(ref.get("ref"), str):
            bad("grid", "each grid reference needs 'ref' (as written in the source)")
            continue
        if ref.get("near") is not None:
            place_ids("grid", ref["near"])
        doc = ref.get("document")
        if doc is not None and doc not in atlas.documents:
            bad("grid", f"unknown document {doc!r}")
