"""The frame plan and the render loop: moments -> scenes -> pixels -> writers, in order,
optionally in parallel (:mod:`histmap.pipeline` strings the steps of a render together).

Frames are drawn in worker processes (``workers``, default: the machine's cores)
in tasks (:func:`frame_tasks`; a held view's or a raster's frames all on one worker but a
long hold's, :func:`share_tasks`), straight into memory shared with this process (a
:class:`FrameRing`), and handed to the writers strictly in order; at most two tasks a
worker are in flight, so memory stays flat however long the video.
"""

from __future__ import annotations

import contextlib
import itertools
import mmap
import multiprocessing as mp
import os
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._dates import day_within, to_day
from ._errors import OptionError
from .draw import FrameRenderer, frame_steps, map_swatch
from .draw.moving import Step
from .encode import Writer, format_of, open_writer
from .framing import fixed, follow
from .interpolate import KeyframeField, Morph
from .narration import Clip, load_clips, narration_folder
from .options import GIF_FPS, RenderOptions
from .outputs import die_with_parent
from .scene import Scene, View, World
from .story import Story
from .timeline import frame_count

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
            # A GIF for slides: smaller, and about GIF_FPS frames a second.
            stride = max(1, round(base_fps / GIF_FPS))
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
    views: tuple[View, ...] = ()
    """What the map shows in each frame (empty: the whole map throughout)."""

    def view(self, i: int) -> View | None:
        return self.views[i] if self.views else None


def plan_frames(world: World, options: RenderOptions) -> FramePlan:
    """The frames of a video of ``world`` drawn with ``options``: the moment, day and view of
    each, and its paced story. The one place a plan is made (here, for the API, on Dask
    workers), so every process draws the same views."""
    spec = world.data.spec
    first = options.start or spec.start
    last = options.end or spec.end
    for d in (first, last):
        day_within(d, spec.start, spec.end)
    if last <= first:
        raise OptionError(f"--to {last} must come after --from {first}")
    seconds = options.duration or spec.duration
    fps = options.frame_rate(spec.fps)
    voice = {c.event: c.seconds for c in narration_clips(world, options)}
    story = world.paced_story(to_day(first), to_day(last), seconds, options.pacing, voice)
    # Narration lengthens the video by the holds its voices add.
    times = np.arange(frame_count(fps, story.schedule.duration)) / fps
    size = options.frame_size()
    camera = fixed(world, size) if options.camera == "fixed" else follow(world, story, size)
    views = tuple(camera.views(times))
    return FramePlan(times, story.schedule.day_at(times), size, fps, story, views)


def narration_clips(world: World, options: RenderOptions) -> list[Clip]:
    """The narration clips a video of ``world`` with ``options`` plays (checked; none if no
    narration): ``options.narration``, else the map folder's own ``narration/``; in either,
    the subfolder of the map's language (``fr/``) when there is one."""
    spec = world.data.spec
    folder = narration_folder(spec.folder, options.narration, spec.lang)
    return load_clips(folder, (e.id for e in world.data.events))


def default_workers() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


# -- drawing frames, here or in workers ---------------------------------------------------------


