"""The render loop: frames drawn by worker processes arrive complete and in order."""

import multiprocessing as mp
from itertools import pairwise

import numpy as np
import pytest

from histmap import render
from histmap.render import FrameRing, iter_frames

needs_fork = pytest.mark.skipif(
    "fork" not in mp.get_all_start_methods(), reason="the shared ring needs fork"
)


def test_ring_places_repeat_every_capacity_frames():
    ring = FrameRing((64, 48), budget=5 * 64 * 48 * 4)
    assert ring.capacity == 5
    first, second, sixth = ring.frames([0, 1, 5])
    assert first.shape == (48, 64, 4)
    assert np.shares_memory(first, sixth)
    assert not np.shares_memory(first, second)


def test_ring_fits_the_budget_but_holds_the_least_frames_asked():
    assert FrameRing((1920, 1080)).capacity * 1920 * 1080 * 4 <= render.RING_BYTES
    assert FrameRing((1920, 1080), budget=1, least=5).capacity == 5


def test_ring_holds_seconds_of_video_at_any_size_its_memory_allows():
    """As many frames at 1920x1080 as at 1280x720 (a worker may run as far ahead), no more
    for small frames, fewer only where the budget runs out."""
    big = 150 * 1920 * 1080 * 4
    assert FrameRing((1920, 1080), budget=big).capacity == render.RING_FRAMES
    assert FrameRing((1280, 720), budget=big).capacity == render.RING_FRAMES
    assert FrameRing((320, 180), budget=big).capacity == render.RING_FRAMES
    assert FrameRing((3840, 2160), budget=big).capacity == big // (3840 * 2160 * 4)


def test_tasks_keep_a_rasters_frames_together_and_split_held_frames():
    from histmap.draw.moving import Step

    held, other = (Step((view,), exact=True) for view in "ho")
    a, b = Step(("a",)), Step(("b",))
    steps = [held] * 20 + [a] * 12 + [b] * 3 + [held] * 5 + [other] * 4
    tasks = render.frame_tasks(steps, len(steps), longest=10)
    assert [i for t in tasks for i in t] == list(range(len(steps)))
    assert [len(t) for t in tasks] == [8, 8, 4, 10, 2, 3, 5, 4]
    # No steps (the whole map throughout): chunks of CHUNK frames, or shorter if need be.
    assert [len(t) for t in render.frame_tasks(None, 20, longest=30)] == [8, 8, 4]
    assert [len(t) for t in render.frame_tasks(None, 5, longest=2)] == [2, 2, 1]


def test_a_rasters_or_a_holds_tasks_go_to_one_worker_but_a_long_holds_are_shared():
    from histmap.draw.moving import Step

    held, other = (Step((view,), exact=True) for view in "ho")
    a, b = Step(("a",)), Step(("b",))
    steps = [held] * 60 + [a] * 10 + [b] * 10 + [other] * 60
    tasks = render.frame_tasks(steps, len(steps), longest=8)
    shares = render.share_tasks(tasks, steps, 2)
    owners = {}
    for task, worker in zip(tasks, shares, strict=True):
        assert owners.setdefault(id(steps[task.start]), worker) == worker
    assert set(shares) == {0, 1}
    # A view held longer than LONG_HOLD frames (the fixed camera: one view throughout) is
    # drawn by both workers in turns.
    steps = [held] * (render.LONG_HOLD + 160)
    shares = render.share_tasks(render.frame_tasks(steps, len(steps), 8), steps, 2)
    assert abs(shares.count(0) - shares.count(1)) <= 1
    # Without steps, tasks alternate.
    assert render.share_tasks(render.frame_tasks(None, 32, 8), None, 2) == [0, 1, 0, 1]


def frames_of(world, plan, workers):
    return [frame.copy() for frame in iter_frames(world, plan, workers)]


@needs_fork
@pytest.mark.parametrize("ring_bytes", [None, 1], ids=["default ring", "one frame a slot"])
def test_two_workers_give_the_frames_of_one_process_in_order(korea, monkeypatch, ring_bytes):
    # The fixed camera: every frame is drawn exactly, whoever draws it.
    plan = korea.plan(size=(320, 180), fps=12, duration=4, camera="fixed")
    if ring_bytes is not None:  # every slot reused many times over
        monkeypatch.setattr(render, "RING_BYTES", ring_bytes)
    alone = frames_of(korea.world, plan, 1)
    shared = frames_of(korea.world, plan, 2)
    assert len(shared) == len(alone) == 48
    assert all(f.shape == (180, 320, 4) for f in shared)
    for a, b in zip(alone, shared, strict=True):
        assert np.array_equal(a, b)
    # The frames differ from each other, so an out-of-order frame would be caught.
    assert sum(not np.array_equal(a, b) for a, b in pairwise(alone)) > 30


@needs_fork
def test_two_workers_follow_the_camera_as_one_process_does(korea):
    # How each frame is drawn (exactly, or cut from which raster) is decided from the plan
    # alone, so a frame is the same whichever worker draws it after whichever frames.
    plan = korea.plan(size=(320, 180), fps=12, duration=4)
    assert len(set(plan.views)) > 2  # the camera moves in these four seconds
    alone = frames_of(korea.world, plan, 1)
    shared = frames_of(korea.world, plan, 2)
    for a, b, view in zip(alone, shared, plan.views, strict=True):
        assert np.array_equal(a, b), view
    held = [i for i in range(1, len(plan.views) - 1) if plan.views[i - 1] == plan.views[i]]
    moving = [i for i in range(1, len(plan.views)) if plan.views[i - 1] != plan.views[i]]
    assert len(held) > 10 and len(moving) > 10


@needs_fork
def test_two_workers_compute_each_keyframe_once_between_them(monkeypatch):
    """Both workers need the keyframes of the whole story (they take turns along it): the
    first to need one computes it, the other reads it from their shared memory."""
    import histmap

    stores = []

    class Recorded(render.SharedKeyframes):
        def __init__(self, morph):
            super().__init__(morph)
            stores.append(self)

    monkeypatch.setattr(render, "SharedKeyframes", Recorded)
    fresh = histmap.load_map("korean_war")  # nothing computed yet in this process
    plan = fresh.plan(size=(320, 180), fps=12, duration=6, camera="fixed")
    frames = frames_of(fresh.world, plan, 2)
    (store,) = stores
    made = list(store.made)
    assert sum(made) > 20 and max(made) == 1  # the story runs over dozens of keyframes
    assert fresh.world.morph.keyframe_store is None  # this process computes its own again
    alone = histmap.load_map("korean_war")
    for a, b in zip(frames_of(alone.world, plan, 1), frames, strict=True):
        assert np.array_equal(a, b)
