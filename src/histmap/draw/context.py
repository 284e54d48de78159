"""What every layer draws with: the figure and its axes, the theme, the view, the scale."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ..basemap import relief_shade
from ..i18n import language
from ..layout import Layout, frame_layout
from ..scene import FittedView, Scene, World
from ..story import Story
from ..style import Theme
from .viewmap import ViewGround, view_ground

DPI = 100
RELIEF_FINE_M = 2_500
"""Views finer than this many metres a pixel read the relief image at its full resolution."""
RELIEF_CELL_M = 3_700
"""The relief image's cells on the ground, north to south (1/30 of a degree)."""
RELIEF_FADE_M = 1_500
"""Below this many metres a pixel the relief (a few kilometres a sample) shades more faintly."""


class DrawContext:
    """One figure of one size: its three axes (map, panel, timeline), its theme, its view.

    Layers add their artists to these axes; the map's view is set with :meth:`set_view`.
    ``placed`` holds the window boxes of the labels placed so far, for collisions.
    """

    def __init__(
        self,
        world: World,
        size: tuple[int, int],
        story: Story | None,
        theme: Theme,
        *,
        layout: Layout | None = None,
    ):
        self.world = world
        self.size = size
        self.story = story
        self.theme = theme
        self.tr = language(world.data.spec.lang)
        """histmap's words, dates and numbers in the language of the map's texts."""
        self.layout = layout or frame_layout(size)
        self.scale = self.layout.scale
        w, h = size
        self.figure = Figure(figsize=(w / DPI, h / DPI), dpi=DPI, facecolor=theme.panel)
        self.canvas = FigureCanvasAgg(self.figure)
        self.map_ax = self.figure.add_axes(self.layout.map)
        self.panel_ax = self.figure.add_axes(self.layout.panel)
        self.time_ax = self.figure.add_axes(self.layout.timeline)
        self.map_ax.set_axis_off()
        for ax in (self.panel_ax, self.time_ax):
            ax.set_axis_off()
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
        self.placed: list = []
        self.badges: list = []
        """The numbered badges of a still as drawn: (number, window box)."""
        self.marker_boxes: list = []
        """The markers of a still as drawn: their window boxes (labels keep off them)."""
        self.panel_boxes: dict = {}
        """Window boxes in the panel that its texts must clear: the credits, the counters."""
        self.scene: Scene | None = None
        """The scene being drawn, set before the view: labels keep off its fronts and arrows."""
        self.view: FittedView | None = None
        self._relief: tuple[FittedView, np.ndarray] | None = None
        self._relief_px: tuple[tuple, np.ndarray] | None = None
        self._ground: tuple[FittedView, ViewGround] | None = None

    def set_view(self, view: FittedView) -> None:
        self.view = view
        self.map_ax.set_xlim(view.x0, view.x1)
        self.map_ax.set_ylim(view.y0, view.y1)
        self.placed = []

    def pt(self, size: float) -> float:
        """A type or line size, in points, for this frame's size."""
        return size * self.scale

    def halo(self, width: float = 2.5) -> list:
        return [patheffects.withStroke(linewidth=self.pt(width), foreground="white")]

    def renderer(self):
        return self.canvas.get_renderer()

    def artists(self) -> list:
        """Every artist of the three axes, in the order they were added."""
        axes = (self.map_ax, self.panel_ax, self.time_ax)
        return [a for ax in axes for a in ax.get_children() if a is not ax.patch]

    def pixels(self) -> np.ndarray:
        """The canvas as a writable (height, width, 4) view."""
        return np.asarray(self.renderer().buffer_rgba())

    def hatching(self):
        """Hatches (the demilitarized zone) scaled with the frame, for drawing them."""
        return mpl.rc_context({"hatch.linewidth": self.scale})

    @property
    def ground(self) -> ViewGround:
        """The base map of the view, cut to it, at a resolution fit for its scale."""
        if self._ground is None or self._ground[0] != self.view:
            self._ground = (self.view, view_ground(self.world, self.view))
        return self._ground[1]

    def relief_rgb(self) -> np.ndarray:
        """The land colour shaded by relief (RGBA bytes), one value per two pixels of the map
        each way, or per third of a relief cell in a close view (computed once a view): the
        relief data is coarser, and the image is drawn with bilinear smoothing, so finer
        sampling would only cost time. Close views read the
        relief image at full resolution, and shade more faintly as it grows coarse for them."""
        if self._relief is None or self._relief[0] != self.view:
            view = self.view
            bbox = self.map_ax.get_window_extent(self.renderer())
            # Every two pixels, or a third of the image's cell in a close view: finer
            # samples of it would only cost time (the image is drawn bilinear).
            step = max(2.0, RELIEF_CELL_M / 3 / view.metres_per_px)
            cols, rows = max(2, int(bbox.width / step)), max(2, int(bbox.height / step))
            lon, lat = lonlat_grid(
                self.world.projector,
                np.linspace(view.x0, view.x1, cols),
                np.linspace(view.y1, view.y0, rows),
            )
            mpp = view.metres_per_px
            shade = relief_shade(lon.ravel(), lat.ravel(), fine=mpp < RELIEF_FINE_M)
            shade = shade.reshape(rows, cols)
            strength = self.theme.relief * min(1.0, max(0.35, mpp / RELIEF_FADE_M) ** 0.5)
            shade = 1 + strength * (shade - 1)
            land = np.array(mpl.colors.to_rgb(self.theme.land))
            rgb = np.clip(land * shade[..., None] * 255 + 0.5, 0, 255).astype(np.uint8)
            # RGBA bytes: matplotlib resamples them as they are, where it would convert
            # floats to bytes again at every draw.
            rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
            self._relief = (view, rgba)
        return self._relief[1]

    def relief_pixels(self, size: tuple[int, int]) -> np.ndarray:
        """:meth:`relief_rgb` resized to ``size`` (width, height) pixels, bilinear, with rows
        bottom up as ``draw_image`` takes them: computed once a view and size, for every
        image of the relief drawn (the ground's and the foreign land's)."""
        key = (self.view, size)
        if self._relief_px is None or self._relief_px[0] != key:
            image = Image.fromarray(self.relief_rgb()[..., :3])
            image = image.resize(size, Image.Resampling.BILINEAR).convert("RGBA")
            self._relief_px = (key, np.array(image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)))
        return self._relief_px[1]

    def rows_cols(self, box, grow: int) -> tuple[slice, slice]:
        """The pixels of a window box, as rows (from the top) and columns of a frame:
        rounded outwards and padded by ``grow`` pixels, or rounded inwards if it is -1."""
        w, h = self.size
        if grow < 0:
            x0, x1, y0, y1 = np.ceil(box.x0), np.floor(box.x1), np.ceil(box.y0), np.floor(box.y1)
        else:
            box = box.padded(grow)
            x0, x1, y0, y1 = np.floor(box.x0), np.ceil(box.x1), np.floor(box.y0), np.ceil(box.y1)
        x0, x1 = max(0, int(x0)), min(w, int(x1))
        y0, y1 = max(0, int(y0)), min(h, int(y1))
        return slice(h - y1, h - y0), slice(x0, x1)


