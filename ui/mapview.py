"""The map widget: one Streamlit custom component drawing the map renderer (``geo/web``).

The component's folder is put together once per process in the cache folder (never in the
repository): its page and bridge (``ui/component/``), the renderer (``geo/web/``, its files
joined in the order of :data:`geo.outputs.renderer.RENDERER_FILES` into one script), Leaflet
(xstatic) and Leaflet.draw (vendored, see its SOURCE.md; loaded only for drawing), and one
JSON file per theater's payload (TopoJSON: shared arcs, quantised, delta-encoded), named by the
hash of what it is made from (so a fresh server of the same records reuses it).
The iframe fetches the payload once per theater and keeps it, so a click sends only the
small state (a few hundred bytes, as JSON text): what is shown, selected and compared, and
where to look.

Streamlit serves the folder gzipped (its middleware, level 5, files over 1,000 bytes) with
``Cache-Control: public`` but no max-age and no ETag or Last-Modified, so a browser fetches
the files again on every page load (bench/README.md); only the open page keeps its payload.

Events come back as the component's value (``{"type": "click", "id": …, "seq": n}``); the
``seq`` makes a second click on the same line a new value.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from threading import Lock
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from geo.geometry import BuiltAtlas
from geo.outputs import webmap
from geo.outputs.renderer import BUNDLE, bundle_text
from ui import session
from ui.resources import settings

COMPONENT = "armistice_atlas_map"
MAP_HEIGHT = 620
MAP_HEIGHTS = (420, 520, 620, 720, 860)
#: map column : panel column
MAIN_SPLIT = (5, 3)
#: The files of the component folder read from a package: name -> (package, path inside it).
FILES = {
    "index.html": ("ui", "component/index.html"),
    "bridge.js": ("ui", "component/bridge.js"),
    "atlas-map.css": ("geo", "web/atlas-map.css"),
    "leaflet.js": ("xstatic.pkg.leaflet", "data/leaflet.js"),
    "leaflet.css": ("xstatic.pkg.leaflet", "data/leaflet.css"),
    "images/layers.png": ("xstatic.pkg.leaflet", "data/images/layers.png"),
    "images/layers-2x.png": ("xstatic.pkg.leaflet", "data/images/layers-2x.png"),
    "images/marker-icon.png": ("xstatic.pkg.leaflet", "data/images/marker-icon.png"),
    "images/marker-icon-2x.png": ("xstatic.pkg.leaflet", "data/images/marker-icon-2x.png"),
    "images/marker-shadow.png": ("xstatic.pkg.leaflet", "data/images/marker-shadow.png"),
    "leaflet.draw.js": ("geo", "web/vendor/leaflet-draw/leaflet.draw.js"),
    "leaflet.draw.css": ("geo", "web/vendor/leaflet-draw/leaflet.draw.css"),
    "images/spritesheet.png": ("geo", "web/vendor/leaflet-draw/images/spritesheet.png"),
    "images/spritesheet-2x.png": ("geo", "web/vendor/leaflet-draw/images/spritesheet-2x.png"),
    "images/spritesheet.svg": ("geo", "web/vendor/leaflet-draw/images/spritesheet.svg"),
}
#: Every file of the component folder: those of FILES and the renderer joined into one.
FOLDER: tuple[str, ...] = (*FILES, BUNDLE)


#: The line of index.html that becomes the renderer's ``<script>`` tags.
RENDERER_SLOT = "<!-- RENDERER_FILES -->"


def asset_bytes(name: str) -> bytes:
    """A file of the component folder (one of FOLDER); the page gets the renderer's script in
    its slot."""
    if name == BUNDLE:
        return bundle_text().encode("utf-8")
    package, path = FILES[name]
    data = resources.files(package).joinpath(path).read_bytes()
    if name != "index.html":
        return data
    page = data.decode("utf-8")
    if page.count(RENDERER_SLOT) != 1:
        raise RuntimeError(f"ui/component/index.html needs one {RENDERER_SLOT} line")
    tag = f'<script src="{BUNDLE}"></script>'
    return page.replace(RENDERER_SLOT, tag).encode("utf-8")


def _folder() -> Path:
    """The component folder, made once per process (content-addressed, so two versions of
    the app never share one)."""
    digest = hashlib.sha256()
    contents = {name: asset_bytes(name) for name in FOLDER}
    for name, data in sorted(contents.items()):
        digest.update(name.encode() + b"\0" + data)
    for base in (settings().cache_dir, Path(tempfile.gettempdir()) / "armistice-atlas"):
        folder = base / f"web-{digest.hexdigest()[:16]}"
        try:
            for name, data in contents.items():
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.is_file() or target.read_bytes() != data:
                    target.write_bytes(data)
            (folder / "data").mkdir(exist_ok=True)
            return folder
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
    raise OSError("no folder is writable for the map's files")


@st.cache_resource(show_spinner=False)
def _component() -> tuple[Callable[..., Any], Path]:
    folder = _folder()
    return components.declare_component(COMPONENT, path=str(folder)), folder


_PAYLOADS: dict[tuple[int, str], str] = {}
_PAYLOADS_LOCK = Lock()


def payload_url(built: BuiltAtlas, theater: str) -> str:
    """The theater's payload as a file of the component folder, by URL: made once for the
    same records, basemap and code, also by an earlier process (the folder is on disk)."""
    key = (id(built), theater)
    with _PAYLOADS_LOCK:
        if key in _PAYLOADS:
            return _PAYLOADS[key]
    name = f"{theater}-{_payload_key(built, theater)}.json"
    _, folder = _component()
    target = folder / "data" / name
    if not target.is_file():
        payload = webmap.theater_payload(built, theater, topology=True)
        text = webmap.to_json(payload).encode("utf-8")
        # a name of its own: sessions of this and other processes may write the same file
        tmp = target.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
        try:
            tmp.write_bytes(text)
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)
    url = f"data/{name}"
    with _PAYLOADS_LOCK:
        _PAYLOADS[key] = url
    return url


def _payload_key(built: BuiltAtlas, theater: str) -> str:
    """A hash of everything a payload is made from: every file of the records folder (records,
    gazetteers, basemap), the code of ``geo`` and the versions of the geometry libraries."""
    h = hashlib.blake2b(f"{theater}/{_code_key()}".encode(), digest_size=10)
    data_dir = built.atlas.data_dir
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        h.update(f"{path.relative_to(data_dir).as_posix()}\0".encode())
        h.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return h.hexdigest()


@functools.cache
def _code_key() -> str:
    import numpy
    import shapely

    import geo

    h = hashlib.blake2b(f"{shapely.__version__}/{numpy.__version__}".encode(), digest_size=16)
    root = Path(geo.__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        h.update(f"{path.relative_to(root).as_posix()}\0".encode() + path.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class MapSettings:
    """The sidebar's switches that every map screen honours."""

    halo: bool
    places: bool
    labels: bool
    groups: tuple[str, ...]
    hidden: tuple[str, ...]
    height: int = MAP_HEIGHT


