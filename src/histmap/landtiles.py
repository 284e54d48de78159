"""The land cut into tiles once, so that lines are cut by the coast only where they run.

An overlay of a short line with the whole land nodes every vertex of the coastline;
the tiles a line crosses hold a small share of it. Neighbouring tiles share their edges
exactly, so the pieces of a line cut tile by tile join up again end to end. The
front lines of an export of every day are cut by the coast this way (about a third of
the time of an overlay with the whole land on ``korean_war``).
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

_EMPTY_LINES = shapely.MultiLineString()


class LandTiles:
    """``land`` cut by an ``n`` by ``n`` grid of rectangles over its bounds.

    >>> tiles = LandTiles(shapely.box(0, 0, 10, 10).difference(shapely.box(4, -1, 6, 11)))
    >>> round(tiles.lines_on_land([np.array([[-5.0, 5.0], [15.0, 5.0]])]).length, 6)
    8.0
    """

    def __init__(self, land: BaseGeometry, n: int = 16):
        w, s, e, north = land.bounds
        pad = 1e-6 * max(e - w, north - s, 1e-9)  # no coast vertex on a tile's edge
        xs = np.linspace(w - pad, e + pad, n + 1)
        ys = np.linspace(s - pad, north + pad, n + 1)
        x0, y0 = (a.ravel() for a in np.meshgrid(xs[:-1], ys[:-1]))
        x1, y1 = (a.ravel() for a in np.meshgrid(xs[1:], ys[1:]))
        rects = shapely.box(x0, y0, x1, y1)
        pieces = shapely.intersection(land, rects)
        keep = ~shapely.is_empty(pieces)
        self._pieces = pieces[keep]
        self._rects = rects[keep]
        self._tree = shapely.STRtree(self._rects)

    @property
    def pieces(self) -> np.ndarray:
        """The land of each tile (shapely geometries), in a fixed order."""
        return self._pieces

    def split(self, area: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
        """Which tiles lie wholly in ``area`` (a mask over :attr:`pieces`), and ``area``'s
        land in the tiles its edge crosses: with the first, ``area`` cut by the land, the
        coast overlaid only where the edge runs (a tenth of the whole overlay's time)."""
        shapely.prepare(area)
        inside = shapely.contains(area, self._rects)
        crossed = np.flatnonzero(shapely.intersects(area, self._rects) & ~inside)
        # Clipped to the tile first: the overlay then meets few of the area's vertices.
        near = [shapely.clip_by_rect(area, *shapely.bounds(self._rects[k])) for k in crossed]
        return inside, shapely.intersection(self._pieces[crossed], np.array(near, dtype=object))

    def lines_on_land(self, lines: list[np.ndarray]) -> BaseGeometry:
        """The parts of ``lines`` (vertex arrays) on land, merged end to end: the same as
        an intersection with the whole land, to rounding."""
        if not lines:
            return _EMPTY_LINES
        whole = shapely.MultiLineString(lines)
        crossed = self._tree.query(whole, predicate="intersects")
        parts = shapely.get_parts(shapely.intersection(self._pieces[crossed], whole))
        kept = [g for g in parts if g.geom_type == "LineString" and not g.is_empty]
        # A union, not a collection: a stretch along the edge of two tiles is in both.
        return shapely.line_merge(shapely.union_all(kept)) if kept else _EMPTY_LINES
