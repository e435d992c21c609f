"""The peer: a plain st_folium page of the same layers, with the clicked line's citation.

bench/bench_app.py runs it from a folder whose static/ holds Leaflet and jQuery (served by
Streamlit's static serving: no CDN), with the same records, cache and shapes as the app.
"""

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.outputs import webmap
from ui import resources

st.set_page_config(page_title="Peer", layout="wide")
theater = st.query_params.get("theater", "korea")
data_dir = str(resources.settings().data_dir)
built = resources.built_for(data_dir, theater)
payload = st.cache_resource(lambda _b, t: webmap.theater_payload(_b, t))(built, theater)
LOCAL_JS = [("leaflet", "/app/static/leaflet.js"), ("jquery", "/app/static/jquery.js")]
folium.Map.default_js, folium.Map.default_css = LOCAL_JS, [("lcss", "/app/static/leaflet.css")]
m = folium.Map(tiles=None, zoom_control=True)
m.fit_bounds(payload["home"])


def style(f: dict) -> dict:
    p = f["properties"]
    return {"color": p.get("color", "#8c8c8c"), "weight": p.get("weight", 0.8),
            "dashArray": p.get("dash"), "fillOpacity": p.get("fill_opacity", 0.12)}  # fmt: skip


for name in ("land", "bands", "features", "places"):
    tip = folium.GeoJsonTooltip(["id"], labels=False) if name == "features" else None
    marker = folium.CircleMarker(radius=4) if name == "places" else None
    folium.GeoJson(payload[name], style_function=style, tooltip=tip, marker=marker).add_to(m)
left, right = st.columns((5, 3))
with left:
    out = st_folium(m, height=620, use_container_width=True, key="peer",
                    returned_objects=["last_object_clicked_tooltip"])  # fmt: skip
with right:
    line = built.atlas.lines.get(str((out or {}).get("last_object_clicked_tooltip") or "").strip())
    if line is not None:
        st.subheader(line.title)
        for doc, ev in built.atlas.evidence_for(line.id):
            st.markdown(f"**{doc.title}**  \nCitation: {' '.join(doc.citation.split())}")
            st.markdown(f"Evidence: “{ev.phrase}”")
