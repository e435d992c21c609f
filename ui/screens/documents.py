"""The Documents screen: every source by date, a reader, and documents a visitor adds.

The list holds the atlas's document records (cables, telegrams, memoranda, minutes, the
agreements), the visitor's own documents (this session only) and the shared library's. A row
opens its document; the reader shows the whole text with the places it names and the
evidence phrases of the lines it supports marked (each a link to the map), and the same
targets as buttons beside it. See :mod:`ui.library` for who may add what where.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from geo.documents import Mention, ParsedDocument, find_mentions
from geo.documents.model import MAX_BYTES
from geo.geometry import BuiltAtlas
from geo.records.model import Atlas, Document
from geo.vocab import THEATERS, theater_label
from ui import library, session
from ui.library import AddedDoc, Library, Outcome
from ui.panel import archive_links
from ui.reader import marked_html
from ui.resources import Corpus, mode, settings
from ui.styles import css
from ui.text import code, esc, link, md, md_label, visible

FILTER = "aa_doc_filter"
UPLOAD_N = "aa_upload_n"
REPORT = "aa_doc_report"  # [(kind, markdown)] from the last upload or import
PENDING = "aa_doc_pending"  # [Outcome] library conflicts waiting for an answer
TABLE = "aa_doc_table"
TARGET = "aa_doc_target"  # "session" or "library"


@dataclass(frozen=True)
class Row:
    """One document in the list: an atlas record, or a document someone added."""

    key: str
    date: str
    theater: str
    title: str
    kind: str
    record: Document | None
    text: ParsedDocument | None
    added: AddedDoc | None
    lines: tuple[str, ...]


def rows(atlas: Atlas, corpus: Corpus, own: dict[str, AddedDoc], lib: Library) -> dict[str, Row]:
    """Atlas records first with their corpus text; added documents beside them, never for
    them (a file with a record's number is listed as the visitor's copy)."""
    out: list[Row] = []
    for doc in atlas.documents.values():
        lines = tuple(dict.fromkeys(ev.proposal for ev in doc.supports))
        out.append(
            Row(
                doc.id,
                doc.date,
                doc.theater,
                doc.title,
                doc.kind,
                doc,
                corpus.texts.get(doc.id),
                None,
                lines,
            )
        )
    for added in [*own.values(), *lib.docs.values()]:
        d = added.document
        kind = "your document" if added.origin == "session" else "shared library"
        out.append(
            Row(
                f"{added.origin}:{d.id}",
                d.date,
                added.theater,
                d.title,
                kind,
                None,
                d,
                added,
                added.lines,
            )
        )
    out.sort(key=lambda r: (r.date, r.key))
    return {r.key: r for r in out}


def show(built: BuiltAtlas, corpus: Corpus) -> None:
    ss = session.ss()
    atlas = built.atlas
    own: dict[str, AddedDoc] = ss.setdefault(session.DOCS, {})
    lib = library.read_library(settings().user_dir, atlas)
    docs = rows(atlas, corpus, own, lib)
    st.html(css("panel.css"))
    st.header("Documents", anchor=False)
    st.caption(
        "The archival sources behind the lines, by date: cables, telegrams, memoranda, minutes "
        "and the signed agreements. Choose a row to read it; marked names and phrases open the map."
    )
    theater = ss[session.THEATER]
    if ss.get(FILTER) not in ("all", *THEATERS):
        ss[FILTER] = theater
    st.segmented_control(
        "Documents of which theater",
        ["all", *THEATERS],
        format_func=lambda t: "Both theaters" if t == "all" else theater_label(t),
        key=FILTER,
        required=True,
        label_visibility="collapsed",
    )
    chosen = ss[FILTER]
    shown = [r for r in docs.values() if chosen == "all" or r.theater in (chosen, "")]
    _table(shown, atlas)
    for problem in lib.problems:
        st.warning(f"A file in the shared library could not be read: {code(problem)}")
    _add_documents(atlas, lib)

    current = ss.get(session.DOC)
    if current is not None and current not in docs:
        ss[session.DOC] = current = None
    if current is not None:
        _reader(built, corpus, docs[current], lib)


def _table(shown: Sequence[Row], atlas: Atlas) -> None:
    data = [
        {
            "Date": r.date,
            "Theater": theater_label(r.theater) if r.theater else "—",
            "Title": r.title,
            "Kind": r.kind,
            "Full text": "yes" if r.text else "no",
            "Lines": "; ".join(atlas.lines[i].title for i in r.lines if i in atlas.lines),
        }
        for r in shown
    ]
    event = st.dataframe(
        data,
        hide_index=True,
        width="stretch",
        height=min(40 + 35 * max(len(data), 1), 420),
        on_select="rerun",
        selection_mode="single-row",
        key=f"{TABLE}_{session.ss().get(FILTER)}",
        column_config={
            "Date": st.column_config.TextColumn(width="small"),
            "Theater": st.column_config.TextColumn(width="small"),
            "Title": st.column_config.TextColumn(width="large"),
            "Kind": st.column_config.TextColumn(width="small"),
            "Full text": st.column_config.TextColumn(width="small"),
            "Lines": st.column_config.TextColumn(width="medium"),
        },
    )
    picked = getattr(getattr(event, "selection", None), "rows", None) or []
    if picked and 0 <= picked[0] < len(shown):
        key = shown[picked[0]].key
        if session.ss().get(session.DOC) != key:
            session.ss()[session.DOC] = key
            st.rerun()


# ---------------------------------------------------------------------------------------
# adding documents


def _writable() -> bool:
    return library.can_write(mode(), settings(), session.ss().get(session.TOKEN))


def _report(outcomes: Sequence[Outcome], *, where: str) -> None:
    ss = session.ss()
    report: list[tuple[str, str]] = []
    pending: list[Outcome] = list(ss.get(PENDING) or [])
    for o in outcomes:
        name = code(o.name)
        if o.status in (library.ADDED, library.REPLACED) and o.doc is not None:
            report.append(("success", f"Added {name}: “{md(o.doc.document.title)}” ({where})."))
            if o.doc.record:
                report.append(
                    (
                        "info",
                        f"{name} carries the number of the atlas record "
                        f"{code(o.doc.record)}; it is listed as your copy, beside it.",
                    )
                )
            ss[session.DOC] = f"{o.doc.origin}:{o.doc.document.id}"
        elif o.status == library.SAME:
            report.append(("info", f"{name} is already there; nothing changed."))
        elif o.status == library.CONFLICT:
            pending = [p for p in pending if p.name != o.name] + [o]
        else:
            report.append(("error", f"{name} refused: {md(o.reason)}. Nothing else changed."))
    ss[REPORT] = report
    ss[PENDING] = pending


def _on_upload(atlas: Atlas, key: str) -> None:
    ss = session.ss()
    files = ss.get(key) or []
    if not isinstance(files, list):
        files = [files]
    if ss.get(TARGET) == "library" and _writable():
        lib = library.read_library(settings().user_dir, atlas)
        outcomes = [
            library.add_to_library(
                settings().user_dir, atlas, f.name, f.getvalue(), settings(), lib
            )
            for f in files
        ]
        _report(outcomes, where="in the shared library")
    else:
        own = ss.setdefault(session.DOCS, {})
        outcomes = [
            library.add_to_session(own, atlas, f.name, f.getvalue(), settings()) for f in files
        ]
        _report(outcomes, where="in this session only")
    ss[UPLOAD_N] = ss.get(UPLOAD_N, 0) + 1  # a fresh uploader: the upload is dropped now


def _on_import(atlas: Atlas, folder: str) -> None:
    files, error = library.folder_files(settings().import_root, folder)  # type: ignore[arg-type]
    if error:
        session.ss()[REPORT] = [("error", f"Cannot import: {md(error)}.")]
        return
    own = session.ss().setdefault(session.DOCS, {})
    outcomes = [
        library.add_to_session(own, atlas, name, data, settings())
        if data is not None
        else Outcome(library.clean_name(name), library.REFUSED, f"larger than {MAX_BYTES:,} bytes")
        for name, data in files
    ]
    _report(outcomes, where="in this session only")
    if not files:
        session.ss()[REPORT] = [("warning", "That folder holds no .txt or .md files.")]


def _on_resolve(atlas: Atlas, replace: bool) -> None:
    ss = session.ss()
    pending: list[Outcome] = list(ss.get(PENDING) or [])
    ss[PENDING] = []
    if replace and _writable():
        lib = library.read_library(settings().user_dir, atlas)
        outcomes = [
            library.add_to_library(
                settings().user_dir, atlas, o.name, o.data, settings(), lib, replace=True
            )
            for o in pending
        ]
        _report(outcomes, where="in the shared library")
    else:
        ss[REPORT] = [
            ("info", f"Kept the stored copy; {code(o.name)} was not added.") for o in pending
        ]


def _on_token() -> None:
    ss = session.ss()
    ss[session.TOKEN] = ss.get("w_token") or None
    ss["w_token"] = ""


def _on_remove(atlas: Atlas, key: str) -> None:
    ss = session.ss()
    origin, _, doc_id = key.partition(":")
    if origin == "session":
        ss.setdefault(session.DOCS, {}).pop(f"added:{doc_id}", None)
        ss[REPORT] = [("info", "Removed your document.")]
    elif origin == "library" and _writable():
        ok = library.remove_from_library(settings().user_dir, doc_id)
        ss[REPORT] = [
            (
                "info" if ok else "error",
                "Removed it from the shared library." if ok else "It could not be removed.",
            )
        ]
    ss[session.DOC] = None


def _add_documents(atlas: Atlas, lib: Library) -> None:
    ss = session.ss()
    s = settings()
    writable = _writable()
    pending: list[Outcome] = list(ss.get(PENDING) or [])
    with st.expander("Add documents of your own (.txt or .md)", expanded=bool(pending)):
        st.caption(
            "Digital Archive documents saved as text (the archive's page copied as text, or its "
            f"markdown), up to {MAX_BYTES // 1_000_000} MB each, with a date and a title. What you "
            f"add stays in this session only (at most {s.session_docs} documents) and is gone "
            "when you close the page; nobody else sees it."
        )
        if writable:
            st.radio(
                "Keep new documents",
                ["session", "library"],
                key=TARGET,
                horizontal=True,
                format_func=lambda t: (
                    "in this session"
                    if t == "session"
                    else "in the shared library (everyone sees them)"
                ),
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
            args=(atlas, key),
        )
        folders = library.import_folders(s.import_root)
        if folders:
            with st.container(horizontal=True, vertical_alignment="bottom"):
                st.selectbox(
                    "…or import a folder this server offers",
                    folders,
                    key="aa_import_pick",
                    format_func=lambda f: "(the main folder)" if f == "." else f,
                )
                st.button(
                    "Import folder",
                    key="aa_import_go",
                    on_click=lambda: _on_import(atlas, session.ss().get("aa_import_pick") or "."),
                )
        if s.operator_token and mode() != "local" and not writable:
            st.text_input(
                "Operator token (to add to the shared library)",
                key="w_token",
                type="password",
                on_change=_on_token,
            )
    for kind, message in ss.get(REPORT) or []:
        getattr(st, kind)(message)
    if pending:
        names = ", ".join(code(o.name) for o in pending)
        st.warning(f"A different copy of {names} is already in the shared library. Replace it?")
        with st.container(horizontal=True):
            st.button(
                "Replace the stored copy",
                key="aa_doc_replace",
                on_click=_on_resolve,
                args=(atlas, True),
            )
            st.button(
                "Keep the stored copy", key="aa_doc_keep", on_click=_on_resolve, args=(atlas, False)
            )


# ---------------------------------------------------------------------------------------
# the reader


def _go_place(place_id: str, theater: str) -> None:
    ss = session.ss()
    if ss[session.THEATER] != theater:
        ss[session.THEATER] = theater
        session.on_theater_change()
    session.fly_to(place_id)
    ss[session.VIEW] = "map"


def _go_line(line_id: str, theater: str) -> None:
    ss = session.ss()
    if ss[session.THEATER] != theater:
        ss[session.THEATER] = theater
        session.on_theater_change()
    session.select_and_show(line_id)


def _reader(built: BuiltAtlas, corpus: Corpus, row: Row, lib: Library) -> None:
    atlas = built.atlas
    record, text = row.record, row.text
    body = text.body if text else ""
    line_spans: list[Mention] = []
    missing: set[int] = set()
    line_class = "aa-ev"
    if record is not None:
        for i, ev in enumerate(record.supports):
            found = (
                find_mentions(body, places={}, proposals={ev.proposal: [ev.phrase]}) if body else []
            )
            if not found:
                missing.add(i)
            line_spans.extend(found)
    elif row.added is not None:
        line_spans = [m for m in row.added.mentions if m.kind in ("proposal", "parallel")]
        line_class = "aa-term"
    places_map, _ = atlas.name_maps(row.theater or None)
    places_map = {pid: n for pid, n in places_map.items() if atlas.places[pid].kind != "waypoint"}
    place_spans = find_mentions(body, places=places_map, proposals={}) if body else []
    named = [pid for pid, p in atlas.places.items() if record and record.id in p.documents]
    named = list(dict.fromkeys([*named, *(m.ref for m in place_spans)]))

    with st.container(border=True):
        st.subheader(md_label(row.title), anchor=False)
        badges = [
            row.date,
            theater_label(row.theater) if row.theater else "theater not known",
            row.kind,
            "full text" if text else "no full text here",
        ]
        st.html(
            '<div class="aa-badges">' + "".join(f"<span>{esc(b)}</span>" for b in badges) + "</div>"
        )
        left, right = st.columns([3, 2], gap="medium")
        with right:
            _meta(row)
            _line_buttons(atlas, row, missing if text else set())
            if named:
                st.markdown("**Places it names** — click to fly the map there")
                with st.container(horizontal=True):
                    for pid in named[:60]:
                        place = atlas.places[pid]
                        st.button(
                            md_label(place.label),
                            key=f"aa_doc_place_{pid}",
                            icon=":material/location_on:",
                            on_click=_go_place,
                            args=(pid, place.theater),
                        )
            if row.added is not None and (row.added.origin == "session" or _writable()):
                st.button(
                    "Remove this document",
                    key="aa_doc_remove",
                    icon=":material/delete:",
                    on_click=_on_remove,
                    args=(atlas, row.key),
                )
        with left:
            if text is not None:
                html = marked_html(body, line_spans, place_spans, atlas, line_class=line_class)
                st.html(f'<div class="aa-doc-text">{html}</div>')
                if text.summary:
                    st.caption(f"Archive summary: {md(text.summary)}")
            else:
                st.info(
                    "**The full text is not here.** Its publisher's copy is linked beside; the "
                    "evidence phrases say where each was read. You can add a saved copy above."
                )
                if record is not None:
                    st.markdown(f"**What it says (our summary).** {md(record.summary)}")


def _meta(row: Row) -> None:
    record, text = row.record, row.text
    if record is not None:
        if record.sender or record.recipient:
            st.markdown(f"**From** {md(record.sender or '?')} **to** {md(record.recipient or '?')}")
        st.markdown(f"**Citation:** {md(' '.join(record.citation.split()))}")
        st.markdown(archive_links(record))
        if record.translator:
            st.caption(f"Translated by {md(record.translator)}")
        if record.id_note:
            st.caption(md(record.id_note))
    elif text is not None and row.added is not None:
        if text.citation:
            st.markdown(f"**Citation:** {md(text.citation)}")
        if text.url:
            st.markdown(link("archive", text.url))
        notes = [*row.added.notes]
        if row.added.record:
            notes.append(
                f"same number as the atlas record {row.added.record}, listed apart from it"
            )
        where = (
            "added by you, in this session" if row.added.origin == "session" else "shared library"
        )
        st.caption(f"{md(where)}: {code(visible(row.added.name))}. " + md("; ".join(notes)))


def _line_buttons(atlas: Atlas, row: Row, missing: set[int]) -> None:
    lines = [lid for lid in row.lines if lid in atlas.lines]
    if not lines:
        if row.record is not None:
            st.caption("No line on the map rests on this document.")
        return
    if row.record is not None:
        st.markdown("**Lines it supports** — click to see one on the map")
    else:
        st.markdown("**Lines it names** (by their key terms; check before relying on it)")
    for lid in lines:
        line = atlas.lines[lid]
        st.button(
            md_label(line.title),
            key=f"aa_doc_line_{lid}",
            icon=":material/timeline:",
            on_click=_go_line,
            args=(lid, line.theater),
            width="stretch",
        )
        if row.record is not None:
            phrases = [
                f"“{md(ev.phrase)}”"
                + (" (not found word for word in this text)" if i in missing else "")
                for i, ev in enumerate(row.record.supports)
                if ev.proposal == lid
            ]
            st.caption(" · ".join(phrases))
