"""The URL as plain data: what a deep link may ask for, checked, with a warning per bad value.

Pure functions of their arguments (no Streamlit), so the rules that decide what a link opens
are unit-tested without a browser. Every value must be short printable ASCII (ids, dates and
numbers are); anything else is refused before it is looked at, so no parameter can be long
enough, or strange enough, to cost work or break a message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from geo.records.model import Atlas
from geo.vocab import THEATERS, theater_label

DEFAULT_THEATER = "korea"
VIEWS = ("map", "compare", "sequence", "timeline", "documents", "present", "sources")
VIEW_LABELS = {
    "map": "Map",
    "compare": "Compare and draw",
    "sequence": "Sequence",
    "timeline": "Timeline",
    "documents": "Documents",
    "present": "Present a story",
    "sources": "Data & sources",
}
#: Older names still understood in links people saved.
VIEW_ALIASES = {"cables": "documents"}
PARAMS = ("theater", "view", "line", "compare", "date", "place", "doc", "pos")
ALIASES = {"cable": "doc"}
MAX_LEN = {"compare": 250}
DEFAULT_MAX_LEN = 120
_PRINTABLE = re.compile(r"^[\x20-\x7e]*$")
_NUMBER = re.compile(r"^[0-9]{1,4}$")


@dataclass(frozen=True)
class ViewState:
    """Everything a deep link can hold."""

    theater: str = DEFAULT_THEATER
    view: str = "map"
    line: str | None = None
    compare: tuple[str, str] | None = None
    date: dt.date | None = None
    place: str | None = None
    doc: str | None = None  # the document open in the Documents screen's reader
    pos: int | None = None  # 0-based position of the sequence screen


@dataclass(frozen=True)
class ParamWarning:
    """A URL parameter that was ignored, and why."""

    param: str
    value: str
    reason: str

    def __str__(self) -> str:
        # shown in a code span: no backtick, no line break (a blank line would end the span)
        value = " ".join(self.value.split())
        if not _PRINTABLE.match(value):  # no control characters, nothing outside ASCII
            value = "".join(c if " " <= c <= "~" else "?" for c in value)
        shown = value if len(value) <= 80 else value[:77] + "..."
        shown = shown.replace("`", "'")
        return f"URL parameter `{self.param}={shown}` ignored: {self.reason}."


def first(value: str | Sequence[str] | None) -> str:
    """The last value of a repeated parameter, stripped (Streamlit may give a list)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = value[-1] if len(value) else ""
    return value.strip()


def read_raw(
    params: Mapping[str, str | Sequence[str]], names: Sequence[str]
) -> tuple[dict[str, str], list[ParamWarning]]:
    """The named parameters as short printable ASCII; others are dropped with a warning."""
    raw: dict[str, str] = {}
    warnings: list[ParamWarning] = []
    for alias, name in ALIASES.items():
        if alias in params and name not in params:
            params = {**params, name: params[alias]}
    for name in names:
        value = first(params.get(name))
        if not value:
            raw[name] = ""
            continue
        limit = MAX_LEN.get(name, DEFAULT_MAX_LEN)
        if len(value) > limit:
            warnings.append(ParamWarning(name, value, f"longer than {limit} characters"))
            value = ""
        elif not _PRINTABLE.match(value):
            warnings.append(ParamWarning(name, value, "only plain ASCII letters and digits"))
            value = ""
        raw[name] = value
    return raw, warnings


