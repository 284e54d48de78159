"""The interpolation engine: partition, exactness, continuity and topology changes."""

from itertools import pairwise

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from histmap.interpolate import Keyframe, Morph, ease, fronts_of
from histmap.model import UNHELD

MAIN = box(0, 0, 100, 200)
ISLAND = Point(160, 100).buffer(15)
LAND = shapely.union(MAIN, ISLAND)
FAR = box(-500, -500, 600, 700)


def below(y) -> shapely.Geometry:
    """Everything south of a line (scalar: a parallel; array: heights at x = 0, 50, ..., 200)."""
    ys = np.broadcast_to(np.asarray(y, float), (5,))
    xs = np.linspace(-50, 250, 5)
    return shapely.Polygon([(-50, -100), *zip(xs, ys, strict=True), (250, -100)])


def two_sides(y) -> dict:
    south = below(y)
    return {"a": FAR.difference(south), "b": south}


def area_gap(parts: dict, land=LAND) -> float:
    union = shapely.union_all(list(parts.values()))
    return shapely.symmetric_difference(union, land).area / land.area


def overlap(parts: dict, land=LAND) -> float:
    geoms = list(parts.values())
    return (
        sum(
            geoms[i].intersection(geoms[j]).area
            for i in range(len(geoms))
            for j in range(i + 1, len(geoms))
        )
        / land.area
    )


def moved(m: Morph, d0: float, d1: float, side="b") -> float:
    return shapely.symmetric_difference(
        m.territories(d0).get(side, shapely.Polygon()),
        m.territories(d1).get(side, shapely.Polygon()),
    ).area


heights = st.lists(st.floats(20, 180), min_size=5, max_size=5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h0=heights, h1=heights, t=st.floats(0, 1))
def test_random_partitions_hold_at_random_instants(h0, h1, t):
    m = Morph(
        [Keyframe(0, two_sides(h0)), Keyframe(30, two_sides(h1))], LAND, ["a", "b"], max_cells=120
    )
    parts = m.territories(30 * t)
    assert area_gap(parts) < 1e-3
    assert overlap(parts) < 1e-3
    for k, h in ((0, h0), (30, h1)):
        exact = {s: g.intersection(LAND) for s, g in two_sides(h).items()}
        got = m.territories(k)
        for side, geom in exact.items():
            assert (
                shapely.symmetric_difference(got.get(side, shapely.Polygon()), geom).area
                / LAND.area
                < 1e-3
            )


def largest_move(m: Morph, frames: int) -> float:
    days = np.linspace(0, 30, frames)
    parts = [m.territories(d)["b"] for d in days]
    return max(shapely.symmetric_difference(p, q).area for p, q in pairwise(parts))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h0=heights, h1=heights)
def test_doubling_the_frame_rate_roughly_halves_the_largest_move(h0, h1):
    # On one connected land mass: a detached piece (an island) changing hands goes
    # early and fast in its segment, by design (see the module's limits).
    m = Morph(
        [Keyframe(0, two_sides(h0)), Keyframe(30, two_sides(h1))], MAIN, ["a", "b"], max_cells=120
    )
    coarse, fine = largest_move(m, 16), largest_move(m, 31)
    if coarse < 1.0:  # the front hardly moves
        return
    assert 0.3 < fine / coarse < 0.7


def test_a_front_that_translates_moves_at_constant_speed():
    m = Morph([Keyframe(0, two_sides(150)), Keyframe(10, two_sides(50))], MAIN, ["a", "b"])
    for day, expected in ((2.5, 125), (5, 100), (7.5, 75)):
        fronts = m.fronts(day)
        assert len(fronts) == 1
        line, a, b = fronts[0]
        assert (a, b) == ("a", "b")
        ys = shapely.get_coordinates(line)[:, 1]
        assert abs(ys.mean() - expected) < 1.5


def test_front_is_never_the_coast():
    m = Morph([Keyframe(0, two_sides(150)), Keyframe(10, two_sides(50))], LAND, ["a", "b"])
    ((line, _, _),) = m.fronts(4)
    # Every front vertex lies inside the land, not along its outline.
    coast = LAND.boundary
    inner = [p for p in shapely.points(shapely.get_coordinates(line)) if coast.distance(p) > 1]
    assert len(inner) >= 0.8 * len(shapely.get_coordinates(line))
    assert line.length < 100 + 2 * 30 + 5  # across the mainland and the island, no coastline


