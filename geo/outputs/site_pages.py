"""The pages of the static offline site, as HTML text (:mod:`geo.outputs.site` writes them).

One job: turning records into the site's HTML. Every text from the records goes through
:func:`html.escape` on its way into a page, and the map's data only as JSON through
:func:`geo.outputs.webmap.to_json` inside ``<script type="application/json">``; there is no
template engine, no inline script or event handler, and the Content-Security-Policy of each
page allows scripts, styles and images from the site itself only, so nothing is fetched from
the network. Links to the archives are plain ``<a href>`` (``https://`` only) a reader may
follow. Every internal link is relative, so the site works from a USB stick (``file://``)
or any static host. The documents' full texts are never reproduced: only our summaries, the
citations and the short evidence phrases.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from geo.geometry import BuiltAtlas
from geo.outputs.citations import full_citation
from geo.outputs.renderer import RENDERER_FILES
from geo.outputs.webmap import bounds_of, date_label, to_json
from geo.records.model import Document, Evidence, Line
from geo.stories import Step, Story
from geo.style import stroke
from geo.vocab import STATUSES, THEATERS, group_label, group_order, party_label, party_short

SITE_TITLE = "Armistice Atlas"
#: The browser loads nothing but the site's own files (and the favicon's ``data:``).
#: ``file:`` because some browsers do not count other local files as ``'self'``.
CSP = (
    "default-src 'none'; script-src 'self' file:; style-src 'self' file:; "
    "img-src 'self' file: data:; font-src 'self' file:; connect-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)
#: The renderer's and the site's files, written once under ``assets/``; the renderer's
#: scripts in the one order of :data:`geo.outputs.renderer.RENDERER_FILES`.
MAP_STYLES = ("assets/leaflet.css", "assets/atlas-map.css")
MAP_SCRIPTS = ("assets/leaflet.js", *(f"assets/{name}" for name in RENDERER_FILES))
SITE_STYLE = "assets/site.css"
SITE_SCRIPT = "assets/deck.js"
KIND_WORDS = {"line": "line", "zone": "zone", "reference": "reference line"}
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
_CLASS_UNSAFE = re.compile(r"[^a-z0-9-]+")


def esc(value: object) -> str:
    """Text (or an attribute value) for HTML: ``& < > " '`` escaped."""
    return html.escape(str(value), quote=True)


def slug(ident: str) -> str:
    """A record id as a file name: the id itself when it is safe (ids are validated), else
    a cleaned form with a short hash, so two ids never share a file."""
    if _SAFE_ID.match(ident):
        return ident
    clean = re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-")[:60] or "x"
    return f"{clean}-{hashlib.sha256(ident.encode()).hexdigest()[:10]}"


def line_href(line_id: str) -> str:
    return f"line/{slug(line_id)}.html"


def document_href(doc_id: str) -> str:
    return f"document/{slug(doc_id)}.html"


def story_href(story_id: str) -> str:
    return f"story/{slug(story_id)}.html"


def map_href(theater: str) -> str:
    return f"map-{slug(theater)}.html"


def data_href(theater: str) -> str:
    return f"data/{slug(theater)}.js"


def cite_href(doc_id: str, ext: str) -> str:
    return f"cite/{slug(doc_id)}.{ext}"


def party_class(party: str) -> str:
    return "party-" + (_CLASS_UNSAFE.sub("-", party.lower()).strip("-") or "x")


