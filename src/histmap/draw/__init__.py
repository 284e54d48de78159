"""Drawing scenes with matplotlib: the only package that knows about pixels.

A :class:`FrameRenderer` builds one figure per output size from a stack of layers
(:mod:`.layers`), each declaring what it depends on (nothing, the view, or the
instant); its :class:`~.compositor.Compositor` bakes the static bands once and
blits the moving layers between them frame by frame.
"""

from __future__ import annotations

from .frame import FrameRenderer, FrameReport, frame_steps
from .geometry import line_segments, polygon_path
from .palette import map_swatch

__all__ = [
    "FrameRenderer",
    "FrameReport",
    "frame_steps",
    "line_segments",
    "map_swatch",
    "polygon_path",
]
