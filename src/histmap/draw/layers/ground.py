"""The ground: sea, land and relief under the areas, and the masks that keep areas on land."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib as mpl
import numpy as np
import shapely
from matplotlib.artist import allow_rasterization
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.image import AxesImage

from ..geometry import polygon_path
from .base import Band, Depends, Layer


def relief_image(ctx, clip: mpl.patches.Patch, zorder: float):
    """Hillshade over the land, in the land colour, clipped to ``clip``; ``None`` if the
    theme has no relief."""
    if ctx.theme.relief <= 0:
        return None
    ax = ctx.map_ax
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    image = ReliefImage(ax, ctx.relief_pixels, origin="upper", interpolation="bilinear")
    image.set_data(ctx.relief_rgb())
    image.set_extent((x0, x1, y0, y1))
    image.set_zorder(zorder)
    ax.add_image(image)
    image.set_clip_path(clip)
    # The image's extent set the limits to its own: put the view's back.
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return image


class ReliefImage(AxesImage):
    """The relief as an image: Agg draws it from pixels resized once for its size on the
    canvas (bilinear, as matplotlib draws it, which would resample the whole image in
    floating point at every draw: most of a moving view's raster); other renderers (SVG,
    PDF) draw it as any image."""

    def __init__(self, ax, pixels: Callable[[tuple[int, int]], np.ndarray], **kwargs):
        super().__init__(ax, **kwargs)
        self._pixels = pixels

    @allow_rasterization
    def draw(self, renderer) -> None:
        if not isinstance(renderer, RendererAgg) or not self.get_visible():
            super().draw(renderer)
            return
        x0, x1, y0, y1 = self.get_extent()
        (left, bottom), (right, top) = np.round(self.axes.transData.transform([(x0, y0), (x1, y1)]))
        width, height = int(right - left), int(top - bottom)
        if width > 0 and height > 0:
            gc = renderer.new_gc()
            self._set_gc_clip(gc)
            renderer.draw_image(gc, int(left), int(bottom), self._pixels((width, height)))
            gc.restore()
        self.stale = False


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
