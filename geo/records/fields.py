"""Typed fields out of line-numbered YAML, with every problem recorded instead of raised."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date as _date
from typing import Any

from geo.errors import Problem
from geo.io import LineDict

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})([~?%]?)$")
HTTPS_RE = re.compile(r"^https://[^\s]+$")


class Checker:
    """Pulls typed fields out of a LineDict, recording problems instead of raising."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems

    def add(self, line: int, message: str, field_name: str = "") -> None:
        self.problems.append(Problem(self.path, line, message, field_name))

    def mapping(self, obj: Any, line: int, what: str) -> LineDict | None:
        if isinstance(obj, LineDict):
            return obj
        self.add(line, f"{what} must be a mapping, got {kind(obj)}")
        return None

    def keys(self, d: LineDict, allowed: Iterable[str], required: Iterable[str]) -> None:
        allowed = set(allowed)
        for k in d:
            if k not in allowed:
                self.add(d.line_of(k), f"unknown field {k!r}", k)
        for k in required:
            if k not in d or d[k] is None or d[k] == "":
                self.add(d.line, f"missing required field {k!r}", k)

    def text(self, d: LineDict, key: str, *, required: bool = True, default: str = "") -> str:
        v = d.get(key)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            self.add(d.line_of(key), f"must be text, got {kind(v)}", key)
            return default
        s = str(v).strip()
        if required and not s:
            self.add(d.line_of(key), "must not be empty", key)
        return s

    def number(
        self, d: LineDict, key: str, *, lo: float | None = None, hi: float | None = None
    ) -> float:
        v = d.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float):
            if v is not None:
                self.add(d.line_of(key), f"must be a number, got {kind(v)}", key)
            return float("nan")
        x = float(v)
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            self.add(d.line_of(key), f"{x:g} is out of range [{lo}, {hi}]", key)
        return x

    def choice(self, d: LineDict, key: str, options: Iterable[str]) -> str:
        options = tuple(options)
        v = self.text(d, key, required=False)
        if v and v not in options:
            self.add(d.line_of(key), f"{v!r} is not one of {', '.join(options)}", key)
        return v

    def strings(self, d: LineDict, key: str) -> tuple[str, ...]:
        v = d.get(key)
        if v is None:
            return ()
        if not isinstance(v, list) or not all(isinstance(x, str | int) for x in v):
            self.add(d.line_of(key), f"must be a list of text, got {kind(v)}", key)
            return ()
        return tuple(str(x) for x in v)

    def date(self, d: LineDict, key: str) -> str:
        v = self.text(d, key, required=False)
        if not v:
            return ""
        m = DATE_RE.match(v)
        if not m:
            self.add(d.line_of(key), f"{v!r} is not a date YYYY-MM-DD (EDTF ~ ? allowed)", key)
            return v
        try:
            _date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as exc:
            self.add(d.line_of(key), f"{v!r} is not a real date: {exc}", key)
        return v

    def url(self, d: LineDict, key: str, *, required: bool = False) -> str:
        """An https:// address (records never link elsewhere: no javascript:, no http)."""
        v = self.text(d, key, required=required)
        if v and not HTTPS_RE.match(v):
            self.add(d.line_of(key), f"{v!r} must be an https:// address", key)
        return v

    def flag(self, d: LineDict, key: str) -> bool:
        v = d.get(key)
        if v is None:
            return False
        if not isinstance(v, bool):
            self.add(d.line_of(key), f"must be true or false, got {kind(v)}", key)
            return False
        return v

    def ident(self, d: LineDict, key: str, pattern: re.Pattern[str] = ID_RE) -> str:
        v = self.text(d, key, required=False)
        if v and not pattern.match(v):
            self.add(d.line_of(key), f"id {v!r} must be lowercase letters, digits and '-'", key)
        return v


def kind(v: Any) -> str:
    """How a value reads in a message: ``nothing``, ``str``, ``dict``, ``list`` …"""
    return "nothing" if v is None else type(v).__name__.replace("Line", "").lower()
