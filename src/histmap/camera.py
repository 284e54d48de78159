"""The camera's path: where the map looks at each moment of a video.

A camera stands at a :class:`Shot` (a centre and a width, its height set by the frame's
aspect) and moves between shots along the van Wijk & Nuij optimal path ("Smooth and
efficient zooming and panning", 2003: the path of d3's ``interpolateZoom`` and MapLibre's
``flyTo``), zooming out while it pans far and back in as it arrives, with eased time so
it starts and stops gently. No move is shorter than :data:`MIN_MOVE` seconds or faster, on
average, than :data:`MAX_SPEED` units of path length a second; there are no cuts.

Pure arithmetic on projected metres (no drawing library): :mod:`histmap.framing` decides
what each shot shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .scene import View

RHO = 1.4
"""How much the path zooms out to pan (van Wijk & Nuij's rho; ~1.4 looks most natural)."""
MAX_SPEED = 0.9
"""Path length units a second, on average over a move: one unit is a pan of 1/RHO of the
view's width, or a zoom by a factor e**RHO (about 4x)."""
MIN_MOVE = 1.2
"""The shortest move, in seconds."""
EPSILON = 1e-9


@dataclass(frozen=True)
class Shot:
    """A camera's stand: the centre ``(x, y)`` and the width ``w`` of the view, in projected
    metres; its height is ``w * aspect`` (the map's box on the frame)."""

    x: float
    y: float
    w: float

    def view(self, aspect: float) -> View:
        h = self.w * aspect
        return View(self.x - self.w / 2, self.y - h / 2, self.x + self.w / 2, self.y + h / 2)

    @classmethod
    def of(cls, view: View, aspect: float) -> Shot:
        """The shot showing all of ``view`` at this aspect (one side widened)."""
        w = max(view.x1 - view.x0, (view.y1 - view.y0) / aspect)
        return cls((view.x0 + view.x1) / 2, (view.y0 + view.y1) / 2, w)


class ZoomPath:
    """The optimal path from shot ``a`` to shot ``b``: ``path(u)`` for ``u`` from 0 to 1
    (its share of the path's length), exactly ``a`` at 0 and ``b`` at 1.

    >>> p = ZoomPath(Shot(0, 0, 10), Shot(100, 0, 10))
    >>> p(0.0) == (0.0, 0.0, 10.0), p(1.0) == (100.0, 0.0, 10.0)
    (True, True)
    >>> bool(p(0.5)[2] > 10)  # it zooms out to pan far
    True
    """

    def __init__(self, a: Shot, b: Shot, rho: float = RHO):
        self.a, self.b, self.rho = a, b, rho
        dx, dy = b.x - a.x, b.y - a.y
        self._d = math.hypot(dx, dy)
        self._dir = (dx / self._d, dy / self._d) if self._d > 0 else (0.0, 0.0)
        w0, w1, r2 = a.w, b.w, rho * rho
        if self._d < EPSILON * max(w0, w1):
            # A zoom on the spot (or no move): the width changes exponentially.
            self._r0 = None
            self.length = abs(math.log(w1 / w0)) / rho
            return
        # The paper's b0, b1 and r0, r1: where the path's hyperbolas start and end.
        b0 = (w1 * w1 - w0 * w0 + r2 * r2 * self._d**2) / (2 * w0 * r2 * self._d)
        b1 = (w1 * w1 - w0 * w0 - r2 * r2 * self._d**2) / (2 * w1 * r2 * self._d)
        self._r0 = math.asinh(-b0)
        self.length = (math.asinh(-b1) - self._r0) / rho

    def __call__(self, u: float) -> tuple[float, float, float]:
        """The centre and width at share ``u`` of the path (0 to 1)."""
        if u <= 0:
            return (float(self.a.x), float(self.a.y), float(self.a.w))
        if u >= 1:
            return (float(self.b.x), float(self.b.y), float(self.b.w))
        a, rho, s = self.a, self.rho, u * self.length
        if self._r0 is None:
            w = a.w * (self.b.w / a.w) ** u
            along = u * self._d
        else:
            r0 = self._r0
            along = a.w / rho**2 * (math.cosh(r0) * math.tanh(rho * s + r0) - math.sinh(r0))
            w = a.w * math.cosh(r0) / math.cosh(rho * s + r0)
        return (a.x + along * self._dir[0], a.y + along * self._dir[1], w)

    def seconds(self, speed: float = MAX_SPEED, shortest: float = MIN_MOVE) -> float:
        """How long the move takes: at most ``speed`` units a second, at least ``shortest``."""
        return max(shortest, self.length / speed)


def ease(t: float) -> float:
    """Sine in-out: still at both ends, fastest (pi/2 times the average) in the middle.

    >>> ease(0.0), round(ease(0.5), 12), ease(1.0)
    (0.0, 0.5, 1.0)
    """
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, t)))


@dataclass(frozen=True)
class Leg:
    """From ``start`` to ``end`` (seconds) the camera holds ``shot`` (``path`` None) or
    moves along ``path``."""

    start: float
    end: float
    shot: Shot
    path: ZoomPath | None = None


class CameraPath:
    """Where the camera looks at each moment: holds and moves, one after the other.

    ``stands`` are the shots and when the camera must be at each, ``(arrive, leave, shot)``
    in time order; the camera moves between two of them in the time left, taking at least
    the time the move needs (arriving later if it must: it never jumps).
    """

    def __init__(self, stands: Sequence[tuple[float, float, Shot]], aspect: float):
        if not stands:
            raise ValueError("a camera path needs at least one shot")
        self.aspect = aspect
        self.legs: list[Leg] = []
        now = stands[0][0]
        for n, (arrive, leave, shot) in enumerate(stands):
            if n > 0:
                now = self._move_to(now, arrive, shot)
            leave = max(leave, now)
            self.legs.append(Leg(now, leave, shot))
            now = leave
        self._starts = np.array([leg.start for leg in self.legs])

    @classmethod
    def fixed(cls, view: View, aspect: float) -> CameraPath:
        return cls([(0.0, 0.0, Shot.of(view, aspect))], aspect)

    def _move_to(self, now: float, arrive: float, shot: Shot) -> float:
        """Add the move from the last shot to ``shot``; the time it arrives."""
        last = self.legs[-1].shot
        if shot == last:
            return now
        path = ZoomPath(last, shot)
        need = path.seconds()
        # Arrive a little before the shot is due, if there is time; move at ease, if more.
        spare = arrive - now - need
        lead = min(LEAD, max(0.0, spare))
        take = max(need, min(arrive - lead - now, COMFORT * need))
        start = max(now, arrive - lead - take)
        if start > now:
            self.legs.append(Leg(now, start, last))
        self.legs.append(Leg(start, start + take, shot, path))
        return start + take

    def shot_at(self, t: float) -> Shot:
        i = max(0, int(np.searchsorted(self._starts, t, side="right")) - 1)
        leg = self.legs[i]
        if leg.path is None or t >= leg.end:
            return leg.shot
        return Shot(*leg.path(ease((t - leg.start) / (leg.end - leg.start))))

    def view_at(self, t: float) -> View:
        """The view at second ``t`` of the video."""
        return self.shot_at(t).view(self.aspect)

    def views(self, times: Sequence[float]) -> list[View]:
        return [self.view_at(float(t)) for t in times]

    def moves(self) -> list[Leg]:
        """The moves, in order."""
        return [leg for leg in self.legs if leg.path is not None]


LEAD = 0.3
"""Seconds a move arrives before its shot is due, when there is time."""
COMFORT = 1.3
"""A move takes up to this many times the least time it needs, when there is time."""
