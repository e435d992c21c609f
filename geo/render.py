"""Folium maps of a theater: the only module that imports folium.

Maps are offline by construction: no tile layer unless asked for, and Leaflet/jQuery are
either inlined into the page (``assets="inline"``, for standalone HTML files) or loaded from
a local URL prefix (e.g. Streamlit's ``/app/static/vendor``). Every text that reaches HTML
is escaped here.
"""

from __future__ import annotations

import base64
import html
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import folium
import shapely
from branca.element import Figure, MacroElement
from jinja2 import Template
from shapely.geometry import mapping

from geo import compat
from geo.geometry import build_all, load_basemap
from geo.measure import buffer_km
from geo.records import PARTIES, THEATER_LABELS, Atlas, Line

# Record text must never be compiled as a template on its way into the page (geo/compat.py).
compat.install()

#: Okabe-Ito palette (colour-blind safe); each party also has its own dash pattern.
PARTY_COLORS = {
    "communist": "#D55E00",
    "drv": "#D55E00",
    "prc": "#E69F00",
    "un": "#0072B2",
    "france": "#0072B2",
    "both": "#000000",
    "none": "#7F7F7F",
}
STATUS_DASH = {"proposed": "10 6", "fallback": "3 6", "agreed": None, "reference": "1 5"}
STATUS_LABEL = {
    "proposed": "proposed (dashed)",
    "fallback": "fallback (dotted)",
    "agreed": "agreed (solid)",
    "reference": "reference parallel (fine grey dots)",
}
THEATER_VIEW: dict[str, tuple[tuple[float, float], int]] = {
    "korea": ((38.2, 127.4), 7),
    "indochina": ((16.5, 105.0), 6),
}
COUNTRY_STYLE = {"color": "#8c8c8c", "weight": 0.8, "fillColor": "#f4f1ea", "fillOpacity": 1.0}
SEA_COLOR = "#dde8f0"
VENDOR_FILES = {
    "leaflet.js": ("xstatic.pkg.leaflet", "data/leaflet.js"),
    "leaflet.css": ("xstatic.pkg.leaflet", "data/leaflet.css"),
    "jquery.min.js": ("xstatic.pkg.jquery", "data/jquery.min.js"),
    "images/layers.png": ("xstatic.pkg.leaflet", "data/images/layers.png"),
    "images/layers-2x.png": ("xstatic.pkg.leaflet", "data/images/layers-2x.png"),
    "images/marker-icon.png": ("xstatic.pkg.leaflet", "data/images/marker-icon.png"),
    "images/marker-icon-2x.png": ("xstatic.pkg.leaflet", "data/images/marker-icon-2x.png"),
    "images/marker-shadow.png": ("xstatic.pkg.leaflet", "data/images/marker-shadow.png"),
}


def view_bbox(
    lat: float, lon: float, zoom: int, *, width_px: int = 900, height_px: int = 600
) -> tuple[float, float, float, float]:
    """The area a web map of *width_px* x *height_px* shows at this centre and zoom.

    Stories give each step a Leaflet view (centre and zoom); passing this as ``bbox`` to
    :func:`map_png` makes the static map show about what the app shows. At zoom *z* the
    world is ``256 * 2**z`` pixels wide, and Web Mercator stretches latitudes by
    ``1 / cos(lat)`` (ignored over the few degrees a step shows).
    """
    span_lon = width_px / (256 * 2**zoom) * 360.0
    span_lat = span_lon * height_px / width_px * math.cos(math.radians(lat))
    return (lon - span_lon / 2, lat - span_lat / 2, lon + span_lon / 2, lat + span_lat / 2)


def vendor_bytes(name: str) -> bytes:
    """The bytes of a vendored asset, read from the installed xstatic package."""
    package, path = VENDOR_FILES[name]
    return resources.files(package).joinpath(path).read_bytes()


def copy_vendor(dest: Path) -> list[Path]:
    """Copy Leaflet/jQuery into *dest* (e.g. ``static/vendor``) for local serving."""
    out = []
    for name in VENDOR_FILES:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = vendor_bytes(name)
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
        out.append(target)
    return out


