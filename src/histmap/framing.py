"""What the camera frames: the shots of a video (``--camera follow``) and of a still.

The video opens on the whole map; each key event is framed while its caption is on
screen (its arrows, its markers and the land that changes hands during it, with a
margin); the camera goes back out to the whole map when the next action is far away
or a new phase begins, frames the lesser events of a long stretch without key events,
and ends on the last front line and its demilitarized zones. Authors direct it from the
data: an event's ``camera`` and ``map.toml``'s ``[[camera]]`` (docs/format.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import shapely

from ._dates import to_day
from .camera import CameraPath, Shot, ZoomPath
from .scene import View, World
from .story import Story

Box = tuple[float, float, float, float]

MARGIN = 0.18
"""Room round what a shot frames, as a share of its larger side, on each side."""
MIN_SHARE = 0.2
"""The smallest view: this share of the whole map's shorter side, either way..."""
MAX_ZOOM = 6.0
"""... and this many times narrower than the whole map at most."""
FAR = 2.5
"""Two shots are far apart when the box holding both is this many times the larger."""
OPENING = 1.5
"""Seconds the video holds the whole map before the camera first moves."""
ENDING = 3.0
"""The least seconds the last shot (the last front line) holds at the end."""
BREATHER = 1.0
"""The least seconds the camera holds the whole map (or a stretch's lesser events)
between two shots."""
LONG_GAP = 6.0
"""Seconds without a key event after which the camera frames the lesser events."""
SHORT_SHARE = 0.2
"""In a short video, the opening and the ending take at most this share of it each."""
GRID_CELLS = 160
"""Cells along the land's longer side of the grid that finds where land changed hands."""


@dataclass(frozen=True)
class Plan:
    """A shot to be: from ``start`` to ``end`` (seconds) the camera shows ``box`` (``None``:
    the whole map). A ``fixed`` one is the author's (or the opening's, the ending's): others
    merge into it, never it into them."""

    start: float
    end: float
    box: Box | None
    fixed: bool = False
    phase: str | None = None
    day: float | None = None
    """The day of the event it frames, if any."""


