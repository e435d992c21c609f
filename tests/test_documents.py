"""Tests for geo.documents: the archive's three layouts, addresses and ids, decoding,
mentions (names, ``[sic]``, parallels however written), import, and hostile input.

The archive's full texts are not in the repository: the tests that read them call
:func:`conftest.require_corpus`. Everything else runs on a clone alone, on invented fixtures
(``tests/fixtures/cables`` and ``tests/fixtures/documents``, all in our own words) and on the
real atlas's gazetteers (the session fixture ``atlas``).

No test here measures time: how long the adversarial inputs take is measured by
``bench/bench_documents.py``.
"""

from __future__ import annotations

import itertools
import pickle
import re
import shutil
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import require_corpus
from geo import Atlas
from geo.documents import (
    MAX_BYTES,
    MAX_MENTIONS,
    CableParseError,
    DocumentError,
    ImportedDocument,
    ImportReport,
    Mention,
    ParsedDocument,
    find_mentions,
    fold,
    highlight_spans,
    import_documents,
    parallel_mentions,
    parse_document_text,
    read_document_bytes,
    read_document_file,
)
from geo.errors import AtlasError

TESTS = Path(__file__).resolve().parent
CABLES = TESTS / "fixtures" / "cables"  # the layouts (shared with other tests: read only)
FIXTURES = TESTS / "fixtures" / "documents"  # this file's own fixtures

CANONICAL = "https://digitalarchive.wilsoncenter.org/document/"

#: A small hand-made gazetteer in the shape of ``Atlas.name_maps``.
PLACES: dict[str, list[str]] = {
    "cheo-reo": ["Jiao-yao [sic]", "Cheo Reo", "Ayun Pa"],
    "pleiku": ["Pleiku"],
    "tuy-hoa": ["Tuy Hoa"],
    "meng-ke": ["Meng-ke [sic]"],
    "sam-neua": ["Sam Neua"],
    "kaesong": ["Kaesong"],
    "haiphong": ["Haiphong"],
}
PROPOSALS: dict[str, list[str]] = {
    "kr-1951-communist-38th-parallel": ["38th parallel"],
    "kr-1951-un-line-of-contact": ["present front line", "present line of the front"],
    "vn-1954-drv-maximum": ["Route 19", "Tuy Hoa"],
    "vn-1954-french-18th-parallel": ["18th parallel"],
}


def _fixture(name: str, folder: Path = CABLES) -> str:
    return (folder / name).read_text(encoding="utf-8")


def _doc(name: str, folder: Path = CABLES) -> ParsedDocument:
    doc, notes = read_document_file(folder / name)
    assert notes == []
    return doc


def _refs(mentions: Iterable[Mention]) -> set[str]:
    return {m.ref for m in mentions}


def _assert_spans_exact(text: str, mentions: Sequence[Mention]) -> None:
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
    assert [(m.start, m.end) for m in mentions] == sorted((m.start, m.end) for m in mentions)


# ---------------------------------------------------------------------------
# The real corpus (the archive's full texts, never in the repository)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_dir() -> Path:
    return require_corpus()


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> dict[str, ParsedDocument]:
    docs = []
    for path in sorted(corpus_dir.glob("*.txt")):
        doc, notes = read_document_file(path)
        assert notes == [], path.name  # the corpus is UTF-8
        docs.append(doc)
    by_id = {d.id: d for d in docs}
    assert len(by_id) == len(docs), "duplicate ids in corpus"
    return by_id


def test_require_corpus_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ARMISTICE_CORPUS", str(tmp_path / "nowhere"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="ARMISTICE_CORPUS"):
        require_corpus()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="ARMISTICE_CORPUS"):
        require_corpus()
    monkeypatch.setenv("ARMISTICE_CORPUS", str(tmp_path))
    assert require_corpus() == tmp_path


WEB_ID = "1954-06-20-telegram-ccp-central-committee-to-zhou-enlai"

EXPECTED: dict[str, dict[str, object]] = {
    "110145": {
        "date": "1954-06-26",
        "title": (
            "Cable from Li Kenong, 'Concerning the Content of a Meeting between the "
            "Soviet, Chinese, and Vietnamese Delegations'"
        ),
        "layout": "markdown",
        "language": "Chinese",
        "translator": "Chen Zhihong",
        "archive_ref": "PRC FMA 206-00046-34, 140-142",
        "source_url": "https://digitalarchive.umd.edu/document/110145",
        "sender": "Li Kenong",
        "recipient": None,
    },
    "117409": {
        "date": "1951-07-11",
        "title": "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]",
        "layout": "plain",
        "language": "Russian",
        "translator": None,
        "archive_ref": "APRF",
        "source_url": "https://wilson-center.drivingcreative.com/document/117409",
        "sender": "Mao Dong",
        "recipient": "Filippov [Stalin]",
    },
    "117413": {
        "date": "1951-07-11",
        "title": "Cable No. 21677, Mao Zedong to Cde. Filippov [Stalin]",
        "layout": "markdown",
        "language": "Russian",
        "translator": None,
        "archive_ref": "RGASPI, f. 558, op. 11, d. 340, ll. 0029-0030",
        "source_url": "https://digitalarchive.umd.edu/document/117413",
        "sender": "Mao Zedong",
        "recipient": "Filippov [Stalin]",
    },
    "113006": {
        "date": "1951-08-13",
        "title": "Ciphered Telegram No. 22834, Mao Zedong to Cde. Filippov [Stalin]",
        "layout": "markdown",
        "language": "Russian",
        "translator": None,
        "archive_ref": (
            "APRF, f. 45, op. 1, d. 341, ll. 56-58, and RGASPI, f. 558, op. 11, d. 341, ll. 56-58"
        ),
        "source_url": "https://digitalarchive.umd.edu/document/113006",
        "sender": "Mao Zedong",
        "recipient": "Filippov [Stalin]",
    },
    WEB_ID: {
        "date": "1954-06-20",
        "title": "Telegram, CCP Central Committee to Zhou Enlai",
        "layout": "webpage",
        "language": None,
        "translator": "Chen Jian",
        "archive_ref": "ZX vol. 4, p. 509",
        "source_url": None,
        "sender": "CCP Central Committee",
        "recipient": "Zhou Enlai",
    },
}


def test_corpus_has_exactly_the_expected_documents(corpus: dict[str, ParsedDocument]) -> None:
    assert set(corpus) == set(EXPECTED)


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_corpus_document_metadata(corpus: dict[str, ParsedDocument], doc_id: str) -> None:
    doc = corpus[doc_id]
    for key, value in EXPECTED[doc_id].items():
        assert getattr(doc, key) == value, key
    if doc_id.isdigit():
        assert doc.url == CANONICAL + doc_id
        assert doc.citation is not None and doc.citation.startswith('"')
        assert "http" not in doc.citation
    else:
        assert doc.url is None  # the scraped web page carries no address
    assert doc.summary
    assert doc.source.endswith(".txt") and "/" not in doc.source
    # The body is document text only: no field labels or archive boilerplate.
    for junk in ("Citation:", "Translation - English", "Document Information", "Record ID"):
        assert junk not in doc.body
    assert "Leon Levy" not in doc.body
    assert doc.body == doc.body.strip()


