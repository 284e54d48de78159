"""The ground: sea, land and relief under the areas, and the masks that keep areas on land."""

from __future__ import annotations

import matplotlib as mpl
import shapely

from ..geometry import polygon_path
from .base import Band, Depends, Layer


def relief_image(ctx, clip: mpl.patches.Patch, zorder: float):
    """Hillshade over the land, in the land colour, clipped to ``clip``; ``None`` if the
    theme has no relief."""
    if ctx.theme.relief <= 0:
        return None
    ax = ctx.map_ax
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    image = ax.imshow(
        ctx.relief_rgb(),
        extent=(x0, x1, y0, y1),
        origin="upper",
        zorder=zorder,
        interpolation="bilinear",
        aspect="auto",
    )
    image.set_clip_path(clip)
    # imshow sets the limits to the image's: put the view's back.
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return image


class Ground(Layer):
    """Sea, land and relief, under everything on the map."""

    depends, band = Depends.VIEW, Band.UNDER

    def build(self) -> None:
        ax, t = self.ctx.map_ax, self.ctx.theme
        ax.add_artist(
            mpl.patches.Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=t.sea, zorder=0)
        )
        land = mpl.patches.PathPatch(
            polygon_path(self.ctx.ground.land), facecolor=t.land, edgecolor="none", zorder=1
        )
        ax.add_artist(land)
        relief_image(self.ctx, land, 1.5)


class PanelGround(Layer):
    """The paper under the panel and the timeline."""

    depends, band = Depends.NEVER, Band.FRAME

    def build(self) -> None:
        for ax in (self.ctx.panel_ax, self.ctx.time_ax):
            ax.add_patch(
                mpl.patches.Rectangle((0, 0), 1, 1, facecolor=self.ctx.theme.panel, zorder=0)
            )


class Masks(Layer):
    """The sea, and the land no side may hold (other countries), over the moving areas:
    the areas run over both, and these cut them to the shared land."""

    depends, band = Depends.VIEW, Band.OVER_AREAS

    def build(self) -> None:
        ctx, t, ground = self.ctx, self.ctx.theme, self.ctx.ground
        sea_mask = shapely.difference(ctx.view.box, ground.land)
        foreign = ground.foreign
        # add_artist, not add_patch: the limits are fixed, and add_patch would walk
        # every vertex of the coast to update them.
        ctx.map_ax.add_artist(
            mpl.patches.PathPatch(
                polygon_path(sea_mask), facecolor=t.sea, edgecolor="none", zorder=3
            )
        )
        foreign_patch = mpl.patches.PathPatch(
            polygon_path(foreign), facecolor=t.land, edgecolor="none", zorder=3
        )
        ctx.map_ax.add_artist(foreign_patch)
        relief_image(ctx, foreign_patch, 3.05)