def union(a: Box | None, b: Box | None) -> Box | None:
    """The box holding both (``None`` is nothing here, not the whole map)."""
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _area(box: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _bounds(xy: np.ndarray) -> Box | None:
    if len(xy) == 0:
        return None
    return (
        float(xy[:, 0].min()),
        float(xy[:, 1].min()),
        float(xy[:, 0].max()),
        float(xy[:, 1].max()),
    )


class Framer:
    """Shots of one world at one frame size: boxes of what to frame, made into views."""

    def __init__(self, world: World, size: tuple[int, int]):
        self.world = world
        whole = world.overview.fit(size)
        self.aspect = (whole.y1 - whole.y0) / (whole.x1 - whole.x0)
        self.whole = View(whole.x0, whole.y0, whole.x1, whole.y1)
        ov = world.overview
        self.min_span = MIN_SHARE * min(ov.x1 - ov.x0, ov.y1 - ov.y0)
        self._label_cache: dict[int, np.ndarray] = {}

    @property
    def overview(self) -> Shot:
        return Shot.of(self.whole, self.aspect)

    def shot(self, box: Box | None, *, margin: float = MARGIN) -> Shot:
        """The shot framing ``box`` (``None``: the whole map) with a margin, at least the
        smallest view, at most the whole map and within it."""
        if box is None:
            return self.overview
        x0, y0, x1, y1 = box
        pad = margin * max(x1 - x0, y1 - y0)
        half_w = max(x1 - x0 + 2 * pad, self.min_span) / 2
        half_h = max(y1 - y0 + 2 * pad, self.min_span) / 2
        whole_w = self.whole.x1 - self.whole.x0
        w = min(max(2 * half_w, 2 * half_h / self.aspect, whole_w / MAX_ZOOM), whole_w)
        h = w * self.aspect
        cx = float(np.clip((x0 + x1) / 2, self.whole.x0 + w / 2, self.whole.x1 - w / 2))
        cy = float(np.clip((y0 + y1) / 2, self.whole.y0 + h / 2, self.whole.y1 - h / 2))
        return Shot(cx, cy, w)

    def lonlat(self, box: tuple[float, float, float, float]) -> Box:
        """A lon/lat box, projected (edges and all)."""
        v = self.world.view_of(box)
        return (v.x0, v.y0, v.x1, v.y1)

    def far(self, a: Box | None, b: Box | None) -> bool:
        """Whether the box holding both is much larger than either (the whole map: far)."""
        if a is None or b is None:
            return True
        both = union(a, b)
        return _area(both) > FAR * max(_area(a), _area(b), self.min_span**2)

    # -- what changes -----------------------------------------------------------------------

    @cached_property
    def _grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cell centres on the land the sides share: x, y (2-D) and which are land."""
        land = self.world.land
        w, s, e, n = land.bounds
        cell = max(e - w, n - s) / GRID_CELLS
        xx, yy = np.meshgrid(np.arange(w, e + cell, cell), np.arange(s, n + cell, cell))
        shapely.prepare(land)
        return xx, yy, shapely.contains_xy(land, xx, yy)

    def _labels(self, k: int) -> np.ndarray:
        """The side (index, -1 none) holding each land cell in the world's snapshot ``k``."""
        cache = self._label_cache
        if k not in cache:
            xx, yy, land = self._grid
            labels = np.full(land.shape, -1, dtype=np.int16)
            sides = [s.id for s in self.world.data.spec.sides]
            for n, side in enumerate(sides):
                geom = self.world.morph.keyframes[k].territories.get(side)
                if geom is not None:
                    shapely.prepare(geom)
                    free = land & (labels == -1)
                    labels[free] = np.where(shapely.contains_xy(geom, xx[free], yy[free]), n, -1)
            cache[k] = labels
        return cache[k]

    def _keyframe(self, day: float, *, after: bool) -> int:
        days = np.array([k.day for k in self.world.morph.keyframes])
        if after:
            return int(min(np.searchsorted(days, day, side="left"), len(days) - 1))
        return int(max(np.searchsorted(days, day, side="right") - 1, 0))

    def change_box(self, first: float, last: float) -> Box | None:
        """The land that changes hands from day ``first`` to day ``last`` (from the snapshots
        either side), or ``None``."""
        a, b = self._keyframe(first, after=False), self._keyframe(last, after=True)
        if a >= b:
            return None
        xx, yy, _ = self._grid
        changed = self._labels(a) != self._labels(b)
        return _bounds(np.column_stack([xx[changed], yy[changed]]))

    def front_box(self, day: float) -> Box | None:
        """The front lines on land in the last snapshot up to ``day``, and its zones."""
        labels = self._labels(self._keyframe(day, after=False))
        spec = self.world.data.spec
        sides = [s.id for s in spec.sides]
        is_front = np.array([[spec.is_front(a, b) for b in sides] for a in sides], dtype=bool)
        edge = np.zeros(labels.shape, bool)
        for a, b, mark in (
            (labels[:, 1:], labels[:, :-1], edge[:, 1:]),
            (labels[1:, :], labels[:-1, :], edge[1:, :]),
        ):
            mark |= (a >= 0) & (b >= 0) & (a != b) & is_front[a.clip(0), b.clip(0)]
        xx, yy, _ = self._grid
        box = _bounds(np.column_stack([xx[edge], yy[edge]]))
        for zone in self.world.zones_at(day):
            box = union(box, zone.bounds)
        return box

    def events_box(self, story: Story, indices) -> Box | None:
        """The places and paths of these events (indices of the story's events)."""
        box = None
        for i in indices:
            box = union(box, _bounds(story.path(i)))
        return box

    def event_box(self, story: Story, i: int) -> Box | None:
        """What frames event ``i``: its place or path and the land changing hands during it."""
        return union(self.events_box(story, [i]), self.change_box(*story.span(i)))


def follow(world: World, story: Story, size: tuple[int, int]) -> CameraPath:
    """The camera of ``--camera follow`` for a video of ``story`` (a paced story) at ``size``."""
    framer = Framer(world, size)
    plans = _resolve(framer, _plans(framer, story))
    plans = _breathers(framer, story, plans)
    return CameraPath([(p.start, p.end, framer.shot(p.box)) for p in plans], framer.aspect)


def fixed(world: World, size: tuple[int, int], view: View | None = None) -> CameraPath:
    """A camera that does not move: on ``view``, or the whole map."""
    framer = Framer(world, size)
    return CameraPath.fixed(view or framer.whole, framer.aspect)


def visible_captions(story: Story) -> list[tuple[int, float, float]]:
    """When each caption is the one on screen: (event index, from, to) in seconds (a later
    caption covers an earlier one still showing)."""
    windows = story.schedule.captions
    return [
        (c.event, c.start, min(c.end, windows[n + 1].start) if n + 1 < len(windows) else c.end)
        for n, c in enumerate(windows)
    ]


def _plans(framer: Framer, story: Story) -> list[Plan]:
    """The opening, a shot per key event (or event the author gave a camera), the
    author's ``[[camera]]`` entries and the ending, in time order."""
    world, schedule = framer.world, story.schedule
    plans = []
    for i, start, end in visible_captions(story):
        event, day = story.events[i], story.span(i)[0]
        camera = event.camera
        if camera == "none" or (camera is None and not event.key):
            continue
        phase = _phase(world, day)
        if camera is None:
            plans.append(Plan(start, end, framer.event_box(story, i), phase=phase, day=day))
        else:
            box = None if camera == "overview" else framer.lonlat(camera)
            plans.append(Plan(start, end, box, fixed=True, phase=phase, day=day))
    first, last = float(schedule.days[0]), float(schedule.days[-1])
    entries = [e for e in world.data.spec.camera if first <= to_day(e.date) <= last]
    for entry in entries:
        day = to_day(entry.date)
        t = schedule.time_of(day)
        # The entry replaces the automatic shots of that day's events.
        plans = [p for p in plans if p.fixed or p.day != day]
        box = None if entry.box is None else framer.lonlat(entry.box)
        plans.append(Plan(t, t + BREATHER, box, fixed=True, phase=_phase(world, day)))
    if not any(schedule.time_of(to_day(e.date)) <= OPENING for e in entries):
        opening = min(OPENING, SHORT_SHARE * schedule.duration)
        plans.append(Plan(0.0, opening, None, fixed=True, phase=_phase(world, first)))
    if not any(to_day(e.date) == schedule.days[-1] for e in entries):
        plans.append(ending(framer, story))
    return sorted(plans, key=lambda p: p.start)


def ending(framer: Framer, story: Story) -> Plan:
    """The last shot: the last front line and its zones, and the last day's events."""
    schedule = story.schedule
    last_day = float(schedule.days[-1])
    last = [(i, s) for i, s, _ in visible_captions(story) if story.span(i)[0] >= last_day]
    box = union(framer.front_box(last_day), framer.events_box(story, [i for i, _ in last]))
    start = min([schedule.duration - ENDING, *(s for _, s in last)])
    # A short video still reaches it: after the opening and the move from the whole map.
    move = ZoomPath(framer.overview, framer.shot(box)).seconds()
    earliest = min(OPENING, SHORT_SHARE * schedule.duration) + move
    start = max(start, min(earliest, schedule.duration - SHORT_SHARE * schedule.duration))
    phase = _phase(framer.world, last_day)
    return Plan(start, schedule.duration, box, fixed=True, phase=phase)


def _phase(world: World, day: float) -> str | None:
    """The id of the phase of ``day``: the last to start by then."""
    started = [p.id for p in world.data.spec.phases if to_day(p.start) <= day]
    return started[-1] if started else None


def _seconds(framer: Framer, a: Box | None, b: Box | None) -> float:
    return ZoomPath(framer.shot(a), framer.shot(b)).seconds()


def _merge(a: Plan, b: Plan) -> Plan:
    """One shot for both: the fixed one's box, else the box holding both."""
    if a.fixed or b.fixed:
        box = a.box if a.fixed else b.box
    else:
        box = None if a.box is None or b.box is None else union(a.box, b.box)
    # The phase it ends in: what the next shot is compared with.
    return Plan(min(a.start, b.start), max(a.end, b.end), box, a.fixed or b.fixed, b.phase, a.day)


def _resolve(framer: Framer, plans: list[Plan]) -> list[Plan]:
    """Merge the shots that follow too closely for the camera to move between them (a
    fixed one takes the other in; two fixed ones stay, the second reached late)."""
    plans = list(plans)
    k = 0
    while k < len(plans) - 1:
        a, b = plans[k], plans[k + 1]
        if (a.fixed and b.fixed) or b.start - a.end >= _seconds(framer, a.box, b.box):
            k += 1
            continue
        plans[k : k + 2] = [_merge(a, b)]
        k = max(k - 1, 0)
    return plans


def _breathers(framer: Framer, story: Story, plans: list[Plan]) -> list[Plan]:
    """Between two shots, back out to the whole map when the next is far away or in a new
    phase; in a long stretch without key events, frame its lesser events; if there is time."""
    out = [plans[0]]
    for b in plans[1:]:
        a = out[-1]
        gap = b.start - a.end
        if a.phase != b.phase or framer.far(a.box, b.box):
            between = replace(b, box=None, fixed=False)
        elif gap >= LONG_GAP:
            between = replace(b, box=_stretch(framer, story, a.end, b.start), fixed=False)
        else:
            between = None
        if between is not None and between.box not in (a.box, b.box):
            into, out_of = (
                _seconds(framer, a.box, between.box),
                _seconds(framer, between.box, b.box),
            )
            if into + BREATHER + out_of <= gap:
                out.append(replace(between, start=a.end + into, end=b.start - out_of))
        out.append(b)
    return out


def _stretch(framer: Framer, story: Story, t0: float, t1: float) -> Box | None:
    """The events whose captions show from ``t0`` to ``t1`` and the land changing hands."""
    shown = [i for i, start, _ in visible_captions(story) if t0 <= start < t1]
    days = story.schedule.day_at(np.array([t0, t1]))
    return union(framer.events_box(story, shown), framer.change_box(*map(float, days)))


def still_view(world: World, size: tuple[int, int], day: float, events: list[int] | None) -> View:
    """What a still of ``day`` frames with ``--camera follow``: its numbered events and the
    land that changed hands since the snapshot before it."""
    framer = Framer(world, size)
    story = world.story
    chosen = story.main_indices(day) if events is None else events
    before = [k.day for k in world.morph.keyframes if k.day < day]
    box = framer.events_box(story, chosen)
    if before:
        box = union(box, framer.change_box(before[-1], day))
    return framer.shot(box).view(framer.aspect)
