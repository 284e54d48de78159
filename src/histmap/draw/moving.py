"""The map's static bands while the view moves: drawn once for a larger box, finer, and
resampled for each view, instead of drawn again for every frame.

A :class:`GroundRaster` holds the pixels of the ground (sea, land, relief) and of the band
over the areas (masks, lakes, rivers, coast, borders, reference lines) for a box larger
than the view it was made for, a little finer than that view. Views that stay inside the
box, at scales near its own, are cut from it and resized with antialiasing (Pillow); a view
outside that range makes a new raster. Line widths drift by at most :data:`DRIFT` while a
raster serves, and a held view is drawn exactly again.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PIL import Image

from ..layout import frame_layout
from ..scene import FittedView
from .context import DrawContext
from .layers.base import Band, Layer
from .layers.ground import Ground, Masks
from .layers.linework import Linework, ReferenceLines

FINER = 1.25
"""A raster's pixels are this many times finer than the view it is made for."""
WIDER = 1.6
"""A raster covers this many times the width and height of the view it is made for."""
DRIFT = 1.3
"""A raster serves views whose scale is within this factor of the one it was drawn for."""
LAYERS: tuple[type[Layer], ...] = (Ground, Masks, Linework, ReferenceLines)


class GroundRaster:
    """The ground and the band over the areas of a box round a view, as images."""

    def __init__(self, ctx: DrawContext, view: FittedView, map_px: tuple[float, float]):
        width, height = map_px
        cx, cy = (view.x0 + view.x1) / 2, (view.y0 + view.y1) / 2
        hw, hh = WIDER * (view.x1 - view.x0) / 2, WIDER * (view.y1 - view.y0) / 2
        size = (round(WIDER * FINER * width), round(WIDER * FINER * height))
        self.view = FittedView(cx - hw, cy - hh, cx + hw, cy + hh, size, float(size[0]))
        self.made_for = view.metres_per_px
        layout = replace(
            frame_layout(ctx.size),
            map=(0, 0, 1, 1),
            panel=(0, 0, 1e-3, 1e-3),
            timeline=(0, 0, 1e-3, 1e-3),
            scale=ctx.scale * FINER,
        )
        rctx = DrawContext(ctx.world, size, None, ctx.theme, layout=layout)
        rctx.labels = False
        rctx.set_view(self.view)
        layers = [layer(rctx) for layer in LAYERS]
        built: dict[Band, list] = {}
        for layer in layers:
            before = set(rctx.artists())
            layer.build()
            built.setdefault(layer.band, []).extend(a for a in rctx.artists() if a not in before)
        everything = rctx.artists()
        self.under = Image.fromarray(_draw_only(rctx, everything, built[Band.UNDER])[:, :, :3])
        rctx.figure.patch.set_visible(False)
        # Premultiplied once, so each cut resizes without converting the whole raster.
        over = Image.fromarray(_draw_only(rctx, everything, built[Band.OVER_AREAS]))
        self.over = over.convert("RGBa")

    def serves(self, view: FittedView) -> bool:
        """Whether ``view`` lies in this raster's box at a scale it can be resized to."""
        r = self.view
        inside = r.x0 <= view.x0 and r.y0 <= view.y0 and view.x1 <= r.x1 and view.y1 <= r.y1
        ratio = view.metres_per_px / self.made_for
        return inside and 1 / DRIFT <= ratio <= DRIFT

    def cut(self, view: FittedView, window: tuple[float, float, float, float], region):
        """The ground (RGB) and the band over the areas (RGBA) of the frame's pixels
        ``region`` (rows, columns), for the map's axes at ``window`` (x0, y0, x1, y1 in window
        pixels, origin at the bottom left) showing ``view``."""
        rows, cols = region
        height = view.size[1]
        wx0, wy0, _, _ = window
        mpp, r = view.metres_per_px, self.view
        rmpp = r.metres_per_px
        # Frame column c spans window x c..c+1; frame row k spans window y height-k-1..height-k.
        x0 = view.x0 + (cols.start - wx0) * mpp
        x1 = view.x0 + (cols.stop - wx0) * mpp
        y1 = view.y0 + (height - rows.start - wy0) * mpp
        y0 = view.y0 + (height - rows.stop - wy0) * mpp
        box = ((x0 - r.x0) / rmpp, (r.y1 - y1) / rmpp, (x1 - r.x0) / rmpp, (r.y1 - y0) / rmpp)
        size = (cols.stop - cols.start, rows.stop - rows.start)
        under = self.under.resize(size, Image.Resampling.BILINEAR, box=box, reducing_gap=None)
        over = self.over.resize(size, Image.Resampling.BILINEAR, box=box, reducing_gap=None)
        return np.asarray(under), np.asarray(over.convert("RGBA"))


def _draw_only(ctx: DrawContext, children: list, keep: list) -> np.ndarray:
    keep = set(keep)
    for a in children:
        a.set_visible(a in keep)
    ctx.canvas.draw()
    return ctx.pixels().copy()
