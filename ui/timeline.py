"""The Timeline screen: what had been proposed by a given day, and what was finally signed."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ui import session
from ui import state as S
from ui.common import MAIN_SPLIT, MapSettings, map_options, show_map
from ui.panel import SECTION_CSS, md, md_label
from ui.resources import Resources

MAP_KEY = "aa_map_timeline"
W_DATE = "w_date"
W_FINAL = "aa_final"


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _set_date(day: dt.date | None) -> None:
    if day is None:
        return
    session.ss()[W_DATE] = day
    session.ss()[session.DATE] = day


def _store() -> None:
    session.ss()[session.DATE] = session.ss().get(W_DATE)


def _jump() -> None:
    choice = session.ss().get("w_jump")
    if choice:
        _set_date(choice)


def show(res: Resources, settings: MapSettings) -> None:
    ss = session.ss()
    catalog = res.catalog
    theater = ss[session.THEATER]
    events = S.event_dates(catalog, theater)
    if ss.get(session.DATE) is None:
        ss[session.DATE] = events[0] if events else S.DATE_MAX
    if ss.get(W_DATE) != ss[session.DATE]:
        ss[W_DATE] = ss[session.DATE]

    st.slider(
        "Show what had been proposed by",
        min_value=S.DATE_MIN,
        max_value=S.DATE_MAX,
        key=W_DATE,
        format="D MMM YYYY",
        on_change=_store,
    )
    on: dt.date = ss[session.DATE]
    c1, c2, c3, c4 = st.columns([1, 1, 5, 2], vertical_alignment="center")
    c1.button(
        "◀ previous",
        on_click=lambda: _set_date(S.step_date(events, on, -1)),
        disabled=S.step_date(events, on, -1) is None,
        width="stretch",
        help="The previous day on which a line was proposed or signed",
    )
    c2.button(
        "next ▶",
        on_click=lambda: _set_date(S.step_date(events, on, +1)),
        disabled=S.step_date(events, on, +1) is None,
        width="stretch",
        help="The next day on which a line was proposed or signed",
    )
    if ss.get("w_jump") != on:
        ss["w_jump"] = on if on in events else None
    c3.pills(
        "Dates in the record",
        events,
        format_func=lambda d: f"{d:%d %b %Y}",
        key="w_jump",
        on_change=_jump,
        label_visibility="collapsed",
    )
    final = c4.toggle("Also show what was finally signed", value=True, key=W_FINAL)

    layers = S.timeline_layers(catalog, theater, on, final=final)
    standing = {ln.id: S.standing(ln, on) for ln in catalog.lines_in(theater)}
    left, right = st.columns(MAIN_SPLIT, gap="medium")
    with left:
        if layers:
            options = map_options(theater, settings, layers=tuple(layers))
            show_map(res, options, key=MAP_KEY, height=settings.height)
        else:
            st.info("Nothing of this theater had been proposed by then.")
    with right:
        st.html(SECTION_CSS)
        st.markdown(f"## By {_fmt(on)}")
        _section(res, "On the table", [i for i, s in standing.items() if s == S.PROPOSED])
        _section(res, "Signed", [i for i, s in standing.items() if s == S.SIGNED])
        later = [i for i, s in standing.items() if s == S.SIGNED_LATER]
        title = "Finally signed (later, shown on the map)" if final else "Signed later"
        _section(res, title, later)
        _section(
            res,
            "Not yet proposed",
            [i for i, s in standing.items() if s == S.NOT_YET],
            muted=True,
        )


def _section(res: Resources, title: str, ids: list[str], *, muted: bool = False) -> None:
    if not ids:
        return
    catalog = res.catalog
    st.markdown(f"**{title}** ({len(ids)})")
    ordered = sorted(ids, key=lambda i: (catalog.lines[i].date or S.DATE_MAX, i))
    if muted:
        lines = [catalog.lines[i] for i in ordered]
        items = [f"{ln.date:%d %b %Y} · {md(ln.title)}" for ln in lines]
        st.caption("  \n".join(items))
        return
    for lid in ordered:
        ln = catalog.lines[lid]
        when = f"{ln.date:%d %b %Y}" if ln.date else ""
        st.button(
            f"{when} · {md_label(ln.title)}",
            key=f"w_tl_{lid}",
            on_click=session.select_and_show,
            args=(lid,),
            type="tertiary",
            wrap=True,
            help=f"{ln.party_label}, {ln.status}. Open it on the map with its sources.",
        )
