"""The sides' areas, the demilitarized zones and the front lines: they move every frame."""

from __future__ import annotations

import operator

import matplotlib as mpl
import numpy as np
import shapely
from matplotlib.collections import LineCollection, PathCollection
from shapely.geometry.base import BaseGeometry

from ...scene import Scene
from ..geometry import polygon_path
from .base import Band, Depends, Layer

FRONT_WIDTH, HALO_WIDTH = 2.4, 5.0
"""The front line and its white halo, in points (at 1280x720)."""
POCKET_PX = 40.0
"""A closed front (a pocket) smaller on screen than a square of this many points a side is
drawn thinner and its area fainter, in proportion to its area: a vanishing pocket fades
away instead of shrinking into a thickly outlined blob."""
FILL_PX = 10.0
"""A pocket's area keeps its side's full colour down to a square of this many points a side
(so the Chosin pockets read as the UN's in a close view), then fades with its area."""
LEAST = 0.15
"""The least weight a pocket's line and fill keep (a fraction of the full ones)."""
ZONE_PX = 8.0
"""A demilitarized zone narrower on screen than this many pixels (whatever the frame's size)
is widened to it, so it reads beside the front line and its halo in a small frame."""
ZONE_LINE_PX = 0.8
"""The least width, in pixels, of a zone's outline and hatching."""


def zone_width(zone) -> float:
    """The mean width of a long strip (a zone; its largest part): twice its area over its
    perimeter.

    >>> zone_width(shapely.union(shapely.box(0, 0, 100, 4), shapely.box(0, 10, 1, 11)))
    3.846...
    """
    parts = shapely.get_parts(zone)
    if not len(parts):
        return 0.0
    part = parts[np.argmax(shapely.area(parts))]
    return 2 * part.area / part.length if part.length else 0.0


def widened(zone, metres_per_px: float, least_px: float = ZONE_PX):
    """A zone as drawn: grown to ``least_px`` pixels wide where it is narrower on screen.

    >>> round(zone_width(widened(shapely.box(0, 0, 1000, 4), 1.0, 8.0)), 1)
    8.0
    """
    # Growing a jagged strip widens it by less than twice the distance: grown again once.
    for _ in range(2):
        short = least_px - zone_width(zone) / metres_per_px
        if short <= 0.05:
            break
        zone = zone.buffer(short / 2 * metres_per_px, quad_segs=2, join_style="mitre")
    return zone


def pocket_weight(ring: np.ndarray, metres_per_px: float, small_px2: float) -> float:
    """How much of the full line width (and fill) a front line gets: 1 for an open line or a
    large ring, less for a small ring, by its area on screen.

    >>> square = np.array([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], float)
    >>> pocket_weight(square, 1.0, 400.0), pocket_weight(square[:-1], 1.0, 400.0)
    (0.25, 1.0)
    """
    if len(ring) < 4 or not np.allclose(ring[0], ring[-1]):
        return 1.0
    x, y = ring[:, 0], ring[:, 1]
    area = abs(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) / 2 / metres_per_px**2
    return float(np.clip(area / small_px2, LEAST, 1.0))


