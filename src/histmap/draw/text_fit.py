"""Fitting text to the room it has: smaller type, shortened, or left out."""

from __future__ import annotations

from .context import DPI


def shrink_to_width(text, renderer, width_px: float, *, smallest: float) -> None:
    """Smaller type until a one-line text fits ``width_px``; cut with an ellipsis at the end."""
    while text.get_window_extent(renderer).width > width_px:
        if text.get_fontsize() > smallest:
            text.set_fontsize(max(smallest, text.get_fontsize() * 0.92))
        else:
            text.set_text(text.get_text()[:-2].rstrip() + "…")


def chars_per_line(size_pt: float, width_px: float, em: float = 0.56) -> int:
    """About how many characters of type ``size_pt`` fill ``width_px``: points to pixels
    (DPI/72), times an average glyph width of about ``em``."""
    return int(width_px / (size_pt * DPI / 72 * em))


def centred_label(ax, renderer, x: float, y: float, text: str, width: float, *, sizes, **style):
    """``text`` centred at ``(x, y)`` in the largest of ``sizes`` that fits ``width`` (axes
    fraction, less a margin of ``style['margin']`` pixels), or nothing; returns the label."""
    margin = style.pop("margin", 0.0)
    avail = width * ax.get_window_extent(renderer).width - margin
    for size in sizes:
        label = ax.text(x, y, text, ha="center", va="center", fontsize=size, **style)
        if label.get_window_extent(renderer).width <= avail:
            return label
        label.remove()
    return None
