"""The camera: its path (continuous, eased, exact at both ends), what it frames, how authors
direct it, and a follow-camera video read back."""

from __future__ import annotations

import itertools
import json
import math
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import histmap
from histmap._dates import to_day
from histmap.camera import MAX_SPEED, MIN_MOVE, CameraPath, Shot, ZoomPath, ease
from histmap.cli import main
from histmap.framing import Framer, ending, visible_captions
from histmap.options import RenderOptions

LAYOUTS = [(1280, 720), (960, 720), (720, 720), (720, 1280)]
STEP = 0.08
"""Between two frames at 24 a second the centre moves less than this share of the width..."""
RATIO = 1.1
"""... and the width changes by less than this factor."""


def _plan(hmap: histmap.HistMap, size=(1280, 720), **options):
    return hmap.plan(RenderOptions(size=size, camera="follow", **options))


def _wide(view) -> float:
    return view.x1 - view.x0


def _centre(view) -> np.ndarray:
    return np.array([(view.x0 + view.x1) / 2, (view.y0 + view.y1) / 2])


def _same(a, b, tol=1e-6) -> bool:
    scale = _wide(a)
    return all(
        abs(p - q) <= tol * scale
        for p, q in zip((a.x0, a.y0, a.x1, a.y1), (b.x0, b.y0, b.x1, b.y1), strict=True)
    )


def _steps(views) -> tuple[float, float]:
    """The largest move of the centre (share of the width) and change of the width (factor)
    between consecutive views."""
    step = ratio = 0.0
    for a, b in itertools.pairwise(views):
        step = max(step, float(np.hypot(*(_centre(b) - _centre(a)))) / min(_wide(a), _wide(b)))
        ratio = max(ratio, max(_wide(a), _wide(b)) / min(_wide(a), _wide(b)))
    return step, ratio


# -- the path ----------------------------------------------------------------------------------

shots = st.builds(
    Shot,
    st.floats(-2e6, 2e6),
    st.floats(-2e6, 2e6),
    st.floats(5e3, 3e6),
)


@given(shots, shots, st.floats(1e-6, 1 - 1e-6))
@example(Shot(0, 0, 5000), Shot(0, 3.046875, 2500983.375), 0.015625)  # found by hypothesis
@settings(max_examples=200, deadline=None)
def test_the_zoom_path_is_exact_at_its_ends_and_moves_one_way(a, b, u):
    path = ZoomPath(a, b)
    assert path(0.0) == (a.x, a.y, a.w)
    assert path(1.0) == (b.x, b.y, b.w)
    # The formulas themselves reach the ends (not only the clamps).
    for end, shot in ((1e-9, a), (1 - 1e-9, b)):
        x, y, w = path(end)
        assert math.isclose(w, shot.w, rel_tol=1e-5)
        assert math.hypot(x - shot.x, y - shot.y) <= 1e-5 * max(a.w, b.w, 1.0)
    d = math.hypot(b.x - a.x, b.y - a.y)
    us = np.r_[0.0, np.linspace(0, 1, 41)[1:-1], u, 1.0]
    us.sort()
    points = [path(float(v)) for v in us]
    if d > 0:
        along = [((x - a.x) * (b.x - a.x) + (y - a.y) * (b.y - a.y)) / d for x, y, _ in points]
        # Rounding error grows with the widths: a short pan under a big zoom (3 m while
        # the width goes 5 km -> 2,500 km) may step back by 4e-5 m.
        tol = 1e-6 * d + 1e-9 * max(a.w, b.w)
        assert all(q >= p - tol for p, q in itertools.pairwise(along))
        assert min(along) >= -tol and max(along) <= d + tol
    assert all(w > 0 for *_, w in points)
    # Far apart, it zooms out beyond both ends; never in past the closer one.
    assert min(w for *_, w in points) >= min(a.w, b.w) * (1 - 1e-9)


def test_a_move_takes_at_least_a_second_and_keeps_to_the_speed_limit():
    near = ZoomPath(Shot(0, 0, 1e5), Shot(1e3, 0, 1e5))
    far = ZoomPath(Shot(0, 0, 1e5), Shot(5e6, 0, 1e5))
    assert near.seconds() == MIN_MOVE
    assert far.seconds() == pytest.approx(far.length / MAX_SPEED) and far.seconds() > 3
    assert ease(0) == 0 and ease(1) == 1 and ease(0.25) < 0.25 < 0.75 < ease(0.75)


