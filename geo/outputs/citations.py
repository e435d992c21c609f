"""Citations of the documents behind the lines (cables, FRUS telegrams, the agreements) as
RIS and BibTeX, for reference managers.

Teachers and students who use the atlas need to cite the documents behind a line, not the
atlas. RIS is written with rispy (tag mapping and line format); BibTeX by hand, because its
escaping and brace rules are the point and no maintained writer does them. Order and keys are
stable (``wcda110145``, ``frus1952-54v16-d752``) so a bibliography keeps working after the data
is edited.

Author names are written as one unit (``{{Li Kenong}}`` in BibTeX, no comma in RIS) and are
never split into given and family names: the senders are Chinese names written family name
first, or bodies such as the CCP Central Committee, and a guessed split would misfile them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date as _date

import rispy

from geo.records.model import Atlas, Document

Cable = Document
PUBLISHER = "Wilson Center Digital Archive"
RIS_MIME = "application/x-research-info-systems"
BIBTEX_MIME = "application/x-bibtex"
#: RIS types: the documents are government records; the agreements are statutes/treaties.
RIS_TYPE = "GOVDOC"
RIS_TYPES = {"agreement": "STAT"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_RE = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIAL))
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")


def cite_key(cable: Cable) -> str:
    """The stable key of a document: its id, and ``wcda`` before Wilson Center ids
    (``wcda110145``); other ids (``frus1952-54v16-d752``) are keys already.
    """
    key = _KEY_UNSAFE.sub("-", cable.id).strip("-")
    return "wcda" + key if _publisher(cable) == PUBLISHER else key


def _publisher(cable: Cable) -> str:
    return cable.publisher or PUBLISHER


def author(cable: Cable) -> str:
    """The sender without the explanatory note in brackets (``Mao Zedong (forwarding ...)``)."""
    name = re.sub(r"\s*\([^)]*\)", "", cable.sender)
    # one unit: a comma would make reference managers read "family, given"
    return _one_line(name.replace(",", " –"))


def cables_for(atlas: Atlas, line_ids: Iterable[str]) -> list[Cable]:
    """The documents that are sources of the given lines, each once, oldest first."""
    return atlas.documents_for(tuple(line_ids))


documents_for = cables_for


def full_citation(cable: Cable) -> str:
    """The archive's citation followed by the canonical address (for print handouts)."""
    text = _one_line(cable.citation)
    return f"{text} {cable.url}" if cable.url and cable.url not in text else text


def to_ris(cables: Iterable[Cable]) -> str:
    """RIS records (one per document, oldest first, duplicates dropped), written by rispy.

    Lines end in CR LF as the RIS specification asks; reference managers accept both.
    ``AV`` (archive location) is not in rispy's tag table, so the archive reference goes in
    ``CN`` (call number), where reference managers show it.
    """
    entries: list[dict[str, object]] = []
    for cable in _ordered(cables):
        entry: dict[str, object] = {
            "type_of_reference": RIS_TYPES.get(cable.kind, RIS_TYPE),
            "id": cite_key(cable),
            "title": _one_line(cable.title),
        }
        if author(cable):
            entry["authors"] = [author(cable)]
        year, month, day = _ymd(cable.date)
        if year:
            entry["year"] = year
            entry["date"] = f"{year}/{month}/{day}/" if day else f"{year}///"
        entry["publisher"] = _one_line(_publisher(cable))
        entry["name_of_database"] = _one_line(cable.collection or _publisher(cable))
        if cable.archive:
            entry["call_number"] = _one_line(cable.archive)
        if cable.language:
            entry["language"] = _one_line(cable.language)
        if cable.url:
            entry["urls"] = [cable.url]
        if _note(cable):
            entry["notes"] = [_note(cable)]
        entries.append(entry)
    if not entries:
        return ""
    text = rispy.dumps(entries)
    return "\r\n".join(text.replace("\r\n", "\n").split("\n"))


def to_bibtex(cables: Iterable[Cable]) -> str:
    """BibTeX ``@misc`` entries (one per cable, oldest first, duplicates dropped).

    Text fields are escaped for LaTeX (``{ } % & $ # _ ~ ^ \\``); the title and author are
    double-braced so styles keep their capitals. ``date`` and ``language`` are for
    biblatex, ``year``/``month`` for classic BibTeX; each ignores the fields it lacks.

    Parameters
    ----------
    cables
        Any cable records, e.g. ``atlas.cables.values()`` or :func:`cables_for`.

    Returns
    -------
    str
        The BibTeX text; empty when there are no cables.
    """
    entries: list[str] = []
    for cable in _ordered(cables):
        fields: list[tuple[str, str]] = []  # name, value as written (braces included)
        if author(cable):
            fields.append(("author", "{{" + bibtex_escape(author(cable)) + "}}"))
        fields.append(("title", "{{" + bibtex_escape(cable.title) + "}}"))
        year, month, day = _ymd(cable.date)
        if day:
            fields.append(("date", f"{{{year}-{month}-{day}}}"))
        if year:
            fields.append(("year", f"{{{year}}}"))
        if month:
            fields.append(("month", _MONTHS[int(month) - 1]))
        fields.append(
            ("howpublished", "{" + bibtex_escape(cable.collection or _publisher(cable)) + "}")
        )
        fields.append(("organization", "{" + bibtex_escape(_publisher(cable)) + "}"))
        if cable.url:
            fields.append(("url", "{" + _url(cable.url) + "}"))
        if cable.language:
            fields.append(("language", "{" + bibtex_escape(cable.language) + "}"))
        fields.append(("note", "{" + bibtex_escape(_note(cable)) + "}"))
        body = "\n".join(f"  {name:<12} = {value}," for name, value in fields)
        entries.append(f"@misc{{{cite_key(cable)},\n{body}\n}}\n")
    return "\n".join(entries)


def bibtex_escape(text: str) -> str:
    """Escape LaTeX's special characters so the value compiles and prints as written."""
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group(0)], _one_line(text))


# ---------------------------------------------------------------------------------------


def _ordered(cables: Iterable[Cable]) -> list[Cable]:
    unique = {c.id: c for c in cables}
    return sorted(unique.values(), key=lambda c: (c.date, c.id))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _ymd(text: str) -> tuple[str, str, str]:
    """Year, month and day of an ISO date; approximate dates keep only what is certain."""
    try:
        d = _date.fromisoformat(text.rstrip("~?%"))
    except ValueError:
        return (text[:4], "", "") if text[:4].isdigit() else ("", "", "")
    if text != text.rstrip("~?%"):
        return (f"{d.year:04d}", "", "")
    return (f"{d.year:04d}", f"{d.month:02d}", f"{d.day:02d}")


def _note(cable: Cable) -> str:
    parts = []
    if cable.archive:
        parts.append(f"Archive reference: {cable.archive}")
    if cable.translator:
        parts.append(f"Translated by {cable.translator}")
    if cable.sender:
        parts.append(f"From: {cable.sender}")
    if cable.recipient:
        parts.append(f"To: {cable.recipient}")
    if cable.id.isdigit():
        parts.append(f"Document {cable.id}")
    return _one_line(". ".join(parts) + ".") if parts else ""


def _url(url: str) -> str:
    """URLs go in verbatim (the ``url`` field is not TeX); only braces must be encoded."""
    return url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")
