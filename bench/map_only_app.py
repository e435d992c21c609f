"""The app's map alone: the same component, payload and state as the Map screen of ``app.py``
(every layer, no selection), without anything around it: no title, no navigation, no sidebar
options, no panel or table. ``bench_app.py`` measures it beside the app and the peer, to show
what the map costs and what the page around it costs.

    streamlit run bench/map_only_app.py     (with ARMISTICE_DATA / ARMISTICE_CACHE as the app)
"""

from __future__ import annotations

import streamlit as st

from ui import resources, session
from ui.mapview import MAP_HEIGHT, MapSettings, map_state, show_map
from ui.rules import layer_groups, shown_layers
from ui.screens.mapscreen import MAP_KEY

st.set_page_config(page_title="Armistice Atlas map", layout="wide")
data_dir = str(resources.settings().data_dir)
atlas = resources.atlas(data_dir)
if not session.ready():
    session.init(atlas, {d.id: d.theater for d in atlas.documents.values()})
theater = session.ss()[session.THEATER]
built = resources.built_for(data_dir, theater)
groups = tuple(layer_groups(atlas, theater))
settings = MapSettings(
    halo=True, places=True, labels=True, groups=groups, hidden=(), height=MAP_HEIGHT
)
layers = shown_layers(atlas, theater, settings.groups, settings.hidden, always=[])
show_map(built, theater, map_state(built, theater, settings, layers=layers), key=MAP_KEY)
