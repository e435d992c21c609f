"""Benchmark: building every line and zone, as a ratio to reading the basemap alone.

Both are measured side by side in one run (best of N, cold caches each round), so the
ratio is meaningful on a noisy machine where absolute times are not. Target: the full
build in well under a second.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from geo import build_all, load_atlas
from geo.geometry import load_basemap

DATA = Path(__file__).resolve().parents[1] / "data"
ROUNDS = 7


def _time(fn: Callable[[], object]) -> list[float]:
    out = []
    for _ in range(ROUNDS):
        load_basemap.cache_clear()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def read_basemap() -> None:
    load_basemap(DATA)


def read_records() -> None:
    load_atlas(DATA)


def build_everything() -> None:
    build_all(load_atlas(DATA))


def main() -> None:
    base = _time(read_basemap)
    records = _time(read_records)
    full = _time(build_everything)
    b, r, f = (min(x) for x in (base, records, full))
    print(f"rounds: {ROUNDS} (best and median of each)")
    rows = [("read basemap", b, base), ("read + validate records", r, records)]
    rows.append(("build all geometry", f, full))
    for label, best, runs in rows:
        print(f"{label:<24}{best * 1000:7.1f} ms (median {statistics.median(runs) * 1000:.1f})")
    print(f"ratio build-all / read-basemap: {f / b:.2f}x")
    print(f"target < 1 s: {'met' if f < 1.0 else 'NOT met'} ({f:.3f} s)")


if __name__ == "__main__":
    main()
