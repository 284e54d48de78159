"""Territories and fronts at any instant between dated snapshots.

How it works: signed distance fields, blended in time
------------------------------------------------------
The land (the coastline, clipped to the map's region) is rasterised once onto a
grid in the projected CRS. For every snapshot and every side ``s`` a signed
distance field is computed once and cached::

    phi_s = distance to the land held by s  -  distance to the land held by the others

negative inside ``s``, positive outside. The sea belongs to neither set, so it is
neutral: distances run straight across water and the shape of the coast does not
drag the front. At an instant between two snapshots the fields are blended
linearly (or with ease-in-out); each place goes to the side with the least blended
value, and the region of each side is contoured with sub-cell precision
(``contourpy``) and clipped to the exact coastline. The sides are cut out one after
the other from the land and the last side takes what remains, so every frame is an
exact partition of the land, islands included.

What this gives:

* **exact keyframes**: on a snapshot's date the snapshot itself (clipped) is returned;
* **continuity**: the fields change linearly with time, so the boundary moves a
  little between nearby instants;
* **topology changes** without special cases: a pocket of a side appears where its
  field first turns negative (a landing grows from its centre), shrinks and
  vanishes (an evacuation), areas merge (a link-up) or split (an encirclement);
* a snapshot with ``"transition": "cut"`` holds the previous state until its date
  and then switches, for changes that did not happen by movement;
* **any number of sides**, and land no side holds: the pseudo-side ``_unheld``
  is morphed like a side but never drawn and has no fronts;
* **fronts** are the shared boundaries of two sides' territories, never the coast.

Limits: a pocket far from the rest of its side appears late and vanishes early in
its segment (its depth is blended against its distance to the main area): add a
snapshot, or a ``cut``, where the timing matters. Between keyframes the boundary
is resolved to a fraction of a grid cell (about 1/600 of the land's extent by
default), so details finer than a cell are smoothed there. The fields are
Euclidean in the projected plane, so a front never "knows" about mountains or
rivers.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

import contourpy
import numpy as np
import shapely
from scipy import ndimage
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from .landtiles import LandTiles
from .model import UNHELD

KeyframeField = tuple[np.ndarray, set[int]]
"""A keyframe's signed distance fields and the sides holding land in it."""
KeyframeStore = Callable[[int, Callable[[int], KeyframeField]], KeyframeField]
"""Gives keyframe ``index``'s fields, from ``make(index)`` or from where it keeps them."""

_EMPTY = Polygon()


@dataclass(frozen=True)
class Keyframe:
    """A snapshot in projected coordinates: an instant (days) and each side's territory."""

    day: float
    territories: dict[str, BaseGeometry]
    transition: str = "morph"


def ease(alpha: float, easing: str = "linear") -> float:
    """Map a linear fraction of a segment to an eased one.

    >>> ease(0.5, "ease-in-out"), ease(0.25, "linear")
    (0.5, 0.25)
    """
    if easing == "ease-in-out":
        return alpha * alpha * (3.0 - 2.0 * alpha)
    return alpha


GAIN_MIN_SHARE = 2e-4
"""Recent gains smaller than this share of the land are slivers, not ground taken."""


