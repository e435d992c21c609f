"""Military grid references of 1951 ("CT 4334") decoded to the towns they name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import DATA_DIR
from geo import Atlas, AtlasError, build, load_atlas, validate
from geo.grid import Decoded, GridError, decode
from geo.measure import distance_km

#: Reference as written in the documents -> (town, WGS84 lat, lon of the town).
TOWNS = {
    "CT 4334": ("Chorwon (old town)", 38.245, 127.212),
    "CT 6538": ("Kumhwa", 38.28, 127.47),
    "YC 5806": ("Chongdan", 37.970, 125.9375),
    "BS 5198": ("Yonan", 37.909, 126.161),
}
TOLERANCE_KM = 2.0  # the 1 km square's centre (<= 0.7 km) plus the town's own extent


@pytest.mark.parametrize("ref", sorted(TOWNS))
def test_references_land_on_their_towns(ref: str) -> None:
    town, lat, lon = TOWNS[ref]
    d = decode(ref)
    assert isinstance(d, Decoded) and d.written == ref
    assert distance_km(d.lon, d.lat, lon, lat) < TOLERANCE_KM, (town, d)


def test_chorwon_and_kumhwa_agree_with_the_gazetteer(atlas: Atlas) -> None:
    for ref, pid in (("CT 4334", "chorwon"), ("CT 6538", "kumhwa")):
        d, place = decode(ref), atlas.places[pid]
        assert distance_km(d.lon, d.lat, place.lon, place.lat) < TOLERANCE_KM + place.precision_km


def test_the_lettering_used_is_reported() -> None:
    """Zone 52 rows are the 1950s lettering (ten letters on); zone 51 reads as written."""
    chorwon = decode("CT 4334")
    assert chorwon.mgrs == "52SCH4334" and chorwon.lettering.startswith("1950s")
    chongdan = decode("YC 5806")
    assert chongdan.mgrs == "51SYC5806" and chongdan.lettering == "as written"
    assert decode("BS 5198").mgrs == "52SBG5198"


def test_spacing_and_case_do_not_matter() -> None:
    ref = decode("CT 4334")
    for written in ("CT4334", "ct 4334", " CT 43 34 "):
        d = decode(written)
        assert (d.lat, d.lon, d.mgrs) == (ref.lat, ref.lon, ref.mgrs), written
        assert d.written == written


def test_a_reference_names_the_centre_of_a_1_km_square() -> None:
    a, b = decode("CT 4334"), decode("CT 4434")
    assert distance_km(a.lon, a.lat, b.lon, b.lat) == pytest.approx(1.0, abs=0.02)
    assert b.lon > a.lon


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("BX 5198", "X is not a grid row letter"),
        ("CO 4334", "O is not a grid row letter"),
        ("IT 4334", "column letter I"),
        ("JT 4334", "column letter J"),
        ("CT 433", "is not a grid reference"),
        ("CT 43345", "is not a grid reference"),
        ("4334", "is not a grid reference"),
        ("", "is not a grid reference"),
        ("CT 4334 extra", "is not a grid reference"),
    ],
)
def test_malformed_references_raise_grid_error(written: str, words: str) -> None:
    with pytest.raises(GridError, match=words) as info:
        decode(written)
    assert isinstance(info.value, AtlasError)  # one line for the user, no traceback


def test_every_letter_pair_decodes_in_korea_or_raises_grid_error() -> None:
    escaped = []
    for col in "ABCDEFGHSTUVWXYZ":
        for row in "ABCDEFGHJKLMNPQRSTUV":
            try:
                d = decode(f"{col}{row} 5050")
            except GridError:
                continue
            except Exception as exc:  # anything else escaping geo is a bug (geo/errors.py)
                escaped.append(f"{col}{row}: {type(exc).__name__}")
                continue
            assert 33.0 <= d.lat <= 43.0, (col, row, d)  # the latitudes of Korea
    assert escaped == []


# --- the grid recipe ---------------------------------------------------------------------

GRID_LINE = """\
id: t-grid
title: Test grid line, Chorwon to Kumhwa
theater: korea
kind: reference
party: none
status: reference
precision_km: 1
countries: [KOR, PRK]
summary: The base of the Iron Triangle, as two grid references.
geometry:
  grid:
    refs:
      - {ref: "CT 4334", near: chorwon, document: frus1951v07p1-d646}
      - {ref: "CT 6538", near: kumhwa}
"""


def _with_record(tmp_path: Path, text: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "proposals" / "t-grid.yaml").write_text(text, encoding="utf-8")
    return data


def test_a_grid_line_runs_through_its_decoded_references(tmp_path: Path) -> None:
    data = _with_record(tmp_path, GRID_LINE)
    atlas = load_atlas(data)
    shape = build(atlas, ["korea"])["t-grid"]
    assert shape.divider is not None
    (x0, y0), (x1, y1) = shape.divider.coords[0], shape.divider.coords[-1]
    chorwon, kumhwa = atlas.places["chorwon"], atlas.places["kumhwa"]
    assert distance_km(x0, y0, chorwon.lon, chorwon.lat) < TOLERANCE_KM
    assert distance_km(x1, y1, kumhwa.lon, kumhwa.lat) < TOLERANCE_KM
    assert shape.length_km == pytest.approx(22.4, abs=1.5)  # Chorwon-Kumhwa, ~22 km


def test_read_as_corrects_a_reference_mistyped_in_the_source(tmp_path: Path) -> None:
    text = GRID_LINE.replace(
        '{ref: "CT 6538", near: kumhwa}', '{ref: "CT 6583", read_as: "CT 6538", near: kumhwa}'
    )
    shape = build(load_atlas(_with_record(tmp_path, text)), ["korea"])["t-grid"]
    assert shape.divider is not None
    x1, y1 = shape.divider.coords[-1]
    assert distance_km(x1, y1, 127.47, 38.28) < TOLERANCE_KM


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"CT 6538"', '"BX 5198"'), "X is not a grid row letter"),
        (("near: kumhwa", "near: atlantis"), "unknown place id 'atlantis'"),
        (("document: frus1951v07p1-d646", "document: '999999'"), "unknown document '999999'"),
        (('      - {ref: "CT 6538", near: kumhwa}\n', ""), "at least two references"),
    ],
)
def test_a_bad_grid_line_is_reported_at_its_record(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    data = _with_record(tmp_path, GRID_LINE.replace(*change))
    problems = [str(p) for p in validate(data)]
    assert any(
        "proposals/t-grid.yaml:" in p and "[geometry.grid]" in p and message in p for p in problems
    ), problems
