"""The map renderer's script files (``geo/web``), in the one order every page loads them.

The renderer is plain ES2019 split into classic scripts (no modules, no build step), one
responsibility each (see the header of each file); the first makes the internal namespace
``AtlasMapParts``, the last (``atlas-map.js``) assembles the map and makes ``window.AtlasMap``.
Every page loads them after Leaflet in :data:`RENDERER_FILES` order: the app's component frame
(``ui/mapview.py`` serves them joined into one file, :func:`bundle_text`), the standalone page
(:mod:`geo.outputs.page`, inline) and the static site (:mod:`geo.outputs.site`, under
``assets/``). ``tests/test_architecture.py`` checks that each of them does.
"""

from __future__ import annotations

from importlib import resources

#: The renderer's files in ``geo/web``, in load order.
RENDERER_FILES: tuple[str, ...] = (
    "atlas-map-base.js",  # shared constants and helpers; the internal namespace
    "atlas-map-decode.js",  # the payload's collections, from GeoJSON or TopoJSON
    "atlas-map-spots.js",  # where a label may go (collision index, land raster, candidates)
    "atlas-map-labels.js",  # which labels, in which order, and the greedy placer
    "atlas-map-layers.js",  # what the map draws and how it is styled
    "atlas-map-controls.js",  # the layer checkboxes and the legend
    "atlas-map-input.js",  # keys forwarded to the host, drawing
    "atlas-map.js",  # the map: create, update, events, selection, view; window.AtlasMap
)


def renderer_text(name: str) -> str:
    """The text of the renderer's file *name* (one of :data:`RENDERER_FILES`)."""
    if name not in RENDERER_FILES:
        raise KeyError(name)
    return resources.files("geo").joinpath("web").joinpath(name).read_text(encoding="utf-8")


#: The name of :func:`bundle_text` in the app's component folder.
BUNDLE = "atlas-map.bundle.js"


def bundle_text() -> str:
    """The renderer's files joined in order into one classic script, for the app's component
    frame: Streamlit serves every file of a component with no cache lifetime, each request
    read and gzipped by its one Python thread, so one request costs less than eight."""
    parts = [f"/* ---- {name} ---- */\n{renderer_text(name)}" for name in RENDERER_FILES]
    return "\n;\n".join(parts) + "\n"
