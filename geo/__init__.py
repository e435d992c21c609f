"""Armistice Atlas: demarcation lines of the Korean (1951-53) and Geneva (1954) talks.

The small public API::

    atlas = load_atlas()                 # validated records (raises ValidationError)
    shapes = build_all(atlas)            # shapely geometry + measures, built once
    result = compare(atlas, "a", "b")    # area between two lines, places changing side
    fc = to_feature_collection(atlas)    # RFC 7946 GeoJSON
"""

from geo.compare import Comparison, compare, side_of
from geo.errors import AtlasError, Problem, ValidationError
from geo.export import to_csv, to_feature_collection
from geo.geometry import Built, build_all, load_basemap
from geo.records import Atlas, Cable, Line, Place, load_atlas, validate

__all__ = [
    "Atlas",
    "AtlasError",
    "Built",
    "Cable",
    "Comparison",
    "Line",
    "Place",
    "Problem",
    "ValidationError",
    "build_all",
    "compare",
    "load_atlas",
    "load_basemap",
    "side_of",
    "to_csv",
    "to_feature_collection",
    "validate",
]
