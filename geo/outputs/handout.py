"""PDF handouts: one page of a theater (:func:`handout_pdf`) or one page per step of a story
(:func:`geo.outputs.storypdf.story_pdf`), A4 landscape, made offline for classrooms.

One responsibility: laying out the printed pages. The map is :mod:`geo.outputs.staticmap`'s
(without its title and legend, printed here as text that can be selected, searched and read
aloud); the key (legend entries, style samples, the table's rows) is
:mod:`geo.outputs.staticlegend`'s; citations are :mod:`geo.outputs.citations`'; the page and its
fonts are :mod:`geo.outputs.pdfpage`'s.

A theater's page (15-30 lines citing as many documents): on the left (180 mm), the map and
directly under it the table of lines (fpdf2's ``FPDF.table()``; each column but the title as
wide as its widest entry); on the right (92 mm, full height), "How to read the map", then
"Documents cited", each as "[n] short title, date. Collection; archive reference. Address"
(a link), numbered as in the table's Sources. A map taller than wide (Indochina) is only as
wide as its frame (:func:`~geo.outputs.staticmap.fitted_width_px`), the legend and the first
citations beside it; what the column cannot hold goes on in two columns under the table, the
map giving up height for it. So legend and citations flow through frames, each block whole.
A short title drops a FRUS subject line (after "): ") and uses FRUS's abbreviations (CINCFE,
JCS ...); an approximate date gives its year (as the RIS and BibTeX exports do); an archive
reference loses a closing note in brackets ("(as given by FRUS)") and is left out when it is
a note ("not visible in the copy we read"). Full citations: the app's RIS and BibTeX.

Exactly one page: each type size from 8 pt to 5.5 pt is measured (drawn on a throwaway page)
with the tallest map (72 mm at least) that lets everything fit; the largest size with a map
100 mm tall wins, else the one giving the tallest map. Only if 5.5 pt is still too big (a
huge custom selection) do the last rows give way to a line saying how many were left out
(were the documents alone too many, the last citations likewise).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fpdf import FontFace
from shapely.geometry.base import BaseGeometry

from geo.geometry import BuiltAtlas
from geo.outputs.citations import PUBLISHER, cables_for
from geo.outputs.pdfpage import PDF_FONT, PT_MM, HandoutPDF, Page, line_h, map_px, place_map
from geo.outputs.staticlegend import (
    KEY_NOTES,
    TABLE_NOTE,
    PrintStyle,
    TableRow,
    key_entries,
    swatch_svg,
    table_rows,
)
from geo.outputs.staticmap import (
    Extent,
    check_selected,
    default_title,
    fitted_width_px,
    render_map,
    resolve_layers,
    shown_keys,
)
from geo.records.model import Document, Line
from geo.vocab import theater_label

_TYPE_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0, 5.5)
_BOLD, _ITALIC = FontFace(emphasis="BOLD"), FontFace(emphasis="ITALICS")
_table_rows = table_rows  # the rows of the table (a name the tests can replace)


@dataclass(frozen=True)
class _Item:
    """A heading, a style sample and its meaning, or text (a link to *link*)."""

    text: str
    head: bool = False
    style: PrintStyle | None = None
    link: str = ""


_Block = tuple[_Item, ...]  # kept together in one frame
_Frame = tuple[float, float, float, float]  # x, top, bottom, width
_Spot = tuple[_Block, float, float, float]  # a block placed at x, y, in a width


@dataclass(frozen=True)
class _Layout:
    size: float  # type size, points
    rows: tuple[TableRow, ...]
    left_out: int  # rows that did not fit
    map_h: int
    map_w: float
    spots: tuple[_Spot, ...]


_ABBREVIATIONS = (  # FRUS's own, for the short titles of the citations
    ("Commander in Chief, Far East", "CINCFE"), ("Joint Chiefs of Staff", "JCS"),
    ("Commander in Chief, United Nations Command", "CINCUNC"),
    ("United States", "US"), ("United Kingdom", "UK"),
)  # fmt: skip


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
    """A one-page A4 landscape PDF (see the module docstring): map, legend, the table of
    the lines keyed by their stable letters (``built.atlas.keys``), the documents cited.

    *layers*: the line ids to show (None: all the *theater*'s); *title*: the heading (by
    default the theater's); *selected*, *highlight*, *bbox* (the area a zoomed-in view or a
    story step shows) and the errors raised are as for :func:`~geo.outputs.staticmap.map_png`.
    """
    lines = resolve_layers(built, theater, layers)
    check_selected(lines, selected)
    docs = cables_for(built.atlas, [ln.id for ln in lines])
    numbers = {d.id: i + 1 for i, d in enumerate(docs)}
    rows = _table_rows(built, lines, shown_keys(built, theater, lines), numbers)
    heading = title or default_title(theater)
    ids, left_px = [ln.id for ln in lines], map_px(Page.LEFT_W)

    @functools.cache
    def map_w(map_h: int) -> float:  # how wide (mm) a map map_h mm tall needs to be
        px = fitted_width_px(
            built, theater=theater, layers=ids, bbox=bbox, width_px=left_px,
            height_px=map_px(map_h), dpi=Page.MAP_DPI, font_pt=Page.MAP_PT,
        )  # fmt: skip
        return px * 25.4 / Page.MAP_DPI

    scratch = HandoutPDF()
    scratch.add_page()
    layout = _choose_layout(scratch, rows, _blocks(lines, docs), map_w)
    image = render_map(
        built, theater=theater, layers=ids, selected=selected, highlight=highlight, bbox=bbox,
        width_px=map_px(layout.map_w), height_px=map_px(layout.map_h), dpi=Page.MAP_DPI,
        legend=False, font_pt=Page.MAP_PT,
    )  # fmt: skip
    pdf = HandoutPDF()
    pdf.set_title(heading)
    pdf.set_subject(f"Armistice Atlas handout: {theater_label(theater)}")
    pdf.add_page()
    about = f"Armistice Atlas · {theater_label(theater)} · {len(lines)} lines and zones"
    pdf.heading(heading, about + ", each tied to the archival document or agreement behind it")
    place_map(pdf, image, Page.MAP_X, Page.MAP_Y, layout.map_w, layout.map_h, theater)
    for block, x, y, w in layout.spots:
        _draw_block(pdf, block, x, y, w, layout.size)
    table_y = Page.MAP_Y + layout.map_h + Page.GAP
    _table(pdf, layout.rows, layout.size, table_y, left_out=layout.left_out)
    return bytes(pdf.output())


def _blocks(lines: Sequence[Line], docs: Sequence[Document]) -> list[_Block]:
    """The legend (one block), then a block per citation, the first with the heading."""
    legend = [_Item(text, style=style) for style, text in key_entries(lines)]
    cites = [_Item(f"[{i + 1}] {_citation(d)}", link=d.url) for i, d in enumerate(docs)]
    cites = cites or [_Item("None of the lines shown has a document as its source.")]
    heads = _Item("How to read the map", head=True), _Item("Documents cited", head=True)
    blocks = [(heads[0], *legend, _Item(KEY_NOTES)), (heads[1], cites[0])]
    return blocks + [(c,) for c in cites[1:]]


def _citation(doc: Document) -> str:
    """Short title, date. Collection; archive reference. Address (see the module docstring)."""
    title = (doc.title.split("): ", 1)[0] + ")" * ("): " in doc.title)).removeprefix("The ")
    for long, short in _ABBREVIATIONS:
        title = title.replace(long, short)
    try:
        day = dt.date.fromisoformat(doc.date.rstrip("~?%"))
        when = str(day.year) if doc.date[-1:] in "~?%" else f"{day.day} {day:%b %Y}"
    except ValueError:
        when = doc.date
    where = doc.collection.replace("document ", "doc. ") or doc.publisher or PUBLISHER
    archive = re.sub(r"\s*\([^()]*\)$", "", doc.archive.strip())
    if archive[:1].isupper() or archive[:1].isdigit():
        where += f"; {archive}"
    return f"{title}, {when}. {where}. {doc.url}".strip()


def _draw_block(pdf: HandoutPDF, block: _Block, x: float, y: float, w: float, size: float) -> float:
    """*block* from (x, y) in width *w*; returns its end."""
    lh = line_h(size)
    for item in block:
        pdf.set_font(PDF_FONT, "B" if item.head else "", size + item.head)
        if item.head:
            y = pdf.para(x, y, w, lh * 1.25, item.text)
        elif item.style is not None:
            pdf.swatch(item.style, x + 0.5, y, 7.5, lh)
            y = pdf.para(x + 10, y, w - 10, lh, item.text)
        else:
            y = pdf.para(x, y + 0.8 * (not item.link), w, lh, item.text, link=item.link)
    return y


def _choose_layout(
    scratch: HandoutPDF,
    rows: Sequence[TableRow],
    blocks: list[_Block],
    map_w: Callable[[int], float],
) -> _Layout:
    """The largest type size at which everything fits with a map of good height (else
    the size giving the tallest map); rows are dropped only when even the smallest type
    leaves no room for a map, and citations only when they alone fill the page."""

    def fit(kept: int, size: float, blocks: list[_Block] = blocks) -> _Layout | None:
        """*kept* rows and *blocks* at *size* under the tallest map that fits, or None."""
        table_h = _table(scratch, rows[:kept], size, 0.0, left_out=len(rows) - kept)

        @functools.cache
        def height(i: int, w: float) -> float:
            return _draw_block(scratch, blocks[i], 0.0, 0.0, w, size)

        tallest = min(Page.MAP_H_MAX, Page.BOTTOM - Page.MAP_Y - Page.GAP - table_h)
        for map_h in range(math.floor(tallest), Page.MAP_H_MIN - 1, -1):
            frames, width = _frames(map_h, map_w(map_h), table_h)
            if (spots := _flow(blocks, frames, height)) is not None:
                return _Layout(size, tuple(rows[:kept]), len(rows) - kept, map_h, width, spots)
        return None

    fitting: list[_Layout] = []
    for size in _TYPE_SIZES:
        if (layout := fit(len(rows), size)) and layout.map_h >= Page.MAP_H_GOOD:
            return layout
        fitting += [layout] if layout else []
    if fitting:  # no size leaves a good map: take the biggest map (smallest type)
        return max(fitting, key=lambda lay: (lay.map_h, lay.size))
    lo, hi = 0, len(rows)  # the most rows that fit (fewer rows never take more room)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if fit(mid, size) else (lo, mid - 1)
    layout = fit(lo, size)
    for kept in range(len(blocks) - 1, 1, -1):  # the documents alone fill the page
        if layout is not None:
            return layout
        more = _Item(f"… and {len(blocks) - kept} more documents, not listed for lack of room")
        layout = fit(0, size, [*blocks[:kept], (more,)])
    return layout or _Layout(size, (), len(rows), Page.MAP_H_MIN, Page.LEFT_W, ())


def _frames(map_h: int, natural_w: float, table_h: float) -> tuple[list[_Frame], float]:
    """The frames the legend and citations flow through -- beside a map that is taller
    than wide, the right column, two columns under the table -- and the map's width."""
    top, bottom, width = Page.MAP_Y, Page.BOTTOM, Page.LEFT_W
    frames: list[_Frame] = [(Page.COL_X, top, bottom, Page.COL_W)]
    spare = math.floor(Page.LEFT_W - natural_w - Page.GAP)
    if spare >= Page.BESIDE_MIN_W:
        width = natural_w
        frames.insert(0, (Page.MAP_X + natural_w + Page.GAP, top, top + map_h, spare))
    below, half = top + map_h + table_h + 2 * Page.GAP, (Page.LEFT_W - Page.GAP) / 2
    if bottom - below >= 10:
        frames += [(x, below, bottom, half) for x in (Page.MAP_X, Page.MAP_X + half + Page.GAP)]
    return frames, width


