"""Import a folder of document texts: parse each file, find what it names, report the rest.

One bad file (unreadable, binary, too large, an absurd record id) is a warning naming it; the
others still import. ``python -m geo import-documents`` prints the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from geo.documents.decode import SUFFIXES, read_document_file
from geo.documents.mentions import find_mentions
from geo.documents.model import MAX_BYTES, ImportedDocument, ImportReport, ParsedDocument
from geo.errors import DocumentError


def document_warnings(doc: ParsedDocument) -> list[str]:
    out: list[str] = []
    if doc.url is None:
        out.append("no archive address; id derived from date and title")
    elif not doc.id.isdigit():
        out.append("no archive document number; id derived from date and title")
    if doc.citation is None:
        out.append("no citation")
    if doc.language is None:
        out.append("original language not stated")
    return out


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def import_documents(
    directory: Path,
    *,
    places: Mapping[str, Sequence[str]],
    proposals: Mapping[str, Sequence[str]],
    parallels: Mapping[int, Sequence[str]] | None = None,
) -> ImportReport:
    """Import every ``*.txt`` and ``*.md`` file in *directory* (not recursive), by name.

    Raises
    ------
    DocumentError
        If *directory* does not exist or is not a folder.
    """
    directory = Path(directory)
    try:
        if not directory.is_dir():
            reason = "not a folder" if directory.exists() else "folder not found"
            raise DocumentError(directory.name or str(directory), reason, directory)
        files = sorted(
            (p for p in directory.iterdir() if p.suffix.lower() in SUFFIXES),
            key=lambda p: p.name,
        )
    except OSError as exc:
        raise DocumentError(directory.name, f"cannot list it ({exc.strerror})", directory) from exc
    documents: list[ImportedDocument] = []
    file_warnings: list[str] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            if not path.is_file():
                continue
            doc, notes = read_document_file(path, max_bytes=MAX_BYTES)
        except DocumentError as exc:
            file_warnings.append(f"{path.name}: {exc.reason}")
            continue
        if doc.id in seen:
            file_warnings.append(
                f"{path.name}: duplicate id {doc.id} (already imported from {seen[doc.id]})"
            )
            continue
        seen[doc.id] = path.name
        mentions = find_mentions(doc.body, places=places, proposals=proposals, parallels=parallels)
        documents.append(
            ImportedDocument(
                document=doc,
                places=_unique(m.ref for m in mentions if m.kind == "place"),
                proposals=_unique(m.ref for m in mentions if m.kind in ("proposal", "parallel")),
                mentions=mentions,
                warnings=notes + document_warnings(doc),
            )
        )
    return ImportReport(documents=documents, warnings=file_warnings)
