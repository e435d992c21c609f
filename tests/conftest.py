"""Shared fixtures: the real atlas (built once per test session) and the corpus location."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo import Atlas, build_all, load_atlas

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"


def corpus_dir() -> Path | None:
    """The cable corpus: $ARMISTICE_CORPUS or <repo>/../shared/corpus (never copied here)."""
    env = os.environ.get("ARMISTICE_CORPUS")
    path = Path(env) if env else REPO_ROOT.parent / "shared" / "corpus"
    return path if path.is_dir() else None


def require_corpus() -> Path:
    path = corpus_dir()
    if path is None:
        if os.environ.get("ARMISTICE_ALLOW_NO_CORPUS") == "1":
            pytest.skip("no cable corpus and ARMISTICE_ALLOW_NO_CORPUS=1")
        pytest.fail(
            "cable corpus not found: set ARMISTICE_CORPUS or put it at ../shared/corpus "
            "(ARMISTICE_ALLOW_NO_CORPUS=1 to skip these tests)"
        )
    return path


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    a = load_atlas(DATA_DIR)
    build_all(a)
    return a