def _ring_budget() -> int:
    """An eighth of the machine's memory (512 MB where it cannot be read)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 8
    except (AttributeError, ValueError, OSError):
        return 512 * 2**20


RING_BYTES = _ring_budget()
"""At most this much memory holds frames drawn by workers and not yet encoded."""
RING_FRAMES = 150
"""The frames the ring holds if its memory allows: about six seconds of video, so a worker
runs ahead of one drawing a long move (with 64 frames at 1920x1080, a 512 MB ring, the
workers stood idle for a ninth of the default video)."""


class FrameRing:
    """Frames shared with forked workers: frame ``i`` of a plan is drawn in place
    ``i % capacity``.

    Workers draw straight into the shared memory and the parent reads the frames
    there, so a frame is never pickled or sent through a pipe. The memory is an
    anonymous mapping: the system frees it with the last process, however they end.
    """

    def __init__(self, size: tuple[int, int], *, budget: int | None = None, least: int = 1):
        frame_bytes = size[0] * size[1] * 4
        budget = RING_BYTES if budget is None else budget
        self.capacity = max(least, min(RING_FRAMES, budget // frame_bytes))
        self._memory = mmap.mmap(-1, self.capacity * frame_bytes)
        self._frames = np.frombuffer(self._memory, np.uint8).reshape(
            self.capacity, size[1], size[0], 4
        )

    def frames(self, indices) -> list[np.ndarray]:
        """Where the frames ``indices`` are drawn."""
        return [self._frames[i % self.capacity] for i in indices]


class SharedKeyframes:
    """The keyframes' fields shared by forked workers (a ``KeyframeStore``):
    the first worker to need one computes it into memory shared with the others, which wait
    for it rather than compute it again (each worker of a video needs nearly every keyframe:
    the workers take turns along the whole story). Made before the workers fork."""

    WAIT = 120.0
    """Seconds a worker waits for another's keyframe before computing it itself."""

    def __init__(self, morph: Morph):
        count, sides = len(morph.keyframes), len(morph.sides)
        shape = (count, sides, len(morph.grid.y), len(morph.grid.x))
        # Anonymous: the system frees it with the last process; pages cost only once written.
        self._memory = mmap.mmap(-1, int(np.prod(shape)) * 4)
        self._fields = np.frombuffer(self._memory, np.float32).reshape(shape)
        context = mp.get_context("fork")
        self._lock = context.Lock()
        self._state = context.RawArray("b", count)  # 0 not made, 1 being made, 2 made
        self._present = context.RawArray("b", count * sides)
        self.made = context.RawArray("i", count)
        """How many times each keyframe was computed, by all the workers together."""
        self._sides = sides

    def __call__(self, index: int, make: Callable[[int], KeyframeField]) -> KeyframeField:
        deadline = time.monotonic() + self.WAIT
        while True:
            with self._lock:
                state = self._state[index]
                if state == 0 or (state == 1 and time.monotonic() > deadline):
                    self._state[index] = 1
                    self.made[index] += 1
                    break
            if state == 2:
                present = {k for k in range(self._sides) if self._present[index * self._sides + k]}
                return self._fields[index], present
            time.sleep(0.002)
        try:
            field, present = make(index)
        except BaseException:
            with self._lock:
                self._state[index] = 0  # another may try, and meet the same error
            raise
        self._fields[index] = field
        for k in present:
            self._present[index * self._sides + k] = 1
        with self._lock:  # the lock publishes the field before the state says it is there
            self._state[index] = 2
        return self._fields[index], present


def frame_tasks(steps: Sequence[Step] | None, count: int, longest: int) -> list[range]:
    """The frames of a plan in tasks for workers, in order, none longer than ``longest``:
    a raster's group of moving frames in one task (so one worker makes the raster), held
    frames in tasks of at most :data:`CHUNK` frames of one view (``steps``, from
    :func:`~histmap.draw.frame_steps`; ``None``: every frame held)."""
    tasks: list[range] = []
    start = 0
    for i in range(1, count + 1):
        same = i < count and (steps is None or steps[i] is steps[i - 1])
        moving = steps is not None and not steps[start].exact
        if not same or i - start >= (longest if moving else min(CHUNK, longest)):
            tasks.append(range(start, i))
            start = i
    return tasks


REBUILD, RASTER, MOVING = 32.0, 30.0, 5.0
"""What drawing a held view exactly, making a raster and drawing a frame of a moving view
cost, in frames of a held view drawn (measured on the default video)."""


LONG_HOLD = 240
"""A view held for more frames than this (ten seconds at 24 frames a second; say a whole video
with the fixed camera) is drawn by every worker in turns, each building it once."""


def share_tasks(tasks: list[range], steps: Sequence[Step] | None, workers: int) -> list[int]:
    """The worker of each task, each to the one with the least work so far (estimated from
    the plan): the tasks of one step (a raster's group, a held view) go to one worker, so no
    two build the same raster or view, except a view held longer than :data:`LONG_HOLD`
    frames, whose tasks are shared (a worker new to it paying for building it)."""
    work = [0.0] * workers
    owner: dict[int, int] = {}
    built: set[tuple[int, int]] = set()  # (a long hold, a worker that built it)
    frames = Counter(map(id, steps)) if steps is not None else Counter()
    shares = []
    for task in tasks:
        step = steps[task.start] if steps is not None else None
        key = id(step) if step is not None else task.start
        if step is not None and step.exact and frames[key] > LONG_HOLD:
            setup = [0.0 if (key, w) in built else REBUILD for w in range(workers)]
            k = int(np.argmin(np.add(work, setup)))
            work[k] += setup[k]
            built.add((key, k))
        else:
            if key not in owner:
                owner[key] = int(np.argmin(work))
                if step is not None:
                    work[owner[key]] += REBUILD if step.exact else RASTER
            k = owner[key]
        work[k] += len(task) * (1 if step is None or step.exact else MOVING)
        shares.append(k)
    return shares


