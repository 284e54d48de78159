"""The fonts a frame is drawn in, and which characters of a map's texts they lack: said
once, in one line, before drawing.

Text is set in the theme's font (DejaVu Sans), and what that font lacks in Noto Sans KR,
registered from the ``pylopdf-fonts-ko`` package (OFL, from notofonts/noto-cjk): Hangul
and Hanja, Latin unchanged (:func:`families`). Matplotlib warns once per missing glyph and
per drawing; :func:`quiet_glyph_warnings` silences those while histmap draws (the test
suite makes them errors instead, with ``HISTMAP_STRICT_GLYPHS=1``), and
:func:`missing_glyphs` finds the same characters at once, for one clear warning.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import warnings
from functools import lru_cache
from importlib import resources

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from ..model import MapData
from ..style import Theme

GLYPH_WARNING = r"Glyph \d+ .*missing from (current )?font"
SHOWN = 12
"""At most this many of the missing characters are named."""
FALLBACK = "Noto Sans KR"
"""The face of the characters the theme's font lacks: Hangul and Hanja."""
STRICT = "HISTMAP_STRICT_GLYPHS"
"""Set (to anything but "" or "0"), a missing glyph is an error while histmap draws."""


@lru_cache(maxsize=1)
def register_fallback() -> None:
    """Make Noto Sans KR known to matplotlib (once a process), for regular and bold text:
    the package ships the regular face alone, which bold Hangul is set in (else matplotlib
    logs that it found no bold face, each time it looks for one)."""
    face = resources.files("pylopdf_fonts_ko") / "NotoSansKR-Regular.otf"
    with resources.as_file(face) as path:
        manager = font_manager.fontManager
        manager.addfont(str(path))
        regular = font_manager.ttfFontProperty(FT2Font(str(path)))
        manager.ttflist.append(dataclasses.replace(regular, weight=700))
        manager._findfont_cached.cache_clear()  # addfont's own step, for the bold entry


def families(font: str) -> list[str]:
    """The font families a frame's text is set in: ``font``, then the fallback."""
    register_fallback()
    return [font] if font == FALLBACK else [font, FALLBACK]


@contextlib.contextmanager
def quiet_glyph_warnings():
    """Matplotlib's warnings of missing glyphs, silenced (they are reported once, at load);
    errors instead when :data:`STRICT` is set (in the tests)."""
    strict = os.environ.get(STRICT, "") not in ("", "0")
    with warnings.catch_warnings():
        action = "error" if strict else "ignore"
        warnings.filterwarnings(action, message=GLYPH_WARNING, category=UserWarning)
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
    """The characters of ``texts`` that neither ``font`` nor its fallback (:func:`families`)
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
    prop = font_manager.FontProperties(family=families(font))
    with quiet_glyph_warnings():
        find = getattr(font_manager.fontManager, "_find_fonts_by_props", None)
        paths = find(prop) if find is not None else [font_manager.findfont(prop)]
    return tuple(frozenset(FT2Font(str(path)).get_charmap()) for path in paths)
