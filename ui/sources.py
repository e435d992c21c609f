"""The Data & sources screen: every record, place and cable, with downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import geo
from ui import session
from ui import state as S
from ui.panel import SECTION_CSS, code
from ui.resources import Corpus, Resources, csv_bytes, geojson_bytes


def show(res: Resources, corpus: Corpus, data_dir: str | None) -> None:
    atlas, built = res.atlas, res.built
    theater = session.ss()[session.THEATER]
    every = st.toggle("Both theaters", value=False, key="aa_src_all")
    scope: str | None = None if every else theater
    label = "both theaters" if every else S.THEATER_LABELS[theater]
    slug = "all" if every else theater
    st.html(SECTION_CSS)

    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        f"GeoJSON ({label})",
        data=geojson_bytes(data_dir, scope),
        file_name=f"armistice-atlas-{slug}.geojson",
        mime="application/geo+json",
        help="RFC 7946: lines, zones and places with their sources (WGS84, lon/lat).",
        on_click="ignore",
        width="stretch",
    )
    c2.download_button(
        f"CSV of lines ({label})",
        data=csv_bytes(data_dir, scope),
        file_name=f"armistice-atlas-{slug}.csv",
        mime="text/csv",
        on_click="ignore",
        width="stretch",
    )

    lines = [ln for ln in atlas.lines.values() if scope is None or ln.theater == scope]
    lines.sort(key=lambda ln: (ln.theater, ln.date_iso or "9999", ln.id))
    st.header(f"Lines and zones ({len(lines)})", anchor=False)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Title": ln.title,
                    "Date": ln.date,
                    "Party": S.PARTY_SHORT.get(ln.party, "—"),
                    "Status": ln.status,
                    "Sources (cables)": " ".join(ln.sources)
                    or "; ".join(r.title for r in ln.references),
                    "Precision (± km)": ln.precision_km,
                    "Length (km)": _length(built[ln.id]),
                    "Area (km²)": _area(built[ln.id]),
                    "Inferred": "yes" if ln.inferred else "",
                    "Kind": ln.kind,
                    "Record": ln.record,
                    "Theater": ln.theater,
                    "Id": ln.id,
                }
                for ln in lines
            ]
        ),
        hide_index=True,
        width="stretch",
    )

    places = [p for p in atlas.places.values() if scope is None or p.theater == scope]
    st.header(f"Places ({len(places)})", anchor=False)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Place": p.name,
                    "As the cable writes it": ", ".join(p.spellings),
                    "Confidence": p.confidence,
                    "Precision (± km)": p.precision_km,
                    "Cables": " ".join(p.cables),
                    "Kind": p.kind,
                    "Lat": p.lat,
                    "Lon": p.lon,
                    "Identification": p.identification,
                    "Source of the coordinates": p.source,
                    "Id": p.id,
                }
                for p in sorted(places, key=lambda p: (p.theater, p.kind == "waypoint", p.name))
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Lat": st.column_config.NumberColumn(format="%.3f"),
            "Lon": st.column_config.NumberColumn(format="%.3f"),
        },
    )

    cables = [c for c in atlas.cables.values() if scope is None or c.theater == scope]
    st.header(f"Cables ({len(cables)})", anchor=False)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Date": c.date,
                    "Title": c.title,
                    "From": c.sender,
                    "To": c.recipient,
                    "Citation": c.citation,
                    "Archive": c.url,
                    "Full text here": corpus.files.get(c.id, ""),
                    "Id": c.id,
                }
                for c in sorted(cables, key=lambda c: (c.date, c.id))
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={"Archive": st.column_config.LinkColumn(display_text="open")},
    )
    _corpus_status(corpus)


def _length(built: geo.Built) -> float | None:
    return round(built.length_km, 1) if built.is_line else None


def _area(built: geo.Built) -> float | None:
    return None if built.is_line else round(built.area_km2)


def _corpus_status(corpus: Corpus) -> None:
    st.header("Full cable texts", anchor=False)
    if corpus.folder is None:
        st.info(
            "Full cable texts are not available: no corpus folder. Set ARMISTICE_CORPUS or "
            "start with `streamlit run app.py -- --corpus DIR`."
        )
        return
    where = f"{code(corpus.folder)} (from {corpus.source})"
    if corpus.missing:
        st.warning(f"The corpus folder {where} does not exist; full texts are not available.")
        return
    st.markdown(f"{len(corpus.texts)} text(s) read from {where}.")
    for problem in corpus.problems:
        st.warning(f"Cable file skipped: {code(problem)}")
    if corpus.unmatched:
        st.caption("Texts with no cable record (not shown): " + code(", ".join(corpus.unmatched)))
