"""Shapes are built once and handed down; the disk cache gives back the very same shapes,
notices every change they depend on, and never trusts a damaged file."""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path

import pytest
import shapely

from conftest import DATA_DIR
from geo import Atlas, BuiltAtlas, ValidationError, build, build_all, load_atlas

#: geo.geometry.build the module (the package exports the function under the same name)
build_module = importlib.import_module("geo.geometry.build")

THEATER = "indochina"


def _cache_files(cache: Path) -> list[Path]:
    return sorted((cache / "shapes").glob("*.json"))


def _no_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any real build fail: what comes back can only come from the cache."""

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("built again instead of read from the cache")

    monkeypatch.setattr(build_module, "_build_theater", refuse)


def _assert_same_shapes(a: BuiltAtlas, b: BuiltAtlas, ids: set[str]) -> None:
    for lid in ids:
        sa, sb = a[lid], b[lid]
        assert sa.geometry.equals_exact(sb.geometry, 0.0), lid  # WKB keeps every bit
        assert (sa.divider is None) == (sb.divider is None), lid
        if sa.divider is not None and sb.divider is not None:
            assert sa.divider.equals_exact(sb.divider, 0.0), lid
        assert (sa.length_km, sa.area_km2) == (sb.length_km, sb.area_km2), lid
        assert sa == sb, lid


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(DATA_DIR, dest)
    return dest


def test_the_cache_gives_back_equal_shapes_without_building(
    atlas: Atlas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = build(atlas, [THEATER], cache_dir=cache)
    files = _cache_files(cache)
    assert len(files) == 1 and files[0].name.startswith(f"{THEATER}-")
    json.loads(files[0].read_text())  # JSON (and WKB inside it), never a pickle

    _no_building(monkeypatch)
    second = build(atlas, [THEATER], cache_dir=cache)
    ids = {ln.id for ln in atlas.lines.values() if ln.theater == THEATER}
    assert set(second.shapes) == ids
    _assert_same_shapes(first, second, ids)
    assert second.theaters == frozenset({THEATER})


def test_the_cache_agrees_with_a_build_without_cache(
    built: BuiltAtlas, atlas: Atlas, tmp_path: Path
) -> None:
    cached = build(atlas, cache_dir=tmp_path / "cache")
    reread = build(atlas, cache_dir=tmp_path / "cache")
    _assert_same_shapes(built, cached, set(atlas.lines))
    _assert_same_shapes(built, reread, set(atlas.lines))
    assert len(_cache_files(tmp_path / "cache")) == 2  # one file per theater


def test_a_changed_record_is_built_again(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = build(load_atlas(data), [THEATER], cache_dir=cache)
    assert shapely.get_coordinates(before["vn-1954-drv-minimum"].geometry)[0][1] == 16.0

    rec = data / "proposals" / "vn-1954-drv-minimum.yaml"
    rec.write_text(rec.read_text().replace("parallel: {lat: 16,", "parallel: {lat: 16.5,"))
    after = build(load_atlas(data), [THEATER], cache_dir=cache)
    lats = set(shapely.get_coordinates(after["vn-1954-drv-minimum"].geometry)[:, 1])
    assert lats == {16.5}
    assert len(_cache_files(cache)) == 2  # a new key; the old file is not reused
    _assert_same_shapes(before, after, {"vn-1954-geneva-line", "ref-parallel-16"})


def test_a_moved_place_is_built_again(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = build(load_atlas(data), [THEATER], cache_dir=cache)
    places = data / "places" / "indochina.yaml"
    text = places.read_text()
    assert "lat: 13.983" in text  # Pleiku, on the DRV maximum line
    places.write_text(text.replace("lat: 13.983", "lat: 14.083", 1))
    after = build(load_atlas(data), [THEATER], cache_dir=cache)
    assert not after["vn-1954-drv-maximum"].geometry.equals(before["vn-1954-drv-maximum"].geometry)
    assert len(_cache_files(cache)) == 2


def test_a_changed_basemap_is_built_again(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    atlas = load_atlas(data)
    build(atlas, [THEATER], cache_dir=cache)
    borders = data / "basemap" / "borders.geojson"
    borders.write_text(borders.read_text() + "\n")  # same content, other bytes
    build(atlas, [THEATER], cache_dir=cache)
    assert len(_cache_files(cache)) == 2


def test_an_unchanged_copy_of_the_data_shares_the_cache(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is the content, not the folder: a second checkout reuses the shapes."""
    cache = tmp_path / "cache"
    build(load_atlas(DATA_DIR), [THEATER], cache_dir=cache)
    _no_building(monkeypatch)
    build(load_atlas(data), [THEATER], cache_dir=cache)
    assert len(_cache_files(cache)) == 1


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b"[]",
        b'{"shapes": {"vn-1954-drv-minimum": {"geometry": "zz", "divider": null, '
        b'"length_km": 1, "area_km2": 0}}}',
        b"\x00\x01\x02",
        *(pytest.param(bad) for bad in (b'{"shapes": 3}', b'{"shapes": []}')),
    ],
)
def test_a_damaged_cache_file_is_ignored_and_replaced(
    built: BuiltAtlas, atlas: Atlas, tmp_path: Path, damage: bytes
) -> None:
    cache = tmp_path / "cache"
    build(atlas, [THEATER], cache_dir=cache)
    (path,) = _cache_files(cache)
    path.write_bytes(damage)
    again = build(atlas, [THEATER], cache_dir=cache)
    ids = {ln.id for ln in atlas.lines.values() if ln.theater == THEATER}
    _assert_same_shapes(built, again, ids)
    assert json.loads(path.read_text())["shapes"].keys() == ids  # written afresh


