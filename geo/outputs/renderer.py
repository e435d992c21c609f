"""The map renderer's script files (``geo/web``), in the one order every page loads them.

The renderer is plain ES2019 split into classic scripts (no modules, no build step), one
responsibility each (see the header of each file); the first makes the internal namespace
``AtlasMapParts``, the last (``atlas-map.js``) assembles the map and makes ``window.AtlasMap``.
Every page loads them after Leaflet in :data:`RENDERER_FILES` order: the app's component frame
(``ui/mapview.py`` writes the tags into ``ui/component/index.html``), the standalone page
(:mod:`geo.outputs.page`, inline) and the static site (:mod:`geo.outputs.site`, under
``assets/``). ``tests/test_architecture.py`` checks that each of them does.
"""

from __future__ import annotations

import html
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


def script_tags(prefix: str = "") -> str:
    """``<script src>`` elements for the renderer's files in order, each under *prefix*."""
    return "\n".join(
        f'<script src="{html.escape(prefix + name, quote=True)}"></script>'
        for name in RENDERER_FILES
    )
