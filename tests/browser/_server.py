"""A ``streamlit run app.py`` on a free loopback port, for browser test modules that need their
own server (e.g. with their own ``$ARMISTICE_USER_DATA``).

Same flags and chromium switches as tests/browser/test_browser.py. Not a conftest.py:
tests/conftest.py is imported by name and a second conftest module would shadow it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from apprunner import CHROMIUM, CHROMIUM_ARGS, AppDidNotStart, running_app

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
STARTUP_SECONDS = 60
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = ("data:", "blob:", "about:")
__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "launch_chromium",
    "off_machine",
    "require_browser",
    "streamlit_server",
    "unavailable",
]


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
    if reason is not None:
        unavailable(reason)


def unavailable(reason: str) -> None:
    """Skip a browser test for *reason*; in CI (``CI=true``) fail instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@contextlib.contextmanager
def streamlit_server(log_name: str, env: Mapping[str, str | None]) -> Iterator[str]:
    """Base URL of the app; *env* overrides the environment (None removes a variable)."""
    try:
        with running_app(ARTIFACTS / log_name, env=env, timeout=STARTUP_SECONDS) as app:
            yield app.url
    except AppDidNotStart as exc:
        pytest.fail(str(exc))


@contextlib.contextmanager
def launch_chromium() -> Iterator[Any]:
    """Debian chromium driven by Playwright, with the switches these machines need."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def off_machine(urls: list[str]) -> list[str]:
    """The URLs that would leave this machine."""
    return [
        u for u in urls if not (u.startswith(LOCAL_SCHEMES) or urlparse(u).hostname in LOCAL_HOSTS)
    ]
