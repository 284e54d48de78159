"""The sides' areas, the demilitarized zones and the front lines: they move every frame."""

from __future__ import annotations

import matplotlib as mpl
from matplotlib import patheffects
from matplotlib.collections import LineCollection, PathCollection

from ...scene import Scene
from ..geometry import polygon_path
from .base import Band, Depends, Layer


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
            linewidth=ctx.pt(0.5),
        )
        ax.add_collection(self._zones)
        halo = [
            patheffects.Stroke(linewidth=ctx.pt(5), foreground="white", alpha=0.8),
            patheffects.Normal(),
        ]
        self._fronts = LineCollection(
            [],
            colors=t.front,
            linewidths=ctx.pt(2.4),
            zorder=2.5,
            capstyle="round",
            joinstyle="round",
            path_effects=halo,
        )
        ax.add_collection(self._fronts)
        self._key: tuple | None = None

    def update(self, scene: Scene) -> bool:
        """Territories, fronts and zones, unless they are the ones already set (a held date)."""
        # The geometries themselves are kept in the key, so their ids cannot be reused.
        key = (scene.day, *scene.regions.values(), *scene.zones, *scene.gains.values())
        last = self._key
        if (
            last is not None
            and len(key) == len(last)
            and key[0] == last[0]
            and all(a is b for a, b in zip(key[1:], last[1:], strict=True))
        ):
            return False
        spec, t = self.ctx.world.data.spec, self.ctx.theme
        sides = [s for s in spec.sides if s.id in scene.regions]
        self._territories.set_paths([polygon_path(scene.regions[s.id]) for s in sides])
        self._territories.set_facecolor(
            [mpl.colors.to_rgba(s.colour, t.territory_alpha) for s in sides]
        )
        self._fronts.set_segments([line for lines, _, _ in scene.boundaries for line in lines])
        self._zones.set_paths([polygon_path(z) for z in scene.zones])
        self._gains.set_paths([polygon_path(g) for g in scene.gains.values()])
        self._key = key
        return True

    def forget(self) -> None:
        """Set the areas again on the next update, even for the same date (a new view)."""
        self._key = None

    def draw(self, renderer) -> None:
        with self.ctx.hatching():
            super().draw(renderer)
