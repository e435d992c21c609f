"""The citation block and the header: title, date, archive reference, translator, people."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from geo.documents.dates import parse_date_at, parse_date_prefix
from geo.documents.text import (
    _DOCUMENT_NUMBER_RE,
    _DOCUMENT_SLUG_RE,
    _TRANSLATOR_RE,
    _URL_RE,
    _clean_inline,
    _collapse,
)

_QUOTE_COMMA_RE = re.compile(r"[\"\u201d],\s*")


def _header_from_items(items: Sequence[str]) -> tuple[str | None, str | None]:
    """Find the date among header items; everything else is the title."""
    date: str | None = None
    title_parts: list[str] = []
    for item in items:
        if date is None:
            parsed = parse_date_prefix(item)
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
    """Return the first URL (preferring archive document addresses) and the text without URLs."""
    urls = [m.group(1).rstrip(".,;:)]") for m in _URL_RE.finditer(text)]
    chosen = next(
        (u for u in urls if _DOCUMENT_NUMBER_RE.search(u) or _DOCUMENT_SLUG_RE.search(u)),
        urls[0] if urls else None,
    )
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
        for m in _QUOTE_COMMA_RE.finditer(text):
            found = parse_date_at(text, m.end())  # by position: no slice per quote
            if found is not None:
                title = _collapse(text[1 : m.start()]) or None
                date, end = found
                after = text[end:].strip()
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
