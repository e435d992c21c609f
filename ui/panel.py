"""The side panel of a selected line or zone: what it is, how big, and the cables behind it.

The cable text is HTML-escaped first and only then wrapped in ``<mark>`` where the evidence
phrase stands, so nothing in an archival text can inject markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import streamlit as st

from geo import render
from geo.cables import Mention, find_mentions, highlight_spans
from geo.records import Cable, Evidence, Line
from ui.resources import Corpus, Resources

CONTEXT_CHARS = 200
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$:])")


def md(text: object) -> str:
    """Escape text for ``st.markdown`` (no emphasis, links, LaTeX or HTML from data)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


_MD_MARKUP = re.compile(r"([\\`*_\[<>$~|])")
_MD_BLOCK = re.compile(r"^(\s*\d*)([#>+=.)-])")


def md_label(text: object) -> str:
    """Escape text for a heading, button, pill or ``st.table`` cell (all markdown too).

    Only what starts markup (backticks, emphasis, links, HTML, LaTeX, a leading list or
    heading mark) is escaped, so an ordinary title keeps its value and any title is shown
    literally.
    """
    out = _MD_MARKUP.sub(r"\\\1", str(text).replace("\n", " "))
    return _MD_BLOCK.sub(r"\1\\\2", out)


def link(label: str, url: str | None) -> str:
    """A markdown link to an http(s) address; any other address is shown as text.

    The address is percent-encoded where markdown would end it (spaces, parentheses), so
    the link cannot be cut short; *label* must already be escaped.
    """
    url = (url or "").strip()
    if not re.match(r"https?://[^\s]+$", url, flags=re.IGNORECASE):
        return f"{label} ({code(url)})" if url else label
    safe = quote(url, safe=":/?#@!$&'*+,;=%~-._")
    return f"[{label}]({safe})"


def archive_links(cable: Cable) -> str:
    """The archive link, the corpus copy's address when it differs, and the holding archive."""
    links = [link("Wilson Center Digital Archive", cable.url)]
    if cable.corpus_url and cable.corpus_url != cable.url:
        links.append(link("mirror", cable.corpus_url))
    if cable.archive:
        links.append(f"held at {md(cable.archive)}")
    return " · ".join(links)


def code(text: object) -> str:
    """Show text literally in ``st.markdown`` (file names, paths, problems)."""
    body = str(text).replace("`", "'").replace("\n", " ")
    return f"`{body}`"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class MarkedText:
    """A cable body as safe HTML, with what was found in it."""

    html: str
    found: frozenset[int]  # indexes of the evidence phrases found
    places: tuple[str, ...]  # place ids named, in order of first mention
    first_mark: int | None  # offset of the first evidence phrase


def mark_text(
    text: str, phrases: Sequence[str], places: Mapping[str, Sequence[str]] | None = None
) -> MarkedText:
    """Escape *text*, wrap each evidence phrase in ``<mark>`` and each place name in a span.

    Matching (case, diacritics, hyphens, ``[sic]``) is geo.cables.find_mentions'; where an
    evidence phrase and a place overlap, the longer (the phrase) wins.
    """
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
    first = min((m.start for m in mentions if m.kind == "proposal"), default=None)
    return MarkedText("".join(out), found, named, first)


def excerpt(text: str, mentions: Sequence[Mention], width: int = CONTEXT_CHARS) -> str:
    """The evidence phrase with some text either side, escaped and marked (or "")."""
    spans = [m for m in mentions if m.kind == "proposal"]
    if not spans:
        return ""
    m = spans[0]
    start, end = max(0, m.start - width), min(len(text), m.end + width)
    # cut at whitespace so the excerpt starts and ends with whole words
    if start > 0:
        cut = text.find(" ", start, m.start)
        start = cut + 1 if cut != -1 else start
    if end < len(text):
        cut = text.rfind(" ", m.end, end)
        end = cut if cut != -1 else end
    before, after = text[start : m.start], text[m.end : end]
    return (
        ("…" if start else "")
        + esc(before)
        + f'<mark class="aa-ev">{esc(text[m.start : m.end])}</mark>'
        + esc(after)
        + ("…" if end < len(text) else "")
    )


PANEL_CSS = """
<style>
.aa-badges span{display:inline-block;margin:0 6px 6px 0;padding:2px 9px;border-radius:12px;
  font-size:0.85rem;border:1px solid #999;background:#fff;color:#222}
.aa-badges .aa-party{color:#fff;border-color:transparent}
.aa-cable-text{max-height:380px;overflow-y:auto;white-space:pre-wrap;
  font-family:Georgia,'Times New Roman',serif;font-size:0.98rem;line-height:1.5;color:#222}
.aa-context{font-family:Georgia,'Times New Roman',serif;font-size:1rem;line-height:1.5;
  border-left:4px solid #E69F00;padding:4px 10px;margin:4px 0 8px;background:#fffaf0;color:#222}
mark.aa-ev{background:#ffe066;color:#000;padding:0 2px;border-radius:2px}
span.aa-place{border-bottom:2px dotted #0072B2}
</style>
"""


#: Section headings of a screen are h2 under the app's h1 (no skipped level), at the size
#: the h4 they replaced had; injected by the screens that use them.
SECTION_CSS = '<style>[data-testid="stMain"] h2{font-size:1.5rem}</style>'


