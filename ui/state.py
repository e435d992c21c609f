"""What the app shows, as plain data: URL parameters in and out, timeline and click logic.

Everything here is a pure function of its arguments (no Streamlit), so the rules that decide
what a deep link opens are unit-tested without a browser. The app turns ``st.query_params``
into a :class:`ViewState` with :func:`parse_params` once per session and writes
:func:`to_params` back after every run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

THEATERS = ("korea", "indochina")
THEATER_LABELS = {"korea": "Korea 1951–53", "indochina": "Indochina 1954 (with Laos)"}
DEFAULT_THEATER = "korea"
VIEWS = ("map", "compare", "timeline", "cables", "present", "sources")
VIEW_LABELS = {
    "map": "Map",
    "compare": "Compare two lines",
    "timeline": "Timeline",
    "cables": "Cables",
    "present": "Present a story",
    "sources": "Data & sources",
}
DATE_MIN = dt.date(1951, 7, 1)
DATE_MAX = dt.date(1954, 7, 31)
#: Zoom used when the map flies to a place.
PLACE_ZOOM = 9
#: Short party names for buttons (the long ones come from geo.records.PARTIES).
PARTY_SHORT = {
    "communist": "KPA / CPV",
    "un": "UN Command",
    "drv": "DRV",
    "prc": "PRC",
    "france": "France",
    "both": "both sides",
}
PARAMS = ("theater", "view", "line", "compare", "date", "place", "cable")


@dataclass(frozen=True)
class LineInfo:
    """What the UI needs to know about a record without touching its geometry."""

    id: str
    title: str
    theater: str
    shape: str  # "line" or "zone" (reference parallels are lines)
    status: str
    record: str  # "proposal" | "outcome"
    party: str
    party_label: str
    date: dt.date | None


@dataclass(frozen=True)
class PlaceInfo:
    id: str
    name: str
    label: str
    theater: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Catalog:
    """Ids, theaters and dates of every record and place: enough to validate a URL."""

    lines: Mapping[str, LineInfo]
    places: Mapping[str, PlaceInfo] = field(default_factory=dict)
    #: cable / document id -> its theater ("" when unknown), for ``cable`` links
    cables: Mapping[str, str] = field(default_factory=dict)

    def lines_in(self, theater: str) -> list[LineInfo]:
        """Records of *theater*, signed first, then by date and id (references last)."""
        return sorted(
            (ln for ln in self.lines.values() if ln.theater == theater),
            key=lambda ln: (_rank(ln), ln.date or DATE_MAX, ln.id),
        )


def _rank(line: LineInfo) -> int:
    if line.status == "reference":
        return 2
    return 0 if line.record == "outcome" else 1


def layer_group(line: LineInfo) -> str:
    """The legend group a record belongs to (signed, proposed by a party, reference)."""
    if line.status == "reference":
        return "Reference parallels"
    if line.record == "outcome":
        return "Signed"
    if line.status == "agreed":
        return "Agreed during the talks"
    return f"Proposed by {PARTY_SHORT.get(line.party, line.party_label)}"


def layer_groups(catalog: Catalog, theater: str) -> list[str]:
    return list(dict.fromkeys(layer_group(ln) for ln in catalog.lines_in(theater)))


def shown_layers(
    catalog: Catalog,
    theater: str,
    groups: Sequence[str],
    hidden: Sequence[str] = (),
    always: Sequence[str | None] = (),
) -> tuple[str, ...] | None:
    """Ids to draw given the chosen groups and individually hidden records; *always* (the
    selection) is drawn whatever the filter says. None means "everything"."""
    ids = [ln.id for ln in catalog.lines_in(theater)]
    keep = [
        ln.id
        for ln in catalog.lines_in(theater)
        if (layer_group(ln) in groups and ln.id not in hidden) or ln.id in always
    ]
    return None if keep == ids else tuple(keep)


def catalog_from_atlas(atlas: Any, built: Mapping[str, Any]) -> Catalog:
    """Build the catalog from a :class:`geo.Atlas` and :func:`geo.build_all` result."""
    lines = {
        ln.id: LineInfo(
            id=ln.id,
            title=ln.title,
            theater=ln.theater,
            shape="line" if built[ln.id].is_line else "zone",
            status=ln.status,
            record=ln.record,
            party=ln.party,
            party_label=ln.party_label,
            date=dt.date.fromisoformat(ln.date_iso) if ln.date_iso else None,
        )
        for ln in atlas.lines.values()
    }
    places = {
        p.id: PlaceInfo(p.id, p.name, p.label, p.theater, p.lat, p.lon)
        for p in atlas.places.values()
    }
    cables = {c.id: c.theater for c in atlas.cables.values()}
    return Catalog(lines, places, cables)


@dataclass(frozen=True)
class ViewState:
    """Everything a deep link can hold."""

    theater: str = DEFAULT_THEATER
    view: str = "map"
    line: str | None = None
    compare: tuple[str, str] | None = None
    date: dt.date | None = None
    place: str | None = None
    cable: str | None = None  # the document open in the Cables screen's reader


@dataclass(frozen=True)
class ParamWarning:
    """A URL parameter that was ignored, and why."""

    param: str
    value: str
    reason: str

    def __str__(self) -> str:
        # the value is shown in a code span: no backtick, and no line break (a blank line
        # would end the span and the rest of the value would be read as markdown)
        value = " ".join(self.value.split())
        shown = value if len(value) <= 80 else value[:77] + "..."
        shown = shown.replace("`", "'")
        return f"URL parameter `{self.param}={shown}` ignored: {self.reason}."


def _first(value: str | Sequence[str] | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        value = value[-1] if len(value) else ""
    return value.strip()


def parse_date(text: str) -> dt.date | None:
    """An ISO date ``YYYY-MM-DD``, or None if *text* is not one."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_params(
    params: Mapping[str, str | Sequence[str]], catalog: Catalog
) -> tuple[ViewState, list[ParamWarning]]:
    """Turn URL parameters into a valid state; every bad value falls back with a warning.

    Unknown parameters are ignored silently (other tools add their own). A missing or bad
    ``theater`` is inferred from a valid ``line`` or ``compare`` id; a missing ``view``
    opens the screen the link is about (compare, then timeline, then map).
    """
    raw = {k: _first(params.get(k)) for k in PARAMS}
    warnings: list[ParamWarning] = []

    def warn(param: str, reason: str) -> None:
        warnings.append(ParamWarning(param, raw[param], reason))

    theater: str | None = raw["theater"].lower() or None
    if theater is not None and theater not in THEATERS:
        warn("theater", f"unknown theater; choose {' or '.join(THEATERS)}")
        theater = None
    if theater is None:
        hints = [raw["line"], *raw["compare"].split(",")]
        known = [catalog.lines[h.strip()].theater for h in hints if h.strip() in catalog.lines]
        known += [t for t in [catalog.cables.get(raw["cable"])] if t]
        theater = known[0] if known else DEFAULT_THEATER

    line: str | None = raw["line"] or None
    if line is not None:
        if line not in catalog.lines:
            warn("line", "no line or zone has this id")
            line = None
        elif catalog.lines[line].theater != theater:
            other = THEATER_LABELS[catalog.lines[line].theater]
            warn("line", f"it belongs to {other}, not {THEATER_LABELS[theater]}")
            line = None

    compare = _parse_compare(raw["compare"], catalog, theater, warn) if raw["compare"] else None

    date: dt.date | None = None
    if raw["date"]:
        date = parse_date(raw["date"])
        if date is None:
            warn("date", "not a date in the form YYYY-MM-DD")
        elif not DATE_MIN <= date <= DATE_MAX:
            warn("date", f"outside {DATE_MIN.isoformat()} … {DATE_MAX.isoformat()}")
            date = None

    place: str | None = raw["place"] or None
    if place is not None:
        if place not in catalog.places:
            warn("place", "no place has this id")
            place = None
        elif catalog.places[place].theater != theater:
            warn("place", f"it is not in {THEATER_LABELS[theater]}")
            place = None

    cable: str | None = raw["cable"] or None
    if cable is not None and cable not in catalog.cables:
        warn("cable", "no cable or added document has this id")
        cable = None

    view: str | None = raw["view"].lower() or None
    if view is not None and view not in VIEWS:
        warn("view", f"unknown screen; choose one of {', '.join(VIEWS)}")
        view = None
    if view is None and _first(params.get("story")):
        view = "present"  # a story's step link; ui/present.py reads story and step
    if view is None:
        view = "compare" if compare else "timeline" if date else "cables" if raw["cable"] else "map"

    state = ViewState(theater, view, line, compare, date, place, cable)
    return state, warnings


