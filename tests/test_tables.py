"""The records as data files (GeoJSON, CSV, GeoPackage, Shapefile), each shape with the
documents it rests on."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyogrio
import pytest
import shapely
from shapely.geometry import shape

from geo import AtlasError, BuiltAtlas, build
from geo.measure import area_km2
from geo.outputs.tables import CSV_FIELDS, to_csv, to_feature_collection, write_vector

GENEVA_AGREEMENT = "geneva-1954-vietnam-agreement"
AVALON_GENEVA = "https://avalon.law.yale.edu/20th_century/inch002.asp"


@pytest.fixture(scope="module")
def features(built: BuiltAtlas) -> dict[str, dict[str, Any]]:
    fc = to_feature_collection(built, with_places=True)
    return {f["id"]: f for f in fc["features"]}


def test_one_feature_per_record_and_place(built: BuiltAtlas, features: dict[str, Any]) -> None:
    atlas = built.atlas
    assert set(features) == set(atlas.lines) | set(atlas.places)
    fc = to_feature_collection(built)
    assert fc["type"] == "FeatureCollection" and "crs" not in fc  # RFC 7946: WGS84 implied
    assert {f["id"] for f in fc["features"]} == set(atlas.lines)


def test_every_position_names_its_documents(built: BuiltAtlas, features: dict[str, Any]) -> None:
    for line in built.atlas.lines.values():
        props = features[line.id]["properties"]
        assert [s["id"] for s in props["sources"]] == list(line.sources), line.id
        for source in props["sources"]:
            doc = built.atlas.documents[source["id"]]
            assert source["url"] == doc.url and source["url"].startswith("https://")
            assert source["kind"] == doc.kind and source["date"] == doc.date
            assert source["citation"] == " ".join(doc.citation.split())
            assert "\n" not in source["citation"]
        if line.is_position:
            assert props["sources"], line.id
            assert {e["document"] for e in props["evidence"]} == set(line.sources), line.id
        assert [r["title"] for r in props["references"]] == [r.title for r in line.references]


def test_the_signed_geneva_line_cites_the_agreement(features: dict[str, Any]) -> None:
    props = features["vn-1954-geneva-line"]["properties"]
    (source,) = props["sources"]
    assert source["id"] == GENEVA_AGREEMENT and source["kind"] == "agreement"
    assert source["url"] == AVALON_GENEVA and source["date"] == "1954-07-20"
    assert props["evidence"] and all(e["document"] == GENEVA_AGREEMENT for e in props["evidence"])
    # the agreement's text is not in the corpus: each phrase says where it was read
    assert all(e["read_at"] and e["read_at"].startswith("https://") for e in props["evidence"])
    assert props["record"] == "outcome" and props["status"] == "agreed"
    assert props["length_km"] > 50 and "area_km2" not in props


def test_places_carry_their_documents(built: BuiltAtlas, features: dict[str, Any]) -> None:
    for place in built.atlas.places.values():
        feat = features[place.id]
        assert feat["geometry"] == {"type": "Point", "coordinates": [place.lon, place.lat]}
        props = feat["properties"]
        assert props["kind"] == "point" and props["place_kind"] == place.kind
        assert [s["id"] for s in props["sources"]] == list(place.documents)


def test_geometries_are_lon_lat_and_rounded(built: BuiltAtlas, features: dict[str, Any]) -> None:
    for line in built.atlas.lines.values():
        geom = features[line.id]["geometry"]
        x0, y0, x1, y1 = shapely.bounds(shape(geom))
        assert (x0, y0) >= (90, 0) and (x1, y1) <= (140, 50), line.id  # lon first
        for x, y in shapely.get_coordinates(shape(geom)):
            assert round(x, 5) == pytest.approx(x, abs=1e-9) and round(y, 5) == pytest.approx(y)
        # rounding to ~1 m changes nothing a reader could see
        assert shape(geom).hausdorff_distance(built[line.id].geometry) < 1e-4, line.id


def test_measures_round_the_built_shapes(built: BuiltAtlas, features: dict[str, Any]) -> None:
    for line in built.atlas.lines.values():
        props, s = features[line.id]["properties"], built[line.id]
        if s.is_line:
            assert props["length_km"] == round(s.length_km, 1)
        else:
            assert props["area_km2"] == round(s.area_km2, 0)
            assert area_km2(shape(features[line.id]["geometry"])) == pytest.approx(
                s.area_km2, rel=0.01
            )


def test_filters_by_theater_and_ids(built: BuiltAtlas) -> None:
    korea = to_feature_collection(built, theater="korea", with_places=True)["features"]
    assert {f["properties"]["theater"] for f in korea} == {"korea"}
    some = to_feature_collection(built, ids={"kr-1953-mdl", "vn-1954-geneva-line", "nope"})
    assert [f["id"] for f in some["features"]] == ["vn-1954-geneva-line", "kr-1953-mdl"]
    order = [
        (f["properties"]["theater"], f["properties"]["date"] or "", f["id"])
        for f in to_feature_collection(built)["features"]
    ]
    assert order == sorted(order)  # by theater, then date: a stable file to diff
    with pytest.raises(AtlasError, match="unknown theater 'europe'"):
        to_feature_collection(built, theater="europe")


def test_a_theater_that_is_not_built_cannot_be_exported(built: BuiltAtlas) -> None:
    korea_only = build(built.atlas, ["korea"])
    assert to_feature_collection(korea_only, theater="korea")["features"]
    with pytest.raises(AtlasError, match="indochina are not built"):
        to_feature_collection(korea_only)
    with pytest.raises(AtlasError, match="indochina are not built"):
        to_csv(korea_only, theater="indochina")


def test_csv_has_one_row_per_record_with_citations_and_addresses(built: BuiltAtlas) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(built))))
    assert tuple(rows[0]) == CSV_FIELDS
    by_id = {r["id"]: r for r in rows}
    assert set(by_id) == set(built.atlas.lines)
    geneva = by_id["vn-1954-geneva-line"]
    assert geneva["sources"].startswith("Agreement on the Cessation of Hostilities in Viet-Nam")
    assert geneva["source_urls"] == AVALON_GENEVA
    assert geneva["length_km"] and not geneva["area_km2"]
    minimum = by_id["vn-1954-drv-minimum"]
    assert minimum["source_urls"] == "https://digitalarchive.wilsoncenter.org/document/110145"
    assert minimum["sources"].startswith('"Cable from Li Kenong')
    assert by_id["kr-1953-dmz"]["area_km2"] and not by_id["kr-1953-dmz"]["length_km"]


def _layers(path: Path) -> dict[str, Any]:
    return {name: pyogrio.read_dataframe(path, layer=name) for name, _ in pyogrio.list_layers(path)}


def test_geopackage_reads_back_with_every_feature_and_its_sources(
    built: BuiltAtlas, tmp_path: Path
) -> None:
    path = tmp_path / "atlas.gpkg"
    n = write_vector(built, path, fmt="gpkg", with_places=True)
    layers = _layers(path)
    assert set(layers) == {"lines", "zones", "places"}
    assert n == sum(len(df) for df in layers.values())
    atlas = built.atlas
    ids = {i for df in layers.values() for i in df["id"]}
    assert ids == set(atlas.lines) | set(atlas.places)
    assert set(layers["zones"]["kind"]) == {"zone"}
    assert set(layers["lines"]["kind"]) <= {"line", "reference"}
    assert str(layers["lines"].crs).upper().endswith("4326")
    for df in (layers["lines"], layers["zones"]):
        for row in df.itertuples():
            line = atlas.lines[row.id]
            for did in line.sources:
                doc = atlas.documents[did]
                assert " ".join(doc.citation.split()) in row.sources, (row.id, did)
                assert doc.url in row.source_urls.split(), (row.id, did)
            shp = built[row.id].geometry
            assert row.geometry.hausdorff_distance(shp) < 1e-4, row.id
    geneva = layers["lines"].set_index("id").loc["vn-1954-geneva-line"]
    assert geneva["source_urls"] == AVALON_GENEVA


def test_a_geopackage_written_again_holds_only_the_new_export(
    built: BuiltAtlas, tmp_path: Path
) -> None:
    path = tmp_path / "atlas.gpkg"
    write_vector(built, path, fmt="gpkg", theater="korea", with_places=True)
    n = write_vector(built, path, fmt="gpkg", theater="indochina")
    layers = _layers(path)
    assert n == sum(len(df) for df in layers.values())
    assert {t for df in layers.values() for t in df["theater"]} == {"indochina"}


def test_shapefiles_read_back_one_per_geometry_kind(built: BuiltAtlas, tmp_path: Path) -> None:
    base = tmp_path / "atlas.shp"
    n = write_vector(built, base, fmt="shp", theater="indochina")
    lines = pyogrio.read_dataframe(tmp_path / "atlas-lines.shp")
    zones = pyogrio.read_dataframe(tmp_path / "atlas-zones.shp")
    assert n == len(lines) + len(zones)
    assert set(lines["id"]) | set(zones["id"]) == {
        ln.id for ln in built.atlas.lines_in("indochina")
    }
    assert all(len(c) <= 10 for c in lines.columns)  # the dBase limit, renamed not cut
    assert {"party_lbl", "src_urls", "precis_km"} <= set(lines.columns)
    geneva = lines.set_index("id").loc["vn-1954-geneva-line"]
    assert geneva["src_urls"] == AVALON_GENEVA
    # texts over the dBase field's 254 bytes are cut by us, at a word, marked, never mid-letter
    for frame in (lines, zones):
        for col in frame.columns.drop("geometry"):
            for value in frame[col].dropna():
                if isinstance(value, str):
                    assert len(value.encode("utf-8")) <= 254, (col, value)
    cut = [v for v in lines["summary"].dropna() if v.endswith(" …")]
    assert cut and all("\ufffd" not in v for v in cut)


def test_shapefile_texts_fit_254_bytes_not_characters() -> None:
    from geo.outputs.tables import _fit

    text = "Latitude 13° N " * 30  # "°" is two bytes of UTF-8
    out = _fit(text)
    assert len(out.encode("utf-8")) <= 254 and out.endswith("Latitude …")  # cut at a word
    assert _fit("ả" * 100) == "ả" * 83 + " …"  # three bytes each: 249 + 4, never split
    assert _fit("short") == "short"


def test_unknown_vector_format(built: BuiltAtlas, tmp_path: Path) -> None:
    with pytest.raises(AtlasError, match="unknown vector format 'kml'"):
        write_vector(built, tmp_path / "atlas.kml", fmt="kml")


def test_export_is_plain_json(built: BuiltAtlas) -> None:
    fc = to_feature_collection(built, with_places=True)
    assert json.loads(json.dumps(fc, allow_nan=False)) == fc
