"""Where things go in a frame of any shape: map, side or bottom panel, timeline strip.

Pure arithmetic, so each layout can be checked without drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class PanelSlots:
    """Positions inside the panel, in its own 0..1 coordinates."""

    x: float
    title: float
    subtitle: float
    date: float
    phase: float
    event: float
    caption: float
    line: float
    credits: float
    legend_loc: str
    legend_anchor: tuple[float, float]
    legend_columns: int = 1


@dataclass(frozen=True)
class Layout:
    map: Rect
    panel: Rect
    timeline: Rect
    panel_side: str
    slots: PanelSlots
    scale: float
    """Type and line sizes relative to a 1280x720 frame."""
    text_px: float
    """Width available to wrapped text, in pixels."""


def frame_layout(size: tuple[int, int]) -> Layout:
    """The layout of a frame: the panel beside the map on wide frames, below it on tall ones.

    >>> frame_layout((1280, 720)).panel_side, frame_layout((1080, 1920)).panel_side
    ('right', 'bottom')
    >>> round(frame_layout((1920, 1080)).scale, 2)
    1.36
    """
    w, h = size
    if w / h >= 1.2:
        return _side_panel(w, h)
    return _bottom_panel(w, h)


def _side_panel(w: int, h: int) -> Layout:
    strip = 0.075
    panel_px = max(0.30 * w, 0.52 * h)
    pf = panel_px / w
    # Text grows more slowly than the frame, so small frames stay readable.
    scale = min(w / 1280, h / 720) ** 0.75
    slots = PanelSlots(
        x=0.08,
        title=0.955,
        subtitle=0.885,
        date=0.81,
        phase=0.72,
        event=0.655,
        caption=0.6,
        line=0.045,
        credits=0.015,
        legend_loc="lower left",
        legend_anchor=(0.06, 0.08),
    )
    return Layout(
        map=(0, strip, 1 - pf, 1 - strip),
        panel=(1 - pf, strip, pf, 1 - strip),
        timeline=(0, 0, 1, strip),
        panel_side="right",
        slots=slots,
        scale=scale,
        text_px=panel_px * 0.84,
    )


def _bottom_panel(w: int, h: int) -> Layout:
    strip = 0.05
    # A tall frame's panel holds the same texts as a square one's, in the same pixels: the
    # map takes the rest (a fixed fraction left half of a 9:16 panel empty).
    panel = 0.34 * min(1.0, w / h) ** 0.5 if h > w else 0.34
    scale = min(w / 900, h / 720) ** 0.75
    slots = PanelSlots(
        x=0.04,
        title=0.94,
        subtitle=0.8,
        date=0.71,
        phase=0.585,
        event=0.5,
        caption=0.42,
        line=0.065,
        credits=0.02,
        legend_loc="upper right",
        legend_anchor=(0.97, 0.93),
    )
    return Layout(
        map=(0, strip + panel, 1, 1 - strip - panel),
        panel=(0, strip, 1, panel),
        timeline=(0, 0, 1, strip),
        panel_side="bottom",
        slots=slots,
        scale=scale,
        text_px=w * 0.58,
    )