def test_corpus_bodies_start_and_end_where_expected(corpus: dict[str, ParsedDocument]) -> None:
    assert corpus["110145"].body.startswith("[....]\n\nConcerning the Content of a Meeting")
    assert corpus["110145"].body.endswith("(dispatched on the 27th)\n\n[...]")
    assert corpus["117409"].body.startswith("SECOND MAIN DIRECTORATE")
    assert corpus["117413"].body.endswith("Verified: Major [signature] (Rudakov)")
    assert corpus["113006"].body.endswith("13.8.51")  # trailing "###" dropped
    web = corpus[WEB_ID]
    assert web.body.startswith("(CCP) Guangxi Provincial Committee")
    assert web.body.endswith("CCP Central Committee\nJune 20")
    assert web.summary is not None and web.summary.startswith("Telegram from the CCP")
    assert web.citation == "ZX vol. 4, p. 509. Translated for CWIHP by Chen Jian."


def test_corpus_matches_the_atlas_records(atlas: Atlas, corpus: dict[str, ParsedDocument]) -> None:
    """Every record marked ``in_corpus`` is one of the texts, with the same date and title;
    the addresses the texts print are the records' ``corpus_url``."""
    in_corpus = {d.id: d for d in atlas.documents.values() if d.in_corpus}
    assert set(in_corpus) == set(corpus)
    for doc_id, record in in_corpus.items():
        doc = corpus[doc_id]
        assert (doc.date, doc.title) == (record.date, record.title), doc_id
        if doc.url is not None:
            assert doc.url == record.url
            assert doc.source_url == (record.corpus_url or record.url)


def test_corpus_evidence_phrases_occur_in_their_texts(
    atlas: Atlas, corpus: dict[str, ParsedDocument]
) -> None:
    missing = []
    checked = 0
    for record in atlas.documents.values():
        if not record.in_corpus:
            continue
        body = corpus[record.id].body
        for ev in record.supports:
            found = find_mentions(body, places={}, proposals={ev.proposal: [ev.phrase]})
            checked += 1
            if not found:
                missing.append(f"{record.id}: {ev.phrase!r}")
            _assert_spans_exact(body, found)
    assert missing == []
    assert checked >= 10  # 110145 alone gives ten phrases


def test_corpus_place_spellings_occur_in_their_documents(
    atlas: Atlas, corpus: dict[str, ParsedDocument]
) -> None:
    """Each place tied to a corpus document is named there in one of its source spellings
    (a spelling may come from another of the place's documents, e.g. one not in the corpus)."""
    missing = []
    checked = 0
    for place in atlas.places.values():
        for doc_id in place.documents:
            if doc_id not in corpus:
                continue
            spellings = list(place.spellings) or [place.name]
            found = find_mentions(corpus[doc_id].body, places={place.id: spellings}, proposals={})
            checked += 1
            if not found:
                missing.append(f"{place.id} in {doc_id}: none of {spellings}")
    assert missing == []
    assert checked >= 15


def test_corpus_mentions(corpus: dict[str, ParsedDocument]) -> None:
    def mentions(doc_id: str) -> list[Mention]:
        return find_mentions(corpus[doc_id].body, places=PLACES, proposals=PROPOSALS)

    li = mentions("110145")
    cheo = [m for m in li if m.ref == "cheo-reo"]
    assert [(m.text, m.sic) for m in cheo] == [("Jiao-yao [sic]", True)]
    refs = _refs(li)
    assert {"pleiku", "tuy-hoa", "vn-1954-drv-maximum", "meng-ke", "sam-neua"} <= refs
    assert "vn-1954-french-18th-parallel" in refs
    assert any(m.text == "Route 19" and m.kind == "proposal" for m in li)

    mao = mentions("113006")
    texts = {m.text for m in mao}
    assert "38th parallel" in texts
    assert "present front line" in texts
    assert "present line of the front" in texts
    assert _refs(mao) == {"kr-1951-communist-38th-parallel", "kr-1951-un-line-of-contact"}

    assert any(m.ref == "kaesong" for m in mentions("117409"))
    assert any(m.ref == "kr-1951-communist-38th-parallel" for m in mentions("117409"))


def test_corpus_parallels_link_every_line_on_them(
    atlas: Atlas, corpus: dict[str, ParsedDocument]
) -> None:
    """110145 names the 13th to 16th and the 18th parallels; each links all its lines."""
    par = atlas.parallel_lines()
    found = find_mentions(corpus["110145"].body, places={}, proposals={}, parallels=par)
    refs = _refs(found)
    for lat in (13, 14, 15, 16, 18):
        assert set(par[lat]) <= refs, lat
    assert {"vn-1954-drv-minimum", "vn-1954-drv-medium", "vn-1954-french-18th"} <= refs
    assert not set(par[38]) & refs  # Korea's parallel is not named in a Geneva cable
    between = [m for m in found if m.ref in ("ref-parallel-13", "ref-parallel-14")]
    assert [m.text for m in between] == ["13th", "14th"]


def test_corpus_import(corpus_dir: Path) -> None:
    report = import_documents(corpus_dir, places=PLACES, proposals=PROPOSALS)
    assert report.warnings == []
    assert {d.document.id for d in report.documents} == set(EXPECTED)
    by_id = {d.document.id: d for d in report.documents}
    assert "cheo-reo" in by_id["110145"].places
    assert "kr-1951-un-line-of-contact" in by_id["113006"].proposals
    web = by_id[WEB_ID]
    assert any("id derived" in w for w in web.warnings)
    data = report.to_json()
    assert isinstance(data["documents"], list) and len(data["documents"]) == 5


def test_corpus_import_with_the_atlas_gazetteers(atlas: Atlas, corpus_dir: Path) -> None:
    places, terms = atlas.name_maps()
    report = import_documents(
        corpus_dir, places=places, proposals=terms, parallels=atlas.parallel_lines()
    )
    assert report.warnings == []
    by_id = {d.document.id: d for d in report.documents}
    li = by_id["110145"]
    assert {"tuy-hoa", "cheo-reo", "pleiku", "haiphong", "luang-prabang"} <= set(li.places)
    assert {
        "ref-parallel-16",
        "vn-1954-drv-minimum",
        "vn-1954-drv-medium",
        "vn-1954-french-18th",
        "vn-1954-drv-maximum",
    } <= set(li.proposals)
    assert {"kr-1951-communist-38th-parallel", "ref-parallel-38"} <= set(by_id["113006"].proposals)
    assert "kaesong" in by_id["117409"].places
    for imported in report.documents:
        _assert_spans_exact(imported.document.body, imported.mentions)
        assert len(imported.mentions) <= MAX_MENTIONS


# ---------------------------------------------------------------------------
# Layouts (invented variants of each)
# ---------------------------------------------------------------------------


def test_markdown_with_split_bold_title_and_other_host() -> None:
    doc = _doc("markdown_split_title.md")
    assert doc.layout == "markdown"
    assert doc.id == "990001"
    assert doc.date == "1954-06-30"
    assert doc.title == "Ciphered Telegram No. 00017, Test Sender to Cde. Example Receiver [Alias]"
    assert doc.url == CANONICAL + "990001"
    assert doc.source_url == "https://digitalarchive.umd.edu/document/990001"
    assert doc.translator == "Ada Example"
    assert doc.archive_ref == "TEST ARCHIVE 1-2-3, 4-5"
    assert doc.language == "Chinese"
    assert doc.summary == "An invented summary about an invented line for the test suite."
    assert (doc.sender, doc.recipient) == ("Test Sender", "Example Receiver [Alias]")
    assert doc.body.startswith("[....]")
    assert doc.body.endswith("30 June 1954")  # trailing '###' removed
    assert doc.source == "markdown_split_title.md"


def test_markdown_title_in_two_separate_bold_lines_missing_optional_fields() -> None:
    doc = _doc("markdown_missing_fields.md")
    assert doc.layout == "markdown"
    assert doc.date == "1954-07-03"
    assert doc.title == "Telegram No. 7, Example Sender to Cde. Receiver [Alias]"
    assert doc.id == "1954-07-03-telegram-no-7-example-sender-to-cde-receiver-alias"
    assert doc.url is None and doc.source_url is None
    assert doc.citation is None and doc.summary is None
    assert doc.language is None and doc.translator is None
    assert doc.archive_ref is None
    assert doc.body.startswith("An invented body")


