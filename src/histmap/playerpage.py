"""``histmap player``: the interactive player alone, in a folder that works offline."""

from __future__ import annotations

import html
import json
from pathlib import Path

from .encode import write_text
from .i18n import language
from .lesson import html_document, write_folder
from .player import player_section, player_texts, write_player_files
from .scene import World

MANIFEST = "player.json"
PAGE_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222;
background:#fbfaf6;line-height:1.45}
main{max-width:80rem;margin:auto;padding:1rem 1.5rem}h1{margin:.2rem 0}
.sub{color:#5b6670;margin:0}
"""


def write_player(world: World, out: Path) -> Path:
    """Write the folder ``out``: ``index.html`` with the player, and its ``player/`` files.

    Written beside and swapped in whole, as a lesson is; a folder holding anything but an
    earlier player is refused."""
    return write_folder(
        world, out, lambda built: _fill(world, built), manifest=MANIFEST, what="player"
    )


def _fill(world: World, out: Path) -> None:
    spec = world.data.spec
    files = write_player_files(world, out)
    e = html.escape
    body = f"""<main>
<h1>{e(spec.title)}</h1>
<p class="sub">{e(spec.subtitle or "")}</p>
{player_section(language(spec.lang))}
<p class="sub">{e(spec.credits)}</p>
</main>"""
    page = html_document(spec.title, PAGE_STYLE, body, lang=spec.lang, glyphs=player_texts(world))
    write_text(out / "index.html", page)
    manifest = {"title": spec.title, "files": {f: f for f in [*files, "index.html"]}}
    write_text(out / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
