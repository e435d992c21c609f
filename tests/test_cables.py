"""Tests for geo.cables: parsing archive cables in three layouts, mentions, import.

The real corpus (Wilson Center translations) is read at run time from
``$ARMISTICE_CORPUS`` or ``<repo>/../shared/corpus``; it is never copied into the
repository. The fixtures under ``tests/fixtures/cables`` are short invented
variants of each layout.
"""

from __future__ import annotations

import itertools
import os
import pickle
import shutil
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.cables import (
    MAX_BYTES,
    CableEncodingWarning,
    CableParseError,
    ImportedDocument,
    ImportReport,
    Mention,
    ParsedCable,
    find_mentions,
    highlight_spans,
    import_cables,
    parse_cable_text,
    read_cable_file,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cables"

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


# ---------------------------------------------------------------------------
# Corpus location
# ---------------------------------------------------------------------------


def _locate_corpus() -> Path:
    """Return the corpus directory, or fail loudly (skip only when allowed)."""
    env = os.environ.get("ARMISTICE_CORPUS")
    directory = Path(env) if env else REPO_ROOT.parent / "shared" / "corpus"
    if directory.is_dir() and any(directory.glob("*.txt")):
        return directory
    message = (
        f"cable corpus not found at {directory} (set ARMISTICE_CORPUS to its folder, "
        "or ARMISTICE_ALLOW_NO_CORPUS=1 to skip the corpus tests)"
    )
    if os.environ.get("ARMISTICE_ALLOW_NO_CORPUS") == "1":
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="module")
def corpus_dir() -> Path:
    return _locate_corpus()


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> dict[str, ParsedCable]:
    cables = [read_cable_file(p) for p in sorted(corpus_dir.glob("*.txt"))]
    by_id = {c.id: c for c in cables}
    assert len(by_id) == len(cables), "duplicate ids in corpus"
    return by_id


def test_missing_corpus_fails_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ARMISTICE_CORPUS", str(tmp_path / "nowhere"))
    monkeypatch.delenv("ARMISTICE_ALLOW_NO_CORPUS", raising=False)
    with pytest.raises(pytest.fail.Exception, match="ARMISTICE_CORPUS"):
        _locate_corpus()
    monkeypatch.setenv("ARMISTICE_ALLOW_NO_CORPUS", "1")
    with pytest.raises(pytest.skip.Exception):
        _locate_corpus()


# ---------------------------------------------------------------------------
# Real corpus
# ---------------------------------------------------------------------------

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


def test_corpus_has_exactly_the_expected_documents(corpus: dict[str, ParsedCable]) -> None:
    assert set(corpus) == set(EXPECTED)


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_corpus_document_metadata(corpus: dict[str, ParsedCable], doc_id: str) -> None:
    cable = corpus[doc_id]
    for key, value in EXPECTED[doc_id].items():
        assert getattr(cable, key) == value, key
    if doc_id.isdigit():
        assert cable.url == f"https://digitalarchive.wilsoncenter.org/document/{doc_id}"
        assert cable.citation is not None and cable.citation.startswith('"')
        assert "http" not in cable.citation
    else:
        assert cable.url is None
    assert cable.summary
    assert cable.source.endswith(".txt")
    # The body is document text only: no field labels or archive boilerplate.
    for junk in ("Citation:", "Translation - English", "Document Information", "Record ID"):
        assert junk not in cable.body
    assert "Leon Levy" not in cable.body
    assert cable.body == cable.body.strip()


def test_corpus_bodies_start_and_end_where_expected(corpus: dict[str, ParsedCable]) -> None:
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


