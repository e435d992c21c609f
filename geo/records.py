"""Typed records (cables, places, proposals, outcomes) and their validation.

Records are YAML written by people. Loading never stops at the first defect: every problem
is collected with its file, line and field, and :class:`~geo.errors.ValidationError`
carries them all. Geometry recipes are checked here for *shape* (known keys, known place
and unit ids); :mod:`geo.geometry` turns them into shapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date as _date
from pathlib import Path
from typing import Any

from geo.errors import Problem, ValidationError, rel
from geo.io import DATA_DIR, LineDict, LineList, iter_record_files, load_yaml, read_geojson

THEATERS = ("korea", "indochina")
THEATER_LABELS = {"korea": "Korea 1951–53", "indochina": "Indochina 1954"}
PARTIES = {
    "communist": "Korean People's Army / Chinese People's Volunteers",
    "un": "United Nations Command",
    "drv": "Democratic Republic of Vietnam",
    "prc": "People's Republic of China",
    "france": "France",
    "both": "Both sides (signed)",
    "none": "Reference (no party)",
}
STATUSES = ("proposed", "fallback", "agreed", "reference")
KINDS = ("line", "zone", "reference")
PLACE_KINDS = (
    "town",
    "region",
    "river",
    "pass",
    "bridge",
    "river-mouth",
    "border-crossing",
    "waypoint",
)
CONFIDENCE = ("high", "medium", "low")
RECIPES = ("parallel", "route", "border", "buffer", "zone", "circle", "polygon", "same_as")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
CABLE_ID_RE = re.compile(r"^[0-9]+$|^[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9-]+$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})([~?%]?)$")
ISO3_RE = re.compile(r"^[A-Z]{3}$")
HTTPS_RE = re.compile(r"^https://[^\s]+$")
MAX_EVIDENCE_WORDS = 12


@dataclass(frozen=True)
class Evidence:
    """A short phrase of a cable that supports a proposal, and where it stands."""

    proposal: str
    phrase: str
    where: str


@dataclass(frozen=True)
class Cable:
    id: str
    title: str
    date: str
    sender: str
    recipient: str
    citation: str
    url: str
    corpus_url: str
    archive: str
    language: str
    translator: str
    theater: str
    summary: str
    id_note: str
    supports: tuple[Evidence, ...]
    path: str
    lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    spellings: tuple[str, ...]
    aliases: tuple[str, ...]
    kind: str
    theater: str
    country: str
    lat: float
    lon: float
    precision_km: float
    confidence: str
    identification: str
    source: str
    cables: tuple[str, ...]
    path: str = ""
    line: int = 0

    @property
    def label(self) -> str:
        """Modern name with the cable's spelling, e.g. ``Cheo Reo ("Jiao-yao [sic]")``."""
        if self.spellings and self.spellings[0] != self.name:
            return f'{self.name} ("{self.spellings[0]}")'
        return self.name

    def names(self) -> tuple[str, ...]:
        """Every way a text may write this place (source spellings first)."""
        seen: dict[str, None] = {}
        for n in (*self.spellings, self.name, *self.aliases):
            seen.setdefault(n, None)
        return tuple(seen)


@dataclass(frozen=True)
class Reference:
    """A published source other than the cables (for outcomes and inferences)."""

    title: str
    url: str


@dataclass(frozen=True)
class Line:
    """A proposal, an outcome or a reference parallel: anything drawn from a recipe."""

    id: str
    title: str
    theater: str
    kind: str
    party: str
    date: str
    status: str
    sources: tuple[str, ...]
    precision_km: float
    summary: str
    inference: str
    geometry: Mapping[str, Any]
    countries: tuple[str, ...]
    terms: tuple[str, ...]
    references: tuple[Reference, ...]
    record: str  # "proposal" | "outcome"
    path: str
    lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)

    @property
    def inferred(self) -> bool:
        return bool(self.inference)

    @property
    def date_iso(self) -> str:
        return self.date.rstrip("~?%")

    @property
    def date_approximate(self) -> bool:
        return self.date != self.date_iso

    @property
    def party_label(self) -> str:
        return PARTIES.get(self.party, self.party)


