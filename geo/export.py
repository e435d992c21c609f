"""Records and their built shapes as an RFC 7946 GeoJSON FeatureCollection (and CSV rows)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import shapely
from shapely.geometry import mapping

from geo.geometry import build_all
from geo.records import THEATERS, Atlas, Line, Place

COORD_DECIMALS = 5


def _kind(line: Line) -> str:
    return line.kind  # line | zone | reference


def line_properties(atlas: Atlas, line: Line) -> dict[str, Any]:
    built = build_all(atlas)[line.id]
    props: dict[str, Any] = {
        "id": line.id,
        "title": line.title,
        "theater": line.theater,
        "kind": _kind(line),
        "record": line.record,
        "party": line.party,
        "party_label": line.party_label,
        "date": line.date_iso or None,
        "date_approximate": line.date_approximate,
        "status": line.status,
        "sources": list(line.sources),
        "precision_km": line.precision_km,
        "inferred": line.inferred,
        "summary": line.summary,
    }
    if built.is_line:
        props["length_km"] = round(built.length_km, 1)
    else:
        props["area_km2"] = round(built.area_km2, 0)
    return props


def place_properties(place: Place) -> dict[str, Any]:
    return {
        "id": place.id,
        "title": place.label,
        "theater": place.theater,
        "kind": "point",
        "name": place.name,
        "spellings": list(place.spellings),
        "precision_km": place.precision_km,
        "confidence": place.confidence,
        "sources": list(place.cables),
    }


def _geometry(geom: Any) -> dict[str, Any]:
    rounded = shapely.set_precision(geom, 10**-COORD_DECIMALS)
    out: dict[str, Any] = json.loads(json.dumps(mapping(rounded)))
    return out


def to_feature_collection(
    atlas: Atlas, *, theater: str | None = None, with_places: bool = False
) -> dict[str, Any]:
    """One feature per proposal, outcome and reference line (and optionally per place)."""
    if theater is not None and theater not in THEATERS:
        raise ValueError(f"unknown theater {theater!r}; choose {' or '.join(THEATERS)}")
    built = build_all(atlas)
    features: list[dict[str, Any]] = []
    for line in sorted(atlas.lines.values(), key=lambda ln: (ln.theater, ln.date_iso, ln.id)):
        if theater and line.theater != theater:
            continue
        features.append(
            {
                "type": "Feature",
                "id": line.id,
                "properties": line_properties(atlas, line),
                "geometry": _geometry(built[line.id].geometry),
            }
        )
    if with_places:
        for place in sorted(atlas.places.values(), key=lambda p: p.id):
            if theater and place.theater != theater:
                continue
            features.append(
                {
                    "type": "Feature",
                    "id": place.id,
                    "properties": place_properties(place),
                    "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                }
            )
    return {"type": "FeatureCollection", "features": features}


CSV_FIELDS = (
    "id",
    "title",
    "theater",
    "kind",
    "party",
    "date",
    "status",
    "sources",
    "precision_km",
    "length_km",
    "area_km2",
    "inferred",
)


def to_csv(atlas: Atlas, *, theater: str | None = None) -> str:
    """The lines' table as CSV (one row per record, no geometry)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for feat in to_feature_collection(atlas, theater=theater)["features"]:
        row = dict(feat["properties"])
        row["sources"] = " ".join(row["sources"])
        writer.writerow(row)
    return buf.getvalue()