def test_plain_date_and_title_on_one_line_prefers_citation_title() -> None:
    doc = _doc("plain_one_line.txt")
    assert doc.layout == "plain"
    assert doc.date == "1951-07-12"
    # Header says "Tset Sender"; the citation's quoted title wins.
    assert doc.title == "Cable No. 00042, Test Sender to Cde. Someone [Alias]"
    assert doc.id == "990002"
    assert doc.source_url == "https://wilson-center.drivingcreative.com/document/990002"
    assert doc.url == CANONICAL + "990002"
    assert doc.archive_ref == "APRF"
    assert doc.language == "Russian"
    assert doc.citation is not None and "drivingcreative" not in doc.citation
    assert "invented foundation" not in doc.body  # Credits are not body text
    assert doc.body.startswith("CABLE No 00042")


def test_plain_header_title_used_when_citation_has_no_quoted_title() -> None:
    text = _fixture("plain_one_line.txt").replace(
        '"Cable No. 00042, Test Sender to Cde. Someone [Alias]", July 12, 1951, ', ""
    )
    doc = parse_document_text(text)
    assert doc.title == "Cable No. 00042, Tset Sender to Cde. Someone [Alias]"
    assert doc.date == "1951-07-12"


def test_webpage_with_record_id_on_next_line() -> None:
    doc = _doc("webpage_record_id.txt")
    assert doc.layout == "webpage"
    assert doc.id == "990004"
    assert doc.url == CANONICAL + "990004"
    assert doc.source_url is None
    assert doc.date == "1954-06-21"
    assert doc.title == "Telegram, Example Committee to Test Premier"
    assert doc.translator == "Test Person"
    assert doc.archive_ref == "XY vol. 2, p. 34"
    assert doc.summary is not None and doc.summary.startswith("Telegram from the Example")
    assert doc.body.endswith("Example Committee\nJune 21")
    assert "History and Public Policy" not in doc.body


def test_webpage_record_id_inline_and_empty() -> None:
    text = _fixture("webpage_record_id.txt").replace("Record ID\n\n990004", "Record ID 990007")
    assert parse_document_text(text).id == "990007"
    empty = _doc("webpage_no_record_id.txt")
    assert empty.id == "1954-06-22-telegram-example-committee-to-test-premier"
    assert empty.date == "1954-06-22"  # "22 June 1954" form
    assert empty.url is None
    assert empty.summary == "An invented summary paragraph that is long enough to be a summary."


def test_url_found_outside_citation_but_not_in_body() -> None:
    text = _fixture("webpage_no_record_id.txt")
    in_body = text.replace(
        "The invented army", "See https://digitalarchive.umd.edu/document/123 . The invented army"
    )
    assert parse_document_text(in_body).url is None
    in_footer = text.replace("Record ID\n", "https://example.org/document/990008\nRecord ID\n")
    doc = parse_document_text(in_footer)
    assert (doc.id, doc.source_url) == ("990008", "https://example.org/document/990008")


def test_webpage_without_skip_line_is_still_detected() -> None:
    text = _fixture("webpage_record_id.txt").replace("Skip to content\n", "")
    doc = parse_document_text(text, source="<upload>")
    assert doc.layout == "webpage"
    assert doc.id == "990004"
    assert doc.source == "<upload>"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("June 26, 1954", "1954-06-26"),
        ("26 June 1954", "1954-06-26"),
        ("Jun. 26, 1954", "1954-06-26"),
        ("Sept. 3 1954", "1954-09-03"),
        ("26th of June, 1954", "1954-06-26"),
        ("1951-07-11", "1951-07-11"),
    ],
)
def test_date_formats(raw: str, iso: str) -> None:
    doc = parse_document_text(f"{raw}\n\nCable No. 1, A to B\n\nSome invented text.\n")
    assert doc.date == iso
    assert doc.title == "Cable No. 1, A to B"


def test_impossible_dates_are_not_dates() -> None:
    with pytest.raises(DocumentError, match="no date"):
        parse_document_text("February 30, 1954\n\nA title\n\nSome text.\n")
    with pytest.raises(DocumentError, match="no date"):
        parse_document_text("Cable No. 21680\n\nA title\n\nSome text.\n")


def test_crlf_and_bom_give_the_same_result(tmp_path: Path) -> None:
    for name in ("markdown_split_title.md", "plain_one_line.txt", "webpage_record_id.txt"):
        original = _doc(name)
        variant = tmp_path / name
        variant.write_bytes(b"\xef\xbb\xbf" + _fixture(name).replace("\n", "\r\n").encode())
        assert read_document_file(variant) == (original, [])
        assert parse_document_text("\ufeff" + _fixture(name).replace("\n", "\r"), source=name) == (
            original
        )


def test_blank_line_variations() -> None:
    text = _fixture("markdown_split_title.md")
    squeezed = text.replace("\n\n", "\n")
    spread = text.replace("\n\n", "\n\n\n\n")
    for variant in (squeezed, spread):
        doc = parse_document_text(variant)
        assert doc.id == "990001"
        assert doc.date == "1954-06-30"
        assert doc.language == "Chinese"
        assert doc.translator == "Ada Example"
        assert "Jiao-yao [sic]" in doc.body


def test_old_names_still_resolve() -> None:
    from geo.documents import ParsedCable

    assert CableParseError is DocumentError
    assert ParsedCable is ParsedDocument


# ---------------------------------------------------------------------------
# Archive addresses (issue §3): slugs on any mirror, numbers, absurd numbers
# ---------------------------------------------------------------------------

SLUG = "memorandum-invented-observer-test-desk-0"
_SLUG_URL = "https://digitalarchive.umd.edu/document/" + SLUG


def test_slug_address_on_a_mirror_is_kept_and_moved_to_the_canonical_host() -> None:
    doc = _doc("plain_slug_mirror.txt", FIXTURES)
    assert doc.layout == "plain"
    assert doc.source_url == _SLUG_URL
    assert doc.url == CANONICAL + SLUG
    assert doc.id == "1954-07-02-memorandum-invented-observer-to-test-desk"
    assert doc.citation is not None and "http" not in doc.citation
    assert doc.archive_ref == "TEST FILE 7-8"

    web = _doc("webpage_slug_address.txt", FIXTURES)
    assert web.layout == "webpage"
    assert web.url == CANONICAL + "telegram-invented-office-test-envoy"
    assert web.source_url is not None and "drivingcreative" in web.source_url
    assert web.id == "1954-06-23-telegram-invented-office-to-test-envoy"
    assert web.translator == "Test Person"


@pytest.mark.parametrize(
    "address",
    [
        CANONICAL + SLUG,
        "https://digitalarchive.umd.edu/document/" + SLUG,
        "https://wilson-center.drivingcreative.com/document/" + SLUG,
        "http://digitalarchive.wilsoncenter.org/document/" + SLUG,
        "https://wilson-center.drivingcreative.com/document/" + SLUG + "/",
        "https://digitalarchive.umd.edu/document/" + SLUG + "?lang=en#top",
        "<https://digitalarchive.umd.edu/document/" + SLUG + ">",
        "https://digitalarchive.umd.edu/document/" + SLUG + ".",
    ],
)
def test_slug_addresses_normalise_to_the_canonical_slug_url(address: str) -> None:
    text = _fixture("plain_slug_mirror.txt", FIXTURES).replace(_SLUG_URL, address)
    doc = parse_document_text(text)
    assert doc.url == CANONICAL + SLUG
    assert doc.id == "1954-07-02-memorandum-invented-observer-to-test-desk"
    assert doc.source_url is not None and SLUG in doc.source_url


