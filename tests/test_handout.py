"""Static PNG maps and the one-page PDF handout: size, content, colours, no network."""

from __future__ import annotations

import io
import re
import socket
from typing import Any

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from geo import Atlas, AtlasError, build_all
from geo import handout as ho
from geo.citations import cables_for
from geo.render import PARTY_COLORS, view_bbox


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def _near(a: tuple[int, ...], b: tuple[int, int, int], tol: int = 60) -> bool:
    return sum((x - y) ** 2 for x, y in zip(a[:3], b, strict=True)) <= tol**2


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(reader.pages[0].extract_text().split())


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(scope="module")
def korea_pdf(atlas: Atlas) -> bytes:
    return ho.handout_pdf(atlas, theater="korea")


@pytest.fixture(scope="module")
def indochina_pdf(atlas: Atlas) -> bytes:
    return ho.handout_pdf(atlas, theater="indochina")


# ---------------------------------------------------------------------------------------
# PNG


@pytest.mark.usefixtures("no_network")
def test_png_has_the_requested_size_and_is_not_blank(atlas: Atlas) -> None:
    png = ho.map_png(atlas, theater="korea")
    assert png.startswith(b"\x89PNG")
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.size == (1600, 1000)
    colours = img.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 200
    # land, sea, the communist orange and the UN blue all take real space
    counts = {c: n for n, c in colours}
    for wanted in ("#f4f1ea", "#dde8f0"):
        assert counts.get(_rgb(wanted), 0) > 10_000, wanted
    for party in ("communist", "un"):
        target = _rgb(PARTY_COLORS[party])
        assert sum(n for c, n in counts.items() if _near(c, target, 30)) > 500, party


def test_png_custom_size_and_line_colour_where_the_line_is(atlas: Atlas) -> None:
    line = "vn-1954-french-18th"
    image = ho.render_map(
        atlas, theater="indochina", layers=[line], width_px=900, height_px=600, dpi=100
    )
    img = Image.open(io.BytesIO(image.png)).convert("RGB")
    assert img.size == (900, 600)
    assert image.keys == {line: "A"}
    geom = build_all(atlas)[line].geometry
    blue = _rgb(PARTY_COLORS["france"])
    hits = 0
    samples = [geom.interpolate(f, normalized=True) for f in (0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8)]
    for pt in samples:
        x, y = image.pixel(pt.x, pt.y)
        window = [
            img.getpixel((round(x) + dx, round(y) + dy))
            for dx in range(-6, 7)
            for dy in range(-2, 3)
        ]
        hits += any(_near(p, blue) for p in window)  # type: ignore[arg-type]
    assert hits >= len(samples) - 2  # a key or a dash gap may cover a sample or two
    # far from the line (south-west corner of the frame) there is no party colour
    left, _, _, bottom = image.frame_px
    corner = np.asarray(img.crop((int(left) + 5, int(bottom) - 60, int(left) + 60, int(bottom))))
    assert not (np.abs(corner.astype(int) - blue).sum(axis=2) < 40).any()


