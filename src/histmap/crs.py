"""Map projections: a conformal default for an extent, and transforms of shapely geometries."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry


def default_projection(extent: tuple[float, float, float, float]) -> str:
    """A Lambert conformal conic fitted to the extent (standard parallels at 1/6 and 5/6);
    for an extent about as far south of the equator as north of it, where the cone
    flattens into a cylinder, its limit: a Mercator projection.

    >>> default_projection((124.0, 33.0, 131.0, 43.0))
    '+proj=lcc +lat_1=34.667 +lat_2=41.333 +lat_0=38.000 +lon_0=127.500 +ellps=WGS84 +units=m'
    >>> default_projection((95.0, -10.0, 141.0, 10.0))
    '+proj=merc +lon_0=118.000 +ellps=WGS84 +units=m'
    """
    w, s, e, n = extent
    lat1, lat2 = s + (n - s) / 6, n - (n - s) / 6
    if abs(lat1 + lat2) < 0.01:  # PROJ refuses a cone whose standard parallels cancel out
        return f"+proj=merc +lon_0={(w + e) / 2:.3f} +ellps=WGS84 +units=m"
    return (
        f"+proj=lcc +lat_1={lat1:.3f} +lat_2={lat2:.3f} +lat_0={(s + n) / 2:.3f} "
        f"+lon_0={(w + e) / 2:.3f} +ellps=WGS84 +units=m"
    )


def equal_area_projection(extent: tuple[float, float, float, float]) -> str:
    """A Lambert azimuthal equal-area projection centred on the extent: areas measured on it
    are true areas on the ellipsoid, wherever the map lies.

    >>> equal_area_projection((124.0, 33.0, 131.0, 43.0))
    '+proj=laea +lat_0=38.000 +lon_0=127.500 +ellps=WGS84 +units=m'
    """
    w, s, e, n = extent
    return f"+proj=laea +lat_0={(s + n) / 2:.3f} +lon_0={(w + e) / 2:.3f} +ellps=WGS84 +units=m"


def true_areas(geoms, projection: str, extent: tuple[float, float, float, float]) -> np.ndarray:
    """The areas (square metres) of shapely geometries drawn in ``projection``, measured on
    :func:`equal_area_projection` of ``extent``."""
    transformer = _transformer(projection, equal_area_projection(extent))

    def move(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    return shapely.area(shapely.transform(np.asarray(geoms, dtype=object), move))


def true_cell_areas(
    x: np.ndarray, y: np.ndarray, projection: str, extent: tuple[float, float, float, float]
) -> np.ndarray:
    """The true area (square metres) of each cell of a grid drawn in ``projection`` whose
    cell edges are at ``x`` and ``y``: shape ``(len(y) - 1, len(x) - 1)``."""
    transformer = _transformer(projection, equal_area_projection(extent))
    xx, yy = np.meshgrid(x, y)
    ex, ey = transformer.transform(xx, yy)
    # The shoelace formula over each cell's four corners, as they lie on the equal-area plane.
    corners = [(slice(None, -1), slice(None, -1)), (slice(None, -1), slice(1, None)),
               (slice(1, None), slice(1, None)), (slice(1, None), slice(None, -1))]  # fmt: skip
    twice = sum(
        ex[a] * ey[b] - ex[b] * ey[a]
        for a, b in zip(corners, corners[1:] + corners[:1], strict=True)
    )
    return np.abs(twice) / 2


AREA_STEP = 0.25
"""Degrees: the longest edge of an area projected as a straight line."""


class Projector:
    """Forward and inverse transforms between lon/lat and a projected CRS (metres)."""

    def __init__(self, projection: str):
        self.crs = pyproj.CRS.from_user_input(projection)
        self._fwd = _transformer("EPSG:4326", projection)
        self._inv = _transformer(projection, "EPSG:4326")

    def forward(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, self._apply_fwd)

    def forward_area(self, geom: BaseGeometry) -> BaseGeometry:
        """An area (the land) projected, repaired where the projection bent two parts that
        shared a straight edge in lon/lat into overlapping ones. Its long edges (where it
        was cut to the extent) are divided first, so that they follow the parallels, which
        most projections curve (strongly near a pole), instead of cutting straight across."""
        drawn = self.forward(shapely.segmentize(geom, AREA_STEP))
        if drawn.is_valid:
            return drawn
        fixed = shapely.make_valid(drawn)
        parts = [g for g in shapely.get_parts(fixed) if g.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(parts) if parts else shapely.Polygon()

    def inverse(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, self._apply_inv)

    def points(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        return self._fwd.transform(np.asarray(lon, float), np.asarray(lat, float))

    def inverse_points(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return self._inv.transform(np.asarray(x, float), np.asarray(y, float))

    def _apply_fwd(self, xy: np.ndarray) -> np.ndarray:
        return np.column_stack(self._fwd.transform(xy[:, 0], xy[:, 1]))

    def _apply_inv(self, xy: np.ndarray) -> np.ndarray:
        return np.column_stack(self._inv.transform(xy[:, 0], xy[:, 1]))


@lru_cache(maxsize=16)
def _transformer(src: str, dst: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)
