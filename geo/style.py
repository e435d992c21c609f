"""The visual language shared by every map output (web map, static map, handout, site).

Colour = party (:data:`geo.vocab.PARTIES`, Okabe-Ito), dash pattern = status, so colour is never
the only cue; zones are outlined and lightly filled; precision is a translucent band.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.vocab import PARTIES

#: SVG dash arrays (in line widths' pixels) per status; None = solid.
STATUS_DASH: dict[str, str | None] = {
    "proposed": "10 6",
    "fallback": "3 6",
    "agreed": None,
    "reference": "1 5",
}
LAND_FILL = "#f4f1ea"
LAND_EDGE = "#8c8c8c"
SEA = "#dde8f0"
REFERENCE_COLOR = "#7F7F7F"
HIGHLIGHT = "#009E73"  # the area between two compared lines
MARKER = "#6a1b9a"  # the rings round a place the map was sent to
BAND_OPACITY = 0.12
ZONE_FILL_OPACITY = 0.18


@dataclass(frozen=True)
class Stroke:
    color: str
    dash: str | None
    weight: float  # px on screen, pt in print
    fill_opacity: float


def party_color(party: str) -> str:
    return PARTIES[party].color if party in PARTIES else "#333333"


def stroke(*, party: str, status: str, kind: str) -> Stroke:
    """How a record is drawn."""
    color = REFERENCE_COLOR if status == "reference" else party_color(party)
    weight = {"reference": 1.2, "agreed": 3.5}.get(status, 3.0)
    return Stroke(
        color, STATUS_DASH.get(status), weight, ZONE_FILL_OPACITY if kind == "zone" else 0.0
    )


def ink(color: str) -> str:
    """Black or white, whichever reads better on *color* (WCAG relative luminance)."""
    r, g, b = (int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#fff"
