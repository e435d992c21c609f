"""What the screens show, as pure functions of the atlas: layer filters, compare pairs, the
timeline's standings and range, the sequence of positions, and map clicks.

No Streamlit here: the rules are unit-tested directly (tests/test_rules.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from geo.records.model import Atlas, Line
from geo.vocab import group_order
from ui.params import shape_of, theater_dates

# ---------------------------------------------------------------------------------------
# layers


def layer_groups(atlas: Atlas, theater: str) -> list[str]:
    """The groups of *theater*'s records, in legend order (one vocabulary: geo.vocab)."""
    return sorted({ln.group for ln in atlas.lines_in(theater)}, key=group_order)


def shown_layers(
    atlas: Atlas,
    theater: str,
    groups: Sequence[str],
    hidden: Sequence[str] = (),
    always: Sequence[str | None] = (),
) -> tuple[str, ...] | None:
    """Ids to draw given the chosen groups and individually hidden records; *always* (the
    selection) is drawn whatever the filter says. None means "everything"."""
    lines = atlas.lines_in(theater)
    keep = [
        ln.id for ln in lines if (ln.group in groups and ln.id not in hidden) or ln.id in always
    ]
    return None if len(keep) == len(lines) else tuple(keep)


# ---------------------------------------------------------------------------------------
# compare


def comparable(atlas: Atlas, theater: str, first: str | None) -> list[str]:
    """Ids that can be compared with *first* (same theater and shape), *first* excluded."""
    lines = atlas.lines_in(theater)
    if first is None or first not in atlas.lines:
        return [ln.id for ln in lines]
    shape = shape_of(atlas.lines[first].kind)
    return [ln.id for ln in lines if shape_of(ln.kind) == shape and ln.id != first]


def signed_line(atlas: Atlas, theater: str, kind: str = "line") -> Line | None:
    """The line (or zone) finally signed in *theater*: the outcome of that shape."""
    shape = shape_of(kind)
    for ln in atlas.lines_in(theater):
        if ln.record == "outcome" and shape_of(ln.kind) == shape:
            return ln
    return None


def default_pair(atlas: Atlas, theater: str) -> tuple[str, str] | None:
    """The earliest proposed line against the line finally signed (if both exist)."""
    lines = [ln for ln in atlas.lines_in(theater) if shape_of(ln.kind) == "line"]
    signed = signed_line(atlas, theater)
    proposed = [
        ln for ln in atlas.positions(theater) if ln.record == "proposal" and ln.kind == "line"
    ]
    if signed and proposed:
        return proposed[0].id, signed.id
    if len(lines) >= 2:
        return lines[0].id, lines[1].id
    return None


# ---------------------------------------------------------------------------------------
# timeline

NOT_YET, PROPOSED, AGREED, REPLACED, SIGNED, SIGNED_LATER, ALWAYS = (
    "not yet proposed",
    "on the table",
    "agreed during the talks",
    "replaced by the signed agreement",
    "signed",
    "signed later",
    "reference",
)


def signed_day(atlas: Atlas, theater: str) -> dt.date | None:
    days = [ln.day for ln in atlas.lines_in(theater) if ln.record == "outcome" and ln.day]
    return min(days) if days else None


def standing(line: Line, on: dt.date, signed: dt.date | None) -> str:
    """Where *line* stands on day *on*: still to come, on the table, agreed, replaced by the
    signed agreement, signed (or to be signed later), or a reference line."""
    if not line.is_position or line.day is None:
        return ALWAYS
    if line.record == "outcome":
        return SIGNED if line.day <= on else SIGNED_LATER
    if line.day > on:
        return NOT_YET
    if signed is not None and signed <= on:
        return REPLACED
    return AGREED if line.status == "agreed" else PROPOSED


def standings(atlas: Atlas, theater: str, on: dt.date) -> dict[str, str]:
    signed = signed_day(atlas, theater)
    return {ln.id: standing(ln, on, signed) for ln in atlas.lines_in(theater)}


