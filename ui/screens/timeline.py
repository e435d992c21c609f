"""The Timeline screen: what was on the table by a given day, and what was finally signed."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.geometry import BuiltAtlas
from ui import rules, session
from ui.mapview import MAIN_SPLIT, MapSettings, map_state, show_map
from ui.text import md, md_label

MAP_KEY = "aa_map_timeline"
W_DATE = "w_date"
W_FINAL = "aa_final"
W_JUMP = "w_jump"


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
    choice = session.ss().get(W_JUMP)
    if choice:
        _set_date(choice)


def show(built: BuiltAtlas, settings: MapSettings) -> None:
    ss = session.ss()
    atlas = built.atlas
    theater = ss[session.THEATER]
    events = rules.event_dates(atlas, theater)
    lo, hi = rules.timeline_range(atlas, theater)
    day = ss.get(session.DATE)
    if day is None or not lo <= day <= hi:
        ss[session.DATE] = events[0] if events else lo
    if ss.get(W_DATE) != ss[session.DATE]:
        ss[W_DATE] = ss[session.DATE]

    st.slider(
        "Show what was on the table by",
        min_value=lo,
        max_value=hi,
        key=W_DATE,
        format="D MMM YYYY",
        on_change=_store,
    )
    on: dt.date = ss[session.DATE]
    before, after = rules.step_date(events, on, -1), rules.step_date(events, on, +1)
    if ss.get(W_JUMP) != on:
        ss[W_JUMP] = on if on in events else None
    # one row that wraps: the buttons and the toggle first, the dates after them on the same
    # row where the screen is wide enough, else on rows of their own below
    with st.container(horizontal=True, vertical_alignment="center", key="aa_tl_bar"):
        st.button(
            "◀ previous",
            on_click=_set_date,
            args=(before,),
            disabled=before is None,
            help="The previous day on which a line was proposed or signed",
        )
        st.button(
            "next ▶",
            on_click=_set_date,
            args=(after,),
            disabled=after is None,
            help="The next day on which a line was proposed or signed",
        )
        final = st.toggle("Also show what was finally signed", value=True, key=W_FINAL)
        st.pills(
            "Dates in the record",
            events,
            format_func=lambda d: f"{d:%d %b %Y}",
            key=W_JUMP,
            on_change=_jump,
            label_visibility="collapsed",
            wrap=True,
        )

    layers = rules.timeline_layers(atlas, theater, on, final=final)
    standing = rules.standings(atlas, theater, on)
    left, right = st.columns(MAIN_SPLIT, gap="medium")
    with left:
        state = map_state(built, theater, settings, layers=tuple(layers))
        show_map(built, theater, state, key=MAP_KEY)
    with right:
        st.markdown(f"## By {_fmt(on)}")
        by = {s: [i for i, v in standing.items() if v == s] for s in set(standing.values())}
        _section(built, "On the table", by.get(rules.PROPOSED, []))
        _section(built, "Agreed during the talks", by.get(rules.AGREED, []))
        _section(built, "Signed", by.get(rules.SIGNED, []))
        later = by.get(rules.SIGNED_LATER, [])
        _section(
            built, "Finally signed (later, shown on the map)" if final else "Signed later", later
        )
        _section(
            built,
            "No longer on the table: the signed agreement replaced them",
            by.get(rules.REPLACED, []),
            muted=True,
        )
        _section(built, "Not yet proposed", by.get(rules.NOT_YET, []), muted=True)


def _section(built: BuiltAtlas, title: str, ids: list[str], *, muted: bool = False) -> None:
    if not ids:
        return
    atlas = built.atlas
    st.markdown(f"**{title}** ({len(ids)})")
    ordered = sorted(ids, key=lambda i: (atlas.lines[i].date_iso or "9999", i))
    if muted:
        items = [f"{atlas.lines[i].date_iso} · {md(atlas.lines[i].title)}" for i in ordered]
        st.caption("  \n".join(items))
        return
    for lid in ordered:
        ln = atlas.lines[lid]
        st.button(
            f"{ln.date_iso} · {md_label(ln.title)}",
            key=f"w_tl_{lid}",
            on_click=session.select_and_show,
            args=(lid,),
            type="tertiary",
            help=f"{ln.party_label}, {ln.status}. Open it on the map with its sources.",
        )
