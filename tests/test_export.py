"""Time-stamped exports for GIS tools: read back with geopandas, compared with the engine."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
import shapely

import histmap
from histmap.cli import main
from histmap.export import export_days, series

DATES = ["1950-06-25", "1950-09-17", "1950-09-20", "1951-01-24"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> gpd.GeoDataFrame:
    out = tmp_path_factory.mktemp("export") / "korea.geojson"
    histmap.load_map().export(out, dates=DATES, workers=1)
    return gpd.read_file(out)


def test_every_feature_has_its_date_kind_and_side(exported):
    assert sorted(set(exported["date"].astype(str))) == DATES
    assert exported.crs.to_epsg() == 4326
    for date, rows in exported.groupby(exported["date"].astype(str)):
        territories = rows[rows.kind == "territory"]
        assert sorted(territories.side) == ["north", "un"], date
        fronts = rows[rows.kind == "front"]
        assert len(fronts) == 1 and {fronts.side.iloc[0], fronts.side_b.iloc[0]} == {"north", "un"}
        assert set(shapely.get_type_id(fronts.geometry.values)) <= {1, 5}  # lines only


@pytest.mark.parametrize("date", ["1950-09-20", "1950-09-17"])  # a snapshot, and between two
def test_a_days_territories_match_territories_at(exported, korea, date):
    rows = exported[(exported["date"].astype(str) == date) & (exported.kind == "territory")]
    engine = korea.territories_at(date).set_index("side").geometry
    for row in rows.itertuples():
        expected = engine[row.side]
        # The same partition to rounding (coordinates are written to 1e-6 degree).
        a, b = shapely.make_valid([row.geometry, expected])
        apart = shapely.symmetric_difference(a, b, grid_size=1e-6)
        assert apart.area < 1e-5 * expected.area


def test_a_hold_before_a_cut_is_computed_once(korea, monkeypatch):
    # 1950-09-15 (Inchon) is a cut: the days before it hold the 1950-09-06 snapshot.
    calls = []
    quick = type(korea.world.morph).territories_quick
    monkeypatch.setattr(
        type(korea.world.morph), "territories_quick", lambda m, d: calls.append(d) or quick(m, d)
    )
    dates = ["1950-09-06", "1950-09-08", "1950-09-10", "1950-09-15"]
    frame = series(korea.world, export_days(korea.world, dates=dates))
    assert len(calls) == 2
    held = [frame[frame.date == d].geometry.values for d in dates[:3]]
    assert all(
        shapely.equals_exact(held[0], held[1], 0) & shapely.equals_exact(held[0], held[2], 0)
    )


def test_every_step_and_span(korea):
    days = export_days(korea.world, every="2w")
    assert days[0] == dt.date(1950, 6, 25).toordinal()
    assert set(map(float.__sub__, days[1:], days[:-1])) == {14.0}
    assert len(export_days(korea.world)) == (korea.span[1] - korea.span[0]).days + 1


def test_cli_writes_a_geopackage_with_real_dates(tmp_path, capsys):
    out = tmp_path / "k.gpkg"
    assert main(["export", "-o", str(out), "--dates", "1950-09-15,1950-12-15"]) == 0
    frame = gpd.read_file(out)
    assert sorted({d.date().isoformat() for d in frame["date"]}) == ["1950-09-15", "1950-12-15"]
    assert not list(tmp_path.glob(".*"))  # no temporary file or lock left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.shp"], ".geojson (or .json) or .gpkg"),
        (["-o", "x.geojson", "--every", "often"], "--every 'often'"),
        (["-o", "x.geojson", "--dates", "1940-01-01"], "--dates"),
    ],
)
def test_cli_refuses_bad_options_without_writing(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(["export", *args]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