def _flow(
    blocks: Sequence[_Block], frames: Sequence[_Frame], height: Callable[[int, float], float]
) -> tuple[_Spot, ...] | None:
    """Where each block goes, in order through the frames; None when they run out."""
    spots: list[_Spot] = []
    i, y = 0, frames[0][1]
    for b, block in enumerate(blocks):
        while i < len(frames):
            x, top, bottom, w = frames[i]
            gap = 0.0 if y == top else 2.2 if block[0].head else 0.7
            if y + gap + height(b, w) <= bottom:
                spots.append((block, x, y + gap, w))
                y += gap + height(b, w)
                break
            i += 1
            y = frames[i][1] if i < len(frames) else y
        else:
            return None
    return tuple(spots)


def _col_widths(pdf: HandoutPDF, rows: Sequence[TableRow], size: float) -> tuple[float, ...]:
    """Each column as wide as its widest entry (a heading may wrap between words; sources
    wrap past a seventh of the table), the title the rest."""
    pad = 1.9  # the cell's padding and a little
    pdf.set_font(PDF_FONT, "B", size)
    heads = [max((pdf.get_string_width(w) for w in h.split()), default=0.0) for h in Page.HEADERS]
    fixed = (6.5, max((pdf.get_string_width(r.key) for r in rows), default=0.0) + pad)
    pdf.set_font(PDF_FONT, "", size)
    widths = [
        max([heads[i + 2], *(pdf.get_string_width(r.cells[i]) for r in rows)]) + pad
        for i in range(1, 6)
    ]
    widths[-1] = min(widths[-1], Page.LEFT_W / 7)
    return (*fixed, Page.LEFT_W - sum(fixed) - sum(widths), *widths)


