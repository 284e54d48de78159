"""Parsing command-line and API options that need no drawing library (no matplotlib here)."""

from __future__ import annotations

from ._errors import OptionError


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