class FrameSource:
    """Draws the frames of a plan, keeping its renderer between tasks; into the shared
    ring, if given, else returned."""

    def __init__(self, world: World, plan: FramePlan, ring: FrameRing | None = None):
        self.world, self.plan, self.ring = world, plan, ring
        self.renderer = FrameRenderer(world, plan.size, story=plan.story)
        # Decided from the plan alone: every process draws a frame the same way.
        self.steps = frame_steps(world, plan.size, plan.views) if plan.views else None

    def draw(self, indices, out: Sequence[np.ndarray] | None = None) -> list[np.ndarray]:
        """Frames ``indices`` of the plan as RGBA arrays (what the encoders take fastest),
        drawn into ``out[0]``, ``out[1]``, ... if given."""
        frames = []
        for n, i in enumerate(indices):
            step = None if self.steps is None else self.steps[i]
            first = None if step is None or step.first == i else self._scene_of(step.first)
            frames.append(
                self.renderer.render_rgba(
                    self._scene_of(i)(), out=None if out is None else out[n], step=step, first=first
                )
            )
        return frames

    def _scene_of(self, i: int) -> Callable[[], Scene]:
        """The scene of frame ``i`` of the plan, made when called."""
        plan = self.plan
        return lambda: self.world.scene(
            float(plan.days[i]), t=float(plan.times[i]), story=plan.story, view=plan.view(i)
        )

    def task(self, indices) -> list[np.ndarray] | None:
        """Frames ``indices``: into the ring if there is one (nothing to send back), else
        returned."""
        if self.ring is None:
            return self.draw(indices)
        self.draw(indices, self.ring.frames(indices))
        return None