@lru_cache(maxsize=2)
def _inline_assets() -> tuple[str, str]:
    css = vendor_bytes("leaflet.css").decode("utf-8")
    for img in ("layers.png", "layers-2x.png", "marker-icon.png"):
        data = base64.b64encode(vendor_bytes(f"images/{img}")).decode("ascii")
        css = css.replace(f"images/{img}", f"data:image/png;base64,{data}")
    js = vendor_bytes("leaflet.js").decode("utf-8") + "\n" + vendor_bytes("jquery.min.js").decode()
    return js, css


def style_for(line: Line, *, highlight: bool = False) -> dict[str, Any]:
    color = PARTY_COLORS.get(line.party, "#333333")
    weight = {"reference": 1.2, "agreed": 3.5}.get(line.status, 3.0)
    style: dict[str, Any] = {
        "color": color,
        "weight": weight + (2.5 if highlight else 0.0),
        "opacity": 0.95,
        "dashArray": STATUS_DASH.get(line.status),
        "fillColor": color,
        "fillOpacity": 0.18 if line.kind == "zone" else 0.0,
    }
    return style


def _esc(text: object) -> str:
    """Escape for HTML *and* for the JS template literals folium wraps tooltips in."""
    out = html.escape(str(text), quote=True)
    return out.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def popup_html(atlas: Atlas, line: Line) -> str:
    built = build_all(atlas)[line.id]
    measure = f"{built.length_km:,.0f} km long" if built.is_line else f"{built.area_km2:,.0f} km²"
    cites = "".join(
        f"<li>{_esc(cable.title)} ({_esc(cable.date)}): “{_esc(ev.phrase)}”</li>"
        for cable, ev in atlas.evidence_for(line.id)
    )
    inferred = "<p><b>Partly inferred.</b></p>" if line.inferred else ""
    return (
        f"<div class='aa-popup'><h4>{_esc(line.title)}</h4>"
        f"<p>{_esc(line.party_label)} · {_esc(line.date_iso or 'no date')} · "
        f"{_esc(line.status)} · {_esc(measure)} · ±{line.precision_km:g} km</p>"
        f"{inferred}<ul>{cites}</ul></div>"
    )


@dataclass(frozen=True)
class MapOptions:
    theater: str
    layers: tuple[str, ...] | None = None  # ids to show; None = all of the theater
    selected: str | None = None
    halo: bool = True
    places: bool = True
    online_tiles: bool = False
    assets: str = "inline"  # "inline" or a URL prefix such as "/app/static/vendor"
    highlight_geometry: Any = None  # e.g. the area between two compared lines
    width: str = "100%"
    height: str = "100%"
    center: tuple[float, float] | None = None
    zoom: int | None = None
    popups: bool = True  # folium popups; the app shows a side panel instead
    legend: bool = True
    legend_open: bool = True
    fit: str | None = None  # "lines" (all shown records) or "selected"
    marker: tuple[float, float, str] | None = None  # (lat, lon, label) of a place to point at


#: Display-only generalisation of the land (the measures use the full basemap): the
#: countries the lines divide keep ~400 m detail, their neighbours (context only) ~1.5 km.
LAND_DISPLAY_DEG = 0.005
CONTEXT_DISPLAY_DEG = 0.03
SHAPE_DISPLAY_DEG = 0.0025  # zones drawn over the land, ~250 m
PRIMARY_COUNTRIES = frozenset({"KOR", "PRK", "VNM", "LAO", "KHM"})
LAND_MIN_AREA_DEG2 = 0.0002  # islets under ~2 km² are left out of the display
DISPLAY_DECIMALS = 4  # ~10 m


