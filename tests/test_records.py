"""Records: the real data is valid and consistent; broken records are reported precisely."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import DATA_DIR, require_corpus
from geo import Atlas, ValidationError, build, load_atlas, validate
from geo.documents import read_document_file
from geo.outputs.template import record_template
from geo.records.load import MAX_EVIDENCE_WORDS
from geo.vocab import DOCUMENT_KINDS, PARTIES

GENEVA_AGREEMENT = "geneva-1954-vietnam-agreement"
AVALON_GENEVA = "https://avalon.law.yale.edu/20th_century/inch002.asp"


def test_real_data_is_valid() -> None:
    assert validate(DATA_DIR) == []


def test_expected_records_exist(atlas: Atlas) -> None:
    expected = {
        "kr-1951-communist-38th-parallel",
        "kr-1951-communist-buffer-zone",
        "kr-1951-un-buffer-zone",
        "kr-1951-front-line",
        "kr-1951-kaesong-neutral-zone",
        "vn-1954-drv-maximum",
        "vn-1954-drv-medium",
        "vn-1954-drv-minimum",
        "vn-1954-french-18th",
        "vn-1954-french-haiphong",
        "la-1954-drv-zones",
        "la-1954-zhou-bottom-line",
        "kr-1953-mdl",
        "kr-1953-dmz",
        "vn-1954-geneva-line",
        "vn-1954-geneva-dmz",
        "la-1954-geneva-regroupment",
        "ref-parallel-38",
        *(f"ref-parallel-{n}" for n in range(13, 19)),
    }
    assert expected <= set(atlas.lines)
    assert {"110145", "117409", "117413", "113006"} <= set(atlas.documents)
    assert {GENEVA_AGREEMENT, "korean-armistice-agreement-1953"} <= set(atlas.documents)
    assert atlas.cables is atlas.documents  # the older name still works
    outcomes = {ln.id for ln in atlas.lines.values() if ln.record == "outcome"}
    assert {"kr-1953-mdl", "vn-1954-geneva-line", "la-1954-geneva-regroupment"} <= outcomes


def test_every_line_has_sources_date_party_status(atlas: Atlas) -> None:
    for line in atlas.lines.values():
        assert line.precision_km > 0, line.id
        if line.status == "reference":
            continue
        assert line.date_iso and line.party in PARTIES and line.party != "none", line.id
        assert line.sources, f"{line.id}: a position needs a source document"
        for did in line.sources:
            phrases = [ev for doc, ev in atlas.evidence_for(line.id) if doc.id == did]
            assert phrases, f"{line.id}: {did} gives no evidence phrase for it"
        if line.inferred:
            assert line.references, f"{line.id}: an inference must cite references"


def test_the_signed_lines_rest_on_the_agreements(atlas: Atlas) -> None:
    agreement = atlas.documents[GENEVA_AGREEMENT]
    assert agreement.kind == "agreement" and agreement.url == AVALON_GENEVA
    assert not agreement.in_corpus
    for lid in ("vn-1954-geneva-line", "vn-1954-geneva-dmz", "vn-1954-haiphong-perimeter"):
        assert GENEVA_AGREEMENT in atlas.lines[lid].sources, lid
    assert "korean-armistice-agreement-1953" in atlas.lines["kr-1953-mdl"].sources
    phrases = [ev.phrase for _, ev in atlas.evidence_for("vn-1954-geneva-line")]
    assert any("Ben Ha" in p for p in phrases)  # Avalon's typing: "Song Ben Hat"


def test_every_document_is_complete(atlas: Atlas) -> None:
    for doc in atlas.documents.values():
        assert doc.kind in DOCUMENT_KINDS, doc.id
        assert doc.url.startswith("https://") and doc.citation and doc.summary, doc.id
        assert doc.theater in {"korea", "indochina"}, doc.id
        for ev in doc.supports:
            assert ev.proposal in atlas.lines and doc.id in atlas.lines[ev.proposal].sources
            assert 0 < len(ev.phrase.split()) <= MAX_EVIDENCE_WORDS, (doc.id, ev.phrase)
            if not doc.in_corpus:  # someone can check the phrase where it was read
                assert ev.read_at.startswith("https://"), (doc.id, ev.phrase)


def test_every_place_has_source_precision_and_confidence(atlas: Atlas) -> None:
    for place in atlas.places.values():
        assert place.source and place.identification, place.id
        assert place.precision_km > 0 and place.confidence in {"high", "medium", "low"}
        assert place.rank in (1, 2, 3, 4), place.id
        assert all(did in atlas.documents for did in place.documents), place.id
    sic = {s for p in atlas.places.values() for s in p.spellings if "[sic]" in s}
    assert {"Jiao-yao [sic]", "Meng-ke [sic]", "Pan-pan [sic]"} <= sic
    assert "Jiao-yao [sic]" in atlas.places["cheo-reo"].spellings
    cheo_reo = atlas.places["cheo-reo"]
    assert cheo_reo.label == f'{cheo_reo.name} ("Jiao-yao [sic]")'  # modern name, then as written


# --- the atlas's views of the records ------------------------------------------------------


def test_parallel_lines_link_a_latitude_to_its_lines(atlas: Atlas) -> None:
    parallels = atlas.parallel_lines()
    assert {"vn-1954-drv-minimum", "ref-parallel-16"} <= set(parallels[16])
    assert {"vn-1954-french-18th", "ref-parallel-18"} <= set(parallels[18])
    assert {"kr-1951-communist-38th-parallel", "ref-parallel-38"} <= set(parallels[38])
    assert 17 in parallels and "vn-1954-geneva-line" not in parallels[17]  # a river, not 17 N
    built = build(atlas)
    for lat, ids in parallels.items():
        for lid in ids:  # every line linked to a latitude is drawn on it
            lats = {y for _, y in built[lid].divider.coords} if built[lid].divider else set()
            assert lats == {float(lat)}, (lat, lid)
    assert set(atlas.parallel_lines("korea")) == {38}
    assert 38 not in atlas.parallel_lines("indochina")


def test_parallel_lines_follow_same_as_copies(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    (data / "proposals" / "t-copy.yaml").write_text(
        "id: t-copy\ntitle: A copy of the 16th parallel\ntheater: indochina\nkind: reference\n"
        "party: none\nstatus: reference\nprecision_km: 1\ncountries: [VNM]\nsummary: Test.\n"
        "geometry:\n  same_as: {of: vn-1954-drv-minimum}\n"
    )
    (data / "proposals" / "t-half.yaml").write_text(
        "id: t-half\ntitle: 16.5 N\ntheater: indochina\nkind: reference\n"
        "party: none\nstatus: reference\nprecision_km: 1\ncountries: [VNM]\nsummary: Test.\n"
        "geometry:\n  parallel: {lat: 16.5, within: [VNM]}\n"
    )
    parallels = load_atlas(data).parallel_lines()
    assert "t-copy" in parallels[16]
    assert not any("t-half" in ids for ids in parallels.values())  # not a whole degree


def test_key_letters_follow_the_dates_and_skip_reference_lines(atlas: Atlas) -> None:
    for theater in ("korea", "indochina"):
        keys = atlas.keys(theater)
        positions = atlas.positions(theater)
        assert set(keys) == {ln.id for ln in positions}
        assert sorted(keys.values()) == [chr(65 + i) for i in range(len(keys))]
        by_letter = sorted(keys, key=lambda lid: keys[lid])
        dates = [atlas.lines[lid].date_iso for lid in by_letter]
        assert dates == sorted(dates), theater
        assert not any(atlas.lines[lid].status == "reference" for lid in keys)
    assert atlas.keys("korea")["kr-1951-communist-38th-parallel"] == "A"  # 11 July 1951
    assert (
        atlas.keys("indochina")["vn-1954-geneva-line"]
        > atlas.keys("indochina")["vn-1954-drv-minimum"]
    )


def test_key_letters_do_not_depend_on_the_order_records_were_read(atlas: Atlas) -> None:
    shuffled = Atlas(
        atlas.documents,
        atlas.places,
        dict(reversed(list(atlas.lines.items()))),
        atlas.data_dir,
        atlas.units,
    )
    for theater in ("korea", "indochina"):
        assert shuffled.keys(theater) == atlas.keys(theater)
        assert [ln.id for ln in shuffled.positions(theater)] == [
            ln.id for ln in atlas.positions(theater)
        ]


def test_lines_in_puts_signed_first_and_references_last(atlas: Atlas) -> None:
    lines = atlas.lines_in("indochina")
    kinds = [0 if ln.record == "outcome" else 2 if ln.status == "reference" else 1 for ln in lines]
    assert kinds == sorted(kinds)
    assert {ln.theater for ln in lines} == {"indochina"}
    assert {p.theater for p in atlas.places_in("korea")} == {"korea"}


def test_documents_for_and_evidence_for(atlas: Atlas) -> None:
    docs = atlas.documents_for(["vn-1954-geneva-line", "vn-1954-drv-minimum", "nope"])
    assert [d.id for d in docs] == ["110145", GENEVA_AGREEMENT]  # oldest first, unknown ids off
    evidence = atlas.evidence_for("vn-1954-drv-minimum")
    assert [(d.id, ev.phrase) for d, ev in evidence] == [
        ("110145", "the minimum is the 16th parallel")
    ]


def test_name_maps_are_the_gazetteers_of_the_document_reader(atlas: Atlas) -> None:
    places, proposals = atlas.name_maps("indochina")
    assert "Jiao-yao [sic]" in places["cheo-reo"]
    assert "chorwon" not in places  # another theater
    assert not any(atlas.places[pid].kind == "waypoint" for pid in places)
    assert "16th parallel" in proposals["vn-1954-drv-minimum"]
    every_place, _ = atlas.name_maps()
    assert set(every_place) == set(atlas.places)


# --- full texts ------------------------------------------------------------------------


def test_every_place_named_in_a_document_occurs_in_its_text(atlas: Atlas) -> None:
    texts = _corpus_texts(atlas)
    for place in atlas.places.values():
        for did in place.documents:
            if not atlas.documents[did].in_corpus:
                continue
            body = _norm(texts[did])
            assert any(_norm(s.replace(" [sic]", "")) in body for s in place.spellings), (
                f"{place.id}: none of {place.spellings} occurs in document {did}"
            )


def test_every_evidence_phrase_is_a_short_quote_from_its_document(atlas: Atlas) -> None:
    texts = _corpus_texts(atlas)
    for doc in atlas.documents.values():
        if not doc.in_corpus:
            continue  # checked by its read_at address instead (test_every_document_is_complete)
        for ev in doc.supports:
            assert len(ev.phrase.split()) <= MAX_EVIDENCE_WORDS
            assert _norm(ev.phrase) in _norm(texts[doc.id]), f"{doc.id}: {ev.phrase!r}"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _corpus_texts(atlas: Atlas) -> dict[str, str]:
    corpus = require_corpus()
    out = {}
    for path in sorted(corpus.iterdir()):
        doc, _ = read_document_file(path)
        out[doc.id] = doc.body
    in_corpus = {d.id for d in atlas.documents.values() if d.in_corpus}
    assert in_corpus <= set(out), f"marked in_corpus but missing: {in_corpus - set(out)}"
    return out


# --- broken data -------------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(DATA_DIR, dest)
    return dest


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    return _copy(tmp_path)


def _messages(data_dir: Path) -> list[str]:
    return [str(p) for p in validate(data_dir)]


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_yaml_syntax_error_names_file_and_line(data_copy: Path) -> None:
    path = data_copy / "proposals" / "vn-1954-drv-minimum.yaml"
    lines = path.read_text().splitlines()
    lines[4] = "party: [drv"  # line 5
    path.write_text("\n".join(lines) + "\n")
    msgs = _messages(data_copy)
    assert any(m.startswith("data/proposals/vn-1954-drv-minimum.yaml:") for m in msgs), msgs
    assert any("YAML syntax error" in m for m in msgs)


def test_yaml_aliases_are_refused_fast_not_expanded(data_copy: Path) -> None:
    """Nested aliases ("billion laughs") would stand for 10**12 values once anything walks
    the record: they are refused at reading, with the file and line."""
    path = data_copy / "proposals" / "vn-1954-drv-minimum.yaml"
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    path.write_text(path.read_text() + "\n".join(levels) + "\n")
    first = len(path.read_text().splitlines()) - len(levels) + 1
    msgs = _messages(data_copy)
    assert (
        f"data/proposals/vn-1954-drv-minimum.yaml:{first}: YAML syntax error: anchors and "
        "aliases (&name, *name) are not allowed: this value is reused" in "\n".join(msgs)
    ), msgs


def test_all_problems_are_reported_not_just_the_first(data_copy: Path) -> None:
    prop = data_copy / "proposals" / "vn-1954-drv-maximum.yaml"
    text = (
        prop.read_text()
        .replace("cheo-reo, ", "cheo-reoo, ")
        .replace("date: 1954-06-26", "date: 1954-13-40")
    )
    prop.write_text(text)
    places = data_copy / "places" / "indochina.yaml"  # Tuy Hoa
    places.write_text(places.read_text().replace("lat: 13.096", "lat: 113.096", 1))
    dup = data_copy / "outcomes" / "kr-1953-dmz.yaml"
    (data_copy / "outcomes" / "kr-1953-dmz-copy.yaml").write_text(dup.read_text())
    nosrc = data_copy / "proposals" / "vn-1954-drv-medium.yaml"
    nosrc.write_text(re.sub(r'sources: \["110145"\]\n', "", nosrc.read_text()))

    msgs = _messages(data_copy)
    joined = "\n".join(msgs)
    assert re.search(
        r"vn-1954-drv-maximum\.yaml:\d+: \[geometry\.route\] unknown place id 'cheo-reoo'", joined
    )
    assert re.search(
        r"vn-1954-drv-maximum\.yaml:6: \[date\] '1954-13-40' is not a real date", joined
    )
    line_no = _line_of(places, "lat: 113.096")
    assert f"data/places/indochina.yaml:{line_no}: [lat] 113.096 is out of range" in joined
    assert re.search(
        r"kr-1953-dmz-copy\.yaml:1: \[id\] id 'kr-1953-dmz' must equal the file name", joined
    )
    assert (
        "vn-1954-drv-medium.yaml:1: [sources] a position needs at least one source document"
        in joined
    )
    assert re.search(
        r"data/documents/110145\.yaml:\d+: \[supports\] gives evidence for "
        r"'vn-1954-drv-medium', which does not list it in sources",
        joined,
    )


def test_unknown_document_and_unknown_field(data_copy: Path) -> None:
    prop = data_copy / "proposals" / "vn-1954-french-18th.yaml"
    prop.write_text(
        prop.read_text().replace('sources: ["110145"]', 'sources: ["999999"]') + "colour: red\n"
    )
    msgs = "\n".join(_messages(data_copy))
    assert "vn-1954-french-18th.yaml:8: [sources] unknown document '999999'" in msgs
    assert re.search(r"vn-1954-french-18th\.yaml:\d+: \[colour\] unknown field 'colour'", msgs)


def test_a_source_without_an_evidence_phrase(data_copy: Path) -> None:
    """Both ways: a line's sources must each give evidence for it."""
    prop = data_copy / "proposals" / "vn-1954-french-18th.yaml"
    prop.write_text(
        prop.read_text().replace(
            'sources: ["110145"]', f'sources: ["110145", "{GENEVA_AGREEMENT}"]'
        )
    )
    msgs = "\n".join(_messages(data_copy))
    assert (
        f"vn-1954-french-18th.yaml:8: [sources] document '{GENEVA_AGREEMENT}' has no evidence "
        "phrase for 'vn-1954-french-18th'"
    ) in msgs


