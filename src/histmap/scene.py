"""Per-frame scenes: what is on the map at an instant, in projected coordinates.

This is the last stage without matplotlib: the drawing module turns a
:class:`Scene` into pixels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from shapely.geometry.base import BaseGeometry

from ._dates import from_day, to_day
from .basemap import BaseMap, load_basemap, shared_land
from .crs import Projector, default_projection
from .interpolate import Keyframe, Morph
from .model import Event, MapData
from .story import Arrow, Marker, Story


@dataclass(frozen=True)
class Scene:
    """Everything that changes from frame to frame."""

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


class World:
    """A map projected once: base map, land to partition, morph engine and events."""

    def __init__(self, data: MapData):
        self.data = data
        spec = data.spec
        self.projection = spec.projection or default_projection(spec.extent)
        self.projector = Projector(self.projection)

    @cached_property
    def basemap_lonlat(self) -> BaseMap:
        spec = self.data.spec
        return load_basemap(spec.extent, spec.resolution, spec.exclude_borders)

    @cached_property
    def basemap(self) -> BaseMap:
        """The base map in projected coordinates."""
        b = self.basemap_lonlat
        f = self.projector.forward
        return BaseMap(f(b.land), f(b.lakes), f(b.borders), f(b.rivers))

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
        return self.projector.forward(self.land_lonlat)

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
        self, start: float, end: float, duration: float, pacing: str = "story"
    ) -> Story:
        return Story.paced(
            self.data,
            self.projector,
            start=start,
            end=end,
            duration=duration,
            pacing=pacing,
            words_per_second=self.data.spec.reading_speed / 60,
        )

    def scene(self, day: float, *, t: float | None = None, story: Story | None = None) -> Scene:
        """What is on the map on ``day``; with a paced story, at second ``t`` of its video."""
        story = story or self.story
        event, alpha = story.caption(day, t)
        arrows, markers = story.overlays(day, t)
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
            main_events=[] if video else story.main_events(day),
        )

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