class _PoolWorker:
    """A worker process of the pool: its initializer makes the process's frame source,
    which each task then draws with (a task is pickled, so it names the class, not the
    source). Only ever set in a worker process."""

    source: FrameSource | None = None

    @classmethod
    def start(cls, world: World, plan: FramePlan, ring: FrameRing | None, parent: int) -> None:
        """Ctrl-C is the parent's to handle (it stops the pool and removes partial outputs);
        a worker that took it too would die mid-task and hang the pool. A worker dies with
        the parent (even ``kill -9``): none keeps drawing, or holds the caller's pipes."""
        die_with_parent(parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        cls.source = FrameSource(world, plan, ring)

    @classmethod
    def task(cls, indices: range) -> list[np.ndarray] | None:
        return cls.source.task(indices)


def iter_frames(world: World, plan: FramePlan, workers: int = 1) -> Iterator[np.ndarray]:
    """The frames of ``plan`` in order, as RGBA arrays, drawn by ``workers`` processes.

    With several workers, a frame may be a view of memory the workers draw into:
    it is valid until the next frame is taken (copy it to keep it).
    """
    count = len(plan.days)
    if workers <= 1 or count <= CHUNK:
        source = FrameSource(world, plan)
        for i in range(count):
            yield from source.draw((i,))
        return
    # Forked workers share the parent's loaded map and computed base map, and the ring.
    fork = "fork" in mp.get_all_start_methods()
    ring = FrameRing(plan.size, least=2 * workers + 1) if fork else None
    # A task fits in the ring beside the others in flight.
    longest = 4 * CHUNK if ring is None else max(1, ring.capacity // (workers + 1))
    steps = frame_steps(world, plan.size, plan.views) if plan.views else None
    tasks = frame_tasks(steps, count, longest)
    shares = share_tasks(tasks, steps, workers)
    pairs = list(zip(tasks, shares, strict=True))
    queues = [deque(t for t, w in pairs if w == k) for k in range(workers)]
    with contextlib.ExitStack() as stack:
        pools = _start_pools(stack, world, plan, ring, workers)
        futures: dict[int, Future] = {}
        flying = [0] * workers
        # Frames sent back are held in memory: two tasks a worker. In the ring, a worker
        # runs ahead as far as the ring allows, so none waits while another draws a long
        # moving view (the frames must be taken in order).
        most = 2 if ring is None else ring.capacity

        def submit(taken: int) -> None:
            """Each worker's next tasks while it has fewer than ``most`` in flight and their
            frames overwrite none not yet taken (``taken``: the first frame still held)."""
            for k, queue in enumerate(queues):
                while queue and flying[k] < most:
                    if ring is not None and queue[0].stop > taken + ring.capacity:
                        break
                    task = queue.popleft()
                    futures[task.start] = pools[k].submit(_PoolWorker.task, task)
                    flying[k] += 1

        try:
            for task, k in pairs:
                submit(task.start)
                frames = futures.pop(task.start).result()
                flying[k] -= 1
                if ring is None:
                    yield from frames
                    continue
                for i, frame in zip(task, ring.frames(task), strict=True):
                    # The places of the frames before this one are free once it is taken.
                    submit(i)
                    yield frame
        finally:
            for future in futures.values():
                future.cancel()


@contextlib.contextmanager
def _keyframes_shared(morph: Morph) -> Iterator[SharedKeyframes]:
    """While the workers start, the morph's keyframes come from a :class:`SharedKeyframes`
    (each worker keeps it; this process goes back to its own store once they are started)."""
    before, morph.keyframe_store = morph.keyframe_store, SharedKeyframes(morph)
    try:
        yield morph.keyframe_store
    finally:
        morph.keyframe_store = before


def _start_pools(stack, world: World, plan: FramePlan, ring: FrameRing | None, workers: int):
    """One pool of one process a worker (each draws the tasks given to it, in order),
    entered on ``stack``; every worker starts now, before any encoder's pipe is open."""
    fork = ring is not None
    shared = _keyframes_shared(world.morph) if fork else contextlib.nullcontext()
    with shared:  # the workers fork with it: each keyframe is computed once among them
        pools = [
            stack.enter_context(
                ProcessPoolExecutor(
                    1,
                    mp_context=mp.get_context("fork") if fork else None,
                    initializer=_PoolWorker.start,
                    initargs=(world, plan, ring, os.getpid()),
                )
            )
            for _ in range(workers)
        ]
        for pool in pools:
            pool.submit(int)  # a pool forks its process at its first task
    return pools


@dataclass(frozen=True)
class Pass:
    """The frames of one plan and the outputs they feed (``frames``: drawn elsewhere, say on
    a Dask cluster; default: here)."""

    plan: FramePlan
    outputs: list[Output]
    frames: Iterator[np.ndarray] | None = None


def render_outputs(
    world: World,
    passes: list[Pass],
    *,
    name: str,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Draw the frames of each pass's plan once and feed that pass's outputs, one pass after
    the other (a video following the camera, then a GIF of its own with the whole map);
    all or nothing: no output is swapped in before every frame of every pass is written.

    The frames are drawn here by ``workers`` processes unless a pass brings its own.
    ``progress`` counts the frames of all the passes together.
    """
    sources = [
        p.frames if p.frames is not None else iter_frames(world, p.plan, workers) for p in passes
    ]
    writers: list[tuple[Writer, Output]] = []
    closed: list[Path] = []
    try:
        # Start the workers of every pass before any encoder, so that no worker inherits an
        # encoder's pipe (the frames a pass's workers draw ahead wait in its ring).
        firsts = [next(source) for source in sources]
        opened = [_open_writers(world, p, name) for p in passes]
        writers = [w for ws in opened for w in ws]
        total, done = sum(len(p.plan.days) for p in passes), 0
        for first, source, pass_writers in zip(firsts, sources, opened, strict=True):
            for i, frame in enumerate(itertools.chain([first], source)):
                for writer, out in pass_writers:
                    if i % out.stride == 0:
                        writer.write(frame)
                done += 1
                if progress is not None:
                    progress(done, total)
        for writer, out in writers:
            writer.close()
            closed.append(out.target)
    except BaseException as exc:
        for target in closed:  # told when interrupted: not every output is as it was
            exc.add_note(f"'{target}' was already written")
        for writer, _ in writers:
            writer.abort()
        for source in sources:
            source.close()
        raise
    return [out.target for _, out in writers]


def _open_writers(world: World, p: Pass, name: str) -> list[tuple[Writer, Output]]:
    """A writer for each output of the pass ``p`` (a folder of PNG frames made if need be)."""
    writers = []
    for out in p.outputs:
        out_dir = out.target if format_of(out.target) == "png" else None
        if out_dir is not None and not out_dir.exists() and out_dir.parent.is_dir():
            out_dir.mkdir()
        writer = open_writer(
            out.target, out.size, p.plan.fps / out.stride, name=name, swatch=map_swatch(world)
        )
        writers.append((writer, out))
    return writers
