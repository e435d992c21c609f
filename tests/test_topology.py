"""The TopoJSON encoder of the map payload: exact round trip, shared arcs, delta encoding."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.outputs.topology import decode, encode

Q = 0.001


def feature(geometry: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def square(x: float, y: float, size: float = 1.0) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def snapped(coords: Any) -> Any:
    if isinstance(coords[0], int | float):
        return [round(coords[0] / Q) * Q, round(coords[1] / Q) * Q]
    return [snapped(c) for c in coords]


def close(a: Any, b: Any) -> bool:
    if isinstance(a, int | float):
        return abs(a - b) < 1e-9
    return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))


def test_two_countries_store_their_common_border_once() -> None:
    west = {"type": "Polygon", "coordinates": [square(0, 0)]}
    east = {"type": "Polygon", "coordinates": [square(1, 0)]}
    topo = encode({"land": [feature(west, iso="W"), feature(east, iso="E")]}, quantum=Q)
    rings = [g["arcs"][0] for g in topo["objects"]["land"]["geometries"]]
    shared = set(rings[0]) & {~i for i in rings[1]}
    assert len(shared) == 1  # the border x = 1, used forwards by one and backwards by the other
    decoded = decode(topo)["land"]["features"]
    for f, want in zip(decoded, (west, east), strict=True):
        assert f["properties"]["iso"] in "WE"
        ring = f["geometry"]["coordinates"][0]
        assert {tuple(p) for p in ring} == {tuple(p) for p in want["coordinates"][0]}
        assert ring[0] == ring[-1]


def test_arcs_are_delta_encoded_on_the_grid() -> None:
    line = {"type": "LineString", "coordinates": [[10.0004, 20.0], [10.003, 20.002], [10.0, 20.0]]}
    topo = encode({"features": [feature(line, id="a")]}, quantum=Q)
    assert topo["transform"] == {"scale": [Q, Q], "translate": [10.0, 20.0]}
    assert topo["arcs"] == [[[0, 0], [3, 2], [-3, -2]]]  # 10.0004 rounds to the corner
    assert all(isinstance(v, int) for arc in topo["arcs"] for p in arc for v in p)


def test_points_are_quantised_but_absolute() -> None:
    topo = encode(
        {"places": [feature({"type": "Point", "coordinates": [100.5, 13.25]}, id="x")]}, quantum=Q
    )
    geom = topo["objects"]["places"]["geometries"][0]
    assert geom["coordinates"] == [500, 250] and topo["arcs"] == []
    assert decode(topo)["places"]["features"][0]["geometry"]["coordinates"] == [100.5, 13.25]


def test_the_same_ring_in_two_objects_is_one_arc_whatever_its_start() -> None:
    ring = square(2, 2)
    turned = [*ring[2:-1], *ring[:3]]  # same ring, starting elsewhere, reversed below
    a = {"type": "Polygon", "coordinates": [ring]}
    b = {"type": "Polygon", "coordinates": [turned[::-1]]}
    topo = encode({"zones": [feature(a)], "bands": [feature(b)]}, quantum=Q)
    assert len(topo["arcs"]) == 1


def test_a_line_along_a_border_shares_it() -> None:
    west = {"type": "Polygon", "coordinates": [square(0, 0)]}
    east = {"type": "Polygon", "coordinates": [square(1, 0)]}
    border = {"type": "LineString", "coordinates": [[1, 0], [1, 1]]}
    topo = encode(
        {"land": [feature(west), feature(east)], "features": [feature(border, id="b")]}, quantum=Q
    )
    line_arcs = topo["objects"]["features"]["geometries"][0]["arcs"]
    land_arcs = {abs(i) if i >= 0 else ~i for g in topo["objects"]["land"]["geometries"]
                 for i in g["arcs"][0]}  # fmt: skip
    assert (
        len(line_arcs) == 1 and (line_arcs[0] if line_arcs[0] >= 0 else ~line_arcs[0]) in land_arcs
    )


def test_touching_at_one_corner_cuts_nothing() -> None:
    a = {"type": "Polygon", "coordinates": [square(0, 0)]}
    b = {"type": "Polygon", "coordinates": [square(1, 1)]}  # shares only (1, 1)
    topo = encode({"land": [feature(a), feature(b)]}, quantum=Q)
    assert len(topo["arcs"]) == 2


def test_holes_multi_geometries_and_missing_geometry_survive() -> None:
    poly = {"type": "Polygon", "coordinates": [square(0, 0, 4), square(1, 1)[::-1]]}
    multi = {"type": "MultiPolygon", "coordinates": [[square(10, 0)], [square(12, 0)]]}
    lines = {"type": "MultiLineString", "coordinates": [[[0, 5], [3, 5]], [[3, 5], [3, 8]]]}
    feats = [feature(poly, n=1), feature(multi, n=2), feature(lines, n=3), feature(None, n=4)]
    decoded = decode(encode({"features": feats}, quantum=Q))["features"]["features"]
    assert [f["properties"]["n"] for f in decoded] == [1, 2, 3, 4]
    for f, want in zip(decoded[:3], feats[:3], strict=True):
        assert f["geometry"]["type"] == want["geometry"]["type"]
        assert close(f["geometry"]["coordinates"], want["geometry"]["coordinates"])
    assert decoded[3]["geometry"] is None


coordinate = st.tuples(
    st.integers(0, 40).map(lambda i: 100 + i * 0.25), st.integers(0, 40).map(lambda i: i * 0.25)
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(coordinate, min_size=2, max_size=8), min_size=1, max_size=6))
def test_any_lines_decode_to_their_snapped_positions(
    lines: list[list[tuple[float, float]]],
) -> None:
    """Lines on a coarse grid meet, cross and overlap a lot: the arcs must still give back
    every line exactly (repeated positions dropped)."""
    feats = [feature({"type": "LineString", "coordinates": [list(p) for p in ln]}) for ln in lines]
    decoded = decode(encode({"features": feats}, quantum=Q))["features"]["features"]
    for f, ln in zip(decoded, lines, strict=True):
        want = [list(p) for i, p in enumerate(ln) if i == 0 or p != ln[i - 1]]
        want = want if len(want) >= 2 else want * 2
        assert close(f["geometry"]["coordinates"], snapped(want))