stands = st.lists(st.tuples(st.floats(0, 60), st.floats(0, 8), shots), min_size=1, max_size=6).map(
    lambda xs: sorted(((t, t + h, s) for t, h, s in xs), key=lambda x: x[0])
)


@given(stands)
@settings(max_examples=60, deadline=None)
def test_a_camera_path_is_continuous_and_never_too_fast(given_stands):
    path = CameraPath(given_stands, aspect=0.6)
    for leg in path.moves():
        assert leg.end - leg.start >= MIN_MOVE - 1e-9
        assert leg.path.length / (leg.end - leg.start) <= MAX_SPEED + 1e-9
    end = path.legs[-1].end + 1
    views = path.views(np.arange(0, end, 1 / 24))
    step, ratio = _steps(views)
    assert step < STEP and ratio < RATIO
    # Every shot is reached and held at least until it was asked to be left.
    for _, leave, shot in given_stands:
        held = [leg.end for leg in path.legs if leg.path is None and leg.shot == shot]
        assert held and max(held) >= leave - 1e-9
    assert path.shot_at(-5) == given_stands[0][2]


# -- what the korean war's camera does ---------------------------------------------------------


@pytest.fixture(scope="module")
def follow_plans(korea):
    return {size: _plan(korea, size) for size in LAYOUTS}


@pytest.mark.parametrize("size", LAYOUTS)
def test_the_follow_camera_moves_smoothly_in_every_layout(follow_plans, size):
    plan = follow_plans[size]
    assert len(plan.views) == len(plan.times) and plan.fps == 24
    step, ratio = _steps(plan.views)
    assert step < STEP and ratio < RATIO
    # It does zoom in: at some point the view is under a third of the whole map's width.
    whole = Framer(histmap.load_map().world, size).whole
    assert min(_wide(v) for v in plan.views) < _wide(whole) / 3


@pytest.mark.parametrize("size", LAYOUTS)
def test_it_opens_on_the_whole_map_and_ends_on_the_armistice_line(korea, follow_plans, size):
    plan = follow_plans[size]
    framer = Framer(korea.world, size)
    assert _same(plan.views[0], framer.whole)
    designed = framer.shot(ending(framer, plan.story).box).view(framer.aspect)
    assert _same(plan.views[-1], designed)
    # The armistice line and its demilitarized zone fill the view: much closer than the map.
    assert _wide(designed) < _wide(framer.whole) / 3
    x0, y0, x1, y1 = framer.front_box(to_day(korea.span[1]))
    assert designed.x0 < x0 < x1 < designed.x1 and designed.y0 < y0 < y1 < designed.y1


@pytest.mark.parametrize("size", LAYOUTS)
def test_a_key_events_arrows_and_markers_are_in_view_while_its_caption_shows(follow_plans, size):
    plan = follow_plans[size]
    story = plan.story
    checked = 0
    for i, start, end in visible_captions(story):
        if not story.events[i].key:
            continue
        xy = story.path(i)
        for k in np.flatnonzero((plan.times >= start) & (plan.times < end)):
            v = plan.views[k]
            inside = (xy[:, 0] >= v.x0) & (xy[:, 0] <= v.x1) & (xy[:, 1] >= v.y0)
            assert (inside & (xy[:, 1] <= v.y1)).all(), (story.events[i].id, plan.times[k])
            checked += 1
    assert checked > 24 * 30


def test_the_plan_is_the_same_each_time_and_fixed_keeps_the_whole_map(korea):
    a, b = _plan(korea, (640, 360)), _plan(korea, (640, 360))
    assert a.views == b.views
    still = korea.plan(RenderOptions(size=(640, 360), camera="fixed"))
    assert len(set(still.views)) == 1
    assert RenderOptions().for_video(24, gif_only=True).camera == "fixed"
    assert RenderOptions().for_video(24).camera == "follow"
    with pytest.raises(histmap.OptionError, match="camera must be one of follow, fixed"):
        RenderOptions(camera="zoom")


# -- directed by the data ----------------------------------------------------------------------


def _set_cameras(folder, cameras: dict, toml: str = "") -> histmap.HistMap:
    path = folder / "events.geojson"
    doc = json.loads(path.read_text())
    for feature in doc["features"]:
        props = feature["properties"]
        if props["id"] in cameras:
            props["camera"] = cameras[props["id"]]
        elif "*" in cameras and props.get("key"):
            props["camera"] = cameras["*"]
    path.write_text(json.dumps(doc))
    if toml:
        with open(folder / "map.toml", "a", encoding="utf-8") as f:
            f.write(toml)
    return histmap.load_map(folder)


