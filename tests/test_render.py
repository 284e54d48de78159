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


def test_ring_slots_repeat_every_groups_chunks():
    ring = FrameRing(3, (64, 48), budget=3 * 2 * 64 * 48 * 4)
    assert ring.chunk == 2
    assert ring.slot(0).shape == (2, 48, 64, 4)
    assert np.shares_memory(ring.slot(1), ring.slot(4))
    assert not np.shares_memory(ring.slot(1), ring.slot(2))


def test_ring_chunks_shrink_to_fit_the_budget_but_never_below_one_frame():
    assert FrameRing(5, (1920, 1080)).chunk * 5 * 1920 * 1080 * 4 <= render.RING_BYTES
    assert FrameRing(5, (1920, 1080), budget=1).chunk == 1
    assert FrameRing(5, (64, 64)).chunk == render.CHUNK


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
    # While the view moves, a frame is cut from a raster whose box depends on the frames
    # its worker drew before: close to one process's, not equal; held views are exact.
    plan = korea.plan(size=(320, 180), fps=12, duration=4)
    assert len(set(plan.views)) > 2  # the camera moves in these four seconds
    alone = frames_of(korea.world, plan, 1)
    shared = frames_of(korea.world, plan, 2)
    for a, b, view in zip(alone, shared, plan.views, strict=True):
        difference = np.abs(a.astype(int) - b.astype(int))
        assert difference.mean() < 2, view
    held = [i for i in range(1, len(plan.views) - 1) if plan.views[i - 1] == plan.views[i]]
    assert len(held) > 10 and all(np.array_equal(alone[i], shared[i]) for i in held)
