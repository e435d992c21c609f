"""Standalone HTML pages of the web map: one file that opens from a USB stick, no network.

The page carries Leaflet, the renderer (the files of ``geo/web`` that
:data:`geo.outputs.renderer.RENDERER_FILES` lists, in that order) and the theater's payload
inline. The payload sits in a ``<script type="application/json">`` element as JSON whose
strings have ``<``, ``>``, ``&``, ``{`` and ``}`` escaped (:func:`geo.outputs.webmap.to_json`):
no record text is ever parsed as HTML or compiled as a template, whatever it says.
"""

from __future__ import annotations

import base64
import html
from functools import cache
from importlib import resources
from typing import Any

from geo.geometry import BuiltAtlas
from geo.outputs import webmap
from geo.outputs.renderer import RENDERER_FILES, renderer_text

#: Leaflet's images inlined into its CSS, so the page needs no other file.
_IMAGES = ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png")
ONLINE_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def asset_text(package: str, path: str) -> str:
    return resources.files(package).joinpath(path).read_text(encoding="utf-8")


@cache
def leaflet_css() -> str:
    css = asset_text("xstatic.pkg.leaflet", "data/leaflet.css")
    for img in _IMAGES:
        data = resources.files("xstatic.pkg.leaflet").joinpath(f"data/images/{img}").read_bytes()
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        css = css.replace(f"images/{img}", uri)
    return css


@cache
def scripts() -> tuple[str, ...]:
    """Leaflet and the renderer's files in load order, each as inline script text."""
    leaflet = asset_text("xstatic.pkg.leaflet", "data/leaflet.js")
    return tuple(_script_safe(js) for js in (leaflet, *map(renderer_text, RENDERER_FILES)))


def _script_safe(js: str) -> str:
    # inside <script>, only "</script" ends the element; the libraries never contain it
    return js.replace("</script", "<\\/script")


def document(
    *,
    title: str,
    body: str,
    head: str = "",
    lang: str = "en",
) -> str:
    """A complete HTML document with Leaflet and the renderer inline."""
    inline = "".join(f"<script>{js}</script>" for js in scripts())
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        '<link rel="icon" href="data:,">'
        f"<style>{leaflet_css()}</style><style>{asset_text('geo', 'web/atlas-map.css')}</style>"
        f"{head}{inline}</head><body>{body}</body></html>\n"
    )


def map_script(element_id: str, data_id: str, state: dict[str, Any], *, online_tiles: bool) -> str:
    """The few lines that draw the payload held in element *data_id* into *element_id*."""
    tiles = (
        f"L.tileLayer({webmap.to_json(ONLINE_TILES)}, {{maxZoom: 18, attribution: "
        '"&copy; OpenStreetMap contributors"}).addTo(map.leaflet).bringToBack();'
        if online_tiles
        else ""
    )
    return (
        "<script>(function(){"
        f"var data=JSON.parse(document.getElementById({webmap.to_json(data_id)}).textContent);"
        f"var map=AtlasMap.create(document.getElementById({webmap.to_json(element_id)}),data,"
        "{onEvent:function(){}});"
        f"map.update({webmap.to_json(state)});{tiles}window.__atlasMap=map;"
        "})();</script>"
    )


def map_page(
    built: BuiltAtlas,
    theater: str,
    *,
    layers: tuple[str, ...] | None = None,
    online_tiles: bool = False,
) -> str:
    """The whole page of one theater's map (``python -m geo render``)."""
    payload = webmap.theater_payload(built, theater, topology=True)
    state = {"visible": list(layers) if layers else None, "labels": True, "places": True,
             "halo": True, "legend_open": True}  # fmt: skip
    body = (
        '<div id="map" style="position:absolute;inset:0"></div>'
        f'<script type="application/json" id="aa-payload">{webmap.to_json(payload)}</script>'
        + map_script("map", "aa-payload", state, online_tiles=online_tiles)
    )
    return document(title=f"Armistice Atlas: {payload['title']}", body=body)