def show_map(
    built: BuiltAtlas,
    theater: str,
    state: dict[str, Any],
    *,
    key: str,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Draw the map of *theater* in *state* (see docs/map-payload.md).

    *on_event* receives the map's events (clicks, drawings, keys) in a callback, before the
    script reruns, so what it sets is seen by the widgets drawn afterwards.
    """
    component, _ = _component()
    session.ss()[session.LAST_MAP] = {"theater": theater, **state}

    def changed() -> None:
        ss = session.ss()
        value = ss.get(key)
        # The event is handled now and then forgotten: nothing a browser sends stays in the
        # session (a huge or deeply nested value would be copied on every later run).
        del ss[key]
        if on_event is None or not isinstance(value, dict):
            return
        # The browser sends the component's last value again with every later rerun (a
        # button's, another widget's), and with the value gone from the session each looks
        # new: an event is handled once, by the frame's instance and its sequence number.
        ident = (str(value.get("instance", ""))[:32], str(value.get("seq", ""))[:16])
        handled = ss.setdefault(session.HANDLED, {})
        if handled.get(key) == ident:
            return
        handled[key] = ident
        on_event(value)

    component(
        payload_url=payload_url(built, theater),
        # as JSON text: Streamlit checks every dict argument for a dataframe, which imports
        # pandas and pyarrow (over a second on a cold start) before the map is sent
        state=json.dumps(state, separators=(",", ":")),
        key=key,
        default=None,
        on_change=changed if on_event else None,
    )


def sidebar_settings(atlas: Any, theater: str, *, layer_filter: bool) -> MapSettings:
    """Draw the sidebar's map options (on screens that have a map) and return them.

    The layer filter only matters on screens that draw every record; elsewhere it is not
    drawn, and its value is kept in plain session keys so it survives the detour.
    """
    from geo.vocab import group_label
    from ui.rules import layer_groups
    from ui.text import md_label

    ss = session.ss()
    groups_all = layer_groups(atlas, theater)
    ids = [ln.id for ln in atlas.lines_in(theater)]
    saved_groups, saved_hidden = f"aa_groups_saved_{theater}", f"aa_hidden_saved_{theater}"
    w_groups, w_hidden = f"w_groups_{theater}", f"w_hidden_{theater}"
    ss.setdefault(saved_groups, groups_all)
    ss.setdefault(saved_hidden, [])
    with st.sidebar:
        st.markdown("### Map options")
        halo = st.toggle(
            "Uncertainty bands (± precision)",
            value=True,
            key="aa_halo",
            help="A band as wide as each record's precision: the line may lie anywhere in it.",
        )
        places = st.toggle("Places named in the documents", value=True, key="aa_places")
        labels = st.toggle("Labels on the map", value=True, key="aa_labels")
        height = st.select_slider(
            "Map height",
            MAP_HEIGHTS,
            value=MAP_HEIGHT,
            format_func=lambda h: f"{h} px",
            key="aa_map_height",
            help="Smaller for a projector, larger for a big screen.",
        )
        if layer_filter:
            if w_groups not in ss:
                ss[w_groups] = [g for g in ss[saved_groups] if g in groups_all]
            if w_hidden not in ss:
                ss[w_hidden] = list(ss[saved_hidden])
            ss[saved_groups] = st.pills(
                "Layers",
                groups_all,
                selection_mode="multi",
                format_func=lambda g: md_label(group_label(g)),
                key=w_groups,
                help="Show or hide whole groups (the layer button in the map does the same).",
            )
            with st.expander("Hide single lines and zones"):
                ss[saved_hidden] = st.multiselect(
                    "Hidden",
                    ids,
                    format_func=lambda i: atlas.lines[i].title,
                    key=w_hidden,
                    label_visibility="collapsed",
                    placeholder="Nothing hidden",
                )
    groups = tuple(ss[saved_groups] or ())
    return MapSettings(halo, places, labels, groups, tuple(ss[saved_hidden]), int(height))


def map_state(
    built: BuiltAtlas,
    theater: str,
    settings_: MapSettings,
    *,
    layers: tuple[str, ...] | None,
    selected: str | None = None,
    compare: dict[str, Any] | None = None,
    draw: bool = False,
    drawn: dict[str, Any] | None = None,
    keys: bool = False,
    height: int | str | None = None,
    view: dict[str, Any] | None = None,
    view_id: str | None = None,
) -> dict[str, Any]:
    """The renderer's state (docs/map-payload.md) for a screen.

    Unless the screen gives its own *view*, the map goes where the session last sent it
    (a selected line fills the map, a place is zoomed to) or to the theater's home view.
    """
    ss = session.ss()
    if view is None:
        view, view_id = _session_view(built, theater), f"s{ss.get(session.VIEW_ID, 0)}"
    marker = None
    place = built.atlas.places.get(ss.get(session.PLACE) or "")
    if place is not None and place.theater == theater:
        marker = {"lat": place.lat, "lon": place.lon, "label": place.label}
    return {
        "visible": list(layers) if layers is not None else None,
        "selected": selected,
        "dim": selected is not None,
        "compare": compare,
        "marker": marker,
        "view": view,
        "view_id": f"{theater}:{view_id}",
        "halo": settings_.halo,
        "places": settings_.places,
        "labels": settings_.labels,
        "legend_open": True,
        "draw": draw,
        "drawn": drawn,
        "keys": keys,
        "height": height or settings_.height,
    }


def _session_view(built: BuiltAtlas, theater: str) -> dict[str, Any] | None:
    focus = session.ss().get(session.FOCUS)
    if not focus:
        return None  # the payload's home view
    kind, ident = focus
    if kind == "line" and ident in built and built.atlas.lines[ident].theater == theater:
        bounds = webmap.bounds_of([built[ident].geometry])
        return {"bounds": bounds} if bounds else None
    place = built.atlas.places.get(ident)
    if kind == "place" and place is not None and place.theater == theater:
        return {"center": [place.lat, place.lon], "zoom": PLACE_ZOOM}
    return None


#: Zoom used when the map flies to a place.
PLACE_ZOOM = 9
