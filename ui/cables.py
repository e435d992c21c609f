"""The Cables screen: every document by date, a reader, and adding documents of your own.

The list holds the atlas' cable records (with their full text when the corpus folder or the
user has it) and the documents the user added. The reader shows a document's text with the
places it names and the evidence phrases of the lines it supports highlighted; each
highlight is a link that opens the Map screen on that place or line (a plain link: the page
reloads on the deep link), and the same targets are buttons beside the text.

Every piece of document text is HTML-escaped before any markup is added around it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

import geo
from geo.cables import MAX_BYTES, Mention, ParsedCable, find_mentions, highlight_spans
from geo.records import Cable
from ui import session, userdata
from ui import state as S
from ui.common import MapSettings
from ui.panel import PANEL_CSS, SECTION_CSS, archive_links, code, esc, link, md, md_label
from ui.resources import Corpus, Resources
from ui.userdata import Library, Outcome, UserDoc

FILTER = "aa_cbl_filter"
PICK = "w_cable"
UPLOAD_N = "aa_upload_n"
FOLDER_INPUT = "aa_user_src"
REPORT = "aa_user_report"  # [(kind, markdown)] from the last upload or import
PENDING = "aa_user_pending"  # [Outcome] conflicts waiting for the user's answer
TEXT_HEIGHT = 560
THEATER_SHORT = {"korea": "Korea", "indochina": "Indochina"}

READER_CSS = """
<style>
.aa-cable-text a{color:inherit;text-decoration:none;cursor:pointer}
.aa-cable-text a.aa-place{border-bottom:2px dotted #0072B2;color:#00466e}
.aa-cable-text a:hover{background:#cde7f7}
.aa-cable-text a:focus-visible{outline:2px solid #0072B2;outline-offset:1px}
mark.aa-term{background:#dcecff;color:#000;padding:0 2px;border-radius:2px}
</style>
"""


# ---------------------------------------------------------------------------------------
# the documents, as plain data


@dataclass(frozen=True)
class Doc:
    """One row of the list: an atlas cable record and/or a document the user added."""

    id: str
    date: str
    theater: str  # "" when unknown
    title: str
    sender: str
    recipient: str
    language: str
    record: Cable | None  # the atlas' cable record
    text: ParsedCable | None  # the full text, when there is one
    text_from: str  # "corpus", "added" or ""
    user: UserDoc | None  # the file the user added
    lines: tuple[str, ...]  # lines it supports (atlas) or names by their key terms (added)

    @property
    def added(self) -> bool:
        return self.user is not None


def documents(atlas: geo.Atlas, corpus: Corpus, lib: Library) -> dict[str, Doc]:
    """Atlas cables and added documents by date (then id); an added text with an atlas id
    attaches to that record (the corpus text wins if both exist)."""
    docs: list[Doc] = []
    for cable in atlas.cables.values():
        user = lib.docs.get(cable.id)
        text = corpus.texts.get(cable.id)
        if user is not None and (text is None or text is user.cable):
            text, text_from = user.cable, "added"
        else:
            text_from = "corpus" if text is not None else ""
        docs.append(
            Doc(
                id=cable.id,
                date=cable.date,
                theater=cable.theater,
                title=cable.title,
                sender=cable.sender,
                recipient=cable.recipient,
                language=cable.language,
                record=cable,
                text=text,
                text_from=text_from,
                user=user,
                lines=tuple(dict.fromkeys(ev.proposal for ev in cable.supports)),
            )
        )
    for cid, user in lib.docs.items():
        if user.in_atlas:
            continue
        c = user.cable
        docs.append(
            Doc(
                id=cid,
                date=c.date,
                theater=user.theater,
                title=c.title,
                sender=c.sender or "",
                recipient=c.recipient or "",
                language=c.language or "",
                record=None,
                text=c,
                text_from="added",
                user=user,
                lines=user.lines,
            )
        )
    docs.sort(key=lambda d: (d.date, d.id))
    return {d.id: d for d in docs}


def table(docs: Sequence[Doc], catalog: S.Catalog) -> pd.DataFrame:
    def lines(doc: Doc) -> str:
        titles = "; ".join(catalog.lines[i].title for i in doc.lines if i in catalog.lines)
        return f"names: {titles}" if titles and doc.record is None else titles

    def text(doc: Doc) -> str:
        return {"corpus": "yes", "added": "yes (added by you)"}.get(doc.text_from, "no")

    return pd.DataFrame(
        [
            {
                "Date": d.date,
                "Theater": THEATER_SHORT.get(d.theater, "—"),
                "Title": d.title,
                "From → to": f"{d.sender or '?'} → {d.recipient or '?'}",
                "Language": d.language or "—",
                "Full text": text(d),
                "Added by you": "added by you" if d.added else "",
                "Lines it supports": lines(d),
                "Id": d.id,
            }
            for d in docs
        ],
        columns=[
            "Date",
            "Theater",
            "Title",
            "From → to",
            "Language",
            "Full text",
            "Added by you",
            "Lines it supports",
            "Id",
        ],
    )


# ---------------------------------------------------------------------------------------
# the marked-up text


def place_href(catalog: S.Catalog, place_id: str) -> str:
    place = catalog.places[place_id]
    return "?" + urlencode({"theater": place.theater, "place": place_id})


def line_href(catalog: S.Catalog, line_id: str) -> str:
    line = catalog.lines[line_id]
    return "?" + urlencode({"theater": line.theater, "line": line_id})


def _shift(mention: Mention, offset: int) -> Mention:
    return dataclasses.replace(mention, start=mention.start - offset, end=mention.end - offset)


def marked_html(
    text: str,
    line_spans: Sequence[Mention],
    place_spans: Sequence[Mention],
    catalog: S.Catalog,
    *,
    line_class: str = "aa-ev",
) -> str:
    """*text*, escaped, with each line span in a ``<mark>`` and each place a link.

    A place inside a line span stays a link inside the mark (the rest of the mark links to
    the line); a place that straddles a span's edge is not marked; a place with exactly the
    span of a line term is a place. Nothing of *text* reaches the page unescaped.
    """
    places = [p for p in place_spans if p.ref in catalog.places]
    lines = [
        m
        for m in line_spans
        if m.ref in catalog.lines and not any((p.start, p.end) == (m.start, m.end) for p in places)
    ]

    def crosses(p: Mention, m: Mention) -> bool:
        inside = m.start <= p.start and p.end <= m.end
        return p.start < m.end and m.start < p.end and not inside

    places = [p for p in places if not any(crosses(p, m) for m in lines)]
    # for spans two lines share, prefer a proposal over a reference parallel
    lines.sort(key=lambda m: (m.start, -m.end, catalog.lines[m.ref].status == "reference"))

    def place_link(segment: str, p: Mention) -> str:
        info = catalog.places[p.ref]
        return (
            f'<a class="aa-place" href="{esc(place_href(catalog, p.ref))}" target="_self" '
            f'data-place="{esc(p.ref)}" title="{esc(f"Show {info.label} on the map")}">'
            f"{esc(segment)}</a>"
        )

    out: list[str] = []
    pos = 0
    for segment, m in highlight_spans(text, lines):
        end = pos + len(segment)
        inner = [_shift(p, pos) for p in places if pos <= p.start and p.end <= end]
        if m is None:
            out.extend(
                place_link(s, p) if p else esc(s) for s, p in highlight_spans(segment, inner)
            )
        else:
            line = catalog.lines[m.ref]
            href = esc(line_href(catalog, m.ref))
            title = esc(f"Show on the map: {line.title}")
            parts = [
                place_link(s, p)
                if p
                else f'<a class="aa-ln" href="{href}" target="_self" title="{title}">{esc(s)}</a>'
                for s, p in highlight_spans(segment, inner)
            ]
            out.append(
                f'<mark class="{line_class}" data-line="{esc(m.ref)}">{"".join(parts)}</mark>'
            )
        pos = end
    return "".join(out)


# ---------------------------------------------------------------------------------------
# callbacks


def _switch_theater(theater: str) -> None:
    ss = session.ss()
    if theater in S.THEATERS and ss[session.THEATER] != theater:
        ss[session.THEATER] = theater
        session.on_theater_change()


def go_place(catalog: S.Catalog, place_id: str) -> None:
    """Open the Map screen centred on *place_id*."""
    _switch_theater(catalog.places[place_id].theater)
    session.fly_to(catalog, place_id)
    session.ss()[session.VIEW] = "map"


def go_line(catalog: S.Catalog, line_id: str) -> None:
    """Open the Map screen with *line_id* selected."""
    _switch_theater(catalog.lines[line_id].theater)
    session.reset_view()
    session.select_and_show(line_id)


def _on_pick() -> None:
    session.ss()[session.CABLE] = session.ss().get(PICK)


def _report(outcomes: Sequence[Outcome], *, from_folder: bool) -> None:
    ss = session.ss()
    report: list[tuple[str, str]] = list(ss.get(REPORT) or [])
    pending: list[Outcome] = list(ss.get(PENDING) or [])
    opened = False
    for o in outcomes:
        name = code(o.name)
        if o.status in (userdata.ADDED, userdata.REPLACED):
            verb = "Added" if o.status == userdata.ADDED else "Replaced the stored copy with"
            msg = (
                f"{verb} {name}: document {code(o.doc_id)}, “{md(o.title)}” "
                f"(kept as {code(o.stored)})."
            )
            if o.in_atlas:
                msg += " Its full text now goes with the atlas record of that cable."
            report.append(("success", msg))
            if not opened:
                ss[session.CABLE] = o.doc_id
                opened = True
        elif o.status == userdata.SAME:
            report.append(
                ("info", f"{name}: document {code(o.doc_id)} is already stored; nothing changed.")
            )
        elif o.status == userdata.CONFLICT:
            pending = [p for p in pending if p.doc_id != o.doc_id] + [o]
        else:
            kind = "warning" if from_folder else "error"
            verb = "skipped" if from_folder else "refused"
            report.append(
                (kind, f"{name} {verb}: {md(o.reason)}. Nothing already stored was changed.")
            )
    ss[REPORT] = report
    ss[PENDING] = pending


def _on_upload(res: Resources, folder: Path, key: str) -> None:
    ss = session.ss()
    files = ss.get(key) or []
    if not isinstance(files, list):
        files = [files]
    ss[REPORT] = []
    _report(
        [userdata.store(folder, f.name, f.getvalue(), res.atlas) for f in files],
        from_folder=False,
    )
    ss[UPLOAD_N] = ss.get(UPLOAD_N, 0) + 1  # a fresh, empty uploader


def _on_import(res: Resources, folder: Path) -> None:
    ss = session.ss()
    ss[REPORT] = []
    source = str(ss.get(FOLDER_INPUT) or "").strip()
    if not source:
        ss[REPORT] = [("error", "Type the path of a folder on this computer first.")]
        return
    result = userdata.import_folder(Path(source), folder, res.atlas)
    if result.error:
        ss[REPORT] = [("error", f"Cannot import {code(result.source)}: {md(result.error)}.")]
        return
    _report(result.outcomes, from_folder=True)
    n = len(result.outcomes)
    stored = sum(
        o.status in (userdata.ADDED, userdata.REPLACED, userdata.SAME) for o in result.outcomes
    )
    bad = sum(o.status == userdata.REFUSED for o in result.outcomes)
    summary = f"{stored} of {n} .txt/.md file(s) of {code(result.source)} are in your documents"
    if bad:
        summary += f"; {bad} could not be imported (see below)"
    if result.skipped:
        summary += f"; {result.skipped} other file(s) ignored"
    kind = "warning" if bad or not n else "success"
    ss[REPORT] = [(kind, summary + "."), *ss[REPORT]]


def _on_resolve(res: Resources, folder: Path, replace: bool) -> None:
    ss = session.ss()
    pending: list[Outcome] = list(ss.get(PENDING) or [])
    ss[PENDING] = []
    ss[REPORT] = []
    if replace:
        outcomes = [
            userdata.store(folder, o.name, o.data, res.atlas, replace=True) for o in pending
        ]
        _report(outcomes, from_folder=False)
    else:
        ss[REPORT] = [
            ("info", f"Kept the stored copy of {code(o.doc_id)}; {code(o.name)} was not added.")
            for o in pending
        ]


# ---------------------------------------------------------------------------------------
# the screen


def show(res: Resources, corpus: Corpus, settings: MapSettings, data_dir: str | None) -> None:
    ss = session.ss()
    catalog = res.catalog
    lib = userdata.library(res, data_dir)
    docs = documents(res.atlas, corpus, lib)
    st.html(PANEL_CSS + READER_CSS + SECTION_CSS)

    st.header("Cables and documents", anchor=False)  # h2: the reader's title is h3
    st.caption(
        "The archival cables behind the lines, by date. Open one to read it: place names and "
        "the phrases that support a line are highlighted — click them to see them on the map."
    )
    ss.setdefault(FILTER, "all")
    st.segmented_control(
        "Documents of which theater",
        ["all", *S.THEATERS],
        format_func=lambda t: "Both theaters" if t == "all" else S.THEATER_LABELS[t],
        key=FILTER,
        required=True,
        label_visibility="collapsed",
    )
    chosen = ss[FILTER]
    shown = [d for d in docs.values() if chosen == "all" or d.theater == chosen]
    st.dataframe(
        table(shown, catalog),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * max(len(shown), 1), 360),
        column_config={
            "Date": st.column_config.TextColumn(width=90),
            "Theater": st.column_config.TextColumn(width=80),
            "Title": st.column_config.TextColumn(width="large"),
            "From → to": st.column_config.TextColumn(width="medium"),
            "Language": st.column_config.TextColumn(width=75),
            "Full text": st.column_config.TextColumn(width=120),
            "Lines it supports": st.column_config.TextColumn(width="medium"),
            "Added by you": st.column_config.TextColumn(width=100),
        },
    )
    for problem in lib.problems:
        st.warning(f"A file in your documents could not be read: {code(problem)}")

    _add_documents(res, lib)

    current = ss.get(session.CABLE)
    if current is not None and current not in docs:
        ss[session.CABLE] = current = None
    options = [d.id for d in shown]
    if current is not None and current not in options:
        options.insert(0, current)
    if ss.get(PICK) != current:
        ss[PICK] = current
    st.selectbox(
        "Read a document",
        options,
        index=None,
        format_func=lambda i: _label(docs[i]),
        key=PICK,
        placeholder="Choose a document to read…",
        on_change=_on_pick,
    )
    if current is not None:
        _reader(res, corpus, docs[current])


def _label(doc: Doc) -> str:
    title = doc.title if len(doc.title) <= 100 else doc.title[:97] + "…"
    mark = " · added by you" if doc.record is None else ""
    return f"{doc.date} · {title}{mark}"


def _add_documents(res: Resources, lib: Library) -> None:
    ss = session.ss()
    folder = Path(lib.folder)
    pending: list[Outcome] = list(ss.get(PENDING) or [])
    with st.expander("Add documents of your own (.txt or .md)", expanded=bool(pending)):
        st.caption(
            "Digital Archive documents saved as text: the archive's web page copied as text, "
            f"or its markdown. Up to {MAX_BYTES // 1_000_000} MB each; each needs a date and a "
            f"title. They are kept on this computer in {code(folder)}."
        )
        n = ss.get(UPLOAD_N, 0)
        key = f"aa_upload_{n}"
        st.file_uploader(
            "Upload files",
            type=["txt", "md"],
            accept_multiple_files=True,
            max_upload_size=max(1, MAX_BYTES // 1_000_000),
            key=key,
            on_change=_on_upload,
            args=(res, folder, key),
        )
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.text_input(
                "…or import every .txt and .md file of a folder on the machine running the app",
                key=FOLDER_INPUT,
                placeholder="/path/to/folder",
            )
            st.button(
                "Import folder", key="aa_user_import", on_click=_on_import, args=(res, folder)
            )
    for kind, message in ss.get(REPORT) or []:
        getattr(st, kind)(message)
    if pending:
        names = ", ".join(f"{code(o.name)} (document {code(o.doc_id)})" for o in pending)
        stored = ", ".join(code(o.stored) for o in pending)
        st.warning(
            f"A different copy of {names} is already stored ({stored}). "
            "Replace the stored copy, or keep it and drop the new file?"
        )
        with st.container(horizontal=True):
            st.button(
                "Replace the stored copy",
                key="aa_user_replace",
                on_click=_on_resolve,
                args=(res, folder, True),
            )
            st.button(
                "Keep the stored copy",
                key="aa_user_keep",
                on_click=_on_resolve,
                args=(res, folder, False),
            )


def _badges(doc: Doc) -> str:
    items = [doc.date, S.THEATER_LABELS.get(doc.theater, "theater not known")]
    if doc.language:
        items.append(doc.language)
    items.append("full text" if doc.text else "no full text here")
    if doc.added:
        items.append("added by you")
    return '<div class="aa-badges">' + "".join(f"<span>{esc(i)}</span>" for i in items) + "</div>"


def _reader(res: Resources, corpus: Corpus, doc: Doc) -> None:
    atlas, catalog = res.atlas, res.catalog
    record, text = doc.record, doc.text
    body = text.body if text else ""

    # what to highlight: the evidence phrases of an atlas record, else the lines' key terms
    line_spans: list[Mention] = []
    missing: set[int] = set()
    if record is not None:
        for i, ev in enumerate(record.supports):
            found = find_mentions(body, places={}, proposals={ev.proposal: [ev.phrase]})
            if not found:
                missing.add(i)
            line_spans.extend(found)
        line_class = "aa-ev"
    elif doc.user is not None:
        line_spans = [m for m in doc.user.mentions if m.kind == "proposal"]
        line_class = "aa-term"
    if doc.theater:
        places_map, _ = userdata.name_maps(atlas, doc.theater)
    else:
        places_map = {
            pid: list(p.names()) for pid, p in atlas.places.items() if p.kind != "waypoint"
        }
    place_spans = find_mentions(body, places=places_map, proposals={}) if body else []
    named = [m.ref for m in place_spans]
    if record is not None:
        named = [pid for pid, p in atlas.places.items() if record.id in p.cables] + named
    named = [pid for pid in dict.fromkeys(named) if pid in catalog.places]

    with st.container(border=True):
        st.subheader(md_label(doc.title), anchor=False)
        st.html(_badges(doc))
        left, right = st.columns([3, 2], gap="medium")
        with right:
            _meta(doc)
            _line_buttons(res, doc, missing if text else set())
            if named:
                st.markdown("**Places it names** — click to fly the map there")
                with st.container(horizontal=True):
                    for pid in named:
                        st.button(
                            md_label(catalog.places[pid].label),
                            key=f"aa_cbl_place_{pid}",
                            icon=":material/location_on:",
                            on_click=go_place,
                            args=(catalog, pid),
                        )
        with left:
            if text is not None:
                where = (
                    f"added by you ({code(doc.user.file)})"
                    if doc.text_from == "added" and doc.user
                    else f"from the corpus folder ({code(corpus.files.get(doc.id, ''))})"
                )
                st.caption(f"Full text, {where}. Highlighted names and phrases are links.")
                html = marked_html(body, line_spans, place_spans, catalog, line_class=line_class)
                with st.container(height=TEXT_HEIGHT if len(body) > 1500 else "content"):
                    st.html(f'<div class="aa-cable-text aa-reader">{html}</div>')
                if text.summary:
                    st.caption(f"Archive summary: {md(text.summary)}")
            else:
                if corpus.folder is None or corpus.missing:
                    why = "no corpus folder is set (ARMISTICE_CORPUS or `-- --corpus DIR`)"
                else:
                    why = "this cable is not in the corpus folder"
                st.info(
                    f"**The full text is not available here**: {why}. The citation, our "
                    "summary and the archive link identify the document; you can also add "
                    "its text under “Add documents of your own” above."
                )
                if record is not None:
                    st.markdown(f"**What the cable says (our summary).** {md(record.summary)}")


def _meta(doc: Doc) -> None:
    record, text = doc.record, doc.text
    if doc.sender or doc.recipient:
        st.markdown(f"**From** {md(doc.sender or '?')} **to** {md(doc.recipient or '?')}")
    if record is not None:
        st.markdown(f"**Citation:** {md(record.citation)}")
        st.markdown(archive_links(record))
        if record.translator:
            st.caption(f"Translated by {md(record.translator)}")
        if record.id_note:
            st.caption(md(record.id_note))
        if text is not None:
            with st.expander("What the cable says (our summary)"):
                st.markdown(md(record.summary))
    elif text is not None:
        if text.citation:
            st.markdown(f"**Citation:** {md(text.citation)}")
        if text.url:
            st.markdown(link("Wilson Center Digital Archive", text.url))
        if text.translator:
            st.caption(f"Translated by {md(text.translator)}")
        if doc.user is not None:
            notes = [*doc.user.notes]
            if text.url is None:
                notes.append("no archive document number; its id comes from date and title")
            st.caption(f"Added by you, kept as {code(doc.user.file)}. " + md("; ".join(notes)))


def _line_buttons(res: Resources, doc: Doc, missing: set[int]) -> None:
    catalog = res.catalog
    lines = [lid for lid in doc.lines if lid in catalog.lines]
    if not lines:
        if doc.record is not None:
            st.caption("No line on the map rests on this cable.")
        return
    if doc.record is not None:
        st.markdown("**Lines it supports** — click to see one on the map")
    else:
        st.markdown("**Lines it names** (by their key terms; check before relying on it)")
    for lid in lines:
        st.button(
            md_label(catalog.lines[lid].title),
            key=f"aa_cbl_line_{lid}",
            icon=":material/timeline:",
            on_click=go_line,
            args=(catalog, lid),
            width="stretch",
        )
        if doc.record is not None:
            phrases = []
            for i, ev in enumerate(doc.record.supports):
                if ev.proposal != lid:
                    continue
                note = " (not found word for word in this text)" if i in missing else ""
                phrases.append(f"“{md(ev.phrase)}”{note}")
            st.caption(" · ".join(phrases))
        elif doc.user is not None:
            terms = dict.fromkeys(
                m.text for m in doc.user.mentions if m.kind == "proposal" and m.ref == lid
            )
            st.caption("names " + ", ".join(f"“{md(t)}”" for t in terms))
