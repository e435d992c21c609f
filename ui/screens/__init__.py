"""One module per screen: map, compare, sequence, timeline, documents, present, sources."""
