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
INTERIOR_SOUTH = (128.4, 35.7)  # the hills north-west of Taegu, no labels


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


def test_city_labels_stay_inside_the_map_and_do_not_overlap(renderer, korea):
    renderer.render(korea.world.scene(to_day("1950-06-25")))  # the view's layers are built
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


LAYOUTS = [(640, 360), (480, 360), (400, 400), (360, 640)]


def closer(korea, scene, box):
    from dataclasses import replace

    from histmap.scene import View

    x, y = korea.world.projector.points([box[0], box[2]], [box[1], box[3]])
    return replace(scene, view=View.around(x, y))


def frame_diff(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The mean difference of two frames, and the share of pixels that differ by over 40."""
    diff = np.abs(a.astype(int) - b.astype(int))
    return float(diff.mean()), float((diff.max(axis=2) > 40).mean())


@pytest.mark.parametrize("size", LAYOUTS)
def test_a_new_view_redraws_the_map_and_matches_a_full_redraw(korea, size):
    """A scene seen in a closer view (the Pusan Perimeter), in each layout: the first frame
    of the new view is cut from the moving raster, the next (the view held) has the view's
    layers rebuilt; both match a full redraw, the held one closely."""
    scene = korea.world.scene(to_day("1950-09-01"))
    close = closer(korea, scene, (127.5, 34.8, 129.6, 36.6))
    fast = FrameRenderer(korea.world, size)
    wide = fast.render(scene)
    wide_report = fast.report()
    moving = fast.render(close)
    near = fast.render(close)
    near_report = fast.report()
    full = FrameRenderer(korea.world, size, layered=False).render(close)
    assert near_report.view.metres_per_px < wide_report.view.metres_per_px / 3
    assert frame_diff(wide, near)[0] > 10  # a different picture
    mean, share = frame_diff(near, full)
    assert mean < 1.0 and share < 0.005
    mean, share = frame_diff(moving, full)
    assert mean < 3.0 and share < 0.03, (mean, share)
    # Pusan sits inside the map now, where it was a few pixels from the wide view's edge
    row, col = fast.pixel_of(*PUSAN)
    box = near_report.map_box
    assert box.x0 < col < box.x1 and 0 < row < size[1]
    # And back: the same renderer draws the wide view as before, once it holds.
    fast.render(scene)
    assert np.array_equal(fast.render(scene), wide)


@pytest.mark.parametrize("size", LAYOUTS)
def test_frames_of_a_moving_view_match_a_full_redraw(korea, size):
    """The view zooms from the overview towards Inchon over a few frames, as a camera
    does, while the date runs: each frame (cut from rasters and laid from sprites) is close
    to a full redraw of its scene, and the held last view equals it as closely as a still."""
    plan = korea.plan(size=size, fps=24, duration=120)
    first = int(np.searchsorted(plan.days, to_day("1950-09-15")))
    o = korea.world.overview
    x, y = korea.world.projector.points([126.65], [37.45])
    fast = FrameRenderer(korea.world, size, story=plan.story)
    from dataclasses import replace

    from histmap.scene import View

    frames = []
    for k, f in enumerate(np.linspace(0, 1, 6)):
        s = np.exp(f * np.log(1 / 8))
        cx, cy = (o.x0 + o.x1) / 2 * (1 - f) + x[0] * f, (o.y0 + o.y1) / 2 * (1 - f) + y[0] * f
        hw, hh = (o.x1 - o.x0) / 2 * s, (o.y1 - o.y0) / 2 * s
        scene = replace(
            video_scene(korea, plan, first + k), view=View(cx - hw, cy - hh, cx + hw, cy + hh)
        )
        frames.append((scene, fast.render(scene)))
    held = fast.render(frames[-1][0])
    for scene, frame in frames[1:]:
        full = FrameRenderer(korea.world, size, story=plan.story, layered=False).render(scene)
        mean, share = frame_diff(frame, full)
        assert mean < 3.0 and share < 0.03, (size, mean, share)
    mean, share = frame_diff(held, full)
    assert mean < 1.0 and share < 0.005, (size, mean, share)


def test_a_plans_steps_share_a_raster_over_a_move_and_draw_a_hold_exactly_at_once(korea):
    """A video's frames are drawn as its plan decides (:func:`frame_steps`): the frames of
    a short zoom are cut from one raster (made for them all), the first frame of the held
    view that ends it is the exact drawing, and a frame is the same whichever frames the
    renderer drew before it."""
    from dataclasses import replace

    from histmap.draw import frame_steps
    from histmap.scene import View

    size = (640, 360)
    scene = korea.world.scene(to_day("1950-09-01"))
    o = korea.world.overview
    cx, cy = (o.x0 + o.x1) / 2, (o.y0 + o.y1) / 2
    views = []
    for s in np.geomspace(0.6, 0.4, 6):
        hw, hh = (o.x1 - o.x0) / 2 * s, (o.y1 - o.y0) / 2 * s
        views.append(View(cx - hw, cy - hh, cx + hw, cy + hh))
    views += [views[-1]] * 4
    steps = frame_steps(korea.world, size, views)
    assert [step.exact for step in steps] == [False] * 5 + [True] * 5
    told = FrameRenderer(korea.world, size)
    told.render(scene)
    frames, rasters = [], set()
    for view, step in zip(views, steps, strict=True):
        frames.append(told.render_rgba(replace(scene, view=view), step=step))
        rasters.add(id(told._raster))
    assert len(rasters) == 1 and told._raster is not None
    untold = FrameRenderer(korea.world, size)
    untold.render(scene)
    for view in views:
        last = untold.render_rgba(replace(scene, view=view))
    assert all(np.array_equal(frame, last) for frame in frames[5:])
    # Before the hold, a frame cut from the raster is close to the exact drawing.
    full = FrameRenderer(korea.world, size, layered=False).render_rgba(
        replace(scene, view=views[4])
    )
    mean, share = frame_diff(frames[4], full)
    assert mean < 3.0 and share < 0.03, (mean, share)
    # Backwards, from a renderer that drew another view first: the same frames.
    for i in (9, 3, 1, 4, 0):
        again = untold.render_rgba(replace(scene, view=views[i]), step=steps[i])
        assert np.array_equal(again, frames[i]), i


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


def test_the_gains_legend_shows_every_sides_lighter_tint(korea):
    """Either side may have taken ground: the legend's swatch for it holds the lighter tint
    of each side, not of the first side alone."""
    renderer = FrameRenderer(korea.world, (1280, 720), layered=False)
    frame = renderer.render(korea.world.scene(to_day("1950-09-28")))
    box = renderer.report().legend_box
    legend = frame[720 - int(box.y1) : 720 - int(box.y0), int(box.x0) : int(box.x1)]
    for side in korea.world.data.spec.sides:
        lighter = blended(side.colour) * (1 - THEME.gain_tint) + 255 * THEME.gain_tint
        near = np.abs(legend.astype(float) - lighter).max(axis=2) < 6
        assert near.sum() > 20, side.id


def test_gains_can_be_turned_off(tiny_map):
    import histmap

    toml = tiny_map / "map.toml"
    hmap = histmap.load_map(tiny_map)
    day = to_day(hmap.snapshot_dates[1])
    assert hmap.world.scene(day).gains  # the tiny map's front moves between its snapshots
    toml.write_text(toml.read_text() + "\n[theme]\ngain_days = 0\n")
    assert histmap.load_map(tiny_map).world.scene(day).gains == {}


def test_a_still_shows_what_changed_since_the_last_snapshot_a_video_the_last_days(tiny_map):
    """The tiny map's front moves south from 38 N to 36.5 N in a month: a still on the second
    snapshot's date shows all of that band as the North's gain, a video frame only the last
    week of it, nearest the front; the band between the two fronts holds every gain."""
    import shapely

    import histmap

    toml = tiny_map / "map.toml"
    toml.write_text(toml.read_text() + "\n[theme]\ngain_days = 10\n")
    hmap = histmap.load_map(tiny_map)
    world = hmap.world
    day = to_day(hmap.snapshot_dates[1])
    land = world.morph.land
    band = shapely.intersection(
        land, world.projector.forward(shapely.box(125, 36.5, 130, 38.0))  # as drawn
    )
    still = shapely.intersection(world.scene(day).gains["north"], land)
    assert set(world.scene(day).gains) == {"north"}
    assert still.area == pytest.approx(band.area, rel=0.03)
    plan = hmap.plan(size=(320, 180), fps=4, duration=4)
    video = world.scene(day, t=plan.story.schedule.duration, story=plan.story)
    recent = shapely.intersection(video.gains["north"], land)
    # A third of the month, the week nearest the new front (the morph is linear in time).
    assert recent.area == pytest.approx(band.area / 3, rel=0.15)
    assert recent.centroid.y < band.centroid.y
    cell = world.morph.grid.cell
    assert band.buffer(2 * cell).contains(still) and band.buffer(2 * cell).contains(recent)
    # The tint fades: the newer thirds of the ten days are laid over the whole, each within
    # the one before and about its share of it; a still has no steps.
    assert world.scene(day).gain_steps == ()
    steps = [shapely.intersection(step["north"], land) for step in video.gain_steps]
    assert len(steps) == 2
    for older, newer, share in ((recent, steps[0], 2 / 3), (steps[0], steps[1], 1 / 2)):
        assert newer.area == pytest.approx(older.area * share, rel=0.15)
        assert older.buffer(cell).contains(newer)


@pytest.mark.parametrize(("size", "points"), [
    ((640, 360), [(118.6, 36.4), (118.9, 41.0)]),  # Shandong; north-west China
    ((360, 640), [(121.0, 44.6), (130.5, 45.5), (131.0, 32.2)]),  # beyond the extent's edges
])  # fmt: skip
def test_the_land_fills_the_frame_beyond_the_extent(korea, size, points):
    """The base map is loaded for the box the frame shows, not the map's lon/lat extent: land
    outside the extent but inside the frame is land, not open sea."""
    renderer = FrameRenderer(korea.world, size)
    frame = renderer.render(korea.world.scene(to_day("1950-06-25")))
    w, s, e, n = korea.data.spec.extent
    box = renderer.report().map_box
    sea = np.array(mpl.colors.to_rgb(THEME.sea)) * 255
    for lon, lat in points:
        assert not (w <= lon <= e and s <= lat <= n)
        row, col = renderer.pixel_of(lon, lat)
        assert box.x0 + 3 < col < box.x1 - 3 and size[1] - box.y1 + 3 < row < size[1] - box.y0 - 3
        assert np.abs(patch_colour(frame, (row, col)) - sea).max() > 20, (lon, lat)


def test_badges_markers_and_labels_do_not_overlap(korea):
    """15 December 1950, the atlas's busy page: no numbered badge on a place's label or on
    another badge, and no label on a marker."""
    renderer = FrameRenderer(korea.world, (1280, 720), layered=False)
    renderer.render(korea.world.scene(to_day("1950-12-15")))
    report = renderer.report()
    badges = [box for _, box in report.badges]
    assert len(badges) >= 5
    places = next(layer for layer in renderer.layers if layer.name == "Places")
    for i, badge in enumerate(badges):
        assert not any(badge.overlaps(label) for label in places.boxes)
        assert not any(badge.overlaps(other) for other in badges[i + 1 :])
    assert not any(m.overlaps(label) for m in renderer.ctx.marker_boxes for label in places.boxes)
    names = {places.places[i].name for i, k, _ in places.chosen if k is not None}
    assert {"Pyongyang", "Hamhung", "Kaesong"} <= names


def test_a_vanishing_pocket_is_drawn_thinner_and_fainter(korea):
    """9 October 1950: the North's pocket in the south-west is small; its front ring is
    thinner than the main front, and its area fainter than the North's own."""
    renderer = FrameRenderer(korea.world, (1280, 720))
    renderer.render(korea.world.scene(to_day("1950-10-09")))
    areas = next(layer for layer in renderer.layers if layer.name == "Areas")
    widths = areas._fronts.get_linewidths()
    assert max(widths) == pytest.approx(renderer.ctx.pt(2.4))
    assert min(widths) < 0.6 * max(widths)
    alphas = [c[3] for c in areas._territories.get_facecolor()]
    assert min(alphas) < 0.6 * max(alphas)


def test_the_chosin_pockets_keep_the_uns_colour_in_a_close_view(korea):
    """28 November 1950 as the camera frames it: the Chosin pockets are a few pixels wide
    but stand for the UN's positions; their fill keeps the UN's colour (only their ring is
    thinner), not a fade that reads as no one's ground."""
    from histmap.framing import still_view

    day = to_day("1950-11-28")
    view = still_view(korea.world, (1280, 720), day, None)
    renderer = FrameRenderer(korea.world, (1280, 720), layered=False)
    renderer.render(korea.world.scene(day, view=view))
    areas = next(layer for layer in renderer.layers if layer.name == "Areas")
    un = mpl.colors.to_rgb("#2f6fb3")
    alphas = [c[3] for c in areas._territories.get_facecolor() if np.allclose(c[:3], un)]
    assert alphas and min(alphas) == pytest.approx(THEME.territory_alpha)
    assert len(korea.world.scene(day, view=view).regions["un"].geoms) >= 5
    assert min(areas._fronts.get_linewidths()) < 0.6 * max(areas._fronts.get_linewidths())


def test_closer_views_show_more_places_at_the_same_size(korea):
    scene = korea.world.scene(to_day("1953-07-27"))
    renderer = FrameRenderer(korea.world, (1280, 720), layered=False)
    renderer.render(scene)
    places = next(layer for layer in renderer.layers if layer.name == "Places")
    wide = {places.places[i].name: box for i, k, box in places.chosen if k is not None}
    renderer.render(closer(korea, scene, (125.8, 37.2, 128.6, 38.6)))
    near = {places.places[i].name: box for i, k, box in places.chosen if k is not None}
    ranks = {p.name: p.rank for p in places.places}
    assert any(ranks[name] == 4 for name in near) and not any(ranks[n] == 4 for n in wide)
    for name in set(wide) & set(near):
        assert near[name].height == pytest.approx(wide[name].height)


def test_the_inset_shows_on_close_views_only_and_keeps_off_the_sides_land(korea):
    from histmap.draw.layers.inset import Inset

    scene = korea.world.scene(to_day("1950-12-01"))
    for size in LAYOUTS:
        renderer = FrameRenderer(korea.world, size)
        inset = next(layer for layer in renderer.layers if isinstance(layer, Inset))
        renderer.render(scene)
        assert inset.box is None
        renderer.render(closer(korea, scene, (126.8, 39.6, 128.0, 41.0)))
        assert inset.box is not None and inset.corner != "lower left"
        box = renderer.report().map_box
        assert box.x0 <= inset.box.x0 and inset.box.x1 <= box.x1 + 1
        assert box.y0 <= inset.box.y0 and inset.box.y1 <= box.y1 + 1
        own = inset.box.padded(2).bounds
        labels = [b for b in renderer.report().label_boxes if b.bounds != own]
        assert not any(inset.box.overlaps(label) for label in labels)


def test_without_the_hires_extra_close_views_use_the_maps_resolution_and_say_so(korea, monkeypatch):
    import histmap.basemap as basemap
    from histmap import HistmapWarning
    from histmap.draw import viewmap

    monkeypatch.setattr(basemap, "installed", lambda r: r in ("c", "l", "i"))
    monkeypatch.setattr(viewmap, "_warned", set())
    assert basemap.resolution_for(150, "i") == ("h", "i")
    scene = closer(korea, korea.world.scene(to_day("1950-09-15")), (126.0, 36.9, 127.4, 37.8))
    with pytest.warns(HistmapWarning, match="'h'.*not installed.*hires"):
        FrameRenderer(korea.world, (640, 360)).render(scene)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FrameRenderer(korea.world, (640, 360)).render(scene)  # once a process


def test_the_relief_drawn_from_pixels_resized_once_is_matplotlibs_own_drawing(korea, monkeypatch):
    """Agg draws the relief from pixels resized once for its size (ReliefImage); matplotlib's
    own image drawing (as SVG and PDF use) gives the same frame, to a level or two."""
    from histmap.draw.layers import ground

    scene = korea.world.scene(to_day("1950-09-15"))
    ours = FrameRenderer(korea.world, (640, 360), layered=False).render(scene)
    monkeypatch.setattr(ground, "RendererAgg", type("NoRenderer", (), {}))
    theirs = FrameRenderer(korea.world, (640, 360), layered=False).render(scene)
    difference = np.abs(ours.astype(int) - theirs.astype(int)).max(axis=2)
    assert 0 < difference.max() <= 3  # two ways of drawing (rounding differs), one image
    # The relief is there to compare: shading moves the land's colour by more than that.
    land = ours[difference == 0]
    assert len(np.unique(land.reshape(-1, 3), axis=0)) > 50
