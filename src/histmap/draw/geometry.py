"""Shapes and colours as matplotlib takes them."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import shapely
import shapely.geometry.polygon
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry


def polygon_path(geom: BaseGeometry) -> MplPath:
    """A matplotlib path of a (multi)polygon, holes included, for one patch or collection item."""
    rings = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        # Holes wound against the shell, so matplotlib's nonzero rule leaves them empty.
        poly = shapely.geometry.polygon.orient(poly, 1.0)
        rings.append(np.asarray(poly.exterior.coords))
        rings.extend(np.asarray(r.coords) for r in poly.interiors)
    if not rings:
        return MplPath(np.zeros((1, 2)), [MplPath.MOVETO])
    codes = [
        np.r_[MplPath.MOVETO, np.full(len(r) - 2, MplPath.LINETO), MplPath.CLOSEPOLY] for r in rings
    ]
    return MplPath(np.concatenate(rings), np.concatenate(codes).astype(np.uint8))


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
