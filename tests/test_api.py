"""The public API: load_map, geometry at a date, and a pure core without matplotlib."""

import datetime as dt
import subprocess
import sys

import pytest
import shapely

import histmap
from histmap.model import UNHELD


def test_public_names():
    assert set(histmap.__all__) >= {"load_map", "HistMap", "MapError"}
    assert histmap.load_map.__doc__


def test_territories_at_is_a_partition_of_korea_in_lonlat(korea):
    parts = korea.territories_at("1950-09-20")
    assert parts.crs.to_epsg() == 4326
    assert sorted(parts["side"]) == ["north", "un"]
    union = shapely.union_all(parts.geometry.values)
    land = korea.world.land_lonlat
    assert shapely.symmetric_difference(union, land).area / land.area < 1e-3
    north, un = parts.set_index("side").geometry
    assert north.intersection(un).area / land.area < 1e-3


def test_dates_may_be_strings_or_dates(korea):
    a = shapely.area(korea.territories_at("1950-10-19").geometry.values).sum()
    b = shapely.area(korea.territories_at(dt.date(1950, 10, 19)).geometry.values).sum()
    assert a == pytest.approx(b)


def test_fronts_at_are_tagged_lines_on_land(korea):
    fronts = korea.fronts_at("1951-01-24")
    assert len(fronts) == 1
    row = fronts.iloc[0]
    assert {row.side_a, row.side_b} == {"north", "un"}
    assert row.geometry.geom_type in ("LineString", "MultiLineString")
    # The main line runs roughly 250 km across the peninsula; the other lines ring the
    # pockets behind it (the Chiri-san guerrillas and the KPA 10th Division that January).
    lines = shapely.get_parts(shapely.line_merge(row.geometry))
    assert 180 < max(line.length for line in lines) * 90 < 400
    assert korea.world.land_lonlat.buffer(0.01).contains(row.geometry)


def test_dates_outside_the_span_are_refused(korea):
    with pytest.raises(histmap.OptionError, match="outside the map's span"):
        korea.territories_at("1949-01-01")


def test_events_and_places_are_geodataframes(korea):
    assert korea.events.crs.to_epsg() == 4326 and len(korea.events) >= 5
    assert {"date", "title", "caption", "kind", "side", "source"} <= set(korea.events.columns)
    assert "Seoul" in set(korea.places["name"])
    assert UNHELD not in set(korea.territories_at("1953-07-27")["side"])


def test_the_core_does_not_import_matplotlib():
    code = (
        "import sys, histmap; m = histmap.load_map(); m.territories_at('1950-08-01'); "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
