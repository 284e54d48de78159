"""Names on the map: the reference parallels, countries, seas and lakes, and cities with a
dot, placed so none collide, and the names of areas off the fronts, arrows and markers.

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
from .linework import parallel_xy
from .obstacles import Obstacles

CITY_LABEL_SIZE = {1: 10, 2: 8.5, 3: 7.5, 4: 7.5, 5: 7}
CITY_DOT_SIZE = {1: 7, 2: 5, 3: 3.5, 4: 3.5, 5: 3}
RANK_SCALE = ((3000.0, 2), (800.0, 3), (300.0, 4), (0.0, 5))
"""The lowest rank of city shown, by metres a pixel: a map shows more as it zooms in."""
AREAS = ("country", "sea", "lake")
"""Kinds of place whose names keep off the fronts, arrows and markers (or are left out)."""
EDGE_PT = 3.0
"""Labels keep this far inside the map's edge, in points."""
ALONG = 16
"""Where a parallel's label may go: this many places along it, from the left."""


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


def area_offsets(step: float) -> list[tuple[float, float, str, str]]:
    """Where an area's name may go, in order: on its anchor, then moved up, down, right and
    left by ``step`` and twice that (off a front or an arrow crossing the anchor)."""
    moves = [(0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1)]
    out = [(0.0, 0.0, "center", "center")]
    for far in (1, 2):
        out += [(far * dx * 3 * step, far * dy * step, "center", "center") for dx, dy in moves]
    return out