def _parse_compare(text: str, catalog: Catalog, theater: str, warn: Any) -> tuple[str, str] | None:
    ids = [part.strip() for part in text.split(",")]
    if len(ids) != 2 or not all(ids):
        warn("compare", "give two ids separated by a comma")
        return None
    a, b = ids
    unknown = [i for i in ids if i not in catalog.lines]
    if unknown:
        shown = " ".join(unknown[0].split())[:60].replace("`", "'")
        warn("compare", f"no line or zone has the id `{shown!r}`")  # as text, like the value
        return None
    if a == b:
        warn("compare", "the two ids are the same")
        return None
    la, lb = catalog.lines[a], catalog.lines[b]
    if la.theater != theater or lb.theater != theater:
        warn("compare", f"both must belong to {THEATER_LABELS[theater]}")
        return None
    if la.shape != lb.shape:
        warn("compare", f"cannot compare a {la.shape} with a {lb.shape}")
        return None
    return a, b


def to_params(state: ViewState) -> dict[str, str]:
    """The canonical URL parameters of *state* (theater always; the rest when set)."""
    out = {"theater": state.theater}
    if state.view != "map":
        out["view"] = state.view
    if state.line:
        out["line"] = state.line
    if state.compare:
        out["compare"] = ",".join(state.compare)
    if state.date:
        out["date"] = state.date.isoformat()
    if state.place:
        out["place"] = state.place
    if state.cable and state.view == "cables":
        out["cable"] = state.cable
    return out


# ---------------------------------------------------------------------------------------
# compare


