"""The side panel of a selected line or zone: what it is, how big, and the documents behind it.

A document's text is HTML-escaped first and only then wrapped in ``<mark>`` where the
evidence phrase stands, so nothing in an archival text can inject markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import streamlit as st

from geo.documents import Mention, find_mentions, highlight_spans
from geo.geometry import BuiltAtlas
from geo.records.model import Document, Evidence, Line
from geo.style import ink, party_color
from ui.resources import Corpus
from ui.styles import css
from ui.text import code, esc, link, md, md_label

CONTEXT_CHARS = 200
STATUS_WORDS = {
    "proposed": "proposed",
    "fallback": "fallback position",
    "agreed": "agreed / signed",
    "reference": "reference line",
}


def archive_links(doc: Document) -> str:
    """The canonical address, the corpus copy's address when it differs, the holding archive."""
    links = [link(md(doc.publisher or "archive"), doc.url)]
    if doc.corpus_url and doc.corpus_url != doc.url:
        links.append(link("mirror", doc.corpus_url))
    if doc.archive:
        links.append(f"held at {md(doc.archive)}")
    return " · ".join(links)


@dataclass(frozen=True)
class MarkedText:
    """A document body as safe HTML, with what was found in it."""

    html: str
    found: frozenset[int]  # indexes of the evidence phrases found
    places: tuple[str, ...]  # place ids named, in order of first mention


def mark_text(
    text: str, phrases: Sequence[str], places: Mapping[str, Sequence[str]] | None = None
) -> MarkedText:
    """Escape *text*, wrap each evidence phrase in ``<mark>`` and each place name in a span."""
    mentions = find_mentions(
        text,
        places=places or {},
        proposals={str(i): [p] for i, p in enumerate(phrases) if p.strip()},
    )
    out: list[str] = []
    for segment, mention in highlight_spans(text, mentions):
        if mention is None:
            out.append(esc(segment))
        elif mention.kind == "proposal":
            out.append(f'<mark class="aa-ev">{esc(segment)}</mark>')
        else:
            out.append(f'<span class="aa-place" title="{esc(mention.ref)}">{esc(segment)}</span>')
    found = frozenset(int(m.ref) for m in mentions if m.kind == "proposal")
    named = tuple(dict.fromkeys(m.ref for m in mentions if m.kind == "place"))
    return MarkedText("".join(out), found, named)


def excerpt(text: str, mentions: Sequence[Mention], width: int = CONTEXT_CHARS) -> str:
    """The evidence phrase with some text either side, escaped and marked (or "")."""
    spans = [m for m in mentions if m.kind == "proposal"]
    if not spans:
        return ""
    m = spans[0]
    start, end = max(0, m.start - width), min(len(text), m.end + width)
    if start > 0:  # whole words at both ends
        cut = text.find(" ", start, m.start)
        start = cut + 1 if cut != -1 else start
    if end < len(text):
        cut = text.rfind(" ", m.end, end)
        end = cut if cut != -1 else end
    return (
        ("…" if start else "")
        + esc(text[start : m.start])
        + f'<mark class="aa-ev">{esc(text[m.start : m.end])}</mark>'
        + esc(text[m.end : end])
        + ("…" if end < len(text) else "")
    )


def passage(body: str, phrase: str) -> str:
    """The paragraph round an evidence phrase, marked ("" if the phrase is not in *body*)."""
    return excerpt(body, find_mentions(body, places={}, proposals={"ev": [phrase]}))


def badges_html(line: Line) -> str:
    color = party_color(line.party)
    date = line.date_iso or "undated"
    if line.date_approximate:
        date = f"about {date}"
    kind = {"line": "line", "zone": "zone", "reference": "reference line"}.get(line.kind, line.kind)
    record = "signed outcome" if line.record == "outcome" else "position in the talks"
    if not line.is_position:
        record = "for orientation"
    return (
        '<div class="aa-badges">'
        f'<span class="aa-party" style="background:{esc(color)};color:{ink(color)}">'
        f"{esc(line.party_label)}</span>"
        f"<span>{esc(date)}</span><span>{esc(STATUS_WORDS.get(line.status, line.status))}</span>"
        f"<span>{esc(kind)}</span><span>{esc(record)}</span></div>"
    )


def _grouped(evidence: list[tuple[Document, Evidence]]) -> list[tuple[Document, list[Evidence]]]:
    out: dict[str, tuple[Document, list[Evidence]]] = {}
    for doc, ev in evidence:
        out.setdefault(doc.id, (doc, []))[1].append(ev)
    return list(out.values())