class Places(Layer):
    """Labels placed greedily, most important first, each where it collides with nothing
    placed before it (left out otherwise); cities of lower rank as the view zooms in
    (:func:`max_rank`), their labels the same size on screen at every view; a city's dot
    only with its label, except a capital's. A parallel's label goes first, where the
    parallel crosses the view; the names of areas keep off the scene's fronts, arrows and
    markers (:class:`~.obstacles.Obstacles`), and cities' labels off its markers.

    Labels are numbered: places ``0, 1, ...`` in :attr:`places`, the parallels ``-1, -2,
    ...`` (the first, second, ... of the map's reference lines)."""

    depends, band = Depends.VIEW, Band.OVER_SYMBOLS

    def __init__(self, ctx):
        super().__init__(ctx)
        self.places: list[Place] = sorted(ctx.world.data.places, key=lambda p: p.rank)
        self.references = list(ctx.world.data.spec.reference_lines)
        x, y = ctx.world.projector.points(
            [p.geometry.x for p in self.places], [p.geometry.y for p in self.places]
        )
        self._xy = np.column_stack([x, y]).reshape(-1, 2)
        self._boxes: dict[tuple[int, int], tuple[float, float, float, float]] = {}
        self._sprites: dict[tuple[int, int | None], tuple[np.ndarray, float, float]] = {}
        self._anchors: dict[int, np.ndarray] = {}
        """The window anchors of the parallels' labels of the last plan."""
        self._taken = np.zeros((0, 4))
        """The boxes placed so far in this plan, as (n, 4) extents."""
        self._sheet: tuple[FigureCanvasAgg, object] | None = None
        self.boxes: list = []
        self.chosen: list[tuple[int, int | None, Bbox | None]] = []
        """The places' labels of the last plan: (place, choice, window box)."""
        self.references_chosen: list[tuple[int, int, Bbox]] = []
        """The parallels' labels of the last plan: (label, choice, window box)."""

    # -- placement ---------------------------------------------------------------------------

    def _choices(self, i: int) -> list[tuple[float, float, str, str]]:
        gap = self.ctx.pt(3)
        if i < 0:
            return [(gap, gap, "left", "bottom"), (gap, -gap, "left", "top")]
        place = self.places[i]
        if place.kind == "city":
            return city_offsets(gap)
        if place.kind in AREAS:
            return area_offsets(self._style(i)["fontsize"] * 1.2)
        return [(0.0, 0.0, "center", "center")]

    def _style(self, i: int) -> dict:
        """The keywords of a label."""
        ctx = self.ctx
        kind = "reference" if i < 0 else self.places[i].kind
        if kind == "reference":
            return {
                "fontsize": ctx.pt(9), "color": ctx.theme.muted, "style": "italic", "zorder": 7,
                "path_effects": ctx.halo(),
            }  # fmt: skip
        if kind == "country":
            return {
                "fontsize": ctx.pt(11), "color": ctx.theme.muted, "alpha": 0.8, "zorder": 7,
                "fontweight": "bold",
            }  # fmt: skip
        if kind in ("sea", "lake"):
            return {
                "fontsize": ctx.pt(10 if kind == "sea" else 7.5), "color": "#4f7a99",
                "style": "italic", "zorder": 7, "path_effects": ctx.halo(2),
            }  # fmt: skip
        rank = self.places[i].rank
        return {
            "fontsize": ctx.pt(CITY_LABEL_SIZE[rank]),
            "fontweight": "bold" if rank == 1 else "normal",
            "color": ctx.theme.text, "zorder": 8, "path_effects": ctx.halo(),
        }  # fmt: skip

    def _text(self, i: int) -> str:
        if i < 0:
            return self.references[-1 - i].label
        place = self.places[i]
        return place.name.upper() if place.kind == "country" else place.name

    def _label(self, ax, i: int, k: int, xy, **where):
        dx, dy, ha, va = self._choices(i)[k]
        return ax.annotate(
            self._text(i), xy, xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
            **self._style(i), **where, **LITERAL,
        )  # fmt: skip

    def _box(self, i: int, k: int) -> tuple[float, float, float, float]:
        """The box of label choice ``k`` of label ``i`` relative to its anchor, in pixels
        (a city's a little larger, for air between labels); measured once."""
        if (i, k) not in self._boxes:
            ax = self.ctx.map_ax
            xy = (sum(ax.get_xlim()) / 2, sum(ax.get_ylim()) / 2)
            label = self._label(ax, i, k, xy)
            box = label.get_window_extent(self.ctx.renderer())
            if i >= 0 and self.places[i].kind == "city":
                box = box.expanded(1.05, 1.1)
            px, py = ax.transData.transform(xy)
            label.remove()
            self._boxes[i, k] = (box.x0 - px, box.y0 - py, box.x1 - px, box.y1 - py)
        return self._boxes[i, k]

    def _anchor(self, i: int) -> np.ndarray:
        """Label ``i``'s anchor in window pixels, for the view (a parallel's: the last plan's)."""
        if i < 0:
            return self._anchors[i]
        return self.ctx.map_ax.transData.transform(self._xy[i])

    def plan(self) -> list[tuple[int, int | None, Bbox | None]]:
        """The labels of the view: (place, choice, window box); choice ``None`` is a
        capital's dot without its label. The parallels' labels are placed first (see
        :attr:`references_chosen`). Their boxes are added to ``ctx.placed``."""
        ctx = self.ctx
        frame = ctx.map_ax.get_window_extent(ctx.renderer())
        inner = frame.padded(-ctx.pt(EDGE_PT) * ctx.figure.dpi / 72)
        obstacles = Obstacles(ctx, ctx.scene)
        self._taken = _extents(ctx.placed)
        placed = [self._place_reference(j, inner, obstacles) for j in range(len(self.references))]
        self.references_chosen = [c for c in placed if c is not None]
        anchors = ctx.map_ax.transData.transform(self._xy) if len(self._xy) else self._xy
        shown = self._shown()
        # No label on a city's dot: every dot that may be drawn is kept clear of.
        dots = [i for i in shown if self.places[i].kind == "city"]
        dot_ids = np.array(dots, int)
        dot_boxes = _extents([self._dot_box(i, anchors[i]) for i in dots])
        chosen = []
        for i in shown:
            place, dots_ = self.places[i], dot_boxes[dot_ids != i]
            # An area's name keeps off everything (the arrows to come too, if it can) or is
            # left out; a city's label keeps off the markers if it can (a marker often
            # stands on its city).
            clear = np.vstack([dots_, obstacles.markers])
            tries = [(clear, (obstacles, True)), (clear, (obstacles, False))]
            if place.kind not in AREAS:
                tries = [(clear, None), (dots_, None)]
            fit = next(
                (
                    (k, box)
                    for others, avoid in tries
                    for k in range(len(self._choices(i)))
                    if (box := self._fit(i, k, anchors[i], inner, others, avoid)) is not None
                ),
                None,
            )
            if fit is not None:
                chosen.append((i, *fit))
            elif place.kind == "city" and place.rank == 1:
                chosen.append((i, None, None))
        self.boxes = [box for _, _, box in self.references_chosen + chosen if box is not None]
        self.chosen = chosen
        return chosen

    def _shown(self) -> list[int]:
        """The places of the view whose labels may be placed, most important first."""
        view, lowest = self.ctx.view, max_rank(self.ctx.view.metres_per_px)
        return [
            i
            for i, place in enumerate(self.places)
            if view.x0 <= self._xy[i, 0] <= view.x1
            and view.y0 <= self._xy[i, 1] <= view.y1
            and place.kind in ("city", *AREAS)
            and (place.kind != "city" or place.rank <= lowest)
        ]

    def _fit(self, i, k, anchor, inner: Bbox, others: np.ndarray, avoid) -> Bbox | None:
        """Label ``i``'s choice ``k`` at ``anchor`` (window pixels), added to ``ctx.placed``,
        if it lies inside ``inner``, clear of the labels placed, of ``others`` (boxes) and
        of ``avoid`` (:class:`~.obstacles.Obstacles` and whether the arrows to come count,
        or ``None``); else ``None``."""
        x0, y0, x1, y1 = self._box(i, k)
        extents = (anchor[0] + x0, anchor[1] + y0, anchor[0] + x1, anchor[1] + y1)
        inside = inner.x0 <= extents[0] and extents[2] <= inner.x1
        if not (inside and inner.y0 <= extents[1] and extents[3] <= inner.y1):
            return None
        if _hits(extents, self._taken) or _hits(extents, others):
            return None
        if avoid is not None and avoid[0].hit(extents, soon=avoid[1]):
            return None
        box = Bbox.from_extents(*extents)
        self.ctx.placed.append(box)
        self._taken = np.vstack([self._taken, extents])
        return box

    def _place_reference(self, j: int, inner: Bbox, obstacles) -> tuple[int, int, Bbox] | None:
        """Parallel ``j``'s label where the parallel crosses the view, as far left as it
        stays clear of the labels placed, then of the fronts, arrows and markers too (it is
        only left out where the parallel is not in view)."""
        ctx, i = self.ctx, -1 - j
        x, y = ctx.map_ax.transData.transform(
            np.column_stack(parallel_xy(ctx, self.references[j].latitude))
        ).T
        xs = np.linspace(inner.x0, inner.x1, ALONG, endpoint=False)
        ys = np.interp(xs, x, y, left=np.nan, right=np.nan)
        for avoid in ((obstacles, True), None):
            for anchor in np.column_stack([xs, ys])[np.isfinite(ys)]:
                for k in range(len(self._choices(i))):
                    box = self._fit(i, k, anchor, inner, obstacles.markers, avoid)
                    if box is not None:
                        self._anchors[i] = anchor
                        return i, k, box
        return None

    def _dot_box(self, i: int, anchor) -> Bbox:
        half = self.ctx.pt(CITY_DOT_SIZE[self.places[i].rank]) / 2 * self.ctx.figure.dpi / 72
        return Bbox.from_extents(
            anchor[0] - half, anchor[1] - half, anchor[0] + half, anchor[1] + half
        )

    # -- drawing -----------------------------------------------------------------------------

    def build(self) -> None:
        ax = self.ctx.map_ax
        chosen = self.plan()
        to_data = ax.transData.inverted()
        for i, k, _ in self.references_chosen:
            self._label(ax, i, k, tuple(to_data.transform(self._anchors[i])))
        for i, k, _ in chosen:
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
        chosen = self.plan()
        for i, k, _ in self.references_chosen + chosen:
            sprite, ax_, ay_ = self._sprite(i, k)
            anchor = self._anchor(i)
            left = round(anchor[0] - ax_) - cols.start
            top = height - round(anchor[1] - ay_) - sprite.shape[0] - rows.start
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
        # The anchor inside too: a label set off from it keeps its city's dot, and
        # matplotlib draws no annotation whose point lies outside the axes.
        x0, y0, x1, y1 = min(x0, 0.0), min(y0, 0.0), max(x1, 0.0), max(y1, 0.0)
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
        if i >= 0 and self.places[i].kind == "city":
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
