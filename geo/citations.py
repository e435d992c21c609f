"""Citations of the archival cables as RIS and BibTeX, for reference managers.

Teachers and students who use the atlas need to cite the documents behind a line, not the
atlas. Both formats are written by hand from :class:`~geo.records.Cable` records (no
dependency), in a stable order with stable keys (``wcda<archive document id>``) so a
bibliography that cites ``wcda110145`` keeps working after the data is edited.

Author names are written as one unit (``{{Li Kenong}}`` in BibTeX, no comma in RIS) and are
never split into given and family names: the senders are Chinese names written family name
first, or bodies such as the CCP Central Committee, and a guessed split would misfile them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date as _date

from geo.records import Atlas, Cable

PUBLISHER = "Wilson Center Digital Archive"
RIS_MIME = "application/x-research-info-systems"
BIBTEX_MIME = "application/x-bibtex"
#: RIS type: the cables are government records held in state archives.
RIS_TYPE = "GOVDOC"
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
    """The stable key of a cable: ``wcda`` and its archive id (``wcda110145``).

    Ids that are not numbers (a dated slug) keep their letters, digits and hyphens, so the
    key is still derived from the id alone and never changes while the id does not.
    """
    return "wcda" + _KEY_UNSAFE.sub("-", cable.id).strip("-")


def author(cable: Cable) -> str:
    """The sender without the explanatory note in brackets (``Mao Zedong (forwarding ...)``)."""
    name = re.sub(r"\s*\([^)]*\)", "", cable.sender)
    return _one_line(name)


def cables_for(atlas: Atlas, line_ids: Iterable[str]) -> list[Cable]:
    """The cables that are sources of the given lines, each once, oldest first."""
    ids = {cid for lid in line_ids if lid in atlas.lines for cid in atlas.lines[lid].sources}
    return _ordered(atlas.cables[cid] for cid in ids if cid in atlas.cables)


def full_citation(cable: Cable) -> str:
    """The archive's citation followed by the canonical address (for print handouts)."""
    text = _one_line(cable.citation)
    return f"{text} {cable.url}" if cable.url and cable.url not in text else text


def to_ris(cables: Iterable[Cable]) -> str:
    """RIS records (one per cable, oldest first, duplicates dropped).

    Lines end in CR LF as the RIS specification asks; reference managers accept both.

    Parameters
    ----------
    cables
        Any cable records, e.g. ``atlas.cables.values()`` or :func:`cables_for`.

    Returns
    -------
    str
        The RIS text; empty when there are no cables.
    """
    out: list[str] = []
    for cable in _ordered(cables):
        fields: list[tuple[str, str]] = [
            ("TY", RIS_TYPE),
            ("ID", cite_key(cable)),
            ("TI", cable.title),
        ]
        if author(cable):
            fields.append(("AU", author(cable)))
        year, month, day = _ymd(cable.date)
        if year:
            fields.append(("PY", year))
            fields.append(("DA", f"{year}/{month}/{day}/" if day else f"{year}///"))
        fields += [("PB", PUBLISHER), ("DB", PUBLISHER)]
        if cable.archive:
            fields.append(("AV", cable.archive))
        if cable.language:
            fields.append(("LA", cable.language))
        if cable.url:
            fields.append(("UR", cable.url))
        fields.append(("N1", _note(cable)))
        out.extend(f"{tag}  - {_one_line(value)}" for tag, value in fields if value)
        out.append("ER  - ")
        out.append("")
    return "\r\n".join(out)


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
        fields.append(("howpublished", "{" + bibtex_escape(PUBLISHER) + "}"))
        fields.append(("organization", "{" + bibtex_escape(PUBLISHER) + "}"))
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