class Morph:
    """Interpolate a partition of ``land`` among ``sides`` through ``keyframes``.

    Parameters
    ----------
    keyframes : list of Keyframe
        In any order; territories may run over the sea (they are clipped to ``land``).
    land : shapely geometry
        The land to partition, in the same projected coordinates.
    sides : list of str
        Side ids in drawing order.
    max_cells : int
        Grid cells along the longer side of the land's bounding box.
    easing : str
        ``"linear"`` (calendar time) or ``"ease-in-out"`` within each segment.
    """

    def __init__(
        self,
        keyframes: list[Keyframe],
        land: BaseGeometry,
        sides: list[str],
        *,
        max_cells: int = 600,
        easing: str = "linear",
        cache_size: int = 6,
    ):
        if not keyframes:
            raise ValueError("at least one keyframe is needed")
        self.keyframes = sorted(keyframes, key=lambda k: k.day)
        self.land = land
        self.sides = [*sides, UNHELD]
        self.easing = easing
        self._days = np.array([k.day for k in self.keyframes])
        self._grid = _Grid(land, max_cells)
        self._exact: dict[int, dict[str, BaseGeometry]] = {}
        self._fields: OrderedDict[int, np.ndarray] = OrderedDict()
        self._present: dict[int, set[int]] = {}
        self._cache_size = cache_size
        self._recent: OrderedDict[tuple[int, float], tuple[dict, list]] = OrderedDict()
        self._recent_gains: OrderedDict[tuple[tuple[int, float], tuple[int, float]], dict] = (
            OrderedDict()
        )
        self._blends: OrderedDict[tuple[tuple[int, float], bool], KeyframeField] = OrderedDict()
        self._on_land: OrderedDict[int, np.ndarray] = OrderedDict()
        self.keyframe_store: KeyframeStore | None = None
        """Where the keyframes' fields come from: called with a keyframe's index and
        :meth:`keyframe_field`, it returns what that returns (say, computed once for
        several processes); ``None``: computed here."""
        self._min_gain = GAIN_MIN_SHARE * land.area

    # -- public ------------------------------------------------------------------------------

    def territories(self, day: float) -> dict[str, BaseGeometry]:
        """Each side's land at an instant (days since 0001-01-01), as a partition of the land.

        Sides holding nothing are left out; land no side holds is under ``"_unheld"``.
        """
        i, alpha = self._locate(day)
        if alpha == 0.0:
            return self.exact(i)
        if alpha == 1.0:
            return self.exact(i + 1)
        fields = (1.0 - alpha) * self._field(i) + alpha * self._field(i + 1)
        present = [
            k for k, s in enumerate(self.sides) if s in self.exact(i) or s in self.exact(i + 1)
        ]
        return self._partition(fields, present)

    def state(self, day: float) -> tuple[int, float]:
        """Where ``day`` stands: (segment index, eased fraction in it). Two instants with the
        same state have the same territories (a hold before a ``cut``, past the ends, or
        anywhere between keyframes that draw the same territories: a front that stood still,
        given as the first of those keyframes, ``(index, 0.0)``)."""
        i, alpha = self._locate(day)
        if alpha == 1.0:
            i, alpha = i + 1, 0.0
        if alpha == 0.0 or self._first_alike[i] == self._first_alike[i + 1]:
            return self._first_alike[i], 0.0
        return i, alpha

    @cached_property
    def _first_alike(self) -> list[int]:
        """For each keyframe, the first of the run of keyframes before it (itself included)
        whose territories are the same, vertex for vertex."""
        first = [0]
        for k in range(1, len(self.keyframes)):
            same = _same_territories(self.keyframes[k - 1], self.keyframes[k])
            first.append(first[-1] if same else k)
        return first

    @property
    def grid(self) -> _Grid:
        """The raster the fields are computed on (``x``, ``y``: cell centres; ``cell``)."""
        return self._grid

    @cached_property
    def land_tiles(self) -> LandTiles:
        """The land cut into tiles, for cutting many lines by the coast cheaply."""
        return LandTiles(self.land)

    def field(self, index: int) -> np.ndarray:
        """Keyframe ``index``'s signed distance fields, one per side of :attr:`sides`."""
        return self._field(index)

    def territories_quick(self, day: float) -> dict[str, BaseGeometry]:
        """:meth:`territories` from :meth:`regions` cut by the land once per side: the same
        partition to rounding, about twice as cheap (no cutting-out of one side after the
        other), for series of many instants. A keyframe's date gives the keyframe."""
        i, alpha = self.state(day)
        if alpha == 0.0:
            return self.exact(i)
        regions = self.regions(day)
        pieces = {s: _polygonal(shapely.intersection(self.land, r)) for s, r in regions.items()}
        return {s: piece for s, piece in pieces.items() if not piece.is_empty}

    def regions(self, day: float) -> dict[str, BaseGeometry]:
        """Each side's area at an instant from the grid alone, not clipped to the coast.

        Cheap (no overlay with the coastline): for drawing under a mask of the sea.
        The areas are disjoint; they run out over the sea and beyond the land.
        """
        return dict(self._outlines(day)[0])

    def boundaries(self, day: float) -> list[tuple[list[np.ndarray], str, str]]:
        """Boundary lines between pairs of sides from the grid, running over the sea too.

        Each item is (list of vertex arrays, side a, side b); ``_unheld`` has none.
        """
        return list(self._outlines(day)[1])

    def owners(self, day: float) -> np.ndarray:
        """The index (in :attr:`sides`) of the side holding each land cell of :attr:`grid`
        at an instant, as :meth:`regions` draws it: one per true cell of ``grid.land_mask``,
        in its order. A few milliseconds: the fields are blended on the land cells only."""
        fields, present = self._blend(day, land_only=True)
        # The side nearest to winning, one comparison a side (faster than argmin on axis 0).
        best, owners = fields[present[0]], np.full(fields.shape[1], present[0], dtype=np.int16)
        for k in present[1:]:
            closer = fields[k] < best
            best = np.where(closer, fields[k], best)
            owners[closer] = k
        return owners

    @cached_property
    def _land_cells(self) -> np.ndarray:
        return np.flatnonzero(self._grid.land_mask)

    def gains(self, day: float, since: float) -> dict[str, BaseGeometry]:
        """The land each side holds at ``day`` that another side held at ``since``, from
        the grid like :meth:`regions` (running over the sea, for drawing under a mask).

        One contouring per side whose ground grew; nothing while the front is still.
        Pieces smaller than ``GAIN_MIN_SHARE`` of the land (slivers where a line only
        wavers) are left out.
        """
        key = (self.state(day), self.state(since))
        if key[0] == key[1]:
            return {}  # the same territories: nothing taken
        if key not in self._recent_gains:
            now, present_now = self._blend(day)
            then, present_then = self._blend(since)
            present = sorted(set(present_now) | set(present_then))
            gains = {}
            for k in present:
                if self.sides[k] == UNHELD:
                    continue
                # Negative where side k wins now and did not then.
                field = np.maximum(_margin(now, k, present), -_margin(then, k, present))
                if (field < 0).any():
                    region = _without_slivers(self._grid.region(field), self._min_gain)
                    if not region.is_empty:
                        gains[self.sides[k]] = region
            self._recent_gains[key] = gains
            if len(self._recent_gains) > 8:  # a frame of a video asks for a few windows
                self._recent_gains.popitem(last=False)
        return dict(self._recent_gains[key])

    def _outlines(self, day: float) -> tuple[dict, list]:
        """Regions and boundaries at an instant, kept for the last few states: a video
        holds its date still for many frames while a caption is read, and a front that
        stands still between keyframes is one state (the same objects, drawn once)."""
        key = self.state(day)
        if key not in self._recent:
            fields, present = self._blend(day)
            if len(present) == 1:  # one side holds all the land: no line, nothing to contour
                self._recent[key] = ({self.sides[present[0]]: self._grid.box}, [])
            elif len(present) == 2:
                self._recent[key] = self._two_sides(fields, *present)
            else:
                self._recent[key] = (
                    _regions_of(self._grid, self.sides, fields, present),
                    _boundaries_of(self._grid, self.sides, fields, present),
                )
            if len(self._recent) > 4:
                self._recent.popitem(last=False)
        return self._recent[key]

    def _two_sides(self, fields: np.ndarray, a: int, b: int) -> tuple[dict, list]:
        """Two sides share the land: one contouring of their difference gives both areas
        (either sign) and the line between them."""
        contours = self._grid.contours(fields[a] - fields[b])
        regions = {
            self.sides[k]: region
            for k, region in ((a, contours.below_zero()), (b, contours.above_zero()))
            if not region.is_empty
        }
        lines = contours.zero_lines() if UNHELD not in (self.sides[a], self.sides[b]) else []
        return regions, [(lines, self.sides[a], self.sides[b])] if lines else []

    def _blend(self, day: float, land_only: bool = False) -> tuple[np.ndarray, list[int]]:
        """The blended fields at an instant and the indices of the sides present around it;
        ``land_only``: at the land cells only (flat, in the order of ``grid.land_mask``).
        The last few are kept: a frame's areas and its recent gains blend the same instant.
        Callers must not write into the fields."""
        key = (self.state(day), land_only)
        if key not in self._blends:
            self._blends[key] = self._blend_now(*key)
            if len(self._blends) > 4:
                self._blends.popitem(last=False)
        return self._blends[key]

    def _blend_now(self, state: tuple[int, float], land_only: bool) -> tuple[np.ndarray, list[int]]:
        i, alpha = state
        j = min(i + 1, len(self.keyframes) - 1)

        def at(index: int) -> np.ndarray:
            if not land_only:
                return self._field(index)
            if index not in self._on_land:  # kept: the gather costs more than the blend
                field = self._field(index)
                self._on_land[index] = field.reshape(len(field), -1)[:, self._land_cells]
                if len(self._on_land) > self._cache_size:
                    self._on_land.popitem(last=False)
            return self._on_land[index]

        fields = at(i) if alpha == 0.0 else (1.0 - alpha) * at(i) + alpha * at(j)
        present = sorted(self._present[i] | (self._present[j] if alpha > 0 else set()))
        return fields, present

    def fronts(self, day: float) -> list[tuple[BaseGeometry, str, str]]:
        """Front lines at an instant: (lines, side a, side b) for each pair of sides that touch."""
        return fronts_of(self.territories(day))

    def exact(self, index: int) -> dict[str, BaseGeometry]:
        """Keyframe ``index`` clipped to the land, with the land it leaves under ``_unheld``."""
        if index not in self._exact:
            self._exact[index] = _clip_partition(self.keyframes[index].territories, self.land)
        return self._exact[index]

    # -- internals -----------------------------------------------------------------------------

    def _locate(self, day: float) -> tuple[int, float]:
        """Segment index and eased fraction of ``day`` (clamped to the keyframes' span)."""
        days = self._days
        if len(days) == 1 or day <= days[0]:
            return 0, 0.0
        if day >= days[-1]:
            return len(days) - 2, 1.0
        i = int(np.searchsorted(days, day, side="right") - 1)
        if self.keyframes[i + 1].transition == "cut":
            return i, 0.0
        alpha = (day - days[i]) / (days[i + 1] - days[i])
        return i, ease(float(alpha), self.easing)

    def _field(self, index: int) -> np.ndarray:
        if index in self._fields:
            self._fields.move_to_end(index)
            return self._fields[index]
        made = self.keyframe_store or _made_here
        field, self._present[index] = made(index, self.keyframe_field)
        self._fields[index] = field
        if len(self._fields) > self._cache_size:
            self._fields.popitem(last=False)
        return field

    def keyframe_field(self, index: int) -> KeyframeField:
        """Keyframe ``index``'s signed distance fields (float32, one per side of
        :attr:`sides`, on :attr:`grid`) and the indices of the sides holding land in it,
        computed (a tenth of a second: see :attr:`keyframe_store`)."""
        return self._grid.keyframe_fields(self.keyframes[index].territories, self.sides)

    def _partition(self, fields: np.ndarray, present: list[int]) -> dict[str, BaseGeometry]:
        remaining = self.land
        result: dict[str, BaseGeometry] = {}
        for n, k in enumerate(present):
            if n == len(present) - 1:
                piece = remaining
            else:
                others = np.min(np.delete(fields[present], n, axis=0), axis=0)
                region = self._grid.region(fields[k] - others)
                piece = shapely.intersection(remaining, region)
                remaining = shapely.difference(remaining, piece)
            piece = _polygonal(piece)
            if not piece.is_empty:
                result[self.sides[k]] = piece
        return result


