"""Session state glue: the URL in once per session, the URL out after every run, callbacks.

Widgets that are not drawn in a run lose their value in Streamlit, so every value that must
survive a change of screen lives in a plain ``aa_*`` key, and widgets are seeded from it.
Callbacks run before the script, so the widgets drawn afterwards see what they set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from geo.records.model import Atlas
from ui import params as P

# plain (non-widget) keys
LINE = "aa_line"
COMPARE = "aa_compare"
DATE = "aa_date"
PLACE = "aa_place"
DOC = "aa_doc"  # the document open in the Documents screen's reader
POS = "aa_seq_pos"  # the sequence screen's position (0-based)
VIEW_ID = "aa_view_id"  # changes whenever the app (not the user) moves the map
FOCUS = "aa_focus"  # what the map was last sent to: ("line", id) | ("place", id) | None
WARNINGS = "aa_param_warnings"
WARN_STATE = "aa_param_state"
HANDLED = "aa_map_handled"  # map key -> (frame instance, seq) of the last event handled
LAST_MAP = "aa_last_map"  # the state of the last map drawn (for tests and the bench)
DOCS = "aa_docs"  # the visitor's own documents (ui.library.AddedDoc by key)
TOKEN = "aa_operator_token"
# widget keys
THEATER = "aa_theater"
VIEW = "aa_view"
PICK = "aa_pick"
ALSO = "aa_also"  # (selected id, the other ids under the pointer of the click that chose it)


def ss() -> Any:
    return st.session_state


def ready() -> bool:
    """Has this session read its URL yet?"""
    return "aa_init" in ss()


def init(atlas: Atlas, documents: Mapping[str, str]) -> None:
    """Seed the session from the URL on its first run (later runs keep what the user did)."""
    if "aa_init" in ss():
        return
    view, warnings = P.parse_params(st.query_params.to_dict(), atlas, documents)
    ss()[THEATER] = view.theater
    ss()[VIEW] = view.view
    ss()[LINE] = view.line
    ss()[COMPARE] = view.compare
    ss()[DATE] = view.date
    ss()[PLACE] = view.place
    ss()[DOC] = view.doc
    ss()[POS] = view.pos
    ss()[VIEW_ID] = 0
    ss()[FOCUS] = (
        ("place", view.place) if view.place else ("line", view.line) if view.line else None
    )
    ss().setdefault(DOCS, {})
    ss()[WARNINGS] = [str(w) for w in warnings]
    ss()[WARN_STATE] = current()
    ss()["aa_init"] = True


def current() -> P.ViewState:
    return P.ViewState(
        theater=ss()[THEATER],
        view=ss()[VIEW],
        line=ss().get(LINE),
        compare=ss().get(COMPARE),
        date=ss().get(DATE),
        place=ss().get(PLACE),
        doc=ss().get(DOC),
        pos=ss().get(POS),
    )


def param_warnings() -> list[str]:
    """The URL warnings, shown until the user changes what the link asked for."""
    if current() != ss().get(WARN_STATE):
        return []
    return list(ss().get(WARNINGS, []))


def write_params() -> None:
    """Keep the address bar in step with the view (only when something changed).

    Parameters that are not the app's (e.g. a story link's ``story``) are kept.
    """
    now = st.query_params.to_dict()
    mine = set(P.PARAMS) | set(P.ALIASES)
    wanted = {k: v for k, v in now.items() if k not in mine} | P.to_params(current())
    if now != wanted:
        st.query_params.from_dict(wanted)


def move_map(focus: tuple[str, str] | None) -> None:
    """Send the map to *focus* on its next draw (the user's own panning is never undone
    otherwise: the renderer applies a view only when its id changes)."""
    ss()[FOCUS] = focus
    ss()[VIEW_ID] = int(ss().get(VIEW_ID) or 0) + 1


# ---------------------------------------------------------------------------------------
# callbacks


def on_theater_change() -> None:
    # ids are per theater: whatever named a record or place of the old one goes
    ss()[LINE] = None
    ss()[COMPARE] = None
    ss()[PLACE] = None
    ss()[DATE] = None
    ss()[POS] = None
    ss()[PICK] = None
    move_map(None)
    for key in [k for k in ss() if str(k).startswith(("aa_fly_", "w_cmp_", "w_date"))]:
        del ss()[key]


def select(line_id: str | None, *, zoom: bool = True) -> None:
    ss()[LINE] = line_id
    ss()[PICK] = line_id
    ss()[PLACE] = None
    ss()[ALSO] = None
    if zoom:
        move_map(("line", line_id) if line_id else None)


def select_at_spot(line_id: str, others: tuple[str, ...]) -> None:
    """Select a record clicked on the map, remembering the others under the pointer (the
    view stays where the user put it)."""
    select(line_id, zoom=False)
    ss()[ALSO] = (line_id, others) if others else None


def switch_at_spot(chosen: str) -> None:
    """The reader chose another record of the spot last clicked."""
    spot = ss().get(ALSO)
    here = [spot[0], *spot[1]] if spot else []
    if chosen in here:
        select_at_spot(chosen, tuple(i for i in here if i != chosen))


def select_and_show(line_id: str) -> None:
    """Select a record and open the map screen on it."""
    select(line_id)
    ss()[VIEW] = "map"


def fly_to(place_id: str) -> None:
    ss()[PLACE] = place_id or None
    move_map(("place", place_id) if place_id else None)


def reset_view() -> None:
    ss()[PLACE] = None
    move_map(None)
    for key in [k for k in ss() if str(k).startswith("aa_fly_")]:
        del ss()[key]  # un-press the place buttons