@dataclass
class Atlas:
    """All records, validated and cross-linked."""

    cables: dict[str, Cable]
    places: dict[str, Place]
    lines: dict[str, Line]
    data_dir: Path
    units: frozenset[str] = field(default_factory=frozenset)

    def lines_in(self, theater: str) -> list[Line]:
        return [ln for ln in self.lines.values() if ln.theater == theater]

    def places_in(self, theater: str) -> list[Place]:
        return [p for p in self.places.values() if p.theater == theater]

    def name_maps(
        self, theater: str | None = None
    ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Place id -> names and line id -> key terms: the gazetteers for finding mentions
        in cable texts (:func:`geo.cables.find_mentions`). With *theater*, only that
        theater's records, and no waypoints (points that draw lines, not places a reader
        looks for)."""
        places = {
            p.id: list(p.names())
            for p in self.places.values()
            if theater is None or (p.theater == theater and p.kind != "waypoint")
        }
        proposals = {
            ln.id: list(ln.terms)
            for ln in self.lines.values()
            if ln.terms and (theater is None or ln.theater == theater)
        }
        return places, proposals

    def evidence_for(self, line_id: str) -> list[tuple[Cable, Evidence]]:
        out: list[tuple[Cable, Evidence]] = []
        for cid in self.lines[line_id].sources:
            cable = self.cables[cid]
            out.extend((cable, ev) for ev in cable.supports if ev.proposal == line_id)
        return out


# ---------------------------------------------------------------------------------------
# field checking


class _Checker:
    """Pulls typed fields out of a LineDict, recording problems instead of raising."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems

    def add(self, line: int, message: str, field_name: str = "") -> None:
        self.problems.append(Problem(self.path, line, message, field_name))

    def mapping(self, obj: Any, line: int, what: str) -> LineDict | None:
        if isinstance(obj, LineDict):
            return obj
        self.add(line, f"{what} must be a mapping, got {_kind(obj)}")
        return None

    def keys(self, d: LineDict, allowed: Iterable[str], required: Iterable[str]) -> None:
        allowed = set(allowed)
        for k in d:
            if k not in allowed:
                self.add(d.line_of(k), f"unknown field {k!r}", k)
        for k in required:
            if k not in d or d[k] is None or d[k] == "":
                self.add(d.line, f"missing required field {k!r}", k)

    def text(self, d: LineDict, key: str, *, required: bool = True, default: str = "") -> str:
        v = d.get(key)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            self.add(d.line_of(key), f"must be text, got {_kind(v)}", key)
            return default
        s = str(v).strip()
        if required and not s:
            self.add(d.line_of(key), "must not be empty", key)
        return s

    def number(
        self, d: LineDict, key: str, *, lo: float | None = None, hi: float | None = None
    ) -> float:
        v = d.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float):
            if v is not None:
                self.add(d.line_of(key), f"must be a number, got {_kind(v)}", key)
            return float("nan")
        x = float(v)
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            self.add(d.line_of(key), f"{x:g} is out of range [{lo}, {hi}]", key)
        return x

    def choice(self, d: LineDict, key: str, options: Iterable[str]) -> str:
        options = tuple(options)
        v = self.text(d, key, required=False)
        if v and v not in options:
            self.add(d.line_of(key), f"{v!r} is not one of {', '.join(options)}", key)
        return v

    def strings(self, d: LineDict, key: str) -> tuple[str, ...]:
        v = d.get(key)
        if v is None:
            return ()
        if not isinstance(v, list) or not all(isinstance(x, str | int) for x in v):
            self.add(d.line_of(key), f"must be a list of text, got {_kind(v)}", key)
            return ()
        return tuple(str(x) for x in v)

    def date(self, d: LineDict, key: str) -> str:
        v = self.text(d, key, required=False)
        if not v:
            return ""
        m = DATE_RE.match(v)
        if not m:
            self.add(d.line_of(key), f"{v!r} is not a date YYYY-MM-DD (EDTF ~ ? allowed)", key)
            return v
        try:
            _date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as exc:
            self.add(d.line_of(key), f"{v!r} is not a real date: {exc}", key)
        return v

    def ident(self, d: LineDict, key: str, pattern: re.Pattern[str] = ID_RE) -> str:
        v = self.text(d, key, required=False)
        if v and not pattern.match(v):
            self.add(d.line_of(key), f"id {v!r} must be lowercase letters, digits and '-'", key)
        return v