@lru_cache(maxsize=8)
def land_feature_collection(data_dir: Path, theater: str) -> dict[str, Any]:
    """The theater's land as a small GeoJSON for display (cached per process)."""
    base = load_basemap(data_dir)
    features = []
    for (t, iso), geom in sorted(base.country_theater.items()):
        if t != theater:
            continue
        parts = [p for p in shapely.get_parts(geom) if p.area >= LAND_MIN_AREA_DEG2]
        tolerance = LAND_DISPLAY_DEG if iso in PRIMARY_COUNTRIES else CONTEXT_DISPLAY_DEG
        simple = shapely.simplify(shapely.union_all(parts), tolerance, preserve_topology=True)
        simple = shapely.set_precision(simple, 10**-DISPLAY_DECIMALS)
        features.append(
            {"type": "Feature", "properties": {"iso": iso}, "geometry": _mapping(simple)}
        )
    return {"type": "FeatureCollection", "features": features}


def _display(geom: Any) -> Any:
    """Zones are generalised to ~100 m for display; lines are drawn as built."""
    if geom.geom_type.endswith("Polygon"):
        return shapely.simplify(geom, SHAPE_DISPLAY_DEG, preserve_topology=True)
    return geom


def _mapping(geom: Any, decimals: int | None = None) -> dict[str, Any]:
    if decimals is not None:
        geom = shapely.set_precision(geom, 10**-decimals)
    out: dict[str, Any] = json.loads(json.dumps(mapping(geom)))
    return out


def build_map(atlas: Atlas, options: MapOptions) -> folium.Map:
    """A folium map of one theater with the requested layers, legend and place markers."""
    center, zoom = THEATER_VIEW[options.theater]
    m = folium.Map(
        location=options.center or center,
        zoom_start=options.zoom or zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        width=options.width,
        height=options.height,
    )
    _offline(m, options.assets)
    _root(m).header.add_child(
        compat.Literal(f"<style>.leaflet-container{{background:{SEA_COLOR};}}</style>")
    )
    if options.online_tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", show=True).add_to(m)

    land = folium.GeoJson(
        land_feature_collection(atlas.data_dir, options.theater),
        name="Land (Natural Earth)",
        style_function=lambda _f: COUNTRY_STYLE,
        interactive=False,
        control=False,
    )
    land.add_to(m)

    built = build_all(atlas)
    lines = [ln for ln in atlas.lines_in(options.theater)]
    if options.layers is not None:
        wanted = set(options.layers)
        lines = [ln for ln in lines if ln.id in wanted]
    groups: dict[str, folium.FeatureGroup] = {}
    halos = folium.FeatureGroup(name="Uncertainty (± precision)", show=options.halo)
    zone_layers: list[folium.GeoJson] = []
    reference_layers: list[folium.GeoJson] = []
    for line in sorted(lines, key=lambda ln: (ln.status == "reference", ln.date_iso, ln.id)):
        key = _group_name(line)
        if key not in groups:
            groups[key] = folium.FeatureGroup(name=key)
        geom = built[line.id].geometry
        props = {"id": line.id, "title": line.title, "status": line.status}
        feature = {
            "type": "Feature",
            "id": line.id,
            "properties": props,
            "geometry": _mapping(_display(geom), 5),
        }
        style = style_for(line, highlight=line.id == options.selected)
        popup = folium.Popup(popup_html(atlas, line), max_width=380) if options.popups else None
        layer = folium.GeoJson(
            feature,
            name=line.id,
            style_function=lambda _f, s=style: s,
            highlight_function=lambda _f: {"weight": 7},
            tooltip=folium.Tooltip(_esc(line.title)),
            popup=popup,  # type: ignore[arg-type]
        )
        layer.add_to(groups[key])
        if line.kind == "zone":
            zone_layers.append(layer)
        elif line.status == "reference":
            reference_layers.append(layer)
        if line.status != "reference" and line.precision_km >= 0.5 and built[line.id].is_line:
            band = shapely.simplify(buffer_km(geom, line.precision_km), 0.005)
            folium.GeoJson(
                _mapping(band, DISPLAY_DECIMALS),
                style_function=lambda _f, c=style["color"]: {
                    "color": c,
                    "weight": 0,
                    "fillColor": c,
                    "fillOpacity": 0.12,
                },
                interactive=False,
            ).add_to(halos)
    for key in sorted(groups, key=_group_order):
        groups[key].add_to(m)
    halos.add_to(m)
    if options.selected and options.selected in {ln.id for ln in lines}:
        selection_layer(atlas, options.selected).add_to(m)
    if options.highlight_geometry is not None and not options.highlight_geometry.is_empty:
        folium.GeoJson(
            mapping(options.highlight_geometry),
            name="Area between the compared lines",
            style_function=lambda _f: {
                "color": "#009E73",
                "weight": 1,
                "fillColor": "#009E73",
                "fillOpacity": 0.35,
            },
            interactive=False,
        ).add_to(m)
    if options.places:
        _add_places(atlas, options.theater, m)
    if options.marker is not None:
        marker_layer(*options.marker).add_to(m)
    # Back to front: land, uncertainty bands, reference parallels, zones, then lines on top,
    # so a thin line is never hidden under (and unclickable beneath) a zone's fill.
    Stacking([*zone_layers, *reference_layers, halos, land]).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if options.legend:
        Legend(atlas, options.theater, lines, open_=options.legend_open).add_to(m)
    bounds = _fit_bounds(atlas, lines, options)
    if bounds is not None:
        m.fit_bounds(bounds, padding=(20, 20))
    return m