def test_corpus_mentions(corpus: dict[str, ParsedCable]) -> None:
    def mentions(doc_id: str) -> list[Mention]:
        return find_mentions(corpus[doc_id].body, places=PLACES, proposals=PROPOSALS)

    li = mentions("110145")
    cheo = [m for m in li if m.ref == "cheo-reo"]
    assert [(m.text, m.sic) for m in cheo] == [("Jiao-yao [sic]", True)]
    refs = {m.ref for m in li}
    assert {"pleiku", "tuy-hoa", "vn-1954-drv-maximum", "meng-ke", "sam-neua"} <= refs
    assert "vn-1954-french-18th-parallel" in refs
    assert any(m.text == "Route 19" and m.kind == "proposal" for m in li)

    mao = mentions("113006")
    texts = {m.text for m in mao}
    assert "38th parallel" in texts
    assert "present front line" in texts
    assert "present line of the front" in texts
    assert {m.ref for m in mao} == {
        "kr-1951-communist-38th-parallel",
        "kr-1951-un-line-of-contact",
    }

    assert any(m.ref == "kaesong" for m in mentions("117409"))
    assert any(m.ref == "kr-1951-communist-38th-parallel" for m in mentions("117409"))


def test_corpus_import(corpus_dir: Path) -> None:
    report = import_cables(corpus_dir, places=PLACES, proposals=PROPOSALS)
    assert report.warnings == []
    assert {d.cable.id for d in report.documents} == set(EXPECTED)
    by_id = {d.cable.id: d for d in report.documents}
    assert "cheo-reo" in by_id["110145"].places
    assert "kr-1951-un-line-of-contact" in by_id["113006"].proposals
    web = by_id[WEB_ID]
    assert any("id derived" in w for w in web.warnings)
    data = report.to_json()
    assert isinstance(data["documents"], list) and len(data["documents"]) == 5


# ---------------------------------------------------------------------------
# Synthetic variants: one per layout
# ---------------------------------------------------------------------------


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_markdown_with_split_bold_title_and_other_host() -> None:
    cable = read_cable_file(FIXTURES / "markdown_split_title.md")
    assert cable.layout == "markdown"
    assert cable.id == "990001"
    assert cable.date == "1954-06-30"
    assert (
        cable.title == "Ciphered Telegram No. 00017, Test Sender to Cde. Example Receiver [Alias]"
    )
    assert cable.url == "https://digitalarchive.wilsoncenter.org/document/990001"
    assert cable.source_url == "https://digitalarchive.umd.edu/document/990001"
    assert cable.translator == "Ada Example"
    assert cable.archive_ref == "TEST ARCHIVE 1-2-3, 4-5"
    assert cable.language == "Chinese"
    assert cable.summary == "An invented summary about an invented line for the test suite."
    assert (cable.sender, cable.recipient) == ("Test Sender", "Example Receiver [Alias]")
    assert cable.body.startswith("[....]")
    assert cable.body.endswith("30 June 1954")  # trailing '###' removed
    assert cable.source == "markdown_split_title.md"


def test_markdown_title_in_two_separate_bold_lines_missing_optional_fields() -> None:
    cable = read_cable_file(FIXTURES / "markdown_missing_fields.md")
    assert cable.layout == "markdown"
    assert cable.date == "1954-07-03"
    assert cable.title == "Telegram No. 7, Example Sender to Cde. Receiver [Alias]"
    assert cable.id == "1954-07-03-telegram-no-7-example-sender-to-cde-receiver-alias"
    assert cable.url is None and cable.source_url is None
    assert cable.citation is None and cable.summary is None
    assert cable.language is None and cable.translator is None
    assert cable.archive_ref is None
    assert cable.body.startswith("An invented body")


def test_plain_date_and_title_on_one_line_prefers_citation_title() -> None:
    cable = read_cable_file(FIXTURES / "plain_one_line.txt")
    assert cable.layout == "plain"
    assert cable.date == "1951-07-12"
    # Header says "Tset Sender"; the citation's quoted title wins.
    assert cable.title == "Cable No. 00042, Test Sender to Cde. Someone [Alias]"
    assert cable.id == "990002"
    assert cable.source_url == "https://wilson-center.drivingcreative.com/document/990002"
    assert cable.url == "https://digitalarchive.wilsoncenter.org/document/990002"
    assert cable.archive_ref == "APRF"
    assert cable.language == "Russian"
    assert cable.citation is not None and "drivingcreative" not in cable.citation
    assert "invented foundation" not in cable.body  # Credits are not body text
    assert cable.body.startswith("CABLE No 00042")


