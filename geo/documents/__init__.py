"""Archival documents as text: parse any of the archive's layouts, find what they name.

Nothing here imports the records or the UI; the gazetteers come in as plain mappings
(:meth:`geo.Atlas.name_maps`, :meth:`geo.Atlas.parallel_lines`).
"""

from geo.documents.decode import SUFFIXES, decode_text, read_document_bytes, read_document_file
from geo.documents.importer import import_documents
from geo.documents.layouts import parse_document_text
from geo.documents.mentions import find_mentions, fold, highlight_spans, parallel_mentions
from geo.documents.model import (
    ARCHIVE_DOCUMENT_URL,
    LAYOUTS,
    MAX_BYTES,
    MAX_MENTIONS,
    ImportedDocument,
    ImportReport,
    Mention,
    ParsedCable,
    ParsedDocument,
)
from geo.errors import DocumentError

#: The names older code used.
CableParseError = DocumentError

__all__ = [
    "ARCHIVE_DOCUMENT_URL",
    "LAYOUTS",
    "MAX_BYTES",
    "MAX_MENTIONS",
    "SUFFIXES",
    "CableParseError",
    "DocumentError",
    "ImportReport",
    "ImportedDocument",
    "Mention",
    "ParsedCable",
    "ParsedDocument",
    "decode_text",
    "find_mentions",
    "fold",
    "highlight_spans",
    "import_documents",
    "parallel_mentions",
    "parse_document_text",
    "read_document_bytes",
    "read_document_file",
]
