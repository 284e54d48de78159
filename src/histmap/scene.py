"""Per-frame scenes: what is on the map at an instant, in projected coordinates.

This is the last stage without matplotlib: the drawing module turns a
:class:`Scene` into pixels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ._dates import from_day, to_day
from .basemap import BaseMap, load_basemap, shared_land
from .crs import Projector, default_projection
from .interpolate import Keyframe, Morph
from .layout import frame_layout
from .model import Event, MapData
from .shares import LandShares
from .story import Arrow, Marker, Story
from .style import Theme


@dataclass(frozen=True)
class View:
    """What the map shows: a box in projected metres that must be in view.

    The renderer fits it to its frame with :meth:`fit`, widening one side so the
    scale stays equal; a view is compared and cached by value, so a moving camera
    is a new ``View`` and a still one is the same ``View`` frame after frame.
    """

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def around(cls, x: np.ndarray, y: np.ndarray) -> View:
        """The smallest view holding every point ``(x, y)``."""
        return cls(float(x.min()), float(y.min()), float(x.max()), float(y.max()))

    def fit(self, size: tuple[int, int]) -> FittedView:
        """This view on a frame of ``size``: the map's box from its layout, limits widened
        on one side to keep the scale equal, the whole view inside.

        >>> v = View(0, 0, 100, 100).fit((1280, 720))
        >>> v.y1 - v.y0 == 100 and v.x1 - v.x0 > 100
        True
        """
        x, y, w, h = frame_layout(size).map
        # As matplotlib measures an axes' box, so both agree to the last bit.
        width, height = (x + w) - x, (y + h) - y
        box_aspect = (height * size[1]) / (width * size[0])
        cx, cy = (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2
        half_w, half_h = (self.x1 - self.x0) / 2, (self.y1 - self.y0) / 2
        if half_h / half_w > box_aspect:
            half_w = half_h / box_aspect
        else:
            half_h = half_w * box_aspect
        return FittedView(cx - half_w, cy - half_h, cx + half_w, cy + half_h, size, width * size[0])


@dataclass(frozen=True)
class FittedView:
    """A view on one frame: the exact limits of the map and the frame's size."""

    x0: float
    y0: float
    x1: float
    y1: float
    size: tuple[int, int]
    map_width_px: float
    """The width of the map on the frame, in pixels."""

    @property
    def box(self) -> BaseGeometry:
        return shapely.box(self.x0, self.y0, self.x1, self.y1)

    @property
    def metres_per_px(self) -> float:
        return (self.x1 - self.x0) / self.map_width_px


@dataclass(frozen=True)
class Scene:
    """Everything that changes from frame to frame, and the view it is seen in."""

    day: float
    date: dt.date
    regions: dict[str, BaseGeometry]
    """Each side's area from the interpolation grid, running over the sea (drawn under a mask)."""
    boundaries: list[tuple[list[np.ndarray], str, str]]
    """Vertex arrays of the lines between two sides, also running over the sea."""
    event: Event | None
    phase: str | None
    zones: list[BaseGeometry] = ()
    """Demilitarized zones of the latest snapshot, held until the next one."""
    caption_alpha: float = 1.0
    arrows: list[Arrow] = ()
    markers: list[Marker] = ()
    progress: float = 0.0
    """Where the timeline cursor stands, from 0 (start) to 1 (end)."""
    main_events: list[Event] = ()
    """For a still: the numbered events listed beside the map."""
    view: View | None = None
    """What the map shows (``None``: the map's whole extent)."""
    gains: dict[str, BaseGeometry] = field(default_factory=dict)
    """Ground each side took recently (drawn lighter), running over the sea like ``regions``."""
    gain_steps: tuple[dict[str, BaseGeometry], ...] = ()
    """In a video, the ground taken in the newer parts of the theme's ``gain_days`` (the
    last two thirds, the last third), laid over ``gains``: the newest is lightest, and the
    tint fades as the days pass. Empty on a still."""
    shares: dict[str, float] | None = None
    """Each side's share of the land (and ``"_unheld"``'s), when the map's panel shows them."""


GAIN_STEPS = 3
"""In a video, recent gains fade in this many steps over the theme's ``gain_days``."""


def _main_events(story: Story, day: float, chosen: list[int] | None) -> list[Event]:
    return story.main_events(day) if chosen is None else [story.events[i] for i in chosen]


