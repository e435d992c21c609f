"""The one family of errors geo raises, and the located problem that validation collects.

Every error a user can cause (bad records, an unknown id, an unreadable document, a bad
argument) is an :class:`AtlasError`: one line, no traceback, safe to show. Anything else
escaping geo is a bug.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AtlasError", "DocumentError", "Problem", "ValidationError", "rel"]


@dataclass(frozen=True, order=True)
class Problem:
    """A single defect in the data, located as precisely as the reader could."""

    path: str
    line: int
    message: str
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" [{self.field}]" if self.field else ""
        return f"{where}:{field} {self.message}"


class AtlasError(Exception):
    """A user-facing error (bad input, unknown id, missing file): one line, no traceback."""


class ValidationError(AtlasError):
    """Raised when data records are invalid; holds *all* problems, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DocumentError(AtlasError):
    """An archival document could not be read or parsed.

    ``str(error)`` is ``"<source>: <reason>"``; *source* is a file name (never a full path)
    or ``"<text>"``/``"<upload>"``, so the message is safe to show to anyone.
    """

    def __init__(self, source: str, reason: str, path: Path | None = None) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.path = path

    def __reduce__(self) -> tuple[type[DocumentError], tuple[str, str, Path | None]]:
        return (type(self), (self.source, self.reason, self.path))


def rel(path: Path | str, root: Path | None = None) -> str:
    """Show a path relative to *root* (or the working directory) when possible."""
    p = Path(path)
    if root is not None and ".." not in p.parts and p.is_absolute() == root.is_absolute():
        try:  # the path as the caller made it from root (no file system call)
            return str(p.relative_to(root))
        except ValueError:
            pass
    resolved = p.resolve()
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return str(resolved.relative_to(_resolved(os.path.abspath(base))))
        except ValueError:
            continue
    return str(p)


@functools.lru_cache(maxsize=64)
def _resolved(base: str) -> Path:
    # the few folders paths are shown relative to (a data folder's parent, the working
    # directory), resolved once rather than for each of thousands of record files
    return Path(base).resolve()
