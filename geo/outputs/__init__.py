"""Outputs, side by side: the web map, the standalone page and the static site, the static
map and the handout, citations, and data tables. Each takes a :class:`geo.BuiltAtlas`."""
