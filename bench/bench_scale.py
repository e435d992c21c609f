"""How the atlas scales: 1x, 10x and 30x the records (bench/synth.py), side by side.

    .venv/bin/python bench/bench_scale.py [--repeat 3] [--sizes 1 10 30] [--data DIR]

- ``python -m geo validate`` (a fresh process each time): wall time per size, and per record;
- the app's cold first paint (a fresh server with an EMPTY ``ARMISTICE_CACHE`` and a fresh
  browser profile, Korea) and, for comparison, with the disk cache already filled by an
  earlier server of the same records (a warm disk cache, still a fresh process);
- the payload per size (bytes, gzip 5);
- the record-file size limit (``ARMISTICE_MAX_RECORD_BYTES``): the message a too-big
  gazetteer gets.
Sizes take turns in every repeat, so a busy machine slows them alike. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_app import APP_FRAME, _paint, _settle, snapshot
from common import REPO, Series, chromium, kib, ratio, record, streamlit_server
from synth import make_atlas

THEATER = "korea"


def validate(data: Path, **env: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """``python -m geo validate`` in a fresh process on *data* (with *env* set): its wall
    time and what it did."""
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "validate"],
        cwd=REPO,
        env=dict(os.environ, ARMISTICE_DATA=str(data), **env),
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - t, proc


def validate_time(data: Path) -> tuple[float, str]:
    elapsed, proc = validate(data)
    tail = (proc.stdout + proc.stderr).strip().splitlines()
    return elapsed, tail[-1] if tail else ""


def cold_paint(pw: Any, data: Path, counts: tuple[int, int], cache: Path | None) -> float:
    with (
        streamlit_server(REPO / "app.py", data_dir=data, cache_dir=cache) as srv,
        chromium(pw) as ctx,
    ):
        page = ctx.new_page()
        record(page)
        painted = _paint(page, f"{srv.url}/?theater={THEATER}", APP_FRAME, *counts, True)
        _settle(page, True)
        return painted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--data", type=Path, default=REPO / "data")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    from geo.geometry import build
    from geo.outputs import webmap
    from geo.records import load_atlas

    with tempfile.TemporaryDirectory(prefix="aa-scale-") as tmp:
        root = Path(tmp)
        base = snapshot(args.data, root / "base")
        atlases: dict[int, Path] = {}
        info: dict[int, dict[str, Any]] = {}
        for n in args.sizes:
            atlases[n] = base if n == 1 else make_atlas(n, root / f"x{n}", base)
            atlas = load_atlas(atlases[n])
            t = time.perf_counter()
            built = build(atlas, (THEATER,))
            t_build = time.perf_counter() - t
            t = time.perf_counter()
            payload = webmap.theater_payload(built, THEATER, topology=True)
            t_payload = time.perf_counter() - t
            text = webmap.to_json(payload).encode()
            plain = webmap.theater_payload(built, THEATER)
            files = [p for p in atlases[n].rglob("*.yaml")]
            info[n] = {
                "records": len(atlas.lines) + len(atlas.places) + len(atlas.documents),
                "lines": len(atlas.lines),
                "places": len(atlas.places),
                "documents": len(atlas.documents),
                "yaml_bytes": sum(p.stat().st_size for p in files),
                "largest": max(files, key=lambda p: p.stat().st_size),
                "payload": len(text),
                "payload_gz": len(gzip.compress(text, 5)),
                "build_s": t_build,
                "payload_s": t_payload,
                "counts": (
                    len(plain["land"]["features"]),
                    sum(1 for f in plain["features"]["features"] if f.get("geometry")),
                ),
            }
        print("Armistice Atlas at scale (min / median / max of repeats; sizes take turns)")
        print("\nRecords (synthetic copies: bench/synth.py)")
        for n, i in info.items():
            print(
                f"   {n:>2}x: {i['lines']} lines and zones, {i['places']} places, "
                f"{i['documents']} documents; YAML {kib(i['yaml_bytes'])}, largest file "
                f"{i['largest'].relative_to(atlases[n])} {kib(i['largest'].stat().st_size)}; "
                f"Korea: build {i['build_s']:.2f} s, payload {i['payload_s']:.2f} s, "
                f"{kib(i['payload'])} ({kib(i['payload_gz'])} gzip)"
            )

        valid = {n: Series() for n in args.sizes}
        last: dict[int, str] = {}
        for _ in range(args.repeat):
            for n in args.sizes:
                elapsed, last[n] = validate_time(atlases[n])
                valid[n].add(elapsed * 1000)
        print("\npython -m geo validate (a fresh process: imports, load, check, build all)")
        one = valid[args.sizes[0]].med
        for n in args.sizes:
            per = valid[n].med / info[n]["records"]
            print(
                f"   {n:>2}x: {valid[n].fmt('ms')}  ({ratio(valid[n].med, one)} of 1x; "
                f"{per:.2f} ms per record)  -> {last[n]}"
            )

        big = info[max(args.sizes)]["largest"]
        limit = big.stat().st_size // 2
        _, proc = validate(atlases[max(args.sizes)], ARMISTICE_MAX_RECORD_BYTES=str(limit))
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "limit" in ln]
        print(f"\nRecord-file limit: ARMISTICE_MAX_RECORD_BYTES={limit} (exit {proc.returncode})")
        for ln in lines[:2]:
            print(f"   {ln}")

        if args.no_browser:
            return
        from playwright.sync_api import sync_playwright

        empty = {n: Series() for n in args.sizes}
        warm_disk = {n: Series() for n in args.sizes}
        caches = {n: root / f"cache-{n}" for n in args.sizes}
        with sync_playwright() as pw:
            for n in args.sizes:  # fill a disk cache per size (not timed)
                cold_paint(pw, atlases[n], info[n]["counts"], caches[n])
            for _ in range(args.repeat):
                for n in args.sizes:
                    empty[n].add(cold_paint(pw, atlases[n], info[n]["counts"], None))
                    warm_disk[n].add(cold_paint(pw, atlases[n], info[n]["counts"], caches[n]))
        print(f"\nApp cold first paint, {THEATER} (fresh server and browser profile each time)")
        e1, w1 = empty[args.sizes[0]].med, warm_disk[args.sizes[0]].med
        for n in args.sizes:
            print(
                f"   {n:>2}x: empty cache {empty[n].fmt('ms')} ({ratio(empty[n].med, e1)} of 1x)"
                f"; warm disk cache {warm_disk[n].fmt('ms')} ({ratio(warm_disk[n].med, w1)})"
            )


if __name__ == "__main__":
    main()
