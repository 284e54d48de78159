"""Geometry thinned once, at load, to well below what any frame can show.

A snapshot of a million vertices costs minutes in every later step (unions, overlap
checks, the morph, drawing) for detail no frame shows. Its long rings and lines are
simplified (Douglas-Peucker) to a tolerance of the extent's size / ``RESOLUTION``: at
most a twentieth of a pixel of a 1920-pixel-wide map.

They are simplified in pieces cut at vertices picked by their coordinates alone, so a
border that two territories share is cut at the same vertices in both and simplified
the same way (it stays shared), and no single call into GEOS runs long enough to keep
Ctrl-C or SIGTERM waiting.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

RESOLUTION = 20_000
"""The tolerance is the extent's larger side (degrees) divided by this."""
MIN_VERTICES = 5_000
"""Rings and lines with fewer vertices are kept as they are: they cost little, and a map
drawn by hand (the built-in ones: 2,263 at most) stays exactly as its author drew it."""
PIECE = 1024
"""The average number of vertices between two cuts."""


def tolerance(extent: tuple[float, float, float, float] | None) -> float:
    """The simplification tolerance of a map, in degrees (0: none).

    >>> tolerance((120.0, 32.0, 136.0, 44.0))
    0.0008
    """
    if extent is None:
        return 0.0
    w, s, e, n = extent
    return max(e - w, n - s) / RESOLUTION


def thin(geom: BaseGeometry, tol: float) -> BaseGeometry:
    """``geom`` with its long rings and lines simplified to ``tol``; still valid if it was."""
    if tol <= 0 or shapely.get_num_coordinates(geom) < MIN_VERTICES:
        return geom
    kind = geom.geom_type
    if kind in ("LineString", "MultiLineString"):
        lines = [shapely.linestrings(thin_coords(_xy(g), tol)) for g in shapely.get_parts(geom)]
        return lines[0] if kind == "LineString" else shapely.multilinestrings(lines)
    if kind not in ("Polygon", "MultiPolygon"):
        return geom
    polygons = [_thin_polygon(p, tol) for p in shapely.get_parts(geom)]
    out = polygons[0] if kind == "Polygon" else shapely.multipolygons(polygons)
    if out.is_valid or not geom.is_valid:
        return out
    # A simplified ring crossing another: repair, keeping only the areas.
    fixed = shapely.get_parts(shapely.make_valid(out))
    return shapely.union_all([g for g in fixed if g.geom_type in ("Polygon", "MultiPolygon")])


def _thin_polygon(polygon: BaseGeometry, tol: float) -> BaseGeometry:
    if shapely.get_num_coordinates(polygon) < MIN_VERTICES:
        return polygon
    shell, *holes = (thin_coords(_xy(r), tol) for r in shapely.get_rings(polygon))
    # Holes as rings: as bare arrays of different lengths numpy could not stack them.
    return shapely.polygons(shell, [shapely.linearrings(h) for h in holes] or None)


def _xy(geom: BaseGeometry) -> np.ndarray:
    return shapely.get_coordinates(geom)


def thin_coords(xy: np.ndarray, tol: float) -> np.ndarray:
    """The vertices ``xy`` of a line or a closed ring, simplified in pieces; its ends kept.

    >>> straight = np.column_stack([np.arange(6000.0), np.zeros(6000)])
    >>> thinned = thin_coords(straight, 0.1)
    >>> len(thinned) < 20, thinned[0].tolist(), thinned[-1].tolist()
    (True, [0.0, 0.0], [5999.0, 0.0])
    """
    n = len(xy)
    if n < MIN_VERTICES:
        return xy
    cut = _cuts(xy)
    cut[0] = cut[-1] = True
    ends = np.flatnonzero(cut)
    lengths = np.diff(ends) + 1  # each piece runs from one cut to the next, both included
    piece = np.repeat(np.arange(len(lengths)), lengths)
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    take = np.repeat(ends[:-1], lengths) + within
    lines = shapely.linestrings(xy[take], indices=piece)
    out, which = shapely.get_coordinates(
        shapely.simplify(lines, tol, preserve_topology=False), return_index=True
    )
    keep = np.r_[which[1:] == which[:-1], True]  # a piece's last vertex starts the next one
    out = out[keep]
    closed = np.array_equal(xy[0], xy[-1])
    return xy if closed and len(out) < 4 else out


def _cuts(xy: np.ndarray) -> np.ndarray:
    """Where to cut: about one vertex in ``PIECE``, chosen from its coordinates alone."""
    bits = np.ascontiguousarray(xy[:, :2], dtype=np.float64).view(np.uint64)
    return _mix(_mix(bits[:, 0]) ^ bits[:, 1]) % np.uint64(PIECE) == 0


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: every bit of the input stirs every bit of the output."""
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))