@pytest.mark.parametrize(
    "address",
    [
        "https://digitalarchive.umd.edu/document/990012",
        "https://wilson-center.drivingcreative.com/document/990012",
        CANONICAL + "990012",
        CANONICAL + "990012/",
        CANONICAL + "0990012",
        CANONICAL + "990012?lang=en",
    ],
)
def test_numbered_addresses_give_the_id_and_the_canonical_url(address: str) -> None:
    text = _fixture("plain_slug_mirror.txt", FIXTURES).replace(_SLUG_URL, address)
    doc = parse_document_text(text)
    assert (doc.id, doc.url) == ("990012", CANONICAL + "990012")
    assert doc.source_url == address


@pytest.mark.parametrize(
    "address",
    [
        "https://example.org/files/" + SLUG,  # not an archive document address
        CANONICAL + "telegram",  # one word: not a title slug
        CANONICAL + SLUG + "/print",
    ],
)
def test_other_addresses_are_no_canonical_url(address: str) -> None:
    text = _fixture("plain_slug_mirror.txt", FIXTURES).replace(_SLUG_URL, address)
    doc = parse_document_text(text)
    assert doc.url is None
    assert doc.id == "1954-07-02-memorandum-invented-observer-to-test-desk"


def test_slug_starting_with_digits_is_a_slug_not_a_number() -> None:
    slug = "1954-geneva-talks-invented-minutes"
    text = _fixture("plain_slug_mirror.txt", FIXTURES).replace(
        _SLUG_URL, "https://digitalarchive.umd.edu/document/" + slug
    )
    doc = parse_document_text(text)
    assert doc.url == CANONICAL + slug
    assert doc.id == "1954-07-02-memorandum-invented-observer-to-test-desk"


HUGE = "9" * 5000


def _with_huge_record_id(number: str = HUGE) -> dict[str, str]:
    web = _fixture("webpage_record_id.txt")
    md = _fixture("markdown_split_title.md")
    inline = web.replace("Record ID\n\n990004", "Record ID " + number)
    return {
        "record-id-next-line.txt": web.replace("990004", number),
        "record-id-inline.txt": inline.replace("Telegram, Example", "Second Telegram, Example"),
        "address.md": md.replace("990001", number),
    }


@pytest.mark.parametrize("name", sorted(_with_huge_record_id()))
def test_a_5000_digit_record_id_gives_a_date_and_title_id(name: str) -> None:
    doc = parse_document_text(_with_huge_record_id()[name], source=name)
    assert doc.id.startswith(doc.date + "-")
    assert HUGE[:20] not in doc.id
    assert doc.url is None
    assert doc.title


def test_import_of_a_folder_with_5000_digit_ids_imports_every_file(tmp_path: Path) -> None:
    for name, text in _with_huge_record_id().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    shutil.copy(CABLES / "plain_one_line.txt", tmp_path / "ordinary.txt")
    report = import_documents(tmp_path, places=PLACES, proposals=PROPOSALS)
    assert report.warnings == []
    ids = {d.document.source: d.document.id for d in report.documents}
    assert ids == {
        "address.md": (
            "1954-06-30-ciphered-telegram-no-00017-test-sender-to-cde-example-receiver-alias"
        ),
        "ordinary.txt": "990002",
        "record-id-inline.txt": "1954-06-21-second-telegram-example-committee-to-test-premier",
        "record-id-next-line.txt": "1954-06-21-telegram-example-committee-to-test-premier",
    }
    json_text = repr(report.to_json())
    assert HUGE[:50] not in json_text


@pytest.mark.parametrize("number", ["0" * 4998 + "17", "²"])
def test_odd_record_ids_do_not_refuse_the_document(number: str) -> None:
    for name, text in _with_huge_record_id(number).items():
        doc = parse_document_text(text, source=name)
        assert doc.title and doc.body


# ---------------------------------------------------------------------------
# Decoding and bad files (issue §4)
# ---------------------------------------------------------------------------


def _expect_error(path: Path, reason_part: str, **kwargs: int) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        read_document_file(path, **kwargs)
    err = info.value
    assert isinstance(err, AtlasError)
    assert err.source == path.name
    assert reason_part in err.reason
    assert str(err) == f"{path.name}: {err.reason}"
    assert str(path.parent) not in str(err)
    return err


def test_binary_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _expect_error(path, "binary")
    controls = tmp_path / "controls.txt"
    controls.write_bytes(bytes(range(1, 32)) * 50)  # no NUL, but control bytes
    _expect_error(controls, "binary")


def test_empty_and_blank_files_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    _expect_error(empty, "empty")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"\r\n  \n\t\n")
    _expect_error(blank, "empty")
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf\n\n")
    _expect_error(bom, "empty")


def test_too_large_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "small.txt"
    path.write_text(_fixture("plain_one_line.txt"), encoding="utf-8")
    _expect_error(path, "too large", max_bytes=100)
    assert read_document_file(path, max_bytes=MAX_BYTES)[0].id == "990002"
    huge = tmp_path / "huge.txt"
    huge.write_bytes(_fixture("plain_one_line.txt").encode() + b"\n" * MAX_BYTES)
    _expect_error(huge, "too large")
    with pytest.raises(DocumentError, match="too large") as info:
        read_document_bytes(huge.read_bytes(), "upload.txt")
    assert info.value.source == "upload.txt"


def test_missing_file_and_directory_refused(tmp_path: Path) -> None:
    _expect_error(tmp_path / "absent.txt", "not found")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    _expect_error(folder, "directory")


def test_no_date_and_no_title() -> None:
    err = _expect_error(CABLES / "bad_no_date.md", "no date")
    assert err.path == CABLES / "bad_no_date.md"  # the full path is kept, never shown
    _expect_error(CABLES / "bad_no_title.txt", "no title")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_utf16_with_bom_decodes_without_a_note(tmp_path: Path, encoding: str) -> None:
    text = _fixture("plain_one_line.txt")
    data = {
        "utf-16": text.encode("utf-16"),
        "utf-16-le-bom": b"\xff\xfe" + text.encode("utf-16-le"),
        "utf-16-be-bom": b"\xfe\xff" + text.encode("utf-16-be"),
    }[encoding]
    path = tmp_path / "wide.txt"
    path.write_bytes(data)
    assert read_document_file(path) == (parse_document_text(text, source="wide.txt"), [])


def test_utf16_without_bom_or_broken_is_refused(tmp_path: Path) -> None:
    """Without a byte order mark UTF-16 looks binary (NUL bytes); that is a clean refusal."""
    path = tmp_path / "wide.txt"
    path.write_bytes(_fixture("plain_one_line.txt").encode("utf-16-le"))
    _expect_error(path, "binary")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\xff\xfe" + b"\x00\xd8")  # a lone surrogate
    _expect_error(broken, "UTF-16")


def test_cp1251_russian_is_detected(tmp_path: Path) -> None:
    text = _fixture("russian_telegram.txt", FIXTURES)
    path = tmp_path / "telegram.txt"
    path.write_bytes(text.encode("cp1251"))
    doc, notes = read_document_file(path)
    assert notes == ["not valid UTF-8; decoded as cp1251"]
    assert doc == parse_document_text(text, source="telegram.txt")
    assert doc.title.startswith("Шифротелеграмма № 0001")
    assert "38-й параллели" in doc.body


