"""The parse cache gives back the very trees YAML gives, with every line number; it notices
every change of a file, keeps no broken or odd file, and never trusts a damaged cache. The
map's payload is reused by a fresh process only for the same records, basemap and code."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA_DIR
from geo import ValidationError, build, load_atlas
from geo.io import LineDict, LineList, ParseCache, load_yaml

io_module = importlib.import_module("geo.io")


def _same_tree(a: Any, b: Any, where: str = "") -> None:
    assert type(a) is type(b), where
    if isinstance(a, LineDict):
        assert (a.line, list(a), a.key_lines) == (b.line, list(b), b.key_lines), where
        for k in a:
            _same_tree(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, LineList):
        assert (a.line, a.item_lines, len(a)) == (b.line, b.item_lines, len(b)), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same_tree(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> object:
        raise AssertionError("parsed again instead of read from the cache")

    monkeypatch.setattr(io_module, "_parse", refuse)


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(DATA_DIR, dest)
    return dest


def test_every_record_file_comes_back_identical_with_its_lines(tmp_path: Path) -> None:
    files = sorted(DATA_DIR.rglob("*.yaml"))
    assert len(files) > 80
    fresh = {}
    cache = ParseCache(tmp_path / "c.json")
    for path in files:
        tree, problems = load_yaml(path, cache=cache)
        assert not problems, path
        fresh[path] = tree
    cache.save()
    again = ParseCache(tmp_path / "c.json")
    for path in files:
        digest = ParseCache.digest(path.read_bytes())
        cached = again.get(digest)
        assert cached is not None, path
        _same_tree(fresh[path], cached, path.name)


def test_a_second_load_parses_nothing_and_gives_the_same_atlas(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = load_atlas(data, cache_dir=cache)
    assert len(list((cache / "records").glob("*.json"))) == 1
    _no_parsing(monkeypatch)
    second = load_atlas(data, cache_dir=cache)
    assert first.lines == second.lines and first.places == second.places
    assert first.documents == second.documents
    built = build(second, ["korea"])  # the recipes read from the cache draw the same shapes
    assert built["kr-1953-mdl"].length_km > 150


def test_a_changed_file_is_parsed_again(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_atlas(data, cache_dir=cache)
    path = data / "proposals" / "vn-1954-drv-medium.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'title: "DRV medium goal: the 15th parallel"' in text
    path.write_text(text.replace("DRV medium goal", "A new title", 1), encoding="utf-8")
    assert load_atlas(data, cache_dir=cache).lines[path.stem].title.startswith("A new title")


def test_problems_are_the_same_with_and_without_the_cache(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    bad = data / "proposals" / "vn-1954-drv-medium.yaml"
    text = bad.read_text(encoding="utf-8")
    bad.write_text(text.replace("status: fallback", "status: nonsense\nunknown_field: 1", 1))
    broken = data / "proposals" / "zz-broken.yaml"
    broken.write_text("id: zz-broken\ntitle: [unclosed\n", encoding="utf-8")
    messages = []
    for cache_dir in (None, cache, cache):
        with pytest.raises(ValidationError) as err:
            load_atlas(data, cache_dir=cache_dir)
        messages.append([str(p) for p in err.value.problems])
    assert messages[0] == messages[1] == messages[2]
    assert any("zz-broken.yaml:" in m and "YAML syntax error" in m for m in messages[0])


@pytest.mark.parametrize(
    "damage",
    [
        b"not json at all",
        b'{"loader": "x", "files": {}}',
        b"{",
        b"[]",
        b"\x00\xff\xfe",
    ],
)
def test_a_damaged_cache_is_ignored_and_replaced(data: Path, tmp_path: Path, damage: bytes) -> None:
    cache = tmp_path / "cache"
    load_atlas(data, cache_dir=cache)
    (target,) = (cache / "records").glob("*.json")
    target.write_bytes(damage)
    atlas = load_atlas(data, cache_dir=cache)
    assert "kr-1953-mdl" in atlas.lines
    assert target.read_bytes() != damage


def test_a_forged_entry_with_a_broken_shape_is_no_cache(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_atlas(data, cache_dir=cache)
    (target,) = (cache / "records").glob("*.json")
    text = target.read_text(encoding="utf-8")
    # a mapping whose key lines do not match its keys: the whole file is read as no cache
    target.write_text(text.replace('"k":[', '"k":[1,', 1), encoding="utf-8")
    assert "kr-1953-mdl" in load_atlas(data, cache_dir=cache).lines


def test_odd_values_and_nul_keys_are_parsed_each_time(tmp_path: Path) -> None:
    odd = {
        "set.yaml": "a: !!set {x, y}\n",
        "binary.yaml": "a: !!binary aGVsbG8=\n",
        "nul.yaml": '"\\0key": 1\n',
        "omap.yaml": "a: !!omap [x: 1]\n",
    }
    cache = ParseCache(tmp_path / "c.json")
    for name, text in odd.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        tree, problems = load_yaml(path, cache=cache)
        assert not problems and tree, name
        assert cache.get(ParseCache.digest(path.read_bytes())) is None, name
    plain = tmp_path / "plain.yaml"
    plain.write_text("a: [1, 2.5, true, null, '2024-01-01', 2024-01-01]\n", encoding="utf-8")
    tree, _ = load_yaml(plain, cache=cache)
    cache.save()
    cached = ParseCache(tmp_path / "c.json").get(ParseCache.digest(plain.read_bytes()))
    _same_tree(tree, cached)
    assert cached["a"] == [1, 2.5, True, None, "2024-01-01", "2024-01-01"]


def test_a_cache_that_cannot_be_written_is_no_error(data: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder would be")
    assert "kr-1953-mdl" in load_atlas(data, cache_dir=blocker).lines


def test_the_cache_keeps_only_the_files_of_the_last_load(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_atlas(data, cache_dir=cache)
    (target,) = (cache / "records").glob("*.json")
    gone = data / "proposals" / "vn-1954-drv-medium.yaml"
    digest = ParseCache.digest(gone.read_bytes())
    assert ParseCache(target).get(digest) is not None
    gone.unlink()
    with pytest.raises(ValidationError):  # its document still names it
        load_atlas(data, cache_dir=cache)
    assert ParseCache(target).get(digest) is None
    assert ParseCache(target).get(ParseCache.digest((data / "places" / "korea.yaml").read_bytes()))


# ---------------------------------------------------------------------------------------
# the map's payload


def test_the_payload_key_follows_the_records_basemap_and_code(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import mapview

    def key(folder: Path) -> str:
        return mapview._payload_key(build(load_atlas(folder), ["korea"]), "korea")

    first = key(data)
    copy = tmp_path / "copy" / "data"
    shutil.copytree(data, copy)
    assert key(copy) == first  # the same files elsewhere: the same payload
    place = data / "places" / "korea.yaml"
    place.write_text(place.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert key(data) != first
    shutil.copytree(copy, data, dirs_exist_ok=True)
    assert key(data) == first
    land = data / "basemap" / "countries.geojson"
    land.write_bytes(land.read_bytes() + b" ")
    assert key(data) != first
    shutil.copytree(copy, data, dirs_exist_ok=True)
    monkeypatch.setattr(mapview, "_code_key", lambda: "another version of geo")
    assert key(data) != first


def test_a_fresh_process_reuses_the_payload_file(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.outputs import webmap
    from ui import mapview

    built = build(load_atlas(data), ["korea"])
    url = mapview.payload_url(built, "korea")
    _, folder = mapview._component()
    text = (folder / url).read_text(encoding="utf-8")
    assert webmap.to_json(webmap.theater_payload(built, "korea", topology=True)) == text
    monkeypatch.setattr(mapview, "_PAYLOADS", {})  # a new process: nothing in memory

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("made the payload again")

    monkeypatch.setattr(webmap, "theater_payload", refuse)
    again = build(load_atlas(data), ["korea"])
    assert mapview.payload_url(again, "korea") == url
