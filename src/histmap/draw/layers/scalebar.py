"""The scale bar: a round number of kilometres, about a fifth of the map's width."""

from __future__ import annotations

from .base import Band, Depends, Layer

ROUND_KM = (10, 20, 50, 100, 200, 300, 500, 1000, 2000)


def round_length_km(width_m: float) -> int:
    """The longest round length no longer than a fifth of ``width_m`` (at least 10 km).

    >>> round_length_km(1_664_000), round_length_km(20_000)
    (300, 10)
    """
    target_km = width_m / 1000 / 5
    return max(v for v in ROUND_KM if v <= max(target_km, 10))


class ScaleBar(Layer):
    depends, band = Depends.VIEW, Band.OVER_SYMBOLS

    def build(self) -> None:
        ctx = self.ctx
        ax = ctx.map_ax
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        km = round_length_km(x1 - x0)
        bx, by = x0 + 0.03 * (x1 - x0), y0 + 0.035 * (y1 - y0)
        style = {"color": ctx.theme.text, "zorder": 9, "solid_capstyle": "butt"}
        ax.plot([bx, bx + km * 1000], [by, by], linewidth=ctx.pt(3), **style)
        ax.plot([bx, bx + km * 500], [by, by], linewidth=ctx.pt(1.6), color="white", zorder=9.1)
        label = ax.text(
            bx,
            by + 0.012 * (y1 - y0),
            f"{km} km",
            fontsize=ctx.pt(8),
            color=ctx.theme.text,
            zorder=9,
            path_effects=ctx.halo(),
        )
        ctx.placed.append(label.get_window_extent(ctx.renderer()))