def _table(
    pdf: HandoutPDF, rows: Sequence[TableRow], size: float, top: float, *, left_out: int = 0
) -> float:
    """The table of lines (fpdf2's ``table()``) and its footnote from *top*, on the left;
    returns the height they take."""
    lh = size * PT_MM * 1.2
    widths = _col_widths(pdf, rows, size)
    pdf.set_font(PDF_FONT, "", size)
    pdf.set_xy(Page.M, top)
    heads = FontFace(emphasis="BOLD", fill_color=(232, 232, 232))
    with pdf.table(
        col_widths=widths, width=Page.LEFT_W, align="LEFT", borders_layout="NONE",
        line_height=lh, text_align="LEFT", v_align="MIDDLE", padding=(0.35, 0.7),
        headings_style=heads, cell_fill_color=(245, 245, 245), cell_fill_mode="EVEN_ROWS",
    ) as table:  # fmt: skip
        table.row(Page.HEADERS)
        for row in rows:
            cells = table.row()
            cells.cell(img=swatch_svg(row.style, 5.2, 1.8), padding=(0.35, 0.6))
            cells.cell(row.key, style=_BOLD)
            for text in row.cells:
                cells.cell(text)
        if left_out:
            more = f"… and {left_out} more, not listed for lack of room"
            table.row().cell(more, colspan=len(Page.HEADERS), style=_ITALIC)
    y = pdf.get_y()
    pdf.set_draw_color(85, 85, 85)
    pdf.set_line_width(0.2)
    pdf.line(Page.M, y + 0.3, Page.M + Page.LEFT_W, y + 0.3)
    pdf.set_font(PDF_FONT, "I", max(size * 0.95, 5.5))
    return pdf.para(Page.M, y + 1.0, Page.LEFT_W, lh, TABLE_NOTE, grey=True) - top
