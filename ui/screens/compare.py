"""Compare and draw: two lines (or zones) of a theater -- or a line of your own against one.

The land between them, the land on each side and the places that change side come from
:func:`geo.compare.compare`, the same computation as ``python -m geo compare`` (and
``--with FILE.geojson`` for a drawn line). A place a line passes through is "on the line",
a region it cuts is "split".
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from geo.compare import Comparison, Subject, compare, drawn, record
from geo.errors import AtlasError
from geo.geometry import BuiltAtlas
from geo.outputs.template import record_template
from geo.outputs.webmap import bounds_of, geometry_json
from ui import rules, session
from ui.mapview import MAIN_SPLIT, MapSettings, map_state, show_map
from ui.params import shape_of
from ui.resources import built_for
from ui.tables import html_table
from ui.text import md, md_label

MAP_KEY = "aa_map_compare"
W_A, W_B = "w_cmp_a", "w_cmp_b"
DRAW = "__draw__"  # the B choice "a line of your own"
DRAWN = "aa_drawn"  # theater -> the GeoJSON geometry the visitor drew
DRAW_ERROR = "aa_draw_error"  # why the last drawing was not kept
SAVED_B = "w_cmp_saved_b"  # B's choice, kept while another screen is shown (not a theater switch)


@st.cache_resource(show_spinner=False, max_entries=64)
def cached_comparison(data_dir: str, theater: str, a: str, b: str) -> Comparison:
    """geo.compare of two records, shared by every session (never mutated)."""
    return compare(built_for(data_dir, theater), a, b)


def _swap() -> None:
    ss = session.ss()
    if ss.get(W_B) == DRAW:
        return
    ss[W_A], ss[W_B] = ss.get(W_B), ss.get(W_A)
    _store()


def _store() -> None:
    ss = session.ss()
    a, b = ss.get(W_A), ss.get(W_B)
    ss[SAVED_B] = b
    ss[session.COMPARE] = (a, b) if a and b and a != b and b != DRAW else None


def _on_map_event(theater: str) -> Any:
    def handle(event: dict[str, Any]) -> None:
        if event.get("type") == "draw":
            drawn_by_theater = dict(session.ss().get(DRAWN) or {})
            kept, why = rules.drawing(event.get("geometry"))
            drawn_by_theater[theater] = kept
            session.ss()[DRAWN] = drawn_by_theater
            session.ss()[DRAW_ERROR] = why

    return handle


def show(built: BuiltAtlas, settings: MapSettings, data_dir: str) -> None:
    ss = session.ss()
    atlas = built.atlas
    theater = ss[session.THEATER]
    pair = ss.get(session.COMPARE) or rules.default_pair(atlas, theater)
    if pair is None:
        st.info("This theater has fewer than two lines to compare.")
        return
    ids = [ln.id for ln in atlas.lines_in(theater)]
    if ss.get(W_A) not in ids:
        ss[W_A] = pair[0]
    first = atlas.lines[ss[W_A]]
    options_b = [*rules.comparable(atlas, theater, ss[W_A]), DRAW]
    if W_B not in ss and ss.get(SAVED_B) in options_b:
        ss[W_B] = ss[SAVED_B]  # back from another screen: the visitor's choice, not the default
    if ss.get(W_B) not in options_b:
        ss[W_B] = pair[1] if pair[1] in options_b else options_b[0]
    _store()

    def title(i: str) -> str:
        if i == DRAW:
            return f"✏ A {shape_of(first.kind)} of your own: draw it on the map"
        return atlas.lines[i].title

    # A, swap, B on one row; on a narrow screen B goes below (the choosers keep a usable width)
    with st.container(horizontal=True, vertical_alignment="bottom", key="aa_cmp_pick"):
        st.selectbox("First line or zone (A)", ids, format_func=title, key=W_A, on_change=_store)
        st.button("⇄ swap", on_click=_swap, help="Swap A and B")
        st.selectbox(
            "Second (B) — lines compare with lines, zones with zones",
            options_b,
            format_func=title,
            key=W_B,
            on_change=_store,
        )
    a, b = ss[W_A], ss[W_B]
    sketch = (ss.get(DRAWN) or {}).get(theater) if b == DRAW else None
    result: Comparison | None = None
    error = ss.get(DRAW_ERROR, "") if b == DRAW and sketch is None else ""
    try:
        if b == DRAW:
            if sketch:
                mine = drawn(built, theater, sketch, countries=first.countries)
                result = compare(built, a, mine)
        else:
            result = cached_comparison(data_dir, theater, a, b)
    except AtlasError as exc:
        error = str(exc)

    left, right = st.columns(MAIN_SPLIT, gap="medium")
    with left:
        focus = [built[a].geometry] + ([built[b].geometry] if b in built else [])
        compare_state = {
            "a": a,
            "b": b if b != DRAW else None,
            "between": geometry_json(result.between) if result else None,
        }
        state = map_state(
            built,
            theater,
            settings,
            layers=(a, b) if b != DRAW else (a,),
            compare=compare_state,
            draw=b == DRAW,
            drawn=sketch,
            view={"bounds": bounds_of(focus)},
            view_id=f"{a}|{b}",
        )
        show_map(built, theater, state, key=MAP_KEY, on_event=_on_map_event(theater))
        if b == DRAW:
            st.caption(
                "Draw with the tools at the top left of the map: a line (click point by point, "
                "click the last point again to finish) or a polygon. Your drawing stays in this "
                "session only."
            )
        else:
            st.caption(
                "Green: the land that lies on different sides of A and B (for zones: inside "
                "one and not the other)."
            )
    with right:
        if error:
            st.error(f"These two cannot be compared: {md(error)}")
        elif result is None:
            st.info("Draw a line or a polygon on the map to compare it with A.")
        else:
            other = (
                built[b]
                if b != DRAW
                else drawn(built, theater, sketch, countries=first.countries).shape
            )  # type: ignore[arg-type]
            _summary(built, result, record(built, a), other)
            if b == DRAW:
                _drawn_downloads(theater, sketch, first.countries)  # type: ignore[arg-type]


def _summary(built: BuiltAtlas, result: Comparison, sa: Subject, shape_b: Any) -> None:
    atlas = built.atlas
    la = atlas.lines[result.a]
    lb = atlas.lines.get(result.b)
    is_line = sa.shape.is_line
    first, second = ("north", "south") if is_line else ("inside", "outside")
    st.metric(
        "Area between",
        f"{result.area_between_km2:,.0f} km²",
        help="Land of " + ", ".join(result.countries) + " on different sides of A and B.",
    )
    measure = "Length (km)" if is_line else "Area (km²)"

    def size(shape: Any) -> str:
        return f"{shape.length_km if is_line else shape.area_km2:,.0f}"

    rows = [
        ["Line or zone", la.title, lb.title if lb else "Your drawing"],
        ["Date", la.date_iso or "—", (lb.date_iso or "—") if lb else "—"],
        ["Proposed by", la.party_label, lb.party_label if lb else "you"],
        [measure, size(sa.shape), size(shape_b)],
        [f"Land {first} (km²)", f"{result.sides_a[first]:,.0f}", f"{result.sides_b[first]:,.0f}"],
        [
            f"Land {second} (km²)",
            f"{result.sides_a[second]:,.0f}",
            f"{result.sides_b[second]:,.0f}",
        ],
    ]
    st.html(html_table(["", "A", "B"], rows, caption="The two compared", row_header=True))
    st.markdown(f"## Places that change side ({len(result.changes)})")
    if result.changes:
        rows = [
            [c.name, c.before, c.after, "near a line: check" if c.uncertain else ""]
            for c in result.changes
        ]
        st.html(html_table(["Place", "with A", "with B", "Note"], rows, row_header=True))
        st.caption(
            "“on the line”: the line passes within the place's own precision; “split”: a region "
            "the line cuts. “near a line”: within the two records' precision, so it could go "
            "either way."
        )
    else:
        st.caption("No named place lies on different sides of the two.")
    c1, c2 = st.columns(2)
    c1.button(
        "Sources of A",
        on_click=session.select_and_show,
        args=(result.a,),
        width="stretch",
        help=md(la.title),
    )
    if lb is not None:
        c2.button(
            "Sources of B",
            on_click=session.select_and_show,
            args=(result.b,),
            width="stretch",
            help=md(lb.title),
        )


def _drawn_downloads(theater: str, sketch: dict[str, Any], countries: tuple[str, ...]) -> None:
    feature = {"type": "Feature", "properties": {"theater": theater}, "geometry": sketch}
    c1, c2 = st.columns(2)
    c1.download_button(
        "Your line (GeoJSON)",
        data=json.dumps(feature, indent=1),
        file_name=f"my-{theater}-line.geojson",
        mime="application/geo+json",
        on_click="ignore",
        width="stretch",
        help="Open it in QGIS, or compare on the command line: "
        "python -m geo compare LINE --with this-file.geojson",
    )
    c2.download_button(
        "Record template (YAML)",
        data=record_template(theater, sketch, countries=countries),
        file_name=f"my-{theater}-line.yaml",
        mime="application/yaml",
        on_click="ignore",
        width="stretch",
        help="Put it in data/proposals/, fill in its date, party, sources and summary, and "
        "python -m geo validate accepts it.",
    )
    st.caption(f"{md_label('Your drawing')} is not stored on the server.")