class Site:
    """What the pages are made from: the built atlas, the stories, and who links to whom."""

    def __init__(self, built: BuiltAtlas, stories: Iterable[Story]) -> None:
        self.built = built
        self.atlas = built.atlas
        self.theaters = tuple(t for t in THEATERS if t in built.theaters and built.lines_in(t))
        self.stories = tuple(s for s in stories if s.theater in self.theaters and s.steps)
        self.keys = {t: self.atlas.keys(t) for t in self.theaters}
        self.documents = sorted(self.atlas.documents.values(), key=lambda d: (d.date, d.id))

    def lines(self, theater: str) -> list[Line]:
        return self.built.lines_in(theater)

    def has_line(self, line_id: str) -> bool:
        line = self.atlas.lines.get(line_id)
        return line is not None and line.theater in self.theaters and line_id in self.built

    def key(self, line: Line) -> str:
        return self.keys.get(line.theater, {}).get(line.id, "")

    def shown_in(self, line_id: str) -> list[tuple[Story, int]]:
        """The first step of each story that shows *line_id* (selected first, else shown)."""
        out = []
        for story in self.stories:
            steps = [i for i, s in enumerate(story.steps) if s.selected == line_id]
            steps = steps or [i for i, s in enumerate(story.steps) if line_id in s.layers]
            if steps:
                out.append((story, steps[0]))
        return out

    def cited_by(self, doc_id: str) -> list[tuple[Story, int]]:
        return [
            (story, next(i for i, s in enumerate(story.steps) if doc_id in s.documents))
            for story in self.stories
            if doc_id in story.documents
        ]


# ---------------------------------------------------------------------------------------
# the frame of every page


def page(
    site: Site,
    path: str,
    *,
    title: str,
    body: str,
    crumbs: Iterable[tuple[str, str]] = (),
    config: Mapping[str, Any] | None = None,
    theater: str | None = None,
    body_class: str = "",
) -> str:
    """A complete document at *path* (relative to the site's root).

    With *theater*, the page has a map: it loads Leaflet, the renderer, the theater's data
    file and ``deck.js``, which draws the payload into ``#aa-map`` with the state in
    *config* (JSON in ``#aa-config``).
    """
    up = "../" * path.count("/")
    styles = (*MAP_STYLES, SITE_STYLE) if theater else (SITE_STYLE,)
    head = "".join(f'<link rel="stylesheet" href="{esc(up + s)}">' for s in styles)
    scripts = ""
    if theater:
        srcs = (*MAP_SCRIPTS, data_href(theater), SITE_SCRIPT)
        scripts = "".join(f'<script src="{esc(up + s)}"></script>' for s in srcs)
    data = ""
    if config is not None:
        data = f'<script type="application/json" id="aa-config">{to_json(dict(config))}</script>'
    trail = [(SITE_TITLE, "index.html"), *crumbs]
    nav = ' <span aria-hidden="true">›</span> '.join(
        f'<a href="{esc(up + href)}">{esc(text)}</a>' if href else f"<span>{esc(text)}</span>"
        for text, href in trail
    )
    theaters = " ".join(
        f'<a href="{esc(up + map_href(t))}">{esc(THEATERS[t].label)}</a>'
        for t in site.theaters
        if path != map_href(t)
    )
    cls = f' class="{esc(body_class)}"' if body_class else ""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        f'<title>{esc(title)}</title><link rel="icon" href="data:,">{head}</head>'
        f'<body{cls}><a class="site-skip" href="#main">Skip to the content</a>'
        f'<header class="site-header"><nav aria-label="Breadcrumb" class="site-crumbs">{nav}'
        f'</nav><nav aria-label="Maps" class="site-maps">{theaters}</nav></header>'
        f'<main id="main">{body}</main>'
        '<footer class="site-footer"><p>Armistice Atlas, offline edition: every page and map '
        "works without a network. Lines are drawn from the documents cited on their pages; "
        "the documents' full texts are not reproduced here, follow the archive addresses to "
        "read them. Maps drawn with Leaflet (BSD-2-Clause); land from Natural Earth.</p>"
        f"</footer>{data}{scripts}</body></html>\n"
    )


# ---------------------------------------------------------------------------------------
# small pieces


def ext_link(url: str, text: str | None = None) -> str:
    """A link to an archive's address (http/https only: anything else stays plain text)."""
    label = esc(text if text is not None else url)
    if url.startswith(("https://", "http://")):
        return f'<a class="site-ext" href="{esc(url)}" rel="noreferrer">{label}</a>'
    return label


