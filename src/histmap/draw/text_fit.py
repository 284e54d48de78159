"""Fitting text to the room it has: smaller type, shortened, or left out, in bounded time.

Text from the data is drawn literally: every text artist that shows it is made with
``parse_math=False`` (:data:`LITERAL`), so a ``$`` is a dollar sign, not mathtext.
"""

from __future__ import annotations

import re
import textwrap

from .context import DPI

LITERAL = {"parse_math": False}
"""The keywords of a text artist that shows text from the data: no mathtext."""
ELLIPSIS = "…"
NARROWEST_EM = 0.15
"""Narrower than any glyph a text is likely to hold, in ems (an ``i`` is about 0.22 to 0.28):
no more characters than this allows can fit a width, so no more are ever measured."""
_LINE_BREAKS = re.compile(r"\s*[\n\r\v\f\x85\u2028\u2029]+\s*")


def one_line(text: str) -> str:
    """``text`` on one line: each line break, with the blanks round it, becomes one space.

    >>> one_line("The Korean War\\n 1950–1953 ")
    'The Korean War 1950–1953'
    """
    return _LINE_BREAKS.sub(" ", text).strip()


def most_chars(size_pt: float, width_px: float) -> int:
    """More characters of type ``size_pt`` than can fit ``width_px`` on one line."""
    return int(width_px / max(size_pt * DPI / 72 * NARROWEST_EM, 1e-6)) + 1


def shrink_to_width(text, renderer, width_px: float, *, smallest: float) -> None:
    """Smaller type until a text fits ``width_px`` on one line; cut with an ellipsis at the end.

    The text is made one line first (a title does not run into what is below it). However
    long it is, at most :func:`most_chars` characters are measured, a few times: a text too
    long to fit at ``smallest`` is cut at once, and the cut is found by bisection.
    """
    content = one_line(text.get_text())
    longest = most_chars(smallest, width_px)
    if len(content) > longest:
        # Longer than any text that fits: the smallest type, and cut.
        text.set_text(content[:longest])
        text.set_fontsize(min(text.get_fontsize(), smallest))
        _cut_to_width(text, renderer, width_px, longest)
        return
    text.set_text(content)
    while _width(text, renderer) > width_px and text.get_fontsize() > smallest:
        text.set_fontsize(max(smallest, text.get_fontsize() * 0.92))
    if _width(text, renderer) > width_px:
        _cut_to_width(text, renderer, width_px, len(content) - 2)


def _width(text, renderer) -> float:
    return text.get_window_extent(renderer).width


def _cut_to_width(text, renderer, width_px: float, longest: int) -> None:
    """The longest start of the text, of at most ``longest`` characters, that fits
    ``width_px`` with an ellipsis (only the ellipsis if none does), by bisection."""
    content = text.get_text()

    def shortened(k: int) -> str:
        return content[:k].rstrip() + ELLIPSIS

    lo, hi = 0, max(0, longest)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        text.set_text(shortened(mid))
        if _width(text, renderer) <= width_px:
            lo = mid
        else:
            hi = mid - 1
    text.set_text(shortened(lo))


def wrap(text: str, width: int, max_lines: int, **kwargs) -> str:
    """``text`` wrapped to ``width`` characters, in at most ``max_lines`` lines (the last
    ending in an ellipsis if it is cut); nothing if ``max_lines`` is below 1."""
    if max_lines < 1:
        return ""
    return textwrap.fill(text, max(width, 4), max_lines=max_lines, placeholder=" …", **kwargs)


def chars_per_line(size_pt: float, width_px: float, em: float = 0.56) -> int:
    """About how many characters of type ``size_pt`` fill ``width_px``: points to pixels
    (DPI/72), times an average glyph width of about ``em``."""
    return int(width_px / (size_pt * DPI / 72 * em))


def centred_label(ax, renderer, x: float, y: float, text: str, width: float, *, sizes, **style):
    """``text`` centred at ``(x, y)`` in the largest of ``sizes`` that fits ``width`` (axes
    fraction, less a margin of ``style['margin']`` pixels), or nothing; returns the label."""
    margin = style.pop("margin", 0.0)
    avail = width * ax.get_window_extent(renderer).width - margin
    if not sizes or len(text) > most_chars(min(sizes), avail):
        return None  # too long for the room at any size: not measured at all
    for size in sizes:
        label = ax.text(x, y, text, ha="center", va="center", fontsize=size, **LITERAL, **style)
        if label.get_window_extent(renderer).width <= avail:
            return label
        label.remove()
    return None
