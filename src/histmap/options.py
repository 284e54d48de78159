"""How to render a map: one :class:`RenderOptions`, used by the CLI, the API, lessons, stills
and Dask workers alike, checked here and nowhere else (no matplotlib here)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import numbers
import os
from dataclasses import dataclass

from ._dates import DateLike, day_within, to_date
from ._errors import OptionError

DEFAULT_SIZE = (1280, 720)
MIN_SIZE = (64, 64)
MAX_SIZE = (7680, 4320)
"""The smallest and largest frame sizes, in pixels."""
"""The frame size when none is given."""
GIF_SIZE = (960, 540)
"""The size of a GIF when no size is given (beside a video, or alone): GIFs are for slides."""
GIF_FPS = 12
"""About how many frames a second a GIF takes: it keeps every n-th frame of the video."""
PACINGS = ("story", "calendar")
CAMERAS = ("follow", "fixed")


@dataclass(frozen=True)
class RenderOptions:
    """Everything a render, a lesson or a still may be told; the defaults come from the map.

    Made of plain values (it travels to Dask workers as it is) and checked when made:

    >>> RenderOptions(size=[640, 360], start="1950-09-15")
    RenderOptions(size=(640, 360), fps=None, duration=None, start=datetime.date(1950, 9, 15), \
end=None, pacing='story', workers=None, captions=False, scheduler=None, narration=None, \
camera=None)
    >>> RenderOptions(pacing="fast")
    Traceback (most recent call last):
    ...
    histmap._errors.OptionError: pacing must be one of story, calendar
    """

    size: tuple[int, int] | None = None
    """Frame size in pixels, (width, height); default 1280x720, or 960x540 for a GIF alone."""
    fps: float | None = None
    """Frames per second of the video; default the map's (``[timing] fps``), at most 12 for
    a GIF alone. A GIF beside a video keeps every n-th frame, for about 12 a second."""
    duration: float | None = None
    """Length of the animation in seconds; default the map's (``[timing] duration``)."""
    start: dt.date | None = None
    """The first date shown (a date or ``YYYY-MM-DD``); default the map's start."""
    end: dt.date | None = None
    """The last date shown; default the map's end."""
    pacing: str = "story"
    """``"story"`` holds the date on key events and hurries through quiet months;
    ``"calendar"`` gives every day the same time."""
    workers: int | None = None
    """Processes drawing frames; default and at most the machine's cores (see
    :meth:`worker_count`)."""
    captions: bool = False
    """Also write the captions as WebVTT beside each MP4 (``OUT.vtt``)."""
    scheduler: str | None = None
    """A Dask scheduler's address: the frames are drawn on that cluster instead."""
    narration: str | None = None
    """A folder of narration clips named after event ids (``inchon-landing.wav``): each
    plays when its event's caption appears, and the date holds until it has been said.
    Default: the map folder's own ``narration/``, if it has one."""
    camera: str | None = None
    """``"follow"`` frames the action (zooms in on each key event); ``"fixed"`` shows the
    whole map throughout. Default: follow for a video or PNG frames, fixed for a GIF (GIFs
    must stay small; beside a video it is drawn apart, with the whole map) and for a still.
    Chosen, it is every output's: ``"follow"`` makes a GIF beside a video follow too."""

    def __post_init__(self) -> None:
        # Frozen: the normal form of a value (a tuple, a date) is stored once, here.
        if self.size is not None:
            object.__setattr__(self, "size", _size(self.size))
        for name in ("fps", "duration"):
            value = getattr(self, name)
            if value is not None and (not _is_number(value) or not 0 < value < float("inf")):
                raise OptionError(f"{name} must be a positive number, not {value!r}")
        for name in ("start", "end"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, to_date(getattr(self, name)))
        if self.pacing not in PACINGS:
            raise OptionError(f"pacing must be one of {', '.join(PACINGS)}")
        if self.workers is not None and (not _is_whole(self.workers) or self.workers < 1):
            raise OptionError(f"workers must be a whole number from 1, not {self.workers!r}")
        object.__setattr__(self, "captions", bool(self.captions))
        if self.camera is not None and self.camera not in CAMERAS:
            raise OptionError(f"camera must be one of {', '.join(CAMERAS)}, not {self.camera!r}")
        scheduler = self.scheduler
        if scheduler is not None and not (isinstance(scheduler, str) and scheduler):
            raise OptionError(f"scheduler must be a Dask scheduler's address, not {scheduler!r}")
        if self.narration is not None:
            object.__setattr__(self, "narration", _folder("narration", self.narration))

    @classmethod
    def of(cls, options: RenderOptions | None = None, **changes) -> RenderOptions:
        """``options`` (default: all defaults) with ``changes`` made, e.g. ``size=(640, 360)``."""
        base = options if options is not None else cls()
        if not isinstance(base, RenderOptions):
            raise OptionError(f"options must be RenderOptions, not {type(base).__name__}")
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise TypeError(f"unknown render option(s): {', '.join(unknown)}")
        return dataclasses.replace(base, **changes) if changes else base

    def frame_size(self, *, gif_only: bool = False) -> tuple[int, int]:
        """The size of the frames: the one given, else the default (a GIF alone: smaller)."""
        return self.size or (GIF_SIZE if gif_only else DEFAULT_SIZE)

    def frame_rate(self, map_fps: float, *, gif_only: bool = False) -> float:
        """Frames per second: the rate given, else the map's ``map_fps`` (a GIF alone: at most
        :data:`GIF_FPS`)."""
        return self.fps or (min(GIF_FPS, map_fps) if gif_only else map_fps)

    def gif_size(self) -> tuple[int, int]:
        """The size of a GIF (never more than the video's): the size given, else 960x540."""
        return self.size or GIF_SIZE

    def check_span(
        self, start: dt.date, end: dt.date, *, poster: DateLike | None = None
    ) -> dt.date | None:
        """Refuse, before any work, dates outside a map's span ``start`` to ``end``: the
        first and last date shown, and a lesson's ``poster`` (returned as a date).

        >>> span = dt.date(1950, 1, 1), dt.date(1951, 1, 1)
        >>> RenderOptions().check_span(*span, poster="1960-01-01")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        histmap._errors.OptionError: poster: 1960-01-01 is outside the map's span, ...
        """
        first, last = self.start or start, self.end or end
        for d in (first, last):
            day_within(d, start, end)
        if last <= first:
            raise OptionError(f"--to {last} must come after --from {first}")
        if poster is None:
            return None
        try:
            day_within(poster, start, end)
        except OptionError as exc:
            raise OptionError(f"poster: {exc}") from None
        return to_date(poster)

    def worker_count(self, frames: int, chunk: int = 1) -> int:
        """How many processes draw ``frames`` frames in chunks of ``chunk``: the number asked
        for (default: every core), but never more than the cores, nor than the chunks.

        >>> RenderOptions(workers=1000).worker_count(frames=8, chunk=8)
        1
        """
        asked = self.workers or available_cores()
        return max(1, min(asked, available_cores(), math.ceil(frames / max(1, chunk))))

    def for_video(self, map_fps: float, *, gif_only: bool = False) -> RenderOptions:
        """These options with the frame size and rate decided (see :meth:`frame_size` and
        :meth:`frame_rate`): what the frames are drawn with, here or on Dask workers.

        >>> RenderOptions().for_video(24, gif_only=True).size
        (960, 540)
        """
        return dataclasses.replace(
            self,
            size=self.frame_size(gif_only=gif_only),
            fps=self.frame_rate(map_fps, gif_only=gif_only),
            camera=self.camera or ("fixed" if gif_only else "follow"),
        )

    def for_gif_beside(
        self, video: RenderOptions, size: tuple[int, int], stride: int
    ) -> RenderOptions | None:
        """The options a GIF beside a video drawn with ``video`` (see :meth:`for_video`) is
        drawn with, at its own ``size`` and every ``stride``-th frame's rate: the whole map
        (GIFs must stay small) unless a camera was chosen; None when the GIF takes the
        video's own frames (the camera chosen here, or the video's fixed too). The story and
        its pacing are the video's, so both tell it alike.

        >>> video = RenderOptions().for_video(24)
        >>> RenderOptions().for_gif_beside(video, (960, 540), 2).camera
        'fixed'
        >>> RenderOptions(camera="follow").for_gif_beside(video, (960, 540), 2) is None
        True
        """
        if self.camera is not None or video.camera == "fixed":
            return None
        return dataclasses.replace(video, size=size, fps=video.fps / stride, camera="fixed")


