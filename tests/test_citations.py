"""RIS and BibTeX exports of the documents behind the lines, read back with small parsers of
their own."""

from __future__ import annotations

import dataclasses
import re

from geo import Atlas, Document
from geo.outputs.citations import (
    bibtex_escape,
    cables_for,
    cite_key,
    documents_for,
    full_citation,
    to_bibtex,
    to_ris,
)

WILSON = "Wilson Center Digital Archive"
GENEVA_AGREEMENT = "geneva-1954-vietnam-agreement"
AVALON_GENEVA = "https://avalon.law.yale.edu/20th_century/inch002.asp"
#: The records of the signed Geneva settlement in Vietnam.
GENEVA_LINES = ("vn-1954-geneva-line", "vn-1954-geneva-dmz", "vn-1954-haiphong-perimeter")

# ---------------------------------------------------------------------------------------
# tiny parsers (deliberately independent of the code under test)


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for raw in text.splitlines():
        if not raw.strip():
            continue
        if current is None and re.fullmatch(r"\d+\.", raw.strip()):
            continue  # rispy numbers the records ("1.") between them; readers skip it
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


def _ymd(date: str) -> tuple[str, str, str] | None:
    """Year, month, day of an exact date; None for an approximate one ("1951-10-16~")."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", date)
    return (m[1], m[2], m[3]) if m else None


# ---------------------------------------------------------------------------------------


def test_ris_has_every_document_once_with_its_url_and_date(atlas: Atlas) -> None:
    documents = list(atlas.documents.values())
    text = to_ris(documents + documents[:2])  # duplicates are dropped
    assert "\r\n" in text
    records = parse_ris(text)
    assert len(records) == len(documents)
    by_id = {r["ID"][0]: r for r in records}
    assert set(by_id) == {cite_key(d) for d in documents}
    for doc in documents:
        rec = by_id[cite_key(doc)]
        assert rec["TY"] == (["STAT"] if doc.kind == "agreement" else ["GOVDOC"]), doc.id
        assert rec["UR"] == [doc.url]
        assert rec["TI"] == [" ".join(doc.title.split())]
        assert rec["PY"] == [doc.date[:4]]
        ymd = _ymd(doc.date)
        assert rec["DA"] == ([f"{ymd[0]}/{ymd[1]}/{ymd[2]}/"] if ymd else [f"{doc.date[:4]}///"])
        assert rec["PB"] == [doc.publisher or WILSON]
        assert rec["DB"] == [" ".join((doc.collection or doc.publisher or WILSON).split())]
        if doc.archive:
            assert rec["CN"] == [" ".join(doc.archive.split())], doc.id
        if doc.translator:
            assert doc.translator in rec["N1"][0]
    assert by_id["wcda110145"]["AU"] == ["Li Kenong"]
    assert by_id["wcda113006"]["AU"] == ["Mao Zedong"]  # the bracketed note is dropped
    oldest_first = sorted(documents, key=lambda d: (d.date, d.id))
    assert [r["ID"][0] for r in records] == [cite_key(d) for d in oldest_first]


def test_bibtex_has_every_document_once_with_its_url_and_date(atlas: Atlas) -> None:
    documents = list(atlas.documents.values())
    entries = parse_bibtex(to_bibtex(documents + documents))
    assert set(entries) == {cite_key(d) for d in documents}
    for doc in documents:
        e = entries[cite_key(doc)]
        assert e["url"] == doc.url
        assert e["year"] == doc.date[:4]
        if _ymd(doc.date):
            assert e["date"] == doc.date
        else:
            assert "date" not in e and "month" not in e  # only what is certain
        assert unescape(e["title"]) == " ".join(doc.title.split())
        assert unescape(e["organization"]) == (doc.publisher or WILSON)
        assert unescape(e["howpublished"]) == " ".join((doc.collection or WILSON).split())
        if doc.archive:
            assert " ".join(doc.archive.split()) in unescape(e["note"])
    e = entries["wcda110145"]
    assert e["author"] == "Li Kenong"
    assert e["month"] == "jun"
    assert "Translated by Chen Zhihong" in e["note"]


def test_ris_and_bibtex_of_the_geneva_lines_include_the_agreement(atlas: Atlas) -> None:
    for lid in GENEVA_LINES:
        documents = cables_for(atlas, [lid])
        assert GENEVA_AGREEMENT in {d.id for d in documents}, lid
        (ris,) = [r for r in parse_ris(to_ris(documents)) if r["ID"] == [GENEVA_AGREEMENT]]
        assert ris["TY"] == ["STAT"]  # an agreement is cited as a treaty, not a cable
        assert ris["UR"] == [AVALON_GENEVA]
        assert ris["PB"] == ["Avalon Project, Yale Law School"]
        assert ris["DA"] == ["1954/07/20/"]
        assert "Cessation of Hostilities in Viet-Nam" in ris["TI"][0]
        bib = parse_bibtex(to_bibtex(documents))[GENEVA_AGREEMENT]
        assert bib["url"] == AVALON_GENEVA and bib["date"] == "1954-07-20"
        assert "Cessation of Hostilities in Viet-Nam" in unescape(bib["title"])
        assert "United Nations Treaty Series vol. 935" in unescape(bib["note"])


def test_ris_authors_are_one_unit(atlas: Atlas) -> None:
    """Module docstring: names are written as one unit, never split ("no comma in RIS")."""
    for rec in parse_ris(to_ris(atlas.documents.values())):
        for name in rec.get("AU", []):
            assert "," not in name, (rec["ID"], name)


def test_keys_are_stable_and_safe(atlas: Atlas) -> None:
    assert cite_key(atlas.documents["110145"]) == "wcda110145"
    slug = "1954-06-20-telegram-ccp-central-committee-to-zhou-enlai"
    assert cite_key(atlas.documents[slug]) == "wcda" + slug
    # documents of other publishers keep their own ids as keys
    assert cite_key(atlas.documents[GENEVA_AGREEMENT]) == GENEVA_AGREEMENT
    assert cite_key(atlas.documents["frus1951v07p1-d646"]) == "frus1951v07p1-d646"
    for doc in atlas.documents.values():
        assert re.fullmatch(r"[A-Za-z0-9-]+", cite_key(doc))
    assert len({cite_key(d) for d in atlas.documents.values()}) == len(atlas.documents)


def test_bibtex_escapes_special_characters(atlas: Atlas) -> None:
    nasty = "50% of R&D costs $5 #1 under_score {braces} ~tilde ^caret back\\slash"
    doc = dataclasses.replace(
        atlas.documents["110145"],
        title=nasty,
        sender="Ann & Bob (a note)",
        archive="Box #7_a, 100%",
        url="https://example.org/a_b%20c{d}",
    )
    text = to_bibtex([doc])
    body = text.split("title", 1)[1].split("\n", 1)[0]
    assert re.search(r"(?<!\\)[%&$#_]", body) is None, body
    e = parse_bibtex(text)["wcda110145"]
    assert unescape(e["title"]) == nasty
    assert unescape(e["author"]) == "Ann & Bob"
    assert "Box #7_a, 100%" in unescape(e["note"])
    assert e["url"] == "https://example.org/a_b%20c%7Bd%7D"
    assert bibtex_escape("a  b\n c") == "a b c"


def test_approximate_and_missing_parts(atlas: Atlas) -> None:
    approx = dataclasses.replace(atlas.documents["113006"], date="1951-08-12~", translator="")
    rec = parse_ris(to_ris([approx]))[0]
    assert rec["PY"] == ["1951"]
    assert rec["DA"] == ["1951///"]
    e = parse_bibtex(to_bibtex([approx]))["wcda113006"]
    assert e["year"] == "1951" and "date" not in e and "month" not in e
    anonymous = dataclasses.replace(atlas.documents["117409"], sender="", archive="")
    rec = parse_ris(to_ris([anonymous]))[0]
    assert "AU" not in rec and "CN" not in rec
    e = parse_bibtex(to_bibtex([anonymous]))["wcda117409"]
    assert "author" not in e
    assert to_ris([]) == "" and to_bibtex([]) == ""


def test_documents_for_lines(atlas: Atlas) -> None:
    assert documents_for is cables_for  # the older name still works
    korea = [ln.id for ln in atlas.lines_in("korea")]
    found = cables_for(atlas, korea)
    assert [d.id for d in found][:3] == ["117409", "117413", "113006"]  # the 1951 cables
    assert {d.id for d in found} == {did for lid in korea for did in atlas.lines[lid].sources}
    assert [d.date for d in found] == sorted(d.date for d in found)
    mdl = [d.id for d in cables_for(atlas, ["kr-1953-mdl"])]
    assert "korean-armistice-agreement-1953" in mdl  # the line rests on the agreement
    assert mdl == [d.id for d in atlas.documents_for(["kr-1953-mdl"])]
    assert cables_for(atlas, ["ref-parallel-38"]) == []  # a reference line has no sources
    assert cables_for(atlas, ["no-such-line"]) == []


def test_full_citation_ends_with_the_address(atlas: Atlas) -> None:
    doc: Document = atlas.documents["110145"]
    text = full_citation(doc)
    assert text.startswith('"Cable from Li Kenong')
    assert text.endswith(doc.url) and "\n" not in text
    agreement = full_citation(atlas.documents[GENEVA_AGREEMENT])
    assert agreement.startswith("Agreement on the Cessation of Hostilities in Viet-Nam")
    assert agreement.count(AVALON_GENEVA) == 1 and "\n" not in agreement
