"""The render flow, written once: plan -> scenes -> frames -> writers.

:meth:`HistMap.render <histmap.HistMap.render>`, lessons and stills come here with a
:class:`~histmap.options.RenderOptions`; the frames are drawn here or, with a
scheduler, on a Dask cluster whose workers plan them with the same function.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from ._errors import OptionError
from .captions import write_captions
from .draw import FrameRenderer, FrameReport
from .encode import check_output, check_writable, format_of, temp_beside
from .loader import data_root
from .narration import Clip
from .options import RenderOptions
from .outputs import output_lock, refuse_inside, remove_stale
from .render import (
    CHUNK,
    FramePlan,
    Output,
    Pass,
    narration_clips,
    plan_frames,
    render_outputs,
)
from .scene import View, World
from .soundtrack import add_voice, clip_starts

Progress = Callable[[int, int], None]
STILL_FORMATS = (".png", ".svg", ".pdf")


def render_video(
    world: World,
    targets: list[Path],
    options: RenderOptions,
    *,
    name: str,
    progress: Progress | None = None,
) -> tuple[list[Path], FramePlan]:
    """Draw the frames and write every target (MP4, GIF or a folder of PNG frames); all
    or nothing. Returns the paths written and the plan the video's frames were drawn from.
    The targets share one drawing, except a GIF beside a video that follows the camera
    unasked: it keeps the whole map, from a fixed plan of its own.

    The frame size and rate are ``options``' or the defaults (a GIF alone: 960x540, at
    most 12 frames a second); a GIF beside a video keeps about 12 frames a second.
    """
    for target in targets:
        check_output(target)  # before any work: a clear error, nothing drawn
        refuse_map_folders(world, target)
    with _output_locks(targets, name):
        return _render_video(world, targets, options, name=name, progress=progress)


def _render_video(
    world: World,
    targets: list[Path],
    options: RenderOptions,
    *,
    name: str,
    progress: Progress | None = None,
) -> tuple[list[Path], FramePlan]:
    gif_only = all(format_of(t) == "gif" for t in targets)
    video = options.for_video(world.data.spec.fps, gif_only=gif_only)
    outputs = [
        Output.for_target(t, video.size, video.fps, gif_size=options.gif_size()) for t in targets
    ]
    plan = plan_frames(world, video)
    apart = _gif_apart(world, options, video, outputs)
    workers = video.worker_count(len(plan.times), CHUNK)

    def render(outs: list[Output]) -> list[Path]:
        # The outputs as drawn (an MP4 may be a silent temporary by now, never a GIF).
        gifs = apart[2] if apart is not None else []
        mine = [o for o in outs if o.target not in gifs]
        passes = [Pass(plan, mine, _remote_frames(world, video, plan))]
        if apart is not None:
            gif_options, gif_plan, _ = apart
            # Drawn at the GIF's own size and rate: it takes every frame of its plan.
            theirs = [dataclasses.replace(o, stride=1) for o in outs if o.target in gifs]
            passes.append(Pass(gif_plan, theirs, _remote_frames(world, gif_options, gif_plan)))
        return render_outputs(world, passes, name=name, workers=workers, progress=progress)

    written = _render_narrated(narration_clips(world, video), plan, outputs, render)
    if video.captions:
        written += [
            write_captions(plan, t.with_suffix(".vtt")) for t in written if format_of(t) == "mp4"
        ]
    return written, plan


def _gif_apart(
    world: World, options: RenderOptions, video: RenderOptions, outputs: list[Output]
) -> tuple[RenderOptions, FramePlan, list[Path]] | None:
    """The GIFs among ``outputs`` drawn apart from the video, with the whole map (no camera
    chosen, see :meth:`RenderOptions.for_gif_beside`): their options, plan and targets; None
    if they take the video's frames."""
    gifs = [o for o in outputs if format_of(o.target) == "gif"]
    if not gifs or len(gifs) == len(outputs):
        return None
    gif_options = options.for_gif_beside(video, gifs[0].size, gifs[0].stride)
    if gif_options is None:
        return None
    return gif_options, plan_frames(world, gif_options), [o.target for o in gifs]


