"""A page showing Korean carries its own face, cut to its characters (histmap.webfont)."""

from __future__ import annotations

import base64
import io
import re

from fontTools.ttLib import TTFont
from test_lesson import browser  # noqa: F401 (the fixture, shared)

import histmap
from histmap.webfont import ALWAYS, FAMILY, east_asian_characters, face_css

KOREAN = "6·25 전쟁: 서울 함락, 漢江"


def _face(css: str) -> TTFont:
    data = re.search(r"base64,([A-Za-z0-9+/=]+)", css).group(1)
    return TTFont(io.BytesIO(base64.b64decode(data)))


def test_a_page_without_hangul_or_han_carries_no_face():
    assert face_css("The Korean War, 1950–1953 · « Événements »") == ""


def test_the_face_is_cut_to_the_characters_shown():
    css = face_css(KOREAN)
    assert f'font-family:"{FAMILY}"' in css and "format(\"woff\")" in css
    face = _face(css)
    cmap = face.getBestCmap()
    wanted = {ord(c) for c in KOREAN + ALWAYS if not c.isspace() or c == " "}
    assert wanted <= set(cmap)
    # cut: the full face holds some 25,000 glyphs (a few alternates come with the layout)
    assert len(face.getGlyphOrder()) < 2 * len(wanted)
    assert "SIL Open Font License" in str(face["name"].getDebugName(13))


def test_east_asian_characters_are_found_once_in_order():
    assert east_asian_characters("서울 Seoul 서울 漢") == "漢서울"  # code order


def test_a_korean_player_page_draws_hangul_without_a_korean_font(
    browser,  # noqa: F811
    tmp_path,
    tiny_map,
):
    """This machine has no Korean font (Debian's chromium alone): without the inlined face
    every syllable would be the same empty box."""
    toml = tiny_map / "map.toml"
    toml.write_text(re.sub(r'(?m)^title = ".*"$', 'title = "6·25 전쟁"', toml.read_text()))
    out = histmap.load_map(tiny_map).player(tmp_path / "p")
    page = browser.new_page()
    page.goto(out.as_uri() + "/index.html")
    page.evaluate("document.fonts.ready")
    glyphs = page.evaluate(
        """() => {
        const family = getComputedStyle(document.querySelector('h1')).fontFamily;
        return ['전', '쟁', '서'].map(ch => {
            const c = document.createElement('canvas'); c.width = c.height = 48;
            const g = c.getContext('2d'); g.font = '40px ' + family; g.fillText(ch, 2, 40);
            return Array.from(g.getImageData(0, 0, 48, 48).data).join(',');
        });
    }"""
    )
    statuses = page.evaluate("[...document.fonts].map(f => f.family + ' ' + f.status)")
    page.close()
    assert len(set(glyphs[:2])) == 2  # two different syllables drawn, not two boxes
    assert statuses == [f"{FAMILY} loaded"]
    assert "6·25 전쟁" in (out / "index.html").read_text(encoding="utf-8")
