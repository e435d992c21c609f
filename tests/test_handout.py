"""Static PNG maps, the one-page PDF handout and the story handout: size, content, colours,
stable key letters, the scale bar, label placement, no network."""

from __future__ import annotations

import io
import re
import socket
from typing import Any

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from pypdf import PdfReader

from geo import Atlas, AtlasError, BuiltAtlas, build
from geo.outputs import handout as ho
from geo.outputs import staticmap as sm
from geo.outputs import storypdf
from geo.outputs.citations import cables_for, full_citation
from geo.outputs.labels import Placer
from geo.records.model import letters
from geo.stories import Story, load_stories
from geo.vocab import PARTIES


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def _near(a: tuple[int, ...], b: tuple[int, int, int], tol: int = 60) -> bool:
    return sum((x - y) ** 2 for x, y in zip(a[:3], b, strict=True)) <= tol**2


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(reader.pages[0].extract_text().split())


def _squeezed(text: str) -> str:
    """*text* without whitespace: line breaks may fall anywhere in a wrapped paragraph."""
    return "".join(text.split())


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
def built(atlas: Atlas) -> BuiltAtlas:
    return build(atlas)


@pytest.fixture(scope="module")
def korea_pdf(built: BuiltAtlas) -> bytes:
    return ho.handout_pdf(built, theater="korea")


@pytest.fixture(scope="module")
def indochina_pdf(built: BuiltAtlas) -> bytes:
    return ho.handout_pdf(built, theater="indochina")


@pytest.fixture(scope="module")
def stories(atlas: Atlas) -> dict[str, Story]:
    return load_stories(atlas)


# ---------------------------------------------------------------------------------------
# PNG


@pytest.mark.usefixtures("no_network")
def test_png_has_the_requested_size_and_is_not_blank(built: BuiltAtlas) -> None:
    png = sm.map_png(built, theater="korea")
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
        target = _rgb(PARTIES[party].color)
        assert sum(n for c, n in counts.items() if _near(c, target, 30)) > 500, party


def test_png_custom_size_and_line_colour_where_the_line_is(atlas: Atlas, built: BuiltAtlas) -> None:
    line = "vn-1954-french-18th"
    image = sm.render_map(
        built, theater="indochina", layers=[line], width_px=900, height_px=600, dpi=100
    )
    img = Image.open(io.BytesIO(image.png)).convert("RGB")
    assert img.size == (900, 600)
    assert image.keys == {line: atlas.keys("indochina")[line]}
    geom = built[line].geometry
    blue = _rgb(PARTIES["france"].color)
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


def test_selected_line_and_highlight_are_drawn(atlas: Atlas, built: BuiltAtlas) -> None:
    mdl = built["kr-1953-mdl"].geometry
    image = sm.render_map(
        built,
        theater="korea",
        layers=["kr-1953-mdl", "ref-parallel-38"],
        selected="kr-1953-mdl",
        highlight=built["kr-1951-un-buffer-zone"].geometry,
        width_px=800,
        height_px=500,
        dpi=100,
    )
    img = Image.open(io.BytesIO(image.png)).convert("RGB")
    # the reference parallel is not keyed; the line keeps its theater-wide letter
    assert image.keys == {"kr-1953-mdl": atlas.keys("korea")["kr-1953-mdl"]}
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


def test_bad_requests_raise_clear_errors(built: BuiltAtlas) -> None:
    with pytest.raises(AtlasError, match="unknown theater"):
        sm.map_png(built, theater="europe")
    with pytest.raises(AtlasError, match="belongs to indochina"):
        sm.map_png(built, theater="korea", layers=["vn-1954-geneva-line"])
    with pytest.raises(AtlasError, match="unknown line id"):
        sm.map_png(built, theater="korea", layers=["nope"])
    with pytest.raises(AtlasError, match="not among the layers"):
        sm.map_png(built, theater="korea", layers=["kr-1953-mdl"], selected="kr-1953-dmz")
    with pytest.raises(AtlasError, match="at least"):
        sm.map_png(built, theater="korea", width_px=50, height_px=50)
    with pytest.raises(AtlasError, match="not among the layers"):
        ho.handout_pdf(built, theater="korea", layers=["kr-1953-mdl"], selected="kr-1953-dmz")


def test_view_bbox_matches_a_web_map_view() -> None:
    x0, y0, x1, y1 = sm.view_bbox(38.0, 127.0, 8, width_px=900, height_px=600)
    assert (x0 + x1) / 2 == pytest.approx(127.0)
    assert (y0 + y1) / 2 == pytest.approx(38.0)
    assert x1 - x0 == pytest.approx(900 / (256 * 2**8) * 360)
    assert 0 < y1 - y0 < x1 - x0