def _remote_frames(world: World, options: RenderOptions, plan: FramePlan):
    """The frames of ``plan`` drawn on the options' Dask cluster, or None (drawn here)."""
    if options.scheduler is None:
        return None
    from .distributed import iter_frames_dask

    folder = str(world.data.spec.folder.resolve())
    return iter_frames_dask(options.scheduler, folder, options, len(plan.times))


def _render_narrated(
    clips: list[Clip],
    plan: FramePlan,
    outputs: list[Output],
    render: Callable[[list[Output]], list[Path]],
) -> list[Path]:
    """``render(outputs)``, each MP4 first encoded silent beside its target, then given the
    narration ``clips`` and swapped in (no narration: as it is; a GIF stays silent)."""
    silent = {
        o.target: temp_beside(o.target) for o in outputs if clips and format_of(o.target) == "mp4"
    }
    try:
        drawn = render(
            [dataclasses.replace(o, target=silent.get(o.target, o.target)) for o in outputs]
        )
        placed = clip_starts(plan, clips)
        duration = len(plan.times) / plan.fps
        for target, tmp in silent.items():
            add_voice(tmp, target, placed, duration)
        back = {tmp: target for target, tmp in silent.items()}
        return [back.get(p, p) for p in drawn]
    finally:
        for tmp in silent.values():
            tmp.unlink(missing_ok=True)


def refuse_map_folders(world: World, out: Path) -> None:
    """Refuse, before any work, an output in the folder of the map being drawn or among the
    built-in maps: histmap never writes where it reads."""
    refuse_inside(
        out, {world.data.spec.folder: "the map folder", data_root(): "the built-in maps' folder"}
    )


@contextlib.contextmanager
def _output_locks(targets: list[Path], name: str, *, frames: bool = True) -> Iterator[None]:
    """Hold the lock of every output among ``targets`` (in a folder of PNG frames, that of
    the frames ``name``; with ``frames`` false a PNG is a still), removing what a killed
    histmap left of them and of a video's captions; a folder made here is removed again if
    the render fails before writing in it."""
    made: list[Path] = []
    try:
        with contextlib.ExitStack() as locks:
            for target in targets:
                if frames and format_of(target) == "png":
                    if not target.exists():
                        target.mkdir()
                        made.append(target)
                    lock, own = target / f".{name}.lock", target / name
                    what = f"the frames {name}_NNNNN.png in '{target}'"
                else:
                    lock, own = target.with_name(f".{target.name}.lock"), target
                    what = f"'{target}'"
                locks.enter_context(output_lock(lock, what))
                remove_stale(own)
                if own.suffix.lower() == ".mp4":
                    remove_stale(own.with_suffix(".vtt"))  # its --captions, written under it
            yield
    except BaseException:
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty
        raise


def write_still(
    world: World,
    day: float,
    out: Path,
    options: RenderOptions,
    *,
    events: list[int] | None = None,
    view: View | None = None,
) -> Path:
    """Draw the map on ``day`` to ``out``, a PNG, SVG or PDF (its extension decides), at the
    options' frame size; the file is written whole or not at all. ``events`` (indices of the
    map's events) are the numbered main events (default: the still's own choice); ``view``
    what the map shows (default: all of it)."""
    write_stills(world, day, [out], options, events=events, view=view)
    return out


def write_stills(
    world: World,
    day: float,
    outs: list[Path],
    options: RenderOptions,
    *,
    events: list[int] | None = None,
    view: View | None = None,
) -> FrameReport:
    """The still of ``day`` (see :func:`write_still`) laid out once and written to each of
    ``outs`` (say a PNG, an SVG and a PDF); returns where its texts and badges are."""
    for out in outs:
        if out.suffix.lower() not in STILL_FORMATS:
            raise OptionError(f"cannot write a still as '{out.suffix}': use .png, .svg or .pdf")
        check_writable(out.parent if str(out.parent) else Path("."))
        refuse_map_folders(world, out)
    renderer = FrameRenderer(world, options.frame_size(), layered=False)
    scene = world.scene(day, events=events, view=view)
    with _output_locks(outs, "", frames=False):
        for out in outs:
            tmp = temp_beside(out)
            try:
                renderer.save(scene, tmp)
                os.replace(tmp, out)
            finally:
                Path(tmp).unlink(missing_ok=True)
    return renderer.report()
