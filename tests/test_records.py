"""Records: the real data is valid and consistent; broken records are reported precisely."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import DATA_DIR, require_corpus
from geo import Atlas, validate
from geo.cables import read_cable_file
from geo.records import MAX_EVIDENCE_WORDS


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
    assert {"110145", "117409", "117413", "113006"} <= set(atlas.cables)
    outcomes = {ln.id for ln in atlas.lines.values() if ln.record == "outcome"}
    assert {"kr-1953-mdl", "vn-1954-geneva-line", "la-1954-geneva-regroupment"} <= outcomes


def test_every_line_has_sources_date_party_status(atlas: Atlas) -> None:
    for line in atlas.lines.values():
        assert line.precision_km > 0, line.id
        if line.status == "reference":
            continue
        assert line.date_iso and line.party in {"communist", "un", "drv", "prc", "france", "both"}
        assert line.sources or line.references, line.id
        if line.inferred:
            assert line.references, f"{line.id}: an inference must cite references"


def test_every_place_has_source_precision_and_confidence(atlas: Atlas) -> None:
    for place in atlas.places.values():
        assert place.source and place.identification, place.id
        assert place.precision_km > 0 and place.confidence in {"high", "medium", "low"}
    sic = {s for p in atlas.places.values() for s in p.spellings if "[sic]" in s}
    assert {"Jiao-yao [sic]", "Meng-ke [sic]", "Pan-pan [sic]"} <= sic
    assert "Jiao-yao [sic]" in atlas.places["cheo-reo"].spellings


def test_every_place_named_in_a_cable_occurs_in_its_text(atlas: Atlas) -> None:
    texts = _corpus_texts()
    for place in atlas.places.values():
        for cid in place.cables:
            body = _norm(texts[cid])
            assert any(_norm(s.replace(" [sic]", "")) in body for s in place.spellings), (
                f"{place.id}: none of {place.spellings} occurs in cable {cid}"
            )


def test_every_evidence_phrase_is_a_short_quote_from_its_cable(atlas: Atlas) -> None:
    texts = _corpus_texts()
    for cable in atlas.cables.values():
        for ev in cable.supports:
            assert len(ev.phrase.split()) <= MAX_EVIDENCE_WORDS
            assert _norm(ev.phrase) in _norm(texts[cable.id]), f"{cable.id}: {ev.phrase!r}"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _corpus_texts() -> dict[str, str]:
    corpus = require_corpus()
    out = {}
    for path in sorted(corpus.iterdir()):
        cable = read_cable_file(path)
        out[cable.id] = cable.body
    return out


# --- broken data -------------------------------------------------------------------------


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(DATA_DIR, dest)
    return dest


def _messages(data_dir: Path) -> list[str]:
    return [str(p) for p in validate(data_dir)]


def test_yaml_syntax_error_names_file_and_line(data_copy: Path) -> None:
    path = data_copy / "proposals" / "vn-1954-drv-minimum.yaml"
    lines = path.read_text().splitlines()
    lines[4] = "party: [drv"  # line 5
    path.write_text("\n".join(lines) + "\n")
    msgs = _messages(data_copy)
    assert any(m.startswith("data/proposals/vn-1954-drv-minimum.yaml:") for m in msgs), msgs
    assert any("YAML syntax error" in m for m in msgs)


def test_all_problems_are_reported_not_just_the_first(data_copy: Path) -> None:
    prop = data_copy / "proposals" / "vn-1954-drv-maximum.yaml"
    text = (
        prop.read_text()
        .replace("cheo-reo, ", "cheo-reoo, ")
        .replace("date: 1954-06-26", "date: 1954-13-40")
    )
    prop.write_text(text)
    places = data_copy / "places.yaml"
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
    assert f"data/places.yaml:{line_no}: [lat] 113.096 is out of range" in joined
    assert re.search(
        r"kr-1953-dmz-copy\.yaml:1: \[id\] id 'kr-1953-dmz' must equal the file name", joined
    )
    assert (
        "vn-1954-drv-medium.yaml:1: [sources] a proposal needs at least one source cable" in joined
    )
    assert re.search(
        r"data/cables/110145\.yaml:\d+: \[supports\] gives evidence for 'vn-1954-drv-medium', "
        r"which does not list it in sources",
        joined,
    )


def test_unknown_cable_and_unknown_field(data_copy: Path) -> None:
    prop = data_copy / "proposals" / "vn-1954-french-18th.yaml"
    prop.write_text(
        prop.read_text().replace('sources: ["110145"]', 'sources: ["999999"]') + "colour: red\n"
    )
    msgs = "\n".join(_messages(data_copy))
    assert "vn-1954-french-18th.yaml:8: [sources] unknown cable '999999'" in msgs
    assert re.search(r"vn-1954-french-18th\.yaml:\d+: \[colour\] unknown field 'colour'", msgs)


def test_overlong_evidence_and_binary_file(data_copy: Path) -> None:
    cable = data_copy / "cables" / "117413.yaml"
    cable.write_text(
        cable.read_text().replace(
            "Our representatives submitted for consideration the agenda indicated in the "
            "previous telegram",
            "one two three four five six seven eight nine ten eleven twelve thirteen",
        )
    )
    (data_copy / "proposals" / "junk.yaml").write_bytes(b"\x00\x01binary")
    msgs = "\n".join(_messages(data_copy))
    assert re.search(r"117413\.yaml:\d+: \[evidence\] evidence has 13 words", msgs)
    assert "data/proposals/junk.yaml: file is binary" in msgs


def test_missing_data_folder(tmp_path: Path) -> None:
    msgs = _messages(tmp_path / "nothing")
    assert msgs and "data folder not found" in msgs[0]


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_addresses_must_be_https(data_copy: Path) -> None:
    prop = data_copy / "proposals" / "vn-1954-drv-maximum.yaml"
    prop.write_text(
        prop.read_text().replace(
            "    url: https://www.geonames.org/", "    url: javascript:alert(1)"
        )
    )
    cable = data_copy / "cables" / "110145.yaml"
    cable.write_text(
        cable.read_text().replace(
            "corpus_url: https://digitalarchive.umd.edu/document/110145",
            "corpus_url: http://example.org/plain",
        )
    )
    msgs = "\n".join(_messages(data_copy))
    line = _line_of(prop, "javascript:alert(1)")
    assert (
        f"vn-1954-drv-maximum.yaml:{line}: [url] 'javascript:alert(1)' must be an https://" in msgs
    )
    assert re.search(r"110145\.yaml:\d+: \[corpus_url\] 'http://example.org/plain' must be", msgs)
