"""The app against its peer and a fair anchor, side by side in one run, in chromium.

    .venv/bin/python bench/bench_app.py [--repeat 3] [--theater korea] [--data DIR]

- **app**: ``streamlit run app.py`` (the map is our component: files + one payload file);
- **map only**: ``bench/map_only_app.py``, the app's Map screen without anything around the
  map (no title, navigation, sidebar, panel or table): what the map costs inside Streamlit;
- **peer**: ``bench/peer_app.py``, a plain st_folium page of the same layers (land, lines
  and zones, bands, places) with the clicked line's citation; Leaflet and jQuery served
  locally by Streamlit's static serving;
- **anchor**: ``GeoDataFrame.explore()`` of the same layers (``tiles=None``), its Leaflet and
  jQuery local, served gzipped by a static server: what a plain HTML page of the map costs.

Per theater: first paint (navigation start -> land and every line drawn) cold (a fresh
server process with an empty cache AND a fresh browser profile, every repeat) and warm
(reloads in the same browser); the page's bytes (HTTP on the wire, from the DevTools
protocol, plus websocket frames); a selecting click (click -> the citation shown, and the
websocket bytes it brings, with the map component's share). Every figure: min / median /
max of the repeats. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import (
    BENCH,
    REPO,
    Series,
    Traffic,
    chromium,
    component_bytes,
    kib,
    ratio,
    record,
    static_server,
    streamlit_server,
    wait_idle,
)

#: The line each click targets, in order of preference: the first with a pixel on top of the
#: map in every page (in the app a record drawn under a later one along a stretch may have
#: none; the peer stacks its layers differently). Any other line of the theater after them.
LINES = {
    "korea": ["kr-1951-10-un-median-line", "kr-1953-mdl"],
    "indochina": ["vn-1954-drv-minimum", "vn-1954-french-18th", "vn-1954-drv-maximum"],
}
APP_FRAME = 'iframe[src*="armistice_atlas_map"]'
PEER_FRAME = 'iframe[title="streamlit_folium.st_folium"]'

#: true (the time, performance.now()) once the map has drawn its land and every line
PAINTED = """([frame, land, lines, app]) => {
  let doc = document;
  if (frame) { const f = document.querySelector(frame); doc = f && f.contentDocument; }
  if (!doc) return false;
  let done;
  if (app) {
    done = doc.querySelectorAll("path[data-aa-role='land']").length >= land
        && doc.querySelectorAll("path[data-aa-role='feature']").length >= lines;
  } else {
    done = doc.querySelectorAll("path.leaflet-interactive").length >= land + lines;
  }
  return done ? performance.now() : false;
}"""

#: a pixel of a line that is on top (page coordinates), in our map or in folium's
POINT_ON = """([frame, id, app]) => {
  const f = document.querySelector(frame);
  const doc = f.contentDocument, win = f.contentWindow, box = f.getBoundingClientRect();
  let paths = [];
  if (app) {
    paths = [...doc.querySelectorAll("path[data-aa-role='feature']")]
      .filter(p => p.getAttribute('data-aa-id') === id);
  } else {
    win.map_div.eachLayer(l => {
      if (l.feature && l.feature.properties && l.feature.properties.id === id
          && l._path && l.feature.properties.key !== undefined) paths.push(l._path);
    });
  }
  const mine = (el) => el && (paths.includes(el)
      || (app && el.getAttribute && el.getAttribute('data-aa-id') === id));
  for (const path of paths) {
    const length = path.getTotalLength(), ctm = path.getScreenCTM();
    for (let i = 1; i < 400; i++) {
      const at = path.getPointAtLength(((i * 0.6180339887) % 1) * length).matrixTransform(ctm);
      if (at.x < 5 || at.y < 5 || at.x > win.innerWidth - 5 || at.y > win.innerHeight - 5) continue;
      if (mine(doc.elementFromPoint(at.x, at.y))) return {x: box.left + at.x, y: box.top + at.y};
    }
  }
  return null;
}"""

CITED = """() => { const main = document.querySelector('[data-testid="stMain"]') || document.body;
  return main.innerText.includes('Citation:') ? performance.now() : false; }"""


@dataclass
class Result:
    cold_paint: Series = field(default_factory=Series)
    warm_paint: Series = field(default_factory=Series)
    cold_http: Series = field(default_factory=Series)
    cold_ws: Series = field(default_factory=Series)
    cold_total: Series = field(default_factory=Series)
    cold_map: Series = field(default_factory=Series)
    warm_http: Series = field(default_factory=Series)
    click_ms: Series = field(default_factory=Series)
    click_ws: Series = field(default_factory=Series)
    click_map: Series = field(default_factory=Series)
    warm_iframe: Series = field(default_factory=Series)
    warm_inframe: Series = field(default_factory=Series)
    headers: dict[str, tuple[str, str]] = field(default_factory=dict)
    breakdown: dict[str, int] = field(default_factory=dict)
    streamlit_chunks: dict[str, int] = field(default_factory=dict)


def _category(url: str) -> str:
    if "/component/" in url:
        return "component files" + (" (payload)" if "/data/" in url else "")
    if "/app/static/" in url:
        return "app static"
    if "/static/" in url:
        return "Streamlit frontend"
    return "page + other"


def _paint(page: Any, url: str, frame: str | None, land: int, lines: int, app: bool) -> float:
    page.goto(url, wait_until="commit")
    handle = page.wait_for_function(
        PAINTED, arg=[frame, land, lines, app], polling="raf", timeout=180_000
    )
    return float(handle.json_value())


def _settle(page: Any, streamlit: bool) -> None:
    if streamlit:
        wait_idle(page)
    page.wait_for_timeout(1500)
    if streamlit:
        wait_idle(page)


@dataclass
class Target:
    """A Streamlit page to measure: the app or the peer."""

    name: str
    script: Path
    frame: str
    app: bool
    component: str
    extra: tuple[str, ...] = ()
    click: bool = True  # has a panel that shows the clicked line's citation
    res: Result = field(default_factory=Result)


IFRAME_AT = """(sel) => { const f = document.querySelector(sel);
  return f.contentWindow.performance.timeOrigin - performance.timeOrigin; }"""


def _cold(pw: Any, t: Target, theater: str, counts: tuple[int, int], data: Path) -> None:
    """A fresh server (empty cache) and a fresh browser profile."""
    with (
        streamlit_server(t.script, data_dir=data, extra_args=t.extra) as srv,
        chromium(pw) as ctx,
    ):
        page = ctx.new_page()
        traffic = record(page)
        t.res.cold_paint.add(_paint(page, f"{srv.url}/?theater={theater}", t.frame, *counts, t.app))
        _settle(page, True)
        t.res.cold_http.add(traffic.http_bytes)
        t.res.cold_ws.add(traffic.ws_bytes)
        t.res.cold_total.add(traffic.http_bytes + traffic.ws_bytes)
        share, _ = component_bytes(traffic.ws_in, component=t.component)
        files = sum(n for u, n in traffic.http.items() if "/component/" in u or "/app/static/" in u)
        t.res.cold_map.add(files + share)
        t.res.breakdown = _breakdown(traffic)
        t.res.streamlit_chunks = {
            u.rsplit("/", 1)[-1]: n for u, n in traffic.http.items() if "/static/" in u
        }
        t.res.headers = {
            u.split("?")[0].rsplit("/", 2)[-1][-40:]: (traffic.encoding[u], traffic.cache[u])
            for u in traffic.encoding
            if "/component/" in u or "/app/static/" in u
        }


def measure_streamlit(
    pw: Any,
    targets: list[Target],
    theater: str,
    counts: tuple[int, int],
    repeat: int,
    data: Path,
) -> None:
    """Cold loads, warm loads and clicks, the targets taking turns (a noisy machine slows
    both alike)."""
    for _ in range(repeat):
        for t in targets:
            _cold(pw, t, theater, counts, data)
    with contextlib.ExitStack() as stack:
        pages = {}
        for t in targets:
            srv = stack.enter_context(streamlit_server(t.script, data_dir=data, extra_args=t.extra))
            ctx = stack.enter_context(chromium(pw))
            page = ctx.new_page()
            traffic = record(page)
            url = f"{srv.url}/?theater={theater}"
            _paint(page, url, t.frame, *counts, t.app)  # the server's first run
            _settle(page, True)
            pages[t.name] = (page, traffic, url)
        for _ in range(repeat):  # warm: the same browser, the page loaded again
            for t in targets:
                page, traffic, url = pages[t.name]
                traffic.reset()
                painted = _paint(page, url, t.frame, *counts, t.app)
                t.res.warm_paint.add(painted)
                framed = float(page.evaluate(IFRAME_AT, t.frame))
                t.res.warm_iframe.add(framed)
                t.res.warm_inframe.add(painted - framed)
                _settle(page, True)
                t.res.warm_http.add(traffic.http_bytes)
        clickers = [t for t in targets if t.click]
        line = _common_line(pages, clickers, theater, data)
        print(f"   {theater}: clicks on {line}", file=sys.stderr)
        for _ in range(repeat):  # a selecting click
            for t in clickers:
                page, traffic, url = pages[t.name]
                _click(page, traffic, url, t, line, counts)


def _common_line(pages: dict[str, Any], targets: list[Target], theater: str, data: Path) -> str:
    """The first line of LINES[theater] (then of the theater) with a document's evidence (so
    a click shows a citation) and clickable in every page."""
    from geo.records import load_atlas

    atlas = load_atlas(data)
    candidates = [*LINES[theater], *(ln.id for ln in atlas.lines_in(theater))]
    for line in dict.fromkeys(candidates):
        if atlas.lines[line].kind != "line" or not atlas.evidence_for(line):
            continue  # both pages show the citation of a document's evidence; lines only
        if all(pages[t.name][0].evaluate(POINT_ON, [t.frame, line, t.app]) for t in targets):
            return line
    raise RuntimeError(f"no line of {theater} has a pixel on top in every page")


def _click(
    page: Any, traffic: Traffic, url: str, t: Target, line: str, counts: tuple[int, int]
) -> None:
    _paint(page, url, t.frame, *counts, t.app)
    _settle(page, True)
    point = page.evaluate(POINT_ON, [t.frame, line, t.app])
    if not point:
        print(f"   ! {t.name}: no pixel of {line} on top", file=sys.stderr)
        return
    traffic.reset()
    t0 = page.evaluate("() => performance.now()")
    page.mouse.click(point["x"], point["y"])
    try:
        t1 = page.wait_for_function(CITED, polling="raf", timeout=30_000).json_value()
    except Exception:  # a bench reports, it does not stop
        print(f"   ! {t.name}: no citation 30 s after a click on {line}", file=sys.stderr)
        return
    t.res.click_ms.add(float(t1) - float(t0))
    _settle(page, True)
    share, total = component_bytes(traffic.ws_in, component=t.component)
    t.res.click_ws.add(total)
    t.res.click_map.add(share)


def _breakdown(traffic: Traffic) -> dict[str, int]:
    out: dict[str, int] = {}
    for url, n in traffic.http.items():
        key = _category(url)
        out[key] = out.get(key, 0) + n
    out["websocket frames"] = traffic.ws_bytes
    return out


# ---------------------------------------------------------------------------------------
# the peer's folder and the explore() anchor


def _vendor(folder: Path) -> None:
    """Leaflet (+ images) and jQuery, from the same xstatic packages the app uses."""
    from importlib import resources as ir

    leaflet = Path(str(ir.files("xstatic.pkg.leaflet") / "data"))
    jquery = Path(str(ir.files("xstatic.pkg.jquery") / "data"))
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy(leaflet / name, folder / name)
    shutil.copytree(leaflet / "images", folder / "images", dirs_exist_ok=True)
    shutil.copy(jquery / "jquery.min.js", folder / "jquery.js")


def peer_folder(root: Path) -> Path:
    folder = root / "peer"
    folder.mkdir()
    shutil.copy(BENCH / "peer_app.py", folder / "peer_app.py")
    _vendor(folder / "static")
    return folder / "peer_app.py"


def _style(feature: dict[str, Any]) -> dict[str, Any]:
    p = feature["properties"]
    return {
        "color": p.get("color") or "#8c8c8c",
        "weight": p.get("weight") or 0.8,
        "dashArray": p.get("dash"),
        "fillOpacity": p.get("fill_opacity") if p.get("fill_opacity") is not None else 0.12,
    }


def explore_page(payload: dict[str, Any], folder: Path, name: str) -> Path:
    """The same four layers with ``GeoDataFrame.explore(tiles=None)``, assets local."""
    import geopandas as gpd

    m = None
    for layer in ("land", "bands", "features", "places"):
        feats = [f for f in payload[layer]["features"] if f.get("geometry")]
        for f in feats:  # explore() wants flat columns
            f["properties"] = {
                k: v for k, v in f["properties"].items() if not isinstance(v, list | dict)
            }
        if not feats:
            continue
        gdf = gpd.GeoDataFrame.from_features(feats, crs=4326)
        kwargs: dict[str, Any] = {"tiles": None} if m is None else {"m": m}
        m = gdf.explore(
            **kwargs,
            style_kwds={"style_function": _style},
            tooltip=["id"] if layer == "features" else False,
            popup=False,
            marker_type="circle_marker" if layer == "places" else None,
            highlight=False,
        )
    assert m is not None
    m.fit_bounds(payload["home"])
    html = m.get_root().render()
    html = re.sub(r'src="https?://[^"]*/leaflet(?:\.min)?\.js"', 'src="leaflet.js"', html)
    html = re.sub(r'src="https?://[^"]*jquery[^"]*\.js"', 'src="jquery.js"', html)
    html = re.sub(r'href="https?://[^"]*/leaflet(?:\.min)?\.css"', 'href="leaflet.css"', html)
    html = re.sub(r'<script src="https?://[^"]*"></script>', "", html)
    html = re.sub(r'<link rel="stylesheet" href="https?://[^"]*"\s*/>', "", html)
    _vendor(folder)
    target = folder / f"{name}.html"
    target.write_text(html, encoding="utf-8")
    return target


def measure_anchor(pw: Any, page_file: Path, counts: tuple[int, int], repeat: int) -> Result:
    res = Result()
    with static_server(page_file.parent) as base:
        url = f"{base}/{page_file.name}"
        for _ in range(repeat):
            with chromium(pw) as ctx:
                page = ctx.new_page()
                traffic = record(page)
                res.cold_paint.add(_paint(page, url, None, *counts, False))
                _settle(page, False)
                res.cold_http.add(traffic.http_bytes)
                res.cold_total.add(traffic.http_bytes)
                res.cold_map.add(traffic.http_bytes)
        with chromium(pw) as ctx:
            page = ctx.new_page()
            traffic = record(page)
            _paint(page, url, None, *counts, False)
            for _ in range(repeat):
                traffic.reset()
                res.warm_paint.add(_paint(page, url, None, *counts, False))
                _settle(page, False)
                res.warm_http.add(traffic.http_bytes)
    return res


# ---------------------------------------------------------------------------------------


def snapshot(data: Path, root: Path) -> Path:
    """A copy of the records (colleagues may be editing data/ while the bench runs)."""
    target = root / "data"
    shutil.copytree(data, target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--theater", action="append", choices=sorted(LINES))
    parser.add_argument("--data", type=Path, default=REPO / "data")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from geo.geometry import build
    from geo.outputs import webmap
    from geo.records import load_atlas

    theaters = args.theater or list(LINES)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="aa-bench-app-") as tmp:
        root = Path(tmp)
        data = snapshot(args.data, root)
        atlas = load_atlas(data)
        peer = peer_folder(root)
        print(f"Armistice Atlas: app vs peer vs explore() anchor (repeat {args.repeat})")
        print("figures: min / median / max")
        with sync_playwright() as pw:
            for theater in theaters:
                payload = webmap.theater_payload(build(atlas, (theater,)), theater)
                counts = (
                    len(payload["land"]["features"]),
                    sum(1 for f in payload["features"]["features"] if f.get("geometry")),
                )
                page_file = explore_page(json.loads(json.dumps(payload)), root / "x", theater)
                t = time.perf_counter()
                targets = [
                    Target("app", REPO / "app.py", APP_FRAME, True, "armistice_atlas_map"),
                    Target(
                        "map only",
                        BENCH / "map_only_app.py",
                        APP_FRAME,
                        True,
                        "armistice_atlas_map",
                        click=False,
                    ),
                    Target(
                        "peer",
                        peer,
                        PEER_FRAME,
                        False,
                        "st_folium",
                        ("--server.enableStaticServing", "true"),
                    ),
                ]
                measure_streamlit(pw, targets, theater, counts, args.repeat, data)
                results = {t.name: t.res for t in targets}
                results["anchor"] = measure_anchor(pw, page_file, counts, args.repeat)
                report(theater, results)
                print(f"   ({time.perf_counter() - t:.0f} s)")
                out[theater] = {k: _as_dict(v) for k, v in results.items()}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


def _as_dict(r: Result) -> dict[str, Any]:
    return {
        k: (v.values if isinstance(v, Series) else v)
        for k, v in r.__dict__.items()
        if not k.startswith("_")
    }


def report(theater: str, r: dict[str, Result]) -> None:
    app, alone, peer, anchor = r["app"], r["map only"], r["peer"], r["anchor"]
    print(f"\n== {theater}")
    rows = [
        ("first paint, cold", "cold_paint", "ms", 1, 0),
        ("first paint, warm", "warm_paint", "ms", 1, 0),
        ("  warm: the map's iframe made at", "warm_iframe", "ms", 1, 0),
        ("  warm: iframe made -> painted", "warm_inframe", "ms", 1, 0),
        ("page bytes, cold: HTTP", "cold_http", "KiB", 1024, 1),
        ("page bytes, cold: websocket", "cold_ws", "KiB", 1024, 1),
        ("page bytes, cold: total", "cold_total", "KiB", 1024, 1),
        ("  of which the map's", "cold_map", "KiB", 1024, 1),
        ("page bytes, warm: HTTP", "warm_http", "KiB", 1024, 1),
        ("click -> citation", "click_ms", "ms", 1, 0),
        ("click: websocket bytes", "click_ws", "KiB", 1024, 1),
        ("click: the map's share", "click_map", "KiB", 1024, 2),
    ]
    print(
        f"   {'figure':<30}{'app':>28}{'map only':>28}{'peer':>28}{'anchor':>28}"
        f"{'app/peer':>10}{'map only/peer':>15}"
    )
    for label, attr, unit, scale, digits in rows:
        a, m, p, x = (getattr(o, attr) for o in (app, alone, peer, anchor))
        print(
            f"   {label:<30}{a.fmt(unit, scale, digits):>28}{m.fmt(unit, scale, digits):>28}"
            f"{p.fmt(unit, scale, digits):>28}{x.fmt(unit, scale, digits):>28}"
            f"{ratio(a.med, p.med):>10}{ratio(m.med, p.med):>15}"
        )
    for who, res in (("app", app), ("peer", peer)):
        print(
            f"   cold bytes by kind (last repeat), {who}:",
            {k: kib(v) for k, v in res.breakdown.items()},
        )
    extra = sorted(set(app.streamlit_chunks) - set(peer.streamlit_chunks))
    more = sum(app.streamlit_chunks[c] for c in extra)
    fewer = sum(n for c, n in peer.streamlit_chunks.items() if c not in app.streamlit_chunks)
    print(
        f"   Streamlit frontend chunks only the app loads: {len(extra)}, {kib(more)}"
        f" (only the peer: {kib(fewer)}): {', '.join(c.split('.')[0] for c in extra)}"
    )
    print("   served (content-encoding, cache-control):")
    for who, res in (("app", app), ("peer", peer)):
        for url, (enc, cache) in sorted(res.headers.items()):
            print(f"     {who:<5}{url:<62} {enc or '-':<6} {cache or '-'}")


if __name__ == "__main__":
    main()
