"""The map as other things: a PNG, a PDF handout (one page, or a whole story), data, citations
and a text table.

Every file is made offline by ``geo.outputs`` and cached with ``st.cache_data`` keyed by what
the map shows, so a class that downloads the same step twice waits once. The buttons pass
callables to ``st.download_button``: nothing is drawn until someone asks for the file.

The text table (:func:`show_text_alternative`) says in words what the map shows -- key letter,
title, party, status, date and how it is drawn -- for people who cannot see the map, and for
everyone when colours wash out on a projector.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from geo.geometry import BuiltAtlas
from geo.outputs import citations
from geo.outputs.tables import CSV_FIELDS, flat_row, line_properties, to_feature_collection
from geo.records.model import Document
from geo.stories import Story
from geo.vocab import theater_label
from ui.resources import built_for, stories
from ui.tables import html_table

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
    "#CC79A7": "reddish purple",
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


def layer_ids(built: BuiltAtlas, theater: str, layers: Sequence[str] | None) -> list[str]:
    """The ids a map of *theater* draws, in the atlas's order (unknown ids dropped)."""
    ids = [ln.id for ln in built.lines_in(theater)]
    if layers is None:
        return ids
    wanted = set(layers)
    return [i for i in ids if i in wanted]


def _selected(built: BuiltAtlas, view: MapView) -> str | None:
    return view.selected if view.selected in layer_ids(built, view.theater, view.layers) else None


# ---------------------------------------------------------------------------------------
# the files (cached; a MapView is frozen, so it hashes by value)


@st.cache_data(show_spinner="Drawing the map…", max_entries=32)
def png_bytes(data_dir: str, view: MapView) -> bytes:
    """The map as a 1920 x 1080 PNG with title, legend and scale."""
    from geo.outputs import staticmap  # matplotlib: loaded on the first export, not at start

    built = built_for(data_dir, view.theater)
    width, height = PNG_SIZE
    return staticmap.map_png(
        built,
        theater=view.theater,
        layers=layer_ids(built, view.theater, view.layers),
        selected=_selected(built, view),
        bbox=view.bbox,
        title=view.title,
        width_px=width,
        height_px=height,
        dpi=PNG_DPI,
    )


@st.cache_data(show_spinner="Writing the handout…", max_entries=32)
def pdf_bytes(data_dir: str, view: MapView) -> bytes:
    """A one-page A4 handout: map, legend, table of the lines, citations of their documents."""
    from geo.outputs import handout

    built = built_for(data_dir, view.theater)
    return handout.handout_pdf(
        built,
        theater=view.theater,
        layers=layer_ids(built, view.theater, view.layers),
        selected=_selected(built, view),
        title=view.title,
        bbox=view.bbox,
    )


@st.cache_data(show_spinner="Writing the story's handout…", max_entries=8)
def story_pdf_bytes(data_dir: str, story_id: str, view_px: tuple[int, int]) -> bytes:
    """Every step of a story, one page each, with its caption and evidence."""
    from geo.outputs import storypdf

    story: Story = stories(data_dir)[0][story_id]
    return storypdf.story_pdf(built_for(data_dir, story.theater), story, view_px=view_px)


def _features(data_dir: str, view: MapView) -> dict[str, object]:
    built = built_for(data_dir, view.theater)
    keep = set(layer_ids(built, view.theater, view.layers))
    return to_feature_collection(built, theater=view.theater, with_places=view.places, ids=keep)


@st.cache_data(show_spinner=False, max_entries=32)
def geojson_bytes(data_dir: str, view: MapView) -> bytes:
    """The lines and zones shown (and the places, when the map shows them) as GeoJSON."""
    return json.dumps(_features(data_dir, view), ensure_ascii=False, indent=1).encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=32)
def csv_bytes(data_dir: str, view: MapView) -> bytes:
    """One row per line or zone shown (the columns of ``python -m geo export --format csv``)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    built = built_for(data_dir, view.theater)
    for lid in layer_ids(built, view.theater, view.layers):
        writer.writerow(flat_row(line_properties(built, built.atlas.lines[lid])))
    return buf.getvalue().encode("utf-8")


def documents_shown(data_dir: str, view: MapView) -> list[Document]:
    """The documents behind the lines shown (agreements included), oldest first."""
    built = built_for(data_dir, view.theater)
    return built.atlas.documents_for(tuple(layer_ids(built, view.theater, view.layers)))


@st.cache_data(show_spinner=False, max_entries=32)
def ris_bytes(data_dir: str, view: MapView) -> bytes:
    return citations.to_ris(documents_shown(data_dir, view)).encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=32)
def bibtex_bytes(data_dir: str, view: MapView) -> bytes:
    return citations.to_bibtex(documents_shown(data_dir, view)).encode("utf-8")


# ---------------------------------------------------------------------------------------
# widgets


def export_buttons(data_dir: str, view: MapView, *, slug: str, key: str) -> None:
    """Six download buttons (PNG, PDF, GeoJSON, CSV, RIS, BibTeX) for *view*."""
    n = len(documents_shown(data_dir, view))
    none = "No document is tied to the lines shown." if not n else None
    cites = f"{n} document{'s' if n != 1 else ''} behind the lines shown"
    buttons = [
        ("png", "Map (PNG)", lambda: png_bytes(data_dir, view), "1920 × 1080, for slides"),
        ("pdf", "Handout (PDF)", lambda: pdf_bytes(data_dir, view), "One A4 page to print"),
        ("geojson", "Data (GeoJSON)", lambda: geojson_bytes(data_dir, view), None),
        ("csv", "Table (CSV)", lambda: csv_bytes(data_dir, view), None),
        ("ris", "Citations (RIS)", lambda: ris_bytes(data_dir, view), none or cites),
        ("bib", "Citations (BibTeX)", lambda: bibtex_bytes(data_dir, view), none or cites),
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
            disabled=ext in ("ris", "bib") and not n,
            width="stretch",
        )


def text_rows(built: BuiltAtlas, view: MapView) -> list[list[str]]:
    """The text alternative of a map: one row per line or zone shown."""
    atlas = built.atlas
    keys = atlas.keys(view.theater)
    rows = []
    for lid in layer_ids(built, view.theater, view.layers):
        line = atlas.lines[lid]
        from geo.style import stroke

        color = stroke(party=line.party, status=line.status, kind=line.kind).color
        drawn = DRAWN_AS.get(line.status, line.status)
        if line.is_position:
            drawn = f"{COLOR_NAMES.get(color, color)}, {drawn}"
        if line.kind == "zone":
            drawn += " outline, shaded"
        if lid == view.selected:
            drawn += ", thick (selected)"
        rows.append(
            [
                keys.get(lid, "—"),
                line.title,
                line.party_label if line.is_position else "—",
                line.status,
                line.date_iso or "—",
                drawn,
            ]
        )
    return rows


def show_text_alternative(built: BuiltAtlas, view: MapView, *, key: str) -> None:
    """An expander with a real HTML table of what the map shows; the table is made and sent
    only once it is opened (a rerun), not with every click on the map."""
    rows = text_rows(built, view)
    box = st.expander(f"What the map shows, as text ({len(rows)})", key=key, on_change="rerun")
    if not box.open:
        return
    with box:
        if not rows:
            st.caption("The map shows no lines or zones.")
            return
        st.html(
            html_table(
                ["Key", "Line or zone", "Who", "Status", "Date", "Drawn as"],
                rows,
                caption=f"Lines and zones on the map of {theater_label(view.theater)}",
            )
        )
