"""The Sequence screen: a negotiation position by position, each from its document.

The positions of a theater in date order (:meth:`geo.Atlas.positions`): the current one bold,
the earlier ones faded, the later ones not yet drawn; buttons, ← →, and a play control step
through them. Beside the map: who proposed what, when, the document's own words (with its
citation and address), and the gap to the line finally signed (the land between them, km²).
Every step has its own link (``?view=sequence&theater=…&pos=n``).
"""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from geo.compare import compare
from geo.errors import AtlasError
from geo.geometry import BuiltAtlas
from geo.outputs.webmap import bounds_of, date_label
from geo.records.model import Line
from geo.vocab import theater_label
from ui import session
from ui.mapview import MAIN_SPLIT, MapSettings, map_state, show_map
from ui.panel import archive_links, passage
from ui.params import shape_of
from ui.resources import Corpus, built_for
from ui.tables import html_table
from ui.text import esc, md, md_label

MAP_KEY = "aa_map_sequence"
PLAYING = "aa_seq_playing"
LAST_TICK = "aa_seq_tick"
PLAY_SECONDS = 4.0
K_PREV, K_NEXT, K_FIRST, K_LAST, K_PLAY = (
    "aa_seq_prev",
    "aa_seq_next",
    "aa_seq_first",
    "aa_seq_last",
    "aa_seq_play",
)


@st.cache_resource(show_spinner=False, max_entries=256)
def gap_km2(data_dir: str, theater: str, line_id: str) -> tuple[str, float] | None:
    """The signed record this position is measured against, and the land between them."""
    built = built_for(data_dir, theater)
    target = counterpart(built, line_id)
    if target is None or target == line_id:
        return None
    try:
        return target, compare(built, line_id, target).area_between_km2
    except AtlasError:
        return None


def counterpart(built: BuiltAtlas, line_id: str) -> str | None:
    """The outcome a position is compared with: the signed line for a line; for a zone, the
    signed zone it overlaps most (the Laos provinces, the Haiphong perimeter …)."""
    line = built.atlas.lines[line_id]
    signed = [
        ln
        for ln in built.lines_in(line.theater)
        if ln.record == "outcome" and shape_of(ln.kind) == shape_of(line.kind)
    ]
    if not signed:
        return None
    if shape_of(line.kind) == "line":
        return signed[0].id
    geom = built[line_id].geometry
    overlaps = [(built[ln.id].geometry.intersection(geom).area, ln.id) for ln in signed]
    best = max(overlaps)
    return best[1] if best[0] > 0 else None


def positions(built: BuiltAtlas, theater: str) -> list[Line]:
    return built.atlas.positions(theater)


def _go(index: int) -> None:
    session.ss()[session.POS] = index
    session.move_map(None)


def _move(delta: int, count: int) -> None:
    step = int(session.ss().get(session.POS) or 0)
    _go(min(max(step + delta, 0), count - 1))


def _toggle_play() -> None:
    ss = session.ss()
    ss[PLAYING] = not ss.get(PLAYING)
    ss[LAST_TICK] = time.monotonic()


def _on_map_event(count: int) -> Any:
    def handle(event: dict[str, Any]) -> None:
        key = event.get("type") == "key" and event.get("key")
        moves = {"ArrowRight": 1, "PageDown": 1, "ArrowLeft": -1, "PageUp": -1}
        if key in moves:
            _move(moves[key], count)
        elif key == "Home":
            _go(0)
        elif key == "End":
            _go(count - 1)

    return handle


