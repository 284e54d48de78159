"""Each side's share of the land: measured on an equal-area projection, exact on snapshot
dates, summing to one in between, and shown in the panel without crowding it."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import histmap
from histmap._dates import to_day
from histmap.cli import main
from histmap.draw import FrameRenderer
from histmap.model import UNHELD
from histmap.shares import whole_percents

EQUAL_AREA = "EPSG:6933"
"""A world cylindrical equal-area projection: another measure than the engine's own."""


def geopandas_shares(world, partition: dict) -> dict[str, float]:
    """Each side's share of the land, measured independently with geopandas."""
    areas = gpd.GeoSeries(list(partition.values()), crs=world.projection).to_crs(EQUAL_AREA).area
    land = gpd.GeoSeries([world.morph.land], crs=world.projection).to_crs(EQUAL_AREA).area[0]
    return {side: float(area / land) for side, area in zip(partition, areas, strict=True)}


@pytest.mark.parametrize("index", [0, 9, 20, 40, -1])
def test_on_a_snapshot_date_the_shares_are_its_areas(korea, index):
    world = korea.world
    keyframe = world.morph.keyframes[index]
    shares = world.land_shares.at(keyframe.day)
    expected = geopandas_shares(world, world.morph.exact(index % len(world.morph.keyframes)))
    for side in ("north", "un"):
        assert shares[side] == pytest.approx(expected[side], abs=2e-5), side
    assert sum(shares.values()) == pytest.approx(1.0)


def test_between_snapshots_the_shares_are_the_morphs_areas_and_change_smoothly(korea):
    world = korea.world
    days = [k.day for k in world.morph.keyframes]
    # The breakout from the Pusan perimeter: the front moves a long way between snapshots.
    i = next(n for n, d in enumerate(days) if d >= to_day("1950-09-20"))
    middle = (days[i] + days[i + 1]) / 2
    shares = world.land_shares.at(middle)
    expected = geopandas_shares(world, world.morph.territories(middle))
    assert shares["un"] == pytest.approx(expected["un"], abs=0.003)
    # No jump where the grid's measure meets a snapshot's exact one.
    for day in (days[i], days[i + 1]):
        before, after = world.land_shares.at(day - 1e-3), world.land_shares.at(day + 1e-3)
        assert abs(before["un"] - after["un"]) < 1e-3


def test_shares_are_true_areas_whatever_the_maps_projection(tiny_map):
    """On a Mercator map the north swells: its drawn areas are not the shares of the land."""
    toml = tiny_map / "map.toml"
    toml.write_text('projection = "EPSG:3857"\n' + toml.read_text())
    world = histmap.load_map(tiny_map).world
    shares = world.land_shares.at(world.morph.keyframes[0].day)
    exact = world.morph.exact(0)
    drawn = exact["north"].area / world.morph.land.area
    assert shares["north"] == pytest.approx(geopandas_shares(world, exact)["north"], abs=1e-4)
    assert drawn - shares["north"] > 0.004  # 0.006 here: the swelling of 1.5 degrees


@settings(max_examples=25, deadline=None)
@given(st.floats(0, 1))
def test_the_shares_sum_to_one_over_the_land(korea, fraction):
    world = korea.world
    start, end = world.morph.keyframes[0].day, world.morph.keyframes[-1].day
    shares = world.land_shares.at(start + fraction * (end - start))
    assert set(shares) == {"north", "un", UNHELD}
    assert all(0.0 <= s <= 1.0 for s in shares.values())
    assert sum(shares.values()) == pytest.approx(1.0)


@given(st.lists(st.floats(0.001, 1), min_size=1, max_size=12))
def test_whole_percents_add_up_to_100_and_stay_within_one_of_the_share(weights):
    shares = {f"s{i}": w / sum(weights) for i, w in enumerate(weights)}
    percents = whole_percents(shares)
    assert sum(percents.values()) == 100
    assert all(abs(percents[s] - 100 * shares[s]) < 1 for s in shares)


def test_a_frame_costs_a_few_milliseconds(korea):
    world = korea.world
    days = [k.day for k in world.morph.keyframes]
    i = next(n for n, d in enumerate(days) if d >= to_day("1950-11-24"))
    world.land_shares.at(days[i] + 0.5)  # the two snapshots' fields and exact areas, once
    start = time.perf_counter()
    for k in range(20):
        world.land_shares.at(days[i] + 0.5 + k * (days[i + 1] - days[i] - 1) / 20)
    assert (time.perf_counter() - start) / 20 < 0.03


# -- map.toml ----------------------------------------------------------------------------------


