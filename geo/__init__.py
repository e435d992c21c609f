"""Armistice Atlas: demarcation lines of the Korean (1951-53) and Geneva (1954) talks.

The small public API; data flows one way, records -> shapes -> measures -> outputs::

    atlas = load_atlas()                 # validated records (raises ValidationError)
    built = build(atlas)                 # every shape, built once: what outputs take
    result = compare(built, "a", "b")    # area between two lines, places changing side
    fc = to_feature_collection(built)    # RFC 7946 GeoJSON with each feature's sources
    problems = validate()                # records, shapes and stories, every problem
"""

from __future__ import annotations

from geo.compare import Comparison, compare, side_of
from geo.errors import AtlasError, DocumentError, Problem, ValidationError
from geo.geometry import Built, BuiltAtlas, Shape, build, load_basemap
from geo.outputs.tables import to_csv, to_feature_collection
from geo.records import Atlas, Cable, Document, Line, Place, load_atlas
from geo.validate import validate

__all__ = [
    "Atlas",
    "AtlasError",
    "Built",
    "BuiltAtlas",
    "Cable",
    "Comparison",
    "Document",
    "DocumentError",
    "Line",
    "Place",
    "Problem",
    "Shape",
    "ValidationError",
    "build",
    "build_all",
    "compare",
    "load_atlas",
    "load_basemap",
    "side_of",
    "to_csv",
    "to_feature_collection",
    "validate",
]


def build_all(atlas: Atlas) -> dict[str, Shape]:
    """Every record's shape, by id (``build(atlas).shapes``; kept for older callers)."""
    return dict(build(atlas).shapes)