def _fit_bounds(atlas: Atlas, lines: list[Line], options: MapOptions) -> list[list[float]] | None:
    built = build_all(atlas)
    if options.fit == "selected" and options.selected in built:
        geoms = [built[options.selected].geometry]
    elif options.fit == "lines" and lines:
        geoms = [built[ln.id].geometry for ln in lines]
    else:
        return None
    minx, miny, maxx, maxy = shapely.union_all(geoms).bounds
    return [[miny, minx], [maxy, maxx]]


def selection_layer(atlas: Atlas, line_id: str) -> folium.FeatureGroup:
    """A white casing and a bold copy of one record, drawn on top to show the selection.

    Kept separate from the base map so the app can swap it (``st_folium``'s
    ``feature_group_to_add``) without reloading the map and losing the user's zoom.
    """
    line = atlas.lines[line_id]
    geom = build_all(atlas)[line_id].geometry
    style = style_for(line)
    group = folium.FeatureGroup(name="Selected", control=False)
    casing = {"color": "#ffffff", "weight": style["weight"] + 9, "opacity": 0.9, "fill": False}
    top = dict(style, weight=style["weight"] + 3, fillOpacity=min(style["fillOpacity"] + 0.12, 0.5))
    for s in (casing, top):
        folium.GeoJson(
            _mapping(geom, 5),
            style_function=lambda _f, s=s: s,
            interactive=False,
        ).add_to(group)
    return group


def marker_layer(lat: float, lon: float, label: str) -> folium.FeatureGroup:
    """Two rings and a permanent label pointing at a place the map was sent to."""
    group = folium.FeatureGroup(name="Place", control=False)
    for radius, weight in ((14, 4), (6, 2)):
        folium.CircleMarker(
            location=(lat, lon),
            radius=radius,
            color="#CC79A7",
            weight=weight,
            fill=False,
            tooltip=folium.Tooltip(_esc(label), permanent=radius == 14),
        ).add_to(group)
    return group


