"""A document's text as safe HTML with its places and lines marked (the Documents reader).

Every piece of document text is HTML-escaped before any markup is added around it, and the
marking is one pass over the text (mentions sorted once), so a 2 MB document marks in
linear time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from urllib.parse import urlencode

from geo.documents import Mention, highlight_spans
from geo.records.model import Atlas
from ui.text import esc


def place_href(atlas: Atlas, place_id: str) -> str:
    place = atlas.places[place_id]
    return "?" + urlencode({"theater": place.theater, "place": place_id})


def line_href(atlas: Atlas, line_id: str) -> str:
    line = atlas.lines[line_id]
    return "?" + urlencode({"theater": line.theater, "line": line_id})


def _shift(mention: Mention, offset: int) -> Mention:
    return dataclasses.replace(mention, start=mention.start - offset, end=mention.end - offset)


def marked_html(
    text: str,
    line_spans: Sequence[Mention],
    place_spans: Sequence[Mention],
    atlas: Atlas,
    *,
    line_class: str = "aa-ev",
) -> str:
    """*text*, escaped, with each line span in a ``<mark>`` and each place a link.

    A place inside a line span stays a link inside the mark (the rest of the mark links to
    the line); a place that straddles a span's edge is not marked; a place with exactly the
    span of a line term is a place. Nothing of *text* reaches the page unescaped.
    """
    places = sorted((p for p in place_spans if p.ref in atlas.places), key=lambda m: m.start)
    place_spans_set = {(p.start, p.end) for p in places}
    lines = [
        m for m in line_spans if m.ref in atlas.lines and (m.start, m.end) not in place_spans_set
    ]
    # for spans two lines share, prefer a position over a reference line
    lines.sort(key=lambda m: (m.start, -m.end, not atlas.lines[m.ref].is_position))
    segments = highlight_spans(text, lines)

    def place_link(segment: str, p: Mention) -> str:
        label = atlas.places[p.ref].label
        return (
            f'<a class="aa-place" href="{esc(place_href(atlas, p.ref))}" target="_self" '
            f'data-place="{esc(p.ref)}" title="{esc(f"Show {label} on the map")}">'
            f"{esc(segment)}</a>"
        )

    out: list[str] = []
    pos = 0
    k = 0  # next place to consider: places and segments both run left to right
    for segment, m in segments:
        end = pos + len(segment)
        while k < len(places) and places[k].start < pos:
            k += 1  # starts before this segment: it straddles an edge, so it is not marked
        inner: list[Mention] = []
        j = k
        while j < len(places) and places[j].start < end:
            if places[j].end <= end:
                inner.append(_shift(places[j], pos))
            j += 1
        k = j
        parts = highlight_spans(segment, inner)
        if m is None:
            out.extend(place_link(s, p) if p else esc(s) for s, p in parts)
        else:
            line = atlas.lines[m.ref]
            href = esc(line_href(atlas, m.ref))
            title = esc(f"Show on the map: {line.title}")
            inside = "".join(
                place_link(s, p)
                if p
                else f'<a class="aa-ln" href="{href}" target="_self" title="{title}">{esc(s)}</a>'
                for s, p in parts
            )
            out.append(f'<mark class="{line_class}" data-line="{esc(m.ref)}">{inside}</mark>')
        pos = end
    return "".join(out)
