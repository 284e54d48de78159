"""Names on the map: countries, seas and lakes, and cities with a dot, placed so none collide.

Placement works on boxes measured once per renderer (a label's box relative to its anchor
does not change with the view), so a moving view places its labels in a few milliseconds
and lays them as cached sprites (:meth:`Places.composite`); a held view or a still makes
matplotlib artists at the same places (:meth:`Places.build`).
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from ...model import Place
from ..text_fit import LITERAL
from .base import Band, Depends, Layer

CITY_LABEL_SIZE = {1: 10, 2: 8.5, 3: 7.5, 4: 7.5, 5: 7}
CITY_DOT_SIZE = {1: 7, 2: 5, 3: 3.5, 4: 3.5, 5: 3}
RANK_SCALE = ((3000.0, 2), (800.0, 3), (300.0, 4), (0.0, 5))
"""The lowest rank of city shown, by metres a pixel: a map shows more as it zooms in."""


def max_rank(metres_per_px: float) -> int:
    """The lowest rank of city a view at ``metres_per_px`` shows.

    >>> max_rank(3700), max_rank(1900), max_rank(500), max_rank(150)
    (2, 3, 4, 5)
    """
    return next(rank for above, rank in RANK_SCALE if metres_per_px > above)


def city_offsets(gap: float) -> list[tuple[float, float, str, str]]:
    """Where a city's label may go, in order: the four corners round its dot, then the same
    further out (clear of a marker or a badge on the city)."""
    near = [
        (gap, gap, "left", "bottom"),
        (gap, -gap, "left", "top"),
        (-gap, gap, "right", "bottom"),
        (-gap, -gap, "right", "top"),
    ]
    return near + [(3 * dx, 3 * dy, ha, va) for dx, dy, ha, va in near]


class Places(Layer):
    """Labels placed greedily, most important first, each where it collides with nothing
    placed before it (left out otherwise); cities of lower rank as the view zooms in
    (:func:`max_rank`), their labels the same size on screen at every view; a city's dot
    only with its label, except a capital's."""

    depends, band = Depends.VIEW, Band.OVER_SYMBOLS

    def __init__(self, ctx):
        super().__init__(ctx)
        self.places: list[Place] = sorted(ctx.world.data.places, key=lambda p: p.rank)
        x, y = ctx.world.projector.points(
            [p.geometry.x for p in self.places], [p.geometry.y for p in self.places]
        )
        self._xy = np.column_stack([x, y]).reshape(-1, 2)
        self._boxes: dict[tuple[int, int], tuple[float, float, float, float]] = {}
        self._sprites: dict[tuple[int, int | None], tuple[np.ndarray, float, float]] = {}
        self._sheet: tuple[FigureCanvasAgg, object] | None = None
        self.boxes: list = []
        self.chosen: list[tuple[int, int | None, Bbox | None]] = []
        """The labels of the last plan: (place, choice, window box)."""

    # -- placement ---------------------------------------------------------------------------

    def _choices(self, place: Place) -> list[tuple[float, float, str, str]]:
        if place.kind == "city":
            return city_offsets(self.ctx.pt(3))
        return [(0.0, 0.0, "center", "center")]

    def _style(self, place: Place) -> dict:
        """The keywords of a place's label."""
        ctx = self.ctx
        if place.kind == "country":
            return {
                "fontsize": ctx.pt(11), "color": ctx.theme.muted, "alpha": 0.8, "zorder": 7,
                "fontweight": "bold",
            }  # fmt: skip
        if place.kind in ("sea", "lake"):
            return {
                "fontsize": ctx.pt(10 if place.kind == "sea" else 7.5), "color": "#4f7a99",
                "style": "italic", "zorder": 7, "path_effects": ctx.halo(2),
            }  # fmt: skip
        return {
            "fontsize": ctx.pt(CITY_LABEL_SIZE[place.rank]),
            "fontweight": "bold" if place.rank == 1 else "normal",
            "color": ctx.theme.text, "zorder": 8, "path_effects": ctx.halo(),
        }  # fmt: skip

    def _label(self, ax, i: int, k: int, xy, **where):
        place = self.places[i]
        dx, dy, ha, va = self._choices(place)[k]
        text = place.name.upper() if place.kind == "country" else place.name
        return ax.annotate(
            text, xy, xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
            **self._style(place), **where, **LITERAL,
        )  # fmt: skip

    def _box(self, i: int, k: int) -> tuple[float, float, float, float]:
        """The box of label choice ``k`` of place ``i`` relative to its anchor, in pixels
        (a city's a little larger, for air between labels); measured once."""
        if (i, k) not in self._boxes:
            ax = self.ctx.map_ax
            label = self._label(ax, i, k, tuple(self._xy[i]))
            box = label.get_window_extent(self.ctx.renderer())
            if self.places[i].kind == "city":
                box = box.expanded(1.05, 1.1)
            px, py = ax.transData.transform(self._xy[i])
            label.remove()
            self._boxes[i, k] = (box.x0 - px, box.y0 - py, box.x1 - px, box.y1 - py)
        return self._boxes[i, k]

    def plan(self) -> list[tuple[int, int | None, Bbox | None]]:
        """The labels of the view: (place, choice, window box); choice ``None`` is a
        capital's dot without its label. Their boxes are added to ``ctx.placed``."""
        ctx = self.ctx
        view, frame = ctx.view, ctx.map_ax.get_window_extent(ctx.renderer())
        anchors = ctx.map_ax.transData.transform(self._xy) if len(self._xy) else self._xy
        lowest = max_rank(view.metres_per_px)
        shown = [
            i
            for i, place in enumerate(self.places)
            if view.x0 <= self._xy[i, 0] <= view.x1
            and view.y0 <= self._xy[i, 1] <= view.y1
            and place.kind in ("city", "country", "sea", "lake")
            and (place.kind != "city" or place.rank <= lowest)
        ]
        # No label on a city's dot: every dot that may be drawn is kept clear of.
        dots = [i for i in shown if self.places[i].kind == "city"]
        dot_ids = np.array(dots, int)
        dot_boxes = _extents([self._dot_box(i, anchors[i]) for i in dots])
        placed = _extents(ctx.placed)
        chosen = []
        for i in shown:
            place = self.places[i]
            others = dot_boxes[dot_ids != i]
            for k in range(len(self._choices(place))):
                x0, y0, x1, y1 = self._box(i, k)
                ax_, ay_ = anchors[i]
                extents = (ax_ + x0, ay_ + y0, ax_ + x1, ay_ + y1)
                inside = frame.contains(extents[0], extents[1]) and frame.contains(
                    extents[2], extents[3]
                )
                if inside and not _hits(extents, placed) and not _hits(extents, others):
                    box = Bbox.from_extents(*extents)
                    ctx.placed.append(box)
                    placed = np.vstack([placed, _extents([box])])
                    chosen.append((i, k, box))
                    break
            else:
                if place.kind == "city" and place.rank == 1:
                    chosen.append((i, None, None))
        self.boxes = [box for _, _, box in chosen if box is not None]
        self.chosen = chosen
        return chosen

    def _dot_box(self, i: int, anchor) -> Bbox:
        half = self.ctx.pt(CITY_DOT_SIZE[self.places[i].rank]) / 2 * self.ctx.figure.dpi / 72
        return Bbox.from_extents(
            anchor[0] - half, anchor[1] - half, anchor[0] + half, anchor[1] + half
        )

    # -- drawing -----------------------------------------------------------------------------

    def build(self) -> None:
        ax = self.ctx.map_ax
        for i, k, _ in self.plan():
            if k is not None:
                self._label(ax, i, k, tuple(self._xy[i]))
            if self.places[i].kind == "city":
                self._dot(ax, i, tuple(self._xy[i]))

    def _dot(self, ax, i: int, xy, **where) -> None:
        ctx, rank = self.ctx, self.places[i].rank
        ax.plot(
            *xy, marker="s" if rank == 1 else "o", markersize=ctx.pt(CITY_DOT_SIZE[rank]),
            color=ctx.theme.text, markeredgecolor="white", markeredgewidth=ctx.pt(0.8),
            zorder=8, **where,
        )  # fmt: skip

    def composite(self, region: tuple[slice, slice]) -> np.ndarray:
        """The labels of the view as one RGBA image of the frame's pixels ``region`` (rows,
        columns), laid from sprites drawn once a label; no artists are made."""
        rows, cols = region
        height = self.ctx.size[1]
        out = np.zeros((rows.stop - rows.start, cols.stop - cols.start, 4), np.uint8)
        anchors = self.ctx.map_ax.transData.transform(self._xy) if len(self._xy) else self._xy
        for i, k, _ in self.plan():
            sprite, ax_, ay_ = self._sprite(i, k)
            left = round(anchors[i, 0] - ax_) - cols.start
            top = height - round(anchors[i, 1] - ay_) - sprite.shape[0] - rows.start
            _over(out, sprite, top, left)
        return out

    def _sprite(self, i: int, k: int | None) -> tuple[np.ndarray, float, float]:
        """A label (and its city's dot) drawn alone on a clear image, once: the image
        (rows from the top, RGBA) and where its anchor lies in it (pixels from its lower
        left corner)."""
        if (i, k) in self._sprites:
            return self._sprites[i, k]
        ctx = self.ctx
        x0, y0, x1, y1 = self._box(i, k) if k is not None else (0.0, 0.0, 0.0, 0.0)
        pad = ctx.pt(6)
        w, h = int(np.ceil(x1 - x0 + 2 * pad)), int(np.ceil(y1 - y0 + 2 * pad))
        # One small figure serves every sprite: a new figure and axes cost more than the label.
        if self._sheet is None:
            fig = Figure(dpi=ctx.figure.dpi)
            fig.patch.set_visible(False)
            ax = fig.add_axes((0, 0, 1, 1))
            ax.set_axis_off()
            self._sheet = (FigureCanvasAgg(fig), ax)
        canvas, ax = self._sheet
        canvas.figure.set_size_inches(w / 100, h / 100)
        ax.set_xlim(0, w)
        ax.set_ylim(0, h)
        anchor = (pad - x0, pad - y0)
        if k is not None:
            self._label(ax, i, k, anchor)
        if self.places[i].kind == "city":
            self._dot(ax, i, anchor)
        canvas.draw()
        image = np.asarray(canvas.buffer_rgba()).copy()
        for artist in [*ax.texts, *ax.lines]:
            artist.remove()
        self._sprites[i, k] = (image, anchor[0], anchor[1])
        return self._sprites[i, k]


