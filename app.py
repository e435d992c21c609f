"""Armistice Atlas: the Streamlit app (``streamlit run app.py``).

This file only sets the page up, reads the URL into the session, draws the header and hands
over to one module per screen in ``ui/screens/``. Records, shapes and maps come from ``geo``.
"""

from __future__ import annotations

import streamlit as st

from geo.errors import ValidationError
from geo.vocab import THEATERS, theater_label
from ui import library, params, resources, session
from ui.mapview import sidebar_settings
from ui.screens import compare, documents, mapscreen, present, sequence, sources, timeline
from ui.styles import css
from ui.text import code

st.set_page_config(
    page_title="Armistice Atlas",
    page_icon="🗺",
    layout="wide",
    initial_sidebar_state="auto",
)
st.html(css("app.css"))

settings = resources.settings()
data_dir = str(settings.data_dir)
try:
    atlas = resources.atlas(data_dir)
except ValidationError as exc:
    listing = "\n".join(f"- {code(p)}" for p in exc.problems)
    st.error(
        f"The data records have {len(exc.problems)} problem(s); fix them and reload.\n\n{listing}"
    )
    st.stop()


@st.cache_resource(show_spinner=False)
def _tidy_library(folder: str) -> bool:
    """Once per process: remove what an interrupted write left in the shared library."""
    library.clean_stale(settings.user_dir)
    return True


_tidy_library(str(settings.user_dir))
if not session.ready():  # the first run of a session reads its URL
    linkable = {d.id: d.theater for d in atlas.documents.values()}
    shared = library.read_library(settings.user_dir, atlas).docs.values()
    linkable.update({f"library:{d.document.id}": d.theater for d in shared})
    session.init(atlas, linkable)
present.prepare(data_dir)  # a story sets theater, line and day

st.html(
    '<div class="aa-head"><h1 class="aa-title">Armistice Atlas</h1>'
    '<span class="aa-tagline">Demarcation lines proposed and signed in the Korean armistice '
    "talks (1951–53) and at Geneva (1954), each tied to the document that proposed it.</span></div>"
)
with st.container(horizontal=True, gap="large", key="aa_nav"):
    st.segmented_control(
        "Theater",
        list(THEATERS),
        format_func=theater_label,
        key=session.THEATER,
        required=True,
        on_change=session.on_theater_change,
        label_visibility="collapsed",
        wrap=True,
    )
    st.segmented_control(
        "Screen",
        params.VIEWS,
        format_func=params.VIEW_LABELS.__getitem__,
        key=session.VIEW,
        required=True,
        label_visibility="collapsed",
        wrap=True,  # on a narrow screen a second row, not a menu cut at the edge
    )
for message in session.param_warnings():
    st.warning(message)

theater = session.ss()[session.THEATER]
view = session.ss()[session.VIEW]
corpus = resources.corpus(settings.corpus_dir, frozenset(atlas.documents))
with st.sidebar:
    st.markdown("### Full texts")
    n = len(corpus.texts)
    st.caption(
        f"{n} of {sum(d.in_corpus for d in atlas.documents.values())} archive texts are on this "
        "server."
        if corpus.available
        else "The documents' full texts are not on this server; "
        "citations, summaries and archive addresses still lead to them."
    )
if view in ("documents", "sources"):
    if view == "documents":
        documents.show(resources.built_for(data_dir, theater), corpus)
    else:
        sources.show(corpus, data_dir)
else:
    built = resources.built_for(data_dir, theater)
    map_settings = sidebar_settings(atlas, theater, layer_filter=view == "map")
    if view == "compare":
        compare.show(built, map_settings, data_dir)
    elif view == "sequence":
        sequence.show(built, corpus, map_settings, data_dir)
    elif view == "timeline":
        timeline.show(built, map_settings)
    elif view == "present":
        present.show(built, corpus, map_settings, data_dir)
    else:
        mapscreen.show(built, corpus, map_settings, data_dir)

session.write_params()