def swatch(line: Line) -> str:
    """The line's colour and dash as on the map (SVG, no style attribute)."""
    s = stroke(party=line.party, status=line.status, kind=line.kind)
    dash = f' stroke-dasharray="{esc(s.dash)}"' if s.dash else ""
    if line.kind == "zone":
        shape = (
            f'<rect x="1.5" y="2" width="31" height="10" fill="{esc(s.color)}" '
            f'fill-opacity="0.25" stroke="{esc(s.color)}" stroke-width="2"{dash}/>'
        )
    else:
        width = 1.5 if line.status == "reference" else min(s.weight, 4)
        shape = (
            f'<line x1="2" y1="7" x2="32" y2="7" stroke="{esc(s.color)}" '
            f'stroke-width="{width:g}" stroke-linecap="round"{dash}/>'
        )
    return (
        '<svg class="site-swatch" width="34" height="14" viewBox="0 0 34 14" '
        f'aria-hidden="true" focusable="false">{shape}</svg>'
    )


def key_badge(site: Site, line: Line) -> str:
    """The key letter in a ring of the party's colour (as on the map); none for references."""
    key = site.key(line)
    if not key:
        return '<span class="site-key site-key-none" aria-hidden="true"></span>'
    return (
        f'<span class="site-key {party_class(line.party)}" title="key letter on the map">'
        f"{esc(key)}</span>"
    )


def line_meta(line: Line) -> str:
    parts = [party_short(line.party) if line.is_position else "reference"]
    if date_label(line):
        parts.append(date_label(line))
    parts.append(line.status)
    if line.inferred:
        parts.append("partly inferred")
    return " · ".join(parts)


def line_item(site: Site, line: Line, up: str, extra: str = "") -> str:
    """A row of a list of lines: key, sample, linked title, party · date · status."""
    title = esc(line.title)
    if site.has_line(line.id):
        title = f'<a href="{esc(up + line_href(line.id))}">{title}</a>'
    return (
        f'<li class="site-line">{key_badge(site, line)}{swatch(line)}'
        f'<span class="site-line-text">{title} <span class="site-meta">'
        f"{esc(line_meta(line))}</span>{extra}</span></li>"
    )


def grouped_lines(site: Site, lines: list[Line], up: str, heading: str = "h3") -> str:
    """Lines under their group's name (the map's legend and layer control use the same)."""
    groups: dict[str, list[Line]] = {}
    for line in lines:
        groups.setdefault(line.group, []).append(line)
    out = []
    for group in sorted(groups, key=group_order):
        items = "".join(line_item(site, ln, up) for ln in groups[group])
        out.append(
            f'<section class="site-group"><{heading}>{esc(group_label(group))}</{heading}>'
            f'<ul class="site-lines">{items}</ul></section>'
        )
    return "".join(out)


def facts(rows: Iterable[tuple[str, str]]) -> str:
    """A definition list; values are HTML already (escaped by the caller), empty rows left out."""
    body = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows if v)
    return f'<dl class="site-facts">{body}</dl>'