def show_line_panel(
    built: BuiltAtlas, corpus: Corpus, line_id: str, *, on_fly: Callable[[str], None]
) -> None:
    """Render the panel for *line_id* in the current container."""
    atlas = built.atlas
    line = atlas.lines[line_id]
    shape = built[line_id]
    st.html(css("panel.css"))
    st.subheader(md_label(line.title), anchor=False)
    st.html(badges_html(line))
    st.markdown(md(line.summary))

    cols = st.columns(2)
    if shape.is_line:
        cols[0].metric("Length (as drawn)", f"{shape.length_km:,.0f} km")
    else:
        cols[0].metric("Area", f"{shape.area_km2:,.0f} km²")
    cols[1].metric(
        "Precision",
        f"± {line.precision_km:g} km",
        help="How far the real line may lie from the drawn one; the shaded band on the map.",
    )
    if line.inferred:
        st.info(f"**Partly inferred.** {md(line.inference)}")
    if line.references:
        st.markdown("**Published references**")
        for ref in line.references:
            st.markdown(f"- {link(md(ref.title), ref.url)}")

    groups = _grouped(atlas.evidence_for(line_id))
    if groups:
        st.markdown(f"**Source document{'s' if len(groups) > 1 else ''}**")
    elif line.is_position:
        st.caption("No document is tied to this record; see the published references.")
    for i, (doc, evidence) in enumerate(groups):
        with st.container(border=True):
            show_document(built, corpus, line, doc, evidence, on_fly=on_fly, expanded=i == 0)


def show_document(
    built: BuiltAtlas,
    corpus: Corpus,
    line: Line,
    doc: Document,
    evidence: list[Evidence],
    *,
    on_fly: Callable[[str], None],
    expanded: bool,
) -> None:
    atlas = built.atlas
    st.markdown(f"**{md(doc.title)}**  \n{md(doc.kind)} · {md(doc.date)}")
    if doc.sender or doc.recipient:
        st.caption(f"From {md(doc.sender or '?')} to {md(doc.recipient or '?')}")
    st.markdown(f"Citation: {md(' '.join(doc.citation.split()))}")
    st.markdown(archive_links(doc))
    if doc.id_note:
        st.caption(md(doc.id_note))
    with st.expander("What the document says (our summary)"):
        st.markdown(md(doc.summary))

    parsed = corpus.texts.get(doc.id)
    theater_places = {
        p.id: list(p.names()) for p in atlas.places_in(line.theater) if p.kind != "waypoint"
    }
    for ev in evidence:
        where = f" — {md(ev.where)}" if ev.where else ""
        st.markdown(f"Evidence: “{md(ev.phrase)}”{where}")
        if parsed is not None:
            snippet = passage(parsed.body, ev.phrase)
            if snippet:
                st.html(f'<div class="aa-context">{snippet}</div>')
            else:
                st.caption("This phrase was not found word for word in the local text.")
        elif ev.read_at:
            st.caption(f"Read at {link('this address', ev.read_at)}.")

    marked = (
        mark_text(parsed.body, [ev.phrase for ev in evidence], theater_places) if parsed else None
    )
    named = [pid for pid, p in atlas.places.items() if doc.id in p.documents]
    if marked is not None:
        named = list(dict.fromkeys([*named, *marked.places]))
    named = [pid for pid in named if pid in theater_places]
    if named:
        key = f"aa_fly_{line.id}_{doc.id}"
        st.pills(
            "Places this document names — click to fly the map there",
            named,
            format_func=lambda pid: md_label(atlas.places[pid].label),
            key=key,
            on_change=lambda k=key: on_fly(st.session_state.get(k) or ""),
        )

    if parsed is not None and marked is not None:
        title = f"Full text ({code(corpus.files.get(doc.id, ''))})"
        if expanded:
            box = st.expander(title, expanded=True)
        else:  # closed: its text is sent only once the reader opens it (that reruns)
            box = st.expander(title, key=f"aa_full_{line.id}_{doc.id}", on_change="rerun")
        if expanded or box.open:
            with box:
                label = esc(f"Full text of {doc.title}")
                st.html(
                    f'<div class="aa-doc-text" tabindex="0" role="region" aria-label="{label}">'
                    f"{marked.html}</div>"
                )
                if parsed.summary:
                    st.caption(f"Archive summary: {md(parsed.summary)}")
    elif doc.in_corpus:
        st.caption(
            "Full text not available here: no corpus folder is set on this server. The "
            "citation and the archive link above identify the document."
        )