def _kind(v: Any) -> str:
    return "nothing" if v is None else type(v).__name__.replace("Line", "").lower()


# ---------------------------------------------------------------------------------------
# loading


def load_atlas(data_dir: Path | str = DATA_DIR) -> Atlas:
    """Read and validate every record under *data_dir*.

    Raises
    ------
    ValidationError
        With every problem found, each naming its file and line.
    """
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    root = data_dir.parent
    if not data_dir.is_dir():
        raise ValidationError([Problem(str(data_dir), 0, "data folder not found")])

    units = _load_units(data_dir, problems, root)
    cables = _load_many(data_dir / "cables", _cable, problems, root)
    places = _load_places(data_dir / "places.yaml", problems, root)
    lines = _load_many(data_dir / "proposals", _proposal, problems, root)
    outcomes = _load_many(data_dir / "outcomes", _outcome, problems, root)
    for oid, rec in outcomes.items():
        if oid in lines:
            problems.append(Problem(rec.path, 1, f"duplicate id {oid!r} (also {lines[oid].path})"))
        else:
            lines[oid] = rec

    atlas = Atlas(cables, places, lines, data_dir, frozenset(units))
    _cross_check(atlas, problems)
    if problems:
        raise ValidationError(problems)
    return atlas


def _load_units(data_dir: Path, problems: list[Problem], root: Path) -> set[str]:
    path = data_dir / "basemap" / "admin1.geojson"
    try:
        return {str(f["id"]) for f in read_geojson(path)["features"]}
    except (OSError, ValueError, KeyError) as exc:
        problems.append(Problem(rel(path, root), 0, f"cannot read basemap units: {exc}"))
        return set()


def _load_many(
    directory: Path,
    build: Callable[[LineDict, _Checker, str], Any],
    problems: list[Problem],
    root: Path,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not directory.is_dir():
        problems.append(Problem(rel(directory, root), 0, "record folder not found"))
        return out
    for path in iter_record_files(directory):
        where = rel(path, root)
        doc, errs = load_yaml(path, root=root)
        problems.extend(errs)
        if errs:
            continue
        chk = _Checker(where, problems)
        d = chk.mapping(doc, 1, "a record")
        if d is None:
            continue
        rec = build(d, chk, where)
        if rec is None:
            continue
        if rec.id != path.stem:
            chk.add(d.line_of("id"), f"id {rec.id!r} must equal the file name {path.stem!r}", "id")
        if rec.id in out:
            chk.add(d.line_of("id"), f"duplicate id {rec.id!r} (also {out[rec.id].path})", "id")
            continue
        out[rec.id] = rec
    return out


_CABLE_FIELDS = (
    "id",
    "title",
    "date",
    "from",
    "to",
    "citation",
    "url",
    "corpus_url",
    "archive",
    "language",
    "translator",
    "theater",
    "summary",
    "id_note",
    "supports",
)


def _cable(d: LineDict, chk: _Checker, where: str) -> Cable:
    chk.keys(d, _CABLE_FIELDS, ("id", "title", "date", "citation", "url", "theater", "summary"))
    cid = chk.ident(d, "id", CABLE_ID_RE)
    url = chk.text(d, "url")
    for key, value in (("url", url), ("corpus_url", chk.text(d, "corpus_url", required=False))):
        if value and not HTTPS_RE.match(value):
            chk.add(d.line_of(key), f"{value!r} must be an https:// address", key)
    supports: list[Evidence] = []
    raw = d.get("supports")
    if raw is not None and not isinstance(raw, LineList):
        chk.add(d.line_of("supports"), "must be a list of {proposal, evidence, where}", "supports")
        raw = None
    for item, line in zip(raw or [], (raw.item_lines if raw else []), strict=False):
        e = chk.mapping(item, line, "a supports entry")
        if e is None:
            continue
        chk.keys(e, ("proposal", "evidence", "where"), ("proposal", "evidence", "where"))
        phrase = chk.text(e, "evidence")
        if len(phrase.split()) > MAX_EVIDENCE_WORDS:
            chk.add(
                e.line_of("evidence"),
                f"evidence has {len(phrase.split())} words; quote at most {MAX_EVIDENCE_WORDS}",
                "evidence",
            )
        supports.append(Evidence(chk.text(e, "proposal"), phrase, chk.text(e, "where")))
    return Cable(
        id=cid,
        title=chk.text(d, "title"),
        date=chk.date(d, "date"),
        sender=chk.text(d, "from", required=False),
        recipient=chk.text(d, "to", required=False),
        citation=chk.text(d, "citation"),
        url=url,
        corpus_url=chk.text(d, "corpus_url", required=False),
        archive=chk.text(d, "archive", required=False),
        language=chk.text(d, "language", required=False),
        translator=chk.text(d, "translator", required=False),
        theater=chk.choice(d, "theater", THEATERS),
        summary=chk.text(d, "summary"),
        id_note=chk.text(d, "id_note", required=False),
        supports=tuple(supports),
        path=where,
        lines=dict(d.key_lines),
    )


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
    "cables",
)