def test_landing_pocket_appears_grows_and_merges():
    pocket = Point(50, 160).buffer(12)
    k0 = two_sides(40)
    k1 = {"a": k0["a"].difference(pocket), "b": k0["b"].union(pocket)}
    k2 = two_sides(175)
    m = Morph([Keyframe(0, k0), Keyframe(1, k1), Keyframe(11, k2)], MAIN, ["a", "b"])
    assert len(shapely.get_parts(m.territories(1)["b"])) == 2  # the beachhead on landing day
    areas = [m.territories(d)["b"].area for d in (1, 4, 7, 10)]
    assert areas == sorted(areas)
    assert len(shapely.get_parts(m.territories(11)["b"])) == 1  # linked up


def test_evacuated_pocket_shrinks_then_vanishes():
    pocket = Point(50, 160).buffer(20)
    k0 = two_sides(40)
    k0 = {"a": k0["a"].difference(pocket), "b": k0["b"].union(pocket)}
    m = Morph([Keyframe(0, k0), Keyframe(10, two_sides(40))], MAIN, ["a", "b"])
    # A pocket far from its side's main area goes early in the segment (see the
    # module's limits): it shrinks over the first day and a half here.
    in_pocket = [
        m.territories(d)["b"].intersection(box(0, 120, 100, 200)).area for d in (0, 0.5, 1.0, 10)
    ]
    assert in_pocket[0] > in_pocket[1] > in_pocket[2]
    assert in_pocket[3] == 0


def test_encirclement_splits_an_area():
    corridor = box(40, -100, 60, 300)
    k1 = {"a": FAR.difference(below(100)).difference(corridor), "b": below(100).union(corridor)}
    m = Morph([Keyframe(0, two_sides(100)), Keyframe(10, k1)], MAIN, ["a", "b"])
    assert len(shapely.get_parts(m.territories(0)["a"])) == 1
    assert len(shapely.get_parts(m.territories(10)["a"])) == 2
    assert len(shapely.get_parts(m.territories(9.8)["a"])) == 2
    areas = [m.territories(d)["a"].area for d in (0, 3, 6, 9, 10)]
    assert areas == sorted(areas, reverse=True)


def bands(x1, x2) -> dict:
    """Three sides side by side: a west of x1, b between, c east of x2."""
    return {
        "a": box(-50, -50, x1, 250),
        "b": box(x1, -50, x2, 250),
        "c": box(x2, -50, 250, 250),
    }


def test_three_sides_share_the_land():
    m = Morph([Keyframe(0, bands(30, 60)), Keyframe(10, bands(50, 80))], MAIN, ["a", "b", "c"])
    for day in (0, 3.3, 5, 10):
        parts = m.territories(day)
        assert set(parts) == {"a", "b", "c"}
        assert area_gap(parts, MAIN) < 1e-3 and overlap(parts, MAIN) < 1e-3
    pairs = {(a, b) for _, a, b in m.fronts(5)}
    assert pairs == {("a", "b"), ("b", "c")}
    assert abs(m.territories(5)["a"].bounds[2] - 40) < 1.5


def test_island_keeps_its_side_while_the_mainland_changes_hands():
    k0 = {"a": FAR}
    k1 = {"a": ISLAND.buffer(5), "b": FAR.difference(ISLAND.buffer(5))}
    m = Morph([Keyframe(0, k0), Keyframe(10, k1)], LAND, ["a", "b"])
    for day in (0, 2, 5, 8, 10):
        assert m.territories(day)["a"].contains(ISLAND.buffer(-1))
    assert fronts_of(m.territories(10)) == []  # the sea between them is no front
    assert m.territories(10)["b"].area == pytest.approx(MAIN.area, rel=1e-3)


def test_cut_transition_holds_then_switches():
    m = Morph([Keyframe(0, two_sides(150)), Keyframe(10, two_sides(50), "cut")], MAIN, ["a", "b"])
    assert m.territories(9.9)["b"].area == pytest.approx(100 * 150, rel=1e-6)
    assert m.territories(10)["b"].area == pytest.approx(100 * 50, rel=1e-6)


def test_land_no_side_holds_is_kept_apart_and_has_no_front():
    k0 = {"a": box(-50, 120, 250, 250), "b": box(-50, -50, 250, 80)}  # 80..120 unheld
    m = Morph([Keyframe(0, k0), Keyframe(10, two_sides(100))], MAIN, ["a", "b"])
    parts = m.territories(0)
    assert parts[UNHELD].area == pytest.approx(100 * 40, rel=1e-6)
    assert area_gap(m.territories(5), MAIN) < 1e-3
    assert all(UNHELD not in (a, b) for _, a, b in m.fronts(0))
    assert UNHELD not in m.territories(10)


