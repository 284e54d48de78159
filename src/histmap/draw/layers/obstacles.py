"""What labels keep off on the map besides other labels: the front lines, the arrows and the
markers of the scene a view is placed for, and in a video the whole paths of the arrows shown
and of those that start soon (they grow while the view holds, its labels placed once)."""

from __future__ import annotations

import numpy as np
import shapely

from ..._dates import to_day
from ...scene import Scene
from ...story import ARROW_KINDS
from ..context import DrawContext
from .symbols import marker_box

ARROW_PT = 6.5
"""An arrow's width with its white outline, in points (see :class:`~.symbols.Symbols`)."""
FRONT_PT = 5.0
"""A front line's width with its halo, in points (see :class:`~.areas.Areas`)."""
SOON_DAYS = 21
"""A video's arrows that start within this many days of a view's scene are kept clear of."""


class Obstacles:
    """The lines and boxes of a scene in window pixels, tested against label boxes."""

    def __init__(self, ctx: DrawContext, scene: Scene | None):
        to_px = ctx.map_ax.transData.transform
        fronts, arrows, later, boxes = [], [], [], []
        if scene is not None:
            fronts = [to_px(line) for lines, _, _ in scene.boundaries for line in lines]
            arrows = [to_px(arrow.xy) for arrow in scene.arrows]
            later = [to_px(xy) for xy in _paths_soon(ctx, scene)]
            boxes = [marker_box(ctx, m).extents for m in scene.markers]
        self._fronts = _lines(fronts)
        self._arrows = _lines(arrows)
        self._later = _lines(later)
        self._front_pad = ctx.pt(FRONT_PT) / 2 * ctx.figure.dpi / 72
        self._arrow_pad = ctx.pt(ARROW_PT) / 2 * ctx.figure.dpi / 72
        self.markers = np.array(boxes, float).reshape(-1, 4)
        """The markers' boxes, as (n, 4) extents."""

    def hit(self, extents: tuple[float, float, float, float], soon: bool = True) -> bool:
        """Whether a label's box (x0, y0, x1, y1) lies on a front, an arrow or a marker
        (``soon``: or on the whole path of an arrow that comes soon, :func:`_paths_soon`)."""
        x0, y0, x1, y1 = extents
        m = self.markers
        if len(m) and np.any((m[:, 2] >= x0) & (m[:, 0] <= x1) & (m[:, 3] >= y0) & (m[:, 1] <= y1)):
            return True
        tests = [(self._fronts, self._front_pad), (self._arrows, self._arrow_pad)]
        if soon:
            tests.append((self._later, self._arrow_pad))
        for lines, pad in tests:
            if lines is not None and lines.intersects(
                shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
            ):
                return True
        return False


def _lines(paths: list[np.ndarray]) -> shapely.MultiLineString | None:
    """The finite paths with two points or more as one prepared geometry (``None``: none)."""
    kept = [p[np.isfinite(p).all(axis=1)] for p in paths]
    kept = [p for p in kept if len(p) > 1]
    if not kept:
        return None
    lines = shapely.MultiLineString(kept)
    shapely.prepare(lines)
    return lines


def _paths_soon(ctx: DrawContext, scene: Scene) -> list[np.ndarray]:
    """The whole paths of a video's arrows that have started or start within
    :data:`SOON_DAYS` of the scene and have not ended before it, and of the event it
    captions."""
    story = ctx.story
    if story is None or story.schedule is None:
        return []
    paths = []
    for e, xy in zip(story.events, story.paths, strict=True):
        if e.kind not in ARROW_KINDS or len(xy) < 2:
            continue
        soon = to_day(e.date) <= scene.day + SOON_DAYS and to_day(e.end_date) >= scene.day
        if soon or e is scene.event:
            paths.append(xy)
    return paths
