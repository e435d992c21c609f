"""PDF handouts: one page of a theater (:func:`handout_pdf`) or one page per step of a story
(:func:`story_pdf`), A4 landscape, made offline for classrooms.

One responsibility: laying out the printed pages. The map is :mod:`geo.outputs.staticmap`'s
(rendered without its title and legend, which are printed here as PDF text that can be
selected, searched and read aloud); styles and legend words come from
:mod:`geo.outputs.staticlegend`; citations from :mod:`geo.outputs.citations`. The fonts are
the DejaVu files that matplotlib ships, embedded, so "Hải Phòng" and "km²" print as written;
a fixed creation date keeps the bytes reproducible, so the app can cache them.

The handout's table of lines is fpdf2's own ``FPDF.table()`` (wrapping, row heights, fills);
each row's style sample is a small SVG in its own cell, so it stays vector. The page is kept
to exactly one: the type shrinks from 8 pt to 5.5 pt until the table, the legend column and
the citations fit (each size is measured by rendering into a throwaway FPDF), and if even
5.5 pt is too big the last rows give way to a line saying how many were left out.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos
from shapely.geometry.base import BaseGeometry

from geo.geometry import BuiltAtlas
from geo.outputs.citations import cables_for, full_citation
from geo.outputs.labels import latitude_label
from geo.outputs.staticlegend import (
    PrintStyle,
    party_label_long,
    party_sample,
    print_style,
    status_sample,
)
from geo.outputs.staticmap import (
    Extent,
    MapImage,
    check_selected,
    default_title,
    render_map,
    resolve_layers,
    shown_keys,
    view_bbox,
)
from geo.outputs.webmap import date_label
from geo.records.model import Document, Line
from geo.stories import Step, Story
from geo.vocab import PARTIES, STATUSES, party_short, theater_label

PT_MM = 25.4 / 72  # one typographic point in millimetres
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_PDF_FONT = "DejaVu"
_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
_PDF_DATE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
_TYPE_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0, 5.5)
_STEP_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0, 5.5)
_BOLD, _ITALIC = FontFace(emphasis="BOLD"), FontFace(emphasis="ITALICS")
_GREY = (70, 70, 70)


class _Page:
    """A4 landscape, in millimetres."""

    W, H, M = 297.0, 210.0, 10.0
    MAP_X, MAP_Y, MAP_W = 10.0, 23.0, 172.0
    MAP_H_MIN, MAP_H_GOOD, MAP_H_MAX = 72.0, 100.0, 130.0
    MAP_DPI = 200
    COL_X = 187.0
    COL_W = W - M - COL_X
    GAP = 4.0
    #: Table columns: style, key, title, party, date, status, measure, sources (277 mm).
    COLS = (7.0, 6.0, 100.0, 20.0, 21.0, 16.0, 23.0, 84.0)
    HEADERS = ("", "", "Line or zone", "Party", "Date", "Status", "Length / area", "Sources")
    #: A story step: the map with the caption under it, the lines and quotations beside it.
    STEP_MAP_W, STEP_MAP_H_MIN, STEP_MAP_H_MAX = 186.0, 80.0, 140.0
    STEP_COL_X = 201.0
    STEP_COL_W = W - M - STEP_COL_X
    FOOT_Y = H - M - 2.0


class _Handout(FPDF):
    """An A4 landscape page with DejaVu Sans embedded (any Unicode the documents use)."""

    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(_Page.M, _Page.M, _Page.M)
        for style, name in _FONTS.items():
            self.add_font(_PDF_FONT, style, str(_FONT_DIR / name))
        self.set_creation_date(_PDF_DATE)
        self.set_creator("Armistice Atlas")
        self.set_author("Armistice Atlas")
        self.set_lang("en")
        self.c_margin = 0.8

    def para(
        self, x: float, y: float, w: float, lh: float, text: str, *, grey: bool = False
    ) -> float:
        """Wrapped, left-aligned text at (x, y); returns the y below it."""
        self.set_xy(x, y)
        self.set_text_color(*(_GREY if grey else (0, 0, 0)))
        self.multi_cell(w, lh, text, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        return self.get_y()

    def swatch(self, style: PrintStyle, x: float, y: float, w: float, h: float) -> None:
        """A style sample (legend entry) at print size."""
        self.image(_swatch_svg(style, w, h), x=x, y=y, w=w, h=h)

    def heading(self, text: str, subtitle: str) -> None:
        self.set_font(_PDF_FONT, "B", 15)
        self.set_xy(_Page.M, 8.5)
        self.cell(_Page.W - 2 * _Page.M, 7, text, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font(_PDF_FONT, "", 8.5)
        self.para(_Page.M, self.get_y(), _Page.W - 2 * _Page.M, 4.5, subtitle, grey=True)


def _swatch_svg(style: PrintStyle, w_mm: float, h_mm: float) -> bytes:
    """*style* drawn in a *w_mm* x *h_mm* box, as SVG in points (fpdf2 draws it as vectors)."""
    w, h = w_mm / PT_MM, h_mm / PT_MM
    dash = f' stroke-dasharray="{" ".join(f"{v:.2f}" for v in style.dash)}"' if style.dash else ""
    if style.zone:
        fill = "#{:02x}{:02x}{:02x}".format(*_tint(style.color, style.fill_opacity))
        body = (
            f'<rect x="0.5" y="{h * 0.12:.2f}" width="{w - 1:.2f}" height="{h * 0.76:.2f}" '
            f'fill="{fill}" stroke="{style.color}" stroke-width="0.85"{dash}/>'
        )
    else:
        width = max(style.width_pt * 0.7, 0.6)
        body = (
            f'<line x1="0" y1="{h / 2:.2f}" x2="{w:.2f}" y2="{h / 2:.2f}" '
            f'stroke="{style.color}" stroke-width="{width:.2f}"{dash}/>'
        )
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.2f} {h:.2f}">{body}</svg>'
    return svg.encode()


def _tint(color: str, alpha: float) -> tuple[int, int, int]:
    """*color* at *alpha* over white (zone fills print without transparency)."""
    c = color.lstrip("#")
    r, g, b = (round(255 - (255 - int(c[i : i + 2], 16)) * alpha) for i in (0, 2, 4))
    return (r, g, b)


def _line_h(size: float) -> float:
    return size * PT_MM * 1.3


# ---------------------------------------------------------------------------------------
# one page of a theater


@dataclass(frozen=True)
class _TableRow:
    style: PrintStyle
    key: str
    cells: tuple[str, ...]  # title, party, date, status, measure, sources


@dataclass(frozen=True)
class _Layout:
    size: float  # type size, points
    rows: tuple[_TableRow, ...]
    left_out: int  # rows that did not fit
    table_y: float
    map_h: float


def handout_pdf(
    built: BuiltAtlas,
    *,
    theater: str,
    layers: Sequence[str] | None = None,
    title: str | None = None,
    selected: str | None = None,
    highlight: BaseGeometry | None = None,
    bbox: Extent | None = None,
) -> bytes:
    """A one-page A4 landscape handout: map, legend, table of the lines, document citations.

    Parameters
    ----------
    built
        The records and their shapes.
    theater
        ``"korea"`` or ``"indochina"``.
    layers
        Line ids to show and list; None shows every record of the theater.
    title
        The handout's heading; by default one made from the theater's name.
    selected, highlight, bbox
        As for :func:`geo.outputs.staticmap.map_png` (``bbox``: the area a zoomed-in view
        or story step shows).

    Returns
    -------
    bytes
        A PDF of exactly one page (see the module docstring for how everything fits).
        The table keys each line with its stable letter (``built.atlas.keys``).

    Raises
    ------
    AtlasError
        As for :func:`geo.outputs.staticmap.map_png`.
    """
    lines = resolve_layers(built, theater, layers)
    check_selected(lines, selected)
    keys = shown_keys(built, theater, lines)
    docs = cables_for(built.atlas, [ln.id for ln in lines])
    numbers = {d.id: i + 1 for i, d in enumerate(docs)}
    rows = _table_rows(built, lines, keys, numbers)
    heading = title or default_title(theater)

    scratch = _Handout()
    scratch.add_page()
    layout = _choose_layout(scratch, lines, docs, rows)
    image = render_map(
        built,
        theater=theater,
        layers=[ln.id for ln in lines],
        selected=selected,
        highlight=highlight,
        width_px=round(_Page.MAP_W / 25.4 * _Page.MAP_DPI),
        height_px=round(layout.map_h / 25.4 * _Page.MAP_DPI),
        dpi=_Page.MAP_DPI,
        bbox=bbox,
        legend=False,
    )
    pdf = _Handout()
    pdf.set_title(heading)
    pdf.set_subject(f"Armistice Atlas handout: {theater_label(theater)}")
    pdf.add_page()
    pdf.heading(
        heading,
        f"Armistice Atlas · {theater_label(theater)} · {len(lines)} lines and "
        "zones, each tied to the archival document or agreement behind it",
    )
    _place_map(pdf, image, _Page.MAP_X, _Page.MAP_Y, _Page.MAP_W, layout.map_h, theater)
    _column(pdf, lines, docs, layout.size)
    _table(pdf, layout.rows, layout.size, layout.table_y, left_out=layout.left_out)
    return bytes(pdf.output())


def _place_map(
    pdf: _Handout, image: MapImage, x: float, y: float, w: float, h: float, theater: str
) -> None:
    alt = f"Map of {theater_label(theater)} with the lines listed"
    pdf.image(io.BytesIO(image.png), x=x, y=y, w=w, h=h, alt_text=alt)


def _table_rows(
    built: BuiltAtlas, lines: Sequence[Line], keys: Mapping[str, str], numbers: dict[str, int]
) -> list[_TableRow]:
    """One row per keyed line; the reference parallels share one row at the end."""
    rows: list[_TableRow] = []
    for line in lines:
        if line.id not in keys:
            continue
        if line.sources:
            sources = ", ".join(
                f"[{numbers[c]}] {c}" if c.isdigit() else f"[{numbers[c]}]"
                for c in line.sources
                if c in numbers
            )
        elif line.references:
            sources = line.references[0].title
        else:
            sources = "–"
        cells = (
            line.title + (" *" if line.inferred else ""),
            party_short(line.party),
            date_label(line) or "–",
            line.status,
            _measure(built, line),
            sources,
        )
        rows.append(_TableRow(print_style(line), keys[line.id], cells))
    refs = [ln for ln in lines if ln.id not in keys]
    if refs:
        names = ", ".join(latitude_label(ln) for ln in refs)
        if len(refs) > 1:
            title, measure = f"Reference parallels {names}, for comparison", "–"
        else:
            title, measure = refs[0].title, _measure(built, refs[0])
        cells = (title, "–", "–", "reference", measure, "–")
        rows.append(_TableRow(print_style(refs[0]), "", cells))
    return rows


def _measure(built: BuiltAtlas, line: Line) -> str:
    shape = built[line.id]
    return f"{shape.length_km:,.0f} km" if shape.is_line else f"{shape.area_km2:,.0f} km²"


def _choose_layout(
    scratch: _Handout, lines: Sequence[Line], docs: Sequence[Document], rows: Sequence[_TableRow]
) -> _Layout:
    """The largest type size at which the table, the legend column and a map of good
    height fit on the page (else the size giving the tallest map); rows are dropped only
    when even the smallest type leaves no room for a map."""
    fitting: list[_Layout] = []
    for size in _TYPE_SIZES:
        column_end = _column(scratch, lines, docs, size)
        layout = _fit(scratch, rows, len(rows), size, column_end)
        if layout is not None:
            if layout.map_h >= _Page.MAP_H_GOOD:
                return layout
            fitting.append(layout)
    if fitting:  # no size leaves a good map: take the biggest map (smallest type)
        return max(fitting, key=lambda lay: (lay.map_h, lay.size))
    size = _TYPE_SIZES[-1]
    column_end = _column(scratch, lines, docs, size)
    lo, hi = 0, len(rows)  # the most rows that fit (fewer rows never take more room)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if _fit(scratch, rows, mid, size, column_end) else (lo, mid - 1)
    layout = _fit(scratch, rows, lo, size, column_end)
    if layout is None:  # the citations alone fill the page: the map takes its minimum
        table_y = _Page.MAP_Y + _Page.MAP_H_MIN + _Page.GAP
        return _Layout(size, (), len(rows), table_y, _Page.MAP_H_MIN)
    return layout


def _fit(
    scratch: _Handout, rows: Sequence[_TableRow], kept: int, size: float, column_end: float
) -> _Layout | None:
    """The layout with the first *kept* rows at *size*, or None when they do not fit."""
    left_out = len(rows) - kept
    lowest_top = _Page.H - _Page.M - _table(scratch, rows[:kept], size, 0.0, left_out=left_out)
    if max(_Page.MAP_Y + _Page.MAP_H_MIN, column_end) + _Page.GAP > lowest_top:
        return None
    map_h = min(_Page.MAP_H_MAX, lowest_top - _Page.GAP - _Page.MAP_Y)
    table_y = max(_Page.MAP_Y + map_h, column_end) + _Page.GAP  # under the map and column
    return _Layout(size, tuple(rows[:kept]), left_out, table_y, map_h)


def _column(pdf: _Handout, lines: Sequence[Line], docs: Sequence[Document], size: float) -> float:
    """The right-hand column: how to read the map, then the documents cited. Returns its
    end (written on a throwaway page when only measuring)."""
    lh = _line_h(size)
    x, w = _Page.COL_X, _Page.COL_W
    pdf.set_font(_PDF_FONT, "B", size + 1)
    y = pdf.para(x, _Page.MAP_Y - 0.5, w, lh * 1.25, "How to read the map")
    pdf.set_font(_PDF_FONT, "", size)
    for party in PARTIES:
        if party != "none" and any(ln.party == party for ln in lines):
            pdf.swatch(party_sample(party), x + 0.5, y, 7.5, lh)
            y = pdf.para(x + 10, y, w - 10, lh, party_label_long(party))
    for status in STATUSES:
        if any(ln.status == status for ln in lines):
            pdf.swatch(status_sample(status), x + 0.5, y, 7.5, lh)
            y = pdf.para(x + 10, y, w - 10, lh, STATUSES[status])
    notes = (
        "Letters on the map key the lines to the table below (the same letters as the web "
        "map's); reference parallels are labelled with their latitude. Zones are shaded and "
        "outlined in their status's dashes. Filled dots: places identified with certainty; "
        "hollow dots: less certain. * marks a shape that is partly inferred (the app explains "
        "how)."
    )
    y = pdf.para(x, y + 0.8, w, lh, notes)
    pdf.set_font(_PDF_FONT, "B", size + 1)
    y = pdf.para(x, y + 2.0, w, lh * 1.25, "Documents cited")
    pdf.set_font(_PDF_FONT, "", size)
    for i, doc in enumerate(docs):
        y = pdf.para(x, y + 0.5, w, lh, f"[{i + 1}] {full_citation(doc)}")
    if not docs:
        y = pdf.para(x, y, w, lh, "None of the lines shown has a document as its source.")
    return y


def _table(
    pdf: _Handout, rows: Sequence[_TableRow], size: float, top: float, *, left_out: int = 0
) -> float:
    """The table of lines (fpdf2's ``table()``) and its footnote from *top*; returns the
    height they take."""
    lh = _line_h(size)
    pdf.set_font(_PDF_FONT, "", size)
    pdf.set_xy(_Page.M, top)
    heads = FontFace(emphasis="BOLD", fill_color=(232, 232, 232))
    with pdf.table(
        col_widths=_Page.COLS,
        width=sum(_Page.COLS),
        align="LEFT",
        borders_layout="NONE",
        line_height=lh,
        text_align="LEFT",
        v_align="MIDDLE",
        padding=(0.45, 0.8),
        headings_style=heads,
        cell_fill_color=(245, 245, 245),
        cell_fill_mode="EVEN_ROWS",
    ) as table:
        table.row(_Page.HEADERS)
        for row in rows:
            cells = table.row()
            cells.cell(img=_swatch_svg(row.style, 5.6, 1.9), padding=(0.45, 0.6))
            cells.cell(row.key, style=_BOLD)
            for text in row.cells:
                cells.cell(text)
        if left_out:
            more = f"… and {left_out} more, not listed for lack of room"
            table.row().cell(more, colspan=len(_Page.COLS), style=_ITALIC)
    y = pdf.get_y()
    pdf.set_draw_color(85, 85, 85)
    pdf.set_line_width(0.2)
    pdf.line(_Page.M, y + 0.3, _Page.W - _Page.M, y + 0.3)
    pdf.set_font(_PDF_FONT, "I", size * 0.95)
    note = (
        "Lengths are geodesic and areas ellipsoidal (WGS84). Basemap: Natural Earth "
        "(public domain), with modern borders. Full texts: see the documents cited."
    )
    return pdf.para(_Page.M, y + 1.0, _Page.W - 2 * _Page.M, lh, note, grey=True) - top


# ---------------------------------------------------------------------------------------
# a story, one page per step


def story_pdf(built: BuiltAtlas, story: Story, *, view_px: tuple[int, int] = (1050, 750)) -> bytes:
    """A whole story as a handout: one A4 landscape page per step, then its documents.

    Each step's page has the step's title, its map (the step's layers, its selected line,
    and its view: ``step.view`` as a web map of *view_px* pixels shows it, through
    :func:`geo.outputs.staticmap.view_bbox`), the caption, the lines shown with their key
    letters, the quoted phrases of the step's evidence with each document's citation, and
    "Step 3 of 9". The closing page lists the citation of every document the story cites.

    Raises
    ------
    AtlasError
        For a step the map cannot draw (an unknown theater or line id).
    """
    numbers = {did: i + 1 for i, did in enumerate(story.documents)}
    scratch = _Handout()
    scratch.add_page()
    pdf = _Handout()
    pdf.set_title(story.title)
    pdf.set_subject(f"Armistice Atlas story: {theater_label(story.theater)}")
    for i in range(len(story.steps)):
        _step_page(pdf, scratch, built, story, i, numbers, view_px)
    _closing_page(pdf, scratch, built, story, numbers)
    return bytes(pdf.output())


def _step_page(
    pdf: _Handout,
    scratch: _Handout,
    built: BuiltAtlas,
    story: Story,
    index: int,
    numbers: Mapping[str, int],
    view_px: tuple[int, int],
) -> None:
    step = story.steps[index]
    theater = step.theater or story.theater
    lines = resolve_layers(built, theater, step.layers)
    check_selected(lines, step.selected)
    keys = built.atlas.keys(theater)
    bbox = None
    if step.view is not None:
        w, h = view_px
        bbox = view_bbox(step.view.lat, step.view.lon, step.view.zoom, width_px=w, height_px=h)

    def fits(size: float, shown: int) -> float | None:
        """The map's height when the page fits at *size* with *shown* documents, else None."""
        col_end = _step_column(scratch, built, step, lines, keys, numbers, size, shown)
        scratch.set_font(_PDF_FONT, "", size + 0.5)
        cap_h = scratch.para(_Page.M, 0.0, _Page.STEP_MAP_W, _line_h(size + 0.5), step.caption)
        map_h = min(_Page.STEP_MAP_H_MAX, _Page.FOOT_Y - 2 * _Page.GAP - cap_h - _Page.MAP_Y)
        ok = col_end <= _Page.FOOT_Y - _Page.GAP and map_h >= _Page.STEP_MAP_H_MIN
        return map_h if ok else None

    shown = len(step.documents)
    size = next((s for s in _STEP_SIZES if fits(s, shown) is not None), _STEP_SIZES[-1])
    while shown > 0 and fits(size, shown) is None:  # smallest type too big: quotations give way
        shown -= 1
    map_h = fits(size, shown) or _Page.STEP_MAP_H_MIN

    image = render_map(
        built,
        theater=theater,
        layers=step.layers,
        selected=step.selected,
        bbox=bbox,
        width_px=round(_Page.STEP_MAP_W / 25.4 * _Page.MAP_DPI),
        height_px=round(map_h / 25.4 * _Page.MAP_DPI),
        dpi=_Page.MAP_DPI,
        legend=False,
    )
    pdf.add_page()
    about = [story.title]
    if theater_label(theater) not in story.title:
        about.append(theater_label(theater))
    if step.date:
        about.append(f"{step.date.day} {step.date:%B %Y}")
    pdf.heading(step.title, " · ".join(about))
    _place_map(pdf, image, _Page.MAP_X, _Page.MAP_Y, _Page.STEP_MAP_W, map_h, theater)
    pdf.set_font(_PDF_FONT, "", size + 0.5)
    cap_y, cap_lh = _Page.MAP_Y + map_h + _Page.GAP, _line_h(size + 0.5)
    pdf.para(_Page.M, cap_y, _Page.STEP_MAP_W, cap_lh, step.caption)
    _step_column(pdf, built, step, lines, keys, numbers, size, shown)
    _footer(pdf, story, f"Step {index + 1} of {len(story.steps)}")


def _step_column(
    pdf: _Handout,
    built: BuiltAtlas,
    step: Step,
    lines: Sequence[Line],
    keys: Mapping[str, str],
    numbers: Mapping[str, int],
    size: float,
    shown: int,
) -> float:
    """Beside the map: the lines shown, then the quotations of the first *shown* documents
    with their citations. Returns its end."""
    lh = _line_h(size)
    x, w = _Page.STEP_COL_X, _Page.STEP_COL_W
    pdf.set_font(_PDF_FONT, "B", size + 1)
    y = pdf.para(x, _Page.MAP_Y - 0.5, w, lh * 1.25, "On the map")
    for line in lines:
        key = keys.get(line.id, latitude_label(line))
        pdf.swatch(print_style(line), x, y + 0.15, 6.5, lh)
        pdf.set_font(_PDF_FONT, "B" if line.id == step.selected else "", size)
        y = pdf.para(x + 7.5, y, w - 7.5, lh, f"{key}  {line.title}" + (" *" * line.inferred))
        details = [party_short(line.party), line.status, date_label(line)]
        pdf.set_font(_PDF_FONT, "", size - 1)
        about = " · ".join(d for d in details if d and d != "–")
        y = pdf.para(x + 7.5, y, w - 7.5, lh * 0.9, about, grey=True) + 0.8
    if step.evidence:
        pdf.set_font(_PDF_FONT, "B", size + 1)
        y = pdf.para(x, y + 1.5, w, lh * 1.25, "From the documents")
    for did in step.documents[:shown]:
        for ev in step.evidence:
            if ev.document != did:
                continue
            key = keys.get(ev.proposal, ev.proposal)
            for phrase in ev.phrases:
                pdf.set_font(_PDF_FONT, "I", size)
                y = pdf.para(x, y + 0.4, w, lh, f"“{phrase}” ({key})")
        doc = built.atlas.documents.get(did)
        cite = f"[{numbers.get(did, '?')}] {full_citation(doc) if doc else did}"
        pdf.set_font(_PDF_FONT, "", size - 1)
        y = pdf.para(x + 3, y + 0.4, w - 3, lh * 0.9, cite, grey=True) + 1.2
    if len(step.documents) > shown:
        pdf.set_font(_PDF_FONT, "I", size)
        left = len(step.documents) - shown
        y = pdf.para(x, y, w, lh, f"… and quotations from {left} more, cited on the last page")
    return y


def _closing_page(
    pdf: _Handout, scratch: _Handout, built: BuiltAtlas, story: Story, numbers: Mapping[str, int]
) -> None:
    """Every document the story cites, numbered as on the step pages, with the steps citing
    it. The type shrinks to keep it to one page; a list longer still runs on."""
    cited_by = {
        did: [i + 1 for i, s in enumerate(story.steps) if did in s.documents] for did in numbers
    }

    def write(target: _Handout, size: float) -> float:
        lh = _line_h(size)
        target.set_font(_PDF_FONT, "", size)
        y = target.para(_Page.M, _Page.MAP_Y, _Page.W - 2 * _Page.M, lh, story.summary) + 3
        for did, n in numbers.items():
            doc = built.atlas.documents.get(did)
            steps = cited_by[did]
            where = f"step{'s' if len(steps) > 1 else ''} {', '.join(map(str, steps))}"
            text = f"[{n}] {full_citation(doc) if doc else did} ({where})"
            y = target.para(_Page.M, y + 1.2, _Page.W - 2 * _Page.M, lh, text)
        return y

    sizes = (10.0, 9.0, 8.0, 7.0, 6.0)
    size = next((s for s in sizes if write(scratch, s) <= _Page.FOOT_Y - _Page.GAP), sizes[-1])
    pdf.add_page()
    pdf.heading("Documents cited", f"{story.title} · {theater_label(story.theater)}")
    pdf.set_auto_page_break(True, margin=_Page.M + 4)
    pdf.set_font(_PDF_FONT, "", size)
    write(pdf, size)
    pdf.set_auto_page_break(False)
    _footer(pdf, story, f"{len(numbers)} document{'s' * (len(numbers) != 1)} cited")


def _footer(pdf: _Handout, story: Story, right: str) -> None:
    """The story's name at the foot of the page, and *right* (e.g. "Step 3 of 9")."""
    pdf.set_font(_PDF_FONT, "", 7.5)
    pdf.set_text_color(*_GREY)
    width = (_Page.W - 2 * _Page.M) / 2
    pdf.set_xy(_Page.M, _Page.FOOT_Y)
    pdf.cell(width, 4, f"Armistice Atlas · {story.title}")
    pdf.cell(width, 4, right, align="R")
    pdf.set_text_color(0, 0, 0)
