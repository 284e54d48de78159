"""The render loop: moments -> scenes -> pixels -> writers, in order, optionally in parallel.

Frames are drawn in worker processes (``workers``, default: the machine's cores)
in chunks, and handed to the writers strictly in order; at most a few chunks are
in flight, so memory stays flat however long the video.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .draw import map_swatch
from .encode import Writer, format_of, open_writer
from .scene import World
from .story import Story

CHUNK = 8


@dataclass(frozen=True)
class Output:
    """One output of a render: where, what size, and every how many frames it takes one."""

    target: Path
    size: tuple[int, int]
    stride: int

    @classmethod
    def for_target(
        cls, target: Path, base_size: tuple[int, int], base_fps: float, *, gif_size: tuple[int, int]
    ) -> Output:
        if format_of(target) == "gif":
            # A GIF for slides: smaller, and about 12 frames a second.
            stride = max(1, round(base_fps / 12))
            size = gif_size if gif_size[0] <= base_size[0] else base_size
            return cls(target, size, stride)
        return cls(target, base_size, 1)


@dataclass(frozen=True)
class FramePlan:
    """The frames of a video: the moment (seconds) and the day of each, and how to draw them."""

    times: np.ndarray
    days: np.ndarray
    size: tuple[int, int]
    fps: float
    story: Story


def default_workers() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


# -- drawing frames, here or in workers ---------------------------------------------------------

_WORKER: dict = {}


def _init_worker(world: World, plan: FramePlan) -> None:
    from .draw import FrameRenderer

    _WORKER["world"], _WORKER["plan"] = world, plan
    _WORKER["renderer"] = FrameRenderer(world, plan.size, story=plan.story)


def _init_pool_worker(world: World, plan: FramePlan) -> None:
    """A worker process: Ctrl-C is the parent's to handle (it stops the pool and removes
    partial outputs); a worker that took it too would die mid-task and hang the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _init_worker(world, plan)


def _draw_chunk(indices: range) -> list[np.ndarray]:
    world, plan, renderer = _WORKER["world"], _WORKER["plan"], _WORKER["renderer"]
    return [
        renderer.render(world.scene(float(plan.days[i]), t=float(plan.times[i]), story=plan.story))
        for i in indices
    ]


def iter_frames(world: World, plan: FramePlan, workers: int = 1) -> Iterator[np.ndarray]:
    """The frames of ``plan`` in order, drawn by ``workers`` processes."""
    chunks = [range(i, min(i + CHUNK, len(plan.days))) for i in range(0, len(plan.days), CHUNK)]
    if workers <= 1 or len(chunks) <= 1:
        _init_worker(world, plan)
        for chunk in chunks:
            yield from _draw_chunk(chunk)
        return
    # Forked workers share the parent's loaded map and computed base map.
    context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_pool_worker, initargs=(world, plan)
    ) as pool:
        pending: deque[Future] = deque()
        queue = iter(chunks)
        try:
            for chunk in queue:
                pending.append(pool.submit(_draw_chunk, chunk))
                if len(pending) >= 2 * workers:
                    break
            while pending:
                frames = pending.popleft().result()
                nxt = next(queue, None)
                if nxt is not None:
                    pending.append(pool.submit(_draw_chunk, nxt))
                yield from frames
        finally:
            for future in pending:
                future.cancel()


def render_outputs(
    world: World,
    plan: FramePlan,
    outputs: list[Output],
    *,
    name: str,
    workers: int = 1,
    frames: Iterator[np.ndarray] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Draw the frames of ``plan`` once and feed every output; all or nothing.

    ``frames`` may come from elsewhere (a Dask cluster); by default they are drawn
    here by ``workers`` processes.
    """
    frames = frames if frames is not None else iter_frames(world, plan, workers)
    writers: list[tuple[Writer, Output]] = []
    try:
        # Start the workers before any encoder, so that no worker inherits an encoder's pipe.
        first = next(frames)
        for out in outputs:
            out_dir = out.target if format_of(out.target) == "png" else None
            if out_dir is not None and not out_dir.exists() and out_dir.parent.is_dir():
                out_dir.mkdir()
            writer = open_writer(
                out.target, out.size, plan.fps / out.stride, name=name, swatch=map_swatch(world)
            )
            writers.append((writer, out))
        total = len(plan.days)
        for i, frame in enumerate(itertools.chain([first], frames)):
            for writer, out in writers:
                if i % out.stride == 0:
                    writer.write(frame)
            if progress is not None:
                progress(i + 1, total)
        for writer, _ in writers:
            writer.close()
    except BaseException:
        for writer, _ in writers:
            writer.abort()
        frames.close()
        raise
    return [out.target for _, out in writers]
