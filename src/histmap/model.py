"""The validated model of a map folder: plain dataclasses, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry.base import BaseGeometry

UNHELD = "_unheld"
"""Pseudo-side of land that no side holds (see the interpolation module)."""


@dataclass(frozen=True)
class Side:
    """A side of the conflict: its id in the data, its name on screen, its colour."""

    id: str
    name: str
    colour: str


@dataclass(frozen=True)
class ReferenceLine:
    """A parallel drawn as a labelled dashed line (e.g. the 38th parallel)."""

    latitude: float
    label: str


@dataclass(frozen=True)
class Phase:
    """A named period of the story, shown on the timeline."""

    id: str
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Page:
    """A page of the map's atlas: its date, texts, and the ids of the events it lists
    (``None``: the key events since the previous page)."""

    date: dt.date
    heading: str = ""
    subheading: str = ""
    intro: str = ""
    events: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Event:
    """A dated event: a place or a path, a caption, and the side it belongs to."""

    id: str
    date: dt.date
    end_date: dt.date
    title: str
    caption: str
    kind: str
    side: str
    phase: str | None
    key: bool
    """Key events hold the video while their caption is read, and get a lesson still."""
    source: str
    geometry: BaseGeometry
    camera: CameraBox | str | None = None
    """What the camera frames for this event: a box ``(west, south, east, north)`` in
    degrees, ``"overview"``, ``"none"`` (no move for it), or ``None`` (its own choice)."""


CameraBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class CameraEntry:
    """A ``[[camera]]`` entry of ``map.toml``: from ``date`` on, the camera shows ``box``
    (``(west, south, east, north)`` in degrees; ``None``: the whole map)."""

    date: dt.date
    box: CameraBox | None = None


@dataclass(frozen=True)
class Place:
    """A named place: a city (``rank`` 1 to 5, most important first), a country, a sea."""

    name: str
    rank: int
    kind: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class Snapshot:
    """The state of the map on one date, in lon/lat, as the author drew it."""

    date: dt.date
    territories: dict[str, BaseGeometry]
    fronts: list[tuple[BaseGeometry, dict]]
    extras: list[tuple[BaseGeometry, dict]]
    transition: str
    path: Path


@dataclass
class MapSpec:
    """Everything ``map.toml`` says, checked and with defaults filled in."""

    folder: Path
    name: str
    title: str
    subtitle: str
    extent: tuple[float, float, float, float]
    projection: str | None
    resolution: str
    sides: list[Side]
    start: dt.date
    end: dt.date
    fps: int
    duration: float
    easing: str
    region: BaseGeometry | None
    allow_unheld: bool
    credits: str
    exclude_borders: tuple[tuple[float, float, float, float], ...] = ()
    theme: dict = field(default_factory=dict)
    reading_speed: float = 180.0
    """Words a minute a caption is held for, on the key events."""
    reference_lines: list[ReferenceLine] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    front_pairs: frozenset[frozenset[str]] | None = None
    """The pairs of sides whose shared boundary is a front (``None``: every pair)."""
    short_title: str = ""
    """The map's name in an atlas page's title ("Korea 1950.0915"); default the title."""
    pages: list[Page] = field(default_factory=list)
    """The atlas pages of ``[[pages]]``, as written."""
    lang: str = "en"
    """The language its texts are in, as loaded (``load_map(lang=...)``)."""
    default_lang: str = "en"
    """The language the map's own texts are written in (``lang`` in map.toml)."""
    camera: list[CameraEntry] = field(default_factory=list)
    """The dated views of ``[[camera]]``, as written."""
    shares: bool = False
    """Whether the panel shows each side's share of the land (``[panel] shares``)."""

    def side(self, side_id: str) -> Side:
        return next(s for s in self.sides if s.id == side_id)

    def is_front(self, a: str, b: str) -> bool:
        """Whether the boundary between sides ``a`` and ``b`` is drawn as a front."""
        return self.front_pairs is None or frozenset((a, b)) in self.front_pairs


@dataclass(frozen=True)
class Text:
    """One text of a map that a reader sees, and the languages it is written in."""

    file: str
    """The file it is in: ``map.toml``, ``events.geojson``, ``places.geojson``."""
    feature: str | None
    """The event's id, the place's name, the side's id, ... (``None``: the map's own)."""
    field: str
    """The key that holds it, e.g. ``title``, ``caption``, ``name``, ``sides``."""
    languages: frozenset[str]
    """The languages it has, its default language included."""


@dataclass(frozen=True)
class MapTexts:
    """Every text of a map, to say how complete each of its languages is."""

    default: str
    texts: tuple[Text, ...] = ()

    def languages(self) -> list[str]:
        """The default language, then every other language some text has, by code."""
        others = {code for t in self.texts for code in t.languages} - {self.default}
        return [self.default, *sorted(others)]

    def missing(self, lang: str) -> list[Text]:
        """The texts with no translation into ``lang``."""
        return [t for t in self.texts if lang not in t.languages]

    def share(self, lang: str) -> float:
        """How much of the map is written in ``lang``, from 0 to 1."""
        return 1 - len(self.missing(lang)) / len(self.texts) if self.texts else 1.0


@dataclass
class MapData:
    """A loaded map folder: spec, snapshots in date order, events and places."""

    spec: MapSpec
    snapshots: list[Snapshot]
    events: tuple[Event, ...]
    """In date order."""
    places: tuple[Place, ...]
    land: BaseGeometry | None = None
    """The land the sides share, in lon/lat, if the loader computed it (to check that the
    snapshots cover it); else the :class:`~histmap.scene.World` computes it."""
    texts: MapTexts = field(default_factory=lambda: MapTexts("en"))
    """The map's texts and the languages each is written in."""
