"""Find the places and lines a document names, and split a text for highlighting.

Matching is case- and diacritic-insensitive, respects word boundaries, treats hyphens and
whitespace alike and accepts ``[sic]`` after a name. Parallels are found however a text writes
them -- "the 16th and 18th parallels", "between the 18th and the 16th parallels",
"seventeenth parallel", "parallel 17", "17°N", "17 degrees north" -- and link the reference
parallel and every line drawn on it.

Everything here is linear in the text (or n log n): the text is folded once, names are tried
only where their first word occurs, overlaps are resolved with an occupancy map, and at most
:data:`~geo.documents.model.MAX_MENTIONS` mentions are kept. Accent folding is ours rather than
Unidecode's because it maps every character to exactly one character, so offsets in the folded
text are offsets in the original.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence

from geo.documents.model import MAX_MENTIONS, Mention

_SEP_CHARS = "\\-\u2010\u2011\u2012\u2013\u2014"
_SEP_SPLIT_RE = re.compile(rf"[\s{_SEP_CHARS}]+")
_SEP_PATTERN = rf"(?:\s*[{_SEP_CHARS}]\s*|\s+)"
_SIC_SUFFIX_RE = re.compile(r"\s*\[\s*sic\s*\]\s*$", re.IGNORECASE)
_SIC_PATTERN = r"(?P<sic>\s*\[\s*sic\s*\])?"
_FOLD_SPECIAL = {"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i"}
_WORD_RE = re.compile(r"\w+")


def _fold_char(ch: str) -> str:
    """One character without diacritics (always exactly one character)."""
    if ch.isascii():
        return ch
    special = _FOLD_SPECIAL.get(ch)
    if special is not None:
        return special
    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
        return decomposed[0]
    return ch


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds each character once and remembers it."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """*text* without diacritics, character for character (same length, same offsets)."""
    return text if text.isascii() else text.translate(_FOLD_TABLE)


@functools.lru_cache(maxsize=4096)
def _name_pattern(name: str) -> tuple[re.Pattern[str], str] | None:
    """Compile a name; also return the lower-cased first word it must start with."""
    base = _SIC_SUFFIX_RE.sub("", fold(name)).strip()
    tokens = [t for t in _SEP_SPLIT_RE.split(base) if t]
    if not tokens:
        return None
    core = _SEP_PATTERN.join(re.escape(t) for t in tokens)
    pattern = re.compile(rf"(?<!\w){core}(?!\w){_SIC_PATTERN}", re.IGNORECASE)
    first = _WORD_RE.match(tokens[0])
    return pattern, (first.group(0).lower() if first else "")


# ---------------------------------------------------------------------------------------
# parallels, however they are written

_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS = [
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_TENS = {"twent": 20, "thirt": 30, "fort": 40}
ORDINAL_WORDS: dict[str, int] = {w: i + 1 for i, w in enumerate(_UNITS)}
ORDINAL_WORDS.update({w: i + 10 for i, w in enumerate(_TEENS)})
for _stem, _base in _TENS.items():
    ORDINAL_WORDS[f"{_stem}ieth"] = _base
    for _i, _unit in enumerate(_UNITS):
        for _sep in ("-", " "):
            ORDINAL_WORDS[f"{_stem}y{_sep}{_unit}"] = _base + _i + 1
_ORD_WORD = "|".join(sorted(map(re.escape, ORDINAL_WORDS), key=len, reverse=True))
_ORD = rf"(?:\d{{1,2}}(?:st|nd|rd|th)|(?:{_ORD_WORD}))"
_JOIN = r"\s*(?:,|;|&|/|\band\b|\bor\b|\bto\b|[-\u2013\u2014])\s*(?:the\s+)?"
_NUM = r"\d{1,2}(?:st|nd|rd|th)?"
_UNIT = r"\s*(?:km|kms|kilomet(?:er|re)s?|miles?|meters?|metres?|yards?|ft|feet|m)\b"
_NORTH = r"(?:N(?![\w.]*\s?[EW]\b)(?!\w)|north(?![\w-]|\s?-?\s?(?:east|west)\b))"
# Each alternative starts only where a word starts ((?=\w) is checked before any of the ordinal
# words), and an ordinal chain is matched once whether or not "parallel" follows: the scan
# then goes on after the chain, so a text of nothing but "16th and 16th and …" stays linear.
_PARALLEL_RE = re.compile(
    rf"(?<![\w.])(?=\w)(?P<ords>{_ORD}(?:{_JOIN}{_ORD})*)(?P<tail>\s+parallels?\b)?"
    rf"|\bparallels?\s+(?:of\s+)?(?P<nums>{_NUM}(?:{_JOIN}{_NUM})*)(?![\w.])(?!{_UNIT})"
    rf"|(?<![\w.])(?P<deg>\d{{1,2}})\s*(?:°|º|degrees?)\s*{_NORTH}",
    re.IGNORECASE,
)
_ITEM_RE = re.compile(rf"{_ORD}|\d{{1,2}}", re.IGNORECASE)


def _latitude(token: str) -> int:
    digits = re.match(r"\d+", token)
    return int(digits.group(0)) if digits else ORDINAL_WORDS[" ".join(token.lower().split())]


def parallel_mentions(folded: str) -> Iterator[tuple[int, int, int]]:
    """``(latitude, start, end)`` for every parallel a text names (each number its own span)."""
    for m in _PARALLEL_RE.finditer(folded):
        if m.group("ords") is not None and m.group("tail") is None:
            continue  # ordinals that name no parallel ("the 16th and 18th of June")
        group = next(g for g in ("ords", "nums", "deg") if m.group(g) is not None)
        base = m.start(group)
        for item in _ITEM_RE.finditer(m.group(group)):
            try:
                lat = _latitude(item.group(0))
            except KeyError:
                continue
            yield lat, base + item.start(), base + item.end()


# ---------------------------------------------------------------------------------------
# finding mentions


def _word_index(folded: str, wanted: set[str]) -> dict[str, list[int]]:
    """Start offsets of each wanted (lower-cased) word in the text."""
    index: dict[str, list[int]] = {w: [] for w in wanted}
    for m in _WORD_RE.finditer(folded):
        hits = index.get(m.group(0).lower())
        if hits is not None:
            hits.append(m.start())
    return index


def _candidates(
    folded: str,
    text: str,
    kind: str,
    table: Mapping[str, Sequence[str]],
    index: dict[str, list[int]],
    bound: int,
) -> Iterator[Mention]:
    """Every match of every name that starts before *bound*."""
    for ref, names in table.items():
        if isinstance(names, str):
            names = [names]
        seen: set[str] = set()
        for name in names:
            compiled = _name_pattern(name)
            if compiled is None:
                continue
            pattern, first = compiled
            if pattern.pattern in seen:
                continue
            seen.add(pattern.pattern)
            starts: Iterable[re.Match[str] | None]
            if first:  # try only where the first word stands
                positions = index.get(first, [])
                stop = bisect.bisect_left(positions, bound)
                starts = (pattern.match(folded, pos) for pos in positions[:stop])
            else:
                starts = (m for m in pattern.finditer(folded) if m.start() < bound)
            for m in starts:
                if m is not None:
                    yield Mention(
                        kind,
                        ref,
                        text[m.start() : m.end()],
                        m.start(),
                        m.end(),
                        m.group("sic") is not None,
                    )


def find_mentions(
    text: str,
    *,
    places: Mapping[str, Sequence[str]],
    proposals: Mapping[str, Sequence[str]],
    parallels: Mapping[int, Sequence[str]] | None = None,
    limit: int = MAX_MENTIONS,
) -> list[Mention]:
    """Find places and lines named in *text*.

    Parameters
    ----------
    text : str
        The text to search (e.g. ``ParsedDocument.body``).
    places : Mapping[str, Sequence[str]]
        Place id to its names and spellings, e.g. ``{"cheo-reo": ["Jiao-yao [sic]", "Cheo Reo"]}``.
    proposals : Mapping[str, Sequence[str]]
        Line id to phrases that name it, e.g. ``{"kr-1951-38th": ["38th parallel"]}``.
    parallels : Mapping[int, Sequence[str]], optional
        Latitude to the ids of the lines drawn on it (see :meth:`geo.Atlas.parallel_lines`):
        each parallel the text names links all of them.
    limit : int
        At most this many mentions are returned (the earliest ones).

    Returns
    -------
    list of Mention
        Sorted by position. Among names and terms, where matches overlap the longest wins;
        identical spans for different ids are all kept. Parallel links (kind ``"parallel"``:
        the line ids drawn on a parallel the text names) are kept besides, even inside a
        longer term, so "between the 18th and the 16th parallels" links both parallels. A
        text in decomposed Unicode (NFD) is matched as its composed form; offsets are always
        offsets into *text*.
    """
    composed, back = _composed(text)
    folded = fold(composed)
    wanted = {c[1] for c in map(_name_pattern, _all_names(places, proposals)) if c and c[1]}
    index = _word_index(folded, wanted)
    # Look at a growing head of the text until it holds *limit* mentions: the earliest ones
    # are found and the work stays proportional to them (a 2 MB file of names is never
    # matched whole). Matches starting up to LOOKAHEAD past the head take part, so one that
    # starts just beyond it still wins over a shorter one it overlaps.
    size = len(composed)
    head = FIRST_HEAD
    while True:
        cutoff = min(head, size)
        bound = min(size, cutoff + LOOKAHEAD)
        found = [
            cand
            for kind, table in (("place", places), ("proposal", proposals))
            for cand in _candidates(folded, composed, kind, table, index, bound)
        ]
        lines = _resolve(found, size, cutoff)
        if len(lines) >= limit or cutoff >= size:
            break
        head *= 4
    links: list[Mention] = []
    for lat, start, end in parallel_mentions(folded) if parallels else ():
        if start >= cutoff:
            break
        links.extend(Mention("parallel", ref, composed[start:end], start, end, False)
                     for ref in (parallels or {}).get(lat, ()))  # fmt: skip
    chosen = sorted([*lines, *links], key=lambda m: (m.start, m.end, m.kind, m.ref))[:limit]
    return chosen if back is None else [_restore(m, text, back) for m in chosen]


#: The first head of the text searched (characters), and how far past it a match may start
#: and still take part in resolving overlaps (longer than any name or term).
FIRST_HEAD = 65_536
LOOKAHEAD = 512
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _composed(text: str) -> tuple[str, tuple[list[int], list[int]] | None]:
    """*text* in composed form (NFC), with where each character came from (None when the text
    has no combining marks, the usual case: then nothing is copied)."""
    if _COMBINING.search(text) is None:
        return text, None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        for ch in unicodedata.normalize("NFC", text[i:j]):
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return "".join(out), (starts, ends)


def _restore(m: Mention, text: str, back: tuple[list[int], list[int]]) -> Mention:
    starts, ends = back
    start, end = starts[m.start], ends[m.end - 1]
    return Mention(m.kind, m.ref, text[start:end], start, end, m.sic)


def _all_names(*tables: Mapping[str, Sequence[str]]) -> Iterator[str]:
    for table in tables:
        for names in table.values():
            yield from ([names] if isinstance(names, str) else names)


def _resolve(found: list[Mention], size: int, cutoff: int) -> list[Mention]:
    """Longest first, then earliest: keep a candidate unless it overlaps a kept one (an
    identical span is no overlap). The occupancy map makes each check cost its length.
    Candidates from *cutoff* on are dropped: some name's matches stop there."""
    found.sort(key=lambda m: (-(m.end - m.start), m.start, m.kind, m.ref))
    taken = bytearray(size)
    spans: set[tuple[int, int]] = set()
    keys: set[tuple[str, str, int, int]] = set()
    chosen: list[Mention] = []
    for cand in found:
        key = (cand.kind, cand.ref, cand.start, cand.end)
        if key in keys or cand.end <= cand.start or cand.start >= cutoff:
            continue
        span = (cand.start, cand.end)
        if span not in spans and taken.find(1, cand.start, cand.end) != -1:
            continue
        keys.add(key)
        spans.add(span)
        taken[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
        chosen.append(cand)
    return chosen


def highlight_spans(text: str, mentions: Sequence[Mention]) -> list[tuple[str, Mention | None]]:
    """Split *text* into plain and highlighted segments for a reader UI.

    Mentions out of range or overlapping an earlier one are ignored (the earliest wins); the
    segments concatenate to *text*; highlighted ones carry their mention, the rest ``None``.
    """
    segments: list[tuple[str, Mention | None]] = []
    pos = 0
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if mention.start < pos or mention.end <= mention.start or mention.end > len(text):
            continue
        if mention.start > pos:
            segments.append((text[pos : mention.start], None))
        segments.append((text[mention.start : mention.end], mention))
        pos = mention.end
    if pos < len(text):
        segments.append((text[pos:], None))
    return segments
