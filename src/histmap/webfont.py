"""The face of a page that shows Hangul or Han characters, cut to the characters it shows
and inlined in its style, so a Korean page reads the same on a machine with no Korean
font, from file:// as over http, with no request outside the page.

The whole page is set in it (its Latin too), as Korean sites are: set after the reader's
own fonts, for what those lack only, Chromium drew some runs mixing the two scripts
("6·25 전쟁") as empty boxes.

The face is the one the frames draw these characters in (Noto Sans KR, from the
``pylopdf-fonts-ko`` package, OFL); fontTools, which matplotlib already needs, cuts it.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from importlib import resources

from fontTools import subset
from fontTools.ttLib import TTFont

FAMILY = "Noto Sans KR"
FONT_STACK = f'"{FAMILY}",system-ui,-apple-system,"Segoe UI",sans-serif'
"""A Korean page's fonts: the inlined face, then the reader's own for what it lacks."""
ALWAYS = "".join(map(chr, range(0x20, 0x7F))) + "·–—‘’“”…«»◀▶"
"""Characters kept in every cut: what scripts may write (digits, Latin, punctuation)."""
_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3000, 0x303F),  # CJK punctuation
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x3400, 0x4DBF),  # Han, extension A
    (0x4E00, 0x9FFF),  # Han
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # Han compatibility
    (0xFF00, 0xFFEF),  # full-width forms
)


def _is_east_asian(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _RANGES)


def east_asian_characters(text: str) -> str:
    """The Hangul and Han characters of ``text``, each once, in code order."""
    return "".join(sorted({c for c in text if _is_east_asian(c)}))


def face_css(text: str) -> str:
    """An ``@font-face`` rule with the face cut to the characters of ``text`` (and
    :data:`ALWAYS`) as a WOFF data URL, and a font stack that puts it first; ``""`` when
    ``text`` has no Hangul or Han character."""
    if not east_asian_characters(text):
        return ""
    characters = "".join(sorted(set(text + ALWAYS) - set("\n\r\t")))
    data = base64.b64encode(_cut_face(characters)).decode("ascii")
    return (
        f'@font-face{{font-family:"{FAMILY}";font-display:swap;'
        f'src:url(data:font/woff;base64,{data}) format("woff")}}\n'
        # Leaflet's own style names its fonts for the map's labels: outrank it.
        f"body,body .leaflet-container{{font-family:{FONT_STACK}}}\n"
    )


@lru_cache(maxsize=8)
def _cut_face(characters: str) -> bytes:
    face = resources.files("pylopdf_fonts_ko") / "NotoSansKR-Regular.otf"
    with resources.as_file(face) as path:
        font = TTFont(str(path))
    options = subset.Options()
    options.flavor = "woff"  # zlib: WOFF2 would need brotli, for little gain once inlined
    options.name_IDs = ["*"]  # keep the font's names and its OFL licence
    options.notdef_outline = True
    cutter = subset.Subsetter(options)
    cutter.populate(text=characters)
    cutter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()
