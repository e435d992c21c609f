"""How heavy and how quick the app is, as ratios measured side by side in one run.

    .venv/bin/python bench/bench_app.py [--repeat N] [--no-browser]

1. Bytes: what the Streamlit view sends for a theater (the st_folium script, header and
   html of the geo.render map, Leaflet served separately from /app/static/vendor) and the
   full standalone page, against ``GeoDataFrame.explore()`` of the same layers.
2. Server time: selecting a line in AppTest (the run that redraws map and panel) against a
   plain rerun with nothing changed.
3. Time to first map paint in chromium: the app (cold and warm) against the standalone
   offline HTML page of the same map opened from a file.

Nothing is asserted; numbers vary with the machine, the ratios much less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for folder in (REPO, REPO / "tests"):  # the app's ui/ package; the tests' app launcher
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from apprunner import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

import geo  # noqa: E402
from geo import render  # noqa: E402

LINES = {"korea": "kr-1953-mdl", "indochina": "vn-1954-drv-minimum"}


def _kb(n: int) -> str:
    return f"{n / 1024:,.0f} KiB"


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


# ---------------------------------------------------------------------------------------
# 1. bytes


def st_folium_payload(fmap: object) -> int:
    """Bytes st_folium sends to the browser for this map (script + header + html)."""
    import streamlit_folium as sf

    fmap.get_root().render()  # type: ignore[attr-defined]
    html = sf._get_html(fmap)
    header = sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    return len(html.encode()) + len(header.encode()) + len(script.encode())


def bench_bytes(atlas: geo.Atlas) -> None:
    print("\n1. Bytes of a theater view (all layers and places)")
    try:
        import geopandas as gpd

        gpd.GeoDataFrame({"a": [1]}, geometry=gpd.points_from_xy([0], [0])).explore()
        explore_ok = True
    except ImportError as exc:
        explore_ok = False
        print(f"   GeoDataFrame.explore() unavailable ({exc}); pip install matplotlib mapclassify")
    print(
        f"   {'theater':<10} {'st_folium payload':>18} {'standalone page':>16} "
        f"{'explore() page':>15} {'payload/explore':>16} {'standalone/explore':>19}"
    )
    for theater in ("korea", "indochina"):
        opts = render.MapOptions(theater, assets="/app/static/vendor")
        payload = st_folium_payload(render.build_map(atlas, opts))
        standalone = len(render.render_html(atlas, render.MapOptions(theater)).encode())
        explore = 0
        if explore_ok:
            fc = geo.to_feature_collection(atlas, theater=theater, with_places=True)
            gdf = gpd.GeoDataFrame.from_features(fc["features"], crs=4326)
            m = gdf.explore(column="party", tooltip=["title"], popup=True)
            explore = len(m.get_root().render().encode())
        ratio = f"{payload / explore:.2f}" if explore else "n/a"
        ratio2 = f"{standalone / explore:.2f}" if explore else "n/a"
        print(
            f"   {theater:<10} {_kb(payload):>18} {_kb(standalone):>16} "
            f"{_kb(explore) if explore else 'n/a':>15} {ratio:>16} {ratio2:>19}"
        )
    print(
        "   (explore() pages pull Leaflet, jQuery, Bootstrap and fonts from CDNs, which are not"
        " counted; the standalone page inlines Leaflet and jQuery, ~190 KiB)"
    )


# ---------------------------------------------------------------------------------------
# 2. server time


def bench_server(repeat: int) -> None:
    from streamlit.testing.v1 import AppTest

    print(f"\n2. Server time per run in AppTest (median of {repeat})")
    print(f"   {'theater':<10} {'select a line':>14} {'plain rerun':>12} {'ratio':>7}")
    os.environ.setdefault("ARMISTICE_CORPUS", str(REPO.parent / "shared" / "corpus"))
    for theater, line in LINES.items():
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        at.query_params = {"theater": theater}
        at.run()
        assert not at.exception, at.exception
        flip = [line, None]

        def select(flip: list[str | None] = flip, at: AppTest = at) -> None:
            flip.reverse()
            at.selectbox(key="aa_pick").set_value(flip[0]).run()

        def rerun(at: AppTest = at) -> None:
            at.run()

        select()  # warm the caches
        t_select = _median_ms(select, repeat)
        t_rerun = _median_ms(rerun, repeat)
        print(
            f"   {theater:<10} {t_select:>11.0f} ms {t_rerun:>9.0f} ms {t_select / t_rerun:>7.2f}"
        )
    print("   (selecting redraws the map with the line highlighted and builds the panel)")


# ---------------------------------------------------------------------------------------
# 3. first paint


def _paint_ms(page: object, url: str, frame_selector: str | None, count: int) -> float:
    js = """([sel, n]) => {
        const doc = sel ? (document.querySelector(sel) || {}).contentDocument : document;
        return !!doc && doc.querySelectorAll('path.leaflet-interactive').length >= n;
    }"""
    t = time.perf_counter()
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_function(js, arg=[frame_selector, count], timeout=60_000)  # type: ignore[attr-defined]
    return (time.perf_counter() - t) * 1000


def bench_paint(atlas: geo.Atlas, repeat: int) -> None:
    print("\n3. Time to first map paint in chromium (all line paths drawn)")
    if not Path(CHROMIUM).exists():
        print(f"   skipped: {CHROMIUM} not installed")
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("   skipped: playwright not installed")
        return
    with running_app(Path(tempfile.gettempdir())) as app:
        url = app.url
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            head = ("theater", "app (cold)", "app (warm)", "file", "warm/file")
            print("   {:<10} {:>11} {:>11} {:>8} {:>10}".format(*head))
            for theater in ("korea", "indochina"):
                n = len(atlas.lines_in(theater))
                page_file = Path(tmp) / f"{theater}.html"
                page_file.write_text(render.render_html(atlas, render.MapOptions(theater)))
                context = browser.new_context(viewport={"width": 1600, "height": 1000})
                page = context.new_page()
                frame = 'iframe[title="streamlit_folium.st_folium"]'
                cold = _paint_ms(page, f"{url}/?theater={theater}", frame, n)
                warm = statistics.median(
                    _paint_ms(page, f"{url}/?theater={theater}", frame, n) for _ in range(repeat)
                )
                local = statistics.median(
                    _paint_ms(page, page_file.as_uri(), None, n) for _ in range(repeat)
                )
                context.close()
                print(
                    f"   {theater:<10} {cold:>8.0f} ms {warm:>8.0f} ms {local:>5.0f} ms "
                    f"{warm / local:>10.1f}"
                )
            browser.close()
    print("   (app: page load, websocket, script run, iframe, Leaflet from /app/static/vendor)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="skip the chromium part")
    args = parser.parse_args()
    atlas = geo.load_atlas()
    geo.build_all(atlas)
    print("Armistice Atlas app benchmark")
    bench_bytes(atlas)
    bench_server(args.repeat)
    if not args.no_browser:
        bench_paint(atlas, args.repeat)


if __name__ == "__main__":
    main()
