"""The map as other things: a PNG, a one-page PDF handout, data, citations and a text table.

Every file is made offline by ``geo`` (matplotlib and fpdf2 for the pictures, hand-written
RIS/BibTeX) and cached with ``st.cache_data`` keyed by what the map shows, so a class that
downloads the same step twice waits once. The buttons pass callables to
``st.download_button``: nothing is drawn until someone asks for the file.

The text table (:func:`show_text_alternative`) says in words what the map shows -- title,
party, status, date and how it is drawn -- for people who cannot see the map, and for
everyone when colours wash out on a projector.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

import geo
from geo import citations, render
from geo.export import CSV_FIELDS, line_properties
from ui import state as S
from ui.panel import md_label
from ui.resources import Resources, load_resources

Extent = tuple[float, float, float, float]

#: Size of the PNG: 16:9, sharp on a 1080p projector and in slides.
PNG_SIZE = (1920, 1080)
PNG_DPI = 160
MIME = {
    "png": "image/png",
    "pdf": "application/pdf",
    "geojson": "application/geo+json",
    "csv": "text/csv",
    "ris": citations.RIS_MIME,
    "bib": citations.BIBTEX_MIME,
}
#: Colour names for the text table (the map's colours are the Okabe-Ito palette).
COLOR_NAMES = {
    "#D55E00": "vermilion",
    "#E69F00": "orange",
    "#0072B2": "blue",
    "#000000": "black",
    "#7F7F7F": "grey",
}
DRAWN_AS = {
    "proposed": "dashed",
    "fallback": "dotted",
    "agreed": "solid",
    "reference": "fine grey dots",
}


@dataclass(frozen=True)
class MapView:
    """What a map shows, as plain values (the cache key of every export)."""

    theater: str
    layers: tuple[str, ...] | None  # None: every record of the theater
    selected: str | None = None
    bbox: Extent | None = None  # (lon_min, lat_min, lon_max, lat_max), None: fit the layers
    title: str | None = None
    places: bool = True


def layer_ids(atlas: geo.Atlas, theater: str, layers: Sequence[str] | None) -> list[str]:
    """The ids a map of *theater* draws, in the atlas's order (unknown ids dropped)."""
    ids = [ln.id for ln in atlas.lines_in(theater)]
    if layers is None:
        return ids
    wanted = set(layers)
    return [i for i in ids if i in wanted]


def focus_bbox(focus: tuple[float, float, int | None] | None) -> Extent | None:
    """The area a map centred on *focus* (lat, lon, zoom) shows, or None (fit the layers)."""
    if focus is None or focus[2] is None:
        return None
    return render.view_bbox(focus[0], focus[1], focus[2])


def _selected(atlas: geo.Atlas, view: MapView) -> str | None:
    ids = layer_ids(atlas, view.theater, view.layers)
    return view.selected if view.selected in ids else None


# ---------------------------------------------------------------------------------------
# the files (cached; a MapView is frozen, so it hashes by value)


@st.cache_data(show_spinner="Drawing the map…", max_entries=32)
def png_bytes(data_dir: str | None, view: MapView) -> bytes:
    """The map as a 1920 x 1080 PNG with title, legend and scale (geo.handout.map_png)."""
    from geo import handout  # matplotlib: loaded on the first export, not at start

    atlas = load_resources(data_dir).atlas
    width, height = PNG_SIZE
    return handout.map_png(
        atlas,
        theater=view.theater,
        layers=layer_ids(atlas, view.theater, view.layers),
        selected=_selected(atlas, view),
        bbox=view.bbox,
        title=view.title,
        width_px=width,
        height_px=height,
        dpi=PNG_DPI,
    )


@st.cache_data(show_spinner="Writing the handout…", max_entries=32)
def pdf_bytes(data_dir: str | None, view: MapView) -> bytes:
    """A one-page A4 handout: map, legend, table of the lines, citations of their cables."""
    from geo import handout  # matplotlib: loaded on the first export, not at start

    atlas = load_resources(data_dir).atlas
    return handout.handout_pdf(
        atlas,
        theater=view.theater,
        layers=layer_ids(atlas, view.theater, view.layers),
        selected=_selected(atlas, view),
        title=view.title,
        bbox=view.bbox,
    )


def _features(data_dir: str | None, view: MapView) -> dict[str, object]:
    atlas = load_resources(data_dir).atlas
    keep = set(layer_ids(atlas, view.theater, view.layers))
    fc = geo.to_feature_collection(atlas, theater=view.theater, with_places=view.places)
    features = [f for f in fc["features"] if f["id"] in keep or f["properties"]["kind"] == "point"]
    return {"type": "FeatureCollection", "features": features}


