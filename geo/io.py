"""Reading and writing the records' files: line-numbered YAML, GeoJSON, JSON.

YAML is loaded with line numbers kept for every mapping and key, so that a validation
message can point at ``data/proposals/x.yaml:12`` rather than just at a file. (Document texts
are read by :mod:`geo.documents.decode`, basemap sources by :mod:`geo.basemap_build`.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from geo.errors import Problem, rel

MAX_RECORD_BYTES = 8_000_000  # the default of the ARMISTICE_MAX_RECORD_BYTES setting


class LineDict(dict[str, Any]):
    """A dict that remembers the line of each key (1-based) and of itself."""

    line: int = 0
    key_lines: dict[str, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A list that remembers the line of each item."""

    line: int = 0
    item_lines: list[int]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines = []


class _NoAliases:
    """Refuse anchors and aliases (``&a`` ... ``*a``): records never need them, and a few
    nested aliases can stand for billions of values once anything walks the data."""

    constructed_objects: dict[Any, Any]
    recursive_objects: dict[Any, Any]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "anchors and aliases (&name, *name) are not allowed: this value is reused",
                node.start_mark,
            )
        return super().construct_object(node, deep)  # type: ignore[misc]


class _LineLoader(_NoAliases, yaml.SafeLoader):
    """SafeLoader that builds LineDict / LineList with line numbers (pure Python)."""


#: The same loader on libyaml's parser (about 10x faster); it gives the same values and
#: line numbers. A file it rejects is read again by :class:`_LineLoader`, so the message
#: of a syntax error is PyYAML's own wherever libyaml's would word it differently; a file
#: with a tab is read by :class:`_LineLoader` only (libyaml accepts tabs PyYAML rejects).
_FastLineLoader: type[Any] = _LineLoader
if getattr(yaml, "__with_libyaml__", False):

    class _CLineLoader(_NoAliases, yaml.CSafeLoader):  # type: ignore[misc, name-defined]
        """CSafeLoader that builds LineDict / LineList with line numbers."""

    _FastLineLoader = _CLineLoader


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_str_date(loader: Any, node: yaml.ScalarNode) -> str:
    # Dates stay strings: we validate ISO / EDTF text ourselves and never want datetime objects.
    return str(loader.construct_scalar(node))


_LOADERS: tuple[Any, ...] = (_LineLoader, _FastLineLoader)
for _loader in _LOADERS:
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str_date)


def load_yaml(
    path: Path, *, root: Path | None = None, max_bytes: int = MAX_RECORD_BYTES
) -> tuple[Any, list[Problem]]:
    """Read one YAML file; never raises for bad content, returns problems instead."""
    where = rel(path, root)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            msg = (
                f"file has {size:,} bytes, over the limit of {max_bytes:,} "
                "(raise it with ARMISTICE_MAX_RECORD_BYTES)"
            )
            return None, [Problem(where, 0, msg)]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(where, 0, f"cannot read file: {exc.strerror or exc}")]
    if b"\x00" in raw:
        return None, [Problem(where, 0, "file is binary (contains NUL bytes), not YAML")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(where, 0, f"not UTF-8 text (byte {exc.start})")]
    if _FastLineLoader is not _LineLoader and "\t" not in text:  # libyaml allows more tabs
        try:
            return yaml.load(text, Loader=_FastLineLoader), []
        except yaml.YAMLError:
            pass  # read again below, for PyYAML's own message
    try:
        return yaml.load(text, Loader=_LineLoader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(where, line, f"YAML syntax error: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(where, 0, f"YAML error: {exc}")]


def iter_record_files(directory: Path) -> Iterator[Path]:
    """The ``*.yaml`` / ``*.yml`` files of a record folder, sorted for stable output."""
    if not directory.is_dir():
        return iter(())
    return iter(sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml"}))


def read_geojson(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def write_json(path: Path, data: Any, *, compact: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if compact:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(data, ensure_ascii=False, indent=2)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)
