"""The compositor: owns the frame's pixels and caches each band of layers under its key.

Static bands (drawn once a view) are baked into images; each frame starts from the
static image with one copy, draws the moving layers between the baked bands, and
reuses the map up to its areas while the date is held. Panel texts, which change
rarely, are rasterised once and faded by blending.
"""

from __future__ import annotations

import numpy as np

from .context import DrawContext
from .layers.base import Band, Depends, Layer


class Compositor:
    """Blits a stack of layers; :meth:`bake` again after the static layers change."""

    def __init__(self, ctx: DrawContext, layers: list[Layer]):
        self.ctx = ctx
        self.layers = layers
        self._static: np.ndarray | None = None
        self._over: dict[Band, tuple] = {}
        self._with_areas: np.ndarray | None = None
        self._areas_ready = False
        self._texts: dict = {}
        self._live: list[Layer] = []
        """Layers drawn in each frame over the labels while the view moves."""

    @property
    def baked(self) -> bool:
        return self._static is not None

    def _artists(self, test) -> list:
        return [a for layer in self.layers if test(layer) for a in layer.artists]

    def bake(self) -> None:
        """Draw what does not move once: the whole static image (with only the ground on
        the map), and the static bands of the map that lie over the areas (masks, coast,
        rivers) and over the symbols (labels, scale bar)."""
        ctx = self.ctx
        moving = set(self._artists(lambda layer: layer.depends is Depends.INSTANT))
        children = ctx.artists()
        static = [a for a in children if a not in moving and a.get_visible()]
        box = self._map_box()
        under = self._draw_only(children, self._artists(lambda layer: layer.band is Band.UNDER))
        under = under.copy()
        self._static = self._draw_only(children, static).copy()
        # Only the map has moving layers under static ones: elsewhere the static image is final.
        self._static[box] = under[box]
        ctx.figure.patch.set_visible(False)
        pixels = self._draw_only(
            children, self._artists(lambda layer: layer.band is Band.OVER_AREAS)
        )
        self._over[Band.OVER_AREAS] = self._bottom_up(pixels, box)
        self._bake_band(Band.OVER_SYMBOLS, box)
        self._with_areas = np.empty_like(self._static)
        self._areas_ready = False
        self._texts.clear()
        self._live = []

    def moved(self, under: np.ndarray, over: np.ndarray, labels: np.ndarray, live: list) -> None:
        """A new view of the map from pixels made for it: ``under`` (RGB) the ground of the
        map's box, ``over`` and ``labels`` (RGBA) the bands over the areas and over the
        symbols; the artists of the ``live`` layers are drawn over those in each frame."""
        rows, cols = box = self._map_box()
        self._static[box][..., :3] = under
        bottom = self.ctx.size[1] - rows.stop
        self._over[Band.OVER_AREAS] = (cols.start, bottom, np.ascontiguousarray(over[::-1]))
        self._over[Band.OVER_SYMBOLS] = (cols.start, bottom, np.ascontiguousarray(labels[::-1]))
        self._live = live
        for layer in live:
            for artist in layer.artists:
                artist.set_visible(True)
        self._areas_ready = False

    def _bake_band(self, band: Band, box: tuple[slice, slice]) -> None:
        ctx = self.ctx
        children = ctx.artists()
        moving = set(self._artists(lambda layer: layer.depends is Depends.INSTANT))
        ctx.figure.patch.set_visible(False)
        pixels = self._draw_only(children, self._artists(lambda layer: layer.band is band))
        self._over[band] = self._bottom_up(pixels, box)
        ctx.figure.patch.set_visible(True)
        for a in children:
            a.set_visible(a in moving)

    def map_region(self) -> tuple[slice, slice]:
        """The rows and columns of the frame wholly inside the map's axes."""
        return self._map_box()

    def _draw_only(self, children: list, keep: list) -> np.ndarray:
        keep = set(keep)
        for a in children:
            a.set_visible(a in keep)
        self.ctx.canvas.draw()
        return self.ctx.pixels()

    def _map_box(self) -> tuple[slice, slice]:
        """The rows and columns wholly inside the map's axes. Only static layers show on
        the pixels of its edge, so the static image holds those as the figure draws them."""
        ctx = self.ctx
        return ctx.rows_cols(ctx.map_ax.get_window_extent(ctx.renderer()), -1)

    def _bottom_up(self, pixels: np.ndarray, box: tuple[slice, slice]) -> tuple:
        """The pixels of ``box`` as ``draw_image`` takes them: rows bottom up, placed by
        their lower left corner."""
        rows, cols = box
        return cols.start, self.ctx.size[1] - rows.stop, np.ascontiguousarray(pixels[box][::-1])

    def _moving(self, band: Band) -> list[Layer]:
        return [layer for layer in self.layers if layer.band is band]

    def blit(self, *, new_areas: bool) -> None:
        """The static image and the moving layers between the static bands of the map,
        then the moving texts and the cursor. The map up to its areas is kept while the
        areas stay."""
        ctx = self.ctx
        renderer = ctx.renderer()
        gc = renderer.new_gc()
        if new_areas or not self._areas_ready:
            np.copyto(ctx.pixels(), self._static)
            for layer in self._moving(Band.AREAS):
                layer.draw(renderer)
            renderer.draw_image(gc, *self._over[Band.OVER_AREAS])
            np.copyto(self._with_areas, ctx.pixels())
            self._areas_ready = True
        else:
            np.copyto(ctx.pixels(), self._with_areas)
        for layer in self._moving(Band.SYMBOLS):
            layer.draw(renderer)
        renderer.draw_image(gc, *self._over[Band.OVER_SYMBOLS])
        gc.restore()
        for layer in self._live:
            layer.draw(renderer)
        for layer in self._moving(Band.TEXTS):
            for text in layer.artists:
                self._draw_text_cached(text, renderer)
        for layer in self._moving(Band.CURSOR):
            layer.draw(renderer)

    # -- panel texts ---------------------------------------------------------------------------

    def _draw_text_cached(self, text, renderer) -> None:
        """Panel texts change rarely: draw each once, opaque, and reuse its pixels.

        They sit on the static panel, so the pixels around their ink depend on nothing
        else, and a text faded to alpha ``a`` is the panel blended with them by ``a``.
        """
        alpha = text.get_alpha()
        alpha = 1.0 if alpha is None else alpha
        if not text.get_text() or alpha <= 0.0:
            return
        key = (text.get_text(), text.get_fontsize(), text.get_position())
        cached = self._texts.get(text)
        if cached is None or cached[0] != key:
            cached = self._texts[text] = (key, *self._rasterise_text(text, renderer))
        _, region, panel, opaque = cached
        if region is None:
            return
        target = self.ctx.pixels()[region]
        if alpha >= 1.0:
            target[...] = opaque
        else:
            weight = np.uint16(round(alpha * 256))
            target[...] = (panel * (256 - weight) + opaque.astype(np.uint16) * weight) >> 8

    def _rasterise_text(self, text, renderer) -> tuple:
        """The box of a text's ink (not its layout box, which may overlap its neighbours'),
        the static pixels there, and the same with the text drawn opaque."""
        region = self.ctx.rows_cols(text.get_window_extent(renderer), 2)
        pixels = self.ctx.pixels()
        before = pixels[region].copy()
        pixels[region] = self._static[region]
        alpha = text.get_alpha()
        text.set_alpha(1.0)
        text.draw(renderer)
        text.set_alpha(alpha)
        opaque = pixels[region].copy()
        pixels[region] = before
        ink = (opaque != self._static[region]).any(axis=2)
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        if not len(rows):
            return None, None, None
        inked = (
            slice(region[0].start + rows[0], region[0].start + rows[-1] + 1),
            slice(region[1].start + cols[0], region[1].start + cols[-1] + 1),
        )
        inner = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
        return inked, self._static[inked].astype(np.uint16), opaque[inner]