class World:
    """A map projected once: base map, land to partition, morph engine and events."""

    def __init__(self, data: MapData):
        self.data = data
        spec = data.spec
        self.projection = spec.projection or default_projection(spec.extent)
        self.projector = Projector(self.projection)

    @cached_property
    def overview(self) -> View:
        """The view of the map's whole extent (its edges bulge in most projections)."""
        return self.view_of(self.data.spec.extent)

    def view_of(self, box: tuple[float, float, float, float]) -> View:
        """The view holding the lon/lat box ``(west, south, east, north)``, edges and all."""
        w, s, e, n = box
        k = 50
        lon = np.r_[np.linspace(w, e, k), np.full(k, e), np.linspace(e, w, k), np.full(k, w)]
        lat = np.r_[np.full(k, s), np.linspace(s, n, k), np.full(k, n), np.linspace(n, s, k)]
        return View.around(*self.projector.points(lon, lat))

    @cached_property
    def basemap_lonlat(self) -> BaseMap:
        spec = self.data.spec
        return load_basemap(spec.extent, spec.resolution, spec.exclude_borders)

    @cached_property
    def basemap(self) -> BaseMap:
        """The base map in projected coordinates."""
        b = self.basemap_lonlat
        f, area = self.projector.forward, self.projector.forward_area
        return BaseMap(area(b.land), area(b.lakes), f(b.borders), f(b.rivers))

    @cached_property
    def land_lonlat(self) -> BaseGeometry:
        """The land the sides share: the coast clipped to the map's region, lakes removed
        (the loader's, if it computed it to check the snapshots' coverage)."""
        if self.data.land is not None:
            return self.data.land
        spec = self.data.spec
        return shared_land(spec.extent, spec.resolution, spec.exclude_borders, spec.region)

    @cached_property
    def land(self) -> BaseGeometry:
        return self.projector.forward_area(self.land_lonlat)

    @cached_property
    def morph(self) -> Morph:
        keyframes = [
            Keyframe(
                to_day(s.date),
                {k: self.projector.forward(g) for k, g in s.territories.items()},
                s.transition,
            )
            for s in self.data.snapshots
        ]
        sides = [s.id for s in self.data.spec.sides]
        return Morph(keyframes, self.land, sides, easing=self.data.spec.easing)

    @cached_property
    def story(self) -> Story:
        """The events without a video schedule: what stills use."""
        return Story(self.data, self.projector)

    def paced_story(
        self,
        start: float,
        end: float,
        duration: float,
        pacing: str = "story",
        voice: Mapping[str, float] | None = None,
    ) -> Story:
        return Story.paced(
            self.data,
            self.projector,
            start=start,
            end=end,
            duration=duration,
            pacing=pacing,
            words_per_second=self.data.spec.reading_speed / 60,
            voice=voice,
        )

    def scene(
        self,
        day: float,
        *,
        t: float | None = None,
        story: Story | None = None,
        events: list[int] | None = None,
        view: View | None = None,
    ) -> Scene:
        """What is on the map on ``day``; with a paced story, at second ``t`` of its video.
        A still (no ``t``) numbers the events ``events`` (indices of the story's events),
        or by default those of :meth:`Story.main_events`. ``view``: what the map shows
        (default: the whole map)."""
        story = story or self.story
        event, alpha = story.caption(day, t)
        arrows, markers = story.overlays(day, t, events)
        video = story.schedule is not None and t is not None
        if video:
            progress = t / story.schedule.duration
        else:
            start, end = to_day(self.data.spec.start), to_day(self.data.spec.end)
            progress = (day - start) / max(end - start, 1.0)
        return Scene(
            day,
            from_day(day),
            self.morph.regions(day),
            [b for b in self.morph.boundaries(day) if self.data.spec.is_front(b[1], b[2])],
            event,
            self.current_phase(day),
            self.zones_at(day),
            caption_alpha=alpha,
            arrows=arrows,
            markers=markers,
            progress=float(np.clip(progress, 0, 1)),
            main_events=[] if video else _main_events(story, day, events),
            view=view or self.overview,
            gains=self.gains_at(day, video=video),
            gain_steps=self.gain_steps_at(day) if video else (),
            shares=self.land_shares.at(day) if self.data.spec.shares else None,
        )

    def gains_at(self, day: float, *, video: bool) -> dict[str, BaseGeometry]:
        """Ground each side took recently: in a video, in the theme's last ``gain_days``
        days of history; on a still, since the snapshot before ``day``."""
        days = self.theme.gain_days
        if days <= 0:
            return {}
        if video:
            since = day - days
        else:
            before = [k.day for k in self.morph.keyframes if k.day < day]
            if not before:
                return {}
            since = before[-1]
        return self.morph.gains(day, max(since, self.morph.keyframes[0].day))

    def gain_steps_at(self, day: float) -> tuple[dict[str, BaseGeometry], ...]:
        """The ground taken in the last ``k / GAIN_STEPS`` of the theme's ``gain_days``, for
        ``k`` from ``GAIN_STEPS - 1`` down to 1: laid over the whole window's gains, so the
        tint fades in steps as ground taken grows older."""
        days = self.theme.gain_days
        if days <= 0:
            return ()
        first = self.morph.keyframes[0].day
        return tuple(
            self.morph.gains(day, max(day - days * k / GAIN_STEPS, first))
            for k in range(GAIN_STEPS - 1, 0, -1)
        )

    @cached_property
    def land_shares(self) -> LandShares:
        """Each side's share of the land at any instant, on an equal-area projection."""
        return LandShares(self.morph, self.projection, self.data.spec.extent)

    @cached_property
    def theme(self) -> Theme:
        return Theme.from_table(self.data.spec.theme)

    @cached_property
    def _zones(self) -> list[tuple[float, list[BaseGeometry]]]:
        return [
            (to_day(s.date), [self.projector.forward(g) for g, p in s.extras if p["kind"] == "dmz"])
            for s in self.data.snapshots
        ]

    def zones_at(self, day: float) -> list[BaseGeometry]:
        latest = [zones for start, zones in self._zones if start <= day]
        return latest[-1] if latest else []

    def current_phase(self, day: float) -> str | None:
        for phase in self.data.spec.phases:
            if to_day(phase.start) <= day <= to_day(phase.end) + 1:
                return phase.name
        return None