def _ink(color: str) -> str:
    """Black or white, whichever reads better on *color* (WCAG relative luminance)."""
    r, g, b = (int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#fff"


def badges_html(line: Line) -> str:
    color = render.PARTY_COLORS.get(line.party, "#555555")
    date = line.date_iso or "undated"
    if line.date_approximate:
        date = f"about {date}"
    status = {
        "proposed": "proposed",
        "fallback": "fallback position",
        "agreed": "agreed / signed",
        "reference": "reference parallel",
    }.get(line.status, line.status)
    kind = {"line": "line", "zone": "zone", "reference": "parallel"}.get(line.kind, line.kind)
    record = "signed outcome" if line.record == "outcome" else "proposal"
    if line.status == "reference":
        record = "for orientation"
    return (
        '<div class="aa-badges">'
        f'<span class="aa-party" style="background:{esc(color)};color:{_ink(color)}">'
        f"{esc(line.party_label)}</span>"
        f"<span>{esc(date)}</span><span>{esc(status)}</span><span>{esc(kind)}</span>"
        f"<span>{esc(record)}</span></div>"
    )


def _grouped(evidence: list[tuple[Cable, Evidence]]) -> list[tuple[Cable, list[Evidence]]]:
    out: dict[str, tuple[Cable, list[Evidence]]] = {}
    for cable, ev in evidence:
        out.setdefault(cable.id, (cable, []))[1].append(ev)
    return list(out.values())


def show_line_panel(
    res: Resources,
    corpus: Corpus,
    line_id: str,
    *,
    on_fly: Callable[[str], None],
) -> None:
    """Render the panel for *line_id* in the current container."""
    atlas = res.atlas
    line = atlas.lines[line_id]
    built = res.built[line_id]
    st.html(PANEL_CSS)
    st.subheader(md_label(line.title), anchor=False)
    st.html(badges_html(line))
    st.markdown(md(line.summary))

    cols = st.columns(2)
    if built.is_line:
        cols[0].metric("Length (as drawn)", f"{built.length_km:,.0f} km")
    else:
        cols[0].metric("Area", f"{built.area_km2:,.0f} km²")
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
        st.markdown(f"#### Source cable{'s' if len(groups) > 1 else ''}")
    elif line.status != "reference":
        st.caption("No cable is tied to this record; see the published references.")
    for i, (cable, evidence) in enumerate(groups):
        with st.container(border=True):
            _show_cable(res, corpus, line, cable, evidence, on_fly=on_fly, expanded=i == 0)


def _show_cable(
    res: Resources,
    corpus: Corpus,
    line: Line,
    cable: Cable,
    evidence: list[Evidence],
    *,
    on_fly: Callable[[str], None],
    expanded: bool,
) -> None:
    atlas = res.atlas
    st.markdown(f"**{md(cable.title)}**  \n{md(cable.date)}")
    if cable.sender or cable.recipient:
        st.caption(f"From {md(cable.sender or '?')} to {md(cable.recipient or '?')}")
    st.markdown(f"Citation: {md(cable.citation)}")
    st.markdown(archive_links(cable))
    if cable.id_note:
        st.caption(md(cable.id_note))
    with st.expander("What the cable says (our summary)"):
        st.markdown(md(cable.summary))

    parsed = corpus.texts.get(cable.id)
    theater_places = {
        p.id: list(p.names()) for p in atlas.places_in(line.theater) if p.kind != "waypoint"
    }
    phrases = [ev.phrase for ev in evidence]
    marked = mark_text(parsed.body, phrases, theater_places) if parsed else None

    for ev in evidence:
        where = f" — {md(ev.where)}" if ev.where else ""
        st.markdown(f"Evidence: “{md(ev.phrase)}”{where}")
        if parsed is not None:
            mentions = find_mentions(parsed.body, places={}, proposals={"ev": [ev.phrase]})
            snippet = excerpt(parsed.body, mentions)
            if snippet:
                st.html(f'<div class="aa-context">{snippet}</div>')
            else:
                st.caption("This phrase was not found word for word in the local text.")

    named = [pid for pid, p in atlas.places.items() if cable.id in p.cables]
    if marked is not None:
        named = list(dict.fromkeys([*named, *marked.places]))
    named = [pid for pid in named if pid in theater_places]
    if named:
        labels = {pid: atlas.places[pid].label for pid in named}
        key = f"aa_fly_{line.id}_{cable.id}"
        st.pills(
            "Places this cable names — click to fly the map there",
            named,
            format_func=lambda pid: md_label(labels[pid]),
            key=key,
            on_change=lambda k=key: on_fly(st.session_state.get(k) or ""),
        )

    if parsed is not None and marked is not None:
        with st.expander(f"Full text of the cable ({corpus.files.get(cable.id, '')})", expanded):
            # a focusable region: keyboard users can scroll it (axe scrollable-region-focusable)
            label = esc(f"Full text of {cable.title}")
            st.html(
                f'<div class="aa-cable-text" tabindex="0" role="region" aria-label="{label}">'
                f"{marked.html}</div>"
            )
            if parsed.summary:
                st.caption(f"Archive summary: {md(parsed.summary)}")
    elif corpus.folder is None or corpus.missing:
        st.caption(
            "Full text not available offline: no corpus folder "
            "(set ARMISTICE_CORPUS or run with `-- --corpus DIR`). "
            "The citation and the archive link above still identify the document."
        )
    else:
        st.caption(
            "Full text not available: this cable is not in the corpus folder. "
            "Use the archive link above."
        )
