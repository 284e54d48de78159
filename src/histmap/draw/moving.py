"""The map's static bands while the view moves: drawn once for a larger box, finer, and
resampled for each view, instead of drawn again for every frame.

A :class:`GroundRaster` holds the pixels of the ground (sea, land, relief) and of the band
over the areas (masks, lakes, rivers, coast, borders, reference lines) for a box larger
than the view it was made for, a little finer than that view. Views that stay inside the
box, at scales near its own, are cut from it and resized by area averaging (Pillow); a view
outside that range makes a new raster. Line widths drift by at most :data:`DRIFT` while a
raster serves, and a held view is drawn exactly again.

A video's plan holds every view, so :func:`plan_steps` decides from the plan alone how each
frame is drawn: exactly, when the next :data:`HOLD` frames hold its view, else cut from the
raster of its group. A move's frames are grouped from its first: each group takes as many
frames as fit in :data:`BUDGET` times the map's pixels and a range of scales of :data:`SPAN`,
and its raster covers the box round them all, as fine as the finest. A zoom of ten times
then makes a few rasters, not ten, and a frame's pixels do not depend on which frames the
process drew before it (nor on how frames are shared among processes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from ..layout import frame_layout
from ..scene import FittedView
from .context import DrawContext
from .layers.base import Band, Layer
from .layers.ground import Ground, Masks
from .layers.linework import Linework, ReferenceLines

FINER = 1.25
"""A raster made for one view has pixels this many times finer than the view's."""
FINER_AHEAD = 1.0
"""A raster made for views ahead has the pixels of the finest: every view is cut from it at
its own scale or shrunk (a zoom's coarser views), never enlarged; finer would only cost."""
WIDER = 1.6
"""A raster covers this many times the width and height of the view it is made for."""
DRIFT = 1.3
"""A raster serves views whose scale is within this factor of the one it was drawn for."""
SPAN = DRIFT**2
"""A raster made for views ahead serves scales up to this many times coarser than its finest
(its line widths true in the middle, so they drift by at most :data:`DRIFT`)."""
BUDGET = 5.0
"""A raster made for views ahead has at most this many times the map's pixels."""
PAD = 0.08
"""A raster made for views ahead reaches this fraction of the first view's size past them."""
HOLD = 3
"""A view is drawn exactly when the next this many frames hold it (a shorter stop is drawn
as a moving view: an exact drawing costs about a second)."""
LAYERS: tuple[type[Layer], ...] = (Ground, Masks, Linework, ReferenceLines)


@dataclass(frozen=True, eq=False)
class Step:
    """How the frames of a run of a plan are drawn: exactly, showing the one view of
    ``views`` (a held view), or cut from the raster made for ``views`` (a group of moving
    frames). The frames of a run share one step."""

    views: tuple[FittedView, ...]
    exact: bool = False
    first: int = 0
    """The index in the plan of the run's first frame: a held view's labels are placed
    round that frame's fronts and arrows, whichever frame of the run is drawn first."""


def plan_steps(views: Sequence[FittedView], map_px: tuple[float, float]) -> list[Step]:
    """How each frame of a plan showing ``views`` is drawn, decided from the views alone:
    exactly when its view is held for more than :data:`HOLD` frames in a row (or to the
    end), else from its group's raster; a group is a run of moving frames one raster
    serves, taken from the run's first frame on.

    >>> a, b, c = (FittedView(0, 0, w, w, (10, 10), 10.0) for w in (10, 11, 12))
    >>> [s.exact for s in plan_steps([a] * 5 + [b, c, c] + [a] * 2, (10, 10))]
    [True, True, True, True, True, False, False, False, True, True]
    """
    count = len(views)
    held: list[tuple[int, int]] = []  # the runs of frames drawn exactly
    first = 0
    for i in range(1, count + 1):
        if i == count or views[i] != views[first]:
            if i - first > HOLD or i == count:
                held.append((first, i))
            first = i
    steps: list[Step] = []
    for start, stop in [*held, (count, count)]:
        i = len(steps)
        while i < start:  # the moving frames before this held run, in groups
            size = _fit_ahead(views[i:start], map_px)
            steps.extend([Step(tuple(views[i : i + size]), first=i)] * size)
            i += size
        if stop > start:
            steps.extend([Step((views[start],), exact=True, first=start)] * (stop - start))
    return steps


