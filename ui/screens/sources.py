"""The Data & sources screen: every record, place and document, with downloads."""

from __future__ import annotations

import json

import streamlit as st

from geo.geometry import BuiltAtlas
from geo.outputs.tables import to_csv, to_feature_collection
from geo.vocab import theater_label
from ui import session
from ui.resources import Corpus, built_for
from ui.text import code


@st.cache_data(show_spinner=False)
def geojson_bytes(data_dir: str, theater: str | None) -> bytes:
    built = built_for(data_dir, theater)
    fc = to_feature_collection(built, theater=theater, with_places=True)
    return json.dumps(fc, ensure_ascii=False, indent=1).encode("utf-8")


@st.cache_data(show_spinner=False)
def csv_bytes(data_dir: str, theater: str | None) -> bytes:
    return to_csv(built_for(data_dir, theater), theater=theater).encode("utf-8")


def show(corpus: Corpus, data_dir: str) -> None:
    theater = session.ss()[session.THEATER]
    every = st.toggle("Both theaters", value=False, key="aa_src_all")
    scope: str | None = None if every else theater
    label = "both theaters" if every else theater_label(theater)
    slug = "all" if every else theater
    built: BuiltAtlas = built_for(data_dir, scope)
    atlas = built.atlas

    downloads = st.container(horizontal=True, key="aa_src_downloads")
    downloads.download_button(
        f"GeoJSON ({label})",
        data=geojson_bytes(data_dir, scope),
        file_name=f"armistice-atlas-{slug}.geojson",
        mime="application/geo+json",
        help="RFC 7946: lines, zones and places, each with its sources (WGS84, lon/lat).",
        on_click="ignore",
    )
    downloads.download_button(
        f"CSV of lines ({label})",
        data=csv_bytes(data_dir, scope),
        file_name=f"armistice-atlas-{slug}.csv",
        mime="text/csv",
        on_click="ignore",
    )

    lines = [ln for ln in atlas.lines.values() if scope is None or ln.theater == scope]
    lines.sort(key=lambda ln: (ln.theater, ln.date_iso or "9999", ln.id))
    st.header(f"Lines and zones ({len(lines)})", anchor=False)
    st.dataframe(
        [
            {
                "Title": ln.title,
                "Date": ln.date,
                "Party": ln.party_short if ln.is_position else "—",
                "Status": ln.status,
                "Sources": " ".join(ln.sources) or "; ".join(r.title for r in ln.references),
                "Precision (± km)": ln.precision_km,
                "Length (km)": round(built[ln.id].length_km, 1) if built[ln.id].is_line else None,
                "Area (km²)": None if built[ln.id].is_line else round(built[ln.id].area_km2),
                "Inferred": "yes" if ln.inferred else "",
                "Kind": ln.kind,
                "Theater": ln.theater,
                "Id": ln.id,
            }
            for ln in lines
        ],
        hide_index=True,
        width="stretch",
    )

    places = [p for p in atlas.places.values() if scope is None or p.theater == scope]
    st.header(f"Places ({len(places)})", anchor=False)
    st.dataframe(
        [
            {
                "Place": p.name,
                "As the documents write it": ", ".join(p.spellings),
                "Confidence": p.confidence,
                "Precision (± km)": p.precision_km,
                "Documents": " ".join(p.documents),
                "Kind": p.kind,
                "Lat": p.lat,
                "Lon": p.lon,
                "Identification": p.identification,
                "Source of the coordinates": p.source,
                "GeoNames": p.geonames,
                "Id": p.id,
            }
            for p in sorted(places, key=lambda p: (p.theater, p.kind == "waypoint", p.name))
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "Lat": st.column_config.NumberColumn(format="%.3f"),
            "Lon": st.column_config.NumberColumn(format="%.3f"),
        },
    )

    docs = [d for d in atlas.documents.values() if scope is None or d.theater == scope]
    st.header(f"Documents ({len(docs)})", anchor=False)
    st.dataframe(
        [
            {
                "Date": d.date,
                "Kind": d.kind,
                "Title": d.title,
                "From": d.sender,
                "To": d.recipient,
                "Collection": d.collection or d.publisher,
                "Address": d.url,
                "Full text here": "yes" if d.id in corpus.texts else "",
                "Id": d.id,
            }
            for d in sorted(docs, key=lambda d: (d.date, d.id))
        ],
        hide_index=True,
        width="stretch",
        column_config={"Address": st.column_config.LinkColumn(display_text="open")},
    )
    _corpus_status(corpus)


def _corpus_status(corpus: Corpus) -> None:
    st.header("Full texts", anchor=False)
    if not corpus.configured:
        st.info(
            "The full texts of the documents are not on this server. Each document's citation "
            "and address lead to its publisher's copy; see the README for how to give the app "
            "a folder of full texts."
        )
        return
    if corpus.missing:
        st.warning(
            "The folder of full texts set for this server is missing; full texts are not available."
        )
        return
    st.markdown(f"{len(corpus.texts)} full text(s) available on this server.")
    for problem in corpus.problems:
        st.warning(f"Text file skipped: {code(problem)}")
    if corpus.unmatched:
        st.caption(f"{len(corpus.unmatched)} text(s) match no document record and are not shown.")
