import pytest
import shapely

from histmap._errors import OptionError
from histmap.basemap import data_dir, load_basemap
from histmap.crs import Projector, default_projection

KOREA = (124.0, 33.0, 131.0, 43.0)


def test_basemap_is_cached_per_extent_and_resolution():
    assert load_basemap(KOREA, "l") is load_basemap(KOREA, "l")


def test_korean_land_coast_islands_borders_and_rivers():
    base = load_basemap(KOREA, "i")
    assert base.land.contains(shapely.Point(126.98, 37.57))  # Seoul
    assert not base.land.contains(shapely.Point(125.0, 36.0))  # the Yellow Sea
    jeju = [p for p in shapely.get_parts(base.land) if p.contains(shapely.Point(126.5, 33.4))]
    assert len(jeju) == 1 and jeju[0].area < 0.5  # an island of its own
    yalu_border = shapely.Point(124.9, 40.45)  # on the Yalu above Sinuiju
    assert base.borders.distance(yalu_border) < 0.15
    assert len(shapely.get_parts(base.rivers)) > 10


def test_land_is_clipped_to_the_extent():
    base = load_basemap(KOREA, "c")
    w, s, e, n = base.land.bounds
    assert w >= KOREA[0] and s >= KOREA[1] and e <= KOREA[2] and n <= KOREA[3]


def test_excluded_borders_are_dropped():
    modern = (124.0, 37.5, 128.5, 38.75)
    full = load_basemap(KOREA, "i")
    cut = load_basemap(KOREA, "i", (modern,))
    dmz_point = shapely.Point(127.0, 38.25)
    assert full.borders.distance(dmz_point) < 0.05
    assert cut.borders.distance(dmz_point) > 0.3


def test_missing_resolution_says_how_to_install_it(without_hires):
    assert data_dir("i") == without_hires
    with pytest.raises(OptionError, match=r"'f' is not installed.*pip install"):
        data_dir("f")


def test_default_projection_round_trips_and_is_metric():
    proj = Projector(default_projection(KOREA))
    line = shapely.LineString([(126.0, 37.0), (127.0, 37.0)])
    projected = proj.forward(line)
    assert 85_000 < projected.length < 95_000  # one degree of longitude at 37N, in metres
    back = proj.inverse(projected)
    assert shapely.equals_exact(back, line, tolerance=1e-7)
    assert proj.crs.is_projected


def test_areas_cut_at_the_extent_follow_the_parallels_near_a_pole():
    # Land cut at 76 N across 65 degrees of longitude: projected, its edge must follow the
    # parallel, which the cone curves by some 240 km here, not cut straight between the ends.
    extent = (-75.0, 76.0, -10.0, 84.0)
    projector = Projector(default_projection(extent))
    drawn = projector.forward_area(shapely.box(*extent))
    x, y = projector.points([-75.0, -42.5, -10.0], [76.0, 76.0, 76.0])
    assert y[1] < y[0] - 200e3  # the parallel's middle lies far below its ends
    assert drawn.distance(shapely.Point(x[1], y[1])) < 100
    assert drawn.bounds[1] == pytest.approx(y[1], abs=100)