def test_extent_stays_inside_the_basemap() -> None:
    extent, w, h = sm._fit_frame((100.0, 12.0, 112.0, 23.0), (97.0, 8.0, 110.5, 24.0), 800, 400)
    assert extent[0] >= 97.0 and extent[2] <= 110.5 and extent[1] >= 8 and extent[3] <= 24
    assert w <= 800 and h <= 400 and (w == 800 or h == 400)


def test_letters_run_past_z() -> None:
    assert [letters(i) for i in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]


def test_key_letters_are_stable_whatever_is_shown(atlas: Atlas, built: BuiltAtlas) -> None:
    every = atlas.keys("korea")
    alone = sm.render_map(
        built, theater="korea", layers=["kr-1953-mdl"], width_px=400, height_px=300, dpi=72
    )
    full = sm.render_map(built, theater="korea", width_px=400, height_px=300, dpi=72)
    assert alone.keys == {"kr-1953-mdl": every["kr-1953-mdl"]}
    assert full.keys == {ln.id: every[ln.id] for ln in atlas.lines_in("korea") if ln.id in every}
    # the handout's table shows the same letter for a line, listed alone or with others
    title = atlas.lines["kr-1953-mdl"].title
    row = re.compile(rf"(?:^| )([A-Z]{{1,2}}) {re.escape(title)}")
    for layers in (["kr-1953-mdl"], ["kr-1951-front-line", "kr-1953-mdl"], None):
        _, text = _text(ho.handout_pdf(built, theater="korea", layers=layers))
        m = row.search(text)
        assert m and m[1] == every["kr-1953-mdl"], (layers, text[-400:])


def test_scale_bar_shows_kilometres(built: BuiltAtlas) -> None:
    for bbox in (None, sm.view_bbox(37.97, 126.6, 10, width_px=1050, height_px=750)):
        image = sm.render_map(built, theater="korea", bbox=bbox, width_px=1000, height_px=700)
        m = re.fullmatch(r"(\d+) km", image.scale)
        assert m, image.scale
        # about a fifth of the frame's width, at its middle latitude
        x0, y0, x1, y1 = image.bbox
        frame_km = (x1 - x0) * sm.metres_per_degree_lon((y0 + y1) / 2) / 1000
        assert frame_km * 0.08 <= int(m[1]) <= frame_km * 0.2


def test_metres_per_degree_of_longitude() -> None:
    assert sm.metres_per_degree_lon(0.0) == pytest.approx(111_319.5, abs=1)
    assert sm.metres_per_degree_lon(38.0) == pytest.approx(87_832, rel=1e-3)


def test_placer_never_overlaps_and_drops_what_has_no_room() -> None:
    fig = Figure(figsize=(4, 3), dpi=100)
    renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    placer = Placer(ax, renderer)
    spots: list[Any] = [(5.0, 5.0, "center", "center"), (5.0, 6.0, "center", "bottom")]
    placed = [placer.place(ax.text(0, 0, f"Place {i}"), spots) for i in range(5)]
    assert placed == [True, True, False, False, False]
    assert len(ax.texts) == 2  # the labels with no room are removed, not left overlapping
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert not boxes[0].overlaps(boxes[1])
    # a forced label (a line's key) is shown even with no free spot
    assert placer.place(ax.text(0, 0, "K"), spots, force=True)


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
    # the document that supports no line is not cited
    assert "ZX vol. 4" not in text


def test_pdf_of_a_whole_theater_lists_everything_readably(
    atlas: Atlas, korea_pdf: bytes, indochina_pdf: bytes
) -> None:
    """Every line, and every document cited -- its archive reference (less a closing note
    in brackets; not a note that stands in for one) and its address, which may wrap -- on
    the one page, no type under 5.5 pt and a map at least 72 mm tall."""
    for theater, pdf in (("korea", korea_pdf), ("indochina", indochina_pdf)):
        reader, text = _text(pdf)
        assert len(reader.pages) == 1
        assert "lack of room" not in text
        lines = atlas.lines_in(theater)
        for line in lines:
            if line.status != "reference":
                assert line.title in text, line.title
        docs = cables_for(atlas, [ln.id for ln in lines])
        for doc in docs:
            assert _squeezed(doc.url) in _squeezed(text), doc.id
            ref = re.sub(r"\s*\([^()]*\)$", "", doc.archive)
            if ref[:1].isupper() or ref[:1].isdigit():
                assert ref in text, ref
            elif ref:  # "not visible in the copy we read"
                assert ref not in text, ref
        assert f"[{len(docs)}] " in text
        stream = reader.pages[0].get_contents()
        assert stream is not None
        content = stream.get_data().decode("latin-1")
        assert min(float(s) for s in re.findall(r"/F\d+ ([\d.]+) Tf", content)) >= 5.5
        (height,) = re.findall(r"q [\d.]+ 0 0 ([\d.]+) [\d.]+ [\d.]+ cm /I\d+ Do", content)
        assert float(height) * 25.4 / 72 >= 72, theater  # the map, in mm


