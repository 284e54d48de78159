"""Arrows and markers of the events, and on stills the numbers that match the panel's list."""

from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.transforms import Bbox

from ...scene import Scene
from ...story import Arrow, Marker
from ..geometry import darker
from .base import Band, Depends, Layer

MARKERS = {"political": "D", "armistice": "*", "landing": "^", "evacuation": "s"}
SHAFT_STYLES = {"landing": (0, (3, 1.5)), "evacuation": (0, (1, 1.2)), "retreat": (0, (5, 2))}


def side_colour(ctx, side: str) -> tuple:
    """The colour of a side's symbols: its own, a little darker (muted for no side)."""
    known = {s.id: s.colour for s in ctx.world.data.spec.sides}
    return darker(known.get(side, ctx.theme.muted), 0.15)


class Symbols(Layer):
    """Arrows (a shaft and a head) and markers, one collection per marker shape."""

    depends, band = Depends.INSTANT, Band.SYMBOLS

    def build(self) -> None:
        ctx, ax = self.ctx, self.ctx.map_ax
        outline = [
            patheffects.Stroke(linewidth=ctx.pt(6.5), foreground="white", alpha=0.85),
            patheffects.Normal(),
        ]
        self._shafts = LineCollection(
            [], zorder=6, capstyle="butt", joinstyle="round", path_effects=outline
        )
        self._heads = PolyCollection([], zorder=6.1, edgecolor="white", linewidth=ctx.pt(0.8))
        ax.add_collection(self._shafts)
        ax.add_collection(self._heads)
        self._markers = {
            shape: ax.scatter(
                [], [], marker=shape, zorder=6.2, edgecolors="white", linewidths=ctx.pt(1.0)
            )
            for shape in ("o", *MARKERS.values())
        }
        self._numbers: list = []

    def update(self, scene: Scene) -> bool:
        self._update_arrows(scene.arrows)
        self._update_markers(scene)
        self._number_markers(scene)
        return True

    def draw(self, renderer) -> None:
        for artist in self.artists:
            if len(artist.get_paths()) and len(artist.get_offsets()):  # else nothing to draw
                artist.draw(renderer)

    def _update_arrows(self, arrows: list[Arrow]) -> None:
        ctx = self.ctx
        shafts, colours, styles, heads = [], [], [], []
        head_len = ctx.pt(13) * ctx.view.metres_per_px
        for arrow in arrows:
            shape = _arrow_shape(arrow.xy, head_len)
            if shape is None:
                continue
            shafts.append(shape[0])
            heads.append(shape[1])
            colours.append((*side_colour(ctx, arrow.side), arrow.alpha))
            styles.append(SHAFT_STYLES.get(arrow.kind, "solid"))
        self._shafts.set_segments(shafts)
        self._shafts.set_color(colours)
        self._shafts.set_linestyles(styles or "solid")
        self._shafts.set_linewidths(ctx.pt(4.2))
        self._heads.set_verts(heads)
        self._heads.set_facecolor(colours)

    def _update_markers(self, scene: Scene) -> None:
        groups: dict[str, list] = {shape: [] for shape in self._markers}
        for m in scene.markers:
            groups[MARKERS.get(m.kind, "o")].append(m)
        for shape, collection in self._markers.items():
            items = groups[shape]
            collection.set_offsets(np.array([[m.x, m.y] for m in items]).reshape(-1, 2))
            base = 120 if shape == "*" else 70
            collection.set_sizes([base * m.size * self.ctx.scale**2 for m in items])
            collection.set_facecolor([(*side_colour(self.ctx, m.side), m.alpha) for m in items])

    def _number_markers(self, scene: Scene) -> None:
        """Numbers beside the markers of a still, matching the main-events list: each badge
        in the first position round its marker that overlaps no label and no other badge
        (above it if it can); its number and box go to ``ctx.badges``."""
        for number in self._numbers:
            number.remove()
        self._numbers, self.ctx.badges, self.ctx.marker_boxes = [], [], []
        if not scene.main_events:
            return
        self.ctx.marker_boxes = [marker_box(self.ctx, m) for m in scene.markers]
        for m in scene.markers:
            if m.number is not None:
                self._badge(m)

    def _badge(self, m: Marker) -> None:
        ctx = self.ctx
        frame = ctx.map_ax.get_window_extent(ctx.renderer())
        taken = [box for _, box in ctx.badges] + ctx.marker_boxes
        fallback = None
        for dx, dy, ha, va in badge_positions(ctx.pt(9)):
            badge = self._badge_text(m, (dx, dy), ha, va)
            box = badge_box(badge, ctx.renderer())
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(b) for b in taken):
                if not any(box.overlaps(b) for b in ctx.placed):
                    break
                fallback = fallback or (dx, dy, ha, va)
            badge.remove()
        else:  # no place free of labels: free of badges (labels then avoid it), or above
            dx, dy, ha, va = fallback or badge_positions(ctx.pt(9))[0]
            badge = self._badge_text(m, (dx, dy), ha, va)
            box = badge_box(badge, ctx.renderer())
        self._numbers.append(badge)
        ctx.badges.append((m.number, box))

    def _badge_text(self, m: Marker, offset: tuple[float, float], ha: str, va: str):
        ctx = self.ctx
        return ctx.map_ax.annotate(
            str(m.number),
            (m.x, m.y),
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=ctx.pt(9),
            fontweight="bold",
            color="white",
            zorder=9,
            bbox={
                "boxstyle": "circle,pad=0.25",
                "facecolor": side_colour(ctx, m.side),
                "edgecolor": "white",
                "linewidth": ctx.pt(0.8),
            },
        )


