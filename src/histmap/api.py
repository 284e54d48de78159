"""The public face of the library: a loaded map you can query and render."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from warnings import warn

from ._dates import DateLike, day_within, to_date
from ._errors import HistmapWarning, OptionError, Problem
from .loader import load_map_data
from .model import UNHELD, Event, MapData, Place, Side
from .narration import Clip, find_clips, narration_folder
from .options import RenderOptions
from .scene import View, World
from .schema import camera_problem

if TYPE_CHECKING:
    import geopandas as gpd

    from .render import FramePlan

Progress = Callable[[int, int], None]


def _geo_frame(rows: list, columns: list[str]) -> gpd.GeoDataFrame:
    """Rows as a GeoDataFrame in lon/lat, its geometry in the column ``geometry``."""
    # geopandas (and pandas) take a third of a second to import: only these tables need them.
    import geopandas as gpd

    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs="EPSG:4326")


def _frame(records, record_type) -> gpd.GeoDataFrame:
    """Typed records as a GeoDataFrame in lon/lat, one column per field."""
    columns = [f.name for f in dataclasses.fields(record_type)]
    return _geo_frame([dataclasses.astuple(r) for r in records], columns)


def load_map(map: str | os.PathLike | None = None, lang: str | None = None) -> HistMap:
    """Load a map folder, or a built-in map by name (``None``: the Korean War).

    ``lang`` (``"fr"``, ``"ko"``; default: the map's own language) is the language of
    everything drawn and written: the map's texts where the folder translates them (else
    in its own language: :attr:`HistMap.untranslated` lists those), histmap's words,
    dates and numbers. Raises :class:`histmap.MapError` listing every problem if the
    folder is not usable.
    """
    data, warnings = load_map_data(map, lang)
    return HistMap(data, warnings)


def untranslated(data: MapData) -> list[Problem]:
    """A warning for each text of ``data`` not in its language as loaded (file, feature,
    field: ``lang.fr.sides``, ``name:fr``): shown in the map's own language."""
    lang, own = data.spec.lang, data.spec.default_lang
    if lang == own:
        return []
    return [
        Problem(
            t.file,
            f"has no translation into '{lang}': shown in '{own}'",
            t.feature,
            f"lang.{lang}.{t.field}" if t.file.endswith(".toml") else f"{t.field}:{lang}",
            severity="warning",
        )
        for t in data.texts.missing(lang)
    ]


class _Texts:
    """A loaded map's texts: their language, the map's other languages, and what is wrong
    with them as drawn (for :class:`HistMap`, whose ``data`` they read)."""

    data: MapData
    _text_warned: bool = False

    @property
    def lang(self) -> str:
        """The language of the map's texts as loaded."""
        return self.data.spec.lang

    @property
    def languages(self) -> dict[str, float]:
        """The languages the map is written in, its own first, and how much of its texts
        each has (0 to 1)."""
        texts = self.data.texts
        return {code: texts.share(code) for code in texts.languages()}

    @property
    def untranslated(self) -> list[Problem]:
        """A warning for each text of the map not translated into its language as loaded
        (file, feature, field): it is shown in the map's own language."""
        return untranslated(self.data)

    @cached_property
    def text_warnings(self) -> list[Problem]:
        """What is wrong with the map's texts as drawn: the characters its font has no glyph
        for, in one warning (this loads matplotlib, so :func:`load_map` does not look).
        :meth:`still`, :meth:`render` and :meth:`lesson` give them once as a
        :class:`~histmap.HistmapWarning`; matplotlib's own warnings, one per glyph and
        drawing, are silenced."""
        from .draw.fonts import glyph_problem

        problem = glyph_problem(self.data)
        return [] if problem is None else [Problem("map.toml", problem, severity="warning")]

    def _warn_about_text(self) -> None:
        if not self._text_warned:
            self._text_warned = True
            for problem in self.text_warnings:
                warn(str(problem), HistmapWarning, stacklevel=3)

    def _in_languages(self, languages: list[str] | None) -> list[HistMap]:
        """This map in each of ``languages`` (itself for its own), each once, in order."""
        if not languages:
            return [self]
        codes = list(dict.fromkeys(languages))
        return [
            self if code == self.lang else load_map(self.data.spec.folder, code) for code in codes
        ]