def test_a_document_outside_the_corpus_says_where_each_phrase_was_read(data_copy: Path) -> None:
    doc = data_copy / "documents" / f"{GENEVA_AGREEMENT}.yaml"
    text = doc.read_text()
    first = f"    read_at: {AVALON_GENEVA}\n"
    assert first in text
    doc.write_text(text.replace(first, "", 1))
    problems = [p for p in validate(data_copy) if p.field == "read_at"]
    assert len(problems) == 1, problems
    (p,) = problems
    assert p.path == f"data/documents/{GENEVA_AGREEMENT}.yaml"
    assert p.line == _line_of(doc, "- proposal: vn-1954-geneva-line")
    assert "not in the corpus" in p.message

    # the same phrase in a document whose full text IS in the corpus needs no address
    doc.write_text(doc.read_text().replace("in_corpus: false", "in_corpus: true"))
    assert not [p for p in validate(data_copy) if p.field == "read_at"]


def test_document_kind_must_be_known(data_copy: Path) -> None:
    doc = data_copy / "documents" / "110145.yaml"
    doc.write_text(doc.read_text().replace("kind: cable", "kind: tweet"))
    msgs = "\n".join(_messages(data_copy))
    assert "110145.yaml:2: [kind] 'tweet' is not one of cable, telegram" in msgs


