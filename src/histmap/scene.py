"""Per-frame scenes: what is on the map at an instant, in projected coordinates.

This is the last stage without matplotlib: the drawing module turns a
:class:`Scene` into pixels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ._dates import from_day, to_day
from .basemap import BaseMap, load_basemap
from .crs import Projector, default_projection
from .interpolate import Keyframe, Morph
from .model import MapData

EVENT_VISIBLE_DAYS = 21
"""How long an event's caption stays up after its date, when no later event replaces it."""


@dataclass(frozen=True)
class Scene:
    """Everything that changes from frame to frame."""

    day: float
    date: dt.date
    regions: dict[str, BaseGeometry]
    """Each side's area from the interpolation grid, running over the sea (drawn under a mask)."""
    boundaries: list[tuple[list[np.ndarray], str, str]]
    """Vertex arrays of the lines between two sides, also running over the sea."""
    event: dict | None
    phase: str | None
    zones: list[BaseGeometry] = ()
    """Demilitarized zones of the latest snapshot, held until the next one."""


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
        """The land the sides share: the coast clipped to the map's region, lakes removed."""
        land = shapely.difference(self.basemap_lonlat.land, self.basemap_lonlat.lakes)
        region = self.data.spec.region
        return shapely.intersection(land, region) if region is not None else land

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

    def scene(self, day: float) -> Scene:
        return Scene(
            day,
            from_day(day),
            self.morph.regions(day),
            self.morph.boundaries(day),
            self.current_event(day),
            self.current_phase(day),
            self.zones_at(day),
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

    def current_event(self, day: float) -> dict | None:
        """The latest event begun by ``day`` and still within its span or its reading time."""
        events: gpd.GeoDataFrame = self.data.events
        current = None
        for row in events.itertuples(index=False):
            start, end = to_day(row.date), to_day(row.end_date)
            if start <= day <= max(end, start + EVENT_VISIBLE_DAYS):
                current = row._asdict()
        return current

    def current_phase(self, day: float) -> str | None:
        for phase in self.data.spec.phases:
            if to_day(phase.start) <= day <= to_day(phase.end) + 1:
                return phase.name
        return None
