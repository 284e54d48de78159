"""Names on the map: countries, seas and lakes, and cities with a dot, placed so none collide."""

from __future__ import annotations

import shapely

from ...model import Place
from ..text_fit import LITERAL
from .base import Band, Depends, Layer

CITY_LABEL_SIZE = {1: 10, 2: 8.5, 3: 7.5, 4: 7.5, 5: 7}
CITY_DOT_SIZE = {1: 7, 2: 5, 3: 3.5, 4: 3.5, 5: 3}
RANK_SCALE = ((3000.0, 2), (800.0, 3), (300.0, 4), (0.0, 5))
"""The lowest rank of city shown, by metres a pixel: a map shows more as it zooms in."""


def max_rank(metres_per_px: float) -> int:
    """The lowest rank of city a view at ``metres_per_px`` shows.

    >>> max_rank(3700), max_rank(1900), max_rank(500), max_rank(150)
    (2, 3, 4, 5)
    """
    return next(rank for above, rank in RANK_SCALE if metres_per_px > above)


class Places(Layer):
    """Labels placed greedily, most important first, each where it collides with nothing
    placed before it (left out otherwise); cities of lower rank as the view zooms in
    (:func:`max_rank`), their labels the same size on screen at every view."""

    depends, band = Depends.VIEW, Band.OVER_SYMBOLS

    def build(self) -> None:
        ctx = self.ctx
        self.boxes: list = []
        places = sorted(ctx.world.data.places, key=lambda p: p.rank)
        if not places:
            return
        x, y = ctx.world.projector.points(
            [p.geometry.x for p in places], [p.geometry.y for p in places]
        )
        lowest = max_rank(ctx.view.metres_per_px)
        view = ctx.view.box
        for x_, y_, place in zip(x, y, places, strict=True):
            if not view.contains(shapely.Point(x_, y_)):
                continue
            if place.kind == "country":
                self._country(x_, y_, place)
            elif place.kind in ("sea", "lake"):
                self._water(x_, y_, place)
            elif place.kind == "city" and place.rank <= lowest:
                self._city(x_, y_, place.name, place.rank)

    def _country(self, x: float, y: float, place: Place) -> None:
        ctx = self.ctx
        self._area_label(
            ctx.map_ax.text(
                x,
                y,
                place.name.upper(),
                fontsize=ctx.pt(11),
                color=ctx.theme.muted,
                ha="center",
                va="center",
                alpha=0.8,
                zorder=7,
                fontweight="bold",
                **LITERAL,
            )
        )

    def _water(self, x: float, y: float, place: Place) -> None:
        ctx = self.ctx
        self._area_label(
            ctx.map_ax.text(
                x,
                y,
                place.name,
                fontsize=ctx.pt(10 if place.kind == "sea" else 7.5),
                color="#4f7a99",
                ha="center",
                va="center",
                style="italic",
                zorder=7,
                path_effects=ctx.halo(2),
                **LITERAL,
            )
        )

    def _fits(self, box) -> bool:
        frame = self.ctx.map_ax.get_window_extent(self.ctx.renderer())
        inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
        return inside and not any(box.overlaps(other) for other in self.ctx.placed)

    def _area_label(self, text) -> None:
        """Keep a country, sea or lake label unless it collides with one placed before it."""
        box = text.get_window_extent(self.ctx.renderer())
        if self._fits(box):
            self.ctx.placed.append(box)
            self.boxes.append(box)
        else:
            text.remove()

    def _city(self, x: float, y: float, name: str, rank: int) -> None:
        """A city dot and a label in the first free position round it (the four corners,
        then the same further out), or no label at all (and then no dot either, except for a
        capital)."""
        ctx = self.ctx
        gap = ctx.pt(3)
        placed = False
        near = (
            (gap, gap, "left", "bottom"),
            (gap, -gap, "left", "top"),
            (-gap, gap, "right", "bottom"),
            (-gap, -gap, "right", "top"),
        )
        # Then a little further out: clear of a marker or a badge on the city.
        for dx, dy, ha, va in near + tuple((3 * dx, 3 * dy, ha, va) for dx, dy, ha, va in near):
            label = ctx.map_ax.annotate(
                name,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=ctx.pt(CITY_LABEL_SIZE[rank]),
                fontweight="bold" if rank == 1 else "normal",
                color=ctx.theme.text,
                zorder=8,
                path_effects=ctx.halo(),
                **LITERAL,
            )
            box = label.get_window_extent(ctx.renderer()).expanded(1.05, 1.1)
            if self._fits(box):
                ctx.placed.append(box)
                self.boxes.append(box)
                placed = True
                break
            label.remove()
        if not placed and rank > 1:
            return
        ctx.map_ax.plot(
            x,
            y,
            marker="s" if rank == 1 else "o",
            markersize=ctx.pt(CITY_DOT_SIZE[rank]),
            color=ctx.theme.text,
            markeredgecolor="white",
            markeredgewidth=ctx.pt(0.8),
            zorder=8,
        )