def test_plain_header_title_used_when_citation_has_no_quoted_title() -> None:
    text = _fixture("plain_one_line.txt").replace(
        '"Cable No. 00042, Test Sender to Cde. Someone [Alias]", July 12, 1951, ', ""
    )
    cable = parse_cable_text(text)
    assert cable.title == "Cable No. 00042, Tset Sender to Cde. Someone [Alias]"
    assert cable.date == "1951-07-12"


def test_webpage_with_record_id_on_next_line() -> None:
    cable = read_cable_file(FIXTURES / "webpage_record_id.txt")
    assert cable.layout == "webpage"
    assert cable.id == "990004"
    assert cable.url == "https://digitalarchive.wilsoncenter.org/document/990004"
    assert cable.source_url is None
    assert cable.date == "1954-06-21"
    assert cable.title == "Telegram, Example Committee to Test Premier"
    assert cable.translator == "Test Person"
    assert cable.archive_ref == "XY vol. 2, p. 34"
    assert cable.summary is not None and cable.summary.startswith("Telegram from the Example")
    assert cable.body.endswith("Example Committee\nJune 21")
    assert "History and Public Policy" not in cable.body


def test_webpage_record_id_inline_and_empty() -> None:
    text = _fixture("webpage_record_id.txt").replace("Record ID\n\n990004", "Record ID 990007")
    assert parse_cable_text(text).id == "990007"
    empty = read_cable_file(FIXTURES / "webpage_no_record_id.txt")
    assert empty.id == "1954-06-22-telegram-example-committee-to-test-premier"
    assert empty.date == "1954-06-22"  # "22 June 1954" form
    assert empty.url is None
    assert empty.summary == "An invented summary paragraph that is long enough to be a summary."


def test_url_found_outside_citation_but_not_in_body() -> None:
    text = _fixture("webpage_no_record_id.txt")
    in_body = text.replace(
        "The invented army", "See https://digitalarchive.umd.edu/document/123 . The invented army"
    )
    assert parse_cable_text(in_body).url is None
    in_footer = text.replace("Record ID\n", "https://example.org/document/990008\nRecord ID\n")
    cable = parse_cable_text(in_footer)
    assert (cable.id, cable.source_url) == ("990008", "https://example.org/document/990008")


def test_webpage_without_skip_line_is_still_detected() -> None:
    text = _fixture("webpage_record_id.txt").replace("Skip to content\n", "")
    cable = parse_cable_text(text, source="<upload>")
    assert cable.layout == "webpage"
    assert cable.id == "990004"
    assert cable.source == "<upload>"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("June 26, 1954", "1954-06-26"),
        ("26 June 1954", "1954-06-26"),
        ("Jun. 26, 1954", "1954-06-26"),
        ("Sept. 3 1954", "1954-09-03"),
        ("1951-07-11", "1951-07-11"),
    ],
)
def test_date_formats(raw: str, iso: str) -> None:
    text = f"{raw}\n\nCable No. 1, A to B\n\nSome invented text.\n"
    cable = parse_cable_text(text)
    assert cable.date == iso
    assert cable.title == "Cable No. 1, A to B"


def test_crlf_and_bom_give_the_same_result(tmp_path: Path) -> None:
    for name in ("markdown_split_title.md", "plain_one_line.txt", "webpage_record_id.txt"):
        original = read_cable_file(FIXTURES / name)
        variant = tmp_path / name
        variant.write_bytes(b"\xef\xbb\xbf" + _fixture(name).replace("\n", "\r\n").encode())
        assert read_cable_file(variant) == original
        assert parse_cable_text("\ufeff" + _fixture(name).replace("\n", "\r")) == (
            parse_cable_text(_fixture(name))
        )