@pytest.mark.usefixtures("no_network")
def test_pdf_unicode_embedded_fonts_and_no_network(built: BuiltAtlas) -> None:
    title = "Hải Phòng – a port to leave by (km²)"
    layers = ["vn-1954-french-haiphong", "vn-1954-french-18th"]
    pdf = ho.handout_pdf(
        built, theater="indochina", layers=layers, selected="vn-1954-french-18th", title=title
    )
    reader, text = _text(pdf)
    assert len(reader.pages) == 1
    assert text.startswith(title)
    _assert_fonts_embedded(reader)
    assert pdf == ho.handout_pdf(
        built, theater="indochina", layers=layers, selected="vn-1954-french-18th", title=title
    )


def _assert_fonts_embedded(reader: PdfReader) -> None:
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        assert fonts
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, font["/BaseFont"]  # embedded TrueType


def test_pdf_too_long_table_still_fits_one_page(
    built: BuiltAtlas, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ho._table_rows

    def many(*args: Any) -> list[Any]:
        return real(*args) * 8

    monkeypatch.setattr(ho, "_table_rows", many)
    reader, text = _text(ho.handout_pdf(built, theater="korea"))
    assert len(reader.pages) == 1
    m = re.search(r"… and (\d+) more, not listed for lack of room", text)
    assert m and int(m[1]) > 0


def test_pdf_type_shrinks_before_rows_are_dropped(
    built: BuiltAtlas, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ho._table_rows
    monkeypatch.setattr(ho, "_table_rows", lambda *args: real(*args) * 2)
    reader, text = _text(ho.handout_pdf(built, theater="korea"))
    assert len(reader.pages) == 1
    assert "not listed for lack of room" not in text


def test_pdf_map_follows_a_zoomed_view(built: BuiltAtlas, korea_pdf: bytes) -> None:
    # A story step zoomed on Kaesong prints that area, not the whole extent of the lines.
    zoomed = ho.handout_pdf(built, theater="korea", bbox=sm.view_bbox(37.97, 126.55, 10))
    assert len(PdfReader(io.BytesIO(zoomed)).pages) == 1
    assert _images(zoomed) != _images(korea_pdf)


def _images(pdf: bytes) -> list[bytes]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return [img.data for img in page.images]


# ---------------------------------------------------------------------------------------
# the story handout


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("story_id", ["korea-1951", "geneva-1954"])
def test_story_pdf_has_a_page_per_step_and_the_citations(
    atlas: Atlas, built: BuiltAtlas, stories: dict[str, Story], story_id: str
) -> None:
    story = stories[story_id]
    pdf = storypdf.story_pdf(built, story)
    reader = PdfReader(io.BytesIO(pdf))
    n = len(story.steps)
    assert len(reader.pages) == n + 1
    for page in reader.pages:
        w, h = (float(v) for v in page.mediabox[2:])
        assert (round(w), round(h)) == (842, 595)
    texts = [_squeezed(page.extract_text()) for page in reader.pages]
    for i, step in enumerate(story.steps):
        text = texts[i]
        assert _squeezed(step.title) in text, step.title
        assert _squeezed(step.caption) in text, step.caption[:60]
        assert _squeezed(f"Step {i + 1} of {n}") in text
        for ev in step.evidence:  # the quoted phrases, and the document's citation
            for phrase in ev.phrases:
                assert _squeezed(phrase) in text, phrase
            assert _squeezed(full_citation(atlas.documents[ev.document])) in text
        assert len(reader.pages[i].images) == 1  # the step's map
    closing = texts[-1]
    assert story.documents
    for did in story.documents:
        assert _squeezed(full_citation(atlas.documents[did])) in closing, did
    assert reader.metadata is not None and reader.metadata.title == story.title
    _assert_fonts_embedded(reader)


def test_story_pdf_maps_follow_each_steps_view(
    built: BuiltAtlas, stories: dict[str, Story]
) -> None:
    story = stories["korea-1951"]
    two = Story(story.id, story.title, story.theater, story.summary, story.steps[2:4])
    reader = PdfReader(io.BytesIO(storypdf.story_pdf(built, two)))
    assert len(reader.pages) == 3
    maps = [page.images[0].data for page in reader.pages[:2]]
    assert maps[0] != maps[1]  # zoom 10 on Kaesong, then zoom 8 on the front
