"""Lines over the areas: lakes, rivers, coasts, borders and the reference parallels."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.collections import LineCollection

from ..geometry import line_segments, polygon_path
from ..text_fit import LITERAL
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


class ReferenceLines(Layer):
    """Parallels drawn as labelled dashed lines (the 38th parallel)."""

    depends, band = Depends.VIEW, Band.OVER_AREAS

    def build(self) -> None:
        ctx = self.ctx
        spec = ctx.world.data.spec
        # Across the view (plus a margin), which may reach beyond the map's extent.
        view, m = ctx.view, 0.05 * (ctx.view.x1 - ctx.view.x0)
        xs = np.linspace(view.x0 - m, view.x1 + m, 9)
        corners = ctx.world.projector.inverse_points(
            np.r_[xs, xs], np.r_[np.full(9, view.y0), np.full(9, view.y1)]
        )[0]
        w, e = float(np.nanmin(corners)), float(np.nanmax(corners))
        for ref in spec.reference_lines:
            lon = np.linspace(w, e, 200)
            x, y = ctx.world.projector.points(lon, np.full_like(lon, ref.latitude))
            ctx.map_ax.plot(
                x,
                y,
                color=ctx.theme.muted,
                linewidth=ctx.pt(1.1),
                linestyle=REFERENCE_DASH,
                zorder=5,
            )
            if not ctx.labels:
                continue
            xmin = ctx.map_ax.get_xlim()[0]
            label = ctx.map_ax.annotate(
                ref.label,
                (xmin, np.interp(xmin, x, y)),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=ctx.pt(9),
                color=ctx.theme.muted,
                style="italic",
                zorder=5,
                path_effects=ctx.halo(),
                **LITERAL,
            )
            ctx.placed.append(label.get_window_extent(ctx.renderer()))
