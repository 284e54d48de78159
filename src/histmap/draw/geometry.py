"""Shapes and colours as matplotlib takes them."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import shapely
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

POLYGON = 3
"""shapely's type id of a polygon."""


def polygon_path(geom: BaseGeometry) -> MplPath:
    """A matplotlib path of a (multi)polygon, holes included, for one patch or collection item."""
    parts = shapely.get_parts(geom)
    parts = parts[(shapely.get_type_id(parts) == POLYGON) & ~shapely.is_empty(parts)]
    if not len(parts):
        return MplPath(np.zeros((1, 2)), [MplPath.MOVETO])
    # Holes wound against the shell, so matplotlib's nonzero rule leaves them empty.
    rings = shapely.get_rings(shapely.orient_polygons(parts, exterior_cw=False))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    starts = np.flatnonzero(np.diff(ring, prepend=-1))
    codes[starts] = MplPath.MOVETO
    codes[np.r_[starts[1:], len(coords)] - 1] = MplPath.CLOSEPOLY
    return MplPath(coords, codes)


def line_segments(geom: BaseGeometry) -> list[np.ndarray]:
    """The vertex arrays of every line in a (multi)line geometry or collection."""
    return [
        np.asarray(g.coords)[:, :2]
        for g in shapely.get_parts(geom)
        if g.geom_type in ("LineString", "LinearRing") and not g.is_empty
    ]


def darker(colour: str, amount: float = 0.25) -> tuple[float, float, float]:
    rgb = np.array(mpl.colors.to_rgb(colour))
    return tuple(rgb * (1 - amount))
