"""The story on screen: pacing, captions, and event symbols at each moment of the video.

Pure geometry and numbers (no matplotlib): given a moment of video and the
calendar day it shows, :meth:`Story.overlays` says which arrows and markers are
on the map, how far each arrow has grown, and how opaque each one is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import shapely

from ._dates import to_day
from .crs import Projector
from .model import Event, MapData
from .timeline import Schedule, StoryEvent, story_schedule

ARROW_KINDS = ("offensive", "retreat", "landing", "evacuation")
GROW_SECONDS = 0.6
LINGER_SECONDS = 4.0
FADE_OUT_SECONDS = 1.2
MARKER_DAYS = 30
"""A video's marker stays this many days of history past its event (and at least until its
caption is read), then fades out, as the lesson page's player keeps it: a month's events
on the map, not every battle since the start of the war."""
STILL_WINDOW_DAYS = 45
STILL_MAX_EVENTS = 8


@dataclass(frozen=True)
class Arrow:
    """An offensive, retreat, landing or evacuation: the grown part of its path."""

    xy: np.ndarray
    side: str
    kind: str
    alpha: float
    number: int | None = None


@dataclass(frozen=True)
class Marker:
    """An event at a place: ``size`` is 1 when new, smaller once it has been read."""

    x: float
    y: float
    side: str
    kind: str
    size: float
    alpha: float
    number: int | None = None


def smooth_path(xy: np.ndarray, iterations: int = 3) -> np.ndarray:
    """Chaikin corner cutting: a gently curved path through the drawn points, same ends.

    >>> smooth_path(np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]), 1).tolist()
    [[0.0, 0.0], [0.75, 0.0], [1.0, 0.25], [1.0, 1.0]]
    """
    for _ in range(iterations):
        if len(xy) < 3:
            return xy
        q = 0.75 * xy[:-1] + 0.25 * xy[1:]
        r = 0.25 * xy[:-1] + 0.75 * xy[1:]
        inner = np.empty((2 * (len(xy) - 1), 2))
        inner[0::2], inner[1::2] = q, r
        xy = np.vstack([xy[:1], inner[1:-1], xy[-1:]])
    return xy


def grow(xy: np.ndarray, fraction: float) -> np.ndarray:
    """The first ``fraction`` of a path, by length.

    >>> grow(np.array([[0.0, 0.0], [4.0, 0.0]]), 0.25).tolist()
    [[0.0, 0.0], [1.0, 0.0]]
    """
    seg = np.hypot(*np.diff(xy, axis=0).T)
    cum = np.r_[0.0, np.cumsum(seg)]
    target = fraction * cum[-1]
    i = int(np.searchsorted(cum, target, side="right"))
    if i >= len(cum):
        return xy
    t = (target - cum[i - 1]) / seg[i - 1] if seg[i - 1] > 0 else 0.0
    tip = xy[i - 1] + t * (xy[i] - xy[i - 1])
    return np.vstack([xy[:i], tip])


class Story:
    """Events of a map, projected once, and the schedule of a video (or none, for stills)."""

    def __init__(self, data: MapData, projector: Projector, schedule: Schedule | None = None):
        self.data = data
        self.schedule = schedule
        self.events: tuple[Event, ...] = data.events
        self._paths = [self._project(e.geometry, projector) for e in self.events]
        self._spans = [(to_day(e.date), to_day(e.end_date)) for e in self.events]
        if schedule is not None:
            self._video = self._video_times(schedule)

    @property
    def paths(self) -> list[np.ndarray]:
        """Each event's path (a place: one point) as drawn, smoothed, in projected metres."""
        return list(self._paths)

    def _video_times(self, schedule: Schedule) -> list[tuple[float, float, float, float]]:
        """Per event, once: when it appears, when its arrow is fully grown, when it is read,
        and when its marker starts to fade out (:data:`MARKER_DAYS`)."""
        read = {c.event: c.end for c in schedule.captions}
        times = []
        for i, (start, end) in enumerate(self._spans):
            appear = schedule.time_of(start)
            done = schedule.time_of(end) if end > start else appear + 2 * GROW_SECONDS
            read_until = read.get(i, appear + 3)
            leaves = max(read_until, schedule.time_of(end + MARKER_DAYS))
            times.append((appear, done, read_until, leaves))
        return times

    @staticmethod
    def _project(geom, projector: Projector) -> np.ndarray:
        xy = shapely.get_coordinates(projector.forward(geom))
        return smooth_path(xy) if len(xy) > 1 else xy

    @classmethod
    def paced(
        cls,
        data: MapData,
        projector: Projector,
        *,
        start: float,
        end: float,
        duration: float,
        pacing: str = "story",
        words_per_second: float = 3.0,
        voice: Mapping[str, float] | None = None,
    ) -> Story:
        """A story with a video schedule: holds on key events, quiet months compressed;
        ``voice`` gives the seconds of each narrated event's clip (by event id)."""
        voice = voice or {}
        events = [
            StoryEvent(to_day(e.date), len(e.caption.split()) + 3, e.key, voice.get(e.id, 0.0))
            for e in data.events
        ]
        knots = [to_day(s.date) for s in data.snapshots]
        schedule = story_schedule(
            start,
            end,
            knots,
            events,
            duration=duration,
            pacing=pacing,
            words_per_second=words_per_second,
        )
        return cls(data, projector, schedule)

    # -- captions --------------------------------------------------------------------------------

    def caption(self, day: float, t: float | None) -> tuple[Event | None, float]:
        """The event whose caption shows, and its opacity."""
        if self.schedule is not None and t is not None:
            shown = self.schedule.caption_at(t)
            return (self.events[shown[0]], shown[1]) if shown else (None, 0.0)
        current = None
        for e, (start, end) in zip(self.events, self._spans, strict=True):
            if start <= day <= max(end, start + 21):
                current = e
        return current, 1.0

    # -- symbols ---------------------------------------------------------------------------------

    def overlays(
        self, day: float, t: float | None, chosen: list[int] | None = None
    ) -> tuple[list[Arrow], list[Marker]]:
        """Arrows and markers on the map at a moment (``t`` None: a still of ``day``, its
        numbered events ``chosen``, indices of :attr:`events`, or those of
        :meth:`main_events`)."""
        if self.schedule is None or t is None:
            return self._still_overlays(day, chosen)
        arrows, markers = [], []
        for i, (e, xy) in enumerate(zip(self.events, self._paths, strict=True)):
            if self._spans[i][0] > day:
                continue
            if e.kind in ARROW_KINDS and len(xy) > 1:
                arrow = self._arrow(i, day, t)
                if arrow is not None:
                    arrows.append(arrow)
            else:
                marker = self._marker(i, t)
                if marker is not None:
                    markers.append(marker)
        return arrows, markers

    def _arrow(self, i: int, day: float, t: float) -> Arrow | None:
        e, xy = self.events[i], self._paths[i]
        (start, end), (appear, done, *_) = self._spans[i], self._video[i]
        if end > start:
            fraction = (day - start) / (end - start)
        else:
            fraction = (t - appear) / (2 * GROW_SECONDS)
        fraction = float(np.clip(fraction, 0.02, 1.0))
        alpha = float(np.clip(1 - (t - done - LINGER_SECONDS) / FADE_OUT_SECONDS, 0.0, 1.0))
        if alpha <= 0:
            return None
        return Arrow(grow(xy, fraction), e.side, e.kind, alpha)

    def _marker(self, i: int, t: float) -> Marker | None:
        e, xy = self.events[i], self._paths[i]
        appear, _, read_until, leaves = self._video[i]
        fade = float(np.clip(1 - (t - leaves) / FADE_OUT_SECONDS, 0.0, 1.0))
        if fade <= 0:
            return None
        age = t - appear
        if age < GROW_SECONDS:
            size = max(0.05, age / GROW_SECONDS)
        elif t < read_until:
            size = 1.0
        else:
            size = max(0.45, 1.0 - 0.55 * (t - read_until) / FADE_OUT_SECONDS)
        x, y = xy[-1]
        alpha = (1.0 if size > 0.45 else 0.7) * fade
        return Marker(float(x), float(y), e.side, e.kind, size, alpha)

    def main_events(self, day: float) -> list[Event]:
        """The events a still of ``day`` lists and numbers: recent ones, key ones first."""
        return [self.events[i] for i in self.main_indices(day)]

    def path(self, i: int) -> np.ndarray:
        """Event ``i``'s place or path, projected (and smoothed, as drawn): (n, 2) metres."""
        return self._paths[i]

    def span(self, i: int) -> tuple[float, float]:
        """Event ``i``'s first and last day."""
        return self._spans[i]

    def since(self, since: float, day: float, limit: int = STILL_MAX_EVENTS) -> list[int]:
        """The key events after day ``since`` up to ``day`` (indices of :attr:`events`): at
        most ``limit``, the latest ones, in date order. What an atlas page lists."""
        keyed = [
            i
            for i, (start, _) in enumerate(self._spans)
            if self.events[i].key and since < start <= day
        ]
        return keyed[-limit:] if limit > 0 else []

    def indices(self, ids: list[str] | tuple[str, ...]) -> list[int]:
        """The events of these ids (unknown ones left out), in date order."""
        wanted = set(ids)
        return [i for i, e in enumerate(self.events) if e.id in wanted]

    def main_indices(self, day: float) -> list[int]:
        """The indices of :meth:`main_events` in :attr:`events`."""
        recent = [
            i for i, (start, _) in enumerate(self._spans) if day - STILL_WINDOW_DAYS <= start <= day
        ]
        if len(recent) > STILL_MAX_EVENTS:
            keep = sorted(recent, key=lambda i: (not self.events[i].key, -self._spans[i][0]))
            chosen = set(keep[:STILL_MAX_EVENTS])
            recent = [i for i in recent if i in chosen]
        return recent

    def _still_overlays(
        self, day: float, chosen: list[int] | None = None
    ) -> tuple[list[Arrow], list[Marker]]:
        arrows, markers = [], []
        indices = self.main_indices(day) if chosen is None else chosen
        for number, i in enumerate(indices, start=1):
            e, xy = self.events[i], self._paths[i]
            if e.kind in ARROW_KINDS and len(xy) > 1:
                start, end = self._spans[i]
                fraction = (
                    1.0 if end <= start else float(np.clip((day - start) / (end - start), 0.05, 1))
                )
                arrows.append(Arrow(grow(xy, fraction), e.side, e.kind, 1.0, number))
                x, y = xy[0]
            else:
                x, y = xy[-1]
            markers.append(Marker(float(x), float(y), e.side, e.kind, 1.0, 1.0, number))
        return arrows, markers
