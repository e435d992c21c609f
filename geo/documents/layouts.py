"""The three archive layouts (markdown, plain, web page) and :func:`parse_document_text`.

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
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from geo.documents.citation import (
    _Citation,
    _extract_url,
    _header_from_items,
    _parse_citation,
    _sender_recipient,
    _split_ref_and_translator,
)
from geo.documents.dates import parse_date_prefix
from geo.documents.model import ARCHIVE_DOCUMENT_URL, ParsedDocument
from geo.documents.text import (
    _BOILERPLATE_PREFIXES,
    _DOCUMENT_NUMBER_RE,
    _DOCUMENT_SLUG_RE,
    _OTHER_CONTENT_MARKER_RE,
    _SKIP_LINES,
    _TRANSLATION_MARKER_RE,
    _block_text,
    _clean_inline,
    _normalise_text,
    _paragraphs,
    _slug,
    _strip_line_markup,
    _trim_block,
)
from geo.errors import DocumentError

#: Archive numbers have at most this many digits; a longer "number" is not one.
MAX_NUMBER_DIGITS = 12
_ASCII_DIGITS = re.compile(r"[0-9]+")

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


def _digits(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also takes "²" and other digits int() refuses)."""
    return bool(_ASCII_DIGITS.fullmatch(text))


def _label_of(index: int, line: str) -> _Label | None:
    if not line or line.isspace():
        return None  # most lines of a long text: no regex work for them
    bold = "**" in line or "__" in line
    m = _LABEL_RE.match(_strip_line_markup(line))
    if m is None:
        return None
    name = _LABELS[m.group("label").lower()]
    value = m.group("value").strip()
    # "Record ID 111866" is a label; "Summary of the talks" is prose.
    if value and m.group("colon") is None and not (name == "record_id" and _digits(value)):
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
        if _digits(label.value):
            return label.value
        for line in lines[label.index + 1 :]:
            s = line.strip()
            if s:
                return s if _digits(s) else None
        return None
    return None


def _body_from_contents(lines: Sequence[str], start: int, end: int) -> list[str]:
    block = list(lines[start:end])
    for i, line in enumerate(block):
        if line.strip() and _TRANSLATION_MARKER_RE.match(_strip_line_markup(line)):
            block = block[i + 1 :]
            break
    for i, line in enumerate(block):
        if line.strip() and _OTHER_CONTENT_MARKER_RE.match(_strip_line_markup(line)):
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
            if line.strip() and _TRANSLATION_MARKER_RE.match(_strip_line_markup(line)):
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
    parsed = parse_date_prefix(first)
    if parsed is not None:
        date, rest = parsed
        if rest:
            return date, rest, first_i + 1
        if len(found) == 2:
            return date, found[1][1], found[1][0] + 1
        return date, None, first_i + 1
    if len(found) == 2:
        parsed2 = parse_date_prefix(found[1][1])
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


def parse_document_text(text: str, *, source: str = "<text>") -> ParsedDocument:
    """Parse one document in any of the three archive layouts.

    Parameters
    ----------
    text : str
        The document text. A BOM and CRLF/CR line endings are tolerated.
    source : str, optional
        Where the text came from (a file name or ``"<upload>"``); used in errors.

    Raises
    ------
    DocumentError
        If the text is empty or binary, or has no date, title or body. Nothing else escapes:
        a text the parsers cannot make sense of is refused, never a crash.
    """
    if not isinstance(text, str):
        raise DocumentError(source, f"expected text, got {type(text).__name__}")
    text = _normalise_text(text)
    if "\x00" in text:
        raise DocumentError(source, "binary content (contains NUL characters)")
    if not text.strip():
        raise DocumentError(source, "empty document")
    try:
        return _parse(text, source)
    except DocumentError:
        raise
    except (ValueError, IndexError, KeyError, RecursionError) as exc:
        raise DocumentError(source, f"could not be parsed ({type(exc).__name__})") from exc


def _parse(text: str, source: str) -> ParsedDocument:
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
        raise DocumentError(source, "no title found")
    if not date:
        raise DocumentError(source, "no date found (expected e.g. 'June 26, 1954')")
    body = "\n".join(fields.body).strip("\n")
    if not body.strip():
        raise DocumentError(source, "no document text (body is empty)")

    source_url = cit.source_url if cit else None
    if source_url is None:
        # Look outside the body only: a document may quote another document's address.
        meta = "\n".join(lines).replace(body, "\n", 1)
        source_url, _ = _extract_url("\n".join(x for x in meta.split("\n") if "/document/" in x))
    doc_id, url = _identity(source_url, fields.record_id, title, date)
    sender, recipient = _sender_recipient(title)
    return ParsedDocument(
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


def _identity(
    source_url: str | None, record_id: str | None, title: str, date: str
) -> tuple[str, str | None]:
    """The document's id and canonical address.

    An archive number (from ``/document/<n>`` or a ``Record ID`` line) is the id; a number of
    more than 12 digits is no archive number. Without one the id is ``<date>-<title slug>``,
    and an address by title slug (``/document/<slug>`` on any mirror) is kept, moved to the
    canonical host.
    """
    number = None
    slug_url = None
    if source_url is not None:
        m = _DOCUMENT_NUMBER_RE.search(source_url)
        number = m.group(1) if m else None
        s = _DOCUMENT_SLUG_RE.search(source_url)
        if s is not None and number is None:
            slug_url = ARCHIVE_DOCUMENT_URL.format(number=s.group(1))
    number = number or record_id
    significant = number.lstrip("0") if number is not None and _digits(number) else None
    if significant is not None and len(significant) <= MAX_NUMBER_DIGITS:
        number = significant or "0"
        return number, ARCHIVE_DOCUMENT_URL.format(number=number)
    slug = _slug(title) or hashlib.sha1(title.encode("utf-8")).hexdigest()[:10]
    return f"{date}-{slug}", slug_url