def timeline_layers(atlas: Atlas, theater: str, on: dt.date, *, final: bool) -> list[str]:
    """Ids to draw on day *on*: what was on the table or agreed by then, reference lines, and
    the signed outcome once signed (or always, when *final* asks for it)."""
    shown = {PROPOSED, AGREED, SIGNED, ALWAYS} | ({SIGNED_LATER} if final else set())
    return [lid for lid, s in standings(atlas, theater, on).items() if s in shown]


def event_dates(atlas: Atlas, theater: str) -> list[dt.date]:
    """Distinct dates on which something in *theater* was proposed, agreed or signed."""
    return sorted({ln.day for ln in atlas.positions(theater) if ln.day is not None})


def timeline_range(atlas: Atlas, theater: str) -> tuple[dt.date, dt.date]:
    """The slider's range: the theater's first and last events, a week either side, within
    the theater's own dates (Indochina is not squeezed into Korea's three years)."""
    lo, hi = theater_dates(theater)
    events = event_dates(atlas, theater)
    if not events:
        return lo, hi
    week = dt.timedelta(days=7)
    return max(lo, events[0] - week), min(hi, events[-1] + week)


def step_date(dates: Sequence[dt.date], on: dt.date, step: int) -> dt.date | None:
    """The next (+1) or previous (-1) event date from *on*, or None at either end."""
    if step > 0:
        later = [d for d in dates if d > on]
        return later[0] if later else None
    earlier = [d for d in dates if d < on]
    return earlier[-1] if earlier else None


# ---------------------------------------------------------------------------------------
# map events


#: A drawing has at most this many points (geo.compare refuses more anyway).
MAX_DRAWN_POINTS = 2_000


def drawing(geometry: Any) -> tuple[dict[str, Any] | None, str]:
    """A drawn LineString or Polygon rebuilt from plain numbers, and why not when the browser
    sent something else (another type, wrong nesting, non-numbers, too many points). What is
    kept in the session is always small and well-formed, whatever arrived; a value that is not
    a geometry at all counts as no drawing."""
    if not isinstance(geometry, Mapping):
        return None, ""

    def point(p: Any) -> list[float] | None:
        if (
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p)
        ):
            return [float(p[0]), float(p[1])]
        return None

    def points(ps: Any) -> list[list[float]] | None:
        if not isinstance(ps, list) or not 2 <= len(ps) <= MAX_DRAWN_POINTS:
            return None
        out = [point(p) for p in ps]
        return None if any(p is None for p in out) else out  # type: ignore[return-value]

    kind, coords = geometry.get("type"), geometry.get("coordinates")
    malformed = "not a GeoJSON line or polygon"
    if kind == "LineString":
        line = points(coords)
        return ({"type": "LineString", "coordinates": line}, "") if line else (None, malformed)
    if kind == "Polygon":
        ring = points(coords[0]) if isinstance(coords, list) and len(coords) == 1 else None
        if ring and len(ring) >= 4:
            return {"type": "Polygon", "coordinates": [ring]}, ""
        return None, malformed
    if kind in ("Point", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"):
        return None, f"draw a line or a polygon, not a {kind}"
    return None, malformed


#: At most this many other records are offered for one click (the renderer sends at most 8).
MAX_ALSO = 8


def clicked_also(
    event: Mapping[str, Any] | None, atlas: Atlas, theater: str, chosen: str
) -> tuple[str, ...]:
    """The other records of *theater* under the pointer of a map click (its ``also``), top
    first, without *chosen*; anything else a browser might send is ignored."""
    also = event.get("also") if isinstance(event, Mapping) else None
    if not isinstance(also, list):
        return ()
    out: list[str] = []
    for lid in also[: MAX_ALSO * 4]:
        ok = isinstance(lid, str) and lid in atlas.lines and atlas.lines[lid].theater == theater
        if ok and lid != chosen and lid not in out:
            out.append(lid)
    return tuple(out[:MAX_ALSO])


def clicked_line(event: Mapping[str, Any] | None, atlas: Atlas, theater: str) -> str | None:
    """The record a map click chose (``{"type": "click", "id": …}``), if it is one of
    *theater*'s; anything else a browser might send is ignored."""
    if not isinstance(event, Mapping) or event.get("type") != "click":
        return None
    lid = event.get("id")
    if not isinstance(lid, str) or lid not in atlas.lines:
        return None
    return lid if atlas.lines[lid].theater == theater else None