class _Grid:
    """A raster over the land's bounds, in projected coordinates."""

    def __init__(self, land: BaseGeometry, max_cells: int):
        w, s, e, n = land.bounds
        self.cell = max(e - w, n - s) / max_cells
        pad = 3 * self.cell
        self.x = np.arange(w - pad, e + pad + self.cell, self.cell)
        self.y = np.arange(s - pad, n + pad + self.cell, self.cell)
        self._xx, self._yy = np.meshgrid(self.x, self.y)
        shapely.prepare(land)
        self.land_mask = shapely.contains_xy(land, self._xx, self._yy)
        self._big = float(len(self.x) + len(self.y)) * self.cell
        self.box = shapely.box(self.x[0], self.y[0], self.x[-1], self.y[-1])

    def keyframe_fields(self, drawn: dict[str, BaseGeometry], sides: list[str]) -> KeyframeField:
        """The signed distance fields of the territories ``drawn``, one per side of ``sides``,
        and the indices of the sides holding land in them."""
        # Cell centres in the drawn (unclipped) territories, on land: the same as the
        # clipped snapshot at every cell, without the cost of an overlay with the coast.
        labels = self.labels(drawn, sides)
        field = self.signed_distances(labels, len(sides))
        present = {int(k) for k in np.unique(labels) if k >= 0}
        for k, side in enumerate(sides):
            if side in drawn and k in present:
                others = [g for s, g in drawn.items() if s != side]
                self.refine_near_boundary(field[k], drawn[side], others)
        return field, present

    def labels(self, partition: dict[str, BaseGeometry], sides: list[str]) -> np.ndarray:
        """Index of the side holding each land cell; -1 on the sea."""
        labels = np.full(self.land_mask.shape, -1, dtype=np.int16)
        labels[self.land_mask] = sides.index(UNHELD)
        unheld = sides.index(UNHELD)
        for k, side in enumerate(sides):
            geom = partition.get(side)
            if geom is None or side == UNHELD:
                continue
            shapely.prepare(geom)
            # The first side listed wins where two overlap, as in the clipped snapshot.
            free = labels == unheld
            inside = shapely.contains_xy(geom, self._xx[free], self._yy[free])
            labels.flat[np.flatnonzero(free)[inside]] = k
        return labels

    def signed_distances(self, labels: np.ndarray, n_sides: int) -> np.ndarray:
        """phi[k] = distance to side k's cells minus distance to the other sides' land cells."""
        fields = np.full((n_sides, *labels.shape), self._big, dtype=np.float32)
        on_land = labels >= 0
        held = [k for k in range(n_sides) if (labels == k).any()]
        for k in held:
            mine = labels == k
            if len(held) == 2 and k == held[1]:
                # Two sides share all the land: each field is the other's negative.
                fields[k] = -fields[held[0]]
                continue
            others = on_land & ~mine
            to_mine = ndimage.distance_transform_edt(~mine) * self.cell
            to_others = (
                ndimage.distance_transform_edt(~others) * self.cell
                if others.any()
                else np.full(labels.shape, self._big)
            )
            # Half a cell either way puts the zero level on the cell edges.
            fields[k] = to_mine - to_others + np.where(mine, 0.5, -0.5) * self.cell
        return fields

    def refine_near_boundary(
        self, field: np.ndarray, mine: BaseGeometry, others: list[BaseGeometry]
    ) -> None:
        """Replace the raster distances near a side's edge by exact distances to it.

        The raster puts the edge on cell boundaries (up to half a cell off); exact
        distances to the drawn edge, where it meets another side's drawn area,
        make the zero level follow the snapshot to a small fraction of a cell.
        """
        if not others:
            return
        # Simplified first: a buffer of a ragged line of many vertices takes seconds.
        rough = shapely.union_all(others).simplify(0.1 * self.cell)
        edge = shapely.intersection(mine.boundary, rough.buffer(0.35 * self.cell))
        if edge.is_empty:
            return
        band = np.abs(field) < 3 * self.cell
        xs, ys = self._xx[band], self._yy[band]
        dist = _distances(edge, xs, ys)
        close = dist < 2 * self.cell
        shapely.prepare(mine)
        sign = np.where(shapely.contains_xy(mine, xs[close], ys[close]), -1.0, 1.0)
        values = field[band]
        values[close] = sign * dist[close]
        field[band] = values

    def zero_lines(
        self, values: np.ndarray, mine: np.ndarray, others: np.ndarray | None
    ) -> list[np.ndarray]:
        """Lines where ``values`` is zero, except where a third side (``others``) wins."""
        if others is not None:
            values = np.ma.masked_where(others < mine, values)
        return self.contours(values).zero_lines()

    def region(self, values: np.ndarray) -> BaseGeometry:
        """The polygons where ``values < 0``, with sub-cell boundaries: contoured in the box
        round the negative cells only (a recent gain is a small part of the grid), with a
        margin of cells all at or above zero, so the polygons are the whole grid's."""
        rows, cols = (
            np.flatnonzero((values < 0).any(axis=1)),
            np.flatnonzero((values < 0).any(axis=0)),
        )
        if not len(rows):
            return _EMPTY
        r0, c0 = max(rows[0] - 2, 0), max(cols[0] - 2, 0)
        box = slice(r0, rows[-1] + 3), slice(c0, cols[-1] + 3)
        return _Contours(self._xx[box], self._yy[box], values[box]).below_zero()

    def contours(self, values: np.ndarray) -> _Contours:
        return _Contours(self._xx, self._yy, values)