def day_label(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def doc_date(doc: Document) -> str:
    """``26 Jun 1954`` (``about …`` when approximate); the text as written if not a day."""
    text = doc.date.rstrip("~?%")
    try:
        shown = day_label(dt.date.fromisoformat(text))
    except ValueError:
        shown = text
    return f"about {shown}" if text != doc.date else shown


def quote(ev: Evidence) -> str:
    """An evidence phrase, quoted, with where it stands in its document."""
    where = f' <span class="site-where">({esc(ev.where)})</span>' if ev.where else ""
    read = f" · read at {ext_link(ev.read_at, 'this address')}" if ev.read_at else ""
    return f"<li><q>{esc(ev.phrase)}</q>{where}{read}</li>"


def addresses(doc: Document) -> str:
    links = [ext_link(doc.url)] if doc.url else []
    if doc.corpus_url and doc.corpus_url != doc.url:
        links.append(ext_link(doc.corpus_url) + " (copy)")
    return "<br>".join(links)


def cite_links(doc: Document, up: str) -> str:
    return (
        f'<a href="{esc(up + cite_href(doc.id, "ris"))}" download>RIS</a> · '
        f'<a href="{esc(up + cite_href(doc.id, "bib"))}" download>BibTeX</a>'
    )


def step_link(story: Story, index: int, up: str) -> str:
    """A link that opens a story's deck at a step (``#3``; the section's id is ``step-3``)."""
    href = f"{up}{story_href(story.id)}#{index + 1}"
    return f'<a href="{esc(href)}">{esc(story.title)}, step {index + 1}</a>'


#: Where the map goes (the renderer names it "Map: <title>" for screen readers).
MAP_BOX = (
    '<div id="aa-map" class="site-map"><noscript><p class="site-noscript">The map needs '
    "JavaScript; everything else on this page reads without it.</p></noscript></div>"
)


def base_state(**extra: Any) -> dict[str, Any]:
    """A map state (docs/map-payload.md): every record, the home view, legend open."""
    state = dict(visible=None, selected=None, dim=True, halo=True, places=True, labels=True,
                 legend_open=True, view=None, view_id="home")  # fmt: skip
    return {**state, **extra}


def map_config(site: Site, theater: str, up: str, state: dict[str, Any]) -> dict[str, Any]:
    """What ``deck.js`` needs: the theater, the state, Leaflet's images, the line pages."""
    links = {ln.id: up + line_href(ln.id) for ln in site.lines(theater) if site.has_line(ln.id)}
    return {"theater": theater, "assets": up + "assets/", "state": state, "links": links}


#: Where deck.js names the line last clicked on the map, with a link to its page.
PICKED_BOX = (
    '<p id="aa-picked" class="site-picked" aria-live="polite">Click a line or zone on the '
    "map (or its name in the legend) for a link to its page.</p>"
)


# ---------------------------------------------------------------------------------------
# pages


def index_page(site: Site) -> str:
    theaters = []
    for t in site.theaters:
        lines = site.lines(t)
        positions = sum(1 for ln in lines if ln.is_position)
        theaters.append(
            f'<section class="site-card" id="theater-{esc(slug(t))}"><h3>'
            f'<a href="{esc(map_href(t))}">{esc(THEATERS[t].label)}</a></h3>'
            f"<p>{positions} positions and outcomes, {len(lines) - positions} reference lines. "
            f'<a href="{esc(map_href(t))}">Open the map</a>.</p>'
            f"{grouped_lines(site, lines, '', 'h4')}</section>"
        )
    stories = "".join(
        f'<li><a href="{esc(story_href(s.id))}">{esc(s.title)}</a> '
        f'<span class="site-meta">{esc(THEATERS[s.theater].label)} · {len(s.steps)} steps'
        f"</span><p>{esc(s.summary)}</p></li>"
        for s in site.stories
    )
    docs = "".join(
        f'<tr><td>{esc(doc_date(d))}</td><td><a href="{esc(document_href(d.id))}">'
        f"{esc(d.title)}</a></td><td>{esc(d.kind)}</td>"
        f"<td>{esc(THEATERS[d.theater].label if d.theater in THEATERS else d.theater)}</td></tr>"
        for d in site.documents
    )
    legend = "".join(
        f"<li>{esc(words)}</li>"
        for words in (
            "Colour = the party that put a line forward; black = agreed or signed by both.",
            "Dashes = status: " + "; ".join(STATUSES.values()) + ".",
            "Letters (A, B, …) = the same key letters on every map, legend and list.",
            "A pale band round a line = how far the real line may lie from the drawn one.",
            "A hollow place dot = the identification of the place is not certain.",
        )
    )
    body = (
        f"<h1>{esc(SITE_TITLE)}</h1>"
        '<p class="site-lead">The demarcation lines argued over in the Korean armistice talks '
        "(1951–53) and at the Geneva conference on Indochina (1954), each drawn from the "
        "archival documents that state it. Every line has a page with its sources and the "
        "phrases it is drawn from; every document a page with the lines it supports.</p>"
        '<p><a href="#theaters">The two theaters</a> · <a href="#stories">Stories</a> · '
        '<a href="#documents">Documents</a> · <a href="#reading">How to read the maps</a> · '
        '<a href="cite/all.ris" download>All citations (RIS)</a> · '
        '<a href="cite/all.bib" download>(BibTeX)</a></p>'
        f'<section id="theaters"><h2>The two theaters</h2><div class="site-cards">'
        f"{''.join(theaters)}</div></section>"
        f'<section id="stories"><h2>Stories</h2><p>Step-by-step walks for a class: use '
        "← → (or PageUp / PageDown, Home / End) to move between the steps.</p>"
        f'<ul class="site-stories">{stories}</ul></section>'
        f'<section id="documents"><h2>Documents</h2><table class="site-table"><thead><tr>'
        "<th>Date</th><th>Document</th><th>Kind</th><th>Theater</th></tr></thead>"
        f"<tbody>{docs}</tbody></table></section>"
        f'<section id="reading"><h2>How to read the maps</h2><ul>{legend}</ul></section>'
    )
    return page(site, "index.html", title=SITE_TITLE, body=body)


def map_page(site: Site, theater: str) -> str:
    path = map_href(theater)
    label = THEATERS[theater].label
    config = map_config(site, theater, "", base_state())
    body = (
        f'<h1>{esc(label)}</h1><div class="site-mapgrid">'
        f'<div class="site-mapcol">{MAP_BOX}{PICKED_BOX}</div>'
        f'<aside class="site-side" aria-label="Lines and zones"><h2>Lines and zones</h2>'
        f"{grouped_lines(site, site.lines(theater), '')}</aside></div>"
    )
    return page(
        site, path, title=f"{label} · {SITE_TITLE}", body=body, crumbs=[(label, "")],
        config=config, theater=theater, body_class="site-mappage",
    )  # fmt: skip


def line_page(site: Site, line: Line) -> str:
    up = "../"
    shape = site.built[line.id]
    label = THEATERS[line.theater].label
    measure = f"{shape.length_km:,.0f} km long" if shape.is_line else f"{shape.area_km2:,.0f} km²"
    key = site.key(line)
    rows = [
        ("Key letter", esc(key) if key else ""),
        ("Party", esc(party_label(line.party))),
        ("Date", esc(date_label(line) or "undated")),
        ("Status", esc(STATUSES.get(line.status, line.status))),
        ("Kind", esc(KIND_WORDS.get(line.kind, line.kind))),
        ("Record", esc("signed outcome" if line.record == "outcome" else "position in the talks")),
        ("Measure (as drawn)", esc(measure)),
        ("Precision", esc(f"± {line.precision_km:g} km: how far the real line may lie from this")),
        ("Theater", f'<a href="{esc(up + map_href(line.theater))}">{esc(label)}</a>'),
    ]
    inference = (
        f'<section class="site-inference"><h2>Partly inferred</h2><p>{esc(line.inference)}</p>'
        "</section>"
        if line.inferred
        else ""
    )
    evidence: dict[str, list[Evidence]] = {}
    for source, ev in site.atlas.evidence_for(line.id):
        evidence.setdefault(source.id, []).append(ev)
    docs = []
    for did in dict.fromkeys(line.sources):
        doc = site.atlas.documents.get(did)
        if doc is None:
            continue
        quotes = "".join(quote(ev) for ev in evidence.get(did, []))
        docs.append(
            f'<li class="site-source"><h3><a href="{esc(up + document_href(did))}">'
            f'{esc(doc.title)}</a></h3><p class="site-meta">{esc(doc.kind)} · '
            f'{esc(doc_date(doc))}</p><p class="site-citation">{esc(full_citation(doc))}</p>'
            f"<p>{addresses(doc)}</p>"
            + (f'<p>Evidence:</p><ul class="site-quotes">{quotes}</ul>' if quotes else "")
            + "</li>"
        )
    sources = (
        f'<ul class="site-sources">{"".join(docs)}</ul>'
        if docs
        else "<p>No document is tied to this record; see the published references.</p>"
    )
    refs = "".join(f"<li>{ext_link(r.url, r.title) if r.url else esc(r.title)}</li>"
                   for r in line.references)  # fmt: skip
    stories = "".join(f"<li>{step_link(s, i, up)}</li>" for s, i in site.shown_in(line.id))
    view = bounds_of([shape.geometry])
    state = base_state(selected=line.id, view={"bounds": view} if view else None, view_id="line")
    body = (
        f"<h1>{key_badge(site, line)} {esc(line.title)}</h1>"
        f'<p class="site-meta">{swatch(line)} {esc(line_meta(line))}</p>'
        f'<div class="site-twocol"><div>{facts(rows)}<section><h2>Our summary</h2>'
        f"<p>{esc(line.summary)}</p></section>{inference}</div>"
        f"<div>{MAP_BOX}{PICKED_BOX}</div></div>"
        f"<section><h2>Documents</h2>{sources}</section>"
        + (f"<section><h2>Published references</h2><ul>{refs}</ul></section>" if refs else "")
        + (f"<section><h2>In the stories</h2><ul>{stories}</ul></section>" if stories else "")
    )
    return page(
        site, line_href(line.id), title=f"{line.title} · {SITE_TITLE}", body=body,
        crumbs=[(label, map_href(line.theater)), (line.title, "")],
        config=map_config(site, line.theater, up, state), theater=line.theater,
    )  # fmt: skip


def document_page(site: Site, doc: Document) -> str:
    up = "../"
    rows = [
        ("Citation", esc(full_citation(doc))),
        ("Kind", esc(doc.kind)),
        ("Date", esc(doc_date(doc))),
        ("From", esc(doc.sender)),
        ("To", esc(doc.recipient)),
        ("Archive", esc(doc.archive)),
        ("Collection", esc(doc.collection)),
        ("Published by", esc(doc.publisher)),
        ("Language", esc(doc.language)),
        ("Translator", esc(doc.translator)),
        ("Address", addresses(doc)),
        ("About the id", esc(doc.id_note)),
        ("Cite it", cite_links(doc, up)),
    ]
    by_line: dict[str, list[Evidence]] = {}
    for ev in doc.supports:
        by_line.setdefault(ev.proposal, []).append(ev)
    items = []
    for lid, evs in by_line.items():
        line = site.atlas.lines.get(lid)
        quotes = f'<ul class="site-quotes">{"".join(quote(ev) for ev in evs)}</ul>'
        if line is None:
            items.append(f'<li class="site-line"><span>{esc(lid)}</span>{quotes}</li>')
        else:
            items.append(line_item(site, line, up, quotes))
    supports = (
        f'<ul class="site-lines">{"".join(items)}</ul>'
        if items
        else "<p>This document is cited for context; it gives no evidence phrase.</p>"
    )
    stories = "".join(f"<li>{step_link(s, i, up)}</li>" for s, i in site.cited_by(doc.id))
    body = (
        f"<h1>{esc(doc.title)}</h1>{facts(rows)}"
        f"<section><h2>Our summary</h2><p>{esc(doc.summary)}</p>"
        '<p class="site-note">The full text is not reproduced here: it is not ours to '
        "republish. Read it at the address above.</p></section>"
        f"<section><h2>Lines it supports</h2><p>Each with the phrases quoted from the "
        f"document and where they stand in it.</p>{supports}</section>"
        + (f"<section><h2>Cited in the stories</h2><ul>{stories}</ul></section>" if stories else "")
    )
    return page(
        site, document_href(doc.id), title=f"{doc.title} · {SITE_TITLE}", body=body,
        crumbs=[("Documents", "index.html#documents"), (doc.title, "")],
    )  # fmt: skip


def step_state(site: Site, step: Step, index: int) -> dict[str, Any]:
    """The map of one step: its layers, its selection, its view (or its layers' bounds)."""
    if step.view is not None:
        view: dict[str, Any] | None = {"center": [step.view.lat, step.view.lon],
                                       "zoom": step.view.zoom}  # fmt: skip
    else:
        bounds = bounds_of([site.built[i].geometry for i in step.layers if i in site.built])
        view = {"bounds": bounds} if bounds else None
    return base_state(
        visible=list(step.layers), selected=step.selected, view=view,
        view_id=f"step-{index + 1}", keys=True, legend_open=False,
    )  # fmt: skip


def _step_section(site: Site, story: Story, step: Step, index: int) -> str:
    up = "../"
    lines = [site.atlas.lines[i] for i in step.layers if i in site.atlas.lines]
    shown = "".join(line_item(site, ln, up) for ln in lines)
    quotes = []
    for ev in step.evidence:
        doc = site.atlas.documents.get(ev.document)
        line = site.atlas.lines.get(ev.proposal)
        if doc is None or line is None:
            continue
        found = [e for e in doc.supports if e.proposal == ev.proposal] or [
            Evidence(ev.proposal, p, "") for p in ev.phrases
        ]
        key = site.key(line)
        quotes.append(
            f'<figure class="site-evidence"><ul class="site-quotes">'
            f"{''.join(quote(e) for e in found)}</ul><figcaption>"
            f"{esc(key + ' · ' if key else '')}{esc(line.title)}: "
            f'<a href="{esc(up + document_href(doc.id))}">{esc(full_citation(doc))}</a>'
            "</figcaption></figure>"
        )
    date = f'<p class="site-meta">{esc(day_label(step.date))}</p>' if step.date else ""
    evidence = f"<h3>Evidence</h3>{''.join(quotes)}" if quotes else ""
    return (
        f'<section class="site-step" id="step-{index + 1}" data-aa-step="{index}" '
        f'aria-label="Step {index + 1} of {len(story.steps)}">'
        f'<h2><span class="site-stepno">{index + 1}.</span> {esc(step.title)}</h2>{date}'
        f'<p class="site-caption">{esc(step.caption)}</p>'
        f'<h3>On the map</h3><ul class="site-lines">{shown}</ul>{evidence}</section>'
    )


def story_page(site: Site, story: Story) -> str:
    up = "../"
    steps = [step_state(site, step, i) for i, step in enumerate(story.steps)]
    config = map_config(site, story.theater, up, steps[0])
    config["steps"] = steps
    sections = "".join(_step_section(site, story, s, i) for i, s in enumerate(story.steps))
    n = len(story.steps)
    body = (
        f'<div class="site-deck"><div class="site-deckmap">{MAP_BOX}'
        '</div><div class="site-deckside">'
        f'<h1 class="site-decktitle">{esc(story.title)}</h1>'
        f'<details class="site-summary"><summary>About this story</summary>'
        f"<p>{esc(story.summary)}</p></details>"
        '<div class="site-deckbar"><button type="button" id="aa-prev">← Previous</button>'
        f'<span id="aa-counter" class="site-counter" aria-live="polite">{n} steps</span>'
        '<button type="button" id="aa-next">Next →</button></div>'
        '<p class="site-keys">Keys: ← → or PageUp / PageDown, Home / End; '
        f"also while the map has the focus.</p>{sections}</div></div>"
    )
    return page(
        site, story_href(story.id), title=f"{story.title} · {SITE_TITLE}", body=body,
        crumbs=[("Stories", "index.html#stories"), (story.title, "")],
        config=config, theater=story.theater, body_class="site-deckpage",
    )  # fmt: skip