def test_cp1252_file_decodes_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    text = _fixture("plain_one_line.txt").replace("invented body", "Châlons body")
    text = text.replace("CABLE No 00042", "CABLE No 00042 – Châlons")
    path.write_bytes(text.encode("cp1252"))
    doc, notes = read_document_file(path)
    assert "Châlons" in doc.body and "–" in doc.body
    assert len(notes) == 1 and notes[0].startswith("not valid UTF-8; decoded as ")


def test_cp1252_french_decodes_exactly(tmp_path: Path) -> None:
    text = _fixture("french_note.txt", FIXTURES)
    path = tmp_path / "note.txt"
    path.write_bytes(text.encode("cp1252"))
    doc, notes = read_document_file(path)
    assert notes == ["not valid UTF-8; decoded as cp1252"]
    assert doc == parse_document_text(text, source="note.txt")


@pytest.mark.parametrize("stray", [b"\x85", b"\xff"])
def test_utf8_with_one_stray_byte_keeps_its_text(stray: bytes) -> None:
    text = _fixture("french_note.txt", FIXTURES)
    data = text.replace("Le rapporteur", "@ Le rapporteur").encode().replace(b"@", stray)
    doc, notes = read_document_bytes(data, "note.txt")
    assert doc.title == "Note de la délégation imaginaire sur la ligne de démarcation"
    assert "délégation française" in doc.body
    assert len(notes) == 1


def test_bad_files_never_show_their_folder(tmp_path: Path) -> None:
    folder = tmp_path / "private-operator-folder"
    folder.mkdir()
    files = {
        "binary.txt": b"\x00\x01\x02 not text",
        "empty.md": b"",
        "no-date.md": (CABLES / "bad_no_date.md").read_bytes(),
        "no-title.txt": (CABLES / "bad_no_title.txt").read_bytes(),
        "huge.txt": b"x" * (MAX_BYTES + 1),
        "wide.txt": _fixture("plain_one_line.txt").encode("utf-16-le"),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "sub.txt").mkdir()
    for name in files:
        with pytest.raises(DocumentError) as info:
            read_document_file(folder / name)
        assert info.value.source == name
        assert "private-operator-folder" not in str(info.value)
    report = import_documents(folder, places=PLACES, proposals=PROPOSALS)
    assert report.documents == []
    assert sorted(w.split(":")[0] for w in report.warnings) == sorted(files)
    assert "private-operator-folder" not in repr(report.to_json())
    with pytest.raises(DocumentError) as info:
        import_documents(folder / "gone", places={}, proposals={})
    assert "private-operator-folder" not in str(info.value)
    assert info.value.source == "gone"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("June 26, 1954\n\nA title\n", "body is empty"),
        ("June 26, 1954\n", "no title"),
        ("A title\n\nSome text\n", "no date"),
        ("June 26, 1954\nA title\n\x00\x01", "NUL"),
        ("**June 26, 1954**\n**A title**\n\n**Citation:**\n\nx\n\n**Contents:**\n", "body"),
    ],
)
def test_parse_errors(text: str, reason: str) -> None:
    with pytest.raises(DocumentError, match=reason) as info:
        parse_document_text(text, source="<upload>")
    assert str(info.value).startswith("<upload>: ")


def test_parse_refuses_bytes_cleanly() -> None:
    with pytest.raises(DocumentError, match="expected text"):
        parse_document_text(b"June 26, 1954\nA title\n\nText\n")  # type: ignore[arg-type]


def test_error_is_an_atlas_error_and_pickles() -> None:
    err = DocumentError("a.txt", "broken", Path("/x/a.txt"))
    assert isinstance(err, AtlasError)
    clone = pickle.loads(pickle.dumps(err))
    assert (clone.source, clone.reason, clone.path, str(clone)) == (
        "a.txt",
        "broken",
        Path("/x/a.txt"),
        "a.txt: broken",
    )


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def test_import_fixture_directory_keeps_going_past_bad_files() -> None:
    report = import_documents(CABLES, places=PLACES, proposals=PROPOSALS)
    ids = [d.document.id for d in report.documents]
    assert "990001" in ids and "990002" in ids and "990004" in ids
    assert len(ids) == 5
    assert sorted(report.warnings) == [
        "bad_no_date.md: no date found (expected e.g. 'June 26, 1954')",
        "bad_no_title.txt: no title found",
    ]


def test_import_directory_with_binary_empty_and_duplicate(tmp_path: Path) -> None:
    for name in ("markdown_split_title.md", "plain_one_line.txt"):
        shutil.copy(CABLES / name, tmp_path / name)
    shutil.copy(CABLES / "plain_one_line.txt", tmp_path / "zz_copy.txt")
    (tmp_path / "image.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "notes.csv").write_text("ignored", encoding="utf-8")
    (tmp_path / "sub.md").mkdir()
    (tmp_path / "legacy.txt").write_bytes(
        _fixture("webpage_record_id.txt").replace("Test Person", "Test Persön").encode("cp1252")
    )

    report = import_documents(tmp_path, places=PLACES, proposals=PROPOSALS)

    assert isinstance(report, ImportReport)
    assert [d.document.source for d in report.documents] == [
        "legacy.txt",
        "markdown_split_title.md",
        "plain_one_line.txt",
    ]
    assert report.warnings == [
        "empty.md: empty file",
        "image.txt: binary file (contains NUL or control bytes)",
        "zz_copy.txt: duplicate id 990002 (already imported from plain_one_line.txt)",
    ]
    legacy = report.documents[0]
    assert legacy.document.translator == "Test Persön"
    assert legacy.warnings[0].startswith("not valid UTF-8; decoded as ")

    doc = report.documents[1]
    assert isinstance(doc, ImportedDocument)
    assert doc.places == ["tuy-hoa", "cheo-reo", "pleiku", "meng-ke"]
    assert doc.proposals == ["vn-1954-drv-maximum"]
    assert doc.to_json() == {
        "id": "990001",
        "title": "Ciphered Telegram No. 00017, Test Sender to Cde. Example Receiver [Alias]",
        "date": "1954-06-30",
        "url": CANONICAL + "990001",
        "citation": doc.document.citation,
        "language": "Chinese",
        "places": ["tuy-hoa", "cheo-reo", "pleiku", "meng-ke"],
        "proposals": ["vn-1954-drv-maximum"],
        "warnings": [],
    }
    data = report.to_json()
    assert data["warnings"] == report.warnings
    assert isinstance(data["documents"], list) and len(data["documents"]) == 3


def test_import_warns_about_missing_address_and_slug_ids(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "plain_slug_mirror.txt", tmp_path / "slug.txt")
    shutil.copy(CABLES / "markdown_missing_fields.md", tmp_path / "bare.md")
    report = import_documents(tmp_path, places=PLACES, proposals=PROPOSALS)
    by_name = {d.document.source: d.warnings for d in report.documents}
    assert by_name["slug.txt"] == ["no archive document number; id derived from date and title"]
    assert by_name["bare.md"] == [
        "no archive address; id derived from date and title",
        "no citation",
        "original language not stated",
    ]


def test_import_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="folder not found"):
        import_documents(tmp_path / "nope", places={}, proposals={})
    afile = tmp_path / "a.txt"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(DocumentError, match="not a folder"):
        import_documents(afile, places={}, proposals={})


# ---------------------------------------------------------------------------
# Parallels however written (issue §3), with the real atlas's gazetteers
# ---------------------------------------------------------------------------

