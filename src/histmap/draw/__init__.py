"""Drawing scenes with matplotlib: the only package that knows about pixels.

A :class:`FrameRenderer` builds one figure per output size from a stack of layers
(:mod:`.layers`), each declaring what it depends on (nothing, the view, or the
instant); its :class:`~.compositor.Compositor` bakes the static bands once and
blits the moving layers between them frame by frame.
"""

from __future__ import annotations

from .._errors import OptionError
from .frame import FrameRenderer, FrameReport
from .geometry import line_segments, polygon_path
from .palette import map_swatch

__all__ = [
    "FrameRenderer",
    "FrameReport",
    "line_segments",
    "map_swatch",
    "parse_size",
    "polygon_path",
]


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``, rounded up to even numbers for H.264.

    >>> parse_size("641x361")
    (642, 362)
    """
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise OptionError(f"'{text}' is not a size: write WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (64 <= w <= 7680 and 64 <= h <= 4320):
        raise OptionError(f"size {w}x{h} is out of range (64x64 to 7680x4320)")
    return w + w % 2, h + h % 2
