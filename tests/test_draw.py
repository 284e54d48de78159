"""Drawing: frame geometry, colours where each side holds the land, layers, labels."""

import matplotlib as mpl
import numpy as np
import pytest

from histmap._dates import to_day
from histmap.draw import FrameRenderer, polygon_path
from histmap.options import parse_size
from histmap.style import Theme

PUSAN = (129.04, 35.10)
INTERIOR_NORTH = (126.8, 40.3)  # mountains between Kanggye and the Chongchon, no labels
INTERIOR_SOUTH = (128.5, 36.9)  # the hills north of Andong


THEME = Theme()


def blended(colour: str, theme: Theme = THEME) -> np.ndarray:
    """The colour a territory fill makes over the land."""
    fill = np.array(mpl.colors.to_rgb(colour))
    land = np.array(mpl.colors.to_rgb(theme.land))
    a = theme.territory_alpha
    return (fill * a + land * (1 - a)) * 255


def patch_colour(frame: np.ndarray, rc: tuple[int, int], r: int = 2) -> np.ndarray:
    row, col = rc
    return np.median(frame[row - r : row + r + 1, col - r : col + r + 1].reshape(-1, 3), axis=0)


@pytest.fixture(scope="module")
def renderer(korea):
    return FrameRenderer(korea.world, (640, 360))


def test_frame_has_the_requested_size(renderer, korea):
    frame = renderer.render(korea.world.scene(to_day("1950-06-25")))
    assert frame.shape == (360, 640, 3) and frame.dtype == np.uint8


def test_each_side_is_coloured_where_it_holds_the_land(renderer, korea):
    frame = renderer.render(korea.world.scene(to_day("1950-07-01")))
    north, un = blended("#c8372d"), blended("#2f6fb3")
    got_north = patch_colour(frame, renderer.pixel_of(*INTERIOR_NORTH))
    got_south = patch_colour(frame, renderer.pixel_of(*INTERIOR_SOUTH))
    assert np.abs(got_north - north).max() < 12
    assert np.abs(got_south - un).max() < 12


def test_territories_change_over_time(renderer, korea):
    early = renderer.render(korea.world.scene(to_day("1950-07-01")))
    late = renderer.render(korea.world.scene(to_day("1950-08-20")))
    taejon = renderer.pixel_of(127.2, 36.2)
    assert np.abs(patch_colour(early, taejon) - blended("#2f6fb3")).max() < 15
    assert np.abs(patch_colour(late, taejon) - blended("#c8372d")).max() < 15


def test_the_sea_stays_the_sea(renderer, korea):
    frame = renderer.render(korea.world.scene(to_day("1951-01-24")))
    yellow_sea = patch_colour(frame, renderer.pixel_of(124.8, 36.3))
    assert np.abs(yellow_sea - np.array(mpl.colors.to_rgb(Theme().sea)) * 255).max() < 3


def test_layered_frames_match_a_full_redraw(korea):
    scene = korea.world.scene(to_day("1950-09-20"))
    fast = FrameRenderer(korea.world, (640, 360)).render(scene)
    full = FrameRenderer(korea.world, (640, 360), layered=False).render(scene)
    diff = np.abs(fast.astype(int) - full.astype(int))
    assert diff.mean() < 1.0
    assert (diff.max(axis=2) > 40).mean() < 0.005


def test_city_labels_stay_inside_the_map_and_do_not_overlap(renderer):
    boxes = renderer.report().label_boxes
    assert len(boxes) > 20
    for i, a in enumerate(boxes):
        assert all(not a.overlaps(b) for b in boxes[i + 1 :])


def test_parse_size_makes_even_sizes_and_refuses_nonsense():
    assert parse_size("1280x720") == (1280, 720)
    assert parse_size("641X361") == (642, 362)
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        parse_size("big")


def test_polygon_path_keeps_holes_empty():
    import shapely
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch

    ring = shapely.box(0, 0, 10, 10).difference(shapely.box(3, 3, 7, 7))
    fig = Figure(figsize=(1, 1), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1), xlim=(0, 10), ylim=(0, 10))
    ax.set_axis_off()
    ax.add_patch(PathPatch(polygon_path(ring), facecolor="black", edgecolor="none"))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    assert pixels[50, 50, 0] == 255  # the hole is empty (white)
    assert pixels[90, 10, 0] == 0  # the ring is filled


def video_scene(korea, plan, index: int):
    return korea.world.scene(float(plan.days[index]), t=float(plan.times[index]), story=plan.story)