#: Wording -> (the matched texts, the latitudes they name).
PARALLEL_WORDINGS: dict[str, tuple[list[str], list[int]]] = {
    "they argued between the 18th and the 16th parallels": (["18th", "16th"], [18, 16]),
    "the 16th and 18th parallels": (["16th", "18th"], [16, 18]),
    "the 16th or the 18th parallel": (["16th", "18th"], [16, 18]),
    "the 13th-14th parallels": (["13th", "14th"], [13, 14]),
    "the 13th, 14th or 15th parallel": (["13th", "14th", "15th"], [13, 14, 15]),
    "the seventeenth parallel": (["seventeenth"], [17]),
    "the Sixteenth Parallel": (["Sixteenth"], [16]),
    "the sixteenth and eighteenth parallels": (["sixteenth", "eighteenth"], [16, 18]),
    "parallel 17": (["17"], [17]),
    "parallels 16 and 18": (["16", "18"], [16, 18]),
    "the parallel of 17": (["17"], [17]),
    "at 17°N": (["17"], [17]),
    "at 17° N": (["17"], [17]),
    "at 17ºN": (["17"], [17]),
    "at 17 degrees north": (["17"], [17]),
    "at 17 degrees North": (["17"], [17]),
    "the thirty-eighth parallel": (["thirty-eighth"], [38]),
    "the thirty eighth parallel": (["thirty eighth"], [38]),
    "the 38th\nparallel": (["38th"], [38]),
}


@pytest.mark.parametrize("wording", sorted(PARALLEL_WORDINGS))
def test_parallel_wordings_link_the_reference_and_every_line_on_it(
    atlas: Atlas, wording: str
) -> None:
    par = atlas.parallel_lines()
    texts, lats = PARALLEL_WORDINGS[wording]
    found = find_mentions(wording, places={}, proposals={}, parallels=par)
    _assert_spans_exact(wording, found)
    expected = [(t, ref) for t, lat in zip(texts, lats, strict=True) for ref in sorted(par[lat])]
    assert sorted((m.text, m.ref) for m in found) == sorted(expected)
    assert all(m.kind == "parallel" and not m.sic for m in found)
    assert {m.ref for m in found} >= {f"ref-parallel-{lat}" for lat in lats}


def test_the_parallels_of_the_geneva_proposals(atlas: Atlas) -> None:
    """Named ids, not only whatever parallel_lines says: the 16th is the DRV minimum, the
    18th the French demand, the 15th the DRV medium."""
    par = atlas.parallel_lines()
    assert {"ref-parallel-16", "vn-1954-drv-minimum"} <= set(par[16])
    assert {"ref-parallel-18", "vn-1954-french-18th"} <= set(par[18])
    assert {"ref-parallel-15", "vn-1954-drv-medium"} <= set(par[15])
    assert "ref-parallel-17" in par[17]
    found = find_mentions(
        "between the 18th and the 16th parallels", places={}, proposals={}, parallels=par
    )
    assert {
        "ref-parallel-16",
        "vn-1954-drv-minimum",
        "ref-parallel-18",
        "vn-1954-french-18th",
    } <= _refs(found)


@pytest.mark.parametrize(
    "wording",
    [
        "the 16th and 18th parallels",
        "the seventeenth parallel",
        "parallel 17",
        "at 17°N",
        "17 degrees north",
        "the thirty-eighth parallel",
        "the 38th parallel",
        "the 16th parallel",
        pytest.param("between the 18th and the 16th parallels"),
    ],
)
def test_parallel_wordings_with_the_full_gazetteers(atlas: Atlas, wording: str) -> None:
    """As the app calls it: the atlas's names and terms and its parallels together."""
    places, terms = atlas.name_maps()
    par = atlas.parallel_lines()
    found = find_mentions(wording, places=places, proposals=terms, parallels=par)
    _assert_spans_exact(wording, found)
    lats = [lat for lat, _, _ in parallel_mentions(fold(wording))]
    assert lats
    for lat in lats:
        assert set(par[lat]) <= _refs(found), lat


def test_parallel_links_survive_a_longer_term(atlas: Atlas) -> None:
    text = "they argued between the 18th and the 16th parallels"
    found = find_mentions(
        text,
        places={},
        proposals={"a-zone": ["between the 18th and the 16th parallels"]},
        parallels=atlas.parallel_lines(),
    )
    assert {"a-zone", "ref-parallel-16", "ref-parallel-18"} <= _refs(found)


@pytest.mark.parametrize(
    "text",
    [
        "17.5 degrees north",
        "17.5°N",
        "at 16.5° N",
        "the parallel 17.5",
        "No. 17 parallel bars",
        "section 17 parallel",
        "parallel bars 17",
        "the 17th",
        "1917 degrees north",
        "117°N",
        "x17°N",
        "17 degrees northeast",
        "17 degrees, north of the river",
        "the roads run parallel to Route 19",
        "two parallel roads, 16 and 18 km long",
        "the 16th and 18th divisions, in parallel",
        "seventeen degrees north",
        "Article 16, parallel clauses",
    ],
)
def test_parallel_false_positives(atlas: Atlas, text: str) -> None:
    assert list(parallel_mentions(fold(text))) == []
    assert find_mentions(text, places={}, proposals={}, parallels=atlas.parallel_lines()) == []


@pytest.mark.parametrize(
    "text",
    ["two roads parallel 16 km apart", "a bearing of 17 degrees north-east", "heading 17° N.E."],
)
def test_parallel_false_positives_units_and_bearings(atlas: Atlas, text: str) -> None:
    assert find_mentions(text, places={}, proposals={}, parallels=atlas.parallel_lines()) == []


def test_without_parallels_only_terms_link(atlas: Atlas) -> None:
    found = find_mentions("the seventeenth parallel and 17°N", places={}, proposals={})
    assert found == []
    par = atlas.parallel_lines()
    assert find_mentions("the 99th parallel", places={}, proposals={}, parallels=par) == []


def test_parallels_in_a_document(atlas: Atlas, tmp_path: Path) -> None:
    """The fixture names parallels in every wording; import links each line on them."""
    shutil.copy(FIXTURES / "markdown_parallels.md", tmp_path / "memo.md")
    par = atlas.parallel_lines()
    report = import_documents(tmp_path, places={}, proposals={}, parallels=par)
    assert report.warnings == []
    (imported,) = report.documents
    assert imported.document.id == "990011"
    assert imported.document.url == CANONICAL + "990011"
    expected = [lid for lat in (18, 16, 17, 38) for lid in sorted(par[lat])]
    assert imported.proposals == list(dict.fromkeys(expected))
    seventeen = [m for m in imported.mentions if m.ref == "ref-parallel-17"]
    assert [m.text for m in seventeen] == ["seventeenth", "17", "17", "17", "17"]
    body = imported.document.body
    _assert_spans_exact(body, imported.mentions)
    assert not any("17.5" in body[m.start - 2 : m.end + 3] for m in imported.mentions)
    assert not any("No. 17" in body[m.start - 4 : m.end] for m in imported.mentions)


# ---------------------------------------------------------------------------
# Mentions: overlaps, [sic], folding (issue §4)
# ---------------------------------------------------------------------------


def _find(text: str, places: Mapping[str, Sequence[str]] | None = None) -> list[Mention]:
    return find_mentions(text, places=places or PLACES, proposals=PROPOSALS)


def test_sic_aware_matching() -> None:
    text = "From Jiao-yao [sic] to Jiao-yao and JIAO YAO [ sic ]."
    found = _find(text)
    assert [(m.text, m.sic) for m in found] == [
        ("Jiao-yao [sic]", True),
        ("Jiao-yao", False),
        ("JIAO YAO [ sic ]", True),
    ]
    for m in found:
        assert text[m.start : m.end] == m.text
        assert (m.kind, m.ref) == ("place", "cheo-reo")


