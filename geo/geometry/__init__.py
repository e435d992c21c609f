"""Geometry: the basemap, the recipes that turn records into shapes, and the build that runs
them once and hands a :class:`BuiltAtlas` to every output."""

from geo.geometry.basemap import Basemap, load_basemap
from geo.geometry.build import BuiltAtlas, Shape, build
from geo.geometry.recipes import north_region

#: The name the public API used for a record's shape.
Built = Shape

__all__ = ["Basemap", "Built", "BuiltAtlas", "Shape", "build", "load_basemap", "north_region"]
