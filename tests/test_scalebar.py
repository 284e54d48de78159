"""The scale bar says how long it is on the ground, in any projection (metres, feet, degrees)."""

import numpy as np
import pytest
from matplotlib.lines import Line2D
from matplotlib.text import Text
from pyproj import Geod

import histmap
from histmap._dates import to_day
from histmap.draw import FrameRenderer
from histmap.draw.layers.scalebar import ScaleBar, round_length_km

PROJECTIONS = {
    "degrees": "EPSG:4326",
    "US feet": "+proj=tmerc +lat_0=36.75 +lon_0=127.5 +k=0.9999 +ellps=GRS80 +units=us-ft",
    "metres, true scale far from the bar": "+proj=eqc +lat_ts=60 +lon_0=127.5",
}


def drawn_bar(renderer: FrameRenderer) -> tuple[float, float]:
    """The bar's label in km, and the geodesic length of the bar as drawn, in km, on the
    map's first snapshot (the renderer builds the view's layers with its first scene)."""
    world = renderer.world
    renderer.render(world.scene(to_day(world.data.snapshots[0].date)))
    layer = next(layer for layer in renderer.layers if isinstance(layer, ScaleBar))
    line = next(a for a in layer.artists if isinstance(a, Line2D))
    label = next(a for a in layer.artists if isinstance(a, Text))
    (x0, x1), (y, _) = line.get_xdata(), line.get_ydata()
    x = np.linspace(x0, x1, 500)
    lon, lat = renderer.world.projector.inverse_points(x, np.full_like(x, y))
    metres = Geod(ellps="WGS84").line_length(lon, lat)
    number, unit = label.get_text().split()
    assert unit == "km"
    return float(number), metres / 1000


@pytest.mark.parametrize("projection", PROJECTIONS.values(), ids=PROJECTIONS.keys())
def test_the_bar_is_as_long_on_the_ground_as_its_label_says(tiny_map, projection):
    toml = tiny_map / "map.toml"
    toml.write_text(f'projection = "{projection}"\n' + toml.read_text())
    renderer = FrameRenderer(histmap.load_map(tiny_map).world, (640, 360))
    label_km, ground_km = drawn_bar(renderer)
    assert abs(ground_km - label_km) < 0.1 * label_km
    # About a fifth of the map's width: the map is about 360 km wide.
    assert label_km in (50, 100)


def test_the_korean_war_bar_is_300_km(korea):
    label_km, ground_km = drawn_bar(FrameRenderer(korea.world, (640, 360)))
    assert label_km == 300 and abs(ground_km - 300) < 3


def test_round_lengths():
    assert round_length_km(1_664_000) == 300
    assert round_length_km(40_000_000) == 5000
    assert round_length_km(100) == 1
