"""Image regression: rendered frames against stored baseline PNGs, with a tolerance.

Refresh the baselines after an intended change of the drawing with::

    HISTMAP_UPDATE_BASELINES=1 pytest tests/test_images.py

then look at the new PNGs in ``tests/baseline/`` before committing them.
"""

import os
from pathlib import Path

import numpy as np
import pytest
from matplotlib.testing.compare import compare_images
from PIL import Image

from histmap._dates import to_day
from histmap.draw import FrameRenderer
from histmap.draw.layers.panel import text_box
from histmap.layout import frame_layout

BASELINE = Path(__file__).parent / "baseline"
UPDATE = os.environ.get("HISTMAP_UPDATE_BASELINES") == "1"
TOLERANCE = 3.0  # RMS difference, 0-255 scale: freetype and antialiasing may differ a little


def check_image(frame: np.ndarray, name: str, tmp_path: Path) -> None:
    expected = BASELINE / f"{name}.png"
    actual = tmp_path / f"{name}.png"
    Image.fromarray(frame).save(actual)
    if UPDATE or not expected.exists():
        if not UPDATE:
            pytest.fail(f"no baseline {expected}: run with HISTMAP_UPDATE_BASELINES=1")
        Image.fromarray(frame).save(expected)
        return
    result = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert result is None, result


@pytest.fixture(scope="module")
def story(korea):
    start, end = (to_day(d) for d in korea.span)
    return korea.world.paced_story(start, end, 120)


def video_frame(korea, story, size, t):
    renderer = FrameRenderer(korea.world, size, story=story)
    day = float(story.schedule.day_at(t))
    return renderer, renderer.render(korea.world.scene(day, t=t, story=story))


def still_frame(korea, size, date):
    renderer = FrameRenderer(korea.world, size, layered=False)
    return renderer, renderer.render(korea.world.scene(to_day(date)))


def test_video_frame_640x360(korea, story, tmp_path):
    _, frame = video_frame(korea, story, (640, 360), 31.0)
    check_image(frame, "video_640x360_t31", tmp_path)


def test_still_1280x720_furthest_advance(korea, tmp_path):
    _, frame = still_frame(korea, (1280, 720), "1950-11-24")
    check_image(frame, "still_1280x720_1950-11-24", tmp_path)


def test_still_square_armistice(korea, tmp_path):
    _, frame = still_frame(korea, (720, 720), "1953-07-27")
    check_image(frame, "still_720x720_1953-07-27", tmp_path)


def zoomed(korea, scene, box):
    from dataclasses import replace

    from histmap.scene import View

    x, y = korea.world.projector.points([box[0], box[2]], [box[1], box[3]])
    return replace(scene, view=View.around(x, y))


def test_zoomed_still_of_the_inchon_landing(korea, tmp_path):
    """15 September 1950, a box round Inchon and Seoul: the finer coast (the hires extra),
    the cities of lower rank, the scale bar of the view, the locator inset."""
    renderer = FrameRenderer(korea.world, (1280, 720), layered=False)
    scene = zoomed(korea, korea.world.scene(to_day("1950-09-15")), (126.2, 37.0, 127.3, 37.75))
    frame = renderer.render(scene)
    assert renderer.ctx.ground.resolution == "h"
    check_image(frame, "zoomed_1280x720_1950-09-15_inchon", tmp_path)


def test_video_frame_with_the_inset_9x16(korea, story, tmp_path):
    """A video frame at 9:16 zoomed on the Chosin reservoir, its view held: the inset in a
    corner clear of the sides' land, the view outlined on it."""
    renderer = FrameRenderer(korea.world, (540, 960), story=story)
    t = next(
        c.start + 1 for c in story.schedule.captions if "Chosin" in story.events[c.event].title
    )
    scene = korea.world.scene(float(story.schedule.day_at(t)), t=t, story=story)
    scene = zoomed(korea, scene, (126.6, 39.5, 128.2, 41.0))
    renderer.render(scene)
    frame = renderer.render(scene)
    check_image(frame, "inset_540x960_chosin", tmp_path)


@pytest.mark.parametrize(
    "size", [(640, 360), (1280, 720), (1920, 1080), (960, 720), (720, 720), (1080, 1920)]
)
def test_labels_inside_the_frame_and_apart(korea, size):
    renderer, _ = still_frame(korea, size, "1951-01-24")
    boxes = renderer.label_boxes()
    assert len(boxes) >= 10
    frame = renderer.report().map_box
    for i, box in enumerate(boxes):
        assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, box
        assert frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1, box
        assert not any(box.overlaps(other) for other in boxes[i + 1 :])


@pytest.mark.parametrize(
    "size", [(640, 360), (1280, 720), (960, 720), (720, 720), (1080, 1920), (720, 1280)]
)
def test_the_longest_caption_fits_in_its_panel(korea, story, size):
    renderer = FrameRenderer(korea.world, size, story=story)
    longest = max(story.events, key=lambda e: len(e.title) + len(e.caption))
    t = next(c.start + 1 for c in story.schedule.captions if story.events[c.event] is longest)
    renderer.render(korea.world.scene(float(story.schedule.day_at(t)), t=t, story=story))
    report = renderer.report()
    panel = report.panel_box
    for name in ("event_title", "caption", "date"):
        box = report.texts[name]
        assert panel.x0 <= box.x0 and box.x1 <= panel.x1 + 1, (size, name)
        assert panel.y0 <= box.y0 and box.y1 <= panel.y1 + 1, (size, name)
    assert not report.legend_box.overlaps(report.texts["caption"])
    (credits,) = [t for t in renderer.panel_ax.texts if t.get_gid() == "credits"]
    assert not text_box(credits, renderer.ctx.renderer()).overlaps(report.texts["caption"])


def test_layouts_put_the_panel_beside_or_below():
    assert frame_layout((1280, 720)).panel_side == "right"
    assert frame_layout((960, 720)).panel_side == "right"
    assert frame_layout((720, 720)).panel_side == "bottom"
    assert frame_layout((1080, 1920)).panel_side == "bottom"


@pytest.mark.parametrize("size", [(960, 540), (640, 360), (960, 720)])
def test_the_widest_date_fits_in_the_panel(korea, size):
    renderer, _ = still_frame(korea, size, "1950-09-28")
    report = renderer.report()
    assert report.texts["date"].x1 <= report.panel_box.x1


@pytest.mark.parametrize("size", [(720, 720), (720, 1280), (640, 360)])
def test_every_caption_keeps_off_the_credits(korea, story, size):
    """Below the map (1:1, 9:16) the credits lie at the panel's foot: a caption keeps above
    them (the last caption, "The human cost", reached into them at 1:1)."""
    renderer = FrameRenderer(korea.world, size, story=story)
    texts = next(layer for layer in renderer.layers if layer.name == "PanelTexts")
    (credits,) = [t for t in renderer.panel_ax.texts if t.get_gid() == "credits"]
    r = renderer.ctx.renderer()
    for c in story.schedule.captions:
        t = c.start + 0.5
        texts.update(korea.world.scene(float(story.schedule.day_at(t)), t=t, story=story))
        box = texts.caption.get_window_extent(r)
        assert not text_box(credits, r).overlaps(box), story.events[c.event].title