def test_a_cache_missing_some_records_is_not_used(
    built: BuiltAtlas, atlas: Atlas, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    build(atlas, [THEATER], cache_dir=cache)
    (path,) = _cache_files(cache)
    content = json.loads(path.read_text())
    del content["shapes"]["vn-1954-geneva-line"]
    path.write_text(json.dumps(content))
    again = build(atlas, [THEATER], cache_dir=cache)
    _assert_same_shapes(built, again, {"vn-1954-geneva-line"})


def test_a_cache_that_cannot_be_written_is_no_error(
    built: BuiltAtlas, atlas: Atlas, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    shapes = build(atlas, [THEATER], cache_dir=blocked)
    _assert_same_shapes(built, shapes, {"vn-1954-geneva-line"})


def test_a_build_with_errors_writes_no_cache(data: Path, tmp_path: Path) -> None:
    rec = data / "proposals" / "vn-1954-drv-minimum.yaml"
    rec.write_text(rec.read_text().replace("parallel: {lat: 16,", "parallel: {lat: 40,"))
    cache = tmp_path / "cache"
    with pytest.raises(ValidationError) as info:
        build(load_atlas(data), [THEATER], cache_dir=cache)
    assert any(
        p.path.endswith("vn-1954-drv-minimum.yaml") and p.field == "geometry.parallel"
        for p in info.value.problems
    ), info.value.problems
    assert not (cache / "shapes").exists() or _cache_files(cache) == []


# --- BuiltAtlas --------------------------------------------------------------------------


def test_built_atlas_holds_the_theaters_asked_for(atlas: Atlas) -> None:
    korea = build(atlas, ["korea"])
    assert korea.theaters == frozenset({"korea"})
    assert set(korea.shapes) == {ln.id for ln in atlas.lines.values() if ln.theater == "korea"}
    assert "kr-1953-mdl" in korea and "vn-1954-geneva-line" not in korea
    assert [ln.id for ln in korea.lines_in("korea")] == [ln.id for ln in atlas.lines_in("korea")]
    assert korea.lines_in("indochina") == []
    assert korea.atlas is atlas


def test_build_all_is_the_shapes_by_id(built: BuiltAtlas, atlas: Atlas) -> None:
    shapes = build_all(atlas)
    assert isinstance(shapes, dict) and set(shapes) == set(atlas.lines)
    _assert_same_shapes(built, build(atlas), {"kr-1953-mdl", "la-1954-drv-zones"})
    assert shapes["kr-1953-mdl"] == built["kr-1953-mdl"]
