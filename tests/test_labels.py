"""Labels in the frames of the follow camera: the 38th parallel's label in every view, moving
or held; the names of areas off the fronts, arrows and markers; the demilitarized zone wide
enough to read in a small frame."""

from dataclasses import replace

import numpy as np
import pytest
import shapely

from histmap._dates import to_day
from histmap.draw import FrameRenderer, frame_steps
from histmap.draw.layers.areas import ZONE_PX, zone_width
from histmap.draw.layers.places import AREAS
from histmap.options import RenderOptions
from histmap.render import plan_frames
from histmap.scene import View


@pytest.fixture(scope="module")
def plan(korea):
    return plan_frames(korea.world, RenderOptions(size=(640, 360), camera="follow"))


def layer(renderer, name):
    return next(layer for layer in renderer.layers if layer.name == name)


def draw(korea, plan, renderer, i):
    """Frame ``i`` of the video, after the two before it, drawn as the plan says."""
    steps = frame_steps(korea.world, plan.size, plan.views)
    for j in range(max(0, i - 2), i + 1):
        scene = korea.world.scene(
            float(plan.days[j]), t=float(plan.times[j]), story=plan.story, view=plan.view(j)
        )
        renderer.render_rgba(scene, step=steps[j])
    return scene


def moving_frames(plan, count):
    """Indices of ``count`` frames spread over the camera's moves that show the 38th
    parallel's latitude somewhere (the views of Korea)."""
    moving = [i for i in range(2, len(plan.views) - 4) if len(set(plan.views[i - 2 : i + 4])) == 6]
    return moving[:: max(1, len(moving) // count)][:count]


def parallel_px(korea, renderer, lat=38.0):
    lon = np.linspace(110, 145, 800)
    x, y = korea.world.projector.points(lon, np.full_like(lon, lat))
    return renderer.map_ax.transData.transform(np.column_stack([x, y]))


def check_reference_label(korea, renderer):
    """The parallel's label is placed wholly inside the map, on the parallel."""
    places, frame = layer(renderer, "Places"), renderer.report().map_box
    line = parallel_px(korea, renderer)
    inside = (line[:, 0] > frame.x0) & (line[:, 0] < frame.x1)
    inside &= (line[:, 1] > frame.y0) & (line[:, 1] < frame.y1)
    if not inside.any():  # the parallel is not in view
        return False
    assert len(places.references_chosen) == 1
    box = places.references_chosen[0][2]
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    assert box in renderer.label_boxes()
    gap = shapely.LineString(line).distance(shapely.box(*box.extents))
    assert gap < 0.5 + renderer.ctx.pt(3) * 100 / 72
    return True


def test_the_parallels_label_shows_while_the_view_moves(korea, plan):
    renderer = FrameRenderer(korea.world, plan.size, story=plan.story)
    shown = 0
    for i in moving_frames(plan, 6):
        draw(korea, plan, renderer, i)
        assert not renderer._exact  # a frame of a moving view
        shown += check_reference_label(korea, renderer)
    assert shown >= 3


@pytest.mark.parametrize(
    "box",
    [
        (125.0, 37.97, 129.0, 39.0),  # the parallel leaves the view's bottom at its sides
        (126.4, 37.6, 127.6, 38.5),  # close in, the parallel across the middle
        (124.5, 36.0, 130.5, 41.0),
    ],
)
@pytest.mark.parametrize("size", [(640, 360), (720, 1280)])
def test_the_parallels_label_lies_inside_a_held_view_on_the_parallel(korea, box, size):
    renderer = FrameRenderer(korea.world, size, layered=False)
    x, y = korea.world.projector.points([box[0], box[2]], [box[1], box[3]])
    scene = replace(korea.world.scene(to_day("1951-06-01")), view=View.around(x, y))
    renderer.render(scene)
    assert check_reference_label(korea, renderer)


def obstacles_px(renderer, scene):
    """The scene's fronts and arrows as lines, its markers as points, in window pixels."""
    to_px = renderer.map_ax.transData.transform
    lines = [to_px(line) for lines, _, _ in scene.boundaries for line in lines]
    lines += [to_px(arrow.xy) for arrow in scene.arrows]
    points = [to_px((m.x, m.y)) for m in scene.markers]
    return shapely.MultiLineString([p for p in lines if len(p) > 1]), shapely.MultiPoint(points)


@pytest.mark.parametrize("seconds", [20, 36, 44, 52, 60, 100])
def test_area_names_keep_off_fronts_arrows_and_markers(korea, plan, seconds):
    renderer = FrameRenderer(korea.world, plan.size, story=plan.story)
    scene = draw(korea, plan, renderer, round(seconds * plan.fps))
    places = layer(renderer, "Places")
    lines, points = obstacles_px(renderer, scene)
    areas = [box for i, k, box in places.chosen if places.places[i].kind in AREAS]
    assert areas
    for box in areas:
        shape = shapely.box(*box.extents)
        assert not shape.intersects(lines) and not shape.intersects(points), box
    boxes = renderer.label_boxes()
    frame = renderer.report().map_box
    for n, box in enumerate(boxes):
        assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1
        assert not any(box.overlaps(other) for other in boxes[n + 1 :]), box


def drawn_zone_width(renderer) -> float:
    """The mean width in pixels of the demilitarized zone as drawn (all its parts)."""
    areas = layer(renderer, "Areas")
    to_px = renderer.map_ax.transData.transform
    polygons = [
        shapely.Polygon(to_px(ring)) for path in areas._zones.get_paths()
        for ring in path.to_polygons(closed_only=True)
    ]  # fmt: skip
    assert polygons
    return zone_width(shapely.MultiPolygon(polygons))


def test_the_armistice_zone_reads_in_a_small_frame(korea, plan):
    renderer = FrameRenderer(korea.world, plan.size, story=plan.story)
    scene = draw(korea, plan, renderer, len(plan.times) - 1)
    assert scene.zones
    assert drawn_zone_width(renderer) >= ZONE_PX - 0.1
    # Drawn as it is when it is wide enough: at 1280x720 by under a pixel.
    big = FrameRenderer(korea.world, (1280, 720), layered=False)
    big.render(scene)
    (zone,) = scene.zones
    true = zone_width(zone) / big.ctx.view.metres_per_px
    assert drawn_zone_width(big) <= max(true, ZONE_PX) + 0.1


def hold_around(plan, i):
    """The first and last frames of the held view that frame ``i`` shows."""
    first, last = i, i
    while first > 0 and plan.views[first - 1] == plan.views[i]:
        first -= 1
    while last + 1 < len(plan.views) and plan.views[last + 1] == plan.views[i]:
        last += 1
    return first, last


@pytest.mark.parametrize("seconds", [40, 44])
def test_area_names_placed_as_a_view_holds_keep_off_the_arrows_that_come(korea, plan, seconds):
    """The labels of a held view are placed on its first frame: the names of areas keep
    off the arrows that grow later in the hold too (25 November 1950 in the north). (Not
    off the front lines as they will be: those move under them.)"""
    first, last = hold_around(plan, round(seconds * plan.fps))
    assert last - first > plan.fps  # a hold
    renderer = FrameRenderer(korea.world, plan.size, story=plan.story)
    draw(korea, plan, renderer, first + 3)
    places = layer(renderer, "Places")
    areas = [box for i, k, box in places.chosen if places.places[i].kind in AREAS]
    scene = draw(korea, plan, renderer, last)
    assert [box for i, k, box in places.chosen if places.places[i].kind in AREAS] == areas
    to_px = renderer.map_ax.transData.transform
    arrows = shapely.MultiLineString([to_px(arrow.xy) for arrow in scene.arrows])
    assert scene.arrows and areas
    for box in areas:
        assert not shapely.box(*box.extents).intersects(arrows), box


def test_every_label_laid_as_a_sprite_while_the_view_moves_has_its_ink(korea):
    """A moving frame lays its labels from sprites. Every place's every choice of position,
    the ones set off from their anchor too (Seoul's above and to the left, the Chosin
    Reservoir's above), draws its text, and a city's dot, in its sprite; matplotlib drew
    nothing for an annotation whose anchor fell outside the sprite."""
    renderer = FrameRenderer(korea.world, (1280, 720))
    renderer.render(korea.world.scene(to_day("1950-09-15")))
    places = layer(renderer, "Places")
    empty = []
    for i, place in enumerate(places.places):
        if place.kind not in ("city", *AREAS):
            continue
        for k in range(len(places._choices(i))):
            sprite, ax, ay = places._sprite(i, k)
            row, col = round(sprite.shape[0] - ay), round(ax)  # the anchor, a city's dot
            inside = 0 <= row < sprite.shape[0] and 0 <= col < sprite.shape[1]
            dot = sprite[row, col, 3] if inside else 0
            if sprite[..., 3].max() == 0 or (place.kind == "city" and dot == 0):
                empty.append((place.name, k))
    assert empty == []