GRID_STEP = 8
""":func:`lonlat_grid` projects every this many nodes each way, and interpolates between."""


def lonlat_grid(projector, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lon/lat of the grid of projected ``xs`` (columns) by ``ys`` (rows), as two
    (rows, columns) arrays: every :data:`GRID_STEP`-th node projected back, the rest
    interpolated linearly (the projection is smooth over a few nodes; projecting a big
    raster's million nodes would cost a third of a second)."""
    ci = np.unique(np.r_[np.arange(0, len(xs), GRID_STEP), len(xs) - 1])
    ri = np.unique(np.r_[np.arange(0, len(ys), GRID_STEP), len(ys) - 1])
    gx, gy = np.meshgrid(xs[ci], ys[ri])
    lon, lat = (a.reshape(gx.shape) for a in projector.inverse_points(gx.ravel(), gy.ravel()))
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):  # off the projection's edge
        xx, yy = np.meshgrid(xs, ys)
        return tuple(a.reshape(xx.shape) for a in projector.inverse_points(xx.ravel(), yy.ravel()))
    across, down = _weights(ci, len(xs)), _weights(ri, len(ys))
    return down @ lon @ across.T, down @ lat @ across.T


def _weights(nodes: np.ndarray, count: int) -> np.ndarray:
    """The (count, len(nodes)) matrix that interpolates values at ``nodes`` linearly to
    every index up to ``count``."""
    at = np.arange(count)
    return np.stack([np.interp(at, nodes, row) for row in np.eye(len(nodes))], axis=1)