def test_blank_line_variations() -> None:
    text = _fixture("markdown_split_title.md")
    squeezed = text.replace("\n\n", "\n")
    spread = text.replace("\n\n", "\n\n\n\n")
    for variant in (squeezed, spread):
        cable = parse_cable_text(variant)
        assert cable.id == "990001"
        assert cable.date == "1954-06-30"
        assert cable.language == "Chinese"
        assert cable.translator == "Ada Example"
        assert "Jiao-yao [sic]" in cable.body


def test_cp1252_file_decodes_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    text = _fixture("plain_one_line.txt").replace("invented body", "Châlons body")
    text = text.replace("CABLE No 00042", "CABLE No 00042 – Châlons")
    path.write_bytes(text.encode("cp1252"))
    with pytest.warns(CableEncodingWarning, match="legacy.txt"):
        cable = read_cable_file(path)
    assert "Châlons" in cable.body


def test_utf16_file_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes(_fixture("plain_one_line.txt").encode("utf-16"))
    assert read_cable_file(path).id == "990002"


# ---------------------------------------------------------------------------
# Failure cases
# ---------------------------------------------------------------------------


def _expect_error(path: Path, reason_part: str, **kwargs: int) -> CableParseError:
    with pytest.raises(CableParseError) as info:
        read_cable_file(path, **kwargs)
    err = info.value
    assert err.source == path.name
    assert reason_part in err.reason
    assert str(err) == f"{path.name}: {err.reason}"
    return err


def test_binary_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _expect_error(path, "binary")


def test_empty_and_blank_files_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    _expect_error(empty, "empty")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"\r\n  \n\t\n")
    _expect_error(blank, "empty")


def test_too_large_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text(_fixture("plain_one_line.txt"), encoding="utf-8")
    _expect_error(path, "too large", max_bytes=100)
    assert read_cable_file(path, max_bytes=MAX_BYTES).id == "990002"


def test_missing_file_and_directory_refused(tmp_path: Path) -> None:
    _expect_error(tmp_path / "absent.txt", "not found")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    _expect_error(folder, "directory")


def test_no_date_and_no_title() -> None:
    err = _expect_error(FIXTURES / "bad_no_date.md", "no date")
    assert err.path == FIXTURES / "bad_no_date.md"
    _expect_error(FIXTURES / "bad_no_title.txt", "no title")


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
    with pytest.raises(CableParseError, match=reason) as info:
        parse_cable_text(text, source="<upload>")
    assert str(info.value).startswith("<upload>: ")


def test_error_is_value_error_and_pickles() -> None:
    err = CableParseError("a.txt", "broken", Path("/x/a.txt"))
    assert isinstance(err, ValueError)
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
    report = import_cables(FIXTURES, places=PLACES, proposals=PROPOSALS)
    ids = [d.cable.id for d in report.documents]
    assert "990001" in ids and "990002" in ids and "990004" in ids
    assert len(ids) == 5
    assert sorted(report.warnings) == [
        "bad_no_date.md: no date found (expected e.g. 'June 26, 1954')",
        "bad_no_title.txt: no title found",
    ]