def test_selected_line_and_highlight_are_drawn(atlas: Atlas) -> None:
    built = build_all(atlas)
    mdl = built["kr-1953-mdl"].geometry
    image = ho.render_map(
        atlas,
        theater="korea",
        layers=["kr-1953-mdl", "ref-parallel-38"],
        selected="kr-1953-mdl",
        highlight=built["kr-1951-un-buffer-zone"].geometry,
        width_px=800,
        height_px=500,
        dpi=100,
    )
    img = Image.open(io.BytesIO(image.png)).convert("RGB")
    assert image.keys == {"kr-1953-mdl": "A"}  # the reference parallel is not keyed
    hits = 0
    for f in (0.2, 0.3, 0.5, 0.7, 0.8):
        pt = mdl.interpolate(f, normalized=True)
        x, y = image.pixel(pt.x, pt.y)
        window = [
            img.getpixel((round(x) + dx, round(y) + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)
        ]
        hits += any(_near(p, (0, 0, 0), 40) for p in window)  # type: ignore[arg-type]
    assert hits >= 4
    # the green shading of the highlight is there, north of the line
    pixels = np.asarray(img).astype(int)
    green = (pixels[:, :, 1] > pixels[:, :, 0] + 25) & (pixels[:, :, 1] > pixels[:, :, 2])
    assert green.sum() > 300


def test_bad_requests_raise_clear_errors(atlas: Atlas) -> None:
    with pytest.raises(AtlasError, match="unknown theater"):
        ho.map_png(atlas, theater="europe")
    with pytest.raises(AtlasError, match="belongs to indochina"):
        ho.map_png(atlas, theater="korea", layers=["vn-1954-geneva-line"])
    with pytest.raises(AtlasError, match="unknown line id"):
        ho.map_png(atlas, theater="korea", layers=["nope"])
    with pytest.raises(AtlasError, match="not among the layers"):
        ho.map_png(atlas, theater="korea", layers=["kr-1953-mdl"], selected="kr-1953-dmz")
    with pytest.raises(AtlasError, match="at least"):
        ho.map_png(atlas, theater="korea", width_px=50, height_px=50)


def test_view_bbox_matches_a_web_map_view() -> None:
    x0, y0, x1, y1 = view_bbox(38.0, 127.0, 8, width_px=900, height_px=600)
    assert (x0 + x1) / 2 == pytest.approx(127.0)
    assert (y0 + y1) / 2 == pytest.approx(38.0)
    assert x1 - x0 == pytest.approx(900 / (256 * 2**8) * 360)
    assert 0 < y1 - y0 < x1 - x0


def test_extent_stays_inside_the_basemap() -> None:
    extent, w, h = ho._fit_frame((100.0, 12.0, 112.0, 23.0), (97.0, 8.0, 110.5, 24.0), 800, 400)
    assert extent[0] >= 97.0 and extent[2] <= 110.5 and extent[1] >= 8 and extent[3] <= 24
    assert w <= 800 and h <= 400 and (w == 800 or h == 400)


def test_letters_run_past_z() -> None:
    assert [ho._letters(i) for i in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]


# ---------------------------------------------------------------------------------------
# PDF


def test_pdf_is_one_page_with_titles_and_citations(atlas: Atlas, korea_pdf: bytes) -> None:
    reader, text = _text(korea_pdf)
    assert len(reader.pages) == 1
    w, h = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(w), round(h)) == (842, 595)  # A4 landscape in points
    for line in atlas.lines_in("korea"):
        assert line.title in text, line.title
    for cable in cables_for(atlas, [ln.id for ln in atlas.lines_in("korea")]):
        for ref in cable.archive.split("; "):  # "APRF, ... ll. 56-58; RGASPI, ..."
            assert ref in text, ref
        assert cable.url in text
    assert "km²" in text
    assert reader.metadata is not None
    assert reader.metadata.title == "Korea 1951–53: demarcation lines proposed and signed"


def test_pdf_groups_reference_parallels(atlas: Atlas, indochina_pdf: bytes) -> None:
    reader, text = _text(indochina_pdf)
    assert len(reader.pages) == 1
    for line in atlas.lines_in("indochina"):
        if line.status != "reference":
            assert line.title in text, line.title
    assert "Reference parallels 13°N, 14°N, 15°N, 16°N, 17°N, 18°N" in text
    assert "PRC FMA 206-00046-34, 140-142" in text
    # the cable that supports no line is not cited
    assert "ZX vol. 4" not in text


@pytest.mark.usefixtures("no_network")
def test_pdf_unicode_embedded_fonts_and_no_network(atlas: Atlas) -> None:
    title = "Hải Phòng – a port to leave by (km²)"
    pdf = ho.handout_pdf(
        atlas,
        theater="indochina",
        layers=["vn-1954-french-haiphong", "vn-1954-french-18th"],
        selected="vn-1954-french-18th",
        title=title,
    )
    reader, text = _text(pdf)
    assert len(reader.pages) == 1
    assert text.startswith(title)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor, font["/BaseFont"]  # embedded TrueType
    assert pdf == ho.handout_pdf(
        atlas,
        theater="indochina",
        layers=["vn-1954-french-haiphong", "vn-1954-french-18th"],
        selected="vn-1954-french-18th",
        title=title,
    )


def test_pdf_too_long_table_still_fits_one_page(
    atlas: Atlas, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ho._table_rows

    def many(*args: Any) -> list[Any]:
        return real(*args) * 8

    monkeypatch.setattr(ho, "_table_rows", many)
    reader, text = _text(ho.handout_pdf(atlas, theater="korea"))
    assert len(reader.pages) == 1
    m = re.search(r"… and (\d+) more, not listed for lack of room", text)
    assert m and int(m[1]) > 0


def test_pdf_map_follows_a_zoomed_view(atlas: Atlas, korea_pdf: bytes) -> None:
    # A story step zoomed on Kaesong prints that area, not the whole extent of the lines.
    zoomed = ho.handout_pdf(atlas, theater="korea", bbox=view_bbox(37.97, 126.55, 10))
    assert len(PdfReader(io.BytesIO(zoomed)).pages) == 1
    assert _images(zoomed) != _images(korea_pdf)


def _images(pdf: bytes) -> list[bytes]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return [img.data for img in page.images]
