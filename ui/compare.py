"""The Compare screen: two lines (or two zones) of a theater, the land between, who moves."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import geo
from ui import session
from ui import state as S
from ui.common import MAIN_SPLIT, MapSettings, map_options, show_map
from ui.panel import SECTION_CSS, md, md_label
from ui.resources import Resources, load_resources

MAP_KEY = "aa_map_compare"
W_A, W_B = "w_cmp_a", "w_cmp_b"


@st.cache_resource(show_spinner=False, max_entries=64)
def comparison(data_dir: str | None, a: str, b: str) -> geo.Comparison:
    """geo.compare, shared by every session (the result is never mutated)."""
    return geo.compare(load_resources(data_dir).atlas, a, b)


def _swap() -> None:
    ss = session.ss()
    ss[W_A], ss[W_B] = ss.get(W_B), ss.get(W_A)
    _store()


def _store() -> None:
    ss = session.ss()
    a, b = ss.get(W_A), ss.get(W_B)
    ss[session.COMPARE] = (a, b) if a and b and a != b else None


def show(res: Resources, settings: MapSettings, data_dir: str | None) -> None:
    ss = session.ss()
    catalog = res.catalog
    theater = ss[session.THEATER]
    pair = ss.get(session.COMPARE) or S.default_pair(catalog, theater)
    if pair is None:
        st.info("This theater has fewer than two lines to compare.")
        return
    ids = [ln.id for ln in catalog.lines_in(theater)]
    if ss.get(W_A) not in ids:
        ss[W_A] = pair[0]
    options_b = S.comparable(catalog, theater, ss[W_A])
    if ss.get(W_B) not in options_b:
        ss[W_B] = pair[1] if pair[1] in options_b else (options_b[0] if options_b else None)
    _store()

    def title(i: str) -> str:
        return catalog.lines[i].title

    c1, c2, c3 = st.columns([5, 1, 5], vertical_alignment="bottom")
    c1.selectbox("First line or zone (A)", ids, format_func=title, key=W_A, on_change=_store)
    c2.button("⇄ swap", on_click=_swap, width="stretch", help="Swap A and B")
    c3.selectbox(
        "Second (B) — lines compare with lines, zones with zones",
        options_b,
        format_func=title,
        key=W_B,
        on_change=_store,
    )
    a, b = ss[W_A], ss[W_B]
    if not a or not b:
        st.info("Choose two lines (or two zones) of this theater.")
        return
    try:
        result = comparison(data_dir, a, b)
    except geo.AtlasError as exc:
        st.error(f"These two cannot be compared: {exc}")
        return

    left, right = st.columns(MAIN_SPLIT, gap="medium")
    with left:
        options = map_options(theater, settings, layers=(a, b), highlight=result.between)
        show_map(res, options, key=MAP_KEY, height=settings.height)
        st.caption(
            "Green: the land that lies on different sides of the two lines "
            "(for zones: inside one zone and not the other)."
        )
    with right:
        _summary(res, result)


def _summary(res: Resources, result: geo.Comparison) -> None:
    catalog = res.catalog
    la, lb = catalog.lines[result.a], catalog.lines[result.b]
    ba, bb = res.built[result.a], res.built[result.b]
    st.metric(
        "Area between",
        f"{result.area_between_km2:,.0f} km²",
        help="Land of " + ", ".join(result.countries) + " on different sides of A and B.",
    )
    is_line = ba.is_line
    first, second = ("north", "south") if is_line else ("inside", "outside")
    rows = {
        "": ["A", "B"],
        "Line or zone": [la.title, lb.title],
        "Date": [la.date.isoformat() if la.date else "", lb.date.isoformat() if lb.date else ""],
        "Proposed by": [la.party_label, lb.party_label],
        ("Length (km)" if is_line else "Area (km²)"): [
            round(ba.length_km if is_line else ba.area_km2),
            round(bb.length_km if is_line else bb.area_km2),
        ],
        f"Land {first} (km²)": [round(result.sides_a[first]), round(result.sides_b[first])],
        f"Land {second} (km²)": [round(result.sides_a[second]), round(result.sides_b[second])],
    }
    table = pd.DataFrame(rows).set_index("").T.map(_fmt)  # st.table cells are markdown
    st.table(table.rename_axis("Compared").reset_index(), hide_index=True)

    st.html(SECTION_CSS)
    st.markdown(f"## Places that change side ({len(result.changes)})")
    if result.changes:
        changes = pd.DataFrame(
            [
                {"Place": md_label(c.name), "with A": c.before, "with B": c.after}
                for c in result.changes
            ]
        )
        st.table(changes.set_index("Place"))
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
    c2.button(
        "Sources of B",
        on_click=session.select_and_show,
        args=(result.b,),
        width="stretch",
        help=md(lb.title),
    )


def _fmt(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else md_label(value)
