"""Reading and writing the records' files: line-numbered YAML, GeoJSON, JSON.

YAML is loaded with line numbers kept for every mapping and key, so that a validation
message can point at ``data/proposals/x.yaml:12`` rather than just at a file. (Document texts
are read by :mod:`geo.documents.decode`, basemap sources by :mod:`geo.basemap_build`.)
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
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
    path: Path,
    *,
    root: Path | None = None,
    max_bytes: int = MAX_RECORD_BYTES,
    where: str | None = None,
    cache: ParseCache | None = None,
) -> tuple[Any, list[Problem]]:
    """Read one YAML file; never raises for bad content, returns problems instead.

    *where* is the file as messages name it (default: relative to *root*); with a *cache*,
    a file whose bytes were parsed before is not parsed again.
    """
    where = where if where is not None else rel(path, root)
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
    digest = ""
    if cache is not None:
        digest = cache.digest(raw)
        if (tree := cache.get(digest)) is not None:
            return tree, []
    tree, problems = _parse(raw, where)
    if cache is not None and not problems:
        cache.put(digest, tree)
    return tree, problems


def _parse(raw: bytes, where: str) -> tuple[Any, list[Problem]]:
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


class ParseCache:
    """Parsed record files kept on disk between processes, by the hash of their bytes.

    Parsing is most of the time it takes to load a large atlas (6 MB of YAML: ~1.1 s of
    1.7 s), so a fresh server reads the trees it parsed before from one JSON file instead:
    ``LineDict``/``LineList`` with every line number, and plain scalars. Only files that
    parsed without a problem are kept, only trees of those types (a ``!!set`` or
    ``!!binary`` value is parsed each time), and only the files of the last load. A new
    PyYAML, or a change to this module, makes the cache void. The file is JSON, never a
    pickle: a damaged or foreign cache is read as no cache.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._old: dict[str, Any] = {}
        self._used: dict[str, Any] = {}  # digest -> the tree read from the cache
        self._fresh: dict[str, Any] = {}  # digest -> a tree parsed now, encoded
        try:
            data = json.loads(path.read_text(encoding="utf-8"), object_hook=_untree)
            if isinstance(data, dict) and data.get("loader") == _loader_fingerprint():
                files = data.get("files")
                self._old = files if isinstance(files, dict) else {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self._old = {}  # absent, old or damaged: parse again

    @staticmethod
    def digest(raw: bytes) -> str:
        return hashlib.blake2b(raw, digest_size=20).hexdigest()

    def get(self, digest: str) -> Any:
        """The tree of a file with this digest, or None."""
        tree = self._old.get(digest)
        if tree is not None:
            self._used[digest] = tree
        return tree

    def put(self, digest: str, tree: Any) -> None:
        encoded = _tree(tree)
        if encoded is not _SKIP:
            self._fresh[digest] = encoded

    def save(self) -> None:
        """Write the trees of this load (call it before anything changes them), if a file
        was parsed anew or one of the last load is gone."""
        if not self._fresh and len(self._used) == len(self._old):
            return
        files = {k: _tree(v) for k, v in self._used.items()} | self._fresh
        body = {"loader": _loader_fingerprint(), "files": files}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:  # dumps: json's C encoder
                fh.write(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only cache is no cache, not an error


@functools.cache
def _loader_fingerprint() -> str:
    """What a tree depends on besides the file: PyYAML, libyaml and this module's code."""
    code = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=12).hexdigest()
    return f"{yaml.__version__}/{_FastLineLoader is not _LineLoader}/{code}"


#: The key that marks an encoded LineDict / LineList in the cache. Record keys cannot begin
#: with a NUL (files with NUL bytes are refused; an escaped one makes the file uncacheable).
_MARK = "\x00aa"


#: What :func:`_tree` gives for a tree the cache does not keep (it is parsed each time).
_SKIP = object()


def _tree(value: Any) -> Any:
    """*value* as JSON-able data, LineDict and LineList marked with their lines, or _SKIP."""
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind is LineDict:
        if any(k.startswith("\x00") for k in value):
            return _SKIP
        items = {}
        for k, v in value.items():
            items[k] = _tree(v)
            if items[k] is _SKIP:
                return _SKIP
        keys = [value.key_lines.get(k, value.line) for k in value]
        return {_MARK: "m", "l": value.line, "k": keys, "v": items}
    if kind is LineList:
        seq = []
        for v in value:
            seq.append(_tree(v))
            if seq[-1] is _SKIP:
                return _SKIP
        return {_MARK: "s", "l": value.line, "i": value.item_lines, "v": seq}
    return _SKIP  # a set, bytes, a tuple (!!set, !!binary, !!omap)


def _untree(obj: dict[str, Any]) -> Any:
    mark = obj.get(_MARK)
    if mark == "m":
        out = LineDict(obj["v"])
        out.line = int(obj["l"])
        out.key_lines = dict(zip(out, obj["k"], strict=True))
        return out
    if mark == "s":
        seq = LineList(obj["v"])
        seq.line = int(obj["l"])
        seq.item_lines = list(obj["i"])
        return seq
    return obj


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
