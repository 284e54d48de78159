"""Map projections: a conformal default for an extent, and transforms of shapely geometries."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry


def default_projection(extent: tuple[float, float, float, float]) -> str:
    """A Lambert conformal conic fitted to the extent (standard parallels at 1/6 and 5/6).

    >>> default_projection((124.0, 33.0, 131.0, 43.0))
    '+proj=lcc +lat_1=34.667 +lat_2=41.333 +lat_0=38.000 +lon_0=127.500 +ellps=WGS84 +units=m'
    """
    w, s, e, n = extent
    lat1, lat2 = s + (n - s) / 6, n - (n - s) / 6
    return (
        f"+proj=lcc +lat_1={lat1:.3f} +lat_2={lat2:.3f} +lat_0={(s + n) / 2:.3f} "
        f"+lon_0={(w + e) / 2:.3f} +ellps=WGS84 +units=m"
    )


class Projector:
    """Forward and inverse transforms between lon/lat and a projected CRS (metres)."""

    def __init__(self, projection: str):
        self.crs = pyproj.CRS.from_user_input(projection)
        self._fwd = _transformer("EPSG:4326", projection)
        self._inv = _transformer(projection, "EPSG:4326")

    def forward(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, self._apply_fwd)

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