def test_import_directory_with_binary_empty_and_duplicate(tmp_path: Path) -> None:
    for name in ("markdown_split_title.md", "plain_one_line.txt"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    shutil.copy(FIXTURES / "plain_one_line.txt", tmp_path / "zz_copy.txt")
    (tmp_path / "image.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "notes.csv").write_text("ignored", encoding="utf-8")
    (tmp_path / "sub.md").mkdir()
    (tmp_path / "legacy.txt").write_bytes(
        _fixture("webpage_record_id.txt").replace("Test Person", "Test Persön").encode("cp1252")
    )

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # import_cables reports, it does not warn
        report = import_cables(tmp_path, places=PLACES, proposals=PROPOSALS)

    assert isinstance(report, ImportReport)
    assert [d.cable.source for d in report.documents] == [
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
    assert legacy.cable.translator == "Test Persön"
    assert "not valid UTF-8; decoded as cp1252" in legacy.warnings

    doc = report.documents[1]
    assert isinstance(doc, ImportedDocument)
    assert doc.places == ["tuy-hoa", "cheo-reo", "pleiku", "meng-ke"]
    assert doc.proposals == ["vn-1954-drv-maximum"]
    assert doc.to_json() == {
        "id": "990001",
        "title": "Ciphered Telegram No. 00017, Test Sender to Cde. Example Receiver [Alias]",
        "date": "1954-06-30",
        "url": "https://digitalarchive.wilsoncenter.org/document/990001",
        "citation": doc.cable.citation,
        "language": "Chinese",
        "places": ["tuy-hoa", "cheo-reo", "pleiku", "meng-ke"],
        "proposals": ["vn-1954-drv-maximum"],
        "warnings": [],
    }
    data = report.to_json()
    assert data["warnings"] == report.warnings
    assert isinstance(data["documents"], list) and len(data["documents"]) == 3


def test_import_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(CableParseError, match="directory not found"):
        import_cables(tmp_path / "nope", places={}, proposals={})
    afile = tmp_path / "a.txt"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(CableParseError, match="not a directory"):
        import_cables(afile, places={}, proposals={})


# ---------------------------------------------------------------------------
# Mentions and highlighting
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
    found = _find("Pleiku [sic] and Pleiku")
    assert [(m.text, m.sic) for m in found] == [("Pleiku [sic]", True), ("Pleiku", False)]


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


def test_diacritics_are_ignored() -> None:
    found = _find("toward Tuy Hòa and Sầm Nưa")
    assert {(m.ref, m.text) for m in found} >= {("tuy-hoa", "Tuy Hòa")}


def test_longest_match_wins_and_identical_spans_are_kept() -> None:
    proposals = {"contact": ["present front line"], "front": ["front"], "line": ["front line"]}
    found = find_mentions("at the present front line.", places={}, proposals=proposals)
    assert [(m.ref, m.text) for m in found] == [("contact", "present front line")]

    both = _find("from Tuy Hoa south")
    assert [(m.kind, m.ref) for m in both] == [
        ("place", "tuy-hoa"),
        ("proposal", "vn-1954-drv-maximum"),
    ]
    assert both[0].start == both[1].start and both[0].end == both[1].end


def test_empty_names_are_ignored() -> None:
    assert find_mentions("a - b", places={"x": ["", " - ", "[sic]"]}, proposals={}) == []


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
        "Original Uploaded Date",
        "June 26, 1954",
        "31 February 1954",
        "**July 11, 1951**  ",
        '"Cable No. 1, A to Cde. B", July 11, 1951, Wilson Center Digital Archive, X.',
        "<https://example.org/document/42>",
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
def test_parser_raises_only_cable_parse_error(text: str) -> None:
    try:
        cable = parse_cable_text(text)
    except CableParseError:
        return
    assert cable.title and cable.body.strip()
    assert len(cable.date) == 10 and cable.date[4] == "-"
    assert cable.layout in {"markdown", "plain", "webpage"}


_WORDS = st.sampled_from(
    ["Jiao-yao", "[sic]", "Pleiku", "Tuy", "Hoa", "38th", "parallel", "Meng", "ke", "-", "x"]
)
_MENTION_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.tuples(_WORDS, st.sampled_from([" ", "-", "\n", "", ", "])), max_size=20).map(
        lambda parts: "".join(w + s for w, s in parts)
    ),
)


@settings(max_examples=300, deadline=None)
@given(_MENTION_TEXT)
def test_mention_spans_are_within_text_and_ordered(text: str) -> None:
    found = _find(text)
    for m in found:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
    assert [(m.start, m.end) for m in found] == sorted((m.start, m.end) for m in found)
    for a, b in itertools.pairwise(found):
        assert a.end <= b.start or (a.start, a.end) == (b.start, b.end)
    assert "".join(s for s, _ in highlight_spans(text, found)) == text