def test_name_without_sic_still_flags_sic_in_text() -> None:
    found = _find("Pleiku [sic] and Pleiku and Pleiku[SIC]")
    assert [(m.text, m.sic) for m in found] == [
        ("Pleiku [sic]", True),
        ("Pleiku", False),
        ("Pleiku[SIC]", True),
    ]


def test_word_boundaries_case_and_hyphens() -> None:
    assert _find("Pleikuan PLEIKU xPleiku Pleiku-based") == [
        Mention("place", "pleiku", "PLEIKU", 9, 15, False),
        Mention("place", "pleiku", "Pleiku", 24, 30, False),
    ]
    assert [m.text for m in _find("Meng ke, Meng-ke, Meng – ke, Mengke")] == [
        "Meng ke",
        "Meng-ke",
        "Meng – ke",
    ]
    assert [m.text for m in _find("the 38th\nparallel and 38th-parallel")] == [
        "38th\nparallel",
        "38th-parallel",
    ]


def test_diacritics_are_ignored_and_offsets_kept() -> None:
    text = "toward Tuy Hòa, Sầm Nưa and PLEİKU"
    found = _find(text)
    assert ("tuy-hoa", "Tuy Hòa") in {(m.ref, m.text) for m in found}
    assert ("pleiku", "PLEİKU") in {(m.ref, m.text) for m in found}
    _assert_spans_exact(text, found)
    places = {"sam-neua": ["Sam Nua"]}
    (m,) = find_mentions(text, places=places, proposals={})
    assert m.text == "Sầm Nưa"


def test_fold_keeps_length_and_offsets() -> None:
    text = "Sầm Nưa, Đồng Hới, Huế, Łódź, İzmir, Øresund, straße, 開城, Кэсон"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("Sam Nua, Dong Hoi, Hue, Lodz, Izmir, Oresund, straße")
    assert folded.endswith("開城, Кэсон")
    assert fold("plain ascii") == "plain ascii"


def test_decomposed_diacritics_are_ignored_too() -> None:
    text = unicodedata.normalize("NFD", "toward Tuy Hòa and Sầm Nưa")
    found = find_mentions(text, places={"tuy-hoa": ["Tuy Hoa"], "sam": ["Sam Nua"]}, proposals={})
    assert _refs(found) == {"tuy-hoa", "sam"}
    _assert_spans_exact(text, found)


def test_longest_match_wins_and_identical_spans_are_kept() -> None:
    proposals = {"contact": ["present front line"], "front": ["front"], "line": ["front line"]}
    found = find_mentions("at the present front line.", places={}, proposals=proposals)
    assert [(m.ref, m.text) for m in found] == [("contact", "present front line")]

    both = _find("from Tuy Hoa south")
    assert [(m.kind, m.ref) for m in both] == [
        ("place", "tuy-hoa"),
        ("proposal", "vn-1954-drv-maximum"),
    ]
    assert (both[0].start, both[0].end) == (both[1].start, both[1].end)


def test_overlaps_partial_and_nested(atlas: Atlas) -> None:
    # two overlapping names of equal length: the earlier wins
    found = find_mentions("Nam Ou Bac", places={"a": ["Nam Ou"], "b": ["Ou Bac"]}, proposals={})
    assert [(m.ref, m.text) for m in found] == [("a", "Nam Ou")]
    # a longer partial overlap beats a shorter one wherever it starts
    found = find_mentions(
        "Nam Ou Bac Ha", places={"a": ["Nam Ou"], "b": ["Ou Bac Ha"]}, proposals={}
    )
    assert [(m.ref, m.text) for m in found] == [("b", "Ou Bac Ha")]
    # the same place written twice in one gazetteer entry is one mention
    found = find_mentions(
        "Pleiku", places={"p": ["Pleiku", "PLEIKU", "Pleiku [sic]"]}, proposals={}
    )
    assert len(found) == 1
    # identical spans for several ids, with the real gazetteers: all kept
    places, terms = atlas.name_maps()
    found = find_mentions("Sam Neua", places=places, proposals=terms)
    assert len(found) >= 2
    assert len({(m.start, m.end) for m in found}) == 1
    assert {m.kind for m in found} == {"place", "proposal"}


def test_empty_names_are_ignored() -> None:
    assert find_mentions("a - b", places={"x": ["", " - ", "[sic]"]}, proposals={}) == []


def test_a_bare_string_is_one_name() -> None:
    found = find_mentions("Pleiku", places={"p": "Pleiku"}, proposals={})  # type: ignore[dict-item]
    assert [m.ref for m in found] == ["p"]


def test_limit_keeps_the_earliest() -> None:
    text = "Pleiku, Haiphong, Kaesong, Pleiku"
    found = find_mentions(text, places=PLACES, proposals={}, limit=2)
    assert [m.text for m in found] == ["Pleiku", "Haiphong"]


def test_highlight_spans() -> None:
    text = "From Jiao-yao [sic] along Route 19 to Tuy Hoa."
    found = _find(text)
    segments = highlight_spans(text, found)
    assert "".join(s for s, _ in segments) == text
    marked = [(s, m.ref) for s, m in segments if m is not None]
    assert marked == [
        ("Jiao-yao [sic]", "cheo-reo"),
        ("Route 19", "vn-1954-drv-maximum"),
        ("Tuy Hoa", "tuy-hoa"),  # identical-span duplicate dropped for display
    ]
    assert highlight_spans("", found) == []
    assert highlight_spans("plain", []) == [("plain", None)]
    out_of_range = Mention("place", "x", "zz", 3, 99, False)
    assert highlight_spans("abcdef", [out_of_range]) == [("abcdef", None)]


# ---------------------------------------------------------------------------
# Adversarial input (issue §4): results asserted, time measured by the benchmark
# ---------------------------------------------------------------------------

HEAD = "June 1, 1954\n\nAn invented title\n\n"


def test_repeated_place_names_are_capped_at_max_mentions(atlas: Atlas, tmp_path: Path) -> None:
    unit = "Pleiku, "
    text = unit * 100_000
    found = find_mentions(text, places={"pleiku": ["Pleiku"]}, proposals={})
    assert len(found) == MAX_MENTIONS
    assert [m.start for m in found] == [i * len(unit) for i in range(MAX_MENTIONS)]
    _assert_spans_exact(text, found)

    (tmp_path / "repeat.txt").write_text(HEAD + text, encoding="utf-8")
    places, terms = atlas.name_maps()
    report = import_documents(
        tmp_path, places=places, proposals=terms, parallels=atlas.parallel_lines()
    )
    assert report.warnings == []
    (doc,) = report.documents
    assert len(doc.mentions) == MAX_MENTIONS
    assert doc.places == ["pleiku"]
    assert doc.mentions[0].start == 0
    _assert_spans_exact(doc.document.body, doc.mentions)


def test_repeated_mixed_names_under_the_candidate_cap(atlas: Atlas) -> None:
    """Fewer candidates than the cap: the capped result is exactly the first mentions of
    the uncapped text."""
    places, terms = atlas.name_maps()
    par = atlas.parallel_lines()
    unit = "Tuy Hoa, Jiao-yao [sic], Pleiku and the 16th and 18th parallels. "
    one = find_mentions(unit, places=places, proposals=terms, parallels=par)
    assert {"tuy-hoa", "cheo-reo", "pleiku", "ref-parallel-16", "ref-parallel-18"} <= _refs(one)
    repeats = MAX_MENTIONS // len(one) + 2
    text = unit * repeats
    found = find_mentions(text, places=places, proposals=terms, parallels=par)
    shifted = [
        (m.kind, m.ref, m.start + i * len(unit), m.end + i * len(unit))
        for i in range(repeats)
        for m in one
    ]
    assert len(found) == MAX_MENTIONS
    assert [(m.kind, m.ref, m.start, m.end) for m in found] == shifted[:MAX_MENTIONS]


