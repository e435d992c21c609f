"""Many viewers at once: 30 concurrent sessions on loopback, bounded in count and time.

Each virtual viewer opens the app with deep links over the websocket, as a browser tab would
(a new session per page load: theaters, selected lines, comparisons, sequence positions,
dates and story steps), and checks that every run finishes with no exception. Memory per open
session is measured from the server's RSS. The test asserts correctness and bounded memory,
not speed; and that the atlas is built once per process (one "armistice-atlas: built …" line
in the server's log per set of theaters), not once per session.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from apprunner import running_app

from conftest import DATA_DIR
from geo import load_atlas

from .wsclient import RunResult, StreamlitSession

VIEWERS = 30
LOADS_PER_VIEWER = 3
MAX_SECONDS = 240  # a hard bound on the whole exercise


def _queries(seed: int) -> list[str]:
    atlas = load_atlas(DATA_DIR)
    rng = random.Random(seed)
    out = []
    for i in range(LOADS_PER_VIEWER):
        theater = rng.choice(["korea", "indochina"])
        ids = [ln.id for ln in atlas.lines_in(theater) if ln.kind != "reference"]
        line = rng.choice(ids)
        kind = (seed + i) % 5
        if kind == 0:
            out.append(f"theater={theater}&line={line}")
        elif kind == 1:
            zone = atlas.lines[line].kind == "zone"
            same = [o for o in ids if o != line and (atlas.lines[o].kind == "zone") == zone]
            out.append(f"view=compare&theater={theater}&compare={line},{rng.choice(same)}")
        elif kind == 2:
            out.append(f"view=sequence&theater={theater}&pos={rng.randint(1, 3)}")
        elif kind == 3:
            out.append(f"view=timeline&theater={theater}")
        else:
            story = "korea-1951" if theater == "korea" else "geneva-1954"
            out.append(f"view=present&story={story}&step={rng.randint(1, 3)}")
    return out


async def _viewer(port: int, seed: int, hold: asyncio.Event, opened: list[int]) -> list[RunResult]:
    results = []
    queries = _queries(seed)
    async with StreamlitSession(port) as first:
        results.append(await first.run(queries[0]))
        opened.append(seed)
        await hold.wait()  # keep this session open while memory is measured
    for q in queries[1:]:
        async with StreamlitSession(port) as s:
            results.append(await s.run(q))
    return results


@pytest.mark.load
def test_thirty_concurrent_sessions(tmp_path: Path) -> None:
    with running_app(tmp_path) as app:

        async def main() -> tuple[list[list[RunResult]], int, int]:
            async with StreamlitSession(app.port) as warm:  # build the atlas once, first
                await warm.run("theater=korea")
            base = app.rss_kib()
            hold = asyncio.Event()
            opened: list[int] = []
            tasks = [
                asyncio.create_task(_viewer(app.port, i, hold, opened)) for i in range(VIEWERS)
            ]
            while len(opened) < VIEWERS:
                await asyncio.sleep(0.2)
                for t in tasks:
                    if t.done() and t.exception():
                        raise t.exception()  # type: ignore[misc]
            with_sessions = app.rss_kib()
            hold.set()
            return await asyncio.gather(*tasks), base, with_sessions

        runs, base, loaded = asyncio.run(asyncio.wait_for(main(), MAX_SECONDS))
        flat = [r for viewer in runs for r in viewer]
        assert len(flat) == VIEWERS * LOADS_PER_VIEWER
        assert [r for r in flat if r.exceptions] == []
        assert all(r.elements > 10 for r in flat)  # each run drew the page
        per_session_mib = (loaded - base) / VIEWERS / 1024
        slowest = max(r.seconds for r in flat)
        print(
            f"\nRSS {base / 1024:.0f} MiB idle, {loaded / 1024:.0f} MiB with {VIEWERS} sessions: "
            f"{per_session_mib:.1f} MiB per session; slowest run {slowest:.1f} s"
        )
        # A session holds its widgets' state and a rendered map, not its own copy of the atlas.
        assert per_session_mib < 25
        assert app.process.poll() is None  # still serving
        # The atlas is built once per process and shared, not once per session: one log line
        # per set of theaters ("armistice-atlas: built korea (10 shapes, 0.12 s)").
        builds = Counter(re.findall(r"armistice-atlas: built ([a-z,]+) \(", app.log_text()))
        assert builds, "the server never logged a build"
        assert set(builds.values()) == {1}, builds