def test_overlong_evidence_and_binary_file(data_copy: Path) -> None:
    doc = data_copy / "documents" / "117413.yaml"
    doc.write_text(
        doc.read_text().replace(
            "Our representatives submitted for consideration the agenda indicated in the "
            "previous telegram",
            "one two three four five six seven eight nine ten eleven twelve thirteen",
        )
    )
    (data_copy / "proposals" / "junk.yaml").write_bytes(b"\x00\x01binary")
    msgs = "\n".join(_messages(data_copy))
    assert re.search(r"117413\.yaml:26: \[evidence\] evidence has 13 words", msgs)
    assert "data/proposals/junk.yaml: file is binary" in msgs


def test_a_place_id_is_unique_across_the_gazetteer_files(data_copy: Path) -> None:
    korea = data_copy / "places" / "korea.yaml"
    text = korea.read_text()
    hue = (data_copy / "places" / "indochina.yaml").read_text().split("- id: hue\n", 1)[1]
    hue = hue.split("\n- id: ", 1)[0]
    korea.write_text(text.rstrip("\n") + "\n- id: hue\n" + hue.rstrip("\n") + "\n")
    problems = [p for p in validate(data_copy) if "duplicate place id 'hue'" in p.message]
    assert problems, validate(data_copy)
    assert problems[0].path.endswith("places/korea.yaml") and problems[0].field == "id"
    assert "places/indochina.yaml" in problems[0].message