class _Contours:
    """The areas either side of zero of one field, and its zero lines, from one contouring."""

    def __init__(self, x: np.ndarray, y: np.ndarray, values: np.ndarray):
        self._low, self._high = float(values.min()), float(values.max())
        # 2-D coordinates: contourpy would otherwise broadcast 1-D ones on every call.
        self._gen = contourpy.contour_generator(
            x, y, values, line_type="Separate", fill_type="OuterOffset"
        )

    def below_zero(self) -> BaseGeometry:
        if not self._low < 0.0:
            return _EMPTY  # the side holds nothing here (it vanishes in this segment)
        return self._polygons(self._low - 1.0, 0.0)

    def above_zero(self) -> BaseGeometry:
        if not self._high > 0.0:
            return _EMPTY
        return self._polygons(0.0, self._high + 1.0)

    def zero_lines(self) -> list[np.ndarray]:
        return [line for line in self._gen.lines(0.0) if len(line) >= 2]

    def _polygons(self, low: float, high: float) -> BaseGeometry:
        points, offsets = self._gen.filled(low, high)
        polys = []
        for pts, offs in zip(points, offsets, strict=True):
            rings = [r for r in (pts[a:b] for a, b in pairwise(offs)) if len(r) >= 4]
            if not rings:
                continue
            poly = Polygon(rings[0], rings[1:])
            # Rings pinched at a saddle of the field come out invalid; repair them alone.
            polys.extend(
                shapely.get_parts(_polygonal(shapely.make_valid(poly)))
                if not poly.is_valid
                else [poly]
            )
        if not polys:
            return _EMPTY
        geom = MultiPolygon(polys)
        return geom if geom.is_valid else shapely.union_all(polys)