@st.cache_data(show_spinner=False, max_entries=32)
def geojson_bytes(data_dir: str | None, view: MapView) -> bytes:
    """The lines and zones shown (and the places, when the map shows them) as GeoJSON."""
    return json.dumps(_features(data_dir, view), ensure_ascii=False, indent=1).encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=32)
def csv_bytes(data_dir: str | None, view: MapView) -> bytes:
    """One row per line or zone shown (the columns of ``python -m geo export --format csv``)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    atlas = load_resources(data_dir).atlas
    for lid in layer_ids(atlas, view.theater, view.layers):
        row = line_properties(atlas, atlas.lines[lid])
        row["sources"] = " ".join(row["sources"])
        writer.writerow(row)
    return buf.getvalue().encode("utf-8")


def cables_shown(data_dir: str | None, view: MapView) -> list[geo.Cable]:
    """The cables behind the lines shown, oldest first."""
    atlas = load_resources(data_dir).atlas
    return citations.cables_for(atlas, layer_ids(atlas, view.theater, view.layers))


@st.cache_data(show_spinner=False, max_entries=32)
def ris_bytes(data_dir: str | None, view: MapView) -> bytes:
    return citations.to_ris(cables_shown(data_dir, view)).encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=32)
def bibtex_bytes(data_dir: str | None, view: MapView) -> bytes:
    return citations.to_bibtex(cables_shown(data_dir, view)).encode("utf-8")


# ---------------------------------------------------------------------------------------
# widgets


def export_buttons(data_dir: str | None, view: MapView, *, slug: str, key: str) -> None:
    """Six download buttons (PNG, PDF, GeoJSON, CSV, RIS, BibTeX) for *view*."""
    n_cables = len(cables_shown(data_dir, view))
    no_cables = "No cable is tied to the lines shown." if not n_cables else None
    cites = f"{n_cables} cable{'s' if n_cables != 1 else ''} behind the lines shown"
    buttons = [
        ("png", "Map as PNG", lambda: png_bytes(data_dir, view), "1920 × 1080, for slides"),
        ("pdf", "Handout (PDF)", lambda: pdf_bytes(data_dir, view), "One A4 page to print"),
        ("geojson", "Data (GeoJSON)", lambda: geojson_bytes(data_dir, view), None),
        ("csv", "Data (CSV)", lambda: csv_bytes(data_dir, view), None),
        ("ris", "Citations (RIS)", lambda: ris_bytes(data_dir, view), no_cables or cites),
        ("bib", "Citations (BibTeX)", lambda: bibtex_bytes(data_dir, view), no_cables or cites),
    ]
    for ext, label, data, help_text in buttons:
        st.download_button(
            label,
            data=data,
            file_name=f"armistice-atlas-{slug}.{ext}",
            mime=MIME[ext],
            key=f"{key}_{ext}",
            help=help_text,
            on_click="ignore",
            disabled=ext in ("ris", "bib") and not n_cables,
            width="stretch",
        )


def text_rows(res: Resources, view: MapView) -> list[dict[str, str]]:
    """The text alternative of a map: one row per line or zone shown."""
    atlas = res.atlas
    rows = []
    for lid in layer_ids(atlas, view.theater, view.layers):
        line = atlas.lines[lid]
        color = render.PARTY_COLORS.get(line.party, "#333333")
        drawn = DRAWN_AS.get(line.status, line.status)
        if line.status != "reference":
            drawn = f"{COLOR_NAMES.get(color, color)}, {drawn}"
        if line.kind == "zone":
            drawn += " outline, shaded"
        if lid == view.selected:
            drawn += ", thick (selected)"
        rows.append(
            {
                "Line or zone": line.title,
                "Who": line.party_label if line.status != "reference" else "—",
                "Status": line.status,
                "Date": line.date_iso or "—",
                "Drawn as": drawn,
            }
        )
    return rows


def show_text_alternative(res: Resources, view: MapView, *, expanded: bool = False) -> None:
    """An expander with a real HTML table of what the map shows."""
    rows = text_rows(res, view)
    label = S.THEATER_LABELS.get(view.theater, view.theater)
    with st.expander(f"What the map shows, as text ({len(rows)})", expanded=expanded):
        if not rows:
            st.caption("The map shows no lines or zones.")
            return
        # st.table cells are markdown: escape what would start markup in a title.
        cells = [{k: md_label(v) for k, v in row.items()} for row in rows]
        st.table(
            pd.DataFrame(cells),
            hide_index=True,
            alt=f"Lines and zones on the map of {label}",
        )