@pytest.mark.parametrize("size", [(640, 360), (360, 640), (480, 480)])
def test_symbols_over_the_sea_are_drawn_in_video_frames(korea, size):
    """A landing's arrow starts at sea: in video frames, as in stills, it lies over the sea
    mask (and under the labels); with the panel beside or below the map."""
    plan = korea.plan(size=size, fps=24, duration=120)
    scene = video_scene(korea, plan, int(np.searchsorted(plan.days, to_day("1950-09-15"))) + 10)
    assert [a.kind for a in scene.arrows] == ["landing"]
    fast = FrameRenderer(korea.world, size, story=plan.story).render(scene)
    full = FrameRenderer(korea.world, size, story=plan.story, layered=False).render(scene)
    assert np.abs(fast.astype(int) - full.astype(int)).max() <= 8


def test_a_held_date_reuses_its_areas_and_matches_a_full_redraw(korea):
    """Frames while the date is held, then after it moves on, drawn by one renderer."""
    plan = korea.plan(size=(320, 180), fps=24, duration=120)
    held = np.flatnonzero(np.diff(plan.days) == 0)[200]
    indices = [held - 1, held, held + 1, held + 2, int(np.argmax(plan.days > plan.days[held]))]
    assert len({float(plan.days[i]) for i in indices}) >= 2
    fast = FrameRenderer(korea.world, (320, 180), story=plan.story)
    for i in indices:
        scene = video_scene(korea, plan, i)
        full = FrameRenderer(korea.world, (320, 180), story=plan.story, layered=False)
        assert np.abs(fast.render(scene).astype(int) - full.render(scene).astype(int)).max() <= 8


def test_every_layer_declares_what_it_depends_on(renderer):
    layers = renderer.report().layers
    depends = {name: dep for name, dep, _ in layers}
    assert depends["Ground"] == "view" and depends["Places"] == "view"
    assert depends["Areas"] == "instant" and depends["Cursor"] == "instant"
    assert depends["PanelHeading"] == "never" and depends["TimeBar"] == "never"
    assert {dep for _, dep, _ in layers} == {"never", "view", "instant"}


@pytest.mark.parametrize("size", [(640, 360), (480, 360), (400, 400), (360, 640)])
def test_a_new_view_redraws_the_map_and_matches_a_full_redraw(korea, size):
    """A scene seen in a closer view (the Pusan Perimeter), in each layout: the view's
    layers are rebuilt, and the layered frame still matches a full redraw."""
    from dataclasses import replace

    from histmap.scene import View

    scene = korea.world.scene(to_day("1950-09-01"))
    x, y = korea.world.projector.points([127.5, 129.6], [34.8, 36.6])
    close = replace(scene, view=View.around(x, y))
    fast = FrameRenderer(korea.world, size)
    wide = fast.render(scene)
    wide_report = fast.report()
    near = fast.render(close)
    near_report = fast.report()
    full = FrameRenderer(korea.world, size, layered=False).render(close)
    assert near_report.view.metres_per_px < wide_report.view.metres_per_px / 3
    assert np.abs(wide.astype(int) - near.astype(int)).mean() > 10  # a different picture
    diff = np.abs(near.astype(int) - full.astype(int))
    assert diff.mean() < 1.0
    assert (diff.max(axis=2) > 40).mean() < 0.005
    # Pusan sits inside the map now, where it was a few pixels from the wide view's edge
    row, col = fast.pixel_of(*PUSAN)
    box = near_report.map_box
    assert box.x0 < col < box.x1 and 0 < row < size[1]
    # And back: the same renderer draws the wide view as before.
    assert np.array_equal(fast.render(scene), wide)


def test_ground_taken_recently_is_a_lighter_tint_of_its_side(renderer, korea):
    """28 September 1950: the UN took the ground between Taejon and Seoul since the last
    snapshot; it is the UN's tint made lighter, while ground it held all along is not."""
    frame = renderer.render(korea.world.scene(to_day("1950-09-28")))
    taken = patch_colour(frame, renderer.pixel_of(127.35, 36.75))
    held = patch_colour(frame, renderer.pixel_of(128.9, 35.6))
    un = blended("#2f6fb3")
    assert np.abs(held - un).max() < 12
    lighter = un * (1 - THEME.gain_tint) + 255 * THEME.gain_tint
    assert np.abs(taken - lighter).max() < 12


def test_gains_can_be_turned_off(tiny_map):
    import histmap

    toml = tiny_map / "map.toml"
    hmap = histmap.load_map(tiny_map)
    day = to_day(hmap.snapshot_dates[1])
    assert hmap.world.scene(day).gains  # the tiny map's front moves between its snapshots
    toml.write_text(toml.read_text() + "\n[theme]\ngain_days = 0\n")
    assert histmap.load_map(tiny_map).world.scene(day).gains == {}