def _distances(lines: BaseGeometry, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Exact distances from points to ``lines``, through an index of their segments (a
    plain distance to a line costs its every vertex, for each point)."""
    parts = shapely.get_parts(shapely.get_parts(lines))  # a collection may hold multi-parts
    xy, part = shapely.get_coordinates(parts, return_index=True)
    same = part[1:] == part[:-1]
    segments = shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], axis=1))
    points = parts[shapely.get_type_id(parts) == 0]
    tree = shapely.STRtree(np.concatenate([segments, points]))
    (which, _), nearest = tree.query_nearest(
        shapely.points(xs, ys), return_distance=True, all_matches=False
    )
    dist = np.full(len(xs), np.inf)
    dist[which] = nearest
    return dist


def _regions_of(
    grid: _Grid, sides: list[str], fields: np.ndarray, present: list[int]
) -> dict[str, BaseGeometry]:
    result = {}
    for n, k in enumerate(present):
        others = np.min(np.delete(fields[present], n, axis=0), axis=0)
        region = grid.region(fields[k] - others)
        if not region.is_empty:
            result[sides[k]] = region
    return result


def _boundaries_of(
    grid: _Grid, sides: list[str], fields: np.ndarray, present: list[int]
) -> list[tuple[list[np.ndarray], str, str]]:
    unheld = sides.index(UNHELD)
    real = [k for k in present if k != unheld]
    result = []
    for n, a in enumerate(real):
        for b in real[n + 1 :]:
            rest = [k for k in present if k not in (a, b)]
            lines = grid.zero_lines(
                fields[a] - fields[b],
                np.minimum(fields[a], fields[b]),
                np.min(fields[rest], axis=0) if rest else None,
            )
            if lines:
                result.append((lines, sides[a], sides[b]))
    return result


def _same_territories(a: Keyframe, b: Keyframe) -> bool:
    return a.territories.keys() == b.territories.keys() and all(
        shapely.to_wkb(g) == shapely.to_wkb(b.territories[side])
        for side, g in a.territories.items()
    )


def _made_here(index: int, make: Callable[[int], KeyframeField]) -> KeyframeField:
    return make(index)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Drop the points and lines an overlay can leave behind."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else _EMPTY


def _clip_partition(
    territories: dict[str, BaseGeometry], land: BaseGeometry
) -> dict[str, BaseGeometry]:
    result, remaining = {}, land
    for side, geom in territories.items():
        piece = _polygonal(shapely.intersection(remaining, geom))
        remaining = shapely.difference(remaining, piece)
        if not piece.is_empty:
            result[side] = piece
    remaining = _polygonal(remaining)
    if remaining.area > 1e-6 * max(land.area, 1e-12):
        result[UNHELD] = remaining
    return result


def _without_slivers(region: BaseGeometry, min_area: float) -> BaseGeometry:
    parts = shapely.get_parts(region)
    return shapely.union_all(parts[shapely.area(parts) >= min_area])


def _margin(fields: np.ndarray, k: int, present: list[int]) -> np.ndarray:
    """How far side ``k`` is from winning each cell: negative where it holds it."""
    others = [j for j in present if j != k]
    if not others:
        return fields[k] - np.inf
    return fields[k] - np.min(fields[others], axis=0)


def fronts_of(partition: dict[str, BaseGeometry]) -> list[tuple[BaseGeometry, str, str]]:
    """The shared boundaries of each pair of sides (land no side holds has none)."""
    sides = [s for s in partition if s != UNHELD]
    if not sides:
        return []
    w, s, e, n = shapely.union_all([partition[k] for k in sides]).bounds
    # Overlays leave shared edges a hair apart: take a's edge where it touches b.
    tol = 1e-6 * max(e - w, n - s)
    result = []
    for i, a in enumerate(sides):
        for b in sides[i + 1 :]:
            shared = shapely.intersection(partition[a].boundary, partition[b].buffer(tol))
            lines = [
                g
                for g in shapely.get_parts(shapely.line_merge(shared))
                if g.geom_type == "LineString" and g.length > 10 * tol
            ]
            if lines:
                result.append((shapely.line_merge(shapely.union_all(lines)), a, b))
    return result