def show(built: BuiltAtlas, corpus: Corpus, settings: MapSettings, data_dir: str) -> None:
    ss = session.ss()
    theater = ss[session.THEATER]
    steps = positions(built, theater)
    if not steps:
        st.info("This theater has no positions yet.")
        return
    count = len(steps)
    index = ss.get(session.POS)
    if not isinstance(index, int) or not 0 <= index < count:
        index = ss[session.POS] = 0
    current = steps[index]

    _player(count)
    st.markdown(f"## {md_label(theater_label(theater))}: the negotiation, position by position")
    with st.container(horizontal=True, vertical_alignment="center", key="aa_seq_bar"):
        st.html(
            f'<div class="aa-counter" role="status">{index + 1} / {count}</div>', width="content"
        )
        st.button(
            "First",
            key=K_FIRST,
            icon=":material/first_page:",
            shortcut="Home",
            on_click=_go,
            args=(0,),
            disabled=index == 0,
        )
        st.button(
            "Previous",
            key=K_PREV,
            icon=":material/arrow_back:",
            shortcut="Left",
            on_click=_move,
            args=(-1, count),
            disabled=index == 0,
        )
        st.button(
            "Next",
            key=K_NEXT,
            icon=":material/arrow_forward:",
            icon_position="right",
            shortcut="Right",
            type="primary",
            on_click=_move,
            args=(1, count),
            disabled=index == count - 1,
        )
        st.button(
            "Last",
            key=K_LAST,
            icon=":material/last_page:",
            icon_position="right",
            shortcut="End",
            on_click=_go,
            args=(count - 1,),
            disabled=index == count - 1,
        )
        st.button(
            "Pause" if ss.get(PLAYING) else "Play",
            key=K_PLAY,
            icon=":material/pause:" if ss.get(PLAYING) else ":material/play_arrow:",
            on_click=_toggle_play,
            help=f"Step on every {PLAY_SECONDS:g} seconds",
        )

    layers = tuple(ln.id for ln in steps[: index + 1])
    left, right = st.columns(MAIN_SPLIT, gap="medium")
    with left:
        shown = [built[lid].geometry for lid in layers]
        state = map_state(
            built,
            theater,
            settings,
            layers=layers,
            selected=current.id,
            view={"bounds": bounds_of(shown)},
            view_id=f"seq{index}",
            keys=True,
        )
        show_map(built, theater, state, key=MAP_KEY, on_event=_on_map_event(count))
        st.caption(
            "The current position is bold; the earlier ones are faded. Colour = party, dashes "
            "= status. ← → step through the positions (also with the focus in the map)."
        )
    with right:
        _position(built, corpus, current, data_dir)
        with st.expander(f"All {count} positions", expanded=False):
            _table(built, steps, index, data_dir)


def _player(count: int) -> None:
    """Advance every PLAY_SECONDS while playing (a fragment that reruns itself on a timer)."""
    ss = session.ss()

    @st.fragment(run_every=PLAY_SECONDS if ss.get(PLAYING) else None)
    def tick() -> None:
        if not ss.get(PLAYING):
            return
        if time.monotonic() - float(ss.get(LAST_TICK) or 0) < PLAY_SECONDS - 0.5:
            return
        ss[LAST_TICK] = time.monotonic()
        step = int(ss.get(session.POS) or 0)
        if step >= count - 1:
            ss[PLAYING] = False
        else:
            _go(step + 1)
        st.rerun(scope="app")

    tick()


def _position(built: BuiltAtlas, corpus: Corpus, line: Line, data_dir: str) -> None:
    atlas = built.atlas
    st.html(
        f'<h3 style="margin:.2rem 0">{esc(line.title)}</h3>'
        f'<p style="margin:0 0 .4rem;color:#333">{esc(date_label(line))} · '
        f"{esc(line.party_label)} · {esc(line.status)}</p>"
    )
    st.markdown(md(line.summary))
    gap = gap_km2(data_dir, line.theater, line.id)
    if gap is not None:
        target, km2 = gap
        st.metric(
            "Gap to what was signed",
            f"{km2:,.0f} km²",
            help=f"The land between this position and {atlas.lines[target].title}.",
        )
    elif line.record == "outcome":
        st.caption("This is what was signed.")
    for doc, ev in atlas.evidence_for(line.id):
        with st.container(border=True):
            st.html(
                '<blockquote style="margin:0;font-family:Georgia,serif;font-size:1.1rem">'
                f"“{esc(ev.phrase)}”</blockquote>"
            )
            st.caption(f"{md(doc.title)} ({md(doc.date)}), {md(ev.where)}")
            st.markdown(archive_links(doc))
            text = corpus.texts.get(doc.id)
            snippet = passage(text.body, ev.phrase) if text else ""
            if snippet:
                st.html(f'<div class="aa-context">{snippet}</div>')
    if line.inferred:
        st.info(f"**How it is drawn.** {md(line.inference)}")


def _table(built: BuiltAtlas, steps: list[Line], index: int, data_dir: str) -> None:
    rows = []
    for i, ln in enumerate(steps):
        gap = gap_km2(data_dir, ln.theater, ln.id)
        rows.append(
            [
                ln.title,
                f"{i + 1}{' ◀' if i == index else ''}",
                date_label(ln),
                ln.party_short,
                f"{gap[1]:,.0f}" if gap else "—",
            ]
        )
    # the position heads its row: in a narrow column each row is a block under its title
    st.html(
        html_table(
            ["Position", "Step", "Date", "Who", "Gap to signed (km²)"],
            rows,
            numeric=("Gap to signed (km²)",),
            row_header=True,
        )
    )
    st.caption("Each step has its own link: add &pos=N to this page's address.")
