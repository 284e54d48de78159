"""The land-share counters of the panel: a bar of the sides' colours, each part as long as
the share of the land that side holds, with its percentage (``[panel] shares``)."""

from __future__ import annotations

from collections import OrderedDict

import matplotlib as mpl
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from ...model import UNHELD
from ...scene import Scene
from ...shares import whole_percents
from ..context import DPI, DrawContext
from ..text_fit import LITERAL, measure, shrink_to_width
from .base import Band, Depends, Layer

HEADING_PT, BAR_PT, NUMBER_PT, GAP_PT = 8.0, 12.0, 7.5, 5.0
"""Type of the heading and of the numbers, height of the bar, and the gaps round it (points)."""
BLOCK_PT = HEADING_PT * 1.3 + BAR_PT + 2.5 * GAP_PT
"""The counters' height (points): a gap, the heading, half a gap, the bar, a gap."""
BOTTOM_COLUMN = (0.62, 0.97)
"""Below the map, the bar's left and right ends, as fractions of the panel (under the legend)."""


def shares_height(ctx: DrawContext) -> float:
    """The height (pixels) the counters take in the panel, with a gap on either side; 0 if
    the map does not show them."""
    if not ctx.world.data.spec.shares:
        return 0.0
    return ctx.pt(BLOCK_PT) * DPI / 72


def side_tint(ctx: DrawContext, colour: str) -> tuple[float, float, float]:
    """A side's colour as its territory looks on the land (translucent fill, made opaque)."""
    t = ctx.theme
    fill, land = np.array(mpl.colors.to_rgb(colour)), np.array(mpl.colors.to_rgb(t.land))
    return tuple(fill * t.territory_alpha + land * (1 - t.territory_alpha))


STEPS_PX = 4
"""The bar's parts end on a quarter of a pixel: the counters look the same, and a frame's
counters are drawn once for each position of their ends (a video's shares change a little
each frame, and are still while the date is held)."""
KEPT = 64
"""How many drawings of the counters a renderer keeps."""


class PanelShares(Layer):
    """Each side's share of the land at the instant: above the legend beside the map, below
    it under the map. Drawn live, and kept: its pixels (on the static panel) are laid again
    while its parts end on the same quarter pixels with the same numbers."""

    depends, band = Depends.INSTANT, Band.CURSOR

    def build(self) -> None:
        ctx = self.ctx
        if not ctx.world.data.spec.shares:
            return
        box = self._box()
        ctx.panel_boxes["shares"] = box
        ax, t, pt = ctx.panel_ax, ctx.theme, ctx.pt
        (x0, y0), (x1, y1) = ax.transAxes.inverted().transform(box.get_points())
        per_pt = (y1 - y0) / BLOCK_PT  # the panel's height units in a point of the block
        heading = ax.text(
            x0, y1 - GAP_PT * per_pt, ctx.tr.gettext("Share of the land"),
            fontsize=pt(HEADING_PT), color=t.muted, va="top", **LITERAL,
        )  # fmt: skip
        shrink_to_width(heading, ctx.renderer(), box.width, smallest=pt(6))
        self._bar = (x0, y0 + GAP_PT * per_pt, x1 - x0, BAR_PT * per_pt)
        x, bottom, width, height = self._bar
        sides = [(s.id, side_tint(ctx, s.colour)) for s in ctx.world.data.spec.sides]
        self._parts = [
            (side, ax.add_patch(Rectangle((x, bottom), 0, height, color=colour, lw=0)))
            for side, colour in [*sides, (UNHELD, mpl.colors.to_rgb(t.land))]
        ]
        self._numbers = {
            side: ax.text(0, bottom + height / 2, "", fontsize=pt(NUMBER_PT), color=t.text,
                          ha="center", va="center_baseline", **LITERAL)
            for side, _ in sides
        }  # fmt: skip
        ax.add_patch(Rectangle((x, bottom), width, height, fill=False, ec=t.muted, lw=pt(0.6)))
        self._measure = measure(heading, ctx.renderer(), pt(NUMBER_PT))
        self._px = box.width / width  # pixels in a unit of the panel's width
        self._key: tuple | None = None
        self._region = ctx.rows_cols(box, 1)
        self._drawn: OrderedDict[tuple, np.ndarray] = OrderedDict()

    def update(self, scene: Scene) -> bool:
        if not self.artists or scene.shares is None:
            return False
        percents = whole_percents(scene.shares)
        x, _, width, _ = self._bar
        steps = self._px * width * STEPS_PX  # quarter pixels along the whole bar
        ends = np.round(np.cumsum([scene.shares.get(side, 0.0) for side, _ in self._parts]) * steps)
        key = (*ends.astype(int), *(percents.get(side, 0) for side, _ in self._parts))
        if key == self._key:
            return False
        self._key = key
        lengths = np.diff(ends, prepend=0.0) * width / steps
        for (side, part), length in zip(self._parts, lengths, strict=True):
            part.set_x(x)
            part.set_width(length)
            number = self._numbers.get(side)
            if number is not None:
                text = self.ctx.tr.percent(percents.get(side, 0) / 100)
                # A number shows where its part of the bar has room for it.
                fits = self._measure(text) + self.ctx.pt(4) <= length * self._px
                number.set_text(text if fits else "")
                number.set_x(x + length / 2)
            x += length
        return True

    def draw(self, renderer) -> None:
        """Lay the counters' pixels if they were drawn before as they are now, else draw
        them and keep their pixels."""
        if not self.artists:
            return
        pixels = self.ctx.pixels()[self._region]
        kept = self._drawn.get(self._key)
        if kept is not None:
            pixels[...] = kept
            self._drawn.move_to_end(self._key)
            return
        super().draw(renderer)
        self._drawn[self._key] = pixels.copy()
        if len(self._drawn) > KEPT:
            self._drawn.popitem(last=False)

    def _box(self) -> Bbox:
        """Where the counters go, in window pixels."""
        ctx = self.ctx
        r = ctx.renderer()
        panel = ctx.panel_ax.get_window_extent(r)
        legend = ctx.panel_ax.get_legend()
        height = shares_height(ctx)
        if ctx.layout.panel_side == "right":
            x0 = panel.x0 + ctx.layout.slots.x * panel.width
            x1 = x0 + ctx.layout.text_px
            bottom = legend.get_window_extent(r).y1 if legend else panel.y0
            return Bbox.from_extents(x0, bottom, x1, bottom + height)
        left, right = (panel.x0 + f * panel.width for f in BOTTOM_COLUMN)
        top = legend.get_window_extent(r).y0 if legend else panel.y1
        return Bbox.from_extents(left, top - height, right, top)