class Areas(Layer):
    """Territories, their recent gains, zones and fronts; a held date keeps the ones set."""

    depends, band = Depends.INSTANT, Band.AREAS

    def build(self) -> None:
        ctx, t, ax = self.ctx, self.ctx.theme, self.ctx.map_ax
        self._territories = PathCollection([], zorder=2, edgecolor="none")
        ax.add_collection(self._territories)
        # Recent gains: the side's tint made lighter by white laid over it.
        self._gains = PathCollection(
            [], zorder=2.1, edgecolor="none", facecolor=(1, 1, 1, t.gain_tint)
        )
        ax.add_collection(self._gains)
        self._zones = PathCollection(
            [],
            zorder=2.2,
            facecolor=(1, 1, 1, 0.55),
            edgecolor=t.muted,
            hatch="////",
            linewidth=max(ctx.pt(0.5), ZONE_LINE_PX * 72 / ctx.figure.dpi),
        )
        self._zones.set_hatch_linewidth(max(ctx.scale, ZONE_LINE_PX * 72 / ctx.figure.dpi))
        ax.add_collection(self._zones)
        # The halo is a collection of its own (not a path effect) so each line's halo can
        # be as thin as the line.
        self._halos = LineCollection(
            [], colors=[(1, 1, 1, 0.8)], zorder=2.49, capstyle="round", joinstyle="round"
        )
        self._fronts = LineCollection(
            [], colors=t.front, zorder=2.5, capstyle="round", joinstyle="round"
        )
        ax.add_collection(self._halos)
        ax.add_collection(self._fronts)
        self._key: tuple | None = None

    def update(self, scene: Scene) -> bool:
        """Territories, fronts and zones, unless they are the ones already set (a held date)."""
        # The geometries themselves are kept in the key, so their ids cannot be reused. The
        # morph gives the same objects for every day a front stands still: drawn once.
        steps = [g for step in scene.gain_steps for g in step.values()]
        key = (*scene.regions.values(), *scene.zones, *scene.gains.values(), *steps)
        last = self._key
        if last is not None and len(key) == len(last) and all(map(operator.is_, key, last)):
            return False
        self._set_territories(scene)
        self._set_fronts(scene)
        mpp = self.ctx.view.metres_per_px
        self._zones.set_paths([polygon_path(widened(z, mpp)) for z in scene.zones])
        self._set_gains(scene, steps)
        self._key = key
        return True

    def _set_gains(self, scene: Scene, steps: list[BaseGeometry]) -> None:
        """The gains under white at the theme's ``gain_tint``; in a video, the newer steps
        laid over them, each layer's white such that the newest ground (under them all) is
        at ``gain_tint`` and the oldest at a share of it."""
        layers = 1 + len(scene.gain_steps)
        alpha = 1 - (1 - self.ctx.theme.gain_tint) ** (1 / layers)
        self._gains.set_paths([polygon_path(g) for g in [*scene.gains.values(), *steps]])
        self._gains.set_facecolor((1, 1, 1, alpha))

    def _small_px2(self, side_pt: float = POCKET_PX) -> float:
        return self.ctx.pt(side_pt) ** 2

    def _set_territories(self, scene: Scene) -> None:
        """Each side's area, one path a part: the smallest parts (vanishing pockets) fainter."""
        spec, t, mpp = self.ctx.world.data.spec, self.ctx.theme, self.ctx.view.metres_per_px
        paths, colours = [], []
        for side in (s for s in spec.sides if s.id in scene.regions):
            parts = shapely.get_parts(scene.regions[side.id])
            weights = np.clip(shapely.area(parts) / mpp**2 / self._small_px2(FILL_PX), LEAST, 1.0)
            big = parts[weights >= 1.0]
            if len(big):
                paths.append(polygon_path(shapely.MultiPolygon(list(big))))
                colours.append(mpl.colors.to_rgba(side.colour, t.territory_alpha))
            for part, weight in zip(parts[weights < 1.0], weights[weights < 1.0], strict=True):
                paths.append(polygon_path(part))
                colours.append(mpl.colors.to_rgba(side.colour, t.territory_alpha * weight))
        self._territories.set_paths(paths)
        self._territories.set_facecolor(colours)

    def _set_fronts(self, scene: Scene) -> None:
        """The front lines and their halos, a pocket's thinner as it is smaller."""
        ctx = self.ctx
        lines = [line for lines, _, _ in scene.boundaries for line in lines]
        small, mpp = self._small_px2(), ctx.view.metres_per_px
        weights = np.array([pocket_weight(line, mpp, small) for line in lines])
        self._fronts.set_segments(lines)
        self._fronts.set_linewidths(ctx.pt(FRONT_WIDTH) * weights if lines else ctx.pt(FRONT_WIDTH))
        self._fronts.set_alpha(None)
        self._halos.set_segments(lines)
        self._halos.set_linewidths(ctx.pt(HALO_WIDTH) * weights if lines else ctx.pt(HALO_WIDTH))

    def forget(self) -> None:
        """Set the areas again on the next update, even for the same date (a new view)."""
        self._key = None

    def draw(self, renderer) -> None:
        with self.ctx.hatching():
            super().draw(renderer)
