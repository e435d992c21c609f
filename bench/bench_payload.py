"""The map payload against its TopoJSON floor, and how the app serves it.

    .venv/bin/python bench/bench_payload.py [--repeat 5] [--data DIR]

Per theater: the payload the app sends (``theater_payload(..., topology=True)``, compact
JSON) and the old GeoJSON form, gzipped as Streamlit serves them (level 5) and at level 9,
against the **floor**: the same payload (same geometry -- the features the app's payload
decodes to -- same properties, same other keys) encoded by PyPI ``topojson`` with 1e5
quantisation, compact, gzip level 9. Also the time to make the payload (min / median / max).
Finally one HTTP request per component file to a running app: Content-Encoding and
Cache-Control as Streamlit sends them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
import urllib.request
from pathlib import Path
from typing import Any

from common import REPO, Series, kib, ratio, streamlit_server

THEATERS = ("korea", "indochina")


def floor_bytes(payload: dict[str, Any]) -> bytes:
    """The payload as PyPI topojson writes it: 1e5 quantisation, shared arcs, compact."""
    import geopandas as gpd
    import topojson

    from geo.outputs.webmap import COLLECTIONS, collections

    layers = collections(payload)
    # places first: topojson 2.x resolves point objects only in the first object
    names = [n for n in ("places", *[c for c in COLLECTIONS if c != "places"]) if n in layers]
    frames, kept = [], []
    for name in names:
        feats = [f for f in layers[name]["features"] if f.get("geometry")]
        if feats:
            frames.append(gpd.GeoDataFrame.from_features(feats))
            kept.append(name)
    topo = topojson.Topology(frames, object_name=kept, prequantize=1e5, topology=True)
    rest = {k: v for k, v in payload.items() if k not in (*COLLECTIONS, "topology")}
    rest["topology"] = topo.to_dict()
    return json.dumps(rest, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def measure(data: Path, repeat: int) -> dict[str, Any]:
    from geo.geometry import build
    from geo.outputs import webmap
    from geo.records import load_atlas

    atlas = load_atlas(data)
    out: dict[str, Any] = {}
    for theater in THEATERS:
        built = build(atlas, (theater,))
        make = Series()
        for _ in range(repeat):
            webmap._LAND.clear()  # land is cached per basemap: time the whole payload
            t = time.perf_counter()
            topo = webmap.theater_payload(built, theater, topology=True)
            make.add((time.perf_counter() - t) * 1000)
        text = webmap.to_json(topo).encode()
        geojson = webmap.to_json(webmap.theater_payload(built, theater)).encode()
        floor = floor_bytes(topo)
        out[theater] = {
            "make_ms": make,
            "app_raw": len(text),
            "app_gz5": len(gzip.compress(text, 5)),
            "app_gz9": len(gzip.compress(text, 9)),
            "geojson_raw": len(geojson),
            "geojson_gz9": len(gzip.compress(geojson, 9)),
            "floor_raw": len(floor),
            "floor_gz9": len(gzip.compress(floor, 9)),
            "arcs": len(topo["topology"]["arcs"]),
        }
    return out


def served(data: Path) -> list[tuple[str, str, str, int, int]]:
    """(file, content-encoding, cache-control, bytes on the wire, bytes) per component file
    of a running app (after one page run has written the payload)."""
    from ui.mapview import FOLDER

    rows = []
    with streamlit_server(REPO / "app.py", data_dir=data) as srv:
        from common import chromium
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw, chromium(pw) as ctx:  # one run writes the payload file
            page = ctx.new_page()
            page.goto(f"{srv.url}/?theater=korea")
            page.wait_for_selector('iframe[src*="armistice_atlas_map"]', timeout=120_000)
            src = page.get_attribute('iframe[src*="armistice_atlas_map"]', "src") or ""
            frame = page.frame_locator('iframe[src*="armistice_atlas_map"]').first
            frame.locator("path[data-aa-role='feature']").first.wait_for(state="attached")
        base = src.split("index.html")[0]
        base = base if base.startswith("http") else srv.url + base
        cache = Path(srv.env["ARMISTICE_CACHE"])
        payloads = sorted(cache.glob("web-*/data/*.json"))
        names = [*FOLDER, *(f"data/{p.name}" for p in payloads)]
        for name in names:
            if name.endswith(".png"):
                continue
            req = urllib.request.Request(base + name, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(req, timeout=30) as resp:
                body = resp.read()
                enc = resp.headers.get("Content-Encoding", "")
                cc = resp.headers.get("Cache-Control", "")
                etag = resp.headers.get("ETag") or resp.headers.get("Last-Modified") or ""
                raw = len(gzip.decompress(body)) if enc == "gzip" else len(body)
                rows.append(
                    (
                        name,
                        enc or "-",
                        (cc or "-") + (" +validator" if etag else ""),
                        len(body),
                        raw,
                    )
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, default=REPO / "data")
    parser.add_argument("--no-server", action="store_true")
    args = parser.parse_args()
    res = measure(args.data, args.repeat)
    print("Map payload per theater (bytes; gzip 9 unless said)")
    head = ("theater", "app payload", "gzip 5 (served)", "gzip 9", "floor gzip 9", "ratio",
            "GeoJSON gzip 9", "make (min/med/max)")  # fmt: skip
    print("   " + " | ".join(head))
    for theater, r in res.items():
        print(
            f"   {theater} | {kib(r['app_raw'])} | {kib(r['app_gz5'])} | {kib(r['app_gz9'])} | "
            f"{kib(r['floor_gz9'])} | {ratio(r['app_gz9'], r['floor_gz9'])} | "
            f"{kib(r['geojson_gz9'])} ({ratio(r['geojson_gz9'], r['floor_gz9'])}) | "
            f"{r['make_ms'].fmt('ms')}  [{r['arcs']} arcs]"
        )
    if not args.no_server:
        print("\nHow Streamlit serves the component folder (one GET each, Accept-Encoding: gzip)")
        for name, enc, cc, wire, raw in served(args.data):
            print(f"   {name:<40} {enc:<6} {cc:<22} {kib(wire):>11} of {kib(raw)}")


if __name__ == "__main__":
    main()
