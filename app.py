"""Armistice Atlas: the Streamlit app (``streamlit run app.py [-- --corpus DIR]``).

This file only sets the page up, reads the URL into the session, draws the header and hands
over to one module per screen in ``ui/``. Geometry, measures and maps all come from ``geo``.
"""

from __future__ import annotations

import os
import sys

import streamlit as st

import geo
from ui import cables, compare, present, session, sources, timeline, userdata
from ui import map as map_screen
from ui import state as S
from ui.common import APP_CSS, sidebar_settings
from ui.panel import code
from ui.resources import APP_DIR, install_vendor_assets, load_corpus, load_resources

st.set_page_config(
    page_title="Armistice Atlas",
    page_icon="🗺",
    layout="wide",
    initial_sidebar_state="auto",
)
st.html(APP_CSS)

data_dir = S.data_dir()
data_key = str(data_dir) if data_dir else None
try:
    res = load_resources(data_key)
except geo.ValidationError as exc:
    lines = "\n".join(f"- {code(str(p))}" for p in exc.problems)
    st.error(
        f"The data records have {len(exc.problems)} problem(s); fix them and reload.\n\n{lines}"
    )
    st.stop()

try:
    install_vendor_assets()
except OSError as exc:
    st.warning(f"Could not copy Leaflet into static/vendor ({exc}); the maps need those files.")
folder, folder_source = S.corpus_dir(sys.argv[1:], os.environ, APP_DIR)
corpus = load_corpus(folder, folder_source, frozenset(res.atlas.cables))
user_docs = userdata.library(res, data_key)  # documents the user added (ui/cables.py)
session.init(userdata.with_user_cables(res.catalog, user_docs))
present.prepare(res, data_key)  # a story sets theater, line and day

st.html(
    '<div class="aa-head"><h1 class="aa-title">Armistice Atlas</h1>'
    '<span class="aa-tagline">Demarcation lines proposed and signed in the Korean armistice '
    "talks (1951–53) and at Geneva (1954), each tied to the cable that proposed it.</span></div>"
)
with st.container(horizontal=True, gap="large", key="aa_nav"):
    st.segmented_control(
        "Theater",
        S.THEATERS,
        format_func=S.THEATER_LABELS.__getitem__,
        key=session.THEATER,
        required=True,
        on_change=session.on_theater_change,
        label_visibility="collapsed",
    )
    st.segmented_control(
        "Screen",
        S.VIEWS,
        format_func=S.VIEW_LABELS.__getitem__,
        key=session.VIEW,
        required=True,
        label_visibility="collapsed",
    )
for message in session.param_warnings():
    st.warning(message)

view = session.ss()[session.VIEW]
settings = sidebar_settings(
    res, session.ss()[session.THEATER], layer_filter=view in ("map", "timeline")
)
with st.sidebar:
    st.markdown("### Full cable texts")
    if corpus.available:
        n, total = len(corpus.texts), len(res.atlas.cables)
        st.caption(f"{n} of {total} cables, from {code(corpus.folder)}")
    else:
        if corpus.folder is None:
            why = "no corpus folder"
        elif corpus.missing:
            why = f"folder {code(corpus.folder)} not found"
        else:
            why = f"nothing readable in {code(corpus.folder)}"
        st.caption(
            f"Texts not available: {why}. Citations, summaries and archive links still work."
        )
    for problem in corpus.problems:
        st.warning(f"Cable file skipped: {code(problem)}")

corpus = userdata.with_user_texts(corpus, user_docs)  # an added text attaches to its record
if view == "compare":
    compare.show(res, settings, data_key)
elif view == "timeline":
    timeline.show(res, settings)
elif view == "cables":
    cables.show(res, corpus, settings, data_key)
elif view == "present":
    present.show(res, corpus, settings, data_key)
elif view == "sources":
    sources.show(res, corpus, data_key)
else:
    map_screen.show(res, corpus, settings, data_key)

session.write_params()
