"""PDF handouts: one page of a theater (:func:`handout_pdf`) or one page per step of a story
(:func:`story_pdf`), A4 landscape, made offline for classrooms.

One responsibility: laying out the printed pages. The map is :mod:`geo.outputs.staticmap`'s
(without its title and legend, printed here as text that can be selected, searched and read
aloud); the key (legend entries, style samples, the table's rows) is
:mod:`geo.outputs.staticlegend`'s; citations are :mod:`geo.outputs.citations`'. The fonts are
matplotlib's DejaVu files, embedded, so "Hải Phòng" and "km²" print as written; a fixed
creation date keeps the bytes reproducible, so the app can cache them.

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
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from fpdf import FPDF, FontFace
from shapely.geometry.base import BaseGeometry

from geo.geometry import BuiltAtlas
from geo.outputs.citations import PUBLISHER, cables_for, full_citation
from geo.outputs.staticlegend import (
    KEY_NOTES,
    TABLE_NOTE,
    PrintStyle,
    TableRow,
    key_entries,
    print_style,
    swatch_svg,
    table_rows,
)
from geo.outputs.staticmap import (
    Extent,
    MapImage,
    check_selected,
    default_title,
    fitted_width_px,
    render_map,
    resolve_layers,
    shown_keys,
    view_bbox,
)
from geo.outputs.webmap import date_label
from geo.outputs.webmap import latitude_label as parallel_label
from geo.records.model import Document, Line
from geo.stories import Step, Story
from geo.vocab import party_short, theater_label

PT_MM = 25.4 / 72  # one typographic point in millimetres
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_PDF_FONT = "DejaVu"
_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
_PDF_DATE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
_TYPE_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0, 5.5)
_STEP_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0, 5.5)
_BOLD, _ITALIC = FontFace(emphasis="BOLD"), FontFace(emphasis="ITALICS")
_table_rows = table_rows  # the rows of the table (a name the tests can replace)
_GREY = (70, 70, 70)


class _Page:
    """A4 landscape, in millimetres."""

    W, H, M = 297.0, 210.0, 10.0
    MAP_X, MAP_Y, BOTTOM = 10.0, 23.0, H - M
    MAP_H_MIN, MAP_H_GOOD, MAP_H_MAX = 72, 100, 130
    MAP_DPI, MAP_PT = 200, 6.5  # the map's base type size: place names at 5.5 pt
    GAP = 4.0
    #: A theater: the map and the table on the left, the right column beside them.
    LEFT_W = 180.0
    COL_X, COL_W = MAP_X + LEFT_W + 5.0, 92.0  # to the right margin
    BESIDE_MIN_W = 70.0  # the narrowest frame beside a map that is taller than wide
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
        self, x: float, y: float, w: float, lh: float, text: str, grey: bool = False, link: str = ""
    ) -> float:
        """Wrapped, left-aligned text at (x, y), a link to *link* if any; returns the y below."""
        self.set_xy(x, y)
        self.set_text_color(*(_GREY if grey else (0, 0, 0)))
        self.multi_cell(w, lh, text, align="L", link=link or None, new_x="LEFT", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        return self.get_y()

    def swatch(self, style: PrintStyle, x: float, y: float, w: float, h: float) -> None:
        """A style sample (legend entry) at print size."""
        self.image(swatch_svg(style, w, h), x=x, y=y, w=w, h=h)

    def heading(self, text: str, subtitle: str) -> None:
        self.set_font(_PDF_FONT, "B", 15)
        self.set_xy(_Page.M, 8.5)
        self.cell(_Page.W - 2 * _Page.M, 7, text, new_x="LEFT", new_y="NEXT")
        self.set_font(_PDF_FONT, "", 8.5)
        self.para(_Page.M, self.get_y(), _Page.W - 2 * _Page.M, 4.5, subtitle, grey=True)


def _line_h(size: float) -> float:
    return size * PT_MM * 1.3


def _px(mm: float) -> int:
    return round(mm / 25.4 * _Page.MAP_DPI)


def _place_map(
    pdf: _Handout, image: MapImage, x: float, y: float, w: float, h: float, theater: str
) -> None:
    alt = f"Map of {theater_label(theater)} with the lines listed"
    pdf.image(io.BytesIO(image.png), x=x, y=y, w=w, h=h, alt_text=alt)


# ---------------------------------------------------------------------------------------
# one page of a theater


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
    ids, left_px = [ln.id for ln in lines], _px(_Page.LEFT_W)

    @functools.cache
    def map_w(map_h: int) -> float:  # how wide (mm) a map map_h mm tall needs to be
        px = fitted_width_px(
            built, theater=theater, layers=ids, bbox=bbox, width_px=left_px,
            height_px=_px(map_h), dpi=_Page.MAP_DPI, font_pt=_Page.MAP_PT,
        )  # fmt: skip
        return px * 25.4 / _Page.MAP_DPI

    scratch = _Handout()
    scratch.add_page()
    layout = _choose_layout(scratch, rows, _blocks(lines, docs), map_w)
    image = render_map(
        built, theater=theater, layers=ids, selected=selected, highlight=highlight, bbox=bbox,
        width_px=_px(layout.map_w), height_px=_px(layout.map_h), dpi=_Page.MAP_DPI, legend=False,
        font_pt=_Page.MAP_PT,
    )  # fmt: skip
    pdf = _Handout()
    pdf.set_title(heading)
    pdf.set_subject(f"Armistice Atlas handout: {theater_label(theater)}")
    pdf.add_page()
    about = f"Armistice Atlas · {theater_label(theater)} · {len(lines)} lines and zones"
    pdf.heading(heading, about + ", each tied to the archival document or agreement behind it")
    _place_map(pdf, image, _Page.MAP_X, _Page.MAP_Y, layout.map_w, layout.map_h, theater)
    for block, x, y, w in layout.spots:
        _draw_block(pdf, block, x, y, w, layout.size)
    table_y = _Page.MAP_Y + layout.map_h + _Page.GAP
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


def _draw_block(pdf: _Handout, block: _Block, x: float, y: float, w: float, size: float) -> float:
    """*block* from (x, y) in width *w*; returns its end."""
    lh = _line_h(size)
    for item in block:
        pdf.set_font(_PDF_FONT, "B" if item.head else "", size + item.head)
        if item.head:
            y = pdf.para(x, y, w, lh * 1.25, item.text)
        elif item.style is not None:
            pdf.swatch(item.style, x + 0.5, y, 7.5, lh)
            y = pdf.para(x + 10, y, w - 10, lh, item.text)
        else:
            y = pdf.para(x, y + 0.8 * (not item.link), w, lh, item.text, link=item.link)
    return y


def _choose_layout(
    scratch: _Handout, rows: Sequence[TableRow], blocks: list[_Block], map_w: Callable[[int], float]
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

        tallest = min(_Page.MAP_H_MAX, _Page.BOTTOM - _Page.MAP_Y - _Page.GAP - table_h)
        for map_h in range(math.floor(tallest), _Page.MAP_H_MIN - 1, -1):
            frames, width = _frames(map_h, map_w(map_h), table_h)
            if (spots := _flow(blocks, frames, height)) is not None:
                return _Layout(size, tuple(rows[:kept]), len(rows) - kept, map_h, width, spots)
        return None

    fitting: list[_Layout] = []
    for size in _TYPE_SIZES:
        if (layout := fit(len(rows), size)) and layout.map_h >= _Page.MAP_H_GOOD:
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
    return layout or _Layout(size, (), len(rows), _Page.MAP_H_MIN, _Page.LEFT_W, ())


def _frames(map_h: int, natural_w: float, table_h: float) -> tuple[list[_Frame], float]:
    """The frames the legend and citations flow through -- beside a map that is taller
    than wide, the right column, two columns under the table -- and the map's width."""
    top, bottom, width = _Page.MAP_Y, _Page.BOTTOM, _Page.LEFT_W
    frames: list[_Frame] = [(_Page.COL_X, top, bottom, _Page.COL_W)]
    spare = math.floor(_Page.LEFT_W - natural_w - _Page.GAP)
    if spare >= _Page.BESIDE_MIN_W:
        width = natural_w
        frames.insert(0, (_Page.MAP_X + natural_w + _Page.GAP, top, top + map_h, spare))
    below, half = top + map_h + table_h + 2 * _Page.GAP, (_Page.LEFT_W - _Page.GAP) / 2
    if bottom - below >= 10:
        frames += [(x, below, bottom, half) for x in (_Page.MAP_X, _Page.MAP_X + half + _Page.GAP)]
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


