"""Synthetic atlases for the scale bench: the records of ``data/`` copied N times over.

Copy *k* of every place, line and document gets the id ``<id>-s<k>``; its references (a
line's sources, a recipe's places and lines, a document's ``supports``) point at the copies
of the same *k* (except a grid reference's ``near`` place, which stays the original: the
reference itself does not move). Places move by 150 m to 1.2 km (eight steps, in turn) and
parallels by 0.01° per copy, so every copy is a real record with its own id that the loader,
the validator and the geometry build treat like any other. Stories and the basemap are left
as they are.

    python bench/synth.py 10 /tmp/atlas-10x     # writes /tmp/atlas-10x/data
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
#: How far copy k moves a place: this many degrees east and north (~150 m) times 1 to
#: ``SHIFTS`` (copy k takes 1 + (k - 1) % SHIFTS steps). Bounded, so a place a line is traced
#: from (a river's source) stays within the recipe's tolerance in every copy.
STEP_DEG = 0.0013
SHIFTS = 8
LAT_STEP = 0.01


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(path: Path, value: Any) -> None:
    path.write_text(
        yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )


def _renamed(value: Any, ids: set[str], k: int) -> Any:
    """*value* with every string that is one of *ids* renamed to its copy *k*."""
    if isinstance(value, str):
        return f"{value}-s{k}" if value in ids else value
    if isinstance(value, list):
        return [_renamed(v, ids, k) for v in value]
    if isinstance(value, dict):
        out = {key: _renamed(v, ids, k) for key, v in value.items()}
        if "ref" in value and "near" in value:
            # a grid reference is checked against the place its document names beside it;
            # the copies' places have moved (up to ~5 km at 30x), the reference has not
            out["near"] = value["near"]
        spec = out.get("parallel")
        if isinstance(spec, dict) and isinstance(spec.get("lat"), int | float):
            spec["lat"] = round(spec["lat"] + LAT_STEP * k, 4)
        return out
    return value


def make_atlas(factor: int, dest: Path, source: Path | None = None) -> Path:
    """A records folder *factor* times the size of *source* (default: this repository's
    ``data/``) in ``dest/data``; returns that folder."""
    source = source or REPO / "data"
    out = dest / "data"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out)
    line_files = sorted((out / "proposals").glob("*.yaml")) + sorted(
        (out / "outcomes").glob("*.yaml")
    )
    doc_files = sorted((out / "documents").glob("*.yaml"))
    place_files = sorted((out / "places").glob("*.yaml"))
    lines = {p: _load(p) for p in line_files}
    docs = {p: _load(p) for p in doc_files}
    places = {p: _load(p) for p in place_files}
    ids = {str(r["id"]) for r in lines.values()} | {str(r["id"]) for r in docs.values()}
    ids |= {str(pl["id"]) for plist in places.values() for pl in plist}
    for k in range(1, factor):
        for path, rec in lines.items():
            copy = _renamed(rec, ids, k)
            copy["title"] = f"{rec['title']} (copy {k})"
            _dump(path.with_name(f"{path.stem}-s{k}.yaml"), copy)
        for path, rec in docs.items():
            copy = _renamed(rec, ids, k)
            _dump(path.with_name(f"{path.stem}-s{k}.yaml"), copy)
    for path, plist in places.items():
        every = list(plist)
        for k in range(1, factor):
            for pl in plist:
                copy = _renamed(pl, ids, k)
                step = STEP_DEG * (1 + (k - 1) % SHIFTS)
                copy["lat"] = round(pl["lat"] + step, 5)
                copy["lon"] = round(pl["lon"] + step, 5)
                every.append(copy)
        _dump(path, every)
    return out


if __name__ == "__main__":
    print(make_atlas(int(sys.argv[1]), Path(sys.argv[2]), *(Path(a) for a in sys.argv[3:4])))