def _extents(boxes) -> np.ndarray:
    """Boxes as an (n, 4) array of x0, y0, x1, y1, each the right way round."""
    e = np.array([box.extents for box in boxes], float).reshape(-1, 4)
    return np.column_stack(
        [np.minimum(e[:, 0], e[:, 2]), np.minimum(e[:, 1], e[:, 3]),
         np.maximum(e[:, 0], e[:, 2]), np.maximum(e[:, 1], e[:, 3])]
    )  # fmt: skip


def _hits(box: tuple[float, float, float, float], boxes: np.ndarray) -> bool:
    """Whether ``box`` overlaps any of ``boxes`` (touching counts, as ``Bbox.overlaps``)."""
    x0, y0, x1, y1 = box
    across = (boxes[:, 2] >= x0) & (boxes[:, 0] <= x1)
    return bool(np.any(across & (boxes[:, 3] >= y0) & (boxes[:, 1] <= y1)))


def _over(out: np.ndarray, sprite: np.ndarray, top: int, left: int) -> None:
    """Lay an RGBA sprite (straight alpha) over ``out`` (RGBA, straight alpha) at ``top``,
    ``left``, cut to its edges."""
    h, w = out.shape[:2]
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + sprite.shape[0], h), min(left + sprite.shape[1], w)
    if r0 >= r1 or c0 >= c1:
        return
    src = sprite[r0 - top : r1 - top, c0 - left : c1 - left]
    dst = out[r0:r1, c0:c1]
    if not dst[..., 3].any():  # most labels lie on nothing laid before them
        dst[...] = src
        return
    src, under = src.astype(np.float32), dst.astype(np.float32)
    a_s, a_d = src[..., 3:] / 255, under[..., 3:] / 255
    a = a_s + a_d * (1 - a_s)
    rgb = (src[..., :3] * a_s + under[..., :3] * a_d * (1 - a_s)) / np.maximum(a, 1e-6)
    dst[..., :3] = np.round(rgb)
    dst[..., 3:] = np.round(a * 255)
