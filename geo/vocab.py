"""The project's one vocabulary: theaters, parties, statuses, kinds and the names users see.

Records, the validator, the maps, the handout and the app all take their words from here, so a
group is called the same thing in the sidebar, the map's layer control, the legend and the
handout. Nothing here reads files or imports another module of the project.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CONFIDENCE",
    "COUNTRY_NAMES",
    "DOCUMENT_KINDS",
    "KINDS",
    "PARTIES",
    "PLACE_KINDS",
    "RECORDS",
    "STATUSES",
    "THEATERS",
    "Party",
    "Theater",
    "group_label",
    "group_of",
    "group_order",
    "party_label",
    "party_short",
    "theater_label",
]


@dataclass(frozen=True)
class Theater:
    """One negotiation's map: where it is and what it is called."""

    id: str
    label: str
    bbox: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max
    start: str  # first day of its timeline (ISO)
    end: str  # last day


THEATERS: dict[str, Theater] = {
    "korea": Theater(
        "korea", "Korea 1951–53", (124.0, 33.0, 131.5, 43.2), "1951-07-01", "1953-07-31"
    ),
    "indochina": Theater(
        "indochina",
        "Indochina 1954 (with Laos)",
        (97.0, 8.0, 110.5, 24.0),
        "1954-03-01",
        "1954-07-31",
    ),
}


@dataclass(frozen=True)
class Party:
    """Who put a line forward: full name, short name (buttons, tables) and map colour."""

    id: str
    label: str
    short: str
    color: str  # Okabe-Ito (colour-blind safe); the dash pattern carries the status


PARTIES: dict[str, Party] = {
    p.id: p
    for p in (
        Party(
            "communist", "Korean People's Army / Chinese People's Volunteers", "KPA/CPV", "#D55E00"
        ),
        Party("un", "United Nations Command", "UN Command", "#0072B2"),
        Party("drv", "Democratic Republic of Vietnam", "DRV", "#D55E00"),
        Party("prc", "People's Republic of China", "PRC", "#E69F00"),
        Party("france", "France", "France", "#0072B2"),
        Party("us-uk", "United States and United Kingdom", "US/UK", "#CC79A7"),
        Party("both", "Both sides (agreed or signed)", "Both sides", "#000000"),
        Party("none", "Reference (no party)", "–", "#7F7F7F"),
    )
}

#: status -> how it is drawn, in words (legend, handout, text alternative)
STATUSES: dict[str, str] = {
    "proposed": "proposed (dashed)",
    "fallback": "fallback (dotted)",
    "agreed": "agreed or signed (solid)",
    "reference": "reference parallel (fine grey dots)",
}
KINDS = ("line", "zone", "reference")
RECORDS = ("proposal", "outcome")
PLACE_KINDS = (
    "town",
    "region",
    "river",
    "pass",
    "bridge",
    "river-mouth",
    "border-crossing",
    "waypoint",
)
CONFIDENCE = ("high", "medium", "low")
#: What an archival source is (``data/documents/<id>.yaml`` ``kind``).
DOCUMENT_KINDS = (
    "cable",
    "telegram",
    "memorandum",
    "minutes",
    "agreement",
    "report",
    "letter",
    "statement",
)


#: Modern country names, for orientation only (the basemap has today's borders).
COUNTRY_NAMES = {
    "CHN": "CHINA",
    "KOR": "SOUTH KOREA",
    "PRK": "NORTH KOREA",
    "RUS": "RUSSIA",
    "JPN": "JAPAN",
    "VNM": "VIETNAM",
    "KHM": "CAMBODIA",
    "LAO": "LAOS",
    "THA": "THAILAND",
    "MMR": "MYANMAR",
}


def theater_label(theater: str) -> str:
    return THEATERS[theater].label if theater in THEATERS else theater


def party_label(party: str) -> str:
    return PARTIES[party].label if party in PARTIES else party


def party_short(party: str) -> str:
    return PARTIES[party].short if party in PARTIES else party


# ---------------------------------------------------------------------------------------
# layer groups: one name per group, everywhere

_SIGNED, _AGREED, _REFERENCE = "signed", "agreed-talks", "reference"


def group_of(*, record: str, status: str, party: str) -> str:
    """The group a record is shown in (map layer control, sidebar, legend, handout)."""
    if status == "reference":
        return _REFERENCE
    if record == "outcome":
        return _SIGNED
    if status == "agreed":
        return _AGREED
    return f"party-{party}"


def group_label(group: str) -> str:
    if group == _SIGNED:
        return "Signed in the final agreement"
    if group == _AGREED:
        return "Agreed during the talks"
    if group == _REFERENCE:
        return "Reference lines (parallels, roads)"
    return f"Proposed by {party_short(group.removeprefix('party-'))}"


def group_order(group: str) -> tuple[int, int, str]:
    """Signed first, then agreed, then the parties in vocabulary order, references last."""
    parties = list(PARTIES)
    if group == _SIGNED:
        return (0, 0, group)
    if group == _AGREED:
        return (1, 0, group)
    if group == _REFERENCE:
        return (3, 0, group)
    party = group.removeprefix("party-")
    return (2, parties.index(party) if party in parties else len(parties), group)
