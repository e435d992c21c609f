"""RIS and BibTeX exports, read back with small parsers of their own."""

from __future__ import annotations

import dataclasses
import re

from geo import Atlas, Cable
from geo.citations import (
    bibtex_escape,
    cables_for,
    cite_key,
    full_citation,
    to_bibtex,
    to_ris,
)

# ---------------------------------------------------------------------------------------
# tiny parsers (deliberately independent of the code under test)


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for raw in text.splitlines():
        if not raw.strip():
            continue
        m = re.match(r"^([A-Z][A-Z0-9])  - ?(.*)$", raw)
        assert m, f"not a RIS line: {raw!r}"
        tag, value = m[1], m[2]
        if tag == "TY":
            assert current is None, "TY before the previous ER"
            current = {}
        assert current is not None, f"{tag} outside a record"
        if tag == "ER":
            records.append(current)
            current = None
            continue
        current.setdefault(tag, []).append(value)
    assert current is None, "last record has no ER"
    return records


_UNESCAPE = {
    r"\textbackslash{}": "\\",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\{": "{",
    r"\}": "}",
    r"\%": "%",
    r"\&": "&",
    r"\$": "$",
    r"\#": "#",
    r"\_": "_",
}


def unescape(value: str) -> str:
    pattern = "|".join(re.escape(k) for k in _UNESCAPE)
    return re.sub(pattern, lambda m: _UNESCAPE[m.group(0)], value)


def parse_bibtex(text: str) -> dict[str, dict[str, str]]:
    """Entries by key; braced values lose their outer braces (and a second pair if any)."""
    entries: dict[str, dict[str, str]] = {}
    pos = 0
    while (m := re.compile(r"@(\w+)\{([^,\s]+),").search(text, pos)) is not None:
        assert m[1] == "misc"
        key, i = m[2], m.end()
        assert key not in entries, f"duplicate key {key}"
        fields: dict[str, str] = {}
        while True:
            f = re.compile(r"\s*(\w+)\s*=\s*").match(text, i)
            if f is None:
                break
            name, i = f[1], f.end()
            if text[i] == "{":
                depth, start = 0, i
                while True:
                    if text[i] == "\\":
                        i += 2
                        continue
                    depth += {"{": 1, "}": -1}.get(text[i], 0)
                    i += 1
                    if depth == 0:
                        break
                value = text[start + 1 : i - 1]
                if value.startswith("{") and value.endswith("}"):
                    value = value[1:-1]
            else:
                bare = re.compile(r"[\w]+").match(text, i)
                assert bare is not None
                value, i = bare[0], bare.end()
            fields[name] = value
            c = re.compile(r"\s*,?").match(text, i)
            assert c is not None
            i = c.end()
        closing = re.compile(r"\s*\}").match(text, i)
        assert closing is not None, f"entry {key} is not closed"
        pos = closing.end()
        entries[key] = fields
    return entries


# ---------------------------------------------------------------------------------------


def test_ris_has_every_cable_once_with_its_url_and_date(atlas: Atlas) -> None:
    cables = list(atlas.cables.values())
    text = to_ris(cables + cables[:2])  # duplicates are dropped
    assert "\r\n" in text
    records = parse_ris(text)
    assert len(records) == len(cables)
    by_id = {r["ID"][0]: r for r in records}
    assert set(by_id) == {cite_key(c) for c in cables}
    for cable in cables:
        rec = by_id[cite_key(cable)]
        assert rec["TY"] == ["GOVDOC"]
        assert rec["UR"] == [cable.url]
        assert rec["TI"] == [cable.title]
        y, m, d = cable.date.split("-")
        assert rec["PY"] == [y]
        assert rec["DA"] == [f"{y}/{m}/{d}/"]
        assert rec["PB"] == ["Wilson Center Digital Archive"]
        assert rec["AV"] == [cable.archive]
        if cable.translator:
            assert cable.translator in rec["N1"][0]
    assert by_id["wcda110145"]["AU"] == ["Li Kenong"]
    assert by_id["wcda113006"]["AU"] == ["Mao Zedong"]  # the bracketed note is dropped
    dates = [r["DA"][0] for r in records]
    assert dates == sorted(dates)


def test_bibtex_has_every_cable_once_with_its_url_and_date(atlas: Atlas) -> None:
    cables = list(atlas.cables.values())
    entries = parse_bibtex(to_bibtex(cables + cables))
    assert set(entries) == {cite_key(c) for c in cables}
    for cable in cables:
        e = entries[cite_key(cable)]
        assert e["url"] == cable.url
        assert e["date"] == cable.date
        assert e["year"] == cable.date[:4]
        assert unescape(e["title"]) == cable.title
        assert e["howpublished"] == "Wilson Center Digital Archive"
        assert cable.archive in unescape(e["note"])
    e = entries["wcda110145"]
    assert e["author"] == "Li Kenong"
    assert e["month"] == "jun"
    assert "Translated by Chen Zhihong" in e["note"]


def test_keys_are_stable_and_safe(atlas: Atlas) -> None:
    assert cite_key(atlas.cables["110145"]) == "wcda110145"
    slug = "1954-06-20-telegram-ccp-central-committee-to-zhou-enlai"
    assert cite_key(atlas.cables[slug]) == "wcda" + slug
    for cable in atlas.cables.values():
        assert re.fullmatch(r"[A-Za-z0-9-]+", cite_key(cable))


def test_bibtex_escapes_special_characters(atlas: Atlas) -> None:
    nasty = "50% of R&D costs $5 #1 under_score {braces} ~tilde ^caret back\\slash"
    cable = dataclasses.replace(
        atlas.cables["110145"],
        title=nasty,
        sender="Ann & Bob (a note)",
        archive="Box #7_a, 100%",
        url="https://example.org/a_b%20c{d}",
    )
    text = to_bibtex([cable])
    body = text.split("title", 1)[1].split("\n", 1)[0]
    assert re.search(r"(?<!\\)[%&$#_]", body) is None, body
    e = parse_bibtex(text)["wcda110145"]
    assert unescape(e["title"]) == nasty
    assert unescape(e["author"]) == "Ann & Bob"
    assert "Box #7_a, 100%" in unescape(e["note"])
    assert e["url"] == "https://example.org/a_b%20c%7Bd%7D"
    assert bibtex_escape("a  b\n c") == "a b c"


def test_approximate_and_missing_parts(atlas: Atlas) -> None:
    approx = dataclasses.replace(atlas.cables["113006"], date="1951-08-12~", translator="")
    rec = parse_ris(to_ris([approx]))[0]
    assert rec["PY"] == ["1951"]
    assert rec["DA"] == ["1951///"]
    e = parse_bibtex(to_bibtex([approx]))["wcda113006"]
    assert e["year"] == "1951" and "date" not in e and "month" not in e
    anonymous = dataclasses.replace(atlas.cables["117409"], sender="", archive="")
    rec = parse_ris(to_ris([anonymous]))[0]
    assert "AU" not in rec and "AV" not in rec
    assert to_ris([]) == "" and to_bibtex([]) == ""


def test_cables_for_lines(atlas: Atlas) -> None:
    korea = [ln.id for ln in atlas.lines_in("korea")]
    assert [c.id for c in cables_for(atlas, korea)] == ["117409", "117413", "113006"]
    assert cables_for(atlas, ["kr-1953-mdl"]) == []
    assert cables_for(atlas, ["no-such-line"]) == []
    cable: Cable = atlas.cables["110145"]
    text = full_citation(cable)
    assert text.startswith('"Cable from Li Kenong')
    assert text.endswith(cable.url) and "\n" not in text