def test_shares_are_off_unless_the_map_asks(tiny_map):
    hmap = histmap.load_map(tiny_map)
    assert hmap.world.scene(hmap._day("1950-07-10")).shares is None
    toml = tiny_map / "map.toml"
    toml.write_text(toml.read_text() + "\n[panel]\nshares = true\n")
    shares = histmap.load_map(tiny_map).world.scene(hmap._day("1950-07-10")).shares
    assert shares is not None and sum(shares.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ('shares = "yes"', "field 'panel.shares': must be true or false, not string"),
        ("share = true", "did you mean 'panel.shares'?"),
    ],
)
def test_check_refuses_a_bad_panel_setting(tiny_map, capsys, table, said):
    toml = tiny_map / "map.toml"
    toml.write_text(toml.read_text() + f"\n[panel]\n{table}\n")
    assert main(["check", str(tiny_map)]) == 1
    out = capsys.readouterr().out
    assert "map.toml" in out and said in out, out


# -- the panel ---------------------------------------------------------------------------------


def apart(a, b) -> bool:
    """Two window boxes that do not overlap (touching edges allowed)."""
    return not a.padded(-0.5).overlaps(b)


@pytest.mark.parametrize(
    ("lang", "size"),
    [
        ("en", (1280, 720)), ("ko", (1280, 720)), ("fr", (960, 720)), ("ko", (720, 720)),
        ("en", (1080, 1920)), ("fr", (1080, 1920)),
    ],
)  # fmt: skip
def test_the_counters_fit_the_panel_beside_the_legend_and_the_list(lang, size):
    hmap = histmap.load_map("korean_war", lang)
    assert hmap.world.data.spec.shares
    renderer = FrameRenderer(hmap.world, size, layered=False)
    day = hmap._day("1950-11-28")  # eight main events listed
    scene = hmap.world.scene(day)
    renderer.render(scene)
    report, ctx = renderer.report(), renderer.ctx
    counters, panel = ctx.panel_boxes["shares"], report.panel_box
    assert panel.x0 <= counters.x0 and counters.x1 <= panel.x1 + 1
    assert panel.y0 <= counters.y0 and counters.y1 <= panel.y1 + 1
    assert apart(counters, report.legend_box)
    listed = report.texts["caption"]
    assert apart(counters, listed) and apart(listed, ctx.panel_boxes["credits"])
    assert listed.y0 >= panel.y0
    # Each side's number, as the language writes it, in its part of the bar.
    numbers = [t.get_text() for t in ctx.panel_ax.texts if t.get_text()]
    numbers = [n for n in numbers if not n.strip("0123456789%\xa0 ")]
    percents = whole_percents(scene.shares)
    tr = ctx.tr
    assert sorted(numbers) == sorted(tr.percent(percents[s] / 100) for s in ("north", "un"))
    heading = tr.gettext("Share of the land")
    assert heading in [t.get_text() for t in ctx.panel_ax.texts]
    if lang != "en":
        assert heading != "Share of the land"


def test_the_bar_is_cut_at_the_shares(korea):
    renderer = FrameRenderer(korea.world, (1280, 720))
    scene = korea.world.scene(korea._day("1950-09-01"))  # the Pusan perimeter
    renderer.render(scene)
    layer = next(layer for layer in renderer.layers if layer.name == "PanelShares")
    widths = {side: part.get_width() for side, part in layer._parts}
    total = sum(widths.values())
    quarter_px = 1 / (4 * layer._px * total)  # the parts end on quarter pixels
    assert widths["un"] / total == pytest.approx(scene.shares["un"], abs=quarter_px)
    assert scene.shares["un"] < 0.2 < scene.shares["north"]
    frame = renderer.render(korea.world.scene(korea._day("1950-11-24")))
    assert np.asarray(frame).shape[:2] == (720, 1280)
    assert layer._parts[1][1].get_width() / total == pytest.approx(
        korea.world.land_shares.at(korea._day("1950-11-24"))["un"], abs=2 * quarter_px
    )


def test_counters_drawn_before_are_laid_again_as_a_fresh_renderer_draws_them(korea):
    """The counters' pixels are kept by what they show: laid again, they are the pixels a
    renderer that never drew them before draws."""
    world, day = korea.world, korea._day("1950-09-01")
    seen = FrameRenderer(world, (640, 360))
    for d in (day, day + 40, day):  # drawn at ``day``, then another share, then ``day`` again
        again = np.asarray(seen.render(world.scene(d))).copy()
    layer = next(layer for layer in seen.layers if layer.name == "PanelShares")
    assert len(layer._drawn) == 2
    fresh = np.asarray(FrameRenderer(world, (640, 360)).render(world.scene(day)))
    assert np.array_equal(again[layer._region], fresh[layer._region])
    other = np.asarray(FrameRenderer(world, (640, 360)).render(world.scene(day + 40)))
    assert not np.array_equal(other[layer._region], fresh[layer._region])