def parse_date(text: str) -> dt.date | None:
    """An ISO date ``YYYY-MM-DD``, or None if *text* is not one."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_step(text: str) -> int | None:
    """A 1-based step number as a 0-based index (ASCII digits only), or None."""
    return int(text) - 1 if _NUMBER.match(text) and int(text) >= 1 else None


def theater_dates(theater: str) -> tuple[dt.date, dt.date]:
    t = THEATERS[theater]
    return dt.date.fromisoformat(t.start), dt.date.fromisoformat(t.end)


def parse_params(
    params: Mapping[str, str | Sequence[str]], atlas: Atlas, documents: Mapping[str, str]
) -> tuple[ViewState, list[ParamWarning]]:
    """Turn URL parameters into a valid state; every bad value falls back with a warning.

    *documents* maps every document id a link may open (the atlas's and the visitor's own)
    to its theater ("" when unknown). Unknown parameters are ignored silently (other tools
    add their own). A missing or bad ``theater`` is inferred from a valid ``line``,
    ``compare`` or ``doc``; a missing ``view`` opens the screen the link is about.
    """
    raw, warnings = read_raw(params, PARAMS)

    def warn(param: str, reason: str) -> None:
        warnings.append(ParamWarning(param, raw[param], reason))

    theater: str | None = raw["theater"].lower() or None
    if theater is not None and theater not in THEATERS:
        warn("theater", f"unknown theater; choose {' or '.join(THEATERS)}")
        theater = None
    if theater is None:
        hints = [raw["line"], *raw["compare"].split(",")]
        known = [atlas.lines[h.strip()].theater for h in hints if h.strip() in atlas.lines]
        known += [t for t in [documents.get(raw["doc"], "")] if t]
        day = parse_date(raw["date"]) if raw["date"] else None
        if day is not None:  # a date belongs to the theater whose timeline holds it
            known += [t for t in THEATERS if theater_dates(t)[0] <= day <= theater_dates(t)[1]]
        theater = known[0] if known else DEFAULT_THEATER

    line = _record(raw, "line", atlas, theater, warn)
    compare = _parse_compare(raw["compare"], atlas, theater, warn) if raw["compare"] else None

    date: dt.date | None = None
    if raw["date"]:
        date = parse_date(raw["date"])
        lo, hi = theater_dates(theater)
        if date is None:
            warn("date", "not a date in the form YYYY-MM-DD")
        elif not lo <= date <= hi:
            warn(
                "date", f"outside {lo.isoformat()} … {hi.isoformat()} for {theater_label(theater)}"
            )
            date = None

    place: str | None = raw["place"] or None
    if place is not None:
        if place not in atlas.places:
            warn("place", "no place has this id")
            place = None
        elif atlas.places[place].theater != theater:
            warn("place", f"it is not in {theater_label(theater)}")
            place = None

    doc: str | None = raw["doc"] or None
    if doc is not None and doc not in documents:
        warn("doc", "no document has this id")
        doc = None

    pos = parse_step(raw["pos"]) if raw["pos"] else None
    count = len(atlas.positions(theater))
    if raw["pos"] and pos is None:
        warn("pos", "not a position number (1, 2, 3 …)")
    elif pos is not None and pos >= count:
        warn("pos", f"{theater_label(theater)} has positions 1 to {count}; showing position 1")
        pos = None

    view: str | None = VIEW_ALIASES.get(raw["view"].lower(), raw["view"].lower()) or None
    if view is not None and view not in VIEWS:
        warn("view", f"unknown screen; choose one of {', '.join(VIEWS)}")
        view = None
    if view is None and first(params.get("story")):
        view = "present"  # a story's step link; ui/screens/present.py reads story and step
    if view is None:
        view = (
            "compare" if compare else "timeline" if date else "documents" if raw["doc"] else "map"
        )
    return ViewState(theater, view, line, compare, date, place, doc, pos), warnings


def _record(
    raw: dict[str, str], name: str, atlas: Atlas, theater: str, warn: Callable[[str, str], None]
) -> str | None:
    lid = raw[name] or None
    if lid is None:
        return None
    if lid not in atlas.lines:
        warn(name, "no line or zone has this id")
        return None
    if atlas.lines[lid].theater != theater:
        other = theater_label(atlas.lines[lid].theater)
        warn(name, f"it belongs to {other}, not {theater_label(theater)}")
        return None
    return lid


def _parse_compare(
    text: str, atlas: Atlas, theater: str, warn: Callable[[str, str], None]
) -> tuple[str, str] | None:
    ids = [part.strip() for part in text.split(",")]
    if len(ids) != 2 or not all(ids):
        warn("compare", "give two ids separated by a comma")
        return None
    a, b = ids
    unknown = [i for i in ids if i not in atlas.lines]
    if unknown:
        shown = " ".join(unknown[0].split())[:60].replace("`", "'")
        warn("compare", f"no line or zone has the id `{shown!r}`")
        return None
    if a == b:
        warn("compare", "the two ids are the same")
        return None
    la, lb = atlas.lines[a], atlas.lines[b]
    if la.theater != theater or lb.theater != theater:
        warn("compare", f"both must belong to {theater_label(theater)}")
        return None
    if shape_of(la.kind) != shape_of(lb.kind):
        warn("compare", f"cannot compare a {shape_of(la.kind)} with a {shape_of(lb.kind)}")
        return None
    return a, b


def shape_of(kind: str) -> str:
    """``line`` or ``zone`` (reference lines are lines)."""
    return "zone" if kind == "zone" else "line"


def to_params(state: ViewState) -> dict[str, str]:
    """The canonical URL parameters of *state* (theater always; the rest when set)."""
    out = {"theater": state.theater}
    if state.view != "map":
        out["view"] = state.view
    if state.line:
        out["line"] = state.line
    # each screen's own parameters only: a link then reopens the screen it was copied from
    if state.compare and state.view == "compare":
        out["compare"] = ",".join(state.compare)
    if state.date and state.view == "timeline":
        out["date"] = state.date.isoformat()
    if state.place:
        out["place"] = state.place
    if state.doc and state.view == "documents":
        out["doc"] = state.doc
    if state.pos is not None and state.view == "sequence":
        out["pos"] = str(state.pos + 1)
    return out