def _frames_of(plan, event_id: str):
    story = plan.story
    i = next(n for n, e in enumerate(story.events) if e.id == event_id)
    start, end = next((s, e) for n, s, e in visible_captions(story) if n == i)
    return np.flatnonzero((plan.times >= start) & (plan.times < end))


def test_an_events_camera_and_the_maps_camera_list_are_honoured(korea_copy):
    box = [124.5, 36.5, 127.5, 38.0]
    hmap = _set_cameras(
        korea_copy,
        {"inchon-landing": box, "chinese-second-phase": "overview"},
        '\n[[camera]]\ndate = "1952-06-01"\nbox = [126.0, 37.0, 128.0, 39.0]\n',
    )
    size = (1280, 720)
    plan, framer = _plan(hmap, size), Framer(hmap.world, size)
    wanted = framer.shot(framer.lonlat(tuple(box))).view(framer.aspect)
    frames = _frames_of(plan, "inchon-landing")
    assert len(frames) and all(_same(plan.views[k], wanted) for k in frames)
    frames = _frames_of(plan, "chinese-second-phase")
    assert len(frames) and all(_same(plan.views[k], framer.whole) for k in frames)
    entry = framer.shot(framer.lonlat((126.0, 37.0, 128.0, 39.0))).view(framer.aspect)
    t = plan.story.schedule.time_of(to_day("1952-06-01"))
    assert _same(plan.views[int(np.ceil(t * plan.fps))], entry)


def test_camera_none_keeps_the_camera_still_for_those_events(korea_copy):
    hmap = _set_cameras(korea_copy, {"*": "none"})
    size = (1280, 720)
    plan, framer = _plan(hmap, size), Framer(hmap.world, size)
    # Without key events to frame the camera frames the stretches of lesser events, but
    # never any key event's own box.
    story = plan.story
    for i, _, _ in visible_captions(story):
        if story.events[i].key:
            own = framer.shot(framer.event_box(story, i)).view(framer.aspect)
            assert not any(_same(v, own) for v in plan.views), story.events[i].id
    assert _same(plan.views[0], framer.whole)


# -- a video read back -------------------------------------------------------------------------


