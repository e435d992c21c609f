"""The Streamlit app's screens and glue. Pure rules (URL parameters, timeline, layer filters)
live in :mod:`ui.params` and :mod:`ui.rules` and are unit-tested without Streamlit; everything
geographic comes from :mod:`geo`."""
