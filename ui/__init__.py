"""The Streamlit screens of Armistice Atlas: one module per screen, state parsing in ``state``.

Nothing here builds geometry; every shape, measure and map comes from :mod:`geo`.
"""
