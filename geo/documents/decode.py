"""From bytes (a file, an upload) to a parsed document: size limit, binary check, encoding.

Encodings other than UTF-8/UTF-16 are detected with charset-normalizer (a Streamlit dependency
already), which tells cp1251 Russian from cp1252 Western text where a fixed fallback could not.
Messages name the file, never its folder.
"""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from geo.documents.layouts import parse_document_text
from geo.documents.model import MAX_BYTES, ParsedDocument
from geo.errors import DocumentError

#: Document files are these; anything else in a folder is not read.
SUFFIXES = frozenset({".txt", ".md"})


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and controls / len(sample) > 0.1


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """The text of *data*, and a note when it was not UTF-8.

    Raises
    ------
    DocumentError
        If the bytes are binary or not text in any encoding.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            raise DocumentError(name, f"invalid UTF-16 text ({exc.reason})") from exc
    if _looks_binary(data):
        raise DocumentError(name, "binary file (contains NUL or control bytes)")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    # A UTF-8 text with a few stray bytes (a bad copy, a cut-off character) stays UTF-8: a
    # legacy code page would garble every accent of the rest ("dÃ©lÃ©gation").
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(1 for c in text if not c.isascii() and c != "\ufffd")
    if good >= bad and bad <= max(3, len(data) // 10_000):
        return text, [f"not valid UTF-8 in {bad} place{'s' if bad != 1 else ''}; shown as \ufffd"]
    # Western text with a few accents (French, English, German): cp1252, the code page of
    # most such copies. charset-normalizer scores cp1250/1252/1257 alike on it and guesses
    # wildly on short texts; it decides for the rest (Cyrillic, Greek, Asian code pages).
    western = _western(data)
    if western is not None:
        return western, ["not valid UTF-8; decoded as cp1252"]
    best = from_bytes(data).best()
    if best is None:
        raise DocumentError(name, "not text in any encoding we can detect")
    return str(best), [f"not valid UTF-8; decoded as {best.encoding}"]


def _western(data: bytes) -> str | None:
    """*data* as cp1252 when that reads as mostly-ASCII letters with some accented ones."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [c for c in text if c.isalpha()]
    accented = sum(1 for c in letters if not c.isascii())
    return text if letters and accented <= max(3, 0.3 * len(letters)) else None


def read_document_bytes(
    data: bytes, name: str, *, max_bytes: int = MAX_BYTES
) -> tuple[ParsedDocument, list[str]]:
    """Parse a document given as bytes (an upload); *name* is only used in messages."""
    if len(data) > max_bytes:
        raise DocumentError(name, f"file too large ({len(data):,} bytes; limit {max_bytes:,})")
    if not data.strip():
        raise DocumentError(name, "empty file")
    text, notes = decode_text(data, name)
    return parse_document_text(text, source=name), notes


def read_document_file(
    path: Path, *, max_bytes: int = MAX_BYTES
) -> tuple[ParsedDocument, list[str]]:
    """Read and parse one document file; notes say what was guessed (the encoding).

    Raises
    ------
    DocumentError
        If the file is missing, too large, empty, binary or unparseable; the message names
        the file (not its folder) and the reason.
    """
    path = Path(path)
    name = path.name or "file"
    try:
        if not path.is_file():
            raise DocumentError(name, "is a directory" if path.is_dir() else "file not found", path)
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(name, f"file too large ({size:,} bytes; limit {max_bytes:,})", path)
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise DocumentError(name, f"cannot read file ({exc.strerror or 'error'})", path) from exc
    try:
        return read_document_bytes(data, name, max_bytes=max_bytes)
    except DocumentError as exc:
        raise DocumentError(name, exc.reason, path) from exc
