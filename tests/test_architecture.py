"""The shape of the house: imports flow one way, rooms are small, each says what it is for.

Imports are read from the source (function-level imports included), so a circle hidden inside
a function still fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO_ROOT

PACKAGES = ("geo", "ui")
MAX_LINES = 650
#: The layers of the flow, lowest first: a module may import only from its own layer or below.
LAYERS = [
    {"geo.errors", "geo.vocab", "geo.settings", "geo.io", "geo.style", "geo.grid"},
    {"geo.records"},
    {"geo.measure", "geo.stories", "geo.documents"},
    {"geo.geometry"},
    {"geo.compare", "geo.validate"},
    {"geo.outputs"},
    {"geo.cli", "geo.basemap_build", "geo", "geo.__main__"},
    {"ui"},
    {"app"},
]


def _modules() -> dict[str, Path]:
    out = {"app": REPO_ROOT / "app.py"}
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Project modules *name* imports anywhere in its body (the most specific module named)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                )
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(name: str) -> int:
    best = -1
    for i, layer in enumerate(LAYERS):
        for prefix in layer:
            if name == prefix or name.startswith(prefix + "."):
                best = i if best == -1 or len(prefix) > 0 else best
    return best


def test_no_import_cycles() -> None:
    """Depth-first search for a circle among the project's modules."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if nxt.startswith(node + ".") or node.startswith(nxt + "."):
                continue  # a package and its own modules
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if state.get(nxt) is None:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(GRAPH):
        if state.get(name) is None:
            visit(name)


def test_data_flows_one_way() -> None:
    """records -> geometry -> measures/compare -> outputs -> CLI/app, never back up."""
    wrong = []
    for name, targets in GRAPH.items():
        for target in targets:
            if target.startswith(name + ".") or name.startswith(target + "."):
                continue
            if _layer(target) > _layer(name):
                wrong.append(f"{name} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_geo_never_imports_the_app() -> None:
    for name, targets in GRAPH.items():
        if name.startswith("geo"):
            assert not {t for t in targets if t.startswith(("ui", "app"))}, name


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_room_is_small_and_says_what_it_is_for(name: str) -> None:
    path = MODULES[name]
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(REPO_ROOT)} has {lines} lines"
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 4, f"{path.relative_to(REPO_ROOT)} needs a docstring"


def test_one_vocabulary() -> None:
    """Theater labels, party names and group names are defined in geo.vocab only."""
    defs = []
    for name, path in MODULES.items():
        if name == "geo.vocab":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in {
                        "THEATERS",
                        "THEATER_LABELS",
                        "PARTIES",
                        "PARTY_SHORT",
                        "THEATER_BBOX",
                    }:
                        defs.append(f"{name}.{target.id}")
    assert not defs, defs


def test_errors_belong_to_one_family() -> None:
    """Every exception class geo defines derives from geo.errors.AtlasError."""
    import importlib
    import inspect

    from geo.errors import AtlasError

    for name in MODULES:
        if not name.startswith("geo") or name == "geo.__main__":
            continue
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == name and issubclass(obj, BaseException):
                assert issubclass(obj, AtlasError), f"{name}.{obj.__name__}"


def test_ui_catches_no_bare_exception() -> None:
    for name, path in MODULES.items():
        if not name.startswith(("ui", "app")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler):
                caught = ast.unparse(node.type) if node.type else "everything"
                assert caught not in {"Exception", "BaseException", "everything"}, (
                    f"{name}: except {caught}"
                )
