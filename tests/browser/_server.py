"""A ``streamlit run app.py`` on a free loopback port, for browser test modules that need their
own server (e.g. with their own ``$ARMISTICE_USER_DATA``).

Same flags and chromium switches as tests/browser/test_browser.py. Not a conftest.py:
tests/conftest.py is imported by name and a second conftest module would shadow it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
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
STARTUP_SECONDS = 60
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = ("data:", "blob:", "about:")


def require_browser() -> None:
    """Skip (fail in CI) without chromium or Playwright."""
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is not installed (apt install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is not installed"
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def streamlit_server(log_name: str, env: Mapping[str, str | None]) -> Iterator[str]:
    """Base URL of the app; *env* overrides the environment (None removes a variable)."""
    full = dict(os.environ)
    full["ARMISTICE_CORPUS"] = str((REPO / ".." / "shared" / "corpus").resolve())
    full.pop("ARMISTICE_DATA", None)
    for key, value in env.items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    with (ARTIFACTS / log_name).open("w") as log:
        proc = subprocess.Popen(
            [
                streamlit,
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=REPO,
            env=full,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _healthy(url):
                if proc.poll() is not None:
                    pytest.fail(f"streamlit exited with {proc.returncode}; see {log_name}")
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not answer /_stcore/health in {STARTUP_SECONDS}s")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def off_machine(urls: list[str]) -> list[str]:
    """The URLs that would leave this machine."""
    return [
        u for u in urls if not (u.startswith(LOCAL_SCHEMES) or urlparse(u).hostname in LOCAL_HOSTS)
    ]
