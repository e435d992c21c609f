"""The Map screen: every line and zone of a theater, and the panel of the one selected."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import session
from ui import state as S
from ui.common import MAIN_SPLIT, MapSettings, map_options, show_map
from ui.exports import MapView, export_buttons, focus_bbox, show_text_alternative
from ui.panel import show_line_panel
from ui.resources import Corpus, Resources, standalone_map_html

MAP_KEY = "aa_map_main"


def show(res: Resources, corpus: Corpus, settings: MapSettings, data_dir: str | None) -> None:
    ss = session.ss()
    catalog = res.catalog
    theater = ss[session.THEATER]
    selected = ss.get(session.LINE)
    layers = S.shown_layers(
        catalog, theater, settings.groups, settings.hidden, always=[selected] if selected else []
    )
    place = catalog.places.get(ss.get(session.PLACE) or "")
    options = map_options(
        theater,
        settings,
        layers=layers,
        selected=selected,
        focus=ss.get(session.FOCUS),
        marker=(place.lat, place.lon, place.label) if place and ss.get(session.FOCUS) else None,
    )

    left, right = st.columns(MAIN_SPLIT, gap="medium")
    with left:
        show_map(
            res,
            options,
            key=MAP_KEY,
            height=settings.height,
            on_click=lambda: session.on_map_click(catalog, MAP_KEY),
        )
        c1, c2, c3, c4 = st.columns([2.2, 1.1, 1.7, 1.4])
        c1.caption(
            "Click a line or zone for its sources. Colour = party, dashes = status; "
            "the layer button (top right of the map) toggles groups."
        )
        c2.button(
            "Reset view",
            on_click=session.reset_view,
            disabled=ss.get(session.FOCUS) is None,
            width="stretch",
        )
        c3.download_button(
            "Map as offline HTML",
            data=lambda: standalone_map_html(
                data_dir, theater, layers, settings.halo, settings.places
            ),
            file_name=f"armistice-atlas-{theater}.html",
            mime="text/html",
            help="One self-contained file (Leaflet included) that opens without internet.",
            width="stretch",
            on_click="ignore",
        )
        bbox = focus_bbox(ss.get(session.FOCUS))
        view = MapView(theater, layers, selected, bbox, places=settings.places)
        with c4.popover("Download", icon=":material/download:", width="stretch"):
            export_buttons(data_dir, view, slug=theater, key="aa_map_export")
        show_text_alternative(res, view)

    with right:
        ids = [ln.id for ln in catalog.lines_in(theater)]
        if session.PICK not in ss or ss[session.PICK] not in [None, *ids]:
            ss[session.PICK] = selected if selected in ids else None
        st.selectbox(
            "Line or zone",
            ids,
            index=None,
            format_func=lambda i: catalog.lines[i].title,
            key=session.PICK,
            placeholder="Click the map, or choose here…",
            on_change=lambda: session.select(ss.get(session.PICK)),
        )
        if selected and selected in catalog.lines:
            with st.container(height=settings.height - 20, border=False):
                show_line_panel(
                    res, corpus, selected, on_fly=lambda pid: session.fly_to(catalog, pid)
                )
        else:
            _overview(res, theater)


def _overview(res: Resources, theater: str) -> None:
    catalog = res.catalog
    st.markdown(f"#### {S.THEATER_LABELS[theater]}: what is on the map")
    rows = []
    for ln in catalog.lines_in(theater):
        built = res.built[ln.id]
        size = f"{built.length_km:,.0f} km" if built.is_line else f"{built.area_km2:,.0f} km²"
        rows.append(
            {
                "Date": ln.date.isoformat() if ln.date else "",
                "Who": S.PARTY_SHORT.get(ln.party, "—") if ln.status != "reference" else "—",
                "Line or zone": ln.title,
                "Size": size,
                "Status": ln.status,
            }
        )
    small = st.column_config.TextColumn(width="small")
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        height=420,
        column_config={
            "Date": small,
            "Who": small,
            "Size": small,
            "Status": small,
            "Line or zone": st.column_config.TextColumn(width="large"),
        },
    )
    st.caption(
        "Dashed = proposed, dotted = fallback, solid = agreed; grey dots = reference parallels. "
        "Hollow place markers: the identification is not certain."
    )