def _decode(path, size) -> np.ndarray:
    """Every frame of a video, as decoded by ffmpeg: (n, height, width, 3) floats."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    cmd = [
        ffmpeg,
        "-loglevel",
        "error",
        "-i",
        str(path),
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-",
    ]
    raw = subprocess.run(cmd, check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, size[1], size[0], 3).astype(float)


def test_render_with_the_follow_camera_zooms_where_fixed_does_not(tiny_map, tmp_path):
    frames = {}
    for camera in ("follow", "fixed"):
        out = tmp_path / f"{camera}.mp4"
        args = ["render", str(tiny_map), "-o", str(out), "--size", "320x180", "--quiet"]
        code = main([*args, "--duration", "4", "--fps", "6", "--workers", "1", "--camera", camera])
        assert code == 0
        frames[camera] = _decode(out, (320, 180))
    follow, fixed = frames["follow"], frames["fixed"]
    assert follow.shape == fixed.shape and len(follow) == 24
    # Both open on the whole map; the follow camera ends closer in, on the last front.
    assert np.abs(follow[0] - fixed[0]).mean() < 2
    assert np.abs(follow[-1] - fixed[-1]).mean() > 8


def _gif_frames(path) -> np.ndarray:
    """Every frame of a GIF, as RGB floats."""
    import imageio.v3 as iio

    return iio.imread(path, index=None)[..., :3].astype(float)


def test_a_gif_beside_a_video_keeps_the_whole_map_unless_a_camera_is_chosen(
    tiny_map, tmp_path, monkeypatch
):
    """No camera chosen: the MP4 follows, the GIF beside it shows the whole map (as a GIF
    alone does), in the same story; ``--camera follow`` makes the GIF follow too."""
    monkeypatch.chdir(tmp_path)
    args = ["render", str(tiny_map), "--size", "320x180", "--quiet", "--duration", "4"]
    args += ["--fps", "6", "--workers", "1"]
    assert main(args) == 0  # frames/tiny.mp4 and frames/tiny.gif
    video = _decode(tmp_path / "frames" / "tiny.mp4", (320, 180))
    beside = _gif_frames(tmp_path / "frames" / "tiny.gif")
    assert main([*args, "-o", str(tmp_path / "alone.gif")]) == 0
    alone = _gif_frames(tmp_path / "alone.gif")
    assert main([*args, "-o", str(tmp_path / "fixed.mp4"), "--camera", "fixed"]) == 0
    fixed = _decode(tmp_path / "fixed.mp4", (320, 180))
    assert len(video) == 24 and beside.shape == alone.shape == (24, 180, 320, 3)
    # The video zooms in by its end; the GIF beside it is the fixed GIF, frame for frame.
    assert np.abs(video[-1] - fixed[-1]).mean() > 8
    assert np.abs(beside - alone).max() == 0
    assert np.abs(beside[-1] - fixed[-1]).mean() < 3
    # Chosen, the camera is every output's: the GIF follows as the video does.
    assert main([*args, "--camera", "follow"]) == 0
    follows = _gif_frames(tmp_path / "frames" / "tiny.gif")
    assert np.abs(follows[-1] - video[-1]).mean() < 3
    assert np.abs(follows[-1] - alone[-1]).mean() > 8


def test_a_gif_drawn_apart_that_fails_keeps_the_earlier_video_and_gif(
    tiny_map, tmp_path, monkeypatch
):
    """The GIF's own frames come after the video's: if they fail, neither the MP4 (all of
    whose frames were written) nor the GIF is replaced, and no temporary is left."""
    from histmap import encode

    monkeypatch.chdir(tmp_path)
    hmap = histmap.load_map(tiny_map)
    options = RenderOptions(size=(320, 180), duration=2, fps=6, workers=1)
    hmap.render(None, options)
    before = {p.name: p.read_bytes() for p in (tmp_path / "frames").iterdir()}
    assert sorted(before) == ["tiny.gif", "tiny.mp4"]

    def full_disk(self, frame):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(encode.GifWriter, "_write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        hmap.render(None, RenderOptions.of(options, duration=3))
    after = {p.name: p.read_bytes() for p in (tmp_path / "frames").iterdir()}
    assert after == before


# -- stills ------------------------------------------------------------------------------------


def test_a_still_frames_its_action_or_the_box_asked_for(korea, tmp_path):
    from histmap.framing import still_view
    from histmap.pipeline import write_stills

    day, size = to_day("1950-09-15"), (320, 180)
    view = still_view(korea.world, size, day, None)
    report = write_stills(
        korea.world, day, [tmp_path / "s.png"], RenderOptions(size=size), view=view
    )
    whole = Framer(korea.world, size).whole
    assert _wide(report.view) < _wide(whole) / 2
    story = korea.world.story
    for i in story.main_indices(day):  # the numbered events, the Inchon landing among them
        xy = story.path(i)
        assert (xy[:, 0] >= view.x0).all() and (xy[:, 0] <= view.x1).all()
        assert (xy[:, 1] >= view.y0).all() and (xy[:, 1] <= view.y1).all()
    assert "inchon-landing" in [story.events[i].id for i in story.main_indices(day)]
    box = (125.0, 36.0, 128.0, 38.5)
    asked = korea.world.view_of(box)
    assert _same(korea._still_view(day, RenderOptions(), None, box), asked)
    with pytest.raises(histmap.OptionError, match=r"extent .*outside the map's extent"):
        korea.still("1950-09-15", tmp_path / "x.png", extent=(100.0, 36.0, 128.0, 38.5))
    with pytest.raises(histmap.OptionError, match=r"west .* must be less than east"):
        korea.still("1950-09-15", tmp_path / "x.png", extent=(128.0, 36.0, 125.0, 38.5))
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("which", ["new map", "soviet_view_1951"])
def test_any_maps_camera_needs_no_code_and_stays_within_its_limits(tmp_path, which):
    from histmap.scaffold import new_map

    hmap = histmap.load_map(new_map("crete", tmp_path) if which == "new map" else which)
    for size in LAYOUTS:
        plan, framer = _plan(hmap, size), Framer(hmap.world, size)
        whole = framer.whole
        assert _same(plan.views[0], whole)
        for v in plan.views:
            assert _wide(v) >= _wide(whole) / 6 * (1 - 1e-9) and _wide(v) <= _wide(whole) * 1.0001
            assert v.x0 >= whole.x0 - 1e-6 * _wide(whole) and v.x1 <= whole.x1 + 1e-6 * _wide(whole)
            assert v.y0 >= whole.y0 - 1e-6 * _wide(whole) and v.y1 <= whole.y1 + 1e-6 * _wide(whole)
