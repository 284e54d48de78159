import datetime as dt
import json

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import histmap
from histmap.loader import FRONT_TOLERANCE_DEG, _covers, _follows, load_map_data


def test_builtin_map_loads_with_its_span_and_sides(korea):
    assert korea.span == (dt.date(1950, 6, 25), dt.date(1953, 7, 27))
    assert [s.id for s in korea.sides] == ["north", "un"]
    assert korea.snapshot_dates == sorted(korea.snapshot_dates)
    assert len(korea.snapshot_dates) >= 8
    assert korea.snapshot_dates[0] == dt.date(1950, 6, 25)
    assert korea.snapshot_dates[-1] == dt.date(1953, 7, 27)


def test_every_feature_of_the_builtin_map_names_a_source(korea):
    for snap in korea.data.snapshots:
        doc = json.loads(snap.path.read_text())
        assert all(f["properties"].get("source") for f in doc["features"]), snap.path
    assert korea.events["source"].str.len().min() > 0


def test_tiny_map_loads(tiny_map):
    data, warnings = load_map_data(tiny_map)
    assert warnings == []
    assert [s.date for s in data.snapshots] == [dt.date(1950, 6, 25), dt.date(1950, 7, 25)]
    assert set(data.snapshots[0].territories) == {"north", "un"}
    assert [p.name for p in data.places] == ["Seoul", "Pusan"]


def test_unknown_map_names_the_builtin_maps():
    with pytest.raises(histmap.MapError, match="korean_war"):
        histmap.load_map("no_such_map")


def test_all_problems_are_reported_in_one_run(tiny_map):
    toml = tiny_map / "map.toml"
    toml.write_text(toml.read_text().replace("title =", "titel ="))
    (tiny_map / "snapshots" / "1950-06-25.geojson").write_text("{not json")
    (tiny_map / "events.geojson").write_text(json.dumps({"type": "Feature"}))
    with pytest.raises(histmap.MapError) as info:
        histmap.load_map(tiny_map)
    text = str(info.value)
    assert "unknown key (did you mean 'title'?)" in text
    assert "'title': is required" in text
    assert "1950-06-25.geojson: is not valid JSON" in text
    assert "events.geojson: is not a GeoJSON FeatureCollection" in text


def test_feature_problems_name_file_feature_and_field(tiny_map):
    path = tiny_map / "snapshots" / "1950-07-25.geojson"
    doc = json.loads(path.read_text())
    doc["features"][0]["properties"]["side"] = "nrth"
    doc["features"][1]["geometry"]["coordinates"] = [
        [[34.5, 125], [34.5, 130], [36, 130], [34.5, 125]]
    ]
    path.write_text(json.dumps(doc))
    with pytest.raises(histmap.MapError) as info:
        histmap.load_map(tiny_map)
    problems = {(p.feature, p.field): p.message for p in info.value.problems}
    assert "'nrth' is not a side" in problems[("#0", "side")]
    assert "look like [lat, lon]" in problems[("#1", "geometry")]


def test_overlapping_territories_are_refused(tiny_map):
    path = tiny_map / "snapshots" / "1950-07-25.geojson"
    doc = json.loads(path.read_text())
    doc["features"][1]["geometry"]["coordinates"][0][2][1] = 38.0  # un reaches into north
    doc["features"][1]["geometry"]["coordinates"][0][3][1] = 38.0
    path.write_text(json.dumps(doc))
    with pytest.raises(histmap.MapError, match="'north' and 'un' overlap"):
        histmap.load_map(tiny_map)


def test_self_intersecting_polygon_is_repaired_with_a_warning(tiny_map):
    path = tiny_map / "snapshots" / "1950-07-25.geojson"
    doc = json.loads(path.read_text())
    ring = doc["features"][1]["geometry"]["coordinates"][0]
    ring[1], ring[2] = ring[2], ring[1]  # a bow tie
    path.write_text(json.dumps(doc))
    # The repaired bow tie holds half the box: let the rest of the land be nobody's.
    toml = tiny_map / "map.toml"
    toml.write_text(
        toml.read_text().replace('resolution = "l"', 'resolution = "l"\nallow_unheld = true')
    )
    data, warnings = load_map_data(tiny_map)
    assert any("invalid polygon" in w.message and "repaired" in w.message for w in warnings)
    assert data.snapshots[1].territories["un"].is_valid


def test_snapshot_outside_span_is_an_error(tiny_map):
    src = tiny_map / "snapshots" / "1950-07-25.geojson"
    src.rename(tiny_map / "snapshots" / "1951-01-01.geojson")
    with pytest.raises(histmap.MapError, match="outside the map's span"):
        histmap.load_map(tiny_map)


def test_empty_folder_is_explained(tmp_path):
    with pytest.raises(histmap.MapError) as info:
        histmap.load_map(tmp_path)
    assert "map.toml: missing" in str(info.value)
    assert "holds no snapshots" in str(info.value)


def test_a_front_away_from_the_territories_is_warned_about(tiny_map):
    path = tiny_map / "snapshots" / "1950-07-25.geojson"
    doc = json.loads(path.read_text())
    for y, name in ((36.5, "on the boundary"), (37.5, "a degree north of it")):
        doc["features"].append({"type": "Feature", "properties": {
            "kind": "front", "source": "test", "label": name},
            "geometry": {"type": "LineString", "coordinates": [[126.0, y], [129.0, y]]}})
    path.write_text(json.dumps(doc))
    _, warnings = load_map_data(tiny_map)
    fronts = [w for w in warnings if "front" in w.message]
    assert [w.feature for w in fronts] == ["front 1"]
    assert "100% of this front" in fronts[0].message


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.floats(-0.04, 0.04), min_size=2, max_size=12),
    wiggle=st.lists(st.floats(-0.01, 0.01), min_size=3, max_size=30),
)
def test_a_front_said_to_follow_never_strays_from_the_band(offsets, wiggle):
    """The cheap test of a front (points along it near the meeting line) says it follows only
    when the exact measure (the line less the buffered band) finds nothing astray."""
    meeting = shapely.LineString(np.column_stack([np.linspace(0, 1, len(wiggle)), wiggle]))
    front = shapely.LineString(np.column_stack([np.linspace(0.1, 0.9, len(offsets)), offsets]))
    stray = shapely.difference(front, meeting.buffer(FRONT_TOLERANCE_DEG)).length
    if _follows(front, meeting):
        assert stray < 1e-9
    if stray > 0.05 * front.length:  # what the check warns about is always measured
        assert not _follows(front, meeting)


@settings(max_examples=60, deadline=None)
@given(
    owners=st.lists(st.integers(0, 2), min_size=16, max_size=16),
    land=st.tuples(st.floats(0, 2), st.floats(0, 2), st.floats(2, 4), st.floats(2, 4)),
    overlap=st.booleans(),
)
def test_territories_cover_the_land_as_their_union_does(owners, land, overlap):
    """The coverage check's merge of sides meeting edge to edge (and its fallback for sides
    that overlap) decides as a union of the territories would; owner 2 leaves a cell unheld."""
    cells = [shapely.box(i % 4, i // 4, i % 4 + 1, i // 4 + 1) for i in range(16)]
    parts = [
        shapely.union_all([c for c, o in zip(cells, owners, strict=True) if o == side])
        for side in (0, 1)
    ]
    if overlap:
        parts[1] = shapely.union(parts[1], shapely.box(1.5, 1.5, 2.5, 2.5))
    area = shapely.box(*land)
    assert _covers(parts, area) == shapely.union_all(parts).covers(area)
