"""Validation of the whole atlas: records, then every shape, then every story.

It sits above :mod:`geo.records`, :mod:`geo.geometry` and :mod:`geo.stories` so that none of
them needs the others to check itself (no import circle). ``python -m geo validate`` prints
what it returns.
"""

from __future__ import annotations

from pathlib import Path

from geo.errors import Problem, ValidationError
from geo.geometry import build
from geo.records import load_atlas
from geo.stories import load_stories


def validate(data_dir: Path | str | None = None) -> list[Problem]:
    """All problems in the data (empty when valid): records, shapes and stories."""
    try:
        atlas = load_atlas(data_dir)
    except ValidationError as exc:
        return exc.problems
    problems: list[Problem] = []
    try:
        build(atlas)
    except ValidationError as exc:
        problems.extend(exc.problems)
    try:
        load_stories(atlas)
    except ValidationError as exc:
        problems.extend(exc.problems)
    return sorted(problems)
