"""The printed page shared by the handouts: A4 landscape in millimetres, DejaVu Sans embedded.

:class:`HandoutPDF` is fpdf2's ``FPDF`` set up once for every handout: the page, the margins,
the fonts (matplotlib's DejaVu files, so "Hải Phòng" and "km²" print as written), a fixed
creation date (reproducible bytes, so the app can cache them), wrapped paragraphs and style
samples. :class:`Page` holds the measures both layouts use.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import matplotlib
from fpdf import FPDF

from geo.outputs.staticlegend import (
    PrintStyle,
    swatch_svg,
)
from geo.outputs.staticmap import (
    MapImage,
)
from geo.vocab import theater_label

PT_MM = 25.4 / 72  # one typographic point in millimetres
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
PDF_FONT = "DejaVu"
FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
PDF_DATE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
GREY = (70, 70, 70)


class Page:
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


class HandoutPDF(FPDF):
    """An A4 landscape page with DejaVu Sans embedded (any Unicode the documents use)."""

    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(Page.M, Page.M, Page.M)
        for style, name in FONTS.items():
            self.add_font(PDF_FONT, style, str(FONT_DIR / name))
        self.set_creation_date(PDF_DATE)
        self.set_creator("Armistice Atlas")
        self.set_author("Armistice Atlas")
        self.set_lang("en")
        self.c_margin = 0.8

    def para(
        self, x: float, y: float, w: float, lh: float, text: str, grey: bool = False, link: str = ""
    ) -> float:
        """Wrapped, left-aligned text at (x, y), a link to *link* if any; returns the y below."""
        self.set_xy(x, y)
        self.set_text_color(*(GREY if grey else (0, 0, 0)))
        self.multi_cell(w, lh, text, align="L", link=link or None, new_x="LEFT", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        return self.get_y()

    def swatch(self, style: PrintStyle, x: float, y: float, w: float, h: float) -> None:
        """A style sample (legend entry) at print size."""
        self.image(swatch_svg(style, w, h), x=x, y=y, w=w, h=h)

    def heading(self, text: str, subtitle: str) -> None:
        self.set_font(PDF_FONT, "B", 15)
        self.set_xy(Page.M, 8.5)
        self.cell(Page.W - 2 * Page.M, 7, text, new_x="LEFT", new_y="NEXT")
        self.set_font(PDF_FONT, "", 8.5)
        self.para(Page.M, self.get_y(), Page.W - 2 * Page.M, 4.5, subtitle, grey=True)


def line_h(size: float) -> float:
    return size * PT_MM * 1.3


def map_px(mm: float) -> int:
    return round(mm / 25.4 * Page.MAP_DPI)


def place_map(
    pdf: HandoutPDF, image: MapImage, x: float, y: float, w: float, h: float, theater: str
) -> None:
    alt = f"Map of {theater_label(theater)} with the lines listed"
    pdf.image(io.BytesIO(image.png), x=x, y=y, w=w, h=h, alt_text=alt)


# ---------------------------------------------------------------------------------------
# one page of a theater