def _load_places(path: Path, problems: list[Problem], root: Path) -> dict[str, Place]:
    where = rel(path, root)
    doc, errs = load_yaml(path, root=root)
    problems.extend(errs)
    out: dict[str, Place] = {}
    if errs:
        return out
    chk = _Checker(where, problems)
    if not isinstance(doc, LineList):
        chk.add(1, f"the gazetteer must be a list of places, got {_kind(doc)}")
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
            cables=chk.strings(d, "cables"),
            path=where,
            line=d.line,
        )
        if place.id in out:
            chk.add(d.line_of("id"), f"duplicate place id {place.id!r}", "id")
            continue
        if place.id:
            out[place.id] = place
    return out


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


def _line(d: LineDict, chk: _Checker, where: str, record: str) -> Line:
    chk.keys(
        d,
        _LINE_FIELDS,
        ("id", "title", "theater", "kind", "party", "status", "precision_km", "summary"),
    )
    chk.keys(d.get("geometry") or LineDict(), RECIPES, ())
    geom = chk.mapping(d.get("geometry"), d.line_of("geometry"), "geometry") or LineDict()
    recipes = [k for k in geom if k in RECIPES]
    if len(recipes) != 1:
        chk.add(d.line_of("geometry"), f"geometry needs exactly one of {RECIPES}", "geometry")
    refs: list[Reference] = []
    raw = d.get("references")
    for item, line in zip(raw or [], getattr(raw, "item_lines", []), strict=False):
        r = chk.mapping(item, line, "a reference")
        if r is not None:
            chk.keys(r, ("title", "url"), ("title",))
            ref_url = chk.text(r, "url", required=False)
            if ref_url and not HTTPS_RE.match(ref_url):
                chk.add(r.line_of("url"), f"{ref_url!r} must be an https:// address", "url")
            refs.append(Reference(chk.text(r, "title"), ref_url))
    status = chk.choice(d, "status", STATUSES)
    kind = chk.choice(d, "kind", KINDS)
    sources = chk.strings(d, "sources")
    date = chk.date(d, "date")
    if kind != "reference" and not date:
        chk.add(d.line, "missing required field 'date'", "date")
    if status in ("proposed", "fallback") and not sources:
        chk.add(d.line, "a proposal needs at least one source cable", "sources")
    if status == "agreed" and not (sources or refs):
        chk.add(d.line, "an outcome needs a source cable or a reference", "references")
    inference = chk.text(d, "inference", required=False)
    if inference and not refs:
        chk.add(d.line_of("inference"), "an inferred shape must cite references", "references")
    return Line(
        id=chk.ident(d, "id"),
        title=chk.text(d, "title"),
        theater=chk.choice(d, "theater", THEATERS),
        kind=kind,
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


def _proposal(d: LineDict, chk: _Checker, where: str) -> Line:
    return _line(d, chk, where, "proposal")


def _outcome(d: LineDict, chk: _Checker, where: str) -> Line:
    rec = _line(d, chk, where, "outcome")
    if rec.status != "agreed":
        chk.add(d.line_of("status"), "an outcome's status must be 'agreed'", "status")
    return rec


# ---------------------------------------------------------------------------------------
# cross-record checks


def _cross_check(atlas: Atlas, problems: list[Problem]) -> None:
    for place in atlas.places.values():
        for cid in place.cables:
            if cid not in atlas.cables:
                msg = f"place {place.id!r} names unknown cable {cid!r}"
                problems.append(Problem(place.path, place.line, msg, "cables"))
    for cable in atlas.cables.values():
        for ev in cable.supports:
            if ev.proposal not in atlas.lines:
                problems.append(
                    Problem(
                        cable.path,
                        cable.line_of("supports"),
                        f"supports unknown proposal {ev.proposal!r}",
                        "supports",
                    )
                )
            elif cable.id not in atlas.lines[ev.proposal].sources:
                problems.append(
                    Problem(
                        cable.path,
                        cable.line_of("supports"),
                        f"gives evidence for {ev.proposal!r}, which does not list it in sources",
                        "supports",
                    )
                )
    for ln in atlas.lines.values():
        for cid in ln.sources:
            if cid not in atlas.cables:
                problems.append(
                    Problem(ln.path, ln.line_of("sources"), f"unknown cable {cid!r}", "sources")
                )
            elif not any(ev.proposal == ln.id for ev in atlas.cables[cid].supports):
                problems.append(
                    Problem(
                        ln.path,
                        ln.line_of("sources"),
                        f"cable {cid!r} has no evidence phrase for {ln.id!r}",
                        "sources",
                    )
                )
        for iso in ln.countries:
            if not ISO3_RE.match(iso):
                msg = f"{iso!r} is not an ISO3 code"
                problems.append(Problem(ln.path, ln.line_of("countries"), msg, "countries"))
        _check_recipe(atlas, ln, ln.geometry, problems)


def _check_recipe(atlas: Atlas, ln: Line, geom: Mapping[str, Any], problems: list[Problem]) -> None:
    """Check ids inside a recipe (places, units, other lines); shapes are built later."""

    def bad(key: str, msg: str) -> None:
        line = geom.line_of(key) if isinstance(geom, LineDict) else 0
        problems.append(Problem(ln.path, line, msg, f"geometry.{key}"))

    def place_ids(key: str, value: Any) -> None:
        ids = value if isinstance(value, list) else [value]
        for pid in ids:
            if not isinstance(pid, str) or pid not in atlas.places:
                bad(key, f"unknown place id {pid!r}")

    for key, spec in geom.items():
        if key not in RECIPES:
            continue
        if not isinstance(spec, dict):
            bad(key, f"{key} must be a mapping")
            continue
        for k in ("via", "place", "hull_of"):
            if k in spec:
                place_ids(key, spec[k])
        if "of" in spec and spec["of"] not in atlas.lines:
            bad(key, f"unknown line id {spec['of']!r}")
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
        if key in ("buffer", "circle") and not isinstance(spec.get("km"), int | float):
            bad(key, f"{key} needs a number 'km'")
        if key == "parallel" and not isinstance(spec.get("lat"), int | float):
            bad(key, "parallel needs a number 'lat'")


def validate(data_dir: Path | str = DATA_DIR) -> list[Problem]:
    """All problems in the data (empty when valid); also builds every geometry and story."""
    try:
        atlas = load_atlas(data_dir)
    except ValidationError as exc:
        return exc.problems
    from geo.geometry import build_all
    from geo.stories import load_stories

    problems: list[Problem] = []
    try:
        build_all(atlas)
    except ValidationError as exc:
        problems.extend(exc.problems)
    try:
        load_stories(atlas)
    except ValidationError as exc:
        problems.extend(exc.problems)
    return sorted(problems)