def test_no_gazetteer_at_all(data_copy: Path) -> None:
    shutil.rmtree(data_copy / "places")
    msgs = _messages(data_copy)
    assert any("data/places" in m and "no gazetteer files found" in m for m in msgs), msgs


def test_missing_data_folder(tmp_path: Path) -> None:
    msgs = _messages(tmp_path / "nothing")
    assert msgs and "data folder not found" in msgs[0]


def test_load_atlas_raises_one_error_with_every_problem(data_copy: Path) -> None:
    for name in ("vn-1954-drv-minimum", "vn-1954-drv-medium"):
        path = data_copy / "proposals" / f"{name}.yaml"
        path.write_text(path.read_text().replace("party: drv", "party: martians"))
    with pytest.raises(ValidationError) as info:
        load_atlas(data_copy)
    parties = [p for p in info.value.problems if p.field == "party"]
    assert {Path(p.path).stem for p in parties} == {"vn-1954-drv-minimum", "vn-1954-drv-medium"}
    assert all(p.line == 5 for p in parties)


def test_addresses_must_be_https(data_copy: Path) -> None:
    prop = data_copy / "proposals" / "vn-1954-drv-maximum.yaml"
    prop.write_text(
        prop.read_text().replace(
            "    url: https://www.geonames.org/", "    url: javascript:alert(1)"
        )
    )
    doc = data_copy / "documents" / "110145.yaml"
    doc.write_text(
        doc.read_text().replace(
            "corpus_url: https://digitalarchive.umd.edu/document/110145",
            "corpus_url: http://example.org/plain",
        )
    )
    agreement = data_copy / "documents" / f"{GENEVA_AGREEMENT}.yaml"
    agreement.write_text(
        agreement.read_text().replace(f"read_at: {AVALON_GENEVA}", "read_at: ftp://x.org/a", 1)
    )
    msgs = "\n".join(_messages(data_copy))
    line = _line_of(prop, "javascript:alert(1)")
    assert (
        f"vn-1954-drv-maximum.yaml:{line}: [url] 'javascript:alert(1)' must be an https://" in msgs
    )
    assert re.search(r"110145\.yaml:12: \[corpus_url\] 'http://example.org/plain' must be", msgs)
    line = _line_of(agreement, "ftp://x.org/a")
    assert f"{GENEVA_AGREEMENT}.yaml:{line}: [read_at] 'ftp://x.org/a' must be an https://" in msgs


