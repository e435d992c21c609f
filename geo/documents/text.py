"""Text helpers shared by the layout parsers: whitespace, markup, slugs, paragraphs.

Every function here is linear in its input (a 2 MB file of blank lines once took minutes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_WS_RE = re.compile(r"\s+")
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>\"'])")
_URL_RE = re.compile(r"<?(https?://[^\s<>\"]+)>?")
_DOCUMENT_NUMBER_RE = re.compile(r"/document/(\d+)(?![\w-])")
#: An archive address by title slug (``/document/telegram-ccp-…-0``), on any host.
_DOCUMENT_SLUG_RE = re.compile(r"/document/([a-z0-9]+(?:-[a-z0-9]+)+)/?(?:[?#].*)?$")
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
    """Drop blank and decorative (``###``, ``-----``) lines at both ends (one pass each)."""
    start, end = 0, len(lines)
    while start < end and _DECORATION_RE.match(lines[start]):
        start += 1
    while end > start and _DECORATION_RE.match(lines[end - 1]):
        end -= 1
    return list(lines[start:end])


def _block_text(lines: Sequence[str]) -> str:
    """Collapse each paragraph onto one line; paragraphs separated by a blank line."""
    return "\n\n".join(_clean_inline(" ".join(p)) for p in _paragraphs(lines)).strip()