def comparable(catalog: Catalog, theater: str, first: str | None) -> list[str]:
    """Ids that can be compared with *first* (same theater and shape), *first* excluded."""
    lines = catalog.lines_in(theater)
    if first is None or first not in catalog.lines:
        return [ln.id for ln in lines]
    shape = catalog.lines[first].shape
    return [ln.id for ln in lines if ln.shape == shape and ln.id != first]


def default_pair(catalog: Catalog, theater: str) -> tuple[str, str] | None:
    """The earliest proposed line against the line finally signed (if both exist)."""
    lines = [ln for ln in catalog.lines_in(theater) if ln.shape == "line"]
    signed = [ln for ln in lines if ln.record == "outcome"]
    proposed = sorted(
        (ln for ln in lines if ln.record == "proposal" and ln.status != "reference"),
        key=lambda ln: (ln.date or DATE_MAX, ln.id),
    )
    if signed and proposed:
        return proposed[0].id, signed[0].id
    if len(lines) >= 2:
        return lines[0].id, lines[1].id
    return None


# ---------------------------------------------------------------------------------------
# timeline

#: How a record stands on a given day.
NOT_YET, PROPOSED, SIGNED, SIGNED_LATER, ALWAYS = (
    "not yet proposed",
    "on the table",
    "signed",
    "signed later",
    "reference",
)


def standing(line: LineInfo, on: dt.date) -> str:
    """Where *line* stands on day *on*: proposed by then, signed, or still to come."""
    if line.status == "reference" or line.date is None:
        return ALWAYS
    if line.record == "outcome":
        return SIGNED if line.date <= on else SIGNED_LATER
    return PROPOSED if line.date <= on else NOT_YET


def timeline_layers(catalog: Catalog, theater: str, on: dt.date, *, final: bool) -> list[str]:
    """Ids to draw on day *on*: everything proposed by then, reference parallels, and the
    signed outcome once signed (or always, when *final* asks for what was finally signed)."""
    shown = {PROPOSED, SIGNED, ALWAYS} | ({SIGNED_LATER} if final else set())
    return [ln.id for ln in catalog.lines_in(theater) if standing(ln, on) in shown]


def event_dates(catalog: Catalog, theater: str) -> list[dt.date]:
    """Distinct dates on which something in *theater* was proposed or signed."""
    return sorted({ln.date for ln in catalog.lines_in(theater) if ln.date is not None})


def step_date(dates: Sequence[dt.date], on: dt.date, step: int) -> dt.date | None:
    """The next (+1) or previous (-1) event date from *on*, or None at either end."""
    if step > 0:
        later = [d for d in dates if d > on]
        return later[0] if later else None
    earlier = [d for d in dates if d < on]
    return earlier[-1] if earlier else None


# ---------------------------------------------------------------------------------------
# map clicks


def clicked_line(
    value: Mapping[str, Any] | None, catalog: Catalog, theater: str
) -> tuple[str | None, tuple[float, float] | None]:
    """The record id and click position from an ``st_folium`` return value.

    ``last_active_drawing`` is the GeoJSON of the clicked layer (its properties carry the
    record id); clicks on place markers, the basemap or another theater's ids give None.
    """
    if not value:
        return None, None
    feature = value.get("last_active_drawing") or {}
    props = feature.get("properties") or {} if isinstance(feature, Mapping) else {}
    lid = props.get("id") if isinstance(props, Mapping) else None
    if not isinstance(lid, str) and isinstance(feature, Mapping):
        lid = feature.get("id")
    if not isinstance(lid, str) or lid not in catalog.lines:
        return None, None
    if catalog.lines[lid].theater != theater:
        return None, None
    where = value.get("last_object_clicked")
    point = None
    if isinstance(where, Mapping):
        lat, lng = where.get("lat"), where.get("lng")
        if isinstance(lat, int | float) and isinstance(lng, int | float):
            point = (float(lat), float(lng))
    return lid, point


# ---------------------------------------------------------------------------------------
# corpus location


def corpus_dir(
    argv: Sequence[str], env: Mapping[str, str], app_dir: Path
) -> tuple[Path | None, str]:
    """Where the full cable texts are, and how we know: ``--corpus DIR`` after ``--``
    on the command line, else ``$ARMISTICE_CORPUS``, else ``<repo>/../shared/corpus``."""
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--corpus" and i + 1 < len(args):
            return Path(args[i + 1]).expanduser(), "--corpus"
        if arg.startswith("--corpus="):
            return Path(arg.split("=", 1)[1]).expanduser(), "--corpus"
    if "ARMISTICE_CORPUS" in env:
        value = env["ARMISTICE_CORPUS"].strip()
        return (Path(value).expanduser() if value else None), "ARMISTICE_CORPUS"
    default = app_dir.parent / "shared" / "corpus"
    return (default if default.is_dir() else None), "default"


def data_dir(env: Mapping[str, str] = os.environ) -> Path | None:
    """An alternative data folder (``$ARMISTICE_DATA``), e.g. for a historian's draft."""
    value = env.get("ARMISTICE_DATA", "").strip()
    return Path(value).expanduser() if value else None