# --- the record template of a drawn line ---------------------------------------------------

DRAWN = {"type": "LineString", "coordinates": [[106.2, 17.52], [106.9, 17.5]]}


def test_a_drawn_line_template_validates_only_once_filled_in(data_copy: Path) -> None:
    text = record_template("indochina", DRAWN, countries=("VNM",), today=dt.date(1999, 1, 2))
    record = yaml.safe_load(text)
    rid = record["id"]
    assert rid == "my-indochina-line-19990102"
    path = data_copy / "proposals" / f"{rid}.yaml"
    path.write_text(text, encoding="utf-8")

    # As drawn: validate names each field still to fill in, at this file.
    problems = validate(data_copy)
    assert problems and all(p.path == f"data/proposals/{rid}.yaml" for p in problems), problems
    assert {"date", "sources", "summary"} <= {p.field for p in problems}

    # Filled in, citing a document that does not exist yet: the source is refused.
    record.update(
        date="1954-07-01",
        party="drv",
        sources=["t-note"],
        summary="A line a student drew 50 km north of the signed one.",
    )
    path.write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    assert [(p.field, p.message) for p in validate(data_copy)] == [
        ("sources", "unknown document 't-note'")
    ]

    # The document, with an evidence phrase but (outside the corpus) no read_at: refused.
    note = {
        "id": "t-note",
        "kind": "memorandum",
        "title": "A test memorandum",
        "date": "1954-07-01",
        "citation": "Test memorandum, 1 July 1954.",
        "url": "https://example.org/t-note",
        "theater": "indochina",
        "summary": "Says where the line should run.",
        "in_corpus": False,
        "supports": [{"proposal": rid, "evidence": "along 17.5 degrees", "where": "para. 1"}],
    }
    doc_path = data_copy / "documents" / "t-note.yaml"
    doc_path.write_text(yaml.safe_dump(note, sort_keys=False), encoding="utf-8")
    assert [p.field for p in validate(data_copy)] == ["read_at"]

    note["supports"][0]["read_at"] = "https://example.org/t-note#p1"  # type: ignore[index]
    doc_path.write_text(yaml.safe_dump(note, sort_keys=False), encoding="utf-8")
    assert validate(data_copy) == []

    atlas = load_atlas(data_copy)
    shape = build(atlas, ["indochina"])[rid]
    assert shape.is_line and 0 < shape.length_km < 80  # clipped to Vietnam at 17.5 N
    assert atlas.keys("indochina")[rid]  # it is a position of the negotiation now


def test_template_holds_only_fixed_text_and_numbers() -> None:
    zone = {"type": "Polygon", "coordinates": [[[106.3, 20.7], [106.9, 20.7], [106.9, 21.1]]]}
    text = record_template("indochina", zone, countries=("VNM",), today=dt.date(1999, 1, 2))
    record = yaml.safe_load(text)
    assert record["kind"] == "zone" and record["title"] == "My zone (Indochina 1954 (with Laos))"
    assert record["geometry"] == {
        "coordinates": {"zone": [[106.3, 20.7], [106.9, 20.7], [106.9, 21.1]]}
    }
    with pytest.raises(ValueError, match="unknown theater"):
        record_template("europe", DRAWN, countries=("VNM",))
