"""The records as data files: RFC 7946 GeoJSON, CSV, GeoPackage and Shapefile.

Every exported line or zone carries its provenance: the documents it rests on (citation,
canonical address, date, kind) and its published references, so a file passed on without the
atlas still says where each shape comes from. GeoPackage and Shapefile (for QGIS and ArcGIS)
are written with geopandas/pyogrio; their flat attribute tables hold the same provenance as
text columns.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping

from geo.errors import AtlasError
from geo.geometry.build import BuiltAtlas
from geo.records.model import Atlas, Line, Place
from geo.vocab import THEATERS

COORD_DECIMALS = 5
FORMATS = ("geojson", "csv", "gpkg", "shp")


def document_ref(atlas: Atlas, doc_id: str) -> dict[str, Any]:
    """A document as exported: enough to find and cite it without the atlas."""
    d = atlas.documents[doc_id]
    return {
        "id": d.id,
        "kind": d.kind,
        "title": d.title,
        "date": d.date,
        "citation": " ".join(d.citation.split()),
        "url": d.url,
        "collection": d.collection or None,
        "archive": d.archive or None,
    }


def line_properties(built: BuiltAtlas, line: Line) -> dict[str, Any]:
    shape = built[line.id]
    atlas = built.atlas
    props: dict[str, Any] = {
        "id": line.id,
        "title": line.title,
        "theater": line.theater,
        "kind": line.kind,
        "record": line.record,
        "party": line.party,
        "party_label": line.party_label,
        "date": line.date_iso or None,
        "date_approximate": line.date_approximate,
        "status": line.status,
        "sources": [document_ref(atlas, d) for d in line.sources],
        "evidence": [
            {
                "document": doc.id,
                "phrase": ev.phrase,
                "where": ev.where,
                "read_at": ev.read_at or None,
            }
            for doc, ev in atlas.evidence_for(line.id)
        ],
        "references": [{"title": r.title, "url": r.url or None} for r in line.references],
        "precision_km": line.precision_km,
        "inferred": line.inferred,
        "inference": line.inference or None,
        "summary": line.summary,
    }
    if shape.is_line:
        props["length_km"] = round(shape.length_km, 1)
    else:
        props["area_km2"] = round(shape.area_km2, 0)
    return props


def place_properties(atlas: Atlas, place: Place) -> dict[str, Any]:
    return {
        "id": place.id,
        "title": place.label,
        "theater": place.theater,
        "kind": "point",
        "place_kind": place.kind,
        "name": place.name,
        "spellings": list(place.spellings),
        "identification": place.identification,
        "coordinate_source": place.source,
        "precision_km": place.precision_km,
        "confidence": place.confidence,
        "sources": [document_ref(atlas, d) for d in place.documents],
    }


def _geometry(geom: Any) -> dict[str, Any]:
    rounded = shapely.set_precision(geom, 10**-COORD_DECIMALS)
    out: dict[str, Any] = json.loads(json.dumps(mapping(rounded)))
    return out


def _check_theater(built: BuiltAtlas, theater: str | None) -> None:
    if theater is not None and theater not in THEATERS:
        raise AtlasError(f"unknown theater {theater!r}; choose {' or '.join(THEATERS)}")
    wanted = {theater} if theater else set(THEATERS)
    if not wanted <= built.theaters:
        raise AtlasError(
            f"the shapes of {', '.join(sorted(wanted - built.theaters))} are not built"
        )


def to_feature_collection(
    built: BuiltAtlas,
    *,
    theater: str | None = None,
    with_places: bool = False,
    ids: set[str] | None = None,
) -> dict[str, Any]:
    """One feature per line, zone and reference line (and optionally per place)."""
    _check_theater(built, theater)
    atlas = built.atlas
    features: list[dict[str, Any]] = []
    for line in sorted(atlas.lines.values(), key=lambda ln: (ln.theater, ln.date_iso, ln.id)):
        if (theater and line.theater != theater) or (ids is not None and line.id not in ids):
            continue
        features.append(
            {
                "type": "Feature",
                "id": line.id,
                "properties": line_properties(built, line),
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
                    "properties": place_properties(atlas, place),
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
    "source_urls",
    "references",
    "precision_km",
    "length_km",
    "area_km2",
    "inferred",
)


def flat_row(props: dict[str, Any]) -> dict[str, Any]:
    """A feature's properties as one flat row (CSV, GeoPackage and Shapefile attributes)."""
    row = dict(props)
    sources = props.get("sources") or []
    row["sources"] = "; ".join(s["citation"] for s in sources)
    row["source_urls"] = " ".join(s["url"] for s in sources if s.get("url"))
    row["references"] = "; ".join(
        f"{r['title']} {r['url'] or ''}".strip() for r in props.get("references") or []
    )
    row.pop("evidence", None)
    row.pop("spellings", None)
    return row