def _folder(name: str, value) -> str:
    """A folder's path as plain text (it travels to Dask workers as it is)."""
    if not isinstance(value, str | os.PathLike) or not str(value):
        raise OptionError(f"{name} must be a folder's path, not {value!r}")
    return os.fspath(value)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_whole(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _size(value) -> tuple[int, int]:
    try:
        w, h = value
    except (TypeError, ValueError):
        w = h = None
    if not (_is_whole(w) and _is_whole(h)):
        raise OptionError(f"size must be (width, height) in whole pixels, not {value!r}")
    return check_size(int(w), int(h))


def check_size(w: int, h: int) -> tuple[int, int]:
    """The one check of a frame size, for the CLI and the API alike: from 64x64 to
    7680x4320 pixels (smaller frames have no room for the map's texts).

    >>> check_size(1, 1)
    Traceback (most recent call last):
    ...
    histmap._errors.OptionError: size 1x1 is out of range (64x64 to 7680x4320)
    """
    if not (MIN_SIZE[0] <= w <= MAX_SIZE[0] and MIN_SIZE[1] <= h <= MAX_SIZE[1]):
        raise OptionError(
            f"size {w}x{h} is out of range ({MIN_SIZE[0]}x{MIN_SIZE[1]} to "
            f"{MAX_SIZE[0]}x{MAX_SIZE[1]})"
        )
    return w, h


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``, rounded up to even numbers for H.264.

    >>> parse_size("641x361")
    (642, 362)
    """
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise OptionError(f"'{text}' is not a size: write WIDTHxHEIGHT, e.g. 1280x720") from None
    w, h = check_size(w, h)
    return w + w % 2, h + h % 2


def available_cores() -> int:
    """The cores this process may run on (at least 1)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
