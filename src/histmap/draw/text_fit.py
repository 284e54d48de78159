"""Fitting text to the room it has: smaller type, shortened, or left out, in bounded time.

Text from the data is drawn literally: every text artist that shows it is made with
``parse_math=False`` (:data:`LITERAL`), so a ``$`` is a dollar sign, not mathtext.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

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


def measure(text, renderer, size: float | None = None) -> Callable[[str], float]:
    """How wide a string is, in pixels, in the type of the text artist ``text`` (at ``size``
    points, else its own), as ``renderer`` draws it: every glyph of every script measured,
    through the font's fallbacks (Hangul is wider than Latin)."""
    prop = text.get_fontproperties().copy()
    if size is not None:
        prop.set_size(size)

    def width(content: str) -> float:
        return renderer.get_text_width_height_descent(content, prop, ismath=False)[0]

    return width


def wrap_to_width(
    text: str, width: Callable[[str], float], room: float, max_lines: int, indent: str = ""
) -> str:
    """``text`` in lines no wider than ``room`` as ``width`` measures them, in at most
    ``max_lines`` lines (the last ending in " …" if the text is cut); a word wider than a
    line is cut where it fits. Lines after the first start with ``indent``.

    >>> wrap_to_width("one two three four", len, 9, 2)
    'one two\\nthree …'
    >>> wrap_to_width("abcdefghij", len, 4, 3, indent=" ")
    'abcd\\n efg\\n hij'
    """
    if max_lines < 1:
        return ""
    words, lines, line = text.split(), [], ""
    while words and len(lines) < max_lines:
        start = line or (indent if lines else "")
        candidate = f"{line} {words[0]}" if line else start + words[0]
        if width(candidate) <= room:
            line = candidate
            words.pop(0)
        elif line:
            lines.append(line)
            line = ""
        else:  # one word wider than a line: as much of it as fits
            k = max(len(start) + 1, _longest_start(candidate, width, room))
            lines.append(candidate[:k])
            words[0] = candidate[k:]
    if line:
        lines.append(line)
    if words:  # cut: the last line ends in an ellipsis, as few of its words dropped as fit
        last = lines[-1]
        while " " in last.strip() and width(last + " " + ELLIPSIS) > room:
            last = last.rsplit(" ", 1)[0]
        lines[-1] = last + " " + ELLIPSIS
    return "\n".join(lines)


def _longest_start(content: str, width: Callable[[str], float], room: float) -> int:
    """How many first characters of ``content`` fit ``room`` (by bisection)."""
    lo, hi = 0, len(content)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if width(content[:mid]) <= room else (lo, mid - 1)
    return lo


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
