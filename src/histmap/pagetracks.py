"""Caption and chapter tracks built into a page, so that they work from a double-click.

Browsers read a ``<track src=...>`` only over http(s): a page opened as a file
(file://) shows no cue. So the cues travel inside the page, as JSON in a
``<script type="application/json">`` element, and the page's own script makes the
tracks (``video.addTextTrack`` and ``VTTCue``); the same page works over http.
The ``.vtt`` files are still written beside it for other uses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .captions import vtt_text

if TYPE_CHECKING:
    from .captions import Cue

TRACKS_ID = "histmap-tracks"

TRACKS_SCRIPT = """
(function(){
  var video=document.getElementById('video');
  var data=document.getElementById('@ID@');
  if(!video||!data||!video.addTextTrack||typeof VTTCue==='undefined'){return;}
  JSON.parse(data.textContent).forEach(function(t){
    var track=video.addTextTrack(t.kind,t.label,t.lang);
    track.mode=t.showing?'showing':'hidden';
    t.cues.forEach(function(c){track.addCue(new VTTCue(c[0],c[1],c[2]));});
  });
})();
""".replace("@ID@", TRACKS_ID)


@dataclass(frozen=True)
class PageTrack:
    """A text track of the page's video: ``kind`` is ``captions``, ``subtitles`` or
    ``chapters``; the ``showing`` one is on when the page opens."""

    kind: str
    label: str
    lang: str
    cues: Sequence[Cue]
    showing: bool = False


def tracks_json(tracks: Sequence[PageTrack]) -> str:
    """The tracks as JSON that is safe inside a ``<script>`` element: ``<``, ``>`` and ``&``
    are written as ``\\u`` escapes, so no text from the data can close the element.

    >>> from histmap.captions import Cue
    >>> text = tracks_json([PageTrack("captions", "Captions", "en", [Cue(0, 1.5, "</script>")])])
    >>> "<" in text, json.loads(text)[0]["cues"]
    (False, [[0, 1.5, '&lt;/script&gt;']])
    """
    data = [
        {
            "kind": t.kind,
            "label": t.label,
            "lang": t.lang,
            "showing": t.showing,
            "cues": [[round(c.start, 3), round(c.end, 3), vtt_text(c.text)] for c in t.cues],
        }
        for t in tracks
    ]
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def tracks_html(tracks: Sequence[PageTrack]) -> str:
    """The data element and the script that makes the tracks of ``<video id="video">``; put
    it after the video in the page."""
    return (
        f'<script type="application/json" id="{TRACKS_ID}">{tracks_json(tracks)}</script>\n'
        f"<script>{TRACKS_SCRIPT}</script>"
    )
