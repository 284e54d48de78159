"""The locator inset: the whole map in a corner, the current view outlined on it, shown
while the view is a close one."""

from __future__ import annotations

from functools import lru_cache

import matplotlib as mpl
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import BboxImage
from matplotlib.transforms import Bbox

from ...scene import FittedView, World
from ...style import Theme
from ..geometry import polygon_path
from ..viewmap import view_ground
from .base import Band, Depends, Layer

SHOW_BELOW = 0.5
"""The inset shows when the view is narrower than this fraction of the overview."""
SIZE = 0.26
"""The inset's longer side, as a fraction of the map's shorter side."""
PAD = 0.02
"""The gap between the inset and the map's edges, as a fraction of the map's shorter side."""
CORNERS = ("upper right", "upper left", "lower right")
"""The corners in order of preference (the scale bar has the lower left)."""


class Inset(Layer):
    """The overview in the corner of the map that holds the least of the sides' land."""

    depends, band = Depends.VIEW, Band.OVER_SYMBOLS

    box: Bbox | None = None
    """The inset's window box as drawn (``None``: not shown)."""
    corner: str | None = None

    def build(self) -> None:
        ctx = self.ctx
        self.box = self.corner = None
        overview = ctx.world.overview.fit(ctx.size)
        view = ctx.view
        if (view.x1 - view.x0) >= SHOW_BELOW * (overview.x1 - overview.x0):
            return
        frame = ctx.map_ax.get_window_extent(ctx.renderer())
        w, h = _inset_size(frame, overview)
        self.corner, rect = _corner(ctx.world, view, frame, (w, h))
        self.box = Bbox.from_bounds(*rect)
        # In window pixels, as the labels are placed: the inset keeps its size on screen.
        image = BboxImage(self.box, zorder=9.5, interpolation="nearest")
        thumbnail = _thumbnail(ctx.world, ctx.theme, overview, round(w), round(h))
        image.set_data(thumbnail)
        ctx.map_ax.add_artist(image)
        self._pixels = np.dstack([thumbnail, np.full(thumbnail.shape[:2], 255, np.uint8)])[::-1]
        self._outline(overview, rect)
        ctx.placed.append(self.box.padded(2))

    def draw(self, renderer) -> None:
        """Drawn in each frame while the view moves: the thumbnail laid as it is (matplotlib
        would resample it), then its frame and the view's box."""
        if self.box is None:
            return
        gc = renderer.new_gc()
        renderer.draw_image(gc, round(self.box.x0), round(self.box.y0), self._pixels)
        gc.restore()
        for artist in self.artists:
            if not isinstance(artist, BboxImage):
                artist.draw(renderer)

    def _outline(self, overview: FittedView, rect: tuple[float, float, float, float]) -> None:
        """The inset's frame and the view's box on it, in window pixels."""
        ctx = self.ctx
        x, y, w, h = rect
        ax = ctx.map_ax
        frame = mpl.patches.Rectangle(
            (x, y), w, h, transform=None, facecolor="none", edgecolor=ctx.theme.text,
            linewidth=ctx.pt(0.8), zorder=9.6,
        )  # fmt: skip
        ax.add_artist(frame)
        view = ctx.view
        sx, sy = w / (overview.x1 - overview.x0), h / (overview.y1 - overview.y0)
        vx0, vy0 = x + (view.x0 - overview.x0) * sx, y + (view.y0 - overview.y0) * sy
        vw, vh = (view.x1 - view.x0) * sx, (view.y1 - view.y0) * sy
        least = ctx.pt(4)  # a tiny view is still a box one can see
        if vw < least:
            vx0, vw = vx0 + vw / 2 - least / 2, least
        if vh < least:
            vy0, vh = vy0 + vh / 2 - least / 2, least
        ax.add_artist(
            mpl.patches.Rectangle(
                (vx0, vy0), vw, vh, transform=None, facecolor="none", edgecolor="#b8202a",
                linewidth=ctx.pt(1.4), zorder=9.7, clip_box=self.box,
            )
        )  # fmt: skip


def _inset_size(frame: Bbox, overview: FittedView) -> tuple[float, float]:
    """The inset's width and height in pixels: the overview's shape, its longer side a set
    fraction of the map's shorter side."""
    longest = SIZE * min(frame.width, frame.height)
    aspect = (overview.y1 - overview.y0) / (overview.x1 - overview.x0)
    if aspect <= 1:
        return longest, longest * aspect
    return longest / aspect, longest


def _corner(world: World, view: FittedView, frame: Bbox, size) -> tuple[str, tuple]:
    """The corner whose box covers the least of the sides' land in the view (ties: the first
    in :data:`CORNERS`), and that box in window pixels."""
    w, h = size
    pad = PAD * min(frame.width, frame.height)
    per_px = view.metres_per_px
    best = None
    for corner in CORNERS:
        x = frame.x1 - pad - w if "right" in corner else frame.x0 + pad
        y = frame.y1 - pad - h if "upper" in corner else frame.y0 + pad
        gx0 = view.x0 + (x - frame.x0) * per_px
        gy0 = view.y0 + (y - frame.y0) * per_px
        ground = shapely.box(gx0, gy0, gx0 + w * per_px, gy0 + h * per_px)
        # The land alone decides (not the labels): the same corner whether the view moves
        # or holds, and the labels placed after it keep off it.
        score = shapely.intersection(world.land, ground).area / ground.area
        if best is None or score < best[0] - 1e-3:
            best = (score, corner, (x, y, w, h))
    return best[1], best[2]


@lru_cache(maxsize=8)
def _thumbnail(world: World, theme: Theme, overview: FittedView, w: int, h: int) -> np.ndarray:
    """The whole map, small: sea, land, the sides' land a shade darker, the coast."""
    fig = Figure(figsize=(w / 100, h / 100), dpi=100, facecolor=theme.sea)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(overview.x0, overview.x1)
    ax.set_ylim(overview.y0, overview.y1)
    ground = view_ground(world, overview)
    land = np.array(mpl.colors.to_rgb(theme.land))
    ax.add_artist(
        mpl.patches.PathPatch(
            polygon_path(ground.land), facecolor=land, edgecolor=theme.coast, linewidth=0.4
        )
    )
    ax.add_artist(
        mpl.patches.PathPatch(
            polygon_path(world.land), facecolor=land * 0.86, edgecolor="none", linewidth=0
        )
    )
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
