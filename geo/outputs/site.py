"""The whole atlas as a static offline site (``python -m geo site --out DIR``).

One job: writing the site's files. The pages themselves are rendered by
:mod:`geo.outputs.site_pages`; this module gathers them with the shared assets (Leaflet,
the renderer's files of :data:`geo.outputs.renderer.RENDERER_FILES`, ``site.css``,
``deck.js``: each written once under ``assets/``), one data file per theater and the
citations, and writes them under *out*::

    index.html                 what the atlas is; links to every page
    map-<theater>.html         the interactive map of a theater, with its list of lines
    line/<id>.html             one page per line or zone
    document/<id>.html         one page per document (never its full text)
    story/<id>.html            each story as a keyboard-driven deck (``#3`` opens step 3)
    data/<theater>.js          the map payload, ``ATLAS_DATA["korea"] = {...};``
    cite/<id>.ris|bib, cite/all.ris|bib
    assets/...

The payload travels as a script file rather than JSON because browsers refuse ``fetch()``
of local files (``file://``) but run local ``<script src>``. It is written with
:func:`geo.outputs.webmap.to_json`, whose strings cannot close a script or hold template
syntax. A manifest (``.armistice-atlas-site``) lists what was written, so writing the site
again removes the pages of records that have gone, and never touches any other file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path, PurePosixPath

from geo.geometry import BuiltAtlas
from geo.outputs import site_pages as pages
from geo.outputs.citations import to_bibtex, to_ris
from geo.outputs.renderer import RENDERER_FILES, renderer_text
from geo.outputs.webmap import theater_payload, to_json
from geo.stories import Story
from geo.vocab import PARTIES

MANIFEST = ".armistice-atlas-site"
_LEAFLET = "xstatic.pkg.leaflet"
_LEAFLET_IMAGES = (
    "layers.png",
    "layers-2x.png",
    "marker-icon.png",
    "marker-icon-2x.png",
    "marker-shadow.png",
)

Content = str | bytes


def write_site(built: BuiltAtlas, stories: Mapping[str, Story] | Iterable[Story], out: Path) -> int:
    """Write the static site for *built* and *stories* into *out*; return how many files.

    *out* is created if needed. Files of an earlier site in *out* (listed in its manifest)
    that this one no longer has are removed; nothing else already there is touched.
    """
    listed = stories.values() if isinstance(stories, Mapping) else stories
    site = pages.Site(built, listed)
    files = site_files(site)
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    for name, content in files.items():
        target = _inside(root, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", newline="\n")
    _remove_stale(root, set(files))
    (root / MANIFEST).write_text("".join(f"{n}\n" for n in sorted(files)), encoding="utf-8")
    return len(files) + 1


def site_files(site: pages.Site) -> dict[str, Content]:
    """Every file of the site by its path under the root (``/``-separated)."""
    files: dict[str, Content] = dict(assets())
    for theater in site.theaters:
        files[pages.data_href(theater)] = data_script(site.built, theater)
        files[pages.map_href(theater)] = pages.map_page(site, theater)
        for line in site.lines(theater):
            files[pages.line_href(line.id)] = pages.line_page(site, line)
    for doc in site.documents:
        files[pages.document_href(doc.id)] = pages.document_page(site, doc)
        files[pages.cite_href(doc.id, "ris")] = to_ris([doc])
        files[pages.cite_href(doc.id, "bib")] = to_bibtex([doc])
    files["cite/all.ris"] = to_ris(site.documents)
    files["cite/all.bib"] = to_bibtex(site.documents)
    for story in site.stories:
        files[pages.story_href(story.id)] = pages.story_page(site, story)
    files["index.html"] = pages.index_page(site)
    return files


def data_script(built: BuiltAtlas, theater: str) -> str:
    """``data/<theater>.js``: the theater's payload (TopoJSON form) as a global, for
    ``<script src>``."""
    payload = theater_payload(built, theater, topology=True)
    return (
        "/* Armistice Atlas map data (armistice-atlas-map/1), written by python -m geo site. */\n"
        "window.ATLAS_DATA = window.ATLAS_DATA || {};\n"
        f"ATLAS_DATA[{to_json(theater)}] = {to_json(payload)};\n"
    )


def assets() -> dict[str, Content]:
    """Leaflet (script, styles, images), the renderer, the site's styles and script."""
    leaflet = resources.files(_LEAFLET).joinpath("data")
    geo_web = resources.files("geo").joinpath("web")
    out: dict[str, Content] = {
        "assets/leaflet.js": _without_source_map(leaflet.joinpath("leaflet.js").read_text("utf-8")),
        "assets/leaflet.css": leaflet.joinpath("leaflet.css").read_text("utf-8"),
        **{f"assets/{name}": renderer_text(name) for name in RENDERER_FILES},
        "assets/atlas-map.css": geo_web.joinpath("atlas-map.css").read_text("utf-8"),
        "assets/site.css": geo_web.joinpath("site.css").read_text("utf-8") + party_css(),
        "assets/deck.js": geo_web.joinpath("deck.js").read_text("utf-8"),
    }
    for image in _LEAFLET_IMAGES:
        source = leaflet.joinpath("images", image)
        if source.is_file():
            out[f"assets/images/{image}"] = source.read_bytes()
    return out


def party_css() -> str:
    """The key letters' ring colours, from the vocabulary (the map's colours)."""
    rules = "".join(f".{pages.party_class(p.id)}{{--party:{p.color}}}\n" for p in PARTIES.values())
    return "\n/* party colours, written from geo.vocab.PARTIES */\n" + rules


def _without_source_map(js: str) -> str:
    # the .map file is not shipped: no reference to a file that is not there
    lines = js.rstrip("\n").split("\n")
    if lines and lines[-1].startswith("//# sourceMappingURL="):
        lines.pop()
    return "\n".join(lines) + "\n"


def _inside(root: Path, name: str) -> Path:
    """*name* (a ``/``-separated relative path) under *root*; refuses anything outside it."""
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ValueError(f"not a path inside the site: {name!r}")
    return root.joinpath(*rel.parts)


def _remove_stale(root: Path, written: set[str]) -> None:
    """Remove the files an earlier run listed in its manifest and this one did not write."""
    manifest = root / MANIFEST
    if not manifest.is_file():
        return
    for name in manifest.read_text(encoding="utf-8").splitlines():
        if not name or name in written:
            continue
        try:
            target = _inside(root, name)
        except ValueError:
            continue
        if target.is_file() and not target.is_symlink() and target.resolve().is_relative_to(root):
            target.unlink()
