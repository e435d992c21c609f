"""A record template for a line or zone a user drew: the YAML a historian fills in.

The template draws (its ``coordinates`` recipe holds the drawing) but does not validate until
someone names its sources, writes its summary and dates it: ``python -m geo validate`` says
exactly which fields are missing. Nothing the user typed goes into it: the title is fixed
text and the points are numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from geo.vocab import THEATERS


def record_template(
    theater: str,
    geometry: dict[str, Any],
    *,
    countries: tuple[str, ...],
    today: dt.date | None = None,
) -> str:
    """A ``data/proposals/<id>.yaml`` for a drawn LineString or Polygon."""
    if theater not in THEATERS:
        raise ValueError(f"unknown theater {theater!r}")
    kind = "line" if geometry.get("type") == "LineString" else "zone"
    ring = geometry["coordinates"] if kind == "line" else geometry["coordinates"][0]
    points = [[round(float(x), 5), round(float(y), 5)] for x, y in ring]
    if kind == "zone" and points[0] == points[-1]:
        points = points[:-1]
    stamp = (today or dt.date.today()).strftime("%Y%m%d")
    record = {
        "id": f"my-{theater}-{kind}-{stamp}",
        "title": f"My {kind} ({THEATERS[theater].label})",
        "theater": theater,
        "kind": kind,
        "party": "none",
        "date": "",
        "status": "proposed",
        "sources": [],
        "precision_km": 5,
        "summary": "",
        "countries": list(countries),
        "geometry": {"coordinates": {kind: points}},
    }
    header = (
        "# Drawn in Armistice Atlas. Fill in before `python -m geo validate` accepts it:\n"
        "#   date (YYYY-MM-DD), party, sources (document ids, each with an evidence phrase\n"
        "#   in data/documents/<id>.yaml), summary; change the id to match the file name.\n"
    )
    return header + yaml.safe_dump(record, sort_keys=False, allow_unicode=True)