class HistMap(_Texts):
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
        return _geo_frame(rows, ["side", "geometry"])

    def fronts_at(self, date: DateLike) -> gpd.GeoDataFrame:
        """Front lines on ``date``, with the two sides each separates (``side_a``, ``side_b``)."""
        day = self._day(date)
        inverse = self.world.projector.inverse
        rows = [
            {"side_a": a, "side_b": b, "geometry": inverse(geom)}
            for geom, a, b in self.world.morph.fronts(day)
            if UNHELD not in (a, b) and self.data.spec.is_front(a, b)
        ]
        return _geo_frame(rows, ["side_a", "side_b", "geometry"])

    def export(
        self,
        out: str | os.PathLike,
        *,
        every: str | None = None,
        dates: list[DateLike] | None = None,
        workers: int | None = None,
    ) -> Path:
        """Write the territories and fronts at many instants to one time-stamped file for
        GIS tools: GeoJSON (``.geojson``) or GeoPackage (``.gpkg``), by the extension.

        One feature per side (``kind="territory"``) and per front (``kind="front"``,
        ``side`` and ``side_b``) at each instant, with its ISO ``date``. The instants are
        ``dates``, else every ``every`` (``"1d"``, ``"2w"``; default every day) of the map's
        span; ``workers`` processes share them (default: the machine's cores).
        """
        from .export import export_days, format_of, series, write_series

        out = Path(out)
        format_of(out)  # a wrong extension is refused before the work
        days = export_days(self.world, every=every, dates=dates)
        frame = series(self.world, days, workers or os.cpu_count() or 1)
        return write_series(frame, out)

    def player(self, out: str | os.PathLike) -> Path:
        """Write an interactive map to the folder ``out`` (``index.html`` and ``player/``):
        a date slider, play and pause, the territories morphed at any instant in the
        browser, the fronts, arrows and markers, the captions and the events. Works offline,
        from the file or over http; ``histmap lesson`` puts the same player in its page."""
        from .playerpage import write_player

        return write_player(self.world, Path(out))

    def _day(self, date: DateLike) -> float:
        return day_within(date, *self.span)

    # -- output --------------------------------------------------------------------------------

    def render(
        self,
        out: str | os.PathLike | None = None,
        options: RenderOptions | None = None,
        *,
        progress: Progress | None = None,
        **changes,
    ) -> list[Path]:
        """Render the animation; ``out``'s extension picks MP4, GIF or (a folder) PNG frames.

        With no ``out``, writes ``frames/<map>.mp4`` and ``frames/<map>.gif``.
        ``options`` (a :class:`~histmap.RenderOptions`), or its fields as keywords
        (``size``, ``fps``, ``duration``, ``start``, ``end``, ``pacing``, ``workers``,
        ``captions``, ``scheduler``, ``camera``; keywords change ``options``), say how:
        ``camera="follow"`` (default, but for a GIF) frames each key event in turn,
        ``"fixed"`` shows the whole map throughout; not given, a GIF beside the MP4 is
        drawn apart with the whole map (the same story), given, it holds for the GIF too;
        ``pacing="story"`` holds the date on key events and hurries through quiet
        months, ``"calendar"`` gives every day the same time; ``workers`` is the
        number of processes drawing frames (default: the machine's cores);
        ``captions`` also writes the captions as WebVTT beside each MP4; ``scheduler``
        (a Dask scheduler's address) draws the frames on that cluster instead.
        ``narration`` is a folder of voice clips named after event ids: each plays when
        its event's caption appears, the date holds until it is said, and the MP4 gets
        one AAC track (default: the map folder's own ``narration/``, if any).
        ``progress(done, total)`` is called after each frame. Returns the paths written.
        """
        from .pipeline import render_video

        options = RenderOptions.of(options, **changes)
        options.check_span(*self.span)
        self._warn_about_text()
        if out is None:
            Path("frames").mkdir(exist_ok=True)
            targets = [Path("frames") / f"{self.name}.mp4", Path("frames") / f"{self.name}.gif"]
        else:
            targets = [Path(out)]
        written, _ = render_video(self.world, targets, options, name=self.name, progress=progress)
        return written

    def plan(self, options: RenderOptions | None = None, **changes) -> FramePlan:
        """The frames of a video: the moment and day of each, and its paced story.

        Takes the options of :meth:`render` (only the frame size, timing and camera matter:
        ``plan.views`` holds each frame's view).
        """
        from .render import plan_frames

        return plan_frames(self.world, RenderOptions.of(options, **changes))

    def lesson(
        self,
        out: str | os.PathLike,
        options: RenderOptions | None = None,
        *,
        poster: DateLike | None = None,
        progress: Progress | None = None,
        languages: list[str] | None = None,
        **changes,
    ) -> Path:
        """Write a lesson folder: video, GIF, captions, chapters, stills, web page, manifest.

        Takes the options of :meth:`render` (the poster and the key stills are drawn at
        the video's size), ``poster``, the date of ``poster.png`` (default: the first
        frame's), and ``languages`` (default: the map's language as loaded): a video,
        captions, stills and a page in each, the first language's page ``index.html``.
        """
        from .lesson import write_lesson

        options = RenderOptions.of(options, **changes)
        # Every option is checked before any work (a lesson takes minutes to draw).
        poster = options.check_span(*self.span, poster=poster)
        maps = self._in_languages(languages)
        for each in maps:
            each._warn_about_text()
        worlds = [each.world for each in maps]
        return write_lesson(
            worlds[0], Path(out), options, poster=poster, progress=progress,
            translations=worlds[1:],
        )  # fmt: skip

    def still(
        self,
        date: DateLike,
        out: str | os.PathLike | None = None,
        options: RenderOptions | None = None,
        *,
        events_since: DateLike | None = None,
        extent: tuple[float, float, float, float] | None = None,
        **changes,
    ) -> Path:
        """Draw the map on ``date`` to a PNG, SVG or PDF (the extension decides).

        Of the options of :meth:`render`, ``size`` (default 1280x720) and ``camera`` matter:
        ``camera="follow"`` frames that date's action (its numbered events and the land that
        changed hands since the snapshot before), ``"fixed"`` (the default) the whole map;
        ``extent``, a box ``(west, south, east, north)`` in degrees within the map's,
        shows that box instead.
        ``events_since`` numbers the key events after that date up to ``date`` (from the
        map's start: every one), at most eight, as an atlas page after a page of that date
        does; by default the still numbers the events of its last weeks.
        """
        from .pipeline import write_still

        options = RenderOptions.of(options, **changes)
        day = self._day(date)
        events = None if events_since is None else self.events_since(events_since, date)
        view = self._still_view(day, options, events, extent)
        self._warn_about_text()
        if out is None:
            Path("frames").mkdir(exist_ok=True)
            out = Path("frames") / f"{self.name}_{to_date(date)}.png"
        return write_still(self.world, day, Path(out), options, events=events, view=view)

    def _still_view(
        self, day: float, options: RenderOptions, events: list[int] | None, extent
    ) -> View | None:
        """What a still shows: ``extent`` (checked), that day's action, or the whole map."""
        if extent is not None:
            problem = camera_problem(list(extent), self.data.spec.extent)
            if problem:
                raise OptionError(f"extent {list(extent)}: {problem}")
            return self.world.view_of(tuple(float(v) for v in extent))
        if options.camera == "follow":
            from .framing import still_view

            return still_view(self.world, options.frame_size(), day, events)
        return None

    def events_since(self, since: DateLike, date: DateLike) -> list[int]:
        """The key events after ``since`` up to ``date`` (indices of the map's events, in date
        order, at most eight): what an atlas page of ``date`` lists after a page of ``since``."""
        from .atlas import since_day

        try:
            self._day(since)
        except OptionError as exc:
            raise OptionError(f"events since: {exc}") from None
        if to_date(since) > to_date(date):
            raise OptionError(f"events since {to_date(since)}: that is after the still's date")
        return self.world.story.since(since_day(self.data.spec, to_date(since)), self._day(date))

    def atlas(
        self,
        out: str | os.PathLike,
        options: RenderOptions | None = None,
        *,
        dates: list[DateLike] | None = None,
        progress: Progress | None = None,
        **changes,
    ) -> Path:
        """Write an atlas folder: one offline web page per date (the still as PNG, SVG and
        PDF, the title "<short title> YYYY.MMDD", heading, subheading, intro, the numbered
        main events), previous/next links and ``index.html`` with a timeline of the pages.

        ``dates`` default to the map's ``[[pages]]`` (else the end of each phase and the
        map's end). Of the options of :meth:`render`, only ``size`` matters.
        """
        from .atlas import write_atlas

        options = RenderOptions.of(options, **changes)
        self._warn_about_text()
        return write_atlas(self.world, Path(out), options, dates=dates, progress=progress)

    def narrate(
        self,
        out: str | os.PathLike,
        options: RenderOptions | None = None,
        *,
        voice: bool = False,
        lang: str | None = None,
        **changes,
    ) -> Path:
        """Write a narration folder: ``script.md`` (each event's id, title, caption and time
        on screen in the video ``options`` make, to read aloud) and, with ``voice``, draft
        clips ``<event id>.wav`` spoken offline by espeak-ng, for timing (replace them by a
        recording). Render with them: ``render(..., narration=out)``."""
        from .narrate import write_narration

        options = RenderOptions.of(options, **changes)
        options.check_span(*self.span)
        return write_narration(self.world, Path(out), options, voice=voice, lang=lang)

    def narration(
        self, narration: str | os.PathLike | None = None, lang: str | None = None
    ) -> tuple[list[Clip], list[Problem]]:
        """The narration clips a render plays (``narration``, else the map folder's own
        ``narration/``) and the problems with its files (each naming the file)."""
        folder = narration_folder(self.data.spec.folder, narration, lang)
        if folder is None:
            return [], []
        return find_clips(folder, [e.id for e in self.data.events])
