"""Records: typed values (:mod:`~geo.records.model`) and their loading and checks
(:mod:`~geo.records.load`)."""

from geo.records.load import RECIPES, load_atlas
from geo.records.model import Atlas, Cable, Document, Evidence, Line, Place, Reference

__all__ = [
    "RECIPES",
    "Atlas",
    "Cable",
    "Document",
    "Evidence",
    "Line",
    "Place",
    "Reference",
    "load_atlas",
]
