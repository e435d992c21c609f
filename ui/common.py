"""Pieces shared by the screens: the map widget, the sidebar options, page styling."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo import render
from ui import session
from ui import state as S
from ui.resources import ASSETS_URL, Resources

MAP_HEIGHT = 620
MAP_HEIGHTS = (420, 520, 620, 720, 860)
#: map column : panel column
MAIN_SPLIT = (5, 3)
CLICK_OBJECTS = ["last_active_drawing", "last_object_clicked"]

APP_CSS = """
<style>
/* room for the map on a projector: less padding, a compact header */
.block-container{padding-top:1rem;padding-bottom:1rem;max-width:100%}
.aa-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 1rem}
h1.aa-title{font-size:1.6rem;margin:0;padding:0}
.aa-tagline{color:#444;font-size:.95rem}
iframe[title="streamlit_folium.st_folium"]{border:1px solid #bbb;border-radius:4px}
/* WCAG AA contrast (axe, tests/browser/test_accessibility.py): Streamlit's faded captions,
   shortcut hints and selected pills are lighter than 4.5:1 */
[data-testid="stCaptionContainer"],[data-testid="stCaptionContainer"] *,
[data-testid="stBaseButton-secondary"] kbd{color:#555!important;opacity:1!important}
[data-testid="stButtonGroup"] [data-selected="true"],
[data-testid="stButtonGroup"] [data-selected="true"] *{color:#9b1c2a!important}
</style>
"""


@dataclass(frozen=True)
class MapSettings:
    """The sidebar's switches that every map screen honours."""

    halo: bool
    places: bool
    online: bool
    groups: tuple[str, ...]
    hidden: tuple[str, ...]
    height: int = MAP_HEIGHT


def sidebar_settings(res: Resources, theater: str, *, layer_filter: bool = True) -> MapSettings:
    """Draw the sidebar's map options and return them.

    The layer filter only matters on screens that draw all records; elsewhere it is not
    drawn, and its last value is kept in plain session keys so it survives the detour.
    """
    catalog = res.catalog
    ss = session.ss()
    groups_all = S.layer_groups(catalog, theater)
    ids = [ln.id for ln in catalog.lines_in(theater)]
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
        places = st.toggle("Places named in the cables", value=True, key="aa_places")
        height = st.select_slider(
            "Map height",
            MAP_HEIGHTS,
            value=MAP_HEIGHT,
            format_func=lambda h: f"{h} px",
            key="aa_map_height",
            help="Smaller for a projector, larger for a big screen.",
        )
        online = st.toggle(
            "Online background map",
            value=False,
            key="aa_online",
            help="OpenStreetMap tiles from the internet. Off by default: the atlas works offline.",
        )
        if layer_filter:
            if w_groups not in ss:
                ss[w_groups] = list(ss[saved_groups])
            if w_hidden not in ss:
                ss[w_hidden] = list(ss[saved_hidden])
            ss[saved_groups] = st.pills(
                "Layers",
                groups_all,
                selection_mode="multi",
                key=w_groups,
                help="Show or hide whole groups (the layer button in the map does the same).",
            )
            with st.expander("Hide single lines and zones"):
                ss[saved_hidden] = st.multiselect(
                    "Hidden",
                    ids,
                    format_func=lambda i: catalog.lines[i].title,
                    key=w_hidden,
                    label_visibility="collapsed",
                    placeholder="Nothing hidden",
                )
    groups = tuple(ss[saved_groups] or ())
    return MapSettings(halo, places, online, groups, tuple(ss[saved_hidden]), height)


def map_options(
    theater: str,
    settings: MapSettings,
    *,
    layers: tuple[str, ...] | None,
    selected: str | None = None,
    highlight: Any = None,
    focus: tuple[float, float, int | None] | None = None,
    marker: tuple[float, float, str] | None = None,
) -> render.MapOptions:
    center = (focus[0], focus[1]) if focus else None
    zoom = focus[2] if focus else None
    return render.MapOptions(
        theater,
        layers=layers,
        selected=selected,
        halo=settings.halo,
        places=settings.places,
        online_tiles=settings.online,
        assets=ASSETS_URL,
        highlight_geometry=highlight,
        center=center,
        zoom=zoom,
        popups=False,  # the side panel shows the record; a popup would repeat it
        marker=marker,
    )


def show_map(
    res: Resources,
    options: render.MapOptions,
    *,
    key: str,
    on_click: Callable[[], None] | None = None,
    height: int = MAP_HEIGHT,
) -> None:
    """Draw a geo.render map with st_folium; clicks rerun the app only if *on_click*.

    The selection, the place marker and the view are sent as st_folium's dynamic parts
    (``feature_group_to_add``, ``center``, ``zoom``), so selecting a line or flying to a
    place updates the map in the page instead of reloading it and losing the user's zoom.
    """
    base = dataclasses.replace(options, selected=None, marker=None, center=None, zoom=None)
    fmap = render.build_map(res.atlas, base)
    dynamic: list[Any] = []  # folium FeatureGroups, made by geo.render
    if options.selected and (options.layers is None or options.selected in options.layers):
        dynamic.append(render.selection_layer(res.atlas, options.selected))
    if options.marker is not None:
        dynamic.append(render.marker_layer(*options.marker))
    # st_folium computes the map's bounds only for its "bounds" return value, which we do not
    # ask for; skip that walk over every coordinate of the page.
    fmap.get_bounds = _no_bounds  # type: ignore[method-assign]
    session.ss()[session.LAST_MAP] = options
    st_folium(
        fmap,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=CLICK_OBJECTS if on_click else [],
        on_change=on_click,
        center=options.center,
        zoom=options.zoom,
        feature_group_to_add=dynamic or None,
    )


def _no_bounds() -> list[list[float | None]]:
    return [[None, None], [None, None]]