def _col_widths(pdf: _Handout, rows: Sequence[TableRow], size: float) -> tuple[float, ...]:
    """Each column as wide as its widest entry (a heading may wrap between words; sources
    wrap past a seventh of the table), the title the rest."""
    pad = 1.9  # the cell's padding and a little
    pdf.set_font(_PDF_FONT, "B", size)
    heads = [max((pdf.get_string_width(w) for w in h.split()), default=0.0) for h in _Page.HEADERS]
    fixed = (6.5, max((pdf.get_string_width(r.key) for r in rows), default=0.0) + pad)
    pdf.set_font(_PDF_FONT, "", size)
    widths = [
        max([heads[i + 2], *(pdf.get_string_width(r.cells[i]) for r in rows)]) + pad
        for i in range(1, 6)
    ]
    widths[-1] = min(widths[-1], _Page.LEFT_W / 7)
    return (*fixed, _Page.LEFT_W - sum(fixed) - sum(widths), *widths)


def _table(
    pdf: _Handout, rows: Sequence[TableRow], size: float, top: float, *, left_out: int = 0
) -> float:
    """The table of lines (fpdf2's ``table()``) and its footnote from *top*, on the left;
    returns the height they take."""
    lh = size * PT_MM * 1.2
    widths = _col_widths(pdf, rows, size)
    pdf.set_font(_PDF_FONT, "", size)
    pdf.set_xy(_Page.M, top)
    heads = FontFace(emphasis="BOLD", fill_color=(232, 232, 232))
    with pdf.table(
        col_widths=widths, width=_Page.LEFT_W, align="LEFT", borders_layout="NONE",
        line_height=lh, text_align="LEFT", v_align="MIDDLE", padding=(0.35, 0.7),
        headings_style=heads, cell_fill_color=(245, 245, 245), cell_fill_mode="EVEN_ROWS",
    ) as table:  # fmt: skip
        table.row(_Page.HEADERS)
        for row in rows:
            cells = table.row()
            cells.cell(img=swatch_svg(row.style, 5.2, 1.8), padding=(0.35, 0.6))
            cells.cell(row.key, style=_BOLD)
            for text in row.cells:
                cells.cell(text)
        if left_out:
            more = f"… and {left_out} more, not listed for lack of room"
            table.row().cell(more, colspan=len(_Page.HEADERS), style=_ITALIC)
    y = pdf.get_y()
    pdf.set_draw_color(85, 85, 85)
    pdf.set_line_width(0.2)
    pdf.line(_Page.M, y + 0.3, _Page.M + _Page.LEFT_W, y + 0.3)
    pdf.set_font(_PDF_FONT, "I", max(size * 0.95, 5.5))
    return pdf.para(_Page.M, y + 1.0, _Page.LEFT_W, lh, TABLE_NOTE, grey=True) - top


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
        key = keys.get(line.id) or parallel_label(line) or ""  # a route: its title alone
        pdf.swatch(print_style(line), x, y + 0.15, 6.5, lh)
        pdf.set_font(_PDF_FONT, "B" if line.id == step.selected else "", size)
        text = f"{key}  {line.title}".lstrip() + " *" * line.inferred
        y = pdf.para(x + 7.5, y, w - 7.5, lh, text)
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