def test_drawing_regions_are_disjoint_and_match_the_territories():
    m = Morph([Keyframe(0, two_sides(150)), Keyframe(10, two_sides(50))], LAND, ["a", "b"])
    regions = m.regions(5)
    assert regions["a"].intersection(regions["b"]).area < 1.0
    clipped = regions["b"].intersection(LAND)
    assert shapely.symmetric_difference(clipped, m.territories(5)["b"]).area < 1e-3 * LAND.area
    ((lines, a, b),) = m.boundaries(5)
    assert (a, b) == ("a", "b") and np.allclose(np.concatenate(lines)[:, 1].mean(), 100, atol=2)


def test_easing_keeps_the_ends_and_the_middle():
    assert ease(0.0, "ease-in-out") == 0.0 and ease(1.0, "ease-in-out") == 1.0
    assert ease(0.2, "ease-in-out") < 0.2 < ease(0.8, "ease-in-out") - 0.5


def test_before_and_after_the_keyframes_the_ends_hold():
    m = Morph([Keyframe(0, two_sides(150)), Keyframe(10, two_sides(50))], MAIN, ["a", "b"])
    assert m.territories(-5)["b"].area == pytest.approx(15000, rel=1e-6)
    assert m.territories(50)["b"].area == pytest.approx(5000, rel=1e-6)


def test_gains_lie_between_the_two_fronts_and_vanish_while_the_front_is_still():
    """Side b pushes north from y=60 to y=140: what it took lies between the two lines,
    on land; nothing is taken while the front holds."""
    m = Morph(
        [Keyframe(0, two_sides(60)), Keyframe(10, two_sides(140)), Keyframe(20, two_sides(140))],
        LAND,
        ["a", "b"],
    )
    gains = m.gains(10, 0)
    assert set(gains) == {"b"}
    taken = shapely.intersection(gains["b"], MAIN)
    between = box(0, 60, 100, 140)
    assert taken.area == pytest.approx(between.area, rel=0.05)
    assert shapely.difference(taken, between.buffer(3)).area < 0.01 * between.area
    # Halfway, what is taken so far reaches up to the moving front only.
    half = shapely.intersection(m.gains(5, 0)["b"], MAIN)
    assert half.area == pytest.approx(box(0, 60, 100, 100).area, rel=0.08)
    assert m.gains(20, 10) == {}
    assert m.gains(15, 15) == {}


def test_gains_of_three_sides_each_lie_where_that_side_advanced():
    """Any number of sides: a takes the band 30..50 from b while b takes 60..80 from c."""
    m = Morph([Keyframe(0, bands(30, 60)), Keyframe(10, bands(50, 80))], MAIN, ["a", "b", "c"])
    gains = m.gains(10, 0)
    assert set(gains) == {"a", "b"}  # c lost ground and took none
    for side, band in (("a", box(30, 0, 50, 200)), ("b", box(60, 0, 80, 200))):
        taken = shapely.intersection(gains[side], MAIN)
        assert taken.area == pytest.approx(band.area, rel=0.05), side
        assert shapely.difference(taken, band.buffer(2)).area < 0.01 * band.area, side


def test_a_front_standing_still_between_keyframes_is_one_state_drawn_once():
    """Keyframes drawing the same territories (a stalemate) make one state: every instant
    between them has the first one's areas, the very same objects (drawn once), and no
    gains; a keyframe that moves the line starts a blend again."""
    still = two_sides(100)
    m = Morph(
        [Keyframe(0, still), Keyframe(10, two_sides(100)), Keyframe(20, two_sides(60))],
        LAND,
        ["a", "b"],
        max_cells=80,
    )
    assert [m.state(d) for d in (0, 3.5, 10, 15)] == [(0, 0.0), (0, 0.0), (0, 0.0), (1, 0.5)]
    assert m.regions(3.5)["b"] is m.regions(7.25)["b"]
    assert m.regions(3.5)["b"].equals(m.regions(0)["b"])
    assert m.gains(9.0, 2.0) == {}
    assert "a" in m.gains(20, 12) and m.regions(15)["b"] is not m.regions(3.5)["b"]
