"""Lines cut by the coast tile by tile: the same as an overlay with the whole land."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from histmap.landtiles import LandTiles

# A coast with bays, an island and a lake: many tiles, some empty, some whole.
LAND = shapely.union_all(
    [
        shapely.Point(0, 0).buffer(40, quad_segs=32).difference(shapely.box(-5, -50, 5, 10)),
        shapely.Point(60, 10).buffer(8),
    ]
).difference(shapely.Point(-20, 20).buffer(6))
TILES = LandTiles(LAND, n=8)
coordinate = st.floats(-60, 80, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-600, 800), min_size=2, max_size=12, unique=True),
    st.lists(coordinate, min_size=12, max_size=12),
)
def test_lines_on_land_match_the_overlay_with_the_whole_land(xs, ys):
    # Lines running one way, as the contours of a front do (no stretch doubling back).
    line = np.column_stack([np.sort(xs) / 10.0, ys[: len(xs)]])
    got = TILES.lines_on_land([line])
    expected = shapely.intersection(shapely.LineString(line), LAND)
    expected_lines = [g for g in shapely.get_parts(expected) if g.geom_type == "LineString"]
    assert np.isclose(got.length, sum(g.length for g in expected_lines), rtol=1e-9, atol=1e-9)
    if not got.is_empty:
        assert shapely.covered_by(got, LAND.buffer(1e-9))
        assert shapely.hausdorff_distance(got, shapely.union_all(expected_lines)) < 1e-9


def test_a_line_across_tiles_comes_back_in_one_piece():
    # Straight through the land east of the bay, across several tiles.
    got = TILES.lines_on_land([np.array([[10.0, -30.0], [10.0, 30.0]])])
    assert got.geom_type == "LineString"
    assert np.isclose(got.length, 60.0)


def test_no_line_and_a_line_at_sea_give_nothing():
    assert TILES.lines_on_land([]).is_empty
    assert TILES.lines_on_land([np.array([[100.0, 100.0], [120.0, 90.0]])]).is_empty
