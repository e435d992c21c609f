"""The records, as typed values: documents, places, lines and zones, and the atlas holding them.

Records are plain frozen data. Loading and validation live in :mod:`geo.records.load`; shapes
are built from the records' recipes by :mod:`geo.geometry`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.vocab import group_of, party_label, party_short


@dataclass(frozen=True)
class Evidence:
    """A short phrase of a document (at most 12 words) supporting a line, and where it stands.

    ``read_at`` is the address where the phrase was read, for documents whose full text is
    not in the corpus: every phrase can be checked by someone.
    """

    proposal: str
    phrase: str
    where: str
    read_at: str = ""


@dataclass(frozen=True)
class Document:
    """An archival source: a cable, telegram, memorandum, minutes, an agreement …"""

    id: str
    kind: str
    title: str
    date: str
    sender: str
    recipient: str
    citation: str
    url: str  # canonical address
    corpus_url: str  # the address printed in the corpus copy, where it differs
    archive: str  # holding archive and reference, e.g. "PRC FMA 206-00046-34, 140-142"
    collection: str  # the published collection, e.g. "FRUS 1952–1954, vol. XVI, doc. 752"
    publisher: (
        str  # who publishes it online (Wilson Center Digital Archive, Office of the Historian …)
    )
    language: str
    translator: str
    theater: str
    summary: str
    id_note: str
    in_corpus: bool  # its full text is one of the corpus files
    supports: tuple[Evidence, ...]
    path: str
    lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


#: The name older code and the public API knew documents by.
Cable = Document


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
    documents: tuple[str, ...]
    geonames: str = ""  # GeoNames id, or why GeoNames lacks it ("not in GeoNames: a village")
    rank: int = 3  # 1 = always labelled on the map … 4 = only when zoomed in
    path: str = ""
    line: int = 0

    @property
    def label(self) -> str:
        """Modern name with the source's spelling, e.g. ``Cheo Reo ("Jiao-yao [sic]")``."""
        if self.spellings and self.spellings[0] != self.name:
            return f'{self.name} ("{self.spellings[0]}")'
        return self.name

    def names(self) -> tuple[str, ...]:
        """Every way a text may write this place (source spellings first)."""
        return tuple(dict.fromkeys((*self.spellings, self.name, *self.aliases)))


@dataclass(frozen=True)
class Reference:
    """A published source other than the documents (secondary works, datasets)."""

    title: str
    url: str


@dataclass(frozen=True)
class Line:
    """A proposal, an outcome or a reference line: anything drawn from a recipe."""

    id: str
    title: str
    theater: str
    kind: str  # line | zone | reference
    party: str
    date: str  # ISO, "~" for approximate (EDTF)
    status: str
    sources: tuple[str, ...]  # document ids
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
    def day(self) -> dt.date | None:
        return dt.date.fromisoformat(self.date_iso) if self.date_iso else None

    @property
    def date_approximate(self) -> bool:
        return self.date != self.date_iso

    @property
    def party_label(self) -> str:
        return party_label(self.party)

    @property
    def party_short(self) -> str:
        return party_short(self.party)

    @property
    def group(self) -> str:
        return group_of(record=self.record, status=self.status, party=self.party)

    @property
    def is_position(self) -> bool:
        """A position of the negotiation (not a reference line or parallel)."""
        return self.status != "reference"


@dataclass
class Atlas:
    """All records, validated and cross-linked."""

    documents: dict[str, Document]
    places: dict[str, Place]
    lines: dict[str, Line]
    data_dir: Path
    units: frozenset[str] = field(default_factory=frozenset)

    @property
    def cables(self) -> dict[str, Document]:
        """The documents (older name, kept for the public API)."""
        return self.documents

    def lines_in(self, theater: str) -> list[Line]:
        """Records of *theater*: signed first, then by date and id, reference lines last."""
        return sorted(
            (ln for ln in self.lines.values() if ln.theater == theater),
            key=lambda ln: (_rank(ln), ln.date_iso or "9999", ln.id),
        )

    def places_in(self, theater: str) -> list[Place]:
        return [p for p in self.places.values() if p.theater == theater]

    def positions(self, theater: str) -> list[Line]:
        """The negotiation in *theater* as a sequence: every position by date (then id)."""
        return sorted(
            (ln for ln in self.lines.values() if ln.theater == theater and ln.is_position),
            key=lambda ln: (ln.date_iso or "9999", ln.record == "outcome", ln.id),
        )

    def name_maps(
        self, theater: str | None = None
    ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Place id -> names and line id -> key terms: the gazetteers for finding mentions
        in document texts (:func:`geo.documents.find_mentions`). With *theater*, only that
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

    def keys(self, theater: str) -> dict[str, str]:
        """The key letter of every position of *theater* (A, B, … by date, then id).

        The same letters on the web map, its legend, the static map and the handout, whatever
        subset a view shows; reference lines get none (they are labelled by latitude).
        """
        positions = sorted(
            (ln for ln in self.lines.values() if ln.theater == theater and ln.is_position),
            key=lambda ln: (ln.date_iso or "9999", ln.id),
        )
        return {ln.id: letters(i) for i, ln in enumerate(positions)}

    def parallel_lines(self, theater: str | None = None) -> dict[int, list[str]]:
        """Latitude -> the lines drawn on that parallel (its reference line and the proposals
        on it, ``same_as`` copies included), for linking "the 16th and 18th parallels"."""
        out: dict[int, list[str]] = {}
        for ln in self.lines.values():
            if theater is not None and ln.theater != theater:
                continue
            lat = self._parallel_of(ln, set())
            if lat is not None:
                out.setdefault(lat, []).append(ln.id)
        return out

    def _parallel_of(self, ln: Line, seen: set[str]) -> int | None:
        spec = ln.geometry.get("parallel")
        if isinstance(spec, Mapping) and isinstance(spec.get("lat"), int | float):
            lat = float(spec["lat"])
            return int(lat) if lat.is_integer() else None
        same = ln.geometry.get("same_as")
        if isinstance(same, Mapping) and same.get("of") in self.lines and ln.id not in seen:
            return self._parallel_of(self.lines[same["of"]], seen | {ln.id})
        return None

    def evidence_for(self, line_id: str) -> list[tuple[Document, Evidence]]:
        out: list[tuple[Document, Evidence]] = []
        for did in self.lines[line_id].sources:
            doc = self.documents[did]
            out.extend((doc, ev) for ev in doc.supports if ev.proposal == line_id)
        return out

    def documents_for(self, line_ids: list[str] | tuple[str, ...]) -> list[Document]:
        """The documents behind the given lines, each once, oldest first."""
        ids = {d for lid in line_ids if lid in self.lines for d in self.lines[lid].sources}
        return sorted((self.documents[d] for d in ids), key=lambda d: (d.date, d.id))


def _rank(line: Line) -> int:
    if line.status == "reference":
        return 2
    return 0 if line.record == "outcome" else 1


def letters(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (spreadsheet style)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out
