"""A whole story as a PDF handout: one A4 landscape page per step, then its documents.

Each step's page: the step's title, its map (the step's layers, selected line and view), the
caption, the lines shown with their key letters, the quoted phrases of its evidence with each
document's citation, and "Step 3 of 9". The page and fonts are :mod:`geo.outputs.pdfpage`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from geo.geometry import BuiltAtlas
from geo.outputs.citations import full_citation
from geo.outputs.pdfpage import GREY, PDF_FONT, HandoutPDF, Page, line_h, place_map
from geo.outputs.staticlegend import (
    print_style,
)
from geo.outputs.staticmap import (
    check_selected,
    render_map,
    resolve_layers,
    view_bbox,
)
from geo.outputs.webmap import date_label
from geo.outputs.webmap import latitude_label as parallel_label
from geo.records.model import Line
from geo.stories import Step, Story
from geo.vocab import party_short, theater_label

_STEP_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0, 5.5)


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
    scratch = HandoutPDF()
    scratch.add_page()
    pdf = HandoutPDF()
    pdf.set_title(story.title)
    pdf.set_subject(f"Armistice Atlas story: {theater_label(story.theater)}")
    for i in range(len(story.steps)):
        _step_page(pdf, scratch, built, story, i, numbers, view_px)
    _closing_page(pdf, scratch, built, story, numbers)
    return bytes(pdf.output())


def _step_page(
    pdf: HandoutPDF,
    scratch: HandoutPDF,
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
        scratch.set_font(PDF_FONT, "", size + 0.5)
        cap_h = scratch.para(Page.M, 0.0, Page.STEP_MAP_W, line_h(size + 0.5), step.caption)
        map_h = min(Page.STEP_MAP_H_MAX, Page.FOOT_Y - 2 * Page.GAP - cap_h - Page.MAP_Y)
        ok = col_end <= Page.FOOT_Y - Page.GAP and map_h >= Page.STEP_MAP_H_MIN
        return map_h if ok else None

    shown = len(step.documents)
    size = next((s for s in _STEP_SIZES if fits(s, shown) is not None), _STEP_SIZES[-1])
    while shown > 0 and fits(size, shown) is None:  # smallest type too big: quotations give way
        shown -= 1
    map_h = fits(size, shown) or Page.STEP_MAP_H_MIN

    image = render_map(
        built,
        theater=theater,
        layers=step.layers,
        selected=step.selected,
        bbox=bbox,
        width_px=round(Page.STEP_MAP_W / 25.4 * Page.MAP_DPI),
        height_px=round(map_h / 25.4 * Page.MAP_DPI),
        dpi=Page.MAP_DPI,
        legend=False,
    )
    pdf.add_page()
    about = [story.title]
    if theater_label(theater) not in story.title:
        about.append(theater_label(theater))
    if step.date:
        about.append(f"{step.date.day} {step.date:%B %Y}")
    pdf.heading(step.title, " · ".join(about))
    place_map(pdf, image, Page.MAP_X, Page.MAP_Y, Page.STEP_MAP_W, map_h, theater)
    pdf.set_font(PDF_FONT, "", size + 0.5)
    cap_y, cap_lh = Page.MAP_Y + map_h + Page.GAP, line_h(size + 0.5)
    pdf.para(Page.M, cap_y, Page.STEP_MAP_W, cap_lh, step.caption)
    _step_column(pdf, built, step, lines, keys, numbers, size, shown)
    _footer(pdf, story, f"Step {index + 1} of {len(story.steps)}")


def _step_column(
    pdf: HandoutPDF,
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
    lh = line_h(size)
    x, w = Page.STEP_COL_X, Page.STEP_COL_W
    pdf.set_font(PDF_FONT, "B", size + 1)
    y = pdf.para(x, Page.MAP_Y - 0.5, w, lh * 1.25, "On the map")
    for line in lines:
        key = keys.get(line.id) or parallel_label(line) or ""  # a route: its title alone
        pdf.swatch(print_style(line), x, y + 0.15, 6.5, lh)
        pdf.set_font(PDF_FONT, "B" if line.id == step.selected else "", size)
        text = f"{key}  {line.title}".lstrip() + " *" * line.inferred
        y = pdf.para(x + 7.5, y, w - 7.5, lh, text)
        details = [party_short(line.party), line.status, date_label(line)]
        pdf.set_font(PDF_FONT, "", size - 1)
        about = " · ".join(d for d in details if d and d != "–")
        y = pdf.para(x + 7.5, y, w - 7.5, lh * 0.9, about, grey=True) + 0.8
    if step.evidence:
        pdf.set_font(PDF_FONT, "B", size + 1)
        y = pdf.para(x, y + 1.5, w, lh * 1.25, "From the documents")
    for did in step.documents[:shown]:
        for ev in step.evidence:
            if ev.document != did:
                continue
            key = keys.get(ev.proposal, ev.proposal)
            for phrase in ev.phrases:
                pdf.set_font(PDF_FONT, "I", size)
                y = pdf.para(x, y + 0.4, w, lh, f"“{phrase}” ({key})")
        doc = built.atlas.documents.get(did)
        cite = f"[{numbers.get(did, '?')}] {full_citation(doc) if doc else did}"
        pdf.set_font(PDF_FONT, "", size - 1)
        y = pdf.para(x + 3, y + 0.4, w - 3, lh * 0.9, cite, grey=True) + 1.2
    if len(step.documents) > shown:
        pdf.set_font(PDF_FONT, "I", size)
        left = len(step.documents) - shown
        y = pdf.para(x, y, w, lh, f"… and quotations from {left} more, cited on the last page")
    return y


def _closing_page(
    pdf: HandoutPDF,
    scratch: HandoutPDF,
    built: BuiltAtlas,
    story: Story,
    numbers: Mapping[str, int],
) -> None:
    """Every document the story cites, numbered as on the step pages, with the steps citing
    it. The type shrinks to keep it to one page; a list longer still runs on."""
    cited_by = {
        did: [i + 1 for i, s in enumerate(story.steps) if did in s.documents] for did in numbers
    }

    def write(target: HandoutPDF, size: float) -> float:
        lh = line_h(size)
        target.set_font(PDF_FONT, "", size)
        y = target.para(Page.M, Page.MAP_Y, Page.W - 2 * Page.M, lh, story.summary) + 3
        for did, n in numbers.items():
            doc = built.atlas.documents.get(did)
            steps = cited_by[did]
            where = f"step{'s' if len(steps) > 1 else ''} {', '.join(map(str, steps))}"
            text = f"[{n}] {full_citation(doc) if doc else did} ({where})"
            y = target.para(Page.M, y + 1.2, Page.W - 2 * Page.M, lh, text)
        return y

    sizes = (10.0, 9.0, 8.0, 7.0, 6.0)
    size = next((s for s in sizes if write(scratch, s) <= Page.FOOT_Y - Page.GAP), sizes[-1])
    pdf.add_page()
    pdf.heading("Documents cited", f"{story.title} · {theater_label(story.theater)}")
    pdf.set_auto_page_break(True, margin=Page.M + 4)
    pdf.set_font(PDF_FONT, "", size)
    write(pdf, size)
    pdf.set_auto_page_break(False)
    _footer(pdf, story, f"{len(numbers)} document{'s' * (len(numbers) != 1)} cited")


def _footer(pdf: HandoutPDF, story: Story, right: str) -> None:
    """The story's name at the foot of the page, and *right* (e.g. "Step 3 of 9")."""
    pdf.set_font(PDF_FONT, "", 7.5)
    pdf.set_text_color(*GREY)
    width = (Page.W - 2 * Page.M) / 2
    pdf.set_xy(Page.M, Page.FOOT_Y)
    pdf.cell(width, 4, f"Armistice Atlas · {story.title}")
    pdf.cell(width, 4, right, align="R")
    pdf.set_text_color(0, 0, 0)
