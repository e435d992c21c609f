"""The Map screen: every line and zone of a theater, and the panel of the one selected."""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo.geometry import BuiltAtlas
from geo.outputs.webmap import date_label
from geo.vocab import theater_label
from ui import rules, session
from ui.exports import MapView, export_buttons, show_text_alternative
from ui.mapview import MAIN_SPLIT, MapSettings, map_state, show_map
from ui.panel import show_line_panel
from ui.resources import Corpus
from ui.tables import html_table
from ui.text import md_label

MAP_KEY = "aa_map_main"
#: The overview beside the map lists this many records at most (an atlas of hundreds would
#: make every page load and rerun send and draw a long table nobody reads in a side panel).
OVERVIEW_ROWS = 60


def on_map_event(built: BuiltAtlas, theater: str) -> Any:
    def handle(event: dict[str, Any]) -> None:
        line_id = rules.clicked_line(event, built.atlas, theater)
        if line_id is not None:  # a click keeps the user's view
            session.select_at_spot(
                line_id, rules.clicked_also(event, built.atlas, theater, line_id)
            )

    return handle


def show(built: BuiltAtlas, corpus: Corpus, settings: MapSettings, data_dir: str) -> None:
    ss = session.ss()
    atlas = built.atlas
    theater = ss[session.THEATER]
    selected = ss.get(session.LINE)
    layers = rules.shown_layers(
        atlas, theater, settings.groups, settings.hidden, always=[selected] if selected else []
    )
    left, right = st.columns(MAIN_SPLIT, gap="medium")
    with left:
        state = map_state(built, theater, settings, layers=layers, selected=selected)
        show_map(built, theater, state, key=MAP_KEY, on_event=on_map_event(built, theater))
        # the hint beside the buttons where the column is wide enough, above them where not
        with st.container(horizontal=True, vertical_alignment="center", key="aa_map_tools"):
            st.caption(
                "Click a line or zone for its sources. Colour = party, dashes = status, "
                "letters = the legend's keys; the layer button (top right of the map) toggles "
                "groups."
            )
            st.button(
                "Reset view",
                on_click=session.reset_view,
                disabled=ss.get(session.FOCUS) is None,
            )
            view = MapView(theater, layers, selected, places=settings.places)
            with st.popover("Download", icon=":material/download:"):
                export_buttons(data_dir, view, slug=theater, key="aa_map_export")
        show_text_alternative(built, view, key="aa_text_map")

    with right:
        ids = [ln.id for ln in atlas.lines_in(theater)]
        if session.PICK not in ss or ss[session.PICK] not in [None, *ids]:
            ss[session.PICK] = selected if selected in ids else None
        st.selectbox(
            "Line or zone",
            ids,
            index=None,
            format_func=lambda i: atlas.lines[i].title,
            key=session.PICK,
            placeholder="Click the map, or choose here…",
            on_change=lambda: session.select(ss.get(session.PICK)),
        )
        if selected and selected in atlas.lines:
            _others_at_spot(built, theater, selected)
            with st.container(height=settings.height - 20, border=False):
                show_line_panel(built, corpus, selected, on_fly=session.fly_to)
        else:
            _overview(built, theater)


def _others_at_spot(built: BuiltAtlas, theater: str, selected: str) -> None:
    """Where records share a stretch only the top one takes a click: offer the others."""
    spot = session.ss().get(session.ALSO)
    if not spot or spot[0] != selected:
        return
    atlas = built.atlas
    keys = atlas.keys(theater)
    others = [i for i in spot[1] if i in atlas.lines]
    if not others:
        return

    st.caption("Also at the spot you clicked (choose one to show it instead):")
    with st.container(key="aa_also", gap=None):
        for lid in others:
            key = keys.get(lid)
            title = atlas.lines[lid].title
            st.button(
                md_label(f"{key} · {title}" if key else title),
                key=f"aa_also_{lid}",
                type="tertiary",
                on_click=session.switch_at_spot,
                args=(lid,),
            )


def _overview(built: BuiltAtlas, theater: str) -> None:
    atlas = built.atlas
    keys = atlas.keys(theater)
    st.markdown(f"## {md_label(theater_label(theater))}: what is on the map")
    rows = []
    lines = atlas.lines_in(theater)
    for ln in lines[:OVERVIEW_ROWS]:
        shape = built[ln.id]
        size = f"{shape.length_km:,.0f} km" if shape.is_line else f"{shape.area_km2:,.0f} km²"
        rows.append(
            [
                ln.title,
                keys.get(ln.id, "—"),
                date_label(ln) or "—",
                ln.party_short if ln.is_position else "—",
                size,
                ln.status,
            ]
        )
    # the title heads its row: in a narrow column each row is shown as a block under it
    st.html(
        html_table(
            ["Line or zone", "Key", "Date", "Who", "Size", "Status"],
            rows,
            numeric=("Size",),
            row_header=True,
        )
    )
    if len(lines) > OVERVIEW_ROWS:
        st.caption(
            f"The first {OVERVIEW_ROWS} of {len(lines):,} records; Data & sources lists them all."
        )
    st.caption(
        "Dashed = proposed, dotted = fallback, solid = agreed; grey dots = reference lines. "
        "Hollow place markers: the identification is not certain."
    )
