"""Which characters of a map's texts its font lacks: said once, in one line, before drawing.

Matplotlib warns once per missing glyph and per drawing (230 lines for a few Korean
names); :func:`quiet_glyph_warnings` silences those while histmap draws, and
:func:`missing_glyphs` finds the same characters at once, for one clear warning.
"""

from __future__ import annotations

import contextlib
import warnings
from functools import lru_cache

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from ..model import MapData
from ..style import Theme

GLYPH_WARNING = r"Glyph \d+ .*missing from (current )?font"
SHOWN = 12
"""At most this many of the missing characters are named."""


@contextlib.contextmanager
def quiet_glyph_warnings():
    """Matplotlib's warnings of missing glyphs, silenced (they are reported once, at load)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=GLYPH_WARNING, category=UserWarning)
        yield


def map_texts(data: MapData) -> list[str]:
    """Every text of a map that is drawn: title, subtitle, credits, sides, reference lines,
    phases, events and places (country names as drawn, in capitals)."""
    spec = data.spec
    texts = [spec.title, spec.subtitle or "", spec.credits or ""]
    texts += [side.name for side in spec.sides]
    texts += [ref.label for ref in spec.reference_lines]
    texts += [phase.name for phase in spec.phases]
    texts += [f"{event.title} {event.caption}" for event in data.events]
    texts += [p.name.upper() if p.kind == "country" else p.name for p in data.places]
    return texts


def missing_glyphs(texts: list[str], font: str) -> list[str]:
    """The characters of ``texts`` that neither ``font`` nor matplotlib's fallback fonts
    have, in order of first use."""
    charmaps = _charmaps(font)
    seen: dict[str, None] = {}
    for text in texts:
        for char in text:
            if char.isspace() or ord(char) < 32 or char in seen:
                continue
            if not any(ord(char) in charmap for charmap in charmaps):
                seen[char] = None
    return list(seen)


def glyph_problem(data: MapData) -> str | None:
    """One line saying which characters the map's font lacks, or ``None`` if it has all."""
    font = Theme.from_table(data.spec.theme).font
    missing = missing_glyphs(map_texts(data), font)
    if not missing:
        return None
    named = " ".join(missing[:SHOWN])
    if len(missing) > SHOWN:
        named += f" and {len(missing) - SHOWN} more"
    return (
        f"the font '{font}' has no glyph for {len(missing)} character(s) of the map's texts "
        f"({named}): they are drawn as empty boxes; set a font that has them in [theme] font"
    )


@lru_cache(maxsize=8)
def _charmaps(font: str) -> tuple[frozenset[int], ...]:
    """The code points of the font files matplotlib uses for ``font``, with its fallbacks."""
    prop = font_manager.FontProperties(family=font)
    with quiet_glyph_warnings():
        find = getattr(font_manager.fontManager, "_find_fonts_by_props", None)
        paths = find(prop) if find is not None else [font_manager.findfont(prop)]
    return tuple(frozenset(FT2Font(str(path)).get_charmap()) for path in paths)
