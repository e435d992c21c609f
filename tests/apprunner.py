"""Start the Streamlit app on a free loopback port: the one launcher for tests and benches.

Used by the load test, the browser tests (through tests/browser/_server.py) and the app
benchmark, so they all start the app the same way: the shared corpus, no file watcher,
headless, and the server's output kept in a log file.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Debian chromium, and the switches it needs on these machines (no sandbox as root, no
#: background calls to the closed network).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


class AppDidNotStart(RuntimeError):
    """The server exited or did not answer its health check in time."""


@dataclass
class RunningApp:
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    #: the server's ``ARMISTICE_*`` settings (its folders: ``settings["ARMISTICE_CACHE"]``…)
    settings: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_kib(self) -> int:
        """Resident memory of the server process (KiB), from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("VmRSS not found")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def running_app(
    log: Path, *, env: Mapping[str, str | None] | None = None, timeout: float = 90.0
) -> Iterator[RunningApp]:
    """``streamlit run app.py`` on a free port until the block ends.

    *log* is a file, or a folder to put ``streamlit-<port>.log`` in. *env* overrides the
    environment (``None`` removes a variable); by default the app reads the corpus the tests
    use (``$ARMISTICE_CORPUS``, else ``../shared/corpus`` when it exists) and the repository's
    own records, and gets a fresh, empty cache folder (``ARMISTICE_CACHE``) and shared library
    (``ARMISTICE_USER_DATA``) of its own, removed when the block ends: a test never reads what
    another run built or added, and never writes to the user's real folders. The app is served
    on loopback, so it runs in local mode unless *env* sets ``ARMISTICE_MODE``.
    """
    with tempfile.TemporaryDirectory(prefix="armistice-app-") as scratch:
        yield from _run(log, env, timeout, Path(scratch))


def _run(
    log: Path, env: Mapping[str, str | None] | None, timeout: float, scratch: Path
) -> Iterator[RunningApp]:
    from conftest import corpus_dir

    full = dict(os.environ)
    corpus = corpus_dir()
    if corpus is not None:
        full["ARMISTICE_CORPUS"] = str(corpus)
    else:
        full.pop("ARMISTICE_CORPUS", None)
    full.pop("ARMISTICE_DATA", None)
    for name in ("cache", "user-data"):
        (scratch / name).mkdir()
    full["ARMISTICE_CACHE"] = str(scratch / "cache")
    full["ARMISTICE_USER_DATA"] = str(scratch / "user-data")
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    port = free_port()
    if log.is_dir():
        log = log / f"streamlit-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=full, stdout=out, stderr=out)
    settings = {k: v for k, v in full.items() if k.startswith("ARMISTICE_")}
    app = RunningApp(port, proc, log, settings)
    try:
        deadline = time.monotonic() + timeout
        while not healthy(app.url):
            if proc.poll() is not None:
                raise AppDidNotStart(f"streamlit exited with {proc.returncode}; see {log}")
            if time.monotonic() > deadline:
                raise AppDidNotStart(f"streamlit did not answer in {timeout:.0f} s; see {log}")
            time.sleep(0.3)
        yield app
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