def to_csv(built: BuiltAtlas, *, theater: str | None = None, ids: set[str] | None = None) -> str:
    """The lines' table as CSV (one row per record, no geometry)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for feat in to_feature_collection(built, theater=theater, ids=ids)["features"]:
        writer.writerow(flat_row(feat["properties"]))
    return buf.getvalue()


#: Shapefile (dBASE) text fields hold at most 254 characters.
SHP_TEXT_MAX = 254


def _fit(text: str, limit: int = SHP_TEXT_MAX) -> str:
    """*text* cut at its last separator before *limit* bytes of UTF-8 (the Shapefile's limit;
    "°" or "ả" take two or three), marked with "…" (never mid-address); the GeoPackage keeps
    everything."""
    if len(text.encode("utf-8")) <= limit:
        return text
    mark = " …"
    room = limit - len(mark.encode("utf-8"))
    head = text.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    cut = max(head.rfind(sep) for sep in ("; ", " "))
    return head[: cut if cut > 0 else len(head)].rstrip(" ;") + mark


#: Shapefile field names are at most 10 characters.
_SHP_NAMES = {
    "party_label": "party_lbl",
    "date_approximate": "date_appr",
    "precision_km": "precis_km",
    "source_urls": "src_urls",
    "references": "refs",
    "inference": "inferenc",
}


def write_vector(
    built: BuiltAtlas,
    path: Path,
    *,
    fmt: str,
    theater: str | None = None,
    with_places: bool = False,
) -> int:
    """Write a GeoPackage (layers ``lines``, ``zones``, ``places``) or a Shapefile set (one
    file per geometry kind) that GDAL reads back; returns the number of features written.

    A Shapefile's text fields stop at 254 characters: longer ones (many sources) are cut at a
    separator and end in "…"; the GeoPackage and GeoJSON keep every source whole."""
    import geopandas as gpd

    fc = to_feature_collection(built, theater=theater, with_places=with_places)
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in fc["features"]:
        kind = f["properties"]["kind"]
        layer = "places" if kind == "point" else "zones" if kind == "zone" else "lines"
        row = {k: v for k, v in flat_row(f["properties"]).items() if not isinstance(v, list | dict)}
        row["geometry"] = shapely.geometry.shape(f["geometry"])
        groups.setdefault(layer, []).append(row)
    if fmt == "gpkg":
        path.unlink(missing_ok=True)  # a new file: no layer of an earlier export survives
    written = 0
    for layer, rows in groups.items():
        frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
        if fmt == "gpkg":
            frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        elif fmt == "shp":
            target = path.with_name(f"{path.stem}-{layer}.shp")
            for column in frame.columns:
                if column != "geometry":  # text columns: "object" or pandas 3's "str" dtype
                    frame[column] = frame[column].map(
                        lambda v: _fit(v) if isinstance(v, str) else v
                    )
            frame.rename(columns=_SHP_NAMES).to_file(
                target, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8"
            )
        else:
            raise AtlasError(f"unknown vector format {fmt!r}")
        written += len(rows)
    return written


def _md_cell(text: str) -> str:
    """One Markdown table cell: a single line, pipes and markup characters escaped."""
    out = " ".join(str(text).split())
    for ch in "\\|*_`[]<>":
        out = out.replace(ch, "\\" + ch)
    return out


def positions_markdown(atlas: Atlas) -> str:
    """Every position of every theater as Markdown tables (the README's list of positions).

    One table per theater, in the order of the negotiation (``Atlas.positions``), with the key
    letter used on the maps, the date, party, status, record id and the documents it rests on.
    """
    parts: list[str] = []
    for theater, info in THEATERS.items():
        positions = atlas.positions(theater)
        if not positions:
            continue
        keys = atlas.keys(theater)
        parts.append(f"### {_md_cell(info.label)}\n")
        parts.append("| key | date | party | status | position | id | documents |")
        parts.append("|---|---|---|---|---|---|---|")
        for ln in positions:
            date = (ln.date_iso or "undated") + (" (approx.)" if ln.date_approximate else "")
            docs = ", ".join(_md_cell(d) for d in ln.sources)
            parts.append(
                f"| {keys.get(ln.id, '')} | {date} | {_md_cell(ln.party_label)} | {ln.status} "
                f"| {_md_cell(ln.title)} | `{ln.id}` | {docs} |"
            )
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"
