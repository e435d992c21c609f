"""Session state glue: URL in once per session, URL out after every run, shared callbacks.

Widgets that are not drawn in a run lose their value in Streamlit, so every value that must
survive a change of screen lives in a plain ``aa_*`` key and widgets are re-seeded from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from ui import state as S

# plain (non-widget) keys
LINE = "aa_line"
COMPARE = "aa_compare"
DATE = "aa_date"
PLACE = "aa_place"
CABLE = "aa_cable"  # the document open in the Cables screen's reader
FOCUS = "aa_focus"  # (lat, lon, zoom | None) the map is centred on, or None
WARNINGS = "aa_param_warnings"
WARN_STATE = "aa_param_state"
LAST_MAP = "aa_last_map"  # the MapOptions of the last map drawn (for tests and the bench)
# widget keys
THEATER = "aa_theater"
VIEW = "aa_view"
PICK = "aa_pick"


def ss() -> Any:
    return st.session_state


def init(catalog: S.Catalog) -> None:
    """Seed the session from the URL on its first run (later runs keep what the user did)."""
    if "aa_init" in ss():
        return
    params: Mapping[str, str] = st.query_params.to_dict()
    view, warnings = S.parse_params(params, catalog)
    ss()[THEATER] = view.theater
    ss()[VIEW] = view.view
    ss()[LINE] = view.line
    ss()[COMPARE] = view.compare
    ss()[DATE] = view.date
    ss()[PLACE] = None
    ss()[FOCUS] = None
    ss()[CABLE] = view.cable
    if view.place:
        fly_to(catalog, view.place)
    ss()[WARNINGS] = [str(w) for w in warnings]
    ss()[WARN_STATE] = current()
    ss()["aa_init"] = True


def current() -> S.ViewState:
    return S.ViewState(
        theater=ss()[THEATER],
        view=ss()[VIEW],
        line=ss().get(LINE),
        compare=ss().get(COMPARE),
        date=ss().get(DATE),
        place=ss().get(PLACE),
        cable=ss().get(CABLE),
    )


def param_warnings() -> list[str]:
    """The URL warnings, shown until the user changes what the link asked for."""
    if current() != ss().get(WARN_STATE):
        return []
    return list(ss().get(WARNINGS, []))


def write_params() -> None:
    """Keep the address bar in step with the view (only when something changed).

    Parameters that are not the app's (e.g. a story link's ``story``/``step``) are kept.
    """
    now = st.query_params.to_dict()
    wanted = {k: v for k, v in now.items() if k not in S.PARAMS} | S.to_params(current())
    if now != wanted:
        st.query_params.from_dict(wanted)


# ---------------------------------------------------------------------------------------
# callbacks (run before the script, so widgets drawn later see the new values)


def on_theater_change() -> None:
    # ids are per theater: whatever named a record or place of the old one goes
    ss()[LINE] = None
    ss()[COMPARE] = None
    ss()[PLACE] = None
    ss()[FOCUS] = None
    ss()[DATE] = None
    ss()[PICK] = None
    for key in [k for k in ss() if str(k).startswith(("aa_fly_", "w_cmp_", "w_date"))]:
        del ss()[key]


def select(line_id: str | None) -> None:
    ss()[LINE] = line_id
    ss()[PICK] = line_id


def select_and_show(line_id: str) -> None:
    """Select a record and open the map screen on it."""
    select(line_id)
    ss()[VIEW] = "map"


def fly_to(catalog: S.Catalog, place_id: str) -> None:
    place = catalog.places.get(place_id)
    if place is None:
        return
    ss()[PLACE] = place_id
    ss()[FOCUS] = (place.lat, place.lon, S.PLACE_ZOOM)


def reset_view() -> None:
    ss()[PLACE] = None
    ss()[FOCUS] = None
    for key in [k for k in ss() if str(k).startswith("aa_fly_")]:
        del ss()[key]  # un-press the place buttons


def on_map_click(catalog: S.Catalog, key: str) -> None:
    """A click on the map: select the record under it and keep it in view."""
    line_id, point = S.clicked_line(ss().get(key), catalog, ss()[THEATER])
    if line_id is None or line_id == ss().get(LINE):
        return
    select(line_id)
    if point is not None:
        focus = ss().get(FOCUS)
        zoom = focus[2] if focus else None
        ss()[FOCUS] = (point[0], point[1], zoom)
        ss()[PLACE] = None
