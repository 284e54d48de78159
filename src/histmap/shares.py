"""Each side's share of the land at any instant, measured on an equal-area projection.

A map is drawn in a conformal projection, which swells areas away from its centre; the
shares are measured on a Lambert azimuthal equal-area projection centred on the map
(:func:`~histmap.crs.equal_area_projection`). On a snapshot's date they are its exact
areas (its territories cut by the land). Between snapshots they come from the morph's
grid, each land cell weighed by its true area, plus the grid's error at the two
snapshots blended as the fields are: continuous, exact at both ends, and a few
milliseconds a frame (no overlay with the coast).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np

from .crs import true_areas, true_cell_areas
from .interpolate import Morph
from .model import UNHELD


class LandShares:
    """The shares of the land each side of ``morph`` holds, at any instant.

    Parameters
    ----------
    morph : Morph
        The map's morph engine, in ``projection``.
    projection : str
        The map's projection (PROJ string).
    extent : tuple of float
        The map's extent, ``(west, south, east, north)`` in degrees: the equal-area
        projection is centred on it.
    """

    def __init__(self, morph: Morph, projection: str, extent: tuple[float, float, float, float]):
        self.morph = morph
        self.sides = morph.sides
        self._projection, self._extent = projection, extent
        tiles = morph.land_tiles
        self._tile_areas = true_areas(tiles.pieces, projection, extent)
        self._land = float(self._tile_areas.sum())
        self._exact: dict[int, np.ndarray] = {}
        self._grid: dict[int, np.ndarray] = {}
        self._last: tuple[float, dict[str, float]] | None = None

    def at(self, day: float) -> dict[str, float]:
        """Each side's share of the land at ``day`` (and ``"_unheld"``'s); they sum to 1."""
        if self._last is not None and self._last[0] == day:
            return dict(self._last[1])
        i, alpha = self.morph.state(day)
        if alpha == 0.0:
            shares = self.exact(i)
        else:
            # The grid's error at each snapshot, blended as the fields are.
            error = (1 - alpha) * (self.exact(i) - self._grid_at(i)) + alpha * (
                self.exact(i + 1) - self._grid_at(i + 1)
            )
            shares = np.clip(self._on_grid(day) + error, 0.0, None)
            shares /= shares.sum()
        result = {side: float(share) for side, share in zip(self.sides, shares, strict=True)}
        self._last = (day, result)
        return dict(result)

    def exact(self, index: int) -> np.ndarray:
        """Keyframe ``index``'s shares, one per side of :attr:`sides`: its territories cut
        by the land, tile by tile, measured on the equal-area projection."""
        if index not in self._exact:
            drawn = self.morph.keyframes[index].territories
            shares = np.zeros(len(self.sides))
            for k, side in enumerate(self.sides):
                if side != UNHELD and side in drawn:
                    inside, cut = self.morph.land_tiles.split(drawn[side])
                    area = (
                        self._tile_areas[inside].sum()
                        + true_areas(cut, self._projection, self._extent).sum()
                    )
                    shares[k] = area / self._land
            # Land no side drew (and nothing below zero where two drawn sides overlap).
            shares[self.sides.index(UNHELD)] = max(0.0, 1.0 - shares.sum())
            self._exact[index] = shares / shares.sum()
        return self._exact[index]

    @cached_property
    def _weights(self) -> np.ndarray:
        """The true area of each land cell of the morph's grid, in the order of
        :meth:`Morph.owners` (measured once, when a share between snapshots is asked for:
        a still on a snapshot's date needs none)."""
        grid = self.morph.grid
        half = grid.cell / 2
        cells = true_cell_areas(
            np.append(grid.x - half, grid.x[-1] + half),
            np.append(grid.y - half, grid.y[-1] + half),
            self._projection,
            self._extent,
        )
        return cells[grid.land_mask]

    def _grid_at(self, index: int) -> np.ndarray:
        if index not in self._grid:
            self._grid[index] = self._on_grid(self.morph.keyframes[index].day)
        return self._grid[index]

    def _on_grid(self, day: float) -> np.ndarray:
        """The shares of the grid's land cells each side holds, weighed by their true area."""
        held = np.bincount(self.morph.owners(day), self._weights, minlength=len(self.sides))
        return held / held.sum()


def whole_percents(shares: Mapping[str, float]) -> dict[str, int]:
    """The shares as whole percents that add up to 100 (largest remainders rounded up).

    >>> whole_percents({"a": 0.335, "b": 0.335, "c": 0.33})
    {'a': 34, 'b': 33, 'c': 33}
    """
    scaled = {side: 100 * share for side, share in shares.items()}
    percents = {side: int(value) for side, value in scaled.items()}
    short = 100 - sum(percents.values())
    by_remainder = sorted(scaled, key=lambda s: scaled[s] - percents[s], reverse=True)
    for side in by_remainder[: max(short, 0)]:
        percents[side] += 1
    return percents
