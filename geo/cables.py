"""Parse archival cables (Wilson Center Digital Archive translations) and find mentions.

The archive's documents reach us in three layouts:

``markdown``
    Bold headers (``**June 26, 1954**``), bold field labels (``**Citation:**``),
    the URL in angle brackets and the text after ``Translation - English``.
``plain``
    The same fields without bold (``Citation:``); the URL usually sits inline at
    the end of the citation and date and title may share one line.
``webpage``
    Text scraped from the archive's web page: ``Skip to content``, a date line,
    a title line, the body, a summary paragraph, ``Document Information``, a
    source line, rights boilerplate, ``Original Uploaded Date`` and ``Record ID``.

Only the standard library is used; nothing here imports the UI stack.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ARCHIVE_DOCUMENT_URL",
    "LAYOUTS",
    "MAX_BYTES",
    "CableEncodingWarning",
    "CableParseError",
    "ImportReport",
    "ImportedDocument",
    "Mention",
    "ParsedCable",
    "find_mentions",
    "highlight_spans",
    "import_cables",
    "parse_cable_text",
    "read_cable_file",
]

#: Largest file :func:`read_cable_file` accepts by default, in bytes.
MAX_BYTES = 2_000_000

#: Canonical address of an archive document, formatted with its number.
ARCHIVE_DOCUMENT_URL = "https://digitalarchive.wilsoncenter.org/document/{number}"

#: The layouts :func:`parse_cable_text` recognises.
LAYOUTS = ("markdown", "plain", "webpage")

_CABLE_SUFFIXES = frozenset({".txt", ".md"})


class CableParseError(ValueError):
    """A cable could not be read or parsed.

    Parameters
    ----------
    source : str
        The file name (or ``"<text>"``/``"<upload>"``) the text came from.
    reason : str
        A short, human-readable explanation.
    path : pathlib.Path or None, optional
        The full path of the offending file or directory, when there is one.

    Notes
    -----
    ``str(error)`` is ``"<source>: <reason>"``.
    """

    def __init__(self, source: str, reason: str, path: Path | None = None) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.path = path

    def __reduce__(self) -> tuple[type[CableParseError], tuple[str, str, Path | None]]:
        return (type(self), (self.source, self.reason, self.path))


class CableEncodingWarning(UserWarning):
    """A cable file was not valid UTF-8 and was decoded with a fallback codec."""


@dataclass(frozen=True)
class ParsedCable:
    """One archival document and its metadata.

    Attributes
    ----------
    id : str
        The archive document number (from a ``/document/<n>`` URL or a
        ``Record ID`` line); without one, ``"<date>-<slug of title>"``.
    title : str
        Document title (the citation's quoted title when there is one).
    date : str
        ISO date, ``YYYY-MM-DD``.
    url : str or None
        Canonical ``https://digitalarchive.wilsoncenter.org/document/<n>``.
    source_url : str or None
        The URL exactly as found in the text (any host).
    citation : str or None
        The citation (URL removed) or, for web pages, the source line.
    summary : str or None
        The archive's summary.
    language : str or None
        The original language.
    translator : str or None
        The translator's name.
    sender, recipient : str or None
        Who sent the document to whom, where the title says so.
    archive_ref : str or None
        The holding archive's reference, e.g. ``"PRC FMA 206-00046-34, 140-142"``.
    body : str
        The document text.
    layout : str
        ``"markdown"``, ``"plain"`` or ``"webpage"``.
    source : str
        File name, or ``"<text>"``/``"<upload>"``.
    """

    id: str
    title: str
    date: str
    url: str | None
    source_url: str | None
    citation: str | None
    summary: str | None
    language: str | None
    translator: str | None
    sender: str | None
    recipient: str | None
    archive_ref: str | None
    body: str
    layout: str
    source: str


@dataclass(frozen=True)
class Mention:
    """A place or proposal named in a text.

    Attributes
    ----------
    kind : str
        ``"place"`` or ``"proposal"``.
    ref : str
        The id of the place or proposal.
    text : str
        The matched text, exactly as it appears (including any ``[sic]``).
    start, end : int
        ``text == source[start:end]``.
    sic : bool
        Whether the text carries ``[sic]`` after the name.
    """

    kind: str
    ref: str
    text: str
    start: int
    end: int
    sic: bool


@dataclass(frozen=True)
class ImportedDocument:
    """A parsed cable with the places and proposals its body mentions.

    Attributes
    ----------
    cable : ParsedCable
        The parsed document.
    places, proposals : list of str
        Ids mentioned in the body, in order of first mention.
    mentions : list of Mention
        Every mention, with offsets into ``cable.body``.
    warnings : list of str
        Things worth a look (missing URL, fallback encoding, ...).
    """

    cable: ParsedCable
    places: list[str]
    proposals: list[str]
    mentions: list[Mention]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """Summarise the document as JSON-serialisable data.

        Returns
        -------
        dict
            ``id``, ``title``, ``date``, ``url``, ``citation``, ``language``,
            ``places``, ``proposals`` and ``warnings``.
        """
        return {
            "id": self.cable.id,
            "title": self.cable.title,
            "date": self.cable.date,
            "url": self.cable.url,
            "citation": self.cable.citation,
            "language": self.cable.language,
            "places": list(self.places),
            "proposals": list(self.proposals),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class ImportReport:
    """The outcome of :func:`import_cables`.

    Attributes
    ----------
    documents : list of ImportedDocument
        The documents that imported, in file-name order.
    warnings : list of str
        File-level problems, each ``"<file>: <reason>"``.
    """

    documents: list[ImportedDocument]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """Summarise the import as JSON-serialisable data.

        Returns
        -------
        dict
            ``{"documents": [...], "warnings": [...]}``.
        """
        return {
            "documents": [doc.to_json() for doc in self.documents],
            "warnings": list(self.warnings),
        }


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

_ORD = r"(?:st|nd|rd|th)?"
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # June 26, 1954 / Jun. 26 1954
    re.compile(
        rf"(?P<month>[A-Za-z]{{3,9}})\.?\s+(?P<day>\d{{1,2}}){_ORD},?\s+(?P<year>\d{{4}})(?!\d)"
    ),
    # 26 June 1954 / 26th June, 1954
    re.compile(
        rf"(?P<day>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<month>[A-Za-z]{{3,9}})\.?,?\s+(?P<year>\d{{4}})(?!\d)"
    ),
    # 1954-06-26
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
)
_DATE_TAIL_RE = re.compile(r"^[\s,.;:\u2013\u2014-]+")


def _parse_date_prefix(text: str) -> tuple[str, str] | None:
    """Parse a date at the start of *text*.

    Returns
    -------
    tuple of (str, str) or None
        The ISO date and the rest of the text (leading separators removed).
    """
    stripped = text.strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(stripped)
        if m is None:
            continue
        month_raw = m.group("month")
        month = int(month_raw) if month_raw.isdigit() else _MONTHS.get(month_raw.lower())
        if month is None:
            continue
        try:
            value = _dt.date(int(m.group("year")), month, int(m.group("day")))
        except ValueError:
            continue
        rest = _DATE_TAIL_RE.sub("", stripped[m.end() :])
        return value.isoformat(), rest
    return None


# ---------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------

_WS_RE = re.compile(r"\s+")
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>\"'])")
_URL_RE = re.compile(r"<?(https?://[^\s<>\"]+)>?")
_DOCUMENT_NUMBER_RE = re.compile(r"/document/(\d+)(?!\d)")
_DECORATION_RE = re.compile(r"^[\s#*_=~\-]*$")
_TRANSLATION_MARKER_RE = re.compile(r"^translation\s*[-\u2013\u2014:]\s*english$", re.IGNORECASE)
_OTHER_CONTENT_MARKER_RE = re.compile(
    r"^(?:original|transcript(?:ion)?|translation)\s*[-\u2013\u2014:]\s*[A-Za-z ]+$", re.IGNORECASE
)
_SKIP_LINES = frozenset({"skip to content", "skip to main content"})
_BOILERPLATE_PREFIXES = (
    "the history and public policy program welcomes",
    "to enquire about this document",
    "to inquire about this document",
    "some documents may be subject to copyright",
)
_TRANSLATOR_RE = re.compile(
    r"(?:Obtained\s+and\s+)?[Tt]ranslated(?:\s+for\s+(?:the\s+)?[A-Z][\w-]*)??"
    r"\s+by\s+(?P<name>.+?)(?:\s+for\s+(?:the\s+)?[A-Z][\w-]*)?\.?\s*$"
)


def _collapse(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def _clean_inline(text: str) -> str:
    """Collapse whitespace, drop bold markers and markdown escapes."""
    text = text.replace("**", "").replace("__", "")
    return _collapse(_MD_ESCAPE_RE.sub(r"\1", text))


def _strip_line_markup(line: str) -> str:
    """A line without heading hashes, bold markers or surrounding space."""
    s = line.strip()
    s = s.lstrip("#").strip() if s.startswith("#") else s
    return _clean_inline(s)


def _normalise_text(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _slug(text: str, max_len: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def _paragraphs(lines: Sequence[str]) -> list[list[str]]:
    paras: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            paras.append(current)
            current = []
    if current:
        paras.append(current)
    return paras


def _trim_block(lines: Sequence[str]) -> list[str]:
    """Drop blank and decorative (``###``, ``-----``) lines at both ends."""
    out = list(lines)
    while out and _DECORATION_RE.match(out[0]):
        out.pop(0)
    while out and _DECORATION_RE.match(out[-1]):
        out.pop()
    return out


def _block_text(lines: Sequence[str]) -> str:
    """Collapse each paragraph onto one line; paragraphs separated by a blank line."""
    return "\n\n".join(_clean_inline(" ".join(p)) for p in _paragraphs(lines)).strip()


# ---------------------------------------------------------------------------
# Field labels
# ---------------------------------------------------------------------------

_LABELS: dict[str, str] = {
    "citation": "citation",
    "summary": "summary",
    "credits": "credits",
    "original language": "language",
    "original languages": "language",
    "language": "language",
    "contents": "contents",
    "original archive": "original_archive",
    "subjects discussed": "subjects",
    "related documents": "related",
    "document information": "document_information",
    "record id": "record_id",
    "original uploaded date": "uploaded",
    "author": "author",
    "authors": "author",
    "keywords": "keywords",
}
_LABEL_RE = re.compile(
    r"^(?P<label>" + "|".join(sorted(map(re.escape, _LABELS), key=len, reverse=True)) + r")"
    r"\s*(?P<colon>:)?\s*(?P<value>.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Label:
    index: int
    name: str
    value: str
    bold: bool


def _label_of(index: int, line: str) -> _Label | None:
    bold = "**" in line or "__" in line
    m = _LABEL_RE.match(_strip_line_markup(line))
    if m is None:
        return None
    name = _LABELS[m.group("label").lower()]
    value = m.group("value").strip()
    # "Record ID 111866" is a label; "Summary of the talks" is prose.
    if value and m.group("colon") is None and not (name == "record_id" and value.isdigit()):
        return None
    return _Label(index, name, value, bold)


def _find_labels(lines: Sequence[str]) -> list[_Label]:
    found: list[_Label] = []
    for i, line in enumerate(lines):
        label = _label_of(i, line)
        if label is not None:
            found.append(label)
    return found


def _sections(lines: Sequence[str], labels: Sequence[_Label]) -> dict[str, list[str]]:
    """Map each label name to its lines (inline value first); first occurrence wins."""
    out: dict[str, list[str]] = {}
    for pos, label in enumerate(labels):
        end = labels[pos + 1].index if pos + 1 < len(labels) else len(lines)
        content = ([label.value] if label.value else []) + list(lines[label.index + 1 : end])
        out.setdefault(label.name, content)
    return out


# ---------------------------------------------------------------------------
# Header, citation, people
# ---------------------------------------------------------------------------


def _header_from_items(items: Sequence[str]) -> tuple[str | None, str | None]:
    """Find the date among header items; everything else is the title."""
    date: str | None = None
    title_parts: list[str] = []
    for item in items:
        if date is None:
            parsed = _parse_date_prefix(item)
            if parsed is not None:
                date, rest = parsed
                if rest:
                    title_parts.append(rest)
                continue
        title_parts.append(item)
    title = _collapse(" ".join(title_parts)) or None
    return date, title


@dataclass(frozen=True)
class _Citation:
    text: str
    source_url: str | None
    title: str | None
    date: str | None
    archive_ref: str | None
    translator: str | None


def _extract_url(text: str) -> tuple[str | None, str]:
    """Return the first URL (preferring archive document URLs) and the text without URLs."""
    urls = [m.group(1).rstrip(".,;:)]") for m in _URL_RE.finditer(text)]
    chosen = next((u for u in urls if _DOCUMENT_NUMBER_RE.search(u)), urls[0] if urls else None)
    rest = _URL_RE.sub(" ", text)
    return chosen, rest


def _split_ref_and_translator(text: str) -> tuple[str | None, str | None]:
    text = _collapse(text)
    translator: str | None = None
    m = _TRANSLATOR_RE.search(text)
    if m is not None:
        translator = m.group("name").strip().rstrip(".").strip() or None
        text = text[: m.start()]
    ref = text.strip().rstrip(".,;").strip()
    return (ref or None), translator


def _parse_citation(raw: str) -> _Citation:
    source_url, rest = _extract_url(raw)
    text = _clean_inline(rest)
    title: str | None = None
    date: str | None = None
    after = text
    if text.startswith(('"', "\u201c")):
        for m in re.finditer(r"[\"\u201d],\s*", text):
            parsed = _parse_date_prefix(text[m.end() :])
            if parsed is not None:
                title = _collapse(text[1 : m.start()]) or None
                date, after = parsed
                break
    archive_ref: str | None = None
    translator: str | None = None
    m_arch = re.search(r"Digital\s+Archive\s*,\s*", after)
    if m_arch is not None:
        archive_ref, translator = _split_ref_and_translator(after[m_arch.end() :])
    else:
        m_tr = _TRANSLATOR_RE.search(after)
        if m_tr is not None:
            translator = m_tr.group("name").strip().rstrip(".").strip() or None
    return _Citation(text or "", source_url, title, date, archive_ref, translator)


_DOC_TYPE_RE = re.compile(
    r"^(?:(?:ciphered|coded|secret|top\s+secret|urgent)\s+)*"
    r"(?:cable|telegram|letter|memorandum|message|report|note|directive|instruction|"
    r"minutes|record|dispatch|order)s?\b(?:\s+no\.?\s*[\w/-]+)?\s*",
    re.IGNORECASE,
)
_HONORIFIC_RE = re.compile(r"^(?:cdes?\.|comrades?|cde)\s+", re.IGNORECASE)
_QUOTED_SUBJECT_RE = re.compile(r",?\s*[\"'\u2018\u201c].*$")


def _clean_party(text: str) -> str | None:
    text = _HONORIFIC_RE.sub("", text.strip(" ,.;:"))
    text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE).strip(" ,.;:")
    return text or None


def _sender_recipient(title: str) -> tuple[str | None, str | None]:
    """Derive sender and recipient from titles like ``"Cable No. 1, A to Cde. B"``."""
    core = _QUOTED_SUBJECT_RE.sub("", title).strip()
    segments = [s.strip() for s in core.split(",") if s.strip()]
    for segment in reversed(segments):
        m = re.search(r"\bto\s+", segment)
        if m is not None:
            left = _DOC_TYPE_RE.sub("", segment[: m.start()].strip())
            left = re.sub(r"^from\s+", "", left, flags=re.IGNORECASE)
            return _clean_party(left), _clean_party(segment[m.end() :])
        m = re.search(r"\bfrom\s+", segment, flags=re.IGNORECASE)
        if m is not None:
            return _clean_party(segment[m.end() :]), None
    return None, None


# ---------------------------------------------------------------------------
# Layout-specific extraction
# ---------------------------------------------------------------------------


@dataclass
class _Fields:
    date: str | None = None
    title: str | None = None
    citation: _Citation | None = None
    summary: str | None = None
    language: str | None = None
    body: list[str] = field(default_factory=list)
    record_id: str | None = None


def _record_id(lines: Sequence[str], labels: Sequence[_Label]) -> str | None:
    for label in labels:
        if label.name != "record_id":
            continue
        if label.value.isdigit():
            return label.value
        for line in lines[label.index + 1 :]:
            s = line.strip()
            if s:
                return s if s.isdigit() else None
        return None
    return None


def _body_from_contents(lines: Sequence[str], start: int, end: int) -> list[str]:
    block = list(lines[start:end])
    for i, line in enumerate(block):
        if _TRANSLATION_MARKER_RE.match(_strip_line_markup(line)):
            block = block[i + 1 :]
            break
    for i, line in enumerate(block):
        if _OTHER_CONTENT_MARKER_RE.match(_strip_line_markup(line)):
            block = block[:i]
            break
    return _trim_block(block)


def _extract_labelled(lines: Sequence[str], labels: Sequence[_Label]) -> _Fields:
    """Markdown and plain layouts: header before the first label, then sections."""
    fields = _Fields()
    items = [s for s in (_strip_line_markup(x) for x in lines[: labels[0].index]) if s]
    items = [s for s in items if s.lower() not in _SKIP_LINES]
    fields.date, fields.title = _header_from_items(items)
    sections = _sections(lines, labels)
    if "citation" in sections:
        fields.citation = _parse_citation("\n".join(sections["citation"]))
    if "summary" in sections:
        fields.summary = _block_text(sections["summary"]) or None
    if "language" in sections:
        fields.language = next((_clean_inline(x) for x in sections["language"] if x.strip()), None)
    contents = next((lab for lab in labels if lab.name == "contents"), None)
    if contents is not None:
        nxt = next((lab.index for lab in labels if lab.index > contents.index), len(lines))
        fields.body = _body_from_contents(lines, contents.index + 1, nxt)
    else:
        for i, line in enumerate(lines):
            if _TRANSLATION_MARKER_RE.match(_strip_line_markup(line)):
                nxt = next((lab.index for lab in labels if lab.index > i), len(lines))
                fields.body = _trim_block(lines[i + 1 : nxt])
                break
    fields.record_id = _record_id(lines, labels)
    return fields


def _sequential_header(lines: Sequence[str], start: int) -> tuple[str | None, str | None, int]:
    """Date and title as the first one or two non-empty lines; returns body start."""
    found: list[tuple[int, str]] = []
    for i in range(start, len(lines)):
        s = _strip_line_markup(lines[i])
        if not s or s.lower() in _SKIP_LINES:
            continue
        found.append((i, s))
        if len(found) == 2:
            break
    if not found:
        return None, None, len(lines)
    first_i, first = found[0]
    parsed = _parse_date_prefix(first)
    if parsed is not None:
        date, rest = parsed
        if rest:
            return date, rest, first_i + 1
        if len(found) == 2:
            return date, found[1][1], found[1][0] + 1
        return date, None, first_i + 1
    if len(found) == 2:
        parsed2 = _parse_date_prefix(found[1][1])
        if parsed2 is not None and not parsed2[1]:
            return parsed2[0], first, found[1][0] + 1
    return None, first, first_i + 1


def _is_boilerplate(line: str) -> bool:
    low = line.strip().lower()
    return any(low.startswith(p) for p in _BOILERPLATE_PREFIXES)


def _extract_webpage(lines: Sequence[str], labels: Sequence[_Label]) -> _Fields:
    fields = _Fields()
    fields.date, fields.title, body_start = _sequential_header(lines, 0)
    later_labels = [lab for lab in labels if lab.index >= body_start]
    body_end = later_labels[0].index if later_labels else len(lines)
    for i in range(body_start, body_end):
        if _is_boilerplate(lines[i]):
            body_end = i
            break
    chunk = _trim_block(lines[body_start:body_end])
    sections = _sections(lines, later_labels)
    if "summary" in sections:
        fields.summary = _block_text(sections["summary"]) or None
    else:
        paras = _paragraphs(chunk)
        last = paras[-1] if paras else []
        if len(paras) >= 2 and len(last) == 1 and len(last[0].split()) >= 6:
            fields.summary = _clean_inline(last[0])
            cut = max(i for i, line in enumerate(chunk) if line == last[0])
            chunk = _trim_block(chunk[:cut])
    fields.body = chunk
    if "language" in sections:
        fields.language = next((_clean_inline(x) for x in sections["language"] if x.strip()), None)
    if "citation" in sections:
        fields.citation = _parse_citation("\n".join(sections["citation"]))
    elif "document_information" in sections:
        info = sections["document_information"]
        source_line = next(
            (x for x in info if x.strip() and not _is_boilerplate(x)),
            None,
        )
        if source_line is not None:
            source_url, rest = _extract_url(source_line)
            text = _clean_inline(rest)
            ref, translator = _split_ref_and_translator(text)
            fields.citation = _Citation(text, source_url, None, None, ref, translator)
    fields.record_id = _record_id(lines, labels)
    return fields


def _detect_layout(lines: Sequence[str], labels: Sequence[_Label]) -> str:
    first = next((x.strip().lower() for x in lines if x.strip()), "")
    if first in _SKIP_LINES:
        return "webpage"
    citation = next((lab for lab in labels if lab.name == "citation"), None)
    if citation is not None:
        header = lines[: labels[0].index]
        if citation.bold or any("**" in x for x in header):
            return "markdown"
        return "plain"
    if any(lab.name in {"document_information", "record_id", "uploaded"} for lab in labels):
        return "webpage"
    if any(x.lstrip().startswith(("**", "#")) for x in lines):
        return "markdown"
    return "plain"


# ---------------------------------------------------------------------------
# Public parsing API
# ---------------------------------------------------------------------------


def parse_cable_text(text: str, *, source: str = "<text>") -> ParsedCable:
    """Parse one cable in any of the three archive layouts.

    Parameters
    ----------
    text : str
        The document text. A BOM and CRLF/CR line endings are tolerated.
    source : str, optional
        Where the text came from (file name or ``"<upload>"``); used in errors.

    Returns
    -------
    ParsedCable
        The parsed document.

    Raises
    ------
    CableParseError
        If the text is empty or binary, or has no date, title or body.
    """
    if not isinstance(text, str):
        raise CableParseError(source, f"expected text, got {type(text).__name__}")
    text = _normalise_text(text)
    if "\x00" in text:
        raise CableParseError(source, "binary content (contains NUL characters)")
    if not text.strip():
        raise CableParseError(source, "empty document")
    lines = [line.rstrip() for line in text.split("\n")]
    labels = _find_labels(lines)
    layout = _detect_layout(lines, labels)

    if layout == "webpage":
        fields = _extract_webpage(lines, labels)
    elif labels and any(_strip_line_markup(x) for x in lines[: labels[0].index]):
        fields = _extract_labelled(lines, labels)
    else:
        # No field labels (or nothing before them): date/title lines, then the text.
        fields = _Fields()
        fields.date, fields.title, start = _sequential_header(lines, 0)
        end = labels[0].index if labels and labels[0].index >= start else len(lines)
        fields.body = _trim_block(lines[start:end])

    cit = fields.citation
    title = (cit.title if cit and cit.title else None) or fields.title
    date = fields.date or (cit.date if cit else None)
    if not title:
        raise CableParseError(source, "no title found")
    if not date:
        raise CableParseError(source, "no date found (expected e.g. 'June 26, 1954')")
    body = "\n".join(fields.body).strip("\n")
    if not body.strip():
        raise CableParseError(source, "no document text (body is empty)")

    source_url = cit.source_url if cit else None
    if source_url is None:
        # Look outside the body only: a cable may quote another document's URL.
        meta = "\n".join(lines).replace(body, "\n", 1)
        source_url, _ = _extract_url("\n".join(x for x in meta.split("\n") if "/document/" in x))
    number: str | None = None
    if source_url is not None:
        m = _DOCUMENT_NUMBER_RE.search(source_url)
        number = m.group(1) if m else None
    number = number or fields.record_id
    if number is not None:
        number = str(int(number))
        doc_id = number
        url: str | None = ARCHIVE_DOCUMENT_URL.format(number=number)
    else:
        slug = _slug(title) or hashlib.sha1(title.encode("utf-8")).hexdigest()[:10]
        doc_id = f"{date}-{slug}"
        url = None
    sender, recipient = _sender_recipient(title)
    return ParsedCable(
        id=doc_id,
        title=title,
        date=date,
        url=url,
        source_url=source_url,
        citation=(cit.text or None) if cit else None,
        summary=fields.summary,
        language=fields.language,
        translator=cit.translator if cit else None,
        sender=sender,
        recipient=recipient,
        archive_ref=cit.archive_ref if cit else None,
        body=body,
        layout=layout,
        source=source,
    )


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and controls / len(sample) > 0.1


def _decode(data: bytes, name: str, path: Path) -> tuple[str, list[str]]:
    notes: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), notes
        except UnicodeDecodeError as exc:
            raise CableParseError(name, f"invalid UTF-16 text ({exc.reason})", path) from exc
    if _looks_binary(data):
        raise CableParseError(name, "binary file (contains NUL or control bytes)", path)
    try:
        return data.decode("utf-8-sig"), notes
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        notes.append("not valid UTF-8; decoded as cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        notes.append("not valid UTF-8; decoded as latin-1")
    return text, notes


def _read_with_notes(path: Path, *, max_bytes: int) -> tuple[ParsedCable, list[str]]:
    path = Path(path)
    name = path.name or str(path)
    try:
        if not path.is_file():
            reason = "is a directory" if path.is_dir() else "file not found"
            raise CableParseError(name, reason, path)
        size = path.stat().st_size
        if size > max_bytes:
            raise CableParseError(
                name, f"file too large ({size} bytes; limit {max_bytes} bytes)", path
            )
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise CableParseError(name, f"cannot read file ({exc.strerror or exc})", path) from exc
    if len(data) > max_bytes:
        raise CableParseError(name, f"file too large (over {max_bytes} bytes)", path)
    if not data.strip():
        raise CableParseError(name, "empty file", path)
    text, notes = _decode(data, name, path)
    try:
        cable = parse_cable_text(text, source=name)
    except CableParseError as exc:
        raise CableParseError(name, exc.reason, path) from exc
    return cable, notes


def read_cable_file(path: Path, *, max_bytes: int = MAX_BYTES) -> ParsedCable:
    """Read and parse one cable file.

    Parameters
    ----------
    path : pathlib.Path
        The file to read.
    max_bytes : int, optional
        Files larger than this are refused (default :data:`MAX_BYTES`).

    Returns
    -------
    ParsedCable
        The parsed document; ``source`` is the file name.

    Raises
    ------
    CableParseError
        If the file is missing, too large, empty, binary or unparseable; the
        message names the file and the reason.

    Warns
    -----
    CableEncodingWarning
        If the file is not valid UTF-8 and was decoded as cp1252 (or latin-1).
    """
    cable, notes = _read_with_notes(path, max_bytes=max_bytes)
    for note in notes:
        warnings.warn(f"{cable.source}: {note}", CableEncodingWarning, stacklevel=2)
    return cable


# ---------------------------------------------------------------------------
# Mentions
# ---------------------------------------------------------------------------

_SEP_CHARS = "\\-\u2010\u2011\u2012\u2013\u2014"
_SEP_SPLIT_RE = re.compile(rf"[\s{_SEP_CHARS}]+")
_SEP_PATTERN = rf"(?:\s*[{_SEP_CHARS}]\s*|\s+)"
_SIC_SUFFIX_RE = re.compile(r"\s*\[\s*sic\s*\]\s*$", re.IGNORECASE)
_SIC_PATTERN = r"(?P<sic>\s*\[\s*sic\s*\])?"
_FOLD_SPECIAL = {"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i"}


def _fold_char(ch: str) -> str:
    """One character without diacritics (always exactly one character)."""
    if ch.isascii():
        return ch
    special = _FOLD_SPECIAL.get(ch)
    if special is not None:
        return special
    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
        return decomposed[0]
    return ch


def _fold(text: str) -> str:
    return "".join(_fold_char(c) for c in text)


@functools.lru_cache(maxsize=4096)
def _name_pattern(name: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """Compile a name; also return its lower-cased ASCII tokens (for a cheap prefilter)."""
    base = _SIC_SUFFIX_RE.sub("", _fold(name)).strip()
    tokens = [t for t in _SEP_SPLIT_RE.split(base) if t]
    if not tokens:
        return None
    core = _SEP_PATTERN.join(re.escape(t) for t in tokens)
    pattern = re.compile(rf"(?<!\w){core}(?!\w){_SIC_PATTERN}", re.IGNORECASE)
    return pattern, tuple(t.lower() for t in tokens if t.isascii())


def _candidates(
    folded: str, text: str, kind: str, table: Mapping[str, Sequence[str]]
) -> Iterable[Mention]:
    # Every regex match of an ASCII token is a substring of the case-folded text
    # (dotted/dotless i are already folded), so absent tokens rule a name out.
    haystack = folded.casefold()
    for ref, names in table.items():
        if isinstance(names, str):
            names = [names]
        seen: set[str] = set()
        for name in names:
            compiled = _name_pattern(name)
            if compiled is None:
                continue
            pattern, ascii_tokens = compiled
            if pattern.pattern in seen or any(t not in haystack for t in ascii_tokens):
                continue
            seen.add(pattern.pattern)
            for m in pattern.finditer(folded):
                yield Mention(
                    kind=kind,
                    ref=ref,
                    text=text[m.start() : m.end()],
                    start=m.start(),
                    end=m.end(),
                    sic=m.group("sic") is not None,
                )


def find_mentions(
    text: str,
    *,
    places: Mapping[str, Sequence[str]],
    proposals: Mapping[str, Sequence[str]],
) -> list[Mention]:
    """Find places and proposals named in *text*.

    Parameters
    ----------
    text : str
        The text to search (e.g. ``ParsedCable.body``).
    places : Mapping[str, Sequence[str]]
        Place id to its names and spellings, e.g.
        ``{"cheo-reo": ["Jiao-yao [sic]", "Cheo Reo"]}``.
    proposals : Mapping[str, Sequence[str]]
        Proposal id to phrases, e.g. ``{"kr-1951-38th": ["38th parallel"]}``.

    Returns
    -------
    list of Mention
        Sorted by position. Matching is case- and diacritic-insensitive, respects
        word boundaries, treats hyphens and whitespace alike and accepts an
        optional ``[sic]`` after any name (``sic`` tells whether it was there).
        Where matches overlap the longest wins; identical spans for different
        ids are all kept.
    """
    folded = _fold(text)
    found = list(_candidates(folded, text, "place", places))
    found.extend(_candidates(folded, text, "proposal", proposals))
    # Longest first, then earliest; pick greedily, keeping exact-span ties.
    found.sort(key=lambda m: (-(m.end - m.start), m.start, m.kind, m.ref))
    chosen: list[Mention] = []
    taken: list[tuple[int, int]] = []
    keys: set[tuple[str, str, int, int]] = set()
    for cand in found:
        key = (cand.kind, cand.ref, cand.start, cand.end)
        if key in keys:
            continue
        clash = False
        for start, end in taken:
            if cand.start < end and start < cand.end and (start, end) != (cand.start, cand.end):
                clash = True
                break
        if clash:
            continue
        keys.add(key)
        chosen.append(cand)
        taken.append((cand.start, cand.end))
    chosen.sort(key=lambda m: (m.start, m.end, m.kind, m.ref))
    return chosen


def highlight_spans(text: str, mentions: Sequence[Mention]) -> list[tuple[str, Mention | None]]:
    """Split *text* into plain and highlighted segments for a reader UI.

    Parameters
    ----------
    text : str
        The text the mentions refer to.
    mentions : Sequence[Mention]
        Mentions with offsets into *text*; out-of-range or overlapping ones are
        ignored (the earliest wins).

    Returns
    -------
    list of tuple of (str, Mention or None)
        Consecutive segments whose concatenation is *text*; highlighted ones
        carry their mention, the rest ``None``.
    """
    segments: list[tuple[str, Mention | None]] = []
    pos = 0
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if mention.start < pos or mention.end <= mention.start or mention.end > len(text):
            continue
        if mention.start > pos:
            segments.append((text[pos : mention.start], None))
        segments.append((text[mention.start : mention.end], mention))
        pos = mention.end
    if pos < len(text):
        segments.append((text[pos:], None))
    return segments


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def _document_warnings(cable: ParsedCable) -> list[str]:
    out: list[str] = []
    if cable.url is None:
        out.append("no archive document number; id derived from date and title")
    if cable.citation is None:
        out.append("no citation")
    if cable.language is None:
        out.append("original language not stated")
    return out


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def import_cables(
    directory: Path,
    *,
    places: Mapping[str, Sequence[str]],
    proposals: Mapping[str, Sequence[str]],
) -> ImportReport:
    """Import every ``*.txt`` and ``*.md`` cable in *directory* (not recursive).

    Parameters
    ----------
    directory : pathlib.Path
        Folder holding the cable files; they are read in file-name order.
    places, proposals : Mapping[str, Sequence[str]]
        Gazetteers passed to :func:`find_mentions` (run on each body).

    Returns
    -------
    ImportReport
        The documents that imported, plus a ``"<file>: <reason>"`` warning for
        each file that could not be read or parsed (or repeats an id).

    Raises
    ------
    CableParseError
        If *directory* does not exist or is not a directory.
    """
    directory = Path(directory)
    if not directory.is_dir():
        reason = "not a directory" if directory.exists() else "directory not found"
        raise CableParseError(str(directory), reason, directory)
    files = sorted(
        (p for p in directory.iterdir() if p.suffix.lower() in _CABLE_SUFFIXES),
        key=lambda p: p.name,
    )
    documents: list[ImportedDocument] = []
    file_warnings: list[str] = []
    seen: dict[str, str] = {}
    for path in files:
        if not path.is_file():
            continue
        try:
            cable, notes = _read_with_notes(path, max_bytes=MAX_BYTES)
        except CableParseError as exc:
            file_warnings.append(f"{path.name}: {exc.reason}")
            continue
        if cable.id in seen:
            file_warnings.append(
                f"{path.name}: duplicate id {cable.id} (already imported from {seen[cable.id]})"
            )
            continue
        seen[cable.id] = path.name
        mentions = find_mentions(cable.body, places=places, proposals=proposals)
        documents.append(
            ImportedDocument(
                cable=cable,
                places=_unique(m.ref for m in mentions if m.kind == "place"),
                proposals=_unique(m.ref for m in mentions if m.kind == "proposal"),
                mentions=mentions,
                warnings=notes + _document_warnings(cable),
            )
        )
    return ImportReport(documents=documents, warnings=file_warnings)
