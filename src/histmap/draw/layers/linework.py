"""Lines over the areas: lakes, rivers, coasts, borders and the reference parallels."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.collections import LineCollection

from ..geometry import line_segments, polygon_path
from .base import Band, Depends, Layer

REFERENCE_DASH = (0, (6, 4))


class Linework(Layer):
    """Lakes, rivers, coasts and borders, drawn once a view over the masks."""

    depends, band = Depends.VIEW, Band.OVER_AREAS

    def build(self) -> None:
        ctx, t, base = self.ctx, self.ctx.theme, self.ctx.ground
        ax = ctx.map_ax
        ax.add_artist(
            mpl.patches.PathPatch(
                polygon_path(base.lakes),
                facecolor=t.sea,
                edgecolor=t.coast,
                linewidth=ctx.pt(0.4),
                zorder=3.1,
            )
        )
        ax.add_collection(
            LineCollection(
                line_segments(base.rivers), colors=t.river, linewidths=ctx.pt(0.7), zorder=3.1
            )
        )
        ax.add_collection(
            LineCollection(
                line_segments(base.land.boundary), colors=t.coast, linewidths=ctx.pt(0.6), zorder=4
            )
        )
        ax.add_collection(
            LineCollection(
                line_segments(base.borders),
                colors=t.border,
                linewidths=ctx.pt(1.0),
                linestyles=(0, (4, 2)),
                zorder=4,
            )
        )


def parallel_xy(ctx, latitude: float) -> tuple[np.ndarray, np.ndarray]:
    """A parallel across the view and a margin round it (which may reach beyond the map's
    extent), as projected x and y."""
    view, m = ctx.view, 0.05 * (ctx.view.x1 - ctx.view.x0)
    xs = np.linspace(view.x0 - m, view.x1 + m, 9)
    corners = ctx.world.projector.inverse_points(
        np.r_[xs, xs], np.r_[np.full(9, view.y0), np.full(9, view.y1)]
    )[0]
    lon = np.linspace(float(np.nanmin(corners)), float(np.nanmax(corners)), 200)
    return ctx.world.projector.points(lon, np.full_like(lon, latitude))


class ReferenceLines(Layer):
    """Parallels drawn as dashed lines (the 38th parallel); their labels are placed with the
    other labels (:class:`~.places.Places`), so they show while the view moves too."""

    depends, band = Depends.VIEW, Band.OVER_AREAS

    def build(self) -> None:
        ctx = self.ctx
        for ref in ctx.world.data.spec.reference_lines:
            ctx.map_ax.plot(
                *parallel_xy(ctx, ref.latitude),
                color=ctx.theme.muted,
                linewidth=ctx.pt(1.1),
                linestyle=REFERENCE_DASH,
                zorder=5,
            )