def marker_box(ctx, m: Marker) -> Bbox:
    """A marker's window box: the square its symbol is drawn in."""
    base = 120 if MARKERS.get(m.kind, "o") == "*" else 70
    half = np.sqrt(base * m.size) * ctx.scale / 2 * ctx.figure.dpi / 72
    px, py = ctx.map_ax.transData.transform((m.x, m.y))
    return Bbox.from_extents(px - half, py - half, px + half, py + half)


def badge_positions(gap: float) -> list[tuple[float, float, str, str]]:
    """Where a badge may go round its marker, in order: above (as before), then right,
    left, below, the four corners, then the same twice as far out."""
    near = [
        (0, gap, "center", "bottom"),
        (gap, 0, "left", "center"),
        (-gap, 0, "right", "center"),
        (0, -gap, "center", "top"),
        (gap * 0.8, gap * 0.8, "left", "bottom"),
        (-gap * 0.8, gap * 0.8, "right", "bottom"),
        (gap * 0.8, -gap * 0.8, "left", "top"),
        (-gap * 0.8, -gap * 0.8, "right", "top"),
    ]
    return near + [(2 * dx, 2 * dy, ha, va) for dx, dy, ha, va in near]


def badge_box(badge, renderer):
    """The window box of a badge: its number and its circle."""
    text = badge.get_window_extent(renderer)
    badge.update_bbox_position_size(renderer)
    return Bbox.union([text, badge.get_bbox_patch().get_window_extent(renderer)])


def _arrow_shape(xy: np.ndarray, head_len: float) -> tuple[np.ndarray, list] | None:
    """An arrow's shaft (stopped under its head, so the tip stays sharp) and its head's
    three corners; ``None`` for a path too short to point anywhere."""
    if len(xy) < 2:
        return None
    tip, back = xy[-1], xy[-2]
    direction = tip - back
    norm = np.hypot(*direction)
    if norm == 0:
        return None
    u = direction / norm
    normal = np.array([-u[1], u[0]])
    base = tip - u * head_len
    keep = np.hypot(*(xy - tip).T) > head_len * 0.8
    shaft = np.vstack([xy[keep], base]) if keep.any() else np.vstack([xy[0], base])
    return shaft, [tip, base + normal * head_len * 0.6, base - normal * head_len * 0.6]
