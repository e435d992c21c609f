"""What parsing a document gives: the document, the places and lines it names, the report."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Largest document file accepted, in bytes.
MAX_BYTES = 2_000_000
#: Canonical address of an archive document, by number or title slug.
ARCHIVE_DOCUMENT_URL = "https://digitalarchive.wilsoncenter.org/document/{number}"
#: The layouts :func:`geo.documents.parse_document_text` recognises.
LAYOUTS = ("markdown", "plain", "webpage")
#: At most this many mentions are kept per document (the reader marks them all).
MAX_MENTIONS = 5_000


@dataclass(frozen=True)
class ParsedDocument:
    """One archival document as parsed from its text, with its metadata.

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
        ``"place"``, ``"proposal"`` (a line named by one of its terms) or ``"parallel"``
        (a line drawn on a parallel the text names; may sit inside a longer term's span).
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
    """A parsed document with the places and proposals its body mentions.

    Attributes
    ----------
    document : ParsedDocument
        The parsed document.
    places, proposals : list of str
        Ids mentioned in the body, in order of first mention.
    mentions : list of Mention
        Every mention, with offsets into ``document.body``.
    warnings : list of str
        Things worth a look (missing URL, fallback encoding, ...).
    """

    document: ParsedDocument
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
            "id": self.document.id,
            "title": self.document.title,
            "date": self.document.date,
            "url": self.document.url,
            "citation": self.document.citation,
            "language": self.document.language,
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


#: The names older code used.
ParsedCable = ParsedDocument