class GroundRaster:
    """The ground and the band over the areas of a box round a view, as images."""

    def __init__(self, ctx: DrawContext, views: Sequence[FittedView], map_px: tuple[float, float]):
        if len(views) > 1:
            self.view, self.made_for = _box_ahead(views)
        else:
            self.view, self.made_for = _box_round(views[0], map_px), views[0].metres_per_px
        layout = replace(
            frame_layout(ctx.size),
            map=(0, 0, 1, 1),
            panel=(0, 0, 1e-3, 1e-3),
            timeline=(0, 0, 1e-3, 1e-3),
            # Line widths true at ``made_for``, the middle of the scales served.
            scale=ctx.scale * self.made_for / self.view.metres_per_px,
        )
        size = self.view.size
        rctx = DrawContext(ctx.world, size, None, ctx.theme, layout=layout)
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
        # Area averaging: a shift at the raster's own scale, the right filter to shrink (the
        # coarser views of a zoom), and a third faster than bilinear.
        under = self.under.resize(size, Image.Resampling.BOX, box=box, reducing_gap=None)
        over = self.over.resize(size, Image.Resampling.BOX, box=box, reducing_gap=None)
        return np.asarray(under), np.asarray(over.convert("RGBA"))


def _box_round(view: FittedView, map_px: tuple[float, float]) -> FittedView:
    """A raster's box for ``view`` alone: :data:`WIDER` round it, :data:`FINER`."""
    width, height = map_px
    cx, cy = (view.x0 + view.x1) / 2, (view.y0 + view.y1) / 2
    hw, hh = WIDER * (view.x1 - view.x0) / 2, WIDER * (view.y1 - view.y0) / 2
    size = (round(WIDER * FINER * width), round(WIDER * FINER * height))
    return FittedView(cx - hw, cy - hh, cx + hw, cy + hh, size, float(size[0]))


def _fit_ahead(views: Sequence[FittedView], map_px: tuple[float, float]) -> int:
    """How many of ``views``, from the first, one raster serves: at most :data:`BUDGET` times
    the map's pixels, and a range of scales of :data:`SPAN` (at least one)."""
    first = views[0]
    pad = PAD * max(first.x1 - first.x0, first.y1 - first.y0)
    limit = BUDGET * map_px[0] * map_px[1]
    x0, y0, x1, y1 = first.x0, first.y0, first.x1, first.y1
    fine = coarse = first.metres_per_px
    for count, view in enumerate(views[1:], 1):
        fine, coarse = min(fine, view.metres_per_px), max(coarse, view.metres_per_px)
        x0, y0 = min(x0, view.x0), min(y0, view.y0)
        x1, y1 = max(x1, view.x1), max(y1, view.y1)
        px = fine / FINER_AHEAD
        if coarse / fine > SPAN or (x1 - x0 + 2 * pad) * (y1 - y0 + 2 * pad) / px**2 > limit:
            return count
    return len(views)


def _box_ahead(views: Sequence[FittedView]) -> tuple[FittedView, float]:
    """A raster's box for ``views`` (a group of :func:`_fit_ahead`): round them all, padded,
    as fine as the finest, and the middle of their scales (metres a pixel)."""
    first = views[0]
    pad = PAD * max(first.x1 - first.x0, first.y1 - first.y0)
    fine = min(v.metres_per_px for v in views)
    coarse = max(v.metres_per_px for v in views)
    px = fine / FINER_AHEAD
    x0, y0 = min(v.x0 for v in views) - pad, min(v.y0 for v in views) - pad
    x1, y1 = max(v.x1 for v in views) + pad, max(v.y1 for v in views) + pad
    size = (int(np.ceil((x1 - x0) / px)), int(np.ceil((y1 - y0) / px)))
    view = FittedView(x0, y0, x0 + size[0] * px, y0 + size[1] * px, size, float(size[0]))
    return view, float(np.sqrt(fine * coarse))


def _draw_only(ctx: DrawContext, children: list, keep: list) -> np.ndarray:
    keep = set(keep)
    for a in children:
        a.set_visible(a in keep)
    ctx.canvas.draw()
    return ctx.pixels().copy()
