"""The app's CSS (and its one script) live in ``ui/assets/``; this reads them for ``st.html``."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def asset(name: str) -> str:
    return resources.files("ui").joinpath("assets", name).read_text(encoding="utf-8")


def css(*names: str) -> str:
    """``<style>`` elements for the named CSS files of ``ui/assets``."""
    return "".join(f"<style>{asset(n)}</style>" for n in names)
