"""Time-stamped exports for GIS tools: the territories and fronts of many instants in one file.

One feature per side (``kind = "territory"``) and per front between two sides (``kind =
"front"``) for each instant, with the instant's ISO ``date``: ready for QGIS's Temporal
Controller or kepler.gl's time filter. GeoJSON (``.geojson``, ``.json``) or GeoPackage
(``.gpkg``), chosen by the extension; written beside the target and swapped in whole.

Speed: consecutive instants share the interpolation's fields (each keyframe's fields
are computed once per segment), the territories are the grid's regions cut by the land
once per side (:meth:`Morph.territories_quick`), the fronts are cut by the coast only in
the tiles of land they cross (:class:`~histmap.landtiles.LandTiles`), instants in the
same state (a hold, or past the map's ends) are computed once, and the instants are
shared among processes in runs of consecutive days.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import signal
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from ._dates import DateLike, day_within, from_day
from ._errors import OptionError
from .model import UNHELD
from .outputs import commit, die_with_parent, output_lock
from .scene import World

FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}
COLUMNS = ["date", "kind", "side", "side_b", "geometry"]
_EVERY = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)


def parse_every(text: str) -> int:
    """Days between instants from ``"1d"``, ``"3d"`` or ``"2w"``.

    >>> parse_every("1d"), parse_every("2w")
    (1, 14)
    """
    match = _EVERY.match(str(text))
    if not match or int(match.group(1)) < 1:
        raise OptionError(f"--every {text!r}: write a number of days or weeks, e.g. 1d or 2w")
    return int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)


def export_days(
    world: World, *, every: str | None = None, dates: list[DateLike] | None = None
) -> list[float]:
    """The instants to export: ``dates`` (each within the map's span), else every ``every``
    from the map's start to its end (default: every day)."""
    spec = world.data.spec
    if dates:
        days = []
        for date in dates:
            try:
                days.append(day_within(date, spec.start, spec.end))
            except OptionError as exc:
                raise OptionError(f"--dates: {exc}") from None
        return sorted(set(days))
    step = parse_every(every or "1d")
    first, last = (day_within(d, spec.start, spec.end) for d in (spec.start, spec.end))
    return [float(d) for d in np.arange(first, last + 0.5, step)]


def format_of(out: Path) -> str:
    try:
        return FORMATS[out.suffix.lower()]
    except KeyError:
        raise OptionError(
            f"{out}: the export's extension must be .geojson (or .json) or .gpkg"
        ) from None


def series(world: World, days: list[float], workers: int = 1) -> gpd.GeoDataFrame:
    """The territories and fronts at ``days`` as one GeoDataFrame in lon/lat (EPSG:4326),
    columns ``date`` (ISO), ``kind``, ``side``, ``side_b`` (fronts only), ``geometry``."""
    workers = max(1, min(workers, len(days) // 40 or 1))
    if workers == 1 or "fork" not in mp.get_all_start_methods():
        rows = _rows(world, days)
    else:
        # Runs of consecutive days: a worker computes each keyframe's fields once per run.
        runs = [list(r) for r in np.array_split(np.asarray(days, float), workers * 4) if len(r)]
        world.morph.land_tiles  # noqa: B018 -- built once here, shared with the forked workers
        with ProcessPoolExecutor(
            workers,
            mp_context=mp.get_context("fork"),
            initializer=_Worker.start,
            initargs=(world, os.getpid()),
        ) as pool:
            rows = [row for chunk in pool.map(_Worker.rows, runs) for row in chunk]
    return gpd.GeoDataFrame(rows, columns=COLUMNS, geometry="geometry", crs="EPSG:4326")


def write_series(frame: gpd.GeoDataFrame, out: Path) -> Path:
    """Write ``frame`` to ``out`` (format from its extension), whole or not at all."""
    driver = format_of(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp{out.suffix}")
    with output_lock(out.with_name(f".{out.name}.lock"), str(out)):
        try:
            if driver == "GPKG":
                # A date column QGIS's Temporal Controller takes as is.
                frame = frame.assign(date=pd.to_datetime(frame["date"]))
                frame.to_file(tmp, driver=driver, layer="histmap")
            else:
                _write_geojson(frame, tmp)
            with commit(str(out)):
                os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
    return out


def _write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """GeoJSON (RFC 7946, lon/lat) with coordinates to 1e-6 degree (10 cm), written by GEOS:
    GDAL's writer takes ten times as long on a war's thousand days of coastline."""
    rounded = shapely.transform(frame.geometry.values, lambda xy: np.round(xy, 6))
    # GEOS writes the text without the GIL: threads share the work.
    chunks = np.array_split(rounded, max(1, 4 * (os.cpu_count() or 1)))
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        geometries = [text for part in pool.map(shapely.to_geojson, chunks) for text in part]
    properties = frame.drop(columns="geometry").to_dict("records")
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type": "FeatureCollection", "features": [\n')
        for n, (props, geom) in enumerate(zip(properties, geometries, strict=True)):
            props = {k: (None if pd.isna(v) else v) for k, v in props.items()}
            f.write(",\n" if n else "")
            f.write(f'{{"type": "Feature", "properties": {json.dumps(props)}, "geometry": {geom}}}')
        f.write("\n]}\n")


class _Worker:
    """A forked worker: the parent's world, whose morph keeps each segment's fields."""

    world: World | None = None

    @classmethod
    def start(cls, world: World, parent: int) -> None:
        die_with_parent(parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        cls.world = world

    @classmethod
    def rows(cls, days: list[float]) -> list[tuple]:
        return _rows(cls.world, days)


def _rows(world: World, days) -> list[tuple]:
    """The rows of consecutive instants; instants in the same state share their geometry."""
    morph, spec = world.morph, world.data.spec
    inverse = world.projector.inverse
    done: dict[tuple[int, float], list[tuple]] = {}
    rows = []
    for day in days:
        state = morph.state(float(day))
        if state not in done:
            parts = morph.territories_quick(float(day))
            shapes = [("territory", s.id, None, parts[s.id]) for s in spec.sides if s.id in parts]
            shapes += [
                ("front", a, b, line)
                for line, a, b in _fronts(world, float(day))
                if spec.is_front(a, b)
            ]
            done[state] = [(kind, a, b, inverse(g)) for kind, a, b, g in shapes]
        iso = from_day(float(day)).isoformat()
        rows += [(iso, *row) for row in done[state]]
    return rows


def _fronts(world: World, day: float) -> list[tuple[BaseGeometry, str, str]]:
    """The lines between two sides the video draws (the grid's zero lines), on land only."""
    result = []
    for lines, a, b in world.morph.boundaries(day):
        if UNHELD in (a, b):
            continue
        on_land = world.morph.land_tiles.lines_on_land(lines)
        if not on_land.is_empty:
            result.append((on_land, a, b))
    return result
