"""Military grid references of the Korean War ("CT 4334") as WGS84 points.

The 1951 armistice documents give lines as lists of grid references on the Army Map Service
series for Korea: two letters naming a 100 km square and 2 + 2 digits, the easting and
northing in km inside it. The grid is UTM on the Tokyo datum (Bessel 1841 ellipsoid), and
its lettering is not today's:

* the zone is not written; it follows from the column letter (A–H: zone 52, S–Z: zone 51;
  everything in Korea lies in latitude band S);
* in zone 52 the row letter is the older "AL" lettering, ten letters on from the modern
  "AA" lettering in the 20-letter cycle A–V without I and O (CT is modern CH); zone 51
  references (XC, YC) decode with the letters as written. The decoder tries both letterings
  and keeps the one that lands in Korea: there is only ever one (tests check the named towns);
* a 4-digit reference names a 1 km square; its centre is returned (error ≤ 0.7 km);
* easting/northing are read as Tokyo / UTM (EPSG:3092, 3093) and moved to WGS84 with the
  EPSG "Tokyo to WGS 84 (5)" transformation for Korea (about 750 m here).

See ``docs/research.md`` (grid references) for the checks against towns.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

from pyproj import Transformer

from geo.errors import AtlasError

ROWS = "ABCDEFGHJKLMNPQRSTUV"  # the 20 row letters (no I, O)
COLUMN_ZONE = {**dict.fromkeys("ABCDEFGH", 52), **dict.fromkeys("STUVWXYZ", 51)}
BAND = "S"
KOREA_LAT = (33.0, 43.0)
KOREA_LON = (124.0, 131.5)
_TOKYO_UTM = {51: "EPSG:3092", 52: "EPSG:3093"}
_TOKYO_TO_WGS84 = (
    "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
    "+step +proj=push +v_3 +step +proj=cart +ellps=bessel "
    "+step +proj=helmert +x=-147 +y=506 +z=687 "
    "+step +inv +proj=cart +ellps=WGS84 +step +proj=pop +v_3 "
    "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
)
_REF_RE = re.compile(r"\s*([A-Za-z])([A-Za-z])\s*(\d{2})\s*(\d{2})\s*")


class GridError(AtlasError):
    """A reference that is not a 2-letter, 4-digit reference of the Korean grid."""


@dataclass(frozen=True)
class Decoded:
    """A grid reference, how it was read, and where it is."""

    written: str  # as in the source
    mgrs: str  # the modern MGRS square it names, e.g. "52SCH4334"
    lettering: str  # "1950s rows (shifted 10)" or "as written"
    lat: float  # WGS84, centre of the 1 km square
    lon: float


def shift_row(letter: str, n: int) -> str:
    """Move a row letter *n* places in the 20-letter cycle."""
    return ROWS[(ROWS.index(letter) + n) % len(ROWS)]


@lru_cache(maxsize=4)
def _transformers(zone: int) -> tuple[Transformer, Transformer]:
    to_tokyo = Transformer.from_crs(_TOKYO_UTM[zone], "EPSG:4301", always_xy=True)
    return to_tokyo, Transformer.from_pipeline(_TOKYO_TO_WGS84)


def _square_origin(zone: int, col: str, row: str) -> tuple[float, float]:
    """UTM easting/northing (m) of the south-west corner of a modern MGRS 100 km square."""
    import mgrs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mgrs's band check uses WGS84 latitudes; harmless
        try:
            _, _, east, north = mgrs.MGRS().MGRSToUTM(f"{zone}{BAND}{col}{row}0000")
        except mgrs.core.MGRSError as exc:
            raise GridError(f"no 100 km square {col}{row} in zone {zone}{BAND}") from exc
    # mgrs returns the *centre* of the 1 km square "0000" (x00500 m), not the corner; a
    # 100 km square's corner is a whole multiple of 100 km, so round down to it (the half
    # square is added once, by the caller).
    return float(east // 100_000 * 100_000), float(north // 100_000 * 100_000)


def decode(written: str) -> Decoded:
    """Decode a reference as written in a 1951 document, e.g. ``"CT 4334"``.

    Raises
    ------
    GridError
        If it is malformed, uses a letter the grid does not, or lands outside Korea.
    """
    m = _REF_RE.fullmatch(written or "")
    if m is None:
        raise GridError(f"{written!r} is not a grid reference like 'CT 4334'")
    col, row = m.group(1).upper(), m.group(2).upper()
    east_km, north_km = int(m.group(3)), int(m.group(4))
    if col not in COLUMN_ZONE:
        raise GridError(f"{written!r}: column letter {col} is not used in zones 51 and 52")
    if row not in ROWS:
        raise GridError(f"{written!r}: {row} is not a grid row letter (I, O and W–Z are unused)")
    zone = COLUMN_ZONE[col]
    found: list[Decoded] = []
    for lettering, shift in (("1950s rows (shifted 10)", -10), ("as written", 0)):
        modern = shift_row(row, shift)
        try:
            origin = _square_origin(zone, col, modern)
        except GridError:
            continue  # this lettering names no square: the other may
        x0, y0 = origin
        east, north = x0 + (east_km + 0.5) * 1000.0, y0 + (north_km + 0.5) * 1000.0
        to_tokyo, to_wgs84 = _transformers(zone)
        lon_t, lat_t = to_tokyo.transform(east, north)
        if KOREA_LAT[0] <= lat_t <= KOREA_LAT[1] and KOREA_LON[0] <= lon_t <= KOREA_LON[1]:
            lon, lat = to_wgs84.transform(lon_t, lat_t)
            code = f"{zone}{BAND}{col}{modern}{east_km:02d}{north_km:02d}"
            found.append(Decoded(written, code, lettering, float(lat), float(lon)))
    if len(found) != 1:
        raise GridError(f"{written!r} does not fall in Korea in either lettering")
    return found[0]
