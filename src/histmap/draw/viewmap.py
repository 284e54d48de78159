"""The base map of a view: loaded for a box round it (so it fills the frame), at a
resolution fit for its scale, and cut to the view.

The map's own resolution and 'h' (the ``hires`` extra) are loaded once for a box round the
whole map wide enough for frames of any shape; 'f' for boxes a few times the size of the
view, so a moving camera reloads rarely.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .._errors import HistmapWarning
from ..basemap import load_basemap, resolution_for
from ..scene import FittedView, World

Box = tuple[float, float, float, float]
MARGIN = 0.03
"""The base map is cut to the view plus this fraction of its size on every side: the cut's
straight edges (and the coastline drawn along them) lie outside the frame."""
WORLD_BOX = 1.35
"""The whole map is loaded for a square round it, this many times the
larger half of its extent each way from its centre: enough for a frame of any shape."""
EXTENT_MARGIN = 0.4
"""The base map is never loaded further than this fraction of the map's extent beyond it."""
REGION_GROW = 0.002
"""How far a map's region is grown over the sea, as a fraction of the map's width."""
_warned: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class ViewGround:
    """The base map of one view, projected and cut to it."""

    land: BaseGeometry
    lakes: BaseGeometry
    borders: BaseGeometry
    rivers: BaseGeometry
    foreign: BaseGeometry
    """Land no side may hold (outside the map's region or extent)."""
    resolution: str


def view_ground(world: World, view: FittedView) -> ViewGround:
    """The base map of ``view``, at the resolution its scale wants (or the finest installed,
    with one warning a process)."""
    floor = world.data.spec.resolution
    wanted, used = resolution_for(view.metres_per_px, floor)
    if used != wanted and (wanted, used) not in _warned:
        _warned.add((wanted, used))
        warnings.warn(
            f"close views want the base map at resolution '{wanted}', which is not installed: "
            f"drawing them at '{used}' (install it with: pip install -e '.[hires]')",
            HistmapWarning,
            stacklevel=2,
        )
    # The map's own resolution and 'h' are loaded once for the whole map (a moving camera
    # then only cuts them); 'f', tens of megabytes, for boxes round the view.
    loaded = _loaded(world, used, _load_box(world, view, used in (floor, "h")))
    m = MARGIN * max(view.x1 - view.x0, view.y1 - view.y0)
    rect = (view.x0 - m, view.y0 - m, view.x1 + m, view.y1 + m)
    cut = [shapely.clip_by_rect(g, *rect) for g in loaded]
    return ViewGround(*cut, resolution=used)


def _world_box(world: World) -> Box:
    o = world.overview
    cx, cy = (o.x0 + o.x1) / 2, (o.y0 + o.y1) / 2
    half = WORLD_BOX * max(o.x1 - o.x0, o.y1 - o.y0) / 2
    return (cx - half, cy - half, cx + half, cy + half)


def _load_box(world: World, view: FittedView, whole: bool) -> Box:
    """The box to load for a view: the world's box if ``whole`` (and the view's centre lies
    in it), else a square of a power-of-two size snapped to a grid, round the view."""
    if whole:
        # Views reaching past it (a moving camera's raster) show the sea there.
        w, s, e, n = _world_box(world)
        cx, cy = (view.x0 + view.x1) / 2, (view.y0 + view.y1) / 2
        if w <= cx <= e and s <= cy <= n:
            return (w, s, e, n)
    size = 2.0 ** np.ceil(np.log2(max(view.x1 - view.x0, view.y1 - view.y0)))
    step = size / 4
    cx = round((view.x0 + view.x1) / 2 / step) * step
    cy = round((view.y0 + view.y1) / 2 / step) * step
    return (cx - size, cy - size, cx + size, cy + size)


@lru_cache(maxsize=8)
def _loaded(world: World, resolution: str, box: Box) -> tuple[BaseGeometry, ...]:
    """Land, lakes, borders, rivers and the foreign land of a projected box."""
    spec, projector = world.data.spec, world.projector
    ring = shapely.segmentize(shapely.box(*box).exterior, (box[2] - box[0]) / 64)
    lon, lat = projector.inverse_points(*np.asarray(ring.coords).T)
    ok = np.isfinite(lon) & np.isfinite(lat)
    # Never beyond the map's extent plus a margin, nor across the antimeridian: a box
    # round a continent may reach past the edge of a cylindrical projection.
    w, s, e, n = spec.extent
    mw, mh = EXTENT_MARGIN * (e - w), EXTENT_MARGIN * (n - s)
    extent = (
        float(max(lon[ok].min(), w - mw, -180.0)),
        float(max(lat[ok].min(), s - mh, -90.0)),
        float(min(lon[ok].max(), e + mw, 180.0)),
        float(min(lat[ok].max(), n + mh, 90.0)),
    )
    base = load_basemap(extent, resolution, spec.exclude_borders)
    land, lakes = _project_area(world, base.land, box), _project_area(world, base.lakes, box)
    borders = shapely.clip_by_rect(projector.forward(base.borders), *box)
    rivers = shapely.clip_by_rect(projector.forward(base.rivers), *box)
    foreign = shapely.difference(land, _shared_area(world))
    return land, lakes, borders, rivers, foreign


def _project_area(world: World, geom: BaseGeometry, box: Box) -> BaseGeometry:
    """An area projected and cut to ``box`` part by part: the lon/lat cut lies outside the
    box, so the parts stay apart, and only the few the projection bent need repair."""
    parts = shapely.clip_by_rect(world.projector.forward(shapely.get_parts(geom)), *box)
    bad = ~shapely.is_valid(parts)
    parts[bad] = shapely.make_valid(parts[bad])
    polygons = [p for p in shapely.get_parts(parts) if p.geom_type == "Polygon" and not p.is_empty]
    merged = shapely.MultiPolygon(polygons)
    # Parts may overlap where the lon/lat data wraps round or its cut lies inside the box
    # (a continent in a cylindrical projection): then they are merged.
    return merged if merged.is_valid else shapely.union_all(polygons)


@lru_cache(maxsize=4)
def _shared_area(world: World) -> BaseGeometry:
    """Where the sides may hold land: the map's extent, within its region if it has one.

    A region follows the coast of the map's own resolution: it is grown out over the sea
    (not over the land of others) so a finer coast's capes and islets stay in it.
    """
    spec = world.data.spec
    area = world.projector.forward_area(shapely.segmentize(shapely.box(*spec.extent), 0.05))
    if spec.region is None:
        return area
    region = shapely.intersection(area, world.projector.forward_area(spec.region))
    others = shapely.difference(world.basemap.land, region)
    grow = REGION_GROW * (world.overview.x1 - world.overview.x0)
    return shapely.difference(shapely.buffer(region, grow), others)
