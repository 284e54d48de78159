"""The public face of the library: a loaded map you can query and render."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np

from ._dates import DateLike, to_date, to_day
from ._errors import OptionError, Problem
from .loader import load_map_data
from .model import UNHELD, Event, MapData, Place, Side
from .scene import World
from .timeline import frame_count

Progress = Callable[[int, int], None]
DEFAULT_SIZE = (1280, 720)
GIF_SIZE = (960, 540)
GIF_FPS = 12
STILL_FORMATS = (".png", ".svg", ".pdf")


def _frame(records, record_type) -> gpd.GeoDataFrame:
    """Typed records as a GeoDataFrame in lon/lat, one column per field."""
    columns = [f.name for f in dataclasses.fields(record_type)]
    rows = [dataclasses.astuple(r) for r in records]
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs="EPSG:4326")


def load_map(map: str | os.PathLike | None = None) -> HistMap:
    """Load a map folder, or a built-in map by name (``None``: the Korean War).

    Raises :class:`histmap.MapError` listing every problem if the folder is not usable.
    """
    data, warnings = load_map_data(map)
    return HistMap(data, warnings)


class HistMap:
    """A validated map: its span, snapshots, sides, events and places, ready to render."""

    def __init__(self, data: MapData, warnings: list[Problem] | None = None):
        self.data = data
        self.warnings = warnings or []

    def __repr__(self) -> str:
        return f"<HistMap {self.name!r}: {self.span[0]} to {self.span[1]}>"

    @property
    def name(self) -> str:
        return self.data.spec.name

    @property
    def title(self) -> str:
        return self.data.spec.title

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        """First and last date of the map."""
        return self.data.spec.start, self.data.spec.end

    @property
    def snapshot_dates(self) -> list[dt.date]:
        return [s.date for s in self.data.snapshots]

    @property
    def sides(self) -> list[Side]:
        return list(self.data.spec.sides)

    @property
    def events(self) -> gpd.GeoDataFrame:
        """The events in date order, one row each, in lon/lat."""
        return _frame(self.data.events, Event)

    @property
    def places(self) -> gpd.GeoDataFrame:
        return _frame(self.data.places, Place)

    @cached_property
    def world(self) -> World:
        return World(self.data)

    # -- geometry at a date --------------------------------------------------------------------

    def territories_at(self, date: DateLike) -> gpd.GeoDataFrame:
        """Each side's land on ``date``: one row per side holding land (``side``, ``geometry``)."""
        day = self._day(date)
        held = self.world.morph.territories(day)
        inverse = self.world.projector.inverse
        rows = [{"side": s.id, "geometry": inverse(held[s.id])} for s in self.sides if s.id in held]
        return gpd.GeoDataFrame(
            rows, columns=["side", "geometry"], geometry="geometry", crs="EPSG:4326"
        )

    def fronts_at(self, date: DateLike) -> gpd.GeoDataFrame:
        """Front lines on ``date``, with the two sides each separates (``side_a``, ``side_b``)."""
        day = self._day(date)
        inverse = self.world.projector.inverse
        rows = [
            {"side_a": a, "side_b": b, "geometry": inverse(geom)}
            for geom, a, b in self.world.morph.fronts(day)
            if UNHELD not in (a, b) and self.data.spec.is_front(a, b)
        ]
        return gpd.GeoDataFrame(
            rows, columns=["side_a", "side_b", "geometry"], geometry="geometry", crs="EPSG:4326"
        )

    def _day(self, date: DateLike) -> float:
        d = to_date(date)
        start, end = self.span
        if not start <= d <= end:
            raise OptionError(f"{d} is outside the map's span, {start} to {end}")
        return to_day(d)

    # -- output --------------------------------------------------------------------------------

    def render(
        self,
        out: str | os.PathLike | None = None,
        *,
        size: tuple[int, int] | None = None,
        fps: float | None = None,
        duration: float | None = None,
        start: DateLike | None = None,
        end: DateLike | None = None,
        pacing: str = "story",
        workers: int | None = None,
        captions: bool = False,
        scheduler: str | None = None,
        progress: Progress | None = None,
    ) -> list[Path]:
        """Render the animation; ``out``'s extension picks MP4, GIF or (a folder) PNG frames.

        With no ``out``, writes ``frames/<map>.mp4`` and ``frames/<map>.gif``.
        ``pacing="story"`` holds the date on key events and hurries through quiet
        months; ``"calendar"`` gives every day the same time. ``workers`` is the
        number of processes drawing frames (default: the machine's cores).
        ``captions`` also writes the captions as WebVTT beside each MP4. ``scheduler``
        (a Dask scheduler's address) draws the frames on that cluster instead.
        Returns the paths written.
        """
        from .captions import write_captions
        from .encode import check_output
        from .render import Output, default_workers, render_outputs

        if out is None:
            Path("frames").mkdir(exist_ok=True)
            targets = [Path("frames") / f"{self.name}.mp4", Path("frames") / f"{self.name}.gif"]
        else:
            targets = [Path(out)]
        for target in targets:
            check_output(target)  # before any work: a clear error, nothing drawn
        gif_only = all(t.suffix.lower() == ".gif" for t in targets)
        base_size = size or (GIF_SIZE if gif_only else DEFAULT_SIZE)
        base_fps = fps or (min(GIF_FPS, self.data.spec.fps) if gif_only else self.data.spec.fps)
        outputs = [
            Output.for_target(t, base_size, base_fps, gif_size=size or GIF_SIZE) for t in targets
        ]
        plan = self.plan(
            size=base_size, fps=base_fps, duration=duration, start=start, end=end, pacing=pacing
        )
        frames = None
        if scheduler is not None:
            from .distributed import RemotePlan, iter_frames_dask

            first, last = self._range(start, end)
            remote = RemotePlan(
                str(self.data.spec.folder.resolve()),
                base_size,
                base_fps,
                duration or self.data.spec.duration,
                str(first),
                str(last),
                pacing,
            )
            frames = iter_frames_dask(scheduler, remote, len(plan.times))
        written = render_outputs(
            self.world,
            plan,
            outputs,
            name=self.name,
            workers=workers or default_workers(),
            frames=frames,
            progress=progress,
        )
        if captions:
            written += [
                write_captions(plan, t.with_suffix(".vtt"))
                for t in written
                if t.suffix.lower() == ".mp4"
            ]
        return written

    def plan(
        self,
        *,
        size: tuple[int, int] = DEFAULT_SIZE,
        fps: float | None = None,
        duration: float | None = None,
        start: DateLike | None = None,
        end: DateLike | None = None,
        pacing: str = "story",
    ):
        """The frames of a video: the moment and day of each, and its paced story."""
        from .render import FramePlan

        first, last = self._range(start, end)
        seconds = duration or self.data.spec.duration
        fps = fps or self.data.spec.fps
        story = self.world.paced_story(to_day(first), to_day(last), seconds, pacing)
        times = np.arange(frame_count(fps, seconds)) / fps
        return FramePlan(times, story.schedule.day_at(times), size, fps, story)

    def lesson(self, out: str | os.PathLike, **options) -> Path:
        """Write a lesson folder: video, GIF, captions, chapters, stills, web page, manifest.

        Takes the options of :meth:`render` (``size``, ``fps``, ``duration``, ``start``,
        ``end``, ``pacing``, ``workers``, ``progress``) and ``poster`` (a date).
        """
        from .lesson import write_lesson

        return write_lesson(self, Path(out), **options)

    def still(
        self,
        date: DateLike,
        out: str | os.PathLike | None = None,
        *,
        size: tuple[int, int] | None = None,
    ) -> Path:
        """Draw the map on ``date`` to a PNG, SVG or PDF (the extension decides)."""
        from .draw import FrameRenderer
        from .encode import check_writable, temp_beside

        day = self._day(date)
        if out is None:
            Path("frames").mkdir(exist_ok=True)
            out = Path("frames") / f"{self.name}_{to_date(date)}.png"
        out = Path(out)
        if out.suffix.lower() not in STILL_FORMATS:
            raise OptionError(f"cannot write a still as '{out.suffix}': use .png, .svg or .pdf")
        check_writable(out.parent if str(out.parent) else Path("."))
        renderer = FrameRenderer(self.world, size or DEFAULT_SIZE, layered=False)
        tmp = temp_beside(out)
        try:
            renderer.save(self.world.scene(day), tmp)
            os.replace(tmp, out)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return out

    def _range(self, start: DateLike | None, end: DateLike | None) -> tuple[dt.date, dt.date]:
        first = to_date(start) if start is not None else self.span[0]
        last = to_date(end) if end is not None else self.span[1]
        for d in (first, last):
            self._day(d)
        if last <= first:
            raise OptionError(f"--to {last} must come after --from {first}")
        return first, last
