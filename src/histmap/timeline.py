"""The time axis: which instant of history each frame shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ._dates import to_day
from ._errors import OptionError
from .options import PACINGS


def frame_count(fps: float, duration: float) -> int:
    """Frames in an animation of ``duration`` seconds (at least two: a start and an end).

    >>> frame_count(24, 90)
    2160
    """
    if fps <= 0 or duration <= 0:
        raise OptionError("fps and duration must be positive")
    return max(2, round(fps * duration))


def calendar_days(start: dt.date, end: dt.date, frames: int) -> np.ndarray:
    """Instants (days since 0001-01-01) of ``frames`` frames spread evenly in calendar time.

    On-screen speed then reflects history: a month takes the same time whenever it is.

    >>> calendar_days(dt.date(1950, 6, 25), dt.date(1950, 6, 27), 3) - to_day("1950-06-25")
    array([0., 1., 2.])
    """
    if end < start:
        raise OptionError(f"the end date {end} is before the start date {start}")
    return np.linspace(to_day(start), to_day(end), frames)


# -- story pacing ------------------------------------------------------------------------------

FADE_SECONDS = 0.4
MIN_CAPTION_SECONDS = 1.5
MAX_CAPTION_LAG = 6.0
VOICE_PAUSE = 0.8
"""Seconds a narrated event holds after its clip ends, before the story moves on."""


@dataclass(frozen=True)
class StoryEvent:
    """What the schedule needs of an event: when, how long to read, whether to pause."""

    day: float
    words: int
    key: bool
    voice: float = 0.0
    """Seconds of its narration clip (0: none): the date holds at least that long."""


@dataclass(frozen=True)
class CaptionWindow:
    """When an event's caption is on screen, in seconds of video."""

    event: int
    start: float
    end: float


@dataclass(frozen=True)
class Schedule:
    """Video time to calendar time: a piecewise-linear, non-decreasing map, and the captions.

    A flat piece is a hold: the date pauses so that a key event's caption can be read.
    """

    times: np.ndarray
    days: np.ndarray
    captions: list[CaptionWindow]
    duration: float

    def day_at(self, t: float | np.ndarray) -> float | np.ndarray:
        return np.interp(t, self.times, self.days)

    def time_of(self, day: float) -> float:
        """The first moment of the video at which ``day`` is reached."""
        i = int(np.searchsorted(self.days, day, side="left"))
        if i == 0:
            return float(self.times[0])
        if i >= len(self.days):
            return float(self.times[-1])
        d0, d1, t0, t1 = self.days[i - 1], self.days[i], self.times[i - 1], self.times[i]
        return float(t0 + (t1 - t0) * (day - d0) / (d1 - d0)) if d1 > d0 else float(t0)

    def frame_times(self, fps: float) -> np.ndarray:
        return np.arange(frame_count(fps, self.duration)) / fps

    def caption_at(self, t: float) -> tuple[int, float] | None:
        """The event whose caption shows at ``t`` and its opacity (fading in and out)."""
        shown = [c for c in self.captions if c.start <= t < c.end]
        if not shown:
            return None
        c = max(shown, key=lambda w: w.start)
        alpha = min(1.0, (t - c.start) / FADE_SECONDS, (c.end - t) / FADE_SECONDS)
        return c.event, max(0.0, alpha)


def reading_seconds(words: int, words_per_second: float, *, low: float, high: float) -> float:
    """Time to read a caption, within bounds.

    >>> reading_seconds(30, 3.0, low=2.5, high=9.0), reading_seconds(3, 3.0, low=2.5, high=9.0)
    (9.0, 2.5)
    """
    return float(min(high, max(low, 1.0 + words / words_per_second)))


def story_schedule(
    start: float,
    end: float,
    knots: list[float],
    events: list[StoryEvent],
    *,
    duration: float,
    pacing: str = "story",
    words_per_second: float = 3.0,
    hold_min: float = 2.5,
    hold_max: float = 9.0,
    quiet_exponent: float = 0.5,
) -> Schedule:
    """Pace the story: holds on key events, quiet stretches compressed.

    With ``pacing="calendar"`` there are no holds and every day takes the same time.
    Otherwise the time between two snapshots grows as ``days ** quiet_exponent`` (a
    month of stalemate is not five times a week of manoeuvre) and each key event
    holds the date long enough to read its caption; the holds take at most 60% of
    the video, shrunk evenly if they would take more. An event with a ``voice`` (its
    narration clip's seconds) holds at least that long plus :data:`VOICE_PAUSE`, in
    either pacing: the video grows by what the voices add, the rest keeps its pace.

    >>> s = story_schedule(0, 10, [0, 10], [StoryEvent(5, 9, True)], duration=10)
    >>> float(s.day_at(0)), float(s.day_at(10)), round(s.time_of(5), 2)
    (0.0, 10.0, 3.0)
    """
    if pacing not in PACINGS:
        raise OptionError(f"pacing must be one of {', '.join(PACINGS)}")
    order = sorted(
        (i for i, e in enumerate(events) if start <= e.day <= end), key=lambda i: events[i].day
    )
    inside = [events[i] for i in order]
    paced = (
        _holds(inside, words_per_second, duration, hold_min, hold_max) if pacing == "story" else {}
    )
    holds = voice_holds(inside, paced)
    edges = sorted({start, end, *(k for k in knots if start < k < end)})
    weights = np.diff(edges) if pacing == "calendar" else np.diff(edges) ** quiet_exponent
    motion = (duration - sum(paced.values())) * weights / weights.sum()
    total = duration + sum(holds.values()) - sum(paced.values())
    times, days, hold_starts = _lay_out(edges, motion, inside, holds)
    schedule = Schedule(np.array(times), np.array(days), [], float(total))
    captions = _caption_windows(schedule, inside, order, holds, hold_starts, words_per_second)
    return Schedule(schedule.times, schedule.days, captions, float(total))


