"""The shape of the house: imports flow one way, rooms are small, each says what it is for.

Imports are read from the source (function-level imports included), so a circle hidden inside
a function still fails here.
"""

from __future__ import annotations

import ast
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from geo import BuiltAtlas
from geo.outputs.renderer import BUNDLE, RENDERER_FILES

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


#: Where the hand-written scripts and styles of the web pages live (vendored code excepted).
WEB_DIRS = ("geo/web", "ui/component", "ui/assets")


def _web_files() -> list[Path]:
    found = []
    for folder in WEB_DIRS:
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            rel = path.relative_to(REPO_ROOT / folder)
            if path.suffix in (".js", ".css") and path.is_file() and "vendor" not in rel.parts:
                found.append(path)
    return found


WEB_FILES = _web_files()


@pytest.mark.parametrize("path", WEB_FILES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_each_web_file_is_small_and_says_what_it_is_for(path: Path) -> None:
    """The same rule for the renderer, the bridge and the styles: at most MAX_LINES lines,
    and a header comment first that says what the file is for."""
    text = path.read_text(encoding="utf-8")
    rel = path.relative_to(REPO_ROOT)
    assert text.count("\n") <= MAX_LINES, f"{rel} has {text.count(chr(10))} lines"
    assert text.startswith("/*") and "*/" in text, f"{rel} must start with a comment"
    header = text[2 : text.index("*/")].replace("*", " ")
    assert len(header.split()) >= 4, f"{rel} needs a header that says what it is for"


def test_the_renderer_is_every_atlas_map_script_once() -> None:
    """RENDERER_FILES lists each script of the renderer (geo/web/atlas-map*.js) exactly once."""
    on_disk = {p.name for p in WEB_FILES if p.name.startswith("atlas-map") and p.suffix == ".js"}
    assert len(set(RENDERER_FILES)) == len(RENDERER_FILES)
    assert set(RENDERER_FILES) == on_disk
    assert RENDERER_FILES[-1] == "atlas-map.js"  # the one that makes window.AtlasMap


class _Scripts(HTMLParser):
    """The <script> elements of a page, in document order: (src or None, inline text)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str | None, str]] = []
        self.inside = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            found = dict(attrs)
            self.inside = found.get("type") != "application/json"
            if self.inside:
                self.found.append((found.get("src"), ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            src, text = self.found[-1]
            self.found[-1] = (src, text + data)


def _srcs(page: str) -> list[str]:
    return [src or "<inline>" for src, _ in _Scripts(page).found]


def test_every_page_loads_the_renderer_files_in_their_one_order(built: BuiltAtlas) -> None:
    """The app's component frame, the standalone page, the static site's pages and the
    renderer's test page load exactly RENDERER_FILES, in that order, after Leaflet."""
    from importlib import resources

    from geo.outputs import page, site, site_pages
    from geo.stories import load_stories
    from ui import mapview

    web = REPO_ROOT / "geo" / "web"
    renderer = list(RENDERER_FILES)
    # the component's page (as the app writes it into the component folder)
    # (the renderer's files joined into one, in order; Leaflet.draw is loaded on demand)
    frame = mapview.asset_bytes("index.html").decode("utf-8")
    assert _srcs(frame) == ["bridge.js", "leaflet.js", BUNDLE]
    bundle = mapview.asset_bytes(BUNDLE).decode("utf-8")
    at = [bundle.index((web / name).read_text(encoding="utf-8")) for name in renderer]
    assert at == sorted(at) and len(set(at)) == len(at)
    sizes = sum(len((web / name).read_text(encoding="utf-8")) for name in renderer)
    assert sizes <= len(bundle) <= sizes + 60 * len(renderer)  # the files, a separator each
    assert "leaflet.draw.js" in mapview.FOLDER and 'href="leaflet.draw.css"' not in frame
    # the standalone page: Leaflet, then each file inline, then the few lines that draw
    standalone = _Scripts(page.map_page(built, "korea")).found
    assert [src for src, _ in standalone] == [None] * (len(renderer) + 2)
    leaflet = resources.files("xstatic.pkg.leaflet").joinpath("data/leaflet.js")
    expected = [leaflet.read_text(encoding="utf-8")]
    expected += [(web / name).read_text(encoding="utf-8") for name in renderer]
    assert [code for _, code in standalone[:-1]] == expected
    assert "AtlasMap.create" in standalone[-1][1]
    # the static site: the assets, and every kind of page with a map
    assets = site.assets()
    for name in renderer:
        assert assets[f"assets/{name}"] == (web / name).read_text(encoding="utf-8")
    pages = site_pages.Site(built, load_stories(built.atlas).values())
    story = next(iter(pages.stories))
    line = next(iter(pages.lines(story.theater)))
    for theater, path, html in (
        ("korea", site_pages.map_href("korea"), site_pages.map_page(pages, "korea")),
        (line.theater, site_pages.line_href(line.id), site_pages.line_page(pages, line)),
        (story.theater, site_pages.story_href(story.id), site_pages.story_page(pages, story)),
    ):
        up = "../" * path.count("/")
        wanted = ["assets/leaflet.js", *(f"assets/{n}" for n in renderer)]
        wanted += [site_pages.data_href(theater), "assets/deck.js"]
        assert _srcs(html) == [up + s for s in wanted], path
    # the renderer's own test page (tests/browser/test_renderer.py)
    harness = (REPO_ROOT / "tests" / "browser" / "renderer_harness.html").read_text("utf-8")
    srcs = _srcs(harness)
    assert srcs == ["/leaflet/leaflet.js", *(f"/web/{n}" for n in renderer), "<inline>"]


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
