"""Shared fixtures: the real atlas and its shapes (built once per test session), the corpus.

The archive's full texts are not in the repository. Tests that need them call
:func:`require_corpus`: without a corpus they skip with one reason, except in CI
(``CI=true``), where a missing corpus is a failure. ``$ARMISTICE_CORPUS`` is honoured.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo import Atlas, BuiltAtlas, build, load_atlas

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
NO_CORPUS = (
    "needs the archive's full texts: set ARMISTICE_CORPUS to a folder of them "
    "(see README, 'Full texts')"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def corpus_dir() -> Path | None:
    """The full texts: ``$ARMISTICE_CORPUS``, else ``../shared/corpus`` beside the checkout."""
    env = os.environ.get("ARMISTICE_CORPUS", "").strip()
    path = Path(env) if env else REPO_ROOT.parent / "shared" / "corpus"
    return path if path.is_dir() else None


def require_corpus() -> Path:
    path = corpus_dir()
    if path is None:
        if in_ci():
            pytest.fail("CI needs the corpus of full texts: " + NO_CORPUS)
        pytest.skip(NO_CORPUS)
    return path


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    return load_atlas(DATA_DIR)


@pytest.fixture(scope="session")
def built(atlas: Atlas) -> BuiltAtlas:
    return build(atlas)