@pytest.mark.parametrize("case", ["later-place", "identical-span-line"])
def test_capped_mentions_are_the_earliest(case: str) -> None:
    text = "Haiphong. " + "Pleiku " * 30_000
    if case == "later-place":
        found = find_mentions(
            text, places={"pleiku": ["Pleiku"], "haiphong": ["Haiphong"]}, proposals={}
        )
        assert (found[0].ref, found[0].start) == ("haiphong", 0)
    else:
        found = find_mentions(text, places={"pleiku": ["Pleiku"]}, proposals={"line": ["Pleiku"]})
        assert [m.ref for m in found[:4]] == ["pleiku", "line", "pleiku", "line"]
        assert sum(m.ref == "line" for m in found) == MAX_MENTIONS // 2


def test_repeated_sic_names(atlas: Atlas) -> None:
    places, _ = atlas.name_maps()
    text = "Jiao-yao [sic] " * 20_000
    found = find_mentions(text, places=places, proposals={})
    assert len(found) == MAX_MENTIONS
    assert all(m.ref == "cheo-reo" and m.sic and m.text == "Jiao-yao [sic]" for m in found)


def test_two_megabytes_of_blank_lines(tmp_path: Path) -> None:
    tail = "The body comes after two megabytes of blank lines.\n"
    filler_unit = "\n\r\n  \n\t\n"
    room = MAX_BYTES - len(HEAD) - len(tail)
    filler = (filler_unit * (room // len(filler_unit) + 1))[: room - 1] + "\n"
    data = (HEAD + filler + tail).encode()
    assert len(data) == MAX_BYTES
    (tmp_path / "blank.txt").write_bytes(data)
    report = import_documents(tmp_path, places=PLACES, proposals=PROPOSALS)
    assert report.warnings == []
    (imported,) = report.documents
    doc = imported.document
    assert (doc.date, doc.title) == ("1954-06-01", "An invented title")
    assert doc.body == tail.strip()
    assert imported.mentions == []


def test_runs_of_quotes_in_the_citation() -> None:
    for run in ('"' * 300_000, "\u201c\u201d" * 150_000, '"", ' * 100_000, "'\"" * 150_000):
        text = (
            "June 1, 1954\n\nAn invented title\n\nCitation:\n\n"
            + run
            + "\n\nContents:\n\nTranslation - English\n\nThe body after the quotes.\n"
        )
        doc = parse_document_text(text)
        assert (doc.date, doc.title) == ("1954-06-01", "An invented title")
        assert doc.body == "The body after the quotes."
        assert doc.citation is not None and len(doc.citation) > 100_000
        assert doc.layout == "plain"


@pytest.mark.parametrize("bold", [False, True])
def test_thousands_of_quote_commas_before_the_date(bold: bool) -> None:
    label = "**Citation:**" if bold else "Citation:"
    contents = "**Contents:**" if bold else "Contents:"
    title = "**An invented title**" if bold else "An invented title"
    cit = '"Title' + '", ' * 100_000 + "June 2, 1954, Wilson Center Digital Archive, TEST 1."
    text = (
        f"{title}\n\n{label}\n\n{cit}\n\n{contents}\n\nTranslation - English\n\n"
        "The body after a long citation.\n"
    )
    doc = parse_document_text(text)
    assert doc.date == "1954-06-02"  # from the citation: the header has none
    assert doc.title.startswith('Title", ", ')  # the quoted title runs to the date
    assert doc.archive_ref == "TEST 1"
    assert doc.body == "The body after a long citation."
    assert doc.id.startswith("1954-06-02-title")
    assert len(doc.id) <= len("1954-06-02-") + 80

    no_date = text.replace("June 2, 1954, ", "")
    with pytest.raises(DocumentError, match="no date"):
        parse_document_text(no_date)


def test_long_lines_and_hyphen_runs(atlas: Atlas) -> None:
    places, terms = atlas.name_maps()
    par = atlas.parallel_lines()
    for body in ("Pleiku" * 100_000, "Sam-" * 100_000, "16th " * 100_000, "x-" * 200_000):
        doc = parse_document_text(HEAD + body + "\n")
        assert doc.body == body.strip()
        found = find_mentions(doc.body, places=places, proposals=terms, parallels=par)
        assert found == []


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

_FRAGMENTS = st.sampled_from(
    [
        "**Citation:**",
        "Citation:",
        "**Summary:**",
        "Original Language:",
        "Contents:",
        "Translation - English",
        "Skip to content",
        "Document Information",
        "Record ID",
        "Record ID 123",
        "Record ID " + "7" * 40,
        "Original Uploaded Date",
        "June 26, 1954",
        "31 February 1954",
        "**July 11, 1951**  ",
        '"Cable No. 1, A to Cde. B", July 11, 1951, Wilson Center Digital Archive, X.',
        '""""""", ", ", ',
        "<https://example.org/document/42>",
        "https://digitalarchive.umd.edu/document/a-title-slug-0",
        "https://x.org/document/",
        "Translated for CWIHP by",
        "###",
        "**",
        "[sic]",
        "",
    ]
)
_DOCS = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=40)), max_size=25).map("\n".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(st.text(), _DOCS))
def test_parser_raises_only_document_error(text: str) -> None:
    try:
        doc = parse_document_text(text)
    except DocumentError:
        return
    assert doc.title and doc.body.strip()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.date)
    assert doc.layout in {"markdown", "plain", "webpage"}
    assert doc.url is None or doc.url.startswith(CANONICAL)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_bytes_raise_only_document_error(data: bytes) -> None:
    try:
        doc, notes = read_document_bytes(data, "upload.txt")
    except DocumentError as exc:
        assert exc.source == "upload.txt"
        return
    assert doc.title and doc.body.strip()
    assert all(n.startswith("not valid UTF-8; decoded as ") for n in notes)


_WORDS = st.sampled_from(
    [
        "Jiao-yao",
        "[sic]",
        "Pleiku",
        "Tuy",
        "Hoa",
        "Hòa",
        "38th",
        "16th",
        "seventeenth",
        "and",
        "the",
        "parallel",
        "parallels",
        "17°N",
        "degrees",
        "north",
        "Meng",
        "ke",
        "-",
        "x",
    ]
)
_MENTION_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.tuples(_WORDS, st.sampled_from([" ", "-", "\n", "", ", "])), max_size=20).map(
        lambda parts: "".join(w + s for w, s in parts)
    ),
)
_PARALLELS = {13: ["p13"], 16: ["p16", "drv-min"], 17: ["p17"], 18: ["p18"], 38: ["p38"]}


@settings(max_examples=300, deadline=None)
@given(_MENTION_TEXT)
def test_mention_spans_are_within_text_and_ordered(text: str) -> None:
    found = find_mentions(text, places=PLACES, proposals=PROPOSALS, parallels=_PARALLELS)
    _assert_spans_exact(text, found)
    named = [m for m in found if m.kind != "parallel"]  # parallel links may sit inside a term
    for a, b in itertools.pairwise(named):
        assert a.end <= b.start or (a.start, a.end) == (b.start, b.end)
    links = [m for m in found if m.kind == "parallel"]
    for a, b in itertools.pairwise(links):
        assert a.end <= b.start or (a.start, a.end) == (b.start, b.end)
    assert "".join(s for s, _ in highlight_spans(text, found)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_fold_is_character_for_character(text: str) -> None:
    folded = fold(text)
    assert len(folded) == len(text)
    assert fold(folded) == folded
    for lat, start, end in parallel_mentions(folded):
        assert 0 <= start < end <= len(text)
        assert 1 <= lat <= 49