class Stacking(MacroElement):  # type: ignore[misc]
    """Send layers to the back in the given order (the last ends up at the very back)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% for name in this.names %}{{ name }}.bringToBack();
        {% endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, layers: list[Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Stacking"
        self.names = [layer.get_name() for layer in layers]


def _group_name(line: Line) -> str:
    if line.status == "reference":
        return "Reference parallels"
    if line.record == "outcome":
        return "Signed: " + THEATER_LABELS[line.theater].split()[0] + " outcome"
    return f"Proposed by {PARTIES.get(line.party, line.party)}"


def _group_order(name: str) -> tuple[int, str]:
    return (0 if name.startswith("Signed") else 2 if name.startswith("Reference") else 1, name)


def _add_places(atlas: Atlas, theater: str, m: folium.Map) -> None:
    """Places as one GeoJSON layer of circle markers (far smaller than one marker each)."""
    features = []
    for place in atlas.places_in(theater):
        if not place.cables and place.kind == "waypoint":
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {
                    # Escaped here: the tooltip puts the value into the page as HTML.
                    "label": _esc(f"{place.label} · {place.confidence} confidence"),
                    "certain": place.confidence == "high",
                },
                "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
            }
        )
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Places named in the cables",
        marker=folium.CircleMarker(radius=4, weight=1, fill=True, fill_opacity=1.0),
        style_function=lambda f: {
            "color": "#222222",
            "fillColor": "#222222" if f["properties"]["certain"] else "#ffffff",
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(m)


def _root(m: folium.Map) -> Figure:
    root = m.get_root()
    assert isinstance(root, Figure)
    return root


def _offline(m: folium.Map, assets: str) -> None:
    """Replace folium's CDN links with inline code or local URLs (per instance, not shared)."""
    if assets == "inline":
        js, css = _inline_assets()
        m.default_js = []
        m.default_css = []
        header = _root(m).header
        header.add_child(compat.Literal(f"<style>{css}</style>"), name="leaflet_css_inline")
        header.add_child(compat.Literal(f"<script>{js}</script>"), name="leaflet_js_inline")
    else:
        prefix = assets.rstrip("/")
        m.default_js = [
            ("leaflet", f"{prefix}/leaflet.js"),
            ("jquery", f"{prefix}/jquery.min.js"),
        ]
        m.default_css = [("leaflet_css", f"{prefix}/leaflet.css")]


class Legend(MacroElement):  # type: ignore[misc]
    """A static legend in the map's corner: colours by party, dashes by status."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .aa-legend{position:absolute;z-index:1000;bottom:24px;left:10px;background:#fff;
          padding:8px 10px;border:1px solid #555;border-radius:4px;font:13px/1.35 sans-serif;
          color:#111;max-width:300px}
        .aa-legend .aa-legend-title{margin:0 0 4px;font-size:14px;font-weight:bold}
        .aa-legend summary{cursor:pointer;font-weight:bold}
        .aa-legend svg{vertical-align:middle;margin-right:6px}
        </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <div class="aa-legend" role="region" aria-label="Legend">
        <details {{ "open" if this.open_ else "" }}>
        <summary>Legend</summary>{{ this.body }}</details></div>
        {% endmacro %}
        """
    )

    def __init__(
        self, atlas: Atlas, theater: str, lines: list[Line], *, open_: bool = True
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        self.open_ = open_
        parties = sorted({ln.party for ln in lines if ln.party != "none"})
        statuses = [s for s in STATUS_DASH if any(ln.status == s for ln in lines)]
        rows = [f"<p class='aa-legend-title'>{_esc(THEATER_LABELS[theater])}</p>"]
        for party in parties:
            rows.append(_legend_row(PARTY_COLORS[party], None, PARTIES[party]))
        for status in statuses:
            rows.append(_legend_row("#333333", STATUS_DASH[status], STATUS_LABEL[status]))
        rows.append(
            "<div><svg width='34' height='10'><rect width='34' height='10' "
            "fill='#777' fill-opacity='0.25'/></svg>band = ± precision</div>"
        )
        rows.append(
            "<div><svg width='34' height='10'><circle cx='5' cy='5' r='4' fill='#fff' "
            "stroke='#222'/></svg>place (hollow = identification not certain)</div>"
        )
        self.body = "".join(rows)


def _legend_row(color: str, dash: str | None, label: str) -> str:
    dash_attr = f" stroke-dasharray='{dash}'" if dash else ""
    return (
        f"<div><svg width='34' height='10'><line x1='0' y1='5' x2='34' y2='5' "
        f"stroke='{color}' stroke-width='3'{dash_attr}/></svg>{_esc(label)}</div>"
    )


def render_html(atlas: Atlas, options: MapOptions) -> str:
    """A complete standalone HTML page (assets inlined unless a prefix is given)."""
    html_text: str = build_map(atlas, options).get_root().render()
    return html_text


def feature_ids_json(atlas: Atlas, theater: str) -> str:
    return json.dumps(sorted(ln.id for ln in atlas.lines_in(theater)))