def _lay_out(
    edges: list[float], motion: np.ndarray, inside: list[StoryEvent], holds: dict[int, float]
) -> tuple[list[float], list[float], dict[int, float]]:
    """The knots of the schedule (video seconds, days) and when each hold starts: video
    seconds per day, segment by segment, then the holds inserted at their dates."""
    end = edges[-1]
    times, days = [0.0], [float(edges[0])]
    t = 0.0
    hold_starts: dict[int, float] = {}
    for (d0, d1), secs in zip(pairwise(edges), motion, strict=True):
        rate = secs / (d1 - d0)
        paused = 0.0
        for n, e in enumerate(inside):
            # The last event of the span holds at the very end.
            if n in holds and (d0 <= e.day < d1 or e.day == end == d1):
                te = t + (e.day - d0) * rate + paused
                hold_starts[n] = te
                times += [te, te + holds[n]]
                days += [e.day, e.day]
                paused += holds[n]
        t += secs + paused
        times.append(t)
        days.append(float(d1))
    return times, days, hold_starts


def _holds(
    inside: list[StoryEvent], words_per_second: float, duration: float, low: float, high: float
) -> dict[int, float]:
    """Seconds each key event holds the date (by its place in ``inside``): long enough to
    read its caption, all of them at most 60% of the video, shrunk evenly if more."""
    holds = {
        n: reading_seconds(e.words, words_per_second, low=low, high=high)
        for n, e in enumerate(inside)
        if e.key
    }
    budget = 0.6 * duration
    if sum(holds.values()) > budget:
        shrink = budget / sum(holds.values())
        holds = {n: h * shrink for n, h in holds.items()}
    return holds


def voice_holds(inside: list[StoryEvent], holds: dict[int, float]) -> dict[int, float]:
    """``holds`` (seconds by place in ``inside``) with each narrated event holding at least
    its clip plus :data:`VOICE_PAUSE`, never shrunk: the map waits for the voice.

    >>> voice_holds([StoryEvent(1, 9, True, voice=5.0), StoryEvent(2, 9, False)], {0: 4.0})
    {0: 5.8}
    """
    voiced = dict(holds)
    for n, e in enumerate(inside):
        if e.voice > 0:
            voiced[n] = max(voiced.get(n, 0.0), e.voice + VOICE_PAUSE)
    return voiced


def _caption_windows(
    schedule: Schedule,
    inside: list[StoryEvent],
    order: list[int],
    holds: dict[int, float],
    hold_starts: dict[int, float],
    wps: float,
) -> list[CaptionWindow]:
    natural = sorted((hold_starts.get(n, schedule.time_of(e.day)), n) for n, e in enumerate(inside))
    windows: list[CaptionWindow] = []
    least: list[float] = []  # how long each window stays before the next may replace it
    for due, n in natural:
        e = inside[n]
        if e.voice > 0:
            # A narrated caption comes with its voice, at its hold: captions staggered
            # past that moment give way to it.
            while windows and windows[-1].start >= due:
                windows.pop()
                least.pop()
            begin = due
        else:
            # Captions that fall together are staggered, so that each one is seen; one
            # pushed more than a few seconds past its date is left out.
            begin = max(due, windows[-1].start + least[-1]) if windows else due
            if begin > due + MAX_CAPTION_LAG or begin >= schedule.duration:
                continue
        show = max(holds.get(n, 0.0) + 1.0, reading_seconds(e.words, wps, low=2.5, high=7.0))
        windows.append(CaptionWindow(order[n], begin, min(begin + show, schedule.duration)))
        least.append(max(MIN_CAPTION_SECONDS, e.voice + VOICE_PAUSE if e.voice else 0.0))
    return windows
